/* keep.c: forms kept when the session was gone, bound to one browser. */
#include "core/keep.h"

#include <string.h>

#include "core/auth.h"
#include "core/config.h"
#include "core/tokens.h"
#include "core/users.h"
#include "lib/str.h"
#include "store/store.h"

static int64_t
files_bytes(const struct keep_input *in)
{
	int64_t n = 0;
	size_t i;

	for (i = 0; i < in->nfiles; i++)
		n += (int64_t)in->files[i].size;
	return n;
}

enum zek_rc
core_form_keep(struct zctx *ctx, const struct keep_input *in,
    const char **secret_out)
{
	struct store_kept_form kf = { 0 };
	int64_t from_ip = 0, all = 0, text = (int64_t)strlen(in->fields);
	int64_t fbytes = files_bytes(in);
	const char *secret;
	enum zek_rc rc;

	if (text > (int64_t)KEEP_TEXT_MAX)
		return ZEK_TOOBIG;
	rc = store_kept_forms_usage(ctx->db, in->client_ip, ctx->now_ms,
	    &from_ip, &all);
	if (rc != ZEK_OK)
		return rc;
	/* Anybody may send a form without a session: what one address and
	 * all together may leave here is bounded like one user's uploads. */
	if (from_ip >= KEEP_PER_ADDRESS ||
	    all + text > ctx->cfg->max_pending_upload_bytes)
		return ZEK_FORBIDDEN;
	kf.files = (struct store_kept_file *)in->files;
	kf.nfiles = in->nfiles;
	if (in->nfiles > ctx->cfg->max_files ||
	    all + text + fbytes > ctx->cfg->max_pending_upload_bytes) {
		kf.files = NULL;
		kf.nfiles = 0;
		kf.files_dropped = true;
		fbytes = 0;
	}
	secret = core_random_token(ctx);
	kf.secret_hash = secret != NULL ? core_token_hash(ctx, secret) : NULL;
	if (kf.secret_hash == NULL)
		return ZEK_NOMEM;
	if (in->old_secret != NULL) {
		const char *old = core_token_hash(ctx, in->old_secret);
		if (old == NULL)
			return ZEK_NOMEM;
		if ((rc = store_kept_form_delete(ctx->db, old)) != ZEK_OK)
			return rc;
	}
	kf.user_id = in->user_id;
	kf.page = in->page;
	kf.fields = in->fields;
	kf.client_ip = in->client_ip;
	kf.bytes = text + fbytes;
	kf.created_at = ctx->now_ms;
	kf.expires_at = ctx->now_ms + KEEP_TTL_MS;
	rc = store_kept_form_insert(ctx->db, &kf);
	if (rc == ZEK_OK)
		*secret_out = secret;
	return rc;
}

enum zek_rc
core_form_take(struct zctx *ctx, const struct user *user, const char *secret,
    const char *page, struct store_kept_form **out)
{
	struct store_kept_form *kf;
	const char *hash;
	enum zek_rc rc;

	if (user == NULL || !core_token_well_formed(secret))
		return ZEK_NOTFOUND;
	hash = core_token_hash(ctx, secret);
	if (hash == NULL)
		return ZEK_NOMEM;
	rc = store_kept_form_get(ctx->db, ctx->arena, hash, &kf);
	if (rc != ZEK_OK)
		return rc;
	/* Another page's form waits for its own page; a form of another
	 * person's ended session is never shown to whoever signs in here. */
	if (kf->expires_at <= ctx->now_ms || !str_eq(kf->page, page) ||
	    (kf->user_id != 0 && kf->user_id != user->id))
		return ZEK_NOTFOUND;
	rc = store_kept_form_delete(ctx->db, hash);
	if (rc == ZEK_OK)
		*out = kf;
	return rc;
}

enum zek_rc
core_kept_forms_purge(struct zctx *ctx, int64_t *n)
{
	return store_kept_forms_purge(ctx->db, ctx->now_ms, n);
}
