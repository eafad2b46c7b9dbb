-- 0009_admin_types.sql (PostgreSQL): SQLite's 0020_admin_types (see there).
-- ASCII only in this file: gen_migrations.py emits char arrays.

ALTER TABLE request_types ADD COLUMN hidden bigint NOT NULL DEFAULT 0;
ALTER TABLE fields ADD COLUMN hidden bigint NOT NULL DEFAULT 0;
ALTER TABLE field_options ADD COLUMN retired bigint NOT NULL DEFAULT 0;
