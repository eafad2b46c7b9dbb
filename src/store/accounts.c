/* accounts.c: single-use account links, an account's state, the audit. */
#include "store/store.h"

#include <stdlib.h>

#include "lib/arena.h"
#include "lib/utf8.h"
#include "store/query.h"

/* ---- single-use links ---- */

static void
map_link(struct sq_row *r, void *elem)
{
	struct store_account_link *l = elem;

	l->token_hash = sq_col_str(r);
	l->purpose = sq_col_str(r);
	l->user_id = sq_col_i64(r);
	l->created_by = sq_col_i64(r);
	l->created_at = sq_col_i64(r);
	l->expires_at = sq_col_i64(r);
	l->used_at = sq_col_i64(r);
}

enum zek_rc
store_account_link_insert(struct store_conn *c,
    const struct store_account_link *l)
{
	return sq_exec(c,
	    "INSERT INTO account_links (token_hash, purpose, "
	    "user_id, created_by, created_at, expires_at) "
	    "VALUES (?, ?, ?, ?, ?, ?)",
	    "ttiIii", l->token_hash, l->purpose, l->user_id, l->created_by,
	    l->created_at, l->expires_at);
}

enum zek_rc
store_account_link_get(struct store_conn *c, struct arena *a,
    const char *token_hash, struct store_account_link **out)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc,
	    "SELECT token_hash, purpose, user_id, "
	    "coalesce(created_by, 0), created_at, expires_at, used_at "
	    "FROM account_links WHERE token_hash = ?",
	    "t", token_hash);
	if (st == NULL)
		return rc;
	return sq_collect_one(c, a, st, map_link, sizeof(**out), (void **)out);
}

enum zek_rc
store_account_link_use(struct store_conn *c, const char *token_hash,
    const char *purpose, int64_t now)
{
	return sq_exec_changed(c,
	    "UPDATE account_links SET used_at = ?1 "
	    "WHERE token_hash = ?2 AND purpose = ?3 AND used_at = 0 "
	    "AND expires_at > ?1",
	    "itt", now, token_hash, purpose);
}

enum zek_rc
store_account_links_spend(struct store_conn *c, int64_t user_id,
    const char *purpose, int64_t now)
{
	return sq_exec(c,
	    "UPDATE account_links SET used_at = ? "
	    "WHERE user_id = ? AND purpose = ? AND used_at = 0",
	    "iit", now, user_id, purpose);
}

enum zek_rc
store_account_links_purge(struct store_conn *c, int64_t before, int64_t *n)
{
	enum zek_rc rc;

	rc = sq_exec(c,
	    "DELETE FROM account_links WHERE expires_at < ?1 "
	    "OR (used_at > 0 AND used_at < ?1)",
	    "i", before);
	if (rc == ZEK_OK && n != NULL)
		*n = sq_changes(c);
	return rc;
}

/* ---- an account's state ---- */

enum zek_rc
store_user_set_deactivated(struct store_conn *c, int64_t id, int64_t at)
{
	return sq_exec_changed(c,
	    "UPDATE users SET deactivated_at = ? "
	    "WHERE id = ?",
	    "ii", at, id);
}

enum zek_rc
store_user_set_login(struct store_conn *c, int64_t id, int64_t at)
{
	return sq_exec_changed(c,
	    "UPDATE users SET last_login_at = ? "
	    "WHERE id = ?",
	    "ii", at, id);
}

/* ---- the audit ---- */

enum zek_rc
store_audit_add(struct store_conn *c, const struct store_audit *e)
{
	return sq_exec(c,
	    "INSERT INTO account_audit (at, actor_id, action, "
	    "user_id, org_id, detail) VALUES (?, ?, ?, ?, ?, ?)",
	    "iItIIt", e->at, e->actor_id, e->action, e->user_id, e->org_id,
	    sq_nz(e->detail));
}

static void
map_audit(struct sq_row *r, void *elem)
{
	struct store_audit *e = elem;

	e->id = sq_col_i64(r);
	e->at = sq_col_i64(r);
	e->actor_id = sq_col_i64(r);
	e->actor_name = sq_col_str(r);
	e->action = sq_col_str(r);
	e->user_id = sq_col_i64(r);
	e->user_email = sq_col_str(r);
	e->org_id = sq_col_i64(r);
	e->org_name = sq_col_str(r);
	e->detail = sq_col_str(r);
}

enum zek_rc
store_audit_list(struct store_conn *c, struct arena *a, int64_t user_id,
    int64_t before_id, size_t limit, struct store_audit **out, size_t *n)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc,
	    "SELECT e.id, e.at, coalesce(e.actor_id, 0), "
	    "coalesce(au.name, ''), e.action, coalesce(e.user_id, 0), "
	    "coalesce(u.email, ''), coalesce(e.org_id, 0), "
	    "coalesce(o.name, ''), e.detail FROM account_audit e "
	    "LEFT JOIN users au ON au.id = e.actor_id "
	    "LEFT JOIN users u ON u.id = e.user_id "
	    "LEFT JOIN organisations o ON o.id = e.org_id "
	    "WHERE (?1 = 0 OR e.user_id = ?1) AND (?2 = 0 OR e.id < ?2) "
	    "ORDER BY e.id DESC LIMIT ?3",
	    "iiz", user_id, before_id, limit);
	if (st == NULL)
		return rc;
	return sq_collect(c, a, st, map_audit, sizeof(**out), (void **)out, n);
}

/* ---- personal data: export and erasure ---- */

static void
map_user_request(struct sq_row *r, void *elem)
{
	struct store_user_request *q = elem;

	q->key = sq_col_str(r);
	q->title = sq_col_str(r);
	q->status = sq_col_str(r);
	q->created_at = sq_col_i64(r);
}

enum zek_rc
store_user_requests(struct store_conn *c, struct arena *a, int64_t user_id,
    bool participating, struct store_user_request **out, size_t *n)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	if (participating)
		st = sq_start(c, &rc,
		    "SELECT r.issue_key, r.title, r.status, "
		    "r.created_at FROM participants p JOIN requests r "
		    "ON r.id = p.request_id WHERE p.user_id = ? ORDER BY r.id",
		    "i", user_id);
	else
		st = sq_start(c, &rc,
		    "SELECT r.issue_key, r.title, r.status, "
		    "r.created_at FROM requests r WHERE r.reporter_id = ? "
		    "ORDER BY r.id",
		    "i", user_id);
	if (st == NULL)
		return rc;
	return sq_collect(c, a, st, map_user_request, sizeof(**out),
	    (void **)out, n);
}

static void
map_user_comment(struct sq_row *r, void *elem)
{
	struct store_user_comment *m = elem;

	m->key = sq_col_str(r);
	m->body = sq_col_str(r);
	m->is_public = sq_col_bool(r);
	m->created_at = sq_col_i64(r);
}

enum zek_rc
store_user_comments(struct store_conn *c, struct arena *a, int64_t user_id,
    struct store_user_comment **out, size_t *n)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	/* No index on the author: an export is rare, a full read is fine. */
	st = sq_start(c, &rc,
	    "SELECT r.issue_key, m.body, m.public, m.created_at "
	    "FROM comments m JOIN requests r ON r.id = m.request_id "
	    "WHERE m.author_id = ? ORDER BY m.id",
	    "i", user_id);
	if (st == NULL)
		return rc;
	return sq_collect(c, a, st, map_user_comment, sizeof(**out),
	    (void **)out, n);
}

static void
map_user_session(struct sq_row *r, void *elem)
{
	struct store_session *s = elem;

	s->token_hash = "";
	s->user_id = sq_col_i64(r);
	s->csrf = "";
	s->created_at = sq_col_i64(r);
	s->last_seen = sq_col_i64(r);
	s->expires_at = sq_col_i64(r);
}

enum zek_rc
store_user_sessions(struct store_conn *c, struct arena *a, int64_t user_id,
    struct store_session **out, size_t *n)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc,
	    "SELECT user_id, created_at, last_seen, "
	    "expires_at FROM sessions WHERE user_id = ? ORDER BY created_at",
	    "i", user_id);
	if (st == NULL)
		return rc;
	return sq_collect(c, a, st, map_user_session, sizeof(**out),
	    (void **)out, n);
}

static void
map_user_mail(struct sq_row *r, void *elem)
{
	struct store_mail *m = elem;

	m->id = sq_col_i64(r);
	m->event = sq_col_str(r);
	m->to_addr = sq_col_str(r);
	m->state = sq_col_str(r);
	m->created_at = sq_col_i64(r);
	m->sent_at = sq_col_i64(r);
}

enum zek_rc
store_user_mails(struct store_conn *c, struct arena *a, int64_t user_id,
    struct store_mail **out, size_t *n)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc,
	    "SELECT id, event, to_addr, state, created_at, "
	    "coalesce(sent_at, 0) FROM outbox WHERE recipient_id = ? "
	    "ORDER BY id",
	    "i", user_id);
	if (st == NULL)
		return rc;
	return sq_collect(c, a, st, map_user_mail, sizeof(**out), (void **)out,
	    n);
}

enum zek_rc
store_user_erase(struct store_conn *c, const struct store_user *u,
    const char *const *throttle_keys, size_t nkeys)
{
	static const char *const deletes[] = {
		"DELETE FROM api_tokens WHERE user_id = ?",
		"DELETE FROM sessions WHERE user_id = ?",
		"DELETE FROM account_links WHERE user_id = ?",
		"DELETE FROM user_orgs WHERE user_id = ?",
		"DELETE FROM participant_settings WHERE user_id = ?",
		"DELETE FROM outbox WHERE recipient_id = ?",
	};
	char *ef = utf8_fold(u->email), *nf = utf8_fold(u->name);
	enum zek_rc rc = ZEK_NOMEM;
	size_t i;

	if (ef == NULL || nf == NULL)
		goto out;
	rc = sq_exec_changed(c,
	    "UPDATE users SET email = ?, email_fold = ?, "
	    "name = ?, name_fold = ?, password_hash = '', notify = 0, "
	    "lang = 'de', tz = 'Europe/Berlin', deactivated_at = ? "
	    "WHERE id = ?",
	    "ttttii", u->email, ef, u->name, nf, u->deactivated_at, u->id);
	for (i = 0; rc == ZEK_OK && i < ZEK_ARRAY_LEN(deletes); i++)
		rc = sq_exec(c, deletes[i], "i", u->id);
	for (i = 0; rc == ZEK_OK && i < nkeys; i++)
		rc = sq_exec(c,
		    "DELETE FROM login_failures WHERE throttle_key "
		    "LIKE ? ESCAPE '\\'",
		    "t", throttle_keys[i]);
out:
	free(ef);
	free(nf);
	return rc;
}
