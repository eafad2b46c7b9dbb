/* auth.h: passwords, log-in with throttling, sessions. */
#ifndef ZEK_CORE_AUTH_H
#define ZEK_CORE_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "core/ctx.h"

struct store_user;
struct user;

/* Raw tokens are 43 characters of base64url (256 random bits). */
#define AUTH_TOKEN_LEN 43

/* A fresh session. The raw token goes into the cookie only; the database
 * holds its hash. Lives in ctx->arena. */
struct session_new {
	const char *token;  /* raw session token for the cookie */
	const char *csrf;   /* CSRF token for forms of this session */
	int64_t expires_at; /* idle expiry, UTC ms */
	struct user *user;
};

/* 256 random bits as AUTH_TOKEN_LEN characters of base64url, in the
 * arena; NULL when out of memory. */
char *core_random_token(struct zctx *ctx);
/* True when s has the shape of such a token. */
bool core_token_well_formed(const char *s);

/* Hashes a password with Argon2id into the arena. ZEK_INVALID when its
 * length is outside [USER_PASSWORD_MIN, USER_PASSWORD_MAX]. */
enum zek_rc core_password_hash(struct zctx *ctx, const char *password,
    const char **out);
/* True when the password matches the stored hash. */
bool core_password_check(const char *hash, const char *password);

/* Checks e-mail (any case) and password; on success creates a session.
 * ZEK_INVALID for an unknown e-mail or a wrong password alike (the same
 * work is done for both, so the answer time does not tell them apart);
 * ZEK_FORBIDDEN when more than cfg->login_max_failures failures for this
 * e-mail and client address happened within cfg->login_window_ms (then the
 * password is not even checked). A success clears the counter. */
enum zek_rc core_login(struct zctx *ctx, const char *email,
    const char *password, const char *client_ip, struct session_new *out);
/* Signs su in: a new session, and the time noted as their last sign-in.
 * Checks nothing: for core_login and the account links. */
enum zek_rc core_session_start(struct zctx *ctx, const struct store_user *su,
    struct session_new *out);
/* Finds the session of a raw token. Extends its idle expiry (at most once
 * a minute). ZEK_NOTFOUND when unknown or expired. *user and *csrf live in
 * ctx->arena; csrf may be NULL. */
enum zek_rc core_session_lookup(struct zctx *ctx, const char *raw_token,
    struct user **user, const char **csrf);
/* What an ended session still tells: whose it was and the CSRF token its
 * forms carried, so that a form sent after it ended can be kept for its
 * user (core/keep.h). user_id 0: the token named no session (unknown,
 * or purged already). */
struct session_ended {
	int64_t user_id;
	const char *csrf;
};
/* core_session_lookup that also fills *ended (may be NULL) when the
 * token names a session that expired; that session is deleted as
 * core_session_lookup deletes it. */
enum zek_rc core_session_find(struct zctx *ctx, const char *raw_token,
    struct user **user, const char **csrf, struct session_ended *ended);
/* Ends the session; an unknown token is not an error. */
enum zek_rc core_logout(struct zctx *ctx, const char *raw_token);
/* Deletes expired sessions (a periodic job). n may be NULL. */
enum zek_rc core_sessions_purge(struct zctx *ctx, int64_t *n);
/* Constant-time comparison of a submitted CSRF token with the session's. */
bool core_csrf_ok(const char *expected, const char *submitted);

#endif
