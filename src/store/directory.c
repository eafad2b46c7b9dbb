/* directory.c: the staff's pages of people and organisations: customers
 * with their organisations and open requests, organisations with their
 * members, paged by name. */
#include "store/store.h"

#include <stdlib.h>

#include "lib/arena.h"
#include "lib/utf8.h"
#include "store/query.h"

/* ---- customers ---- */

/* A customer's organisations by name, joined by ", ": the one part of the
 * customers' page each backend says its own way. */
#define LITE_ORG_NAMES \
	"(SELECT group_concat(name, ', ') FROM (SELECT o.name " \
	"FROM user_orgs m JOIN organisations o ON o.id = m.org_id " \
	"WHERE m.user_id = u.id ORDER BY o.name))"
#define PG_ORG_NAMES \
	"(SELECT string_agg(o.name, ', ' ORDER BY o.name) " \
	"FROM user_orgs m JOIN organisations o ON o.id = m.org_id " \
	"WHERE m.user_id = u.id)"
/* users_role (role, name_fold, id) gives the order; the organisations and
 * the open requests (requests_reporter_status) of the page's rows only. */
#define CUSTOMERS_SQL(org_names) \
	"SELECT " USER_COLS ", coalesce(" org_names \
	", ''), (SELECT count(*) FROM requests r " \
	"WHERE r.reporter_id = u.id AND r.status <> ?1) FROM users u " \
	"WHERE u.role = ?2 AND (?3 = '%' OR u.name_fold LIKE ?3 ESCAPE '\\' " \
	"OR u.email_fold LIKE ?3 ESCAPE '\\') AND (?4 = 0 OR EXISTS " \
	"(SELECT 1 FROM user_orgs m WHERE m.user_id = u.id AND m.org_id = ?4)) " \
	"AND (?5 = 0 OR (u.name_fold, u.id) > " \
	"(SELECT name_fold, id FROM users WHERE id = ?5)) " \
	"ORDER BY u.name_fold, u.id LIMIT ?6"

static void
map_customer(struct sq_row *r, void *elem)
{
	struct store_customer *cu = elem;

	sq_map_user(r, &cu->u);
	cu->orgs = sq_col_str(r);
	cu->open_requests = sq_col_i64(r);
}

enum zek_rc
store_customers_page(struct store_conn *c, struct arena *a,
    const struct store_people_query *q, struct store_customer **out, size_t *n)
{
	char *pat = sq_like_pattern(q->query);
	enum zek_rc rc;
	struct sq_stmt *st;

	if (pat == NULL)
		return ZEK_NOMEM;
	st = sq_start(c, &rc,
	    sq_dialect(c, CUSTOMERS_SQL(LITE_ORG_NAMES),
	        CUSTOMERS_SQL(PG_ORG_NAMES)),
	    "tttiiz", q->closed_status, q->role, pat, q->org_id, q->after_id,
	    q->limit);
	free(pat);
	if (st == NULL)
		return rc;
	return sq_collect(c, a, st, map_customer, sizeof(**out), (void **)out,
	    n);
}

enum zek_rc
store_user_set_role(struct store_conn *c, int64_t id, const char *role)
{
	return sq_exec_changed(c, "UPDATE users SET role = ? WHERE id = ?",
	    "ti", role, id);
}

/* ---- organisations ---- */

static void
map_org_row(struct sq_row *r, void *elem)
{
	struct store_org_row *o = elem;

	o->id = sq_col_i64(r);
	o->name = sq_col_str(r);
	o->members = sq_col_i64(r);
	o->created_at = sq_col_i64(r);
}

enum zek_rc
store_orgs_page(struct store_conn *c, struct arena *a, const char *query,
    const char *after_name, size_t limit, struct store_org_row **out, size_t *n)
{
	char *pat = sq_like_pattern(query);
	enum zek_rc rc;
	struct sq_stmt *st;

	if (pat == NULL)
		return ZEK_NOMEM;
	/* Names are unique: the name alone is the page's cursor. */
	st = sq_start(c, &rc,
	    "SELECT o.id, o.name, (SELECT count(*) "
	    "FROM user_orgs m WHERE m.org_id = o.id), o.created_at "
	    "FROM organisations o WHERE (?1 = '%' OR o.name_fold LIKE ?1 "
	    "ESCAPE '\\') AND o.name > ?2 ORDER BY o.name LIMIT ?3",
	    "ttz", pat, after_name != NULL ? after_name : "", limit);
	free(pat);
	if (st == NULL)
		return rc;
	return sq_collect(c, a, st, map_org_row, sizeof(**out), (void **)out,
	    n);
}

enum zek_rc
store_org_add(struct store_conn *c, const char *name, int64_t now,
    int64_t *id_out)
{
	char *nf = utf8_fold(name);
	enum zek_rc rc;

	if (nf == NULL)
		return ZEK_NOMEM;
	rc = sq_query_i64(c, id_out,
	    "INSERT INTO organisations (name, "
	    "name_fold, created_at) VALUES (?, ?, ?) RETURNING id",
	    "tti", name, nf, now);
	free(nf);
	return rc;
}

enum zek_rc
store_org_rename(struct store_conn *c, int64_t id, const char *name)
{
	char *nf = utf8_fold(name);
	enum zek_rc rc;

	if (nf == NULL)
		return ZEK_NOMEM;
	rc = sq_exec_changed(c,
	    "UPDATE organisations SET name = ?, "
	    "name_fold = ? WHERE id = ?",
	    "tti", name, nf, id);
	free(nf);
	return rc;
}

enum zek_rc
store_user_org_remove(struct store_conn *c, int64_t user_id, int64_t org_id)
{
	return sq_exec_changed(c,
	    "DELETE FROM user_orgs WHERE user_id = ? "
	    "AND org_id = ?",
	    "ii", user_id, org_id);
}

enum zek_rc
store_org_delete(struct store_conn *c, int64_t id)
{
	int64_t used;
	enum zek_rc rc;

	/* Requests shared with it and their history name it: it stays. */
	rc = sq_query_i64(c, &used,
	    "SELECT EXISTS (SELECT 1 FROM requests "
	    "WHERE shared_org_id = ?1) OR EXISTS (SELECT 1 FROM activity "
	    "WHERE org_id = ?1)",
	    "i", id);
	if (rc != ZEK_OK)
		return rc;
	if (used)
		return ZEK_CONFLICT;
	/* user_orgs goes with it (ON DELETE CASCADE); the audit keeps the
	 * name in its detail. */
	return sq_exec_changed(c, "DELETE FROM organisations WHERE id = ?", "i",
	    id);
}
