/* Unit tests for jobs/scheduler.c: intervals, "more", failures, kick, stop
 * and the signal mask, on a clock the test moves by hand: no sleeps, and
 * nothing depends on how fast the machine is. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>

#include "jobs/scheduler.h"

/* A clock that stands still until the test moves it. The scheduler's
 * thread calls fake_wait when nothing is due before `at`: that call,
 * made while the clock reads `now`, says every job due at `now` has run.
 * Lock order: the scheduler's mutex, then mu; the test never holds mu
 * while it calls into the scheduler. */
struct fake_clock {
	pthread_mutex_t mu;
	pthread_cond_t idle;        /* signalled on every wait */
	int64_t now;                /* under mu */
	unsigned waits;             /* under mu: calls of fake_wait that sleep */
	pthread_cond_t *sched_cond; /* under mu: what wakes the scheduler */
	pthread_mutex_t *sched_mu;
};

static int64_t
fake_now(void *arg)
{
	struct fake_clock *fc = arg;
	int64_t now;

	pthread_mutex_lock(&fc->mu);
	now = fc->now;
	pthread_mutex_unlock(&fc->mu);
	return now;
}

/* Sleeps on the scheduler's cond, untimed: only the test's settle (after
 * moving the clock), a kick or a stop wake it. */
static void
fake_wait(void *arg, pthread_cond_t *cond, pthread_mutex_t *mu, int64_t at)
{
	struct fake_clock *fc = arg;
	bool due;

	pthread_mutex_lock(&fc->mu);
	due = fc->now >= at;
	if (!due) {
		fc->waits++;
		fc->sched_cond = cond;
		fc->sched_mu = mu;
		pthread_cond_broadcast(&fc->idle);
	}
	pthread_mutex_unlock(&fc->mu);
	if (!due)
		pthread_cond_wait(cond, mu);
}

static void
fake_init(struct fake_clock *fc, int64_t now)
{
	*fc = (struct fake_clock){ .now = now };
	pthread_mutex_init(&fc->mu, NULL);
	pthread_cond_init(&fc->idle, NULL);
}

static void
fake_free(struct fake_clock *fc)
{
	pthread_cond_destroy(&fc->idle);
	pthread_mutex_destroy(&fc->mu);
}

/* Sets the clock to `now` and returns once the scheduler has run every
 * job due then and waits again. A wait counted after the clock was set
 * was decided on the new time (fake_wait reads it under mu); the
 * scheduler is woken in case it sleeps since before. */
static void
settle_at(struct fake_clock *fc, int64_t now)
{
	pthread_cond_t *cond;
	pthread_mutex_t *mu;
	unsigned seen;

	pthread_mutex_lock(&fc->mu);
	fc->now = now;
	seen = fc->waits;
	cond = fc->sched_cond;
	mu = fc->sched_mu;
	pthread_mutex_unlock(&fc->mu);
	if (cond != NULL) {
		pthread_mutex_lock(mu);
		pthread_cond_signal(cond);
		pthread_mutex_unlock(mu);
	}
	pthread_mutex_lock(&fc->mu);
	while (fc->waits == seen)
		pthread_cond_wait(&fc->idle, &fc->mu);
	pthread_mutex_unlock(&fc->mu);
}

/* What a job saw; read by the test only while the scheduler waits
 * (settle_at), or under mu for the monotonic-clock test. */
struct counter {
	int runs;
	int more_left;              /* ask for an immediate rerun this often */
	bool sigint_blocked;
	pthread_mutex_t *mu;        /* NULL, or: signal ran after each run */
	pthread_cond_t *ran;
};

static enum zek_rc
count(void *arg, bool *more)
{
	struct counter *c = arg;
	sigset_t cur;

	if (c->mu != NULL)
		pthread_mutex_lock(c->mu);
	c->runs++;
	if (c->more_left > 0) {
		c->more_left--;
		*more = true;
	}
	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	c->sigint_blocked = sigismember(&cur, SIGINT) == 1;
	if (c->mu != NULL) {
		pthread_cond_signal(c->ran);
		pthread_mutex_unlock(c->mu);
	}
	return ZEK_OK;
}

static enum zek_rc
failing(void *arg, bool *more)
{
	struct counter *c = arg;

	c->runs++;
	*more = true;       /* ignored after a failure */
	return ZEK_IO;
}

#define HOUR 3600000

/* A job that kicks itself while it runs, as a request that enqueues mail
 * while the outbox job sends kicks the outbox. */
struct self_kick {
	struct jobs *j;             /* set before the clock moves */
	int runs;
};

static enum zek_rc
kick_self(void *arg, bool *more)
{
	struct self_kick *sk = arg;

	(void)more;
	if (++sk->runs == 2)
		jobs_kick(sk->j, "self");
	return ZEK_OK;
}

static void
test_intervals_more_and_failures(void **state)
{
	struct counter fast = { 0 }, slow = { 0 }, batch = { 0 }, bad = { 0 };
	const struct job table[] = {
		{ "fast", 40, count, &fast },
		{ "slow", HOUR, count, &slow },
		{ "batch", HOUR, count, &batch },
		{ "bad", HOUR, failing, &bad },
	};
	struct fake_clock fc;
	const struct jobs_clock clock = { fake_now, fake_wait, &fc };
	struct jobs *j;

	fake_init(&fc, 1000);
	batch.more_left = 5;
	assert_int_equal(jobs_start_clock(table, 4, &clock, &j), ZEK_OK);
	settle_at(&fc, 1000);
	/* Every job ran at the start, */
	assert_int_equal(fast.runs, 1);
	assert_int_equal(slow.runs, 1);
	/* "more" reran the batch job at once until it had no more, */
	assert_int_equal(batch.runs, 6);
	/* and a failing job waits its interval, whatever it asked. */
	assert_int_equal(bad.runs, 1);
	/* The thread never takes SIGINT: the server's sigwait gets it. */
	assert_true(slow.sigint_blocked);

	/* The fast job runs again when its interval is over, not before. */
	settle_at(&fc, 1039);
	assert_int_equal(fast.runs, 1);
	settle_at(&fc, 1040);
	assert_int_equal(fast.runs, 2);
	/* After a stall it runs once, and its interval counts from then. */
	settle_at(&fc, 1400);
	assert_int_equal(fast.runs, 3);
	settle_at(&fc, 1439);
	assert_int_equal(fast.runs, 3);
	settle_at(&fc, 1440);
	assert_int_equal(fast.runs, 4);
	assert_int_equal(slow.runs + batch.runs + bad.runs, 1 + 6 + 1);

	/* An hour after the start the others run again: the batch once,
	 * having no more, and the failing job too. */
	settle_at(&fc, 1000 + HOUR - 1);
	assert_int_equal(bad.runs, 1);
	settle_at(&fc, 1000 + HOUR);
	assert_int_equal(slow.runs, 2);
	assert_int_equal(batch.runs, 7);
	assert_int_equal(bad.runs, 2);
	jobs_stop(j);
	fake_free(&fc);
}

static void
test_kick(void **state)
{
	struct counter slow = { 0 }, other = { 0 };
	const struct job table[] = {
		{ "slow", HOUR, count, &slow },
		{ "other", HOUR, count, &other },
	};
	struct fake_clock fc;
	const struct jobs_clock clock = { fake_now, fake_wait, &fc };
	struct jobs *j;

	fake_init(&fc, 5000);
	assert_int_equal(jobs_start_clock(table, 2, &clock, &j), ZEK_OK);
	settle_at(&fc, 5000);
	assert_int_equal(slow.runs, 1);
	/* A kick runs that job at once, without the clock moving; an
	 * unknown name runs nothing. */
	settle_at(&fc, 5100);
	jobs_kick(j, "slow");
	jobs_kick(j, "unknown");
	settle_at(&fc, 5100);
	assert_int_equal(slow.runs, 2);
	assert_int_equal(other.runs, 1);
	/* Its interval starts again from the kicked run. */
	settle_at(&fc, 5000 + HOUR);
	assert_int_equal(slow.runs, 2);
	assert_int_equal(other.runs, 2);
	settle_at(&fc, 5100 + HOUR);
	assert_int_equal(slow.runs, 3);
	assert_int_equal(other.runs, 2);
	jobs_kick(NULL, "slow");
	jobs_stop(j);
	jobs_stop(NULL);
	fake_free(&fc);
}

/* A kick that comes while the job runs is not lost: the job runs again
 * at once instead of an interval later. */
static void
test_kick_while_running(void **state)
{
	struct self_kick sk = { 0 };
	const struct job table[] = { { "self", HOUR, kick_self, &sk } };
	struct fake_clock fc;
	const struct jobs_clock clock = { fake_now, fake_wait, &fc };

	fake_init(&fc, 1000);
	assert_int_equal(jobs_start_clock(table, 1, &clock, &sk.j), ZEK_OK);
	settle_at(&fc, 1000);
	assert_int_equal(sk.runs, 1);
	settle_at(&fc, 1000 + HOUR);
	assert_int_equal(sk.runs, 3);
	settle_at(&fc, 1000 + 2 * HOUR - 1);
	assert_int_equal(sk.runs, 3);
	settle_at(&fc, 1000 + 2 * HOUR);
	assert_int_equal(sk.runs, 4);
	jobs_stop(sk.j);
	fake_free(&fc);
}

/* Waits until c has run `runs` times; the job signals each run. */
static void
wait_runs(struct counter *c, int runs)
{
	pthread_mutex_lock(c->mu);
	while (c->runs < runs)
		pthread_cond_wait(c->ran, c->mu);
	pthread_mutex_unlock(c->mu);
}

/* The clock of `zek serve`: the first run comes at the start, a kick
 * brings the next one long before the hour, and stopping does not wait
 * for the hour either (a hang would fail on the test's time-out). */
static void
test_monotonic_clock(void **state)
{
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	pthread_cond_t ran = PTHREAD_COND_INITIALIZER;
	struct counter c = { .mu = &mu, .ran = &ran };
	const struct job table[] = { { "hourly", HOUR, count, &c } };
	struct jobs *j;

	assert_int_equal(jobs_start(table, 1, &j), ZEK_OK);
	wait_runs(&c, 1);
	jobs_kick(j, "hourly");
	wait_runs(&c, 2);
	jobs_stop(j);
	assert_int_equal(c.runs, 2);
	assert_true(c.sigint_blocked);
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
		cmocka_unit_test(test_intervals_more_and_failures),
		cmocka_unit_test(test_kick),
		cmocka_unit_test(test_kick_while_running),
		cmocka_unit_test(test_monotonic_clock),
		cmocka_unit_test(test_bad_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
