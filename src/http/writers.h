/* writers.h: threads of their own for the requests that may write.
 *
 * A request that writes may wait for the database's write lock (SQLite
 * has one writer at a time) and then runs its statements and triggers.
 * In a libmicrohttpd worker that wait would hold up every connection of
 * the worker, the reads too. Such a request is handed to a writer thread
 * instead, its connection suspended; the worker serves the others
 * meanwhile, and the writer resumes the connection when the answer is
 * ready (server.c). */
#ifndef ZEK_HTTP_WRITERS_H
#define ZEK_HTTP_WRITERS_H

#include <pthread.h>
#include <stdbool.h>

struct writer_job {
	struct writer_job *next;
	void (*run)(void *arg);
	void *arg;
};

struct writers {
	pthread_mutex_t lock;
	pthread_cond_t more;
	struct writer_job *head, *tail; /* waiting, oldest first */
	bool stopping;
	unsigned started;
	pthread_t *threads;
};

/* Starts n writer threads. Returns a zek_rc. */
int writers_start(struct writers *w, unsigned n);

/* Queues job for a writer (job lives until it has run). */
void writers_push(struct writers *w, struct writer_job *job);

/* Runs what is queued, then ends and joins the threads. */
void writers_stop(struct writers *w);

#endif
