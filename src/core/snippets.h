/* snippets.h: canned responses ("Textbausteine") agents insert into a reply. */
#ifndef ZEK_CORE_SNIPPETS_H
#define ZEK_CORE_SNIPPETS_H

#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"

struct user;
struct field_error;
struct request_view;

/*
 * Issue 18: snippets shared by all support staff, a title and a Markdown
 * body with placeholders filled for the request a reply goes to:
 *   {{Name}}      the reporter's name
 *   {{Referenz}}  the request's key ("ZEK-12")
 *   {{Titel}}     the request's title
 *   {{Agent}}     the name of the agent who inserts it
 * (names in any ASCII case, spaces inside the braces allowed); anything
 * else in braces stays as written. The filled text is plain comment
 * text: the reply form shows it escaped, and the comment renderer turns
 * it into safe HTML like any typed reply. Every change keeps who made
 * it and when (store/snippets.c); a deleted snippet keeps its row.
 */
#define SNIPPET_TITLE_MAX 100 /* code points */
#define SNIPPET_BODY_MAX 5000 /* code points */
#define SNIPPETS_MAX 200      /* snippets listed and offered */
#define SNIPPET_TITLE_FIELD "title"
#define SNIPPET_BODY_FIELD "body"

/* A snippet. Lives in ctx->arena. */
struct snippet {
	int64_t id;
	const char *title;
	const char *body;       /* with its placeholders */
	int64_t updated_at;     /* the last change (or creation) */
	const char *updated_by; /* the name of who made it */
};

/* Every function below is for support staff only: for anybody else (or
 * NULL) it returns ZEK_FORBIDDEN. */

/* The snippets by title, at most SNIPPETS_MAX. */
enum zek_rc core_snippets_list(struct zctx *ctx, const struct user *user,
    struct snippet **out, size_t *n);
/* ZEK_NOTFOUND when there is no such snippet (or it was deleted). */
enum zek_rc core_snippet_get(struct zctx *ctx, const struct user *user,
    int64_t id, struct snippet **out);
/* Adds a snippet (id 0; *id_out its id) or changes snippet `id`, as
 * `user` now. Title: trimmed, one line, 1..SNIPPET_TITLE_MAX; body:
 * Markdown, CRLF as LF, 1..SNIPPET_BODY_MAX. ZEK_INVALID with *err (field
 * SNIPPET_TITLE_FIELD or SNIPPET_BODY_FIELD: err_required, err_too_long,
 * err_invalid_utf8, err_invalid_chars); ZEK_NOTFOUND when snippet `id`
 * does not exist. id_out may be NULL. */
enum zek_rc core_snippet_save(struct zctx *ctx, const struct user *user,
    int64_t id, const char *title, const char *body, int64_t *id_out,
    struct field_error *err);
/* Deletes snippet `id` (as `user`, now); ZEK_NOTFOUND when there is none. */
enum zek_rc core_snippet_delete(struct zctx *ctx, const struct user *user,
    int64_t id);

/* The body of `s` with its placeholders filled for request `v` (from
 * core_request_get for `user`) and `user` as the agent, in the arena. */
enum zek_rc core_snippet_fill(struct zctx *ctx, const struct user *user,
    const struct snippet *s, const struct request_view *v, const char **out);
/* The reply text after inserting snippet `id` filled for `v`: what was
 * typed (NULL = nothing), kept as it is, then a blank line and the
 * snippet; the snippet alone when nothing but white space was typed.
 * ZEK_NOTFOUND when there is no such snippet. */
enum zek_rc core_snippet_insert(struct zctx *ctx, const struct user *user,
    int64_t id, const struct request_view *v, const char *typed,
    const char **out);

#endif
