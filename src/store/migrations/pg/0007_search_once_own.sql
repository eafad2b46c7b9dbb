-- 0007_search_once_own.sql (PostgreSQL): the search row of a request
-- written once per transaction, and the trigger functions in PL/pgSQL.
-- PostgreSQL's own search and list machinery, as 0002, 0005 and 0006.
-- ASCII only in this file: gen_migrations.py emits char arrays.

-- A create wrote the search row of its request twice (the request, then
-- its description) and more for participants, each time with new GIN
-- entries for every word, and computed the words twice: 4.5 ms of the
-- create's database time (pg_stat_user_functions on the bench database).
-- The triggers now run at commit (DEFERRABLE INITIALLY DEFERRED), when the
-- request, its values and its participants are all written, and the
-- first of them for a request does the work; the transaction remembers
-- which requests it has done in a setting that ends with it.
CREATE FUNCTION zek_search_once(rid bigint) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	done text := coalesce(current_setting('zek.search_done', true), '');
	mark text := ',' || rid || ',';
BEGIN
	IF strpos(done, mark) > 0 THEN
		RETURN;
	END IF;
	-- A transaction that touches very many requests refreshes some twice
	-- rather than search an ever longer text.
	IF length(done) < 65536 THEN
		PERFORM set_config('zek.search_done',
		    CASE WHEN done = '' THEN mark ELSE done || rid || ',' END, true);
	END IF;
	PERFORM zek_search_refresh(rid);
END;
$$;

CREATE OR REPLACE FUNCTION zek_search_request_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM zek_search_once(NEW.id);
	RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION zek_search_value_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP <> 'INSERT' AND OLD.field_key = 'description' THEN
		PERFORM zek_search_once(OLD.request_id);
	END IF;
	IF TG_OP <> 'DELETE' AND NEW.field_key = 'description' THEN
		PERFORM zek_search_once(NEW.request_id);
	END IF;
	RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION zek_search_facets_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_TABLE_NAME = 'participants' THEN
		IF TG_OP <> 'INSERT' THEN
			PERFORM zek_search_once(OLD.request_id);
		END IF;
		IF TG_OP <> 'DELETE' THEN
			PERFORM zek_search_once(NEW.request_id);
		END IF;
	ELSE
		PERFORM zek_search_once(NEW.id);
	END IF;
	RETURN NULL;
END;
$$;

-- PL/pgSQL keeps the plans of its statements for the session; a SQL
-- function called from a trigger was planned again on every call.
CREATE OR REPLACE FUNCTION zek_search_facets(rid bigint) RETURNS tsvector
LANGUAGE plpgsql STABLE AS $$
BEGIN
	RETURN (SELECT array_to_tsvector(array_remove(ARRAY['r' ||
	    r.reporter_id, 'c' || r.creator_id, 'o' || r.shared_org_id], NULL) ||
	    coalesce((SELECT array_agg('p' || p.user_id) FROM participants p
	    WHERE p.request_id = r.id), '{}'))
	FROM requests r WHERE r.id = rid);
END;
$$;

CREATE OR REPLACE FUNCTION zek_tally_add(st text, typ bigint, who bigint,
    d bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO request_tallies AS t (status, type_id, shard, n)
	VALUES (st, typ, pg_backend_pid() % 16, d)
	ON CONFLICT (status, type_id, shard) DO UPDATE SET n = t.n + d;
	INSERT INTO request_assignee_tallies AS t (assignee_id, status, shard, n)
	VALUES (coalesce(who, 0), st, pg_backend_pid() % 16, d)
	ON CONFLICT (assignee_id, status, shard) DO UPDATE SET n = t.n + d;
END;
$$;

DROP TRIGGER request_search_ins ON requests;
DROP TRIGGER request_search_upd ON requests;
DROP TRIGGER request_search_value ON request_values;
DROP TRIGGER request_search_facets ON requests;
DROP TRIGGER participants_search_facets ON participants;

CREATE CONSTRAINT TRIGGER request_search_ins AFTER INSERT ON requests
	DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
	EXECUTE FUNCTION zek_search_request_changed();
CREATE CONSTRAINT TRIGGER request_search_upd AFTER UPDATE OF issue_key,
	title, reporter_id, creator_id, shared_org_id ON requests
	DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
	WHEN (OLD.issue_key IS DISTINCT FROM NEW.issue_key OR
	    OLD.title IS DISTINCT FROM NEW.title OR
	    OLD.reporter_id IS DISTINCT FROM NEW.reporter_id OR
	    OLD.creator_id IS DISTINCT FROM NEW.creator_id OR
	    OLD.shared_org_id IS DISTINCT FROM NEW.shared_org_id)
	EXECUTE FUNCTION zek_search_request_changed();
CREATE CONSTRAINT TRIGGER request_search_value AFTER INSERT OR UPDATE OR
	DELETE ON request_values DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
	EXECUTE FUNCTION zek_search_value_changed();
CREATE CONSTRAINT TRIGGER participants_search_facets AFTER INSERT OR
	UPDATE OR DELETE ON participants DEFERRABLE INITIALLY DEFERRED
	FOR EACH ROW EXECUTE FUNCTION zek_search_facets_changed();
