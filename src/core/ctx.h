/* ctx.h: the per-call context every core function takes, and the core handle. */
#ifndef ZEK_CORE_CTX_H
#define ZEK_CORE_CTX_H

#include <stdint.h>

#include "lib/zek.h"

struct arena;
struct config;
struct store;
struct store_conn;

/* Built per HTTP request (or job run). Everything a core function returns
 * lives in `arena` and dies with it. */
struct zctx {
	struct arena *arena;
	struct store_conn *db;      /* the calling thread's connection */
	const struct config *cfg;   /* borrowed, lives for the process */
	int64_t now_ms;             /* "now" for this call, UTC ms */
};

/* Long-lived: the configuration (borrowed) and the opened store. */
struct core {
	const struct config *cfg;
	struct store *store;
};

/* Opens the database at cfg->db_path and migrates it. Caller owns *out and
 * frees it with core_close. ZEK_IO when the database cannot be opened. */
enum zek_rc core_open(const struct config *cfg, struct core **out);
void core_close(struct core *c);
/* Fills *ctx for one call on this thread: its connection, the arena, the
 * current time. ZEK_IO when the connection cannot be opened. */
enum zek_rc core_ctx_init(struct core *c, struct arena *a, struct zctx *ctx);
/* Wall clock, UTC ms. */
int64_t core_now_ms(void);

#endif
