/* reply.c: request accessors, reply construction and security headers. */
#include "http/http.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/attachments.h"
#include "core/validate.h"
#include "http/router.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/zek.h"
#include "render/jsonalloc.h"

struct http_hdr {
	struct http_hdr *next;
	const char *name;
	const char *value;
};

/* Pages may only load what we serve ourselves; no inline script or style. */
static const char csp_page
    [] = "default-src 'self'; script-src 'self'; style-src 'self'; "
         "img-src 'self' data: blob:; object-src 'none'; base-uri 'none'; "
         "frame-ancestors 'none'; form-action 'self'";

const char *
req_header(struct req *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

const char *
req_query(struct req *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND,
	    name);
}

struct query_all {
	const char *name;
	const char **out;
	size_t max;
	size_t n;
};

static enum MHD_Result
query_all_one(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *value)
{
	struct query_all *q = cls;

	(void)kind;
	if (key != NULL && strcmp(key, q->name) == 0) {
		if (q->n < q->max)
			q->out[q->n] = value != NULL ? value : "";
		q->n++;
	}
	return MHD_YES;
}

size_t
req_query_all(struct req *rq, const char *name, const char **out, size_t max)
{
	struct query_all q = { name, out, max, 0 };

	MHD_get_connection_values(rq->conn, MHD_GET_ARGUMENT_KIND,
	    query_all_one, &q);
	return q.n;
}

const char *
req_cookie(struct req *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_COOKIE_KIND, name);
}

const char *
req_form(struct req *rq, const char *name)
{
	return form_get(&rq->form, name);
}

const char *
req_param_str(struct req *rq, const char *name)
{
	size_t i;

	if (rq->route != NULL &&
	    router_param_index(rq->route->pattern, name, &i) &&
	    i < REQ_MAX_PARAMS)
		return rq->params[i];
#ifdef ZEK_TEST_HOOKS
	log_error("http", "route has no such placeholder",
	    LOG_FIELDS(
	        LOG_S("route", rq->route != NULL ? rq->route->pattern : ""),
	        LOG_S("placeholder", name)));
	abort();
#endif
	return NULL;
}

bool
req_param_i64(struct req *rq, const char *name, int64_t *out)
{
	return str_to_i64(req_param_str(rq, name), 1, INT64_MAX, out) == 0;
}

static bool
header_value_ok(const char *v)
{
	return strpbrk(v, "\r\n") == NULL;
}

int
http_header(struct req *rq, const char *name, const char *value)
{
	struct http_hdr *h;

	if (!header_value_ok(name) || !header_value_ok(value))
		return ZEK_INVALID;
	h = arena_alloc(rq->arena, sizeof(*h));
	if (h == NULL)
		return ZEK_NOMEM;
	h->name = arena_strdup(rq->arena, name);
	h->value = arena_strdup(rq->arena, value);
	if (h->name == NULL || h->value == NULL)
		return ZEK_NOMEM;
	h->next = rq->headers;
	rq->headers = h;
	return ZEK_OK;
}

int
http_set_cookie(struct req *rq, const char *name, const char *value,
    long max_age)
{
	char *c;

	/* Cookie names and values we set are tokens: no separators at all. */
	if (strpbrk(name, "=;, \t\r\n") != NULL ||
	    strpbrk(value, ";, \t\r\n") != NULL)
		return ZEK_INVALID;
	c = arena_printf(rq->arena, "%s=%s; Path=/; HttpOnly; SameSite=Lax%s%s",
	    name, max_age < 0 ? "" : value,
	    rq->app->cfg.secure_cookies ? "; Secure" : "",
	    max_age < 0 ? "; Max-Age=0" : "");
	if (c == NULL)
		return ZEK_NOMEM;
	return http_header(rq, MHD_HTTP_HEADER_SET_COOKIE, c);
}

static void
add_standard_headers(struct MHD_Response *r, const char *content_type,
    const struct http_hdr *h)
{
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "Referrer-Policy", "same-origin");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(r, "Permissions-Policy",
	    "camera=(), microphone=(), geolocation=()");
	if (content_type != NULL && str_starts(content_type, "text/html"))
		MHD_add_response_header(r, "Content-Security-Policy", csp_page);
	/* Headers queued by the handler come last so they may override none of
	 * the above but add to them (Set-Cookie, Cache-Control, CSP for files). */
	for (; h != NULL; h = h->next)
		MHD_add_response_header(r, h->name, h->value);
	if (MHD_get_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL) == NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL,
		    "no-store");
}

/* Makes r (len bytes of body) the request's answer, with its type and
 * the standard headers. */
static int
reply_take(struct req *rq, struct MHD_Response *r, unsigned status,
    const char *content_type, size_t len)
{
	rq->resp = r;
	rq->status = status;
	rq->resp_bytes = len;
	if (content_type != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
		    content_type);
	add_standard_headers(r, content_type, rq->headers);
	return ZEK_OK;
}

int
http_reply_bytes(struct req *rq, unsigned status, const char *content_type,
    const void *data, size_t len, bool copy)
{
	struct MHD_Response *r;

	if (rq->resp != NULL)
		return ZEK_CONFLICT;
	r = MHD_create_response_from_buffer(len, (void *)(uintptr_t)data,
	    copy ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return ZEK_NOMEM;
	return reply_take(rq, r, status, content_type, len);
}

int
http_reply(struct req *rq, unsigned status, const char *content_type,
    struct buf *body)
{
	struct MHD_Response *r;
	size_t len;
	char *data;

	if (rq->resp != NULL)
		return ZEK_CONFLICT;
	if (body->failed)
		return body->failed;
	data = buf_steal(body, &len);
	if (data == NULL)
		return ZEK_NOMEM;
	r = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(data);
		return ZEK_NOMEM;
	}
	return reply_take(rq, r, status, content_type, len);
}

int
http_reply_json(struct req *rq, unsigned status, const char *content_type,
    json_t *body)
{
	char *s;
	int rc;

	/* A body that lost a part to a failed allocation is no answer. */
	if (body == NULL || jsonalloc_failed()) {
		json_decref(body);
		return ZEK_NOMEM;
	}
	s = jsonalloc_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (s == NULL)
		return ZEK_NOMEM;
	rc = http_reply_bytes(rq, status, content_type, s, strlen(s), true);
	free(s);
	return rc;
}

/* "attachment; filename=..." with the file name in RFC 5987 form, and
 * "download" for clients that know only the plain parameter. */
static const char *
disposition(struct req *rq, const char *kind, const char *name)
{
	struct buf b;
	char *out;

	buf_init(&b, 4096);
	buf_printf(&b, "%s; filename=\"download\"; filename*=UTF-8''", kind);
	buf_put_percent(&b, name, strlen(name), "");
	out = b.failed ? NULL : arena_strdup(rq->arena, b.data);
	buf_free(&b);
	return out;
}

int
http_reply_file(struct req *rq, bool show_inline, const char *filename,
    const char *content_type, const void *data, size_t len)
{
	const char *disp;
	int rc;

	disp = disposition(rq, show_inline ? "inline" : "attachment", filename);
	if (disp == NULL)
		return ZEK_NOMEM;
	/* No Cache-Control here: the default no-store keeps the file out of
	 * the browser's cache once its viewer signed out or lost access. */
	if ((rc = http_header(rq, "Content-Disposition", disp)) != ZEK_OK ||
	    (rc = http_header(rq, "Content-Security-Policy",
	         "default-src 'none'; sandbox")) != ZEK_OK)
		return rc;
	return http_reply_bytes(rq, 200, content_type, data, len, true);
}

int
http_redirect(struct req *rq, unsigned status, const char *location)
{
	int rc;

	if (location == NULL)
		return ZEK_NOMEM; /* the caller could not build it */
	/* Only local paths: an open redirect would help phishing. */
	if (location[0] != '/' || location[1] == '/' || location[1] == '\\')
		return ZEK_INVALID;
	rc = http_header(rq, MHD_HTTP_HEADER_LOCATION, location);
	if (rc != ZEK_OK)
		return rc;
	return http_reply_bytes(rq, status, "text/plain; charset=utf-8", "", 0,
	    false);
}

/* ---- the last resort ---- */

/* Answers built once, before anything can fail, and shared by every
 * request: what is sent when not even an error page can be built. */
#define FALLBACK_HEAD \
	"<!doctype html>\n<html lang=\"de\">\n<head>\n<meta charset=\"utf-8\">\n" \
	"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
#define FALLBACK_TAIL \
	"<p><a href=\"/\">Zur Startseite</a></p>\n</main>\n</body>\n</html>\n"

static const char fallback_html_500[] = FALLBACK_HEAD
    "<title>Interner Fehler</title>\n</head>\n<body>\n<main>\n"
    "<h1>Interner Fehler</h1>\n"
    "<p>Es ist ein technischer Fehler aufgetreten. Bitte versuchen Sie es "
    "sp\xc3\xa4ter noch einmal.</p>\n"
    "<p lang=\"en\">An internal error occurred. Please try again later.</p>\n" FALLBACK_TAIL;
static const char fallback_html_503[] = FALLBACK_HEAD
    "<title>Dienst nicht verf\xc3\xbcgbar</title>\n</head>\n<body>\n<main>\n"
    "<h1>Dienst nicht verf\xc3\xbcgbar</h1>\n"
    "<p>Der Dienst ist gerade \xc3\xbc"
    "berlastet. Bitte versuchen Sie es "
    "gleich noch einmal.</p>\n"
    "<p lang=\"en\">The service is busy. Please try again in a moment.</p>\n" FALLBACK_TAIL;
/* The JSM error body of api_error_body(), spelt out. */
static const char fallback_json_500[] =
    "{\"errorMessage\":\"Ein interner Fehler ist aufgetreten.\","
    "\"errorMessages\":[\"Ein interner Fehler ist aufgetreten.\"],"
    "\"i18nErrorMessage\":{\"i18nKey\":\"api_err_internal\",\"parameters\":[]}}";
static const char fallback_json_503[] =
    "{\"errorMessage\":\"Der Dienst ist gerade \xc3\xbc"
    "berlastet. Bitte "
    "versuchen Sie es gleich noch einmal.\","
    "\"errorMessages\":[\"Der Dienst ist gerade \xc3\xbc"
    "berlastet. Bitte "
    "versuchen Sie es gleich noch einmal.\"],"
    "\"i18nErrorMessage\":{\"i18nKey\":\"api_err_unavailable\",\"parameters\":[]}}";

static const struct {
	const char *body;
	size_t len;
	const char *type;
	unsigned status;
} fallback_spec[] = {
	{ fallback_html_500, sizeof(fallback_html_500) - 1,
	    "text/html; charset=utf-8", 500 },
	{ fallback_html_503, sizeof(fallback_html_503) - 1,
	    "text/html; charset=utf-8", 503 },
	{ fallback_json_500, sizeof(fallback_json_500) - 1, HTTP_JSON_JSM,
	    500 },
	{ fallback_json_503, sizeof(fallback_json_503) - 1, HTTP_JSON_JSM,
	    503 },
};
#define FALLBACKS (sizeof(fallback_spec) / sizeof(fallback_spec[0]))

static struct MHD_Response *fallback[FALLBACKS];
static pthread_once_t fallback_once = PTHREAD_ONCE_INIT;

static void
fallback_make(void)
{
	struct MHD_Response *r;
	size_t i;

	for (i = 0; i < FALLBACKS; i++) {
		r = MHD_create_response_from_buffer(fallback_spec[i].len,
		    (void *)(uintptr_t)fallback_spec[i].body,
		    MHD_RESPMEM_PERSISTENT);
		if (r == NULL)
			continue;
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
		    fallback_spec[i].type);
		add_standard_headers(r, fallback_spec[i].type, NULL);
		if (fallback_spec[i].status == 503)
			MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER,
			    "5");
		fallback[i] = r;
	}
}

void
http_fallback_init(void)
{
	pthread_once(&fallback_once, fallback_make);
}

int
http_reply_fallback(struct req *rq, unsigned status, bool json)
{
	size_t i = (json ? 2 : 0) + (status == 503 ? 1 : 0);

	if (rq->resp != NULL)
		return ZEK_CONFLICT;
	http_fallback_init();
	if (fallback[i] == NULL)
		return ZEK_NOMEM;
	rq->resp = fallback[i];
	rq->status = fallback_spec[i].status;
	rq->resp_bytes = fallback_spec[i].len;
	return ZEK_OK;
}

bool
http_reply_shared(const struct req *rq)
{
	size_t i;

	for (i = 0; i < FALLBACKS; i++)
		if (rq->resp == fallback[i])
			return true;
	return false;
}

void
http_reply_release(struct req *rq)
{
	if (rq->resp == NULL)
		return;
	if (!http_reply_shared(rq)) /* the shared ones live for the process */
		MHD_destroy_response(rq->resp);
	rq->resp = NULL;
}

#ifdef ZEK_TEST_HOOKS
void
http_fault_report(struct req *rq)
{
	char n[24];
	long count;
	int hit;
	size_t i;

	if (rq->resp == NULL)
		return;
	for (i = 0; i < FALLBACKS; i++)
		if (rq->resp == fallback[i])
			return; /* shared: never changed after start-up */
	if (rq->refuse_runs > 0) {
		snprintf(n, sizeof(n), "%d", rq->attempts);
		MHD_add_response_header(rq->resp, "X-Zek-Attempts", n);
	}
	count = arena_fault_count(rq->arena, &hit);
	if (count < 0)
		return;
	snprintf(n, sizeof(n), "%ld", count);
	MHD_add_response_header(rq->resp, "X-Zek-Allocs", n);
	MHD_add_response_header(rq->resp, "X-Zek-Fault", hit ? "hit" : "none");
	snprintf(n, sizeof(n), "%ld", jsonalloc_count());
	MHD_add_response_header(rq->resp, "X-Zek-Json-Allocs", n);
}
#endif

/* The one mapping from zek_rc to HTTP, for pages and API alike: the
 * status, and the catalog key (po/<lang>/api.po) of the API's JSM error
 * body. Out of memory is a passing state (503, try again); anything not
 * listed is ours (500). */
static const struct {
	unsigned status;
	const char *api_key;
} rc_http[ZEK_RC_MAX] = {
	[ZEK_OK] = { 200, NULL },
	[ZEK_NOTFOUND] = { 404, "api_err_not_found" },
	[ZEK_FORBIDDEN] = { 403, "api_err_forbidden" },
	[ZEK_INVALID] = { 400, "api_err_bad_request" },
	[ZEK_CONFLICT] = { 409, "api_err_conflict" },
	[ZEK_TOOBIG] = { 413, "api_err_body_too_big" },
	[ZEK_NOMEM] = { 503, "api_err_unavailable" },
	[ZEK_IO] = { 500, "api_err_internal" },
};

unsigned
http_status_of(int rc)
{
	if (rc < 0 || rc >= ZEK_RC_MAX || rc_http[rc].status == 0)
		return 500;
	return rc_http[rc].status;
}

const char *
http_api_error_key(int rc)
{
	if (rc <= ZEK_OK || rc >= ZEK_RC_MAX || rc_http[rc].api_key == NULL)
		return "api_err_internal";
	return rc_http[rc].api_key;
}

unsigned
http_status_of_errors(const struct field_error *errs, size_t n,
    unsigned otherwise)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (str_eq(errs[i].key, CORE_ERR_PENDING_BYTES))
			return 413;
		if (str_eq(errs[i].key, CORE_ERR_PENDING_COUNT))
			return 429;
	}
	return otherwise;
}
