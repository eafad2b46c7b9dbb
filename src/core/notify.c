/* notify.c: the notification rules: each event becomes outbox rows, one per recipient. */
#include "core/notify.h"

#include <jansson.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/internal.h"
#include "core/mailtoken.h"
#include "core/perm.h"
#include "core/portal.h"
#include "core/rating.h"
#include "core/requests.h"
#include "core/users.h"
#include "core/workflow.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "render/jsonalloc.h"
#include "store/store.h"

#define AGENTS_MAX 1000         /* agents asked for per role */
#define COMMENT_MAX (32 * 1024) /* bytes of a comment quoted in a mail */
#define HOST_MAX 253

/* One event on one request, shared by all its recipients. */
struct event {
	const char *code;
	const struct store_request *r;
	const struct store_user *reporter;
	const struct user *actor; /* NULL = the system */
	json_t *payload;          /* the facts every mail tells */
	const char *thread_id;    /* root Message-ID of the request */
	int64_t *muted;           /* who turned the request's mails */
	size_t nmuted;            /* off, ascending */
};

struct rcpts {
	const struct store_user **u;
	size_t n, cap;
};

static const char *const events[] = {
	NOTIFY_CREATED,
	NOTIFY_NEW_REQUEST,
	NOTIFY_COMMENT,
	NOTIFY_CUSTOMER_REPLY,
	NOTIFY_STATUS,
	NOTIFY_SOLUTION,
	NOTIFY_AUTO_CLOSED,
	NOTIFY_PARTICIPANT_ADDED,
	NOTIFY_INVITATION,
	NOTIFY_PASSWORD_RESET,
	NOTIFY_SIGNUP,
	NOTIFY_SIGNUP_EXISTING,
	NOTIFY_MAIL_UNKNOWN,
	NOTIFY_ASSIGNED,
};

bool
core_notify_event_known(const char *event)
{
	size_t i;

	for (i = 0; i < ZEK_ARRAY_LEN(events); i++)
		if (str_eq(events[i], event))
			return true;
	return false;
}

bool
core_notify_event_secret(const char *event)
{
	return str_eq(event, NOTIFY_INVITATION) ||
	    str_eq(event, NOTIFY_PASSWORD_RESET) ||
	    str_eq(event, NOTIFY_SIGNUP) ||
	    str_eq(event, NOTIFY_SIGNUP_EXISTING);
}

/* The domain of the From address ends every Message-ID: ids must be
 * unique world-wide, and that domain is ours. Anything odd: "localhost". */
static const char *
mail_host(const struct config *cfg)
{
	const char *at = cfg->smtp_from != NULL ? strrchr(cfg->smtp_from, '@') :
	                                          NULL;
	const char *p;

	if (at == NULL || at[1] == '\0' || strlen(at + 1) > HOST_MAX)
		return "localhost";
	for (p = at + 1; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		        (*p >= '0' && *p <= '9') || *p == '.' || *p == '-'))
			return "localhost";
	return at + 1;
}

const char *
core_base_url(struct zctx *ctx)
{
	const char *b = ctx->cfg->base_url != NULL ? ctx->cfg->base_url : "";
	size_t n = strlen(b);

	while (n > 0 && b[n - 1] == '/')
		n--;
	return arena_strndup(ctx->arena, b, n);
}

static int
set_str(json_t *o, const char *key, const char *v)
{
	return json_object_set_new(o, key, json_string(v != NULL ? v : ""));
}

/* Loads the request and the facts every mail of the event tells. */
static enum zek_rc
event_load(struct zctx *ctx, const char *code, int64_t request_id,
    const struct user *actor, struct event *ev)
{
	struct store_user *reporter;
	const struct store_desk *d;
	struct store_request *r;
	const char *base, *path, *url;
	enum zek_rc rc;
	int bad;

	*ev = (struct event){ .code = code, .actor = actor };
	rc = store_request_by_id(ctx->db, ctx->arena, request_id, &r);
	if (rc == ZEK_OK)
		rc = core_desk_get(ctx, r->desk_id, &d);
	if (rc == ZEK_OK)
		rc = store_user_by_id(ctx->db, ctx->arena, r->reporter_id,
		    &reporter);
	/* Read once for every recipient: one query, not one per agent. */
	if (rc == ZEK_OK)
		rc = store_notify_muted_list(ctx->db, ctx->arena, request_id,
		    &ev->muted, &ev->nmuted);
	if (rc != ZEK_OK)
		return rc;
	base = core_base_url(ctx);
	path = core_request_path(ctx->arena, d->portal_id, r->key);
	url = base == NULL || path == NULL ?
	    NULL :
	    arena_printf(ctx->arena, "%s%s", base, path);
	ev->thread_id = arena_printf(ctx->arena, "<zek.%s.%lld@%s>", r->key,
	    (long long)r->created_at, mail_host(ctx->cfg));
	ev->payload = json_object();
	if (url == NULL || ev->thread_id == NULL || ev->payload == NULL)
		return ZEK_NOMEM;
	ev->r = r;
	ev->reporter = reporter;
	bad = set_str(ev->payload, "key", r->key);
	bad |= set_str(ev->payload, "title", r->title);
	bad |= set_str(ev->payload, "url", url);
	bad |= set_str(ev->payload, "actor", actor != NULL ? actor->name : "");
	bad |= set_str(ev->payload, "reporter", reporter->name);

	bad |= set_str(ev->payload, "status", r->status);
	bad |= set_str(ev->payload, "resolution", r->resolution);
	bad |= json_object_set_new(ev->payload, "request_created_at",
	    json_integer(r->created_at));
	return bad ? ZEK_NOMEM : ZEK_OK;
}

static void
event_free(struct event *ev)
{
	json_decref(ev->payload);
	ev->payload = NULL;
}

/* Quotes at most COMMENT_MAX bytes, cut at a character boundary. */
static enum zek_rc
event_comment(struct zctx *ctx, struct event *ev, const char *body)
{
	size_t n;
	char *c;

	if (str_empty(body))
		return ZEK_OK;
	n = strlen(body);
	if (n > COMMENT_MAX) {
		n = COMMENT_MAX;
		while (n > 0 && ((unsigned char)body[n] & 0xc0) == 0x80)
			n--;
	}
	c = arena_strndup(ctx->arena, body, n);
	if (c == NULL || set_str(ev->payload, "comment", c) != 0)
		return ZEK_NOMEM;
	return ZEK_OK;
}

static int
id_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Adds `u` unless the rules say otherwise: the actor (unless self_ok),
 * notifications off for the user or for this request, already listed. */
static enum zek_rc
rcpt_add(struct zctx *ctx, const struct event *ev, struct rcpts *l,
    const struct store_user *u, bool self_ok)
{
	size_t i;

	if (!self_ok && ev->actor != NULL && ev->actor->id == u->id)
		return ZEK_OK;
	if (!u->notify || str_empty(u->email) || u->deactivated_at != 0)
		return ZEK_OK;
	for (i = 0; i < l->n; i++)
		if (l->u[i]->id == u->id)
			return ZEK_OK;
	if (ev->nmuted > 0 &&
	    bsearch(&u->id, ev->muted, ev->nmuted, sizeof(*ev->muted),
	        id_cmp) != NULL)
		return ZEK_OK;
	l->u = core_grow(ctx, l->u, l->n, &l->cap, sizeof(*l->u));
	if (l->u == NULL)
		return ZEK_NOMEM;
	l->u[l->n++] = u;
	return ZEK_OK;
}

/* The customers of the request: reporter, then participants. */
static enum zek_rc
rcpt_customers(struct zctx *ctx, const struct event *ev, struct rcpts *l,
    bool reporter_self_ok)
{
	struct store_user *parts;
	enum zek_rc rc;
	size_t i, n;

	rc = rcpt_add(ctx, ev, l, ev->reporter, reporter_self_ok);
	if (rc == ZEK_OK)
		rc = store_participants(ctx->db, ctx->arena, ev->r->id, &parts,
		    &n);
	for (i = 0; rc == ZEK_OK && i < n; i++)
		rc = rcpt_add(ctx, ev, l, &parts[i], false);
	return rc;
}

/* Every agent and admin. */
static enum zek_rc
rcpt_agents(struct zctx *ctx, const struct event *ev, struct rcpts *l)
{
	static const enum role roles[] = { ROLE_AGENT, ROLE_ADMIN };
	struct store_user *u;
	enum zek_rc rc = ZEK_OK;
	size_t i, k, n;

	for (k = 0; rc == ZEK_OK && k < ZEK_ARRAY_LEN(roles); k++) {
		rc = store_users_search(ctx->db, ctx->arena, NULL,
		    role_code(roles[k]), AGENTS_MAX, &u, &n);
		for (i = 0; rc == ZEK_OK && i < n; i++)
			rc = rcpt_add(ctx, ev, l, &u[i], false);
	}
	return rc;
}

/* A fresh Message-ID in the request's thread; the reporter's
 * confirmation is the thread's root itself, so mail clients find the root
 * of later mails. */
static const char *
message_id(struct zctx *ctx, const struct event *ev, const char *code,
    int64_t to)
{
	unsigned char rnd[8];
	char hex[2 * sizeof(rnd) + 1];

	if (str_eq(code, NOTIFY_CREATED) && to == ev->r->reporter_id)
		return ev->thread_id;
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
	return arena_printf(ctx->arena, "<zek.%s.%lld.%s@%s>", ev->r->key,
	    (long long)ev->r->created_at, hex, mail_host(ctx->cfg));
}

/* The recipient's reply token into the payload, when mails may be
 * answered (mail_reply_address) and the request is open; else none. */
static enum zek_rc
reply_token(struct zctx *ctx, const struct event *ev,
    const struct store_user *u)
{
	enum status st;
	enum resolution res;
	const char *tok;
	enum zek_rc rc;

	(void)status_decode(ev->r->status, ev->r->resolution, &st, &res);
	if (str_empty(ctx->cfg->mail_reply_address) ||
	    st == STATUS_GESCHLOSSEN) {
		(void)json_object_del(ev->payload, NOTIFY_REPLY_TOKEN);
		return ZEK_OK;
	}
	rc = core_mail_token_make(ctx, u->id, ev->r->id, &tok);
	if (rc == ZEK_OK && set_str(ev->payload, NOTIFY_REPLY_TOKEN, tok) != 0)
		rc = ZEK_NOMEM;
	return rc;
}

/* The rating link into the payload of a mail that tells the reporter
 * their request was closed (not withdrawn): signed for them alone, it
 * lets them rate once without signing in. Others' mails have none. */
static enum zek_rc
rating_link(struct zctx *ctx, const struct event *ev,
    const struct store_user *u)
{
	enum status st;
	enum resolution res;
	const char *tok, *url, *base;
	enum zek_rc rc;

	(void)status_decode(ev->r->status, ev->r->resolution, &st, &res);
	if (u->id != ev->r->reporter_id || !core_rating_possible(st, res) ||
	    (!str_eq(ev->code, NOTIFY_STATUS) &&
	        !str_eq(ev->code, NOTIFY_AUTO_CLOSED))) {
		(void)json_object_del(ev->payload, NOTIFY_RATING_URL);
		return ZEK_OK;
	}
	rc = core_rating_token_make(ctx, u->id, ev->r->id, &tok);
	if (rc != ZEK_OK)
		return rc;
	base = core_base_url(ctx);
	url = base == NULL ?
	    NULL :
	    arena_printf(ctx->arena, "%s%s%s", base, RATING_LINK_PATH, tok);
	return url != NULL &&
	        set_str(ev->payload, NOTIFY_RATING_URL, url) == 0 ?
	    ZEK_OK :
	    ZEK_NOMEM;
}

/* One outbox row per recipient, each in the recipient's language, all
 * with one statement. */
static enum zek_rc
enqueue(struct zctx *ctx, const struct event *ev, const char *code,
    const struct rcpts *l)
{
	struct store_mail *m;
	enum zek_rc rc = ZEK_OK;
	size_t i, n = 0;

	m = arena_calloc(ctx->arena, l->n + 1, sizeof(*m));
	if (m == NULL)
		return ZEK_NOMEM;
	for (i = 0; rc == ZEK_OK && i < l->n; i++, n++) {
		const struct store_user *u = l->u[i];

		if (json_object_set_new(ev->payload, "to_agent",
		        json_boolean(role_code_is_staff(u->role))) != 0 ||
		    json_object_set_new(ev->payload, "to_reporter",
		        json_boolean(u->id == ev->r->reporter_id)) != 0) {
			rc = ZEK_NOMEM;
			break;
		}
		rc = reply_token(ctx, ev, u);
		if (rc == ZEK_OK)
			rc = rating_link(ctx, ev, u);
		if (rc != ZEK_OK)
			break;
		m[n] = (struct store_mail){
			.event = code,
			.request_id = ev->r->id,
			.recipient_id = u->id,
			.to_addr = u->email,
			.to_name = u->name,
			.lang = core_lang(u->lang),
			.tz = str_empty(u->tz) ? "Europe/Berlin" : u->tz,
			.message_id = message_id(ctx, ev, code, u->id),
			.thread_id = ev->thread_id,
			/* Not json_dumps: it may leave bytes out when memory
			 * is short, and a broken payload would only fail
			 * later, in the worker. */
			.payload = jsonalloc_dumps(ev->payload,
			    JSON_COMPACT | JSON_SORT_KEYS),
			.next_attempt_at = ctx->now_ms,
			.created_at = ctx->now_ms,
		};
		if (m[n].message_id == NULL || m[n].payload == NULL)
			rc = ZEK_NOMEM;
	}
	if (rc == ZEK_OK)
		rc = store_outbox_insert_many(ctx->db, m, n);
	for (i = 0; i < n; i++)
		free((char *)m[i].payload);
	return rc;
}

#define FIELD_VALUE_MAX 500 /* bytes of one value a mail quotes */

/* One field's values as a mail line: joined by ", ", cut at a character
 * boundary after FIELD_VALUE_MAX bytes with "…". */
static const char *
field_line_value(struct zctx *ctx, const struct request_field_view *f)
{
	struct buf b;
	const char *out = NULL;
	size_t i, n;

	buf_init(&b, FIELD_VALUE_MAX * 2);
	for (i = 0; i < f->nvalues; i++)
		buf_printf(&b, "%s%s", i > 0 ? ", " : "", f->values[i]);
	if (!b.failed && b.len > FIELD_VALUE_MAX) {
		for (n = FIELD_VALUE_MAX;
		     n > 0 && ((unsigned char)b.data[n] & 0xC0) == 0x80; n--)
			;
		b.len = n;
		b.data[n] = '\0';
		buf_puts(&b, "\xe2\x80\xa6");
	}
	if (!b.failed)
		out = arena_strdup(ctx->arena, b.data != NULL ? b.data : "");
	buf_free(&b);
	return out;
}

/* The request's filled fields for its confirmation, in both languages
 * (each mail is written in its reader's later): label and value, or for
 * a date the time, shown in the reader's zone. Not the title (the mail
 * names it), the description or attachments (the page shows them). */
static enum zek_rc
event_fields(struct zctx *ctx, struct event *ev)
{
	struct request_view *v[2];
	json_t *arr = json_array(), *e;
	struct user *rep;
	enum zek_rc rc;
	size_t k;

	if (arr == NULL || json_object_set_new(ev->payload, "fields", arr) != 0)
		return ZEK_NOMEM;
	rc = core_user_get(ctx, ev->r->reporter_id, &rep);
	if (rc == ZEK_OK)
		rc = core_request_view_de_en(ctx, rep, ev->r->id, v);
	if (rc != ZEK_OK || v[0] == NULL || v[1] == NULL)
		return rc;
	for (k = 0; k < v[0]->nfields && k < v[1]->nfields; k++) {
		const struct request_field_view *de = &v[0]->fields[k];
		const struct request_field_view *en = &v[1]->fields[k];

		if (str_eq(de->key, "summary") ||
		    str_eq(de->key, "description") ||
		    de->kind == FIELD_ATTACHMENT || de->nvalues == 0)
			continue;
		e = json_pack("{s:s, s:s, s:s?, s:s?, s:I}", "label_de",
		    de->label, "label_en", en->label, "value_de",
		    de->kind == FIELD_DATETIME ? NULL :
		                                 field_line_value(ctx, de),
		    "value_en",
		    en->kind == FIELD_DATETIME ? NULL :
		                                 field_line_value(ctx, en),
		    "ms",
		    (json_int_t)(de->kind == FIELD_DATETIME ? de->datetime_ms :
		                                              0));
		if (e == NULL || json_array_append_new(arr, e) != 0)
			return ZEK_NOMEM;
	}
	return ZEK_OK;
}

enum zek_rc
core_notify_created(struct zctx *ctx, int64_t request_id,
    const struct user *actor)
{
	struct rcpts customers = { 0 }, agents = { 0 };
	struct event ev;
	enum zek_rc rc;

	rc = event_load(ctx, NOTIFY_CREATED, request_id, actor, &ev);
	/* The reporter gets the confirmation even when they created it; a
	 * customer who raised it for them gets one of their own, and both
	 * say so (mail_intro_created_for_you, _by_you). */
	if (rc == ZEK_OK &&
	    json_object_set_new(ev.payload, "on_behalf",
	        json_boolean(ev.r->creator_id != ev.r->reporter_id)) != 0)
		rc = ZEK_NOMEM;
	if (rc == ZEK_OK)
		rc = event_fields(ctx, &ev);
	if (rc == ZEK_OK) {
		struct store_user *creator;

		rc = rcpt_add(ctx, &ev, &customers, ev.reporter, true);
		if (rc == ZEK_OK && ev.r->creator_id != ev.r->reporter_id)
			rc = store_user_by_id(ctx->db, ctx->arena,
			    ev.r->creator_id, &creator);
		if (rc == ZEK_OK && ev.r->creator_id != ev.r->reporter_id &&
		    role_decode(creator->role) == ROLE_CUSTOMER)
			rc = rcpt_add(ctx, &ev, &customers, creator, true);
	}
	if (rc == ZEK_OK)
		rc = enqueue(ctx, &ev, NOTIFY_CREATED, &customers);
	if (rc == ZEK_OK && ctx->cfg->agent_mail_new)
		rc = rcpt_agents(ctx, &ev, &agents);
	if (rc == ZEK_OK)
		rc = enqueue(ctx, &ev, NOTIFY_NEW_REQUEST, &agents);
	event_free(&ev);
	return rc;
}

enum zek_rc
core_notify_comment(struct zctx *ctx, int64_t request_id,
    const struct user *actor, bool is_public, const char *body)
{
	struct rcpts l = { 0 };
	struct event ev;
	enum zek_rc rc;
	bool by_agent = perm_is_staff(actor);

	/* Internal notes stay inside the team: no mail to anyone. */
	if (!is_public)
		return ZEK_OK;
	if (!by_agent && !ctx->cfg->agent_mail_reply)
		return ZEK_OK;
	rc = event_load(ctx, by_agent ? NOTIFY_COMMENT : NOTIFY_CUSTOMER_REPLY,
	    request_id, actor, &ev);
	if (rc == ZEK_OK)
		rc = event_comment(ctx, &ev, body);
	if (rc == ZEK_OK)
		rc = by_agent ? rcpt_customers(ctx, &ev, &l, false) :
		                rcpt_agents(ctx, &ev, &l);
	if (rc == ZEK_OK)
		rc = enqueue(ctx, &ev, ev.code, &l);
	event_free(&ev);
	return rc;
}

/* Status-like events: to the reporter and participants. */
static enum zek_rc
notify_customers(struct zctx *ctx, const char *code, int64_t request_id,
    const struct user *actor, const char *old_status, const char *comment)
{
	struct rcpts l = { 0 };
	struct event ev;
	enum zek_rc rc;

	rc = event_load(ctx, code, request_id, actor, &ev);
	if (rc == ZEK_OK && old_status != NULL &&
	    set_str(ev.payload, "old_status", old_status) != 0)
		rc = ZEK_NOMEM;
	/* A proposed solution closes the request by itself after
	 * auto_close_days (core/workflow.c): the mail names the day. */
	if (rc == ZEK_OK && str_eq(code, NOTIFY_SOLUTION) &&
	    core_auto_close_at(ctx, ctx->now_ms) > 0 &&
	    json_object_set_new(ev.payload, "closes_at",
	        json_integer(core_auto_close_at(ctx, ctx->now_ms))) != 0)
		rc = ZEK_NOMEM;
	if (rc == ZEK_OK)
		rc = event_comment(ctx, &ev, comment);
	if (rc == ZEK_OK)
		rc = rcpt_customers(ctx, &ev, &l, false);
	if (rc == ZEK_OK)
		rc = enqueue(ctx, &ev, code, &l);
	event_free(&ev);
	return rc;
}

enum zek_rc
core_notify_status(struct zctx *ctx, int64_t request_id,
    const struct user *actor, enum status old_status, const char *comment)
{
	return notify_customers(ctx, NOTIFY_STATUS, request_id, actor,
	    status_code(old_status), comment);
}

enum zek_rc
core_notify_solution(struct zctx *ctx, int64_t request_id,
    const struct user *actor, const char *comment)
{
	return notify_customers(ctx, NOTIFY_SOLUTION, request_id, actor, NULL,
	    comment);
}

enum zek_rc
core_notify_auto_closed(struct zctx *ctx, int64_t request_id)
{
	return notify_customers(ctx, NOTIFY_AUTO_CLOSED, request_id, NULL, NULL,
	    NULL);
}

enum zek_rc
core_notify_participant_added(struct zctx *ctx, int64_t request_id,
    const struct user *actor, int64_t user_id)
{
	struct store_user *u;
	struct rcpts l = { 0 };
	struct event ev;
	enum zek_rc rc;

	rc = event_load(ctx, NOTIFY_PARTICIPANT_ADDED, request_id, actor, &ev);
	if (rc == ZEK_OK)
		rc = store_user_by_id(ctx->db, ctx->arena, user_id, &u);
	if (rc == ZEK_OK)
		rc = rcpt_add(ctx, &ev, &l, u, false);
	if (rc == ZEK_OK)
		rc = enqueue(ctx, &ev, NOTIFY_PARTICIPANT_ADDED, &l);
	event_free(&ev);
	return rc;
}

enum zek_rc
core_notify_assigned(struct zctx *ctx, int64_t request_id,
    const struct user *actor, int64_t assignee_id)
{
	struct store_user *u;
	struct rcpts l = { 0 };
	struct event ev;
	enum zek_rc rc;

	if (!ctx->cfg->agent_mail_assigned || assignee_id == 0 ||
	    (actor != NULL && actor->id == assignee_id))
		return ZEK_OK;
	rc = event_load(ctx, NOTIFY_ASSIGNED, request_id, actor, &ev);
	if (rc == ZEK_OK)
		rc = store_user_by_id(ctx->db, ctx->arena, assignee_id, &u);
	if (rc == ZEK_OK)
		rc = rcpt_add(ctx, &ev, &l, u, false);
	if (rc == ZEK_OK)
		rc = enqueue(ctx, &ev, NOTIFY_ASSIGNED, &l);
	event_free(&ev);
	return rc;
}

/* A Message-ID of its own: an account mail belongs to no thread. */
static const char *
account_message_id(struct zctx *ctx, const char *event)
{
	unsigned char rnd[16];
	char hex[2 * sizeof(rnd) + 1];

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
	return arena_printf(ctx->arena, "<zek.%s.%s@%s>", event, hex,
	    mail_host(ctx->cfg));
}

/* Queues a mail that belongs to no request (accounts, an unknown
 * sender's answer) with payload p (consumed). */
static enum zek_rc
queue_single(struct zctx *ctx, const char *event, const struct store_mail *to,
    json_t *p)
{
	struct store_mail m = *to;
	char *payload = jsonalloc_dumps(p, JSON_COMPACT | JSON_SORT_KEYS);
	enum zek_rc rc = ZEK_NOMEM;

	json_decref(p);
	if (payload == NULL)
		return ZEK_NOMEM;
	m.event = event;
	m.message_id = account_message_id(ctx, event);
	m.thread_id = "";
	m.payload = payload;
	m.next_attempt_at = m.created_at = ctx->now_ms;
	if (m.message_id != NULL)
		rc = store_outbox_insert(ctx->db, &m, NULL);
	free(payload);
	return rc;
}

enum zek_rc
core_notify_account(struct zctx *ctx, const char *event,
    const struct store_user *to, const struct account_mail *facts)
{
	json_t *p = json_object();

	if (p == NULL || set_str(p, "url", facts->url) != 0 ||
	    set_str(p, "actor", facts->actor) != 0 ||
	    set_str(p, "org", facts->org) != 0 ||
	    json_object_set_new(p, "expires_at",
	        json_integer(facts->expires_at)) != 0) {
		json_decref(p);
		return ZEK_NOMEM;
	}
	return queue_single(ctx, event,
	    &(struct store_mail){ .recipient_id = to->id,
	        .to_addr = to->email,
	        .to_name = to->name,
	        .lang = core_lang(to->lang),
	        .tz = str_empty(to->tz) ? "Europe/Berlin" : to->tz },
	    p);
}

enum zek_rc
core_notify_mail_unknown(struct zctx *ctx, const char *to_addr,
    const char *subject)
{
	json_t *p = json_object();
	const char *base = core_base_url(ctx);

	if (p == NULL || base == NULL ||
	    set_str(p, "url",
	        arena_printf(ctx->arena, "%s/servicedesk/customer/portals",
	            base)) != 0 ||
	    set_str(p, "title", subject) != 0) {
		json_decref(p);
		return ZEK_NOMEM;
	}
	return queue_single(ctx, NOTIFY_MAIL_UNKNOWN,
	    &(struct store_mail){ .to_addr = to_addr,
	        .to_name = "",
	        .lang = "de",
	        .tz = "Europe/Berlin" },
	    p);
}

/* ---- the outbox for mail/ ---- */

enum zek_rc
core_outbox_claim_due(struct zctx *ctx, const char *token, int64_t until,
    size_t limit, int64_t **ids, size_t *n)
{
	return store_outbox_claim_due(ctx->db, ctx->arena, token, ctx->now_ms,
	    until, limit, ids, n);
}

enum zek_rc
core_outbox_renew(struct zctx *ctx, int64_t id, const char *token,
    int64_t until)
{
	return store_outbox_renew(ctx->db, id, token, until);
}

enum zek_rc
core_outbox_get(struct zctx *ctx, int64_t id, struct store_mail **out)
{
	return store_outbox_get(ctx->db, ctx->arena, id, out);
}

enum zek_rc
core_outbox_set_raw(struct zctx *ctx, int64_t id, const char *token,
    const char *raw)
{
	return store_outbox_set_raw(ctx->db, id, token, raw);
}

enum zek_rc
core_outbox_sent(struct zctx *ctx, const struct store_mail *m,
    const char *token)
{
	return store_outbox_sent(ctx->db, m->id, token, core_now_ms(),
	    core_notify_event_secret(m->event));
}

enum zek_rc
core_outbox_retry(struct zctx *ctx, int64_t id, const char *token,
    int64_t next_at, const char *error)
{
	return store_outbox_retry(ctx->db, id, token, next_at, error);
}

enum zek_rc
core_outbox_failed(struct zctx *ctx, int64_t id, const char *token,
    const char *error)
{
	return store_outbox_failed(ctx->db, id, token, error);
}

enum zek_rc
core_outbox_list(struct zctx *ctx, const char *state, int64_t request_id,
    size_t limit, struct store_mail **out, size_t *n)
{
	return store_outbox_list(ctx->db, ctx->arena, state, request_id, limit,
	    out, n);
}
