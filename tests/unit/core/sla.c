/* Unit tests for core/sla.c: first response and resolution over working
 * time, pauses while waiting on the customer, a reopened request's second
 * cycle, a running goal's breach time, and refusals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "core/calendar.h"
#include "core/sla.h"
#include "core/validate.h"
#include "lib/zek.h"
#include "store/store.h"

#define HOUR ((int64_t)3600 * 1000)

static int64_t
berlin(const char *local)
{
	int64_t ms = 0;

	assert_int_equal(core_parse_local_datetime(local, "Europe/Berlin", &ms),
	    ZEK_OK);
	return ms;
}

static const struct calendar office = CALENDAR_DEFAULT;

static void
test_first_response_over_a_weekend(void **state)
{
	struct sla_event ev[] = {
		{ berlin("2026-12-04T16:00"), SLA_CREATED },     /* a Friday */
		{ berlin("2026-12-07T09:00"), SLA_STAFF_REPLY },
		{ berlin("2026-12-07T10:00"), SLA_STAFF_REPLY },
	};
	struct sla_result r;

	(void)state;
	assert_int_equal(sla_compute(&office, SLA_FIRST_RESPONSE, 8 * HOUR, ev,
	    3, berlin("2026-12-09T12:00"), &r), ZEK_OK);
	assert_int_equal(r.ncompleted, 1);
	assert_false(r.has_ongoing);
	assert_int_equal(r.completed[0].elapsed_ms, 2 * HOUR);
	assert_int_equal(r.completed[0].stop, berlin("2026-12-07T09:00"));
	assert_false(r.completed[0].breached);
}

static void
test_waiting_on_the_customer_pauses_the_clock(void **state)
{
	struct sla_event ev[] = {
		{ berlin("2026-12-07T08:00"), SLA_CREATED },     /* a Monday */
		{ berlin("2026-12-07T10:00"), SLA_WAITING },
		{ berlin("2026-12-09T08:00"), SLA_RESUMED },
		{ berlin("2026-12-09T12:00"), SLA_RESOLVED },
	};
	struct sla_result r;

	(void)state;
	assert_int_equal(sla_compute(&office, SLA_RESOLUTION, 40 * HOUR, ev, 4,
	    berlin("2026-12-10T12:00"), &r), ZEK_OK);
	assert_int_equal(r.ncompleted, 1);
	assert_int_equal(r.completed[0].elapsed_ms, 6 * HOUR);
	/* While it waited, a running goal says so and has no breach time. */
	assert_int_equal(sla_compute(&office, SLA_RESOLUTION, 40 * HOUR, ev, 2,
	    berlin("2026-12-08T12:00"), &r), ZEK_OK);
	assert_true(r.has_ongoing && r.ongoing.paused);
	assert_int_equal(r.ongoing.elapsed_ms, 2 * HOUR);
	assert_int_equal(r.ongoing.breach_at, 0);
}

static void
test_a_running_goal_and_its_breach(void **state)
{
	struct sla_event ev[] = {
		{ berlin("2026-12-07T08:00"), SLA_CREATED },
	};
	struct sla_result r;

	(void)state;
	assert_int_equal(sla_compute(&office, SLA_FIRST_RESPONSE, 8 * HOUR, ev, 1,
	    berlin("2026-12-07T12:00"), &r), ZEK_OK);
	assert_true(r.has_ongoing);
	assert_int_equal(r.ongoing.elapsed_ms, 4 * HOUR);
	assert_false(r.ongoing.breached);
	assert_int_equal(r.ongoing.breach_at, berlin("2026-12-07T16:00"));
	/* A day later it is breached: 13 working hours of 8. */
	assert_int_equal(sla_compute(&office, SLA_FIRST_RESPONSE, 8 * HOUR, ev, 1,
	    berlin("2026-12-08T12:00"), &r), ZEK_OK);
	assert_int_equal(r.ongoing.elapsed_ms, 13 * HOUR);
	assert_true(r.ongoing.breached);
	/* ... since the moment its eighth working hour ended. */
	assert_int_equal(r.ongoing.breach_at, berlin("2026-12-07T16:00"));
}

static void
test_a_reopened_request_starts_a_new_resolution_cycle(void **state)
{
	struct sla_event ev[] = {
		{ berlin("2026-12-07T08:00"), SLA_CREATED },
		{ berlin("2026-12-07T09:00"), SLA_STAFF_REPLY },
		{ berlin("2026-12-07T11:00"), SLA_RESOLVED },
		{ berlin("2026-12-08T08:00"), SLA_REOPENED },
		{ berlin("2026-12-08T09:30"), SLA_RESOLVED },
	};
	struct sla_result r;

	(void)state;
	assert_int_equal(sla_compute(&office, SLA_RESOLUTION, HOUR, ev, 5,
	    berlin("2026-12-09T08:00"), &r), ZEK_OK);
	assert_int_equal(r.ncompleted, 2);
	assert_int_equal(r.completed[0].elapsed_ms, 3 * HOUR);
	assert_true(r.completed[0].breached);
	assert_int_equal(r.completed[0].breach_at, berlin("2026-12-07T09:00"));
	assert_int_equal(r.completed[1].elapsed_ms, 90 * 60 * 1000);
	assert_true(r.completed[1].breached);
	assert_int_equal(r.completed[1].breach_at, berlin("2026-12-08T09:00"));
	assert_false(r.has_ongoing);
	/* First response happens once. */
	assert_int_equal(sla_compute(&office, SLA_FIRST_RESPONSE, HOUR, ev, 5,
	    berlin("2026-12-09T08:00"), &r), ZEK_OK);
	assert_int_equal(r.ncompleted, 1);
	assert_int_equal(r.completed[0].elapsed_ms, HOUR);
	assert_false(r.completed[0].breached);
	assert_int_equal(r.completed[0].breach_at, 0);
}

static void
test_resolved_without_a_reply_answers_it(void **state)
{
	struct sla_event ev[] = {
		{ berlin("2026-12-07T08:00"), SLA_CREATED },
		{ berlin("2026-12-07T08:30"), SLA_RESOLVED },
	};
	struct sla_result r;

	(void)state;
	assert_int_equal(sla_compute(&office, SLA_FIRST_RESPONSE, HOUR, ev, 2,
	    berlin("2026-12-08T08:00"), &r), ZEK_OK);
	assert_int_equal(r.ncompleted, 1);
	assert_int_equal(r.completed[0].elapsed_ms, 30 * 60 * 1000);
}

static void
test_refusals(void **state)
{
	struct sla_event ev[] = {
		{ berlin("2026-12-07T10:00"), SLA_CREATED },
		{ berlin("2026-12-07T09:00"), SLA_STAFF_REPLY },
	};
	struct calendar bad = CALENDAR_DEFAULT;
	struct sla_result r;

	(void)state;
	assert_int_equal(sla_compute(&office, SLA_FIRST_RESPONSE, HOUR, ev, 2,
	    berlin("2026-12-08T08:00"), &r), ZEK_INVALID);
	bad.weekdays = 0;
	assert_int_equal(sla_compute(&bad, SLA_FIRST_RESPONSE, HOUR, ev, 1,
	    berlin("2026-12-08T08:00"), &r), ZEK_INVALID);
	/* No events: no cycle. */
	assert_int_equal(sla_compute(&office, SLA_RESOLUTION, HOUR, ev, 0,
	    berlin("2026-12-08T08:00"), &r), ZEK_OK);
	assert_int_equal(r.ncompleted, 0);
	assert_false(r.has_ongoing);
}

/* The activity log as the request page keeps it, read as goal events. */
static void
test_events_of_the_activity_log(void **state)
{
	struct store_activity rows[] = {
		{ .kind = "created", .actor_role = "customer", .created_at = 1 },
		{ .kind = "comment", .actor_role = "customer", .is_public = true,
		    .created_at = 2 },
		{ .kind = "comment", .actor_role = "agent", .is_public = false,
		    .created_at = 3 },                  /* an internal note */
		{ .kind = "comment", .actor_role = "agent", .is_public = true,
		    .created_at = 4 },
		{ .kind = "status_changed", .action = "ask_customer",
		    .old_status = "in_bearbeitung", .new_status = "wartet_kunde",
		    .created_at = 5 },
		{ .kind = "status_changed", .action = "customer_reply",
		    .old_status = "wartet_kunde", .new_status = "wartet_support",
		    .created_at = 6 },
		{ .kind = "status_changed", .action = "propose_solution",
		    .old_status = "wartet_support", .new_status = "wartet_kunde",
		    .created_at = 7 },
		{ .kind = "status_changed", .action = "reject_solution",
		    .old_status = "wartet_kunde", .new_status = "wartet_support",
		    .created_at = 8 },
		{ .kind = "assigned", .actor_role = "agent", .created_at = 9 },
		{ .kind = "status_changed", .action = "close",
		    .old_status = "wartet_support", .new_status = "geschlossen",
		    .created_at = 10 },
	};
	static const enum sla_event_kind want[] = { SLA_CREATED,
		SLA_STAFF_REPLY, SLA_WAITING, SLA_RESUMED, SLA_RESOLVED,
		SLA_REOPENED, SLA_RESOLVED };
	struct sla_event ev[ZEK_ARRAY_LEN(rows)];
	size_t n, i;

	(void)state;
	for (i = 0; i < ZEK_ARRAY_LEN(rows); i++) {
		if (rows[i].action == NULL)
			rows[i].action = "";
		if (rows[i].old_status == NULL)
			rows[i].old_status = rows[i].new_status = "";
		if (rows[i].actor_role == NULL)
			rows[i].actor_role = "agent";
	}
	n = sla_events_of_activity(rows, ZEK_ARRAY_LEN(rows), ev);
	assert_int_equal(n, ZEK_ARRAY_LEN(want));
	for (i = 0; i < n; i++)
		assert_int_equal(ev[i].kind, want[i]);
	assert_int_equal(ev[1].at, 4);
	assert_int_equal(ev[6].at, 10);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_response_over_a_weekend),
		cmocka_unit_test(test_waiting_on_the_customer_pauses_the_clock),
		cmocka_unit_test(test_a_running_goal_and_its_breach),
		cmocka_unit_test(
		    test_a_reopened_request_starts_a_new_resolution_cycle),
		cmocka_unit_test(test_resolved_without_a_reply_answers_it),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_events_of_the_activity_log),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
