-- 0024_ids_own.sql (PostgreSQL): a list of ids bound as one text ("3,1,2",
-- query.h: sq_in_ids) as a set the planner takes for one row.
-- ASCII only in this file: gen_migrations.py emits char arrays.
--
-- `id = ANY(string_to_array($1, ',')::bigint[])` made PostgreSQL plan the
-- request views anew on every run: a generic plan assumes an array of ten
-- ids, so it always cost more than the plan made for the one id a create
-- reads, and PostgreSQL kept planning with the values (0.2 ms for each of
-- the two largest views, about 1 ms of planning per create in all,
-- pg_stat_statements on the bench database). A PL/pgSQL function is not
-- inlined, so the planner takes its ROWS for the set: the generic plan then
-- costs what the custom one does and is kept after the first runs. One row
-- or fifty (a page of a list), the plan is an index probe per id either way.
CREATE FUNCTION zek_ids(ids text) RETURNS SETOF bigint
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE ROWS 1 AS $$
BEGIN
	RETURN QUERY SELECT unnest(string_to_array(ids, ','))::bigint;
END;
$$;
