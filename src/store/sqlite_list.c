/* sqlite_list.c: the request list ("Anfragen"): filters, visibility and
 * search in one FTS5 query, pages by keyset, counts. */
#include "store/store.h"

#include <stdint.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "store/sqlite_int.h"
#include "store/store_sqlite.h"
#include "store/sqlite_match.h"
#include "store/sqlite_walk.h"

/*
 * How a page is read. Every filter, the viewer's visibility and the search
 * words become one FTS5 query over request_search (see 0002_search.sql).
 * - The page walks the query's hits in id order from the page's side and
 *   stops after about a page of them (sqlite_walk.c: ids grow with
 *   creation time, and request_blocks bounds the created_at of the hits
 *   not read yet).
 * - The count stops at q->count_max + 1 hits ("mehr als 1.000"): a word in
 *   most requests would otherwise cost a read of all of its hits.
 * Lists restricted by status and type only (an agent's, without search)
 * are counted exactly from request_counts and walk requests_created,
 * reading status and type from the index, without the FTS index at all;
 * when the wanted statuses and type are rare there, the FTS walk (facets)
 * is shorter and is taken instead.
 * Parameters of the index walk: ?1, ?2 = created_at and id of the cursor
 * row, ?4 the number of rows; ?5..?12 status codes (?5 NULL = any), ?13 a
 * type id (0 = any).
 */
#define ROW_COLS \
	"r.id, r.issue_key, r.title, r.status, r.type_id, " \
	"r.desk_id, r.reporter_id, u.name, r.created_at, r.updated_at, " \
	"r.customer_updated_at"
#define OUT_COLS "SELECT " ROW_COLS " FROM ("
#define OUT_JOIN_BY(F) \
	") k JOIN requests r ON r.id = k.id " \
	"JOIN users u ON u.id = r.reporter_id " \
	"ORDER BY r." F " DESC, r.id DESC"
#define OUT_JOIN OUT_JOIN_BY("created_at")
#define OLDER "(r.created_at < ?1 OR (r.created_at = ?1 AND r.id < ?2))"
#define NEWER "(r.created_at > ?1 OR (r.created_at = ?1 AND r.id > ?2))"
#define DESC_LIMIT " ORDER BY r.created_at DESC, r.id DESC LIMIT ?4"
#define ASC_LIMIT " ORDER BY r.created_at, r.id LIMIT ?4"
#define WALK "SELECT r.id FROM requests r INDEXED BY requests_created WHERE "
#define FILTERED \
	" AND (?5 IS NULL OR +r.status IN " \
	"(?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)) AND (?13 = 0 OR +r.type_id = ?13)"
#define STATUS_MAX_CODES 8 /* ?5..?12 */

/*
 * By last change. An agent's list by status and type alone walks
 * requests_changed as the list by creation walks requests_created (same
 * parameters). Any other list is the set of its FTS5 hits, at most
 * STORE_LIST_UPDATED_MAX of them (counted first), sorted: ?1, ?2 the
 * cursor row's value and id, ?3 the FTS5 query, ?4 the number of rows.
 * F is updated_at for staff, customer_updated_at for customers.
 */
#define U_STR(x) #x
#define U_NUM(x) U_STR(x)
#define U_CMP(F, OP) "(r." F " " OP " ?1 OR (r." F " = ?1 AND r.id " OP " ?2))"
#define U_WALK(CMP, DIR) \
	"SELECT r.id FROM requests r INDEXED BY " \
	"requests_changed WHERE " CMP FILTERED " ORDER BY r.updated_at " DIR \
	", r.id " DIR " LIMIT ?4"
#define U_SET(F, OP, DIR) \
	"SELECT " ROW_COLS " FROM requests r " \
	"JOIN users u ON u.id = r.reporter_id WHERE r.id IN (SELECT rowid " \
	"FROM request_search WHERE request_search MATCH ?3 LIMIT " U_NUM( \
	    STORE_LIST_UPDATED_MAX) ") AND " U_CMP(F, \
	    OP) " ORDER BY r." F " " DIR ", r.id " DIR " LIMIT ?4"
#define U_SET_NEWER(F) \
	"SELECT * FROM (" U_SET(F, ">", "ASC") ") " \
	                                       "ORDER BY " F " DESC, id DESC"

enum list_stmt {
	Q_COUNT_MATCH,
	Q_COUNT_BY,
	Q_WALK_OLDER,
	Q_WALK_NEWER,
	Q_ROWS,
	Q_VIEWER_ORGS,
	Q_UPD_WALK_OLDER,
	Q_UPD_WALK_NEWER,
	Q_UPD_STAFF_OLDER,
	Q_UPD_STAFF_NEWER,
	Q_UPD_CUSTOMER_OLDER,
	Q_UPD_CUSTOMER_NEWER,
	Q_MAX
};

static const char *const list_sql[Q_MAX] = {
	/* The hits, up to ?2 of them. */
	[Q_COUNT_MATCH] = "SELECT count(*) FROM (SELECT 1 FROM request_search "
	                  "WHERE request_search MATCH ?1 LIMIT ?2)",
	[Q_COUNT_BY] =
	    "SELECT coalesce(sum(n), 0) FROM request_counts "
	    "WHERE (?1 IS NULL OR status IN (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)) "
	    "AND (?9 = 0 OR type_id = ?9)",
	[Q_WALK_OLDER] = OUT_COLS WALK OLDER FILTERED DESC_LIMIT OUT_JOIN,
	[Q_WALK_NEWER] = OUT_COLS WALK NEWER FILTERED ASC_LIMIT OUT_JOIN,
	/* The page's rows by id (a JSON array), newest first. */
	[Q_ROWS] = "SELECT " ROW_COLS " "
	           "FROM json_each(?1) j JOIN requests r ON r.id = j.value "
	           "JOIN users u ON u.id = r.reporter_id "
	           "ORDER BY r.created_at DESC, r.id DESC",
	[Q_VIEWER_ORGS] =
	    "SELECT org_id FROM user_orgs WHERE user_id = ? "
	    "ORDER BY org_id LIMIT 200", /* a viewer's organisations */
	[Q_UPD_WALK_OLDER] = OUT_COLS U_WALK(U_CMP("updated_at", "<"), "DESC")
	    OUT_JOIN_BY("updated_at"),
	[Q_UPD_WALK_NEWER] = OUT_COLS U_WALK(U_CMP("updated_at", ">"), "ASC")
	    OUT_JOIN_BY("updated_at"),
	[Q_UPD_STAFF_OLDER] = U_SET("updated_at", "<", "DESC"),
	[Q_UPD_STAFF_NEWER] = U_SET_NEWER("updated_at"),
	[Q_UPD_CUSTOMER_OLDER] = U_SET("customer_updated_at", "<", "DESC"),
	[Q_UPD_CUSTOMER_NEWER] = U_SET_NEWER("customer_updated_at"),
};

/* The list's own statements, then the walk's (sqlite_walk.c). */
const char *
store_list_statement(size_t i)
{
	return i < Q_MAX ? list_sql[i] : walk_statement(i - Q_MAX);
}

/* ---- the FTS5 query ---- */

/* The one facet token for "every status but geschlossen" or "geschlossen"
 * (0007_list_walk.sql), when the wanted set is exactly one of those; else
 * NULL. One token is cheaper to intersect than an OR of four. */
static const char *
status_group(const struct store_list_query *q)
{
	if (q->nstatuses == 0 || q->nnot_statuses == 0)
		return NULL;
	if (q->nnot_statuses == 1 &&
	    strcmp(q->not_statuses[0], "geschlossen") == 0)
		return "zgopen";
	if (q->nstatuses == 1 && strcmp(q->statuses[0], "geschlossen") == 0)
		return "zgclosed";
	return NULL;
}

static void
put_and(struct buf *b, bool *first)
{
	if (!*first)
		buf_puts(b, " AND ");
	*first = false;
}

/*
 * Who may see a request, as facets: the viewer reported it, raised it,
 * takes part in it, or it is shared with one of the viewer's
 * organisations (core/perm.c decides the same for one request).
 */
static enum zek_rc
put_visible(struct store_conn *c, struct buf *b, int64_t viewer)
{
	enum zek_rc rc;
	struct sq_stmt *st;
	int step;

	st = sq_start(c, &rc, list_sql[Q_VIEWER_ORGS], "i", viewer);
	if (st == NULL)
		return rc;
	buf_printf(b, "(facets : (zr%lld OR zc%lld OR zp%lld",
	    (long long)viewer, (long long)viewer, (long long)viewer);
	while ((step = sq_next(c, st, &rc)) == 1)
		buf_printf(b, " OR zo%lld", (long long)sq_stmt_i64(c, st, 0));
	buf_puts(b, "))");
	sq_finish(c, st);
	return step < 0 ? rc : ZEK_OK;
}

/*
 * The whole FTS5 query for q into b; "" when nothing restricts the list.
 * *nothing is set when the search has no usable word (so nothing matches).
 */
static enum zek_rc
build_match(struct store_conn *c, const struct store_list_query *q,
    bool exclude, struct buf *b, bool *nothing)
{
	bool has_terms = q->terms != NULL && q->terms[0] != '\0';
	bool has_who = q->who != STORE_LIST_VISIBLE || !q->see_all;
	const char *group = status_group(q);
	bool first = true, negate;
	enum zek_rc rc = ZEK_OK;
	size_t nwords;

	*nothing = false;
	/* A status set is a filter on the facets. When the other statuses
	 * have fewer requests (e.g. "closed" = none of the open ones), exclude
	 * them instead: a short list to skip beats a long one to intersect.
	 * NOT needs something on its left, so only with another condition. */
	negate = group == NULL && exclude && q->nstatuses > 0 &&
	    q->nnot_statuses > 0 && (has_terms || q->type_id > 0 || has_who);
	if (negate)
		buf_putc(b, '(');
	if (has_terms) {
		put_and(b, &first);
		rc = match_put_terms(b, q->terms, STORE_LIST_TERMS_MAX,
		    STORE_LIST_WORDS_MAX, &nwords);
		if (rc == ZEK_OK && nwords == 0)
			*nothing = true;
	}
	if (rc == ZEK_OK && q->type_id > 0) {
		put_and(b, &first);
		buf_printf(b, "(facets : zt%lld)", (long long)q->type_id);
	}
	if (rc == ZEK_OK && q->who == STORE_LIST_REPORTED) {
		put_and(b, &first);
		buf_printf(b, "(facets : (zr%lld OR zc%lld))",
		    (long long)q->viewer_id, (long long)q->viewer_id);
	} else if (rc == ZEK_OK && q->who == STORE_LIST_PARTICIPATING) {
		put_and(b, &first);
		buf_printf(b, "(facets : zp%lld)", (long long)q->viewer_id);
	} else if (rc == ZEK_OK && !q->see_all) {
		put_and(b, &first);
		rc = put_visible(c, b, q->viewer_id);
	}
	if (rc == ZEK_OK && negate) {
		buf_puts(b, ") NOT ");
		rc = match_put_status_set(b, q->not_statuses, q->nnot_statuses);
	} else if (rc == ZEK_OK && group != NULL) {
		put_and(b, &first);
		buf_printf(b, "(facets : %s)", group);
	} else if (rc == ZEK_OK && q->nstatuses > 0 && q->nnot_statuses > 0) {
		put_and(b, &first);
		rc = match_put_status_set(b, q->statuses, q->nstatuses);
	}
	if (rc == ZEK_OK && b->failed)
		rc = b->failed; /* ZEK_TOOBIG, or ZEK_NOMEM */
	return rc;
}

/* ---- the page ---- */

/* Up to STATUS_MAX_CODES codes, the rest NULL. */
static void
status_params(const char *const *codes, size_t n, const char **out)
{
	for (size_t i = 0; i < STATUS_MAX_CODES; i++)
		out[i] = i < n ? codes[i] : NULL;
}

/* A page by walking requests_created, or requests_changed (status and
 * type only). */
static enum zek_rc
read_walk(struct store_conn *c, struct arena *a, bool newer,
    const struct store_list_query *q, struct store_list_row **rows, size_t *n)
{
	static const enum list_stmt by[2][2] = {
		{ Q_WALK_OLDER, Q_WALK_NEWER },
		{ Q_UPD_WALK_OLDER, Q_UPD_WALK_NEWER },
	};
	int64_t at = INT64_MAX, id = INT64_MAX;
	const char *st8[STATUS_MAX_CODES];
	enum zek_rc rc;
	struct sq_stmt *st;

	if (q->has_cursor) {
		at = q->cursor_at;
		id = q->cursor_id;
	}
	status_params(q->statuses, q->nnot_statuses > 0 ? q->nstatuses : 0,
	    st8);
	st = sq_start(c, &rc, list_sql[by[q->by_updated][newer]],
	    "iitztttttttti", at, id, "", q->limit, st8[0], st8[1], st8[2],
	    st8[3], st8[4], st8[5], st8[6], st8[7], q->type_id);
	if (st == NULL)
		return rc;
	return sq_collect(c, a, st, sq_map_list_row, sizeof(**rows),
	    (void **)rows, n);
}

/* Requests with one of the status codes (none = any) and the type (0 =
 * any), from request_counts, which triggers keep (0002_search.sql). */
static enum zek_rc
count_by(struct store_conn *c, const char *const *codes, size_t n,
    int64_t type_id, int64_t *out)
{
	const char *st8[STATUS_MAX_CODES];

	status_params(codes, n, st8);
	return sq_query_i64(c, out, list_sql[Q_COUNT_BY], "tttttttti", st8[0],
	    st8[1], st8[2], st8[3], st8[4], st8[5], st8[6], st8[7], type_id);
}

/* The page's rows, newest first. */
static enum zek_rc
read_ids(struct store_conn *c, struct arena *a, const int64_t *id, size_t nid,
    struct store_list_row **rows, size_t *n)
{
	enum zek_rc rc;
	struct sq_stmt *st;
	struct buf ids;
	size_t i;

	if (nid == 0)
		return ZEK_OK;
	buf_init(&ids, 24 * (nid + 1));
	buf_putc(&ids, '[');
	for (i = 0; i < nid; i++)
		buf_printf(&ids, "%s%lld", i > 0 ? "," : "", (long long)id[i]);
	buf_putc(&ids, ']');
	if (ids.failed) {
		buf_free(&ids);
		return ZEK_NOMEM;
	}
	st = sq_start(c, &rc, list_sql[Q_ROWS], "t", ids.data);
	if (st != NULL)
		rc = sq_collect(c, a, st, sq_map_list_row, sizeof(**rows),
		    (void **)rows, n);
	buf_free(&ids);
	return rc;
}

/* A page by last change of the (counted, small) set of hits of `match`. */
static enum zek_rc
read_updated_set(struct store_conn *c, struct arena *a, bool newer,
    const struct store_list_query *q, const char *match,
    struct store_list_row **rows, size_t *n)
{
	static const enum list_stmt by[2][2] = {
		{ Q_UPD_CUSTOMER_OLDER, Q_UPD_CUSTOMER_NEWER },
		{ Q_UPD_STAFF_OLDER, Q_UPD_STAFF_NEWER },
	};
	int64_t at = INT64_MAX, id = INT64_MAX;
	enum zek_rc rc;
	struct sq_stmt *st;

	if (q->has_cursor) {
		at = q->cursor_at;
		id = q->cursor_id;
	}
	st = sq_start(c, &rc, list_sql[by[q->see_all][newer]], "iiti", at, id,
	    match, q->limit);
	if (st == NULL)
		return rc;
	return sq_collect(c, a, st, sq_map_list_row, sizeof(**rows),
	    (void **)rows, n);
}

/* Counts the hits of `match` up to q->count_max + 1 into *total and
 * *capped; by last change, up to STORE_LIST_UPDATED_MAX + 1, and more
 * than that is ZEK_TOOBIG. */
static enum zek_rc
count_hits(struct store_conn *c, const struct store_list_query *q,
    const char *match, int64_t *total, bool *capped)
{
	int64_t upto = q->count_max > 0 ? q->count_max + 1 : INT64_MAX;
	int64_t count;
	enum zek_rc rc;

	if (q->by_updated && upto < STORE_LIST_UPDATED_MAX + 1)
		upto = STORE_LIST_UPDATED_MAX + 1;
	rc = sq_query_i64(c, &count, list_sql[Q_COUNT_MATCH], "ti", match,
	    upto);
	if (rc != ZEK_OK)
		return rc;
	if (q->by_updated && count > STORE_LIST_UPDATED_MAX)
		return ZEK_TOOBIG;
	*capped = q->count_max > 0 && count > q->count_max;
	*total = *capped ? q->count_max : count;
	return ZEK_OK;
}

enum zek_rc
lite_requests_list(struct store_conn *c, struct arena *a,
    const struct store_list_query *q, struct store_list_row **rows, size_t *n,
    int64_t *total, bool *capped)
{
	bool newer = q->has_cursor && q->backward;
	int64_t size_in, size_out, all;
	bool plain, nothing;
	char *match = NULL;
	enum zek_rc rc = ZEK_OK;
	struct walk_query w;
	int64_t *ids;
	size_t nids;
	struct buf b;

	*rows = NULL;
	*n = 0;
	*total = 0;
	*capped = false;
	if (q->limit == 0 || q->limit > STORE_LIST_LIMIT_MAX ||
	    q->nstatuses > STATUS_MAX_CODES ||
	    q->nnot_statuses > STATUS_MAX_CODES)
		return ZEK_INVALID;
	/* Only status and type restrict the list: counted exactly. */
	plain = (q->terms == NULL || q->terms[0] == '\0') &&
	    q->who == STORE_LIST_VISIBLE && q->see_all;
	buf_init(&b, MATCH_MAX);
	/* Which is smaller: the wanted statuses or the others? */
	size_in = size_out = 0;
	if (q->nnot_statuses > 0)
		rc = count_by(c, q->statuses, q->nstatuses, 0, &size_in);
	if (rc == ZEK_OK && q->nnot_statuses > 0)
		rc = count_by(c, q->not_statuses, q->nnot_statuses, 0,
		    &size_out);
	if (rc == ZEK_OK)
		rc = build_match(c, q, size_out < size_in, &b, &nothing);
	if (rc != ZEK_OK || nothing)
		goto out;
	match = arena_strndup(a, b.data != NULL ? b.data : "", b.len);
	if (match == NULL) {
		rc = ZEK_NOMEM;
		goto out;
	}
	if (plain) {
		rc = count_by(c, q->statuses,
		    q->nnot_statuses > 0 ? q->nstatuses : 0, q->type_id, total);
		if (rc == ZEK_OK && *total > 0 && b.len > 0)
			rc = count_by(c, NULL, 0, 0, &all);
		if (rc != ZEK_OK || *total == 0)
			goto out;
		/* Most requests pass: the next ones in order are the page. */
		if (b.len == 0 || *total >= all / 16) {
			rc = read_walk(c, a, newer, q, rows, n);
			goto out;
		}
	} else if (!q->skip_count || q->by_updated) {
		rc = count_hits(c, q, match, total, capped);
		if (rc != ZEK_OK || *total == 0)
			goto out;
	}
	if (q->by_updated) {
		rc = plain ? read_walk(c, a, newer, q, rows, n) :
		             read_updated_set(c, a, newer, q, match, rows, n);
		goto out;
	}
	w = (struct walk_query){ .match = match,
		.newest_first = !newer,
		.has_cursor = q->has_cursor,
		.cursor_created_at = q->cursor_at,
		.cursor_id = q->cursor_id,
		.limit = q->limit };
	rc = walk_hits(c, a, &w, &ids, &nids);
	if (rc == ZEK_OK)
		rc = read_ids(c, a, ids, nids, rows, n);
out:
	buf_free(&b);
	return rc;
}
