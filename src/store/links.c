/* links.c: links between requests ("Duplikat von", "Hängt zusammen mit"). */
#include "store/store.h"

#include "store/query.h"

static void
map_link(struct sq_row *r, void *elem)
{
	struct store_link *l = elem;

	l->request_id = sq_col_i64(r);
	l->linked_id = sq_col_i64(r);
	l->kind = sq_col_str(r);
	l->created_at = sq_col_i64(r);
}

enum zek_rc
store_link_add(struct store_conn *c, const struct store_link *l)
{
	enum zek_rc rc;

	/* DO NOTHING rather than a unique violation: on PostgreSQL that
	 * would end the caller's transaction. */
	rc = sq_exec_changed(c,
	    "INSERT INTO request_links (request_id, "
	    "linked_id, kind, created_at) VALUES (?, ?, ?, ?) "
	    "ON CONFLICT DO NOTHING",
	    "iiti", l->request_id, l->linked_id, l->kind, l->created_at);
	return rc == ZEK_NOTFOUND ? ZEK_CONFLICT : rc;
}

enum zek_rc
store_link_remove(struct store_conn *c, int64_t a_id, int64_t b_id)
{
	return sq_exec_changed(c,
	    "DELETE FROM request_links WHERE "
	    "(request_id = ?1 AND linked_id = ?2) OR "
	    "(request_id = ?2 AND linked_id = ?1)",
	    "ii", a_id, b_id);
}

enum zek_rc
store_links_of(struct store_conn *c, struct arena *a, int64_t request_id,
    struct store_link **out, size_t *n)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	/* Two index ranges: the primary key's and request_links_linked. */
	st = sq_start(c, &rc,
	    "SELECT request_id, linked_id, kind, created_at "
	    "FROM request_links WHERE request_id = ?1 UNION ALL "
	    "SELECT request_id, linked_id, kind, created_at "
	    "FROM request_links WHERE linked_id = ?1 "
	    "ORDER BY 4, 1, 2",
	    "i", request_id);
	if (st == NULL)
		return rc;
	return sq_collect(c, a, st, map_link, sizeof(**out), (void **)out, n);
}
