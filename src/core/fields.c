/* fields.c: request types and their fields, loaded from the configuration tables. */
#include "core/fields.h"

#include "core/internal.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "store/store.h"

static const char *const kind_names[FIELD_KIND_MAX] = {
	[FIELD_TEXT] = "text",
	[FIELD_RICHTEXT] = "richtext",
	[FIELD_TEXTAREA] = "textarea",
	[FIELD_SELECT] = "select",
	[FIELD_CHECKBOX] = "checkbox",
	[FIELD_DATETIME] = "datetime",
	[FIELD_URL] = "url",
	[FIELD_OBJECT] = "object",
	[FIELD_ATTACHMENT] = "attachment",
};

const char *
field_kind_name(enum field_kind k)
{
	return k < FIELD_KIND_MAX ? kind_names[k] : "";
}

bool
field_kind_from_name(const char *name, enum field_kind *out)
{
	size_t i;

	for (i = 0; i < FIELD_KIND_MAX; i++) {
		if (str_eq(name, kind_names[i])) {
			*out = (enum field_kind)i;
			return true;
		}
	}
	return false;
}

static enum zek_rc
load_fields(struct zctx *ctx, int64_t type_id, const char *lang,
    struct reqtype *t)
{
	struct store_field *sf;
	struct store_option *so;
	struct field *f;
	enum zek_rc rc;
	size_t i, j, nf, no;

	rc = store_fields_by_type(ctx->db, ctx->arena, type_id, &sf, &nf);
	if (rc == ZEK_OK)
		rc = store_options_by_type(ctx->db, ctx->arena, type_id, &so,
		    &no);
	if (rc != ZEK_OK)
		return rc;
	t->fields = arena_calloc(ctx->arena, nf > 0 ? nf : 1, sizeof(*f));
	if (t->fields == NULL)
		return ZEK_NOMEM;
	t->nfields = nf;
	for (i = 0; i < nf; i++) {
		f = &t->fields[i];
		if (!field_kind_from_name(sf[i].kind, &f->kind))
			return ZEK_IO; /* the schema's CHECK forbids this */
		f->id = sf[i].id;
		f->key = sf[i].key;
		f->label = core_pick(lang, sf[i].label_de, sf[i].label_en);
		f->help = core_pick(lang, sf[i].help_de, sf[i].help_en);
		f->placeholder = core_pick(lang, sf[i].placeholder_de,
		    sf[i].placeholder_en);
		f->required = sf[i].required;
		f->object_kind = sf[i].object_kind;
		f->multiple = sf[i].multiple;
		f->checkbox_label = core_pick(lang, sf[i].checkbox_label_de,
		    sf[i].checkbox_label_en);
		f->hidden = sf[i].hidden;
		for (j = 0; j < no; j++)
			if (so[j].field_id == f->id)
				f->noptions++;
		if (f->noptions == 0)
			continue;
		f->options = arena_calloc(ctx->arena, f->noptions,
		    sizeof(*f->options));
		if (f->options == NULL)
			return ZEK_NOMEM;
		f->noptions = 0;
		for (j = 0; j < no; j++) {
			if (so[j].field_id != f->id)
				continue;
			f->options[f->noptions].value = so[j].value;
			f->options[f->noptions].label = core_pick(lang,
			    so[j].label_de, so[j].label_en);
			f->options[f->noptions].retired = so[j].retired;
			f->noptions++;
		}
	}
	return ZEK_OK;
}

/* A request type read once in a call (zctx.types). */
struct reqtype_memo {
	struct reqtype_memo *next;
	const char *lang;
	struct reqtype *t;
};

static struct reqtype *
memo_find(const struct zctx *ctx, int64_t type_id, const char *lang)
{
	const struct reqtype_memo *m;

	for (m = ctx->types; m != NULL; m = m->next)
		if (m->t->id == type_id && str_eq(m->lang, lang))
			return m->t;
	return NULL;
}

static enum zek_rc
memo_keep(struct zctx *ctx, const char *lang, struct reqtype *t)
{
	struct reqtype_memo *m = arena_calloc(ctx->arena, 1, sizeof(*m));

	if (m == NULL)
		return ZEK_NOMEM;
	*m = (struct reqtype_memo){ .next = ctx->types, .lang = lang, .t = t };
	ctx->types = m;
	return ZEK_OK;
}

enum zek_rc
core_reqtype_load(struct zctx *ctx, int64_t type_id, const char *lang,
    struct reqtype **out)
{
	struct store_reqtype *st;
	struct store_desk *d;
	struct reqtype *t;
	enum zek_rc rc;

	lang = core_lang(lang);
	if ((t = memo_find(ctx, type_id, lang)) != NULL) {
		*out = t;
		return ZEK_OK;
	}
	rc = store_reqtype_get(ctx->db, ctx->arena, type_id, &st);
	if (rc == ZEK_OK)
		rc = store_desk_by_id(ctx->db, ctx->arena, st->desk_id, &d);
	if (rc != ZEK_OK)
		return rc;
	t = arena_calloc(ctx->arena, 1, sizeof(*t));
	if (t == NULL)
		return ZEK_NOMEM;
	t->id = st->id;
	t->portal_id = d->portal_id;
	t->desk_id = d->id;
	t->group_id = st->group_id;
	t->name = core_pick(lang, st->name_de, st->name_en);
	t->description = core_pick(lang, st->description_de,
	    st->description_en);
	t->icon = st->icon;
	t->hidden = st->hidden;
	t->desk_name = d->name;
	rc = load_fields(ctx, type_id, lang, t);
	if (rc == ZEK_OK)
		rc = memo_keep(ctx, lang, t);
	if (rc == ZEK_OK)
		*out = t;
	return rc;
}

enum zek_rc
core_reqtype_get(struct zctx *ctx, int64_t portal_id, int64_t type_id,
    const char *lang, struct reqtype **out)
{
	struct reqtype *t;
	enum zek_rc rc;

	rc = core_reqtype_load(ctx, type_id, lang, &t);
	if (rc != ZEK_OK)
		return rc;
	if (t->portal_id != portal_id)
		return ZEK_NOTFOUND;
	*out = t;
	return ZEK_OK;
}

/* A copy of field f that offers only the options not retired. */
static enum zek_rc
field_offered(struct zctx *ctx, const struct field *f, struct field *out)
{
	size_t i;

	*out = *f;
	out->noptions = 0;
	out->options = arena_calloc(ctx->arena,
	    f->noptions > 0 ? f->noptions : 1, sizeof(*out->options));
	if (out->options == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < f->noptions; i++)
		if (!f->options[i].retired)
			out->options[out->noptions++] = f->options[i];
	return ZEK_OK;
}

/* A copy of `all` with the fields a form offers: not hidden, not of a
 * kind `skip` names (FIELD_KIND_MAX: none), without retired options. */
static enum zek_rc
reqtype_form(struct zctx *ctx, const struct reqtype *all, enum field_kind skip,
    struct reqtype **out)
{
	struct reqtype *t;
	enum zek_rc rc = ZEK_OK;
	size_t i;

	t = arena_calloc(ctx->arena, 1, sizeof(*t));
	if (t == NULL)
		return ZEK_NOMEM;
	*t = *all;
	t->nfields = 0;
	t->fields = arena_calloc(ctx->arena,
	    all->nfields > 0 ? all->nfields : 1, sizeof(*t->fields));
	if (t->fields == NULL)
		return ZEK_NOMEM;
	for (i = 0; rc == ZEK_OK && i < all->nfields; i++)
		if (!all->fields[i].hidden && all->fields[i].kind != skip)
			rc = field_offered(ctx, &all->fields[i],
			    &t->fields[t->nfields++]);
	if (rc == ZEK_OK)
		*out = t;
	return rc;
}

enum zek_rc
core_reqtype_offered(struct zctx *ctx, int64_t portal_id, int64_t type_id,
    const char *lang, struct reqtype **out)
{
	struct reqtype *all;
	enum zek_rc rc;

	rc = core_reqtype_get(ctx, portal_id, type_id, lang, &all);
	if (rc != ZEK_OK)
		return rc;
	if (all->hidden)
		return ZEK_NOTFOUND;
	return reqtype_form(ctx, all, FIELD_KIND_MAX, out);
}

enum zek_rc
core_reqtype_editable(struct zctx *ctx, int64_t type_id, const char *lang,
    struct reqtype **out)
{
	struct reqtype *all;
	enum zek_rc rc;

	rc = core_reqtype_load(ctx, type_id, lang, &all);
	if (rc != ZEK_OK)
		return rc;
	/* Files are added with a comment, not by editing. */
	return reqtype_form(ctx, all, FIELD_ATTACHMENT, out);
}

const struct field *
core_reqtype_field(const struct reqtype *t, const char *key)
{
	size_t i;

	for (i = 0; i < t->nfields; i++)
		if (str_eq(t->fields[i].key, key))
			return &t->fields[i];
	return NULL;
}
