/* ctx.h: the per-call context every core function takes, and the core handle. */
#ifndef ZEK_CORE_CTX_H
#define ZEK_CORE_CTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/zek.h"

struct arena;
struct config;
struct reqtype_memo;
struct store;
struct calendar;
struct store_conn;

/* Built per HTTP request (or job run). Everything a core function returns
 * lives in `arena` and dies with it. */
struct zctx {
	struct arena *arena;
	struct store_conn *db;    /* the calling thread's connection */
	const struct config *cfg; /* borrowed, lives for the process */
	int64_t now_ms;           /* "now" for this call, UTC ms */
	/* Request types read during this call, in `arena` or an arena that
	 * outlives it (core_reqtype_load): a page reads each once. */
	struct reqtype_memo *types;
	/* The business calendar once read in this call (core_calendar_load):
	 * every event's SLA and report facts take it; a change to it drops
	 * it. */
	const struct calendar *calendar;
};

/* Long-lived: the configuration (borrowed) and the opened store. */
struct core {
	const struct config *cfg;
	struct store *store;
};

/* Opens the database cfg->db_path names (a SQLite file or a PostgreSQL
 * connection string) and migrates it. Caller owns *out and frees it with
 * core_close. ZEK_IO when the database cannot be opened. */
enum zek_rc core_open(const struct config *cfg, struct core **out);
void core_close(struct core *c);
/* The database's name fit for messages and logs (no password) in buf. */
const char *core_db_label(const struct config *cfg, char *buf, size_t n);
/* Fills *ctx for one call on this thread: its connection, the arena, the
 * current time. ZEK_IO when the connection cannot be opened. */
enum zek_rc core_ctx_init(struct core *c, struct arena *a, struct zctx *ctx);
/* A copy of base working in arena `a` (scratch space freed before base's):
 * what it reads is not kept for base, and what base kept stays valid. */
void core_ctx_scratch(const struct zctx *base, struct arena *a,
    struct zctx *out);
/* Wall clock, UTC ms. */
int64_t core_now_ms(void);
/* One HTTP request's writes on this thread become one unit (a scope, see
 * store_scope_run): core_scope_run runs fn(arg, attempt) in a scope of
 * its own, keeps its writes when fn returns true, and runs it again from
 * scratch while the database refuses the scope as the victim of a
 * deadlock or a serialisation failure (PostgreSQL), a few times at most.
 * Returns ZEK_OK or why the last run's commit failed (then nothing was
 * kept). `deferred`: the commit does not wait until it is on disk;
 * core_scope_ticket (after it) says which commit an answer must wait
 * for, 0 for none; wait with core_durable_wait, or have fn(arg, rc)
 * called from the store's sync thread (core_durable_notify; see
 * store_scope_defer). Several commits share one sync. */
enum zek_rc core_scope_run(struct core *c, bool deferred,
    bool (*fn)(void *arg, int attempt), void *arg);
uint64_t core_scope_ticket(struct core *c);
/* Where the last scope's time went (store_phases), as Server-Timing
 * entries "lock;dur=MS, sql;dur=MS, commit;dur=MS" in a; NULL unless
 * core_phases_enable(true) was called before the threads started (the
 * phase_timing setting). */
void core_phases_enable(bool on);
const char *core_scope_timing(struct core *c, struct arena *a);
#ifdef ZEK_TEST_HOOKS
/* Test hook: the current scope fails as a refused one (store.h). */
void core_test_refuse_scope(struct core *c);
#endif
enum zek_rc core_durable_wait(struct core *c, uint64_t ticket);
enum zek_rc core_durable_notify(struct core *c, uint64_t ticket,
    void (*fn)(void *arg, int rc), void *arg);

#endif
