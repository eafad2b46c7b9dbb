/* issue.c: the platform's view of one request (/rest/api/2/issue/{key}),
 * as little as python3-jira reads after creating a request. */
#include "api/api.h"

#include "core/requests.h"
#include "core/status.h"
#include "lib/str.h"

static const char *
category_key(enum status st)
{
	switch (status_category(st)) {
	case STATUS_CAT_NEW:
		return "new";
	case STATUS_CAT_IN_PROGRESS:
		return "indeterminate";
	case STATUS_CAT_DONE:
	default:
		return "done";
	}
}

/* The platform API writes times as "2026-11-27T16:42:00.000+0100". */
static json_t *
jira_time(struct req *rq, int64_t ms)
{
	json_t *d = api_date(rq, ms);
	json_t *s = d != NULL ? json_incref(json_object_get(d, "jira")) : NULL;

	json_decref(d);
	return s;
}

static const char *
description_of(const struct request_view *v)
{
	size_t i;

	for (i = 0; i < v->nfields; i++)
		if (str_eq(v->fields[i].key, "description") &&
		    v->fields[i].nvalues > 0)
			return v->fields[i].values[0];
	return NULL;
}

/* GET /rest/api/2/issue/{issueIdOrKey} */
int
api_issue(struct req *rq)
{
	struct request_view *v;
	const char *id;
	json_t *fields, *resolution;

	if (api_request_load(rq, &v) != ZEK_OK)
		return ZEK_OK;
	id = api_id(rq, v->id);
	resolution = v->resolution != RESOLUTION_NONE ?
	    json_pack("{s:s, s:s}", "id", v->resolution_code, "name",
	        v->resolution_label) :
	    json_null();
	fields = json_pack(
	    "{s:s, s:s?, s:{s:s, s:s, s:{s:s, s:s}}, s:o?, s:o, "
	    "s:o, s:o?, s:o?, s:{s:s?, s:s}, s:{s:s?, s:s, s:s}, s:[]}",
	    "summary", v->title, "description", description_of(v), "status",
	    "id", v->status_code, "name", v->status_label, "statusCategory",
	    "key", category_key(v->status), "name", category_key(v->status),
	    "resolution", resolution, "created", jira_time(rq, v->created_at),
	    "updated", jira_time(rq, v->updated_at), "reporter",
	    api_person_json(rq, &v->reporter), "creator",
	    api_person_json(rq, &v->creator), "issuetype", "id",
	    api_id(rq, v->type_id), "name", v->type_name, "project", "id",
	    api_id(rq, v->desk_id), "key", v->project_key, "name", v->desk_name,
	    "labels");
	return api_reply(rq, 200,
	    json_pack("{s:s, s:s, s:s?, s:o}", "id", id, "key", v->key, "self",
	        api_url(rq,
	            arena_printf(rq->arena, "/rest/api/2/issue/%s", id)),
	        "fields", fields));
}
