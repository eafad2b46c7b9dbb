-- 0006_agent.sql: the support side: who works a request (its assignee),
-- the indexes behind the agents' queues, and 'assigned' entries in the
-- activity log.
-- ASCII only in this file: gen_migrations.py emits char arrays.

-- NULL = nobody works it yet ("Nicht zugewiesen").
ALTER TABLE requests ADD COLUMN assignee_id INTEGER REFERENCES users (id);

-- A queue page reads one status at a time, in creation or update order
-- from a cursor, and merges the statuses of the queue; these indexes give
-- each of those reads its order (requests_status of 0001 is the one for
-- (status, updated_at)), with or without an assignee condition.
CREATE INDEX requests_status_created ON requests (status, created_at);
CREATE INDEX requests_assignee_created ON requests (assignee_id, status,
	created_at);
CREATE INDEX requests_assignee_updated ON requests (assignee_id, status,
	updated_at);

-- The log learns one more kind, 'assigned' (subject = the new assignee,
-- NULL = nobody). SQLite cannot change a CHECK constraint, so the table
-- is built anew with the same rows, ids, index and triggers. DROP TABLE
-- fires no trigger, and no table refers to activity.
CREATE TABLE activity_new (
	id INTEGER PRIMARY KEY,
	request_id INTEGER NOT NULL REFERENCES requests (id),
	actor_id INTEGER REFERENCES users (id),         -- NULL = the system
	kind TEXT NOT NULL CHECK (kind IN ('created', 'comment',
		'status_changed', 'attachment_added', 'participant_added',
		'participant_removed', 'shared_with_org', 'assigned')),
	action TEXT NOT NULL DEFAULT '',                -- workflow action
	comment_id INTEGER REFERENCES comments (id),
	attachment_id INTEGER REFERENCES attachments (id),
	subject_id INTEGER REFERENCES users (id),       -- participant; reporter
	                                                -- of 'created'; assignee
	org_id INTEGER REFERENCES organisations (id),
	old_status TEXT NOT NULL DEFAULT '',
	new_status TEXT NOT NULL DEFAULT '',
	resolution TEXT NOT NULL DEFAULT '',
	-- 0 = agents only (an internal note and what belongs to it, assignments)
	public INTEGER NOT NULL DEFAULT 1 CHECK (public IN (0, 1)),
	created_at INTEGER NOT NULL
);
INSERT INTO activity_new (id, request_id, actor_id, kind, action, comment_id,
	attachment_id, subject_id, org_id, old_status, new_status, resolution,
	public, created_at)
SELECT id, request_id, actor_id, kind, action, comment_id, attachment_id,
	subject_id, org_id, old_status, new_status, resolution, public,
	created_at
FROM activity;
DROP TABLE activity;
ALTER TABLE activity_new RENAME TO activity;
CREATE INDEX activity_request ON activity (request_id, id);

CREATE TRIGGER activity_no_update BEFORE UPDATE ON activity
BEGIN
	SELECT RAISE(ABORT, 'activity is append-only');
END;
CREATE TRIGGER activity_no_delete BEFORE DELETE ON activity
BEGIN
	SELECT RAISE(ABORT, 'activity is append-only');
END;
