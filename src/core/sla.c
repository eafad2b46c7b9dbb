/* sla.c: a service-level goal's cycles from a request's events (sla.h). */
#include "core/sla.h"

#include <string.h>

#include "core/role.h"
#include "lib/str.h"
#include "lib/zek.h"
#include "store/store.h"

/* The cycle being measured. */
struct clock {
	bool running;
	bool paused;
	int64_t start;
	int64_t since;      /* counting since (not paused) */
	int64_t elapsed;    /* counted before `since` */
	int64_t crossed_at; /* when elapsed passed the goal, 0 = not yet */
};

struct walk {
	const struct calendar *cal;
	int64_t goal_ms;
	struct sla_result *out;
	struct clock k;
	int rc;
};

static int64_t
working(struct walk *w, int64_t from, int64_t to)
{
	int64_t ms = 0;

	if (w->rc == ZEK_OK)
		w->rc = calendar_working_ms(w->cal, from, to, &ms);
	return ms;
}

/* Counts the working time of [from, to), noting when it passed the goal. */
static void
count_span(struct walk *w, int64_t from, int64_t to)
{
	int64_t before = w->k.elapsed;

	w->k.elapsed += working(w, from, to);
	if (before <= w->goal_ms && w->k.elapsed > w->goal_ms &&
	    w->rc == ZEK_OK)
		w->rc = calendar_add_working(w->cal, from, w->goal_ms - before,
		    &w->k.crossed_at);
}

static void
cycle_start(struct walk *w, int64_t at, bool waiting)
{
	w->k = (struct clock){ .running = true,
		.paused = waiting,
		.start = at,
		.since = at };
}

static void
cycle_stop(struct walk *w, int64_t at)
{
	struct sla_result *r = w->out;
	struct sla_cycle c;

	if (!w->k.paused)
		count_span(w, w->k.since, at);
	c = (struct sla_cycle){ .start = w->k.start,
		.stop = at,
		.elapsed_ms = w->k.elapsed,
		.goal_ms = w->goal_ms,
		.breached = w->k.elapsed > w->goal_ms,
		.breach_at = w->k.crossed_at };
	/* Past SLA_CYCLES_MAX the oldest give way: the latest matter most. */
	if (r->ncompleted == SLA_CYCLES_MAX) {
		memmove(&r->completed[0], &r->completed[1],
		    (SLA_CYCLES_MAX - 1) * sizeof(r->completed[0]));
		r->ncompleted--;
	}
	r->completed[r->ncompleted++] = c;
	w->k.running = false;
}

static void
pause_clock(struct walk *w, int64_t at)
{
	if (!w->k.running || w->k.paused)
		return;
	count_span(w, w->k.since, at);
	w->k.paused = true;
}

static void
resume_clock(struct walk *w, int64_t at)
{
	if (!w->k.running || !w->k.paused)
		return;
	w->k.paused = false;
	w->k.since = at;
}

/* The running cycle as of now: elapsed so far, and when it breaches. */
static void
ongoing(struct walk *w, int64_t now)
{
	struct sla_cycle *c = &w->out->ongoing;

	if (!w->k.paused && now > w->k.since)
		count_span(w, w->k.since, now);
	*c = (struct sla_cycle){ .start = w->k.start,
		.elapsed_ms = w->k.elapsed,
		.goal_ms = w->goal_ms,
		.breached = w->k.elapsed > w->goal_ms,
		.paused = w->k.paused,
		.breach_at = w->k.crossed_at };
	if (!c->paused && !c->breached && w->rc == ZEK_OK)
		w->rc = calendar_add_working(w->cal,
		    now > w->k.since ? now : w->k.since,
		    w->goal_ms - w->k.elapsed, &c->breach_at);
	w->out->has_ongoing = true;
}

int
sla_compute(const struct calendar *c, enum sla_goal goal, int64_t goal_ms,
    const struct sla_event *events, size_t n, int64_t now,
    struct sla_result *out)
{
	struct walk w = { .cal = c, .goal_ms = goal_ms, .out = out };
	bool waiting = false, responded = false;
	int64_t unused;
	size_t i;

	memset(out, 0, sizeof(*out));
	w.rc = calendar_working_ms(c, 0, 0,
	    &unused); /* the calendar is sound */
	for (i = 0; w.rc == ZEK_OK && i < n; i++) {
		int64_t at = events[i].at;

		if (i > 0 && at < events[i - 1].at)
			return ZEK_INVALID;
		switch (events[i].kind) {
		case SLA_CREATED:
			if (!w.k.running && !responded)
				cycle_start(&w, at, waiting);
			break;
		case SLA_STAFF_REPLY:
			if (goal == SLA_FIRST_RESPONSE && w.k.running) {
				cycle_stop(&w, at);
				responded = true;
			}
			break;
		case SLA_WAITING:
			waiting = true;
			pause_clock(&w, at);
			break;
		case SLA_RESUMED:
			waiting = false;
			resume_clock(&w, at);
			break;
		case SLA_RESOLVED:
			/* A resolution answers the request, too. */
			if (w.k.running)
				cycle_stop(&w, at);
			responded = true;
			break;
		case SLA_REOPENED:
			waiting = false;
			if (goal == SLA_RESOLUTION && !w.k.running)
				cycle_start(&w, at, false);
			break;
		}
	}
	if (w.rc == ZEK_OK && w.k.running)
		ongoing(&w, now);
	return w.rc;
}

/* Whether a status code is one of the open ones but "Wartet auf Kunden". */
static bool
open_not_waiting(const char *status)
{
	return str_eq(status, "offen") || str_eq(status, "wartet_support") ||
	    str_eq(status, "in_bearbeitung");
}

static bool
event_of_status(const struct store_activity *a, enum sla_event_kind *kind)
{
	if (str_eq(a->action, "propose_solution") ||
	    str_eq(a->new_status, "geschlossen"))
		*kind = SLA_RESOLVED;
	else if (str_eq(a->action, "reject_solution"))
		*kind = SLA_REOPENED;
	else if (str_eq(a->new_status, "wartet_kunde"))
		*kind = SLA_WAITING;
	else if (str_eq(a->old_status, "wartet_kunde") &&
	    open_not_waiting(a->new_status))
		*kind = SLA_RESUMED;
	else
		return false;
	return true;
}

size_t
sla_events_of_activity(const struct store_activity *rows, size_t n,
    struct sla_event *out)
{
	enum sla_event_kind kind;
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		const struct store_activity *a = &rows[i];
		bool staff = role_code_is_staff(a->actor_role);

		if (str_eq(a->kind, "created"))
			kind = SLA_CREATED;
		else if (str_eq(a->kind, "comment") && a->is_public && staff)
			kind = SLA_STAFF_REPLY;
		else if (!str_eq(a->kind, "status_changed") ||
		    !event_of_status(a, &kind))
			continue;
		out[k++] = (struct sla_event){ .at = a->created_at,
			.kind = kind };
	}
	return k;
}
