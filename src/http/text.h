/* text.h: catalog texts in one request's language, for pages and API alike. */
#ifndef ZEK_HTTP_TEXT_H
#define ZEK_HTTP_TEXT_H

#include <stddef.h>

#include "http/http.h"

/* The catalog text of key with its {placeholders} filled in (names[i] by
 * values[i], NULL counting as ""), in the arena; the text as it stands
 * when that fails. http_fmt1: one placeholder. */
const char *http_fmt(struct req *rq, const char *key,
    const char *const *names, const char *const *values, size_t n);
const char *http_fmt1(struct req *rq, const char *key, const char *name,
    const char *value);

#endif
