/* query.h: what the query files share, whatever the database: connections,
 * statements, binding and row helpers, and the driver each backend (sqlite.c,
 * pg.c) fills in. Private to src/store/. */
#ifndef ZEK_STORE_QUERY_H
#define ZEK_STORE_QUERY_H

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/zek.h"
#include "store/store.h"

/* Counts one failure of the database (store_errors_total). */
void sq_error_count(enum store_error_kind kind);

struct arena;
struct store_migration;

/* A started statement. SQLite: a sqlite3_stmt; PostgreSQL: its result. */
struct sq_stmt;

/* One column value of a kept result row (sq_collect_cached). */
struct sq_value {
	int64_t i;
	const char *s; /* NULL: not text (NULL, integer) */
	size_t len;
};

/* A row being read column by column; a failed read marks `failed`.
 * `vals` set: the row comes from kept values instead of `st`. */
struct sq_row {
	struct arena *a;
	struct store_conn *c;
	struct sq_stmt *st;
	int col;
	int failed;
	const struct sq_value *vals;
	int nvals;
};

typedef void (*sq_row_map_fn)(struct sq_row *r, void *elem);

/* Where a connection's transaction stands (sq_driver.tx_state). */
enum sq_tx {
	SQ_TX_NONE, /* none open: ended, or rolled back by the
	             * database after a failure */
	SQ_TX_OPEN, /* open, perhaps failed (PostgreSQL) */
	SQ_TX_LOST  /* the connection is lost, and it too */
};

/*
 * What a backend provides. Statement SQL is written once, for both: `?`
 * placeholders, integers for booleans and times, standard SQL; where the
 * two must differ a query picks its text with sq_dialect.
 */
struct sq_driver {
	const char *name; /* "sqlite" | "postgresql" */
	bool is_pg;

	/* Connections: the calling thread's, opened on first use. */
	struct store_conn *(*conn_open)(struct store *st);
	void (*conn_free)(struct store_conn *c);
	void (*close)(struct store *st);

	/* Statements (the cache is keyed by the SQL literal's address). */
	struct sq_stmt *(*start)(struct store_conn *c, enum zek_rc *rc,
	    const char *sql, const char *fmt, va_list ap);
	int (*next)(struct store_conn *c, struct sq_stmt *st, enum zek_rc *rc);
	void (*finish)(struct store_conn *c, struct sq_stmt *st);
	int64_t (*changes)(struct store_conn *c);
	int64_t (*col_i64)(struct sq_stmt *st, int col);
	/* The column's bytes (text, or a blob's contents when `blob`) into
	 * the arena, NUL-terminated; *out = NULL for SQL NULL. */
	enum zek_rc (*col_copy)(struct sq_stmt *st, int col, bool blob,
	    struct arena *a, const char **out, size_t *len);
	enum zek_rc (*exec_sql)(struct store_conn *c, const char *sql);
	/* The desk's next request number taken apart from the caller's
	 * transaction, so that the counter row is not held until it ends;
	 * any other answer: take it inside (store_desk_next_number).
	 * NULL: always inside. */
	enum zek_rc (*take_number)(struct store_conn *c, int64_t desk_id,
	    int64_t *number);

	/* Kept results (see sq_collect_cached); NULL: never kept. */
	enum zek_rc (*collect_cached)(struct store_conn *c, struct arena *a,
	    struct sq_stmt *st, int64_t key, bool one, sq_row_map_fn map,
	    size_t size, void **out, size_t *n);
	enum zek_rc (*query_i64_cached)(struct store_conn *c, int64_t key,
	    int64_t *out, struct sq_stmt *st);

	/* Transactions and scopes, as store.h describes them. Outside a
	 * scope store_begin/commit/rollback are the driver's tx_begin,
	 * tx_commit and tx_rollback. Inside one query.c keeps the savepoints:
	 * scope_open opens the scope's write transaction when it has none
	 * yet, tx_exec runs SAVEPOINT, RELEASE and ROLLBACK TO, tx_state
	 * says whether the transaction is still there. */
	enum zek_rc (*tx_begin)(struct store_conn *c);
	enum zek_rc (*tx_commit)(struct store_conn *c);
	enum zek_rc (*tx_rollback)(struct store_conn *c);
	enum zek_rc (*scope_open)(struct store_conn *c);
	enum zek_rc (*tx_exec)(struct store_conn *c, const char *sql);
	enum sq_tx (*tx_state)(struct store_conn *c);
	/* A scope's start, and its end once query.c has found every
	 * savepoint closed (else it ends with commit = false). */
	void (*scope_begin)(struct store_conn *c);
	enum zek_rc (*scope_end)(struct store_conn *c, bool commit);
	void (*scope_defer)(struct store_conn *c);
	uint64_t (*scope_ticket)(struct store_conn *c);
	enum zek_rc (*durable_wait)(struct store *st, uint64_t ticket);
	enum zek_rc (*durable_notify)(struct store *st, uint64_t ticket,
	    void (*fn)(void *arg, int rc), void *arg);

	/* Migrations: the backend's own numbered list, applied each inside
	 * migrate_begin/_end so that processes starting at once apply each
	 * one once. */
	const struct store_migration *migrations;
	const int *nmigrations;
	enum zek_rc (*migrate_begin)(struct store_conn *c);
	enum zek_rc (*migrate_end)(struct store_conn *c, bool commit);

	/* What each backend answers its own way. */
	enum zek_rc (*requests_list)(struct store_conn *c, struct arena *a,
	    const struct store_list_query *q, struct store_list_row **rows,
	    size_t *n, int64_t *total, bool *capped);
	enum zek_rc (*queue_page)(struct store_conn *c, struct arena *a,
	    const struct store_queue_query *q, struct store_queue_row **rows,
	    size_t *n);
	enum zek_rc (*queue_count)(struct store_conn *c, struct arena *a,
	    const struct store_queue_query *q, const char *const *statuses,
	    size_t nstatuses, int64_t *out);
	/* After deleting many rows (expired uploads): give space back. */
	enum zek_rc (*reclaim)(struct store_conn *c);
};

/* The handle both backends start with (each embeds it first). */
struct store {
	const struct sq_driver *drv;
	bool migrated; /* connections opened from now on serve requests */
	bool key_made;
	pthread_key_t key; /* the thread's connection */
};

/* One connection; each backend embeds it first in its own. */
struct store_conn {
	const struct sq_driver *drv;
	struct store *store;
	/* Inside store_scope_begin/end (one HTTP request): the first write
	 * opens one transaction for the whole scope, store_begin/commit become
	 * savepoints, and the scope's end commits or rolls it all back. */
	bool scoped;
	int depth; /* open store_begin savepoints */
	/* The scope (outside one: the last transaction) was refused as a
	 * deadlock's or serialisation failure's victim: store_scope_retryable.
	 * Set by the driver, cleared when the next scope or transaction
	 * begins. */
	bool retryable;
	struct store_phases phases; /* this scope's, when measured */
};

/* Whether phases are measured, and the monotonic clock they use. */
extern bool sq_phase_timing;
int64_t sq_now_ns(void);

extern const struct sq_driver sq_sqlite_driver;
extern const struct sq_driver sq_pg_driver;

/* Opens each backend's handle; store_open picks one by the --db text. */
enum zek_rc sq_sqlite_open(const char *path, struct store **out);
enum zek_rc sq_pg_open(const char *conninfo, struct store **out);
/* A PostgreSQL connection string fit to print: any password is "***". */
void pg_redact(const char *conninfo, char *out, size_t n);
/* Registers the thread-local connection key of a new handle. */
enum zek_rc sq_store_init(struct store *st, const struct sq_driver *drv);
void sq_store_fini(struct store *st);
/* Opens the first connection and applies the migrations (the end of each
 * backend's open). */
enum zek_rc sq_store_start(struct store *st);
/* Applies the backend's migrations not yet applied. */
enum zek_rc sq_migrate(struct store_conn *c);
/* ZEK_INVALID, said on stderr, when a database's schema `version` is
 * newer than the `known` migrations of this zek: no downgrades. */
enum zek_rc sq_refuse_newer(int64_t version, int known);

/* A statement whose text begins with this is planned with its values on
 * every run: on PostgreSQL it is sent unnamed (PQexecParams) instead of
 * prepared once. For the lists and queues, whose best plan depends on how
 * rare a word or a filter value is. Every other statement is prepared,
 * and PostgreSQL may keep a generic plan for it after a few runs, which
 * saves the planning (most of a short statement's time). SQLite reads it
 * as the comment it is. */
#define SQ_PLAN_WITH_VALUES "/* plan with values */ "

/* The SQL text of this connection's backend: both must be literals. */
#define sq_dialect(c, sqlite_sql, pg_sql) \
	((c)->drv->is_pg ? (pg_sql) : (sqlite_sql))

/* A list of ids bound as one text parameter ("3,1,2", see sq_ids_text),
 * so that one prepared statement serves any count: sq_in_ids(c, "... WHERE
 * x ", " ...") tests x against it. SQLite reads the text as a JSON array,
 * PostgreSQL as a set of one row to plan (zek_ids, 0024_ids_own.sql; an
 * index scan per id either way). */
#define SQ_IN_IDS_LITE "IN (SELECT value FROM json_each('[' || ? || ']'))"
#define SQ_IN_IDS_PG "IN (SELECT * FROM zek_ids(?))"
#define sq_in_ids(c, pre, post) \
	sq_dialect(c, pre SQ_IN_IDS_LITE post, pre SQ_IN_IDS_PG post)
/* "3,1,2": the ids as the text sq_in_ids binds, in the arena; NULL when
 * out of memory. */
const char *sq_ids_text(struct arena *a, const int64_t *ids, size_t n);

/* Prepares and binds by the letters of fmt: 't' text (NULL binds NULL),
 * 'T' text where "" binds NULL, 'i' int64_t, 'I' int64_t where 0 binds
 * NULL, 'b' bool (passed as int), 'z' size_t, 'B' a blob (const void *,
 * then size_t). `sql` must be a string literal (the statement cache
 * compares addresses). NULL on failure (*rc says why). */
struct sq_stmt *sq_start(struct store_conn *c, enum zek_rc *rc, const char *sql,
    const char *fmt, ...);
struct sq_stmt *sq_vstart(struct store_conn *c, enum zek_rc *rc,
    const char *sql, const char *fmt, va_list ap);
/* Resets a started statement for its next use. NULL is allowed. */
void sq_finish(struct store_conn *c, struct sq_stmt *st);
/* Steps once: 1 = row, 0 = done, -1 = error (*rc set). */
int sq_next(struct store_conn *c, struct sq_stmt *st, enum zek_rc *rc);
/* Rows the last statement inserted, changed or deleted. */
int64_t sq_changes(struct store_conn *c);
/* Column `col` of the current row as an integer. */
int64_t sq_stmt_i64(struct store_conn *c, struct sq_stmt *st, int col);
/* Runs a statement that returns no rows. */
enum zek_rc sq_exec(struct store_conn *c, const char *sql, const char *fmt,
    ...);
/* Runs a statement; ZEK_NOTFOUND when it changed no row. */
enum zek_rc sq_exec_changed(struct store_conn *c, const char *sql,
    const char *fmt, ...);
/* A single integer from the first column of the first row. */
enum zek_rc sq_query_i64(struct store_conn *c, int64_t *out, const char *sql,
    const char *fmt, ...);
/* Column readers: each takes the next column; strings are copied into the
 * row's arena ("" for NULL). */
const char *sq_col_str(struct sq_row *r);
int64_t sq_col_i64(struct sq_row *r);
bool sq_col_bool(struct sq_row *r);
/* A blob column into the row's arena; *len its size (NULL data: none). */
const unsigned char *sq_col_blob(struct sq_row *r, size_t *len);
/* Grows an arena array to hold one more element; NULL when out of memory. */
void *sq_grow(struct arena *a, void *arr, size_t n, size_t *cap, size_t size);
/* Collects every row of a started statement with `map` into an array of
 * elements of `size` bytes. */
/* Fills organisations.name_fold where a migration left it empty. */
enum zek_rc sq_orgs_fold_fill(struct store_conn *c);
enum zek_rc sq_collect(struct store_conn *c, struct arena *a,
    struct sq_stmt *st, sq_row_map_fn map, size_t size, void **out, size_t *n);
/* sq_collect of `sql` (a literal with sq_in_ids and no other parameter)
 * for the ids; none: no statement, no rows. */
enum zek_rc sq_collect_ids(struct store_conn *c, struct arena *a,
    const char *sql, const int64_t *ids, size_t n, sq_row_map_fn map,
    size_t size, void **out, size_t *nout);
/* The same for a statement whose first parameter is `arg`, then the ids. */
enum zek_rc sq_collect_ids_with(struct store_conn *c, struct arena *a,
    const char *sql, int64_t arg, const int64_t *ids, size_t n,
    sq_row_map_fn map, size_t size, void **out, size_t *nout);
/* Reads the single row of a started statement; ZEK_NOTFOUND if none. */
enum zek_rc sq_collect_one(struct store_conn *c, struct arena *a,
    struct sq_stmt *st, sq_row_map_fn map, size_t size, void **out);
/* As sq_collect and sq_collect_one, for a statement whose result depends
 * only on the database and on `key` (its one parameter, already bound):
 * a backend may keep the rows per connection and give them again while
 * the database is unchanged (SQLite does, inside a read transaction). For
 * the type and configuration reads every page makes; `map` must read
 * columns only with the sq_col_* functions. */
enum zek_rc sq_collect_cached(struct store_conn *c, struct arena *a,
    struct sq_stmt *st, int64_t key, sq_row_map_fn map, size_t size, void **out,
    size_t *n);
enum zek_rc sq_collect_one_cached(struct store_conn *c, struct arena *a,
    struct sq_stmt *st, int64_t key, sq_row_map_fn map, size_t size,
    void **out);
/* sq_query_i64 with the same keeping: for a read whose parameters other
 * than `key` are the same at every call. */
enum zek_rc sq_query_i64_cached(struct store_conn *c, int64_t key, int64_t *out,
    const char *sql, const char *fmt, ...);
/* A LIKE pattern "%<folded query, escaped>%" (malloc'd), "%" for none. */
char *sq_like_pattern(const char *query);
/* Runs several statements of SQL text (migrations). */
enum zek_rc sq_exec_sql(struct store_conn *c, const char *sql);
struct buf;
/* s as a JSON string, quoted and escaped, appended to b. */
void sq_json_str(struct buf *b, const char *s);
/* s, or "" for NULL. */
const char *sq_nz(const char *s);

/* The columns sq_map_user reads into a struct store_user. */
#define USER_COLS \
	"u.id, u.email, u.name, u.password_hash, u.role, u.lang, " \
	"u.tz, u.notify, u.created_at, u.deactivated_at, u.last_login_at"
void sq_map_user(struct sq_row *r, void *elem);
/* A struct store_list_row from id, key, title, status, type, desk,
 * reporter id and name, created_at. */
void sq_map_list_row(struct sq_row *r, void *elem);
/* A struct store_queue_row from id, key, title, status, resolution, type,
 * desk, reporter id and name, assignee id and name, created_at,
 * updated_at, sla_due_at, sla_due_goal_ms, sla_breach_at. */
void sq_map_queue_row(struct sq_row *r, void *elem);

/* Which rows of a status a queue reads; each has statements of its own
 * on both backends (their arrays are indexed by it). */
enum sq_queue_mode {
	SQ_MODE_ANY,      /* whoever is assigned */
	SQ_MODE_NONE,     /* nobody */
	SQ_MODE_USER,     /* assignee_id */
	SQ_MODE_SINCE,    /* changed since updated_since */
	SQ_MODE_BREACHED, /* a service level breached by breached_by */
	SQ_MODE_MAX
};
enum sq_queue_mode sq_queue_mode(const struct store_queue_query *q);
/* The value of parameter ?6 for q's mode: updated_since or breached_by. */
int64_t sq_queue_p6(const struct store_queue_query *q);

/* Whether q asks for what a queue can read: a change time goes with any
 * assignee only. */
bool sq_queue_ok(const struct store_queue_query *q);

/* Wall clock, UTC ms. */
int64_t sq_wall_ms(void);

#endif
