/* admin.h: the portal's configuration as admins change it in the browser
 * (/servicedesk/admin/, issue 16): the help center's texts and its
 * announcement, the service desks' names, and the record of every change.
 * Every call but core_help_center_texts is for admins only and answers
 * ZEK_NOTFOUND to anybody else (actor NULL: the command line), so that the
 * area does not show that it exists.
 *
 * Changes count up the configuration's version (store_config_version);
 * a form carries the version it was read at, and saving on a version
 * someone else has changed since answers ZEK_CONFLICT instead of
 * overwriting their change unseen. Nothing is kept per process: every
 * page reads what it shows, so a change shows at the next page view in
 * every process on the database. */
#ifndef ZEK_CORE_ADMIN_H
#define ZEK_CORE_ADMIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"

struct field_error;
struct user;

#define ADMIN_TITLE_MAX 255   /* code points of a title or name */
#define ADMIN_TEXT_MAX 4000   /* of an intro, description, announcement */
#define ADMIN_MAX_ERRORS 10   /* one per field of the longest form */
#define ADMIN_HISTORY_PAGE 50 /* changes on one history page */

/* The help center as stored ("" = the built-in title or intro, or no
 * announcement; times UTC ms, 0 = open), and the configuration version
 * it was read at. */
struct admin_help_center {
	int64_t version;
	const char *title_de, *title_en;
	const char *intro_de, *intro_en;
	const char *announcement_de, *announcement_en;
	int64_t announcement_from, announcement_until;
};

enum zek_rc core_admin_help_center(struct zctx *ctx, const struct user *actor,
    struct admin_help_center *out);

/* What the help center's form sends, as typed. from and until are local
 * times ("2026-12-19T08:00", <input type="datetime-local">) in the
 * actor's zone, "" for open. */
struct admin_help_center_form {
	const char *version;
	const char *title_de, *title_en;
	const char *intro_de, *intro_en;
	const char *announcement_de, *announcement_en;
	const char *from, *until;
};

/* Saves the form in one transaction with its record. ZEK_INVALID with up
 * to ADMIN_MAX_ERRORS errs (fields named as in the form struct: "title_de",
 * "from", ...); ZEK_CONFLICT when the configuration changed since
 * f->version. */
enum zek_rc core_admin_help_center_save(struct zctx *ctx,
    const struct user *actor, const struct admin_help_center_form *f,
    struct field_error *errs, size_t *nerrs);

/* A service desk's texts as its form shows them. */
struct admin_desk {
	int64_t version;
	int64_t portal_id;
	const char *project_key;
	const char *name;
	const char *description;
};

/* Every desk by name (version set in each). */
enum zek_rc core_admin_desks(struct zctx *ctx, const struct user *actor,
    struct admin_desk **out, size_t *n);
/* ZEK_NOTFOUND: no such portal. */
enum zek_rc core_admin_desk(struct zctx *ctx, const struct user *actor,
    int64_t portal_id, struct admin_desk *out);

struct admin_desk_form {
	const char *version;
	const char *name; /* required */
	const char *description;
};

/* As core_admin_help_center_save, for portal `portal_id`'s desk. */
enum zek_rc core_admin_desk_save(struct zctx *ctx, const struct user *actor,
    int64_t portal_id, const struct admin_desk_form *f,
    struct field_error *errs, size_t *nerrs);

/* ---- the catalogue: Mandanten and Online-Dienste ---- */

#define ADMIN_OBJECTS_PAGE 50 /* objects on one page of the catalogue */

struct admin_object {
	int64_t id;
	const char *name;
	bool retired; /* no longer offered for new requests */
};

struct admin_objects {
	struct admin_object *rows;
	size_t n;
	bool more; /* a next page exists */
};

/* Page `page` (from 0) of the objects of `kind` ("mandant",
 * "online_dienst") whose name contains `query` (any case; NULL or "" =
 * all), retired ones included, by name. ZEK_INVALID: no such kind. */
enum zek_rc core_admin_objects(struct zctx *ctx, const struct user *actor,
    const char *kind, const char *query, size_t page,
    struct admin_objects *out);
/* Adds an object; ZEK_INVALID with *err (field "name": err_required,
 * err_too_long, err_invalid_chars, err_object_exists). */
enum zek_rc core_admin_object_add(struct zctx *ctx, const struct user *actor,
    const char *kind, const char *name, struct field_error *err);
/* Renames one; requests that name it show the new name (a rename is a
 * correction: the object is the same). Errors as core_admin_object_add;
 * ZEK_NOTFOUND: no such object. */
enum zek_rc core_admin_object_rename(struct zctx *ctx, const struct user *actor,
    int64_t id, const char *name, struct field_error *err);
/* Retires an object (no longer offered; requests keep showing it) or
 * offers it again. */
enum zek_rc core_admin_object_retire(struct zctx *ctx, const struct user *actor,
    int64_t id, bool retire);
/* Imports a CSV as `zek import-objects` does (core/objects.h), recorded
 * as one change. ZEK_INVALID with *bad_line. */
enum zek_rc core_admin_objects_import(struct zctx *ctx,
    const struct user *actor, const void *csv, size_t len, int64_t *added,
    int64_t *bad_line);

/* One changed setting on the history page. */
struct admin_change {
	int64_t id;
	int64_t at;
	const char *actor_name; /* "" = the command line */
	const char *subject;    /* "help_title_de", "desk_name", ... */
	const char *target;     /* "" or the desk's project key */
	const char *old_value;
	const char *new_value;
	bool is_time; /* values are UTC ms as text, "0" = open */
};

struct admin_history {
	struct admin_change *rows;
	size_t n;
	int64_t next_before; /* the cursor of the next page, 0 = none */
};

/* ADMIN_HISTORY_PAGE changes, newest first, before the change before_id
 * (0 = from the newest). */
enum zek_rc core_admin_history(struct zctx *ctx, const struct user *actor,
    int64_t before_id, struct admin_history *out);

/* What every customer page shows of the help center, in lang: title and
 * intro ("" = the built-in ones), and the announcement (Markdown) when
 * it is on now, else NULL. */
struct help_center_texts {
	const char *title;
	const char *intro;
	const char *announcement;
};

enum zek_rc core_help_center_texts(struct zctx *ctx, const char *lang,
    struct help_center_texts *out);

#endif
