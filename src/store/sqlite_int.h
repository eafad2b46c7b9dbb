/* sqlite_int.h: what the SQLite query files share: the connection, cached
 * statements, binding and row helpers. Private to src/store/sqlite*.c. */
#ifndef ZEK_STORE_SQLITE_INT_H
#define ZEK_STORE_SQLITE_INT_H

#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/zek.h"

struct arena;

#define STMT_CACHE_MAX 512      /* distinct SQL texts one connection keeps */

struct stmt_slot {
	const char *sql;            /* identity: the address of a literal */
	sqlite3_stmt *st;
};

struct store_conn {
	sqlite3 *db;
	struct stmt_slot cache[STMT_CACHE_MAX];
	size_t ncache;
	/* Inside store_scope_begin/end (one HTTP request): the first write
	 * opens one transaction for the whole scope, store_begin/commit become
	 * savepoints, and the scope's end commits or rolls it all back. */
	bool scoped;
	int depth;                  /* open store_begin savepoints */
	/* Speed (docs/internals/performance.md): a scope's reads share one
	 * read transaction (BEGIN), which its first write ends; the write
	 * transaction holds the store's write lock (one writer per process,
	 * no busy waiting) until it ends. */
	struct store *store;
	bool reading;               /* the scope's read transaction is open */
	bool writing;               /* this connection holds the write lock */
	bool group_sync;            /* WAL: commits are synced by the store */
	bool defer_sync;            /* store_scope_defer: the commit not awaited */
	uint64_t ticket;            /* ... but recorded here */
	struct sq_result *results;  /* sq_collect_cached's rows */
	size_t nresults, result_bytes;
	unsigned results_version;   /* the data version they are of */
};

/* One column value of a kept result row. */
struct sq_value {
	int64_t i;
	const char *s;              /* NULL: not text (NULL, integer) */
	size_t len;
};

/* A row being read column by column; a failed read marks `failed`.
 * `vals` set: the row comes from kept values instead of `st`. */
struct sq_row {
	struct arena *a;
	sqlite3_stmt *st;
	int col;
	int failed;
	const struct sq_value *vals;
	int nvals;
};

typedef void (*sq_row_map_fn)(struct sq_row *r, void *elem);

/* The cached statement for `sql`, which must be a string literal (it is
 * compared by address). NULL on failure. */
sqlite3_stmt *sq_prep(struct store_conn *c, const char *sql);
/* Binds parameters by the letters of fmt: 't' text (NULL binds NULL),
 * 'T' text where "" binds NULL, 'i' int64_t, 'I' int64_t where 0 binds
 * NULL, 'b' bool (passed as int), 'z' size_t. Returns an SQLite code. */
int sq_vbind(sqlite3_stmt *st, const char *fmt, va_list ap);
/* Prepares and binds; NULL on failure (*rc says why). */
sqlite3_stmt *sq_start(struct store_conn *c, enum zek_rc *rc, const char *sql,
    const char *fmt, ...);
/* Resets a started statement for its next use. NULL is allowed. */
void sq_finish(sqlite3_stmt *st);
/* Steps once: 1 = row, 0 = done, -1 = error (*rc set). */
int sq_next(struct store_conn *c, sqlite3_stmt *st, enum zek_rc *rc);
/* Runs a statement that returns no rows. */
enum zek_rc sq_exec(struct store_conn *c, const char *sql, const char *fmt, ...);
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
/* Grows an arena array to hold one more element; NULL when out of memory. */
void *sq_grow(struct arena *a, void *arr, size_t n, size_t *cap, size_t size);
/* Collects every row of a started statement with `map` into an array of
 * elements of `size` bytes. */
enum zek_rc sq_collect(struct store_conn *c, struct arena *a, sqlite3_stmt *st,
    sq_row_map_fn map, size_t size, void **out, size_t *n);
/* Reads the single row of a started statement; ZEK_NOTFOUND if none. */
enum zek_rc sq_collect_one(struct store_conn *c, struct arena *a,
    sqlite3_stmt *st, sq_row_map_fn map, size_t size, void **out);
/* As sq_collect and sq_collect_one, for a statement whose result depends
 * only on the database and on `key` (its one parameter, already bound):
 * inside a read transaction the rows are kept per connection and given
 * again while the database is unchanged (SQLITE_FCNTL_DATA_VERSION moves
 * with every commit, by any connection or process). For the type and
 * configuration reads every page makes; `map` must read columns only with
 * the sq_col_* functions. */
enum zek_rc sq_collect_cached(struct store_conn *c, struct arena *a,
    sqlite3_stmt *st, int64_t key, sq_row_map_fn map, size_t size,
    void **out, size_t *n);
enum zek_rc sq_collect_one_cached(struct store_conn *c, struct arena *a,
    sqlite3_stmt *st, int64_t key, sq_row_map_fn map, size_t size,
    void **out);
/* sq_query_i64 with the same keeping: for a read whose parameters other
 * than `key` are the same at every call. */
enum zek_rc sq_query_i64_cached(struct store_conn *c, int64_t key,
    int64_t *out, const char *sql, const char *fmt, ...);
/* A LIKE pattern "%<folded query, escaped>%" (malloc'd), "%" for none. */
char *sq_like_pattern(const char *query);
/* Runs several statements of SQL text (migrations). */
enum zek_rc sq_exec_sql(struct store_conn *c, const char *sql);
/* Logs an SQLite failure (never user data) and maps it to a zek_rc. */
enum zek_rc sq_log_err(sqlite3 *db, int src, const char *what);
/* s, or "" for NULL. */
const char *sq_nz(const char *s);

/* The columns sq_map_user reads into a struct store_user. */
#define USER_COLS "u.id, u.email, u.name, u.password_hash, u.role, u.lang, " \
	"u.tz, u.notify, u.created_at"
void sq_map_user(struct sq_row *r, void *elem);

/* Wall clock, UTC ms. */
int64_t sq_wall_ms(void);

#endif
