-- 0008_admin.sql (PostgreSQL): SQLite's 0019_admin, the same tables (see
-- there for what they are for).
-- ASCII only in this file: gen_migrations.py emits char arrays.

CREATE TABLE help_center (
	id bigint PRIMARY KEY CHECK (id = 1),
	title_de text COLLATE "C" NOT NULL DEFAULT '',
	title_en text COLLATE "C" NOT NULL DEFAULT '',
	intro_de text COLLATE "C" NOT NULL DEFAULT '',
	intro_en text COLLATE "C" NOT NULL DEFAULT '',
	announcement_de text COLLATE "C" NOT NULL DEFAULT '',
	announcement_en text COLLATE "C" NOT NULL DEFAULT '',
	announcement_from bigint NOT NULL DEFAULT 0,
	announcement_until bigint NOT NULL DEFAULT 0
);

CREATE TABLE config_state (
	id bigint PRIMARY KEY CHECK (id = 1),
	version bigint NOT NULL
);

CREATE SEQUENCE config_changes_id_seq;
CREATE TABLE config_changes (
	id bigint PRIMARY KEY,
	at bigint NOT NULL,
	actor_id bigint REFERENCES users (id) ON DELETE SET NULL,
	subject text COLLATE "C" NOT NULL,
	target text COLLATE "C" NOT NULL DEFAULT '',
	old_value text COLLATE "C" NOT NULL DEFAULT '',
	new_value text COLLATE "C" NOT NULL DEFAULT ''
);
ALTER SEQUENCE config_changes_id_seq OWNED BY config_changes.id;
CREATE TRIGGER config_changes_assign_id BEFORE INSERT ON config_changes
	FOR EACH ROW EXECUTE FUNCTION zek_assign_id('config_changes_id_seq');

ALTER TABLE objects ADD COLUMN retired_at bigint NOT NULL DEFAULT 0;
