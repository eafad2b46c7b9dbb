-- 0033_reports.sql: what the reports page reads (issue 18,
-- core/report_facts.c), kept as requests change so that no report reads
-- the requests themselves: a page view sums a few rows per day.
-- report_facts: one row per request, what it adds to the counts below
--   (its type, its local days in Europe/Berlin as days since 1970-01-01,
--   -1 = none); recomputed whenever its service levels are, or it is
--   rated, and the counts are changed by the difference.
-- report_days, report_times, report_services: the counts per local day
--   and request type; times: a histogram of working times per measure
--   (1 = first response, 2 = resolution) in buckets of a quarter octave;
--   services: requests per Online-Dienst (objects.id) by created day.
--   shard: 0 on SQLite; PostgreSQL spreads concurrent writers over 16.
-- A request deleted by retention takes its facts row along (ON DELETE
-- CASCADE) but not its counts: the history stays counted.
-- Existing requests are counted by the "sla" job: every request is
-- marked for it.
-- ASCII only in this file: gen_migrations.py emits char arrays.

-- UNIQUE, not the rowid: PostgreSQL's primary key has the same index.
CREATE TABLE report_facts (
	request_id INTEGER NOT NULL UNIQUE REFERENCES requests (id)
		ON DELETE CASCADE,
	type_id INTEGER NOT NULL,
	created_day INTEGER NOT NULL,
	resolved_day INTEGER NOT NULL DEFAULT -1,
	response_day INTEGER NOT NULL DEFAULT -1,
	response_ms INTEGER NOT NULL DEFAULT 0,
	response_goal INTEGER NOT NULL DEFAULT 0,   -- 0 none, 1 met, 2 breached
	resolution_day INTEGER NOT NULL DEFAULT -1,
	resolution_ms INTEGER NOT NULL DEFAULT 0,
	resolution_goal INTEGER NOT NULL DEFAULT 0,
	rating_day INTEGER NOT NULL DEFAULT -1,
	rating INTEGER NOT NULL DEFAULT 0,          -- 0 = not rated
	services TEXT NOT NULL DEFAULT ''           -- "3,17": objects.id
);

CREATE TABLE report_days (
	day INTEGER NOT NULL,
	type_id INTEGER NOT NULL,
	shard INTEGER NOT NULL,
	created INTEGER NOT NULL DEFAULT 0,
	resolved INTEGER NOT NULL DEFAULT 0,
	response_met INTEGER NOT NULL DEFAULT 0,
	response_breached INTEGER NOT NULL DEFAULT 0,
	resolution_met INTEGER NOT NULL DEFAULT 0,
	resolution_breached INTEGER NOT NULL DEFAULT 0,
	rated_1 INTEGER NOT NULL DEFAULT 0,
	rated_2 INTEGER NOT NULL DEFAULT 0,
	rated_3 INTEGER NOT NULL DEFAULT 0,
	rated_4 INTEGER NOT NULL DEFAULT 0,
	rated_5 INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (day, type_id, shard)
);

CREATE TABLE report_times (
	day INTEGER NOT NULL,
	type_id INTEGER NOT NULL,
	measure INTEGER NOT NULL,
	bucket INTEGER NOT NULL,
	shard INTEGER NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (day, type_id, measure, bucket, shard)
);

CREATE TABLE report_services (
	day INTEGER NOT NULL,
	type_id INTEGER NOT NULL,
	object_id INTEGER NOT NULL,
	shard INTEGER NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (day, type_id, object_id, shard)
);

UPDATE requests SET sla_stale = 1;
