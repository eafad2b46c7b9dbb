-- 0028_report_blocks.sql (PostgreSQL): as SQLite's 0036, the times and
-- services of the reports summed per block of 32 days beside the days.
-- ASCII only in this file: gen_migrations.py emits char arrays.

CREATE TABLE report_time_blocks (
	block bigint NOT NULL,
	type_id bigint NOT NULL,
	measure bigint NOT NULL,
	bucket bigint NOT NULL,
	shard bigint NOT NULL,
	n bigint NOT NULL,
	PRIMARY KEY (block, type_id, measure, bucket, shard)
);

CREATE TABLE report_service_blocks (
	block bigint NOT NULL,
	type_id bigint NOT NULL,
	object_id bigint NOT NULL,
	shard bigint NOT NULL,
	n bigint NOT NULL,
	PRIMARY KEY (block, type_id, object_id, shard)
);

INSERT INTO report_time_blocks (block, type_id, measure, bucket, shard, n)
	SELECT day / 32, type_id, measure, bucket, shard, sum(n)
	FROM report_times GROUP BY day / 32, type_id, measure, bucket, shard;
INSERT INTO report_service_blocks (block, type_id, object_id, shard, n)
	SELECT day / 32, type_id, object_id, shard, sum(n)
	FROM report_services GROUP BY day / 32, type_id, object_id, shard;
