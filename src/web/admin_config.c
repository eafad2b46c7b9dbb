/* admin_config.c: "Konfiguration exportieren und einlesen",
 * /servicedesk/admin/config: the download of the configuration document,
 * and its upload shown as a plan that a second form applies
 * (core/config_io.h). Admins only; everyone else gets 404. */
#include "web/web.h"

#include <inttypes.h>
#include <string.h>

#include "core/admin.h"
#include "core/config_io.h"
#include "core/perm.h"
#include "core/users.h"
#include "http/form.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "lib/utf8.h"

#define CONFIG_URL WEB_ADMIN "config"
/* The document rides in the confirm form as hidden fields of this many
 * bytes each: under the limit of one form value (64 KiB), at most
 * FORM_MAX_VALUES of them. */
#define CONFIG_PART 60000

static bool
admin(struct req *rq)
{
	return perm_is_admin(rq->user);
}

/* The biggest document the page takes, as people read it. */
static size_t
config_max(struct req *rq)
{
	size_t max = rq->app->cfg.max_file_bytes;

	return max < CONFIG_IO_MAX_BYTES ? max : CONFIG_IO_MAX_BYTES;
}

/* What went wrong with an upload or its confirmation. */
struct config_error {
	const char *message;                 /* at the file field, or NULL */
	const struct config_problems *probs; /* the document's, or NULL */
	bool conflict;                       /* changed since the preview */
};

/* One problem as "path: message". */
static const char *
problem_text(struct req *rq, const struct config_problem *p)
{
	const char *msg = http_fmt1(rq, p->key, "detail", p->detail);

	if (str_empty(p->path))
		return msg;
	return http_fmt(rq, "admin_config_problem",
	    (const char *const[]){ "path", "message" },
	    (const char *const[]){ p->path, msg }, 2);
}

static json_t *
problems_json(struct req *rq, const struct config_problems *probs)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr != NULL && probs != NULL && i < probs->n; i++)
		json_array_append_new(arr,
		    ctx_pack("{s:s}", "text",
		        problem_text(rq, &probs->rows[i])));
	return arr;
}

static int
config_page(struct req *rq, unsigned status, const struct config_error *ce)
{
	struct admin_help_center h;
	char v[32];
	json_t *page;
	int rc;

	/* The help center's read gives the version (and 404 to non-admins). */
	rc = core_admin_help_center(&rq->ctx, rq->user, &h);
	if (rc != ZEK_OK)
		return rc;
	page = web_page_ctx(rq, "admin_config");
	if (page == NULL)
		return ZEK_NOMEM;
	snprintf(v, sizeof(v), "%" PRId64, h.version);
	json_object_set_new(page, "export_href",
	    json_string(CONFIG_URL "/export"));
	json_object_set_new(page, "export_text",
	    json_string(
	        http_fmt1(rq, "admin_config_export_text", "version", v)));
	json_object_set_new(page, "import_action",
	    json_string(CONFIG_URL "/import"));
	json_object_set_new(page, "import_help",
	    json_string(http_fmt1(rq, "admin_config_import_help", "max",
	        http_size_text(rq, config_max(rq)))));
	json_object_set_new(page, "conflict", json_boolean(ce->conflict));
	if (ce->message != NULL) {
		json_object_set_new(page, "error", json_string(ce->message));
		json_object_set_new(page, "problems",
		    problems_json(rq, ce->probs));
		json_object_set_new(page, "has_problems",
		    json_boolean(ce->probs != NULL && ce->probs->n > 0));
		json_object_set_new(page, "more",
		    json_boolean(ce->probs != NULL && ce->probs->more));
	}
	web_breadcrumb(rq, page, web_t(rq, "nav_admin"), WEB_ADMIN);
	web_breadcrumb(rq, page, web_t(rq, "admin_config"), NULL);
	return web_render(rq, status, "admin/config", page);
}

/* 422: the document's problems at the file field. */
static int
refused_page(struct req *rq, const struct config_problems *probs)
{
	struct config_error ce = { .message = web_t(rq, "admin_config_refused"),
		.probs = probs };

	return config_page(rq, 422, &ce);
}

/* GET /servicedesk/admin/config */
int
web_admin_config(struct req *rq)
{
	struct config_error ce = { 0 };

	if (!admin(rq))
		return ZEK_NOTFOUND;
	return config_page(rq, 200, &ce);
}

/* GET /servicedesk/admin/config/export: the document as a download. */
int
web_admin_config_export(struct req *rq)
{
	const char *disp;
	int64_t version;
	size_t len;
	char *doc;
	int rc;

	if (!admin(rq))
		return ZEK_NOTFOUND;
	rc = core_config_export(&rq->ctx, rq->user, &doc, &len, &version);
	if (rc != ZEK_OK)
		return rc;
	disp = arena_printf(rq->arena,
	    "attachment; filename=\"zek-config-%" PRId64 ".json\"", version);
	if (disp == NULL)
		return ZEK_NOMEM;
	rc = http_header(rq, "Content-Disposition", disp);
	if (rc != ZEK_OK)
		return rc;
	return http_reply_bytes(rq, 200, HTTP_JSON, doc, len, true);
}

/* The plan as table rows, in the viewer's language. */
static json_t *
plan_rows(struct req *rq, const struct config_plan *plan)
{
	json_t *arr = json_array();
	const char *op, *thing;
	size_t i;

	for (i = 0; arr != NULL && i < plan->n; i++) {
		const struct config_line *l = &plan->lines[i];

		op = arena_printf(rq->arena, "admin_config_op_%s",
		    config_op_name(l->op));
		thing = arena_printf(rq->arena, "admin_config_thing_%s",
		    config_thing_name(l->thing));
		json_array_append_new(arr,
		    ctx_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "op",
		        op != NULL ? web_t(rq, op) : "", "thing",
		        thing != NULL ? web_t(rq, thing) : "", "where",
		        l->where, "attr", l->attr, "old", l->old_value, "new",
		        l->new_value));
	}
	return arr;
}

/* The document cut into the confirm form's hidden fields; NULL when it
 * needs more than a form may carry. */
static json_t *
doc_parts(struct req *rq, const char *doc)
{
	size_t len = strlen(doc), off;
	json_t *arr;

	if (len > (size_t)CONFIG_PART * FORM_MAX_VALUES)
		return NULL;
	arr = json_array();
	/* ASCII only (config_plan.doc): any cut is between characters. */
	for (off = 0; arr != NULL && off < len; off += CONFIG_PART)
		json_array_append_new(arr,
		    ctx_pack("{s:s%}", "part", doc + off,
		        len - off < CONFIG_PART ? len - off :
		                                  (size_t)CONFIG_PART));
	return arr;
}

static int
preview_page(struct req *rq, const struct config_plan *plan,
    const char *filename, json_t *parts)
{
	char v[32], n[32];
	json_t *page;

	page = web_page_ctx(rq, "admin_config_preview");
	if (page == NULL) {
		json_decref(parts);
		return ZEK_NOMEM;
	}
	snprintf(v, sizeof(v), "%" PRId64, plan->version);
	snprintf(n, sizeof(n), "%zu", plan->n);
	json_object_set_new(page, "intro",
	    json_string(http_fmt(rq, "admin_config_preview_intro",
	        (const char *const[]){ "file", "version" },
	        (const char *const[]){ filename, v }, 2)));
	json_object_set_new(page, "lines", plan_rows(rq, plan));
	json_object_set_new(page, "has_lines", json_boolean(plan->n > 0));
	json_object_set_new(page, "count", json_string(n));
	json_object_set_new(page, "apply_action",
	    json_string(CONFIG_URL "/apply"));
	json_object_set_new(page, "version", json_string(v));
	json_object_set_new(page, "parts", parts);
	json_object_set_new(page, "cancel_href", json_string(CONFIG_URL));
	web_breadcrumb(rq, page, web_t(rq, "nav_admin"), WEB_ADMIN);
	web_breadcrumb(rq, page, web_t(rq, "admin_config"), CONFIG_URL);
	web_breadcrumb(rq, page, web_t(rq, "admin_config_preview"), NULL);
	return web_render(rq, 200, "admin/config_preview", page);
}

/* A file name as the preview may show it. */
static const char *
shown_name(const struct form_field *f)
{
	size_t n = strlen(f->filename);

	return n <= 255 && utf8_clean_text(f->filename, n, false) ?
	    f->filename :
	    "";
}

/* POST /servicedesk/admin/config/import: file (multipart) -> the plan. */
int
web_admin_config_preview(struct req *rq)
{
	const struct form_field *f = form_find(&rq->form, "file");
	struct config_error ce = { 0 };
	struct config_problems probs;
	struct config_plan plan;
	json_t *parts;
	int rc;

	if (!admin(rq))
		return ZEK_NOTFOUND;
	if (f == NULL || f->filename == NULL || f->len == 0)
		ce.message = web_t(rq, "admin_config_no_file");
	else if (f->too_big || f->value == NULL || f->len > config_max(rq))
		ce.message = http_fmt1(rq, "admin_config_too_big", "max",
		    http_size_text(rq, config_max(rq)));
	if (ce.message != NULL)
		return config_page(rq, 422, &ce);
	rc = core_config_plan(&rq->ctx, rq->user, f->value, f->len, &plan,
	    &probs);
	if (rc == ZEK_INVALID)
		return refused_page(rq, &probs);
	if (rc != ZEK_OK)
		return rc;
	parts = doc_parts(rq, plan.doc);
	if (parts == NULL) {
		ce.message = http_fmt1(rq, "admin_config_too_big", "max",
		    http_size_text(rq, config_max(rq)));
		return config_page(rq, 422, &ce);
	}
	return preview_page(rq, &plan, shown_name(f), parts);
}

/* POST /servicedesk/admin/config/apply: version, doc (the parts, in
 * order) -> applied, or 409 when the configuration changed since. */
int
web_admin_config_apply(struct req *rq)
{
	const struct form_field *parts[FORM_MAX_VALUES];
	struct config_error ce = { 0 };
	struct config_problems probs;
	struct config_plan plan;
	size_t n, i, len = 0;
	int64_t version;
	char *doc;
	int rc;

	if (!admin(rq))
		return ZEK_NOTFOUND;
	n = form_get_all(&rq->form, "doc", parts);
	for (i = 0; i < n; i++)
		len += parts[i]->len;
	if (n == 0 || len == 0 || len > (size_t)CONFIG_PART * FORM_MAX_VALUES) {
		ce.message = web_t(rq, "admin_config_no_file");
		return config_page(rq, 422, &ce);
	}
	doc = arena_alloc(rq->arena, len + 1);
	if (doc == NULL)
		return ZEK_NOMEM;
	for (len = 0, i = 0; i < n; i++) {
		memcpy(doc + len, parts[i]->value, parts[i]->len);
		len += parts[i]->len;
	}
	doc[len] = '\0';
	/* Applied only at the version it was planned at: what the preview
	 * showed, nothing that someone else's change would add. */
	if (str_to_i64(req_form(rq, "version"), 0, INT64_MAX, &version) != 0)
		rc = ZEK_CONFLICT;
	else
		rc = core_config_import(&rq->ctx, rq->user, doc, len, version,
		    &plan, &probs);
	if (rc == ZEK_CONFLICT) {
		ce.conflict = true;
		return config_page(rq, 409, &ce);
	}
	if (rc == ZEK_INVALID)
		return refused_page(rq, &probs);
	if (rc != ZEK_OK)
		return rc;
	return http_redirect(rq, 303, CONFIG_URL "?notice=config_imported");
}
