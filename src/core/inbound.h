/* inbound.h: what a received e-mail becomes: a comment, a request, or a message kept aside. */
#ifndef ZEK_CORE_INBOUND_H
#define ZEK_CORE_INBOUND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"

struct store_inbound;
struct user;

/* States of a received message (inbound_mail.state). */
#define INBOUND_NEW "new"
#define INBOUND_DONE "done"
#define INBOUND_IGNORED "ignored"
#define INBOUND_QUARANTINED "quarantined"
#define INBOUND_DISCARDED "discarded" /* by an admin, kept for the record */

#define INBOUND_PAGE 50 /* messages on one page of the admin's list */

/* One attached file as the message carried it. */
struct inbound_file {
	const char *name; /* decoded (RFC 2047/2231), UTF-8; may be "" */
	const void *data;
	size_t len;
};

/* A received message as mail/receive/ read it. Every text is UTF-8. */
struct inbound_msg {
	bool parsed;            /* false: no message could be read */
	const char *message_id; /* "<...>", "" = none */
	const char *from_addr;  /* "" = none */
	const char *subject;    /* decoded, "" = none */
	/* Why it is an automatic mail that must never be answered nor turned
	 * into anything (a reason code: "auto_reply", "bulk", "dsn",
	 * "own_mail", "own_address"), NULL for a person's. */
	const char *loop;
	const char *const *rcpts; /* addresses of To, Cc, Delivered-To,
	                             X-Original-To: where reply tokens are */
	size_t nrcpts;
	const char *const *refs; /* In-Reply-To and References ids */
	size_t nrefs;
	const char *reply_text; /* Markdown of the body without quoted
	                           history and signature: a comment */
	const char *full_text;  /* Markdown of the whole body: a request */
	const char *plain_text; /* the whole body as plain text (an HTML
	                           one turned into text): for an admin */
	const struct inbound_file *files;
	size_t nfiles;
};

/* The received bytes as stored. */
struct inbound_raw {
	const void *data; /* the bytes kept: all, or the head */
	size_t len;
	size_t size;      /* bytes received */
	const char *hash; /* hex SHA-256 of all received bytes */
	bool too_big;     /* size > cfg->mail_max_bytes */
};

/* What became of a message. Strings live in ctx->arena or are static. */
struct inbound_result {
	int64_t id;              /* the stored message */
	bool duplicate;          /* processed before: nothing was done */
	const char *state;       /* INBOUND_* */
	const char *reason;      /* a reason code, "" when done */
	int64_t request_id;      /* the request it became or went to */
	int64_t comment_id;      /* the comment it became, 0 = none */
	const char *request_key; /* "" = none */
};

/* Keeps the raw message as 'new' (store_inbound_insert), committed at
 * once: whatever happens later, it is not lost. m may be a message that
 * did not parse (only message_id, from_addr and subject are used).
 * *dup: it was there already (same Message-ID or same bytes).
 * Returns ZEK_OK, ZEK_IO (the database is unavailable: let the sender
 * retry) or ZEK_NOMEM. */
enum zek_rc core_inbound_store(struct zctx *ctx, const struct inbound_raw *raw,
    const struct inbound_msg *m, int64_t *id, bool *dup);

/*
 * Processes the stored message `id` once, in one transaction of its own
 * that also takes it (store_inbound_claim: a message processed already, or
 * being processed by another process, gives res->duplicate and changes
 * nothing). The rules (docs/internals/mail.md):
 * - too big, unparsable, no sender: quarantined;
 * - an automatic mail (m->loop): ignored, never answered;
 * - a reply (a valid reply token in a recipient address, or a reference
 *   to a mail zek sent to the sender's address): a public comment of the
 *   recipient on that request through core_comment_add, so every rule of
 *   the portal applies (permission, closed requests, status change,
 *   notifications); files through core_attachment_upload_temp (its size
 *   and type checks); anything refused: quarantined with the reason;
 * - "[KEY-n]" in the subject or a reference to our mail without such a
 *   match: quarantined ("spoofing");
 * - else a new request of cfg->mail_request_type by a known, active
 *   customer (core_request_create, with its confirmation mail); an
 *   unknown sender: quarantined, answered once when cfg->mail_unknown is
 *   MAIL_UNKNOWN_REPLY.
 * Returns ZEK_OK with *res (whatever became of the message), or ZEK_IO /
 * ZEK_NOMEM when it could not be processed now: then nothing is kept and
 * the message stays 'new', processed by its next delivery.
 */
enum zek_rc core_inbound_process(struct core *core, struct zctx *ctx,
    int64_t id, const struct inbound_msg *m, bool too_big,
    struct inbound_result *res);

/*
 * What admins (and the command line: actor NULL) do with received mail
 * (`zek mail received|retry`, /servicedesk/admin/mail). Every call
 * answers ZEK_NOTFOUND to anybody else, so that nobody else learns that
 * a message exists.
 */

/* Makes the quarantined message `id` 'new' again, to be processed once
 * more (after the cause was fixed: the sender got an account, ...);
 * *was: the message as it was (with its reason). ZEK_NOTFOUND: no such
 * message; ZEK_CONFLICT: it is not quarantined, or only its head was
 * kept (too big). */
enum zek_rc core_inbound_requeue(struct zctx *ctx, const struct user *actor,
    int64_t id, struct store_inbound **was);
/* Records in the admin history that `actor` had message `was` processed
 * again and what became of it (res). */
enum zek_rc core_inbound_retried(struct zctx *ctx, const struct user *actor,
    const struct store_inbound *was, const struct inbound_result *res);
/* Discards the quarantined message `id`: state 'discarded' with who and
 * when, recorded in the admin history; its bytes stay. ZEK_NOTFOUND: no
 * such message; ZEK_CONFLICT: it is not quarantined (any more). */
enum zek_rc core_inbound_discard(struct zctx *ctx, const struct user *actor,
    int64_t id);
/* Whether core_inbound_requeue / core_inbound_discard would take m (read
 * with its bytes for the first). */
bool core_inbound_can_retry(const struct store_inbound *m);
bool core_inbound_can_discard(const struct store_inbound *m);

/* Received messages, newest first, without their bytes, skipping the
 * first `offset`; state NULL = any. */
enum zek_rc core_inbound_list(struct zctx *ctx, const struct user *actor,
    const char *state, size_t offset, size_t limit, struct store_inbound **out,
    size_t *n);
/* How many messages are in `state` (NULL = any). */
enum zek_rc core_inbound_count(struct zctx *ctx, const struct user *actor,
    const char *state, int64_t *n);
/* One received message, with its bytes when with_raw. */
enum zek_rc core_inbound_get(struct zctx *ctx, const struct user *actor,
    int64_t id, bool with_raw, struct store_inbound **out);

#endif
