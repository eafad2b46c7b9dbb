/* Unit tests for http/router.c: the route table's placeholders and their
 * names, which handlers read with req_param_str and req_param_i64. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "http/http.h"
#include "http/router.h"

#define NAME_MAX_LEN 16

/* The placeholder names of pattern in order; fails the test for one that
 * is not a whole segment or has no name. Returns how many. */
static size_t
placeholders(const char *pattern, char names[][NAME_MAX_LEN], size_t max)
{
	const char *p = pattern, *end;
	size_t n = 0, len;

	while ((p = strchr(p, '{')) != NULL) {
		end = strchr(p, '}');
		if (end == NULL || p[-1] != '/' || (end[1] != '/' &&
		    end[1] != '\0'))
			fail_msg("%s: a placeholder must be a whole segment",
			    pattern);
		len = (size_t)(end - p - 1);
		if (len == 0 || len >= NAME_MAX_LEN ||
		    strspn(p + 1, "abcdefghijklmnopqrstuvwxyz*") != len)
			fail_msg("%s: a placeholder needs a short lower-case "
			    "name", pattern);
		if (n == max)
			fail_msg("%s: more than %zu placeholders", pattern,
			    max);
		memcpy(names[n], p + 1, len);
		names[n++][len] = '\0';
		p = end + 1;
	}
	return n;
}

/* Each name once per route, so that a name says which segment it is, and
 * never more than the request keeps (REQ_MAX_PARAMS). "{*}" comes last. */
static void
test_every_route_names_each_placeholder_once(void **state)
{
	char names[REQ_MAX_PARAMS][NAME_MAX_LEN];
	const struct route *r;
	size_t i, n, at, checked = 0;

	(void)state;
	for (r = routes; r->pattern != NULL; r++) {
		n = placeholders(r->pattern, names, REQ_MAX_PARAMS);
		for (i = 0; i < n; i++) {
			assert_true(router_param_index(r->pattern, names[i],
			    &at));
			if (at != i)
				fail_msg("%s: {%s} twice", r->pattern,
				    names[i]);
			if (strcmp(names[i], "*") == 0 && i + 1 != n)
				fail_msg("%s: {*} must be last", r->pattern);
			checked++;
		}
	}
	assert_true(checked > 100);
}

/* The index a name gives is where router_match put its value. */
static void
test_names_find_the_matched_values(void **state)
{
	char scratch[256];
	const char *params[REQ_MAX_PARAMS] = { 0 };
	const struct route *r;
	bool wrong;
	size_t i;

	(void)state;
	r = router_match("GET", "/servicedesk/customer/portal/17/ZEK-5",
	    params, REQ_MAX_PARAMS, scratch, sizeof(scratch), &wrong);
	assert_non_null(r);
	assert_string_equal(r->pattern,
	    "/servicedesk/customer/portal/{pid}/{key}");
	assert_true(router_param_index(r->pattern, "pid", &i));
	assert_string_equal(params[i], "17");
	assert_true(router_param_index(r->pattern, "key", &i));
	assert_string_equal(params[i], "ZEK-5");
	r = router_match("GET",
	    "/rest/servicedeskapi/request/ZEK-5/comment/9/attachment", params,
	    REQ_MAX_PARAMS, scratch, sizeof(scratch), &wrong);
	assert_non_null(r);
	assert_true(router_param_index(r->pattern, "id", &i));
	assert_string_equal(params[i], "9");
	r = router_match("GET", "/static/abc/css/zek.css", params,
	    REQ_MAX_PARAMS, scratch, sizeof(scratch), &wrong);
	assert_non_null(r);
	assert_true(router_param_index(r->pattern, "*", &i));
	assert_string_equal(params[i], "css/zek.css");
}

/* Names are whole: no prefix, no other route's name, nothing on a route
 * without placeholders. */
static void
test_unknown_names(void **state)
{
	size_t i = 99;

	(void)state;
	assert_false(router_param_index("/a/{pid}/{key}", "p", &i));
	assert_false(router_param_index("/a/{pid}/{key}", "pidx", &i));
	assert_false(router_param_index("/a/{pid}/{key}", "id", &i));
	assert_false(router_param_index("/a/{pid}/{key}", "", &i));
	assert_false(router_param_index("/servicedesk/agent", "key", &i));
	assert_int_equal(i, 99);
	assert_true(router_param_index("/a/{pid}/{key}", "key", &i));
	assert_int_equal(i, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_route_names_each_placeholder_once),
		cmocka_unit_test(test_names_find_the_matched_values),
		cmocka_unit_test(test_unknown_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
