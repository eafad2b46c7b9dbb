-- 0036_report_blocks.sql: the times and services of the reports, summed per
-- block of 32 days beside the days. A report over two years summed some
-- 70,000 rows of report_times and as many of report_services (1,000,000
-- requests); with the blocks it sums the blocks the period covers whole
-- and the days of its two cut ends (store/reports.c). Kept with the days
-- by store_report_time_add and store_report_service_add.
-- ASCII only in this file: gen_migrations.py emits char arrays.

CREATE TABLE report_time_blocks (
	block INTEGER NOT NULL,          -- day / 32
	type_id INTEGER NOT NULL,
	measure INTEGER NOT NULL,
	bucket INTEGER NOT NULL,
	shard INTEGER NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (block, type_id, measure, bucket, shard)
);

CREATE TABLE report_service_blocks (
	block INTEGER NOT NULL,
	type_id INTEGER NOT NULL,
	object_id INTEGER NOT NULL,
	shard INTEGER NOT NULL,
	n INTEGER NOT NULL,
	PRIMARY KEY (block, type_id, object_id, shard)
);

INSERT INTO report_time_blocks (block, type_id, measure, bucket, shard, n)
	SELECT day / 32, type_id, measure, bucket, shard, sum(n)
	FROM report_times GROUP BY day / 32, type_id, measure, bucket, shard;
INSERT INTO report_service_blocks (block, type_id, object_id, shard, n)
	SELECT day / 32, type_id, object_id, shard, sum(n)
	FROM report_services GROUP BY day / 32, type_id, object_id, shard;
