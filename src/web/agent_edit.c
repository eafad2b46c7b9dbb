/* agent_edit.c: an agent edits a request: its type, title, description and
 * fields (core/edit.h). Works without JavaScript: another type is chosen
 * with a GET form that shows the fields it keeps, then saved. */
#include "web/web.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/edit.h"
#include "core/requests.h"
#include "core/validate.h"
#include "lib/str.h"

/* What the page shows besides the request: a failed save. */
struct edit_state {
	struct request_edit *ed;
	struct field_error *errs;
	size_t nerrs;
	bool sent;         /* show what the form sent */
	int64_t version;   /* the form's hidden version */
	const char *alert; /* role="alert" box at the top */
};

static const char *
edit_href(struct req *rq, const struct request_view *v)
{
	return arena_printf(rq->arena, "%s%s/edit", WEB_AGENT_REQUESTS, v->key);
}

static const char *
request_href(struct req *rq, const struct request_view *v)
{
	return arena_printf(rq->arena, "%s%s", WEB_AGENT_REQUESTS, v->key);
}

static json_t *
types_json(struct req *rq, const struct request_edit *ed)
{
	json_t *arr = json_array();
	char id[24];
	size_t i;

	for (i = 0; arr != NULL && i < ed->ntypes; i++) {
		snprintf(id, sizeof(id), "%" PRId64, ed->types[i].id);
		json_array_append_new(arr,
		    ctx_pack("{s:s, s:s, s:b}", "value", id, "label",
		        ed->types[i].name, "selected",
		        ed->types[i].id == ed->type->id));
	}
	return arr;
}

static json_t *
fields_json(struct req *rq, const struct edit_state *st)
{
	const struct reqtype *t = st->ed->type;
	const char **values;
	json_t *arr = json_array();
	size_t i, n;

	for (i = 0; arr != NULL && i < t->nfields; i++) {
		if (st->sent) {
			if (web_type_form_values(rq, t->fields[i].key, &values,
			        &n) != ZEK_OK)
				return arr;
		} else {
			values = st->ed->values[i].values;
			n = st->ed->values[i].nvalues;
		}
		json_array_append_new(arr,
		    web_type_field_json(rq, &t->fields[i], values, n,
		        web_error_for(st->errs, st->nerrs, t->fields[i].key)));
	}
	return arr;
}

/* The label of the field an error names, for the summary. */
static const char *
label_of(struct req *rq, const struct reqtype *t, const char *key)
{
	const struct field *f = core_reqtype_field(t, key);

	if (f != NULL)
		return f->label;
	return str_eq(key, EDIT_TYPE_FIELD) ? web_t(rq, "type_label") : key;
}

static json_t *
errors_json(struct req *rq, const struct edit_state *st)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr != NULL && i < st->nerrs; i++)
		json_array_append_new(arr,
		    web_summary_item(rq,
		        arena_printf(rq->arena, "f-%s", st->errs[i].field),
		        label_of(rq, st->ed->type, st->errs[i].field),
		        &st->errs[i]));
	return arr;
}

static int
edit_page(struct req *rq, const struct edit_state *st, unsigned status)
{
	const struct request_view *v = st->ed->view;
	json_t *page;

	page = web_page_ctx(rq, "agent_edit_title");
	if (page == NULL)
		return ZEK_NOMEM;
	json_object_set_new(page, "title",
	    json_string(arena_printf(rq->arena, "%s: %s", v->key,
	        web_t(rq, "agent_edit_title"))));
	json_object_set_new(page, "key", json_string(v->key));
	json_object_set_new(page, "action", json_string(edit_href(rq, v)));
	json_object_set_new(page, "back_href",
	    json_string(request_href(rq, v)));
	json_object_set_new(page, "version",
	    json_string(arena_printf(rq->arena, "%" PRId64, st->version)));
	json_object_set_new(page, "type_id",
	    json_string(arena_printf(rq->arena, "%" PRId64, st->ed->type->id)));
	json_object_set_new(page, "types", types_json(rq, st->ed));
	json_object_set_new(page, "type_changes",
	    json_boolean(st->ed->type->id != v->type_id));
	json_object_set_new(page, "current_type", json_string(v->type_name));
	json_object_set_new(page, "fields", fields_json(rq, st));
	if (st->nerrs > 0) {
		json_object_set_new(page, "errors", errors_json(rq, st));
		json_object_set_new(page, "has_errors", json_true());
	}
	if (st->alert != NULL)
		json_object_set_new(page, "page_alert", json_string(st->alert));
	web_breadcrumb(rq, page, web_t(rq, "agent_area"), WEB_AGENT);
	web_breadcrumb(rq, page, v->key, request_href(rq, v));
	web_breadcrumb(rq, page, web_t(rq, "agent_edit_title"), NULL);
	return web_render(rq, status, "agent/edit", page);
}

/* A type id a form sent: 0 when none, -1 when it is no id (refused). */
static int64_t
type_param(const char *s)
{
	int64_t id;

	if (str_empty(s))
		return 0;
	return str_to_i64(s, 1, INT64_MAX, &id) == 0 ? id : -1;
}

static int
load(struct req *rq, const char *type, struct request_edit **ed)
{
	int64_t tid = type_param(type);
	int rc;

	if (tid < 0)
		return ZEK_INVALID;
	rc = core_request_edit_form(&rq->ctx, rq->user,
	    req_param_str(rq, "key"), tid, rq->lang, ed);
	/* As every agent route: not found for anybody else. */
	return rc == ZEK_FORBIDDEN ? ZEK_NOTFOUND : rc;
}

/* GET /servicedesk/agent/requests/{key}/edit[?type=ID] */
int
web_agent_edit_form(struct req *rq)
{
	struct edit_state st = { 0 };
	int rc;

	rc = load(rq, req_query(rq, "type"), &st.ed);
	if (rc != ZEK_OK)
		return web_fail(rq, http_status_of(rc), rc);
	st.version = st.ed->version;
	return edit_page(rq, &st, 200);
}

/* POST /servicedesk/agent/requests/{key}/edit: type, version and the
 * type's fields. */
int
web_agent_edit(struct req *rq)
{
	struct edit_state st = { .sent = true };
	struct edit_input in = { 0 };
	struct field_value *fv;
	size_t nfv = 0;
	int rc;

	rc = load(rq, req_form(rq, "type"), &st.ed);
	if (rc == ZEK_OK &&
	    (str_empty(req_form(rq, "type")) ||
	        str_to_i64(req_form(rq, "version"), 0, INT64_MAX,
	            &st.version) != 0))
		rc = ZEK_INVALID;
	if (rc != ZEK_OK)
		return web_fail(rq, http_status_of(rc), rc);
	fv = arena_calloc(rq->arena, st.ed->type->nfields + 1, sizeof(*fv));
	if (fv == NULL)
		return ZEK_NOMEM;
	rc = web_type_values(rq, st.ed->type, fv, &nfv);
	if (rc != ZEK_OK)
		return rc;
	in = (struct edit_input){ .type_id = st.ed->type->id,
		.version = st.version,
		.values = fv,
		.nvalues = nfv };
	rc = core_request_edit(&rq->ctx, rq->user, st.ed->view->id, &in,
	    &st.errs, &st.nerrs);
	if (rc == ZEK_OK)
		return http_redirect(rq, 303,
		    arena_printf(rq->arena, "%s#details",
		        request_href(rq, st.ed->view)));
	if (rc == ZEK_INVALID)
		return edit_page(rq, &st,
		    http_status_of_errors(st.errs, st.nerrs, 422));
	if (rc != ZEK_CONFLICT)
		return web_fail(rq, http_status_of(rc), rc);
	/* Changed meanwhile: the typed input stays; saving it again is a
	 * choice made knowing, against the version now stored. */
	st.alert = web_t(rq, "agent_edit_conflict");
	st.version = st.ed->version;
	return edit_page(rq, &st, 409);
}
