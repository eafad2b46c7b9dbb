/* requests.c: creating requests (validation, key allocation) and reading them. */
#include "core/reports.h"
#include "core/requests.h"

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/attachments.h"
#include "core/config.h"
#include "core/internal.h"
#include "core/notify.h"
#include "core/perm.h"
#include "core/sla.h"
#include "core/users.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "store/store.h"

#define KEY_MAX 32 /* "ZEK-123456789" fits easily */
#define CANDIDATES_MAX 50
#define ATTACHMENT_FIELD "attachment"

static enum zek_rc
err_add_key(struct zctx *ctx, struct core_errs *l, const char *field,
    const char *key, int64_t max)
{
	struct field_error e = { .field = field, .key = key, .max = max };

	return core_err_add(ctx, l, &e);
}

enum zek_rc
core_request_visible(struct zctx *ctx, const struct user *user,
    const struct store_request *r, bool *out)
{
	struct perm_request pr = {
		.reporter_id = r->reporter_id,
		.creator_id = r->creator_id,
		.shared_org_id = r->shared_org_id,
	};
	enum zek_rc rc;

	if (user == NULL) {
		*out = false;
		return ZEK_OK;
	}
	/* Only ask the database when the cheap rules do not decide. */
	if (!perm_can_see_request(user, &pr)) {
		rc = store_is_participant(ctx->db, r->id, user->id,
		    &pr.user_is_participant);
		if (rc != ZEK_OK)
			return rc;
	}
	*out = perm_can_see_request(user, &pr);
	return ZEK_OK;
}

/* ---- create ---- */

static const struct field_value *
input_value(const struct create_input *in, const char *key)
{
	size_t i;

	for (i = 0; i < in->nvalues; i++)
		if (str_eq(in->values[i].key, key))
			return &in->values[i];
	return NULL;
}

/* Customers raise for colleagues (customers of a shared organisation);
 * agents for anyone. */
static bool
may_raise_for(const struct user *user, const struct user *r)
{
	return perm_is_staff(user) ||
	    (!perm_is_staff(r) && core_users_share_org(user, r));
}

/* The reporter: the user, or someone the user may raise requests for. */
static enum zek_rc
check_reporter(struct zctx *ctx, const struct user *user,
    const struct create_input *in, const struct user **reporter,
    struct core_errs *errs)
{
	struct user *r;
	enum zek_rc rc;

	*reporter = user;
	if (in->on_behalf_user_id == 0 || in->on_behalf_user_id == user->id)
		return ZEK_OK;
	rc = core_user_get(ctx, in->on_behalf_user_id, &r);
	if (rc == ZEK_NOTFOUND)
		return err_add_key(ctx, errs, "onbehalf",
		    "err_onbehalf_invalid", 0);
	if (rc != ZEK_OK)
		return rc;
	if (!may_raise_for(user, r))
		return err_add_key(ctx, errs, "onbehalf",
		    "err_onbehalf_invalid", 0);
	*reporter = r;
	return ZEK_OK;
}

static enum zek_rc
check_share(struct zctx *ctx, const struct user *reporter,
    const struct create_input *in, struct core_errs *errs)
{
	size_t i;

	if (in->share_org_id == 0)
		return ZEK_OK;
	for (i = 0; i < reporter->norgs; i++)
		if (reporter->org_ids[i] == in->share_org_id)
			return ZEK_OK;
	return err_add_key(ctx, errs, "share", "err_share_invalid", 0);
}

/* Checks the temporary uploads; *tokens gets the distinct valid ones. */
static enum zek_rc
check_attachments(struct zctx *ctx, const struct user *user,
    const struct reqtype *t, const struct create_input *in,
    const char ***tokens, size_t *ntokens, struct core_errs *errs)
{
	const struct field *f = NULL;
	struct store_attachment *sa;
	struct field_error e;
	const char **tok;
	enum zek_rc rc;
	size_t i, j, n = 0;

	for (i = 0; i < t->nfields && f == NULL; i++)
		if (t->fields[i].kind == FIELD_ATTACHMENT)
			f = &t->fields[i];
	*ntokens = 0;
	if (f == NULL) {
		if (in->ntokens > 0)
			return err_add_key(ctx, errs, ATTACHMENT_FIELD,
			    "err_invalid_value", 0);
		return ZEK_OK;
	}
	tok = arena_calloc(ctx->arena, in->ntokens > 0 ? in->ntokens : 1,
	    sizeof(*tok));
	if (tok == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < in->ntokens; i++) {
		if (str_empty(in->attachment_tokens[i]))
			continue;
		for (j = 0; j < n; j++)
			if (str_eq(tok[j], in->attachment_tokens[i]))
				break;
		if (j < n)
			continue;
		rc = core_attachment_temp_find(ctx, user,
		    in->attachment_tokens[i], &sa);
		if (rc == ZEK_NOTFOUND) {
			e = (struct field_error){ .field = f->key,
				.key = "err_upload_expired" };
			return core_err_add(ctx, errs, &e);
		}
		if (rc != ZEK_OK)
			return rc;
		tok[n++] = in->attachment_tokens[i];
	}
	if (n > ctx->cfg->max_files)
		return err_add_key(ctx, errs, f->key, "err_too_many_files",
		    (int64_t)ctx->cfg->max_files);
	if (n == 0 && f->required)
		return err_add_key(ctx, errs, f->key, "err_required", 0);
	*tokens = tok;
	*ntokens = n;
	return ZEK_OK;
}

/* Validates every field; norm[i] holds the stored values of t->fields[i]. */
static enum zek_rc
check_fields(struct zctx *ctx, const struct user *user, const struct reqtype *t,
    const struct create_input *in, struct field_value *norm,
    struct core_errs *errs)
{
	const struct field_value *v;
	struct field_error e;
	enum zek_rc rc;
	size_t i;

	for (i = 0; i < t->nfields; i++) {
		v = input_value(in, t->fields[i].key);
		rc = core_validate_field(ctx, &t->fields[i],
		    v != NULL ? v->values : NULL, v != NULL ? v->nvalues : 0,
		    user->tz, &norm[i], &e);
		if (rc == ZEK_INVALID)
			rc = core_err_add(ctx, errs, &e);
		if (rc != ZEK_OK)
			return rc;
	}
	return ZEK_OK;
}

const char *
core_request_title(const struct reqtype *t, const struct field_value *norm)
{
	size_t i;

	for (i = 0; i < t->nfields; i++)
		if (str_eq(t->fields[i].key, "summary") && norm[i].nvalues > 0)
			return norm[i].values[0];
	for (i = 0; i < t->nfields; i++)
		if (t->fields[i].kind == FIELD_TEXT && norm[i].nvalues > 0)
			return norm[i].values[0];
	return NULL;
}

/* The first entry of the request's activity log, kept in *e for the
 * report counts. */
static enum zek_rc
log_created(struct zctx *ctx, const struct store_request *r,
    struct store_activity *e)
{
	*e = (struct store_activity){
		.request_id = r->id,
		.actor_id = r->creator_id,
		.kind = "created",
		.subject_id = r->reporter_id != r->creator_id ? r->reporter_id :
		                                                0,
		.new_status = r->status,
		.is_public = true,
		.created_at = r->created_at,
	};
	return store_activity_insert(ctx->db, e, NULL);
}

/* Fields by key, as strcmp orders them. */
static int
field_index_by_key(const void *a, const void *b, void *arg)
{
	const struct field *f = arg;

	return strcmp(f[*(const size_t *)a].key, f[*(const size_t *)b].key);
}

/* The Online-Dienste a new request names, ordered by field key as the
 * store reads them back for the reports (store_report_service_values). */
static enum zek_rc
services_named(struct zctx *ctx, const struct reqtype *t,
    const struct field_value *norm, const char ***out, size_t *n)
{
	size_t i, j, nf = 0, total = 0, *idx;

	idx = arena_calloc(ctx->arena, t->nfields + 1, sizeof(*idx));
	for (i = 0; idx != NULL && i < t->nfields; i++)
		if (t->fields[i].kind == FIELD_OBJECT &&
		    str_eq(t->fields[i].object_kind, "online_dienst")) {
			idx[nf++] = i;
			total += norm[i].nvalues;
		}
	*n = 0;
	*out = idx != NULL ?
	    arena_calloc(ctx->arena, total + 1, sizeof(**out)) :
	    NULL;
	if (*out == NULL)
		return ZEK_NOMEM;
	qsort_r(idx, nf, sizeof(*idx), field_index_by_key, t->fields);
	for (i = 0; i < nf; i++)
		for (j = 0; j < norm[idx[i]].nvalues; j++)
			(*out)[(*n)++] = norm[idx[i]].values[j];
	return ZEK_OK;
}

/* What a create writes besides the request's row: its log, values and
 * report counts. */
static enum zek_rc
insert_parts(struct zctx *ctx, const struct store_request *r,
    const struct store_reqtype *st, const struct reqtype *t,
    const struct field_value *norm)
{
	struct store_activity created;
	const char **services;
	size_t i, j, nservices;
	enum zek_rc rc;

	rc = log_created(ctx, r, &created);
	for (i = 0; rc == ZEK_OK && i < t->nfields; i++)
		for (j = 0; rc == ZEK_OK && j < norm[i].nvalues; j++)
			rc = store_value_insert(ctx->db, r->id,
			    t->fields[i].key, (int64_t)j, norm[i].values[j]);
	/* Counted in the reports with the Online-Dienste it names. */
	if (rc == ZEK_OK)
		rc = services_named(ctx, t, norm, &services, &nservices);
	if (rc == ZEK_OK)
		rc = core_report_created(ctx, r, st, &created, services,
		    nservices);
	return rc;
}

/* The writing half of create: one transaction. */
static enum zek_rc
insert_request(struct zctx *ctx, const struct user *user,
    const struct user *reporter, const struct reqtype *t,
    const struct create_input *in, const struct field_value *norm,
    const char **tokens, size_t ntokens, struct core_errs *errs,
    const char **key_out)
{
	const struct store_reqtype *st;
	const struct store_desk *d;
	struct store_request_sla sla;
	struct store_request r;
	const char *title;
	enum zek_rc rc;
	int64_t number;
	size_t i;
	char *key = NULL;

	rc = core_reqtype_stored(ctx, t->id, &st, &d);
	if (rc != ZEK_OK)
		return rc;
	rc = store_begin(ctx->db);
	if (rc != ZEK_OK)
		return rc;
	/* Each process gets its own number, ascending (store.h says when a
	 * failed create leaves a gap). */
	rc = store_desk_next_number(ctx->db, d->id, &number);
	if (rc != ZEK_OK)
		goto out;
	key = arena_printf(ctx->arena, "%s-%lld", d->project_key,
	    (long long)number);
	if (key == NULL) {
		rc = ZEK_NOMEM;
		goto out;
	}
	title = core_request_title(t, norm);
	r = (struct store_request){
		.desk_id = d->id,
		.number = number,
		.key = key,
		.type_id = t->id,
		.reporter_id = reporter->id,
		.creator_id = user->id,
		.shared_org_id = in->share_org_id,
		.status = status_code(STATUS_OFFEN),
		.resolution = "",
		.title = title != NULL ? title : t->name,
		.created_at = ctx->now_ms,
		.updated_at = ctx->now_ms,
		.sla = &sla,
	};
	rc = core_request_sla_initial(ctx, st, r.created_at, &sla);
	if (rc == ZEK_OK)
		rc = store_request_insert(ctx->db, &r, &r.id);
	if (rc == ZEK_OK)
		rc = insert_parts(ctx, &r, st, t, norm);
	for (i = 0; rc == ZEK_OK && i < ntokens; i++) {
		rc = store_attachment_attach(ctx->db, user->id, tokens[i],
		    r.id);
		if (rc == ZEK_NOTFOUND) {
			/* Purged since it was checked. */
			rc = err_add_key(ctx, errs, ATTACHMENT_FIELD,
			    "err_upload_expired", 0);
			if (rc == ZEK_OK)
				rc = ZEK_INVALID;
		}
	}
	/* Mails in the same transaction: none is lost, none tells a lie. */
	if (rc == ZEK_OK)
		rc = core_notify_created(ctx, r.id, user);
out:
	rc = store_finish(ctx->db, rc);
	if (rc == ZEK_OK)
		*key_out = key;
	return rc;
}

enum zek_rc
core_request_create(struct zctx *ctx, const struct user *user,
    const struct create_input *in, struct field_error **errs, size_t *nerrs,
    const char **key_out)
{
	struct core_errs el = { 0 };
	const struct user *reporter;
	struct field_value *norm;
	const char **tokens = NULL;
	struct reqtype *t;
	enum zek_rc rc;
	size_t ntokens = 0;

	*errs = NULL;
	*nerrs = 0;
	if (user == NULL)
		return ZEK_FORBIDDEN;
	rc = core_reqtype_offered(ctx, in->portal_id, in->type_id, user->lang,
	    &t);
	if (rc != ZEK_OK)
		return rc;
	norm = arena_calloc(ctx->arena, t->nfields > 0 ? t->nfields : 1,
	    sizeof(*norm));
	if (norm == NULL)
		return ZEK_NOMEM;
	rc = check_reporter(ctx, user, in, &reporter, &el);
	if (rc == ZEK_OK)
		rc = check_share(ctx, reporter, in, &el);
	if (rc == ZEK_OK)
		rc = check_fields(ctx, user, t, in, norm, &el);
	if (rc == ZEK_OK)
		rc = check_attachments(ctx, user, t, in, &tokens, &ntokens,
		    &el);
	if (rc == ZEK_OK && el.n == 0 && !in->validate_only)
		rc = insert_request(ctx, user, reporter, t, in, norm, tokens,
		    ntokens, &el, key_out);
	if (rc == ZEK_OK && el.n > 0)
		rc = ZEK_INVALID;
	*errs = el.e;
	*nerrs = el.n;
	return rc;
}

/* ---- on-behalf candidates ---- */

/* Whether the folded `q` is part of s folded (the stored *_fold columns'
 * folding, so that the user is found as the store finds the others). */
static bool
fold_contains(struct zctx *ctx, const char *s, const char *q)
{
	const char *fs = utf8_fold_in(ctx->arena, s);

	return fs != NULL && strstr(fs, q) != NULL;
}

static bool
matches(struct zctx *ctx, const struct user *u, const char *query)
{
	const char *q;

	if (str_empty(query))
		return true;
	q = utf8_fold_in(ctx->arena, query);
	return q != NULL &&
	    (fold_contains(ctx, u->name, q) || fold_contains(ctx, u->email, q));
}

enum zek_rc
core_onbehalf_candidates(struct zctx *ctx, const struct user *user,
    const char *query, size_t limit, struct person **out, size_t *n)
{
	struct store_user *su;
	struct person *p;
	enum zek_rc rc;
	size_t i, ns, cnt = 0;

	if (limit == 0 || limit > CANDIDATES_MAX)
		limit = CANDIDATES_MAX;
	if (perm_is_staff(user))
		rc = store_users_search(ctx->db, ctx->arena, query,
		    role_code(ROLE_CUSTOMER), limit + 1, &su, &ns);
	else
		rc = store_users_sharing_org(ctx->db, ctx->arena, user->id,
		    query, role_code(ROLE_CUSTOMER), limit, &su, &ns);
	if (rc != ZEK_OK)
		return rc;
	p = arena_calloc(ctx->arena, ns + 1, sizeof(*p));
	if (p == NULL)
		return ZEK_NOMEM;
	if (matches(ctx, user, query))
		p[cnt++] = (struct person){ user->id, user->name, user->email };
	for (i = 0; i < ns && cnt < limit; i++)
		if (su[i].id != user->id)
			core_person_from_store(&p[cnt++], &su[i]);
	*out = p;
	*n = cnt;
	return ZEK_OK;
}

/* The spellings of an umlaut: "ü" is also written "ue". */
static const char *const umlauts[][2] = {
	{ "\xc3\xa4", "ae" },
	{ "\xc3\xb6", "oe" },
	{ "\xc3\xbc", "ue" },
};

/* `s` with every `from` written `to`, in the arena; NULL: no memory. */
static char *
replace_all(struct zctx *ctx, const char *s, const char *from, const char *to)
{
	size_t nf = strlen(from), nt = strlen(to), n = 0;
	const char *p;
	char *out, *o;

	for (p = s; (p = strstr(p, from)) != NULL; p += nf)
		n++;
	out = arena_alloc(ctx->arena, strlen(s) + n * nt + 1);
	if (out == NULL)
		return NULL;
	for (o = out; *s != '\0';) {
		if (strncmp(s, from, nf) == 0) {
			memcpy(o, to, nt);
			o += nt;
			s += nf;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

/* The folded query with its umlauts spelled the other way ("müller" as
 * "mueller", or "mueller" as "müller"); NULL when there is no other
 * spelling (or no memory: the search then goes by the one spelling). */
static const char *
other_spelling(struct zctx *ctx, const char *folded)
{
	const char *out = folded;
	size_t i;
	int way;

	way = strstr(folded, umlauts[0][0]) != NULL ||
	        strstr(folded, umlauts[1][0]) != NULL ||
	        strstr(folded, umlauts[2][0]) != NULL ?
	    0 :
	    1;
	for (i = 0; out != NULL && i < ZEK_ARRAY_LEN(umlauts); i++)
		out = replace_all(ctx, out, umlauts[i][way], umlauts[i][!way]);
	return out != NULL && !str_eq(out, folded) ? out : NULL;
}

/* Adds the customers found for `query` to p (*n so far, up to the max),
 * each once. */
static enum zek_rc
search_add(struct zctx *ctx, const struct user *user, const char *query,
    struct person *p, size_t *n)
{
	struct store_user *su;
	size_t i, k, ns;
	enum zek_rc rc;

	rc = store_users_search(ctx->db, ctx->arena, query,
	    role_code(ROLE_CUSTOMER), ONBEHALF_SEARCH_MAX + 1, &su, &ns);
	for (i = 0; rc == ZEK_OK && i < ns && *n < ONBEHALF_SEARCH_MAX; i++) {
		for (k = 0; k < *n && p[k].id != su[i].id; k++)
			;
		if (k == *n && su[i].id != user->id)
			core_person_from_store(&p[(*n)++], &su[i]);
	}
	return rc;
}

static int
person_by_name(const void *a, const void *b)
{
	const struct person *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c != 0 ? c : (x->id > y->id) - (x->id < y->id);
}

enum zek_rc
core_onbehalf_search(struct zctx *ctx, const struct user *user,
    const char *query, struct person **out, size_t *n)
{
	const char *q, *folded, *other;
	struct person *p;
	enum zek_rc rc;

	*n = 0;
	if (!perm_is_staff(user))
		return ZEK_FORBIDDEN;
	rc = core_search_text(ctx, query, ONBEHALF_QUERY_MAX, &q);
	if (rc != ZEK_OK)
		return rc;
	p = arena_calloc(ctx->arena, ONBEHALF_SEARCH_MAX, sizeof(*p));
	if (p == NULL)
		return ZEK_NOMEM;
	*out = p;
	if (q == NULL)
		return ZEK_OK;
	rc = search_add(ctx, user, q, p, n);
	folded = utf8_fold_in(ctx->arena, q);
	other = folded != NULL ? other_spelling(ctx, folded) : NULL;
	if (rc == ZEK_OK && other != NULL) {
		rc = search_add(ctx, user, other, p, n);
		/* Two searches, one order: by name. */
		qsort(p, *n, sizeof(*p), person_by_name);
	}
	return rc;
}

enum zek_rc
core_onbehalf_person(struct zctx *ctx, const struct user *user, int64_t id,
    struct person *out)
{
	struct user *r;
	enum zek_rc rc;

	if (user == NULL)
		return ZEK_NOTFOUND;
	rc = core_user_get(ctx, id, &r);
	if (rc != ZEK_OK)
		return rc;
	if (r->id != user->id && !may_raise_for(user, r))
		return ZEK_NOTFOUND;
	*out = (struct person){ r->id, r->name, r->email };
	return ZEK_OK;
}

/* ---- read ---- */

/* "zek-12" -> "ZEK-12"; ZEK_NOTFOUND when it cannot be a key. */
static enum zek_rc
normalise_key(struct zctx *ctx, const char *key, char **out)
{
	size_t i, n;
	char *k;

	n = key != NULL ? strlen(key) : 0;
	if (n == 0 || n > KEY_MAX)
		return ZEK_NOTFOUND;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)key[i]) && key[i] != '-' &&
		    key[i] != '_')
			return ZEK_NOTFOUND;
	k = arena_strdup(ctx->arena, key);
	if (k == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < n; i++)
		k[i] = (char)toupper((unsigned char)k[i]);
	*out = k;
	return ZEK_OK;
}

/*
 * What the views of a page of requests read once for all of them, so that
 * a page costs the same few statements as one request (views_build).
 * Arrays of rows "by request" are ordered by request id.
 */
struct views_data {
	struct store_participant *parts;
	size_t nparts;
	struct store_value *vals;
	size_t nvals;
	struct store_object *objs;
	size_t nobjs;
	struct store_user *users; /* reporters and creators */
	size_t nusers;
	struct store_org *orgs;
	size_t norgs;
	struct store_attachment *atts;
	size_t natts;
	int64_t *muted;
	size_t nmuted;
	struct store_id_time *since;
	size_t nsince;
	const struct store_desk **desks; /* each read once */
	size_t ndesks;
};

/* The run of elements whose int64_t member at `off` is `id`, in an array
 * ordered by that member; *cnt elements (maybe none). */
static const void *
run_of(const void *arr, size_t n, size_t size, size_t off, int64_t id,
    size_t *cnt)
{
	const unsigned char *p = arr;
	size_t i, first;
	int64_t v = 0;

	*cnt = 0;
	if (n == 0)
		return arr; /* maybe NULL: no arithmetic on it */
	for (i = 0; i < n; i++) {
		memcpy(&v, p + i * size + off, sizeof(v));
		if (v == id)
			break;
	}
	for (first = i; i < n; i++) {
		memcpy(&v, p + i * size + off, sizeof(v));
		if (v != id)
			break;
	}
	*cnt = i - first;
	return p + first * size;
}

/* The rows of request `id` in d's array `arr` of struct `type`. */
#define RUN_OF(type, arr, n, id, cnt) \
	run_of((arr), (n), sizeof(type), offsetof(type, request_id), (id), \
	    (cnt))

static const struct store_user *
user_of(const struct views_data *d, int64_t id)
{
	size_t i;

	for (i = 0; i < d->nusers; i++)
		if (d->users[i].id == id)
			return &d->users[i];
	return NULL;
}

static const struct store_object *
object_of(const struct views_data *d, int64_t id)
{
	size_t i;

	for (i = 0; i < d->nobjs; i++)
		if (d->objs[i].id == id)
			return &d->objs[i];
	return NULL;
}

static enum zek_rc
desk_of(struct zctx *ctx, struct views_data *d, int64_t id,
    const struct store_desk **out)
{
	size_t i, cap = d->ndesks;
	enum zek_rc rc;

	for (i = 0; i < d->ndesks; i++)
		if (d->desks[i]->id == id) {
			*out = d->desks[i];
			return ZEK_OK;
		}
	rc = core_desk_get(ctx, id, out);
	if (rc != ZEK_OK)
		return rc;
	d->desks = core_grow(ctx, d->desks, d->ndesks, &cap, sizeof(*d->desks));
	if (d->desks == NULL)
		return ZEK_NOMEM;
	d->desks[d->ndesks++] = *out;
	return ZEK_OK;
}

static void
view_field(const struct views_data *d, const struct field *f,
    const struct store_value *vals, size_t nvals, struct request_field_view *fv)
{
	const struct store_object *o;
	size_t i, k;
	int64_t id;

	for (i = 0; i < nvals; i++) {
		const char *v = vals[i].value;

		switch (f->kind) {
		case FIELD_SELECT:
			for (k = 0; k < f->noptions; k++)
				if (str_eq(f->options[k].value, v))
					v = f->options[k].label;
			break;
		case FIELD_CHECKBOX:
			v = str_empty(f->checkbox_label) ? "Ja" :
			                                   f->checkbox_label;
			break;
		case FIELD_DATETIME:
			if (str_to_i64(v, INT64_MIN, INT64_MAX, &id) == 0)
				fv->datetime_ms = id;
			break;
		case FIELD_OBJECT:
			/* Gone: removed from the catalogue. */
			if (str_to_i64(v, 1, INT64_MAX, &id) != 0 ||
			    (o = object_of(d, id)) == NULL)
				continue;
			fv->object_ids[fv->nvalues] = id;
			v = o->name;
			break;
		default:
			break;
		}
		fv->values[fv->nvalues++] = v;
	}
}

enum zek_rc
core_field_display(struct zctx *ctx, const struct field *f,
    const char *const *vals, size_t n, struct request_field_view *out)
{
	struct views_data d = { .nvals = 0 };
	struct store_value *sv;
	int64_t *ids;
	size_t i, nids = 0;
	enum zek_rc rc;

	sv = arena_calloc(ctx->arena, n + 1, sizeof(*sv));
	ids = arena_calloc(ctx->arena, n + 1, sizeof(*ids));
	*out = (struct request_field_view){ .key = f->key,
		.label = f->label,
		.kind = f->kind };
	out->values = arena_calloc(ctx->arena, n + 1, sizeof(*out->values));
	out->object_ids = arena_calloc(ctx->arena, n + 1,
	    sizeof(*out->object_ids));
	if (sv == NULL || ids == NULL || out->values == NULL ||
	    out->object_ids == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < n; i++) {
		sv[i].value = vals[i];
		if (f->kind == FIELD_OBJECT &&
		    str_to_i64(vals[i], 1, INT64_MAX, &ids[nids]) == 0)
			nids++;
	}
	rc = store_objects_by_ids(ctx->db, ctx->arena, ids, nids, &d.objs,
	    &d.nobjs);
	if (rc == ZEK_OK)
		view_field(&d, f, sv, n, out);
	return rc;
}

/* The request's filled fields in form order; vals are its values, ordered
 * by key and position, so each field's are adjacent. */
static enum zek_rc
view_fields(struct zctx *ctx, const struct views_data *d,
    const struct reqtype *t, const struct store_value *vals, size_t nv,
    struct request_view *v)
{
	struct request_field_view *fv;
	size_t i, first, cnt;

	v->fields = arena_calloc(ctx->arena, t->nfields > 0 ? t->nfields : 1,
	    sizeof(*v->fields));
	if (v->fields == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < t->nfields; i++) {
		for (first = 0; first < nv; first++)
			if (str_eq(vals[first].field_key, t->fields[i].key))
				break;
		for (cnt = 0; first + cnt < nv &&
		     str_eq(vals[first + cnt].field_key, t->fields[i].key);
		     cnt++)
			;
		if (cnt == 0)
			continue;
		fv = &v->fields[v->nfields];
		*fv = (struct request_field_view){ .key = t->fields[i].key,
			.label = t->fields[i].label,
			.kind = t->fields[i].kind };
		fv->values = arena_calloc(ctx->arena, cnt, sizeof(*fv->values));
		fv->object_ids = arena_calloc(ctx->arena, cnt,
		    sizeof(*fv->object_ids));
		if (fv->values == NULL || fv->object_ids == NULL)
			return ZEK_NOMEM;
		view_field(d, &t->fields[i], vals + first, cnt, fv);
		if (fv->nvalues > 0)
			v->nfields++;
	}
	return ZEK_OK;
}

static enum zek_rc
view_people(struct zctx *ctx, const struct views_data *d,
    const struct store_request *r, struct request_view *v)
{
	const struct store_participant *parts;
	const struct store_user *su;
	size_t i, n;

	if ((su = user_of(d, r->reporter_id)) == NULL)
		return ZEK_NOTFOUND;
	core_person_from_store(&v->reporter, su);
	if ((su = user_of(d, r->creator_id)) == NULL)
		return ZEK_NOTFOUND;
	core_person_from_store(&v->creator, su);
	if (r->assignee_id != 0 && (su = user_of(d, r->assignee_id)) != NULL)
		core_person_from_store(&v->assignee, su);
	v->shared_org_name = "";
	for (i = 0; i < d->norgs; i++)
		if (d->orgs[i].id == r->shared_org_id)
			v->shared_org_name = d->orgs[i].name;
	parts = RUN_OF(struct store_participant, d->parts, d->nparts, r->id,
	    &n);
	v->participants = arena_calloc(ctx->arena, n > 0 ? n : 1,
	    sizeof(*v->participants));
	if (v->participants == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < n; i++)
		core_person_from_store(&v->participants[i], &parts[i].user);
	v->nparticipants = n;
	return ZEK_OK;
}

static enum zek_rc
view_attachments(struct zctx *ctx, const struct views_data *d,
    int64_t request_id, struct request_view *v)
{
	const struct store_attachment *sa;
	size_t i, n;

	sa = RUN_OF(struct store_attachment, d->atts, d->natts, request_id, &n);
	v->attachment_rows = sa;
	v->nattachment_rows = n;
	v->attachments = arena_calloc(ctx->arena, n > 0 ? n : 1,
	    sizeof(*v->attachments));
	if (v->attachments == NULL)
		return ZEK_NOMEM;
	/* A comment's files show with the comment in the activity. */
	for (i = 0; i < n; i++)
		if (sa[i].comment_id == 0)
			core_attachment_info_from_store(
			    &v->attachments[v->nattachments++], &sa[i]);
	return ZEK_OK;
}

/* Whether the user may see r; the participants of every row are in d. */
static bool
view_visible(const struct views_data *d, const struct user *user,
    const struct store_request *r)
{
	struct perm_request pr = {
		.reporter_id = r->reporter_id,
		.creator_id = r->creator_id,
		.shared_org_id = r->shared_org_id,
	};
	const struct store_participant *parts;
	size_t i, n;

	parts = RUN_OF(struct store_participant, d->parts, d->nparts, r->id,
	    &n);
	for (i = 0; i < n; i++)
		if (parts[i].user.id == user->id)
			pr.user_is_participant = true;
	return perm_can_see_request(user, &pr);
}

/* The object ids among the values of object fields of the rows' types. */
static enum zek_rc
object_ids(struct zctx *ctx, struct views_data *d,
    struct store_request *const *rows, size_t n, const char *lang,
    int64_t **ids, size_t *nids)
{
	const struct store_value *vals;
	const struct field *f;
	struct reqtype *t;
	size_t i, j, nv, cap = 0;
	enum zek_rc rc;
	int64_t id;

	*ids = NULL;
	*nids = 0;
	for (i = 0; i < n; i++) {
		if (rows[i] == NULL)
			continue;
		if ((rc = core_reqtype_load(ctx, rows[i]->type_id, lang, &t)) !=
		    ZEK_OK)
			return rc;
		vals = RUN_OF(struct store_value, d->vals, d->nvals,
		    rows[i]->id, &nv);
		for (j = 0; j < nv; j++) {
			f = core_reqtype_field(t, vals[j].field_key);
			if (f == NULL || f->kind != FIELD_OBJECT ||
			    str_to_i64(vals[j].value, 1, INT64_MAX, &id) != 0)
				continue;
			*ids = core_grow(ctx, *ids, *nids, &cap, sizeof(**ids));
			if (*ids == NULL)
				return ZEK_NOMEM;
			(*ids)[(*nids)++] = id;
		}
	}
	return ZEK_OK;
}

/* Reads what the visible rows' views need, a statement for each kind. */
static enum zek_rc
views_load(struct zctx *ctx, const struct user *user, struct views_data *d,
    struct store_request *const *rows, size_t n, const char *lang)
{
	int64_t *ids, *people, *orgs, *objs;
	size_t i, nids = 0, npeople = 0, norgs = 0, nobjs;
	enum zek_rc rc;

	ids = arena_calloc(ctx->arena, n + 1, sizeof(*ids));
	people = arena_calloc(ctx->arena, 3 * n + 1, sizeof(*people));
	orgs = arena_calloc(ctx->arena, n + 1, sizeof(*orgs));
	if (ids == NULL || people == NULL || orgs == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < n; i++) {
		if (rows[i] == NULL)
			continue;
		ids[nids++] = rows[i]->id;
		people[npeople++] = rows[i]->reporter_id;
		people[npeople++] = rows[i]->creator_id;
		if (rows[i]->assignee_id != 0)
			people[npeople++] = rows[i]->assignee_id;
		if (rows[i]->shared_org_id != 0)
			orgs[norgs++] = rows[i]->shared_org_id;
	}
	rc = store_values_by_requests(ctx->db, ctx->arena, ids, nids, &d->vals,
	    &d->nvals);
	if (rc == ZEK_OK)
		rc = store_users_by_ids(ctx->db, ctx->arena, people, npeople,
		    &d->users, &d->nusers);
	if (rc == ZEK_OK)
		rc = store_orgs_by_ids(ctx->db, ctx->arena, orgs, norgs,
		    &d->orgs, &d->norgs);
	if (rc == ZEK_OK)
		rc = store_attachments_by_requests(ctx->db, ctx->arena, ids,
		    nids, &d->atts, &d->natts);
	if (rc == ZEK_OK)
		rc = store_notify_muted_of(ctx->db, ctx->arena, ids, nids,
		    user->id, &d->muted, &d->nmuted);
	/* Internal entries only for staff (core_request_roles: agent role). */
	if (rc == ZEK_OK)
		rc = store_activity_status_since_of(ctx->db, ctx->arena, ids,
		    nids, perm_is_staff(user), &d->since, &d->nsince);
	if (rc == ZEK_OK)
		rc = object_ids(ctx, d, rows, n, lang, &objs, &nobjs);
	if (rc == ZEK_OK)
		rc = store_objects_by_ids(ctx->db, ctx->arena, objs, nobjs,
		    &d->objs, &d->nobjs);
	return rc;
}

static enum zek_rc
view_build(struct zctx *ctx, const struct user *user, struct views_data *d,
    const struct store_request *r, const char *lang, struct request_view **out)
{
	const struct store_value *vals;
	struct request_view *v;
	const struct store_desk *desk;
	struct reqtype *t;
	enum zek_rc rc;
	size_t i, nv;

	/* The type first: its desk is then read with it (core_desk_get). */
	rc = core_reqtype_load(ctx, r->type_id, lang, &t);
	if (rc == ZEK_OK)
		rc = desk_of(ctx, d, r->desk_id, &desk);
	if (rc != ZEK_OK)
		return rc;
	v = arena_calloc(ctx->arena, 1, sizeof(*v));
	if (v == NULL)
		return ZEK_NOMEM;
	*v = (struct request_view){
		.id = r->id,
		.key = r->key,
		.title = r->title,
		.portal_id = desk->portal_id,
		.desk_id = desk->id,
		.desk_name = desk->name,
		.project_key = desk->project_key,
		.type_id = t->id,
		.type_name = t->name,
		.type_icon = t->icon,
		.created_at = r->created_at,
		/* Customers must not learn when an internal note was
		 * written or who took the request: their "updated" moves
		 * only with what they can see. */
		.updated_at = perm_is_staff(user) ? r->updated_at :
		                                    r->customer_updated_at,
		.status_since = r->created_at,
		.shared_org_id = r->shared_org_id,
		.is_reporter = r->reporter_id == user->id,
	};
	(void)status_decode(r->status, r->resolution, &v->status,
	    &v->resolution);
	v->status_code = status_code(v->status);
	v->status_label = status_label(v->status, lang);
	v->resolution_code = resolution_code(v->resolution);
	v->resolution_label = resolution_label(v->resolution, lang);
	for (i = 0; i < d->nsince; i++)
		if (d->since[i].id == r->id)
			v->status_since = d->since[i].at;
	for (i = 0; i < d->nmuted; i++)
		if (d->muted[i] == r->id)
			v->notify_muted = true;
	vals = RUN_OF(struct store_value, d->vals, d->nvals, r->id, &nv);
	v->values = vals;
	v->nvalues = nv;
	rc = view_fields(ctx, d, t, vals, nv, v);
	if (rc == ZEK_OK)
		rc = view_people(ctx, d, r, v);
	if (rc == ZEK_OK)
		rc = view_attachments(ctx, d, r->id, v);
	if (rc == ZEK_OK)
		*out = v;
	return rc;
}

/* The views of rows (NULL entries allowed) as `user` sees them: out[i] NULL
 * where the row is missing or hidden from the user. */
static enum zek_rc
views_prepare(struct zctx *ctx, const struct user *user,
    struct store_request **rows, size_t n, const char *lang,
    struct views_data *d)
{
	int64_t *ids;
	size_t i, nids = 0;
	enum zek_rc rc;

	ids = arena_calloc(ctx->arena, n + 1, sizeof(*ids));
	if (ids == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < n; i++)
		if (rows[i] != NULL)
			ids[nids++] = rows[i]->id;
	rc = store_participants_of(ctx->db, ctx->arena, ids, nids, &d->parts,
	    &d->nparts);
	if (rc != ZEK_OK)
		return rc;
	for (i = 0; i < n; i++)
		if (rows[i] != NULL && !view_visible(d, user, rows[i]))
			rows[i] = NULL;
	return views_load(ctx, user, d, rows, n, lang);
}

static enum zek_rc
views_build(struct zctx *ctx, const struct user *user,
    struct store_request **rows, size_t n, const char *lang,
    struct request_view **out)
{
	struct views_data d = { .nparts = 0 };
	enum zek_rc rc;
	size_t i;

	lang = core_lang(lang);
	for (i = 0; i < n; i++)
		out[i] = NULL;
	rc = views_prepare(ctx, user, rows, n, lang, &d);
	for (i = 0; rc == ZEK_OK && i < n; i++)
		if (rows[i] != NULL)
			rc = view_build(ctx, user, &d, rows[i], lang, &out[i]);
	return rc;
}

enum zek_rc
core_request_view_de_en(struct zctx *ctx, const struct user *user, int64_t id,
    struct request_view *out[2])
{
	struct views_data d = { .nparts = 0 };
	struct store_request *r;
	enum zek_rc rc;

	out[0] = out[1] = NULL;
	if (user == NULL)
		return ZEK_OK;
	rc = store_request_by_id(ctx->db, ctx->arena, id, &r);
	if (rc == ZEK_NOTFOUND)
		return ZEK_OK;
	/* What the views read does not depend on the language; only the
	 * labels they are built with do. */
	if (rc == ZEK_OK)
		rc = views_prepare(ctx, user, &r, 1, "de", &d);
	if (rc == ZEK_OK && r != NULL)
		rc = view_build(ctx, user, &d, r, "de", &out[0]);
	if (rc == ZEK_OK && r != NULL)
		rc = view_build(ctx, user, &d, r, "en", &out[1]);
	return rc;
}

/* The stored request `key` (any case) for a signed-in user, whoever may
 * see it: the callers decide that. */
static enum zek_rc
stored_by_key(struct zctx *ctx, const struct user *user, const char *key,
    struct store_request **out)
{
	enum zek_rc rc;
	char *k;

	if (user == NULL)
		return ZEK_NOTFOUND;
	rc = normalise_key(ctx, key, &k);
	if (rc == ZEK_OK)
		rc = store_request_by_key(ctx->db, ctx->arena, k, out);
	return rc;
}

enum zek_rc
core_request_by_key(struct zctx *ctx, const struct user *user, const char *key,
    struct store_request **out)
{
	bool visible = false;
	enum zek_rc rc;

	rc = stored_by_key(ctx, user, key, out);
	if (rc == ZEK_OK)
		rc = core_request_visible(ctx, user, *out, &visible);
	return rc == ZEK_OK && !visible ? ZEK_NOTFOUND : rc;
}

enum zek_rc
core_request_get(struct zctx *ctx, const struct user *user, const char *key,
    const char *lang, struct request_view **out)
{
	struct store_request *r;
	enum zek_rc rc;

	rc = stored_by_key(ctx, user, key, &r);
	if (rc == ZEK_OK)
		rc = views_build(ctx, user, &r, 1, lang, out);
	if (rc == ZEK_OK && *out == NULL)
		rc = ZEK_NOTFOUND;
	return rc;
}

enum zek_rc
core_request_views(struct zctx *ctx, const struct user *user,
    const int64_t *ids, size_t n, const char *lang, struct request_view **out)
{
	struct store_request *found, **rows;
	size_t i, j, nfound;
	enum zek_rc rc;

	for (i = 0; i < n; i++)
		out[i] = NULL;
	if (user == NULL || n == 0)
		return ZEK_OK;
	if (n > CORE_VIEWS_MAX)
		return ZEK_INVALID;
	rc = store_requests_by_ids(ctx->db, ctx->arena, ids, n, &found,
	    &nfound);
	if (rc != ZEK_OK)
		return rc;
	rows = arena_calloc(ctx->arena, n, sizeof(*rows));
	if (rows == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < n; i++)
		for (j = 0; j < nfound; j++)
			if (found[j].id == ids[i])
				rows[i] = &found[j];
	return views_build(ctx, user, rows, n, lang, out);
}
