-- 0008_perf.sql: indexes for reads that every create and page makes
-- (docs/internals/performance.md).
-- ASCII only in this file: gen_migrations.py emits char arrays.

-- The agents and admins a new request is mailed to: found by role instead
-- of a scan of every customer (1,500 in the benchmark, twice per create).
CREATE INDEX users_role ON users (role, name_fold, id);

-- A request type's fields in form order, without sorting them each time.
CREATE INDEX fields_type_position ON fields (type_id, position, id);
