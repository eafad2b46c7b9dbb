/* Unit tests for render/html.c: one escaper per output context. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "lib/buf.h"
#include "lib/zek.h"
#include "render/html.h"

typedef int (*escaper)(struct buf *, const char *, size_t);

static void
assert_escape(escaper fn, const char *in, size_t len, const char *want)
{
	struct buf b;

	buf_init(&b, 4096);
	assert_int_equal(fn(&b, in, len), ZEK_OK);
	assert_int_equal(b.len, strlen(want));
	if (b.len > 0)
		assert_memory_equal(b.data, want, b.len);
	buf_free(&b);
}

#define ESC(fn, in, want) assert_escape(fn, in, sizeof(in) - 1, want)

static void
test_text(void **s)
{
	ESC(html_escape_text, "plain Grüße", "plain Grüße");
	ESC(html_escape_text, "<script>alert('x')</script>",
	    "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
	ESC(html_escape_text, "a & b \"q\"", "a &amp; b &quot;q&quot;");
	ESC(html_escape_text, "&amp;", "&amp;amp;");
	ESC(html_escape_text, "a=`b`", "a=`b`");
	ESC(html_escape_text, "nul\0x", "nul\xEF\xBF\xBDx");
	ESC(html_escape_text, "", "");
}

static void
test_attr(void **s)
{
	ESC(html_escape_attr, "\" onmouseover=alert(1) x='",
	    "&quot; onmouseover&#61;alert(1) x&#61;&#39;");
	ESC(html_escape_attr, "`<>&", "&#96;&lt;&gt;&amp;");
	ESC(html_escape_attr, "ok-value_1", "ok-value_1");
}

static void
test_url(void **s)
{
	ESC(html_escape_url, "a b/c?d=e&f#g", "a%20b%2Fc%3Fd%3De%26f%23g");
	ESC(html_escape_url, "AZaz09-._~", "AZaz09-._~");
	ESC(html_escape_url, "ä\"<'", "%C3%A4%22%3C%27");
	ESC(html_escape_url, "javascript:x", "javascript%3Ax");
}

static void
assert_json(const json_t *v, const char *want)
{
	struct buf b;

	buf_init(&b, 4096);
	assert_int_equal(html_escape_json(&b, v), ZEK_OK);
	assert_string_equal(b.data, want);
	buf_free(&b);
}

static void
test_json(void **s)
{
	json_t *v;

	v = json_pack("{s:s}", "t", "</script><!-- & \xE2\x80\xA8\xE2\x80\xA9 \xE2\x80\x94");
	assert_json(v, "{\"t\":\"\\u003c/script\\u003e\\u003c!-- \\u0026 "
	    "\\u2028\\u2029 \xE2\x80\x94\"}");
	json_decref(v);
	v = json_pack("[i,b,n,s]", 1, 1, "ü");
	assert_json(v, "[1,true,null,\"ü\"]");
	json_decref(v);
	v = json_string("x");
	assert_json(v, "\"x\"");
	json_decref(v);
}

static void
test_limits(void **s)
{
	struct buf b;
	json_t *v = json_pack("{s:s}", "k", "<<<<<<<<<<");

	buf_init(&b, 8);
	assert_int_equal(html_escape_text(&b, "<<<", 3), ZEK_TOOBIG);
	buf_free(&b);
	buf_init(&b, 8);
	assert_int_equal(html_escape_url(&b, "   ", 3), ZEK_TOOBIG);
	buf_free(&b);
	buf_init(&b, 20);
	assert_int_equal(html_escape_json(&b, v), ZEK_TOOBIG);
	buf_free(&b);
	json_decref(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_attr),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
