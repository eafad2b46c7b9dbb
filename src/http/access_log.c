/* access_log.c: the access log line of a request, as text or log fields. */
#include "http/access_log.h"

#include <inttypes.h>
#include <stdio.h>

#include "http/http.h"
#include "http/router.h"
#include "lib/log.h"

/* The longest text line (longer ones are cut). */
#define ACCESS_LOG_LINE 1024

void
access_log_request(const struct req *rq, unsigned status, int64_t us)
{
	char line[ACCESS_LOG_LINE], method[64], path[768];
	const char *shown = rq->route != NULL &&
	        (rq->route->flags & ROUTE_SECRET) ?
	    rq->route->pattern :
	    rq->path;

	snprintf(line, sizeof(line), "%s %s %s %s %u %zu %" PRId64 "us", rq->id,
	    rq->client_ip, access_log_field(method, sizeof(method), rq->method),
	    access_log_field(path, sizeof(path), shown), status, rq->resp_bytes,
	    us);
	log_access(line,
	    LOG_FIELDS(LOG_S("client", rq->client_ip),
	        LOG_S("method", rq->method), LOG_S("path", shown),
	        LOG_S("route", rq->route != NULL ? rq->route->pattern : ""),
	        LOG_I("status", status), LOG_I("bytes", rq->resp_bytes),
	        LOG_I("duration_us", us)));
}

const char *
access_log_field(char *out, size_t cap, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char ch;
	size_t n = 0;

	if (cap == 0)
		return out;
	for (; *s != '\0'; s++) {
		ch = (unsigned char)*s;
		if (ch > ' ' && ch != '%' && ch != 0x7f) {
			if (n + 1 >= cap)
				break;
			out[n++] = (char)ch;
			continue;
		}
		if (n + 3 >= cap)
			break;
		out[n++] = '%';
		out[n++] = hex[ch >> 4];
		out[n++] = hex[ch & 15];
	}
	out[n] = '\0';
	return out;
}
