/* pg_int.h: the PostgreSQL backend's connection, for the files that answer
 * with PostgreSQL's own means (pg.c, the list and queues of pg_search.c).
 * Private to src/store/pg*.c; the query files use query.h only. */
#ifndef ZEK_STORE_PG_INT_H
#define ZEK_STORE_PG_INT_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/zek.h"
#include "store/query.h"

#define STMT_CACHE_MAX 512 /* distinct SQL texts one connection keeps */

/* One cached statement, prepared on the server as "s<index>"; also the
 * started statement (struct sq_stmt) while its result is read. */
struct pg_stmt {
	const char *sql; /* identity: the address of a literal */
	int nparams;     /* bind letters, fixed by the first call */
	Oid *types;      /* their types, nparams of them */
	bool prepared;   /* on this server session (a reconnect
	                  * forgets every one) */
	bool each_time;  /* SQ_PLAN_WITH_VALUES: text is sent each run */
	bool reads;      /* only reads: needs no transaction */
	char *text;      /* each_time: the rewritten text */
	PGresult *res;   /* the result of the running statement */
	int row, nrows;  /* the row read now, -1 before the first */
};

struct pg_conn {
	struct store_conn base;
	PGconn *db;
	struct pg_stmt cache[STMT_CACHE_MAX];
	size_t ncache;
	int64_t changes; /* rows of the last INSERT/UPDATE/DELETE */
	/* In a scope (base.scoped) the first statement opens the scope's one
	 * transaction. */
	bool in_tx; /* a transaction we began is not ended */
	/* The SQLSTATE of the last failure in the current or last transaction
	 * ("" for none); see pg_last_sqlstate. */
	char last_sqlstate[6];
};

/* The PostgreSQL connection behind a neutral one. */
static inline struct pg_conn *
pg_conn(struct store_conn *c)
{
	return (struct pg_conn *)(void *)c;
}

/* The SQLSTATE of the statement that made the current (or the last)
 * transaction fail: "40001" serialization failure, "40P01" deadlock,
 * "08006" the connection was lost, ...; "" when none failed. A later
 * "current transaction is aborted" (25P02) does not replace it; the first
 * statement of a new transaction clears it. */
const char *pg_last_sqlstate(struct store_conn *c);

/* The connection target without its secrets, for messages: host, port,
 * database and user stay, a password becomes "***" (URL and key=value
 * forms). Always NUL-terminated; cut to n bytes. */
void pg_redact(const char *conninfo, char *out, size_t n);

/* The statement text with `?` and `?NNN` placeholders turned into $n, as
 * SQLite numbers them (a bare `?` is one more than the largest number so
 * far); string literals, quoted names and comments are left as they are.
 * *nmax: the largest number used. malloc'd; NULL when out of memory. */
char *pg_rewrite(const char *sql, int *nmax);

/* Opens the scope's transaction when a scope has none yet: call it before
 * a statement run by other means than sq_start (pg_search.c). */
/* Logs a failed result (never user data) and maps it to a zek_rc;
 * res may be NULL (libpq could not allocate it, or the connection is
 * lost). `what`: the statement's text, or a word. */
enum zek_rc pg_err(struct pg_conn *c, const PGresult *res, const char *what);

/* The list and the queues: pg_search.h. */

#endif
