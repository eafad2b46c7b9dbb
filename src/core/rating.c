/* rating.c: satisfaction ratings: the rules of who rates when, on the page and by link. */
#include "core/rating.h"

#include <stdio.h>
#include <string.h>

#include "core/fields.h"
#include "core/internal.h"
#include "core/mailtoken.h"
#include "core/reports.h"
#include "core/requests.h"
#include "core/users.h"
#include "core/validate.h"
#include "core/workflow.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "store/store.h"

#define DAY_MS (24LL * 3600 * 1000)
#define ACTIVITY_RATED "rated"

bool
core_rating_possible(enum status st, enum resolution res)
{
	return st == STATUS_GESCHLOSSEN && res != RESOLUTION_ZURUECKGEZOGEN;
}

static void
rating_from_store(struct rating *out, const struct store_rating *sr)
{
	*out = (struct rating){
		.score = (int)sr->score,
		.comment = sr->comment,
		.rater_id = sr->user_id,
		.created_at = sr->created_at,
		.updated_at = sr->updated_at,
		.change_until = sr->created_at + RATING_CHANGE_DAYS * DAY_MS,
	};
}

/* The request's rating, if it has one (*found). */
static enum zek_rc
rating_load(struct zctx *ctx, int64_t request_id, struct rating *out,
    bool *found)
{
	struct store_rating *sr;
	enum zek_rc rc;

	*found = false;
	rc = store_rating_get(ctx->db, ctx->arena, request_id, &sr);
	if (rc == ZEK_NOTFOUND)
		return ZEK_OK;
	if (rc != ZEK_OK)
		return rc;
	rating_from_store(out, sr);
	*found = true;
	return ZEK_OK;
}

enum zek_rc
core_rating_of_view(struct zctx *ctx, const struct user *user,
    const struct request_view *v, struct rating_view *out)
{
	enum zek_rc rc;
	unsigned roles;
	bool found, reporter;

	*out = (struct rating_view){ 0 };
	if (user == NULL)
		return ZEK_NOTFOUND;
	if (!core_rating_possible(v->status, v->resolution))
		return ZEK_OK;
	roles = core_view_roles(user, v);
	reporter = (roles & WF_ROLE_REPORTER) != 0;
	/* Nobody else's business: not read at all for other customers. */
	if (!reporter && (roles & WF_ROLE_AGENT) == 0)
		return ZEK_OK;
	rc = rating_load(ctx, v->id, &out->rating, &found);
	if (rc != ZEK_OK)
		return rc;
	/* A customer sees the rating they gave themselves, never another's. */
	out->has_rating = found &&
	    ((roles & WF_ROLE_AGENT) != 0 || out->rating.rater_id == user->id);
	out->changeable = found && ctx->now_ms < out->rating.change_until;
	out->offered = reporter &&
	    (!found || (out->has_rating && out->changeable));
	return ZEK_OK;
}

/* ---- writing ---- */

static enum zek_rc
input_error(struct field_error *err, const char *field, const char *key,
    int64_t max)
{
	if (err != NULL)
		*err = (struct field_error){ .field = field,
			.key = key,
			.max = max };
	return ZEK_INVALID;
}

/* The score 1..5 and the comment as stored (trimmed, CRLF as LF). */
static enum zek_rc
input_check(struct zctx *ctx, const char *score, const char *comment,
    int64_t *n, const char **norm, struct field_error *err)
{
	enum zek_rc rc;

	/* The comment first: text that cannot be read is named as such
	 * whatever else is missing. */
	rc = core_validate_text(ctx, RATING_COMMENT_FIELD, FIELD_TEXTAREA,
	    false, comment, RATING_COMMENT_MAX, norm, err);
	if (rc != ZEK_OK)
		return rc;
	if (str_to_i64(score, 1, RATING_SCORE_MAX, n) != 0)
		return input_error(err, RATING_SCORE_FIELD, "err_rating_score",
		    0);
	return ZEK_OK;
}

/* A rating given: by whom, the form's inputs, and where its error goes. */
struct rating_input {
	const struct user *user;
	const char *score, *comment;
	bool insert_only; /* only a first rating (the mail's link) */
	struct field_error *err;
};

/* core_locked_fn, r read under the write lock: checks who and when, then
 * writes the rating *arg (only a first one when insert_only), its log
 * entry and the request's update time. */
static enum zek_rc
rate_locked(struct zctx *ctx, struct store_request *r, unsigned roles,
    void *arg)
{
	const struct rating_input *in = arg;
	const struct user *user = in->user;
	struct store_rating sr = { .request_id = r->id, .user_id = user->id };
	struct store_activity e;
	struct rating old = { 0 };
	enum status st;
	enum resolution res;
	enum zek_rc rc;
	char action[4];
	bool found;

	(void)status_decode(r->status, r->resolution, &st, &res);
	if ((roles & WF_ROLE_REPORTER) == 0)
		return ZEK_FORBIDDEN;
	if (!core_rating_possible(st, res))
		return ZEK_CONFLICT;
	rc = rating_load(ctx, r->id, &old, &found);
	if (rc == ZEK_OK && found &&
	    (in->insert_only || ctx->now_ms >= old.change_until ||
	        old.rater_id != user->id))
		rc = ZEK_CONFLICT;
	/* Only someone who may rate now hears about the input's problems. */
	if (rc == ZEK_OK)
		rc = input_check(ctx, in->score, in->comment, &sr.score,
		    &sr.comment, in->err);
	if (rc != ZEK_OK)
		return rc;
	sr.created_at = found ? old.created_at : ctx->now_ms;
	sr.updated_at = ctx->now_ms;
	rc = found ? store_rating_update(ctx->db, &sr) :
	             store_rating_insert(ctx->db, &sr);
	if (rc != ZEK_OK)
		return rc;
	snprintf(action, sizeof(action), "%d", (int)sr.score);
	/* The score is for the support team: an agents-only entry. */
	e = (struct store_activity){
		.request_id = r->id,
		.actor_id = user->id,
		.kind = ACTIVITY_RATED,
		.action = action,
		.is_public = false,
		.created_at = ctx->now_ms,
	};
	rc = store_activity_insert(ctx->db, &e, NULL);
	if (rc == ZEK_OK)
		rc = store_request_touch(ctx->db, r->id, ctx->now_ms, false);
	if (rc == ZEK_OK)
		rc = core_report_request(ctx, r->id);
	return rc;
}

/* One rating in a transaction of its own. */
static enum zek_rc
rate(struct zctx *ctx, const struct user *user, int64_t request_id,
    const char *score, const char *comment, bool insert_only,
    struct field_error *err)
{
	struct rating_input in = { .user = user,
		.score = score,
		.comment = comment,
		.insert_only = insert_only,
		.err = err };

	return core_request_locked(ctx, user, request_id, rate_locked, &in);
}

enum zek_rc
core_rating_save(struct zctx *ctx, const struct user *user, int64_t request_id,
    const char *score, const char *comment, struct field_error *err)
{
	if (user == NULL)
		return ZEK_FORBIDDEN;
	return rate(ctx, user, request_id, score, comment, false, err);
}

/* ---- the link of the closing mail ---- */

/* The link's person and request as they are now: the person must still
 * be active and the request's reporter, the request closed and not
 * withdrawn; anything else makes the link invalid. */
static enum zek_rc
link_target(struct zctx *ctx, struct rating_link *out, struct user **user)
{
	struct store_request *r;
	struct store_desk *d;
	enum status st;
	enum resolution res;
	enum zek_rc rc;

	rc = core_user_get_active(ctx, out->user_id, user);
	if (rc == ZEK_OK)
		rc = store_request_by_id(ctx->db, ctx->arena, out->request_id,
		    &r);
	if (rc == ZEK_OK)
		rc = store_desk_by_id(ctx->db, ctx->arena, r->desk_id, &d);
	if (rc == ZEK_NOTFOUND) {
		out->state = RATING_LINK_INVALID;
		return ZEK_OK;
	}
	if (rc != ZEK_OK)
		return rc;
	if (!status_decode(r->status, r->resolution, &st, &res) ||
	    !core_rating_possible(st, res) || r->reporter_id != out->user_id) {
		out->state = RATING_LINK_INVALID;
		return ZEK_OK;
	}
	out->key = r->key;
	out->title = r->title;
	out->portal_id = d->portal_id;
	return ZEK_OK;
}

/* core_rating_link_open, and the person the link is for (*user, when
 * the state is OPEN or USED). */
static enum zek_rc
link_read(struct zctx *ctx, const char *token, struct rating_link *out,
    struct user **user)
{
	struct rating given;
	enum zek_rc rc;
	bool expired, found;

	*out = (struct rating_link){ .state = RATING_LINK_INVALID };
	rc = core_rating_token_check(ctx, token, &out->user_id,
	    &out->request_id, &expired);
	if (rc == ZEK_NOTFOUND) {
		out->state = expired ? RATING_LINK_EXPIRED :
		                       RATING_LINK_INVALID;
		return ZEK_OK;
	}
	out->state = RATING_LINK_OPEN;
	if (rc == ZEK_OK)
		rc = link_target(ctx, out, user);
	if (rc != ZEK_OK || out->state != RATING_LINK_OPEN)
		return rc;
	rc = rating_load(ctx, out->request_id, &given, &found);
	if (rc == ZEK_OK && found) {
		out->state = RATING_LINK_USED;
		out->changeable = ctx->now_ms < given.change_until;
	}
	return rc;
}

enum zek_rc
core_rating_link_open(struct zctx *ctx, const char *token,
    struct rating_link *out)
{
	struct user *user;

	return link_read(ctx, token, out, &user);
}

enum zek_rc
core_rating_link_save(struct zctx *ctx, const char *token, const char *score,
    const char *comment, struct rating_link *out, struct field_error *err)
{
	struct user *user;
	enum zek_rc rc;

	rc = link_read(ctx, token, out, &user);
	if (rc != ZEK_OK)
		return rc;
	if (out->state != RATING_LINK_OPEN)
		return ZEK_CONFLICT;
	rc = rate(ctx, user, out->request_id, score, comment, true, err);
	if (rc == ZEK_OK) {
		out->state = RATING_LINK_USED;
		out->changeable = true;
	} else if (rc == ZEK_CONFLICT) {
		/* Someone was quicker (the page, a second click): say what
		 * the link is now. */
		rc = link_read(ctx, token, out, &user);
		if (rc == ZEK_OK)
			rc = ZEK_CONFLICT;
	}
	return rc;
}
