/* snippets.c: canned responses: who manages them, their limits, and the placeholders filled for a request. */
#include "core/snippets.h"

#include <string.h>

#include "core/fields.h"
#include "core/internal.h"
#include "core/perm.h"
#include "core/requests.h"
#include "core/users.h"
#include "core/validate.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "store/store.h"

/* A filled snippet is at most its body plus what the placeholders add:
 * names and titles are short, so four times the body is plenty. */
#define FILLED_MAX (SNIPPET_BODY_MAX * 4 * 4)
#define PLACEHOLDER_NAME_MAX 32 /* bytes between the braces */

static void
snippet_from_store(struct snippet *out, const struct store_snippet *ss)
{
	*out = (struct snippet){
		.id = ss->id,
		.title = ss->title,
		.body = ss->body,
		.updated_at = ss->updated_at,
		.updated_by = ss->updated_by_name,
	};
}

enum zek_rc
core_snippets_list(struct zctx *ctx, const struct user *user,
    struct snippet **out, size_t *n)
{
	struct store_snippet *ss;
	struct snippet *s;
	size_t i, ns;
	enum zek_rc rc;

	if (!perm_is_staff(user))
		return ZEK_FORBIDDEN;
	rc = store_snippets_list(ctx->db, ctx->arena, SNIPPETS_MAX, &ss, &ns);
	if (rc != ZEK_OK)
		return rc;
	s = arena_calloc(ctx->arena, ns > 0 ? ns : 1, sizeof(*s));
	if (s == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < ns; i++)
		snippet_from_store(&s[i], &ss[i]);
	*out = s;
	*n = ns;
	return ZEK_OK;
}

enum zek_rc
core_snippet_get(struct zctx *ctx, const struct user *user, int64_t id,
    struct snippet **out)
{
	struct store_snippet *ss;
	struct snippet *s;
	enum zek_rc rc;

	if (!perm_is_staff(user))
		return ZEK_FORBIDDEN;
	rc = store_snippet_get(ctx->db, ctx->arena, id, &ss);
	if (rc != ZEK_OK)
		return rc;
	s = arena_alloc(ctx->arena, sizeof(*s));
	if (s == NULL)
		return ZEK_NOMEM;
	snippet_from_store(s, ss);
	*out = s;
	return ZEK_OK;
}

/* Title and body as stored, or ZEK_INVALID with *err on one of them. */
static enum zek_rc
input_check(struct zctx *ctx, const char *title, const char *body,
    struct store_snippet *out, struct field_error *err)
{
	const char *key;

	out->title = core_name_check(ctx, title, SNIPPET_TITLE_MAX, &key);
	if (out->title == NULL && key == NULL)
		return ZEK_NOMEM;
	if (out->title == NULL) {
		if (err != NULL)
			*err = (struct field_error){
				.field = SNIPPET_TITLE_FIELD,
				.key = key,
				.max = str_eq(key, "err_too_long") ?
				    SNIPPET_TITLE_MAX :
				    0
			};
		return ZEK_INVALID;
	}
	return core_validate_text(ctx, SNIPPET_BODY_FIELD, FIELD_RICHTEXT, true,
	    body, SNIPPET_BODY_MAX, &out->body, err);
}

enum zek_rc
core_snippet_save(struct zctx *ctx, const struct user *user, int64_t id,
    const char *title, const char *body, int64_t *id_out,
    struct field_error *err)
{
	struct store_snippet s = { .id = id };
	int64_t new_id = id;
	enum zek_rc rc;

	if (!perm_is_staff(user))
		return ZEK_FORBIDDEN;
	rc = input_check(ctx, title, body, &s, err);
	if (rc != ZEK_OK)
		return rc;
	s.created_by = s.updated_by = user->id;
	s.created_at = s.updated_at = ctx->now_ms;
	if (id == 0)
		rc = store_snippet_insert(ctx->db, &s, &new_id);
	else
		rc = store_snippet_update(ctx->db, &s);
	if (rc == ZEK_OK && id_out != NULL)
		*id_out = new_id;
	return rc;
}

enum zek_rc
core_snippet_delete(struct zctx *ctx, const struct user *user, int64_t id)
{
	if (!perm_is_staff(user))
		return ZEK_FORBIDDEN;
	return store_snippet_delete(ctx->db, id, user->id, ctx->now_ms);
}

/* ---- placeholders ---- */

/* The value of placeholder `name` (len bytes, spaces around allowed) for
 * the request; NULL for a name that is none of ours. */
static const char *
placeholder_value(const char *name, size_t len, const struct user *user,
    const struct request_view *v)
{
	static const char *const names[] = { "name", "referenz", "titel",
		"agent" };
	char word[PLACEHOLDER_NAME_MAX + 1];
	const char *values[4];
	size_t i;

	if (len > PLACEHOLDER_NAME_MAX)
		return NULL;
	memcpy(word, name, len);
	word[len] = '\0';
	str_trim(word);
	values[0] = v->reporter.name;
	values[1] = v->key;
	values[2] = v->title;
	values[3] = user->name;
	for (i = 0; i < ZEK_ARRAY_LEN(names); i++)
		if (str_caseeq(word, names[i]))
			return values[i];
	return NULL;
}

enum zek_rc
core_snippet_fill(struct zctx *ctx, const struct user *user,
    const struct snippet *s, const struct request_view *v, const char **out)
{
	const char *p = s->body, *open, *close, *val;
	enum zek_rc rc = ZEK_OK;
	struct buf b;

	if (!perm_is_staff(user))
		return ZEK_FORBIDDEN;
	buf_init(&b, FILLED_MAX);
	while ((open = strstr(p, "{{")) != NULL &&
	    (close = strstr(open + 2, "}}")) != NULL) {
		val = placeholder_value(open + 2, (size_t)(close - open - 2),
		    user, v);
		/* Not ours: keep the braces and look on after them. */
		buf_append(&b, p, (size_t)(open - p) + (val == NULL ? 2 : 0));
		if (val == NULL) {
			p = open + 2;
			continue;
		}
		buf_puts(&b, val);
		p = close + 2;
	}
	buf_puts(&b, p);
	if (b.failed)
		rc = (enum zek_rc)b.failed;
	else if ((*out = arena_strndup(ctx->arena, b.data != NULL ? b.data : "",
	              b.len)) == NULL)
		rc = ZEK_NOMEM;
	buf_free(&b);
	return rc;
}

/* Whether s has anything but white space. */
static bool
has_text(const char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if (strchr(" \t\r\n", *s) == NULL)
			return true;
	return false;
}

enum zek_rc
core_snippet_insert(struct zctx *ctx, const struct user *user, int64_t id,
    const struct request_view *v, const char *typed, const char **out)
{
	struct snippet *s;
	const char *filled;
	size_t n;
	enum zek_rc rc;

	rc = core_snippet_get(ctx, user, id, &s);
	if (rc == ZEK_OK)
		rc = core_snippet_fill(ctx, user, s, v, &filled);
	if (rc != ZEK_OK)
		return rc;
	if (!has_text(typed)) {
		*out = filled;
		return ZEK_OK;
	}
	/* What was typed stays as it is; the snippet follows as a paragraph
	 * of its own. */
	n = strlen(typed);
	while (n > 0 && strchr(" \t\r\n", typed[n - 1]) != NULL)
		n--;
	*out = arena_printf(ctx->arena, "%.*s\n\n%s", (int)n, typed, filled);
	return *out != NULL ? ZEK_OK : ZEK_NOMEM;
}
