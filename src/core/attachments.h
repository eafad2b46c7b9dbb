/* attachments.h: uploads (temporary until a request takes them) and downloads. */
#ifndef ZEK_CORE_ATTACHMENTS_H
#define ZEK_CORE_ATTACHMENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"

struct user;
struct field_error;

#define ATTACHMENT_NAME_MAX 255 /* code points of a file name */

/* An upload as the form shows it again. Lives in ctx->arena. */
struct attachment_info {
	int64_t id;
	const char *token;    /* temporary token; "" once attached */
	const char *filename; /* cleaned: no path, no control characters */
	const char *mime;     /* sniffed with libmagic, never the client's */
	size_t size;
	bool is_image; /* png, jpeg, gif, webp: may be shown inline */
	int64_t created_at;
};

/* A stored attachment with its bytes, for download. */
struct attachment {
	int64_t id;
	int64_t request_id;
	const char *filename;
	const char *mime;
	size_t size;
	bool is_image;
	const unsigned char *data; /* size bytes, in ctx->arena */
	int64_t created_at;
};

/* The user's temporary uploads (sent, not yet part of a request or comment)
 * are capped: at most cfg->max_pending_uploads of them, together at most
 * cfg->max_pending_upload_bytes. The keys of the two refusals; the API
 * answers them with 429 and 413. */
#define CORE_ERR_PENDING_COUNT "err_uploads_pending_count"
#define CORE_ERR_PENDING_BYTES "err_uploads_pending_bytes"

/* True when an error's max is a size in bytes (to be shown as "10 MB"). */
bool core_error_max_is_bytes(const char *key);

/* Stores an upload of `user` as temporary (no request yet) under a fresh
 * random token. The type is sniffed from the bytes; allowed are images,
 * PDF, text/CSV, office documents and archives (see attachments.c).
 * ZEK_INVALID with *err set: err_file_empty, err_file_too_big (max =
 * cfg->max_file_bytes), err_file_type, CORE_ERR_PENDING_COUNT or _BYTES
 * (the user's cap, checked atomically with the write); err->field is
 * "attachment" and err->arg the file name. err may be NULL. */
enum zek_rc core_attachment_upload_temp(struct zctx *ctx,
    const struct user *user, const char *filename, const void *data, size_t len,
    struct attachment_info *out, struct field_error *err);
/* The user's own temporary uploads for the tokens, in the given order;
 * tokens that are unknown, expired or someone else's are left out. */
enum zek_rc core_attachments_temp_get(struct zctx *ctx, const struct user *user,
    const char *const *tokens, size_t ntokens, struct attachment_info **out,
    size_t *n);
/* An attachment of a request the user may see, with its bytes.
 * ZEK_NOTFOUND when it does not exist, is still temporary, or the user may
 * not see its request. */
enum zek_rc core_attachment_get(struct zctx *ctx, const struct user *user,
    int64_t attachment_id, struct attachment **out);
/* Deletes temporary uploads older than cfg->temp_attachment_ttl_ms. */
enum zek_rc core_attachments_purge(struct zctx *ctx, int64_t *n);
/* True for mime types shown inline as images. */
bool core_mime_is_image(const char *mime);

#endif
