-- 0022_sla_goals.sql: service-level goals per request type (issue 18), in
-- minutes of working time; 0 = no goal. Measured from each request's
-- activity log (core/sla.c), so they hold for old requests too.
-- ASCII only in this file: gen_migrations.py emits char arrays.

ALTER TABLE request_types ADD COLUMN sla_response_minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE request_types ADD COLUMN sla_resolution_minutes INTEGER NOT NULL DEFAULT 0;
