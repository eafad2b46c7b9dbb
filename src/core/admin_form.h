/* admin_form.h: what the admin calls of core share (admin.c,
 * admin_types.c): the admin check, a form's checks and the record of a
 * change. Core-internal. */
#ifndef ZEK_CORE_ADMIN_FORM_H
#define ZEK_CORE_ADMIN_FORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/admin.h"
#include "core/ctx.h"
#include "store/store.h"

struct field_error;
struct user;

/* Admins, and the command line (actor NULL). */
bool admin_actor_ok(const struct user *actor);
/* Opens the transaction of an admin's change (store_begin): ZEK_NOTFOUND
 * for anyone else (the admin area does not exist for them), without one. */
enum zek_rc admin_begin(struct zctx *ctx, const struct user *actor);

/* Where a form's checks put their errors. */
struct form_check {
	struct zctx *ctx;
	struct field_error *errs;
	size_t *n;
	bool nomem;
};

/* What one save changes: the record's rows, written after the new values. */
struct change_list {
	struct zctx *ctx;
	const struct user *actor;
	const char *target;
	struct store_config_change rows[16]; /* the most one form changes */
	size_t n;
};

void admin_form_error(struct form_check *fc, const char *field, const char *key,
    int64_t max);
/* The text of one control, trimmed; multi-line ones with CRLF turned
 * into LF. NULL after an error (added) or when out of memory. */
const char *admin_form_text(struct form_check *fc, const char *field,
    const char *in, size_t max, bool multiline, bool required);
/* A local time of the actor's zone as UTC ms; "" is 0 (open). */
int64_t admin_form_time(struct form_check *fc, const struct user *actor,
    const char *field, const char *in);
/* The version a form was read at; -1 when it carries none. */
int64_t admin_form_version(const char *v);

void admin_change_text(struct change_list *cl, const char *subject,
    const char *old, const char *now);
void admin_change_time(struct change_list *cl, const char *subject, int64_t old,
    int64_t now);
/* Inside a change's transaction, before it reads what it changes: counts
 * the configuration's version up from `version` (ZEK_CONFLICT when
 * someone else's came between; -1: a change that stands alone). On
 * PostgreSQL the version's row lock orders concurrent changes. */
enum zek_rc admin_change_lock(struct zctx *ctx, int64_t version);
/* Records the list's rows, after admin_change_lock. */
enum zek_rc admin_change_rows(struct change_list *cl);
/* admin_change_lock, then admin_change_rows: inside the save's
 * transaction: counts the change up from `version`
 * (ZEK_CONFLICT when someone else's came between; -1: a change that
 * stands alone, as one object's) and records its rows. */
enum zek_rc admin_change_commit(struct change_list *cl, int64_t version);

#endif
