-- 0018_edits_links.sql (PostgreSQL): SQLite's 0029_edits_links (see
-- there): request links, the activity kinds 'edited', 'linked' and
-- 'unlinked', and the activity's old_value and new_value.
-- ASCII only in this file: gen_migrations.py emits char arrays.

CREATE TABLE request_links (
	request_id bigint NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
	linked_id bigint NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
	kind text COLLATE "C" NOT NULL CHECK (kind IN ('duplicate', 'relates')),
	created_at bigint NOT NULL,
	CHECK (request_id <> linked_id),
	UNIQUE (request_id, linked_id)
);
CREATE INDEX request_links_linked ON request_links (linked_id);

-- PostgreSQL changes a CHECK and adds columns in place: no rebuild.
ALTER TABLE activity DROP CONSTRAINT activity_kind_check;
ALTER TABLE activity ADD CONSTRAINT activity_kind_check CHECK (kind IN (
	'created', 'comment', 'status_changed', 'attachment_added',
	'participant_added', 'participant_removed', 'shared_with_org',
	'assigned', 'rated', 'edited', 'linked', 'unlinked'));
ALTER TABLE activity ADD COLUMN old_value text COLLATE "C" NOT NULL
	DEFAULT '';
ALTER TABLE activity ADD COLUMN new_value text COLLATE "C" NOT NULL
	DEFAULT '';
