/* validate.h: checking one field's submitted values; errors as catalog keys. */
#ifndef ZEK_CORE_VALIDATE_H
#define ZEK_CORE_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"

struct field;

/* Limits (code points unless said otherwise). */
#define VALIDATE_TEXT_MAX 255
#define VALIDATE_LONGTEXT_MAX 32000
#define VALIDATE_URL_MAX 2000
#define VALIDATE_OBJECTS_MAX 50 /* objects in one multi-valued field */

/* A user-facing error: a catalog key (see docs/internals/core.md and
 * po/<lang>/errors.po) for the field `field`. `max` fills the "{max}"
 * placeholder of keys that have one; `arg` names the file for file errors.
 * Strings are static or live in ctx->arena. */
struct field_error {
	const char *field; /* field key, or "onbehalf", "share" */
	const char *key;   /* "err_required", "err_too_long", ... */
	int64_t max;       /* 0 if unused */
	const char *arg;   /* file name or NULL */
};

/* The submitted values of one field, as a form or the API sends them. */
struct field_value {
	const char *key;
	const char **values;
	size_t nvalues;
};

/* Checks the values of `f` (not FIELD_ATTACHMENT: see core/attachments.h).
 * tz is the user's IANA zone for FIELD_DATETIME. On ZEK_OK, when norm is
 * not NULL, it receives the values as they are stored (norm->key = f->key;
 * empty values dropped, so nvalues 0 means "not filled"):
 *   text, url: trimmed;  richtext, textarea: CRLF turned into LF, trailing
 *   white space trimmed;  select: the option value;  checkbox: "1";
 *   datetime: UTC milliseconds as a decimal string;  object: object ids.
 * On ZEK_INVALID *err holds the first problem of this field. ZEK_NOMEM,
 * ZEK_IO otherwise. */
enum zek_rc core_validate_field(struct zctx *ctx, const struct field *f,
    const char *const *values, size_t nvalues, const char *tz,
    struct field_value *norm, struct field_error *err);

/* A form's free text that is no request field (a rating's comment, a
 * snippet's body), checked as a field `key` of `kind` (FIELD_TEXTAREA or
 * FIELD_RICHTEXT) is: readable first, CRLF as LF, trailing white space
 * trimmed, then at most `max` code points (its own limit, not the long
 * text's). *norm: the text as stored, "" when empty and not `required`.
 * ZEK_INVALID with *err (may be NULL) on field `key`: err_required,
 * err_invalid_utf8, err_invalid_chars, err_too_long with max. */
enum zek_rc core_validate_text(struct zctx *ctx, const char *key, int kind,
    bool required, const char *text, size_t max, const char **norm,
    struct field_error *err);

/* Parses a local date-time "YYYY-MM-DDTHH:MM" (also "...:SS", or a space
 * instead of "T") in the IANA zone `tz` to UTC ms. ZEK_INVALID when the
 * text or the zone is not valid. A time inside a daylight-saving gap
 * moves forward by the gap (02:30 becomes 03:30). */
enum zek_rc core_parse_local_datetime(const char *text, const char *tz,
    int64_t *out);
/* Writes the local time of `ms` in zone `tz` as "YYYY-MM-DDTHH:MM" (the
 * value an <input type="datetime-local"> takes) into out[17].
 * ZEK_INVALID for an unknown zone. */
enum zek_rc core_format_local_datetime(int64_t ms, const char *tz,
    char out[17]);
/* True for a known IANA zone ID ("Europe/Berlin"). */
bool core_tz_valid(const char *tz);

#endif
