/* notify.h: which event causes which e-mail to whom, written to the outbox. */
#ifndef ZEK_CORE_NOTIFY_H
#define ZEK_CORE_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"
#include "core/status.h"

struct user;
struct store_mail;
struct store_user;

/*
 * Every core_notify_* function only INSERTS rows into the outbox; a worker
 * (mail/, run by `zek serve` or `zek mail run`) sends them later. Call it
 * INSIDE the transaction of the change it reports (after store_begin, after
 * the change is written, before store_commit) and roll back when it fails:
 * a change is then never without its mails, and no mail tells of a change
 * that did not happen. The request is read inside that transaction, so the
 * mail shows the new state.
 *
 * Rules, the same for every event:
 * - Nobody gets a mail about what they did themselves (`actor`), except
 *   the creation confirmation, which the reporter always gets.
 * - Customers hear of a request they reported or take part in (reporter +
 *   participants). Agents (role agent or admin) hear of new requests
 *   (config agent_mail_new) and of customers' public comments
 *   (agent_mail_reply); the service desk has no queues yet, so every agent.
 * - A user whose `notify` setting is off gets no mail at all; a user who
 *   switched a request's notifications off ("Benachrichtigungen
 *   deaktivieren", store_notify_muted_get) gets none about that request.
 * - Internal notes never cause a mail.
 * - Each mail is written in the recipient's language and time zone as they
 *   are when the event happens (users.lang, users.tz).
 * Every function returns ZEK_OK, ZEK_NOTFOUND (no such request), ZEK_NOMEM
 * or ZEK_IO.
 */

/* The request was created (by `actor`, maybe on behalf of the reporter):
 * the confirmation with key, title and link to the reporter, and "new
 * request" to the agents except the actor. */
enum zek_rc core_notify_created(struct zctx *ctx, int64_t request_id,
    const struct user *actor);

/* `actor` commented. is_public false (an internal note): no mail. A public
 * comment by an agent goes to the reporter and participants; one by a
 * customer goes to the agents (the "other side" hears of it; customers on
 * the same side do not). body: the comment's Markdown, quoted in the mail. */
enum zek_rc core_notify_comment(struct zctx *ctx, int64_t request_id,
    const struct user *actor, bool is_public, const char *body);

/* The status changed from `old_status` to the request's current status
 * (and resolution), by `actor` (NULL = the system): to the reporter and
 * participants. comment: the Markdown written with the change, or NULL.
 * For a proposed solution call core_notify_solution instead, for the
 * automatic closure core_notify_auto_closed. */
enum zek_rc core_notify_status(struct zctx *ctx, int64_t request_id,
    const struct user *actor, enum status old_status, const char *comment);

/* An agent proposed a solution (status Wartet auf Kunden, resolution
 * Gelöst): to the reporter and participants, asking them to accept or
 * reject it on the request page. comment: Markdown or NULL. */
enum zek_rc core_notify_solution(struct zctx *ctx, int64_t request_id,
    const struct user *actor, const char *comment);

/* The auto-close job closed the request (no answer to a proposed
 * solution): to the reporter and participants. */
enum zek_rc core_notify_auto_closed(struct zctx *ctx, int64_t request_id);

/* `actor` added `user_id` as a participant: to that user alone. */
enum zek_rc core_notify_participant_added(struct zctx *ctx, int64_t request_id,
    const struct user *actor, int64_t user_id);

/* `actor` assigned the request to `assignee_id`: to the assignee, unless
 * they took it themselves or agent_mail_assigned is off. */
enum zek_rc core_notify_assigned(struct zctx *ctx, int64_t request_id,
    const struct user *actor, int64_t assignee_id);

/* Event codes stored in outbox.event; each names templates
 * mail/text/<code> and mail/html/<code>. */
#define NOTIFY_CREATED "created"
#define NOTIFY_NEW_REQUEST "new_request"
#define NOTIFY_COMMENT "comment"
#define NOTIFY_CUSTOMER_REPLY "customer_reply"
#define NOTIFY_STATUS "status"
#define NOTIFY_SOLUTION "solution"
#define NOTIFY_AUTO_CLOSED "auto_closed"
#define NOTIFY_PARTICIPANT_ADDED "participant_added"
#define NOTIFY_ASSIGNED "assigned"
/* Account mails (core/accounts.c): no request, a single-use link. */
#define NOTIFY_INVITATION "invitation"
#define NOTIFY_PASSWORD_RESET "password_reset"
#define NOTIFY_SIGNUP "signup"                   /* confirm the address */
#define NOTIFY_SIGNUP_EXISTING "signup_existing" /* has an account: reset */
/* The answer to a mail from an address without an account (core/inbound.c,
 * mail_unknown = reply): no request, no link but the portal's. */
#define NOTIFY_MAIL_UNKNOWN "mail_unknown"
/* The payload key of the signed reply token of a request mail
 * (core/mailtoken.h), when mail_reply_address is set. */
#define NOTIFY_REPLY_TOKEN "reply_token"
/* The payload key of the rating link (core/rating.h) in the reporter's
 * mail about the closure of their request. */
#define NOTIFY_RATING_URL "rating_url"

/* True for one of the codes above. */
bool core_notify_event_known(const char *event);
/* True for the account mails: they carry a single-use link, so the
 * outbox forgets them once sent, and they belong to no request. */
bool core_notify_event_secret(const char *event);

/* What an account mail tells besides the recipient's name. */
struct account_mail {
	const char *url;    /* the single-use link */
	const char *actor;  /* who invited, "" = nobody named */
	const char *org;    /* the organisation invited into, or "" */
	int64_t expires_at; /* when the link stops working, UTC ms */
};

/* Writes an account mail (NOTIFY_INVITATION ... NOTIFY_SIGNUP_EXISTING) to
 * `to` into the outbox, in their language and zone. Unlike the request
 * mails it goes out whatever their notification settings say: they asked
 * for it, or cannot have any settings yet. */
enum zek_rc core_notify_account(struct zctx *ctx, const char *event,
    const struct store_user *to, const struct account_mail *facts);

/* Writes the answer to a mail from `to_addr`, which has no account
 * (NOTIFY_MAIL_UNKNOWN, in German: nobody's language is known): it says to
 * use the portal and names the mail's subject. core/inbound.c calls it
 * only for mails that are no automatic ones. */
enum zek_rc core_notify_mail_unknown(struct zctx *ctx, const char *to_addr,
    const char *subject);

/*
 * The outbox for mail/ (thin wrappers over store/, see store.h for the
 * claim protocol). Records live in ctx->arena.
 */
/* Up to `limit` due mails, claimed for `token` until `until` in one
 * statement (store_outbox_claim_due). */
enum zek_rc core_outbox_claim_due(struct zctx *ctx, const char *token,
    int64_t until, size_t limit, int64_t **ids, size_t *n);
/* ZEK_CONFLICT when someone else holds it or it is no longer pending. */
enum zek_rc core_outbox_renew(struct zctx *ctx, int64_t id, const char *token,
    int64_t until);
enum zek_rc core_outbox_get(struct zctx *ctx, int64_t id,
    struct store_mail **out);
enum zek_rc core_outbox_set_raw(struct zctx *ctx, int64_t id, const char *token,
    const char *raw);
/* A mail with a single-use link (core_notify_event_secret) keeps neither
 * payload nor message once sent. */
enum zek_rc core_outbox_sent(struct zctx *ctx, const struct store_mail *m,
    const char *token);
enum zek_rc core_outbox_retry(struct zctx *ctx, int64_t id, const char *token,
    int64_t next_at, const char *error);
enum zek_rc core_outbox_failed(struct zctx *ctx, int64_t id, const char *token,
    const char *error);
/* Newest first; state NULL = any, request_id 0 = any. */
enum zek_rc core_outbox_list(struct zctx *ctx, const char *state,
    int64_t request_id, size_t limit, struct store_mail **out, size_t *n);

#endif
