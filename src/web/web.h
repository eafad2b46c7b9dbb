/* web.h: the HTML front door: phases that http/ runs, page helpers, handlers. */
#ifndef ZEK_WEB_H
#define ZEK_WEB_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/http.h"
#include "http/text.h"
#include "render/pack.h"

struct field_error;

#define WEB_SESSION_COOKIE "zek_session"
#define WEB_CSRF_COOKIE "zek_csrf" /* signed-out visitors' form token */
#define WEB_STATIC_PREFIX "/static/v1"
#define WEB_HOME "/servicedesk/customer/portals"
#define WEB_LOGIN "/servicedesk/customer/user/login"
#define WEB_LOGOUT "/servicedesk/customer/user/logout"
#define WEB_REQUESTS "/servicedesk/customer/user/requests"

/* Phases, called by http/server.c in this order. */
int web_begin(struct req *rq);      /* db, session, language, templates */
int web_need_login(struct req *rq); /* answer for a signed-out visitor */
bool web_user_is_agent(struct req *rq);
bool web_csrf_ok(struct req *rq);
/* Answers with the error page for status (after rc); always returns rc or
 * the failure to render. */
int web_fail(struct req *rq, unsigned status, int rc);
/* The same with a message of its own (translated already) instead of the
 * status's; NULL means the status's. */
int web_fail_text(struct req *rq, unsigned status, int rc, const char *message);
/* 413: the form sent the field `name` more than FORM_MAX_VALUES times. */
int web_fail_values(struct req *rq, const char *name);

/* Page helpers (page.c). */
const char *web_t(struct req *rq, const char *key); /* catalog text */
/* The route's placeholder `name` as an id, 0 when it is none: core answers
 * ZEK_NOTFOUND for 0, so a bad id reads as an unknown one. */
int64_t web_param_id(struct req *rq, const char *name);
/* The context every page gets; title_key names the page title. The object
 * is owned by the arena (decref'd when the request ends). NULL on OOM. */
json_t *web_page_ctx(struct req *rq, const char *title_key);
/* Appends a breadcrumb; href NULL for the current page. */
int web_breadcrumb(struct req *rq, json_t *page, const char *label,
    const char *href);
/* Renders template `name` with ctx and replies with it. */
int web_render(struct req *rq, unsigned status, const char *name, json_t *ctx);
/* A time in the viewer's zone and language ("27.11.2026, 16:42"), and as
 * ISO 8601 for <time datetime>; "" when it cannot be formatted. */
const char *web_time_text(struct req *rq, int64_t ms);
/* "3 Std. 20 Min." (sign ignored), for working time in service levels. */
const char *web_duration_text(struct req *rq, int64_t ms);
const char *web_time_iso(struct req *rq, int64_t ms);
/* The zones for a picker as [{code, text, chosen}]: "Standard
 * (Europe/Berlin)" first, then every zone by its offset without daylight
 * saving, UTC among those of +00:00; cur chosen (profile.c). */
json_t *web_zone_options(struct req *rq, const char *cur);
/* Code points of a submitted value shown again at most: more than any
 * field takes (the longest take 32000). */
#define WEB_KEPT_MAX 32768
/* A submitted form value that may be shown again (valid UTF-8, at most
 * WEB_KEPT_MAX code points of it), else "". */
const char *web_kept(struct req *rq, const char *name);
/* The first error of `field` among errs, or NULL. */
const struct field_error *web_error_for(const struct field_error *errs,
    size_t n, const char *field);
/* Minutes of working time as hours, the way the forms take them: "8",
 * "7,5" ("7.5" in English); "" for 0. */
const char *web_hours_value(struct req *rq, int64_t minutes);
/* Gives an attachment field's json the per-file limit ("max_bytes") and
 * the error a too big file is given ("too_big", "{name}" left for the
 * browser), so that zek.js refuses such a file before it is sent. */
int web_attach_limit(struct req *rq, json_t *field);
/* One entry of a form's error summary (partials/error-list): the link to
 * the field's control, the field's label and the message. Every summary
 * names the field: a message alone ("Dieser Wert ist hier nicht möglich")
 * does not say where to look. */
json_t *web_summary_item(struct req *rq, const char *field_id,
    const char *label, const struct field_error *e);
/* A control of a form for partials/profile-error and profile-aria: its
 * id, the text of errs' first error for `field` (if any), the value shown
 * again (may be NULL). */
json_t *web_field_json(struct req *rq, const struct field_error *errs, size_t n,
    const char *field, const char *id, const char *value);
/* Core's field name, the control's id, the label's catalog key. */
struct web_form_field {
	const char *field;
	const char *id;
	const char *label;
};
/* The error summary's items (web_summary_item) of errs, for the fields
 * a form shows. */
json_t *web_summary_json(struct req *rq, const struct field_error *errs,
    size_t n, const struct web_form_field *fields, size_t nfields);
/* Answers csv (render/csv.h) as the download "zek-NAME.csv". */
int web_csv_reply(struct req *rq, const char *name, struct buf *csv);
/* Bytes of one page's URL at most (web_page_href). */
#define WEB_LINK_MAX 4096
/* base?q=...&NAME=VALUE: the same search, another page (q "" or NULL and
 * name NULL leave theirs out); NULL when out of memory or too long. */
const char *web_page_href(struct req *rq, const char *base, const char *q,
    const char *name, const char *value);
/* The search ?q= as shown again: valid text of at most max bytes, else "". */
const char *web_kept_query(struct req *rq, size_t max);

/* Forms kept when the session was gone (keep.c, issue 19). */
#define WEB_KEPT_COOKIE "zek_kept"
/* The answer to a ROUTE_KEEP form sent without a session: keeps the form
 * (core/keep.h) when it came from one of our pages, and sends the browser
 * to sign in, then back to the form's page. */
int web_keep_form(struct req *rq);
/* What the form's page learnt from a kept form. */
struct web_restore {
	bool restored;      /* rq->form holds the kept fields and files */
	const char *notice; /* the message to show with it */
};
/* On a form's page after signing in: takes this browser's kept form of
 * this page (core_form_take) into rq->form, so that the page shows it
 * the way it shows a refused form, and drops the cookie. Nothing kept:
 * out->restored false and ZEK_OK. */
int web_kept_restore(struct req *rq, struct web_restore *out);

/* Handlers: one file per page family. */
int web_root(struct req *rq); /* portal.c */
int web_portals(struct req *rq);
int web_portal(struct req *rq);
int web_login_form(struct req *rq); /* auth.c */
int web_login(struct req *rq);
int web_logout(struct req *rq);
struct session_new;
/* The new session's cookie on the answer, and its user for the rest of
 * the request. */
int web_signed_in(struct req *rq, const struct session_new *s);
/* The page someone lands on after signing in: the only portal when there
 * is one; support staff land in the agent area. */
int web_landing(struct req *rq, const char **out);
int web_forgot_form(struct req *rq); /* account.c */
int web_forgot(struct req *rq);
int web_signup_form(struct req *rq);
int web_signup(struct req *rq);
int web_account_link_form(struct req *rq);
int web_account_link(struct req *rq);
int web_create_form(struct req *rq); /* create.c */
int web_create(struct req *rq);
int web_objects_search(struct req *rq);
int web_markdown_preview(struct req *rq);
int web_request_show(struct req *rq); /* request.c */
int web_attachment(struct req *rq);
int web_request_comment(struct req *rq);
int web_request_notify(struct req *rq);
int web_request_share(struct req *rq);
int web_request_unshare(struct req *rq);
int web_request_share_org(struct req *rq);
/* The same three on the agent's request page (agent_request.c). */
int web_agent_share(struct req *rq);
int web_agent_unshare(struct req *rq);
int web_agent_share_org(struct req *rq);
int web_request_withdraw_form(struct req *rq);
int web_request_withdraw(struct req *rq);
int web_healthz(struct req *rq); /* health.c */
int web_metrics(struct req *rq);
int web_profile(struct req *rq); /* profile.c */
int web_profile_save(struct req *rq);
int web_profile_prefs(struct req *rq);
int web_token_create(struct req *rq);
int web_token_revoke(struct req *rq);
int web_requests(struct req *rq); /* requests.c */

/* The customer's answer to a proposed solution (request.c): confirmation
 * pages and their forms. */
int web_request_accept_form(struct req *rq);
int web_request_accept(struct req *rq);
int web_request_reject_form(struct req *rq);
int web_request_reject(struct req *rq);

/* The satisfaction question (rating.c, issue 18). */
struct rating;
struct rating_view;
int web_request_rate(struct req *rq);     /* request.c */
int web_rating_link_form(struct req *rq); /* rating.c */
int web_rating_link(struct req *rq);
/* "4 – zufrieden" for a score 1..5; "" otherwise. */
const char *web_rating_label(struct req *rq, int score);
/* The form field `name` as a score 1..5; 0 when it is none. */
int web_rating_sent_score(struct req *rq, const char *name);
/* The form of partials/rating-form: `selected` checked (0 = none), the
 * comment shown, err's message next to its control. */
json_t *web_rating_form_json(struct req *rq, const char *action, int selected,
    const char *comment, const struct field_error *err);
/* A given rating: its words, "4 von 5", comment, time, and whether (until
 * when) it may change. */
json_t *web_rating_given_json(struct req *rq, const struct rating *r,
    bool changeable);
/* The request page's panel (given rating, form, "Ändern"), or NULL when
 * the viewer is offered and shown nothing; err: a refused try. */
json_t *web_rating_panel_json(struct req *rq, const struct rating_view *rv,
    const char *action, const struct field_error *err);

struct field;
/* One field of a request type's form (partials/field; create.c): the
 * values shown (what was sent, or what is stored; values[0] is the text
 * of a text field) and its error (NULL: none). An attachment field gets
 * no files: the caller adds them. */
json_t *web_type_field_json(struct req *rq, const struct field *f,
    const char *const *values, size_t n, const struct field_error *e);
/* The values the form sent for `key`, files left out, the first made
 * fit to be shown again (web_kept). */
int web_type_form_values(struct req *rq, const char *key, const char ***out,
    size_t *n);
struct reqtype;
struct field_value;
/* The values sent for each field of t but attachments, as sent (core
 * checks them), into fv (t->nfields entries at least); *nfv of them. */
int web_type_values(struct req *rq, const struct reqtype *t,
    struct field_value *fv, size_t *nfv);

/* ---- the agent area, /servicedesk/agent/ (issue 4) ---- */

#define WEB_AGENT "/servicedesk/agent/"
#define WEB_AGENT_QUEUES "/servicedesk/agent/queues/"
#define WEB_AGENT_REQUESTS "/servicedesk/agent/requests/"

int web_agent_home(struct req *rq); /* agent_queues.c */
int web_agent_queue(struct req *rq);
int web_agent_queue_export(struct req *rq);
int web_agent_bulk(struct req *rq);    /* agent_bulk.c */
int web_agent_request(struct req *rq); /* agent_request.c */
int web_agent_assign(struct req *rq);
int web_agent_status(struct req *rq);
int web_agent_comment(struct req *rq);
int web_agent_link_add(struct req *rq);
int web_agent_link_remove(struct req *rq);
int web_agent_edit_form(struct req *rq); /* agent_edit.c */
int web_agent_edit(struct req *rq);
int web_agent_customers(struct req *rq); /* agent_people.c */
int web_agent_invite(struct req *rq);
int web_agent_customer_deactivate(struct req *rq);
int web_agent_customer_reactivate(struct req *rq);
int web_agent_customer_reset(struct req *rq);
int web_agent_orgs(struct req *rq);
int web_agent_org_create(struct req *rq);
int web_agent_org(struct req *rq);
int web_agent_org_rename(struct req *rq);
int web_agent_org_member_add(struct req *rq);
int web_agent_org_member_remove(struct req *rq);
int web_agent_team(struct req *rq);
int web_agent_team_role(struct req *rq);
int web_agent_audit(struct req *rq);
int web_agent_people_search(struct req *rq); /* create.c */
int web_agent_reports(struct req *rq);       /* agent_reports.c */
int web_agent_report_csv(struct req *rq);
int web_agent_snippets(struct req *rq); /* agent_snippets.c */
int web_agent_snippet_add(struct req *rq);
int web_agent_snippet(struct req *rq);
int web_agent_snippet_save(struct req *rq);
int web_agent_snippet_delete(struct req *rq);

/* ---- the admin area, /servicedesk/admin/ (issue 16; admin.c,
 * admin_types.c) ---- */

#define WEB_ADMIN "/servicedesk/admin/"

int web_admin_home(struct req *rq);
int web_admin_help_center(struct req *rq);
int web_admin_help_center_save(struct req *rq);
int web_admin_desk(struct req *rq);
int web_admin_desk_save(struct req *rq);
int web_admin_history(struct req *rq);
int web_admin_catalogue(struct req *rq);
int web_admin_object_add(struct req *rq);
int web_admin_object_change(struct req *rq);
int web_admin_objects_import(struct req *rq);
/* Export and import of the configuration (admin_config.c). */
int web_admin_config(struct req *rq);
int web_admin_config_export(struct req *rq);
int web_admin_config_preview(struct req *rq);
int web_admin_config_apply(struct req *rq);
/* Received e-mail (admin_mail.c). */
int web_admin_mail(struct req *rq);
int web_admin_mail_show(struct req *rq);
int web_admin_mail_raw(struct req *rq);
int web_admin_mail_retry(struct req *rq);
int web_admin_mail_discard(struct req *rq);
/* The business calendar of the service levels (admin_calendar.c). */
int web_admin_calendar(struct req *rq);
int web_admin_calendar_save(struct req *rq);
int web_admin_closed_day_add(struct req *rq);
int web_admin_closed_day_delete(struct req *rq);
int web_admin_types(struct req *rq); /* admin_types.c */
int web_admin_group_add(struct req *rq);
int web_admin_group_change(struct req *rq);
int web_admin_type_add(struct req *rq);
int web_admin_type(struct req *rq);
int web_admin_type_save(struct req *rq);
int web_admin_type_move(struct req *rq);
int web_admin_field_add(struct req *rq);
int web_admin_field(struct req *rq);
int web_admin_field_save(struct req *rq);
int web_admin_field_move(struct req *rq);
int web_admin_option_add(struct req *rq);
int web_admin_option_change(struct req *rq);

/* Shared by the customer's request page (request.c) and the agent's
 * (request_shared.c). */
struct activity_entry;
struct activity_log;
struct attachment_info;
struct field_error;
struct request_view;

/* The fields of a comment form: its text, its new files, and the tokens
 * of earlier uploads kept after a failed try. */
#define WEB_COMMENT_FIELD "comment"
#define WEB_FILES_FIELD "attachment"
#define WEB_KEEP_FIELD "keep_attachment"

/* The filled fields for "Details" ({label, text|html|values, href?}). */
json_t *web_request_fields_json(struct req *rq, const struct request_view *v);
struct request_field_view;
/* One filled field as the details list shows it. */
json_t *web_field_view_json(struct req *rq, const struct request_field_view *f);
/* Files for partials/request-files. */
json_t *web_files_json(struct req *rq, const struct attachment_info *files,
    size_t n);
struct request_abilities;
/* "Geteilt mit" for partials/request-sharing on a page whose request
 * address is `base`: the people (with a remove form where core allows
 * it), the add form (again with the typed text and the error after a
 * failed try), and the organisation buttons core offers. */
json_t *web_shared_with_json(struct req *rq, const struct request_view *v,
    const struct request_abilities *ab, const char *base);
json_t *web_share_form_json(struct req *rq, const char *base, bool failed,
    const struct field_error *err);
json_t *web_share_orgs_json(struct req *rq, const struct request_abilities *ab,
    const char *base);
/* Its three posts: who (add), user (remove), org (share). ZEK_INVALID
 * with *err filled for a refused person (add); a bad id is ZEK_INVALID
 * too. *left: users who removed themselves no longer see the request. */
enum web_sharing_op {
	WEB_SHARE_ADD,
	WEB_SHARE_REMOVE,
	WEB_SHARE_ORG
};
enum zek_rc web_sharing_post(struct req *rq, int64_t request_id,
    enum web_sharing_op op, struct field_error *err, bool *left);
/* The activity of the page's request as the viewer may see it
 * (partials/request-entry), an empty list when it cannot be read; in *log
 * the rows it was made of (core_activity_of_page). */
json_t *web_activity_json(struct req *rq, const struct request_view *v,
    struct activity_log *log);
/* The same of entries read already (e[0..n), newest first). */
json_t *web_activity_entries_json(struct req *rq,
    const struct activity_entry *e, size_t n);

/* The files of one attachment field of a form (`field`, and the tokens of
 * earlier uploads the user kept in `keep_field`): new ones stored as the
 * user's temporary uploads, kept ones checked to be the user's and live.
 * The create form and the comment forms share it. */
struct web_uploads {
	const char **tokens; /* live uploads to attach */
	size_t ntokens;
	struct attachment_info *kept; /* to offer again after a failure */
	size_t nkept;
	struct field_error *errs; /* files refused (size, type) */
	size_t nerrs;
};
int web_uploads(struct req *rq, const char *field, const char *keep_field,
    struct web_uploads *up);
/* web_uploads of a comment form ("attachment", "keep_attachment"). */
int web_comment_uploads(struct req *rq, struct web_uploads *up);
/* A comment form's text and file fields (the create form's field objects,
 * partials/field; placeholder may be NULL) and its error list, set into
 * `form` as "body", "files", "errors" and "has_errors". */
int web_comment_form_fields(struct req *rq, json_t *form, const char *label,
    const char *placeholder, const char *value,
    const struct attachment_info *kept, size_t nkept,
    const struct field_error *errs, size_t nerrs);
/* A comment form kept when the session was gone (web_kept_restore), its
 * files made the user's uploads as after a refused try: *up and the
 * refusals of its files in *errs. kept->restored false: none. */
int web_kept_comment(struct req *rq, struct web_restore *kept,
    struct web_uploads *up, struct field_error **errs, size_t *nerrs);
/* The errors of a failed comment in page order: the text's, the files
 * refused on upload, then core's other ones. */
int web_comment_errors(struct req *rq, const struct web_uploads *up,
    const struct field_error *errs, size_t nerrs, struct field_error **out,
    size_t *nout);

#endif
