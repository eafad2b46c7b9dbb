/* utf8.c: strict UTF-8 validation (RFC 3629). */
#include "utf8.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/ustring.h>

#include "lib/arena.h"

/* Decodes one code point at s[i]; returns its length, or 0 when malformed. */
static size_t
utf8_decode(const unsigned char *s, size_t n, size_t i, unsigned long *cp)
{
	unsigned char c = s[i];
	size_t len, k;
	unsigned long v, min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xE0) == 0xC0) {
		len = 2;
		v = c & 0x1F;
		min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		len = 3;
		v = c & 0x0F;
		min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		len = 4;
		v = c & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n - i < len)
		return 0;
	for (k = 1; k < len; k++) {
		if ((s[i + k] & 0xC0) != 0x80)
			return 0;
		v = (v << 6) | (s[i + k] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return len;
}

/* Bytes from s on that are ASCII and not NUL, counted 8 at a time (a
 * rest under 8 is left to the decoder): most text is mostly ASCII. */
static size_t
ascii_run(const unsigned char *s, size_t n)
{
	const uint64_t high = 0x8080808080808080ull,
	               ones = 0x0101010101010101ull;
	size_t i = 0;
	uint64_t w;

	while (n - i >= 8) {
		memcpy(&w, s + i, 8);
		if ((w & high) != 0 || ((w - ones) & ~w & high) != 0)
			break;
		i += 8;
	}
	return i;
}

static bool
utf8_check(const char *str, size_t n, int mode)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned long cp;
	size_t i = 0, len;

	while (i < n) {
		if (mode == 0 && s[i] < 0x80) {
			i += ascii_run(s + i, n - i);
			if (i == n)
				break;
		}
		len = utf8_decode(s, n, i, &cp);
		if (len == 0 || cp == 0)
			return false;
		if (mode > 0 &&
		    (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0))) {
			bool nl = cp == '\n' || cp == '\r';
			if (!(cp == '\t' || (nl && mode == 2)))
				return false;
		}
		i += len;
	}
	return true;
}

bool
utf8_valid(const char *s, size_t n)
{
	return utf8_check(s, n, 0);
}

bool
utf8_clean_text(const char *s, size_t n, bool allow_newlines)
{
	return utf8_check(s, n, allow_newlines ? 2 : 1);
}

size_t
utf8_length(const char *s, size_t n)
{
	size_t i, count = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			count++;
	return count;
}

char *
utf8_fold(const char *s)
{
	UChar u[UTF8_FOLD_MAX], f[UTF8_FOLD_MAX];
	UErrorCode err = U_ZERO_ERROR;
	int32_t ulen, flen, olen;
	char *out;

	if (s == NULL)
		return NULL;
	u_strFromUTF8(u, UTF8_FOLD_MAX, &ulen, s, -1, &err);
	if (U_FAILURE(err) || ulen >= UTF8_FOLD_MAX)
		return NULL;
	flen = u_strFoldCase(f, UTF8_FOLD_MAX, u, ulen, U_FOLD_CASE_DEFAULT,
	    &err);
	if (U_FAILURE(err) || flen >= UTF8_FOLD_MAX)
		return NULL;
	u_strToUTF8(NULL, 0, &olen, f, flen, &err);
	if (err != U_BUFFER_OVERFLOW_ERROR && U_FAILURE(err))
		return NULL;
	err = U_ZERO_ERROR;
	out = malloc((size_t)olen + 1);
	if (out == NULL)
		return NULL;
	u_strToUTF8(out, olen + 1, NULL, f, flen, &err);
	if (U_FAILURE(err)) {
		free(out);
		return NULL;
	}
	return out;
}

char *
utf8_fold_in(struct arena *a, const char *s)
{
	char *f = utf8_fold(s), *out;

	if (f == NULL)
		return NULL;
	out = arena_strdup(a, f);
	free(f);
	return out;
}
