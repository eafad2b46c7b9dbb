/* retention.h: closed requests deleted once retention_closed_days have passed (issue 20). */
#ifndef ZEK_CORE_RETENTION_H
#define ZEK_CORE_RETENTION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"

#define RETENTION_BATCH 50 /* requests one pass deletes at most */

struct store_retention_due;

/* The last change before which a closed request goes, as of ctx->now_ms;
 * 0 when retention is off (retention_closed_days = 0). */
int64_t core_retention_cutoff(const struct zctx *ctx);

/* Up to `limit` requests that would go now, ids above after_id (a dry
 * run pages through them). *n = 0 when retention is off. */
enum zek_rc core_retention_due(struct zctx *ctx, int64_t after_id, size_t limit,
    struct store_retention_due **out, size_t *n);

/* Deletes up to RETENTION_BATCH of them, each in a transaction of its
 * own (a request reopened meanwhile is left), adding to *deleted; *more
 * when the batch was full. Does nothing when retention is off. */
enum zek_rc core_retention_run(struct zctx *ctx, int64_t *deleted, bool *more);

#endif
