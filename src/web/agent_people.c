/* agent_people.c: the agent area's customers and organisations: pages by
 * name with search, invitations, deactivation, password reset mails,
 * organisations made, renamed and filled. */
#include "web/web.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/directory.h"
#include "core/perm.h"
#include "core/validate.h"
#include "http/form.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "lib/utf8.h"

#define CUSTOMERS_URL "/servicedesk/agent/customers"
#define ORGS_URL "/servicedesk/agent/organisations"

/* ---- helpers ---- */

/* One error's text, {max} filled in. */
static const char *
error_text(struct req *rq, const char *key, int64_t max)
{
	struct field_error e = { .field = "", .key = key, .max = max };

	return http_error_text(rq, &e);
}

/* ---- customers ---- */

static const char *
state_key(const struct customer_row *r)
{
	if (!r->active)
		return "people_state_deactivated";
	return r->invited ? "people_state_invited" : "people_state_active";
}

static json_t *
customer_json(struct req *rq, const struct customer_row *r)
{
	const char *base = arena_printf(rq->arena, "%s/%" PRId64, CUSTOMERS_URL,
	    r->p.id);
	json_t *j;

	j = ctx_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:b, s:b, s:s, s:s, s:s}",
	    "id", (json_int_t)r->p.id, "name", r->p.name, "email", r->p.email,
	    "orgs", r->orgs, "open", (json_int_t)r->open_requests, "state",
	    web_t(rq, state_key(r)), "active", r->active, "invited", r->invited,
	    "deactivate_href", arena_printf(rq->arena, "%s/deactivate", base),
	    "reactivate_href", arena_printf(rq->arena, "%s/reactivate", base),
	    "reset_href", arena_printf(rq->arena, "%s/reset", base));
	if (j != NULL && r->last_login_at > 0) {
		json_object_set_new(j, "login_text",
		    json_string(web_time_text(rq, r->last_login_at)));
		json_object_set_new(j, "login_iso",
		    json_string(web_time_iso(rq, r->last_login_at)));
	}
	return j;
}

/* The table of customers, and the link to the next page. */
static int
customers_json(struct req *rq, json_t *page, const char *base, int64_t org_id)
{
	const char *q = web_kept_query(rq, DIRECTORY_QUERY_MAX);
	struct customer_page pg;
	char after[24];
	json_t *rows;
	int64_t from = 0;
	size_t i;
	int rc;

	if (str_to_i64(req_query(rq, "after"), 1, INT64_MAX, &from) != 0)
		from = 0;
	rc = core_customers_page(&rq->ctx, rq->user, q, org_id, from, &pg);
	if (rc != ZEK_OK)
		return rc;
	rows = json_array();
	for (i = 0; rows != NULL && i < pg.n; i++)
		json_array_append_new(rows, customer_json(rq, &pg.rows[i]));
	json_object_set_new(page, "rows", rows);
	json_object_set_new(page, "has_rows", json_boolean(pg.n > 0));
	json_object_set_new(page, "q", json_string(q));
	json_object_set_new(page, "search_action", json_string(base));
	if (from > 0)
		json_object_set_new(page, "first_href",
		    json_string(web_page_href(rq, base, q, NULL, NULL)));
	if (pg.next_after > 0) {
		snprintf(after, sizeof(after), "%" PRId64, pg.next_after);
		json_object_set_new(page, "next_href",
		    json_string(web_page_href(rq, base, q, "after", after)));
	}
	return ZEK_OK;
}

/* What became of each address of an invitation. */
static json_t *
outcomes_json(struct req *rq, const struct invite_outcome *o, size_t n)
{
	static const char *const said[] = {
		[INVITE_SENT] = "invite_sent",
		[INVITE_RESENT] = "invite_resent",
		[INVITE_JOINED] = "invite_joined",
	};
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr != NULL && i < n; i++)
		json_array_append_new(arr,
		    ctx_pack("{s:s, s:s, s:b}", "email", o[i].email, "text",
		        web_t(rq,
		            o[i].rc == ZEK_OK ? said[o[i].result] :
		                                "invite_bad_address"),
		        "bad", o[i].rc != ZEK_OK));
	return arr;
}

struct invite_state {
	const char *error; /* the form's error, or NULL */
	const struct invite_outcome *outcomes;
	size_t n;
};

static int
customers_page(struct req *rq, unsigned status, const struct invite_state *st)
{
	json_t *page = web_page_ctx(rq, "page_customers");
	int rc;

	if (page == NULL)
		return ZEK_NOMEM;
	rc = customers_json(rq, page, CUSTOMERS_URL, 0);
	if (rc != ZEK_OK)
		return rc;
	json_object_set_new(page, "invite",
	    ctx_pack("{s:s, s:s, s:s, s:s?}", "action", CUSTOMERS_URL "/invite",
	        "emails",
	        st != NULL && st->error != NULL ? web_kept(rq, "emails") : "",
	        "org", st != NULL ? web_kept(rq, "org") : "", "error",
	        st != NULL ? st->error : NULL));
	if (st != NULL && st->n > 0) {
		json_object_set_new(page, "outcomes",
		    outcomes_json(rq, st->outcomes, st->n));
		json_object_set_new(page, "has_outcomes", json_true());
	}
	json_object_set_new(page, "orgs_href", json_string(ORGS_URL));
	web_breadcrumb(rq, page, web_t(rq, "nav_agent"), WEB_AGENT);
	web_breadcrumb(rq, page, web_t(rq, "page_customers"), NULL);
	return web_render(rq, status, "agent/customers", page);
}

/* GET /servicedesk/agent/customers */
int
web_agent_customers(struct req *rq)
{
	return customers_page(rq, 200, NULL);
}

/* POST /servicedesk/agent/customers/invite */
int
web_agent_invite(struct req *rq)
{
	struct invite_state st = { 0 };
	struct invite_outcome *o;
	const char *err_key;
	int rc;

	rc = core_invite_list(&rq->ctx, rq->user, req_form(rq, "emails"),
	    req_form(rq, "org"), &o, &st.n, &err_key);
	if (rc == ZEK_INVALID) {
		st.error = error_text(rq, err_key,
		    str_eq(err_key, "err_invite_too_many") ? INVITE_LIST_MAX :
		                                             ORG_NAME_MAX);
		return customers_page(rq, 422, &st);
	}
	if (rc != ZEK_OK)
		return rc;
	st.outcomes = o;
	return customers_page(rq, 200, &st);
}

/* POST .../customers/{id}/deactivate, /reactivate, /reset: back to the
 * list, which says what happened. */
static int
customer_action(struct req *rq,
    enum zek_rc (*act)(struct zctx *, const struct user *, int64_t),
    const char *notice)
{
	int64_t id = web_param_id(rq, "id");
	int rc;

	if (id == 0)
		return ZEK_NOTFOUND;
	rc = act(&rq->ctx, rq->user, id);
	if (rc != ZEK_OK)
		return rc;
	return http_redirect(rq, 303,
	    arena_printf(rq->arena, "%s?notice=%s", CUSTOMERS_URL, notice));
}

int
web_agent_customer_deactivate(struct req *rq)
{
	return customer_action(rq, core_user_deactivate, "deactivated");
}

int
web_agent_customer_reactivate(struct req *rq)
{
	return customer_action(rq, core_user_reactivate, "reactivated");
}

int
web_agent_customer_reset(struct req *rq)
{
	return customer_action(rq, core_user_send_reset, "reset_sent");
}

/* ---- organisations ---- */

static json_t *
orgs_rows(struct req *rq, const struct org_page *pg)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr != NULL && i < pg->n; i++)
		json_array_append_new(arr,
		    ctx_pack("{s:s, s:s, s:I}", "name", pg->rows[i].name,
		        "href",
		        arena_printf(rq->arena, "%s/%" PRId64, ORGS_URL,
		            pg->rows[i].id),
		        "members", (json_int_t)pg->rows[i].members));
	return arr;
}

static int
orgs_page(struct req *rq, unsigned status, const char *error)
{
	json_t *page = web_page_ctx(rq, "page_orgs");
	const char *q = web_kept_query(rq, DIRECTORY_QUERY_MAX),
	           *after = req_query(rq, "after");
	struct org_page pg;
	int rc;

	if (page == NULL)
		return ZEK_NOMEM;
	rc = core_orgs_page(&rq->ctx, rq->user, q, after, &pg);
	if (rc != ZEK_OK)
		return rc;
	json_object_set_new(page, "rows", orgs_rows(rq, &pg));
	json_object_set_new(page, "has_rows", json_boolean(pg.n > 0));
	json_object_set_new(page, "q", json_string(q));
	json_object_set_new(page, "search_action", json_string(ORGS_URL));
	if (!str_empty(after))
		json_object_set_new(page, "first_href",
		    json_string(web_page_href(rq, ORGS_URL, q, NULL, NULL)));
	if (pg.next_after != NULL)
		json_object_set_new(page, "next_href",
		    json_string(web_page_href(rq, ORGS_URL, q, "after",
		        pg.next_after)));
	json_object_set_new(page, "create",
	    ctx_pack("{s:s, s:s, s:s?}", "action", ORGS_URL, "name",
	        error != NULL ? web_kept(rq, "name") : "", "error", error));
	json_object_set_new(page, "customers_href", json_string(CUSTOMERS_URL));
	web_breadcrumb(rq, page, web_t(rq, "nav_agent"), WEB_AGENT);
	web_breadcrumb(rq, page, web_t(rq, "page_orgs"), NULL);
	return web_render(rq, status, "agent/organisations", page);
}

/* GET /servicedesk/agent/organisations */
int
web_agent_orgs(struct req *rq)
{
	return orgs_page(rq, 200, NULL);
}

static const char *
org_href(struct req *rq, int64_t id, const char *notice)
{
	return arena_printf(rq->arena, "%s/%" PRId64 "%s%s", ORGS_URL, id,
	    notice != NULL ? "?notice=" : "", notice != NULL ? notice : "");
}

/* POST /servicedesk/agent/organisations */
int
web_agent_org_create(struct req *rq)
{
	const char *err_key;
	int64_t id;
	int rc;

	rc = core_org_create(&rq->ctx, rq->user, req_form(rq, "name"), &id,
	    &err_key);
	if (rc == ZEK_INVALID)
		return orgs_page(rq, 422,
		    error_text(rq, err_key, ORG_NAME_MAX));
	if (rc != ZEK_OK)
		return rc;
	return http_redirect(rq, 303, org_href(rq, id, "org_created"));
}

/* The page of one organisation; a failed form of it shows its error. */
static int
org_page(struct req *rq, unsigned status, const char *form, const char *error)
{
	int64_t id = web_param_id(rq, "id");
	const char *base = org_href(rq, id, NULL);
	struct org_row org;
	json_t *page;
	int rc;

	if (id == 0)
		return ZEK_NOTFOUND;
	rc = core_org_get(&rq->ctx, rq->user, id, &org);
	if (rc != ZEK_OK)
		return rc;
	page = web_page_ctx(rq, "page_org");
	if (page == NULL || base == NULL)
		return ZEK_NOMEM;
	json_object_set_new(page, "title", json_string(org.name));
	rc = customers_json(rq, page, base, id);
	if (rc != ZEK_OK)
		return rc;
	json_object_set_new(page, "rename",
	    ctx_pack("{s:s, s:s, s:s?}", "action",
	        arena_printf(rq->arena, "%s/rename", base), "name",
	        str_eq(form, "rename") ? web_kept(rq, "name") : org.name,
	        "error", str_eq(form, "rename") ? error : NULL));
	json_object_set_new(page, "add",
	    ctx_pack("{s:s, s:s, s:s?}", "action",
	        arena_printf(rq->arena, "%s/members", base), "email",
	        str_eq(form, "add") ? web_kept(rq, "email") : "", "error",
	        str_eq(form, "add") ? error : NULL));
	json_object_set_new(page, "remove_action",
	    json_string(arena_printf(rq->arena, "%s/members/remove", base)));
	web_breadcrumb(rq, page, web_t(rq, "nav_agent"), WEB_AGENT);
	web_breadcrumb(rq, page, web_t(rq, "page_orgs"), ORGS_URL);
	web_breadcrumb(rq, page, org.name, NULL);
	return web_render(rq, status, "agent/organisation", page);
}

/* GET /servicedesk/agent/organisations/{id} */
int
web_agent_org(struct req *rq)
{
	return org_page(rq, 200, NULL, NULL);
}

/* POST .../organisations/{id}/rename */
int
web_agent_org_rename(struct req *rq)
{
	const char *err_key;
	int64_t id = web_param_id(rq, "id");
	int rc;

	if (id == 0)
		return ZEK_NOTFOUND;
	rc = core_org_rename(&rq->ctx, rq->user, id, req_form(rq, "name"),
	    &err_key);
	if (rc == ZEK_INVALID)
		return org_page(rq, 422, "rename",
		    error_text(rq, err_key, ORG_NAME_MAX));
	if (rc != ZEK_OK)
		return rc;
	return http_redirect(rq, 303, org_href(rq, id, "org_renamed"));
}

/* POST .../organisations/{id}/members */
int
web_agent_org_member_add(struct req *rq)
{
	const char *err_key;
	int64_t id = web_param_id(rq, "id");
	int rc;

	if (id == 0)
		return ZEK_NOTFOUND;
	rc = core_org_member_add(&rq->ctx, rq->user, id, req_form(rq, "email"),
	    &err_key);
	if (err_key != NULL)
		return org_page(rq, 422, "add", error_text(rq, err_key, 0));
	if (rc != ZEK_OK)
		return rc;
	return http_redirect(rq, 303, org_href(rq, id, "member_added"));
}

/* POST .../organisations/{id}/members/remove (user=ID) */
int
web_agent_org_member_remove(struct req *rq)
{
	int64_t id = web_param_id(rq, "id"), user_id = 0;
	int rc;

	if (id == 0 ||
	    str_to_i64(req_form(rq, "user"), 1, INT64_MAX, &user_id) != 0)
		return ZEK_NOTFOUND;
	rc = core_org_member_remove(&rq->ctx, rq->user, id, user_id);
	if (rc != ZEK_OK)
		return rc;
	return http_redirect(rq, 303, org_href(rq, id, "member_removed"));
}

/* ---- staff and the record of changes: admins only ---- */

#define TEAM_URL "/servicedesk/agent/team"
#define AUDIT_URL "/servicedesk/agent/audit"

/* Agents see no admin pages, as customers see no agent pages. */
static bool
admin(struct req *rq)
{
	return perm_is_admin(rq->user);
}

static const char *
role_key(enum role role)
{
	if (role == ROLE_ADMIN)
		return "role_admin";
	return role == ROLE_AGENT ? "role_agent" : "role_customer";
}

static json_t *
role_options(struct req *rq, const char *chosen)
{
	static const enum role roles[] = { ROLE_AGENT, ROLE_ADMIN,
		ROLE_CUSTOMER };
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr != NULL && i < ZEK_ARRAY_LEN(roles); i++)
		json_array_append_new(arr,
		    ctx_pack("{s:s, s:s, s:b}", "value", role_code(roles[i]),
		        "label", web_t(rq, role_key(roles[i])), "selected",
		        str_eq(role_code(roles[i]), chosen)));
	return arr;
}

static int
team_page(struct req *rq, unsigned status, const char *error)
{
	struct customer_row *rows;
	enum role *roles;
	json_t *page, *arr;
	size_t i, n;
	int rc;

	rc = core_team_list(&rq->ctx, rq->user, &rows, &roles, &n);
	if (rc != ZEK_OK)
		return rc;
	page = web_page_ctx(rq, "page_team");
	arr = json_array();
	if (page == NULL || arr == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < n; i++) {
		json_t *j = customer_json(rq, &rows[i]);

		json_object_set_new(j, "role",
		    json_string(web_t(rq, role_key(roles[i]))));
		json_array_append_new(arr, j);
	}
	json_object_set_new(page, "rows", arr);
	json_object_set_new(page, "form",
	    ctx_pack("{s:s, s:s, s:o, s:s?}", "action", TEAM_URL, "email",
	        error != NULL ? web_kept(rq, "email") : "", "roles",
	        role_options(rq,
	            error != NULL ? req_form(rq, "role") :
	                            role_code(ROLE_AGENT)),
	        "error", error));
	json_object_set_new(page, "audit_href", json_string(AUDIT_URL));
	web_breadcrumb(rq, page, web_t(rq, "nav_agent"), WEB_AGENT);
	web_breadcrumb(rq, page, web_t(rq, "page_team"), NULL);
	return web_render(rq, status, "agent/team", page);
}

/* GET /servicedesk/agent/team */
int
web_agent_team(struct req *rq)
{
	return admin(rq) ? team_page(rq, 200, NULL) : ZEK_NOTFOUND;
}

/* POST /servicedesk/agent/team: email, role */
int
web_agent_team_role(struct req *rq)
{
	const char *err_key;
	int rc;

	if (!admin(rq))
		return ZEK_NOTFOUND;
	rc = core_team_set_role(&rq->ctx, rq->user, req_form(rq, "email"),
	    req_form(rq, "role"), &err_key);
	if (rc == ZEK_INVALID)
		return team_page(rq, 422, error_text(rq, err_key, 0));
	if (rc != ZEK_OK)
		return rc;
	return http_redirect(rq, 303, TEAM_URL "?notice=role_changed");
}

static json_t *
audit_rows(struct req *rq, const struct audit_page *pg)
{
	json_t *arr = json_array();
	const char *key;
	size_t i;

	for (i = 0; arr != NULL && i < pg->n; i++) {
		const struct audit_entry *e = &pg->rows[i];

		key = arena_printf(rq->arena, "audit_%s", e->action);
		json_array_append_new(arr,
		    ctx_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "when",
		        web_time_text(rq, e->at), "iso",
		        web_time_iso(rq, e->at), "who",
		        !str_empty(e->actor_name) ? e->actor_name :
		                                    web_t(rq, "audit_cli"),
		        "what", key != NULL ? web_t(rq, key) : e->action,
		        "person", e->user_email, "org", e->org_name, "detail",
		        e->detail));
	}
	return arr;
}

/* GET /servicedesk/agent/audit?before=ID */
int
web_agent_audit(struct req *rq)
{
	struct audit_page pg;
	int64_t before = 0;
	char next[64];
	json_t *page;
	int rc;

	if (!admin(rq))
		return ZEK_NOTFOUND;
	if (str_to_i64(req_query(rq, "before"), 1, INT64_MAX, &before) != 0)
		before = 0;
	rc = core_audit_page(&rq->ctx, rq->user, before, &pg);
	if (rc != ZEK_OK)
		return rc;
	page = web_page_ctx(rq, "page_audit");
	if (page == NULL)
		return ZEK_NOMEM;
	json_object_set_new(page, "rows", audit_rows(rq, &pg));
	json_object_set_new(page, "has_rows", json_boolean(pg.n > 0));
	if (before > 0)
		json_object_set_new(page, "first_href", json_string(AUDIT_URL));
	if (pg.next_before > 0) {
		snprintf(next, sizeof(next), AUDIT_URL "?before=%" PRId64,
		    pg.next_before);
		json_object_set_new(page, "next_href", json_string(next));
	}
	web_breadcrumb(rq, page, web_t(rq, "nav_agent"), WEB_AGENT);
	web_breadcrumb(rq, page, web_t(rq, "page_team"), TEAM_URL);
	web_breadcrumb(rq, page, web_t(rq, "page_audit"), NULL);
	return web_render(rq, 200, "agent/audit", page);
}
