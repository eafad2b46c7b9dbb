/* Unit tests for src/settings.c: the table of run-time settings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "settings.h"

/* Keys are unique, lower-case words, and their variables ZEK_<KEY>. */
static void
test_keys_unique_env_derived(void **state)
{
	char env[64];

	(void)state;
	assert_true(settings_n >= 53);
	for (size_t i = 0; i < settings_n; i++) {
		const struct setting *s = &settings[i];

		assert_ptr_equal(settings_find(s->key), s);
		assert_int_equal(strspn(s->key, "abcdefghijklmnopqrstuvwxyz_"),
		    strlen(s->key));
		assert_non_null(s->help);
		assert_true(s->size == 1 || s->size == 4 || s->size == 8);
		if (s->kind == SETTING_STRING)
			assert_int_equal(s->size, sizeof(char *));
		if (s->flag != NULL)
			assert_memory_equal(s->flag, "--", 2);
		settings_env_name(s, env, sizeof(env));
		assert_memory_equal(env, "ZEK_", 4);
		for (size_t k = 0; s->key[k] != '\0'; k++)
			assert_int_equal(env[4 + k],
			    s->key[k] == '_' ? '_' : s->key[k] - 'a' + 'A');
	}
	settings_env_name(settings_find("smtp_timeout_ms"), env, sizeof(env));
	assert_string_equal(env, "ZEK_SMTP_TIMEOUT_MS");
	assert_null(settings_find("session_ttl_ms"));
}

/* Every default, written out as `zek settings` prints it, is a value the
 * setting accepts (but "", none, for a few checked strings) and reads
 * back as the same value: the table and config_defaults agree. */
static void
test_defaults_read_back(void **state)
{
	struct config defaults, cfg;
	char a[256], b[256];

	(void)state;
	config_defaults(&defaults);
	for (size_t i = 0; i < settings_n; i++) {
		const struct setting *s = &settings[i];

		memset(&cfg, 0xa5, sizeof(cfg));
		settings_format(s, &defaults, a, sizeof(a));
		/* imap_url's "" means none and cannot be given: the check
		 * wants a URL. Only an empty default may be refused. */
		if (settings_set(&cfg, s->key, a) != 0) {
			assert_string_equal(a, "");
			continue;
		}
		settings_format(s, &cfg, b, sizeof(b));
		assert_string_equal(a, b);
	}
	/* A few by hand, as config.c has them. */
	settings_format(settings_find("smtp_timeout_ms"), &defaults, a, 256);
	assert_string_equal(a, "30000");
	settings_format(settings_find("smtp_starttls"), &defaults, a, 256);
	assert_string_equal(a, "on");
	settings_format(settings_find("log_level"), &defaults, a, 256);
	assert_string_equal(a, "info");
	settings_format(settings_find("agent_mail_new"), &defaults, a, 256);
	assert_string_equal(a, "on");
	settings_format(settings_find("dev"), &defaults, a, 256);
	assert_string_equal(a, "0");
}

/* Each field gets the value, in its own width, and the bounds hold. */
static void
test_values_land_in_fields(void **state)
{
	struct config cfg;

	(void)state;
	config_defaults(&cfg);
	assert_int_equal(settings_set(&cfg, "threads", "256"), 0);
	assert_int_equal(cfg.threads, 256);
	assert_int_equal(settings_set(&cfg, "threads", "257"), -1);
	assert_int_equal(settings_set(&cfg, "threads", "0"), -1);
	assert_int_equal(cfg.threads, 256);
	assert_int_equal(settings_set(&cfg, "max_body_memory", "1099511627776"),
	    0);
	assert_true(cfg.max_body_memory == (size_t)1 << 40);
	assert_int_equal(settings_set(&cfg, "mail_expire_ms", "1000"), 0);
	assert_int_equal(cfg.mail_expire_ms, 1000);
	assert_int_equal(settings_set(&cfg, "smtp_starttls", "required"), 0);
	assert_int_equal(cfg.smtp_starttls, CONFIG_TLS_REQUIRED);
	assert_int_equal(settings_set(&cfg, "smtp_starttls", "false"), 0);
	assert_int_equal(cfg.smtp_starttls, CONFIG_TLS_OFF);
	assert_int_equal(settings_set(&cfg, "agent_mail_new", "off"), 0);
	assert_false(cfg.agent_mail_new);
	assert_int_equal(settings_set(&cfg, "agent_mail_new", "maybe"), -1);
	assert_int_equal(settings_set(&cfg, "signup", "open"), 0);
	assert_int_equal(cfg.signup, SIGNUP_OPEN);
	/* A switch is off for anything but its words, never refused. */
	assert_int_equal(settings_set(&cfg, "dev", "on"), 0);
	assert_false(cfg.dev);
	assert_int_equal(settings_set(&cfg, "phase_timing", "on"), 0);
	assert_true(cfg.phase_timing);
	/* Strings are copies; a checked one refuses a bad value and keeps
	 * the one before. */
	assert_int_equal(settings_set(&cfg, "smtp_from", "a@example.org"), 0);
	assert_int_equal(settings_set(&cfg, "smtp_from", "not an address"), -1);
	assert_string_equal(cfg.smtp_from, "a@example.org");
	assert_int_equal(settings_set(&cfg, "mail_reply_address", "a+b@x.org"),
	    -1);
	assert_int_equal(settings_set(&cfg, "nonsense", "1"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys_unique_env_derived),
		cmocka_unit_test(test_defaults_read_back),
		cmocka_unit_test(test_values_land_in_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
