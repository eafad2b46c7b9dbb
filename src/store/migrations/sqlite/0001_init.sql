-- 0001_init.sql: users, sessions, configuration, catalogue, requests, attachments.
-- Portable SQL: times are INTEGER ms UTC, booleans INTEGER 0/1, folded
-- (lower-case) copies of names for case-insensitive search and uniqueness.

CREATE TABLE organisations (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,
	created_at INTEGER NOT NULL
);

CREATE TABLE users (
	id INTEGER PRIMARY KEY,
	email TEXT NOT NULL,
	email_fold TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	name_fold TEXT NOT NULL,
	password_hash TEXT NOT NULL DEFAULT '',
	role TEXT NOT NULL CHECK (role IN ('customer', 'agent', 'admin')),
	lang TEXT NOT NULL DEFAULT 'de',
	tz TEXT NOT NULL DEFAULT 'Europe/Berlin',
	notify INTEGER NOT NULL DEFAULT 1,
	created_at INTEGER NOT NULL
);
CREATE INDEX users_name ON users (name_fold);

CREATE TABLE user_orgs (
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	org_id INTEGER NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
	PRIMARY KEY (user_id, org_id)
);
CREATE INDEX user_orgs_org ON user_orgs (org_id);

CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	csrf TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	last_seen INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE login_failures (
	throttle_key TEXT PRIMARY KEY,
	count INTEGER NOT NULL,
	window_start INTEGER NOT NULL
);

CREATE TABLE service_desks (
	id INTEGER PRIMARY KEY,
	portal_id INTEGER NOT NULL UNIQUE,
	project_key TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	next_number INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE request_type_groups (
	id INTEGER PRIMARY KEY,
	desk_id INTEGER NOT NULL REFERENCES service_desks (id) ON DELETE CASCADE,
	name_de TEXT NOT NULL,
	name_en TEXT NOT NULL,
	position INTEGER NOT NULL
);
CREATE INDEX request_type_groups_desk ON request_type_groups (desk_id, position);

CREATE TABLE request_types (
	id INTEGER PRIMARY KEY,
	desk_id INTEGER NOT NULL REFERENCES service_desks (id) ON DELETE CASCADE,
	group_id INTEGER NOT NULL REFERENCES request_type_groups (id),
	name_de TEXT NOT NULL,
	name_en TEXT NOT NULL,
	description_de TEXT NOT NULL DEFAULT '',
	description_en TEXT NOT NULL DEFAULT '',
	position INTEGER NOT NULL,
	icon TEXT NOT NULL DEFAULT ''
);
CREATE INDEX request_types_desk ON request_types (desk_id, position);

CREATE TABLE fields (
	id INTEGER PRIMARY KEY,
	type_id INTEGER NOT NULL REFERENCES request_types (id) ON DELETE CASCADE,
	field_key TEXT NOT NULL,
	kind TEXT NOT NULL CHECK (kind IN ('text', 'richtext', 'textarea',
		'select', 'checkbox', 'datetime', 'url', 'object', 'attachment')),
	label_de TEXT NOT NULL,
	label_en TEXT NOT NULL,
	help_de TEXT NOT NULL DEFAULT '',
	help_en TEXT NOT NULL DEFAULT '',
	placeholder_de TEXT NOT NULL DEFAULT '',
	placeholder_en TEXT NOT NULL DEFAULT '',
	required INTEGER NOT NULL DEFAULT 0,
	position INTEGER NOT NULL,
	object_kind TEXT NOT NULL DEFAULT '',
	multiple INTEGER NOT NULL DEFAULT 0,
	checkbox_label_de TEXT NOT NULL DEFAULT '',
	checkbox_label_en TEXT NOT NULL DEFAULT '',
	UNIQUE (type_id, field_key)
);

CREATE TABLE field_options (
	id INTEGER PRIMARY KEY,
	field_id INTEGER NOT NULL REFERENCES fields (id) ON DELETE CASCADE,
	value TEXT NOT NULL,
	label_de TEXT NOT NULL,
	label_en TEXT NOT NULL,
	position INTEGER NOT NULL,
	UNIQUE (field_id, value)
);

CREATE TABLE objects (
	id INTEGER PRIMARY KEY,
	kind TEXT NOT NULL CHECK (kind IN ('mandant', 'online_dienst')),
	name TEXT NOT NULL,
	name_fold TEXT NOT NULL,
	UNIQUE (kind, name)
);
CREATE INDEX objects_kind_name ON objects (kind, name_fold);

CREATE TABLE requests (
	id INTEGER PRIMARY KEY,
	desk_id INTEGER NOT NULL REFERENCES service_desks (id),
	number INTEGER NOT NULL,
	issue_key TEXT NOT NULL UNIQUE,
	type_id INTEGER NOT NULL REFERENCES request_types (id),
	reporter_id INTEGER NOT NULL REFERENCES users (id),
	creator_id INTEGER NOT NULL REFERENCES users (id),
	shared_org_id INTEGER REFERENCES organisations (id),
	status TEXT NOT NULL,
	resolution TEXT NOT NULL DEFAULT '',
	title TEXT NOT NULL,
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL,
	UNIQUE (desk_id, number)
);
CREATE INDEX requests_reporter ON requests (reporter_id, updated_at);
CREATE INDEX requests_status ON requests (status, updated_at);
CREATE INDEX requests_updated ON requests (updated_at);
CREATE INDEX requests_shared_org ON requests (shared_org_id);

CREATE TABLE request_values (
	request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
	field_key TEXT NOT NULL,
	position INTEGER NOT NULL,
	value TEXT NOT NULL,
	PRIMARY KEY (request_id, field_key, position)
);

CREATE TABLE participants (
	request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	PRIMARY KEY (request_id, user_id)
);
CREATE INDEX participants_user ON participants (user_id);

CREATE TABLE participant_settings (
	request_id INTEGER NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	notify_muted INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (request_id, user_id)
);

CREATE TABLE attachments (
	id INTEGER PRIMARY KEY,
	request_id INTEGER REFERENCES requests (id) ON DELETE CASCADE,
	uploader_id INTEGER NOT NULL REFERENCES users (id),
	temp_token TEXT UNIQUE,
	filename TEXT NOT NULL,
	mime TEXT NOT NULL,
	size INTEGER NOT NULL,
	data BLOB NOT NULL,
	created_at INTEGER NOT NULL
);
CREATE INDEX attachments_request ON attachments (request_id);
CREATE INDEX attachments_created ON attachments (created_at);
