/* catalogue.c: what list pages share: desk and type names for rows, and a
 * search term cut to size. */
#include <string.h>

#include "core/internal.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "store/store.h"

enum zek_rc
core_catalogue_load(struct zctx *ctx, struct core_catalogue *cat)
{
	struct store_reqtype *t;
	size_t i, j, nt, cap = 0;
	enum zek_rc rc;

	*cat = (struct core_catalogue){ 0 };
	rc = store_desks_list(ctx->db, ctx->arena, &cat->desks, &cat->ndesks);
	for (i = 0; rc == ZEK_OK && i < cat->ndesks; i++) {
		rc = store_reqtypes_by_desk(ctx->db, ctx->arena,
		    cat->desks[i].id, &t, &nt);
		for (j = 0; rc == ZEK_OK && j < nt; j++) {
			cat->types = core_grow(ctx, cat->types, cat->ntypes,
			    &cap, sizeof(*cat->types));
			if (cat->types == NULL)
				return ZEK_NOMEM;
			cat->types[cat->ntypes++] = t[j];
		}
	}
	return rc;
}

const struct store_desk *
core_catalogue_desk(const struct core_catalogue *cat, int64_t id)
{
	for (size_t i = 0; i < cat->ndesks; i++)
		if (cat->desks[i].id == id)
			return &cat->desks[i];
	return NULL;
}

const struct store_reqtype *
core_catalogue_type(const struct core_catalogue *cat, int64_t id)
{
	for (size_t i = 0; i < cat->ntypes; i++)
		if (cat->types[i].id == id)
			return &cat->types[i];
	return NULL;
}

enum zek_rc
core_search_text(struct zctx *ctx, const char *s, size_t max, const char **out)
{
	size_t i, n, cps = 0;
	char *t;

	*out = NULL;
	if (s == NULL)
		return ZEK_OK;
	n = strlen(s);
	if (!utf8_valid(s, n))
		return ZEK_INVALID;
	t = arena_strdup(ctx->arena, s);
	if (t == NULL)
		return ZEK_NOMEM;
	for (i = 0; t[i] != '\0'; i++) {
		/* A code point starts at every byte that is not 10xxxxxx. */
		if (((unsigned char)t[i] & 0xC0) != 0x80 && ++cps > max) {
			t[i] = '\0';
			break;
		}
	}
	str_trim(t);
	if (t[0] != '\0')
		*out = t;
	return ZEK_OK;
}
