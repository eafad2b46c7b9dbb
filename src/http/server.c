/* server.c: libmicrohttpd glue: connection life cycle, body limits, phases. */
#include "http/http.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "api/api.h"
#include "http/router.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "web/web.h"

/* Arena room beyond the body: parsed copies of the body plus page work. */
#define REQ_ARENA_EXTRA (32u << 20)
#define PATH_MAX_LEN 2048

static atomic_uint_fast64_t requests_total;

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void
req_free(void *p)
{
	struct req *rq = p;

	buf_free(&rq->body);
}

static struct req *
req_new(struct app *app, struct MHD_Connection *conn, const char *url,
    const char *method)
{
	struct arena *a;
	struct req *rq;
	const union MHD_ConnectionInfo *ci;
	unsigned char raw[8];
	char ip[INET6_ADDRSTRLEN] = "-";

	a = arena_new(app->cfg.max_body_bytes * 2 + REQ_ARENA_EXTRA);
	if (a == NULL)
		return NULL;
	rq = arena_calloc(a, 1, sizeof(*rq));
	if (rq == NULL || arena_defer(a, req_free, rq) != 0) {
		arena_free(a);
		return NULL;
	}
	rq->arena = a;
	rq->app = app;
	rq->conn = conn;
	rq->method = arena_strdup(a, method);
	rq->path = arena_strdup(a, url);
	rq->started_us = now_us();
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(rq->id, sizeof(rq->id), raw, sizeof(raw));
	buf_init(&rq->body, app->cfg.max_body_bytes);
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci != NULL && ci->client_addr != NULL) {
		const struct sockaddr *sa = ci->client_addr;
		if (sa->sa_family == AF_INET)
			inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, ip, sizeof(ip));
		else if (sa->sa_family == AF_INET6)
			inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, ip, sizeof(ip));
	}
	rq->client_ip = arena_strdup(a, ip);
	rq->lang = "de";
	rq->tz = "Europe/Berlin";
	rq->status = 500;
	if (rq->method == NULL || rq->path == NULL || rq->client_ip == NULL) {
		arena_free(a);
		return NULL;
	}
	return rq;
}

static void
access_log(const struct req *rq)
{
	fprintf(stderr, "%s %s %s %s %u %zu %" PRId64 "us\n", rq->id,
	    rq->client_ip, rq->method, rq->path, rq->status, rq->resp_bytes,
	    now_us() - rq->started_us);
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct req *rq = *con_cls;

	if (rq == NULL)
		return;
	if (rq->resp != NULL)
		MHD_destroy_response(rq->resp);
	access_log(rq);
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
		.max_value = cfg->max_field_bytes,
		.max_file = cfg->max_file_bytes,
		.max_files = cfg->max_files * 4,
	};
	int rc;

	if (ct == NULL || rq->body.len == 0)
		return ZEK_OK;
	if (str_starts(ct, "application/x-www-form-urlencoded"))
		rc = form_parse_urlencoded(rq->arena, rq->body.data, rq->body.len,
		    &lim, &rq->form, &rq->form_error_field);
	else if (str_starts(ct, "multipart/form-data"))
		rc = form_parse_multipart(rq->arena, ct, rq->body.data,
		    rq->body.len, &lim, &rq->form, &rq->form_error_field);
	else
		rc = ZEK_OK;    /* JSON and others are read by their handlers */
	if (rc != ZEK_OK)
		rq->form_failed = true;
	return rc;
}

/* Runs the fixed phases: route, session, body, preconditions, handler. */
static int
dispatch(struct req *rq)
{
	char *scratch;
	bool wrong_method;
	int rc;

	if (strlen(rq->path) > PATH_MAX_LEN ||
	    !utf8_clean_text(rq->path, strlen(rq->path), false))
		return web_fail(rq, 400, ZEK_INVALID);
	scratch = arena_alloc(rq->arena, PATH_MAX_LEN + 1);
	if (scratch == NULL)
		return ZEK_NOMEM;
	rq->route = router_match(rq->method, rq->path, rq->params,
	    REQ_MAX_PARAMS, scratch, PATH_MAX_LEN + 1, &wrong_method);
	if (rq->route != NULL && (rq->route->flags & ROUTE_PUBLIC))
		return rq->route->handler(rq);
	/* The REST API has phases of its own: tokens instead of sessions. */
	if (rq->route != NULL && (rq->route->flags & ROUTE_API))
		return api_dispatch(rq);

	rc = web_begin(rq);     /* database, session, language, templates */
	if (rc != ZEK_OK)
		return web_fail(rq, 503, rc);
	if (rq->route == NULL)
		return web_fail(rq, wrong_method ? 405 : 404, ZEK_NOTFOUND);
	if (rq->body_too_big)
		return web_fail(rq, 413, ZEK_TOOBIG);
	if ((rq->route->flags & ROUTE_BODY) && parse_body(rq) != ZEK_OK)
		return web_fail(rq, rq->form_error_field ? 413 : 400,
		    rq->form_error_field ? ZEK_TOOBIG : ZEK_INVALID);
	if ((rq->route->flags & ROUTE_LOGIN) && rq->user == NULL)
		return web_need_login(rq);
	if ((rq->route->flags & ROUTE_AGENT) && !web_user_is_agent(rq))
		return web_fail(rq, 404, ZEK_NOTFOUND);
	if ((rq->route->flags & ROUTE_CSRF) && !web_csrf_ok(rq))
		return web_fail(rq, 403, ZEK_FORBIDDEN);
	return rq->route->handler(rq);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **con_cls)
{
	struct app *app = cls;
	struct req *rq = *con_cls;
	int rc;

	if (rq == NULL) {
		const char *cl;
		rq = req_new(app, conn, url, method);
		if (rq == NULL)
			return MHD_NO;
		*con_cls = rq;
		atomic_fetch_add(&requests_total, 1);
		cl = req_header(rq, "Content-Length");
		if (cl != NULL) {
			int64_t n;
			if (str_to_i64(cl, 0, INT64_MAX, &n) != 0 ||
			    (uint64_t)n > app->cfg.max_body_bytes)
				rq->body_too_big = true;
		}
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		if (!rq->body_too_big &&
		    buf_append(&rq->body, upload_data, *upload_data_size) != 0)
			rq->body_too_big = true;
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (rq->queued)
		return MHD_YES;
	rc = dispatch(rq);
	if (rq->resp == NULL)
		web_fail(rq, http_status_of(rc ? rc : ZEK_IO), rc ? rc : ZEK_IO);
	if (rq->resp == NULL)
		return MHD_NO;
	rq->queued = true;
	return MHD_queue_response(conn, rq->status, rq->resp);
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

int
http_serve(struct app *app)
{
	struct MHD_Daemon *d;
	struct sockaddr_in sa;
	const union MHD_DaemonInfo *di;
	sigset_t set;
	int sig;

	if (parse_listen(app->cfg.listen, &sa) != 0) {
		fprintf(stderr, "zek: cannot use listen address '%s' (want host:port)\n",
		    app->cfg.listen);
		return ZEK_INVALID;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);     /* workers inherit the mask */
	signal(SIGPIPE, SIG_IGN);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
	    MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, app,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)app->cfg.threads,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)30,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)4000,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)0,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
	    MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)1024,
	    MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "zek: cannot listen on %s\n", app->cfg.listen);
		return ZEK_IO;
	}
	di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	fprintf(stderr, "zek: listening on http://%s:%u/\n",
	    inet_ntoa(sa.sin_addr), di ? (unsigned)di->port : 0);
	fflush(stderr);
	sigwait(&set, &sig);
	fprintf(stderr, "zek: stopping (signal %d)\n", sig);
	MHD_stop_daemon(d);
	return ZEK_OK;
}

uint64_t
http_requests_total(void)
{
	return atomic_load(&requests_total);
}
