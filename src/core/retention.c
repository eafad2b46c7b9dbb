/* retention.c: closed requests past retention_closed_days deleted in small batches, each recorded. */
#include "core/retention.h"

#include "core/config.h"
#include "core/workflow.h"
#include "lib/str.h"
#include "store/store.h"

#define DAY_MS (24LL * 3600 * 1000)

int64_t
core_retention_cutoff(const struct zctx *ctx)
{
	int64_t days = ctx->cfg->retention_closed_days;

	return days > 0 ? ctx->now_ms - days * DAY_MS : 0;
}

enum zek_rc
core_retention_due(struct zctx *ctx, int64_t after_id, size_t limit,
    struct store_retention_due **out, size_t *n)
{
	int64_t cutoff = core_retention_cutoff(ctx);

	*out = NULL;
	*n = 0;
	if (cutoff <= 0)
		return ZEK_OK;
	return store_retention_due(ctx->db, ctx->arena, cutoff, after_id, limit,
	    out, n);
}

/* One request, still closed and still old enough (a customer's
 * reopening meanwhile wins). */
static enum zek_rc
purge_one(struct zctx *ctx, struct store_request *r, unsigned roles, void *due)
{
	(void)roles;
	if (!str_eq(r->status, "geschlossen") ||
	    r->updated_at >= core_retention_cutoff(ctx))
		return ZEK_NOTFOUND;
	return store_request_purge(ctx->db, due, ctx->now_ms);
}

enum zek_rc
core_retention_run(struct zctx *ctx, int64_t *deleted, bool *more)
{
	struct store_retention_due *due;
	enum zek_rc rc;
	size_t i, n;

	*more = false;
	rc = core_retention_due(ctx, 0, RETENTION_BATCH, &due, &n);
	for (i = 0; rc == ZEK_OK && i < n; i++) {
		bool done;

		rc = core_request_locked_run(ctx, NULL, due[i].id, purge_one,
		    &due[i], &done);
		if (rc == ZEK_OK && done)
			(*deleted)++;
	}
	*more = rc == ZEK_OK && n == RETENTION_BATCH;
	return rc;
}
