/* health.c: liveness and Prometheus metrics for operators, to the configured addresses only. */
#include "web/web.h"

#include <inttypes.h>

#include "core/agent.h"
#include "core/stats.h"
#include "http/metrics.h"
#include "http/proxy.h"
#include "lib/log.h"

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
	gauge(b, "zek_mail_oldest_pending_seconds",
	    "Age of the oldest "
	    "waiting mail.",
	    g.mails_oldest_age_ms / 1000);
	gauge(b, "zek_mail_failed", "Mails that failed for good.",
	    g.mails_failed);
	gauge(b, "zek_sla_breached_open_requests",
	    "Open requests with a "
	    "service-level goal breached.",
	    g.sla_breached_open);
	gauge(b, "zek_db_size_bytes",
	    "The database's size (SQLite: file and "
	    "write-ahead log; PostgreSQL: pg_database_size).",
	    g.db_bytes);
}

static void
counter(struct buf *b, const char *name, const char *help, uint64_t v)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s counter\n%s %" PRIu64 "\n", name,
	    help, name, name, v);
}

/* What this process did since it started (core/stats.h, lib/log.h). */
static void
write_counters(struct buf *b)
{
	const char *name;
	size_t i;

	counter(b, "zek_mails_sent_total", "Mails the SMTP server took.",
	    core_stat(STAT_MAILS_SENT));
	buf_printf(b,
	    "# HELP zek_mail_send_failures_total Sends that failed: "
	    "permanent (refused, or given up after mail_expire_ms) or "
	    "temporary (tried again later).\n"
	    "# TYPE zek_mail_send_failures_total counter\n"
	    "zek_mail_send_failures_total{kind=\"permanent\"} %" PRIu64 "\n"
	    "zek_mail_send_failures_total{kind=\"temporary\"} %" PRIu64 "\n",
	    core_stat(STAT_MAILS_FAILED_PERMANENT),
	    core_stat(STAT_MAILS_FAILED_TEMPORARY));
	counter(b, "zek_auto_close_runs_total", "Runs of the auto-close job.",
	    core_stat(STAT_AUTO_CLOSE_RUNS));
	counter(b, "zek_auto_closed_requests_total",
	    "Requests the auto-close "
	    "job closed.",
	    core_stat(STAT_AUTO_CLOSED));
	counter(b, "zek_retention_runs_total", "Runs of the retention job.",
	    core_stat(STAT_RETENTION_RUNS));
	counter(b, "zek_retention_deleted_requests_total",
	    "Closed requests "
	    "the retention job deleted.",
	    core_stat(STAT_RETENTION_DELETED));
	buf_puts(b,
	    "# HELP zek_db_errors_total Database failures by kind.\n"
	    "# TYPE zek_db_errors_total counter\n");
	for (i = 0; i < core_db_error_kinds(); i++) {
		uint64_t n = core_db_errors(i, &name);
		buf_printf(b, "zek_db_errors_total{kind=\"%s\"} %" PRIu64 "\n",
		    name, n);
	}
	counter(b, "zek_db_retries_total",
	    "Transactions run again after the "
	    "database refused them (deadlock, serialisation).",
	    core_db_retries());
	buf_puts(b,
	    "# HELP zek_log_lines_total Event log lines written, by "
	    "level (access lines not counted).\n"
	    "# TYPE zek_log_lines_total counter\n");
	for (i = 0; i < LOG_LEVEL_MAX; i++)
		buf_printf(b, "zek_log_lines_total{level=\"%s\"} %" PRIu64 "\n",
		    log_level_name((enum log_level)i),
		    log_lines_total((enum log_level)i));
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
	buf_printf(&b,
	    "# HELP zek_http_requests_total HTTP requests received.\n"
	    "# TYPE zek_http_requests_total counter\n"
	    "zek_http_requests_total %" PRIu64 "\n",
	    http_requests_total());
	buf_printf(&b,
	    "# HELP zek_http_body_memory_bytes Request bodies held "
	    "in memory now (budget: max_body_memory).\n"
	    "# TYPE zek_http_body_memory_bytes gauge\n"
	    "zek_http_body_memory_bytes %" PRIu64 "\n",
	    http_body_memory());
	write_gauges(rq, &b);
	write_counters(&b);
	metrics_write(&b);
	rc = http_reply(rq, 200, "text/plain; version=0.0.4; charset=utf-8",
	    &b);
	buf_free(&b);
	return rc;
}
