/* rating.h: satisfaction ratings (CSAT): who rates a request, when, and who sees it. */
#ifndef ZEK_CORE_RATING_H
#define ZEK_CORE_RATING_H

#include <stdbool.h>
#include <stdint.h>

#include "core/ctx.h"
#include "core/status.h"

struct user;
struct field_error;
struct request_view;

/*
 * Issue 18: when a request is closed (not withdrawn), its reporter is
 * asked "Wie zufrieden waren Sie mit der Bearbeitung?" (1 to 5 and an
 * optional comment), on the request page or through the signed link of
 * the closing mail (core/mailtoken.h), which works once without signing
 * in. One rating per request; its reporter may change it for
 * RATING_CHANGE_DAYS after the first. Agents see it (request, queues, an
 * agents-only "rated" entry in the activity log); no other customer does.
 */
#define RATING_SCORE_MAX 5
#define RATING_COMMENT_MAX 2000 /* code points */
#define RATING_CHANGE_DAYS 7
#define RATING_SCORE_FIELD "score"
#define RATING_COMMENT_FIELD "rating_comment"
#define RATING_LINK_PATH "/servicedesk/customer/rating/" /* + token */

/* A given rating. Lives in ctx->arena. */
struct rating {
	int score;           /* 1..RATING_SCORE_MAX */
	const char *comment; /* "" = none */
	int64_t rater_id;
	int64_t created_at;
	int64_t updated_at;
	int64_t change_until; /* changes are taken before this (UTC ms) */
};

/* What the page of a request shows its viewer of the rating. */
struct rating_view {
	bool offered;    /* the viewer may rate now: the reporter of
	                    a closed, not withdrawn request without
	                    a rating, or within the change period */
	bool has_rating; /* `rating` is filled: the viewer is the
	                    reporter who gave it, or support staff */
	bool changeable; /* has_rating, and the reporter may still
	                    change it */
	struct rating rating;
};

/* Whether a request in this state may be rated at all: closed, and not
 * withdrawn by its reporter. */
bool core_rating_possible(enum status st, enum resolution res);

/* Fills *out for `user` and the request `v` (from core_request_get, so
 * visible to the user). The permission is decided here: a customer who is
 * not the reporter gets an empty view. */
enum zek_rc core_rating_of_view(struct zctx *ctx, const struct user *user,
    const struct request_view *v, struct rating_view *out);

/* Rates request `request_id` for `user` with `score` ("1".."5" as the
 * form sends it) and `comment` (optional; NULL = ""), or changes the
 * rating given before. In one transaction with an agents-only "rated"
 * activity entry. Returns ZEK_OK; ZEK_NOTFOUND when the user may not see
 * the request; ZEK_FORBIDDEN when the user is not its reporter;
 * ZEK_CONFLICT when it is open or withdrawn, or the change period is
 * over; ZEK_INVALID with *err (field RATING_SCORE_FIELD: err_rating_score;
 * field RATING_COMMENT_FIELD: err_too_long, err_invalid_utf8,
 * err_invalid_chars). */
enum zek_rc core_rating_save(struct zctx *ctx, const struct user *user,
    int64_t request_id, const char *score, const char *comment,
    struct field_error *err);

/* What the rating link of a closing mail says. */
enum rating_link_state {
	RATING_LINK_OPEN,    /* it may be used: no rating yet */
	RATING_LINK_USED,    /* the request has its rating */
	RATING_LINK_EXPIRED, /* a real link, older than
	                        RATINGTOKEN_DAYS */
	RATING_LINK_INVALID, /* garbled, forged, or its request or
	                        person is gone */
};

struct rating_link {
	enum rating_link_state state;
	int64_t user_id; /* OPEN, USED: whom the link is for */
	int64_t request_id;
	const char *key; /* OPEN, USED: the request's key, title */
	const char *title;
	int64_t portal_id;
	bool changeable; /* USED: the reporter may still change the
	                    rating on the request page */
};

/* Reads the link's token; changes nothing (a GET). ZEK_OK with out->state
 * for every token; other codes only for failures. */
enum zek_rc core_rating_link_open(struct zctx *ctx, const char *token,
    struct rating_link *out);
/* Rates through the link, as core_rating_save for the person the link is
 * for, but only while no rating exists: the rating makes the link used.
 * ZEK_OK (out->state becomes USED); ZEK_CONFLICT when the link is not
 * OPEN (out->state says why); ZEK_INVALID with *err as core_rating_save. */
enum zek_rc core_rating_link_save(struct zctx *ctx, const char *token,
    const char *score, const char *comment, struct rating_link *out,
    struct field_error *err);

#endif
