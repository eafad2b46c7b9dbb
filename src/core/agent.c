/* agent.c: the agents' queues (counts, order, search, pages) and their view of a request. */
#include "core/agent.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/business_calendar.h"
#include "core/edit.h"
#include "core/internal.h"
#include "core/links.h"
#include "core/perm.h"
#include "core/requests.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "store/store.h"

#define DAY_MS (24LL * 3600 * 1000)
#define QUEUE_STATUSES_MAX 4

const enum wf_action agent_actions[AGENT_ACTIONS_N] = {
	WF_START,
	WF_TO_SUPPORT,
	WF_ASK_CUSTOMER,
	WF_PROPOSE_SOLUTION,
	WF_CLOSE,
};

/* Which requests a queue holds. */
struct queue_spec {
	const char *code;
	enum status statuses[QUEUE_STATUSES_MAX];
	size_t nstatuses;
	enum store_assignee assignee; /* USER = the viewer */
	bool recent;                  /* updated within AGENT_RECENT_DAYS */
	enum agent_sort sort;         /* the default order */
	bool breached;                /* a service level breached by now */
};

#define OPEN4 \
	{ STATUS_OFFEN, STATUS_WARTET_SUPPORT, STATUS_IN_BEARBEITUNG, \
		STATUS_WARTET_KUNDE }, \
	    4

static const struct queue_spec specs[AGENT_QUEUE_MAX] = {
	[AGENT_QUEUE_UNASSIGNED] = { "unassigned", OPEN4, STORE_ASSIGNEE_NONE,
	    false, AGENT_SORT_OLDEST, false },
	[AGENT_QUEUE_MINE] = { "mine", OPEN4, STORE_ASSIGNEE_USER, false,
	    AGENT_SORT_OLDEST, false },
	[AGENT_QUEUE_WAITING_SUPPORT] = { "waiting-support",
	    { STATUS_OFFEN, STATUS_WARTET_SUPPORT }, 2, STORE_ASSIGNEE_ANY,
	    false, AGENT_SORT_OLDEST, false },
	[AGENT_QUEUE_WAITING_CUSTOMER] = { "waiting-customer",
	    { STATUS_WARTET_KUNDE }, 1, STORE_ASSIGNEE_ANY, false,
	    AGENT_SORT_OLDEST, false },
	[AGENT_QUEUE_OPEN] = { "open", OPEN4, STORE_ASSIGNEE_ANY, false,
	    AGENT_SORT_DUE, false },
	[AGENT_QUEUE_BREACHED] = { "breached", OPEN4, STORE_ASSIGNEE_ANY, false,
	    AGENT_SORT_DUE, true },
	[AGENT_QUEUE_RECENT_CLOSED] = { "closed", { STATUS_GESCHLOSSEN }, 1,
	    STORE_ASSIGNEE_ANY, true, AGENT_SORT_UPDATED, false },
};

static const char *const sort_codes[AGENT_SORT_MAX] = {
	[AGENT_SORT_OLDEST] = "oldest",
	[AGENT_SORT_NEWEST] = "newest",
	[AGENT_SORT_UPDATED] = "updated",
	[AGENT_SORT_STALE] = "stale",
	[AGENT_SORT_DUE] = "due",
};

const char *
agent_queue_code(enum agent_queue q)
{
	return q < AGENT_QUEUE_MAX ? specs[q].code : "";
}

bool
agent_queue_from_code(const char *code, enum agent_queue *out)
{
	for (size_t i = 0; i < AGENT_QUEUE_MAX; i++) {
		if (str_eq(code, specs[i].code)) {
			*out = (enum agent_queue)i;
			return true;
		}
	}
	return false;
}

STR_TABLE_FUNCS(enum agent_sort, sort_codes, AGENT_SORT_MAX, agent_sort_code,
    agent_sort_from_code)

enum agent_sort
agent_queue_default_sort(enum agent_queue q)
{
	return q < AGENT_QUEUE_MAX ? specs[q].sort : AGENT_SORT_OLDEST;
}

/* The store's query for queue `q` of `user` (status and order set later). */
static struct store_queue_query
base_query(struct zctx *ctx, const struct user *user, enum agent_queue q)
{
	return (struct store_queue_query){
		.assignee = specs[q].assignee,
		.assignee_id = specs[q].assignee == STORE_ASSIGNEE_USER ?
		    user->id :
		    0,
		.updated_since = specs[q].recent ?
		    ctx->now_ms - AGENT_RECENT_DAYS * DAY_MS :
		    0,
		.breached_by = specs[q].breached ? ctx->now_ms : 0,
	};
}

static enum zek_rc
count_queue(struct zctx *ctx, const struct store_queue_query *sq,
    enum agent_queue q, int64_t *out)
{
	const char *codes[QUEUE_STATUSES_MAX];

	for (size_t i = 0; i < specs[q].nstatuses; i++)
		codes[i] = status_code(specs[q].statuses[i]);
	return store_queue_count(ctx->db, ctx->arena, sq, codes,
	    specs[q].nstatuses, out);
}

enum zek_rc
core_agent_counts(struct zctx *ctx, const struct user *user,
    struct agent_counts *out)
{
	struct store_queue_query sq;
	enum zek_rc rc = ZEK_OK;
	size_t q;

	*out = (struct agent_counts){ 0 };
	if (!perm_is_staff(user))
		return ZEK_FORBIDDEN;
	for (q = 0; rc == ZEK_OK && q < AGENT_QUEUE_MAX; q++) {
		sq = base_query(ctx, user, (enum agent_queue)q);
		rc = count_queue(ctx, &sq, (enum agent_queue)q, &out->n[q]);
	}
	return rc;
}

/* ---- a page ---- */

/* The row's value in the order the queue is read in. */
static int64_t
order_value(const struct store_queue_query *sq, const struct store_queue_row *r)
{
	switch (sq->order) {
	case STORE_ORDER_UPDATED:
		return r->updated_at;
	case STORE_ORDER_SLA_DUE:
		return r->sla_due_at;
	default:
		return r->created_at;
	}
}

/* The row's service level as of now: working time left of the goal that
 * runs, or over since one breached. */
static void
row_sla(struct zctx *ctx, const struct calendar *cal,
    const struct store_queue_row *r, struct agent_row *it)
{
	int64_t now = ctx->now_ms, ms = 0;

	if (r->sla_breach_at <= now) {
		it->sla = AGENT_SLA_BREACHED;
		(void)calendar_working_ms(cal, r->sla_breach_at, now, &ms);
	} else if (r->sla_due_at != STORE_SLA_NEVER) {
		(void)calendar_working_ms(cal, now, r->sla_due_at, &ms);
		it->sla = ms * 4 < r->sla_due_goal_ms ? AGENT_SLA_WARNING :
		                                        AGENT_SLA_RUNNING;
	}
	it->sla_ms = ms;
}

static void
fill_row(struct zctx *ctx, const struct core_catalogue *cat,
    const struct calendar *cal, const char *lang,
    const struct store_queue_query *sq, const struct store_queue_row *r,
    struct agent_row *it)
{
	const struct store_reqtype *t = core_catalogue_type(cat, r->type_id);
	const struct store_desk *d = core_catalogue_desk(cat, r->desk_id);
	*it = (struct agent_row){
		.id = r->id,
		.key = r->key,
		.title = r->title,
		.portal_id = d != NULL ? d->portal_id : 0,
		.type_name = t != NULL ?
		    core_pick(lang, t->name_de, t->name_en) :
		    "",
		.type_icon = t != NULL ? t->icon : "",
		.reporter_name = r->reporter_name,
		.assignee_id = r->assignee_id,
		.assignee_name = r->assignee_name,
		.created_at = r->created_at,
		.updated_at = r->updated_at,
		.cursor = { order_value(sq, r), r->id },
	};
	(void)status_decode(r->status, r->resolution, &it->status,
	    &it->resolution);
	it->status_code = status_code(it->status);
	it->status_label = status_label(it->status, lang);
	it->resolution_label = resolution_label(it->resolution, lang);
	if (it->status != STATUS_GESCHLOSSEN)
		row_sla(ctx, cal, r, it);
}

/* A row with its position in the order it was read in. */
struct merged {
	int64_t value;
	int64_t id;
	const struct store_queue_row *row;
};

static int
merged_asc(const void *a, const void *b)
{
	const struct merged *x = a, *y = b;

	if (x->value != y->value)
		return x->value < y->value ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

static int
merged_desc(const void *a, const void *b)
{
	return merged_asc(b, a);
}

/* The search text trimmed and cut to AGENT_SEARCH_MAX code points; NULL
 * when there is none. */

/*
 * Reads up to `want` rows of every status of the queue after the cursor
 * in the order (ascending or not) and keeps the first `want` of all of
 * them: each status is a short index range, so the page costs the same
 * whatever the queue's length.
 */
static enum zek_rc
read_merged(struct zctx *ctx, struct store_queue_query *sq, enum agent_queue q,
    bool ascending, size_t want, struct merged **out, size_t *n)
{
	struct store_queue_row *rows;
	struct merged *all = NULL;
	size_t s, i, nr, cnt = 0, cap = 0;
	enum zek_rc rc = ZEK_OK;

	sq->ascending = ascending;
	sq->limit = want;
	for (s = 0; rc == ZEK_OK && s < specs[q].nstatuses; s++) {
		sq->status = status_code(specs[q].statuses[s]);
		rc = store_queue_page(ctx->db, ctx->arena, sq, &rows, &nr);
		for (i = 0; rc == ZEK_OK && i < nr; i++) {
			all = core_grow(ctx, all, cnt, &cap, sizeof(*all));
			if (all == NULL)
				return ZEK_NOMEM;
			all[cnt++] = (struct merged){ order_value(sq, &rows[i]),
				rows[i].id, &rows[i] };
		}
	}
	if (rc != ZEK_OK)
		return rc;
	if (cnt > 1)
		qsort(all, cnt, sizeof(*all),
		    ascending ? merged_asc : merged_desc);
	*out = all;
	*n = cnt < want ? cnt : want;
	return ZEK_OK;
}

/* The ratings of the page's closed rows, read with one statement for
 * the whole page (not one per row). */
static enum zek_rc
page_ratings(struct zctx *ctx, struct agent_page *pg)
{
	struct store_rating *sr;
	int64_t *ids;
	size_t i, k, n = 0, nr = 0;
	enum zek_rc rc;

	ids = arena_calloc(ctx->arena, pg->n + 1, sizeof(*ids));
	if (ids == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < pg->n; i++)
		if (pg->items[i].status == STATUS_GESCHLOSSEN)
			ids[n++] = pg->items[i].id;
	if (n == 0)
		return ZEK_OK;
	rc = store_ratings_of(ctx->db, ctx->arena, ids, n, &sr, &nr);
	for (k = 0; rc == ZEK_OK && k < nr; k++)
		for (i = 0; i < pg->n; i++)
			if (pg->items[i].id == sr[k].request_id)
				pg->items[i].rating_score = (int)sr[k].score;
	return rc;
}

static bool
sort_ascending(enum agent_sort s)
{
	return s == AGENT_SORT_OLDEST || s == AGENT_SORT_STALE ||
	    s == AGENT_SORT_DUE;
}

static enum store_queue_order
sort_order(enum agent_sort s)
{
	if (s == AGENT_SORT_UPDATED || s == AGENT_SORT_STALE)
		return STORE_ORDER_UPDATED;
	return s == AGENT_SORT_DUE ? STORE_ORDER_SLA_DUE : STORE_ORDER_CREATED;
}

enum zek_rc
core_agent_queue(struct zctx *ctx, const struct user *user,
    const struct agent_query *q, const char *lang, struct agent_page **out)
{
	struct calendar cal;
	struct store_queue_query sq;
	struct core_catalogue cat;
	struct agent_page *pg;
	struct merged *m;
	size_t limit, n, i;
	bool asc, back;
	enum zek_rc rc;

	if (!perm_is_staff(user))
		return ZEK_FORBIDDEN;
	limit = q->limit == 0 ? AGENT_LIMIT_DEFAULT : q->limit;
	if (q->queue >= AGENT_QUEUE_MAX || q->sort >= AGENT_SORT_MAX ||
	    limit > AGENT_LIMIT_MAX)
		return ZEK_INVALID;
	lang = core_lang(lang);
	sq = base_query(ctx, user, q->queue);
	sq.order = sort_order(q->sort);
	rc = core_calendar_load(ctx, &cal);
	if (rc == ZEK_OK)
		rc = core_search_text(ctx, q->search, AGENT_SEARCH_MAX,
		    &sq.terms);
	if (rc == ZEK_OK)
		rc = core_catalogue_load(ctx, &cat);
	pg = arena_calloc(ctx->arena, 1, sizeof(*pg));
	if (rc == ZEK_OK && pg == NULL)
		rc = ZEK_NOMEM;
	if (rc == ZEK_OK) {
		if (sq.terms != NULL)
			sq.count_max = AGENT_COUNT_MAX;
		rc = count_queue(ctx, &sq, q->queue, &pg->total);
	}
	if (rc != ZEK_OK)
		return rc;
	if (sq.count_max > 0 && pg->total > sq.count_max) {
		pg->total = sq.count_max;
		pg->total_capped = true;
	}
	asc = sort_ascending(q->sort);
	back = q->has_cursor && q->backward;
	sq.has_cursor = q->has_cursor;
	sq.cursor_value = q->cursor.value;
	sq.cursor_id = q->cursor.id;
	/* Backwards: the rows before the cursor, read in the reverse order. */
	rc = read_merged(ctx, &sq, q->queue, back ? !asc : asc, limit + 1, &m,
	    &n);
	if (rc == ZEK_OK && back && n <= limit) {
		/* Back at the start: show the first page in full. */
		back = false;
		sq.has_cursor = false;
		rc = read_merged(ctx, &sq, q->queue, asc, limit + 1, &m, &n);
		pg->is_first = true;
	}
	if (rc != ZEK_OK)
		return rc;
	if (back) {
		pg->has_prev = n > limit;
		pg->has_next = true;
	} else {
		pg->has_next = n > limit;
		pg->has_prev = sq.has_cursor;
		pg->is_first = !sq.has_cursor;
	}
	if (n > limit)
		n = limit;
	pg->items = arena_calloc(ctx->arena, n > 0 ? n : 1, sizeof(*pg->items));
	if (pg->items == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < n; i++)
		fill_row(ctx, &cat, &cal, lang, &sq,
		    m[back ? n - 1 - i : i].row, &pg->items[i]);
	pg->n = n;
	rc = page_ratings(ctx, pg);
	if (rc == ZEK_OK)
		*out = pg;
	return rc;
}

enum zek_rc
core_gauges_read(struct zctx *ctx, struct core_gauges *out)
{
	struct store_queue_query sq = { .assignee = STORE_ASSIGNEE_ANY,
		.breached_by = ctx->now_ms };
	int64_t oldest = 0;
	enum zek_rc rc;

	*out = (struct core_gauges){ 0 };
	rc = store_outbox_gauges(ctx->db, &out->mails_pending, &oldest,
	    &out->mails_failed);
	if (rc == ZEK_OK && oldest > 0 && oldest < ctx->now_ms)
		out->mails_oldest_age_ms = ctx->now_ms - oldest;
	if (rc == ZEK_OK)
		rc = count_queue(ctx, &sq, AGENT_QUEUE_BREACHED,
		    &out->sla_breached_open);
	if (rc == ZEK_OK)
		rc = store_db_size(ctx->db, ctx->arena, &out->db_bytes);
	return rc;
}

const char *
core_agent_cursor_format(struct zctx *ctx, const struct agent_cursor *c)
{
	return core_cursor_format(ctx, c->value, c->id);
}

bool
core_agent_cursor_parse(const char *s, struct agent_cursor *out)
{
	return core_cursor_parse(s, &out->value, &out->id);
}

/* ---- staff, one request ---- */

enum zek_rc
core_agent_staff(struct zctx *ctx, const struct user *user, struct person **out,
    size_t *n)
{
	struct store_user *su;
	struct person *p;
	enum zek_rc rc;
	size_t i, ns;

	if (!perm_is_staff(user))
		return ZEK_FORBIDDEN;
	rc = store_staff_list(ctx->db, ctx->arena, AGENT_STAFF_MAX, &su, &ns);
	if (rc != ZEK_OK)
		return rc;
	p = arena_calloc(ctx->arena, ns > 0 ? ns : 1, sizeof(*p));
	if (p == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < ns; i++)
		core_person_from_store(&p[i], &su[i]);
	*out = p;
	*n = ns;
	return ZEK_OK;
}

static void
fill_abilities(struct agent_request *ar, unsigned roles)
{
	const struct request_view *v = ar->view;
	enum resolution to_res;
	enum status to;
	size_t i;

	for (i = 0; i < AGENT_ACTIONS_N; i++)
		ar->can[agent_actions[i]] = wf_check(roles, v->status,
		                                v->resolution, agent_actions[i],
		                                RESOLUTION_GELOEST, &to,
		                                &to_res) == ZEK_OK;
	ar->can_assign = status_is_open(v->status);
}

enum zek_rc
core_agent_request_get(struct zctx *ctx, const struct user *user,
    const char *key, const char *lang, struct agent_request **out)
{
	struct agent_request *ar;
	enum zek_rc rc;
	unsigned roles;

	if (!perm_is_staff(user))
		return ZEK_FORBIDDEN;
	ar = arena_calloc(ctx->arena, 1, sizeof(*ar));
	if (ar == NULL)
		return ZEK_NOMEM;
	rc = core_request_get(ctx, user, key, lang, &ar->view);
	if (rc != ZEK_OK)
		return rc;
	rc = core_user_get(ctx, ar->view->reporter.id, &ar->reporter);
	if (rc != ZEK_OK)
		return rc;
	roles = core_view_roles(user, ar->view);
	rc = core_request_former(ctx, ar->view, lang, &ar->former,
	    &ar->nformer);
	if (rc == ZEK_OK)
		rc = core_links_of(ctx, user, ar->view->id, lang, &ar->links,
		    &ar->nlinks);
	if (rc != ZEK_OK)
		return rc;
	fill_abilities(ar, roles);
	*out = ar;
	return ZEK_OK;
}
