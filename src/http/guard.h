/* guard.h: the connection guard: time limits for slow clients, checks of a
 * request's framing before anything reads it, and decoded URLs without NUL.
 * docs/internals/limits.md lists every limit and its answer. */
#ifndef ZEK_HTTP_GUARD_H
#define ZEK_HTTP_GUARD_H

#include <microhttpd.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"

struct req;

/* The peer's address as text in ip (n bytes, INET6_ADDRSTRLEN is
 * enough), "-" when it has none (a Unix socket) or it does not fit. */
void guard_peer_ip(struct MHD_Connection *conn, char *ip, size_t n);
/* Starts the watchdog thread that shuts down connections over their time
 * limits (cfg->header_timeout_s, cfg->body_min_rate); cfg must outlive
 * guard_stop. Returns a zek_rc. */
int guard_start(const struct config *cfg);
/* Stops the watchdog; call after MHD_stop_daemon. */
void guard_stop(void);

/* MHD_OPTION_NOTIFY_CONNECTION: starts and ends the watch of a connection. */
void guard_on_connection(void *cls, struct MHD_Connection *conn,
    void **socket_context, enum MHD_ConnectionNotificationCode code);

/* The phases of a connection, told by the request callbacks. Each is a
 * no-op for a connection the guard does not watch. */
void guard_request(struct MHD_Connection *conn); /* headers are complete */
/* n more body bytes arrived; returns the body bytes of this request. */
uint64_t guard_body(struct MHD_Connection *conn, size_t n);
void guard_reply(struct MHD_Connection *conn); /* the answer is made */
void guard_idle(struct MHD_Connection *conn);  /* the answer was sent */

/* MHD_OPTION_UNESCAPE_CALLBACK: %XX decoding of the path and the query
 * arguments that keeps "%00" as it is, so that no decoded value is cut
 * short by a NUL (the path then matches no route). Returns the new length. */
size_t guard_unescape(void *cls, struct MHD_Connection *conn, char *s);

/* Checks what MHD lets through but we refuse before reading a body: a
 * path too long (414) or not clean UTF-8 (400); two different
 * Content-Length headers, Content-Length beside Transfer-Encoding, a
 * header name that is no token, control characters in a header value
 * (400); a transfer coding other than
 * chunked (501). When refused, sets the answer (an error page in the
 * viewer's language, or a JSM error body under /rest/) and returns true. */
bool guard_refused(struct req *rq, size_t path_max);
/* The status guard_refused would answer with, 0 when none; sets nothing. */
unsigned guard_status(struct req *rq, size_t path_max);

#endif
