-- 0009_search_merge.sql: the search index merges its segments 16 at a time
-- instead of 4 (docs/internals/performance.md).
-- ASCII only in this file: gen_migrations.py emits char arrays.

-- Every statement of a write transaction after the index changed makes
-- FTS5 write what it holds as a new segment (its savepoint handling), so
-- a create adds about three small segments, and merging them 4 at a time
-- cost 5 of the 7.5 million instructions of a create on 100,000 requests
-- (durable creates: 200/s instead of 650/s on the shared machine). A
-- search then reads up to 15 small segments per level instead of 3; on
-- 100,000 requests a search for a word of the newest requests took 0.4 ms
-- instead of 0.15.
INSERT INTO request_search (request_search, rank) VALUES ('automerge', 16);
