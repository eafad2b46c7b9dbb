-- 0007_list_walk.sql: what lets the request list read a page of search
-- hits without reading all of them (see sqlite_list.c).
-- ASCII only in this file: gen_migrations.py emits char arrays.

-- The list is ordered by (created_at, id), newest first; the full-text
-- index hands out hits in id order. Ids grow with creation time, so the
-- newest hits come first, except for requests whose created_at is older
-- than their id suggests (imported ones). Per block of 64 ids (id / 64):
--   hi = the newest created_at of every request with an id below
--        (block + 1) * 64 (a running maximum: it never falls from one
--        block to the next), so a walk down the ids can stop once hi is
--        older than the page's last row;
--   lo = the oldest created_at in the block, so a walk from a cursor can
--        skip newer blocks that hold nothing older than it.
-- Both are bounds: a deleted request leaves them as they were, which stays
-- correct. A new request (created now, the highest id) changes only the
-- newest block's row.
CREATE TABLE request_blocks (
	block INTEGER PRIMARY KEY,
	hi INTEGER NOT NULL,
	lo INTEGER NOT NULL
);
CREATE INDEX request_blocks_hi ON request_blocks (hi, block);

INSERT INTO request_blocks (block, hi, lo)
SELECT block, max(newest) OVER (ORDER BY block ROWS UNBOUNDED PRECEDING),
	oldest
FROM (SELECT id / 64 AS block, max(created_at) AS newest,
	min(created_at) AS oldest FROM requests GROUP BY id / 64);

CREATE TRIGGER request_blocks_ins AFTER INSERT ON requests BEGIN
	INSERT INTO request_blocks (block, hi, lo)
	VALUES (new.id / 64, max(new.created_at, coalesce((SELECT b.hi
	    FROM request_blocks b WHERE b.block < new.id / 64
	    ORDER BY b.block DESC LIMIT 1), new.created_at)), new.created_at)
	ON CONFLICT (block) DO UPDATE SET hi = max(hi, excluded.hi),
	    lo = min(lo, excluded.lo);
	UPDATE request_blocks SET hi = new.created_at
	WHERE block > new.id / 64 AND hi < new.created_at;
END;

CREATE TRIGGER request_blocks_upd AFTER UPDATE OF id, created_at ON requests
BEGIN
	INSERT INTO request_blocks (block, hi, lo)
	VALUES (new.id / 64, max(new.created_at, coalesce((SELECT b.hi
	    FROM request_blocks b WHERE b.block < new.id / 64
	    ORDER BY b.block DESC LIMIT 1), new.created_at)), new.created_at)
	ON CONFLICT (block) DO UPDATE SET hi = max(hi, excluded.hi),
	    lo = min(lo, excluded.lo);
	UPDATE request_blocks SET hi = new.created_at
	WHERE block > new.id / 64 AND hi < new.created_at;
END;

-- One more facet: zgopen for every status but geschlossen, zgclosed for
-- geschlossen. "Offene Anfragen" was an OR of four status tokens, which
-- every hit of the other conditions had to look up four times; now it is
-- one token. (The triggers of 0002 read this view by name.)
DROP VIEW request_search_doc;
CREATE VIEW request_search_doc (id, issue_key, title, description, facets) AS
SELECT r.id, r.issue_key, r.title,
	coalesce((SELECT v.value FROM request_values v WHERE v.request_id = r.id
	    AND v.field_key = 'description' ORDER BY v.position LIMIT 1), ''),
	'zs' || replace(r.status, '_', '') ||
	CASE r.status WHEN 'geschlossen' THEN ' zgclosed' ELSE ' zgopen' END ||
	' zt' || r.type_id ||
	' zr' || r.reporter_id || ' zc' || r.creator_id ||
	coalesce(' zo' || r.shared_org_id, '') ||
	coalesce((SELECT ' ' || group_concat('zp' || p.user_id, ' ')
	    FROM participants p WHERE p.request_id = r.id), '')
FROM requests r;

-- Prefix indexes for 2 to 12 characters (0002 had 2 to 6). A prefix query
-- without its own index merges the hits of every word that starts so
-- before it can hand out the first one: "Storung" (7 characters, in a
-- third of all requests) cost 20 ms whatever the page. With these, every
-- search word of up to 12 characters reads its hits in order and a page
-- stops early; a longer word is searched by its first 12 characters (see
-- sqlite_list.c). The index grows by about a quarter. The table is made
-- anew with the same columns; the triggers of 0002 fill it as before.
DROP TABLE request_search;
CREATE VIRTUAL TABLE request_search USING fts5(
	issue_key, title, description, facets,
	tokenize = 'unicode61 remove_diacritics 2',
	prefix = '2 3 4 5 6 7 8 9 10 11 12',
	columnsize = 0
);
INSERT INTO request_search (rowid, issue_key, title, description, facets)
SELECT id, issue_key, title, description, facets FROM request_search_doc
ORDER BY id;
