/* sharing.h: participants, sharing with an organisation, per-request notifications. */
#ifndef ZEK_CORE_SHARING_H
#define ZEK_CORE_SHARING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"
#include "core/users.h"

struct field_error;

#define SHARE_WHO_MAX 254         /* bytes of an e-mail address or name */
#define SHARE_PARTICIPANTS_MAX 50 /* participants of one request */
#define SHARE_MAX_FAILURES 10     /* failed look-ups per user and window */

/* Adds a participant to request `request_id`. `who` is an e-mail address
 * (any case) or the exact full name (any case) of a customer account;
 * agents and admins are never found. Anyone who may see an open request
 * may add people. *added gets the person (name only; may be NULL).
 * Failed look-ups count against the user (SHARE_MAX_FAILURES per
 * cfg->login_window_ms), so accounts cannot be guessed in bulk.
 * Returns ZEK_OK; ZEK_INVALID
 * with *err (field "who"): err_required, err_too_long,
 * err_share_no_account, err_share_ambiguous, err_share_already ({name}),
 * err_share_too_many ({max}), err_share_throttled; ZEK_NOTFOUND when the
 * user may not see the request; ZEK_CONFLICT when it is closed;
 * ZEK_FORBIDDEN otherwise refused. err may be NULL. */
enum zek_rc core_participant_add(struct zctx *ctx, const struct user *user,
    int64_t request_id, const char *who, struct person *added,
    struct field_error *err);

/* Removes participant `participant_id`: the reporter and agents may remove
 * anyone, a participant themselves. ZEK_NOTFOUND when the user may not
 * see the request or the person does not take part; ZEK_FORBIDDEN;
 * ZEK_CONFLICT when the request is closed. */
enum zek_rc core_participant_remove(struct zctx *ctx, const struct user *user,
    int64_t request_id, int64_t participant_id);

/* Shares the request with `org_id`, an organisation of its reporter: the
 * reporter and agents may, while it is open and not shared yet.
 * ZEK_NOTFOUND (not visible), ZEK_FORBIDDEN, ZEK_CONFLICT (closed or
 * shared already), ZEK_INVALID (not an organisation of the reporter). */
enum zek_rc core_request_share_org(struct zctx *ctx, const struct user *user,
    int64_t request_id, int64_t org_id);

/* Turns the user's notifications about one request off (muted) or on.
 * Allowed for everyone who may see the request, also when it is closed.
 * ZEK_NOTFOUND when the user may not see it. */
enum zek_rc core_request_notify_set(struct zctx *ctx, const struct user *user,
    int64_t request_id, bool muted);

#endif
