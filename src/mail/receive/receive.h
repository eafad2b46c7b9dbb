/* receive.h: one received message through the pipeline: read, store raw, parse, process. */
#ifndef ZEK_MAIL_RECEIVE_RECEIVE_H
#define ZEK_MAIL_RECEIVE_RECEIVE_H

#include <sodium.h>

#include "core/inbound.h"
#include "lib/buf.h"

struct arena;
struct config;
struct core;
struct store_inbound;
struct user;
struct zctx;

#define RECEIVE_HEAD_BYTES (64u << 10) /* kept of a message over the limit */

/* A message arriving in pieces (standard input, an IMAP fetch): all of
 * it is kept when it has at most cfg->mail_max_bytes, else its first
 * RECEIVE_HEAD_BYTES (raw->too_big); every byte is hashed (SHA-256). */
struct receive_reader {
	const struct config *cfg;
	crypto_hash_sha256_state st;
	struct buf b;
	size_t size; /* bytes received */
};

void receive_reader_init(struct receive_reader *r, const struct config *cfg);
/* ZEK_NOMEM when the bytes cannot be kept. */
enum zek_rc receive_reader_add(struct receive_reader *r, const void *data,
    size_t n);
/* The message as received, living as long as a; ZEK_INVALID for no bytes
 * at all. The reader must still be freed. */
enum zek_rc receive_reader_finish(struct receive_reader *r, struct arena *a,
    struct inbound_raw *raw);
void receive_reader_free(struct receive_reader *r);

/* Reads one message from fd to its end: all of it when it has at most
 * cfg->mail_max_bytes, else its first RECEIVE_HEAD_BYTES (raw->too_big),
 * hashing every byte (SHA-256) either way. The bytes live as long as a.
 * ZEK_IO when reading fails, ZEK_INVALID for no bytes at all, ZEK_NOMEM. */
enum zek_rc mail_receive_read(struct arena *a, const struct config *cfg, int fd,
    struct inbound_raw *raw);

/* The same for bytes in memory (tests). */
enum zek_rc mail_receive_raw(struct arena *a, const struct config *cfg,
    const void *data, size_t len, struct inbound_raw *raw);

/*
 * The pipeline every way in shares (`zek mail receive` now, the IMAP
 * worker later): parses the message (mail/receive/parse.h), stores it raw
 * (core_inbound_store, committed before anything else happens), then
 * processes it (core_inbound_process). A message stored before is done
 * again only when it never was processed (res->duplicate otherwise).
 * Returns ZEK_OK once it is stored and processed, ignored or quarantined
 * (*res says which); ZEK_IO / ZEK_NOMEM when it could not be stored or
 * processed now: the sender should deliver it again (EX_TEMPFAIL).
 */
enum zek_rc mail_receive(struct core *core, struct zctx *ctx,
    const struct inbound_raw *raw, struct inbound_result *res);

/* Processes the stored message `id` again from its bytes
 * (core_inbound_requeue, then as mail_receive from the parse on) for
 * `actor` (an admin; NULL: the command line), and records that in the
 * admin history: for a quarantined message whose cause was fixed. The
 * one call behind `zek mail retry` and the admin page's "Erneut
 * verarbeiten". ZEK_NOTFOUND: no such message (or actor is no admin);
 * ZEK_CONFLICT: not quarantined, or only its head was kept. */
enum zek_rc mail_receive_again(struct core *core, struct zctx *ctx,
    const struct user *actor, int64_t id, struct inbound_result *res);

/* A stored message as an admin reads it: *row with its bytes
 * (core_inbound_get, so admins only) and *m, what they say (parsed; a
 * message that cannot be read has m->parsed false). */
enum zek_rc mail_receive_show(struct zctx *ctx, const struct user *actor,
    int64_t id, struct store_inbound **row, struct inbound_msg *m);

#endif
