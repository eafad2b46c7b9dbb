-- 0001_init.sql (PostgreSQL): the schema that SQLite has after its
-- migrations 0001 to 0015, for a new PostgreSQL 15 database.
-- ASCII only in this file: gen_migrations.py emits char arrays.
--
-- Corresponds to the SQLite migrations:
--   0001_init            all tables and indexes
--   0002_search          only its plain indexes (requests_created,
--                        requests_reporter_status, participants_user)
--   0003_activity        comments, activity, attachments.comment_id
--   0004_outbox          outbox
--   0005_tokens          api_tokens
--   0006_agent           requests.assignee_id, the queue indexes, the
--                        'assigned' kind of activity
--   0008_perf            users_role, fields_type_position
--   0013_status_check    as CHECK constraints
--   0014_customer_updated  requests.customer_updated_at
--   0015_pending_uploads attachments_pending
-- Left out, being SQLite's own search and list machinery: the FTS5 index,
-- its view and triggers (0002, 0009, 0012), the count tables kept by
-- triggers (request_counts of 0002, request_assignee_counts of 0011: with
-- several writers at once every create would queue on the same counter
-- rows) and the list walk tables (0007, 0010). PostgreSQL's own search
-- comes with a later migration of this list.
--
-- Same table and column names, column order and meaning as in SQLite, so
-- the same statements run on both. Every SQLite INTEGER is bigint here,
-- booleans (0/1) too: one integer type for the C code to bind and read.
-- Every text column is COLLATE "C": ordering and comparison are bytewise,
-- as SQLite's BINARY, whatever locale the database was created with.
-- schema_migrations is made by the C code before any migration runs.

-- SQLite's INTEGER PRIMARY KEY hands out an id when the insert gives NULL
-- and takes an explicit one as it is; the store does both (the demo's
-- desks, groups and types keep the ids of its JSON). A column default
-- cannot do that here, as an explicit NULL replaces the default, so each
-- table's id comes from its sequence through this trigger (argument: the
-- sequence's name). After an explicit id the sequence is moved to at
-- least that id, so later automatic ids never collide with it. setval is
-- not transactional, and two explicit inserts could move it backwards one
-- after the other: the advisory lock (first key 2053466881 = 0x7a656b01,
-- "zek" and 1; second the sequence's oid) makes them take turns until
-- their transactions end. Explicit ids are rare, so only they pay for the
-- lock, and for the nextval that tells where the sequence stands (a gap).
-- Automatic inserts at the same moment can still reach the explicit id
-- before the setval; the primary key then refuses the insert that
-- collides, it never overwrites a row.
CREATE FUNCTION zek_assign_id() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
	seq regclass := format('%I.%I', TG_TABLE_SCHEMA, TG_ARGV[0])::regclass;
BEGIN
	IF NEW.id IS NULL THEN
		NEW.id := nextval(seq);
	ELSE
		PERFORM pg_advisory_xact_lock(2053466881, seq::oid::int);
		IF nextval(seq) < NEW.id THEN
			PERFORM setval(seq, NEW.id);
		END IF;
	END IF;
	RETURN NEW;
END;
$$;

-- SQLite's RAISE(ABORT) in a trigger is a constraint error there, which
-- the store reports as ZEK_CONFLICT; class 23 lets the PostgreSQL store
-- map it the same way. Argument: the message.
CREATE FUNCTION zek_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	RAISE EXCEPTION '%', TG_ARGV[0]
		USING ERRCODE = 'integrity_constraint_violation';
END;
$$;

CREATE SEQUENCE organisations_id_seq;
CREATE TABLE organisations (
	id bigint PRIMARY KEY,
	name text COLLATE "C" NOT NULL UNIQUE,
	created_at bigint NOT NULL
);
ALTER SEQUENCE organisations_id_seq OWNED BY organisations.id;
CREATE TRIGGER organisations_assign_id BEFORE INSERT ON organisations
	FOR EACH ROW EXECUTE FUNCTION zek_assign_id('organisations_id_seq');

-- Folded (lower-case) copies of names for case-insensitive search and
-- uniqueness, filled in C with ICU full case folding.
CREATE SEQUENCE users_id_seq;
CREATE TABLE users (
	id bigint PRIMARY KEY,
	email text COLLATE "C" NOT NULL,
	email_fold text COLLATE "C" NOT NULL UNIQUE,
	name text COLLATE "C" NOT NULL,
	name_fold text COLLATE "C" NOT NULL,
	password_hash text COLLATE "C" NOT NULL DEFAULT '',
	role text COLLATE "C" NOT NULL
		CHECK (role IN ('customer', 'agent', 'admin')),
	lang text COLLATE "C" NOT NULL DEFAULT 'de',
	tz text COLLATE "C" NOT NULL DEFAULT 'Europe/Berlin',
	notify bigint NOT NULL DEFAULT 1,
	created_at bigint NOT NULL
);
ALTER SEQUENCE users_id_seq OWNED BY users.id;
CREATE TRIGGER users_assign_id BEFORE INSERT ON users
	FOR EACH ROW EXECUTE FUNCTION zek_assign_id('users_id_seq');
CREATE INDEX users_name ON users (name_fold);
-- The agents and admins a new request is mailed to, found by role.
CREATE INDEX users_role ON users (role, name_fold, id);

CREATE TABLE user_orgs (
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	org_id bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
	PRIMARY KEY (user_id, org_id)
);
CREATE INDEX user_orgs_org ON user_orgs (org_id);

CREATE TABLE sessions (
	token_hash text COLLATE "C" PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	csrf text COLLATE "C" NOT NULL,
	created_at bigint NOT NULL,
	last_seen bigint NOT NULL,
	expires_at bigint NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE login_failures (
	throttle_key text COLLATE "C" PRIMARY KEY,
	count bigint NOT NULL,
	window_start bigint NOT NULL
);

CREATE SEQUENCE service_desks_id_seq;
CREATE TABLE service_desks (
	id bigint PRIMARY KEY,
	portal_id bigint NOT NULL UNIQUE,
	project_key text COLLATE "C" NOT NULL UNIQUE,
	name text COLLATE "C" NOT NULL,
	description text COLLATE "C" NOT NULL DEFAULT '',
	next_number bigint NOT NULL DEFAULT 0
);
ALTER SEQUENCE service_desks_id_seq OWNED BY service_desks.id;
CREATE TRIGGER service_desks_assign_id BEFORE INSERT ON service_desks
	FOR EACH ROW EXECUTE FUNCTION zek_assign_id('service_desks_id_seq');

CREATE SEQUENCE request_type_groups_id_seq;
CREATE TABLE request_type_groups (
	id bigint PRIMARY KEY,
	desk_id bigint NOT NULL REFERENCES service_desks (id) ON DELETE CASCADE,
	name_de text COLLATE "C" NOT NULL,
	name_en text COLLATE "C" NOT NULL,
	position bigint NOT NULL
);
ALTER SEQUENCE request_type_groups_id_seq OWNED BY request_type_groups.id;
CREATE TRIGGER request_type_groups_assign_id BEFORE INSERT
	ON request_type_groups
	FOR EACH ROW
	EXECUTE FUNCTION zek_assign_id('request_type_groups_id_seq');
CREATE INDEX request_type_groups_desk ON request_type_groups (desk_id,
	position);

CREATE SEQUENCE request_types_id_seq;
CREATE TABLE request_types (
	id bigint PRIMARY KEY,
	desk_id bigint NOT NULL REFERENCES service_desks (id) ON DELETE CASCADE,
	group_id bigint NOT NULL REFERENCES request_type_groups (id),
	name_de text COLLATE "C" NOT NULL,
	name_en text COLLATE "C" NOT NULL,
	description_de text COLLATE "C" NOT NULL DEFAULT '',
	description_en text COLLATE "C" NOT NULL DEFAULT '',
	position bigint NOT NULL,
	icon text COLLATE "C" NOT NULL DEFAULT ''
);
ALTER SEQUENCE request_types_id_seq OWNED BY request_types.id;
CREATE TRIGGER request_types_assign_id BEFORE INSERT ON request_types
	FOR EACH ROW EXECUTE FUNCTION zek_assign_id('request_types_id_seq');
CREATE INDEX request_types_desk ON request_types (desk_id, position);

CREATE SEQUENCE fields_id_seq;
CREATE TABLE fields (
	id bigint PRIMARY KEY,
	type_id bigint NOT NULL REFERENCES request_types (id) ON DELETE CASCADE,
	field_key text COLLATE "C" NOT NULL,
	kind text COLLATE "C" NOT NULL CHECK (kind IN ('text', 'richtext',
		'textarea', 'select', 'checkbox', 'datetime', 'url', 'object',
		'attachment')),
	label_de text COLLATE "C" NOT NULL,
	label_en text COLLATE "C" NOT NULL,
	help_de text COLLATE "C" NOT NULL DEFAULT '',
	help_en text COLLATE "C" NOT NULL DEFAULT '',
	placeholder_de text COLLATE "C" NOT NULL DEFAULT '',
	placeholder_en text COLLATE "C" NOT NULL DEFAULT '',
	required bigint NOT NULL DEFAULT 0,
	position bigint NOT NULL,
	object_kind text COLLATE "C" NOT NULL DEFAULT '',
	multiple bigint NOT NULL DEFAULT 0,
	checkbox_label_de text COLLATE "C" NOT NULL DEFAULT '',
	checkbox_label_en text COLLATE "C" NOT NULL DEFAULT '',
	UNIQUE (type_id, field_key)
);
ALTER SEQUENCE fields_id_seq OWNED BY fields.id;
CREATE TRIGGER fields_assign_id BEFORE INSERT ON fields
	FOR EACH ROW EXECUTE FUNCTION zek_assign_id('fields_id_seq');
-- A request type's fields in form order, without sorting them each time.
CREATE INDEX fields_type_position ON fields (type_id, position, id);

CREATE SEQUENCE field_options_id_seq;
CREATE TABLE field_options (
	id bigint PRIMARY KEY,
	field_id bigint NOT NULL REFERENCES fields (id) ON DELETE CASCADE,
	value text COLLATE "C" NOT NULL,
	label_de text COLLATE "C" NOT NULL,
	label_en text COLLATE "C" NOT NULL,
	position bigint NOT NULL,
	UNIQUE (field_id, value)
);
ALTER SEQUENCE field_options_id_seq OWNED BY field_options.id;
CREATE TRIGGER field_options_assign_id BEFORE INSERT ON field_options
	FOR EACH ROW EXECUTE FUNCTION zek_assign_id('field_options_id_seq');

CREATE SEQUENCE objects_id_seq;
CREATE TABLE objects (
	id bigint PRIMARY KEY,
	kind text COLLATE "C" NOT NULL
		CHECK (kind IN ('mandant', 'online_dienst')),
	name text COLLATE "C" NOT NULL,
	name_fold text COLLATE "C" NOT NULL,
	UNIQUE (kind, name)
);
ALTER SEQUENCE objects_id_seq OWNED BY objects.id;
CREATE TRIGGER objects_assign_id BEFORE INSERT ON objects
	FOR EACH ROW EXECUTE FUNCTION zek_assign_id('objects_id_seq');
CREATE INDEX objects_kind_name ON objects (kind, name_fold);

-- assignee_id (0006) and customer_updated_at (0014) come last, where
-- SQLite's ALTER TABLE put them. status and resolution hold only the codes
-- of src/core/status.c: SQLite checks them with triggers (0013) because it
-- cannot add a CHECK to an existing table; here they are constraints.
-- customer_updated_at: when the request last changed in a way its
-- customers can see (updated_at also moves with internal notes and
-- assignments, issue 13).
CREATE SEQUENCE requests_id_seq;
CREATE TABLE requests (
	id bigint PRIMARY KEY,
	desk_id bigint NOT NULL REFERENCES service_desks (id),
	number bigint NOT NULL,
	issue_key text COLLATE "C" NOT NULL UNIQUE,
	type_id bigint NOT NULL REFERENCES request_types (id),
	reporter_id bigint NOT NULL REFERENCES users (id),
	creator_id bigint NOT NULL REFERENCES users (id),
	shared_org_id bigint REFERENCES organisations (id),
	status text COLLATE "C" NOT NULL,
	resolution text COLLATE "C" NOT NULL DEFAULT '',
	title text COLLATE "C" NOT NULL,
	created_at bigint NOT NULL,
	updated_at bigint NOT NULL,
	-- NULL = nobody works it yet ("Nicht zugewiesen")
	assignee_id bigint REFERENCES users (id),
	customer_updated_at bigint NOT NULL DEFAULT 0,
	UNIQUE (desk_id, number),
	CONSTRAINT requests_status CHECK (status IN ('offen', 'wartet_support',
		'in_bearbeitung', 'wartet_kunde', 'geschlossen')),
	CONSTRAINT requests_resolution CHECK (resolution IN ('', 'geloest',
		'zurueckgezogen', 'duplikat', 'abgelehnt'))
);
ALTER SEQUENCE requests_id_seq OWNED BY requests.id;
CREATE TRIGGER requests_assign_id BEFORE INSERT ON requests
	FOR EACH ROW EXECUTE FUNCTION zek_assign_id('requests_id_seq');
CREATE INDEX requests_reporter ON requests (reporter_id, updated_at);
CREATE INDEX requests_status ON requests (status, updated_at);
CREATE INDEX requests_updated ON requests (updated_at);
CREATE INDEX requests_shared_org ON requests (shared_org_id);
-- The list's order, newest first (created_at DESC, id DESC), from any
-- cursor, with status and type at hand.
CREATE INDEX requests_created ON requests (created_at, id, status, type_id);
-- The header's number of open requests reported by the user.
CREATE INDEX requests_reporter_status ON requests (reporter_id, status);
-- The agents' queues: one status at a time in creation or update order
-- from a keyset cursor, with or without an assignee condition.
CREATE INDEX requests_status_created ON requests (status, created_at);
CREATE INDEX requests_assignee_created ON requests (assignee_id, status,
	created_at);
CREATE INDEX requests_assignee_updated ON requests (assignee_id, status,
	updated_at);

CREATE TABLE request_values (
	request_id bigint NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
	field_key text COLLATE "C" NOT NULL,
	position bigint NOT NULL,
	value text COLLATE "C" NOT NULL,
	PRIMARY KEY (request_id, field_key, position)
);

CREATE TABLE participants (
	request_id bigint NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	PRIMARY KEY (request_id, user_id)
);
-- A user's requests as participant, read from the index alone (0002).
CREATE INDEX participants_user ON participants (user_id, request_id);

CREATE TABLE participant_settings (
	request_id bigint NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	notify_muted bigint NOT NULL DEFAULT 0,
	PRIMARY KEY (request_id, user_id)
);

-- Comments are append-only (no UPDATE); they go with their request.
CREATE SEQUENCE comments_id_seq;
CREATE TABLE comments (
	id bigint PRIMARY KEY,
	request_id bigint NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
	author_id bigint NOT NULL REFERENCES users (id),
	body text COLLATE "C" NOT NULL,
	-- 0 = internal note: agents only, never shown to customers
	public bigint NOT NULL DEFAULT 1 CHECK (public IN (0, 1)),
	created_at bigint NOT NULL
);
ALTER SEQUENCE comments_id_seq OWNED BY comments.id;
CREATE TRIGGER comments_assign_id BEFORE INSERT ON comments
	FOR EACH ROW EXECUTE FUNCTION zek_assign_id('comments_id_seq');
CREATE INDEX comments_request ON comments (request_id, created_at);
CREATE TRIGGER comments_no_update BEFORE UPDATE ON comments
	FOR EACH ROW
	EXECUTE FUNCTION zek_refuse_change('comments are append-only');

-- request_id NULL = a temporary upload, not yet attached (temp_token says
-- whose); comment_id (0003) last, where SQLite's ALTER TABLE put it.
CREATE SEQUENCE attachments_id_seq;
CREATE TABLE attachments (
	id bigint PRIMARY KEY,
	request_id bigint REFERENCES requests (id) ON DELETE CASCADE,
	uploader_id bigint NOT NULL REFERENCES users (id),
	temp_token text COLLATE "C" UNIQUE,
	filename text COLLATE "C" NOT NULL,
	mime text COLLATE "C" NOT NULL,
	size bigint NOT NULL,
	data bytea NOT NULL,
	created_at bigint NOT NULL,
	comment_id bigint REFERENCES comments (id)
);
ALTER SEQUENCE attachments_id_seq OWNED BY attachments.id;
CREATE TRIGGER attachments_assign_id BEFORE INSERT ON attachments
	FOR EACH ROW EXECUTE FUNCTION zek_assign_id('attachments_id_seq');
CREATE INDEX attachments_request ON attachments (request_id);
CREATE INDEX attachments_created ON attachments (created_at);
CREATE INDEX attachments_comment ON attachments (comment_id);
-- Every upload checks the uploader's temporary uploads (count and total
-- size) in the statement that stores it. Only temporary rows are indexed:
-- few, and gone once attached or purged.
CREATE INDEX attachments_pending ON attachments (uploader_id, size)
	WHERE request_id IS NULL;

-- One row per thing that happened to a request. Rows are never changed or
-- deleted (the triggers below refuse it): this is the audit trail. Hence
-- no ON DELETE CASCADE: a request with a history cannot be deleted.
-- old_status/new_status are '' where the entry is no status change.
CREATE SEQUENCE activity_id_seq;
CREATE TABLE activity (
	id bigint PRIMARY KEY,
	request_id bigint NOT NULL REFERENCES requests (id),
	actor_id bigint REFERENCES users (id),          -- NULL = the system
	kind text COLLATE "C" NOT NULL CHECK (kind IN ('created', 'comment',
		'status_changed', 'attachment_added', 'participant_added',
		'participant_removed', 'shared_with_org', 'assigned')),
	action text COLLATE "C" NOT NULL DEFAULT '',    -- workflow action
	comment_id bigint REFERENCES comments (id),
	attachment_id bigint REFERENCES attachments (id),
	-- the participant; the reporter of 'created'; the assignee
	subject_id bigint REFERENCES users (id),
	org_id bigint REFERENCES organisations (id),
	old_status text COLLATE "C" NOT NULL DEFAULT '',
	new_status text COLLATE "C" NOT NULL DEFAULT '',
	resolution text COLLATE "C" NOT NULL DEFAULT '',
	-- 0 = agents only (an internal note and what belongs to it,
	-- assignments)
	public bigint NOT NULL DEFAULT 1 CHECK (public IN (0, 1)),
	created_at bigint NOT NULL,
	CONSTRAINT activity_old_status CHECK (old_status IN ('', 'offen',
		'wartet_support', 'in_bearbeitung', 'wartet_kunde',
		'geschlossen')),
	CONSTRAINT activity_new_status CHECK (new_status IN ('', 'offen',
		'wartet_support', 'in_bearbeitung', 'wartet_kunde',
		'geschlossen')),
	CONSTRAINT activity_resolution CHECK (resolution IN ('', 'geloest',
		'zurueckgezogen', 'duplikat', 'abgelehnt'))
);
ALTER SEQUENCE activity_id_seq OWNED BY activity.id;
CREATE TRIGGER activity_assign_id BEFORE INSERT ON activity
	FOR EACH ROW EXECUTE FUNCTION zek_assign_id('activity_id_seq');
CREATE INDEX activity_request ON activity (request_id, id);
CREATE TRIGGER activity_no_update BEFORE UPDATE ON activity
	FOR EACH ROW
	EXECUTE FUNCTION zek_refuse_change('activity is append-only');
CREATE TRIGGER activity_no_delete BEFORE DELETE ON activity
	FOR EACH ROW
	EXECUTE FUNCTION zek_refuse_change('activity is append-only');
-- TRUNCATE fires no row trigger and SQLite has none; refuse it too, also
-- when it would come as TRUNCATE requests CASCADE.
CREATE TRIGGER activity_no_truncate BEFORE TRUNCATE ON activity
	FOR EACH STATEMENT
	EXECUTE FUNCTION zek_refuse_change('activity is append-only');

-- The durable e-mail outbox. A change and the mails it causes are written
-- in one transaction; a worker sends them later. No foreign keys on
-- purpose: a mail must outlive whatever it talks about.
CREATE SEQUENCE outbox_id_seq;
CREATE TABLE outbox (
	id bigint PRIMARY KEY,
	-- 'created', 'comment', ... (core/notify.h)
	event text COLLATE "C" NOT NULL,
	request_id bigint NOT NULL DEFAULT 0,
	recipient_id bigint NOT NULL DEFAULT 0,
	to_addr text COLLATE "C" NOT NULL,
	to_name text COLLATE "C" NOT NULL DEFAULT '',
	-- the recipient's, when the event happened
	lang text COLLATE "C" NOT NULL DEFAULT 'de',
	tz text COLLATE "C" NOT NULL DEFAULT 'Europe/Berlin',
	-- '<...@host>', fixed at enqueue time
	message_id text COLLATE "C" NOT NULL UNIQUE,
	-- the request's root id for In-Reply-To
	thread_id text COLLATE "C" NOT NULL DEFAULT '',
	-- JSON: the facts the mail tells
	payload text COLLATE "C" NOT NULL,
	-- the message as first rendered for sending
	raw text COLLATE "C",
	state text COLLATE "C" NOT NULL DEFAULT 'pending'
		CHECK (state IN ('pending', 'sent', 'failed')),
	attempts bigint NOT NULL DEFAULT 0,
	next_attempt_at bigint NOT NULL,
	-- token of the sender holding it
	claimed_by text COLLATE "C",
	claimed_until bigint,                   -- the claim lapses after this
	last_error text COLLATE "C" NOT NULL DEFAULT '',
	created_at bigint NOT NULL,
	sent_at bigint
);
ALTER SEQUENCE outbox_id_seq OWNED BY outbox.id;
CREATE TRIGGER outbox_assign_id BEFORE INSERT ON outbox
	FOR EACH ROW EXECUTE FUNCTION zek_assign_id('outbox_id_seq');
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);
CREATE INDEX outbox_request ON outbox (request_id);

-- Personal access tokens for the REST API. Only the SHA-256 of a token is
-- kept; the raw token is shown once.
CREATE SEQUENCE api_tokens_id_seq;
CREATE TABLE api_tokens (
	id bigint PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name text COLLATE "C" NOT NULL,
	token_hash text COLLATE "C" NOT NULL UNIQUE,
	created_at bigint NOT NULL,
	expires_at bigint NOT NULL,
	last_used_at bigint NOT NULL DEFAULT 0
);
ALTER SEQUENCE api_tokens_id_seq OWNED BY api_tokens.id;
CREATE TRIGGER api_tokens_assign_id BEFORE INSERT ON api_tokens
	FOR EACH ROW EXECUTE FUNCTION zek_assign_id('api_tokens_id_seq');
CREATE INDEX api_tokens_user ON api_tokens (user_id, created_at);
