/* inbound.c: the rules for received e-mail: reply, new request, quarantine, loop. */
#include "core/inbound.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/activity.h"
#include "core/admin_form.h"
#include "core/attachments.h"
#include "core/config.h"
#include "core/fields.h"
#include "core/internal.h"
#include "core/mailtoken.h"
#include "core/notify.h"
#include "core/requests.h"
#include "core/users.h"
#include "core/validate.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "store/store.h"

#define SUMMARY_MAX 255 /* code points of a text field */
#define NO_SUBJECT "(ohne Betreff)"
#define UNKNOWN_ANSWER_EVERY_MS (24LL * 3600 * 1000) /* per address */

/* One run of the processing transaction (core_scope_run). */
struct job {
	struct zctx *ctx;
	int64_t id;
	const struct inbound_msg *m;
	bool too_big;
	struct inbound_result *res;
	enum zek_rc rc; /* ZEK_IO / ZEK_NOMEM: nothing kept */
};

/* Where a reply goes, found by token or reference. */
struct target {
	struct user *user;
	int64_t request_id;
};

enum zek_rc
core_inbound_store(struct zctx *ctx, const struct inbound_raw *raw,
    const struct inbound_msg *m, int64_t *id, bool *dup)
{
	struct store_inbound row = {
		.received_at = ctx->now_ms,
		.message_id = m->message_id,
		.raw_hash = raw->hash,
		.raw_size = (int64_t)raw->size,
		.from_addr = m->from_addr,
		.subject = m->subject,
	};

	return store_inbound_insert(ctx->db, &row, raw->data, raw->len, id,
	    dup);
}

static enum zek_rc
set_state(struct inbound_result *res, const char *state, const char *reason)
{
	res->state = state;
	res->reason = reason;
	return ZEK_OK;
}

static enum zek_rc
quarantine(struct inbound_result *res, const char *reason)
{
	return set_state(res, INBOUND_QUARANTINED, reason);
}

/* "[ABC-12]" anywhere in the subject: the shape of a request key. */
static bool
subject_names_key(const char *s)
{
	const char *p = s;
	size_t i;

	while ((p = strchr(p, '[')) != NULL) {
		p++;
		for (i = 0; p[i] >= 'A' && p[i] <= 'Z'; i++)
			;
		if (i == 0 || p[i] != '-')
			continue;
		i++;
		if (!(p[i] >= '0' && p[i] <= '9'))
			continue;
		while (p[i] >= '0' && p[i] <= '9')
			i++;
		if (p[i] == ']')
			return true;
	}
	return false;
}

/* The reply token in a recipient address. ZEK_OK with *t, ZEK_NOTFOUND
 * when there is none; *bad when one was there but not valid. */
static enum zek_rc
target_by_token(struct zctx *ctx, const struct inbound_msg *m, struct target *t,
    bool *bad)
{
	const char *tok;
	int64_t uid, rid;
	enum zek_rc rc;
	size_t i;

	if (str_empty(ctx->cfg->mail_reply_address))
		return ZEK_NOTFOUND;
	for (i = 0; i < m->nrcpts; i++) {
		tok = core_mail_token_of_addr(ctx->arena,
		    ctx->cfg->mail_reply_address, m->rcpts[i]);
		if (tok == NULL)
			continue;
		rc = core_mail_token_check(ctx, tok, &uid, &rid);
		if (rc == ZEK_NOTFOUND) {
			*bad = true;
			continue;
		}
		if (rc == ZEK_OK)
			rc = core_user_get(ctx, uid, &t->user);
		if (rc == ZEK_NOTFOUND) {
			*bad = true; /* the person was erased since */
			continue;
		}
		t->request_id = rid;
		return rc;
	}
	return ZEK_NOTFOUND;
}

/* A reference to a mail zek sent to the sender's own address. *ours: a
 * reference to one of our mails sent to somebody else. */
static enum zek_rc
target_by_reference(struct zctx *ctx, const struct inbound_msg *m,
    struct target *t, bool *ours)
{
	struct store_mail *sent;
	enum zek_rc rc;
	size_t i;

	for (i = m->nrefs; i-- > 0;) { /* the newest is last */
		rc = store_outbox_by_message_id(ctx->db, ctx->arena, m->refs[i],
		    &sent);
		if (rc == ZEK_NOTFOUND)
			continue;
		if (rc != ZEK_OK)
			return rc;
		if (sent->request_id == 0 || sent->recipient_id == 0)
			continue;
		if (!str_caseeq(sent->to_addr, m->from_addr)) {
			*ours = true;
			continue;
		}
		rc = core_user_get(ctx, sent->recipient_id, &t->user);
		if (rc == ZEK_NOTFOUND)
			continue;
		t->request_id = sent->request_id;
		return rc;
	}
	return ZEK_NOTFOUND;
}

/* The files as temporary uploads of `user`, through the portal's checks.
 * ZEK_OK with *reason NULL, or with the reason a file was refused. */
static enum zek_rc
upload_files(struct zctx *ctx, const struct user *user,
    const struct inbound_msg *m, const char ***tokens, size_t *n,
    const char **reason)
{
	struct attachment_info info;
	struct field_error fe;
	enum zek_rc rc;
	size_t i;

	*reason = NULL;
	*n = 0;
	*tokens = arena_calloc(ctx->arena, m->nfiles + 1, sizeof(**tokens));
	if (*tokens == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < m->nfiles; i++) {
		if (m->files[i].len == 0)
			continue; /* an empty part: nothing to keep */
		if (*n >= ctx->cfg->max_files) {
			*reason = "too_many_files";
			return ZEK_OK;
		}
		rc = core_attachment_upload_temp(ctx, user, m->files[i].name,
		    m->files[i].data, m->files[i].len, &info, &fe);
		if (rc == ZEK_INVALID) {
			*reason = str_eq(fe.key, "err_file_too_big") ?
			    "file_too_big" :
			    str_eq(fe.key, "err_file_type") ? "file_type" :
			                                      "uploads_pending";
			return ZEK_OK;
		}
		if (rc != ZEK_OK)
			return rc;
		(*tokens)[(*n)++] = info.token;
	}
	return ZEK_OK;
}

/* A body for a mail with files and no text: their names. */
static const char *
body_or_files(struct zctx *ctx, const char *text, const struct inbound_msg *m)
{
	struct arena *a = ctx->arena;
	const char *s = "";
	size_t i;

	if (!str_empty(text))
		return text;
	for (i = 0; i < m->nfiles && s != NULL; i++)
		s = arena_printf(a, "%s%s%s", s, *s != '\0' ? ", " : "",
		    str_empty(m->files[i].name) ? "datei" : m->files[i].name);
	return s;
}

/* Why a comment or request could not be made: a reason code. */
static const char *
refusal(enum zek_rc rc, const struct field_error *errs, size_t nerrs)
{
	size_t i;

	if (rc == ZEK_CONFLICT)
		return "closed_request";
	if (rc == ZEK_NOTFOUND || rc == ZEK_FORBIDDEN)
		return "no_permission";
	for (i = 0; i < nerrs; i++) {
		if (str_eq(errs[i].key, "err_too_long"))
			return "too_long";
		if (str_eq(errs[i].key, "err_required"))
			return "empty";
		if (str_eq(errs[i].key, "err_too_many_files"))
			return "too_many_files";
	}
	return "invalid";
}

/* A public comment of t->user with the files. Inside a savepoint: a
 * refusal leaves nothing (the uploads) behind. */
static enum zek_rc
comment(struct zctx *ctx, const struct inbound_msg *m, const struct target *t,
    struct inbound_result *res)
{
	struct comment_input in = { .is_public = true };
	struct field_error *errs = NULL;
	struct store_request *r;
	const char *reason, **tokens;
	size_t ntokens, nerrs = 0;
	enum zek_rc rc;

	res->request_id = t->request_id;
	if (!t->user->active)
		return quarantine(res, "inactive_sender");
	rc = store_request_by_id(ctx->db, ctx->arena, t->request_id, &r);
	if (rc == ZEK_NOTFOUND)
		return quarantine(res, "no_permission");
	if (rc != ZEK_OK)
		return rc;
	res->request_key = r->key;
	rc = upload_files(ctx, t->user, m, &tokens, &ntokens, &reason);
	if (rc != ZEK_OK || reason != NULL)
		return rc != ZEK_OK ? rc : quarantine(res, reason);
	in.body = body_or_files(ctx, m->reply_text, m);
	if (in.body == NULL)
		return ZEK_NOMEM;
	in.attachment_tokens = tokens;
	in.ntokens = ntokens;
	rc = core_comment_add(ctx, t->user, t->request_id, &in, &errs, &nerrs,
	    &res->comment_id);
	if (rc == ZEK_OK)
		return set_state(res, INBOUND_DONE, "");
	if (rc == ZEK_IO || rc == ZEK_NOMEM)
		return rc;
	return quarantine(res, refusal(rc, errs, nerrs));
}

/* The subject as a request title: one line, at most SUMMARY_MAX code
 * points (cut at a character), never empty. */
static const char *
summary_of(struct zctx *ctx, const char *subject)
{
	size_t n = 0, cps = 0;
	char *s;

	if (str_empty(subject))
		return NO_SUBJECT;
	s = arena_strdup(ctx->arena, subject);
	if (s == NULL)
		return NULL;
	str_trim(s);
	while (s[n] != '\0' && cps < SUMMARY_MAX) {
		n++;
		while (((unsigned char)s[n] & 0xc0) == 0x80)
			n++;
		cps++;
	}
	s[n] = '\0';
	str_trim(s);
	return *s != '\0' ? s : NO_SUBJECT;
}

/* A new request of the configured type by the sender. */
static enum zek_rc
new_request(struct zctx *ctx, const struct inbound_msg *m,
    struct inbound_result *res)
{
	struct field_error *errs = NULL;
	struct field_value vals[2];
	struct create_input in = { 0 };
	struct store_request *r;
	struct reqtype *type;
	struct user *u;
	const char *summary[1], *desc[1], *reason, **tokens, *key = "";
	size_t ntokens, nerrs = 0;
	enum zek_rc rc;

	rc = core_user_by_email(ctx, m->from_addr, &u);
	if (rc == ZEK_NOTFOUND)
		return quarantine(res, "unknown_sender"); /* never an account */
	if (rc != ZEK_OK)
		return rc;
	if (!u->active)
		return quarantine(res, "inactive_sender");
	if (u->role != ROLE_CUSTOMER)
		return quarantine(res, "not_customer");
	rc = core_reqtype_load(ctx, ctx->cfg->mail_request_type, u->lang,
	    &type);
	if (rc == ZEK_NOTFOUND)
		return quarantine(res, "no_request_type");
	if (rc != ZEK_OK)
		return rc;
	rc = upload_files(ctx, u, m, &tokens, &ntokens, &reason);
	if (rc != ZEK_OK || reason != NULL)
		return rc != ZEK_OK ? rc : quarantine(res, reason);
	summary[0] = summary_of(ctx, m->subject);
	desc[0] = body_or_files(ctx, m->full_text, m);
	if (summary[0] == NULL || desc[0] == NULL)
		return ZEK_NOMEM;
	if (str_empty(desc[0]))
		desc[0] = summary[0];
	vals[0] = (struct field_value){ "summary", summary, 1 };
	vals[1] = (struct field_value){ "description", desc, 1 };
	in = (struct create_input){
		.portal_id = type->portal_id,
		.type_id = type->id,
		.values = vals,
		.nvalues = 2,
		.attachment_tokens = tokens,
		.ntokens = ntokens,
	};
	rc = core_request_create(ctx, u, &in, &errs, &nerrs, &key);
	if (rc == ZEK_IO || rc == ZEK_NOMEM)
		return rc;
	if (rc != ZEK_OK)
		return quarantine(res, refusal(rc, errs, nerrs));
	res->request_key = key;
	rc = store_request_by_key(ctx->db, ctx->arena, key, &r);
	if (rc == ZEK_OK)
		res->request_id = r->id;
	return rc == ZEK_OK ? set_state(res, INBOUND_DONE, "") : rc;
}

/* Reply, spoofed reply or new request; inside a savepoint. */
static enum zek_rc
decide(struct zctx *ctx, const struct inbound_msg *m,
    struct inbound_result *res)
{
	struct target t = { 0 };
	bool bad_token = false, ours = false;
	enum zek_rc rc;

	rc = target_by_token(ctx, m, &t, &bad_token);
	if (rc == ZEK_NOTFOUND)
		rc = target_by_reference(ctx, m, &t, &ours);
	if (rc == ZEK_OK) {
		/* The token proves the mail reached its recipient; the From
		 * must still be theirs, or a forwarded mail would let anyone
		 * speak for them. */
		if (!str_caseeq(t.user->email, m->from_addr))
			return quarantine(res, "sender_mismatch");
		return comment(ctx, m, &t, res);
	}
	if (rc != ZEK_NOTFOUND)
		return rc;
	if (bad_token)
		return quarantine(res, "bad_token");
	if (ours || subject_names_key(m->subject))
		return quarantine(res, "spoofing");
	return new_request(ctx, m, res);
}

/* The polite answer to an address without an account, after the
 * savepoint's rollback. Automatic mails never get this far (m->loop);
 * an autoresponder that marks nothing still gets one answer a day at
 * most, so two robots cannot keep each other busy. */
static enum zek_rc
answer_stranger(struct zctx *ctx, const struct inbound_msg *m)
{
	int64_t sent = 0;
	enum zek_rc rc;

	rc = store_outbox_count_stranger(ctx->db, m->from_addr,
	    ctx->now_ms - UNKNOWN_ANSWER_EVERY_MS, &sent);
	if (rc != ZEK_OK || sent > 0)
		return rc;
	return core_notify_mail_unknown(ctx, m->from_addr, m->subject);
}

static enum zek_rc
classify(struct zctx *ctx, const struct inbound_msg *m, bool too_big,
    struct inbound_result *res)
{
	enum zek_rc rc;

	if (too_big)
		return quarantine(res, "too_big");
	if (!m->parsed)
		return quarantine(res, "unparsable");
	if (m->loop != NULL)
		return set_state(res, INBOUND_IGNORED, m->loop);
	if (str_empty(m->from_addr) || !core_email_valid(m->from_addr))
		return quarantine(res, "no_sender");
	/* What a refused reply or request wrote (uploads) goes again. */
	rc = store_begin(ctx->db);
	if (rc == ZEK_OK)
		rc = decide(ctx, m, res);
	if (rc == ZEK_OK && str_eq(res->state, INBOUND_DONE))
		rc = store_commit(ctx->db);
	else
		(void)store_rollback(ctx->db);
	if (rc == ZEK_OK && str_eq(res->reason, "unknown_sender") &&
	    ctx->cfg->mail_unknown == MAIL_UNKNOWN_REPLY)
		rc = answer_stranger(ctx, m);
	return rc;
}

static bool
run(void *arg, int attempt)
{
	struct job *j = arg;
	struct store_inbound row;
	enum zek_rc rc;

	*j->res = (struct inbound_result){ .id = j->id,
		.state = INBOUND_NEW,
		.reason = "",
		.request_key = "" };
	rc = store_inbound_claim(j->ctx->db, j->id, j->ctx->now_ms);
	if (rc == ZEK_CONFLICT) {
		j->res->duplicate = true;
		j->rc = ZEK_OK;
		return false;
	}
	if (rc == ZEK_OK)
		rc = classify(j->ctx, j->m, j->too_big, j->res);
	if (rc == ZEK_OK) {
		row = (struct store_inbound){
			.id = j->id,
			.state = j->res->state,
			.reason = j->res->reason,
			.request_id = j->res->request_id,
			.comment_id = j->res->comment_id,
			.processed_at = j->ctx->now_ms,
		};
		rc = store_inbound_finish(j->ctx->db, &row);
	}
	j->rc = rc;
	return rc == ZEK_OK;
}

enum zek_rc
core_inbound_process(struct core *core, struct zctx *ctx, int64_t id,
    const struct inbound_msg *m, bool too_big, struct inbound_result *res)
{
	struct job j = { .ctx = ctx,
		.id = id,
		.m = m,
		.too_big = too_big,
		.res = res,
		.rc = ZEK_IO };
	enum zek_rc rc;

	rc = core_scope_run(core, false, run, &j);
	if (rc == ZEK_OK)
		rc = j.rc;
	return rc;
}

/* ---- what admins do with received mail ---- */

/* A message's state as the admin history keeps it: "state" or
 * "state:detail" (the reason, or the request key it became). */
static const char *
history_state(struct zctx *ctx, const char *state, const char *detail)
{
	if (str_empty(detail))
		return state;
	return arena_printf(ctx->arena, "%s:%s", state, detail);
}

/* One row of the admin history about message `id`, also when its state
 * stayed (a retry that changed nothing was still done). Not a change of
 * the configuration: its version stays, so that no open form of the
 * admin area goes stale because a mail was handled. */
static enum zek_rc
record(struct zctx *ctx, const struct user *actor, const char *subject,
    int64_t id, const char *old, const char *now)
{
	struct store_config_change row = {
		.at = ctx->now_ms,
		.actor_id = actor != NULL ? actor->id : 0,
		.subject = subject,
		.target = arena_printf(ctx->arena, "mail:%" PRId64, id),
		.old_value = old,
		.new_value = now,
	};

	if (row.target == NULL || old == NULL || now == NULL)
		return ZEK_NOMEM;
	return store_config_change_add(ctx->db, &row);
}

bool
core_inbound_can_retry(const struct store_inbound *m)
{
	/* Only a message kept whole can be read again. */
	return str_eq(m->state, INBOUND_QUARANTINED) &&
	    (int64_t)m->raw_len == m->raw_size;
}

bool
core_inbound_can_discard(const struct store_inbound *m)
{
	return str_eq(m->state, INBOUND_QUARANTINED);
}

enum zek_rc
core_inbound_requeue(struct zctx *ctx, const struct user *actor, int64_t id,
    struct store_inbound **was)
{
	enum zek_rc rc;

	rc = core_inbound_get(ctx, actor, id, false, was);
	if (rc != ZEK_OK)
		return rc;
	rc = store_inbound_requeue(ctx->db, id);
	return rc == ZEK_NOTFOUND ? ZEK_CONFLICT : rc;
}

enum zek_rc
core_inbound_retried(struct zctx *ctx, const struct user *actor,
    const struct store_inbound *was, const struct inbound_result *res)
{
	const char *detail = str_eq(res->state, INBOUND_DONE) ?
	    res->request_key :
	    res->reason;

	if (!admin_actor_ok(actor))
		return ZEK_NOTFOUND;
	return record(ctx, actor, "mail_retry", was->id,
	    history_state(ctx, was->state, was->reason),
	    history_state(ctx, res->state, detail));
}

enum zek_rc
core_inbound_discard(struct zctx *ctx, const struct user *actor, int64_t id)
{
	struct store_inbound *m;
	enum zek_rc rc;

	rc = core_inbound_get(ctx, actor, id, false, &m);
	if (rc != ZEK_OK)
		return rc;
	rc = store_begin(ctx->db);
	if (rc != ZEK_OK)
		return rc;
	/* The state is checked again in the update: another admin may have
	 * retried or discarded it since it was read. */
	rc = store_inbound_discard(ctx->db, id, actor != NULL ? actor->id : 0,
	    ctx->now_ms);
	if (rc == ZEK_NOTFOUND)
		rc = ZEK_CONFLICT;
	if (rc == ZEK_OK)
		rc = record(ctx, actor, "mail_discard", id,
		    history_state(ctx, m->state, m->reason), INBOUND_DISCARDED);
	return store_finish(ctx->db, rc);
}

enum zek_rc
core_inbound_list(struct zctx *ctx, const struct user *actor, const char *state,
    size_t offset, size_t limit, struct store_inbound **out, size_t *n)
{
	if (!admin_actor_ok(actor))
		return ZEK_NOTFOUND;
	return store_inbound_list(ctx->db, ctx->arena, state, offset, limit,
	    out, n);
}

enum zek_rc
core_inbound_count(struct zctx *ctx, const struct user *actor,
    const char *state, int64_t *n)
{
	if (!admin_actor_ok(actor))
		return ZEK_NOTFOUND;
	return store_inbound_count(ctx->db, state, n);
}

enum zek_rc
core_inbound_get(struct zctx *ctx, const struct user *actor, int64_t id,
    bool with_raw, struct store_inbound **out)
{
	if (!admin_actor_ok(actor))
		return ZEK_NOTFOUND;
	return store_inbound_get(ctx->db, ctx->arena, id, with_raw, out);
}
