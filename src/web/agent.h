/* agent.h: what the agent area's pages (web/agent_*.c) share. */
#ifndef ZEK_WEB_AGENT_H
#define ZEK_WEB_AGENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/agent.h"
#include "core/status.h"
#include "core/workflow.h"
#include "http/http.h"

/* One entry of a status form: an action, with a resolution for close. */
struct web_status_choice {
	enum wf_action action;
	enum resolution resolution; /* WF_CLOSE only */
	const char *value;          /* the form value */
	const char *label_key;
};

/* The status form's entries (agent_request.c), in their order. */
#define WEB_STATUS_CHOICES 7
extern const struct web_status_choice web_status_choices[WEB_STATUS_CHOICES];
/* The entry with form value `value`, or NULL. */
const struct web_status_choice *web_status_choice(const char *value);

/* Appends every agent a request can be given to (core_agent_staff) to
 * the options `opts` of a select: "value" the id, "label" the name,
 * "selected" for the one whose id is `selected` (0 = none). */
void web_staff_options(struct req *rq, json_t *opts, int64_t selected);

/* The bulk form's state on a queue page (agent_bulk.c). */
struct web_bulk_state {
	const char *error; /* why the form was refused, for the
	                      form's fieldset; NULL = none */
	bool failed;       /* show what was sent again */
};

/* A queue page (agent_queues.c) as the request's query asks for it, with
 * the bulk form in state `bs` (NULL = fresh), answered with `status`. */
int web_agent_queue_page(struct req *rq, enum agent_queue q,
    const struct web_bulk_state *bs, unsigned status);
/* The queue page's own URL as the request's query asks for it (order,
 * search, size and page kept), with `tail` after the queue's code: ""
 * for the page, "/bulk" for its bulk form. NULL on OOM. */
const char *web_agent_queue_here(struct req *rq, enum agent_queue q,
    const char *tail);

/* The bulk form of a queue page: its choices, what was sent again after
 * a refusal (bs), where it goes (action). */
json_t *web_bulk_form_json(struct req *rq, const char *action,
    const struct web_bulk_state *bs);
/* Whether a row's box is ticked: sent again after a refusal, or all of
 * them with ?select=all (the no-script "select all"). */
bool web_bulk_checked(struct req *rq, const struct web_bulk_state *bs,
    const char *key);
/* The outcome of a bulk change the queue's URL carries after the form's
 * redirect, for the page's summary; NULL when there is none. */
json_t *web_bulk_summary_json(struct req *rq);

#endif
