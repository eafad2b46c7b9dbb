/* The official Mustache spec files (comments, delimiters, interpolation,
 * inverted, partials, sections, ~inheritance) against render/mustache.c.
 * They are third-party data and not part of this repository: the test reads
 * them from $ZEK_MUSTACHE_SPEC, else from mustache-spec/ in a "shared"
 * folder beside the source tree, and is reported as skipped (exit 77) when
 * neither holds them. tests/unit/render/mustache.c covers the same rules
 * with the project's own cases, so a checkout without them loses no rule. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "lib/buf.h"
#include "lib/zek.h"
#include "render/mustache.h"

#define SKIP 77             /* meson: the test was skipped */

static char spec_dir[4096];

#define SPEC_MAX_PARTIALS 16

/* ---- the spec runner ---- */

struct spec_partials {
	size_t n;
	const char *name[SPEC_MAX_PARTIALS];
	struct mustache *m[SPEC_MAX_PARTIALS];
};

static const struct mustache *
spec_partial(void *ud, const char *name)
{
	struct spec_partials *p = ud;
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->name[i], name) == 0)
			return p->m[i];
	return NULL;
}

/* Runs one spec case; returns 0 when the output matches. */
static int
spec_case(const char *file, json_t *tc)
{
	const char *name = json_string_value(json_object_get(tc, "name"));
	const char *tpl = json_string_value(json_object_get(tc, "template"));
	const char *want = json_string_value(json_object_get(tc, "expected"));
	json_t *partials = json_object_get(tc, "partials"), *pv;
	struct spec_partials ps = { 0 };
	struct mustache *t;
	const char *key;
	char err[256];
	struct buf out;
	size_t i;
	int rc, failed = 1;

	assert_non_null(name);
	assert_non_null(tpl);
	assert_non_null(want);
	buf_init(&out, 1 << 20);
	t = mustache_compile(tpl, strlen(tpl), err, sizeof(err));
	if (t == NULL) {
		print_error("%s: \"%s\": compile error: %s\n", file, name, err);
		goto out;
	}
	json_object_foreach(partials, key, pv) {
		assert_true(ps.n < SPEC_MAX_PARTIALS);
		ps.name[ps.n] = key;
		ps.m[ps.n] = mustache_compile(json_string_value(pv),
		    json_string_length(pv), err, sizeof(err));
		if (ps.m[ps.n] == NULL) {
			print_error("%s: \"%s\": partial %s: %s\n", file, name,
			    key, err);
			goto out;
		}
		ps.n++;
	}
	rc = mustache_render(t, json_object_get(tc, "data"), spec_partial, &ps,
	    &out);
	if (rc != ZEK_OK) {
		print_error("%s: \"%s\": render returned %s\n", file, name,
		    zek_rc_name(rc));
		goto out;
	}
	if (strcmp(out.data != NULL ? out.data : "", want) != 0) {
		print_error("%s: \"%s\": mismatch\n--- expected\n[%s]\n--- got\n"
		    "[%s]\n", file, name, want, out.data ? out.data : "");
		goto out;
	}
	failed = 0;
out:
	for (i = 0; i < ps.n; i++)
		mustache_free(ps.m[i]);
	mustache_free(t);
	buf_free(&out);
	return failed;
}

static void
spec_file(const char *file)
{
	char path[8192];
	json_error_t jerr;
	json_t *doc, *tests, *tc;
	size_t i, n;
	int failures = 0;

	snprintf(path, sizeof(path), "%s/%s", spec_dir, file);
	doc = json_load_file(path, 0, &jerr);
	if (doc == NULL)
		fail_msg("%s: %s", path, jerr.text);
	tests = json_object_get(doc, "tests");
	assert_true(json_array_size(tests) > 0);
	json_array_foreach(tests, i, tc)
		failures += spec_case(file, tc);
	n = json_array_size(tests);
	json_decref(doc);
	if (failures > 0)
		fail_msg("%s: %d of %zu cases failed", file, failures, n);
}

static void test_spec_comments(void **s) { spec_file("comments.json"); }
static void test_spec_delimiters(void **s) { spec_file("delimiters.json"); }
static void test_spec_interpolation(void **s) { spec_file("interpolation.json"); }
static void test_spec_inverted(void **s) { spec_file("inverted.json"); }
static void test_spec_partials(void **s) { spec_file("partials.json"); }
static void test_spec_sections(void **s) { spec_file("sections.json"); }
static void test_spec_inheritance(void **s) { spec_file("~inheritance.json"); }

/* Finds the spec folder; 0 when it holds the spec files. */
static int
find_spec_dir(void)
{
	const char *dir = getenv("ZEK_MUSTACHE_SPEC");
	const char *root = getenv("ZEK_SOURCE_ROOT");
	char probe[4200];

	if (dir != NULL && dir[0] != '\0')
		snprintf(spec_dir, sizeof(spec_dir), "%s", dir);
	else
		snprintf(spec_dir, sizeof(spec_dir), "%s/../shared/testdata/mustache-spec",
		    root != NULL && root[0] != '\0' ? root : ZEK_SOURCE_ROOT);
	snprintf(probe, sizeof(probe), "%s/sections.json", spec_dir);
	return access(probe, R_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spec_comments),
		cmocka_unit_test(test_spec_delimiters),
		cmocka_unit_test(test_spec_interpolation),
		cmocka_unit_test(test_spec_inverted),
		cmocka_unit_test(test_spec_partials),
		cmocka_unit_test(test_spec_sections),
		cmocka_unit_test(test_spec_inheritance),
	};

	if (find_spec_dir() != 0) {
		printf("SKIP: no Mustache spec files in %s (set ZEK_MUSTACHE_SPEC to "
		    "a folder with them); tests/unit/render/mustache.c covers the "
		    "same rules with the project's own cases\n", spec_dir);
		return SKIP;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
