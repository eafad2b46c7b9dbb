/* profile.c: the profile page: name and password, language and time zone,
 * personal access tokens. */
#include "web/web.h"

#include <stdio.h>
#include <string.h>

#include "core/profile.h"
#include "core/tokens.h"
#include "core/users.h"
#include "core/validate.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "render/i18n.h"
#include "render/jsonalloc.h"
#include "render/time.h"

#define PROFILE_URL "/servicedesk/customer/user/profile"
#define TOKENS_URL PROFILE_URL "/tokens"
#define ZONE_MAX 64 /* bytes of a zone ID we show again */

/* What the page shows besides the stored profile: a failed form with its
 * errors, or the token just created. */
struct profile_state {
	const char *form; /* "edit" | "prefs" | "token" | NULL */
	struct field_error errs[PROFILE_MAX_ERRORS];
	size_t nerrs;
	const struct token_new *created;
	const char *created_name;
	const char *notice_key; /* catalog key of a status message */
};

/* ---- helpers ---- */

/* The errors of `form`: none when another form of the page was sent. */
static size_t
errs_of(const struct profile_state *st, const char *form)
{
	return str_eq(st->form, form) ? st->nerrs : 0;
}

/* A field of one of the forms: id, error text, kept value. */
static json_t *
field_json(struct req *rq, const struct profile_state *st, const char *form,
    const char *field, const char *id, const char *value)
{
	return web_field_json(rq, st->errs, errs_of(st, form), field, id,
	    value);
}

/* ---- the three sections ---- */

/* The box "also revoke my API tokens" is ticked (it sends "1"). */
static bool
revoke_tokens_asked(struct req *rq)
{
	bool yes = false;

	return str_to_bool(req_form(rq, "revoke_tokens"), &yes) == 0 && yes;
}

static json_t *
edit_json(struct req *rq, const struct profile_state *st)
{
	static const struct web_form_field fields[] = {
		{ "name", "p-name", "profile_name" },
		{ "current_password", "p-current", "profile_current_password" },
		{ "new_password", "p-new", "profile_new_password" },
		{ "new_password2", "p-new2", "profile_new_password2" },
	};
	bool mine = str_eq(st->form, "edit");
	json_t *j;

	j = ctx_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:b, s:b}", "action",
	    PROFILE_URL, "email", rq->user->email, "name",
	    field_json(rq, st, "edit", "name", "p-name",
	        mine ? web_kept(rq, "name") : rq->user->name),
	    "current",
	    field_json(rq, st, "edit", "current_password", "p-current", NULL),
	    "new", field_json(rq, st, "edit", "new_password", "p-new", NULL),
	    "new2", field_json(rq, st, "edit", "new_password2", "p-new2", NULL),
	    "revoke_tokens", mine && revoke_tokens_asked(rq), "has_errors",
	    mine && st->nerrs > 0);
	if (j != NULL && mine && st->nerrs > 0)
		json_object_set_new(j, "errors",
		    web_summary_json(rq, st->errs, st->nerrs, fields,
		        ZEK_ARRAY_LEN(fields)));
	return j;
}

static json_t *
lang_options(struct req *rq, const char *cur)
{
	return ctx_pack("[{s:s, s:s, s:b}, {s:s, s:s, s:b}]", "code", "de",
	    "text", "Deutsch", "chosen", str_eq(cur, "de"), "code", "en",
	    "text", "English", "chosen", str_eq(cur, "en"));
}

/* "(GMT+05:30) Kolkata", as the guide's picker shows a zone. */
static const char *
zone_text(struct req *rq, const char *city, int32_t raw_offset_ms)
{
	int32_t m = raw_offset_ms / 60000;

	return arena_printf(rq->arena, "(GMT%c%02d:%02d) %s", m < 0 ? '-' : '+',
	    (m < 0 ? -m : m) / 60, (m < 0 ? -m : m) % 60, city);
}

json_t *
web_zone_options(struct req *rq, const char *cur)
{
	const struct time_zone_entry *e;
	json_t *list = json_array();
	bool utc_done = false;
	size_t i, n;

	cur = time_zone_current_name(cur);
	if (time_zone_picker(&e, &n) != ZEK_OK)
		n = 0;
	json_array_append_new(list,
	    ctx_pack("{s:s, s:s, s:b}", "code", TIME_DEFAULT_ZONE, "text",
	        arena_printf(rq->arena, "%s (%s)",
	            web_t(rq, "prefs_timezone_default"), TIME_DEFAULT_ZONE),
	        "chosen", str_eq(cur, TIME_DEFAULT_ZONE)));
	for (i = 0; i < n; i++) {
		if (!utc_done && e[i].raw_offset_ms >= 0) {
			json_array_append_new(list,
			    ctx_pack("{s:s, s:s, s:b}", "code", "UTC", "text",
			        zone_text(rq, "UTC", 0), "chosen",
			        str_eq(cur, "UTC")));
			utc_done = true;
		}
		json_array_append_new(list,
		    ctx_pack("{s:s, s:s, s:b}", "code", e[i].id, "text",
		        zone_text(rq, e[i].city, e[i].raw_offset_ms), "chosen",
		        str_eq(cur, e[i].id) &&
		            !str_eq(cur, TIME_DEFAULT_ZONE)));
	}
	return list;
}

static json_t *
prefs_json(struct req *rq, const struct profile_state *st)
{
	static const struct web_form_field fields[] = {
		{ "lang", "s-lang", "prefs_language" },
		{ "tz", "s-tz", "prefs_timezone" },
	};
	bool mine = str_eq(st->form, "prefs");
	const char *lang = rq->user->lang, *tz = rq->user->tz;
	json_t *j;

	if (mine) {
		const char *l = req_form(rq, "lang"), *z = req_form(rq, "tz");
		if (str_eq(l, "de") || str_eq(l, "en"))
			lang = l;
		if (z != NULL && strlen(z) < ZONE_MAX && core_tz_valid(z))
			tz = z;
	}
	j = ctx_pack("{s:s, s:s, s:o, s:o, s:o, s:b, s:s, s:b}", "action",
	    PROFILE_URL "/preferences", "cancel_href",
	    PROFILE_URL "#einstellungen", "lang",
	    field_json(rq, st, "prefs", "lang", "s-lang", NULL), "tz",
	    field_json(rq, st, "prefs", "tz", "s-tz", NULL), "langs",
	    lang_options(rq, lang), "has_errors", mine && st->nerrs > 0,
	    "now_text", web_time_text(rq, rq->ctx.now_ms), "notify",
	    mine ? !str_empty(req_form(rq, "notify")) : rq->user->notify);
	if (j == NULL)
		return NULL;
	json_object_set_new(j, "zones", web_zone_options(rq, tz));
	if (mine && st->nerrs > 0)
		json_object_set_new(j, "errors",
		    web_summary_json(rq, st->errs, st->nerrs, fields,
		        ZEK_ARRAY_LEN(fields)));
	return j;
}

static json_t *
token_row(struct req *rq, const struct api_token *t)
{
	const char *names[] = { "name" };
	const char *values[] = { t->name };
	char *revoke_label;

	if (i18n_format(rq->arena, web_t(rq, "token_revoke_label"), names,
	        values, 1, &revoke_label) != ZEK_OK)
		revoke_label = (char *)web_t(rq, "token_revoke");
	return ctx_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s}",
	    "token_name", t->name, "created_text",
	    web_time_text(rq, t->created_at), "created_iso",
	    web_time_iso(rq, t->created_at), "expires_text",
	    web_time_text(rq, t->expires_at), "expires_iso",
	    web_time_iso(rq, t->expires_at), "used_text",
	    t->last_used_at > 0 ? web_time_text(rq, t->last_used_at) :
	                          web_t(rq, "token_never_used"),
	    "revoke_action",
	    arena_printf(rq->arena, TOKENS_URL "/%lld/revoke",
	        (long long)t->id),
	    "expired", t->expired, "revoke_label", revoke_label);
}

static json_t *
tokens_json(struct req *rq, const struct profile_state *st)
{
	static const struct web_form_field fields[] = {
		{ "name", "t-name", "token_name" },
		{ "expires", "t-expires", "token_expires" },
	};
	struct api_token *list;
	char today[11], suggested[11], latest[11];
	bool mine = str_eq(st->form, "token") && st->nerrs > 0;
	json_t *j, *rows;
	size_t i, n;

	if (core_tokens_list(&rq->ctx, rq->user, &list, &n) != ZEK_OK)
		return NULL;
	if (core_token_dates(&rq->ctx, rq->tz, today, suggested, latest) !=
	    ZEK_OK)
		return NULL;
	rows = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(rows, token_row(rq, &list[i]));
	j = ctx_pack("{s:s, s:o, s:b, s:o, s:o, s:s, s:s, s:b}",
	    /* The answer opens at what it says, in sight without scrolling
	     * and without JS: the new token, or the form's errors. */
	    "action", TOKENS_URL "#token-result", "list", rows, "has_tokens",
	    n > 0, "name",
	    field_json(rq, st, "token", "name", "t-name",
	        mine ? web_kept(rq, "name") : ""),
	    "expires",
	    field_json(rq, st, "token", "expires", "t-expires",
	        mine ? web_kept(rq, "expires") : suggested),
	    "min_date", today, "max_date", latest, "has_errors", mine);
	if (j == NULL)
		return NULL;
	if (mine)
		json_object_set_new(j, "errors",
		    web_summary_json(rq, st->errs, st->nerrs, fields,
		        ZEK_ARRAY_LEN(fields)));
	if (st->created != NULL)
		json_object_set_new(j, "created",
		    ctx_pack("{s:s, s:s, s:s}", "token_name", st->created_name,
		        "raw", st->created->raw, "expires_text",
		        web_time_text(rq, st->created->expires_at)));
	return j;
}

/* ---- the page ---- */

static int
profile_page(struct req *rq, unsigned status, const struct profile_state *st)
{
	json_t *page, *edit, *prefs, *tokens;

	page = web_page_ctx(rq, "page_profile");
	if (page == NULL)
		return ZEK_NOMEM;
	edit = edit_json(rq, st);
	prefs = prefs_json(rq, st);
	tokens = tokens_json(rq, st);
	if (!jsonalloc_take(page,
	        (const struct json_member[]){ { "profile", edit },
	            { "prefs", prefs }, { "tokens", tokens } },
	        3))
		return ZEK_NOMEM;
	if (st->notice_key != NULL)
		json_object_set_new(page, "notice",
		    json_string(web_t(rq, st->notice_key)));
	web_breadcrumb(rq, page, web_t(rq, "page_portals"), WEB_HOME);
	web_breadcrumb(rq, page, web_t(rq, "page_profile"), NULL);
	return web_render(rq, status, "profile", page);
}

/* GET /servicedesk/customer/user/profile[?saved=...] */
int
web_profile(struct req *rq)
{
	static const char *const notices[][2] = {
		{ "profile", "profile_saved" },
		{ "password", "profile_password_saved" },
		{ "password_tokens", "profile_password_tokens_saved" },
		{ "prefs", "prefs_saved" },
		{ "revoked", "token_revoked" },
	};
	struct profile_state st = { 0 };
	const char *saved = req_query(rq, "saved");
	size_t i;

	for (i = 0; saved != NULL && i < ZEK_ARRAY_LEN(notices); i++)
		if (str_eq(saved, notices[i][0]))
			st.notice_key = notices[i][1];
	return profile_page(rq, 200, &st);
}

/* POST /servicedesk/customer/user/profile: "Profil bearbeiten". */
int
web_profile_save(struct req *rq)
{
	struct profile_state st = { .form = "edit" };
	struct profile_edit in = {
		.name = req_form(rq, "name"),
		.current_password = req_form(rq, "current_password"),
		.new_password = req_form(rq, "new_password"),
		.new_password2 = req_form(rq, "new_password2"),
		.keep_session = rq->session_token,
		.revoke_tokens = revoke_tokens_asked(rq),
	};
	bool changed = false;
	int rc;

	rc = core_profile_edit(&rq->ctx, rq->user, &in, st.errs, &st.nerrs,
	    &changed);
	if (rc == ZEK_INVALID)
		return profile_page(rq, 422, &st);
	if (rc != ZEK_OK)
		return rc;
	if (changed && in.revoke_tokens)
		return http_redirect(rq, 303,
		    PROFILE_URL "?saved=password_tokens");
	return http_redirect(rq, 303,
	    changed ? PROFILE_URL "?saved=password" :
	              PROFILE_URL "?saved=profile");
}

/* POST /servicedesk/customer/user/profile/preferences: "Einstellungen". */
int
web_profile_prefs(struct req *rq)
{
	struct profile_state st = { .form = "prefs" };
	const char *notify = req_form(rq, "notify");
	int rc;

	/* The checkbox sends "1" or nothing; anything else is not this form. */
	if (notify != NULL && !str_eq(notify, "1"))
		return web_fail(rq, 400, ZEK_INVALID);
	rc = core_profile_set_prefs(&rq->ctx, rq->user, req_form(rq, "lang"),
	    req_form(rq, "tz"), notify != NULL, &st.errs[0]);
	if (rc == ZEK_INVALID) {
		st.nerrs = 1;
		return profile_page(rq, 422, &st);
	}
	if (rc != ZEK_OK)
		return rc;
	/* The next page is read in the new language and zone. */
	return http_redirect(rq, 303, PROFILE_URL "?saved=prefs#einstellungen");
}

/* POST /servicedesk/customer/user/profile/tokens: the new token is shown
 * on this response only; it is never stored or shown again. */
int
web_token_create(struct req *rq)
{
	struct profile_state st = { .form = "token" };
	struct token_new tok;
	char *name;
	int rc;

	rc = core_token_create(&rq->ctx, rq->user, req_form(rq, "name"),
	    req_form(rq, "expires"), rq->tz, &tok, &st.errs[0]);
	if (rc == ZEK_INVALID) {
		st.nerrs = 1;
		return profile_page(rq, 422, &st);
	}
	if (rc != ZEK_OK)
		return rc;
	name = arena_strdup(rq->arena, web_kept(rq, "name"));
	if (name == NULL)
		return ZEK_NOMEM;
	st.created = &tok;
	st.created_name = str_trim(name);
	return profile_page(rq, 200, &st);
}

/* POST /servicedesk/customer/user/profile/tokens/{id}/revoke */
int
web_token_revoke(struct req *rq)
{
	int64_t id;
	int rc;

	if (!req_param_i64(rq, "id", &id))
		return web_fail(rq, 404, ZEK_NOTFOUND);
	rc = core_token_revoke(&rq->ctx, rq->user, id);
	if (rc == ZEK_NOTFOUND)
		return web_fail(rq, 404, rc);
	if (rc != ZEK_OK)
		return rc;
	return http_redirect(rq, 303, PROFILE_URL "?saved=revoked#tokens");
}
