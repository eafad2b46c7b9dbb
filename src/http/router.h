/* router.h: the route table and path matching. Routes are data. */
#ifndef ZEK_ROUTER_H
#define ZEK_ROUTER_H

#include <stdbool.h>
#include <stddef.h>

struct req;

enum route_flag {
	ROUTE_LOGIN = 1
	    << 0, /* signed-in users only (pages redirect to login) */
	ROUTE_CSRF = 1 << 1,  /* the form must carry the session's CSRF token */
	ROUTE_BODY = 1 << 2,  /* accepts a request body (forms, uploads) */
	ROUTE_AGENT = 1 << 3, /* agents and admins only */
	ROUTE_JSON = 1 << 4,  /* answers JSON: errors are JSON too */
	ROUTE_PUBLIC = 1
	    << 5,           /* no session needed, no session lookup (static) */
	ROUTE_API = 1 << 6, /* REST API: token auth and JSON errors (src/api/),
	                     * no session cookie, no CSRF */
	ROUTE_SECRET = 1 << 7, /* the path holds a secret (a single-use link's
	                        * token): logs show the pattern instead */
	ROUTE_KEEP = 1 << 8,   /* a form sent without a session is kept for
	                        * its page after signing in (web/keep.c) */
};

struct route {
	const char *method; /* "GET", "POST" */
	/* "/servicedesk/customer/portal/{pid}"; a last segment "{*}" matches
	 * the rest of the path. Handlers read placeholders by name
	 * (req_param_str, req_param_i64): each name once per pattern. */
	const char *pattern;
	/* The one error convention of the front doors: a handler either
	 * answers (web_render, web_fail, http_reply_*, api_reply, api_fail) and
	 * then returns, or returns an enum zek_rc without answering, and the
	 * server answers it: http_status_of(rc) as an error page, or the
	 * JSM error body under /rest/ (a handler that returns ZEK_OK without
	 * an answer gets 500: that is a bug). Never both, never neither.
	 * Writes of the request's scope are kept only when the answer's
	 * status is below 500. */
	int (*handler)(struct req *rq);
	unsigned flags;   /* enum route_flag */
	const char *name; /* for logs and metrics */
};

/* The table, ended by a NULL pattern. Defined in routes.c. */
extern const struct route routes[];

/* Finds the route for method and path and stores up to `maxp` placeholder
 * values (copied into the caller's buffer `scratch`, NUL-separated) in
 * params. Returns NULL when nothing matches; then *wrong_method tells
 * whether the path exists with another method. */
const struct route *router_match(const char *method, const char *path,
    const char **params, size_t maxp, char *scratch, size_t scratch_len,
    bool *wrong_method);
/* Which placeholder of pattern, counted from 0, is named `name` ("pid" for
 * "{pid}", "*" for "{*}"): the index into router_match's params. False
 * when the pattern has none of that name. */
bool router_param_index(const char *pattern, const char *name, size_t *index);

#endif
