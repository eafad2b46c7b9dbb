-- 0004_org_fold.sql (PostgreSQL): SQLite's 0018_org_fold, the same
-- column (see there for what it is for).
-- ASCII only in this file: gen_migrations.py emits char arrays.

ALTER TABLE organisations ADD COLUMN name_fold text COLLATE "C" NOT NULL
	DEFAULT '';
