/* bulk.h: one change for many requests at once (the queue's bulk form). */
#ifndef ZEK_CORE_BULK_H
#define ZEK_CORE_BULK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/agent.h"
#include "core/ctx.h"
#include "core/status.h"
#include "core/workflow.h"

struct user;

/* Requests one bulk change takes at most: a queue page of the biggest
 * size, so "select all on this page" always fits. */
#define BULK_MAX AGENT_LIMIT_MAX

/* What is to happen to every selected request. */
struct bulk_change {
	bool assign;                /* change the assignee ... */
	int64_t assignee_id;        /* ... to this agent or admin, 0 = nobody */
	bool transition;            /* change the status ... */
	enum wf_action action;      /* ... by this agent's action */
	enum resolution resolution; /* WF_CLOSE: Gelöst or Abgelehnt */
};

/* Which of the changes a request refused. */
enum bulk_step {
	BULK_STEP_NONE, /* the request was not found */
	BULK_STEP_ASSIGN,
	BULK_STEP_STATUS,
};

/* What became of one selected request. */
struct bulk_result {
	const char *key;     /* "ZEK-5", as found (upper case), or as
	                        sent when there is no such request */
	enum zek_rc rc;      /* ZEK_OK: every change was made; else
	                        none was, and this says why, as the
	                        single request's page would:
	                        ZEK_NOTFOUND (no such request, or not
	                        the user's to see), ZEK_CONFLICT (not
	                        in its status), ZEK_FORBIDDEN,
	                        ZEK_INVALID (the assignee takes no
	                        requests) */
	enum bulk_step step; /* the change that was refused */
	enum status status;  /* its status then (ZEK_CONFLICT) */
};

/*
 * Makes the change `c` to each request of keys[0..n) for `user` (support
 * staff), through the same calls as the request's own page
 * (core_request_assign, then core_transition without a comment), so that
 * each change is checked under the row's lock, logged, mailed and its
 * service levels refreshed as there. Each request is a unit of its own:
 * it gets all of `c` or, when one part is refused, none of it; the
 * others go on. Requests are changed in the order of their ids (two bulk
 * changes over the same requests wait for each other instead of
 * deadlocking); out[i] tells about keys[i] (a key sent twice is changed
 * once, its second entry says ZEK_OK too).
 * Returns ZEK_OK when every request was tried (the results say how each
 * went); ZEK_FORBIDDEN for anybody but support staff; ZEK_INVALID when
 * n is 0, `c` changes nothing, or asks for an action that is not an
 * agent's or a closing as Duplikat (which names an original of its own);
 * ZEK_TOOBIG when n > BULK_MAX; ZEK_IO / ZEK_NOMEM when the database or
 * memory failed (then the caller's scope must not be kept).
 */
enum zek_rc core_bulk_change(struct zctx *ctx, const struct user *user,
    const char *const *keys, size_t n, const struct bulk_change *c,
    struct bulk_result *out);

#endif
