/* metrics.c: counters by route for /metrics, kept with atomics. */
#include "http/metrics.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stddef.h>

#include "http/router.h"
#include "lib/buf.h"

#define ROUTES_MAX 256 /* routes counted; the rest as "other" */
#define CLASSES 5      /* 1xx .. 5xx */

/* Upper bounds of the latency buckets, in microseconds ("le"). */
static const int64_t bucket_us[] = { 1000, 5000, 10000, 50000, 100000, 500000,
	1000000, 5000000 };
#define BUCKETS (sizeof(bucket_us) / sizeof(bucket_us[0]))

struct route_counts {
	atomic_uint_fast64_t by_class[CLASSES];
	atomic_uint_fast64_t buckets[BUCKETS]; /* cumulative at write time */
	atomic_uint_fast64_t count;
	atomic_uint_fast64_t sum_us;
};

/* [0..ROUTES_MAX): the route table's entries; ROUTES_MAX: no route. */
static struct route_counts counts[ROUTES_MAX + 1];

static size_t
slot_of(const struct route *r)
{
	ptrdiff_t i = r != NULL ? r - routes : -1;

	return i >= 0 && i < ROUTES_MAX ? (size_t)i : ROUTES_MAX;
}

void
metrics_record(const struct route *r, unsigned status, int64_t us)
{
	struct route_counts *c = &counts[slot_of(r)];
	size_t k;

	if (status >= 100 && status < 600)
		atomic_fetch_add(&c->by_class[status / 100 - 1], 1);
	if (us < 0)
		us = 0;
	for (k = 0; k < BUCKETS && us > bucket_us[k]; k++)
		;
	if (k < BUCKETS)
		atomic_fetch_add(&c->buckets[k], 1);
	atomic_fetch_add(&c->count, 1);
	atomic_fetch_add(&c->sum_us, (uint_fast64_t)us);
}

static void
labels(size_t slot, const char **method, const char **route)
{
	*method = slot < ROUTES_MAX ? routes[slot].method : "";
	*route = slot < ROUTES_MAX ? routes[slot].pattern : "(none)";
}

static void
write_responses(struct buf *b, size_t slot)
{
	const char *method, *route;
	uint64_t n;
	size_t k;

	labels(slot, &method, &route);
	for (k = 0; k < CLASSES; k++) {
		n = atomic_load(&counts[slot].by_class[k]);
		if (n > 0)
			buf_printf(b,
			    "zek_http_responses_total{method=\"%s\","
			    "route=\"%s\",status=\"%zuxx\"} %" PRIu64 "\n",
			    method, route, k + 1, n);
	}
}

static void
write_histogram(struct buf *b, size_t slot)
{
	const char *method, *route;
	uint64_t upto = 0, n = atomic_load(&counts[slot].count);
	size_t k;

	labels(slot, &method, &route);
	for (k = 0; k < BUCKETS; k++) {
		upto += atomic_load(&counts[slot].buckets[k]);
		buf_printf(b,
		    "zek_http_request_duration_seconds_bucket{method="
		    "\"%s\",route=\"%s\",le=\"%g\"} %" PRIu64 "\n",
		    method, route, (double)bucket_us[k] / 1e6, upto);
	}
	buf_printf(b,
	    "zek_http_request_duration_seconds_bucket{method=\"%s\","
	    "route=\"%s\",le=\"+Inf\"} %" PRIu64 "\n",
	    method, route, n);
	buf_printf(b,
	    "zek_http_request_duration_seconds_sum{method=\"%s\","
	    "route=\"%s\"} %.6f\n",
	    method, route, (double)atomic_load(&counts[slot].sum_us) / 1e6);
	buf_printf(b,
	    "zek_http_request_duration_seconds_count{method=\"%s\","
	    "route=\"%s\"} %" PRIu64 "\n",
	    method, route, n);
}

void
metrics_write(struct buf *b)
{
	size_t slot, nroutes;

	for (nroutes = 0;
	     nroutes < ROUTES_MAX && routes[nroutes].pattern != NULL; nroutes++)
		;
	buf_puts(b,
	    "# HELP zek_http_responses_total Answers by route and "
	    "status class.\n# TYPE zek_http_responses_total counter\n");
	for (slot = 0; slot <= ROUTES_MAX; slot++)
		if ((slot < nroutes || slot == ROUTES_MAX) &&
		    atomic_load(&counts[slot].count) > 0)
			write_responses(b, slot);
	buf_puts(b,
	    "# HELP zek_http_request_duration_seconds Time from the "
	    "request's start to its answer.\n"
	    "# TYPE zek_http_request_duration_seconds histogram\n");
	for (slot = 0; slot <= ROUTES_MAX; slot++)
		if ((slot < nroutes || slot == ROUTES_MAX) &&
		    atomic_load(&counts[slot].count) > 0)
			write_histogram(b, slot);
}
