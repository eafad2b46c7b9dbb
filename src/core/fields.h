/* fields.h: request types and their fields, as configured in the database. */
#ifndef ZEK_CORE_FIELDS_H
#define ZEK_CORE_FIELDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"

struct store_desk;
struct store_reqtype;

enum field_kind {
	FIELD_TEXT,     /* one line, at most 255 characters */
	FIELD_RICHTEXT, /* Markdown, at most 32,000 characters */
	FIELD_TEXTAREA, /* plain multi-line text, at most 32,000 characters */
	FIELD_SELECT,   /* one of `options` */
	FIELD_CHECKBOX, /* "on" or absent */
	FIELD_DATETIME, /* local "YYYY-MM-DDTHH:MM" in the user's zone */
	FIELD_URL,      /* http(s) with a host, at most 2,000 characters */
	FIELD_OBJECT, /* object ids of `object_kind` (several if `multiple`) */
	FIELD_ATTACHMENT, /* temporary upload tokens, see core/attachments.h */
	FIELD_KIND_MAX
};

struct field_option {
	const char *value; /* stable id sent by forms and the API */
	const char *label; /* in the asked language */
	bool retired;      /* no longer offered (admin); still shown */
};

/* One field of a request type, in the asked language. `label` never
 * carries " (optional)": the page appends it when !required. For a select,
 * `options` does not contain the empty choice: the page offers "Keine"
 * with value "" first (required selects too, so nothing is preselected). */
struct field {
	int64_t id;
	const char *key; /* "summary", "description", "bundesland" */
	enum field_kind kind;
	const char *label;
	const char *help;        /* "" if none */
	const char *placeholder; /* "" if none */
	bool required;
	const char *object_kind;    /* FIELD_OBJECT: "mandant" |
	                               "online_dienst" */
	bool multiple;              /* FIELD_OBJECT: several objects allowed */
	const char *checkbox_label; /* FIELD_CHECKBOX: text beside the box,
	                               "Ja" */
	struct field_option *options;
	size_t noptions;
	bool hidden; /* not on the forms (admin); values still shown */
};

/* A request type with its fields in form order. Lives in ctx->arena. */
struct reqtype {
	int64_t id;
	int64_t portal_id;
	int64_t desk_id;
	int64_t group_id;
	const char *name;
	const char *description;
	const char *icon;      /* icon name, "" if none */
	const char *desk_name; /* for breadcrumbs */
	struct field *fields;
	size_t nfields;
	bool hidden; /* not offered for new requests (admin) */
};

/* Loads the type `type_id` of portal `portal_id`; lang "de" or "en".
 * ZEK_NOTFOUND when either does not exist or the type is not in that
 * portal. Read once per call and shared (core_reqtype_load): read-only.
 * Every field and option an admin ever made, hidden and retired ones
 * included: for showing requests, whose values may name them. */
enum zek_rc core_reqtype_get(struct zctx *ctx, int64_t portal_id,
    int64_t type_id, const char *lang, struct reqtype **out);
/* The type as new requests are made of it (forms, the API's create meta,
 * validation): as core_reqtype_get, but ZEK_NOTFOUND for a hidden type,
 * and without hidden fields and retired options. */
enum zek_rc core_reqtype_offered(struct zctx *ctx, int64_t portal_id,
    int64_t type_id, const char *lang, struct reqtype **out);
/* The type `type_id` as an agent's edit form shows it: as
 * core_reqtype_offered, but hidden types too (their requests are still
 * worked on), and without attachment fields. */
enum zek_rc core_reqtype_editable(struct zctx *ctx, int64_t type_id,
    const char *lang, struct reqtype **out);
/* The type's own row and its desk's as stored, read once per call with
 * the rest of the type (core_reqtype_load): for the writes that need the
 * stored form (service-level goals, report counts, the request key). */
enum zek_rc core_reqtype_stored(struct zctx *ctx, int64_t type_id,
    const struct store_reqtype **st, const struct store_desk **d);
/* A desk as stored: one a type read in this call belongs to, else read. */
enum zek_rc core_desk_get(struct zctx *ctx, int64_t id,
    const struct store_desk **out);
/* The field with `key`, or NULL. */
const struct field *core_reqtype_field(const struct reqtype *t,
    const char *key);

/* Kind names as stored: "text", "richtext", "textarea", "select",
 * "checkbox", "datetime", "url", "object", "attachment". */
const char *field_kind_name(enum field_kind k);
bool field_kind_from_name(const char *name, enum field_kind *out);

#endif
