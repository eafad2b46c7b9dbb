/* participant.c: who takes part in a request
 * (/request/{issueIdOrKey}/participant). */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

#include "core/api_support.h"
#include "core/requests.h"
#include "core/sharing.h"
#include "core/users.h"
#include "core/validate.h"
#include "core/workflow.h"
#include "lib/str.h"

const struct api_json_field api_people_spec[2] = {
	{ "accountIds", API_JSON_ANY, false, 0 },
	{ "usernames", API_JSON_ANY, false, 0 },
};

/* Core names the people "who"; an error names the list that was sent. */
static const char *const who_ids[] = { "who", "accountIds", NULL };
static const char *const who_usernames[] = { "who", "usernames", NULL };

/* The names for an error about the i-th reference of read_people (ids
 * come first), or about the list as a whole (i = SIZE_MAX): usernames
 * when only those were sent. */
static const char *const *
who_names(json_t *body, size_t n_ids, size_t i)
{
	const json_t *ids = json_object_get(body, "accountIds");

	if (i == SIZE_MAX)
		return ids == NULL || json_is_null(ids) ? who_usernames :
		                                          who_ids;
	return i < n_ids ? who_ids : who_usernames;
}

json_t *
api_participants_array(struct req *rq, const struct request_view *v)
{
	json_t *all = json_array();
	size_t i;

	for (i = 0; all != NULL && i < v->nparticipants; i++)
		if (json_array_append_new(all,
		        api_person_json(rq, &v->participants[i])) != 0) {
			json_decref(all);
			return NULL;
		}
	return all;
}

/* GET /rest/servicedeskapi/request/{issueIdOrKey}/participant */
int
api_participants(struct req *rq)
{
	struct request_view *v;
	struct api_page pg;

	if (api_page_parse(rq, &pg) != ZEK_OK ||
	    api_request_load(rq, &v) != ZEK_OK)
		return ZEK_OK;
	return api_reply_page(rq, &pg, api_participants_array(rq, v), NULL);
}

int
api_people_refs(struct req *rq, json_t *body, size_t max, const char ***out,
    size_t *n, size_t *n_ids)
{
	static const char *const lists[] = { "accountIds", "usernames" };
	const json_t *arr, *e;
	const char **refs;
	size_t i, j, total = 0;

	for (i = 0; i < 2; i++) {
		arr = json_object_get(body, lists[i]);
		if (arr == NULL || json_is_null(arr))
			continue;
		if (!json_is_array(arr)) {
			api_error(rq, 400, "api_err_wrong_type", lists[i]);
			return ZEK_INVALID;
		}
		total += json_array_size(arr);
	}
	if (total == 0) {
		api_error(rq, 400, "api_err_missing_field", "accountIds");
		return ZEK_INVALID;
	}
	if (total > max) {
		api_error(rq, 400, "api_err_value_too_long",
		    who_names(body, 0, SIZE_MAX)[1]);
		return ZEK_INVALID;
	}
	refs = arena_calloc(rq->arena, total, sizeof(*refs));
	if (refs == NULL)
		return ZEK_NOMEM;
	*n = 0;
	*n_ids = 0;
	for (i = 0; i < 2; i++) {
		if (i == 1)
			*n_ids = *n;
		arr = json_object_get(body, lists[i]);
		json_array_foreach(arr, j, e) {
			if (json_is_string(e))
				refs[*n] = json_string_value(e);
			else if (json_is_integer(e))
				refs[*n] = arena_printf(rq->arena, "%lld",
				    (long long)json_integer_value(e));
			else
				refs[*n] = NULL;
			if (refs[*n] == NULL) {
				api_error(rq, 400, "api_err_wrong_type",
				    lists[i]);
				return ZEK_INVALID;
			}
			(*n)++;
		}
	}
	*out = refs;
	return ZEK_OK;
}

static int
refused(struct req *rq, int rc)
{
	if (rc == ZEK_CONFLICT)
		return api_error(rq, 409, "api_err_request_closed", NULL);
	if (rc == ZEK_FORBIDDEN)
		return api_error(rq, 403, "api_err_forbidden", NULL);
	return api_fail(rq, rc);
}

/* Replies with the request's participants as they are now. */
static int
reply_now(struct req *rq, const char *key)
{
	struct request_view *v;
	struct api_page pg = { 0, API_PAGE_LIMIT };
	int rc;

	rc = core_request_get(&rq->ctx, rq->user, key, rq->lang, &v);
	if (rc != ZEK_OK)
		return rc;
	return api_reply_page(rq, &pg, api_participants_array(rq, v), NULL);
}

static bool
takes_part(const struct request_view *v, int64_t id)
{
	size_t i;

	for (i = 0; i < v->nparticipants; i++)
		if (v->participants[i].id == id)
			return true;
	return false;
}

/* What a call adding or removing participants names, and where. */
struct people_call {
	json_t *body;
	const char **refs; /* the people as the body names them */
	size_t n, n_ids;   /* how many; how many of them by id */
	struct request_view *v;
	struct request_abilities ab;
};

/* Reads the body's people, the request and what the caller may do there.
 * Answers a failure itself and returns it (never ZEK_OK then). */
static int
people_call_start(struct req *rq, struct people_call *pc)
{
	int rc;

	if (api_body(rq, api_people_spec, 2, &pc->body) != ZEK_OK ||
	    api_people_refs(rq, pc->body, SHARE_PARTICIPANTS_MAX, &pc->refs,
	        &pc->n, &pc->n_ids) != ZEK_OK ||
	    api_request_load(rq, &pc->v) != ZEK_OK)
		return ZEK_INVALID;
	rc = core_request_abilities(&rq->ctx, rq->user, pc->v, &pc->ab);
	if (rc != ZEK_OK)
		api_fail(rq, rc);
	return rc;
}

/* POST /rest/servicedeskapi/request/{issueIdOrKey}/participant */
int
api_participants_add(struct req *rq)
{
	struct people_call pc;
	struct field_error err;
	struct person *people;
	size_t i, j, nadd = 0;
	int rc;

	if (people_call_start(rq, &pc) != ZEK_OK)
		return ZEK_OK;
	if (!pc.ab.share)
		return refused(rq, pc.ab.closed ? ZEK_CONFLICT : ZEK_FORBIDDEN);
	people = arena_calloc(rq->arena, pc.n, sizeof(*people));
	if (people == NULL)
		return ZEK_NOMEM;
	/* Everyone is found first: a refusal adds nobody. */
	for (i = 0; i < pc.n; i++) {
		rc = core_customer_resolve(&rq->ctx, rq->user, pc.refs[i],
		    &people[nadd], &err);
		if (rc == ZEK_INVALID)
			return api_field_errors(rq, &err, 1,
			    who_names(pc.body, pc.n_ids, i));
		if (rc != ZEK_OK)
			return rc;
		for (j = 0; j < nadd && people[j].id != people[nadd].id; j++)
			;
		if (j < nadd)
			continue;
		if (people[nadd].id == pc.v->reporter.id ||
		    takes_part(pc.v, people[nadd].id)) {
			err = (struct field_error){ .field = "who",
				.key = "err_share_already",
				.arg = people[nadd].name };
			return api_field_errors(rq, &err, 1,
			    who_names(pc.body, pc.n_ids, i));
		}
		nadd++;
	}
	if (pc.v->nparticipants + nadd > SHARE_PARTICIPANTS_MAX) {
		err = (struct field_error){ .field = "who",
			.key = "err_share_too_many",
			.max = SHARE_PARTICIPANTS_MAX };
		return api_field_errors(rq, &err, 1,
		    who_names(pc.body, pc.n_ids, SIZE_MAX));
	}
	for (i = 0; i < nadd; i++) {
		rc = core_participant_add(&rq->ctx, rq->user, pc.v->id,
		    people[i].email, NULL, &err);
		if (rc == ZEK_INVALID)
			return api_field_errors(rq, &err, 1,
			    who_names(pc.body, pc.n_ids, SIZE_MAX));
		if (rc != ZEK_OK)
			return refused(rq, rc);
	}
	return reply_now(rq, pc.v->key);
}

/* The participant a reference names: account id, e-mail or exact name. */
static const struct person *
find_participant(const struct request_view *v, const char *ref)
{
	int64_t id = 0;
	size_t i;

	if (strlen(ref) > 18 || str_to_i64(ref, 1, INT64_MAX, &id) != 0)
		id = 0;
	for (i = 0; i < v->nparticipants; i++) {
		const struct person *p = &v->participants[i];
		if (p->id == id ||
		    (id == 0 &&
		        (str_caseeq(p->email, ref) ||
		            str_caseeq(p->name, ref))))
			return p;
	}
	return NULL;
}

/* DELETE /rest/servicedeskapi/request/{issueIdOrKey}/participant */
int
api_participants_remove(struct req *rq)
{
	struct api_page pg = { 0, API_PAGE_LIMIT };
	const struct person **gone;
	const struct request_view *v;
	struct people_call pc;
	size_t i, j, n;
	json_t *all;
	int rc;

	if (people_call_start(rq, &pc) != ZEK_OK)
		return ZEK_OK;
	v = pc.v;
	n = pc.n;
	gone = arena_calloc(rq->arena, n, sizeof(*gone));
	if (gone == NULL)
		return ZEK_NOMEM;
	/* Every name must be a participant the caller may remove, before one
	 * is removed. */
	for (i = 0; i < n; i++) {
		gone[i] = find_participant(v, pc.refs[i]);
		if (gone[i] == NULL)
			return api_error(rq, 400, "api_err_not_participant",
			    pc.refs[i]);
		if (!pc.ab.remove_participants &&
		    !(pc.ab.leave && gone[i]->id == rq->user->id))
			return refused(rq,
			    pc.ab.closed ? ZEK_CONFLICT : ZEK_FORBIDDEN);
	}
	for (i = 0; i < n; i++) {
		for (j = 0; j < i && gone[j]->id != gone[i]->id; j++)
			;
		if (j < i)
			continue;
		rc = core_participant_remove(&rq->ctx, rq->user, v->id,
		    gone[i]->id);
		if (rc != ZEK_OK)
			return refused(rq, rc);
	}
	/* Who left may no longer see the request: the list from here. */
	all = json_array();
	for (i = 0; all != NULL && i < v->nparticipants; i++) {
		for (j = 0; j < n && gone[j]->id != v->participants[i].id; j++)
			;
		if (j == n &&
		    json_array_append_new(all,
		        api_person_json(rq, &v->participants[i])) != 0) {
			json_decref(all);
			return ZEK_NOMEM;
		}
	}
	return api_reply_page(rq, &pg, all, NULL);
}
