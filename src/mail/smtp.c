/* smtp.c: one message to one recipient over SMTP with libcurl, and what the server said. */
#include "mail/smtp.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "lib/str.h"

#define ENVELOPE_MAX 300 /* "<" address ">" */

struct upload {
	const char *p;
	size_t left;
	bool started; /* the server asked for the message (354) */
};

struct replies {
	char last[256]; /* last 4xx/5xx reply line, cleaned (not
	                   the "221 Bye" that follows it) */
};

static CURLcode global_rc = CURLE_FAILED_INIT;

static void
global_init_once(void)
{
	global_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

enum zek_rc
smtp_global_init(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, global_init_once);
	return global_rc == CURLE_OK ? ZEK_OK : ZEK_IO;
}

static size_t
on_read(char *dst, size_t size, size_t nmemb, void *ud)
{
	struct upload *u = ud;
	size_t n = size * nmemb;

	u->started = true;
	if (n > u->left)
		n = u->left;
	memcpy(dst, u->p, n);
	u->p += n;
	u->left -= n;
	return n;
}

/* Copies text into dst as printable ASCII (anything else becomes '?'),
 * without the line end. */
static void
clean_copy(char *dst, size_t n, const char *s, size_t len)
{
	size_t i, o = 0;

	while (len > 0 && (s[len - 1] == '\r' || s[len - 1] == '\n'))
		len--;
	for (i = 0; i < len && o + 1 < n; i++)
		dst[o++] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	dst[o] = '\0';
}

/* libcurl hands every server reply line of SMTP to the header callback;
 * the last refusal is what a failure is about. */
static size_t
on_reply(char *line, size_t size, size_t nmemb, void *ud)
{
	struct replies *r = ud;
	size_t n = size * nmemb;

	if (n >= 3 && (line[0] == '4' || line[0] == '5'))
		clean_copy(r->last, sizeof(r->last), line, n);
	return n;
}

static long
use_ssl(int mode)
{
	switch (mode) {
	case CONFIG_TLS_OFF:
		return (long)CURLUSESSL_NONE;
	case CONFIG_TLS_REQUIRED:
		return (long)CURLUSESSL_ALL;
	default:
		return (long)CURLUSESSL_TRY;
	}
}

/* Only a 5xx answer to this message (MAIL FROM, RCPT TO, DATA or the
 * message itself) is final. Greeting, TLS and login problems concern the
 * server or our settings, not this mail: those are retried, so fixing the
 * configuration lets every waiting mail go out. */
static enum smtp_result
classify(CURLcode cc, long code, const struct upload *u)
{
	if (cc == CURLE_OK)
		return SMTP_SENT;
	if (code >= 500 && code < 600 &&
	    (cc == CURLE_SEND_ERROR ||
	        (cc == CURLE_WEIRD_SERVER_REPLY && u->started)))
		return SMTP_PERMFAIL;
	return SMTP_TEMPFAIL;
}

enum zek_rc
smtp_send(const struct config *cfg, const char *from, const char *to,
    const char *msg, size_t len, struct smtp_outcome *out)
{
	char errbuf[CURL_ERROR_SIZE] = "", env_from[ENVELOPE_MAX],
	     env_to[ENVELOPE_MAX];
	struct upload up = { .p = msg, .left = len };
	struct replies rep = { .last = "" };
	struct curl_slist *rcpt = NULL;
	enum zek_rc rc = ZEK_OK;
	const char *why;
	CURLcode cc;
	CURL *h = NULL;
	long code = 0;

	*out = (struct smtp_outcome){ .result = SMTP_TEMPFAIL };
	if (str_empty(cfg->smtp_url))
		return ZEK_INVALID;
	if (smtp_global_init() != ZEK_OK) {
		str_lcpy(out->text, "libcurl failed to start",
		    sizeof(out->text));
		return ZEK_OK;
	}
	snprintf(env_from, sizeof(env_from), "<%s>", from);
	snprintf(env_to, sizeof(env_to), "<%s>", to);
	h = curl_easy_init();
	rcpt = curl_slist_append(NULL, env_to);
	if (h == NULL || rcpt == NULL) {
		rc = ZEK_NOMEM;
		goto out;
	}
	curl_easy_setopt(h, CURLOPT_URL, cfg->smtp_url);
	/* Refuse anything but SMTP, whatever the URL says. */
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(h, CURLOPT_USE_SSL, use_ssl(cfg->smtp_starttls));
	if (!str_empty(cfg->smtp_user)) {
		curl_easy_setopt(h, CURLOPT_USERNAME, cfg->smtp_user);
		curl_easy_setopt(h, CURLOPT_PASSWORD,
		    cfg->smtp_password != NULL ? cfg->smtp_password : "");
	}
	curl_easy_setopt(h, CURLOPT_MAIL_FROM, env_from);
	curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(h, CURLOPT_READDATA, &up);
	curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_reply);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &rep);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)cfg->smtp_timeout_ms);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	cc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
	out->code = code;
	out->result = classify(cc, code, &up);
	if (out->result != SMTP_SENT) {
		if (rep.last[0] != '\0' && code >= 400)
			str_lcpy(out->text, rep.last, sizeof(out->text));
		else {
			why = errbuf[0] != '\0' ? errbuf :
			                          curl_easy_strerror(cc);
			clean_copy(out->text, sizeof(out->text), why,
			    strlen(why));
		}
	}
out:
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(h);
	return rc;
}
