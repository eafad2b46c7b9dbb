/* sqlite_match.c: the user's search words and status codes as FTS5 query text. */
#include "store/sqlite_match.h"

#include <stdbool.h>
#include <string.h>

#include "lib/buf.h"
#include "store/search_words.h"

/* One user word as an FTS5 string: "..." with " doubled, so no operator,
 * quote, bracket, column filter or NEAR in the input can mean anything but
 * text; a prefix gets its '*' (search_words.c says which words are). */
static void
put_word(struct buf *b, const struct search_word *w)
{
	buf_putc(b, '"');
	for (size_t k = 0; k < w->len; k++) {
		if (w->s[k] == '"')
			buf_putc(b, '"');
		buf_putc(b, w->s[k]);
	}
	buf_putc(b, '"');
	if (w->prefix)
		buf_putc(b, '*');
}

enum zek_rc
match_put_terms(struct buf *b, const char *terms, size_t terms_max,
    size_t words_max, size_t *nwords)
{
	struct search_reader r;
	struct search_word w;
	enum zek_rc rc;

	*nwords = 0;
	rc = search_words_start(&r, terms, terms_max, words_max);
	if (rc != ZEK_OK)
		return rc;
	buf_puts(b, "({issue_key title description} : (");
	while (search_words_next(&r, &w)) {
		if (*nwords > 0)
			buf_putc(b, ' ');
		put_word(b, &w);
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
		if ((*code >= 'a' && *code <= 'z') ||
		    (*code >= '0' && *code <= '9'))
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
