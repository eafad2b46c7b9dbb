/* attachments.c: uploads sniffed with libmagic, temporary until a request takes them. */
#include "core/attachments.h"

#include <magic.h>
#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "core/internal.h"
#include "core/perm.h"
#include "core/users.h"
#include "core/validate.h"
#include "lib/arena.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "store/store.h"

#define TEMP_TOKEN_BYTES 24 /* 192 random bits */
#define TEMP_TOKEN_LEN 32   /* base64url of them */
#define FALLBACK_NAME "datei"

/* libmagic cookies are not thread-safe; one shared cookie behind a lock
 * costs little next to an upload. It lives as long as the process. */
static pthread_mutex_t magic_lock = PTHREAD_MUTEX_INITIALIZER;
static magic_t magic_cookie;
static bool magic_failed;

/* What customers send to a service desk: pictures and screenshots, PDFs,
 * text and logs, office documents, mails, XML messages and archives.
 * Everything else (HTML, SVG, programs, scripts) is refused, because it
 * could run in a browser or on a desktop. */
static const char *const allowed_exact[] = {
	"image/png",
	"image/jpeg",
	"image/gif",
	"image/webp",
	"image/bmp",
	"image/tiff",
	"application/pdf",
	"text/plain",
	"text/csv",
	"application/json",
	"application/xml",
	"text/xml",
	"message/rfc822",
	"application/msword",
	"application/vnd.ms-excel",
	"application/vnd.ms-powerpoint",
	"application/vnd.ms-outlook",
	"application/vnd.ms-office",
	"application/CDFV2",
	"application/rtf",
	"text/rtf",
	"application/zip",
	"application/gzip",
	"application/x-gzip",
	"application/x-7z-compressed",
	"application/x-tar",
	"application/x-bzip2",
	"application/x-xz",
};
static const char *const allowed_prefix[] = {
	"application/vnd.openxmlformats-officedocument.",
	"application/vnd.oasis.opendocument.",
};
static const char *const image_types[] = {
	"image/png",
	"image/jpeg",
	"image/gif",
	"image/webp",
};

bool
core_mime_is_image(const char *mime)
{
	size_t i;

	for (i = 0; i < ZEK_ARRAY_LEN(image_types); i++)
		if (str_eq(mime, image_types[i]))
			return true;
	return false;
}

static bool
mime_allowed(const char *mime)
{
	size_t i;

	for (i = 0; i < ZEK_ARRAY_LEN(allowed_exact); i++)
		if (str_eq(mime, allowed_exact[i]))
			return true;
	for (i = 0; i < ZEK_ARRAY_LEN(allowed_prefix); i++)
		if (str_starts(mime, allowed_prefix[i]))
			return true;
	return false;
}

/* The type of the bytes, in the arena; NULL when libmagic fails. */
static const char *
sniff(struct zctx *ctx, const void *data, size_t len)
{
	const char *m = NULL, *copy = NULL;

	pthread_mutex_lock(&magic_lock);
	if (magic_cookie == NULL && !magic_failed) {
		magic_cookie = magic_open(
		    MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS);
		if (magic_cookie != NULL &&
		    magic_load(magic_cookie, NULL) != 0) {
			log_error("core",
			    "libmagic not loaded: file types "
			    "are not recognised",
			    LOG_FIELDS(
			        LOG_S("error", magic_error(magic_cookie))));
			magic_close(magic_cookie);
			magic_cookie = NULL;
		}
		magic_failed = magic_cookie == NULL;
	}
	if (magic_cookie != NULL)
		m = magic_buffer(magic_cookie, data, len);
	if (m != NULL)
		copy = arena_strdup(ctx->arena, m);
	pthread_mutex_unlock(&magic_lock);
	return copy;
}

/* Code points a file name must not carry: they would reorder or hide
 * what people read ("rechnung\u202Efdp.exe" shows as "rechnungexe.pdf"):
 * C1 controls, bidirectional marks, embeddings, overrides and isolates,
 * and the byte order mark. C0 controls and DEL are dropped too. */
static bool
name_cp_hidden(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x061c ||
	    cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069) || cp == 0xfeff;
}

/* Decodes the code point at s (valid UTF-8); returns its byte length. */
static size_t
name_cp(const unsigned char *s, uint32_t *cp)
{
	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if ((s[0] & 0xe0) == 0xc0) {
		*cp = (uint32_t)(s[0] & 0x1f) << 6 | (s[1] & 0x3f);
		return 2;
	}
	if ((s[0] & 0xf0) == 0xe0) {
		*cp = (uint32_t)(s[0] & 0x0f) << 12 |
		    (uint32_t)(s[1] & 0x3f) << 6 | (s[2] & 0x3f);
		return 3;
	}
	*cp = (uint32_t)(s[0] & 0x07) << 18 | (uint32_t)(s[1] & 0x3f) << 12 |
	    (uint32_t)(s[2] & 0x3f) << 6 | (s[3] & 0x3f);
	return 4;
}

/* The last path component, without controls and the marks above, at
 * most ATTACHMENT_NAME_MAX code points (a longer name loses the end of
 * its stem, not its extension); FALLBACK_NAME if nothing is left. */
static const char *
clean_name(struct zctx *ctx, const char *name)
{
	const char *base = name != NULL ? name : "";
	const char *p, *dot;
	size_t i, k, n, o = 0, cps, ext, keep;
	uint32_t cp;
	char *d;

	for (p = base; *p != '\0'; p++)
		if (*p == '/' || *p == '\\')
			base = p + 1;
	n = strlen(base);
	if (!utf8_valid(base, n))
		return FALLBACK_NAME;
	d = arena_alloc(ctx->arena, n + 1);
	if (d == NULL)
		return NULL;
	for (i = 0; i < n; i += k) {
		k = name_cp((const unsigned char *)base + i, &cp);
		if (!name_cp_hidden(cp)) {
			memcpy(d + o, base + i, k);
			o += k;
		}
	}
	d[o] = '\0';
	str_trim(d);
	cps = utf8_length(d, strlen(d));
	if (cps > ATTACHMENT_NAME_MAX) {
		/* Keep a short extension: the type people see stays true. */
		dot = strrchr(d, '.');
		ext = dot != NULL ? utf8_length(dot, strlen(dot)) : 0;
		if (ext > 16)
			ext = 0;
		keep = ATTACHMENT_NAME_MAX - ext;
		for (i = 0, k = 0; k < keep; k++)
			i += name_cp((const unsigned char *)d + i, &cp);
		if (ext > 0)
			memmove(d + i, dot, strlen(dot) + 1);
		else
			d[i] = '\0';
		str_trim(d);
	}
	if (*d == '\0' || str_eq(d, ".") || str_eq(d, ".."))
		return FALLBACK_NAME;
	return d;
}

static char *
temp_token(struct zctx *ctx)
{
	unsigned char raw[TEMP_TOKEN_BYTES];
	char *s = arena_alloc(ctx->arena, TEMP_TOKEN_LEN + 1);

	if (s == NULL)
		return NULL;
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(s, TEMP_TOKEN_LEN + 1, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return s;
}

static enum zek_rc
file_error(struct field_error *err, const char *key, int64_t max,
    const char *name)
{
	if (err != NULL)
		*err = (struct field_error){ .field = "attachment",
			.key = key,
			.max = max,
			.arg = name };
	return ZEK_INVALID;
}

/* The upload would pass the user's cap of temporary uploads: which one. */
static enum zek_rc
pending_error(struct zctx *ctx, const struct user *user,
    struct field_error *err, const char *name)
{
	int64_t count, bytes;
	enum zek_rc rc;

	rc = store_attachments_pending(ctx->db, user->id, &count, &bytes);
	if (rc != ZEK_OK)
		return rc;
	if (count >= (int64_t)ctx->cfg->max_pending_uploads)
		return file_error(err, CORE_ERR_PENDING_COUNT,
		    (int64_t)ctx->cfg->max_pending_uploads, name);
	return file_error(err, CORE_ERR_PENDING_BYTES,
	    ctx->cfg->max_pending_upload_bytes, name);
}

bool
core_error_max_is_bytes(const char *key)
{
	return str_eq(key, "err_file_too_big") ||
	    str_eq(key, CORE_ERR_PENDING_BYTES);
}

enum zek_rc
core_attachment_upload_temp(struct zctx *ctx, const struct user *user,
    const char *filename, const void *data, size_t len,
    struct attachment_info *out, struct field_error *err)
{
	struct store_attachment att;
	const char *name, *mime;
	enum zek_rc rc;
	int64_t id;
	char *tok;

	name = clean_name(ctx, filename);
	if (name == NULL)
		return ZEK_NOMEM;
	if (len == 0)
		return file_error(err, "err_file_empty", 0, name);
	if (len > ctx->cfg->max_file_bytes)
		return file_error(err, "err_file_too_big",
		    (int64_t)ctx->cfg->max_file_bytes, name);
	mime = sniff(ctx, data, len);
	if (mime == NULL)
		return ZEK_IO;
	if (!mime_allowed(mime))
		return file_error(err, "err_file_type", 0, name);
	tok = temp_token(ctx);
	if (tok == NULL)
		return ZEK_NOMEM;
	att = (struct store_attachment){
		.uploader_id = user->id,
		.temp_token = tok,
		.filename = name,
		.mime = mime,
		.size = (int64_t)len,
		.created_at = ctx->now_ms,
	};
	rc = store_attachment_insert(ctx->db, &att, data, len,
	    ctx->cfg->max_pending_uploads, ctx->cfg->max_pending_upload_bytes,
	    &id);
	if (rc == ZEK_TOOBIG)
		return pending_error(ctx, user, err, name);
	if (rc != ZEK_OK)
		return rc;
	*out = (struct attachment_info){
		.id = id,
		.token = tok,
		.filename = name,
		.mime = mime,
		.size = len,
		.is_image = core_mime_is_image(mime),
		.created_at = ctx->now_ms,
	};
	return ZEK_OK;
}

void
core_attachment_info_from_store(struct attachment_info *ai,
    const struct store_attachment *sa)
{
	*ai = (struct attachment_info){
		.id = sa->id,
		.token = sa->temp_token,
		.filename = sa->filename,
		.mime = sa->mime,
		.size = (size_t)sa->size,
		.is_image = core_mime_is_image(sa->mime),
		.created_at = sa->created_at,
	};
}

enum zek_rc
core_attachment_temp_find(struct zctx *ctx, const struct user *user,
    const char *token, struct store_attachment **out)
{
	enum zek_rc rc;

	if (str_empty(token) || strlen(token) > TEMP_TOKEN_LEN)
		return ZEK_NOTFOUND;
	rc = store_attachment_temp_get(ctx->db, ctx->arena, user->id, token,
	    out);
	/* Past its time it is as good as purged, whether or not the job ran. */
	if (rc == ZEK_OK &&
	    (*out)->created_at < ctx->now_ms - ctx->cfg->temp_attachment_ttl_ms)
		rc = ZEK_NOTFOUND;
	return rc;
}

enum zek_rc
core_attachments_temp_get(struct zctx *ctx, const struct user *user,
    const char *const *tokens, size_t ntokens, struct attachment_info **out,
    size_t *n)
{
	struct store_attachment *sa;
	struct attachment_info *ai;
	enum zek_rc rc;
	size_t i, j, cnt = 0;

	ai = arena_calloc(ctx->arena, ntokens > 0 ? ntokens : 1, sizeof(*ai));
	if (ai == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < ntokens; i++) {
		for (j = 0; j < i; j++)
			if (str_eq(tokens[i], tokens[j]))
				break;
		if (j < i)
			continue;
		rc = core_attachment_temp_find(ctx, user, tokens[i], &sa);
		if (rc == ZEK_NOTFOUND)
			continue;
		if (rc != ZEK_OK)
			return rc;
		core_attachment_info_from_store(&ai[cnt++], sa);
	}
	*out = ai;
	*n = cnt;
	return ZEK_OK;
}

enum zek_rc
core_attachment_get(struct zctx *ctx, const struct user *user,
    int64_t attachment_id, struct attachment **out)
{
	struct store_attachment *sa;
	struct store_request *r;
	struct attachment *a;
	enum zek_rc rc;
	bool visible;

	if (user == NULL)
		return ZEK_NOTFOUND;
	rc = store_attachment_get(ctx->db, ctx->arena, attachment_id, true,
	    &sa);
	if (rc != ZEK_OK)
		return rc;
	if (sa->request_id == 0)
		return ZEK_NOTFOUND;
	rc = store_request_by_id(ctx->db, ctx->arena, sa->request_id, &r);
	if (rc == ZEK_OK)
		rc = core_request_visible(ctx, user, r, &visible);
	if (rc != ZEK_OK)
		return rc;
	/* An internal note's files are for support staff only. */
	if (visible && !perm_is_staff(user))
		rc = store_attachment_is_public(ctx->db, sa->id, &visible);
	if (rc != ZEK_OK)
		return rc;
	if (!visible)
		return ZEK_NOTFOUND;
	a = arena_calloc(ctx->arena, 1, sizeof(*a));
	if (a == NULL)
		return ZEK_NOMEM;
	*a = (struct attachment){
		.id = sa->id,
		.request_id = sa->request_id,
		.filename = sa->filename,
		.mime = sa->mime,
		.size = (size_t)sa->size,
		.is_image = core_mime_is_image(sa->mime),
		.data = sa->data,
		.created_at = sa->created_at,
	};
	*out = a;
	return ZEK_OK;
}

enum zek_rc
core_attachments_purge(struct zctx *ctx, int64_t *n)
{
	return store_attachments_purge_temp(ctx->db,
	    ctx->now_ms - ctx->cfg->temp_attachment_ttl_ms, n);
}
