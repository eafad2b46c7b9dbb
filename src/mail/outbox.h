/* outbox.h: the sending worker: claim a due mail, render it once, send it, record the outcome. */
#ifndef ZEK_MAIL_OUTBOX_H
#define ZEK_MAIL_OUTBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"
#include "lib/zek.h"

struct config;
struct core;
struct mail_env;
struct zctx;

#define OUTBOX_BATCH 20 /* mails one pass looks at */

struct outbox_stats {
	unsigned sent;
	unsigned retried; /* temporary failure, due again later */
	unsigned failed;  /* permanent failure, recorded */
	unsigned busy;    /* claimed by another sender meanwhile */
};

/*
 * One pass: claims the mails that are due (pending, next_attempt_at
 * reached, not claimed or its claim lapsed), at most OUTBOX_BATCH, in one
 * statement (store_outbox_claim_due: senders claiming at once get disjoint
 * sets), each for 2 * smtp_timeout_ms + 1 s, and counts an attempt on each;
 * *more says whether there may be more. Per mail:
 *  1. renew its claim for as long again from now (a claim that lapsed
 *     while earlier mails were sent and that another sender took over is
 *     left to that one);
 *  2. render it unless an earlier attempt stored the bytes, and store them;
 *  3. send it; then at once, in its own short write, mark it sent, or
 *     release it for a retry after a back-off (mail_retry_ms doubling up to
 *     mail_retry_max_ms; after mail_expire_ms it fails for good), or mark
 *     it failed with the server's answer (5xx).
 * A process killed anywhere leaves the claim to lapse; the mail is then
 * due again. At least once, not exactly once: a crash between the
 * server's "250" and step 3's write sends the mail again after the claim
 * lapses (the same bytes, same Message-ID, so receivers can drop the copy).
 * That window is one local SQLite write, so it is small.
 * Does nothing when cfg->smtp_url is empty (mails wait in the outbox).
 * When env->stop is set the pass ends before the next mail of its batch
 * (zek serve stopping); those mails are due again once their claim lapses.
 * Returns ZEK_OK unless the database fails (per-mail problems are
 * recorded on the mail and counted in *st).
 */
enum zek_rc outbox_run(struct core *core, const struct mail_env *env,
    struct outbox_stats *st, bool *more);

/* The raw message of mail `id` for `zek mail show`: the stored bytes once
 * it was rendered for sending, else rendered now (nothing is stored).
 * ZEK_NOTFOUND when there is no such mail; else as mail_compose. */
enum zek_rc outbox_message(struct zctx *ctx, const struct mail_env *env,
    int64_t id, struct buf *out);

/* The wait before the attempt after `attempts` failed ones. */
int64_t outbox_backoff_ms(const struct config *cfg, int64_t attempts);

#endif
