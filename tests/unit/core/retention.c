/* Unit tests for core/retention.c: which closed requests go, with what, in what batches. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "core/activity.h"
#include "core/retention.h"
#include "core/users.h"
#include "core/workflow.h"
#include "helpers.h"
#include "lib/arena.h"
#include "store/store.h"

#define DAY (24LL * 3600 * 1000)

static struct tenv *env;
static struct tenv_people p;

static int
setup(void **state)
{
	(void)state;
	env = tenv_new();
	tenv_config(env);
	tenv_people(env, &p);
	env->cfg.retention_closed_days = 30;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tenv_free(env);
	return 0;
}

/* A request by Anna with Sam's public answer, closed as solved now. */
static int64_t
closed_request(const char *title)
{
	struct comment_input in = { .body = "Erledigt.", .is_public = true };
	struct field_error *errs;
	size_t nerrs;
	int64_t id = tenv_request(env, p.anna, title, NULL);

	env->ctx.now_ms += 1000;
	assert_int_equal(core_comment_add(&env->ctx, tenv_get(env, p.sam), id,
	    &in, &errs, &nerrs, NULL), ZEK_OK);
	env->ctx.now_ms += 1000;
	assert_int_equal(core_transition(&env->ctx, tenv_get(env, p.sam), id,
	    WF_CLOSE, RESOLUTION_GELOEST, NULL, NULL), ZEK_OK);
	return id;
}

static bool
exists(int64_t id)
{
	struct store_request *r;
	enum zek_rc rc = store_request_by_id(env->ctx.db, env->arena, id, &r);

	assert_true(rc == ZEK_OK || rc == ZEK_NOTFOUND);
	return rc == ZEK_OK;
}

static void
test_only_closed_requests_past_the_time_go(void **state)
{
	struct store_retention_due *due;
	struct activity_entry *ent;
	int64_t old, recent, open, deleted = 0, logged = 0, t0;
	size_t n;
	bool more;

	(void)state;
	t0 = env->ctx.now_ms;
	old = closed_request("Alt und geschlossen");
	open = tenv_request(env, p.anna, "Alt und offen", NULL);
	env->ctx.now_ms = t0 + 20 * DAY;
	recent = closed_request("Jünger und geschlossen");
	env->ctx.now_ms = t0 + 40 * DAY;
	/* Retention off: nothing is due, nothing goes. */
	env->cfg.retention_closed_days = 0;
	assert_int_equal(core_retention_due(&env->ctx, 0, 10, &due, &n), ZEK_OK);
	assert_int_equal(n, 0);
	assert_int_equal(core_retention_run(&env->ctx, &deleted, &more), ZEK_OK);
	assert_int_equal(deleted, 0);
	env->cfg.retention_closed_days = 30;
	/* The dry run names it and changes nothing. */
	assert_int_equal(core_retention_due(&env->ctx, 0, 10, &due, &n), ZEK_OK);
	assert_int_equal(n, 1);
	assert_int_equal(due[0].id, old);
	assert_true(exists(old));
	assert_int_equal(core_retention_run(&env->ctx, &deleted, &more), ZEK_OK);
	assert_int_equal(deleted, 1);
	assert_false(more);
	assert_false(exists(old));
	assert_true(exists(recent) && exists(open));
	/* Its log went with it; the others' stays. */
	assert_int_equal(core_activity_list(&env->ctx, tenv_get(env, p.sam), old,
	    &ent, &n), ZEK_NOTFOUND);
	assert_int_equal(core_activity_list(&env->ctx, tenv_get(env, p.sam),
	    recent, &ent, &n), ZEK_OK);
	assert_true(n >= 3);
	assert_int_equal(store_retention_logged(env->ctx.db, 0, &logged), ZEK_OK);
	assert_int_equal(logged, 1);
}

static void
test_in_batches(void **state)
{
	int64_t deleted = 0, t0 = env->ctx.now_ms;
	size_t i, total = RETENTION_BATCH + 5;
	bool more;

	(void)state;
	for (i = 0; i < total; i++)
		(void)closed_request("Stapel");
	env->ctx.now_ms = t0 + 400 * DAY;
	assert_int_equal(core_retention_run(&env->ctx, &deleted, &more), ZEK_OK);
	assert_int_equal(deleted, RETENTION_BATCH);
	assert_true(more);
	assert_int_equal(core_retention_run(&env->ctx, &deleted, &more), ZEK_OK);
	assert_false(more);
	/* The rest of these, and the one from the test before. */
	assert_true(deleted >= (int64_t)total);
}

/* A request changed after the list was read is left alone. */
static void
test_a_request_changed_meanwhile_stays(void **state)
{
	struct store_retention_due *due;
	int64_t id, deleted = 0, t0 = env->ctx.now_ms;
	size_t n;
	bool more;

	(void)state;
	id = closed_request("Wieder offen");
	env->ctx.now_ms = t0 + 400 * DAY;
	assert_int_equal(core_retention_due(&env->ctx, 0, 10, &due, &n), ZEK_OK);
	assert_int_equal(n, 1);
	assert_int_equal(store_request_touch(env->ctx.db, id, env->ctx.now_ms,
	    false), ZEK_OK);
	assert_int_equal(core_retention_run(&env->ctx, &deleted, &more), ZEK_OK);
	assert_int_equal(deleted, 0);
	assert_true(exists(id));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_only_closed_requests_past_the_time_go),
		cmocka_unit_test(test_in_batches),
		cmocka_unit_test(test_a_request_changed_meanwhile_stays),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
