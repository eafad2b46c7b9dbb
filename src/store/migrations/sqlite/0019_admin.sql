-- 0019_admin.sql: what admins change in the browser (issue 16): the help
-- center's texts and its announcement, the configuration's version, and
-- the record of every change.
-- ASCII only in this file: gen_migrations.py emits char arrays.

-- At most one row (id 1), none until an admin saves: migrations seed no
-- rows, so that zek copy-db finds a new database empty. An empty title or
-- intro means the built-in text of the language; an empty announcement
-- means none. Times are UTC ms, 0 = open.
CREATE TABLE help_center (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	title_de TEXT NOT NULL DEFAULT '',
	title_en TEXT NOT NULL DEFAULT '',
	intro_de TEXT NOT NULL DEFAULT '',
	intro_en TEXT NOT NULL DEFAULT '',
	announcement_de TEXT NOT NULL DEFAULT '',
	announcement_en TEXT NOT NULL DEFAULT '',
	announcement_from INTEGER NOT NULL DEFAULT 0,
	announcement_until INTEGER NOT NULL DEFAULT 0
);

-- Every change of the configuration adds one: an admin's form carries the
-- version it was read at, so two admins cannot overwrite each other
-- unseen, and an export names the version it holds. No row: version 0.
CREATE TABLE config_state (
	id INTEGER PRIMARY KEY CHECK (id = 1),
	version INTEGER NOT NULL
);

-- One row per changed setting: who, when, before and after.
CREATE TABLE config_changes (
	id INTEGER PRIMARY KEY,
	at INTEGER NOT NULL,
	actor_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
	subject TEXT NOT NULL,
	target TEXT NOT NULL DEFAULT '',
	old_value TEXT NOT NULL DEFAULT '',
	new_value TEXT NOT NULL DEFAULT ''
);

-- An object an admin retired is no longer offered for new requests; the
-- requests that name it keep showing it. UTC ms, 0 = in use.
ALTER TABLE objects ADD COLUMN retired_at INTEGER NOT NULL DEFAULT 0;
