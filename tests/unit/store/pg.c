/* Unit tests for store/pg.c on a real PostgreSQL: ZEK_TEST_PG names a
 * throw-away cluster (a libpq URL whose role may create databases, as
 * tests/pg/cluster prints it). Each test gets a new database from
 * pgtest.c, dropped after it. Without ZEK_TEST_PG the test is skipped
 * (exit 77). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/arena.h"
#include "pgtest/pgtest.h"
#include "store/pg_int.h"
#include "store/store.h"

#define NTHREADS 4

static const char *admin_url;   /* ZEK_TEST_PG */
static char dbname[64];
static char url[1024];          /* key=value, with dbname = the test's */

/* ---- the test's database ---- */

static PGconn *
admin(void)
{
	PGconn *db = PQconnectdb(admin_url);

	if (PQstatus(db) != CONNECTION_OK)
		fail_msg("cannot connect to ZEK_TEST_PG: %s", PQerrorMessage(db));
	return db;
}

static void
admin_exec(const char *sql)
{
	PGconn *db = admin();
	PGresult *res = PQexec(db, sql);

	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(db));
	PQclear(res);
	PQfinish(db);
}

/* The database's URL as key=value words: the store takes both forms, and
 * the other tests use URLs. */
static void
make_url(const char *pg_url)
{
	PQconninfoOption *opts, *o;
	size_t len = 0;
	const char *v;
	char *err = NULL;

	opts = PQconninfoParse(pg_url, &err);
	assert_non_null(opts);
	url[0] = '\0';
	for (o = opts; o->keyword != NULL; o++) {
		v = o->val;
		if (v == NULL || *v == '\0')
			continue;
		len += (size_t)snprintf(url + len, sizeof(url) - len, "%s%s='",
		    len > 0 ? " " : "", o->keyword);
		for (; *v != '\0' && len + 3 < sizeof(url); v++) {
			if (*v == '\'' || *v == '\\')
				url[len++] = '\\';
			url[len++] = *v;
		}
		len += (size_t)snprintf(url + len, sizeof(url) - len, "'");
		assert_true(len < sizeof(url));
	}
	PQconninfoFree(opts);
}

static int
setup(void **state)
{
	char pg_url[1024];

	(void)state;
	pgtest_create(pg_url, sizeof(pg_url), dbname, sizeof(dbname));
	make_url(pg_url);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	pgtest_drop(dbname);
	return 0;
}

static struct store *
open_store(void)
{
	struct store *st = NULL;

	assert_int_equal(store_open(url, &st), ZEK_OK);
	assert_string_equal(store_backend(st), "postgresql");
	return st;
}

static int64_t
query(struct store_conn *c, const char *sql)
{
	int64_t v = -1;

	assert_int_equal(sq_query_i64(c, &v, sql, ""), ZEK_OK);
	return v;
}

static int64_t
user_count(struct store_conn *c)
{
	int64_t n = -1;

	assert_int_equal(store_user_count(c, &n), ZEK_OK);
	return n;
}

static enum zek_rc
add_user(struct store_conn *c, const char *email, int64_t *id)
{
	struct store_user u = { .email = email, .name = "Anna",
	    .password_hash = "x", .role = "customer", .lang = "de",
	    .tz = "Europe/Berlin", .notify = true, .created_at = 1 };

	return store_user_insert(c, &u, id);
}

/* stderr into a file while fn runs: what it logged. */
static size_t
logged_by(void (*fn)(void *), void *arg, char *buf, size_t n)
{
	char path[] = "/tmp/zek-pg-log-XXXXXX";
	int fd = mkstemp(path), saved;
	ssize_t got;

	assert_true(fd >= 0);
	fflush(stderr);
	saved = dup(2);
	dup2(fd, 2);
	fn(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	lseek(fd, 0, SEEK_SET);
	got = read(fd, buf, n - 1);
	buf[got > 0 ? got : 0] = '\0';
	close(fd);
	unlink(path);
	return got > 0 ? (size_t)got : 0;
}

/* ---- migrations ---- */

static void
test_migrations_once(void **state)
{
	struct store *st;
	struct store_conn *c;
	int64_t v, stamp;

	(void)state;
	st = open_store();
	c = store_conn(st);
	assert_true(store_migration_count(st) >= 1);
	assert_int_equal(store_schema_version(c, &v), ZEK_OK);
	assert_int_equal(v, store_migration_count(st));
	assert_int_equal(query(c, "SELECT count(*) FROM schema_migrations"),
	    store_migration_count(st));
	stamp = query(c, "SELECT sum(applied_at) FROM schema_migrations");
	assert_int_equal(user_count(c), 0);
	store_close(st);

	/* Reopened: nothing applied again. */
	st = open_store();
	c = store_conn(st);
	assert_int_equal(store_schema_version(c, &v), ZEK_OK);
	assert_int_equal(v, store_migration_count(st));
	assert_int_equal(query(c, "SELECT count(*) FROM schema_migrations"),
	    store_migration_count(st));
	assert_int_equal(query(c, "SELECT sum(applied_at) FROM "
	    "schema_migrations"), stamp);
	store_close(st);
}

static pthread_barrier_t start_line;

static void *
open_thread(void *arg)
{
	struct store *st;
	intptr_t rc;

	(void)arg;
	pthread_barrier_wait(&start_line);
	rc = store_open(url, &st);
	if (rc == ZEK_OK)
		store_close(st);
	return (void *)rc;
}

static void
test_concurrent_open(void **state)
{
	pthread_t th[NTHREADS];
	struct store *st;
	void *rc;
	int i;

	(void)state;
	/* Several servers starting at once on a new database: each
	 * migration runs once (a second run of 0001 would fail: its
	 * CREATE FUNCTION and CREATE TABLE have no IF NOT EXISTS). */
	assert_int_equal(pthread_barrier_init(&start_line, NULL, NTHREADS), 0);
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, open_thread, NULL),
		    0);
	for (i = 0; i < NTHREADS; i++) {
		assert_int_equal(pthread_join(th[i], &rc), 0);
		assert_int_equal((intptr_t)rc, ZEK_OK);
	}
	pthread_barrier_destroy(&start_line);
	st = open_store();
	assert_int_equal(query(store_conn(st), "SELECT count(*) FROM "
	    "schema_migrations"), store_migration_count(st));
	assert_int_equal(query(store_conn(st), "SELECT count(DISTINCT version) "
	    "FROM schema_migrations"), store_migration_count(st));
	store_close(st);
}

/* ---- statements ---- */

static void
check_rewrite(const char *sql, const char *want, int want_max)
{
	char *got;
	int nmax;

	got = pg_rewrite(sql, &nmax);
	assert_non_null(got);
	assert_string_equal(got, want);
	assert_int_equal(nmax, want_max);
	free(got);
}

static void
test_rewrite(void **state)
{
	int nmax;

	(void)state;
	check_rewrite("SELECT ?, ?", "SELECT $1, $2", 2);
	/* Numbered and repeated; a bare ? follows the largest so far. */
	check_rewrite("VALUES (?1, ?2, ?12, ?12)", "VALUES ($1, $2, $12, $12)",
	    12);
	check_rewrite("SELECT ?, ?5, ?", "SELECT $1, $5, $6", 6);
	check_rewrite("SELECT ?3, ?1", "SELECT $3, $1", 3);
	/* Literals, quoted names and comments keep their '?'. */
	check_rewrite("SELECT '?', 'it''s ?', ?", "SELECT '?', 'it''s ?', $1",
	    1);
	check_rewrite("SELECT \"a?b\" FROM t WHERE x LIKE ? ESCAPE '\\'",
	    "SELECT \"a?b\" FROM t WHERE x LIKE $1 ESCAPE '\\'", 1);
	check_rewrite("SELECT 1 -- what?\n, ?", "SELECT 1 -- what?\n, $1", 1);
	check_rewrite("SELECT /* a? /* b? */ c? */ ?",
	    "SELECT /* a? /* b? */ c? */ $1", 1);
	check_rewrite("SELECT E'\\'?', ?", "SELECT E'\\'?', $1", 1);
	check_rewrite("SELECT ''", "SELECT ''", 0);
	assert_null(pg_rewrite("SELECT ?0", &nmax));
	assert_int_equal(nmax, -1);
	assert_null(pg_rewrite("SELECT ?99999", &nmax));
	assert_int_equal(nmax, -1);
}

static void
test_placeholders(void **state)
{
	struct store *st = open_store();
	struct store_conn *c = store_conn(st);
	struct arena *a = arena_new(1 << 20);
	struct sq_stmt *s;
	struct sq_row r;
	enum zek_rc rc;
	int64_t v;

	(void)state;
	assert_non_null(a);
	s = sq_start(c, &rc, "SELECT ?2 || '?' || ?1 || ?2, '?'", "tt", "a",
	    "b");
	assert_non_null(s);
	assert_int_equal(sq_next(c, s, &rc), 1);
	r = (struct sq_row){ .a = a, .c = c, .st = s };
	assert_string_equal(sq_col_str(&r), "b?ab");
	assert_string_equal(sq_col_str(&r), "?");
	assert_int_equal(sq_next(c, s, &rc), 0);
	sq_finish(c, s);

	assert_int_equal(sq_query_i64(c, &v, "SELECT ?1 + ?1 * ?2", "ii",
	    (int64_t)3, (int64_t)4), ZEK_OK);
	assert_int_equal(v, 15);
	/* The types come from the letters, also where PostgreSQL would
	 * otherwise take text (a SELECT list). */
	s = sq_start(c, &rc, "SELECT pg_typeof(?)::text, pg_typeof(?)::text, "
	    "pg_typeof(?)::text, pg_typeof(?)::text", "itBb", (int64_t)1, "x",
	    "", (size_t)0, 1);
	assert_non_null(s);
	assert_int_equal(sq_next(c, s, &rc), 1);
	r = (struct sq_row){ .a = a, .c = c, .st = s };
	assert_string_equal(sq_col_str(&r), "bigint");
	assert_string_equal(sq_col_str(&r), "text");
	assert_string_equal(sq_col_str(&r), "bytea");
	assert_string_equal(sq_col_str(&r), "bigint");
	sq_finish(c, s);
	/* Booleans read as integers. */
	assert_int_equal(sq_query_i64(c, &v, "SELECT ? < ?", "ii", (int64_t)1,
	    (int64_t)2), ZEK_OK);
	assert_int_equal(v, 1);
	assert_int_equal(sq_query_i64(c, &v, "SELECT 2 < 1", ""), ZEK_OK);
	assert_int_equal(v, 0);
	/* The same text again: the prepared statement, new values. */
	assert_int_equal(sq_query_i64(c, &v, "SELECT ?1 + ?1 * ?2", "ii",
	    (int64_t)-1, (int64_t)10), ZEK_OK);
	assert_int_equal(v, -11);
	arena_free(a);
	store_close(st);
}

/* Column `col` of the current row; *isnull for SQL NULL. */
static const char *
col(struct store_conn *c, struct sq_stmt *s, int col, bool blob,
    struct arena *a, size_t *len, bool *isnull)
{
	const char *out = NULL;

	assert_int_equal(c->drv->col_copy(s, col, blob, a, &out, len), ZEK_OK);
	*isnull = out == NULL;
	return out;
}

static void
test_bind_letters(void **state)
{
	static const char blob[] = { 'a', '\0', 'b', '\xff' };
	struct store *st = open_store();
	struct store_conn *c = store_conn(st);
	struct arena *a = arena_new(1 << 20);
	struct sq_stmt *s;
	enum zek_rc rc;
	const char *v;
	size_t len;
	bool isnull;

	(void)state;
	s = sq_start(c, &rc, "SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?",
	    "ttTTiIIbbzBBt", "Grüße 'x' ?", (const char *)NULL, "", "y",
	    (int64_t)-5, (int64_t)0, (int64_t)INT64_MAX, 1, 0, (size_t)123,
	    blob, sizeof(blob), (const void *)NULL, (size_t)0, "");
	assert_non_null(s);
	assert_int_equal(sq_next(c, s, &rc), 1);
	v = col(c, s, 0, false, a, &len, &isnull);
	assert_string_equal(v, "Grüße 'x' ?");
	col(c, s, 1, false, a, &len, &isnull);
	assert_true(isnull);                    /* t NULL */
	col(c, s, 2, false, a, &len, &isnull);
	assert_true(isnull);                    /* T "" */
	assert_string_equal(col(c, s, 3, false, a, &len, &isnull), "y");
	assert_int_equal(sq_stmt_i64(c, s, 4), -5);
	col(c, s, 5, false, a, &len, &isnull);
	assert_true(isnull);                    /* I 0 */
	assert_int_equal(sq_stmt_i64(c, s, 5), 0);
	assert_true(sq_stmt_i64(c, s, 6) == INT64_MAX);
	assert_int_equal(sq_stmt_i64(c, s, 7), 1);
	assert_int_equal(sq_stmt_i64(c, s, 8), 0);
	assert_int_equal(sq_stmt_i64(c, s, 9), 123);
	v = col(c, s, 10, true, a, &len, &isnull);
	assert_false(isnull);
	assert_int_equal(len, sizeof(blob));
	assert_memory_equal(v, blob, sizeof(blob));
	v = col(c, s, 11, true, a, &len, &isnull);
	assert_false(isnull);                   /* an empty blob, not NULL */
	assert_int_equal(len, 0);
	v = col(c, s, 12, false, a, &len, &isnull);
	assert_false(isnull);                   /* t "" is text */
	assert_string_equal(v, "");
	assert_int_equal(sq_next(c, s, &rc), 0);
	sq_finish(c, s);
	arena_free(a);
	store_close(st);
}

static void
test_blob_attachment(void **state)
{
	struct store *st = open_store();
	struct store_conn *c = store_conn(st);
	struct arena *a = arena_new(8 << 20);
	struct store_attachment att = { .temp_token = "tok1",
	    .filename = "a.bin", .mime = "application/octet-stream",
	    .created_at = 5 }, *got;
	size_t len = 1 << 20, i;
	unsigned char *data = malloc(len);
	int64_t uid, id, id2;

	(void)state;
	assert_non_null(data);
	for (i = 0; i < len; i++)
		data[i] = (unsigned char)(i * 7);       /* a NUL every 256 */
	assert_int_equal(add_user(c, "anna@example.org", &uid), ZEK_OK);
	att.uploader_id = uid;
	assert_int_equal(store_attachment_insert(c, &att, data, len, 2,
	    4 << 20, &id), ZEK_OK);
	assert_int_equal(store_attachment_get(c, a, id, true, &got), ZEK_OK);
	assert_int_equal(got->size, (int64_t)len);
	assert_memory_equal(got->data, data, len);
	assert_string_equal(got->temp_token, "tok1");
	assert_int_equal(got->request_id, 0);
	/* Over the size cap: nothing stored. */
	att.temp_token = "tok2";
	assert_int_equal(store_attachment_insert(c, &att, data, len, 2,
	    (int64_t)len + 10, &id2), ZEK_TOOBIG);
	/* An empty file. */
	assert_int_equal(store_attachment_insert(c, &att, "", 0, 2, 4 << 20,
	    &id2), ZEK_OK);
	assert_int_equal(store_attachment_get(c, a, id2, true, &got), ZEK_OK);
	assert_int_equal(got->size, 0);
	free(data);
	arena_free(a);
	store_close(st);
}

struct dup {
	struct store_conn *c;
	enum zek_rc rc;
};

static void
insert_dup(void *arg)
{
	struct dup *d = arg;

	d->rc = add_user(d->c, "ANNA@example.org", NULL);
}

static void
test_unique_conflict(void **state)
{
	struct store *st = open_store();
	struct dup d = { .c = store_conn(st) };
	char log[512];

	(void)state;
	assert_int_equal(add_user(d.c, "anna@example.org", NULL), ZEK_OK);
	/* An expected answer: ZEK_CONFLICT, and nothing logged. */
	assert_int_equal(logged_by(insert_dup, &d, log, sizeof(log)), 0);
	assert_int_equal(d.rc, ZEK_CONFLICT);
	assert_string_equal(pg_last_sqlstate(d.c), "23505");
	assert_int_equal(user_count(d.c), 1);
	assert_string_equal(pg_last_sqlstate(d.c), "");
	store_close(st);
}

static void
test_errors(void **state)
{
	struct store *st = open_store();
	struct store_conn *c = store_conn(st);
	struct store_session s = { .token_hash = "h", .user_id = 999,
	    .csrf = "c", .created_at = 1, .last_seen = 1, .expires_at = 2 };
	int64_t v;

	(void)state;
	/* A foreign key that points nowhere is our fault: logged, ZEK_IO. */
	assert_int_equal(store_session_insert(c, &s), ZEK_IO);
	assert_string_equal(pg_last_sqlstate(c), "23503");
	/* A CHECK constraint (the role). */
	assert_int_equal(sq_exec(c, "INSERT INTO users (email, email_fold, "
	    "name, name_fold, role, created_at) VALUES ('a', 'a', 'n', 'n', "
	    "'boss', 1)", ""), ZEK_IO);
	assert_string_equal(pg_last_sqlstate(c), "23514");
	/* Bad SQL. */
	assert_int_equal(sq_query_i64(c, &v, "SELECT nothing FROM nowhere", ""),
	    ZEK_IO);
	assert_string_equal(pg_last_sqlstate(c), "42P01");
	/* Too few values for the placeholders: refused before the server. */
	assert_int_equal(sq_query_i64(c, &v, "SELECT ?1 + ?2", "i",
	    (int64_t)1), ZEK_IO);
	store_close(st);
}

static void
test_changes(void **state)
{
	struct store *st = open_store();
	struct store_conn *c = store_conn(st);
	int64_t v;

	(void)state;
	assert_int_equal(add_user(c, "a@example.org", NULL), ZEK_OK);
	assert_int_equal(add_user(c, "b@example.org", NULL), ZEK_OK);
	assert_int_equal(sq_exec(c, "UPDATE users SET notify = ?", "b", 0),
	    ZEK_OK);
	assert_int_equal(sq_changes(c), 2);
	/* A SELECT leaves the count of the last change. */
	assert_int_equal(sq_query_i64(c, &v, "SELECT count(*) FROM users", ""),
	    ZEK_OK);
	assert_int_equal(sq_changes(c), 2);
	assert_int_equal(sq_exec_changed(c, "UPDATE users SET notify = 1 "
	    "WHERE id = ?", "i", (int64_t)-1), ZEK_NOTFOUND);
	store_close(st);
}

/* A statement started inside another's loop, as SQLite allows. */
static void
test_nested(void **state)
{
	struct store *st = open_store();
	struct store_conn *c = store_conn(st);
	struct sq_stmt *s;
	enum zek_rc rc;
	int64_t sum = 0, v;
	int rows = 0;

	(void)state;
	s = sq_start(c, &rc, "SELECT g FROM generate_series(1, 3) g", "");
	assert_non_null(s);
	while (sq_next(c, s, &rc) == 1) {
		assert_int_equal(sq_query_i64(c, &v, "SELECT ? * 10", "i",
		    sq_stmt_i64(c, s, 0)), ZEK_OK);
		sum += v;
		rows++;
	}
	sq_finish(c, s);
	assert_int_equal(rows, 3);
	assert_int_equal(sum, 60);
	store_close(st);
}

/* ---- transactions and scopes ---- */

static void
test_scope_rolled_back(void **state)
{
	struct store *st = open_store();
	struct store_conn *c = store_conn(st);

	(void)state;
	store_scope_begin(c);
	assert_int_equal(add_user(c, "a@example.org", NULL), ZEK_OK);
	assert_int_equal(user_count(c), 1);
	assert_int_equal(store_scope_end(c, false), ZEK_OK);
	assert_int_equal(user_count(c), 0);
	/* A scope without any statement. */
	store_scope_begin(c);
	assert_int_equal(store_scope_end(c, true), ZEK_OK);
	store_close(st);
}

static void
test_scope_savepoint(void **state)
{
	struct store *st = open_store();
	struct store_conn *c = store_conn(st);
	struct arena *a = arena_new(1 << 16);
	struct store_user *u;

	(void)state;
	store_scope_begin(c);
	assert_int_equal(add_user(c, "a@example.org", NULL), ZEK_OK);
	assert_int_equal(store_begin(c), ZEK_OK);
	assert_int_equal(add_user(c, "b@example.org", NULL), ZEK_OK);
	assert_int_equal(store_rollback(c), ZEK_OK);
	assert_int_equal(store_begin(c), ZEK_OK);
	assert_int_equal(store_begin(c), ZEK_OK);       /* nested */
	assert_int_equal(add_user(c, "c@example.org", NULL), ZEK_OK);
	assert_int_equal(store_commit(c), ZEK_OK);
	assert_int_equal(store_commit(c), ZEK_OK);
	assert_int_equal(store_scope_end(c, true), ZEK_OK);
	assert_int_equal(user_count(c), 2);
	assert_int_equal(store_user_by_email(c, a, "a@example.org", &u), ZEK_OK);
	assert_int_equal(store_user_by_email(c, a, "b@example.org", &u),
	    ZEK_NOTFOUND);
	assert_int_equal(store_user_by_email(c, a, "c@example.org", &u), ZEK_OK);
	arena_free(a);
	store_close(st);
}

static void
test_scope_failed_step(void **state)
{
	struct store *st = open_store();
	struct store_conn *c = store_conn(st);
	int64_t v;

	(void)state;
	store_scope_begin(c);
	assert_int_equal(add_user(c, "a@example.org", NULL), ZEK_OK);
	assert_int_equal(store_begin(c), ZEK_OK);
	assert_int_equal(add_user(c, "A@example.org", NULL), ZEK_CONFLICT);
	/* PostgreSQL has aborted the transaction: later statements fail,
	 * and the first failure is what pg_last_sqlstate keeps. */
	assert_int_equal(sq_query_i64(c, &v, "SELECT 1", ""), ZEK_IO);
	assert_string_equal(pg_last_sqlstate(c), "23505");
	/* The savepoint's rollback recovers the scope. */
	assert_int_equal(store_rollback(c), ZEK_OK);
	assert_int_equal(add_user(c, "c@example.org", NULL), ZEK_OK);
	assert_int_equal(store_scope_end(c, true), ZEK_OK);
	assert_int_equal(user_count(c), 2);
	store_close(st);
}

static void
test_scope_left_open(void **state)
{
	struct store *st = open_store();
	struct store_conn *c = store_conn(st);

	(void)state;
	/* A savepoint left open: the scope keeps nothing. */
	store_scope_begin(c);
	assert_int_equal(store_begin(c), ZEK_OK);
	assert_int_equal(add_user(c, "a@example.org", NULL), ZEK_OK);
	assert_int_equal(store_scope_end(c, true), ZEK_IO);
	assert_int_equal(user_count(c), 0);
	/* A commit after a failure in the scope: refused, nothing kept. */
	store_scope_begin(c);
	assert_int_equal(add_user(c, "a@example.org", NULL), ZEK_OK);
	assert_int_equal(add_user(c, "a@example.org", NULL), ZEK_CONFLICT);
	assert_int_equal(store_scope_end(c, true), ZEK_IO);
	assert_int_equal(user_count(c), 0);
	store_close(st);
}

static void
test_plain_transactions(void **state)
{
	struct store *st = open_store();
	struct store_conn *c = store_conn(st);

	(void)state;
	assert_int_equal(store_rollback(c), ZEK_OK);     /* none open */
	assert_int_equal(store_begin(c), ZEK_OK);
	assert_int_equal(store_begin(c), ZEK_IO);        /* not nested */
	assert_int_equal(add_user(c, "a@example.org", NULL), ZEK_OK);
	assert_int_equal(store_commit(c), ZEK_OK);
	assert_int_equal(store_begin(c), ZEK_OK);
	assert_int_equal(add_user(c, "b@example.org", NULL), ZEK_OK);
	assert_int_equal(store_rollback(c), ZEK_OK);
	assert_int_equal(user_count(c), 1);
	/* COMMIT after a failed statement rolls back: an error here. */
	assert_int_equal(store_begin(c), ZEK_OK);
	assert_int_equal(add_user(c, "c@example.org", NULL), ZEK_OK);
	assert_int_equal(add_user(c, "a@example.org", NULL), ZEK_CONFLICT);
	assert_int_equal(store_commit(c), ZEK_IO);
	assert_int_equal(store_rollback(c), ZEK_OK);
	assert_int_equal(user_count(c), 1);
	store_close(st);
}

/* Durable tickets: a PostgreSQL commit is durable when it returns. */
static void
test_durable(void **state)
{
	struct store *st = open_store();
	struct store_conn *c = store_conn(st);

	(void)state;
	store_scope_begin(c);
	store_scope_defer(c);
	assert_int_equal(add_user(c, "a@example.org", NULL), ZEK_OK);
	assert_int_equal(store_scope_end(c, true), ZEK_OK);
	assert_int_equal(store_scope_ticket(c), 0);
	assert_int_equal(store_durable_wait(st, 0), ZEK_OK);
	assert_int_equal(store_durable_notify(st, 0, NULL, NULL), ZEK_NOTFOUND);
	store_close(st);
}

/* The server ends the session: the next statement fails, the one after
 * it runs on a new session (its statements prepared again). */
static void
test_reconnect(void **state)
{
	struct store *st = open_store();
	struct store_conn *c = store_conn(st);
	char sql[128];
	int64_t pid, v;

	(void)state;
	pid = query(c, "SELECT pg_backend_pid()");
	snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%lld, 5000)",
	    (long long)pid);
	admin_exec(sql);
	assert_int_equal(sq_query_i64(c, &v, "SELECT ? + 1", "i", (int64_t)1),
	    ZEK_IO);
	assert_string_equal(pg_last_sqlstate(c), "08006");
	assert_int_equal(sq_query_i64(c, &v, "SELECT ? + 1", "i", (int64_t)1),
	    ZEK_OK);
	assert_int_equal(v, 2);
	assert_true(query(c, "SELECT pg_backend_pid()") != pid);
	/* Inside a scope's transaction: no new session for its rest. */
	store_scope_begin(c);
	assert_int_equal(add_user(c, "a@example.org", NULL), ZEK_OK);
	pid = query(c, "SELECT pg_backend_pid()");
	snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%lld, 5000)",
	    (long long)pid);
	admin_exec(sql);
	assert_int_equal(add_user(c, "b@example.org", NULL), ZEK_IO);
	assert_int_equal(add_user(c, "c@example.org", NULL), ZEK_IO);
	assert_int_equal(store_scope_end(c, true), ZEK_IO);
	assert_int_equal(user_count(c), 0);
	store_close(st);
}

/* ---- request numbers ---- */

struct taker {
	struct store *st;
	int64_t desk, number;
	enum zek_rc rc;
};

static void *
take_thread(void *arg)
{
	struct taker *t = arg;
	struct store_conn *c = store_conn(t->st);

	t->rc = ZEK_IO;
	if (c != NULL) {
		store_scope_begin(c);
		t->rc = store_desk_next_number(c, t->desk, &t->number);
		store_scope_end(c, t->rc == ZEK_OK);
	}
	store_conn_release(t->st);
	return NULL;
}

/* A create's number is taken apart from its transaction: a second create
 * gets the next number while the first is still open (the counter row
 * is not held until the first commits), and a rolled-back create leaves
 * a gap. A desk made in the same transaction, which nobody else sees yet,
 * still numbers its requests. */
static void
test_numbers_apart(void **state)
{
	struct store *st = open_store();
	struct store_conn *c = store_conn(st);
	struct store_desk d = { .portal_id = 17, .project_key = "ZEK",
	    .name = "Desk" }, e = { .portal_id = 18, .project_key = "NEU",
	    .name = "Neu" };
	struct taker t = { .st = st };
	struct timespec until;
	pthread_t th;
	int64_t n, other;

	(void)state;
	assert_int_equal(store_desk_insert(c, &d, &t.desk), ZEK_OK);
	store_scope_begin(c);
	assert_int_equal(store_desk_next_number(c, t.desk, &n), ZEK_OK);
	assert_int_equal(n, 1);
	assert_int_equal(pthread_create(&th, NULL, take_thread, &t), 0);
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 10;
	if (pthread_timedjoin_np(th, NULL, &until) != 0) {
		store_scope_end(c, false);      /* lets it go, then fails */
		pthread_join(th, NULL);
		fail_msg("the second create waited for the first one's end");
	}
	assert_int_equal(t.rc, ZEK_OK);
	assert_int_equal(t.number, 2);
	/* A desk of this transaction: the number comes from inside it. */
	assert_int_equal(store_desk_insert(c, &e, &other), ZEK_OK);
	assert_int_equal(store_desk_next_number(c, other, &n), ZEK_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_scope_end(c, false), ZEK_OK);
	/* Number 1 was rolled back with its create: a gap, never reused. */
	store_scope_begin(c);
	assert_int_equal(store_desk_next_number(c, t.desk, &n), ZEK_OK);
	assert_int_equal(n, 3);
	assert_int_equal(store_scope_end(c, true), ZEK_OK);
	assert_int_equal(store_desk_next_number(c, 999, &n), ZEK_NOTFOUND);
	store_close(st);
}

/* ---- retrying refused scopes ---- */

struct crosser {
	struct store *st;
	int64_t first, second;      /* the rows, in the order it locks them */
	const char *column;         /* its own: each counts its writes */
	int runs;
	enum zek_rc rc;
};

static enum zek_rc
bump(struct store_conn *c, const char *column, int64_t id)
{
	/* Literal texts: the statement cache goes by address. */
	if (strcmp(column, "a") == 0)
		return sq_exec(c, "UPDATE crossed SET a = a + 1 WHERE id = ?",
		    "i", id);
	return sq_exec(c, "UPDATE crossed SET b = b + 1 WHERE id = ?", "i", id);
}

/* One scope: lock the first row, wait until the other thread holds its
 * first row too (first run only), then take the second. */
static bool
cross_run(void *arg, int attempt)
{
	struct crosser *x = arg;
	struct store_conn *c = store_conn(x->st);

	x->runs = attempt;
	if (bump(c, x->column, x->first) != ZEK_OK)
		return false;
	if (attempt == 1)
		pthread_barrier_wait(&start_line);
	return bump(c, x->column, x->second) == ZEK_OK;
}

static void *
cross_thread(void *arg)
{
	struct crosser *x = arg;
	struct store_conn *c = store_conn(x->st);

	x->rc = c != NULL ? store_scope_run(c, false, cross_run, x) : ZEK_IO;
	store_conn_release(x->st);
	return NULL;
}

/* Two scopes lock two rows in opposite order: PostgreSQL finds the
 * deadlock and refuses one; that one runs again and both are kept. */
static void
test_scope_retry_deadlock(void **state)
{
	struct store *st = open_store();
	struct store_conn *c = store_conn(st);
	struct crosser x[2] = {
		{ .st = st, .first = 1, .second = 2, .column = "a" },
		{ .st = st, .first = 2, .second = 1, .column = "b" },
	};
	pthread_t th[2];
	int i;

	(void)state;
	assert_int_equal(sq_exec_sql(c, "CREATE TABLE crossed (id bigint "
	    "PRIMARY KEY, a bigint NOT NULL DEFAULT 0, b bigint NOT NULL "
	    "DEFAULT 0); INSERT INTO crossed (id) VALUES (1), (2)"), ZEK_OK);
	assert_int_equal(pthread_barrier_init(&start_line, NULL, 2), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, cross_thread,
		    &x[i]), 0);
	for (i = 0; i < 2; i++)
		assert_int_equal(pthread_join(th[i], NULL), 0);
	pthread_barrier_destroy(&start_line);
	assert_int_equal(x[0].rc, ZEK_OK);
	assert_int_equal(x[1].rc, ZEK_OK);
	/* The deadlock's victim ran again (on a busy machine both may have
	 * been refused once, or the retry met the other again): at least
	 * three runs in all, and both kept. */
	assert_true(x[0].runs + x[1].runs >= 3);
	assert_int_equal(query(c, "SELECT count(*) FROM crossed "
	    "WHERE a = 1 AND b = 1"), 2);
	store_close(st);
}

#ifdef ZEK_TEST_HOOKS     /* store_test_refuse_scope: sanitizer builds */
struct refused {
	int refuse;                 /* runs the test hook refuses */
	const char *email;
	int runs;
	struct store_conn *c;
};

static bool
refused_run(void *arg, int attempt)
{
	struct refused *r = arg;
	bool ok;

	r->runs = attempt;
	ok = add_user(r->c, r->email, NULL) == ZEK_OK;
	if (attempt <= r->refuse)
		store_test_refuse_scope(r->c);
	return ok;
}

/* The test hook's refusal is PostgreSQL's own 40001: once, the scope runs
 * again and is kept once; every time, nothing is kept and it says so; a
 * failure of another kind is not run again. */
static void
test_scope_retry_refused(void **state)
{
	struct store *st = open_store();
	struct store_conn *c = store_conn(st);
	struct refused r = { .refuse = 1, .email = "a@example.org", .c = c };

	(void)state;
	assert_int_equal(store_scope_run(c, false, refused_run, &r), ZEK_OK);
	assert_int_equal(r.runs, 2);
	assert_int_equal(user_count(c), 1);
	assert_false(store_scope_retryable(c));

	r = (struct refused){ .refuse = 3, .email = "b@example.org", .c = c };
	assert_int_equal(store_scope_run(c, false, refused_run, &r), ZEK_IO);
	assert_int_equal(r.runs, STORE_ATTEMPTS);
	assert_true(store_scope_retryable(c));
	assert_string_equal(pg_last_sqlstate(c), "40001");
	assert_int_equal(user_count(c), 1);
	assert_false(store_scope_retryable(c));     /* a new statement */

	/* A taken e-mail address: refused for good, run once. */
	r = (struct refused){ .refuse = 0, .email = "A@example.org", .c = c };
	assert_int_equal(store_scope_run(c, false, refused_run, &r), ZEK_OK);
	assert_int_equal(r.runs, 1);
	assert_int_equal(user_count(c), 1);
	store_close(st);
}
#endif

/* ---- the connection target in messages ---- */

static void
check_redact(const char *in, const char *want)
{
	char out[256];

	pg_redact(in, out, sizeof(out));
	assert_string_equal(out, want);
	assert_null(strstr(out, "secret"));
}

static void
test_redact(void **state)
{
	char small[10];

	(void)state;
	check_redact("postgresql://u:secret@h:5432/db",
	    "postgresql://u:***@h:5432/db");
	check_redact("postgres://u@h/db", "postgres://u@h/db");
	check_redact("postgresql://h/db?sslmode=require&password=secret",
	    "postgresql://h/db?sslmode=require&password=***");
	check_redact("postgresql://u:se@cr/et@h/db?sslpassword=secret",
	    "postgresql://u:***@h/db?sslpassword=***");
	check_redact("postgresql://", "postgresql://");
	check_redact("host=h port=5 dbname=d user=u password=secret",
	    "host=h port=5 dbname=d user=u password=***");
	check_redact("host=h  password = 'a secret\\' x' dbname='d b'",
	    "host=h password=*** dbname='d b'");
	check_redact("password=secret", "password=***");
	check_redact("host=h secret", "host=h ***");
	check_redact("", "");
	pg_redact("host=hhhhhhhhhhhh password=secret", small, sizeof(small));
	assert_string_equal(small, "host=hhhh");
	pg_redact("x", small, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rewrite),
		cmocka_unit_test(test_redact),
#define DB_TEST(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		DB_TEST(test_migrations_once),
		DB_TEST(test_concurrent_open),
		DB_TEST(test_placeholders),
		DB_TEST(test_bind_letters),
		DB_TEST(test_blob_attachment),
		DB_TEST(test_unique_conflict),
		DB_TEST(test_errors),
		DB_TEST(test_changes),
		DB_TEST(test_nested),
		DB_TEST(test_scope_rolled_back),
		DB_TEST(test_scope_savepoint),
		DB_TEST(test_scope_failed_step),
		DB_TEST(test_scope_left_open),
		DB_TEST(test_plain_transactions),
		DB_TEST(test_durable),
		DB_TEST(test_reconnect),
		DB_TEST(test_numbers_apart),
		DB_TEST(test_scope_retry_deadlock),
#ifdef ZEK_TEST_HOOKS
		DB_TEST(test_scope_retry_refused),
#endif
	};

	pgtest_require();       /* else skipped: exit 77 */
	admin_url = getenv("ZEK_TEST_PG");
	return cmocka_run_group_tests(tests, NULL, NULL);
}
