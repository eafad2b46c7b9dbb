/* links.h: links between requests ("Duplikat von", "Hängt zusammen mit"),
 * and closing a request as the duplicate of another. For support staff:
 * customers see no links (docs/agents.md). */
#ifndef ZEK_CORE_LINKS_H
#define ZEK_CORE_LINKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"
#include "core/status.h"

struct user;
struct field_error;

#define LINK_KEY_FIELD "link_key"      /* the add form's request key */
#define LINK_ORIGINAL_FIELD "original" /* closing as duplicate: of what */
#define LINKS_MAX 200                  /* links one request shows */

/* A link as one of its two requests sees it. */
enum link_kind {
	LINK_DUPLICATE_OF,  /* "Duplikat von": this duplicates the other */
	LINK_DUPLICATED_BY, /* "Hat Duplikat": the other duplicates this */
	LINK_RELATES,       /* "Hängt zusammen mit", both ways */
	LINK_KIND_MAX
};

/* Codes "duplicate_of", "duplicated_by", "relates" (forms, the log);
 * static strings, "" out of range; the parser is false for anything else. */
const char *link_kind_code(enum link_kind k);
bool link_kind_from_code(const char *code, enum link_kind *out);

struct request_link {
	enum link_kind kind;
	int64_t other_id;
	const char *other_key;
	const char *other_title;
	enum status other_status;
	const char *other_status_label; /* in the asked language */
	int64_t created_at;
};

/* The links of request `request_id`, oldest first (at most LINKS_MAX), in
 * ctx->arena. ZEK_FORBIDDEN for anybody but support staff. */
enum zek_rc core_links_of(struct zctx *ctx, const struct user *user,
    int64_t request_id, const char *lang, struct request_link **out, size_t *n);

/* Links request `request_id` to the request `other_key` ("ZEK-12", any
 * case) as `kind`, with a "linked" entry (agents only) on both, in one
 * transaction. Returns ZEK_OK; ZEK_INVALID with *err (field
 * LINK_KEY_FIELD: err_required, err_invalid_utf8, err_link_unknown,
 * err_link_self, err_link_exists);
 * ZEK_FORBIDDEN for anybody but support staff; ZEK_NOTFOUND. */
enum zek_rc core_link_add(struct zctx *ctx, const struct user *user,
    int64_t request_id, enum link_kind kind, const char *other_key,
    struct field_error *err);

/* Removes the link between request `request_id` and `other_id`, with an
 * "unlinked" entry on both. ZEK_NOTFOUND when there is none. */
enum zek_rc core_link_remove(struct zctx *ctx, const struct user *user,
    int64_t request_id, int64_t other_id);

/* Closes request `request_id` as Duplikat of `original_key` (WF_CLOSE, as
 * core_transition with the optional comment) and links it "Duplikat von"
 * the original, in one transaction. ZEK_INVALID with *err (field
 * LINK_ORIGINAL_FIELD: err_required, err_link_unknown, err_link_self,
 * err_link_exists; or "comment"); otherwise as core_transition. */
enum zek_rc core_close_duplicate(struct zctx *ctx, const struct user *user,
    int64_t request_id, const char *original_key, const char *comment,
    struct field_error *err);

#endif
