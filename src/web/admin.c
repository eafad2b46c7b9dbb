/* admin.c: the admin area, /servicedesk/admin/: the help center and its
 * announcement, the portals' texts, the catalogue and the record of
 * changes. Admins only; everyone else gets 404, as core answers them.
 * Each form is a table of controls (struct control, admin_page.h) that one
 * partial draws, so that a form is described once and its errors, kept
 * values and labels follow. */
#include "web/admin_page.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/admin.h"
#include "core/inbound.h"
#include "core/objects.h"
#include "core/portal.h"
#include "core/users.h"
#include "core/validate.h"
#include "http/form.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "render/time.h"

#define HELP_CENTER_URL WEB_ADMIN "help-center"
#define HISTORY_URL WEB_ADMIN "history"
#define CATALOGUE_URL WEB_ADMIN "catalogue"
#define PORTAL_URL WEB_ADMIN "portals/%" PRId64

static const struct control help_center_texts[] = {
	{ "title_de", "admin_help_title_de", "admin_help_title_help",
	    CONTROL_TEXT, ADMIN_TITLE_MAX, false, NULL, false },
	{ "title_en", "admin_help_title_en", NULL, CONTROL_TEXT,
	    ADMIN_TITLE_MAX, false, NULL, false },
	{ "intro_de", "admin_help_intro_de", "admin_help_intro_help",
	    CONTROL_TEXTAREA, ADMIN_TEXT_MAX, false, NULL, false },
	{ "intro_en", "admin_help_intro_en", NULL, CONTROL_TEXTAREA,
	    ADMIN_TEXT_MAX, false, NULL, false },
};

static const struct control help_center_announcement[] = {
	{ "announcement_de", "admin_announcement_de", "admin_announcement_help",
	    CONTROL_TEXTAREA, ADMIN_TEXT_MAX, false, NULL, false },
	{ "announcement_en", "admin_announcement_en", NULL, CONTROL_TEXTAREA,
	    ADMIN_TEXT_MAX, false, NULL, false },
	{ "from", "admin_announcement_from", "admin_announcement_from_help",
	    CONTROL_DATETIME, 0, false, NULL, false },
	{ "until", "admin_announcement_until", "admin_announcement_until_help",
	    CONTROL_DATETIME, 0, false, NULL, false },
};

static const struct control_group help_center_form[] = {
	{ "admin_help_texts", help_center_texts,
	    ZEK_ARRAY_LEN(help_center_texts) },
	{ "admin_announcement", help_center_announcement,
	    ZEK_ARRAY_LEN(help_center_announcement) },
};

static const struct control desk_texts[] = {
	{ "name", "admin_desk_name", "admin_desk_name_help", CONTROL_TEXT,
	    ADMIN_TITLE_MAX, true, NULL, false },
	{ "description", "admin_desk_description",
	    "admin_desk_description_help", CONTROL_TEXTAREA, ADMIN_TEXT_MAX,
	    false, NULL, false },
};

static const struct control_group desk_form[] = {
	{ NULL, desk_texts, ZEK_ARRAY_LEN(desk_texts) },
};

/* The page of one admin form (form from admin_page_form): status 200,
 * 409 (changed meanwhile: what was typed stays, with the current version)
 * or 422 (errors). Takes form and extra (the page's own keys; may be
 * NULL). */
static int
form_page(struct req *rq, unsigned status, const char *title, const char *intro,
    json_t *form, json_t *extra)
{
	json_t *page = web_page_ctx(rq, "page_admin");

	if (page == NULL || form == NULL) {
		json_decref(form);
		json_decref(extra);
		return ZEK_NOMEM;
	}
	json_object_set_new(page, "title", json_string(title));
	json_object_set_new(page, "form", form);
	if (intro != NULL)
		json_object_set_new(page, "intro", json_string(intro));
	if (extra != NULL)
		json_object_update(page, extra);
	json_decref(extra);
	return admin_page_render(rq, status, "admin/form", page, NULL, 0);
}

/* ---- the overview ---- */

/* GET /servicedesk/admin/ */
int
web_admin_home(struct req *rq)
{
	struct admin_desk *desks;
	int64_t quarantined = 0;
	json_t *page, *arr;
	char count[32];
	size_t i, n;
	int rc;

	rc = core_admin_desks(&rq->ctx, rq->user, &desks, &n);
	if (rc == ZEK_OK)
		rc = core_inbound_count(&rq->ctx, rq->user, INBOUND_QUARANTINED,
		    &quarantined);
	if (rc != ZEK_OK)
		return rc;
	page = web_page_ctx(rq, "page_admin");
	arr = json_array();
	if (page == NULL || arr == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < n; i++)
		json_array_append_new(arr,
		    ctx_pack("{s:s, s:s, s:s, s:s, s:s}", "name", desks[i].name,
		        "key", desks[i].project_key, "href",
		        arena_printf(rq->arena, PORTAL_URL, desks[i].portal_id),
		        "types_title",
		        http_fmt1(rq, "admin_types_card_title", "key",
		            desks[i].project_key),
		        "types_href",
		        arena_printf(rq->arena, PORTAL_URL "/types",
		            desks[i].portal_id)));
	json_object_set_new(page, "portals", arr);
	json_object_set_new(page, "help_center_href",
	    json_string(HELP_CENTER_URL));
	json_object_set_new(page, "history_href", json_string(HISTORY_URL));
	json_object_set_new(page, "catalogue_href", json_string(CATALOGUE_URL));
	json_object_set_new(page, "config_href",
	    json_string(WEB_ADMIN "config"));
	json_object_set_new(page, "calendar_href",
	    json_string(WEB_ADMIN "calendar"));
	/* What waits for an admin: the messages kept in quarantine. */
	snprintf(count, sizeof(count), "%" PRId64, quarantined);
	json_object_set_new(page, "mail_href", json_string(WEB_ADMIN "mail"));
	json_object_set_new(page, "mail_count", json_integer(quarantined));
	json_object_set_new(page, "mail_count_text",
	    json_string(http_fmt1(rq, "admin_mail_card_count", "n", count)));
	web_breadcrumb(rq, page, web_t(rq, "nav_admin"), NULL);
	return web_render(rq, 200, "admin/home", page);
}

/* ---- the help center ---- */

/* datetime-local text of a stored time in the viewer's zone, "" for 0. */
static const char *
local_time(struct req *rq, int64_t ms)
{
	char buf[17];

	if (ms == 0 ||
	    core_format_local_datetime(ms, rq->user->tz, buf) != ZEK_OK)
		return "";
	return arena_strdup(rq->arena, buf);
}

static const char *
help_center_value(struct req *rq, const void *stored, const char *field)
{
	const struct admin_help_center *h = stored;

	if (str_eq(field, "title_de"))
		return h->title_de;
	if (str_eq(field, "title_en"))
		return h->title_en;
	if (str_eq(field, "intro_de"))
		return h->intro_de;
	if (str_eq(field, "intro_en"))
		return h->intro_en;
	if (str_eq(field, "announcement_de"))
		return h->announcement_de;
	if (str_eq(field, "announcement_en"))
		return h->announcement_en;
	if (str_eq(field, "from"))
		return local_time(rq, h->announcement_from);
	return local_time(rq, h->announcement_until);
}

/* Whether the stored announcement shows now, will, did, or there is none. */
static const char *
announcement_state(struct req *rq, const struct admin_help_center *h)
{
	int64_t now = rq->ctx.now_ms;
	const char *key, *when = NULL;

	if (str_empty(h->announcement_de))
		key = "admin_announcement_none";
	else if (h->announcement_from != 0 && now < h->announcement_from) {
		key = "admin_announcement_scheduled";
		when = web_time_text(rq, h->announcement_from);
	} else if (h->announcement_until != 0 && now >= h->announcement_until) {
		key = "admin_announcement_ended";
		when = web_time_text(rq, h->announcement_until);
	} else if (h->announcement_until != 0) {
		key = "admin_announcement_on_until";
		when = web_time_text(rq, h->announcement_until);
	} else
		key = "admin_announcement_on";
	return when != NULL ? http_fmt1(rq, key, "when", when) : web_t(rq, key);
}

static int
help_center_page(struct req *rq, unsigned status,
    const struct field_error *errs, size_t nerrs)
{
	struct admin_help_center h;
	struct admin_form f = {
		.prefix = "a-",
		.groups = help_center_form,
		.ngroups = ZEK_ARRAY_LEN(help_center_form),
		.value = help_center_value,
		.errs = errs,
		.nerrs = nerrs,
		.action = HELP_CENTER_URL,
		.conflict = status == 409,
		.submit = "admin_save",
		.cancel_href = HELP_CENTER_URL,
	};
	json_t *form;
	int rc;

	rc = core_admin_help_center(&rq->ctx, rq->user, &h);
	if (rc != ZEK_OK)
		return rc;
	f.stored = status == 200 ? &h : NULL;
	f.version = h.version;
	if ((form = admin_page_form(rq, &f)) == NULL)
		return ZEK_NOMEM;
	/* Whether the stored announcement shows now, in its fieldset. */
	json_object_set_new(json_array_get(json_object_get(form, "groups"), 1),
	    "note", json_string(announcement_state(rq, &h)));
	return form_page(rq, status, web_t(rq, "admin_help_center"),
	    web_t(rq, "admin_help_center_intro"), form, NULL);
}

/* GET /servicedesk/admin/help-center */
int
web_admin_help_center(struct req *rq)
{
	return help_center_page(rq, 200, NULL, 0);
}

/* POST /servicedesk/admin/help-center */
int
web_admin_help_center_save(struct req *rq)
{
	struct field_error errs[ADMIN_MAX_ERRORS];
	struct admin_help_center_form f = {
		.version = req_form(rq, "version"),
		.title_de = req_form(rq, "title_de"),
		.title_en = req_form(rq, "title_en"),
		.intro_de = req_form(rq, "intro_de"),
		.intro_en = req_form(rq, "intro_en"),
		.announcement_de = req_form(rq, "announcement_de"),
		.announcement_en = req_form(rq, "announcement_en"),
		.from = req_form(rq, "from"),
		.until = req_form(rq, "until"),
	};
	size_t nerrs = 0;
	int rc;

	if (!admin_page_allowed(rq))
		return ZEK_NOTFOUND;
	rc = core_admin_help_center_save(&rq->ctx, rq->user, &f, errs, &nerrs);
	if (rc == ZEK_INVALID)
		return help_center_page(rq, 422, errs, nerrs);
	if (rc == ZEK_CONFLICT)
		return help_center_page(rq, 409, NULL, 0);
	if (rc != ZEK_OK)
		return rc;
	return http_redirect(rq, 303, HELP_CENTER_URL "?notice=saved");
}

/* ---- a portal ---- */

static const char *
desk_value(struct req *rq, const void *stored, const char *field)
{
	const struct admin_desk *d = stored;

	(void)rq;
	return str_eq(field, "name") ? d->name : d->description;
}

static int
desk_page(struct req *rq, unsigned status, int64_t portal_id,
    const struct field_error *errs, size_t nerrs)
{
	struct admin_desk d;
	struct admin_form f = {
		.prefix = "a-",
		.groups = desk_form,
		.ngroups = ZEK_ARRAY_LEN(desk_form),
		.value = desk_value,
		.errs = errs,
		.nerrs = nerrs,
		.conflict = status == 409,
		.submit = "admin_save",
	};
	int rc;

	rc = core_admin_desk(&rq->ctx, rq->user, portal_id, &d);
	if (rc != ZEK_OK)
		return rc;
	f.stored = status == 200 ? &d : NULL;
	f.version = d.version;
	f.action = f.cancel_href = arena_printf(rq->arena, PORTAL_URL,
	    portal_id);
	if (f.action == NULL)
		return ZEK_NOMEM;
	return form_page(rq, status,
	    http_fmt1(rq, "admin_portal_title", "key", d.project_key), NULL,
	    admin_page_form(rq, &f),
	    ctx_pack("{s:s, s:s}", "view_href",
	        core_portal_path(rq->arena, portal_id), "types_href",
	        arena_printf(rq->arena, PORTAL_URL "/types", portal_id)));
}

/* GET /servicedesk/admin/portals/{pid} */
int
web_admin_desk(struct req *rq)
{
	int64_t id = web_param_id(rq, "pid");

	if (!admin_page_allowed(rq) || id == 0)
		return ZEK_NOTFOUND;
	return desk_page(rq, 200, id, NULL, 0);
}

/* POST /servicedesk/admin/portals/{pid} */
int
web_admin_desk_save(struct req *rq)
{
	struct field_error errs[ADMIN_MAX_ERRORS];
	struct admin_desk_form f = {
		.version = req_form(rq, "version"),
		.name = req_form(rq, "name"),
		.description = req_form(rq, "description"),
	};
	int64_t id = web_param_id(rq, "pid");
	const char *to;
	size_t nerrs = 0;
	int rc;

	if (!admin_page_allowed(rq) || id == 0)
		return ZEK_NOTFOUND;
	rc = core_admin_desk_save(&rq->ctx, rq->user, id, &f, errs, &nerrs);
	if (rc == ZEK_INVALID)
		return desk_page(rq, 422, id, errs, nerrs);
	if (rc == ZEK_CONFLICT)
		return desk_page(rq, 409, id, NULL, 0);
	if (rc != ZEK_OK)
		return rc;
	to = arena_printf(rq->arena, PORTAL_URL "?notice=saved", id);
	return to != NULL ? http_redirect(rq, 303, to) : ZEK_NOMEM;
}

/* ---- the catalogue ---- */

/* The kind a page or form names; Mandanten by default. */
static const char *
object_kind(struct req *rq, const char *sent)
{
	(void)rq;
	return str_eq(sent, "online_dienst") ? "online_dienst" : "mandant";
}

/* The kind a form sends back in its hidden field; NULL for anything else
 * (a form of ours never sends that). */
static const char *
sent_kind(struct req *rq)
{
	const char *kind = req_form(rq, "kind");

	return core_object_kind_valid(kind) ? kind : NULL;
}

static const char *
catalogue_href(struct req *rq, const char *kind, const char *notice)
{
	return arena_printf(rq->arena, CATALOGUE_URL "?kind=%s%s%s", kind,
	    notice != NULL ? "&notice=" : "", notice != NULL ? notice : "");
}

/* The biggest catalogue file a form takes, as people read it. */
static const char *
import_max_text(struct req *rq)
{
	size_t max = rq->app->cfg.max_file_bytes;

	return http_size_text(rq,
	    max < OBJECTS_CSV_MAX ? max : OBJECTS_CSV_MAX);
}

/* What went wrong on the page, and where: the add form (id 0) or one
 * object's rename form. */
struct catalogue_error {
	int64_t id;
	const struct field_error *err;
	const char *message; /* of the import form, or NULL */
	const char *result;  /* an import's outcome, or NULL */
};

static json_t *
catalogue_rows(struct req *rq, const struct admin_objects *objs,
    const struct catalogue_error *ce)
{
	json_t *arr = json_array(), *row;
	size_t i;

	for (i = 0; arr != NULL && i < objs->n; i++) {
		const struct admin_object *o = &objs->rows[i];
		bool failed = ce->err != NULL && ce->id == o->id;

		row = web_field_json(rq, failed ? ce->err : NULL,
		    failed ? 1 : 0, "name",
		    arena_printf(rq->arena, "o-%" PRId64, o->id),
		    failed ? web_kept(rq, "name") : o->name);
		json_object_set_new(row, "name", json_string(o->name));
		json_object_set_new(row, "retired", json_boolean(o->retired));
		json_object_set_new(row, "rename_label",
		    json_string(http_fmt1(rq, "admin_object_rename_label",
		        "name", o->name)));
		json_object_set_new(row, "action",
		    json_string(arena_printf(rq->arena,
		        CATALOGUE_URL "/%" PRId64, o->id)));
		json_array_append_new(arr, row);
	}
	return arr;
}

static int
catalogue_page(struct req *rq, unsigned status, const char *kind,
    const struct catalogue_error *ce)
{
	const char *q = web_kept_query(rq, 4 * OBJECT_NAME_MAX);
	struct admin_objects objs;
	int64_t page_no = 0;
	json_t *page;
	int rc;

	if (str_to_i64(req_query(rq, "page"), 0, 100000, &page_no) != 0)
		page_no = 0;
	rc = core_admin_objects(&rq->ctx, rq->user, kind, q, (size_t)page_no,
	    &objs);
	if (rc != ZEK_OK)
		return rc;
	page = web_page_ctx(rq, "admin_catalogue");
	if (page == NULL)
		return ZEK_NOMEM;
	json_object_set_new(page, "kind", json_string(kind));
	json_object_set_new(page, "is_mandant",
	    json_boolean(str_eq(kind, "mandant")));
	json_object_set_new(page, "mandant_href",
	    json_string(catalogue_href(rq, "mandant", NULL)));
	json_object_set_new(page, "dienst_href",
	    json_string(catalogue_href(rq, "online_dienst", NULL)));
	json_object_set_new(page, "action", json_string(CATALOGUE_URL));
	json_object_set_new(page, "import_action",
	    json_string(CATALOGUE_URL "/import"));
	json_object_set_new(page, "q", json_string(q));
	json_object_set_new(page, "import_help",
	    json_string(http_fmt1(rq, "admin_import_help", "max",
	        import_max_text(rq))));
	json_object_set_new(page, "rows", catalogue_rows(rq, &objs, ce));
	json_object_set_new(page, "has_rows", json_boolean(objs.n > 0));
	json_object_set_new(page, "add",
	    web_field_json(rq, ce->id == 0 && ce->err != NULL ? ce->err : NULL,
	        ce->id == 0 && ce->err != NULL ? 1 : 0, "name", "o-new",
	        ce->id == 0 && ce->err != NULL ? web_kept(rq, "name") : ""));
	if (ce->message != NULL)
		json_object_set_new(page, "import_error",
		    json_string(ce->message));
	if (ce->result != NULL)
		json_object_set_new(page, "import_result",
		    json_string(ce->result));
	admin_page_pager(rq, page, catalogue_href(rq, kind, NULL), q, page_no,
	    objs.more);
	web_breadcrumb(rq, page, web_t(rq, "nav_admin"), WEB_ADMIN);
	web_breadcrumb(rq, page, web_t(rq, "admin_catalogue"), NULL);
	return web_render(rq, status, "admin/catalogue", page);
}

/* GET /servicedesk/admin/catalogue?kind=&q=&page= */
int
web_admin_catalogue(struct req *rq)
{
	struct catalogue_error ce = { 0 };

	return catalogue_page(rq, 200, object_kind(rq, req_query(rq, "kind")),
	    &ce);
}

/* POST /servicedesk/admin/catalogue: kind, name */
int
web_admin_object_add(struct req *rq)
{
	const char *kind = sent_kind(rq);
	struct field_error err = { 0 };
	struct catalogue_error ce = { .err = &err };
	const char *to;
	int rc;

	if (!admin_page_allowed(rq))
		return ZEK_NOTFOUND;
	if (kind == NULL)
		return ZEK_INVALID;
	rc = core_admin_object_add(&rq->ctx, rq->user, kind,
	    req_form(rq, "name"), &err);
	if (rc == ZEK_INVALID && err.key != NULL)
		return catalogue_page(rq, 422, kind, &ce);
	if (rc != ZEK_OK)
		return rc;
	to = catalogue_href(rq, kind, "object_added");
	return to != NULL ? http_redirect(rq, 303, to) : ZEK_NOMEM;
}

/* POST /servicedesk/admin/catalogue/{id}: kind, name (rename) or
 * action=retire|restore */
int
web_admin_object_change(struct req *rq)
{
	const char *kind = sent_kind(rq);
	const char *action = req_form(rq, "action");
	struct field_error err = { 0 };
	int64_t id = web_param_id(rq, "id");
	struct catalogue_error ce = { .id = id, .err = &err };
	const char *notice, *to;
	int rc;

	if (!admin_page_allowed(rq) || id == 0)
		return ZEK_NOTFOUND;
	if (kind == NULL ||
	    (action != NULL && !str_eq(action, "retire") &&
	        !str_eq(action, "restore")))
		return ZEK_INVALID;
	if (action != NULL) {
		rc = core_admin_object_retire(&rq->ctx, rq->user, id,
		    str_eq(action, "retire"));
		notice = str_eq(action, "retire") ? "object_retired" :
		                                    "object_restored";
	} else {
		rc = core_admin_object_rename(&rq->ctx, rq->user, id,
		    req_form(rq, "name"), &err);
		notice = "object_renamed";
		if (rc == ZEK_INVALID && err.key != NULL)
			return catalogue_page(rq, 422, kind, &ce);
	}
	if (rc != ZEK_OK)
		return rc;
	to = catalogue_href(rq, kind, notice);
	return to != NULL ? http_redirect(rq, 303, to) : ZEK_NOMEM;
}

/* POST /servicedesk/admin/catalogue/import: kind, file (multipart) */
int
web_admin_objects_import(struct req *rq)
{
	const char *kind = sent_kind(rq);
	const struct form_field *f = form_find(&rq->form, "file");
	struct catalogue_error ce = { .id = -1 };
	int64_t added = 0, line = 0;
	char n[32];
	int rc;

	if (!admin_page_allowed(rq))
		return ZEK_NOTFOUND;
	if (kind == NULL)
		return ZEK_INVALID;
	if (f == NULL || f->filename == NULL || f->len == 0)
		ce.message = web_t(rq, "admin_import_no_file");
	else if (f->too_big || f->value == NULL || f->len > OBJECTS_CSV_MAX)
		ce.message = http_fmt1(rq, "admin_import_too_big", "max",
		    import_max_text(rq));
	if (ce.message != NULL)
		return catalogue_page(rq, 422, kind, &ce);
	rc = core_admin_objects_import(&rq->ctx, rq->user, f->value, f->len,
	    &added, &line);
	if (rc == ZEK_INVALID || rc == ZEK_TOOBIG) {
		snprintf(n, sizeof(n), "%" PRId64, line);
		ce.message = rc == ZEK_TOOBIG ?
		    http_fmt1(rq, "admin_import_too_big", "max",
		        import_max_text(rq)) :
		    line > 0 ?
		    http_fmt1(rq, "admin_import_bad_line", "line", n) :
		    web_t(rq, "admin_import_bad_text");
		return catalogue_page(rq, 422, kind, &ce);
	}
	if (rc != ZEK_OK)
		return rc;
	snprintf(n, sizeof(n), "%" PRId64, added);
	ce.result = http_fmt1(rq, "admin_import_done", "n", n);
	return catalogue_page(rq, 200, kind, &ce);
}

/* ---- the record of changes ---- */

/* Whether a recorded subject is a yes or no ("field_hidden", recorded as
 * "0" or "1"). */
static bool
is_flag(const char *subject)
{
	size_t n = strlen(subject);

	return (n > 7 && str_eq(subject + n - 7, "_hidden")) ||
	    (n > 9 && str_eq(subject + n - 9, "_required"));
}

/* A recorded value as people read it: times in the viewer's zone, "0"
 * as open, flags as yes or no, "" as empty. */
static const char *
change_value(struct req *rq, const struct admin_change *c, const char *v)
{
	int64_t ms;

	if (str_starts(c->subject, "mail_"))
		return admin_mail_history_value(rq, v);
	if (str_starts(c->subject, "calendar_"))
		return admin_calendar_history_value(rq, c->subject, v);
	if (c->is_time && str_to_i64(v, 0, INT64_MAX, &ms) == 0)
		return ms == 0 ? web_t(rq, "admin_time_open") :
		                 web_time_text(rq, ms);
	if (is_flag(c->subject) && (str_eq(v, "0") || str_eq(v, "1")))
		return web_t(rq, str_eq(v, "1") ? "admin_yes" : "admin_no");
	if (str_starts(c->subject, "type_sla_") &&
	    str_to_i64(v, 0, INT64_MAX, &ms) == 0)
		return ms == 0 ? web_t(rq, "admin_sla_none") :
		                 http_fmt1(rq, "admin_sla_hours", "hours",
		                     web_hours_value(rq, ms));
	return str_empty(v) ? web_t(rq, "admin_value_empty") : v;
}

/* The thing a change was made to: a portal by its name, a kind of the
 * catalogue by its label. */
static const char *
change_target(struct req *rq, const char *target)
{
	if (str_eq(target, "mandant"))
		return web_t(rq, "admin_kind_mandant");
	if (str_eq(target, "online_dienst"))
		return web_t(rq, "admin_kind_online_dienst");
	if (str_starts(target, "mail:"))
		return http_fmt1(rq, "admin_mail_target", "id", target + 5);
	return target;
}

static json_t *
history_rows(struct req *rq, const struct admin_history *h)
{
	json_t *arr = json_array();
	const char *what, *key;
	size_t i;

	for (i = 0; arr != NULL && i < h->n; i++) {
		const struct admin_change *c = &h->rows[i];

		key = arena_printf(rq->arena, "admin_subject_%s", c->subject);
		what = key != NULL ? web_t(rq, key) : c->subject;
		if (!str_empty(c->target))
			what = http_fmt(rq, "admin_subject_of",
			    (const char *const[]){ "what", "target" },
			    (const char *const[]){ what,
			        change_target(rq, c->target) },
			    2);
		json_array_append_new(arr,
		    ctx_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "when",
		        web_time_text(rq, c->at), "iso",
		        web_time_iso(rq, c->at), "who",
		        !str_empty(c->actor_name) ? c->actor_name :
		                                    web_t(rq, "audit_cli"),
		        "what", what, "old", change_value(rq, c, c->old_value),
		        "new", change_value(rq, c, c->new_value)));
	}
	return arr;
}

/* GET /servicedesk/admin/history?before=ID */
int
web_admin_history(struct req *rq)
{
	struct admin_history h;
	int64_t before = 0;
	json_t *page;
	int rc;

	if (str_to_i64(req_query(rq, "before"), 1, INT64_MAX, &before) != 0)
		before = 0;
	rc = core_admin_history(&rq->ctx, rq->user, before, &h);
	if (rc != ZEK_OK)
		return rc;
	page = web_page_ctx(rq, "page_admin_history");
	if (page == NULL)
		return ZEK_NOMEM;
	json_object_set_new(page, "rows", history_rows(rq, &h));
	json_object_set_new(page, "has_rows", json_boolean(h.n > 0));
	if (before > 0)
		json_object_set_new(page, "first_href",
		    json_string(HISTORY_URL));
	if (h.next_before > 0)
		json_object_set_new(page, "next_href",
		    json_string(arena_printf(rq->arena,
		        HISTORY_URL "?before=%" PRId64, h.next_before)));
	web_breadcrumb(rq, page, web_t(rq, "nav_admin"), WEB_ADMIN);
	web_breadcrumb(rq, page, web_t(rq, "page_admin_history"), NULL);
	return web_render(rq, 200, "admin/history", page);
}
