-- 0021_calendar.sql (PostgreSQL): SQLite's 0032_calendar, the same tables
-- (see there for what they are for).
-- ASCII only in this file: gen_migrations.py emits char arrays.

CREATE TABLE business_calendar (
	id bigint PRIMARY KEY CHECK (id = 1),
	weekdays bigint NOT NULL CHECK (weekdays BETWEEN 1 AND 127),
	start_minute bigint NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
	end_minute bigint NOT NULL CHECK (end_minute BETWEEN 1 AND 1440),
	state text COLLATE "C" NOT NULL DEFAULT '' CHECK (length(state) <= 5),
	tz text COLLATE "C" NOT NULL CHECK (length(tz) BETWEEN 1 AND 64),
	CHECK (start_minute < end_minute)
);

CREATE TABLE calendar_closed_days (
	day bigint PRIMARY KEY CHECK (day BETWEEN 101 AND 99991231),
	name text COLLATE "C" NOT NULL DEFAULT ''
	    CHECK (octet_length(name) <= 400)
);
