-- 0005_list_own.sql (PostgreSQL): list machinery of its own, as 0002's
-- search (tests/pg/schema_check.sh leaves both out of its comparison with
-- SQLite, whose own list machinery is request_counts and request_blocks):
-- counts of requests kept by triggers, spread over shards so that
-- concurrent writers do not queue on one row, and the indexes a
-- customer's list and the auto-close job walk.
-- ASCII only in this file: gen_migrations.py emits char arrays.

-- An agent's list ("von 1.000.000") and the queues' counts were count(*)
-- over the matching requests: 100-300 ms on 1,000,000 requests
-- (bench/README.md). SQLite keeps request_counts; a single counter row
-- per key would make every create of every process wait for the one
-- before it to commit. Here each connection adds to the shard of its
-- backend (pg_backend_pid() % 16): a count is the sum over the shards.
CREATE TABLE request_tallies (
	status text COLLATE "C" NOT NULL,
	type_id bigint NOT NULL,
	shard bigint NOT NULL,
	n bigint NOT NULL,
	PRIMARY KEY (status, type_id, shard)
);

-- The same by assignee, 0 for nobody (as SQLite's request_assignee_counts).
CREATE TABLE request_assignee_tallies (
	assignee_id bigint NOT NULL,
	status text COLLATE "C" NOT NULL,
	shard bigint NOT NULL,
	n bigint NOT NULL,
	PRIMARY KEY (assignee_id, status, shard)
);

CREATE FUNCTION zek_tally_add(st text, typ bigint, who bigint, d bigint)
RETURNS void LANGUAGE sql AS $$
	INSERT INTO request_tallies AS t (status, type_id, shard, n)
	VALUES (st, typ, pg_backend_pid() % 16, d)
	ON CONFLICT (status, type_id, shard) DO UPDATE SET n = t.n + d;
	INSERT INTO request_assignee_tallies AS t (assignee_id, status, shard, n)
	VALUES (coalesce(who, 0), st, pg_backend_pid() % 16, d)
	ON CONFLICT (assignee_id, status, shard) DO UPDATE SET n = t.n + d;
$$;

CREATE FUNCTION zek_tally_request() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP <> 'INSERT' THEN
		PERFORM zek_tally_add(OLD.status, OLD.type_id, OLD.assignee_id, -1);
	END IF;
	IF TG_OP <> 'DELETE' THEN
		PERFORM zek_tally_add(NEW.status, NEW.type_id, NEW.assignee_id, 1);
	END IF;
	RETURN NULL;
END
$$;

CREATE TRIGGER requests_tally_insert AFTER INSERT OR DELETE ON requests
	FOR EACH ROW EXECUTE FUNCTION zek_tally_request();
CREATE TRIGGER requests_tally_update AFTER UPDATE OF status, type_id,
	assignee_id ON requests FOR EACH ROW
	WHEN (OLD.status IS DISTINCT FROM NEW.status
		OR OLD.type_id IS DISTINCT FROM NEW.type_id
		OR OLD.assignee_id IS DISTINCT FROM NEW.assignee_id)
	EXECUTE FUNCTION zek_tally_request();

INSERT INTO request_tallies (status, type_id, shard, n)
	SELECT status, type_id, 0, count(*) FROM requests GROUP BY 1, 2;
INSERT INTO request_assignee_tallies (assignee_id, status, shard, n)
	SELECT coalesce(assignee_id, 0), status, 0, count(*) FROM requests
	GROUP BY 1, 2;

-- "Beliebiger Ersteller": the newest of what a customer reported, raised
-- or sees through an organisation, each walked from its cursor
-- (pg_search.c); these replace the indexes on the person or
-- organisation alone. Status and type ride along, so that the filters
-- ("Offene Anfragen", a type) are read from the index alone.
CREATE INDEX requests_reporter_created ON requests (reporter_id,
	created_at, id) INCLUDE (status, type_id);
DROP INDEX requests_creator;
CREATE INDEX requests_creator ON requests (creator_id, created_at, id)
	INCLUDE (status, type_id);
DROP INDEX requests_shared_org;
CREATE INDEX requests_shared_org ON requests (shared_org_id, created_at,
	id) INCLUDE (status, type_id);

-- The auto-close job looks for requests in one status with one
-- resolution: PostgreSQL walked the whole primary key to find none.
CREATE INDEX requests_status_resolution ON requests (status, resolution,
	id);
