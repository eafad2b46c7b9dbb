/* comment.c: a request's comments (/request/{issueIdOrKey}/comment...). */
#include "api/api.h"

#include <string.h>

#include "core/activity.h"
#include "core/attachments.h"
#include "core/perm.h"
#include "core/requests.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "render/html.h"
#include "render/markdown.h"

/* Core's field names in the bodies of this file. */
static const char *const comment_names[] = { "comment", "body", "attachment",
	"temporaryAttachmentIds", NULL };

static json_t *
comment_files(struct req *rq, const struct request_view *v,
    const struct activity_entry *e)
{
	json_t *all = json_array();
	size_t i;

	for (i = 0; all != NULL && i < e->nattachments; i++)
		if (json_array_append_new(all,
		        api_attachment_json(rq, v, &e->attachments[i],
		            &e->actor)) != 0) {
			json_decref(all);
			return NULL;
		}
	return all;
}

static json_t *
rendered_body(struct req *rq, const char *md)
{
	const char *html = markdown_to_arena(rq->arena, md);
	struct buf b;
	json_t *out = NULL;

	if (html != NULL)
		return json_pack("{s:s}", "html", html);
	/* Too long for the Markdown renderer: the text, escaped. */
	buf_init(&b, MARKDOWN_HTML_MAX);
	buf_puts(&b, "<p>");
	html_escape_text(&b, md, strlen(md));
	buf_puts(&b, "</p>");
	if (!b.failed)
		out = json_pack("{s:s}", "html", b.data != NULL ? b.data : "");
	buf_free(&b);
	return out;
}

json_t *
api_comment_json(struct req *rq, const struct request_view *v,
    const struct activity_entry *e, bool files, bool rendered)
{
	const char *suffix = arena_printf(rq->arena, "/comment/%lld",
	    (long long)e->comment_id);
	json_t *c, *ex;

	c = json_pack("{s:s, s:s, s:b, s:o, s:o, s:{s:s?}}", "id",
	    api_id(rq, e->comment_id), "body", e->body != NULL ? e->body : "",
	    "public", e->is_public, "author", api_person_json(rq, &e->actor),
	    "created", api_date(rq, e->created_at), "_links", "self",
	    api_request_url(rq, v, suffix));
	ex = json_array();
	if (c == NULL || ex == NULL || suffix == NULL) {
		json_decref(c);
		json_decref(ex);
		return NULL;
	}
	if (files)
		json_object_set_new(c, "attachments",
		    api_nested_page(rq, v,
		        arena_printf(rq->arena, "%s/attachment", suffix + 1),
		        comment_files(rq, v, e)));
	else
		json_array_append_new(ex, json_string("attachment"));
	if (rendered)
		json_object_set_new(c, "renderedBody",
		    rendered_body(rq, e->body != NULL ? e->body : ""));
	else
		json_array_append_new(ex, json_string("renderedBody"));
	json_object_set_new(c, "_expands", ex);
	if ((files && json_object_get(c, "attachments") == NULL) ||
	    (rendered && json_object_get(c, "renderedBody") == NULL)) {
		json_decref(c);
		return NULL;
	}
	return c;
}

static bool
is_comment(const struct activity_entry *e)
{
	return e->kind == ACTIVITY_COMMENT && e->comment_id != 0;
}

json_t *
api_comments_array(struct req *rq, const struct request_view *v,
    const struct activity_entry *e, size_t n, bool pub, bool internal)
{
	bool files = api_expand(rq, "attachment") ||
	    api_expand(rq, "comment.attachment");
	bool rendered = api_expand(rq, "renderedBody") ||
	    api_expand(rq, "comment.renderedBody");
	json_t *all = json_array();
	size_t i;

	/* The activity is newest first; comments read oldest first. */
	for (i = n; all != NULL && i > 0; i--) {
		const struct activity_entry *c = &e[i - 1];
		if (!is_comment(c) || (c->is_public ? !pub : !internal))
			continue;
		if (json_array_append_new(all,
		        api_comment_json(rq, v, c, files, rendered)) != 0) {
			json_decref(all);
			return NULL;
		}
	}
	return all;
}

/* ?public / ?internal: "true" (the default) or "false" (str_to_bool). */
static int
query_bool(struct req *rq, const char *name, bool *out)
{
	const char *v = req_query(rq, name);

	*out = true;
	if (v == NULL || str_to_bool(v, out) == 0)
		return ZEK_OK;
	api_error(rq, 400, "api_err_bad_param", name);
	return ZEK_INVALID;
}

/* GET /rest/servicedeskapi/request/{issueIdOrKey}/comment */
int
api_comments(struct req *rq)
{
	static const char *const keep[] = { "public", "internal", "expand",
		NULL };
	struct activity_entry *e;
	struct request_view *v;
	struct api_page pg;
	bool pub, internal;
	size_t n;

	if (api_page_parse(rq, &pg) != ZEK_OK ||
	    query_bool(rq, "public", &pub) != ZEK_OK ||
	    query_bool(rq, "internal", &internal) != ZEK_OK ||
	    api_request_load(rq, &v) != ZEK_OK ||
	    api_request_activity(rq, v, &e, &n) != ZEK_OK)
		return ZEK_OK;
	return api_reply_page(rq, &pg,
	    api_comments_array(rq, v, e, n, pub, internal), keep);
}

/* The comment of path parameter 1 among the caller's activity; answers
 * 404 itself. */
static int
find_comment(struct req *rq, const struct request_view *v,
    const struct activity_entry **out)
{
	struct activity_entry *e;
	int64_t id;
	size_t i, n;
	int rc;

	rc = api_request_activity(rq, v, &e, &n);
	if (rc != ZEK_OK)
		return rc;
	if (req_param_i64(rq, "id", &id))
		for (i = 0; i < n; i++)
			if (is_comment(&e[i]) && e[i].comment_id == id) {
				*out = &e[i];
				return ZEK_OK;
			}
	api_error(rq, 404, "api_err_no_comment", req_param_str(rq, "id"));
	return ZEK_NOTFOUND;
}

/* GET /rest/servicedeskapi/request/{issueIdOrKey}/comment/{commentId} */
int
api_comment(struct req *rq)
{
	const struct activity_entry *c;
	struct request_view *v;

	if (api_request_load(rq, &v) != ZEK_OK ||
	    find_comment(rq, v, &c) != ZEK_OK)
		return ZEK_OK;
	return api_reply(rq, 200,
	    api_comment_json(rq, v, c, api_expand(rq, "attachment"),
	        api_expand(rq, "renderedBody")));
}

/* GET /rest/servicedeskapi/request/{issueIdOrKey}/comment/{commentId}/attachment */
int
api_comment_attachments(struct req *rq)
{
	const struct activity_entry *c;
	struct request_view *v;
	struct api_page pg;

	if (api_page_parse(rq, &pg) != ZEK_OK ||
	    api_request_load(rq, &v) != ZEK_OK ||
	    find_comment(rq, v, &c) != ZEK_OK)
		return ZEK_OK;
	return api_reply_page(rq, &pg, comment_files(rq, v, c), NULL);
}

/* Answers for a comment core refused. */
static int
comment_refused(struct req *rq, int rc, bool is_public,
    const struct field_error *errs, size_t nerrs)
{
	switch (rc) {
	case ZEK_INVALID:
		return api_field_errors(rq, errs, nerrs, comment_names);
	case ZEK_FORBIDDEN:
		/* JSM: a customer asking for an internal comment is a bad request. */
		if (!is_public && !perm_is_staff(rq->user))
			return api_error(rq, 400, "api_err_internal_comment",
			    NULL);
		return api_error(rq, 403, "api_err_forbidden", NULL);
	case ZEK_CONFLICT:
		return api_error(rq, 409, "api_err_request_closed", NULL);
	case ZEK_NOTFOUND:
		return api_error(rq, 404, "api_err_no_request", NULL);
	default:
		return api_fail(rq, rc);
	}
}

int
api_comment_write(struct req *rq, const struct request_view *v,
    const struct comment_input *in, json_t **out)
{
	const struct activity_entry *c = NULL;
	struct activity_entry *e;
	struct field_error *errs;
	size_t i, n, nerrs;
	int64_t id;
	int rc;

	rc = core_comment_add(&rq->ctx, rq->user, v->id, in, &errs, &nerrs,
	    &id);
	if (rc != ZEK_OK) {
		comment_refused(rq, rc, in->is_public, errs, nerrs);
		return rc;
	}
	rc = core_activity_of_view(&rq->ctx, rq->user, v, &e, &n);
	for (i = 0; rc == ZEK_OK && i < n && c == NULL; i++)
		if (is_comment(&e[i]) && e[i].comment_id == id)
			c = &e[i];
	if (rc == ZEK_OK && c == NULL)
		rc = ZEK_IO;
	if (rc != ZEK_OK) {
		api_fail(rq, rc);
		return rc;
	}
	*out = api_comment_json(rq, v, c, true, false);
	if (*out == NULL) {
		api_fail(rq, ZEK_NOMEM);
		return ZEK_NOMEM;
	}
	return ZEK_OK;
}

static const struct api_json_field comment_spec[] = {
	{ "body", API_JSON_STRING, true, 0 },
	{ "public", API_JSON_BOOL, true, 0 },
};

/* POST /rest/servicedeskapi/request/{issueIdOrKey}/comment */
int
api_comment_add(struct req *rq)
{
	struct comment_input in = { 0 };
	struct request_view *v;
	json_t *body, *c;

	if (api_body(rq, comment_spec,
	        sizeof(comment_spec) / sizeof(*comment_spec),
	        &body) != ZEK_OK ||
	    api_request_load(rq, &v) != ZEK_OK)
		return ZEK_OK;
	in.body = json_string_value(json_object_get(body, "body"));
	in.is_public = json_is_true(json_object_get(body, "public"));
	if (api_comment_write(rq, v, &in, &c) != ZEK_OK)
		return ZEK_OK;
	return api_reply(rq, 201, c);
}
