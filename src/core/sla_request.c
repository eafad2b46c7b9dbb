/* sla_request.c: a request's service-level goals from its type and its
 * activity log (sla.h), for support staff. */
#include "core/sla.h"

#include <string.h>

#include "core/config.h"
#include "core/ctx.h"
#include "core/requests.h"
#include "core/users.h"
#include "lib/arena.h"
#include "store/store.h"

#define SLA_ACTIVITY_MAX 10000      /* activity rows of one request read */

static void
reverse(struct store_activity *rows, size_t n)
{
	struct store_activity tmp;
	size_t i;

	for (i = 0; i < n / 2; i++) {
		tmp = rows[i];
		rows[i] = rows[n - 1 - i];
		rows[n - 1 - i] = tmp;
	}
}

static int
one_goal(const struct calendar *cal, enum sla_goal goal, int64_t minutes,
    const struct sla_event *ev, size_t n, int64_t now, bool *has,
    struct sla_result *out)
{
	*has = minutes > 0;
	if (!*has)
		return ZEK_OK;
	return sla_compute(cal, goal, minutes * 60 * 1000, ev, n, now, out);
}

int
core_request_sla(struct zctx *ctx, const struct user *user,
    const struct request_view *v, struct request_sla *out)
{
	struct calendar cal = CALENDAR_DEFAULT;
	struct store_activity *rows;
	struct store_reqtype *t;
	struct sla_event *ev;
	size_t n, nev;
	int rc;

	memset(out, 0, sizeof(*out));
	if (user == NULL || !user->is_agent)
		return ZEK_NOTFOUND;
	rc = store_reqtype_get(ctx->db, ctx->arena, v->type_id, &t);
	if (rc == ZEK_OK)
		rc = store_activity_by_request(ctx->db, ctx->arena, v->id, true,
		    SLA_ACTIVITY_MAX, &rows, &n);
	if (rc != ZEK_OK)
		return rc;
	ev = arena_calloc(ctx->arena, n > 0 ? n : 1, sizeof(*ev));
	if (ev == NULL)
		return ZEK_NOMEM;
	reverse(rows, n);       /* the store gives the newest first */
	nev = sla_events_of_activity(rows, n, ev);
	cal.state = ctx->cfg->sla_state;
	rc = one_goal(&cal, SLA_FIRST_RESPONSE, t->sla_response_minutes, ev, nev,
	    ctx->now_ms, &out->has_response, &out->response);
	if (rc == ZEK_OK)
		rc = one_goal(&cal, SLA_RESOLUTION, t->sla_resolution_minutes, ev,
		    nev, ctx->now_ms, &out->has_resolution, &out->resolution);
	return rc;
}
