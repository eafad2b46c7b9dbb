/* mime.h: building RFC 5322 / MIME messages: encoded headers, quoted-printable bodies. */
#ifndef ZEK_MAIL_MIME_H
#define ZEK_MAIL_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/buf.h"

#define MIME_LINE_MAX 76 /* encoded body lines and folded headers */

struct mime_addr {
	const char *name; /* display name, any UTF-8 text; NULL/"" = none */
	const char *addr; /* "anna@example.org": checked, never encoded */
};

/* One message: multipart/alternative with a text and an HTML part (or
 * text alone when html is NULL). Every text is UTF-8 and may come from
 * users: header texts lose control characters (CR and LF become spaces,
 * so nothing can start a new header) and are RFC 2047-encoded when they
 * are not plain ASCII. */
struct mime_msg {
	struct mime_addr from;
	struct mime_addr to;
	struct mime_addr reply_to; /* addr NULL = no Reply-To */
	const char *subject;
	const char *message_id;       /* "<left@right>", checked */
	const char *in_reply_to;      /* "<...>" or NULL; also the References */
	int64_t date_ms;              /* Date, UTC ms */
	const char *list_unsubscribe; /* an http(s) URL or NULL */
	const char *lang;             /* Content-Language, "de"/"en" or NULL */
	const char *text; /* plain text body, LF or CRLF line ends */
	const char *html; /* an HTML document, or NULL */
};

/* Appends the whole message (headers, CRLF line ends, 7-bit clean) to out.
 * Returns ZEK_OK; ZEK_INVALID for an address or Message-ID that is not
 * plain, or a URL with characters that would need quoting; ZEK_TOOBIG or
 * ZEK_NOMEM from the buffer. */
int mime_build(const struct mime_msg *m, struct buf *out);

/* True for a plain "local@domain" address: printable ASCII without
 * space, quotes, angle brackets, parentheses, comma, semicolon, colon or
 * backslash; one @; both sides non-empty; at most 254 bytes. */
bool mime_addr_valid(const char *addr);

/* True for "<left@right>" with the same characters as an address. */
bool mime_msgid_valid(const char *id);

/* Appends "Name: value\r\n" for unstructured text (Subject): control
 * characters become spaces; plain ASCII is folded at spaces to keep lines
 * short, anything else becomes RFC 2047 "B" encoded words of at most 75
 * characters, each on its own folded line, never split inside a UTF-8
 * character. */
int mime_header_text(struct buf *out, const char *name, const char *text);

/* Appends "Name: phrase <addr>\r\n"; the phrase is quoted or encoded as
 * needed. ZEK_INVALID for a bad address. */
int mime_header_addr(struct buf *out, const char *name,
    const struct mime_addr *a);

/* Appends s[0..n) quoted-printable encoded (RFC 2045), lines of at most
 * MIME_LINE_MAX characters, LF or CRLF in the input become CRLF. */
int mime_qp(struct buf *out, const char *s, size_t n);

/* The RFC 5322 date of ms in UTC: "Tue, 03 Mar 2026 14:05:09 +0000". */
int mime_date(int64_t ms, char *out, size_t n);

#endif
