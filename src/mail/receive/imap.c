/* imap.c: one pass over an IMAP mailbox: search, fetch, store and process, then mark. */
#include "mail/receive/imap.h"

#include <curl/curl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "core/ctx.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/str.h"
#include "mail/receive/receive.h"
#include "mail/smtp.h" /* smtp_global_init: libcurl's start */

#define URL_MAX 600
#define FOLDER_MAX 200
#define SEARCH_MAX (64u << 10) /* enough for IMAP_BATCH UIDs */
#define CONNECT_TIMEOUT_MS 30000L
#define STALL_SECONDS 60L /* a fetch slower than 1 B/s this long */

/* One pass's connection: libcurl keeps it open (and the mailbox
 * selected) from one transfer to the next on the same handle. */
struct imap_session {
	CURL *h;
	const struct config *cfg;
	char base[URL_MAX]; /* "imap://host/INBOX" */
	char err[CURL_ERROR_SIZE];
	bool warned_keywords;
};

static bool
url_char_ok(char c)
{
	return c > ' ' && c < 0x7f && c != ';' && c != '?' && c != '#' &&
	    c != '"' && c != '\\';
}

bool
imap_url_valid(const char *url)
{
	const char *host, *end, *at, *colon;
	size_t i, n = url != NULL ? strlen(url) : 0;

	if (n == 0 || n >= URL_MAX - 32)
		return false;
	if (str_starts(url, "imap://"))
		host = url + 7;
	else if (str_starts(url, "imaps://"))
		host = url + 8;
	else
		return false;
	for (i = 0; i < n; i++)
		if (!url_char_ok(url[i]))
			return false;
	end = strchr(host, '/');
	if (end == NULL)
		end = url + n;
	if (end == host)
		return false;
	/* "user:password@host" would put the password into the settings
	 * people paste into tickets. */
	at = memchr(host, '@', (size_t)(end - host));
	colon = memchr(host, ':', (size_t)(end - host));
	return at == NULL || colon == NULL || colon > at;
}

bool
imap_folder_valid(const char *name)
{
	size_t i, n = strlen(name);

	if (n > FOLDER_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (name[i] < ' ' || name[i] >= 0x7f || name[i] == '"' ||
		    name[i] == '\\' || name[i] == '*' || name[i] == '%')
			return false;
	return true;
}

/* imap_url without a trailing slash, INBOX when it names no mailbox. */
static void
base_url(const char *url, char *out, size_t n)
{
	const char *host = strstr(url, "://") + 3;
	const char *path = strchr(host, '/');
	size_t len;

	str_lcpy(out, url, n);
	len = strlen(out);
	while (len > 0 && out[len - 1] == '/')
		out[--len] = '\0';
	if (path == NULL || path[strspn(path, "/")] == '\0')
		snprintf(out + len, n - len, "/INBOX");
}

static size_t
on_discard(char *p, size_t size, size_t nmemb, void *ud)
{
	(void)p;
	(void)ud;
	return size * nmemb;
}

/* The untagged answers of a command ("* SEARCH 4 7 9"), up to a bound:
 * past it only the first UIDs matter. */
static size_t
on_answer(char *p, size_t size, size_t nmemb, void *ud)
{
	struct buf *b = ud;
	size_t n = size * nmemb, room = b->max - b->len;

	(void)buf_append(b, p, n < room ? n : room);
	return n;
}

static size_t
on_message(char *p, size_t size, size_t nmemb, void *ud)
{
	size_t n = size * nmemb;

	return receive_reader_add(ud, p, n) == ZEK_OK ? n : 0;
}

static enum zek_rc
session_open(struct imap_session *s, const struct config *cfg)
{
	*s = (struct imap_session){ .cfg = cfg };
	if (smtp_global_init() != ZEK_OK)
		return ZEK_IO;
	s->h = curl_easy_init();
	if (s->h == NULL)
		return ZEK_NOMEM;
	base_url(cfg->imap_url, s->base, sizeof(s->base));
	/* Refuse anything but IMAP, whatever the URL says. */
	curl_easy_setopt(s->h, CURLOPT_PROTOCOLS_STR, "imap,imaps");
	curl_easy_setopt(s->h, CURLOPT_USE_SSL, (long)CURLUSESSL_TRY);
	if (!str_empty(cfg->imap_user)) {
		curl_easy_setopt(s->h, CURLOPT_USERNAME, cfg->imap_user);
		curl_easy_setopt(s->h, CURLOPT_PASSWORD, cfg->imap_password);
	}
	curl_easy_setopt(s->h, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
	curl_easy_setopt(s->h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(s->h, CURLOPT_LOW_SPEED_TIME, STALL_SECONDS);
	curl_easy_setopt(s->h, CURLOPT_ERRORBUFFER, s->err);
	curl_easy_setopt(s->h, CURLOPT_NOSIGNAL, 1L);
	return ZEK_OK;
}

static void
session_close(struct imap_session *s)
{
	curl_easy_cleanup(s->h);
}

/* Logs what the server or libcurl said; the URL and the password are not
 * part of it. */
static enum zek_rc
failed(struct imap_session *s, const char *what, CURLcode cc)
{
	log_error("mail", "imap failed",
	    LOG_FIELDS(LOG_S("step", what),
	        LOG_S("error",
	            s->err[0] != '\0' ? s->err : curl_easy_strerror(cc))));
	return ZEK_IO;
}

/* A command on the mailbox (libcurl selects it first); its untagged
 * answers go to `answer` unless NULL. */
static CURLcode
command(struct imap_session *s, const char *cmd, struct buf *answer)
{
	s->err[0] = '\0';
	curl_easy_setopt(s->h, CURLOPT_URL, s->base);
	curl_easy_setopt(s->h, CURLOPT_CUSTOMREQUEST, cmd);
	curl_easy_setopt(s->h, CURLOPT_WRITEFUNCTION,
	    answer != NULL ? on_answer : on_discard);
	curl_easy_setopt(s->h, CURLOPT_WRITEDATA, answer);
	return curl_easy_perform(s->h);
}

/* Reads the UIDs of "* SEARCH 3 5 8" into uids; *more when there were
 * more than fit. */
static size_t
parse_search(const char *text, uint32_t *uids, size_t max, bool *more)
{
	const char *p = text;
	size_t n = 0;
	uint64_t v;

	*more = false;
	while (!str_starts(p, "* SEARCH")) {
		p = strchr(p, '\n');
		if (p == NULL)
			return 0;
		p++;
	}
	p += 8;
	for (;;) {
		while (*p == ' ')
			p++;
		if (*p < '0' || *p > '9')
			break;
		if (n == max) {
			*more = true;
			break;
		}
		for (v = 0; *p >= '0' && *p <= '9' && v <= UINT32_MAX; p++)
			v = v * 10 + (uint64_t)(*p - '0');
		if (v > 0 && v <= UINT32_MAX)
			uids[n++] = (uint32_t)v;
	}
	return n;
}

/* The messages not received yet, oldest first as the server lists them. */
static enum zek_rc
search_new(struct imap_session *s, uint32_t *uids, size_t *n, bool *more)
{
	struct buf answer;
	enum zek_rc rc = ZEK_OK;
	CURLcode cc;

	buf_init(&answer, SEARCH_MAX);
	cc = command(s, "UID SEARCH NOT DELETED UNKEYWORD " IMAP_KEYWORD,
	    &answer);
	if (cc != CURLE_OK)
		rc = failed(s, "searching the mailbox", cc);
	else if (answer.failed == ZEK_NOMEM)
		rc = ZEK_NOMEM;
	else
		*n = parse_search(answer.data != NULL ? answer.data : "", uids,
		    IMAP_BATCH, more);
	buf_free(&answer);
	return rc;
}

/* The whole message `uid` into r; libcurl fetches "BODY[]". */
static enum zek_rc
fetch(struct imap_session *s, uint32_t uid, struct receive_reader *r)
{
	char url[URL_MAX + 32];
	CURLcode cc;

	snprintf(url, sizeof(url), "%s/;UID=%u", s->base, (unsigned)uid);
	s->err[0] = '\0';
	curl_easy_setopt(s->h, CURLOPT_URL, url);
	curl_easy_setopt(s->h, CURLOPT_CUSTOMREQUEST, NULL);
	curl_easy_setopt(s->h, CURLOPT_WRITEFUNCTION, on_message);
	curl_easy_setopt(s->h, CURLOPT_WRITEDATA, r);
	cc = curl_easy_perform(s->h);
	if (cc == CURLE_WRITE_ERROR)
		return ZEK_NOMEM;
	return cc == CURLE_OK ? ZEK_OK : failed(s, "fetching a message", cc);
}

/* Marks a stored message, then moves it to the done folder. A server
 * that keeps no keywords gets \Seen only: then only the done folder keeps
 * a message from being fetched again (and the pipeline from doing it
 * twice), so say so once. */
static enum zek_rc
mark_received(struct imap_session *s, uint32_t uid)
{
	char cmd[FOLDER_MAX + 64];
	CURLcode cc;

	snprintf(cmd, sizeof(cmd), "UID STORE %u +FLAGS.SILENT (\\Seen %s)",
	    (unsigned)uid, IMAP_KEYWORD);
	cc = command(s, cmd, NULL);
	if (cc == CURLE_QUOTE_ERROR) {
		snprintf(cmd, sizeof(cmd),
		    "UID STORE %u +FLAGS.SILENT (\\Seen)", (unsigned)uid);
		cc = command(s, cmd, NULL);
		if (cc == CURLE_OK && !s->warned_keywords &&
		    str_empty(s->cfg->imap_done_folder))
			fputs("zek: imap: the server keeps no keywords; set "
			      "imap_done_folder, or every message is fetched "
			      "again on every pass\n",
			    stderr);
		s->warned_keywords = true;
	}
	if (cc != CURLE_OK)
		return failed(s, "marking a message", cc);
	if (str_empty(s->cfg->imap_done_folder))
		return ZEK_OK;
	snprintf(cmd, sizeof(cmd), "UID MOVE %u \"%s\"", (unsigned)uid,
	    s->cfg->imap_done_folder);
	cc = command(s, cmd, NULL);
	return cc == CURLE_OK ? ZEK_OK :
	                        failed(s,
	                            "moving a message to "
	                            "imap_done_folder",
	                            cc);
}

static void
count(struct imap_stats *st, const struct inbound_result *res)
{
	st->fetched++;
	if (res->duplicate)
		st->before++;
	else if (strcmp(res->state, INBOUND_QUARANTINED) == 0)
		st->quarantined++;
	else if (strcmp(res->state, INBOUND_IGNORED) == 0)
		st->ignored++;
	else if (res->comment_id != 0)
		st->comments++;
	else
		st->requests++;
}

/* Fetches, stores and processes one message, each with a context of its
 * own (a message may be 25 MiB), then marks it. */
static enum zek_rc
receive_one(struct imap_session *s, struct core *core, uint32_t uid,
    struct imap_stats *st)
{
	struct arena *a = arena_new(0);
	struct receive_reader r;
	struct inbound_result res;
	struct inbound_raw raw;
	struct zctx ctx;
	enum zek_rc rc;

	if (a == NULL)
		return ZEK_NOMEM;
	receive_reader_init(&r, s->cfg);
	rc = fetch(s, uid, &r);
	if (rc == ZEK_OK)
		rc = receive_reader_finish(&r, a, &raw);
	if (rc == ZEK_INVALID) {
		st->gone++; /* expunged since the search */
		rc = ZEK_OK;
		goto out;
	}
	if (rc == ZEK_OK)
		rc = core_ctx_init(core, a, &ctx);
	if (rc == ZEK_OK)
		rc = mail_receive(core, &ctx, &raw, &res);
	if (rc == ZEK_OK) {
		count(st, &res);
		rc = mark_received(s, uid);
	}
out:
	receive_reader_free(&r);
	arena_free(a);
	return rc;
}

/* A missing done folder is made once per pass; "already exists" is what
 * the server answers on every later pass, so the answer is not looked at:
 * a real problem shows when the first message is moved. */
static void
make_done_folder(struct imap_session *s)
{
	char cmd[FOLDER_MAX + 16];

	if (str_empty(s->cfg->imap_done_folder))
		return;
	snprintf(cmd, sizeof(cmd), "CREATE \"%s\"", s->cfg->imap_done_folder);
	(void)command(s, cmd, NULL);
}

enum zek_rc
imap_fetch_run(struct core *core, const struct config *cfg,
    struct imap_stats *st, bool *more)
{
	uint32_t uids[IMAP_BATCH];
	struct imap_session s;
	enum zek_rc rc;
	size_t i, n = 0;

	*more = false;
	if (str_empty(cfg->imap_url))
		return ZEK_OK;
	rc = session_open(&s, cfg);
	if (rc == ZEK_OK)
		rc = search_new(&s, uids, &n, more);
	if (rc == ZEK_OK && n > 0)
		make_done_folder(&s);
	for (i = 0; rc == ZEK_OK && i < n; i++)
		rc = receive_one(&s, core, uids[i], st);
	if (rc != ZEK_OK)
		*more = false;
	session_close(&s);
	return rc;
}
