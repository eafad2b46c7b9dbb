/* search_words.c: the user's search text as words (search_words.h). */
#include "store/search_words.h"

#include <stdint.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "lib/utf8.h"

#define SPACE " \t\r\n\f\v"

/* Whether the code point is part of a word for the unicode61 tokenizer
 * (letters, numbers, private use); everything else separates words. */
static bool
is_word_char(UChar32 ch)
{
	return (U_GET_GC_MASK(ch) &
	           (U_GC_L_MASK | U_GC_N_MASK | U_GC_CO_MASK)) != 0;
}

enum zek_rc
search_words_start(struct search_reader *r, const char *terms, size_t terms_max,
    size_t words_max)
{
	size_t n = strlen(terms);

	*r = (struct search_reader){ .terms = terms,
		.n = n,
		.words_max = words_max };
	if (n > terms_max || !utf8_valid(terms, n))
		return ZEK_INVALID;
	return ZEK_OK;
}

/*
 * How the word w[0..len) is looked up: *added false when it has no word
 * character. A word ending in a letter becomes a prefix query ("stör"
 * finds "Störungsmeldung"); one ending in a digit does not ("ZEK-12" is
 * not ZEK-120), nor a single character (too costly: SQLite has no
 * one-character prefix index). A prefix longer than SQLite's longest
 * prefix index (0007_list_walk.sql) is cut to SEARCH_PREFIX_CHARS_MAX
 * characters: without its own index FTS5 would merge every hit of every
 * word that starts so before handing out the first. PostgreSQL cuts the
 * same, so that both find the same requests.
 */
static void
read_word(const char *w, size_t len, struct search_word *out, bool *added)
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
			/* A new token: the last one counts. */
			if (run == 0)
				cut = len;
			if (run++ == SEARCH_PREFIX_CHARS_MAX)
				cut = (size_t)at; /* its 13th character */
		} else {
			run = 0;
		}
	}
	*added = nword > 0;
	if (u_isdigit(last))
		cut = len; /* not a prefix: the whole token */
	*out = (struct search_word){ .s = w,
		.len = cut,
		.prefix = nword >= 2 && !u_isdigit(last) };
}

bool
search_words_next(struct search_reader *r, struct search_word *w)
{
	size_t start;
	bool added;

	while (r->i < r->n && r->nwords < r->words_max) {
		r->i += strspn(r->terms + r->i, SPACE);
		start = r->i;
		r->i += strcspn(r->terms + r->i, SPACE);
		if (r->i == start)
			break;
		read_word(r->terms + start, r->i - start, w, &added);
		if (added) {
			r->nwords++;
			return true;
		}
	}
	return false;
}

bool
search_statuses_all_open(const char *const *codes, size_t n)
{
	static const char *const open[] = { "offen", "wartet_support",
		"in_bearbeitung", "wartet_kunde" };
	size_t i, j, found = 0;

	if (n != ZEK_ARRAY_LEN(open))
		return false;
	for (i = 0; i < ZEK_ARRAY_LEN(open); i++)
		for (j = 0; j < n; j++)
			if (codes[j] != NULL &&
			    strcmp(codes[j], open[i]) == 0) {
				found++;
				break;
			}
	return found == ZEK_ARRAY_LEN(open);
}
