/* sqlite.c: the SQLite backend of store.h: connections, statements, migrations.
 * The queries live in sqlite_*.c, one file per area. */
#include "store/store.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>

#include "lib/arena.h"
#include "store/migrations.h"
#include "store/sqlite_int.h"

#define BUSY_TIMEOUT_MS 5000
#define FOLD_MAX 4096           /* bytes of text folded for search */
#define PATH_MAX_LEN 4096

struct store {
	char *path;
	pthread_key_t key;
};

/* ---- connections ---- */

static void
conn_free(struct store_conn *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->ncache; i++)
		sqlite3_finalize(c->cache[i].st);
	sqlite3_close(c->db);
	free(c);
}

static void
conn_destructor(void *p)
{
	conn_free(p);
}

enum zek_rc
sq_log_err(sqlite3 *db, int src, const char *what)
{
	/* A unique constraint is an expected answer, not a fault. */
	if ((src & 0xff) != SQLITE_CONSTRAINT)
		fprintf(stderr, "store: %s: %s (%d)\n", what,
		    db != NULL ? sqlite3_errmsg(db) : sqlite3_errstr(src), src);
	switch (src & 0xff) {
	case SQLITE_NOMEM:
		return ZEK_NOMEM;
	case SQLITE_CONSTRAINT:
		return ZEK_CONFLICT;
	case SQLITE_TOOBIG:
		return ZEK_TOOBIG;
	default:
		return ZEK_IO;
	}
}

static struct store_conn *
conn_open(const char *path)
{
	static const char pragmas[] =
	    "PRAGMA journal_mode=WAL;"
	    "PRAGMA synchronous=FULL;"
	    "PRAGMA foreign_keys=ON;";
	struct store_conn *c;
	int src;

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	src = sqlite3_open_v2(path, &c->db,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	    NULL);
	if (src != SQLITE_OK) {
		sq_log_err(c->db, src, "open");
		goto fail;
	}
	sqlite3_extended_result_codes(c->db, 1);
	/* The busy timeout first: switching to WAL needs a lock too. */
	sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS);
	src = sqlite3_exec(c->db, pragmas, NULL, NULL, NULL);
	if (src != SQLITE_OK) {
		sq_log_err(c->db, src, "pragmas");
		goto fail;
	}
	return c;
fail:
	conn_free(c);
	return NULL;
}

struct store_conn *
store_conn(struct store *st)
{
	struct store_conn *c;

	c = pthread_getspecific(st->key);
	if (c != NULL)
		return c;
	c = conn_open(st->path);
	if (c == NULL)
		return NULL;
	if (pthread_setspecific(st->key, c) != 0) {
		conn_free(c);
		return NULL;
	}
	return c;
}

void
store_conn_release(struct store *st)
{
	struct store_conn *c;

	if (st == NULL)
		return;
	c = pthread_getspecific(st->key);
	if (c != NULL) {
		pthread_setspecific(st->key, NULL);
		conn_free(c);
	}
}

/* Creates every missing folder above the file. */
static enum zek_rc
make_parent_dirs(const char *path)
{
	char buf[PATH_MAX_LEN];
	size_t i, n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return ZEK_INVALID;
	memcpy(buf, path, n + 1);
	for (i = 1; i < n; i++) {
		if (buf[i] != '/')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0750) != 0 && errno != EEXIST) {
			fprintf(stderr, "store: mkdir %s: %s\n", buf,
			    strerror(errno));
			return ZEK_IO;
		}
		buf[i] = '/';
	}
	return ZEK_OK;
}

/* ---- statements ---- */

const char *
sq_nz(const char *s)
{
	return s != NULL ? s : "";
}

/* The cached statement for `sql` (a string literal: compared by address). */
sqlite3_stmt *
sq_prep(struct store_conn *c, const char *sql)
{
	sqlite3_stmt *st;
	size_t i;
	int src;

	for (i = 0; i < c->ncache; i++)
		if (c->cache[i].sql == sql)
			return c->cache[i].st;
	if (c->ncache == STMT_CACHE_MAX) {
		fprintf(stderr, "store: statement cache full\n");
		return NULL;
	}
	src = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT,
	    &st, NULL);
	if (src != SQLITE_OK) {
		sq_log_err(c->db, src, sql);
		return NULL;
	}
	c->cache[c->ncache].sql = sql;
	c->cache[c->ncache].st = st;
	c->ncache++;
	return st;
}

/*
 * Binds parameters by a format: 't' text (NULL binds NULL), 'T' text where
 * "" binds NULL, 'i' int64_t, 'I' int64_t where 0 binds NULL, 'b' bool
 * (passed as int), 'z' size_t.
 */
int
sq_vbind(sqlite3_stmt *st, const char *fmt, va_list ap)
{
	const char *s;
	int64_t v;
	int i, src = SQLITE_OK;

	for (i = 1; *fmt != '\0' && src == SQLITE_OK; fmt++, i++) {
		switch (*fmt) {
		case 't':
		case 'T':
			s = va_arg(ap, const char *);
			if (s == NULL || (*fmt == 'T' && *s == '\0'))
				src = sqlite3_bind_null(st, i);
			else
				src = sqlite3_bind_text(st, i, s, -1,
				    SQLITE_TRANSIENT);
			break;
		case 'i':
		case 'I':
			v = va_arg(ap, int64_t);
			if (*fmt == 'I' && v == 0)
				src = sqlite3_bind_null(st, i);
			else
				src = sqlite3_bind_int64(st, i, v);
			break;
		case 'b':
			src = sqlite3_bind_int(st, i, va_arg(ap, int) ? 1 : 0);
			break;
		case 'z':
			v = (int64_t)va_arg(ap, size_t);
			src = sqlite3_bind_int64(st, i, v);
			break;
		default:
			src = SQLITE_MISUSE;
		}
	}
	return src;
}

/* Prepares and binds; NULL on failure (*rc says why). */
sqlite3_stmt *
sq_start(struct store_conn *c, enum zek_rc *rc, const char *sql,
    const char *fmt, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int src;

	st = sq_prep(c, sql);
	if (st == NULL) {
		*rc = ZEK_IO;
		return NULL;
	}
	va_start(ap, fmt);
	src = sq_vbind(st, fmt, ap);
	va_end(ap);
	if (src != SQLITE_OK) {
		*rc = sq_log_err(c->db, src, "bind");
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return NULL;
	}
	*rc = ZEK_OK;
	return st;
}

void
sq_finish(sqlite3_stmt *st)
{
	if (st != NULL) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
}

/* Steps once: 1 = row, 0 = done, -1 = error (*rc set). */
int
sq_next(struct store_conn *c, sqlite3_stmt *st, enum zek_rc *rc)
{
	int src = sqlite3_step(st);

	if (src == SQLITE_ROW)
		return 1;
	if (src == SQLITE_DONE)
		return 0;
	*rc = sq_log_err(c->db, src, sqlite3_sql(st));
	return -1;
}

/* Runs a statement that returns no rows. */
enum zek_rc
sq_exec(struct store_conn *c, const char *sql, const char *fmt, ...)
{
	enum zek_rc rc = ZEK_OK;
	sqlite3_stmt *st;
	va_list ap;
	int src;

	st = sq_prep(c, sql);
	if (st == NULL)
		return ZEK_IO;
	va_start(ap, fmt);
	src = sq_vbind(st, fmt, ap);
	va_end(ap);
	if (src != SQLITE_OK)
		rc = sq_log_err(c->db, src, "bind");
	else
		while ((src = sq_next(c, st, &rc)) == 1)
			;
	sq_finish(st);
	return rc;
}

/* Runs a statement and reports whether it changed a row. */
enum zek_rc
sq_exec_changed(struct store_conn *c, const char *sql, const char *fmt, ...)
{
	enum zek_rc rc = ZEK_OK;
	sqlite3_stmt *st;
	va_list ap;
	int src;

	st = sq_prep(c, sql);
	if (st == NULL)
		return ZEK_IO;
	va_start(ap, fmt);
	src = sq_vbind(st, fmt, ap);
	va_end(ap);
	if (src != SQLITE_OK)
		rc = sq_log_err(c->db, src, "bind");
	else
		while ((src = sq_next(c, st, &rc)) == 1)
			;
	sq_finish(st);
	if (rc == ZEK_OK && sqlite3_changes(c->db) == 0)
		rc = ZEK_NOTFOUND;
	return rc;
}

/* A single integer from the first column of the first row. */
enum zek_rc
sq_query_i64(struct store_conn *c, int64_t *out, const char *sql,
    const char *fmt, ...)
{
	enum zek_rc rc = ZEK_OK;
	sqlite3_stmt *st;
	va_list ap;
	int src, r;

	st = sq_prep(c, sql);
	if (st == NULL)
		return ZEK_IO;
	va_start(ap, fmt);
	src = sq_vbind(st, fmt, ap);
	va_end(ap);
	if (src != SQLITE_OK) {
		rc = sq_log_err(c->db, src, "bind");
		goto out;
	}
	r = sq_next(c, st, &rc);
	if (r == 1)
		*out = sqlite3_column_int64(st, 0);
	else if (r == 0)
		rc = ZEK_NOTFOUND;
	/* Run RETURNING statements to completion. */
	while (r == 1)
		r = sq_next(c, st, &rc);
out:
	sq_finish(st);
	return rc;
}

/* ---- column helpers ---- */

const char *
sq_col_str(struct sq_row *r)
{
	const unsigned char *t = sqlite3_column_text(r->st, r->col);
	int n = sqlite3_column_bytes(r->st, r->col);
	char *s;

	r->col++;
	s = arena_strndup(r->a, t != NULL ? (const char *)t : "",
	    t != NULL ? (size_t)n : 0);
	if (s == NULL) {
		r->failed = 1;
		return "";
	}
	return s;
}

int64_t
sq_col_i64(struct sq_row *r)
{
	return sqlite3_column_int64(r->st, r->col++);
}

bool
sq_col_bool(struct sq_row *r)
{
	return sqlite3_column_int64(r->st, r->col++) != 0;
}

/* Grows an arena array to hold one more element; NULL when out of memory. */
void *
sq_grow(struct arena *a, void *arr, size_t n, size_t *cap, size_t size)
{
	size_t ncap;

	if (n < *cap)
		return arr;
	ncap = *cap == 0 ? 8 : *cap * 2;
	arr = arena_realloc(a, arr, *cap * size, ncap * size);
	if (arr != NULL)
		*cap = ncap;
	return arr;
}

/* Collects every row of a started statement with `map` into an array. */
enum zek_rc
sq_collect(struct store_conn *c, struct arena *a, sqlite3_stmt *st,
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
		r = (struct sq_row){ .a = a, .st = st };
		memset(arr + cnt * size, 0, size);
		map(&r, arr + cnt * size);
		if (r.failed) {
			rc = ZEK_NOMEM;
			goto out;
		}
		cnt++;
	}
out:
	sq_finish(st);
	if (rc == ZEK_OK) {
		*out = arr;
		*n = cnt;
	}
	return rc;
}

/* Reads the single row of a started statement; ZEK_NOTFOUND if none. */
enum zek_rc
sq_collect_one(struct store_conn *c, struct arena *a, sqlite3_stmt *st,
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
	r = (struct sq_row){ .a = a, .st = st };
	map(&r, elem);
	if (r.failed) {
		rc = ZEK_NOMEM;
		goto out;
	}
	*out = elem;
out:
	sq_finish(st);
	return rc;
}

/* ---- case folding for search and uniqueness ---- */

/* Full Unicode case folding of UTF-8 text into a malloc'd string, so that
 * "Übersicht" and "übersicht" compare equal the same way in every backend. */
char *
sq_fold(const char *s)
{
	UChar u[FOLD_MAX], f[FOLD_MAX];
	UErrorCode err = U_ZERO_ERROR;
	int32_t ulen, flen, olen;
	char *out;

	u_strFromUTF8(u, FOLD_MAX, &ulen, s, -1, &err);
	if (U_FAILURE(err) || ulen >= FOLD_MAX)
		return NULL;
	flen = u_strFoldCase(f, FOLD_MAX, u, ulen, U_FOLD_CASE_DEFAULT, &err);
	if (U_FAILURE(err) || flen >= FOLD_MAX)
		return NULL;
	u_strToUTF8(NULL, 0, &olen, f, flen, &err);
	if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err))
		return NULL;
	err = U_ZERO_ERROR;
	out = malloc((size_t)olen + 1);
	if (out == NULL)
		return NULL;
	u_strToUTF8(out, olen + 1, NULL, f, flen, &err);
	if (U_FAILURE(err)) {
		free(out);
		return NULL;
	}
	return out;
}

/* A LIKE pattern "%<folded query, escaped>%" (malloc'd), "%" for none. */
char *
sq_like_pattern(const char *query)
{
	char *f, *p, *o;
	size_t n;

	f = sq_fold(query != NULL ? query : "");
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

/* ---- migrations ---- */

enum zek_rc
sq_exec_sql(struct store_conn *c, const char *sql)
{
	char *msg = NULL;
	int src;

	src = sqlite3_exec(c->db, sql, NULL, NULL, &msg);
	if (src != SQLITE_OK) {
		fprintf(stderr, "store: %s\n", msg != NULL ? msg : "?");
		sqlite3_free(msg);
		return (src & 0xff) == SQLITE_NOMEM ? ZEK_NOMEM : ZEK_IO;
	}
	return ZEK_OK;
}

int64_t
sq_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static enum zek_rc
migrate_one(struct store_conn *c, const struct store_migration *m)
{
	enum zek_rc rc;
	int64_t found;

	/* BEGIN IMMEDIATE: a second process waits here and then sees the
	 * version recorded, so each migration runs once. */
	rc = sq_exec_sql(c, "BEGIN IMMEDIATE");
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
	rc = sq_exec(c, "INSERT INTO schema_migrations (version, name, applied_at)"
	    " VALUES (?, ?, ?)", "iti", (int64_t)m->version, m->name, sq_wall_ms());
out:
	if (rc == ZEK_OK)
		rc = sq_exec_sql(c, "COMMIT");
	if (rc != ZEK_OK) {
		fprintf(stderr, "store: migration %04d_%s failed\n", m->version,
		    m->name);
		store_rollback(c);
	}
	return rc;
}

static enum zek_rc
migrate(struct store_conn *c)
{
	enum zek_rc rc;
	int i;

	rc = sq_exec_sql(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
	    "applied_at INTEGER NOT NULL)");
	for (i = 0; rc == ZEK_OK && i < store_nmigrations; i++)
		rc = migrate_one(c, &store_migrations[i]);
	return rc;
}

int
store_migration_count(void)
{
	return store_nmigrations;
}

enum zek_rc
store_schema_version(struct store_conn *c, int64_t *out)
{
	return sq_query_i64(c, out,
	    "SELECT coalesce(max(version), 0) FROM schema_migrations", "");
}

/* ---- open and close ---- */

/* Process-wide SQLite settings, before the library initialises itself:
 * its memory statistics take a global mutex on every allocation, which
 * serialises the worker threads for figures nobody reads. */
static void
configure_sqlite(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

enum zek_rc
store_open(const char *path, struct store **out)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct store *st;
	struct store_conn *c;
	enum zek_rc rc;

	pthread_once(&once, configure_sqlite);
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return ZEK_NOMEM;
	st->path = strdup(path);
	if (st->path == NULL) {
		free(st);
		return ZEK_NOMEM;
	}
	if (pthread_key_create(&st->key, conn_destructor) != 0) {
		free(st->path);
		free(st);
		return ZEK_NOMEM;
	}
	rc = make_parent_dirs(path);
	if (rc != ZEK_OK)
		goto fail;
	c = store_conn(st);
	if (c == NULL) {
		rc = ZEK_IO;
		goto fail;
	}
	rc = migrate(c);
	if (rc != ZEK_OK)
		goto fail;
	*out = st;
	return ZEK_OK;
fail:
	store_close(st);
	return rc;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	store_conn_release(st);
	pthread_key_delete(st->key);
	free(st->path);
	free(st);
}

/* ---- transactions ---- */

enum zek_rc
store_begin(struct store_conn *c)
{
	return sq_exec(c, "BEGIN IMMEDIATE", "");
}

enum zek_rc
store_commit(struct store_conn *c)
{
	return sq_exec(c, "COMMIT", "");
}

enum zek_rc
store_rollback(struct store_conn *c)
{
	if (sqlite3_get_autocommit(c->db))
		return ZEK_OK;
	return sq_exec(c, "ROLLBACK", "");
}

