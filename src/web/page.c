/* page.c: the phases web/ adds to every request, and shared page helpers. */
#include "web/web.h"

#include <inttypes.h>

#include <stdio.h>
#include <string.h>

#include "core/attachments.h"
#include "core/admin.h"
#include "core/auth.h"
#include "core/perm.h"
#include "core/validate.h"
#include "http/form.h"
#include "http/router.h"
#include "core/users.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "render/i18n.h"
#include "render/jsonalloc.h"
#include "render/markdown.h"
#include "render/template.h"
#include "render/time.h"
#include "lib/utf8.h"

#define PAGE_MAX_BYTES (4u << 20)

static void
templates_cleanup(void *p)
{
	templates_free(p);
}

static void
catalogs_cleanup(void *p)
{
	i18n_free(p);
}

static void
json_cleanup(void *p)
{
	json_decref(p);
}

/* In development mode templates and catalogs are read anew per request,
 * so an edit shows on the next reload without a restart. */
static int
load_presentation(struct req *rq)
{
	struct app *app = rq->app;
	char err[256];

	if (!app->cfg.dev) {
		rq->tpl = app_templates(app);
		rq->cat = app_catalogs(app);
		return ZEK_OK;
	}
	rq->tpl = templates_load(app->templates_dir, err, sizeof(err));
	if (rq->tpl == NULL) {
		log_error("web", "templates not loaded",
		    LOG_FIELDS(LOG_S("error", err)));
		rq->tpl = app_templates(app);
	} else if (arena_defer(rq->arena, templates_cleanup, rq->tpl) != 0) {
		return ZEK_NOMEM;
	}
	rq->cat = i18n_load(app->po_dir, err, sizeof(err));
	if (rq->cat == NULL) {
		log_error("web", "catalogs not loaded",
		    LOG_FIELDS(LOG_S("error", err)));
		rq->cat = app_catalogs(app);
	} else if (arena_defer(rq->arena, catalogs_cleanup, rq->cat) != 0) {
		return ZEK_NOMEM;
	}
	return ZEK_OK;
}

/* Signed-out visitors get a random form token in a cookie of their own
 * (double submit), so the login form is protected as well. */
static int
anonymous_csrf(struct req *rq)
{
	const char *c = req_cookie(rq, WEB_CSRF_COOKIE);
	char *tok;

	if (core_token_well_formed(c)) {
		rq->csrf = c;
		return ZEK_OK;
	}
	tok = core_random_token(&rq->ctx);
	if (tok == NULL)
		return ZEK_NOMEM;
	rq->csrf = tok;
	rq->set_csrf_cookie = true;
	return http_set_cookie(rq, WEB_CSRF_COOKIE, tok, 0);
}

int
web_begin(struct req *rq)
{
	const char *token;
	const char *csrf = NULL;
	int rc;

	rc = core_ctx_init(rq->app->core, rq->arena, &rq->ctx);
	if (rc != ZEK_OK)
		return rc;
	rc = load_presentation(rq);
	if (rc != ZEK_OK)
		return rc;
	token = req_cookie(rq, WEB_SESSION_COOKIE);
	if (core_token_well_formed(token)) {
		struct session_ended ended = { 0 };

		rc = core_session_find(&rq->ctx, token, &rq->user, &csrf,
		    &ended);
		if (rc == ZEK_OK) {
			rq->session_token = token;
			rq->csrf = csrf;
		} else if (rc == ZEK_NOTFOUND) {
			rq->ended_user_id = ended.user_id;
			rq->ended_csrf = ended.csrf;
		} else {
			return rc;
		}
	}
	if (rq->user != NULL) {
		rq->lang = str_eq(rq->user->lang, "en") ? "en" : "de";
		if (!str_empty(rq->user->tz))
			rq->tz = rq->user->tz;
		return ZEK_OK;
	}
	rq->lang = i18n_negotiate(req_header(rq, "Accept-Language"));
	return anonymous_csrf(rq);
}

const char *
web_t(struct req *rq, const char *key)
{
	return i18n_get(rq->cat, rq->lang, key);
}

int64_t
web_param_id(struct req *rq, const char *name)
{
	int64_t id = 0;

	return req_param_i64(rq, name, &id) ? id : 0;
}

bool
web_user_is_agent(struct req *rq)
{
	return perm_is_staff(rq->user);
}

bool
web_csrf_ok(struct req *rq)
{
	const char *sent = req_form(rq, "csrf");

	if (sent == NULL)
		sent = req_header(rq, "X-CSRF-Token");
	return rq->csrf != NULL && sent != NULL && core_csrf_ok(rq->csrf, sent);
}

int
web_need_login(struct req *rq)
{
	char *loc;
	struct buf b;

	if (rq->route != NULL && (rq->route->flags & ROUTE_JSON))
		return http_reply_json(rq, 401, HTTP_JSON,
		    ctx_pack("{s:s}", "errorMessage",
		        web_t(rq, "err_login_needed")));
	/* A form that keeps typed work goes back to its page, filled in
	 * (web/keep.c); other POSTs go back home. */
	if (rq->route != NULL && (rq->route->flags & ROUTE_KEEP) &&
	    str_eq(rq->method, "POST"))
		return web_keep_form(rq);
	if (!str_eq(rq->method, "GET"))
		return http_redirect(rq, 303, WEB_LOGIN);
	buf_init(&b, 4096);
	buf_puts(&b, WEB_LOGIN "?next=");
	buf_put_percent(&b, rq->path, strlen(rq->path), "/");
	loc = b.failed ? NULL : arena_strdup(rq->arena, b.data);
	buf_free(&b);
	if (loc == NULL)
		return ZEK_NOMEM;
	return http_redirect(rq, 303, loc);
}

static json_t *
user_json(struct req *rq)
{
	int64_t open = 0;

	if (rq->user == NULL)
		return NULL;
	if (core_open_request_count(&rq->ctx, rq->user, &open) != ZEK_OK)
		open = 0;
	return ctx_pack("{s:s, s:s, s:b, s:b, s:I}", "name", rq->user->name,
	    "email", rq->user->email, "is_agent", perm_is_staff(rq->user),
	    "is_admin", perm_is_admin(rq->user), "open_count",
	    (json_int_t)open);
}

/* A message after a redirect (?notice=welcome), from a fixed list only,
 * so that a link cannot put words of its own on our pages. */
static const char *
notice_text(struct req *rq)
{
	static const char *const notices[] = { "welcome", "password_set",
		"deactivated", "reactivated", "reset_sent", "org_created",
		"org_renamed", "member_added", "member_removed", "role_changed",
		"saved", "object_added", "object_renamed", "object_retired",
		"object_restored", "config_imported", "group_added",
		"type_added", "field_added", "option_added", "option_renamed",
		"option_retired", "option_restored", "moved", "mail_retried",
		"mail_discarded", "snippet_added", "snippet_deleted",
		"closed_day_added", "closed_day_deleted" };
	const char *q = req_query(rq, "notice");
	const char *key;
	size_t i;

	for (i = 0; q != NULL && i < ZEK_ARRAY_LEN(notices); i++) {
		if (!str_eq(q, notices[i]))
			continue;
		key = arena_printf(rq->arena, "notice_%s", q);
		return key != NULL ? web_t(rq, key) : NULL;
	}
	return NULL;
}

/* The help center's announcement, on the customers' pages while it is
 * on (core/admin.h); staff areas have work of their own to show. */
static void
announce(struct req *rq, json_t *page)
{
	struct help_center_texts hc;
	const char *html;

	if (rq->ctx.db == NULL || str_starts(rq->path, "/servicedesk/agent/") ||
	    str_starts(rq->path, WEB_ADMIN))
		return;
	if (core_help_center_texts(&rq->ctx, rq->lang, &hc) != ZEK_OK ||
	    hc.announcement == NULL)
		return;
	html = markdown_to_arena(rq->arena, hc.announcement);
	if (html != NULL)
		json_object_set_new(page, "announcement_html",
		    json_string(html));
}

json_t *
web_page_ctx(struct req *rq, const char *title_key)
{
	json_t *page, *user;
	const char *notice;

	page = ctx_pack("{s:s, s:O, s:s, s:s?, s:s, s:s, s:s, s:s, s:s, s:[]}",
	    "lang", rq->lang, "t", i18n_table(rq->cat, rq->lang), "title",
	    web_t(rq, title_key), "csrf", rq->csrf, "static", WEB_STATIC_PREFIX,
	    "home_href", WEB_HOME, "login_href", WEB_LOGIN, "logout_href",
	    WEB_LOGOUT, "requests_href", WEB_REQUESTS, "breadcrumbs");
	if (page == NULL || arena_defer(rq->arena, json_cleanup, page) != 0)
		return NULL;
	notice = rq->user != NULL ? notice_text(rq) : NULL;
	if (notice != NULL)
		json_object_set_new(page, "notice", json_string(notice));
	announce(rq, page);
	user = user_json(rq);
	if (user != NULL) {
		json_object_set(page, "open_count",
		    json_object_get(user, "open_count"));
		json_object_set_new(page, "user", user);
	}
	return page;
}

int
web_breadcrumb(struct req *rq, json_t *page, const char *label,
    const char *href)
{
	json_t *list = json_object_get(page, "breadcrumbs");
	json_t *item = ctx_pack("{s:s, s:s?}", "label", label, "href", href);

	if (list == NULL || item == NULL ||
	    json_array_append_new(list, item) != 0)
		return ZEK_NOMEM;
	return ZEK_OK;
}

int
web_render(struct req *rq, unsigned status, const char *name, json_t *ctx)
{
	struct buf out;
	int rc;

	/* A context that lost a part to a failed allocation is no page. */
	if (ctx == NULL || jsonalloc_failed())
		return ZEK_NOMEM;
	buf_init(&out, PAGE_MAX_BYTES);
	rc = templates_render(rq->tpl, name, ctx, &out);
	if (rc == ZEK_OK)
		rc = http_reply(rq, status, "text/html; charset=utf-8", &out);
	else
		log_error("web", "page not rendered",
		    LOG_FIELDS(LOG_S("template", name),
		        LOG_S("error", zek_rc_name(rc))));
	buf_free(&out);
	return rc;
}

const char *
web_duration_text(struct req *rq, int64_t ms)
{
	int64_t minutes = (ms < 0 ? -ms : ms) / 60000;

	return http_fmt(rq, "sla_duration", (const char *[]){ "h", "m" },
	    (const char *[]){
	        arena_printf(rq->arena, "%lld", (long long)(minutes / 60)),
	        arena_printf(rq->arena, "%lld", (long long)(minutes % 60)) },
	    2);
}

const char *
web_time_text(struct req *rq, int64_t ms)
{
	char out[96];

	if (time_format(ms, rq->tz, rq->lang, out, sizeof(out)) != ZEK_OK)
		return "";
	return arena_strdup(rq->arena, out);
}

const char *
web_time_iso(struct req *rq, int64_t ms)
{
	char out[64];

	if (time_format_iso(ms, rq->tz, out, sizeof(out)) != ZEK_OK)
		return "";
	return arena_strdup(rq->arena, out);
}

const char *
web_kept(struct req *rq, const char *name)
{
	const char *v = req_form(rq, name);
	size_t i, cps = 0, n;
	char *cut;

	if (v == NULL || !utf8_valid(v, n = strlen(v)))
		return "";
	/* Only a value its field refused as too long gets here this long:
	 * show its start, so that a huge value cannot blow up the page. */
	for (i = 0; i < n; i++)
		if (((unsigned char)v[i] & 0xc0) != 0x80 &&
		    cps++ == WEB_KEPT_MAX)
			break;
	if (i == n)
		return v;
	cut = arena_strndup(rq->arena, v, i);
	return cut != NULL ? cut : "";
}

const struct field_error *
web_error_for(const struct field_error *errs, size_t n, const char *field)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (str_eq(errs[i].field, field))
			return &errs[i];
	return NULL;
}

int
web_attach_limit(struct req *rq, json_t *field)
{
	struct field_error e = { .field = "",
		.key = "err_file_too_big",
		.max = (int64_t)rq->app->cfg.max_file_bytes,
		.arg = "{name}" };

	if (field == NULL)
		return ZEK_NOMEM;
	json_object_set_new(field, "max_bytes", json_integer(e.max));
	json_object_set_new(field, "too_big",
	    json_string(http_error_text(rq, &e)));
	return ZEK_OK;
}

json_t *
web_field_json(struct req *rq, const struct field_error *errs, size_t n,
    const char *field, const char *id, const char *value)
{
	const struct field_error *e = web_error_for(errs, n, field);

	return ctx_pack("{s:s, s:s?, s:s?}", "id", id, "error",
	    e != NULL ? http_error_text(rq, e) : NULL, "value", value);
}

json_t *
web_summary_json(struct req *rq, const struct field_error *errs, size_t n,
    const struct web_form_field *fields, size_t nfields)
{
	json_t *arr = json_array();
	size_t i, k;

	for (i = 0; arr != NULL && i < n; i++)
		for (k = 0; k < nfields; k++)
			if (str_eq(errs[i].field, fields[k].field))
				json_array_append_new(arr,
				    web_summary_item(rq, fields[k].id,
				        web_t(rq, fields[k].label), &errs[i]));
	return arr;
}

json_t *
web_summary_item(struct req *rq, const char *field_id, const char *label,
    const struct field_error *e)
{
	return ctx_pack("{s:s, s:s, s:s}", "field_id", field_id, "label", label,
	    "message", http_error_text(rq, e));
}

/* Catalog keys of the error page's heading and text for a status. */
static void
fail_keys(unsigned status, const char **heading, const char **text)
{
	switch (status) {
	case 400:
	case 431:
	case 501:
		*heading = "err_bad_request_heading";
		*text = "err_bad_request_text";
		break;
	case 403:
		*heading = "err_csrf_heading";
		*text = "err_csrf_text";
		break;
	case 404:
	case 405:
		*heading = "err_not_found_heading";
		*text = "err_not_found_text";
		break;
	case 413:
		*heading = "err_too_big_heading";
		*text = "err_too_big_text";
		break;
	case 414:
		*heading = "err_uri_too_long_heading";
		*text = "err_uri_too_long_text";
		break;
	default:
		*heading = "err_server_heading";
		*text = "err_server_text";
		break;
	}
}

int
web_fail(struct req *rq, unsigned status, int rc)
{
	return web_fail_text(rq, status, rc, NULL);
}

int
web_fail_text(struct req *rq, unsigned status, int rc, const char *message)
{
	static const char plain[] = "Error / Fehler\n";
	const char *heading, *text;
	json_t *page;
	int frc;

	if (rq->resp != NULL)
		return rc;
	if (rc == ZEK_IO || rc == ZEK_NOMEM || status >= 500)
		log_error("web", "request failed",
		    LOG_FIELDS(LOG_S("error", zek_rc_name(rc)),
		        LOG_I("status", status)));
	/* A failed request sets no cookie (its session may be rolled back)
	 * and sends nobody elsewhere. */
	if (status >= 500) {
		rq->headers = NULL;
		jsonalloc_begin(); /* the error page is built afresh */
	}
	if (rq->tpl == NULL || rq->cat == NULL) {
		frc = rc;
		goto last_resort;
	}
	fail_keys(status, &heading, &text);
	if (message == NULL)
		message = web_t(rq, text);
	if (rq->route != NULL && (rq->route->flags & ROUTE_JSON)) {
		frc = http_reply_json(rq, status, HTTP_JSON,
		    ctx_pack("{s:s}", "errorMessage", message));
		if (frc == ZEK_OK)
			return rc;
		goto last_resort;
	}
	page = web_page_ctx(rq, "page_error");
	if (page == NULL) {
		frc = ZEK_NOMEM;
		goto last_resort;
	}
	json_object_set_new(page, "status", json_integer(status));
	json_object_set_new(page, "title", json_string(web_t(rq, heading)));
	json_object_set_new(page, "heading", json_string(web_t(rq, heading)));
	json_object_set_new(page, "message", json_string(message));
	json_object_set_new(page, "back_href", json_string(WEB_HOME));
	frc = web_render(rq, status, "error", page);
	if (frc == ZEK_OK)
		return rc;
last_resort:
	/* Not even the error page: a failure answers with the answer made at
	 * start-up, which needs no memory; anything else stays plain. */
	if (status >= 500 || frc == ZEK_NOMEM || frc == ZEK_IO) {
		if (http_reply_fallback(rq,
		        status >= 500 ? status : http_status_of(frc),
		        rq->route != NULL && (rq->route->flags & ROUTE_JSON)) ==
		    ZEK_OK)
			return rc;
	}
	http_reply_bytes(rq, status, "text/plain; charset=utf-8", plain,
	    sizeof(plain) - 1, false);
	return rc;
}

int
web_fail_values(struct req *rq, const char *name)
{
	static const char *const names[] = { "name", "max" };
	const char *values[2];
	char max[24];
	char *text;

	snprintf(max, sizeof(max), "%d", FORM_MAX_VALUES);
	values[0] = name;
	values[1] = max;
	if (rq->cat == NULL ||
	    i18n_format(rq->arena, web_t(rq, "err_form_values_text"), names,
	        values, 2, &text) != ZEK_OK)
		text = NULL;
	return web_fail_text(rq, 413, ZEK_TOOBIG, text);
}

const char *
web_page_href(struct req *rq, const char *base, const char *q, const char *name,
    const char *value)
{
	const char *out = NULL, *sep = strchr(base, '?') != NULL ? "&" : "?";
	struct buf b;

	buf_init(&b, WEB_LINK_MAX);
	buf_puts(&b, base);
	if (!str_empty(q)) {
		buf_printf(&b, "%sq=", sep);
		form_urlencode_component(q, strlen(q), &b);
		sep = "&";
	}
	if (name != NULL) {
		buf_printf(&b, "%s%s=", sep, name);
		form_urlencode_component(value, strlen(value), &b);
	}
	if (!b.failed)
		out = arena_strdup(rq->arena, b.data);
	buf_free(&b);
	return out;
}

const char *
web_kept_query(struct req *rq, size_t max)
{
	const char *q = req_query(rq, "q");

	return q != NULL && strlen(q) <= max && utf8_valid(q, strlen(q)) ? q :
	                                                                   "";
}

const char *
web_hours_value(struct req *rq, int64_t minutes)
{
	if (minutes <= 0)
		return "";
	if (minutes % 60 == 0)
		return arena_printf(rq->arena, "%" PRId64, minutes / 60);
	/* Two decimals at most ("7,5", "0,25"), the reader's decimal mark. */
	int64_t hundredths = (minutes % 60) * 100 / 60;

	return arena_printf(rq->arena,
	    hundredths % 10 == 0 ? "%" PRId64 "%s%" PRId64 :
	                           "%" PRId64 "%s%02" PRId64,
	    minutes / 60, str_eq(rq->lang, "en") ? "." : ",",
	    hundredths % 10 == 0 ? hundredths / 10 : hundredths);
}

int
web_csv_reply(struct req *rq, const char *name, struct buf *csv)
{
	const char *disp = arena_printf(rq->arena,
	    "attachment; filename=\"zek-%s.csv\"", name);
	int rc;

	if (disp == NULL)
		return ZEK_NOMEM;
	rc = http_header(rq, "Content-Disposition", disp);
	if (rc == ZEK_OK)
		rc = http_reply(rq, 200, "text/csv; charset=utf-8", csv);
	return rc;
}
