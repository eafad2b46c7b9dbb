/* api.h: the JSM-compatible REST API under /rest/: its phases, the helpers
 * every endpoint file uses, and the handlers (one file per endpoint family). */
#ifndef ZEK_API_H
#define ZEK_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/json.h"
#include "http/http.h"

#define API_SD "/rest/servicedeskapi"   /* base path of the service desk API */
#define API_PAGE_LIMIT 50               /* default page size */
#define API_PAGE_LIMIT_MAX 100          /* larger limits are cut to this */

/* The phases for routes flagged ROUTE_API, run by http/server.c instead of
 * the web phases: database context, token authentication (Bearer, or Basic
 * with e-mail and token; cookies are never looked at, CSRF does not apply),
 * the caller's language and zone, the handler, and a JSM error body for
 * any failure the handler did not answer itself. Always replies. */
int api_dispatch(struct req *rq);

/* Replies with JSON (`body` stolen; NULL means out of memory) as
 * application/json;charset=UTF-8. */
int api_reply(struct req *rq, unsigned status, json_t *body);
/* Replies without a body (204). */
int api_reply_empty(struct req *rq, unsigned status);
/* Replies with the JSM error body: the text of catalog key `key` (from
 * po/<lang>/api.po, in the caller's language) with "{arg}" replaced by
 * arg (may be NULL). Returns ZEK_OK once the reply is queued. */
int api_error(struct req *rq, unsigned status, const char *key,
    const char *arg);
/* The error reply for a zek_rc a core call returned (404 for
 * ZEK_NOTFOUND, 403, 400, 409, 413, 500/503). */
int api_fail(struct req *rq, int rc);

/* The configured base URL without a trailing slash ("https://host/ctx"),
 * and its path part ("" or "/ctx"), for absolute _links. */
const char *api_base(struct req *rq);
const char *api_context(struct req *rq);
/* base + path, in the arena; NULL when out of memory. */
const char *api_url(struct req *rq, const char *path);

/* Paging parameters of the request. */
struct api_page {
	int64_t start;              /* 0-based, default 0 */
	int64_t limit;              /* 1..API_PAGE_LIMIT_MAX, default 50 */
};
/* Reads ?start and ?limit. A malformed value answers 400 and returns
 * ZEK_INVALID: the handler then returns at once. */
int api_page_parse(struct req *rq, struct api_page *pg);
/* Replies 200 with the envelope around the slice [start, start+limit) of
 * `all` (stolen). `keep` names the query parameters (NULL-terminated,
 * may be NULL) that the self/next/prev links repeat besides start/limit. */
int api_reply_page(struct req *rq, const struct api_page *pg, json_t *all,
    const char *const *keep);
/* Replies 200 with the envelope around `values` (stolen), one page that
 * the caller fetched itself; is_last says whether more follow. */
int api_reply_page_of(struct req *rq, const struct api_page *pg,
    json_t *values, bool is_last, const char *const *keep);

/* Parses the request body as JSON and checks it against spec[0..n)
 * (unknown fields, types, lengths, required ones). On failure answers 400
 * (413 for an oversized body) with a clear errorMessage and returns
 * ZEK_INVALID; an empty body counts as {}. *out is owned by the arena. */
int api_body(struct req *rq, const struct api_json_field *spec, size_t n,
    json_t **out);

/* True when ?expand (comma list, or repeated key) asks for `what`. */
bool api_expand(struct req *rq, const char *what);
/* A JSM date object for ms in the caller's zone and language, owned by
 * the caller (NULL when out of memory). */
json_t *api_date(struct req *rq, int64_t ms);

/* Handlers, one file per endpoint family. */
int api_not_found(struct req *rq);              /* api.c */
int api_info(struct req *rq);                   /* info.c */
int api_server_info(struct req *rq);
int api_myself(struct req *rq);
int api_servicedesks(struct req *rq);           /* servicedesk.c */
int api_servicedesk(struct req *rq);
int api_requesttype_groups(struct req *rq);
int api_requesttypes(struct req *rq);
int api_requesttype(struct req *rq);
int api_requesttype_fields(struct req *rq);

#endif
