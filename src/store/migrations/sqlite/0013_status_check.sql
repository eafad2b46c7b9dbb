-- 0013_status_check.sql: the database refuses a status or resolution
-- zek does not know, as a CHECK constraint would.
-- ASCII only in this file: gen_migrations.py emits char arrays.

-- SQLite cannot add a CHECK to an existing table, and rebuilding requests
-- (1,000,000 rows, its indexes and the search triggers) would hold the
-- write lock for minutes: triggers that RAISE do the same job on every
-- insert and update. Rows written before this migration are not looked
-- at here; the one decoder in core (status_decode) reads an unknown code
-- as closed, and the write paths refuse to touch such a request.
-- The codes are those of src/core/status.c.

CREATE TRIGGER requests_status_insert BEFORE INSERT ON requests
WHEN NEW.status NOT IN ('offen', 'wartet_support', 'in_bearbeitung',
	'wartet_kunde', 'geschlossen')
	OR NEW.resolution NOT IN ('', 'geloest', 'zurueckgezogen', 'duplikat',
	'abgelehnt')
BEGIN
	SELECT RAISE(ABORT, 'requests: unknown status or resolution');
END;

CREATE TRIGGER requests_status_update BEFORE UPDATE OF status, resolution
ON requests
WHEN NEW.status NOT IN ('offen', 'wartet_support', 'in_bearbeitung',
	'wartet_kunde', 'geschlossen')
	OR NEW.resolution NOT IN ('', 'geloest', 'zurueckgezogen', 'duplikat',
	'abgelehnt')
BEGIN
	SELECT RAISE(ABORT, 'requests: unknown status or resolution');
END;

-- A status change in the history: '' where the entry is no such change.
CREATE TRIGGER activity_status_insert BEFORE INSERT ON activity
WHEN NEW.old_status NOT IN ('', 'offen', 'wartet_support', 'in_bearbeitung',
	'wartet_kunde', 'geschlossen')
	OR NEW.new_status NOT IN ('', 'offen', 'wartet_support',
	'in_bearbeitung', 'wartet_kunde', 'geschlossen')
	OR NEW.resolution NOT IN ('', 'geloest', 'zurueckgezogen', 'duplikat',
	'abgelehnt')
BEGIN
	SELECT RAISE(ABORT, 'activity: unknown status or resolution');
END;
