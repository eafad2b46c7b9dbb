/* Unit tests for render/markdown.c: GFM output, safety, limits, threads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/zek.h"
#include "render/markdown.h"

/* Renders s; the caller frees the result. */
static char *
render(const char *s)
{
	struct buf b;
	char *html;

	buf_init(&b, 4 * 1024 * 1024);
	assert_int_equal(markdown_to_html(s, strlen(s), &b), ZEK_OK);
	html = buf_steal(&b, NULL);
	return html != NULL ? html : strdup("");
}

static void
assert_contains(const char *hay, const char *needle)
{
	if (hay == NULL || strstr(hay, needle) == NULL)
		fail_msg("expected %s in: %s", needle, hay != NULL ? hay : "(null)");
}

static void
assert_lacks(const char *hay, const char *needle)
{
	if (hay == NULL || strcasestr(hay, needle) != NULL)
		fail_msg("unexpected %s in: %s", needle, hay != NULL ? hay : "(null)");
}

static bool
in_list(const char *s, size_t n, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strlen(*list) == n && strncmp(s, *list, n) == 0)
			return true;
	return false;
}

/* The output may only hold known tags with known, quoted attributes, and
 * no URL attribute may start with a dangerous scheme. */
static void
assert_safe_html(const char *h)
{
	static const char *const tags[] = {
		"p", "a", "img", "strong", "em", "del", "code", "pre", "table",
		"thead", "tbody", "tr", "th", "td", "ul", "ol", "li", "input", "br",
		"hr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", NULL,
	};
	static const char *const attrs[] = {
		"href", "src", "alt", "title", "type", "checked", "disabled",
		"align", "start", "class", NULL,
	};
	const char *p = h, *name, *val;
	size_t n;

	while ((p = strchr(p, '<')) != NULL) {
		p++;
		if (*p == '/')
			p++;
		for (name = p; (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'); p++)
			;
		if (!in_list(name, (size_t)(p - name), tags))
			fail_msg("tag <%.20s in: %s", name, h);
		for (;;) {
			while (*p == ' ')
				p++;
			if (*p == '>' || (p[0] == '/' && p[1] == '>'))
				break;
			for (name = p; (*p >= 'a' && *p <= 'z') || *p == '-'; p++)
				;
			n = (size_t)(p - name);
			if (n == 0 || !in_list(name, n, attrs) || *p != '=' || p[1] != '"')
				fail_msg("attribute %.20s in: %s", name, h);
			val = p + 2;
			if ((p = strchr(val, '"')) == NULL)
				fail_msg("unterminated attribute in: %s", h);
			if ((strncmp(name, "href", 4) == 0 || strncmp(name, "src", 3) == 0) &&
			    (strncasecmp(val, "javascript:", 11) == 0 ||
			    strncasecmp(val, "vbscript:", 9) == 0 ||
			    strncasecmp(val, "file:", 5) == 0 ||
			    strncasecmp(val, "data:text", 9) == 0))
				fail_msg("unsafe URL in: %s", h);
			p++;
		}
	}
}

static void
test_gfm(void **state)
{
	char *h;

	h = render("# Titel\n\n**fett** _kursiv_ ~~weg~~ `code`\nzweite Zeile\n");
	assert_string_equal(h, "<h1>Titel</h1>\n<p><strong>fett</strong> <em>kursiv</em> "
	    "<del>weg</del> <code>code</code><br />\nzweite Zeile</p>\n");
	free(h);
	h = render("| a | b |\n|---|:-:|\n| 1 | 2 |\n");
	assert_contains(h, "<table>");
	assert_contains(h, "<td align=\"center\">2</td>");
	assert_safe_html(h);
	free(h);
	h = render("- [x] erledigt\n- [ ] offen\n");
	assert_contains(h, "<input type=\"checkbox\" checked=\"\" disabled=\"\" /> erledigt");
	assert_contains(h, "<input type=\"checkbox\" disabled=\"\" /> offen");
	free(h);
	h = render("Siehe www.example.com und https://example.org/a_(b).\n");
	assert_contains(h, "<a href=\"http://www.example.com\">www.example.com</a>");
	assert_contains(h, "<a href=\"https://example.org/a_(b)\">https://example.org/a_(b)</a>.");
	free(h);
	h = render("```\n<b>\n```\n");
	assert_string_equal(h, "<pre><code>&lt;b&gt;\n</code></pre>\n");
	free(h);
}

static void
test_raw_html_escaped(void **state)
{
	char *h;

	h = render("<script>alert(1)</script>\n");
	assert_lacks(h, "<script");
	assert_contains(h, "&lt;script&gt;alert(1)&lt;/script&gt;");
	assert_safe_html(h);
	free(h);
	h = render("x <img src=x onerror=alert(1)> y\n");
	assert_string_equal(h, "<p>x &lt;img src=x onerror=alert(1)&gt; y</p>\n");
	free(h);
	h = render("Taste <Strg> und <!-- c --> <a href=\"javascript:x\">k</a>\n");
	assert_contains(h, "&lt;Strg&gt;");
	assert_contains(h, "&lt;!-- c --&gt;");
	assert_lacks(h, "<a ");
	assert_safe_html(h);
	free(h);
	h = render("<div onclick=\"x()\">\n*nicht fett*\n</div>\n\nnach\n");
	assert_contains(h, "<pre><code>&lt;div onclick=&quot;x()&quot;&gt;\n");
	assert_contains(h, "<p>nach</p>");
	assert_safe_html(h);
	free(h);
	h = render("| a |\n|---|\n| <svg onload=x> |\n");
	assert_contains(h, "&lt;svg onload=x&gt;");
	assert_safe_html(h);
	free(h);
}

static void
test_unsafe_links(void **state)
{
	static const char *const inputs[] = {
		"[x](javascript:alert(1))",
		"[x](JaVaScRiPt:alert(1))",
		"[x](&#106;avascript:alert(1))",
		"[x]( javascript:alert(1) )",
		"[x](vbscript:msgbox)",
		"[x](data:text/html,<script>alert(1)</script>)",
		"[x](file:///etc/passwd)",
		"![i](javascript:alert(1))",
		"<javascript:alert(1)>",
		"[x]\n\n[x]: javascript:alert(1)",
		"[x](\"onmouseover=alert(1) \"t\")",
		"[x](/u \"a\\\" onclick=\\\"b\")",
		"javascript:alert(1) www.javascript:alert(1)",
	};
	size_t i;
	char *h;

	for (i = 0; i < ZEK_ARRAY_LEN(inputs); i++) {
		h = render(inputs[i]);
		assert_safe_html(h);
		assert_lacks(h, "onmouseover=\"");
		assert_lacks(h, "onclick=\"");
		free(h);
	}
	h = render("[x](javascript:alert(1))");
	assert_string_equal(h, "<p><a href=\"\">x</a></p>\n");
	free(h);
	/* Inline images as data URLs are harmless and stay. */
	h = render("![i](data:image/png;base64,AAAA)");
	assert_contains(h, "src=\"data:image/png;base64,AAAA\"");
	free(h);
}

/* Documents rendered before come from the cache: the same HTML, also
 * after more documents than the cache holds pushed old ones out, and a
 * kept document still respects the caller's output limit. */
static void
test_cache(void **state)
{
	enum { NDOCS = 701 };
	char **html = calloc(NDOCS, sizeof(*html));
	struct buf b, doc;
	char *again;
	size_t i, k;

	assert_non_null(html);
	for (k = 0; k < 2; k++) {
		for (i = 0; i < NDOCS; i++) {
			size_t d = k == 0 ? i : (i * 7919) % NDOCS;
			int j;

			buf_init(&doc, 8192);
			buf_printf(&doc, "# Dokument %zu\n\n", d);
			for (j = 0; j < 40; j++)
				buf_printf(&doc, "Zeile %d von **Dokument %zu** mit `Code` und _Text_ "
				    "über Störungen.\n", j, d);
			assert_int_equal(doc.failed, 0);
			buf_init(&b, 1 << 20);
			assert_int_equal(markdown_to_html(doc.data, doc.len, &b), ZEK_OK);
			if (k == 0) {
				html[d] = buf_steal(&b, NULL);
				assert_non_null(strstr(html[d], "<strong>Dokument"));
			} else {
				assert_string_equal(b.data, html[d]);
				buf_free(&b);
			}
			buf_free(&doc);
		}
	}
	for (i = 0; i < NDOCS; i++)
		free(html[i]);
	free(html);

	again = render("a long paragraph of text, kept");
	buf_init(&b, 16);
	assert_int_equal(markdown_to_html("a long paragraph of text, kept", 30, &b),
	    ZEK_TOOBIG);
	buf_free(&b);
	buf_init(&b, 1024);
	buf_puts(&b, "x");
	assert_int_equal(markdown_to_html("a long paragraph of text, kept", 30, &b),
	    ZEK_OK);
	assert_int_equal(b.data[0], 'x');
	assert_string_equal(b.data + 1, again);
	buf_free(&b);
	free(again);
}

static void
test_encoding_and_limits(void **state)
{
	struct buf b;
	char *big;
	char *h;

	h = render("a\xff" "b\xc3");
	assert_string_equal(h, "<p>a\xef\xbf\xbd" "b\xef\xbf\xbd</p>\n");
	free(h);
	buf_init(&b, 1024);
	assert_int_equal(markdown_to_html("a\0b", 3, &b), ZEK_OK);
	assert_string_equal(b.data, "<p>a\xef\xbf\xbd" "b</p>\n");
	buf_free(&b);

	buf_init(&b, 16);
	assert_int_equal(markdown_to_html("", 0, &b), ZEK_OK);
	assert_int_equal(b.len, 0);
	assert_int_equal(markdown_to_html("a long paragraph of text", 24, &b), ZEK_TOOBIG);
	buf_free(&b);

	big = malloc(MARKDOWN_MAX_INPUT + 1);
	assert_non_null(big);
	memset(big, 'a', MARKDOWN_MAX_INPUT + 1);
	buf_init(&b, 4 * MARKDOWN_MAX_INPUT);
	assert_int_equal(markdown_to_html(big, MARKDOWN_MAX_INPUT + 1, &b), ZEK_TOOBIG);
	assert_int_equal(markdown_to_html(big, MARKDOWN_MAX_INPUT, &b), ZEK_OK);
	assert_int_equal(b.len, MARKDOWN_MAX_INPUT + 8);
	buf_free(&b);
	free(big);
}

/* Fills a buffer with `unit` repeated up to MARKDOWN_MAX_INPUT bytes. */
static char *
repeat(const char *prefix, const char *unit, size_t *len)
{
	size_t n = strlen(prefix), u = strlen(unit);
	char *s = malloc(MARKDOWN_MAX_INPUT + 1);

	assert_non_null(s);
	memcpy(s, prefix, n);
	while (n + u <= MARKDOWN_MAX_INPUT) {
		memcpy(s + n, unit, u);
		n += u;
	}
	s[n] = '\0';
	*len = n;
	return s;
}

/* Inputs that are slow in cmark-gfm 0.29.0.gfm.6 either lose the slow
 * extension or stay within the size bound; all must finish quickly. */
static void
test_slow_inputs(void **state)
{
	static const struct {
		const char *prefix, *unit;
	} cases[] = {
		{ "www.a", ")" },
		{ "a|b\n-|-\n", "x|" },
		{ "", "|" },
		{ "", "![[]()" },
		{ "", "a@" },
		{ "", "**x_" },
		{ "", "[a](" },
		{ "", "<!--" },
	};
	struct timespec t0, t1;
	struct buf b;
	size_t i, len;
	double secs;
	char *s, *h;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < ZEK_ARRAY_LEN(cases); i++) {
		s = repeat(cases[i].prefix, cases[i].unit, &len);
		buf_init(&b, 64 * MARKDOWN_MAX_INPUT);
		assert_int_equal(markdown_to_html(s, len, &b), ZEK_OK);
		buf_free(&b);
		free(s);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	if (secs > 30)
		fail_msg("slow inputs took %.1f s", secs);

	/* The guards: such documents render without tables or autolinks. */
	s = repeat("", "|a", &len);
	s[600] = '\0';
	h = render("|a|b|\n|-|-|\n|1|2|\n");
	assert_contains(h, "<table>");
	free(h);
	buf_init(&b, 1 << 20);
	assert_int_equal(markdown_to_html(s, 600, &b), ZEK_OK);
	assert_lacks(b.data, "<table");
	buf_free(&b);
	free(s);
	h = render("www.example.com/" ")))))))))))))))))))))))))))))))))))))))");
	assert_lacks(h, "<a ");
	free(h);
}

struct thread_arg {
	const char *input;
	const char *expect;
	int failures;
};

static void *
render_loop(void *p)
{
	struct thread_arg *ta = p;
	struct buf b;
	int i;

	for (i = 0; i < 200; i++) {
		buf_init(&b, 1 << 16);
		if (markdown_to_html(ta->input, strlen(ta->input), &b) != ZEK_OK ||
		    strcmp(b.data, ta->expect) != 0)
			ta->failures++;
		buf_free(&b);
	}
	return NULL;
}

/* Renders from several threads at once; each result must match. */
static void
test_threads(void **state)
{
	static const char input[] =
		"~~alt~~ neu, siehe https://example.org/x und www.example.com\n\n"
		"| a | b |\n|---|---|\n| ~~1~~ | 2 |\n\n- [x] fertig <b>\n";
	struct thread_arg args[8];
	pthread_t th[8];
	char *expect = render(input);
	size_t i;

	assert_contains(expect, "<del>alt</del>");
	for (i = 0; i < 8; i++) {
		args[i].input = input;
		args[i].expect = expect;
		args[i].failures = 0;
		assert_int_equal(pthread_create(&th[i], NULL, render_loop, &args[i]), 0);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(args[i].failures, 0);
	}
	free(expect);
}

/* Random mixes of hostile fragments never give unsafe HTML. */
static void
test_hostile_mix(void **state)
{
	static const char *const parts[] = {
		"<script>", "</script>", "<img src=x onerror=y>", "[a](", "javascript:",
		")", "](", "![", "\"", "'", "<", ">", "&#", "x;", "|", "\n", "-|-\n",
		"www.", "http://", "~~", "**", "`", "```\n", "> ", "- [ ] ", "<!--",
		"-->", "\\", "&quot;", "<a href=", "data:text/html,", " ",
	};
	unsigned seed = 7;
	char input[512];
	size_t len, k;
	int round;
	char *h;

	for (round = 0; round < 2000; round++) {
		len = 0;
		for (k = 0; k < 20; k++) {
			const char *p;
			seed = seed * 1103515245u + 12345u;
			p = parts[(seed >> 16) % ZEK_ARRAY_LEN(parts)];
			if (len + strlen(p) >= sizeof(input))
				break;
			memcpy(input + len, p, strlen(p));
			len += strlen(p);
		}
		input[len] = '\0';
		h = render(input);
		assert_safe_html(h);
		free(h);
	}
}

/* Renders s for an e-mail from https://zek.example; caller frees. */
static char *
render_mail(const char *s)
{
	struct buf b;
	char *html;

	buf_init(&b, 4 * 1024 * 1024);
	assert_int_equal(markdown_to_mail_html(s, strlen(s),
	    "https://zek.example", &b), ZEK_OK);
	html = buf_steal(&b, NULL);
	return html != NULL ? html : strdup("");
}

/* Every <img> of h loads from under base + "/". */
static void
assert_images_local(const char *h, const char *base)
{
	const char *p = h;
	size_t n = strlen(base);

	while ((p = strstr(p, "<img")) != NULL) {
		p = strstr(p, " src=\"");
		assert_non_null(p);
		p += 6;
		if (strncmp(p, base, n) != 0 || p[n] != '/')
			fail_msg("remote image in mail HTML: %.80s", p);
	}
}

/* In e-mail, an image that zek does not serve is a link, never loaded
 * (a read-tracking pixel otherwise: issue 13); zek's own images stay. */
static void
test_mail_remote_images(void **state)
{
	static const char *const remote[] = {
		"![x](http://tracker.example/p.png)",
		"![x](https://tracker.example/p.png \"t\")",
		"![x](//tracker.example/p.png)",
		"![x](HTTPS://ZEK.EXAMPLE/p.png)",
		"![x](https://zek.example.tracker.example/p.png)",
		"![x](https://zek.example@tracker.example/p.png)",
		"![x](https://zek.example:444/p.png)",
		"![x](/static/v1/p.png)",
		"![x](p.png)",
		"![](http://tracker.example/p.png)",
		"![x][r]\n\n[r]: http://tracker.example/p.png",
		"a ![x](http://t.example/1.png) b ![y](http://t.example/2.png)",
		"![a ![b](http://t.example/in.png)](http://t.example/out.png)",
		"[![x](http://t.example/p.png)](https://zek.example/)",
		"> - | ![x](http://t.example/p.png) |\n> - | - |",
		"![x](data:image/png;base64,AAAA)",
		"<img src=\"http://t.example/p.png\">",
	};
	char *h;
	size_t i;

	for (i = 0; i < ZEK_ARRAY_LEN(remote); i++) {
		h = render_mail(remote[i]);
		assert_lacks(h, "<img");
		assert_safe_html(h);
		free(h);
	}
	h = render_mail("![Störung](http://tracker.example/p.png)");
	assert_string_equal(h, "<p><a href=\"http://tracker.example/p.png\">"
	    "Störung</a></p>\n");
	free(h);
	h = render_mail("![](http://tracker.example/p.png)");
	assert_contains(h, ">http://tracker.example/p.png</a>");
	free(h);
	h = render_mail("![logo](https://zek.example/static/v1/logo.png)");
	assert_contains(h, "<img src=\"https://zek.example/static/v1/logo.png\"");
	free(h);
	h = render_mail("![a](https://zek.example/a.png) ![b](http://t.example/b.png)");
	assert_images_local(h, "https://zek.example");
	assert_contains(h, "<img src=\"https://zek.example/a.png\"");
	free(h);
	/* Pages are unchanged (the page's CSP allows only zek's own images),
	 * and a page rendered first does not leak into the mail (cache). */
	h = render("![x](http://tracker.example/p.png)");
	assert_contains(h, "<img src=\"http://tracker.example/p.png\"");
	free(h);
	h = render_mail("![x](http://tracker.example/p.png)");
	assert_lacks(h, "<img");
	free(h);
}

static void
test_to_arena(void **state)
{
	struct arena *a = arena_new(1u << 20);
	char *big;
	const char *html;

	assert_non_null(a);
	html = markdown_to_arena(a, "*a* <b>");
	assert_non_null(html);
	assert_string_equal(html, "<p><em>a</em> &lt;b&gt;</p>\n");
	big = malloc(MARKDOWN_MAX_INPUT + 2);
	assert_non_null(big);
	memset(big, 'x', MARKDOWN_MAX_INPUT + 1);
	big[MARKDOWN_MAX_INPUT + 1] = '\0';
	assert_null(markdown_to_arena(a, big));
	free(big);
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gfm),
		cmocka_unit_test(test_raw_html_escaped),
		cmocka_unit_test(test_unsafe_links),
		cmocka_unit_test(test_encoding_and_limits),
		cmocka_unit_test(test_cache),
		cmocka_unit_test(test_slow_inputs),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_hostile_mix),
		cmocka_unit_test(test_mail_remote_images),
		cmocka_unit_test(test_to_arena),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
