/* scheduler.c: a thread that sleeps until the next job is due, runs it, and stops on request. */
#include "jobs/scheduler.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/log.h"
#include "lib/str.h"

struct jobs {
	struct job table[JOBS_MAX];
	int64_t next_at[JOBS_MAX];  /* monotonic ms */
	size_t n;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cond;        /* on CLOCK_MONOTONIC */
	bool stopping;              /* under mu */
};

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

/* Waits until `at` (monotonic ms) or a stop/kick; returns with mu held. */
static void
wait_until(struct jobs *j, int64_t at)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(at / 1000);
	ts.tv_nsec = (long)(at % 1000) * 1000000;
	while (!j->stopping && mono_ms() < at &&
	    j->next_at[next_due(j)] >= at) {
		if (pthread_cond_timedwait(&j->cond, &j->mu, &ts) == ETIMEDOUT)
			break;
	}
}

/* One run of job k with an id of its own ("job-..."), so that the lines
 * it writes can be told from those of other runs. */
static enum zek_rc
run_one(struct job *job, bool *more)
{
	char id[LOG_ID_MAX];
	int64_t t0 = mono_ms();
	enum zek_rc rc;

	log_id_new("job-", id);
	log_id_set(id);
	rc = job->run(job->arg, more);
	if (rc != ZEK_OK)
		log_error("jobs", "job failed", LOG_FIELDS(LOG_S("job",
		    job->name), LOG_S("error", zek_rc_name(rc))));
	else
		log_debug("jobs", "job done", LOG_FIELDS(LOG_S("job", job->name),
		    LOG_I("duration_ms", mono_ms() - t0), LOG_I("more", *more)));
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

	pthread_mutex_lock(&j->mu);
	while (!j->stopping) {
		k = next_due(j);
		if (mono_ms() < j->next_at[k]) {
			wait_until(j, j->next_at[k]);
			continue;
		}
		/* The job runs without the lock, so stop and kick never wait
		 * on it; the stop takes effect after the pass. */
		pthread_mutex_unlock(&j->mu);
		more = false;
		rc = run_one(&j->table[k], &more);
		pthread_mutex_lock(&j->mu);
		/* After a failure wait the interval, even if more was asked. */
		j->next_at[k] = mono_ms() + (more && rc == ZEK_OK ? 0 :
		    j->table[k].interval_ms);
	}
	pthread_mutex_unlock(&j->mu);
	return NULL;
}

enum zek_rc
jobs_start(const struct job *table, size_t n, struct jobs **out)
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
	for (i = 0; i < n; i++)
		j->next_at[i] = mono_ms();
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
		if (str_eq(j->table[i].name, name))
			j->next_at[i] = 0;
	pthread_cond_signal(&j->cond);
	pthread_mutex_unlock(&j->mu);
}
