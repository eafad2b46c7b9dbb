/* objects.c: the object catalogue: search, listing, CSV import. */
#include "core/objects.h"

#include <errno.h>
#include <string.h>

#include "core/internal.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "store/store.h"

#define CSV_FIELD_MAX 1024 /* bytes of one CSV field */
#define LIST_MAX 100000    /* objects in one listing */

bool
core_object_kind_valid(const char *kind)
{
	return str_eq(kind, "mandant") || str_eq(kind, "online_dienst");
}

static enum zek_rc
convert(struct zctx *ctx, struct store_object *so, size_t n,
    struct object **out, size_t *nout)
{
	struct object *o;
	size_t i;

	o = arena_calloc(ctx->arena, n > 0 ? n : 1, sizeof(*o));
	if (o == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < n; i++)
		o[i] = (struct object){ so[i].id, so[i].kind, so[i].name };
	*out = o;
	*nout = n;
	return ZEK_OK;
}

enum zek_rc
core_objects_search(struct zctx *ctx, const char *kind, const char *query,
    size_t limit, struct object **out, size_t *n)
{
	struct store_object *so;
	enum zek_rc rc;
	size_t ns;

	if (!core_object_kind_valid(kind))
		return ZEK_INVALID;
	if (query != NULL &&
	    (strlen(query) > 4 * OBJECT_NAME_MAX ||
	        !utf8_valid(query, strlen(query))))
		return ZEK_INVALID;
	if (limit == 0 || limit > OBJECTS_SEARCH_MAX)
		limit = OBJECTS_SEARCH_MAX;
	rc = store_objects_search(ctx->db, ctx->arena, kind, query, false,
	    limit, 0, &so, &ns);
	if (rc != ZEK_OK)
		return rc;
	return convert(ctx, so, ns, out, n);
}

enum zek_rc
core_objects_list(struct zctx *ctx, const char *kind, struct object **out,
    size_t *n)
{
	struct store_object *so;
	enum zek_rc rc;
	size_t ns;

	if (!core_object_kind_valid(kind))
		return ZEK_INVALID;
	rc = store_objects_search(ctx->db, ctx->arena, kind, NULL, false,
	    LIST_MAX, 0, &so, &ns);
	if (rc != ZEK_OK)
		return rc;
	return convert(ctx, so, ns, out, n);
}

enum zek_rc
core_object_get(struct zctx *ctx, int64_t id, struct object **out)
{
	struct store_object *so;
	enum zek_rc rc;
	size_t n;

	rc = store_object_get(ctx->db, ctx->arena, id, &so);
	if (rc != ZEK_OK)
		return rc;
	return convert(ctx, so, 1, out, &n);
}

enum zek_rc
core_object_get_str(struct zctx *ctx, const char *id, const char *kind,
    struct object **out)
{
	struct object *o;
	enum zek_rc rc;
	int64_t v;

	if (str_to_i64(id, 1, INT64_MAX, &v) != 0)
		return ZEK_NOTFOUND;
	rc = core_object_get(ctx, v, &o);
	if (rc != ZEK_OK)
		return rc;
	if (kind != NULL && !str_eq(o->kind, kind))
		return ZEK_NOTFOUND;
	*out = o;
	return ZEK_OK;
}

/* ---- CSV ---- */

struct csv {
	const char *p, *end;
	int64_t line; /* current line, 1-based */
	char fields[2][CSV_FIELD_MAX + 1];
	size_t nfields;
};

/* Reads one record of at most two fields. 1 = record, 0 = end, -1 = bad. */
static int
csv_record(struct csv *c)
{
	size_t len = 0;
	bool quoted = false, any = false;
	char ch;

	c->nfields = 0;
	if (c->p >= c->end)
		return 0;
	for (;;) {
		if (c->p >= c->end ||
		    (!quoted &&
		        (*c->p == '\n' || *c->p == '\r' || *c->p == ','))) {
			if (quoted)
				return -1;
			if (c->nfields == 2)
				return -1;
			c->fields[c->nfields][len] = '\0';
			c->nfields++;
			len = 0;
			any = false;
			if (c->p >= c->end)
				return 1;
			ch = *c->p++;
			if (ch == ',')
				continue;
			if (ch == '\r' && c->p < c->end && *c->p == '\n')
				c->p++;
			c->line++;
			return 1;
		}
		ch = *c->p++;
		if (quoted) {
			if (ch == '"') {
				if (c->p < c->end && *c->p == '"') {
					c->p++;
				} else {
					quoted = false;
					continue;
				}
			} else if (ch == '\n') {
				c->line++;
			}
		} else if (ch == '"') {
			if (any)
				return -1; /* a quote inside an unquoted field */
			quoted = true;
			any = true;
			continue;
		}
		any = true;
		if (len == CSV_FIELD_MAX)
			return -1;
		c->fields[c->nfields < 2 ? c->nfields : 1][len++] = ch;
	}
}

static const char *
csv_kind(const char *s)
{
	if (str_caseeq(s, "Mandant"))
		return "mandant";
	if (str_caseeq(s, "Online-Dienst") || str_caseeq(s, "online_dienst") ||
	    str_caseeq(s, "Online-Dienste"))
		return "online_dienst";
	return NULL;
}

static enum zek_rc
import_records(struct zctx *ctx, struct csv *c, int64_t *added,
    int64_t *bad_line)
{
	struct store_object *known;
	const char *kind;
	enum zek_rc rc;
	int64_t start;
	bool created;
	char *name;
	int r;

	*bad_line = c->line;
	r = csv_record(c);
	if (r != 1 || c->nfields != 2 ||
	    !str_caseeq(str_trim(c->fields[0]), "kind") ||
	    !str_caseeq(str_trim(c->fields[1]), "name"))
		return ZEK_INVALID;
	for (;;) {
		start = c->line;
		*bad_line = start;
		r = csv_record(c);
		if (r == 0)
			return ZEK_OK;
		if (r < 0)
			return ZEK_INVALID;
		if (c->nfields == 1 && str_empty(str_trim(c->fields[0])))
			continue; /* a blank line */
		if (c->nfields != 2)
			return ZEK_INVALID;
		kind = csv_kind(str_trim(c->fields[0]));
		name = str_trim(c->fields[1]);
		if (kind == NULL || *name == '\0' ||
		    !utf8_clean_text(name, strlen(name), false) ||
		    utf8_length(name, strlen(name)) > OBJECT_NAME_MAX)
			return ZEK_INVALID;
		/* A name there already in another case is the same entry. */
		rc = store_object_by_name(ctx->db, ctx->arena, kind, name,
		    &known);
		if (rc == ZEK_OK)
			continue;
		if (rc != ZEK_NOTFOUND)
			return rc;
		rc = store_object_ensure(ctx->db, kind, name, NULL, &created);
		if (rc != ZEK_OK)
			return rc;
		if (created)
			(*added)++;
	}
}

enum zek_rc
core_import_objects_text(struct zctx *ctx, const char *text, size_t len,
    int64_t *added, int64_t *line_out)
{
	struct csv *c;
	enum zek_rc rc;
	int64_t n = 0, bad = 0;

	if (len > OBJECTS_CSV_MAX)
		return ZEK_TOOBIG;
	if (!utf8_valid(text, len))
		return ZEK_INVALID;
	c = arena_calloc(ctx->arena, 1, sizeof(*c));
	if (c == NULL)
		return ZEK_NOMEM;
	c->p = text;
	c->end = text + len;
	c->line = 1;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		c->p += 3; /* spreadsheet programs write a byte-order mark */
	rc = import_records(ctx, c, &n, &bad);
	if (rc == ZEK_INVALID && line_out != NULL)
		*line_out = bad;
	if (rc == ZEK_OK && added != NULL)
		*added = n;
	return rc;
}

enum zek_rc
core_import_objects_csv(struct zctx *ctx, FILE *fp, int64_t *added,
    int64_t *line_out)
{
	char chunk[8192];
	struct buf b;
	enum zek_rc rc;
	size_t n;

	buf_init(&b, OBJECTS_CSV_MAX);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_append(&b, chunk, n);
	if (ferror(fp))
		rc = ZEK_IO;
	else if (b.failed)
		rc = b.failed == ZEK_TOOBIG ? ZEK_TOOBIG : ZEK_NOMEM;
	else
		rc = store_begin(ctx->db);
	if (rc == ZEK_OK)
		rc = store_finish(ctx->db,
		    core_import_objects_text(ctx, b.data != NULL ? b.data : "",
		        b.len, added, line_out));
	buf_free(&b);
	return rc;
}

enum zek_rc
core_import_objects_csv_path(struct zctx *ctx, const char *path, int64_t *added,
    int64_t *line_out)
{
	enum zek_rc rc;
	FILE *fp;

	fp = fopen(path, "rb");
	if (fp == NULL) {
		log_error("core", "cannot read the objects file",
		    LOG_FIELDS(LOG_S("path", path),
		        LOG_S("error", strerror(errno))));
		return ZEK_IO;
	}
	rc = core_import_objects_csv(ctx, fp, added, line_out);
	fclose(fp);
	return rc;
}
