-- 0022_reports.sql (PostgreSQL): SQLite's 0033_reports (see there): the
-- facts of each request and the counts per day the reports page reads.
-- ASCII only in this file: gen_migrations.py emits char arrays.

CREATE TABLE report_facts (
	request_id bigint PRIMARY KEY REFERENCES requests (id)
		ON DELETE CASCADE,
	type_id bigint NOT NULL,
	created_day bigint NOT NULL,
	resolved_day bigint NOT NULL DEFAULT -1,
	response_day bigint NOT NULL DEFAULT -1,
	response_ms bigint NOT NULL DEFAULT 0,
	response_goal bigint NOT NULL DEFAULT 0,
	resolution_day bigint NOT NULL DEFAULT -1,
	resolution_ms bigint NOT NULL DEFAULT 0,
	resolution_goal bigint NOT NULL DEFAULT 0,
	rating_day bigint NOT NULL DEFAULT -1,
	rating bigint NOT NULL DEFAULT 0,
	services text COLLATE "C" NOT NULL DEFAULT ''
);

CREATE TABLE report_days (
	day bigint NOT NULL,
	type_id bigint NOT NULL,
	shard bigint NOT NULL,
	created bigint NOT NULL DEFAULT 0,
	resolved bigint NOT NULL DEFAULT 0,
	response_met bigint NOT NULL DEFAULT 0,
	response_breached bigint NOT NULL DEFAULT 0,
	resolution_met bigint NOT NULL DEFAULT 0,
	resolution_breached bigint NOT NULL DEFAULT 0,
	rated_1 bigint NOT NULL DEFAULT 0,
	rated_2 bigint NOT NULL DEFAULT 0,
	rated_3 bigint NOT NULL DEFAULT 0,
	rated_4 bigint NOT NULL DEFAULT 0,
	rated_5 bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (day, type_id, shard)
);

CREATE TABLE report_times (
	day bigint NOT NULL,
	type_id bigint NOT NULL,
	measure bigint NOT NULL,
	bucket bigint NOT NULL,
	shard bigint NOT NULL,
	n bigint NOT NULL,
	PRIMARY KEY (day, type_id, measure, bucket, shard)
);

CREATE TABLE report_services (
	day bigint NOT NULL,
	type_id bigint NOT NULL,
	object_id bigint NOT NULL,
	shard bigint NOT NULL,
	n bigint NOT NULL,
	PRIMARY KEY (day, type_id, object_id, shard)
);

UPDATE requests SET sla_stale = 1;
