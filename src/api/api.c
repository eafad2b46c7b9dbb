/* api.c: the REST API's phases (token authentication, JSON errors) and the
 * reply, paging and body helpers its endpoint files share. */
#include "api/api.h"

#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/portal.h"
#include "core/tokens.h"
#include "core/users.h"
#include "http/router.h"
#include "http/text.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "render/i18n.h"
#include "render/jsonalloc.h"

#define AUTH_HEADER_MAX 4096 /* longer Authorization headers are refused */
#define URL_MAX (16u << 10)  /* a self/next/prev link */

static void
json_cleanup(void *p)
{
	json_decref(p);
}

/* ---- replies ---- */

int
api_reply(struct req *rq, unsigned status, json_t *body)
{
	return http_reply_json(rq, status, HTTP_JSON_JSM, body);
}

int
api_reply_empty(struct req *rq, unsigned status)
{
	return http_reply_bytes(rq, status, NULL, "", 0, false);
}

int
api_error(struct req *rq, unsigned status, const char *key, const char *arg)
{
	return api_reply(rq, status,
	    api_error_body(http_fmt1(rq, key, "arg", arg), key, arg));
}

int
api_fail(struct req *rq, int rc)
{
	/* Status and key come from http's one table (http_status_of). The
	 * API's one difference is deliberate: ZEK_OK is no failure, so a
	 * handler that fails with it answers as an internal error. */
	unsigned status = rc == ZEK_OK ? 500 : http_status_of(rc);

	if (status >= 500) {
		log_error("api", "request failed",
		    LOG_FIELDS(LOG_S("error", zek_rc_name(rc)),
		        LOG_I("status", status)));
		jsonalloc_begin(); /* the error body is built afresh */
	}
	return api_error(rq, status, http_api_error_key(rc), NULL);
}

int
api_method_not_allowed(struct req *rq)
{
	int rc;

	rq->cat = app_catalogs(rq->app);
	rq->lang = i18n_negotiate(req_header(rq, "Accept-Language"));
	rc = http_header(rq, "Allow", "GET, HEAD, POST, PUT, DELETE");
	if (rc != ZEK_OK)
		return rc;
	return api_error(rq, 405, "api_err_method", rq->method);
}

/* GET|POST|PUT|DELETE /rest/{*}: every path no endpoint claims. */
int
api_not_found(struct req *rq)
{
	return api_error(rq, 404, "api_err_no_endpoint", rq->path);
}

/* ---- authentication ---- */

bool
api_basic_credentials(struct arena *a, const char *b64, const char **email,
    const char **secret)
{
	static const char
	    alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                 "abcdefghijklmnopqrstuvwxyz0123456789+/=";
	size_t len = strlen(b64), n = 0;
	const char *end = NULL;
	char *bin, *colon;

	/* libsodium decodes some bytes above 0x7f as if they were '/' (found
	 * by tests/fuzz/fuzz_headers.c): only the alphabet gets through. */
	if (strspn(b64, alphabet) != len)
		return false;
	bin = arena_alloc(a, len + 1);
	if (bin == NULL ||
	    sodium_base642bin((unsigned char *)bin, len, b64, len, NULL, &n,
	        &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    end != b64 + len)
		return false;
	bin[n] = '\0';
	colon = memchr(bin, ':', n);
	if (strlen(bin) != n || colon == NULL || !utf8_valid(bin, n))
		return false;
	*colon = '\0';
	*email = bin;
	*secret = colon + 1;
	return true;
}

/* Finds the caller by the Authorization header; ZEK_NOTFOUND when it is
 * missing or names no valid token (*sent tells which). */
static int
authenticate(struct req *rq, bool *sent)
{
	const char *h = req_header(rq, "Authorization");
	const char *email, *secret;
	char *v;
	int rc;

	*sent = h != NULL;
	if (h == NULL || strlen(h) > AUTH_HEADER_MAX)
		return ZEK_NOTFOUND;
	v = arena_strdup(rq->arena, h);
	if (v == NULL)
		return ZEK_NOMEM;
	str_trim(v);
	if (strncasecmp(v, "Bearer ", 7) == 0) {
		rc = core_token_authenticate(&rq->ctx, str_trim(v + 7),
		    &rq->user);
	} else if (strncasecmp(v, "Basic ", 6) == 0) {
		rc = ZEK_NOTFOUND;
		if (api_basic_credentials(rq->arena, str_trim(v + 6), &email,
		        &secret)) {
			rc = core_token_authenticate_basic(&rq->ctx, email,
			    secret, &rq->user);
			sodium_memzero((char *)secret, strlen(secret));
		}
	} else {
		rc = ZEK_NOTFOUND;
	}
	sodium_memzero(v, strlen(v));
	return rc;
}

static int
unauthorized(struct req *rq, bool sent)
{
	int rc;

	rc = http_header(rq, "WWW-Authenticate", "Bearer realm=\"zek\"");
	if (rc != ZEK_OK)
		return rc;
	return api_error(rq, 401,
	    sent ? "api_err_token_invalid" : "api_err_unauthorized", NULL);
}

int
api_dispatch(struct req *rq)
{
	bool sent;
	int rc;

	rq->cat = app_catalogs(rq->app);
	rq->lang = i18n_negotiate(req_header(rq, "Accept-Language"));
	rc = core_ctx_init(rq->app->core, rq->arena, &rq->ctx);
	if (rc != ZEK_OK)
		return api_error(rq, 503, "api_err_unavailable", NULL);
	rc = authenticate(rq, &sent);
	if (rc == ZEK_NOTFOUND)
		return unauthorized(rq, sent);
	if (rc != ZEK_OK)
		return api_fail(rq, rc);
	rq->lang = str_eq(rq->user->lang, "en") ? "en" : "de";
	if (!str_empty(rq->user->tz))
		rq->tz = rq->user->tz;
	if (rq->body_too_big)
		return api_error(rq, 413, "api_err_body_too_big", NULL);
	rc = rq->route->handler(rq);
	if (rq->resp == NULL)
		api_fail(rq, rc != ZEK_OK ? rc : ZEK_IO);
	return ZEK_OK;
}

/* ---- links ---- */

const char *
api_base(struct req *rq)
{
	const char *b = rq->app->cfg.base_url;
	size_t n = b != NULL ? strlen(b) : 0;

	while (n > 0 && b[n - 1] == '/')
		n--;
	return n > 0 ? arena_strndup(rq->arena, b, n) : "";
}

const char *
api_context(struct req *rq)
{
	const char *base = api_base(rq);
	const char *p = base != NULL ? strstr(base, "://") : NULL;

	if (p == NULL)
		return "";
	p = strchr(p + 3, '/');
	return p != NULL ? p : "";
}

const char *
api_url(struct req *rq, const char *path)
{
	const char *base = api_base(rq);

	/* path is NULL when building it ran out of memory */
	if (base == NULL || path == NULL)
		return NULL;
	return arena_printf(rq->arena, "%s%s", base, path);
}

const char *
api_id(struct req *rq, int64_t id)
{
	return arena_printf(rq->arena, "%lld", (long long)id);
}

json_t *
api_desk_json(struct req *rq, int64_t desk_id, const char *name,
    const char *project_key, int64_t portal_id)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:s?, s:s?}}", "id",
	    api_id(rq, desk_id), "projectId", api_id(rq, desk_id),
	    "projectName", name, "projectKey", project_key, "projectTypeKey",
	    "service_desk", "_links", "self",
	    api_url(rq,
	        arena_printf(rq->arena, API_SD "/servicedesk/%lld",
	            (long long)desk_id)),
	    "portal", api_url(rq, core_portal_path(rq->arena, portal_id)));
}

static void
put_param(struct buf *b, bool *first, const char *name, const char *value)
{
	buf_putc(b, *first ? '?' : '&');
	*first = false;
	form_urlencode_component(name, strlen(name), b);
	buf_putc(b, '=');
	form_urlencode_component(value, strlen(value), b);
}

/* base + path + the kept parameters + start/limit (start < 0: as sent). */
static const char *
page_link(struct req *rq, const char *const *keep, int64_t start, int64_t limit)
{
	const char *base = api_base(rq);
	struct buf b;
	bool first = true;
	char num[24];
	const char *v;
	char *out = NULL;
	size_t i;

	if (base == NULL)
		return NULL;
	buf_init(&b, URL_MAX);
	buf_puts(&b, base);
	/* the path again percent-encoded (the server decoded it) */
	buf_put_percent(&b, rq->path, strlen(rq->path), "/");
	for (i = 0; keep != NULL && keep[i] != NULL; i++)
		if ((v = req_query(rq, keep[i])) != NULL)
			put_param(&b, &first, keep[i], v);
	if (start < 0) {
		if ((v = req_query(rq, "start")) != NULL)
			put_param(&b, &first, "start", v);
		if ((v = req_query(rq, "limit")) != NULL)
			put_param(&b, &first, "limit", v);
	} else {
		snprintf(num, sizeof(num), "%lld", (long long)start);
		put_param(&b, &first, "start", num);
		snprintf(num, sizeof(num), "%lld", (long long)limit);
		put_param(&b, &first, "limit", num);
	}
	if (!b.failed)
		out = arena_strdup(rq->arena, b.data);
	buf_free(&b);
	return out;
}

/* ---- paging ---- */

/* Paging numbers stay far from overflow when added. */
#define PAGE_NUMBER_MAX INT64_C(2147483647)

static int
query_int(struct req *rq, const char *name, int64_t min, int64_t dflt,
    int64_t *out)
{
	const char *v = req_query(rq, name);

	*out = dflt;
	if (v == NULL)
		return ZEK_OK;
	if (strlen(v) > 19 || str_to_i64(v, min, PAGE_NUMBER_MAX, out) != 0)
		return ZEK_INVALID;
	return ZEK_OK;
}

int
api_page_parse(struct req *rq, struct api_page *pg)
{
	if (query_int(rq, "start", 0, 0, &pg->start) != ZEK_OK) {
		api_error(rq, 400, "api_err_bad_param", "start");
		return ZEK_INVALID;
	}
	if (query_int(rq, "limit", 1, API_PAGE_LIMIT, &pg->limit) != ZEK_OK) {
		api_error(rq, 400, "api_err_bad_param", "limit");
		return ZEK_INVALID;
	}
	if (pg->limit > API_PAGE_LIMIT_MAX)
		pg->limit = API_PAGE_LIMIT_MAX;
	return ZEK_OK;
}

int
api_reply_page_of(struct req *rq, const struct api_page *pg, json_t *values,
    bool is_last, const char *const *keep)
{
	const char *self, *next = NULL, *prev = NULL;
	int64_t p;

	self = page_link(rq, keep, -1, 0);
	if (!is_last)
		next = page_link(rq, keep, pg->start + pg->limit, pg->limit);
	if (pg->start > 0) {
		p = pg->start - pg->limit;
		prev = page_link(rq, keep, p > 0 ? p : 0, pg->limit);
	}
	if (self == NULL || (!is_last && next == NULL) ||
	    (pg->start > 0 && prev == NULL)) {
		json_decref(values);
		return ZEK_NOMEM;
	}
	return api_reply(rq, 200,
	    api_page_json(values, pg->start, pg->limit, is_last, api_base(rq),
	        api_context(rq), self, next, prev));
}

int
api_reply_page(struct req *rq, const struct api_page *pg, json_t *all,
    const char *const *keep)
{
	size_t total = json_array_size(all);
	json_t *values;

	values = api_json_slice(all, (size_t)pg->start, (size_t)pg->limit);
	if (values == NULL)
		return ZEK_NOMEM;
	return api_reply_page_of(rq, pg, values,
	    (uint64_t)pg->start + (uint64_t)pg->limit >= total, keep);
}

/* ---- request bodies and parameters ---- */

int
api_body(struct req *rq, const struct api_json_field *spec, size_t n,
    json_t **out)
{
	struct api_json_limits lim;
	struct api_json_error err;
	const char *ct = req_header(rq, "Content-Type");
	const char *arg;
	json_t *doc = NULL;
	int rc;

	api_json_limits_default(&lim);
	if (rq->body.len > 0 && ct != NULL &&
	    !form_media_type_is(ct, "application/json")) {
		api_error(rq, 415, "api_err_content_type", NULL);
		return ZEK_INVALID;
	}
	rc = api_json_parse(rq->body.data, rq->body.len, &lim, &doc, &err);
	if (rc == ZEK_NOMEM)
		return rc;
	if (rc == ZEK_OK && doc == NULL && (doc = json_object()) == NULL)
		return ZEK_NOMEM;
	if (doc != NULL && arena_defer(rq->arena, json_cleanup, doc) != 0)
		return ZEK_NOMEM;
	if (rc == ZEK_OK)
		rc = api_json_check(doc, spec, n, &err);
	if (rc != ZEK_OK) {
		/* The argument may point into the document: copy it first. */
		arg = err.arg != NULL ? arena_strdup(rq->arena, err.arg) : NULL;
		api_error(rq, rc == ZEK_TOOBIG ? 413 : 400, err.key, arg);
		return ZEK_INVALID;
	}
	*out = doc;
	return ZEK_OK;
}

/* Walks the trimmed, non-empty items of a list parameter; stops early
 * when fn returns false. */
static void
query_items(struct req *rq, const char *name,
    bool (*fn)(const char *p, size_t len, void *arg), void *arg)
{
	const char *vals[API_QUERY_VALUES_MAX];
	const char *p, *e;
	size_t i, n, len;

	n = req_query_all(rq, name, vals, API_QUERY_VALUES_MAX);
	if (n > API_QUERY_VALUES_MAX)
		n = API_QUERY_VALUES_MAX;
	for (i = 0; i < n; i++) {
		for (p = vals[i]; p != NULL && *p != '\0';
		     p = e != NULL ? e + 1 : NULL) {
			e = strchr(p, ',');
			len = e != NULL ? (size_t)(e - p) : strlen(p);
			while (len > 0 && *p == ' ') {
				p++;
				len--;
			}
			while (len > 0 && p[len - 1] == ' ')
				len--;
			if (len > 0 && !fn(p, len, arg))
				return;
		}
	}
}

struct query_copy {
	struct req *rq;
	const char **out;
	size_t max;
	size_t count;
	bool nomem;
};

static bool
query_copy_one(const char *p, size_t len, void *arg)
{
	struct query_copy *q = arg;

	if (q->count < q->max &&
	    (q->out[q->count] = arena_strndup(q->rq->arena, p, len)) == NULL) {
		q->nomem = true;
		return false;
	}
	q->count++;
	return true;
}

size_t
api_query_list(struct req *rq, const char *name, const char **out, size_t max)
{
	struct query_copy q = { rq, out, max, 0, false };

	query_items(rq, name, query_copy_one, &q);
	return q.nomem ? SIZE_MAX : q.count;
}

struct query_find {
	const char *what;
	bool found;
};

static bool
query_find_one(const char *p, size_t len, void *arg)
{
	struct query_find *q = arg;

	q->found = strlen(q->what) == len && memcmp(p, q->what, len) == 0;
	return !q->found;
}

bool
api_expand(struct req *rq, const char *what)
{
	struct query_find q = { what, false };

	/* Compared in place: asking needs no memory, so it cannot fail. */
	query_items(rq, "expand", query_find_one, &q);
	return q.found;
}

json_t *
api_date(struct req *rq, int64_t ms)
{
	return api_date_json(ms, rq->tz, rq->lang);
}
