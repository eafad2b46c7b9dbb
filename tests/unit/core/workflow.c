/* Unit tests for core/workflow.c: the transition table per role, and core_transition. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
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

#define PORTAL 17
#define T_FRAGE 4

/* ---- the pure table ---- */

/* Every allowed transition, written out independently of workflow.c.
 * `pending`: -1 any, 1 a solution waits, 0 none waits. */
struct allowed {
	unsigned roles;
	enum status from;
	int pending;
	enum wf_action action;
	enum status to;
	enum resolution res;        /* RESOLUTION_MAX: the one asked for */
};

#define CUST (WF_ROLE_REPORTER | WF_ROLE_PARTICIPANT | WF_ROLE_VIEWER)
#define RP (WF_ROLE_REPORTER | WF_ROLE_PARTICIPANT)

static const struct allowed allowed[] = {
	{ WF_ROLE_AGENT, STATUS_OFFEN, -1, WF_TO_SUPPORT, STATUS_WARTET_SUPPORT, RESOLUTION_NONE },
	{ WF_ROLE_AGENT, STATUS_IN_BEARBEITUNG, -1, WF_TO_SUPPORT, STATUS_WARTET_SUPPORT, RESOLUTION_NONE },
	{ WF_ROLE_AGENT, STATUS_OFFEN, -1, WF_START, STATUS_IN_BEARBEITUNG, RESOLUTION_NONE },
	{ WF_ROLE_AGENT, STATUS_WARTET_SUPPORT, -1, WF_START, STATUS_IN_BEARBEITUNG, RESOLUTION_NONE },
	{ WF_ROLE_AGENT, STATUS_IN_BEARBEITUNG, -1, WF_ASK_CUSTOMER, STATUS_WARTET_KUNDE, RESOLUTION_NONE },
	{ WF_ROLE_AGENT, STATUS_IN_BEARBEITUNG, -1, WF_PROPOSE_SOLUTION, STATUS_WARTET_KUNDE, RESOLUTION_GELOEST },
	/* What agents need besides the straight line (issue 4): take a request
	 * back from the customer, ask or answer at once, propose after a
	 * question. A pending solution is never proposed again. */
	{ WF_ROLE_AGENT, STATUS_WARTET_KUNDE, -1, WF_TO_SUPPORT, STATUS_WARTET_SUPPORT, RESOLUTION_NONE },
	{ WF_ROLE_AGENT, STATUS_WARTET_KUNDE, -1, WF_START, STATUS_IN_BEARBEITUNG, RESOLUTION_NONE },
	{ WF_ROLE_AGENT, STATUS_OFFEN, -1, WF_ASK_CUSTOMER, STATUS_WARTET_KUNDE, RESOLUTION_NONE },
	{ WF_ROLE_AGENT, STATUS_WARTET_SUPPORT, -1, WF_ASK_CUSTOMER, STATUS_WARTET_KUNDE, RESOLUTION_NONE },
	{ WF_ROLE_AGENT, STATUS_OFFEN, -1, WF_PROPOSE_SOLUTION, STATUS_WARTET_KUNDE, RESOLUTION_GELOEST },
	{ WF_ROLE_AGENT, STATUS_WARTET_SUPPORT, -1, WF_PROPOSE_SOLUTION, STATUS_WARTET_KUNDE, RESOLUTION_GELOEST },
	{ WF_ROLE_AGENT, STATUS_WARTET_KUNDE, 0, WF_PROPOSE_SOLUTION, STATUS_WARTET_KUNDE, RESOLUTION_GELOEST },
	{ RP, STATUS_WARTET_KUNDE, 1, WF_ACCEPT_SOLUTION, STATUS_GESCHLOSSEN, RESOLUTION_GELOEST },
	{ RP, STATUS_WARTET_KUNDE, 1, WF_REJECT_SOLUTION, STATUS_WARTET_SUPPORT, RESOLUTION_NONE },
	{ CUST, STATUS_WARTET_KUNDE, 0, WF_CUSTOMER_REPLY, STATUS_WARTET_SUPPORT, RESOLUTION_NONE },
	{ WF_ROLE_REPORTER, STATUS_OFFEN, -1, WF_WITHDRAW, STATUS_GESCHLOSSEN, RESOLUTION_ZURUECKGEZOGEN },
	{ WF_ROLE_REPORTER, STATUS_WARTET_SUPPORT, -1, WF_WITHDRAW, STATUS_GESCHLOSSEN, RESOLUTION_ZURUECKGEZOGEN },
	{ WF_ROLE_REPORTER, STATUS_IN_BEARBEITUNG, -1, WF_WITHDRAW, STATUS_GESCHLOSSEN, RESOLUTION_ZURUECKGEZOGEN },
	{ WF_ROLE_REPORTER, STATUS_WARTET_KUNDE, -1, WF_WITHDRAW, STATUS_GESCHLOSSEN, RESOLUTION_ZURUECKGEZOGEN },
	{ WF_ROLE_AGENT, STATUS_OFFEN, -1, WF_CLOSE, STATUS_GESCHLOSSEN, RESOLUTION_MAX },
	{ WF_ROLE_AGENT, STATUS_WARTET_SUPPORT, -1, WF_CLOSE, STATUS_GESCHLOSSEN, RESOLUTION_MAX },
	{ WF_ROLE_AGENT, STATUS_IN_BEARBEITUNG, -1, WF_CLOSE, STATUS_GESCHLOSSEN, RESOLUTION_MAX },
	{ WF_ROLE_AGENT, STATUS_WARTET_KUNDE, -1, WF_CLOSE, STATUS_GESCHLOSSEN, RESOLUTION_MAX },
	{ WF_ROLE_SYSTEM, STATUS_WARTET_KUNDE, 1, WF_AUTO_CLOSE, STATUS_GESCHLOSSEN, RESOLUTION_GELOEST },
};

static const unsigned single_roles[] = {
	WF_ROLE_REPORTER, WF_ROLE_PARTICIPANT, WF_ROLE_VIEWER, WF_ROLE_AGENT,
	WF_ROLE_SYSTEM,
};

static const struct allowed *
expected(unsigned role, enum status st, bool pending, enum wf_action a)
{
	size_t i;

	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++) {
		const struct allowed *x = &allowed[i];
		if ((x->roles & role) && x->from == st && x->action == a &&
		    (x->pending < 0 || x->pending == (int)pending))
			return x;
	}
	return NULL;
}

static bool
role_ever_allowed(unsigned role, enum wf_action a)
{
	size_t i;

	for (i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if ((allowed[i].roles & role) && allowed[i].action == a)
			return true;
	return false;
}

/* Every role x status x solution state x action: allowed ones give the
 * right result; the rest are refused with the right code. */
static void
test_table_every_combination(void **state)
{
	enum status to;
	enum resolution res;
	size_t r, s, a, ok = 0;
	int p;

	for (r = 0; r < sizeof(single_roles) / sizeof(single_roles[0]); r++)
	for (s = 0; s < STATUS_MAX; s++)
	for (p = 0; p < 2; p++)
	for (a = 0; a < WF_ACTION_MAX; a++) {
		const struct allowed *x = expected(single_roles[r], s, p, a);
		enum resolution have = p ? RESOLUTION_GELOEST : RESOLUTION_NONE;
		enum zek_rc rc;

		/* A pending solution exists only in Wartet auf Kunden. */
		if (p && s != STATUS_WARTET_KUNDE)
			continue;
		rc = wf_check(single_roles[r], s, have, a, RESOLUTION_DUPLIKAT,
		    &to, &res);
		if (x != NULL) {
			assert_int_equal(rc, ZEK_OK);
			assert_int_equal(to, x->to);
			assert_int_equal(res, x->res == RESOLUTION_MAX ?
			    RESOLUTION_DUPLIKAT : x->res);
			ok++;
		} else if (!role_ever_allowed(single_roles[r], a) &&
		    status_is_open((enum status)s)) {
			/* Closed is final for everybody: ZEK_CONFLICT below. */
			assert_int_equal(rc, ZEK_FORBIDDEN);
		} else {
			assert_int_equal(rc, ZEK_CONFLICT);
		}
	}
	/* Nothing in the table was missed. */
	assert_true(ok >= sizeof(allowed) / sizeof(allowed[0]));
}

static void
test_table_closed_is_final(void **state)
{
	enum status to;
	enum resolution res;
	size_t r, a, k;
	const enum resolution closed_with[] = { RESOLUTION_GELOEST,
	    RESOLUTION_ZURUECKGEZOGEN, RESOLUTION_DUPLIKAT,
	    RESOLUTION_ABGELEHNT };

	for (r = 0; r < sizeof(single_roles) / sizeof(single_roles[0]); r++)
	for (a = 0; a < WF_ACTION_MAX; a++)
	for (k = 0; k < 4; k++)
		assert_int_not_equal(wf_check(single_roles[r] | WF_ROLE_AGENT,
		    STATUS_GESCHLOSSEN, closed_with[k], a, RESOLUTION_GELOEST,
		    &to, &res), ZEK_OK);
}

static void
test_table_close_resolutions(void **state)
{
	enum status to;
	enum resolution res;

	assert_int_equal(wf_check(WF_ROLE_AGENT, STATUS_OFFEN, RESOLUTION_NONE,
	    WF_CLOSE, RESOLUTION_GELOEST, &to, &res), ZEK_OK);
	assert_int_equal(res, RESOLUTION_GELOEST);
	assert_int_equal(wf_check(WF_ROLE_AGENT, STATUS_OFFEN, RESOLUTION_NONE,
	    WF_CLOSE, RESOLUTION_ABGELEHNT, &to, &res), ZEK_OK);
	assert_int_equal(res, RESOLUTION_ABGELEHNT);
	/* Zurückgezogen is the reporter's word, and "none" is no closing. */
	assert_int_equal(wf_check(WF_ROLE_AGENT, STATUS_OFFEN, RESOLUTION_NONE,
	    WF_CLOSE, RESOLUTION_ZURUECKGEZOGEN, &to, &res), ZEK_INVALID);
	assert_int_equal(wf_check(WF_ROLE_AGENT, STATUS_OFFEN, RESOLUTION_NONE,
	    WF_CLOSE, RESOLUTION_NONE, &to, &res), ZEK_INVALID);
	assert_int_equal(wf_check(WF_ROLE_AGENT, STATUS_OFFEN, RESOLUTION_NONE,
	    WF_ACTION_MAX, RESOLUTION_NONE, &to, &res), ZEK_INVALID);
	/* Roles add up: an agent who reported it may also withdraw it. */
	assert_int_equal(wf_check(WF_ROLE_AGENT | WF_ROLE_REPORTER,
	    STATUS_IN_BEARBEITUNG, RESOLUTION_NONE, WF_WITHDRAW,
	    RESOLUTION_NONE, &to, &res), ZEK_OK);
}

static void
test_action_codes(void **state)
{
	enum wf_action a;
	size_t i;

	for (i = 0; i < WF_ACTION_MAX; i++) {
		assert_true(strlen(wf_action_code(i)) > 0);
		assert_true(wf_action_from_code(wf_action_code(i), &a));
		assert_int_equal(a, i);
	}
	assert_false(wf_action_from_code("reopen", &a));
	assert_string_equal(wf_action_code(WF_ACTION_MAX), "");
}

/* ---- core_transition against a database ---- */

static struct tenv *env;
static struct tenv_people people;
static int64_t anna, ben, carla, sam;

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
	return 0;
}

static int
teardown(void **state)
{
	tenv_free(env);
	return 0;
}


static void
status_is(int64_t id, enum status st, enum resolution res)
{
	struct store_request *r;

	assert_int_equal(store_request_by_id(env->ctx.db, env->arena, id, &r),
	    ZEK_OK);
	assert_string_equal(r->status, status_code(st));
	assert_string_equal(r->resolution, resolution_code(res));
}

static enum zek_rc
move(int64_t who, int64_t id, enum wf_action a, enum resolution res,
    const char *comment)
{
	struct field_error err;

	env->ctx.now_ms += 1000;
	return core_transition(&env->ctx, who != 0 ? u(who) : NULL, id, a, res,
	    comment, &err);
}

static enum zek_rc
comment(int64_t who, int64_t id, const char *text)
{
	struct comment_input in = { .body = text, .is_public = true };
	struct field_error *errs;
	size_t nerrs;

	env->ctx.now_ms += 1000;
	return core_comment_add(&env->ctx, u(who), id, &in, &errs, &nerrs,
	    NULL);
}

static size_t
count_status_entries(int64_t viewer, int64_t id)
{
	struct activity_entry *e;
	size_t i, n, cnt = 0;

	assert_int_equal(core_activity_list(&env->ctx, u(viewer), id, &e, &n),
	    ZEK_OK);
	for (i = 0; i < n; i++)
		if (e[i].kind == ACTIVITY_STATUS_CHANGED)
			cnt++;
	return cnt;
}

static void
test_lifecycle_question_and_solution(void **state)
{
	struct person added;
	int64_t id = tenv_request(env, anna, "Frage zum Wohngeld", NULL);

	/* Customers cannot move it; strangers do not even see it. */
	assert_int_equal(move(anna, id, WF_START, 0, NULL), ZEK_FORBIDDEN);
	assert_int_equal(move(carla, id, WF_START, 0, NULL), ZEK_NOTFOUND);
	/* Agents close with their resolutions only. */
	assert_int_equal(move(sam, id, WF_CLOSE, RESOLUTION_ZURUECKGEZOGEN,
	    NULL), ZEK_INVALID);
	assert_int_equal(move(sam, id, WF_TO_SUPPORT, 0, NULL), ZEK_OK);
	status_is(id, STATUS_WARTET_SUPPORT, RESOLUTION_NONE);
	assert_int_equal(move(sam, id, WF_START, 0, NULL), ZEK_OK);
	assert_int_equal(move(sam, id, WF_ASK_CUSTOMER, 0, "Welcher Browser?"),
	    ZEK_OK);
	status_is(id, STATUS_WARTET_KUNDE, RESOLUTION_NONE);
	/* No solution waits: nothing to accept. */
	assert_int_equal(move(anna, id, WF_ACCEPT_SOLUTION, 0, NULL),
	    ZEK_CONFLICT);
	/* The answer sends it back to support. */
	assert_int_equal(comment(anna, id, "Firefox 128."), ZEK_OK);
	status_is(id, STATUS_WARTET_SUPPORT, RESOLUTION_NONE);
	assert_int_equal(move(sam, id, WF_START, 0, NULL), ZEK_OK);
	assert_int_equal(move(sam, id, WF_PROPOSE_SOLUTION, 0, "Cache leeren."),
	    ZEK_OK);
	status_is(id, STATUS_WARTET_KUNDE, RESOLUTION_GELOEST);
	/* A comment while a solution waits changes nothing. */
	assert_int_equal(comment(anna, id, "Ich probiere es."), ZEK_OK);
	status_is(id, STATUS_WARTET_KUNDE, RESOLUTION_GELOEST);
	/* An agent's comment neither. */
	assert_int_equal(comment(sam, id, "Gern."), ZEK_OK);
	status_is(id, STATUS_WARTET_KUNDE, RESOLUTION_GELOEST);
	/* Rejected: back to support, resolution cleared. */
	assert_int_equal(move(anna, id, WF_REJECT_SOLUTION, 0,
	    "Hat nicht geholfen."), ZEK_OK);
	status_is(id, STATUS_WARTET_SUPPORT, RESOLUTION_NONE);
	assert_int_equal(move(sam, id, WF_START, 0, NULL), ZEK_OK);
	assert_int_equal(move(sam, id, WF_PROPOSE_SOLUTION, 0, NULL), ZEK_OK);
	/* A participant may accept, but not withdraw. */
	assert_int_equal(core_participant_add(&env->ctx, u(anna), id,
	    "ben@example.org", &added, NULL), ZEK_OK);
	assert_int_equal(move(ben, id, WF_WITHDRAW, 0, NULL), ZEK_FORBIDDEN);
	assert_int_equal(move(ben, id, WF_ACCEPT_SOLUTION, 0, "Danke!"), ZEK_OK);
	status_is(id, STATUS_GESCHLOSSEN, RESOLUTION_GELOEST);
	/* Closed is final for everybody. */
	assert_int_equal(move(sam, id, WF_START, 0, NULL), ZEK_CONFLICT);
	assert_int_equal(move(sam, id, WF_CLOSE, RESOLUTION_ABGELEHNT, NULL),
	    ZEK_CONFLICT);
	assert_int_equal(move(anna, id, WF_WITHDRAW, 0, NULL), ZEK_CONFLICT);
	assert_int_equal(comment(anna, id, "Noch etwas"), ZEK_CONFLICT);
	assert_int_equal(comment(sam, id, "Noch etwas"), ZEK_CONFLICT);
	status_is(id, STATUS_GESCHLOSSEN, RESOLUTION_GELOEST);
	/* Every change is in the log, seen alike by customer and agent. */
	assert_int_equal(count_status_entries(anna, id), 10);
	assert_int_equal(count_status_entries(sam, id), 10);
}

static void
test_log_entry_of_a_change(void **state)
{
	struct activity_entry *e;
	size_t n;
	int64_t id = tenv_request(env, anna, "Protokoll", NULL);

	assert_int_equal(move(sam, id, WF_START, 0, NULL), ZEK_OK);
	assert_int_equal(move(sam, id, WF_PROPOSE_SOLUTION, 0, "Erledigt."),
	    ZEK_OK);
	assert_int_equal(core_activity_list(&env->ctx, u(anna), id, &e, &n),
	    ZEK_OK);
	/* Newest first: the change, its comment, the first change, created. */
	assert_int_equal(n, 4);
	assert_int_equal(e[0].kind, ACTIVITY_STATUS_CHANGED);
	assert_true(e[0].has_action);
	assert_int_equal(e[0].action, WF_PROPOSE_SOLUTION);
	assert_int_equal(e[0].old_status, STATUS_IN_BEARBEITUNG);
	assert_int_equal(e[0].new_status, STATUS_WARTET_KUNDE);
	assert_int_equal(e[0].resolution, RESOLUTION_GELOEST);
	assert_int_equal(e[0].actor.id, sam);
	assert_string_equal(e[0].actor.name, "Sam Support");
	assert_true(e[0].by_agent);
	assert_int_equal(e[1].kind, ACTIVITY_COMMENT);
	assert_string_equal(e[1].body, "Erledigt.");
	assert_int_equal(e[2].kind, ACTIVITY_STATUS_CHANGED);
	assert_int_equal(e[2].old_status, STATUS_OFFEN);
	assert_int_equal(e[3].kind, ACTIVITY_CREATED);
	assert_int_equal(e[3].actor.id, anna);
	assert_false(e[3].by_agent);
	assert_true(e[0].created_at > e[3].created_at);
}

static void
test_organisation_member_and_withdraw(void **state)
{
	const char *sv[1] = { "Geteilt" }, *dv[1] = { "Text" };
	struct field_value vals[2] = { { "summary", sv, 1 },
	    { "description", dv, 1 } };
	struct create_input in = { .portal_id = PORTAL, .type_id = T_FRAGE,
	    .values = vals, .nvalues = 2 };
	struct request_view *v;
	struct field_error *errs;
	const char *key;
	size_t nerrs;
	int64_t id;

	in.share_org_id = u(anna)->org_ids[0];
	assert_int_equal(core_request_create(&env->ctx, u(anna), &in, &errs,
	    &nerrs, &key), ZEK_OK);
	assert_int_equal(core_request_get(&env->ctx, u(ben), key, "de", &v),
	    ZEK_OK);
	id = v->id;
	assert_int_equal(move(sam, id, WF_START, 0, NULL), ZEK_OK);
	assert_int_equal(move(sam, id, WF_ASK_CUSTOMER, 0, NULL), ZEK_OK);
	/* Ben sees it through the organisation: his answer counts as the
	 * customer's. */
	assert_int_equal(comment(ben, id, "Ich antworte für Anna."), ZEK_OK);
	status_is(id, STATUS_WARTET_SUPPORT, RESOLUTION_NONE);
	assert_int_equal(move(sam, id, WF_START, 0, NULL), ZEK_OK);
	assert_int_equal(move(sam, id, WF_PROPOSE_SOLUTION, 0, NULL), ZEK_OK);
	/* But a solution is for the reporter and the participants; a
	 * comment's problems are told only to someone who may answer. */
	assert_int_equal(move(ben, id, WF_ACCEPT_SOLUTION, 0, NULL),
	    ZEK_FORBIDDEN);
	assert_int_equal(move(ben, id, WF_ACCEPT_SOLUTION, 0, "Nein\x01"),
	    ZEK_FORBIDDEN);
	assert_int_equal(move(anna, id, WF_ACCEPT_SOLUTION, 0, "Nein\x01"),
	    ZEK_INVALID);
	assert_int_equal(move(ben, id, WF_REJECT_SOLUTION, 0, NULL),
	    ZEK_FORBIDDEN);
	assert_int_equal(move(carla, id, WF_WITHDRAW, 0, NULL), ZEK_NOTFOUND);
	assert_int_equal(move(sam, id, WF_WITHDRAW, 0, NULL), ZEK_FORBIDDEN);
	assert_int_equal(move(ben, id, WF_WITHDRAW, 0, NULL), ZEK_FORBIDDEN);
	assert_int_equal(move(anna, id, WF_WITHDRAW, 0, NULL), ZEK_OK);
	status_is(id, STATUS_GESCHLOSSEN, RESOLUTION_ZURUECKGEZOGEN);
	assert_int_equal(move(anna, id, WF_WITHDRAW, 0, NULL), ZEK_CONFLICT);
	/* Closed: "closed" to everybody, also to those it never was for. */
	assert_int_equal(move(sam, id, WF_AUTO_CLOSE, 0, NULL), ZEK_CONFLICT);
	assert_int_equal(move(ben, id, WF_ACCEPT_SOLUTION, 0, NULL),
	    ZEK_CONFLICT);
}

static void
test_auto_close_by_the_system(void **state)
{
	struct activity_entry *e;
	size_t n;
	int64_t id = tenv_request(env, anna, "Wartet lange", NULL);

	assert_int_equal(move(sam, id, WF_START, 0, NULL), ZEK_OK);
	assert_int_equal(move(0, id, WF_AUTO_CLOSE, 0, NULL), ZEK_CONFLICT);
	assert_int_equal(move(sam, id, WF_PROPOSE_SOLUTION, 0, NULL), ZEK_OK);
	assert_int_equal(move(0, id, WF_START, 0, NULL), ZEK_FORBIDDEN);
	assert_int_equal(move(0, id, WF_AUTO_CLOSE, 0, NULL), ZEK_OK);
	status_is(id, STATUS_GESCHLOSSEN, RESOLUTION_GELOEST);
	/* Twice closes nothing twice. */
	assert_int_equal(move(0, id, WF_AUTO_CLOSE, 0, NULL), ZEK_CONFLICT);
	assert_int_equal(core_activity_list(&env->ctx, u(anna), id, &e, &n),
	    ZEK_OK);
	assert_int_equal(e[0].kind, ACTIVITY_STATUS_CHANGED);
	assert_int_equal(e[0].action, WF_AUTO_CLOSE);
	assert_int_equal(e[0].actor.id, 0);
	assert_string_equal(e[0].actor.name, "");
}

static void
test_refused_change_leaves_nothing(void **state)
{
	struct field_error err = { 0 };
	struct activity_entry *e;
	size_t n;
	int64_t id = tenv_request(env, anna, "Nichts hinterlassen", NULL);
	char bad[] = { 'a', (char)0xff, 'b', 0 };

	/* A refused change writes no comment either. */
	assert_int_equal(move(anna, id, WF_START, 0, "Bitte anfangen"),
	    ZEK_FORBIDDEN);
	assert_int_equal(core_transition(&env->ctx, u(sam), id, WF_START, 0,
	    bad, &err), ZEK_INVALID);
	assert_string_equal(err.field, "comment");
	assert_string_equal(err.key, "err_invalid_utf8");
	status_is(id, STATUS_OFFEN, RESOLUTION_NONE);
	assert_int_equal(core_activity_list(&env->ctx, u(sam), id, &e, &n),
	    ZEK_OK);
	assert_int_equal(n, 1);
	assert_int_equal(e[0].kind, ACTIVITY_CREATED);
}

static void
test_abilities(void **state)
{
	struct request_abilities ab;
	struct request_view *v;
	struct store_request *r;
	int64_t id = tenv_request(env, anna, "Was darf ich?", NULL);

	assert_int_equal(store_request_by_id(env->ctx.db, env->arena, id, &r),
	    ZEK_OK);
	assert_int_equal(core_request_get(&env->ctx, u(anna), r->key, "de", &v),
	    ZEK_OK);
	assert_int_equal(core_request_abilities(&env->ctx, u(anna), v, &ab),
	    ZEK_OK);
	assert_true(ab.comment && ab.share && ab.share_org && ab.withdraw);
	assert_true(ab.remove_participants && ab.mute);
	assert_false(ab.closed || ab.accept_solution || ab.internal_notes);
	assert_int_equal(core_request_abilities(&env->ctx, u(sam), v, &ab),
	    ZEK_OK);
	assert_true(ab.comment && ab.internal_notes && ab.share_org);
	assert_false(ab.withdraw);
	assert_int_equal(core_participant_add(&env->ctx, u(anna), id,
	    "Ben Weber", NULL, NULL), ZEK_OK);
	/* Ben's own view, with him among the participants. */
	assert_int_equal(core_request_get(&env->ctx, u(ben), r->key, "de", &v),
	    ZEK_OK);
	assert_int_equal(core_request_abilities(&env->ctx, u(ben), v, &ab),
	    ZEK_OK);
	assert_true(ab.comment && ab.share && ab.leave);
	assert_false(ab.withdraw || ab.share_org || ab.remove_participants);
	assert_int_equal(move(anna, id, WF_WITHDRAW, 0, NULL), ZEK_OK);
	assert_int_equal(core_request_get(&env->ctx, u(anna), r->key, "de", &v),
	    ZEK_OK);
	assert_int_equal(core_request_abilities(&env->ctx, u(anna), v, &ab),
	    ZEK_OK);
	assert_true(ab.closed && ab.mute);
	assert_false(ab.comment || ab.share || ab.share_org || ab.withdraw ||
	    ab.remove_participants || ab.leave);
}

/* ---- an unknown status fails closed (issue 13, item 11) ---- */

static void
test_status_decode_fails_closed(void **state)
{
	enum status st = STATUS_OFFEN;
	enum resolution res = RESOLUTION_GELOEST;
	size_t i;

	(void)state;
	for (i = 0; i < STATUS_MAX; i++) {
		assert_true(status_decode(status_code((enum status)i), "", &st,
		    &res));
		assert_int_equal(st, i);
		assert_int_equal(res, RESOLUTION_NONE);
	}
	assert_true(status_decode("geschlossen", "duplikat", &st, &res));
	assert_int_equal(res, RESOLUTION_DUPLIKAT);
	assert_true(status_decode("offen", NULL, &st, &res));
	assert_int_equal(st, STATUS_OFFEN);
	/* Anything else is closed, without a resolution: never "Offen". */
	{
		const char *bad[][2] = { { "kaputt", "" }, { "", "" },
		    { NULL, "" }, { "Offen", "" }, { "offen ", "" },
		    { "offen", "vielleicht" }, { "wartet_kunde", "Geloest" } };
		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			st = STATUS_OFFEN;
			res = RESOLUTION_GELOEST;
			assert_false(status_decode(bad[i][0], bad[i][1], &st, &res));
			assert_int_equal(st, STATUS_GESCHLOSSEN);
			assert_int_equal(res, RESOLUTION_NONE);
			assert_false(status_is_open(st));
		}
	}
}

/* Runs one statement on the database file; returns the SQLite code. */
static int
exec_sql(const char *sql)
{
	sqlite3 *db;
	char *msg = NULL;
	int rc;

	assert_int_equal(sqlite3_open(env->db, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
	sqlite3_free(msg);
	sqlite3_close(db);
	return rc;
}

static void
test_database_refuses_unknown_codes(void **state)
{
	int64_t id = tenv_request(env, anna, "Kein unbekannter Status", NULL);
	char sql[256];
	size_t i;
	const char *bad[] = {
		"UPDATE requests SET status = 'kaputt' WHERE id = %lld",
		"UPDATE requests SET status = 'Offen' WHERE id = %lld",
		"UPDATE requests SET resolution = 'egal' WHERE id = %lld",
		("INSERT INTO requests (desk_id, number, issue_key, type_id, "
		    "reporter_id, creator_id, status, title, created_at, updated_at) "
		    "SELECT desk_id, number + 100000, issue_key || 'x', type_id, "
		    "reporter_id, creator_id, 'neu', title, 0, 0 FROM requests "
		    "WHERE id = %lld"),
		("INSERT INTO activity (request_id, kind, old_status, new_status, "
		    "created_at) VALUES (%lld, 'status_changed', 'offen', "
		    "'irgendwas', 0)"),
		("INSERT INTO activity (request_id, kind, resolution, created_at) "
		    "VALUES (%lld, 'status_changed', 'weg', 0)"),
	};

	TENV_SQLITE_ONLY();

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(sql, sizeof(sql), bad[i], (long long)id);
		assert_int_equal(exec_sql(sql), SQLITE_CONSTRAINT);
	}
	status_is(id, STATUS_OFFEN, RESOLUTION_NONE);
	/* Known codes still go in. */
	snprintf(sql, sizeof(sql), "UPDATE requests SET status = "
	    "'in_bearbeitung' WHERE id = %lld", (long long)id);
	assert_int_equal(exec_sql(sql), SQLITE_OK);
	status_is(id, STATUS_IN_BEARBEITUNG, RESOLUTION_NONE);
}

static void
test_unknown_status_refuses_every_write(void **state)
{
	struct request_view *v;
	struct field_error err;
	struct activity_entry *e;
	const char *key;
	int64_t id = tenv_request(env, anna, "Status aus einer anderen Welt",
	    &key);
	char sql[160];
	size_t n;

	TENV_SQLITE_ONLY();

	(void)state;
	/* Written before migration 0013 guarded the column. */
	assert_int_equal(exec_sql("DROP TRIGGER requests_status_update"),
	    SQLITE_OK);
	snprintf(sql, sizeof(sql), "UPDATE requests SET status = 'kaputt' "
	    "WHERE id = %lld", (long long)id);
	assert_int_equal(exec_sql(sql), SQLITE_OK);
	/* No write path reads it as Offen: each refuses. */
	assert_int_equal(move(sam, id, WF_START, 0, NULL), ZEK_IO);
	assert_int_equal(move(anna, id, WF_WITHDRAW, 0, NULL), ZEK_IO);
	assert_int_equal(move(sam, id, WF_CLOSE, RESOLUTION_GELOEST, NULL),
	    ZEK_IO);
	assert_int_equal(comment(anna, id, "Hallo?"), ZEK_IO);
	assert_int_equal(core_participant_add(&env->ctx, u(anna), id,
	    "ben@example.org", NULL, &err), ZEK_IO);
	assert_int_equal(core_activity_list(&env->ctx, u(sam), id, &e, &n),
	    ZEK_OK);
	assert_int_equal(n, 1);     /* nothing was written */
	/* Read paths show it closed: nothing is offered. */
	assert_int_equal(core_request_get(&env->ctx, u(anna), key, "de", &v),
	    ZEK_OK);
	assert_int_equal(v->status, STATUS_GESCHLOSSEN);
	assert_string_equal(v->status_label, "Geschlossen");
	assert_int_equal(exec_sql("UPDATE requests SET status = 'offen' WHERE "
	    "status = 'kaputt'"), SQLITE_OK);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_table_every_combination),
	cmocka_unit_test(test_table_closed_is_final),
	cmocka_unit_test(test_table_close_resolutions),
	cmocka_unit_test(test_action_codes),
	cmocka_unit_test(test_lifecycle_question_and_solution),
	cmocka_unit_test(test_log_entry_of_a_change),
	cmocka_unit_test(test_organisation_member_and_withdraw),
	cmocka_unit_test(test_auto_close_by_the_system),
	cmocka_unit_test(test_refused_change_leaves_nothing),
	cmocka_unit_test(test_abilities),
	cmocka_unit_test(test_status_decode_fails_closed),
	cmocka_unit_test(test_database_refuses_unknown_codes),
	/* Last: it drops a trigger of the shared database. */
	cmocka_unit_test(test_unknown_status_refuses_every_write),
};

int
main(void)
{
	return cmocka_run_group_tests(tests, setup, teardown);
}
