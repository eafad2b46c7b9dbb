/* store.h: the persistence interface; record types and queries, no rules. */
#ifndef ZEK_STORE_H
#define ZEK_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/zek.h"

struct arena;

/*
 * Conventions
 * - Every function returns enum zek_rc: ZEK_OK, ZEK_NOTFOUND (no row),
 *   ZEK_CONFLICT (a unique constraint), ZEK_NOMEM, ZEK_IO (anything else
 *   the database reported; it is logged to stderr).
 * - Strings and arrays handed out live in the given arena; the store keeps
 *   no pointer to them. Strings handed in are copied by the database.
 * - Times are int64 milliseconds since the epoch, UTC.
 * - Only core/ calls these functions; store/ knows no business rule.
 */

/* Shared handle: the backend, and the thread-local connection key.
 * Created once by store_open, freed by store_close. */
struct store;
/* One database connection with its prepared-statement cache. Belongs to
 * one thread; never share it. */
struct store_conn;

/* Whether `db` names a PostgreSQL database (a libpq URL such as
 * postgresql://user@host/db or postgres://..., or "host=... dbname=...")
 * rather than a SQLite file. */
bool store_is_pg(const char *db);
/* Opens the database `db` names and runs the migrations not yet applied,
 * so that processes starting at once apply each migration once.
 * SQLite (a file path): creates the file and its folder if needed, sets
 * WAL, foreign keys and the busy handler. PostgreSQL (store_is_pg): the
 * database must exist; each migration runs under an advisory lock.
 * Caller owns *out. */
enum zek_rc store_open(const char *db, struct store **out);
/* `db` as it may be printed or logged: a password in a PostgreSQL
 * connection string becomes "***". */
void store_db_label(const char *db, char *out, size_t n);
/* Closes the calling thread's connection and frees the handle. Other
 * threads' connections are closed when those threads exit, which must
 * happen before this (stop the HTTP thread pool first). NULL is allowed. */
void store_close(struct store *st);
/* "sqlite" or "postgresql". */
const char *store_backend(const struct store *st);
/* The calling thread's connection, opened on first use and closed when the
 * thread exits. Borrowed. NULL when it cannot be opened. */
struct store_conn *store_conn(struct store *st);
/* Closes the calling thread's connection now (it reopens on next use). */
void store_conn_release(struct store *st);
/* Highest applied migration number. */
enum zek_rc store_schema_version(struct store_conn *c, int64_t *out);
/* Number of migrations built into the binary for st's backend. */
int store_migration_count(const struct store *st);

/* ---- zek check: is the database whole? ---- */

/* One check and what it found. */
struct store_check_item {
	const char *name;   /* "integrity_check", "search index", ... */
	int64_t problems;   /* 0: passed; at most STORE_CHECK_SHOWN + 1 */
	const char *detail; /* the first problems, "; "-separated */
};
#define STORE_CHECK_SHOWN 5 /* problems named in a detail */
#define STORE_CHECK_ITEMS_MAX 8
struct store_check_report {
	int64_t schema_version; /* applied migrations */
	int schema_binary;      /* migrations this zek has */
	int64_t requests, comments, attachments, users;
	struct store_check_item items[STORE_CHECK_ITEMS_MAX];
	size_t nitems;
};
/* Checks the database c is connected to, each check on its backend's
 * terms: SQLite's integrity_check and foreign_key_check, the search index
 * against the requests (SQLite with `full`: FTS5's own check of its
 * inverted index too, which holds the write lock while it runs, about
 * 1.3 s per 100,000 requests), every attachment's
 * bytes against its recorded size, the schema version against this zek's;
 * PostgreSQL enforces foreign keys and checks its pages itself. The
 * counts and checks read one snapshot. A check that cannot run (a damaged
 * page) counts as a problem. Details live in a. ZEK_OK when the report
 * was made, whatever it found; ZEK_IO when the database could not be
 * read at all. */
enum zek_rc store_check(struct store_conn *c, struct arena *a, bool full,
    struct store_check_report *out);
/* Whether the report found no problem. */
bool store_check_passed(const struct store_check_report *r);
/* For /metrics: the database's size in bytes. SQLite: its pages
 * (page_count * page_size) and the write-ahead log beside the file;
 * PostgreSQL: pg_database_size of the current database. Scratch in a. */
enum zek_rc store_db_size(struct store_conn *c, struct arena *a, int64_t *out);

/* Transactions: store_begin opens a write transaction (SQLite: BEGIN
 * IMMEDIATE, waiting up to the busy timeout). store_rollback is safe
 * when no transaction is open. */
enum zek_rc store_begin(struct store_conn *c);
enum zek_rc store_commit(struct store_conn *c);
enum zek_rc store_rollback(struct store_conn *c);
/* The end of a transaction begun with store_begin: commits it when rc is
 * ZEK_OK, else rolls it back; returns rc, or the commit's failure. */
enum zek_rc store_finish(struct store_conn *c, enum zek_rc rc);
/* A scope (one HTTP request) makes all its writes one unit: the first
 * write, or store_begin, opens one transaction; store_begin/commit/
 * rollback inside become savepoints; store_scope_end commits it when
 * `commit` is true and rolls it back otherwise. So a request whose answer
 * could not be built leaves nothing behind. The end also rolls back what
 * a caller left open and resets statements left running (both logged:
 * they are bugs). Returns the COMMIT's result. */
void store_scope_begin(struct store_conn *c);
enum zek_rc store_scope_end(struct store_conn *c, bool commit);
/* Retrying (PostgreSQL; docs/internals/store.md): whether the database
 * refused the scope, or outside a scope the last transaction, as the
 * victim of a serialisation failure or a deadlock (SQLSTATE 40001,
 * 40P01); the failing call returned ZEK_IO. Rolled back and run again
 * from its start, it may well succeed. Never true on SQLite, whose
 * writers queue on one lock. Valid until the next scope or transaction
 * begins. A statement outside any transaction is retried by the store
 * itself. */
#define STORE_ATTEMPTS 3 /* runs of one scope or transaction in all */
bool store_scope_retryable(struct store_conn *c);
/* For /metrics: the database's failures since start, by kind. A unique
 * key taken, which the code expects and answers, is none. */
enum store_error_kind {
	STORE_ERR_BUSY,          /* a lock waited for in vain (SQLite
	                            BUSY/LOCKED, PostgreSQL 55P03) */
	STORE_ERR_SERIALIZATION, /* refused as a deadlock's or a
	                            serialisation's victim (40001, 40P01) */
	STORE_ERR_CONNECTION,    /* the connection to PostgreSQL was lost */
	STORE_ERR_OTHER,
	STORE_ERR_MAX
};
uint64_t store_errors_total(enum store_error_kind kind);
/* "busy", "serialization", "connection", "other". */
const char *store_error_kind_name(enum store_error_kind kind);
/* Scopes run again after the database refused them (store_scope_run). */
uint64_t store_retries_total(void);
/* Waits a few random milliseconds before attempt `attempt` (2, 3, ...),
 * so that the two sides of a deadlock do not meet again at once. */
void store_retry_pause(int attempt);
/* Runs fn(arg, attempt) in a scope of its own, kept when fn returns true;
 * when the scope was refused (store_scope_retryable), it is rolled back
 * and fn runs again from scratch, up to STORE_ATTEMPTS times in all; a
 * refused scope is never kept. `deferred`: store_scope_defer. Returns
 * store_scope_end's result of the last run (ZEK_OK when fn asked for a
 * rollback), ZEK_IO when fn asked to keep a scope that was refused.
 * Called inside a scope already (an HTTP request's), fn runs once in a
 * savepoint of that scope, which keeps or drops its writes as a whole
 * (a refused scope runs again from the outer one's start). */
enum zek_rc store_scope_run(struct store_conn *c, bool deferred,
    bool (*fn)(void *arg, int attempt), void *arg);
#ifdef ZEK_TEST_HOOKS
/* Test hook: makes the current scope fail as a refused one would. On
 * PostgreSQL a statement raises SQLSTATE 40001, so that the scope's
 * commit fails; on SQLite the scope is only marked retryable. */
void store_test_refuse_scope(struct store_conn *c);
#endif
/* Where a scope's time went (docs/internals/performance.md), measured
 * while store_phases_enable(true) is in force (the server's phase_timing
 * switch; off, nothing is measured): waiting for the write lock (SQLite:
 * the process's writer queue and BEGIN IMMEDIATE; on PostgreSQL row locks
 * are waited for inside statements), the statements with their triggers
 * and search index, and the COMMIT. Nanoseconds, summed over all runs of
 * the scope; reset by store_scope_run. */
struct store_phases {
	int64_t lock_ns, sql_ns, commit_ns;
	unsigned statements;
};
void store_phases_enable(bool on);
bool store_phases_enabled(void);
void store_scope_phases(struct store_conn *c, struct store_phases *out);
/* Durable commits (docs/internals/performance.md). On SQLite in WAL mode
 * a commit returns once a sync of the log that began after it has ended
 * (several commits share one sync). After store_scope_defer (right after
 * store_scope_begin) the scope's commit does not wait: store_scope_ticket
 * (after store_scope_end) gives its ticket, 0 when nothing is to wait for,
 * and the caller waits with store_durable_wait, or has fn(arg, rc) called
 * from the store's sync thread by store_durable_notify (ZEK_OK: it will
 * be; ZEK_NOTFOUND: already on disk, not called; else wait instead).
 * Answer nobody about a write before that. On PostgreSQL a commit is
 * durable when it returns: the ticket is always 0. */
void store_scope_defer(struct store_conn *c);
uint64_t store_scope_ticket(struct store_conn *c);
enum zek_rc store_durable_wait(struct store *st, uint64_t ticket);
enum zek_rc store_durable_notify(struct store *st, uint64_t ticket,
    void (*fn)(void *arg, int rc), void *arg);

/* ---- users, organisations ---- */

struct store_org {
	int64_t id;
	const char *name;
};

struct store_user {
	int64_t id;
	const char *email; /* as entered; unique without regard to case */
	const char *name;
	const char *password_hash; /* crypto_pwhash_str output, or "" */
	const char *role;          /* "customer" | "agent" | "admin" */
	const char *lang;          /* "de" | "en" */
	const char *tz;            /* IANA zone */
	bool notify;               /* default for e-mail notifications */
	int64_t created_at;
	int64_t deactivated_at; /* 0 = active */
	int64_t last_login_at;  /* 0 = never */
};

/* ZEK_CONFLICT when the e-mail exists already. */
enum zek_rc store_user_insert(struct store_conn *c, const struct store_user *u,
    int64_t *id_out);
/* Looks the e-mail up without regard to ASCII case. */
enum zek_rc store_user_by_email(struct store_conn *c, struct arena *a,
    const char *email, struct store_user **out);
enum zek_rc store_user_by_id(struct store_conn *c, struct arena *a, int64_t id,
    struct store_user **out);
enum zek_rc store_user_count(struct store_conn *c, int64_t *out);
/* Whether the user gets e-mail notifications at all. */
enum zek_rc store_user_set_notify(struct store_conn *c, int64_t id,
    bool notify);
enum zek_rc store_user_update_profile(struct store_conn *c, int64_t id,
    const char *name, const char *lang, const char *tz);
enum zek_rc store_user_set_password(struct store_conn *c, int64_t id,
    const char *password_hash);
/* Users whose name or e-mail contains `query` (any case; NULL or "" = all),
 * with role `role` (NULL = any role), ordered by name. */
enum zek_rc store_users_search(struct store_conn *c, struct arena *a,
    const char *query, const char *role, size_t limit, struct store_user **out,
    size_t *n);
/* Other users sharing at least one organisation with `user_id`, whose
 * name or e-mail contains `query` (NULL or "" = all), with role `role`
 * (NULL = any), ordered by name. */
enum zek_rc store_users_sharing_org(struct store_conn *c, struct arena *a,
    int64_t user_id, const char *query, const char *role, size_t limit,
    struct store_user **out, size_t *n);

/* Finds the organisation by exact name or creates it. */
enum zek_rc store_org_ensure(struct store_conn *c, const char *name,
    int64_t *id_out);
enum zek_rc store_org_get(struct store_conn *c, struct arena *a, int64_t id,
    struct store_org **out);
/* Adding an existing membership is not an error. */
enum zek_rc store_user_org_add(struct store_conn *c, int64_t user_id,
    int64_t org_id);
/* The user's organisations, ordered by name. */
enum zek_rc store_user_orgs(struct store_conn *c, struct arena *a,
    int64_t user_id, struct store_org **out, size_t *n);

/* ---- accounts: single-use links, state, audit (store/accounts.c) ---- */

/* A link sent by mail; only the hash of its raw token is kept. */
struct store_account_link {
	const char *token_hash;
	const char *purpose; /* "invite" | "reset" */
	int64_t user_id;
	int64_t created_by; /* 0 = the command line or the system */
	int64_t created_at;
	int64_t expires_at;
	int64_t used_at; /* 0 = not used */
};

enum zek_rc store_account_link_insert(struct store_conn *c,
    const struct store_account_link *l);
/* The link with this hash, used or not. ZEK_NOTFOUND if none. */
enum zek_rc store_account_link_get(struct store_conn *c, struct arena *a,
    const char *token_hash, struct store_account_link **out);
/* Spends the link in one guarded statement, so that two uses at once
 * cannot both succeed: ZEK_NOTFOUND when it is unknown, of another
 * purpose, used or expired at `now`. */
enum zek_rc store_account_link_use(struct store_conn *c, const char *token_hash,
    const char *purpose, int64_t now);
/* Spends every unused link of the user for `purpose` (a new reset link
 * or a password set makes the older ones useless). */
enum zek_rc store_account_links_spend(struct store_conn *c, int64_t user_id,
    const char *purpose, int64_t now);
/* Deletes links that expired or were used before `before`; *n may be NULL. */
enum zek_rc store_account_links_purge(struct store_conn *c, int64_t before,
    int64_t *n);
/* Sets users.deactivated_at (0 = active again). ZEK_NOTFOUND: no user. */
enum zek_rc store_user_set_deactivated(struct store_conn *c, int64_t id,
    int64_t at);
/* Notes a successful sign-in. */
enum zek_rc store_user_set_login(struct store_conn *c, int64_t id, int64_t at);

/* What a person's data export lists (core_user_export). */
struct store_mail;
struct store_session;
struct store_user_request {
	const char *key;
	const char *title;
	const char *status;
	int64_t created_at;
};

struct store_user_comment {
	const char *key; /* of the request */
	const char *body;
	bool is_public;
	int64_t created_at;
};

/* The requests the user reported, or (participating) takes part in. */
enum zek_rc store_user_requests(struct store_conn *c, struct arena *a,
    int64_t user_id, bool participating, struct store_user_request **out,
    size_t *n);
enum zek_rc store_user_comments(struct store_conn *c, struct arena *a,
    int64_t user_id, struct store_user_comment **out, size_t *n);
/* Sessions without their secrets (token_hash and csrf ""). */
enum zek_rc store_user_sessions(struct store_conn *c, struct arena *a,
    int64_t user_id, struct store_session **out, size_t *n);
/* Mails to the user: id, event, to_addr, state, created_at, sent_at. */
enum zek_rc store_user_mails(struct store_conn *c, struct arena *a,
    int64_t user_id, struct store_mail **out, size_t *n);
/* Erasure: the user row gets u's email, name and deactivated_at (the
 * password, preferences and notifications are cleared); tokens, sessions,
 * links, memberships, per-request settings and mails to them are deleted,
 * and the sign-in throttle's rows whose key matches one of the LIKE
 * patterns (ESCAPE '\'). Requests, comments and activity stay. */
enum zek_rc store_user_erase(struct store_conn *c, const struct store_user *u,
    const char *const *throttle_keys, size_t nkeys);

/* One change of an account or organisation, for the admins. */
struct store_audit {
	int64_t id;
	int64_t at;
	int64_t actor_id;       /* 0 = the command line or the system */
	const char *actor_name; /* read only: "" for none */
	const char *action;     /* "invite", "deactivate", ... */
	int64_t user_id;        /* 0 = none */
	const char *user_email; /* read only */
	int64_t org_id;         /* 0 = none */
	const char *org_name;   /* read only */
	const char *detail;
};

enum zek_rc store_audit_add(struct store_conn *c, const struct store_audit *e);
/* Newest first; user_id 0 = everybody's; before_id 0 = from the newest. */
enum zek_rc store_audit_list(struct store_conn *c, struct arena *a,
    int64_t user_id, int64_t before_id, size_t limit, struct store_audit **out,
    size_t *n);

/* ---- the staff's pages of people and organisations (directory.c) ---- */

/* Which people a page shows: role, a search in name and address, one
 * organisation's members, after the person with id after_id in the order
 * by name. */
struct store_people_query {
	const char *role;  /* "customer", ... */
	const char *query; /* NULL or "" = everybody */
	int64_t org_id;    /* 0 = any */
	int64_t after_id;  /* 0 = from the first */
	size_t limit;
	const char *closed_status; /* status code not counted as open */
};

struct store_customer {
	struct store_user u;
	const char *orgs;      /* names by name, joined by ", " */
	int64_t open_requests; /* reported, not closed */
};

enum zek_rc store_customers_page(struct store_conn *c, struct arena *a,
    const struct store_people_query *q, struct store_customer **out, size_t *n);
enum zek_rc store_user_set_role(struct store_conn *c, int64_t id,
    const char *role);

struct store_org_row {
	int64_t id;
	const char *name;
	int64_t members;
	int64_t created_at;
};

/* Organisations whose name contains query (any case; NULL or "" = all),
 * by name, after the name after_name (NULL = from the first). */
enum zek_rc store_orgs_page(struct store_conn *c, struct arena *a,
    const char *query, const char *after_name, size_t limit,
    struct store_org_row **out, size_t *n);
/* ZEK_CONFLICT when the name is taken. */
enum zek_rc store_org_add(struct store_conn *c, const char *name, int64_t now,
    int64_t *id_out);
/* ZEK_CONFLICT when the name is taken, ZEK_NOTFOUND: no such organisation. */
enum zek_rc store_org_rename(struct store_conn *c, int64_t id,
    const char *name);
/* Deletes an organisation and its memberships. ZEK_CONFLICT while a
 * request is shared with it or its history names it; ZEK_NOTFOUND. */
enum zek_rc store_org_delete(struct store_conn *c, int64_t id);
/* ZEK_NOTFOUND when the user was no member. */
enum zek_rc store_user_org_remove(struct store_conn *c, int64_t user_id,
    int64_t org_id);

/* ---- sessions and login throttling ---- */

struct store_session {
	const char *token_hash; /* hex of the hashed raw token */
	int64_t user_id;
	const char *csrf;
	int64_t created_at;
	int64_t last_seen;
	int64_t expires_at;
};

enum zek_rc store_session_insert(struct store_conn *c,
    const struct store_session *s);
enum zek_rc store_session_get(struct store_conn *c, struct arena *a,
    const char *token_hash, struct store_session **out);
enum zek_rc store_session_touch(struct store_conn *c, const char *token_hash,
    int64_t last_seen, int64_t expires_at);
enum zek_rc store_session_delete(struct store_conn *c, const char *token_hash);
/* Deletes sessions that expired before `now`; *n = how many (n may be NULL). */
enum zek_rc store_sessions_purge(struct store_conn *c, int64_t now, int64_t *n);

/* Failure counter per key (e-mail + client address). ZEK_NOTFOUND if none. */
enum zek_rc store_login_failure_get(struct store_conn *c, const char *key,
    int64_t *count, int64_t *window_start);
/* Counts one failure: the window starts anew (count 1 at `now`) when the
 * last one began window_ms or longer ago. Atomic: failures at the same
 * time in several processes all count. */
enum zek_rc store_login_failure_add(struct store_conn *c, const char *key,
    int64_t now, int64_t window_ms);
enum zek_rc store_login_failure_clear(struct store_conn *c, const char *key);

/* ---- service desks, request types, fields (configuration) ---- */

struct store_desk {
	int64_t id;
	int64_t portal_id;
	const char *project_key; /* "ZEK" */
	const char *name;
	const char *description;
	int64_t next_number; /* last number handed out */
};

struct store_group {
	int64_t id;
	int64_t desk_id;
	const char *name_de, *name_en;
	int64_t position;
};

struct store_reqtype {
	int64_t id;
	int64_t desk_id;
	int64_t group_id;
	const char *name_de, *name_en;
	const char *description_de, *description_en;
	int64_t position;
	const char *icon;
	bool hidden;                  /* not offered to customers (admin) */
	int64_t sla_response_minutes; /* working time goals, 0 = none */
	int64_t sla_resolution_minutes;
};

struct store_field {
	int64_t id;
	int64_t type_id;
	const char *key;
	const char *kind; /* "text", "richtext", ... see core/fields.h */
	const char *label_de, *label_en;
	const char *help_de, *help_en;
	const char *placeholder_de, *placeholder_en;
	bool required;
	int64_t position;
	const char *object_kind; /* "mandant" | "online_dienst" | "" */
	bool multiple;
	const char *checkbox_label_de, *checkbox_label_en;
	bool hidden; /* not on the forms; old values still shown */
};

struct store_option {
	int64_t id;
	int64_t field_id;
	const char *value;
	const char *label_de, *label_en;
	int64_t position;
	bool retired; /* not offered; old values still shown */
};

/* Insert functions take the id from the record when it is > 0 (fixed ids
 * for the demo configuration), else the database assigns one. */
enum zek_rc store_desk_insert(struct store_conn *c, const struct store_desk *d,
    int64_t *id_out);
enum zek_rc store_desks_list(struct store_conn *c, struct arena *a,
    struct store_desk **out, size_t *n);
enum zek_rc store_desk_by_portal(struct store_conn *c, struct arena *a,
    int64_t portal_id, struct store_desk **out);
enum zek_rc store_desk_by_id(struct store_conn *c, struct arena *a, int64_t id,
    struct store_desk **out);
enum zek_rc store_desk_count(struct store_conn *c, int64_t *out);
/* Hands out the desk's next request number: increments and returns it in
 * one statement. Call inside a transaction. SQLite takes it in that
 * transaction (a rollback hands the number out again); PostgreSQL in a
 * short one of its own, so that concurrent creates do not queue on the
 * counter row until each commits (a rollback then leaves a gap). */
enum zek_rc store_desk_next_number(struct store_conn *c, int64_t desk_id,
    int64_t *number);

enum zek_rc store_group_insert(struct store_conn *c,
    const struct store_group *g, int64_t *id_out);
enum zek_rc store_groups_by_desk(struct store_conn *c, struct arena *a,
    int64_t desk_id, struct store_group **out, size_t *n);
enum zek_rc store_group_get(struct store_conn *c, struct arena *a, int64_t id,
    struct store_group **out);
/* Writes every column but id and desk_id. */
enum zek_rc store_group_update(struct store_conn *c,
    const struct store_group *g);

enum zek_rc store_reqtype_insert(struct store_conn *c,
    const struct store_reqtype *t, int64_t *id_out);
enum zek_rc store_reqtypes_by_desk(struct store_conn *c, struct arena *a,
    int64_t desk_id, struct store_reqtype **out, size_t *n);
enum zek_rc store_reqtype_get(struct store_conn *c, struct arena *a, int64_t id,
    struct store_reqtype **out);
/* Writes every column but id and desk_id. */
enum zek_rc store_reqtype_update(struct store_conn *c,
    const struct store_reqtype *t);

enum zek_rc store_field_insert(struct store_conn *c,
    const struct store_field *f, int64_t *id_out);
/* The type's fields ordered by position. */
enum zek_rc store_fields_by_type(struct store_conn *c, struct arena *a,
    int64_t type_id, struct store_field **out, size_t *n);
enum zek_rc store_option_insert(struct store_conn *c,
    const struct store_option *o, int64_t *id_out);
/* The options of every field of the type, ordered by field, then position. */
enum zek_rc store_options_by_type(struct store_conn *c, struct arena *a,
    int64_t type_id, struct store_option **out, size_t *n);
enum zek_rc store_field_get(struct store_conn *c, struct arena *a, int64_t id,
    struct store_field **out);
enum zek_rc store_option_get(struct store_conn *c, struct arena *a, int64_t id,
    struct store_option **out);
/* Write every column but id, the owner's id and the key (field_key,
 * value): what requests store stays what it was. */
enum zek_rc store_field_update(struct store_conn *c,
    const struct store_field *f);
enum zek_rc store_option_update(struct store_conn *c,
    const struct store_option *o);

/* ---- object catalogue ---- */

struct store_object {
	int64_t id;
	const char *kind; /* "mandant" | "online_dienst" */
	const char *name;
	int64_t retired_at; /* UTC ms, 0 = offered for new requests */
};

/* Inserts unless (kind, name) exists; *id_out gets the id either way and
 * *created whether it was new (either may be NULL). */
enum zek_rc store_object_ensure(struct store_conn *c, const char *kind,
    const char *name, int64_t *id_out, bool *created);
enum zek_rc store_object_get(struct store_conn *c, struct arena *a, int64_t id,
    struct store_object **out);
/* Objects of `kind` whose name contains `query` (any case; NULL or "" =
 * all), retired ones only `with_retired`, ordered by name, at most
 * `limit`, skipping `offset`. */
enum zek_rc store_objects_search(struct store_conn *c, struct arena *a,
    const char *kind, const char *query, bool with_retired, size_t limit,
    size_t offset, struct store_object **out, size_t *n);
/* The object of `kind` with this name in any case; ZEK_NOTFOUND if none. */
enum zek_rc store_object_by_name(struct store_conn *c, struct arena *a,
    const char *kind, const char *name, struct store_object **out);
/* ZEK_NOTFOUND: no such object; ZEK_CONFLICT: the kind has that name. */
enum zek_rc store_object_rename(struct store_conn *c, int64_t id,
    const char *name);
/* Retires the object at `at`, or offers it again (at 0). */
enum zek_rc store_object_retire(struct store_conn *c, int64_t id, int64_t at);

/* ---- requests ---- */

struct store_request {
	int64_t id;
	int64_t desk_id;
	int64_t number;
	const char *key; /* "ZEK-12" */
	int64_t type_id;
	int64_t reporter_id;
	int64_t creator_id;
	int64_t shared_org_id;  /* 0 = private */
	const char *status;     /* status code, see core/status.h */
	const char *resolution; /* resolution code or "" */
	const char *title;
	int64_t created_at;
	int64_t updated_at;          /* any change, internal notes included */
	int64_t customer_updated_at; /* the last change customers can see */
	int64_t assignee_id;         /* 0 = nobody; read, not inserted */
	/* store_request_insert only: the service levels it starts with (NULL:
	 * STORE_REQUEST_SLA_NONE), so that a create writes its row once. */
	const struct store_request_sla *sla;
};

struct store_value {
	int64_t request_id;
	const char *field_key;
	int64_t position;
	const char *value;
};

enum zek_rc store_request_insert(struct store_conn *c,
    const struct store_request *r, int64_t *id_out);
enum zek_rc store_request_by_key(struct store_conn *c, struct arena *a,
    const char *key, struct store_request **out);
enum zek_rc store_request_by_id(struct store_conn *c, struct arena *a,
    int64_t id, struct store_request **out);
/* store_request_by_id inside a write transaction, for a read that is then
 * updated: the row stays locked until the transaction ends (PostgreSQL:
 * FOR UPDATE; SQLite's write transaction excludes other writers anyway),
 * so two processes cannot both act on the same state. */
enum zek_rc store_request_lock(struct store_conn *c, struct arena *a,
    int64_t id, struct store_request **out);
/* Locks the user's row until the transaction ends, for a count of the
 * user's rows and an insert that must not pass a cap together (tokens,
 * uploads). ZEK_NOTFOUND: no such user. */
enum zek_rc store_user_lock(struct store_conn *c, int64_t id);
enum zek_rc store_request_set_status(struct store_conn *c, int64_t id,
    const char *status, const char *resolution, int64_t updated_at);
enum zek_rc store_value_insert(struct store_conn *c, int64_t request_id,
    const char *field_key, int64_t position, const char *value);
/* Removes every value of the request's field `field_key`. */
enum zek_rc store_values_delete(struct store_conn *c, int64_t request_id,
    const char *field_key);
/* Sets the request's type and title (the search index follows by its
 * triggers). */
enum zek_rc store_request_set_type_title(struct store_conn *c, int64_t id,
    int64_t type_id, const char *title);
/* All values of a request, ordered by field key, then position. */
enum zek_rc store_values_by_request(struct store_conn *c, struct arena *a,
    int64_t request_id, struct store_value **out, size_t *n);

/*
 * Reads for a page of requests at once (core_request_views): a fixed
 * number of statements whatever the page's length. Each takes the ids as
 * an array (none: no rows) and answers in any order unless it says so.
 */
enum zek_rc store_requests_by_ids(struct store_conn *c, struct arena *a,
    const int64_t *ids, size_t n, struct store_request **out, size_t *nout);
/* By request, then as store_values_by_request. */
enum zek_rc store_values_by_requests(struct store_conn *c, struct arena *a,
    const int64_t *ids, size_t n, struct store_value **out, size_t *nout);
enum zek_rc store_objects_by_ids(struct store_conn *c, struct arena *a,
    const int64_t *ids, size_t n, struct store_object **out, size_t *nout);
enum zek_rc store_users_by_ids(struct store_conn *c, struct arena *a,
    const int64_t *ids, size_t n, struct store_user **out, size_t *nout);
enum zek_rc store_orgs_by_ids(struct store_conn *c, struct arena *a,
    const int64_t *ids, size_t n, struct store_org **out, size_t *nout);
struct store_participant {
	int64_t request_id;
	struct store_user user;
};
/* By request, then as store_participants. */
enum zek_rc store_participants_of(struct store_conn *c, struct arena *a,
    const int64_t *ids, size_t n, struct store_participant **out, size_t *nout);
/* The requests among ids for which user_id turned mails off, ascending. */
enum zek_rc store_notify_muted_of(struct store_conn *c, struct arena *a,
    const int64_t *ids, size_t n, int64_t user_id, int64_t **out, size_t *nout);
struct store_id_time {
	int64_t id;
	int64_t at;
};
/* When each request's status was last set as its log shows it to a viewer
 * (the 'created' or newest 'status_changed' entry they may see; the API's
 * statusDate; its creation when no entry says). Not the auto-close clock:
 * store_request_status_since. */
enum zek_rc store_activity_status_since_of(struct store_conn *c,
    struct arena *a, const int64_t *ids, size_t n, bool with_internal,
    struct store_id_time **out, size_t *nout);
/* Requests the user reported whose status differs from `closed_status`. */
enum zek_rc store_requests_count_open_reported(struct store_conn *c,
    int64_t user_id, const char *closed_status, int64_t *out);
enum zek_rc store_request_count(struct store_conn *c, int64_t *out);
/* Every comment of every request (tests, checks). */
enum zek_rc store_comment_count(struct store_conn *c, int64_t *out);

/* Adding an existing participant is not an error. */
enum zek_rc store_participant_add(struct store_conn *c, int64_t request_id,
    int64_t user_id);
enum zek_rc store_participant_remove(struct store_conn *c, int64_t request_id,
    int64_t user_id);
enum zek_rc store_is_participant(struct store_conn *c, int64_t request_id,
    int64_t user_id, bool *out);
/* Participants as users, ordered by name. */
enum zek_rc store_participants(struct store_conn *c, struct arena *a,
    int64_t request_id, struct store_user **out, size_t *n);

/* Per request and user: notifications turned off. */
enum zek_rc store_notify_muted_get(struct store_conn *c, int64_t request_id,
    int64_t user_id, bool *out);
enum zek_rc store_notify_muted_set(struct store_conn *c, int64_t request_id,
    int64_t user_id, bool muted);
/* Who turned notifications off for the request, by id (at most
 * STORE_MUTED_MAX: more people than a request can have). */
#define STORE_MUTED_MAX 10000
enum zek_rc store_notify_muted_list(struct store_conn *c, struct arena *a,
    int64_t request_id, int64_t **ids, size_t *n);

/* ---- attachments ---- */

struct store_attachment {
	int64_t id;
	int64_t request_id; /* 0 while temporary */
	int64_t uploader_id;
	const char *temp_token; /* "" once attached to a request */
	int64_t comment_id;     /* 0 = the request's own (not a comment's) */
	const char *filename;
	const char *mime;
	int64_t size;
	const unsigned char *data; /* NULL unless asked for */
	int64_t created_at;
};

/* Stores a temporary upload (request NULL) with a.temp_token, unless the
 * uploader's temporary uploads would then number more than max_count or
 * hold more than max_bytes: checked and written in one statement (on
 * PostgreSQL after locking the uploader's row until the transaction
 * ends), so uploads at the same time cannot pass the cap together. Returns ZEK_OK,
 * ZEK_TOOBIG (over the cap, nothing written), ZEK_IO or ZEK_NOMEM. */
enum zek_rc store_attachment_insert(struct store_conn *c,
    const struct store_attachment *att, const void *data, size_t len,
    int64_t max_count, int64_t max_bytes, int64_t *id_out);
/* How many temporary uploads `uploader_id` has and their total size. */
enum zek_rc store_attachments_pending(struct store_conn *c, int64_t uploader_id,
    int64_t *count, int64_t *bytes);
/* A temporary upload by token and uploader, without data; ZEK_NOTFOUND if
 * it is not temporary or belongs to someone else. */
enum zek_rc store_attachment_temp_get(struct store_conn *c, struct arena *a,
    int64_t uploader_id, const char *token, struct store_attachment **out);
/* Moves a temporary upload of `uploader_id` to the request and clears the
 * token; ZEK_NOTFOUND if there is no such temporary upload. */
enum zek_rc store_attachment_attach(struct store_conn *c, int64_t uploader_id,
    const char *token, int64_t request_id);
/* Attachments of a request without data, ordered by creation. */
enum zek_rc store_attachments_by_request(struct store_conn *c, struct arena *a,
    int64_t request_id, struct store_attachment **out, size_t *n);
/* By request, then as store_attachments_by_request. */
enum zek_rc store_attachments_by_requests(struct store_conn *c, struct arena *a,
    const int64_t *ids, size_t n, struct store_attachment **out, size_t *nout);
/* One attachment; with_data copies the blob into the arena. */
enum zek_rc store_attachment_get(struct store_conn *c, struct arena *a,
    int64_t id, bool with_data, struct store_attachment **out);
/* Deletes temporary uploads created before `before`; *n = how many. The
 * freed pages go back to the file system (incremental vacuum). */
enum zek_rc store_attachments_purge_temp(struct store_conn *c, int64_t before,
    int64_t *n);

/* ---- comments and the activity log (sqlite_activity.c) ---- */

struct store_comment {
	int64_t id;
	int64_t request_id;
	int64_t author_id;
	const char *body; /* Markdown */
	bool is_public;   /* false = internal note (agents only) */
	int64_t created_at;
};

/* One entry of a request's activity log. Kinds: "created", "comment",
 * "status_changed", "attachment_added", "participant_added",
 * "participant_removed", "shared_with_org", "assigned" (subject = the new
 * assignee, 0 = nobody; agents only), "rated" (action = the score, "1" to
 * "5"; agents only), "edited" (action = "type" or a field key; agents
 * only), "linked", "unlinked" (action = the link as this request sees it,
 * new_value = the other request's key; agents only). */
struct store_activity {
	int64_t id;
	int64_t request_id;
	int64_t actor_id; /* 0 = the system */
	const char *kind;
	const char *action;     /* workflow action code, or "" */
	int64_t comment_id;     /* 0 = none */
	int64_t attachment_id;  /* 0 = none */
	int64_t subject_id;     /* participant; reporter of "created" */
	int64_t org_id;         /* 0 = none */
	const char *old_status; /* status codes, "" when not a change */
	const char *new_status;
	const char *resolution; /* resolution code after the change, or "" */
	bool is_public;         /* false = agents only */
	int64_t created_at;
	const char *old_value; /* "edited": before and after, as stored */
	const char *new_value; /* (values joined by "\n"); "linked",
	                          "unlinked": the other request's key */
	/* Read only (joined by store_activity_by_request): */
	const char *actor_name; /* "" for the system */
	const char *actor_role; /* users.role, "" for the system */
	const char *subject_name;
	const char *org_name;
	const char *comment_body; /* the comment's Markdown */
};

enum zek_rc store_comment_insert(struct store_conn *c,
    const struct store_comment *cm, int64_t *id_out);
/* Appends to the log (rows can never be changed or deleted). The joined
 * read-only fields are ignored. */
enum zek_rc store_activity_insert(struct store_conn *c,
    const struct store_activity *a, int64_t *id_out);
/* A request's log, newest first, at most `limit` entries; entries that are
 * not public are left out unless with_internal. */
enum zek_rc store_activity_by_request(struct store_conn *c, struct arena *a,
    int64_t request_id, bool with_internal, size_t limit,
    struct store_activity **out, size_t *n);
/* Like store_attachment_attach, and the upload belongs to the comment. */
enum zek_rc store_attachment_attach_comment(struct store_conn *c,
    int64_t uploader_id, const char *token, int64_t request_id,
    int64_t comment_id);
/* *out = false when the attachment belongs to an internal note. */
enum zek_rc store_attachment_is_public(struct store_conn *c, int64_t id,
    bool *out);
/* Sets requests.updated_at, and customer_updated_at too when the change is
 * one the request's customers see (not an internal note). */
enum zek_rc store_request_touch(struct store_conn *c, int64_t id,
    int64_t updated_at, bool customer_visible);
/* Shares the request with an organisation unless it is shared already;
 * ZEK_NOTFOUND when it was (or the request does not exist). */
enum zek_rc store_request_share_org(struct store_conn *c, int64_t id,
    int64_t org_id, int64_t updated_at);
/* Users whose name equals `name` without regard to case (Unicode case
 * folding), with role `role` (NULL = any), ordered by id, at most limit. */
enum zek_rc store_users_by_name(struct store_conn *c, struct arena *a,
    const char *name, const char *role, size_t limit, struct store_user **out,
    size_t *n);
/* Number of participants of a request. */
enum zek_rc store_participant_count(struct store_conn *c, int64_t request_id,
    int64_t *out);

/* ---- personal access tokens (sqlite_tokens.c) ---- */

/* A personal access token; the raw token is never stored, only its hash. */
struct store_token {
	int64_t id;
	int64_t user_id;
	const char *name;
	int64_t created_at;
	int64_t expires_at;
	int64_t last_used_at; /* 0 = never used */
};

/* token_hash: hex SHA-256 of the raw token; ZEK_CONFLICT if it exists. */
enum zek_rc store_token_insert(struct store_conn *c,
    const struct store_token *t, const char *token_hash, int64_t *id_out);
/* The user's tokens, newest first (expired ones included). */
enum zek_rc store_tokens_by_user(struct store_conn *c, struct arena *a,
    int64_t user_id, struct store_token **out, size_t *n);
/* Tokens of the user that expire after `now`. */
enum zek_rc store_tokens_count_active(struct store_conn *c, int64_t user_id,
    int64_t now, int64_t *out);
enum zek_rc store_token_by_hash(struct store_conn *c, struct arena *a,
    const char *token_hash, struct store_token **out);
/* Records a use; ZEK_NOTFOUND when the token is gone. */
enum zek_rc store_token_touch(struct store_conn *c, int64_t id, int64_t now);
/* Deletes the user's token `id`; ZEK_NOTFOUND when the user has none such. */
enum zek_rc store_token_delete(struct store_conn *c, int64_t user_id,
    int64_t id);
/* Deletes every token of the user (a password change that asks for it). */
enum zek_rc store_tokens_delete_all(struct store_conn *c, int64_t user_id);
/* Ends every session of the user except the one with keep_hash (NULL =
 * all), e.g. after a password change. */
enum zek_rc store_sessions_delete_others(struct store_conn *c, int64_t user_id,
    const char *keep_hash);

/* ---- forms kept when the session was gone (kept_forms.c, issue 19) ---- */

/* One file of a kept form, as the browser sent it. */
struct store_kept_file {
	const char *field; /* the form field that carried it */
	const char *filename;
	const unsigned char *data;
	size_t size;
};

struct store_kept_form {
	int64_t id;
	const char *secret_hash; /* hex hash of the browser cookie's secret */
	int64_t user_id;         /* the ended session's user; 0: not known */
	const char *page;        /* path of the page the form is on */
	const char *fields;      /* the text fields, urlencoded */
	bool files_dropped;      /* files were sent but not kept */
	const char *client_ip;
	int64_t bytes; /* fields and files together */
	int64_t created_at;
	int64_t expires_at;
	struct store_kept_file *files;
	size_t nfiles;
};

/* Stores a kept form and its files (kf->id is not read). A kept form of
 * the same secret_hash is replaced. */
enum zek_rc store_kept_form_insert(struct store_conn *c,
    const struct store_kept_form *kf);
/* The kept form of a secret hash with its files, also an expired one;
 * ZEK_NOTFOUND when there is none. */
enum zek_rc store_kept_form_get(struct store_conn *c, struct arena *a,
    const char *secret_hash, struct store_kept_form **out);
/* Deletes the kept form of a secret hash (none is not an error). */
enum zek_rc store_kept_form_delete(struct store_conn *c,
    const char *secret_hash);
/* Deletes kept forms that expired before `now`; *n how many (may be NULL). */
enum zek_rc store_kept_forms_purge(struct store_conn *c, int64_t now,
    int64_t *n);
/* Live kept forms sent from client_ip, and the bytes all live ones hold. */
enum zek_rc store_kept_forms_usage(struct store_conn *c, const char *client_ip,
    int64_t now, int64_t *from_ip, int64_t *bytes);

/* ---- e-mail outbox (sqlite_outbox.c) ---- */

/* One mail to one recipient. Sending claims it first, so several
 * processes sharing the database never send one mail twice. */
struct store_mail {
	int64_t id;
	const char *event;    /* "created", "comment", ... see core/notify.h */
	int64_t request_id;   /* 0 = none */
	int64_t recipient_id; /* 0 = none */
	const char *to_addr;
	const char *to_name;
	const char *lang;       /* the recipient's "de" | "en" */
	const char *tz;         /* the recipient's IANA zone */
	const char *message_id; /* "<...@host>", unique */
	const char *thread_id;  /* the request's root id, "" = none */
	const char *payload;    /* JSON object with the event's facts */
	const char *raw;        /* rendered message, "" until first sent */
	const char *state;      /* "pending" | "sent" | "failed" */
	int64_t attempts;       /* claims so far */
	int64_t next_attempt_at;
	const char *claimed_by; /* "" = not claimed */
	int64_t claimed_until;  /* 0 = not claimed */
	const char *last_error;
	int64_t created_at;
	int64_t sent_at; /* 0 = not sent */
};

/* Inserts a pending mail (id, raw, state, attempts, claim and sent_at of
 * m are ignored). ZEK_CONFLICT when message_id exists. */
enum zek_rc store_outbox_insert(struct store_conn *c,
    const struct store_mail *m, int64_t *id_out);
/* Inserts n mails as store_outbox_insert does, with one statement, in
 * their order; all or none (ZEK_TOOBIG over STORE_OUTBOX_BATCH_BYTES). */
#define STORE_OUTBOX_BATCH_BYTES (64u << 20)
enum zek_rc store_outbox_insert_many(struct store_conn *c,
    const struct store_mail *m, size_t n);
/* Claims up to `limit` mails that are due at `now` (pending, not claimed
 * or their claim lapsed) for `token` until `until`, counting an attempt on
 * each, in one statement: on PostgreSQL with FOR UPDATE SKIP LOCKED, so
 * senders claiming at once get disjoint sets; on SQLite under the write
 * lock. *ids (in the arena): the claimed ones, oldest due first; *n may be
 * 0. */
enum zek_rc store_outbox_claim_due(struct store_conn *c, struct arena *a,
    const char *token, int64_t now, int64_t until, size_t limit, int64_t **ids,
    size_t *n);
/* Extends token's claim on mail `id` to `until`, also after it lapsed if
 * nobody took the mail over. ZEK_CONFLICT when someone else holds it or it
 * is no longer pending. */
enum zek_rc store_outbox_renew(struct store_conn *c, int64_t id,
    const char *token, int64_t until);
/* Claims a due mail for `token` until `until` and counts an attempt, in
 * one statement. ZEK_CONFLICT when it is not pending, not due, or claimed
 * by someone else whose claim has not lapsed. */
enum zek_rc store_outbox_claim(struct store_conn *c, int64_t id,
    const char *token, int64_t now, int64_t until);
/* One mail with payload and raw message. */
enum zek_rc store_outbox_get(struct store_conn *c, struct arena *a, int64_t id,
    struct store_mail **out);
/* How many answers to strangers (event "mail_unknown", core/notify.h)
 * went to `to_addr` (any ASCII case) since `since`: their rate limit
 * (core/inbound.c). The index holds those mails only. */
enum zek_rc store_outbox_count_stranger(struct store_conn *c,
    const char *to_addr, int64_t since, int64_t *out);
/* The mail with this Message-ID ("<...>"), without the raw message;
 * ZEK_NOTFOUND if zek sent none such (incoming replies, core/inbound.c). */
enum zek_rc store_outbox_by_message_id(struct store_conn *c, struct arena *a,
    const char *message_id, struct store_mail **out);
/* The following take the claim's token and change nothing (ZEK_CONFLICT)
 * when the claim is no longer held by it. */
/* Keeps the rendered message, so every attempt sends the same bytes. */
enum zek_rc store_outbox_set_raw(struct store_conn *c, int64_t id,
    const char *token, const char *raw);
/* Marks the mail sent and releases the claim; `forget` also blanks its
 * payload and message (a mail that carried a single-use link). */
enum zek_rc store_outbox_sent(struct store_conn *c, int64_t id,
    const char *token, int64_t now, bool forget);
/* Releases the claim; the mail is due again at next_at. */
enum zek_rc store_outbox_retry(struct store_conn *c, int64_t id,
    const char *token, int64_t next_at, const char *error);
/* Marks the mail failed for good with the reason. */
enum zek_rc store_outbox_failed(struct store_conn *c, int64_t id,
    const char *token, const char *error);
/* Mails newest first without the raw message; `state` NULL = any,
 * `request_id` 0 = any. */
enum zek_rc store_outbox_list(struct store_conn *c, struct arena *a,
    const char *state, int64_t request_id, size_t limit,
    struct store_mail **out, size_t *n);

/* ---- incoming e-mail (inbound.c) ---- */

/* One received message and what became of it (docs/internals/mail.md). */
struct store_inbound {
	int64_t id;
	int64_t received_at;
	const char *message_id;   /* "<...>" as received, "" = none */
	const char *raw_hash;     /* hex SHA-256 of every byte received */
	const unsigned char *raw; /* the stored bytes; NULL unless asked for */
	size_t raw_len;           /* bytes stored (the head of a big one) */
	int64_t raw_size;         /* bytes received */
	const char *from_addr;    /* as the From header says, "" = none */
	const char *subject;
	const char *state;       /* "new" | "done" | "ignored" |
	                            "quarantined" | "discarded" */
	const char *reason;      /* a short code, "" for done */
	int64_t request_id;      /* what it became, 0 = nothing */
	const char *request_key; /* read only: its key, "" for none */
	int64_t comment_id;
	int64_t processed_at;          /* 0 = not yet */
	int64_t discarded_by;          /* users.id of the admin, 0 = none or the
	                                  command line */
	const char *discarded_by_name; /* read only: "" for none */
	int64_t discarded_at;          /* 0 = not discarded */
};

/* Stores a received message (m: received_at, message_id ("" = none),
 * raw_hash, raw_size, from_addr, subject; raw/len the bytes kept) as
 * 'new', unless one with the same message_id or raw_hash is there: then
 * nothing is written, *dup is set and *id_out is that one's id. */
enum zek_rc store_inbound_insert(struct store_conn *c,
    const struct store_inbound *m, const void *raw, size_t len, int64_t *id_out,
    bool *dup);
enum zek_rc store_inbound_get(struct store_conn *c, struct arena *a, int64_t id,
    bool with_raw, struct store_inbound **out);
/* Inside the transaction that processes message `id`: takes it when it is
 * still 'new' (on PostgreSQL its row stays locked until the end, so a
 * second process waits, then finds it taken). ZEK_CONFLICT otherwise. */
enum zek_rc store_inbound_claim(struct store_conn *c, int64_t id, int64_t now);
/* Writes m's state, reason, request_id, comment_id and processed_at. */
enum zek_rc store_inbound_finish(struct store_conn *c,
    const struct store_inbound *m);
/* Makes a quarantined message 'new' again, unless only its head was kept
 * (too big). ZEK_NOTFOUND when it is no such message. */
enum zek_rc store_inbound_requeue(struct store_conn *c, int64_t id);
/* Newest first, without the raw bytes, skipping the first `offset`;
 * state NULL = any. */
enum zek_rc store_inbound_list(struct store_conn *c, struct arena *a,
    const char *state, size_t offset, size_t limit, struct store_inbound **out,
    size_t *n);
/* How many messages are in `state` (NULL = any). */
enum zek_rc store_inbound_count(struct store_conn *c, const char *state,
    int64_t *n);
/* Marks a quarantined message 'discarded' by user `by` (0 = the command
 * line) at `at`; its bytes stay for the record. ZEK_NOTFOUND when it is
 * no quarantined message. */
enum zek_rc store_inbound_discard(struct store_conn *c, int64_t id, int64_t by,
    int64_t at);
/* The secret that signs reply addresses (core/mailtoken.c), in the arena:
 * the stored one, or, when there is none yet, `fresh` (len bytes) stored
 * now (a concurrent first writer's wins). */
enum zek_rc store_mail_secret(struct store_conn *c, struct arena *a,
    const void *fresh, size_t len, const unsigned char **out, size_t *n);

/* ---- satisfaction ratings (ratings.c) ---- */

/* The rating of one closed request by its reporter (core/rating.h). */
struct store_rating {
	int64_t request_id;
	int64_t user_id;     /* who rated: the reporter then */
	int64_t score;       /* 1..5 */
	const char *comment; /* "" = none */
	int64_t created_at;  /* the first rating; changes count from it */
	int64_t updated_at;  /* the last change */
};

/* ZEK_NOTFOUND when the request has no rating. */
enum zek_rc store_rating_get(struct store_conn *c, struct arena *a,
    int64_t request_id, struct store_rating **out);
/* The ratings of those of the n requests that have one, by request id,
 * with one statement (a queue page's rows). */
enum zek_rc store_ratings_of(struct store_conn *c, struct arena *a,
    const int64_t *ids, size_t n, struct store_rating **out, size_t *nout);
/* ZEK_CONFLICT when the request has a rating already. */
enum zek_rc store_rating_insert(struct store_conn *c,
    const struct store_rating *r);
/* Writes score, comment and updated_at; ZEK_NOTFOUND when there is none. */
enum zek_rc store_rating_update(struct store_conn *c,
    const struct store_rating *r);

/* ---- canned responses, "Textbausteine" (snippets.c) ---- */

/* A snippet agents insert into a reply (core/snippets.h). */
struct store_snippet {
	int64_t id;
	const char *title;
	const char *body; /* Markdown with placeholders */
	int64_t created_by;
	int64_t created_at;
	int64_t updated_by;          /* the last change: who, when */
	const char *updated_by_name; /* read only: the user's name */
	int64_t updated_at;
};

/* The snippets not deleted, by title (then id), at most limit. */
enum zek_rc store_snippets_list(struct store_conn *c, struct arena *a,
    size_t limit, struct store_snippet **out, size_t *n);
/* ZEK_NOTFOUND when there is none or it is deleted. */
enum zek_rc store_snippet_get(struct store_conn *c, struct arena *a, int64_t id,
    struct store_snippet **out);
/* Inserts title and body, created and updated by s->created_by at
 * s->created_at. */
enum zek_rc store_snippet_insert(struct store_conn *c,
    const struct store_snippet *s, int64_t *id_out);
/* Writes title, body, updated_by and updated_at; ZEK_NOTFOUND when there
 * is no such snippet (or it is deleted). */
enum zek_rc store_snippet_update(struct store_conn *c,
    const struct store_snippet *s);
/* Marks it deleted by `by` at `at` (the row stays as the record);
 * ZEK_NOTFOUND when there is none or it is deleted already. */
enum zek_rc store_snippet_delete(struct store_conn *c, int64_t id, int64_t by,
    int64_t at);

/* ---- the request list, "Anfragen" (sqlite_list.c) ---- */

#define STORE_LIST_LIMIT_MAX 1000 /* rows of one page */
#define STORE_LIST_TERMS_MAX 1024 /* bytes of search text */
#define STORE_LIST_WORDS_MAX 16   /* search words; more are ignored */

/* Whose requests a list holds, among those the viewer may see. */
enum store_list_who {
	STORE_LIST_VISIBLE,       /* all of them */
	STORE_LIST_REPORTED,      /* the viewer is the reporter or raised
	                           * it for them ("Erstellt von mir") */
	STORE_LIST_PARTICIPATING, /* the viewer is a participant */
};

struct store_list_query {
	int64_t viewer_id;
	bool see_all; /* agents: every request is visible; else
	                 the reporter, the creator, participants
	                 and members of the organisation it is
	                 shared with (as core/perm.c) */
	enum store_list_who who;
	/* Status codes to show and all the other known codes, so the store
	 * may exclude those instead when that is cheaper. No other code (or
	 * no code at all) means every status. */
	const char *const *statuses;
	size_t nstatuses;
	const char *const *not_statuses;
	size_t nnot_statuses;
	int64_t type_id; /* 0 = every type */
	/* Search words (NULL or "" = none), each must occur in the key, title
	 * or description; case and umlauts do not matter; a word ending in a
	 * letter is a prefix. Any text is safe: quotes and operators are only
	 * text. Text without any letter or digit matches nothing. */
	const char *terms;
	/* The order: by creation, or by the last change the viewer may know
	 * of (see_all: updated_at, else customer_updated_at), newest first. */
	bool by_updated;
	bool has_cursor;   /* false: the first page */
	int64_t cursor_at; /* the order's value of the row next to the
	                      wanted page */
	int64_t cursor_id;
	bool backward; /* the page before the cursor (newer rows) */
	size_t limit;  /* 1..STORE_LIST_LIMIT_MAX */
	/* Counting search hits stops after this many (0 = never); lists by
	 * status and type alone are always counted exactly. */
	int64_t count_max;
	bool skip_count; /* no count of search hits (*total 0) */
};

struct store_list_row {
	int64_t id;
	const char *key;
	const char *title;
	const char *status;
	int64_t type_id;
	int64_t desk_id;
	int64_t reporter_id;
	const char *reporter_name;
	int64_t created_at;
	int64_t updated_at;          /* any change, for staff */
	int64_t customer_updated_at; /* a change customers may know of */
};

/* Lists by last change sort at most this many requests; more are
 * ZEK_TOOBIG (a list by creation pages through any number). */
#define STORE_LIST_UPDATED_MAX 2000

/* One page of the list, newest first (created_at DESC, id DESC): the
 * first `limit` rows, or those right after the cursor row, or with
 * backward the `limit` rows right before it (still newest first).
 * *total = the number of rows the query matches, ignoring the cursor; when
 * it has more than q->count_max, *total = q->count_max and *capped is set.
 * ZEK_INVALID for a bad limit, status code or search text (not UTF-8, or
 * longer than STORE_LIST_TERMS_MAX). With by_updated the order is the
 * last change's (then id), and a list of more than STORE_LIST_UPDATED_MAX
 * requests that is not an agent's by status and type alone is ZEK_TOOBIG;
 * such a list is always counted (skip_count does not apply). */
enum zek_rc store_requests_list(struct store_conn *c, struct arena *a,
    const struct store_list_query *q, struct store_list_row **rows, size_t *n,
    int64_t *total, bool *capped);

/* ---- the agents' side: assignee, queues, auto-close (sqlite_agent.c) ---- */

#define STORE_QUEUE_LIMIT_MAX 1000 /* rows of one read */
#define STORE_QUEUE_TERMS_MAX 1024 /* bytes of search text */
#define STORE_QUEUE_WORDS_MAX 16   /* search words; more are ignored */
#define STORE_QUEUE_STATUSES 4     /* status codes one count takes */

/* Whose requests: anyone's, nobody's, or one user's. */
enum store_assignee {
	STORE_ASSIGNEE_ANY,
	STORE_ASSIGNEE_NONE,
	STORE_ASSIGNEE_USER,
};

/* The column a queue is read in the order of (and its cursor's value). */
enum store_queue_order {
	STORE_ORDER_CREATED, /* created_at */
	STORE_ORDER_UPDATED, /* updated_at */
	STORE_ORDER_SLA_DUE, /* sla_due_at: next to breach first */
};

/* "Never" in the service-level columns (no goal runs, none breached). */
#define STORE_SLA_NEVER INT64_MAX

/* One read of a queue: the requests in ONE status, in one order, from a
 * cursor. A queue of several statuses reads each and merges them. */
struct store_queue_query {
	const char *status; /* status code */
	enum store_assignee assignee;
	int64_t assignee_id;   /* STORE_ASSIGNEE_USER */
	int64_t updated_since; /* > 0: only rows updated at or after this
	                          (only with STORE_ASSIGNEE_ANY) */
	int64_t breached_by;   /* > 0: only rows with a service level
	                          breached at or before this (only with
	                          STORE_ASSIGNEE_ANY, not updated_since) */
	/* Search words (NULL or "" = none), each must occur in the key, title
	 * or description; as in the request list (store_requests_list). */
	const char *terms;
	enum store_queue_order order;
	bool ascending;       /* oldest first, else newest first */
	bool has_cursor;      /* false: from the start */
	int64_t cursor_value; /* the order column of the cursor row */
	int64_t cursor_id;    /* rows strictly after (value, id) */
	size_t limit;         /* 1..STORE_QUEUE_LIMIT_MAX */
	/* store_queue_count with search words stops at count_max + 1 (0 =
	 * never): a word in most requests would cost a read of all its hits. */
	int64_t count_max;
};

struct store_queue_row {
	int64_t id;
	const char *key;
	const char *title;
	const char *status;
	const char *resolution;
	int64_t type_id;
	int64_t desk_id;
	int64_t reporter_id;
	const char *reporter_name;
	int64_t assignee_id;       /* 0 = nobody */
	const char *assignee_name; /* "" = nobody */
	int64_t created_at;
	int64_t updated_at;
	int64_t sla_due_at; /* as struct store_request_sla */
	int64_t sla_due_goal_ms;
	int64_t sla_breach_at;
};

/* Up to `limit` rows of q, in q's order. ZEK_INVALID for a bad limit, a
 * missing status, updated_since with an assignee condition, or search
 * text that is not UTF-8 or too long. Search text without any letter or
 * digit matches nothing. */
enum zek_rc store_queue_page(struct store_conn *c, struct arena *a,
    const struct store_queue_query *q, struct store_queue_row **rows,
    size_t *n);
/* How many requests are in any of `statuses` (1..STORE_QUEUE_STATUSES
 * codes) under q's assignee, updated_since and terms (q->status, order,
 * cursor and limit are ignored). */
enum zek_rc store_queue_count(struct store_conn *c, struct arena *a,
    const struct store_queue_query *q, const char *const *statuses,
    size_t nstatuses, int64_t *out);

/* ---- retention: closed requests deleted after a time (retention.c) ---- */

/* A closed request whose time is up. */
struct store_retention_due {
	int64_t id;
	const char *key;
	const char *title;
	int64_t type_id;
	int64_t updated_at; /* its last change */
};

/* Closed requests last changed before `before`, ids above after_id,
 * lowest first, at most `limit`. */
enum zek_rc store_retention_due(struct store_conn *c, struct arena *a,
    int64_t before, int64_t after_id, size_t limit,
    struct store_retention_due **out, size_t *n);
/* Deletes closed request r with its activity log, comments, values,
 * participants, files, rating, search row and the mails sent and
 * received about it, and records it in retention_log with their counts.
 * Call inside a transaction. ZEK_NOTFOUND when it is gone or open again. */
enum zek_rc store_request_purge(struct store_conn *c,
    const struct store_retention_due *r, int64_t now);
/* For /metrics: mails waiting to be sent, when the oldest of them was
 * enqueued (0: none), and mails that failed for good. */
enum zek_rc store_outbox_gauges(struct store_conn *c, int64_t *pending,
    int64_t *oldest_pending_at, int64_t *failed);
/* Requests deleted so at or after `since`. */
enum zek_rc store_retention_logged(struct store_conn *c, int64_t since,
    int64_t *out);

/* A request's service levels as the queues read them (core/sla.h works
 * them out): when the earliest running goal breaches or the breached one
 * did (STORE_SLA_NEVER: none runs), that goal's length, and the earliest
 * breach of any goal, past or future (STORE_SLA_NEVER: none). */
struct store_request_sla {
	int64_t due_at;
	int64_t due_goal_ms;
	int64_t breach_at;
};
/* The columns of a request with no goal running (a new request's unless
 * its type has goals). */
#define STORE_REQUEST_SLA_NONE \
	((struct store_request_sla){ .due_at = STORE_SLA_NEVER, \
	    .breach_at = STORE_SLA_NEVER })

/* Stores them and clears the request's "stale" mark. */
enum zek_rc store_request_set_sla(struct store_conn *c, int64_t request_id,
    const struct store_request_sla *sla);
/* Marks the open requests of a type to be worked out again (its goals
 * changed); every open request when type_id is 0. */
enum zek_rc store_requests_mark_sla_stale(struct store_conn *c,
    int64_t type_id);
/* Up to `limit` marked requests, lowest id first. */
enum zek_rc store_requests_sla_stale(struct store_conn *c, struct arena *a,
    size_t limit, int64_t **ids, size_t *n);

/* The assignee of a request (0 = nobody). ZEK_NOTFOUND: no request. */
enum zek_rc store_request_assignee(struct store_conn *c, int64_t request_id,
    int64_t *assignee_id);
/* Sets the assignee (0 = nobody) and updated_at. */
enum zek_rc store_request_set_assignee(struct store_conn *c, int64_t request_id,
    int64_t assignee_id, int64_t updated_at);
/* Users whose role is one of "agent", "admin", ordered by name, at most
 * `limit`. */
enum zek_rc store_staff_list(struct store_conn *c, struct arena *a,
    size_t limit, struct store_user **out, size_t *n);
/* When the request entered its current status: the time of its newest
 * "status_changed" activity entry, else (a request never changed, or
 * imported) its updated_at. */
enum zek_rc store_request_status_since(struct store_conn *c, int64_t request_id,
    int64_t *out);
/* Ids of requests with `status` and `resolution` that entered that status
 * (as store_request_status_since) at or before `before`, oldest id first,
 * at most `limit`, with ids above `after_id`. */
enum zek_rc store_requests_waiting(struct store_conn *c, struct arena *a,
    const char *status, const char *resolution, int64_t before,
    int64_t after_id, size_t limit, int64_t **ids, size_t *n);

/* ---- the business calendar of the service levels (calendar.c) ---- */

/* Working days (bit 0 Monday ... bit 6 Sunday) and hours (local minutes
 * of the day), the Bundesland ("DE-BY", "" = federal holidays only) and
 * the zone, as an admin saved them. */
struct store_calendar {
	int64_t weekdays;
	int64_t start_minute, end_minute;
	const char *state;
	const char *tz;
};

/* ZEK_NOTFOUND while no admin has saved the calendar. */
enum zek_rc store_calendar_get(struct store_conn *c, struct arena *a,
    struct store_calendar *out);
enum zek_rc store_calendar_put(struct store_conn *c,
    const struct store_calendar *cal);

/* An extra closed day: yyyymmdd, or mmdd for that date every year. */
struct store_closed_day {
	int64_t day;
	const char *name;
};

/* Every closed day by day (the yearly ones, mmdd, first), at most
 * `limit`. */
enum zek_rc store_closed_days_list(struct store_conn *c, struct arena *a,
    size_t limit, struct store_closed_day **out, size_t *n);
/* ZEK_CONFLICT: that day is closed already. */
enum zek_rc store_closed_day_add(struct store_conn *c,
    const struct store_closed_day *d);
/* ZEK_NOTFOUND: no such closed day. */
enum zek_rc store_closed_day_delete(struct store_conn *c, int64_t day);
enum zek_rc store_closed_days_count(struct store_conn *c, int64_t *n);

/* ---- administration: help center, configuration version, history
 * (admin.c) ---- */

/* The help center's texts and its announcement. "" = the built-in text
 * (title, intro) or none (announcement); times UTC ms, 0 = open. */
struct store_help_center {
	const char *title_de, *title_en;
	const char *intro_de, *intro_en;
	const char *announcement_de, *announcement_en;
	int64_t announcement_from, announcement_until;
};

/* Every field "" and 0 while no admin has saved any. */
enum zek_rc store_help_center_get(struct store_conn *c, struct arena *a,
    struct store_help_center *out);
enum zek_rc store_help_center_put(struct store_conn *c,
    const struct store_help_center *h);
/* A service desk's name and description. ZEK_NOTFOUND: no such desk. */
enum zek_rc store_desk_texts_set(struct store_conn *c, int64_t desk_id,
    const char *name, const char *description);
/* The configuration's version: 0 before the first change. */
enum zek_rc store_config_version(struct store_conn *c, int64_t *out);
/* Counts one change and returns the new version; inside the change's
 * transaction (its row lock orders concurrent changes on PostgreSQL). */
enum zek_rc store_config_version_bump(struct store_conn *c, int64_t *out);

/* One changed setting. */
struct store_config_change {
	int64_t id;
	int64_t at;
	int64_t actor_id;       /* 0 = the command line */
	const char *actor_name; /* read only: "" for none */
	const char *subject;    /* what changed: "help_title_de", ... */
	const char *target;     /* of what: "" (the help center), a
	                           desk's project key, ... */
	const char *old_value;
	const char *new_value;
};

enum zek_rc store_config_change_add(struct store_conn *c,
    const struct store_config_change *e);
/* Newest first; before_id 0 = from the newest. */
enum zek_rc store_config_changes_list(struct store_conn *c, struct arena *a,
    int64_t before_id, size_t limit, struct store_config_change **out,
    size_t *n);

/* ---- the reports' facts and counts (reports.c, issue 18) ---- */

/* What one request adds to the counts (see migration 0033_reports):
 * days are local days (calendar_day_number), -1 = none. */
struct store_report_facts {
	int64_t request_id;
	int64_t type_id;
	int64_t created_day;
	int64_t resolved_day;
	int64_t response_day;
	int64_t response_ms;   /* working time to the first response */
	int64_t response_goal; /* 0 no goal, 1 met, 2 breached */
	int64_t resolution_day;
	int64_t resolution_ms; /* working time of the resolution cycles */
	int64_t resolution_goal;
	int64_t rating_day;
	int64_t rating;       /* 1..5, 0 = none */
	const char *services; /* "3,17": Online-Dienste (objects.id) */
};

/* The counters of report_days, in their column order. */
enum store_report_col {
	STORE_REPORT_CREATED,
	STORE_REPORT_RESOLVED,
	STORE_REPORT_RESPONSE_MET,
	STORE_REPORT_RESPONSE_BREACHED,
	STORE_REPORT_RESOLUTION_MET,
	STORE_REPORT_RESOLUTION_BREACHED,
	STORE_REPORT_RATED_1, /* ... _RATED_1 + 4 = rated 5 */
	STORE_REPORT_COLS = STORE_REPORT_RATED_1 + 5
};

/* One day's counters summed over the types asked for. */
struct store_report_day {
	int64_t day;
	int64_t v[STORE_REPORT_COLS];
};

/* A histogram bucket or an Online-Dienst with its count. */
struct store_report_count {
	int64_t key; /* measure * 1000 + bucket; objects.id */
	int64_t n;
};

/* ZEK_NOTFOUND when the request has none yet. */
enum zek_rc store_report_facts_get(struct store_conn *c, struct arena *a,
    int64_t request_id, struct store_report_facts **out);
enum zek_rc store_report_facts_put(struct store_conn *c,
    const struct store_report_facts *f);
/* Add to (or, negative, take from) the counts of a day and type. */
enum zek_rc store_report_day_add(struct store_conn *c, int64_t day,
    int64_t type_id, const int64_t v[STORE_REPORT_COLS]);
enum zek_rc store_report_time_add(struct store_conn *c, int64_t day,
    int64_t type_id, int64_t measure, int64_t bucket, int64_t n);
enum zek_rc store_report_service_add(struct store_conn *c, int64_t day,
    int64_t type_id, int64_t object_id, int64_t n);
/* The Online-Dienste (objects.id as text, as stored) the request's
 * values name in fields of that kind of its type. */
enum zek_rc store_report_service_values(struct store_conn *c, struct arena *a,
    int64_t request_id, int64_t type_id, const char ***out, size_t *n);
/* Forgets every fact and count and marks every request for the "sla"
 * job, which counts each anew from its log (zek reports rebuild). */
enum zek_rc store_report_clear(struct store_conn *c);
/* Whether requests wait for the "sla" job (their counts may lag). */
enum zek_rc store_report_pending(struct store_conn *c, bool *out);

/* The reads of a report over the days [from, to]; type_id 0 = all. */
enum zek_rc store_report_days(struct store_conn *c, struct arena *a,
    int64_t from, int64_t to, int64_t type_id, struct store_report_day **out,
    size_t *n);
/* Created minus resolved over every day before `before`. */
enum zek_rc store_report_open_before(struct store_conn *c, int64_t before,
    int64_t type_id, int64_t *out);
/* The histograms' buckets, key = measure * 1000 + bucket. */
enum zek_rc store_report_times(struct store_conn *c, struct arena *a,
    int64_t from, int64_t to, int64_t type_id, struct store_report_count **out,
    size_t *n);
/* The Online-Dienste most named by requests of the types (ids) created
 * in the days, most first, at most `limit`. */
enum zek_rc store_report_services(struct store_conn *c, struct arena *a,
    int64_t from, int64_t to, const int64_t *type_ids, size_t ntypes,
    size_t limit, struct store_report_count **out, size_t *n);

/* ---- links between requests (links.c) ---- */

/* A link as stored: kind "duplicate" (request_id is a duplicate of
 * linked_id) or "relates" (both ways). */
struct store_link {
	int64_t request_id;
	int64_t linked_id;
	const char *kind;
	int64_t created_at;
};

/* ZEK_CONFLICT when the pair is linked already (this way round). */
enum zek_rc store_link_add(struct store_conn *c, const struct store_link *l);
/* Removes the link between the two, whichever way it was stored;
 * ZEK_NOTFOUND when there is none. */
enum zek_rc store_link_remove(struct store_conn *c, int64_t a_id, int64_t b_id);
/* Every link of the request, either way round, oldest first. */
enum zek_rc store_links_of(struct store_conn *c, struct arena *a,
    int64_t request_id, struct store_link **out, size_t *n);

#endif
