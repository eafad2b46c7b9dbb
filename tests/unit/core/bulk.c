/* Unit tests for core/bulk.c: many requests changed at once, each one as on its own page. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "core/bulk.h"
#include "core/requests.h"
#include "core/users.h"
#include "helpers.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "store/store.h"

static struct tenv *env;
static struct tenv_people p;

static int
setup(void **state)
{
	(void)state;
	env = tenv_new();
	tenv_config(env);
	tenv_people(env, &p);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tenv_free(env);
	return 0;
}

static struct user *
u(int64_t id)
{
	return tenv_get(env, id);
}

/* The request's status, resolution and assignee (0 = nobody), as stored. */
static void
stored(int64_t id, const char *status, const char *resolution,
    int64_t assignee)
{
	struct store_request *r;
	int64_t who;

	assert_int_equal(store_request_by_id(env->ctx.db, env->ctx.arena, id,
	    &r), ZEK_OK);
	assert_string_equal(r->status, status);
	assert_string_equal(r->resolution != NULL ? r->resolution : "",
	    resolution);
	assert_int_equal(store_request_assignee(env->ctx.db, id, &who), ZEK_OK);
	assert_int_equal(who, assignee);
}

/* How many activity entries of `kind` the request has. */
static size_t
entries(int64_t id, const char *kind)
{
	struct store_activity *a;
	size_t i, n, count = 0;

	assert_int_equal(store_activity_by_request(env->ctx.db, env->ctx.arena,
	    id, true, 100, &a, &n), ZEK_OK);
	for (i = 0; i < n; i++)
		if (str_eq(a[i].kind, kind))
			count++;
	return count;
}

static void
test_each_request_is_checked_on_its_own(void **state)
{
	const char *k1, *k2, *k3, *lower;
	int64_t r1, r2, r3;
	struct bulk_change c = { .assign = true, .assignee_id = p.sam,
	    .transition = true, .action = WF_START };
	struct bulk_result res[5];
	char *low;

	(void)state;
	r1 = tenv_request(env, p.anna, "Eins", &k1);
	r2 = tenv_request(env, p.anna, "Zwei", &k2);
	r3 = tenv_request(env, p.anna, "Drei", &k3);
	/* Two is in progress already: "In Bearbeitung" is refused for it,
	 * and so is its assignment (all or nothing per request). */
	assert_int_equal(core_transition(&env->ctx, u(p.sam), r2, WF_START,
	    RESOLUTION_NONE, NULL, NULL), ZEK_OK);
	low = arena_strdup(env->ctx.arena, k1);
	low[0] = 'z';
	lower = low;
	assert_int_equal(core_bulk_change(&env->ctx, u(p.sam),
	    (const char *[]){ k3, k2, "ZEK-99999", k1, lower }, 5, &c, res),
	    ZEK_OK);
	assert_int_equal(res[0].rc, ZEK_OK);
	assert_int_equal(res[1].rc, ZEK_CONFLICT);
	assert_int_equal(res[1].step, BULK_STEP_STATUS);
	assert_int_equal(res[1].status, STATUS_IN_BEARBEITUNG);
	assert_string_equal(res[1].key, k2);
	assert_int_equal(res[2].rc, ZEK_NOTFOUND);
	assert_string_equal(res[2].key, "ZEK-99999");
	assert_int_equal(res[3].rc, ZEK_OK);
	/* A key sent twice, in another case: changed once, told as found. */
	assert_int_equal(res[4].rc, ZEK_OK);
	assert_string_equal(res[4].key, k1);
	stored(r1, "in_bearbeitung", "", p.sam);
	stored(r3, "in_bearbeitung", "", p.sam);
	stored(r2, "in_bearbeitung", "", 0);
	assert_int_equal(entries(r1, "assigned"), 1);
	assert_int_equal(entries(r1, "status_changed"), 1);
	assert_int_equal(entries(r2, "assigned"), 0);
	assert_int_equal(entries(r2, "status_changed"), 1);

	/* Closing: the closed one refuses its assignment first. */
	assert_int_equal(core_transition(&env->ctx, u(p.sam), r3, WF_CLOSE,
	    RESOLUTION_GELOEST, NULL, NULL), ZEK_OK);
	c = (struct bulk_change){ .assign = true, .assignee_id = 0,
	    .transition = true, .action = WF_CLOSE,
	    .resolution = RESOLUTION_ABGELEHNT };
	assert_int_equal(core_bulk_change(&env->ctx, u(p.sam),
	    (const char *[]){ k1, k3 }, 2, &c, res), ZEK_OK);
	assert_int_equal(res[0].rc, ZEK_OK);
	assert_int_equal(res[1].rc, ZEK_CONFLICT);
	assert_int_equal(res[1].step, BULK_STEP_ASSIGN);
	assert_int_equal(res[1].status, STATUS_GESCHLOSSEN);
	stored(r1, "geschlossen", "abgelehnt", 0);
	stored(r3, "geschlossen", "geloest", p.sam);
}

static void
test_refusals_of_the_whole_change(void **state)
{
	const char *k;
	struct bulk_change c = { .assign = true, .assignee_id = p.sam };
	struct bulk_result res[BULK_MAX + 1];
	const char *keys[BULK_MAX + 1];
	size_t i;

	(void)state;
	tenv_request(env, p.anna, "Ganz", &k);
	for (i = 0; i < BULK_MAX + 1; i++)
		keys[i] = k;
	/* Only staff; customers learn nothing. */
	assert_int_equal(core_bulk_change(&env->ctx, u(p.anna), keys, 1, &c,
	    res), ZEK_FORBIDDEN);
	assert_int_equal(core_bulk_change(&env->ctx, NULL, keys, 1, &c, res),
	    ZEK_FORBIDDEN);
	assert_int_equal(core_bulk_change(&env->ctx, u(p.sam), keys, 0, &c,
	    res), ZEK_INVALID);
	assert_int_equal(core_bulk_change(&env->ctx, u(p.sam), keys,
	    BULK_MAX + 1, &c, res), ZEK_TOOBIG);
	/* Nothing to change; a customer's action; a duplicate without its
	 * original. */
	c = (struct bulk_change){ 0 };
	assert_int_equal(core_bulk_change(&env->ctx, u(p.sam), keys, 1, &c,
	    res), ZEK_INVALID);
	c = (struct bulk_change){ .transition = true, .action = WF_WITHDRAW };
	assert_int_equal(core_bulk_change(&env->ctx, u(p.sam), keys, 1, &c,
	    res), ZEK_INVALID);
	c = (struct bulk_change){ .transition = true, .action = WF_CLOSE,
	    .resolution = RESOLUTION_DUPLIKAT };
	assert_int_equal(core_bulk_change(&env->ctx, u(p.sam), keys, 1, &c,
	    res), ZEK_INVALID);
	/* An assignee who takes no requests: refused for the request. */
	c = (struct bulk_change){ .assign = true, .assignee_id = p.anna };
	assert_int_equal(core_bulk_change(&env->ctx, u(p.sam), keys, 1, &c,
	    res), ZEK_OK);
	assert_int_equal(res[0].rc, ZEK_INVALID);
	assert_int_equal(res[0].step, BULK_STEP_ASSIGN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_request_is_checked_on_its_own),
		cmocka_unit_test(test_refusals_of_the_whole_change),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
