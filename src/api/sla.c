/* sla.c: service level agreements of a request (/request/{issueIdOrKey}/sla)
 * in JSM's shape: one entry per goal its type has (core/sla.h), with the
 * completed cycles and the ongoing one. Customers, as in JSM, may not ask. */
#include "api/api.h"

#include "core/perm.h"
#include "core/requests.h"
#include "core/sla.h"
#include "core/users.h"
#include "lib/arena.h"

/* {"millis": …, "friendly": "8h 30m"} */
static json_t *
duration(struct req *rq, int64_t ms)
{
	int64_t m = (ms < 0 ? -ms : ms) / 60000;
	const char *friendly = m % 60 == 0 ?
	    arena_printf(rq->arena, "%s%lldh", ms < 0 ? "-" : "",
	        (long long)(m / 60)) :
	    arena_printf(rq->arena, "%s%lldh %lldm", ms < 0 ? "-" : "",
	        (long long)(m / 60), (long long)(m % 60));

	return json_pack("{s:I, s:s}", "millis", (json_int_t)ms, "friendly",
	    friendly != NULL ? friendly : "");
}

static json_t *
completed_json(struct req *rq, const struct sla_cycle *c)
{
	return json_pack("{s:o, s:o, s:b, s:o, s:o, s:o}", "startTime",
	    api_date(rq, c->start), "stopTime", api_date(rq, c->stop),
	    "breached", c->breached, "goalDuration", duration(rq, c->goal_ms),
	    "elapsedTime", duration(rq, c->elapsed_ms), "remainingTime",
	    duration(rq, c->goal_ms - c->elapsed_ms));
}

static json_t *
ongoing_json(struct req *rq, const struct sla_cycle *c)
{
	json_t *j = json_pack("{s:o, s:b, s:b, s:b, s:o, s:o, s:o}",
	    "startTime", api_date(rq, c->start), "breached", c->breached,
	    "paused", c->paused, "withinCalendarHours", !c->paused,
	    "goalDuration", duration(rq, c->goal_ms), "elapsedTime",
	    duration(rq, c->elapsed_ms), "remainingTime",
	    duration(rq, c->goal_ms - c->elapsed_ms));

	if (j != NULL && c->breach_at > 0)
		json_object_set_new(j, "breachTime",
		    api_date(rq, c->breach_at));
	return j;
}

static json_t *
goal_json(struct req *rq, const struct request_view *v, int id,
    const char *name, const struct sla_result *r)
{
	json_t *done = json_array(), *j;
	size_t i;

	for (i = 0; done != NULL && i < r->ncompleted; i++)
		json_array_append_new(done,
		    completed_json(rq, &r->completed[i]));
	j = json_pack("{s:s, s:s, s:o, s:{s:s}}", "id", id == 1 ? "1" : "2",
	    "name", name, "completedCycles", done, "_links", "self",
	    api_url(rq,
	        arena_printf(rq->arena, "/request/%s/sla/%d", v->key, id)));
	if (j != NULL && r->has_ongoing)
		json_object_set_new(j, "ongoingCycle",
		    ongoing_json(rq, &r->ongoing));
	return j;
}

/* GET /rest/servicedeskapi/request/{issueIdOrKey}/sla */
int
api_request_sla(struct req *rq)
{
	struct request_view *v;
	struct request_sla sla;
	struct api_page pg;
	json_t *all;
	int rc;

	if (api_page_parse(rq, &pg) != ZEK_OK ||
	    api_request_load(rq, &v) != ZEK_OK)
		return ZEK_OK;
	if (!perm_is_staff(rq->user))
		return api_error(rq, 403, "api_err_sla_agents", NULL);
	rc = core_request_sla(&rq->ctx, rq->user, v, &sla);
	if (rc != ZEK_OK)
		return api_fail(rq, rc);
	all = json_array();
	if (all != NULL && sla.has_response)
		json_array_append_new(all,
		    goal_json(rq, v, 1, "Time to first response",
		        &sla.response));
	if (all != NULL && sla.has_resolution)
		json_array_append_new(all,
		    goal_json(rq, v, 2, "Time to resolution", &sla.resolution));
	return api_reply_page(rq, &pg, all, NULL);
}
