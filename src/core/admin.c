/* admin.c: the help center, its announcement and the service desks' texts
 * as admins change them, each change recorded (admin.h). */
#include "core/admin.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/admin_record.h"
#include "core/internal.h"
#include "core/objects.h"
#include "core/users.h"
#include "core/validate.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "store/store.h"

static bool
is_admin(const struct user *actor)
{
	return actor == NULL || actor->is_admin;
}

/* ---- checking a form ---- */

/* Where a form's checks put their errors. */
struct form_check {
	struct zctx *ctx;
	struct field_error *errs;
	size_t *n;
	bool nomem;
};

static void
form_error(struct form_check *fc, const char *field, const char *key,
    int64_t max)
{
	if (*fc->n < ADMIN_MAX_ERRORS)
		fc->errs[(*fc->n)++] = (struct field_error){ .field = field,
		    .key = key, .max = max };
}

/* The text of one control, trimmed; multi-line ones with CRLF turned
 * into LF. NULL after an error (added) or when out of memory. */
static const char *
form_text(struct form_check *fc, const char *field, const char *in,
    size_t max, bool multiline, bool required)
{
	char *t, *w;
	const char *r;
	size_t n;

	if (in == NULL)
		in = "";
	if (!utf8_valid(in, strlen(in))) {
		form_error(fc, field, "err_invalid_utf8", 0);
		return NULL;
	}
	t = arena_strdup(fc->ctx->arena, in);
	if (t == NULL) {
		fc->nomem = true;
		return NULL;
	}
	for (r = w = t; *r != '\0'; r++)
		if (!(r[0] == '\r' && r[1] == '\n'))
			*w++ = *r;
	*w = '\0';
	str_trim(t);
	n = strlen(t);
	if (n == 0 && required)
		form_error(fc, field, "err_required", 0);
	else if (!utf8_clean_text(t, n, multiline))
		form_error(fc, field, "err_invalid_chars", 0);
	else if (utf8_length(t, n) > max)
		form_error(fc, field, "err_too_long", (int64_t)max);
	else
		return t;
	return NULL;
}

/* A local time of the actor's zone as UTC ms; "" is 0 (open). */
static int64_t
form_time(struct form_check *fc, const struct user *actor, const char *field,
    const char *in)
{
	int64_t ms;

	if (str_empty(in))
		return 0;
	if (core_parse_local_datetime(in, actor != NULL ? actor->tz :
	    "Europe/Berlin", &ms) != ZEK_OK || ms <= 0) {
		form_error(fc, field, "err_invalid_datetime", 0);
		return 0;
	}
	return ms;
}

/* The version a form was read at; -1 when it carries none. */
static int64_t
form_version(const char *v)
{
	int64_t n;

	return str_to_i64(v, 0, INT64_MAX, &n) == 0 ? n : -1;
}

/* ---- recording changes ---- */

/* What one save changes: the record's rows, written after the new values. */
struct change_list {
	struct zctx *ctx;
	const struct user *actor;
	const char *target;
	struct store_config_change rows[ADMIN_MAX_ERRORS];
	size_t n;
};

static void
change_text(struct change_list *cl, const char *subject, const char *old,
    const char *now)
{
	if (str_eq(old, now) || cl->n == ZEK_ARRAY_LEN(cl->rows))
		return;
	cl->rows[cl->n++] = (struct store_config_change){
		.at = cl->ctx->now_ms,
		.actor_id = cl->actor != NULL ? cl->actor->id : 0,
		.subject = subject, .target = cl->target,
		.old_value = old, .new_value = now };
}

static void
change_time(struct change_list *cl, const char *subject, int64_t old,
    int64_t now)
{
	if (old != now)
		change_text(cl, subject, arena_printf(cl->ctx->arena, "%" PRId64,
		    old), arena_printf(cl->ctx->arena, "%" PRId64, now));
}

enum zek_rc
core_admin_record(struct zctx *ctx, int64_t version,
    const struct store_config_change *rows, size_t n)
{
	int64_t now;
	enum zek_rc rc;
	size_t i;

	for (i = 0; i < n; i++)
		if (rows[i].old_value == NULL || rows[i].new_value == NULL)
			return ZEK_NOMEM;
	rc = store_config_version_bump(ctx->db, &now);
	if (rc == ZEK_OK && version >= 0 && now != version + 1)
		rc = ZEK_CONFLICT;
	for (i = 0; rc == ZEK_OK && i < n; i++)
		rc = store_config_change_add(ctx->db, &rows[i]);
	return rc;
}

/* Inside the save's transaction: counts the change up from `version`
 * (ZEK_CONFLICT when someone else's came between; -1: a change that
 * stands alone, as one object's) and records its rows. */
static enum zek_rc
change_commit(struct change_list *cl, int64_t version)
{
	return core_admin_record(cl->ctx, version, cl->rows, cl->n);
}

/* ---- the help center ---- */

enum zek_rc
core_admin_help_center(struct zctx *ctx, const struct user *actor,
    struct admin_help_center *out)
{
	struct store_help_center h;
	enum zek_rc rc;

	if (!is_admin(actor))
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

	h->title_de = form_text(fc, "title_de", f->title_de, ADMIN_TITLE_MAX,
	    false, false);
	h->title_en = form_text(fc, "title_en", f->title_en, ADMIN_TITLE_MAX,
	    false, false);
	h->intro_de = form_text(fc, "intro_de", f->intro_de, ADMIN_TEXT_MAX,
	    true, false);
	h->intro_en = form_text(fc, "intro_en", f->intro_en, ADMIN_TEXT_MAX,
	    true, false);
	h->announcement_de = form_text(fc, "announcement_de",
	    f->announcement_de, ADMIN_TEXT_MAX, true, false);
	h->announcement_en = form_text(fc, "announcement_en",
	    f->announcement_en, ADMIN_TEXT_MAX, true, false);
	h->announcement_from = form_time(fc, actor, "from", f->from);
	h->announcement_until = form_time(fc, actor, "until", f->until);
	/* German is what every visitor falls back to: an English-only
	 * announcement would be hidden from most of them. */
	if (h->announcement_de != NULL && h->announcement_en != NULL &&
	    str_empty(h->announcement_de) &&
	    (!str_empty(h->announcement_en) || h->announcement_from != 0 ||
	    h->announcement_until != 0))
		form_error(fc, "announcement_de", "err_announcement_text", 0);
	if (h->announcement_from != 0 && h->announcement_until != 0 &&
	    h->announcement_until <= h->announcement_from)
		form_error(fc, "until", "err_until_before_from", 0);
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
	if (!is_admin(actor))
		return ZEK_NOTFOUND;
	if (!help_center_check(&fc, actor, f, &h))
		return fc.nomem ? ZEK_NOMEM : ZEK_INVALID;
	if ((version = form_version(f->version)) < 0)
		return ZEK_CONFLICT;
	rc = store_begin(ctx->db);
	if (rc != ZEK_OK)
		return rc;
	rc = store_help_center_get(ctx->db, ctx->arena, &old);
	if (rc == ZEK_OK) {
		change_text(&cl, "help_title_de", old.title_de, h.title_de);
		change_text(&cl, "help_title_en", old.title_en, h.title_en);
		change_text(&cl, "help_intro_de", old.intro_de, h.intro_de);
		change_text(&cl, "help_intro_en", old.intro_en, h.intro_en);
		change_text(&cl, "announcement_de", old.announcement_de,
		    h.announcement_de);
		change_text(&cl, "announcement_en", old.announcement_en,
		    h.announcement_en);
		change_time(&cl, "announcement_from", old.announcement_from,
		    h.announcement_from);
		change_time(&cl, "announcement_until", old.announcement_until,
		    h.announcement_until);
		if (cl.n == 0)
			return store_finish(ctx->db, ZEK_OK);
		rc = change_commit(&cl, version);
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
	    .portal_id = sd->portal_id, .project_key = sd->project_key,
	    .name = sd->name, .description = sd->description };
}

enum zek_rc
core_admin_desks(struct zctx *ctx, const struct user *actor,
    struct admin_desk **out, size_t *n)
{
	struct store_desk *sd;
	int64_t version;
	enum zek_rc rc;
	size_t i, nd;

	if (!is_admin(actor))
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

	if (!is_admin(actor))
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
	if (!is_admin(actor))
		return ZEK_NOTFOUND;
	rc = store_desk_by_portal(ctx->db, ctx->arena, portal_id, &sd);
	if (rc != ZEK_OK)
		return rc;
	name = form_text(&fc, "name", f->name, ADMIN_TITLE_MAX, false, true);
	description = form_text(&fc, "description", f->description,
	    ADMIN_TEXT_MAX, true, false);
	if (name == NULL || description == NULL)
		return fc.nomem ? ZEK_NOMEM : ZEK_INVALID;
	if ((version = form_version(f->version)) < 0)
		return ZEK_CONFLICT;
	rc = store_begin(ctx->db);
	if (rc != ZEK_OK)
		return rc;
	rc = store_desk_by_id(ctx->db, ctx->arena, sd->id, &sd);
	if (rc == ZEK_OK) {
		cl.target = sd->project_key;
		change_text(&cl, "desk_name", sd->name, name);
		change_text(&cl, "desk_description", sd->description,
		    description);
		if (cl.n == 0)
			return store_finish(ctx->db, ZEK_OK);
		rc = change_commit(&cl, version);
	}
	if (rc == ZEK_OK)
		rc = store_desk_texts_set(ctx->db, sd->id, name, description);
	return store_finish(ctx->db, rc);
}

/* ---- the catalogue ---- */

enum zek_rc
core_admin_objects(struct zctx *ctx, const struct user *actor,
    const char *kind, const char *query, size_t page,
    struct admin_objects *out)
{
	struct store_object *so;
	enum zek_rc rc;
	size_t i, n;

	*out = (struct admin_objects){ 0 };
	if (!is_admin(actor))
		return ZEK_NOTFOUND;
	if (!core_object_kind_valid(kind))
		return ZEK_INVALID;
	if (query != NULL && (strlen(query) > 4 * OBJECT_NAME_MAX ||
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

	return form_text(&fc, "name", name, OBJECT_NAME_MAX, false, true);
}

/* Records one change of the catalogue, in the caller's transaction. */
static enum zek_rc
object_record(struct zctx *ctx, const struct user *actor, const char *kind,
    const char *subject, const char *old, const char *now)
{
	struct change_list cl = { .ctx = ctx, .actor = actor, .target = kind };

	change_text(&cl, subject, old, now);
	return change_commit(&cl, -1);
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

	if (!is_admin(actor))
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
core_admin_object_rename(struct zctx *ctx, const struct user *actor,
    int64_t id, const char *name, struct field_error *err)
{
	struct store_object *o;
	const char *nm;
	enum zek_rc rc;

	if (!is_admin(actor))
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
core_admin_object_retire(struct zctx *ctx, const struct user *actor,
    int64_t id, bool retire)
{
	struct store_object *o;
	enum zek_rc rc;

	if (!is_admin(actor))
		return ZEK_NOTFOUND;
	rc = store_begin(ctx->db);
	if (rc != ZEK_OK)
		return rc;
	rc = store_object_get(ctx->db, ctx->arena, id, &o);
	if (rc == ZEK_OK && (o->retired_at != 0) == retire)
		return store_finish(ctx->db, ZEK_OK);
	if (rc == ZEK_OK)
		rc = store_object_retire(ctx->db, id, retire ? ctx->now_ms : 0);
	if (rc == ZEK_OK)
		rc = object_record(ctx, actor, o->kind, retire ?
		    "object_retired" : "object_restored", "", o->name);
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
	if (!is_admin(actor))
		return ZEK_NOTFOUND;
	rc = store_begin(ctx->db);
	if (rc != ZEK_OK)
		return rc;
	rc = core_import_objects_text(ctx, csv, len, added, bad_line);
	if (rc == ZEK_OK && *added > 0) {
		count = arena_printf(ctx->arena, "%" PRId64, *added);
		rc = count != NULL ? object_record(ctx, actor, "",
		    "objects_imported", "", count) : ZEK_NOMEM;
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
	if (!is_admin(actor))
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
		    .at = rows[i].at, .actor_name = rows[i].actor_name,
		    .subject = rows[i].subject, .target = rows[i].target,
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
