-- 0026_ratings.sql: satisfaction ratings (CSAT, issue 18): the reporter
-- of a closed request (not withdrawn) rates it 1..5 with an optional
-- comment, once; they may change it for 7 days (core/rating.c). The row
-- is also the "used" mark of the signed rating link of the closing mail,
-- which stores nothing of its own.
-- ASCII only in this file: gen_migrations.py emits char arrays.

-- One per request (UNIQUE: PostgreSQL's primary key has the same index).
-- comment: at most 2000 code points (core checks them; the CHECK bounds
-- the bytes, 4 per code point).
CREATE TABLE request_ratings (
	request_id INTEGER NOT NULL UNIQUE
		REFERENCES requests (id) ON DELETE CASCADE,
	user_id INTEGER NOT NULL REFERENCES users (id),
	score INTEGER NOT NULL CHECK (score BETWEEN 1 AND 5),
	comment TEXT NOT NULL DEFAULT '' CHECK (length(CAST(comment AS BLOB)) <= 8000),
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
);
CREATE INDEX request_ratings_user ON request_ratings (user_id);

-- The log learns the kind 'rated' (action: the score given, '1'..'5';
-- agents only). SQLite cannot change a CHECK constraint, so the table is
-- built anew with the same rows, ids, index and triggers, as 0006 did.
-- DROP TABLE fires no trigger, and no table refers to activity.
CREATE TABLE activity_new (
	id INTEGER PRIMARY KEY,
	request_id INTEGER NOT NULL REFERENCES requests (id),
	actor_id INTEGER REFERENCES users (id),         -- NULL = the system
	kind TEXT NOT NULL CHECK (kind IN ('created', 'comment',
		'status_changed', 'attachment_added', 'participant_added',
		'participant_removed', 'shared_with_org', 'assigned', 'rated')),
	action TEXT NOT NULL DEFAULT '',                -- workflow action;
	                                                -- the score of 'rated'
	comment_id INTEGER REFERENCES comments (id),
	attachment_id INTEGER REFERENCES attachments (id),
	subject_id INTEGER REFERENCES users (id),       -- participant; reporter
	                                                -- of 'created'; assignee
	org_id INTEGER REFERENCES organisations (id),
	old_status TEXT NOT NULL DEFAULT '',
	new_status TEXT NOT NULL DEFAULT '',
	resolution TEXT NOT NULL DEFAULT '',
	-- 0 = agents only (an internal note and what belongs to it,
	-- assignments, ratings)
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
-- As 0013_status_check.
CREATE TRIGGER activity_status_insert BEFORE INSERT ON activity
WHEN NEW.old_status NOT IN ('', 'offen', 'wartet_support', 'in_bearbeitung',
	'wartet_kunde', 'geschlossen')
	OR NEW.new_status NOT IN ('', 'offen', 'wartet_support',
	'in_bearbeitung', 'wartet_kunde', 'geschlossen')
	OR NEW.resolution NOT IN ('', 'geloest', 'zurueckgezogen', 'duplikat',
	'abgelehnt')
BEGIN
	SELECT RAISE(ABORT, 'activity: unknown status or resolution');
END;
