/* sqlite_queue.c: the agents' queues on SQLite (pages, search, counts). */
#include "store/store.h"

#include <stdint.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "store/sqlite_int.h"
#include "store/store_sqlite.h"
#include "store/sqlite_match.h"
#include "store/sqlite_walk.h"
#include "store/search_words.h"

/*
 * How a queue is read. A page reads one status at a time (core merges the
 * statuses of a queue) in one order from a cursor, by one of the indexes
 * of 0006_agent.sql, so a page costs `limit` index steps however long the
 * queue is. Search words and the status become an FTS5 query over
 * request_search (words in key, title, description; the status as its
 * facet token, see 0002_search.sql); when it matches few requests
 * (STORE_QUEUE_DIRECT_MAX)
 * the page reads those by id and sorts them ("direct"), else it walks the
 * index and keeps the rows among the matches ("walk"; the unary + keeps
 * SQLite from driving the walk by the matches). "walk" gathers every match
 * first (about 0.3 us each); when the matches are so many that a page
 * finds its rows after a few index steps, the page instead asks the index
 * about each request it steps on ("probe", about 40 us each; see
 * probe_pays).
 * Parameters of a page: ?1, ?2 the cursor's order value and id, ?3 the
 * status, ?4 the number of rows, ?5 the assignee, ?6 updated since (or
 * breached by), ?7 the FTS5 query. Of a count: ?1..?4 statuses, ?5..?7
 * as a page.
 */
#define QCOLS \
	"SELECT r.id, r.issue_key, r.title, r.status, r.resolution, " \
	"r.type_id, r.desk_id, r.reporter_id, u.name, " \
	"coalesce(r.assignee_id, 0), coalesce(a.name, ''), r.created_at, " \
	"r.updated_at, r.sla_due_at, r.sla_due_goal_ms, r.sla_breach_at "
#define QJOIN \
	"JOIN users u ON u.id = r.reporter_id " \
	"LEFT JOIN users a ON a.id = r.assignee_id "
#define QORDER(F, CMP, DIR) \
	" AND (r." F ", r.id) " CMP " (?1, ?2) " \
	"ORDER BY r." F " " DIR ", r.id " DIR " LIMIT ?4"
#define MATCHES \
	"(SELECT rowid FROM request_search " \
	"WHERE request_search MATCH ?7)"

#define Q_PLAIN(F, CMP, DIR, IDX, COND) \
	QCOLS "FROM requests r " IDX QJOIN "WHERE r.status = ?3" COND QORDER( \
	    F, CMP, DIR)
#define Q_DIRECT(F, CMP, DIR, IDX, COND) \
	QCOLS "FROM request_search s " \
	      "CROSS JOIN requests r ON r.id = s.rowid " QJOIN \
	      "WHERE request_search MATCH ?7 AND r.status = ?3" COND \
	      QORDER(F, CMP, DIR)
#define Q_WALK(F, CMP, DIR, IDX, COND) \
	QCOLS "FROM requests r " IDX QJOIN "WHERE r.status = ?3" COND \
	      " AND +r.id IN " MATCHES \
	      QORDER(F, CMP, DIR)
#define Q_PROBE(F, CMP, DIR, IDX, COND) \
	QCOLS "FROM requests r " IDX QJOIN "WHERE r.status = ?3" COND \
	      " AND EXISTS (SELECT 1 FROM request_search s " \
	      "WHERE request_search MATCH ?7 AND s.rowid = r.id)" QORDER(F, \
	          CMP, DIR)
#define Q_FORMS(F, CMP, DIR, IDX, COND) \
	Q_PLAIN(F, CMP, DIR, IDX, COND), Q_DIRECT(F, CMP, DIR, IDX, COND), \
	    Q_WALK(F, CMP, DIR, IDX, COND), Q_PROBE(F, CMP, DIR, IDX, COND)
/* The assignee conditions in enum store_assignee order, then "since":
 * recently closed requests by their (status, updated_at) range, then
 * "breached": a service level breached by ?6. */
#define Q_BREACHED " AND r.sla_breach_at <= ?6"
#define Q_MODES(F, CMP, DIR) \
	Q_FORMS(F, CMP, DIR, "", ""), \
	    Q_FORMS(F, CMP, DIR, "", " AND r.assignee_id IS NULL"), \
	    Q_FORMS(F, CMP, DIR, "", " AND r.assignee_id = ?5"), \
	    Q_FORMS(F, CMP, DIR, "INDEXED BY requests_status ", \
	        " AND r.updated_at >= ?6"), \
	    Q_FORMS(F, CMP, DIR, "", Q_BREACHED)

/* The forms a count has too come first. */
enum {
	FORM_PLAIN,
	FORM_DIRECT,
	FORM_WALK,
	FORM_COUNTED,
	FORM_PROBE = FORM_COUNTED, /* a page's only */
	FORM_MAX
};
/* Index: ((order * 2 + ascending) * SQ_MODE_MAX + mode) * FORM_MAX +
 * form. */
static const char *const page_sql[] = {
	Q_MODES("created_at", "<", "DESC"),
	Q_MODES("created_at", ">", "ASC"),
	Q_MODES("updated_at", "<", "DESC"),
	Q_MODES("updated_at", ">", "ASC"),
	Q_MODES("sla_due_at", "<", "DESC"),
	Q_MODES("sla_due_at", ">", "ASC"),
};

#define C_STATUS "r.status IN (?1, ?2, ?3, ?4)"
#define C_FORMS(COND) \
	"SELECT count(*) FROM requests r WHERE " C_STATUS COND, \
	    "SELECT count(*) FROM request_search s CROSS JOIN requests r " \
	    "ON r.id = s.rowid WHERE request_search MATCH ?7 AND " C_STATUS \
	        COND, \
	    "SELECT count(*) FROM requests r WHERE " C_STATUS COND \
	    " AND +r.id IN " MATCHES

/* Index: mode * FORM_COUNTED + form. */
static const char *const count_sql[] = {
	C_FORMS(""),
	C_FORMS(" AND r.assignee_id IS NULL"),
	C_FORMS(" AND r.assignee_id = ?5"),
	C_FORMS(" AND r.updated_at >= ?6"),
	C_FORMS(Q_BREACHED),
};

/* The hits of an FTS5 query, up to ?2 of them. */
static const char capped_count_sql
    [] = "SELECT count(*) FROM (SELECT 1 "
         "FROM request_search WHERE request_search MATCH ?1 LIMIT ?2)";

/* Anyone's requests in the statuses: kept by triggers (0002_search.sql). */
static const char
    status_count_sql[] = "SELECT coalesce(sum(n), 0) FROM request_counts "
                         "WHERE status IN (?1, ?2, ?3, ?4)";

/* One assignee's (0 = nobody) in the statuses: kept by triggers
 * (0011_queue_counts.sql). */
static const char assignee_count_sql
    [] = "SELECT coalesce(sum(n), 0) FROM request_assignee_counts "
         "WHERE assignee_id = ?5 AND status IN (?1, ?2, ?3, ?4)";

/* A page of search hits in creation order, read by the ids the walk found
 * (sqlite_walk.c), in either order. */
#define Q_IDS(DIR) \
	QCOLS "FROM json_each(?1) j CROSS JOIN requests r " \
	      "ON r.id = j.value " QJOIN "ORDER BY r.created_at " DIR \
	      ", r.id " DIR
static const char *const ids_sql[2] = { Q_IDS("DESC"), Q_IDS("ASC") };

/* What a walk hit must also be (the assignee; updated since; breached). */
static const char hit_sql[] = "SELECT coalesce(assignee_id, 0), updated_at, "
                              "sla_breach_at FROM requests WHERE id = ?";

const char *
store_queue_statement(size_t i)
{
	/* Q_IDS again, not ids_sql[i]: clang wants constant initializers. */
	static const char *const more[] = { capped_count_sql, status_count_sql,
		assignee_count_sql, Q_IDS("DESC"), Q_IDS("ASC"), hit_sql };
	size_t np = ZEK_ARRAY_LEN(page_sql), nc = ZEK_ARRAY_LEN(count_sql);

	if (i < np)
		return page_sql[i];
	if (i < np + nc)
		return count_sql[i - np];
	i -= np + nc;
	if (i < ZEK_ARRAY_LEN(more))
		return more[i];
	return walk_statement(i - ZEK_ARRAY_LEN(more));
}

/* ---- the FTS5 query ---- */

/*
 * The words of `terms`, each required, in key, title and description, and
 * one of `statuses` as a facet (so the index hands out only the queue's
 * matches; none: the words alone), as an arena string; "" when no word is
 * usable.
 */
static enum zek_rc
build_match(struct arena *a, const char *terms, const char *const *statuses,
    size_t nstatuses, const char **out)
{
	enum zek_rc rc;
	size_t nwords;
	struct buf b;

	*out = "";
	buf_init(&b, MATCH_MAX);
	rc = match_put_terms(&b, terms, STORE_QUEUE_TERMS_MAX,
	    STORE_QUEUE_WORDS_MAX, &nwords);
	if (rc == ZEK_OK && search_statuses_all_open(statuses, nstatuses)) {
		/* One token for the four (0007_list_walk.sql): cheaper to
		 * intersect than their OR. */
		buf_puts(&b, " AND (facets : zgopen)");
	} else if (rc == ZEK_OK && nstatuses > 0) {
		buf_puts(&b, " AND ");
		rc = match_put_status_set(&b, statuses, nstatuses);
	}
	if (rc == ZEK_OK && b.failed)
		rc = b.failed; /* ZEK_TOOBIG, or ZEK_NOMEM */
	else if (rc == ZEK_OK && nwords > 0 &&
	    (*out = arena_strndup(a, b.data, b.len)) == NULL)
		rc = ZEK_NOMEM;
	buf_free(&b);
	return rc;
}

/* ---- reading a queue ---- */

/* Where the first `?2` matches of an FTS5 query end, in request ids. */
static const char last_hit_sql
    [] = "SELECT coalesce(max(rowid), 0) FROM (SELECT rowid "
         "FROM request_search WHERE request_search MATCH ?1 LIMIT ?2)";

/*
 * Whether a page of one status should probe: it steps on about
 * limit * total / matches requests of the status's `total`, 40 us each,
 * where gathering the matches costs about 0.3 us each, so probing is
 * cheaper once matches^2 > limit * total * 133. Counting the matches
 * would cost as much as gathering them; they are estimated instead from
 * how far into the ids (which count from 1) the first DIRECT_MAX + 1
 * matches of the words alone reach, as the words' share of the status.
 * Status "offen" of the 1,000,000-request bench database, a page of 25
 * (the sqlite3 shell's .timer), gathered / probed: "antr" (59,000 open
 * matches) 14 / 1.6 ms, "storung" (30,000) 10.4 / 3.2 ms, "windows"
 * (7,900) 4.1 / 7.2 ms, "fischereisch" (2,800) 2.6 / 29 ms.
 */
static enum zek_rc
probe_pays(struct store_conn *c, struct arena *a,
    const struct store_queue_query *q, const char *status, bool *out)
{
	const double first = (double)STORE_QUEUE_DIRECT_MAX + 1;
	int64_t total = 0, last = 0;
	const char *words;
	enum zek_rc rc;

	*out = false;
	rc = build_match(a, q->terms, NULL, 0, &words);
	if (rc == ZEK_OK && words[0] != '\0')
		rc = sq_query_i64(c, &last, last_hit_sql, "ti", words,
		    (int64_t)first);
	if (rc == ZEK_OK && last > 0)
		rc = sq_query_i64(c, &total, status_count_sql, "tttt", status,
		    NULL, NULL, NULL);
	/* est = first * total / last; est^2 > limit * total * 133 */
	*out = rc == ZEK_OK && last > 0 &&
	    first * first * (double)total >
	        133.0 * (double)q->limit * (double)last * (double)last;
	return rc;
}

/* The search of q as an FTS5 query (*match, "" = no search) and the form
 * of reading it (a page of one status may probe); *nothing when the words
 * cannot match anything. */
static enum zek_rc
search_form(struct store_conn *c, struct arena *a,
    const struct store_queue_query *q, const char *const *statuses,
    size_t nstatuses, bool page, const char **match, int *form, bool *nothing)
{
	enum zek_rc rc;
	int64_t hits;
	bool probe;

	*match = "";
	*form = FORM_PLAIN;
	*nothing = false;
	if (q->terms == NULL || q->terms[0] == '\0')
		return ZEK_OK;
	rc = build_match(a, q->terms, statuses, nstatuses, match);
	if (rc != ZEK_OK)
		return rc;
	if ((*match)[0] == '\0') {
		*nothing = true;
		return ZEK_OK;
	}
	/* Only whether they are few: count up to one past the limit. */
	rc = sq_query_i64(c, &hits, capped_count_sql, "ti", *match,
	    (int64_t)STORE_QUEUE_DIRECT_MAX + 1);
	if (rc != ZEK_OK)
		return rc;
	*nothing = hits == 0;
	*form = hits <= STORE_QUEUE_DIRECT_MAX ? FORM_DIRECT : FORM_WALK;
	if (*form == FORM_WALK && page) {
		rc = probe_pays(c, a, q, statuses[0], &probe);
		if (probe)
			*form = FORM_PROBE;
	}
	return rc;
}

/* Binds the parameters a statement has; the forms differ in which of
 * ?1..?7 they use, and the highest one present sets the count. */
static int
bind_some(sqlite3_stmt *st, int idx, int is_text, int64_t v, const char *s)
{
	if (idx > sqlite3_bind_parameter_count(st))
		return SQLITE_OK;
	if (is_text)
		return s != NULL ?
		    sqlite3_bind_text(st, idx, s, -1, SQLITE_TRANSIENT) :
		    sqlite3_bind_null(st, idx);
	return sqlite3_bind_int64(st, idx, v);
}

/* Binds what a queue's page and its count share: ?5 the assignee, ?6 the
 * mode's time (sq_queue_p6), ?7 the search. */
static int
bind_queue(sqlite3_stmt *st, const struct store_queue_query *q,
    const char *match)
{
	int src = bind_some(st, 5, 0, q->assignee_id, NULL);

	if (src == SQLITE_OK)
		src = bind_some(st, 6, 0, sq_queue_p6(q), NULL);
	if (src == SQLITE_OK)
		src = bind_some(st, 7, 1, 0, match);
	return src;
}

/* A walk hit's assignee and update time against q's conditions. */
static enum zek_rc
queue_filter(struct store_conn *c, int64_t id, void *arg, bool *keep)
{
	const struct store_queue_query *q = arg;
	int64_t assignee, updated, breach;
	enum zek_rc rc;
	struct sq_stmt *st;
	int step;

	*keep = false;
	st = sq_start(c, &rc, hit_sql, "i", id);
	if (st == NULL)
		return rc;
	step = sq_next(c, st, &rc);
	if (step == 1) {
		assignee = sq_stmt_i64(c, st, 0);
		updated = sq_stmt_i64(c, st, 1);
		breach = sq_stmt_i64(c, st, 2);
		*keep = updated >= q->updated_since &&
		    (q->breached_by <= 0 || breach <= q->breached_by) &&
		    (q->assignee == STORE_ASSIGNEE_ANY ||
		        (q->assignee == STORE_ASSIGNEE_NONE && assignee == 0) ||
		        (q->assignee == STORE_ASSIGNEE_USER &&
		            assignee == q->assignee_id));
	}
	sq_finish(c, st);
	return step < 0 ? rc : ZEK_OK;
}

/*
 * A page of search hits in creation order: the walk reads hits in id
 * order and stops after about a page (sqlite_walk.c), however many
 * requests match; the rows are then read by id.
 */
static enum zek_rc
walk_page(struct store_conn *c, struct arena *a,
    const struct store_queue_query *q, const char *match,
    struct store_queue_row **rows, size_t *n)
{
	struct walk_query w = { .match = match,
		.newest_first = !q->ascending,
		.has_cursor = q->has_cursor,
		.cursor_created_at = q->cursor_value,
		.cursor_id = q->cursor_id,
		.limit = q->limit };
	enum zek_rc rc;
	struct sq_stmt *st;
	int64_t *ids;
	struct buf b;
	size_t nids, i;

	if (sq_queue_mode(q) != SQ_MODE_ANY) {
		w.filter = queue_filter;
		w.filter_arg = (void *)q;
	}
	rc = walk_hits(c, a, &w, &ids, &nids);
	if (rc != ZEK_OK || nids == 0)
		return rc;
	buf_init(&b, 24 * (nids + 1));
	buf_putc(&b, '[');
	for (i = 0; i < nids; i++)
		buf_printf(&b, "%s%lld", i > 0 ? "," : "", (long long)ids[i]);
	buf_putc(&b, ']');
	if (b.failed) {
		buf_free(&b);
		return ZEK_NOMEM;
	}
	st = sq_start(c, &rc, ids_sql[q->ascending ? 1 : 0], "t", b.data);
	if (st != NULL)
		rc = sq_collect(c, a, st, sq_map_queue_row, sizeof(**rows),
		    (void **)rows, n);
	buf_free(&b);
	return rc;
}

enum zek_rc
lite_queue_page(struct store_conn *c, struct arena *a,
    const struct store_queue_query *q, struct store_queue_row **rows, size_t *n)
{
	int64_t from_v, from_id;
	const char *match;
	enum zek_rc rc;
	sqlite3_stmt *st;
	bool nothing;
	int form, src;
	size_t idx;

	*rows = NULL;
	*n = 0;
	if (q->limit == 0 || q->limit > STORE_QUEUE_LIMIT_MAX ||
	    q->status == NULL || !sq_queue_ok(q))
		return ZEK_INVALID;
	/* Searching in creation order: walk the hits, however many. */
	if (q->terms != NULL && q->terms[0] != '\0' &&
	    q->order == STORE_ORDER_CREATED) {
		rc = build_match(a, q->terms, &q->status, 1, &match);
		if (rc != ZEK_OK || match[0] == '\0')
			return rc;
		return walk_page(c, a, q, match, rows, n);
	}
	rc = search_form(c, a, q, &q->status, 1, true, &match, &form, &nothing);
	if (rc != ZEK_OK || nothing)
		return rc;
	idx = (((size_t)q->order * 2 + q->ascending) * SQ_MODE_MAX +
	          (size_t)sq_queue_mode(q)) *
	        FORM_MAX +
	    (size_t)form;
	if (q->has_cursor) {
		from_v = q->cursor_value;
		from_id = q->cursor_id;
	} else {
		from_v = from_id = q->ascending ? INT64_MIN : INT64_MAX;
	}
	st = lite_prep(lite_conn(c), page_sql[idx]);
	if (st == NULL)
		return ZEK_IO;
	src = bind_some(st, 1, 0, from_v, NULL);
	if (src == SQLITE_OK)
		src = bind_some(st, 2, 0, from_id, NULL);
	if (src == SQLITE_OK)
		src = bind_some(st, 3, 1, 0, q->status);
	if (src == SQLITE_OK)
		src = bind_some(st, 4, 0, (int64_t)q->limit, NULL);
	if (src == SQLITE_OK)
		src = bind_queue(st, q, match);
	if (src != SQLITE_OK) {
		rc = lite_err(lite_conn(c)->db, src, "bind");
		sq_finish(c, lite_sq(st));
		return rc;
	}
	return sq_collect(c, a, lite_sq(st), sq_map_queue_row, sizeof(**rows),
	    (void **)rows, n);
}

enum zek_rc
lite_queue_count(struct store_conn *c, struct arena *a,
    const struct store_queue_query *q, const char *const *statuses,
    size_t nstatuses, int64_t *out)
{
	const char *match;
	enum zek_rc rc;
	sqlite3_stmt *st = NULL;
	bool nothing;
	int form, src = SQLITE_OK, step;
	size_t i;

	*out = 0;
	if (nstatuses == 0 || nstatuses > STORE_QUEUE_STATUSES ||
	    !sq_queue_ok(q))
		return ZEK_INVALID;
	/* Status alone is in the index's facets: one count there. */
	if (q->terms != NULL && q->terms[0] != '\0' &&
	    sq_queue_mode(q) == SQ_MODE_ANY) {
		rc = build_match(a, q->terms, statuses, nstatuses, &match);
		if (rc != ZEK_OK || match[0] == '\0')
			return rc;
		return sq_query_i64(c, out, capped_count_sql, "ti", match,
		    q->count_max > 0 ? q->count_max + 1 : INT64_MAX);
	}
	rc = search_form(c, a, q, statuses, nstatuses, false, &match, &form,
	    &nothing);
	if (rc != ZEK_OK || nothing)
		goto out;
	/* Anyone's, without search: request_counts has them at once. */
	if (form == FORM_PLAIN && sq_queue_mode(q) == SQ_MODE_ANY)
		return sq_query_i64(c, out, status_count_sql, "tttt",
		    statuses[0], nstatuses > 1 ? statuses[1] : NULL,
		    nstatuses > 2 ? statuses[2] : NULL,
		    nstatuses > 3 ? statuses[3] : NULL);
	/* Nobody's or one agent's, without search: request_assignee_counts. */
	if (form == FORM_PLAIN &&
	    (sq_queue_mode(q) == SQ_MODE_NONE ||
	        sq_queue_mode(q) == SQ_MODE_USER))
		return sq_query_i64(c, out, assignee_count_sql, "tttti",
		    statuses[0], nstatuses > 1 ? statuses[1] : NULL,
		    nstatuses > 2 ? statuses[2] : NULL,
		    nstatuses > 3 ? statuses[3] : NULL,
		    sq_queue_mode(q) == SQ_MODE_USER ? q->assignee_id : 0);
	st = lite_prep(lite_conn(c),
	    count_sql[(size_t)sq_queue_mode(q) * FORM_COUNTED + (size_t)form]);
	if (st == NULL) {
		rc = ZEK_IO;
		goto out;
	}
	for (i = 0; src == SQLITE_OK && i < STORE_QUEUE_STATUSES; i++)
		src = bind_some(st, (int)i + 1, 1, 0,
		    i < nstatuses ? statuses[i] : NULL);
	if (src == SQLITE_OK)
		src = bind_queue(st, q, match);
	if (src != SQLITE_OK) {
		rc = lite_err(lite_conn(c)->db, src, "bind");
		goto out;
	}
	step = sq_next(c, lite_sq(st), &rc);
	if (step == 1)
		*out = sqlite3_column_int64(st, 0);
	else if (step == 0)
		rc = ZEK_IO;
	/* The same answer as the capped count above, whichever way. */
	if (form != FORM_PLAIN && q->count_max > 0 && *out > q->count_max)
		*out = q->count_max + 1;
out:
	if (st != NULL)
		sq_finish(c, lite_sq(st));
	return rc;
}
