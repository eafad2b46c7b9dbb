/* agent_request.c: one request as an agent works it, with its forms. */
#include "web/web.h"
#include "web/agent.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/activity.h"
#include "core/agent.h"
#include "core/sla.h"
#include "core/attachments.h"
#include "core/edit.h"
#include "core/links.h"
#include "core/portal.h"
#include "core/rating.h"
#include "core/requests.h"
#include "core/snippets.h"
#include "core/validate.h"
#include "core/workflow.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "render/i18n.h"

#define STATUS_COMMENT_FIELD "status_comment"

/* A failed form or a refusal, shown with the page again. */
struct agent_state {
	const char *alert;        /* role="alert" box at the top */
	struct field_error *errs; /* the reply form's problems */
	size_t nerrs;
	struct attachment_info *kept; /* the reply's uploads, kept */
	size_t nkept;
	bool reply_failed;             /* show the sent reply again */
	bool reply_internal;           /* ... as an internal note */
	const char *reply_text;        /* the reply's text with a snippet
	                                  inserted; NULL = as sent */
	int64_t snippet_id;            /* the snippet chosen last, 0 = none */
	struct field_error status_err; /* the status form's comment or
	                                  original */
	bool status_failed;
	const char *notice;          /* a kept reply shown again */
	struct field_error link_err; /* the link form's key */
	bool link_failed;
	struct field_error share_err; /* "Teilen": the person */
	bool share_failed;
};

const struct web_status_choice web_status_choices[WEB_STATUS_CHOICES] = {
	{ WF_START, RESOLUTION_NONE, "start", "agent_action_start" },
	{ WF_TO_SUPPORT, RESOLUTION_NONE, "to_support",
	    "agent_action_to_support" },
	{ WF_ASK_CUSTOMER, RESOLUTION_NONE, "ask_customer",
	    "agent_action_ask_customer" },
	{ WF_PROPOSE_SOLUTION, RESOLUTION_NONE, "propose_solution",
	    "agent_action_propose_solution" },
	{ WF_CLOSE, RESOLUTION_GELOEST, "close_geloest",
	    "agent_action_close_geloest" },
	{ WF_CLOSE, RESOLUTION_DUPLIKAT, "close_duplikat",
	    "agent_action_close_duplikat" },
	{ WF_CLOSE, RESOLUTION_ABGELEHNT, "close_abgelehnt",
	    "agent_action_close_abgelehnt" },
};

const struct web_status_choice *
web_status_choice(const char *value)
{
	size_t i;

	for (i = 0; i < WEB_STATUS_CHOICES; i++)
		if (str_eq(value, web_status_choices[i].value))
			return &web_status_choices[i];
	return NULL;
}

static const char *
agent_href(struct req *rq, const struct request_view *v)
{
	return arena_printf(rq->arena, "%s%s", WEB_AGENT_REQUESTS, v->key);
}

static const char *
agent_sub_href(struct req *rq, const struct request_view *v, const char *tail)
{
	return arena_printf(rq->arena, "%s%s/%s", WEB_AGENT_REQUESTS, v->key,
	    tail);
}

static const char *
customer_href(struct req *rq, const struct request_view *v)
{
	return core_request_path(rq->arena, v->portal_id, v->key);
}

/* "Frühere Angaben": values a type change left without a field. */
static json_t *
former_json(struct req *rq, const struct agent_request *ar)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr != NULL && i < ar->nformer; i++)
		json_array_append_new(arr,
		    web_field_view_json(rq, &ar->former[i]));
	return arr;
}

static json_t *
request_json(struct req *rq, const struct agent_request *ar)
{
	const struct request_view *v = ar->view;
	json_t *j;

	j = ctx_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
	    "key", v->key, "title", v->title, "status_label", v->status_label,
	    "status_class", v->status_code, "type_name", v->type_name,
	    "created_text", web_time_text(rq, v->created_at), "created_iso",
	    web_time_iso(rq, v->created_at), "updated_text",
	    web_time_text(rq, v->updated_at), "updated_iso",
	    web_time_iso(rq, v->updated_at), "customer_href",
	    customer_href(rq, v));
	if (j == NULL)
		return NULL;
	if (!str_empty(v->resolution_label))
		json_object_set_new(j, "resolution_label",
		    json_string(v->resolution_label));
	json_object_set_new(j, "since_text",
	    json_string(web_time_text(rq, ar->view->status_since)));
	json_object_set_new(j, "since_iso",
	    json_string(web_time_iso(rq, ar->view->status_since)));
	json_object_set_new(j, "fields", web_request_fields_json(rq, v));
	json_object_set_new(j, "files",
	    web_files_json(rq, v->attachments, v->nattachments));
	json_object_set_new(j, "has_attachments",
	    json_boolean(v->nattachments > 0));
	json_object_set_new(j, "edit_href",
	    json_string(agent_sub_href(rq, v, "edit")));
	json_object_set_new(j, "former", former_json(rq, ar));
	json_object_set_new(j, "has_former", json_boolean(ar->nformer > 0));
	return j;
}

/* The reporter with e-mail and organisations, and who raised it. */
static json_t *
people_json(struct req *rq, const struct agent_request *ar)
{
	const struct request_view *v = ar->view;
	json_t *orgs = json_array(), *j;
	size_t i;

	for (i = 0; orgs != NULL && i < ar->reporter->norgs; i++)
		json_array_append_new(orgs,
		    json_string(ar->reporter->org_names[i]));
	j = ctx_pack("{s:s, s:s, s:s, s:o, s:b}", "reporter_name",
	    ar->reporter->name, "reporter_email", ar->reporter->email,
	    "reporter_mailto",
	    arena_printf(rq->arena, "mailto:%s", ar->reporter->email), "orgs",
	    orgs, "has_orgs", ar->reporter->norgs > 0);
	if (j == NULL)
		return NULL;
	if (v->creator.id != 0 && v->creator.id != v->reporter.id)
		json_object_set_new(j, "creator_name",
		    json_string(v->creator.name));
	return j;
}

void
web_staff_options(struct req *rq, json_t *opts, int64_t selected)
{
	struct person *staff;
	char id[24];
	size_t i, n = 0;

	if (core_agent_staff(&rq->ctx, rq->user, &staff, &n) != ZEK_OK)
		n = 0;
	for (i = 0; opts != NULL && i < n; i++) {
		snprintf(id, sizeof(id), "%" PRId64, staff[i].id);
		json_array_append_new(opts,
		    ctx_pack("{s:s, s:s, s:b}", "value", id, "label",
		        staff[i].name, "selected",
		        selected != 0 && staff[i].id == selected));
	}
}

/* "Zuweisen": every agent, "nobody" first; "Mir zuweisen" unless mine. */
static json_t *
assign_json(struct req *rq, const struct agent_request *ar)
{
	json_t *opts = json_array();

	json_array_append_new(opts,
	    ctx_pack("{s:s, s:s, s:b}", "value", "", "label",
	        web_t(rq, "agent_nobody"), "selected",
	        ar->view->assignee.id == 0));
	web_staff_options(rq, opts, ar->view->assignee.id);
	return ctx_pack("{s:s, s:o, s:b, s:b}", "action",
	    agent_sub_href(rq, ar->view, "assign"), "options", opts, "open",
	    ar->can_assign, "is_mine", ar->view->assignee.id == rq->user->id);
}

/* A text field for a request key (partials/field), with its error. */
static json_t *
key_field_json(struct req *rq, const char *name, const char *label_key,
    const char *help_key, bool required, bool failed,
    const struct field_error *err)
{
	json_t *j;

	j = ctx_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:s, s:b}", "key",
	    name, "id", arena_printf(rq->arena, "f-%s", name), "label",
	    web_t(rq, label_key), "help", web_t(rq, help_key), "placeholder",
	    "ZEK-12", "optional", !required, "required", required, "value",
	    failed ? web_kept(rq, name) : "", "is_text", 1);
	if (j != NULL && failed && err->key != NULL && str_eq(err->field, name))
		json_object_set_new(j, "error",
		    json_string(http_error_text(rq, err)));
	return j;
}

/* Closing as Duplikat names the original. */
static json_t *
original_json(struct req *rq, const struct agent_state *st)
{
	return key_field_json(rq, LINK_ORIGINAL_FIELD, "agent_original_label",
	    "agent_original_help", false, st->status_failed, &st->status_err);
}

/* "Verknüpfte Anfragen": the links, a form to add one, a button to
 * remove each. */
static json_t *
links_json(struct req *rq, const struct agent_request *ar,
    const struct agent_state *st)
{
	static const char *const labels[LINK_KIND_MAX] = {
		[LINK_DUPLICATE_OF] = "link_duplicate_of",
		[LINK_DUPLICATED_BY] = "link_duplicated_by",
		[LINK_RELATES] = "link_relates",
	};
	const char *sent = st->link_failed ? req_form(rq, "kind") : NULL;
	json_t *list = json_array(), *kinds = json_array();
	size_t i;

	for (i = 0; list != NULL && i < ar->nlinks; i++) {
		const struct request_link *l = &ar->links[i];

		json_array_append_new(list,
		    ctx_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "kind_label",
		        web_t(rq, labels[l->kind]), "key", l->other_key,
		        "title", l->other_title, "href",
		        arena_printf(rq->arena, "%s%s", WEB_AGENT_REQUESTS,
		            l->other_key),
		        "status_label", l->other_status_label, "status_class",
		        status_code(l->other_status)));
	}
	for (i = 0; kinds != NULL && i < LINK_KIND_MAX; i++)
		json_array_append_new(kinds,
		    ctx_pack("{s:s, s:s, s:b}", "value",
		        link_kind_code((enum link_kind)i), "label",
		        web_t(rq, labels[i]), "selected",
		        sent != NULL ?
		            str_eq(sent, link_kind_code((enum link_kind)i)) :
		            i == LINK_RELATES));
	return ctx_pack("{s:o, s:b, s:o, s:o, s:s, s:s}", "items", list,
	    "has_items", json_array_size(list) > 0, "kinds", kinds, "key",
	    key_field_json(rq, LINK_KEY_FIELD, "agent_link_key_label",
	        "agent_link_key_help", true, st->link_failed, &st->link_err),
	    "action", agent_sub_href(rq, ar->view, "links"), "remove_action",
	    agent_sub_href(rq, ar->view, "links/remove"));
}

/* "Status ändern": only what the workflow allows now (core decided). */
static json_t *
status_json(struct req *rq, const struct agent_request *ar,
    const struct agent_state *st)
{
	const char *sent = st->status_failed ? req_form(rq, "action") : NULL;
	json_t *opts = json_array(), *field;
	size_t i;

	for (i = 0; opts != NULL && i < WEB_STATUS_CHOICES; i++) {
		const struct web_status_choice *c = &web_status_choices[i];

		if (!ar->can[c->action])
			continue;
		json_array_append_new(opts,
		    ctx_pack("{s:s, s:s, s:b}", "value", c->value, "label",
		        web_t(rq, c->label_key), "selected",
		        str_eq(sent, c->value)));
	}
	field = ctx_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:s, s:b}", "key",
	    STATUS_COMMENT_FIELD, "id", "f-status-comment", "label",
	    web_t(rq, "agent_status_comment"), "help",
	    web_t(rq, "agent_status_comment_help"), "optional", 1, "required",
	    0, "value",
	    st->status_failed ? web_kept(rq, STATUS_COMMENT_FIELD) : "",
	    "is_richtext", 1);
	if (field != NULL && st->status_failed && st->status_err.key != NULL &&
	    str_eq(st->status_err.field, STATUS_COMMENT_FIELD))
		json_object_set_new(field, "error",
		    json_string(http_error_text(rq, &st->status_err)));
	return ctx_pack("{s:s, s:o, s:b, s:o, s:o}", "action",
	    agent_sub_href(rq, ar->view, "status"), "options", opts,
	    "has_options", json_array_size(opts) > 0, "comment", field,
	    "original", original_json(rq, st));
}

/* The snippets the reply form offers, each with its text filled for
 * this request (the script inserts it at the cursor; without script the
 * form sends the choice and the page comes back with it inserted). */
static json_t *
snippets_json(struct req *rq, const struct agent_request *ar,
    const struct agent_state *st)
{
	struct snippet *list;
	const char *text, *id;
	json_t *opts = json_array();
	size_t i, n = 0;

	if (core_snippets_list(&rq->ctx, rq->user, &list, &n) != ZEK_OK)
		n = 0;
	for (i = 0; opts != NULL && i < n; i++) {
		if (core_snippet_fill(&rq->ctx, rq->user, &list[i], ar->view,
		        &text) != ZEK_OK)
			continue;
		id = arena_printf(rq->arena, "%" PRId64, list[i].id);
		json_array_append_new(opts,
		    ctx_pack("{s:s?, s:s, s:s, s:b}", "value", id, "label",
		        list[i].title, "text", text, "selected",
		        list[i].id == st->snippet_id));
	}
	return opts;
}

/* "Antworten" / "Interne Notiz" with attachments and snippets. */
static json_t *
reply_json(struct req *rq, const struct agent_request *ar,
    const struct agent_state *st)
{
	const char *text = st->reply_text;
	json_t *form, *snippets;

	if (text == NULL)
		text = st->reply_failed ? web_kept(rq, WEB_COMMENT_FIELD) : "";
	snippets = snippets_json(rq, ar, st);
	form = ctx_pack("{s:s, s:b, s:o, s:b}", "action",
	    agent_sub_href(rq, ar->view, "comment"), "internal",
	    st->reply_failed && st->reply_internal, "snippets", snippets,
	    "has_snippets", json_array_size(snippets) > 0);
	if (form == NULL ||
	    web_comment_form_fields(rq, form, web_t(rq, "agent_reply_text"),
	        NULL, text, st->kept, st->nkept, st->errs,
	        st->nerrs) != ZEK_OK) {
		json_decref(form);
		return NULL;
	}
	return form;
}

/* One goal as the side panel tells it, in words (not colour alone):
 * met or breached for a finished cycle; running with the time left and
 * when it ends, paused, or breached for the ongoing one. */
static json_t *
goal_json(struct req *rq, const char *label, const struct sla_result *r)
{
	const struct sla_cycle *c;
	const char *state, *text;
	int64_t left;

	if (r->has_ongoing) {
		c = &r->ongoing;
		left = c->goal_ms - c->elapsed_ms;
		state = c->breached       ? "breached" :
		    c->paused             ? "paused" :
		    left * 4 < c->goal_ms ? "warning" :
		                            "running";
		text = c->breached ?
		    http_fmt1(rq, "sla_breached_by", "time",
		        web_duration_text(rq, -left)) :
		    c->paused ?
		    http_fmt1(rq, "sla_paused", "time",
		        web_duration_text(rq, left)) :
		    http_fmt(rq, "sla_running",
		        (const char *[]){ "time", "at" },
		        (const char *[]){ web_duration_text(rq, left),
		            web_time_text(rq, c->breach_at) },
		        2);
	} else if (r->ncompleted > 0) {
		c = &r->completed[r->ncompleted - 1];
		state = c->breached ? "breached" : "met";
		text = http_fmt1(rq, c->breached ? "sla_missed" : "sla_met",
		    "time", web_duration_text(rq, c->elapsed_ms));
	} else {
		return NULL;
	}
	return ctx_pack("{s:s, s:s, s:s, s:s}", "label", label, "state", state,
	    "state_text",
	    web_t(rq, arena_printf(rq->arena, "sla_state_%s", state)), "text",
	    text);
}

/* The request's service-level goals, when its type has any, from the log
 * the page's activity was made of. */
static json_t *
goals_json(struct req *rq, const struct request_view *v,
    const struct activity_log *log)
{
	struct request_sla sla;
	json_t *arr = json_array(), *g;

	if (arr == NULL ||
	    core_request_sla_of_log(&rq->ctx, rq->user, v, log, &sla) != ZEK_OK)
		return arr;
	if (sla.has_response &&
	    (g = goal_json(rq, web_t(rq, "sla_first_response"),
	         &sla.response)) != NULL)
		json_array_append_new(arr, g);
	if (sla.has_resolution &&
	    (g = goal_json(rq, web_t(rq, "sla_resolution"), &sla.resolution)) !=
	        NULL)
		json_array_append_new(arr, g);
	return arr;
}

/* The side panel's "Zufriedenheit" of a closed request that may be
 * rated: the rating, or that there is none yet; NULL otherwise. */
static json_t *
rating_json(struct req *rq, const struct request_view *v)
{
	struct rating_view rv;

	if (!core_rating_possible(v->status, v->resolution) ||
	    core_rating_of_view(&rq->ctx, rq->user, v, &rv) != ZEK_OK)
		return NULL;
	if (!rv.has_rating)
		return ctx_pack("{s:b}", "none", 1);
	return web_rating_given_json(rq, &rv.rating, rv.changeable);
}

/* "Geteilt mit" with its forms, as the customer's page has it
 * (partials/request-sharing), posting to the agent's addresses. */
static void
sharing_json(struct req *rq, const struct request_view *v,
    const struct agent_state *st, json_t *page)
{
	const char *base = agent_href(rq, v);
	struct request_abilities ab;
	json_t *r = json_object_get(page, "request");

	if (r == NULL ||
	    core_request_abilities(&rq->ctx, rq->user, v, &ab) != ZEK_OK)
		return;
	json_object_set_new(r, "shared_with",
	    web_shared_with_json(rq, v, &ab, base));
	if (!str_empty(v->shared_org_name))
		json_object_set_new(r, "org_label",
		    json_string(v->shared_org_name));
	if (ab.share)
		json_object_set_new(page, "share",
		    web_share_form_json(rq, base, st->share_failed,
		        &st->share_err));
	if (ab.share_org)
		json_object_set_new(page, "share_orgs",
		    web_share_orgs_json(rq, &ab, base));
}

static int
agent_page(struct req *rq, const struct agent_request *ar,
    const struct agent_state *st, unsigned status)
{
	const struct request_view *v = ar->view;
	json_t *page, *activity, *goals;
	struct activity_log log;

	page = web_page_ctx(rq, "agent_request_title");
	if (page == NULL)
		return ZEK_NOMEM;
	json_object_set_new(page, "title",
	    json_string(arena_printf(rq->arena, "%s: %s", v->key, v->title)));
	json_object_set_new(page, "request", request_json(rq, ar));
	json_object_set_new(page, "people", people_json(rq, ar));
	sharing_json(rq, v, st, page);
	if (ar->view->assignee.id != 0)
		json_object_set_new(page, "assignee_name",
		    json_string(ar->view->assignee.name));
	json_object_set_new(page, "assign", assign_json(rq, ar));
	/* The activity first: the goals are worked out from its log. */
	activity = web_activity_json(rq, v, &log);
	goals = goals_json(rq, v, &log);
	json_object_set_new(page, "has_goals",
	    json_boolean(json_array_size(goals) > 0));
	json_object_set_new(page, "goals", goals);
	json_object_set_new(page, "closed",
	    json_boolean(!status_is_open(v->status)));
	json_object_set_new(page, "rating", rating_json(rq, v));
	json_object_set_new(page, "links", links_json(rq, ar, st));
	if (status_is_open(v->status)) {
		json_object_set_new(page, "status_form",
		    status_json(rq, ar, st));
		json_object_set_new(page, "reply", reply_json(rq, ar, st));
	}
	json_object_set_new(page, "has_activity",
	    json_boolean(json_array_size(activity) > 0));
	json_object_set_new(page, "activity", activity);
	if (st->alert != NULL)
		json_object_set_new(page, "page_alert", json_string(st->alert));
	if (st->notice != NULL)
		json_object_set_new(page, "notice", json_string(st->notice));
	json_object_set_new(page, "back_href", json_string(WEB_AGENT));
	web_breadcrumb(rq, page, web_t(rq, "agent_area"), WEB_AGENT);
	web_breadcrumb(rq, page, v->key, NULL);
	return web_render(rq, status, "agent/request", page);
}

/* The request of the route; as every agent route, not found for anybody
 * but staff. */
static int
load(struct req *rq, struct agent_request **ar)
{
	int rc = core_agent_request_get(&rq->ctx, rq->user,
	    req_param_str(rq, "key"), rq->lang, ar);

	return rc == ZEK_FORBIDDEN ? ZEK_NOTFOUND : rc;
}

/* The page again after a refused form, with the reason on top. */
static int
refused(struct req *rq, int rc)
{
	struct agent_state st = { 0 };
	struct agent_request *ar;

	switch (rc) {
	case ZEK_CONFLICT:
		st.alert = web_t(rq, "agent_err_not_now");
		break;
	case ZEK_FORBIDDEN:
		st.alert = web_t(rq, "err_not_allowed");
		break;
	case ZEK_INVALID:
		st.alert = web_t(rq, "agent_err_invalid");
		break;
	default:
		return web_fail(rq, http_status_of(rc), rc);
	}
	if (load(rq, &ar) != ZEK_OK)
		return web_fail(rq, 404, ZEK_NOTFOUND);
	return agent_page(rq, ar, &st,
	    rc == ZEK_INVALID ? 400 : http_status_of(rc));
}

static int
back_to(struct req *rq, const struct request_view *v, const char *anchor)
{
	return http_redirect(rq, 303,
	    arena_printf(rq->arena, "%s%s", agent_href(rq, v), anchor));
}

/* A reply kept when the session was gone (web/keep.c), shown in the
 * reply form as after a refused try, while the request takes replies. */
static int
kept_reply(struct req *rq, const struct request_view *v, struct agent_state *st)
{
	struct web_restore kept;
	struct web_uploads up;
	int rc;

	if (req_cookie(rq, WEB_KEPT_COOKIE) == NULL ||
	    !status_is_open(v->status))
		return ZEK_OK;
	rc = web_kept_comment(rq, &kept, &up, &st->errs, &st->nerrs);
	if (rc != ZEK_OK || !kept.restored)
		return rc;
	st->reply_failed = true;
	st->reply_internal = str_eq(req_form(rq, "visibility"), "internal");
	st->notice = kept.notice;
	st->kept = up.kept;
	st->nkept = up.nkept;
	return ZEK_OK;
}

/* GET /servicedesk/agent/requests/{key} */
int
web_agent_request(struct req *rq)
{
	struct agent_state st = { 0 };
	struct agent_request *ar;
	int rc;

	rc = load(rq, &ar);
	if (rc != ZEK_OK)
		return web_fail(rq, http_status_of(rc), rc);
	if (!str_eq(req_param_str(rq, "key"), ar->view->key))
		return http_redirect(rq, 301, agent_href(rq, ar->view));
	rc = kept_reply(rq, ar->view, &st);
	if (rc != ZEK_OK)
		return rc;
	return agent_page(rq, ar, &st, 200);
}

/* POST .../{key}/assign: assignee = a user id, "me", or "" for nobody. */
int
web_agent_assign(struct req *rq)
{
	const char *who = req_form(rq, "assignee");
	struct agent_request *ar;
	int64_t id = 0;
	int rc;

	rc = load(rq, &ar);
	if (rc != ZEK_OK)
		return web_fail(rq, http_status_of(rc), rc);
	if (str_eq(who, "me"))
		id = rq->user->id;
	else if (who == NULL ||
	    (!str_empty(who) && str_to_i64(who, 1, INT64_MAX, &id) != 0))
		return web_fail(rq, 400, ZEK_INVALID);
	rc = core_request_assign(&rq->ctx, rq->user, ar->view->id, id);
	if (rc != ZEK_OK)
		return refused(rq, rc);
	return back_to(rq, ar->view, "#work");
}

/* POST .../{key}/status: action = one of web_status_choices, optional comment
 * (public, written with the change). */
int
web_agent_status(struct req *rq)
{
	const char *value = req_form(rq, "action");
	const char *original = req_form(rq, LINK_ORIGINAL_FIELD);
	const struct web_status_choice *c = web_status_choice(value);
	struct agent_state st = { .status_failed = true };
	struct agent_request *ar;
	int rc;

	rc = load(rq, &ar);
	if (rc != ZEK_OK)
		return web_fail(rq, http_status_of(rc), rc);
	/* A key is text: refused, not ignored, whatever the action (a NUL
	 * arrives as invalid UTF-8). */
	if (c == NULL ||
	    (original != NULL && !utf8_valid(original, strlen(original))))
		return web_fail(rq, 400, ZEK_INVALID);
	if (c->resolution == RESOLUTION_DUPLIKAT)
		rc = core_close_duplicate(&rq->ctx, rq->user, ar->view->id,
		    original, req_form(rq, STATUS_COMMENT_FIELD),
		    &st.status_err);
	else
		rc = core_transition(&rq->ctx, rq->user, ar->view->id,
		    c->action, c->resolution,
		    req_form(rq, STATUS_COMMENT_FIELD), &st.status_err);
	if (rc == ZEK_OK)
		return back_to(rq, ar->view, "#work");
	if (rc == ZEK_INVALID && st.status_err.key != NULL) {
		/* The comment's checks name core's field "comment". */
		if (!str_eq(st.status_err.field, LINK_ORIGINAL_FIELD))
			st.status_err.field = STATUS_COMMENT_FIELD;
		return agent_page(rq, ar, &st, 422);
	}
	return refused(rq, rc);
}

/* POST .../{key}/links: kind (a link_kind code) and the other's key. */
int
web_agent_link_add(struct req *rq)
{
	struct agent_state st = { .link_failed = true };
	struct agent_request *ar;
	enum link_kind kind;
	int rc;

	rc = load(rq, &ar);
	if (rc != ZEK_OK)
		return web_fail(rq, http_status_of(rc), rc);
	if (!link_kind_from_code(req_form(rq, "kind"), &kind))
		return web_fail(rq, 400, ZEK_INVALID);
	rc = core_link_add(&rq->ctx, rq->user, ar->view->id, kind,
	    req_form(rq, LINK_KEY_FIELD), &st.link_err);
	if (rc == ZEK_OK)
		return back_to(rq, ar->view, "#links");
	if (rc == ZEK_INVALID && st.link_err.key != NULL)
		return agent_page(rq, ar, &st, 422);
	return refused(rq, rc);
}

/* POST .../{key}/links/remove: other = the linked request's key. */
int
web_agent_link_remove(struct req *rq)
{
	struct agent_request *ar;
	const struct request_link *l = NULL;
	size_t i;
	int rc;

	rc = load(rq, &ar);
	if (rc != ZEK_OK)
		return web_fail(rq, http_status_of(rc), rc);
	for (i = 0; i < ar->nlinks; i++)
		if (str_eq(ar->links[i].other_key, req_form(rq, "other")))
			l = &ar->links[i];
	if (l == NULL)
		return web_fail(rq, 400, ZEK_INVALID);
	rc = core_link_remove(&rq->ctx, rq->user, ar->view->id, l->other_id);
	if (rc == ZEK_OK)
		return back_to(rq, ar->view, "#links");
	return refused(rq, rc);
}

/* POST .../{key}/participants (who), .../participants/remove (user),
 * .../organisation (org): "Geteilt mit", as on the customer's page. */
static int
sharing_post(struct req *rq, enum web_sharing_op op)
{
	struct agent_state st = { 0 };
	struct agent_request *ar;
	bool left;
	int rc;

	rc = load(rq, &ar);
	if (rc != ZEK_OK)
		return web_fail(rq, http_status_of(rc), rc);
	rc = web_sharing_post(rq, ar->view->id, op, &st.share_err, &left);
	/* Removed already (a second click): the page shows it. */
	if (rc == ZEK_OK || (op == WEB_SHARE_REMOVE && rc == ZEK_NOTFOUND))
		return back_to(rq, ar->view, "#shared-heading");
	if (rc == ZEK_INVALID && op == WEB_SHARE_ADD) {
		st.share_failed = true;
		return agent_page(rq, ar, &st, 422);
	}
	if (rc == ZEK_INVALID)
		return web_fail(rq, 400, rc);
	return refused(rq, rc);
}

int
web_agent_share(struct req *rq)
{
	return sharing_post(rq, WEB_SHARE_ADD);
}

int
web_agent_unshare(struct req *rq)
{
	return sharing_post(rq, WEB_SHARE_REMOVE);
}

int
web_agent_share_org(struct req *rq)
{
	return sharing_post(rq, WEB_SHARE_ORG);
}

/* "Einfügen" without script: the reply form again, what was typed
 * (and its files) kept, the chosen snippet filled in after it. */
static int
insert_snippet(struct req *rq, const struct agent_request *ar,
    struct agent_state *st)
{
	const char *typed = req_form(rq, WEB_COMMENT_FIELD);
	int64_t id = 0;
	int rc;

	if (typed == NULL || !utf8_valid(typed, strlen(typed)))
		typed = "";
	if (str_to_i64(req_form(rq, "snippet"), 1, INT64_MAX, &id) != 0)
		id = 0;
	st->snippet_id = id;
	rc = id == 0 ? ZEK_NOTFOUND :
	               core_snippet_insert(&rq->ctx, rq->user, id, ar->view,
	                   typed, &st->reply_text);
	if (rc == ZEK_NOTFOUND) {
		/* Deleted meanwhile, or none chosen: nothing typed is lost. */
		st->reply_text = typed;
		st->alert = web_t(rq, "snippet_gone");
		return agent_page(rq, ar, st, 422);
	}
	if (rc != ZEK_OK)
		return web_fail(rq, http_status_of(rc), rc);
	return agent_page(rq, ar, st, 200);
}

/* POST .../{key}/comment: multipart; visibility = "public" (a reply to
 * the customer) or "internal" (a note for support only); with "insert"
 * the chosen snippet goes into the text instead of sending it. */
int
web_agent_comment(struct req *rq)
{
	const char *vis = req_form(rq, "visibility");
	struct agent_state st = { .reply_failed = true };
	struct comment_input in = { 0 };
	struct agent_request *ar;
	struct web_uploads up;
	struct field_error *errs;
	size_t nerrs = 0;
	int rc;

	rc = load(rq, &ar);
	if (rc != ZEK_OK)
		return web_fail(rq, http_status_of(rc), rc);
	if (!str_eq(vis, "public") && !str_eq(vis, "internal"))
		return web_fail(rq, 400, ZEK_INVALID);
	st.reply_internal = str_eq(vis, "internal");
	rc = web_comment_uploads(rq, &up);
	if (rc != ZEK_OK)
		return rc;
	st.kept = up.kept;
	st.nkept = up.nkept;
	if (req_form(rq, "insert") != NULL) {
		st.errs = up.errs; /* files refused on the way */
		st.nerrs = up.nerrs;
		return insert_snippet(rq, ar, &st);
	}
	in.body = req_form(rq, WEB_COMMENT_FIELD);
	in.is_public = !st.reply_internal;
	in.attachment_tokens = up.tokens;
	in.ntokens = up.ntokens;
	in.validate_only = up.nerrs > 0;
	rc = core_comment_add(&rq->ctx, rq->user, ar->view->id, &in, &errs,
	    &nerrs, NULL);
	if (rc == ZEK_OK && up.nerrs == 0)
		return back_to(rq, ar->view, "#activity");
	if (rc != ZEK_OK && rc != ZEK_INVALID)
		return refused(rq, rc);
	rc = web_comment_errors(rq, &up, errs, nerrs, &st.errs, &st.nerrs);
	if (rc != ZEK_OK)
		return rc;
	return agent_page(rq, ar, &st,
	    http_status_of_errors(st.errs, st.nerrs, 422));
}
