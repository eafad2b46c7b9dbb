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

/*
 * How a page is read. Every filter, the viewer's visibility and the search
 * words become one FTS5 query over request_search (see 0002_search.sql),
 * which counts the matches by its index alone. Then:
 * - few matches (<= STORE_LIST_DIRECT_MAX): read them by id and sort them;
 * - many matches: walk requests_created from the cursor, newest first, and
 *   keep the rows among the matches; they are dense, so the walk is short;
 * - no condition at all (an agent's "all requests"): just walk the index.
 * Keyset paging: ?1, ?2 = created_at and id of the cursor row.
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
/* The unary + keeps SQLite from driving the walk by the matches. */
#define MATCHING " AND +r.id IN (SELECT rowid FROM request_search " \
	"WHERE request_search MATCH ?3)"
#define DIRECT "SELECT r.id FROM request_search s JOIN requests r " \
	"ON r.id = s.rowid WHERE request_search MATCH ?3 AND "

enum list_stmt {
	Q_COUNT_ALL,
	Q_COUNT_MATCH,
	Q_WALK_OLDER,
	Q_WALK_NEWER,
	Q_WALK_MATCH_OLDER,
	Q_WALK_MATCH_NEWER,
	Q_DIRECT_OLDER,
	Q_DIRECT_NEWER,
	Q_VIEWER_ORGS,
	Q_MAX
};

static const char *const list_sql[Q_MAX] = {
	[Q_COUNT_ALL] = "SELECT count(*) FROM requests",
	[Q_COUNT_MATCH] = "SELECT count(*) FROM request_search "
	    "WHERE request_search MATCH ?",
	[Q_WALK_OLDER] = OUT_COLS WALK OLDER DESC_LIMIT OUT_JOIN,
	[Q_WALK_NEWER] = OUT_COLS WALK NEWER ASC_LIMIT OUT_JOIN,
	[Q_WALK_MATCH_OLDER] = OUT_COLS WALK OLDER MATCHING DESC_LIMIT OUT_JOIN,
	[Q_WALK_MATCH_NEWER] = OUT_COLS WALK NEWER MATCHING ASC_LIMIT OUT_JOIN,
	[Q_DIRECT_OLDER] = OUT_COLS DIRECT OLDER DESC_LIMIT OUT_JOIN,
	[Q_DIRECT_NEWER] = OUT_COLS DIRECT NEWER ASC_LIMIT OUT_JOIN,
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
    struct buf *b, bool *nothing)
{
	bool has_terms = q->terms != NULL && q->terms[0] != '\0';
	bool has_who = q->who != STORE_LIST_VISIBLE || !q->see_all;
	bool first = true, negate;
	enum zek_rc rc = ZEK_OK;
	size_t nwords;

	*nothing = false;
	/* A status set is a filter on the facets. When the excluded statuses
	 * are fewer (e.g. "closed" = none of the four open ones), exclude
	 * them instead: a short list to skip beats a long one to intersect.
	 * NOT needs something on its left, so only with another condition. */
	negate = q->nstatuses > 0 && q->nnot_statuses > 0 &&
	    q->nnot_statuses < q->nstatuses &&
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

static enum zek_rc
read_page(struct store_conn *c, struct arena *a, enum list_stmt which,
    const struct store_list_query *q, const char *match,
    struct store_list_row **rows, size_t *n)
{
	int64_t at = INT64_MAX, id = INT64_MAX;
	enum zek_rc rc;
	sqlite3_stmt *st;

	if (q->has_cursor) {
		at = q->cursor_created_at;
		id = q->cursor_id;
	}
	st = sq_start(c, &rc, list_sql[which], "iitz", at, id, match, q->limit);
	if (st == NULL)
		return rc;
	return sq_collect(c, a, st, map_list_row, sizeof(**rows), (void **)rows,
	    n);
}

enum zek_rc
store_requests_list(struct store_conn *c, struct arena *a,
    const struct store_list_query *q, struct store_list_row **rows,
    size_t *n, int64_t *total)
{
	bool newer = q->has_cursor && q->backward;
	enum list_stmt which;
	char *match = NULL;
	enum zek_rc rc;
	bool nothing;
	struct buf b;

	*rows = NULL;
	*n = 0;
	*total = 0;
	if (q->limit == 0 || q->limit > STORE_LIST_LIMIT_MAX)
		return ZEK_INVALID;
	buf_init(&b, MATCH_MAX);
	rc = build_match(c, q, &b, &nothing);
	if (rc != ZEK_OK || nothing)
		goto out;
	if (b.len == 0) {
		rc = sq_query_i64(c, total, list_sql[Q_COUNT_ALL], "");
		if (rc == ZEK_OK && *total > 0)
			rc = read_page(c, a, newer ? Q_WALK_NEWER : Q_WALK_OLDER, q,
			    NULL, rows, n);
		goto out;
	}
	match = arena_strndup(a, b.data, b.len);
	if (match == NULL) {
		rc = ZEK_NOMEM;
		goto out;
	}
	rc = sq_query_i64(c, total, list_sql[Q_COUNT_MATCH], "t", match);
	if (rc != ZEK_OK || *total == 0)
		goto out;
	if (*total <= STORE_LIST_DIRECT_MAX)
		which = newer ? Q_DIRECT_NEWER : Q_DIRECT_OLDER;
	else
		which = newer ? Q_WALK_MATCH_NEWER : Q_WALK_MATCH_OLDER;
	rc = read_page(c, a, which, q, match, rows, n);
out:
	buf_free(&b);
	return rc;
}
