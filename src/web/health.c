/* health.c: liveness and Prometheus metrics for operators. */
#include "web/web.h"

#include <inttypes.h>

/* GET /healthz: answers once the database answers. */
int
web_healthz(struct req *rq)
{
	static const char ok[] = "ok\n";

	return http_reply_bytes(rq, 200, "text/plain; charset=utf-8", ok,
	    sizeof(ok) - 1, false);
}

/* GET /metrics */
int
web_metrics(struct req *rq)
{
	struct buf b;
	int rc;

	buf_init(&b, 4096);
	buf_printf(&b, "# HELP zek_http_requests_total HTTP requests received.\n"
	    "# TYPE zek_http_requests_total counter\n"
	    "zek_http_requests_total %" PRIu64 "\n", http_requests_total());
	buf_printf(&b, "# HELP zek_http_body_memory_bytes Request bodies held "
	    "in memory now (budget: max_body_memory).\n"
	    "# TYPE zek_http_body_memory_bytes gauge\n"
	    "zek_http_body_memory_bytes %" PRIu64 "\n", http_body_memory());
	rc = http_reply(rq, 200, "text/plain; version=0.0.4; charset=utf-8", &b);
	buf_free(&b);
	return rc;
}
