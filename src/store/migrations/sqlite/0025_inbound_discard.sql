-- 0025_inbound_discard.sql: an admin may discard a quarantined message
-- (/servicedesk/admin/mail, issue 17). It stays in the table for the
-- record, with state 'discarded', who discarded it (users.id, 0 = the
-- command line) and when (UTC ms).
-- ASCII only in this file: gen_migrations.py emits char arrays.

-- SQLite cannot change a CHECK constraint: the table is made anew with
-- the new state allowed, and its rows copied. It holds only received
-- mail, which is small next to requests, so the write lock is short.
CREATE TABLE inbound_mail_next (
	id INTEGER PRIMARY KEY,
	received_at INTEGER NOT NULL,
	message_id TEXT UNIQUE,
	raw_hash TEXT NOT NULL UNIQUE,
	raw BLOB NOT NULL,
	raw_size INTEGER NOT NULL,
	from_addr TEXT NOT NULL DEFAULT '',
	subject TEXT NOT NULL DEFAULT '',
	state TEXT NOT NULL DEFAULT 'new'
		CHECK (state IN ('new', 'done', 'ignored', 'quarantined',
		'discarded')),
	reason TEXT NOT NULL DEFAULT '',
	request_id INTEGER NOT NULL DEFAULT 0,
	comment_id INTEGER NOT NULL DEFAULT 0,
	processed_at INTEGER NOT NULL DEFAULT 0,
	discarded_by INTEGER NOT NULL DEFAULT 0,
	discarded_at INTEGER NOT NULL DEFAULT 0
);
INSERT INTO inbound_mail_next (id, received_at, message_id, raw_hash, raw,
	raw_size, from_addr, subject, state, reason, request_id, comment_id,
	processed_at)
SELECT id, received_at, message_id, raw_hash, raw, raw_size, from_addr,
	subject, state, reason, request_id, comment_id, processed_at
FROM inbound_mail;
DROP TABLE inbound_mail;
ALTER TABLE inbound_mail_next RENAME TO inbound_mail;
CREATE INDEX inbound_mail_state ON inbound_mail (state, received_at);
