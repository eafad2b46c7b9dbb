/* agent.h: the agents' queues and their view of a request. */
#ifndef ZEK_CORE_AGENT_H
#define ZEK_CORE_AGENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"
#include "core/status.h"
#include "core/users.h"
#include "core/workflow.h"

struct request_view;
struct request_field_view;
struct request_link;

#define AGENT_LIMIT_DEFAULT 25 /* rows per page */
#define AGENT_LIMIT_MAX 100
#define AGENT_SEARCH_MAX 200 /* code points of search text; more is cut */
#define AGENT_RECENT_DAYS 14 /* "Kürzlich geschlossen": closed since */
/* A queue's search hits are counted up to this many; beyond, the page
 * says "Mehr als 1000" (as the request list, core/list.h). */
#define AGENT_COUNT_MAX 1000
#define AGENT_STAFF_MAX 500 /* agents offered for assignment */

/* The queues of the agent area, in the order the page lists them. */
enum agent_queue {
	AGENT_QUEUE_UNASSIGNED, /* "Nicht zugewiesen": open, nobody works it */
	AGENT_QUEUE_MINE, /* "Meine offenen": open, assigned to the viewer */
	AGENT_QUEUE_WAITING_SUPPORT,  /* "Wartet auf Support": Offen and Wartet
	                                 auf Support (support's turn) */
	AGENT_QUEUE_WAITING_CUSTOMER, /* "Wartet auf Kunden" (questions and
	                               proposed solutions) */
	AGENT_QUEUE_OPEN,     /* "Alle offenen": every status but Geschlossen */
	AGENT_QUEUE_BREACHED, /* "SLA verletzt": open, a service level
	                         breached */
	AGENT_QUEUE_RECENT_CLOSED, /* "Kürzlich geschlossen": closed (last
	                              change) within AGENT_RECENT_DAYS */
	AGENT_QUEUE_MAX
};

/* The orders a queue can be read in. */
enum agent_sort {
	AGENT_SORT_OLDEST,  /* age: created longest ago first */
	AGENT_SORT_NEWEST,  /* created most recently first */
	AGENT_SORT_UPDATED, /* last update, most recent first */
	AGENT_SORT_STALE,   /* last update, longest ago first */
	AGENT_SORT_DUE,     /* next to breach a service level first */
	AGENT_SORT_MAX
};

/* URL codes: "unassigned", "mine", "waiting-support", "waiting-customer",
 * "open", "breached", "closed"; sorts "oldest", "newest", "updated",
 * "stale", "due". Static
 * strings, "" when out of range; the parsers return false for anything
 * else. */
const char *agent_queue_code(enum agent_queue q);
bool agent_queue_from_code(const char *code, enum agent_queue *out);
const char *agent_sort_code(enum agent_sort s);
bool agent_sort_from_code(const char *code, enum agent_sort *out);
/* The order a queue shows unless asked: next to breach first in "Alle
 * offenen" and "SLA verletzt", the oldest first in the other open queues
 * (the longest waiting), the latest change first when closed. */
enum agent_sort agent_queue_default_sort(enum agent_queue q);

/* A position in a queue: the order value (created_at, updated_at or the
 * service level's due time, as the sort says) and id of the row a page
 * continues from. */
struct agent_cursor {
	int64_t value;
	int64_t id;
};

struct agent_query {
	enum agent_queue queue;
	enum agent_sort sort;
	const char *search; /* words in key, title or description, as
	                       in the request list; NULL or "" = none */
	bool has_cursor;    /* false: the first page */
	struct agent_cursor cursor;
	bool backward; /* the page before the cursor ("Zurück") */
	size_t limit;  /* 1..AGENT_LIMIT_MAX; 0 = AGENT_LIMIT_DEFAULT */
};

/* Where a row stands with its service levels, for the queue's column. */
enum agent_sla {
	AGENT_SLA_NONE, /* no goal runs (none, met, or paused) */
	AGENT_SLA_RUNNING,
	AGENT_SLA_WARNING,  /* under 25 % of the goal left */
	AGENT_SLA_BREACHED, /* a goal is (or was) breached */
};

/* One row of a queue, in the viewer's language. */
struct agent_row {
	int64_t id;
	const char *key; /* "ZEK-12" */
	const char *title;
	int64_t portal_id;
	const char *type_name;
	const char *type_icon; /* "" if none */
	enum status status;
	const char *status_code;
	const char *status_label;
	enum resolution resolution;
	const char *resolution_label; /* "" if none */
	const char *reporter_name;
	int64_t assignee_id;       /* 0 = nobody */
	const char *assignee_name; /* "" = nobody */
	int64_t created_at;
	int64_t updated_at;
	enum agent_sla sla;
	int64_t sla_ms;             /* working time left (RUNNING, WARNING) or
	                               over since the breach (BREACHED) */
	int rating_score;           /* closed: the reporter's rating 1..5,
	                               0 = none */
	struct agent_cursor cursor; /* this row as a position in its order */
};

/* One page. Lives in ctx->arena. */
struct agent_page {
	struct agent_row *items; /* in the page's order */
	size_t n;
	int64_t total; /* rows of the queue matching the search;
	                  with total_capped AGENT_COUNT_MAX, and
	                  there are more */
	bool total_capped;
	bool has_next; /* more rows follow ("Weiter") */
	bool has_prev; /* rows precede ("Zurück") */
	bool is_first; /* this is the first page */
};

/* How many requests each queue holds right now (no search). */
struct agent_counts {
	int64_t n[AGENT_QUEUE_MAX];
};

/* Every function below is for support staff only: for anybody else (or
 * NULL) it returns ZEK_FORBIDDEN. */

enum zek_rc core_agent_counts(struct zctx *ctx, const struct user *user,
    struct agent_counts *out);

/* One page of queue q->queue in q->sort's order (ties by id), from the
 * cursor; "Meine offenen" is the viewer's. The search text is trimmed and
 * cut to AGENT_SEARCH_MAX code points. ZEK_INVALID for a bad queue, sort
 * or limit, or search text that is not UTF-8. */
enum zek_rc core_agent_queue(struct zctx *ctx, const struct user *user,
    const struct agent_query *q, const char *lang, struct agent_page **out);

/* What operators watch (/metrics, which the web layer opens to the
 * configured addresses only): mails waiting and failed, the age of the
 * oldest waiting one, open requests with a service level breached, the
 * database's size. */
struct core_gauges {
	int64_t mails_pending;
	int64_t mails_oldest_age_ms; /* 0 when none waits */
	int64_t mails_failed;
	int64_t sla_breached_open;
	int64_t db_bytes; /* the database's size (store_db_size) */
};
enum zek_rc core_gauges_read(struct zctx *ctx, struct core_gauges *out);

/* "<value>.<id>", and back; the parser returns false for anything else. */
const char *core_agent_cursor_format(struct zctx *ctx,
    const struct agent_cursor *c);
bool core_agent_cursor_parse(const char *s, struct agent_cursor *out);

/* The people a request can be assigned to: agents and admins by name (at
 * most AGENT_STAFF_MAX); email filled in. */
enum zek_rc core_agent_staff(struct zctx *ctx, const struct user *user,
    struct person **out, size_t *n);

/* The actions an agent's status form offers, in this order. */
#define AGENT_ACTIONS_N 5
extern const enum wf_action agent_actions[AGENT_ACTIONS_N];

/* A request as the agent view shows it. Lives in ctx->arena. */
struct agent_request {
	struct request_view *view; /* core_request_get: fields, people, files */
	struct user *reporter;     /* with organisations (org_names) */
	bool can[WF_ACTION_MAX];   /* the workflow actions the viewer may
	                              take now (wf_check; WF_CLOSE with any
	                              of its resolutions) */
	bool can_assign;           /* open: it may be (re)assigned */
	struct request_field_view *former; /* "Frühere Angaben"
	                                      (core_request_former) */
	size_t nformer;
	struct request_link *links; /* core_links_of */
	size_t nlinks;
};

/* Loads request `key` for an agent. ZEK_NOTFOUND when it does not exist;
 * ZEK_FORBIDDEN for anybody but support staff. */
enum zek_rc core_agent_request_get(struct zctx *ctx, const struct user *user,
    const char *key, const char *lang, struct agent_request **out);

#endif
