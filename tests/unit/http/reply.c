/* Unit tests for http/reply.c: the one table from zek_rc to HTTP. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "http/http.h"
#include "lib/zek.h"

static void
test_status_of(void **state)
{
	(void)state;
	assert_int_equal(http_status_of(ZEK_OK), 200);
	assert_int_equal(http_status_of(ZEK_NOTFOUND), 404);
	assert_int_equal(http_status_of(ZEK_FORBIDDEN), 403);
	assert_int_equal(http_status_of(ZEK_INVALID), 400);
	assert_int_equal(http_status_of(ZEK_CONFLICT), 409);
	assert_int_equal(http_status_of(ZEK_TOOBIG), 413);
	assert_int_equal(http_status_of(ZEK_NOMEM), 503);
	assert_int_equal(http_status_of(ZEK_IO), 500);
	/* Anything else is ours. */
	assert_int_equal(http_status_of(-1), 500);
	assert_int_equal(http_status_of(ZEK_RC_MAX), 500);
}

static void
test_api_error_key(void **state)
{
	(void)state;
	assert_string_equal(http_api_error_key(ZEK_NOTFOUND),
	    "api_err_not_found");
	assert_string_equal(http_api_error_key(ZEK_FORBIDDEN),
	    "api_err_forbidden");
	assert_string_equal(http_api_error_key(ZEK_INVALID),
	    "api_err_bad_request");
	assert_string_equal(http_api_error_key(ZEK_CONFLICT),
	    "api_err_conflict");
	assert_string_equal(http_api_error_key(ZEK_TOOBIG),
	    "api_err_body_too_big");
	assert_string_equal(http_api_error_key(ZEK_NOMEM),
	    "api_err_unavailable");
	assert_string_equal(http_api_error_key(ZEK_IO), "api_err_internal");
	/* ZEK_OK is no failure: a handler failing with it is a bug. */
	assert_string_equal(http_api_error_key(ZEK_OK), "api_err_internal");
	assert_string_equal(http_api_error_key(ZEK_RC_MAX),
	    "api_err_internal");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_of),
		cmocka_unit_test(test_api_error_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
