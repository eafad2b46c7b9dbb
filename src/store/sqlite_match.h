/* sqlite_match.h: pieces of FTS5 queries over request_search built from the
 * user's words and status codes. Private to src/store/sqlite*.c (the
 * request list and the agents' queues read words the same way). */
#ifndef ZEK_STORE_SQLITE_MATCH_H
#define ZEK_STORE_SQLITE_MATCH_H

#include <stddef.h>

#include "lib/zek.h"

struct buf;

#define MATCH_MAX 8192 /* bytes of one FTS5 query */

/* "({issue_key title description} : (w1 w2 ...))": every word of `terms`
 * (at most terms_max bytes of UTF-8) required, up to words_max of them;
 * *nwords = how many were usable (0: the query matches nothing).
 * ZEK_INVALID for text that is too long or not UTF-8. */
enum zek_rc match_put_terms(struct buf *b, const char *terms, size_t terms_max,
    size_t words_max, size_t *nwords);

/* "(facets : (zsA OR zsB ...))" for status codes (0002_search.sql);
 * ZEK_INVALID for an empty code or one with other characters than
 * a-z, 0-9 and '_'. */
enum zek_rc match_put_status_set(struct buf *b, const char *const *codes,
    size_t n);

#endif
