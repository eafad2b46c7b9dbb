-- 0030_search_open_facet_own.sql (PostgreSQL): "open" among the facets of
-- a request's search row, so that GIN answers "what a customer may see,
-- and open" at once.
-- ASCII only in this file: gen_migrations.py emits char arrays.
--
-- A customer's list of open requests with a common word ("antr" for the
-- bench customer) counted its hits by testing the words of all 19,446
-- requests the customer may see (the bitmap of their facets) and joining
-- the 10,735 hits with the 90,674 open requests: 93-100 ms. With the
-- facet `so` on every request that is not closed, the facets' bitmap is
-- the 1,900 open ones the customer may see: 12 ms (EXPLAIN ANALYZE on the
-- bench database). Closed requests get no facet of their own: ANDing the
-- 905,000 of them made that list slower (12.6 -> 15.7 ms).

CREATE OR REPLACE FUNCTION zek_search_facets(rid bigint) RETURNS tsvector
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (SELECT array_to_tsvector(array_remove(ARRAY['r' ||
	    r.reporter_id, 'c' || r.creator_id, 'o' || r.shared_org_id,
	    CASE WHEN r.status <> 'geschlossen' THEN 'so' END], NULL) ||
	    coalesce((SELECT array_agg('p' || p.user_id) FROM participants p
	    WHERE p.request_id = r.id), '{}'))
	FROM requests r WHERE r.id = rid);
END;
$$;

-- The search row follows a request that is closed or opened again.
DROP TRIGGER request_search_upd ON requests;
CREATE CONSTRAINT TRIGGER request_search_upd AFTER UPDATE OF issue_key,
	title, reporter_id, creator_id, shared_org_id, status ON requests
	DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
	WHEN (OLD.issue_key IS DISTINCT FROM NEW.issue_key OR
	    OLD.title IS DISTINCT FROM NEW.title OR
	    OLD.reporter_id IS DISTINCT FROM NEW.reporter_id OR
	    OLD.creator_id IS DISTINCT FROM NEW.creator_id OR
	    OLD.shared_org_id IS DISTINCT FROM NEW.shared_org_id OR
	    (OLD.status = 'geschlossen') IS DISTINCT FROM
	    (NEW.status = 'geschlossen'))
	EXECUTE FUNCTION zek_search_request_changed();

-- The facet a list of statuses may ask for: `so` when none of them is
-- closed, else NULL (no facet: all statuses are found by the words and
-- visibility, the status by the list's own condition). NULLs in `codes`
-- are unused slots; all NULL is no status at all.
CREATE FUNCTION zek_search_status_facet(codes text[]) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN bool_or(c IS NOT NULL) AND
	    NOT coalesce(bool_or(c = 'geschlossen'), false)
	    THEN 'so'::tsquery END
	FROM unnest(codes) c
$$;

UPDATE request_search s SET facets = s.facets || 'so'::tsvector
FROM requests r WHERE r.id = s.id AND r.status <> 'geschlossen';
