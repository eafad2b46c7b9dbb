/* mustache.h: a Mustache engine over jansson values (spec v1.4 core + inheritance). */
#ifndef ZEK_MUSTACHE_H
#define ZEK_MUSTACHE_H

#include <stddef.h>

#include <jansson.h>

#include "lib/buf.h"

#define MUSTACHE_MAX_SOURCE (16u << 20) /* bytes of template source */
#define MUSTACHE_MAX_NESTING \
	100 /* open sections/blocks/parents in one source */
#define MUSTACHE_MAX_PARTIALS 64 /* nested partial and parent expansions */
#define MUSTACHE_MAX_DEPTH \
	256 /* nested sections, partials and blocks while rendering */
/* Nodes and list items visited in one render. Sections nested over lists
 * cost the product of the list lengths even when they write nothing, so
 * the output limit alone does not bound the time. */
#define MUSTACHE_MAX_STEPS (1ul << 20)

/* A compiled template. It owns a copy of everything it needs, so the
 * source may be freed after compiling. It is never changed by rendering:
 * any number of threads may render one template at once. */
struct mustache;

/* Compiles src[0..len). On error returns NULL and writes a message with
 * "line:column" into err (if errlen > 0); a NULL return with an empty
 * message means out of memory. */
struct mustache *mustache_compile(const char *src, size_t len, char *err,
    size_t errlen);
void mustache_free(struct mustache *t);

/* Resolves a partial or parent name ({{>name}}, {{<name}}) to a compiled
 * template that stays valid during the render, or NULL if there is none
 * (it then renders as the empty string, as the spec asks). Called while
 * rendering, possibly from several threads at once. */
typedef const struct mustache *(
    *mustache_partial_fn)(void *ud, const char *name);

/* Renders t against ctx (borrowed; NULL acts as an empty object) and
 * appends to out, which limits the size. fn may be NULL (no partials).
 * {{x}} is escaped with html_escape_text; {{{x}}} and {{&x}} are not.
 * Returns ZEK_OK; ZEK_TOOBIG when out's maximum, MUSTACHE_MAX_PARTIALS,
 * MUSTACHE_MAX_DEPTH or MUSTACHE_MAX_STEPS is hit (runaway recursion or
 * nesting); ZEK_NOMEM. After an error out holds partial output that must
 * not be sent. */
int mustache_render(const struct mustache *t, json_t *ctx,
    mustache_partial_fn fn, void *ud, struct buf *out);

/* The names of partials and parents t refers to, in source order and
 * possibly repeated, so a loader can check that all of them exist. */
size_t mustache_partial_count(const struct mustache *t);
const char *mustache_partial_name(const struct mustache *t, size_t i);

#endif
