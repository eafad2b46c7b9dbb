/* request.c: one request's page and its attachments. */
#include "web/web.h"

#include <stdio.h>
#include <string.h>

#include "core/attachments.h"
#include "core/requests.h"
#include "lib/str.h"
#include "render/markdown.h"
#include "render/time.h"

#define MARKDOWN_PAGE_MAX (1u << 20)

/* Sanitised HTML of a Markdown value; NULL when it cannot be rendered. */
static const char *
markdown_html(struct req *rq, const char *md)
{
	struct buf b;
	char *html = NULL;

	buf_init(&b, MARKDOWN_PAGE_MAX);
	if (markdown_to_html(md, strlen(md), &b) == ZEK_OK && !b.failed)
		html = arena_strdup(rq->arena, b.data ? b.data : "");
	buf_free(&b);
	return html;
}

static const char *
time_text(struct req *rq, int64_t ms)
{
	char out[96];

	if (time_format(ms, rq->tz, rq->lang, out, sizeof(out)) != ZEK_OK)
		return "";
	return arena_strdup(rq->arena, out);
}

static json_t *
field_view_json(struct req *rq, const struct request_field_view *f)
{
	json_t *j = json_pack("{s:s, s:s}", "key", f->key, "label", f->label);
	json_t *vals;
	const char *html;
	size_t i;

	if (j == NULL || f->nvalues == 0)
		return j;
	switch (f->kind) {
	case FIELD_RICHTEXT:
		html = markdown_html(rq, f->values[0]);
		if (html != NULL)
			json_object_set_new(j, "html", json_string(html));
		else
			json_object_set_new(j, "text", json_string(f->values[0]));
		break;
	case FIELD_DATETIME:
		json_object_set_new(j, "text", json_string(time_text(rq, f->datetime_ms)));
		break;
	case FIELD_URL:
		json_object_set_new(j, "text", json_string(f->values[0]));
		json_object_set_new(j, "href", json_string(f->values[0]));
		break;
	default:
		if (f->nvalues == 1) {
			json_object_set_new(j, "text", json_string(f->values[0]));
			break;
		}
		vals = json_array();
		for (i = 0; i < f->nvalues; i++)
			json_array_append_new(vals, json_string(f->values[i]));
		json_object_set_new(j, "values", vals);
		break;
	}
	return j;
}

static json_t *
attachments_json(struct req *rq, const struct request_view *v)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < v->nattachments; i++) {
		const struct attachment_info *a = &v->attachments[i];
		const char *href = arena_printf(rq->arena,
		    "/servicedesk/customer/attachments/%lld", (long long)a->id);
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:b, s:s}",
		    "name", a->filename, "href", href,
		    "size_text", web_size_text(rq, a->size), "is_image", a->is_image,
		    "thumb_href", arena_printf(rq->arena, "%s?inline=1", href)));
	}
	return arr;
}

static json_t *
shared_with_json(struct req *rq, const struct request_view *v)
{
	json_t *arr = json_array();
	size_t i;

	json_array_append_new(arr, json_pack("{s:s, s:s}", "name", v->reporter.name,
	    "role_label", web_t(rq, "role_creator")));
	for (i = 0; i < v->nparticipants; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s}",
		    "name", v->participants[i].name,
		    "role_label", web_t(rq, "role_participant")));
	return arr;
}

static json_t *
request_json(struct req *rq, const struct request_view *v)
{
	json_t *fields = json_array();
	char iso[64];
	size_t i;

	if (time_format_iso(v->created_at, rq->tz, iso, sizeof(iso)) != ZEK_OK)
		iso[0] = '\0';
	for (i = 0; i < v->nfields; i++)
		json_array_append_new(fields, field_view_json(rq, &v->fields[i]));
	return json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s, s:s, s:s, s:o, s:o, s:b, s:o, s:s?}",
	    "key", v->key, "title", v->title,
	    "status_label", v->status_label, "status_class", v->status_code,
	    "resolution_label", str_empty(v->resolution_label) ? NULL : v->resolution_label,
	    "type_name", v->type_name,
	    "created_text", time_text(rq, v->created_at), "created_iso", iso,
	    "fields", fields,
	    "attachments", attachments_json(rq, v),
	    "has_attachments", v->nattachments > 0,
	    "shared_with", shared_with_json(rq, v),
	    "org_label", str_empty(v->shared_org_name) ? NULL : v->shared_org_name);
}

/* GET /servicedesk/customer/portal/{portalId}/{issueKey} */
int
web_request_show(struct req *rq)
{
	struct request_view *v;
	json_t *page;
	char *portal_href;
	int64_t pid;
	int rc;

	if (str_to_i64(req_param(rq, 0), 1, INT64_MAX, &pid) != 0)
		return web_fail(rq, 404, ZEK_NOTFOUND);
	rc = core_request_get(&rq->ctx, rq->user, req_param(rq, 1), rq->lang, &v);
	if (rc != ZEK_OK)
		return web_fail(rq, http_status_of(rc), rc);  /* hidden = not found */
	portal_href = arena_printf(rq->arena, "/servicedesk/customer/portal/%lld",
	    (long long)v->portal_id);
	if (pid != v->portal_id || !str_eq(req_param(rq, 1), v->key))
		return http_redirect(rq, 301, arena_printf(rq->arena, "%s/%s",
		    portal_href, v->key));
	page = web_page_ctx(rq, "page_request");
	if (page == NULL)
		return ZEK_NOMEM;
	json_object_set_new(page, "title", json_string(arena_printf(rq->arena,
	    "%s: %s", v->key, v->title)));
	json_object_set_new(page, "request", request_json(rq, v));
	web_breadcrumb(rq, page, web_t(rq, "page_portals"), WEB_HOME);
	web_breadcrumb(rq, page, v->desk_name, portal_href);
	web_breadcrumb(rq, page, v->key, NULL);
	return web_render(rq, 200, "request", page);
}

/* RFC 5987 file name for Content-Disposition, so umlauts survive. */
static const char *
disposition(struct req *rq, const char *kind, const char *name)
{
	struct buf b;
	const unsigned char *p;
	char *out;

	buf_init(&b, 4096);
	buf_printf(&b, "%s; filename=\"download\"; filename*=UTF-8''", kind);
	for (p = (const unsigned char *)name; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~", *p) != NULL)
			buf_putc(&b, (char)*p);
		else
			buf_printf(&b, "%%%02X", *p);
	}
	out = b.failed ? NULL : arena_strdup(rq->arena, b.data);
	buf_free(&b);
	return out;
}

/* GET /servicedesk/customer/attachments/{id}: the bytes, to whoever may
 * see the request, never interpreted by the browser as a page. */
int
web_attachment(struct req *rq)
{
	struct attachment *a;
	const char *disp;
	int64_t id;
	bool show_inline;
	int rc;

	if (str_to_i64(req_param(rq, 0), 1, INT64_MAX, &id) != 0)
		return web_fail(rq, 404, ZEK_NOTFOUND);
	rc = core_attachment_get(&rq->ctx, rq->user, id, &a);
	if (rc != ZEK_OK)
		return web_fail(rq, 404, ZEK_NOTFOUND);
	show_inline = a->is_image && req_query(rq, "inline") != NULL;
	disp = disposition(rq, show_inline ? "inline" : "attachment", a->filename);
	if (disp == NULL)
		return ZEK_NOMEM;
	if ((rc = http_header(rq, "Content-Disposition", disp)) != ZEK_OK ||
	    (rc = http_header(rq, "Content-Security-Policy",
	    "default-src 'none'; sandbox")) != ZEK_OK ||
	    (rc = http_header(rq, "Cache-Control", "private, max-age=3600")) != ZEK_OK)
		return rc;
	return http_reply_bytes(rq, 200, show_inline ? a->mime :
	    "application/octet-stream", a->data, a->size, true);
}
