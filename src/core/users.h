/* users.h: users, organisations and roles. */
#ifndef ZEK_CORE_USERS_H
#define ZEK_CORE_USERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"
#include "core/role.h"

#define USER_EMAIL_MAX 254     /* bytes */
#define USER_NAME_MAX 255      /* code points */
#define USER_PASSWORD_MIN 4    /* bytes; "demo" must work */
#define USER_PASSWORD_MAX 1024 /* bytes */

/* A signed-in person. Lives in ctx->arena. */
struct user {
	int64_t id;
	const char *email;
	const char *name;
	enum role role;   /* ask perm_is_staff(), perm_is_admin() */
	const char *lang; /* "de" | "en" */
	const char *tz;   /* IANA zone, "Europe/Berlin" by default */
	bool notify;      /* e-mail notifications by default */
	bool active;      /* false: deactivated, may not sign in */
	int64_t *org_ids; /* organisations, ordered by name */
	const char **org_names;
	size_t norgs;
};

/* Someone to pick in a list (raise on behalf of, participants). */
struct person {
	int64_t id;
	const char *name;
	const char *email;
};

/* Creates a user. role: "customer", "agent" or "admin"; lang "de"/"en"
 * (NULL = "de"); org_name NULL or "" = no organisation, otherwise the
 * organisation is created if missing and the user joins it. The password
 * is hashed with Argon2id. id_out may be NULL.
 * ZEK_INVALID for a bad e-mail, name, role, language or password length;
 * ZEK_CONFLICT when the e-mail (any case) exists. */
enum zek_rc core_user_add(struct zctx *ctx, const char *email, const char *name,
    const char *password, const char *role, const char *org_name,
    const char *lang, int64_t *id_out);
/* Adds an existing user to an organisation (created if missing). */
enum zek_rc core_user_join_org(struct zctx *ctx, int64_t user_id,
    const char *org_name);
/* Loads a user with organisations. ZEK_NOTFOUND if none. */
enum zek_rc core_user_get(struct zctx *ctx, int64_t id, struct user **out);
/* The same for someone signing in or calling the API: ZEK_NOTFOUND also
 * for a deactivated account, so its sessions and tokens stop at once, and
 * for a stored role zek does not know (ROLE_NONE). */
enum zek_rc core_user_get_active(struct zctx *ctx, int64_t id,
    struct user **out);
enum zek_rc core_user_by_email(struct zctx *ctx, const char *email,
    struct user **out);
/* Number of open (not Geschlossen) requests the user reported: the figure
 * next to "Anfragen" in the header, the same rows the list shows first
 * ("Offene Anfragen", "Erstellt von mir"). Shared requests do not count. */
enum zek_rc core_open_request_count(struct zctx *ctx, const struct user *user,
    int64_t *out);
/* True when the two users share an organisation. */
bool core_users_share_org(const struct user *a, const struct user *b);

#endif
