/* accounts.c: invitations, password resets and deactivation; each change
 * of an account is recorded for the admins. */
#include "core/accounts.h"

#include <string.h>
#include <strings.h>

#include "core/auth.h"
#include "core/config.h"
#include "core/internal.h"
#include "core/notify.h"
#include "core/password.h"
#include "core/perm.h"
#include "core/throttle.h"
#include "core/tokens.h"
#include "core/users.h"
#include "core/validate.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "store/store.h"

#define MINUTE_MS (60LL * 1000)
#define DAY_MS (24 * 60 * MINUTE_MS)
#define CLIENT_IP_MAX 64

static bool
may_manage(const struct user *actor)
{
	return actor == NULL || perm_is_staff(actor);
}

static int64_t
actor_id(const struct user *actor)
{
	return actor != NULL ? actor->id : 0;
}

/* The actor when a person asks for a link to their own account: the
 * record says they did it, not the command line. */
static struct user
self_actor(const struct store_user *su)
{
	return (struct user){ .id = su->id,
		.email = su->email,
		.name = su->name,
		.role = role_decode(su->role) };
}

static const char *
link_path(const char *purpose)
{
	return str_eq(purpose, ACCOUNT_LINK_INVITE) ? ACCOUNT_INVITE_PATH :
	                                              ACCOUNT_RESET_PATH;
}

/* A new link for the user, inside the caller's transaction; the user's
 * older open links of this purpose stop working. *url: the whole link. */
static enum zek_rc
link_make(struct zctx *ctx, int64_t user_id, const char *purpose,
    const struct user *actor, int64_t ttl_ms, const char **url,
    int64_t *expires_at)
{
	struct store_account_link l;
	const char *base = core_base_url(ctx);
	char *raw = core_random_token(ctx);
	char *hash = raw != NULL ? core_token_hash(ctx, raw) : NULL;
	enum zek_rc rc;

	if (base == NULL || hash == NULL)
		return ZEK_NOMEM;
	rc = store_account_links_spend(ctx->db, user_id, purpose, ctx->now_ms);
	if (rc != ZEK_OK)
		return rc;
	l = (struct store_account_link){
		.token_hash = hash,
		.purpose = purpose,
		.user_id = user_id,
		.created_by = actor_id(actor),
		.created_at = ctx->now_ms,
		.expires_at = ctx->now_ms + ttl_ms,
	};
	rc = store_account_link_insert(ctx->db, &l);
	if (rc != ZEK_OK)
		return rc;
	*url = arena_printf(ctx->arena, "%s%s%s", base, link_path(purpose),
	    raw);
	*expires_at = l.expires_at;
	return *url != NULL ? ZEK_OK : ZEK_NOMEM;
}

/* The link by mail, or to the caller (link_out) instead. */
static enum zek_rc
link_deliver(struct zctx *ctx, const char *event, const struct store_user *to,
    const struct account_mail *facts, const char **link_out)
{
	if (link_out != NULL) {
		*link_out = facts->url;
		return ZEK_OK;
	}
	return core_notify_account(ctx, event, to, facts);
}

enum zek_rc
core_audit(struct zctx *ctx, const struct user *actor, const char *action,
    int64_t user_id, int64_t org_id, const char *detail)
{
	struct store_audit e = {
		.at = ctx->now_ms,
		.actor_id = actor_id(actor),
		.action = action,
		.user_id = user_id,
		.org_id = org_id,
		.detail = detail,
	};

	return store_audit_add(ctx->db, &e);
}

enum zek_rc
core_audit_list(struct zctx *ctx, const struct user *actor, int64_t user_id,
    size_t limit, struct store_audit **out, size_t *n)
{
	if (actor != NULL && !perm_is_admin(actor))
		return ZEK_FORBIDDEN;
	return store_audit_list(ctx->db, ctx->arena, user_id, 0, limit, out, n);
}

/* ---- "Passwort vergessen?" ---- */

/* Counts one request for a mailed link (`kind` "reset" or "signup")
 * against the address and the client; true when either has asked too
 * often. */
static bool
link_throttled(struct zctx *ctx, const char *kind, const char *email,
    const char *client_ip)
{
	const char *folded = utf8_fold_in(ctx->arena, email);
	char *by_mail = folded == NULL ?
	    NULL :
	    arena_printf(ctx->arena, "%s|email|%s", kind, folded);
	char *by_client = arena_printf(ctx->arena, "%s|client|%.*s", kind,
	    CLIENT_IP_MAX, client_ip);
	bool over;

	over = core_throttled(ctx, by_mail, ACCOUNT_RESET_MAX_PER_EMAIL) ||
	    core_throttled(ctx, by_client, ACCOUNT_RESET_MAX_PER_CLIENT);
	if (!over) {
		core_throttle_fail(ctx, by_mail);
		core_throttle_fail(ctx, by_client);
	}
	return over;
}

/* A reset link for `su`, mailed as `event` (or to link_out), inside the
 * caller's transaction. */
static enum zek_rc
reset_send(struct zctx *ctx, const struct user *actor,
    const struct store_user *su, const char *event, const char **link_out)
{
	struct account_mail facts = { .actor = "", .org = "" };
	enum zek_rc rc;

	rc = link_make(ctx, su->id, ACCOUNT_LINK_RESET, actor,
	    ctx->cfg->reset_ttl_minutes * MINUTE_MS, &facts.url,
	    &facts.expires_at);
	if (rc == ZEK_OK)
		rc = link_deliver(ctx, event, su, &facts, link_out);
	if (rc == ZEK_OK)
		rc = core_audit(ctx, actor,
		    link_out != NULL ? "reset_link" : "reset_mail", su->id, 0,
		    "");
	return rc;
}

enum zek_rc
core_password_reset_request(struct zctx *ctx, const struct user *actor,
    const char *email, const char *client_ip, const char **link_out)
{
	bool self = client_ip != NULL;
	struct store_user *su;
	struct user me;
	enum zek_rc rc;

	if (!self && !may_manage(actor))
		return ZEK_FORBIDDEN;
	if (str_empty(email) || strlen(email) > USER_EMAIL_MAX ||
	    !utf8_valid(email, strlen(email)))
		return self ? ZEK_OK : ZEK_NOTFOUND;
	if (self && link_throttled(ctx, "reset", email, client_ip))
		return ZEK_FORBIDDEN;
	rc = store_user_by_email(ctx->db, ctx->arena, email, &su);
	if (rc == ZEK_OK && su->deactivated_at != 0)
		rc = ZEK_NOTFOUND;
	if (rc == ZEK_NOTFOUND && self)
		return ZEK_OK; /* the same answer as for an account */
	if (rc != ZEK_OK)
		return rc;
	if (self) {
		me = self_actor(su);
		actor = &me;
		link_out = NULL;
	}
	rc = store_begin(ctx->db);
	if (rc != ZEK_OK)
		return rc;
	rc = reset_send(ctx, actor, su, NOTIFY_PASSWORD_RESET, link_out);
	return store_finish(ctx->db, rc);
}

/* ---- the page of a link ---- */

/* The account of a working link (see core_account_link_check). */
static enum zek_rc
link_user(struct zctx *ctx, const char *raw, const char *purpose,
    struct store_user **out)
{
	struct store_account_link *l;
	enum zek_rc rc;
	char *hash;

	if (!core_token_well_formed(raw))
		return ZEK_NOTFOUND;
	hash = core_token_hash(ctx, raw);
	if (hash == NULL)
		return ZEK_NOMEM;
	rc = store_account_link_get(ctx->db, ctx->arena, hash, &l);
	if (rc != ZEK_OK)
		return rc;
	if (!str_eq(l->purpose, purpose) || l->used_at != 0 ||
	    l->expires_at <= ctx->now_ms)
		return ZEK_NOTFOUND;
	rc = store_user_by_id(ctx->db, ctx->arena, l->user_id, out);
	if (rc == ZEK_OK && (*out)->deactivated_at != 0)
		rc = ZEK_NOTFOUND;
	return rc;
}

enum zek_rc
core_account_link_check(struct zctx *ctx, const char *raw, const char *purpose,
    struct person *out)
{
	struct store_user *su;
	enum zek_rc rc;

	rc = link_user(ctx, raw, purpose, &su);
	if (rc == ZEK_OK)
		core_person_from_store(out, su);
	return rc;
}

/* Checks name (invitations only) and password; the trimmed name in *name. */
static void
setup_check(struct zctx *ctx, const struct store_user *su, bool invite,
    const struct account_setup *in, const char **name, struct password_errs *pe)
{
	const char *err = NULL;

	*name = su->name;
	if (invite) {
		*name = core_name_check(ctx, in->name, USER_NAME_MAX, &err);
		if (*name == NULL && err != NULL && *pe->n < pe->max)
			pe->errs[(*pe->n)++] = (struct field_error){
				.field = "name",
				.key = err,
				.max = str_eq(err, "err_too_long") ?
				    USER_NAME_MAX :
				    0
			};
	}
	core_password_rules(ctx, in->password, in->password2, su->email,
	    *name != NULL ? *name : "", "new_password", "new_password2", pe);
}

/* The writes of a used link, inside one transaction. */
static enum zek_rc
setup_save(struct zctx *ctx, struct store_user *su, const char *link_hash,
    const char *purpose, const char *name, const char *pw_hash)
{
	enum zek_rc rc;

	rc = store_account_link_use(ctx->db, link_hash, purpose, ctx->now_ms);
	if (rc == ZEK_OK && str_eq(purpose, ACCOUNT_LINK_INVITE))
		rc = store_user_update_profile(ctx->db, su->id, name, su->lang,
		    su->tz);
	if (rc == ZEK_OK)
		rc = store_user_set_password(ctx->db, su->id, pw_hash);
	/* Any other open link would set the password again. */
	if (rc == ZEK_OK)
		rc = store_account_links_spend(ctx->db, su->id,
		    ACCOUNT_LINK_INVITE, ctx->now_ms);
	if (rc == ZEK_OK)
		rc = store_account_links_spend(ctx->db, su->id,
		    ACCOUNT_LINK_RESET, ctx->now_ms);
	/* Whoever knew the old password is signed out. */
	if (rc == ZEK_OK)
		rc = store_sessions_delete_others(ctx->db, su->id, NULL);
	if (rc == ZEK_OK) {
		struct store_audit e = { .at = ctx->now_ms,
			.actor_id = su->id,
			.action = str_eq(purpose, ACCOUNT_LINK_INVITE) ?
			    "invite_accepted" :
			    "password_reset",
			.user_id = su->id };

		rc = store_audit_add(ctx->db, &e);
	}
	return rc;
}

enum zek_rc
core_account_link_finish(struct zctx *ctx, const char *raw, const char *purpose,
    const struct account_setup *in, struct field_error *errs, size_t *nerrs,
    struct session_new *out)
{
	struct password_errs pe = { errs, nerrs, ACCOUNT_MAX_ERRORS };
	struct store_user *su;
	const char *name, *pw_hash;
	enum zek_rc rc;

	*nerrs = 0;
	rc = link_user(ctx, raw, purpose, &su);
	if (rc != ZEK_OK)
		return rc;
	setup_check(ctx, su, str_eq(purpose, ACCOUNT_LINK_INVITE), in, &name,
	    &pe);
	if (*nerrs > 0)
		return ZEK_INVALID;
	if (name == NULL)
		return ZEK_NOMEM;
	/* Hash before the transaction: it is slow on purpose. */
	rc = core_password_hash(ctx, in->password, &pw_hash);
	if (rc != ZEK_OK)
		return rc;
	rc = store_begin(ctx->db);
	if (rc != ZEK_OK)
		return rc;
	rc = setup_save(ctx, su, core_token_hash(ctx, raw), purpose, name,
	    pw_hash);
	if (rc == ZEK_OK) {
		su->name = name;
		rc = core_session_start(ctx, su, out);
	}
	return store_finish(ctx->db, rc);
}

/* ---- invitations ---- */

static enum zek_rc
invite_check(struct zctx *ctx, const char *email, const char **name,
    const char *org)
{
	const char *err;

	if (email == NULL || !core_email_valid(email))
		return ZEK_INVALID;
	if (!str_empty(*name)) {
		*name = core_name_check(ctx, *name, USER_NAME_MAX, &err);
		if (*name == NULL)
			return err != NULL ? ZEK_INVALID : ZEK_NOMEM;
	}
	if (!str_empty(org) &&
	    (!utf8_valid(org, strlen(org)) ||
	        !utf8_clean_text(org, strlen(org), false) ||
	        utf8_length(org, strlen(org)) > USER_NAME_MAX))
		return ZEK_INVALID;
	return ZEK_OK;
}

/* A new link for someone who has no password yet, by mail or to the
 * caller; `name` "" when the inviter named nobody. */
static enum zek_rc
invite_send(struct zctx *ctx, const struct user *actor,
    const struct store_user *su, const char *name, const char *org,
    const char *event, const char **link_out)
{
	struct account_mail facts = {
		/* A sign-up is nobody's invitation. */
		.actor = actor != NULL && actor->id != su->id ? actor->name :
		                                                "",
		.org = org != NULL ? org : "",
	};
	struct store_user to = *su;
	enum zek_rc rc;

	to.name = name;
	rc = link_make(ctx, su->id, ACCOUNT_LINK_INVITE, actor,
	    ctx->cfg->invite_ttl_days * DAY_MS, &facts.url, &facts.expires_at);
	if (rc == ZEK_OK)
		rc = link_deliver(ctx, event, &to, &facts, link_out);
	return rc;
}

/* A customer account that works once its link is used: no password yet,
 * the address stands for the name until they choose one. */
static struct store_user
pending_user(struct zctx *ctx, const char *email, const char *name,
    const char *lang)
{
	return (struct store_user){
		.email = email,
		.name = !str_empty(name) ? name : email,
		.password_hash = "",
		.role = role_code(ROLE_CUSTOMER),
		.lang = core_lang(lang),
		.tz = "Europe/Berlin",
		.notify = true,
		.created_at = ctx->now_ms,
	};
}

static enum zek_rc
invite_new(struct zctx *ctx, const struct user *actor, const char *email,
    const char *name, const char *org, const char **link_out)
{
	struct store_user su = pending_user(ctx, email, name,
	    actor != NULL ? actor->lang : "de");
	enum zek_rc rc;
	int64_t org_id;

	rc = core_user_insert(ctx, &su, org, &su.id, &org_id);
	if (rc == ZEK_OK)
		rc = invite_send(ctx, actor, &su, !str_empty(name) ? name : "",
		    org, NOTIFY_INVITATION, link_out);
	if (rc == ZEK_OK)
		rc = core_audit(ctx, actor, "invite", su.id, org_id, "");
	return rc;
}

/* An address that has an account: into the organisation, and a new link
 * if it was invited and never set up. */
static enum zek_rc
invite_existing(struct zctx *ctx, const struct user *actor,
    struct store_user *su, const char *name, const char *org,
    const char **link_out, enum invite_result *result)
{
	enum zek_rc rc = ZEK_OK;
	int64_t org_id = 0;

	if (!str_empty(org)) {
		rc = store_org_ensure(ctx->db, org, &org_id);
		if (rc == ZEK_OK)
			rc = store_user_org_add(ctx->db, su->id, org_id);
	}
	*result = INVITE_JOINED;
	if (rc == ZEK_OK && str_empty(su->password_hash) &&
	    su->deactivated_at == 0) {
		*result = INVITE_RESENT;
		rc = invite_send(ctx, actor, su, !str_empty(name) ? name : "",
		    org, NOTIFY_INVITATION, link_out);
	}
	if (rc == ZEK_OK)
		rc = core_audit(ctx, actor,
		    *result == INVITE_RESENT ? "invite" : "org_join", su->id,
		    org_id, "");
	return rc;
}

enum zek_rc
core_invite(struct zctx *ctx, const struct user *actor, const char *email,
    const char *name, const char *org, const char **link_out,
    enum invite_result *result)
{
	struct store_user *su;
	enum zek_rc rc;

	if (!may_manage(actor))
		return ZEK_FORBIDDEN;
	rc = invite_check(ctx, email, &name, org);
	if (rc != ZEK_OK)
		return rc;
	rc = store_begin(ctx->db);
	if (rc != ZEK_OK)
		return rc;
	rc = store_user_by_email(ctx->db, ctx->arena, email, &su);
	if (rc == ZEK_OK)
		rc = invite_existing(ctx, actor, su, name, org, link_out,
		    result);
	else if (rc == ZEK_NOTFOUND) {
		*result = INVITE_SENT;
		rc = invite_new(ctx, actor, email, name, org, link_out);
	}
	return store_finish(ctx->db, rc);
}

/* ---- self sign-up ---- */

static bool
domain_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '.';
}

static bool
list_sep(char c)
{
	return c == ',' || c == ' ' || c == '\t';
}

/* One domain name of a list, [d, d + n). */
static bool
domain_valid(const char *d, size_t n)
{
	size_t i;

	if (n == 0 || n > 253 || d[0] == '.' || d[0] == '-' ||
	    d[n - 1] == '.' || d[n - 1] == '-' || memchr(d, '.', n) == NULL)
		return false;
	for (i = 0; i < n; i++)
		if (!domain_char(d[i]) || (d[i] == '.' && d[i + 1] == '.'))
			return false;
	return true;
}

/* Calls fn on each entry of a signup_domains list until it says stop. */
static bool
domains_each(const char *list, bool (*fn)(const char *, size_t, void *),
    void *arg)
{
	const char *p = list, *end;

	while (*p != '\0') {
		while (list_sep(*p))
			p++;
		for (end = p; *end != '\0' && !list_sep(*end); end++)
			;
		if (end > p && !fn(p, (size_t)(end - p), arg))
			return false;
		p = end;
	}
	return true;
}

static bool
domain_ok(const char *d, size_t n, void *arg)
{
	(void)arg;
	return domain_valid(d, n);
}

bool
core_domain_list_valid(const char *list)
{
	return domains_each(list, domain_ok, NULL);
}

/* Stops (false) when the address's domain `arg` is d or below d. */
static bool
domain_differs(const char *d, size_t n, void *arg)
{
	const char *host = arg;
	size_t len = strlen(host);

	if (len < n || strncasecmp(host + len - n, d, n) != 0)
		return true;
	return !(len == n || host[len - n - 1] == '.');
}

bool
core_signup_domain_allowed(const char *list, const char *email)
{
	const char *at = strrchr(email, '@');

	return at != NULL && at[1] != '\0' &&
	    !domains_each(list, domain_differs, (void *)(at + 1));
}

static enum zek_rc
signup_check(struct zctx *ctx, const char *email, const char **err_key)
{
	if (str_empty(email))
		*err_key = "signup_email_missing";
	else if (!core_email_valid(email))
		*err_key = "signup_email_invalid";
	else if (ctx->cfg->signup == SIGNUP_DOMAINS &&
	    !core_signup_domain_allowed(ctx->cfg->signup_domains, email))
		*err_key = "signup_domain_refused";
	else
		return ZEK_OK;
	return ZEK_INVALID;
}

/* What a sign-up does for an address, inside the caller's transaction
 * (see core_signup). */
static enum zek_rc
signup_write(struct zctx *ctx, const char *email, const char *lang)
{
	struct store_user *found, su;
	struct user me;
	enum zek_rc rc;
	int64_t org_id;

	rc = store_user_by_email(ctx->db, ctx->arena, email, &found);
	if (rc == ZEK_NOTFOUND) {
		su = pending_user(ctx, email, NULL, lang);
		rc = core_user_insert(ctx, &su, NULL, &su.id, &org_id);
		found = &su;
	} else if (rc == ZEK_OK && found->deactivated_at != 0)
		return ZEK_OK;
	if (rc != ZEK_OK)
		return rc;
	me = self_actor(found);
	if (!str_empty(found->password_hash))
		return reset_send(ctx, &me, found, NOTIFY_SIGNUP_EXISTING,
		    NULL);
	rc = invite_send(ctx, &me, found, "", "", NOTIFY_SIGNUP, NULL);
	if (rc == ZEK_OK)
		rc = core_audit(ctx, &me, "signup", found->id, 0, "");
	return rc;
}

enum zek_rc
core_signup(struct zctx *ctx, const char *email, const char *lang,
    const char *client_ip, const char **err_key)
{
	enum zek_rc rc;

	*err_key = NULL;
	if (ctx->cfg->signup == SIGNUP_OFF)
		return ZEK_NOTFOUND;
	rc = signup_check(ctx, email, err_key);
	if (rc != ZEK_OK)
		return rc;
	if (link_throttled(ctx, "signup", email, client_ip))
		return ZEK_FORBIDDEN;
	rc = store_begin(ctx->db);
	if (rc != ZEK_OK)
		return rc;
	rc = signup_write(ctx, email, lang);
	return store_finish(ctx->db, rc);
}

/* ---- deactivation ---- */

static enum zek_rc
set_active(struct zctx *ctx, const struct user *actor, int64_t user_id,
    bool active)
{
	struct store_user *su;
	enum zek_rc rc;

	if (!may_manage(actor) || (actor != NULL && actor->id == user_id))
		return ZEK_FORBIDDEN;
	rc = store_begin(ctx->db);
	if (rc != ZEK_OK)
		return rc;
	rc = store_user_by_id(ctx->db, ctx->arena, user_id, &su);
	/* Staff accounts are the admins' to change. */
	if (rc == ZEK_OK && actor != NULL && !perm_is_admin(actor) &&
	    role_decode(su->role) != ROLE_CUSTOMER)
		rc = ZEK_FORBIDDEN;
	if (rc == ZEK_OK && (su->deactivated_at == 0) != active) {
		rc = store_user_set_deactivated(ctx->db, user_id,
		    active ? 0 : ctx->now_ms);
		if (rc == ZEK_OK && !active)
			rc = store_sessions_delete_others(ctx->db, user_id,
			    NULL);
		if (rc == ZEK_OK)
			rc = core_audit(ctx, actor,
			    active ? "reactivate" : "deactivate", user_id, 0,
			    "");
	}
	return store_finish(ctx->db, rc);
}

enum zek_rc
core_user_deactivate(struct zctx *ctx, const struct user *actor,
    int64_t user_id)
{
	return set_active(ctx, actor, user_id, false);
}

enum zek_rc
core_user_reactivate(struct zctx *ctx, const struct user *actor,
    int64_t user_id)
{
	return set_active(ctx, actor, user_id, true);
}

enum zek_rc
core_account_links_purge(struct zctx *ctx, int64_t *n)
{
	return store_account_links_purge(ctx->db, ctx->now_ms - DAY_MS, n);
}
