/* users.c: users, organisations, sessions and login throttling. */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/utf8.h"
#include "store/query.h"

/* ---- users, organisations ---- */

void
sq_map_user(struct sq_row *r, void *elem)
{
	struct store_user *u = elem;

	u->id = sq_col_i64(r);
	u->email = sq_col_str(r);
	u->name = sq_col_str(r);
	u->password_hash = sq_col_str(r);
	u->role = sq_col_str(r);
	u->lang = sq_col_str(r);
	u->tz = sq_col_str(r);
	u->notify = sq_col_bool(r);
	u->created_at = sq_col_i64(r);
	u->deactivated_at = sq_col_i64(r);
	u->last_login_at = sq_col_i64(r);
}

enum zek_rc
store_user_insert(struct store_conn *c, const struct store_user *u,
    int64_t *id_out)
{
	char *ef = utf8_fold(u->email), *nf = utf8_fold(u->name);
	enum zek_rc rc = ZEK_NOMEM;
	int64_t id;

	if (ef == NULL || nf == NULL)
		goto out;
	rc = sq_query_i64(c, &id,
	    "INSERT INTO users (email, email_fold, name, name_fold, "
	    "password_hash, role, lang, tz, notify, created_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
	    "ttttttttbi", u->email, ef, u->name, nf,
	    u->password_hash != NULL ? u->password_hash : "", u->role, u->lang,
	    u->tz, (int)u->notify, u->created_at);
	if (rc == ZEK_OK && id_out != NULL)
		*id_out = id;
out:
	free(ef);
	free(nf);
	return rc;
}

enum zek_rc
store_user_by_email(struct store_conn *c, struct arena *a, const char *email,
    struct store_user **out)
{
	enum zek_rc rc;
	struct sq_stmt *st;
	char *ef = utf8_fold(email);

	if (ef == NULL)
		return ZEK_NOTFOUND; /* too long to be anyone's address */
	st = sq_start(c, &rc,
	    "SELECT " USER_COLS " FROM users u "
	    "WHERE u.email_fold = ?",
	    "t", ef);
	free(ef);
	if (st == NULL)
		return rc;
	return sq_collect_one(c, a, st, sq_map_user, sizeof(**out),
	    (void **)out);
}

enum zek_rc
store_user_by_id(struct store_conn *c, struct arena *a, int64_t id,
    struct store_user **out)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc,
	    "SELECT " USER_COLS " FROM users u WHERE u.id = ?", "i", id);
	if (st == NULL)
		return rc;
	return sq_collect_one_cached(c, a, st, id, sq_map_user, sizeof(**out),
	    (void **)out);
}

enum zek_rc
store_users_by_ids(struct store_conn *c, struct arena *a, const int64_t *ids,
    size_t n, struct store_user **out, size_t *nout)
{
	return sq_collect_ids(c, a,
	    sq_in_ids(c, "SELECT " USER_COLS " FROM users u WHERE u.id ", ""),
	    ids, n, sq_map_user, sizeof(**out), (void **)out, nout);
}

enum zek_rc
store_user_count(struct store_conn *c, int64_t *out)
{
	return sq_query_i64(c, out, "SELECT count(*) FROM users", "");
}

enum zek_rc
store_user_set_notify(struct store_conn *c, int64_t id, bool notify)
{
	return sq_exec_changed(c, "UPDATE users SET notify = ? WHERE id = ?",
	    "bi", (int)notify, id);
}

enum zek_rc
store_user_update_profile(struct store_conn *c, int64_t id, const char *name,
    const char *lang, const char *tz)
{
	char *nf = utf8_fold(name);
	enum zek_rc rc;

	if (nf == NULL)
		return ZEK_NOMEM;
	rc = sq_exec_changed(c,
	    "UPDATE users SET name = ?, name_fold = ?, "
	    "lang = ?, tz = ? WHERE id = ?",
	    "tttti", name, nf, lang, tz, id);
	free(nf);
	return rc;
}

enum zek_rc
store_user_set_password(struct store_conn *c, int64_t id,
    const char *password_hash)
{
	return sq_exec_changed(c,
	    "UPDATE users SET password_hash = ? WHERE id = ?", "ti",
	    password_hash, id);
}

enum zek_rc
store_users_search(struct store_conn *c, struct arena *a, const char *query,
    const char *role, size_t limit, struct store_user **out, size_t *n)
{
	char *pat;
	enum zek_rc rc;
	struct sq_stmt *st;

	if (role == NULL)
		role = "";
	/* Everybody of a role (the agents a new request is mailed to): by
	 * the index users_role, not a LIKE '%' over every user (which SQLite
	 * also prepares anew each time, the pattern being bound). */
	if (query == NULL || *query == '\0') {
		if (*role != '\0')
			st = sq_start(c, &rc,
			    "SELECT " USER_COLS " FROM users u "
			    "WHERE u.role = ? ORDER BY u.name_fold, u.id LIMIT ?",
			    "tz", role, limit);
		else
			st = sq_start(c, &rc,
			    "SELECT " USER_COLS " FROM users u "
			    "ORDER BY u.name_fold, u.id LIMIT ?",
			    "z", limit);
		if (st == NULL)
			return rc;
		return sq_collect(c, a, st, sq_map_user, sizeof(**out),
		    (void **)out, n);
	}
	pat = sq_like_pattern(query);
	if (pat == NULL)
		return ZEK_NOMEM;
	st = sq_start(c, &rc,
	    "SELECT " USER_COLS " FROM users u "
	    "WHERE (? = '' OR u.role = ?) AND (u.name_fold LIKE ? ESCAPE '\\' "
	    "OR u.email_fold LIKE ? ESCAPE '\\') "
	    "ORDER BY u.name_fold, u.id LIMIT ?",
	    "ttttz", role, role, pat, pat, limit);
	free(pat);
	if (st == NULL)
		return rc;
	return sq_collect(c, a, st, sq_map_user, sizeof(**out), (void **)out,
	    n);
}

enum zek_rc
store_users_sharing_org(struct store_conn *c, struct arena *a, int64_t user_id,
    const char *query, const char *role, size_t limit, struct store_user **out,
    size_t *n)
{
	char *pat = sq_like_pattern(query);
	enum zek_rc rc;
	struct sq_stmt *st;

	if (pat == NULL)
		return ZEK_NOMEM;
	if (role == NULL)
		role = "";
	st = sq_start(c, &rc,
	    "SELECT " USER_COLS " FROM users u "
	    "WHERE u.id IN (SELECT o.user_id FROM user_orgs o WHERE o.org_id IN "
	    "(SELECT m.org_id FROM user_orgs m WHERE m.user_id = ?)) "
	    "AND u.id <> ? AND (? = '' OR u.role = ?) "
	    "AND (u.name_fold LIKE ? ESCAPE '\\' OR u.email_fold LIKE ? "
	    "ESCAPE '\\') ORDER BY u.name_fold, u.id LIMIT ?",
	    "iittttz", user_id, user_id, role, role, pat, pat, limit);
	free(pat);
	if (st == NULL)
		return rc;
	return sq_collect(c, a, st, sq_map_user, sizeof(**out), (void **)out,
	    n);
}

static void
map_org(struct sq_row *r, void *elem)
{
	struct store_org *o = elem;

	o->id = sq_col_i64(r);
	o->name = sq_col_str(r);
}

/* Organisations from before migration 0018 (SQLite) / 0004 (PostgreSQL)
 * get their folded name; after that every write sets it. */
enum zek_rc
sq_orgs_fold_fill(struct store_conn *c)
{
	struct arena *a = arena_new(0);
	struct store_org *orgs = NULL;
	struct sq_stmt *st;
	enum zek_rc rc;
	size_t i, n = 0;

	if (a == NULL)
		return ZEK_NOMEM;
	st = sq_start(c, &rc,
	    "SELECT id, name FROM organisations "
	    "WHERE name_fold = ''",
	    "");
	if (st != NULL)
		rc = sq_collect(c, a, st, map_org, sizeof(*orgs),
		    (void **)&orgs, &n);
	for (i = 0; rc == ZEK_OK && i < n; i++) {
		char *nf = utf8_fold(orgs[i].name);

		rc = nf == NULL ? ZEK_NOMEM :
		                  sq_exec(c,
		                      "UPDATE organisations "
		                      "SET name_fold = ? WHERE id = ?",
		                      "ti", nf, orgs[i].id);
		free(nf);
	}
	arena_free(a);
	return rc;
}

enum zek_rc
store_org_ensure(struct store_conn *c, const char *name, int64_t *id_out)
{
	enum zek_rc rc;

	char *nf = utf8_fold(name);

	if (nf == NULL)
		return ZEK_NOMEM;
	rc = sq_exec(c,
	    "INSERT INTO organisations (name, name_fold, created_at) "
	    "VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING",
	    "tti", name, nf, sq_wall_ms());
	free(nf);
	if (rc != ZEK_OK)
		return rc;
	return sq_query_i64(c, id_out,
	    "SELECT id FROM organisations WHERE name = ?", "t", name);
}

enum zek_rc
store_orgs_by_ids(struct store_conn *c, struct arena *a, const int64_t *ids,
    size_t n, struct store_org **out, size_t *nout)
{
	return sq_collect_ids(c, a,
	    sq_in_ids(c,
	        "SELECT id, name "
	        "FROM organisations WHERE id ",
	        ""),
	    ids, n, map_org, sizeof(**out), (void **)out, nout);
}

enum zek_rc
store_org_get(struct store_conn *c, struct arena *a, int64_t id,
    struct store_org **out)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc, "SELECT id, name FROM organisations WHERE id = ?",
	    "i", id);
	if (st == NULL)
		return rc;
	return sq_collect_one(c, a, st, map_org, sizeof(**out), (void **)out);
}

enum zek_rc
store_user_org_add(struct store_conn *c, int64_t user_id, int64_t org_id)
{
	return sq_exec(c,
	    "INSERT INTO user_orgs (user_id, org_id) VALUES (?, ?) "
	    "ON CONFLICT (user_id, org_id) DO NOTHING",
	    "ii", user_id, org_id);
}

enum zek_rc
store_user_orgs(struct store_conn *c, struct arena *a, int64_t user_id,
    struct store_org **out, size_t *n)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc,
	    "SELECT o.id, o.name FROM organisations o "
	    "JOIN user_orgs m ON m.org_id = o.id WHERE m.user_id = ? "
	    "ORDER BY o.name, o.id",
	    "i", user_id);
	if (st == NULL)
		return rc;
	return sq_collect_cached(c, a, st, user_id, map_org, sizeof(**out),
	    (void **)out, n);
}

/* ---- sessions and login throttling ---- */

static void
map_session(struct sq_row *r, void *elem)
{
	struct store_session *s = elem;

	s->token_hash = sq_col_str(r);
	s->user_id = sq_col_i64(r);
	s->csrf = sq_col_str(r);
	s->created_at = sq_col_i64(r);
	s->last_seen = sq_col_i64(r);
	s->expires_at = sq_col_i64(r);
}

enum zek_rc
store_session_insert(struct store_conn *c, const struct store_session *s)
{
	return sq_exec(c,
	    "INSERT INTO sessions (token_hash, user_id, csrf, "
	    "created_at, last_seen, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
	    "titiii", s->token_hash, s->user_id, s->csrf, s->created_at,
	    s->last_seen, s->expires_at);
}

enum zek_rc
store_session_get(struct store_conn *c, struct arena *a, const char *token_hash,
    struct store_session **out)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc,
	    "SELECT token_hash, user_id, csrf, created_at, "
	    "last_seen, expires_at FROM sessions WHERE token_hash = ?",
	    "t", token_hash);
	if (st == NULL)
		return rc;
	return sq_collect_one(c, a, st, map_session, sizeof(**out),
	    (void **)out);
}

enum zek_rc
store_session_touch(struct store_conn *c, const char *token_hash,
    int64_t last_seen, int64_t expires_at)
{
	return sq_exec_changed(c,
	    "UPDATE sessions SET last_seen = ?, "
	    "expires_at = ? WHERE token_hash = ?",
	    "iit", last_seen, expires_at, token_hash);
}

enum zek_rc
store_session_delete(struct store_conn *c, const char *token_hash)
{
	return sq_exec(c, "DELETE FROM sessions WHERE token_hash = ?", "t",
	    token_hash);
}

enum zek_rc
store_sessions_purge(struct store_conn *c, int64_t now, int64_t *n)
{
	enum zek_rc rc;

	rc = sq_exec(c, "DELETE FROM sessions WHERE expires_at < ?", "i", now);
	if (rc == ZEK_OK && n != NULL)
		*n = sq_changes(c);
	return rc;
}

enum zek_rc
store_login_failure_get(struct store_conn *c, const char *key, int64_t *count,
    int64_t *window_start)
{
	enum zek_rc rc;
	struct sq_stmt *st;
	int r;

	st = sq_start(c, &rc,
	    "SELECT count, window_start FROM login_failures "
	    "WHERE throttle_key = ?",
	    "t", key);
	if (st == NULL)
		return rc;
	r = sq_next(c, st, &rc);
	if (r == 1) {
		*count = sq_stmt_i64(c, st, 0);
		*window_start = sq_stmt_i64(c, st, 1);
	} else if (r == 0) {
		rc = ZEK_NOTFOUND;
	}
	sq_finish(c, st);
	return rc;
}

enum zek_rc
store_user_lock(struct store_conn *c, int64_t id)
{
	int64_t found;

	return sq_query_i64(c, &found,
	    sq_dialect(c, "SELECT id FROM users WHERE id = ?",
	        "SELECT id FROM users WHERE id = ? FOR UPDATE"),
	    "i", id);
}

enum zek_rc
store_login_failure_add(struct store_conn *c, const char *key, int64_t now,
    int64_t window_ms)
{
	/* One statement: failures from several processes at once all count. */
	return sq_exec(c,
	    "INSERT INTO login_failures (throttle_key, count, "
	    "window_start) VALUES (?1, 1, ?2) ON CONFLICT (throttle_key) DO UPDATE "
	    "SET count = CASE WHEN login_failures.window_start <= ?2 - ?3 "
	    "THEN 1 ELSE login_failures.count + 1 END, "
	    "window_start = CASE WHEN login_failures.window_start <= ?2 - ?3 "
	    "THEN ?2 ELSE login_failures.window_start END",
	    "tii", key, now, window_ms);
}

enum zek_rc
store_login_failure_clear(struct store_conn *c, const char *key)
{
	return sq_exec(c, "DELETE FROM login_failures WHERE throttle_key = ?",
	    "t", key);
}
