/* sla.h: service-level goals measured from a request's history (issue
 * 18): "time to first response" and "time to resolution" in working time
 * of a business calendar (calendar.h), the clock paused while the request
 * waits on the customer. A pure function of the events, so a goal shows
 * the same for requests created before it was configured. */
#ifndef ZEK_CORE_SLA_H
#define ZEK_CORE_SLA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/calendar.h"
#include "lib/zek.h"

#define SLA_CYCLES_MAX 16            /* completed cycles reported at most */
#define SLA_MINUTES_MAX (10000 * 60) /* a goal of working time at most */

enum sla_goal {
	SLA_FIRST_RESPONSE, /* created -> first public reply by staff */
	SLA_RESOLUTION,     /* created or reopened -> resolved */
};

/* What happened to a request, as its activity log tells, oldest first. */
enum sla_event_kind {
	SLA_CREATED,
	SLA_STAFF_REPLY, /* a public comment by support staff */
	SLA_WAITING,     /* status set to "Wartet auf Kunden" */
	SLA_RESUMED,     /* status left "Wartet auf Kunden", still open */
	SLA_RESOLVED,    /* solution proposed, or closed */
	SLA_REOPENED,    /* a proposed solution rejected, or reopened */
};

struct sla_event {
	int64_t at; /* UTC ms */
	enum sla_event_kind kind;
};

/* One cycle of a goal: from its start to its stop (0: still running). */
struct sla_cycle {
	int64_t start, stop;
	int64_t elapsed_ms; /* working time counted, pauses left out */
	int64_t goal_ms;
	bool breached;     /* elapsed over the goal (or will be, running) */
	bool paused;       /* running and waiting on the customer now */
	int64_t breach_at; /* when it breached (breached), or will
	                      (running, not paused); else 0 */
};

struct sla_result {
	struct sla_cycle completed[SLA_CYCLES_MAX];
	size_t ncompleted;
	bool has_ongoing;
	struct sla_cycle ongoing;
};

struct store_activity;
struct store_request_sla;
struct store_reqtype;

/* A request's activity rows (store_activity_by_request, oldest first) as
 * the events goals are measured by, into out (room for n): created; a
 * public comment by an agent or admin; "Wartet auf Kunden" set and left;
 * a solution proposed or the request closed; a proposal rejected. Returns
 * how many. */
size_t sla_events_of_activity(const struct store_activity *rows, size_t n,
    struct sla_event *out);

/* The cycles of goal `goal` (goal_ms of working time) over events (n of
 * them, oldest first) as of `now`. ZEK_INVALID for a bad calendar or
 * events out of order. */
int sla_compute(const struct calendar *c, enum sla_goal goal, int64_t goal_ms,
    const struct sla_event *events, size_t n, int64_t now,
    struct sla_result *out);

struct request_view;
struct zctx;
struct user;

/* A request's two goals as of ctx->now_ms (its type's goals; a goal of 0
 * is none: has_* false). */
struct request_sla {
	bool has_response;
	struct sla_result response;
	bool has_resolution;
	struct sla_result resolution;
};

/* For support staff only (ZEK_NOTFOUND for anybody else, as for a
 * request that does not exist): the goals of request v (as its page or
 * the API loaded it, core_request_get) over the business calendar that
 * counts (core_calendar_load). */
int core_request_sla(struct zctx *ctx, const struct user *user,
    const struct request_view *v, struct request_sla *out);

struct activity_log;

/* The same from `log`, the rows the page's activity was made of
 * (core_activity_of_page), when they are all of the request's entries
 * with the internal ones; else, or with log NULL, read as above. */
int core_request_sla_of_log(struct zctx *ctx, const struct user *user,
    const struct request_view *v, const struct activity_log *log,
    struct request_sla *out);

/*
 * The queues' copy of a request's service levels (requests.sla_*, see
 * store_request_sla): worked out as of ctx->now_ms whenever the goals'
 * events happen, inside the caller's transaction.
 * _initial: for a request about to be created (its only event), for its
 * INSERT (store_request.sla); _refresh: from its log (a public reply by
 * staff, a status change); _stale: up to a batch of the requests marked
 * stale (a type's goals changed, or older than the columns), each in a
 * scope of its own, adding to *done; *more when the batch was full.
 */
/* The request's activity log oldest first (at most 10000 rows), in
 * ctx->arena: what its goals and its report counts are worked out from. */
enum zek_rc core_request_log(struct zctx *ctx, int64_t request_id,
    struct store_activity **rows, size_t *n);
int core_request_sla_initial(struct zctx *ctx, const struct store_reqtype *t,
    int64_t created_at, struct store_request_sla *out);
int core_request_sla_refresh(struct zctx *ctx, int64_t request_id);
enum zek_rc core_sla_refresh_stale(struct zctx *ctx, int64_t *done, bool *more);

#endif
