-- 0006_search_facets_own.sql (PostgreSQL): who may see a request, as
-- lexemes of its search row, so that a customer's search is answered from
-- the indexes. PostgreSQL's own search machinery, as 0002.
-- ASCII only in this file: gen_migrations.py emits char arrays.

-- A customer searching "Fischereischein" (3 % of 1,000,000 requests)
-- among the 25,000 they may see made PostgreSQL read the words of each of
-- the 25,000 (200-600 ms, bench/README.md). SQLite's FTS5 rows carry
-- facets (zr, zc, zp, zo: reporter, creator, participant, organisation)
-- for this; here they are lexemes of their own column with a GIN index of
-- its own: r<id>, c<id>, p<id> of each participant and o<id> of the
-- organisation the request is shared with. A search ANDs the bitmaps of
-- both indexes and reads only the rows that match both.
ALTER TABLE request_search ADD COLUMN facets tsvector NOT NULL
	DEFAULT ''::tsvector;

CREATE FUNCTION zek_search_facets(rid bigint) RETURNS tsvector
LANGUAGE sql STABLE AS $$
	SELECT array_to_tsvector(array_remove(ARRAY['r' || r.reporter_id,
	    'c' || r.creator_id, 'o' || r.shared_org_id], NULL) ||
	    coalesce((SELECT array_agg('p' || p.user_id) FROM participants p
	    WHERE p.request_id = r.id), '{}'))
	FROM requests r WHERE r.id = rid
$$;

-- The lexemes a viewer may see by: their own r, c and p, and o of their
-- first 200 organisations (as core/perm.c and the list, pg_search.c).
CREATE FUNCTION zek_search_visible(viewer bigint) RETURNS tsquery
LANGUAGE sql STABLE AS $$
	SELECT string_agg(x.lex, ' | ')::tsquery FROM (
	    SELECT unnest(ARRAY['r' || viewer, 'c' || viewer, 'p' || viewer])
	    UNION ALL (SELECT 'o' || o.org_id FROM user_orgs o
	    WHERE o.user_id = viewer ORDER BY o.org_id LIMIT 200)) x (lex)
$$;

-- The search row of one request now holds both (see 0002).
CREATE OR REPLACE FUNCTION zek_search_refresh(rid bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO request_search (id, doc, facets)
	SELECT r.id, zek_search_doc(r.issue_key, r.title,
	    (SELECT v.value FROM request_values v WHERE v.request_id = r.id
	    AND v.field_key = 'description' ORDER BY v.position LIMIT 1)),
	    zek_search_facets(r.id)
	FROM requests r WHERE r.id = rid
	ON CONFLICT (id) DO UPDATE SET doc = excluded.doc,
	    facets = excluded.facets;
END;
$$;

CREATE FUNCTION zek_search_facets_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_TABLE_NAME = 'participants' THEN
		IF TG_OP <> 'INSERT' THEN
			UPDATE request_search SET facets =
			    zek_search_facets(OLD.request_id)
			WHERE id = OLD.request_id;
		END IF;
		IF TG_OP <> 'DELETE' THEN
			UPDATE request_search SET facets =
			    zek_search_facets(NEW.request_id)
			WHERE id = NEW.request_id;
		END IF;
	ELSE
		UPDATE request_search SET facets = zek_search_facets(NEW.id)
		WHERE id = NEW.id;
	END IF;
	RETURN NULL;
END;
$$;

CREATE TRIGGER request_search_facets AFTER UPDATE OF reporter_id,
	creator_id, shared_org_id ON requests FOR EACH ROW
	WHEN (OLD.reporter_id IS DISTINCT FROM NEW.reporter_id OR
	    OLD.creator_id IS DISTINCT FROM NEW.creator_id OR
	    OLD.shared_org_id IS DISTINCT FROM NEW.shared_org_id)
	EXECUTE FUNCTION zek_search_facets_changed();
CREATE TRIGGER participants_search_facets AFTER INSERT OR UPDATE OR DELETE
	ON participants FOR EACH ROW
	EXECUTE FUNCTION zek_search_facets_changed();

-- Requests that exist already: one pass, the index made after it.
UPDATE request_search s SET facets = array_to_tsvector(array_remove(
	ARRAY['r' || r.reporter_id, 'c' || r.creator_id,
	'o' || r.shared_org_id], NULL) || coalesce(p.lex, '{}'))
FROM requests r LEFT JOIN (SELECT request_id, array_agg('p' || user_id) lex
	FROM participants GROUP BY request_id) p ON p.request_id = r.id
WHERE r.id = s.id;
CREATE INDEX request_search_facets ON request_search USING gin (facets);
