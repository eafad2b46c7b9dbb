/* rating.c: the satisfaction question: its form and answer on the request
 * page, and the pages of the closing mail's rating link, which work
 * without signing in. */
#include "web/web.h"

#include <stdio.h>
#include <string.h>

#include "core/portal.h"
#include "core/rating.h"
#include "core/users.h"
#include "core/validate.h"
#include "lib/str.h"

#define SCORE_ID_FIRST "f-score-1"
#define COMMENT_ID "f-rating-comment"

static const char *const score_keys[RATING_SCORE_MAX + 1] = {
	[1] = "rating_score_1",
	[2] = "rating_score_2",
	[3] = "rating_score_3",
	[4] = "rating_score_4",
	[5] = "rating_score_5",
};

const char *
web_rating_label(struct req *rq, int score)
{
	if (score < 1 || score > RATING_SCORE_MAX)
		return "";
	return web_t(rq, score_keys[score]);
}

/* "4 von 5": the number, beside the words. */
static const char *
score_of_text(struct req *rq, int score)
{
	char n[8];

	snprintf(n, sizeof(n), "%d", score);
	return http_fmt1(rq, "rating_score_of", "n", n);
}

/* The score a failed form sent, to check it again; 0 for none. */
int
web_rating_sent_score(struct req *rq, const char *name)
{
	int64_t n;

	return str_to_i64(req_form(rq, name), 1, RATING_SCORE_MAX, &n) == 0 ?
	    (int)n :
	    0;
}

static json_t *
score_options(struct req *rq, int selected)
{
	json_t *opts = json_array();
	char id[16], value[4];
	int i;

	for (i = 1; opts != NULL && i <= RATING_SCORE_MAX; i++) {
		snprintf(id, sizeof(id), "f-score-%d", i);
		snprintf(value, sizeof(value), "%d", i);
		json_array_append_new(opts,
		    ctx_pack("{s:s, s:s, s:s, s:b}", "id", id, "value", value,
		        "label", web_rating_label(rq, i), "checked",
		        i == selected));
	}
	return opts;
}

json_t *
web_rating_form_json(struct req *rq, const char *action, int selected,
    const char *comment, const struct field_error *err)
{
	const struct field_error *se = NULL, *ce = NULL;
	json_t *field, *errs = json_array();

	if (err != NULL && str_eq(err->field, RATING_SCORE_FIELD))
		se = err;
	else if (err != NULL)
		ce = err;
	field = ctx_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:s, s:b, s:s?}",
	    "key", RATING_COMMENT_FIELD, "id", COMMENT_ID, "label",
	    web_t(rq, "rating_comment_label"), "help",
	    http_fmt1(rq, "rating_comment_help", "max", "2000"), "optional", 1,
	    "required", 0, "value", comment != NULL ? comment : "",
	    "is_textarea", 1, "error",
	    ce != NULL ? http_error_text(rq, ce) : NULL);
	if (se != NULL)
		json_array_append_new(errs,
		    web_summary_item(rq, SCORE_ID_FIRST,
		        web_t(rq, "rating_score_label"), se));
	if (ce != NULL)
		json_array_append_new(errs,
		    web_summary_item(rq, COMMENT_ID,
		        web_t(rq, "rating_comment_label"), ce));
	return ctx_pack("{s:s, s:o, s:s?, s:o, s:b, s:o}", "action", action,
	    "options", score_options(rq, selected), "score_error",
	    se != NULL ? http_error_text(rq, se) : NULL, "comment", field,
	    "has_errors", err != NULL, "errors", errs);
}

json_t *
web_rating_given_json(struct req *rq, const struct rating *r, bool changeable)
{
	return ctx_pack("{s:s, s:s, s:s?, s:s, s:s, s:s}", "score_label",
	    web_rating_label(rq, r->score), "score_text",
	    score_of_text(rq, r->score), "comment",
	    str_empty(r->comment) ? NULL : r->comment, "time_text",
	    web_time_text(rq, r->updated_at), "time_iso",
	    web_time_iso(rq, r->updated_at), "change_note",
	    changeable ? http_fmt1(rq, "rating_change_until", "when",
	                     web_time_text(rq, r->change_until)) :
	                 web_t(rq, "rating_final"));
}

json_t *
web_rating_panel_json(struct req *rq, const struct rating_view *rv,
    const char *action, const struct field_error *err)
{
	json_t *j;
	int selected;
	const char *comment;

	if (!rv->offered && !rv->has_rating)
		return NULL;
	j = json_object();
	if (j == NULL)
		return NULL;
	if (rv->has_rating)
		json_object_set_new(j, "given",
		    web_rating_given_json(rq, &rv->rating, rv->changeable));
	if (!rv->offered)
		return j;
	/* A refused try shows what was sent; a change starts from what was
	 * given. */
	selected = err != NULL ? web_rating_sent_score(rq, RATING_SCORE_FIELD) :
	    rv->has_rating     ? rv->rating.score :
	                         0;
	comment = err != NULL ? web_kept(rq, RATING_COMMENT_FIELD) :
	    rv->has_rating    ? rv->rating.comment :
	                        "";
	json_object_set_new(j, "form",
	    web_rating_form_json(rq, action, selected, comment, err));
	json_object_set_new(j, "change", json_boolean(rv->has_rating));
	json_object_set_new(j, "open", json_boolean(err != NULL));
	return j;
}

/* ---- the link of the closing mail ---- */

/* What one page of the link shows besides its state. */
struct link_page {
	const struct rating_link *l;
	int selected;        /* the score to check in the form */
	const char *comment; /* the comment to show again */
	const struct field_error *err;
	int thanks_score; /* > 0: rated just now, with this score */
};

/* The request page to change the rating on, for the person the link is
 * for (or someone who still has to sign in), while it may change. */
static const char *
change_href(struct req *rq, const struct rating_link *l)
{
	const char *path;

	if (!l->changeable || (rq->user != NULL && rq->user->id != l->user_id))
		return NULL;
	path = core_request_path(rq->arena, l->portal_id, l->key);
	return path != NULL ? arena_printf(rq->arena, "%s#rating", path) : NULL;
}

static const char *
state_message(struct req *rq, const struct link_page *p)
{
	switch (p->l->state) {
	case RATING_LINK_USED:
		return web_t(rq,
		    p->thanks_score > 0 ? "rating_thanks" : "rating_used");
	case RATING_LINK_EXPIRED:
		return web_t(rq, "rating_link_expired");
	case RATING_LINK_INVALID:
		return web_t(rq, "rating_link_invalid");
	default:
		return NULL;
	}
}

static int
link_render(struct req *rq, const struct link_page *p, unsigned status)
{
	const struct rating_link *l = p->l;
	bool known = l->state == RATING_LINK_OPEN ||
	    l->state == RATING_LINK_USED;
	json_t *page = web_page_ctx(rq, "page_rating");

	if (page == NULL)
		return ZEK_NOMEM;
	if (known)
		json_object_set_new(page, "request",
		    ctx_pack("{s:s, s:s}", "key", l->key, "title", l->title));
	json_object_set_new(page, "message", json_string(state_message(rq, p)));
	json_object_set_new(page, "is_error", json_boolean(!known));
	if (p->thanks_score > 0)
		json_object_set_new(page, "score_label",
		    json_string(web_rating_label(rq, p->thanks_score)));
	if (l->state == RATING_LINK_USED)
		json_object_set_new(page, "change_href",
		    json_string(change_href(rq, l)));
	if (l->state == RATING_LINK_OPEN)
		json_object_set_new(page, "form",
		    web_rating_form_json(rq, rq->path, p->selected, p->comment,
		        p->err));
	web_breadcrumb(rq, page, web_t(rq, "page_portals"), WEB_HOME);
	web_breadcrumb(rq, page, web_t(rq, "page_rating"), NULL);
	return web_render(rq, status, "rating", page);
}

static unsigned
state_status(enum rating_link_state s, unsigned used)
{
	switch (s) {
	case RATING_LINK_USED:
		return used;
	case RATING_LINK_EXPIRED:
		return 410;
	case RATING_LINK_INVALID:
		return 404;
	default:
		return 200;
	}
}

/* GET /servicedesk/customer/rating/{token}?score=N: the question, N
 * checked (the mail has a link per score); it changes nothing. */
int
web_rating_link_form(struct req *rq)
{
	struct rating_link l;
	struct link_page p = { .l = &l, .comment = "" };
	int64_t n;
	int rc;

	rc = core_rating_link_open(&rq->ctx, req_param_str(rq, "token"), &l);
	if (rc != ZEK_OK)
		return rc;
	if (str_to_i64(req_query(rq, "score"), 1, RATING_SCORE_MAX, &n) == 0)
		p.selected = (int)n;
	return link_render(rq, &p, state_status(l.state, 200));
}

/* POST of the same: rates once, without signing in. */
int
web_rating_link(struct req *rq)
{
	struct field_error err = { 0 };
	struct rating_link l;
	struct link_page p = { .l = &l, .comment = "" };
	int rc;

	rc = core_rating_link_save(&rq->ctx, req_param_str(rq, "token"),
	    req_form(rq, RATING_SCORE_FIELD),
	    req_form(rq, RATING_COMMENT_FIELD), &l, &err);
	if (rc == ZEK_OK) {
		p.thanks_score = web_rating_sent_score(rq, RATING_SCORE_FIELD);
		return link_render(rq, &p, 200);
	}
	if (rc == ZEK_INVALID && err.key != NULL) {
		p.err = &err;
		p.selected = web_rating_sent_score(rq, RATING_SCORE_FIELD);
		p.comment = web_kept(rq, RATING_COMMENT_FIELD);
		return link_render(rq, &p, 422);
	}
	if (rc == ZEK_CONFLICT)
		return link_render(rq, &p, state_status(l.state, 409));
	return rc;
}
