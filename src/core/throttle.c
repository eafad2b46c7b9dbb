/* throttle.c: failure counters in the login_failures table. */
#include "core/throttle.h"

#include "core/config.h"
#include "store/store.h"

bool
core_throttled(struct zctx *ctx, const char *key, int64_t max)
{
	int64_t count, start;

	if (key == NULL ||
	    store_login_failure_get(ctx->db, key, &count, &start) != ZEK_OK)
		return false;
	return ctx->now_ms - start < ctx->cfg->login_window_ms && count >= max;
}

void
core_throttle_fail(struct zctx *ctx, const char *key)
{
	if (key != NULL)
		store_login_failure_add(ctx->db, key, ctx->now_ms,
		    ctx->cfg->login_window_ms);
}

void
core_throttle_clear(struct zctx *ctx, const char *key)
{
	if (key != NULL)
		store_login_failure_clear(ctx->db, key);
}
