/* agent_snippets.c: the agents' canned responses ("Textbausteine"):
 * the list with a form for a new one, a page to change or delete one. */
#include "web/web.h"

#include <inttypes.h>
#include <string.h>

#include "core/snippets.h"
#include "core/validate.h"
#include "lib/str.h"

#define SNIPPETS_URL "/servicedesk/agent/snippets"

/* The two controls of a snippet's form, for the error summary. */
static const struct web_form_field snippet_fields[] = {
	{ SNIPPET_TITLE_FIELD, "s-title", "snippet_title" },
	{ SNIPPET_BODY_FIELD, "s-body", "snippet_body" },
};

static const char *
snippet_href(struct req *rq, int64_t id)
{
	return arena_printf(rq->arena, "%s/%" PRId64, SNIPPETS_URL, id);
}

/* A snippet's form: its values (sent ones after a failed try), its
 * errors next to their controls and in the summary. */
static json_t *
form_json(struct req *rq, const char *action, const char *title,
    const char *body, const struct field_error *err)
{
	size_t n = err != NULL && err->key != NULL ? 1 : 0;

	return ctx_pack("{s:s, s:o, s:o, s:o, s:b}", "action", action, "title",
	    web_field_json(rq, err, n, SNIPPET_TITLE_FIELD, "s-title", title),
	    "body",
	    web_field_json(rq, err, n, SNIPPET_BODY_FIELD, "s-body", body),
	    "errors",
	    web_summary_json(rq, err, n, snippet_fields,
	        ZEK_ARRAY_LEN(snippet_fields)),
	    "has_errors", n > 0);
}

static json_t *
row_json(struct req *rq, const struct snippet *s)
{
	return ctx_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "title", s->title,
	    "body", s->body, "href", snippet_href(rq, s->id), "updated_by",
	    s->updated_by, "updated_text", web_time_text(rq, s->updated_at),
	    "updated_iso", web_time_iso(rq, s->updated_at));
}

/* The list, with the form for a new snippet (err: its refused try). */
static int
list_page(struct req *rq, unsigned status, const struct field_error *err)
{
	struct snippet *list;
	json_t *page, *rows;
	size_t i, n;
	int rc;

	rc = core_snippets_list(&rq->ctx, rq->user, &list, &n);
	if (rc != ZEK_OK)
		return web_fail(rq,
		    http_status_of(rc == ZEK_FORBIDDEN ? ZEK_NOTFOUND : rc),
		    rc);
	page = web_page_ctx(rq, "page_snippets");
	rows = json_array();
	if (page == NULL || rows == NULL) {
		json_decref(page);
		json_decref(rows);
		return ZEK_NOMEM;
	}
	for (i = 0; i < n; i++)
		json_array_append_new(rows, row_json(rq, &list[i]));
	json_object_set_new(page, "rows", rows);
	json_object_set_new(page, "has_rows", json_boolean(n > 0));
	json_object_set_new(page, "create",
	    form_json(rq, SNIPPETS_URL,
	        err != NULL ? web_kept(rq, SNIPPET_TITLE_FIELD) : "",
	        err != NULL ? web_kept(rq, SNIPPET_BODY_FIELD) : "", err));
	web_breadcrumb(rq, page, web_t(rq, "nav_agent"), WEB_AGENT);
	web_breadcrumb(rq, page, web_t(rq, "page_snippets"), NULL);
	return web_render(rq, status, "agent/snippets", page);
}

/* GET /servicedesk/agent/snippets */
int
web_agent_snippets(struct req *rq)
{
	return list_page(rq, 200, NULL);
}

/* POST /servicedesk/agent/snippets: title, body. */
int
web_agent_snippet_add(struct req *rq)
{
	struct field_error err = { 0 };
	int rc;

	rc = core_snippet_save(&rq->ctx, rq->user, 0,
	    req_form(rq, SNIPPET_TITLE_FIELD), req_form(rq, SNIPPET_BODY_FIELD),
	    NULL, &err);
	if (rc == ZEK_INVALID)
		return list_page(rq, 422, &err);
	if (rc != ZEK_OK)
		return web_fail(rq, http_status_of(rc), rc);
	return http_redirect(rq, 303, SNIPPETS_URL "?notice=snippet_added");
}

/* One snippet's page: its form (err: a refused change) and "Löschen". */
static int
edit_page(struct req *rq, unsigned status, const struct field_error *err)
{
	struct snippet *s;
	json_t *page;
	int rc;

	rc = core_snippet_get(&rq->ctx, rq->user, web_param_id(rq, "id"), &s);
	if (rc != ZEK_OK)
		return web_fail(rq,
		    http_status_of(rc == ZEK_FORBIDDEN ? ZEK_NOTFOUND : rc),
		    rc);
	page = web_page_ctx(rq, "page_snippet");
	if (page == NULL)
		return ZEK_NOMEM;
	json_object_set_new(page, "title", json_string(s->title));
	json_object_set_new(page, "edit",
	    form_json(rq, snippet_href(rq, s->id),
	        err != NULL ? web_kept(rq, SNIPPET_TITLE_FIELD) : s->title,
	        err != NULL ? web_kept(rq, SNIPPET_BODY_FIELD) : s->body, err));
	json_object_set_new(page, "delete_action",
	    json_string(
	        arena_printf(rq->arena, "%s/delete", snippet_href(rq, s->id))));
	json_object_set_new(page, "snippet", row_json(rq, s));
	json_object_set_new(page, "back_href", json_string(SNIPPETS_URL));
	web_breadcrumb(rq, page, web_t(rq, "nav_agent"), WEB_AGENT);
	web_breadcrumb(rq, page, web_t(rq, "page_snippets"), SNIPPETS_URL);
	web_breadcrumb(rq, page, s->title, NULL);
	return web_render(rq, status, "agent/snippet", page);
}

/* GET /servicedesk/agent/snippets/{id} */
int
web_agent_snippet(struct req *rq)
{
	return edit_page(rq, 200, NULL);
}

/* POST /servicedesk/agent/snippets/{id}: title, body. */
int
web_agent_snippet_save(struct req *rq)
{
	struct field_error err = { 0 };
	int64_t id = web_param_id(rq, "id");
	int rc;

	if (id == 0)
		return web_fail(rq, 404, ZEK_NOTFOUND);
	rc = core_snippet_save(&rq->ctx, rq->user, id,
	    req_form(rq, SNIPPET_TITLE_FIELD), req_form(rq, SNIPPET_BODY_FIELD),
	    NULL, &err);
	if (rc == ZEK_INVALID)
		return edit_page(rq, 422, &err);
	if (rc != ZEK_OK)
		return web_fail(rq, http_status_of(rc), rc);
	return http_redirect(rq, 303, SNIPPETS_URL "?notice=saved");
}

/* POST /servicedesk/agent/snippets/{id}/delete */
int
web_agent_snippet_delete(struct req *rq)
{
	int64_t id = web_param_id(rq, "id");
	int rc;

	if (id == 0)
		return web_fail(rq, 404, ZEK_NOTFOUND);
	rc = core_snippet_delete(&rq->ctx, rq->user, id);
	if (rc != ZEK_OK)
		return web_fail(rq, http_status_of(rc), rc);
	return http_redirect(rq, 303, SNIPPETS_URL "?notice=snippet_deleted");
}
