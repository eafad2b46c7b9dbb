/* metrics.h: what the HTTP server counts for /metrics: answers by route and status, and their latency. */
#ifndef ZEK_HTTP_METRICS_H
#define ZEK_HTTP_METRICS_H

#include <stdint.h>

struct buf;
struct route;

/* One answer: its route (NULL when none matched), status and time taken
 * in microseconds. Lock-free; any thread. */
void metrics_record(const struct route *r, unsigned status, int64_t us);

/* The counters as Prometheus text: zek_http_responses_total by method,
 * route pattern and status class, and zek_http_request_duration_seconds
 * as a histogram by method and route. Routes never asked are left out. */
void metrics_write(struct buf *b);

#endif
