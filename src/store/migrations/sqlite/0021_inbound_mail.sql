-- 0021_inbound_mail.sql: incoming e-mail (issue 17). Every message zek
-- receives is kept raw before anything is done with it, and what became
-- of it; and the secret that signs the reply addresses of outgoing mails.
-- ASCII only in this file: gen_migrations.py emits char arrays.

-- One row per received message. message_id (NULL when the message has
-- none) and raw_hash (hex SHA-256 of every byte received) are unique, so
-- a second delivery of the same message, also by another process at the
-- same moment, finds the first and changes nothing. raw holds the message
-- as received; one over mail_max_bytes keeps only its head (raw_size is
-- what arrived). state: 'new' until processed (a process that died in
-- between leaves it so, and the next delivery of it processes it), then
-- 'done' (it became request_id / comment_id), 'ignored' (a loop or an
-- auto-reply: never answered) or 'quarantined' (kept for an admin);
-- reason is a short code (docs/internals/mail.md). No foreign keys on
-- purpose: a received message outlives what it became.
CREATE TABLE inbound_mail (
	id INTEGER PRIMARY KEY,
	received_at INTEGER NOT NULL,
	message_id TEXT UNIQUE,
	raw_hash TEXT NOT NULL UNIQUE,
	raw BLOB NOT NULL,
	raw_size INTEGER NOT NULL,
	from_addr TEXT NOT NULL DEFAULT '',
	subject TEXT NOT NULL DEFAULT '',
	state TEXT NOT NULL DEFAULT 'new'
		CHECK (state IN ('new', 'done', 'ignored', 'quarantined')),
	reason TEXT NOT NULL DEFAULT '',
	request_id INTEGER NOT NULL DEFAULT 0,
	comment_id INTEGER NOT NULL DEFAULT 0,
	processed_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX inbound_mail_state ON inbound_mail (state, received_at);

-- At most one row (id 1), written the first time a reply address is
-- signed (core/mailtoken.c): migrations seed no rows, so that zek copy-db
-- finds a new database empty, and a copy takes the secret along, so the
-- reply addresses of mails sent before still work.
CREATE TABLE mail_secret (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	secret BLOB NOT NULL
);
