/* tokens.h: personal access tokens: create, list, revoke, authenticate API calls. */
#ifndef ZEK_CORE_TOKENS_H
#define ZEK_CORE_TOKENS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/auth.h"
#include "core/ctx.h"

struct user;
struct field_error;

/* A raw token is TOKEN_PREFIX followed by AUTH_TOKEN_LEN characters of
 * base64url (256 random bits), so people and secret scanners can tell it
 * from a session cookie or a password. */
#define TOKEN_PREFIX "zek_"
#define TOKEN_PREFIX_LEN 4
#define TOKEN_LEN (TOKEN_PREFIX_LEN + AUTH_TOKEN_LEN)
#define TOKEN_NAME_MAX 100         /* code points */
#define TOKEN_MAX_PER_USER 20      /* tokens that have not expired */
#define TOKEN_DAYS_DEFAULT 90      /* suggested lifetime */
#define TOKEN_DAYS_MAX 365         /* longest lifetime */
#define TOKEN_TOUCH_EVERY_MS 60000 /* record a use at most once a minute */

/* One token as its owner sees it. Lives in ctx->arena. */
struct api_token {
	int64_t id;
	const char *name;
	int64_t created_at;
	int64_t expires_at;   /* UTC ms; the token works before this */
	int64_t last_used_at; /* 0 = never used */
	bool expired;
};

/* A token just made: `raw` is the only copy of the secret; show it once. */
struct token_new {
	int64_t id;
	const char *raw;
	int64_t expires_at;
};

/* True when s has the shape of a raw token (prefix, length, alphabet). */
bool core_api_token_well_formed(const char *s);
/* Hex SHA-256 of s, in the arena (what the database keeps of tokens);
 * NULL when out of memory. */
char *core_token_hash(struct zctx *ctx, const char *s);

/* Creates a token for `user` named `name` that works until the end of the
 * day `expiry_date` ("YYYY-MM-DD") in the zone `tz`. That day may be today
 * up to TOKEN_DAYS_MAX days ahead; at most TOKEN_MAX_PER_USER unexpired
 * tokens per user. ZEK_INVALID with *err (field "name" or "expires"):
 * err_required, err_too_long, err_invalid_utf8, err_invalid_chars,
 * err_token_expiry_invalid, err_token_expiry_past,
 * err_token_expiry_too_far ({max} days), err_token_limit ({max}). */
enum zek_rc core_token_create(struct zctx *ctx, const struct user *user,
    const char *name, const char *expiry_date, const char *tz,
    struct token_new *out, struct field_error *err);
/* The user's tokens, newest first, expired ones included. */
enum zek_rc core_tokens_list(struct zctx *ctx, const struct user *user,
    struct api_token **out, size_t *n);
/* Deletes the user's token `id`: it stops working at once. ZEK_NOTFOUND
 * when the user has no such token. */
enum zek_rc core_token_revoke(struct zctx *ctx, const struct user *user,
    int64_t id);
/* The dates for the create form in zone tz as "YYYY-MM-DD" (out[11] each):
 * today, today + TOKEN_DAYS_DEFAULT, today + TOKEN_DAYS_MAX. */
enum zek_rc core_token_dates(struct zctx *ctx, const char *tz, char today[11],
    char suggested[11], char latest[11]);

/* The user a raw token belongs to, when it is well-formed, known and not
 * expired; records the use (at most once a minute). ZEK_NOTFOUND
 * otherwise. *user lives in ctx->arena. */
enum zek_rc core_token_authenticate(struct zctx *ctx, const char *raw,
    struct user **user);
/* Like core_token_authenticate, and the token must belong to the user
 * with the e-mail address `email` (any case): HTTP Basic with e-mail and
 * token. A password is never accepted here. */
enum zek_rc core_token_authenticate_basic(struct zctx *ctx, const char *email,
    const char *raw, struct user **user);

#endif
