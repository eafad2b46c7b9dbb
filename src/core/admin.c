/* admin.c: the help center, its announcement and the service desks' texts
 * as admins change them, each change recorded (admin.h). */
#include "core/admin.h"
#include "core/admin_form.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/internal.h"
#include "core/objects.h"
#include "core/users.h"
#include "core/validate.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "store/store.h"

/* ---- the help center ---- */

enum zek_rc
core_admin_help_center(struct zctx *ctx, const struct user *actor,
    struct admin_help_center *out)
{
	struct store_help_center h;
	enum zek_rc rc;

	if (!admin_actor_ok(actor))
		return ZEK_NOTFOUND;
	rc = store_config_version(ctx->db, &out->version);
	if (rc == ZEK_OK)
		rc = store_help_center_get(ctx->db, ctx->arena, &h);
	if (rc != ZEK_OK)
		return rc;
	out->title_de = h.title_de;
	out->title_en = h.title_en;
	out->intro_de = h.intro_de;
	out->intro_en = h.intro_en;
	out->announcement_de = h.announcement_de;
	out->announcement_en = h.announcement_en;
	out->announcement_from = h.announcement_from;
	out->announcement_until = h.announcement_until;
	return ZEK_OK;
}

/* The form's values checked into *h; false after errors. */
static bool
help_center_check(struct form_check *fc, const struct user *actor,
    const struct admin_help_center_form *f, struct store_help_center *h)
{
	size_t before = *fc->n;

	h->title_de = admin_form_text(fc, "title_de", f->title_de,
	    ADMIN_TITLE_MAX, false, false);
	h->title_en = admin_form_text(fc, "title_en", f->title_en,
	    ADMIN_TITLE_MAX, false, false);
	h->intro_de = admin_form_text(fc, "intro_de", f->intro_de,
	    ADMIN_TEXT_MAX, true, false);
	h->intro_en = admin_form_text(fc, "intro_en", f->intro_en,
	    ADMIN_TEXT_MAX, true, false);
	h->announcement_de = admin_form_text(fc, "announcement_de",
	    f->announcement_de, ADMIN_TEXT_MAX, true, false);
	h->announcement_en = admin_form_text(fc, "announcement_en",
	    f->announcement_en, ADMIN_TEXT_MAX, true, false);
	h->announcement_from = admin_form_time(fc, actor, "from", f->from);
	h->announcement_until = admin_form_time(fc, actor, "until", f->until);
	/* German is what every visitor falls back to: an English-only
	 * announcement would be hidden from most of them. */
	if (h->announcement_de != NULL && h->announcement_en != NULL &&
	    str_empty(h->announcement_de) &&
	    (!str_empty(h->announcement_en) || h->announcement_from != 0 ||
	        h->announcement_until != 0))
		admin_form_error(fc, "announcement_de", "err_announcement_text",
		    0);
	if (h->announcement_from != 0 && h->announcement_until != 0 &&
	    h->announcement_until <= h->announcement_from)
		admin_form_error(fc, "until", "err_until_before_from", 0);
	return *fc->n == before && !fc->nomem;
}

enum zek_rc
core_admin_help_center_save(struct zctx *ctx, const struct user *actor,
    const struct admin_help_center_form *f, struct field_error *errs,
    size_t *nerrs)
{
	struct form_check fc = { ctx, errs, nerrs, false };
	struct change_list cl = { .ctx = ctx, .actor = actor, .target = "" };
	struct store_help_center h, old;
	int64_t version;
	enum zek_rc rc;

	*nerrs = 0;
	if (!admin_actor_ok(actor))
		return ZEK_NOTFOUND;
	if (!help_center_check(&fc, actor, f, &h))
		return fc.nomem ? ZEK_NOMEM : ZEK_INVALID;
	if ((version = admin_form_version(f->version)) < 0)
		return ZEK_CONFLICT;
	rc = store_begin(ctx->db);
	if (rc != ZEK_OK)
		return rc;
	rc = store_help_center_get(ctx->db, ctx->arena, &old);
	if (rc == ZEK_OK) {
		admin_change_text(&cl, "help_title_de", old.title_de,
		    h.title_de);
		admin_change_text(&cl, "help_title_en", old.title_en,
		    h.title_en);
		admin_change_text(&cl, "help_intro_de", old.intro_de,
		    h.intro_de);
		admin_change_text(&cl, "help_intro_en", old.intro_en,
		    h.intro_en);
		admin_change_text(&cl, "announcement_de", old.announcement_de,
		    h.announcement_de);
		admin_change_text(&cl, "announcement_en", old.announcement_en,
		    h.announcement_en);
		admin_change_time(&cl, "announcement_from",
		    old.announcement_from, h.announcement_from);
		admin_change_time(&cl, "announcement_until",
		    old.announcement_until, h.announcement_until);
		if (cl.n == 0)
			return store_finish(ctx->db, ZEK_OK);
		rc = admin_change_commit(&cl, version);
	}
	if (rc == ZEK_OK)
		rc = store_help_center_put(ctx->db, &h);
	return store_finish(ctx->db, rc);
}

/* ---- the service desks ---- */

static void
desk_from_store(struct admin_desk *d, const struct store_desk *sd,
    int64_t version)
{
	*d = (struct admin_desk){ .version = version,
		.portal_id = sd->portal_id,
		.project_key = sd->project_key,
		.name = sd->name,
		.description = sd->description };
}

enum zek_rc
core_admin_desks(struct zctx *ctx, const struct user *actor,
    struct admin_desk **out, size_t *n)
{
	struct store_desk *sd;
	int64_t version;
	enum zek_rc rc;
	size_t i, nd;

	if (!admin_actor_ok(actor))
		return ZEK_NOTFOUND;
	rc = store_config_version(ctx->db, &version);
	if (rc == ZEK_OK)
		rc = store_desks_list(ctx->db, ctx->arena, &sd, &nd);
	if (rc != ZEK_OK)
		return rc;
	*out = arena_calloc(ctx->arena, nd > 0 ? nd : 1, sizeof(**out));
	if (*out == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < nd; i++)
		desk_from_store(&(*out)[i], &sd[i], version);
	*n = nd;
	return ZEK_OK;
}

enum zek_rc
core_admin_desk(struct zctx *ctx, const struct user *actor, int64_t portal_id,
    struct admin_desk *out)
{
	struct store_desk *sd;
	int64_t version;
	enum zek_rc rc;

	if (!admin_actor_ok(actor))
		return ZEK_NOTFOUND;
	rc = store_config_version(ctx->db, &version);
	if (rc == ZEK_OK)
		rc = store_desk_by_portal(ctx->db, ctx->arena, portal_id, &sd);
	if (rc == ZEK_OK)
		desk_from_store(out, sd, version);
	return rc;
}

enum zek_rc
core_admin_desk_save(struct zctx *ctx, const struct user *actor,
    int64_t portal_id, const struct admin_desk_form *f,
    struct field_error *errs, size_t *nerrs)
{
	struct form_check fc = { ctx, errs, nerrs, false };
	struct change_list cl = { .ctx = ctx, .actor = actor };
	const char *name, *description;
	struct store_desk *sd;
	int64_t version;
	enum zek_rc rc;

	*nerrs = 0;
	if (!admin_actor_ok(actor))
		return ZEK_NOTFOUND;
	rc = store_desk_by_portal(ctx->db, ctx->arena, portal_id, &sd);
	if (rc != ZEK_OK)
		return rc;
	name = admin_form_text(&fc, "name", f->name, ADMIN_TITLE_MAX, false,
	    true);
	description = admin_form_text(&fc, "description", f->description,
	    ADMIN_TEXT_MAX, true, false);
	if (name == NULL || description == NULL)
		return fc.nomem ? ZEK_NOMEM : ZEK_INVALID;
	if ((version = admin_form_version(f->version)) < 0)
		return ZEK_CONFLICT;
	rc = store_begin(ctx->db);
	if (rc != ZEK_OK)
		return rc;
	rc = store_desk_by_id(ctx->db, ctx->arena, sd->id, &sd);
	if (rc == ZEK_OK) {
		cl.target = sd->project_key;
		admin_change_text(&cl, "desk_name", sd->name, name);
		admin_change_text(&cl, "desk_description", sd->description,
		    description);
		if (cl.n == 0)
			return store_finish(ctx->db, ZEK_OK);
		rc = admin_change_commit(&cl, version);
	}
	if (rc == ZEK_OK)
		rc = store_desk_texts_set(ctx->db, sd->id, name, description);
	return store_finish(ctx->db, rc);
}

/* ---- the catalogue ---- */

enum zek_rc
core_admin_objects(struct zctx *ctx, const struct user *actor, const char *kind,
    const char *query, size_t page, struct admin_objects *out)
{
	struct store_object *so;
	enum zek_rc rc;
	size_t i, n;

	*out = (struct admin_objects){ 0 };
	if (!admin_actor_ok(actor))
		return ZEK_NOTFOUND;
	if (!core_object_kind_valid(kind))
		return ZEK_INVALID;
	if (query != NULL &&
	    (strlen(query) > 4 * OBJECT_NAME_MAX ||
	        !utf8_valid(query, strlen(query))))
		query = NULL;
	if (page > 100000)
		page = 100000;
	rc = store_objects_search(ctx->db, ctx->arena, kind, query, true,
	    ADMIN_OBJECTS_PAGE + 1, page * ADMIN_OBJECTS_PAGE, &so, &n);
	if (rc != ZEK_OK)
		return rc;
	out->more = n > ADMIN_OBJECTS_PAGE;
	if (out->more)
		n = ADMIN_OBJECTS_PAGE;
	out->rows = arena_calloc(ctx->arena, n > 0 ? n : 1, sizeof(*out->rows));
	if (out->rows == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < n; i++)
		out->rows[i] = (struct admin_object){ so[i].id, so[i].name,
			so[i].retired_at != 0 };
	out->n = n;
	return ZEK_OK;
}

/* One object's name, checked; NULL after *err is set (or no memory). */
static const char *
object_name(struct zctx *ctx, const char *name, struct field_error *err)
{
	size_t n = 0;
	struct form_check fc = { ctx, err, &n, false };

	return admin_form_text(&fc, "name", name, OBJECT_NAME_MAX, false, true);
}

/* Records one change of the catalogue, in the caller's transaction. */
static enum zek_rc
object_record(struct zctx *ctx, const struct user *actor, const char *kind,
    const char *subject, const char *old, const char *now)
{
	struct change_list cl = { .ctx = ctx, .actor = actor, .target = kind };

	admin_change_text(&cl, subject, old, now);
	return admin_change_commit(&cl, -1);
}

/* A name another object of the kind has, in any case, is refused: two
 * entries that differ in case only would confuse whoever picks one. */
static enum zek_rc
object_name_free(struct zctx *ctx, const char *kind, const char *name,
    int64_t self, struct field_error *err)
{
	struct store_object *so;
	enum zek_rc rc;

	rc = store_object_by_name(ctx->db, ctx->arena, kind, name, &so);
	if (rc == ZEK_NOTFOUND)
		return ZEK_OK;
	if (rc == ZEK_OK && so->id != self) {
		*err = (struct field_error){ .field = "name",
			.key = "err_object_exists" };
		return ZEK_INVALID;
	}
	return rc;
}

enum zek_rc
core_admin_object_add(struct zctx *ctx, const struct user *actor,
    const char *kind, const char *name, struct field_error *err)
{
	const char *nm;
	enum zek_rc rc;
	bool created;

	if (!admin_actor_ok(actor))
		return ZEK_NOTFOUND;
	if (!core_object_kind_valid(kind))
		return ZEK_INVALID;
	if ((nm = object_name(ctx, name, err)) == NULL)
		return err->key != NULL ? ZEK_INVALID : ZEK_NOMEM;
	rc = store_begin(ctx->db);
	if (rc != ZEK_OK)
		return rc;
	rc = object_name_free(ctx, kind, nm, 0, err);
	if (rc == ZEK_OK)
		rc = store_object_ensure(ctx->db, kind, nm, NULL, &created);
	if (rc == ZEK_OK && !created) {
		*err = (struct field_error){ .field = "name",
			.key = "err_object_exists" };
		rc = ZEK_INVALID;
	}
	if (rc == ZEK_OK)
		rc = object_record(ctx, actor, kind, "object_added", "", nm);
	return store_finish(ctx->db, rc);
}

enum zek_rc
core_admin_object_rename(struct zctx *ctx, const struct user *actor, int64_t id,
    const char *name, struct field_error *err)
{
	struct store_object *o;
	const char *nm;
	enum zek_rc rc;

	if (!admin_actor_ok(actor))
		return ZEK_NOTFOUND;
	if ((nm = object_name(ctx, name, err)) == NULL)
		return err->key != NULL ? ZEK_INVALID : ZEK_NOMEM;
	rc = store_begin(ctx->db);
	if (rc != ZEK_OK)
		return rc;
	rc = store_object_get(ctx->db, ctx->arena, id, &o);
	if (rc == ZEK_OK && str_eq(o->name, nm))
		return store_finish(ctx->db, ZEK_OK);
	if (rc == ZEK_OK)
		rc = object_name_free(ctx, o->kind, nm, id, err);
	if (rc == ZEK_OK)
		rc = store_object_rename(ctx->db, id, nm);
	if (rc == ZEK_OK)
		rc = object_record(ctx, actor, o->kind, "object_renamed",
		    o->name, nm);
	return store_finish(ctx->db, rc);
}

enum zek_rc
core_admin_object_retire(struct zctx *ctx, const struct user *actor, int64_t id,
    bool retire)
{
	struct store_object *o;
	enum zek_rc rc;

	rc = admin_begin(ctx, actor);
	if (rc != ZEK_OK)
		return rc;
	rc = store_object_get(ctx->db, ctx->arena, id, &o);
	if (rc == ZEK_OK && (o->retired_at != 0) == retire)
		return store_finish(ctx->db, ZEK_OK);
	if (rc == ZEK_OK)
		rc = store_object_retire(ctx->db, id, retire ? ctx->now_ms : 0);
	if (rc == ZEK_OK)
		rc = object_record(ctx, actor, o->kind,
		    retire ? "object_retired" : "object_restored", "", o->name);
	return store_finish(ctx->db, rc);
}

enum zek_rc
core_admin_objects_import(struct zctx *ctx, const struct user *actor,
    const void *csv, size_t len, int64_t *added, int64_t *bad_line)
{
	const char *count;
	enum zek_rc rc;

	*added = 0;
	*bad_line = 0;
	rc = admin_begin(ctx, actor);
	if (rc != ZEK_OK)
		return rc;
	rc = core_import_objects_text(ctx, csv, len, added, bad_line);
	if (rc == ZEK_OK && *added > 0) {
		count = arena_printf(ctx->arena, "%" PRId64, *added);
		rc = count != NULL ? object_record(ctx, actor, "",
		                         "objects_imported", "", count) :
		                     ZEK_NOMEM;
	}
	return store_finish(ctx->db, rc);
}

/* ---- the record ---- */

static bool
subject_is_time(const char *subject)
{
	return str_eq(subject, "announcement_from") ||
	    str_eq(subject, "announcement_until");
}

enum zek_rc
core_admin_history(struct zctx *ctx, const struct user *actor,
    int64_t before_id, struct admin_history *out)
{
	struct store_config_change *rows;
	enum zek_rc rc;
	size_t i, n;

	*out = (struct admin_history){ 0 };
	if (!admin_actor_ok(actor))
		return ZEK_NOTFOUND;
	rc = store_config_changes_list(ctx->db, ctx->arena, before_id,
	    ADMIN_HISTORY_PAGE + 1, &rows, &n);
	if (rc != ZEK_OK)
		return rc;
	out->rows = arena_calloc(ctx->arena, n > 0 ? n : 1, sizeof(*out->rows));
	if (out->rows == NULL)
		return ZEK_NOMEM;
	if (n > ADMIN_HISTORY_PAGE) {
		n = ADMIN_HISTORY_PAGE;
		out->next_before = rows[n - 1].id;
	}
	for (i = 0; i < n; i++)
		out->rows[i] = (struct admin_change){ .id = rows[i].id,
			.at = rows[i].at,
			.actor_name = rows[i].actor_name,
			.subject = rows[i].subject,
			.target = rows[i].target,
			.old_value = rows[i].old_value,
			.new_value = rows[i].new_value,
			.is_time = subject_is_time(rows[i].subject) };
	out->n = n;
	return ZEK_OK;
}

/* ---- what customers see ---- */

static bool
announcement_on(const struct store_help_center *h, int64_t now)
{
	return !str_empty(h->announcement_de) &&
	    (h->announcement_from == 0 || now >= h->announcement_from) &&
	    (h->announcement_until == 0 || now < h->announcement_until);
}

enum zek_rc
core_help_center_texts(struct zctx *ctx, const char *lang,
    struct help_center_texts *out)
{
	struct store_help_center h;
	enum zek_rc rc;

	lang = core_lang(lang);
	*out = (struct help_center_texts){ "", "", NULL };
	rc = store_help_center_get(ctx->db, ctx->arena, &h);
	if (rc != ZEK_OK)
		return rc;
	out->title = core_pick(lang, h.title_de, h.title_en);
	out->intro = core_pick(lang, h.intro_de, h.intro_en);
	if (announcement_on(&h, ctx->now_ms))
		out->announcement = core_pick(lang, h.announcement_de,
		    h.announcement_en);
	return ZEK_OK;
}
