/* Unit tests for render/mustache.c (the official spec files) and render/template.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "lib/buf.h"
#include "lib/zek.h"
#include "render/mustache.h"
#include "render/template.h"

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

static const char *
source_root(void)
{
	const char *root = getenv("ZEK_SOURCE_ROOT");

	return root != NULL && root[0] != '\0' ? root : ZEK_SOURCE_ROOT;
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
	char path[4096];
	json_error_t jerr;
	json_t *doc, *tests, *tc;
	size_t i, n;
	int failures = 0;

	snprintf(path, sizeof(path), "%s/../shared/testdata/mustache-spec/%s",
	    source_root(), file);
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

/* ---- helpers ---- */

/* Renders src with JSON data; returns the output (caller frees) and rc. */
static char *
render_str(const char *src, const char *data, int *rc)
{
	struct mustache *t;
	json_t *ctx;
	struct buf out;
	char err[256];

	t = mustache_compile(src, strlen(src), err, sizeof(err));
	if (t == NULL)
		fail_msg("compile \"%s\": %s", src, err);
	ctx = json_loads(data, JSON_DECODE_ANY, NULL);
	assert_non_null(ctx);
	buf_init(&out, 1 << 16);
	*rc = mustache_render(t, ctx, NULL, NULL, &out);
	json_decref(ctx);
	mustache_free(t);
	return buf_steal(&out, NULL);
}

static void
assert_render(const char *src, const char *data, const char *want)
{
	int rc;
	char *got = render_str(src, data, &rc);

	assert_int_equal(rc, ZEK_OK);
	assert_string_equal(got, want);
	free(got);
}

static void
assert_compile_error(const char *src, const char *msg_part)
{
	char err[256];
	struct mustache *t = mustache_compile(src, strlen(src), err, sizeof(err));

	if (t != NULL) {
		mustache_free(t);
		fail_msg("\"%s\" compiled but should not", src);
	}
	if (strstr(err, msg_part) == NULL)
		fail_msg("\"%s\": error \"%s\" lacks \"%s\"", src, err, msg_part);
}

/* ---- engine behaviour beyond the spec ---- */

static void
test_escaping(void **s)
{
	assert_render("{{x}}", "{\"x\":\"<a href='u'>&\\\"</a>\"}",
	    "&lt;a href=&#39;u&#39;&gt;&amp;&quot;&lt;/a&gt;");
	assert_render("{{{x}}}|{{&x}}", "{\"x\":\"<b>\"}", "<b>|<b>");
	/* data is never parsed as template */
	assert_render("{{x}}", "{\"x\":\"{{y}}\",\"y\":\"no\"}", "{{y}}");
}

static void
test_values(void **s)
{
	assert_render("{{a}} {{b}} {{c}} {{d}} {{e}} {{f}}",
	    "{\"a\":-3,\"b\":1.5,\"c\":0.1,\"d\":100.0,\"e\":true,\"f\":false}",
	    "-3 1.5 0.1 100 true false");
	assert_render("{{a}} {{b}} {{c}} {{d}} {{e}}",
	    "{\"a\":1.21,\"b\":0.00012,\"c\":1e20,\"d\":-2.5e-7,\"e\":123456.789}",
	    "1.21 0.00012 1e+20 -2.5e-07 123456.789");
	assert_render("{{a}}|{{b}}|{{c}}", "{\"a\":null,\"b\":[1],\"c\":{}}",
	    "||");
	/* "" is falsey, 0 is truthy */
	assert_render("{{#s}}S{{/s}}{{^s}}no-s{{/s}} {{#z}}Z{{/z}}",
	    "{\"s\":\"\",\"z\":0}", "no-s Z");
	assert_render("{{#o}}{{x}}{{/o}}", "{\"o\":{\"x\":\"in\"},\"x\":\"out\"}",
	    "in");
	assert_render("{{#a}}{{.}},{{/a}}", "{\"a\":[\"x\",2,3.25]}", "x,2,3.25,");
}

static void
test_parse_errors(void **s)
{
	assert_compile_error("ab {{x", "1:4: unclosed tag");
	assert_compile_error("a\n  {{#x}}", "2:3: section is not closed");
	assert_compile_error("{{#a}}{{/b}}", "1:7: closing tag does not match");
	assert_compile_error("{{/a}}", "closing tag without opening");
	assert_compile_error("{{a b}}", "bad tag name");
	assert_compile_error("{{}}", "bad tag name");
	assert_compile_error("{{a..b}}", "empty part");
	assert_compile_error("{{=x=}}", "two delimiters");
	assert_compile_error("{{<p}}{{$b}}{{/p}}", "does not match");
	assert_compile_error("{{{x}}", "unclosed tag");
}

static void
test_nesting_limit(void **s)
{
	char src[16 * (MUSTACHE_MAX_NESTING + 2)];
	size_t n = 0;
	int i;

	for (i = 0; i <= MUSTACHE_MAX_NESTING; i++)
		n += (size_t)snprintf(src + n, sizeof(src) - n, "{{#a}}");
	assert_compile_error(src, "nested too deeply");
}

static const struct mustache *
self_partial(void *ud, const char *name)
{
	return ud;
}

static void
test_recursion_limit(void **s)
{
	const char *srcs[] = { "x{{>self}}", "{{<self}}{{/self}}",
	    "{{#a}}{{>self}}{{/a}}" };
	struct mustache *t;
	struct buf out;
	json_t *ctx = json_pack("{s:{s:i}}", "a", "a", 1);
	size_t i;

	for (i = 0; i < ZEK_ARRAY_LEN(srcs); i++) {
		t = mustache_compile(srcs[i], strlen(srcs[i]), NULL, 0);
		assert_non_null(t);
		buf_init(&out, 1 << 20);
		assert_int_equal(mustache_render(t, ctx, self_partial, t, &out),
		    ZEK_TOOBIG);
		buf_free(&out);
		mustache_free(t);
	}
	json_decref(ctx);
}

static void
test_output_limit(void **s)
{
	const char *src = "{{#l}}{{x}}{{/l}}";
	struct mustache *t = mustache_compile(src, strlen(src), NULL, 0);
	json_t *ctx = json_pack("{s:[i,i,i,i],s:s}", "l", 1, 2, 3, 4, "x", "<>");
	struct buf out;

	assert_non_null(t);
	buf_init(&out, 32);
	assert_int_equal(mustache_render(t, ctx, NULL, NULL, &out), ZEK_OK);
	assert_string_equal(out.data, "&lt;&gt;&lt;&gt;&lt;&gt;&lt;&gt;");
	buf_free(&out);
	buf_init(&out, 20);
	assert_int_equal(mustache_render(t, ctx, NULL, NULL, &out), ZEK_TOOBIG);
	assert_true(out.len <= 20);
	buf_free(&out);
	json_decref(ctx);
	mustache_free(t);
}

/* Sections nested over a list cost the product of its lengths even when
 * they write nothing: the step limit ends them (found by
 * tests/fuzz/fuzz_mustache.c as a timeout), while a big list still
 * renders. */
static void
test_step_limit(void **s)
{
	char src[32 * 24];
	size_t n = 0;
	int i, rc;
	struct mustache *t;
	struct buf out;
	json_t *ctx = json_pack("{s:[i,i,i,i]}", "l", 1, 2, 3, 4);
	json_t *big = json_array();
	char *got;

	for (i = 0; i < 20; i++)
		n += (size_t)snprintf(src + n, sizeof(src) - n, "{{#l}}");
	for (i = 0; i < 20; i++)
		n += (size_t)snprintf(src + n, sizeof(src) - n, "{{/l}}");
	t = mustache_compile(src, n, NULL, 0);
	assert_non_null(t);
	buf_init(&out, 1 << 16);
	assert_int_equal(mustache_render(t, ctx, NULL, NULL, &out), ZEK_TOOBIG);
	assert_int_equal(out.len, 0);
	buf_free(&out);
	mustache_free(t);
	json_decref(ctx);

	/* 20000 rows of a few nodes each stay well inside the limit */
	for (i = 0; i < 20000; i++)
		json_array_append_new(big, json_integer(i));
	ctx = json_pack("{s:o}", "l", big);
	t = mustache_compile("{{#l}}<td>{{.}}</td>{{/l}}", 26, NULL, 0);
	assert_non_null(t);
	buf_init(&out, 1 << 20);
	rc = mustache_render(t, ctx, NULL, NULL, &out);
	assert_int_equal(rc, ZEK_OK);
	got = buf_steal(&out, NULL);
	assert_true(strstr(got, "<td>19999</td>") != NULL);
	free(got);
	mustache_free(t);
	json_decref(ctx);
}

/* Partials listed for the loader's check, in source order. */
static void
test_partial_names(void **s)
{
	const char *src = "{{>a}}{{#x}}{{<dir/b}}{{$k}}{{>c}}{{/k}}{{/dir/b}}{{/x}}";
	struct mustache *t = mustache_compile(src, strlen(src), NULL, 0);

	assert_non_null(t);
	assert_int_equal(mustache_partial_count(t), 3);
	assert_string_equal(mustache_partial_name(t, 0), "a");
	assert_string_equal(mustache_partial_name(t, 1), "dir/b");
	assert_string_equal(mustache_partial_name(t, 2), "c");
	assert_null(mustache_partial_name(t, 3));
	mustache_free(t);
}

/* ---- template sets ---- */

static void
write_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static void
remove_file(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_int_equal(remove(path), 0);
}

static void
test_templates(void **s)
{
	char dir[] = "/tmp/zek-tpl-XXXXXX", sub[64], err[256];
	struct templates *ts;
	struct buf out;
	json_t *ctx;

	assert_non_null(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/portal", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	write_file(dir, "layout.mustache",
	    "<html>\n"
	    "<title>{{$title}}Zek{{/title}}</title>\n"
	    "<body>\n"
	    "  {{$content}}\n"
	    "  <p>empty</p>\n"
	    "  {{/content}}\n"
	    "</body>\n"
	    "</html>\n");
	write_file(dir, "footer.mustache", "<footer>{{year}}</footer>\n");
	write_file(sub, "page.mustache",
	    "{{<layout}}\n"
	    "{{$title}}Portal {{name}}{{/title}}\n"
	    "{{$content}}\n"
	    "<h1>{{name}}</h1>\n"
	    "{{>footer}}\n"
	    "{{/content}}\n"
	    "{{/layout}}\n");
	write_file(dir, "notes.txt", "not a template {{");
	write_file(dir, ".hidden.mustache", "{{broken");

	ts = templates_load(dir, err, sizeof(err));
	if (ts == NULL)
		fail_msg("load: %s", err);
	assert_non_null(templates_get(ts, "portal/page"));
	assert_null(templates_get(ts, "notes"));
	assert_null(templates_get(ts, ".hidden"));
	ctx = json_pack("{s:s,s:i}", "name", "A&B", "year", 2024);
	buf_init(&out, 4096);
	assert_int_equal(templates_render(ts, "portal/page", ctx, &out), ZEK_OK);
	assert_string_equal(out.data,
	    "<html>\n"
	    "<title>Portal A&amp;B</title>\n"
	    "<body>\n"
	    "  <h1>A&amp;B</h1>\n"
	    "  <footer>2024</footer>\n"
	    "</body>\n"
	    "</html>\n");
	buf_reset(&out);
	assert_int_equal(templates_render(ts, "layout", ctx, &out), ZEK_OK);
	assert_non_null(strstr(out.data, "<title>Zek</title>\n<body>\n  <p>empty</p>\n</body>"));
	buf_reset(&out);
	assert_int_equal(templates_render(ts, "nope", ctx, &out), ZEK_NOTFOUND);
	buf_free(&out);
	json_decref(ctx);
	templates_free(ts);

	/* a reference to a missing template fails the load, naming both */
	write_file(dir, "bad.mustache", "{{>missing}}");
	assert_null(templates_load(dir, err, sizeof(err)));
	assert_non_null(strstr(err, "bad.mustache"));
	assert_non_null(strstr(err, "'missing'"));
	/* a syntax error names the file, line and column */
	write_file(dir, "bad.mustache", "ok\n {{#x}}");
	assert_null(templates_load(dir, err, sizeof(err)));
	assert_string_equal(err, "bad.mustache:2:2: section is not closed");
	remove_file(dir, "bad.mustache");

	assert_null(templates_load("/nonexistent/zek", err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/zek"));

	remove_file(sub, "page.mustache");
	assert_int_equal(rmdir(sub), 0);
	remove_file(dir, "layout.mustache");
	remove_file(dir, "footer.mustache");
	remove_file(dir, "notes.txt");
	remove_file(dir, ".hidden.mustache");
	assert_int_equal(rmdir(dir), 0);
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
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_nesting_limit),
		cmocka_unit_test(test_recursion_limit),
		cmocka_unit_test(test_output_limit),
		cmocka_unit_test(test_step_limit),
		cmocka_unit_test(test_partial_names),
		cmocka_unit_test(test_templates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
