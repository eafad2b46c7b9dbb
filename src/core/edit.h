/* edit.h: agents edit a request (title, description, type, fields), each
 * change logged; the values its type no longer has ("frühere Angaben"). */
#ifndef ZEK_CORE_EDIT_H
#define ZEK_CORE_EDIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"
#include "core/fields.h"
#include "core/validate.h"

struct user;
struct request_view;
struct request_field_view;

#define EDIT_TYPE_FIELD \
	"type" /* the form's request type; the log's
	          "what" of a type change */

/* A request type an agent may give the request: its desk's types that
 * are offered, and its own. */
struct edit_type_choice {
	int64_t id;
	const char *name;
};

/* The edit form of a request. Lives in ctx->arena. */
struct request_edit {
	struct request_view *view;  /* core_request_get */
	int64_t version;            /* requests.updated_at the form is based
	                               on (sent back: core_request_edit) */
	struct reqtype *type;       /* the type the form is for, with the
	                               fields it edits (core_reqtype_editable) */
	struct field_value *values; /* values[i]: type->fields[i]'s stored
	                               values (mapped by key) as a form sends
	                               them: a checkbox "on", a date-time
	                               local in the user's zone */
	struct edit_type_choice *types;
	size_t ntypes;
};

/* The form to edit request `key` for an agent, for type `type_id` (0 =
 * the request's own; another shows what a type change keeps). Returns
 * ZEK_FORBIDDEN for anybody but support staff, ZEK_NOTFOUND when the
 * request does not exist, ZEK_INVALID when type_id is no choice. */
enum zek_rc core_request_edit_form(struct zctx *ctx, const struct user *user,
    const char *key, int64_t type_id, const char *lang,
    struct request_edit **out);

/* What the edit form sends. */
struct edit_input {
	int64_t type_id; /* the request's own or another choice */
	int64_t version; /* request_edit.version of the form */
	const struct field_value *values; /* as struct create_input; keys
	                                     the form does not edit are
	                                     ignored */
	size_t nvalues;
};

/*
 * Saves an agent's edit of request `request_id`, in one transaction under
 * the request's row lock. Every field of the type is checked as at
 * creation (core_validate_field; a field sent back as it is stored is
 * kept even when it would fail now, e.g. a retired option), and every
 * problem collected into errs (field keys, or EDIT_TYPE_FIELD). A new type
 * keeps the values of the fields whose keys it has; the others stay
 * stored ("frühere Angaben", core_request_former). Each changed field
 * and the type get an "edited" entry (old and new value; agents only),
 * the title follows the summary, and a type change works the service
 * levels out again.
 * Returns ZEK_OK; ZEK_INVALID with errors; ZEK_CONFLICT when the request
 * changed since the form was made (its version); ZEK_FORBIDDEN for
 * anybody but support staff; ZEK_NOTFOUND; ZEK_IO.
 */
enum zek_rc core_request_edit(struct zctx *ctx, const struct user *user,
    int64_t request_id, const struct edit_input *in, struct field_error **errs,
    size_t *nerrs);

/* The stored values of request `v` (as core_request_get loaded it) whose
 * keys its type lacks, by key, as the page shows them: each through the
 * first type of its desk that has such a field. For staff only. */
enum zek_rc core_request_former(struct zctx *ctx, const struct request_view *v,
    const char *lang, struct request_field_view **out, size_t *n);

#endif
