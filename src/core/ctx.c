/* ctx.c: opening the core (database, libsodium) and per-call contexts. */
#include "core/ctx.h"

#include <sodium.h>
#include <stdlib.h>
#include <time.h>

#include "core/config.h"
#include "lib/arena.h"
#include "store/store.h"

int64_t
core_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

enum zek_rc
core_open(const struct config *cfg, struct core **out)
{
	struct core *c;
	enum zek_rc rc;

	/* Safe to call again; needed before any random token or hash. */
	if (sodium_init() < 0)
		return ZEK_IO;
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return ZEK_NOMEM;
	c->cfg = cfg;
	rc = store_open(cfg->db_path, &c->store);
	if (rc != ZEK_OK) {
		free(c);
		return rc;
	}
	*out = c;
	return ZEK_OK;
}

const char *
core_db_label(const struct config *cfg, char *buf, size_t n)
{
	store_db_label(cfg->db_path, buf, n);
	return buf;
}

void
core_close(struct core *c)
{
	if (c == NULL)
		return;
	store_close(c->store);
	free(c);
}

enum zek_rc
core_ctx_init(struct core *c, struct arena *a, struct zctx *ctx)
{
	struct store_conn *db = store_conn(c->store);

	if (db == NULL)
		return ZEK_IO;
	*ctx = (struct zctx){
		.arena = a,
		.db = db,
		.cfg = c->cfg,
		.now_ms = core_now_ms(),
	};
	return ZEK_OK;
}

void
core_ctx_scratch(const struct zctx *base, struct arena *a, struct zctx *out)
{
	*out = *base;
	out->arena = a;
}

uint64_t
core_scope_ticket(struct core *c)
{
	struct store_conn *db = store_conn(c->store);

	return db != NULL ? store_scope_ticket(db) : 0;
}

enum zek_rc
core_scope_run(struct core *c, bool deferred,
    bool (*fn)(void *arg, int attempt), void *arg)
{
	struct store_conn *db = store_conn(c->store);

	/* Without a connection fn fails on its own, with nothing to keep. */
	if (db == NULL) {
		(void)fn(arg, 1);
		return ZEK_OK;
	}
	return store_scope_run(db, deferred, fn, arg);
}

void
core_phases_enable(bool on)
{
	store_phases_enable(on);
}

const char *
core_scope_timing(struct core *c, struct arena *a)
{
	struct store_conn *db = store_conn(c->store);
	struct store_phases p;

	if (db == NULL || !store_phases_enabled())
		return NULL;
	store_scope_phases(db, &p);
	return arena_printf(a, "lock;dur=%.3f, sql;dur=%.3f, commit;dur=%.3f",
	    (double)p.lock_ns / 1e6, (double)p.sql_ns / 1e6,
	    (double)p.commit_ns / 1e6);
}

#ifdef ZEK_TEST_HOOKS
void
core_test_refuse_scope(struct core *c)
{
	struct store_conn *db = store_conn(c->store);

	if (db != NULL)
		store_test_refuse_scope(db);
}
#endif

enum zek_rc
core_durable_wait(struct core *c, uint64_t ticket)
{
	return store_durable_wait(c->store, ticket);
}

enum zek_rc
core_durable_notify(struct core *c, uint64_t ticket,
    void (*fn)(void *arg, int rc), void *arg)
{
	return store_durable_notify(c->store, ticket, fn, arg);
}
