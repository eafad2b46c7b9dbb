/* admin_types.h: the groups of a portal, its request types, their fields
 * and the options of selects, as admins change them in the browser
 * (/servicedesk/admin/, issue 16).
 *
 * Existing requests never change meaning, so nothing a request may name is
 * deleted: a type is hidden from customers, a field hidden from the forms,
 * an option retired. Each stays readable for the requests that have it
 * (their pages, the API, mails), and a request stores a field's key and an
 * option's value, which never change; labels may. The fields "summary"
 * (title) and "description" exist in every type and cannot be hidden; the
 * title stays required.
 *
 * As in admin.h: admins only (actor NULL: the command line), ZEK_NOTFOUND
 * to anybody else and for ids that do not exist; every change counts the
 * configuration's version up and is recorded; a save on a version changed
 * since the form was read answers ZEK_CONFLICT. Errors name the form
 * struct's member ("name_de", "label_en", "options", ...), at most
 * ADMIN_MAX_ERRORS. Moves, retiring and restoring stand alone (no version
 * check): they are one click on the current page. */
#ifndef ZEK_CORE_ADMIN_TYPES_H
#define ZEK_CORE_ADMIN_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"

struct field_error;
struct user;

#define ADMIN_GROUPS_MAX 50   /* groups of one portal */
#define ADMIN_TYPES_MAX 100   /* request types of one portal */
#define ADMIN_FIELDS_MAX 60   /* fields of one type, hidden included */
#define ADMIN_OPTIONS_MAX 200 /* options of one select, retired included */
#define ADMIN_KEY_MAX 40 /* bytes of a generated field key or option value */

/* The icons a request type may show (static/icons/NAME.svg), "" = none. */
extern const char *const admin_type_icons[];
extern const size_t admin_type_nicons;

struct admin_option {
	int64_t id;
	const char *value; /* what requests store; never changes */
	const char *label_de, *label_en;
	bool retired;
};

struct admin_field {
	int64_t id;
	int64_t type_id;
	const char *key;  /* what requests store; never changes */
	const char *kind; /* field_kind_name(): "text", "select", ... */
	const char *label_de, *label_en;
	const char *help_de, *help_en;
	const char *placeholder_de, *placeholder_en;
	const char *checkbox_label_de, *checkbox_label_en; /* checkbox only */
	const char *object_kind;                           /* object only:
	                                                      "mandant" |
	                                                      "online_dienst" */
	bool multiple;                                     /* object only */
	bool required;
	bool hidden;
	bool fixed;                   /* summary or description: cannot be
	                                 hidden */
	struct admin_option *options; /* select only, by position, retired
	                                 included */
	size_t noptions;
};

struct admin_type {
	int64_t version; /* of the configuration, when read */
	int64_t id;
	int64_t portal_id;
	int64_t group_id;
	const char *name_de, *name_en;
	const char *description_de, *description_en;
	const char *icon;               /* one of admin_type_icons, "" = none */
	bool hidden;                    /* not offered to customers */
	int64_t sla_response_minutes;   /* service-level goals in working */
	int64_t sla_resolution_minutes; /* time (core/sla.h), 0 = none */
	struct admin_field *fields; /* by position; NULL in core_admin_types */
	size_t nfields;
};

struct admin_group {
	int64_t id;
	const char *name_de, *name_en;
	struct admin_type *types; /* by position, hidden ones included */
	size_t ntypes;
};

/* A portal's groups with their types (without fields), by position. */
struct admin_types {
	int64_t version;
	int64_t portal_id;
	const char *desk_name;
	struct admin_group *groups;
	size_t ngroups;
};

enum admin_move {
	ADMIN_MOVE_UP,
	ADMIN_MOVE_DOWN
};

enum zek_rc core_admin_types(struct zctx *ctx, const struct user *actor,
    int64_t portal_id, struct admin_types *out);

/* ---- groups ---- */

struct admin_group_form {
	const char *version;
	const char *name_de; /* required, unique in the portal (any case) */
	const char *name_en; /* "" = the German name */
};

/* Adds a group at the end of the portal's groups. */
enum zek_rc core_admin_group_add(struct zctx *ctx, const struct user *actor,
    int64_t portal_id, const struct admin_group_form *f,
    struct field_error *errs, size_t *nerrs, int64_t *id_out);
/* Renames a group. */
enum zek_rc core_admin_group_save(struct zctx *ctx, const struct user *actor,
    int64_t group_id, const struct admin_group_form *f,
    struct field_error *errs, size_t *nerrs);
/* Swaps a group with its neighbour; at either end nothing happens. */
enum zek_rc core_admin_group_move(struct zctx *ctx, const struct user *actor,
    int64_t group_id, enum admin_move dir);

/* ---- request types ---- */

struct admin_type_form {
	const char *version;
	const char *group_id; /* a group of the same portal */
	const char *name_de;  /* required, unique in the portal (any case) */
	const char *name_en;  /* "" = the German name */
	const char *description_de, *description_en;
	const char *icon; /* "" or one of admin_type_icons */
	bool hidden;
	/* Service-level goals in working hours, "8" or "7,5"; "" or NULL =
	 * no goal (and left as it is when the form has no such control). */
	const char *sla_response_hours, *sla_resolution_hours;
};

/* Adds a type at the end of its group, with the two fixed fields: "Titel"
 * (summary, text, required) and "Beschreibung" (description, rich text,
 * optional). *id_out: the new type. */
enum zek_rc core_admin_type_add(struct zctx *ctx, const struct user *actor,
    int64_t portal_id, const struct admin_type_form *f,
    struct field_error *errs, size_t *nerrs, int64_t *id_out);
/* One type with all its fields and options, hidden and retired included. */
enum zek_rc core_admin_type(struct zctx *ctx, const struct user *actor,
    int64_t type_id, struct admin_type *out);
/* Saves name, description, icon, group (a type moved to another group
 * goes to its end) and whether customers see it. */
enum zek_rc core_admin_type_save(struct zctx *ctx, const struct user *actor,
    int64_t type_id, const struct admin_type_form *f, struct field_error *errs,
    size_t *nerrs);
/* Swaps a type with its neighbour in its group. */
enum zek_rc core_admin_type_move(struct zctx *ctx, const struct user *actor,
    int64_t type_id, enum admin_move dir);

/* ---- fields ---- */

struct admin_field_form {
	const char *version;
	const char *kind;        /* add only: field_kind_name() */
	const char *object_kind; /* add only, object: "mandant" |
	                            "online_dienst" */
	bool multiple;           /* add only, object: several objects */
	const char *options;     /* add only, select: one option a line,
	                            "Deutsch" or "Deutsch | English" */
	const char *label_de;    /* required, unique in the type (any case) */
	const char *label_en;    /* "" = the German label */
	const char *help_de, *help_en;
	const char *placeholder_de, *placeholder_en;
	const char *checkbox_label_de, *checkbox_label_en; /* "" = "Ja"/"Yes" */
	bool required;                                     /* new requests only:
	                                                      old ones stay
	                                                      valid */
	bool hidden;                                       /* refused for the
	                                                      fixed fields */
};

/* Adds a field at the end of the type's fields; its key is made from the
 * German label (ASCII, unique in the type). A select needs at least one
 * option. *id_out: the new field. */
enum zek_rc core_admin_field_add(struct zctx *ctx, const struct user *actor,
    int64_t type_id, const struct admin_field_form *f, struct field_error *errs,
    size_t *nerrs, int64_t *id_out);
/* The type of field `field_id` (as core_admin_type) and, in *field, the
 * field within it. */
enum zek_rc core_admin_field(struct zctx *ctx, const struct user *actor,
    int64_t field_id, struct admin_type *type,
    const struct admin_field **field);
/* Saves labels, help texts, placeholders, required and hidden (kind,
 * object kind and options are not changed here). */
enum zek_rc core_admin_field_save(struct zctx *ctx, const struct user *actor,
    int64_t field_id, const struct admin_field_form *f,
    struct field_error *errs, size_t *nerrs);
enum zek_rc core_admin_field_move(struct zctx *ctx, const struct user *actor,
    int64_t field_id, enum admin_move dir);

/* ---- options of a select ---- */

struct admin_option_form {
	const char *version;
	const char *label_de; /* required, unique in the field (any case) */
	const char *label_en; /* "" = the German label */
};

/* Adds an option at the end of select `field_id`'s options. */
enum zek_rc core_admin_option_add(struct zctx *ctx, const struct user *actor,
    int64_t field_id, const struct admin_option_form *f,
    struct field_error *errs, size_t *nerrs);
/* Renames an option: requests that chose it show the new label. */
enum zek_rc core_admin_option_save(struct zctx *ctx, const struct user *actor,
    int64_t option_id, const struct admin_option_form *f,
    struct field_error *errs, size_t *nerrs);
enum zek_rc core_admin_option_move(struct zctx *ctx, const struct user *actor,
    int64_t option_id, enum admin_move dir);
/* Retires an option (no longer offered or accepted; requests that chose it
 * keep showing it) or offers it again. Retiring the last offered option
 * answers ZEK_INVALID with *err (field "options", err_select_needs_option). */
enum zek_rc core_admin_option_retire(struct zctx *ctx, const struct user *actor,
    int64_t option_id, bool retire, struct field_error *err);

#endif
