/* sqlite_walk.c: a page of full-text hits in (created_at, id) order, read
 * in id order and stopped early by request_blocks (0007_list_walk.sql). */
#include "store/sqlite_walk.h"

#include <stdint.h>
#include <stdlib.h>

#include "lib/arena.h"
#include "store/sqlite_int.h"

/*
 * FTS5 hands out hits in rowid (= request id) order, either way, and ids
 * grow with creation time. So the first hits in id order are nearly the
 * first in (created_at, id) order: the walk reads hits in id order from
 * the page's side, reads each one's created_at, keeps the `limit` first
 * in (created_at, id) order, and stops once request_blocks shows that no
 * hit not yet read can be among them:
 * - newest first: hi of a block is the newest created_at of every id up to
 *   it, so hits below have nothing newer;
 * - oldest first: rest_lo of a block is the oldest created_at of every
 *   id from it on (0010_blocks_rest_lo.sql), so hits above have nothing
 *   older.
 * Requests older than their id suggests (imported) are found all the same;
 * they only make the walk longer. A cursor starts the walk where rows
 * after it can begin: newest first, at its own block or a newer one that
 * holds an older created_at; oldest first, at the first block whose
 * running newest created_at reaches the cursor's.
 */
#define BLOCK_IDS 64 /* ids per row of request_blocks */

enum walk_stmt {
	W_HITS_DESC,
	W_HITS_ASC,
	W_CREATED,
	W_BLOCK_HI,
	W_BLOCK_REST_LO,
	W_START_DESC,
	W_START_ASC,
	W_MAX
};

static const char *const walk_sql[W_MAX] = {
	/* The hits below an id, newest first; from an id on, oldest first. */
	[W_HITS_DESC] =
	    "SELECT rowid FROM request_search "
	    "WHERE request_search MATCH ?1 AND rowid < ?2 ORDER BY rowid DESC",
	[W_HITS_ASC] =
	    "SELECT rowid FROM request_search "
	    "WHERE request_search MATCH ?1 AND rowid >= ?2 ORDER BY rowid",
	[W_CREATED] = "SELECT created_at FROM requests WHERE id = ?",
	/* The newest created_at of all requests up to block ?1. */
	[W_BLOCK_HI] = "SELECT hi FROM request_blocks WHERE block <= ? "
	               "ORDER BY block DESC LIMIT 1",
	/* The oldest created_at of all requests from block ?1 on. */
	[W_BLOCK_REST_LO] = "SELECT rest_lo FROM request_blocks "
	                    "WHERE block >= ? ORDER BY block LIMIT 1",
	/* Rows older than the cursor (?2 = created_at, ?1 = its block) are
	 * in its own block, or a newer one holding an older created_at. */
	[W_START_DESC] = "SELECT coalesce(max(block), -1) FROM request_blocks "
	                 "WHERE block > ?1 AND lo <= ?2",
	/* Rows newer than the cursor: none before the first block whose
	 * running newest created_at reaches it. */
	[W_START_ASC] = "SELECT block FROM request_blocks WHERE hi >= ? "
	                "ORDER BY hi, block LIMIT 1",
};

const char *
walk_statement(size_t i)
{
	return i < W_MAX ? walk_sql[i] : NULL;
}

/* A hit's place in the order. */
struct hit {
	int64_t created_at;
	int64_t id;
};

static bool
hit_before(const struct hit *x, const struct hit *y)
{
	return x->created_at < y->created_at ||
	    (x->created_at == y->created_at && x->id < y->id);
}

/* The hits kept: a binary heap whose root goes first when a nearer one
 * comes (the last one in the walk's order). */
struct keep {
	struct hit *h;
	size_t n, cap;
	bool newest;
};

/* Whether x comes later than y in the walk's order. */
static bool
later(const struct keep *k, const struct hit *x, const struct hit *y)
{
	return k->newest ? hit_before(x, y) : hit_before(y, x);
}

static void
swap_hits(struct hit *x, struct hit *y)
{
	struct hit t = *x;

	*x = *y;
	*y = t;
}

static void
keep_offer(struct keep *k, struct hit x)
{
	size_t i, l, r, w;

	if (k->n < k->cap) {
		i = k->n++;
		k->h[i] = x;
		while (i > 0 && later(k, &k->h[i], &k->h[(i - 1) / 2])) {
			swap_hits(&k->h[i], &k->h[(i - 1) / 2]);
			i = (i - 1) / 2;
		}
		return;
	}
	if (!later(k, &k->h[0], &x))
		return;
	k->h[0] = x;
	for (i = 0;;) {
		l = 2 * i + 1;
		r = l + 1;
		w = i;
		if (l < k->n && later(k, &k->h[l], &k->h[w]))
			w = l;
		if (r < k->n && later(k, &k->h[r], &k->h[w]))
			w = r;
		if (w == i)
			break;
		swap_hits(&k->h[i], &k->h[w]);
		i = w;
	}
}

/* Whether no hit at `id` or beyond can still enter the full page, when
 * `bound` limits the created_at of all of them (see the top). */
static bool
walk_done(const struct keep *k, int64_t bound, int64_t id)
{
	const struct hit *w = &k->h[0];

	if (k->newest)
		return bound < w->created_at ||
		    (bound == w->created_at && id < w->id);
	return bound > w->created_at || (bound == w->created_at && id > w->id);
}

/* The bound on the created_at of every hit from `block` on, in the
 * walk's direction (see the top); without a row for it, one that never
 * stops the walk. */
static enum zek_rc
block_bound(struct store_conn *c, bool newest_first, int64_t block,
    int64_t *bound)
{
	enum zek_rc rc;

	rc = sq_query_i64(c, bound,
	    walk_sql[newest_first ? W_BLOCK_HI : W_BLOCK_REST_LO], "i", block);
	if (rc == ZEK_NOTFOUND) {
		*bound = newest_first ? INT64_MAX : INT64_MIN;
		rc = ZEK_OK;
	}
	return rc;
}

/* The first id to read: below it (newest first) or from it on; *none
 * when no row can come after the cursor. */
static enum zek_rc
walk_start(struct store_conn *c, const struct walk_query *q, int64_t *from,
    bool *none)
{
	int64_t b0 = q->cursor_id / BLOCK_IDS, b;
	enum zek_rc rc;

	*none = false;
	*from = q->newest_first ? INT64_MAX : 0;
	if (!q->has_cursor)
		return ZEK_OK;
	if (q->newest_first) {
		rc = sq_query_i64(c, &b, walk_sql[W_START_DESC], "ii", b0,
		    q->cursor_created_at);
		if (rc != ZEK_OK)
			return rc;
		if (b < b0)
			b = b0;
		if (b >= 0 && b < INT64_MAX / BLOCK_IDS - 1)
			*from = (b + 1) * BLOCK_IDS;
		return ZEK_OK;
	}
	rc = sq_query_i64(c, &b, walk_sql[W_START_ASC], "i",
	    q->cursor_created_at);
	if (rc == ZEK_NOTFOUND) {
		*none = true;
		return ZEK_OK;
	}
	if (rc == ZEK_OK && b > 0 && b < INT64_MAX / BLOCK_IDS)
		*from = b * BLOCK_IDS;
	return rc;
}

static int
cmp_asc(const void *x, const void *y)
{
	return hit_before(x, y) ? -1 : hit_before(y, x) ? 1 : 0;
}

/* The kept hits' ids in the walk's order. */
static enum zek_rc
kept_ids(struct arena *a, struct keep *k, int64_t **ids, size_t *n)
{
	size_t i;

	*n = k->n;
	*ids = arena_alloc(a, (k->n > 0 ? k->n : 1) * sizeof(**ids));
	if (*ids == NULL)
		return ZEK_NOMEM;
	qsort(k->h, k->n, sizeof(*k->h), cmp_asc);
	for (i = 0; i < k->n; i++)
		(*ids)[i] = k->h[k->newest ? k->n - 1 - i : i].id;
	return ZEK_OK;
}

enum zek_rc
walk_hits(struct store_conn *c, struct arena *a, const struct walk_query *q,
    int64_t **ids, size_t *n)
{
	const struct hit cur = { q->cursor_created_at, q->cursor_id };
	int64_t from, id, created, block = -1, bound = 0;
	enum zek_rc rc, rc2;
	struct sq_stmt *st;
	struct keep k;
	struct hit x;
	bool none, keep;
	int step;

	*ids = NULL;
	*n = 0;
	if (q->limit == 0)
		return ZEK_INVALID;
	k = (struct keep){ .cap = q->limit, .newest = q->newest_first };
	k.h = arena_alloc(a, q->limit * sizeof(*k.h));
	if (k.h == NULL)
		return ZEK_NOMEM;
	rc = walk_start(c, q, &from, &none);
	if (rc != ZEK_OK || none)
		return rc;
	st = sq_start(c, &rc,
	    walk_sql[q->newest_first ? W_HITS_DESC : W_HITS_ASC], "ti",
	    q->match, from);
	if (st == NULL)
		return rc;
	while ((step = sq_next(c, st, &rc)) == 1) {
		id = sq_stmt_i64(c, st, 0);
		if (k.n == k.cap && id / BLOCK_IDS != block) {
			block = id / BLOCK_IDS;
			rc = block_bound(c, q->newest_first, block, &bound);
			if (rc != ZEK_OK)
				break;
		}
		if (k.n == k.cap && walk_done(&k, bound, id))
			break;
		rc2 = sq_query_i64(c, &created, walk_sql[W_CREATED], "i", id);
		if (rc2 == ZEK_NOTFOUND)
			continue; /* an index row without its request */
		if (rc2 != ZEK_OK) {
			rc = rc2;
			break;
		}
		x = (struct hit){ created, id };
		if (q->has_cursor &&
		    (q->newest_first ? !hit_before(&x, &cur) :
		                       !hit_before(&cur, &x)))
			continue;
		keep = true;
		if (q->filter != NULL) {
			rc = q->filter(c, id, q->filter_arg, &keep);
			if (rc != ZEK_OK)
				break;
		}
		if (keep)
			keep_offer(&k, x);
	}
	sq_finish(c, st);
	if (rc != ZEK_OK)
		return rc;
	return kept_ids(a, &k, ids, n);
}
