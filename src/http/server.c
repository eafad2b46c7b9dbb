/* server.c: libmicrohttpd glue: connection life cycle, body limits, phases. */
#include "http/http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#ifdef ZEK_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#endif

#include "api/api.h"
#include "http/access_log.h"
#include "http/metrics.h"
#include "http/guard.h"
#include "http/listener.h"
#include "http/router.h"
#include "http/watchdog.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "render/jsonalloc.h"
#include "web/web.h"

/* Arena room beyond the body: parsed copies of the body plus page work. */
#define REQ_ARENA_EXTRA (32u << 20)
#define PATH_MAX_LEN 2048
/* MHD's memory per connection: request line, headers, read buffer. */
#define HEADER_MEMORY (32u * 1024)
/* Connections the kernel queues for the listener (listen(2)'s backlog). */
#define LISTEN_BACKLOG 1024

static atomic_uint_fast64_t requests_total;
/* Requests from their first byte to their last (on_completed): what a
 * stop waits for. Idle keep-alive connections are not counted. */
static atomic_int requests_in_flight;

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The memory budget for request bodies in flight (max_body_memory): each
 * body holds what it may grow to (its Content-Length, or what a chunked
 * body has sent so far) from its first byte until its arena is freed. */
static atomic_size_t body_memory;

/* Takes n more bytes of the budget for rq; false (nothing taken) when the
 * budget does not have them. */
static bool
body_reserve(struct req *rq, size_t n)
{
	size_t max = rq->app->cfg.max_body_memory, cur;

	if (max < rq->app->cfg.max_body_bytes)
		max = rq->app->cfg
		          .max_body_bytes; /* one whole body always fits */
	cur = atomic_load(&body_memory);
	do {
		if (n > max || cur > max - n)
			return false;
	} while (!atomic_compare_exchange_weak(&body_memory, &cur, cur + n));
	rq->body_reserved += n;
	return true;
}

/* Makes sure rq holds budget for a body of `len` bytes; marks it busy
 * (answered 503) when the budget is spent. */
static void
body_admit(struct req *rq, size_t len)
{
	if (rq->body_busy || len <= rq->body_reserved)
		return;
	if (!body_reserve(rq, len - rq->body_reserved))
		rq->body_busy = true;
}

uint64_t
http_body_memory(void)
{
	return atomic_load(&body_memory);
}

/* Runs when the request's arena is freed, on every path: the body and
 * its share of the budget go together. */
static void
req_free(void *p)
{
	struct req *rq = p;

	buf_free(&rq->body);
	atomic_fetch_sub(&body_memory, rq->body_reserved);
	rq->body_reserved = 0;
	atomic_fetch_sub(&requests_in_flight, 1);
}

#ifdef ZEK_TEST_HOOKS
/* Test hook: "X-Zek-Fail-After: N" makes the N-th allocation of this
 * request (arena, buffers, search strings) and all after it fail. */
static void
fault_hook(struct req *rq)
{
	const char *v = req_header(rq, "X-Zek-Fail-After");
	int64_t n;

	if (v != NULL && str_to_i64(v, 1, INT32_MAX, &n) == 0)
		arena_fail_after(rq->arena, (long)n);
	/* "X-Zek-Json-Fail-At: N": the N-th jansson allocation while the
	 * answer is built fails, that one only. */
	v = req_header(rq, "X-Zek-Json-Fail-At");
	if (v != NULL && str_to_i64(v, 1, INT32_MAX, &n) == 0)
		rq->json_fail_at = (long)n;
	/* "X-Zek-Refuse-Runs: N": the first N runs of the request end as
	 * if the database had refused their transaction (a deadlock's
	 * victim), so that it runs again; X-Zek-Attempts says how often. */
	v = req_header(rq, "X-Zek-Refuse-Runs");
	if (v != NULL && str_to_i64(v, 1, 100, &n) == 0)
		rq->refuse_runs = (int)n;
}
#endif

/* What one run of the request starts from (struct req, from route to
 * resp_bytes): set for the first run, and again for a run refused by the
 * database, which goes again from scratch but for what the client sent
 * (headers, body, the parsed form); the answer and cookies of the run
 * before must not go out. What that run allocated stays in the arena
 * until the request ends. */
static void
req_rewind(struct req *rq)
{
	http_reply_release(rq);
	rq->headers = NULL;
	rq->status = 500;
	rq->resp_bytes = 0;
	rq->route = NULL;
	memset(rq->params, 0, sizeof(rq->params));
	memset(&rq->ctx, 0, sizeof(rq->ctx));
	rq->user = NULL;
	rq->session_token = NULL;
	rq->csrf = NULL;
	rq->ended_user_id = 0;
	rq->ended_csrf = NULL;
	rq->set_csrf_cookie = false;
	rq->lang = "de";
	rq->tz = "Europe/Berlin";
	rq->cat = NULL;
	rq->tpl = NULL;
}

/* The request's id: the one a trusted proxy sent along (X-Request-Id,
 * so that its log and ours name requests alike), else a fresh one. From
 * anybody else the header is ignored: ids are for the operator's logs. */
static void
request_id(struct req *rq, const char *peer)
{
	const char *sent = MHD_lookup_connection_value(rq->conn,
	    MHD_HEADER_KIND, "X-Request-Id");

	if (sent != NULL && log_id_valid(sent) &&
	    proxy_list_has(&rq->app->proxies, peer))
		str_lcpy(rq->id, sent, sizeof(rq->id));
	else
		log_id_new("", rq->id);
}

static struct req *
req_new(struct app *app, struct MHD_Connection *conn, const char *url,
    const char *method)
{
	struct arena *a;
	struct req *rq;
	char ip[INET6_ADDRSTRLEN];

	http_fallback_init(); /* once: the answer when nothing else can be built */
	a = arena_new(app->cfg.max_body_bytes * 2 + REQ_ARENA_EXTRA);
	if (a == NULL)
		return NULL;
	rq = arena_calloc(a, 1, sizeof(*rq));
	if (rq == NULL || arena_defer(a, req_free, rq) != 0) {
		arena_free(a);
		return NULL;
	}
	atomic_fetch_add(&requests_in_flight, 1); /* req_free counts it out */
	rq->arena = a;
	rq->app = app;
	rq->conn = conn;
	rq->method = arena_strdup(a, method);
	rq->path = arena_strdup(a, url);
	rq->started_us = now_us();
	atomic_fetch_add(&requests_total, 1);
	buf_init(&rq->body, app->cfg.max_body_bytes);
	guard_peer_ip(conn, ip, sizeof(ip));
	{
		char client[INET6_ADDRSTRLEN];
		proxy_client_ip(&app->proxies, ip,
		    MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
		        "X-Forwarded-For"),
		    client, sizeof(client));
		rq->client_ip = arena_strdup(a, client);
	}
	request_id(rq, ip);
	req_rewind(rq);
	if (rq->method == NULL || rq->path == NULL || rq->client_ip == NULL) {
		arena_free(a);
		return NULL;
	}
#ifdef ZEK_TEST_HOOKS
	fault_hook(rq);
#endif
	return rq;
}

/* The status the client got: ours when we queued an answer, else the one
 * libmicrohttpd sent itself (400 for broken chunked framing, 413 for a
 * chunk too large), else 0: the connection closed without an answer. */
static unsigned
sent_status(const struct req *rq)
{
	const union MHD_ConnectionInfo *ci;

	if (rq->queued)
		return rq->status;
	ci = MHD_get_connection_info(rq->conn, MHD_CONNECTION_INFO_HTTP_STATUS);
	return ci != NULL ? ci->http_status : 0;
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct req *rq = *con_cls;
	int64_t us;

	if (rq == NULL)
		return;
	guard_idle(conn);
	http_reply_release(rq);
	us = now_us() - rq->started_us;
	metrics_record(rq->route, sent_status(rq), us);
	log_id_set(rq->id);
	access_log_request(rq, sent_status(rq), us);
	log_id_set(NULL);
	arena_free(rq->arena);
	*con_cls = NULL;
}

/* Parses the body by its content type into rq->form. */
static int
parse_body(struct req *rq)
{
	const struct config *cfg = &rq->app->cfg;
	const char *ct = req_header(rq, "Content-Type");
	struct form_limits lim = {
		.max_fields = 512,
		.max_name = 128,
		/* A value may be as long as the body: each field checks its own
		 * length, so an error can name the field and the page can show
		 * the form again (web_kept bounds what is shown). */
		.max_value = rq->body.len,
		.max_file = cfg->max_file_bytes,
		.max_files = cfg->max_files * 4,
	};
	int rc;

	/* Parsed once: a second run of the request reads the same form. */
	if (ct == NULL || rq->body.len == 0 || rq->form_parsed)
		return ZEK_OK;
	if (form_media_type_is(ct, "application/x-www-form-urlencoded"))
		rc = form_parse_urlencoded(rq->arena, rq->body.data,
		    rq->body.len, &lim, &rq->form, &rq->form_error_field);
	else if (form_media_type_is(ct, "multipart/form-data"))
		rc = form_parse_multipart(rq->arena, ct, rq->body.data,
		    rq->body.len, &lim, &rq->form, &rq->form_error_field);
	else
		rc = ZEK_OK; /* JSON and others are read by their handlers */
	if (rc != ZEK_OK)
		rq->form_failed = true;
	rq->form_parsed = rc == ZEK_OK;
	return rc;
}

/* Runs the fixed phases: route, session, body, preconditions, handler. */
static int
dispatch(struct req *rq)
{
	const char *over;
	char *scratch;
	bool wrong_method;
	int rc;

	if (guard_refused(rq, PATH_MAX_LEN))
		return ZEK_INVALID; /* the path or the framing: answered */
	/* Too many bodies in memory: the shared answer, which needs no
	 * memory and says when to come back (Retry-After). */
	if (rq->body_busy) {
		http_reply_fallback(rq, 503, str_starts(rq->path, "/rest/"));
		return ZEK_NOMEM;
	}
	scratch = arena_alloc(rq->arena, PATH_MAX_LEN + 1);
	if (scratch == NULL) {
		/* Only to answer in the route's kind (JSON or HTML): the
		 * placeholders would point into this frame. */
		char tmp[PATH_MAX_LEN + 1];
		rq->route = router_match(rq->method, rq->path, rq->params,
		    REQ_MAX_PARAMS, tmp, sizeof(tmp), &wrong_method);
		memset(rq->params, 0, sizeof(rq->params));
		return ZEK_NOMEM;
	}
	rq->route = router_match(rq->method, rq->path, rq->params,
	    REQ_MAX_PARAMS, scratch, PATH_MAX_LEN + 1, &wrong_method);
	if (rq->route != NULL && (rq->route->flags & ROUTE_PUBLIC))
		return rq->route->handler(rq);
	/* Under /rest/ every method of ours has a catch-all route: a route
	 * missing means a method we never take, answered in JSON. */
	if (rq->route == NULL && str_starts(rq->path, "/rest/"))
		return api_method_not_allowed(rq);
	/* The REST API has phases of its own: tokens instead of sessions. */
	if (rq->route != NULL && (rq->route->flags & ROUTE_API)) {
		if (rq->body.failed == ZEK_NOMEM)
			return ZEK_NOMEM; /* the body is incomplete */
		return api_dispatch(rq);
	}

	rc = web_begin(rq); /* database, session, language, templates */
	if (rc != ZEK_OK)
		return web_fail(rq, 503, rc);
	if (rq->route == NULL)
		return web_fail(rq, wrong_method ? 405 : 404, ZEK_NOTFOUND);
	if (rq->body.failed == ZEK_NOMEM)
		return web_fail(rq, 503, ZEK_NOMEM);
	if (rq->body_too_big)
		return web_fail(rq, 413, ZEK_TOOBIG);
	if ((rq->route->flags & ROUTE_BODY) &&
	    (rc = parse_body(rq)) != ZEK_OK) {
		if (rc == ZEK_NOMEM)
			return web_fail(rq, 503, ZEK_NOMEM);
		return web_fail(rq, rq->form_error_field ? 413 : 400,
		    rq->form_error_field ? ZEK_TOOBIG : ZEK_INVALID);
	}
	/* No handler reads more values of one name than this (form_get_all):
	 * a form with more is refused, not read in part. */
	if ((over = form_name_over(&rq->form, FORM_MAX_VALUES)) != NULL)
		return web_fail_values(rq, over);
	if ((rq->route->flags & ROUTE_LOGIN) && rq->user == NULL)
		return web_need_login(rq);
	if ((rq->route->flags & ROUTE_AGENT) && !web_user_is_agent(rq))
		return web_fail(rq, 404, ZEK_NOTFOUND);
	if ((rq->route->flags & ROUTE_CSRF) && !web_csrf_ok(rq))
		return web_fail(rq, 403, ZEK_FORBIDDEN);
	return rq->route->handler(rq);
}

/* Connections suspended while a writer thread makes their answer or
 * until their commit is on disk; none may be left when the daemon stops
 * (MHD aborts then), so stopping makes the last requests run and wait in
 * their workers instead. */
static atomic_int durable_suspended;
static atomic_bool durable_stopping;
/* The writer threads (writers.h), running while the daemon runs. */
static struct writers writers;

/* Called from the store's sync thread: the request's commit is on disk
 * (rc ZEK_OK), or its sync failed; the connection goes on. */
/* Queues the answer; with phase_timing it says where its time went: the
 * scope's phases, the wait for the disk, and all from the first byte. */
static enum MHD_Result
queue_answer(struct req *rq)
{
	int64_t now;
	const char *v;

	if (rq->timing != NULL && !http_reply_shared(rq)) {
		now = now_us();
		v = rq->sync_from_us != 0 ?
		    arena_printf(rq->arena, "%s, sync;dur=%.3f, total;dur=%.3f",
		        rq->timing, (double)(now - rq->sync_from_us) / 1e3,
		        (double)(now - rq->started_us) / 1e3) :
		    arena_printf(rq->arena, "%s, total;dur=%.3f", rq->timing,
		        (double)(now - rq->started_us) / 1e3);
		if (v != NULL)
			MHD_add_response_header(rq->resp, "Server-Timing", v);
	}
	/* The id the log lines of this request carry, for a report. */
	if (!http_reply_shared(rq))
		MHD_add_response_header(rq->resp, "X-Request-Id", rq->id);
	rq->queued = true;
	return MHD_queue_response(rq->conn, rq->status, rq->resp);
}

static void
durable_done(void *arg, int rc)
{
	struct req *rq = arg;

	rq->durable_rc = rc;
	MHD_resume_connection(rq->conn);
}

static enum MHD_Result
answer_durable(struct req *rq)
{
	bool api = str_starts(rq->path, "/rest/");

	if (rq->suspended)
		atomic_fetch_sub(&durable_suspended, 1);
	rq->suspended = false;
	if (rq->resp == NULL)
		return MHD_NO; /* the writer had no answer: close */
	if (rq->durable_rc != ZEK_OK) {
		/* Committed, but not known to be on disk: say it failed. */
		http_reply_release(rq);
		if (!api)
			web_fail(rq, 500, ZEK_IO);
		if (rq->resp == NULL)
			http_reply_fallback(rq, 500, api);
		if (rq->resp == NULL)
			return MHD_NO;
	}
	return queue_answer(rq);
}

/* Suspends the connection, counted, unless the server is stopping
 * (false: it stays with this thread). MHD calls on_request again after
 * the resume (answer_durable). */
static bool
suspend_unless_stopping(struct req *rq)
{
	/* Counted before stopping is looked at; http_serve does the reverse. */
	atomic_fetch_add(&durable_suspended, 1);
	if (atomic_load(&durable_stopping)) {
		atomic_fetch_sub(&durable_suspended, 1);
		return false;
	}
	rq->suspended = true;
	MHD_suspend_connection(rq->conn);
	return true;
}

/* For a suspended connection whose answer is made: the sync thread
 * resumes it once `ticket` is on disk (true), or, when it is on disk
 * already or there is no sync thread, durable_rc is set here and the
 * caller resumes it (false). rq is not touched once it may resume. */
static bool
resume_when_durable(struct req *rq, uint64_t ticket)
{
	struct core *core = rq->app->core;
	int rc;

	if (rq->timing != NULL)
		rq->sync_from_us = now_us();
	rc = core_durable_notify(core, ticket, durable_done, rq);
	if (rc == ZEK_OK)
		return true;
	rq->durable_rc = rc == ZEK_NOTFOUND ? ZEK_OK :
	                                      core_durable_wait(core, ticket);
	return false;
}

/* An answer about a write goes out only once the write is on disk. The
 * connection is suspended meanwhile, so that this thread serves others
 * and the commits of many requests share one sync (group commit). */
static enum MHD_Result
await_durable(struct req *rq, uint64_t ticket)
{
	if (!suspend_unless_stopping(rq)) {
		if (rq->timing != NULL)
			rq->sync_from_us = now_us();
		rq->durable_rc = core_durable_wait(rq->app->core, ticket);
		return answer_durable(rq);
	}
	if (!resume_when_durable(rq, ticket))
		MHD_resume_connection(rq->conn);
	return MHD_YES;
}

struct run {
	struct req *rq;
	size_t used; /* the arena's bytes when the run began */
};

/* One run of the request in its scope (core_scope_run): dispatch, make
 * sure there is an answer, and ask to keep the request's writes only
 * when the answer is not a failure. */
static bool
respond_run(void *arg, int attempt)
{
	struct run *r = arg;
	struct req *rq = r->rq;
	bool api = str_starts(rq->path, "/rest/");
	int rc;

	if (attempt > 1) {
		/* The same room as the first run had (store_scope_run said
		 * why it runs again). */
		arena_extend(rq->arena, arena_used(rq->arena) - r->used);
		r->used = arena_used(rq->arena);
		req_rewind(rq);
	}
	rq->attempts = attempt;
	jsonalloc_begin(); /* failures of other requests are not ours */
#ifdef ZEK_TEST_HOOKS
	jsonalloc_fail_at(rq->json_fail_at);
#endif
	rc = dispatch(rq);
	if (rc == ZEK_OK)
		rc = ZEK_IO; /* no answer although nothing failed */
	if (rq->resp == NULL && !api)
		web_fail(rq, http_status_of(rc), rc);
	if (rq->resp == NULL)
		http_reply_fallback(rq, http_status_of(rc), api);
#ifdef ZEK_TEST_HOOKS
	if (attempt <= rq->refuse_runs)
		core_test_refuse_scope(rq->app->core);
#endif
	return rq->resp != NULL && rq->status < 500;
}

/* Runs the request (again while the database refuses its transaction
 * as a deadlock's victim, core_scope_run), and keeps its writes only when
 * the answer is not a failure. The answer is in rq->resp (NULL: close the
 * connection); returns the ticket of its commit (0: nothing to wait for). */
static uint64_t
run_in_scope(struct req *rq)
{
	struct core *core = rq->app->core;
	struct run r = { .rq = rq, .used = arena_used(rq->arena) };
	bool api = str_starts(rq->path, "/rest/");
	uint64_t ticket;

	if (core_scope_run(core, true, respond_run, &r) != ZEK_OK) {
		/* The commit failed: what the answer says did not happen. */
		http_reply_release(rq);
		if (!api)
			web_fail(rq, 500, ZEK_IO);
		if (rq->resp == NULL)
			http_reply_fallback(rq, 500, api);
	}
	ticket = core_scope_ticket(core);
	rq->timing = core_scope_timing(core, rq->arena);
#ifdef ZEK_TEST_HOOKS
	if (rq->resp != NULL)
		http_fault_report(rq);
#endif
	return rq->resp != NULL ? ticket : 0;
}

/* A writer thread's job: the request's answer, then the wait for the
 * disk without the thread (durable_done resumes the connection), or the
 * connection resumed at once. rq is not touched once it may resume. */
static void
run_in_writer(void *arg)
{
	struct req *rq = arg;
	uint64_t ticket;
	int64_t waited_us;

	log_id_set(rq->id);
#ifdef ZEK_TEST_HOOKS
	arena_fault_scope(rq->arena);
#endif
	waited_us = now_us() - rq->handed_us;
	ticket = run_in_scope(rq);
	if (rq->timing != NULL)
		rq->timing = arena_printf(rq->arena, "queue;dur=%.3f, %s",
		    (double)waited_us / 1e3, rq->timing);
	log_id_set(NULL);
#ifdef ZEK_TEST_HOOKS
	arena_fault_scope(NULL);
	jsonalloc_fail_at(0);
#endif
	if (ticket == 0 || !resume_when_durable(rq, ticket))
		MHD_resume_connection(rq->conn);
}

/* Whether the request may write: a writer thread runs it then. */
static bool
may_write(const struct req *rq)
{
	return !str_eq(rq->method, "GET") && !str_eq(rq->method, "HEAD");
}

/* Suspends the connection and queues the request for a writer thread;
 * false when the server is stopping. */
static bool
hand_to_writer(struct req *rq)
{
	if (!suspend_unless_stopping(rq))
		return false;
	rq->handed_us = now_us();
	rq->job = (struct writer_job){ .run = run_in_writer, .arg = rq };
	writers_push(&writers, &rq->job);
	return true;
}

/* The last call for a request: a request that may write goes to a writer
 * thread (unless `here`), any other is answered in this worker. */
static enum MHD_Result
respond(struct req *rq, bool here)
{
	uint64_t ticket;

	if (!here && may_write(rq) && hand_to_writer(rq))
		return MHD_YES;
	ticket = run_in_scope(rq);
	if (rq->resp == NULL)
		return MHD_NO;
	if (ticket != 0)
		return await_durable(rq, ticket);
	return queue_answer(rq);
}

/* Whether the Content-Length sent is over max (or no number). */
static bool
declared_over(struct req *rq, uint64_t max)
{
	const char *cl = req_header(rq, "Content-Length");
	int64_t n;

	if (cl == NULL)
		return false;
	return str_to_i64(cl, 0, INT64_MAX, &n) != 0 || (uint64_t)n > max;
}

static enum MHD_Result
request_step(struct app *app, struct MHD_Connection *conn, const char *url,
    const char *method, const char *upload_data, size_t *upload_data_size,
    void **con_cls)
{
	struct req *rq = *con_cls;
	int rc;

	if (rq == NULL) {
		const char *cl;
		rq = req_new(app, conn, url, method);
		if (rq == NULL)
			return MHD_NO;
		*con_cls = rq;
		log_id_set(rq->id);
#ifdef ZEK_TEST_HOOKS
		arena_fault_scope(rq->arena);
#endif
		cl = req_header(rq, "Content-Length");
		if (cl != NULL) {
			int64_t n;
			if (str_to_i64(cl, 0, INT64_MAX, &n) != 0 ||
			    (uint64_t)n > app->cfg.max_body_bytes)
				rq->body_too_big = true;
			else
				body_admit(rq, (size_t)n);
		}
		guard_request(conn);
		/* Framing we refuse, a body declared more than twice too big,
		 * or one the body memory budget has no room for, is answered
		 * at once; MHD then closes without reading the body. A smaller
		 * excess is read and dropped (see below), so that clients still
		 * sending it see the answer. */
		if (guard_status(rq, PATH_MAX_LEN) != 0 || rq->body_busy ||
		    (rq->body_too_big &&
		        declared_over(rq,
		            2 * (uint64_t)app->cfg.max_body_bytes))) {
			guard_reply(conn);
			/* Refused: nothing to write, no writer needed. */
			return respond(rq, true);
		}
		return MHD_YES;
	}
	log_id_set(rq->id);
#ifdef ZEK_TEST_HOOKS
	arena_fault_scope(rq->arena);
#endif
	if (rq->suspended)
		return answer_durable(rq);
	if (*upload_data_size > 0) {
		/* A chunked body over the limit is dropped as it comes, so that
		 * the client still gets the answer, up to the limit once more;
		 * beyond that the connection is cut. */
		if (guard_body(conn, *upload_data_size) >
		    2 * (uint64_t)app->cfg.max_body_bytes)
			return MHD_NO;
		/* A chunked body takes its budget as it comes. */
		if (!rq->body_too_big)
			body_admit(rq, rq->body.len + *upload_data_size);
		/* Out of memory stays in rq->body.failed (answered 503). */
		if (!rq->body_too_big && !rq->body.failed && !rq->body_busy) {
			rc = buf_append(&rq->body, upload_data,
			    *upload_data_size);
			if (rc == ZEK_TOOBIG)
				rq->body_too_big = true;
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (rq->queued)
		return MHD_YES;
	guard_reply(conn);
	return respond(rq, false);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	enum MHD_Result r;

	r = request_step(cls, conn, url, method, upload_data, upload_data_size,
	    con_cls);
	/* A worker thread interleaves connections: its lines name no
	 * request between calls. */
	log_id_set(NULL);
#ifdef ZEK_TEST_HOOKS
	/* A worker thread interleaves connections: the fault scope is only
	 * ever the request being called back. */
	arena_fault_scope(NULL);
	jsonalloc_fail_at(0);
#endif
	return r;
}

static int
parse_listen(const char *listen, struct sockaddr_in *sa)
{
	const char *colon = strrchr(listen, ':');
	char host[64];
	int64_t port;

	if (colon == NULL || (size_t)(colon - listen) >= sizeof(host))
		return -1;
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	if (str_to_i64(colon + 1, 0, 65535, &port) != 0)
		return -1;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (host[0] == '\0' || str_eq(host, "localhost"))
		str_lcpy(host, "127.0.0.1", sizeof(host));
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

/* Descriptors kept free of connections: the database, its journal,
 * attachments being read, SMTP, libmagic, epoll and MHD's own pipes. */
#define FD_RESERVE 128

/* The connection limit that the descriptor limit allows: raises the soft
 * RLIMIT_NOFILE as far as needed (and allowed), else lowers the limit. */
static unsigned
connection_limit(const struct config *cfg)
{
	rlim_t want = (rlim_t)cfg->max_connections + FD_RESERVE;
	struct rlimit rl, raised;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return cfg->max_connections;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		raised = rl;
		raised.rlim_cur = rl.rlim_max == RLIM_INFINITY ||
		        rl.rlim_max > want ?
		    want :
		    rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &raised) == 0)
			rl = raised;
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		unsigned n = rl.rlim_cur > FD_RESERVE + 16 ?
		    (unsigned)(rl.rlim_cur - FD_RESERVE) :
		    16;
		log_warning("http",
		    "fewer connections at once: the limit of "
		    "open files is low",
		    LOG_FIELDS(LOG_I("connections", n),
		        LOG_I("open_files", rl.rlim_cur)));
		return n;
	}
	return cfg->max_connections;
}

/* libmicrohttpd's own complaints (MHD_USE_ERROR_LOG), as lines of ours:
 * one format, one line each, the request's id when there is one. */
static void
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];
	size_t n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	log_warning("http", "libmicrohttpd", LOG_FIELDS(LOG_S("error", msg)));
}

/* Tells systemd (Type=notify) what the server does now; nothing when
 * zek was not started by systemd or built without libsystemd. */
static void
notify(const char *state)
{
#ifdef ZEK_HAVE_SYSTEMD
	if (getenv("NOTIFY_SOCKET") != NULL)
		sd_notify(0, state);
#else
	(void)state;
#endif
}

/* A stop: no new connections (the listening socket is closed, so a proxy
 * sends new ones elsewhere at once), while the requests under way finish
 * for at most HTTP_DRAIN_SECONDS. Keep-alive connections may still send
 * requests meanwhile; they are served too. */
static void
drain(struct listener *l)
{
	const struct timespec tick = { 0, 10000000 };
	int i, left;

	listener_close(l);
	for (i = 0; i < HTTP_DRAIN_SECONDS * 100; i++) {
		if (atomic_load(&requests_in_flight) == 0)
			return;
		log_flush();
		nanosleep(&tick, NULL);
	}
	left = atomic_load(&requests_in_flight);
	if (left > 0)
		log_warning("http", "stopping with requests unfinished",
		    LOG_FIELDS(LOG_I("requests", left),
		        LOG_I("waited_s", HTTP_DRAIN_SECONDS)));
}

/* Waits for SIGINT or SIGTERM, writing the access log and pinging
 * systemd's watchdog meanwhile; SIGHUP reloads. Returns the signal that
 * stops the server. */
static int
wait_for_stop(struct app *app, const sigset_t *set, struct watchdog *w)
{
	static const struct timespec log_tick = { 0, 250000000 };
	int sig;

	for (;;) {
		sig = sigtimedwait(set, NULL, &log_tick);
		if (sig < 0) {
			log_flush();
			watchdog_tick(w, notify);
		} else if (sig == SIGHUP) {
			notify("RELOADING=1");
			if (app->reload != NULL)
				app->reload(app);
			notify("READY=1");
		} else {
			return sig;
		}
	}
}

/* MHD_OPTION_NOTIFY_CONNECTION: the guard watches each connection, the
 * listener (cls) counts them. */
static void
on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
    enum MHD_ConnectionNotificationCode code)
{
	guard_on_connection(NULL, conn, socket_context, code);
	if (code == MHD_CONNECTION_NOTIFY_CLOSED)
		listener_closed(cls);
}

/* The daemon with its worker pool running, for the connections that
 * listener `l` hands it (at most `limit` at once); NULL when it cannot
 * start. */
static struct MHD_Daemon *
start_daemon(struct app *app, struct listener *l, unsigned limit)
{
	const struct config *cfg = &app->cfg;

	/* Every limit here is listed in docs/internals/limits.md. The memory
	 * limit bounds one connection's request line and headers (MHD answers
	 * 414 or 431 beyond it); the guard bounds how long they may take. */
	/* MHD_USE_ITC: MHD_add_connection wakes the pool's threads with it.
	 * Written by hand: an option and its arguments a line. */
	/* clang-format off */
	return MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC |
	    MHD_USE_NO_LISTEN_SOCKET, 0,
	    NULL, NULL,
	    on_request, app,
	    /* First, so that libmicrohttpd's words on the others are logged
	     * through it (it warns on stderr otherwise). */
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)cfg->threads,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, l,
	    MHD_OPTION_UNESCAPE_CALLBACK, guard_unescape, NULL,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)cfg->idle_timeout_s,
	    MHD_OPTION_CONNECTION_LIMIT,
	    LISTENER_DAEMON_LIMIT(limit, (unsigned int)cfg->threads),
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    (unsigned int)cfg->max_connections_per_ip,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HEADER_MEMORY,
	    MHD_OPTION_STRICT_FOR_CLIENT, (int)1,
	    MHD_OPTION_END);
	/* clang-format on */
}

int
http_serve(struct app *app)
{
	const struct config *cfg = &app->cfg;
	struct MHD_Daemon *d;
	struct sockaddr_in sa;
	struct listener l;
	unsigned limit;
	struct watchdog wd;
	sigset_t set;
	int sig;

	if (parse_listen(cfg->listen, &sa) != 0) {
		log_error("http",
		    "cannot use the listen address (want "
		    "host:port)",
		    LOG_FIELDS(LOG_S("listen", cfg->listen)));
		return ZEK_INVALID;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL); /* workers inherit the mask */
	signal(SIGPIPE, SIG_IGN);
	core_phases_enable(cfg->phase_timing);
	/* Blocks of 128 KiB and more (arena chunks, search buffers) go back to
	 * the system when freed. Left to itself glibc raises this threshold
	 * after each such free, and later big blocks stay in the heap for
	 * good: RSS then keeps every peak. */
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	if (guard_start(cfg) != ZEK_OK) {
		log_error("http", "cannot start the connection watchdog", NULL);
		return ZEK_IO;
	}
	if (listener_open(&l, &sa, LISTEN_BACKLOG) != ZEK_OK) {
		log_error("http", "cannot listen",
		    LOG_FIELDS(LOG_S("listen", cfg->listen),
		        LOG_S("error", strerror(errno))));
		guard_stop();
		return ZEK_IO;
	}
	limit = connection_limit(cfg);
	if (writers_start(&writers, (unsigned)cfg->threads) != ZEK_OK) {
		log_error("http", "cannot start the writer threads", NULL);
		listener_close(&l);
		guard_stop();
		return ZEK_IO;
	}
	d = start_daemon(app, &l, limit);
	if (d == NULL || listener_start(&l, d, limit) != ZEK_OK) {
		log_error("http", "cannot start the HTTP server", NULL);
		listener_close(&l);
		if (d != NULL)
			MHD_stop_daemon(d);
		writers_stop(&writers);
		guard_stop();
		return ZEK_IO;
	}
	{
		char url[64];
		snprintf(url, sizeof(url), "http://%s:%u/",
		    inet_ntoa(sa.sin_addr), (unsigned)l.port);
		log_info("http", "listening", LOG_FIELDS(LOG_S("url", url)));
	}
	notify("READY=1");
	watchdog_start(&wd, &sa, l.port);
	sig = wait_for_stop(app, &set, &wd);
	log_info("http", "stopping", LOG_FIELDS(LOG_I("signal", sig)));
	notify("STOPPING=1");
	drain(&l);
	atomic_store(&durable_stopping, true);
	while (atomic_load(&durable_suspended) > 0) {
		struct timespec ms = { 0, 1000000 };
		nanosleep(&ms, NULL);
	}
	MHD_stop_daemon(d);
	writers_stop(&writers); /* none suspended: nothing left */
	guard_stop();
	log_flush();
	return ZEK_OK;
}

uint64_t
http_requests_total(void)
{
	return atomic_load(&requests_total);
}
