-- 0019_snippets.sql (PostgreSQL): SQLite's 0030_snippets (see there): the
-- canned responses agents insert into a reply.
-- ASCII only in this file: gen_migrations.py emits char arrays.

CREATE SEQUENCE snippets_id_seq;
CREATE TABLE snippets (
	id bigint PRIMARY KEY,
	title text COLLATE "C" NOT NULL CHECK (octet_length(title) <= 400),
	body text COLLATE "C" NOT NULL CHECK (octet_length(body) <= 20000),
	created_by bigint NOT NULL REFERENCES users (id),
	created_at bigint NOT NULL,
	updated_by bigint NOT NULL REFERENCES users (id),
	updated_at bigint NOT NULL,
	deleted_by bigint REFERENCES users (id),
	deleted_at bigint NOT NULL DEFAULT 0
);
ALTER SEQUENCE snippets_id_seq OWNED BY snippets.id;
CREATE TRIGGER snippets_assign_id BEFORE INSERT ON snippets
	FOR EACH ROW EXECUTE FUNCTION zek_assign_id('snippets_id_seq');
