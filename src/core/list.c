/* list.c: the request list ("Anfragen"): filters to a store query, pages, labels. */
#include "core/list.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "core/perm.h"
#include "core/users.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "store/store.h"

_Static_assert(LIST_UPDATED_MAX == STORE_LIST_UPDATED_MAX,
    "the page names the store's limit");

enum zek_rc
core_list_types(struct zctx *ctx, const struct user *user, const char *lang,
    struct list_type **out, size_t *n)
{
	struct core_catalogue cat;
	struct list_type *lt;
	enum zek_rc rc;
	size_t i;

	(void)user; /* every signed-in user may use every portal */
	lang = core_lang(lang);
	rc = core_catalogue_load(ctx, &cat);
	if (rc != ZEK_OK)
		return rc;
	lt = arena_calloc(ctx->arena, cat.ntypes > 0 ? cat.ntypes : 1,
	    sizeof(*lt));
	if (lt == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < cat.ntypes; i++)
		lt[i] = (struct list_type){ .id = cat.types[i].id,
			.name = core_pick(lang, cat.types[i].name_de,
			    cat.types[i].name_en) };
	*out = lt;
	*n = cat.ntypes;
	return ZEK_OK;
}

/* The status filter as the store's two sets of codes. */
static void
status_sets(const struct list_filter *f, const char **in, size_t *nin,
    const char **out, size_t *nout)
{
	bool want;
	size_t s;

	*nin = *nout = 0;
	if (f->status == LIST_STATUS_ALL)
		return;
	for (s = 0; s < STATUS_MAX; s++) {
		if (f->status == LIST_STATUS_OPEN)
			want = status_is_open((enum status)s);
		else if (f->status == LIST_STATUS_CLOSED)
			want = !status_is_open((enum status)s);
		else
			want = (enum status)s == f->one;
		if (want)
			in[(*nin)++] = status_code((enum status)s);
		else
			out[(*nout)++] = status_code((enum status)s);
	}
}

/* The last change of `r` that the list's viewer may know of. */
static int64_t
viewer_updated(const struct store_list_query *sq,
    const struct store_list_row *r)
{
	return sq->see_all ? r->updated_at : r->customer_updated_at;
}

static void
fill_item(const struct core_catalogue *cat, const char *lang,
    const struct store_list_query *sq, const struct store_list_row *r,
    struct list_item *it)
{
	int64_t updated = viewer_updated(sq, r);

	const struct store_reqtype *t = core_catalogue_type(cat, r->type_id);
	const struct store_desk *d = core_catalogue_desk(cat, r->desk_id);
	enum resolution res;

	*it = (struct list_item){
		.id = r->id,
		.key = r->key,
		.title = r->title,
		.portal_id = d != NULL ? d->portal_id : 0,
		.project_name = d != NULL ? d->name : "",
		.type_id = r->type_id,
		.type_name = t != NULL ?
		    core_pick(lang, t->name_de, t->name_en) :
		    "",
		.type_icon = t != NULL ? t->icon : "",
		.reporter_name = r->reporter_name,
		.created_at = r->created_at,
		.updated_at = updated,
		.cursor = { sq->by_updated ? updated : r->created_at, r->id },
	};
	(void)status_decode(r->status, NULL, &it->status, &res);
	it->status_code = status_code(it->status);
	it->status_label = status_label(it->status, lang);
}

/* Reads `limit` + 1 rows, to know whether more follow. */
static enum zek_rc
fetch(struct zctx *ctx, struct store_list_query *sq, size_t limit,
    struct store_list_row **rows, size_t *n, struct list_page *pg)
{
	enum zek_rc rc;

	sq->limit = limit + 1;
	rc = store_requests_list(ctx->db, ctx->arena, sq, rows, n, &pg->total,
	    &pg->total_capped);
	if (rc == ZEK_TOOBIG && sq->by_updated) {
		/* Too many to sort by change: the first page by creation. */
		pg->order_refused = true;
		sq->by_updated = sq->has_cursor = sq->backward = false;
		rc = store_requests_list(ctx->db, ctx->arena, sq, rows, n,
		    &pg->total, &pg->total_capped);
	}
	pg->order = sq->by_updated ? LIST_ORDER_UPDATED : LIST_ORDER_CREATED;
	return rc;
}

enum zek_rc
core_list_requests(struct zctx *ctx, const struct user *user,
    const struct list_query *q, const char *lang, struct list_page **out)
{
	const char *in[STATUS_MAX], *not_in[STATUS_MAX];
	struct store_list_row *rows;
	struct store_list_query sq;
	struct core_catalogue cat;
	struct list_page *pg;
	size_t limit, skip = 0, i, n;
	enum zek_rc rc;

	if (user == NULL)
		return ZEK_NOTFOUND;
	lang = core_lang(lang);
	limit = q->limit == 0 ? LIST_LIMIT_DEFAULT : q->limit;
	if (limit > LIST_LIMIT_MAX)
		return ZEK_INVALID;
	sq = (struct store_list_query){
		.viewer_id = user->id,
		.see_all = perm_is_staff(user),
		.who = q->filter.creator == LIST_CREATOR_ME ?
		    STORE_LIST_REPORTED :
		    q->filter.creator == LIST_CREATOR_PARTICIPANT ?
		    STORE_LIST_PARTICIPATING :
		    STORE_LIST_VISIBLE,
		.statuses = in,
		.not_statuses = not_in,
		.type_id = q->filter.type_id > 0 ? q->filter.type_id : 0,
		.by_updated = q->order == LIST_ORDER_UPDATED,
		.has_cursor = q->has_cursor,
		.cursor_at = q->cursor.at,
		.cursor_id = q->cursor.id,
		.backward = q->has_cursor && q->backward,
		.count_max = LIST_COUNT_MAX,
		.skip_count = q->no_total,
	};
	status_sets(&q->filter, in, &sq.nstatuses, not_in, &sq.nnot_statuses);
	rc = core_search_text(ctx, q->filter.search, LIST_SEARCH_MAX,
	    &sq.terms);
	if (rc != ZEK_OK)
		return rc;
	pg = arena_calloc(ctx->arena, 1, sizeof(*pg));
	if (pg == NULL)
		return ZEK_NOMEM;
	rc = fetch(ctx, &sq, limit, &rows, &n, pg);
	if (rc != ZEK_OK)
		return rc;
	if (sq.backward && n <= limit) {
		/* Back at the start (or rows vanished): show the first page. */
		sq.has_cursor = sq.backward = false;
		rc = fetch(ctx, &sq, limit, &rows, &n, pg);
		if (rc != ZEK_OK)
			return rc;
	}
	if (sq.backward) {
		/* The extra row is the newest one: it belongs before this page. */
		pg->has_prev = true;
		pg->has_next = true;
		skip = 1;
		n--;
	} else {
		pg->has_prev = sq.has_cursor;
		pg->has_next = n > limit;
		if (n > limit)
			n = limit;
	}
	pg->is_first = !pg->has_prev;
	rc = core_catalogue_load(ctx, &cat);
	if (rc != ZEK_OK)
		return rc;
	pg->items = arena_calloc(ctx->arena, n > 0 ? n : 1, sizeof(*pg->items));
	if (pg->items == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < n; i++)
		fill_item(&cat, lang, &sq, &rows[skip + i], &pg->items[i]);
	pg->n = n;
	*out = pg;
	return ZEK_OK;
}

/* "VALUE.ID", the form both the list's and the queues' cursors take. */
const char *
core_cursor_format(struct zctx *ctx, int64_t value, int64_t id)
{
	return arena_printf(ctx->arena, "%" PRId64 ".%" PRId64, value, id);
}

bool
core_cursor_parse(const char *s, int64_t *value, int64_t *id)
{
	const char *dot;
	char head[24];
	size_t len;

	if (s == NULL || (dot = strchr(s, '.')) == NULL)
		return false;
	len = (size_t)(dot - s);
	if (len == 0 || len >= sizeof(head))
		return false;
	memcpy(head, s, len);
	head[len] = '\0';
	return str_to_i64(head, 0, INT64_MAX, value) == 0 &&
	    str_to_i64(dot + 1, 1, INT64_MAX, id) == 0;
}

const char *
core_list_cursor_format(struct zctx *ctx, const struct list_cursor *c)
{
	return core_cursor_format(ctx, c->at, c->id);
}

bool
core_list_cursor_parse(const char *s, struct list_cursor *out)
{
	return core_cursor_parse(s, &out->at, &out->id);
}
