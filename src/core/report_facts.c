/* report_facts.c: what each request adds to the reports' counts, kept by
 * difference whenever it changes (reports.h). */
#include "core/reports.h"

#include <stdlib.h>
#include <string.h>

#include "core/business_calendar.h"
#include "core/calendar.h"
#include "core/ctx.h"
#include "core/sla.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "store/store.h"

#define NO_GOAL_MS (INT64_MAX / 4) /* measured, never breached */
#define SERVICES_TEXT_MAX 1024

/* ---- the facts ---- */

/* Resolved: closed, or a solution proposed and not answered yet. */
static bool
is_resolved(const char *status, const char *resolution)
{
	return str_eq(status, "geschlossen") ||
	    (str_eq(status, "wartet_kunde") && str_eq(resolution, "geloest"));
}

/* When the request last became resolved by its log, 0 = never. */
static int64_t
resolved_since(const struct store_activity *rows, size_t n)
{
	int64_t since = 0;
	bool was = false, now;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!str_eq(rows[i].kind, "status_changed"))
			continue;
		now = is_resolved(rows[i].new_status, rows[i].resolution);
		if (now && !was)
			since = rows[i].created_at;
		was = now;
	}
	return was ? since : 0;
}

static int64_t
goal_ms(int64_t minutes)
{
	return minutes > 0 ? minutes * 60 * 1000 : NO_GOAL_MS;
}

static int64_t
goal_state(int64_t minutes, bool breached)
{
	if (minutes <= 0)
		return 0;
	return breached ? 2 : 1;
}

/* The first response: the cycle up to the first public reply by staff or
 * the first resolution, whichever came first; *stop 0 = none yet. */
static int
first_response(const struct calendar *cal, const struct store_reqtype *t,
    const struct sla_event *ev, size_t nev, int64_t *stop,
    struct store_report_facts *f)
{
	struct sla_result res;
	size_t k;
	int rc;

	*stop = 0;
	for (k = 0; k < nev; k++)
		if (ev[k].kind == SLA_STAFF_REPLY || ev[k].kind == SLA_RESOLVED)
			break;
	if (k == nev)
		return ZEK_OK;
	/* Only the events up to it: no cycle runs after them. */
	rc = sla_compute(cal, SLA_FIRST_RESPONSE,
	    goal_ms(t->sla_response_minutes), ev, k + 1, ev[k].at, &res);
	if (rc != ZEK_OK || res.ncompleted == 0)
		return rc;
	*stop = res.completed[0].stop;
	f->response_ms = res.completed[0].elapsed_ms;
	f->response_goal = goal_state(t->sla_response_minutes,
	    res.completed[0].breached);
	return ZEK_OK;
}

/* The resolution: every cycle up to the last resolution, once no cycle
 * runs (none reopened it since); *stop 0 = none. */
static int
resolution(const struct calendar *cal, const struct store_reqtype *t,
    const struct sla_event *ev, size_t nev, int64_t *stop,
    struct store_report_facts *f)
{
	struct sla_result res;
	bool breached = false;
	size_t k, last = nev, i;
	int rc;

	*stop = 0;
	for (k = 0; k < nev; k++) {
		if (ev[k].kind == SLA_RESOLVED)
			last = k;
		else if (ev[k].kind == SLA_REOPENED)
			last = nev;
	}
	if (last == nev)
		return ZEK_OK;
	rc = sla_compute(cal, SLA_RESOLUTION,
	    goal_ms(t->sla_resolution_minutes), ev, last + 1, ev[last].at,
	    &res);
	if (rc != ZEK_OK || res.ncompleted == 0 || res.has_ongoing)
		return rc;
	f->resolution_ms = 0;
	for (i = 0; i < res.ncompleted; i++) {
		f->resolution_ms += res.completed[i].elapsed_ms;
		breached = breached || res.completed[i].breached;
	}
	*stop = res.completed[res.ncompleted - 1].stop;
	f->resolution_goal = goal_state(t->sla_resolution_minutes, breached);
	return ZEK_OK;
}

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* "3,17": the distinct ids, ascending; NULL when out of memory. */
static const char *
services_text(struct zctx *ctx, const char *const *vals, size_t n)
{
	int64_t ids[REPORT_SERVICES_MAX], id;
	const char *out = NULL;
	size_t i, k = 0;
	struct buf b;

	for (i = 0; i < n && k < REPORT_SERVICES_MAX; i++)
		if (str_to_i64(vals[i], 1, INT64_MAX, &id) == 0)
			ids[k++] = id;
	qsort(ids, k, sizeof(ids[0]), cmp_i64);
	buf_init(&b, SERVICES_TEXT_MAX);
	for (i = 0; i < k; i++)
		if (i == 0 || ids[i] != ids[i - 1])
			buf_printf(&b, "%s%lld", b.len > 0 ? "," : "",
			    (long long)ids[i]);
	if (!b.failed)
		out = arena_strdup(ctx->arena, b.len > 0 ? b.data : "");
	buf_free(&b);
	return out;
}

/* The local day of each instant that is set (0 stays -1). */
static int
local_days(int64_t *const *at, int64_t *const *day, size_t n)
{
	int64_t ms[8], d[8];
	size_t i, k = 0;
	int rc;

	for (i = 0; i < n; i++)
		if (*at[i] != 0)
			ms[k++] = *at[i];
	rc = calendar_local_days(REPORT_ZONE, ms, k, d);
	for (i = 0, k = 0; rc == ZEK_OK && i < n; i++)
		*day[i] = *at[i] != 0 ? d[k++] : -1;
	return rc;
}

enum zek_rc
report_facts_of(const struct calendar *cal, const struct store_request *r,
    const struct store_reqtype *t, const struct store_activity *rows, size_t n,
    const struct store_rating *rating, const char *const *services,
    size_t n_services, struct zctx *ctx, struct store_report_facts *out)
{
	int64_t created = r->created_at, resolved = 0, responded, solved;
	int64_t rated = rating != NULL ? rating->created_at : 0;
	struct sla_event *ev;
	size_t nev;
	int rc;

	*out = (struct store_report_facts){ .request_id = r->id,
		.type_id = t->id };
	ev = arena_calloc(ctx->arena, n > 0 ? n : 1, sizeof(*ev));
	if (ev == NULL)
		return ZEK_NOMEM;
	nev = sla_events_of_activity(rows, n, ev);
	if (is_resolved(r->status, r->resolution)) {
		resolved = resolved_since(rows, n);
		if (resolved == 0)
			resolved = r->updated_at;
	}
	rc = first_response(cal, t, ev, nev, &responded, out);
	if (rc == ZEK_OK)
		rc = resolution(cal, t, ev, nev, &solved, out);
	if (rc == ZEK_OK) {
		int64_t *const at[] = { &created, &resolved, &responded,
			&solved, &rated };
		int64_t *const day[] = { &out->created_day, &out->resolved_day,
			&out->response_day, &out->resolution_day,
			&out->rating_day };

		rc = local_days(at, day, ZEK_ARRAY_LEN(at));
	}
	out->rating = rating != NULL ? rating->score : 0;
	out->services = services_text(ctx, services, n_services);
	if (rc == ZEK_OK && out->services == NULL)
		rc = ZEK_NOMEM;
	return rc;
}

/* ---- the counts changed by the difference ---- */

#define CELLS_MAX 16
#define SERVICE_CELLS_MAX (2 * REPORT_SERVICES_MAX)

struct day_cell {
	int64_t day, type_id;
	int64_t v[STORE_REPORT_COLS];
};

struct time_cell {
	int64_t day, type_id, measure, bucket, n;
};

struct service_cell {
	int64_t day, type_id, object_id, n;
};

/* What the old facts (taken) and the new ones (added) change. */
struct delta {
	struct day_cell days[CELLS_MAX];
	size_t ndays;
	struct time_cell times[CELLS_MAX];
	size_t ntimes;
	struct service_cell services[SERVICE_CELLS_MAX];
	size_t nservices;
};

static void
day_add(struct delta *d, int64_t day, int64_t type_id,
    enum store_report_col col, int64_t sign)
{
	size_t i;

	for (i = 0; i < d->ndays; i++)
		if (d->days[i].day == day && d->days[i].type_id == type_id)
			break;
	if (i == d->ndays) {
		if (i == CELLS_MAX)
			return; /* cannot happen: 5 days a facts row */
		d->days[d->ndays++] = (struct day_cell){ .day = day,
			.type_id = type_id };
	}
	d->days[i].v[col] += sign;
}

static void
time_add(struct delta *d, int64_t day, int64_t type_id, int64_t measure,
    int64_t ms, int64_t sign)
{
	int64_t bucket = report_bucket_of(ms);
	size_t i;

	for (i = 0; i < d->ntimes; i++) {
		struct time_cell *c = &d->times[i];

		if (c->day == day && c->type_id == type_id &&
		    c->measure == measure && c->bucket == bucket) {
			c->n += sign;
			return;
		}
	}
	if (d->ntimes < CELLS_MAX)
		d->times[d->ntimes++] = (struct time_cell){ day, type_id,
			measure, bucket, sign };
}

static void
service_add(struct delta *d, int64_t day, int64_t type_id, int64_t id,
    int64_t sign)
{
	size_t i;

	for (i = 0; i < d->nservices; i++) {
		struct service_cell *c = &d->services[i];

		if (c->day == day && c->type_id == type_id &&
		    c->object_id == id) {
			c->n += sign;
			return;
		}
	}
	if (d->nservices < SERVICE_CELLS_MAX)
		d->services[d->nservices++] = (struct service_cell){ day,
			type_id, id, sign };
}

static void
goal_add(struct delta *d, int64_t day, int64_t type_id, int64_t goal,
    enum store_report_col met, int64_t sign)
{
	if (goal > 0)
		day_add(d, day, type_id, goal == 1 ? met : met + 1, sign);
}

/* The counts facts f make, times sign (-1: taken away). */
static void
facts_add(struct delta *d, const struct store_report_facts *f, int64_t sign)
{
	const char *p = f->services;
	int64_t type = f->type_id, id;
	char *end;

	day_add(d, f->created_day, type, STORE_REPORT_CREATED, sign);
	if (f->resolved_day >= 0)
		day_add(d, f->resolved_day, type, STORE_REPORT_RESOLVED, sign);
	if (f->response_day >= 0) {
		goal_add(d, f->response_day, type, f->response_goal,
		    STORE_REPORT_RESPONSE_MET, sign);
		time_add(d, f->response_day, type, REPORT_MEASURE_RESPONSE,
		    f->response_ms, sign);
	}
	if (f->resolution_day >= 0) {
		goal_add(d, f->resolution_day, type, f->resolution_goal,
		    STORE_REPORT_RESOLUTION_MET, sign);
		time_add(d, f->resolution_day, type, REPORT_MEASURE_RESOLUTION,
		    f->resolution_ms, sign);
	}
	if (f->rating >= 1 && f->rating <= REPORT_RATINGS && f->rating_day >= 0)
		day_add(d, f->rating_day, type,
		    (enum store_report_col)(
		        STORE_REPORT_RATED_1 + f->rating - 1),
		    sign);
	/* The text is ours ("3,17"), written by services_text. */
	while (p != NULL && *p != '\0') {
		id = strtoll(p, &end, 10);
		if (end == p)
			break;
		service_add(d, f->created_day, type, id, sign);
		p = *end == ',' ? end + 1 : end;
	}
}

static bool
day_is_zero(const struct day_cell *c)
{
	size_t i;

	for (i = 0; i < STORE_REPORT_COLS; i++)
		if (c->v[i] != 0)
			return false;
	return true;
}

/* Sorted by day and type: every writer takes the rows' locks (on
 * PostgreSQL) in the same order, so two never wait on each other. */
static int
cmp_day_cell(const void *a, const void *b)
{
	const struct day_cell *x = a, *y = b;

	if (x->day != y->day)
		return x->day < y->day ? -1 : 1;
	return (x->type_id > y->type_id) - (x->type_id < y->type_id);
}

static int
cmp_time_cell(const void *a, const void *b)
{
	const struct time_cell *x = a, *y = b;
	const int64_t kx[] = { x->day, x->type_id, x->measure, x->bucket };
	const int64_t ky[] = { y->day, y->type_id, y->measure, y->bucket };
	size_t i;

	for (i = 0; i < ZEK_ARRAY_LEN(kx); i++)
		if (kx[i] != ky[i])
			return kx[i] < ky[i] ? -1 : 1;
	return 0;
}

static int
cmp_service_cell(const void *a, const void *b)
{
	const struct service_cell *x = a, *y = b;
	const int64_t kx[] = { x->day, x->type_id, x->object_id };
	const int64_t ky[] = { y->day, y->type_id, y->object_id };
	size_t i;

	for (i = 0; i < ZEK_ARRAY_LEN(kx); i++)
		if (kx[i] != ky[i])
			return kx[i] < ky[i] ? -1 : 1;
	return 0;
}

static enum zek_rc
delta_write(struct zctx *ctx, struct delta *d)
{
	enum zek_rc rc = ZEK_OK;
	size_t i;

	qsort(d->days, d->ndays, sizeof(d->days[0]), cmp_day_cell);
	qsort(d->times, d->ntimes, sizeof(d->times[0]), cmp_time_cell);
	qsort(d->services, d->nservices, sizeof(d->services[0]),
	    cmp_service_cell);
	for (i = 0; rc == ZEK_OK && i < d->ndays; i++)
		if (!day_is_zero(&d->days[i]))
			rc = store_report_day_add(ctx->db, d->days[i].day,
			    d->days[i].type_id, d->days[i].v);
	for (i = 0; rc == ZEK_OK && i < d->ntimes; i++)
		if (d->times[i].n != 0)
			rc = store_report_time_add(ctx->db, d->times[i].day,
			    d->times[i].type_id, d->times[i].measure,
			    d->times[i].bucket, d->times[i].n);
	for (i = 0; rc == ZEK_OK && i < d->nservices; i++)
		if (d->services[i].n != 0)
			rc = store_report_service_add(ctx->db,
			    d->services[i].day, d->services[i].type_id,
			    d->services[i].object_id, d->services[i].n);
	return rc;
}

static bool
facts_equal(const struct store_report_facts *a,
    const struct store_report_facts *b)
{
	return a->type_id == b->type_id && a->created_day == b->created_day &&
	    a->resolved_day == b->resolved_day &&
	    a->response_day == b->response_day &&
	    a->response_ms == b->response_ms &&
	    a->response_goal == b->response_goal &&
	    a->resolution_day == b->resolution_day &&
	    a->resolution_ms == b->resolution_ms &&
	    a->resolution_goal == b->resolution_goal &&
	    a->rating_day == b->rating_day && a->rating == b->rating &&
	    str_eq(a->services, b->services);
}

/* The rating and the Online-Dienste named, for report_facts_of. */
static enum zek_rc
rating_and_services(struct zctx *ctx, const struct store_request *r,
    struct store_rating **rating, const char ***services, size_t *n)
{
	enum zek_rc rc;

	rc = store_rating_get(ctx->db, ctx->arena, r->id, rating);
	if (rc == ZEK_NOTFOUND) {
		*rating = NULL;
		rc = ZEK_OK;
	}
	if (rc == ZEK_OK)
		rc = store_report_service_values(ctx->db, ctx->arena, r->id,
		    r->type_id, services, n);
	return rc;
}

/* Changes the counts by what the request's facts now are (now) and were
 * (old, NULL: never counted), and stores them. */
static enum zek_rc
facts_replace(struct zctx *ctx, const struct store_report_facts *old,
    const struct store_report_facts *now)
{
	struct delta *d;
	enum zek_rc rc;

	if (old != NULL && facts_equal(old, now))
		return ZEK_OK;
	d = arena_calloc(ctx->arena, 1, sizeof(*d));
	if (d == NULL)
		return ZEK_NOMEM;
	if (old != NULL)
		facts_add(d, old, -1);
	facts_add(d, now, 1);
	rc = delta_write(ctx, d);
	return rc == ZEK_OK ? store_report_facts_put(ctx->db, now) : rc;
}

enum zek_rc
core_report_request_update(struct zctx *ctx, const struct store_request *r,
    const struct store_reqtype *t, const struct store_activity *rows, size_t n)
{
	struct store_report_facts *old, now;
	struct store_rating *rating;
	const char **services;
	struct calendar cal;
	size_t nservices;
	enum zek_rc rc;

	rc = core_calendar_load(ctx, &cal);
	if (rc == ZEK_OK)
		rc = rating_and_services(ctx, r, &rating, &services,
		    &nservices);
	if (rc == ZEK_OK)
		rc = report_facts_of(&cal, r, t, rows, n, rating, services,
		    nservices, ctx, &now);
	if (rc == ZEK_OK)
		rc = store_report_facts_get(ctx->db, ctx->arena, r->id, &old);
	if (rc == ZEK_NOTFOUND) {
		old = NULL;
		rc = ZEK_OK;
	}
	return rc == ZEK_OK ? facts_replace(ctx, old, &now) : rc;
}

enum zek_rc
core_report_created(struct zctx *ctx, const struct store_request *r,
    const struct store_reqtype *t, const struct store_activity *created,
    const char *const *services, size_t nservices)
{
	struct store_report_facts now;
	struct calendar cal;
	enum zek_rc rc;

	rc = core_calendar_load(ctx, &cal);
	if (rc == ZEK_OK)
		rc = report_facts_of(&cal, r, t, created, 1, NULL, services,
		    nservices, ctx, &now);
	return rc == ZEK_OK ? facts_replace(ctx, NULL, &now) : rc;
}

enum zek_rc
core_report_request(struct zctx *ctx, int64_t request_id)
{
	struct store_activity *rows;
	struct store_reqtype *t;
	struct store_request *r;
	enum zek_rc rc;
	size_t n;

	rc = store_request_by_id(ctx->db, ctx->arena, request_id, &r);
	if (rc == ZEK_OK)
		rc = store_reqtype_get(ctx->db, ctx->arena, r->type_id, &t);
	if (rc == ZEK_OK)
		rc = core_request_log(ctx, request_id, &rows, &n);
	return rc == ZEK_OK ? core_report_request_update(ctx, r, t, rows, n) :
	                      rc;
}

enum zek_rc
core_reports_clear(struct zctx *ctx)
{
	enum zek_rc rc;

	rc = store_begin(ctx->db);
	if (rc != ZEK_OK)
		return rc;
	return store_finish(ctx->db, store_report_clear(ctx->db));
}
