/* ratings.c: satisfaction ratings of closed requests, one per request. */
#include "store/store.h"

#include "store/query.h"

#define RATING_COLS \
	"request_id, user_id, score, comment, created_at, " \
	"updated_at"

static void
map_rating(struct sq_row *r, void *elem)
{
	struct store_rating *t = elem;

	t->request_id = sq_col_i64(r);
	t->user_id = sq_col_i64(r);
	t->score = sq_col_i64(r);
	t->comment = sq_col_str(r);
	t->created_at = sq_col_i64(r);
	t->updated_at = sq_col_i64(r);
}

enum zek_rc
store_rating_get(struct store_conn *c, struct arena *a, int64_t request_id,
    struct store_rating **out)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc,
	    "SELECT " RATING_COLS " FROM request_ratings "
	    "WHERE request_id = ?",
	    "i", request_id);
	if (st == NULL)
		return rc;
	return sq_collect_one(c, a, st, map_rating, sizeof(**out),
	    (void **)out);
}

enum zek_rc
store_ratings_of(struct store_conn *c, struct arena *a, const int64_t *ids,
    size_t n, struct store_rating **out, size_t *nout)
{
	return sq_collect_ids(c, a,
	    sq_in_ids(c,
	        "SELECT " RATING_COLS " FROM request_ratings WHERE request_id ",
	        " ORDER BY request_id"),
	    ids, n, map_rating, sizeof(**out), (void **)out, nout);
}

enum zek_rc
store_rating_insert(struct store_conn *c, const struct store_rating *r)
{
	enum zek_rc rc;

	/* DO NOTHING rather than a unique violation: on PostgreSQL that
	 * would end the caller's transaction. */
	rc = sq_exec_changed(c,
	    "INSERT INTO request_ratings (request_id, "
	    "user_id, score, comment, created_at, updated_at) "
	    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
	    "iiitii", r->request_id, r->user_id, r->score, r->comment,
	    r->created_at, r->updated_at);
	return rc == ZEK_NOTFOUND ? ZEK_CONFLICT : rc;
}

enum zek_rc
store_rating_update(struct store_conn *c, const struct store_rating *r)
{
	return sq_exec_changed(c,
	    "UPDATE request_ratings SET score = ?, "
	    "comment = ?, updated_at = ? WHERE request_id = ?",
	    "itii", r->score, r->comment, r->updated_at, r->request_id);
}
