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
	assert_int_equal(r.ongoing.breach_at, 0);
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
	assert_int_equal(r.completed[1].elapsed_ms, 90 * 60 * 1000);
	assert_true(r.completed[1].breached);
	assert_false(r.has_ongoing);
	/* First response happens once. */
	assert_int_equal(sla_compute(&office, SLA_FIRST_RESPONSE, HOUR, ev, 5,
	    berlin("2026-12-09T08:00"), &r), ZEK_OK);
	assert_int_equal(r.ncompleted, 1);
	assert_int_equal(r.completed[0].elapsed_ms, HOUR);
	assert_false(r.completed[0].breached);
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
