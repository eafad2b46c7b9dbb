/* writers.c: a queue of jobs and the threads that run them, oldest first. */
#include "http/writers.h"

#include <stdlib.h>

#include "lib/zek.h"

/* Each writer thread has its own database connection (store_conn keeps
 * one per thread), made when it runs its first job. */
static void *
writer_main(void *arg)
{
	struct writers *w = arg;
	struct writer_job *job;

	pthread_setname_np(pthread_self(), "zek-writer"); /* top -H, perf */
	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (w->head == NULL && !w->stopping)
			pthread_cond_wait(&w->more, &w->lock);
		job = w->head;
		if (job == NULL)
			break; /* stopping, and nothing left */
		w->head = job->next;
		if (w->head == NULL)
			w->tail = NULL;
		pthread_mutex_unlock(&w->lock);
		job->run(job->arg);
		pthread_mutex_lock(&w->lock);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

int
writers_start(struct writers *w, unsigned n)
{
	*w = (struct writers){ .started = 0 };
	if (pthread_mutex_init(&w->lock, NULL) != 0)
		return ZEK_IO;
	if (pthread_cond_init(&w->more, NULL) != 0) {
		pthread_mutex_destroy(&w->lock);
		return ZEK_IO;
	}
	w->threads = calloc(n, sizeof(*w->threads));
	if (w->threads == NULL) {
		writers_stop(w);
		return ZEK_NOMEM;
	}
	for (; w->started < n; w->started++) {
		if (pthread_create(&w->threads[w->started], NULL, writer_main,
		        w) != 0) {
			writers_stop(w);
			return ZEK_IO;
		}
	}
	return ZEK_OK;
}

void
writers_push(struct writers *w, struct writer_job *job)
{
	job->next = NULL;
	pthread_mutex_lock(&w->lock);
	if (w->tail != NULL)
		w->tail->next = job;
	else
		w->head = job;
	w->tail = job;
	pthread_cond_signal(&w->more);
	pthread_mutex_unlock(&w->lock);
}

void
writers_stop(struct writers *w)
{
	unsigned i;

	pthread_mutex_lock(&w->lock);
	w->stopping = true;
	pthread_cond_broadcast(&w->more);
	pthread_mutex_unlock(&w->lock);
	for (i = 0; i < w->started; i++)
		pthread_join(w->threads[i], NULL);
	free(w->threads);
	w->threads = NULL;
	w->started = 0;
	pthread_cond_destroy(&w->more);
	pthread_mutex_destroy(&w->lock);
}
