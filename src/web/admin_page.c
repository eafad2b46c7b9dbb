/* admin_page.c: drawing the admin area's forms from their tables of
 * controls, and the small helpers its handlers share (admin_page.h). */
#include "web/admin_page.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/admin.h"
#include "core/perm.h"
#include "core/users.h"
#include "core/validate.h"
#include "lib/arena.h"
#include "lib/str.h"

static const char *const kind_flags[] = {
	[CONTROL_TEXT] = "is_text",
	[CONTROL_TEXTAREA] = "is_textarea",
	[CONTROL_DATETIME] = "is_datetime",
	[CONTROL_SELECT] = "is_select",
	[CONTROL_RADIOS] = "is_radios",
	[CONTROL_CHECKBOX] = "is_checkbox",
	[CONTROL_TIME] = "is_time",
	[CONTROL_DATE] = "is_date",
};

/* The choices with the one shown marked (checked for radios, selected
 * for a select), and each radio's id. */
static json_t *
choices_json(struct req *rq, const struct control *c, const char *id,
    const char *value, const void *data)
{
	json_t *arr = c->choices(rq, data), *ch;
	size_t i;

	json_array_foreach(arr, i, ch) {
		json_object_set_new(ch, "selected",
		    json_boolean(
		        str_eq(json_string_value(json_object_get(ch, "value")),
		            value)));
		json_object_set_new(ch, "id",
		    json_string(arena_printf(rq->arena, "%s-%zu", id, i)));
	}
	return arr;
}

/* The label a control shows: in a row's form, naming the row. */
static const char *
control_label(struct req *rq, const struct control *c, const char *row)
{
	const char *label = web_t(rq, c->label);

	if (row == NULL)
		return label;
	return http_fmt(rq, "admin_label_for",
	    (const char *const[]){ "label", "name" },
	    (const char *const[]){ label, row }, 2);
}

static json_t *
control_json(struct req *rq, const struct admin_form *f,
    const struct control *c, const char *value)
{
	const char *id = arena_printf(rq->arena, "%s%s", f->prefix, c->field);
	json_t *j = web_field_json(rq, f->errs, f->nerrs, c->field, id, value);
	size_t k;

	if (j == NULL || id == NULL)
		return NULL;
	json_object_set_new(j, "name", json_string(c->field));
	json_object_set_new(j, "label",
	    json_string(control_label(rq, c, f->row)));
	json_object_set_new(j, "label_hidden", json_boolean(f->compact));
	/* A row's controls in a table cell: their help is the page's. */
	if (c->help != NULL && !f->compact) {
		json_object_set_new(j, "help", json_string(web_t(rq, c->help)));
		json_object_set_new(j, "help_id",
		    json_string(arena_printf(rq->arena, "%s-help", id)));
	}
	/* Every flag set, so that none is taken from the page around it. */
	for (k = 0; k < ZEK_ARRAY_LEN(kind_flags); k++)
		json_object_set_new(j, kind_flags[k],
		    json_boolean(k == c->kind));
	if (c->max > 0)
		json_object_set_new(j, "maxlength",
		    json_integer((json_int_t)c->max));
	if (c->choices != NULL)
		json_object_set_new(j, "choices",
		    choices_json(rq, c, id, value, f->data));
	json_object_set_new(j, "checked", json_boolean(str_eq(value, "on")));
	json_object_set_new(j, "disabled", json_boolean(c->disabled));
	/* A checkbox left empty is an answer too: never "(optional)". */
	json_object_set_new(j, "required",
	    json_boolean(c->required || c->kind == CONTROL_CHECKBOX));
	return j;
}

/* The error summary: each error with its control's label and link. */
static json_t *
summary_json(struct req *rq, const struct admin_form *f, json_t *groups)
{
	json_t *arr = json_array(), *g, *ctl;
	size_t i, k, m;

	for (i = 0; arr != NULL && i < f->nerrs; i++)
		json_array_foreach(groups, k, g)
			json_array_foreach(json_object_get(g, "controls"), m,
			    ctl)
				if (str_eq(f->errs[i].field,
				        json_string_value(
				            json_object_get(ctl, "name"))))
					json_array_append_new(arr,
					    web_summary_item(rq,
					        json_string_value(
					            json_object_get(ctl, "id")),
					        json_string_value(
					            json_object_get(ctl,
					                "label")),
					        &f->errs[i]));
	return arr;
}

json_t *
admin_page_form(struct req *rq, const struct admin_form *f)
{
	json_t *form = json_object(), *arr = json_array(), *list;
	const char *value;
	size_t g, i;

	for (g = 0; arr != NULL && g < f->ngroups; g++) {
		list = json_array();
		for (i = 0; list != NULL && i < f->groups[g].n; i++) {
			const struct control *c = &f->groups[g].controls[i];

			value = f->stored == NULL ?
			    web_kept(rq, c->field) :
			    f->value(rq, f->stored, c->field);
			json_array_append_new(list,
			    control_json(rq, f, c, value));
		}
		json_array_append_new(arr,
		    ctx_pack("{s:s?, s:o}", "legend",
		        f->groups[g].legend != NULL ?
		            web_t(rq, f->groups[g].legend) :
		            NULL,
		        "controls", list));
	}
	if (form == NULL || arr == NULL) {
		json_decref(form);
		json_decref(arr);
		return NULL;
	}
	json_object_set_new(form, "errors", summary_json(rq, f, arr));
	json_object_set_new(form, "groups", arr);
	json_object_set_new(form, "has_errors", json_boolean(f->nerrs > 0));
	json_object_set_new(form, "prefix", json_string(f->prefix));
	json_object_set_new(form, "csrf", json_string(rq->csrf));
	json_object_set_new(form, "action", json_string(f->action));
	json_object_set_new(form, "version", json_integer(f->version));
	json_object_set_new(form, "conflict", json_boolean(f->conflict));
	json_object_set_new(form, "submit", json_string(web_t(rq, f->submit)));
	if (f->row != NULL)
		json_object_set_new(form, "row", json_string(f->row));
	if (f->cancel_href != NULL)
		json_object_set_new(form, "cancel_href",
		    json_string(f->cancel_href));
	return form;
}

int
admin_page_render(struct req *rq, unsigned status, const char *name,
    json_t *page, const struct admin_crumb *crumbs, size_t ncrumbs)
{
	size_t i;

	web_breadcrumb(rq, page, web_t(rq, "nav_admin"), WEB_ADMIN);
	for (i = 0; i < ncrumbs; i++)
		web_breadcrumb(rq, page, crumbs[i].label, crumbs[i].href);
	web_breadcrumb(rq, page,
	    json_string_value(json_object_get(page, "title")), NULL);
	return web_render(rq, status, name, page);
}

bool
admin_page_allowed(struct req *rq)
{
	return perm_is_admin(rq->user);
}

int64_t
admin_page_sent_id(struct req *rq, const char *name)
{
	int64_t id;

	return str_to_i64(req_form(rq, name), 1, INT64_MAX, &id) == 0 ? id : 0;
}

bool
admin_page_version_ok(struct req *rq)
{
	int64_t v;

	return str_to_i64(req_form(rq, "version"), 0, INT64_MAX, &v) == 0;
}

int
admin_page_checkbox(struct req *rq, const char *name)
{
	const char *v = req_form(rq, name);

	if (v == NULL)
		return 0;
	return str_eq(v, "on") ? 1 : -1;
}

const char *
admin_page_lang(struct req *rq, const char *de, const char *en)
{
	return str_eq(rq->lang, "en") && !str_empty(en) ? en : de;
}

void
admin_page_pager(struct req *rq, json_t *page, const char *base, const char *q,
    int64_t page_no, bool more)
{
	char n[32];

	json_object_set_new(page, "has_pager",
	    json_boolean(more || page_no > 0));
	if (base == NULL)
		return;
	if (more) {
		snprintf(n, sizeof(n), "%" PRId64, page_no + 1);
		json_object_set_new(page, "next_href",
		    json_string(web_page_href(rq, base, q, "page", n)));
	}
	if (page_no > 0) {
		snprintf(n, sizeof(n), "%" PRId64, page_no - 1);
		json_object_set_new(page, "prev_href",
		    json_string(web_page_href(rq, base, q, "page", n)));
	}
}

int
admin_page_redirect(struct req *rq, const char *path, const char *notice)
{
	const char *to = notice != NULL && path != NULL ?
	    arena_printf(rq->arena, "%s?notice=%s", path, notice) :
	    path;

	return to != NULL ? http_redirect(rq, 303, to) : ZEK_NOMEM;
}

const char *
admin_blank_value(struct req *rq, const void *stored, const char *field)
{
	(void)rq;
	(void)stored;
	(void)field;
	return "";
}
