/* Unit tests for core/auth.c and core/users.c: log-in, throttling, sessions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "core/auth.h"
#include "core/users.h"
#include "helpers.h"

static struct tenv *env;

static int
setup(void **state)
{
	env = tenv_new();
	/* Few attempts keep the test short. */
	env->cfg.login_max_failures = 3;
	assert_int_equal(core_user_add(&env->ctx, "anna@example.org",
	    "Anna Schmidt", "richtig", "customer", "Stadt Musterstadt", "de",
	    NULL), ZEK_OK);
	return 0;
}

static int
teardown(void **state)
{
	tenv_free(env);
	return 0;
}

static void
test_user_add(void **state)
{
	struct user *u;

	assert_int_equal(core_user_by_email(&env->ctx, "ANNA@example.org", &u),
	    ZEK_OK);
	assert_string_equal(u->name, "Anna Schmidt");
	assert_string_equal(u->tz, "Europe/Berlin");
	assert_int_equal(u->role, ROLE_CUSTOMER);
	assert_int_equal(u->norgs, 1);
	assert_string_equal(u->org_names[0], "Stadt Musterstadt");
	assert_int_equal(core_user_add(&env->ctx, "Anna@Example.org", "X",
	    "richtig", "customer", NULL, "de", NULL), ZEK_CONFLICT);
	assert_int_equal(core_user_add(&env->ctx, "no-at-sign", "X", "richtig",
	    "customer", NULL, "de", NULL), ZEK_INVALID);
	assert_int_equal(core_user_add(&env->ctx, "x@example.org", "X",
	    "richtig", "boss", NULL, "de", NULL), ZEK_INVALID);
	assert_int_equal(core_user_add(&env->ctx, "x@example.org", "X", "abc",
	    "customer", NULL, "de", NULL), ZEK_INVALID);
	assert_int_equal(core_user_add(&env->ctx, "x@example.org", "  ",
	    "richtig", "customer", NULL, "de", NULL), ZEK_INVALID);
	assert_int_equal(core_user_add(&env->ctx, "x@example.org", "X",
	    "richtig", "customer", NULL, "fr", NULL), ZEK_INVALID);
	/* The stored hash is Argon2id, never the password. */
	assert_false(core_password_check("", "richtig"));
}

static void
test_login_ok_and_session(void **state)
{
	struct session_new s;
	struct user *u;
	const char *csrf;

	assert_int_equal(core_login(&env->ctx, "Anna@example.org", "richtig",
	    "10.0.0.1", &s), ZEK_OK);
	assert_int_equal(strlen(s.token), AUTH_TOKEN_LEN);
	assert_int_equal(strlen(s.csrf), AUTH_TOKEN_LEN);
	assert_string_not_equal(s.token, s.csrf);
	assert_string_equal(s.user->email, "anna@example.org");
	assert_int_equal(s.expires_at, env->ctx.now_ms + env->cfg.session_ttl_ms);
	assert_int_equal(core_session_lookup(&env->ctx, s.token, &u, &csrf),
	    ZEK_OK);
	assert_string_equal(u->name, "Anna Schmidt");
	assert_string_equal(csrf, s.csrf);
	assert_true(core_csrf_ok(csrf, s.csrf));
	assert_false(core_csrf_ok(csrf, "falsch"));
	assert_false(core_csrf_ok(csrf, NULL));
	/* A token differing in one character is not a session. */
	{
		char bad[AUTH_TOKEN_LEN + 1];

		memcpy(bad, s.token, sizeof(bad));
		bad[0] = bad[0] == 'A' ? 'B' : 'A';
		assert_int_equal(core_session_lookup(&env->ctx, bad, &u, NULL),
		    ZEK_NOTFOUND);
	}
	assert_int_equal(core_logout(&env->ctx, s.token), ZEK_OK);
	assert_int_equal(core_session_lookup(&env->ctx, s.token, &u, NULL),
	    ZEK_NOTFOUND);
	assert_int_equal(core_logout(&env->ctx, "unknown"), ZEK_OK);
}

static void
test_session_expiry(void **state)
{
	int64_t start = env->ctx.now_ms, ttl = env->cfg.session_ttl_ms, n;
	struct session_new s;
	struct user *u;

	assert_int_equal(core_login(&env->ctx, "anna@example.org", "richtig",
	    "10.0.0.2", &s), ZEK_OK);
	/* Activity extends the idle expiry ... */
	env->ctx.now_ms = start + ttl - 1000;
	assert_int_equal(core_session_lookup(&env->ctx, s.token, &u, NULL),
	    ZEK_OK);
	env->ctx.now_ms = start + ttl + 1000;
	assert_int_equal(core_session_lookup(&env->ctx, s.token, &u, NULL),
	    ZEK_OK);
	/* ... idleness ends it. */
	env->ctx.now_ms = start + 3 * ttl;
	assert_int_equal(core_session_lookup(&env->ctx, s.token, &u, NULL),
	    ZEK_NOTFOUND);
	/* Purging removes only what expired. */
	env->ctx.now_ms = start;
	assert_int_equal(core_login(&env->ctx, "anna@example.org", "richtig",
	    "10.0.0.2", &s), ZEK_OK);
	env->ctx.now_ms = start + 2 * ttl;
	assert_int_equal(core_sessions_purge(&env->ctx, &n), ZEK_OK);
	assert_true(n >= 1);
	env->ctx.now_ms = start;
	assert_int_equal(core_session_lookup(&env->ctx, s.token, &u, NULL),
	    ZEK_NOTFOUND);
}

static void
test_wrong_password_and_unknown_email(void **state)
{
	struct session_new s;

	assert_int_equal(core_login(&env->ctx, "anna@example.org", "falsch",
	    "10.0.0.3", &s), ZEK_INVALID);
	/* Unknown address: the same answer. */
	assert_int_equal(core_login(&env->ctx, "niemand@example.org", "richtig",
	    "10.0.0.3", &s), ZEK_INVALID);
	assert_int_equal(core_login(&env->ctx, "", "", "10.0.0.3", &s),
	    ZEK_INVALID);
}

static int64_t
login_ns(const char *email)
{
	struct timespec a, b;
	struct session_new s;

	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(core_login(&env->ctx, email, "falsch", "10.0.0.4", &s),
	    ZEK_INVALID);
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
}

static void
test_unknown_email_takes_as_long(void **state)
{
	int64_t known, unknown;

	/* Argon2 runs in both cases; a shortcut would be 1000 times faster. */
	known = login_ns("anna@example.org");
	unknown = login_ns("nobody@example.org");
	assert_true(unknown * 4 > known);
}

static void
test_throttling(void **state)
{
	int64_t start = env->ctx.now_ms;
	struct session_new s;
	int i;

	for (i = 0; i < 3; i++)
		assert_int_equal(core_login(&env->ctx, "anna@example.org",
		    "falsch", "10.0.0.9", &s), ZEK_INVALID);
	/* Now even the right password is refused from this address ... */
	assert_int_equal(core_login(&env->ctx, "anna@example.org", "richtig",
	    "10.0.0.9", &s), ZEK_FORBIDDEN);
	assert_int_equal(core_login(&env->ctx, "ANNA@example.org", "richtig",
	    "10.0.0.9", &s), ZEK_FORBIDDEN);
	/* ... but not from another one, */
	assert_int_equal(core_login(&env->ctx, "anna@example.org", "richtig",
	    "10.0.0.10", &s), ZEK_OK);
	/* and an unknown address is throttled the same way. */
	for (i = 0; i < 3; i++)
		assert_int_equal(core_login(&env->ctx, "nobody@example.org",
		    "falsch", "10.0.0.9", &s), ZEK_INVALID);
	assert_int_equal(core_login(&env->ctx, "nobody@example.org", "falsch",
	    "10.0.0.9", &s), ZEK_FORBIDDEN);
	/* After the window it works again, and success resets the count. */
	env->ctx.now_ms = start + env->cfg.login_window_ms;
	assert_int_equal(core_login(&env->ctx, "anna@example.org", "richtig",
	    "10.0.0.9", &s), ZEK_OK);
	assert_int_equal(core_login(&env->ctx, "anna@example.org", "falsch",
	    "10.0.0.9", &s), ZEK_INVALID);
	assert_int_equal(core_login(&env->ctx, "anna@example.org", "richtig",
	    "10.0.0.9", &s), ZEK_OK);
	env->ctx.now_ms = start;
}

/* Spellings the look-up (ICU case folding) takes for one address: the long
 * s, the Kelvin sign, sharp s and capital sharp s, the ligatures. */
static const char *const spellings[][6] = {
	{ "anna@example.org", "ANNA@EXAMPLE.ORG", "Anna@Example.ORG", NULL,
	  NULL },
	{ "kristof.strasse@example.org", "kri\u017Ftof.\u017Ftrasse@example.org",
	  "\u212Aristof.strasse@example.org",
	  "kristof.stra\u00DFe@example.org", "KRISTOF.STRA\u1E9EE@example.org",
	  "kristof.\uFB06rasse@example.org" },
	{ "kristof.strasse@example.org", "KRISTOF.STRA\u1E9EE@example.org",
	  NULL, NULL, NULL },
	{ "jeff.fink@example.org", "je\uFB00.\uFB01nk@example.org",
	  "JEFF.FIN\u212A@example.org", "je\uFB00.fink@example.org",
	  "jeff.\uFB01n\u212A@example.org" },
};

/* Failures under any mix of spellings of one address add up, and then no
 * spelling gets through, for an account and for an unknown address. */
static void
test_throttling_lookalikes(void **state)
{
	struct session_new s;
	const char *ip;
	size_t g, i, n;

	assert_int_equal(core_user_add(&env->ctx, "kristof.strasse@example.org",
	    "Kristof", "richtig", "customer", NULL, "de", NULL), ZEK_OK);
	for (g = 0; g < sizeof(spellings) / sizeof(spellings[0]); g++) {
		ip = g == 0 ? "10.1.0.1" : g == 1 ? "10.1.0.2" :
		    g == 2 ? "10.1.0.3" : "10.1.0.4";
		for (n = 0; n < 6 && spellings[g][n] != NULL; n++)
			;
		for (i = 0; i < 3; i++)
			assert_int_equal(core_login(&env->ctx,
			    spellings[g][(i + 1) % n], "falsch", ip, &s),
			    ZEK_INVALID);
		for (i = 0; i < n; i++)
			assert_int_equal(core_login(&env->ctx, spellings[g][i],
			    "richtig", ip, &s), ZEK_FORBIDDEN);
	}
	/* The look-alike is the account itself: unthrottled, it signs in. */
	assert_int_equal(core_login(&env->ctx,
	    "kri\u017Ftof.\u017Ftrasse@example.org", "richtig", "10.1.0.9", &s),
	    ZEK_OK);
	assert_string_equal(s.user->email, "kristof.strasse@example.org");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_user_add),
		cmocka_unit_test(test_login_ok_and_session),
		cmocka_unit_test(test_session_expiry),
		cmocka_unit_test(test_wrong_password_and_unknown_email),
		cmocka_unit_test(test_unknown_email_takes_as_long),
		cmocka_unit_test(test_throttling),
		cmocka_unit_test(test_throttling_lookalikes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
