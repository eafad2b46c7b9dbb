/* workflow.h: the one state machine of a request's status, and who may act. */
#ifndef ZEK_CORE_WORKFLOW_H
#define ZEK_CORE_WORKFLOW_H

#include <stdbool.h>
#include <stdint.h>

#include "core/ctx.h"
#include "core/status.h"

struct user;
struct store_request;
struct field_error;
struct request_view;

/* What someone asks to happen to a request's status. */
enum wf_action {
	WF_TO_SUPPORT,       /* agent: Offen, In Bearbeitung or Wartet auf
	                        Kunden -> Wartet auf Support */
	WF_START,            /* agent: Offen, Wartet auf Support or Wartet
	                        auf Kunden -> In Bearbeitung */
	WF_ASK_CUSTOMER,     /* agent: Offen, Wartet auf Support or In
	                        Bearbeitung -> Wartet auf Kunden (a question) */
	WF_PROPOSE_SOLUTION, /* agent: any open status without a pending
	                        solution -> Wartet auf Kunden, Gelöst */
	WF_ACCEPT_SOLUTION,  /* customer: proposed solution -> Geschlossen,
	                        Gelöst */
	WF_REJECT_SOLUTION,  /* customer: proposed solution -> Wartet auf
	                        Support */
	WF_CUSTOMER_REPLY,   /* customer comment on a question -> Wartet auf
	                        Support */
	WF_WITHDRAW,         /* reporter: any open status -> Geschlossen,
	                        Zurückgezogen */
	WF_CLOSE,            /* agent: any open status -> Geschlossen with a
	                        resolution */
	WF_AUTO_CLOSE,       /* system: proposed solution, waited long ->
	                        Geschlossen, Gelöst */
	WF_ACTION_MAX
};

/* How a user relates to a request; several may apply at once. */
enum wf_role {
	WF_ROLE_REPORTER = 1 << 0,    /* the customer it was raised for */
	WF_ROLE_PARTICIPANT = 1 << 1, /* added with "Teilen" */
	WF_ROLE_VIEWER = 1 << 2,      /* another customer who may see it
	                               * (its creator, organisation members) */
	WF_ROLE_AGENT = 1 << 3,       /* agents and admins */
	WF_ROLE_SYSTEM = 1 << 4,      /* background jobs (user NULL) */
};
#define WF_ROLES_CUSTOMER \
	(WF_ROLE_REPORTER | WF_ROLE_PARTICIPANT | WF_ROLE_VIEWER)

/* Stable code of an action ("withdraw", "propose_solution", ...), stored
 * in the activity log. Static string; "" for an unknown action. */
const char *wf_action_code(enum wf_action a);
bool wf_action_from_code(const char *code, enum wf_action *out);

/* The pure rule: may someone with `roles` do `a` on a request in status
 * `st` with resolution `res`? `want` is the resolution asked for
 * (WF_CLOSE only: Gelöst, Duplikat or Abgelehnt). On ZEK_OK *to and
 * *to_res say the result. Returns ZEK_FORBIDDEN when the roles may never
 * do `a`, ZEK_CONFLICT when they may, but not from this state (closed
 * requests are final: every action there is ZEK_CONFLICT), ZEK_INVALID
 * for an unknown action or a resolution WF_CLOSE does not take. */
enum zek_rc wf_check(unsigned roles, enum status st, enum resolution res,
    enum wf_action a, enum resolution want, enum status *to,
    enum resolution *to_res);

/* True while a solution waits for the customer's answer. */
bool wf_solution_pending(enum status st, enum resolution res);

/* The roles of `user` (NULL = the system) on a stored request it may see.
 * Asks the database whether the user takes part. */
enum zek_rc core_request_roles(struct zctx *ctx, const struct user *user,
    const struct store_request *r, unsigned *roles);

/* core_request_roles for a request as core_request_get loaded it for
 * `user` (which showed the user may see it), from the view alone. */
unsigned core_view_roles(const struct user *user, const struct request_view *v);

/* Changes the status of request `request_id` by `action`, for `user`
 * (NULL only for WF_AUTO_CLOSE, run by a job). In one transaction: checks
 * the current status (read under the write lock), writes the new status
 * and resolution, the optional comment (Markdown, public, as the user's;
 * NULL or "" = none), a "status_changed" activity entry (with the
 * comment's entry first) and the mails it causes (core/notify.h).
 * Returns ZEK_OK; ZEK_NOTFOUND when the request does not exist or the user
 * may not see it; ZEK_FORBIDDEN / ZEK_CONFLICT / ZEK_INVALID as wf_check;
 * ZEK_INVALID with *err (field "comment") for a bad comment (err may be
 * NULL); ZEK_INVALID with *err (field "original", err_required) for
 * WF_CLOSE as Duplikat, which must name its original
 * (core_close_duplicate, core/links.h); ZEK_IO otherwise. */
enum zek_rc core_transition(struct zctx *ctx, const struct user *user,
    int64_t request_id, enum wf_action action, enum resolution resolution,
    const char *comment, struct field_error *err);

/* For core/ only, inside an open transaction: reads request `request_id`,
 * checks that `user` (NULL = the system) may see it (ZEK_NOTFOUND if not)
 * and gives the user's roles. */
enum zek_rc core_request_lock(struct zctx *ctx, const struct user *user,
    int64_t request_id, struct store_request **out, unsigned *roles);
/* A change of one request written by a change function: `fn` gets the
 * request read under its write lock and the roles of `user` (NULL = the
 * system) and returns ZEK_OK to keep what it wrote, ZEK_NOTFOUND when
 * there is nothing to do (any more), anything else to fail. */
typedef enum zek_rc (*core_locked_fn)(struct zctx *ctx, struct store_request *r,
    unsigned roles, void *arg);

/* For core/ only: begins a transaction, reads request `request_id` under
 * its write lock for `user` (core_request_lock) and runs `fn` on it;
 * commits when fn returns ZEK_OK, else rolls back. Returns fn's code,
 * core_request_lock's (ZEK_NOTFOUND: gone or hidden), or the begin's or
 * commit's failure. The way for a change a user asks for: inside an HTTP
 * request's scope the transaction is a savepoint of it, and the scope is
 * what runs again when the database refuses it. */
enum zek_rc core_request_locked(struct zctx *ctx, const struct user *user,
    int64_t request_id, core_locked_fn fn, void *arg);
/* Runs `fn` on request `request_id` in a transaction of its own
 * (core_request_locked), again from scratch while the database refuses
 * it as a deadlock's victim;
 * *done says whether it was kept. A request gone, invisible to `user` or
 * left alone by `fn` (ZEK_NOTFOUND) is ZEK_OK with *done false. The one
 * way for jobs that work requests one by one. */
enum zek_rc core_request_locked_run(struct zctx *ctx, const struct user *user,
    int64_t request_id, core_locked_fn fn, void *arg, bool *done);
/* The same without the lock, for pages that only show: on PostgreSQL a
 * row lock is a write (and 64 viewers of one request would queue). */
enum zek_rc core_request_read(struct zctx *ctx, const struct user *user,
    int64_t request_id, struct store_request **out, unsigned *roles);

/* For core/ only, inside an open transaction, after the request `r` was
 * read under the write lock: checks and applies `action` for `roles` by
 * `actor` (NULL = the system), logs it and queues its mails (comment: the
 * Markdown written with it, or NULL); r->status and r->resolution are
 * updated. */
enum zek_rc core_transition_locked(struct zctx *ctx, const struct user *actor,
    unsigned roles, struct store_request *r, enum wf_action action,
    enum resolution resolution, const char *comment);

/* For core/ only: core_transition inside an open transaction, after the
 * request `r` was read under the write lock (with the user's roles). */
enum zek_rc core_transition_commented_locked(struct zctx *ctx,
    const struct user *user, unsigned roles, struct store_request *r,
    enum wf_action action, enum resolution resolution, const char *comment,
    struct field_error *err);

/* What the page may offer the viewing user. */
struct request_abilities {
	bool comment;   /* add a public comment */
	bool share;     /* add participants */
	bool share_org; /* share with one of the reporter's organisations */
	/* Those organisations, when share_org (the reporter's, by name). */
	const int64_t *share_org_ids;
	const char *const *share_org_names;
	size_t nshare_orgs;
	bool remove_participants; /* remove any participant */
	bool leave;               /* remove oneself (a participant) */
	bool withdraw;            /* "Anfrage zurückziehen" */
	bool accept_solution;     /* "Lösung annehmen" (shown in issue 4) */
	bool reject_solution;     /* "Lösung ablehnen" */
	bool internal_notes;      /* see and write internal notes */
	bool mute;                /* toggle own notifications (always) */
	bool closed; /* final: the page says it cannot be reopened */
};

/* Fills *out for `user` and the request `v` (from core_request_get, so
 * visible to the user). */
enum zek_rc core_request_abilities(struct zctx *ctx, const struct user *user,
    const struct request_view *v, struct request_abilities *out);

/* Whether `user` may do `action` on the request `v` (from core_request_get)
 * now, answered as core_transition would: ZEK_OK, ZEK_FORBIDDEN (never
 * this user's to do), ZEK_CONFLICT (not now; always on a closed request).
 * For confirmation pages, which must promise neither more nor less than
 * the change itself. */
enum zek_rc core_request_may(struct zctx *ctx, const struct user *user,
    const struct request_view *v, enum wf_action action);

/* Assigns request `request_id` to `assignee_id` (an agent or admin; 0 =
 * nobody) for `user`, who must be an agent or admin. In one transaction:
 * the assignee, updated_at, and an "assigned" activity entry (agents
 * only). Giving it to its current assignee changes nothing.
 * Returns ZEK_OK; ZEK_NOTFOUND when the request does not exist;
 * ZEK_FORBIDDEN when `user` is not support staff; ZEK_INVALID when the
 * assignee is no agent or admin; ZEK_CONFLICT when the request is closed
 * (closed requests are final). */
enum zek_rc core_request_assign(struct zctx *ctx, const struct user *user,
    int64_t request_id, int64_t assignee_id);

#define AUTO_CLOSE_BATCH 100 /* requests one pass closes at most */

/* When a solution proposed at `proposed_at` closes its request by itself:
 * cfg->auto_close_days later, the moment core_auto_close_run takes it;
 * 0 when nothing closes it (auto_close_days 0). */
int64_t core_auto_close_at(const struct zctx *ctx, int64_t proposed_at);

/* The auto-close job, one pass at ctx->now_ms: every request whose
 * proposed solution has waited cfg->auto_close_days (0 = never) in
 * "Wartet auf Kunden" is closed with WF_AUTO_CLOSE (Geschlossen, Gelöst;
 * the system is the actor; mails queued). Each request in a transaction
 * of its own that checks the status and the waiting time again under the
 * write lock, so passes at the same time (threads or processes) close
 * each request once. At most `limit` (0 = AUTO_CLOSE_BATCH) per pass;
 * *closed = how many were closed, *more = the batch was full (run again).
 * closed and more may be NULL. */
enum zek_rc core_auto_close_run(struct zctx *ctx, size_t limit, int64_t *closed,
    bool *more);

/* The rules the abilities come from, for core/sharing.c and activity.c. */
bool wf_may_comment(unsigned roles, enum status st);
bool wf_may_share(unsigned roles, enum status st);
bool wf_may_share_org(unsigned roles, enum status st);
bool wf_may_remove_participant(unsigned roles, enum status st, bool self);

#endif
