/* snippets.c: canned responses ("Textbausteine"); deleted ones keep
 * their row as the record of who deleted them. */
#include "store/store.h"

#include "store/query.h"

#define SNIPPET_COLS \
	"s.id, s.title, s.body, s.created_by, s.created_at, " \
	"s.updated_by, u.name, s.updated_at"
#define SNIPPET_FROM " FROM snippets s JOIN users u ON u.id = s.updated_by "

static void
map_snippet(struct sq_row *r, void *elem)
{
	struct store_snippet *t = elem;

	t->id = sq_col_i64(r);
	t->title = sq_col_str(r);
	t->body = sq_col_str(r);
	t->created_by = sq_col_i64(r);
	t->created_at = sq_col_i64(r);
	t->updated_by = sq_col_i64(r);
	t->updated_by_name = sq_col_str(r);
	t->updated_at = sq_col_i64(r);
}

enum zek_rc
store_snippets_list(struct store_conn *c, struct arena *a, size_t limit,
    struct store_snippet **out, size_t *n)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc,
	    "SELECT " SNIPPET_COLS SNIPPET_FROM
	    "WHERE s.deleted_at = 0 ORDER BY s.title, s.id LIMIT ?",
	    "z", limit);
	if (st == NULL)
		return rc;
	return sq_collect(c, a, st, map_snippet, sizeof(**out), (void **)out,
	    n);
}

enum zek_rc
store_snippet_get(struct store_conn *c, struct arena *a, int64_t id,
    struct store_snippet **out)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc,
	    "SELECT " SNIPPET_COLS SNIPPET_FROM
	    "WHERE s.id = ? AND s.deleted_at = 0",
	    "i", id);
	if (st == NULL)
		return rc;
	return sq_collect_one(c, a, st, map_snippet, sizeof(**out),
	    (void **)out);
}

enum zek_rc
store_snippet_insert(struct store_conn *c, const struct store_snippet *s,
    int64_t *id_out)
{
	return sq_query_i64(c, id_out,
	    "INSERT INTO snippets (title, body, "
	    "created_by, created_at, updated_by, updated_at) "
	    "VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
	    "ttiiii", s->title, s->body, s->created_by, s->created_at,
	    s->created_by, s->created_at);
}

enum zek_rc
store_snippet_update(struct store_conn *c, const struct store_snippet *s)
{
	return sq_exec_changed(c,
	    "UPDATE snippets SET title = ?, body = ?, "
	    "updated_by = ?, updated_at = ? WHERE id = ? AND deleted_at = 0",
	    "ttiii", s->title, s->body, s->updated_by, s->updated_at, s->id);
}

enum zek_rc
store_snippet_delete(struct store_conn *c, int64_t id, int64_t by, int64_t at)
{
	return sq_exec_changed(c,
	    "UPDATE snippets SET deleted_by = ?, "
	    "deleted_at = ? WHERE id = ? AND deleted_at = 0",
	    "iii", by, at, id);
}
