/* Unit tests for render/mustache.c and render/template.c: the Mustache
 * language case by case (the official spec files run in mustache_spec.c),
 * limits, errors and template sets. */
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

/* ---- the language, rule by rule ---- */

/* One rule of the Mustache language as the project's own case: a template,
 * its data (JSON), up to three named partials and the expected output. */
struct lang_case {
	const char *rule;
	const char *tpl;
	const char *data;
	const char *partials[6];    /* name, source, name, source, ... NULL */
	const char *want;
};

struct lang_partials {
	const char *const *names;   /* every other entry of lang_case.partials */
	struct mustache *m[3];
	size_t n;
};

static const struct mustache *
lang_partial(void *ud, const char *name)
{
	const struct lang_partials *p = ud;
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->names[2 * i], name) == 0)
			return p->m[i];
	return NULL;
}

/* Runs the cases; each failure names its rule and shows both outputs. */
static void
run_lang_cases(const struct lang_case *cases, size_t n)
{
	struct lang_partials ps;
	struct mustache *t;
	struct buf out;
	json_t *ctx;
	size_t i, k;
	int failures = 0, rc;

	for (i = 0; i < n; i++) {
		const struct lang_case *c = &cases[i];

		memset(&ps, 0, sizeof(ps));
		ps.names = c->partials;
		for (k = 0; c->partials[2 * k] != NULL; k++) {
			ps.m[k] = mustache_compile(c->partials[2 * k + 1],
			    strlen(c->partials[2 * k + 1]), NULL, 0);
			assert_non_null(ps.m[k]);
			ps.n++;
		}
		t = mustache_compile(c->tpl, strlen(c->tpl), NULL, 0);
		assert_non_null(t);
		ctx = json_loads(c->data, JSON_DECODE_ANY, NULL);
		assert_non_null(ctx);
		buf_init(&out, 1 << 16);
		rc = mustache_render(t, ctx, lang_partial, &ps, &out);
		if (rc != ZEK_OK || strcmp(out.data != NULL ? out.data : "", c->want) != 0) {
			print_error("%s: rc %s\n--- expected\n[%s]\n--- got\n[%s]\n",
			    c->rule, zek_rc_name(rc), c->want, out.data ? out.data : "");
			failures++;
		}
		buf_free(&out);
		json_decref(ctx);
		mustache_free(t);
		for (k = 0; k < ps.n; k++)
			mustache_free(ps.m[k]);
	}
	if (failures > 0)
		fail_msg("%d of %zu cases failed", failures, n);
}

#define NOP { NULL }

static void
test_comments(void **s)
{
	static const struct lang_case cases[] = {
		{ "inline comment", "Hallo{{! Anmerkung }} Welt", "{}", NOP, "Hallo Welt" },
		{ "comment over lines", "A{{!\n mehrere\n Zeilen\n}}B", "{}", NOP, "AB" },
		{ "standalone comment line vanishes", "Start\n   {{! Notiz }}\nEnde\n", "{}", NOP,
		  "Start\nEnde\n" },
		{ "standalone at the end", "Start\n  {{! Notiz }}", "{}", NOP, "Start\n" },
		{ "comment beside text keeps the line", "  x {{! c }}\n", "{}", NOP, "  x \n" },
	};

	run_lang_cases(cases, ZEK_ARRAY_LEN(cases));
}

static void
test_delimiters(void **s)
{
	static const struct lang_case cases[] = {
		{ "new delimiters", "{{=<% %>=}}(<%v%>)", "{\"v\":\"Hi\"}", NOP, "(Hi)" },
		{ "brackets", "({{=[ ]=}}[v])", "{\"v\":\"Hi\"}", NOP, "(Hi)" },
		{ "they hold inside sections", "{{=| |=}}|#s||v||/s|",
		  "{\"s\":true,\"v\":\"x\"}", NOP, "x" },
		{ "a partial starts with the default ones", "{{=| |=}}|>p|", "{\"v\":\"x\"}",
		  { "p", "[{{v}}]", NULL }, "[x]" },
		{ "standalone change vanishes", "A\n  {{=@ @=}}\nB@v@\n", "{\"v\":\"x\"}", NOP,
		  "A\nBx\n" },
		{ "and back again", "{{=<% %>=}}<%v%><%={{ }}=%>{{v}}", "{\"v\":\"x\"}", NOP, "xx" },
	};

	run_lang_cases(cases, ZEK_ARRAY_LEN(cases));
}

static void
test_interpolation(void **s)
{
	static const struct lang_case cases[] = {
		{ "escaped", "{{v}}", "{\"v\":\"<b>&\\\"\"}", NOP, "&lt;b&gt;&amp;&quot;" },
		{ "triple and ampersand do not escape", "{{{v}}}{{&v}}", "{\"v\":\"<b>\"}", NOP,
		  "<b><b>" },
		{ "missing is empty", "[{{nope}}{{{nope}}}]", "{}", NOP, "[]" },
		{ "dotted name", "{{a.b.c}}", "{\"a\":{\"b\":{\"c\":\"tief\"}}}", NOP, "tief" },
		{ "dotted name, broken chain", "[{{a.x.c}}]", "{\"a\":{\"b\":1}}", NOP, "[]" },
		{ "only the first part searches the stack", "{{#a}}[{{b.c}}]{{/a}}",
		  "{\"a\":{\"b\":{}},\"b\":{\"c\":\"falsch\"}}", NOP, "[]" },
		{ "the implicit iterator", "{{.}}", "\"Wert\"", NOP, "Wert" },
		{ "spaces inside the tag", "|{{ v }}|{{{ v }}}|{{& v }}|", "{\"v\":\"<\"}", NOP,
		  "|&lt;|<|<|" },
		{ "a lone value keeps its line", "  {{v}}\n", "{\"v\":\"x\"}", NOP, "  x\n" },
	};

	run_lang_cases(cases, ZEK_ARRAY_LEN(cases));
}

static void
test_sections(void **s)
{
	static const struct lang_case cases[] = {
		{ "true and false", "{{#t}}ja{{/t}}{{#f}}nein{{/f}}", "{\"t\":true,\"f\":false}",
		  NOP, "ja" },
		{ "missing is false", "[{{#m}}x{{/m}}]", "{}", NOP, "[]" },
		{ "an object is the new context", "{{#o}}{{n}} {{top}}{{/o}}",
		  "{\"o\":{\"n\":\"innen\"},\"top\":\"oben\"}", NOP, "innen oben" },
		{ "a list repeats", "{{#l}}({{n}}){{/l}}", "{\"l\":[{\"n\":1},{\"n\":2}]}", NOP,
		  "(1)(2)" },
		{ "an empty list is false", "[{{#l}}x{{/l}}]", "{\"l\":[]}", NOP, "[]" },
		{ "lists of lists", "{{#l}}{{#.}}{{.}}{{/.}};{{/l}}", "{\"l\":[[1,2],[3]]}", NOP,
		  "12;3;" },
		{ "dotted section name", "{{#a.b}}{{c}}{{/a.b}}",
		  "{\"a\":{\"b\":{\"c\":\"ok\"}}}", NOP, "ok" },
		{ "names are searched down the stack", "{{#a}}{{#b}}{{c}}{{/b}}{{/a}}",
		  "{\"a\":{\"c\":\"A\"},\"b\":{\"x\":1}}", NOP, "A" },
		{ "a string is true and the context", "{{#s}}[{{.}}]{{/s}}", "{\"s\":\"txt\"}", NOP,
		  "[txt]" },
		{ "standalone tags vanish", "Liste:\n{{#l}}\n- {{.}}\n{{/l}}\nEnde\n",
		  "{\"l\":[\"a\",\"b\"]}", NOP, "Liste:\n- a\n- b\nEnde\n" },
		{ "indented standalone tags vanish", "X\n   {{#t}}\nY\n   {{/t}}\nZ\n",
		  "{\"t\":true}", NOP, "X\nY\nZ\n" },
		{ "standalone with CRLF", "|\r\n{{#t}}\r\n{{/t}}\r\n|", "{\"t\":true}", NOP,
		  "|\r\n|" },
	};

	run_lang_cases(cases, ZEK_ARRAY_LEN(cases));
}

static void
test_inverted(void **s)
{
	static const struct lang_case cases[] = {
		{ "false", "{{^f}}leer{{/f}}", "{\"f\":false}", NOP, "leer" },
		{ "true", "{{^t}}x{{/t}}|", "{\"t\":true}", NOP, "|" },
		{ "an empty list", "{{^l}}keine{{/l}}", "{\"l\":[]}", NOP, "keine" },
		{ "a list", "{{^l}}keine{{/l}}|", "{\"l\":[1]}", NOP, "|" },
		{ "missing", "{{^m}}fehlt{{/m}}", "{}", NOP, "fehlt" },
		{ "dotted", "{{^a.b}}nein{{/a.b}}", "{\"a\":{\"b\":false}}", NOP, "nein" },
		{ "standalone tags vanish", "A\n  {{^f}}\nB\n  {{/f}}\nC\n", "{\"f\":false}", NOP,
		  "A\nB\nC\n" },
	};

	run_lang_cases(cases, ZEK_ARRAY_LEN(cases));
}

static void
test_partials(void **s)
{
	static const struct lang_case cases[] = {
		{ "a partial", "[{{>p}}]", "{\"v\":\"x\"}", { "p", "{{v}}", NULL }, "[x]" },
		{ "a missing one is empty", "[{{>nope}}]", "{}", NOP, "[]" },
		{ "it sees the current context", "{{#o}}{{>p}}{{/o}}", "{\"o\":{\"n\":\"in\"}}",
		  { "p", "{{n}}", NULL }, "in" },
		{ "recursion ends with the data", "{{>node}}",
		  "{\"n\":\"a\",\"kids\":[{\"n\":\"b\",\"kids\":[]}]}",
		  { "node", "{{n}}{{#kids}}({{>node}}){{/kids}}", NULL }, "a(b)" },
		{ "standalone: every line indented", "A\n  {{>p}}\nB\n", "{}",
		  { "p", "x\ny\n", NULL }, "A\n  x\n  y\nB\n" },
		{ "inline: not indented", "  [{{>p}}]\n", "{}", { "p", "x\ny", NULL },
		  "  [x\ny]\n" },
		{ "values inside are not indented", "  {{>p}}\n", "{\"v\":\"1\\n2\"}",
		  { "p", "<{{v}}\n>\n", NULL }, "  <1\n2\n  >\n" },
		{ "spaces inside the tag", "[{{> p }}]", "{}", { "p", "x", NULL }, "[x]" },
	};

	run_lang_cases(cases, ZEK_ARRAY_LEN(cases));
}

static void
test_inheritance(void **s)
{
	static const struct lang_case cases[] = {
		{ "the parent's default", "{{<base}}{{/base}}", "{}",
		  { "base", "[{{$b}}standard{{/b}}]", NULL }, "[standard]" },
		{ "a block overridden", "{{<base}}{{$b}}eigen{{/b}}{{/base}}", "{}",
		  { "base", "[{{$b}}standard{{/b}}]", NULL }, "[eigen]" },
		{ "a block outside a parent", "{{$b}}nur{{/b}}", "{}", NOP, "nur" },
		{ "text beside the blocks is dropped", "{{<base}}weg{{$b}}ja{{/b}}{{/base}}", "{}",
		  { "base", "[{{$b}}standard{{/b}}]", NULL }, "[ja]" },
		{ "three generations", "{{<mid}}{{$b}}unten{{/b}}{{/mid}}", "{}",
		  { "mid", "{{<base}}{{$b}}mitte{{/b}}{{/base}}", "base", "[{{$b}}oben{{/b}}]",
		    NULL }, "[unten]" },
		{ "an override sees the data", "{{<base}}{{$b}}{{v}}{{/b}}{{/base}}",
		  "{\"v\":\"x\"}", { "base", "[{{$b}}standard{{/b}}]", NULL }, "[x]" },
		{ "one block of two", "{{<base}}{{$b}}b{{/b}}{{/base}}", "{}",
		  { "base", "{{$a}}A{{/a}}-{{$b}}B{{/b}}", NULL }, "A-b" },
		{ "standalone tags vanish",
		  "{{<base}}\n{{$b}}\nneu\n{{/b}}\n{{/base}}\n", "{}",
		  { "base", "<\n{{$b}}\nalt\n{{/b}}\n>\n", NULL }, "<\nneu\n>\n" },
	};

	run_lang_cases(cases, ZEK_ARRAY_LEN(cases));
}

/* ---- engine behaviour beyond the language ---- */

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
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_delimiters),
		cmocka_unit_test(test_interpolation),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_inverted),
		cmocka_unit_test(test_partials),
		cmocka_unit_test(test_inheritance),
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
