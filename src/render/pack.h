/* pack.h: builds template context values with json_pack's format, faster.
 *
 * jansson's json_pack checks every key and every string for UTF-8 with a
 * call per byte and parses its format with a general tokenizer: a third of
 * the time a request page spends building its context. ctx_pack takes the
 * same format for the subset the web pages use and gives the same value or
 * NULL, without checking keys (literals in our code) and with one quick
 * pass over each string:
 *
 *   { }  [ ]   object, array; spaces, ':' and ',' between items are skipped
 *   s    const char *, must be valid UTF-8 without NUL (NULL: failure)
 *   s?   as s, NULL gives null
 *   s%   const char *, size_t length
 *   b    int, true or false       i  int       I  json_int_t
 *   o    json_t *, reference taken (NULL: failure); o? NULL gives null
 *   O    json_t *, reference added;                  O? NULL gives null
 *
 * As with json_pack, the references of every "o" are taken even when the
 * call fails, and an unknown letter fails. */
#ifndef ZEK_RENDER_PACK_H
#define ZEK_RENDER_PACK_H

#include <jansson.h>

json_t *ctx_pack(const char *fmt, ...);

#endif
