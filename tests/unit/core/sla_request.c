/* Unit tests for core/sla_request.c: a request's goals from its type and
 * its activity log, for staff only; goals set in the admin area count for
 * requests made before. Run on both backends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/activity.h"
#include "core/admin.h"
#include "core/admin_types.h"
#include "core/requests.h"
#include "core/sla.h"
#include "core/users.h"
#include "core/validate.h"
#include "helpers.h"

#define HOUR ((int64_t)3600 * 1000)

static struct tenv *env;
static struct tenv_people people;
static int64_t admin_id;

static int
setup(void **state)
{
	(void)state;
	env = tenv_new();
	tenv_config(env);
	tenv_people(env, &people);
	admin_id = tenv_add(env, "ada@example.org", "Ada Admin", "admin", NULL);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tenv_free(env);
	return 0;
}

/* A new request's context at Berlin local time `local`. */
static void
at(const char *local)
{
	int64_t ms;

	tenv_reset(env);
	assert_int_equal(core_parse_local_datetime(local, "Europe/Berlin", &ms),
	    ZEK_OK);
	env->ctx.now_ms = ms;
}

/* Sonstige Frage (type 4) gets a first-response goal of `hours` and no
 * resolution goal. */
static void
set_goal(const char *hours)
{
	struct admin_type_form f;
	struct field_error errs[ADMIN_MAX_ERRORS];
	struct admin_type t;
	char version[32], group[32];
	size_t nerrs;

	assert_int_equal(core_admin_type(&env->ctx, tenv_get(env, admin_id), 4,
	    &t), ZEK_OK);
	snprintf(version, sizeof(version), "%lld", (long long)t.version);
	snprintf(group, sizeof(group), "%lld", (long long)t.group_id);
	f = (struct admin_type_form){ .version = version, .group_id = group,
		.name_de = t.name_de, .name_en = t.name_en,
		.description_de = t.description_de,
		.description_en = t.description_en, .icon = t.icon,
		.sla_response_hours = hours, .sla_resolution_hours = "" };
	assert_int_equal(core_admin_type_save(&env->ctx, tenv_get(env,
	    admin_id), 4, &f, errs, &nerrs), ZEK_OK);
}

static void
assert_same_cycle(const struct sla_cycle *a, const struct sla_cycle *b)
{
	assert_int_equal(a->start, b->start);
	assert_int_equal(a->stop, b->stop);
	assert_int_equal(a->elapsed_ms, b->elapsed_ms);
	assert_int_equal(a->goal_ms, b->goal_ms);
	assert_int_equal(a->breached, b->breached);
	assert_int_equal(a->paused, b->paused);
	assert_int_equal(a->breach_at, b->breach_at);
}

static void
assert_same_result(const struct sla_result *a, const struct sla_result *b)
{
	assert_int_equal(a->ncompleted, b->ncompleted);
	for (size_t i = 0; i < a->ncompleted; i++)
		assert_same_cycle(&a->completed[i], &b->completed[i]);
	assert_int_equal(a->has_ongoing, b->has_ongoing);
	if (a->has_ongoing)
		assert_same_cycle(&a->ongoing, &b->ongoing);
}

/* Request `key`'s goals as user `who` sees them through the API, checked
 * against those the agent's page works out from its activity's log. */
static int
sla_of(int64_t who, const char *key, struct request_sla *out)
{
	const struct user *u = tenv_get(env, who);
	struct activity_entry *e;
	struct request_sla paged;
	struct activity_log log;
	struct request_view *v;
	size_t n;
	int rc;

	assert_int_equal(core_request_get(&env->ctx, u, key, "de", &v),
	    ZEK_OK);
	rc = core_request_sla(&env->ctx, u, v, out);
	assert_int_equal(core_activity_of_page(&env->ctx, u, v, &e, &n,
	    &log), ZEK_OK);
	assert_int_equal(log.n, n);
	assert_int_equal(core_request_sla_of_log(&env->ctx, u, v, &log,
	    &paged), rc);
	if (rc == ZEK_OK) {
		assert_true(log.complete && log.with_internal);
		assert_int_equal(paged.has_response, out->has_response);
		assert_int_equal(paged.has_resolution, out->has_resolution);
		assert_same_result(&paged.response, &out->response);
		assert_same_result(&paged.resolution, &out->resolution);
	}
	return rc;
}

/* The page's goals come from its log when that is the whole log, and are
 * read anew when it is not (a log of ACTIVITY_MAX entries may be cut). */
static void
test_goals_from_the_pages_log(void **state)
{
	struct activity_log empty = { .complete = true, .with_internal = true };
	struct request_sla sla;
	struct request_view *v;
	const struct user *sam;
	const char *key;
	char k[32];

	(void)state;
	at("2026-12-07T08:00");
	set_goal("1");
	tenv_request(env, people.anna, "Frage mit Ziel", &key);
	snprintf(k, sizeof(k), "%s", key); /* at() frees the call's arena */
	at("2026-12-07T08:30");
	sam = tenv_get(env, people.sam);
	assert_int_equal(core_request_get(&env->ctx, sam, k, "de", &v),
	    ZEK_OK);
	/* Taken as it is: a log without the created entry runs no goal. */
	assert_int_equal(core_request_sla_of_log(&env->ctx, sam, v, &empty,
	    &sla), ZEK_OK);
	assert_true(sla.has_response);
	assert_false(sla.response.has_ongoing);
	/* Not the whole log, or without internal notes: read anew. */
	empty.complete = false;
	assert_int_equal(core_request_sla_of_log(&env->ctx, sam, v, &empty,
	    &sla), ZEK_OK);
	assert_true(sla.response.has_ongoing);
	assert_int_equal(sla.response.ongoing.elapsed_ms, 30 * 60 * 1000);
	empty.complete = true;
	empty.with_internal = false;
	assert_int_equal(core_request_sla_of_log(&env->ctx, sam, v, &empty,
	    &sla), ZEK_OK);
	assert_true(sla.response.has_ongoing);
}

static void
test_goals_of_a_request_for_staff(void **state)
{
	struct comment_input reply = { .body = "Wir sind dran.",
		.is_public = true };
	struct field_error *errs;
	struct request_sla sla;
	const char *key;
	char k[32];
	size_t nerrs;
	int64_t id;

	(void)state;
	/* Made on a Monday at 08:00, when the type had no goals (the demo
	 * configuration's are taken away first). */
	at("2026-12-07T07:00");
	set_goal("");
	at("2026-12-07T08:00");
	id = tenv_request(env, people.anna, "Frage ohne Ziel", &key);
	snprintf(k, sizeof(k), "%s", key);
	at("2026-12-07T08:10");
	assert_int_equal(sla_of(people.sam, k, &sla), ZEK_OK);
	assert_false(sla.has_response || sla.has_resolution);

	/* A goal of 1 h set later counts for it: at 09:30 it is breached. */
	set_goal("1");
	at("2026-12-07T09:30");
	assert_int_equal(sla_of(people.sam, k, &sla), ZEK_OK);
	assert_true(sla.has_response && !sla.has_resolution);
	assert_true(sla.response.has_ongoing);
	assert_int_equal(sla.response.ongoing.elapsed_ms, 90 * 60 * 1000);
	assert_true(sla.response.ongoing.breached);

	/* The agent's public reply at 10:00 ends it: missed by an hour. */
	at("2026-12-07T10:00");
	assert_int_equal(core_comment_add(&env->ctx, tenv_get(env, people.sam),
	    id, &reply, &errs, &nerrs, NULL), ZEK_OK);
	at("2026-12-08T10:00");
	assert_int_equal(sla_of(people.sam, k, &sla), ZEK_OK);
	assert_false(sla.response.has_ongoing);
	assert_int_equal(sla.response.ncompleted, 1);
	assert_int_equal(sla.response.completed[0].elapsed_ms, 2 * HOUR);
	assert_true(sla.response.completed[0].breached);

	/* Customers do not see goals: as if there were no such request. */
	assert_int_equal(sla_of(people.anna, k, &sla), ZEK_NOTFOUND);
	/* Hours come as the form sends them; nonsense is named. */
	at("2026-12-08T10:05");
	{
		struct admin_type_form f;
		struct field_error e[ADMIN_MAX_ERRORS];
		struct admin_type t;
		char version[32], group[32];
		size_t n;

		assert_int_equal(core_admin_type(&env->ctx, tenv_get(env,
		    admin_id), 4, &t), ZEK_OK);
		assert_int_equal(t.sla_response_minutes, 60);
		snprintf(version, sizeof(version), "%lld", (long long)t.version);
		snprintf(group, sizeof(group), "%lld", (long long)t.group_id);
		f = (struct admin_type_form){ .version = version,
			.group_id = group, .name_de = t.name_de, .name_en = "",
			.icon = t.icon, .sla_response_hours = "acht",
			.sla_resolution_hours = "7,5" };
		assert_int_equal(core_admin_type_save(&env->ctx, tenv_get(env,
		    admin_id), 4, &f, e, &n), ZEK_INVALID);
		assert_int_equal(n, 1);
		assert_string_equal(e[0].field, "sla_response_hours");
		assert_string_equal(e[0].key, "err_sla_hours");
		f.sla_response_hours = "";
		assert_int_equal(core_admin_type_save(&env->ctx, tenv_get(env,
		    admin_id), 4, &f, e, &n), ZEK_OK);
		at("2026-12-08T10:10");
		assert_int_equal(core_admin_type(&env->ctx, tenv_get(env,
		    admin_id), 4, &t), ZEK_OK);
		assert_int_equal(t.sla_response_minutes, 0);
		assert_int_equal(t.sla_resolution_minutes, 450);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_goals_of_a_request_for_staff,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_goals_from_the_pages_log,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
