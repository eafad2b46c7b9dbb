/* password.h: the rules for a new password (NIST SP 800-63B, 5.1.1.2). */
#ifndef ZEK_CORE_PASSWORD_H
#define ZEK_CORE_PASSWORD_H

#include <stddef.h>

#include "core/ctx.h"

struct field_error;

/* Characters (code points) a new password needs at least. Existing
 * shorter passwords keep working: the rules apply when one is set. */
#define PASSWORD_NEW_MIN 12

/* Where core_password_rules writes its errors: up to `max` entries of
 * `errs`, the count in *n (added to what is there). */
struct password_errs {
	struct field_error *errs;
	size_t *n;
	size_t max;
};

/* Checks a new password and its repetition for the person with this
 * e-mail address and name (either may be NULL or ""). No composition
 * rules; refused are: empty (err_required), not UTF-8
 * (err_invalid_utf8), fewer than PASSWORD_NEW_MIN characters
 * (err_password_too_short {min}), more than USER_PASSWORD_MAX bytes
 * (err_too_long {max}), built from the name or the address
 * (err_password_personal), common, a dictionary word or too simple by
 * Debian's cracklib (err_password_common); all under field `field`. A
 * repetition that differs: err_password_mismatch under `field2`. Short
 * of memory, the personal words are not checked. */
void core_password_rules(struct zctx *ctx, const char *pw, const char *pw2,
    const char *email, const char *name, const char *field, const char *field2,
    struct password_errs *out);

#endif
