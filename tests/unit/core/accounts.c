/* Unit tests for core/accounts.c and core/password.c: the rules for new
 * passwords, "Passwort vergessen?", invitations, deactivation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/accounts.h"
#include "core/auth.h"
#include "core/config.h"
#include "core/notify.h"
#include "core/password.h"
#include "core/tokens.h"
#include "core/users.h"
#include "core/validate.h"
#include "helpers.h"
#include "lib/arena.h"
#include "store/store.h"

#define HOUR_MS (3600LL * 1000)

static struct tenv *env;

static int
setup(void **state)
{
	(void)state;
	env = tenv_new();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tenv_free(env);
	return 0;
}

/* The key of the one error of a new password, or "" for none. */
static const char *
rule(const char *pw, const char *pw2)
{
	struct field_error errs[2];
	size_t n = 0;
	struct password_errs pe = { errs, &n, 2 };

	core_password_rules(&env->ctx, pw, pw2, "erika.mustermann@example.org",
	    "Erika Mustermann", "new_password", "new_password2", &pe);
	assert_true(n <= 1);
	return n == 0 ? "" : errs[0].key;
}

static void
test_password_rules(void **state)
{
	(void)state;
	assert_string_equal(rule("", ""), "err_required");
	assert_string_equal(rule("kurz und gut", "kurz und gut"), "");
	assert_string_equal(rule("elf Zeichen", "elf Zeichen"),
	    "err_password_too_short");
	/* Characters, not bytes: eleven umlauts are eleven. */
	assert_string_equal(rule("äöüäöüäöüäö", "äöüäöüäöüäö"),
	    "err_password_too_short");
	assert_string_equal(rule("Mustermann!2026", "Mustermann!2026"),
	    "err_password_personal");
	assert_string_equal(rule("erika.mustermann", "erika.mustermann"),
	    "err_password_personal");
	/* A dictionary word with digits after it, a sequence, one letter. */
	assert_string_equal(rule("Password2026!", "Password2026!"),
	    "err_password_common");
	assert_string_equal(rule("123456789012", "123456789012"),
	    "err_password_common");
	assert_string_equal(rule("aaaaaaaaaaaaaa", "aaaaaaaaaaaaaa"),
	    "err_password_common");
	assert_string_equal(rule("Sommer-Regen am Deich", "Sommer-Regen am Deich"),
	    "");
	assert_string_equal(rule("Sommer-Regen am Deich", "Sommer-Regen am deich"),
	    "err_password_mismatch");
	assert_string_equal(rule("Sommer\xff-Regen am Deich", ""),
	    "err_invalid_utf8");
}

/* The single-use token at the end of a link. */
static const char *
token_of(const char *url)
{
	const char *slash = strrchr(url, '/');

	assert_non_null(slash);
	assert_int_equal(strlen(slash + 1), AUTH_TOKEN_LEN);
	return slash + 1;
}

/* Account mails of `event` to `addr` in the outbox. */
static size_t
mails(const char *event, const char *addr)
{
	struct store_mail *m;
	size_t i, n, hits = 0;

	assert_int_equal(core_outbox_list(&env->ctx, NULL, 0, 100, &m, &n),
	    ZEK_OK);
	for (i = 0; i < n; i++)
		if (strcmp(m[i].event, event) == 0 &&
		    strcmp(m[i].to_addr, addr) == 0)
			hits++;
	return hits;
}

static enum zek_rc
finish(const char *token, const char *purpose, const char *name,
    const char *pw, struct session_new *s)
{
	struct field_error errs[ACCOUNT_MAX_ERRORS];
	struct account_setup in = { .name = name, .password = pw,
	    .password2 = pw };
	size_t n;

	return core_account_link_finish(&env->ctx, token, purpose, &in, errs,
	    &n, s);
}

static void
test_reset(void **state)
{
	const char *link = NULL, *tok;
	struct session_new old, s;
	struct person su;
	struct user *who;

	(void)state;
	tenv_add(env, "anna@example.org", "Anna Schmidt", "customer", NULL);
	assert_int_equal(core_login(&env->ctx, "anna@example.org", "geheim1",
	    "10.0.0.1", &old), ZEK_OK);

	/* Known and unknown addresses get the same answer; only the known
	 * one a mail. */
	assert_int_equal(core_password_reset_request(&env->ctx, NULL,
	    "ANNA@example.org", "10.0.0.9", NULL), ZEK_OK);
	assert_int_equal(core_password_reset_request(&env->ctx, NULL,
	    "niemand@example.org", "10.0.0.9", NULL), ZEK_OK);
	assert_int_equal(mails(NOTIFY_PASSWORD_RESET, "anna@example.org"), 1);
	assert_int_equal(mails(NOTIFY_PASSWORD_RESET, "niemand@example.org"), 0);

	/* The command line learns of unknown addresses and gets the link. */
	assert_int_equal(core_password_reset_request(&env->ctx, NULL,
	    "niemand@example.org", NULL, &link), ZEK_NOTFOUND);
	assert_int_equal(core_password_reset_request(&env->ctx, NULL,
	    "anna@example.org", NULL, &link), ZEK_OK);
	assert_non_null(strstr(link, ACCOUNT_RESET_PATH));
	tok = token_of(link);
	assert_int_equal(mails(NOTIFY_PASSWORD_RESET, "anna@example.org"), 1);
	assert_int_equal(core_account_link_check(&env->ctx, tok,
	    ACCOUNT_LINK_RESET, &su), ZEK_OK);
	assert_string_equal(su.email, "anna@example.org");
	/* Not an invitation, and nothing else works either. */
	assert_int_equal(core_account_link_check(&env->ctx, tok,
	    ACCOUNT_LINK_INVITE, &su), ZEK_NOTFOUND);
	assert_int_equal(core_account_link_check(&env->ctx, "x",
	    ACCOUNT_LINK_RESET, &su), ZEK_NOTFOUND);

	assert_int_equal(finish(tok, ACCOUNT_LINK_RESET, NULL, "kurz", &s),
	    ZEK_INVALID);
	assert_int_equal(finish(tok, ACCOUNT_LINK_RESET, NULL,
	    "Anna sucht ein neues Wort", &s), ZEK_INVALID);
	assert_int_equal(finish(tok, ACCOUNT_LINK_RESET, NULL,
	    "Sommer-Regen am Deich", &s), ZEK_OK);
	assert_string_equal(s.user->email, "anna@example.org");
	/* Every other session ended; the link works once. */
	assert_int_equal(core_session_lookup(&env->ctx, old.token, &who, NULL),
	    ZEK_NOTFOUND);
	assert_int_equal(core_session_lookup(&env->ctx, s.token, &who, NULL),
	    ZEK_OK);
	assert_int_equal(finish(tok, ACCOUNT_LINK_RESET, NULL,
	    "Herbst-Sturm am Deich", &s), ZEK_NOTFOUND);
	assert_int_equal(core_login(&env->ctx, "anna@example.org", "geheim1",
	    "10.0.0.1", &old), ZEK_INVALID);
	assert_int_equal(core_login(&env->ctx, "anna@example.org",
	    "Sommer-Regen am Deich", "10.0.0.1", &old), ZEK_OK);
}

static void
test_reset_links_end(void **state)
{
	const char *first, *second;
	struct session_new s;

	(void)state;
	env->cfg.reset_ttl_minutes = 60;
	tenv_add(env, "ben@example.org", "Ben Weber", "customer", NULL);
	assert_int_equal(core_password_reset_request(&env->ctx, NULL,
	    "ben@example.org", NULL, &first), ZEK_OK);
	assert_int_equal(core_password_reset_request(&env->ctx, NULL,
	    "ben@example.org", NULL, &second), ZEK_OK);
	/* A newer link makes the older one useless. */
	assert_int_equal(finish(token_of(first), ACCOUNT_LINK_RESET, NULL,
	    "Sommer-Regen am Deich", &s), ZEK_NOTFOUND);
	/* An hour later the newer one has expired too. */
	env->ctx.now_ms += HOUR_MS + 1;
	assert_int_equal(finish(token_of(second), ACCOUNT_LINK_RESET, NULL,
	    "Sommer-Regen am Deich", &s), ZEK_NOTFOUND);
}

static void
test_reset_throttled(void **state)
{
	unsigned i;

	(void)state;
	for (i = 0; i < ACCOUNT_RESET_MAX_PER_EMAIL; i++)
		assert_int_equal(core_password_reset_request(&env->ctx, NULL,
		    "carla@example.org", "10.0.0.2", NULL), ZEK_OK);
	/* Per address, whatever the client ... */
	assert_int_equal(core_password_reset_request(&env->ctx, NULL,
	    "Carla@Example.org", "10.0.0.3", NULL), ZEK_FORBIDDEN);
	/* ... and per client, whatever the address. */
	for (i = ACCOUNT_RESET_MAX_PER_EMAIL;
	    i < ACCOUNT_RESET_MAX_PER_CLIENT; i++) {
		char addr[64];

		snprintf(addr, sizeof(addr), "p%u@example.org", i);
		assert_int_equal(core_password_reset_request(&env->ctx, NULL,
		    addr, "10.0.0.2", NULL), ZEK_OK);
	}
	assert_int_equal(core_password_reset_request(&env->ctx, NULL,
	    "dora@example.org", "10.0.0.2", NULL), ZEK_FORBIDDEN);
	assert_int_equal(core_password_reset_request(&env->ctx, NULL,
	    "dora@example.org", "10.0.0.4", NULL), ZEK_OK);
	/* After the window, again. */
	env->ctx.now_ms += env->cfg.login_window_ms + 1;
	assert_int_equal(core_password_reset_request(&env->ctx, NULL,
	    "carla@example.org", "10.0.0.3", NULL), ZEK_OK);
}

static void
test_invite(void **state)
{
	struct tenv_people p;
	enum invite_result res;
	const char *first, *link;
	struct session_new s;
	struct person su;
	struct user *agent, *anna, *neu;

	(void)state;
	tenv_people(env, &p);
	agent = tenv_get(env, p.sam);
	anna = tenv_get(env, p.anna);
	/* Customers invite nobody. */
	assert_int_equal(core_invite(&env->ctx, anna, "x@example.org", NULL,
	    NULL, NULL, &res), ZEK_FORBIDDEN);
	assert_int_equal(core_invite(&env->ctx, agent, "kein-at.example.org",
	    NULL, NULL, NULL, &res), ZEK_INVALID);

	assert_int_equal(core_invite(&env->ctx, agent, "neu@example.org", NULL,
	    "Kreis Neuland – Bauamt", NULL, &res), ZEK_OK);
	assert_int_equal(res, INVITE_SENT);
	assert_int_equal(mails(NOTIFY_INVITATION, "neu@example.org"), 1);
	/* No password yet: no sign-in. */
	assert_int_equal(core_login(&env->ctx, "neu@example.org", "",
	    "10.0.0.1", &s), ZEK_INVALID);
	/* Invited again before setting up: a new link, the old one ends. */
	assert_int_equal(core_invite(&env->ctx, agent, "neu@example.org", NULL,
	    NULL, &first, &res), ZEK_OK);
	assert_int_equal(res, INVITE_RESENT);
	assert_int_equal(core_invite(&env->ctx, agent, "neu@example.org", NULL,
	    NULL, &link, &res), ZEK_OK);
	assert_int_equal(finish(token_of(first), ACCOUNT_LINK_INVITE,
	    "Nora Neu", "Sommer-Regen am Deich", &s), ZEK_NOTFOUND);
	assert_int_equal(core_account_link_check(&env->ctx, token_of(link),
	    ACCOUNT_LINK_INVITE, &su), ZEK_OK);
	/* The name is needed. */
	assert_int_equal(finish(token_of(link), ACCOUNT_LINK_INVITE, "  ",
	    "Sommer-Regen am Deich", &s), ZEK_INVALID);
	assert_int_equal(finish(token_of(link), ACCOUNT_LINK_INVITE,
	    "Nora Neu", "Sommer-Regen am Deich", &s), ZEK_OK);
	assert_string_equal(s.user->name, "Nora Neu");
	assert_int_equal(s.user->norgs, 1);
	assert_string_equal(s.user->org_names[0], "Kreis Neuland – Bauamt");

	/* An existing account joins the organisation; nobody is mailed. */
	assert_int_equal(core_invite(&env->ctx, agent, "anna@example.org", NULL,
	    "Kreis Neuland – Bauamt", NULL, &res), ZEK_OK);
	assert_int_equal(res, INVITE_JOINED);
	assert_int_equal(mails(NOTIFY_INVITATION, "anna@example.org"), 0);
	assert_int_equal(core_user_by_email(&env->ctx, "anna@example.org", &neu),
	    ZEK_OK);
	assert_int_equal(neu->norgs, 2);
}

static void
test_signup_domains(void **state)
{
	const char *list = "bund.de, Berlin.DE  kreis-neuland.example";

	(void)state;
	assert_true(core_domain_list_valid(""));
	assert_true(core_domain_list_valid(list));
	assert_false(core_domain_list_valid("bund"));
	assert_false(core_domain_list_valid("bund..de"));
	assert_false(core_domain_list_valid(".bund.de"));
	assert_false(core_domain_list_valid("bund.de;rm"));
	assert_false(core_domain_list_valid("@bund.de"));
	assert_true(core_signup_domain_allowed(list, "a@bund.de"));
	assert_true(core_signup_domain_allowed(list, "a@bmi.BUND.de"));
	assert_true(core_signup_domain_allowed(list, "a@senatskanzlei.berlin.de"));
	assert_true(core_signup_domain_allowed(list, "a@kreis-neuland.example"));
	assert_false(core_signup_domain_allowed(list, "a@xbund.de"));
	assert_false(core_signup_domain_allowed(list, "a@bund.de.evil.example"));
	assert_false(core_signup_domain_allowed(list, "bund.de@evil.example"));
	assert_false(core_signup_domain_allowed(list, "a@"));
	assert_false(core_signup_domain_allowed("", "a@bund.de"));
}

/* The token of the newest account mail of `event` to `addr`. */
static const char *
mailed_token(const char *event, const char *addr)
{
	struct store_mail *m;
	const char *url, *end;
	size_t i, n;

	assert_int_equal(core_outbox_list(&env->ctx, NULL, 0, 100, &m, &n),
	    ZEK_OK);
	for (i = n; i-- > 0;) {
		if (strcmp(m[i].event, event) != 0 ||
		    strcmp(m[i].to_addr, addr) != 0)
			continue;
		url = strstr(m[i].payload, "\"url\":\"");
		assert_non_null(url);
		end = strchr(url + 7, '"');
		assert_non_null(end);
		while (end[-1] != '/')
			end--;
		assert_int_equal(strspn(end, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789-_"), AUTH_TOKEN_LEN);
		return arena_strndup(env->arena, end, AUTH_TOKEN_LEN);
	}
	fail_msg("no %s mail to %s", event, addr);
	return NULL;
}

static void
test_signup(void **state)
{
	struct tenv_people p;
	struct session_new s;
	struct store_audit *log;
	const char *err, *tok;
	size_t n;

	(void)state;
	tenv_people(env, &p);
	/* Off by default: there is no sign-up. */
	assert_int_equal(core_signup(&env->ctx, "neu@bund.de", "de", "10.0.0.9",
	    &err), ZEK_NOTFOUND);
	env->cfg.signup = SIGNUP_DOMAINS;
	env->cfg.signup_domains = "bund.de example.org";
	assert_int_equal(core_signup(&env->ctx, "", "de", "10.0.0.9", &err),
	    ZEK_INVALID);
	assert_string_equal(err, "signup_email_missing");
	assert_int_equal(core_signup(&env->ctx, "kein-at.bund.de", "de",
	    "10.0.0.9", &err), ZEK_INVALID);
	assert_string_equal(err, "signup_email_invalid");
	assert_int_equal(core_signup(&env->ctx, "neu@gmail.example", "de",
	    "10.0.0.9", &err), ZEK_INVALID);
	assert_string_equal(err, "signup_domain_refused");

	/* A new address: an account that works only after the link. */
	assert_int_equal(core_signup(&env->ctx, "neu@bmi.bund.de", "en",
	    "10.0.0.9", &err), ZEK_OK);
	assert_int_equal(mails(NOTIFY_SIGNUP, "neu@bmi.bund.de"), 1);
	assert_int_equal(core_login(&env->ctx, "neu@bmi.bund.de", "",
	    "10.0.0.1", &s), ZEK_INVALID);
	tok = mailed_token(NOTIFY_SIGNUP, "neu@bmi.bund.de");
	assert_int_equal(finish(tok, ACCOUNT_LINK_INVITE, "Nils Neu",
	    "Sommer-Regen am Deich", &s), ZEK_OK);
	assert_string_equal(s.user->name, "Nils Neu");
	assert_string_equal(s.user->lang, "en");
	assert_int_equal(s.user->role, ROLE_CUSTOMER);
	assert_int_equal(s.user->norgs, 0);

	/* An address with an account: a reset link, and a word that the
	 * account exists; the answer is the same. */
	assert_int_equal(core_signup(&env->ctx, "anna@example.org", "de",
	    "10.0.0.9", &err), ZEK_OK);
	assert_int_equal(mails(NOTIFY_SIGNUP_EXISTING, "anna@example.org"), 1);
	tok = mailed_token(NOTIFY_SIGNUP_EXISTING, "anna@example.org");
	assert_int_equal(finish(tok, ACCOUNT_LINK_RESET, NULL,
	    "Sommer-Regen am Deich", &s), ZEK_OK);
	/* Deactivated: nothing, and still the same answer. */
	assert_int_equal(core_user_deactivate(&env->ctx, NULL, p.ben), ZEK_OK);
	assert_int_equal(core_signup(&env->ctx, "ben@example.org", "de",
	    "10.0.0.9", &err), ZEK_OK);
	assert_int_equal(mails(NOTIFY_SIGNUP_EXISTING, "ben@example.org") +
	    mails(NOTIFY_SIGNUP, "ben@example.org"), 0);

	/* The same limits as the reset mails: per address, per client. */
	env->cfg.signup = SIGNUP_OPEN;
	assert_int_equal(core_signup(&env->ctx, "x@anywhere.example", "de",
	    "10.0.0.8", &err), ZEK_OK);
	assert_int_equal(core_signup(&env->ctx, "x@anywhere.example", "de",
	    "10.0.0.8", &err), ZEK_OK);
	assert_int_equal(core_signup(&env->ctx, "x@anywhere.example", "de",
	    "10.0.0.8", &err), ZEK_OK);
	assert_int_equal(core_signup(&env->ctx, "x@anywhere.example", "de",
	    "10.0.0.8", &err), ZEK_FORBIDDEN);
	/* Asked again before setting up: one new link, the older ends. */
	assert_int_equal(mails(NOTIFY_SIGNUP, "x@anywhere.example"), 3);

	/* The record names the person, not the command line. */
	assert_int_equal(core_audit_list(&env->ctx, NULL, 0, 50, &log, &n),
	    ZEK_OK);
	assert_true(n >= 1);
	assert_string_equal(log[n - 1].action, "signup");
	assert_string_equal(log[n - 1].user_email, "neu@bmi.bund.de");
	assert_int_equal(log[n - 1].actor_id, log[n - 1].user_id);
}

static void
test_deactivate(void **state)
{
	struct field_error err;
	struct tenv_people p;
	struct token_new tok;
	struct session_new s;
	struct store_audit *log;
	struct user *agent, *anna, *who;
	char day[17];
	size_t n;

	(void)state;
	tenv_people(env, &p);
	agent = tenv_get(env, p.sam);
	anna = tenv_get(env, p.anna);
	assert_int_equal(core_login(&env->ctx, "anna@example.org", "geheim1",
	    "10.0.0.1", &s), ZEK_OK);
	assert_int_equal(core_format_local_datetime(env->ctx.now_ms + 24 * HOUR_MS,
	    "Europe/Berlin", day), ZEK_OK);
	day[10] = '\0';
	assert_int_equal(core_token_create(&env->ctx, anna, "cli", day,
	    "Europe/Berlin", &tok, &err), ZEK_OK);

	/* Not oneself, not as a customer. */
	assert_int_equal(core_user_deactivate(&env->ctx, agent, p.sam),
	    ZEK_FORBIDDEN);
	assert_int_equal(core_user_deactivate(&env->ctx, anna, p.ben),
	    ZEK_FORBIDDEN);
	assert_int_equal(core_user_deactivate(&env->ctx, agent, p.anna), ZEK_OK);
	/* Session, token and sign-in stop at once. */
	assert_int_equal(core_session_lookup(&env->ctx, s.token, &who, NULL),
	    ZEK_NOTFOUND);
	assert_int_equal(core_token_authenticate(&env->ctx, tok.raw, &who),
	    ZEK_NOTFOUND);
	assert_int_equal(core_login(&env->ctx, "anna@example.org", "geheim1",
	    "10.0.0.1", &s), ZEK_INVALID);
	/* Nor does a reset link help. */
	assert_int_equal(core_password_reset_request(&env->ctx, agent,
	    "anna@example.org", NULL, NULL), ZEK_NOTFOUND);

	assert_int_equal(core_user_reactivate(&env->ctx, agent, p.anna), ZEK_OK);
	assert_int_equal(core_login(&env->ctx, "anna@example.org", "geheim1",
	    "10.0.0.1", &s), ZEK_OK);
	assert_int_equal(core_token_authenticate(&env->ctx, tok.raw, &who),
	    ZEK_OK);

	/* Who did what, for admins only. */
	assert_int_equal(core_audit_list(&env->ctx, agent, 0, 10, &log, &n),
	    ZEK_FORBIDDEN);
	assert_int_equal(core_audit_list(&env->ctx, NULL, p.anna, 10, &log, &n),
	    ZEK_OK);
	assert_int_equal(n, 2);
	assert_string_equal(log[0].action, "reactivate");
	assert_string_equal(log[1].action, "deactivate");
	assert_int_equal(log[1].actor_id, p.sam);
	assert_string_equal(log[1].user_email, "anna@example.org");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_password_rules, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_links_end, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_reset_throttled, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_invite, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signup_domains, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_signup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deactivate, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
