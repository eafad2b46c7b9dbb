-- 0003_accounts.sql (PostgreSQL): SQLite's 0017_accounts, the same
-- columns, tables and indexes (see there for what they are for).
-- ASCII only in this file: gen_migrations.py emits char arrays.

ALTER TABLE users ADD COLUMN deactivated_at bigint NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN last_login_at bigint NOT NULL DEFAULT 0;

CREATE TABLE account_links (
	token_hash text COLLATE "C" PRIMARY KEY,
	purpose text COLLATE "C" NOT NULL
		CHECK (purpose IN ('invite', 'reset')),
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_by bigint REFERENCES users (id) ON DELETE SET NULL,
	created_at bigint NOT NULL,
	expires_at bigint NOT NULL,
	used_at bigint NOT NULL DEFAULT 0
);
CREATE INDEX account_links_user ON account_links (user_id, purpose);

CREATE SEQUENCE account_audit_id_seq;
CREATE TABLE account_audit (
	id bigint PRIMARY KEY,
	at bigint NOT NULL,
	actor_id bigint REFERENCES users (id) ON DELETE SET NULL,
	action text COLLATE "C" NOT NULL,
	user_id bigint REFERENCES users (id) ON DELETE SET NULL,
	org_id bigint REFERENCES organisations (id) ON DELETE SET NULL,
	detail text COLLATE "C" NOT NULL DEFAULT ''
);
ALTER SEQUENCE account_audit_id_seq OWNED BY account_audit.id;
CREATE TRIGGER account_audit_assign_id BEFORE INSERT ON account_audit
	FOR EACH ROW EXECUTE FUNCTION zek_assign_id('account_audit_id_seq');
CREATE INDEX account_audit_at ON account_audit (at);
CREATE INDEX account_audit_user ON account_audit (user_id, at);
