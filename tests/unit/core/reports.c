/* Unit tests for core/reports.c: the buckets and medians of working
 * times, the weeks of a period and their backlog, the default period, the
 * day numbers; and SQLite's plans of a report's reads (ranges of days on
 * the counts' keys, never the requests). Run on both backends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/calendar.h"
#include "core/reports.h"
#include "store/store.h"
#include "store/store_sqlite.h"
#include "helpers.h"

#define MIN_MS 60000LL

/* Each time falls in the bucket whose bounds hold it, and the time a
 * bucket is told as lies within 2^(1/8) of every time in it. */
static void
test_buckets_hold_their_times(void **state)
{
	double worst = 0;
	int64_t ms;
	int b;

	(void)state;
	assert_int_equal(report_bucket_of(0), 0);
	assert_int_equal(report_bucket_of(MIN_MS - 1), 0);
	assert_int_equal(report_bucket_of(MIN_MS), 1);
	assert_int_equal(report_bucket_of(2 * MIN_MS), 5);     /* an octave: 4 */
	assert_int_equal(report_bucket_of(2 * MIN_MS - 1), 4);
	assert_int_equal(report_bucket_of(INT64_MAX / 4), REPORT_BUCKETS - 1);
	for (b = 1; b + 1 < REPORT_BUCKETS; b++)
		assert_true(report_bucket_low(b) < report_bucket_low(b + 1));
	for (ms = MIN_MS; ms < 1000LL * 3600 * 10000; ms += ms / 97 + 1) {
		double r;

		b = report_bucket_of(ms);
		assert_true(report_bucket_low(b) <= ms);
		assert_true(ms < report_bucket_low(b + 1));
		r = (double)report_bucket_mid(b) / (double)ms;
		r = r > 1 ? r - 1 : 1 / r - 1;
		worst = r > worst ? r : worst;
	}
	assert_true(worst <= 0.0906);           /* 2^(1/8) - 1 = 0.0905 */
	assert_true(worst > 0.08);              /* and the bound is tight */
}

static void
test_median_is_the_lower_middle(void **state)
{
	int64_t c[REPORT_BUCKETS] = { 0 }, ms = 0;
	int one = report_bucket_of(10 * MIN_MS), two = report_bucket_of(
	    600 * MIN_MS);

	(void)state;
	assert_false(report_median(c, REPORT_BUCKETS, &ms));
	c[one] = 1;
	c[two] = 1;         /* 10 min and 10 h: the lower one */
	assert_true(report_median(c, REPORT_BUCKETS, &ms));
	assert_int_equal(ms, report_bucket_mid(one));
	c[two] = 2;         /* three: the middle one */
	assert_true(report_median(c, REPORT_BUCKETS, &ms));
	assert_int_equal(ms, report_bucket_mid(two));
	c[0] = 5;           /* under a minute told as half of one */
	assert_true(report_median(c, REPORT_BUCKETS, &ms));
	assert_int_equal(ms, MIN_MS / 2);
}

static int64_t
day(int y, int m, int d)
{
	return calendar_day_number(y, m, d);
}

static void
test_day_numbers_round_trip(void **state)
{
	int64_t n;
	int y, m, d;

	(void)state;
	assert_int_equal(day(1970, 1, 1), 0);
	assert_int_equal(day(2024, 3, 1) - day(2024, 2, 28), 2);    /* leap */
	for (n = -800; n < 80000; n += 13) {
		calendar_civil_of_day(n, &y, &m, &d);
		assert_int_equal(day(y, m, d), n);
	}
}

/* A period from a Wednesday to the Tuesday two weeks on: three weeks,
 * the first and last cut; counts outside it are not its; the backlog
 * runs on from the one before. */
static void
test_weeks_of_a_period(void **state)
{
	struct report_week w[REPORT_WEEKS_MAX];
	struct store_report_day days[4] = { 0 };
	int64_t from = day(2025, 3, 5), to = day(2025, 3, 18);
	size_t n;

	(void)state;
	days[0].day = day(2025, 3, 5);
	days[0].v[STORE_REPORT_CREATED] = 3;
	days[1].day = day(2025, 3, 9);          /* Sunday: the first week */
	days[1].v[STORE_REPORT_RESOLVED] = 1;
	days[2].day = day(2025, 3, 10);
	days[2].v[STORE_REPORT_CREATED] = 2;
	days[2].v[STORE_REPORT_RESOLVED] = 4;
	days[3].day = day(2025, 3, 18);
	days[3].v[STORE_REPORT_CREATED] = 1;
	n = report_weeks(from, to, 10, days, 4, w);
	assert_int_equal(n, 3);
	assert_int_equal(w[0].from, from);
	assert_int_equal(w[0].to, day(2025, 3, 9));
	assert_int_equal(w[0].created, 3);
	assert_int_equal(w[0].resolved, 1);
	assert_int_equal(w[0].open_at_end, 12);
	assert_int_equal(w[1].from, day(2025, 3, 10));
	assert_int_equal(w[1].open_at_end, 10);
	assert_int_equal(w[2].from, day(2025, 3, 17));
	assert_int_equal(w[2].to, to);
	assert_int_equal(w[2].created, 1);
	assert_int_equal(w[2].open_at_end, 11);
	/* Two years of weeks fit. */
	assert_true(report_weeks(day(2023, 1, 1), day(2023, 1, 1) +
	    REPORT_DAYS_MAX - 1, 0, NULL, 0, w) <= REPORT_WEEKS_MAX);
}

static void
test_default_period_is_twelve_weeks(void **state)
{
	int64_t from, to, today = day(2025, 3, 19);    /* a Wednesday */

	(void)state;
	report_default_period(today, &from, &to);
	assert_int_equal(to, today);
	assert_int_equal(from, day(2024, 12, 30));      /* a Monday */
}

/* No report read scans a table: each searches the counts' primary key by
 * a range of days (its first column), and none touches the requests. */
static void
test_report_reads_use_the_keys(void **state)
{
	struct tenv *env;
	sqlite3_stmt *st;
	const char *sql;
	sqlite3 *db;
	char plan[2048];
	size_t i;

	(void)state;
	TENV_SQLITE_ONLY();
	env = tenv_new();
	assert_int_equal(sqlite3_open_v2(env->db, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	for (i = 0; (sql = store_report_statement(i)) != NULL; i++) {
		char *eqp = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql);

		assert_int_equal(sqlite3_prepare_v2(db, eqp, -1, &st, NULL),
		    SQLITE_OK);
		plan[0] = '\0';
		while (sqlite3_step(st) == SQLITE_ROW) {
			const char *d = (const char *)sqlite3_column_text(st, 3);

			strncat(plan, d, sizeof(plan) - strlen(plan) - 2);
			strncat(plan, "\n", sizeof(plan) - strlen(plan) - 1);
			if (strncmp(d, "SCAN report_", 12) == 0 ||
			    strstr(d, "requests") != NULL)
				fail_msg("%s\n  %s", sql, d);
		}
		sqlite3_finalize(st);
		sqlite3_free(eqp);
		/* The key's index (autoindex: the tables have a rowid). */
		if (strstr(plan, "SEARCH report_") == NULL ||
		    (strstr(plan, "(day>? AND day<?)") == NULL &&
		    strstr(plan, "(day<?)") == NULL))
			fail_msg("%s\n%s", sql, plan);
	}
	assert_int_equal(i, 4);
	sqlite3_close(db);
	tenv_free(env);
}

/* Times and services summed over blocks of 32 days and the cut ends
 * (store/reports.c) give what the days alone give, for periods that
 * start and end anywhere: within a block, on its edges, across many. */
#define SPAN 200
static const int64_t day0 = 20000 - 20000 % 32 + 5; /* not on an edge */

static void
expected_times(int64_t from, int64_t to, int64_t type_id, int64_t *want)
{
	int64_t d;
	int t;

	memset(want, 0, 3 * 5 * sizeof(*want));
	for (d = day0; d < day0 + SPAN; d++)
		for (t = 1; t <= 2; t++)
			if (d >= from && d <= to && (type_id == 0 || type_id == t))
				want[(d % 3) * 5 + d % 5] += 1 + d % 7 + t;
}

static void
expected_services(int64_t from, int64_t to, int64_t *want)
{
	int64_t d;

	memset(want, 0, 4 * sizeof(*want));
	for (d = day0; d < day0 + SPAN; d++)
		if (d >= from && d <= to)
			want[d % 4] += 2 * (1 + d % 3);   /* both types */
}

static void
test_sums_over_blocks_equal_the_days(void **state)
{
	static const int64_t cuts[][2] = { { 0, SPAN - 1 }, { 0, 0 },
		{ 3, 9 }, { 26, 27 }, { 27, 59 }, { 26, 90 }, { 27, 122 },
		{ 1, 198 }, { 60, 61 }, { -100, 80 }, { 150, 400 } };
	const int64_t types[2] = { 1, 2 };
	struct store_report_count *got;
	struct tenv *env = tenv_new();
	struct store_conn *c = env->ctx.db;
	int64_t want[15], d, ty, from, to, sum;
	size_t i, k, n;
	int t;

	(void)state;
	assert_int_equal(store_begin(c), ZEK_OK);
	for (d = day0; d < day0 + SPAN; d++)
		for (t = 1; t <= 2; t++) {
			assert_int_equal(store_report_time_add(c, d, t, d % 3,
			    d % 5, 1 + d % 7 + t), ZEK_OK);
			assert_int_equal(store_report_service_add(c, d, t,
			    100 + d % 4, 1 + d % 3), ZEK_OK);
		}
	assert_int_equal(store_commit(c), ZEK_OK);
	for (i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		from = day0 + cuts[i][0];
		to = day0 + cuts[i][1];
		for (ty = 0; ty <= 1; ty++) {
			expected_times(from, to, ty, want);
			assert_int_equal(store_report_times(c, env->arena, from,
			    to, ty, &got, &n), ZEK_OK);
			for (k = 0, sum = 0; k < n; k++) {
				assert_int_equal(got[k].n,
				    want[(got[k].key / 1000) * 5 +
				        got[k].key % 1000]);
				sum += got[k].n;
			}
			for (k = 0; k < 15; k++)
				sum -= want[k];
			assert_int_equal(sum, 0);  /* none left out */
		}
		expected_services(from, to, want);
		assert_int_equal(store_report_services(c, env->arena, from, to,
		    types, 2, 10, &got, &n), ZEK_OK);
		for (k = 0, sum = 0; k < n; k++) {
			assert_int_equal(got[k].n, want[got[k].key - 100]);
			sum += got[k].n;
		}
		for (k = 0; k < 4; k++)
			sum -= want[k];
		assert_int_equal(sum, 0);
	}
	tenv_free(env);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buckets_hold_their_times),
		cmocka_unit_test(test_median_is_the_lower_middle),
		cmocka_unit_test(test_day_numbers_round_trip),
		cmocka_unit_test(test_weeks_of_a_period),
		cmocka_unit_test(test_default_period_is_twelve_weeks),
		cmocka_unit_test(test_report_reads_use_the_keys),
		cmocka_unit_test(test_sums_over_blocks_equal_the_days),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
