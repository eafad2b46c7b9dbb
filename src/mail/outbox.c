/* outbox.c: the sending worker: claim, render once, send, record; safe with many processes. */
#include "mail/outbox.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/ctx.h"
#include "core/notify.h"
#include "core/stats.h"
#include "lib/arena.h"
#include "lib/log.h"
#include "lib/str.h"
#include "mail/compose.h"
#include "mail/smtp.h"
#include "store/store.h"

#define ARENA_LIMIT (16u << 20) /* one mail's scratch memory */
#define ERROR_MAX 300

int64_t
outbox_backoff_ms(const struct config *cfg, int64_t attempts)
{
	int64_t d = cfg->mail_retry_ms > 0 ? cfg->mail_retry_ms : 1000;
	int64_t i;

	for (i = 1; i < attempts && d < cfg->mail_retry_max_ms; i++)
		d *= 2;
	return d < cfg->mail_retry_max_ms ? d : cfg->mail_retry_max_ms;
}

/* A claim token unique to this pass: process, then random. */
static void
make_token(char *out, size_t n)
{
	unsigned char rnd[8];
	char hex[2 * sizeof(rnd) + 1];

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
	snprintf(out, n, "%ld-%s", (long)getpid(), hex);
}

/* why for the log, with every word that holds an '@' (an address: the
 * server's answer often names the recipient) as "[address]". */
static const char *
without_addresses(const char *why, char *out, size_t cap)
{
	const char *w = why, *end;
	size_t n = 0, len;

	while (*w != '\0' && n + 1 < cap) {
		for (end = w; *end != '\0' && *end != ' '; end++)
			;
		len = (size_t)(end - w);
		if (memchr(w, '@', len) != NULL) {
			w = "[address]";
			len = strlen(w);
		}
		if (n + len + 1 >= cap)
			len = cap - n - 1;
		memcpy(out + n, w, len);
		n += len;
		if (*end == ' ' && n + 1 < cap)
			out[n++] = ' ';
		w = *end == ' ' ? end + 1 : end;
	}
	out[n] = '\0';
	return out;
}

/* What became of mail m (message "mail sent", "mail failed", ...) and
 * why, at `level`; counted in `stat` (STAT_MAX: not counted). */
static void
log_mail(enum log_level level, const struct store_mail *m, const char *msg,
    const char *why, enum core_stat stat)
{
	char safe[ERROR_MAX];

	core_stat_add(stat, 1);
	/* Ids and events only: addresses are personal data. */
	if (why != NULL)
		log_emit(level, "mail", msg,
		    LOG_FIELDS(LOG_I("mail_id", m->id),
		        LOG_S("event", m->event),
		        LOG_S("message_id", m->message_id),
		        LOG_S("reason",
		            without_addresses(why, safe, sizeof(safe)))));
	else
		log_emit(level, "mail", msg,
		    LOG_FIELDS(LOG_I("mail_id", m->id),
		        LOG_S("event", m->event),
		        LOG_S("message_id", m->message_id)));
}

/* The stored message, or the freshly rendered one (stored for retries). */
static enum zek_rc
message_bytes(struct zctx *ctx, const struct mail_env *env,
    const struct store_mail *m, const char *token, const char **raw, char *err,
    size_t errlen)
{
	struct buf b;
	enum zek_rc rc;

	if (!str_empty(m->raw)) {
		*raw = m->raw;
		return ZEK_OK;
	}
	buf_init(&b, MAIL_MAX_BYTES);
	rc = mail_compose(env, ctx->arena, m, &b);
	if (rc != ZEK_OK) {
		snprintf(err, errlen, "cannot render the message: %s",
		    zek_rc_name(rc));
		goto out;
	}
	*raw = arena_strndup(ctx->arena, b.data, b.len);
	if (*raw == NULL) {
		rc = ZEK_NOMEM;
		goto out;
	}
	rc = core_outbox_set_raw(ctx, m->id, token, *raw);
out:
	buf_free(&b);
	return rc;
}

/* Records a failed attempt: back off, or give up after mail_expire_ms. */
static enum zek_rc
record_tempfail(struct zctx *ctx, const struct store_mail *m, const char *token,
    const char *why, struct outbox_stats *st)
{
	const struct config *cfg = ctx->cfg;
	int64_t now = core_now_ms(), next;
	char err[ERROR_MAX];

	if (now - m->created_at >= cfg->mail_expire_ms) {
		snprintf(err, sizeof(err), "gave up after %lld attempts: %s",
		    (long long)m->attempts, why);
		log_mail(LOG_LEVEL_ERROR, m, "mail failed", err,
		    STAT_MAILS_FAILED_PERMANENT);
		st->failed++;
		return core_outbox_failed(ctx, m->id, token, err);
	}
	/* m->attempts counts this one (the claim did). */
	next = now + outbox_backoff_ms(cfg, m->attempts);
	log_mail(LOG_LEVEL_WARNING, m, "mail deferred", why,
	    STAT_MAILS_FAILED_TEMPORARY);
	st->retried++;
	return core_outbox_retry(ctx, m->id, token, next, why);
}

/* How long a claim holds: one whole SMTP conversation and the rendering. */
static int64_t
lease_ms(const struct config *cfg)
{
	return 2 * cfg->smtp_timeout_ms + 1000;
}

static enum zek_rc
send_one(struct zctx *ctx, const struct mail_env *env, int64_t id,
    const char *token, struct outbox_stats *st)
{
	const struct config *cfg = ctx->cfg;
	struct smtp_outcome o;
	struct store_mail *m;
	char err[ERROR_MAX] = "";
	const char *raw = NULL;
	enum zek_rc rc;

	/* The batch's claim ran from its start: a full lease from now for
	 * this mail, unless it lapsed meanwhile and another sender took it
	 * (then that one sends it, not we). */
	rc = core_outbox_renew(ctx, id, token, ctx->now_ms + lease_ms(cfg));
	if (rc == ZEK_CONFLICT) {
		st->busy++;
		return ZEK_OK;
	}
	if (rc == ZEK_OK)
		rc = core_outbox_get(ctx, id, &m);
	if (rc != ZEK_OK)
		return rc;
	rc = message_bytes(ctx, env, m, token, &raw, err, sizeof(err));
	if (rc == ZEK_CONFLICT) {
		st->busy++; /* our claim lapsed and someone else has it */
		return ZEK_OK;
	}
	if (rc == ZEK_NOMEM || rc == ZEK_IO)
		return rc; /* the claim lapses; a later pass tries again */
	if (rc != ZEK_OK) {
		log_mail(LOG_LEVEL_ERROR, m, "mail failed", err,
		    STAT_MAILS_FAILED_PERMANENT);
		st->failed++;
		return core_outbox_failed(ctx, id, token, err);
	}
	rc = smtp_send(cfg, cfg->smtp_from, m->to_addr, raw, strlen(raw), &o);
	if (rc != ZEK_OK)
		return rc;
	switch (o.result) {
	case SMTP_SENT:
		/* The at-least-once window is this one write. */
		rc = core_outbox_sent(ctx, m, token);
		if (rc != ZEK_OK)
			log_mail(LOG_LEVEL_ERROR, m,
			    "mail sent, but not recorded "
			    "(may go out again)",
			    zek_rc_name(rc), STAT_MAILS_SENT);
		else
			log_mail(LOG_LEVEL_INFO, m, "mail sent", NULL,
			    STAT_MAILS_SENT);
		st->sent++;
		return rc;
	case SMTP_PERMFAIL:
		log_mail(LOG_LEVEL_ERROR, m, "mail failed", o.text,
		    STAT_MAILS_FAILED_PERMANENT);
		st->failed++;
		return core_outbox_failed(ctx, id, token, o.text);
	default:
		return record_tempfail(ctx, m, token, o.text, st);
	}
}

enum zek_rc
outbox_run(struct core *core, const struct mail_env *env,
    struct outbox_stats *st, bool *more)
{
	struct arena *a = NULL, *ma;
	struct zctx ctx, mctx;
	enum zek_rc rc;
	int64_t *ids = NULL;
	size_t i, n = 0;
	char token[64];

	*more = false;
	if (str_empty(env->cfg->smtp_url))
		return ZEK_OK;
	a = arena_new(ARENA_LIMIT);
	if (a == NULL)
		return ZEK_NOMEM;
	make_token(token, sizeof(token));
	rc = core_ctx_init(core, a, &ctx);
	if (rc == ZEK_OK)
		rc = core_outbox_claim_due(&ctx, token,
		    ctx.now_ms + lease_ms(env->cfg), OUTBOX_BATCH, &ids, &n);
	for (i = 0; rc == ZEK_OK && i < n; i++) {
		/* zek serve is stopping: the mails not yet sent keep their
		 * claim until it lapses (lease_ms), then go out from the next
		 * process that runs; the one being sent was finished. */
		if (env->stop != NULL && atomic_load(env->stop))
			break;
		/* A fresh arena and "now" per mail: sending takes time. */
		ma = arena_new(ARENA_LIMIT);
		if (ma == NULL) {
			rc = ZEK_NOMEM;
			break;
		}
		rc = core_ctx_init(core, ma, &mctx);
		if (rc == ZEK_OK)
			rc = send_one(&mctx, env, ids[i], token, st);
		arena_free(ma);
	}
	if (rc == ZEK_OK)
		*more = n == OUTBOX_BATCH;
	arena_free(a);
	return rc;
}

enum zek_rc
outbox_message(struct zctx *ctx, const struct mail_env *env, int64_t id,
    struct buf *out)
{
	struct store_mail *m;
	enum zek_rc rc;

	rc = core_outbox_get(ctx, id, &m);
	if (rc != ZEK_OK)
		return rc;
	if (!str_empty(m->raw))
		return buf_puts(out, m->raw);
	return mail_compose(env, ctx->arena, m, out);
}
