/* query.c: the part of store.h that is the same on every backend: picking
 * the backend, the thread's connection, scopes and their savepoints,
 * migrations, and the statement and row helpers the query files use. */
#include "store/query.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/utf8.h"
#include "store/migrations.h"

/* ---- choosing the backend ---- */

/* A libpq connection string: a URL, or key=value words. A file path
 * holds neither "://" at its start nor a '=' before its first '/'. */
bool
store_is_pg(const char *db)
{
	const char *eq, *slash;

	if (db == NULL)
		return false;
	if (strncmp(db, "postgresql://", 13) == 0 ||
	    strncmp(db, "postgres://", 11) == 0)
		return true;
	eq = strchr(db, '=');
	slash = strchr(db, '/');
	return eq != NULL && (slash == NULL || eq < slash);
}

enum zek_rc
store_open(const char *db, struct store **out)
{
	if (store_is_pg(db))
		return sq_pg_open(db, out);
	return sq_sqlite_open(db, out);
}

void
store_db_label(const char *db, char *out, size_t n)
{
	if (store_is_pg(db))
		pg_redact(db, out, n);
	else
		snprintf(out, n, "%s", db != NULL ? db : "");
}

void
store_close(struct store *st)
{
	if (st != NULL)
		st->drv->close(st);
}

const char *
store_backend(const struct store *st)
{
	return st->drv->name;
}

/* ---- the thread's connection ---- */

static void
conn_destructor(void *p)
{
	struct store_conn *c = p;

	c->drv->conn_free(c);
}

enum zek_rc
sq_store_init(struct store *st, const struct sq_driver *drv)
{
	st->drv = drv;
	if (pthread_key_create(&st->key, conn_destructor) != 0)
		return ZEK_NOMEM;
	st->key_made = true;
	return ZEK_OK;
}

/* Closes the calling thread's connection and lets the key go. */
void
sq_store_fini(struct store *st)
{
	store_conn_release(st);
	if (st->key_made)
		pthread_key_delete(st->key);
	st->key_made = false;
}

struct store_conn *
store_conn(struct store *st)
{
	struct store_conn *c;

	c = pthread_getspecific(st->key);
	if (c != NULL)
		return c;
	c = st->drv->conn_open(st);
	if (c == NULL)
		return NULL;
	if (pthread_setspecific(st->key, c) != 0) {
		st->drv->conn_free(c);
		return NULL;
	}
	return c;
}

void
store_conn_release(struct store *st)
{
	struct store_conn *c;

	if (st == NULL || !st->key_made)
		return;
	c = pthread_getspecific(st->key);
	if (c != NULL) {
		pthread_setspecific(st->key, NULL);
		c->drv->conn_free(c);
	}
}

/* ---- where a scope's time goes (store_phases) ---- */

bool sq_phase_timing;

int64_t
sq_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void
store_phases_enable(bool on)
{
	sq_phase_timing = on;
}

bool
store_phases_enabled(void)
{
	return sq_phase_timing;
}

void
store_scope_phases(struct store_conn *c, struct store_phases *out)
{
	*out = c->phases;
}

/* A statement's call being timed: when it began, and the lock waits
 * counted by then (the driver counts those inside it apart). */
struct phase_mark {
	int64_t t0, lock0;
};

static void
phase_begin(struct store_conn *c, struct phase_mark *m)
{
	m->t0 = sq_phase_timing ? sq_now_ns() : 0;
	m->lock0 = c->phases.lock_ns;
}

static void
phase_end_sql(struct store_conn *c, const struct phase_mark *m)
{
	if (sq_phase_timing)
		c->phases.sql_ns += sq_now_ns() - m->t0 -
		    (c->phases.lock_ns - m->lock0);
}

/* ---- transactions and scopes: the savepoints here, the rest the
 * driver's (how a transaction opens and ends, durable commits) ---- */

enum zek_rc
store_begin(struct store_conn *c)
{
	enum zek_rc rc;

	if (!c->scoped)
		return c->drv->tx_begin(c);
	rc = c->drv->scope_open(c);
	if (rc == ZEK_OK)
		rc = c->drv->tx_exec(c, "SAVEPOINT zek");
	if (rc == ZEK_OK)
		c->depth++;
	return rc;
}

enum zek_rc
store_commit(struct store_conn *c)
{
	enum zek_rc rc;

	if (!c->scoped)
		return c->drv->tx_commit(c);
	if (c->depth == 0)
		return ZEK_OK;
	/* Fails after a failed statement (PostgreSQL): the caller then
	 * rolls back. */
	rc = c->drv->tx_exec(c, "RELEASE zek");
	if (rc == ZEK_OK)
		c->depth--;
	return rc;
}

enum zek_rc
store_finish(struct store_conn *c, enum zek_rc rc)
{
	if (rc == ZEK_OK)
		rc = store_commit(c);
	if (rc != ZEK_OK)
		store_rollback(c);
	return rc;
}

enum zek_rc
store_rollback(struct store_conn *c)
{
	enum zek_rc rc;

	if (!c->scoped)
		return c->drv->tx_rollback(c);
	/* Only the savepoint: the scope's transaction ends with the scope.
	 * ROLLBACK TO also ends the abort a failed statement caused. */
	if (c->depth == 0)
		return ZEK_OK;
	c->depth--;
	switch (c->drv->tx_state(c)) {
	case SQ_TX_NONE:
		return ZEK_OK; /* the database rolled it all back already */
	case SQ_TX_LOST:
		return ZEK_IO; /* the connection is lost, and the scope too */
	case SQ_TX_OPEN:
		break;
	}
	rc = c->drv->tx_exec(c, "ROLLBACK TO zek");
	if (rc == ZEK_OK)
		rc = c->drv->tx_exec(c, "RELEASE zek");
	return rc;
}

void
store_scope_begin(struct store_conn *c)
{
	c->scoped = true;
	c->depth = 0;
	c->retryable = false;
	c->drv->scope_begin(c);
}

enum zek_rc
store_scope_end(struct store_conn *c, bool commit)
{
	int depth = c->depth;

	struct phase_mark m;
	enum zek_rc rc;

	c->scoped = false;
	c->depth = 0;
	if (depth == 0) {
		phase_begin(c, &m);
		rc = c->drv->scope_end(c, commit);
		if (sq_phase_timing)
			c->phases.commit_ns += sq_now_ns() - m.t0;
		return rc;
	}
	/* Somebody skipped its commit or rollback: keep nothing. */
	log_error("store", "savepoints left open",
	    LOG_FIELDS(LOG_I("savepoints", depth)));
	c->drv->scope_end(c, false);
	return commit ? ZEK_IO : ZEK_OK;
}

static atomic_uint_fast64_t errors[STORE_ERR_MAX];
static atomic_uint_fast64_t retries;

void
sq_error_count(enum store_error_kind kind)
{
	if (kind < STORE_ERR_MAX)
		atomic_fetch_add(&errors[kind], 1);
}

uint64_t
store_errors_total(enum store_error_kind kind)
{
	return kind < STORE_ERR_MAX ? atomic_load(&errors[kind]) : 0;
}

const char *
store_error_kind_name(enum store_error_kind kind)
{
	static const char *const names[STORE_ERR_MAX] = { "busy",
		"serialization", "connection", "other" };

	return kind < STORE_ERR_MAX ? names[kind] : "?";
}

uint64_t
store_retries_total(void)
{
	return atomic_load(&retries);
}

bool
store_scope_retryable(struct store_conn *c)
{
	return c->retryable;
}

void
store_retry_pause(int attempt)
{
	struct timespec ts;
	uint32_t ms;

	/* 1 to 4 ms before the second run, 1 to 8 before the third: the
	 * winner of a deadlock commits within that, as a rule. The clock's
	 * nanoseconds are random enough to keep two sides apart. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ms = 1 + (uint32_t)(ts.tv_nsec / 1000) % (4u << (attempt > 2 ? 1 : 0));
	ts.tv_sec = 0;
	ts.tv_nsec = (long)ms * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* store_scope_run inside a scope: a savepoint of it. Retrying belongs to
 * the outer scope, which runs everything again, this too. */
static enum zek_rc
scope_run_nested(struct store_conn *c, bool (*fn)(void *arg, int attempt),
    void *arg)
{
	enum zek_rc rc;

	rc = store_begin(c);
	if (rc != ZEK_OK)
		return rc;
	if (fn(arg, 1))
		return store_finish(c, ZEK_OK);
	return store_rollback(c);
}

enum zek_rc
store_scope_run(struct store_conn *c, bool deferred,
    bool (*fn)(void *arg, int attempt), void *arg)
{
	enum zek_rc rc;
	bool commit;
	int attempt;

	if (c->scoped)
		return scope_run_nested(c, fn, arg);
	c->phases = (struct store_phases){ 0 };
	for (attempt = 1;; attempt++) {
		store_scope_begin(c);
		if (deferred)
			store_scope_defer(c);
		commit = fn(arg, attempt);
		/* A refused statement: the scope's result rests on a failure
		 * even where a savepoint's rollback recovered from it, so it
		 * is never kept. */
		if (c->retryable) {
			rc = store_scope_end(c, false);
			if (commit)
				rc = ZEK_IO;
		} else {
			rc = store_scope_end(c, commit);
			if (!c->retryable)
				return rc; /* kept, or failed for good */
			                   /* the COMMIT itself was refused */
		}
		if (attempt == STORE_ATTEMPTS)
			return rc;
		atomic_fetch_add(&retries, 1);
		log_info("store", "transaction refused, running it again",
		    LOG_FIELDS(LOG_S("backend", c->drv->name),
		        LOG_I("attempt", attempt + 1),
		        LOG_I("of", STORE_ATTEMPTS)));
		store_retry_pause(attempt + 1);
	}
}

#ifdef ZEK_TEST_HOOKS
void
store_test_refuse_scope(struct store_conn *c)
{
	if (!c->drv->is_pg) {
		c->retryable = true;
		return;
	}
	/* The real failure, through the driver's error path. */
	(void)sq_exec_sql(c,
	    "DO $$BEGIN RAISE EXCEPTION 'zek test hook: "
	    "refused' USING ERRCODE = 'serialization_failure'; END$$");
}
#endif

void
store_scope_defer(struct store_conn *c)
{
	c->drv->scope_defer(c);
}

uint64_t
store_scope_ticket(struct store_conn *c)
{
	return c->drv->scope_ticket(c);
}

enum zek_rc
store_durable_wait(struct store *st, uint64_t ticket)
{
	return st->drv->durable_wait(st, ticket);
}

enum zek_rc
store_durable_notify(struct store *st, uint64_t ticket,
    void (*fn)(void *arg, int rc), void *arg)
{
	return st->drv->durable_notify(st, ticket, fn, arg);
}

/* ---- what each backend answers its own way ---- */

enum zek_rc
store_requests_list(struct store_conn *c, struct arena *a,
    const struct store_list_query *q, struct store_list_row **rows, size_t *n,
    int64_t *total, bool *capped)
{
	return c->drv->requests_list(c, a, q, rows, n, total, capped);
}

enum zek_rc
store_queue_page(struct store_conn *c, struct arena *a,
    const struct store_queue_query *q, struct store_queue_row **rows, size_t *n)
{
	return c->drv->queue_page(c, a, q, rows, n);
}

enum zek_rc
store_queue_count(struct store_conn *c, struct arena *a,
    const struct store_queue_query *q, const char *const *statuses,
    size_t nstatuses, int64_t *out)
{
	return c->drv->queue_count(c, a, q, statuses, nstatuses, out);
}

/* ---- migrations ---- */

static enum zek_rc
migrate_one(struct store_conn *c, const struct store_migration *m)
{
	enum zek_rc rc;
	int64_t found;

	rc = c->drv->migrate_begin(c);
	if (rc != ZEK_OK)
		return rc;
	rc = sq_query_i64(c, &found,
	    "SELECT count(*) FROM schema_migrations WHERE version = ?", "i",
	    (int64_t)m->version);
	if (rc != ZEK_OK || found > 0)
		goto out;
	rc = sq_exec_sql(c, m->sql);
	if (rc != ZEK_OK)
		goto out;
	rc = sq_exec(c,
	    "INSERT INTO schema_migrations (version, name, applied_at)"
	    " VALUES (?, ?, ?)",
	    "iti", (int64_t)m->version, m->name, sq_wall_ms());
out:
	if (rc != ZEK_OK)
		log_error("store", "migration failed",
		    LOG_FIELDS(LOG_I("version", m->version),
		        LOG_S("name", m->name),
		        LOG_S("backend", c->drv->name)));
	if (c->drv->migrate_end(c, rc == ZEK_OK) != ZEK_OK && rc == ZEK_OK)
		rc = ZEK_IO;
	return rc;
}

/* The calling thread's first connection, which migrates; connections
 * opened after it serve requests. */
enum zek_rc
sq_store_start(struct store *st)
{
	struct store_conn *c = store_conn(st);
	enum zek_rc rc;

	if (c == NULL)
		return ZEK_IO;
	rc = sq_migrate(c);
	if (rc == ZEK_OK)
		st->migrated = true;
	return rc;
}

/* A database a newer zek has migrated may hold what this binary would
 * misread or lose (a column it does not write, a changed trigger), so it
 * is refused before anything runs on it: no downgrades. */
static enum zek_rc
refuse_newer_schema(struct store_conn *c)
{
	int known = *c->drv->nmigrations;
	int64_t v = 0;
	enum zek_rc rc;

	rc = c->drv->migrate_begin(c);
	if (rc != ZEK_OK)
		return rc;
	rc = store_schema_version(c, &v);
	if (c->drv->migrate_end(c, rc == ZEK_OK) != ZEK_OK && rc == ZEK_OK)
		rc = ZEK_IO;
	return rc == ZEK_OK ? sq_refuse_newer(v, known) : rc;
}

enum zek_rc
sq_refuse_newer(int64_t version, int known)
{
	char msg[160];

	if (version <= known)
		return ZEK_OK;
	/* The operator reads this at the command that refused: the numbers
	 * in the sentence, as the upgrade tests and the docs quote it. */
	snprintf(msg, sizeof(msg),
	    "database schema %lld is newer than this zek "
	    "(%d); use the newer zek or restore a backup",
	    (long long)version, known);
	log_error("store", msg,
	    LOG_FIELDS(LOG_I("schema", version), LOG_I("known", known)));
	return ZEK_INVALID;
}

enum zek_rc
sq_migrate(struct store_conn *c)
{
	const struct sq_driver *d = c->drv;
	enum zek_rc rc;
	int i;

	rc = refuse_newer_schema(c);
	for (i = 0; rc == ZEK_OK && i < *d->nmigrations; i++)
		rc = migrate_one(c, &d->migrations[i]);
	/* What SQL cannot compute: folding is ours (lib/utf8.c). */
	if (rc == ZEK_OK)
		rc = sq_orgs_fold_fill(c);
	return rc;
}

int
store_migration_count(const struct store *st)
{
	return *st->drv->nmigrations;
}

enum zek_rc
store_schema_version(struct store_conn *c, int64_t *out)
{
	return sq_query_i64(c, out,
	    "SELECT coalesce(max(version), 0) FROM schema_migrations", "");
}

/* ---- statements ---- */

void
sq_json_str(struct buf *b, const char *s)
{
	const unsigned char *p;

	buf_putc(b, '"');
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			buf_printf(b, "\\%c", *p);
		else if (*p < 0x20)
			buf_printf(b, "\\u%04x", *p);
		else
			buf_putc(b, (char)*p);
	}
	buf_putc(b, '"');
}

const char *
sq_nz(const char *s)
{
	return s != NULL ? s : "";
}

const char *
sq_ids_text(struct arena *a, const int64_t *ids, size_t n)
{
	/* 20 digits and a sign, and the comma. */
	size_t cap = n * 22 + 1, used = 0, i;
	char *text = arena_alloc(a, cap);

	if (text == NULL)
		return NULL;
	text[0] = '\0';
	for (i = 0; i < n; i++)
		used += (size_t)snprintf(text + used, cap - used,
		    i == 0 ? "%lld" : ",%lld", (long long)ids[i]);
	return text;
}

struct sq_stmt *
sq_vstart(struct store_conn *c, enum zek_rc *rc, const char *sql,
    const char *fmt, va_list ap)
{
	struct phase_mark m;
	struct sq_stmt *st;

	phase_begin(c, &m);
	st = c->drv->start(c, rc, sql, fmt, ap);
	phase_end_sql(c, &m);
	c->phases.statements++;
	return st;
}

struct sq_stmt *
sq_start(struct store_conn *c, enum zek_rc *rc, const char *sql,
    const char *fmt, ...)
{
	struct sq_stmt *st;
	va_list ap;

	va_start(ap, fmt);
	st = sq_vstart(c, rc, sql, fmt, ap);
	va_end(ap);
	return st;
}

void
sq_finish(struct store_conn *c, struct sq_stmt *st)
{
	if (st != NULL)
		c->drv->finish(c, st);
}

int
sq_next(struct store_conn *c, struct sq_stmt *st, enum zek_rc *rc)
{
	struct phase_mark m;
	int r;

	phase_begin(c, &m);
	r = c->drv->next(c, st, rc);
	phase_end_sql(c, &m);
	return r;
}

int64_t
sq_changes(struct store_conn *c)
{
	return c->drv->changes(c);
}

int64_t
sq_stmt_i64(struct store_conn *c, struct sq_stmt *st, int col)
{
	return c->drv->col_i64(st, col);
}

enum zek_rc
sq_exec_sql(struct store_conn *c, const char *sql)
{
	struct phase_mark m;
	enum zek_rc rc;

	phase_begin(c, &m);
	rc = c->drv->exec_sql(c, sql);
	phase_end_sql(c, &m);
	c->phases.statements++;
	return rc;
}

/* Runs a statement to its end. */
static enum zek_rc
sq_vexec(struct store_conn *c, const char *sql, const char *fmt, va_list ap)
{
	struct sq_stmt *st;
	enum zek_rc rc;

	st = sq_vstart(c, &rc, sql, fmt, ap);
	if (st == NULL)
		return rc;
	while (sq_next(c, st, &rc) == 1)
		;
	sq_finish(c, st);
	return rc;
}

enum zek_rc
sq_exec(struct store_conn *c, const char *sql, const char *fmt, ...)
{
	enum zek_rc rc;
	va_list ap;

	va_start(ap, fmt);
	rc = sq_vexec(c, sql, fmt, ap);
	va_end(ap);
	return rc;
}

enum zek_rc
sq_exec_changed(struct store_conn *c, const char *sql, const char *fmt, ...)
{
	enum zek_rc rc;
	va_list ap;

	va_start(ap, fmt);
	rc = sq_vexec(c, sql, fmt, ap);
	va_end(ap);
	if (rc == ZEK_OK && sq_changes(c) == 0)
		rc = ZEK_NOTFOUND;
	return rc;
}

enum zek_rc
sq_query_i64(struct store_conn *c, int64_t *out, const char *sql,
    const char *fmt, ...)
{
	struct sq_stmt *st;
	enum zek_rc rc;
	va_list ap;
	int r;

	va_start(ap, fmt);
	st = sq_vstart(c, &rc, sql, fmt, ap);
	va_end(ap);
	if (st == NULL)
		return rc;
	r = sq_next(c, st, &rc);
	if (r == 1)
		*out = sq_stmt_i64(c, st, 0);
	else if (r == 0)
		rc = ZEK_NOTFOUND;
	/* Run RETURNING statements to completion. */
	while (r == 1)
		r = sq_next(c, st, &rc);
	sq_finish(c, st);
	return rc;
}

/* ---- columns ---- */

const char *
sq_col_str(struct sq_row *r)
{
	const char *t = NULL, *s;
	size_t n = 0;

	if (r->vals != NULL) {
		t = r->col < r->nvals ? r->vals[r->col].s : NULL;
		if (t != NULL)
			n = r->vals[r->col].len;
		r->col++;
		s = arena_strndup(r->a, t != NULL ? t : "", n);
	} else if (r->c->drv->col_copy(r->st, r->col++, false, r->a, &s, &n) ==
	    ZEK_OK) {
		if (s == NULL)
			s = arena_strndup(r->a, "", 0);
	} else {
		s = NULL;
	}
	if (s == NULL) {
		r->failed = 1;
		return "";
	}
	return s;
}

int64_t
sq_col_i64(struct sq_row *r)
{
	if (r->vals != NULL) {
		r->col++;
		return r->col <= r->nvals ? r->vals[r->col - 1].i : 0;
	}
	return r->c->drv->col_i64(r->st, r->col++);
}

bool
sq_col_bool(struct sq_row *r)
{
	return sq_col_i64(r) != 0;
}

const unsigned char *
sq_col_blob(struct sq_row *r, size_t *len)
{
	const char *s = NULL;

	*len = 0;
	if (r->vals != NULL ||
	    r->c->drv->col_copy(r->st, r->col++, true, r->a, &s, len) !=
	        ZEK_OK) {
		r->failed = 1;
		return NULL;
	}
	return (const unsigned char *)s;
}

/* ---- collecting rows ---- */

void *
sq_grow(struct arena *a, void *arr, size_t n, size_t *cap, size_t size)
{
	return arena_grow(a, arr, n, cap, size);
}

/* sq_collect_ids and sq_collect_ids_with: `arg` bound first when has_arg. */
static enum zek_rc
collect_ids(struct store_conn *c, struct arena *a, const char *sql,
    bool has_arg, int64_t arg, const int64_t *ids, size_t n, sq_row_map_fn map,
    size_t size, void **out, size_t *nout)
{
	const char *text;
	struct sq_stmt *st;
	enum zek_rc rc;

	*out = NULL;
	*nout = 0;
	if (n == 0)
		return ZEK_OK;
	if ((text = sq_ids_text(a, ids, n)) == NULL)
		return ZEK_NOMEM;
	st = has_arg ? sq_start(c, &rc, sql, "it", arg, text) :
	               sq_start(c, &rc, sql, "t", text);
	if (st == NULL)
		return rc;
	return sq_collect(c, a, st, map, size, out, nout);
}

enum zek_rc
sq_collect_ids(struct store_conn *c, struct arena *a, const char *sql,
    const int64_t *ids, size_t n, sq_row_map_fn map, size_t size, void **out,
    size_t *nout)
{
	return collect_ids(c, a, sql, false, 0, ids, n, map, size, out, nout);
}

enum zek_rc
sq_collect_ids_with(struct store_conn *c, struct arena *a, const char *sql,
    int64_t arg, const int64_t *ids, size_t n, sq_row_map_fn map, size_t size,
    void **out, size_t *nout)
{
	return collect_ids(c, a, sql, true, arg, ids, n, map, size, out, nout);
}

enum zek_rc
sq_collect(struct store_conn *c, struct arena *a, struct sq_stmt *st,
    sq_row_map_fn map, size_t size, void **out, size_t *n)
{
	enum zek_rc rc = ZEK_OK;
	unsigned char *arr = NULL;
	size_t cap = 0, cnt = 0;
	struct sq_row r;
	int step;

	while ((step = sq_next(c, st, &rc)) == 1) {
		arr = sq_grow(a, arr, cnt, &cap, size);
		if (arr == NULL) {
			rc = ZEK_NOMEM;
			goto out;
		}
		r = (struct sq_row){ .a = a, .c = c, .st = st };
		memset(arr + cnt * size, 0, size);
		map(&r, arr + cnt * size);
		if (r.failed) {
			rc = ZEK_NOMEM;
			goto out;
		}
		cnt++;
	}
out:
	sq_finish(c, st);
	if (rc == ZEK_OK) {
		*out = arr;
		*n = cnt;
	}
	return rc;
}

enum zek_rc
sq_collect_one(struct store_conn *c, struct arena *a, struct sq_stmt *st,
    sq_row_map_fn map, size_t size, void **out)
{
	enum zek_rc rc = ZEK_OK;
	struct sq_row r;
	void *elem;
	int step;

	step = sq_next(c, st, &rc);
	if (step != 1) {
		if (step == 0)
			rc = ZEK_NOTFOUND;
		goto out;
	}
	elem = arena_calloc(a, 1, size);
	if (elem == NULL) {
		rc = ZEK_NOMEM;
		goto out;
	}
	r = (struct sq_row){ .a = a, .c = c, .st = st };
	map(&r, elem);
	if (r.failed) {
		rc = ZEK_NOMEM;
		goto out;
	}
	*out = elem;
out:
	sq_finish(c, st);
	return rc;
}

enum zek_rc
sq_collect_cached(struct store_conn *c, struct arena *a, struct sq_stmt *st,
    int64_t key, sq_row_map_fn map, size_t size, void **out, size_t *n)
{
	if (c->drv->collect_cached == NULL)
		return sq_collect(c, a, st, map, size, out, n);
	return c->drv->collect_cached(c, a, st, key, false, map, size, out, n);
}

enum zek_rc
sq_collect_one_cached(struct store_conn *c, struct arena *a, struct sq_stmt *st,
    int64_t key, sq_row_map_fn map, size_t size, void **out)
{
	enum zek_rc rc;
	size_t n = 0;

	if (c->drv->collect_cached == NULL)
		return sq_collect_one(c, a, st, map, size, out);
	rc = c->drv->collect_cached(c, a, st, key, true, map, size, out, &n);
	if (rc == ZEK_OK && n == 0)
		rc = ZEK_NOTFOUND;
	return rc;
}

enum zek_rc
sq_query_i64_cached(struct store_conn *c, int64_t key, int64_t *out,
    const char *sql, const char *fmt, ...)
{
	struct sq_stmt *st;
	enum zek_rc rc;
	va_list ap;
	int r;

	va_start(ap, fmt);
	st = sq_vstart(c, &rc, sql, fmt, ap);
	va_end(ap);
	if (st == NULL)
		return rc;
	if (c->drv->query_i64_cached != NULL)
		return c->drv->query_i64_cached(c, key, out, st);
	r = sq_next(c, st, &rc);
	if (r == 1)
		*out = sq_stmt_i64(c, st, 0);
	else if (r == 0)
		rc = ZEK_NOTFOUND;
	sq_finish(c, st);
	return rc;
}

/* ---- case folding for search and uniqueness ---- */

char *
sq_like_pattern(const char *query)
{
	char *f, *p, *o;
	size_t n;

	f = utf8_fold(query != NULL ? query : "");
	if (f == NULL)
		return NULL;
	n = strlen(f);
	p = malloc(2 * n + 3);
	if (p != NULL) {
		o = p;
		*o++ = '%';
		for (size_t i = 0; i < n; i++) {
			if (f[i] == '%' || f[i] == '_' || f[i] == '\\')
				*o++ = '\\';
			*o++ = f[i];
		}
		if (n > 0)
			*o++ = '%';
		*o = '\0';
	}
	free(f);
	return p;
}

int64_t
sq_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
