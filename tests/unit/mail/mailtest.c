/* mailtest.c: header lookup, unfolding, RFC 2047 and quoted-printable decoding for tests. */
#include "mailtest.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const known[] = {
	"Date", "From", "To", "Reply-To", "Subject", "Message-ID", "In-Reply-To",
	"References", "MIME-Version", "Content-Language", "Auto-Submitted",
	"X-Auto-Response-Suppress", "List-Unsubscribe", "Content-Type",
	"Content-Transfer-Encoding",
};

static size_t
header_end(const char *msg)
{
	const char *e = strstr(msg, "\r\n\r\n");

	assert_non_null(e);
	return (size_t)(e - msg) + 2;
}

char *
mt_header_raw(const char *msg, const char *name)
{
	size_t end = header_end(msg), n = strlen(name), len;
	const char *p = msg, *v, *q;
	char *out;

	while ((size_t)(p - msg) < end) {
		if (strncasecmp(p, name, n) == 0 && p[n] == ':') {
			v = p + n + 1;
			while (*v == ' ')
				v++;
			/* Up to the CRLF not followed by a blank. */
			for (q = v; !(q[0] == '\r' && q[1] == '\n' &&
			    q[2] != ' ' && q[2] != '\t'); q++)
				;
			len = (size_t)(q - v);
			out = malloc(len + 1);
			memcpy(out, v, len);
			out[len] = '\0';
			return out;
		}
		p = strstr(p, "\r\n") + 2;
	}
	return NULL;
}

static int
b64val(char c)
{
	static const char tab[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const char *p = c != '\0' ? strchr(tab, c) : NULL;

	return p != NULL ? (int)(p - tab) : -1;
}

/* Decodes base64 s[0..n) onto out; returns the bytes written. */
static size_t
b64_decode(const char *s, size_t n, char *out)
{
	size_t i, o = 0;
	unsigned acc = 0;
	int bits = 0, v;

	for (i = 0; i < n && s[i] != '='; i++) {
		v = b64val(s[i]);
		assert_true(v >= 0);
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	return o;
}

char *
mt_header(const char *msg, const char *name)
{
	char *raw = mt_header_raw(msg, name), *u, *out;
	size_t i, o = 0, n, pending = 0;
	const char *w, *e;
	bool last_word = false;

	if (raw == NULL)
		return NULL;
	/* Unfold: drop each CRLF that precedes a blank. */
	n = strlen(raw);
	u = malloc(n + 1);
	for (i = 0; i < n; i++) {
		if (raw[i] == '\r' && raw[i + 1] == '\n') {
			i++;
			continue;
		}
		u[o++] = raw[i];
	}
	u[o] = '\0';
	free(raw);
	out = malloc(o + 1);
	o = 0;
	for (w = u; *w != '\0';) {
		if (strncmp(w, "=?UTF-8?B?", 10) == 0 &&
		    (e = strstr(w + 10, "?=")) != NULL) {
			/* Blanks between two encoded words are not text. */
			if (!last_word)
				o += pending;
			o += b64_decode(w + 10, (size_t)(e - w - 10), out + o);
			w = e + 2;
			pending = 0;
			last_word = true;
			continue;
		}
		if (*w == ' ' || *w == '\t') {
			/* Keep blanks until we know what follows. */
			out[o + pending++] = *w++;
			continue;
		}
		o += pending;
		pending = 0;
		last_word = false;
		out[o++] = *w++;
	}
	o += last_word ? 0 : pending;
	out[o] = '\0';
	free(u);
	return out;
}

char *
mt_qp_decode(const char *s, size_t *len)
{
	size_t n = strlen(s), i, o = 0;
	char *out = malloc(n + 1), hx[3] = "";

	for (i = 0; i < n; i++) {
		if (s[i] == '=' && s[i + 1] == '\r' && s[i + 2] == '\n') {
			i += 2;
			continue;
		}
		if (s[i] == '=') {
			assert_true(s[i + 1] != '\0' && s[i + 2] != '\0');
			hx[0] = s[i + 1];
			hx[1] = s[i + 2];
			assert_non_null(strchr("0123456789ABCDEF", hx[0]));
			assert_non_null(strchr("0123456789ABCDEF", hx[1]));
			out[o++] = (char)strtol(hx, NULL, 16);
			i += 2;
			continue;
		}
		out[o++] = s[i];
	}
	out[o] = '\0';
	*len = o;
	return out;
}

char *
mt_part(const char *msg, const char *type)
{
	char *ct = mt_header(msg, "Content-Type"), boundary[128], *body, *dec;
	const char *b, *p, *e;
	size_t len, dlen;

	assert_non_null(ct);
	if (strncmp(ct, type, strlen(type)) == 0) {
		free(ct);
		p = msg + header_end(msg) + 2;
		body = strdup(p);
		dec = mt_qp_decode(body, &dlen);
		free(body);
		/* The builder ends the body with one CRLF of its own. */
		if (dlen >= 2)
			dec[dlen - 2] = '\0';
		return dec;
	}
	b = strstr(ct, "boundary=\"");
	assert_non_null(b);
	b += 10;
	e = strchr(b, '"');
	snprintf(boundary, sizeof(boundary), "\r\n--%.*s", (int)(e - b), b);
	free(ct);
	for (p = msg; (p = strstr(p, "\r\nContent-Type: ")) != NULL; p++)
		if (strncmp(p + 16, type, strlen(type)) == 0)
			break;
	assert_non_null(p);
	p = strstr(p, "\r\n\r\n");
	assert_non_null(p);
	p += 4;
	e = strstr(p, boundary);
	assert_non_null(e);
	len = (size_t)(e - p);
	body = malloc(len + 1);
	memcpy(body, p, len);
	body[len] = '\0';
	dec = mt_qp_decode(body, &dlen);
	free(body);
	return dec;
}

void
mt_assert_lines(const char *s, size_t max)
{
	const char *line = s, *p;

	for (p = s; *p != '\0'; p++) {
		assert_true((unsigned char)*p < 128);
		if (*p == '\r') {
			assert_int_equal(p[1], '\n');
			assert_true((size_t)(p - line) <= max);
			line = p + 2;
			p++;
		} else {
			assert_int_not_equal(*p, '\n');
		}
	}
	assert_true((size_t)(p - line) <= max);
}

void
mt_assert_wellformed(const char *msg)
{
	size_t end = header_end(msg), i, n, len;
	const char *p = msg, *q;
	bool ok;

	mt_assert_lines(msg, 998);
	while ((size_t)(p - msg) < end) {
		q = strstr(p, "\r\n");
		len = (size_t)(q - p);
		if (*p == ' ' || *p == '\t') {
			assert_true(p != msg);
		} else {
			ok = false;
			for (i = 0; i < sizeof(known) / sizeof(*known); i++) {
				n = strlen(known[i]);
				if (strncmp(p, known[i], n) == 0 && p[n] == ':')
					ok = true;
			}
			if (!ok)
				fail_msg("unexpected header line: %.*s", (int)len, p);
		}
		if (memmem(p, len, "=?UTF-8?B?", 10) != NULL)
			assert_true(len <= 76);
		p = q + 2;
	}
}
