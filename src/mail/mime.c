/* mime.c: RFC 5322 messages with RFC 2047 headers and quoted-printable MIME parts. */
#include "mail/mime.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lib/str.h"
#include "lib/zek.h"

#define ADDR_MAX 254
#define HEADER_TEXT_MAX 2048 /* bytes of one header's text after cleaning */
#define WORD_OVERHEAD 12     /* "=?UTF-8?B?" + "?=" */
#define FOLD_AT 78           /* fold plain headers before this column */

static const char
    b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* ---- checks ---- */

/* Characters allowed in addresses and Message-IDs: RFC 5322 atext and '.'. */
static bool
is_atext(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

static bool
dot_atoms(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (i = 0; i < n; i++) {
		if (s[i] == '.' && s[i + 1] == '.')
			return false;
		if (s[i] != '.' && !is_atext((unsigned char)s[i]))
			return false;
	}
	return true;
}

bool
mime_addr_valid(const char *addr)
{
	const char *at;
	size_t n;

	if (addr == NULL)
		return false;
	n = strlen(addr);
	at = strchr(addr, '@');
	if (n == 0 || n > ADDR_MAX || at == NULL || strchr(at + 1, '@') != NULL)
		return false;
	return dot_atoms(addr, (size_t)(at - addr)) &&
	    dot_atoms(at + 1, strlen(at + 1));
}

bool
mime_msgid_valid(const char *id)
{
	char inner[ADDR_MAX + 1];
	size_t n;

	if (id == NULL)
		return false;
	n = strlen(id);
	if (n < 5 || n - 2 > ADDR_MAX || id[0] != '<' || id[n - 1] != '>')
		return false;
	memcpy(inner, id + 1, n - 2);
	inner[n - 2] = '\0';
	return mime_addr_valid(inner);
}

/* An http(s) URL that needs no quoting inside <...>. */
static bool
url_plain(const char *u)
{
	const char *p;

	if (u == NULL ||
	    !(str_starts(u, "http://") || str_starts(u, "https://")))
		return false;
	for (p = u; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 127 || *p == '<' || *p == '>' ||
		    *p == '"')
			return false;
	return p - u < 900;
}

/* ---- header text ---- */

/* Length of the UTF-8 sequence at s (1..4), 0 when it is not valid. */
static size_t
utf8_seq(const unsigned char *s)
{
	size_t n, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* Copies s into dst (size n): control characters (CR and LF among them)
 * and runs of white space become one space, broken UTF-8 becomes '?',
 * both ends are trimmed, and the text is cut at a character boundary. */
static void
clean_text(const char *s, char *dst, size_t n)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");
	size_t o = 0, k;
	bool space = true; /* drops leading white space */

	while (*p != '\0') {
		k = utf8_seq(p);
		if (k == 0) {
			if (o + 1 >= n)
				break;
			dst[o++] = '?';
			space = false;
			p++;
			continue;
		}
		/* C0 and C1 controls and blanks: one space for the run. */
		if ((k == 1 && (*p < 0x20 || *p == 0x7f || *p == ' ')) ||
		    (k == 2 && p[0] == 0xc2 && p[1] < 0xa0)) {
			if (!space && o + 1 < n) {
				dst[o++] = ' ';
				space = true;
			}
			p += k;
			continue;
		}
		if (o + k >= n)
			break;
		memcpy(dst + o, p, k);
		o += k;
		p += k;
		space = false;
	}
	while (o > 0 && dst[o - 1] == ' ')
		o--;
	dst[o] = '\0';
}

static bool
is_ascii_plain(const char *s)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e)
			return false;
	/* Text that looks like an encoded word would be decoded by readers. */
	return strstr(s, "=?") == NULL;
}

static void
b64_encode(struct buf *out, const unsigned char *s, size_t n)
{
	char q[4];
	size_t i;

	for (i = 0; i + 2 < n; i += 3) {
		q[0] = b64[s[i] >> 2];
		q[1] = b64[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
		q[2] = b64[((s[i + 1] & 15) << 2) | (s[i + 2] >> 6)];
		q[3] = b64[s[i + 2] & 63];
		buf_append(out, q, 4);
	}
	if (i < n) {
		q[0] = b64[s[i] >> 2];
		if (i + 1 < n) {
			q[1] = b64[((s[i] & 3) << 4) | (s[i + 1] >> 4)];
			q[2] = b64[(s[i + 1] & 15) << 2];
		} else {
			q[1] = b64[(s[i] & 3) << 4];
			q[2] = '=';
		}
		q[3] = '=';
		buf_append(out, q, 4);
	}
}

/* Writes s as encoded words, each on its own line, every line at most
 * MIME_LINE_MAX columns; `col` is the column after the header name. */
static void
encode_words(struct buf *out, const char *s, size_t col)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, take, k, room;

	while (i < n) {
		if (i > 0) {
			buf_puts(out, "\r\n ");
			col = 1;
		}
		/* Bytes that fit: 3 per 4 base64 characters. */
		room = col + WORD_OVERHEAD + 4 <= MIME_LINE_MAX ?
		    (MIME_LINE_MAX - col - WORD_OVERHEAD) / 4 * 3 :
		    3;
		take = 0;
		while (i + take < n) {
			k = utf8_seq(p + i + take);
			if (k == 0)
				k = 1;
			if (take + k > room)
				break;
			take += k;
		}
		if (take == 0) {
			/* Never split a character, even past the line limit. */
			take = utf8_seq(p + i);
			take = take == 0 ? 1 : take;
		}
		buf_puts(out, "=?UTF-8?B?");
		b64_encode(out, p + i, take);
		buf_puts(out, "?=");
		i += take;
	}
}

/* Writes plain ASCII words, folding before FOLD_AT where a space allows. */
static void
fold_plain(struct buf *out, const char *s, size_t col)
{
	const char *w = s, *e;
	size_t len;
	bool first = true;

	while (*w != '\0') {
		e = strchr(w, ' ');
		len = e != NULL ? (size_t)(e - w) : strlen(w);
		if (!first && col + 1 + len > FOLD_AT) {
			buf_puts(out, "\r\n");
			col = 0;
		}
		if (!first) {
			buf_putc(out, ' ');
			col++;
		}
		buf_append(out, w, len);
		col += len;
		first = false;
		w += len;
		if (*w == ' ')
			w++;
	}
}

int
mime_header_text(struct buf *out, const char *name, const char *text)
{
	char clean[HEADER_TEXT_MAX];
	size_t col = strlen(name) + 2;

	clean_text(text, clean, sizeof(clean));
	buf_puts(out, name);
	buf_puts(out, ": ");
	if (is_ascii_plain(clean))
		fold_plain(out, clean, col);
	else
		encode_words(out, clean, col);
	buf_puts(out, "\r\n");
	return out->failed;
}

/* A display name that may stand as it is: atext words and spaces. */
static bool
phrase_atoms(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s != ' ' && !is_atext((unsigned char)*s))
			return false;
	return true;
}

int
mime_header_addr(struct buf *out, const char *name, const struct mime_addr *a)
{
	char clean[HEADER_TEXT_MAX];
	const char *p;

	if (!mime_addr_valid(a->addr))
		return ZEK_INVALID;
	clean_text(a->name, clean, sizeof(clean));
	buf_puts(out, name);
	buf_puts(out, ": ");
	if (clean[0] == '\0') {
		buf_puts(out, a->addr);
	} else if (is_ascii_plain(clean) && phrase_atoms(clean)) {
		buf_printf(out, "%s <%s>", clean, a->addr);
	} else if (is_ascii_plain(clean)) {
		/* Specials such as "," or "." need a quoted string. */
		buf_putc(out, '"');
		for (p = clean; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				buf_putc(out, '\\');
			buf_putc(out, *p);
		}
		buf_printf(out, "\" <%s>", a->addr);
	} else {
		encode_words(out, clean, strlen(name) + 2);
		buf_printf(out, "\r\n <%s>", a->addr);
	}
	buf_puts(out, "\r\n");
	return out->failed;
}

/* ---- bodies ---- */

static bool
line_ends_at(const char *s, size_t n, size_t i)
{
	return i >= n || s[i] == '\n' ||
	    (s[i] == '\r' && i + 1 < n && s[i + 1] == '\n');
}

int
mime_qp(struct buf *out, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, col = 0, tl;
	unsigned char c;
	char tok[3];

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '\r' && i + 1 < n && s[i + 1] == '\n')
			continue;
		if (c == '\n') {
			buf_puts(out, "\r\n");
			col = 0;
			continue;
		}
		/* Literal: printable ASCII except '=', and blanks that do not
		 * end a line (trailing blanks may be stripped in transit). A
		 * line starting "From " is mangled by mbox, so its F is
		 * encoded. */
		if (((c >= 33 && c <= 126 && c != '=') ||
		        ((c == ' ' || c == '\t') &&
		            !line_ends_at(s, n, i + 1))) &&
		    !(col == 0 && c == 'F' && n - i >= 5 &&
		        memcmp(s + i, "From ", 5) == 0)) {
			tok[0] = (char)c;
			tl = 1;
		} else {
			tok[0] = '=';
			tok[1] = hex[c >> 4];
			tok[2] = hex[c & 15];
			tl = 3;
		}
		/* Keep room for the soft break "=" on every line. */
		if (col + tl > MIME_LINE_MAX - 1) {
			buf_puts(out, "=\r\n");
			col = 0;
		}
		buf_append(out, tok, tl);
		col += tl;
	}
	return out->failed;
}

int
mime_date(int64_t ms, char *out, size_t n)
{
	static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu",
		"Fri", "Sat" };
	static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May",
		"Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	int w;

	if (gmtime_r(&t, &tm) == NULL)
		return ZEK_INVALID;
	/* By hand: strftime's names follow the locale. */
	w = snprintf(out, n, "%s, %02d %s %04d %02d:%02d:%02d +0000",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
	return w < 0 || (size_t)w >= n ? ZEK_TOOBIG : ZEK_OK;
}

/* A boundary derived from the Message-ID, so rendering twice gives the
 * same bytes. "=_" never occurs in quoted-printable output. */
static void
boundary_of(const char *message_id, char *out, size_t n)
{
	unsigned char h[12];
	char hex[2 * sizeof(h) + 1];

	crypto_generichash(h, sizeof(h), (const unsigned char *)message_id,
	    strlen(message_id), NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), h, sizeof(h));
	snprintf(out, n, "=_zek_%s", hex);
}

static void
part(struct buf *out, const char *boundary, const char *type, const char *body)
{
	buf_printf(out, "--%s\r\n", boundary);
	buf_printf(out,
	    "Content-Type: %s; charset=utf-8\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n",
	    type);
	mime_qp(out, body, strlen(body));
	buf_puts(out, "\r\n");
}

int
mime_build(const struct mime_msg *m, struct buf *out)
{
	char date[64], boundary[64];
	int rc;

	if (!mime_msgid_valid(m->message_id) ||
	    (m->in_reply_to != NULL && !mime_msgid_valid(m->in_reply_to)))
		return ZEK_INVALID;
	rc = mime_date(m->date_ms, date, sizeof(date));
	if (rc != ZEK_OK)
		return rc;
	buf_printf(out, "Date: %s\r\n", date);
	rc = mime_header_addr(out, "From", &m->from);
	if (rc == ZEK_OK)
		rc = mime_header_addr(out, "To", &m->to);
	if (rc == ZEK_OK && m->reply_to.addr != NULL)
		rc = mime_header_addr(out, "Reply-To", &m->reply_to);
	if (rc != ZEK_OK)
		return rc;
	mime_header_text(out, "Subject", m->subject);
	buf_printf(out, "Message-ID: %s\r\n", m->message_id);
	/* The thread's root itself refers to nothing. */
	if (m->in_reply_to != NULL && !str_eq(m->in_reply_to, m->message_id))
		buf_printf(out, "In-Reply-To: %s\r\nReferences: %s\r\n",
		    m->in_reply_to, m->in_reply_to);
	buf_puts(out, "MIME-Version: 1.0\r\n");
	if (str_eq(m->lang, "de") || str_eq(m->lang, "en"))
		buf_printf(out, "Content-Language: %s\r\n", m->lang);
	/* RFC 3834: no vacation replies or bounces to a robot. */
	buf_puts(out,
	    "Auto-Submitted: auto-generated\r\n"
	    "X-Auto-Response-Suppress: All\r\n");
	if (url_plain(m->list_unsubscribe))
		buf_printf(out, "List-Unsubscribe: <%s>\r\n",
		    m->list_unsubscribe);
	if (m->html == NULL) {
		buf_puts(out,
		    "Content-Type: text/plain; charset=utf-8\r\n"
		    "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
		mime_qp(out, m->text, strlen(m->text));
		buf_puts(out, "\r\n");
		return out->failed;
	}
	boundary_of(m->message_id, boundary, sizeof(boundary));
	buf_printf(out,
	    "Content-Type: multipart/alternative;\r\n"
	    " boundary=\"%s\"\r\n\r\n",
	    boundary);
	part(out, boundary, "text/plain", m->text);
	part(out, boundary, "text/html", m->html);
	buf_printf(out, "--%s--\r\n", boundary);
	return out->failed;
}
