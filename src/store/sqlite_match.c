/* sqlite_match.c: the user's search words and status codes as FTS5 query text. */
#include "store/sqlite_match.h"

#include <stdbool.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "lib/buf.h"
#include "lib/utf8.h"

#define PREFIX_CHARS_MAX 12     /* the longest prefix index (0007) */
#define SPACE " \t\r\n\f\v"

/* Whether the code point is part of a word for the unicode61 tokenizer
 * (letters, numbers, private use); everything else separates words. */
static bool
is_word_char(UChar32 ch)
{
	return (U_GET_GC_MASK(ch) & (U_GC_L_MASK | U_GC_N_MASK | U_GC_CO_MASK))
	    != 0;
}

/*
 * One user word as an FTS5 string: "..." with " doubled, so no operator,
 * quote, bracket, column filter or NEAR in the input can mean anything but
 * text. Words without a word character would be an empty phrase, which
 * matches nothing: they are skipped (*added false). A word ending in a
 * letter becomes a prefix query ("stör" finds "Störungsmeldung"); one
 * ending in a digit does not ("ZEK-12" is not ZEK-120), nor a single
 * character (too costly: there is no one-character prefix index). A
 * prefix longer than the longest prefix index (0007_list_walk.sql) is cut
 * to PREFIX_CHARS_MAX characters: without its own index FTS5 would merge
 * every hit of every word that starts so before handing out the first.
 */
static void
put_word(struct buf *b, const char *w, size_t len, bool *added)
{
	UChar32 ch, last = 0;
	size_t nword = 0, run = 0, cut = len;
	int32_t i = 0, at;

	while (i < (int32_t)len) {
		at = i;
		U8_NEXT(w, i, (int32_t)len, ch);
		if (ch >= 0 && is_word_char(ch)) {
			nword++;
			last = ch;
			if (run == 0)
				cut = len;          /* a new token: the last one counts */
			if (run++ == PREFIX_CHARS_MAX)
				cut = (size_t)at;   /* its 13th character */
		} else {
			run = 0;
		}
	}
	*added = nword > 0;
	if (nword == 0)
		return;
	if (u_isdigit(last))
		cut = len;                  /* not a prefix: the whole token */
	buf_putc(b, '"');
	for (size_t k = 0; k < cut; k++) {
		if (w[k] == '"')
			buf_putc(b, '"');
		buf_putc(b, w[k]);
	}
	buf_putc(b, '"');
	if (nword >= 2 && !u_isdigit(last))
		buf_putc(b, '*');
}

enum zek_rc
match_put_terms(struct buf *b, const char *terms, size_t terms_max,
    size_t words_max, size_t *nwords)
{
	size_t i = 0, n = strlen(terms), start;
	bool added;

	*nwords = 0;
	if (n > terms_max || !utf8_valid(terms, n))
		return ZEK_INVALID;
	buf_puts(b, "({issue_key title description} : (");
	while (i < n && *nwords < words_max) {
		i += strspn(terms + i, SPACE);
		start = i;
		i += strcspn(terms + i, SPACE);
		if (i == start)
			break;
		if (*nwords > 0)
			buf_putc(b, ' ');
		put_word(b, terms + start, i - start, &added);
		if (added)
			(*nwords)++;
	}
	buf_puts(b, "))");
	return ZEK_OK;
}

/* A facet token for a status code: "zs" and the code's letters and digits
 * ("wartet_support" -> "zswartetsupport"). */
static enum zek_rc
put_status(struct buf *b, const char *code)
{
	if (code == NULL || code[0] == '\0')
		return ZEK_INVALID;
	buf_puts(b, "zs");
	for (; *code != '\0'; code++) {
		if ((*code >= 'a' && *code <= 'z') || (*code >= '0' && *code <= '9'))
			buf_putc(b, *code);
		else if (*code != '_')
			return ZEK_INVALID;
	}
	return ZEK_OK;
}

enum zek_rc
match_put_status_set(struct buf *b, const char *const *codes, size_t n)
{
	enum zek_rc rc = ZEK_OK;
	size_t i;

	buf_puts(b, "(facets : (");
	for (i = 0; rc == ZEK_OK && i < n; i++) {
		if (i > 0)
			buf_puts(b, " OR ");
		rc = put_status(b, codes[i]);
	}
	buf_puts(b, "))");
	return rc;
}
