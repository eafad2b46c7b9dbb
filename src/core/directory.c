/* directory.c: customers and organisations for support staff: pages by
 * name, organisations made, renamed and filled, invitations by the list. */
#include "core/directory.h"

#include <string.h>
#include <strings.h>

#include "core/internal.h"
#include "core/perm.h"
#include "core/status.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "store/store.h"

/* Staff, or the command line (actor NULL), as in core/accounts.c. */
static bool
is_staff(const struct user *actor)
{
	return actor == NULL || perm_is_staff(actor);
}

/* Opens the transaction of a change of the directory: staff only
 * (ZEK_FORBIDDEN, without one). */
static enum zek_rc
staff_begin(struct zctx *ctx, const struct user *actor)
{
	return is_staff(actor) ? store_begin(ctx->db) : ZEK_FORBIDDEN;
}

/* A search as the store takes it: at most DIRECTORY_QUERY_MAX bytes of
 * valid text, trimmed; anything else searches for nothing special. */
static const char *
search_text(struct zctx *ctx, const char *q)
{
	char *t;

	if (q == NULL || strlen(q) > DIRECTORY_QUERY_MAX ||
	    !utf8_valid(q, strlen(q)))
		return "";
	t = arena_strdup(ctx->arena, q);
	if (t != NULL)
		str_trim(t);
	return t != NULL ? t : "";
}

enum zek_rc
core_customers_page(struct zctx *ctx, const struct user *actor,
    const char *query, int64_t org_id, int64_t after_id,
    struct customer_page *out)
{
	struct store_people_query q = {
		.role = role_code(ROLE_CUSTOMER),
		.query = search_text(ctx, query),
		.org_id = org_id,
		.after_id = after_id,
		.limit = DIRECTORY_PAGE + 1,
		.closed_status = status_code(STATUS_GESCHLOSSEN),
	};
	struct store_customer *rows;
	enum zek_rc rc;
	size_t i, n;

	memset(out, 0, sizeof(*out));
	if (!is_staff(actor))
		return ZEK_FORBIDDEN;
	rc = store_customers_page(ctx->db, ctx->arena, &q, &rows, &n);
	if (rc != ZEK_OK)
		return rc;
	if (n > DIRECTORY_PAGE) {
		n = DIRECTORY_PAGE;
		out->next_after = rows[n - 1].u.id;
	}
	out->rows = arena_calloc(ctx->arena, n + 1, sizeof(*out->rows));
	if (out->rows == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < n; i++) {
		struct customer_row *r = &out->rows[i];

		core_person_from_store(&r->p, &rows[i].u);
		r->orgs = rows[i].orgs;
		r->open_requests = rows[i].open_requests;
		r->last_login_at = rows[i].u.last_login_at;
		r->active = rows[i].u.deactivated_at == 0;
		r->invited = str_empty(rows[i].u.password_hash);
	}
	out->n = n;
	return ZEK_OK;
}

/* ---- organisations ---- */

enum zek_rc
core_orgs_page(struct zctx *ctx, const struct user *actor, const char *query,
    const char *after_name, struct org_page *out)
{
	struct store_org_row *rows;
	enum zek_rc rc;
	size_t i, n;

	memset(out, 0, sizeof(*out));
	if (!is_staff(actor))
		return ZEK_FORBIDDEN;
	if (after_name != NULL &&
	    (strlen(after_name) > 4 * ORG_NAME_MAX ||
	        !utf8_valid(after_name, strlen(after_name))))
		after_name = NULL;
	rc = store_orgs_page(ctx->db, ctx->arena, search_text(ctx, query),
	    after_name, DIRECTORY_PAGE + 1, &rows, &n);
	if (rc != ZEK_OK)
		return rc;
	if (n > DIRECTORY_PAGE) {
		n = DIRECTORY_PAGE;
		out->next_after = rows[n - 1].name;
	}
	out->rows = arena_calloc(ctx->arena, n + 1, sizeof(*out->rows));
	if (out->rows == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < n; i++)
		out->rows[i] = (struct org_row){ .id = rows[i].id,
			.name = rows[i].name,
			.members = rows[i].members };
	out->n = n;
	return ZEK_OK;
}

enum zek_rc
core_org_get(struct zctx *ctx, const struct user *actor, int64_t id,
    struct org_row *out)
{
	struct store_org *o;
	enum zek_rc rc;

	if (!is_staff(actor))
		return ZEK_FORBIDDEN;
	rc = store_org_get(ctx->db, ctx->arena, id, &o);
	if (rc == ZEK_OK)
		*out = (struct org_row){ .id = o->id, .name = o->name };
	return rc;
}

/* What is wrong with an address typed to find somebody, or NULL. */
static const char *
email_error(const char *email)
{
	if (email != NULL && !utf8_valid(email, strlen(email)))
		return "err_invalid_utf8";
	if (str_empty(email))
		return "err_required";
	return strlen(email) > USER_EMAIL_MAX ? "err_no_such_person" : NULL;
}

/* The trimmed name, or NULL with *err_key (NULL: out of memory). */
static const char *
org_name_check(struct zctx *ctx, const char *name, const char **err_key)
{
	return core_name_check(ctx, name, ORG_NAME_MAX, err_key);
}

/* Creates (id 0) or renames the organisation, in one transaction with
 * its record; a name taken answers ZEK_INVALID, err_org_exists. */
static enum zek_rc
org_write(struct zctx *ctx, const struct user *actor, int64_t id,
    const char *name, int64_t *id_out, const char **err_key)
{
	struct store_org *o = NULL;
	const char *nm;
	enum zek_rc rc;

	*err_key = NULL;
	if (!is_staff(actor))
		return ZEK_FORBIDDEN;
	nm = org_name_check(ctx, name, err_key);
	if (nm == NULL)
		return *err_key != NULL ? ZEK_INVALID : ZEK_NOMEM;
	rc = store_begin(ctx->db);
	if (rc != ZEK_OK)
		return rc;
	if (id == 0) {
		rc = store_org_add(ctx->db, nm, ctx->now_ms, id_out);
		if (rc == ZEK_OK)
			rc = core_audit(ctx, actor, "org_create", 0, *id_out,
			    nm);
	} else {
		rc = store_org_get(ctx->db, ctx->arena, id, &o);
		if (rc == ZEK_OK && !str_eq(o->name, nm))
			rc = store_org_rename(ctx->db, id, nm);
		/* The old name: the new one is the organisation's now. */
		if (rc == ZEK_OK)
			rc = core_audit(ctx, actor, "org_rename", 0, id,
			    o->name);
	}
	rc = store_finish(ctx->db, rc);
	if (rc == ZEK_CONFLICT) {
		*err_key = "err_org_exists";
		rc = ZEK_INVALID;
	}
	return rc;
}

enum zek_rc
core_org_create(struct zctx *ctx, const struct user *actor, const char *name,
    int64_t *id_out, const char **err_key)
{
	return org_write(ctx, actor, 0, name, id_out, err_key);
}

enum zek_rc
core_org_rename(struct zctx *ctx, const struct user *actor, int64_t id,
    const char *name, const char **err_key)
{
	return org_write(ctx, actor, id, name, NULL, err_key);
}

enum zek_rc
core_org_delete(struct zctx *ctx, const struct user *actor, int64_t id)
{
	struct store_org *o;
	enum zek_rc rc;

	rc = staff_begin(ctx, actor);
	if (rc != ZEK_OK)
		return rc;
	rc = store_org_get(ctx->db, ctx->arena, id, &o);
	if (rc == ZEK_OK)
		rc = store_org_delete(ctx->db, id);
	if (rc == ZEK_OK)
		rc = core_audit(ctx, actor, "org_delete", 0, 0, o->name);
	return store_finish(ctx->db, rc);
}

enum zek_rc
core_org_member_add(struct zctx *ctx, const struct user *actor, int64_t org_id,
    const char *email, const char **err_key)
{
	struct store_user *su;
	struct store_org *o;
	enum zek_rc rc;

	*err_key = NULL;
	if (!is_staff(actor))
		return ZEK_FORBIDDEN;
	if ((*err_key = email_error(email)) != NULL)
		return ZEK_INVALID;
	rc = store_begin(ctx->db);
	if (rc != ZEK_OK)
		return rc;
	rc = store_org_get(ctx->db, ctx->arena, org_id, &o);
	if (rc == ZEK_OK) {
		rc = store_user_by_email(ctx->db, ctx->arena, email, &su);
		if (rc == ZEK_NOTFOUND)
			*err_key = "err_no_such_person";
	}
	if (rc == ZEK_OK)
		rc = store_user_org_add(ctx->db, su->id, org_id);
	if (rc == ZEK_OK)
		rc = core_audit(ctx, actor, "org_join", su->id, org_id, "");
	return store_finish(ctx->db, rc);
}

enum zek_rc
core_org_member_remove(struct zctx *ctx, const struct user *actor,
    int64_t org_id, int64_t user_id)
{
	enum zek_rc rc;

	rc = staff_begin(ctx, actor);
	if (rc != ZEK_OK)
		return rc;
	rc = store_user_org_remove(ctx->db, user_id, org_id);
	if (rc == ZEK_OK)
		rc = core_audit(ctx, actor, "org_leave", user_id, org_id, "");
	return store_finish(ctx->db, rc);
}

/* ---- invitations by the list ---- */

/* Entries of the list end at commas, semicolons and line ends. */
static bool
is_separator(char c)
{
	return c == ',' || c == ';' || c == '\r' || c == '\n';
}

/* The next address of the list from *p on, or NULL at the end: an entry
 * "Name <a@b>" gives a@b, any other entry itself, trimmed (so that a
 * malformed one is reported, not skipped). */
static char *
next_address(struct zctx *ctx, const char **p)
{
	const char *s = *p, *start, *lt, *gt;
	char *entry;
	size_t len;

	for (;;) {
		while (*s != '\0' && is_separator(*s))
			s++;
		if (*s == '\0') {
			*p = s;
			return NULL;
		}
		start = s;
		while (*s != '\0' && !is_separator(*s))
			s++;
		*p = s;
		len = (size_t)(s - start);
		lt = memchr(start, '<', len);
		gt = lt != NULL ? memchr(lt, '>', len - (size_t)(lt - start)) :
		                  NULL;
		if (lt != NULL && gt != NULL)
			entry = arena_strndup(ctx->arena, lt + 1,
			    (size_t)(gt - lt - 1));
		else
			entry = arena_strndup(ctx->arena, start, len);
		if (entry == NULL)
			return NULL;
		str_trim(entry);
		if (*entry != '\0')
			return entry;
	}
}

static bool
already_listed(const struct invite_outcome *o, size_t n, const char *email)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcasecmp(o[i].email, email) == 0)
			return true;
	return false;
}

enum zek_rc
core_invite_list(struct zctx *ctx, const struct user *actor, const char *text,
    const char *org, struct invite_outcome **out, size_t *n,
    const char **err_key)
{
	struct invite_outcome *o;
	const char *p = text != NULL ? text : "";
	char *email;
	size_t k = 0, i;

	*out = NULL;
	*n = 0;
	*err_key = NULL;
	if (!is_staff(actor))
		return ZEK_FORBIDDEN;
	if (!utf8_valid(p, strlen(p))) {
		*err_key = "err_invalid_utf8";
		return ZEK_INVALID;
	}
	if (!str_empty(org) && org_name_check(ctx, org, err_key) == NULL)
		return *err_key != NULL ? ZEK_INVALID : ZEK_NOMEM;
	o = arena_calloc(ctx->arena, INVITE_LIST_MAX, sizeof(*o));
	if (o == NULL)
		return ZEK_NOMEM;
	while ((email = next_address(ctx, &p)) != NULL) {
		if (already_listed(o, k, email))
			continue;
		if (k == INVITE_LIST_MAX) {
			*err_key = "err_invite_too_many";
			return ZEK_INVALID;
		}
		o[k++].email = email;
	}
	if (k == 0) {
		*err_key = "err_required";
		return ZEK_INVALID;
	}
	/* One transaction each: a bad address does not undo the others. */
	for (i = 0; i < k; i++) {
		o[i].rc = core_invite(ctx, actor, o[i].email, NULL, org, NULL,
		    &o[i].result);
		if (o[i].rc != ZEK_OK && o[i].rc != ZEK_INVALID)
			return o[i].rc;
	}
	*out = o;
	*n = k;
	return ZEK_OK;
}

enum zek_rc
core_user_send_reset(struct zctx *ctx, const struct user *actor,
    int64_t user_id)
{
	struct store_user *su;
	enum zek_rc rc;

	if (!is_staff(actor))
		return ZEK_FORBIDDEN;
	rc = store_user_by_id(ctx->db, ctx->arena, user_id, &su);
	if (rc != ZEK_OK)
		return rc;
	if (actor != NULL && !perm_is_admin(actor) &&
	    role_decode(su->role) != ROLE_CUSTOMER)
		return ZEK_FORBIDDEN;
	return core_password_reset_request(ctx, actor, su->email, NULL, NULL);
}

/* ---- staff and the record of changes ---- */

static bool
is_admin(const struct user *actor)
{
	return actor == NULL || perm_is_admin(actor);
}

enum zek_rc
core_team_list(struct zctx *ctx, const struct user *actor,
    struct customer_row **out, enum role **roles, size_t *n)
{
	static const enum role staff[] = { ROLE_ADMIN, ROLE_AGENT };
	struct store_user *u[2];
	size_t nu[2], i, k, m = 0;
	enum zek_rc rc;

	*n = 0;
	if (!is_admin(actor))
		return ZEK_FORBIDDEN;
	for (k = 0; k < 2; k++) {
		rc = store_users_search(ctx->db, ctx->arena, NULL,
		    role_code(staff[k]), TEAM_MAX, &u[k], &nu[k]);
		if (rc != ZEK_OK)
			return rc;
	}
	*out = arena_calloc(ctx->arena, nu[0] + nu[1] + 1, sizeof(**out));
	*roles = arena_calloc(ctx->arena, nu[0] + nu[1] + 1, sizeof(**roles));
	if (*out == NULL || *roles == NULL)
		return ZEK_NOMEM;
	for (k = 0; k < 2; k++)
		for (i = 0; i < nu[k]; i++, m++) {
			core_person_from_store(&(*out)[m].p, &u[k][i]);
			(*out)[m].last_login_at = u[k][i].last_login_at;
			(*out)[m].active = u[k][i].deactivated_at == 0;
			(*out)[m].invited = str_empty(u[k][i].password_hash);
			(*out)[m].orgs = "";
			(*roles)[m] = staff[k];
		}
	*n = m;
	return ZEK_OK;
}

enum zek_rc
core_team_set_role(struct zctx *ctx, const struct user *actor,
    const char *email, const char *role, const char **err_key)
{
	struct store_user *su;
	const char *detail;
	enum role known;
	enum zek_rc rc;

	*err_key = NULL;
	if (!is_admin(actor))
		return ZEK_FORBIDDEN;
	if (!role_from_code(role, &known)) {
		*err_key = "err_invalid_option";
		return ZEK_INVALID;
	}
	if ((*err_key = email_error(email)) != NULL)
		return ZEK_INVALID;
	rc = store_begin(ctx->db);
	if (rc != ZEK_OK)
		return rc;
	rc = store_user_by_email(ctx->db, ctx->arena, email, &su);
	if (rc == ZEK_NOTFOUND) {
		*err_key = "err_no_such_person";
		rc = ZEK_INVALID;
	} else if (rc == ZEK_OK && actor != NULL && su->id == actor->id) {
		*err_key = "err_role_self";
		rc = ZEK_INVALID;
	}
	if (rc == ZEK_OK && !str_eq(su->role, role)) {
		detail = arena_printf(ctx->arena, "%s -> %s", su->role, role);
		rc = detail == NULL ?
		    ZEK_NOMEM :
		    store_user_set_role(ctx->db, su->id, role);
		if (rc == ZEK_OK)
			rc = core_audit(ctx, actor, "role", su->id, 0, detail);
	}
	return store_finish(ctx->db, rc);
}

enum zek_rc
core_audit_page(struct zctx *ctx, const struct user *actor, int64_t before_id,
    struct audit_page *out)
{
	struct store_audit *e;
	enum zek_rc rc;
	size_t i, n;

	memset(out, 0, sizeof(*out));
	if (!is_admin(actor))
		return ZEK_FORBIDDEN;
	rc = store_audit_list(ctx->db, ctx->arena, 0, before_id, AUDIT_PAGE + 1,
	    &e, &n);
	if (rc != ZEK_OK)
		return rc;
	if (n > AUDIT_PAGE) {
		n = AUDIT_PAGE;
		out->next_before = e[n - 1].id;
	}
	out->rows = arena_calloc(ctx->arena, n + 1, sizeof(*out->rows));
	if (out->rows == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < n; i++)
		out->rows[i] = (struct audit_entry){ .id = e[i].id,
			.at = e[i].at,
			.actor_name = e[i].actor_name,
			.action = e[i].action,
			.user_email = e[i].user_email,
			.org_name = e[i].org_name,
			.detail = e[i].detail };
	out->n = n;
	return ZEK_OK;
}
