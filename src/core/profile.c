/* profile.c: display name, password change, language and time zone of a user. */
#include "core/profile.h"
#include "core/throttle.h"

#include <sodium.h>
#include <string.h>

#include "core/auth.h"
#include "core/config.h"
#include "core/password.h"
#include "core/internal.h"
#include "core/tokens.h"
#include "core/users.h"
#include "core/validate.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "store/store.h"

static void
add_err(struct field_error *errs, size_t *nerrs, const char *field,
    const char *key, int64_t max)
{
	if (*nerrs < PROFILE_MAX_ERRORS)
		errs[(*nerrs)++] = (struct field_error){ .field = field,
			.key = key,
			.max = max };
}

/* The trimmed name, or NULL (with an error added unless out of memory). */
static const char *
check_name(struct zctx *ctx, const char *name, struct field_error *errs,
    size_t *nerrs)
{
	const char *err, *nm = core_name_check(ctx, name, USER_NAME_MAX, &err);

	if (nm == NULL && err != NULL)
		add_err(errs, nerrs, "name", err,
		    str_eq(err, "err_too_long") ? USER_NAME_MAX : 0);
	return nm;
}

/* Wrong current passwords are throttled like log-ins, so a borrowed
 * session cannot be used to guess the password. */
static char *
throttle_key(struct zctx *ctx, const struct user *user)
{
	return arena_printf(ctx->arena, "profile|%lld", (long long)user->id);
}

static enum zek_rc
check_current_password(struct zctx *ctx, const struct user *user,
    const char *current, struct field_error *errs, size_t *nerrs)
{
	struct store_user *su;
	enum zek_rc rc;
	char *key;

	if (str_empty(current)) {
		add_err(errs, nerrs, "current_password", "err_required", 0);
		return ZEK_OK;
	}
	key = throttle_key(ctx, user);
	if (key == NULL)
		return ZEK_NOMEM;
	if (core_throttled(ctx, key, ctx->cfg->login_max_failures)) {
		add_err(errs, nerrs, "current_password",
		    "err_password_throttled", 0);
		return ZEK_OK;
	}
	rc = store_user_by_id(ctx->db, ctx->arena, user->id, &su);
	if (rc != ZEK_OK)
		return rc;
	if (!core_password_check(su->password_hash, current)) {
		core_throttle_fail(ctx, key);
		add_err(errs, nerrs, "current_password", "err_password_wrong",
		    0);
		return ZEK_OK;
	}
	core_throttle_clear(ctx, key);
	return ZEK_OK;
}

/* Writes name and password hash (NULL = unchanged) in one transaction;
 * language and zone are read fresh so a parallel change is kept. */
static enum zek_rc
save_profile(struct zctx *ctx, const struct user *user, const char *name,
    const char *hash, const struct profile_edit *in)
{
	const char *keep_session = in->keep_session;
	struct store_user *su;
	const char *keep = NULL;
	enum zek_rc rc;

	if (hash != NULL && !str_empty(keep_session)) {
		keep = core_token_hash(ctx, keep_session);
		if (keep == NULL)
			return ZEK_NOMEM;
	}
	rc = store_begin(ctx->db);
	if (rc != ZEK_OK)
		return rc;
	rc = store_user_by_id(ctx->db, ctx->arena, user->id, &su);
	if (rc == ZEK_OK)
		rc = store_user_update_profile(ctx->db, user->id, name,
		    su->lang, su->tz);
	if (rc == ZEK_OK && hash != NULL) {
		rc = store_user_set_password(ctx->db, user->id, hash);
		/* Whoever else knew the old password is signed out. */
		if (rc == ZEK_OK)
			rc = store_sessions_delete_others(ctx->db, user->id,
			    keep);
		/* Tokens are separate credentials: gone only when asked. */
		if (rc == ZEK_OK && in->revoke_tokens)
			rc = store_tokens_delete_all(ctx->db, user->id);
	}
	return store_finish(ctx->db, rc);
}

enum zek_rc
core_profile_edit(struct zctx *ctx, const struct user *user,
    const struct profile_edit *in, struct field_error *errs, size_t *nerrs,
    bool *password_changed)
{
	const char *name, *hash = NULL;
	bool want_pw;
	enum zek_rc rc;

	*nerrs = 0;
	if (password_changed != NULL)
		*password_changed = false;
	name = check_name(ctx, in->name, errs, nerrs);
	if (name == NULL && *nerrs == 0)
		return ZEK_NOMEM;
	want_pw = !str_empty(in->current_password) ||
	    !str_empty(in->new_password) || !str_empty(in->new_password2);
	if (want_pw) {
		rc = check_current_password(ctx, user, in->current_password,
		    errs, nerrs);
		if (rc != ZEK_OK)
			return rc;
		struct password_errs pe = { errs, nerrs, PROFILE_MAX_ERRORS };

		core_password_rules(ctx, in->new_password, in->new_password2,
		    user->email, name != NULL ? name : user->name,
		    "new_password", "new_password2", &pe);
	}
	if (*nerrs > 0)
		return ZEK_INVALID;
	if (want_pw) {
		/* Hash before taking the write lock: it is slow on purpose. */
		rc = core_password_hash(ctx, in->new_password, &hash);
		if (rc != ZEK_OK)
			return rc;
	}
	rc = save_profile(ctx, user, name, hash, in);
	if (rc == ZEK_OK && password_changed != NULL)
		*password_changed = want_pw;
	return rc;
}

enum zek_rc
core_profile_set_prefs(struct zctx *ctx, const struct user *user,
    const char *lang, const char *tz, bool notify, struct field_error *err)
{
	struct store_user *su;
	enum zek_rc rc;

	memset(err, 0, sizeof(*err));
	if (!str_eq(lang, "de") && !str_eq(lang, "en")) {
		*err = (struct field_error){ .field = "lang",
			.key = "err_invalid_option" };
		return ZEK_INVALID;
	}
	if (tz == NULL || !core_tz_valid(tz)) {
		*err = (struct field_error){ .field = "tz",
			.key = "err_invalid_option" };
		return ZEK_INVALID;
	}
	rc = store_begin(ctx->db);
	if (rc != ZEK_OK)
		return rc;
	rc = store_user_by_id(ctx->db, ctx->arena, user->id, &su);
	if (rc == ZEK_OK)
		rc = store_user_update_profile(ctx->db, user->id, su->name,
		    lang, tz);
	if (rc == ZEK_OK)
		rc = store_user_set_notify(ctx->db, user->id, notify);
	return store_finish(ctx->db, rc);
}
