/* pg_upgrade.c: a PostgreSQL database made by the first schema upgrades in
 * place. The test applies only migration 0001 (and records it as the store
 * does), writes rows the way a zek of that time did (a user in an
 * organisation, a request with a description, a comment and an attached
 * file, their activity), then opens the store, which applies every later
 * migration; the rows must be intact and the search must find the old
 * request. A new migration is covered without changing this file.
 * Suite pg; skipped (77) without ZEK_TEST_PG. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "pgtest/pgtest.h"
#include "store/migrations.h"
#include "store/store.h"
#include "whole.h"

#define FIRST_APPLIED_AT 1700000000000LL    /* when "0001 ran" */
#define FILE_BYTES "Fehler\000404\n"        /* with a NUL: bytea, not text */
#define FILE_LEN 11

static char url[1024], name[128];

/* ---- the database as the first schema left it ---- */

static void
exec_ok(PGconn *db, const char *sql)
{
	PGresult *res = PQexec(db, sql);

	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK)
		fail_msg("%.60s...: %s", sql, PQerrorMessage(db));
	PQclear(res);
}

/* schema_migrations as pg_migrate_begin makes it, and the row
 * migrate_one writes after a migration ran. */
static void
apply_first_migration(PGconn *db)
{
	const struct store_migration *m = &pg_migrations[0];
	char version[16], stamp[32];
	const char *params[3] = { version, m->name, stamp };
	PGresult *res;

	assert_int_equal(m->version, 1);
	snprintf(version, sizeof(version), "%d", m->version);
	snprintf(stamp, sizeof(stamp), "%lld", FIRST_APPLIED_AT);
	exec_ok(db, "BEGIN");
	exec_ok(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version bigint PRIMARY KEY, name text NOT NULL, "
	    "applied_at bigint NOT NULL)");
	exec_ok(db, m->sql);
	res = PQexecParams(db, "INSERT INTO schema_migrations (version, name, "
	    "applied_at) VALUES ($1, $2, $3)", 3, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		fail_msg("recording 0001: %s", PQerrorMessage(db));
	PQclear(res);
	exec_ok(db, "COMMIT");
}

/* What zek wrote with the 0001 schema: plain SQL, as no store function
 * of today may still match that schema. */
static void
insert_old_rows(PGconn *db)
{
	exec_ok(db,
	    "INSERT INTO organisations (name, created_at) "
	    "VALUES ('Kreis Altland', 1000);"
	    "INSERT INTO users (email, email_fold, name, name_fold, "
	    "password_hash, role, created_at) VALUES ('Alt@Example.org', "
	    "'alt@example.org', 'Agathe Alt', 'agathe alt', 'x', 'customer', "
	    "1000);"
	    "INSERT INTO user_orgs (user_id, org_id) "
	    "SELECT u.id, o.id FROM users u, organisations o;"
	    "INSERT INTO service_desks (id, portal_id, project_key, name, "
	    "next_number) VALUES (1, 17, 'ZEK', 'Service', 1);"
	    "INSERT INTO request_type_groups (id, desk_id, name_de, name_en, "
	    "position) VALUES (1, 1, 'Allgemein', 'General', 1);"
	    "INSERT INTO request_types (id, desk_id, group_id, name_de, "
	    "name_en, position) VALUES (4, 1, 1, 'Frage', 'Question', 1);"
	    "INSERT INTO requests (desk_id, number, issue_key, type_id, "
	    "reporter_id, creator_id, shared_org_id, status, title, "
	    "created_at, updated_at, customer_updated_at) "
	    "SELECT 1, 1, 'ZEK-1', 4, u.id, u.id, o.id, 'offen', "
	    "'Drucker im B\xc3\xbcro streikt', 2000, 3000, 3000 "
	    "FROM users u, organisations o;"
	    "INSERT INTO request_values (request_id, field_key, position, "
	    "value) SELECT id, 'description', 0, "
	    "'Die Kartusche ist leer, bitte Toner tauschen.' FROM requests;"
	    "INSERT INTO comments (request_id, author_id, body, public, "
	    "created_at) SELECT id, reporter_id, 'Noch immer **kaputt**', 1, "
	    "3000 FROM requests;"
	    "INSERT INTO attachments (request_id, uploader_id, filename, "
	    "mime, size, data, created_at, comment_id) "
	    "SELECT c.request_id, c.author_id, 'fehler.txt', 'text/plain', 11, "
	    "'\\x4665686c6572003430340a'::bytea, 3000, c.id FROM comments c;"
	    "INSERT INTO activity (request_id, actor_id, kind, subject_id, "
	    "new_status, created_at) SELECT id, reporter_id, 'created', "
	    "reporter_id, 'offen', 2000 FROM requests;"
	    "INSERT INTO activity (request_id, actor_id, kind, comment_id, "
	    "created_at) SELECT request_id, author_id, 'comment', id, 3000 "
	    "FROM comments;");
}

/* ---- checks on the upgraded store ---- */

/* One number, read on a connection of its own. */
static int64_t
count(const char *sql)
{
	int64_t n;
	PGconn *db = PQconnectdb(url);
	PGresult *res;

	assert_int_equal(PQstatus(db), CONNECTION_OK);
	res = PQexec(db, sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)
		fail_msg("%s: %s", sql, PQerrorMessage(db));
	n = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	PQfinish(db);
	return n;
}

static void
check_migrations(struct store *st, struct store_conn *c)
{
	char sql[256];
	int64_t v;
	int i;

	assert_int_equal(store_schema_version(c, &v), ZEK_OK);
	assert_int_equal(v, store_migration_count(st));
	assert_int_equal(pg_nmigrations, store_migration_count(st));
	assert_int_equal(count("SELECT count(*) FROM schema_migrations"),
	    pg_nmigrations);
	for (i = 0; i < pg_nmigrations; i++) {
		snprintf(sql, sizeof(sql), "SELECT count(*) FROM "
		    "schema_migrations WHERE version = %d AND name = '%s'",
		    pg_migrations[i].version, pg_migrations[i].name);
		assert_int_equal(count(sql), 1);
	}
	/* 0001 was not applied again. */
	assert_int_equal(count("SELECT applied_at FROM schema_migrations "
	    "WHERE version = 1"), FIRST_APPLIED_AT);
}

static void
check_rows(struct store_conn *c, struct arena *a, int64_t *reporter)
{
	struct store_user *u;
	struct store_request *r;
	struct store_value *vals;
	struct store_activity *act;
	struct store_attachment *att, *full;
	struct store_org_row *orgs;
	size_t n, i;
	bool comment = false;

	assert_int_equal(store_user_by_email(c, a, "alt@example.org", &u),
	    ZEK_OK);
	assert_string_equal(u->name, "Agathe Alt");
	assert_string_equal(u->role, "customer");
	*reporter = u->id;
	/* Found by the folded name the upgrade filled in. */
	assert_int_equal(store_orgs_page(c, a, "ALTLAND", NULL, 10, &orgs, &n),
	    ZEK_OK);
	assert_int_equal(n, 1);
	assert_string_equal(orgs[0].name, "Kreis Altland");

	assert_int_equal(store_request_by_key(c, a, "ZEK-1", &r), ZEK_OK);
	assert_string_equal(r->title, "Drucker im B\xc3\xbcro streikt");
	assert_string_equal(r->status, "offen");
	assert_int_equal(r->reporter_id, u->id);
	assert_true(r->shared_org_id > 0);
	assert_int_equal(r->customer_updated_at, 3000);

	assert_int_equal(store_values_by_request(c, a, r->id, &vals, &n),
	    ZEK_OK);
	assert_int_equal(n, 1);
	assert_string_equal(vals[0].field_key, "description");
	assert_string_equal(vals[0].value,
	    "Die Kartusche ist leer, bitte Toner tauschen.");

	assert_int_equal(store_activity_by_request(c, a, r->id, true, 10,
	    &act, &n), ZEK_OK);
	assert_int_equal(n, 2);
	for (i = 0; i < n; i++)
		if (strcmp(act[i].kind, "comment") == 0)
			comment = strcmp(act[i].comment_body,
			    "Noch immer **kaputt**") == 0;
	assert_true(comment);

	assert_int_equal(store_attachments_by_request(c, a, r->id, &att, &n),
	    ZEK_OK);
	assert_int_equal(n, 1);
	assert_string_equal(att[0].filename, "fehler.txt");
	assert_true(att[0].comment_id > 0);
	assert_int_equal(store_attachment_get(c, a, att[0].id, true, &full),
	    ZEK_OK);
	assert_int_equal(full->size, FILE_LEN);
	assert_memory_equal(full->data, FILE_BYTES, FILE_LEN);
}

/* The search row of the old request came with the migration that added
 * the search (its backfill), not with a later write. */
static void
check_found(struct store_conn *c, struct arena *a, int64_t viewer,
    bool see_all, const char *terms)
{
	struct store_list_query q = { .viewer_id = viewer, .see_all = see_all,
	    .who = STORE_LIST_VISIBLE, .terms = terms, .limit = 10 };
	struct store_list_row *rows;
	size_t n;
	int64_t total;
	bool capped;

	assert_int_equal(store_requests_list(c, a, &q, &rows, &n, &total,
	    &capped), ZEK_OK);
	if (n != 1)
		fail_msg("search \"%s\" found %zu requests, not ZEK-1", terms, n);
	assert_string_equal(rows[0].key, "ZEK-1");
	assert_int_equal(total, 1);
}

/* A search row gone behind the triggers' back is named by its request. */
static void
check_damage_named(struct store_conn *c, struct arena *a)
{
	struct store_check_report r;
	PGconn *db = PQconnectdb(url);
	size_t i;

	assert_int_equal(PQstatus(db), CONNECTION_OK);
	PQclear(PQexec(db, "DELETE FROM request_search"));
	PQfinish(db);
	assert_int_equal(store_check(c, a, true, &r), ZEK_OK);
	assert_false(store_check_passed(&r));
	for (i = 0; i < r.nitems; i++)
		if (strcmp(r.items[i].name, "search index") == 0)
			assert_non_null(strstr(r.items[i].detail,
			    "request ZEK-1 missing or stale"));
}

static void
test_upgrade_from_first_schema(void **state)
{
	PGconn *db;
	struct store *st = NULL;
	struct store_conn *c;
	struct arena *a;
	int64_t reporter;

	(void)state;
	db = PQconnectdb(url);
	assert_int_equal(PQstatus(db), CONNECTION_OK);
	apply_first_migration(db);
	insert_old_rows(db);
	PQfinish(db);

	assert_int_equal(store_open(url, &st), ZEK_OK);
	c = store_conn(st);
	a = arena_new(0);
	assert_non_null(a);
	check_migrations(st, c);
	check_rows(c, a, &reporter);
	check_found(c, a, reporter, false, "toner");
	check_found(c, a, reporter, false, "buro");
	check_found(c, a, reporter, false, "kartu");
	check_found(c, a, reporter, true, "ZEK-1");
	check_found(c, a, reporter, true, "drucker streikt");
	assert_store_whole(c, a);
	check_damage_named(c, a);
	arena_free(a);
	store_close(st);
}

static int
setup(void **state)
{
	(void)state;
	pgtest_create(url, sizeof(url), name, sizeof(name));
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	pgtest_drop(name);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_upgrade_from_first_schema,
		    setup, teardown),
	};

	pgtest_require();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
