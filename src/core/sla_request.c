/* sla_request.c: a request's service-level goals from its type and its
 * activity log (sla.h), for support staff. */
#include "core/sla.h"

#include <string.h>

#include "core/activity.h"
#include "core/business_calendar.h"
#include "core/ctx.h"
#include "core/perm.h"
#include "core/reports.h"
#include "core/requests.h"
#include "core/users.h"
#include "core/workflow.h"
#include "lib/arena.h"
#include "store/store.h"

#define SLA_ACTIVITY_MAX 10000 /* activity rows of one request read */
#define SLA_STALE_BATCH 200    /* stale requests one pass works out */

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

/* Both goals of a type over a request's events as of ctx->now_ms. */
static int
both_goals(struct zctx *ctx, const struct store_reqtype *t,
    const struct sla_event *ev, size_t nev, struct request_sla *out)
{
	struct calendar cal;
	int rc;

	rc = core_calendar_load(ctx, &cal);
	if (rc == ZEK_OK)
		rc = one_goal(&cal, SLA_FIRST_RESPONSE, t->sla_response_minutes,
		    ev, nev, ctx->now_ms, &out->has_response, &out->response);
	if (rc == ZEK_OK)
		rc = one_goal(&cal, SLA_RESOLUTION, t->sla_resolution_minutes,
		    ev, nev, ctx->now_ms, &out->has_resolution,
		    &out->resolution);
	return rc;
}

enum zek_rc
core_request_log(struct zctx *ctx, int64_t request_id,
    struct store_activity **rows, size_t *n)
{
	enum zek_rc rc;

	rc = store_activity_by_request(ctx->db, ctx->arena, request_id, true,
	    SLA_ACTIVITY_MAX, rows, n);
	if (rc == ZEK_OK)
		reverse(*rows, *n); /* the store gives the newest first */
	return rc;
}

/* The events of a request's log (oldest first). */
static int
events_of_rows(struct zctx *ctx, const struct store_activity *rows, size_t n,
    struct sla_event **ev, size_t *nev)
{
	*ev = arena_calloc(ctx->arena, n > 0 ? n : 1, sizeof(**ev));
	if (*ev == NULL)
		return ZEK_NOMEM;
	*nev = sla_events_of_activity(rows, n, *ev);
	return ZEK_OK;
}

/* A request's events from its activity log, oldest first. */
static int
events_of_request(struct zctx *ctx, int64_t request_id, struct sla_event **ev,
    size_t *nev)
{
	struct store_activity *rows;
	size_t n;
	int rc;

	rc = core_request_log(ctx, request_id, &rows, &n);
	return rc == ZEK_OK ? events_of_rows(ctx, rows, n, ev, nev) : rc;
}

/* The events of a log the page read already (newest first). */
static int
events_of_log(struct zctx *ctx, const struct activity_log *log,
    struct sla_event **ev, size_t *nev)
{
	struct store_activity *rows;

	/* A copy: the page's rows stay newest first. */
	rows = arena_calloc(ctx->arena, log->n > 0 ? log->n : 1, sizeof(*rows));
	if (rows == NULL)
		return ZEK_NOMEM;
	if (log->n > 0)
		memcpy(rows, log->rows, log->n * sizeof(*rows));
	reverse(rows, log->n);
	return events_of_rows(ctx, rows, log->n, ev, nev);
}

int
core_request_sla_of_log(struct zctx *ctx, const struct user *user,
    const struct request_view *v, const struct activity_log *log,
    struct request_sla *out)
{
	const struct store_reqtype *t;
	const struct store_desk *d;
	struct sla_event *ev;
	size_t nev;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!perm_is_staff(user))
		return ZEK_NOTFOUND;
	/* The view read the type: its memo. */
	rc = core_reqtype_stored(ctx, v->type_id, &t, &d);
	if (rc != ZEK_OK)
		return rc;
	if (log != NULL && log->complete && log->with_internal)
		rc = events_of_log(ctx, log, &ev, &nev);
	else
		rc = events_of_request(ctx, v->id, &ev, &nev);
	return rc == ZEK_OK ? both_goals(ctx, t, ev, nev, out) : rc;
}

int
core_request_sla(struct zctx *ctx, const struct user *user,
    const struct request_view *v, struct request_sla *out)
{
	return core_request_sla_of_log(ctx, user, v, NULL, out);
}

/* Folds one goal's cycles into the queue's columns: the earliest breach
 * of any cycle, and the running (or breached, still open) one's due time. */
static void
fold_goal(bool has, const struct sla_result *r, struct store_request_sla *q)
{
	const struct sla_cycle *c = &r->ongoing;
	size_t i;

	if (!has)
		return;
	for (i = 0; i < r->ncompleted; i++)
		if (r->completed[i].breached &&
		    r->completed[i].breach_at < q->breach_at)
			q->breach_at = r->completed[i].breach_at;
	if (!r->has_ongoing || c->breach_at == 0)
		return; /* none runs, or paused before its breach */
	if (c->breach_at < q->breach_at)
		q->breach_at = c->breach_at;
	if (c->breach_at < q->due_at) {
		q->due_at = c->breach_at;
		q->due_goal_ms = c->goal_ms;
	}
}

/* Works the queue's columns out from the events. */
static int
fold_goals(struct zctx *ctx, const struct store_reqtype *t,
    const struct sla_event *ev, size_t nev, struct store_request_sla *q)
{
	struct request_sla r;
	int rc;

	*q = STORE_REQUEST_SLA_NONE;
	rc = both_goals(ctx, t, ev, nev, &r);
	if (rc != ZEK_OK)
		return rc;
	fold_goal(r.has_response, &r.response, q);
	fold_goal(r.has_resolution, &r.resolution, q);
	return ZEK_OK;
}

/* ... and stores them. */
static int
store_goals(struct zctx *ctx, int64_t request_id, const struct store_reqtype *t,
    const struct sla_event *ev, size_t nev)
{
	struct store_request_sla q;
	int rc;

	rc = fold_goals(ctx, t, ev, nev, &q);
	if (rc != ZEK_OK)
		return rc;
	return store_request_set_sla(ctx->db, request_id, &q);
}

static bool
has_goals(const struct store_reqtype *t)
{
	return t->sla_response_minutes > 0 || t->sla_resolution_minutes > 0;
}

int
core_request_sla_initial(struct zctx *ctx, const struct store_reqtype *t,
    int64_t created_at, struct store_request_sla *out)
{
	const struct sla_event ev = { created_at, SLA_CREATED };

	*out = STORE_REQUEST_SLA_NONE;
	return has_goals(t) ? fold_goals(ctx, t, &ev, 1, out) : ZEK_OK;
}

int
core_request_sla_refresh(struct zctx *ctx, int64_t request_id)
{
	const struct store_request_sla never = STORE_REQUEST_SLA_NONE;
	struct store_activity *rows;
	struct store_reqtype *t;
	struct store_request *r;
	struct sla_event *ev;
	size_t n, nev;
	int rc;

	rc = store_request_by_id(ctx->db, ctx->arena, request_id, &r);
	if (rc == ZEK_OK)
		rc = store_reqtype_get(ctx->db, ctx->arena, r->type_id, &t);
	if (rc == ZEK_OK)
		rc = core_request_log(ctx, request_id, &rows, &n);
	if (rc != ZEK_OK)
		return rc;
	if (!has_goals(t))
		rc = store_request_set_sla(ctx->db, request_id, &never);
	else if ((rc = events_of_rows(ctx, rows, n, &ev, &nev)) == ZEK_OK)
		rc = store_goals(ctx, request_id, t, ev, nev);
	/* The same events are what the reports count (reports.h). */
	if (rc == ZEK_OK)
		rc = core_report_request_update(ctx, r, t, rows, n);
	return rc;
}

/* One stale request under its row lock, so that an event worked out
 * meanwhile is not overwritten by older facts. */
static enum zek_rc
refresh_one(struct zctx *ctx, struct store_request *r, unsigned roles,
    void *arg)
{
	(void)roles;
	(void)arg;
	return core_request_sla_refresh(ctx, r->id);
}

enum zek_rc
core_sla_refresh_stale(struct zctx *ctx, int64_t *done, bool *more)
{
	int64_t *ids;
	size_t i, n;
	int rc;

	*more = false;
	rc = store_requests_sla_stale(ctx->db, ctx->arena, SLA_STALE_BATCH,
	    &ids, &n);
	for (i = 0; rc == ZEK_OK && i < n; i++) {
		bool kept;

		rc = core_request_locked_run(ctx, NULL, ids[i], refresh_one,
		    NULL, &kept);
		if (rc == ZEK_OK && kept)
			(*done)++;
	}
	*more = rc == ZEK_OK && n == SLA_STALE_BATCH;
	return rc;
}
