-- 0015_ratings.sql (PostgreSQL): SQLite's 0026_ratings (see there): the
-- table of satisfaction ratings and the activity kind 'rated'.
-- ASCII only in this file: gen_migrations.py emits char arrays.

CREATE TABLE request_ratings (
	request_id bigint PRIMARY KEY REFERENCES requests (id) ON DELETE CASCADE,
	user_id bigint NOT NULL REFERENCES users (id),
	score bigint NOT NULL CHECK (score BETWEEN 1 AND 5),
	comment text COLLATE "C" NOT NULL DEFAULT ''
		CHECK (octet_length(comment) <= 8000),
	created_at bigint NOT NULL,
	updated_at bigint NOT NULL
);
CREATE INDEX request_ratings_user ON request_ratings (user_id);

-- PostgreSQL changes a CHECK in place: no rebuild.
ALTER TABLE activity DROP CONSTRAINT activity_kind_check;
ALTER TABLE activity ADD CONSTRAINT activity_kind_check CHECK (kind IN (
	'created', 'comment', 'status_changed', 'attachment_added',
	'participant_added', 'participant_removed', 'shared_with_org',
	'assigned', 'rated'));
