/* edit.c: agents edit a request's fields and type; the log of each change;
 * the values a type change left behind ("frühere Angaben"). */
#include "core/edit.h"

#include <string.h>

#include "core/activity.h"
#include "core/internal.h"
#include "core/perm.h"
#include "core/requests.h"
#include "core/reports.h"
#include "core/sla.h"
#include "core/users.h"
#include "core/workflow.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "store/store.h"

#define EDITED_KIND "edited"

/* ---- stored values ---- */

/* The run of `key`'s values among vals (ordered by key, then position). */
static const struct store_value *
run_of_key(const struct store_value *vals, size_t nv, const char *key,
    size_t *n)
{
	size_t first, cnt;

	for (first = 0; first < nv && !str_eq(vals[first].field_key, key);
	     first++)
		;
	for (cnt = 0;
	     first + cnt < nv && str_eq(vals[first + cnt].field_key, key);
	     cnt++)
		;
	*n = cnt;
	return vals + first;
}

/* A run's values as a list of strings. */
static const char **
run_strings(struct zctx *ctx, const struct store_value *run, size_t n)
{
	const char **v = arena_calloc(ctx->arena, n + 1, sizeof(*v));
	size_t i;

	for (i = 0; v != NULL && i < n; i++)
		v[i] = run[i].value;
	return v;
}

/* Stored values of f as its form control sends them. */
static enum zek_rc
stored_as_form(struct zctx *ctx, const struct field *f,
    const struct store_value *run, size_t n, const char *tz,
    struct field_value *out)
{
	const char **v = run_strings(ctx, run, n);
	char local[17];
	int64_t ms;
	size_t i;

	if (v == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < n; i++) {
		if (f->kind == FIELD_CHECKBOX)
			v[i] = "on";
		else if (f->kind == FIELD_DATETIME &&
		    str_to_i64(v[i], INT64_MIN, INT64_MAX, &ms) == 0 &&
		    core_format_local_datetime(ms, tz, local) == ZEK_OK &&
		    (v[i] = arena_strdup(ctx->arena, local)) == NULL)
			return ZEK_NOMEM;
	}
	*out = (struct field_value){ .key = f->key, .values = v, .nvalues = n };
	return ZEK_OK;
}

/* Whether two lists hold the same values; an object field's in any order
 * (a multiple select sends them in the list's order). */
static bool
same_values(const char *const *a, size_t na, const char *const *b, size_t nb,
    bool any_order)
{
	size_t i, j;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++) {
		if (!any_order) {
			if (!str_eq(a[i], b[i]))
				return false;
			continue;
		}
		for (j = 0; j < nb && !str_eq(a[i], b[j]); j++)
			;
		if (j == nb)
			return false;
	}
	return true;
}

/* The non-empty values of a submitted field. */
static size_t
filled(struct zctx *ctx, const struct field_value *fv, const char ***out)
{
	size_t i, n = 0;

	*out = arena_calloc(ctx->arena, fv != NULL ? fv->nvalues + 1 : 1,
	    sizeof(**out));
	if (*out == NULL || fv == NULL)
		return 0;
	for (i = 0; i < fv->nvalues; i++)
		if (!str_empty(fv->values[i]))
			(*out)[n++] = fv->values[i];
	return n;
}

/* Values joined by line feeds, as the log keeps them. */
static const char *
joined(struct zctx *ctx, const char *const *v, size_t n)
{
	const char *s = "";
	size_t i;

	for (i = 0; s != NULL && i < n; i++)
		s = i == 0 ? v[0] : arena_printf(ctx->arena, "%s\n%s", s, v[i]);
	return s;
}

/* ---- the types a request may get ---- */

static enum zek_rc
type_choices(struct zctx *ctx, int64_t desk_id, int64_t own, const char *lang,
    struct edit_type_choice **out, size_t *n)
{
	struct core_catalogue cat;
	struct edit_type_choice *c;
	const struct store_reqtype *t;
	enum zek_rc rc;
	size_t i;

	rc = core_catalogue_load(ctx, &cat);
	if (rc != ZEK_OK)
		return rc;
	c = arena_calloc(ctx->arena, cat.ntypes + 1, sizeof(*c));
	if (c == NULL)
		return ZEK_NOMEM;
	*n = 0;
	for (i = 0; i < cat.ntypes; i++) {
		t = &cat.types[i];
		/* Keys are numbered per desk: a request stays in its desk. */
		if (t->desk_id != desk_id || (t->hidden && t->id != own))
			continue;
		c[(*n)++] = (struct edit_type_choice){ t->id,
			core_pick(lang, t->name_de, t->name_en) };
	}
	*out = c;
	return ZEK_OK;
}

static bool
is_choice(const struct edit_type_choice *c, size_t n, int64_t type_id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (c[i].id == type_id)
			return true;
	return false;
}

/* ---- the form ---- */

enum zek_rc
core_request_edit_form(struct zctx *ctx, const struct user *user,
    const char *key, int64_t type_id, const char *lang,
    struct request_edit **out)
{
	const struct store_value *run;
	struct store_value *vals;
	struct request_edit *ed;
	size_t i, nv, nrun;
	enum zek_rc rc;

	if (!perm_is_staff(user))
		return ZEK_FORBIDDEN;
	ed = arena_calloc(ctx->arena, 1, sizeof(*ed));
	if (ed == NULL)
		return ZEK_NOMEM;
	rc = core_request_get(ctx, user, key, lang, &ed->view);
	if (rc == ZEK_OK)
		rc = type_choices(ctx, ed->view->desk_id, ed->view->type_id,
		    lang, &ed->types, &ed->ntypes);
	if (rc != ZEK_OK)
		return rc;
	if (type_id == 0)
		type_id = ed->view->type_id;
	if (!is_choice(ed->types, ed->ntypes, type_id))
		return ZEK_INVALID;
	/* The agent's view shows every change: its updated_at is the row's. */
	ed->version = ed->view->updated_at;
	rc = core_reqtype_editable(ctx, type_id, lang, &ed->type);
	if (rc == ZEK_OK)
		rc = store_values_by_request(ctx->db, ctx->arena, ed->view->id,
		    &vals, &nv);
	if (rc != ZEK_OK)
		return rc;
	ed->values = arena_calloc(ctx->arena, ed->type->nfields + 1,
	    sizeof(*ed->values));
	if (ed->values == NULL)
		return ZEK_NOMEM;
	for (i = 0; rc == ZEK_OK && i < ed->type->nfields; i++) {
		run = run_of_key(vals, nv, ed->type->fields[i].key, &nrun);
		rc = stored_as_form(ctx, &ed->type->fields[i], run, nrun,
		    user->tz, &ed->values[i]);
	}
	if (rc == ZEK_OK)
		*out = ed;
	return rc;
}

/* ---- saving ---- */

static const struct field_value *
input_value(const struct edit_input *in, const char *key)
{
	size_t i;

	for (i = 0; i < in->nvalues; i++)
		if (str_eq(in->values[i].key, key))
			return &in->values[i];
	return NULL;
}

/* What one save works with. */
struct edit_job {
	const struct user *user;
	struct store_request *r;
	const struct edit_input *in;
	struct reqtype *type;     /* the type after the save */
	struct store_value *vals; /* stored before it */
	size_t nvals;
	struct field_value *norm; /* per type->fields[i]: the values after */
	struct core_errs errs;    /* the form's field errors */
};

/* Checks field i: a problem is an error unless the agent sent the value
 * back as it is stored (the form offered what it holds: a retired option,
 * a field that became required since). */
static enum zek_rc
check_field(struct zctx *ctx, struct edit_job *j, size_t i,
    struct core_errs *errs)
{
	const struct field *f = &j->type->fields[i];
	const struct field_value *sent = input_value(j->in, f->key);
	const struct store_value *run;
	struct field_value form;
	struct field_error e;
	const char **got;
	size_t nrun, ngot;
	enum zek_rc rc;

	rc = core_validate_field(ctx, f, sent != NULL ? sent->values : NULL,
	    sent != NULL ? sent->nvalues : 0, j->user->tz, &j->norm[i], &e);
	if (rc != ZEK_INVALID)
		return rc;
	run = run_of_key(j->vals, j->nvals, f->key, &nrun);
	ngot = filled(ctx, sent, &got);
	rc = stored_as_form(ctx, f, run, nrun, j->user->tz, &form);
	if (rc != ZEK_OK)
		return rc;
	if (j->type->id == j->r->type_id &&
	    same_values(got, ngot, form.values, form.nvalues,
	        f->kind == FIELD_OBJECT)) {
		j->norm[i] = (struct field_value){ f->key,
			run_strings(ctx, run, nrun), nrun };
		return j->norm[i].values != NULL ? ZEK_OK : ZEK_NOMEM;
	}
	return core_err_add(ctx, errs, &e);
}

static enum zek_rc
log_edit(struct zctx *ctx, const struct edit_job *j, const char *what,
    const char *old_value, const char *new_value)
{
	struct store_activity e = {
		.request_id = j->r->id,
		.actor_id = j->user->id,
		.kind = EDITED_KIND,
		.action = what,
		.old_value = old_value,
		.new_value = new_value,
		.is_public = false,
		.created_at = ctx->now_ms,
	};

	if (old_value == NULL || new_value == NULL)
		return ZEK_NOMEM;
	return store_activity_insert(ctx->db, &e, NULL);
}

/* Writes field i's new values when they differ from the stored ones. */
static enum zek_rc
write_field(struct zctx *ctx, const struct edit_job *j, size_t i, bool *changed)
{
	const struct field *f = &j->type->fields[i];
	const struct field_value *nv = &j->norm[i];
	const struct store_value *run;
	const char **old;
	size_t nrun, k;
	enum zek_rc rc;

	run = run_of_key(j->vals, j->nvals, f->key, &nrun);
	old = run_strings(ctx, run, nrun);
	if (old == NULL)
		return ZEK_NOMEM;
	if (same_values(old, nrun, nv->values, nv->nvalues, false))
		return ZEK_OK;
	*changed = true;
	rc = store_values_delete(ctx->db, j->r->id, f->key);
	for (k = 0; rc == ZEK_OK && k < nv->nvalues; k++)
		rc = store_value_insert(ctx->db, j->r->id, f->key, (int64_t)k,
		    nv->values[k]);
	if (rc == ZEK_OK)
		rc = log_edit(ctx, j, f->key, joined(ctx, old, nrun),
		    joined(ctx, nv->values, nv->nvalues));
	return rc;
}

/* The writes of a checked edit: the type first, so that the log reads
 * each field's entry through the type it was written for. */
static enum zek_rc
write_edit(struct zctx *ctx, struct edit_job *j)
{
	bool type_changed = j->type->id != j->r->type_id, changed = false;
	const char *title = core_request_title(j->type, j->norm);
	enum zek_rc rc = ZEK_OK;
	size_t i;

	if (type_changed)
		rc = log_edit(ctx, j, EDIT_TYPE_FIELD,
		    arena_printf(ctx->arena, "%lld", (long long)j->r->type_id),
		    arena_printf(ctx->arena, "%lld", (long long)j->type->id));
	for (i = 0; rc == ZEK_OK && i < j->type->nfields; i++)
		rc = write_field(ctx, j, i, &changed);
	/* No text at all (a type without one): the title stays. */
	if (title == NULL)
		title = j->r->title;
	if (rc == ZEK_OK && (type_changed || !str_eq(title, j->r->title)))
		rc = store_request_set_type_title(ctx->db, j->r->id,
		    j->type->id, title);
	/* Customers see the values (not the log): their page changed too. */
	if (rc == ZEK_OK && (type_changed || changed))
		rc = store_request_touch(ctx->db, j->r->id, ctx->now_ms, true);
	/* Another type has other goals (and counts in the reports under
	 * it); other values may name other Online-Dienste. */
	if (rc == ZEK_OK && type_changed)
		rc = core_request_sla_refresh(ctx, j->r->id);
	else if (rc == ZEK_OK && changed)
		rc = core_report_request(ctx, j->r->id);
	return rc;
}

/* core_locked_fn: the save of the edit_job *arg, request r locked; the
 * form's errors (ZEK_INVALID) in its errs. */
static enum zek_rc
edit_locked(struct zctx *ctx, struct store_request *r, unsigned roles,
    void *arg)
{
	struct edit_type_choice *types;
	struct field_error e = { .field = EDIT_TYPE_FIELD,
		.key = "err_invalid_option" };
	struct edit_job *j = arg;
	struct core_errs *errs = &j->errs;
	size_t i, ntypes;
	enum zek_rc rc;

	(void)roles;
	j->r = r;
	if (j->r->updated_at != j->in->version)
		return ZEK_CONFLICT;
	rc = type_choices(ctx, j->r->desk_id, j->r->type_id, j->user->lang,
	    &types, &ntypes);
	if (rc != ZEK_OK)
		return rc;
	if (!is_choice(types, ntypes, j->in->type_id)) {
		rc = core_err_add(ctx, errs, &e);
		return rc == ZEK_OK ? ZEK_INVALID : rc;
	}
	rc = core_reqtype_editable(ctx, j->in->type_id, j->user->lang,
	    &j->type);
	if (rc == ZEK_OK)
		rc = store_values_by_request(ctx->db, ctx->arena, j->r->id,
		    &j->vals, &j->nvals);
	if (rc != ZEK_OK)
		return rc;
	j->norm = arena_calloc(ctx->arena, j->type->nfields + 1,
	    sizeof(*j->norm));
	if (j->norm == NULL)
		return ZEK_NOMEM;
	for (i = 0; rc == ZEK_OK && i < j->type->nfields; i++)
		rc = check_field(ctx, j, i, errs);
	if (rc == ZEK_OK && errs->n > 0)
		return ZEK_INVALID;
	return rc == ZEK_OK ? write_edit(ctx, j) : rc;
}

enum zek_rc
core_request_edit(struct zctx *ctx, const struct user *user, int64_t request_id,
    const struct edit_input *in, struct field_error **errs, size_t *nerrs)
{
	struct edit_job j = { .user = user, .in = in };
	enum zek_rc rc;

	*errs = NULL;
	*nerrs = 0;
	if (!perm_is_staff(user))
		return ZEK_FORBIDDEN;
	rc = core_request_locked(ctx, user, request_id, edit_locked, &j);
	*errs = j.errs.e;
	*nerrs = j.errs.n;
	return rc;
}

/* ---- showing: former values, the log ---- */

/* The field with `key` of the first type of the desk that has one; a
 * plain text field named by its key when none has. */
static enum zek_rc
field_in_desk(struct zctx *ctx, int64_t desk_id, const char *key,
    const char *lang, const struct field **out)
{
	struct core_catalogue cat;
	struct field *plain;
	struct reqtype *t;
	enum zek_rc rc;
	size_t i;

	rc = core_catalogue_load(ctx, &cat);
	for (i = 0; rc == ZEK_OK && i < cat.ntypes; i++) {
		if (cat.types[i].desk_id != desk_id)
			continue;
		rc = core_reqtype_load(ctx, cat.types[i].id, lang, &t);
		if (rc == ZEK_OK && (*out = core_reqtype_field(t, key)) != NULL)
			return ZEK_OK;
	}
	if (rc != ZEK_OK)
		return rc;
	plain = arena_calloc(ctx->arena, 1, sizeof(*plain));
	if (plain == NULL)
		return ZEK_NOMEM;
	*plain = (struct field){ .key = key,
		.kind = FIELD_TEXT,
		.label = key,
		.help = "",
		.placeholder = "",
		.checkbox_label = "" };
	*out = plain;
	return ZEK_OK;
}

enum zek_rc
core_request_former(struct zctx *ctx, const struct request_view *v,
    const char *lang, struct request_field_view **out, size_t *n)
{
	const struct store_value *run, *vals = v->values;
	struct request_field_view *fv;
	const struct field *f;
	struct reqtype *t;
	size_t i, nv = v->nvalues, nrun;
	enum zek_rc rc;

	*n = 0;
	/* The values the view was read with: those its fields show. */
	rc = core_reqtype_load(ctx, v->type_id, lang, &t);
	if (rc != ZEK_OK)
		return rc;
	fv = arena_calloc(ctx->arena, nv + 1, sizeof(*fv));
	if (fv == NULL)
		return ZEK_NOMEM;
	for (i = 0; rc == ZEK_OK && i < nv; i += nrun) {
		run = run_of_key(vals + i, nv - i, vals[i].field_key, &nrun);
		if (core_reqtype_field(t, vals[i].field_key) != NULL)
			continue;
		rc = field_in_desk(ctx, v->desk_id, vals[i].field_key, lang,
		    &f);
		if (rc == ZEK_OK)
			rc = core_field_display(ctx, f,
			    run_strings(ctx, run, nrun), nrun, &fv[*n]);
		if (rc == ZEK_OK && fv[*n].nvalues > 0)
			(*n)++;
	}
	*out = fv;
	return rc;
}

/* A logged value as the list of values it joined: only an object field
 * has several, and only its ids cannot hold a line feed themselves. */
static size_t
split_logged(struct zctx *ctx, const struct field *f, const char *s,
    const char ***out)
{
	char *copy, *p, *nl;
	size_t n = 0;

	*out = arena_calloc(ctx->arena, strlen(s) + 2, sizeof(**out));
	if (*out == NULL || *s == '\0')
		return 0;
	if (f->kind != FIELD_OBJECT) {
		(*out)[n++] = s;
		return n;
	}
	if ((copy = arena_strdup(ctx->arena, s)) == NULL)
		return 0;
	for (p = copy; p != NULL; p = nl) {
		if ((nl = strchr(p, '\n')) != NULL)
			*nl++ = '\0';
		(*out)[n++] = p;
	}
	return n;
}

static enum zek_rc
logged_display(struct zctx *ctx, const struct field *f, const char *s,
    struct request_field_view **out)
{
	const char **vals;
	size_t n;

	*out = arena_calloc(ctx->arena, 1, sizeof(**out));
	if (*out == NULL)
		return ZEK_NOMEM;
	n = split_logged(ctx, f, s, &vals);
	if (vals == NULL)
		return ZEK_NOMEM;
	return core_field_display(ctx, f, vals, n, *out);
}

/* A type change's entry: the two types' names; *type_id becomes the
 * type before it. */
static enum zek_rc
describe_type(struct zctx *ctx, const char *lang, struct activity_entry *e,
    int64_t *type_id)
{
	static const struct field name = { .key = EDIT_TYPE_FIELD,
		.kind = FIELD_TEXT,
		.label = "" };
	struct reqtype *before, *after;
	int64_t old_id, new_id;
	enum zek_rc rc;

	if (str_to_i64(e->old_value, 1, INT64_MAX, &old_id) != 0 ||
	    str_to_i64(e->new_value, 1, INT64_MAX, &new_id) != 0)
		return ZEK_OK; /* not written by zek: shown without values */
	rc = core_reqtype_load(ctx, old_id, lang, &before);
	if (rc == ZEK_OK)
		rc = core_reqtype_load(ctx, new_id, lang, &after);
	if (rc == ZEK_OK)
		rc = logged_display(ctx, &name, before->name, &e->before);
	if (rc == ZEK_OK)
		rc = logged_display(ctx, &name, after->name, &e->after);
	if (rc == ZEK_OK)
		*type_id = old_id;
	return rc == ZEK_NOTFOUND ? ZEK_OK : rc;
}

enum zek_rc
core_activity_describe(struct zctx *ctx, const struct request_view *v,
    const char *lang, struct activity_entry *ents, size_t n)
{
	int64_t type_id = v->type_id;
	const struct field *f;
	struct reqtype *t;
	enum zek_rc rc = ZEK_OK;
	size_t i;

	/* Newest first: walking back, a type change's entry tells the type
	 * the older entries were written for. */
	for (i = 0; rc == ZEK_OK && i < n; i++) {
		struct activity_entry *e = &ents[i];

		if (e->kind != ACTIVITY_EDITED)
			continue;
		if (str_eq(e->what, EDIT_TYPE_FIELD)) {
			rc = describe_type(ctx, lang, e, &type_id);
			continue;
		}
		rc = core_reqtype_load(ctx, type_id, lang, &t);
		if (rc == ZEK_OK &&
		    (f = core_reqtype_field(t, e->what)) == NULL)
			rc = field_in_desk(ctx, v->desk_id, e->what, lang, &f);
		if (rc == ZEK_OK)
			rc = logged_display(ctx, f, e->old_value, &e->before);
		if (rc == ZEK_OK)
			rc = logged_display(ctx, f, e->new_value, &e->after);
		if (rc == ZEK_OK)
			e->field_label = f->label;
	}
	return rc;
}
