/* jobs.h: the periodic jobs of `zek serve`: outbox worker, purges, auto-close. */
#ifndef ZEK_JOBS_JOBS_H
#define ZEK_JOBS_JOBS_H

#include "lib/zek.h"
#include "mail/compose.h"

struct core;
struct jobs;

#define JOBS_PURGE_INTERVAL_MS (10LL * 60 * 1000)
#define JOBS_AUTO_CLOSE_INTERVAL_MS (10LL * 60 * 1000)
#define JOBS_SLA_INTERVAL_MS (60LL * 1000)

/* What the jobs share; owned by the caller and alive until jobs_stop. */
struct jobs_app {
	struct core *core;
	struct mail_env mail; /* templates and catalogs for rendering mail */
};

/*
 * Starts the scheduler thread with the standard table:
 *   "outbox"      every cfg->mail_poll_ms: outbox_run (mail/outbox.h),
 *                 again at once while batches are full; idle without smtp_url
 *   "imap"        every cfg->imap_poll_ms: imap_fetch_run
 *                 (mail/receive/imap.h), again at once while batches
 *                 are full; idle without imap_url
 *   "attachments" every 10 min: core_attachments_purge (expired temporary uploads)
 *   "sessions"    every 10 min: core_sessions_purge (expired sessions),
 *                 core_kept_forms_purge (expired kept forms)
 *   "auto-close"  every 10 min: core_auto_close_run (core/workflow.h),
 *                 again at once while batches are full
 *   "retention"   every 10 min: core_retention_run (core/retention.h),
 *                 closed requests past retention_closed_days, a batch
 *                 a pass, again at once while batches are full
 *   "sla"         every minute: core_sla_refresh_stale (core/sla.h), the
 *                 queues' service levels after goals changed, again at
 *                 once while batches are full
 * A new periodic job is one more line in the table in jobs.c with a
 * function of the same shape as job_sessions.
 * Stop with jobs_stop (jobs/scheduler.h) before core_close.
 */
enum zek_rc jobs_serve_start(struct jobs_app *app, struct jobs **out);

#endif
