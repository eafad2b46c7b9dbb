/* retention.c: closed requests past retention_closed_days deleted in small batches, each recorded. */
#include "core/retention.h"

#include "core/config.h"
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

struct purge_one {
	struct zctx *ctx;
	const struct store_retention_due *r;
	enum zek_rc rc;
	bool done;
};

/* One request under its row lock: still closed and still old enough
 * (a customer's reopening meanwhile wins). */
static bool
purge_one(void *arg, int attempt)
{
	struct purge_one *p = arg;
	struct zctx *ctx = p->ctx;
	struct store_request *r;

	(void)attempt;
	p->done = false;
	p->rc = store_begin(ctx->db);
	if (p->rc != ZEK_OK)
		return false;
	p->rc = store_request_lock(ctx->db, ctx->arena, p->r->id, &r);
	if (p->rc == ZEK_OK && (!str_eq(r->status, "geschlossen") ||
	    r->updated_at >= core_retention_cutoff(ctx)))
		p->rc = ZEK_NOTFOUND;
	if (p->rc == ZEK_OK)
		p->rc = store_request_purge(ctx->db, p->r, ctx->now_ms);
	if (p->rc == ZEK_OK)
		p->rc = store_commit(ctx->db);
	p->done = p->rc == ZEK_OK;
	if (!p->done)
		store_rollback(ctx->db);
	if (p->rc == ZEK_NOTFOUND)
		p->rc = ZEK_OK;     /* gone or reopened: nothing to do */
	return p->rc == ZEK_OK;
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
		struct purge_one p = { .ctx = ctx, .r = &due[i] };

		rc = store_scope_run(ctx->db, false, purge_one, &p);
		if (rc == ZEK_OK && p.rc != ZEK_OK)
			rc = p.rc;
		if (rc == ZEK_OK && p.done)
			(*deleted)++;
	}
	*more = rc == ZEK_OK && n == RETENTION_BATCH;
	return rc;
}
