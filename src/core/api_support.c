/* api_support.c: request ids and people as the REST API names them. */
#include "core/api_support.h"

#include <string.h>

#include "core/attachments.h"
#include "core/internal.h"
#include "core/perm.h"
#include "core/sharing.h"
#include "core/throttle.h"
#include "core/users.h"
#include "core/validate.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "store/store.h"

#define WHO_FIELD "who"

static bool
all_digits(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return i > 0;
}

enum zek_rc
core_request_key_of(struct zctx *ctx, const struct user *user,
    const char *id_or_key, const char **key)
{
	struct store_request *r;
	enum zek_rc rc;
	int64_t id;
	bool visible;

	if (user == NULL || str_empty(id_or_key))
		return ZEK_NOTFOUND;
	if (!all_digits(id_or_key)) {
		*key = id_or_key;
		return ZEK_OK;
	}
	if (strlen(id_or_key) > 18 ||
	    str_to_i64(id_or_key, 1, INT64_MAX, &id) != 0)
		return ZEK_NOTFOUND;
	rc = store_request_by_id(ctx->db, ctx->arena, id, &r);
	if (rc == ZEK_OK)
		rc = core_request_visible(ctx, user, r, &visible);
	if (rc != ZEK_OK)
		return rc;
	if (!visible)
		return ZEK_NOTFOUND;
	*key = r->key;
	return ZEK_OK;
}

static enum zek_rc
fail(struct field_error *err, const char *key, int64_t max)
{
	if (err != NULL)
		*err = (struct field_error){ .field = WHO_FIELD,
			.key = key,
			.max = max };
	return ZEK_INVALID;
}

/* An account id names a customer only when the user could pick them. */
static enum zek_rc
by_id(struct zctx *ctx, const struct user *user, const char *ref,
    struct store_user **out)
{
	struct store_user *su;
	struct user *u;
	enum zek_rc rc;
	int64_t id;

	if (strlen(ref) > 18 || str_to_i64(ref, 1, INT64_MAX, &id) != 0)
		return ZEK_NOTFOUND;
	rc = store_user_by_id(ctx->db, ctx->arena, id, &su);
	if (rc != ZEK_OK)
		return rc;
	if (role_decode(su->role) != ROLE_CUSTOMER)
		return ZEK_NOTFOUND;
	if (!perm_is_staff(user) && id != user->id) {
		rc = core_user_from_store(ctx, su, &u);
		if (rc != ZEK_OK)
			return rc;
		if (!core_users_share_org(user, u))
			return ZEK_NOTFOUND;
	}
	*out = su;
	return ZEK_OK;
}

enum zek_rc
core_customer_resolve(struct zctx *ctx, const struct user *user,
    const char *ref, struct person *out, struct field_error *err)
{
	struct store_user *su = NULL;
	const char *key;
	enum zek_rc rc;
	char *w;

	if (user == NULL)
		return ZEK_FORBIDDEN;
	if (ref == NULL)
		return fail(err, "err_required", 0);
	if (!utf8_valid(ref, strlen(ref)))
		return fail(err, "err_invalid_utf8", 0);
	w = arena_strdup(ctx->arena, ref);
	if (w == NULL)
		return ZEK_NOMEM;
	w = str_trim(w);
	if (str_empty(w))
		return fail(err, "err_required", 0);
	if (strlen(w) > SHARE_WHO_MAX)
		return fail(err, "err_too_long", SHARE_WHO_MAX);
	/* The counter of core/sharing.c: one brake for pages and API. */
	key = arena_printf(ctx->arena, "share|%lld", (long long)user->id);
	if (key == NULL)
		return ZEK_NOMEM;
	if (core_throttled(ctx, key, SHARE_MAX_FAILURES))
		return fail(err, "err_share_throttled", 0);
	rc = all_digits(w) ? by_id(ctx, user, w, &su) :
	                     core_customer_find(ctx, w, &su);
	if (rc == ZEK_NOTFOUND || rc == ZEK_CONFLICT) {
		core_throttle_fail(ctx, key);
		return fail(err,
		    rc == ZEK_NOTFOUND ? "err_share_no_account" :
		                         "err_share_ambiguous",
		    0);
	}
	if (rc != ZEK_OK)
		return rc;
	core_person_from_store(out, su);
	return ZEK_OK;
}

enum zek_rc
core_attachments_upload_all(struct zctx *ctx, const struct user *user,
    const struct upload_file *files, size_t n, struct attachment_info *out,
    struct field_error *err)
{
	enum zek_rc rc;
	size_t i;

	if (user == NULL)
		return ZEK_FORBIDDEN;
	rc = store_begin(ctx->db);
	if (rc != ZEK_OK)
		return rc;
	for (i = 0; rc == ZEK_OK && i < n; i++)
		rc = core_attachment_upload_temp(ctx, user, files[i].filename,
		    files[i].data, files[i].len, &out[i], err);
	return store_finish(ctx->db, rc);
}
