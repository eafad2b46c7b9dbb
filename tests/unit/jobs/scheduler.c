/* Unit tests for jobs/scheduler.c: intervals, "more", kick, stop, signal mask. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "jobs/scheduler.h"

struct counter {
	atomic_int runs;
	atomic_int more_left;       /* ask for an immediate rerun this often */
	atomic_bool sigint_blocked;
};

static enum zek_rc
count(void *arg, bool *more)
{
	struct counter *c = arg;
	sigset_t cur;

	atomic_fetch_add(&c->runs, 1);
	if (atomic_load(&c->more_left) > 0) {
		atomic_fetch_sub(&c->more_left, 1);
		*more = true;
	}
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	atomic_store(&c->sigint_blocked, sigismember(&cur, SIGINT) == 1);
	return ZEK_OK;
}

static enum zek_rc
failing(void *arg, bool *more)
{
	struct counter *c = arg;

	atomic_fetch_add(&c->runs, 1);
	*more = true;       /* ignored after a failure */
	return ZEK_IO;
}

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
test_intervals_more_and_kick(void **state)
{
	struct counter fast = { 0 }, slow = { 0 }, batch = { 0 }, bad = { 0 };
	const struct job table[] = {
		{ "fast", 40, count, &fast },
		{ "slow", 3600000, count, &slow },
		{ "batch", 3600000, count, &batch },
		{ "bad", 3600000, failing, &bad },
	};
	struct jobs *j;
	int64_t t;

	atomic_store(&batch.more_left, 5);
	assert_int_equal(jobs_start(table, 4, &j), ZEK_OK);
	sleep_ms(400);
	/* Every job ran at the start; the fast one again and again. */
	assert_true(atomic_load(&fast.runs) >= 4);
	assert_int_equal(atomic_load(&slow.runs), 1);
	/* "more" reran the batch job at once until it had no more. */
	assert_int_equal(atomic_load(&batch.runs), 6);
	/* A failing job waits its interval, whatever it asked. */
	assert_int_equal(atomic_load(&bad.runs), 1);
	/* The thread never takes SIGINT: the server's sigwait gets it. */
	assert_true(atomic_load(&slow.sigint_blocked));
	jobs_kick(j, "slow");
	jobs_kick(j, "unknown");
	sleep_ms(200);
	assert_int_equal(atomic_load(&slow.runs), 2);
	/* Stopping does not wait for the hour-long intervals. */
	t = now_ms();
	jobs_stop(j);
	assert_true(now_ms() - t < 1000);
	jobs_stop(NULL);
}

static void
test_bad_tables(void **state)
{
	struct counter c = { 0 };
	const struct job zero[] = { { "zero", 0, count, &c } };
	struct job many[JOBS_MAX + 1];
	struct jobs *j = NULL;
	size_t i;

	assert_int_equal(jobs_start(zero, 1, &j), ZEK_INVALID);
	assert_int_equal(jobs_start(zero, 0, &j), ZEK_INVALID);
	for (i = 0; i < JOBS_MAX + 1; i++)
		many[i] = (struct job){ "x", 1000, count, &c };
	assert_int_equal(jobs_start(many, JOBS_MAX + 1, &j), ZEK_INVALID);
	assert_null(j);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intervals_more_and_kick),
		cmocka_unit_test(test_bad_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
