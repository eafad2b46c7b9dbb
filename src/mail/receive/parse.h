/* parse.h: a received RFC 5322 message read with GMime into what core/inbound.c decides on. */
#ifndef ZEK_MAIL_RECEIVE_PARSE_H
#define ZEK_MAIL_RECEIVE_PARSE_H

#include <stddef.h>

#include "lib/zek.h"

struct arena;
struct config;
struct inbound_msg;

#define PARSE_PARTS_MAX 200 /* MIME parts looked at in one message */
#define PARSE_ADDRS_MAX 100 /* recipient addresses kept */
#define PARSE_REFS_MAX 100  /* referenced Message-IDs kept */
#define PARSE_MSGID_MAX 250 /* bytes of a Message-ID with its <> */

/* Starts GMime once per process (thread-safe); mail_parse calls it. */
void mail_parse_init(void);

/*
 * Reads raw[0..len) into *m, every string in a (UTF-8):
 * Message-ID, From, Subject (RFC 2047 decoded, 8-bit headers read as
 * UTF-8 or else Windows-1252), recipient addresses (To, Cc, Delivered-To,
 * X-Original-To), In-Reply-To and References; whether it is an automatic
 * mail (m->loop: Auto-Submitted other than "no", X-Autoreply,
 * Precedence bulk/list/junk, a delivery report, our own Message-ID, our
 * own From address, cfg's smtp_from and mail_reply_address); the body as
 * text (text/plain preferred over HTML, which is turned into text; every
 * charset and transfer encoding decoded) as full_text and, with quoted
 * history and signature cut off, reply_text, both as Markdown; the
 * attached and inline files with their decoded names (RFC 2231/2047).
 * A message GMime cannot read, or one without any header, gives
 * m->parsed = false and ZEK_OK. ZEK_NOMEM when the arena is exhausted.
 */
enum zek_rc mail_parse(struct arena *a, const struct config *cfg,
    const void *raw, size_t len, struct inbound_msg *m);

#endif
