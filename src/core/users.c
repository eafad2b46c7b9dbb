/* users.c: users, organisations, roles; the open-request counter. */
#include "core/users.h"

#include <string.h>

#include "core/auth.h"
#include "core/internal.h"
#include "core/validate.h"
#include "core/status.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "store/store.h"

#define DEFAULT_TZ "Europe/Berlin"

const char *
core_pick(const char *lang, const char *de, const char *en)
{
	if (str_eq(lang, "en") && !str_empty(en))
		return en;
	return de != NULL ? de : "";
}

const char *
core_lang(const char *lang)
{
	return str_eq(lang, "en") ? "en" : "de";
}

void *
core_grow(struct zctx *ctx, void *arr, size_t n, size_t *cap, size_t size)
{
	return arena_grow(ctx->arena, arr, n, cap, size);
}

enum zek_rc
core_err_add(struct zctx *ctx, struct core_errs *l, const struct field_error *e)
{
	l->e = core_grow(ctx, l->e, l->n, &l->cap, sizeof(*l->e));
	if (l->e == NULL)
		return ZEK_NOMEM;
	l->e[l->n++] = *e;
	return ZEK_OK;
}

void
core_person_from_store(struct person *p, const struct store_user *su)
{
	p->id = su->id;
	p->name = su->name;
	p->email = su->email;
}

enum zek_rc
core_user_orgs(struct zctx *ctx, int64_t user_id, int64_t **ids,
    const char ***names, size_t *n)
{
	struct store_org *orgs;
	enum zek_rc rc;
	size_t i;

	*n = 0;
	*ids = NULL;
	*names = NULL;
	rc = store_user_orgs(ctx->db, ctx->arena, user_id, &orgs, n);
	if (rc != ZEK_OK || *n == 0)
		return rc;
	*ids = arena_calloc(ctx->arena, *n, sizeof(**ids));
	*names = arena_calloc(ctx->arena, *n, sizeof(**names));
	if (*ids == NULL || *names == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < *n; i++) {
		(*ids)[i] = orgs[i].id;
		(*names)[i] = orgs[i].name;
	}
	return ZEK_OK;
}

enum zek_rc
core_user_from_store(struct zctx *ctx, const struct store_user *su,
    struct user **out)
{
	struct user *u;
	enum zek_rc rc;

	u = arena_calloc(ctx->arena, 1, sizeof(*u));
	if (u == NULL)
		return ZEK_NOMEM;
	*u = (struct user){
		.id = su->id,
		.email = su->email,
		.name = su->name,
		.role = role_decode(su->role),
		.lang = core_lang(su->lang),
		.tz = str_empty(su->tz) ? DEFAULT_TZ : su->tz,
		.notify = su->notify,
		.active = su->deactivated_at == 0,
	};
	rc = core_user_orgs(ctx, su->id, &u->org_ids, &u->org_names, &u->norgs);
	if (rc != ZEK_OK)
		return rc;
	*out = u;
	return ZEK_OK;
}

const char *
core_name_check(struct zctx *ctx, const char *name, size_t max,
    const char **err)
{
	char *nm;
	size_t n;

	*err = NULL;
	if (name == NULL)
		name = "";
	if (!utf8_valid(name, strlen(name))) {
		*err = "err_invalid_utf8";
		return NULL;
	}
	nm = arena_strdup(ctx->arena, name);
	if (nm == NULL)
		return NULL;
	str_trim(nm);
	n = strlen(nm);
	if (n == 0)
		*err = "err_required";
	else if (!utf8_clean_text(nm, n, false))
		*err = "err_invalid_chars";
	else if (utf8_length(nm, n) > max)
		*err = "err_too_long";
	else
		return nm;
	return NULL;
}

/* A plausible address: one "@" with text on both sides, a dot in the
 * domain, no spaces or control characters. Delivery proves the rest. */
bool
core_email_valid(const char *email)
{
	const char *at, *p;
	size_t n = strlen(email);

	if (n < 3 || n > USER_EMAIL_MAX || !utf8_clean_text(email, n, false))
		return false;
	at = strchr(email, '@');
	if (at == NULL || at == email || strchr(at + 1, '@') != NULL)
		return false;
	if (strchr(at + 1, '.') == NULL || at[1] == '.' || email[n - 1] == '.')
		return false;
	for (p = email; *p != '\0'; p++)
		if (*p == ' ' || *p == '\t')
			return false;
	return true;
}

enum zek_rc
core_user_insert(struct zctx *ctx, const struct store_user *su,
    const char *org_name, int64_t *id_out, int64_t *org_id_out)
{
	enum zek_rc rc;
	int64_t org_id = 0;

	rc = store_user_insert(ctx->db, su, id_out);
	if (rc == ZEK_OK && !str_empty(org_name)) {
		rc = store_org_ensure(ctx->db, org_name, &org_id);
		if (rc == ZEK_OK)
			rc = store_user_org_add(ctx->db, *id_out, org_id);
	}
	if (rc == ZEK_OK && org_id_out != NULL)
		*org_id_out = org_id;
	return rc;
}

enum zek_rc
core_user_add(struct zctx *ctx, const char *email, const char *name,
    const char *password, const char *role, const char *org_name,
    const char *lang, int64_t *id_out)
{
	struct store_user su;
	const char *hash;
	char *nm;
	enum role r;
	enum zek_rc rc;
	int64_t id;

	if (email == NULL || name == NULL || password == NULL)
		return ZEK_INVALID;
	nm = arena_strdup(ctx->arena, name);
	if (nm == NULL)
		return ZEK_NOMEM;
	str_trim(nm);
	if (!core_email_valid(email) || !role_from_code(role, &r) ||
	    *nm == '\0' || !utf8_clean_text(nm, strlen(nm), false) ||
	    utf8_length(nm, strlen(nm)) > USER_NAME_MAX)
		return ZEK_INVALID;
	if (lang != NULL && !str_eq(lang, "de") && !str_eq(lang, "en"))
		return ZEK_INVALID;
	if (org_name != NULL && *org_name != '\0' &&
	    (!utf8_clean_text(org_name, strlen(org_name), false) ||
	        utf8_length(org_name, strlen(org_name)) > USER_NAME_MAX))
		return ZEK_INVALID;
	/* Hash before taking the write lock: it is slow on purpose. */
	rc = core_password_hash(ctx, password, &hash);
	if (rc != ZEK_OK)
		return rc;
	su = (struct store_user){
		.email = email,
		.name = nm,
		.password_hash = hash,
		.role = role,
		.lang = lang != NULL ? lang : "de",
		.tz = DEFAULT_TZ,
		.notify = true,
		.created_at = ctx->now_ms,
	};
	rc = store_begin(ctx->db);
	if (rc != ZEK_OK)
		return rc;
	rc = core_user_insert(ctx, &su, org_name, &id, NULL);
	rc = store_finish(ctx->db, rc);
	if (rc == ZEK_OK && id_out != NULL)
		*id_out = id;
	return rc;
}

enum zek_rc
core_user_join_org(struct zctx *ctx, int64_t user_id, const char *org_name)
{
	enum zek_rc rc;
	int64_t org_id;

	if (str_empty(org_name) ||
	    !utf8_clean_text(org_name, strlen(org_name), false))
		return ZEK_INVALID;
	rc = store_org_ensure(ctx->db, org_name, &org_id);
	if (rc == ZEK_OK)
		rc = store_user_org_add(ctx->db, user_id, org_id);
	return rc;
}

static enum zek_rc
user_load(struct zctx *ctx, int64_t id, bool active_only, struct user **out)
{
	struct store_user *su;
	enum zek_rc rc;

	rc = store_user_by_id(ctx->db, ctx->arena, id, &su);
	if (rc != ZEK_OK)
		return rc;
	if (active_only && su->deactivated_at != 0)
		return ZEK_NOTFOUND;
	rc = core_user_from_store(ctx, su, out);
	/* A role zek does not know gives no rights, not even to sign in. */
	if (rc == ZEK_OK && active_only && (*out)->role == ROLE_NONE)
		return ZEK_NOTFOUND;
	return rc;
}

enum zek_rc
core_user_get(struct zctx *ctx, int64_t id, struct user **out)
{
	return user_load(ctx, id, false, out);
}

enum zek_rc
core_user_get_active(struct zctx *ctx, int64_t id, struct user **out)
{
	return user_load(ctx, id, true, out);
}

enum zek_rc
core_user_by_email(struct zctx *ctx, const char *email, struct user **out)
{
	struct store_user *su;
	enum zek_rc rc;

	if (str_empty(email) || strlen(email) > USER_EMAIL_MAX)
		return ZEK_NOTFOUND;
	rc = store_user_by_email(ctx->db, ctx->arena, email, &su);
	if (rc != ZEK_OK)
		return rc;
	return core_user_from_store(ctx, su, out);
}

enum zek_rc
core_open_request_count(struct zctx *ctx, const struct user *user, int64_t *out)
{
	return store_requests_count_open_reported(ctx->db, user->id,
	    status_code(STATUS_GESCHLOSSEN), out);
}

/* Finds the one customer account `who` names: an e-mail address, else an
 * exact full name. ZEK_NOTFOUND, or ZEK_CONFLICT when several match. */
enum zek_rc
core_customer_find(struct zctx *ctx, const char *who, struct store_user **out)
{
	struct store_user *list;
	enum zek_rc rc;
	size_t n;

	if (strchr(who, '@') != NULL) {
		rc = store_user_by_email(ctx->db, ctx->arena, who, out);
		if (rc == ZEK_OK && role_decode((*out)->role) == ROLE_CUSTOMER)
			return ZEK_OK;
		if (rc != ZEK_OK && rc != ZEK_NOTFOUND)
			return rc;
	}
	rc = store_users_by_name(ctx->db, ctx->arena, who,
	    role_code(ROLE_CUSTOMER), 2, &list, &n);
	if (rc != ZEK_OK)
		return rc;
	if (n == 0)
		return ZEK_NOTFOUND;
	if (n > 1)
		return ZEK_CONFLICT;
	*out = &list[0];
	return ZEK_OK;
}

bool
core_users_share_org(const struct user *a, const struct user *b)
{
	size_t i, j;

	for (i = 0; i < a->norgs; i++)
		for (j = 0; j < b->norgs; j++)
			if (a->org_ids[i] == b->org_ids[j])
				return true;
	return false;
}
