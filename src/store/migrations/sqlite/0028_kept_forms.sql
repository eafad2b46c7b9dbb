-- 0028_kept_forms.sql: forms kept when the session was gone (issue 19).
-- A "Erstellen" or "Hinzufuegen" sent after the session ended is kept
-- here for an hour, bound to the browser that sent it (a cookie holds the
-- secret, secret_hash its hash) and, when the ended session still named
-- its user, to that user too (user_id; NULL: not known). After signing in
-- the form's page shows it filled in, once (core/keep.c).
-- ASCII only in this file: gen_migrations.py emits char arrays.

-- page: the path of the page the form is on; fields: the text fields as
-- urlencoded text (without the CSRF token); files_dropped: files were
-- sent but not kept (over the bounds); client_ip and bytes: for the caps
-- on what one address and all addresses together may keep.
CREATE TABLE kept_forms (
	id INTEGER PRIMARY KEY,
	secret_hash TEXT NOT NULL UNIQUE,
	user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
	page TEXT NOT NULL,
	fields TEXT NOT NULL,
	files_dropped INTEGER NOT NULL DEFAULT 0 CHECK (files_dropped IN (0, 1)),
	client_ip TEXT NOT NULL,
	bytes INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
);
CREATE INDEX kept_forms_expiry ON kept_forms (expires_at);
CREATE INDEX kept_forms_client ON kept_forms (client_ip);
CREATE INDEX kept_forms_user ON kept_forms (user_id);

-- The files of a kept form, as sent (checked when they become uploads).
CREATE TABLE kept_form_files (
	id INTEGER PRIMARY KEY,
	kept_form_id INTEGER NOT NULL REFERENCES kept_forms (id)
		ON DELETE CASCADE,
	field TEXT NOT NULL,
	filename TEXT NOT NULL,
	data BLOB NOT NULL
);
CREATE INDEX kept_form_files_form ON kept_form_files (kept_form_id);
