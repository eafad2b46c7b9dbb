-- 0029_edits_links.sql: editing requests and linking them (issue 18's
-- daily chores). Agents change a request's title, description, type and
-- fields; each change is logged old -> new. Requests are linked as
-- "Duplikat von" or "Haengt zusammen mit".
-- ASCII only in this file: gen_migrations.py emits char arrays.

-- One link between two requests, stored once: kind 'duplicate' reads
-- "request_id is a duplicate of linked_id"; 'relates' goes both ways.
-- One link a pair at most (core refuses the reversed pair too).
CREATE TABLE request_links (
	request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
	linked_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
	kind TEXT NOT NULL CHECK (kind IN ('duplicate', 'relates')),
	created_at INTEGER NOT NULL,
	CHECK (request_id <> linked_id),
	UNIQUE (request_id, linked_id)
);
CREATE INDEX request_links_linked ON request_links (linked_id);

-- The log learns the kinds 'edited' (action: "type" or the field key;
-- old_value and new_value as stored: a type id, or the field's values
-- joined by line feeds), 'linked' and 'unlinked' (action: the link as
-- this request sees it; new_value: the other request's key). All three
-- are for agents only. As 0026, SQLite rebuilds the table to change the
-- CHECK; the two new columns come with the same rebuild.
CREATE TABLE activity_new (
	id INTEGER PRIMARY KEY,
	request_id INTEGER NOT NULL REFERENCES requests (id),
	actor_id INTEGER REFERENCES users (id),         -- NULL = the system
	kind TEXT NOT NULL CHECK (kind IN ('created', 'comment',
		'status_changed', 'attachment_added', 'participant_added',
		'participant_removed', 'shared_with_org', 'assigned', 'rated',
		'edited', 'linked', 'unlinked')),
	action TEXT NOT NULL DEFAULT '',                -- workflow action;
	                                                -- the score of 'rated';
	                                                -- what was edited/linked
	comment_id INTEGER REFERENCES comments (id),
	attachment_id INTEGER REFERENCES attachments (id),
	subject_id INTEGER REFERENCES users (id),       -- participant; reporter
	                                                -- of 'created'; assignee
	org_id INTEGER REFERENCES organisations (id),
	old_status TEXT NOT NULL DEFAULT '',
	new_status TEXT NOT NULL DEFAULT '',
	resolution TEXT NOT NULL DEFAULT '',
	-- 0 = agents only (an internal note and what belongs to it,
	-- assignments, ratings, edits, links)
	public INTEGER NOT NULL DEFAULT 1 CHECK (public IN (0, 1)),
	created_at INTEGER NOT NULL,
	old_value TEXT NOT NULL DEFAULT '',
	new_value TEXT NOT NULL DEFAULT ''
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
-- As 0027_retention: only a request its purge has marked loses its log.
CREATE TRIGGER activity_no_delete BEFORE DELETE ON activity
WHEN (SELECT purging FROM requests WHERE id = OLD.request_id) IS NOT 1
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
