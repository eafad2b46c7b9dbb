/* Unit tests for core/calendar.c: Easter and the public holidays of the
 * Bundesländer over the years, working time across nights, weekends,
 * holidays, closed days and changes of summer time, and that adding
 * working time and measuring it agree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/calendar.h"
#include "core/validate.h"
#include "lib/zek.h"

#define HOUR ((int64_t)3600 * 1000)

/* UTC ms of a Berlin local time "2026-12-04T16:00". */
static int64_t
berlin(const char *local)
{
	int64_t ms = 0;

	assert_int_equal(core_parse_local_datetime(local, "Europe/Berlin", &ms),
	    ZEK_OK);
	return ms;
}

static void
test_easter(void **state)
{
	static const int known[][3] = {
		{ 1818, 3, 22 }, { 1943, 4, 25 }, { 2000, 4, 23 }, { 2019, 4, 21 },
		{ 2024, 3, 31 }, { 2025, 4, 20 }, { 2026, 4, 5 }, { 2038, 4, 25 },
		{ 2285, 3, 22 },
	};
	size_t i;
	int m, d;

	(void)state;
	for (i = 0; i < ZEK_ARRAY_LEN(known); i++) {
		calendar_easter(known[i][0], &m, &d);
		assert_int_equal(m, known[i][1]);
		assert_int_equal(d, known[i][2]);
	}
}

/* The holiday's name in Bundesland `st` on that day, "" for none. */
static const char *
holiday(const char *st, int y, int m, int d)
{
	struct calendar c = CALENDAR_DEFAULT;
	const char *name;

	c.state = st;
	name = calendar_holiday(&c, y, m, d);
	return name != NULL ? name : "";
}

static void
test_holidays_of_the_laender(void **state)
{
	(void)state;
	/* Federal, Easter-dependent ones of 2026 (Easter: 5 April). */
	assert_string_equal(holiday("", 2026, 4, 3), "Karfreitag");
	assert_string_equal(holiday("", 2026, 4, 6), "Ostermontag");
	assert_string_equal(holiday("DE-HH", 2026, 5, 14), "Christi Himmelfahrt");
	assert_string_equal(holiday("", 2026, 5, 25), "Pfingstmontag");
	assert_string_equal(holiday("", 2026, 10, 3), "Tag der Deutschen Einheit");
	assert_string_equal(holiday("", 2026, 12, 24), "");     /* Heiligabend is not */
	assert_string_equal(holiday("", 2026, 12, 26), "2. Weihnachtstag");
	/* Fronleichnam (Easter + 60) where it is kept. */
	assert_string_equal(holiday("DE-BY", 2026, 6, 4), "Fronleichnam");
	assert_string_equal(holiday("DE-NW", 2025, 6, 19), "Fronleichnam");
	assert_string_equal(holiday("DE-BE", 2026, 6, 4), "");
	assert_string_equal(holiday("", 2026, 6, 4), "");
	/* Reformationstag: the east, since 2018 the north, 2017 everywhere. */
	assert_string_equal(holiday("DE-SN", 2016, 10, 31), "Reformationstag");
	assert_string_equal(holiday("DE-HH", 2016, 10, 31), "");
	assert_string_equal(holiday("DE-HH", 2018, 10, 31), "Reformationstag");
	assert_string_equal(holiday("DE-BW", 2017, 10, 31), "Reformationstag");
	assert_string_equal(holiday("DE-BW", 2026, 10, 31), "");
	/* The others, with the years they began. */
	assert_string_equal(holiday("DE-BY", 2026, 1, 6), "Heilige Drei Könige");
	assert_string_equal(holiday("DE-BE", 2018, 3, 8), "");
	assert_string_equal(holiday("DE-BE", 2019, 3, 8), "Internationaler Frauentag");
	assert_string_equal(holiday("DE-MV", 2022, 3, 8), "");
	assert_string_equal(holiday("DE-MV", 2023, 3, 8), "Internationaler Frauentag");
	assert_string_equal(holiday("DE-TH", 2026, 9, 20), "Weltkindertag");
	assert_string_equal(holiday("DE-SL", 2026, 8, 15), "Mariä Himmelfahrt");
	assert_string_equal(holiday("DE-BY", 2026, 8, 15), "");
	assert_string_equal(holiday("DE-NW", 2026, 11, 1), "Allerheiligen");
	assert_string_equal(holiday("DE-BB", 2026, 4, 5), "Ostersonntag");
	/* Buß- und Bettag: the Wednesday before 23 November, Saxony only. */
	assert_string_equal(holiday("DE-SN", 2026, 11, 18), "Buß- und Bettag");
	assert_string_equal(holiday("DE-SN", 2025, 11, 19), "Buß- und Bettag");
	assert_string_equal(holiday("DE-SN", 2026, 11, 25), "");
	assert_string_equal(holiday("DE-BY", 2026, 11, 18), "");
	assert_true(calendar_state_valid("DE-SH"));
	assert_true(calendar_state_valid(""));
	assert_false(calendar_state_valid("DE-XX"));
	assert_false(calendar_state_valid("BY"));
}

static void
test_working_time_across_nights_weekends_and_holidays(void **state)
{
	struct calendar c = CALENDAR_DEFAULT;
	int32_t closed[] = { 20261207 };
	int64_t ms, at;

	(void)state;
	/* Friday 16:00 to Monday 10:00: one hour on Friday, two on Monday. */
	assert_int_equal(calendar_working_ms(&c, berlin("2026-12-04T16:00"),
	    berlin("2026-12-07T10:00"), &ms), ZEK_OK);
	assert_int_equal(ms, 3 * HOUR);
	/* Eight working hours from Friday 16:00 end on Monday at 15:00. */
	assert_int_equal(calendar_add_working(&c, berlin("2026-12-04T16:00"),
	    8 * HOUR, &at), ZEK_OK);
	assert_int_equal(at, berlin("2026-12-07T15:00"));
	/* Started at night: counted from 08:00. */
	assert_int_equal(calendar_add_working(&c, berlin("2026-12-08T02:00"),
	    HOUR, &at), ZEK_OK);
	assert_int_equal(at, berlin("2026-12-08T09:00"));
	/* Christmas: Thursday 24th 16:00 + 3 h ends on Monday 28th 10:00. */
	assert_int_equal(calendar_add_working(&c, berlin("2026-12-24T16:00"),
	    3 * HOUR, &at), ZEK_OK);
	assert_int_equal(at, berlin("2026-12-28T10:00"));
	/* A closed day is skipped like a holiday. */
	c.closed = closed;
	c.nclosed = 1;
	assert_int_equal(calendar_add_working(&c, berlin("2026-12-04T16:00"),
	    8 * HOUR, &at), ZEK_OK);
	assert_int_equal(at, berlin("2026-12-08T15:00"));
	/* Fronleichnam counts in Bavaria, not in Berlin. */
	c = (struct calendar)CALENDAR_DEFAULT;
	assert_int_equal(calendar_working_ms(&c, berlin("2026-06-04T00:00"),
	    berlin("2026-06-05T00:00"), &ms), ZEK_OK);
	assert_int_equal(ms, 9 * HOUR);
	c.state = "DE-BY";
	assert_int_equal(calendar_working_ms(&c, berlin("2026-06-04T00:00"),
	    berlin("2026-06-05T00:00"), &ms), ZEK_OK);
	assert_int_equal(ms, 0);
	/* Nothing when the span is empty or reversed. */
	assert_int_equal(calendar_working_ms(&c, berlin("2026-12-08T10:00"),
	    berlin("2026-12-08T09:00"), &ms), ZEK_OK);
	assert_int_equal(ms, 0);
}

static void
test_summer_time_changes(void **state)
{
	struct calendar always = { "Europe/Berlin", 0x7F, 0, 24 * 60, "", NULL,
		0 };
	struct calendar office = CALENDAR_DEFAULT;
	int64_t ms;

	(void)state;
	/* 29 March 2026 has 23 hours in Berlin, 25 October 25. */
	assert_int_equal(calendar_working_ms(&always, berlin("2026-03-29T00:00"),
	    berlin("2026-03-30T00:00"), &ms), ZEK_OK);
	assert_int_equal(ms, 23 * HOUR);
	assert_int_equal(calendar_working_ms(&always, berlin("2026-10-25T00:00"),
	    berlin("2026-10-26T00:00"), &ms), ZEK_OK);
	assert_int_equal(ms, 25 * HOUR);
	/* Office hours stay nine a day across the change. */
	assert_int_equal(calendar_working_ms(&office, berlin("2026-10-23T08:00"),
	    berlin("2026-10-26T17:00"), &ms), ZEK_OK);
	assert_int_equal(ms, 18 * HOUR);
}

static void
test_adding_and_measuring_agree(void **state)
{
	struct calendar c = CALENDAR_DEFAULT;
	uint64_t r = 0x9E3779B97F4A7C15u;
	int64_t from, span, at, ms, start = berlin("2025-01-01T00:00");
	int i;

	(void)state;
	c.state = "DE-SN";
	for (i = 0; i < 300; i++) {
		r ^= r << 13;
		r ^= r >> 7;
		r ^= r << 17;
		from = start + (int64_t)(r % (3u * 365 * 24 * 3600)) * 1000;
		span = (int64_t)((r >> 20) % (400 * 3600)) * 1000;
		assert_int_equal(calendar_add_working(&c, from, span, &at), ZEK_OK);
		assert_int_equal(calendar_working_ms(&c, from, at, &ms), ZEK_OK);
		if (ms != span)
			fail_msg("from %lld + %lld ms ends %lld, measured %lld",
			    (long long)from, (long long)span, (long long)at,
			    (long long)ms);
	}
	/* A goal that spans the turn of a year. */
	assert_int_equal(calendar_add_working(&c, berlin("2026-12-31T12:00"),
	    10 * HOUR, &at), ZEK_OK);
	assert_int_equal(at, berlin("2027-01-04T13:00"));
}

static void
test_yearly_closed_days_and_a_years_holidays(void **state)
{
	struct calendar c = CALENDAR_DEFAULT;
	struct calendar_holiday_day h[CALENDAR_HOLIDAYS_MAX];
	int32_t closed[] = { 1224, 1231 };   /* every year */
	int64_t at;
	size_t n, i;
	bool fronleichnam = false;

	(void)state;
	c.closed = closed;
	c.nclosed = 2;
	assert_false(calendar_working_day(&c, 2026, 12, 24));
	assert_false(calendar_working_day(&c, 2030, 12, 31));
	assert_true(calendar_working_day(&c, 2026, 12, 23));
	/* Wednesday 23rd 16:00 + 3 h: Christmas Eve and the holidays
	 * skipped, Monday 28th 10:00. */
	assert_int_equal(calendar_add_working(&c, berlin("2026-12-23T16:00"),
	    3 * HOUR, &at), ZEK_OK);
	assert_int_equal(at, berlin("2026-12-28T10:00"));
	/* 2026: nine federal holidays; Bavaria adds three, by date. */
	c = (struct calendar)CALENDAR_DEFAULT;
	assert_int_equal(calendar_holidays_of_year(&c, 2026, h), 9);
	assert_string_equal(h[0].name, "Neujahr");
	assert_string_equal(h[8].name, "2. Weihnachtstag");
	c.state = "DE-BY";
	n = calendar_holidays_of_year(&c, 2026, h);
	assert_int_equal(n, 12);
	for (i = 0; i < n; i++) {
		if (i > 0)
			assert_true(h[i - 1].month * 100 + h[i - 1].day <
			    h[i].month * 100 + h[i].day);
		if (strcmp(h[i].name, "Fronleichnam") == 0)
			fronleichnam = h[i].month == 6 && h[i].day == 4;
	}
	assert_true(fronleichnam);
	assert_true(calendar_date_valid(2028, 2, 29));
	assert_false(calendar_date_valid(2026, 2, 29));
	assert_false(calendar_date_valid(2026, 13, 1));
}

static void
test_bad_calendars_are_refused(void **state)
{
	struct calendar c = CALENDAR_DEFAULT;
	int64_t out;

	(void)state;
	c.weekdays = 0;
	assert_int_equal(calendar_add_working(&c, 0, HOUR, &out), ZEK_INVALID);
	c = (struct calendar)CALENDAR_DEFAULT;
	c.start_minute = 1020;
	c.end_minute = 480;
	assert_int_equal(calendar_working_ms(&c, 0, HOUR, &out), ZEK_INVALID);
	c = (struct calendar)CALENDAR_DEFAULT;
	c.state = "DE-XX";
	assert_int_equal(calendar_working_ms(&c, 0, HOUR, &out), ZEK_INVALID);
	c = (struct calendar)CALENDAR_DEFAULT;
	c.tz = "Mars/Olympus";
	assert_int_equal(calendar_working_ms(&c, 0, HOUR, &out), ZEK_INVALID);
	/* A span longer than the walk may go is refused, not looped over. */
	c = (struct calendar)CALENDAR_DEFAULT;
	assert_int_equal(calendar_add_working(&c, 0, INT64_MAX / 2, &out),
	    ZEK_INVALID);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_easter),
		cmocka_unit_test(test_holidays_of_the_laender),
		cmocka_unit_test(
		    test_working_time_across_nights_weekends_and_holidays),
		cmocka_unit_test(test_summer_time_changes),
		cmocka_unit_test(test_adding_and_measuring_agree),
		cmocka_unit_test(test_yearly_closed_days_and_a_years_holidays),
		cmocka_unit_test(test_bad_calendars_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
