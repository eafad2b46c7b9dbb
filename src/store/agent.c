/* agent.c: assignees, the staff list, how long a request waits (auto-close). */
#include "store/store.h"

#include <stdbool.h>
#include <stdint.h>

#include "lib/arena.h"
#include "store/query.h"

/* ---- assignee, staff ---- */

enum zek_rc
store_request_assignee(struct store_conn *c, int64_t request_id,
    int64_t *assignee_id)
{
	return sq_query_i64(c, assignee_id,
	    "SELECT coalesce(assignee_id, 0) "
	    "FROM requests WHERE id = ?",
	    "i", request_id);
}

enum zek_rc
store_request_set_assignee(struct store_conn *c, int64_t request_id,
    int64_t assignee_id, int64_t updated_at)
{
	return sq_exec_changed(c,
	    "UPDATE requests SET assignee_id = ?, "
	    "updated_at = ? WHERE id = ?",
	    "Iii", assignee_id, updated_at, request_id);
}

enum zek_rc
store_staff_list(struct store_conn *c, struct arena *a, size_t limit,
    struct store_user **out, size_t *n)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc,
	    "SELECT " USER_COLS " FROM users u "
	    "WHERE u.role IN ('agent', 'admin') ORDER BY u.name_fold, u.id "
	    "LIMIT ?",
	    "z", limit);
	if (st == NULL)
		return rc;
	/* Every agent view lists them to assign; they rarely change. */
	return sq_collect_cached(c, a, st, (int64_t)limit, sq_map_user,
	    sizeof(**out), (void **)out, n);
}

/* ---- how long a request waits ---- */

#define STATUS_SINCE \
	"coalesce((SELECT max(e.created_at) FROM activity e " \
	"WHERE e.request_id = r.id AND e.kind = 'status_changed'), r.updated_at)"

enum zek_rc
store_request_status_since(struct store_conn *c, int64_t request_id,
    int64_t *out)
{
	return sq_query_i64(c, out,
	    "SELECT " STATUS_SINCE " FROM requests r "
	    "WHERE r.id = ?",
	    "i", request_id);
}

static void
map_id(struct sq_row *r, void *elem)
{
	*(int64_t *)elem = sq_col_i64(r);
}

enum zek_rc
store_requests_waiting(struct store_conn *c, struct arena *a,
    const char *status, const char *resolution, int64_t before,
    int64_t after_id, size_t limit, int64_t **ids, size_t *n)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	/* requests_status narrows to the status; the log of each is short. */
	st = sq_start(c, &rc,
	    "SELECT r.id FROM requests r "
	    "WHERE r.status = ? AND r.resolution = ? AND r.id > ? AND " STATUS_SINCE
	    " <= ? ORDER BY r.id LIMIT ?",
	    "ttiiz", status, resolution, after_id, before, limit);
	if (st == NULL)
		return rc;
	return sq_collect(c, a, st, map_id, sizeof(**ids), (void **)ids, n);
}

/* ---- the queues: what both backends read the same way ---- */

enum sq_queue_mode
sq_queue_mode(const struct store_queue_query *q)
{
	if (q->updated_since > 0)
		return SQ_MODE_SINCE;
	if (q->breached_by > 0)
		return SQ_MODE_BREACHED;
	switch (q->assignee) {
	case STORE_ASSIGNEE_NONE:
		return SQ_MODE_NONE;
	case STORE_ASSIGNEE_USER:
		return SQ_MODE_USER;
	default:
		return SQ_MODE_ANY;
	}
}

bool
sq_queue_ok(const struct store_queue_query *q)
{
	return (q->updated_since <= 0 && q->breached_by <= 0) ||
	    (q->assignee == STORE_ASSIGNEE_ANY &&
	        (q->updated_since <= 0 || q->breached_by <= 0));
}

int64_t
sq_queue_p6(const struct store_queue_query *q)
{
	return sq_queue_mode(q) == SQ_MODE_BREACHED ? q->breached_by :
	                                              q->updated_since;
}

/* A row of a queue (both backends read the same columns). */
void
sq_map_queue_row(struct sq_row *r, void *elem)
{
	struct store_queue_row *x = elem;

	x->id = sq_col_i64(r);
	x->key = sq_col_str(r);
	x->title = sq_col_str(r);
	x->status = sq_col_str(r);
	x->resolution = sq_col_str(r);
	x->type_id = sq_col_i64(r);
	x->desk_id = sq_col_i64(r);
	x->reporter_id = sq_col_i64(r);
	x->reporter_name = sq_col_str(r);
	x->assignee_id = sq_col_i64(r);
	x->assignee_name = sq_col_str(r);
	x->created_at = sq_col_i64(r);
	x->updated_at = sq_col_i64(r);
	x->sla_due_at = sq_col_i64(r);
	x->sla_due_goal_ms = sq_col_i64(r);
	x->sla_breach_at = sq_col_i64(r);
}

/* ---- service levels ---- */

enum zek_rc
store_request_set_sla(struct store_conn *c, int64_t request_id,
    const struct store_request_sla *sla)
{
	return sq_exec_changed(c,
	    "UPDATE requests SET sla_due_at = ?, "
	    "sla_due_goal_ms = ?, sla_breach_at = ?, sla_stale = 0 "
	    "WHERE id = ?",
	    "iiii", sla->due_at, sla->due_goal_ms, sla->breach_at, request_id);
}

enum zek_rc
store_requests_mark_sla_stale(struct store_conn *c, int64_t type_id)
{
	return sq_exec(c,
	    "UPDATE requests SET sla_stale = 1 "
	    "WHERE status <> 'geschlossen' AND (? = 0 OR type_id = ?)",
	    "ii", type_id, type_id);
}

enum zek_rc
store_requests_sla_stale(struct store_conn *c, struct arena *a, size_t limit,
    int64_t **ids, size_t *n)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc,
	    "SELECT id FROM requests WHERE sla_stale = 1 "
	    "ORDER BY id LIMIT ?",
	    "z", limit);
	if (st == NULL)
		return rc;
	return sq_collect(c, a, st, map_id, sizeof(**ids), (void **)ids, n);
}
