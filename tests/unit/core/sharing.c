/* Unit tests for core/sharing.c: participants, organisation sharing, muting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/activity.h"
#include "core/requests.h"
#include "core/sharing.h"
#include "core/users.h"
#include "core/validate.h"
#include "core/workflow.h"
#include "helpers.h"
#include "lib/arena.h"
#include "store/store.h"


static struct tenv *env;
static struct tenv_people people;
static int64_t anna, ben, carla, sam, dora;

/* A customer without a password, quickly (no Argon2). */
static int64_t
quick_user(const char *email, const char *name)
{
	struct store_user su = { .email = email, .name = name,
	    .password_hash = "", .role = "customer", .lang = "de",
	    .tz = "Europe/Berlin", .notify = true, .created_at = 1 };
	int64_t id;

	assert_int_equal(store_user_insert(env->ctx.db, &su, &id), ZEK_OK);
	return id;
}

static struct user *
u(int64_t id)
{
	return tenv_get(env, id);
}

static int
setup(void **state)
{
	env = tenv_new();
	tenv_config(env);
	tenv_people(env, &people);
	anna = people.anna;
	ben = people.ben;
	carla = people.carla;
	sam = people.sam;
	dora = quick_user("dora@example.org", "Dora Özdemir");
	quick_user("max1@example.org", "Max Muster");
	quick_user("max2@example.org", "Max Muster");
	return 0;
}

static int
teardown(void **state)
{
	tenv_free(env);
	return 0;
}


static enum zek_rc
share(int64_t who, int64_t id, const char *whom, const char **errkey)
{
	struct field_error err = { 0 };
	struct person p;
	enum zek_rc rc;

	env->ctx.now_ms += 10;
	rc = core_participant_add(&env->ctx, u(who), id, whom, &p, &err);
	if (errkey != NULL)
		*errkey = rc == ZEK_INVALID ? err.key : "";
	return rc;
}

static bool
sees(int64_t who, const char *key)
{
	struct request_view *v;
	enum zek_rc rc = core_request_get(&env->ctx, u(who), key, "de", &v);

	assert_true(rc == ZEK_OK || rc == ZEK_NOTFOUND);
	return rc == ZEK_OK;
}

static void
test_add_by_email_or_exact_name(void **state)
{
	struct field_error err;
	struct activity_entry *e;
	struct request_view *v;
	struct person p;
	const char *key, *ek;
	size_t n;
	int64_t id = tenv_request(env, anna, "Geteilte Frage", &key);

	assert_false(sees(ben, key));
	assert_int_equal(core_participant_add(&env->ctx, u(anna), id,
	    "  BEN@Example.org ", &p, &err), ZEK_OK);
	assert_int_equal(p.id, ben);
	assert_string_equal(p.name, "Ben Weber");
	assert_true(sees(ben, key));
	/* Names: whole and exact, in any case (also beyond ASCII). */
	assert_int_equal(share(anna, id, "dora özdemir", &ek), ZEK_OK);
	assert_int_equal(share(anna, id, "Carla", &ek), ZEK_INVALID);
	assert_string_equal(ek, "err_share_no_account");
	assert_int_equal(share(anna, id, "Max Muster", &ek), ZEK_INVALID);
	assert_string_equal(ek, "err_share_ambiguous");
	assert_int_equal(share(anna, id, "max2@example.org", &ek), ZEK_OK);
	/* Twice, or the reporter: a clear message. */
	assert_int_equal(core_participant_add(&env->ctx, u(anna), id,
	    "Ben Weber", &p, &err), ZEK_INVALID);
	assert_string_equal(err.key, "err_share_already");
	assert_string_equal(err.arg, "Ben Weber");
	assert_string_equal(err.field, "who");
	assert_int_equal(share(ben, id, "anna@example.org", &ek), ZEK_INVALID);
	assert_string_equal(ek, "err_share_already");
	/* Support staff are not customers to be added. */
	assert_int_equal(share(anna, id, "support@example.org", &ek),
	    ZEK_INVALID);
	assert_string_equal(ek, "err_share_no_account");
	assert_int_equal(share(anna, id, "Sam Support", &ek), ZEK_INVALID);
	assert_string_equal(ek, "err_share_no_account");
	assert_int_equal(share(anna, id, "   ", &ek), ZEK_INVALID);
	assert_string_equal(ek, "err_required");
	assert_int_equal(share(anna, id, "\xff", &ek), ZEK_INVALID);
	assert_string_equal(ek, "err_invalid_utf8");
	/* A participant may share further; a stranger may not even ask. */
	assert_int_equal(share(ben, id, "Carla Yilmaz", &ek), ZEK_OK);
	assert_true(sees(carla, key));
	assert_int_equal(core_request_get(&env->ctx, u(anna), key, "de", &v),
	    ZEK_OK);
	assert_int_equal(v->nparticipants, 4);
	/* Logged with who was added, by whom. */
	assert_int_equal(core_activity_list(&env->ctx, u(anna), id, &e, &n),
	    ZEK_OK);
	assert_int_equal(e[0].kind, ACTIVITY_PARTICIPANT_ADDED);
	assert_int_equal(e[0].actor.id, ben);
	assert_string_equal(e[0].subject.name, "Carla Yilmaz");
	assert_string_equal(e[0].subject.email, "");
}

/* share_with = organisation: customers add only members of the
 * reporter's organisations; staff anybody. */
static void
test_share_with_policy(void **state)
{
	const char *key, *ek;
	int64_t id = tenv_request(env, anna, "Nur in der Organisation", &key);

	env->cfg.share_with = SHARE_WITH_ORGANISATION;
	assert_int_equal(share(anna, id, "carla@example.org", &ek), ZEK_INVALID);
	assert_string_equal(ek, "err_share_not_org");
	assert_false(sees(carla, key));
	assert_int_equal(share(anna, id, "ben@example.org", &ek), ZEK_OK);
	assert_int_equal(share(sam, id, "carla@example.org", &ek), ZEK_OK);
	env->cfg.share_with = SHARE_WITH_CUSTOMERS;
	assert_int_equal(share(anna, id, "dora@example.org", &ek), ZEK_OK);
}

static void
test_strangers_and_limits(void **state)
{
	const char *key, *ek;
	char longname[SHARE_WHO_MAX + 2];
	int64_t id = tenv_request(env, anna, "Geteilte Frage", &key);
	int64_t other, i;
	char email[64];

	assert_int_equal(share(carla, id, "ben@example.org", &ek), ZEK_NOTFOUND);
	assert_false(sees(ben, key));
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(share(anna, id, longname, &ek), ZEK_INVALID);
	assert_string_equal(ek, "err_too_long");
	/* Agents may share too. */
	assert_int_equal(share(sam, id, "ben@example.org", &ek), ZEK_OK);
	/* At most SHARE_PARTICIPANTS_MAX participants. */
	for (i = 1; i < SHARE_PARTICIPANTS_MAX; i++) {
		snprintf(email, sizeof(email), "viele%lld@example.org",
		    (long long)i);
		other = quick_user(email, email);
		(void)other;
		assert_int_equal(share(sam, id, email, &ek), ZEK_OK);
	}
	quick_user("zuviel@example.org", "Zu Viel");
	assert_int_equal(share(sam, id, "zuviel@example.org", &ek), ZEK_INVALID);
	assert_string_equal(ek, "err_share_too_many");
}

static void
test_guessing_is_throttled(void **state)
{
	const char *key, *ek;
	int64_t id = tenv_request(env, carla, "Geteilte Frage", &key);
	int i;

	for (i = 0; i < SHARE_MAX_FAILURES; i++) {
		assert_int_equal(share(carla, id, "niemand@example.org", &ek),
		    ZEK_INVALID);
		assert_string_equal(ek, "err_share_no_account");
	}
	/* Now even a right guess is refused, without saying whether it is. */
	assert_int_equal(share(carla, id, "ben@example.org", &ek), ZEK_INVALID);
	assert_string_equal(ek, "err_share_throttled");
	assert_false(sees(ben, key));
	/* Others are not slowed down. */
	assert_int_equal(share(anna, tenv_request(env, anna, "Geteilte Frage",
	    NULL), "Ben Weber", &ek), ZEK_OK);
	/* After the window it works again. */
	env->ctx.now_ms += env->cfg.login_window_ms;
	assert_int_equal(share(carla, id, "ben@example.org", &ek), ZEK_OK);
	assert_true(sees(ben, key));
}

static void
test_remove(void **state)
{
	struct activity_entry *e;
	const char *key;
	size_t n;
	int64_t id = tenv_request(env, anna, "Geteilte Frage", &key);

	assert_int_equal(share(anna, id, "ben@example.org", NULL), ZEK_OK);
	assert_int_equal(share(anna, id, "carla@example.org", NULL), ZEK_OK);
	/* A participant cannot remove others, but may leave. */
	assert_int_equal(core_participant_remove(&env->ctx, u(ben), id, carla),
	    ZEK_FORBIDDEN);
	assert_int_equal(core_participant_remove(&env->ctx, u(carla), id, carla),
	    ZEK_OK);
	assert_false(sees(carla, key));
	assert_int_equal(core_participant_remove(&env->ctx, u(carla), id, ben),
	    ZEK_NOTFOUND);
	/* The reporter removes anyone; someone not taking part: not found. */
	assert_int_equal(core_participant_remove(&env->ctx, u(anna), id, ben),
	    ZEK_OK);
	assert_false(sees(ben, key));
	assert_int_equal(core_participant_remove(&env->ctx, u(anna), id, ben),
	    ZEK_NOTFOUND);
	assert_int_equal(core_participant_remove(&env->ctx, u(anna), id, anna),
	    ZEK_NOTFOUND);
	assert_int_equal(core_activity_list(&env->ctx, u(anna), id, &e, &n),
	    ZEK_OK);
	assert_int_equal(e[0].kind, ACTIVITY_PARTICIPANT_REMOVED);
	assert_int_equal(e[0].subject.id, ben);
	assert_int_equal(e[1].kind, ACTIVITY_PARTICIPANT_REMOVED);
	assert_int_equal(e[1].actor.id, carla);
	/* Agents may remove too. */
	assert_int_equal(share(anna, id, "ben@example.org", NULL), ZEK_OK);
	assert_int_equal(core_participant_remove(&env->ctx, u(sam), id, ben),
	    ZEK_OK);
}

/* What the request page offers `who` under "Teilen mit Organisation". */
static struct request_abilities
org_choices(int64_t who, const char *key)
{
	struct request_abilities ab;
	struct request_view *v;

	assert_int_equal(core_request_get(&env->ctx, u(who), key, "de", &v),
	    ZEK_OK);
	assert_int_equal(core_request_abilities(&env->ctx, u(who), v, &ab),
	    ZEK_OK);
	assert_int_equal(ab.share_org, ab.nshare_orgs > 0);
	return ab;
}

static void
test_share_with_organisation(void **state)
{
	struct activity_entry *e;
	struct request_abilities ab;
	struct request_view *v;
	const char *key;
	size_t n;
	int64_t id = tenv_request(env, anna, "Geteilte Frage", &key);
	int64_t own = u(anna)->org_ids[0], foreign = u(carla)->org_ids[0];

	assert_false(sees(ben, key));
	ab = org_choices(anna, key);
	assert_int_equal(ab.nshare_orgs, 1);
	assert_int_equal(ab.share_org_ids[0], own);
	assert_string_equal(ab.share_org_names[0],
	    "Stadt Musterstadt – Bürgeramt");
	/* Staff see the reporter's organisations, not their own. */
	ab = org_choices(sam, key);
	assert_int_equal(ab.nshare_orgs, 1);
	assert_int_equal(ab.share_org_ids[0], own);
	assert_int_equal(share(anna, id, "carla@example.org", NULL), ZEK_OK);
	/* Only the reporter's organisations, only by the reporter (or staff). */
	assert_int_equal(org_choices(carla, key).nshare_orgs, 0);
	assert_int_equal(core_request_share_org(&env->ctx, u(carla), id, foreign),
	    ZEK_FORBIDDEN);
	assert_int_equal(core_request_share_org(&env->ctx, u(anna), id, foreign),
	    ZEK_INVALID);
	assert_int_equal(core_request_share_org(&env->ctx, u(ben), id, own),
	    ZEK_NOTFOUND);
	assert_int_equal(core_request_share_org(&env->ctx, u(anna), id, own),
	    ZEK_OK);
	assert_true(sees(ben, key));
	assert_int_equal(core_request_get(&env->ctx, u(ben), key, "de", &v),
	    ZEK_OK);
	assert_string_equal(v->shared_org_name, "Stadt Musterstadt – Bürgeramt");
	assert_int_equal(core_request_share_org(&env->ctx, u(anna), id, own),
	    ZEK_CONFLICT);
	assert_int_equal(org_choices(anna, key).nshare_orgs, 0);
	assert_int_equal(core_activity_list(&env->ctx, u(ben), id, &e, &n),
	    ZEK_OK);
	assert_int_equal(e[0].kind, ACTIVITY_SHARED_WITH_ORG);
	assert_string_equal(e[0].org_name, "Stadt Musterstadt – Bürgeramt");
	/* Staff may share it for the reporter. */
	id = tenv_request(env, anna, "Geteilte Frage", &key);
	assert_int_equal(core_request_share_org(&env->ctx, u(sam), id, own),
	    ZEK_OK);
}

static void
test_closed_request_is_final(void **state)
{
	struct field_error err;
	const char *key, *ek;
	bool muted;
	int64_t id = tenv_request(env, anna, "Geteilte Frage", &key);

	assert_int_equal(share(anna, id, "ben@example.org", NULL), ZEK_OK);
	assert_int_equal(core_transition(&env->ctx, u(anna), id, WF_WITHDRAW,
	    RESOLUTION_NONE, NULL, &err), ZEK_OK);
	assert_int_equal(share(anna, id, "carla@example.org", &ek), ZEK_CONFLICT);
	assert_false(sees(carla, key));
	assert_int_equal(core_participant_remove(&env->ctx, u(anna), id, ben),
	    ZEK_CONFLICT);
	assert_true(sees(ben, key));
	assert_int_equal(core_request_share_org(&env->ctx, u(anna), id,
	    u(anna)->org_ids[0]), ZEK_CONFLICT);
	/* Muting is not a change of the request: still possible. */
	assert_int_equal(core_request_notify_set(&env->ctx, u(ben), id, true),
	    ZEK_OK);
	assert_int_equal(store_notify_muted_get(env->ctx.db, id, ben, &muted),
	    ZEK_OK);
	assert_true(muted);
}

static void
test_notify_toggle(void **state)
{
	struct request_view *v;
	const char *key;
	bool muted;
	int64_t id = tenv_request(env, anna, "Geteilte Frage", &key);

	assert_int_equal(core_request_notify_set(&env->ctx, u(anna), id, true),
	    ZEK_OK);
	assert_int_equal(core_request_get(&env->ctx, u(anna), key, "de", &v),
	    ZEK_OK);
	assert_true(v->notify_muted);
	assert_int_equal(core_request_notify_set(&env->ctx, u(anna), id, false),
	    ZEK_OK);
	assert_int_equal(core_request_get(&env->ctx, u(anna), key, "de", &v),
	    ZEK_OK);
	assert_false(v->notify_muted);
	assert_int_equal(core_request_notify_set(&env->ctx, u(carla), id, true),
	    ZEK_NOTFOUND);
	assert_int_equal(store_notify_muted_get(env->ctx.db, id, carla, &muted),
	    ZEK_OK);
	assert_false(muted);
	assert_int_equal(core_request_notify_set(&env->ctx, NULL, id, true),
	    ZEK_NOTFOUND);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_add_by_email_or_exact_name),
	cmocka_unit_test(test_share_with_policy),
	cmocka_unit_test(test_strangers_and_limits),
	cmocka_unit_test(test_guessing_is_throttled),
	cmocka_unit_test(test_remove),
	cmocka_unit_test(test_share_with_organisation),
	cmocka_unit_test(test_closed_request_is_final),
	cmocka_unit_test(test_notify_toggle),
};

int
main(void)
{
	return cmocka_run_group_tests(tests, setup, teardown);
}
