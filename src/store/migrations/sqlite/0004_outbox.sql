-- 0004_outbox.sql: the durable e-mail outbox. A change and the mails it
-- causes are written in one transaction; a worker sends them later.
-- No foreign keys on purpose: a mail must outlive whatever it talks about.

CREATE TABLE outbox (
	id INTEGER PRIMARY KEY,
	event TEXT NOT NULL,                -- 'created', 'comment', ... (core/notify.h)
	request_id INTEGER NOT NULL DEFAULT 0,
	recipient_id INTEGER NOT NULL DEFAULT 0,
	to_addr TEXT NOT NULL,
	to_name TEXT NOT NULL DEFAULT '',
	lang TEXT NOT NULL DEFAULT 'de',    -- the recipient's, when the event happened
	tz TEXT NOT NULL DEFAULT 'Europe/Berlin',
	message_id TEXT NOT NULL UNIQUE,    -- '<...@host>', fixed at enqueue time
	thread_id TEXT NOT NULL DEFAULT '', -- the request's root id for In-Reply-To
	payload TEXT NOT NULL,              -- JSON: the facts the mail tells
	raw TEXT,                           -- the message as first rendered for sending
	state TEXT NOT NULL DEFAULT 'pending'
		CHECK (state IN ('pending', 'sent', 'failed')),
	attempts INTEGER NOT NULL DEFAULT 0,
	next_attempt_at INTEGER NOT NULL,
	claimed_by TEXT,                    -- token of the sender holding it
	claimed_until INTEGER,              -- the claim lapses after this
	last_error TEXT NOT NULL DEFAULT '',
	created_at INTEGER NOT NULL,
	sent_at INTEGER
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_request ON outbox (request_id);
