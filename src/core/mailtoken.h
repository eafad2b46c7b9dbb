/* mailtoken.h: signed tokens of outgoing mails: reply addresses, rating links. */
#ifndef ZEK_CORE_MAILTOKEN_H
#define ZEK_CORE_MAILTOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"

struct arena;

/*
 * A reply token names one recipient and one request and carries an
 * HMAC (libsodium crypto_auth, HMAC-SHA-512-256, cut to 80 bits) made
 * with a secret kept in the database (table mail_secret, written at the
 * first use): nothing per mail is stored, and only zek can make one. It
 * is base32 in lower case (a-z, 2-7), so that mail systems that fold the
 * case of addresses do not break it, and at most MAILTOKEN_LEN_MAX long:
 * version, the day it was made, user id, request id (both as varints),
 * then the MAC. It works for MAILTOKEN_DAYS days.
 */
#define MAILTOKEN_DAYS 365
#define MAILTOKEN_LEN_MAX 48 /* characters; local parts hold 64 */

/* The token for `user_id` on `request_id`, made now, in ctx->arena. */
enum zek_rc core_mail_token_make(struct zctx *ctx, int64_t user_id,
    int64_t request_id, const char **out);
/* Checks a token's form, MAC and age. ZEK_NOTFOUND when any fails. */
enum zek_rc core_mail_token_check(struct zctx *ctx, const char *token,
    int64_t *user_id, int64_t *request_id);

/*
 * A rating token (the link of a closing mail, core/rating.h) has the same
 * form and secret with a purpose byte of its own, so neither kind passes
 * for the other, and works for RATINGTOKEN_DAYS days. Nothing is stored
 * per token: the rating it gives is its "used" mark.
 */
#define RATINGTOKEN_DAYS 30

enum zek_rc core_rating_token_make(struct zctx *ctx, int64_t user_id,
    int64_t request_id, const char **out);
/* ZEK_NOTFOUND when the form or MAC fails, and when it is too old:
 * then *expired is set (a real link, just late). */
enum zek_rc core_rating_token_check(struct zctx *ctx, const char *token,
    int64_t *user_id, int64_t *request_id, bool *expired);

/* "local+TOKEN@domain" of reply_address "local@domain", in a; NULL
 * when the address has no "@" or the token is not plain base32. */
const char *core_mail_reply_addr(struct arena *a, const char *reply_address,
    const char *token);
/* The token of addr when it is reply_address with "+TOKEN" after its
 * local part (the domain in any case), in a; NULL otherwise. */
const char *core_mail_token_of_addr(struct arena *a, const char *reply_address,
    const char *addr);

#endif
