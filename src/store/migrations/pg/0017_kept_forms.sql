-- 0017_kept_forms.sql (PostgreSQL): SQLite's 0028_kept_forms (see there):
-- forms kept when the session was gone, and their files.
-- ASCII only in this file: gen_migrations.py emits char arrays.

CREATE SEQUENCE kept_forms_id_seq;
CREATE TABLE kept_forms (
	id bigint PRIMARY KEY,
	secret_hash text COLLATE "C" NOT NULL UNIQUE,
	user_id bigint REFERENCES users (id) ON DELETE CASCADE,
	page text COLLATE "C" NOT NULL,
	fields text COLLATE "C" NOT NULL,
	files_dropped bigint NOT NULL DEFAULT 0 CHECK (files_dropped IN (0, 1)),
	client_ip text COLLATE "C" NOT NULL,
	bytes bigint NOT NULL,
	created_at bigint NOT NULL,
	expires_at bigint NOT NULL
);
ALTER SEQUENCE kept_forms_id_seq OWNED BY kept_forms.id;
CREATE TRIGGER kept_forms_assign_id BEFORE INSERT ON kept_forms
	FOR EACH ROW EXECUTE FUNCTION zek_assign_id('kept_forms_id_seq');
CREATE INDEX kept_forms_expiry ON kept_forms (expires_at);
CREATE INDEX kept_forms_client ON kept_forms (client_ip);
CREATE INDEX kept_forms_user ON kept_forms (user_id);

CREATE SEQUENCE kept_form_files_id_seq;
CREATE TABLE kept_form_files (
	id bigint PRIMARY KEY,
	kept_form_id bigint NOT NULL REFERENCES kept_forms (id)
		ON DELETE CASCADE,
	field text COLLATE "C" NOT NULL,
	filename text COLLATE "C" NOT NULL,
	data bytea NOT NULL
);
ALTER SEQUENCE kept_form_files_id_seq OWNED BY kept_form_files.id;
CREATE TRIGGER kept_form_files_assign_id BEFORE INSERT ON kept_form_files
	FOR EACH ROW EXECUTE FUNCTION zek_assign_id('kept_form_files_id_seq');
CREATE INDEX kept_form_files_form ON kept_form_files (kept_form_id);
