/* status.c: a request's current status and its history
 * (/request/{issueIdOrKey}/status). */
#include "api/api.h"

#include "core/activity.h"
#include "core/requests.h"
#include "core/status.h"

static const char *
category(enum status st)
{
	switch (status_category(st)) {
	case STATUS_CAT_NEW:
		return "NEW";
	case STATUS_CAT_IN_PROGRESS:
		return "INDETERMINATE";
	case STATUS_CAT_DONE:
	default:
		return "DONE";
	}
}

static json_t *
status_json(struct req *rq, enum status st, int64_t since)
{
	return json_pack("{s:s, s:s, s:o}", "status",
	    status_label(st, rq->lang), "statusCategory", category(st),
	    "statusDate", api_date(rq, since));
}

/* Entries that set a status: the creation (Offen) and every change. */
static bool
sets_status(const struct activity_entry *e, enum status *st)
{
	if (e->kind == ACTIVITY_CREATED || e->kind == ACTIVITY_STATUS_CHANGED) {
		*st = e->new_status;
		return true;
	}
	return false;
}

json_t *
api_status_history(struct req *rq, const struct request_view *v,
    const struct activity_entry *e, size_t n)
{
	json_t *all = json_array();
	enum status st;
	size_t i;
	bool created = false;

	for (i = 0; all != NULL && i < n; i++) {
		if (!sets_status(&e[i], &st))
			continue;
		created = created || e[i].kind == ACTIVITY_CREATED;
		if (json_array_append_new(all,
		        status_json(rq, st, e[i].created_at)) != 0) {
			json_decref(all);
			return NULL;
		}
	}
	/* A log cut at ACTIVITY_MAX still begins with the creation. */
	if (all != NULL && !created &&
	    json_array_append_new(all,
	        status_json(rq, STATUS_OFFEN, v->created_at)) != 0) {
		json_decref(all);
		return NULL;
	}
	return all;
}

json_t *
api_current_status(struct req *rq, const struct request_view *v)
{
	return status_json(rq, v->status, v->status_since);
}

/* GET /rest/servicedeskapi/request/{issueIdOrKey}/status */
int
api_request_status(struct req *rq)
{
	return api_reply_activity_list(rq, api_status_history);
}
