/* Unit tests for core/notify.c: which event writes which mail to whom into the outbox. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/notify.h"
#include "core/workflow.h"
#include "core/requests.h"
#include "core/users.h"
#include "helpers.h"
#include "lib/arena.h"
#include "store/query.h"
#include "store/store.h"

#define PORTAL 17
#define T_FRAGE 4
#define MAX_RCPT 16

static struct tenv *env;
static int64_t anna, ben, carla, sam, adm;

static int64_t
add(const char *email, const char *name, const char *role, const char *org,
    const char *lang)
{
	int64_t id;

	assert_int_equal(core_user_add(&env->ctx, email, name, "geheim1", role,
	    org, lang, &id), ZEK_OK);
	return id;
}

static int
setup(void **state)
{
	env = tenv_new();
	tenv_config(env);
	anna = add("anna@example.org", "Anna Schmidt", "customer",
	    "Stadt Musterstadt – Bürgeramt", "de");
	ben = add("ben@example.org", "Ben Weber", "customer",
	    "Stadt Musterstadt – Bürgeramt", "de");
	carla = add("carla@example.org", "Carla Yilmaz", "customer",
	    "Land Beispielland", "en");
	sam = add("support@example.org", "Sam Support", "agent", NULL, "de");
	adm = add("admin@example.org", "Admin", "admin", NULL, "de");
	assert_int_equal(store_user_update_profile(env->ctx.db, carla,
	    "Carla Yilmaz", "en", "America/New_York"), ZEK_OK);
	return 0;
}

static int
teardown(void **state)
{
	tenv_free(env);
	return 0;
}

/* Every test starts with the defaults and a fresh arena. */
static int
reset(void **state)
{
	env->cfg.agent_mail_new = true;
	env->cfg.agent_mail_reply = true;
	tenv_reset(env);
	return 0;
}

static struct user *
user(int64_t id)
{
	struct user *u;

	assert_int_equal(core_user_get(&env->ctx, id, &u), ZEK_OK);
	return u;
}

/* A Sonstige Frage raised by `by` (for `reporter`, 0 = by); its id. */
static int64_t
create(int64_t by, int64_t reporter, const char *title)
{
	const char *sv[] = { title }, *dv[] = { "Bitte um Auskunft." };
	struct field_value v[] = { { "summary", sv, 1 },
	    { "description", dv, 1 } };
	struct create_input in = { .portal_id = PORTAL, .type_id = T_FRAGE,
	    .on_behalf_user_id = reporter, .values = v, .nvalues = 2 };
	struct store_request *r;
	struct field_error *e;
	const char *key;
	size_t ne;

	assert_int_equal(core_request_create(&env->ctx, user(by), &in, &e, &ne,
	    &key), ZEK_OK);
	assert_int_equal(store_request_by_key(env->ctx.db, env->arena, key, &r),
	    ZEK_OK);
	return r->id;
}

/* The request's mails of `event`, oldest first. */
static size_t
mails(int64_t request_id, const char *event, struct store_mail **out)
{
	struct store_mail *m, *sel;
	size_t i, n, k = 0;

	assert_int_equal(store_outbox_list(env->ctx.db, env->arena, NULL,
	    request_id, 1000, &m, &n), ZEK_OK);
	sel = arena_calloc(env->arena, n + 1, sizeof(*sel));
	assert_non_null(sel);
	for (i = n; i-- > 0;)
		if (strcmp(m[i].event, event) == 0)
			sel[k++] = m[i];
	*out = sel;
	return k;
}

/* Asserts that the mails of `event` go exactly to the ids (any order). */
static void
expect(int64_t request_id, const char *event, const int64_t *ids, size_t n)
{
	struct store_mail *m;
	size_t got = mails(request_id, event, &m), i, j;

	assert_int_equal(got, n);
	for (i = 0; i < n; i++) {
		for (j = 0; j < got; j++)
			if (m[j].recipient_id == ids[i])
				break;
		assert_true(j < got);
	}
}

/* Runs fn inside a transaction, as the callers must. */
#define IN_TX(call) do { \
	assert_int_equal(store_begin(env->ctx.db), ZEK_OK); \
	assert_int_equal((call), ZEK_OK); \
	assert_int_equal(store_commit(env->ctx.db), ZEK_OK); \
} while (0)

static const char *
payload_str(const struct store_mail *m, const char *key)
{
	json_t *p = json_loads(m->payload, 0, NULL);
	const char *v;
	char *copy;

	assert_non_null(p);
	v = json_string_value(json_object_get(p, key));
	copy = arena_strdup(env->arena, v != NULL ? v : "");
	json_decref(p);
	return copy;
}

static void
test_created_confirmation_and_agents(void **state)
{
	int64_t id = create(anna, 0, "Drucker im Bürgeramt");
	int64_t agents[] = { sam, adm };
	struct store_request *r;
	struct store_mail *m;
	const char *url;

	expect(id, NOTIFY_CREATED, &anna, 1);
	expect(id, NOTIFY_NEW_REQUEST, agents, 2);
	assert_int_equal(store_request_by_id(env->ctx.db, env->arena, id, &r),
	    ZEK_OK);
	assert_int_equal(mails(id, NOTIFY_CREATED, &m), 1);
	assert_string_equal(m[0].to_addr, "anna@example.org");
	assert_string_equal(m[0].to_name, "Anna Schmidt");
	assert_string_equal(m[0].lang, "de");
	assert_string_equal(m[0].tz, "Europe/Berlin");
	assert_string_equal(m[0].state, "pending");
	assert_string_equal(payload_str(&m[0], "key"), r->key);
	assert_string_equal(payload_str(&m[0], "title"), "Drucker im Bürgeramt");
	url = arena_printf(env->arena,
	    "http://127.0.0.1:8080/servicedesk/customer/portal/17/%s", r->key);
	assert_string_equal(payload_str(&m[0], "url"), url);
	/* The confirmation is the root of the request's thread... */
	assert_string_equal(m[0].message_id, m[0].thread_id);
	assert_non_null(strstr(m[0].thread_id, r->key));
	assert_int_equal(m[0].next_attempt_at, m[0].created_at);
	/* ... and the agents' mails point at it with their own ids. */
	assert_int_equal(mails(id, NOTIFY_NEW_REQUEST, &m), 2);
	assert_string_equal(m[0].thread_id, m[1].thread_id);
	assert_string_not_equal(m[0].message_id, m[1].message_id);
	assert_string_not_equal(m[0].message_id, m[0].thread_id);
	assert_string_equal(payload_str(&m[0], "reporter"), "Anna Schmidt");
}

static void
test_created_on_behalf_in_reporters_language(void **state)
{
	int64_t id = create(sam, carla, "Question about the API");
	struct store_mail *m;

	/* The reporter gets it in English and her zone; the agent who raised
	 * it hears nothing of his own doing. */
	assert_int_equal(mails(id, NOTIFY_CREATED, &m), 1);
	assert_int_equal(m[0].recipient_id, carla);
	assert_string_equal(m[0].lang, "en");
	assert_string_equal(m[0].tz, "America/New_York");
	expect(id, NOTIFY_NEW_REQUEST, &adm, 1);
}

static void
test_agent_mail_for_new_requests_can_be_off(void **state)
{
	int64_t id;

	env->cfg.agent_mail_new = false;
	id = create(anna, 0, "Ohne Agenten-Mail");
	expect(id, NOTIFY_CREATED, &anna, 1);
	expect(id, NOTIFY_NEW_REQUEST, NULL, 0);
}

static void
test_comments_go_to_the_other_side(void **state)
{
	int64_t id = create(anna, 0, "Kommentare");
	int64_t customers[] = { anna, ben }, agents[] = { sam, adm };
	struct store_mail *m;

	assert_int_equal(store_participant_add(env->ctx.db, id, ben), ZEK_OK);
	/* An agent's public reply: the reporter and participants. */
	IN_TX(core_notify_comment(&env->ctx, id, user(sam), true,
	    "Bitte **Browser** nennen."));
	expect(id, NOTIFY_COMMENT, customers, 2);
	assert_int_equal(mails(id, NOTIFY_COMMENT, &m), 2);
	assert_string_equal(payload_str(&m[0], "comment"),
	    "Bitte **Browser** nennen.");
	assert_string_equal(payload_str(&m[0], "actor"), "Sam Support");
	/* An internal note: nobody, least of all a customer. */
	IN_TX(core_notify_comment(&env->ctx, id, user(sam), false, "intern"));
	IN_TX(core_notify_comment(&env->ctx, id, user(anna), false, "intern"));
	expect(id, NOTIFY_COMMENT, customers, 2);
	expect(id, NOTIFY_CUSTOMER_REPLY, NULL, 0);
	/* A customer's reply: the agents, not the other customers. */
	IN_TX(core_notify_comment(&env->ctx, id, user(anna), true, "Firefox"));
	expect(id, NOTIFY_CUSTOMER_REPLY, agents, 2);
	/* ... unless agents asked for no reply mails. */
	env->cfg.agent_mail_reply = false;
	IN_TX(core_notify_comment(&env->ctx, id, user(ben), true, "Auch ich"));
	expect(id, NOTIFY_CUSTOMER_REPLY, agents, 2);
	/* The agent commenting is never told about it himself. */
	IN_TX(core_notify_comment(&env->ctx, id, user(adm), true, "Danke"));
	assert_int_equal(mails(id, NOTIFY_COMMENT, &m), 4);
}

static void
test_mute_and_user_setting_are_honoured(void **state)
{
	int64_t id = create(anna, 0, "Stumm");

	assert_int_equal(store_participant_add(env->ctx.db, id, ben), ZEK_OK);
	assert_int_equal(store_participant_add(env->ctx.db, id, carla), ZEK_OK);
	/* Ben switched this request's notifications off. */
	assert_int_equal(store_notify_muted_set(env->ctx.db, id, ben, true),
	    ZEK_OK);
	/* Carla switched e-mail off altogether. */
	assert_int_equal(sq_exec(env->ctx.db, "UPDATE users SET notify = 0 "
	    "WHERE email = 'carla@example.org'", ""), ZEK_OK);
	IN_TX(core_notify_comment(&env->ctx, id, user(sam), true, "Hallo"));
	expect(id, NOTIFY_COMMENT, &anna, 1);
	/* Muted agents get no reply mails for that request either. */
	assert_int_equal(store_notify_muted_set(env->ctx.db, id, sam, true),
	    ZEK_OK);
	IN_TX(core_notify_comment(&env->ctx, id, user(anna), true, "Antwort"));
	expect(id, NOTIFY_CUSTOMER_REPLY, &adm, 1);
	/* Carla raises nothing by mail, not even her own confirmation. */
	id = create(carla, 0, "No mail please");
	expect(id, NOTIFY_CREATED, NULL, 0);
	assert_int_equal(sq_exec(env->ctx.db, "UPDATE users SET notify = 1", ""),
	    ZEK_OK);
}

static void
test_status_solution_and_auto_close(void **state)
{
	int64_t id = create(anna, 0, "Status");
	int64_t customers[] = { anna, ben };
	struct store_mail *m;

	assert_int_equal(store_participant_add(env->ctx.db, id, ben), ZEK_OK);
	assert_int_equal(store_request_set_status(env->ctx.db, id,
	    "in_bearbeitung", "", 1), ZEK_OK);
	IN_TX(core_notify_status(&env->ctx, id, user(sam), STATUS_OFFEN, NULL));
	expect(id, NOTIFY_STATUS, customers, 2);
	assert_int_equal(mails(id, NOTIFY_STATUS, &m), 2);
	assert_string_equal(payload_str(&m[0], "old_status"), "offen");
	assert_string_equal(payload_str(&m[0], "status"), "in_bearbeitung");
	/* The reporter withdrawing: only the participant hears of it. */
	IN_TX(core_notify_status(&env->ctx, id, user(anna),
	    STATUS_IN_BEARBEITUNG, "Hat sich erledigt."));
	assert_int_equal(mails(id, NOTIFY_STATUS, &m), 3);
	assert_int_equal(m[2].recipient_id, ben);
	assert_string_equal(payload_str(&m[2], "comment"), "Hat sich erledigt.");
	IN_TX(core_notify_solution(&env->ctx, id, user(sam), "Neu starten."));
	expect(id, NOTIFY_SOLUTION, customers, 2);
	/* The day it closes by itself: auto_close_days (14) from now. */
	assert_int_equal(mails(id, NOTIFY_SOLUTION, &m), 2);
	assert_true(strstr(m[0].payload, "\"closes_at\"") != NULL);
	{
		json_t *p = json_loads(m[0].payload, 0, NULL);

		assert_int_equal(json_integer_value(json_object_get(p,
		    "closes_at")), env->ctx.now_ms + 14 * 24 * 3600 * 1000LL);
		json_decref(p);
	}
	/* The system closes: no actor, so everybody concerned. */
	IN_TX(core_notify_auto_closed(&env->ctx, id));
	expect(id, NOTIFY_AUTO_CLOSED, customers, 2);
	assert_int_equal(mails(id, NOTIFY_AUTO_CLOSED, &m), 2);
	assert_string_equal(payload_str(&m[0], "actor"), "");
}

static void
test_participant_added_tells_only_the_new_participant(void **state)
{
	int64_t id = create(anna, 0, "Teilen");
	struct store_mail *m;

	assert_int_equal(store_participant_add(env->ctx.db, id, carla), ZEK_OK);
	IN_TX(core_notify_participant_added(&env->ctx, id, user(anna), carla));
	expect(id, NOTIFY_PARTICIPANT_ADDED, &carla, 1);
	assert_int_equal(mails(id, NOTIFY_PARTICIPANT_ADDED, &m), 1);
	assert_string_equal(m[0].lang, "en");
	assert_string_equal(payload_str(&m[0], "actor"), "Anna Schmidt");
	/* Adding oneself tells nobody. */
	IN_TX(core_notify_participant_added(&env->ctx, id, user(ben), ben));
	expect(id, NOTIFY_PARTICIPANT_ADDED, &carla, 1);
}

/* An assignment tells the assignee, not who took a request themselves,
 * and not when agent_mail_assigned is off. */
static void
test_assignment_tells_the_assignee(void **state)
{
	int64_t id = create(anna, 0, "Zuweisung");
	struct store_mail *m;

	assert_int_equal(core_request_assign(&env->ctx, user(adm), id, sam),
	    ZEK_OK);
	expect(id, NOTIFY_ASSIGNED, &sam, 1);
	assert_int_equal(mails(id, NOTIFY_ASSIGNED, &m), 1);
	assert_string_equal(payload_str(&m[0], "actor"), "Admin");
	assert_true(core_notify_event_known(NOTIFY_ASSIGNED));
	/* Taken back by the admin themselves: nobody is told. */
	assert_int_equal(core_request_assign(&env->ctx, user(adm), id, adm),
	    ZEK_OK);
	expect(id, NOTIFY_ASSIGNED, &sam, 1);
	env->cfg.agent_mail_assigned = false;
	assert_int_equal(core_request_assign(&env->ctx, user(adm), id, sam),
	    ZEK_OK);
	expect(id, NOTIFY_ASSIGNED, &sam, 1);
	env->cfg.agent_mail_assigned = true;
}

static void
test_mails_share_the_callers_transaction(void **state)
{
	int64_t id = create(anna, 0, "Rollback");

	/* A change rolled back takes its mails with it. */
	assert_int_equal(store_begin(env->ctx.db), ZEK_OK);
	assert_int_equal(core_notify_comment(&env->ctx, id, user(sam), true,
	    "Wird zurückgenommen"), ZEK_OK);
	expect(id, NOTIFY_COMMENT, &anna, 1);
	assert_int_equal(store_rollback(env->ctx.db), ZEK_OK);
	expect(id, NOTIFY_COMMENT, NULL, 0);
	assert_int_equal(core_notify_comment(&env->ctx, 999999, user(sam), true,
	    "x"), ZEK_NOTFOUND);
}

static void
test_event_codes(void **state)
{
	assert_true(core_notify_event_known(NOTIFY_CREATED));
	assert_true(core_notify_event_known(NOTIFY_PARTICIPANT_ADDED));
	assert_false(core_notify_event_known("../../etc/passwd"));
	assert_false(core_notify_event_known(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_created_confirmation_and_agents, reset),
		cmocka_unit_test_setup(test_created_on_behalf_in_reporters_language,
		    reset),
		cmocka_unit_test_setup(test_agent_mail_for_new_requests_can_be_off,
		    reset),
		cmocka_unit_test_setup(test_comments_go_to_the_other_side, reset),
		cmocka_unit_test_setup(test_mute_and_user_setting_are_honoured,
		    reset),
		cmocka_unit_test_setup(test_status_solution_and_auto_close, reset),
		cmocka_unit_test_setup(
		    test_participant_added_tells_only_the_new_participant, reset),
		cmocka_unit_test_setup(test_mails_share_the_callers_transaction,
		    reset),
		cmocka_unit_test_setup(test_assignment_tells_the_assignee, reset),
		cmocka_unit_test(test_event_codes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
