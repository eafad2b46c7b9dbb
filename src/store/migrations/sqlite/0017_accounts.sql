-- 0017_accounts.sql: people get in and out without a shell (issue 15).
-- ASCII only in this file: gen_migrations.py emits char arrays.

-- A deactivated person (deactivated_at > 0) cannot sign in; their
-- sessions and tokens stop working and they get no mail. Their requests,
-- comments and name stay. last_login_at: the customers page shows it.
ALTER TABLE users ADD COLUMN deactivated_at INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN last_login_at INTEGER NOT NULL DEFAULT 0;

-- Single-use links sent by mail: an invitation (set name and password),
-- a password reset. Only the SHA-256 of the raw token is kept, as for
-- sessions and API tokens. used_at > 0: spent.
CREATE TABLE account_links (
	token_hash TEXT PRIMARY KEY,
	purpose TEXT NOT NULL CHECK (purpose IN ('invite', 'reset')),
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL,
	used_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX account_links_user ON account_links (user_id, purpose);

-- Who changed whose account or which organisation, and when: shown to
-- admins. actor_id NULL = the command line or the system.
CREATE TABLE account_audit (
	id INTEGER PRIMARY KEY,
	at INTEGER NOT NULL,
	actor_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
	action TEXT NOT NULL,
	user_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
	org_id INTEGER REFERENCES organisations (id) ON DELETE SET NULL,
	detail TEXT NOT NULL DEFAULT ''
);
CREATE INDEX account_audit_at ON account_audit (at);
CREATE INDEX account_audit_user ON account_audit (user_id, at);
