/* Unit tests for core/config.c: the warning that links in mails reach
 * only this machine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>

#include "core/config.h"

static bool
local_only(const char *listen, const char *base_url)
{
	struct config cfg;

	config_defaults(&cfg);
	cfg.listen = listen;
	cfg.base_url = base_url;
	return config_base_url_local_only(&cfg);
}

static void
test_base_url_local_only(void **state)
{
	(void)state;
	/* The defaults, as `make run` starts: all on this machine. */
	assert_false(local_only("127.0.0.1:8080", "http://127.0.0.1:8080"));
	assert_false(local_only("[::1]:8080", "http://localhost:8080/"));
	/* Listening beyond this machine with the default links. */
	assert_true(local_only("0.0.0.0:8080", "http://127.0.0.1:8080"));
	assert_true(local_only("[::]:8080", "http://[::1]:8080"));
	assert_true(local_only("192.0.2.10:80", "https://LOCALHOST"));
	assert_true(local_only("0.0.0.0:8080", "http://127.0.1.1:8080/zek"));
	/* A real address, whatever zek listens on (behind a proxy, zek
	 * listens on loopback). */
	assert_false(local_only("0.0.0.0:8080", "https://service.example.org"));
	assert_false(local_only("127.0.0.1:8080", "https://service.example.org"));
	assert_false(local_only("0.0.0.0:8080",
	    "https://127.example.org:8443/portal"));
	assert_false(local_only("0.0.0.0:8080", "https://[2001:db8::1]/"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_base_url_local_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
