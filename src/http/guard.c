/* guard.c: slow-client watchdog, framing checks and NUL-safe URL decoding. */
#include "http/guard.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "api/api.h"
#include "http/http.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "lib/zek.h"
#include "render/i18n.h"
#include "web/web.h"

#define GUARD_TICK_MS 250

enum guard_phase {
	PHASE_WAIT,  /* headers of the next request are due */
	PHASE_BODY,  /* the body is arriving */
	PHASE_REPLY, /* we are answering: only MHD's idle timeout applies */
};

/* One watched connection; lives from MHD's STARTED to its CLOSED note.
 * MHD closes the socket only after CLOSED, and CLOSED takes the lock, so
 * the watchdog never shuts down a descriptor that was reused. */
struct guard_conn {
	struct guard_conn *prev, *next;
	int fd;
	bool cut; /* shut down by the watchdog */
	atomic_int phase;
	atomic_int_fast64_t since_ms; /* start of the phase */
	atomic_uint_fast64_t bytes;   /* body bytes of the current request */
	char ip[INET6_ADDRSTRLEN];
};

static pthread_mutex_t guard_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t guard_wake;
static struct guard_conn *guard_head;
static const struct config *guard_cfg;
static pthread_t guard_thread;
static bool guard_running, guard_stopping;

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static struct guard_conn *
watched(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci;

	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci != NULL ? ci->socket_context : NULL;
}

static void
set_phase(struct guard_conn *g, int phase)
{
	atomic_store(&g->since_ms, mono_ms());
	atomic_store(&g->bytes, 0);
	atomic_store(&g->phase, phase);
}

void
guard_peer_ip(struct MHD_Connection *conn, char *ip, size_t n)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;
	const void *addr = NULL;

	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	sa = ci != NULL ? ci->client_addr : NULL;
	if (sa != NULL && sa->sa_family == AF_INET)
		addr = &((const struct sockaddr_in *)(const void *)sa)
		            ->sin_addr;
	else if (sa != NULL && sa->sa_family == AF_INET6)
		addr = &((const struct sockaddr_in6 *)(const void *)sa)
		            ->sin6_addr;
	if (addr == NULL ||
	    inet_ntop(sa->sa_family, addr, ip, (socklen_t)n) == NULL)
		str_lcpy(ip, "-", n);
}

void
guard_on_connection(void *cls, struct MHD_Connection *conn,
    void **socket_context, enum MHD_ConnectionNotificationCode code)
{
	const union MHD_ConnectionInfo *ci;
	struct guard_conn *g = *socket_context;

	(void)cls;
	if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (g == NULL)
			return;
		pthread_mutex_lock(&guard_lock);
		if (g->prev != NULL)
			g->prev->next = g->next;
		else
			guard_head = g->next;
		if (g->next != NULL)
			g->next->prev = g->prev;
		pthread_mutex_unlock(&guard_lock);
		free(g);
		*socket_context = NULL;
		return;
	}
	/* Without memory for the watch the connection still works, unwatched. */
	g = calloc(1, sizeof(*g));
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (g == NULL || ci == NULL) {
		free(g);
		return;
	}
	g->fd = ci->connect_fd;
	guard_peer_ip(conn, g->ip, sizeof(g->ip));
	set_phase(g, PHASE_WAIT);
	pthread_mutex_lock(&guard_lock);
	g->next = guard_head;
	if (guard_head != NULL)
		guard_head->prev = g;
	guard_head = g;
	pthread_mutex_unlock(&guard_lock);
	*socket_context = g;
}

void
guard_request(struct MHD_Connection *conn)
{
	struct guard_conn *g = watched(conn);

	if (g != NULL)
		set_phase(g, PHASE_BODY);
}

uint64_t
guard_body(struct MHD_Connection *conn, size_t n)
{
	struct guard_conn *g = watched(conn);

	if (g == NULL)
		return 0;
	return atomic_fetch_add(&g->bytes, n) + n;
}

void
guard_reply(struct MHD_Connection *conn)
{
	struct guard_conn *g = watched(conn);

	if (g != NULL)
		set_phase(g, PHASE_REPLY);
}

void
guard_idle(struct MHD_Connection *conn)
{
	struct guard_conn *g = watched(conn);

	if (g != NULL)
		set_phase(g, PHASE_WAIT);
}

/* When the connection's current phase runs out, in monotonic ms. */
static int64_t
deadline(const struct guard_conn *g, const struct config *cfg)
{
	int64_t since = atomic_load(&g->since_ms);
	int64_t grace = (int64_t)cfg->header_timeout_s * 1000;
	uint64_t bytes;

	switch (atomic_load(&g->phase)) {
	case PHASE_WAIT:
		return since + grace;
	case PHASE_BODY:
		/* Grace, then the body must keep up the minimum average rate. */
		bytes = atomic_load(&g->bytes);
		return since + grace +
		    (int64_t)(bytes * 1000 / cfg->body_min_rate);
	default:
		return INT64_MAX;
	}
}

static void *
watchdog(void *arg)
{
	struct guard_conn *g;
	struct timespec ts;
	unsigned waiting, slow;
	int64_t now;

	pthread_setname_np(pthread_self(), "zek-guard"); /* top -H, perf */
	(void)arg;
	pthread_mutex_lock(&guard_lock);
	while (!guard_stopping) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += GUARD_TICK_MS * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&guard_wake, &guard_lock, &ts);
		if (guard_stopping)
			break;
		now = mono_ms();
		waiting = slow = 0;
		for (g = guard_head; g != NULL; g = g->next) {
			if (g->cut || now < deadline(g, guard_cfg))
				continue;
			/* MHD sees end of file and closes it in its own thread. */
			shutdown(g->fd, SHUT_RDWR);
			g->cut = true;
			if (atomic_load(&g->phase) == PHASE_WAIT)
				waiting++;
			else
				slow++;
			if (waiting + slow == 1)
				log_warning("http", "closing slow connection",
				    LOG_FIELDS(LOG_S("client", g->ip)));
		}
		if (waiting + slow > 1)
			log_warning("http", "closed slow connections",
			    LOG_FIELDS(LOG_I("connections", waiting + slow),
			        LOG_I("without_headers", waiting),
			        LOG_I("slow_body", slow)));
	}
	pthread_mutex_unlock(&guard_lock);
	return NULL;
}

int
guard_start(const struct config *cfg)
{
	pthread_condattr_t ca;

	guard_cfg = cfg;
	guard_stopping = false;
	if (pthread_condattr_init(&ca) != 0)
		return ZEK_NOMEM;
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (pthread_cond_init(&guard_wake, &ca) != 0) {
		pthread_condattr_destroy(&ca);
		return ZEK_NOMEM;
	}
	pthread_condattr_destroy(&ca);
	if (pthread_create(&guard_thread, NULL, watchdog, NULL) != 0) {
		pthread_cond_destroy(&guard_wake);
		return ZEK_IO;
	}
	guard_running = true;
	return ZEK_OK;
}

void
guard_stop(void)
{
	if (!guard_running)
		return;
	pthread_mutex_lock(&guard_lock);
	guard_stopping = true;
	pthread_cond_signal(&guard_wake);
	pthread_mutex_unlock(&guard_lock);
	pthread_join(guard_thread, NULL);
	pthread_cond_destroy(&guard_wake);
	guard_running = false;
}

/* ---- URL decoding ---- */

size_t
guard_unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	char *r = s, *w = s;
	int hi, lo;

	(void)cls;
	(void)conn;
	while (*r != '\0') {
		if (r[0] == '%' && (hi = str_hexval(r[1])) >= 0 &&
		    (lo = str_hexval(r[2])) >= 0 && (hi | lo) != 0) {
			*w++ = (char)(hi * 16 + lo);
			r += 3;
		} else {
			*w++ = *r++; /* also "%00" and a malformed escape */
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

/* ---- framing checks ---- */

struct framing {
	const char *length; /* the first Content-Length */
	bool lengths_differ;
	bool chunked;
	bool other_coding;
	bool malformed; /* a name not a token, a control in a value */
};

static bool
has_control(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] < 0x20 && s[i] != '\t') ||
		    s[i] == 0x7f)
			return true;
	return false;
}

/* A header name is a token (RFC 9110 5.1): no space, no separators. */
static bool
is_token(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		        (s[i] >= 'A' && s[i] <= 'Z') ||
		        (s[i] >= '0' && s[i] <= '9') ||
		        (s[i] != '\0' &&
		            strchr("!#$%&'*+-.^_`|~", s[i]) != NULL)))
			return false;
	return n > 0;
}

static enum MHD_Result
framing_header(void *cls, enum MHD_ValueKind kind, const char *key,
    size_t key_size, const char *value, size_t value_size)
{
	struct framing *f = cls;

	(void)kind;
	if (key == NULL || value == NULL || !is_token(key, key_size) ||
	    has_control(value, value_size)) {
		f->malformed = true;
		return MHD_YES;
	}
	if (strcasecmp(key, "Content-Length") == 0) {
		if (f->length == NULL)
			f->length = value;
		else if (!str_eq(f->length, value))
			f->lengths_differ = true;
	} else if (strcasecmp(key, "Transfer-Encoding") == 0) {
		if (strcasecmp(value, "chunked") == 0 && !f->chunked)
			f->chunked = true;
		else
			f->other_coding = true;
	}
	return MHD_YES;
}

/* The status a request's framing earns, 0 when it is fine. */
static unsigned
framing_status(struct req *rq)
{
	struct framing f = { 0 };

	MHD_get_connection_values_n(rq->conn, MHD_HEADER_KIND, framing_header,
	    &f);
	if (f.malformed || f.lengths_differ ||
	    (f.length != NULL && (f.chunked || f.other_coding)))
		return 400;
	return f.other_coding ? 501 : 0;
}

unsigned
guard_status(struct req *rq, size_t path_max)
{
	size_t n = strlen(rq->path);

	if (n > path_max)
		return 414;
	if (!utf8_clean_text(rq->path, n, false))
		return 400;
	return framing_status(rq);
}

bool
guard_refused(struct req *rq, size_t path_max)
{
	unsigned status = guard_status(rq, path_max);

	if (status == 0)
		return false;
	if (str_starts(rq->path, "/rest/")) {
		rq->cat = app_catalogs(rq->app);
		rq->lang = i18n_negotiate(req_header(rq, "Accept-Language"));
		api_error(rq, status, "api_err_bad_request", NULL);
	} else {
		/* The page needs the viewer's language: a failure here still
		 * leaves web_fail its plain answer. */
		web_begin(rq);
		web_fail(rq, status, ZEK_INVALID);
	}
	return true;
}
