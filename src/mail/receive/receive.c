/* receive.c: the pipeline of a received message: read, store raw first, parse, process. */
#include "mail/receive/receive.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/ctx.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "mail/receive/parse.h"
#include "store/store.h" /* struct store_inbound */

#define CHUNK (64u << 10)

static const char *
hash_hex(struct arena *a, crypto_hash_sha256_state *st)
{
	unsigned char h[crypto_hash_sha256_BYTES];
	char *hex = arena_alloc(a, 2 * sizeof(h) + 1);

	crypto_hash_sha256_final(st, h);
	if (hex != NULL)
		sodium_bin2hex(hex, 2 * sizeof(h) + 1, h, sizeof(h));
	return hex;
}

/* Keeps at most the head of a message over the limit. */
static enum zek_rc
keep(struct arena *a, struct buf *b, size_t size, const struct config *cfg,
    struct inbound_raw *raw)
{
	size_t len = b->len;
	char *data;

	raw->size = size;
	raw->too_big = size > cfg->mail_max_bytes;
	if (raw->too_big && len > RECEIVE_HEAD_BYTES)
		len = RECEIVE_HEAD_BYTES;
	data = arena_alloc(a, len + 1);
	if (data == NULL)
		return ZEK_NOMEM;
	if (len > 0)
		memcpy(data, b->data, len);
	data[len] = '\0';
	raw->data = data;
	raw->len = len;
	return size == 0 ? ZEK_INVALID : ZEK_OK;
}

void
receive_reader_init(struct receive_reader *r, const struct config *cfg)
{
	r->cfg = cfg;
	r->size = 0;
	buf_init(&r->b, cfg->mail_max_bytes + 1);
	crypto_hash_sha256_init(&r->st);
}

enum zek_rc
receive_reader_add(struct receive_reader *r, const void *data, size_t n)
{
	/* One byte past the limit tells that it is too big; beyond that only
	 * the hash goes on, so that it names the whole message. */
	size_t room = r->cfg->mail_max_bytes + 1 - r->b.len;

	crypto_hash_sha256_update(&r->st, data, n);
	r->size += n;
	if (n > room)
		n = room;
	return n == 0 || buf_append(&r->b, data, n) == 0 ? ZEK_OK : ZEK_NOMEM;
}

enum zek_rc
receive_reader_finish(struct receive_reader *r, struct arena *a,
    struct inbound_raw *raw)
{
	raw->hash = hash_hex(a, &r->st);
	return raw->hash == NULL ? ZEK_NOMEM :
	                           keep(a, &r->b, r->size, r->cfg, raw);
}

void
receive_reader_free(struct receive_reader *r)
{
	buf_free(&r->b);
}

enum zek_rc
mail_receive_read(struct arena *a, const struct config *cfg, int fd,
    struct inbound_raw *raw)
{
	struct receive_reader r;
	char *chunk = malloc(CHUNK);
	enum zek_rc rc = ZEK_OK;
	ssize_t n;

	if (chunk == NULL)
		return ZEK_NOMEM;
	receive_reader_init(&r, cfg);
	for (;;) {
		n = read(fd, chunk, CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		rc = receive_reader_add(&r, chunk, (size_t)n);
		if (rc != ZEK_OK)
			goto out;
	}
	rc = n < 0 ? ZEK_IO : receive_reader_finish(&r, a, raw);
out:
	receive_reader_free(&r);
	free(chunk);
	return rc;
}

enum zek_rc
mail_receive_raw(struct arena *a, const struct config *cfg, const void *data,
    size_t len, struct inbound_raw *raw)
{
	crypto_hash_sha256_state st;
	struct buf b;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, data, len);
	raw->hash = hash_hex(a, &st);
	if (raw->hash == NULL)
		return ZEK_NOMEM;
	/* A borrowed view: keep() copies at most the head. */
	b = (struct buf){ .data = (char *)data, .len = len };
	return keep(a, &b, len, cfg, raw);
}

enum zek_rc
mail_receive(struct core *core, struct zctx *ctx, const struct inbound_raw *raw,
    struct inbound_result *res)
{
	struct store_inbound *row;
	struct inbound_msg m;
	enum zek_rc rc, prc;
	bool dup = false;
	int64_t id = 0;

	*res = (struct inbound_result){ .state = INBOUND_NEW,
		.reason = "",
		.request_key = "" };
	/* Parsing first only finds the Message-ID and sender to store with
	 * the bytes; nothing is decided before they are stored. */
	prc = mail_parse(ctx->arena, ctx->cfg, raw->data, raw->len, &m);
	if (prc != ZEK_OK)
		m = (struct inbound_msg){ .message_id = "",
			.from_addr = "",
			.subject = "" };
	rc = core_inbound_store(ctx, raw, &m, &id, &dup);
	if (rc != ZEK_OK)
		return rc;
	res->id = id;
	if (prc != ZEK_OK)
		return prc; /* stored; processed at the next delivery */
	if (dup) {
		rc = core_inbound_get(ctx, NULL, id, false, &row);
		if (rc != ZEK_OK)
			return rc;
		if (strcmp(row->state, INBOUND_NEW) != 0) {
			res->duplicate = true;
			res->state = row->state;
			res->reason = row->reason;
			res->request_id = row->request_id;
			res->comment_id = row->comment_id;
			return ZEK_OK;
		}
	}
	return core_inbound_process(core, ctx, id, &m, raw->too_big, res);
}

enum zek_rc
mail_receive_again(struct core *core, struct zctx *ctx,
    const struct user *actor, int64_t id, struct inbound_result *res)
{
	struct store_inbound *was, *row;
	struct inbound_msg m;
	enum zek_rc rc;

	*res = (struct inbound_result){ .id = id,
		.state = INBOUND_NEW,
		.reason = "",
		.request_key = "" };
	rc = core_inbound_requeue(ctx, actor, id, &was);
	if (rc == ZEK_OK)
		rc = core_inbound_get(ctx, actor, id, true, &row);
	if (rc == ZEK_OK)
		rc = mail_parse(ctx->arena, ctx->cfg, row->raw, row->raw_len,
		    &m);
	if (rc != ZEK_OK)
		return rc; /* 'new' again: the next try processes it */
	rc = core_inbound_process(core, ctx, id, &m, false, res);
	if (rc == ZEK_OK && !res->duplicate)
		rc = core_inbound_retried(ctx, actor, was, res);
	return rc;
}

enum zek_rc
mail_receive_show(struct zctx *ctx, const struct user *actor, int64_t id,
    struct store_inbound **row, struct inbound_msg *m)
{
	enum zek_rc rc;

	rc = core_inbound_get(ctx, actor, id, true, row);
	if (rc != ZEK_OK)
		return rc;
	return mail_parse(ctx->arena, ctx->cfg, (*row)->raw, (*row)->raw_len,
	    m);
}
