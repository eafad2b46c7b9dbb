/* health.c: liveness and Prometheus metrics for operators, to the configured addresses only. */
#include "web/web.h"

#include <inttypes.h>

#include "core/agent.h"
#include "http/metrics.h"
#include "http/proxy.h"

/* /healthz and /metrics answer only to metrics_allow (loopback unless
 * set): what they tell is for the operator's monitoring. */
static bool
allowed(struct req *rq)
{
	return proxy_list_has(&rq->app->metrics_allow, rq->client_ip);
}

/* GET /healthz: answers once the database answers. */
int
web_healthz(struct req *rq)
{
	static const char ok[] = "ok\n";

	if (!allowed(rq))
		return web_fail(rq, 404, ZEK_NOTFOUND);
	return http_reply_bytes(rq, 200, "text/plain; charset=utf-8", ok,
	    sizeof(ok) - 1, false);
}

static void
gauge(struct buf *b, const char *name, const char *help, int64_t v)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s gauge\n%s %" PRId64 "\n", name,
	    help, name, name, v);
}

/* What the database says, read now; left out when it cannot be read
 * (zek_db_up says so). */
static void
write_gauges(struct req *rq, struct buf *b)
{
	struct core_gauges g;
	bool up = core_gauges_read(&rq->ctx, &g) == ZEK_OK;

	gauge(b, "zek_db_up", "1 when the database answered this scrape.",
	    up ? 1 : 0);
	if (!up)
		return;
	gauge(b, "zek_mail_pending", "Mails waiting in the outbox.",
	    g.mails_pending);
	gauge(b, "zek_mail_oldest_pending_seconds", "Age of the oldest "
	    "waiting mail.", g.mails_oldest_age_ms / 1000);
	gauge(b, "zek_mail_failed", "Mails that failed for good.",
	    g.mails_failed);
	gauge(b, "zek_sla_breached_open_requests", "Open requests with a "
	    "service-level goal breached.", g.sla_breached_open);
}

/* GET /metrics */
int
web_metrics(struct req *rq)
{
	struct buf b;
	int rc;

	if (!allowed(rq))
		return web_fail(rq, 404, ZEK_NOTFOUND);
	buf_init(&b, 1 << 20);
	buf_printf(&b, "# HELP zek_http_requests_total HTTP requests received.\n"
	    "# TYPE zek_http_requests_total counter\n"
	    "zek_http_requests_total %" PRIu64 "\n", http_requests_total());
	buf_printf(&b, "# HELP zek_http_body_memory_bytes Request bodies held "
	    "in memory now (budget: max_body_memory).\n"
	    "# TYPE zek_http_body_memory_bytes gauge\n"
	    "zek_http_body_memory_bytes %" PRIu64 "\n", http_body_memory());
	write_gauges(rq, &b);
	metrics_write(&b);
	rc = http_reply(rq, 200, "text/plain; version=0.0.4; charset=utf-8", &b);
	buf_free(&b);
	return rc;
}
