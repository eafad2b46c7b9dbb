/* workflow.c: the table of allowed status changes and the code that applies them. */
#include "core/workflow.h"

#include <stdio.h>

#include <stddef.h>

#include "core/activity.h"
#include "core/config.h"
#include "core/internal.h"
#include "core/notify.h"
#include "core/perm.h"
#include "core/requests.h"
#include "core/sla.h"
#include "core/users.h"
#include "core/links.h"
#include "core/validate.h"
#include "lib/log.h"
#include "lib/str.h"
#include "store/store.h"

#define S(x) (1u << (x))
#define DAY_MS (24LL * 3600 * 1000)
#define OPEN_STATES \
	(S(STATUS_OFFEN) | S(STATUS_WARTET_SUPPORT) | \
	    S(STATUS_IN_BEARBEITUNG) | S(STATUS_WARTET_KUNDE))

/* Whether a proposed solution must (or must not) be waiting. */
enum wf_solution {
	SOL_ANY,
	SOL_PENDING,
	SOL_NONE
};

/* What happens to the resolution. */
enum wf_res_rule {
	RES_CLEAR, /* no resolution afterwards */
	RES_SET,   /* the rule's fixed resolution */
	RES_CHOSEN /* the one asked for (WF_CLOSE) */
};

struct wf_rule {
	enum wf_action action;
	unsigned roles; /* who may */
	unsigned from;  /* bit per status it may start from */
	enum wf_solution sol;
	enum status to;
	enum wf_res_rule res;
	enum resolution fixed; /* RES_SET */
};

/* PRODUCT.md "Statuses and workflow". Geschlossen is in no `from`: closed
 * requests are final for everybody. */
static const struct wf_rule rules[] = {
	/* Agents move an open request wherever the work stands: back to
	 * the support queue, into work, to the customer with a question or
	 * a solution. A pending solution is answered by the customer (or
	 * the agent takes it back with to_support / start). */
	{ WF_TO_SUPPORT, WF_ROLE_AGENT,
	    S(STATUS_OFFEN) | S(STATUS_IN_BEARBEITUNG) | S(STATUS_WARTET_KUNDE),
	    SOL_ANY, STATUS_WARTET_SUPPORT, RES_CLEAR, RESOLUTION_NONE },
	{ WF_START, WF_ROLE_AGENT,
	    S(STATUS_OFFEN) | S(STATUS_WARTET_SUPPORT) | S(STATUS_WARTET_KUNDE),
	    SOL_ANY, STATUS_IN_BEARBEITUNG, RES_CLEAR, RESOLUTION_NONE },
	{ WF_ASK_CUSTOMER, WF_ROLE_AGENT,
	    S(STATUS_OFFEN) | S(STATUS_WARTET_SUPPORT) |
	        S(STATUS_IN_BEARBEITUNG),
	    SOL_ANY, STATUS_WARTET_KUNDE, RES_CLEAR, RESOLUTION_NONE },
	{ WF_PROPOSE_SOLUTION, WF_ROLE_AGENT, OPEN_STATES, SOL_NONE,
	    STATUS_WARTET_KUNDE, RES_SET, RESOLUTION_GELOEST },
	{ WF_ACCEPT_SOLUTION, WF_ROLE_REPORTER | WF_ROLE_PARTICIPANT,
	    S(STATUS_WARTET_KUNDE), SOL_PENDING, STATUS_GESCHLOSSEN, RES_SET,
	    RESOLUTION_GELOEST },
	{ WF_REJECT_SOLUTION, WF_ROLE_REPORTER | WF_ROLE_PARTICIPANT,
	    S(STATUS_WARTET_KUNDE), SOL_PENDING, STATUS_WARTET_SUPPORT,
	    RES_CLEAR, RESOLUTION_NONE },
	{ WF_CUSTOMER_REPLY, WF_ROLES_CUSTOMER, S(STATUS_WARTET_KUNDE),
	    SOL_NONE, STATUS_WARTET_SUPPORT, RES_CLEAR, RESOLUTION_NONE },
	{ WF_WITHDRAW, WF_ROLE_REPORTER, OPEN_STATES, SOL_ANY,
	    STATUS_GESCHLOSSEN, RES_SET, RESOLUTION_ZURUECKGEZOGEN },
	{ WF_CLOSE, WF_ROLE_AGENT, OPEN_STATES, SOL_ANY, STATUS_GESCHLOSSEN,
	    RES_CHOSEN, RESOLUTION_NONE },
	{ WF_AUTO_CLOSE, WF_ROLE_SYSTEM, S(STATUS_WARTET_KUNDE), SOL_PENDING,
	    STATUS_GESCHLOSSEN, RES_SET, RESOLUTION_GELOEST },
};

static const char *const action_codes[WF_ACTION_MAX] = {
	[WF_TO_SUPPORT] = "to_support",
	[WF_START] = "start",
	[WF_ASK_CUSTOMER] = "ask_customer",
	[WF_PROPOSE_SOLUTION] = "propose_solution",
	[WF_ACCEPT_SOLUTION] = "accept_solution",
	[WF_REJECT_SOLUTION] = "reject_solution",
	[WF_CUSTOMER_REPLY] = "customer_reply",
	[WF_WITHDRAW] = "withdraw",
	[WF_CLOSE] = "close",
	[WF_AUTO_CLOSE] = "auto_close",
};

STR_TABLE_FUNCS(enum wf_action, action_codes, WF_ACTION_MAX, wf_action_code,
    wf_action_from_code)

bool
wf_solution_pending(enum status st, enum resolution res)
{
	return st == STATUS_WARTET_KUNDE && res == RESOLUTION_GELOEST;
}

static bool
solution_matches(enum wf_solution sol, enum status st, enum resolution res)
{
	switch (sol) {
	case SOL_PENDING:
		return wf_solution_pending(st, res);
	case SOL_NONE:
		return !wf_solution_pending(st, res);
	default:
		return true;
	}
}

/* Resolutions an agent closes with; Zurückgezogen is the reporter's own. */
static bool
close_resolution_ok(enum resolution r)
{
	return r == RESOLUTION_GELOEST || r == RESOLUTION_DUPLIKAT ||
	    r == RESOLUTION_ABGELEHNT;
}

enum zek_rc
wf_check(unsigned roles, enum status st, enum resolution res, enum wf_action a,
    enum resolution want, enum status *to, enum resolution *to_res)
{
	const struct wf_rule *found = NULL;
	bool role_ok = false;
	size_t i;

	if (a >= WF_ACTION_MAX || st >= STATUS_MAX)
		return ZEK_INVALID;
	for (i = 0; i < ZEK_ARRAY_LEN(rules); i++) {
		if (rules[i].action != a || (rules[i].roles & roles) == 0)
			continue;
		role_ok = true;
		if (status_is_open(st) && (rules[i].from & S(st)) != 0 &&
		    solution_matches(rules[i].sol, st, res)) {
			found = &rules[i];
			break;
		}
	}
	/* A closed request is final for everybody: it answers "closed" to
	 * all who see it, whoever they are (docs/internals/core.md). */
	if (!status_is_open(st))
		return ZEK_CONFLICT;
	if (!role_ok)
		return ZEK_FORBIDDEN;
	if (found == NULL)
		return ZEK_CONFLICT;
	switch (found->res) {
	case RES_CHOSEN:
		if (!close_resolution_ok(want))
			return ZEK_INVALID;
		*to_res = want;
		break;
	case RES_SET:
		*to_res = found->fixed;
		break;
	default:
		*to_res = RESOLUTION_NONE;
		break;
	}
	*to = found->to;
	return ZEK_OK;
}

/* The roles of `user` on a request reported by reporter_id. */
static unsigned
roles_of(const struct user *user, int64_t reporter_id, bool participant)
{
	unsigned roles = 0;

	if (user == NULL)
		return WF_ROLE_SYSTEM;
	if (perm_is_staff(user))
		roles |= WF_ROLE_AGENT;
	if (reporter_id == user->id)
		roles |= WF_ROLE_REPORTER;
	if (participant)
		roles |= WF_ROLE_PARTICIPANT;
	/* Callers checked visibility: anyone left is a customer who may see
	 * it (its creator, a member of the organisation it is shared with). */
	return roles != 0 ? roles : WF_ROLE_VIEWER;
}

enum zek_rc
core_request_roles(struct zctx *ctx, const struct user *user,
    const struct store_request *r, unsigned *roles)
{
	enum zek_rc rc;
	bool part = false;

	if (user != NULL) {
		rc = store_is_participant(ctx->db, r->id, user->id, &part);
		if (rc != ZEK_OK)
			return rc;
	}
	*roles = roles_of(user, r->reporter_id, part);
	return ZEK_OK;
}

unsigned
core_view_roles(const struct user *user, const struct request_view *v)
{
	bool part = false;
	size_t i;

	/* The view holds all of its participants: no look-up. */
	for (i = 0; user != NULL && i < v->nparticipants; i++)
		if (v->participants[i].id == user->id)
			part = true;
	return roles_of(user, v->reporter.id, part);
}

enum status
core_status_of(const struct store_request *r)
{
	enum status s;
	enum resolution res;

	(void)status_decode(r->status, r->resolution, &s, &res);
	return s;
}

enum resolution
core_resolution_of(const struct store_request *r)
{
	enum status s;
	enum resolution res;

	(void)status_decode(r->status, r->resolution, &s, &res);
	return res;
}

/* The mails of a change, in its transaction: none is lost, none lies. */
static enum zek_rc
notify_change(struct zctx *ctx, const struct user *actor, int64_t id,
    enum wf_action action, enum status from, const char *comment)
{
	switch (action) {
	case WF_PROPOSE_SOLUTION:
		return core_notify_solution(ctx, id, actor, comment);
	case WF_AUTO_CLOSE:
		return core_notify_auto_closed(ctx, id);
	default:
		return core_notify_status(ctx, id, actor, from, comment);
	}
}

enum zek_rc
core_transition_locked(struct zctx *ctx, const struct user *actor,
    unsigned roles, struct store_request *r, enum wf_action action,
    enum resolution resolution, const char *comment)
{
	struct store_activity e;
	enum status from = core_status_of(r), to;
	enum resolution to_res;
	enum zek_rc rc;

	rc = wf_check(roles, from, core_resolution_of(r), action, resolution,
	    &to, &to_res);
	if (rc != ZEK_OK)
		return rc;
	rc = store_request_set_status(ctx->db, r->id, status_code(to),
	    resolution_code(to_res), ctx->now_ms);
	if (rc != ZEK_OK)
		return rc;
	e = (struct store_activity){
		.request_id = r->id,
		.actor_id = actor != NULL ? actor->id : 0,
		.kind = "status_changed",
		.action = wf_action_code(action),
		.old_status = status_code(from),
		.new_status = status_code(to),
		.resolution = resolution_code(to_res),
		.is_public = true,
		.created_at = ctx->now_ms,
	};
	rc = store_activity_insert(ctx->db, &e, NULL);
	if (rc == ZEK_OK)
		rc = core_request_sla_refresh(ctx, r->id);
	if (rc == ZEK_OK)
		rc = notify_change(ctx, actor, r->id, action, from, comment);
	if (rc == ZEK_OK) {
		r->status = status_code(to);
		r->resolution = resolution_code(to_res);
	}
	return rc;
}

/* Reads the request, under the write lock when `lock`, and checks the
 * user may see it. */
static enum zek_rc
request_checked(struct zctx *ctx, const struct user *user, int64_t request_id,
    bool lock, struct store_request **out, unsigned *roles)
{
	enum zek_rc rc;
	enum status st;
	enum resolution res;
	bool visible = true;

	rc = lock ? store_request_lock(ctx->db, ctx->arena, request_id, out) :
	            store_request_by_id(ctx->db, ctx->arena, request_id, out);
	if (rc == ZEK_OK && user != NULL)
		rc = core_request_visible(ctx, user, *out, &visible);
	if (rc == ZEK_OK && !visible)
		rc = ZEK_NOTFOUND;
	if (rc == ZEK_OK)
		rc = core_request_roles(ctx, user, *out, roles);
	/* Fails closed: nothing is written to a request in a state zek does
	 * not know (never "Offen" by default). */
	if (rc == ZEK_OK &&
	    !status_decode((*out)->status, (*out)->resolution, &st, &res)) {
		log_error("core",
		    "request in an unknown status or resolution: "
		    "refused",
		    LOG_FIELDS(LOG_I("request_id", request_id),
		        LOG_S("status", (*out)->status),
		        LOG_S("resolution", (*out)->resolution)));
		rc = ZEK_IO;
	}
	return rc;
}

enum zek_rc
core_request_lock(struct zctx *ctx, const struct user *user, int64_t request_id,
    struct store_request **out, unsigned *roles)
{
	return request_checked(ctx, user, request_id, true, out, roles);
}

enum zek_rc
core_request_read(struct zctx *ctx, const struct user *user, int64_t request_id,
    struct store_request **out, unsigned *roles)
{
	return request_checked(ctx, user, request_id, false, out, roles);
}

enum zek_rc
core_transition_commented_locked(struct zctx *ctx, const struct user *user,
    unsigned roles, struct store_request *r, enum wf_action action,
    enum resolution resolution, const char *comment, struct field_error *err)
{
	const char *body = NULL;
	enum status to;
	enum resolution to_res;
	enum zek_rc rc;

	/* Check before the comment is written, so a refused change leaves
	 * nothing behind; and before the comment is looked at, so that only
	 * someone who may make the change hears about its problems. */
	rc = wf_check(roles, core_status_of(r), core_resolution_of(r), action,
	    resolution, &to, &to_res);
	if (rc == ZEK_OK && !str_empty(comment))
		rc = core_comment_validate(ctx, comment, false, &body, err);
	if (rc == ZEK_OK && body != NULL && user != NULL)
		rc = core_comment_insert_locked(ctx, r, user, body, true, NULL,
		    0, NULL);
	/* The customer's reason (a rejected solution) reaches the agents; an
	 * agent's words go to the customers with the change itself. */
	if (rc == ZEK_OK && body != NULL && user != NULL &&
	    (roles & WF_ROLE_AGENT) == 0)
		rc = core_notify_comment(ctx, r->id, user, true, body);
	if (rc == ZEK_OK)
		rc = core_transition_locked(ctx, user, roles, r, action,
		    resolution, body);
	return rc;
}

/* A change of status asked for by a user, with its comment. */
struct transition {
	const struct user *user;
	enum wf_action action;
	enum resolution resolution;
	const char *comment;
	struct field_error *err;
};

/* core_locked_fn: core_transition_commented_locked for *arg. */
static enum zek_rc
transition_locked(struct zctx *ctx, struct store_request *r, unsigned roles,
    void *arg)
{
	const struct transition *t = arg;

	return core_transition_commented_locked(ctx, t->user, roles, r,
	    t->action, t->resolution, t->comment, t->err);
}

enum zek_rc
core_transition(struct zctx *ctx, const struct user *user, int64_t request_id,
    enum wf_action action, enum resolution resolution, const char *comment,
    struct field_error *err)
{
	struct transition t = { .user = user,
		.action = action,
		.resolution = resolution,
		.comment = comment,
		.err = err };

	/* A duplicate names its original: core_close_duplicate. */
	if (action == WF_CLOSE && resolution == RESOLUTION_DUPLIKAT) {
		if (err != NULL)
			*err = (struct field_error){
				.field = LINK_ORIGINAL_FIELD,
				.key = "err_required"
			};
		return ZEK_INVALID;
	}
	return core_request_locked(ctx, user, request_id, transition_locked,
	    &t);
}

bool
wf_may_comment(unsigned roles, enum status st)
{
	return status_is_open(st) &&
	    (roles & (WF_ROLES_CUSTOMER | WF_ROLE_AGENT)) != 0;
}

bool
wf_may_share(unsigned roles, enum status st)
{
	return status_is_open(st) &&
	    (roles & (WF_ROLES_CUSTOMER | WF_ROLE_AGENT)) != 0;
}

bool
wf_may_share_org(unsigned roles, enum status st)
{
	return status_is_open(st) &&
	    (roles & (WF_ROLE_REPORTER | WF_ROLE_AGENT)) != 0;
}

bool
wf_may_remove_participant(unsigned roles, enum status st, bool self)
{
	if (!status_is_open(st))
		return false;
	if ((roles & (WF_ROLE_REPORTER | WF_ROLE_AGENT)) != 0)
		return true;
	/* A participant may leave on their own. */
	return self && (roles & WF_ROLE_PARTICIPANT) != 0;
}

/* The organisations the reporter of v may share it with: the viewer's
 * own when they reported it (already loaded), else read. */
static enum zek_rc
reporter_orgs(struct zctx *ctx, const struct user *user,
    const struct request_view *v, struct request_abilities *out)
{
	int64_t *ids;
	const char **names;
	enum zek_rc rc;

	if (v->reporter.id == user->id) {
		out->share_org_ids = user->org_ids;
		out->share_org_names = user->org_names;
		out->nshare_orgs = user->norgs;
		return ZEK_OK;
	}
	rc = core_user_orgs(ctx, v->reporter.id, &ids, &names,
	    &out->nshare_orgs);
	out->share_org_ids = ids;
	out->share_org_names = names;
	return rc;
}

enum zek_rc
core_request_abilities(struct zctx *ctx, const struct user *user,
    const struct request_view *v, struct request_abilities *out)
{
	enum status to;
	enum resolution to_res;
	enum zek_rc rc;
	unsigned roles;

	*out = (struct request_abilities){ .mute = true };
	if (user == NULL)
		return ZEK_NOTFOUND;
	roles = core_view_roles(user, v);
	out->closed = !status_is_open(v->status);
	out->comment = wf_may_comment(roles, v->status);
	out->share = wf_may_share(roles, v->status);
	out->remove_participants = wf_may_remove_participant(roles, v->status,
	    false);
	out->leave = wf_may_remove_participant(roles, v->status, true);
	out->internal_notes = (roles & WF_ROLE_AGENT) != 0;
	if (wf_may_share_org(roles, v->status) && v->shared_org_id == 0) {
		rc = reporter_orgs(ctx, user, v, out);
		if (rc != ZEK_OK)
			return rc;
		out->share_org = out->nshare_orgs > 0;
	}
	out->withdraw = wf_check(roles, v->status, v->resolution, WF_WITHDRAW,
	                    RESOLUTION_NONE, &to, &to_res) == ZEK_OK;
	out->accept_solution = wf_check(roles, v->status, v->resolution,
	                           WF_ACCEPT_SOLUTION, RESOLUTION_NONE, &to,
	                           &to_res) == ZEK_OK;
	out->reject_solution = wf_check(roles, v->status, v->resolution,
	                           WF_REJECT_SOLUTION, RESOLUTION_NONE, &to,
	                           &to_res) == ZEK_OK;
	return ZEK_OK;
}

enum zek_rc
core_request_may(struct zctx *ctx, const struct user *user,
    const struct request_view *v, enum wf_action action)
{
	enum status to;
	enum resolution to_res;
	unsigned roles;

	if (user == NULL)
		return ZEK_NOTFOUND;
	roles = core_view_roles(user, v);
	/* Any resolution close takes: the question is who and when. */
	return wf_check(roles, v->status, v->resolution, action,
	    RESOLUTION_GELOEST, &to, &to_res);
}

/* ---- assignment ---- */

/* An assignment asked for: who by, and to whom (0 = nobody). */
struct assignment {
	const struct user *user;
	int64_t assignee_id;
};

/* core_locked_fn: checks and writes the assignment *arg of r. */
static enum zek_rc
assign_locked(struct zctx *ctx, struct store_request *r, unsigned roles,
    void *arg)
{
	const struct assignment *a = arg;
	const struct user *user = a->user;
	int64_t assignee_id = a->assignee_id;
	struct store_activity e;
	struct store_user *su;
	enum zek_rc rc;

	(void)roles;
	if (!status_is_open(core_status_of(r)))
		return ZEK_CONFLICT;
	if (assignee_id != 0) {
		rc = store_user_by_id(ctx->db, ctx->arena, assignee_id, &su);
		if (rc == ZEK_NOTFOUND ||
		    (rc == ZEK_OK && !role_code_is_staff(su->role)))
			return ZEK_INVALID;
		if (rc != ZEK_OK)
			return rc;
	}
	/* r is read under the lock: its assignee is the current one. */
	if (r->assignee_id == assignee_id)
		return ZEK_OK;
	rc = store_request_set_assignee(ctx->db, r->id, assignee_id,
	    ctx->now_ms);
	if (rc != ZEK_OK)
		return rc;
	/* Who works a request is the support team's business: the entry is
	 * for agents only, like an internal note. */
	e = (struct store_activity){
		.request_id = r->id,
		.actor_id = user->id,
		.kind = "assigned",
		.subject_id = assignee_id,
		.is_public = false,
		.created_at = ctx->now_ms,
	};
	rc = store_activity_insert(ctx->db, &e, NULL);
	/* In the same transaction: the mail goes if the assignment holds. */
	return rc == ZEK_OK ?
	    core_notify_assigned(ctx, r->id, user, assignee_id) :
	    rc;
}

enum zek_rc
core_request_assign(struct zctx *ctx, const struct user *user,
    int64_t request_id, int64_t assignee_id)
{
	struct assignment a = { .user = user, .assignee_id = assignee_id };

	if (!perm_is_staff(user))
		return ZEK_FORBIDDEN;
	if (assignee_id < 0)
		return ZEK_INVALID;
	return core_request_locked(ctx, user, request_id, assign_locked, &a);
}

/* ---- one request in a transaction of its own ---- */

enum zek_rc
core_request_locked(struct zctx *ctx, const struct user *user,
    int64_t request_id, core_locked_fn fn, void *arg)
{
	struct store_request *r;
	enum zek_rc rc;
	unsigned roles;

	rc = store_begin(ctx->db);
	if (rc != ZEK_OK)
		return rc;
	rc = core_request_lock(ctx, user, request_id, &r, &roles);
	if (rc == ZEK_OK)
		rc = fn(ctx, r, roles, arg);
	return store_finish(ctx->db, rc);
}

struct locked_run {
	struct zctx *ctx;
	const struct user *user;
	int64_t id;
	core_locked_fn fn;
	void *arg;
	enum zek_rc rc;
	bool done;
};

static bool
locked_run_once(void *arg, int attempt)
{
	struct locked_run *l = arg;

	(void)attempt;
	l->rc = core_request_locked(l->ctx, l->user, l->id, l->fn, l->arg);
	l->done = l->rc == ZEK_OK;
	if (l->rc == ZEK_NOTFOUND)
		l->rc = ZEK_OK; /* gone, hidden or nothing to do */
	return l->rc == ZEK_OK;
}

enum zek_rc
core_request_locked_run(struct zctx *ctx, const struct user *user,
    int64_t request_id, core_locked_fn fn, void *arg, bool *done)
{
	struct locked_run l = { .ctx = ctx,
		.user = user,
		.id = request_id,
		.fn = fn,
		.arg = arg };
	enum zek_rc rc;

	rc = store_scope_run(ctx->db, false, locked_run_once, &l);
	*done = l.done && rc == ZEK_OK;
	return l.rc != ZEK_OK ? l.rc : rc;
}

/* ---- the auto-close job ---- */

/* Closes request `r` if its solution still waits and has waited since
 * *cutoff or longer (another pass or the customer may have been first). */
static enum zek_rc
auto_close_one(struct zctx *ctx, struct store_request *r, unsigned roles,
    void *cutoff)
{
	int64_t since = 0;
	enum zek_rc rc;

	if (!wf_solution_pending(core_status_of(r), core_resolution_of(r)))
		return ZEK_NOTFOUND;
	rc = store_request_status_since(ctx->db, r->id, &since);
	if (rc == ZEK_OK && since > *(const int64_t *)cutoff)
		return ZEK_NOTFOUND;
	if (rc == ZEK_OK)
		rc = core_transition_locked(ctx, NULL, roles, r, WF_AUTO_CLOSE,
		    RESOLUTION_NONE, NULL);
	return rc;
}

int64_t
core_auto_close_at(const struct zctx *ctx, int64_t proposed_at)
{
	int64_t d = ctx->cfg->auto_close_days;

	return d > 0 ? proposed_at + d * DAY_MS : 0;
}

enum zek_rc
core_auto_close_run(struct zctx *ctx, size_t limit, int64_t *closed, bool *more)
{
	int64_t *ids, cutoff, count = 0;
	enum zek_rc rc;
	size_t i, n = 0;
	bool done;

	if (closed != NULL)
		*closed = 0;
	if (more != NULL)
		*more = false;
	if (ctx->cfg->auto_close_days <= 0)
		return ZEK_OK;
	if (limit == 0)
		limit = AUTO_CLOSE_BATCH;
	cutoff = ctx->now_ms - ctx->cfg->auto_close_days * DAY_MS;
	rc = store_requests_waiting(ctx->db, ctx->arena,
	    status_code(STATUS_WARTET_KUNDE),
	    resolution_code(RESOLUTION_GELOEST), cutoff, 0, limit, &ids, &n);
	for (i = 0; rc == ZEK_OK && i < n; i++) {
		rc = core_request_locked_run(ctx, NULL, ids[i], auto_close_one,
		    &cutoff, &done);
		if (rc == ZEK_OK && done)
			count++;
	}
	if (closed != NULL)
		*closed = count;
	if (more != NULL)
		*more = rc == ZEK_OK && n == limit;
	return rc;
}
