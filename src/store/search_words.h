/* search_words.h: the user's search text as words, read the same way for
 * every backend (sqlite_match.c writes them as FTS5 strings, pg_search.c
 * as a PostgreSQL text search query), so both find the same requests.
 * Private to src/store/. */
#ifndef ZEK_STORE_SEARCH_WORDS_H
#define ZEK_STORE_SEARCH_WORDS_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/zek.h"

/* One usable word: bytes of the user's text, never ASCII white space. */
struct search_word {
	const char *s; /* into the terms; not NUL-terminated */
	size_t len;    /* cut to the prefix looked up, if long */
	bool prefix;   /* its last token is a prefix */
};

/* Reads the words of a search text one by one. */
struct search_reader {
	const char *terms;
	size_t n, i;              /* length of terms; where reading stands */
	size_t words_max, nwords; /* words handed out so far */
};

/* Starts reading `terms` (at most terms_max bytes of UTF-8; ZEK_INVALID
 * for longer text or text that is not UTF-8). At most words_max words are
 * handed out; more are ignored. */
enum zek_rc search_words_start(struct search_reader *r, const char *terms,
    size_t terms_max, size_t words_max);

/*
 * The next usable word into *w; false when there is none. Words are split
 * at ASCII white space; a word without any letter or digit is skipped
 * (it could match nothing). Within a word, letters, numbers and private
 * use characters make tokens and everything else separates them, as for
 * FTS5's unicode61 tokenizer, so "ZEK-12" is the phrase zek 12. A word
 * ending in a letter has a prefix as its last token, cut to
 * SEARCH_PREFIX_CHARS_MAX characters; one ending in a digit, or of a
 * single character, is matched whole.
 */
bool search_words_next(struct search_reader *r, struct search_word *w);

#define SEARCH_PREFIX_CHARS_MAX 12 /* SQLite's longest prefix index (0007) */

/* Whether the status codes are exactly the four open statuses, which
 * SQLite's index holds as one facet token (zgopen): such a queue is
 * searched without looking at the codes, on either backend. */
bool search_statuses_all_open(const char *const *codes, size_t n);

#endif
