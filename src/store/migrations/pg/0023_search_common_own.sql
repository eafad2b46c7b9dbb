-- 0023_search_common_own.sql (PostgreSQL): how many requests the user's words
-- are likely to match, so that pg_search.c can choose how to find them.
-- ASCII only in this file: gen_migrations.py emits char arrays.
--
-- A word that starts very many requests' words ("antr" of Antrag,
-- Antraege, ...: 60 % of them) made PostgreSQL build a GIN bitmap of
-- 600,000 requests and AND it with the 17,000 a customer may see (200 ms),
-- where testing the words of the visible ones one by one stops at the
-- 1,001st hit after about 1,700 rows (30 ms). For a rare word it is the
-- other way round. PostgreSQL estimates both at about the same cost, so
-- zek tells the statement which to use (bench/README.md, PostgreSQL).
--
-- The estimate is the one the planner makes from the same statistics:
-- ANALYZE keeps the most common words of request_search.doc with the
-- share of rows that hold each (pg_stats.most_common_elems and _freqs,
-- followed by the lowest and the highest share). A word of the query is
-- - a prefix (t:*): the share of rows holding any of the common words it
--   starts, taken as independent (1 - product of (1 - share));
-- - a whole word: its share;
-- and a word that is not among the common ones gets what the planner
-- gives it: half the lowest share, at most 0.5 %. The words of a query
-- (zek_search_query ANDs them, and the parts of a phrase) are taken as
-- independent: the product. It errs on the side of rare, and so of
-- the index: a query taken for common that is not reads every request
-- its viewer may see (an agent: all of them), one taken for rare that is
-- not costs what it cost before.
-- No statistics yet (a new database, before autovacuum's first ANALYZE):
-- 0, and the statements stay as they were.
CREATE FUNCTION zek_search_share(q tsquery) RETURNS double precision
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE AS $$
DECLARE
	elems text[];
	freqs real[];
	n integer;
	floor_share double precision;
BEGIN
	SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs
	INTO elems, freqs FROM pg_stats s
	WHERE s.schemaname = (SELECT c.relnamespace::regnamespace::text
	    FROM pg_class c WHERE c.oid = 'request_search'::regclass)
	    AND s.tablename = 'request_search' AND s.attname = 'doc';
	n := cardinality(elems);
	IF n IS NULL OR n = 0 THEN
		RETURN 0;
	END IF;
	floor_share := least(0.005, freqs[n + 1] / 2);
	-- e.freq * 0.999999: a word in every row must not make ln(0).
	RETURN (SELECT exp(sum(ln(w.share))) FROM (
	    SELECT greatest(coalesce(1 - exp(sum(ln(1 - e.freq * 0.999999))),
	        floor_share), 1e-12) AS share
	    FROM regexp_matches(q::text, '''([^'']+)''(:\*)?', 'g')
	        WITH ORDINALITY m(t, k)
	    LEFT JOIN unnest(elems, freqs[1:n]) e(elem, freq)
	        ON e.elem = m.t[1] OR (m.t[2] IS NOT NULL AND
	        starts_with(e.elem, m.t[1]))
	    GROUP BY m.k) w);
END;
$$;
