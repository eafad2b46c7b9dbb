/* privacy.h: a person's data as JSON, and its erasure (DSGVO). */
#ifndef ZEK_CORE_PRIVACY_H
#define ZEK_CORE_PRIVACY_H

#include <jansson.h>
#include <stdint.h>

#include "core/ctx.h"

/* The name an erased person's requests and comments show. */
#define PRIVACY_ERASED_NAME "Gelöschte Person"
/* The erased address: geloescht-ID@invalid (RFC 2606: never delivered). */
#define PRIVACY_DOMAIN "invalid"
#define PRIVACY_AUDIT_MAX 10000 /* account changes listed at most */
#define PRIVACY_THROTTLE_KEYS 5

/* Everything zek holds about the person with this address: the account
 * with its organisations, the requests they reported and take part in,
 * their comments, API tokens and sessions (without secrets), the mails
 * to them and the changes of their account. *out: a new JSON object for
 * the caller to decref. Recorded in the audit. ZEK_NOTFOUND. */
enum zek_rc core_user_export(struct zctx *ctx, const char *email, json_t **out);

/* Erases the person: name PRIVACY_ERASED_NAME, address
 * geloescht-ID@invalid, no password, preferences reset, deactivated;
 * tokens, sessions, links, memberships, per-request settings, mails to
 * them and their sign-in throttle rows deleted. Their requests and
 * comments stay, attributed to PRIVACY_ERASED_NAME, and so does everybody
 * else's. Recorded in the audit. *id_out (may be NULL): their id.
 * ZEK_NOTFOUND. */
enum zek_rc core_user_erase(struct zctx *ctx, const char *email,
    int64_t *id_out);

#endif
