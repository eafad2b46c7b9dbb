/* retention.c: closed requests past their retention, and their deletion with everything of theirs. */
#include "store/store.h"

#include "lib/arena.h"
#include "store/query.h"

static void
map_due(struct sq_row *r, void *elem)
{
	struct store_retention_due *x = elem;

	x->id = sq_col_i64(r);
	x->key = sq_col_str(r);
	x->title = sq_col_str(r);
	x->type_id = sq_col_i64(r);
	x->updated_at = sq_col_i64(r);
}

enum zek_rc
store_retention_due(struct store_conn *c, struct arena *a, int64_t before,
    int64_t after_id, size_t limit, struct store_retention_due **out, size_t *n)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	/* requests_status: (status, updated_at) narrows to the old closed. */
	st = sq_start(c, &rc,
	    "SELECT id, issue_key, title, type_id, "
	    "updated_at FROM requests WHERE status = 'geschlossen' AND "
	    "updated_at < ? AND id > ? ORDER BY id LIMIT ?",
	    "iiz", before, after_id, limit);
	if (st == NULL)
		return rc;
	return sq_collect(c, a, st, map_due, sizeof(**out), (void **)out, n);
}

/* How many rows of one kind the request has, for the record. */
static enum zek_rc
count_of(struct store_conn *c, const char *sql, int64_t id, int64_t *out)
{
	return sq_query_i64(c, out, sql, "i", id);
}

enum zek_rc
store_request_purge(struct store_conn *c, const struct store_retention_due *r,
    int64_t now)
{
	int64_t comments = 0, files = 0, sent = 0, received = 0;
	enum zek_rc rc;

	rc = sq_exec_changed(c,
	    "UPDATE requests SET purging = 1 WHERE id = ? "
	    "AND status = 'geschlossen'",
	    "i", r->id);
	if (rc == ZEK_OK)
		rc = count_of(c,
		    "SELECT count(*) FROM comments WHERE "
		    "request_id = ?",
		    r->id, &comments);
	if (rc == ZEK_OK)
		rc = count_of(c,
		    "SELECT count(*) FROM attachments WHERE "
		    "request_id = ?",
		    r->id, &files);
	if (rc == ZEK_OK)
		rc = count_of(c,
		    "SELECT count(*) FROM outbox WHERE "
		    "request_id = ?",
		    r->id, &sent);
	if (rc == ZEK_OK)
		rc = count_of(c,
		    "SELECT count(*) FROM inbound_mail WHERE "
		    "request_id = ?",
		    r->id, &received);
	/* The log first (the mark lets it go), then what points at comments,
	 * then the request: comments, values, participants, ratings and the
	 * search row go with it (ON DELETE CASCADE). */
	if (rc == ZEK_OK)
		rc = sq_exec(c, "DELETE FROM activity WHERE request_id = ?",
		    "i", r->id);
	if (rc == ZEK_OK)
		rc = sq_exec(c, "DELETE FROM attachments WHERE request_id = ?",
		    "i", r->id);
	if (rc == ZEK_OK)
		rc = sq_exec(c, "DELETE FROM outbox WHERE request_id = ?", "i",
		    r->id);
	if (rc == ZEK_OK)
		rc = sq_exec(c, "DELETE FROM inbound_mail WHERE request_id = ?",
		    "i", r->id);
	if (rc == ZEK_OK)
		rc = sq_exec(c,
		    "DELETE FROM participant_settings WHERE "
		    "request_id = ?",
		    "i", r->id);
	if (rc == ZEK_OK)
		rc = sq_exec_changed(c, "DELETE FROM requests WHERE id = ?",
		    "i", r->id);
	if (rc == ZEK_OK)
		rc = sq_exec(c,
		    "INSERT INTO retention_log (request_key, type_id, "
		    "last_change_at, purged_at, comments, attachments, mails) "
		    "VALUES (?, ?, ?, ?, ?, ?, ?)",
		    "tiiiiii", r->key, r->type_id, r->updated_at, now, comments,
		    files, sent + received);
	return rc;
}

enum zek_rc
store_retention_logged(struct store_conn *c, int64_t since, int64_t *out)
{
	return sq_query_i64(c, out,
	    "SELECT count(*) FROM retention_log "
	    "WHERE purged_at >= ?",
	    "i", since);
}
