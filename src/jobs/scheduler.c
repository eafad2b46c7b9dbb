/* scheduler.c: a thread that sleeps until the next job is due, runs it, and stops on request. */
#include "jobs/scheduler.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/log.h"
#include "lib/str.h"

struct jobs {
	struct job table[JOBS_MAX];
	int64_t next_at[JOBS_MAX]; /* ms on clock */
	bool kicked[JOBS_MAX];     /* under mu: a kick came during the run */
	size_t n;
	struct jobs_clock clock;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cond; /* on CLOCK_MONOTONIC, for mono_wait */
	bool stopping;       /* under mu */
};

static int64_t
mono_now(void *arg)
{
	struct timespec ts;

	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
mono_wait(void *arg, pthread_cond_t *cond, pthread_mutex_t *mu, int64_t at)
{
	struct timespec ts;

	(void)arg;
	ts.tv_sec = (time_t)(at / 1000);
	ts.tv_nsec = (long)(at % 1000) * 1000000;
	/* A time-out, a signal and a spurious wake-up all mean: look again. */
	(void)pthread_cond_timedwait(cond, mu, &ts);
}

static const struct jobs_clock mono_clock = { mono_now, mono_wait, NULL };

static int64_t
now_ms(const struct jobs *j)
{
	return j->clock.now(j->clock.arg);
}

static size_t
next_due(const struct jobs *j)
{
	size_t i, best = 0;

	for (i = 1; i < j->n; i++)
		if (j->next_at[i] < j->next_at[best])
			best = i;
	return best;
}

/* One run of job k with an id of its own ("job-..."), so that the lines
 * it writes can be told from those of other runs. */
static enum zek_rc
run_one(const struct jobs *j, const struct job *job, bool *more)
{
	char id[LOG_ID_MAX];
	int64_t t0 = now_ms(j);
	enum zek_rc rc;

	log_id_new("job-", id);
	log_id_set(id);
	rc = job->run(job->arg, more);
	if (rc != ZEK_OK)
		log_error("jobs", "job failed",
		    LOG_FIELDS(LOG_S("job", job->name),
		        LOG_S("error", zek_rc_name(rc))));
	else
		log_debug("jobs", "job done",
		    LOG_FIELDS(LOG_S("job", job->name),
		        LOG_I("duration_ms", now_ms(j) - t0),
		        LOG_I("more", *more)));
	log_id_set(NULL);
	return rc;
}

static void *
jobs_main(void *arg)
{
	struct jobs *j = arg;
	enum zek_rc rc;
	bool more;
	size_t k;

	pthread_setname_np(pthread_self(), "zek-jobs"); /* top -H, perf */
	pthread_mutex_lock(&j->mu);
	while (!j->stopping) {
		k = next_due(j);
		if (now_ms(j) < j->next_at[k]) {
			/* Woken early (kick, stop) or not, the loop looks again. */
			j->clock.wait(j->clock.arg, &j->cond, &j->mu,
			    j->next_at[k]);
			continue;
		}
		/* The job runs without the lock, so stop and kick never wait
		 * on it; the stop takes effect after the pass. */
		j->kicked[k] = false;
		pthread_mutex_unlock(&j->mu);
		more = false;
		rc = run_one(j, &j->table[k], &more);
		pthread_mutex_lock(&j->mu);
		/* After a failure wait the interval, even if more was asked;
		 * a kick during the run (mail enqueued after the outbox was
		 * read) still runs the job again at once. */
		j->next_at[k] = now_ms(j) +
		    (j->kicked[k] || (more && rc == ZEK_OK) ?
		            0 :
		            j->table[k].interval_ms);
	}
	pthread_mutex_unlock(&j->mu);
	return NULL;
}

enum zek_rc
jobs_start(const struct job *table, size_t n, struct jobs **out)
{
	return jobs_start_clock(table, n, &mono_clock, out);
}

enum zek_rc
jobs_start_clock(const struct job *table, size_t n,
    const struct jobs_clock *clock, struct jobs **out)
{
	pthread_condattr_t ca;
	sigset_t all, old;
	struct jobs *j;
	size_t i;
	int err;

	if (n == 0 || n > JOBS_MAX)
		return ZEK_INVALID;
	for (i = 0; i < n; i++)
		if (table[i].interval_ms <= 0 || table[i].run == NULL)
			return ZEK_INVALID;
	j = calloc(1, sizeof(*j));
	if (j == NULL)
		return ZEK_NOMEM;
	memcpy(j->table, table, n * sizeof(*table));
	j->n = n;
	j->clock = *clock;
	for (i = 0; i < n; i++)
		j->next_at[i] = now_ms(j);
	pthread_mutex_init(&j->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&j->cond, &ca);
	pthread_condattr_destroy(&ca);
	/* The new thread inherits this mask: no signal ever lands there. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&j->thread, NULL, jobs_main, j);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err != 0) {
		pthread_cond_destroy(&j->cond);
		pthread_mutex_destroy(&j->mu);
		free(j);
		return ZEK_IO;
	}
	*out = j;
	return ZEK_OK;
}

void
jobs_stop(struct jobs *j)
{
	if (j == NULL)
		return;
	pthread_mutex_lock(&j->mu);
	j->stopping = true;
	pthread_cond_signal(&j->cond);
	pthread_mutex_unlock(&j->mu);
	pthread_join(j->thread, NULL);
	pthread_cond_destroy(&j->cond);
	pthread_mutex_destroy(&j->mu);
	free(j);
}

void
jobs_kick(struct jobs *j, const char *name)
{
	size_t i;

	if (j == NULL)
		return;
	pthread_mutex_lock(&j->mu);
	for (i = 0; i < j->n; i++)
		if (str_eq(j->table[i].name, name)) {
			j->next_at[i] = 0;
			j->kicked[i] = true;
		}
	pthread_cond_signal(&j->cond);
	pthread_mutex_unlock(&j->mu);
}
