/* agent_queues.c: the agent area's queues: counts, order, search, pages. */
#include "web/web.h"
#include "web/agent.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/agent.h"
#include "core/portal.h"
#include "http/form.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "render/csv.h"
#include "render/i18n.h"
#include "render/time.h"

#define LINK_MAX 4096 /* bytes of one queue URL */
/* The export: rows at most (a last line says when there were more), the
 * bytes of the file, and of the scratch space of one page of rows. */
#define EXPORT_ROWS_MAX 10000
#define EXPORT_BYTES_MAX (32u << 20)
#define EXPORT_PAGE_ARENA (8u << 20)
#define EXPORT_ZONE "Europe/Berlin" /* the team's office hours */

/* Catalog keys of the queues' names and of their one-line explanations. */
static const char *const queue_keys[AGENT_QUEUE_MAX] = {
	[AGENT_QUEUE_UNASSIGNED] = "agent_queue_unassigned",
	[AGENT_QUEUE_MINE] = "agent_queue_mine",
	[AGENT_QUEUE_WAITING_SUPPORT] = "agent_queue_waiting_support",
	[AGENT_QUEUE_WAITING_CUSTOMER] = "agent_queue_waiting_customer",
	[AGENT_QUEUE_OPEN] = "agent_queue_open",
	[AGENT_QUEUE_BREACHED] = "agent_queue_breached",
	[AGENT_QUEUE_RECENT_CLOSED] = "agent_queue_closed",
};

static const char *const queue_help_keys[AGENT_QUEUE_MAX] = {
	[AGENT_QUEUE_UNASSIGNED] = "agent_queue_unassigned_help",
	[AGENT_QUEUE_MINE] = "agent_queue_mine_help",
	[AGENT_QUEUE_WAITING_SUPPORT] = "agent_queue_waiting_support_help",
	[AGENT_QUEUE_WAITING_CUSTOMER] = "agent_queue_waiting_customer_help",
	[AGENT_QUEUE_OPEN] = "agent_queue_open_help",
	[AGENT_QUEUE_BREACHED] = "agent_queue_breached_help",
	[AGENT_QUEUE_RECENT_CLOSED] = "agent_queue_closed_help",
};

static const char *const sort_keys[AGENT_SORT_MAX] = {
	[AGENT_SORT_OLDEST] = "agent_sort_oldest",
	[AGENT_SORT_NEWEST] = "agent_sort_newest",
	[AGENT_SORT_UPDATED] = "agent_sort_updated",
	[AGENT_SORT_STALE] = "agent_sort_stale",
	[AGENT_SORT_DUE] = "agent_sort_due",
};

/* What the URL asks for. */
struct queue_params {
	enum agent_queue queue;
	enum agent_sort sort;
	const char *q; /* search text, "" = none */
	size_t limit;
	const char *page_name;   /* "after" or "before" of the page shown,
	                            NULL for the first page */
	const char *page_cursor; /* its cursor, as sent */
};

static const char *
queue_href(struct req *rq, enum agent_queue q)
{
	return arena_printf(rq->arena, "%s%s", WEB_AGENT_QUEUES,
	    agent_queue_code(q));
}

/* The queue URL (with `tail` after the queue's code: "" for the page,
 * "/export.csv" for its export) with its order, search and size, plus
 * one paging parameter (name NULL for none). */
static const char *
queue_query_href(struct req *rq, const struct queue_params *p, const char *tail,
    const char *name, const char *cursor)
{
	const char *out = NULL;
	struct buf b;

	buf_init(&b, LINK_MAX);
	buf_printf(&b, "%s%s%s?sort=%s", WEB_AGENT_QUEUES,
	    agent_queue_code(p->queue), tail, agent_sort_code(p->sort));
	if (!str_empty(p->q)) {
		buf_puts(&b, "&q=");
		form_urlencode_component(p->q, strlen(p->q), &b);
	}
	if (p->limit != AGENT_LIMIT_DEFAULT)
		buf_printf(&b, "&limit=%zu", p->limit);
	if (name != NULL)
		buf_printf(&b, "&%s=%s", name, cursor);
	if (!b.failed)
		out = arena_strdup(rq->arena, b.data);
	buf_free(&b);
	return out;
}

static const char *
page_href(struct req *rq, const struct queue_params *p, const char *name,
    const char *cursor)
{
	return queue_query_href(rq, p, "", name, cursor);
}

static json_t *
nav_json(struct req *rq, enum agent_queue current,
    const struct agent_counts *counts)
{
	json_t *arr = json_array();
	char n[24];
	size_t q;

	for (q = 0; arr != NULL && q < AGENT_QUEUE_MAX; q++) {
		snprintf(n, sizeof(n), "%" PRId64, counts->n[q]);
		json_array_append_new(arr,
		    ctx_pack("{s:s, s:s, s:s, s:s, s:b}", "label",
		        web_t(rq, queue_keys[q]), "href",
		        queue_href(rq, (enum agent_queue)q), "count", n,
		        "count_text",
		        http_fmt1(rq, "agent_queue_count", "n", n), "current",
		        q == (size_t)current));
	}
	return arr;
}

static const char *const sla_states[] = { [AGENT_SLA_RUNNING] = "running",
	[AGENT_SLA_WARNING] = "warning",
	[AGENT_SLA_BREACHED] = "breached" };

/* "Läuft", "Knapp", "Verletzt" of a row with a service level. */
static const char *
sla_state_text(struct req *rq, const struct agent_row *r)
{
	return web_t(rq,
	    arena_printf(rq->arena, "sla_state_%s", sla_states[r->sla]));
}

/* "noch 3 Std.", "seit 2 Std. überschritten". */
static const char *
sla_time_text(struct req *rq, const struct agent_row *r)
{
	return http_fmt1(rq,
	    r->sla == AGENT_SLA_BREACHED ? "agent_sla_over" : "agent_sla_left",
	    "time", web_duration_text(rq, r->sla_ms));
}

/* The service level of a row in words (the colour only repeats them). */
static void
row_sla_json(struct req *rq, const struct agent_row *r, json_t *j)
{
	if (r->sla == AGENT_SLA_NONE)
		return;
	json_object_set_new(j, "sla",
	    ctx_pack("{s:s, s:s, s:s}", "state", sla_states[r->sla],
	        "state_text", sla_state_text(rq, r), "text",
	        sla_time_text(rq, r)));
}

static json_t *
row_json(struct req *rq, const struct agent_row *r)
{
	json_t *j;

	j = ctx_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
	    "key", r->key, "title", r->title, "href",
	    arena_printf(rq->arena, "%s%s", WEB_AGENT_REQUESTS, r->key),
	    "type_name", r->type_name, "type_icon", r->type_icon,
	    "status_label", r->status_label, "status_class", r->status_code,
	    "reporter", r->reporter_name, "created_text",
	    web_time_text(rq, r->created_at), "created_iso",
	    web_time_iso(rq, r->created_at));
	if (j == NULL)
		return NULL;
	json_object_set_new(j, "updated_text",
	    json_string(web_time_text(rq, r->updated_at)));
	json_object_set_new(j, "updated_iso",
	    json_string(web_time_iso(rq, r->updated_at)));
	if (!str_empty(r->resolution_label))
		json_object_set_new(j, "resolution_label",
		    json_string(r->resolution_label));
	if (!str_empty(r->assignee_name))
		json_object_set_new(j, "assignee",
		    json_string(r->assignee_name));
	row_sla_json(rq, r, j);
	if (r->rating_score > 0)
		json_object_set_new(j, "rating",
		    json_string(http_fmt1(rq, "agent_rating_marker", "score",
		        web_rating_label(rq, r->rating_score))));
	return j;
}

/* The row's box of the bulk form: named by its key for screen readers. */
static void
row_select_json(struct req *rq, const struct agent_row *r,
    const struct web_bulk_state *bs, json_t *j)
{
	json_object_set_new(j, "select",
	    ctx_pack("{s:s, s:b}", "label",
	        http_fmt1(rq, "bulk_select_row", "key", r->key), "checked",
	        web_bulk_checked(rq, bs, r->key)));
}

/* bs NULL: the queue takes no bulk changes (closed requests are final). */
static json_t *
rows_json(struct req *rq, const struct agent_page *pg,
    const struct web_bulk_state *bs)
{
	json_t *arr = json_array(), *row;
	size_t i;

	for (i = 0; arr != NULL && i < pg->n; i++) {
		row = row_json(rq, &pg->items[i]);
		if (row != NULL && bs != NULL)
			row_select_json(rq, &pg->items[i], bs, row);
		json_array_append_new(arr, row);
	}
	return arr;
}

static json_t *
filters_json(struct req *rq, const struct queue_params *p)
{
	json_t *opts = json_array();
	char limit[24];
	size_t s;

	for (s = 0; opts != NULL && s < AGENT_SORT_MAX; s++)
		json_array_append_new(opts,
		    ctx_pack("{s:s, s:s, s:b}", "value",
		        agent_sort_code((enum agent_sort)s), "label",
		        web_t(rq, sort_keys[s]), "selected",
		        s == (size_t)p->sort));
	snprintf(limit, sizeof(limit), "%zu", p->limit);
	return ctx_pack("{s:s, s:s, s:o, s:s?}", "action",
	    queue_href(rq, p->queue), "q", p->q, "sort_options", opts, "limit",
	    p->limit != AGENT_LIMIT_DEFAULT ? limit : NULL);
}

static json_t *
pager_json(struct req *rq, const struct queue_params *p,
    const struct agent_page *pg)
{
	const char *prev = NULL, *next = NULL;

	if (pg->n > 0 && pg->has_prev)
		prev = page_href(rq, p, "before",
		    core_agent_cursor_format(&rq->ctx, &pg->items[0].cursor));
	if (pg->n > 0 && pg->has_next)
		next = page_href(rq, p, "after",
		    core_agent_cursor_format(&rq->ctx,
		        &pg->items[pg->n - 1].cursor));
	return ctx_pack("{s:s?, s:s?, s:b}", "prev_href", prev, "next_href",
	    next, "several", prev != NULL || next != NULL);
}

/* "Anfrage für einen Kunden erstellen": the portal of the only service
 * desk, else the help centre; the create form lets agents pick anyone. */
static const char *
create_href(struct req *rq)
{
	struct portal_summary *list;
	size_t n;

	if (core_portals_list(&rq->ctx, rq->user, &list, &n) == ZEK_OK &&
	    n == 1)
		return core_portal_path(rq->arena, list[0].id);
	return WEB_HOME;
}

static void
read_params(struct req *rq, struct queue_params *p, struct agent_query *aq)
{
	const char *v;
	int64_t n;

	p->sort = agent_queue_default_sort(p->queue);
	p->q = "";
	p->limit = AGENT_LIMIT_DEFAULT;
	(void)agent_sort_from_code(req_query(rq, "sort"), &p->sort);
	v = req_query(rq, "q");
	if (v != NULL)
		p->q = v;
	if (str_to_i64(req_query(rq, "limit"), 1, AGENT_LIMIT_MAX, &n) == 0)
		p->limit = (size_t)n;
	*aq = (struct agent_query){ .queue = p->queue,
		.sort = p->sort,
		.search = p->q,
		.limit = p->limit };
	/* A mangled cursor shows the first page. */
	if (core_agent_cursor_parse(req_query(rq, "after"), &aq->cursor)) {
		aq->has_cursor = true;
		p->page_name = "after";
	} else if (core_agent_cursor_parse(req_query(rq, "before"),
	               &aq->cursor)) {
		aq->has_cursor = true;
		aq->backward = true;
		p->page_name = "before";
	}
	if (p->page_name != NULL)
		p->page_cursor = req_query(rq, p->page_name);
}

/* This very page: its order, search, size and position. */
static const char *
here_href(struct req *rq, const struct queue_params *p, const char *tail)
{
	return queue_query_href(rq, p, tail, p->page_name, p->page_cursor);
}

const char *
web_agent_queue_here(struct req *rq, enum agent_queue q, const char *tail)
{
	struct queue_params p = { .queue = q };
	struct agent_query aq;

	read_params(rq, &p, &aq);
	return here_href(rq, &p, tail);
}

static const char *
summary_text(struct req *rq, const struct queue_params *p,
    const struct agent_page *pg)
{
	const char *names[] = { "n", "q" };
	const char *values[2];
	char n[24];
	char *out;

	snprintf(n, sizeof(n), "%" PRId64, pg->total);
	values[0] = n;
	values[1] = p->q;
	if (i18n_format(rq->arena,
	        web_t(rq,
	            str_empty(p->q)      ? "agent_summary" :
	                pg->total_capped ? "agent_summary_search_more" :
	                                   "agent_summary_search"),
	        names, values, 2, &out) != ZEK_OK)
		return "";
	return out;
}

/* The bulk form and the outcome of the last one, on a queue whose
 * requests can still change (bs: its state, not NULL). */
static void
bulk_json(struct req *rq, const struct queue_params *p,
    const struct web_bulk_state *bs, json_t *page)
{
	const char *here = here_href(rq, p, "");

	json_object_set_new(page, "bulk",
	    web_bulk_form_json(rq, here_href(rq, p, "/bulk"), bs));
	json_object_set_new(page, "bulk_summary", web_bulk_summary_json(rq));
	json_object_set_new(page, "select_all_href",
	    json_string(arena_printf(rq->arena, "%s&select=all#bulk", here)));
	json_object_set_new(page, "select_none_href",
	    json_string(arena_printf(rq->arena, "%s#bulk", here)));
}

int
web_agent_queue_page(struct req *rq, enum agent_queue queue,
    const struct web_bulk_state *bs, unsigned status)
{
	static const struct web_bulk_state fresh = { 0 };
	struct queue_params p = { .queue = queue };
	struct agent_counts counts;
	struct agent_query aq;
	struct agent_page *pg;
	json_t *page, *rows;
	int rc;

	read_params(rq, &p, &aq);
	if (!utf8_valid(p.q, strlen(p.q)))
		return web_fail(rq, 400, ZEK_INVALID);
	rc = core_agent_counts(&rq->ctx, rq->user, &counts);
	if (rc == ZEK_OK)
		rc = core_agent_queue(&rq->ctx, rq->user, &aq, rq->lang, &pg);
	if (rc == ZEK_FORBIDDEN)
		return web_fail(rq, 404, ZEK_NOTFOUND);
	if (rc == ZEK_INVALID)
		return web_fail(rq, 400, rc);
	if (rc != ZEK_OK)
		return rc;
	page = web_page_ctx(rq, queue_keys[queue]);
	if (page == NULL)
		return ZEK_NOMEM;
	if (bs == NULL)
		bs = &fresh;
	if (queue == AGENT_QUEUE_RECENT_CLOSED)
		bs = NULL;
	else
		bulk_json(rq, &p, bs, page);
	rows = rows_json(rq, pg, bs);
	json_object_set_new(page, "heading",
	    json_string(web_t(rq, queue_keys[queue])));
	json_object_set_new(page, "queue_help",
	    json_string(web_t(rq, queue_help_keys[queue])));
	json_object_set_new(page, "queues", nav_json(rq, queue, &counts));
	json_object_set_new(page, "filters", filters_json(rq, &p));
	json_object_set_new(page, "summary",
	    json_string(summary_text(rq, &p, pg)));
	json_object_set_new(page, "has_rows", json_boolean(pg->n > 0));
	json_object_set_new(page, "rows", rows);
	json_object_set_new(page, "pager", pager_json(rq, &p, pg));
	json_object_set_new(page, "empty_text",
	    json_string(web_t(rq,
	        str_empty(p.q) ? "agent_queue_empty" : "agent_search_empty")));
	json_object_set_new(page, "create_href", json_string(create_href(rq)));
	json_object_set_new(page, "export_href",
	    json_string(queue_query_href(rq, &p, "/export.csv", NULL, NULL)));
	web_breadcrumb(rq, page, web_t(rq, "agent_area"), WEB_AGENT);
	web_breadcrumb(rq, page, web_t(rq, queue_keys[queue]), NULL);
	return web_render(rq, status, "agent/queue", page);
}

/* GET /servicedesk/agent and /servicedesk/agent/: the first queue. */
int
web_agent_home(struct req *rq)
{
	return http_redirect(rq, 303, queue_href(rq, AGENT_QUEUE_UNASSIGNED));
}

/* GET /servicedesk/agent/queues/{queue}?sort=&q=&limit=&after=|before= */
int
web_agent_queue(struct req *rq)
{
	enum agent_queue q;

	if (!agent_queue_from_code(req_param_str(rq, "queue"), &q))
		return web_fail(rq, 404, ZEK_NOTFOUND);
	return web_agent_queue_page(rq, q, NULL, 200);
}

/* ---- the export ---- */

/* Catalog keys of the export's columns, in their order. */
static const char *const export_columns[] = {
	"export_col_key",
	"export_col_title",
	"export_col_type",
	"export_col_status",
	"export_col_resolution",
	"export_col_sla",
	"export_col_reporter",
	"export_col_assignee",
	"export_col_created",
	"export_col_updated",
};

/* "2026-11-27 16:42" in the office's zone: a date-time Excel reads. */
static void
export_time(int64_t ms, char *out, size_t n)
{
	char *t;

	if (time_format_input(ms, EXPORT_ZONE, out, n) != ZEK_OK) {
		*out = '\0';
		return;
	}
	t = strchr(out, 'T');
	if (t != NULL)
		*t = ' ';
}

static void
export_row(struct req *rq, struct buf *csv, const struct agent_row *r)
{
	char created[32], updated[32];
	const char *sla = "";

	export_time(r->created_at, created, sizeof(created));
	export_time(r->updated_at, updated, sizeof(updated));
	if (r->sla != AGENT_SLA_NONE)
		sla = arena_printf(rq->arena, "%s: %s", sla_state_text(rq, r),
		    sla_time_text(rq, r));
	csv_cell(csv, r->key, true);
	csv_cell(csv, r->title, false);
	csv_cell(csv, r->type_name, false);
	csv_cell(csv, r->status_label, false);
	csv_cell(csv, r->resolution_label, false);
	csv_cell(csv, sla, false);
	csv_cell(csv, r->reporter_name, false);
	csv_cell(csv, r->assignee_name, false);
	csv_cell(csv, created, false);
	csv_cell(csv, updated, false);
	csv_row_end(csv);
}

/*
 * Every row of the query, page after page through core_agent_queue (so
 * the rows, their order and who may read them are the page's), each page
 * in scratch space of its own that is dropped once its rows are written.
 * *cut: there were more than EXPORT_ROWS_MAX.
 */
static int
export_rows(struct req *rq, struct agent_query *aq, struct buf *csv, bool *cut)
{
	struct agent_page *pg = NULL;
	struct zctx page_ctx;
	struct arena *a;
	size_t i, rows = 0;
	int rc = ZEK_OK;

	*cut = false;
	aq->limit = AGENT_LIMIT_MAX;
	for (;;) {
		a = arena_new(EXPORT_PAGE_ARENA);
		if (a == NULL)
			return ZEK_NOMEM;
		core_ctx_scratch(&rq->ctx, a, &page_ctx);
		rc = core_agent_queue(&page_ctx, rq->user, aq, rq->lang, &pg);
		for (i = 0; rc == ZEK_OK && i < pg->n && rows < EXPORT_ROWS_MAX;
		     i++, rows++)
			export_row(rq, csv, &pg->items[i]);
		if (rc == ZEK_OK) {
			*cut = i < pg->n ||
			    (rows == EXPORT_ROWS_MAX && pg->has_next);
			aq->has_cursor = pg->has_next && pg->n > 0;
			if (aq->has_cursor)
				aq->cursor = pg->items[pg->n - 1].cursor;
		}
		arena_free(a);
		if (rc != ZEK_OK || *cut || !aq->has_cursor || csv->failed)
			break;
	}
	return rc;
}

/* GET /servicedesk/agent/queues/{queue}/export.csv?sort=&q=: the queue
 * as the page shows it (order, search), every page of it, as CSV. */
int
web_agent_queue_export(struct req *rq)
{
	struct queue_params p = { .queue = 0 };
	struct agent_query aq;
	const char *max;
	struct buf csv;
	size_t i;
	bool cut;
	int rc;

	if (!agent_queue_from_code(req_param_str(rq, "queue"), &p.queue))
		return web_fail(rq, 404, ZEK_NOTFOUND);
	read_params(rq, &p, &aq);
	if (!utf8_valid(p.q, strlen(p.q)))
		return web_fail(rq, 400, ZEK_INVALID);
	aq.has_cursor = aq.backward = false; /* all of it, from the start */
	buf_init(&csv, EXPORT_BYTES_MAX);
	buf_puts(&csv, CSV_BOM);
	for (i = 0; i < ZEK_ARRAY_LEN(export_columns); i++)
		csv_cell(&csv, web_t(rq, export_columns[i]), i == 0);
	csv_row_end(&csv);
	rc = export_rows(rq, &aq, &csv, &cut);
	if (rc == ZEK_OK && cut) {
		max = arena_printf(rq->arena, "%d", EXPORT_ROWS_MAX);
		csv_cell(&csv, http_fmt1(rq, "export_cut", "n", max), true);
		csv_row_end(&csv);
	}
	if (rc == ZEK_OK && csv.failed)
		rc = csv.failed;
	if (rc == ZEK_OK)
		rc = web_csv_reply(rq, agent_queue_code(p.queue), &csv);
	buf_free(&csv);
	if (rc == ZEK_FORBIDDEN)
		return web_fail(rq, 404, ZEK_NOTFOUND);
	if (rc == ZEK_INVALID)
		return web_fail(rq, 400, rc);
	return rc;
}
