/* admin_form.c: the admin check, a form's checks and the record of a
 * change, shared by the admin calls of core (admin_form.h). */
#include "core/admin_form.h"

#include <inttypes.h>
#include <string.h>

#include "core/internal.h"
#include "core/perm.h"
#include "core/users.h"
#include "core/validate.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "lib/utf8.h"

bool
admin_actor_ok(const struct user *actor)
{
	return actor == NULL || perm_is_admin(actor);
}

enum zek_rc
admin_begin(struct zctx *ctx, const struct user *actor)
{
	return admin_actor_ok(actor) ? store_begin(ctx->db) : ZEK_NOTFOUND;
}

/* ---- checking a form ---- */

void
admin_form_error(struct form_check *fc, const char *field, const char *key,
    int64_t max)
{
	if (*fc->n < ADMIN_MAX_ERRORS)
		fc->errs[(*fc->n)++] = (struct field_error){ .field = field,
			.key = key,
			.max = max };
}

/* The text of one control, trimmed; multi-line ones with CRLF turned
 * into LF. NULL after an error (added) or when out of memory. */
const char *
admin_form_text(struct form_check *fc, const char *field, const char *in,
    size_t max, bool multiline, bool required)
{
	char *t, *w;
	const char *r;
	size_t n;

	if (in == NULL)
		in = "";
	if (!utf8_valid(in, strlen(in))) {
		admin_form_error(fc, field, "err_invalid_utf8", 0);
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
		admin_form_error(fc, field, "err_required", 0);
	else if (!utf8_clean_text(t, n, multiline))
		admin_form_error(fc, field, "err_invalid_chars", 0);
	else if (utf8_length(t, n) > max)
		admin_form_error(fc, field, "err_too_long", (int64_t)max);
	else
		return t;
	return NULL;
}

/* A local time of the actor's zone as UTC ms; "" is 0 (open). */
int64_t
admin_form_time(struct form_check *fc, const struct user *actor,
    const char *field, const char *in)
{
	int64_t ms;

	if (str_empty(in))
		return 0;
	if (core_parse_local_datetime(in,
	        actor != NULL ? actor->tz : "Europe/Berlin", &ms) != ZEK_OK ||
	    ms <= 0) {
		admin_form_error(fc, field, "err_invalid_datetime", 0);
		return 0;
	}
	return ms;
}

/* The version a form was read at; -1 when it carries none. */
int64_t
admin_form_version(const char *v)
{
	int64_t n;

	return str_to_i64(v, 0, INT64_MAX, &n) == 0 ? n : -1;
}

/* ---- recording changes ---- */

void
admin_change_text(struct change_list *cl, const char *subject, const char *old,
    const char *now)
{
	if (str_eq(old, now) || cl->n == ZEK_ARRAY_LEN(cl->rows))
		return;
	cl->rows[cl->n++] = (struct store_config_change){ .at = cl->ctx->now_ms,
		.actor_id = cl->actor != NULL ? cl->actor->id : 0,
		.subject = subject,
		.target = cl->target,
		.old_value = old,
		.new_value = now };
}

void
admin_change_time(struct change_list *cl, const char *subject, int64_t old,
    int64_t now)
{
	if (old != now)
		admin_change_text(cl, subject,
		    arena_printf(cl->ctx->arena, "%" PRId64, old),
		    arena_printf(cl->ctx->arena, "%" PRId64, now));
}

enum zek_rc
admin_change_lock(struct zctx *ctx, int64_t version)
{
	int64_t now;
	enum zek_rc rc;

	rc = store_config_version_bump(ctx->db, &now);
	if (rc == ZEK_OK && version >= 0 && now != version + 1)
		rc = ZEK_CONFLICT;
	return rc;
}

enum zek_rc
admin_change_rows(struct change_list *cl)
{
	enum zek_rc rc = ZEK_OK;
	size_t i;

	for (i = 0; i < cl->n; i++)
		if (cl->rows[i].old_value == NULL ||
		    cl->rows[i].new_value == NULL)
			return ZEK_NOMEM;
	for (i = 0; rc == ZEK_OK && i < cl->n; i++)
		rc = store_config_change_add(cl->ctx->db, &cl->rows[i]);
	return rc;
}

enum zek_rc
admin_change_commit(struct change_list *cl, int64_t version)
{
	enum zek_rc rc = admin_change_lock(cl->ctx, version);

	return rc == ZEK_OK ? admin_change_rows(cl) : rc;
}
