/* create.c: the create form of a request type, its submission, and the two
 * helpers its scripts call (object search, Markdown preview). */
#include "web/web.h"

#include <stdio.h>
#include <string.h>

#include "core/attachments.h"
#include "core/fields.h"
#include "core/objects.h"
#include "core/perm.h"
#include "core/portal.h"
#include "core/requests.h"
#include "core/users.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "render/i18n.h"
#include "render/markdown.h"

/* What the form shows: the type and, after a failed attempt, what was sent. */
struct create_state {
	int64_t portal_id;
	struct reqtype *type;
	struct field_error *errs;
	size_t nerrs;
	struct attachment_info **kept; /* per field: uploads to show again */
	size_t *nkept;
	bool submitted;
	const char *notice; /* a kept form shown again */
};

static const struct field_error *
error_for(const struct create_state *st, const char *field)
{
	return web_error_for(st->errs, st->nerrs, field);
}

/* Whether `value` is among the values shown. */
static bool
value_selected(const char *const *values, size_t n, const char *value)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (str_eq(values[i], value))
			return true;
	return false;
}

static json_t *
select_options(struct req *rq, const struct field *f, const char *cur)
{
	json_t *opts = json_array();
	size_t i;

	json_array_append_new(opts,
	    ctx_pack("{s:s, s:s, s:b}", "value", "", "label",
	        web_t(rq, "select_none"), "selected", str_empty(cur)));
	for (i = 0; i < f->noptions; i++)
		json_array_append_new(opts,
		    ctx_pack("{s:s, s:s, s:b}", "value", f->options[i].value,
		        "label", f->options[i].label, "selected",
		        str_eq(cur, f->options[i].value)));
	return opts;
}

static json_t *
object_options(struct req *rq, const struct field *f, const char *const *values,
    size_t n)
{
	struct object *objs;
	json_t *arr = json_array();
	size_t i, nobjs;
	char id[24];

	if (core_objects_list(&rq->ctx, f->object_kind, &objs, &nobjs) !=
	    ZEK_OK)
		return arr;
	for (i = 0; i < nobjs; i++) {
		snprintf(id, sizeof(id), "%lld", (long long)objs[i].id);
		json_array_append_new(arr,
		    ctx_pack("{s:s, s:s, s:b}", "value", id, "label",
		        objs[i].name, "selected",
		        value_selected(values, n, id)));
	}
	return arr;
}

static json_t *
kept_files(struct req *rq, const struct create_state *st, size_t idx)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; st->kept != NULL && i < st->nkept[idx]; i++) {
		const struct attachment_info *a = &st->kept[idx][i];
		json_array_append_new(arr,
		    ctx_pack("{s:s, s:s, s:s}", "token", a->token, "name",
		        a->filename, "size_text", http_size_text(rq, a->size)));
	}
	return arr;
}

json_t *
web_type_field_json(struct req *rq, const struct field *f,
    const char *const *values, size_t n, const struct field_error *e)
{
	const char *flag[FIELD_KIND_MAX] = {
		"is_text",
		"is_richtext",
		"is_textarea",
		"is_select",
		"is_checkbox",
		"is_datetime",
		"is_url",
		"is_object",
		"is_attachment",
	};
	const char *first = n > 0 && values[0] != NULL ? values[0] : "";
	json_t *j;

	j = ctx_pack("{s:s, s:s, s:s, s:b, s:b, s:s, s:s, s:b}", "key", f->key,
	    "id", arena_printf(rq->arena, "f-%s", f->key), "label", f->label,
	    "optional", !f->required, "required", f->required, "placeholder",
	    f->placeholder, "value", first, flag[f->kind], true);
	if (j == NULL)
		return NULL;
	if (!str_empty(f->help))
		json_object_set_new(j, "help", json_string(f->help));
	if (e != NULL)
		json_object_set_new(j, "error",
		    json_string(http_error_text(rq, e)));
	switch (f->kind) {
	case FIELD_SELECT:
		json_object_set_new(j, "options", select_options(rq, f, first));
		break;
	case FIELD_CHECKBOX:
		json_object_set_new(j, "checked",
		    json_boolean(!str_empty(first)));
		json_object_set_new(j, "checkbox_label",
		    json_string(f->checkbox_label));
		break;
	case FIELD_OBJECT:
		json_object_set_new(j, "object_kind",
		    json_string(f->object_kind));
		json_object_set_new(j, "multiple", json_boolean(f->multiple));
		json_object_set_new(j, "objects",
		    object_options(rq, f, values, n));
		break;
	default:
		break;
	}
	return j;
}

int
web_type_form_values(struct req *rq, const char *key, const char ***out,
    size_t *n)
{
	const struct form_field *vals[FORM_MAX_VALUES];
	size_t i, cnt = form_get_all(&rq->form, key, vals);
	const char **v = arena_calloc(rq->arena, cnt + 1, sizeof(*v));

	if (v == NULL)
		return ZEK_NOMEM;
	*n = 0;
	for (i = 0; i < cnt; i++)
		if (vals[i]->filename == NULL)
			v[(*n)++] = vals[i]->value;
	/* The first is shown again as text: valid and not too long. */
	if (*n > 0)
		v[0] = web_kept(rq, key);
	*out = v;
	return ZEK_OK;
}

static json_t *
field_json(struct req *rq, const struct create_state *st, size_t idx)
{
	const struct field *f = &st->type->fields[idx];
	const char **values;
	size_t n;
	json_t *j;

	if (web_type_form_values(rq, f->key, &values, &n) != ZEK_OK)
		return NULL;
	j = web_type_field_json(rq, f, values, n, error_for(st, f->key));
	if (j != NULL && f->kind == FIELD_ATTACHMENT) {
		json_object_set_new(j, "kept", kept_files(rq, st, idx));
		(void)web_attach_limit(rq, j);
	}
	return j;
}

/* "Name (e-mail)", or "Mich selbst (Name)" for the user. */
static const char *
person_label(struct req *rq, const struct person *p)
{
	const char *names[] = { "name" };
	const char *values[1] = { p->name };
	char *label;

	if (p->id != rq->user->id)
		return arena_printf(rq->arena, "%s (%s)", p->name, p->email);
	if (i18n_format(rq->arena, web_t(rq, "on_behalf_self"), names, values,
	        1, &label) != ZEK_OK)
		return p->name;
	return label;
}

/* One person to choose: its value, and whether it is the chosen one (the
 * one sent, else the user). */
static json_t *
person_option(struct req *rq, const struct person *p)
{
	const char *cur = req_form(rq, "onbehalf");
	char id[24];

	snprintf(id, sizeof(id), "%lld", (long long)p->id);
	return ctx_pack("{s:s, s:s, s:s, s:b}", "value", id, "id",
	    p->id == rq->user->id ?
	        "f-onbehalf" :
	        arena_printf(rq->arena, "f-onbehalf-%s", id),
	    "label", person_label(rq, p), "selected",
	    cur != NULL ? str_eq(cur, id) : p->id == rq->user->id);
}

/* Customers: a select of themselves and their colleagues. */
static json_t *
on_behalf_select_json(struct req *rq)
{
	struct person *people;
	json_t *opts = json_array();
	size_t i, n = 0;

	if (core_onbehalf_candidates(&rq->ctx, rq->user, NULL, 0, &people,
	        &n) != ZEK_OK)
		n = 0;
	for (i = 0; i < n; i++)
		json_array_append_new(opts, person_option(rq, &people[i]));
	/* "search" false, not missing: else the page's own could answer. */
	return ctx_pack("{s:b, s:o}", "search", 0, "options", opts);
}

/* Agents: "Für wen?" searched by name or e-mail ("Suchen" sends the form
 * and brings it back with the people found; the script asks as one
 * types). The user, the person chosen before and those found, as radio
 * buttons. */
static json_t *
on_behalf_search_json(struct req *rq)
{
	const char *q = web_kept(rq, "onbehalf_q");
	int64_t chosen = 0;
	struct person *found,
	    self = { rq->user->id, rq->user->name, rq->user->email }, prev;
	json_t *opts = json_array();
	size_t i, n = 0;

	json_array_append_new(opts, person_option(rq, &self));
	if (str_to_i64(req_form(rq, "onbehalf"), 1, INT64_MAX, &chosen) == 0 &&
	    chosen != self.id &&
	    core_onbehalf_person(&rq->ctx, rq->user, chosen, &prev) == ZEK_OK)
		json_array_append_new(opts, person_option(rq, &prev));
	if (core_onbehalf_search(&rq->ctx, rq->user, q, &found, &n) != ZEK_OK)
		n = 0;
	for (i = 0; i < n; i++)
		if (found[i].id != chosen)
			json_array_append_new(opts,
			    person_option(rq, &found[i]));
	return ctx_pack("{s:b, s:s, s:o, s:b}", "search", 1, "q", q, "options",
	    opts, "none_found", !str_empty(q) && n == 0);
}

static json_t *
on_behalf_json(struct req *rq, const struct create_state *st)
{
	const struct field_error *e = error_for(st, "onbehalf");
	json_t *j;

	j = perm_is_staff(rq->user) ? on_behalf_search_json(rq) :
	                              on_behalf_select_json(rq);
	if (j != NULL && e != NULL)
		json_object_set_new(j, "error",
		    json_string(http_error_text(rq, e)));
	return j;
}

static json_t *
share_json(struct req *rq, const struct create_state *st)
{
	const struct field_error *e = error_for(st, "share");
	const char *cur = req_form(rq, "share");
	json_t *orgs = json_array();
	const char *names[] = { "org" };
	const char *values[1];
	char id[24], *label;
	size_t i;

	for (i = 0; i < rq->user->norgs; i++) {
		snprintf(id, sizeof(id), "%lld",
		    (long long)rq->user->org_ids[i]);
		values[0] = rq->user->org_names[i];
		if (i18n_format(rq->arena, web_t(rq, "share_org"), names,
		        values, 1, &label) != ZEK_OK)
			label = (char *)values[0];
		json_array_append_new(orgs,
		    ctx_pack("{s:s, s:s, s:b}", "value", id, "label", label,
		        "selected", str_eq(cur, id)));
	}
	/* Private is the default, as the customer guide demands. */
	return ctx_pack("{s:b, s:o, s:s?}", "private_selected",
	    cur == NULL || str_eq(cur, "private"), "orgs", orgs, "error",
	    e ? http_error_text(rq, e) : NULL);
}

/* The label the form shows for a field an error names: the type's
 * fields, the two fields every form has, and attachments sent to a type
 * without an attachment field (the key itself should core ever name
 * another one: the summary still says which). */
static const char *
field_label(struct req *rq, const struct create_state *st, const char *key)
{
	size_t i;

	for (i = 0; i < st->type->nfields; i++)
		if (str_eq(st->type->fields[i].key, key))
			return st->type->fields[i].label;
	if (str_eq(key, "onbehalf"))
		return web_t(rq, "on_behalf_label");
	if (str_eq(key, "share"))
		return web_t(rq, "share_legend");
	if (str_eq(key, "attachment"))
		return web_t(rq, "comment_files");
	return key;
}

static json_t *
errors_json(struct req *rq, const struct create_state *st)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < st->nerrs; i++)
		json_array_append_new(arr,
		    web_summary_item(rq,
		        /* the share field's first control: its radios have ids of their own */
		        str_eq(st->errs[i].field, "share") ?
		            "f-share-private" :
		            arena_printf(rq->arena, "f-%s", st->errs[i].field),
		        field_label(rq, st, st->errs[i].field), &st->errs[i]));
	return arr;
}

static int
create_page(struct req *rq, const struct create_state *st)
{
	const struct reqtype *t = st->type;
	json_t *page, *fields;
	const char *portal_href;
	size_t i;

	page = web_page_ctx(rq, "page_create");
	if (page == NULL)
		return ZEK_NOMEM;
	portal_href = core_portal_path(rq->arena, st->portal_id);
	json_object_set_new(page, "title", json_string(t->name));
	json_object_set_new(page, "form_action", json_string(rq->path));
	json_object_set_new(page, "cancel_href", json_string(portal_href));
	json_object_set_new(page, "type",
	    ctx_pack("{s:s, s:s}", "name", t->name, "description",
	        t->description));
	if (st->notice != NULL)
		json_object_set_new(page, "notice", json_string(st->notice));
	if (st->nerrs > 0) {
		json_object_set_new(page, "errors", errors_json(rq, st));
		json_object_set_new(page, "has_errors", json_true());
	}
	json_object_set_new(page, "on_behalf", on_behalf_json(rq, st));
	json_object_set_new(page, "share", share_json(rq, st));
	fields = json_array();
	json_object_set_new(page, "fields", fields);
	for (i = 0; i < t->nfields; i++)
		json_array_append_new(fields, field_json(rq, st, i));
	web_breadcrumb(rq, page, web_t(rq, "page_portals"), WEB_HOME);
	web_breadcrumb(rq, page, t->desk_name, portal_href);
	web_breadcrumb(rq, page, t->name, NULL);
	return web_render(rq,
	    st->nerrs > 0 ? http_status_of_errors(st->errs, st->nerrs, 422) :
	                    200,
	    "create", page);
}

static int
load_type(struct req *rq, struct create_state *st)
{
	int64_t tid;

	memset(st, 0, sizeof(*st));
	if (!req_param_i64(rq, "pid", &st->portal_id) ||
	    !req_param_i64(rq, "tid", &tid))
		return ZEK_NOTFOUND;
	return core_reqtype_offered(&rq->ctx, st->portal_id, tid, rq->lang,
	    &st->type);
}

static int
add_error(struct req *rq, struct create_state *st, const struct field_error *e)
{
	struct field_error *n = arena_realloc(rq->arena, st->errs,
	    st->nerrs * sizeof(*n), (st->nerrs + 1) * sizeof(*n));

	if (n == NULL)
		return ZEK_NOMEM;
	n[st->nerrs++] = *e;
	st->errs = n;
	return ZEK_OK;
}

/* The files of one attachment field (web_uploads): refusals become the
 * form's errors, the live uploads its tokens. */
static int
collect_uploads(struct req *rq, struct create_state *st, size_t idx,
    const char **tokens, size_t *ntokens)
{
	const char *key = st->type->fields[idx].key;
	const char *keep = arena_printf(rq->arena, "keep_%s", key);
	struct web_uploads up;
	size_t i;
	int rc;

	if (keep == NULL)
		return ZEK_NOMEM;
	rc = web_uploads(rq, key, keep, &up);
	for (i = 0; rc == ZEK_OK && i < up.nerrs; i++)
		rc = add_error(rq, st, &up.errs[i]);
	if (rc != ZEK_OK)
		return rc;
	st->kept[idx] = up.kept;
	st->nkept[idx] = up.nkept;
	for (i = 0; i < up.ntokens; i++)
		tokens[(*ntokens)++] = up.tokens[i];
	return ZEK_OK;
}

/* The files of every attachment field of the form: new ones become the
 * user's temporary uploads, kept ones are checked; tokens (room for all
 * of them) gets the live ones. */
static int
collect_all_uploads(struct req *rq, struct create_state *st,
    const char ***tokens, size_t *ntokens)
{
	size_t i;
	int rc;

	*ntokens = 0;
	st->kept = arena_calloc(rq->arena, st->type->nfields,
	    sizeof(*st->kept));
	st->nkept = arena_calloc(rq->arena, st->type->nfields,
	    sizeof(*st->nkept));
	*tokens = arena_calloc(rq->arena,
	    st->type->nfields * 2 * FORM_MAX_VALUES + 1, sizeof(**tokens));
	if (st->kept == NULL || st->nkept == NULL || *tokens == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < st->type->nfields; i++) {
		if (st->type->fields[i].kind != FIELD_ATTACHMENT)
			continue;
		rc = collect_uploads(rq, st, i, *tokens, ntokens);
		if (rc != ZEK_OK)
			return rc;
	}
	return ZEK_OK;
}

/* GET /servicedesk/customer/portal/{portalId}/create/{requestTypeId}:
 * empty, or with a form kept when the session was gone (web/keep.c),
 * its files made the user's uploads as after a refused try. */
int
web_create_form(struct req *rq)
{
	struct create_state st;
	struct web_restore kept;
	const char **tokens;
	size_t ntokens;
	int rc = load_type(rq, &st);

	if (rc != ZEK_OK)
		return web_fail(rq, http_status_of(rc), rc);
	rc = web_kept_restore(rq, &kept);
	if (rc == ZEK_OK && kept.restored) {
		st.notice = kept.notice;
		rc = collect_all_uploads(rq, &st, &tokens, &ntokens);
	}
	if (rc != ZEK_OK)
		return rc;
	return create_page(rq, &st);
}

int
web_type_values(struct req *rq, const struct reqtype *t, struct field_value *fv,
    size_t *nfv)
{
	const struct form_field *vals[FORM_MAX_VALUES];
	size_t i, k, n;

	*nfv = 0;
	for (i = 0; i < t->nfields; i++) {
		if (t->fields[i].kind == FIELD_ATTACHMENT)
			continue;
		n = form_get_all(&rq->form, t->fields[i].key, vals);
		const char **v = arena_calloc(rq->arena, n + 1, sizeof(*v));
		if (v == NULL)
			return ZEK_NOMEM;
		for (k = 0; k < n; k++)
			v[k] = vals[k]->filename == NULL ? vals[k]->value : "";
		fv[*nfv] = (struct field_value){ t->fields[i].key, v, n };
		(*nfv)++;
	}
	return ZEK_OK;
}

/* An id chosen in the form: 0 when none was sent, -1 when the value is no
 * id (core refuses it beside the field, instead of reading "none"). */
static int64_t
form_id(struct req *rq, const char *name)
{
	const char *s = req_form(rq, name);
	int64_t v;

	if (str_empty(s))
		return 0;
	return str_to_i64(s, 1, INT64_MAX, &v) == 0 ? v : -1;
}

/* The search text of "Für wen?" (agents): text that cannot be read is
 * refused next to the field like any other's, never searched or lost. */
static int
check_person_query(struct req *rq, struct create_state *st)
{
	const struct field_error e = { .field = "onbehalf",
		.key = "err_invalid_utf8" };
	const char *q = req_form(rq, "onbehalf_q");
	struct person *p;
	size_t n;

	if (q == NULL || !perm_is_staff(rq->user) ||
	    core_onbehalf_search(&rq->ctx, rq->user, q, &p, &n) != ZEK_INVALID)
		return ZEK_OK;
	return add_error(rq, st, &e);
}

/* POST /servicedesk/customer/portal/{portalId}/create/{requestTypeId} */
int
web_create(struct req *rq)
{
	struct create_state st;
	struct create_input in = { 0 };
	struct field_value *fv;
	struct field_error *errs;
	const char **tokens;
	const char *key, *share;
	size_t i, nerrs = 0, ntokens, nfv;
	int rc;

	rc = load_type(rq, &st);
	if (rc != ZEK_OK)
		return web_fail(rq, http_status_of(rc), rc);
	st.submitted = true;
	fv = arena_calloc(rq->arena, st.type->nfields, sizeof(*fv));
	if (fv == NULL)
		return ZEK_NOMEM;
	rc = collect_all_uploads(rq, &st, &tokens, &ntokens);
	if (rc != ZEK_OK)
		return rc;
	rc = web_type_values(rq, st.type, fv, &nfv);
	if (rc == ZEK_OK)
		rc = check_person_query(rq, &st);
	if (rc != ZEK_OK)
		return rc;
	/* "Suchen" of "Für wen?": the form again with the people found,
	 * everything else kept; nothing is created. */
	if (req_form(rq, "find_person") != NULL)
		return create_page(rq, &st);
	share = req_form(rq, "share");
	in = (struct create_input){
		.portal_id = st.portal_id,
		.type_id = st.type->id,
		.on_behalf_user_id = form_id(rq, "onbehalf"),
		.share_org_id = str_eq(share, "private") ? 0 :
		                                           form_id(rq, "share"),
		.values = fv,
		.nvalues = nfv,
		.attachment_tokens = tokens,
		.ntokens = ntokens,
		.validate_only = st.nerrs > 0,
	};
	if (in.on_behalf_user_id == rq->user->id)
		in.on_behalf_user_id = 0;
	rc = core_request_create(&rq->ctx, rq->user, &in, &errs, &nerrs, &key);
	if (rc == ZEK_OK && st.nerrs == 0)
		return http_redirect(rq, 303,
		    core_request_path(rq->arena, st.portal_id, key));
	if (rc != ZEK_OK && rc != ZEK_INVALID)
		return rc;
	for (i = 0; i < nerrs; i++)
		if ((rc = add_error(rq, &st, &errs[i])) != ZEK_OK)
			return rc;
	return create_page(rq, &st);
}

/* GET /servicedesk/customer/objects?kind=mandant&q=Wohn: the typeahead. */
int
web_objects_search(struct req *rq)
{
	const char *kind = req_query(rq, "kind");
	const char *q = req_query(rq, "q");
	struct object *objs;
	json_t *vals;
	size_t i, n;
	int rc;

	if (kind == NULL || !core_object_kind_valid(kind) ||
	    (q != NULL && (strlen(q) > 200 || !utf8_valid(q, strlen(q)))))
		return http_reply_json(rq, 400, HTTP_JSON,
		    ctx_pack("{s:s}", "errorMessage",
		        web_t(rq, "err_bad_request_text")));
	rc = core_objects_search(&rq->ctx, kind, q, 20, &objs, &n);
	if (rc != ZEK_OK)
		return rc;
	vals = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(vals,
		    ctx_pack("{s:I, s:s}", "id", (json_int_t)objs[i].id, "name",
		        objs[i].name));
	return http_reply_json(rq, 200, HTTP_JSON,
	    ctx_pack("{s:o}", "values", vals));
}

/* GET /servicedesk/agent/people/search?q=Müll: the type-ahead of "Für
 * wen?" (agents only; core decides who is found). */
int
web_agent_people_search(struct req *rq)
{
	struct person *p;
	json_t *vals;
	size_t i, n;
	int rc;

	rc = core_onbehalf_search(&rq->ctx, rq->user, req_query(rq, "q"), &p,
	    &n);
	if (rc == ZEK_INVALID)
		return http_reply_json(rq, 400, HTTP_JSON,
		    ctx_pack("{s:s}", "errorMessage",
		        web_t(rq, "err_bad_request_text")));
	if (rc != ZEK_OK)
		return rc;
	vals = json_array();
	for (i = 0; vals != NULL && i < n; i++)
		json_array_append_new(vals,
		    ctx_pack("{s:I, s:s, s:s}", "id", (json_int_t)p[i].id,
		        "name", p[i].name, "label", person_label(rq, &p[i])));
	return http_reply_json(rq, 200, HTTP_JSON,
	    ctx_pack("{s:o}", "values", vals));
}

/* POST /servicedesk/customer/markdown-preview: the editor's "Vorschau". */
int
web_markdown_preview(struct req *rq)
{
	const char *text = req_form(rq, "text");
	struct buf out;
	int rc;

	if (text == NULL)
		text = "";
	if (!utf8_valid(text, strlen(text)))
		return web_fail(rq, 400, ZEK_INVALID);
	buf_init(&out, 1u << 20);
	rc = markdown_to_html(text, strlen(text), &out);
	if (rc == ZEK_OK)
		rc = http_reply(rq, 200, "text/html; charset=utf-8", &out);
	buf_free(&out);
	return rc;
}
