-- 0011_sla_goals.sql (PostgreSQL): SQLite's 0022_sla_goals (see there).
-- ASCII only in this file: gen_migrations.py emits char arrays.

ALTER TABLE request_types ADD COLUMN sla_response_minutes bigint NOT NULL DEFAULT 0;
ALTER TABLE request_types ADD COLUMN sla_resolution_minutes bigint NOT NULL DEFAULT 0;
