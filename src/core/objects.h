/* objects.h: the object catalogue (Mandanten, Online-Dienste). */
#ifndef ZEK_CORE_OBJECTS_H
#define ZEK_CORE_OBJECTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/ctx.h"

#define OBJECTS_SEARCH_MAX 50 /* results per search */
#define OBJECT_NAME_MAX 255   /* code points */

struct object {
	int64_t id;
	const char *kind; /* "mandant" | "online_dienst" */
	const char *name;
};

/* True for "mandant" and "online_dienst". */
bool core_object_kind_valid(const char *kind);
/* Objects of `kind` whose name contains `query` without regard to case
 * (NULL or "" = all), ordered by name, at most `limit` (capped at
 * OBJECTS_SEARCH_MAX; 0 = that cap). ZEK_INVALID for an unknown kind. */
enum zek_rc core_objects_search(struct zctx *ctx, const char *kind,
    const char *query, size_t limit, struct object **out, size_t *n);
/* Every object of `kind`, ordered by name. */
enum zek_rc core_objects_list(struct zctx *ctx, const char *kind,
    struct object **out, size_t *n);
/* One object. ZEK_NOTFOUND if none. */
enum zek_rc core_object_get(struct zctx *ctx, int64_t id, struct object **out);
/* Parses "12" into an id and loads it; ZEK_NOTFOUND for a bad or unknown
 * id or (kind != NULL) another kind. */
enum zek_rc core_object_get_str(struct zctx *ctx, const char *id,
    const char *kind, struct object **out);

/* The most a catalogue CSV may have: a catalogue, not a data dump. */
#define OBJECTS_CSV_MAX (16u << 20)

/* Imports a CSV with the header "kind,name" (kind "Mandant" or
 * "Online-Dienst"; also "mandant"/"online_dienst"), RFC 4180 quoting, UTF-8.
 * Existing (kind, name) pairs, in any case, are skipped, so importing
 * twice changes nothing. All or nothing: one transaction. *added (may be NULL) = new
 * objects. ZEK_INVALID with *line_out (may be NULL) set to the bad line. */
enum zek_rc core_import_objects_csv(struct zctx *ctx, FILE *fp, int64_t *added,
    int64_t *line_out);
/* The same for CSV text in memory (an upload), within the caller's
 * transaction (which it must roll back on an error); ZEK_TOOBIG past the
 * limit core_import_objects_csv reads. */
enum zek_rc core_import_objects_text(struct zctx *ctx, const char *text,
    size_t len, int64_t *added, int64_t *line_out);
enum zek_rc core_import_objects_csv_path(struct zctx *ctx, const char *path,
    int64_t *added, int64_t *line_out);

#endif
