/* links.c: linking requests to each other, and closing one as a duplicate. */
#include "core/links.h"

#include "core/internal.h"
#include "core/perm.h"
#include "core/requests.h"
#include "core/users.h"
#include "core/validate.h"
#include "core/workflow.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "store/store.h"

#include <string.h>

static const char *const codes[LINK_KIND_MAX] = {
	[LINK_DUPLICATE_OF] = "duplicate_of",
	[LINK_DUPLICATED_BY] = "duplicated_by",
	[LINK_RELATES] = "relates",
};

STR_TABLE_FUNCS(enum link_kind, codes, LINK_KIND_MAX, link_kind_code,
    link_kind_from_code)

/* The same link seen from its other request. */
static enum link_kind
reversed(enum link_kind k)
{
	if (k == LINK_DUPLICATE_OF)
		return LINK_DUPLICATED_BY;
	return k == LINK_DUPLICATED_BY ? LINK_DUPLICATE_OF : k;
}

/* A stored link as request `self` sees it. */
static enum link_kind
kind_seen_by(const struct store_link *l, int64_t self)
{
	if (!str_eq(l->kind, "duplicate"))
		return LINK_RELATES;
	return l->request_id == self ? LINK_DUPLICATE_OF : LINK_DUPLICATED_BY;
}

static enum zek_rc
refuse(struct field_error *err, const char *field, const char *key)
{
	if (err != NULL)
		*err = (struct field_error){ .field = field, .key = key };
	return ZEK_INVALID;
}

/* The request a form names by key, which must be another than `self`. */
static enum zek_rc
find_other(struct zctx *ctx, const struct user *user, int64_t self,
    const char *key, const char *field, int64_t *other, struct field_error *err)
{
	struct request_view *v;
	enum zek_rc rc;
	char *k;

	if (key == NULL || (k = arena_strdup(ctx->arena, key)) == NULL)
		return key == NULL ? refuse(err, field, "err_required") :
		                     ZEK_NOMEM;
	k = str_trim(k);
	if (*k == '\0')
		return refuse(err, field, "err_required");
	if (!utf8_valid(k, strlen(k)))
		return refuse(err, field, "err_invalid_utf8");
	rc = core_request_get(ctx, user, k, user->lang, &v);
	if (rc == ZEK_NOTFOUND)
		return refuse(err, field, "err_link_unknown");
	if (rc != ZEK_OK)
		return rc;
	if (v->id == self)
		return refuse(err, field, "err_link_self");
	*other = v->id;
	return ZEK_OK;
}

/* Both requests under the write lock, the lower id first (two agents
 * linking the pair from either side wait, rather than deadlock). */
static enum zek_rc
lock_pair(struct zctx *ctx, const struct user *user, int64_t self,
    int64_t other, struct store_request **rs, struct store_request **ro,
    unsigned *roles)
{
	unsigned other_roles;
	enum zek_rc rc;

	if (self < other) {
		rc = core_request_lock(ctx, user, self, rs, roles);
		if (rc == ZEK_OK)
			rc = core_request_lock(ctx, user, other, ro,
			    &other_roles);
	} else {
		rc = core_request_lock(ctx, user, other, ro, &other_roles);
		if (rc == ZEK_OK)
			rc = core_request_lock(ctx, user, self, rs, roles);
	}
	return rc;
}

/* The stored link between the two, if any (*found false otherwise). */
static enum zek_rc
link_between(struct zctx *ctx, int64_t self, int64_t other,
    struct store_link *out, bool *found)
{
	struct store_link *l;
	size_t i, n;
	enum zek_rc rc;

	*found = false;
	rc = store_links_of(ctx->db, ctx->arena, self, &l, &n);
	for (i = 0; rc == ZEK_OK && i < n; i++) {
		if (l[i].request_id == other || l[i].linked_id == other) {
			*out = l[i];
			*found = true;
		}
	}
	return rc;
}

/* One "linked" or "unlinked" entry on request `r`, about `other`. */
static enum zek_rc
log_link(struct zctx *ctx, const struct user *user,
    const struct store_request *r, const char *kind, enum link_kind k,
    const struct store_request *other)
{
	struct store_activity e = {
		.request_id = r->id,
		.actor_id = user->id,
		.kind = kind,
		.action = link_kind_code(k),
		.new_value = other->key,
		.is_public = false,
		.created_at = ctx->now_ms,
	};
	enum zek_rc rc;

	rc = store_activity_insert(ctx->db, &e, NULL);
	/* Customers see no links: their "updated" stays. */
	if (rc == ZEK_OK)
		rc = store_request_touch(ctx->db, r->id, ctx->now_ms, false);
	return rc;
}

/* Both entries of a link added or removed. */
static enum zek_rc
log_both(struct zctx *ctx, const struct user *user, const char *kind,
    enum link_kind k, const struct store_request *rs,
    const struct store_request *ro)
{
	enum zek_rc rc;

	rc = log_link(ctx, user, rs, kind, k, ro);
	if (rc == ZEK_OK)
		rc = log_link(ctx, user, ro, kind, reversed(k), rs);
	return rc;
}

/* Inside the transaction, both requests locked: stores the link `k` from
 * rs to ro and logs it; err_link_exists when the pair has one. */
static enum zek_rc
insert_link(struct zctx *ctx, const struct user *user, enum link_kind k,
    const struct store_request *rs, const struct store_request *ro,
    const char *field, struct field_error *err)
{
	struct store_link l = {
		.request_id = k == LINK_DUPLICATED_BY ? ro->id : rs->id,
		.linked_id = k == LINK_DUPLICATED_BY ? rs->id : ro->id,
		.kind = k == LINK_RELATES ? "relates" : "duplicate",
		.created_at = ctx->now_ms,
	};
	struct store_link old;
	bool found;
	enum zek_rc rc;

	rc = link_between(ctx, rs->id, ro->id, &old, &found);
	if (rc == ZEK_OK && found)
		return refuse(err, field, "err_link_exists");
	if (rc == ZEK_OK)
		rc = store_link_add(ctx->db, &l);
	if (rc == ZEK_CONFLICT)
		return refuse(err, field, "err_link_exists");
	if (rc == ZEK_OK)
		rc = log_both(ctx, user, "linked", k, rs, ro);
	return rc;
}

enum zek_rc
core_link_add(struct zctx *ctx, const struct user *user, int64_t request_id,
    enum link_kind kind, const char *other_key, struct field_error *err)
{
	struct store_request *rs, *ro;
	int64_t other = 0;
	enum zek_rc rc;
	unsigned roles;

	if (!perm_is_staff(user))
		return ZEK_FORBIDDEN;
	if (kind >= LINK_KIND_MAX)
		return ZEK_INVALID;
	rc = find_other(ctx, user, request_id, other_key, LINK_KEY_FIELD,
	    &other, err);
	if (rc != ZEK_OK)
		return rc;
	rc = store_begin(ctx->db);
	if (rc != ZEK_OK)
		return rc;
	rc = lock_pair(ctx, user, request_id, other, &rs, &ro, &roles);
	if (rc == ZEK_OK)
		rc = insert_link(ctx, user, kind, rs, ro, LINK_KEY_FIELD, err);
	return store_finish(ctx->db, rc);
}

enum zek_rc
core_link_remove(struct zctx *ctx, const struct user *user, int64_t request_id,
    int64_t other_id)
{
	struct store_request *rs, *ro;
	struct store_link l;
	enum zek_rc rc;
	unsigned roles;
	bool found;

	if (!perm_is_staff(user))
		return ZEK_FORBIDDEN;
	if (other_id == request_id)
		return ZEK_NOTFOUND;
	rc = store_begin(ctx->db);
	if (rc != ZEK_OK)
		return rc;
	rc = lock_pair(ctx, user, request_id, other_id, &rs, &ro, &roles);
	if (rc == ZEK_OK)
		rc = link_between(ctx, rs->id, ro->id, &l, &found);
	if (rc == ZEK_OK && !found)
		rc = ZEK_NOTFOUND;
	if (rc == ZEK_OK)
		rc = store_link_remove(ctx->db, rs->id, ro->id);
	if (rc == ZEK_OK)
		rc = log_both(ctx, user, "unlinked", kind_seen_by(&l, rs->id),
		    rs, ro);
	return store_finish(ctx->db, rc);
}

enum zek_rc
core_close_duplicate(struct zctx *ctx, const struct user *user,
    int64_t request_id, const char *original_key, const char *comment,
    struct field_error *err)
{
	struct store_request *rs, *ro;
	enum resolution res, to_res;
	enum status st, to;
	int64_t original = 0;
	enum zek_rc rc;
	unsigned roles;

	if (!perm_is_staff(user))
		return ZEK_FORBIDDEN;
	rc = find_other(ctx, user, request_id, original_key,
	    LINK_ORIGINAL_FIELD, &original, err);
	if (rc != ZEK_OK)
		return rc;
	rc = store_begin(ctx->db);
	if (rc != ZEK_OK)
		return rc;
	rc = lock_pair(ctx, user, request_id, original, &rs, &ro, &roles);
	/* The change must be allowed before the link is written. */
	if (rc == ZEK_OK) {
		(void)status_decode(rs->status, rs->resolution, &st, &res);
		rc = wf_check(roles, st, res, WF_CLOSE, RESOLUTION_DUPLIKAT,
		    &to, &to_res);
	}
	if (rc == ZEK_OK)
		rc = insert_link(ctx, user, LINK_DUPLICATE_OF, rs, ro,
		    LINK_ORIGINAL_FIELD, err);
	if (rc == ZEK_OK)
		rc = core_transition_commented_locked(ctx, user, roles, rs,
		    WF_CLOSE, RESOLUTION_DUPLIKAT, comment, err);
	return store_finish(ctx->db, rc);
}

enum zek_rc
core_links_of(struct zctx *ctx, const struct user *user, int64_t request_id,
    const char *lang, struct request_link **out, size_t *n)
{
	struct store_request *others;
	struct request_link *rl;
	struct store_link *l;
	enum resolution res;
	int64_t *ids;
	size_t i, k, nl, no;
	enum zek_rc rc;

	*n = 0;
	if (!perm_is_staff(user))
		return ZEK_FORBIDDEN;
	rc = store_links_of(ctx->db, ctx->arena, request_id, &l, &nl);
	if (rc != ZEK_OK)
		return rc;
	if (nl > LINKS_MAX)
		nl = LINKS_MAX;
	ids = arena_calloc(ctx->arena, nl + 1, sizeof(*ids));
	rl = arena_calloc(ctx->arena, nl + 1, sizeof(*rl));
	if (ids == NULL || rl == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < nl; i++)
		ids[i] = l[i].request_id == request_id ? l[i].linked_id :
		                                         l[i].request_id;
	rc = store_requests_by_ids(ctx->db, ctx->arena, ids, nl, &others, &no);
	for (i = 0; rc == ZEK_OK && i < nl; i++) {
		for (k = 0; k < no && others[k].id != ids[i]; k++)
			;
		if (k == no)
			continue;
		rl[*n] = (struct request_link){
			.kind = kind_seen_by(&l[i], request_id),
			.other_id = ids[i],
			.other_key = others[k].key,
			.other_title = others[k].title,
			.created_at = l[i].created_at,
		};
		(void)status_decode(others[k].status, others[k].resolution,
		    &rl[*n].other_status, &res);
		rl[*n].other_status_label = status_label(rl[*n].other_status,
		    lang);
		(*n)++;
	}
	*out = rl;
	return rc;
}
