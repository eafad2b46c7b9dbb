-- 0012_search_crisismerge.sql: the search index merges a full level bit
-- by bit over the writes that follow, not all at once in one.
-- ASCII only in this file: gen_migrations.py emits char arrays.

-- With automerge 16 (0009) and FTS5's default crisismerge, also 16, a
-- level that reached 16 segments was merged at once, inside whichever
-- create came then: on 1,000,000 requests one such create held about
-- 40 MB (its statement journal, in memory for request connections) and
-- made the creates behind it wait. With crisismerge 64 the automerge
-- steps (a little work after each write) merge a level of 16 before it
-- can grow to 64.
INSERT INTO request_search (request_search, rank) VALUES ('crisismerge', 64);
