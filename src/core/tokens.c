/* tokens.c: personal access tokens, kept as SHA-256 hashes, for REST API calls. */
#include "core/tokens.h"

#include <sodium.h>
#include <string.h>

#include "core/internal.h"
#include "core/users.h"
#include "core/validate.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "store/store.h"

#define DAY_MS INT64_C(86400000)

bool
core_api_token_well_formed(const char *s)
{
	return s != NULL && str_starts(s, TOKEN_PREFIX) &&
	    core_token_well_formed(s + TOKEN_PREFIX_LEN);
}

char *
core_token_hash(struct zctx *ctx, const char *s)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char *hex;

	hex = arena_alloc(ctx->arena, 2 * sizeof(h) + 1);
	if (hex == NULL)
		return NULL;
	crypto_hash_sha256(h, (const unsigned char *)s, strlen(s));
	sodium_bin2hex(hex, 2 * sizeof(h) + 1, h, sizeof(h));
	return hex;
}

static void
wipe(void *p)
{
	sodium_memzero(p, strlen(p));
}

static void
set_err(struct field_error *err, const char *field, const char *key,
    int64_t max)
{
	*err = (struct field_error){ .field = field, .key = key, .max = max };
}

/* The trimmed name, or NULL with *err set (not when out of memory). */
static const char *
check_name(struct zctx *ctx, const char *name, struct field_error *err)
{
	const char *key, *nm = core_name_check(ctx, name, TOKEN_NAME_MAX, &key);

	if (nm == NULL && key != NULL)
		set_err(err, "name", key,
		    str_eq(key, "err_too_long") ? TOKEN_NAME_MAX : 0);
	return nm;
}

/* Reads "YYYY-MM-DD" as the first and the last millisecond of that day in
 * zone tz. */
static bool
parse_day(const char *date, const char *tz, int64_t *start, int64_t *end)
{
	char buf[32];
	size_t i;

	if (date == NULL || strlen(date) != 10)
		return false;
	for (i = 0; i < 10; i++) {
		bool dash = i == 4 || i == 7;
		if (dash ? date[i] != '-' : (date[i] < '0' || date[i] > '9'))
			return false;
	}
	memcpy(buf, date, 10);
	memcpy(buf + 10, "T00:00", 7);
	if (core_parse_local_datetime(buf, tz, start) != ZEK_OK)
		return false;
	memcpy(buf + 10, "T23:59:59", 10);
	if (core_parse_local_datetime(buf, tz, end) != ZEK_OK)
		return false;
	*end += 999;
	return true;
}

static bool
check_expiry(struct zctx *ctx, const char *date, const char *tz,
    int64_t *expires_at, struct field_error *err)
{
	int64_t start, end;

	if (str_empty(date)) {
		set_err(err, "expires", "err_required", 0);
		return false;
	}
	if (!parse_day(date, tz, &start, &end)) {
		set_err(err, "expires", "err_token_expiry_invalid", 0);
		return false;
	}
	if (end <= ctx->now_ms) {
		set_err(err, "expires", "err_token_expiry_past", 0);
		return false;
	}
	if (start > ctx->now_ms + TOKEN_DAYS_MAX * DAY_MS) {
		set_err(err, "expires", "err_token_expiry_too_far",
		    TOKEN_DAYS_MAX);
		return false;
	}
	*expires_at = end;
	return true;
}

/* A fresh raw token in the arena, wiped when the arena is freed (it is the
 * only copy of the secret); NULL when out of memory. */
static char *
new_raw_token(struct zctx *ctx)
{
	char *body = core_random_token(ctx);
	char *raw;

	if (body == NULL)
		return NULL;
	raw = arena_printf(ctx->arena, TOKEN_PREFIX "%s", body);
	sodium_memzero(body, strlen(body));
	if (raw == NULL || arena_defer(ctx->arena, wipe, raw) != 0)
		return NULL;
	return raw;
}

enum zek_rc
core_token_create(struct zctx *ctx, const struct user *user, const char *name,
    const char *expiry_date, const char *tz, struct token_new *out,
    struct field_error *err)
{
	struct store_token t;
	const char *nm;
	char *raw, *hash;
	int64_t expires_at = 0, active, id = 0;
	enum zek_rc rc;

	memset(err, 0, sizeof(*err));
	nm = check_name(ctx, name, err);
	if (nm == NULL)
		return err->key != NULL ? ZEK_INVALID : ZEK_NOMEM;
	if (!check_expiry(ctx, expiry_date, tz, &expires_at, err))
		return ZEK_INVALID;
	raw = new_raw_token(ctx);
	hash = raw != NULL ? core_token_hash(ctx, raw) : NULL;
	if (hash == NULL)
		return ZEK_NOMEM;
	/* Count and insert with the user's row locked, so two parallel
	 * requests (in any process) cannot both take the last free place. */
	rc = store_begin(ctx->db);
	if (rc != ZEK_OK)
		return rc;
	rc = store_user_lock(ctx->db, user->id);
	if (rc == ZEK_OK)
		rc = store_tokens_count_active(ctx->db, user->id, ctx->now_ms,
		    &active);
	if (rc != ZEK_OK)
		goto out;
	if (active >= TOKEN_MAX_PER_USER) {
		set_err(err, "name", "err_token_limit", TOKEN_MAX_PER_USER);
		rc = ZEK_INVALID;
		goto out;
	}
	t = (struct store_token){
		.user_id = user->id,
		.name = nm,
		.created_at = ctx->now_ms,
		.expires_at = expires_at,
	};
	rc = store_token_insert(ctx->db, &t, hash, &id);
out:
	rc = store_finish(ctx->db, rc);
	if (rc != ZEK_OK) {
		sodium_memzero(raw, strlen(raw));
		return rc;
	}
	*out = (struct token_new){ .id = id,
		.raw = raw,
		.expires_at = expires_at };
	return ZEK_OK;
}

enum zek_rc
core_tokens_list(struct zctx *ctx, const struct user *user,
    struct api_token **out, size_t *n)
{
	struct store_token *st;
	struct api_token *t;
	enum zek_rc rc;
	size_t i, cnt;

	rc = store_tokens_by_user(ctx->db, ctx->arena, user->id, &st, &cnt);
	if (rc != ZEK_OK)
		return rc;
	t = arena_calloc(ctx->arena, cnt > 0 ? cnt : 1, sizeof(*t));
	if (t == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < cnt; i++)
		t[i] = (struct api_token){
			.id = st[i].id,
			.name = st[i].name,
			.created_at = st[i].created_at,
			.expires_at = st[i].expires_at,
			.last_used_at = st[i].last_used_at,
			.expired = st[i].expires_at <= ctx->now_ms,
		};
	*out = t;
	*n = cnt;
	return ZEK_OK;
}

enum zek_rc
core_token_revoke(struct zctx *ctx, const struct user *user, int64_t id)
{
	return store_token_delete(ctx->db, user->id, id);
}

/* "YYYY-MM-DD" of `ms` in zone tz. */
static enum zek_rc
local_day(int64_t ms, const char *tz, char out[11])
{
	char buf[17];
	enum zek_rc rc;

	rc = core_format_local_datetime(ms, tz, buf);
	if (rc != ZEK_OK)
		return rc;
	memcpy(out, buf, 10);
	out[10] = '\0';
	return ZEK_OK;
}

enum zek_rc
core_token_dates(struct zctx *ctx, const char *tz, char today[11],
    char suggested[11], char latest[11])
{
	enum zek_rc rc;

	rc = local_day(ctx->now_ms, tz, today);
	if (rc == ZEK_OK)
		rc = local_day(ctx->now_ms + TOKEN_DAYS_DEFAULT * DAY_MS, tz,
		    suggested);
	if (rc == ZEK_OK)
		rc = local_day(ctx->now_ms + TOKEN_DAYS_MAX * DAY_MS, tz,
		    latest);
	return rc;
}

/* The token row of a raw token that may be used now. */
static enum zek_rc
token_lookup(struct zctx *ctx, const char *raw, struct store_token **out)
{
	struct store_token *t;
	enum zek_rc rc;
	char *hash;

	if (!core_api_token_well_formed(raw))
		return ZEK_NOTFOUND;
	hash = core_token_hash(ctx, raw);
	if (hash == NULL)
		return ZEK_NOMEM;
	rc = store_token_by_hash(ctx->db, ctx->arena, hash, &t);
	if (rc != ZEK_OK)
		return rc;
	if (t->expires_at <= ctx->now_ms)
		return ZEK_NOTFOUND;
	/* Writing on every call would serialise all readers on the lock. */
	if (ctx->now_ms - t->last_used_at >= TOKEN_TOUCH_EVERY_MS) {
		rc = store_token_touch(ctx->db, t->id, ctx->now_ms);
		if (rc != ZEK_OK)
			return rc; /* ZEK_NOTFOUND: revoked just now */
	}
	*out = t;
	return ZEK_OK;
}

enum zek_rc
core_token_authenticate(struct zctx *ctx, const char *raw, struct user **user)
{
	struct store_token *t;
	enum zek_rc rc;

	rc = token_lookup(ctx, raw, &t);
	if (rc != ZEK_OK)
		return rc;
	return core_user_get_active(ctx, t->user_id, user);
}

enum zek_rc
core_token_authenticate_basic(struct zctx *ctx, const char *email,
    const char *raw, struct user **user)
{
	struct store_user *su;
	struct store_token *t;
	enum zek_rc rc;

	if (str_empty(email) || strlen(email) > USER_EMAIL_MAX)
		return ZEK_NOTFOUND;
	rc = token_lookup(ctx, raw, &t);
	if (rc != ZEK_OK)
		return rc;
	rc = store_user_by_email(ctx->db, ctx->arena, email, &su);
	if (rc != ZEK_OK)
		return rc;
	if (su->id != t->user_id || su->deactivated_at != 0)
		return ZEK_NOTFOUND;
	return core_user_from_store(ctx, su, user);
}
