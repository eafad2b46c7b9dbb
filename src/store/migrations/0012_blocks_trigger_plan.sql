-- 0012_blocks_trigger_plan.sql: the request_blocks triggers look at the
-- blocks after the new request's by block number, not by hi.
-- ASCII only in this file: gen_migrations.py emits char arrays.

-- "UPDATE request_blocks SET hi = ... WHERE block > new.id / 64 AND
-- hi < new.created_at" (0007, 0010) let SQLite pick the index on hi, and
-- for a request created now every block has an older hi: each create
-- read all of request_blocks (15,600 index entries for 1,000,000
-- requests) to find nothing. With the unary + on hi it steps through the
-- blocks after the new one by their primary key, usually none. The rest
-- is as in 0010.
DROP TRIGGER request_blocks_ins;
DROP TRIGGER request_blocks_upd;

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
