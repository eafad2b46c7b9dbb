/* request.c: customer requests: create, list, get one, and the pieces every
 * /request/{issueIdOrKey}/... file shares. */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

#include "core/activity.h"
#include "core/api_support.h"
#include "core/attachments.h"
#include "core/fields.h"
#include "core/list.h"
#include "core/perm.h"
#include "core/portal.h"
#include "core/requests.h"
#include "core/status.h"
#include "core/users.h"
#include "core/workflow.h"
#include "http/text.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "render/i18n.h"
#include "render/jsonalloc.h"
#include "render/markdown.h"

#define SCRATCH_MAX (16u << 20) /* one page of the list walk */
#define SEARCH_BYTES_MAX 4096   /* ?searchTerm; core cuts it further */
#define ID_TEXT_MAX 64          /* an id sent as text */

const char *
api_request_url(struct req *rq, const struct request_view *v,
    const char *suffix)
{
	if (suffix == NULL)
		return NULL;
	return api_url(rq,
	    arena_printf(rq->arena, API_SD "/request/%lld%s", (long long)v->id,
	        suffix));
}

json_t *
api_nested_page(struct req *rq, const struct request_view *v, const char *what,
    json_t *all)
{
	const char *self = api_request_url(rq, v,
	    arena_printf(rq->arena, "/%s", what));
	const char *next = NULL;
	size_t total = json_array_size(all);
	json_t *values;

	values = api_json_slice(all, 0, API_PAGE_LIMIT);
	if (values == NULL)
		return NULL;
	if (total > API_PAGE_LIMIT)
		next = arena_printf(rq->arena, "%s?start=%d&limit=%d", self,
		    API_PAGE_LIMIT, API_PAGE_LIMIT);
	if (self == NULL || (total > API_PAGE_LIMIT && next == NULL)) {
		json_decref(values);
		return NULL;
	}
	return api_page_json(values, 0, API_PAGE_LIMIT, total <= API_PAGE_LIMIT,
	    api_base(rq), api_context(rq), self, next, NULL);
}

json_t *
api_person_json(struct req *rq, const struct person *p)
{
	const struct user *me = rq->user;
	bool self = p->id == me->id;
	const char *email = self ? me->email : p->email;
	bool full = (self || perm_is_staff(me)) && !str_empty(email);
	json_t *u;

	u = api_user_json(api_base(rq), p->id, full ? email : "",
	    p->name != NULL ? p->name : "", self ? me->tz : "");
	if (u == NULL)
		return NULL;
	if (!full) {
		/* Others' addresses are never shown (as on the pages); the
		 * account id serves as the DC user name instead. */
		json_object_set(u, "name", json_object_get(u, "accountId"));
		json_object_del(u, "emailAddress");
	}
	if (!self)
		json_object_del(u, "timeZone");
	return u;
}

/* ---- errors that core found ---- */

static const char *
body_name(const char *field, const char *const *names)
{
	size_t i;

	for (i = 0; names != NULL && names[i] != NULL && names[i + 1] != NULL;
	     i += 2)
		if (str_eq(names[i], field))
			return names[i + 1];
	return field;
}

int
api_field_errors(struct req *rq, const struct field_error *errs, size_t n,
    const char *const *names)
{
	const char *fmt_names[] = { "field", "text" };
	const char *fmt_values[2];
	json_t *body, *all, *by_field;
	const char *field, *text;
	char *msg;
	size_t i;

	if (n == 0)
		return api_error(rq, 400, "api_err_bad_request", NULL);
	all = json_array();
	by_field = json_object();
	body = NULL;
	for (i = 0; all != NULL && by_field != NULL && i < n; i++) {
		field = body_name(errs[i].field, names);
		text = http_error_text(rq, &errs[i]);
		fmt_values[0] = field;
		fmt_values[1] = text;
		if (i18n_format(rq->arena,
		        i18n_get(rq->cat, rq->lang, "api_err_field"), fmt_names,
		        fmt_values, 2, &msg) != ZEK_OK)
			msg = (char *)text;
		json_array_append_new(all, json_string(msg));
		if (json_object_get(by_field, field) == NULL)
			json_object_set_new(by_field, field, json_string(text));
		if (i == 0)
			body = api_error_body(msg, errs[i].key, field);
	}
	if (!jsonalloc_take(body,
	        (const struct json_member[]){ { "errorMessages", all },
	            { "errors", by_field } },
	        2)) {
		json_decref(body);
		return ZEK_NOMEM;
	}
	return api_reply(rq, http_status_of_errors(errs, n, 400), body);
}

/* Answers with an error and hands `rc` back to the caller's caller. */
static int
refuse(struct req *rq, unsigned status, const char *key, const char *arg,
    int rc)
{
	api_error(rq, status, key, arg);
	return rc;
}

/* ---- loading ---- */

int
api_request_load(struct req *rq, struct request_view **out)
{
	const char *want = req_param_str(rq, "key");
	const char *key;
	int rc;

	rc = core_request_key_of(&rq->ctx, rq->user, want, &key);
	if (rc == ZEK_OK)
		rc = core_request_get(&rq->ctx, rq->user, key, rq->lang, out);
	if (rc == ZEK_NOTFOUND)
		api_error(rq, 404, "api_err_no_request", want);
	else if (rc != ZEK_OK)
		api_fail(rq, rc);
	return rc;
}

int
api_additional_comment(struct req *rq, const json_t *body, const char **text)
{
	static const struct api_json_field spec[] = {
		{ "body", API_JSON_STRING, false, 0 },
	};
	json_t *add = json_object_get(body, "additionalComment");
	struct api_json_error jerr;
	const char *arg;

	*text = NULL;
	if (add == NULL)
		return ZEK_OK;
	if (api_json_check(add, spec, 1, &jerr) != ZEK_OK) {
		arg = jerr.arg != NULL ?
		    arena_printf(rq->arena, "additionalComment.%s", jerr.arg) :
		    "additionalComment";
		api_error(rq, 400, jerr.key, arg);
		return ZEK_INVALID;
	}
	*text = json_string_value(json_object_get(add, "body"));
	return ZEK_OK;
}

int
api_request_activity(struct req *rq, const struct request_view *v,
    struct activity_entry **out, size_t *n)
{
	int rc = core_activity_of_view(&rq->ctx, rq->user, v, out, n);

	if (rc == ZEK_NOTFOUND)
		api_error(rq, 404, "api_err_no_request", v->key);
	else if (rc != ZEK_OK)
		api_fail(rq, rc);
	return rc;
}

int
api_reply_activity_list(struct req *rq, api_activity_list_fn list)
{
	struct activity_entry *e;
	struct request_view *v;
	struct api_page pg;
	size_t n;

	if (api_page_parse(rq, &pg) != ZEK_OK ||
	    api_request_load(rq, &v) != ZEK_OK ||
	    api_request_activity(rq, v, &e, &n) != ZEK_OK)
		return ZEK_OK;
	return api_reply_page(rq, &pg, list(rq, v, e, n), NULL);
}

/* ---- the CustomerRequest object ---- */

/* The request's type; read once per call (core_reqtype_get). */
static struct reqtype *
type_of(struct req *rq, const struct request_view *v)
{
	struct reqtype *t;

	if (core_reqtype_get(&rq->ctx, v->portal_id, v->type_id, rq->lang,
	        &t) != ZEK_OK)
		return NULL;
	return t;
}

static json_t *
option_json(const char *id, const char *label)
{
	return json_pack("{s:s, s:s}", "id", id, "value", label);
}

/* The value of one filled field, shaped as JSM clients read it. */
static json_t *
field_value(struct req *rq, const struct reqtype *t,
    const struct request_field_view *f, json_t **rendered)
{
	const struct field *def = t != NULL ? core_reqtype_field(t, f->key) :
	                                      NULL;
	const char *html, *id;
	json_t *arr, *date, *s;
	size_t i, k;

	*rendered = NULL;
	switch (f->kind) {
	case FIELD_RICHTEXT:
		html = markdown_to_arena(rq->arena, f->values[0]);
		if (html != NULL)
			*rendered = json_pack("{s:s}", "html", html);
		return json_string(f->values[0]);
	case FIELD_SELECT:
		/* The view holds the option's label; its id is the option value. */
		id = f->values[0];
		for (k = 0; def != NULL && k < def->noptions; k++)
			if (str_eq(def->options[k].label, f->values[0]))
				id = def->options[k].value;
		return option_json(id, f->values[0]);
	case FIELD_CHECKBOX:
		return json_pack("[o]", option_json("1", f->values[0]));
	case FIELD_DATETIME:
		date = api_date(rq, f->datetime_ms);
		s = date != NULL ? json_incref(json_object_get(date, "jira")) :
		                   NULL;
		json_decref(date);
		return s;
	case FIELD_OBJECT:
		arr = json_array();
		for (i = 0; arr != NULL && i < f->nvalues; i++)
			json_array_append_new(arr,
			    option_json(api_id(rq, f->object_ids[i]),
			        f->values[i]));
		return arr;
	default:
		return json_string(f->values[0]);
	}
}

static json_t *
field_values(struct req *rq, const struct request_view *v,
    const struct reqtype *t)
{
	json_t *arr = json_array(), *item, *val, *rendered;
	size_t i;

	for (i = 0; arr != NULL && i < v->nfields; i++) {
		const struct request_field_view *f = &v->fields[i];
		if (f->nvalues == 0)
			continue;
		val = field_value(rq, t, f, &rendered);
		item = json_pack("{s:s, s:s, s:o?}", "fieldId", f->key, "label",
		    f->label, "value", val);
		if (item != NULL && rendered != NULL)
			json_object_set_new(item, "renderedValue", rendered);
		else
			json_decref(rendered);
		if (json_array_append_new(arr, item) != 0) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

static json_t *
type_json(struct req *rq, const struct request_view *v, const struct reqtype *t)
{
	const char *icon = str_empty(v->type_icon) ? "allgemein" : v->type_icon;
	const char *url = api_url(rq,
	    arena_printf(rq->arena, "/static/v1/icons/%s.svg", icon));

	return json_pack("{s:s, s:{s:s?}, s:s, s:s, s:s, s:s, s:s, s:s, s:[s], "
	                 "s:{s:s, s:{s:{s:s?, s:s?, s:s?, s:s?}}}, s:s, s:[s]}",
	    "id", api_id(rq, v->type_id), "_links", "self",
	    api_url(rq,
	        arena_printf(rq->arena,
	            API_SD "/servicedesk/%lld/requesttype/%lld",
	            (long long)v->desk_id, (long long)v->type_id)),
	    "name", v->type_name, "description",
	    t != NULL ? t->description : "", "helpText", "", "issueTypeId",
	    api_id(rq, v->type_id), "serviceDeskId", api_id(rq, v->desk_id),
	    "portalId", api_id(rq, v->portal_id), "groupIds",
	    api_id(rq, t != NULL ? t->group_id : 0), "icon", "id", icon,
	    "_links", "iconUrls", "48x48", url, "24x24", url, "16x16", url,
	    "32x32", url, "restrictionStatus", "OPEN", "_expands", "field");
}

static json_t *
actions_json(struct req *rq, const struct request_view *v)
{
	struct request_abilities ab;

	if (core_request_abilities(&rq->ctx, rq->user, v, &ab) != ZEK_OK)
		return NULL;
	return json_pack("{s:{s:b}, s:{s:b}, s:{s:b}, s:{s:b}}",
	    "addAttachment", "allowed", ab.comment, "addComment", "allowed",
	    ab.comment, "addParticipant", "allowed", ab.share,
	    "removeParticipant", "allowed", ab.remove_participants || ab.leave);
}

/* The expansions of a CustomerRequest: ?expand name, member. */
enum expansion {
	EXP_PARTICIPANT,
	EXP_STATUS,
	EXP_SLA,
	EXP_REQUEST_TYPE,
	EXP_SERVICE_DESK,
	EXP_ATTACHMENT,
	EXP_ACTION,
	EXP_COMMENT,
	EXP_MAX
};

static const char *const exp_names[EXP_MAX][2] = {
	[EXP_PARTICIPANT] = { "participant", "participants" },
	[EXP_STATUS] = { "status", "status" },
	[EXP_SLA] = { "sla", "sla" },
	[EXP_REQUEST_TYPE] = { "requestType", "requestType" },
	[EXP_SERVICE_DESK] = { "serviceDesk", "serviceDesk" },
	[EXP_ATTACHMENT] = { "attachment", "attachments" },
	[EXP_ACTION] = { "action", "actions" },
	[EXP_COMMENT] = { "comment", "comments" },
};

static json_t *
expansion(struct req *rq, const struct request_view *v, const struct reqtype *t,
    const struct activity_entry *e, size_t n, enum expansion x)
{
	switch (x) {
	case EXP_PARTICIPANT:
		return api_nested_page(rq, v, "participant",
		    api_participants_array(rq, v));
	case EXP_STATUS:
		return api_nested_page(rq, v, "status",
		    api_status_history(rq, v, e, n));
	case EXP_SLA:
		return api_nested_page(rq, v, "sla", json_array());
	case EXP_REQUEST_TYPE:
		return type_json(rq, v, t);
	case EXP_SERVICE_DESK:
		return api_desk_json(rq, v->desk_id, v->desk_name,
		    v->project_key, v->portal_id);
	case EXP_ATTACHMENT:
		return api_nested_page(rq, v, "attachment",
		    api_request_files(rq, v, e, n));
	case EXP_ACTION:
		return actions_json(rq, v);
	case EXP_COMMENT:
	default:
		return api_nested_page(rq, v, "comment",
		    api_comments_array(rq, v, e, n, true, true));
	}
}

/* A CustomerRequest with the expansions ?expand asks for. */
static json_t *
request_json(struct req *rq, const struct request_view *v)
{
	struct activity_entry *e = NULL;
	struct reqtype *t = type_of(rq, v);
	const char *web;
	json_t *r, *ex, *x;
	size_t i, n = 0;
	int rc = ZEK_OK;

	/* The activity only for the expansions made of it. */
	if ((api_expand(rq, "status") || api_expand(rq, "attachment") ||
	        api_expand(rq, "comment")) &&
	    core_activity_of_view(&rq->ctx, rq->user, v, &e, &n) != ZEK_OK)
		return NULL;
	web = api_url(rq, core_request_path(rq->arena, v->portal_id, v->key));
	r = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, "
	              "s:{s:s?, s:s?, s:s?, s:s?}}",
	    "issueId", api_id(rq, v->id), "issueKey", v->key, "requestTypeId",
	    api_id(rq, v->type_id), "serviceDeskId", api_id(rq, v->desk_id),
	    "createdDate", api_date(rq, v->created_at), "reporter",
	    api_person_json(rq, &v->reporter), "requestFieldValues",
	    field_values(rq, v, t), "currentStatus", api_current_status(rq, v),
	    "_links", "jiraRest",
	    api_url(rq,
	        arena_printf(rq->arena, "/rest/api/2/issue/%lld",
	            (long long)v->id)),
	    "web", web, "self", api_request_url(rq, v, ""), "agent", web);
	ex = json_array();
	if (r == NULL || ex == NULL) {
		json_decref(r);
		json_decref(ex);
		return NULL;
	}
	for (i = 0; rc == ZEK_OK && i < EXP_MAX; i++) {
		/* SLA is agents' business; zek measures none yet. */
		if (!api_expand(rq, exp_names[i][0]) ||
		    (i == EXP_SLA && !perm_is_staff(rq->user))) {
			if (json_array_append_new(ex,
			        json_string(exp_names[i][0])))
				rc = ZEK_NOMEM;
			continue;
		}
		x = expansion(rq, v, t, e, n, (enum expansion)i);
		if (x == NULL ||
		    json_object_set_new(r, exp_names[i][1], x) != 0)
			rc = ZEK_NOMEM;
	}
	if (rc != ZEK_OK)
		json_decref(ex);
	if (rc != ZEK_OK || json_object_set_new(r, "_expands", ex) != 0) {
		json_decref(r);
		return NULL;
	}
	return r;
}

json_t *
api_request_json(struct req *rq, const struct request_view *v)
{
	return request_json(rq, v);
}

/* GET /rest/servicedeskapi/request/{issueIdOrKey} */
int
api_request(struct req *rq)
{
	struct request_view *v;

	if (api_request_load(rq, &v) != ZEK_OK)
		return ZEK_OK;
	return api_reply(rq, 200, request_json(rq, v));
}

/* ---- the list ---- */

/* One of the core list's orders, walked page by page in a scratch arena
 * so that a deep ?start costs time, not memory. */
struct stream {
	struct zctx ctx;
	struct list_query q;
	struct list_page *page;
	size_t pos;
	bool done;
};

static void
stream_init(struct req *rq, struct stream *s, enum list_creator who,
    const struct list_filter *f)
{
	*s = (struct stream){ .q.limit = 0 };
	core_ctx_scratch(&rq->ctx, NULL, &s->ctx);
	s->q.filter = *f;
	s->q.filter.creator = who;
	s->q.limit = LIST_LIMIT_MAX;
	s->q.no_total = true; /* the API pages by isLastPage only */
}

static const struct list_item *
stream_peek(struct req *rq, struct stream *s, int *rc)
{
	struct arena *a;

	*rc = ZEK_OK;
	while (!s->done) {
		if (s->page != NULL && s->pos < s->page->n)
			return &s->page->items[s->pos];
		if (s->page != NULL && (!s->page->has_next || s->page->n == 0))
			break;
		if (s->page != NULL) {
			s->q.has_cursor = true;
			s->q.cursor = s->page->items[s->page->n - 1].cursor;
		}
		a = arena_new(SCRATCH_MAX);
		if (a == NULL) {
			*rc = ZEK_NOMEM;
			break;
		}
		arena_free(s->ctx.arena);
		core_ctx_scratch(&rq->ctx, a, &s->ctx);
		s->page = NULL;
		s->pos = 0;
		*rc = core_list_requests(&s->ctx, rq->user, &s->q, rq->lang,
		    &s->page);
		if (*rc != ZEK_OK)
			break;
	}
	s->done = true;
	return NULL;
}

static bool
newer(const struct list_item *a, const struct list_item *b)
{
	return a->created_at > b->created_at ||
	    (a->created_at == b->created_at && a->id > b->id);
}

/* The newest next row of the streams (their sets never overlap: one
 * reports a request, or takes part in it) that lies in portal `portal`
 * (0 = any); NULL at the end. */
static const struct list_item *
merged_next(struct req *rq, struct stream *s, size_t ns, int64_t portal,
    int *rc)
{
	const struct list_item *best, *it;
	size_t i, which;

	for (;;) {
		best = NULL;
		which = 0;
		for (i = 0; i < ns; i++) {
			it = stream_peek(rq, &s[i], rc);
			if (*rc != ZEK_OK)
				return NULL;
			if (it != NULL && (best == NULL || newer(it, best))) {
				best = it;
				which = i;
			}
		}
		if (best == NULL)
			return NULL;
		s[which].pos++;
		if (portal == 0 || best->portal_id == portal)
			return best;
	}
}

/* ?requestOwnership: which streams (Cloud takes several values, DC one). */
static int
parse_ownership(struct req *rq, bool *owned, bool *part, bool *all)
{
	const char *items[API_QUERY_VALUES_MAX];
	size_t i, n;

	*owned = *part = *all = false;
	n = api_query_list(rq, "requestOwnership", items, API_QUERY_VALUES_MAX);
	if (n == SIZE_MAX)
		return ZEK_NOMEM;
	if (n == 0) {
		*all = true; /* JSM: owned, participated and organisations */
		return ZEK_OK;
	}
	for (i = 0; i < n; i++) {
		if (i >= API_QUERY_VALUES_MAX)
			return ZEK_INVALID;
		if (str_eq(items[i], "OWNED_REQUESTS"))
			*owned = true;
		else if (str_eq(items[i], "PARTICIPATED_REQUESTS"))
			*part = true;
		else if (str_eq(items[i], "ALL_REQUESTS") ||
		    str_eq(items[i], "ALL_ORGANIZATIONS"))
			*all = true;
		else if (!str_eq(items[i],
		             "APPROVER")) /* no approvals in zek */
			return ZEK_INVALID;
	}
	return ZEK_OK;
}

static int
parse_status(struct req *rq, enum list_status *out)
{
	const char *items[2];
	size_t n = api_query_list(rq, "requestStatus", items, 2);

	*out = LIST_STATUS_ALL;
	if (n == SIZE_MAX)
		return ZEK_NOMEM;
	if (n == 0)
		return ZEK_OK;
	if (n > 1)
		return ZEK_INVALID;
	if (str_eq(items[0], "OPEN_REQUESTS"))
		*out = LIST_STATUS_OPEN;
	else if (str_eq(items[0], "CLOSED_REQUESTS"))
		*out = LIST_STATUS_CLOSED;
	else if (!str_eq(items[0], "ALL_REQUESTS"))
		return ZEK_INVALID;
	return ZEK_OK;
}

const struct portal_summary *
api_desk_by_ref(struct req *rq, const char *want, int *rc)
{
	struct portal_summary *list;
	int64_t id = 0;
	size_t i, n;

	*rc = core_portals_list(&rq->ctx, rq->user, &list, &n);
	if (*rc != ZEK_OK || want == NULL)
		return NULL;
	if (strlen(want) > ID_TEXT_MAX ||
	    str_to_i64(want, 1, INT64_MAX, &id) != 0)
		id = 0;
	for (i = 0; i < n; i++)
		if (list[i].desk_id == id ||
		    str_caseeq(list[i].project_key, want))
			return &list[i];
	return NULL;
}

int
api_desk_load(struct req *rq, const struct portal_summary **out)
{
	const struct portal_summary *d;
	const char *want = req_param_str(rq, "sd");
	int rc;

	d = api_desk_by_ref(rq, want, &rc);
	if (d == NULL && rc == ZEK_OK) {
		api_error(rq, 404, "api_err_no_desk", want);
		return ZEK_NOTFOUND;
	}
	if (rc != ZEK_OK)
		api_fail(rq, rc);
	else if (out != NULL)
		*out = d;
	return rc;
}

/* The filters of GET /request. Answers itself on failure. */
static int
list_params(struct req *rq, struct list_filter *f, int64_t *portal, bool *owned,
    bool *part, bool *all)
{
	const char *desk = req_query(rq, "serviceDeskId");
	const char *type = req_query(rq, "requestTypeId");
	const char *term = req_query(rq, "searchTerm");
	const char *appr = req_query(rq, "approvalStatus");
	const char *org = req_query(rq, "organizationId");
	const struct portal_summary *d;
	struct reqtype *t;
	int64_t id;
	int rc;

	*f = (struct list_filter){ .status = LIST_STATUS_ALL };
	*portal = 0;
	rc = parse_ownership(rq, owned, part, all);
	if (rc == ZEK_OK)
		rc = parse_status(rq, &f->status);
	else if (rc != ZEK_NOMEM)
		return refuse(rq, 400, "api_err_bad_param", "requestOwnership",
		    ZEK_INVALID);
	if (rc == ZEK_NOMEM) {
		api_fail(rq, rc);
		return rc;
	}
	if (rc != ZEK_OK)
		return refuse(rq, 400, "api_err_bad_param", "requestStatus",
		    ZEK_INVALID);
	if (appr != NULL && !str_eq(appr, "MY_PENDING_APPROVAL") &&
	    !str_eq(appr, "MY_HISTORY_APPROVAL"))
		return refuse(rq, 400, "api_err_bad_param", "approvalStatus",
		    ZEK_INVALID);
	if (org != NULL &&
	    (strlen(org) > ID_TEXT_MAX ||
	        str_to_i64(org, 1, INT64_MAX, &id) != 0))
		return refuse(rq, 400, "api_err_bad_param", "organizationId",
		    ZEK_INVALID);
	if (term != NULL) {
		if (strlen(term) > SEARCH_BYTES_MAX ||
		    !utf8_clean_text(term, strlen(term), false))
			return refuse(rq, 400, "api_err_bad_param",
			    "searchTerm", ZEK_INVALID);
		f->search = term;
	}
	if (type != NULL && desk == NULL)
		return refuse(rq, 400, "api_err_type_needs_desk", NULL,
		    ZEK_INVALID);
	if (desk != NULL) {
		d = api_desk_by_ref(rq, desk, &rc);
		if (rc != ZEK_OK) {
			api_fail(rq, rc);
			return rc;
		}
		if (d == NULL)
			return refuse(rq, 404, "api_err_no_desk", desk,
			    ZEK_NOTFOUND);
		*portal = d->id;
	}
	if (type != NULL) {
		rc = ZEK_NOTFOUND;
		if (strlen(type) <= ID_TEXT_MAX &&
		    str_to_i64(type, 1, INT64_MAX, &id) == 0)
			rc = core_reqtype_get(&rq->ctx, *portal, id, rq->lang,
			    &t);
		if (rc == ZEK_NOTFOUND)
			return refuse(rq, 404, "api_err_no_request_type", type,
			    ZEK_NOTFOUND);
		if (rc != ZEK_OK) {
			api_fail(rq, rc);
			return rc;
		}
		f->type_id = id;
	}
	return ZEK_OK;
}

/* A page of requests is read at once. */
_Static_assert(API_PAGE_LIMIT_MAX <= CORE_VIEWS_MAX, "an API page fits");

/* GET /rest/servicedeskapi/request */
int
api_requests(struct req *rq)
{
	static const char *const keep[] = { "searchTerm", "requestOwnership",
		"requestStatus", "approvalStatus", "organizationId",
		"serviceDeskId", "requestTypeId", "expand", NULL };
	struct stream s[2];
	struct list_filter f;
	struct api_page pg;
	const struct list_item *it;
	struct request_view **views;
	int64_t *ids;
	json_t *values;
	size_t ns = 0, i, nids = 0;
	int64_t portal, skipped = 0;
	bool owned, part, all;
	int rc = ZEK_OK;

	if (api_page_parse(rq, &pg) != ZEK_OK ||
	    list_params(rq, &f, &portal, &owned, &part, &all) != ZEK_OK)
		return ZEK_OK;
	if (all) {
		stream_init(rq, &s[ns++], LIST_CREATOR_ANY, &f);
	} else {
		if (owned)
			stream_init(rq, &s[ns++], LIST_CREATOR_ME, &f);
		if (part)
			stream_init(rq, &s[ns++], LIST_CREATOR_PARTICIPANT, &f);
	}
	ids = arena_calloc(rq->arena, (size_t)pg.limit, sizeof(*ids));
	views = arena_calloc(rq->arena, (size_t)pg.limit, sizeof(*views));
	if (ids == NULL || views == NULL)
		rc = ZEK_NOMEM;
	while (rc == ZEK_OK && skipped < pg.start &&
	    merged_next(rq, s, ns, portal, &rc) != NULL)
		skipped++;
	while (rc == ZEK_OK && nids < (size_t)pg.limit &&
	    (it = merged_next(rq, s, ns, portal, &rc)) != NULL)
		ids[nids++] = it->id;
	it = rc == ZEK_OK ? merged_next(rq, s, ns, portal, &rc) : NULL;
	for (i = 0; i < ns; i++)
		arena_free(s[i].ctx.arena);
	if (rc == ZEK_OK)
		rc = core_request_views(&rq->ctx, rq->user, ids, nids, rq->lang,
		    views);
	if (rc != ZEK_OK)
		return rc;
	values = json_array();
	for (i = 0; values != NULL && i < nids; i++) {
		if (views[i] == NULL)
			continue; /* gone since the walk (a participant left) */
		if (json_array_append_new(values, request_json(rq, views[i])) !=
		    0) {
			json_decref(values);
			return ZEK_NOMEM;
		}
	}
	if (values == NULL)
		return ZEK_NOMEM;
	return api_reply_page_of(rq, &pg, values, it == NULL, keep);
}
