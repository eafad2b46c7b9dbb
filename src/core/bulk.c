/* bulk.c: one change for many requests, each request as on its own page. */
#include "core/bulk.h"

#include <stdlib.h>

#include "core/internal.h"
#include "core/perm.h"
#include "core/users.h"
#include "lib/arena.h"
#include "store/store.h"

/* A selected request, found, in the order it is worked on. */
struct bulk_item {
	size_t index; /* into keys[] and out[] */
	int64_t id;
};

/* One request's changes, run by store_scope_run as a unit. */
struct bulk_one {
	struct zctx *ctx;
	const struct user *user;
	const struct bulk_change *c;
	int64_t id;
	struct bulk_result *res;
};

static bool
is_agent_action(enum wf_action a)
{
	size_t i;

	for (i = 0; i < AGENT_ACTIONS_N; i++)
		if (agent_actions[i] == a)
			return true;
	return false;
}

/* Whether `c` is something the bulk form may ask for. */
static bool
change_ok(const struct bulk_change *c)
{
	if (!c->assign && !c->transition)
		return false;
	if (c->assign && c->assignee_id < 0)
		return false;
	if (!c->transition)
		return true;
	/* A duplicate names its own original: one per request, not one for
	 * all of them. */
	return is_agent_action(c->action) &&
	    (c->action != WF_CLOSE || c->resolution == RESOLUTION_GELOEST ||
	        c->resolution == RESOLUTION_ABGELEHNT);
}

/* The changes of one request, the assignment first (closing would leave
 * nothing to assign). Kept only when every one was made: a refused one
 * wrote nothing of its own, and drops what came before it. */
static bool
bulk_one_run(void *arg, int attempt)
{
	struct bulk_one *b = arg;
	enum zek_rc rc = ZEK_OK;

	(void)attempt;
	b->res->step = BULK_STEP_NONE;
	if (b->c->assign) {
		b->res->step = BULK_STEP_ASSIGN;
		rc = core_request_assign(b->ctx, b->user, b->id,
		    b->c->assignee_id);
	}
	if (rc == ZEK_OK && b->c->transition) {
		b->res->step = BULK_STEP_STATUS;
		rc = core_transition(b->ctx, b->user, b->id, b->c->action,
		    b->c->resolution, NULL, NULL);
	}
	if (rc == ZEK_OK)
		b->res->step = BULK_STEP_NONE;
	b->res->rc = rc;
	return rc == ZEK_OK;
}

/* Refusals a user is told about; anything else fails the whole call. */
static bool
is_refusal(enum zek_rc rc)
{
	return rc == ZEK_NOTFOUND || rc == ZEK_CONFLICT ||
	    rc == ZEK_FORBIDDEN || rc == ZEK_INVALID;
}

/* The status a refused request is in, for the reason shown. */
static enum zek_rc
refused_status(struct zctx *ctx, int64_t id, struct bulk_result *res)
{
	struct store_request *r;
	enum resolution resolution;
	enum zek_rc rc;

	rc = store_request_by_id(ctx->db, ctx->arena, id, &r);
	if (rc == ZEK_OK &&
	    !status_decode(r->status, r->resolution, &res->status, &resolution))
		rc = ZEK_IO;
	return rc;
}

static enum zek_rc
change_one(struct zctx *ctx, const struct user *user,
    const struct bulk_change *c, int64_t id, struct bulk_result *res)
{
	struct bulk_one b = { .ctx = ctx,
		.user = user,
		.c = c,
		.id = id,
		.res = res };
	enum zek_rc rc;

	rc = store_scope_run(ctx->db, false, bulk_one_run, &b);
	if (rc == ZEK_OK && res->rc != ZEK_OK && !is_refusal(res->rc))
		rc = res->rc;
	if (rc == ZEK_OK && res->rc == ZEK_CONFLICT)
		rc = refused_status(ctx, id, res);
	return rc;
}

static int
by_id(const void *a, const void *b)
{
	const struct bulk_item *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

/* Finds each key's request; the ones not found are answered at once.
 * *nfound items, in the order of their ids. */
static enum zek_rc
find_all(struct zctx *ctx, const struct user *user, const char *const *keys,
    size_t n, struct bulk_result *out, struct bulk_item *items, size_t *nfound)
{
	struct store_request *r;
	enum zek_rc rc;
	size_t i;

	*nfound = 0;
	for (i = 0; i < n; i++) {
		out[i] = (struct bulk_result){ .key = keys[i],
			.rc = ZEK_NOTFOUND };
		rc = core_request_by_key(ctx, user, keys[i], &r);
		if (rc == ZEK_NOTFOUND)
			continue;
		if (rc != ZEK_OK)
			return rc;
		out[i].key = r->key;
		items[(*nfound)++] = (struct bulk_item){ .index = i,
			.id = r->id };
	}
	qsort(items, *nfound, sizeof(*items), by_id);
	return ZEK_OK;
}

enum zek_rc
core_bulk_change(struct zctx *ctx, const struct user *user,
    const char *const *keys, size_t n, const struct bulk_change *c,
    struct bulk_result *out)
{
	struct bulk_item *items;
	enum zek_rc rc;
	size_t i, nfound;

	if (!perm_is_staff(user))
		return ZEK_FORBIDDEN;
	if (n == 0 || !change_ok(c))
		return ZEK_INVALID;
	if (n > BULK_MAX)
		return ZEK_TOOBIG;
	items = arena_calloc(ctx->arena, n, sizeof(*items));
	if (items == NULL)
		return ZEK_NOMEM;
	rc = find_all(ctx, user, keys, n, out, items, &nfound);
	for (i = 0; rc == ZEK_OK && i < nfound; i++) {
		struct bulk_result *res = &out[items[i].index];

		/* The same request twice: it is changed once. */
		if (i > 0 && items[i].id == items[i - 1].id)
			*res = out[items[i - 1].index];
		else
			rc = change_one(ctx, user, c, items[i].id, res);
	}
	return rc;
}
