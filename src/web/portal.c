/* portal.c: the help center (list of portals) and one portal's request types. */
#include "web/web.h"

#include <inttypes.h>

#include "core/admin.h"
#include "core/list.h"
#include "core/portal.h"
#include "lib/str.h"
#include "render/markdown.h"

#define SEARCH_REQUESTS 5 /* own requests a search shows */

/* GET / */
int
web_root(struct req *rq)
{
	return http_redirect(rq, 302, WEB_HOME);
}

/* The heading and introduction an admin set, where set. */
static void
help_center_texts(struct req *rq, json_t *page)
{
	struct help_center_texts hc;
	const char *html;

	if (core_help_center_texts(&rq->ctx, rq->lang, &hc) != ZEK_OK)
		return;
	if (!str_empty(hc.title))
		json_object_set_new(page, "heading", json_string(hc.title));
	html = !str_empty(hc.intro) ? markdown_to_arena(rq->arena, hc.intro) :
	                              NULL;
	if (html != NULL)
		json_object_set_new(page, "intro", json_string(html));
}

/* The request types a search found: a link to each one's form. */
static json_t *
type_hits_json(struct req *rq, const char *q)
{
	struct portal_hit *hits;
	json_t *arr = json_array();
	size_t i, n;

	if (core_portal_search(&rq->ctx, rq->user, q, rq->lang, &hits, &n) !=
	    ZEK_OK)
		n = 0;
	for (i = 0; i < n; i++)
		json_array_append_new(arr,
		    ctx_pack("{s:s, s:s, s:s, s:s, s:s}", "name", hits[i].name,
		        "description", hits[i].description, "icon",
		        hits[i].icon, "portal", hits[i].portal_name, "href",
		        core_create_path(rq->arena, hits[i].portal_id,
		            hits[i].type_id)));
	return arr;
}

/* The person's own requests the search finds (by key or words), newest
 * first, a few: the rest is one link away in "Anfragen". */
static json_t *
request_hits_json(struct req *rq, const char *q, bool *more)
{
	struct list_query lq = { .filter = { .status = LIST_STATUS_ALL,
		                     .creator = LIST_CREATOR_ANY,
		                     .search = q },
		.limit = SEARCH_REQUESTS,
		.no_total = true };
	struct list_page *pg;
	json_t *arr = json_array();
	size_t i;

	*more = false;
	if (core_list_requests(&rq->ctx, rq->user, &lq, rq->lang, &pg) !=
	    ZEK_OK)
		return arr;
	*more = pg->has_next;
	for (i = 0; i < pg->n; i++)
		json_array_append_new(arr,
		    ctx_pack("{s:s, s:s, s:s, s:s, s:s}", "key",
		        pg->items[i].key, "title", pg->items[i].title,
		        "status_label", pg->items[i].status_label,
		        "status_class", pg->items[i].status_code, "href",
		        core_request_path(rq->arena, pg->items[i].portal_id,
		            pg->items[i].key)));
	return arr;
}

/* "Wie können wir helfen?": what ?q= finds, without JavaScript. */
static void
search_json(struct req *rq, json_t *page)
{
	const char *q = web_kept_query(rq, PORTAL_SEARCH_MAX * 4);
	json_t *types, *requests;
	const char *p;
	bool more;

	json_object_set_new(page, "q", json_string(q));
	for (p = q; *p == ' ' || *p == '\t'; p++)
		;
	if (*p == '\0')
		return;
	types = type_hits_json(rq, q);
	requests = request_hits_json(rq, q, &more);
	json_object_set_new(page, "search",
	    ctx_pack("{s:s, s:o, s:b, s:o, s:b, s:s}", "heading",
	        http_fmt1(rq, "search_results", "q", q), "types", types,
	        "has_types", json_array_size(types) > 0, "requests", requests,
	        "has_requests", json_array_size(requests) > 0, "all_href",
	        web_page_href(rq, WEB_REQUESTS "?status=all&creator=any", q,
	            NULL, NULL)));
	json_object_set_new(page, "search_more", json_boolean(more));
}

/* GET /servicedesk/customer/portals */
int
web_portals(struct req *rq)
{
	struct portal_summary *list;
	json_t *page, *arr;
	size_t i, n;
	int rc;

	rc = core_portals_list(&rq->ctx, rq->user, &list, &n);
	if (rc != ZEK_OK)
		return rc;
	page = web_page_ctx(rq, "page_portals");
	if (page == NULL)
		return ZEK_NOMEM;
	help_center_texts(rq, page);
	search_json(rq, page);
	arr = json_array();
	json_object_set_new(page, "portals", arr);
	for (i = 0; i < n; i++)
		json_array_append_new(arr,
		    ctx_pack("{s:s, s:s, s:s}", "name", list[i].name,
		        "description", list[i].description, "href",
		        core_portal_path(rq->arena, list[i].id)));
	web_breadcrumb(rq, page, web_t(rq, "page_portals"), NULL);
	return web_render(rq, 200, "portals", page);
}

static json_t *
group_json(struct req *rq, const struct portal *p, const struct portal_group *g)
{
	json_t *types = json_array();
	size_t i;

	for (i = 0; i < g->ntypes; i++)
		json_array_append_new(types,
		    ctx_pack("{s:s, s:s, s:s, s:s}", "name", g->types[i].name,
		        "description", g->types[i].description, "icon",
		        g->types[i].icon, "href",
		        core_create_path(rq->arena, p->id, g->types[i].id)));
	return ctx_pack("{s:s, s:I, s:o, s:b}", "name", g->name, "id",
	    (json_int_t)g->id, "types", types, "empty", g->ntypes == 0);
}

/* GET /servicedesk/customer/portal/{portalId} */
int
web_portal(struct req *rq)
{
	struct portal *p;
	json_t *page, *groups;
	int64_t id;
	size_t i;
	int rc;

	if (!req_param_i64(rq, "pid", &id))
		return web_fail(rq, 404, ZEK_NOTFOUND);
	rc = core_portal_get(&rq->ctx, rq->user, id, rq->lang, &p);
	if (rc != ZEK_OK)
		return web_fail(rq, http_status_of(rc), rc);
	page = web_page_ctx(rq, "page_portal");
	if (page == NULL)
		return ZEK_NOMEM;
	json_object_set_new(page, "title", json_string(p->name));
	json_object_set_new(page, "portal",
	    ctx_pack("{s:s, s:s}", "name", p->name, "description",
	        p->description));
	groups = json_array();
	json_object_set_new(page, "groups", groups);
	for (i = 0; i < p->ngroups; i++)
		json_array_append_new(groups, group_json(rq, p, &p->groups[i]));
	web_breadcrumb(rq, page, web_t(rq, "page_portals"), WEB_HOME);
	web_breadcrumb(rq, page, p->name, NULL);
	return web_render(rq, 200, "portal", page);
}
