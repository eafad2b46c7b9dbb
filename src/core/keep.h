/* keep.h: forms kept when the session was gone (issue 19). A request or a
 * comment sent after the session ended is kept for a short time, bound to
 * the browser that sent it (a secret in a cookie, only its hash stored)
 * and to the ended session's user when that is known; after signing in
 * again the form's page shows it filled in, once. Nothing kept is ever
 * submitted by itself: the person sends it again, with the new session's
 * CSRF token. docs/internals/keep.md says more. */
#ifndef ZEK_CORE_KEEP_H
#define ZEK_CORE_KEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"

struct store_kept_file;
struct store_kept_form;
struct user;

#define KEEP_TTL_MS (60LL * 60 * 1000) /* a kept form lives an hour */
#define KEEP_TEXT_MAX (256u * 1024)    /* bytes of text fields kept */
#define KEEP_PER_ADDRESS 10            /* live kept forms per client address */

/* What to keep. fields: the text fields, urlencoded, without the CSRF
 * token. Files are dropped (files_dropped set in the row) when there are
 * more than cfg->max_files or when together with all live kept forms
 * they would pass cfg->max_pending_upload_bytes. */
struct keep_input {
	const char *page; /* path of the form's page */
	const char *fields;
	const struct store_kept_file *files;
	size_t nfiles;
	int64_t user_id; /* the ended session's user, 0: not known */
	const char *client_ip;
	const char *old_secret; /* this browser's earlier secret, or NULL */
};

/* Keeps a form: *secret_out (in the arena) is the secret for the browser's
 * cookie. ZEK_TOOBIG: the text is over KEEP_TEXT_MAX; ZEK_FORBIDDEN: the
 * address keeps KEEP_PER_ADDRESS forms already, or the text alone would
 * pass the cap on all kept bytes. Nothing is kept then. */
enum zek_rc core_form_keep(struct zctx *ctx, const struct keep_input *in,
    const char **secret_out);
/* Takes the kept form of `secret` for `page`, if `user` may have it: it
 * was kept on this page, has not expired, and was bound to nobody or to
 * this user. A form taken is deleted (single use). ZEK_NOTFOUND when
 * there is none to take; *out lives in the arena. */
enum zek_rc core_form_take(struct zctx *ctx, const struct user *user,
    const char *secret, const char *page, struct store_kept_form **out);
/* Deletes expired kept forms (a periodic job); n may be NULL. */
enum zek_rc core_kept_forms_purge(struct zctx *ctx, int64_t *n);

#endif
