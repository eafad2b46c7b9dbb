/* admin_record.h: counting a configuration change and recording its rows,
 * shared by the admin forms (admin.c) and the configuration import
 * (config_io.c); core/ only. */
#ifndef ZEK_CORE_ADMIN_RECORD_H
#define ZEK_CORE_ADMIN_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"

struct store_config_change;

/* Inside the change's transaction: counts the configuration's version up
 * once from `version` (ZEK_CONFLICT when someone else's change came
 * between; -1: a change that stands alone) and adds the n rows to the
 * record. A row with a NULL value (an allocation that failed) gives
 * ZEK_NOMEM before anything is written. */
enum zek_rc core_admin_record(struct zctx *ctx, int64_t version,
    const struct store_config_change *rows, size_t n);

#endif
