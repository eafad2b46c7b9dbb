/* Unit tests for store/sqlite.c: migrations, connections, queries. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/arena.h"
#include "store/sqlite_int.h"
#include "store/store.h"

static char dir[64];
static char path[128];

static int
setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/zek-store-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a/b/zek.db", dir);
	return 0;
}

static void
rm(const char *suffix)
{
	char p[200];

	snprintf(p, sizeof(p), "%s%s", path, suffix);
	unlink(p);
}

static int
teardown(void **state)
{
	char p[200];

	rm("");
	rm("-wal");
	rm("-shm");
	snprintf(p, sizeof(p), "%s/a/b", dir);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/a", dir);
	rmdir(p);
	rmdir(dir);
	return 0;
}

static void
test_migrations_idempotent(void **state)
{
	struct store *st;
	int64_t v, n;

	/* Creates the folders on the way. */
	assert_int_equal(store_open(path, &st), ZEK_OK);
	assert_int_equal(store_schema_version(store_conn(st), &v), ZEK_OK);
	assert_true(store_migration_count(st) >= 1);
	assert_int_equal(v, store_migration_count(st));
	assert_int_equal(store_user_count(store_conn(st), &n), ZEK_OK);
	assert_int_equal(n, 0);
	store_close(st);
	assert_int_equal(store_open(path, &st), ZEK_OK);
	assert_int_equal(store_schema_version(store_conn(st), &v), ZEK_OK);
	assert_int_equal(v, store_migration_count(st));
	store_close(st);
	teardown(state);
	setup(state);
}

static void *
open_thread(void *arg)
{
	struct store *st;
	intptr_t rc = store_open(path, &st);

	if (rc == ZEK_OK)
		store_close(st);
	return (void *)rc;
}

static void
test_concurrent_open(void **state)
{
	pthread_t th[4];
	struct store *st;
	void *rc;
	int64_t v;
	int i;

	/* Four "processes" starting at once: each migration runs once. */
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, open_thread, NULL),
		    0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], &rc), 0);
		assert_int_equal((intptr_t)rc, ZEK_OK);
	}
	assert_int_equal(store_open(path, &st), ZEK_OK);
	assert_int_equal(store_schema_version(store_conn(st), &v), ZEK_OK);
	assert_int_equal(v, store_migration_count(st));
	store_close(st);
	teardown(state);
	setup(state);
}

static void
test_users_and_orgs(void **state)
{
	struct store_user u = { .email = "Anna@Example.org", .name = "Anna",
	    .password_hash = "x", .role = "customer", .lang = "de",
	    .tz = "Europe/Berlin", .notify = true, .created_at = 1 };
	struct store_user *got, *list;
	struct store_org *orgs;
	struct arena *a = arena_new(0);
	struct store *st;
	struct store_conn *c;
	int64_t id, id2, org;
	size_t n;

	assert_int_equal(store_open(path, &st), ZEK_OK);
	c = store_conn(st);
	assert_int_equal(store_user_insert(c, &u, &id), ZEK_OK);
	/* E-mail addresses are unique without regard to case. */
	u.email = "anna@EXAMPLE.org";
	assert_int_equal(store_user_insert(c, &u, NULL), ZEK_CONFLICT);
	assert_int_equal(store_user_by_email(c, a, "ANNA@example.ORG", &got),
	    ZEK_OK);
	assert_int_equal(got->id, id);
	assert_string_equal(got->email, "Anna@Example.org");
	assert_true(got->notify);
	assert_int_equal(store_user_by_email(c, a, "nobody@example.org", &got),
	    ZEK_NOTFOUND);
	u.email = "ben@example.org";
	u.name = "Ben Über";
	assert_int_equal(store_user_insert(c, &u, &id2), ZEK_OK);
	assert_int_equal(store_org_ensure(c, "Stadt", &org), ZEK_OK);
	assert_int_equal(store_org_ensure(c, "Stadt", &id), ZEK_OK);
	assert_int_equal(org, id);
	assert_int_equal(store_user_org_add(c, 1, org),
	    ZEK_OK);
	assert_int_equal(store_user_org_add(c, 1, org), ZEK_OK);
	assert_int_equal(store_user_org_add(c, id2, org), ZEK_OK);
	assert_int_equal(store_user_orgs(c, a, 1, &orgs, &n), ZEK_OK);
	assert_int_equal(n, 1);
	assert_string_equal(orgs[0].name, "Stadt");
	assert_int_equal(store_users_sharing_org(c, a, 1, NULL, "customer", 10,
	    &list, &n), ZEK_OK);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].id, id2);
	/* Unicode case folding: "über" finds "Über". */
	assert_int_equal(store_users_search(c, a, "über", NULL, 10, &list, &n),
	    ZEK_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_users_search(c, a, "%", NULL, 10, &list, &n),
	    ZEK_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_users_search(c, a, "", "agent", 10, &list, &n),
	    ZEK_OK);
	assert_int_equal(n, 0);
	store_close(st);
	arena_free(a);
}

static void
test_objects(void **state)
{
	struct arena *a = arena_new(0);
	struct store_object *o;
	struct store *st;
	struct store_conn *c;
	int64_t id, id2;
	bool created;
	size_t n;

	assert_int_equal(store_open(path, &st), ZEK_OK);
	c = store_conn(st);
	assert_int_equal(store_object_ensure(c, "online_dienst", "Wohngeld", &id,
	    &created), ZEK_OK);
	assert_true(created);
	assert_int_equal(store_object_ensure(c, "online_dienst", "Wohngeld",
	    &id2, &created), ZEK_OK);
	assert_false(created);
	assert_int_equal(id, id2);
	assert_int_equal(store_object_ensure(c, "online_dienst", "Elterngeld",
	    NULL, NULL), ZEK_OK);
	assert_int_equal(store_object_ensure(c, "online_dienst", "100%-Dienst",
	    NULL, NULL), ZEK_OK);
	assert_int_equal(store_object_ensure(c, "mandant", "Wohngeldstelle",
	    NULL, NULL), ZEK_OK);
	assert_int_equal(store_object_ensure(c, "nonsense", "x", NULL, NULL),
	    ZEK_CONFLICT);  /* the CHECK constraint */
	assert_int_equal(store_objects_search(c, a, "online_dienst", "GELD", false, 10,
	    0, &o, &n), ZEK_OK);
	assert_int_equal(n, 2);
	assert_string_equal(o[0].name, "Elterngeld");   /* ordered by name */
	assert_string_equal(o[1].name, "Wohngeld");
	assert_int_equal(store_objects_search(c, a, "online_dienst", "GELD", false, 1,
	    1, &o, &n), ZEK_OK);
	assert_int_equal(n, 1);
	assert_string_equal(o[0].name, "Wohngeld");
	/* LIKE wildcards in the query are taken literally. */
	assert_int_equal(store_objects_search(c, a, "online_dienst", "%", false, 10, 0,
	    &o, &n), ZEK_OK);
	assert_int_equal(n, 1);
	assert_string_equal(o[0].name, "100%-Dienst");
	assert_int_equal(store_object_get(c, a, id, &o), ZEK_OK);
	assert_string_equal(o->kind, "online_dienst");
	store_close(st);
	arena_free(a);
}

static void
test_transactions_and_numbers(void **state)
{
	struct store_desk d = { .portal_id = 17, .project_key = "ZEK",
	    .name = "Desk" };
	struct store *st;
	struct store_conn *c;
	int64_t desk, n;

	assert_int_equal(store_open(path, &st), ZEK_OK);
	c = store_conn(st);
	assert_int_equal(store_desk_insert(c, &d, &desk), ZEK_OK);
	assert_int_equal(store_begin(c), ZEK_OK);
	assert_int_equal(store_desk_next_number(c, desk, &n), ZEK_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_commit(c), ZEK_OK);
	assert_int_equal(store_begin(c), ZEK_OK);
	assert_int_equal(store_desk_next_number(c, desk, &n), ZEK_OK);
	assert_int_equal(n, 2);
	assert_int_equal(store_rollback(c), ZEK_OK);
	/* Rolled back: never shown to anyone, so handed out again. */
	assert_int_equal(store_begin(c), ZEK_OK);
	assert_int_equal(store_desk_next_number(c, desk, &n), ZEK_OK);
	assert_int_equal(n, 2);
	assert_int_equal(store_commit(c), ZEK_OK);
	assert_int_equal(store_rollback(c), ZEK_OK);    /* none open: fine */
	assert_int_equal(store_desk_next_number(c, 999, &n), ZEK_NOTFOUND);
	store_close(st);
}

/* The scope of one HTTP request: all its writes are one unit, kept or
 * undone at its end, whatever the core functions inside committed. */
static void
test_request_scope(void **state)
{
	struct store_desk d = { .portal_id = 18, .project_key = "SCO",
	    .name = "Scope" };
	struct store_user u = { .email = "scope@example.org", .name = "A",
	    .password_hash = "", .role = "customer", .lang = "de",
	    .tz = "Europe/Berlin" };
	struct store *st;
	struct store_conn *c;
	sqlite3_stmt *busy;
	int64_t desk, n, users, before;

	assert_int_equal(store_open(path, &st), ZEK_OK);
	c = store_conn(st);
	assert_int_equal(store_desk_insert(c, &d, &desk), ZEK_OK);
	assert_int_equal(store_user_count(c, &before), ZEK_OK);
	/* Undone: a plain write and a committed transaction alike. */
	store_scope_begin(c);
	assert_int_equal(store_user_insert(c, &u, NULL), ZEK_OK);
	assert_int_equal(store_begin(c), ZEK_OK);
	assert_int_equal(store_desk_next_number(c, desk, &n), ZEK_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_commit(c), ZEK_OK);
	assert_int_equal(store_scope_end(c, false), ZEK_OK);
	assert_int_equal(store_user_count(c, &users), ZEK_OK);
	assert_int_equal(users, before);
	/* Kept: only what the inner rollback did not undo. */
	store_scope_begin(c);
	assert_int_equal(store_begin(c), ZEK_OK);
	assert_int_equal(store_desk_next_number(c, desk, &n), ZEK_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_rollback(c), ZEK_OK);
	assert_int_equal(store_begin(c), ZEK_OK);
	assert_int_equal(store_desk_next_number(c, desk, &n), ZEK_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_commit(c), ZEK_OK);
	assert_int_equal(store_user_insert(c, &u, NULL), ZEK_OK);
	assert_int_equal(store_scope_end(c, true), ZEK_OK);
	assert_int_equal(store_user_count(c, &users), ZEK_OK);
	assert_int_equal(users, before + 1);
	/* A savepoint left open (a caller's bug): nothing kept, and said so. */
	store_scope_begin(c);
	assert_int_equal(store_begin(c), ZEK_OK);
	assert_int_equal(store_desk_next_number(c, desk, &n), ZEK_OK);
	assert_int_equal(n, 2);
	assert_int_equal(store_scope_end(c, true), ZEK_IO);
	/* A statement left running is reset; the next scope starts clean. */
	store_scope_begin(c);
	busy = lite_prep(lite_conn(c), "SELECT id FROM users");
	assert_non_null(busy);
	assert_int_equal(sqlite3_step(busy), SQLITE_ROW);
	assert_int_equal(store_scope_end(c, true), ZEK_OK);
	assert_false(sqlite3_stmt_busy(busy));
	assert_int_equal(store_begin(c), ZEK_OK);
	assert_int_equal(store_desk_next_number(c, desk, &n), ZEK_OK);
	assert_int_equal(n, 2);
	assert_int_equal(store_commit(c), ZEK_OK);
	store_close(st);
}

static void *
conn_thread(void *arg)
{
	struct store *st = arg;
	struct store_conn *c = store_conn(st);
	int64_t n = -1;

	if (c == NULL || c != store_conn(st) || store_user_count(c, &n) != ZEK_OK)
		return NULL;
	return c;
}

static void
test_thread_connections(void **state)
{
	struct store *st;
	pthread_t th;
	void *rc;

	assert_int_equal(store_open(path, &st), ZEK_OK);
	assert_ptr_equal(store_conn(st), store_conn(st));
	assert_int_equal(pthread_create(&th, NULL, conn_thread, st), 0);
	assert_int_equal(pthread_join(th, &rc), 0);
	/* Each thread has its own connection. */
	assert_non_null(rc);
	assert_ptr_not_equal(rc, store_conn(st));
	/* The thread's connection was closed at its exit (ASan would report
	 * the leak otherwise). */
	store_conn_release(st);
	assert_non_null(store_conn(st));
	store_close(st);
}

/*
 * The writes every create and every workflow step make to requests run
 * their triggers by keys: no trigger step reads a whole table or a whole
 * index range (a create once read all of request_blocks by its hi index
 * to update nothing).
 */
static void
test_request_triggers_use_keys(void **state)
{
	static const char *const writes[] = {
		("INSERT INTO requests (desk_id, number, issue_key, type_id, "
		    "reporter_id, creator_id, status, resolution, title, "
		    "created_at, updated_at) VALUES (1, 1, 'ZEK-1', 1, 1, 1, "
		    "'offen', '', 't', 1, 1)"),
		("UPDATE requests SET status = 'geschlossen', assignee_id = 2, "
		    "updated_at = 3 WHERE id = 1"),
		"UPDATE requests SET created_at = 0 WHERE id = 1",
		"DELETE FROM requests WHERE id = 1",
	};
	struct store *st;
	sqlite3_stmt *q;
	sqlite3 *db;
	char *eqp;
	size_t i;
	int on;

	(void)state;
	assert_int_equal(store_open(path, &st), ZEK_OK);
	store_close(st);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_db_config(db, SQLITE_DBCONFIG_TRIGGER_EQP, 1,
	    &on), SQLITE_OK);
	assert_int_equal(on, 1);
	for (i = 0; i < sizeof(writes) / sizeof(writes[0]); i++) {
		eqp = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", writes[i]);
		assert_non_null(eqp);
		assert_int_equal(sqlite3_prepare_v2(db, eqp, -1, &q, NULL),
		    SQLITE_OK);
		while (sqlite3_step(q) == SQLITE_ROW) {
			const char *d = (const char *)sqlite3_column_text(q, 3);
			/* FTS5 finds its row by rowid ("=" in its plan). */
			bool by_rowid = strstr(d, "VIRTUAL TABLE INDEX") != NULL &&
			    strchr(d, '=') != NULL;
			if ((strncmp(d, "SCAN ", 5) == 0 && !by_rowid) ||
			    strstr(d, "request_blocks_hi (hi<?)") != NULL)
				fail_msg("%s\n  %s", writes[i], d);
		}
		sqlite3_finalize(q);
		sqlite3_free(eqp);
	}
	/* The search index is merged by the background thread, 16 segments
	 * of a level at a time, never inside a write (0016); a level is
	 * merged at once in one write only at 256, should it fall behind. */
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT "
	    "(SELECT v FROM request_search_config WHERE k = 'automerge'), "
	    "(SELECT v FROM request_search_config WHERE k = 'crisismerge'), "
	    "(SELECT v FROM request_search_config WHERE k = 'usermerge')",
	    -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), 0);
	assert_int_equal(sqlite3_column_int(q, 1), 256);
	assert_int_equal(sqlite3_column_int(q, 2), 16);
	sqlite3_finalize(q);
	sqlite3_close(db);
	teardown(state);
	setup(state);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrations_idempotent),
		cmocka_unit_test(test_request_triggers_use_keys),
		cmocka_unit_test(test_concurrent_open),
		cmocka_unit_test(test_users_and_orgs),
		cmocka_unit_test(test_objects),
		cmocka_unit_test(test_transactions_and_numbers),
		cmocka_unit_test(test_thread_connections),
		cmocka_unit_test(test_request_scope),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
