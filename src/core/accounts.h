/* accounts.h: people get in and out without a shell: invitations,
 * "Passwort vergessen?", deactivation, and the record of who did what. */
#ifndef ZEK_CORE_ACCOUNTS_H
#define ZEK_CORE_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"

struct field_error;
struct person;
struct session_new;
struct store_audit;
struct store_user;
struct user;

#define ACCOUNT_LINK_INVITE "invite"
#define ACCOUNT_LINK_RESET "reset"
/* Most errors the page of a link can give (name, password, repetition). */
#define ACCOUNT_MAX_ERRORS 3
/* Reset mails one address, and one client address, may ask for within
 * cfg->login_window_ms. */
#define ACCOUNT_RESET_MAX_PER_EMAIL 3
#define ACCOUNT_RESET_MAX_PER_CLIENT 20

/* The URL path of a link's page, before its raw token. */
#define ACCOUNT_RESET_PATH "/servicedesk/customer/user/reset-password/"
#define ACCOUNT_INVITE_PATH "/servicedesk/customer/user/invitation/"

/*
 * "Passwort vergessen?": when `email` names an active account, a reset
 * link (valid cfg->reset_ttl_minutes, single use) is made and mailed; an
 * unknown address gets nothing, and the caller shows the same answer
 * either way. Asking counts against the address and against client_ip
 * (ACCOUNT_RESET_MAX_PER_*), known or not: ZEK_FORBIDDEN past either.
 * An agent or the command line (`actor` set, client_ip NULL) is not
 * throttled and learns ZEK_NOTFOUND for an unknown or deactivated
 * address. link_out non-NULL: the link is returned instead of mailed (an
 * operator without SMTP), and only for a known account.
 */
enum zek_rc core_password_reset_request(struct zctx *ctx,
    const struct user *actor, const char *email, const char *client_ip,
    const char **link_out);

/* The person a link is for, for its page: ZEK_NOTFOUND when the token is
 * malformed, unknown, of another purpose, used, expired, or the account
 * is deactivated (one answer for all: the page says the link does not
 * work). The strings of *out live in ctx->arena; an invited person's name
 * is their address until they choose one. */
enum zek_rc core_account_link_check(struct zctx *ctx, const char *raw,
    const char *purpose, struct person *out);

/* What the page of a link sends: the name only on an invitation. */
struct account_setup {
	const char *name;
	const char *password;
	const char *password2;
};

/* Uses the link: sets the password (and, for an invitation, the name),
 * spends this and every other open link of its purpose, ends every
 * session of the person and starts a new one in *out. ZEK_INVALID with up
 * to ACCOUNT_MAX_ERRORS errors (fields "name", "new_password", "new_password2";
 * the rules of core/password.h); ZEK_NOTFOUND as core_account_link_check,
 * also when the link was used meanwhile. */
enum zek_rc core_account_link_finish(struct zctx *ctx, const char *raw,
    const char *purpose, const struct account_setup *in,
    struct field_error *errs, size_t *nerrs, struct session_new *out);

/* What core_invite did. */
enum invite_result {
	INVITE_SENT,   /* a new account, invitation mailed */
	INVITE_RESENT, /* invited before, not set up: a new link */
	INVITE_JOINED, /* an account existed: added to org */
};

/*
 * Invites `email` (as a customer) into the organisation `org` (NULL or ""
 * = none; made if missing). A new address gets an account without a
 * password and an invitation link (valid cfg->invite_ttl_days); an
 * address invited before and not yet set up gets a new link (the old one
 * stops working); an existing account is only added to the organisation
 * (no mail). `name` may be NULL (the person chooses it). link_out as for
 * core_password_reset_request. actor NULL = the command line. Recorded in
 * the audit. ZEK_INVALID for a malformed address or name, ZEK_FORBIDDEN
 * for an actor who is no agent.
 */
enum zek_rc core_invite(struct zctx *ctx, const struct user *actor,
    const char *email, const char *name, const char *org, const char **link_out,
    enum invite_result *result);

/*
 * Self sign-up (cfg->signup): `email` asks for an account. ZEK_NOTFOUND
 * when sign-up is off; ZEK_INVALID with *err_key (a message of the sign-up
 * page, for the field "email") for a malformed address or, with
 * SIGNUP_DOMAINS, one outside cfg->signup_domains; ZEK_FORBIDDEN when the
 * address or client_ip asked too often (the limits of the reset mails).
 * Otherwise ZEK_OK, and the page gives the same answer whatever the
 * address is: a new address gets an account without a password and a
 * link to set it up (the invitation's page, valid cfg->invite_ttl_days;
 * the account works only after that, so the address is verified); one
 * signed up or invited before and not set up gets a new link; an active
 * account gets a reset link with a word that it exists; a deactivated one
 * nothing. `lang` is the page's language, for the new account.
 */
enum zek_rc core_signup(struct zctx *ctx, const char *email, const char *lang,
    const char *client_ip, const char **err_key);

/* True when `list` is a valid signup_domains: domain names (ASCII
 * letters, digits, '-', at least two labels) separated by commas or
 * spaces; "" is valid. */
bool core_domain_list_valid(const char *list);
/* True when the domain of `email` is one of `list`, or below one of them
 * ("bund.de" admits "a@bund.de" and "a@bmi.bund.de", not "a@xbund.de");
 * ASCII case does not matter. */
bool core_signup_domain_allowed(const char *list, const char *email);

/* Deactivates the account: no sign-in, its sessions end and its tokens
 * stop at once, no mail. Requests, comments and name stay. Reactivate
 * undoes it (tokens that have not expired work again). ZEK_NOTFOUND: no
 * such person; ZEK_FORBIDDEN: the actor is no agent, or an agent acting
 * on staff, or anybody on themselves. Recorded in the audit. */
enum zek_rc core_user_deactivate(struct zctx *ctx, const struct user *actor,
    int64_t user_id);
enum zek_rc core_user_reactivate(struct zctx *ctx, const struct user *actor,
    int64_t user_id);

/* Records one change (actor NULL = the command line). */
enum zek_rc core_audit(struct zctx *ctx, const struct user *actor,
    const char *action, int64_t user_id, int64_t org_id, const char *detail);
/* The newest changes, for admins only (ZEK_FORBIDDEN otherwise; actor NULL
 * = the command line). */
enum zek_rc core_audit_list(struct zctx *ctx, const struct user *actor,
    int64_t user_id, size_t limit, struct store_audit **out, size_t *n);

/* Deletes links that ended more than a day ago (a periodic job). */
enum zek_rc core_account_links_purge(struct zctx *ctx, int64_t *n);

#endif
