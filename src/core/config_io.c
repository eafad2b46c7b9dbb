/* config_io.c: the configuration as one JSON document: export, and import
 * as a plan that is applied in one transaction (config_io.h). */
#include "core/config_io.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/admin.h"
#include "core/admin_form.h"
#include "core/admin_types.h"
#include "core/business_calendar.h"
#include "core/sla.h"
#include "core/fields.h"
#include "core/internal.h"
#include "core/objects.h"
#include "core/users.h"
#include "core/validate.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "store/store.h"

#define KEY_MAX 64        /* bytes of a field key */
#define VALUE_MAX 200     /* bytes of an option value */
#define ICON_MAX 40       /* bytes of an icon name */
#define OBJECTS_PAGE 1000 /* objects read at once */

/* ---- the configuration in memory: what the database holds or a document
 * says, in the same shape ---- */

struct m_field {
	struct store_field f;
	struct store_option *opts;
	size_t nopts;
	const char *path; /* in the document ("" from the database) */
};

struct m_type {
	struct store_reqtype t;
	struct m_field *fields;
	size_t nfields;
	const char *path;
};

struct m_group {
	struct store_group g;
	const char *path;
};

/* A desk's types in their order: groups in order, then each group's. */
struct m_desk {
	struct store_desk d;
	struct m_group *groups;
	size_t ngroups;
	struct m_type *types;
	size_t ntypes;
	const char *path;
};

/* The business calendar, its closed days by day. */
struct m_calendar {
	struct store_calendar c;
	struct store_closed_day *closed;
	size_t nclosed;
};

struct model {
	bool has_help, has_calendar, has_desks,
	    has_objects; /* sections present */
	struct store_help_center hc;
	struct m_calendar cal;
	struct m_desk *desks;
	size_t ndesks;
	struct store_object *objects;
	size_t nobjects;
};

static const char *const op_names[CONFIG_OP_MAX] = {
	"add",
	"change",
	"hide",
	"show",
	"retire",
	"restore",
	"order",
	"remove",
};

static const char *const thing_names[CONFIG_THING_MAX] = {
	"help_center",
	"calendar",
	"closed_day",
	"desk",
	"group",
	"type",
	"field",
	"option",
	"object",
};

const char *
config_op_name(enum config_op op)
{
	return op < CONFIG_OP_MAX ? op_names[op] : "";
}

const char *
config_thing_name(enum config_thing thing)
{
	return thing < CONFIG_THING_MAX ? thing_names[thing] : "";
}

/* ---- reading a document ---- */

struct parse {
	struct zctx *ctx;
	struct config_problems *probs;
	const json_t *named; /* the old spelling's "options", or NULL */
	bool nomem;
};

static void
problem(struct parse *p, const char *path, const char *key, const char *detail)
{
	struct config_problems *pr = p->probs;

	if (path == NULL || detail == NULL)
		p->nomem = true;
	if (pr->n == CONFIG_IO_PROBLEMS_MAX) {
		pr->more = true;
		return;
	}
	pr->rows[pr->n++] = (struct config_problem){ path != NULL ? path : "",
		key, detail != NULL ? detail : "" };
}

static bool
failed(const struct parse *p)
{
	return p->probs->n > 0 || p->nomem;
}

/* "path.key" ("key" at the top). */
static const char *
at(struct parse *p, const char *path, const char *key)
{
	return arena_printf(p->ctx->arena, "%s%s%s", path, *path ? "." : "",
	    key);
}

/* "path.key[i]". */
static const char *
at_index(struct parse *p, const char *path, const char *key, size_t i)
{
	return arena_printf(p->ctx->arena, "%s%s%s[%zu]", path,
	    *path ? "." : "", key, i);
}

static const char *
number_text(struct parse *p, int64_t n)
{
	return arena_printf(p->ctx->arena, "%" PRId64, n);
}

/* Refuses members the format does not know; "_..." are comments. */
static void
check_keys(struct parse *p, const json_t *o, const char *path,
    const char *const *known)
{
	const char *k;
	json_t *v;
	size_t i;

	json_object_foreach((json_t *)o, k, v) {
		if (k[0] == '_')
			continue;
		for (i = 0; known[i] != NULL && !str_eq(known[i], k); i++)
			;
		if (known[i] == NULL)
			problem(p, path, "err_config_unknown_key",
			    arena_strdup(p->ctx->arena, k));
	}
}

/* Member `key` as a string whose content another check judges: "" when
 * absent (unless required); NULL after a problem. */
static const char *
get_string(struct parse *p, const json_t *o, const char *path, const char *key,
    bool required)
{
	const json_t *v = json_object_get(o, key);

	if (v == NULL && required)
		problem(p, at(p, path, key), "err_config_required", "");
	else if (v == NULL)
		return "";
	else if (!json_is_string(v))
		problem(p, at(p, path, key), "err_config_not_text", "");
	else if (strlen(json_string_value(v)) != json_string_length(v))
		problem(p, at(p, path, key), "err_config_invalid_chars", "");
	else
		return json_string_value(v);
	return NULL;
}

/* Member `key` as text: "" when absent (unless required); NULL after a
 * problem. */
static const char *
get_text(struct parse *p, const json_t *o, const char *path, const char *key,
    size_t max, bool multiline, bool required)
{
	const json_t *v = json_object_get(o, key);
	const char *s;
	size_t n;

	if (v == NULL && !required)
		return "";
	if (v != NULL && !json_is_string(v)) {
		problem(p, at(p, path, key), "err_config_not_text", "");
		return NULL;
	}
	s = v != NULL ? json_string_value(v) : "";
	n = v != NULL ? json_string_length(v) : 0;
	if (n == 0 && required)
		problem(p, at(p, path, key), "err_config_required", "");
	else if (!utf8_clean_text(s, n, multiline))
		problem(p, at(p, path, key), "err_config_invalid_chars", "");
	else if (utf8_length(s, n) > max)
		problem(p, at(p, path, key), "err_config_too_long",
		    number_text(p, (int64_t)max));
	else
		return s;
	return NULL;
}

static bool
get_flag(struct parse *p, const json_t *o, const char *path, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (v != NULL && !json_is_boolean(v))
		problem(p, at(p, path, key), "err_config_not_flag", "");
	return json_is_true(v);
}

/* An optional whole number of minutes (a service-level goal), 0 to
 * SLA_MINUTES_MAX; 0 when absent or after a problem. */
static int64_t
get_minutes(struct parse *p, const json_t *o, const char *path, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (v == NULL)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    json_integer_value(v) > SLA_MINUTES_MAX) {
		problem(p, at(p, path, key), "err_config_not_minutes",
		    number_text(p, SLA_MINUTES_MAX));
		return 0;
	}
	return (int64_t)json_integer_value(v);
}

/* A required positive whole number (an id); 0 after a problem. */
static int64_t
get_id(struct parse *p, const json_t *o, const char *path, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) <= 0 ||
	    json_integer_value(v) > INT32_MAX) {
		problem(p, at(p, path, key), "err_config_not_id", "");
		return 0;
	}
	return (int64_t)json_integer_value(v);
}

/* A time in UTC milliseconds, 0 (open) when absent. */
static int64_t
get_time(struct parse *p, const json_t *o, const char *path, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (v == NULL)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		problem(p, at(p, path, key), "err_config_not_time", "");
		return 0;
	}
	return (int64_t)json_integer_value(v);
}

/* Member `key` as a list of at most max objects; NULL when absent or
 * after a problem. */
static const json_t *
get_list(struct parse *p, const json_t *o, const char *path, const char *key,
    size_t max)
{
	const json_t *v = json_object_get(o, key), *e;
	size_t i;

	if (v == NULL)
		return NULL;
	if (!json_is_array(v)) {
		problem(p, at(p, path, key), "err_config_not_list", "");
		return NULL;
	}
	if (json_array_size(v) > max) {
		problem(p, at(p, path, key), "err_config_too_many",
		    number_text(p, (int64_t)max));
		return NULL;
	}
	json_array_foreach(v, i, e)
		if (!json_is_object(e)) {
			problem(p, at_index(p, path, key, i),
			    "err_config_not_object", "");
			return NULL;
		}
	return v;
}

static void *
alloc_n(struct parse *p, size_t n, size_t size)
{
	void *r = arena_calloc(p->ctx->arena, n > 0 ? n : 1, size);

	if (r == NULL)
		p->nomem = true;
	return r;
}

/* Letters, digits, '_' and '-', 1..max bytes: field keys, project keys. */
static bool
is_key(const char *s, size_t max)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > max)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		        (s[i] >= 'A' && s[i] <= 'Z') ||
		        (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
		        s[i] == '-'))
			return false;
	return true;
}

/* Whether `name` (folded: any case) is among the first n of names. */
static bool
seen_fold(struct parse *p, const char **folds, size_t n, const char *name,
    const char **fold_out)
{
	const char *f = utf8_fold_in(p->ctx->arena, name);
	size_t i;

	*fold_out = f;
	if (f == NULL) {
		p->nomem = true;
		return false;
	}
	for (i = 0; i < n; i++)
		if (str_eq(folds[i], f))
			return true;
	return false;
}

static void
parse_option(struct parse *p, const json_t *jo, const char *path,
    struct store_option *o)
{
	static const char *const known[] = { "value", "label_de", "label_en",
		"retired", NULL };

	check_keys(p, jo, path, known);
	o->value = get_text(p, jo, path, "value", VALUE_MAX, false, true);
	o->label_de = get_text(p, jo, path, "label_de", ADMIN_TITLE_MAX, false,
	    true);
	o->label_en = get_text(p, jo, path, "label_en", ADMIN_TITLE_MAX, false,
	    false);
	o->retired = get_flag(p, jo, path, "retired");
}

/* A select's options: a list, or (the old spelling) the name of one of
 * the top-level "options" lists. */
static void
parse_options(struct parse *p, const json_t *jf, const char *path,
    struct m_field *mf, bool is_select)
{
	const json_t *v = json_object_get(jf, "options"), *jo;
	const char **values, **folds, *where = at(p, path, "options"), *fold;
	size_t i;

	if (v != NULL && !is_select) {
		problem(p, where, "err_config_not_select", "");
		return;
	}
	if (json_is_string(v)) {
		where = at(p, "options", json_string_value(v));
		v = json_object_get(p->named, json_string_value(v));
		if (v == NULL) {
			problem(p, at(p, path, "options"),
			    "err_config_unknown_option_list",
			    arena_strdup(p->ctx->arena,
			        json_string_value(
			            json_object_get(jf, "options"))));
			return;
		}
		v = get_list(p, p->named, "options",
		    json_string_value(json_object_get(jf, "options")),
		    ADMIN_OPTIONS_MAX);
	} else {
		v = get_list(p, jf, path, "options", ADMIN_OPTIONS_MAX);
	}
	if (v == NULL || where == NULL) {
		if (is_select && !failed(p))
			problem(p, where, "err_config_no_options", "");
		return;
	}
	if (is_select && json_array_size(v) == 0) {
		problem(p, where, "err_config_no_options", "");
		return;
	}
	mf->nopts = json_array_size(v);
	mf->opts = alloc_n(p, mf->nopts, sizeof(*mf->opts));
	values = alloc_n(p, mf->nopts, sizeof(*values));
	folds = alloc_n(p, mf->nopts, sizeof(*folds));
	if (mf->opts == NULL || values == NULL || folds == NULL)
		return;
	json_array_foreach(v, i, jo) {
		const char *op = arena_printf(p->ctx->arena, "%s[%zu]", where,
		    i);
		struct store_option *o = &mf->opts[i];
		size_t j;

		if (op == NULL) {
			p->nomem = true;
			return;
		}
		parse_option(p, jo, op, o);
		o->position = (int64_t)i + 1;
		/* what a later one is compared with */
		values[i] = folds[i] = "";
		if (o->value == NULL || o->label_de == NULL)
			continue;
		for (j = 0; j < i && !str_eq(values[j], o->value); j++)
			;
		values[i] = o->value;
		if (j < i)
			problem(p, at(p, op, "value"), "err_config_duplicate",
			    o->value);
		else if (seen_fold(p, folds, i, o->label_de, &fold))
			problem(p, at(p, op, "label_de"),
			    "err_config_duplicate", o->label_de);
		else
			folds[i] = fold;
	}
}

static const char *const field_keys[] = { "key", "kind", "label_de", "label_en",
	"help_de", "help_en", "placeholder_de", "placeholder_en", "required",
	"hidden", "object_kind", "multiple", "checkbox_label_de",
	"checkbox_label_en", "options", NULL };

static void
parse_field(struct parse *p, const json_t *jf, const char *path,
    struct m_field *mf)
{
	struct store_field *f = &mf->f;
	enum field_kind kind = FIELD_KIND_MAX;

	mf->path = path;
	check_keys(p, jf, path, field_keys);
	f->key = get_text(p, jf, path, "key", KEY_MAX, false, true);
	if (f->key != NULL && !is_key(f->key, KEY_MAX))
		problem(p, at(p, path, "key"), "err_config_bad_key", f->key);
	f->kind = get_text(p, jf, path, "kind", KEY_MAX, false, true);
	if (f->kind != NULL && !field_kind_from_name(f->kind, &kind))
		problem(p, at(p, path, "kind"), "err_config_unknown_kind",
		    f->kind);
	f->label_de = get_text(p, jf, path, "label_de", ADMIN_TITLE_MAX, false,
	    true);
	f->label_en = get_text(p, jf, path, "label_en", ADMIN_TITLE_MAX, false,
	    false);
	f->help_de = get_text(p, jf, path, "help_de", ADMIN_TEXT_MAX, true,
	    false);
	f->help_en = get_text(p, jf, path, "help_en", ADMIN_TEXT_MAX, true,
	    false);
	f->placeholder_de = get_text(p, jf, path, "placeholder_de",
	    ADMIN_TITLE_MAX, false, false);
	f->placeholder_en = get_text(p, jf, path, "placeholder_en",
	    ADMIN_TITLE_MAX, false, false);
	f->checkbox_label_de = get_text(p, jf, path, "checkbox_label_de",
	    ADMIN_TITLE_MAX, false, false);
	f->checkbox_label_en = get_text(p, jf, path, "checkbox_label_en",
	    ADMIN_TITLE_MAX, false, false);
	f->object_kind = get_text(p, jf, path, "object_kind", KEY_MAX, false,
	    false);
	if (f->object_kind != NULL &&
	    (kind == FIELD_OBJECT ? !core_object_kind_valid(f->object_kind) :
	                            !str_empty(f->object_kind)))
		problem(p, at(p, path, "object_kind"),
		    "err_config_unknown_object_kind", f->object_kind);
	f->required = get_flag(p, jf, path, "required");
	f->hidden = get_flag(p, jf, path, "hidden");
	f->multiple = get_flag(p, jf, path, "multiple");
	if (kind != FIELD_KIND_MAX)
		parse_options(p, jf, path, mf, kind == FIELD_SELECT);
}

/* Title and description exist in every type: the title required, both
 * shown (core/admin_types.h). */
static void
check_fixed(struct parse *p, const struct m_type *mt, const char *path)
{
	static const struct {
		const char *key, *kind;
	} fixed[] = {
		{ "summary", "text" },
		{ "description", "richtext" },
	};
	size_t i, j;

	for (i = 0; i < ZEK_ARRAY_LEN(fixed); i++) {
		for (j = 0; j < mt->nfields &&
		     !str_eq(mt->fields[j].f.key, fixed[i].key);
		     j++)
			;
		if (j == mt->nfields ||
		    !str_eq(mt->fields[j].f.kind, fixed[i].kind) ||
		    mt->fields[j].f.hidden ||
		    (i == 0 && !mt->fields[j].f.required))
			problem(p, at(p, path, "fields"),
			    "err_config_fixed_field", fixed[i].key);
	}
}

static void
parse_fields(struct parse *p, const json_t *jt, const char *path,
    struct m_type *mt)
{
	const json_t *list = get_list(p, jt, path, "fields", ADMIN_FIELDS_MAX),
	             *jf;
	const char **folds, *fold;
	size_t i, j;

	if (list == NULL) {
		if (!failed(p))
			problem(p, at(p, path, "fields"), "err_config_required",
			    "");
		return;
	}
	mt->nfields = json_array_size(list);
	mt->fields = alloc_n(p, mt->nfields, sizeof(*mt->fields));
	folds = alloc_n(p, mt->nfields, sizeof(*folds));
	if (mt->fields == NULL || folds == NULL)
		return;
	json_array_foreach(list, i, jf) {
		struct m_field *mf = &mt->fields[i];
		const char *fp = at_index(p, path, "fields", i);

		if (fp == NULL) {
			p->nomem = true;
			return;
		}
		parse_field(p, jf, fp, mf);
		mf->f.position = (int64_t)i + 1;
		folds[i] = "";
		if (mf->f.key == NULL || mf->f.label_de == NULL)
			continue;
		for (j = 0; j < i && !str_eq(mt->fields[j].f.key, mf->f.key);
		     j++)
			;
		if (j < i)
			problem(p, at(p, fp, "key"), "err_config_duplicate",
			    mf->f.key);
		else if (seen_fold(p, folds, i, mf->f.label_de, &fold))
			problem(p, at(p, fp, "label_de"),
			    "err_config_duplicate", mf->f.label_de);
		else
			folds[i] = fold;
	}
	if (!failed(p))
		check_fixed(p, mt, path);
}

/* "" (none) or one of the icons a type may show. */
static bool
icon_known(const char *icon)
{
	size_t i;

	for (i = 0; i < admin_type_nicons && !str_eq(admin_type_icons[i], icon);
	     i++)
		;
	return *icon == '\0' || i < admin_type_nicons;
}

static void
parse_type(struct parse *p, const json_t *jt, const char *path,
    struct m_type *mt)
{
	static const char *const known[] = { "id", "name_de", "name_en",
		"description_de", "description_en", "icon", "hidden", "fields",
		"position", "sla_response_minutes", "sla_resolution_minutes",
		NULL };
	struct store_reqtype *t = &mt->t;

	mt->path = path;
	check_keys(p, jt, path, known);
	t->id = get_id(p, jt, path, "id");
	t->name_de = get_text(p, jt, path, "name_de", ADMIN_TITLE_MAX, false,
	    true);
	t->name_en = get_text(p, jt, path, "name_en", ADMIN_TITLE_MAX, false,
	    false);
	t->description_de = get_text(p, jt, path, "description_de",
	    ADMIN_TEXT_MAX, true, false);
	t->description_en = get_text(p, jt, path, "description_en",
	    ADMIN_TEXT_MAX, true, false);
	t->icon = get_text(p, jt, path, "icon", ICON_MAX, false, false);
	if (t->icon != NULL && !icon_known(t->icon))
		problem(p, at(p, path, "icon"), "err_config_unknown_icon",
		    t->icon);
	t->hidden = get_flag(p, jt, path, "hidden");
	t->sla_response_minutes = get_minutes(p, jt, path,
	    "sla_response_minutes");
	t->sla_resolution_minutes = get_minutes(p, jt, path,
	    "sla_resolution_minutes");
	parse_fields(p, jt, path, mt);
}

/* Ids and names must be unique: types and groups by id in the whole
 * document, by name (any case) in their desk. */
struct uniq {
	int64_t *ids;
	const char **folds;
	size_t n;
};

static void
uniq_add(struct parse *p, struct uniq *u, const char *path, int64_t id,
    const char *name, const char *name_key)
{
	const char *fold;
	size_t i;

	if (id == 0 || name == NULL || u->ids == NULL)
		return;
	for (i = 0; i < u->n && u->ids[i] != id; i++)
		;
	if (i < u->n) {
		problem(p, at(p, path, "id"), "err_config_duplicate",
		    number_text(p, id));
		return;
	}
	if (seen_fold(p, u->folds, u->n, name, &fold))
		problem(p, at(p, path, name_key), "err_config_duplicate", name);
	u->ids[u->n] = id;
	u->folds[u->n++] = fold != NULL ? fold : "";
}

static void
parse_group(struct parse *p, const json_t *jg, const char *path,
    struct m_desk *md, struct uniq *types)
{
	static const char *const known[] = { "id", "name_de", "name_en",
		"types", NULL };
	struct m_group *mg = &md->groups[md->ngroups++];
	const json_t *list, *jt;
	size_t i;

	mg->path = path;
	check_keys(p, jg, path, known);
	mg->g.id = get_id(p, jg, path, "id");
	mg->g.name_de = get_text(p, jg, path, "name_de", ADMIN_TITLE_MAX, false,
	    true);
	mg->g.name_en = get_text(p, jg, path, "name_en", ADMIN_TITLE_MAX, false,
	    false);
	mg->g.position = (int64_t)md->ngroups;
	list = get_list(p, jg, path, "types", ADMIN_TYPES_MAX);
	json_array_foreach(list, i, jt) {
		struct m_type *mt;
		const char *tp = at_index(p, path, "types", i);

		if (md->ntypes == ADMIN_TYPES_MAX) {
			problem(p, at(p, path, "types"), "err_config_too_many",
			    number_text(p, ADMIN_TYPES_MAX));
			return;
		}
		if (tp == NULL) {
			p->nomem = true;
			return;
		}
		mt = &md->types[md->ntypes++];
		parse_type(p, jt, tp, mt);
		mt->t.group_id = mg->g.id;
		uniq_add(p, types, tp, mt->t.id, mt->t.name_de, "name_de");
	}
}

static void
parse_desk(struct parse *p, const json_t *jd, const char *path,
    struct m_desk *md, struct uniq *groups, struct uniq *types)
{
	static const char *const known[] = { "id", "portal_id", "project_key",
		"name", "description", "groups", NULL };
	const json_t *list, *jg;
	size_t i;

	md->path = path;
	check_keys(p, jd, path, known);
	md->d.id = get_id(p, jd, path, "id");
	md->d.portal_id = get_id(p, jd, path, "portal_id");
	md->d.project_key = get_text(p, jd, path, "project_key", 10, false,
	    true);
	if (md->d.project_key != NULL && !is_key(md->d.project_key, 10))
		problem(p, at(p, path, "project_key"), "err_config_bad_key",
		    md->d.project_key);
	md->d.name = get_text(p, jd, path, "name", ADMIN_TITLE_MAX, false,
	    true);
	md->d.description = get_text(p, jd, path, "description", ADMIN_TEXT_MAX,
	    true, false);
	list = get_list(p, jd, path, "groups", ADMIN_GROUPS_MAX);
	md->groups = alloc_n(p, ADMIN_GROUPS_MAX, sizeof(*md->groups));
	md->types = alloc_n(p, ADMIN_TYPES_MAX, sizeof(*md->types));
	if (md->groups == NULL || md->types == NULL)
		return;
	json_array_foreach(list, i, jg) {
		const char *gp = at_index(p, path, "groups", i);

		if (gp == NULL) {
			p->nomem = true;
			return;
		}
		parse_group(p, jg, gp, md, types);
		uniq_add(p, groups, gp, md->groups[md->ngroups - 1].g.id,
		    md->groups[md->ngroups - 1].g.name_de, "name_de");
	}
}

static void
parse_help(struct parse *p, const json_t *jh, struct store_help_center *h)
{
	static const char *const known[] = { "title_de", "title_en", "intro_de",
		"intro_en", "announcement_de", "announcement_en",
		"announcement_from", "announcement_until", NULL };
	const char *path = "help_center";

	if (!json_is_object(jh)) {
		problem(p, path, "err_config_not_object", "");
		return;
	}
	check_keys(p, jh, path, known);
	h->title_de = get_text(p, jh, path, "title_de", ADMIN_TITLE_MAX, false,
	    false);
	h->title_en = get_text(p, jh, path, "title_en", ADMIN_TITLE_MAX, false,
	    false);
	h->intro_de = get_text(p, jh, path, "intro_de", ADMIN_TEXT_MAX, true,
	    false);
	h->intro_en = get_text(p, jh, path, "intro_en", ADMIN_TEXT_MAX, true,
	    false);
	h->announcement_de = get_text(p, jh, path, "announcement_de",
	    ADMIN_TEXT_MAX, true, false);
	h->announcement_en = get_text(p, jh, path, "announcement_en",
	    ADMIN_TEXT_MAX, true, false);
	h->announcement_from = get_time(p, jh, path, "announcement_from");
	h->announcement_until = get_time(p, jh, path, "announcement_until");
	if (h->announcement_from != 0 && h->announcement_until != 0 &&
	    h->announcement_until <= h->announcement_from)
		problem(p, at(p, path, "announcement_until"),
		    "err_config_bad_times", "");
}

/* Objects in order of kind, then name folded: duplicates are neighbours. */
struct obj_key {
	const char *kind, *key;
	size_t i;
};

static int
obj_key_cmp(const void *a, const void *b)
{
	const struct obj_key *x = a, *y = b;
	int c = strcmp(x->kind, y->kind);

	if (c == 0)
		c = strcmp(x->key, y->key);
	return c != 0 ? c : (x->i > y->i) - (x->i < y->i);
}

static void
parse_objects(struct parse *p, const json_t *root, struct model *m)
{
	static const char *const known[] = { "kind", "name", "retired", NULL };
	const json_t *list = get_list(p, root, "", "objects",
	                 CONFIG_IO_OBJECTS_MAX),
	             *jo;
	struct obj_key *keys;
	size_t i, n;

	if (list == NULL)
		return;
	n = json_array_size(list);
	m->objects = alloc_n(p, n, sizeof(*m->objects));
	keys = alloc_n(p, n, sizeof(*keys));
	if (m->objects == NULL || keys == NULL)
		return;
	json_array_foreach(list, i, jo) {
		const char *path = at_index(p, "", "objects", i);
		struct store_object *o = &m->objects[i];

		if (path == NULL) {
			p->nomem = true;
			return;
		}
		check_keys(p, jo, path, known);
		o->kind = get_text(p, jo, path, "kind", KEY_MAX, false, true);
		if (o->kind != NULL && !core_object_kind_valid(o->kind))
			problem(p, at(p, path, "kind"),
			    "err_config_unknown_object_kind", o->kind);
		o->name = get_text(p, jo, path, "name", OBJECT_NAME_MAX, false,
		    true);
		o->retired_at = get_flag(p, jo, path, "retired") ? 1 : 0;
		keys[i] = (struct obj_key){ o->kind != NULL ? o->kind : "",
			o->name != NULL ? utf8_fold_in(p->ctx->arena, o->name) :
			                  "",
			i };
		if (keys[i].key == NULL)
			p->nomem = true;
	}
	m->nobjects = n;
	if (failed(p) || n == 0)
		return;
	qsort(keys, n, sizeof(*keys), obj_key_cmp);
	for (i = 1; i < n; i++)
		if (str_eq(keys[i].kind, keys[i - 1].kind) &&
		    str_eq(keys[i].key, keys[i - 1].key))
			problem(p,
			    at(p, at_index(p, "", "objects", keys[i].i),
			        "name"),
			    "err_config_duplicate", m->objects[keys[i].i].name);
}

static void
parse_desks(struct parse *p, const json_t *root, struct model *m)
{
	const json_t *list = get_list(p, root, "", "desks",
	                 CONFIG_IO_DESKS_MAX),
	             *jd;
	struct uniq groups, types;
	size_t i, j, n;

	if (list == NULL)
		return;
	n = json_array_size(list);
	m->desks = alloc_n(p, n, sizeof(*m->desks));
	groups = (struct uniq){ alloc_n(p, n * ADMIN_GROUPS_MAX,
		                    sizeof(int64_t)),
		alloc_n(p, n * ADMIN_GROUPS_MAX, sizeof(char *)), 0 };
	types = (struct uniq){ alloc_n(p, n * ADMIN_TYPES_MAX, sizeof(int64_t)),
		alloc_n(p, n * ADMIN_TYPES_MAX, sizeof(char *)), 0 };
	if (m->desks == NULL || groups.folds == NULL || types.folds == NULL)
		return;
	json_array_foreach(list, i, jd) {
		const char *path = at_index(p, "", "desks", i);
		struct m_desk *md = &m->desks[i];

		if (path == NULL) {
			p->nomem = true;
			return;
		}
		/* Names are unique within a desk: the other desks' are
		 * blanked before its own are added. */
		for (j = 0; j < groups.n; j++)
			groups.folds[j] = "";
		for (j = 0; j < types.n; j++)
			types.folds[j] = "";
		parse_desk(p, jd, path, md, &groups, &types);
		for (j = 0; j < i; j++) {
			if (md->d.id != 0 && m->desks[j].d.id == md->d.id)
				problem(p, at(p, path, "id"),
				    "err_config_duplicate",
				    number_text(p, md->d.id));
			else if (md->d.portal_id != 0 &&
			    m->desks[j].d.portal_id == md->d.portal_id)
				problem(p, at(p, path, "portal_id"),
				    "err_config_duplicate",
				    number_text(p, md->d.portal_id));
			else if (str_eq(m->desks[j].d.project_key,
			             md->d.project_key))
				problem(p, at(p, path, "project_key"),
				    "err_config_duplicate", md->d.project_key);
		}
	}
	m->ndesks = n;
}

/* ---- the business calendar: the document's members go through the
 * calendar page's own checks ---- */

/* A member of the document that one of a form's fields came from. */
struct form_member {
	const char *field;  /* the form's name: "mon" */
	const char *member; /* the document's: "weekdays" */
	const char *value;  /* what it said, for the message */
};

/* The document's words for the page's errors that speak of a form
 * ("choose from the list"); the others fit both. */
static const char *
problem_key(const char *form_key, const char *member)
{
	static const struct {
		const char *form, *member, *doc;
	} map[] = {
		{ "err_calendar_date", "yearly", "err_config_calendar_yearly" },
		{ "err_calendar_date", NULL, "err_config_calendar_date" },
		{ "err_calendar_tz", NULL, "err_config_calendar_tz" },
		{ "err_invalid_option", NULL, "err_config_calendar_state" },
		{ "err_too_long", NULL, "err_config_too_long" },
		{ "err_invalid_chars", NULL, "err_config_invalid_chars" },
		{ "err_invalid_utf8", NULL, "err_config_invalid_chars" },
		{ "err_required", NULL, "err_config_required" },
	};
	size_t i;

	for (i = 0; i < ZEK_ARRAY_LEN(map); i++)
		if (str_eq(map[i].form, form_key) &&
		    (map[i].member == NULL || str_eq(map[i].member, member)))
			return map[i].doc;
	return form_key;
}

/* A form check's errors as problems at the members below `path`. */
static void
form_problems(struct parse *p, const char *path, const struct form_check *fc,
    const struct form_member *fm, size_t nfm)
{
	const struct field_error *e;
	const char *member, *value;
	size_t i, j;

	if (fc->nomem)
		p->nomem = true;
	for (i = 0; i < *fc->n; i++) {
		e = &fc->errs[i];
		for (j = 0; j < nfm && !str_eq(fm[j].field, e->field); j++)
			;
		member = j < nfm ? fm[j].member : e->field;
		value = j < nfm ? fm[j].value : "";
		problem(p, at(p, path, member), problem_key(e->key, member),
		    e->max > 0 ? number_text(p, e->max) : value);
	}
}

/* "weekdays": ["mon", ...] as the form's boxes. */
static void
parse_weekdays(struct parse *p, const json_t *jc, const char *path,
    struct admin_calendar_form *f)
{
	const json_t *v = json_object_get(jc, "weekdays"), *e;
	const char *name;
	size_t i, d;

	if (v == NULL || !json_is_array(v)) {
		problem(p, at(p, path, "weekdays"),
		    v == NULL ? "err_config_required" : "err_config_not_list",
		    "");
		return;
	}
	json_array_foreach(v, i, e) {
		name = json_is_string(e) ? json_string_value(e) : "";
		for (d = 0; d < 7 && !str_eq(calendar_day_fields[d], name); d++)
			;
		if (d == 7)
			problem(p, at_index(p, path, "weekdays", i),
			    "err_config_calendar_day", name);
		else if (f->days[d] != NULL)
			problem(p, at_index(p, path, "weekdays", i),
			    "err_config_duplicate", name);
		else
			f->days[d] = "on";
	}
}

/* One closed day: "date" ("2026-12-24"), or "yearly" ("12-24") for that
 * day in every year, and a "name". */
static void
parse_closed_day(struct parse *p, const json_t *jd, const char *path,
    struct store_closed_day *d)
{
	static const char *const known[] = { "date", "yearly", "name", NULL };
	struct field_error errs[ADMIN_MAX_ERRORS];
	size_t nerrs = 0, before = p->probs->n;
	struct form_check fc = { p->ctx, errs, &nerrs, false };
	struct admin_closed_day_form f = { 0 };
	bool yearly = json_object_get(jd, "yearly") != NULL;
	const char *member = yearly ? "yearly" : "date", *date;

	check_keys(p, jd, path, known);
	if (yearly == (json_object_get(jd, "date") != NULL)) {
		problem(p, path, "err_config_calendar_one_date", "");
		return;
	}
	date = get_string(p, jd, path, member, true);
	f.name = get_string(p, jd, path, "name", false);
	if (p->probs->n > before || p->probs->more || date == NULL ||
	    f.name == NULL)
		return;
	/* The page's form takes a whole date and "every year": 2000, a
	 * leap year, lets "02-29" be one. */
	f.date = yearly ? arena_printf(p->ctx->arena, "2000-%s", date) : date;
	f.yearly = yearly ? "on" : NULL;
	if (f.date == NULL)
		p->nomem = true;
	else if (!core_closed_day_check(&fc, &f, d))
		form_problems(p, path, &fc,
		    (const struct form_member[]){ { "date", member, date },
		        { "name", "name", f.name } },
		    2);
}

static void
parse_closed_days(struct parse *p, const json_t *jc, const char *path,
    struct m_calendar *mc)
{
	const json_t *list = get_list(p, jc, path, "closed",
	                 CALENDAR_CLOSED_MAX),
	             *jd;
	const char *cp;
	size_t i, j;

	if (list == NULL) {
		if (json_object_get(jc, "closed") == NULL)
			problem(p, at(p, path, "closed"), "err_config_required",
			    "");
		return;
	}
	mc->nclosed = json_array_size(list);
	mc->closed = alloc_n(p, mc->nclosed, sizeof(*mc->closed));
	if (mc->closed == NULL)
		return;
	json_array_foreach(list, i, jd) {
		if ((cp = at_index(p, path, "closed", i)) == NULL) {
			p->nomem = true;
			return;
		}
		parse_closed_day(p, jd, cp, &mc->closed[i]);
		for (j = 0; j < i && mc->closed[j].day != mc->closed[i].day;
		     j++)
			;
		if (mc->closed[i].day != 0 && j < i)
			problem(p, cp, "err_config_duplicate",
			    calendar_closed_day_text(p->ctx, mc->closed[i].day,
			        ""));
	}
}

static void
parse_calendar(struct parse *p, const json_t *jc, struct m_calendar *mc)
{
	static const char *const known[] = { "weekdays", "start", "end", "tz",
		"state", "closed", NULL };
	const char *path = "calendar";
	struct field_error errs[ADMIN_MAX_ERRORS];
	size_t nerrs = 0, before = p->probs->n;
	struct form_check fc = { p->ctx, errs, &nerrs, false };
	struct admin_calendar_form f = { 0 };

	if (!json_is_object(jc)) {
		problem(p, path, "err_config_not_object", "");
		return;
	}
	check_keys(p, jc, path, known);
	parse_weekdays(p, jc, path, &f);
	f.start = get_string(p, jc, path, "start", true);
	f.end = get_string(p, jc, path, "end", true);
	f.tz = get_string(p, jc, path, "tz", true);
	f.state = get_string(p, jc, path, "state", false);
	if (p->probs->n == before && !p->probs->more &&
	    !core_calendar_check(&fc, &f, &mc->c))
		form_problems(p, path, &fc,
		    (const struct form_member[]){ { "mon", "weekdays", "" },
		        { "start", "start", f.start }, { "end", "end", f.end },
		        { "state", "state", f.state }, { "tz", "tz", f.tz } },
		    5);
	parse_closed_days(p, jc, path, mc);
}

static void
json_free(void *j)
{
	json_decref(j);
}

/* Reads and checks a whole document into m; false after problems. */
static bool
parse_doc(struct parse *p, const char *doc, size_t len, struct model *m,
    json_t **root_out)
{
	static const char *const known[] = { "zek_config_format", "help_center",
		"calendar", "desks", "objects", "options", NULL };
	const json_t *fmt;
	json_error_t jerr;
	json_t *root;

	*m = (struct model){ 0 };
	if (len > CONFIG_IO_MAX_BYTES) {
		problem(p, "", "err_config_too_big",
		    number_text(p, CONFIG_IO_MAX_BYTES >> 20));
		return false;
	}
	root = json_loadb(doc, len, JSON_REJECT_DUPLICATES, &jerr);
	if (root == NULL) {
		/* Where, not jansson's English words: the text is the
		 * catalog's, in the reader's language. */
		problem(p, "", "err_config_not_json",
		    arena_printf(p->ctx->arena, "%d:%d", jerr.line,
		        jerr.column));
		return false;
	}
	if (arena_defer(p->ctx->arena, json_free, root) != 0) {
		p->nomem = true;
		return false;
	}
	*root_out = root;
	if (!json_is_object(root)) {
		problem(p, "", "err_config_not_object", "");
		return false;
	}
	check_keys(p, root, "", known);
	fmt = json_object_get(root, "zek_config_format");
	if (fmt != NULL &&
	    (!json_is_integer(fmt) ||
	        json_integer_value(fmt) != CONFIG_IO_FORMAT))
		problem(p, "zek_config_format", "err_config_format",
		    number_text(p, CONFIG_IO_FORMAT));
	p->named = json_object_get(root, "options");
	if (p->named != NULL && !json_is_object(p->named)) {
		problem(p, "options", "err_config_not_object", "");
		p->named = NULL;
	}
	m->has_help = json_object_get(root, "help_center") != NULL;
	if (m->has_help)
		parse_help(p, json_object_get(root, "help_center"), &m->hc);
	m->has_calendar = json_object_get(root, "calendar") != NULL;
	if (m->has_calendar)
		parse_calendar(p, json_object_get(root, "calendar"), &m->cal);
	m->has_desks = json_object_get(root, "desks") != NULL;
	parse_desks(p, root, m);
	m->has_objects = json_object_get(root, "objects") != NULL;
	parse_objects(p, root, m);
	return !failed(p);
}

/* ---- reading the database into the same shape ---- */

static int
desk_id_cmp(const void *a, const void *b)
{
	const struct store_desk *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int
object_cmp(const void *a, const void *b)
{
	const struct store_object *x = a, *y = b;
	int c = strcmp(x->kind, y->kind);

	return c != 0 ? c : strcmp(x->name, y->name);
}

/* One type's fields with their options. */
static enum zek_rc
load_fields(struct zctx *ctx, struct m_type *mt)
{
	struct store_field *sf;
	struct store_option *so;
	enum zek_rc rc;
	size_t i, j, nf, no;

	rc = store_fields_by_type(ctx->db, ctx->arena, mt->t.id, &sf, &nf);
	if (rc == ZEK_OK)
		rc = store_options_by_type(ctx->db, ctx->arena, mt->t.id, &so,
		    &no);
	if (rc != ZEK_OK)
		return rc;
	mt->fields = arena_calloc(ctx->arena, nf > 0 ? nf : 1,
	    sizeof(*mt->fields));
	if (mt->fields == NULL)
		return ZEK_NOMEM;
	mt->nfields = nf;
	for (i = 0; i < nf; i++) {
		struct m_field *mf = &mt->fields[i];

		mf->f = sf[i];
		mf->path = "";
		/* Options come by field, each field's in order. */
		for (j = 0; j < no && so[j].field_id != sf[i].id; j++)
			;
		mf->opts = &so[j];
		while (j < no && so[j].field_id == sf[i].id) {
			mf->nopts++;
			j++;
		}
	}
	return ZEK_OK;
}

/* A desk's groups, and its types in the groups' order. */
static enum zek_rc
load_desk(struct zctx *ctx, struct m_desk *md)
{
	struct store_reqtype *st;
	enum zek_rc rc;
	size_t i, j, nt, ng, k = 0;
	struct store_group *sg;

	md->path = "";
	rc = store_groups_by_desk(ctx->db, ctx->arena, md->d.id, &sg, &ng);
	if (rc == ZEK_OK)
		rc = store_reqtypes_by_desk(ctx->db, ctx->arena, md->d.id, &st,
		    &nt);
	if (rc != ZEK_OK)
		return rc;
	md->groups = arena_calloc(ctx->arena, ng > 0 ? ng : 1,
	    sizeof(*md->groups));
	md->types = arena_calloc(ctx->arena, nt > 0 ? nt : 1,
	    sizeof(*md->types));
	if (md->groups == NULL || md->types == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < ng; i++) {
		md->groups[i] = (struct m_group){ sg[i], "" };
		for (j = 0; j < nt; j++)
			if (st[j].group_id == sg[i].id && k < nt)
				md->types[k++] = (struct m_type){ .t = st[j],
					.path = "" };
	}
	md->ngroups = ng;
	md->ntypes = k;
	for (i = 0; rc == ZEK_OK && i < k; i++)
		rc = load_fields(ctx, &md->types[i]);
	return rc;
}

static enum zek_rc
load_objects(struct zctx *ctx, struct model *m)
{
	static const char *const kinds[] = { "mandant", "online_dienst" };
	struct store_object *page, *all = NULL;
	size_t cap = 0, n = 0, got, i, k, off;
	enum zek_rc rc = ZEK_OK;

	for (k = 0; rc == ZEK_OK && k < ZEK_ARRAY_LEN(kinds); k++) {
		for (off = 0;; off += got) {
			rc = store_objects_search(ctx->db, ctx->arena, kinds[k],
			    NULL, true, OBJECTS_PAGE, off, &page, &got);
			if (rc != ZEK_OK)
				break;
			for (i = 0; i < got; i++) {
				all = core_grow(ctx, all, n, &cap,
				    sizeof(*all));
				if (all == NULL)
					return ZEK_NOMEM;
				all[n++] = page[i];
			}
			if (got < OBJECTS_PAGE)
				break;
		}
	}
	if (rc != ZEK_OK)
		return rc;
	if (n > 0)
		qsort(all, n, sizeof(*all), object_cmp);
	m->objects = all;
	m->nobjects = n;
	return ZEK_OK;
}

/* The calendar that counts (an admin's, or the built-in one with
 * sla_state), as the calendar page shows it. */
static enum zek_rc
load_calendar(struct zctx *ctx, struct m_calendar *mc)
{
	struct calendar cal;
	bool saved;
	enum zek_rc rc;

	rc = core_calendar_read(ctx, &cal, &saved, &mc->closed, &mc->nclosed);
	mc->c = (struct store_calendar){ .weekdays = cal.weekdays,
		.start_minute = cal.start_minute,
		.end_minute = cal.end_minute,
		.state = cal.state != NULL ? cal.state : "",
		.tz = cal.tz };
	return rc;
}

/* The whole configuration as the database holds it. */
static enum zek_rc
load_model(struct zctx *ctx, struct model *m)
{
	struct store_desk *sd;
	enum zek_rc rc;
	size_t i, n;

	*m = (struct model){ .has_help = true,
		.has_calendar = true,
		.has_desks = true,
		.has_objects = true };
	rc = store_help_center_get(ctx->db, ctx->arena, &m->hc);
	if (rc == ZEK_OK)
		rc = load_calendar(ctx, &m->cal);
	if (rc == ZEK_OK)
		rc = store_desks_list(ctx->db, ctx->arena, &sd, &n);
	if (rc != ZEK_OK)
		return rc;
	if (n > 0)
		qsort(sd, n, sizeof(*sd), desk_id_cmp);
	m->desks = arena_calloc(ctx->arena, n > 0 ? n : 1, sizeof(*m->desks));
	if (m->desks == NULL)
		return ZEK_NOMEM;
	m->ndesks = n;
	for (i = 0; rc == ZEK_OK && i < n; i++) {
		m->desks[i].d = sd[i];
		rc = load_desk(ctx, &m->desks[i]);
	}
	if (rc == ZEK_OK)
		rc = load_objects(ctx, m);
	return rc;
}

/* ---- export ---- */

static json_t *
option_json(const struct store_option *o)
{
	return json_pack("{s:s, s:s, s:s, s:b}", "value", o->value, "label_de",
	    o->label_de, "label_en", o->label_en, "retired", (int)o->retired);
}

static json_t *
field_json(const struct m_field *mf)
{
	const struct store_field *f = &mf->f;
	json_t *j, *opts;
	size_t i;

	j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b}",
	    "key", f->key, "kind", f->kind, "label_de", f->label_de, "label_en",
	    f->label_en, "help_de", f->help_de, "help_en", f->help_en,
	    "placeholder_de", f->placeholder_de, "placeholder_en",
	    f->placeholder_en, "required", (int)f->required, "hidden",
	    (int)f->hidden);
	if (j == NULL)
		return NULL;
	/* Kind-specific members only where they mean something. */
	if (str_eq(f->kind, "object") || !str_empty(f->object_kind) ||
	    f->multiple) {
		json_object_set_new(j, "object_kind",
		    json_string(f->object_kind));
		json_object_set_new(j, "multiple", json_boolean(f->multiple));
	}
	if (str_eq(f->kind, "checkbox") || !str_empty(f->checkbox_label_de) ||
	    !str_empty(f->checkbox_label_en)) {
		json_object_set_new(j, "checkbox_label_de",
		    json_string(f->checkbox_label_de));
		json_object_set_new(j, "checkbox_label_en",
		    json_string(f->checkbox_label_en));
	}
	if (str_eq(f->kind, "select") || mf->nopts > 0) {
		opts = json_array();
		for (i = 0; i < mf->nopts; i++)
			json_array_append_new(opts, option_json(&mf->opts[i]));
		json_object_set_new(j, "options", opts);
	}
	return j;
}

static json_t *
type_json(const struct m_type *mt)
{
	const struct store_reqtype *t = &mt->t;
	json_t *j, *fields = json_array();
	size_t i;

	for (i = 0; fields != NULL && i < mt->nfields; i++)
		json_array_append_new(fields, field_json(&mt->fields[i]));
	j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:I, s:I, s:o}",
	    "id", (json_int_t)t->id, "name_de", t->name_de, "name_en",
	    t->name_en, "description_de", t->description_de, "description_en",
	    t->description_en, "icon", t->icon, "hidden", (int)t->hidden,
	    "sla_response_minutes", (json_int_t)t->sla_response_minutes,
	    "sla_resolution_minutes", (json_int_t)t->sla_resolution_minutes,
	    "fields", fields);
	return j;
}

static json_t *
desk_json(const struct m_desk *md)
{
	json_t *groups = json_array(), *types;
	size_t i, j;

	for (i = 0; groups != NULL && i < md->ngroups; i++) {
		const struct store_group *g = &md->groups[i].g;

		types = json_array();
		for (j = 0; types != NULL && j < md->ntypes; j++)
			if (md->types[j].t.group_id == g->id)
				json_array_append_new(types,
				    type_json(&md->types[j]));
		json_array_append_new(groups,
		    json_pack("{s:I, s:s, s:s, s:o}", "id", (json_int_t)g->id,
		        "name_de", g->name_de, "name_en", g->name_en, "types",
		        types));
	}
	return json_pack("{s:I, s:I, s:s, s:s, s:s, s:o}", "id",
	    (json_int_t)md->d.id, "portal_id", (json_int_t)md->d.portal_id,
	    "project_key", md->d.project_key, "name", md->d.name, "description",
	    md->d.description, "groups", groups);
}

/* The working days by the form's names, Monday first. */
static json_t *
weekdays_json(int64_t bits)
{
	json_t *j = json_array();
	size_t i;

	for (i = 0; j != NULL && i < 7; i++)
		if (bits & (1 << i))
			json_array_append_new(j,
			    json_string(calendar_day_fields[i]));
	return j;
}

/* "date": "2026-12-24", or "yearly": "12-24" (stored as mmdd). */
static json_t *
closed_day_json(const struct store_closed_day *d)
{
	int y = (int)(d->day / 10000), m = (int)(d->day / 100 % 100),
	    day = (int)(d->day % 100);
	char buf[16];

	if (y == 0) {
		snprintf(buf, sizeof(buf), "%02d-%02d", m, day);
		return json_pack("{s:s, s:s}", "yearly", buf, "name", d->name);
	}
	snprintf(buf, sizeof(buf), "%04d-%02d-%02d", y, m, day);
	return json_pack("{s:s, s:s}", "date", buf, "name", d->name);
}

static json_t *
calendar_json(const struct m_calendar *mc)
{
	json_t *closed = json_array();
	char start[6], end[6];
	size_t i;

	for (i = 0; closed != NULL && i < mc->nclosed; i++)
		json_array_append_new(closed, closed_day_json(&mc->closed[i]));
	calendar_minute_text((int)mc->c.start_minute, start);
	calendar_minute_text((int)mc->c.end_minute, end);
	return json_pack("{s:o, s:s, s:s, s:s, s:s, s:o}", "weekdays",
	    weekdays_json(mc->c.weekdays), "start", start, "end", end, "tz",
	    mc->c.tz, "state", mc->c.state, "closed", closed);
}

static json_t *
model_json(const struct model *m)
{
	const struct store_help_center *h = &m->hc;
	json_t *desks = json_array(), *objects = json_array();
	size_t i;

	for (i = 0; desks != NULL && i < m->ndesks; i++)
		json_array_append_new(desks, desk_json(&m->desks[i]));
	for (i = 0; objects != NULL && i < m->nobjects; i++)
		json_array_append_new(objects,
		    json_pack("{s:s, s:s, s:b}", "kind", m->objects[i].kind,
		        "name", m->objects[i].name, "retired",
		        m->objects[i].retired_at != 0));
	return json_pack("{s:i, s:{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I}, "
	                 "s:o, s:o, s:o}",
	    "zek_config_format", CONFIG_IO_FORMAT, "help_center", "title_de",
	    h->title_de, "title_en", h->title_en, "intro_de", h->intro_de,
	    "intro_en", h->intro_en, "announcement_de", h->announcement_de,
	    "announcement_en", h->announcement_en, "announcement_from",
	    (json_int_t)h->announcement_from, "announcement_until",
	    (json_int_t)h->announcement_until, "calendar",
	    calendar_json(&m->cal), "desks", desks, "objects", objects);
}

/* j dumped with `flags` into the arena (j is released). */
static enum zek_rc
dump_json(struct zctx *ctx, json_t *j, size_t flags, bool newline, char **out,
    size_t *len)
{
	char *s = j != NULL ? json_dumps(j, flags) : NULL;

	json_decref(j);
	if (s == NULL)
		return ZEK_NOMEM;
	*out = arena_printf(ctx->arena, "%s%s", s, newline ? "\n" : "");
	free(s);
	if (*out == NULL)
		return ZEK_NOMEM;
	*len = strlen(*out);
	return ZEK_OK;
}

enum zek_rc
core_config_export(struct zctx *ctx, const struct user *actor, char **out,
    size_t *len, int64_t *version)
{
	struct model m;
	enum zek_rc rc;

	if (!admin_actor_ok(actor))
		return ZEK_NOTFOUND;
	/* The version first: a change meanwhile may be in the content
	 * under the older number, never a number newer than the content. */
	rc = store_config_version(ctx->db, version);
	if (rc == ZEK_OK)
		rc = load_model(ctx, &m);
	if (rc != ZEK_OK)
		return rc;
	return dump_json(ctx, model_json(&m),
	    JSON_INDENT(2) | JSON_PRESERVE_ORDER, true, out, len);
}

/* ---- planning: the document against the database ---- */

struct planner {
	struct zctx *ctx;
	struct parse *p;         /* where refusals go */
	const struct model *cur; /* the database */
	const struct user *actor;
	bool write;     /* apply each line as well */
	bool record;    /* the record, where a page writes it (calendar) */
	enum zek_rc rc; /* the first write's failure */
	struct config_line *lines;
	size_t n, cap;
};

/* Whether to write now: applying, and nothing has gone wrong. */
static bool
writing(const struct planner *pl)
{
	return pl->write && pl->rc == ZEK_OK && !failed(pl->p);
}

static void
wrote(struct planner *pl, enum zek_rc rc)
{
	if (pl->rc == ZEK_OK)
		pl->rc = rc;
}

static void
add_line(struct planner *pl, enum config_op op, enum config_thing thing,
    const char *where, const char *attr, const char *old, const char *now)
{
	if (where == NULL || old == NULL || now == NULL) {
		pl->p->nomem = true;
		return;
	}
	pl->lines = core_grow(pl->ctx, pl->lines, pl->n, &pl->cap,
	    sizeof(*pl->lines));
	if (pl->lines == NULL) {
		pl->n = pl->cap = 0;
		pl->p->nomem = true;
		return;
	}
	pl->lines[pl->n++] = (struct config_line){ op, thing, where, attr, old,
		now };
}

static void
change_text(struct planner *pl, enum config_thing thing, const char *where,
    const char *attr, const char *old, const char *now)
{
	if (!str_eq(old, now))
		add_line(pl, CONFIG_CHANGE, thing, where, attr, old, now);
}

static void
change_flag(struct planner *pl, enum config_thing thing, const char *where,
    const char *attr, bool old, bool now)
{
	if (old != now)
		add_line(pl, CONFIG_CHANGE, thing, where, attr,
		    old ? "true" : "false", now ? "true" : "false");
}

static void
change_minutes(struct planner *pl, enum config_thing thing, const char *where,
    const char *attr, int64_t old, int64_t now)
{
	if (old != now)
		add_line(pl, CONFIG_CHANGE, thing, where, attr,
		    number_text(pl->p, old), number_text(pl->p, now));
}

/* Hidden or retired (op_on), or back (op_off). */
static void
change_state(struct planner *pl, enum config_thing thing, const char *where,
    bool old, bool now, enum config_op op_on, enum config_op op_off)
{
	if (old != now)
		add_line(pl, now ? op_on : op_off, thing, where, "", "", "");
}

static const char *
below(struct planner *pl, const char *where, const char *name)
{
	return arena_printf(pl->ctx->arena, "%s › %s", where, name);
}

/* A time as ISO 8601 UTC, "" for 0 (open). */
static const char *
time_text(struct planner *pl, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	char buf[32];
	struct tm tm;

	if (ms == 0 || gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return "";
	return arena_strdup(pl->ctx->arena, buf);
}

/* One member of a list whose order may change. */
struct ord {
	const char *id;
	const char *name;
};

/* The members both lists hold, in a's order, as "a, b, c": by their
 * names, or by their ids. */
static const char *
ord_text(struct planner *pl, const struct ord *a, size_t na,
    const struct ord *b, size_t nb, bool ids)
{
	const char *s = "";
	size_t i, j;

	for (i = 0; s != NULL && i < na; i++) {
		for (j = 0; j < nb && !str_eq(a[i].id, b[j].id); j++)
			;
		if (j < nb)
			s = arena_printf(pl->ctx->arena, "%s%s%s", s,
			    *s ? ", " : "", ids ? a[i].id : a[i].name);
	}
	return s;
}

/* An order line when the members both lists hold are in another order
 * (a renamed member alone is no new order). */
static void
plan_order(struct planner *pl, enum config_thing thing, const char *where,
    const char *attr, const struct ord *cur, size_t nc, const struct ord *now,
    size_t nn)
{
	const char *old = ord_text(pl, cur, nc, now, nn, true);
	const char *neu = ord_text(pl, now, nn, cur, nc, true);

	if (old == NULL || neu == NULL) {
		pl->p->nomem = true;
		return;
	}
	if (str_eq(old, neu))
		return;
	add_line(pl, CONFIG_ORDER, thing, where, attr,
	    ord_text(pl, cur, nc, now, nn, false),
	    ord_text(pl, now, nn, cur, nc, false));
}

static struct ord *
ord_new(struct planner *pl, size_t n)
{
	struct ord *o = arena_calloc(pl->ctx->arena, n > 0 ? n : 1, sizeof(*o));

	if (o == NULL)
		pl->p->nomem = true;
	return o;
}

static const char *
id_text(struct planner *pl, int64_t id)
{
	return arena_printf(pl->ctx->arena, "%" PRId64, id);
}

static void
plan_help(struct planner *pl, const struct store_help_center *c,
    const struct store_help_center *n)
{
	enum config_thing h = CONFIG_HELP_CENTER;
	size_t before = pl->n;

	change_text(pl, h, "", "title_de", c->title_de, n->title_de);
	change_text(pl, h, "", "title_en", c->title_en, n->title_en);
	change_text(pl, h, "", "intro_de", c->intro_de, n->intro_de);
	change_text(pl, h, "", "intro_en", c->intro_en, n->intro_en);
	change_text(pl, h, "", "announcement_de", c->announcement_de,
	    n->announcement_de);
	change_text(pl, h, "", "announcement_en", c->announcement_en,
	    n->announcement_en);
	change_text(pl, h, "", "announcement_from",
	    time_text(pl, c->announcement_from),
	    time_text(pl, n->announcement_from));
	change_text(pl, h, "", "announcement_until",
	    time_text(pl, c->announcement_until),
	    time_text(pl, n->announcement_until));
	if (pl->n > before && writing(pl))
		wrote(pl, store_help_center_put(pl->ctx->db, n));
}

/* ---- the business calendar ---- */

static const char *
weekdays_text(struct planner *pl, int64_t bits)
{
	const char *s = "";
	size_t i;

	for (i = 0; s != NULL && i < 7; i++)
		if (bits & (1 << i))
			s = arena_printf(pl->ctx->arena, "%s%s%s", s,
			    *s ? ", " : "", calendar_day_fields[i]);
	return s;
}

static const char *
minute_text(struct planner *pl, int64_t minute)
{
	char buf[6];

	calendar_minute_text((int)minute, buf);
	return arena_strdup(pl->ctx->arena, buf);
}

/* Whether mc has closed day d, under the same name. */
static bool
closed_in(const struct m_calendar *mc, const struct store_closed_day *d)
{
	size_t i;

	for (i = 0; i < mc->nclosed; i++)
		if (mc->closed[i].day == d->day)
			return str_eq(mc->closed[i].name, d->name);
	return false;
}

/* The closed days of one calendar that the other lacks, each a line;
 * into out (room for all). */
static size_t
plan_closed_days(struct planner *pl, const struct m_calendar *from,
    const struct m_calendar *other, bool added, struct store_closed_day *out)
{
	const struct store_closed_day *d;
	const char *w;
	size_t i, n = 0;

	for (i = 0; i < from->nclosed; i++) {
		d = &from->closed[i];
		if (closed_in(other, d))
			continue;
		w = calendar_closed_day_text(pl->ctx, d->day, "");
		add_line(pl, added ? CONFIG_ADD : CONFIG_REMOVE,
		    CONFIG_CLOSED_DAY, w, "", added ? "" : d->name,
		    added ? d->name : "");
		out[n++] = *d;
	}
	return n;
}

/* Applied through the calendar page's code: its record rows and the
 * service levels marked stale as a save there does. */
static void
plan_calendar(struct planner *pl, const struct m_calendar *c,
    const struct m_calendar *n)
{
	enum config_thing k = CONFIG_CALENDAR;
	struct calendar_import ci = { 0 };
	struct store_closed_day *added, *removed;
	size_t before = pl->n;

	change_text(pl, k, "", "weekdays", weekdays_text(pl, c->c.weekdays),
	    weekdays_text(pl, n->c.weekdays));
	change_text(pl, k, "", "start", minute_text(pl, c->c.start_minute),
	    minute_text(pl, n->c.start_minute));
	change_text(pl, k, "", "end", minute_text(pl, c->c.end_minute),
	    minute_text(pl, n->c.end_minute));
	change_text(pl, k, "", "tz", c->c.tz, n->c.tz);
	change_text(pl, k, "", "state", c->c.state, n->c.state);
	if (pl->n > before)
		ci.cal = &n->c;
	added = arena_calloc(pl->ctx->arena, n->nclosed + 1, sizeof(*added));
	removed = arena_calloc(pl->ctx->arena, c->nclosed + 1,
	    sizeof(*removed));
	if (added == NULL || removed == NULL) {
		pl->p->nomem = true;
		return;
	}
	ci.added = added;
	ci.nadded = plan_closed_days(pl, n, c, true, added);
	ci.removed = removed;
	ci.nremoved = plan_closed_days(pl, c, n, false, removed);
	if (pl->n > before && writing(pl))
		wrote(pl,
		    core_calendar_import(pl->ctx, pl->actor, &ci, pl->record));
}

/* ---- options and fields ---- */

static const struct store_option *
option_in(const struct m_field *mf, const char *value)
{
	size_t i;

	for (i = 0; mf != NULL && i < mf->nopts; i++)
		if (str_eq(mf->opts[i].value, value))
			return &mf->opts[i];
	return NULL;
}

static bool
option_same(const struct store_option *a, const struct store_option *b)
{
	return str_eq(a->label_de, b->label_de) &&
	    str_eq(a->label_en, b->label_en) && a->position == b->position &&
	    a->retired == b->retired;
}

static void
insert_field(struct planner *pl, struct m_field *nf)
{
	int64_t id = 0;
	size_t i;

	wrote(pl, store_field_insert(pl->ctx->db, &nf->f, &id));
	for (i = 0; writing(pl) && i < nf->nopts; i++) {
		nf->opts[i].field_id = id;
		wrote(pl, store_option_insert(pl->ctx->db, &nf->opts[i], NULL));
	}
}

static void
plan_options(struct planner *pl, const struct m_field *cf, struct m_field *nf,
    const char *where)
{
	struct ord *co = ord_new(pl, cf->nopts), *no = ord_new(pl, nf->nopts);
	int64_t pos = (int64_t)nf->nopts;
	size_t i;

	if (co == NULL || no == NULL)
		return;
	for (i = 0; i < nf->nopts; i++) {
		struct store_option *o = &nf->opts[i];
		const struct store_option *c = option_in(cf, o->value);
		const char *w = below(pl, where, o->value);

		no[i] = (struct ord){ o->value, o->label_de };
		o->field_id = cf->f.id;
		o->position = (int64_t)i + 1;
		if (c == NULL) {
			add_line(pl, CONFIG_ADD, CONFIG_OPTION, w, "", "",
			    o->label_de);
			if (writing(pl))
				wrote(pl,
				    store_option_insert(pl->ctx->db, o, NULL));
			continue;
		}
		o->id = c->id;
		change_text(pl, CONFIG_OPTION, w, "label_de", c->label_de,
		    o->label_de);
		change_text(pl, CONFIG_OPTION, w, "label_en", c->label_en,
		    o->label_en);
		change_state(pl, CONFIG_OPTION, w, c->retired, o->retired,
		    CONFIG_RETIRE, CONFIG_RESTORE);
		if (writing(pl) && !option_same(c, o))
			wrote(pl, store_option_update(pl->ctx->db, o));
	}
	/* Not in the file: retired, never deleted (requests may hold it). */
	for (i = 0; i < cf->nopts; i++) {
		struct store_option o = cf->opts[i];

		co[i] = (struct ord){ o.value, o.label_de };
		if (option_in(nf, o.value) != NULL)
			continue;
		o.position = ++pos;
		o.retired = true;
		change_state(pl, CONFIG_OPTION, below(pl, where, o.value),
		    cf->opts[i].retired, true, CONFIG_RETIRE, CONFIG_RESTORE);
		if (writing(pl) && !option_same(&cf->opts[i], &o))
			wrote(pl, store_option_update(pl->ctx->db, &o));
	}
	plan_order(pl, CONFIG_FIELD, where, "options", co, cf->nopts, no,
	    nf->nopts);
}

static const struct m_field *
field_in(const struct m_type *mt, const char *key)
{
	size_t i;

	for (i = 0; mt != NULL && i < mt->nfields; i++)
		if (str_eq(mt->fields[i].f.key, key))
			return &mt->fields[i];
	return NULL;
}

static bool
field_same(const struct store_field *a, const struct store_field *b)
{
	return str_eq(a->label_de, b->label_de) &&
	    str_eq(a->label_en, b->label_en) &&
	    str_eq(a->help_de, b->help_de) && str_eq(a->help_en, b->help_en) &&
	    str_eq(a->placeholder_de, b->placeholder_de) &&
	    str_eq(a->placeholder_en, b->placeholder_en) &&
	    a->required == b->required && a->position == b->position &&
	    str_eq(a->object_kind, b->object_kind) &&
	    a->multiple == b->multiple &&
	    str_eq(a->checkbox_label_de, b->checkbox_label_de) &&
	    str_eq(a->checkbox_label_en, b->checkbox_label_en) &&
	    a->hidden == b->hidden;
}

/* Changes of a field both hold; false when the change is refused: a kind
 * (or object kind) changed under the same key would change what the
 * values requests hold mean. */
static bool
plan_field_attrs(struct planner *pl, const struct store_field *c,
    const struct store_field *f, const char *w, const char *path)
{
	enum config_thing t = CONFIG_FIELD;

	if (!str_eq(c->kind, f->kind)) {
		problem(pl->p, at(pl->p, path, "kind"),
		    "err_config_kind_changed",
		    arena_printf(pl->ctx->arena, "%s: %s → %s", c->key, c->kind,
		        f->kind));
		return false;
	}
	if (!str_eq(c->object_kind, f->object_kind)) {
		problem(pl->p, at(pl->p, path, "object_kind"),
		    "err_config_kind_changed",
		    arena_printf(pl->ctx->arena, "%s: %s → %s", c->key,
		        c->object_kind, f->object_kind));
		return false;
	}
	change_text(pl, t, w, "label_de", c->label_de, f->label_de);
	change_text(pl, t, w, "label_en", c->label_en, f->label_en);
	change_text(pl, t, w, "help_de", c->help_de, f->help_de);
	change_text(pl, t, w, "help_en", c->help_en, f->help_en);
	change_text(pl, t, w, "placeholder_de", c->placeholder_de,
	    f->placeholder_de);
	change_text(pl, t, w, "placeholder_en", c->placeholder_en,
	    f->placeholder_en);
	change_text(pl, t, w, "checkbox_label_de", c->checkbox_label_de,
	    f->checkbox_label_de);
	change_text(pl, t, w, "checkbox_label_en", c->checkbox_label_en,
	    f->checkbox_label_en);
	change_flag(pl, t, w, "required", c->required, f->required);
	change_flag(pl, t, w, "multiple", c->multiple, f->multiple);
	change_state(pl, t, w, c->hidden, f->hidden, CONFIG_HIDE, CONFIG_SHOW);
	return true;
}

static void
plan_fields(struct planner *pl, const struct m_type *ct, struct m_type *nt,
    const char *where)
{
	struct ord *co = ord_new(pl, ct->nfields),
	           *no = ord_new(pl, nt->nfields);
	int64_t pos = (int64_t)nt->nfields;
	size_t i;

	if (co == NULL || no == NULL)
		return;
	for (i = 0; i < nt->nfields; i++) {
		struct m_field *nf = &nt->fields[i];
		const struct m_field *cf = field_in(ct, nf->f.key);
		const char *w = below(pl, where, nf->f.key);

		no[i] = (struct ord){ nf->f.key, nf->f.key };
		nf->f.type_id = nt->t.id;
		nf->f.position = (int64_t)i + 1;
		if (cf == NULL) {
			add_line(pl, CONFIG_ADD, CONFIG_FIELD, w, "", "",
			    nf->f.kind);
			if (writing(pl))
				insert_field(pl, nf);
			continue;
		}
		nf->f.id = cf->f.id;
		if (!plan_field_attrs(pl, &cf->f, &nf->f, w, nf->path))
			continue;
		if (writing(pl) && !field_same(&cf->f, &nf->f))
			wrote(pl, store_field_update(pl->ctx->db, &nf->f));
		plan_options(pl, cf, nf, w);
	}
	/* Not in the file: hidden, never deleted (requests hold its values). */
	for (i = 0; i < ct->nfields; i++) {
		struct store_field f = ct->fields[i].f;

		co[i] = (struct ord){ f.key, f.key };
		if (field_in(nt, f.key) != NULL)
			continue;
		f.position = ++pos;
		f.hidden = true;
		change_state(pl, CONFIG_FIELD, below(pl, where, f.key),
		    ct->fields[i].f.hidden, true, CONFIG_HIDE, CONFIG_SHOW);
		if (writing(pl) && !field_same(&ct->fields[i].f, &f))
			wrote(pl, store_field_update(pl->ctx->db, &f));
	}
	plan_order(pl, CONFIG_TYPE, where, "fields", co, ct->nfields, no,
	    nt->nfields);
}

/* ---- groups and types ---- */

static const struct m_group *
group_in(const struct m_desk *md, int64_t id)
{
	size_t i;

	for (i = 0; i < md->ngroups; i++)
		if (md->groups[i].g.id == id)
			return &md->groups[i];
	return NULL;
}

static const struct m_type *
type_in(const struct m_desk *md, int64_t id)
{
	size_t i;

	for (i = 0; i < md->ntypes; i++)
		if (md->types[i].t.id == id)
			return &md->types[i];
	return NULL;
}

/* The desk of the database that has group (or type) `id`, or NULL. */
static const struct m_desk *
desk_with(const struct model *m, int64_t id, bool type)
{
	size_t i;

	for (i = 0; i < m->ndesks; i++)
		if (type ? type_in(&m->desks[i], id) != NULL :
		           group_in(&m->desks[i], id) != NULL)
			return &m->desks[i];
	return NULL;
}

/* An id a new group or type brings must not be another desk's: the
 * thing would move between desks, and requests' keys with it. */
static void
check_id_free(struct planner *pl, int64_t id, bool type, const char *path)
{
	const struct m_desk *od = desk_with(pl->cur, id, type);

	if (od != NULL)
		problem(pl->p, at(pl->p, path, "id"), "err_config_taken",
		    od->d.project_key);
}

static void
plan_groups(struct planner *pl, const struct m_desk *cd, struct m_desk *nd)
{
	struct ord *co = ord_new(pl, cd->ngroups),
	           *no = ord_new(pl, nd->ngroups);
	size_t i;

	if (co == NULL || no == NULL)
		return;
	for (i = 0; i < nd->ngroups; i++) {
		struct store_group *g = &nd->groups[i].g;
		const struct m_group *cg = group_in(cd, g->id);
		const char *w = below(pl, nd->d.project_key, g->name_de);

		no[i] = (struct ord){ id_text(pl, g->id), g->name_de };
		g->desk_id = nd->d.id;
		g->position = (int64_t)i + 1;
		if (cg == NULL) {
			check_id_free(pl, g->id, false, nd->groups[i].path);
			add_line(pl, CONFIG_ADD, CONFIG_GROUP, w, "", "",
			    g->name_de);
			if (writing(pl))
				wrote(pl,
				    store_group_insert(pl->ctx->db, g, NULL));
			continue;
		}
		change_text(pl, CONFIG_GROUP, w, "name_de", cg->g.name_de,
		    g->name_de);
		change_text(pl, CONFIG_GROUP, w, "name_en", cg->g.name_en,
		    g->name_en);
		if (writing(pl) &&
		    (!str_eq(cg->g.name_de, g->name_de) ||
		        !str_eq(cg->g.name_en, g->name_en) ||
		        cg->g.position != g->position))
			wrote(pl, store_group_update(pl->ctx->db, g));
	}
	/* Groups are never removed (the admin area cannot either): a type
	 * hidden for a missing one would need it still. */
	for (i = 0; i < cd->ngroups; i++) {
		co[i] = (struct ord){ id_text(pl, cd->groups[i].g.id),
			cd->groups[i].g.name_de };
		if (group_in(nd, cd->groups[i].g.id) == NULL)
			problem(pl->p, at(pl->p, nd->path, "groups"),
			    "err_config_group_missing",
			    cd->groups[i].g.name_de);
	}
	plan_order(pl, CONFIG_DESK, nd->d.project_key, "groups", co,
	    cd->ngroups, no, nd->ngroups);
}

static bool
type_same(const struct store_reqtype *a, const struct store_reqtype *b)
{
	return a->group_id == b->group_id && str_eq(a->name_de, b->name_de) &&
	    str_eq(a->name_en, b->name_en) &&
	    str_eq(a->description_de, b->description_de) &&
	    str_eq(a->description_en, b->description_en) &&
	    a->position == b->position && str_eq(a->icon, b->icon) &&
	    a->hidden == b->hidden &&
	    a->sla_response_minutes == b->sla_response_minutes &&
	    a->sla_resolution_minutes == b->sla_resolution_minutes;
}

static const char *
group_name(const struct m_desk *md, int64_t id)
{
	const struct m_group *g = group_in(md, id);

	return g != NULL ? g->g.name_de : "";
}

static void
plan_type(struct planner *pl, const struct m_desk *cd, struct m_desk *nd,
    struct m_type *nt)
{
	const struct m_type *ct = type_in(cd, nt->t.id);
	const struct store_reqtype *c, *t = &nt->t;
	enum config_thing k = CONFIG_TYPE;
	const char *w = below(pl, nd->d.project_key, t->name_de);
	size_t i;

	if (ct == NULL) {
		check_id_free(pl, t->id, true, nt->path);
		add_line(pl, CONFIG_ADD, k, w, "", "", t->name_de);
		if (writing(pl))
			wrote(pl, store_reqtype_insert(pl->ctx->db, t, NULL));
		for (i = 0; writing(pl) && i < nt->nfields; i++) {
			nt->fields[i].f.type_id = t->id;
			nt->fields[i].f.position = (int64_t)i + 1;
			insert_field(pl, &nt->fields[i]);
		}
		return;
	}
	c = &ct->t;
	change_text(pl, k, w, "name_de", c->name_de, t->name_de);
	change_text(pl, k, w, "name_en", c->name_en, t->name_en);
	change_text(pl, k, w, "description_de", c->description_de,
	    t->description_de);
	change_text(pl, k, w, "description_en", c->description_en,
	    t->description_en);
	change_text(pl, k, w, "icon", c->icon, t->icon);
	if (c->group_id != t->group_id)
		change_text(pl, k, w, "group", group_name(cd, c->group_id),
		    group_name(nd, t->group_id));
	change_state(pl, k, w, c->hidden, t->hidden, CONFIG_HIDE, CONFIG_SHOW);
	change_minutes(pl, k, w, "sla_response_minutes",
	    c->sla_response_minutes, t->sla_response_minutes);
	change_minutes(pl, k, w, "sla_resolution_minutes",
	    c->sla_resolution_minutes, t->sla_resolution_minutes);
	if (writing(pl) && !type_same(c, t))
		wrote(pl, store_reqtype_update(pl->ctx->db, t));
	if (writing(pl) &&
	    (c->sla_response_minutes != t->sla_response_minutes ||
	        c->sla_resolution_minutes != t->sla_resolution_minutes))
		wrote(pl, store_requests_mark_sla_stale(pl->ctx->db, t->id));
	plan_fields(pl, ct, nt, w);
}

/* The types of group `group_id` in md that the other desk holds in the
 * same group, as order members. */
static size_t
group_ords(struct planner *pl, const struct m_desk *md,
    const struct m_desk *other, int64_t group_id, struct ord *out)
{
	const struct m_type *o;
	size_t i, n = 0;

	for (i = 0; i < md->ntypes; i++) {
		if (md->types[i].t.group_id != group_id)
			continue;
		o = type_in(other, md->types[i].t.id);
		if (o != NULL && o->t.group_id == group_id)
			out[n++] = (struct ord){ id_text(pl, md->types[i].t.id),
				md->types[i].t.name_de };
	}
	return n;
}

static void
plan_types(struct planner *pl, const struct m_desk *cd, struct m_desk *nd)
{
	struct ord *co = ord_new(pl, cd->ntypes), *no = ord_new(pl, nd->ntypes);
	int64_t pos = 0;
	size_t i, nc, nn;

	if (co == NULL || no == NULL)
		return;
	/* Positions count through the desk, groups in order. */
	for (i = 0; i < nd->ntypes; i++) {
		nd->types[i].t.desk_id = nd->d.id;
		nd->types[i].t.position = ++pos;
		plan_type(pl, cd, nd, &nd->types[i]);
	}
	/* Not in the file: hidden, never deleted (requests are of it). */
	for (i = 0; i < cd->ntypes; i++) {
		struct store_reqtype t = cd->types[i].t;

		if (type_in(nd, t.id) != NULL)
			continue;
		t.position = ++pos;
		t.hidden = true;
		change_state(pl, CONFIG_TYPE,
		    below(pl, nd->d.project_key, t.name_de),
		    cd->types[i].t.hidden, true, CONFIG_HIDE, CONFIG_SHOW);
		if (writing(pl) && !type_same(&cd->types[i].t, &t))
			wrote(pl, store_reqtype_update(pl->ctx->db, &t));
	}
	for (i = 0; i < nd->ngroups; i++) {
		nc = group_ords(pl, cd, nd, nd->groups[i].g.id, co);
		nn = group_ords(pl, nd, cd, nd->groups[i].g.id, no);
		plan_order(pl, CONFIG_GROUP,
		    below(pl, nd->d.project_key, nd->groups[i].g.name_de),
		    "types", co, nc, no, nn);
	}
}

/* ---- desks ---- */

static const struct m_desk *
desk_in(const struct model *m, int64_t id)
{
	size_t i;

	for (i = 0; i < m->ndesks; i++)
		if (m->desks[i].d.id == id)
			return &m->desks[i];
	return NULL;
}

static void
plan_new_desk(struct planner *pl, struct m_desk *nd)
{
	const struct m_desk *od;
	size_t i;

	for (i = 0; i < pl->cur->ndesks; i++) {
		od = &pl->cur->desks[i];
		if (od->d.portal_id == nd->d.portal_id)
			problem(pl->p, at(pl->p, nd->path, "portal_id"),
			    "err_config_taken", od->d.project_key);
		if (str_eq(od->d.project_key, nd->d.project_key))
			problem(pl->p, at(pl->p, nd->path, "project_key"),
			    "err_config_taken", od->d.project_key);
	}
	add_line(pl, CONFIG_ADD, CONFIG_DESK, nd->d.project_key, "", "",
	    nd->d.name);
	nd->d.next_number = 0;
	if (writing(pl))
		wrote(pl, store_desk_insert(pl->ctx->db, &nd->d, NULL));
}

static void
plan_desk(struct planner *pl, struct m_desk *nd)
{
	static const struct m_desk none = { .d.id = 0 };
	const struct m_desk *cd = desk_in(pl->cur, nd->d.id);
	const char *w = nd->d.project_key;

	if (cd == NULL) {
		plan_new_desk(pl, nd);
		cd = &none;
	} else {
		/* Request keys (ZEK-12) and portal addresses use these. */
		if (cd->d.portal_id != nd->d.portal_id)
			problem(pl->p, at(pl->p, nd->path, "portal_id"),
			    "err_config_fixed", id_text(pl, cd->d.portal_id));
		if (!str_eq(cd->d.project_key, nd->d.project_key))
			problem(pl->p, at(pl->p, nd->path, "project_key"),
			    "err_config_fixed", cd->d.project_key);
		change_text(pl, CONFIG_DESK, w, "name", cd->d.name, nd->d.name);
		change_text(pl, CONFIG_DESK, w, "description",
		    cd->d.description, nd->d.description);
		if (writing(pl) &&
		    (!str_eq(cd->d.name, nd->d.name) ||
		        !str_eq(cd->d.description, nd->d.description)))
			wrote(pl,
			    store_desk_texts_set(pl->ctx->db, cd->d.id,
			        nd->d.name, nd->d.description));
	}
	plan_groups(pl, cd, nd);
	plan_types(pl, cd, nd);
}

/* ---- the catalogue ---- */

static int
object_fold_cmp(const void *a, const void *b)
{
	const struct obj_key *x = a, *y = b;
	int c = strcmp(x->kind, y->kind);

	return c != 0 ? c : strcmp(x->key, y->key);
}

/* For each object of the file, the index of the database's object it is
 * (by kind and name, else by kind and name in any case: a rename), or
 * -1 for a new one. */
static ssize_t *
match_objects(struct planner *pl, const struct model *now, bool *used)
{
	const struct model *cur = pl->cur;
	ssize_t *match = arena_calloc(pl->ctx->arena, now->nobjects + 1,
	    sizeof(*match));
	struct obj_key *folds = arena_calloc(pl->ctx->arena, cur->nobjects + 1,
	                   sizeof(*folds)),
	               want, *hit;
	const struct store_object *c;
	size_t i, nf = 0;

	if (match == NULL || folds == NULL)
		return NULL;
	for (i = 0; i < now->nobjects; i++) {
		c = cur->nobjects == 0 ?
		    NULL :
		    bsearch(&now->objects[i], cur->objects, cur->nobjects,
		        sizeof(*cur->objects), object_cmp);
		match[i] = c != NULL ? c - cur->objects : -1;
		if (c != NULL)
			used[c - cur->objects] = true;
	}
	for (i = 0; i < cur->nobjects; i++) {
		if (used[i])
			continue;
		folds[nf] = (struct obj_key){ cur->objects[i].kind,
			utf8_fold_in(pl->ctx->arena, cur->objects[i].name), i };
		if (folds[nf++].key == NULL)
			return NULL;
	}
	if (nf > 0)
		qsort(folds, nf, sizeof(*folds), object_fold_cmp);
	for (i = 0; nf > 0 && i < now->nobjects; i++) {
		if (match[i] >= 0)
			continue;
		want = (struct obj_key){ now->objects[i].kind,
			utf8_fold_in(pl->ctx->arena, now->objects[i].name), 0 };
		if (want.key == NULL)
			return NULL;
		hit = bsearch(&want, folds, nf, sizeof(*folds),
		    object_fold_cmp);
		if (hit != NULL && !used[hit->i]) {
			match[i] = (ssize_t)hit->i;
			used[hit->i] = true;
		}
	}
	return match;
}

static void
plan_objects(struct planner *pl, const struct model *now)
{
	const struct model *cur = pl->cur;
	bool *used = arena_calloc(pl->ctx->arena, cur->nobjects + 1,
	    sizeof(*used));
	ssize_t *match = used != NULL ? match_objects(pl, now, used) : NULL;
	enum config_thing k = CONFIG_OBJECT;
	int64_t id, at_ms = pl->ctx->now_ms;
	size_t i;

	if (match == NULL) {
		pl->p->nomem = true;
		return;
	}
	for (i = 0; i < now->nobjects; i++) {
		const struct store_object *o = &now->objects[i], *c;
		const char *w = below(pl, o->kind, o->name);

		if (match[i] < 0) {
			add_line(pl, CONFIG_ADD, k, w, "", "", o->name);
			change_state(pl, k, w, false, o->retired_at != 0,
			    CONFIG_RETIRE, CONFIG_RESTORE);
			if (writing(pl))
				wrote(pl,
				    store_object_ensure(pl->ctx->db, o->kind,
				        o->name, &id, NULL));
			if (writing(pl) && o->retired_at != 0)
				wrote(pl,
				    store_object_retire(pl->ctx->db, id,
				        at_ms));
			continue;
		}
		c = &cur->objects[match[i]];
		change_text(pl, k, w, "name", c->name, o->name);
		change_state(pl, k, w, c->retired_at != 0, o->retired_at != 0,
		    CONFIG_RETIRE, CONFIG_RESTORE);
		if (writing(pl) && !str_eq(c->name, o->name))
			wrote(pl,
			    store_object_rename(pl->ctx->db, c->id, o->name));
		if (writing(pl) && (c->retired_at != 0) != (o->retired_at != 0))
			wrote(pl,
			    store_object_retire(pl->ctx->db, c->id,
			        o->retired_at != 0 ? at_ms : 0));
	}
	/* Not in the file: retired, never deleted (requests may name it). */
	for (i = 0; i < cur->nobjects; i++) {
		const struct store_object *c = &cur->objects[i];

		if (used[i] || c->retired_at != 0)
			continue;
		add_line(pl, CONFIG_RETIRE, k, below(pl, c->kind, c->name), "",
		    "", "");
		if (writing(pl))
			wrote(pl,
			    store_object_retire(pl->ctx->db, c->id, at_ms));
	}
}

/* ---- the whole ---- */

static void
plan_model(struct planner *pl, struct model *now)
{
	size_t i;

	if (now->has_help)
		plan_help(pl, &pl->cur->hc, &now->hc);
	if (now->has_calendar)
		plan_calendar(pl, &pl->cur->cal, &now->cal);
	for (i = 0; now->has_desks && i < now->ndesks; i++)
		plan_desk(pl, &now->desks[i]);
	/* Desks are never removed: their requests' keys name them. */
	for (i = 0; now->has_desks && i < pl->cur->ndesks; i++)
		if (desk_in(now, pl->cur->desks[i].d.id) == NULL)
			problem(pl->p, "desks", "err_config_desk_missing",
			    pl->cur->desks[i].d.project_key);
	if (now->has_objects)
		plan_objects(pl, now);
}

/* What plan_doc does besides planning. */
enum plan_mode {
	PLAN_ONLY,
	PLAN_IMPORT,  /* applies, recorded by actor */
	PLAN_INSTALL, /* applies, records nothing */
};

/* Reads doc and plans it against the database; unless PLAN_ONLY applies
 * every line too, inside the caller's transaction (which it must roll
 * back on an error). */
static enum zek_rc
plan_doc(struct zctx *ctx, const struct user *actor, const char *doc,
    size_t len, enum plan_mode mode, struct config_plan *plan,
    struct config_problems *probs)
{
	struct parse p = { ctx, probs, NULL, false };
	struct planner pl = { .ctx = ctx,
		.p = &p,
		.actor = actor,
		.write = mode != PLAN_ONLY,
		.record = mode == PLAN_IMPORT };
	json_t *root = NULL;
	struct model now, cur;
	char *compact = NULL;
	enum zek_rc rc;
	size_t n;

	*probs = (struct config_problems){ 0 };
	plan->lines = NULL;
	plan->n = 0;
	plan->doc = NULL;
	if (!parse_doc(&p, doc, len, &now, &root))
		return p.nomem ? ZEK_NOMEM : ZEK_INVALID;
	rc = load_model(ctx, &cur);
	if (rc != ZEK_OK)
		return rc;
	pl.cur = &cur;
	plan_model(&pl, &now);
	if (p.nomem)
		return ZEK_NOMEM;
	if (failed(&p))
		return ZEK_INVALID;
	if (pl.rc != ZEK_OK)
		return pl.rc;
	plan->lines = pl.lines;
	plan->n = pl.n;
	/* What a confirm form carries: one line of ASCII. */
	rc = dump_json(ctx, json_incref(root),
	    JSON_COMPACT | JSON_ENSURE_ASCII | JSON_PRESERVE_ORDER, false,
	    &compact, &n);
	plan->doc = compact;
	return rc;
}

enum zek_rc
core_config_plan(struct zctx *ctx, const struct user *actor, const char *doc,
    size_t len, struct config_plan *plan, struct config_problems *probs)
{
	enum zek_rc rc;

	*probs = (struct config_problems){ 0 };
	*plan = (struct config_plan){ 0 };
	if (!admin_actor_ok(actor))
		return ZEK_NOTFOUND;
	/* The version before the state: the preview may be older than what
	 * it shows (a needless conflict at worst), never newer. */
	rc = store_config_version(ctx->db, &plan->version);
	if (rc != ZEK_OK)
		return rc;
	return plan_doc(ctx, actor, doc, len, PLAN_ONLY, plan, probs);
}

/* One history row per plan line, after admin_change_lock; the calendar's
 * lines have the rows of its page (plan_calendar). */
static enum zek_rc
record_plan(struct zctx *ctx, const struct user *actor,
    const struct config_plan *plan)
{
	struct store_config_change row;
	const struct config_line *l;
	enum zek_rc rc = ZEK_OK;
	size_t i;

	for (i = 0; rc == ZEK_OK && i < plan->n; i++) {
		l = &plan->lines[i];
		if (l->thing == CONFIG_CALENDAR ||
		    l->thing == CONFIG_CLOSED_DAY)
			continue;
		row = (struct store_config_change){ .at = ctx->now_ms,
			.actor_id = actor != NULL ? actor->id : 0,
			.subject = arena_printf(ctx->arena, "config_%s",
			    config_op_name(l->op)),
			.target = str_empty(l->attr) ? l->where :
			    str_empty(l->where)      ? l->attr :
			                               arena_printf(ctx->arena,
			                                   "%s · %s", l->where,
			                                   l->attr),
			.old_value = l->old_value,
			.new_value = l->new_value };
		rc = row.subject != NULL && row.target != NULL ?
		    store_config_change_add(ctx->db, &row) :
		    ZEK_NOMEM;
	}
	return rc;
}

enum zek_rc
core_config_import(struct zctx *ctx, const struct user *actor, const char *doc,
    size_t len, int64_t version, struct config_plan *plan,
    struct config_problems *probs)
{
	int64_t now = 0;
	enum zek_rc rc;

	*probs = (struct config_problems){ 0 };
	*plan = (struct config_plan){ 0 };
	rc = admin_begin(ctx, actor);
	if (rc != ZEK_OK)
		return rc;
	/* Counted up before the state is read: on PostgreSQL the version's
	 * row lock orders concurrent changes, and a preview planned at
	 * another version is a conflict. */
	rc = admin_change_lock(ctx, version);
	if (rc == ZEK_OK)
		rc = store_config_version(ctx->db, &now);
	plan->version = now - 1;
	if (rc == ZEK_OK)
		rc = plan_doc(ctx, actor, doc, len, PLAN_IMPORT, plan, probs);
	/* Nothing to change: nothing written, the version not counted. */
	if (rc == ZEK_OK && plan->n == 0)
		return store_rollback(ctx->db);
	if (rc == ZEK_OK)
		rc = record_plan(ctx, actor, plan);
	return store_finish(ctx->db, rc);
}

enum zek_rc
core_config_install(struct zctx *ctx, const char *doc, size_t len,
    struct config_problems *probs)
{
	struct config_plan plan;

	return plan_doc(ctx, NULL, doc, len, PLAN_INSTALL, &plan, probs);
}

enum zek_rc
core_config_read_file(struct zctx *ctx, const char *path, char **out,
    size_t *len)
{
	bool is_stdin = str_eq(path, "-");
	FILE *fp = is_stdin ? stdin : fopen(path, "rb");
	enum zek_rc rc = ZEK_OK;
	size_t n;
	char *buf;

	if (fp == NULL)
		return ZEK_IO;
	/* One byte more than allowed tells a file that is too big. */
	buf = arena_alloc(ctx->arena, CONFIG_IO_MAX_BYTES + 2);
	if (buf == NULL)
		rc = ZEK_NOMEM;
	n = buf != NULL ? fread(buf, 1, CONFIG_IO_MAX_BYTES + 1, fp) : 0;
	if (rc == ZEK_OK && ferror(fp))
		rc = ZEK_IO;
	else if (rc == ZEK_OK && n > CONFIG_IO_MAX_BYTES)
		rc = ZEK_TOOBIG;
	if (!is_stdin)
		fclose(fp);
	if (rc != ZEK_OK)
		return rc;
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return ZEK_OK;
}
