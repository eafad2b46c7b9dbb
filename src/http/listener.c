/* listener.c: accepts connections and hands them to libmicrohttpd. */
#include "http/listener.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/zek.h"

int
listener_open(struct listener *l, const struct sockaddr_in *sa, int backlog)
{
	const int on = 1;
	struct sockaddr_in bound;
	socklen_t len = sizeof(bound);

	memset(l, 0, sizeof(*l));
	l->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l->fd < 0)
		return ZEK_IO;
	/* A restart may bind while the old process's connections linger. */
	if (setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
	    bind(l->fd, (const struct sockaddr *)sa, sizeof(*sa)) != 0 ||
	    listen(l->fd, backlog) != 0 ||
	    getsockname(l->fd, (struct sockaddr *)&bound, &len) != 0) {
		int err = errno;

		close(l->fd);
		l->fd = -1;
		errno = err;
		return ZEK_IO;
	}
	l->port = ntohs(bound.sin_port);
	return ZEK_OK;
}

/* Whether accept()'s error passes: a connection that died in the queue,
 * a signal, or a lack of descriptors or memory (waited out a little, so
 * that a full table does not spin the thread). */
static bool
accept_error_passes(int err)
{
	static const struct timespec pause = { 0, 10000000 };

	switch (err) {
	case EINTR:
	case EAGAIN:
	case ECONNABORTED:
	case EPROTO:
		return true;
	case EMFILE:
	case ENFILE:
	case ENOBUFS:
	case ENOMEM:
		nanosleep(&pause, NULL);
		return true;
	default:
		return false;
	}
}

/* Gives connection `c` to the daemon, or closes it when the limit is
 * reached. The daemon closes one that it refuses itself (the limit per
 * address). */
static void
hand_over(struct listener *l, int c, const struct sockaddr_in *peer,
    socklen_t len)
{
	if (atomic_fetch_add(&l->open, 1) >= l->limit) {
		atomic_fetch_sub(&l->open, 1);
		close(c);
		return;
	}
	if (MHD_add_connection(l->daemon, c, (const struct sockaddr *)peer,
	        len) != MHD_YES)
		atomic_fetch_sub(&l->open, 1);
}

/* Blocks in accept() until listener_close shuts the socket down (accept
 * then fails with EINVAL). Every accepted connection is either handed
 * over or closed (hand_over), so nothing leaks here. */
static void *
accept_loop(void *arg)
{
	struct listener *l = arg;

	pthread_setname_np(pthread_self(), "zek-accept"); /* top -H, perf */
	while (!atomic_load(&l->stopping)) {
		struct sockaddr_in peer;
		socklen_t len = sizeof(peer);
		int c = accept4(l->fd, (struct sockaddr *)&peer, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (c >= 0)
			hand_over(l, c, &peer, len);
		else if (!accept_error_passes(errno))
			break;
	}
	if (!atomic_load(&l->stopping))
		log_error("http", "stopped accepting connections",
		    LOG_FIELDS(LOG_S("error", strerror(errno))));
	return NULL;
}

int
listener_start(struct listener *l, struct MHD_Daemon *d, unsigned limit)
{
	l->daemon = d;
	l->limit = limit;
	if (pthread_create(&l->thread, NULL, accept_loop, l) != 0)
		return ZEK_IO;
	l->running = true;
	return ZEK_OK;
}

void
listener_closed(struct listener *l)
{
	atomic_fetch_sub(&l->open, 1);
}

void
listener_close(struct listener *l)
{
	if (l->fd < 0)
		return;
	atomic_store(&l->stopping, true);
	/* Wakes the blocked accept() (EINVAL) and takes the port away. */
	shutdown(l->fd, SHUT_RDWR);
	if (l->running)
		pthread_join(l->thread, NULL);
	l->running = false;
	close(l->fd);
	l->fd = -1;
}
