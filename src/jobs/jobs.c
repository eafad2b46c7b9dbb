/* jobs.c: the job table of `zek serve` and the small functions each entry runs. */
#include "jobs/jobs.h"

#include "core/accounts.h"
#include "core/attachments.h"
#include "core/auth.h"
#include "core/config.h"
#include "core/keep.h"
#include "core/ctx.h"
#include "core/retention.h"
#include "core/sla.h"
#include "core/stats.h"
#include "core/workflow.h"
#include "jobs/scheduler.h"
#include "lib/arena.h"
#include "lib/log.h"
#include "mail/outbox.h"
#include "mail/receive/imap.h"

#define JOB_ARENA_LIMIT (16u << 20)

/* Runs fn with a fresh arena and context on the scheduler's thread. */
static enum zek_rc
with_ctx(struct jobs_app *app, enum zek_rc (*fn)(struct zctx *, int64_t *),
    int64_t *n)
{
	struct arena *a = arena_new(JOB_ARENA_LIMIT);
	struct zctx ctx;
	enum zek_rc rc;

	if (a == NULL)
		return ZEK_NOMEM;
	rc = core_ctx_init(app->core, a, &ctx);
	if (rc == ZEK_OK)
		rc = fn(&ctx, n);
	arena_free(a);
	return rc;
}

static enum zek_rc
job_outbox(void *arg, bool *more)
{
	struct jobs_app *app = arg;
	struct outbox_stats st = { 0 };

	return outbox_run(app->core, &app->mail, &st, more);
}

/* New mail from imap_url; says what became of it when there was any. */
static enum zek_rc
job_imap(void *arg, bool *more)
{
	struct jobs_app *app = arg;
	struct imap_stats st = { 0 };
	enum zek_rc rc;

	rc = imap_fetch_run(app->core, app->mail.cfg, &st, more);
	if (st.fetched > 0)
		log_info("mail", "imap fetched",
		    LOG_FIELDS(LOG_I("fetched", st.fetched),
		        LOG_I("comments", st.comments),
		        LOG_I("requests", st.requests),
		        LOG_I("quarantined", st.quarantined),
		        LOG_I("ignored", st.ignored),
		        LOG_I("stored_before", st.before)));
	return rc;
}

static enum zek_rc
job_attachments(void *arg, bool *more)
{
	int64_t n = 0;
	enum zek_rc rc;

	(void)more;
	rc = with_ctx(arg, core_attachments_purge, &n);
	if (rc == ZEK_OK && n > 0)
		log_info("jobs", "expired uploads purged",
		    LOG_FIELDS(LOG_I("uploads", n)));
	return rc;
}

static enum zek_rc
job_sessions(void *arg, bool *more)
{
	int64_t n = 0;
	enum zek_rc rc;

	(void)more;
	rc = with_ctx(arg, core_sessions_purge, &n);
	/* Forms kept when a session was gone live an hour (core/keep.h). */
	if (rc == ZEK_OK)
		rc = with_ctx(arg, core_kept_forms_purge, &n);
	return rc;
}

static enum zek_rc
job_account_links(void *arg, bool *more)
{
	int64_t n = 0;

	(void)more;
	return with_ctx(arg, core_account_links_purge, &n);
}

/* A job that works in batches: fn with a fresh context, *more when its
 * batch was full; what it did is said when it did anything (said: the
 * message, with the count as "requests"; NULL = nothing to say) and
 * counted (runs, done: STAT_MAX = not counted). */
static enum zek_rc
run_batch(struct jobs_app *app,
    enum zek_rc (*fn)(struct zctx *, int64_t *, bool *), bool *more,
    const char *said, enum core_stat runs, enum core_stat done)
{
	struct arena *a = arena_new(JOB_ARENA_LIMIT);
	struct zctx ctx;
	int64_t n = 0;
	enum zek_rc rc;

	if (a == NULL)
		return ZEK_NOMEM;
	rc = core_ctx_init(app->core, a, &ctx);
	if (rc == ZEK_OK)
		rc = fn(&ctx, &n, more);
	arena_free(a);
	core_stat_add(runs, 1);
	core_stat_add(done, n > 0 ? (uint64_t)n : 0);
	if (n > 0 && said != NULL)
		log_info("jobs", said, LOG_FIELDS(LOG_I("requests", n)));
	return rc;
}

/* Works out the queues' service levels of requests marked stale (a
 * type's goals changed). */
static enum zek_rc
job_sla(void *arg, bool *more)
{
	return run_batch(arg, core_sla_refresh_stale, more, NULL, STAT_MAX,
	    STAT_MAX);
}

/* Deletes closed requests past retention_closed_days, a batch a pass. */
static enum zek_rc
job_retention(void *arg, bool *more)
{
	return run_batch(arg, core_retention_run, more,
	    "retention deleted closed requests", STAT_RETENTION_RUNS,
	    STAT_RETENTION_DELETED);
}

static enum zek_rc
auto_close_batch(struct zctx *ctx, int64_t *n, bool *more)
{
	return core_auto_close_run(ctx, 0, n, more);
}

/* Closes the requests whose proposed solution waited too long (issue 4). */
static enum zek_rc
job_auto_close(void *arg, bool *more)
{
	return run_batch(arg, auto_close_batch, more,
	    "requests closed automatically", STAT_AUTO_CLOSE_RUNS,
	    STAT_AUTO_CLOSED);
}

enum zek_rc
jobs_serve_start(struct jobs_app *app, struct jobs **out)
{
	const struct config *cfg = app->mail.cfg;
	const struct job table[] = {
		{ "outbox", cfg->mail_poll_ms, job_outbox, app },
		{ "imap", cfg->imap_poll_ms, job_imap, app },
		{ "attachments", JOBS_PURGE_INTERVAL_MS, job_attachments, app },
		{ "sessions", JOBS_PURGE_INTERVAL_MS, job_sessions, app },
		{ "account_links", JOBS_PURGE_INTERVAL_MS, job_account_links,
		    app },
		{ "auto-close", JOBS_AUTO_CLOSE_INTERVAL_MS, job_auto_close,
		    app },
		{ "sla", JOBS_SLA_INTERVAL_MS, job_sla, app },
		{ "retention", JOBS_PURGE_INTERVAL_MS, job_retention, app },
	};

	return jobs_start(table, ZEK_ARRAY_LEN(table), out);
}
