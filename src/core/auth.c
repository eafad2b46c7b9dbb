/* auth.c: Argon2id passwords, throttled log-in, hashed session tokens. */
#include "core/auth.h"

#include <pthread.h>
#include <sodium.h>
#include <string.h>

#include "core/config.h"
#include "core/internal.h"
#include "core/throttle.h"
#include "core/tokens.h"
#include "core/users.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "store/store.h"

/* Interactive cost, with less memory than libsodium's 64 MiB default so
 * that several log-ins at once fit on a small server. */
#define PWHASH_OPS crypto_pwhash_OPSLIMIT_INTERACTIVE
#define PWHASH_MEM (32u << 20)
#define TOUCH_EVERY_MS 60000 /* extend a session at most once a minute */
#define CLIENT_IP_MAX 64

/* A hash to verify against when the e-mail is unknown, so that the answer
 * takes as long as for a known one. */
static char dummy_hash[crypto_pwhash_STRBYTES];
static pthread_once_t dummy_once = PTHREAD_ONCE_INIT;

static void
dummy_init(void)
{
	unsigned char pw[16];

	randombytes_buf(pw, sizeof(pw));
	if (crypto_pwhash_str(dummy_hash, (const char *)pw, sizeof(pw),
	        PWHASH_OPS, PWHASH_MEM) != 0)
		dummy_hash[0] = '\0';
	sodium_memzero(pw, sizeof(pw));
}

enum zek_rc
core_password_hash(struct zctx *ctx, const char *password, const char **out)
{
	char hash[crypto_pwhash_STRBYTES];
	size_t n;

	if (password == NULL)
		return ZEK_INVALID;
	n = strlen(password);
	if (n < USER_PASSWORD_MIN || n > USER_PASSWORD_MAX)
		return ZEK_INVALID;
	if (crypto_pwhash_str(hash, password, n, PWHASH_OPS, PWHASH_MEM) != 0)
		return ZEK_NOMEM;
	*out = arena_strdup(ctx->arena, hash);
	return *out != NULL ? ZEK_OK : ZEK_NOMEM;
}

bool
core_password_check(const char *hash, const char *password)
{
	size_t n;

	if (str_empty(hash) || password == NULL)
		return false;
	n = strlen(password);
	if (n > USER_PASSWORD_MAX)
		return false;
	return crypto_pwhash_str_verify(hash, password, n) == 0;
}

char *
core_random_token(struct zctx *ctx)
{
	unsigned char raw[32];
	char *s;

	s = arena_alloc(ctx->arena, AUTH_TOKEN_LEN + 1);
	if (s == NULL)
		return NULL;
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(s, AUTH_TOKEN_LEN + 1, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	return s;
}

bool
core_token_well_formed(const char *s)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

	return s != NULL && strlen(s) == AUTH_TOKEN_LEN &&
	    strspn(s, alphabet) == AUTH_TOKEN_LEN;
}

/* Failed sign-ins count per account and client address once the address
 * names an account, so that every spelling the look-up accepts for it
 * ("ſupport@", "SUPPORT@", "support@" with a Kelvin sign "K") shares one
 * counter. An unknown address counts under its folding, the look-up's own
 * (utf8_fold), so that its spellings share one too. NULL when out of
 * memory or when the address cannot be folded (then nobody has it). */
static char *
throttle_key(struct zctx *ctx, const struct store_user *su, const char *email,
    const char *client_ip)
{
	const char *ip = client_ip != NULL ? client_ip : "";
	char *folded;

	if (su != NULL)
		return arena_printf(ctx->arena, "user|%lld|%.*s",
		    (long long)su->id, CLIENT_IP_MAX, ip);
	folded = utf8_fold_in(ctx->arena, email);
	if (folded == NULL)
		return NULL;
	return arena_printf(ctx->arena, "email|%s|%.*s", folded, CLIENT_IP_MAX,
	    ip);
}

static enum zek_rc
session_create(struct zctx *ctx, int64_t user_id, struct session_new *out)
{
	struct store_session s;
	enum zek_rc rc;
	char *raw, *csrf, *hash;

	raw = core_random_token(ctx);
	csrf = core_random_token(ctx);
	hash = raw != NULL ? core_token_hash(ctx, raw) : NULL;
	if (raw == NULL || csrf == NULL || hash == NULL)
		return ZEK_NOMEM;
	s = (struct store_session){
		.token_hash = hash,
		.user_id = user_id,
		.csrf = csrf,
		.created_at = ctx->now_ms,
		.last_seen = ctx->now_ms,
		.expires_at = ctx->now_ms + ctx->cfg->session_ttl_ms,
	};
	rc = store_session_insert(ctx->db, &s);
	if (rc != ZEK_OK)
		return rc;
	out->token = raw;
	out->csrf = csrf;
	out->expires_at = s.expires_at;
	return ZEK_OK;
}

enum zek_rc
core_session_start(struct zctx *ctx, const struct store_user *su,
    struct session_new *out)
{
	enum zek_rc rc;

	rc = core_user_from_store(ctx, su, &out->user);
	if (rc == ZEK_OK)
		rc = session_create(ctx, su->id, out);
	if (rc == ZEK_OK)
		rc = store_user_set_login(ctx->db, su->id, ctx->now_ms);
	return rc;
}

enum zek_rc
core_login(struct zctx *ctx, const char *email, const char *password,
    const char *client_ip, struct session_new *out)
{
	struct store_user *su = NULL;
	const char *hash;
	enum zek_rc rc;
	char *key;
	bool ok;

	if (email == NULL || password == NULL)
		return ZEK_INVALID;
	if (strlen(email) > USER_EMAIL_MAX ||
	    strlen(password) > USER_PASSWORD_MAX)
		return ZEK_INVALID;
	rc = store_user_by_email(ctx->db, ctx->arena, email, &su);
	if (rc != ZEK_OK && rc != ZEK_NOTFOUND)
		return rc;
	key = throttle_key(ctx, su, email, client_ip);
	if (key == NULL)
		return rc == ZEK_NOTFOUND ? ZEK_INVALID : ZEK_NOMEM;
	if (core_throttled(ctx, key, ctx->cfg->login_max_failures))
		return ZEK_FORBIDDEN;
	pthread_once(&dummy_once, dummy_init);
	/* Unknown e-mail: verify against the dummy hash anyway. */
	hash = su != NULL && !str_empty(su->password_hash) ? su->password_hash :
	                                                     dummy_hash;
	ok = core_password_check(hash, password) && su != NULL &&
	    hash != dummy_hash;
	if (!ok) {
		core_throttle_fail(ctx, key);
		return ZEK_INVALID;
	}
	core_throttle_clear(ctx, key);
	/* The right password of a deactivated account: refused like a wrong
	 * one, so the answer tells nobody that the account exists. */
	if (su->deactivated_at != 0)
		return ZEK_INVALID;
	return core_session_start(ctx, su, out);
}

enum zek_rc
core_session_lookup(struct zctx *ctx, const char *raw_token, struct user **user,
    const char **csrf)
{
	return core_session_find(ctx, raw_token, user, csrf, NULL);
}

enum zek_rc
core_session_find(struct zctx *ctx, const char *raw_token, struct user **user,
    const char **csrf, struct session_ended *ended)
{
	struct store_session *s;
	enum zek_rc rc;
	char *hash;

	if (str_empty(raw_token) || strlen(raw_token) != AUTH_TOKEN_LEN)
		return ZEK_NOTFOUND;
	hash = core_token_hash(ctx, raw_token);
	if (hash == NULL)
		return ZEK_NOMEM;
	rc = store_session_get(ctx->db, ctx->arena, hash, &s);
	if (rc != ZEK_OK)
		return rc;
	if (s->expires_at <= ctx->now_ms) {
		if (ended != NULL)
			*ended = (struct session_ended){ s->user_id, s->csrf };
		store_session_delete(ctx->db, hash);
		return ZEK_NOTFOUND;
	}
	/* Writing on every request would serialise all readers on the lock. */
	if (ctx->now_ms - s->last_seen >= TOUCH_EVERY_MS) {
		rc = store_session_touch(ctx->db, hash, ctx->now_ms,
		    ctx->now_ms + ctx->cfg->session_ttl_ms);
		if (rc != ZEK_OK && rc != ZEK_NOTFOUND)
			return rc;
	}
	rc = core_user_get_active(ctx, s->user_id, user);
	if (rc == ZEK_OK && csrf != NULL)
		*csrf = s->csrf;
	return rc;
}

enum zek_rc
core_logout(struct zctx *ctx, const char *raw_token)
{
	char *hash;

	if (str_empty(raw_token) || strlen(raw_token) != AUTH_TOKEN_LEN)
		return ZEK_OK;
	hash = core_token_hash(ctx, raw_token);
	if (hash == NULL)
		return ZEK_NOMEM;
	return store_session_delete(ctx->db, hash);
}

enum zek_rc
core_sessions_purge(struct zctx *ctx, int64_t *n)
{
	return store_sessions_purge(ctx->db, ctx->now_ms, n);
}

bool
core_csrf_ok(const char *expected, const char *submitted)
{
	size_t n;

	if (str_empty(expected) || submitted == NULL)
		return false;
	n = strlen(expected);
	if (strlen(submitted) != n)
		return false;
	return sodium_memcmp(expected, submitted, n) == 0;
}
