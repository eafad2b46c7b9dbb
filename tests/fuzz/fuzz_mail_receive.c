/* fuzz_mail_receive.c: the whole receive pipeline over any bytes, on a real SQLite file with the demo data. */
#include <stdbool.h>
#include <unistd.h>

#include "core/config.h"
#include "core/ctx.h"
#include "core/demo.h"
#include "core/inbound.h"
#include "fuzz.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "lib/zek.h"
#include "mail/receive/receive.h"
#include "store/store.h"

static struct config cfg;
static struct core *core;
static char dir[] = "/tmp/zek-fuzz-mail-XXXXXX";
static char db[sizeof(dir) + 16];

static void
remove_db(void)
{
	char path[sizeof(db) + 8];

	core_close(core);
	unlink(db);
	snprintf(path, sizeof(path), "%s-wal", db);
	unlink(path);
	snprintf(path, sizeof(path), "%s-shm", db);
	unlink(path);
	rmdir(dir);
}

/* One database for the whole run: the demo's people and requests, reply
 * tokens on, strangers answered (the paths a mail can take). */
static void
open_once(void)
{
	struct arena *a;
	struct zctx ctx;
	const char *root = getenv("ZEK_SOURCE_ROOT");

	if (core != NULL)
		return;
	FUZZ_CHECK(mkdtemp(dir) != NULL, "no temporary folder");
	snprintf(db, sizeof(db), "%s/zek.db", dir);
	config_defaults(&cfg);
	cfg.db_path = db;
	cfg.root = root != NULL ? root : ".";
	cfg.smtp_from = "servicedesk@zek.example";
	cfg.mail_reply_address = "zek@zek.example";
	cfg.mail_unknown = MAIL_UNKNOWN_REPLY;
	FUZZ_CHECK(core_open(&cfg, &core) == ZEK_OK, "cannot open %s", db);
	atexit(remove_db);
	a = arena_new(0);
	FUZZ_CHECK(a != NULL && core_ctx_init(core, a, &ctx) == ZEK_OK,
	    "no context");
	FUZZ_CHECK(core_demo_load(&ctx) == ZEK_OK, "no demo data under %s",
	    cfg.root);
	arena_free(a);
}

static void
counts(struct zctx *ctx, int64_t *requests, int64_t *comments)
{
	FUZZ_CHECK(store_request_count(ctx->db, requests) == ZEK_OK &&
	    store_comment_count(ctx->db, comments) == ZEK_OK, "no counts");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t req0, com0, req1, com1;
	struct inbound_result res;
	struct inbound_raw raw;
	struct arena *a;
	struct zctx ctx;
	enum zek_rc rc;

	open_once();
	a = arena_new(0);
	FUZZ_CHECK(a != NULL && core_ctx_init(core, a, &ctx) == ZEK_OK,
	    "no context");
	rc = mail_receive_raw(a, &cfg, data, size, &raw);
	if (rc == ZEK_INVALID) {        /* no bytes: nothing to receive */
		arena_free(a);
		return 0;
	}
	FUZZ_CHECK(rc == ZEK_OK, "raw: %s", zek_rc_name(rc));
	counts(&ctx, &req0, &com0);
	rc = mail_receive(core, &ctx, &raw, &res);
	FUZZ_CHECK(rc == ZEK_OK, "receive: %s", zek_rc_name(rc));
	FUZZ_CHECK(res.id > 0, "not stored");
	counts(&ctx, &req1, &com1);
	/* Only a message that became something adds anything: a comment,
	 * or a request; never both, never for a copy. */
	if (res.duplicate || !str_eq(res.state, INBOUND_DONE)) {
		FUZZ_CHECK(req1 == req0 && com1 == com0, "%s (%s) added "
		    "%lld requests, %lld comments", res.state, res.reason,
		    (long long)(req1 - req0), (long long)(com1 - com0));
	} else if (res.comment_id != 0) {
		FUZZ_CHECK(req1 == req0 && com1 == com0 + 1, "a comment added "
		    "%lld requests, %lld comments", (long long)(req1 - req0),
		    (long long)(com1 - com0));
	} else {
		FUZZ_CHECK(req1 == req0 + 1 && com1 == com0, "a request added "
		    "%lld requests, %lld comments", (long long)(req1 - req0),
		    (long long)(com1 - com0));
	}
	arena_free(a);
	return 0;
}
