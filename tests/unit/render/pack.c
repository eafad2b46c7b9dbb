/* Unit tests for render/pack.c: ctx_pack gives what json_pack gives. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "render/pack.h"

static void
assert_same(json_t *mine, json_t *theirs)
{
	char *a, *b;

	assert_non_null(mine);
	assert_non_null(theirs);
	a = json_dumps(mine, JSON_SORT_KEYS);
	b = json_dumps(theirs, JSON_SORT_KEYS);
	assert_string_equal(a, b);
	free(a);
	free(b);
	json_decref(mine);
	json_decref(theirs);
}

static void
test_same_values_as_json_pack(void **state)
{
	json_t *kept = json_string("geteilt");
	const char *text = "Störung im Online-Dienst";

	(void)state;
	assert_same(ctx_pack("{s:s, s:b, s:b, s:i, s:I}", "title", text, "open", 1,
	    "closed", 0, "n", -7, "big", (json_int_t)1 << 40),
	    json_pack("{s:s, s:b, s:b, s:i, s:I}", "title", text, "open", 1,
	    "closed", 0, "n", -7, "big", (json_int_t)1 << 40));
	assert_same(ctx_pack("{s:s?, s:s?, s:s%}", "none", NULL, "some", "x",
	    "cut", "abcdef", (size_t)3),
	    json_pack("{s:s?, s:s?, s:s%}", "none", NULL, "some", "x", "cut",
	    "abcdef", (size_t)3));
	assert_same(ctx_pack("[{s:s, s:[]}, {s:{s:[i, i]}}, s]", "a", "b", "c",
	    "d", "e", 1, 2, "f"),
	    json_pack("[{s:s, s:[]}, {s:{s:[i, i]}}, s]", "a", "b", "c", "d",
	    "e", 1, 2, "f"));
	assert_same(ctx_pack("{s:o, s:o?, s:O, s:O?}", "own", json_true(),
	    "none", NULL, "shared", kept, "none2", NULL),
	    json_pack("{s:o, s:o?, s:O, s:O?}", "own", json_true(), "none", NULL,
	    "shared", kept, "none2", NULL));
	/* O added a reference each time; o took the one it was given. */
	assert_int_equal(kept->refcount, 1);
	json_decref(kept);
	/* Formats written over several lines, as the pages do. */
	assert_same(ctx_pack("{s:s,\n s:b}", "k", "v", "b", 1),
	    json_pack("{s:s,\n s:b}", "k", "v", "b", 1));
}

static void
test_failures_release_what_was_given(void **state)
{
	json_t *given = json_string("x");

	(void)state;
	assert_null(ctx_pack("{s:s}", "k", (const char *)NULL));
	assert_null(ctx_pack("{s:s}", "k", "\xc3\x28"));         /* bad UTF-8 */
	assert_null(ctx_pack("{s:s}", "k", "\xed\xa0\x80"));     /* surrogate */
	assert_null(ctx_pack("{s:s%}", "k", "a\0b", (size_t)3)); /* NUL inside */
	assert_null(ctx_pack("{s:o}", "k", (json_t *)NULL));
	assert_null(ctx_pack("{s:s}", (const char *)NULL, "v"));
	/* A failure before an "o" still takes (and releases) its reference. */
	json_incref(given);
	assert_null(ctx_pack("{s:s, s:o}", "bad", (const char *)NULL, "o", given));
	assert_int_equal(given->refcount, 1);
	json_decref(given);
	/* Unknown letters and unbalanced formats fail without reading on. */
	assert_null(ctx_pack("{s:x}", "k", 1));
	assert_null(ctx_pack("[s", "a"));
	assert_null(ctx_pack("{s:s", "k", "v"));
	assert_null(ctx_pack("{s:s}}", "k", "v"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_values_as_json_pack),
		cmocka_unit_test(test_failures_release_what_was_given),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
