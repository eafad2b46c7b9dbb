-- 0010_inbound_mail.sql (PostgreSQL): SQLite's 0021_inbound_mail, the same
-- tables (see there for what they are for).
-- ASCII only in this file: gen_migrations.py emits char arrays.

CREATE SEQUENCE inbound_mail_id_seq;
CREATE TABLE inbound_mail (
	id bigint PRIMARY KEY,
	received_at bigint NOT NULL,
	message_id text COLLATE "C" UNIQUE,
	raw_hash text COLLATE "C" NOT NULL UNIQUE,
	raw bytea NOT NULL,
	raw_size bigint NOT NULL,
	from_addr text COLLATE "C" NOT NULL DEFAULT '',
	subject text COLLATE "C" NOT NULL DEFAULT '',
	state text COLLATE "C" NOT NULL DEFAULT 'new'
		CHECK (state IN ('new', 'done', 'ignored', 'quarantined')),
	reason text COLLATE "C" NOT NULL DEFAULT '',
	request_id bigint NOT NULL DEFAULT 0,
	comment_id bigint NOT NULL DEFAULT 0,
	processed_at bigint NOT NULL DEFAULT 0
);
ALTER SEQUENCE inbound_mail_id_seq OWNED BY inbound_mail.id;
CREATE TRIGGER inbound_mail_assign_id BEFORE INSERT ON inbound_mail
	FOR EACH ROW EXECUTE FUNCTION zek_assign_id('inbound_mail_id_seq');
CREATE INDEX inbound_mail_state ON inbound_mail (state, received_at);

CREATE TABLE mail_secret (
	id bigint PRIMARY KEY CHECK (id = 1),
	secret bytea NOT NULL
);
