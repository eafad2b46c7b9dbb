/* reports.c: a report over a period from the per-day counts (reports.h):
 * weeks, service levels, medians from the histograms, ratings and the
 * Online-Dienste most named by incidents. */
#include "core/reports.h"

#include <string.h>

#include "core/calendar.h"
#include "core/ctx.h"
#include "core/internal.h"
#include "core/perm.h"
#include "core/users.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "store/store.h"

#define MINUTE_MS 60000LL
#define INCIDENT_ICON "stoerung" /* the incident types' icon */

/* ---- buckets ---- */

/* 2^(k/8) for k = 0..7, times 10^9. */
static const int64_t eighth[8] = { 1000000000, 1090507733, 1189207115,
	1296839555, 1414213562, 1542210825, 1681792831, 1834008086 };

/* One minute times 2^(e/8), in ms; integers only, so that every
 * platform puts a time in the same bucket. */
static int64_t
minute_times_eighths(int e)
{
	int64_t micro = MINUTE_MS * eighth[e % 8] / 1000000; /* ms / 1000 */

	return (micro << (e / 8)) / 1000;
}

int64_t
report_bucket_low(int b)
{
	return b <= 0 ? 0 : minute_times_eighths(2 * (b - 1));
}

int64_t
report_bucket_mid(int b)
{
	return b <= 0 ? MINUTE_MS / 2 : minute_times_eighths(2 * b - 1);
}

int
report_bucket_of(int64_t ms)
{
	int b = 0;

	while (b + 1 < REPORT_BUCKETS && ms >= report_bucket_low(b + 1))
		b++;
	return b;
}

bool
report_median(const int64_t *counts, size_t nb, int64_t *out_ms)
{
	int64_t total = 0, rank, seen = 0;
	size_t b;

	for (b = 0; b < nb; b++)
		total += counts[b] > 0 ? counts[b] : 0;
	if (total == 0)
		return false;
	rank = (total + 1) / 2; /* 1-based: the lower middle one */
	for (b = 0; b < nb; b++) {
		seen += counts[b] > 0 ? counts[b] : 0;
		if (seen >= rank)
			break;
	}
	*out_ms = report_bucket_mid((int)b);
	return true;
}

/* ---- weeks ---- */

/* The Monday of a day's week (day numbers: 1970-01-01 was a Thursday). */
static int64_t
monday_of(int64_t day)
{
	return day - ((day % 7 + 7 + 3) % 7);
}

size_t
report_weeks(int64_t from, int64_t to, int64_t open_before,
    const struct store_report_day *days, size_t ndays, struct report_week *out)
{
	int64_t open = open_before, start;
	size_t nw = 0, k = 0;

	for (start = monday_of(from); start <= to && nw < REPORT_WEEKS_MAX;
	     start += 7) {
		struct report_week *w = &out[nw++];

		*w = (struct report_week){ .from = start < from ? from : start,
			.to = start + 6 > to ? to : start + 6 };
		for (; k < ndays && days[k].day <= w->to; k++) {
			if (days[k].day < w->from)
				continue;
			w->created += days[k].v[STORE_REPORT_CREATED];
			w->resolved += days[k].v[STORE_REPORT_RESOLVED];
		}
		open += w->created - w->resolved;
		w->open_at_end = open;
	}
	return nw;
}

void
report_default_period(int64_t today, int64_t *from, int64_t *to)
{
	*to = today;
	*from = monday_of(today) - 11 * 7;
}

enum zek_rc
core_report_today(struct zctx *ctx, int64_t *today)
{
	return calendar_local_days(REPORT_ZONE, &ctx->now_ms, 1, today);
}

/* ---- the report ---- */

enum zek_rc
core_report_types(struct zctx *ctx, const struct user *user, const char *lang,
    struct report_type **out, size_t *n)
{
	struct store_reqtype *types;
	struct store_desk *desks;
	size_t nd, nt, i, k, cap = 0;
	enum zek_rc rc;

	*out = NULL;
	*n = 0;
	if (!perm_is_staff(user))
		return ZEK_NOTFOUND;
	rc = store_desks_list(ctx->db, ctx->arena, &desks, &nd);
	for (i = 0; rc == ZEK_OK && i < nd; i++) {
		rc = store_reqtypes_by_desk(ctx->db, ctx->arena, desks[i].id,
		    &types, &nt);
		for (k = 0; rc == ZEK_OK && k < nt; k++) {
			*out = core_grow(ctx, *out, *n, &cap, sizeof(**out));
			if (*out == NULL)
				return ZEK_NOMEM;
			(*out)[(*n)++] = (struct report_type){ types[k].id,
				core_pick(lang, types[k].name_de,
				    types[k].name_en) };
		}
	}
	return rc;
}

/* The totals of the period's days. */
static void
sum_days(struct report *r, const struct store_report_day *days, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		const int64_t *v = days[i].v;

		r->response_met += v[STORE_REPORT_RESPONSE_MET];
		r->response_breached += v[STORE_REPORT_RESPONSE_BREACHED];
		r->resolution_met += v[STORE_REPORT_RESOLUTION_MET];
		r->resolution_breached += v[STORE_REPORT_RESOLUTION_BREACHED];
		for (k = 0; k < REPORT_RATINGS; k++) {
			r->ratings[k] += v[STORE_REPORT_RATED_1 + k];
			r->ratings_n += v[STORE_REPORT_RATED_1 + k];
			r->ratings_sum += (int64_t)(k + 1) *
			    v[STORE_REPORT_RATED_1 + k];
		}
	}
}

/* The medians of both measures from the period's histograms. */
static enum zek_rc
medians(struct zctx *ctx, const struct report_query *q, struct report *r)
{
	int64_t resp[REPORT_BUCKETS] = { 0 }, res[REPORT_BUCKETS] = { 0 };
	struct store_report_count *c;
	size_t i, n;
	enum zek_rc rc;

	rc = store_report_times(ctx->db, ctx->arena, q->from, q->to, q->type_id,
	    &c, &n);
	for (i = 0; rc == ZEK_OK && i < n; i++) {
		int64_t measure = c[i].key / 1000, b = c[i].key % 1000;

		if (b < 0 || b >= REPORT_BUCKETS)
			continue;
		if (measure == REPORT_MEASURE_RESPONSE) {
			resp[b] += c[i].n;
			r->response_n += c[i].n;
		} else if (measure == REPORT_MEASURE_RESOLUTION) {
			res[b] += c[i].n;
			r->resolution_n += c[i].n;
		}
	}
	r->has_response_median = report_median(resp, REPORT_BUCKETS,
	    &r->response_median_ms);
	r->has_resolution_median = report_median(res, REPORT_BUCKETS,
	    &r->resolution_median_ms);
	return rc;
}

/* The types the Online-Dienste are counted for: the one asked for, else
 * the incident types. */
static enum zek_rc
service_types(struct zctx *ctx, const struct user *user,
    const struct report_query *q, const char *lang, struct report *r,
    int64_t **ids)
{
	struct report_type *types;
	struct store_reqtype *t;
	size_t i, n;
	enum zek_rc rc;

	rc = core_report_types(ctx, user, lang, &types, &n);
	*ids = arena_calloc(ctx->arena, n + 1, sizeof(**ids));
	r->service_types = arena_calloc(ctx->arena, n + 1,
	    sizeof(*r->service_types));
	if (rc == ZEK_OK && (*ids == NULL || r->service_types == NULL))
		rc = ZEK_NOMEM;
	for (i = 0; rc == ZEK_OK && i < n; i++) {
		if (q->type_id != 0 && types[i].id != q->type_id)
			continue;
		rc = store_reqtype_get(ctx->db, ctx->arena, types[i].id, &t);
		if (rc == ZEK_OK &&
		    (q->type_id != 0 || str_eq(t->icon, INCIDENT_ICON))) {
			(*ids)[r->nservice_types] = types[i].id;
			r->service_types[r->nservice_types++] = types[i].name;
		}
	}
	return rc;
}

static enum zek_rc
top_services(struct zctx *ctx, const struct user *user,
    const struct report_query *q, const char *lang, struct report *r)
{
	struct store_report_count *c;
	struct store_object *objs;
	int64_t *types, *ids;
	size_t i, k, n, nobjs;
	enum zek_rc rc;

	rc = service_types(ctx, user, q, lang, r, &types);
	if (rc == ZEK_OK)
		rc = store_report_services(ctx->db, ctx->arena, q->from, q->to,
		    types, r->nservice_types, REPORT_TOP_SERVICES, &c, &n);
	if (rc != ZEK_OK || n == 0)
		return rc;
	ids = arena_calloc(ctx->arena, n, sizeof(*ids));
	r->services = arena_calloc(ctx->arena, n, sizeof(*r->services));
	if (ids == NULL || r->services == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < n; i++)
		ids[i] = c[i].key;
	rc = store_objects_by_ids(ctx->db, ctx->arena, ids, n, &objs, &nobjs);
	for (i = 0; rc == ZEK_OK && i < n; i++) {
		r->services[i] = (struct report_service){ c[i].key, "",
			c[i].n };
		for (k = 0; k < nobjs; k++)
			if (objs[k].id == c[i].key)
				r->services[i].name = objs[k].name;
	}
	r->nservices = n;
	return rc;
}

/* The weeks and the period's totals from the counts per day. */
static enum zek_rc
read_days(struct zctx *ctx, const struct report_query *q, struct report *r)
{
	struct store_report_day *days;
	int64_t before = 0;
	size_t ndays;
	enum zek_rc rc;

	rc = store_report_days(ctx->db, ctx->arena, q->from, q->to, q->type_id,
	    &days, &ndays);
	if (rc == ZEK_OK)
		rc = store_report_open_before(ctx->db, q->from, q->type_id,
		    &before);
	if (rc != ZEK_OK)
		return rc;
	r->nweeks = report_weeks(q->from, q->to, before, days, ndays, r->weeks);
	sum_days(r, days, ndays);
	return ZEK_OK;
}

enum zek_rc
core_report_read(struct zctx *ctx, const struct user *user,
    const struct report_query *q, const char *lang, struct report **out)
{
	struct report *r;
	unsigned parts;
	enum zek_rc rc;

	if (!perm_is_staff(user))
		return ZEK_NOTFOUND;
	if (q->to < q->from || q->to - q->from + 1 > REPORT_DAYS_MAX)
		return ZEK_INVALID;
	r = arena_calloc(ctx->arena, 1, sizeof(*r));
	if (r != NULL)
		r->weeks = arena_calloc(ctx->arena, REPORT_WEEKS_MAX,
		    sizeof(*r->weeks));
	if (r == NULL || r->weeks == NULL)
		return ZEK_NOMEM;
	parts = q->parts != 0 ? q->parts : REPORT_PART_ALL;
	rc = ZEK_OK;
	if (parts & REPORT_PART_DAYS)
		rc = read_days(ctx, q, r);
	if (rc == ZEK_OK && (parts & REPORT_PART_TIMES))
		rc = medians(ctx, q, r);
	if (rc == ZEK_OK && (parts & REPORT_PART_SERVICES))
		rc = top_services(ctx, user, q, lang, r);
	if (rc == ZEK_OK)
		rc = store_report_pending(ctx->db, &r->pending);
	*out = r;
	return rc;
}
