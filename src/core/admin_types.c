/* admin_types.c: groups, request types, fields and select options as
 * admins change them (admin_types.h). Each change runs in one
 * transaction that first takes the configuration's version
 * (admin_change_lock), then reads what it changes, so concurrent admins
 * are ordered on either backend and a stale form is refused. */
#include "core/admin_types.h"

#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "core/admin_form.h"
#include "core/fields.h"
#include "core/internal.h"
#include "core/objects.h"
#include "core/sla.h"
#include "core/validate.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "store/store.h"

const char *const admin_type_icons[] = {
	"allgemein",
	"anforderung",
	"frage",
	"inbetriebnahme",
	"stoerung",
};
const size_t admin_type_nicons = ZEK_ARRAY_LEN(admin_type_icons);

#define SUMMARY_KEY "summary"
#define DESCRIPTION_KEY "description"

static bool
icon_valid(const char *icon)
{
	size_t i;

	if (str_empty(icon))
		return true;
	for (i = 0; i < admin_type_nicons; i++)
		if (str_eq(icon, admin_type_icons[i]))
			return true;
	return false;
}

static bool
field_fixed(const char *key)
{
	return str_eq(key, SUMMARY_KEY) || str_eq(key, DESCRIPTION_KEY);
}

/* Whether two names are the same to a reader: equal in any case. */
static bool
same_name(struct zctx *ctx, const char *a, const char *b)
{
	const char *fa = utf8_fold_in(ctx->arena, a);
	const char *fb = utf8_fold_in(ctx->arena, b);

	return fa != NULL && fb != NULL && str_eq(fa, fb);
}

static const char *
bool_text(bool b)
{
	return b ? "1" : "0";
}

/* A goal's minutes as the record keeps them. */
static const char *
minutes_text(struct zctx *ctx, int64_t minutes)
{
	return arena_printf(ctx->arena, "%" PRId64, minutes);
}

/* Ends a change that turned out to change nothing: its version count
 * is taken back, so that nobody's open form goes stale for it. */
static enum zek_rc
unchanged(struct zctx *ctx)
{
	(void)store_finish(ctx->db, ZEK_CONFLICT);
	return ZEK_OK;
}

/* Opens the transaction of a change and takes the configuration's
 * version (admin_change_lock: -1 whatever it is). The caller ends it with
 * store_finish, also when this failed. */
static enum zek_rc
change_begin(struct zctx *ctx, int64_t version)
{
	enum zek_rc rc = store_begin(ctx->db);

	return rc == ZEK_OK ? admin_change_lock(ctx, version) : rc;
}

/* change_begin for a form read at `version`: a form without a readable
 * one is stale (ZEK_CONFLICT), not unchecked. */
static enum zek_rc
form_begin(struct zctx *ctx, const char *version)
{
	int64_t v = admin_form_version(version);
	enum zek_rc rc = store_begin(ctx->db);

	if (rc == ZEK_OK)
		rc = v >= 0 ? admin_change_lock(ctx, v) : ZEK_CONFLICT;
	return rc;
}

/* ---- keys of new fields and values of new options ---- */

/* Appends the ASCII spelling of one code point of a label to a key:
 * letters and digits lower-cased, German umlauts spelt out, anything
 * else one '_' (never two in a row). */
static size_t
key_char(char *key, size_t n, const char *p, size_t *len)
{
	static const struct {
		const char *from, *to;
	} spelt[] = {
		{ "ä", "ae" },
		{ "ö", "oe" },
		{ "ü", "ue" },
		{ "Ä", "ae" },
		{ "Ö", "oe" },
		{ "Ü", "ue" },
		{ "ß", "ss" },
	};
	const char *to = "_";
	size_t i;

	*len = 1;
	if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9')) {
		key[n] = *p;
		return n + 1;
	}
	if (*p >= 'A' && *p <= 'Z') {
		key[n] = (char)(*p - 'A' + 'a');
		return n + 1;
	}
	for (i = 0; i < ZEK_ARRAY_LEN(spelt); i++)
		if (strncmp(p, spelt[i].from, strlen(spelt[i].from)) == 0) {
			*len = strlen(spelt[i].from);
			to = spelt[i].to;
			break;
		}
	while ((unsigned char)p[*len] >= 0x80 && (unsigned char)p[*len] < 0xC0)
		(*len)++; /* the rest of a code point spelt "_" */
	if (str_eq(to, "_") && (n == 0 || key[n - 1] == '_'))
		return n;
	for (i = 0; to[i] != '\0' && n < ADMIN_KEY_MAX; i++)
		key[n++] = to[i];
	return n;
}

/* A key made from `label` that none of `taken` (n of them) is: "bundesland",
 * "bundesland_2", ...; "feld" when the label has no letter or digit. */
static const char *
key_from_label(struct zctx *ctx, const char *label, const char *const *taken,
    size_t ntaken)
{
	char key[ADMIN_KEY_MAX + 1];
	const char *p, *base, *out;
	size_t n = 0, len, i, k;

	for (p = label; *p != '\0' && n < ADMIN_KEY_MAX - 8; p += len)
		n = key_char(key, n, p, &len);
	while (n > 0 && key[n - 1] == '_')
		n--;
	key[n] = '\0';
	/* A key starts with a letter: "2. Ansprechpartner" is "feld_2_..." */
	base = n > 0 && key[0] >= 'a' && key[0] <= 'z' ?
	    arena_strdup(ctx->arena, key) :
	    arena_printf(ctx->arena, "feld%s%s", n > 0 ? "_" : "", key);
	for (k = 1;
	     base != NULL && k < ADMIN_OPTIONS_MAX + ADMIN_FIELDS_MAX + 2;
	     k++) {
		out = k == 1 ? base :
		               arena_printf(ctx->arena, "%s_%zu", base, k);
		if (out == NULL)
			return NULL;
		for (i = 0; i < ntaken && !str_eq(taken[i], out); i++)
			;
		if (i == ntaken)
			return out;
	}
	return NULL; /* no memory, or more keys taken than may exist */
}

/* ---- reading ---- */

static void
option_from_store(struct admin_option *o, const struct store_option *so)
{
	*o = (struct admin_option){ .id = so->id,
		.value = so->value,
		.label_de = so->label_de,
		.label_en = so->label_en,
		.retired = so->retired };
}

static void
field_from_store(struct admin_field *f, const struct store_field *sf)
{
	*f = (struct admin_field){ .id = sf->id,
		.type_id = sf->type_id,
		.key = sf->key,
		.kind = sf->kind,
		.label_de = sf->label_de,
		.label_en = sf->label_en,
		.help_de = sf->help_de,
		.help_en = sf->help_en,
		.placeholder_de = sf->placeholder_de,
		.placeholder_en = sf->placeholder_en,
		.checkbox_label_de = sf->checkbox_label_de,
		.checkbox_label_en = sf->checkbox_label_en,
		.object_kind = sf->object_kind,
		.multiple = sf->multiple,
		.required = sf->required,
		.hidden = sf->hidden,
		.fixed = field_fixed(sf->key) };
}

static void
type_from_store(struct admin_type *t, const struct store_reqtype *st,
    int64_t portal_id)
{
	*t = (struct admin_type){ .id = st->id,
		.portal_id = portal_id,
		.group_id = st->group_id,
		.name_de = st->name_de,
		.name_en = st->name_en,
		.description_de = st->description_de,
		.description_en = st->description_en,
		.icon = st->icon,
		.hidden = st->hidden,
		.sla_response_minutes = st->sla_response_minutes,
		.sla_resolution_minutes = st->sla_resolution_minutes };
}

/* The fields of type t with their options. */
static enum zek_rc
load_fields(struct zctx *ctx, struct admin_type *t)
{
	struct store_field *sf;
	struct store_option *so;
	struct admin_field *f;
	enum zek_rc rc;
	size_t i, j, nf, no;

	rc = store_fields_by_type(ctx->db, ctx->arena, t->id, &sf, &nf);
	if (rc == ZEK_OK)
		rc = store_options_by_type(ctx->db, ctx->arena, t->id, &so,
		    &no);
	if (rc != ZEK_OK)
		return rc;
	t->fields = arena_calloc(ctx->arena, nf > 0 ? nf : 1, sizeof(*f));
	if (t->fields == NULL)
		return ZEK_NOMEM;
	t->nfields = nf;
	for (i = 0; i < nf; i++) {
		f = &t->fields[i];
		field_from_store(f, &sf[i]);
		for (j = 0; j < no; j++)
			f->noptions += so[j].field_id == f->id;
		f->options = arena_calloc(ctx->arena,
		    f->noptions > 0 ? f->noptions : 1, sizeof(*f->options));
		if (f->options == NULL)
			return ZEK_NOMEM;
		f->noptions = 0;
		for (j = 0; j < no; j++)
			if (so[j].field_id == f->id)
				option_from_store(&f->options[f->noptions++],
				    &so[j]);
	}
	return ZEK_OK;
}

/* Type `type_id` as stored, with its portal, fields and options. */
static enum zek_rc
load_type(struct zctx *ctx, int64_t type_id, struct admin_type *out,
    struct store_reqtype **st_out)
{
	struct store_reqtype *st;
	struct store_desk *d;
	enum zek_rc rc;

	rc = store_reqtype_get(ctx->db, ctx->arena, type_id, &st);
	if (rc == ZEK_OK)
		rc = store_desk_by_id(ctx->db, ctx->arena, st->desk_id, &d);
	if (rc != ZEK_OK)
		return rc;
	type_from_store(out, st, d->portal_id);
	if (st_out != NULL)
		*st_out = st;
	rc = store_config_version(ctx->db, &out->version);
	return rc == ZEK_OK ? load_fields(ctx, out) : rc;
}

static struct admin_field *
type_field(struct admin_type *t, int64_t field_id)
{
	size_t i;

	for (i = 0; i < t->nfields; i++)
		if (t->fields[i].id == field_id)
			return &t->fields[i];
	return NULL;
}

enum zek_rc
core_admin_types(struct zctx *ctx, const struct user *actor, int64_t portal_id,
    struct admin_types *out)
{
	struct store_group *sg;
	struct store_reqtype *st;
	struct store_desk *d;
	struct admin_group *g;
	enum zek_rc rc;
	size_t i, j, ng, nt;

	if (!admin_actor_ok(actor))
		return ZEK_NOTFOUND;
	rc = store_desk_by_portal(ctx->db, ctx->arena, portal_id, &d);
	if (rc == ZEK_OK)
		rc = store_groups_by_desk(ctx->db, ctx->arena, d->id, &sg, &ng);
	if (rc == ZEK_OK)
		rc = store_reqtypes_by_desk(ctx->db, ctx->arena, d->id, &st,
		    &nt);
	if (rc == ZEK_OK)
		rc = store_config_version(ctx->db, &out->version);
	if (rc != ZEK_OK)
		return rc;
	out->portal_id = portal_id;
	out->desk_name = d->name;
	out->ngroups = ng;
	out->groups = arena_calloc(ctx->arena, ng > 0 ? ng : 1, sizeof(*g));
	if (out->groups == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < ng; i++) {
		g = &out->groups[i];
		*g = (struct admin_group){ .id = sg[i].id,
			.name_de = sg[i].name_de,
			.name_en = sg[i].name_en };
		g->types = arena_calloc(ctx->arena, nt > 0 ? nt : 1,
		    sizeof(*g->types));
		if (g->types == NULL)
			return ZEK_NOMEM;
		for (j = 0; j < nt; j++)
			if (st[j].group_id == g->id)
				type_from_store(&g->types[g->ntypes++], &st[j],
				    portal_id);
	}
	return ZEK_OK;
}

enum zek_rc
core_admin_type(struct zctx *ctx, const struct user *actor, int64_t type_id,
    struct admin_type *out)
{
	if (!admin_actor_ok(actor))
		return ZEK_NOTFOUND;
	return load_type(ctx, type_id, out, NULL);
}

enum zek_rc
core_admin_field(struct zctx *ctx, const struct user *actor, int64_t field_id,
    struct admin_type *type, const struct admin_field **field)
{
	struct store_field *sf;
	enum zek_rc rc;

	if (!admin_actor_ok(actor))
		return ZEK_NOTFOUND;
	rc = store_field_get(ctx->db, ctx->arena, field_id, &sf);
	if (rc == ZEK_OK)
		rc = load_type(ctx, sf->type_id, type, NULL);
	if (rc == ZEK_OK && (*field = type_field(type, field_id)) == NULL)
		rc = ZEK_NOTFOUND;
	return rc;
}

/* ---- moving one among its siblings ---- */

/* Writes a sibling whose position changed (store_*_update). */
typedef enum zek_rc (*position_fn)(struct zctx *ctx, void *elem);

/* Moves the i-th of n siblings (an array of records of `size` bytes,
 * ordered by the int64_t position at `pos_at`) one place in `dir`, and
 * gives every sibling the position of its new place (the siblings' own
 * positions, ascending; made strictly ascending where two were equal).
 * *moved: false at either end, where nothing happens. */
static enum zek_rc
siblings_move(struct zctx *ctx, void *base, size_t size, size_t pos_at,
    size_t n, size_t i, enum admin_move dir, position_fn set, bool *moved)
{
	char **elems, *tmp;
	int64_t *pos;
	enum zek_rc rc = ZEK_OK;
	size_t j, k;

	*moved = false;
	if (i >= n || (dir == ADMIN_MOVE_UP && i == 0) ||
	    (dir == ADMIN_MOVE_DOWN && i + 1 == n))
		return ZEK_OK;
	elems = arena_calloc(ctx->arena, n, sizeof(*elems));
	pos = arena_calloc(ctx->arena, n, sizeof(*pos));
	if (elems == NULL || pos == NULL)
		return ZEK_NOMEM;
	for (k = 0; k < n; k++) {
		elems[k] = (char *)base + k * size;
		memcpy(&pos[k], elems[k] + pos_at, sizeof(pos[k]));
	}
	j = dir == ADMIN_MOVE_UP ? i - 1 : i + 1;
	tmp = elems[i];
	elems[i] = elems[j];
	elems[j] = tmp;
	*moved = true;
	for (k = 0; rc == ZEK_OK && k < n; k++) {
		int64_t was;

		if (k > 0 && pos[k] <= pos[k - 1])
			pos[k] = pos[k - 1] + 1;
		memcpy(&was, elems[k] + pos_at, sizeof(was));
		if (was == pos[k])
			continue;
		memcpy(elems[k] + pos_at, &pos[k], sizeof(pos[k]));
		rc = set(ctx, elems[k]);
	}
	return rc;
}

/* Records a move from place `from` to its neighbour in `dir` (places
 * counted from 1 in the record). */
static enum zek_rc
record_move(struct zctx *ctx, const struct user *actor, const char *subject,
    const char *target, size_t from, enum admin_move dir)
{
	struct change_list cl = { .ctx = ctx,
		.actor = actor,
		.target = target };
	size_t to = dir == ADMIN_MOVE_UP ? from - 1 : from + 1;

	admin_change_text(&cl, subject,
	    arena_printf(ctx->arena, "%zu", from + 1),
	    arena_printf(ctx->arena, "%zu", to + 1));
	return admin_change_rows(&cl);
}

/* What a move reads: the siblings (records of one kind, by position),
 * which of them moves, and where the record says it was made. */
struct move_set {
	void *base;
	size_t n;
	size_t self;
	const char *target;
};

/* One kind of record that moves: its record's subject, layout, how a
 * position is written, and how the siblings are read. */
struct move_kind {
	const char *subject;
	size_t size;
	size_t pos_at;
	position_fn set;
	enum zek_rc (*load)(struct zctx *ctx, int64_t id, struct move_set *m);
};

/* Moves record `id` of kind k one place in `dir`, recorded; at either
 * end nothing happens and nothing is counted. */
static enum zek_rc
move_one(struct zctx *ctx, const struct user *actor, const struct move_kind *k,
    int64_t id, enum admin_move dir)
{
	struct move_set m = { 0 };
	enum zek_rc rc;
	bool moved = false;

	if (!admin_actor_ok(actor))
		return ZEK_NOTFOUND;
	rc = change_begin(ctx, -1);
	if (rc == ZEK_OK)
		rc = k->load(ctx, id, &m);
	if (rc == ZEK_OK)
		rc = siblings_move(ctx, m.base, k->size, k->pos_at, m.n, m.self,
		    dir, k->set, &moved);
	if (rc == ZEK_OK && !moved)
		return unchanged(ctx);
	if (rc == ZEK_OK)
		rc = m.target != NULL ?
		    record_move(ctx, actor, k->subject, m.target, m.self, dir) :
		    ZEK_NOMEM;
	return store_finish(ctx->db, rc);
}

/* ---- groups ---- */

static enum zek_rc
group_position(struct zctx *ctx, void *elem)
{
	return store_group_update(ctx->db, elem);
}

/* The group's names, checked; false after errors (or no memory). */
static bool
group_names(struct form_check *fc, const struct admin_group_form *f,
    const char **de, const char **en)
{
	*de = admin_form_text(fc, "name_de", f->name_de, ADMIN_TITLE_MAX, false,
	    true);
	*en = admin_form_text(fc, "name_en", f->name_en, ADMIN_TITLE_MAX, false,
	    false);
	return *de != NULL && *en != NULL;
}

/* Refuses a name another group of the desk has (`self` excepted). */
static enum zek_rc
group_name_free(struct form_check *fc, const struct store_group *groups,
    size_t n, const char *name, int64_t self)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (groups[i].id != self &&
		    same_name(fc->ctx, groups[i].name_de, name)) {
			admin_form_error(fc, "name_de", "err_name_exists", 0);
			return ZEK_INVALID;
		}
	return ZEK_OK;
}

/* What a form's check ended with: ZEK_INVALID after errors. */
static enum zek_rc
checked(const struct form_check *fc)
{
	return fc->nomem ? ZEK_NOMEM : ZEK_INVALID;
}

enum zek_rc
core_admin_group_add(struct zctx *ctx, const struct user *actor,
    int64_t portal_id, const struct admin_group_form *f,
    struct field_error *errs, size_t *nerrs, int64_t *id_out)
{
	struct form_check fc = { ctx, errs, nerrs, false };
	struct change_list cl = { .ctx = ctx, .actor = actor };
	struct store_group *groups, g;
	struct store_desk *d;
	const char *de, *en;
	enum zek_rc rc;
	size_t n;

	*nerrs = 0;
	if (!admin_actor_ok(actor))
		return ZEK_NOTFOUND;
	rc = store_desk_by_portal(ctx->db, ctx->arena, portal_id, &d);
	if (rc != ZEK_OK)
		return rc;
	if (!group_names(&fc, f, &de, &en))
		return checked(&fc);
	rc = form_begin(ctx, f->version);
	if (rc == ZEK_OK)
		rc = store_groups_by_desk(ctx->db, ctx->arena, d->id, &groups,
		    &n);
	if (rc == ZEK_OK && n >= ADMIN_GROUPS_MAX) {
		admin_form_error(&fc, "name_de", "err_too_many",
		    ADMIN_GROUPS_MAX);
		rc = ZEK_INVALID;
	}
	if (rc == ZEK_OK)
		rc = group_name_free(&fc, groups, n, de, 0);
	if (rc == ZEK_OK) {
		g = (struct store_group){ .desk_id = d->id,
			.name_de = de,
			.name_en = en,
			.position = n > 0 ? groups[n - 1].position + 1 : 0 };
		rc = store_group_insert(ctx->db, &g, id_out);
	}
	if (rc == ZEK_OK) {
		cl.target = de;
		admin_change_text(&cl, "group_added", "", de);
		rc = admin_change_rows(&cl);
	}
	return store_finish(ctx->db, rc);
}

/* The group and its siblings, inside the change's transaction; *self is
 * the group's index. */
static enum zek_rc
group_and_siblings(struct zctx *ctx, int64_t group_id,
    struct store_group **groups, size_t *n, size_t *self)
{
	struct store_group *g;
	enum zek_rc rc;

	rc = store_group_get(ctx->db, ctx->arena, group_id, &g);
	if (rc == ZEK_OK)
		rc = store_groups_by_desk(ctx->db, ctx->arena, g->desk_id,
		    groups, n);
	if (rc != ZEK_OK)
		return rc;
	for (*self = 0; *self < *n && (*groups)[*self].id != group_id;
	     (*self)++)
		;
	return *self < *n ? ZEK_OK : ZEK_NOTFOUND;
}

enum zek_rc
core_admin_group_save(struct zctx *ctx, const struct user *actor,
    int64_t group_id, const struct admin_group_form *f,
    struct field_error *errs, size_t *nerrs)
{
	struct form_check fc = { ctx, errs, nerrs, false };
	struct change_list cl = { .ctx = ctx, .actor = actor };
	struct store_group *groups, *g;
	const char *de, *en;
	enum zek_rc rc;
	size_t n, i;

	*nerrs = 0;
	if (!admin_actor_ok(actor))
		return ZEK_NOTFOUND;
	if (!group_names(&fc, f, &de, &en))
		return checked(&fc);
	rc = form_begin(ctx, f->version);
	if (rc == ZEK_OK)
		rc = group_and_siblings(ctx, group_id, &groups, &n, &i);
	if (rc == ZEK_OK)
		rc = group_name_free(&fc, groups, n, de, group_id);
	if (rc != ZEK_OK)
		return store_finish(ctx->db, rc);
	g = &groups[i];
	cl.target = g->name_de;
	admin_change_text(&cl, "group_name_de", g->name_de, de);
	admin_change_text(&cl, "group_name_en", g->name_en, en);
	if (cl.n == 0)
		return unchanged(ctx);
	g->name_de = de;
	g->name_en = en;
	rc = store_group_update(ctx->db, g);
	if (rc == ZEK_OK)
		rc = admin_change_rows(&cl);
	return store_finish(ctx->db, rc);
}

/* Group `id` and its siblings, for a move. */
static enum zek_rc
group_move_load(struct zctx *ctx, int64_t id, struct move_set *m)
{
	struct store_group *groups;
	enum zek_rc rc;

	rc = group_and_siblings(ctx, id, &groups, &m->n, &m->self);
	if (rc == ZEK_OK) {
		m->base = groups;
		m->target = groups[m->self].name_de;
	}
	return rc;
}

static const struct move_kind group_moves = { "group_moved",
	sizeof(struct store_group), offsetof(struct store_group, position),
	group_position, group_move_load };

enum zek_rc
core_admin_group_move(struct zctx *ctx, const struct user *actor,
    int64_t group_id, enum admin_move dir)
{
	return move_one(ctx, actor, &group_moves, group_id, dir);
}

/* ---- request types ---- */

static enum zek_rc
type_position(struct zctx *ctx, void *elem)
{
	return store_reqtype_update(ctx->db, elem);
}

/* A type's form, checked (the group against the desk's groups later).
 * A goal of -1 was not sent: the stored one stays. */
struct type_values {
	int64_t group_id;
	const char *name_de, *name_en;
	const char *description_de, *description_en;
	const char *icon;
	int64_t sla_response, sla_resolution; /* minutes, 0 = none */
};

/* Working hours as a form sends them ("8", "7,5", "0.25") in minutes,
 * "" = 0 (no goal), NULL = -1 (not sent); -2 after an error (added). */
static int64_t
form_hours(struct form_check *fc, const char *field, const char *in)
{
	int64_t whole = 0, frac = 0, scale = 1, minutes;
	const char *p;

	if (in == NULL)
		return -1;
	/* Unreadable text is named as in every other control. */
	if ((in = admin_form_text(fc, field, in, 16, false, false)) == NULL)
		return -2;
	for (p = in; *p >= '0' && *p <= '9' && whole <= SLA_MINUTES_MAX; p++)
		whole = whole * 10 + (*p - '0');
	if (p > in && (*p == ',' || *p == '.'))
		for (p++; *p >= '0' && *p <= '9' && scale < 100; p++) {
			frac = frac * 10 + (*p - '0');
			scale *= 10;
		}
	minutes = whole * 60 + (frac * 60 + scale / 2) / scale;
	if (*in == '\0')
		return 0;
	if (*p != '\0' || !(in[0] >= '0' && in[0] <= '9') ||
	    minutes > SLA_MINUTES_MAX) {
		admin_form_error(fc, field, "err_sla_hours",
		    SLA_MINUTES_MAX / 60);
		return -2;
	}
	return minutes;
}

static bool
type_check(struct form_check *fc, const struct admin_type_form *f,
    struct type_values *v)
{
	bool ok = true;

	v->name_de = admin_form_text(fc, "name_de", f->name_de, ADMIN_TITLE_MAX,
	    false, true);
	v->name_en = admin_form_text(fc, "name_en", f->name_en, ADMIN_TITLE_MAX,
	    false, false);
	v->description_de = admin_form_text(fc, "description_de",
	    f->description_de, ADMIN_TEXT_MAX, true, false);
	v->description_en = admin_form_text(fc, "description_en",
	    f->description_en, ADMIN_TEXT_MAX, true, false);
	v->icon = f->icon != NULL ? f->icon : "";
	if (!icon_valid(v->icon)) {
		admin_form_error(fc, "icon", "err_invalid_value", 0);
		ok = false;
	}
	if (str_to_i64(f->group_id, 1, INT64_MAX, &v->group_id) != 0) {
		admin_form_error(fc, "group_id", "err_required", 0);
		ok = false;
	}
	v->sla_response = form_hours(fc, "sla_response_hours",
	    f->sla_response_hours);
	v->sla_resolution = form_hours(fc, "sla_resolution_hours",
	    f->sla_resolution_hours);
	ok &= v->sla_response > -2 && v->sla_resolution > -2;
	return ok && v->name_de != NULL && v->name_en != NULL &&
	    v->description_de != NULL && v->description_en != NULL;
}

/* The desk's types and groups, and checks of the form against them:
 * the group is the desk's, the name no other type's (`self` excepted). */
struct desk_config {
	struct store_desk *desk;
	struct store_group *groups;
	size_t ngroups;
	struct store_reqtype *types;
	size_t ntypes;
};

static enum zek_rc
desk_config_load(struct zctx *ctx, struct store_desk *d, struct desk_config *dc)
{
	enum zek_rc rc;

	dc->desk = d;
	rc = store_groups_by_desk(ctx->db, ctx->arena, d->id, &dc->groups,
	    &dc->ngroups);
	return rc == ZEK_OK ? store_reqtypes_by_desk(ctx->db, ctx->arena, d->id,
	                          &dc->types, &dc->ntypes) :
	                      rc;
}

static const struct store_group *
desk_group(const struct desk_config *dc, int64_t id)
{
	size_t i;

	for (i = 0; i < dc->ngroups; i++)
		if (dc->groups[i].id == id)
			return &dc->groups[i];
	return NULL;
}

static enum zek_rc
type_fits(struct form_check *fc, const struct desk_config *dc,
    const struct type_values *v, int64_t self)
{
	size_t i;

	if (desk_group(dc, v->group_id) == NULL)
		admin_form_error(fc, "group_id", "err_invalid_value", 0);
	for (i = 0; i < dc->ntypes; i++)
		if (dc->types[i].id != self &&
		    same_name(fc->ctx, dc->types[i].name_de, v->name_de)) {
			admin_form_error(fc, "name_de", "err_name_exists", 0);
			break;
		}
	return *fc->n > 0 ? ZEK_INVALID : ZEK_OK;
}

/* The position after every type of the desk: a type put into a group
 * goes to its end. */
static int64_t
desk_types_end(const struct desk_config *dc)
{
	int64_t end = 0;
	size_t i;

	for (i = 0; i < dc->ntypes; i++)
		if (dc->types[i].position >= end)
			end = dc->types[i].position + 1;
	return end;
}

/* The two fields every type has. */
static enum zek_rc
type_fixed_fields(struct zctx *ctx, int64_t type_id)
{
	static const struct store_field fixed[] = {
		{ .key = SUMMARY_KEY,
		    .kind = "text",
		    .label_de = "Titel",
		    .label_en = "Title",
		    .required = true,
		    .position = 0 },
		{ .key = DESCRIPTION_KEY,
		    .kind = "richtext",
		    .label_de = "Beschreibung",
		    .label_en = "Description",
		    .position = 1 },
	};
	struct store_field f;
	enum zek_rc rc = ZEK_OK;
	size_t i;

	for (i = 0; rc == ZEK_OK && i < ZEK_ARRAY_LEN(fixed); i++) {
		f = fixed[i];
		f.type_id = type_id;
		rc = store_field_insert(ctx->db, &f, NULL);
	}
	return rc;
}

enum zek_rc
core_admin_type_add(struct zctx *ctx, const struct user *actor,
    int64_t portal_id, const struct admin_type_form *f,
    struct field_error *errs, size_t *nerrs, int64_t *id_out)
{
	struct form_check fc = { ctx, errs, nerrs, false };
	struct change_list cl = { .ctx = ctx, .actor = actor };
	struct desk_config dc;
	struct store_reqtype t;
	struct type_values v;
	struct store_desk *d;
	int64_t id = 0;
	enum zek_rc rc;

	*nerrs = 0;
	if (!admin_actor_ok(actor))
		return ZEK_NOTFOUND;
	rc = store_desk_by_portal(ctx->db, ctx->arena, portal_id, &d);
	if (rc != ZEK_OK)
		return rc;
	if (!type_check(&fc, f, &v))
		return checked(&fc);
	rc = form_begin(ctx, f->version);
	if (rc == ZEK_OK)
		rc = desk_config_load(ctx, d, &dc);
	if (rc == ZEK_OK && dc.ntypes >= ADMIN_TYPES_MAX) {
		admin_form_error(&fc, "name_de", "err_too_many",
		    ADMIN_TYPES_MAX);
		rc = ZEK_INVALID;
	}
	if (rc == ZEK_OK)
		rc = type_fits(&fc, &dc, &v, 0);
	if (rc == ZEK_OK) {
		t = (struct store_reqtype){ .desk_id = d->id,
			.group_id = v.group_id,
			.name_de = v.name_de,
			.name_en = v.name_en,
			.description_de = v.description_de,
			.description_en = v.description_en,
			.icon = v.icon,
			.hidden = f->hidden,
			.position = desk_types_end(&dc),
			.sla_response_minutes = v.sla_response > 0 ?
			    v.sla_response :
			    0,
			.sla_resolution_minutes = v.sla_resolution > 0 ?
			    v.sla_resolution :
			    0 };
		rc = store_reqtype_insert(ctx->db, &t, &id);
	}
	if (rc == ZEK_OK)
		rc = type_fixed_fields(ctx, id);
	if (rc == ZEK_OK) {
		cl.target = v.name_de;
		admin_change_text(&cl, "type_added", "", v.name_de);
		rc = admin_change_rows(&cl);
	}
	rc = store_finish(ctx->db, rc);
	if (rc == ZEK_OK && id_out != NULL)
		*id_out = id;
	return rc;
}

/* Type `type_id` and its desk's configuration, inside a change. */
static enum zek_rc
type_and_desk(struct zctx *ctx, int64_t type_id, struct store_reqtype **t,
    struct desk_config *dc)
{
	struct store_desk *d;
	enum zek_rc rc;
	size_t i;

	rc = store_reqtype_get(ctx->db, ctx->arena, type_id, t);
	if (rc == ZEK_OK)
		rc = store_desk_by_id(ctx->db, ctx->arena, (*t)->desk_id, &d);
	if (rc == ZEK_OK)
		rc = desk_config_load(ctx, d, dc);
	if (rc != ZEK_OK)
		return rc;
	for (i = 0; i < dc->ntypes; i++) /* the one the moves write */
		if (dc->types[i].id == type_id)
			*t = &dc->types[i];
	return ZEK_OK;
}

enum zek_rc
core_admin_type_save(struct zctx *ctx, const struct user *actor,
    int64_t type_id, const struct admin_type_form *f, struct field_error *errs,
    size_t *nerrs)
{
	struct form_check fc = { ctx, errs, nerrs, false };
	struct change_list cl = { .ctx = ctx, .actor = actor };
	const struct store_group *from, *to;
	struct store_reqtype *t;
	struct desk_config dc;
	struct type_values v;
	enum zek_rc rc;

	*nerrs = 0;
	if (!admin_actor_ok(actor))
		return ZEK_NOTFOUND;
	if (!type_check(&fc, f, &v))
		return checked(&fc);
	rc = form_begin(ctx, f->version);
	if (rc == ZEK_OK)
		rc = type_and_desk(ctx, type_id, &t, &dc);
	if (rc == ZEK_OK)
		rc = type_fits(&fc, &dc, &v, type_id);
	if (rc != ZEK_OK)
		return store_finish(ctx->db, rc);
	from = desk_group(&dc, t->group_id);
	to = desk_group(&dc, v.group_id);
	cl.target = t->name_de;
	admin_change_text(&cl, "type_name_de", t->name_de, v.name_de);
	admin_change_text(&cl, "type_name_en", t->name_en, v.name_en);
	admin_change_text(&cl, "type_description_de", t->description_de,
	    v.description_de);
	admin_change_text(&cl, "type_description_en", t->description_en,
	    v.description_en);
	admin_change_text(&cl, "type_icon", t->icon, v.icon);
	admin_change_text(&cl, "type_group", from != NULL ? from->name_de : "",
	    to->name_de);
	admin_change_text(&cl, "type_hidden", bool_text(t->hidden),
	    bool_text(f->hidden));
	if (v.sla_response >= 0)
		admin_change_text(&cl, "type_sla_response",
		    minutes_text(ctx, t->sla_response_minutes),
		    minutes_text(ctx, v.sla_response));
	if (v.sla_resolution >= 0)
		admin_change_text(&cl, "type_sla_resolution",
		    minutes_text(ctx, t->sla_resolution_minutes),
		    minutes_text(ctx, v.sla_resolution));
	if (cl.n == 0)
		return unchanged(ctx);
	if (v.group_id != t->group_id)
		t->position = desk_types_end(&dc);
	t->group_id = v.group_id;
	t->name_de = v.name_de;
	t->name_en = v.name_en;
	t->description_de = v.description_de;
	t->description_en = v.description_en;
	t->icon = v.icon;
	t->hidden = f->hidden;
	if (v.sla_response >= 0)
		t->sla_response_minutes = v.sla_response;
	if (v.sla_resolution >= 0)
		t->sla_resolution_minutes = v.sla_resolution;
	rc = store_reqtype_update(ctx->db, t);
	/* The queues' copy of the service levels is worked out again by the
	 * "sla" job (core_sla_refresh_stale). */
	if (rc == ZEK_OK && (v.sla_response >= 0 || v.sla_resolution >= 0))
		rc = store_requests_mark_sla_stale(ctx->db, t->id);
	if (rc == ZEK_OK)
		rc = admin_change_rows(&cl);
	return store_finish(ctx->db, rc);
}

/* Type `id` and the other types of its group, for a move. */
static enum zek_rc
type_move_load(struct zctx *ctx, int64_t id, struct move_set *m)
{
	struct store_reqtype *t, *mates;
	struct desk_config dc;
	enum zek_rc rc;
	size_t i;

	rc = type_and_desk(ctx, id, &t, &dc);
	if (rc != ZEK_OK)
		return rc;
	mates = arena_calloc(ctx->arena, dc.ntypes, sizeof(*mates));
	if (mates == NULL)
		return ZEK_NOMEM;
	m->n = 0;
	for (i = 0; i < dc.ntypes; i++) {
		if (dc.types[i].group_id != t->group_id)
			continue;
		if (dc.types[i].id == id)
			m->self = m->n;
		mates[m->n++] = dc.types[i];
	}
	m->base = mates;
	m->target = t->name_de;
	return ZEK_OK;
}

static const struct move_kind type_moves = { "type_moved",
	sizeof(struct store_reqtype), offsetof(struct store_reqtype, position),
	type_position, type_move_load };

enum zek_rc
core_admin_type_move(struct zctx *ctx, const struct user *actor,
    int64_t type_id, enum admin_move dir)
{
	return move_one(ctx, actor, &type_moves, type_id, dir);
}

/* ---- fields ---- */

static enum zek_rc
field_position(struct zctx *ctx, void *elem)
{
	return store_field_update(ctx->db, elem);
}

/* "Störungsmeldung › Bundesland": where a change of a field was made. */
static const char *
field_target(struct zctx *ctx, const struct store_reqtype *t, const char *label)
{
	return arena_printf(ctx->arena, "%s \xe2\x80\xba %s", t->name_de,
	    label);
}

/* The texts of a field's form, checked. */
struct field_texts {
	const char *label_de, *label_en;
	const char *help_de, *help_en;
	const char *placeholder_de, *placeholder_en;
	const char *checkbox_label_de, *checkbox_label_en;
};

static bool
field_texts_check(struct form_check *fc, const struct admin_field_form *f,
    struct field_texts *v)
{
	v->label_de = admin_form_text(fc, "label_de", f->label_de,
	    ADMIN_TITLE_MAX, false, true);
	v->label_en = admin_form_text(fc, "label_en", f->label_en,
	    ADMIN_TITLE_MAX, false, false);
	v->help_de = admin_form_text(fc, "help_de", f->help_de, ADMIN_TEXT_MAX,
	    false, false);
	v->help_en = admin_form_text(fc, "help_en", f->help_en, ADMIN_TEXT_MAX,
	    false, false);
	v->placeholder_de = admin_form_text(fc, "placeholder_de",
	    f->placeholder_de, ADMIN_TITLE_MAX, false, false);
	v->placeholder_en = admin_form_text(fc, "placeholder_en",
	    f->placeholder_en, ADMIN_TITLE_MAX, false, false);
	v->checkbox_label_de = admin_form_text(fc, "checkbox_label_de",
	    f->checkbox_label_de, ADMIN_TITLE_MAX, false, false);
	v->checkbox_label_en = admin_form_text(fc, "checkbox_label_en",
	    f->checkbox_label_en, ADMIN_TITLE_MAX, false, false);
	return v->label_de != NULL && v->label_en != NULL &&
	    v->help_de != NULL && v->help_en != NULL &&
	    v->placeholder_de != NULL && v->placeholder_en != NULL &&
	    v->checkbox_label_de != NULL && v->checkbox_label_en != NULL;
}

/* The type's fields, inside a change; *self: the index of field_id (n
 * when 0 or not among them). */
static enum zek_rc
type_fields(struct zctx *ctx, int64_t type_id, int64_t field_id,
    struct store_reqtype **t, struct store_field **fields, size_t *n,
    size_t *self)
{
	enum zek_rc rc;

	rc = store_reqtype_get(ctx->db, ctx->arena, type_id, t);
	if (rc == ZEK_OK)
		rc = store_fields_by_type(ctx->db, ctx->arena, type_id, fields,
		    n);
	if (rc != ZEK_OK)
		return rc;
	for (*self = 0; *self < *n && (*fields)[*self].id != field_id;
	     (*self)++)
		;
	return ZEK_OK;
}

static enum zek_rc
field_label_free(struct form_check *fc, const struct store_field *fields,
    size_t n, const char *label, int64_t self)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (fields[i].id != self &&
		    same_name(fc->ctx, fields[i].label_de, label)) {
			admin_form_error(fc, "label_de", "err_label_exists", 0);
			return ZEK_INVALID;
		}
	return ZEK_OK;
}

/* One option of a new select: "Deutsch" or "Deutsch | English". */
struct option_line {
	const char *label_de, *label_en;
};

/* The options typed for a new select, one a line; empty lines skipped.
 * NULL after an error at "options" (or no memory). */
static struct option_line *
options_parse(struct form_check *fc, const char *text, size_t *n)
{
	struct option_line *lines;
	const char *all, *de, *en;
	char *copy, *line, *next, *bar;
	size_t i;

	*n = 0;
	all = admin_form_text(fc, "options", text,
	    (size_t)ADMIN_OPTIONS_MAX * (2 * ADMIN_TITLE_MAX + 4), true, false);
	if (all == NULL)
		return NULL;
	copy = arena_strdup(fc->ctx->arena, all);
	lines = arena_calloc(fc->ctx->arena, ADMIN_OPTIONS_MAX + 1,
	    sizeof(*lines));
	if (copy == NULL || lines == NULL) {
		fc->nomem = true;
		return NULL;
	}
	for (line = copy; line != NULL; line = next) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		bar = strchr(line, '|');
		if (bar != NULL)
			*bar = '\0';
		de = str_trim(line);
		en = bar != NULL ? str_trim(bar + 1) : "";
		if (*de == '\0' && *en == '\0')
			continue;
		if (*n == ADMIN_OPTIONS_MAX) {
			admin_form_error(fc, "options", "err_too_many",
			    ADMIN_OPTIONS_MAX);
			return NULL;
		}
		if (*de == '\0' ||
		    utf8_length(de, strlen(de)) > ADMIN_TITLE_MAX ||
		    utf8_length(en, strlen(en)) > ADMIN_TITLE_MAX) {
			admin_form_error(fc, "options",
			    *de == '\0' ? "err_option_label" : "err_too_long",
			    ADMIN_TITLE_MAX);
			return NULL;
		}
		for (i = 0; i < *n; i++)
			if (same_name(fc->ctx, lines[i].label_de, de)) {
				admin_form_error(fc, "options",
				    "err_option_exists", 0);
				return NULL;
			}
		lines[(*n)++] = (struct option_line){ de, en };
	}
	if (*n == 0)
		admin_form_error(fc, "options", "err_select_needs_option", 0);
	return *n > 0 ? lines : NULL;
}

/* Inserts a new select's options with values made from their labels. */
static enum zek_rc
options_insert(struct zctx *ctx, int64_t field_id,
    const struct option_line *lines, size_t n)
{
	const char **values;
	struct store_option o;
	enum zek_rc rc = ZEK_OK;
	size_t i;

	values = arena_calloc(ctx->arena, n > 0 ? n : 1, sizeof(*values));
	if (values == NULL)
		return ZEK_NOMEM;
	for (i = 0; rc == ZEK_OK && i < n; i++) {
		values[i] = key_from_label(ctx, lines[i].label_de, values, i);
		if (values[i] == NULL)
			return ZEK_NOMEM;
		o = (struct store_option){ .field_id = field_id,
			.value = values[i],
			.label_de = lines[i].label_de,
			.label_en = lines[i].label_en,
			.position = (int64_t)i };
		rc = store_option_insert(ctx->db, &o, NULL);
	}
	return rc;
}

/* What only a new field's form says: kind, object kind and options. */
struct field_shape {
	enum field_kind kind;
	const char *object_kind;
	struct option_line *options;
	size_t noptions;
};

static bool
field_shape_check(struct form_check *fc, const struct admin_field_form *f,
    struct field_shape *sh)
{
	*sh = (struct field_shape){ .object_kind = "" };
	if (!field_kind_from_name(f->kind != NULL ? f->kind : "", &sh->kind)) {
		admin_form_error(fc, "kind", "err_required", 0);
		return false;
	}
	if (sh->kind == FIELD_OBJECT) {
		if (!core_object_kind_valid(
		        f->object_kind != NULL ? f->object_kind : "")) {
			admin_form_error(fc, "object_kind", "err_required", 0);
			return false;
		}
		sh->object_kind = f->object_kind;
	}
	if (sh->kind == FIELD_SELECT) {
		sh->options = options_parse(fc, f->options, &sh->noptions);
		return sh->options != NULL;
	}
	return true;
}

static const char **
field_keys(struct zctx *ctx, const struct store_field *fields, size_t n)
{
	const char **keys = arena_calloc(ctx->arena, n > 0 ? n : 1,
	    sizeof(*keys));
	size_t i;

	for (i = 0; keys != NULL && i < n; i++)
		keys[i] = fields[i].key;
	return keys;
}

enum zek_rc
core_admin_field_add(struct zctx *ctx, const struct user *actor,
    int64_t type_id, const struct admin_field_form *f, struct field_error *errs,
    size_t *nerrs, int64_t *id_out)
{
	struct form_check fc = { ctx, errs, nerrs, false };
	struct change_list cl = { .ctx = ctx, .actor = actor };
	struct store_field *fields = NULL, nf;
	struct store_reqtype *t;
	struct field_shape sh;
	struct field_texts v;
	const char **keys = NULL;
	int64_t id = 0;
	enum zek_rc rc;
	size_t n = 0, self;
	bool shape_ok;

	*nerrs = 0;
	if (!admin_actor_ok(actor))
		return ZEK_NOTFOUND;
	rc = store_reqtype_get(ctx->db, ctx->arena, type_id, &t);
	if (rc != ZEK_OK)
		return rc;
	shape_ok = field_shape_check(&fc, f, &sh);
	if (!field_texts_check(&fc, f, &v) || !shape_ok)
		return checked(&fc);
	rc = form_begin(ctx, f->version);
	if (rc == ZEK_OK)
		rc = type_fields(ctx, type_id, 0, &t, &fields, &n, &self);
	if (rc == ZEK_OK && n >= ADMIN_FIELDS_MAX) {
		admin_form_error(&fc, "label_de", "err_too_many",
		    ADMIN_FIELDS_MAX);
		rc = ZEK_INVALID;
	}
	if (rc == ZEK_OK)
		rc = field_label_free(&fc, fields, n, v.label_de, 0);
	if (rc == ZEK_OK && (keys = field_keys(ctx, fields, n)) == NULL)
		rc = ZEK_NOMEM;
	if (rc == ZEK_OK) {
		nf = (struct store_field){ .type_id = type_id,
			.kind = field_kind_name(sh.kind),
			.label_de = v.label_de,
			.label_en = v.label_en,
			.help_de = v.help_de,
			.help_en = v.help_en,
			.placeholder_de = v.placeholder_de,
			.placeholder_en = v.placeholder_en,
			.checkbox_label_de = v.checkbox_label_de,
			.checkbox_label_en = v.checkbox_label_en,
			.required = f->required,
			.object_kind = sh.object_kind,
			.multiple = sh.kind == FIELD_OBJECT && f->multiple,
			.position = n > 0 ? fields[n - 1].position + 1 : 0 };
		nf.key = key_from_label(ctx, v.label_de, keys, n);
		rc = nf.key != NULL ? store_field_insert(ctx->db, &nf, &id) :
		                      ZEK_NOMEM;
	}
	if (rc == ZEK_OK && sh.kind == FIELD_SELECT)
		rc = options_insert(ctx, id, sh.options, sh.noptions);
	if (rc == ZEK_OK) {
		cl.target = t->name_de;
		admin_change_text(&cl, "field_added", "", v.label_de);
		rc = admin_change_rows(&cl);
	}
	rc = store_finish(ctx->db, rc);
	if (rc == ZEK_OK && id_out != NULL)
		*id_out = id;
	return rc;
}

/* The field's type, its fields and the field's index in them. */
static enum zek_rc
field_and_mates(struct zctx *ctx, int64_t field_id, struct store_reqtype **t,
    struct store_field **fields, size_t *n, size_t *self)
{
	struct store_field *sf;
	enum zek_rc rc;

	rc = store_field_get(ctx->db, ctx->arena, field_id, &sf);
	if (rc == ZEK_OK)
		rc = type_fields(ctx, sf->type_id, field_id, t, fields, n,
		    self);
	if (rc == ZEK_OK && *self == *n)
		rc = ZEK_NOTFOUND;
	return rc;
}

enum zek_rc
core_admin_field_save(struct zctx *ctx, const struct user *actor,
    int64_t field_id, const struct admin_field_form *f,
    struct field_error *errs, size_t *nerrs)
{
	struct form_check fc = { ctx, errs, nerrs, false };
	struct change_list cl = { .ctx = ctx, .actor = actor };
	struct store_field *fields, *sf;
	struct store_reqtype *t;
	struct field_texts v;
	enum zek_rc rc;
	size_t n, i;

	*nerrs = 0;
	if (!admin_actor_ok(actor))
		return ZEK_NOTFOUND;
	if (!field_texts_check(&fc, f, &v))
		return checked(&fc);
	rc = form_begin(ctx, f->version);
	if (rc == ZEK_OK)
		rc = field_and_mates(ctx, field_id, &t, &fields, &n, &i);
	if (rc == ZEK_OK)
		rc = field_label_free(&fc, fields, n, v.label_de, field_id);
	if (rc == ZEK_OK && field_fixed(fields[i].key) && f->hidden) {
		admin_form_error(&fc, "hidden", "err_field_fixed", 0);
		rc = ZEK_INVALID;
	}
	if (rc == ZEK_OK && str_eq(fields[i].key, SUMMARY_KEY) &&
	    !f->required) {
		admin_form_error(&fc, "required", "err_field_fixed", 0);
		rc = ZEK_INVALID;
	}
	if (rc != ZEK_OK)
		return store_finish(ctx->db, rc);
	sf = &fields[i];
	cl.target = field_target(ctx, t, sf->label_de);
	admin_change_text(&cl, "field_label_de", sf->label_de, v.label_de);
	admin_change_text(&cl, "field_label_en", sf->label_en, v.label_en);
	admin_change_text(&cl, "field_help_de", sf->help_de, v.help_de);
	admin_change_text(&cl, "field_help_en", sf->help_en, v.help_en);
	admin_change_text(&cl, "field_placeholder_de", sf->placeholder_de,
	    v.placeholder_de);
	admin_change_text(&cl, "field_placeholder_en", sf->placeholder_en,
	    v.placeholder_en);
	admin_change_text(&cl, "field_checkbox_label_de", sf->checkbox_label_de,
	    v.checkbox_label_de);
	admin_change_text(&cl, "field_checkbox_label_en", sf->checkbox_label_en,
	    v.checkbox_label_en);
	admin_change_text(&cl, "field_required", bool_text(sf->required),
	    bool_text(f->required));
	admin_change_text(&cl, "field_hidden", bool_text(sf->hidden),
	    bool_text(f->hidden));
	if (cl.n == 0)
		return unchanged(ctx);
	sf->label_de = v.label_de;
	sf->label_en = v.label_en;
	sf->help_de = v.help_de;
	sf->help_en = v.help_en;
	sf->placeholder_de = v.placeholder_de;
	sf->placeholder_en = v.placeholder_en;
	sf->checkbox_label_de = v.checkbox_label_de;
	sf->checkbox_label_en = v.checkbox_label_en;
	sf->required = f->required;
	sf->hidden = f->hidden;
	rc = store_field_update(ctx->db, sf);
	if (rc == ZEK_OK)
		rc = admin_change_rows(&cl);
	return store_finish(ctx->db, rc);
}

/* Field `id` and the other fields of its type, for a move. */
static enum zek_rc
field_move_load(struct zctx *ctx, int64_t id, struct move_set *m)
{
	struct store_field *fields;
	struct store_reqtype *t;
	enum zek_rc rc;

	rc = field_and_mates(ctx, id, &t, &fields, &m->n, &m->self);
	if (rc == ZEK_OK) {
		m->base = fields;
		m->target = field_target(ctx, t, fields[m->self].label_de);
	}
	return rc;
}

static const struct move_kind field_moves = { "field_moved",
	sizeof(struct store_field), offsetof(struct store_field, position),
	field_position, field_move_load };

enum zek_rc
core_admin_field_move(struct zctx *ctx, const struct user *actor,
    int64_t field_id, enum admin_move dir)
{
	return move_one(ctx, actor, &field_moves, field_id, dir);
}

/* ---- options of a select ---- */

static enum zek_rc
option_position(struct zctx *ctx, void *elem)
{
	return store_option_update(ctx->db, elem);
}

/* A select's options (retired included) and where the change is made:
 * "Type › Field". With option_id, *self is its index (n: not there). */
struct select_options {
	struct store_field *field;
	struct store_option *opts;
	size_t n;
	size_t self;
	const char *target;
};

static enum zek_rc
select_options_load(struct zctx *ctx, int64_t field_id, int64_t option_id,
    struct select_options *so)
{
	struct store_option *all;
	struct store_reqtype *t;
	enum zek_rc rc;
	size_t i, n;

	*so = (struct select_options){ 0 };
	rc = store_field_get(ctx->db, ctx->arena, field_id, &so->field);
	if (rc == ZEK_OK && !str_eq(so->field->kind, "select"))
		rc = ZEK_NOTFOUND;
	if (rc == ZEK_OK)
		rc = store_reqtype_get(ctx->db, ctx->arena, so->field->type_id,
		    &t);
	if (rc == ZEK_OK)
		rc = store_options_by_type(ctx->db, ctx->arena, t->id, &all,
		    &n);
	if (rc != ZEK_OK)
		return rc;
	so->target = field_target(ctx, t, so->field->label_de);
	so->opts = arena_calloc(ctx->arena, n > 0 ? n : 1, sizeof(*so->opts));
	if (so->opts == NULL || so->target == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < n; i++)
		if (all[i].field_id == field_id)
			so->opts[so->n++] = all[i];
	for (so->self = 0;
	     so->self < so->n && so->opts[so->self].id != option_id; so->self++)
		;
	return ZEK_OK;
}

/* The option's select, for calls that name the option. */
static enum zek_rc
option_select_load(struct zctx *ctx, int64_t option_id,
    struct select_options *so)
{
	struct store_option *o;
	enum zek_rc rc;

	rc = store_option_get(ctx->db, ctx->arena, option_id, &o);
	if (rc == ZEK_OK)
		rc = select_options_load(ctx, o->field_id, option_id, so);
	if (rc == ZEK_OK && so->self == so->n)
		rc = ZEK_NOTFOUND;
	return rc;
}

static bool
option_labels(struct form_check *fc, const struct admin_option_form *f,
    const char **de, const char **en)
{
	*de = admin_form_text(fc, "label_de", f->label_de, ADMIN_TITLE_MAX,
	    false, true);
	*en = admin_form_text(fc, "label_en", f->label_en, ADMIN_TITLE_MAX,
	    false, false);
	return *de != NULL && *en != NULL;
}

static enum zek_rc
option_label_free(struct form_check *fc, const struct select_options *so,
    const char *label, int64_t self)
{
	size_t i;

	for (i = 0; i < so->n; i++)
		if (so->opts[i].id != self &&
		    same_name(fc->ctx, so->opts[i].label_de, label)) {
			admin_form_error(fc, "label_de", "err_option_exists",
			    0);
			return ZEK_INVALID;
		}
	return ZEK_OK;
}

enum zek_rc
core_admin_option_add(struct zctx *ctx, const struct user *actor,
    int64_t field_id, const struct admin_option_form *f,
    struct field_error *errs, size_t *nerrs)
{
	struct form_check fc = { ctx, errs, nerrs, false };
	struct change_list cl = { .ctx = ctx, .actor = actor };
	struct select_options so;
	struct store_option o;
	const char *de, *en, **values;
	enum zek_rc rc;
	size_t i;

	*nerrs = 0;
	if (!admin_actor_ok(actor))
		return ZEK_NOTFOUND;
	rc = select_options_load(ctx, field_id, 0, &so);
	if (rc != ZEK_OK)
		return rc;
	if (!option_labels(&fc, f, &de, &en))
		return checked(&fc);
	rc = form_begin(ctx, f->version);
	if (rc == ZEK_OK)
		rc = select_options_load(ctx, field_id, 0, &so);
	if (rc == ZEK_OK && so.n >= ADMIN_OPTIONS_MAX) {
		admin_form_error(&fc, "label_de", "err_too_many",
		    ADMIN_OPTIONS_MAX);
		rc = ZEK_INVALID;
	}
	if (rc == ZEK_OK)
		rc = option_label_free(&fc, &so, de, 0);
	if (rc != ZEK_OK)
		return store_finish(ctx->db, rc);
	values = arena_calloc(ctx->arena, so.n + 1, sizeof(*values));
	for (i = 0; values != NULL && i < so.n; i++)
		values[i] = so.opts[i].value;
	o = (struct store_option){ .field_id = field_id,
		.label_de = de,
		.label_en = en,
		.position = so.n > 0 ? so.opts[so.n - 1].position + 1 : 0 };
	o.value = values != NULL ? key_from_label(ctx, de, values, so.n) : NULL;
	rc = o.value != NULL ? store_option_insert(ctx->db, &o, NULL) :
	                       ZEK_NOMEM;
	if (rc == ZEK_OK) {
		cl.target = so.target;
		admin_change_text(&cl, "option_added", "", de);
		rc = admin_change_rows(&cl);
	}
	return store_finish(ctx->db, rc);
}

enum zek_rc
core_admin_option_save(struct zctx *ctx, const struct user *actor,
    int64_t option_id, const struct admin_option_form *f,
    struct field_error *errs, size_t *nerrs)
{
	struct form_check fc = { ctx, errs, nerrs, false };
	struct change_list cl = { .ctx = ctx, .actor = actor };
	struct select_options so;
	struct store_option *o;
	const char *de, *en;
	enum zek_rc rc;

	*nerrs = 0;
	if (!admin_actor_ok(actor))
		return ZEK_NOTFOUND;
	if (!option_labels(&fc, f, &de, &en))
		return checked(&fc);
	rc = form_begin(ctx, f->version);
	if (rc == ZEK_OK)
		rc = option_select_load(ctx, option_id, &so);
	if (rc == ZEK_OK)
		rc = option_label_free(&fc, &so, de, option_id);
	if (rc != ZEK_OK)
		return store_finish(ctx->db, rc);
	o = &so.opts[so.self];
	cl.target = so.target;
	admin_change_text(&cl, "option_label_de", o->label_de, de);
	admin_change_text(&cl, "option_label_en", o->label_en, en);
	if (cl.n == 0)
		return unchanged(ctx);
	o->label_de = de;
	o->label_en = en;
	rc = store_option_update(ctx->db, o);
	if (rc == ZEK_OK)
		rc = admin_change_rows(&cl);
	return store_finish(ctx->db, rc);
}

/* Option `id` and the other options of its select, for a move. */
static enum zek_rc
option_move_load(struct zctx *ctx, int64_t id, struct move_set *m)
{
	struct select_options so;
	enum zek_rc rc;

	rc = option_select_load(ctx, id, &so);
	if (rc == ZEK_OK) {
		m->base = so.opts;
		m->n = so.n;
		m->self = so.self;
		m->target = arena_printf(ctx->arena, "%s \xe2\x80\xba %s",
		    so.target, so.opts[so.self].label_de);
	}
	return rc;
}

static const struct move_kind option_moves = { "option_moved",
	sizeof(struct store_option), offsetof(struct store_option, position),
	option_position, option_move_load };

enum zek_rc
core_admin_option_move(struct zctx *ctx, const struct user *actor,
    int64_t option_id, enum admin_move dir)
{
	return move_one(ctx, actor, &option_moves, option_id, dir);
}

enum zek_rc
core_admin_option_retire(struct zctx *ctx, const struct user *actor,
    int64_t option_id, bool retire, struct field_error *err)
{
	struct change_list cl = { .ctx = ctx, .actor = actor };
	struct select_options so;
	struct store_option *o;
	enum zek_rc rc;
	size_t i, offered = 0;

	*err = (struct field_error){ 0 };
	if (!admin_actor_ok(actor))
		return ZEK_NOTFOUND;
	rc = change_begin(ctx, -1);
	if (rc == ZEK_OK)
		rc = option_select_load(ctx, option_id, &so);
	if (rc != ZEK_OK)
		return store_finish(ctx->db, rc);
	o = &so.opts[so.self];
	if (o->retired == retire)
		return unchanged(ctx);
	for (i = 0; i < so.n; i++)
		offered += !so.opts[i].retired && i != so.self;
	if (retire && offered == 0) {
		*err = (struct field_error){ .field = "options",
			.key = "err_select_needs_option" };
		return store_finish(ctx->db, ZEK_INVALID);
	}
	o->retired = retire;
	rc = store_option_update(ctx->db, o);
	if (rc == ZEK_OK) {
		cl.target = so.target;
		admin_change_text(&cl,
		    retire ? "option_retired" : "option_restored", "",
		    o->label_de);
		rc = admin_change_rows(&cl);
	}
	return store_finish(ctx->db, rc);
}
