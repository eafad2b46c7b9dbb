/* profile.h: what users change about themselves: name, password, language, zone. */
#ifndef ZEK_CORE_PROFILE_H
#define ZEK_CORE_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/ctx.h"

struct user;
struct field_error;

/* Most errors one profile form can give (one per field). */
#define PROFILE_MAX_ERRORS 4

/* What "Profil bearbeiten" sends. Passwords are only looked at when one of
 * the three is not empty. */
struct profile_edit {
	const char *name;
	const char *current_password;
	const char *new_password;
	const char *new_password2; /* repetition */
	const char *keep_session;  /* raw token of the session that stays
	                            * signed in after a password change */
	bool revoke_tokens;        /* a password change also deletes every
	                            * personal access token of the user */
};

/* Changes the display name and, when asked, the password (all or
 * nothing). A new password ends every other session of the user; the
 * user's API tokens stay valid unless in->revoke_tokens, which deletes
 * them with the change (and does nothing without one).
 * ZEK_INVALID with up to PROFILE_MAX_ERRORS entries in errs (caller's
 * array) and their count in *nerrs; fields "name" (err_required,
 * err_too_long, err_invalid_chars, err_invalid_utf8), "current_password"
 * (err_required, err_password_wrong, err_password_throttled),
 * "new_password" and "new_password2" as core_password_rules says (the
 * rules of core/password.h). Wrong current
 * passwords count like failed log-ins (cfg->login_max_failures per
 * cfg->login_window_ms). *password_changed (may be NULL) tells whether the
 * password was changed. */
enum zek_rc core_profile_edit(struct zctx *ctx, const struct user *user,
    const struct profile_edit *in, struct field_error *errs, size_t *nerrs,
    bool *password_changed);

/* Sets language ("de" | "en"), IANA time zone and whether the user gets
 * e-mail notifications at all. ZEK_INVALID with *err (field "lang" or
 * "tz", key err_invalid_option). */
enum zek_rc core_profile_set_prefs(struct zctx *ctx, const struct user *user,
    const char *lang, const char *tz, bool notify, struct field_error *err);

#endif
