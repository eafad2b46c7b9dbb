/* Unit tests for api/api.c: decoding the credentials of HTTP Basic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "api/api.h"
#include "lib/arena.h"

static void
test_basic_ok(void **state)
{
	struct arena *a = arena_new(0);
	const char *email = NULL, *secret = NULL;

	assert_non_null(a);
	/* "anna@example.org:zek_x:y" (a ':' in the secret stays there) */
	assert_true(api_basic_credentials(a, "YW5uYUBleGFtcGxlLm9yZzp6ZWtfeDp5",
	    &email, &secret));
	assert_string_equal(email, "anna@example.org");
	assert_string_equal(secret, "zek_x:y");
	assert_true(api_basic_credentials(a, "YTpi", &email, &secret));
	assert_string_equal(email, "a");
	assert_string_equal(secret, "b");
	/* ":" alone: both empty, the caller's look-up refuses them */
	assert_true(api_basic_credentials(a, "Og==", &email, &secret));
	assert_string_equal(email, "");
	assert_string_equal(secret, "");
	arena_free(a);
}

static void
test_basic_refused(void **state)
{
	static const char *const bad[] = {
		"",
		"bm9jb2xvbg==",         /* "nocolon" */
		"YTpiAGM=",             /* "a:b\0c": a NUL byte */
		"YTr/",                 /* "a:\xff": not UTF-8 */
		"YTpi!",                /* "a:b" and a byte outside base64 */
		"YTpi ",
		"Y Tpi",
		/* libsodium decodes bytes above 0x7f as if they were '/':
		 * "aBB\xa9GGU6" came through as "aBB/GGU6" (fuzz_headers) */
		"aBB\xa9GGU6",
		"YTpi\x80",
		"YTpi=",                /* padding where none belongs */
	};
	struct arena *a = arena_new(0);
	const char *email, *secret;
	size_t i;

	assert_non_null(a);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (api_basic_credentials(a, bad[i], &email, &secret))
			fail_msg("\"%s\" accepted", bad[i]);
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic_ok),
		cmocka_unit_test(test_basic_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
