/* servicedesk.c: service desks, request-type groups, request types and their
 * fields, as /rest/servicedeskapi/servicedesk/... shows them. */
#include "api/api.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/fields.h"
#include "core/objects.h"
#include "core/portal.h"
#include "core/requests.h"
#include "core/users.h"
#include "lib/str.h"
#include "lib/utf8.h"

#define ICON_PATH "/static/v1/icons/"
#define ICON_DEFAULT "allgemein"
#define SEARCH_MAX 200 /* bytes of ?searchQuery */
#define CF "com.atlassian.jira.plugin.system.customfieldtypes:"
#define CF_OBJECT "com.atlassian.jira.plugins.cmdb:cmdb-object-cftype"

static json_t *
desk_of(struct req *rq, const struct portal_summary *d)
{
	return api_desk_json(rq, d->desk_id, d->name, d->project_key, d->id);
}

/* GET /rest/servicedeskapi/servicedesk */
int
api_servicedesks(struct req *rq)
{
	struct portal_summary *list;
	struct api_page pg;
	json_t *all;
	size_t i, n;
	int rc;

	if (api_page_parse(rq, &pg) != ZEK_OK)
		return ZEK_OK;
	rc = core_portals_list(&rq->ctx, rq->user, &list, &n);
	if (rc != ZEK_OK)
		return rc;
	all = json_array();
	for (i = 0; all != NULL && i < n; i++)
		if (json_array_append_new(all, desk_of(rq, &list[i])) != 0) {
			json_decref(all);
			return ZEK_NOMEM;
		}
	return api_reply_page(rq, &pg, all, NULL);
}

/* GET /rest/servicedeskapi/servicedesk/{serviceDeskId} */
int
api_servicedesk(struct req *rq)
{
	const struct portal_summary *d;

	if (api_desk_load(rq, &d) != ZEK_OK)
		return ZEK_OK;
	return api_reply(rq, 200, desk_of(rq, d));
}

/* The desk of the route's {sd} with its groups and types in the caller's
 * language. Answers itself on failure. */
static int
load_portal(struct req *rq, struct portal **out)
{
	const struct portal_summary *d;
	int rc;

	if (api_desk_load(rq, &d) != ZEK_OK)
		return ZEK_NOTFOUND;
	rc = core_portal_get(&rq->ctx, rq->user, d->id, rq->lang, out);
	if (rc != ZEK_OK) {
		api_fail(rq, rc);
		return rc;
	}
	return ZEK_OK;
}

/* GET /rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttypegroup */
int
api_requesttype_groups(struct req *rq)
{
	struct portal *p;
	struct api_page pg;
	json_t *all;
	size_t i;

	if (api_page_parse(rq, &pg) != ZEK_OK || load_portal(rq, &p) != ZEK_OK)
		return ZEK_OK;
	all = json_array();
	for (i = 0; all != NULL && i < p->ngroups; i++)
		json_array_append_new(all,
		    json_pack("{s:s, s:s}", "id", api_id(rq, p->groups[i].id),
		        "name", p->groups[i].name));
	return api_reply_page(rq, &pg, all, NULL);
}

/* ---- fields (CreateMeta) ---- */

static json_t *
custom_schema(const struct field *f, const char *type, const char *items,
    const char *custom)
{
	json_t *s = json_pack("{s:s, s:s, s:I}", "type", type, "custom", custom,
	    "customId", (json_int_t)f->id);

	if (s != NULL && items != NULL)
		json_object_set_new(s, "items", json_string(items));
	return s;
}

static json_t *
field_schema(const struct field *f)
{
	switch (f->kind) {
	case FIELD_TEXT:
		if (str_eq(f->key, "summary"))
			return json_pack("{s:s, s:s}", "type", "string",
			    "system", "summary");
		return custom_schema(f, "string", NULL, CF "textfield");
	case FIELD_RICHTEXT:
		if (str_eq(f->key, "description"))
			return json_pack("{s:s, s:s}", "type", "string",
			    "system", "description");
		return custom_schema(f, "string", NULL, CF "textarea");
	case FIELD_TEXTAREA:
		return custom_schema(f, "string", NULL, CF "textarea");
	case FIELD_SELECT:
		return custom_schema(f, "option", NULL, CF "select");
	case FIELD_CHECKBOX:
		return custom_schema(f, "array", "option",
		    CF "multicheckboxes");
	case FIELD_DATETIME:
		return custom_schema(f, "datetime", NULL, CF "datetime");
	case FIELD_URL:
		return custom_schema(f, "string", NULL, CF "url");
	case FIELD_OBJECT:
		return custom_schema(f, "array", "any", CF_OBJECT);
	case FIELD_ATTACHMENT:
	default:
		return json_pack("{s:s, s:s, s:s}", "type", "array", "items",
		    "attachment", "system", "attachment");
	}
}

static json_t *
valid_value(const char *value, const char *label)
{
	return json_pack("{s:s, s:s, s:[]}", "value", value, "label", label,
	    "children");
}

/* What the field accepts: option values, the checkbox's one value, the
 * objects of the catalogue (the same list the create form offers). */
static json_t *
valid_values(struct req *rq, const struct field *f)
{
	json_t *arr = json_array();
	struct object *objs;
	size_t i, n;

	if (arr == NULL)
		return NULL;
	switch (f->kind) {
	case FIELD_SELECT:
		for (i = 0; i < f->noptions; i++)
			json_array_append_new(arr,
			    valid_value(f->options[i].value,
			        f->options[i].label));
		break;
	case FIELD_CHECKBOX:
		json_array_append_new(arr, valid_value("1", f->checkbox_label));
		break;
	case FIELD_OBJECT:
		if (core_objects_list(&rq->ctx, f->object_kind, &objs, &n) !=
		    ZEK_OK)
			break;
		for (i = 0; i < n; i++)
			json_array_append_new(arr,
			    valid_value(api_id(rq, objs[i].id), objs[i].name));
		break;
	default:
		break;
	}
	return arr;
}

static json_t *
field_json(struct req *rq, const struct field *f)
{
	return json_pack("{s:s, s:s, s:s, s:b, s:[], s:o, s:[], s:o, s:b}",
	    "fieldId", f->key, "name", f->label, "description", f->help,
	    "required", f->required, "defaultValues", "validValues",
	    valid_values(rq, f), "presetValues", "jiraSchema", field_schema(f),
	    "visible", 1);
}

/* CreateMeta of a request type. */
static json_t *
create_meta(struct req *rq, const struct reqtype *t)
{
	struct person *people;
	json_t *fields = json_array();
	size_t i, n = 0;

	if (fields == NULL)
		return NULL;
	for (i = 0; i < t->nfields; i++)
		if (json_array_append_new(fields,
		        field_json(rq, &t->fields[i])) != 0) {
			json_decref(fields);
			return NULL;
		}
	/* A customer may raise requests for people of their organisations. */
	if (core_onbehalf_candidates(&rq->ctx, rq->user, NULL, 2, &people,
	        &n) != ZEK_OK)
		n = 0;
	return json_pack("{s:o, s:b, s:b}", "requestTypeFields", fields,
	    "canRaiseOnBehalfOf", n > 1, "canAddRequestParticipants", 1);
}

/* ---- request types ---- */

static json_t *
icon_json(struct req *rq, const char *icon)
{
	const char *name = str_empty(icon) ? ICON_DEFAULT : icon;
	const char *url = api_url(rq,
	    arena_printf(rq->arena, ICON_PATH "%s.svg", name));

	return json_pack("{s:s, s:{s:{s:s?, s:s?, s:s?, s:s?}}}", "id", name,
	    "_links", "iconUrls", "48x48", url, "24x24", url, "16x16", url,
	    "32x32", url);
}

/* A RequestType; `meta` (stolen, may be NULL) becomes its "fields". */
static json_t *
type_json(struct req *rq, const struct portal *p, int64_t group_id, int64_t id,
    const char *name, const char *description, const char *icon, json_t *meta)
{
	json_t *t;

	t = json_pack("{s:s, s:{s:s?}, s:s, s:s, s:s, s:s, s:s, s:s, s:[s], "
	              "s:o, s:s}",
	    "id", api_id(rq, id), "_links", "self",
	    api_url(rq,
	        arena_printf(rq->arena,
	            API_SD "/servicedesk/%lld/requesttype/%lld",
	            (long long)p->desk_id, (long long)id)),
	    "name", name, "description", description, "helpText", "",
	    "issueTypeId", api_id(rq, id), "serviceDeskId",
	    api_id(rq, p->desk_id), "portalId", api_id(rq, p->id), "groupIds",
	    api_id(rq, group_id), "icon", icon_json(rq, icon),
	    "restrictionStatus", "OPEN");
	if (t == NULL) {
		json_decref(meta);
		return NULL;
	}
	if (meta != NULL) {
		json_object_set_new(t, "fields", meta);
		json_object_set_new(t, "_expands", json_array());
	} else {
		json_object_set_new(t, "_expands", json_pack("[s]", "field"));
	}
	return t;
}

/* The request type filters of the list: ?groupId and ?searchQuery. */
struct type_filter {
	int64_t group_id;  /* 0 = any */
	const char *query; /* folded, NULL = any */
};

static int
parse_filter(struct req *rq, struct type_filter *f)
{
	const char *g = req_query(rq, "groupId");
	const char *q = req_query(rq, "searchQuery");

	f->group_id = 0;
	f->query = NULL;
	if (g != NULL &&
	    (strlen(g) > 19 ||
	        str_to_i64(g, 1, INT64_MAX, &f->group_id) != 0)) {
		api_error(rq, 400, "api_err_bad_param", "groupId");
		return ZEK_INVALID;
	}
	if (!str_empty(q)) {
		if (strlen(q) > SEARCH_MAX ||
		    (f->query = utf8_fold_in(rq->arena, q)) == NULL) {
			api_error(rq, 400, "api_err_bad_param", "searchQuery");
			return ZEK_INVALID;
		}
	}
	return ZEK_OK;
}

static bool
type_matches(struct req *rq, const struct type_filter *f, int64_t group_id,
    const char *name)
{
	const char *folded;

	if (f->group_id != 0 && f->group_id != group_id)
		return false;
	if (f->query == NULL)
		return true;
	folded = utf8_fold_in(rq->arena, name);
	return folded != NULL && strstr(folded, f->query) != NULL;
}

/* The CreateMeta for ?expand=field, or NULL when not asked for. */
static int
maybe_meta(struct req *rq, const struct portal *p, int64_t type_id,
    json_t **meta)
{
	struct reqtype *t;
	int rc;

	*meta = NULL;
	if (!api_expand(rq, "field"))
		return ZEK_OK;
	rc = core_reqtype_offered(&rq->ctx, p->id, type_id, rq->lang, &t);
	if (rc != ZEK_OK)
		return rc;
	*meta = create_meta(rq, t);
	return *meta != NULL ? ZEK_OK : ZEK_NOMEM;
}

/* GET /rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttype */
int
api_requesttypes(struct req *rq)
{
	static const char *const keep[] = { "groupId", "searchQuery", "expand",
		NULL };
	struct type_filter filter;
	struct portal *p;
	struct api_page pg;
	json_t *all, *meta;
	size_t i, j;
	int rc;

	if (api_page_parse(rq, &pg) != ZEK_OK ||
	    parse_filter(rq, &filter) != ZEK_OK ||
	    load_portal(rq, &p) != ZEK_OK)
		return ZEK_OK;
	all = json_array();
	for (i = 0; all != NULL && i < p->ngroups; i++) {
		const struct portal_group *g = &p->groups[i];
		for (j = 0; j < g->ntypes; j++) {
			const struct portal_reqtype *t = &g->types[j];
			if (!type_matches(rq, &filter, g->id, t->name))
				continue;
			rc = maybe_meta(rq, p, t->id, &meta);
			if (rc != ZEK_OK) {
				json_decref(all);
				return rc;
			}
			json_array_append_new(all,
			    type_json(rq, p, g->id, t->id, t->name,
			        t->description, t->icon, meta));
		}
	}
	return api_reply_page(rq, &pg, all, keep);
}

/* The request type of path parameter 1 in the desk's portal. */
static int
find_type(struct req *rq, struct portal **p, const struct portal_group **g,
    const struct portal_reqtype **t)
{
	int64_t id;
	size_t i, j;

	if (load_portal(rq, p) != ZEK_OK)
		return ZEK_NOTFOUND;
	if (req_param_i64(rq, "rt", &id))
		for (i = 0; i < (*p)->ngroups; i++)
			for (j = 0; j < (*p)->groups[i].ntypes; j++)
				if ((*p)->groups[i].types[j].id == id) {
					*g = &(*p)->groups[i];
					*t = &(*g)->types[j];
					return ZEK_OK;
				}
	api_error(rq, 404, "api_err_no_request_type", req_param_str(rq, "rt"));
	return ZEK_NOTFOUND;
}

/* GET /rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttype/{requestTypeId} */
int
api_requesttype(struct req *rq)
{
	const struct portal_group *g;
	const struct portal_reqtype *t;
	struct portal *p;
	json_t *meta;
	int rc;

	if (find_type(rq, &p, &g, &t) != ZEK_OK)
		return ZEK_OK;
	rc = maybe_meta(rq, p, t->id, &meta);
	if (rc != ZEK_OK)
		return rc;
	return api_reply(rq, 200,
	    type_json(rq, p, g->id, t->id, t->name, t->description, t->icon,
	        meta));
}

/* GET /rest/servicedeskapi/servicedesk/{serviceDeskId}/requesttype/{requestTypeId}/field */
int
api_requesttype_fields(struct req *rq)
{
	const struct portal_group *g;
	const struct portal_reqtype *t;
	struct portal *p;
	struct reqtype *rt;
	int rc;

	if (find_type(rq, &p, &g, &t) != ZEK_OK)
		return ZEK_OK;
	rc = core_reqtype_offered(&rq->ctx, p->id, t->id, rq->lang, &rt);
	if (rc != ZEK_OK)
		return rc;
	return api_reply(rq, 200, create_meta(rq, rt));
}
