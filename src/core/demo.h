/* demo.h: the demo configuration (service desk ZEK) and demo data. */
#ifndef ZEK_CORE_DEMO_H
#define ZEK_CORE_DEMO_H

#include "core/ctx.h"

/* Loads <cfg->root>/demo/config.json (service desk, portal 17, groups,
 * request types, fields, options) unless a service desk exists already.
 * ZEK_IO when the file cannot be read, ZEK_INVALID when it is malformed. */
enum zek_rc core_init_config(struct zctx *ctx);
/* Runs core_init_config, then, when the database has no users, adds the
 * demo people (password "demo"), demo/objects.csv and demo/requests.json. */
enum zek_rc core_demo_load(struct zctx *ctx);

#endif
