-- 0027_retention.sql: closed requests past retention_closed_days are
-- deleted with their comments, files and mails (issue 20,
-- core/retention.c), and each deletion is recorded.
-- The activity log stays append-only for everything else: its rows may go
-- only with a request that its purge has marked (requests.purging = 1),
-- inside the purge's own transaction.
-- ASCII only in this file: gen_migrations.py emits char arrays.

ALTER TABLE requests ADD COLUMN purging INTEGER NOT NULL DEFAULT 0;

DROP TRIGGER activity_no_delete;
CREATE TRIGGER activity_no_delete BEFORE DELETE ON activity
WHEN (SELECT purging FROM requests WHERE id = OLD.request_id) IS NOT 1
BEGIN
	SELECT RAISE(ABORT, 'activity is append-only');
END;

-- What was deleted, when, and how much of it: the record that stays.
CREATE TABLE retention_log (
	id INTEGER PRIMARY KEY,
	request_key TEXT NOT NULL,
	type_id INTEGER NOT NULL,
	last_change_at INTEGER NOT NULL,    -- the request's updated_at
	purged_at INTEGER NOT NULL,
	comments INTEGER NOT NULL,
	attachments INTEGER NOT NULL,
	mails INTEGER NOT NULL              -- outbox and received mails
);
CREATE INDEX retention_log_purged ON retention_log (purged_at);
