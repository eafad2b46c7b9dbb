-- 0010_blocks_rest_lo.sql: the oldest created_at from each block of
-- request_blocks on, so an oldest-first walk (sqlite_walk.c) can stop
-- early without reading every block first.
-- ASCII only in this file: gen_migrations.py emits char arrays.

-- rest_lo = the oldest created_at of every request with an id from
-- block * 64 on (a running minimum from the last block down: it never
-- rises from one block to the next). An oldest-first walk at block b can
-- stop once rest_lo(b) is newer than the page's last row. Before this,
-- the walk read all of request_blocks (15,625 rows for 1,000,000
-- requests) once per walk to compute the same. Like hi and lo it is a
-- bound: a deleted request leaves it as it was, which stays correct. A
-- new request (created now, the highest id) changes nothing but its own
-- block's row; an imported one (older than its id suggests) lowers the
-- rows before it, found by the index below.
ALTER TABLE request_blocks ADD COLUMN rest_lo INTEGER NOT NULL DEFAULT 0;

UPDATE request_blocks SET rest_lo = t.m
FROM (SELECT block, min(lo) OVER (ORDER BY block DESC
	ROWS UNBOUNDED PRECEDING) AS m FROM request_blocks) AS t
WHERE t.block = request_blocks.block;

CREATE INDEX request_blocks_rest_lo ON request_blocks (rest_lo);

DROP TRIGGER request_blocks_ins;
DROP TRIGGER request_blocks_upd;

-- As in 0007, and rest_lo: the new row's own (the minimum with the next
-- block's), then every earlier block's that was newer (the unary + on
-- block keeps SQLite on the rest_lo index, which finds none for a request
-- created now). The unary + on hi is new too: 0007's "WHERE block > ? AND
-- hi < ?" let SQLite pick the index on hi, and for a request created now
-- every block has an older hi, so each create stepped through all of
-- request_blocks (15,600 entries for 1,000,000 requests) to update
-- nothing; by block number it finds the blocks after the new one, usually
-- none.
CREATE TRIGGER request_blocks_ins AFTER INSERT ON requests BEGIN
	INSERT INTO request_blocks (block, hi, lo, rest_lo)
	VALUES (new.id / 64, max(new.created_at, coalesce((SELECT b.hi
	    FROM request_blocks b WHERE b.block < new.id / 64
	    ORDER BY b.block DESC LIMIT 1), new.created_at)), new.created_at,
	    min(new.created_at, coalesce((SELECT b.rest_lo
	    FROM request_blocks b WHERE b.block > new.id / 64
	    ORDER BY b.block LIMIT 1), new.created_at)))
	ON CONFLICT (block) DO UPDATE SET hi = max(hi, excluded.hi),
	    lo = min(lo, excluded.lo), rest_lo = min(rest_lo, excluded.rest_lo);
	UPDATE request_blocks SET hi = new.created_at
	WHERE block > new.id / 64 AND +hi < new.created_at;
	UPDATE request_blocks SET rest_lo = new.created_at
	WHERE rest_lo > new.created_at AND +block < new.id / 64;
END;

CREATE TRIGGER request_blocks_upd AFTER UPDATE OF id, created_at ON requests
BEGIN
	INSERT INTO request_blocks (block, hi, lo, rest_lo)
	VALUES (new.id / 64, max(new.created_at, coalesce((SELECT b.hi
	    FROM request_blocks b WHERE b.block < new.id / 64
	    ORDER BY b.block DESC LIMIT 1), new.created_at)), new.created_at,
	    min(new.created_at, coalesce((SELECT b.rest_lo
	    FROM request_blocks b WHERE b.block > new.id / 64
	    ORDER BY b.block LIMIT 1), new.created_at)))
	ON CONFLICT (block) DO UPDATE SET hi = max(hi, excluded.hi),
	    lo = min(lo, excluded.lo), rest_lo = min(rest_lo, excluded.rest_lo);
	UPDATE request_blocks SET hi = new.created_at
	WHERE block > new.id / 64 AND +hi < new.created_at;
	UPDATE request_blocks SET rest_lo = new.created_at
	WHERE rest_lo > new.created_at AND +block < new.id / 64;
END;
