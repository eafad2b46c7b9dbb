/* template.h: a set of compiled Mustache templates loaded from one folder. */
#ifndef ZEK_TEMPLATE_H
#define ZEK_TEMPLATE_H

#include <stddef.h>

#include <jansson.h>

#include "lib/buf.h"
#include "render/mustache.h"

#define TEMPLATES_MAX_FILES 4096
#define TEMPLATES_MAX_FILESIZE (1u << 20) /* bytes per template file */
#define TEMPLATES_MAX_DEPTH 8             /* subfolder levels */
#define TEMPLATES_MAX_NAME 200            /* bytes of "dir/name" */

/* Immutable after load: any number of threads may render from one set. */
struct templates;

/* Loads every *.mustache below dir (hidden files and folders skipped) and
 * compiles it. A template's name is its path below dir without the
 * extension: "layout", "portal/request". Partials and parents resolve by
 * that name within the set, and every name a template refers to must
 * exist. Returns NULL with a message in err ("file:line:col: ...", or an
 * empty message for out of memory). Reentrant: a development server may
 * load a fresh set per request. Free with templates_free. */
struct templates *templates_load(const char *dir, char *err, size_t errlen);
void templates_free(struct templates *ts);

/* The compiled template called name, or NULL. Owned by the set. */
const struct mustache *templates_get(const struct templates *ts,
    const char *name);

/* Renders template `name` with ctx (borrowed) and appends to out.
 * Returns ZEK_NOTFOUND for an unknown name, else as mustache_render. */
int templates_render(const struct templates *ts, const char *name, json_t *ctx,
    struct buf *out);

#endif
