-- 0032_calendar.sql: the business calendar of the service levels as
-- admins set it in the browser (issue 18, /servicedesk/admin/calendar):
-- working days and hours, the Bundesland whose public holidays count, the
-- time zone, and extra closed days. core/calendar_load.c reads it.
-- ASCII only in this file: gen_migrations.py emits char arrays.

-- At most one row (id 1), none until an admin saves the form: until then
-- the built-in Mon-Fri 08:00-17:00 in Europe/Berlin with the Bundesland of
-- the configuration file (sla_state) counts; once saved, this row does.
-- weekdays: bit 0 Monday ... bit 6 Sunday. Minutes are local minutes of
-- the day (480 = 08:00; 1440 = 24:00). state: "DE-BY" or "" (federal
-- holidays only).
CREATE TABLE business_calendar (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	weekdays INTEGER NOT NULL CHECK (weekdays BETWEEN 1 AND 127),
	start_minute INTEGER NOT NULL CHECK (start_minute BETWEEN 0 AND 1439),
	end_minute INTEGER NOT NULL CHECK (end_minute BETWEEN 1 AND 1440),
	state TEXT NOT NULL DEFAULT '' CHECK (length(state) <= 5),
	tz TEXT NOT NULL CHECK (length(tz) BETWEEN 1 AND 64),
	CHECK (start_minute < end_minute)
);

-- Extra closed days, whatever the business calendar's row: day is
-- yyyymmdd for one date, or mmdd (no year) for that date in every year.
-- name: at most 100 code points (core checks it; the CHECK bounds the
-- bytes). At most 366 rows (core checks it). UNIQUE, not the rowid:
-- PostgreSQL's primary key is the same unique rule (pg-schema).
CREATE TABLE calendar_closed_days (
	day INTEGER NOT NULL UNIQUE CHECK (day BETWEEN 101 AND 99991231),
	name TEXT NOT NULL DEFAULT '' CHECK (length(CAST(name AS BLOB)) <= 400)
);
