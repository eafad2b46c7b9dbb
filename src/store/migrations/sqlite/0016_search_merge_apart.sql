-- 0016_search_merge_apart.sql: the search index is merged by the store's
-- background thread in small steps (sqlite.c, search_merge_step), not
-- inside the writes. ASCII only in this file: gen_migrations.py emits char
-- arrays.

-- With automerge 16 (0009) FTS5 merged inside whichever write came, and
-- a level that reached crisismerge (64, 0012) at once: on 1,000,000
-- requests one create's INSERT then took 2 s while every other writer,
-- and both worker threads with them, waited (issue 22). The background
-- steps merge 16 segments of a level at a time (usermerge); crisismerge
-- stays the bound should they fall behind.
INSERT INTO request_search (request_search, rank) VALUES ('automerge', 0);
INSERT INTO request_search (request_search, rank) VALUES ('usermerge', 16);
INSERT INTO request_search (request_search, rank) VALUES ('crisismerge', 256);
