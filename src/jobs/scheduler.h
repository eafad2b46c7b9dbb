/* scheduler.h: one background thread that runs periodic jobs inside `zek serve`. */
#ifndef ZEK_JOBS_SCHEDULER_H
#define ZEK_JOBS_SCHEDULER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/zek.h"

#define JOBS_MAX 16

/* One periodic job. run() does one pass and returns a zek_rc (logged when
 * not ZEK_OK); setting *more asks to run again at once (a batch was
 * full), otherwise the job runs again `interval_ms` later. Jobs run one
 * after the other on the scheduler's thread, which has its own database
 * connection (store_conn is per thread). */
struct job {
	const char *name;    /* for the log: "outbox" */
	int64_t interval_ms; /* > 0 */
	enum zek_rc (*run)(void *arg, bool *more);
	void *arg; /* borrowed; lives until jobs_stop */
};

/* Where the scheduler's time comes from: the monotonic clock in `zek
 * serve`, a clock the test moves by hand in tests/unit/jobs/scheduler.c,
 * so that it needs no sleeps. */
struct jobs_clock {
	int64_t (*now)(void *arg); /* ms, >= 0; never goes back */
	/* Called on the scheduler's thread with mu held when no job is due
	 * before `at` (ms on now's clock). Returns with mu held, as
	 * pthread_cond_timedwait does: once now() reached `at`, or earlier
	 * when cond was signalled (kick, stop); returning early for no
	 * reason is allowed, the scheduler looks again. */
	void (*wait)(void *arg, pthread_cond_t *cond, pthread_mutex_t *mu,
	    int64_t at);
	void *arg; /* borrowed; lives until jobs_stop */
};

struct jobs;

/* Copies the table and starts the thread; every job runs once soon after
 * the start. The thread blocks every signal, so SIGINT/SIGTERM still
 * reach the server's sigwait. Caller owns *out; stop it with jobs_stop.
 * ZEK_INVALID for more than JOBS_MAX jobs or an interval <= 0; ZEK_NOMEM,
 * ZEK_IO when the thread cannot start. */
enum zek_rc jobs_start(const struct job *table, size_t n, struct jobs **out);

/* jobs_start on the given clock (copied) instead of the monotonic one. */
enum zek_rc jobs_start_clock(const struct job *table, size_t n,
    const struct jobs_clock *clock, struct jobs **out);

/* Asks the thread to end, waits for the running pass (if any) to finish,
 * joins and frees. NULL is allowed. */
void jobs_stop(struct jobs *j);

/* Runs job `name` as soon as possible (e.g. after mail was enqueued).
 * Unknown names are ignored. Thread-safe. */
void jobs_kick(struct jobs *j, const char *name);

#endif
