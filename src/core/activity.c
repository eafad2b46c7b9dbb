/* activity.c: comments with attachments, and reading a request's activity log. */
#include "core/activity.h"

#include <stdlib.h>
#include <string.h>

#include "core/attachments.h"
#include "core/config.h"
#include "core/fields.h"
#include "core/internal.h"
#include "core/perm.h"
#include "core/requests.h"
#include "core/notify.h"
#include "core/sla.h"
#include "core/validate.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "store/store.h"

#define COMMENT_FIELD "comment"
#define ATTACHMENT_FIELD "attachment"

static const char *const kind_codes[ACTIVITY_KIND_MAX] = {
	[ACTIVITY_CREATED] = "created",
	[ACTIVITY_COMMENT] = "comment",
	[ACTIVITY_STATUS_CHANGED] = "status_changed",
	[ACTIVITY_ATTACHMENT_ADDED] = "attachment_added",
	[ACTIVITY_PARTICIPANT_ADDED] = "participant_added",
	[ACTIVITY_PARTICIPANT_REMOVED] = "participant_removed",
	[ACTIVITY_SHARED_WITH_ORG] = "shared_with_org",
	[ACTIVITY_ASSIGNED] = "assigned",
	[ACTIVITY_RATED] = "rated",
	[ACTIVITY_EDITED] = "edited",
	[ACTIVITY_LINKED] = "linked",
	[ACTIVITY_UNLINKED] = "unlinked",
};

static bool
kind_from_code(const char *code, enum activity_kind *out)
{
	size_t i;

	for (i = 0; i < ACTIVITY_KIND_MAX; i++) {
		if (str_eq(code, kind_codes[i])) {
			*out = (enum activity_kind)i;
			return true;
		}
	}
	return false;
}

/* ---- writing ---- */

enum zek_rc
core_comment_validate(struct zctx *ctx, const char *body, bool required,
    const char **norm, struct field_error *err)
{
	/* The same rules as a rich-text field of a create form. */
	const struct field f = {
		.key = COMMENT_FIELD,
		.kind = FIELD_RICHTEXT,
		.label = "",
		.help = "",
		.placeholder = "",
		.required = required,
	};
	const char *values[1] = { body != NULL ? body : "" };
	struct field_value nv;
	struct field_error e;
	enum zek_rc rc;

	rc = core_validate_field(ctx, &f, values, 1, "UTC", &nv, &e);
	if (rc == ZEK_INVALID && err != NULL)
		*err = e;
	if (rc != ZEK_OK)
		return rc;
	*norm = nv.nvalues > 0 ? nv.values[0] : "";
	return ZEK_OK;
}

enum zek_rc
core_comment_insert_locked(struct zctx *ctx, const struct store_request *r,
    const struct user *author, const char *body, bool is_public,
    const char *const *tokens, size_t ntokens, int64_t *id_out)
{
	struct store_comment cm = {
		.request_id = r->id,
		.author_id = author->id,
		.body = body,
		.is_public = is_public,
		.created_at = ctx->now_ms,
	};
	struct store_activity e;
	enum zek_rc rc;
	int64_t id;
	size_t i;

	rc = store_comment_insert(ctx->db, &cm, &id);
	for (i = 0; rc == ZEK_OK && i < ntokens; i++)
		rc = store_attachment_attach_comment(ctx->db, author->id,
		    tokens[i], r->id, id);
	if (rc != ZEK_OK)
		return rc;
	e = (struct store_activity){
		.request_id = r->id,
		.actor_id = author->id,
		.kind = kind_codes[ACTIVITY_COMMENT],
		.comment_id = id,
		.is_public = is_public,
		.created_at = ctx->now_ms,
	};
	rc = store_activity_insert(ctx->db, &e, NULL);
	if (rc == ZEK_OK)
		rc = store_request_touch(ctx->db, r->id, ctx->now_ms,
		    is_public);
	/* Support's first public answer meets the response goal. */
	if (rc == ZEK_OK && is_public && perm_is_staff(author))
		rc = core_request_sla_refresh(ctx, r->id);
	if (rc == ZEK_OK && id_out != NULL)
		*id_out = id;
	return rc;
}

/* A growing list of errors in ctx->arena. */
struct errlist {
	struct field_error *e;
	size_t n, cap;
};

static enum zek_rc
err_add(struct zctx *ctx, struct errlist *l, const char *field, const char *key,
    int64_t max)
{
	l->e = core_grow(ctx, l->e, l->n, &l->cap, sizeof(*l->e));
	if (l->e == NULL)
		return ZEK_NOMEM;
	l->e[l->n++] = (struct field_error){ .field = field,
		.key = key,
		.max = max };
	return ZEK_OK;
}

/* Keeps the distinct tokens that are live uploads of the user. */
static enum zek_rc
check_tokens(struct zctx *ctx, const struct user *user,
    const struct comment_input *in, const char ***out, size_t *nout,
    struct errlist *errs)
{
	struct store_attachment *sa;
	const char **tok;
	enum zek_rc rc;
	size_t i, j, n = 0;

	tok = arena_calloc(ctx->arena, in->ntokens + 1, sizeof(*tok));
	if (tok == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < in->ntokens; i++) {
		if (str_empty(in->attachment_tokens[i]))
			continue;
		for (j = 0; j < n && !str_eq(tok[j], in->attachment_tokens[i]);
		     j++)
			;
		if (j < n)
			continue;
		rc = core_attachment_temp_find(ctx, user,
		    in->attachment_tokens[i], &sa);
		if (rc == ZEK_NOTFOUND)
			return err_add(ctx, errs, ATTACHMENT_FIELD,
			    "err_upload_expired", 0);
		if (rc != ZEK_OK)
			return rc;
		tok[n++] = in->attachment_tokens[i];
	}
	if (n > ctx->cfg->max_files)
		return err_add(ctx, errs, ATTACHMENT_FIELD,
		    "err_too_many_files", (int64_t)ctx->cfg->max_files);
	*out = tok;
	*nout = n;
	return ZEK_OK;
}

/* Everything of core_comment_add after the lock: permission, checks,
 * writes. */
static enum zek_rc
comment_locked(struct zctx *ctx, const struct user *user,
    struct store_request *r, unsigned roles, const struct comment_input *in,
    struct errlist *errs, int64_t *id_out)
{
	struct field_error fe;
	const char *body = NULL;
	const char **tokens = NULL;
	enum status st;
	enum resolution res;
	enum zek_rc rc;
	size_t ntokens = 0;

	(void)status_decode(r->status, r->resolution, &st, &res);
	if (!wf_may_comment(roles, st))
		return status_is_open(st) ? ZEK_FORBIDDEN : ZEK_CONFLICT;
	if (!in->is_public && (roles & WF_ROLE_AGENT) == 0)
		return ZEK_FORBIDDEN;
	rc = core_comment_validate(ctx, in->body, true, &body, &fe);
	if (rc == ZEK_INVALID)
		rc = err_add(ctx, errs, fe.field, fe.key, fe.max);
	if (rc == ZEK_OK)
		rc = check_tokens(ctx, user, in, &tokens, &ntokens, errs);
	if (rc != ZEK_OK || errs->n > 0 || in->validate_only)
		return rc;
	rc = core_comment_insert_locked(ctx, r, user, body, in->is_public,
	    tokens, ntokens, id_out);
	if (rc == ZEK_NOTFOUND) {
		/* An upload expired since it was checked. */
		rc = err_add(ctx, errs, ATTACHMENT_FIELD, "err_upload_expired",
		    0);
		return rc;
	}
	if (rc == ZEK_OK)
		rc = core_notify_comment(ctx, r->id, user, in->is_public, body);
	/* PRODUCT.md: the customer's answer to a question goes back to
	 * support. A pending solution waits for "Lösung annehmen/ablehnen". */
	if (rc == ZEK_OK && in->is_public && (roles & WF_ROLE_AGENT) == 0 &&
	    st == STATUS_WARTET_KUNDE && !wf_solution_pending(st, res))
		rc = core_transition_locked(ctx, user, roles, r,
		    WF_CUSTOMER_REPLY, RESOLUTION_NONE, NULL);
	return rc;
}

enum zek_rc
core_comment_add(struct zctx *ctx, const struct user *user, int64_t request_id,
    const struct comment_input *in, struct field_error **errs, size_t *nerrs,
    int64_t *id_out)
{
	struct errlist el = { 0 };
	struct store_request *r;
	enum zek_rc rc;
	unsigned roles;

	*errs = NULL;
	*nerrs = 0;
	if (user == NULL)
		return ZEK_FORBIDDEN;
	rc = store_begin(ctx->db);
	if (rc != ZEK_OK)
		return rc;
	rc = core_request_lock(ctx, user, request_id, &r, &roles);
	if (rc == ZEK_OK)
		rc = comment_locked(ctx, user, r, roles, in, &el, id_out);
	if (rc == ZEK_OK && el.n > 0)
		rc = ZEK_INVALID;
	if (rc == ZEK_OK && !in->validate_only)
		rc = store_commit(ctx->db);
	if (rc != ZEK_OK || in->validate_only)
		store_rollback(ctx->db);
	*errs = el.e;
	*nerrs = el.n;
	return rc;
}

/* ---- reading ---- */

/* Which entry a comment id belongs to; sorted for bsearch. */
struct slot {
	int64_t key;
	size_t entry;
};

static int
slot_cmp(const void *a, const void *b)
{
	const struct slot *x = a, *y = b;

	return (x->key > y->key) - (x->key < y->key);
}

static void
entry_from_store(struct activity_entry *e, const struct store_activity *s)
{
	enum resolution res;
	int64_t score;

	*e = (struct activity_entry){
		.id = s->id,
		.kind = ACTIVITY_COMMENT,
		.created_at = s->created_at,
		.actor = { .id = s->actor_id,
		    .name = s->actor_name,
		    .email = "" },
		.by_agent = role_code_is_staff(s->actor_role),
		.is_public = s->is_public,
		.comment_id = s->comment_id,
		.body = s->comment_body,
		.subject = { .id = s->subject_id,
		    .name = s->subject_name,
		    .email = "" },
		.org_name = s->org_name,
		.what = s->action,
		.old_value = s->old_value,
		.new_value = s->new_value,
	};
	(void)kind_from_code(s->kind, &e->kind);
	e->has_action = wf_action_from_code(s->action, &e->action);
	/* A rating's entry keeps the score given in the action column. */
	if (e->kind == ACTIVITY_RATED &&
	    str_to_i64(s->action, 1, 5, &score) == 0)
		e->score = (int)score;
	(void)status_decode(s->old_status, NULL, &e->old_status, &res);
	(void)status_decode(s->new_status, s->resolution, &e->new_status,
	    &e->resolution);
}

/* Hands each comment entry the attachments of its comment. */
static enum zek_rc
place_comment_files(struct zctx *ctx, const struct store_attachment *sa,
    size_t na, struct activity_entry *ents, size_t n)
{
	struct slot *slots, *hit, probe;
	size_t i, nslots = 0, *caps;
	struct activity_entry *e;

	if (na == 0 || n == 0)
		return ZEK_OK;
	slots = arena_calloc(ctx->arena, n, sizeof(*slots));
	caps = arena_calloc(ctx->arena, n, sizeof(*caps));
	if (slots == NULL || caps == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < n; i++)
		if (ents[i].kind == ACTIVITY_COMMENT && ents[i].comment_id != 0)
			slots[nslots++] = (struct slot){ ents[i].comment_id,
				i };
	qsort(slots, nslots, sizeof(*slots), slot_cmp);
	for (i = 0; i < na; i++) {
		if (sa[i].comment_id == 0)
			continue;
		probe.key = sa[i].comment_id;
		hit = bsearch(&probe, slots, nslots, sizeof(*slots), slot_cmp);
		if (hit == NULL)
			continue; /* an internal note's file, or an old entry */
		e = &ents[hit->entry];
		e->attachments = core_grow(ctx, e->attachments, e->nattachments,
		    &caps[hit->entry], sizeof(*e->attachments));
		if (e->attachments == NULL)
			return ZEK_NOMEM;
		core_attachment_info_from_store(
		    &e->attachments[e->nattachments++], &sa[i]);
	}
	return ZEK_OK;
}

/* Hands each "attachment added" entry its file, found by id among the
 * request's attachments (sa, by created_at and id: few per request). */
static enum zek_rc
place_added_files(struct zctx *ctx, const struct store_attachment *sa,
    size_t na, const struct store_activity *st, struct activity_entry *ents,
    size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (ents[i].kind != ACTIVITY_ATTACHMENT_ADDED ||
		    st[i].attachment_id == 0)
			continue;
		for (j = 0; j < na && sa[j].id != st[i].attachment_id; j++)
			;
		if (j == na)
			continue; /* not (or no longer) this request's */
		ents[i].attachments = arena_calloc(ctx->arena, 1,
		    sizeof(*ents[i].attachments));
		if (ents[i].attachments == NULL)
			return ZEK_NOMEM;
		core_attachment_info_from_store(ents[i].attachments, &sa[j]);
		ents[i].nattachments = 1;
	}
	return ZEK_OK;
}

/* The activity of a request the caller has shown `user` may see;
 * internal entries only when with_internal. The files come from `current`,
 * a view of it with nothing written since it was read, or else are read
 * here: a view may be older than a write (the API answers a new comment
 * with the view it checked permissions on). */
static enum zek_rc
activity_read(struct zctx *ctx, int64_t request_id, bool with_internal,
    const struct request_view *current, struct activity_entry **out, size_t *n,
    struct activity_log *log)
{
	const struct store_attachment *att = NULL;
	struct store_attachment *read = NULL;
	struct store_activity *sa;
	struct activity_entry *ents;
	size_t i, ns, natt = 0;
	enum zek_rc rc;

	rc = store_activity_by_request(ctx->db, ctx->arena, request_id,
	    with_internal, ACTIVITY_MAX, &sa, &ns);
	if (rc == ZEK_OK && ns > 0 && current != NULL) {
		att = current->attachment_rows;
		natt = current->nattachment_rows;
	} else if (rc == ZEK_OK && ns > 0) {
		rc = store_attachments_by_request(ctx->db, ctx->arena,
		    request_id, &read, &natt);
		att = read;
	}
	if (rc != ZEK_OK)
		return rc;
	ents = arena_calloc(ctx->arena, ns > 0 ? ns : 1, sizeof(*ents));
	if (ents == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < ns; i++)
		entry_from_store(&ents[i], &sa[i]);
	rc = place_comment_files(ctx, att, natt, ents, ns);
	if (rc == ZEK_OK)
		rc = place_added_files(ctx, att, natt, sa, ents, ns);
	if (rc != ZEK_OK)
		return rc;
	*out = ents;
	*n = ns;
	if (log != NULL)
		*log = (struct activity_log){ .rows = sa,
			.n = ns,
			.with_internal = with_internal,
			.complete = ns < ACTIVITY_MAX };
	return ZEK_OK;
}

enum zek_rc
core_activity_list(struct zctx *ctx, const struct user *user,
    int64_t request_id, struct activity_entry **out, size_t *n)
{
	struct store_request *r;
	enum zek_rc rc;
	unsigned roles;
	bool visible;

	if (user == NULL)
		return ZEK_NOTFOUND;
	rc = store_request_by_id(ctx->db, ctx->arena, request_id, &r);
	if (rc == ZEK_OK)
		rc = core_request_visible(ctx, user, r, &visible);
	if (rc == ZEK_OK && !visible)
		rc = ZEK_NOTFOUND;
	if (rc == ZEK_OK)
		rc = core_request_roles(ctx, user, r, &roles);
	/* Internal notes are for support staff only, whoever else asks. */
	if (rc != ZEK_OK)
		return rc;
	return activity_read(ctx, request_id, (roles & WF_ROLE_AGENT) != 0,
	    NULL, out, n, NULL);
}

enum zek_rc
core_activity_of_page(struct zctx *ctx, const struct user *user,
    const struct request_view *v, struct activity_entry **out, size_t *n,
    struct activity_log *log)
{
	if (log != NULL)
		*log = (struct activity_log){ .n = 0 };
	if (user == NULL)
		return ZEK_NOTFOUND;
	/* The agent role of core_request_roles, without its look-ups. */
	return activity_read(ctx, v->id, perm_is_staff(user), v, out, n, log);
}

enum zek_rc
core_activity_of_view(struct zctx *ctx, const struct user *user,
    const struct request_view *v, struct activity_entry **out, size_t *n)
{
	if (user == NULL)
		return ZEK_NOTFOUND;
	return activity_read(ctx, v->id, perm_is_staff(user), NULL, out, n,
	    NULL);
}
