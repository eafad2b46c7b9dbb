/* text.h: catalog texts in one request's language, for pages and API alike. */
#ifndef ZEK_HTTP_TEXT_H
#define ZEK_HTTP_TEXT_H

#include <stddef.h>

#include "http/http.h"

/* The catalog text of key with its {placeholders} filled in (names[i] by
 * values[i], NULL counting as ""), in the arena; the text as it stands
 * when that fails. http_fmt1: one placeholder. */
const char *http_fmt(struct req *rq, const char *key, const char *const *names,
    const char *const *values, size_t n);
const char *http_fmt1(struct req *rq, const char *key, const char *name,
    const char *value);

/* A size in the request's language ("12 KB", "3,4 MB"). */
const char *http_size_text(struct req *rq, size_t bytes);
struct field_error;
/* The text of an error core found, with {max}, {min} and {name} filled
 * in (sizes of files as "10 MB"). */
const char *http_error_text(struct req *rq, const struct field_error *e);

#endif
