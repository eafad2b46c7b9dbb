/* admin_types.c: a portal's request types in the admin area (issue 16):
 * its groups, the types, their fields and the options of selects. Admins
 * only; core answers everybody else ZEK_NOTFOUND. Nothing is deleted here,
 * so that no request loses what it names: a type is hidden from
 * customers, a field from the forms, an option retired
 * (core/admin_types.h). */
#include "web/admin_page.h"

#include <inttypes.h>
#include <string.h>

#include "core/admin.h"
#include "core/admin_types.h"
#include "core/fields.h"
#include "core/portal.h"
#include "core/validate.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "lib/utf8.h"

#define PORTAL_URL WEB_ADMIN "portals/%" PRId64
#define TYPES_URL WEB_ADMIN "portals/%" PRId64 "/types"
#define GROUP_URL WEB_ADMIN "groups/%" PRId64
#define TYPE_URL WEB_ADMIN "types/%" PRId64
#define FIELD_URL WEB_ADMIN "fields/%" PRId64
#define OPTION_URL WEB_ADMIN "options/%" PRId64

/* ---- the forms ---- */

static json_t *group_choices(struct req *rq, const void *data);
static json_t *icon_choices(struct req *rq, const void *data);
static json_t *kind_choices(struct req *rq, const void *data);
static json_t *object_kind_choices(struct req *rq, const void *data);

static const struct control group_controls[] = {
	{ "name_de", "admin_name_de", NULL, CONTROL_TEXT, ADMIN_TITLE_MAX, true,
	    NULL, false },
	{ "name_en", "admin_name_en", "admin_name_en_help", CONTROL_TEXT,
	    ADMIN_TITLE_MAX, false, NULL, false },
};

static const struct control_group group_form[] = {
	{ NULL, group_controls, ZEK_ARRAY_LEN(group_controls) },
};

static const struct control type_add_controls[] = {
	{ "name_de", "admin_name_de", NULL, CONTROL_TEXT, ADMIN_TITLE_MAX, true,
	    NULL, false },
	{ "name_en", "admin_name_en", "admin_name_en_help", CONTROL_TEXT,
	    ADMIN_TITLE_MAX, false, NULL, false },
	{ "group_id", "admin_type_group", NULL, CONTROL_SELECT, 0, true,
	    group_choices, false },
};

static const struct control_group type_add_form[] = {
	{ NULL, type_add_controls, ZEK_ARRAY_LEN(type_add_controls) },
};

static const struct control type_descriptions[] = {
	{ "description_de", "admin_description_de",
	    "admin_type_description_help", CONTROL_TEXTAREA, ADMIN_TEXT_MAX,
	    false, NULL, false },
	{ "description_en", "admin_description_en", NULL, CONTROL_TEXTAREA,
	    ADMIN_TEXT_MAX, false, NULL, false },
};

static const struct control type_settings[] = {
	{ "icon", "admin_type_icon", NULL, CONTROL_RADIOS, 0, true,
	    icon_choices, false },
	{ "group_id", "admin_type_group", "admin_type_group_help",
	    CONTROL_SELECT, 0, true, group_choices, false },
	{ "hidden", "admin_type_hidden", "admin_type_hidden_help",
	    CONTROL_CHECKBOX, 0, false, NULL, false },
};

/* Service-level goals in working hours ("8", "7,5"; empty: none). */
static const struct control type_goals[] = {
	{ "sla_response_hours", "admin_sla_response", "admin_sla_help",
	    CONTROL_TEXT, 10, false, NULL, false },
	{ "sla_resolution_hours", "admin_sla_resolution", NULL, CONTROL_TEXT,
	    10, false, NULL, false },
};

static const struct control_group type_form[] = {
	{ "admin_type_names", group_controls, ZEK_ARRAY_LEN(group_controls) },
	{ "admin_type_descriptions", type_descriptions,
	    ZEK_ARRAY_LEN(type_descriptions) },
	{ "admin_type_settings", type_settings, ZEK_ARRAY_LEN(type_settings) },
	{ "admin_sla_goals", type_goals, ZEK_ARRAY_LEN(type_goals) },
};

static const struct control field_labels[] = {
	{ "label_de", "admin_label_de", NULL, CONTROL_TEXT, ADMIN_TITLE_MAX,
	    true, NULL, false },
	{ "label_en", "admin_label_en", "admin_label_en_help", CONTROL_TEXT,
	    ADMIN_TITLE_MAX, false, NULL, false },
};

static const struct control field_add_controls[] = {
	{ "kind", "admin_field_kind", NULL, CONTROL_SELECT, 0, true,
	    kind_choices, false },
	{ "label_de", "admin_label_de", NULL, CONTROL_TEXT, ADMIN_TITLE_MAX,
	    true, NULL, false },
	{ "label_en", "admin_label_en", "admin_label_en_help", CONTROL_TEXT,
	    ADMIN_TITLE_MAX, false, NULL, false },
	{ "required", "admin_field_required", "admin_field_required_help",
	    CONTROL_CHECKBOX, 0, false, NULL, false },
	{ "options", "admin_field_options", "admin_field_options_help",
	    CONTROL_TEXTAREA, 0, false, NULL, false },
	{ "object_kind", "admin_field_object_kind",
	    "admin_field_object_kind_help", CONTROL_SELECT, 0, true,
	    object_kind_choices, false },
	{ "multiple", "admin_field_multiple", "admin_field_object_kind_help",
	    CONTROL_CHECKBOX, 0, false, NULL, false },
};

static const struct control_group field_add_form[] = {
	{ NULL, field_add_controls, ZEK_ARRAY_LEN(field_add_controls) },
};

static const struct control field_helps[] = {
	{ "help_de", "admin_help_de", "admin_field_help_help", CONTROL_TEXTAREA,
	    ADMIN_TEXT_MAX, false, NULL, false },
	{ "help_en", "admin_help_en", NULL, CONTROL_TEXTAREA, ADMIN_TEXT_MAX,
	    false, NULL, false },
};

static const struct control field_placeholders[] = {
	{ "placeholder_de", "admin_placeholder_de",
	    "admin_field_placeholder_help", CONTROL_TEXT, ADMIN_TITLE_MAX,
	    false, NULL, false },
	{ "placeholder_en", "admin_placeholder_en", NULL, CONTROL_TEXT,
	    ADMIN_TITLE_MAX, false, NULL, false },
};

static const struct control field_checkbox_labels[] = {
	{ "checkbox_label_de", "admin_checkbox_label_de",
	    "admin_field_checkbox_label_help", CONTROL_TEXT, ADMIN_TITLE_MAX,
	    false, NULL, false },
	{ "checkbox_label_en", "admin_checkbox_label_en", NULL, CONTROL_TEXT,
	    ADMIN_TITLE_MAX, false, NULL, false },
};

static const struct control field_use[] = {
	{ "required", "admin_field_required", "admin_field_required_help",
	    CONTROL_CHECKBOX, 0, false, NULL, false },
	{ "hidden", "admin_field_hidden", "admin_field_hidden_help",
	    CONTROL_CHECKBOX, 0, false, NULL, false },
};

/* Title and description: in every type, never hidden. */
static const struct control fixed_field_use[] = {
	{ "required", "admin_field_required", "admin_field_required_help",
	    CONTROL_CHECKBOX, 0, false, NULL, false },
	{ "hidden", "admin_field_hidden", "admin_field_hidden_fixed",
	    CONTROL_CHECKBOX, 0, false, NULL, true },
};

static const struct control_group option_form[] = {
	{ NULL, field_labels, ZEK_ARRAY_LEN(field_labels) },
};

/* ---- what the forms show ---- */

static const char *
id_text(struct req *rq, int64_t id)
{
	return arena_printf(rq->arena, "%" PRId64, id);
}

static const char *
flag_text(bool on)
{
	return on ? "on" : "";
}

static const char *
group_value(struct req *rq, const void *stored, const char *field)
{
	const struct admin_group *g = stored;

	(void)rq;
	return str_eq(field, "name_de") ? g->name_de : g->name_en;
}

static const char *
type_value(struct req *rq, const void *stored, const char *field)
{
	const struct admin_type *t = stored;

	if (str_eq(field, "name_de"))
		return t->name_de;
	if (str_eq(field, "name_en"))
		return t->name_en;
	if (str_eq(field, "description_de"))
		return t->description_de;
	if (str_eq(field, "description_en"))
		return t->description_en;
	if (str_eq(field, "icon"))
		return t->icon;
	if (str_eq(field, "group_id"))
		return id_text(rq, t->group_id);
	if (str_eq(field, "sla_response_hours"))
		return web_hours_value(rq, t->sla_response_minutes);
	if (str_eq(field, "sla_resolution_hours"))
		return web_hours_value(rq, t->sla_resolution_minutes);
	return flag_text(t->hidden);
}

static const char *
field_value(struct req *rq, const void *stored, const char *field)
{
	const struct admin_field *f = stored;
	static const struct {
		const char *name;
		size_t offset;
	} texts[] = {
		{ "label_de", offsetof(struct admin_field, label_de) },
		{ "label_en", offsetof(struct admin_field, label_en) },
		{ "help_de", offsetof(struct admin_field, help_de) },
		{ "help_en", offsetof(struct admin_field, help_en) },
		{ "placeholder_de",
		    offsetof(struct admin_field, placeholder_de) },
		{ "placeholder_en",
		    offsetof(struct admin_field, placeholder_en) },
		{ "checkbox_label_de",
		    offsetof(struct admin_field, checkbox_label_de) },
		{ "checkbox_label_en",
		    offsetof(struct admin_field, checkbox_label_en) },
	};
	size_t i;

	(void)rq;
	/* Wrapped by hand: clang-format 14 breaks inside the cast. */
	/* clang-format off */
	for (i = 0; i < ZEK_ARRAY_LEN(texts); i++)
		if (str_eq(field, texts[i].name))
			return *(const char *const *)(const void *)
			    ((const char *)f + texts[i].offset);
	/* clang-format on */
	return flag_text(str_eq(field, "required") ? f->required : f->hidden);
}

static const char *
option_value(struct req *rq, const void *stored, const char *field)
{
	const struct admin_option *o = stored;

	(void)rq;
	return str_eq(field, "label_de") ? o->label_de : o->label_en;
}

static json_t *
choice(const char *value, const char *label)
{
	return ctx_pack("{s:s, s:s}", "value", value, "label", label);
}

/* The portal's groups (data: struct admin_types). */
static json_t *
group_choices(struct req *rq, const void *data)
{
	const struct admin_types *all = data;
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr != NULL && i < all->ngroups; i++)
		json_array_append_new(arr,
		    choice(id_text(rq, all->groups[i].id),
		        admin_page_lang(rq, all->groups[i].name_de,
		            all->groups[i].name_en)));
	return arr;
}

/* "Kein Symbol" and core's icons, each shown beside its name. */
static json_t *
icon_choices(struct req *rq, const void *data)
{
	json_t *arr = json_array(), *ch;
	const char *key, *label;
	size_t i;

	(void)data;
	json_array_append_new(arr, choice("", web_t(rq, "admin_icon_none")));
	for (i = 0; arr != NULL && i < admin_type_nicons; i++) {
		key = arena_printf(rq->arena, "admin_icon_%s",
		    admin_type_icons[i]);
		label = key != NULL ? web_t(rq, key) : NULL;
		/* An icon core has and no catalog names yet: its file name. */
		ch = choice(admin_type_icons[i],
		    label != NULL && !str_eq(label, key) ? label :
		                                           admin_type_icons[i]);
		json_object_set_new(ch, "icon",
		    json_string(admin_type_icons[i]));
		json_array_append_new(arr, ch);
	}
	return arr;
}

static const char *
kind_text(struct req *rq, const char *kind)
{
	const char *key = arena_printf(rq->arena, "admin_field_kind_%s", kind);

	return key != NULL ? web_t(rq, key) : kind;
}

static json_t *
kind_choices(struct req *rq, const void *data)
{
	json_t *arr = json_array();
	size_t i;

	(void)data;
	for (i = 0; arr != NULL && i < FIELD_KIND_MAX; i++)
		json_array_append_new(arr,
		    choice(field_kind_name((enum field_kind)i),
		        kind_text(rq, field_kind_name((enum field_kind)i))));
	return arr;
}

static json_t *
object_kind_choices(struct req *rq, const void *data)
{
	(void)data;
	return ctx_pack("[o, o]",
	    choice("mandant", web_t(rq, "admin_field_object_mandant")),
	    choice("online_dienst", web_t(rq, "admin_field_object_dienst")));
}

/* ---- what came back ---- */

/* Which form of a page was sent and came back (409 or 422), so that it
 * shows what was typed and why; the page's other forms show what is
 * stored. */
struct sent {
	const char *form; /* "group", "type", "field", "option" */
	int64_t id;       /* a row's form: the row; else 0 */
	unsigned status;  /* 409 or 422 once it came back */
	const struct field_error *errs;
	size_t nerrs;
};

static bool
is_sent(const struct sent *s, const char *form, int64_t id)
{
	return s != NULL && s->status >= 400 && str_eq(s->form, form) &&
	    s->id == id;
}

/* Fills in what one form of a page shows: stored values, or what was sent
 * with its errors when this is the form that came back. */
static json_t *
page_form(struct req *rq, struct admin_form *f, const struct sent *s,
    const char *form, int64_t id)
{
	if (is_sent(s, form, id)) {
		f->stored = NULL;
		f->errs = s->errs;
		f->nerrs = s->nerrs;
		f->conflict = s->status == 409;
	}
	return admin_page_form(rq, f);
}

/* The up and down buttons of a row (partials/admin-move); extra: the
 * hidden fields the form sends besides (may be NULL). */
static json_t *
move_json(struct req *rq, const char *action, const char *name, size_t i,
    size_t n, json_t *extra)
{
	return ctx_pack("{s:s, s:s, s:s, s:b, s:b, s:o}", "action", action,
	    "name", name, "csrf", rq->csrf, "up", i > 0, "down", i + 1 < n,
	    "hidden", extra != NULL ? extra : json_array());
}

/* Draws a page of the family again: `id` is its portal, type or field. */
typedef int (*page_fn)(struct req *rq, int64_t id, const struct sent *s);

/* GET of a page of the family, whose id is the route's {param}: admins
 * only. */
static int
show(struct req *rq, const char *param, page_fn page)
{
	int64_t id = web_param_id(rq, param);

	if (!admin_page_allowed(rq) || id == 0)
		return ZEK_NOTFOUND;
	return page(rq, id, NULL);
}

/* After a form was sent: its page `id` again with what came back (422,
 * or 409 when changed meanwhile), or on to page to_id of URL format `to`
 * with a notice. */
static int
sent_back(struct req *rq, int rc, struct sent *s, page_fn page, int64_t id,
    const char *to, int64_t to_id, const char *notice)
{
	if (rc == ZEK_INVALID && s->nerrs > 0)
		s->status = 422;
	else if (rc == ZEK_CONFLICT)
		s->status = 409;
	else if (rc != ZEK_OK)
		return rc;
	else
		return admin_page_redirect(rq,
		    arena_printf(rq->arena, to, to_id), notice);
	return page(rq, id, s);
}

/* ---- the types of a portal ---- */

static json_t *
type_rows(struct req *rq, const struct admin_group *g)
{
	json_t *arr = json_array();
	const char *name;
	size_t i;

	for (i = 0; arr != NULL && i < g->ntypes; i++) {
		const struct admin_type *t = &g->types[i];

		name = admin_page_lang(rq, t->name_de, t->name_en);
		json_array_append_new(arr,
		    ctx_pack("{s:s, s:b, s:s, s:o}", "name", name, "hidden",
		        t->hidden, "href",
		        arena_printf(rq->arena, TYPE_URL, t->id), "move",
		        move_json(rq,
		            arena_printf(rq->arena, TYPE_URL "/move", t->id),
		            name, i, g->ntypes, NULL)));
	}
	return arr;
}

static json_t *
group_sections(struct req *rq, const struct admin_types *all,
    const struct sent *s)
{
	json_t *arr = json_array(), *sec;
	struct admin_form f = {
		.groups = group_form,
		.ngroups = ZEK_ARRAY_LEN(group_form),
		.value = group_value,
		.version = all->version,
		.submit = "admin_rename",
	};
	const char *name, *action;
	size_t i;

	for (i = 0; arr != NULL && i < all->ngroups; i++) {
		const struct admin_group *g = &all->groups[i];

		name = admin_page_lang(rq, g->name_de, g->name_en);
		action = arena_printf(rq->arena, GROUP_URL, g->id);
		f.prefix = arena_printf(rq->arena, "g%" PRId64 "-", g->id);
		f.stored = g;
		f.row = name;
		f.action = action;
		sec = ctx_pack("{s:I, s:s, s:o, s:o, s:b, s:o}", "id",
		    (json_int_t)g->id, "name", name, "form",
		    page_form(rq, &f, s, "group", g->id), "move",
		    move_json(rq, action, name, i, all->ngroups, NULL),
		    "has_types", g->ntypes > 0, "types", type_rows(rq, g));
		json_array_append_new(arr, sec);
	}
	return arr;
}

static int
types_page(struct req *rq, int64_t portal_id, const struct sent *s)
{
	struct admin_types all;
	struct admin_form add_group = {
		.prefix = "ng-",
		.groups = group_form,
		.ngroups = ZEK_ARRAY_LEN(group_form),
		.value = admin_blank_value,
		.stored = "",
		.submit = "admin_group_add",
	};
	struct admin_form add_type = {
		.prefix = "nt-",
		.groups = type_add_form,
		.ngroups = ZEK_ARRAY_LEN(type_add_form),
		.value = admin_blank_value,
		.stored = "",
		.submit = "admin_type_add",
	};
	struct admin_crumb crumbs[1];
	json_t *page;
	int rc;

	rc = core_admin_types(&rq->ctx, rq->user, portal_id, &all);
	if (rc != ZEK_OK)
		return rc;
	if ((page = web_page_ctx(rq, "admin_types")) == NULL)
		return ZEK_NOMEM;
	add_group.version = add_type.version = all.version;
	add_group.action = arena_printf(rq->arena, PORTAL_URL "/groups",
	    portal_id);
	add_type.action = arena_printf(rq->arena, TYPES_URL, portal_id);
	add_type.data = &all;
	json_object_set_new(page, "groups", group_sections(rq, &all, s));
	json_object_set_new(page, "add_group",
	    page_form(rq, &add_group, s, "group", 0));
	if (all.ngroups > 0)
		json_object_set_new(page, "add_type",
		    page_form(rq, &add_type, s, "type", 0));
	json_object_set_new(page, "desk_name", json_string(all.desk_name));
	crumbs[0] = (struct admin_crumb){ all.desk_name,
		arena_printf(rq->arena, PORTAL_URL, portal_id) };
	return admin_page_render(rq, s != NULL ? s->status : 200, "admin/types",
	    page, crumbs, ZEK_ARRAY_LEN(crumbs));
}

/* GET /servicedesk/admin/portals/{pid}/types */
int
web_admin_types(struct req *rq)
{
	return show(rq, "pid", types_page);
}

static int
read_group_form(struct req *rq, struct admin_group_form *f)
{
	f->version = req_form(rq, "version");
	f->name_de = req_form(rq, "name_de");
	f->name_en = req_form(rq, "name_en");
	return admin_page_version_ok(rq) ? ZEK_OK : ZEK_INVALID;
}

/* POST /servicedesk/admin/portals/{pid}/groups: version, name_de, name_en */
int
web_admin_group_add(struct req *rq)
{
	struct field_error errs[ADMIN_MAX_ERRORS];
	struct sent s = { .form = "group", .errs = errs };
	struct admin_group_form f;
	int64_t portal_id = web_param_id(rq, "pid"), id;
	int rc;

	if (!admin_page_allowed(rq) || portal_id == 0)
		return ZEK_NOTFOUND;
	if (read_group_form(rq, &f) != ZEK_OK)
		return ZEK_INVALID;
	rc = core_admin_group_add(&rq->ctx, rq->user, portal_id, &f, errs,
	    &s.nerrs, &id);
	return sent_back(rq, rc, &s, types_page, portal_id, TYPES_URL,
	    portal_id, "group_added");
}

/* The portal a group belongs to (0: none of any portal). */
static int64_t
group_portal(struct req *rq, int64_t group_id)
{
	struct admin_desk *desks;
	struct admin_types all;
	size_t i, k, n;

	if (core_admin_desks(&rq->ctx, rq->user, &desks, &n) != ZEK_OK)
		return 0;
	for (i = 0; i < n; i++) {
		if (core_admin_types(&rq->ctx, rq->user, desks[i].portal_id,
		        &all) != ZEK_OK)
			continue;
		for (k = 0; k < all.ngroups; k++)
			if (all.groups[k].id == group_id)
				return desks[i].portal_id;
	}
	return 0;
}

/* A move a form sends: up or down; -1 for anything else. */
static int
sent_move(struct req *rq)
{
	const char *action = req_form(rq, "action");

	if (str_eq(action, "up"))
		return ADMIN_MOVE_UP;
	return str_eq(action, "down") ? ADMIN_MOVE_DOWN : -1;
}

/* How core moves one kind of row. */
typedef enum zek_rc (*move_fn)(struct zctx *ctx, const struct user *actor,
    int64_t id, enum admin_move dir);

/* Moves row `id` as its button says (up or down; 400 for anything else)
 * and goes back to its list, page to_id of URL format `to`. */
static int
move_row(struct req *rq, int64_t id, move_fn move, const char *to,
    int64_t to_id)
{
	int dir = sent_move(rq), rc;

	if (dir < 0)
		return ZEK_INVALID;
	rc = move(&rq->ctx, rq->user, id, (enum admin_move)dir);
	return rc != ZEK_OK ? rc :
	                      admin_page_redirect(rq,
	                          arena_printf(rq->arena, to, to_id), "moved");
}

/* POST /servicedesk/admin/groups/{id}: version, name_de, name_en (rename)
 * or action=up|down */
int
web_admin_group_change(struct req *rq)
{
	struct field_error errs[ADMIN_MAX_ERRORS];
	int64_t id = web_param_id(rq, "id"), portal_id;
	struct sent s = { .form = "group", .id = id, .errs = errs };
	const char *action = req_form(rq, "action");
	struct admin_group_form f;
	int rc;

	if (!admin_page_allowed(rq) || id == 0)
		return ZEK_NOTFOUND;
	if ((portal_id = group_portal(rq, id)) == 0)
		return ZEK_NOTFOUND;
	if (action != NULL)
		return move_row(rq, id, core_admin_group_move, TYPES_URL,
		    portal_id);
	if (read_group_form(rq, &f) != ZEK_OK)
		return ZEK_INVALID;
	rc = core_admin_group_save(&rq->ctx, rq->user, id, &f, errs, &s.nerrs);
	return sent_back(rq, rc, &s, types_page, portal_id, TYPES_URL,
	    portal_id, "saved");
}

/* What the type forms send; "" for what the add form does not show. */
static int
read_type_form(struct req *rq, struct admin_type_form *f)
{
	int hidden = admin_page_checkbox(rq, "hidden");
	const char *d_de = req_form(rq, "description_de");
	const char *d_en = req_form(rq, "description_en");
	const char *icon = req_form(rq, "icon");

	*f = (struct admin_type_form){
		.version = req_form(rq, "version"),
		.group_id = req_form(rq, "group_id"),
		.name_de = req_form(rq, "name_de"),
		.name_en = req_form(rq, "name_en"),
		.description_de = d_de != NULL ? d_de : "",
		.description_en = d_en != NULL ? d_en : "",
		.icon = icon != NULL ? icon : "",
		.hidden = hidden == 1,
		/* The add form has no goals: NULL keeps none. */
		.sla_response_hours = req_form(rq, "sla_response_hours"),
		.sla_resolution_hours = req_form(rq, "sla_resolution_hours"),
	};
	return hidden < 0 || !admin_page_version_ok(rq) ? ZEK_INVALID : ZEK_OK;
}

/* POST /servicedesk/admin/portals/{pid}/types: version, name_de, name_en,
 * group_id */
int
web_admin_type_add(struct req *rq)
{
	struct field_error errs[ADMIN_MAX_ERRORS];
	struct sent s = { .form = "type", .errs = errs };
	struct admin_type_form f;
	int64_t portal_id = web_param_id(rq, "pid"), id = 0;
	const char *to;
	int rc;

	if (!admin_page_allowed(rq) || portal_id == 0)
		return ZEK_NOTFOUND;
	if (read_type_form(rq, &f) != ZEK_OK)
		return ZEK_INVALID;
	rc = core_admin_type_add(&rq->ctx, rq->user, portal_id, &f, errs,
	    &s.nerrs, &id);
	if (rc != ZEK_OK)
		return sent_back(rq, rc, &s, types_page, portal_id, TYPES_URL,
		    portal_id, NULL);
	to = arena_printf(rq->arena, TYPE_URL, id);
	return to != NULL ? admin_page_redirect(rq, to, "type_added") :
	                    ZEK_NOMEM;
}

/* ---- one request type ---- */

static json_t *
field_rows(struct req *rq, const struct admin_type *t)
{
	json_t *arr = json_array();
	const char *label;
	size_t i;

	for (i = 0; arr != NULL && i < t->nfields; i++) {
		const struct admin_field *f = &t->fields[i];

		label = admin_page_lang(rq, f->label_de, f->label_en);
		json_array_append_new(arr,
		    ctx_pack("{s:s, s:s, s:s, s:b, s:b, s:s, s:o}", "label",
		        label, "key", f->key, "kind", kind_text(rq, f->kind),
		        "required", f->required, "hidden", f->hidden, "href",
		        arena_printf(rq->arena, FIELD_URL, f->id), "move",
		        move_json(rq,
		            arena_printf(rq->arena, FIELD_URL "/move", f->id),
		            label, i, t->nfields, NULL)));
	}
	return arr;
}

/* Administration › portal › Anfragetypen › the type (a field's page). */
static void
type_crumbs(struct req *rq, const struct admin_type *t, const char *desk,
    struct admin_crumb *crumbs)
{
	crumbs[0] = (struct admin_crumb){ desk,
		arena_printf(rq->arena, PORTAL_URL, t->portal_id) };
	crumbs[1] = (struct admin_crumb){ web_t(rq, "admin_types"),
		arena_printf(rq->arena, TYPES_URL, t->portal_id) };
	crumbs[2] = (struct admin_crumb){ admin_page_lang(rq, t->name_de,
		                              t->name_en),
		arena_printf(rq->arena, TYPE_URL, t->id) };
}

static int
type_page(struct req *rq, int64_t type_id, const struct sent *s)
{
	struct admin_type t;
	struct admin_types all;
	struct admin_form edit = {
		.prefix = "a-",
		.groups = type_form,
		.ngroups = ZEK_ARRAY_LEN(type_form),
		.value = type_value,
		.submit = "admin_save",
	};
	struct admin_form add = {
		.prefix = "n-",
		.groups = field_add_form,
		.ngroups = ZEK_ARRAY_LEN(field_add_form),
		.value = admin_blank_value,
		.stored = "",
		.submit = "admin_field_add",
	};
	struct admin_crumb crumbs[3];
	json_t *page;
	int rc;

	rc = core_admin_type(&rq->ctx, rq->user, type_id, &t);
	if (rc == ZEK_OK)
		rc = core_admin_types(&rq->ctx, rq->user, t.portal_id, &all);
	if (rc != ZEK_OK)
		return rc;
	if ((page = web_page_ctx(rq, "page_admin")) == NULL)
		return ZEK_NOMEM;
	edit.stored = &t;
	edit.data = &all;
	edit.version = add.version = t.version;
	edit.action = edit.cancel_href = arena_printf(rq->arena, TYPE_URL,
	    type_id);
	add.action = arena_printf(rq->arena, TYPE_URL "/fields", type_id);
	type_crumbs(rq, &t, all.desk_name, crumbs);
	json_object_set_new(page, "title", json_string(crumbs[2].label));
	json_object_set_new(page, "form",
	    page_form(rq, &edit, s, "type", type_id));
	json_object_set_new(page, "fields", field_rows(rq, &t));
	json_object_set_new(page, "add_field",
	    page_form(rq, &add, s, "field", 0));
	json_object_set_new(page, "type_hidden", json_boolean(t.hidden));
	json_object_set_new(page, "view_href",
	    json_string(core_create_path(rq->arena, t.portal_id, t.id)));
	return admin_page_render(rq, s != NULL ? s->status : 200, "admin/type",
	    page, crumbs, 2);
}

/* GET /servicedesk/admin/types/{id} */
int
web_admin_type(struct req *rq)
{
	return show(rq, "id", type_page);
}

/* POST /servicedesk/admin/types/{id}: the type's form */
int
web_admin_type_save(struct req *rq)
{
	struct field_error errs[ADMIN_MAX_ERRORS];
	int64_t id = web_param_id(rq, "id");
	struct sent s = { .form = "type", .id = id, .errs = errs };
	struct admin_type_form f;
	int rc;

	if (!admin_page_allowed(rq) || id == 0)
		return ZEK_NOTFOUND;
	if (read_type_form(rq, &f) != ZEK_OK)
		return ZEK_INVALID;
	rc = core_admin_type_save(&rq->ctx, rq->user, id, &f, errs, &s.nerrs);
	return sent_back(rq, rc, &s, type_page, id, TYPE_URL, id, "saved");
}

/* POST /servicedesk/admin/types/{id}/move: action=up|down */
int
web_admin_type_move(struct req *rq)
{
	int64_t id = web_param_id(rq, "id");
	struct admin_type t;
	int rc = ZEK_NOTFOUND;

	if (admin_page_allowed(rq) && id != 0)
		rc = core_admin_type(&rq->ctx, rq->user, id, &t);
	return rc != ZEK_OK ?
	    rc :
	    move_row(rq, id, core_admin_type_move, TYPES_URL, t.portal_id);
}

/* POST /servicedesk/admin/types/{id}/fields: the add form of a field */
int
web_admin_field_add(struct req *rq)
{
	struct field_error errs[ADMIN_MAX_ERRORS];
	struct sent s = { .form = "field", .errs = errs };
	int required = admin_page_checkbox(rq, "required");
	int multiple = admin_page_checkbox(rq, "multiple");
	int64_t type_id = web_param_id(rq, "id"), id = 0;
	struct admin_field_form f = {
		.version = req_form(rq, "version"),
		.kind = req_form(rq, "kind"),
		.object_kind = req_form(rq, "object_kind"),
		.multiple = multiple == 1,
		.options = req_form(rq, "options"),
		.label_de = req_form(rq, "label_de"),
		.label_en = req_form(rq, "label_en"),
		.help_de = "",
		.help_en = "",
		.placeholder_de = "",
		.placeholder_en = "",
		.checkbox_label_de = "",
		.checkbox_label_en = "",
		.required = required == 1,
	};
	int rc;

	if (!admin_page_allowed(rq) || type_id == 0)
		return ZEK_NOTFOUND;
	if (required < 0 || multiple < 0 || !admin_page_version_ok(rq) ||
	    (f.object_kind != NULL && !str_eq(f.object_kind, "mandant") &&
	        !str_eq(f.object_kind, "online_dienst")))
		return ZEK_INVALID;
	/* Core reads the options of a select only; unreadable text is
	 * refused whatever the kind, as in every other field. */
	if (f.options != NULL && !utf8_valid(f.options, strlen(f.options))) {
		errs[0] = (struct field_error){ .field = "options",
			.key = "err_invalid_utf8" };
		s.nerrs = 1;
		rc = ZEK_INVALID;
	} else
		rc = core_admin_field_add(&rq->ctx, rq->user, type_id, &f, errs,
		    &s.nerrs, &id);
	return sent_back(rq, rc, &s, type_page, type_id, FIELD_URL, id,
	    "field_added");
}

/* ---- one field ---- */

static bool
has_placeholder(const char *kind)
{
	return str_eq(kind, "text") || str_eq(kind, "textarea") ||
	    str_eq(kind, "richtext") || str_eq(kind, "url");
}

/* The field's form: which fieldsets its kind has. */
static size_t
field_form(const struct admin_field *f, struct control_group *groups)
{
	size_t n = 0;

	groups[n++] = (struct control_group){ "admin_field_labels",
		field_labels, ZEK_ARRAY_LEN(field_labels) };
	groups[n++] = (struct control_group){ "admin_field_helps", field_helps,
		ZEK_ARRAY_LEN(field_helps) };
	if (has_placeholder(f->kind))
		groups[n++] = (struct control_group){
			"admin_field_placeholders", field_placeholders,
			ZEK_ARRAY_LEN(field_placeholders)
		};
	if (str_eq(f->kind, "checkbox"))
		groups[n++] = (struct control_group){
			"admin_field_checkbox_labels", field_checkbox_labels,
			ZEK_ARRAY_LEN(field_checkbox_labels)
		};
	groups[n++] = f->fixed ? (struct control_group){ "admin_field_use",
		fixed_field_use, ZEK_ARRAY_LEN(fixed_field_use) } :
	                         (struct control_group){ "admin_field_use",
		                         field_use, ZEK_ARRAY_LEN(field_use) };
	return n;
}

/* The hidden fields of an option's forms: its field, and what to do
 * (NULL: the form says it with its button). */
static json_t *
option_hidden(struct req *rq, int64_t field_id, const char *action)
{
	json_t *arr = ctx_pack("[{s:s, s:s}]", "name", "field", "value",
	    id_text(rq, field_id));

	if (arr != NULL && action != NULL)
		json_array_append_new(arr,
		    ctx_pack("{s:s, s:s}", "name", "action", "value", action));
	return arr;
}

static json_t *
option_rows(struct req *rq, const struct admin_field *fld, int64_t version,
    const struct sent *s)
{
	json_t *arr = json_array(), *row, *form;
	struct admin_form f = {
		.groups = option_form,
		.ngroups = ZEK_ARRAY_LEN(option_form),
		.value = option_value,
		.version = version,
		.submit = "admin_rename",
		.compact = true,
	};
	const char *name;
	size_t i;

	for (i = 0; arr != NULL && i < fld->noptions; i++) {
		const struct admin_option *o = &fld->options[i];

		name = admin_page_lang(rq, o->label_de, o->label_en);
		f.prefix = arena_printf(rq->arena, "o%" PRId64 "-", o->id);
		f.stored = o;
		f.row = name;
		f.action = arena_printf(rq->arena, OPTION_URL, o->id);
		form = page_form(rq, &f, s, "option", o->id);
		json_object_set_new(form, "hidden",
		    option_hidden(rq, fld->id, "rename"));
		row = ctx_pack("{s:s, s:s, s:s, s:s, s:b, s:o, s:o, s:o}",
		    "label_de", o->label_de, "label_en", o->label_en, "value",
		    o->value, "name", name, "retired", o->retired, "form", form,
		    "move",
		    move_json(rq, f.action, name, i, fld->noptions,
		        option_hidden(rq, fld->id, NULL)),
		    "use",
		    ctx_pack("{s:s, s:s, s:s, s:o}", "action", f.action, "name",
		        name, "csrf", rq->csrf, "hidden",
		        option_hidden(rq, fld->id,
		            o->retired ? "restore" : "retire")));
		json_array_append_new(arr, row);
	}
	return arr;
}

/* The options' part of a select's page: the list, the add form, and
 * why retiring was refused (err, may be NULL). */
static void
options_json(struct req *rq, json_t *page, const struct admin_field *fld,
    int64_t version, const struct sent *s)
{
	struct admin_form add = {
		.prefix = "o-",
		.groups = option_form,
		.ngroups = ZEK_ARRAY_LEN(option_form),
		.value = admin_blank_value,
		.stored = "",
		.version = version,
		.submit = "admin_option_add",
		.action = arena_printf(rq->arena, FIELD_URL "/options",
		    fld->id),
	};
	const struct field_error *e;

	json_object_set_new(page, "has_options", json_true());
	json_object_set_new(page, "options", option_rows(rq, fld, version, s));
	json_object_set_new(page, "add_option",
	    page_form(rq, &add, s, "option", 0));
	e = is_sent(s, "retire", 0) ?
	    web_error_for(s->errs, s->nerrs, "options") :
	    NULL;
	if (e != NULL)
		json_object_set_new(page, "options_error",
		    json_string(http_error_text(rq, e)));
}

static json_t *
field_facts(struct req *rq, const struct admin_field *f)
{
	json_t *arr = ctx_pack("[{s:s, s:s}, {s:s, s:s}]", "term",
	    web_t(rq, "admin_field_key"), "text", f->key, "term",
	    web_t(rq, "admin_field_kind"), "text", kind_text(rq, f->kind));

	if (arr != NULL && str_eq(f->kind, "object"))
		json_array_append_new(arr,
		    ctx_pack("{s:s, s:s}", "term",
		        web_t(rq, "admin_field_object_kind"), "text",
		        web_t(rq,
		            str_eq(f->object_kind, "online_dienst") ?
		                (f->multiple ? "admin_field_objects_dienst" :
		                               "admin_field_object_dienst") :
		                f->multiple ? "admin_field_objects_mandant" :
		                              "admin_field_object_mandant")));
	return arr;
}

static int
field_page(struct req *rq, int64_t field_id, const struct sent *s)
{
	struct admin_type t;
	const struct admin_field *fld;
	struct admin_desk desk;
	struct control_group groups[5];
	struct admin_form edit = {
		.prefix = "a-",
		.groups = groups,
		.value = field_value,
		.submit = "admin_save",
	};
	struct admin_crumb crumbs[3];
	json_t *page;
	int rc;

	rc = core_admin_field(&rq->ctx, rq->user, field_id, &t, &fld);
	if (rc == ZEK_OK)
		rc = core_admin_desk(&rq->ctx, rq->user, t.portal_id, &desk);
	if (rc != ZEK_OK)
		return rc;
	if ((page = web_page_ctx(rq, "page_admin")) == NULL)
		return ZEK_NOMEM;
	edit.ngroups = field_form(fld, groups);
	edit.stored = fld;
	edit.version = t.version;
	edit.action = edit.cancel_href = arena_printf(rq->arena, FIELD_URL,
	    field_id);
	type_crumbs(rq, &t, desk.name, crumbs);
	json_object_set_new(page, "title",
	    json_string(admin_page_lang(rq, fld->label_de, fld->label_en)));
	json_object_set_new(page, "facts", field_facts(rq, fld));
	json_object_set_new(page, "field_hidden", json_boolean(fld->hidden));
	json_object_set_new(page, "form",
	    page_form(rq, &edit, s, "field", field_id));
	if (str_eq(fld->kind, "select"))
		options_json(rq, page, fld, t.version, s);
	return admin_page_render(rq, s != NULL ? s->status : 200, "admin/field",
	    page, crumbs, ZEK_ARRAY_LEN(crumbs));
}

/* GET /servicedesk/admin/fields/{id} */
int
web_admin_field(struct req *rq)
{
	return show(rq, "id", field_page);
}

/* A text of the field's form, or the stored one where the form of this
 * kind has no such control (so that saving keeps it). */
static const char *
sent_or(struct req *rq, const char *name, bool shown, const char *stored)
{
	return shown ? req_form(rq, name) : stored;
}

/* POST /servicedesk/admin/fields/{id}: the field's form */
int
web_admin_field_save(struct req *rq)
{
	struct field_error errs[ADMIN_MAX_ERRORS];
	int64_t id = web_param_id(rq, "id");
	struct sent s = { .form = "field", .id = id, .errs = errs };
	int required = admin_page_checkbox(rq, "required");
	int hidden = admin_page_checkbox(rq, "hidden");
	const struct admin_field *fld;
	struct admin_field_form f;
	struct admin_type t;
	bool ph, cb;
	int rc;

	if (!admin_page_allowed(rq) || id == 0)
		return ZEK_NOTFOUND;
	if (required < 0 || hidden < 0 || !admin_page_version_ok(rq))
		return ZEK_INVALID;
	rc = core_admin_field(&rq->ctx, rq->user, id, &t, &fld);
	if (rc != ZEK_OK)
		return rc;
	ph = has_placeholder(fld->kind);
	cb = str_eq(fld->kind, "checkbox");
	f = (struct admin_field_form){
		.version = req_form(rq, "version"),
		.label_de = req_form(rq, "label_de"),
		.label_en = req_form(rq, "label_en"),
		.help_de = req_form(rq, "help_de"),
		.help_en = req_form(rq, "help_en"),
		.placeholder_de = sent_or(rq, "placeholder_de", ph,
		    fld->placeholder_de),
		.placeholder_en = sent_or(rq, "placeholder_en", ph,
		    fld->placeholder_en),
		.checkbox_label_de = sent_or(rq, "checkbox_label_de", cb,
		    fld->checkbox_label_de),
		.checkbox_label_en = sent_or(rq, "checkbox_label_en", cb,
		    fld->checkbox_label_en),
		.required = required == 1,
		.hidden = hidden == 1,
	};
	rc = core_admin_field_save(&rq->ctx, rq->user, id, &f, errs, &s.nerrs);
	return sent_back(rq, rc, &s, field_page, id, FIELD_URL, id, "saved");
}

/* POST /servicedesk/admin/fields/{id}/move: action=up|down */
int
web_admin_field_move(struct req *rq)
{
	int64_t id = web_param_id(rq, "id");
	const struct admin_field *fld;
	struct admin_type t;
	int rc = ZEK_NOTFOUND;

	if (admin_page_allowed(rq) && id != 0)
		rc = core_admin_field(&rq->ctx, rq->user, id, &t, &fld);
	return rc != ZEK_OK ?
	    rc :
	    move_row(rq, id, core_admin_field_move, TYPE_URL, t.id);
}

/* POST /servicedesk/admin/fields/{id}/options: version, label_de, label_en */
int
web_admin_option_add(struct req *rq)
{
	struct field_error errs[ADMIN_MAX_ERRORS];
	struct sent s = { .form = "option", .errs = errs };
	int64_t id = web_param_id(rq, "id");
	struct admin_option_form f = {
		.version = req_form(rq, "version"),
		.label_de = req_form(rq, "label_de"),
		.label_en = req_form(rq, "label_en"),
	};
	int rc;

	if (!admin_page_allowed(rq) || id == 0)
		return ZEK_NOTFOUND;
	if (!admin_page_version_ok(rq))
		return ZEK_INVALID;
	rc = core_admin_option_add(&rq->ctx, rq->user, id, &f, errs, &s.nerrs);
	return sent_back(rq, rc, &s, field_page, id, FIELD_URL, id,
	    "option_added");
}

/* Whether option `id` is one of select field_id's. */
static int
option_of(struct req *rq, int64_t field_id, int64_t id)
{
	const struct admin_field *fld;
	struct admin_type t;
	size_t i;
	int rc;

	rc = core_admin_field(&rq->ctx, rq->user, field_id, &t, &fld);
	if (rc != ZEK_OK)
		return rc;
	for (i = 0; i < fld->noptions; i++)
		if (fld->options[i].id == id)
			return ZEK_OK;
	return ZEK_NOTFOUND;
}

static const char *const option_actions[] = { "rename", "up", "down", "retire",
	"restore" };

/* POST /servicedesk/admin/options/{id}: field (the option's select) and
 * action=rename (version, label_de, label_en), up, down, retire, restore */
int
web_admin_option_change(struct req *rq)
{
	struct field_error errs[ADMIN_MAX_ERRORS];
	int64_t id = web_param_id(rq, "id");
	int64_t field_id = admin_page_sent_id(rq, "field");
	const char *action = req_form(rq, "action");
	struct sent s = { .form = "option", .id = id, .errs = errs };
	struct admin_option_form f = {
		.version = req_form(rq, "version"),
		.label_de = req_form(rq, "label_de"),
		.label_en = req_form(rq, "label_en"),
	};
	size_t i;
	int rc;

	if (!admin_page_allowed(rq) || id == 0)
		return ZEK_NOTFOUND;
	for (i = 0; i < ZEK_ARRAY_LEN(option_actions); i++)
		if (str_eq(action, option_actions[i]))
			break;
	if (field_id == 0 || i == ZEK_ARRAY_LEN(option_actions))
		return ZEK_INVALID;
	if ((rc = option_of(rq, field_id, id)) != ZEK_OK)
		return rc;
	if (str_eq(action, "rename")) {
		if (!admin_page_version_ok(rq))
			return ZEK_INVALID;
		rc = core_admin_option_save(&rq->ctx, rq->user, id, &f, errs,
		    &s.nerrs);
		return sent_back(rq, rc, &s, field_page, field_id, FIELD_URL,
		    field_id, "option_renamed");
	}
	if (sent_move(rq) >= 0)
		return move_row(rq, id, core_admin_option_move, FIELD_URL,
		    field_id);
	errs[0] = (struct field_error){ 0 };
	rc = core_admin_option_retire(&rq->ctx, rq->user, id,
	    str_eq(action, "retire"), &errs[0]);
	s = (struct sent){ .form = "retire",
		.errs = errs,
		.nerrs = errs[0].key != NULL ? 1 : 0 };
	return sent_back(rq, rc, &s, field_page, field_id, FIELD_URL, field_id,
	    str_eq(action, "retire") ? "option_retired" : "option_restored");
}
