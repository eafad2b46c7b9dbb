/* throttle.h: failures counted per key within a time window, to slow down
 * guessing (log-ins, password checks, account look-ups). */
#ifndef ZEK_CORE_THROTTLE_H
#define ZEK_CORE_THROTTLE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/ctx.h"

/* True when `key` has failed `max` times or more within
 * cfg->login_window_ms. A NULL key or a database problem is not throttled. */
bool core_throttled(struct zctx *ctx, const char *key, int64_t max);
/* Counts one failure for `key`; a window that has passed starts anew. */
void core_throttle_fail(struct zctx *ctx, const char *key);
/* Forgets the failures of `key` (after a success). */
void core_throttle_clear(struct zctx *ctx, const char *key);

#endif
