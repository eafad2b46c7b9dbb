/* sqlite_list.c: the request list ("Anfragen"): filters, visibility and
 * search in one FTS5 query, pages by keyset, counts. */
#include "store/store.h"

#include <sqlite3.h>
#include <stdint.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/utf8.h"
#include "store/sqlite_int.h"

#define MATCH_MAX 8192          /* bytes of one FTS5 query */
#define IDS_MAX (24 * (STORE_LIST_DIRECT_MAX + 1) + 2)  /* the JSON array */

/*
 * How a page is read. Every filter, the viewer's visibility and the search
 * words become one FTS5 query over request_search (see 0002_search.sql),
 * which counts the matches by its index alone:
 * - few matches (<= STORE_LIST_DIRECT_MAX), found by reading at most one
 *   more: that is the count, and the page is sorted from them by id;
 * - many matches: walk requests_created from the cursor, newest first, and
 *   keep the rows among the matches; they are dense, so the walk is short.
 * Lists restricted by status and type only (an agent's, without search)
 * are counted from request_counts and, when long, walk requests_created
 * reading status and type from the index, without the FTS index at all.
 * Parameters: ?1, ?2 = created_at and id of the cursor row, ?3 the FTS5
 * query, ?4 the number of rows; ?5..?12 status codes (?5 NULL = any),
 * ?13 a type id (0 = any).
 */
#define OUT_COLS "SELECT r.id, r.issue_key, r.title, r.status, r.type_id, " \
	"r.desk_id, r.reporter_id, u.name, r.created_at FROM ("
#define OUT_JOIN ") k JOIN requests r ON r.id = k.id " \
	"JOIN users u ON u.id = r.reporter_id " \
	"ORDER BY r.created_at DESC, r.id DESC"
#define OLDER "(r.created_at < ?1 OR (r.created_at = ?1 AND r.id < ?2))"
#define NEWER "(r.created_at > ?1 OR (r.created_at = ?1 AND r.id > ?2))"
#define DESC_LIMIT " ORDER BY r.created_at DESC, r.id DESC LIMIT ?4"
#define ASC_LIMIT " ORDER BY r.created_at, r.id LIMIT ?4"
#define WALK "SELECT r.id FROM requests r INDEXED BY requests_created WHERE "
#define FILTERED " AND (?5 IS NULL OR +r.status IN " \
	"(?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)) AND (?13 = 0 OR +r.type_id = ?13)"
/* The unary + keeps SQLite from driving the walk by the matches. */
#define MATCHING " AND +r.id IN (SELECT rowid FROM request_search " \
	"WHERE request_search MATCH ?3)"
/* The matches, read once, are handed back as a JSON array of ids. */
#define BY_ID "SELECT r.id FROM json_each(?3) j JOIN requests r " \
	"ON r.id = j.value WHERE "
#define STATUS_MAX_CODES 8      /* ?5..?12 */

enum list_stmt {
	Q_COUNT_MATCH,
	Q_COUNT_BY,
	Q_WALK_OLDER,
	Q_WALK_NEWER,
	Q_WALK_MATCH_OLDER,
	Q_WALK_MATCH_NEWER,
	Q_MATCH_IDS,
	Q_BY_ID_OLDER,
	Q_BY_ID_NEWER,
	Q_VIEWER_ORGS,
	Q_MAX
};

static const char *const list_sql[Q_MAX] = {
	[Q_COUNT_MATCH] = "SELECT count(*) FROM request_search "
	    "WHERE request_search MATCH ?",
	[Q_COUNT_BY] = "SELECT coalesce(sum(n), 0) FROM request_counts "
	    "WHERE (?1 IS NULL OR status IN (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)) "
	    "AND (?9 = 0 OR type_id = ?9)",
	[Q_WALK_OLDER] = OUT_COLS WALK OLDER FILTERED DESC_LIMIT OUT_JOIN,
	[Q_WALK_NEWER] = OUT_COLS WALK NEWER FILTERED ASC_LIMIT OUT_JOIN,
	[Q_WALK_MATCH_OLDER] = OUT_COLS WALK OLDER MATCHING DESC_LIMIT OUT_JOIN,
	[Q_WALK_MATCH_NEWER] = OUT_COLS WALK NEWER MATCHING ASC_LIMIT OUT_JOIN,
	[Q_MATCH_IDS] = "SELECT rowid FROM request_search "
	    "WHERE request_search MATCH ? LIMIT ?",
	[Q_BY_ID_OLDER] = OUT_COLS BY_ID OLDER DESC_LIMIT OUT_JOIN,
	[Q_BY_ID_NEWER] = OUT_COLS BY_ID NEWER ASC_LIMIT OUT_JOIN,
	[Q_VIEWER_ORGS] = "SELECT org_id FROM user_orgs WHERE user_id = ? "
	    "ORDER BY org_id LIMIT 200",     /* a viewer's organisations */
};

const char *
store_list_statement(size_t i)
{
	return i < Q_MAX ? list_sql[i] : NULL;
}

/* ---- the FTS5 query ---- */

/* Whether the code point is part of a word for the unicode61 tokenizer
 * (letters, numbers, private use); everything else separates words. */
static bool
is_word_char(UChar32 ch)
{
	return (U_GET_GC_MASK(ch) & (U_GC_L_MASK | U_GC_N_MASK | U_GC_CO_MASK))
	    != 0;
}

/*
 * One user word as an FTS5 string: "..." with " doubled, so no operator,
 * quote, bracket, column filter or NEAR in the input can mean anything but
 * text. Words without a word character would be an empty phrase, which
 * matches nothing: they are skipped (*added false). A word ending in a
 * letter becomes a prefix query ("stör" finds "Störungsmeldung"); one
 * ending in a digit does not ("ZEK-12" is not ZEK-120), nor a single
 * character (too costly: there is no one-character prefix index).
 */
static void
put_word(struct buf *b, const char *w, size_t len, bool *added)
{
	UChar32 ch, last = 0;
	size_t nword = 0;
	int32_t i = 0;

	while (i < (int32_t)len) {
		U8_NEXT(w, i, (int32_t)len, ch);
		if (ch >= 0 && is_word_char(ch)) {
			nword++;
			last = ch;
		}
	}
	*added = nword > 0;
	if (nword == 0)
		return;
	buf_putc(b, '"');
	for (size_t k = 0; k < len; k++) {
		if (w[k] == '"')
			buf_putc(b, '"');
		buf_putc(b, w[k]);
	}
	buf_putc(b, '"');
	if (nword >= 2 && !u_isdigit(last))
		buf_putc(b, '*');
}

/* The user's words, each required, matched in key, title and description.
 * *nwords = how many were usable. */
static enum zek_rc
put_terms(struct buf *b, const char *terms, size_t *nwords)
{
	size_t i = 0, n = strlen(terms), start;
	bool added;

	*nwords = 0;
	if (n > STORE_LIST_TERMS_MAX || !utf8_valid(terms, n))
		return ZEK_INVALID;
	buf_puts(b, "({issue_key title description} : (");
	while (i < n && *nwords < STORE_LIST_WORDS_MAX) {
		while (i < n && strchr(" \t\r\n\f\v", terms[i]) != NULL)
			i++;
		start = i;
		while (i < n && strchr(" \t\r\n\f\v", terms[i]) == NULL)
			i++;
		if (i == start)
			break;
		if (*nwords > 0)
			buf_putc(b, ' ');
		put_word(b, terms + start, i - start, &added);
		if (added)
			(*nwords)++;
	}
	buf_puts(b, "))");
	return ZEK_OK;
}

/* A facet token for a status code: "zs" and the code's letters and digits
 * ("wartet_support" -> "zswartetsupport"). */
static enum zek_rc
put_status(struct buf *b, const char *code)
{
	if (code == NULL || code[0] == '\0')
		return ZEK_INVALID;
	buf_puts(b, "zs");
	for (; *code != '\0'; code++) {
		if ((*code >= 'a' && *code <= 'z') || (*code >= '0' && *code <= '9'))
			buf_putc(b, *code);
		else if (*code != '_')
			return ZEK_INVALID;
	}
	return ZEK_OK;
}

static enum zek_rc
put_status_set(struct buf *b, const char *const *codes, size_t n)
{
	enum zek_rc rc = ZEK_OK;
	size_t i;

	buf_puts(b, "(facets : (");
	for (i = 0; rc == ZEK_OK && i < n; i++) {
		if (i > 0)
			buf_puts(b, " OR ");
		rc = put_status(b, codes[i]);
	}
	buf_puts(b, "))");
	return rc;
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
	sqlite3_stmt *st;
	int step;

	st = sq_start(c, &rc, list_sql[Q_VIEWER_ORGS], "i", viewer);
	if (st == NULL)
		return rc;
	buf_printf(b, "(facets : (zr%lld OR zc%lld OR zp%lld", (long long)viewer,
	    (long long)viewer, (long long)viewer);
	while ((step = sq_next(c, st, &rc)) == 1)
		buf_printf(b, " OR zo%lld", (long long)sqlite3_column_int64(st, 0));
	buf_puts(b, "))");
	sq_finish(st);
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
	bool first = true, negate;
	enum zek_rc rc = ZEK_OK;
	size_t nwords;

	*nothing = false;
	/* A status set is a filter on the facets. When the other statuses
	 * have fewer requests (e.g. "closed" = none of the open ones), exclude
	 * them instead: a short list to skip beats a long one to intersect.
	 * NOT needs something on its left, so only with another condition. */
	negate = exclude && q->nstatuses > 0 && q->nnot_statuses > 0 &&
	    (has_terms || q->type_id > 0 || has_who);
	if (negate)
		buf_putc(b, '(');
	if (has_terms) {
		put_and(b, &first);
		rc = put_terms(b, q->terms, &nwords);
		if (rc == ZEK_OK && nwords == 0)
			*nothing = true;
	}
	if (rc == ZEK_OK && q->type_id > 0) {
		put_and(b, &first);
		buf_printf(b, "(facets : zt%lld)", (long long)q->type_id);
	}
	if (rc == ZEK_OK && q->who == STORE_LIST_REPORTED) {
		put_and(b, &first);
		buf_printf(b, "(facets : zr%lld)", (long long)q->viewer_id);
	} else if (rc == ZEK_OK && q->who == STORE_LIST_PARTICIPATING) {
		put_and(b, &first);
		buf_printf(b, "(facets : zp%lld)", (long long)q->viewer_id);
	} else if (rc == ZEK_OK && !q->see_all) {
		put_and(b, &first);
		rc = put_visible(c, b, q->viewer_id);
	}
	if (rc == ZEK_OK && negate) {
		buf_puts(b, ") NOT ");
		rc = put_status_set(b, q->not_statuses, q->nnot_statuses);
	} else if (rc == ZEK_OK && q->nstatuses > 0 && q->nnot_statuses > 0) {
		put_and(b, &first);
		rc = put_status_set(b, q->statuses, q->nstatuses);
	}
	if (rc == ZEK_OK && b->failed)
		rc = ZEK_TOOBIG;
	return rc;
}

/* ---- the page ---- */

static void
map_list_row(struct sq_row *r, void *elem)
{
	struct store_list_row *x = elem;

	x->id = sq_col_i64(r);
	x->key = sq_col_str(r);
	x->title = sq_col_str(r);
	x->status = sq_col_str(r);
	x->type_id = sq_col_i64(r);
	x->desk_id = sq_col_i64(r);
	x->reporter_id = sq_col_i64(r);
	x->reporter_name = sq_col_str(r);
	x->created_at = sq_col_i64(r);
}

/* Up to STATUS_MAX_CODES codes, the rest NULL. */
static void
status_params(const char *const *codes, size_t n, const char **out)
{
	for (size_t i = 0; i < STATUS_MAX_CODES; i++)
		out[i] = i < n ? codes[i] : NULL;
}

static enum zek_rc
read_page(struct store_conn *c, struct arena *a, enum list_stmt which,
    const struct store_list_query *q, const char *match,
    struct store_list_row **rows, size_t *n)
{
	int64_t at = INT64_MAX, id = INT64_MAX;
	const char *st8[STATUS_MAX_CODES];
	enum zek_rc rc;
	sqlite3_stmt *st;

	if (q->has_cursor) {
		at = q->cursor_created_at;
		id = q->cursor_id;
	}
	if (which == Q_WALK_OLDER || which == Q_WALK_NEWER) {
		status_params(q->statuses, q->nnot_statuses > 0 ? q->nstatuses : 0,
		    st8);
		st = sq_start(c, &rc, list_sql[which], "iitztttttttti", at, id,
		    match, q->limit, st8[0], st8[1], st8[2], st8[3], st8[4], st8[5],
		    st8[6], st8[7], q->type_id);
	} else {
		st = sq_start(c, &rc, list_sql[which], "iitz", at, id, match,
		    q->limit);
	}
	if (st == NULL)
		return rc;
	return sq_collect(c, a, st, map_list_row, sizeof(**rows), (void **)rows,
	    n);
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

/*
 * The ids matching the FTS5 query, as a JSON array into ids, if there are
 * at most STORE_LIST_DIRECT_MAX of them; *n = how many were read (one more
 * than that when there are more).
 */
static enum zek_rc
match_ids(struct store_conn *c, const char *match, struct buf *ids,
    int64_t *n)
{
	enum zek_rc rc;
	sqlite3_stmt *st;
	int step;

	*n = 0;
	st = sq_start(c, &rc, list_sql[Q_MATCH_IDS], "tz", match,
	    (size_t)STORE_LIST_DIRECT_MAX + 1);
	if (st == NULL)
		return rc;
	buf_putc(ids, '[');
	while ((step = sq_next(c, st, &rc)) == 1) {
		buf_printf(ids, "%s%lld", *n > 0 ? "," : "",
		    (long long)sqlite3_column_int64(st, 0));
		(*n)++;
	}
	buf_putc(ids, ']');
	sq_finish(st);
	if (step < 0)
		return rc;
	return ids->failed ? ZEK_NOMEM : ZEK_OK;
}

enum zek_rc
store_requests_list(struct store_conn *c, struct arena *a,
    const struct store_list_query *q, struct store_list_row **rows,
    size_t *n, int64_t *total)
{
	bool newer = q->has_cursor && q->backward;
	int64_t size_in, size_out, nids;
	bool plain, nothing;
	char *match = NULL;
	struct buf b, ids;
	enum zek_rc rc = ZEK_OK;

	*rows = NULL;
	*n = 0;
	*total = 0;
	if (q->limit == 0 || q->limit > STORE_LIST_LIMIT_MAX ||
	    q->nstatuses > STATUS_MAX_CODES || q->nnot_statuses > STATUS_MAX_CODES)
		return ZEK_INVALID;
	/* Only status and type restrict the list: no FTS5 needed to walk. */
	plain = (q->terms == NULL || q->terms[0] == '\0') &&
	    q->who == STORE_LIST_VISIBLE && q->see_all;
	buf_init(&b, MATCH_MAX);
	buf_init(&ids, IDS_MAX);
	/* Which is smaller: the wanted statuses or the others? */
	size_in = size_out = 0;
	if (q->nnot_statuses > 0)
		rc = count_by(c, q->statuses, q->nstatuses, 0, &size_in);
	if (rc == ZEK_OK && q->nnot_statuses > 0)
		rc = count_by(c, q->not_statuses, q->nnot_statuses, 0, &size_out);
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
		rc = count_by(c, q->statuses, q->nnot_statuses > 0 ? q->nstatuses : 0,
		    q->type_id, total);
		if (rc != ZEK_OK || *total == 0)
			goto out;
		if (b.len == 0 || *total > STORE_LIST_DIRECT_MAX) {
			rc = read_page(c, a, newer ? Q_WALK_NEWER : Q_WALK_OLDER, q,
			    match, rows, n);
			goto out;
		}
	}
	/* An agent searching everything usually has many matches: count them
	 * first (one read of the FTS5 index) rather than try to collect them. */
	if (!plain && q->see_all && q->who == STORE_LIST_VISIBLE) {
		rc = sq_query_i64(c, total, list_sql[Q_COUNT_MATCH], "t", match);
		if (rc != ZEK_OK || *total == 0)
			goto out;
		if (*total > STORE_LIST_DIRECT_MAX) {
			rc = read_page(c, a, newer ? Q_WALK_MATCH_NEWER :
			    Q_WALK_MATCH_OLDER, q, match, rows, n);
			goto out;
		}
	}
	/* Few matches: one read of the FTS5 index gives all of them and their
	 * count, and the page is sorted from them. */
	rc = match_ids(c, match, &ids, &nids);
	if (rc != ZEK_OK)
		goto out;
	if (nids <= STORE_LIST_DIRECT_MAX) {
		*total = nids;
		if (nids > 0)
			rc = read_page(c, a, newer ? Q_BY_ID_NEWER : Q_BY_ID_OLDER, q,
			    ids.data, rows, n);
		goto out;
	}
	/* Many: count them, and walk the requests newest first keeping the
	 * matching ones. */
	rc = sq_query_i64(c, total, list_sql[Q_COUNT_MATCH], "t", match);
	if (rc == ZEK_OK && *total > 0)
		rc = read_page(c, a, newer ? Q_WALK_MATCH_NEWER : Q_WALK_MATCH_OLDER,
		    q, match, rows, n);
out:
	buf_free(&b);
	buf_free(&ids);
	return rc;
}
