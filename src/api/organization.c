/* organization.c: customers and organisations for support staff
 * (/customer, /organization, /servicedesk/{id}/customer|organization), as
 * in the JSM Server/DC API. Customers get 403. In zek every customer and
 * every organisation may use every service desk: the desks' lists are
 * everybody's, adding to them only checks that the people exist, and
 * removing is refused with a message that says so. */
#include "api/api.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/api_support.h"
#include "core/directory.h"
#include "core/perm.h"
#include "core/portal.h"
#include "core/users.h"
#include "core/validate.h"
#include "lib/str.h"

static const struct api_json_field customer_spec[] = {
	{ "email", API_JSON_STRING, true, USER_EMAIL_MAX },
	{ "displayName", API_JSON_STRING, true, USER_NAME_MAX },
	{ "fullName", API_JSON_ANY, false, 0 },
};

static const struct api_json_field org_spec[] = {
	{ "name", API_JSON_STRING, true, ORG_NAME_MAX },
};

static const struct api_json_field desk_org_spec[] = {
	{ "organizationId", API_JSON_ID, true, 0 },
};

/* Staff only: answers 403 itself for anybody else. */
static bool
staff(struct req *rq)
{
	if (perm_is_staff(rq->user))
		return true;
	api_error(rq, 403, "api_err_forbidden", NULL);
	return false;
}

/* {"id": "12", "name", "_links": {"self"}} */
static json_t *
org_json(struct req *rq, int64_t id, const char *name)
{
	char sid[24], path[64];
	const char *self;

	snprintf(sid, sizeof(sid), "%" PRId64, id);
	snprintf(path, sizeof(path), API_SD "/organization/%s", sid);
	self = api_url(rq, path);
	if (self == NULL)
		return NULL;
	return json_pack("{s:s, s:s, s:{s:s}}", "id", sid, "name", name,
	    "_links", "self", self);
}

/* How many items a page needs read: up to its end and one more, which
 * tells api_reply_page whether another page follows. */
static size_t
page_need(const struct api_page *pg)
{
	return (size_t)pg->start + (size_t)pg->limit + 1;
}

/* The organisations whose name contains query, as Organization objects,
 * as far as page pg needs them. */
static json_t *
orgs_json(struct req *rq, const struct api_page *want, const char *query,
    int *rc)
{
	json_t *all = json_array();
	const char *after = NULL;
	struct org_page pg;
	size_t i, n = 0;

	*rc = ZEK_OK;
	do {
		*rc = core_orgs_page(&rq->ctx, rq->user, query, after, &pg);
		for (i = 0; *rc == ZEK_OK && all != NULL && i < pg.n; i++)
			json_array_append_new(all,
			    org_json(rq, pg.rows[i].id, pg.rows[i].name));
		after = pg.next_after;
		n += pg.n;
	} while (*rc == ZEK_OK && after != NULL && n < page_need(want));
	if (*rc != ZEK_OK) {
		json_decref(all);
		return NULL;
	}
	return all;
}

/* Customers (of org_id, 0 = all) whose name or address contains query,
 * as user objects, as far as page want needs them. */
static json_t *
customers_json(struct req *rq, const struct api_page *want, int64_t org_id,
    const char *query, int *rc)
{
	struct customer_page pg = { .next_after = 0 };
	json_t *all = json_array();
	int64_t after = 0;
	size_t i, n = 0;

	do {
		*rc = core_customers_page(&rq->ctx, rq->user, query, org_id,
		    after, &pg);
		for (i = 0; *rc == ZEK_OK && all != NULL && i < pg.n; i++)
			json_array_append_new(all,
			    api_person_json(rq, &pg.rows[i].p));
		after = pg.next_after;
		n += pg.n;
	} while (*rc == ZEK_OK && after != 0 && n < page_need(want));
	if (*rc != ZEK_OK) {
		json_decref(all);
		return NULL;
	}
	return all;
}

/* The organisation of path parameter 0; answers 404 itself. */
static int
org_load(struct req *rq, struct org_row *out)
{
	int64_t id = 0;
	int rc;

	if (!req_param_i64(rq, "id", &id))
		rc = ZEK_NOTFOUND;
	else
		rc = core_org_get(&rq->ctx, rq->user, id, out);
	if (rc != ZEK_OK)
		api_fail(rq, rc);
	return rc;
}

/* The people a body names (accountIds, usernames), found as customers.
 * Answers 400 itself for anybody unknown. */
static int
people_load(struct req *rq, json_t *body, struct person **out, size_t *n)
{
	static const char *const names[] = { "who", "accountIds", NULL };
	struct field_error err;
	const char **refs;
	size_t i, n_ids;
	int rc;

	rc = api_people_refs(rq, body, INVITE_LIST_MAX, &refs, n, &n_ids);
	if (rc != ZEK_OK)
		return rc;
	*out = arena_calloc(rq->arena, *n, sizeof(**out));
	if (*out == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < *n; i++) {
		rc = core_customer_resolve(&rq->ctx, rq->user, refs[i],
		    &(*out)[i], &err);
		if (rc == ZEK_INVALID) {
			api_field_errors(rq, &err, 1, names);
			return ZEK_INVALID;
		}
		if (rc != ZEK_OK) {
			api_fail(rq, rc);
			return rc;
		}
	}
	return ZEK_OK;
}

/* ---- /customer ---- */

/* POST /rest/servicedeskapi/customer: invites the person (a mail with the
 * link to set a password), 201 with the user. */
int
api_customer_create(struct req *rq)
{
	const char *email, *name;
	enum invite_result res;
	struct person p;
	struct user *u;
	json_t *body;
	int rc;

	if (!staff(rq) ||
	    api_body(rq, customer_spec, ZEK_ARRAY_LEN(customer_spec), &body) !=
	        ZEK_OK)
		return ZEK_OK;
	email = json_string_value(json_object_get(body, "email"));
	name = json_string_value(json_object_get(body, "displayName"));
	if (core_user_by_email(&rq->ctx, email, &u) == ZEK_OK)
		return api_error(rq, 400, "api_err_customer_exists", email);
	rc = core_invite(&rq->ctx, rq->user, email, name, NULL, NULL, &res);
	if (rc == ZEK_INVALID)
		return api_error(rq, 400, "api_err_bad_param", "email");
	if (rc == ZEK_OK)
		rc = core_user_by_email(&rq->ctx, email, &u);
	if (rc != ZEK_OK)
		return rc;
	p = (struct person){ .id = u->id, .name = u->name, .email = u->email };
	return api_reply(rq, 201, api_person_json(rq, &p));
}

/* ---- /organization ---- */

/* GET /rest/servicedeskapi/organization */
int
api_orgs(struct req *rq)
{
	struct api_page pg;
	json_t *all;
	int rc;

	if (!staff(rq) || api_page_parse(rq, &pg) != ZEK_OK)
		return ZEK_OK;
	all = orgs_json(rq, &pg, NULL, &rc);
	return all != NULL ? api_reply_page(rq, &pg, all, NULL) : rc;
}

/* POST /rest/servicedeskapi/organization: 201 with the organisation. */
int
api_org_create(struct req *rq)
{
	const char *name, *err_key;
	json_t *body;
	int64_t id;
	int rc;

	if (!staff(rq) ||
	    api_body(rq, org_spec, ZEK_ARRAY_LEN(org_spec), &body) != ZEK_OK)
		return ZEK_OK;
	name = json_string_value(json_object_get(body, "name"));
	rc = core_org_create(&rq->ctx, rq->user, name, &id, &err_key);
	if (rc == ZEK_INVALID)
		return api_error(rq, 400,
		    str_eq(err_key, "err_org_exists") ? "api_err_org_exists" :
		                                        "api_err_bad_param",
		    str_eq(err_key, "err_org_exists") ? name : "name");
	if (rc != ZEK_OK)
		return rc;
	return api_reply(rq, 201, org_json(rq, id, name));
}

/* GET /rest/servicedeskapi/organization/{organizationId} */
int
api_org(struct req *rq)
{
	struct org_row o;

	if (!staff(rq) || org_load(rq, &o) != ZEK_OK)
		return ZEK_OK;
	return api_reply(rq, 200, org_json(rq, o.id, o.name));
}

/* DELETE /rest/servicedeskapi/organization/{organizationId} */
int
api_org_delete(struct req *rq)
{
	struct org_row o;
	int rc;

	if (!staff(rq) || org_load(rq, &o) != ZEK_OK)
		return ZEK_OK;
	rc = core_org_delete(&rq->ctx, rq->user, o.id);
	if (rc == ZEK_CONFLICT)
		return api_error(rq, 409, "api_err_org_in_use", o.name);
	return rc == ZEK_OK ? api_reply_empty(rq, 204) : rc;
}

/* GET /rest/servicedeskapi/organization/{organizationId}/user */
int
api_org_users(struct req *rq)
{
	struct api_page pg;
	struct org_row o;
	json_t *all;
	int rc;

	if (!staff(rq) || api_page_parse(rq, &pg) != ZEK_OK ||
	    org_load(rq, &o) != ZEK_OK)
		return ZEK_OK;
	all = customers_json(rq, &pg, o.id, NULL, &rc);
	return all != NULL ? api_reply_page(rq, &pg, all, NULL) : rc;
}

/* POST and DELETE .../organization/{organizationId}/user: 204. */
static int
org_users_change(struct req *rq, bool add)
{
	struct person *people;
	const char *err_key;
	struct org_row o;
	json_t *body;
	size_t i, n;
	int rc = ZEK_OK;

	if (!staff(rq) || org_load(rq, &o) != ZEK_OK ||
	    api_body(rq, api_people_spec, 2, &body) != ZEK_OK ||
	    people_load(rq, body, &people, &n) != ZEK_OK)
		return ZEK_OK;
	for (i = 0; rc == ZEK_OK && i < n; i++) {
		if (add)
			rc = core_org_member_add(&rq->ctx, rq->user, o.id,
			    people[i].email, &err_key);
		else
			rc = core_org_member_remove(&rq->ctx, rq->user, o.id,
			    people[i].id);
		/* Whoever is not a member is as DELETE wants them. */
		if (!add && rc == ZEK_NOTFOUND)
			rc = ZEK_OK;
	}
	return rc == ZEK_OK ? api_reply_empty(rq, 204) : rc;
}

int
api_org_users_add(struct req *rq)
{
	return org_users_change(rq, true);
}

int
api_org_users_remove(struct req *rq)
{
	return org_users_change(rq, false);
}

/* ---- /servicedesk/{serviceDeskId}/customer|organization ---- */

/* A desk's list for staff: the page asked for and the desk exist (else
 * the answer is made). */
static bool
desk_page(struct req *rq, struct api_page *pg)
{
	return staff(rq) && api_page_parse(rq, pg) == ZEK_OK &&
	    api_desk_load(rq, NULL) == ZEK_OK;
}

/* GET .../servicedesk/{id}/customer?query=: every customer. */
int
api_desk_customers(struct req *rq)
{
	static const char *const keep[] = { "query", NULL };
	struct api_page pg;
	json_t *all;
	int rc;

	if (!desk_page(rq, &pg))
		return ZEK_OK;
	all = customers_json(rq, &pg, 0, req_query(rq, "query"), &rc);
	return all != NULL ? api_reply_page(rq, &pg, all, keep) : rc;
}

/* POST .../servicedesk/{id}/customer: they may use it already. */
int
api_desk_customers_add(struct req *rq)
{
	struct person *people;
	json_t *body;
	size_t n;

	if (!staff(rq) || api_desk_load(rq, NULL) != ZEK_OK ||
	    api_body(rq, api_people_spec, 2, &body) != ZEK_OK ||
	    people_load(rq, body, &people, &n) != ZEK_OK)
		return ZEK_OK;
	return api_reply_empty(rq, 204);
}

/* GET .../servicedesk/{id}/organization: every organisation. */
int
api_desk_orgs(struct req *rq)
{
	struct api_page pg;
	json_t *all;
	int rc;

	if (!desk_page(rq, &pg))
		return ZEK_OK;
	all = orgs_json(rq, &pg, NULL, &rc);
	return all != NULL ? api_reply_page(rq, &pg, all, NULL) : rc;
}

/* POST .../servicedesk/{id}/organization: it may use it already. */
int
api_desk_orgs_add(struct req *rq)
{
	struct org_row o;
	json_t *body;
	int64_t id = 0;
	int rc;

	if (!staff(rq) || api_desk_load(rq, NULL) != ZEK_OK ||
	    api_body(rq, desk_org_spec, 1, &body) != ZEK_OK)
		return ZEK_OK;
	if (!api_json_id(json_object_get(body, "organizationId"), &id))
		return api_error(rq, 400, "api_err_wrong_type",
		    "organizationId");
	rc = core_org_get(&rq->ctx, rq->user, id, &o);
	return rc == ZEK_OK ? api_reply_empty(rq, 204) : api_fail(rq, rc);
}

/* DELETE .../servicedesk/{id}/customer and .../organization: zek has no
 * per-desk lists to take anybody off. */
int
api_desk_remove(struct req *rq)
{
	if (!staff(rq) || api_desk_load(rq, NULL) != ZEK_OK)
		return ZEK_OK;
	return api_error(rq, 400, "api_err_desk_open_to_all", NULL);
}
