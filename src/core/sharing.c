/* sharing.c: who takes part in a request, organisation sharing, muting notifications. */
#include "core/sharing.h"
#include "core/perm.h"
#include "core/throttle.h"

#include <string.h>

#include "core/config.h"
#include "core/internal.h"
#include "core/notify.h"
#include "core/requests.h"
#include "core/validate.h"
#include "core/workflow.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "store/store.h"

#define WHO_FIELD "who"

/* A change the user's roles do not allow: on a closed request nobody may
 * change anything (ZEK_CONFLICT), an open one is for those the rule names. */
static enum zek_rc
refusal(const struct store_request *r)
{
	return status_is_open(core_status_of(r)) ? ZEK_FORBIDDEN : ZEK_CONFLICT;
}

static enum zek_rc
fail(struct field_error *err, const char *key, int64_t max, const char *arg)
{
	if (err != NULL)
		*err = (struct field_error){ .field = WHO_FIELD,
			.key = key,
			.max = max,
			.arg = arg };
	return ZEK_INVALID;
}

/* The request for `user`, who must see it, and the user's roles. */
static enum zek_rc
load(struct zctx *ctx, const struct user *user, int64_t request_id,
    struct store_request **r, unsigned *roles)
{
	if (user == NULL)
		return ZEK_NOTFOUND;
	return core_request_lock(ctx, user, request_id, r, roles);
}

/* Look-ups that found nobody, per user: a brake on guessing accounts. */
static const char *
failure_key(struct zctx *ctx, const struct user *user)
{
	return arena_printf(ctx->arena, "share|%lld", (long long)user->id);
}

/* share_with = organisation: ZEK_OK when the person is a member of one
 * of the reporter's organisations, ZEK_NOTFOUND when not. */
static enum zek_rc
in_reporters_orgs(struct zctx *ctx, int64_t reporter_id, int64_t person_id)
{
	struct user *reporter, *person;
	enum zek_rc rc;

	rc = core_user_get(ctx, reporter_id, &reporter);
	if (rc == ZEK_OK)
		rc = core_user_get(ctx, person_id, &person);
	if (rc != ZEK_OK)
		return rc;
	return core_users_share_org(reporter, person) ? ZEK_OK : ZEK_NOTFOUND;
}

/* A change of who takes part, asked for by `user`. */
struct share_change {
	const struct user *user;
	const struct store_user *person; /* add: the one to add */
	int64_t id;                      /* remove: participant; share: org */
	struct field_error *err;         /* add: what is wrong with "who" */
};

/* core_locked_fn, the writing half of core_participant_add. */
static enum zek_rc
add_locked(struct zctx *ctx, struct store_request *r, unsigned roles, void *arg)
{
	const struct share_change *c = arg;
	const struct user *user = c->user;
	const struct store_user *p = c->person;
	struct field_error *err = c->err;
	struct store_activity e;
	enum zek_rc rc;
	int64_t count;
	bool part;

	if (!wf_may_share(roles, core_status_of(r)))
		return refusal(r);
	rc = store_is_participant(ctx->db, r->id, p->id, &part);
	if (rc != ZEK_OK)
		return rc;
	if (part || p->id == r->reporter_id)
		return fail(err, "err_share_already", 0, p->name);
	if (!perm_is_staff(user) &&
	    ctx->cfg->share_with == SHARE_WITH_ORGANISATION) {
		rc = in_reporters_orgs(ctx, r->reporter_id, p->id);
		if (rc == ZEK_NOTFOUND)
			return fail(err, "err_share_not_org", 0, p->name);
		if (rc != ZEK_OK)
			return rc;
	}
	rc = store_participant_count(ctx->db, r->id, &count);
	if (rc != ZEK_OK)
		return rc;
	if (count >= SHARE_PARTICIPANTS_MAX)
		return fail(err, "err_share_too_many", SHARE_PARTICIPANTS_MAX,
		    NULL);
	rc = store_participant_add(ctx->db, r->id, p->id);
	if (rc != ZEK_OK)
		return rc;
	e = (struct store_activity){
		.request_id = r->id,
		.actor_id = user->id,
		.kind = "participant_added",
		.subject_id = p->id,
		.is_public = true,
		.created_at = ctx->now_ms,
	};
	rc = store_activity_insert(ctx->db, &e, NULL);
	if (rc == ZEK_OK)
		rc = store_request_touch(ctx->db, r->id, ctx->now_ms, true);
	if (rc == ZEK_OK)
		rc = core_notify_participant_added(ctx, r->id, user, p->id);
	return rc;
}

enum zek_rc
core_participant_add(struct zctx *ctx, const struct user *user,
    int64_t request_id, const char *who, struct person *added,
    struct field_error *err)
{
	struct share_change c = { .user = user, .err = err };
	struct store_request *r;
	struct store_user *p;
	const char *key;
	enum zek_rc rc;
	unsigned roles;
	char *w;

	rc = load(ctx, user, request_id, &r, &roles);
	if (rc != ZEK_OK)
		return rc;
	if (!wf_may_share(roles, core_status_of(r)))
		return refusal(r);
	if (who == NULL || !utf8_valid(who, strlen(who)))
		return fail(err,
		    who == NULL ? "err_required" : "err_invalid_utf8", 0, NULL);
	w = arena_strdup(ctx->arena, who);
	if (w == NULL)
		return ZEK_NOMEM;
	w = str_trim(w);
	if (str_empty(w))
		return fail(err, "err_required", 0, NULL);
	if (strlen(w) > SHARE_WHO_MAX)
		return fail(err, "err_too_long", SHARE_WHO_MAX, NULL);
	key = failure_key(ctx, user);
	if (core_throttled(ctx, key, SHARE_MAX_FAILURES))
		return fail(err, "err_share_throttled", 0, NULL);
	rc = core_customer_find(ctx, w, &p);
	if (rc == ZEK_NOTFOUND || rc == ZEK_CONFLICT) {
		/* Counted outside any transaction, so a refusal cannot undo it. */
		core_throttle_fail(ctx, key);
		return fail(err,
		    rc == ZEK_NOTFOUND ? "err_share_no_account" :
		                         "err_share_ambiguous",
		    0, NULL);
	}
	if (rc != ZEK_OK)
		return rc;
	c.person = p;
	rc = core_request_locked(ctx, user, request_id, add_locked, &c);
	if (rc != ZEK_OK)
		return rc;
	if (added != NULL)
		*added = (struct person){ .id = p->id,
			.name = p->name,
			.email = "" };
	return ZEK_OK;
}

/* core_locked_fn: takes participant c->id off request r. */
static enum zek_rc
remove_locked(struct zctx *ctx, struct store_request *r, unsigned roles,
    void *arg)
{
	const struct share_change *c = arg;
	const struct user *user = c->user;
	int64_t participant_id = c->id;
	struct store_activity e;
	enum zek_rc rc;
	bool part;

	rc = store_is_participant(ctx->db, r->id, participant_id, &part);
	if (rc != ZEK_OK)
		return rc;
	if (!part)
		return ZEK_NOTFOUND;
	if (!wf_may_remove_participant(roles, core_status_of(r),
	        participant_id == user->id))
		return refusal(r);
	rc = store_participant_remove(ctx->db, r->id, participant_id);
	if (rc != ZEK_OK)
		return rc;
	e = (struct store_activity){
		.request_id = r->id,
		.actor_id = user->id,
		.kind = "participant_removed",
		.subject_id = participant_id,
		.is_public = true,
		.created_at = ctx->now_ms,
	};
	rc = store_activity_insert(ctx->db, &e, NULL);
	if (rc == ZEK_OK)
		rc = store_request_touch(ctx->db, r->id, ctx->now_ms, true);
	return rc;
}

/* Runs fn, a change of request `request_id` about `id` (a participant,
 * an organisation), for `user` in a transaction of its own. */
static enum zek_rc
change_by_id(struct zctx *ctx, const struct user *user, int64_t request_id,
    int64_t id, core_locked_fn fn)
{
	struct share_change c = { .user = user, .id = id };

	if (user == NULL)
		return ZEK_NOTFOUND;
	return core_request_locked(ctx, user, request_id, fn, &c);
}

enum zek_rc
core_participant_remove(struct zctx *ctx, const struct user *user,
    int64_t request_id, int64_t participant_id)
{
	return change_by_id(ctx, user, request_id, participant_id,
	    remove_locked);
}

/* core_locked_fn: shares request r with organisation c->id. */
static enum zek_rc
share_org_locked(struct zctx *ctx, struct store_request *r, unsigned roles,
    void *arg)
{
	const struct share_change *c = arg;
	int64_t org_id = c->id;
	struct store_activity e;
	struct store_org *orgs;
	enum zek_rc rc;
	size_t i, n;

	if (!wf_may_share_org(roles, core_status_of(r)))
		return refusal(r);
	if (r->shared_org_id != 0)
		return ZEK_CONFLICT;
	rc = store_user_orgs(ctx->db, ctx->arena, r->reporter_id, &orgs, &n);
	if (rc != ZEK_OK)
		return rc;
	for (i = 0; i < n && orgs[i].id != org_id; i++)
		;
	if (i == n)
		return ZEK_INVALID;
	rc = store_request_share_org(ctx->db, r->id, org_id, ctx->now_ms);
	if (rc == ZEK_NOTFOUND)
		return ZEK_CONFLICT;
	if (rc != ZEK_OK)
		return rc;
	e = (struct store_activity){
		.request_id = r->id,
		.actor_id = c->user->id,
		.kind = "shared_with_org",
		.org_id = org_id,
		.is_public = true,
		.created_at = ctx->now_ms,
	};
	return store_activity_insert(ctx->db, &e, NULL);
}

enum zek_rc
core_request_share_org(struct zctx *ctx, const struct user *user,
    int64_t request_id, int64_t org_id)
{
	return change_by_id(ctx, user, request_id, org_id, share_org_locked);
}

enum zek_rc
core_request_notify_set(struct zctx *ctx, const struct user *user,
    int64_t request_id, bool muted)
{
	struct store_request *r;
	enum zek_rc rc;
	unsigned roles;

	rc = load(ctx, user, request_id, &r, &roles);
	if (rc != ZEK_OK)
		return rc;
	return store_notify_muted_set(ctx->db, r->id, user->id, muted);
}
