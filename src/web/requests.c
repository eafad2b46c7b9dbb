/* requests.c: "Anfragen", the list of the user's requests with filters and search. */
#include "web/web.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/list.h"
#include "core/portal.h"
#include "http/form.h"
#include "lib/str.h"
#include "render/i18n.h"

#define LINK_MAX 4096 /* bytes of one list URL */

/* The filter values as they appear in the URL. */
struct list_params {
	const char *status;  /* "open" | "closed" | "all" | a status code */
	const char *creator; /* "me" | "participant" | "any" */
	int64_t type_id;     /* 0 = every type */
	const char *q;       /* search text, "" = none */
	const char *sort;    /* "created" | "updated" */
	size_t limit;
	int64_t page; /* shown page number, 1.. */
};

static const struct {
	const char *value;
	enum list_status status;
	const char *label_key;
} status_choices[] = {
	{ "open", LIST_STATUS_OPEN, "requests_status_open" },
	{ "closed", LIST_STATUS_CLOSED, "requests_status_closed" },
	{ "all", LIST_STATUS_ALL, "requests_status_all" },
};

static const struct {
	const char *value;
	enum list_creator creator;
	const char *label_key;
} creator_choices[] = {
	{ "me", LIST_CREATOR_ME, "requests_creator_me" },
	{ "participant", LIST_CREATOR_PARTICIPANT,
	    "requests_creator_participant" },
	{ "any", LIST_CREATOR_ANY, "requests_creator_any" },
};

/* Reads the filters from the query string; unknown values fall back to
 * the defaults (open requests, created by me), so an old or mangled
 * bookmark still shows a page. */
static void
read_params(struct req *rq, struct list_params *p, struct list_filter *f)
{
	const char *v;
	int64_t n;
	size_t i;

	*f = (struct list_filter){ .status = LIST_STATUS_OPEN,
		.creator = LIST_CREATOR_ME };
	*p = (struct list_params){ .status = "open",
		.creator = "me",
		.q = "",
		.sort = "created",
		.limit = LIST_LIMIT_DEFAULT,
		.page = 1 };
	v = req_query(rq, "status");
	for (i = 0; v != NULL &&
	     i < sizeof(status_choices) / sizeof(status_choices[0]);
	     i++) {
		if (str_eq(v, status_choices[i].value)) {
			f->status = status_choices[i].status;
			p->status = status_choices[i].value;
		}
	}
	if (v != NULL && status_from_code(v, &f->one)) {
		f->status = LIST_STATUS_ONE;
		p->status = status_code(f->one);
	}
	v = req_query(rq, "creator");
	for (i = 0; v != NULL &&
	     i < sizeof(creator_choices) / sizeof(creator_choices[0]);
	     i++) {
		if (str_eq(v, creator_choices[i].value)) {
			f->creator = creator_choices[i].creator;
			p->creator = creator_choices[i].value;
		}
	}
	if (str_to_i64(req_query(rq, "type"), 1, INT64_MAX, &n) == 0)
		f->type_id = p->type_id = n;
	v = req_query(rq, "q");
	if (v != NULL)
		f->search = p->q = v;
	if (str_eq(req_query(rq, "sort"), "updated"))
		p->sort = "updated";
	/* The page size is for tests and power users; at most LIST_LIMIT_MAX. */
	if (str_to_i64(req_query(rq, "limit"), 1, INT64_MAX, &n) == 0)
		p->limit = n > LIST_LIMIT_MAX ? LIST_LIMIT_MAX : (size_t)n;
	if (str_to_i64(req_query(rq, "page"), 1, INT64_MAX / 2, &n) == 0)
		p->page = n;
}

/* The list URL for the filters, plus one paging parameter (name NULL for
 * none) and the page number. */
static const char *
list_href(struct req *rq, const struct list_params *p, const char *name,
    const char *cursor, int64_t page)
{
	const char *out = NULL;
	struct buf b;

	buf_init(&b, LINK_MAX);
	buf_printf(&b, "%s?status=%s&creator=%s", WEB_REQUESTS, p->status,
	    p->creator);
	if (p->type_id > 0)
		buf_printf(&b, "&type=%" PRId64, p->type_id);
	if (!str_empty(p->q)) {
		buf_puts(&b, "&q=");
		form_urlencode_component(p->q, strlen(p->q), &b);
	}
	if (str_eq(p->sort, "updated"))
		buf_puts(&b, "&sort=updated");
	if (p->limit != LIST_LIMIT_DEFAULT)
		buf_printf(&b, "&limit=%zu", p->limit);
	if (name != NULL)
		buf_printf(&b, "&%s=%s&page=%" PRId64, name, cursor, page);
	if (!b.failed)
		out = arena_strdup(rq->arena, b.data);
	buf_free(&b);
	return out;
}

/* 100000 as "100.000" (de) or "100,000" (en). */
static const char *
number_text(struct req *rq, int64_t v)
{
	char digits[32], out[48];
	size_t n, i, j = 0;

	n = (size_t)snprintf(digits, sizeof(digits), "%" PRId64, v < 0 ? 0 : v);
	for (i = 0; i < n && j + 2 < sizeof(out); i++) {
		if (i > 0 && (n - i) % 3 == 0)
			out[j++] = str_eq(rq->lang, "en") ? ',' : '.';
		out[j++] = digits[i];
	}
	out[j] = '\0';
	return arena_strdup(rq->arena, out);
}

static json_t *
option(const char *value, const char *label, bool selected)
{
	return ctx_pack("{s:s, s:s, s:b}", "value", value, "label", label,
	    "selected", selected);
}

/* "Neueste zuerst" and "Zuletzt aktualisiert". */
static json_t *
sort_options(struct req *rq, const struct list_params *p)
{
	json_t *arr = json_array();

	json_array_append_new(arr,
	    option("created", web_t(rq, "requests_sort_created"),
	        str_eq(p->sort, "created")));
	json_array_append_new(arr,
	    option("updated", web_t(rq, "requests_sort_updated"),
	        str_eq(p->sort, "updated")));
	return arr;
}

static json_t *
filters_json(struct req *rq, const struct list_params *p,
    const struct list_filter *f)
{
	json_t *st = json_array(), *cr = json_array(), *ty = json_array();
	struct list_type *types;
	size_t i, n = 0;
	char id[24];

	for (i = 0; i < sizeof(status_choices) / sizeof(status_choices[0]); i++)
		json_array_append_new(st,
		    option(status_choices[i].value,
		        web_t(rq, status_choices[i].label_key),
		        f->status == status_choices[i].status));
	for (i = 0; i < STATUS_MAX; i++)
		json_array_append_new(st,
		    option(status_code((enum status)i),
		        status_label((enum status)i, rq->lang),
		        f->status == LIST_STATUS_ONE &&
		            f->one == (enum status)i));
	for (i = 0; i < sizeof(creator_choices) / sizeof(creator_choices[0]);
	     i++)
		json_array_append_new(cr,
		    option(creator_choices[i].value,
		        web_t(rq, creator_choices[i].label_key),
		        f->creator == creator_choices[i].creator));
	json_array_append_new(ty,
	    option("", web_t(rq, "requests_type_any"), f->type_id == 0));
	if (core_list_types(&rq->ctx, rq->user, rq->lang, &types, &n) != ZEK_OK)
		n = 0;
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "%" PRId64, types[i].id);
		json_array_append_new(ty,
		    option(id, types[i].name, types[i].id == f->type_id));
	}
	return ctx_pack("{s:s, s:o, s:o, s:o, s:o, s:s, s:s?}", "action",
	    WEB_REQUESTS, "status_options", st, "creator_options", cr,
	    "type_options", ty, "sort_options", sort_options(rq, p), "q", p->q,
	    "limit",
	    p->limit != LIST_LIMIT_DEFAULT ?
	        arena_printf(rq->arena, "%zu", p->limit) :
	        NULL);
}

static json_t *
rows_json(struct req *rq, const struct list_page *pg)
{
	json_t *arr = json_array();
	const struct list_item *it;
	size_t i;

	for (i = 0; i < pg->n; i++) {
		it = &pg->items[i];
		json_array_append_new(arr,
		    ctx_pack(
		        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
		        "created", web_time_text(rq, it->created_at), "updated",
		        web_time_text(rq, it->updated_at), "key", it->key,
		        "title", it->title, "href",
		        core_request_path(rq->arena, it->portal_id, it->key),
		        "type_name", it->type_name, "type_icon", it->type_icon,
		        "status_label", it->status_label, "status_class",
		        it->status_code, "project", it->project_name,
		        "reporter", it->reporter_name));
	}
	return arr;
}

static bool
several_projects(struct req *rq)
{
	struct portal_summary *list;
	size_t n;

	return core_portals_list(&rq->ctx, rq->user, &list, &n) == ZEK_OK &&
	    n > 1;
}

/* "21–40 von 57", "Seite 2 von 3" and the links back and on. */
static json_t *
pager_json(struct req *rq, const struct list_params *p,
    const struct list_page *pg)
{
	static const char *const range_names[] = { "from", "to", "total" };
	static const char *const page_names[] = { "page", "pages" };
	int64_t pages, page = p->page, from;
	const char *range[3], *nums[2], *prev = NULL, *next = NULL;

	pages = (pg->total + (int64_t)p->limit - 1) / (int64_t)p->limit;
	if (pages < 1)
		pages = 1;
	if (pg->is_first)
		page = 1;
	else if (page < 2)
		page = 2; /* there is a page before this one */
	if (page > pages && !pg->total_capped)
		page = pages;
	from = (page - 1) * (int64_t)p->limit + 1;
	range[0] = number_text(rq, from);
	range[1] = number_text(rq, from + (int64_t)pg->n - 1);
	range[2] = number_text(rq, pg->total);
	nums[0] = number_text(rq, page);
	nums[1] = number_text(rq, pages);
	if (pg->has_prev && pg->n > 0)
		prev = page <= 2 ?
		    list_href(rq, p, NULL, NULL, 0) :
		    list_href(rq, p, "before",
		        core_list_cursor_format(&rq->ctx, &pg->items[0].cursor),
		        page - 1);
	if (pg->has_next && pg->n > 0)
		next = list_href(rq, p, "after",
		    core_list_cursor_format(&rq->ctx,
		        &pg->items[pg->n - 1].cursor),
		    page + 1);
	/* A capped count ("mehr als 1.000", core/list.h): no last page. */
	return ctx_pack("{s:s, s:s, s:s?, s:s?, s:b}", "range_text",
	    http_fmt(rq,
	        pg->total_capped ? "requests_range_more" : "requests_range",
	        range_names, range, 3),
	    "page_text",
	    pg->total_capped ?
	        http_fmt(rq, "requests_page_open", page_names, nums, 1) :
	        http_fmt(rq, "requests_page", page_names, nums, 2),
	    "prev_href", prev, "next_href", next, "several",
	    pages > 1 || pg->total_capped);
}

/* GET /servicedesk/customer/user/requests */
int
web_requests(struct req *rq)
{
	static const char *const q_names[] = { "q" };
	struct list_params p;
	struct list_query q = { .limit = 0 }; /* no_total stays false */
	struct list_page *pg;
	const char *cur;
	json_t *page;
	int rc;

	read_params(rq, &p, &q.filter);
	q.limit = p.limit;
	if ((cur = req_query(rq, "after")) != NULL)
		q.has_cursor = core_list_cursor_parse(cur, &q.cursor);
	else if ((cur = req_query(rq, "before")) != NULL)
		q.has_cursor = q.backward = core_list_cursor_parse(cur,
		    &q.cursor);
	q.order = str_eq(p.sort, "updated") ? LIST_ORDER_UPDATED :
	                                      LIST_ORDER_CREATED;
	rc = core_list_requests(&rq->ctx, rq->user, &q, rq->lang, &pg);
	if (rc == ZEK_INVALID)
		return web_fail(rq, 400, rc);
	if (rc != ZEK_OK)
		return rc;
	/* Too many to sort by change: the links go on by creation. */
	if (pg->order_refused)
		p.sort = "created";
	page = web_page_ctx(rq, "page_requests");
	if (page == NULL)
		return ZEK_NOMEM;
	web_breadcrumb(rq, page, web_t(rq, "page_portals"), WEB_HOME);
	web_breadcrumb(rq, page, web_t(rq, "page_requests"), NULL);
	json_object_set_new(page, "filters", filters_json(rq, &p, &q.filter));
	json_object_set_new(page, "rows", rows_json(rq, pg));
	/* "Service-Projekt" says something only to who sees several. */
	json_object_set_new(page, "several_projects",
	    json_boolean(several_projects(rq)));
	json_object_set_new(page, "has_rows", json_boolean(pg->n > 0));
	json_object_set_new(page, "by_updated",
	    json_boolean(pg->order == LIST_ORDER_UPDATED));
	if (pg->order_refused)
		json_object_set_new(page, "sort_refused",
		    json_string(http_fmt1(rq, "requests_sort_refused", "max",
		        number_text(rq, LIST_UPDATED_MAX))));
	json_object_set_new(page, "pager", pager_json(rq, &p, pg));
	if (pg->n == 0)
		json_object_set_new(page, "empty_text",
		    json_string(str_empty(p.q) ?
		            web_t(rq, "requests_empty") :
		            http_fmt(rq, "requests_empty_search", q_names, &p.q,
		                1)));
	return web_render(rq, 200, "requests", page);
}
