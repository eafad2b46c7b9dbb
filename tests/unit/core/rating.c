/* Unit tests for core/rating.c: who rates, when, who sees it, and the
 * signed rating link of the closing mail (core/mailtoken.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "core/activity.h"
#include "core/agent.h"
#include "core/mailtoken.h"
#include "core/links.h"
#include "core/rating.h"
#include "core/requests.h"
#include "core/sharing.h"
#include "core/users.h"
#include "core/validate.h"
#include "core/workflow.h"
#include "helpers.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "store/store.h"

#define DAY (24LL * 3600 * 1000)

static struct tenv *env;
static struct tenv_people p;

static int
setup(void **state)
{
	env = tenv_new();
	tenv_config(env);
	tenv_people(env, &p);
	return 0;
}

static int
teardown(void **state)
{
	tenv_free(env);
	return 0;
}

/* Anna's request, Ben a participant, closed by Sam with `res` (or
 * withdrawn by Anna for RESOLUTION_ZURUECKGEZOGEN, or left open for
 * RESOLUTION_NONE). */
/* A request for duplicates to name as their original. */
static const char *
original_key(void)
{
	const char *key;

	(void)tenv_request(env, p.anna, "Das Original", &key);
	return key;
}

static int64_t
request_in(enum resolution res, const char **key)
{
	struct field_error err;
	int64_t id = tenv_request(env, p.anna, "Bitte bewerten", key);

	assert_int_equal(core_participant_add(&env->ctx, tenv_get(env, p.anna),
	    id, "ben@example.org", NULL, &err), ZEK_OK);
	if (res == RESOLUTION_ZURUECKGEZOGEN)
		assert_int_equal(core_transition(&env->ctx, tenv_get(env, p.anna),
		    id, WF_WITHDRAW, RESOLUTION_NONE, NULL, NULL), ZEK_OK);
	else if (res == RESOLUTION_DUPLIKAT)
		assert_int_equal(core_close_duplicate(&env->ctx, tenv_get(env,
		    p.sam), id, original_key(), NULL, NULL), ZEK_OK);
	else if (res != RESOLUTION_NONE)
		assert_int_equal(core_transition(&env->ctx, tenv_get(env, p.sam),
		    id, WF_CLOSE, res, NULL, NULL), ZEK_OK);
	return id;
}

static enum zek_rc
save(int64_t who, int64_t id, const char *score, const char *comment,
    struct field_error *err)
{
	return core_rating_save(&env->ctx, tenv_get(env, who), id, score, comment,
	    err);
}

static struct rating_view
view_of(int64_t who, const char *key)
{
	struct request_view *v;
	struct rating_view rv;

	assert_int_equal(core_request_get(&env->ctx, tenv_get(env, who), key,
	    "de", &v), ZEK_OK);
	assert_int_equal(core_rating_of_view(&env->ctx, tenv_get(env, who), v,
	    &rv), ZEK_OK);
	return rv;
}

static int64_t
stored_score(int64_t id)
{
	struct store_rating *sr;

	if (store_rating_get(env->ctx.db, env->ctx.arena, id, &sr) != ZEK_OK)
		return 0;
	return sr->score;
}

static void
test_only_the_reporter_of_a_closed_request(void **state)
{
	const char *key, *wkey, *okey;
	int64_t id = request_in(RESOLUTION_GELOEST, &key);
	int64_t wid = request_in(RESOLUTION_ZURUECKGEZOGEN, &wkey);
	int64_t oid = request_in(RESOLUTION_NONE, &okey);
	struct field_error err = { 0 };

	assert_true(view_of(p.anna, key).offered);
	assert_false(view_of(p.ben, key).offered);
	assert_false(view_of(p.sam, key).offered);
	/* Open and withdrawn requests are not rated. */
	assert_false(view_of(p.anna, wkey).offered);
	assert_false(view_of(p.anna, okey).offered);
	assert_int_equal(save(p.anna, wid, "4", "", &err), ZEK_CONFLICT);
	assert_int_equal(save(p.anna, oid, "4", "", &err), ZEK_CONFLICT);
	/* A participant, an agent, a stranger. */
	assert_int_equal(save(p.ben, id, "4", "", &err), ZEK_FORBIDDEN);
	assert_int_equal(save(p.sam, id, "4", "", &err), ZEK_FORBIDDEN);
	assert_int_equal(save(p.carla, id, "4", "", &err), ZEK_NOTFOUND);
	assert_int_equal(stored_score(id), 0);
	/* Duplicates and refusals are closed too: they may be rated. */
	id = request_in(RESOLUTION_DUPLIKAT, &key);
	assert_int_equal(save(p.anna, id, "1", NULL, &err), ZEK_OK);
	id = request_in(RESOLUTION_ABGELEHNT, &key);
	assert_int_equal(save(p.anna, id, "2", NULL, &err), ZEK_OK);
}

static void
test_input_is_checked(void **state)
{
	const char *key;
	int64_t id = request_in(RESOLUTION_GELOEST, &key);
	struct field_error err = { 0 };
	char big[RATING_COMMENT_MAX + 2];

	static const char *const bad[] = { NULL, "", "0", "6", "4.5", "x",
	    " 4", "-1" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(save(p.anna, id, bad[i], "", &err), ZEK_INVALID);
		assert_string_equal(err.field, RATING_SCORE_FIELD);
		assert_string_equal(err.key, "err_rating_score");
	}
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(save(p.anna, id, "3", big, &err), ZEK_INVALID);
	assert_string_equal(err.field, RATING_COMMENT_FIELD);
	assert_string_equal(err.key, "err_too_long");
	assert_int_equal(err.max, RATING_COMMENT_MAX);
	assert_int_equal(save(p.anna, id, "3", "\xff\xfe", &err), ZEK_INVALID);
	assert_string_equal(err.key, "err_invalid_utf8");
	assert_int_equal(stored_score(id), 0);
	big[RATING_COMMENT_MAX] = '\0';     /* exactly the limit */
	assert_int_equal(save(p.anna, id, "3", big, &err), ZEK_OK);
	assert_int_equal(stored_score(id), 3);
}

static void
test_one_rating_changeable_for_seven_days(void **state)
{
	const char *key;
	int64_t id = request_in(RESOLUTION_GELOEST, &key);
	int64_t first = env->ctx.now_ms;
	struct field_error err = { 0 };
	struct activity_entry *e;
	struct rating_view rv;
	size_t n, rated = 0;

	assert_int_equal(save(p.anna, id, "4", "Gut\r\n", &err), ZEK_OK);
	rv = view_of(p.anna, key);
	assert_true(rv.has_rating && rv.changeable && rv.offered);
	assert_int_equal(rv.rating.score, 4);
	assert_string_equal(rv.rating.comment, "Gut");
	assert_int_equal(rv.rating.change_until, first + 7 * DAY);
	/* Changed on day 6: still one rating, counted from the first. */
	env->ctx.now_ms = first + 6 * DAY;
	assert_int_equal(save(p.anna, id, "2", "", &err), ZEK_OK);
	rv = view_of(p.anna, key);
	assert_int_equal(rv.rating.score, 2);
	assert_int_equal(rv.rating.created_at, first);
	assert_int_equal(rv.rating.updated_at, first + 6 * DAY);
	/* Day 7: final, read-only. */
	env->ctx.now_ms = first + 7 * DAY;
	rv = view_of(p.anna, key);
	assert_true(rv.has_rating);
	assert_false(rv.changeable);
	assert_false(rv.offered);
	assert_int_equal(save(p.anna, id, "5", "", &err), ZEK_CONFLICT);
	assert_int_equal(stored_score(id), 2);
	/* Both ratings are in the log, for agents only. */
	assert_int_equal(core_activity_list(&env->ctx, tenv_get(env, p.sam), id,
	    &e, &n), ZEK_OK);
	for (size_t i = 0; i < n; i++)
		if (e[i].kind == ACTIVITY_RATED) {
			assert_false(e[i].is_public);
			assert_int_equal(e[i].score, rated == 0 ? 2 : 4);
			rated++;
		}
	assert_int_equal(rated, 2);
	assert_int_equal(core_activity_list(&env->ctx, tenv_get(env, p.anna), id,
	    &e, &n), ZEK_OK);
	for (size_t i = 0; i < n; i++)
		assert_int_not_equal(e[i].kind, ACTIVITY_RATED);
	env->ctx.now_ms = first;
}

static void
test_who_sees_a_rating(void **state)
{
	const char *key;
	int64_t id = request_in(RESOLUTION_GELOEST, &key);
	struct field_error err = { 0 };
	struct agent_query q = { .queue = AGENT_QUEUE_RECENT_CLOSED,
	    .sort = AGENT_SORT_UPDATED, .limit = 50 };
	struct agent_page *pg;
	struct rating_view rv;
	bool seen = false;

	assert_int_equal(save(p.anna, id, "5", "Danke", &err), ZEK_OK);
	rv = view_of(p.ben, key);
	assert_false(rv.has_rating);
	assert_false(rv.offered);
	rv = view_of(p.sam, key);
	assert_true(rv.has_rating);
	assert_false(rv.offered);
	assert_int_equal(rv.rating.score, 5);
	assert_string_equal(rv.rating.comment, "Danke");
	/* The queue carries the score of closed rows. */
	assert_int_equal(core_agent_queue(&env->ctx, tenv_get(env, p.sam), &q,
	    "de", &pg), ZEK_OK);
	for (size_t i = 0; i < pg->n; i++)
		if (pg->items[i].id == id) {
			assert_int_equal(pg->items[i].rating_score, 5);
			seen = true;
		}
	assert_true(seen);
}

/* ---- the link ---- */

static void
test_token_sign_check_expiry_forgery(void **state)
{
	const char *tok, *reply;
	char bad[64];
	int64_t u, r, now = env->ctx.now_ms;
	bool expired;

	assert_int_equal(core_rating_token_make(&env->ctx, p.anna, 77, &tok),
	    ZEK_OK);
	assert_int_equal(core_rating_token_check(&env->ctx, tok, &u, &r,
	    &expired), ZEK_OK);
	assert_int_equal(u, p.anna);
	assert_int_equal(r, 77);
	/* One character changed: no MAC fits. */
	str_lcpy(bad, tok, sizeof(bad));
	bad[4] = bad[4] == 'a' ? 'b' : 'a';
	assert_int_equal(core_rating_token_check(&env->ctx, bad, &u, &r,
	    &expired), ZEK_NOTFOUND);
	assert_false(expired);
	assert_int_equal(core_rating_token_check(&env->ctx, "", &u, &r,
	    &expired), ZEK_NOTFOUND);
	assert_int_equal(core_rating_token_check(&env->ctx, "????", &u, &r,
	    &expired), ZEK_NOTFOUND);
	/* A reply token is no rating token, nor the other way round. */
	assert_int_equal(core_mail_token_make(&env->ctx, p.anna, 77, &reply),
	    ZEK_OK);
	assert_int_equal(core_rating_token_check(&env->ctx, reply, &u, &r,
	    &expired), ZEK_NOTFOUND);
	assert_false(expired);
	assert_int_equal(core_mail_token_check(&env->ctx, tok, &u, &r),
	    ZEK_NOTFOUND);
	/* Day 30 works, day 31 is late (told apart from a forgery). */
	env->ctx.now_ms = now + RATINGTOKEN_DAYS * DAY;
	assert_int_equal(core_rating_token_check(&env->ctx, tok, &u, &r,
	    &expired), ZEK_OK);
	env->ctx.now_ms = now + (RATINGTOKEN_DAYS + 1) * DAY;
	assert_int_equal(core_rating_token_check(&env->ctx, tok, &u, &r,
	    &expired), ZEK_NOTFOUND);
	assert_true(expired);
	env->ctx.now_ms = now;
}

static void
test_link_rates_once(void **state)
{
	const char *key, *tok, *other;
	int64_t id = request_in(RESOLUTION_GELOEST, &key);
	struct field_error err = { 0 };
	struct rating_link l;

	assert_int_equal(core_rating_token_make(&env->ctx, p.anna, id, &tok),
	    ZEK_OK);
	assert_int_equal(core_rating_link_open(&env->ctx, tok, &l), ZEK_OK);
	assert_int_equal(l.state, RATING_LINK_OPEN);
	assert_string_equal(l.key, key);
	/* Opening changes nothing. */
	assert_int_equal(core_rating_link_open(&env->ctx, tok, &l), ZEK_OK);
	assert_int_equal(stored_score(id), 0);
	assert_int_equal(core_rating_link_save(&env->ctx, tok, "9", "", &l,
	    &err), ZEK_INVALID);
	assert_string_equal(err.field, RATING_SCORE_FIELD);
	assert_int_equal(l.state, RATING_LINK_OPEN);
	assert_int_equal(core_rating_link_save(&env->ctx, tok, "4", "Per Link",
	    &l, &err), ZEK_OK);
	assert_int_equal(l.state, RATING_LINK_USED);
	assert_int_equal(stored_score(id), 4);
	/* Used: a second time changes nothing. */
	assert_int_equal(core_rating_link_save(&env->ctx, tok, "1", "", &l,
	    &err), ZEK_CONFLICT);
	assert_int_equal(l.state, RATING_LINK_USED);
	assert_true(l.changeable);
	assert_int_equal(stored_score(id), 4);
	/* The page still takes a change for 7 days. */
	assert_int_equal(save(p.anna, id, "5", "", &err), ZEK_OK);
	/* A link for someone who is not the reporter is worth nothing. */
	id = request_in(RESOLUTION_GELOEST, &key);
	assert_int_equal(core_rating_token_make(&env->ctx, p.ben, id, &other),
	    ZEK_OK);
	assert_int_equal(core_rating_link_save(&env->ctx, other, "4", "", &l,
	    &err), ZEK_CONFLICT);
	assert_int_equal(l.state, RATING_LINK_INVALID);
	assert_int_equal(stored_score(id), 0);
	/* Rated on the page first: the link is used. */
	assert_int_equal(save(p.anna, id, "3", "", &err), ZEK_OK);
	assert_int_equal(core_rating_token_make(&env->ctx, p.anna, id, &tok),
	    ZEK_OK);
	assert_int_equal(core_rating_link_open(&env->ctx, tok, &l), ZEK_OK);
	assert_int_equal(l.state, RATING_LINK_USED);
}

static void
test_link_expired_and_withdrawn(void **state)
{
	const char *key, *tok;
	int64_t id = request_in(RESOLUTION_GELOEST, &key);
	int64_t now = env->ctx.now_ms;
	struct field_error err = { 0 };
	struct rating_link l;

	assert_int_equal(core_rating_token_make(&env->ctx, p.anna, id, &tok),
	    ZEK_OK);
	env->ctx.now_ms = now + (RATINGTOKEN_DAYS + 1) * DAY;
	assert_int_equal(core_rating_link_save(&env->ctx, tok, "4", "", &l,
	    &err), ZEK_CONFLICT);
	assert_int_equal(l.state, RATING_LINK_EXPIRED);
	assert_null(l.key);
	env->ctx.now_ms = now;
	assert_int_equal(stored_score(id), 0);
	/* A withdrawn request's link (a made-up one: no mail carries it). */
	id = request_in(RESOLUTION_ZURUECKGEZOGEN, &key);
	assert_int_equal(core_rating_token_make(&env->ctx, p.anna, id, &tok),
	    ZEK_OK);
	assert_int_equal(core_rating_link_open(&env->ctx, tok, &l), ZEK_OK);
	assert_int_equal(l.state, RATING_LINK_INVALID);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_only_the_reporter_of_a_closed_request),
		cmocka_unit_test(test_input_is_checked),
		cmocka_unit_test(test_one_rating_changeable_for_seven_days),
		cmocka_unit_test(test_who_sees_a_rating),
		cmocka_unit_test(test_token_sign_check_expiry_forgery),
		cmocka_unit_test(test_link_rates_once),
		cmocka_unit_test(test_link_expired_and_withdrawn),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
