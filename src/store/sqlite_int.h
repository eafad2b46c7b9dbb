/* sqlite_int.h: the SQLite backend's connection, for the files that answer
 * with SQLite's own means (sqlite.c, the FTS5 list and queues). Private to
 * src/store/sqlite*.c; the query files use query.h only. */
#ifndef ZEK_STORE_SQLITE_INT_H
#define ZEK_STORE_SQLITE_INT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/zek.h"
#include "store/query.h"

#define STMT_CACHE_MAX 512 /* distinct SQL texts one connection keeps */

struct lite_store;

struct stmt_slot {
	const char *sql; /* identity: the address of a literal */
	sqlite3_stmt *st;
};

struct lite_conn {
	struct store_conn base;
	struct lite_store *ls;
	sqlite3 *db;
	struct stmt_slot cache[STMT_CACHE_MAX];
	size_t ncache;
	/* Speed (docs/internals/performance.md): a scope's reads share one
	 * read transaction (BEGIN), which its first write ends; the write
	 * transaction holds the store's write lock (one writer per process,
	 * no busy waiting) until it ends. */
	bool reading;    /* the scope's read transaction is open */
	bool writing;    /* this connection holds the write lock */
	bool group_sync; /* WAL: commits are synced by the store */
	bool defer_sync; /* store_scope_defer: the commit not awaited */
	uint64_t ticket; /* ... but recorded here */
	struct sq_result *results; /* kept rows of sq_collect_cached */
	size_t nresults, result_bytes;
	unsigned results_version; /* the data version they are of */
};

/* The SQLite connection and statement behind the neutral handles. */
static inline struct lite_conn *
lite_conn(struct store_conn *c)
{
	return (struct lite_conn *)(void *)c;
}

static inline sqlite3_stmt *
lite_stmt(struct sq_stmt *st)
{
	return (sqlite3_stmt *)(void *)st;
}

static inline struct sq_stmt *
lite_sq(sqlite3_stmt *st)
{
	return (struct sq_stmt *)(void *)st;
}

/* The cached statement for `sql`, a string literal; NULL on failure. */
sqlite3_stmt *lite_prep(struct lite_conn *c, const char *sql);
/* Logs an SQLite failure (never user data) and maps it to a zek_rc. */
enum zek_rc lite_err(sqlite3 *db, int src, const char *what);

/* Creates every missing folder above the file `path`. */
enum zek_rc lite_make_parent_dirs(const char *path);

/* The SQLite answers of the list and the queues (sqlite_list.c,
 * sqlite_queue.c). */
enum zek_rc lite_requests_list(struct store_conn *c, struct arena *a,
    const struct store_list_query *q, struct store_list_row **rows, size_t *n,
    int64_t *total, bool *capped);
enum zek_rc lite_queue_page(struct store_conn *c, struct arena *a,
    const struct store_queue_query *q, struct store_queue_row **rows,
    size_t *n);
enum zek_rc lite_queue_count(struct store_conn *c, struct arena *a,
    const struct store_queue_query *q, const char *const *statuses,
    size_t nstatuses, int64_t *out);

#endif
