/* smtp.h: hands one finished message to an SMTP server (libcurl). */
#ifndef ZEK_MAIL_SMTP_H
#define ZEK_MAIL_SMTP_H

#include <stddef.h>

#include "lib/zek.h"

struct config;

enum smtp_result {
	SMTP_SENT,     /* the server took it (250 after DATA) */
	SMTP_TEMPFAIL, /* try again later: no connection, timeout,
	                  4xx, TLS or login problems */
	SMTP_PERMFAIL  /* the server refused this message (5xx on
	                  MAIL FROM, RCPT TO or DATA) */
};

struct smtp_outcome {
	enum smtp_result result;
	long code;      /* last SMTP reply code, 0 = none */
	char text[256]; /* what went wrong: the server's last reply
	                   line, or libcurl's message; printable
	                   ASCII, never the password */
};

/* Starts libcurl once per process (safe to call from any thread, any
 * number of times). Returns ZEK_OK or ZEK_IO. */
enum zek_rc smtp_global_init(void);

/* Sends msg[0..len) (CRLF lines; libcurl dot-stuffs it) from `from` to
 * `to` over cfg->smtp_url, with STARTTLS as cfg->smtp_starttls says, the
 * login cfg->smtp_user / smtp_password when a user is set, and the whole
 * conversation bounded by cfg->smtp_timeout_ms. One connection per call.
 * The outcome is in *out. Returns ZEK_OK when an outcome was reached (even
 * a failure), ZEK_INVALID when smtp_url is empty, ZEK_NOMEM. */
enum zek_rc smtp_send(const struct config *cfg, const char *from,
    const char *to, const char *msg, size_t len, struct smtp_outcome *out);

#endif
