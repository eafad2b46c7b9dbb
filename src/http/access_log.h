/* access_log.h: one line per answered request, through the log (lib/log.h):
 * batched, so that a busy server writes a few times a second; a line is
 * never split between two writes, and event lines keep their place. */
#ifndef ZEK_HTTP_ACCESS_LOG_H
#define ZEK_HTTP_ACCESS_LOG_H

#include <stddef.h>
#include <stdint.h>

struct req;

/* The line of rq, answered with `status` (0: none) after `us`
 * microseconds. In the text format:
 *   <request id> <client> <method> <path> <status> <bytes> <us>us
 * In JSON the same as fields (client, method, path, route, status,
 * bytes, duration_us). A path holding a secret (ROUTE_SECRET) is written
 * as its route's pattern. */
void access_log_request(const struct req *rq, unsigned status, int64_t us);
/* s as one field of a text line: control characters, spaces, '%' and DEL
 * as %XX, so that a decoded path can neither split the line or its fields
 * nor send escape sequences to a terminal. Written to out (cap bytes, cut
 * to fit); returns out. */
const char *access_log_field(char *out, size_t cap, const char *s);

#endif
