/* api_support.h: look-ups the REST API needs beyond the pages' calls. */
#ifndef ZEK_CORE_API_SUPPORT_H
#define ZEK_CORE_API_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"

struct user;
struct person;
struct field_error;
struct attachment_info;

/* One file of an upload. */
struct upload_file {
	const char *filename;
	const void *data;
	size_t len;
};

/* The key of the request an API path names: `id_or_key` is a key
 * ("ZEK-12", any case; returned as given, core_request_get decides) or a
 * numeric issue id. ZEK_NOTFOUND when the id names no request the user
 * may see (existence is not revealed). */
enum zek_rc core_request_key_of(struct zctx *ctx, const struct user *user,
    const char *id_or_key, const char **key);

/* Finds the customer account an API body names, the way "Teilen" finds
 * people, without changing anything: an e-mail address (any case), the
 * exact full name (any case), or an account id. An account id only names
 * someone the user could pick anyway: any customer for agents, for a
 * customer themselves or a customer of a shared organisation (the people
 * "raise on behalf of" offers); other ids answer like unknown accounts.
 * Failed look-ups count against the user exactly as on the request page
 * (SHARE_MAX_FAILURES per window, the same counter).
 * Returns ZEK_OK with *out (e-mail included); ZEK_INVALID with *err
 * (field "who"): err_required, err_too_long, err_invalid_utf8,
 * err_share_no_account, err_share_ambiguous, err_share_throttled. */
enum zek_rc core_customer_resolve(struct zctx *ctx, const struct user *user,
    const char *ref, struct person *out, struct field_error *err);

/* Stores several uploads of `user` as temporary ones (see
 * core_attachment_upload_temp) in one transaction: all of them, or, when
 * one is refused, none. out[0..n) gets them in order. ZEK_INVALID with
 * *err for the first refused file (err_file_empty, err_file_too_big,
 * err_file_type; arg = its name). */
enum zek_rc core_attachments_upload_all(struct zctx *ctx,
    const struct user *user, const struct upload_file *files, size_t n,
    struct attachment_info *out, struct field_error *err);

#endif
