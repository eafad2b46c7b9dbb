/* compose.c: renders an outbox row with the mail/ templates and catalogs into MIME. */
#include "mail/compose.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "core/mailtoken.h"
#include "core/notify.h"
#include "core/status.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "mail/mime.h"
#include "render/i18n.h"
#include "render/markdown.h"
#include "render/template.h"
#include "render/time.h"
#include "store/store.h"

#define BODY_MAX (1u << 20) /* one rendered body part */
#define COMMENT_HTML_MAX (512u << 10)
#define TEMPLATE_NAME_MAX 64
#define UNSUBSCRIBE_ANCHOR "notify-state" /* id on the request page */

/* The facts of the payload plus what is derived for the recipient; the
 * catalog texts may use every one of these as {name}. */
enum {
	V_KEY,
	V_TITLE,
	V_ACTOR,
	V_REPORTER,
	V_NAME,
	V_OLD,
	V_NEW,
	V_RESOLUTION,
	V_TIME,
	V_ORG,
	V_EXPIRES,
	V_CLOSES,
	V_MAX
};
static const char *const var_names[V_MAX] = {
	"key",
	"title",
	"actor",
	"reporter",
	"name",
	"old",
	"new",
	"resolution",
	"time",
	"org",
	"expires",
	"closes",
};

struct compose {
	struct arena *a;
	const struct catalogs *cat;
	const char *lang;
	const char *base_url; /* images under it stay images (markdown.h) */
	const char *reply_address; /* cfg mail_reply_address, "" = none */
	const char *reply_to;      /* this mail's Reply-To, NULL = none */
	const char *vars[V_MAX];
	json_t *ctx; /* the template context */
};

static const char *
pstr(json_t *payload, const char *key)
{
	const char *s = json_string_value(json_object_get(payload, key));

	return s != NULL ? s : "";
}

static const char *
status_text(const char *code, const char *lang)
{
	enum status s;

	return status_from_code(code, &s) ? status_label(s, lang) : "";
}

static const char *
resolution_text(const char *code, const char *lang)
{
	enum resolution r;

	return resolution_from_code(code, &r) ? resolution_label(r, lang) : "";
}

/* The catalog text `key` with every {name} filled in; NULL on failure. */
static const char *
fmt(struct compose *c, const char *key)
{
	char *out;

	if (i18n_format(c->a, i18n_get(c->cat, c->lang, key), var_names,
	        c->vars, V_MAX, &out) != ZEK_OK)
		return NULL;
	return out;
}

static int
ctx_str(struct compose *c, const char *key, const char *v)
{
	if (v == NULL)
		return ZEK_NOMEM;
	return json_object_set_new(c->ctx, key, json_string(v)) == 0 ?
	    ZEK_OK :
	    ZEK_NOMEM;
}

/* The comment's Markdown as safe HTML for the HTML part, remote images as
 * links. */
static enum zek_rc
comment_html(struct compose *c, const char *md)
{
	struct buf b;
	enum zek_rc rc;

	if (md[0] == '\0')
		return ZEK_OK;
	buf_init(&b, COMMENT_HTML_MAX);
	rc = markdown_to_mail_html(md, strlen(md), c->base_url, &b);
	if (rc == ZEK_OK)
		rc = ctx_str(c, "comment_html", b.data != NULL ? b.data : "");
	buf_free(&b);
	return rc;
}

/* The time in the recipient's zone (or the default one), "" if neither
 * works. */
static const char *
when_text(struct compose *c, const struct store_mail *m, int64_t ms)
{
	char when[64];

	if (time_format(ms, m->tz, c->lang, when, sizeof(when)) != ZEK_OK &&
	    time_format(ms, TIME_DEFAULT_ZONE, c->lang, when, sizeof(when)) !=
	        ZEK_OK)
		when[0] = '\0';
	return arena_strdup(c->a, when);
}

/* Mails that belong to no request: the account mails and the answer to
 * an unknown sender. Their subject is their own, nothing to unsubscribe. */
static bool
standalone(const char *event)
{
	return core_notify_event_secret(event) ||
	    str_eq(event, NOTIFY_MAIL_UNKNOWN);
}

/* Whether the mail asks for answers by mail: it carries a reply token, a
 * reply address is configured (it may have been unset since), and the
 * request is open. Sets c->reply_to. */
static enum zek_rc
reply_context(struct compose *c, json_t *p, bool closed)
{
	const char *tok = pstr(p, NOTIFY_REPLY_TOKEN);
	enum zek_rc rc;

	c->reply_to = NULL;
	if (closed || tok[0] == '\0' || str_empty(c->reply_address))
		return ZEK_OK;
	c->reply_to = core_mail_reply_addr(c->a, c->reply_address, tok);
	if (c->reply_to == NULL)
		return ZEK_OK; /* a token the address cannot carry */
	rc = ctx_str(c, "reply_hint",
	    i18n_get(c->cat, c->lang, "mail_reply_hint"));
	if (rc == ZEK_OK)
		rc = ctx_str(c, "reply_cut",
		    i18n_get(c->cat, c->lang, "mail_reply_cut"));
	return rc;
}

/* What a mail says about the request's end: when a proposed solution
 * closes it by itself (closes_at, issue 19), and a footer that asks for
 * comments in the portal (or by mail) only while the request can take
 * one. */
static enum zek_rc
closing_context(struct compose *c, const struct store_mail *m, json_t *p)
{
	int64_t closes = json_integer_value(json_object_get(p, "closes_at"));
	enum status st;
	enum resolution res;
	bool closed;
	enum zek_rc rc;

	/* An unknown code decodes as closed: no comment asked then either. */
	(void)status_decode(pstr(p, "status"), pstr(p, "resolution"), &st,
	    &res);
	closed = st == STATUS_GESCHLOSSEN;
	c->vars[V_CLOSES] = closes > 0 ? when_text(c, m, closes) : "";
	if (c->vars[V_CLOSES] == NULL)
		return ZEK_NOMEM;
	rc = reply_context(c, p, closed);
	if (rc == ZEK_OK)
		rc = ctx_str(c, "footer",
		    i18n_get(c->cat, c->lang,
		        closed                  ? "mail_footer_closed" :
		            c->reply_to != NULL ? "mail_footer_reply" :
		                                  "mail_footer"));
	if (rc == ZEK_OK && closes > 0)
		rc = ctx_str(c, "closes_line", fmt(c, "mail_closes"));
	return rc;
}

/* The satisfaction question of the reporter's closing mail: a link per
 * score (the page opens with it checked and asks to send; following a
 * link changes nothing). */
static enum zek_rc
rating_context(struct compose *c, json_t *p)
{
	const char *url = pstr(p, NOTIFY_RATING_URL);
	json_t *links, *one;
	char key[24];
	int i;

	if (url[0] == '\0')
		return ZEK_OK;
	links = json_array();
	if (links == NULL ||
	    json_object_set_new(c->ctx, "rating",
	        json_pack("{s:s, s:o}", "question",
	            i18n_get(c->cat, c->lang, "mail_rating_question"), "links",
	            links)) != 0)
		return ZEK_NOMEM;
	for (i = 1; i <= 5; i++) {
		snprintf(key, sizeof(key), "rating_score_%d", i);
		one = json_pack("{s:s, s:s}", "label",
		    i18n_get(c->cat, c->lang, key), "url",
		    arena_printf(c->a, "%s?score=%d", url, i));
		if (one == NULL || json_array_append_new(links, one) != 0)
			return ZEK_NOMEM;
	}
	return ZEK_OK;
}

/* The request's fields a confirmation lists (payload "fields", both
 * languages), in the reader's language; dates in the reader's zone. */
static enum zek_rc
fields_context(struct compose *c, const struct store_mail *m, json_t *p)
{
	json_t *in = json_object_get(p, "fields"), *out, *f, *row;
	bool en = str_eq(c->lang, "en");
	const char *value;
	int64_t ms;
	size_t i;

	if (!json_is_array(in) || json_array_size(in) == 0)
		return ZEK_OK;
	out = json_array();
	if (out == NULL || json_object_set_new(c->ctx, "fields", out) != 0 ||
	    json_object_set_new(c->ctx, "has_fields", json_true()) != 0)
		return ZEK_NOMEM;
	json_array_foreach(in, i, f) {
		ms = json_integer_value(json_object_get(f, "ms"));
		value = ms > 0 ? when_text(c, m, ms) :
		                 pstr(f, en ? "value_en" : "value_de");
		row = json_pack("{s:s, s:s}", "label",
		    pstr(f, en ? "label_en" : "label_de"), "value",
		    value != NULL ? value : "");
		if (row == NULL || json_array_append_new(out, row) != 0)
			return ZEK_NOMEM;
	}
	return ZEK_OK;
}

/* Fills c->vars and the template context from the mail and its payload. */
static enum zek_rc
build_context(struct compose *c, const struct store_mail *m, json_t *p)
{
	enum zek_rc rc;
	const char *intro_key, *subject_key = "mail_subject";
	const char *when, *expires;
	c->vars[V_KEY] = pstr(p, "key");
	c->vars[V_TITLE] = pstr(p, "title");
	c->vars[V_ACTOR] = pstr(p, "actor");
	c->vars[V_REPORTER] = pstr(p, "reporter");
	c->vars[V_NAME] = m->to_name;
	c->vars[V_OLD] = status_text(pstr(p, "old_status"), c->lang);
	c->vars[V_NEW] = status_text(pstr(p, "status"), c->lang);
	c->vars[V_RESOLUTION] = resolution_text(pstr(p, "resolution"), c->lang);
	when = when_text(c, m, m->created_at);
	expires = when_text(c, m,
	    json_integer_value(json_object_get(p, "expires_at")));
	c->vars[V_TIME] = when;
	c->vars[V_ORG] = pstr(p, "org");
	c->vars[V_EXPIRES] = expires;
	intro_key = arena_printf(c->a, "mail_intro_%s%s", m->event,
	    !json_is_true(json_object_get(p, "on_behalf"))      ? "" :
	        json_is_true(json_object_get(p, "to_reporter")) ? "_for_you" :
	                                                          "_by_you");
	if (standalone(m->event))
		subject_key = arena_printf(c->a, "mail_subject_%s", m->event);
	if (intro_key == NULL || subject_key == NULL || when == NULL ||
	    expires == NULL)
		return ZEK_NOMEM;
	if (json_object_set(c->ctx, "t", i18n_table(c->cat, c->lang)) != 0)
		return ZEK_NOMEM;
	rc = ctx_str(c, "lang", c->lang);
	if (rc == ZEK_OK)
		rc = ctx_str(c, "subject", fmt(c, subject_key));
	if (rc == ZEK_OK)
		rc = ctx_str(c, "greeting",
		    fmt(c,
		        c->vars[V_NAME][0] != '\0' ? "mail_greeting" :
		                                     "mail_greeting_anon"));
	if (rc == ZEK_OK)
		rc = ctx_str(c, "intro", fmt(c, intro_key));
	if (rc == ZEK_OK && c->vars[V_RESOLUTION][0] != '\0')
		rc = ctx_str(c, "resolution_line", fmt(c, "mail_resolution"));
	if (rc == ZEK_OK)
		rc = ctx_str(c, "time_line", fmt(c, "mail_time"));
	if (rc == ZEK_OK && c->vars[V_ACTOR][0] != '\0')
		rc = ctx_str(c, "actor_line", fmt(c, "mail_invited_by"));
	if (rc == ZEK_OK && c->vars[V_ORG][0] != '\0')
		rc = ctx_str(c, "org_line", fmt(c, "mail_org"));
	if (rc == ZEK_OK)
		rc = ctx_str(c, "expires_line", fmt(c, "mail_expires"));
	if (rc == ZEK_OK && str_eq(m->event, NOTIFY_MAIL_UNKNOWN))
		rc = ctx_str(c, "subject_line",
		    fmt(c, "mail_unknown_subject_line"));
	if (rc == ZEK_OK)
		rc = ctx_str(c, "key", c->vars[V_KEY]);
	if (rc == ZEK_OK)
		rc = ctx_str(c, "title", c->vars[V_TITLE]);
	if (rc == ZEK_OK)
		rc = ctx_str(c, "reporter", c->vars[V_REPORTER]);
	if (rc == ZEK_OK)
		rc = ctx_str(c, "url", pstr(p, "url"));
	if (rc == ZEK_OK && pstr(p, "comment")[0] != '\0')
		rc = ctx_str(c, "comment", pstr(p, "comment"));
	if (rc == ZEK_OK)
		rc = comment_html(c, pstr(p, "comment"));
	if (rc == ZEK_OK)
		rc = closing_context(c, m, p);
	if (rc == ZEK_OK)
		rc = fields_context(c, m, p);
	if (rc == ZEK_OK)
		rc = rating_context(c, p);
	return rc;
}

static enum zek_rc
render(const struct mail_env *env, struct compose *c, const char *kind,
    const char *event, struct buf *out)
{
	char name[TEMPLATE_NAME_MAX];
	int rc;

	snprintf(name, sizeof(name), "mail/%s/%s", kind, event);
	rc = templates_render(__atomic_load_n(&env->tpl, __ATOMIC_ACQUIRE),
	    name, c->ctx, out);
	if (rc == ZEK_OK && out->data == NULL)
		rc = buf_puts(out, "");
	return rc;
}

enum zek_rc
mail_compose(const struct mail_env *env, struct arena *a,
    const struct store_mail *m, struct buf *out)
{
	struct compose c = { .a = a,
		.cat = __atomic_load_n(&env->cat, __ATOMIC_ACQUIRE),
		.base_url = env->cfg->base_url,
		.reply_address = env->cfg->mail_reply_address };
	struct buf text, html;
	struct mime_msg msg;
	const char *unsubscribe;
	json_t *payload;
	enum zek_rc rc;

	if (!core_notify_event_known(m->event))
		return ZEK_INVALID;
	payload = json_loads(m->payload, 0, NULL);
	if (!json_is_object(payload)) {
		json_decref(payload);
		return ZEK_INVALID;
	}
	buf_init(&text, BODY_MAX);
	buf_init(&html, BODY_MAX);
	c.lang = i18n_has_lang(m->lang) ? m->lang : I18N_DEFAULT_LANG;
	c.ctx = json_object();
	rc = c.ctx == NULL ? ZEK_NOMEM : build_context(&c, m, payload);
	if (rc == ZEK_OK)
		rc = render(env, &c, "text", m->event, &text);
	if (rc == ZEK_OK)
		rc = render(env, &c, "html", m->event, &html);
	if (rc != ZEK_OK)
		goto out;
	/* The request page, scrolled to its notification switch; an account
	 * mail has nothing to unsubscribe from. */
	unsubscribe = pstr(payload, "url")[0] == '\0' || standalone(m->event) ?
	    NULL :
	    arena_printf(a, "%s#%s", pstr(payload, "url"), UNSUBSCRIBE_ANCHOR);
	msg = (struct mime_msg){
		.from = { env->cfg->smtp_from_name, env->cfg->smtp_from },
		.to = { m->to_name, m->to_addr },
		.reply_to = { NULL, c.reply_to },
		.subject = json_string_value(json_object_get(c.ctx, "subject")),
		.message_id = m->message_id,
		.in_reply_to = str_empty(m->thread_id) ? NULL : m->thread_id,
		.date_ms = m->created_at,
		.list_unsubscribe = unsubscribe,
		.lang = c.lang,
		.text = text.data,
		.html = html.data,
	};
	rc = mime_build(&msg, out);
out:
	buf_free(&text);
	buf_free(&html);
	json_decref(c.ctx);
	json_decref(payload);
	return rc;
}
