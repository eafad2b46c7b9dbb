-- 0027_participants_created.sql (PostgreSQL): as SQLite's 0035, a
-- participation carries the creation time of its request, and the index of
-- a person's participations is in the order of the lists. The customer's
-- "every request I may see" walks each of its ways from the cursor for at
-- most a page (pg_search.c, V_WAYS); the way through participants read all
-- of a person's participations (882 for the bench's busiest customer),
-- joined each to its request and sorted them, for every page.
-- ASCII only in this file: gen_migrations.py emits char arrays.

ALTER TABLE participants ADD COLUMN created_at bigint NOT NULL DEFAULT 0;

-- Filling it changes nothing the search facets are made of (0007's
-- trigger would rewrite a search row per participation).
ALTER TABLE participants DISABLE TRIGGER USER;
UPDATE participants p SET created_at = r.created_at
	FROM requests r WHERE r.id = p.request_id;
ALTER TABLE participants ENABLE TRIGGER USER;

DROP INDEX participants_user;
CREATE INDEX participants_user ON participants (user_id, created_at,
	request_id);
