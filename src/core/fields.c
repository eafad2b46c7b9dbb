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

STR_TABLE_FUNCS(enum field_kind, kind_names, FIELD_KIND_MAX, field_kind_name,
    field_kind_from_name)

/* A request type's rows as read in a call: each language's reqtype is
 * made from them, and the create reads the type's own row from them. */
struct reqtype_rows {
	struct store_reqtype *st;
	struct store_desk *d;
	struct store_field *sf;
	struct store_option *so;
	size_t nf, no;
};

static enum zek_rc
rows_read(struct zctx *ctx, int64_t type_id, struct reqtype_rows **out)
{
	struct reqtype_rows *r = arena_calloc(ctx->arena, 1, sizeof(*r));
	enum zek_rc rc;

	if (r == NULL)
		return ZEK_NOMEM;
	rc = store_reqtype_get(ctx->db, ctx->arena, type_id, &r->st);
	if (rc == ZEK_OK)
		rc = store_desk_by_id(ctx->db, ctx->arena, r->st->desk_id,
		    &r->d);
	if (rc == ZEK_OK)
		rc = store_fields_by_type(ctx->db, ctx->arena, type_id, &r->sf,
		    &r->nf);
	if (rc == ZEK_OK)
		rc = store_options_by_type(ctx->db, ctx->arena, type_id, &r->so,
		    &r->no);
	*out = r;
	return rc;
}

/* Field i of the rows in language lang, with its options. */
static enum zek_rc
field_of_rows(struct zctx *ctx, const struct reqtype_rows *r, size_t i,
    const char *lang, struct field *f)
{
	const struct store_field *sf = &r->sf[i];
	size_t j;

	if (!field_kind_from_name(sf->kind, &f->kind))
		return ZEK_IO; /* the schema's CHECK forbids this */
	f->id = sf->id;
	f->key = sf->key;
	f->label = core_pick(lang, sf->label_de, sf->label_en);
	f->help = core_pick(lang, sf->help_de, sf->help_en);
	f->placeholder = core_pick(lang, sf->placeholder_de,
	    sf->placeholder_en);
	f->required = sf->required;
	f->object_kind = sf->object_kind;
	f->multiple = sf->multiple;
	f->checkbox_label = core_pick(lang, sf->checkbox_label_de,
	    sf->checkbox_label_en);
	f->hidden = sf->hidden;
	for (j = 0; j < r->no; j++)
		if (r->so[j].field_id == f->id)
			f->noptions++;
	if (f->noptions == 0)
		return ZEK_OK;
	f->options = arena_calloc(ctx->arena, f->noptions, sizeof(*f->options));
	if (f->options == NULL)
		return ZEK_NOMEM;
	f->noptions = 0;
	for (j = 0; j < r->no; j++) {
		if (r->so[j].field_id != f->id)
			continue;
		f->options[f->noptions].value = r->so[j].value;
		f->options[f->noptions].label = core_pick(lang,
		    r->so[j].label_de, r->so[j].label_en);
		f->options[f->noptions].retired = r->so[j].retired;
		f->noptions++;
	}
	return ZEK_OK;
}

/* The type of the rows in language lang. */
static enum zek_rc
reqtype_of_rows(struct zctx *ctx, const struct reqtype_rows *r,
    const char *lang, struct reqtype **out)
{
	const struct store_reqtype *st = r->st;
	struct reqtype *t = arena_calloc(ctx->arena, 1, sizeof(*t));
	enum zek_rc rc = ZEK_OK;
	size_t i;

	if (t != NULL)
		t->fields = arena_calloc(ctx->arena, r->nf > 0 ? r->nf : 1,
		    sizeof(*t->fields));
	if (t == NULL || t->fields == NULL)
		return ZEK_NOMEM;
	t->id = st->id;
	t->portal_id = r->d->portal_id;
	t->desk_id = r->d->id;
	t->group_id = st->group_id;
	t->name = core_pick(lang, st->name_de, st->name_en);
	t->description = core_pick(lang, st->description_de,
	    st->description_en);
	t->icon = st->icon;
	t->hidden = st->hidden;
	t->desk_name = r->d->name;
	t->nfields = r->nf;
	for (i = 0; rc == ZEK_OK && i < r->nf; i++)
		rc = field_of_rows(ctx, r, i, lang, &t->fields[i]);
	*out = t;
	return rc;
}

/* A request type read once in a call (zctx.types): the rows, and the
 * type made of them in one language. */
struct reqtype_memo {
	struct reqtype_memo *next;
	const char *lang;
	struct reqtype *t;
	const struct reqtype_rows *rows;
};

static const struct reqtype_memo *
memo_find(const struct zctx *ctx, int64_t type_id, const char *lang)
{
	const struct reqtype_memo *m;

	for (m = ctx->types; m != NULL; m = m->next)
		if (m->t->id == type_id &&
		    (lang == NULL || str_eq(m->lang, lang)))
			return m;
	return NULL;
}

static enum zek_rc
memo_keep(struct zctx *ctx, const char *lang, struct reqtype *t,
    const struct reqtype_rows *rows)
{
	struct reqtype_memo *m = arena_calloc(ctx->arena, 1, sizeof(*m));

	if (m == NULL)
		return ZEK_NOMEM;
	*m = (struct reqtype_memo){ .next = ctx->types,
		.lang = lang,
		.t = t,
		.rows = rows };
	ctx->types = m;
	return ZEK_OK;
}

/* The memo of the type in language lang, read (or made of the rows read
 * for another language) when it is not there yet. */
static enum zek_rc
memo_load(struct zctx *ctx, int64_t type_id, const char *lang,
    const struct reqtype_memo **out)
{
	const struct reqtype_memo *m;
	struct reqtype_rows *read;
	const struct reqtype_rows *rows;
	struct reqtype *t;
	enum zek_rc rc;

	if ((m = memo_find(ctx, type_id, lang)) != NULL) {
		*out = m;
		return ZEK_OK;
	}
	/* Another language of it read in this call: the same rows. */
	if ((m = memo_find(ctx, type_id, NULL)) != NULL) {
		rows = m->rows;
	} else {
		rc = rows_read(ctx, type_id, &read);
		if (rc != ZEK_OK)
			return rc;
		rows = read;
	}
	rc = reqtype_of_rows(ctx, rows, lang, &t);
	if (rc == ZEK_OK)
		rc = memo_keep(ctx, lang, t, rows);
	if (rc == ZEK_OK)
		*out = ctx->types;
	return rc;
}

enum zek_rc
core_reqtype_load(struct zctx *ctx, int64_t type_id, const char *lang,
    struct reqtype **out)
{
	const struct reqtype_memo *m;
	enum zek_rc rc;

	rc = memo_load(ctx, type_id, core_lang(lang), &m);
	if (rc == ZEK_OK)
		*out = m->t;
	return rc;
}

enum zek_rc
core_desk_get(struct zctx *ctx, int64_t id, const struct store_desk **out)
{
	const struct reqtype_memo *m;
	struct store_desk *d;
	enum zek_rc rc;

	for (m = ctx->types; m != NULL; m = m->next)
		if (m->rows->d->id == id) {
			*out = m->rows->d;
			return ZEK_OK;
		}
	rc = store_desk_by_id(ctx->db, ctx->arena, id, &d);
	if (rc == ZEK_OK)
		*out = d;
	return rc;
}

enum zek_rc
core_reqtype_stored(struct zctx *ctx, int64_t type_id,
    const struct store_reqtype **st, const struct store_desk **d)
{
	const struct reqtype_memo *m = memo_find(ctx, type_id, NULL);
	enum zek_rc rc = ZEK_OK;

	if (m == NULL)
		rc = memo_load(ctx, type_id, core_lang(NULL), &m);
	if (rc == ZEK_OK) {
		*st = m->rows->st;
		*d = m->rows->d;
	}
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
