/* config_io.h: the portal's whole configuration as one JSON document, to
 * move it from a test to a production installation (issue 16): export,
 * and import as a plan of changes that is applied all or nothing.
 *
 * The document (docs/operations.md): "zek_config_format" (1), the help
 * center's texts and announcement, every service desk with its groups,
 * request types, fields and the options of selects (hidden and retired
 * ones included), the catalogue's objects with their retired state, and
 * the business calendar (working days and hours, zone, Bundesland, extra
 * closed days).
 * An export is deterministic: the same configuration gives the same bytes.
 * demo/config.json is such a document, in an older spelling that import
 * also takes: no format number, select options as named lists in a
 * top-level "options" object, a "position" on types (the order in the
 * file counts); keys that begin with "_" are comments.
 *
 * Import matches desks, groups and request types by id (requests name
 * types by id), fields by their type and key, options by their field and
 * value, objects by kind and name. Nothing a request may name is deleted:
 * a type or field the file lacks is hidden, an option or object it lacks
 * retired. The calendar is replaced as a whole: its closed days by day
 * (one renamed is removed and added), checked by the calendar page's own
 * checks and recorded as that page records its changes. A field's kind (or an object field's object kind) never
 * changes under the same key, and service desks and groups are never
 * removed: such a file is refused. A section the file leaves out
 * ("help_center", "calendar", "desks", "objects") stays as it is.
 *
 * Admins only (actor NULL: the command line); ZEK_NOTFOUND to anybody else. */
#ifndef ZEK_CORE_CONFIG_IO_H
#define ZEK_CORE_CONFIG_IO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"

struct user;

#define CONFIG_IO_FORMAT 1 /* "zek_config_format" this code writes */
#define CONFIG_IO_MAX_BYTES (4u << 20) /* of a document */
#define CONFIG_IO_DESKS_MAX 20         /* service desks in a document */
#define CONFIG_IO_OBJECTS_MAX 20000    /* catalogue objects in a document */
#define CONFIG_IO_PROBLEMS_MAX 10      /* problems reported of one document */

/* What a plan line does to its thing. */
enum config_op {
	CONFIG_ADD,     /* new (with whatever it holds) */
	CONFIG_CHANGE,  /* one attribute: old -> new */
	CONFIG_HIDE,    /* type or field hidden */
	CONFIG_SHOW,    /* shown again */
	CONFIG_RETIRE,  /* option or object retired */
	CONFIG_RESTORE, /* offered again */
	CONFIG_ORDER,   /* its members' order changed */
	CONFIG_REMOVE,  /* closed day deleted */
	CONFIG_OP_MAX
};

enum config_thing {
	CONFIG_HELP_CENTER,
	CONFIG_CALENDAR, /* working days and hours, zone, Land */
	CONFIG_CLOSED_DAY,
	CONFIG_DESK,
	CONFIG_GROUP,
	CONFIG_TYPE,
	CONFIG_FIELD,
	CONFIG_OPTION,
	CONFIG_OBJECT,
	CONFIG_THING_MAX
};

/* One line of a plan. */
struct config_line {
	enum config_op op;
	enum config_thing thing;
	const char *where;     /* names from the desk down: "ZEK ›
	                        * Störungsmeldung › bundesland" */
	const char *attr;      /* the document's key ("label_en",
	                        * "hidden", "fields" for an order); ""
	                        * for an added thing */
	const char *old_value; /* "" for none */
	const char *new_value; /* an added thing: what it holds */
};

/* What an import changes, in the document's order. */
struct config_plan {
	int64_t version; /* of the configuration planned at */
	struct config_line *lines;
	size_t n;
	const char *doc; /* the document as one line of ASCII
	                  * JSON: what a confirm form carries */
};

/* Why a document is refused: the place in it ("desks[0].groups[0].
 * types[3].fields[2].kind", "" for the whole) and a catalog key whose text
 * takes {detail}. */
struct config_problem {
	const char *path;
	const char *key;    /* "err_config_unknown_kind", ... */
	const char *detail; /* never NULL */
};

struct config_problems {
	struct config_problem rows[CONFIG_IO_PROBLEMS_MAX];
	size_t n;
	bool more; /* further problems were not kept */
};

/* "add", "change", ... and "help_center", "desk", ...: names for the
 * command line and the catalogs (admin_config_op_NAME, ..._thing_NAME). */
const char *config_op_name(enum config_op op);
const char *config_thing_name(enum config_thing thing);

/* The configuration as a pretty-printed document in *out (arena memory,
 * NUL-terminated, *len bytes), and the version it is of. */
enum zek_rc core_config_export(struct zctx *ctx, const struct user *actor,
    char **out, size_t *len, int64_t *version);

/* Checks the document (len bytes) and plans it against the database.
 * ZEK_INVALID with *probs filled when the document is refused (not JSON,
 * over CONFIG_IO_MAX_BYTES, a bad value, a kind change, ...); ZEK_TOOBIG
 * is never returned: size is one of the problems. Plan and problems live
 * in the arena. */
enum zek_rc core_config_plan(struct zctx *ctx, const struct user *actor,
    const char *doc, size_t len, struct config_plan *plan,
    struct config_problems *probs);

/* Plans and applies the document in one transaction: every line or none.
 * version >= 0: the version the caller planned at (the preview); another
 * one now gives ZEK_CONFLICT and changes nothing. -1: whatever is there.
 * A plan with lines counts the version up once and records one history
 * row per line (the calendar's lines: the rows its page writes); an empty
 * plan writes nothing. Errors as core_config_plan;
 * *plan is what was applied. */
enum zek_rc core_config_import(struct zctx *ctx, const struct user *actor,
    const char *doc, size_t len, int64_t version, struct config_plan *plan,
    struct config_problems *probs);

/* zek init: applies the document to a database without a service desk as
 * its starting point, within the caller's transaction: the version is not
 * counted and nothing is recorded. Errors as core_config_plan. */
enum zek_rc core_config_install(struct zctx *ctx, const char *doc, size_t len,
    struct config_problems *probs);

/* Reads a document from the file at `path` ("-": standard input) into
 * the arena. ZEK_IO (it cannot be read), ZEK_TOOBIG (over
 * CONFIG_IO_MAX_BYTES). */
enum zek_rc core_config_read_file(struct zctx *ctx, const char *path,
    char **out, size_t *len);

#endif
