/* request.c: the customer's page of one request, what can be done there
 * (comment, notifications, sharing, withdrawing, answering a solution), and
 * its attachments; the parts the agent's view shows too are in
 * request_shared.c. */
#include "web/web.h"

#include <stdio.h>
#include <string.h>

#include "core/activity.h"
#include "core/attachments.h"
#include "core/portal.h"
#include "core/rating.h"
#include "core/requests.h"
#include "core/sharing.h"
#include "core/validate.h"
#include "core/workflow.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "render/i18n.h"
#include "render/markdown.h"
#include "render/time.h"

/* What the page shows besides the request itself: a failed form, a note. */
struct page_state {
	struct field_error *errs; /* the comment form's problems */
	size_t nerrs;
	struct attachment_info *kept; /* uploads of a failed comment */
	size_t nkept;
	bool comment_failed;          /* show the sent text again */
	struct field_error share_err; /* the share form's problem */
	bool share_failed;
	const struct field_error *rating_err; /* the rating form's problem */
	const char *alert;                    /* a message for the whole page */
	const char *notice;                   /* a kept comment shown again */
};

/* "/servicedesk/customer/portal/17/ZEK-12" */
static const char *
request_href(struct req *rq, const struct request_view *v)
{
	return core_request_path(rq->arena, v->portal_id, v->key);
}

static const char *
sub_href(struct req *rq, const struct request_view *v, const char *tail)
{
	const char *href = request_href(rq, v);

	return href != NULL ? arena_printf(rq->arena, "%s/%s", href, tail) :
	                      NULL;
}

/* "Anna Schmidt für Ben Weber" when one raised it for the other, else
 * NULL. */
static const char *
raised_for(struct req *rq, const struct request_view *v)
{
	static const char *const names[] = { "creator", "reporter" };
	const char *values[] = { v->creator.name, v->reporter.name };

	if (v->creator.id == v->reporter.id)
		return NULL;
	return http_fmt(rq, "raised_for", names, values, 2);
}

static json_t *
request_json(struct req *rq, const struct request_view *v,
    const struct request_abilities *ab)
{
	json_t *fields = web_request_fields_json(rq, v);

	return ctx_pack(
	    "{s:s, s:s, s:s, s:s, s:s?, s:s, s:s, s:s, s:s?, s:o, s:o, s:b, s:o, s:s?}",
	    "key", v->key, "title", v->title, "status_label", v->status_label,
	    "status_class", v->status_code, "resolution_label",
	    str_empty(v->resolution_label) ? NULL : v->resolution_label,
	    "type_name", v->type_name, "created_text",
	    web_time_text(rq, v->created_at), "created_iso",
	    web_time_iso(rq, v->created_at), "raised_for", raised_for(rq, v),
	    "fields", fields, "files",
	    web_files_json(rq, v->attachments, v->nattachments),
	    "has_attachments", v->nattachments > 0, "shared_with",
	    web_shared_with_json(rq, v, ab, request_href(rq, v)), "org_label",
	    str_empty(v->shared_org_name) ? NULL : v->shared_org_name);
}

/* The text that came with the newest proposed solution: the public
 * comment its agent wrote in the same step (same moment, same person);
 * NULL when the proposal came without one. e: newest first. */
static const struct activity_entry *
proposal_of(const struct activity_entry *e, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		if (e[i].kind != ACTIVITY_STATUS_CHANGED || !e[i].has_action ||
		    e[i].action != WF_PROPOSE_SOLUTION)
			continue;
		for (k = 0; k < n; k++)
			if (e[k].kind == ACTIVITY_COMMENT && e[k].is_public &&
			    e[k].created_at == e[i].created_at &&
			    e[k].actor.id == e[i].actor.id)
				return &e[k];
		return NULL;
	}
	return NULL;
}

/* ---- the forms ---- */

/* The sent comment text, if it is text we may show again. */
static const char *
kept_text(struct req *rq, const struct page_state *st)
{
	return st->comment_failed ? web_kept(rq, WEB_COMMENT_FIELD) : "";
}

static json_t *
comment_json(struct req *rq, const struct request_view *v,
    const struct page_state *st)
{
	json_t *form;

	form = ctx_pack("{s:s, s:s, s:b}", "action", sub_href(rq, v, "comment"),
	    "cancel_href", request_href(rq, v), "open", st->comment_failed);
	if (form == NULL ||
	    web_comment_form_fields(rq, form, web_t(rq, "comment_label"),
	        web_t(rq, "comment_open"), kept_text(rq, st), st->kept,
	        st->nkept, st->errs, st->nerrs) != ZEK_OK) {
		json_decref(form);
		return NULL;
	}
	return form;
}

static json_t *
notify_json(struct req *rq, const struct request_view *v)
{
	bool muted = v->notify_muted;

	return ctx_pack("{s:s, s:s, s:s, s:s, s:b}", "action",
	    sub_href(rq, v, "notifications"), "value", muted ? "0" : "1",
	    "label", web_t(rq, muted ? "notify_unmute" : "notify_mute"),
	    "state", web_t(rq, muted ? "notify_state_off" : "notify_state_on"),
	    "muted", muted);
}

/* When the waiting solution closes the request by itself: auto_close_days
 * after the status was set (the rule of the auto-close job), in the
 * viewer's zone; NULL when nothing closes it. */
static const char *
auto_close_note(struct req *rq, const struct request_view *v)
{
	static const char *const names[] = { "when", "days" };
	const char *values[2];
	char days[24];
	int64_t at;

	if ((at = core_auto_close_at(&rq->ctx, v->status_since)) == 0)
		return NULL;
	snprintf(days, sizeof(days), "%lld",
	    (long long)rq->app->cfg.auto_close_days);
	values[0] = web_time_text(rq, at);
	values[1] = days;
	return http_fmt(rq, "solution_auto_close_note", names, values, 2);
}

/* "Lösung annehmen" / "Lösung ablehnen" while a proposed solution waits,
 * with the proposal's own text when it came with one. */
static json_t *
solution_json(struct req *rq, const struct request_view *v,
    const struct request_abilities *ab, const struct activity_entry *prop)
{
	json_t *j = ctx_pack("{s:s?, s:s?, s:s?}", "accept_href",
	    ab->accept_solution ? sub_href(rq, v, "solution/accept") : NULL,
	    "reject_href",
	    ab->reject_solution ? sub_href(rq, v, "solution/reject") : NULL,
	    "auto_close_note", auto_close_note(rq, v));
	const char *html;

	if (j == NULL || prop == NULL)
		return j;
	html = markdown_to_arena(rq->arena, prop->body);
	json_object_set_new(j, "proposal",
	    ctx_pack("{s:s?, s:s?, s:s, s:s, "
	             "s:s}",
	        "html", html, "plain", html == NULL ? prop->body : NULL,
	        "author", prop->actor.name, "time_text",
	        web_time_text(rq, prop->created_at), "time_iso",
	        web_time_iso(rq, prop->created_at)));
	return j;
}

/* Renders the request page: the request, its activity and the forms the
 * user may use, with whatever a failed submission left in `st`. */
static int
request_page(struct req *rq, const struct request_view *v,
    const struct page_state *st, unsigned status)
{
	struct request_abilities ab;
	struct activity_entry *e = NULL;
	struct rating_view rv;
	json_t *page, *activity;
	size_t ne = 0;
	int rc;

	rc = core_request_abilities(&rq->ctx, rq->user, v, &ab);
	if (rc != ZEK_OK)
		return web_fail(rq, http_status_of(rc), rc);
	page = web_page_ctx(rq, "page_request");
	if (page == NULL)
		return ZEK_NOMEM;
	json_object_set_new(page, "title",
	    json_string(arena_printf(rq->arena, "%s: %s", v->key, v->title)));
	json_object_set_new(page, "request", request_json(rq, v, &ab));
	/* Rendered with nothing written since v was read (after a write
	 * the page redirects): the view's files serve the activity. */
	if (core_activity_of_page(&rq->ctx, rq->user, v, &e, &ne, NULL) !=
	    ZEK_OK)
		ne = 0;
	activity = web_activity_entries_json(rq, e, ne);
	json_object_set_new(page, "has_activity",
	    json_boolean(json_array_size(activity) > 0));
	json_object_set_new(page, "activity", activity);
	json_object_set_new(page, "notify", notify_json(rq, v));
	json_object_set_new(page, "closed", json_boolean(ab.closed));
	if (ab.comment)
		json_object_set_new(page, "comment", comment_json(rq, v, st));
	if (ab.share)
		json_object_set_new(page, "share",
		    web_share_form_json(rq, request_href(rq, v),
		        st->share_failed, &st->share_err));
	if (ab.share_org)
		json_object_set_new(page, "share_orgs",
		    web_share_orgs_json(rq, &ab, request_href(rq, v)));
	if (ab.withdraw)
		json_object_set_new(page, "withdraw_href",
		    json_string(sub_href(rq, v, "withdraw")));
	if (ab.accept_solution || ab.reject_solution)
		json_object_set_new(page, "solution",
		    solution_json(rq, v, &ab, proposal_of(e, ne)));
	if (core_rating_of_view(&rq->ctx, rq->user, v, &rv) == ZEK_OK)
		json_object_set_new(page, "rating",
		    web_rating_panel_json(rq, &rv, sub_href(rq, v, "rating"),
		        st->rating_err));
	if (st->alert != NULL)
		json_object_set_new(page, "page_alert", json_string(st->alert));
	if (st->notice != NULL)
		json_object_set_new(page, "notice", json_string(st->notice));
	web_breadcrumb(rq, page, web_t(rq, "page_portals"), WEB_HOME);
	web_breadcrumb(rq, page, v->desk_name,
	    core_portal_path(rq->arena, v->portal_id));
	web_breadcrumb(rq, page, v->key, NULL);
	return web_render(rq, status, "request", page);
}

/* The request of a page or form URL; ZEK_NOTFOUND also for a portal id
 * that is not the request's. */
static int
load(struct req *rq, struct request_view **v)
{
	int64_t pid;
	int rc;

	if (!req_param_i64(rq, "pid", &pid))
		return ZEK_NOTFOUND;
	rc = core_request_get(&rq->ctx, rq->user, req_param_str(rq, "key"),
	    rq->lang, v);
	if (rc == ZEK_OK && pid != (*v)->portal_id)
		rc = ZEK_NOTFOUND;
	return rc;
}

/* After a form was refused: the page again (as it is now), with a message
 * that says why, or the error page when the request cannot be shown. */
static int
refused(struct req *rq, int rc)
{
	struct page_state st = { 0 };
	struct request_view *v;

	if (rc != ZEK_CONFLICT && rc != ZEK_FORBIDDEN)
		return web_fail(rq, http_status_of(rc), rc);
	if (load(rq, &v) != ZEK_OK)
		return web_fail(rq, 404, ZEK_NOTFOUND);
	/* A conflict on an open request is "not now" (no solution waits,
	 * shared already), not "closed". */
	if (rc == ZEK_FORBIDDEN)
		st.alert = web_t(rq, "err_not_allowed");
	else
		st.alert = web_t(rq,
		    status_is_open(v->status) ? "agent_err_not_now" :
		                                "err_request_closed");
	return request_page(rq, v, &st, http_status_of(rc));
}

/* A refused rating: the change period is over (the page says until when
 * it was), or rating is not this viewer's to do here. */
static int
rating_refused(struct req *rq, const struct request_view *v, int rc)
{
	struct page_state st = { 0 };

	if (rc != ZEK_CONFLICT && rc != ZEK_FORBIDDEN)
		return web_fail(rq, http_status_of(rc), rc);
	st.alert = web_t(rq,
	    core_rating_possible(v->status, v->resolution) &&
	            rc == ZEK_CONFLICT ?
	        "rating_err_final" :
	        "rating_err_not_possible");
	return request_page(rq, v, &st, http_status_of(rc));
}

static int
back_to(struct req *rq, const struct request_view *v, const char *anchor)
{
	const char *href = request_href(rq, v);

	return http_redirect(rq, 303,
	    href == NULL ? NULL :
	                   arena_printf(rq->arena, "%s%s", href, anchor));
}

/* A comment kept when the session was gone (web/keep.c), shown in the
 * open comment form as after a refused try: only while the user may
 * comment here. */
static int
kept_comment(struct req *rq, const struct request_view *v,
    struct page_state *st)
{
	struct request_abilities ab;
	struct web_restore kept;
	struct web_uploads up;
	int rc;

	if (req_cookie(rq, WEB_KEPT_COOKIE) == NULL)
		return ZEK_OK;
	rc = core_request_abilities(&rq->ctx, rq->user, v, &ab);
	if (rc != ZEK_OK || !ab.comment)
		return rc;
	rc = web_kept_comment(rq, &kept, &up, &st->errs, &st->nerrs);
	if (rc != ZEK_OK || !kept.restored)
		return rc;
	st->comment_failed = true;
	st->notice = kept.notice;
	st->kept = up.kept;
	st->nkept = up.nkept;
	return ZEK_OK;
}

/* GET /servicedesk/customer/portal/{portalId}/{issueKey} */
int
web_request_show(struct req *rq)
{
	struct page_state st = { 0 };
	struct request_view *v;
	int64_t pid;
	int rc;

	if (!req_param_i64(rq, "pid", &pid))
		return web_fail(rq, 404, ZEK_NOTFOUND);
	rc = core_request_get(&rq->ctx, rq->user, req_param_str(rq, "key"),
	    rq->lang, &v);
	if (rc != ZEK_OK)
		return web_fail(rq, http_status_of(rc),
		    rc); /* hidden = not found */
	if (pid != v->portal_id || !str_eq(req_param_str(rq, "key"), v->key))
		return http_redirect(rq, 301, request_href(rq, v));
	rc = kept_comment(rq, v, &st);
	if (rc != ZEK_OK)
		return rc;
	return request_page(rq, v, &st, 200);
}

/* POST .../{issueKey}/comment: "Hinzufügen". */
int
web_request_comment(struct req *rq)
{
	struct page_state st = { .comment_failed = true };
	struct comment_input in = { .is_public = true };
	struct web_uploads up;
	struct request_view *v;
	struct field_error *errs;
	size_t nerrs = 0;
	int rc;

	rc = load(rq, &v);
	if (rc != ZEK_OK)
		return web_fail(rq, http_status_of(rc), rc);
	rc = web_comment_uploads(rq, &up);
	if (rc != ZEK_OK)
		return rc;
	st.kept = up.kept;
	st.nkept = up.nkept;
	in.body = req_form(rq, WEB_COMMENT_FIELD);
	in.attachment_tokens = up.tokens;
	in.ntokens = up.ntokens;
	in.validate_only = up.nerrs > 0;
	rc = core_comment_add(&rq->ctx, rq->user, v->id, &in, &errs, &nerrs,
	    NULL);
	if (rc == ZEK_OK && up.nerrs == 0)
		return back_to(rq, v, "#activity");
	if (rc != ZEK_OK && rc != ZEK_INVALID)
		return refused(rq, rc);
	/* The text's problem first, then the files'. */
	rc = web_comment_errors(rq, &up, errs, nerrs, &st.errs, &st.nerrs);
	if (rc != ZEK_OK)
		return rc;
	return request_page(rq, v, &st,
	    http_status_of_errors(st.errs, st.nerrs, 422));
}

/* POST .../{issueKey}/notifications: muted=1 turns them off, 0 on. */
int
web_request_notify(struct req *rq)
{
	const char *muted = req_form(rq, "muted");
	struct request_view *v;
	int rc;

	rc = load(rq, &v);
	if (rc != ZEK_OK)
		return web_fail(rq, http_status_of(rc), rc);
	if (!str_eq(muted, "1") && !str_eq(muted, "0"))
		return web_fail(rq, 400, ZEK_INVALID);
	rc = core_request_notify_set(&rq->ctx, rq->user, v->id,
	    str_eq(muted, "1"));
	if (rc != ZEK_OK)
		return refused(rq, rc);
	return back_to(rq, v, "");
}

/* POST .../{issueKey}/participants (who: "Teilen" with an e-mail address
 * or a name), .../participants/remove (user) and .../organisation (org:
 * "Mit meiner Organisation teilen"): "Geteilt mit", as on the agent's
 * page. */
static int
sharing_post(struct req *rq, enum web_sharing_op op)
{
	struct page_state st = { 0 };
	struct request_view *v;
	bool left;
	int rc;

	rc = load(rq, &v);
	if (rc != ZEK_OK)
		return web_fail(rq, http_status_of(rc), rc);
	rc = web_sharing_post(rq, v->id, op, &st.share_err, &left);
	/* Who left cannot see the request any more. */
	if (rc == ZEK_OK && left)
		return http_redirect(rq, 303, WEB_REQUESTS);
	/* Removed already (a second click): the page shows it. */
	if (rc == ZEK_OK || (op == WEB_SHARE_REMOVE && rc == ZEK_NOTFOUND))
		return back_to(rq, v, "#shared-heading");
	if (rc == ZEK_INVALID && op == WEB_SHARE_ADD) {
		st.share_failed = true;
		return request_page(rq, v, &st, 422);
	}
	if (rc == ZEK_INVALID)
		return web_fail(rq, 400, rc);
	return refused(rq, rc);
}

int
web_request_share(struct req *rq)
{
	return sharing_post(rq, WEB_SHARE_ADD);
}

int
web_request_unshare(struct req *rq)
{
	return sharing_post(rq, WEB_SHARE_REMOVE);
}

int
web_request_share_org(struct req *rq)
{
	return sharing_post(rq, WEB_SHARE_ORG);
}

/* GET .../{issueKey}/withdraw: the confirmation step. */
int
web_request_withdraw_form(struct req *rq)
{
	struct request_view *v;
	json_t *page;
	int rc;

	rc = load(rq, &v);
	if (rc != ZEK_OK)
		return web_fail(rq, http_status_of(rc), rc);
	/* The same answer as the change itself would get. */
	rc = core_request_may(&rq->ctx, rq->user, v, WF_WITHDRAW);
	if (rc != ZEK_OK)
		return refused(rq, rc);
	page = web_page_ctx(rq, "page_withdraw");
	if (page == NULL)
		return ZEK_NOMEM;
	json_object_set_new(page, "request",
	    ctx_pack("{s:s, s:s}", "key", v->key, "title", v->title));
	json_object_set_new(page, "form_action",
	    json_string(sub_href(rq, v, "withdraw")));
	json_object_set_new(page, "cancel_href",
	    json_string(request_href(rq, v)));
	web_breadcrumb(rq, page, web_t(rq, "page_portals"), WEB_HOME);
	web_breadcrumb(rq, page, v->desk_name,
	    core_portal_path(rq->arena, v->portal_id));
	web_breadcrumb(rq, page, v->key, request_href(rq, v));
	web_breadcrumb(rq, page, web_t(rq, "page_withdraw"), NULL);
	return web_render(rq, 200, "request-withdraw", page);
}

/* POST .../{issueKey}/withdraw: "Ja, zurückziehen". */
int
web_request_withdraw(struct req *rq)
{
	struct request_view *v;
	int rc;

	rc = load(rq, &v);
	if (rc != ZEK_OK)
		return web_fail(rq, http_status_of(rc), rc);
	rc = core_transition(&rq->ctx, rq->user, v->id, WF_WITHDRAW,
	    RESOLUTION_NONE, NULL, NULL);
	if (rc != ZEK_OK)
		return refused(rq, rc);
	return back_to(rq, v, "");
}

/* POST .../{issueKey}/rating: "Bewertung senden" (a first rating or a
 * change within RATING_CHANGE_DAYS). */
int
web_request_rate(struct req *rq)
{
	struct page_state st = { 0 };
	struct field_error err = { 0 };
	struct request_view *v;
	int rc;

	rc = load(rq, &v);
	if (rc != ZEK_OK)
		return web_fail(rq, http_status_of(rc), rc);
	rc = core_rating_save(&rq->ctx, rq->user, v->id,
	    req_form(rq, RATING_SCORE_FIELD),
	    req_form(rq, RATING_COMMENT_FIELD), &err);
	if (rc == ZEK_OK)
		return back_to(rq, v, "#rating");
	if (rc != ZEK_INVALID || err.key == NULL)
		return rating_refused(rq, v, rc);
	st.rating_err = &err;
	return request_page(rq, v, &st, 422);
}

/* ---- the customer's answer to a proposed solution ---- */

/* One of the two answers, with the texts of its confirmation step. */
struct answer {
	enum wf_action action;
	const char *tail;    /* URL tail of the form */
	const char *heading; /* catalog keys */
	const char *question;
	const char *explain;
	const char *submit;
};

static const struct answer accept_answer = {
	WF_ACCEPT_SOLUTION,
	"solution/accept",
	"solution_accept",
	"solution_accept_question",
	"solution_accept_explain",
	"solution_accept",
};

static const struct answer reject_answer = {
	WF_REJECT_SOLUTION,
	"solution/reject",
	"solution_reject",
	"solution_reject_question",
	"solution_reject_explain",
	"solution_reject",
};

/* The confirmation page with the "Optionaler Kommentar" (kept, with its
 * error, after a refused submission). */
static int
answer_page(struct req *rq, const struct request_view *v,
    const struct answer *an, const struct field_error *err, unsigned status)
{
	const char *text = err != NULL ? req_form(rq, WEB_COMMENT_FIELD) : NULL;
	json_t *page, *field, *errs;

	if (text == NULL || !utf8_valid(text, strlen(text)))
		text = "";
	page = web_page_ctx(rq, an->heading);
	if (page == NULL)
		return ZEK_NOMEM;
	field = ctx_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:s, s:b}", "key",
	    WEB_COMMENT_FIELD, "id", "f-comment", "label",
	    web_t(rq, "solution_comment_label"), "help",
	    web_t(rq, "solution_comment_help"), "optional", 0, "required", 0,
	    "value", text, "is_richtext", 1);
	errs = json_array();
	if (field != NULL && err != NULL) {
		json_object_set_new(field, "error",
		    json_string(http_error_text(rq, err)));
		json_array_append_new(errs,
		    web_summary_item(rq, "f-comment",
		        web_t(rq, "solution_comment_label"), err));
	}
	json_object_set_new(page, "request",
	    ctx_pack("{s:s, s:s}", "key", v->key, "title", v->title));
	json_object_set_new(page, "heading",
	    json_string(web_t(rq, an->heading)));
	json_object_set_new(page, "question",
	    json_string(web_t(rq, an->question)));
	json_object_set_new(page, "explain",
	    json_string(web_t(rq, an->explain)));
	json_object_set_new(page, "submit_label",
	    json_string(web_t(rq, an->submit)));
	json_object_set_new(page, "form_action",
	    json_string(sub_href(rq, v, an->tail)));
	json_object_set_new(page, "cancel_href",
	    json_string(request_href(rq, v)));
	json_object_set_new(page, "comment", field);
	json_object_set_new(page, "has_errors", json_boolean(err != NULL));
	json_object_set_new(page, "errors", errs);
	web_breadcrumb(rq, page, web_t(rq, "page_portals"), WEB_HOME);
	web_breadcrumb(rq, page, v->desk_name,
	    core_portal_path(rq->arena, v->portal_id));
	web_breadcrumb(rq, page, v->key, request_href(rq, v));
	web_breadcrumb(rq, page, web_t(rq, an->heading), NULL);
	return web_render(rq, status, "request-solution", page);
}

static int
answer_form(struct req *rq, const struct answer *an)
{
	struct request_view *v;
	int rc;

	rc = load(rq, &v);
	if (rc != ZEK_OK)
		return web_fail(rq, http_status_of(rc), rc);
	/* Answered already (by a participant, by the job): 409, as the
	 * change itself; not theirs: 403. */
	rc = core_request_may(&rq->ctx, rq->user, v, an->action);
	if (rc != ZEK_OK)
		return refused(rq, rc);
	return answer_page(rq, v, an, NULL, 200);
}

static int
answer_post(struct req *rq, const struct answer *an)
{
	struct field_error err = { 0 };
	struct request_view *v;
	int rc;

	rc = load(rq, &v);
	if (rc != ZEK_OK)
		return web_fail(rq, http_status_of(rc), rc);
	rc = core_transition(&rq->ctx, rq->user, v->id, an->action,
	    RESOLUTION_NONE, req_form(rq, WEB_COMMENT_FIELD), &err);
	if (rc == ZEK_OK)
		return back_to(rq, v, "#activity");
	if (rc == ZEK_INVALID && err.key != NULL)
		return answer_page(rq, v, an, &err, 422);
	return refused(rq, rc);
}

/* GET .../{issueKey}/solution/accept: "Lösung annehmen", the confirmation. */
int
web_request_accept_form(struct req *rq)
{
	return answer_form(rq, &accept_answer);
}

/* POST .../{issueKey}/solution/accept: closes it, Gelöst; the optional
 * comment is kept and reaches the agents. */
int
web_request_accept(struct req *rq)
{
	return answer_post(rq, &accept_answer);
}

/* GET .../{issueKey}/solution/reject: "Lösung ablehnen", the confirmation. */
int
web_request_reject_form(struct req *rq)
{
	return answer_form(rq, &reject_answer);
}

/* POST .../{issueKey}/solution/reject: back to Wartet auf Support, the
 * reason recorded as a comment. */
int
web_request_reject(struct req *rq)
{
	return answer_post(rq, &reject_answer);
}

/* GET /servicedesk/customer/attachments/{id}: the bytes, to whoever may
 * see the request, never interpreted by the browser as a page. */
int
web_attachment(struct req *rq)
{
	struct attachment *a;
	int64_t id;
	bool show_inline;
	int rc;

	if (!req_param_i64(rq, "id", &id))
		return web_fail(rq, 404, ZEK_NOTFOUND);
	rc = core_attachment_get(&rq->ctx, rq->user, id, &a);
	if (rc != ZEK_OK)
		return web_fail(rq, 404, ZEK_NOTFOUND);
	/* ?inline=1 shows an image in the browser, ?inline=0 (or none) saves
	 * it; another value is a mistake, not a yes. */
	show_inline = false;
	if (req_query(rq, "inline") != NULL &&
	    str_to_bool(req_query(rq, "inline"), &show_inline) != 0)
		return web_fail(rq, 400, ZEK_INVALID);
	show_inline = show_inline && a->is_image;
	return http_reply_file(rq, show_inline, a->filename,
	    show_inline ? a->mime : "application/octet-stream", a->data,
	    a->size);
}
