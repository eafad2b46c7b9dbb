/* activity.c: comments, the append-only activity log, sharing helpers. */
#include "store/store.h"

#include <stdlib.h>

#include "lib/arena.h"
#include "lib/utf8.h"
#include "store/query.h"

enum zek_rc
store_comment_insert(struct store_conn *c, const struct store_comment *cm,
    int64_t *id_out)
{
	int64_t id;
	enum zek_rc rc;

	rc = sq_query_i64(c, &id,
	    "INSERT INTO comments (request_id, author_id, "
	    "body, public, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
	    "iitbi", cm->request_id, cm->author_id, cm->body,
	    (int)cm->is_public, cm->created_at);
	if (rc == ZEK_OK && id_out != NULL)
		*id_out = id;
	return rc;
}

enum zek_rc
store_activity_insert(struct store_conn *c, const struct store_activity *a,
    int64_t *id_out)
{
	int64_t id;
	enum zek_rc rc;

	rc = sq_query_i64(c, &id,
	    "INSERT INTO activity (request_id, actor_id, "
	    "kind, action, comment_id, attachment_id, subject_id, org_id, "
	    "old_status, new_status, resolution, public, created_at, "
	    "old_value, new_value) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
	    "iIttIIIItttbitt", a->request_id, a->actor_id, a->kind,
	    sq_nz(a->action), a->comment_id, a->attachment_id, a->subject_id,
	    a->org_id, sq_nz(a->old_status), sq_nz(a->new_status),
	    sq_nz(a->resolution), (int)a->is_public, a->created_at,
	    sq_nz(a->old_value), sq_nz(a->new_value));
	if (rc == ZEK_OK && id_out != NULL)
		*id_out = id;
	return rc;
}

static void
map_activity(struct sq_row *r, void *elem)
{
	struct store_activity *e = elem;

	e->id = sq_col_i64(r);
	e->request_id = sq_col_i64(r);
	e->actor_id = sq_col_i64(r);
	e->kind = sq_col_str(r);
	e->action = sq_col_str(r);
	e->comment_id = sq_col_i64(r);
	e->attachment_id = sq_col_i64(r);
	e->subject_id = sq_col_i64(r);
	e->org_id = sq_col_i64(r);
	e->old_status = sq_col_str(r);
	e->new_status = sq_col_str(r);
	e->resolution = sq_col_str(r);
	e->is_public = sq_col_bool(r);
	e->created_at = sq_col_i64(r);
	e->actor_name = sq_col_str(r);
	e->actor_role = sq_col_str(r);
	e->subject_name = sq_col_str(r);
	e->org_name = sq_col_str(r);
	e->comment_body = sq_col_str(r);
	e->old_value = sq_col_str(r);
	e->new_value = sq_col_str(r);
}

static void
map_id_time(struct sq_row *r, void *elem)
{
	struct store_id_time *t = elem;

	t->id = sq_col_i64(r);
	t->at = sq_col_i64(r);
}

enum zek_rc
store_activity_status_since_of(struct store_conn *c, struct arena *a,
    const int64_t *ids, size_t n, bool with_internal,
    struct store_id_time **out, size_t *nout)
{
	/* The same visibility as store_activity_by_request; the newest entry
	 * that set a status, by activity_request from the end. */
	return sq_collect_ids_with(c, a,
	    sq_in_ids(c,
	        "SELECT r.id, coalesce(("
	        "SELECT e.created_at FROM activity e "
	        "LEFT JOIN comments cm ON cm.id = e.comment_id "
	        "WHERE e.request_id = r.id "
	        "AND e.kind IN ('created', 'status_changed') "
	        "AND (?1 <> 0 OR (e.public = 1 AND coalesce(cm.public, 1) = 1)) "
	        "ORDER BY e.id DESC LIMIT 1), r.created_at) "
	        "FROM requests r WHERE r.id ",
	        ""),
	    with_internal, ids, n, map_id_time, sizeof(**out), (void **)out,
	    nout);
}

enum zek_rc
store_activity_by_request(struct store_conn *c, struct arena *a,
    int64_t request_id, bool with_internal, size_t limit,
    struct store_activity **out, size_t *n)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	/* A comment's own flag counts too, so an entry can never show an
	 * internal note, whatever the entry says. */
	st = sq_start(c, &rc,
	    "SELECT e.id, e.request_id, "
	    "coalesce(e.actor_id, 0), e.kind, e.action, "
	    "coalesce(e.comment_id, 0), coalesce(e.attachment_id, 0), "
	    "coalesce(e.subject_id, 0), coalesce(e.org_id, 0), e.old_status, "
	    "e.new_status, e.resolution, "
	    "(e.public = 1 AND coalesce(cm.public, 1) = 1), e.created_at, "
	    "coalesce(au.name, ''), coalesce(au.role, ''), "
	    "coalesce(su.name, ''), coalesce(o.name, ''), coalesce(cm.body, ''), "
	    "e.old_value, e.new_value "
	    "FROM activity e "
	    "LEFT JOIN users au ON au.id = e.actor_id "
	    "LEFT JOIN users su ON su.id = e.subject_id "
	    "LEFT JOIN organisations o ON o.id = e.org_id "
	    "LEFT JOIN comments cm ON cm.id = e.comment_id "
	    "WHERE e.request_id = ? AND (? <> 0 OR (e.public = 1 AND "
	    "coalesce(cm.public, 1) = 1)) "
	    "ORDER BY e.id DESC LIMIT ?",
	    "ibz", request_id, (int)with_internal, limit);
	if (st == NULL)
		return rc;
	return sq_collect(c, a, st, map_activity, sizeof(**out), (void **)out,
	    n);
}

enum zek_rc
store_attachment_attach_comment(struct store_conn *c, int64_t uploader_id,
    const char *token, int64_t request_id, int64_t comment_id)
{
	return sq_exec_changed(c,
	    "UPDATE attachments SET request_id = ?, "
	    "comment_id = ?, temp_token = NULL WHERE temp_token = ? "
	    "AND uploader_id = ? AND request_id IS NULL",
	    "iiti", request_id, comment_id, token, uploader_id);
}

enum zek_rc
store_attachment_is_public(struct store_conn *c, int64_t id, bool *out)
{
	enum zek_rc rc;
	int64_t v;

	rc = sq_query_i64(c, &v,
	    "SELECT coalesce(cm.public, 1) FROM attachments t "
	    "LEFT JOIN comments cm ON cm.id = t.comment_id WHERE t.id = ?",
	    "i", id);
	if (rc == ZEK_OK)
		*out = v != 0;
	return rc;
}

enum zek_rc
store_request_touch(struct store_conn *c, int64_t id, int64_t updated_at,
    bool customer_visible)
{
	return sq_exec_changed(c,
	    "UPDATE requests SET updated_at = ?1, "
	    "customer_updated_at = CASE WHEN ?3 <> 0 THEN ?1 "
	    "ELSE customer_updated_at END WHERE id = ?2",
	    "iii", updated_at, id, (int64_t)customer_visible);
}

enum zek_rc
store_request_share_org(struct store_conn *c, int64_t id, int64_t org_id,
    int64_t updated_at)
{
	return sq_exec_changed(c,
	    "UPDATE requests SET shared_org_id = ?1, "
	    "updated_at = ?2, customer_updated_at = ?2 "
	    "WHERE id = ?3 AND shared_org_id IS NULL",
	    "iii", org_id, updated_at, id);
}

enum zek_rc
store_users_by_name(struct store_conn *c, struct arena *a, const char *name,
    const char *role, size_t limit, struct store_user **out, size_t *n)
{
	enum zek_rc rc;
	struct sq_stmt *st;
	char *nf = utf8_fold(name);

	if (nf == NULL)
		return ZEK_NOMEM;
	st = sq_start(c, &rc,
	    "SELECT " USER_COLS " FROM users u "
	    "WHERE u.name_fold = ? AND (? = '' OR u.role = ?) "
	    "ORDER BY u.id LIMIT ?",
	    "tttz", nf, sq_nz(role), sq_nz(role), limit);
	free(nf);
	if (st == NULL)
		return rc;
	return sq_collect(c, a, st, sq_map_user, sizeof(**out), (void **)out,
	    n);
}

enum zek_rc
store_participant_count(struct store_conn *c, int64_t request_id, int64_t *out)
{
	return sq_query_i64(c, out,
	    "SELECT count(*) FROM participants "
	    "WHERE request_id = ?",
	    "i", request_id);
}
