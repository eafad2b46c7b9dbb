/* http.h: the application, one HTTP request, and the reply setters. */
#ifndef ZEK_HTTP_H
#define ZEK_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/ctx.h"
#include "http/form.h"
#include "http/proxy.h"
#include "http/writers.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/log.h"

struct MHD_Connection;
struct MHD_Response;
struct route;
struct http_hdr;
struct user;

/* Everything that lives as long as the server: owned by main.c. */
struct app {
	struct config cfg;
	struct core *core; /* database and rules */
	/* NULL in development mode: loaded per request */
	struct templates *tpl;
	struct catalogs *cat; /* reloaded per request in development mode */
	struct static_files *files;
	struct proxy_list proxies;       /* cfg.trusted_proxies, read */
	struct proxy_list metrics_allow; /* cfg.metrics_allow, read */
	char *templates_dir;
	char *po_dir;
	char *static_dir;
	/* SIGHUP (systemctl reload): re-reads what can change while zek
	 * serves; set by main.c, NULL for none. Runs on the thread that
	 * waits for signals while requests go on. */
	void (*reload)(struct app *app);
};

/* The current templates and catalogs. A reload swaps app->tpl and
 * app->cat (__atomic_store_n) while requests run, and keeps the old sets
 * alive, so whatever a request loaded stays valid until it ends. */
static inline struct templates *
app_templates(struct app *app)
{
	return __atomic_load_n(&app->tpl, __ATOMIC_ACQUIRE);
}

static inline struct catalogs *
app_catalogs(struct app *app)
{
	return __atomic_load_n(&app->cat, __ATOMIC_ACQUIRE);
}

#define REQ_MAX_PARAMS 4

/* One HTTP request, from its first byte to the access log line. Every
 * pointer in here lives in `arena` unless said otherwise. */
struct req {
	struct arena *arena;
	struct app *app;
	struct MHD_Connection *conn;
	const char *method;
	const char *path;    /* decoded path without the query */
	char id[LOG_ID_MAX]; /* request id for logs (lib/log.h) */
	int64_t started_us;
	const char *client_ip;

	struct buf body; /* raw body, bounded by cfg.max_body_bytes */
	bool body_too_big;
	size_t body_reserved;         /* bytes of the body memory budget held
	                                 (server.c), given back when the arena goes */
	bool body_busy;               /* over the budget: answered 503 */
	struct form form;             /* parsed body: urlencoded or multipart */
	bool form_failed;             /* the body could not be parsed */
	bool form_parsed;             /* form holds the body's fields */
	const char *form_error_field; /* field named by a size error */

	/* From here to resp_bytes: what one run of the request makes. A run
	 * the database refused goes again from req_rewind (server.c), which
	 * must reset every field added here. */
	const struct route *route;
	/* {placeholders} of the route, in order */
	const char *params[REQ_MAX_PARAMS];

	struct zctx ctx;           /* handed to core: arena, db, cfg, now */
	struct user *user;         /* NULL when signed out */
	const char *session_token; /* raw cookie value, NULL when signed out */
	const char *csrf;          /* the token forms must echo */
	int64_t ended_user_id;     /* the session cookie named a session that
	                              ended: its user (0: none, unknown) */
	const char *ended_csrf;    /* and the token its forms carried */
	bool set_csrf_cookie;      /* a fresh anonymous token must be sent */
	const char *lang;          /* "de" or "en" */
	const char *tz;            /* IANA zone of the viewer */
	struct catalogs *cat;      /* catalogs for this request */
	struct templates *tpl;     /* templates for this request */

	struct http_hdr *headers; /* pending reply headers, newest first */
	unsigned status;
	struct MHD_Response *resp;
	size_t resp_bytes;
	bool queued;
	/* The answer waits, the connection suspended, until a writer thread
	 * made it (server.c hand_to_writer) and the request's commit is on
	 * disk (await_durable); then durable_rc. */
	bool suspended;
	struct writer_job job; /* while a writer has it (writers.h) */
	int64_t handed_us;     /* when it was handed to a writer */
	int durable_rc;
	/* phase_timing: the scope's Server-Timing entries (core_scope_timing)
	 * and when the wait for the disk began (0: none). */
	const char *timing;
	int64_t sync_from_us;
	long json_fail_at; /* test hook X-Zek-Json-Fail-At (sanitizer
	                      builds; render/jsonalloc.h) */
	int attempts;      /* runs of the request (server.c respond) */
	int refuse_runs;   /* test hook X-Zek-Refuse-Runs */
};

/* Starts the server; blocks until SIGINT/SIGTERM, then stops taking
 * connections and lets the requests under way finish (at most
 * HTTP_DRAIN_SECONDS). SIGHUP calls app->reload. Under systemd
 * (NOTIFY_SOCKET set, built with libsystemd) it says READY=1 once it
 * listens, RELOADING=1 around a reload and STOPPING=1. Returns a zek_rc. */
#define HTTP_DRAIN_SECONDS 20
int http_serve(struct app *app);

/* Request accessors. All return NULL when absent. */
const char *req_header(struct req *rq, const char *name);
const char *req_query(struct req *rq, const char *name);
/* Every value of a query parameter sent more than once (?a=1&a=2), in the
 * order sent: up to `max` into out. Returns how many there are in all. */
size_t req_query_all(struct req *rq, const char *name, const char **out,
    size_t max);
const char *req_cookie(struct req *rq, const char *name);
const char *req_form(struct req *rq, const char *name);
/* The value of the matched route's placeholder `name` ("key" for
 * "/servicedesk/agent/requests/{key}"). A name the route does not have is
 * a handler's bug: test builds abort, so that the e2e suites, which call
 * every route, find it; a release build reads it as absent (NULL). */
const char *req_param_str(struct req *rq, const char *name);
/* The same placeholder as a positive decimal id (1 to INT64_MAX): false,
 * *out untouched, for anything else ("0", "-3", "12a", "", absent); the
 * handler answers that as an unknown id. */
bool req_param_i64(struct req *rq, const char *name, int64_t *out);

/* Replies. The body is copied or taken; each returns a zek_rc. A handler
 * sets exactly one reply; http falls back to an error page otherwise. */
int http_reply(struct req *rq, unsigned status, const char *content_type,
    struct buf *body);
int http_reply_bytes(struct req *rq, unsigned status, const char *content_type,
    const void *data, size_t len, bool copy);
/* The JSON media types: the pages' own, and the API's as Jira Service
 * Management spells it (its clients compare it). */
#define HTTP_JSON "application/json; charset=utf-8"
#define HTTP_JSON_JSM "application/json;charset=UTF-8"
/* Replies with `body` (stolen) as compact JSON of content_type. NULL, or
 * a body that lost a part to a failed allocation (jsonalloc_failed),
 * gives ZEK_NOMEM and no reply. */
int http_reply_json(struct req *rq, unsigned status, const char *content_type,
    json_t *body);
/* Replies 200 with a stored file's bytes (copied), never to be taken for
 * a page of ours: Content-Disposition `inline` (shown) or `attachment`
 * (saved) with the name in RFC 5987 form, so that umlauts survive, and a
 * Content-Security-Policy that sandboxes it. */
int http_reply_file(struct req *rq, bool show_inline, const char *filename,
    const char *content_type, const void *data, size_t len);
/* A NULL location (an allocation that failed) gives ZEK_NOMEM. */
int http_redirect(struct req *rq, unsigned status, const char *location);
/* Adds a header to the pending reply; refuses CR/LF in values. */
int http_header(struct req *rq, const char *name, const char *value);
/* Queues a Set-Cookie with HttpOnly, SameSite=Lax, Path=/ (and Secure
 * when configured). max_age < 0 deletes the cookie. */
int http_set_cookie(struct req *rq, const char *name, const char *value,
    long max_age);

/* The last resort when not even an error page can be built: a shared
 * answer made once at start-up (http_fallback_init), allocating nothing
 * per request. status 503 gives "Dienst nicht verfügbar", anything else
 * 500 "Interner Fehler"; json picks the JSM error body (/rest/). */
void http_fallback_init(void);
int http_reply_fallback(struct req *rq, unsigned status, bool json);
/* Drops the reply set so far (the shared fallback stays). */
void http_reply_release(struct req *rq);
/* Whether the reply is a shared fallback, which must not be changed. */
bool http_reply_shared(const struct req *rq);

#ifdef ZEK_TEST_HOOKS
/* Test hook: tells the client, in X-Zek-Allocs and X-Zek-Fault, how many
 * allocations the request made since X-Zek-Fail-After armed it and
 * whether the injected failure happened; in X-Zek-Attempts, after
 * X-Zek-Refuse-Runs, how often the request ran. */
void http_fault_report(struct req *rq);
#endif

/* Requests received since start, for /metrics. */
uint64_t http_requests_total(void);
/* Bytes of request bodies held in memory right now (the budget's use). */
uint64_t http_body_memory(void);

/* HTTP status for a zek_rc, the one table pages and API share: 200, 404,
 * 403, 400, 409, 413, 503 for ZEK_NOMEM, 500 for ZEK_IO and the rest. */
unsigned http_status_of(int rc);
/* The catalog key of the API's JSM error body for a request that failed
 * with rc, from the same table: "api_err_not_found" for ZEK_NOTFOUND, ...;
 * "api_err_internal" for ZEK_OK (no failure) and anything unknown. */
const char *http_api_error_key(int rc);
struct field_error;
/* The status for a form or body refused for errs: 413 when one is the cap
 * on a user's pending uploads by size, 429 by count, else `otherwise`
 * (422 for pages, 400 for the API). */
unsigned http_status_of_errors(const struct field_error *errs, size_t n,
    unsigned otherwise);

#endif
