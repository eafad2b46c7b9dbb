/* tokens.c: personal access tokens, and ending a user's other sessions. */
#include "store/store.h"

#include "lib/arena.h"
#include "store/query.h"

#define TOKEN_COLS "id, user_id, name, created_at, expires_at, last_used_at"

static void
map_token(struct sq_row *r, void *elem)
{
	struct store_token *t = elem;

	t->id = sq_col_i64(r);
	t->user_id = sq_col_i64(r);
	t->name = sq_col_str(r);
	t->created_at = sq_col_i64(r);
	t->expires_at = sq_col_i64(r);
	t->last_used_at = sq_col_i64(r);
}

enum zek_rc
store_token_insert(struct store_conn *c, const struct store_token *t,
    const char *token_hash, int64_t *id_out)
{
	int64_t id;
	enum zek_rc rc;

	rc = sq_query_i64(c, &id,
	    "INSERT INTO api_tokens (user_id, name, "
	    "token_hash, created_at, expires_at, last_used_at) "
	    "VALUES (?, ?, ?, ?, ?, 0) RETURNING id",
	    "ittii", t->user_id, t->name, token_hash, t->created_at,
	    t->expires_at);
	if (rc == ZEK_OK && id_out != NULL)
		*id_out = id;
	return rc;
}

enum zek_rc
store_tokens_by_user(struct store_conn *c, struct arena *a, int64_t user_id,
    struct store_token **out, size_t *n)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc,
	    "SELECT " TOKEN_COLS " FROM api_tokens "
	    "WHERE user_id = ? ORDER BY created_at DESC, id DESC",
	    "i", user_id);
	if (st == NULL)
		return rc;
	return sq_collect(c, a, st, map_token, sizeof(**out), (void **)out, n);
}

enum zek_rc
store_tokens_count_active(struct store_conn *c, int64_t user_id, int64_t now,
    int64_t *out)
{
	return sq_query_i64(c, out,
	    "SELECT count(*) FROM api_tokens "
	    "WHERE user_id = ? AND expires_at > ?",
	    "ii", user_id, now);
}

enum zek_rc
store_token_by_hash(struct store_conn *c, struct arena *a,
    const char *token_hash, struct store_token **out)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc,
	    "SELECT " TOKEN_COLS " FROM api_tokens "
	    "WHERE token_hash = ?",
	    "t", token_hash);
	if (st == NULL)
		return rc;
	return sq_collect_one(c, a, st, map_token, sizeof(**out), (void **)out);
}

enum zek_rc
store_token_touch(struct store_conn *c, int64_t id, int64_t now)
{
	return sq_exec_changed(c,
	    "UPDATE api_tokens SET last_used_at = ? "
	    "WHERE id = ?",
	    "ii", now, id);
}

enum zek_rc
store_token_delete(struct store_conn *c, int64_t user_id, int64_t id)
{
	return sq_exec_changed(c,
	    "DELETE FROM api_tokens "
	    "WHERE id = ? AND user_id = ?",
	    "ii", id, user_id);
}

enum zek_rc
store_tokens_delete_all(struct store_conn *c, int64_t user_id)
{
	return sq_exec(c, "DELETE FROM api_tokens WHERE user_id = ?", "i",
	    user_id);
}

enum zek_rc
store_sessions_delete_others(struct store_conn *c, int64_t user_id,
    const char *keep_hash)
{
	return sq_exec(c,
	    "DELETE FROM sessions WHERE user_id = ? "
	    "AND token_hash <> ?",
	    "it", user_id, keep_hash != NULL ? keep_hash : "");
}
