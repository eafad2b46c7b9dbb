/* Unit tests for core/profile.c: name, password change, language and zone. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "core/auth.h"
#include "core/password.h"
#include "core/profile.h"
#include "core/users.h"
#include "core/validate.h"
#include "helpers.h"

static struct tenv *env;

static int
setup(void **state)
{
	env = tenv_new();
	env->cfg.login_max_failures = 3;
	return 0;
}

static int
teardown(void **state)
{
	tenv_free(env);
	return 0;
}

static struct user *
reload(struct user *u)
{
	struct user *n;

	assert_int_equal(core_user_get(&env->ctx, u->id, &n), ZEK_OK);
	return n;
}

static bool
has_error(const struct field_error *errs, size_t n, const char *field,
    const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(errs[i].field, field) == 0 && strcmp(errs[i].key, key) == 0)
			return true;
	return false;
}

static void
test_name(void **state)
{
	struct user *u = tenv_user(env, "name@example.org", "customer", NULL);
	struct field_error errs[PROFILE_MAX_ERRORS];
	struct profile_edit in = { .name = "  Neuer Name  " };
	char longname[USER_NAME_MAX + 2];
	bool changed = true;
	size_t n;

	assert_int_equal(core_profile_edit(&env->ctx, u, &in, errs, &n, &changed),
	    ZEK_OK);
	assert_false(changed);
	assert_string_equal(reload(u)->name, "Neuer Name");
	/* Language and zone stay as they were. */
	assert_string_equal(reload(u)->lang, "de");
	assert_string_equal(reload(u)->tz, "Europe/Berlin");

	in.name = "   ";
	assert_int_equal(core_profile_edit(&env->ctx, u, &in, errs, &n, NULL),
	    ZEK_INVALID);
	assert_int_equal(n, 1);
	assert_true(has_error(errs, n, "name", "err_required"));
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	in.name = longname;
	assert_int_equal(core_profile_edit(&env->ctx, u, &in, errs, &n, NULL),
	    ZEK_INVALID);
	assert_true(has_error(errs, n, "name", "err_too_long"));
	assert_int_equal(errs[0].max, USER_NAME_MAX);
	in.name = "Bell\x07here";
	assert_int_equal(core_profile_edit(&env->ctx, u, &in, errs, &n, NULL),
	    ZEK_INVALID);
	assert_true(has_error(errs, n, "name", "err_invalid_chars"));
	in.name = "bad \xff utf8";
	assert_int_equal(core_profile_edit(&env->ctx, u, &in, errs, &n, NULL),
	    ZEK_INVALID);
	assert_true(has_error(errs, n, "name", "err_invalid_utf8"));
	assert_string_equal(reload(u)->name, "Neuer Name");
}

static void
test_password_change(void **state)
{
	struct user *u = tenv_user(env, "pw@example.org", "customer", NULL);
	struct field_error errs[PROFILE_MAX_ERRORS];
	struct session_new mine, other;
	struct profile_edit in = { .name = "Test Person" };
	struct user *who;
	bool changed = false;
	size_t n;

	assert_int_equal(core_login(&env->ctx, "pw@example.org", "secret1", "a",
	    &mine), ZEK_OK);
	assert_int_equal(core_login(&env->ctx, "pw@example.org", "secret1", "b",
	    &other), ZEK_OK);

	/* Every problem at once, next to its field; nothing is changed. */
	in.current_password = "";
	in.new_password = "kurz";
	in.new_password2 = "kurz";
	assert_int_equal(core_profile_edit(&env->ctx, u, &in, errs, &n, NULL),
	    ZEK_INVALID);
	assert_true(has_error(errs, n, "current_password", "err_required"));
	assert_true(has_error(errs, n, "new_password", "err_password_too_short"));
	assert_int_equal(errs[1].max, PASSWORD_NEW_MIN);
	in.current_password = "secret1";
	in.new_password = "lang genug, der Satz";
	in.new_password2 = "lang genug, der SatZ";
	assert_int_equal(core_profile_edit(&env->ctx, u, &in, errs, &n, NULL),
	    ZEK_INVALID);
	assert_int_equal(n, 1);
	assert_true(has_error(errs, n, "new_password2", "err_password_mismatch"));
	in.current_password = "falsch";
	in.new_password2 = "lang genug, der Satz";
	assert_int_equal(core_profile_edit(&env->ctx, u, &in, errs, &n, NULL),
	    ZEK_INVALID);
	assert_true(has_error(errs, n, "current_password", "err_password_wrong"));
	in.current_password = "secret1";
	in.new_password = "";
	in.new_password2 = "";
	assert_int_equal(core_profile_edit(&env->ctx, u, &in, errs, &n, NULL),
	    ZEK_INVALID);
	assert_true(has_error(errs, n, "new_password", "err_required"));
	assert_int_equal(core_login(&env->ctx, "pw@example.org", "secret1", "c",
	    &other), ZEK_OK);

	/* The change: the new password works, the old one not; only the
	 * session that made the change stays signed in. */
	in.new_password = "ein neues Passwort";
	in.new_password2 = "ein neues Passwort";
	in.keep_session = mine.token;
	assert_int_equal(core_profile_edit(&env->ctx, u, &in, errs, &n, &changed),
	    ZEK_OK);
	assert_true(changed);
	assert_int_equal(core_session_lookup(&env->ctx, mine.token, &who, NULL),
	    ZEK_OK);
	assert_int_equal(core_session_lookup(&env->ctx, other.token, &who, NULL),
	    ZEK_NOTFOUND);
	assert_int_equal(core_login(&env->ctx, "pw@example.org", "secret1", "d",
	    &other), ZEK_INVALID);
	assert_int_equal(core_login(&env->ctx, "pw@example.org",
	    "ein neues Passwort", "d", &other), ZEK_OK);
}

static void
test_password_throttled(void **state)
{
	struct user *u = tenv_user(env, "guess@example.org", "customer", NULL);
	struct field_error errs[PROFILE_MAX_ERRORS];
	struct profile_edit in = { .name = "Test Person",
	    .current_password = "falsch", .new_password = "Sommer-Regen am Deich",
	    .new_password2 = "Sommer-Regen am Deich" };
	int64_t start = env->ctx.now_ms;
	unsigned i;
	size_t n;

	for (i = 0; i < env->cfg.login_max_failures; i++) {
		assert_int_equal(core_profile_edit(&env->ctx, u, &in, errs, &n,
		    NULL), ZEK_INVALID);
		assert_true(has_error(errs, n, "current_password",
		    "err_password_wrong"));
	}
	/* Now even the right password is refused until the window passed. */
	in.current_password = "secret1";
	assert_int_equal(core_profile_edit(&env->ctx, u, &in, errs, &n, NULL),
	    ZEK_INVALID);
	assert_true(has_error(errs, n, "current_password",
	    "err_password_throttled"));
	env->ctx.now_ms = start + env->cfg.login_window_ms;
	assert_int_equal(core_profile_edit(&env->ctx, u, &in, errs, &n, NULL),
	    ZEK_OK);
	env->ctx.now_ms = start;
}

static void
test_prefs(void **state)
{
	struct user *u = tenv_user(env, "prefs@example.org", "customer", NULL);
	struct field_error e;

	assert_int_equal(core_profile_set_prefs(&env->ctx, u, "en", "Asia/Tokyo", true,
	    &e), ZEK_OK);
	u = reload(u);
	assert_string_equal(u->lang, "en");
	assert_string_equal(u->tz, "Asia/Tokyo");
	assert_string_equal(u->name, "Test Person");
	assert_int_equal(core_profile_set_prefs(&env->ctx, u, "fr", "UTC", true, &e),
	    ZEK_INVALID);
	assert_string_equal(e.field, "lang");
	assert_string_equal(e.key, "err_invalid_option");
	assert_int_equal(core_profile_set_prefs(&env->ctx, u, "de",
	    "Mars/Olympus_Mons", true, &e), ZEK_INVALID);
	assert_string_equal(e.field, "tz");
	assert_int_equal(core_profile_set_prefs(&env->ctx, u, "de", NULL, true, &e),
	    ZEK_INVALID);
	assert_string_equal(reload(u)->tz, "Asia/Tokyo");
	assert_true(reload(u)->notify);
	assert_int_equal(core_profile_set_prefs(&env->ctx, u, "de", "UTC", false, &e),
	    ZEK_OK);
	assert_string_equal(reload(u)->tz, "UTC");
	assert_string_equal(reload(u)->lang, "de");
	assert_false(reload(u)->notify);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_password_change),
		cmocka_unit_test(test_password_throttled),
		cmocka_unit_test(test_prefs),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
