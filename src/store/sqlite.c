/* sqlite.c: the SQLite backend of store.h (connections, migrations, queries). */
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

#define BUSY_TIMEOUT_MS 5000
#define STMT_CACHE_MAX 160
#define FOLD_MAX 4096           /* bytes of text folded for search */
#define PATH_MAX_LEN 4096

struct stmt_slot {
	const char *sql;            /* identity: the address of a literal */
	sqlite3_stmt *st;
};

struct store_conn {
	sqlite3 *db;
	struct stmt_slot cache[STMT_CACHE_MAX];
	size_t ncache;
};

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

static enum zek_rc
log_err(sqlite3 *db, int src, const char *what)
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
		log_err(c->db, src, "open");
		goto fail;
	}
	sqlite3_extended_result_codes(c->db, 1);
	/* The busy timeout first: switching to WAL needs a lock too. */
	sqlite3_busy_timeout(c->db, BUSY_TIMEOUT_MS);
	src = sqlite3_exec(c->db, pragmas, NULL, NULL, NULL);
	if (src != SQLITE_OK) {
		log_err(c->db, src, "pragmas");
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

/* The cached statement for `sql` (a string literal: compared by address). */
static sqlite3_stmt *
prep(struct store_conn *c, const char *sql)
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
		log_err(c->db, src, sql);
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
static int
vbind(sqlite3_stmt *st, const char *fmt, va_list ap)
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
static sqlite3_stmt *
start(struct store_conn *c, enum zek_rc *rc, const char *sql,
    const char *fmt, ...)
{
	sqlite3_stmt *st;
	va_list ap;
	int src;

	st = prep(c, sql);
	if (st == NULL) {
		*rc = ZEK_IO;
		return NULL;
	}
	va_start(ap, fmt);
	src = vbind(st, fmt, ap);
	va_end(ap);
	if (src != SQLITE_OK) {
		*rc = log_err(c->db, src, "bind");
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return NULL;
	}
	*rc = ZEK_OK;
	return st;
}

static void
finish(sqlite3_stmt *st)
{
	if (st != NULL) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
}

/* Steps once: 1 = row, 0 = done, -1 = error (*rc set). */
static int
next(struct store_conn *c, sqlite3_stmt *st, enum zek_rc *rc)
{
	int src = sqlite3_step(st);

	if (src == SQLITE_ROW)
		return 1;
	if (src == SQLITE_DONE)
		return 0;
	*rc = log_err(c->db, src, sqlite3_sql(st));
	return -1;
}

/* Runs a statement that returns no rows. */
static enum zek_rc
exec(struct store_conn *c, const char *sql, const char *fmt, ...)
{
	enum zek_rc rc = ZEK_OK;
	sqlite3_stmt *st;
	va_list ap;
	int src;

	st = prep(c, sql);
	if (st == NULL)
		return ZEK_IO;
	va_start(ap, fmt);
	src = vbind(st, fmt, ap);
	va_end(ap);
	if (src != SQLITE_OK)
		rc = log_err(c->db, src, "bind");
	else
		while ((src = next(c, st, &rc)) == 1)
			;
	finish(st);
	return rc;
}

/* Runs a statement and reports whether it changed a row. */
static enum zek_rc
exec_changed(struct store_conn *c, const char *sql, const char *fmt, ...)
{
	enum zek_rc rc = ZEK_OK;
	sqlite3_stmt *st;
	va_list ap;
	int src;

	st = prep(c, sql);
	if (st == NULL)
		return ZEK_IO;
	va_start(ap, fmt);
	src = vbind(st, fmt, ap);
	va_end(ap);
	if (src != SQLITE_OK)
		rc = log_err(c->db, src, "bind");
	else
		while ((src = next(c, st, &rc)) == 1)
			;
	finish(st);
	if (rc == ZEK_OK && sqlite3_changes(c->db) == 0)
		rc = ZEK_NOTFOUND;
	return rc;
}

/* A single integer from the first column of the first row. */
static enum zek_rc
query_i64(struct store_conn *c, int64_t *out, const char *sql,
    const char *fmt, ...)
{
	enum zek_rc rc = ZEK_OK;
	sqlite3_stmt *st;
	va_list ap;
	int src, r;

	st = prep(c, sql);
	if (st == NULL)
		return ZEK_IO;
	va_start(ap, fmt);
	src = vbind(st, fmt, ap);
	va_end(ap);
	if (src != SQLITE_OK) {
		rc = log_err(c->db, src, "bind");
		goto out;
	}
	r = next(c, st, &rc);
	if (r == 1)
		*out = sqlite3_column_int64(st, 0);
	else if (r == 0)
		rc = ZEK_NOTFOUND;
	/* Run RETURNING statements to completion. */
	while (r == 1)
		r = next(c, st, &rc);
out:
	finish(st);
	return rc;
}

/* ---- column helpers ---- */

struct row {
	struct arena *a;
	sqlite3_stmt *st;
	int col;
	int failed;
};

static const char *
col_str(struct row *r)
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

static int64_t
col_i64(struct row *r)
{
	return sqlite3_column_int64(r->st, r->col++);
}

static bool
col_bool(struct row *r)
{
	return sqlite3_column_int64(r->st, r->col++) != 0;
}

/* Grows an arena array to hold one more element; NULL when out of memory. */
static void *
grow(struct arena *a, void *arr, size_t n, size_t *cap, size_t size)
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
typedef void (*row_map_fn)(struct row *r, void *elem);

static enum zek_rc
collect(struct store_conn *c, struct arena *a, sqlite3_stmt *st,
    row_map_fn map, size_t size, void **out, size_t *n)
{
	enum zek_rc rc = ZEK_OK;
	unsigned char *arr = NULL;
	size_t cap = 0, cnt = 0;
	struct row r;
	int step;

	while ((step = next(c, st, &rc)) == 1) {
		arr = grow(a, arr, cnt, &cap, size);
		if (arr == NULL) {
			rc = ZEK_NOMEM;
			goto out;
		}
		r = (struct row){ .a = a, .st = st };
		memset(arr + cnt * size, 0, size);
		map(&r, arr + cnt * size);
		if (r.failed) {
			rc = ZEK_NOMEM;
			goto out;
		}
		cnt++;
	}
out:
	finish(st);
	if (rc == ZEK_OK) {
		*out = arr;
		*n = cnt;
	}
	return rc;
}

/* Reads the single row of a started statement; ZEK_NOTFOUND if none. */
static enum zek_rc
collect_one(struct store_conn *c, struct arena *a, sqlite3_stmt *st,
    row_map_fn map, size_t size, void **out)
{
	enum zek_rc rc = ZEK_OK;
	struct row r;
	void *elem;
	int step;

	step = next(c, st, &rc);
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
	r = (struct row){ .a = a, .st = st };
	map(&r, elem);
	if (r.failed) {
		rc = ZEK_NOMEM;
		goto out;
	}
	*out = elem;
out:
	finish(st);
	return rc;
}

/* ---- case folding for search and uniqueness ---- */

/* Full Unicode case folding of UTF-8 text into a malloc'd string, so that
 * "Übersicht" and "übersicht" compare equal the same way in every backend. */
static char *
fold(const char *s)
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
static char *
like_pattern(const char *query)
{
	char *f, *p, *o;
	size_t n;

	f = fold(query != NULL ? query : "");
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

static enum zek_rc
exec_sql(struct store_conn *c, const char *sql)
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

static int64_t
wall_ms(void)
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
	rc = exec_sql(c, "BEGIN IMMEDIATE");
	if (rc != ZEK_OK)
		return rc;
	rc = query_i64(c, &found,
	    "SELECT count(*) FROM schema_migrations WHERE version = ?", "i",
	    (int64_t)m->version);
	if (rc != ZEK_OK || found > 0)
		goto out;
	rc = exec_sql(c, m->sql);
	if (rc != ZEK_OK)
		goto out;
	rc = exec(c, "INSERT INTO schema_migrations (version, name, applied_at)"
	    " VALUES (?, ?, ?)", "iti", (int64_t)m->version, m->name, wall_ms());
out:
	if (rc == ZEK_OK)
		rc = exec_sql(c, "COMMIT");
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

	rc = exec_sql(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
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
	return query_i64(c, out,
	    "SELECT coalesce(max(version), 0) FROM schema_migrations", "");
}

/* ---- open and close ---- */

enum zek_rc
store_open(const char *path, struct store **out)
{
	struct store *st;
	struct store_conn *c;
	enum zek_rc rc;

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
	return exec(c, "BEGIN IMMEDIATE", "");
}

enum zek_rc
store_commit(struct store_conn *c)
{
	return exec(c, "COMMIT", "");
}

enum zek_rc
store_rollback(struct store_conn *c)
{
	if (sqlite3_get_autocommit(c->db))
		return ZEK_OK;
	return exec(c, "ROLLBACK", "");
}

/* ---- users, organisations ---- */

#define USER_COLS "u.id, u.email, u.name, u.password_hash, u.role, u.lang, " \
	"u.tz, u.notify, u.created_at"

static void
map_user(struct row *r, void *elem)
{
	struct store_user *u = elem;

	u->id = col_i64(r);
	u->email = col_str(r);
	u->name = col_str(r);
	u->password_hash = col_str(r);
	u->role = col_str(r);
	u->lang = col_str(r);
	u->tz = col_str(r);
	u->notify = col_bool(r);
	u->created_at = col_i64(r);
}

enum zek_rc
store_user_insert(struct store_conn *c, const struct store_user *u,
    int64_t *id_out)
{
	char *ef = fold(u->email), *nf = fold(u->name);
	enum zek_rc rc = ZEK_NOMEM;
	int64_t id;

	if (ef == NULL || nf == NULL)
		goto out;
	rc = query_i64(c, &id,
	    "INSERT INTO users (email, email_fold, name, name_fold, "
	    "password_hash, role, lang, tz, notify, created_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
	    "ttttttttbi", u->email, ef, u->name, nf,
	    u->password_hash != NULL ? u->password_hash : "", u->role,
	    u->lang, u->tz, (int)u->notify, u->created_at);
	if (rc == ZEK_OK && id_out != NULL)
		*id_out = id;
out:
	free(ef);
	free(nf);
	return rc;
}

enum zek_rc
store_user_by_email(struct store_conn *c, struct arena *a, const char *email,
    struct store_user **out)
{
	enum zek_rc rc;
	sqlite3_stmt *st;
	char *ef = fold(email);

	if (ef == NULL)
		return ZEK_NOTFOUND;    /* too long to be anyone's address */
	st = start(c, &rc, "SELECT " USER_COLS " FROM users u "
	    "WHERE u.email_fold = ?", "t", ef);
	free(ef);
	if (st == NULL)
		return rc;
	return collect_one(c, a, st, map_user, sizeof(**out), (void **)out);
}

enum zek_rc
store_user_by_id(struct store_conn *c, struct arena *a, int64_t id,
    struct store_user **out)
{
	enum zek_rc rc;
	sqlite3_stmt *st;

	st = start(c, &rc, "SELECT " USER_COLS " FROM users u WHERE u.id = ?",
	    "i", id);
	if (st == NULL)
		return rc;
	return collect_one(c, a, st, map_user, sizeof(**out), (void **)out);
}

enum zek_rc
store_user_count(struct store_conn *c, int64_t *out)
{
	return query_i64(c, out, "SELECT count(*) FROM users", "");
}

enum zek_rc
store_user_update_profile(struct store_conn *c, int64_t id, const char *name,
    const char *lang, const char *tz)
{
	char *nf = fold(name);
	enum zek_rc rc;

	if (nf == NULL)
		return ZEK_NOMEM;
	rc = exec_changed(c, "UPDATE users SET name = ?, name_fold = ?, "
	    "lang = ?, tz = ? WHERE id = ?", "tttti", name, nf, lang, tz, id);
	free(nf);
	return rc;
}

enum zek_rc
store_user_set_password(struct store_conn *c, int64_t id,
    const char *password_hash)
{
	return exec_changed(c, "UPDATE users SET password_hash = ? WHERE id = ?",
	    "ti", password_hash, id);
}

enum zek_rc
store_users_search(struct store_conn *c, struct arena *a, const char *query,
    const char *role, size_t limit, struct store_user **out, size_t *n)
{
	char *pat = like_pattern(query);
	enum zek_rc rc;
	sqlite3_stmt *st;

	if (pat == NULL)
		return ZEK_NOMEM;
	if (role == NULL)
		role = "";
	st = start(c, &rc, "SELECT " USER_COLS " FROM users u "
	    "WHERE (? = '' OR u.role = ?) AND (u.name_fold LIKE ? ESCAPE '\\' "
	    "OR u.email_fold LIKE ? ESCAPE '\\') "
	    "ORDER BY u.name_fold, u.id LIMIT ?",
	    "ttttz", role, role, pat, pat, limit);
	free(pat);
	if (st == NULL)
		return rc;
	return collect(c, a, st, map_user, sizeof(**out), (void **)out, n);
}

enum zek_rc
store_users_sharing_org(struct store_conn *c, struct arena *a,
    int64_t user_id, const char *query, const char *role, size_t limit,
    struct store_user **out, size_t *n)
{
	char *pat = like_pattern(query);
	enum zek_rc rc;
	sqlite3_stmt *st;

	if (pat == NULL)
		return ZEK_NOMEM;
	if (role == NULL)
		role = "";
	st = start(c, &rc, "SELECT " USER_COLS " FROM users u "
	    "WHERE u.id IN (SELECT o.user_id FROM user_orgs o WHERE o.org_id IN "
	    "(SELECT m.org_id FROM user_orgs m WHERE m.user_id = ?)) "
	    "AND u.id <> ? AND (? = '' OR u.role = ?) "
	    "AND (u.name_fold LIKE ? ESCAPE '\\' OR u.email_fold LIKE ? "
	    "ESCAPE '\\') ORDER BY u.name_fold, u.id LIMIT ?",
	    "iittttz", user_id, user_id, role, role, pat, pat, limit);
	free(pat);
	if (st == NULL)
		return rc;
	return collect(c, a, st, map_user, sizeof(**out), (void **)out, n);
}

static void
map_org(struct row *r, void *elem)
{
	struct store_org *o = elem;

	o->id = col_i64(r);
	o->name = col_str(r);
}

enum zek_rc
store_org_ensure(struct store_conn *c, const char *name, int64_t *id_out)
{
	enum zek_rc rc;

	rc = exec(c, "INSERT INTO organisations (name, created_at) VALUES (?, ?) "
	    "ON CONFLICT (name) DO NOTHING", "ti", name, wall_ms());
	if (rc != ZEK_OK)
		return rc;
	return query_i64(c, id_out,
	    "SELECT id FROM organisations WHERE name = ?", "t", name);
}

enum zek_rc
store_org_get(struct store_conn *c, struct arena *a, int64_t id,
    struct store_org **out)
{
	enum zek_rc rc;
	sqlite3_stmt *st;

	st = start(c, &rc, "SELECT id, name FROM organisations WHERE id = ?",
	    "i", id);
	if (st == NULL)
		return rc;
	return collect_one(c, a, st, map_org, sizeof(**out), (void **)out);
}

enum zek_rc
store_user_org_add(struct store_conn *c, int64_t user_id, int64_t org_id)
{
	return exec(c, "INSERT INTO user_orgs (user_id, org_id) VALUES (?, ?) "
	    "ON CONFLICT (user_id, org_id) DO NOTHING", "ii", user_id, org_id);
}

enum zek_rc
store_user_orgs(struct store_conn *c, struct arena *a, int64_t user_id,
    struct store_org **out, size_t *n)
{
	enum zek_rc rc;
	sqlite3_stmt *st;

	st = start(c, &rc, "SELECT o.id, o.name FROM organisations o "
	    "JOIN user_orgs m ON m.org_id = o.id WHERE m.user_id = ? "
	    "ORDER BY o.name, o.id", "i", user_id);
	if (st == NULL)
		return rc;
	return collect(c, a, st, map_org, sizeof(**out), (void **)out, n);
}

/* ---- sessions and login throttling ---- */

static void
map_session(struct row *r, void *elem)
{
	struct store_session *s = elem;

	s->token_hash = col_str(r);
	s->user_id = col_i64(r);
	s->csrf = col_str(r);
	s->created_at = col_i64(r);
	s->last_seen = col_i64(r);
	s->expires_at = col_i64(r);
}

enum zek_rc
store_session_insert(struct store_conn *c, const struct store_session *s)
{
	return exec(c, "INSERT INTO sessions (token_hash, user_id, csrf, "
	    "created_at, last_seen, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
	    "titiii", s->token_hash, s->user_id, s->csrf, s->created_at,
	    s->last_seen, s->expires_at);
}

enum zek_rc
store_session_get(struct store_conn *c, struct arena *a,
    const char *token_hash, struct store_session **out)
{
	enum zek_rc rc;
	sqlite3_stmt *st;

	st = start(c, &rc, "SELECT token_hash, user_id, csrf, created_at, "
	    "last_seen, expires_at FROM sessions WHERE token_hash = ?", "t",
	    token_hash);
	if (st == NULL)
		return rc;
	return collect_one(c, a, st, map_session, sizeof(**out), (void **)out);
}

enum zek_rc
store_session_touch(struct store_conn *c, const char *token_hash,
    int64_t last_seen, int64_t expires_at)
{
	return exec_changed(c, "UPDATE sessions SET last_seen = ?, "
	    "expires_at = ? WHERE token_hash = ?", "iit", last_seen, expires_at,
	    token_hash);
}

enum zek_rc
store_session_delete(struct store_conn *c, const char *token_hash)
{
	return exec(c, "DELETE FROM sessions WHERE token_hash = ?", "t",
	    token_hash);
}

enum zek_rc
store_sessions_purge(struct store_conn *c, int64_t now, int64_t *n)
{
	enum zek_rc rc;

	rc = exec(c, "DELETE FROM sessions WHERE expires_at < ?", "i", now);
	if (rc == ZEK_OK && n != NULL)
		*n = sqlite3_changes(c->db);
	return rc;
}

enum zek_rc
store_login_failure_get(struct store_conn *c, const char *key, int64_t *count,
    int64_t *window_start)
{
	enum zek_rc rc;
	sqlite3_stmt *st;
	int r;

	st = start(c, &rc, "SELECT count, window_start FROM login_failures "
	    "WHERE throttle_key = ?", "t", key);
	if (st == NULL)
		return rc;
	r = next(c, st, &rc);
	if (r == 1) {
		*count = sqlite3_column_int64(st, 0);
		*window_start = sqlite3_column_int64(st, 1);
	} else if (r == 0) {
		rc = ZEK_NOTFOUND;
	}
	finish(st);
	return rc;
}

enum zek_rc
store_login_failure_set(struct store_conn *c, const char *key, int64_t count,
    int64_t window_start)
{
	return exec(c, "INSERT INTO login_failures (throttle_key, count, "
	    "window_start) VALUES (?, ?, ?) ON CONFLICT (throttle_key) DO UPDATE "
	    "SET count = excluded.count, window_start = excluded.window_start",
	    "tii", key, count, window_start);
}

enum zek_rc
store_login_failure_clear(struct store_conn *c, const char *key)
{
	return exec(c, "DELETE FROM login_failures WHERE throttle_key = ?", "t",
	    key);
}

/* ---- service desks, request types, fields ---- */

#define DESK_COLS "id, portal_id, project_key, name, description, next_number"

static void
map_desk(struct row *r, void *elem)
{
	struct store_desk *d = elem;

	d->id = col_i64(r);
	d->portal_id = col_i64(r);
	d->project_key = col_str(r);
	d->name = col_str(r);
	d->description = col_str(r);
	d->next_number = col_i64(r);
}

enum zek_rc
store_desk_insert(struct store_conn *c, const struct store_desk *d,
    int64_t *id_out)
{
	int64_t id;
	enum zek_rc rc;

	rc = query_i64(c, &id, "INSERT INTO service_desks (id, portal_id, "
	    "project_key, name, description, next_number) "
	    "VALUES (?, ?, ?, ?, ?, ?) RETURNING id", "Iittti", d->id,
	    d->portal_id, d->project_key, d->name,
	    d->description != NULL ? d->description : "", d->next_number);
	if (rc == ZEK_OK && id_out != NULL)
		*id_out = id;
	return rc;
}

enum zek_rc
store_desks_list(struct store_conn *c, struct arena *a,
    struct store_desk **out, size_t *n)
{
	enum zek_rc rc;
	sqlite3_stmt *st;

	st = start(c, &rc, "SELECT " DESK_COLS " FROM service_desks "
	    "ORDER BY name, id", "");
	if (st == NULL)
		return rc;
	return collect(c, a, st, map_desk, sizeof(**out), (void **)out, n);
}

enum zek_rc
store_desk_by_portal(struct store_conn *c, struct arena *a, int64_t portal_id,
    struct store_desk **out)
{
	enum zek_rc rc;
	sqlite3_stmt *st;

	st = start(c, &rc, "SELECT " DESK_COLS " FROM service_desks "
	    "WHERE portal_id = ?", "i", portal_id);
	if (st == NULL)
		return rc;
	return collect_one(c, a, st, map_desk, sizeof(**out), (void **)out);
}

enum zek_rc
store_desk_by_id(struct store_conn *c, struct arena *a, int64_t id,
    struct store_desk **out)
{
	enum zek_rc rc;
	sqlite3_stmt *st;

	st = start(c, &rc, "SELECT " DESK_COLS " FROM service_desks "
	    "WHERE id = ?", "i", id);
	if (st == NULL)
		return rc;
	return collect_one(c, a, st, map_desk, sizeof(**out), (void **)out);
}

enum zek_rc
store_desk_count(struct store_conn *c, int64_t *out)
{
	return query_i64(c, out, "SELECT count(*) FROM service_desks", "");
}

enum zek_rc
store_desk_next_number(struct store_conn *c, int64_t desk_id, int64_t *number)
{
	return query_i64(c, number, "UPDATE service_desks "
	    "SET next_number = next_number + 1 WHERE id = ? "
	    "RETURNING next_number", "i", desk_id);
}

static void
map_group(struct row *r, void *elem)
{
	struct store_group *g = elem;

	g->id = col_i64(r);
	g->desk_id = col_i64(r);
	g->name_de = col_str(r);
	g->name_en = col_str(r);
	g->position = col_i64(r);
}

enum zek_rc
store_group_insert(struct store_conn *c, const struct store_group *g,
    int64_t *id_out)
{
	int64_t id;
	enum zek_rc rc;

	rc = query_i64(c, &id, "INSERT INTO request_type_groups (id, desk_id, "
	    "name_de, name_en, position) VALUES (?, ?, ?, ?, ?) RETURNING id",
	    "Iitti", g->id, g->desk_id, g->name_de, g->name_en, g->position);
	if (rc == ZEK_OK && id_out != NULL)
		*id_out = id;
	return rc;
}

enum zek_rc
store_groups_by_desk(struct store_conn *c, struct arena *a, int64_t desk_id,
    struct store_group **out, size_t *n)
{
	enum zek_rc rc;
	sqlite3_stmt *st;

	st = start(c, &rc, "SELECT id, desk_id, name_de, name_en, position "
	    "FROM request_type_groups WHERE desk_id = ? ORDER BY position, id",
	    "i", desk_id);
	if (st == NULL)
		return rc;
	return collect(c, a, st, map_group, sizeof(**out), (void **)out, n);
}

#define TYPE_COLS "id, desk_id, group_id, name_de, name_en, description_de, " \
	"description_en, position, icon"

static void
map_reqtype(struct row *r, void *elem)
{
	struct store_reqtype *t = elem;

	t->id = col_i64(r);
	t->desk_id = col_i64(r);
	t->group_id = col_i64(r);
	t->name_de = col_str(r);
	t->name_en = col_str(r);
	t->description_de = col_str(r);
	t->description_en = col_str(r);
	t->position = col_i64(r);
	t->icon = col_str(r);
}

enum zek_rc
store_reqtype_insert(struct store_conn *c, const struct store_reqtype *t,
    int64_t *id_out)
{
	int64_t id;
	enum zek_rc rc;

	rc = query_i64(c, &id, "INSERT INTO request_types (id, desk_id, "
	    "group_id, name_de, name_en, description_de, description_en, "
	    "position, icon) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
	    "Iiittttit", t->id, t->desk_id, t->group_id, t->name_de, t->name_en,
	    t->description_de != NULL ? t->description_de : "",
	    t->description_en != NULL ? t->description_en : "", t->position,
	    t->icon != NULL ? t->icon : "");
	if (rc == ZEK_OK && id_out != NULL)
		*id_out = id;
	return rc;
}

enum zek_rc
store_reqtypes_by_desk(struct store_conn *c, struct arena *a, int64_t desk_id,
    struct store_reqtype **out, size_t *n)
{
	enum zek_rc rc;
	sqlite3_stmt *st;

	st = start(c, &rc, "SELECT " TYPE_COLS " FROM request_types "
	    "WHERE desk_id = ? ORDER BY position, id", "i", desk_id);
	if (st == NULL)
		return rc;
	return collect(c, a, st, map_reqtype, sizeof(**out), (void **)out, n);
}

enum zek_rc
store_reqtype_get(struct store_conn *c, struct arena *a, int64_t id,
    struct store_reqtype **out)
{
	enum zek_rc rc;
	sqlite3_stmt *st;

	st = start(c, &rc, "SELECT " TYPE_COLS " FROM request_types "
	    "WHERE id = ?", "i", id);
	if (st == NULL)
		return rc;
	return collect_one(c, a, st, map_reqtype, sizeof(**out), (void **)out);
}

static const char *
nz(const char *s)
{
	return s != NULL ? s : "";
}

enum zek_rc
store_field_insert(struct store_conn *c, const struct store_field *f,
    int64_t *id_out)
{
	int64_t id;
	enum zek_rc rc;

	rc = query_i64(c, &id, "INSERT INTO fields (id, type_id, field_key, "
	    "kind, label_de, label_en, help_de, help_en, placeholder_de, "
	    "placeholder_en, required, position, object_kind, multiple, "
	    "checkbox_label_de, checkbox_label_en) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
	    "Iittttttttbitbtt", f->id, f->type_id, f->key, f->kind, f->label_de,
	    f->label_en, nz(f->help_de), nz(f->help_en), nz(f->placeholder_de),
	    nz(f->placeholder_en), (int)f->required, f->position,
	    nz(f->object_kind), (int)f->multiple, nz(f->checkbox_label_de),
	    nz(f->checkbox_label_en));
	if (rc == ZEK_OK && id_out != NULL)
		*id_out = id;
	return rc;
}

static void
map_field(struct row *r, void *elem)
{
	struct store_field *f = elem;

	f->id = col_i64(r);
	f->type_id = col_i64(r);
	f->key = col_str(r);
	f->kind = col_str(r);
	f->label_de = col_str(r);
	f->label_en = col_str(r);
	f->help_de = col_str(r);
	f->help_en = col_str(r);
	f->placeholder_de = col_str(r);
	f->placeholder_en = col_str(r);
	f->required = col_bool(r);
	f->position = col_i64(r);
	f->object_kind = col_str(r);
	f->multiple = col_bool(r);
	f->checkbox_label_de = col_str(r);
	f->checkbox_label_en = col_str(r);
}

enum zek_rc
store_fields_by_type(struct store_conn *c, struct arena *a, int64_t type_id,
    struct store_field **out, size_t *n)
{
	enum zek_rc rc;
	sqlite3_stmt *st;

	st = start(c, &rc, "SELECT id, type_id, field_key, kind, label_de, "
	    "label_en, help_de, help_en, placeholder_de, placeholder_en, "
	    "required, position, object_kind, multiple, checkbox_label_de, "
	    "checkbox_label_en FROM fields WHERE type_id = ? "
	    "ORDER BY position, id", "i", type_id);
	if (st == NULL)
		return rc;
	return collect(c, a, st, map_field, sizeof(**out), (void **)out, n);
}

enum zek_rc
store_option_insert(struct store_conn *c, const struct store_option *o,
    int64_t *id_out)
{
	int64_t id;
	enum zek_rc rc;

	rc = query_i64(c, &id, "INSERT INTO field_options (id, field_id, value, "
	    "label_de, label_en, position) VALUES (?, ?, ?, ?, ?, ?) "
	    "RETURNING id", "Iittti", o->id, o->field_id, o->value, o->label_de,
	    o->label_en, o->position);
	if (rc == ZEK_OK && id_out != NULL)
		*id_out = id;
	return rc;
}

static void
map_option(struct row *r, void *elem)
{
	struct store_option *o = elem;

	o->id = col_i64(r);
	o->field_id = col_i64(r);
	o->value = col_str(r);
	o->label_de = col_str(r);
	o->label_en = col_str(r);
	o->position = col_i64(r);
}

enum zek_rc
store_options_by_type(struct store_conn *c, struct arena *a, int64_t type_id,
    struct store_option **out, size_t *n)
{
	enum zek_rc rc;
	sqlite3_stmt *st;

	st = start(c, &rc, "SELECT o.id, o.field_id, o.value, o.label_de, "
	    "o.label_en, o.position FROM field_options o "
	    "JOIN fields f ON f.id = o.field_id WHERE f.type_id = ? "
	    "ORDER BY o.field_id, o.position, o.id", "i", type_id);
	if (st == NULL)
		return rc;
	return collect(c, a, st, map_option, sizeof(**out), (void **)out, n);
}

/* ---- object catalogue ---- */

static void
map_object(struct row *r, void *elem)
{
	struct store_object *o = elem;

	o->id = col_i64(r);
	o->kind = col_str(r);
	o->name = col_str(r);
}

enum zek_rc
store_object_ensure(struct store_conn *c, const char *kind, const char *name,
    int64_t *id_out, bool *created)
{
	char *nf = fold(name);
	enum zek_rc rc;
	int64_t id;
	int changed;

	if (nf == NULL)
		return ZEK_NOMEM;
	rc = exec(c, "INSERT INTO objects (kind, name, name_fold) "
	    "VALUES (?, ?, ?) ON CONFLICT (kind, name) DO NOTHING", "ttt", kind,
	    name, nf);
	free(nf);
	if (rc != ZEK_OK)
		return rc;
	changed = sqlite3_changes(c->db);
	rc = query_i64(c, &id, "SELECT id FROM objects WHERE kind = ? AND "
	    "name = ?", "tt", kind, name);
	if (rc != ZEK_OK)
		return rc;
	if (id_out != NULL)
		*id_out = id;
	if (created != NULL)
		*created = changed > 0;
	return ZEK_OK;
}

enum zek_rc
store_object_get(struct store_conn *c, struct arena *a, int64_t id,
    struct store_object **out)
{
	enum zek_rc rc;
	sqlite3_stmt *st;

	st = start(c, &rc, "SELECT id, kind, name FROM objects WHERE id = ?",
	    "i", id);
	if (st == NULL)
		return rc;
	return collect_one(c, a, st, map_object, sizeof(**out), (void **)out);
}

enum zek_rc
store_objects_search(struct store_conn *c, struct arena *a, const char *kind,
    const char *query, size_t limit, size_t offset, struct store_object **out,
    size_t *n)
{
	char *pat = like_pattern(query);
	enum zek_rc rc;
	sqlite3_stmt *st;

	if (pat == NULL)
		return ZEK_NOMEM;
	st = start(c, &rc, "SELECT id, kind, name FROM objects WHERE kind = ? "
	    "AND name_fold LIKE ? ESCAPE '\\' ORDER BY name_fold, id "
	    "LIMIT ? OFFSET ?", "ttzz", kind, pat, limit, offset);
	free(pat);
	if (st == NULL)
		return rc;
	return collect(c, a, st, map_object, sizeof(**out), (void **)out, n);
}

/* ---- requests ---- */

#define REQUEST_COLS "id, desk_id, number, issue_key, type_id, reporter_id, " \
	"creator_id, coalesce(shared_org_id, 0), status, resolution, title, " \
	"created_at, updated_at"

static void
map_request(struct row *r, void *elem)
{
	struct store_request *q = elem;

	q->id = col_i64(r);
	q->desk_id = col_i64(r);
	q->number = col_i64(r);
	q->key = col_str(r);
	q->type_id = col_i64(r);
	q->reporter_id = col_i64(r);
	q->creator_id = col_i64(r);
	q->shared_org_id = col_i64(r);
	q->status = col_str(r);
	q->resolution = col_str(r);
	q->title = col_str(r);
	q->created_at = col_i64(r);
	q->updated_at = col_i64(r);
}

enum zek_rc
store_request_insert(struct store_conn *c, const struct store_request *r,
    int64_t *id_out)
{
	int64_t id;
	enum zek_rc rc;

	rc = query_i64(c, &id, "INSERT INTO requests (desk_id, number, "
	    "issue_key, type_id, reporter_id, creator_id, shared_org_id, status, "
	    "resolution, title, created_at, updated_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
	    "iitiiiItttii", r->desk_id, r->number, r->key, r->type_id,
	    r->reporter_id, r->creator_id, r->shared_org_id, r->status,
	    nz(r->resolution), r->title, r->created_at, r->updated_at);
	if (rc == ZEK_OK && id_out != NULL)
		*id_out = id;
	return rc;
}

enum zek_rc
store_request_by_key(struct store_conn *c, struct arena *a, const char *key,
    struct store_request **out)
{
	enum zek_rc rc;
	sqlite3_stmt *st;

	st = start(c, &rc, "SELECT " REQUEST_COLS " FROM requests "
	    "WHERE issue_key = ?", "t", key);
	if (st == NULL)
		return rc;
	return collect_one(c, a, st, map_request, sizeof(**out), (void **)out);
}

enum zek_rc
store_request_by_id(struct store_conn *c, struct arena *a, int64_t id,
    struct store_request **out)
{
	enum zek_rc rc;
	sqlite3_stmt *st;

	st = start(c, &rc, "SELECT " REQUEST_COLS " FROM requests WHERE id = ?",
	    "i", id);
	if (st == NULL)
		return rc;
	return collect_one(c, a, st, map_request, sizeof(**out), (void **)out);
}

enum zek_rc
store_request_set_status(struct store_conn *c, int64_t id, const char *status,
    const char *resolution, int64_t updated_at)
{
	return exec_changed(c, "UPDATE requests SET status = ?, resolution = ?, "
	    "updated_at = ? WHERE id = ?", "ttii", status, nz(resolution),
	    updated_at, id);
}

enum zek_rc
store_value_insert(struct store_conn *c, int64_t request_id,
    const char *field_key, int64_t position, const char *value)
{
	return exec(c, "INSERT INTO request_values (request_id, field_key, "
	    "position, value) VALUES (?, ?, ?, ?)", "itit", request_id,
	    field_key, position, value);
}

static void
map_value(struct row *r, void *elem)
{
	struct store_value *v = elem;

	v->field_key = col_str(r);
	v->position = col_i64(r);
	v->value = col_str(r);
}

enum zek_rc
store_values_by_request(struct store_conn *c, struct arena *a,
    int64_t request_id, struct store_value **out, size_t *n)
{
	enum zek_rc rc;
	sqlite3_stmt *st;

	st = start(c, &rc, "SELECT field_key, position, value "
	    "FROM request_values WHERE request_id = ? "
	    "ORDER BY field_key, position", "i", request_id);
	if (st == NULL)
		return rc;
	return collect(c, a, st, map_value, sizeof(**out), (void **)out, n);
}

enum zek_rc
store_requests_count_open_involving(struct store_conn *c, int64_t user_id,
    const char *closed_status, int64_t *out)
{
	return query_i64(c, out, "SELECT count(*) FROM requests r "
	    "WHERE r.status <> ? AND (r.reporter_id = ? OR r.id IN "
	    "(SELECT p.request_id FROM participants p WHERE p.user_id = ?))",
	    "tii", closed_status, user_id, user_id);
}

enum zek_rc
store_request_count(struct store_conn *c, int64_t *out)
{
	return query_i64(c, out, "SELECT count(*) FROM requests", "");
}

enum zek_rc
store_participant_add(struct store_conn *c, int64_t request_id,
    int64_t user_id)
{
	return exec(c, "INSERT INTO participants (request_id, user_id) "
	    "VALUES (?, ?) ON CONFLICT (request_id, user_id) DO NOTHING", "ii",
	    request_id, user_id);
}

enum zek_rc
store_participant_remove(struct store_conn *c, int64_t request_id,
    int64_t user_id)
{
	return exec_changed(c, "DELETE FROM participants WHERE request_id = ? "
	    "AND user_id = ?", "ii", request_id, user_id);
}

enum zek_rc
store_is_participant(struct store_conn *c, int64_t request_id,
    int64_t user_id, bool *out)
{
	enum zek_rc rc;
	int64_t cnt;

	rc = query_i64(c, &cnt, "SELECT count(*) FROM participants "
	    "WHERE request_id = ? AND user_id = ?", "ii", request_id, user_id);
	if (rc == ZEK_OK)
		*out = cnt > 0;
	return rc;
}

enum zek_rc
store_participants(struct store_conn *c, struct arena *a, int64_t request_id,
    struct store_user **out, size_t *n)
{
	enum zek_rc rc;
	sqlite3_stmt *st;

	st = start(c, &rc, "SELECT " USER_COLS " FROM users u "
	    "JOIN participants p ON p.user_id = u.id WHERE p.request_id = ? "
	    "ORDER BY u.name_fold, u.id", "i", request_id);
	if (st == NULL)
		return rc;
	return collect(c, a, st, map_user, sizeof(**out), (void **)out, n);
}

enum zek_rc
store_notify_muted_get(struct store_conn *c, int64_t request_id,
    int64_t user_id, bool *out)
{
	enum zek_rc rc;
	int64_t v;

	rc = query_i64(c, &v, "SELECT notify_muted FROM participant_settings "
	    "WHERE request_id = ? AND user_id = ?", "ii", request_id, user_id);
	if (rc == ZEK_NOTFOUND) {
		*out = false;
		return ZEK_OK;
	}
	if (rc == ZEK_OK)
		*out = v != 0;
	return rc;
}

enum zek_rc
store_notify_muted_set(struct store_conn *c, int64_t request_id,
    int64_t user_id, bool muted)
{
	return exec(c, "INSERT INTO participant_settings (request_id, user_id, "
	    "notify_muted) VALUES (?, ?, ?) ON CONFLICT (request_id, user_id) "
	    "DO UPDATE SET notify_muted = excluded.notify_muted", "iib",
	    request_id, user_id, (int)muted);
}

/* ---- attachments ---- */

#define ATT_COLS "id, coalesce(request_id, 0), uploader_id, " \
	"coalesce(temp_token, ''), filename, mime, size, created_at"

static void
map_attachment(struct row *r, void *elem)
{
	struct store_attachment *t = elem;

	t->id = col_i64(r);
	t->request_id = col_i64(r);
	t->uploader_id = col_i64(r);
	t->temp_token = col_str(r);
	t->filename = col_str(r);
	t->mime = col_str(r);
	t->size = col_i64(r);
	t->created_at = col_i64(r);
}

enum zek_rc
store_attachment_insert(struct store_conn *c,
    const struct store_attachment *att, const void *data, size_t len,
    int64_t *id_out)
{
	enum zek_rc rc;
	sqlite3_stmt *st;
	int src, r;

	st = start(c, &rc, "INSERT INTO attachments (request_id, uploader_id, "
	    "temp_token, filename, mime, size, data, created_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id", "IiTttz",
	    att->request_id, att->uploader_id, att->temp_token, att->filename,
	    att->mime, len);
	if (st == NULL)
		return rc;
	/* The blob is bound apart: it may be large, so it is not copied. */
	src = sqlite3_bind_blob64(st, 7, data != NULL ? data : "", len,
	    SQLITE_STATIC);
	if (src == SQLITE_OK)
		src = sqlite3_bind_int64(st, 8, att->created_at);
	if (src != SQLITE_OK) {
		rc = log_err(c->db, src, "bind blob");
		goto out;
	}
	r = next(c, st, &rc);
	if (r == 1 && id_out != NULL)
		*id_out = sqlite3_column_int64(st, 0);
	while (r == 1)
		r = next(c, st, &rc);
out:
	finish(st);
	return rc;
}

enum zek_rc
store_attachment_temp_get(struct store_conn *c, struct arena *a,
    int64_t uploader_id, const char *token, struct store_attachment **out)
{
	enum zek_rc rc;
	sqlite3_stmt *st;

	st = start(c, &rc, "SELECT " ATT_COLS " FROM attachments "
	    "WHERE temp_token = ? AND uploader_id = ? AND request_id IS NULL",
	    "ti", token, uploader_id);
	if (st == NULL)
		return rc;
	return collect_one(c, a, st, map_attachment, sizeof(**out),
	    (void **)out);
}

enum zek_rc
store_attachment_attach(struct store_conn *c, int64_t uploader_id,
    const char *token, int64_t request_id)
{
	return exec_changed(c, "UPDATE attachments SET request_id = ?, "
	    "temp_token = NULL WHERE temp_token = ? AND uploader_id = ? "
	    "AND request_id IS NULL", "iti", request_id, token, uploader_id);
}

enum zek_rc
store_attachments_by_request(struct store_conn *c, struct arena *a,
    int64_t request_id, struct store_attachment **out, size_t *n)
{
	enum zek_rc rc;
	sqlite3_stmt *st;

	st = start(c, &rc, "SELECT " ATT_COLS " FROM attachments "
	    "WHERE request_id = ? ORDER BY created_at, id", "i", request_id);
	if (st == NULL)
		return rc;
	return collect(c, a, st, map_attachment, sizeof(**out), (void **)out,
	    n);
}

enum zek_rc
store_attachment_get(struct store_conn *c, struct arena *a, int64_t id,
    bool with_data, struct store_attachment **out)
{
	struct store_attachment *t = NULL;
	const void *blob;
	unsigned char *copy;
	enum zek_rc rc;
	sqlite3_stmt *st;
	struct row r;
	int step, n;

	st = start(c, &rc, "SELECT " ATT_COLS ", data FROM attachments "
	    "WHERE id = ?", "i", id);
	if (st == NULL)
		return rc;
	step = next(c, st, &rc);
	if (step != 1) {
		if (step == 0)
			rc = ZEK_NOTFOUND;
		goto out;
	}
	t = arena_calloc(a, 1, sizeof(*t));
	if (t == NULL) {
		rc = ZEK_NOMEM;
		goto out;
	}
	r = (struct row){ .a = a, .st = st };
	map_attachment(&r, t);
	if (r.failed) {
		rc = ZEK_NOMEM;
		goto out;
	}
	if (with_data) {
		blob = sqlite3_column_blob(st, r.col);
		n = sqlite3_column_bytes(st, r.col);
		copy = arena_alloc(a, (size_t)n + 1);
		if (copy == NULL) {
			rc = ZEK_NOMEM;
			goto out;
		}
		if (n > 0)
			memcpy(copy, blob, (size_t)n);
		copy[n] = '\0';
		t->data = copy;
		t->size = n;
	}
	*out = t;
out:
	finish(st);
	return rc;
}

enum zek_rc
store_attachments_purge_temp(struct store_conn *c, int64_t before, int64_t *n)
{
	enum zek_rc rc;

	rc = exec(c, "DELETE FROM attachments WHERE request_id IS NULL "
	    "AND created_at < ?", "i", before);
	if (rc == ZEK_OK && n != NULL)
		*n = sqlite3_changes(c->db);
	return rc;
}
