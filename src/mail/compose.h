/* compose.h: an outbox row rendered into a complete e-mail in the recipient's language. */
#ifndef ZEK_MAIL_COMPOSE_H
#define ZEK_MAIL_COMPOSE_H

#include <stdatomic.h>

#include "lib/buf.h"
#include "lib/zek.h"

struct arena;
struct catalogs;
struct config;
struct store_mail;
struct templates;

#define MAIL_MAX_BYTES (2u << 20) /* one rendered message */

/* What rendering needs; everything borrowed, living as long as the
 * process (or the `zek mail` command). zek serve's reload (SIGHUP) swaps
 * tpl and cat with __atomic_store_n while mails are composed, so readers
 * load them with __atomic_load_n; the old sets stay alive. */
struct mail_env {
	const struct config *cfg;
	/* the app's set: mail/text/<event>, mail/html/<event> */
	const struct templates *tpl;
	const struct catalogs *cat; /* po/<lang>/mail.po among them */
	const atomic_bool *stop;    /* NULL, or set when zek serve stops:
	                               the outbox ends its batch between
	                               two mails */
};

/*
 * Renders mail m (from the outbox: event, recipient, payload) as an RFC
 * 5322 message and appends it to out (created by the caller with a
 * maximum, e.g. MAIL_MAX_BYTES): subject "[ZEK-12] Title" and both bodies
 * in m->lang, times in m->tz, From = cfg smtp_from_name <smtp_from>,
 * threading headers from m->message_id and m->thread_id, List-Unsubscribe
 * = the request page (its notification switch).
 * Rendering happens when the mail is first sent, from the facts frozen in
 * the payload at enqueue time; the worker then stores the bytes so every
 * retry sends the same message (see mail/outbox.h). Scratch memory comes
 * from a.
 * Returns ZEK_OK; ZEK_INVALID for an unknown event, a payload that is not
 * a JSON object, or an address the message cannot carry; ZEK_NOTFOUND
 * when a template is missing; ZEK_TOOBIG; ZEK_NOMEM.
 */
enum zek_rc mail_compose(const struct mail_env *env, struct arena *a,
    const struct store_mail *m, struct buf *out);

#endif
