/* portal.c: the help center: portals, their groups and request types. */
#include "core/portal.h"

#include "core/internal.h"
#include "lib/arena.h"
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
