/* Unit tests for core/portal.c: the portal's public paths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/portal.h"
#include "lib/arena.h"

static void
test_paths(void **state)
{
	struct arena *a = arena_new(4096);

	(void)state;
	assert_non_null(a);
	assert_string_equal(core_portal_path(a, 17),
	    "/servicedesk/customer/portal/17");
	assert_string_equal(core_request_path(a, 17, "ZEK-12"),
	    "/servicedesk/customer/portal/17/ZEK-12");
	assert_string_equal(core_create_path(a, 17, 4),
	    "/servicedesk/customer/portal/17/create/4");
	assert_string_equal(core_create_path(a, INT64_MAX, 1),
	    "/servicedesk/customer/portal/9223372036854775807/create/1");
	arena_free(a);
}

static void
test_paths_out_of_memory(void **state)
{
	struct arena *a = arena_new(16);

	(void)state;
	assert_non_null(a);
	assert_null(core_request_path(a, 17, "ZEK-12"));
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_paths_out_of_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
