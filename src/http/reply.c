/* reply.c: request accessors, reply construction and security headers. */
#include "http/http.h"

#include <microhttpd.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/str.h"
#include "lib/zek.h"

struct http_hdr {
	struct http_hdr *next;
	const char *name;
	const char *value;
};

/* Pages may only load what we serve ourselves; no inline script or style. */
static const char csp_page[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; "
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
	return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
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

	MHD_get_connection_values(rq->conn, MHD_GET_ARGUMENT_KIND, query_all_one,
	    &q);
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
req_param(struct req *rq, size_t index)
{
	return index < REQ_MAX_PARAMS ? rq->params[index] : NULL;
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
	if (strpbrk(name, "=;, \t\r\n") != NULL || strpbrk(value, ";, \t\r\n") != NULL)
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
add_standard_headers(struct req *rq, const char *content_type)
{
	struct MHD_Response *r = rq->resp;
	struct http_hdr *h;

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
	for (h = rq->headers; h != NULL; h = h->next)
		MHD_add_response_header(r, h->name, h->value);
	if (MHD_get_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL) == NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
}

int
http_reply_bytes(struct req *rq, unsigned status, const char *content_type,
    const void *data, size_t len, bool copy)
{
	if (rq->resp != NULL)
		return ZEK_CONFLICT;
	rq->resp = MHD_create_response_from_buffer(len, (void *)(uintptr_t)data,
	    copy ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_PERSISTENT);
	if (rq->resp == NULL)
		return ZEK_NOMEM;
	rq->status = status;
	rq->resp_bytes = len;
	if (content_type != NULL)
		MHD_add_response_header(rq->resp, MHD_HTTP_HEADER_CONTENT_TYPE,
		    content_type);
	add_standard_headers(rq, content_type);
	return ZEK_OK;
}

int
http_reply(struct req *rq, unsigned status, const char *content_type,
    struct buf *body)
{
	size_t len;
	char *data;

	if (rq->resp != NULL)
		return ZEK_CONFLICT;
	if (body->failed)
		return body->failed;
	data = buf_steal(body, &len);
	if (data == NULL)
		return ZEK_NOMEM;
	rq->resp = MHD_create_response_from_buffer(len, data,
	    MHD_RESPMEM_MUST_FREE);
	if (rq->resp == NULL) {
		free(data);
		return ZEK_NOMEM;
	}
	rq->status = status;
	rq->resp_bytes = len;
	MHD_add_response_header(rq->resp, MHD_HTTP_HEADER_CONTENT_TYPE,
	    content_type);
	add_standard_headers(rq, content_type);
	return ZEK_OK;
}

int
http_redirect(struct req *rq, unsigned status, const char *location)
{
	int rc;

	/* Only local paths: an open redirect would help phishing. */
	if (location[0] != '/' || location[1] == '/' || location[1] == '\\')
		return ZEK_INVALID;
	rc = http_header(rq, MHD_HTTP_HEADER_LOCATION, location);
	if (rc != ZEK_OK)
		return rc;
	return http_reply_bytes(rq, status, "text/plain; charset=utf-8", "", 0,
	    false);
}

unsigned
http_status_of(int rc)
{
	switch (rc) {
	case ZEK_OK:        return 200;
	case ZEK_NOTFOUND:  return 404;
	case ZEK_FORBIDDEN: return 403;
	case ZEK_INVALID:   return 400;
	case ZEK_CONFLICT:  return 409;
	case ZEK_TOOBIG:    return 413;
	case ZEK_NOMEM:     return 503;
	default:            return 500;
	}
}
