/* transition.c: the customer's transitions of a request: withdraw, accept
 * or reject a solution (/request/{issueIdOrKey}/transition). */
#include "api/api.h"

#include <stdio.h>

#include "core/requests.h"
#include "core/status.h"
#include "core/validate.h"
#include "core/workflow.h"
#include "lib/str.h"
#include "render/i18n.h"

/* Stable ids as JSM has them (numbers as strings); the action code is
 * accepted as an id too. */
struct transition {
	const char *id;
	enum wf_action action;
	const char *name_key; /* po/<lang>/api.po */
};

static const struct transition transitions[] = {
	{ "11", WF_WITHDRAW, "api_transition_withdraw" },
	{ "21", WF_ACCEPT_SOLUTION, "api_transition_accept" },
	{ "31", WF_REJECT_SOLUTION, "api_transition_reject" },
};
#define NTRANSITIONS (sizeof(transitions) / sizeof(*transitions))

static bool
offered(const struct request_abilities *ab, enum wf_action a)
{
	switch (a) {
	case WF_WITHDRAW:
		return ab->withdraw;
	case WF_ACCEPT_SOLUTION:
		return ab->accept_solution;
	case WF_REJECT_SOLUTION:
		return ab->reject_solution;
	default:
		return false;
	}
}

/* GET /rest/servicedeskapi/request/{issueIdOrKey}/transition */
int
api_transitions(struct req *rq)
{
	struct request_abilities ab;
	struct request_view *v;
	struct api_page pg;
	json_t *all;
	size_t i;
	int rc;

	if (api_page_parse(rq, &pg) != ZEK_OK ||
	    api_request_load(rq, &v) != ZEK_OK)
		return ZEK_OK;
	rc = core_request_abilities(&rq->ctx, rq->user, v, &ab);
	if (rc != ZEK_OK)
		return rc;
	all = json_array();
	for (i = 0; all != NULL && i < NTRANSITIONS; i++)
		if (offered(&ab, transitions[i].action) &&
		    json_array_append_new(all,
		        json_pack("{s:s, s:s}", "id", transitions[i].id, "name",
		            i18n_get(rq->cat, rq->lang,
		                transitions[i].name_key))) != 0) {
			json_decref(all);
			return ZEK_NOMEM;
		}
	return api_reply_page(rq, &pg, all, NULL);
}

static const struct api_json_field transition_spec[] = {
	{ "id", API_JSON_ANY, true, 0 },
	{ "additionalComment", API_JSON_OBJECT, false, 0 },
};

static const struct transition *
find(const json_t *id)
{
	char num[24];
	const char *s = NULL;
	size_t i;

	if (json_is_string(id)) {
		s = json_string_value(id);
	} else if (json_is_integer(id)) {
		snprintf(num, sizeof(num), "%lld",
		    (long long)json_integer_value(id));
		s = num;
	}
	for (i = 0; s != NULL && i < NTRANSITIONS; i++)
		if (str_eq(s, transitions[i].id) ||
		    str_eq(s, wf_action_code(transitions[i].action)))
			return &transitions[i];
	return NULL;
}

/* POST /rest/servicedeskapi/request/{issueIdOrKey}/transition */
int
api_transition(struct req *rq)
{
	static const char *const names[] = { "comment",
		"additionalComment.body", NULL };
	const struct transition *t;
	struct request_view *v;
	struct field_error err = { 0 };
	const char *comment = NULL, *arg;
	json_t *body;
	int rc;

	if (api_body(rq, transition_spec, 2, &body) != ZEK_OK ||
	    api_additional_comment(rq, body, &comment) != ZEK_OK)
		return ZEK_OK;
	if ((t = find(json_object_get(body, "id"))) == NULL) {
		arg = json_is_string(json_object_get(body, "id")) ?
		    json_string_value(json_object_get(body, "id")) :
		    NULL;
		return api_error(rq, 400, "api_err_no_transition",
		    arg != NULL ? arena_strdup(rq->arena, arg) : "");
	}
	if (api_request_load(rq, &v) != ZEK_OK)
		return ZEK_OK;
	rc = core_transition(&rq->ctx, rq->user, v->id, t->action,
	    RESOLUTION_NONE, comment, &err);
	switch (rc) {
	case ZEK_OK:
		return api_reply_empty(rq, 204);
	case ZEK_INVALID:
		if (err.key == NULL)
			return api_error(rq, 400, "api_err_bad_request", NULL);
		return api_field_errors(rq, &err, 1, names);
	case ZEK_FORBIDDEN:
		return api_error(rq, 403, "api_err_forbidden", NULL);
	case ZEK_CONFLICT:
		return api_error(rq, 409, "api_err_transition_now", NULL);
	case ZEK_NOTFOUND:
		return api_error(rq, 404, "api_err_no_request",
		    req_param_str(rq, "key"));
	default:
		return rc;
	}
}
