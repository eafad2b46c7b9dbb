/* html.h: output escapers, one per HTML context. */
#ifndef ZEK_HTML_H
#define ZEK_HTML_H

#include <stddef.h>

#include <jansson.h>

#include "lib/buf.h"

/* Each appends s[0..len) to b, escaped for one context, and returns 0 or
 * the buf error (ZEK_TOOBIG, ZEK_NOMEM). NUL bytes never reach the
 * output: text and attribute escapers write U+FFFD instead. */

/* Element content: & < > " ' become entities. Also safe inside a quoted
 * attribute value. This is what Mustache's {{x}} uses. */
int html_escape_text(struct buf *b, const char *s, size_t len);

/* Quoted attribute value: as text, plus ` and = (harmless in quoted
 * values, and they keep a forgotten quote from opening a new attribute). */
int html_escape_attr(struct buf *b, const char *s, size_t len);

/* One URL component (path segment or query value): every byte except the
 * unreserved set A-Z a-z 0-9 - . _ ~ is percent-encoded. The result still
 * needs html_escape_attr if the whole URL goes into an attribute; it holds
 * no character that escaper would change. */
int html_escape_url(struct buf *b, const char *s, size_t len);

/* v (borrowed) serialised as compact JSON that is safe inside
 * <script type="application/json">: < > & are written as \u003c \u003e
 * \u0026 and U+2028/U+2029 as \u2028/\u2029, so the data can neither close
 * the script element nor start a comment. Any JSON type is accepted. */
int html_escape_json(struct buf *b, const json_t *v);

#endif
