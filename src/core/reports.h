/* reports.h: the support team's reports (issue 18): what each request adds
 * to the counts per day (its facts, kept as it changes), and a report
 * over a period read from those counts alone, never from the requests. */
#ifndef ZEK_CORE_REPORTS_H
#define ZEK_CORE_REPORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/zek.h"

struct calendar;
struct store_activity;
struct store_rating;
struct store_report_facts;
struct store_reqtype;
struct store_request;
struct user;
struct zctx;

/* ---- times in buckets, for the medians ---- */

/* Working times are counted in buckets a quarter octave wide: bucket 0
 * under one minute, bucket b >= 1 from 2^((b-1)/4) minutes up to
 * 2^(b/4). A median is told as the middle of its bucket (geometric), so
 * it is within 9.1 % of the true one: 2^(1/8) - 1. */
/* Reports count by the local days of this zone, whatever zone the
 * business calendar's working hours are in: the counts kept per day
 * would otherwise move when an admin changes the calendar. */
#define REPORT_ZONE "Europe/Berlin"
#define REPORT_BUCKETS (1 + 4 * 23) /* up to 2^23 minutes: 16 years */
#define REPORT_MEASURE_RESPONSE 1
#define REPORT_MEASURE_RESOLUTION 2
#define REPORT_SERVICES_MAX 32 /* Online-Dienste of one request counted */

int report_bucket_of(int64_t ms);
/* The least time of bucket b (ms), and the one told for it. */
int64_t report_bucket_low(int b);
int64_t report_bucket_mid(int b);
/* The median of a histogram (counts[b] times in bucket b, nb buckets):
 * the middle time, the lower of the two middle ones for an even count,
 * as its bucket's middle; false when empty. */
bool report_median(const int64_t *counts, size_t nb, int64_t *out_ms);

/* ---- each request's facts ---- */

/* What request r of type t adds to the reports, from its activity log
 * (rows oldest first), its rating (NULL: none) and the Online-Dienste
 * its values name (values: n_services object ids as text), days in the
 * calendar's zone:
 * - created on its created day;
 * - resolved on the day it last became resolved (a solution proposed or
 *   closed), while it is so now; a closed request whose log has no such
 *   entry (older data) on its last change;
 * - the first response (or resolution, which answers too) in working
 *   time, on its day, met or breached when its type has that goal;
 * - the resolution: the working time of all its resolution cycles, on
 *   the day of the last, breached when any cycle was, once no cycle runs;
 * - its rating on the day it was first given. */
enum zek_rc report_facts_of(const struct calendar *cal,
    const struct store_request *r, const struct store_reqtype *t,
    const struct store_activity *rows, size_t n,
    const struct store_rating *rating, const char *const *services,
    size_t n_services, struct zctx *ctx, struct store_report_facts *out);

/* Works out request r's facts anew (rows: its log, oldest first) and
 * changes the counts by the difference to the ones stored, inside the
 * caller's transaction (the request locked). */
enum zek_rc core_report_request_update(struct zctx *ctx,
    const struct store_request *r, const struct store_reqtype *t,
    const struct store_activity *rows, size_t n);
/* The same for a request just created (r with its id), whose log is the
 * one entry `created`, with no rating and no counts yet: nothing to read.
 * services: the values of its Online-Dienst fields (object ids). */
enum zek_rc core_report_created(struct zctx *ctx, const struct store_request *r,
    const struct store_reqtype *t, const struct store_activity *created,
    const char *const *services, size_t nservices);
/* The same as core_report_request_update, reading the request, its type
 * and its log. */
enum zek_rc core_report_request(struct zctx *ctx, int64_t request_id);
/* Forgets every count and marks every request for the "sla" job, which
 * counts each one anew (zek reports rebuild), in a transaction. */
enum zek_rc core_reports_clear(struct zctx *ctx);

/* ---- a report ---- */

#define REPORT_DAYS_MAX 731 /* a period of two years at most */
#define REPORT_WEEKS_MAX (REPORT_DAYS_MAX / 7 + 2)
#define REPORT_TOP_SERVICES 10
#define REPORT_RATINGS 5

/* The parts of a report a reader needs: a CSV of one table reads only
 * what that table shows (the times' histograms are most of a long
 * period's cost). */
enum report_part {
	REPORT_PART_DAYS = 1 << 0,     /* weeks, backlog, SLA, CSAT */
	REPORT_PART_TIMES = 1 << 1,    /* the medians */
	REPORT_PART_SERVICES = 1 << 2, /* the top Online-Dienste */
	REPORT_PART_ALL = 7,
};

/* What the page asks for: local days [from, to], a type (0 = all), and
 * the parts (0 = all of them). */
struct report_query {
	int64_t from, to;
	int64_t type_id;
	unsigned parts;
};

/* One week of the period (the first and last may be cut by it). */
struct report_week {
	int64_t from, to; /* days */
	int64_t created, resolved;
	int64_t open_at_end; /* the backlog at the end of `to` */
};

struct report_service {
	int64_t object_id;
	const char *name; /* "" when gone from the catalogue */
	int64_t n;
};

struct report {
	struct report_week *weeks;
	size_t nweeks;
	int64_t response_met, response_breached;
	int64_t resolution_met, resolution_breached;
	bool has_response_median, has_resolution_median;
	int64_t response_median_ms, resolution_median_ms;
	int64_t response_n, resolution_n; /* times measured */
	int64_t ratings[REPORT_RATINGS];  /* [0] = score 1 */
	int64_t ratings_n, ratings_sum;
	struct report_service *services;
	size_t nservices;
	/* The types the Online-Dienste count: the one asked for, or with
	 * "all" the incident types (icon "stoerung"). */
	const char **service_types;
	size_t nservice_types;
	bool pending; /* requests wait to be counted (sla job) */
};

/* A request type to choose from. */
struct report_type {
	int64_t id;
	const char *name;
};

/* The types of every desk, in desk and position order (lang: names). For
 * support staff only: ZEK_NOTFOUND for anybody else. */
enum zek_rc core_report_types(struct zctx *ctx, const struct user *user,
    const char *lang, struct report_type **out, size_t *n);
/* Today's local day in the report zone, and the default period: the
 * last 12 weeks, from the Monday 11 weeks before this week's. */
enum zek_rc core_report_today(struct zctx *ctx, int64_t *today);
void report_default_period(int64_t today, int64_t *from, int64_t *to);
/* The report; staff only (ZEK_NOTFOUND), ZEK_INVALID for a period the
 * page would refuse (to < from, longer than REPORT_DAYS_MAX days). */
enum zek_rc core_report_read(struct zctx *ctx, const struct user *user,
    const struct report_query *q, const char *lang, struct report **out);
/* The weeks of [from, to] (Monday to Sunday, cut by the period), with
 * their counts from per-day rows; `open_before` is the backlog before
 * `from`. out: room for REPORT_WEEKS_MAX. */
struct store_report_day;
size_t report_weeks(int64_t from, int64_t to, int64_t open_before,
    const struct store_report_day *days, size_t ndays, struct report_week *out);

#endif
