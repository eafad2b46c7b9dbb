/* portal.c: the help center: portals, their groups and request types. */
#include "core/portal.h"

#include <inttypes.h>
#include <string.h>

#include "core/internal.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "store/store.h"

enum zek_rc
core_portals_list(struct zctx *ctx, const struct user *user,
    struct portal_summary **out, size_t *n)
{
	struct portal_summary *p;
	struct store_desk *d;
	enum zek_rc rc;
	size_t i, nd;

	rc = store_desks_list(ctx->db, ctx->arena, &d, &nd);
	if (rc != ZEK_OK)
		return rc;
	p = arena_calloc(ctx->arena, nd > 0 ? nd : 1, sizeof(*p));
	if (p == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < nd; i++)
		p[i] = (struct portal_summary){
			.id = d[i].portal_id,
			.desk_id = d[i].id,
			.project_key = d[i].project_key,
			.name = d[i].name,
			.description = d[i].description,
		};
	*out = p;
	*n = nd;
	return ZEK_OK;
}

enum zek_rc
core_portal_get(struct zctx *ctx, const struct user *user, int64_t portal_id,
    const char *lang, struct portal **out)
{
	struct store_reqtype *st;
	struct store_group *sg;
	struct store_desk *d;
	struct portal_group *g;
	struct portal *p;
	enum zek_rc rc;
	size_t i, j, ng, nt;

	lang = core_lang(lang);
	rc = store_desk_by_portal(ctx->db, ctx->arena, portal_id, &d);
	if (rc == ZEK_OK)
		rc = store_groups_by_desk(ctx->db, ctx->arena, d->id, &sg, &ng);
	if (rc == ZEK_OK)
		rc = store_reqtypes_by_desk(ctx->db, ctx->arena, d->id, &st,
		    &nt);
	if (rc != ZEK_OK)
		return rc;
	p = arena_calloc(ctx->arena, 1, sizeof(*p));
	if (p == NULL)
		return ZEK_NOMEM;
	*p = (struct portal){
		.id = d->portal_id,
		.desk_id = d->id,
		.project_key = d->project_key,
		.name = d->name,
		.description = d->description,
		.ngroups = ng,
	};
	p->groups = arena_calloc(ctx->arena, ng > 0 ? ng : 1, sizeof(*g));
	if (p->groups == NULL)
		return ZEK_NOMEM;
	/* Hidden types are not offered; their group stays, as one that
	 * holds no type for these customers ("ODIS") does. */
	for (i = 0; i < ng; i++) {
		g = &p->groups[i];
		*g = (struct portal_group){ .id = sg[i].id,
			.name = core_pick(lang, sg[i].name_de, sg[i].name_en) };
		g->types = arena_calloc(ctx->arena, nt > 0 ? nt : 1,
		    sizeof(*g->types));
		if (g->types == NULL)
			return ZEK_NOMEM;
		for (j = 0; j < nt; j++) {
			if (st[j].group_id != g->id || st[j].hidden)
				continue;
			g->types[g->ntypes++] = (struct portal_reqtype){
				.id = st[j].id,
				.name = core_pick(lang, st[j].name_de,
				    st[j].name_en),
				.description = core_pick(lang,
				    st[j].description_de, st[j].description_en),
				.icon = st[j].icon,
			};
		}
	}
	*out = p;
	return ZEK_OK;
}

/* ---- the help center's search ---- */

#define SEARCH_WORDS_MAX 16

/* A byte of a word: letters and digits of ASCII, and every byte of a
 * character beyond it. */
static bool
word_byte(char c)
{
	return (unsigned char)c >= 0x80 || (c >= '0' && c <= '9') ||
	    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* s in the search's spelling: case folded, and ä, ö, ü as a, o, u, so
 * that "storung" finds "Störung" too. NULL: no memory or not UTF-8. */
static char *
search_fold(struct zctx *ctx, const char *s)
{
	char *f = utf8_fold_in(ctx->arena, s), *r, *w;

	for (r = w = f; f != NULL && *r != '\0';) {
		unsigned char b = (unsigned char)r[1];

		if ((unsigned char)r[0] == 0xC3 &&
		    (b == 0xA4 || b == 0xB6 || b == 0xBC)) {
			*w++ = b == 0xA4 ? 'a' : b == 0xB6 ? 'o' : 'u';
			r += 2;
		} else {
			*w++ = *r++;
		}
	}
	if (f != NULL)
		*w = '\0';
	return f;
}

/* Whether one of text's words starts with `word`. */
static bool
has_word_start(const char *text, const char *word, size_t len)
{
	size_t i;

	for (i = 0; text[i] != '\0'; i++)
		if ((i == 0 || !word_byte(text[i - 1])) &&
		    strncmp(text + i, word, len) == 0)
			return true;
	return false;
}

/* The words of a folded query (cut in place), at most SEARCH_WORDS_MAX. */
static size_t
query_words(char *q, const char **words)
{
	size_t n = 0;

	while (*q != '\0' && n < SEARCH_WORDS_MAX) {
		while (*q != '\0' && !word_byte(*q))
			q++;
		if (*q == '\0')
			break;
		words[n++] = q;
		while (word_byte(*q))
			q++;
		if (*q != '\0')
			*q++ = '\0';
	}
	return n;
}

static bool
type_matches(struct zctx *ctx, const struct portal_reqtype *t,
    const char *const *words, size_t nwords)
{
	const char *text = search_fold(ctx,
	    arena_printf(ctx->arena, "%s %s", t->name, t->description));
	size_t i;

	for (i = 0; text != NULL && i < nwords; i++)
		if (!has_word_start(text, words[i], strlen(words[i])))
			return false;
	return text != NULL;
}

enum zek_rc
core_portal_search(struct zctx *ctx, const struct user *user, const char *query,
    const char *lang, struct portal_hit **out, size_t *n)
{
	const char *words[SEARCH_WORDS_MAX], *q;
	struct portal_summary *ps;
	struct portal_hit *hits;
	struct portal *p;
	char *folded;
	size_t i, g, k, np, nwords;
	enum zek_rc rc;

	*out = NULL;
	*n = 0;
	rc = core_search_text(ctx, query, PORTAL_SEARCH_MAX, &q);
	if (rc != ZEK_OK || q == NULL)
		return rc;
	if ((folded = search_fold(ctx, q)) == NULL)
		return ZEK_NOMEM;
	if ((nwords = query_words(folded, words)) == 0)
		return ZEK_OK;
	hits = arena_calloc(ctx->arena, PORTAL_HITS_MAX, sizeof(*hits));
	if (hits == NULL)
		return ZEK_NOMEM;
	rc = core_portals_list(ctx, user, &ps, &np);
	for (i = 0; rc == ZEK_OK && i < np && *n < PORTAL_HITS_MAX; i++) {
		rc = core_portal_get(ctx, user, ps[i].id, lang, &p);
		for (g = 0; rc == ZEK_OK && g < p->ngroups; g++)
			for (k = 0;
			     k < p->groups[g].ntypes && *n < PORTAL_HITS_MAX;
			     k++) {
				const struct portal_reqtype *t = &p->groups[g]
				                                      .types[k];

				if (type_matches(ctx, t, words, nwords))
					hits[(*n)++] = (struct portal_hit){
						.portal_id = p->id,
						.portal_name = p->name,
						.type_id = t->id,
						.name = t->name,
						.description = t->description,
						.icon = t->icon
					};
			}
	}
	if (rc == ZEK_OK)
		*out = hits;
	return rc;
}

const char *
core_portal_path(struct arena *a, int64_t portal_id)
{
	return arena_printf(a, PORTAL_PATH "%" PRId64, portal_id);
}

const char *
core_request_path(struct arena *a, int64_t portal_id, const char *key)
{
	return arena_printf(a, PORTAL_PATH "%" PRId64 "/%s", portal_id, key);
}

const char *
core_create_path(struct arena *a, int64_t portal_id, int64_t type_id)
{
	return arena_printf(a, PORTAL_PATH "%" PRId64 "/create/%" PRId64,
	    portal_id, type_id);
}
