/* listener.h: the listening socket and the thread that accepts on it,
 * handing each connection to libmicrohttpd (MHD_add_connection).
 *
 * zek owns the socket rather than libmicrohttpd so that a stop can close
 * it while the daemon keeps serving: MHD_quiesce_daemon, libmicrohttpd's
 * way, races its own epoll threads for the socket and aborts the process
 * when it loses ("Failed to remove listen FD from epoll set"). */
#ifndef ZEK_HTTP_LISTENER_H
#define ZEK_HTTP_LISTENER_H

#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

struct listener {
	int fd;
	uint16_t port; /* the bound port (a chosen one for port 0) */
	struct MHD_Daemon *daemon;
	unsigned limit;   /* connections open at once */
	atomic_uint open; /* handed to the daemon and not closed yet */
	pthread_t thread;
	bool running;         /* the thread was started */
	atomic_bool stopping; /* set before the socket is shut down */
};

/* Binds and listens on `sa` with a queue of `backlog`. Returns a zek_rc;
 * errno says why it failed. */
int listener_open(struct listener *l, const struct sockaddr_in *sa,
    int backlog);

/* Starts accepting for `d`, which was started with
 * MHD_USE_NO_LISTEN_SOCKET and MHD_USE_ITC, keeping at most `limit`
 * connections open: one more is closed at once. The daemon's own limit
 * must be LISTENER_DAEMON_LIMIT(limit, threads) (see there). Returns a
 * zek_rc. */
int listener_start(struct listener *l, struct MHD_Daemon *d, unsigned limit);

/* Called when the daemon closed a connection (MHD_CONNECTION_NOTIFY_CLOSED). */
void listener_closed(struct listener *l);

/* The connection limit to give libmicrohttpd: never reached. It splits
 * its limit among the pool's threads and, when a thread reaches its
 * share with connections still queued for it, 0.9.75 leaves a lock of
 * that thread taken and the thread hangs for good. The listener keeps
 * the limit instead, for all threads together, so no thread's share
 * (the whole limit) is ever reached. */
#define LISTENER_DAEMON_LIMIT(limit, threads) ((limit) * (threads) + 1)

/* Stops accepting and closes the socket: a new connection is refused
 * from then on, and connections still queued are reset. Safe to call
 * twice and after a failed open. */
void listener_close(struct listener *l);

#endif
