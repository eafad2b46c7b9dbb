-- 0003_activity.sql: comments (public and internal), the append-only
-- activity log of every request, and attachments that belong to a comment.

CREATE TABLE comments (
	id INTEGER PRIMARY KEY,
	request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
	author_id INTEGER NOT NULL REFERENCES users (id),
	body TEXT NOT NULL,
	-- 0 = internal note: agents only, never shown to customers
	public INTEGER NOT NULL DEFAULT 1 CHECK (public IN (0, 1)),
	created_at INTEGER NOT NULL
);
CREATE INDEX comments_request ON comments (request_id, created_at);

-- One row per thing that happened to a request. Rows are never changed or
-- deleted (the triggers below refuse it): this is the audit trail.
CREATE TABLE activity (
	id INTEGER PRIMARY KEY,
	request_id INTEGER NOT NULL REFERENCES requests (id),
	actor_id INTEGER REFERENCES users (id),         -- NULL = the system
	kind TEXT NOT NULL CHECK (kind IN ('created', 'comment',
		'status_changed', 'attachment_added', 'participant_added',
		'participant_removed', 'shared_with_org')),
	action TEXT NOT NULL DEFAULT '',                -- workflow action
	comment_id INTEGER REFERENCES comments (id),
	attachment_id INTEGER REFERENCES attachments (id),
	subject_id INTEGER REFERENCES users (id),       -- participant; reporter of 'created'
	org_id INTEGER REFERENCES organisations (id),
	old_status TEXT NOT NULL DEFAULT '',
	new_status TEXT NOT NULL DEFAULT '',
	resolution TEXT NOT NULL DEFAULT '',
	-- 0 = agents only (an internal note and what belongs to it)
	public INTEGER NOT NULL DEFAULT 1 CHECK (public IN (0, 1)),
	created_at INTEGER NOT NULL
);
CREATE INDEX activity_request ON activity (request_id, id);

CREATE TRIGGER activity_no_update BEFORE UPDATE ON activity
BEGIN
	SELECT RAISE(ABORT, 'activity is append-only');
END;
CREATE TRIGGER activity_no_delete BEFORE DELETE ON activity
BEGIN
	SELECT RAISE(ABORT, 'activity is append-only');
END;
CREATE TRIGGER comments_no_update BEFORE UPDATE ON comments
BEGIN
	SELECT RAISE(ABORT, 'comments are append-only');
END;

ALTER TABLE attachments ADD COLUMN comment_id INTEGER REFERENCES comments (id);
CREATE INDEX attachments_comment ON attachments (comment_id);

-- Requests created before this migration start their log with 'created'.
INSERT INTO activity (request_id, actor_id, kind, subject_id, new_status,
	created_at)
SELECT id, creator_id, 'created',
	CASE WHEN reporter_id <> creator_id THEN reporter_id END, 'offen',
	created_at
FROM requests;
