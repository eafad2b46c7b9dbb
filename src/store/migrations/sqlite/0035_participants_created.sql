-- 0035_participants_created.sql: a participation carries the creation time
-- of its request. PostgreSQL reads a person's requests as participant
-- newest first from an index on it, a page at a time (its 0027); column and
-- index are on both backends because copy-db copies every table column by
-- column (and tests/pg/schema_check.sh holds the two schemas alike). It
-- never changes: a request's created_at is fixed.
-- ASCII only in this file: gen_migrations.py emits char arrays.

ALTER TABLE participants ADD COLUMN created_at INTEGER NOT NULL DEFAULT 0;

-- Filling it is no change of the search document: the trigger of 0002 now
-- fires only for the columns the document is made of.
DROP TRIGGER request_search_part_upd;
UPDATE participants SET created_at = (SELECT r.created_at FROM requests r
	WHERE r.id = participants.request_id);
CREATE TRIGGER request_search_part_upd AFTER UPDATE OF request_id, user_id
	ON participants BEGIN
	DELETE FROM request_search WHERE rowid IN (old.request_id, new.request_id);
	INSERT INTO request_search (rowid, issue_key, title, description, facets)
	SELECT id, issue_key, title, description, facets
	FROM request_search_doc WHERE id IN (old.request_id, new.request_id);
END;

DROP INDEX participants_user;
CREATE INDEX participants_user ON participants (user_id, created_at,
	request_id);
