/* helpers.c: test fixture: a core on a fresh SQLite file, or on a fresh
 * PostgreSQL database in the PostgreSQL run of the same tests. */
#include "helpers.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/demo.h"
#include "core/requests.h"
#include "core/users.h"
#include "lib/arena.h"
#include "pgtest/pgtest.h"

struct tenv *
tenv_new(void)
{
	struct tenv *t = calloc(1, sizeof(*t));
	const char *root = getenv("ZEK_SOURCE_ROOT");

	assert_non_null(t);
	snprintf(t->dir, sizeof(t->dir), "/tmp/zek-unit-XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	if (pgtest_wanted())
		pgtest_create(t->db, sizeof(t->db), t->pg_name,
		    sizeof(t->pg_name));
	else
		snprintf(t->db, sizeof(t->db), "%s/sub/zek.db", t->dir);
	config_defaults(&t->cfg);
	t->cfg.db_path = t->db;
	t->cfg.root = root != NULL ? root : ZEK_SOURCE_ROOT;
	assert_int_equal(core_open(&t->cfg, &t->core), ZEK_OK);
	tenv_reset(t);
	return t;
}

void
tenv_reset(struct tenv *t)
{
	arena_free(t->arena);
	t->arena = arena_new(0);
	assert_non_null(t->arena);
	assert_int_equal(core_ctx_init(t->core, t->arena, &t->ctx), ZEK_OK);
}

static void
remove_tree(const char *dir)
{
	char path[512];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (e->d_type == DT_DIR)
			remove_tree(path);
		else
			unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

void
tenv_free(struct tenv *t)
{
	if (t == NULL)
		return;
	arena_free(t->arena);
	core_close(t->core);
	if (t->pg_name[0] != '\0')
		pgtest_drop(t->pg_name);
	remove_tree(t->dir);
	free(t);
}

void
tenv_config(struct tenv *t)
{
	assert_int_equal(core_init_config(&t->ctx), ZEK_OK);
}

struct user *
tenv_user(struct tenv *t, const char *email, const char *role,
    const char *org)
{
	struct user *u;
	int64_t id;

	assert_int_equal(core_user_add(&t->ctx, email, "Test Person", "secret1",
	    role, org, "de", &id), ZEK_OK);
	assert_int_equal(core_user_get(&t->ctx, id, &u), ZEK_OK);
	return u;
}

int64_t
tenv_add(struct tenv *t, const char *email, const char *name,
    const char *role, const char *org)
{
	int64_t id;

	assert_int_equal(core_user_add(&t->ctx, email, name, "geheim1", role,
	    org, "de", &id), ZEK_OK);
	return id;
}

struct user *
tenv_get(struct tenv *t, int64_t id)
{
	struct user *u;

	assert_int_equal(core_user_get(&t->ctx, id, &u), ZEK_OK);
	return u;
}

void
tenv_people(struct tenv *t, struct tenv_people *p)
{
	p->anna = tenv_add(t, "anna@example.org", "Anna Schmidt", "customer",
	    "Stadt Musterstadt – Bürgeramt");
	p->ben = tenv_add(t, "ben@example.org", "Ben Weber", "customer",
	    "Stadt Musterstadt – Bürgeramt");
	p->carla = tenv_add(t, "carla@example.org", "Carla Yilmaz", "customer",
	    "Land Beispielland – Ministerium für Digitales");
	p->sam = tenv_add(t, "support@example.org", "Sam Support", "agent",
	    NULL);
}

int64_t
tenv_request(struct tenv *t, int64_t who, const char *title,
    const char **key_out)
{
	const char *sv[1] = { title }, *dv[1] = { "Bitte um Auskunft." };
	struct field_value vals[2] = { { "summary", sv, 1 },
	    { "description", dv, 1 } };
	struct create_input in = { .portal_id = 17, .type_id = 4,
	    .values = vals, .nvalues = 2 };
	struct request_view *v;
	struct field_error *errs;
	const char *key;
	size_t nerrs;

	assert_int_equal(core_request_create(&t->ctx, tenv_get(t, who), &in,
	    &errs, &nerrs, &key), ZEK_OK);
	assert_int_equal(core_request_get(&t->ctx, tenv_get(t, who), key, "de",
	    &v), ZEK_OK);
	if (key_out != NULL)
		*key_out = key;
	return v->id;
}
