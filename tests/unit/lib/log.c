/* Unit tests for lib/log.c: the two line formats, escaping, ids. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <string.h>

#include "lib/log.h"

/* 2024-05-02T10:11:12.345Z */
#define T0 1714644672345LL

static const char *
text_line(char *out, size_t cap, const char *id, const struct log_field *f)
{
	log_format_line(out, cap, LOG_FORMAT_TEXT, LOG_LEVEL_WARNING, id,
	    "http", "login failed", f, T0);
	return out;
}

/* The line as jansson reads it; fails the test unless it is one valid
 * JSON object followed by exactly one newline. */
static json_t *
json_line(char *out, size_t cap, const char *id, const struct log_field *f)
{
	size_t n = log_format_line(out, cap, LOG_FORMAT_JSON, LOG_LEVEL_ERROR,
	    id, "store", "query failed", f, T0);
	json_error_t err;
	json_t *j;

	assert_true(n > 0 && out[n - 1] == '\n');
	assert_null(memchr(out, '\n', n - 1));
	j = json_loadb(out, n, 0, &err);
	if (j == NULL)
		fail_msg("not JSON (%s): %s", err.text, out);
	return j;
}

static void
test_text_plain(void **state)
{
	char line[LOG_LINE_MAX];

	text_line(line, sizeof(line), "3fa2c91e00000001", LOG_FIELDS(
	    LOG_I("user_id", 3), LOG_S("reason", "bad password"),
	    LOG_S("email_domain", "bund.de"), LOG_S("empty", "")));
	assert_string_equal(line, "3fa2c91e00000001 warning http: login "
	    "failed user_id=3 reason=\"bad password\" email_domain=bund.de "
	    "empty=\"\"\n");
	/* No request: "-"; no fields. */
	text_line(line, sizeof(line), "", NULL);
	assert_string_equal(line, "- warning http: login failed\n");
}

/* A value a user typed cannot start a line of its own, fake a field, or
 * reach a terminal as an escape sequence. */
static void
test_text_escapes(void **state)
{
	char line[LOG_LINE_MAX];

	text_line(line, sizeof(line), "x", LOG_FIELDS(LOG_S("subject",
	    "a\nx warning http: forged user_id=1\r\"q\" \\ \x1b[31m\xc2\x9b"
	    "\x7f tab\there \xff\xfe Grüße")));
	assert_string_equal(line, "x warning http: login failed subject=\"a\\nx "
	    "warning http: forged user_id=1\\r\\\"q\\\" \\\\ \\u001b[31m"
	    "\\u009b\\u007f tab\\there \\xff\\xfe Grüße\"\n");
	assert_null(strchr(line, '\x1b'));
	/* One that would look like a second field is quoted. */
	text_line(line, sizeof(line), "x", LOG_FIELDS(LOG_S("name",
	    "a=b")));
	assert_string_equal(line, "x warning http: login failed name=\"a=b\"\n");
	/* Letters beyond ASCII need no quotes. */
	text_line(line, sizeof(line), "x", LOG_FIELDS(LOG_S("name", "Jürgen")));
	assert_string_equal(line, "x warning http: login failed name=Jürgen\n");
}

static void
test_json_keys(void **state)
{
	char line[LOG_LINE_MAX];
	json_t *j = json_line(line, sizeof(line), "job-00ab", LOG_FIELDS(
	    LOG_I("mail_id", -12), LOG_S("kind", "permanent")));

	assert_string_equal(json_string_value(json_object_get(j, "time")),
	    "2024-05-02T10:11:12.345Z");
	assert_string_equal(json_string_value(json_object_get(j, "level")),
	    "error");
	assert_string_equal(json_string_value(json_object_get(j,
	    "component")), "store");
	assert_string_equal(json_string_value(json_object_get(j, "msg")),
	    "query failed");
	assert_string_equal(json_string_value(json_object_get(j,
	    "request_id")), "job-00ab");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(j,
	    "fields"), "mail_id")), -12);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j,
	    "fields"), "kind")), "permanent");
	json_decref(j);
	/* Without a request: null. */
	j = json_line(line, sizeof(line), NULL, NULL);
	assert_true(json_is_null(json_object_get(j, "request_id")));
	assert_int_equal(json_object_size(json_object_get(j, "fields")), 0);
	json_decref(j);
}

static void
test_json_escapes(void **state)
{
	static const char evil[] = "a\n{\"level\":\"error\"}\r\\ \x01\x1b[2J"
	    "\xc2\x85 \xe2\x80\xa8 Grüße \xff";
	char line[LOG_LINE_MAX];
	json_t *j = json_line(line, sizeof(line), "r1", LOG_FIELDS(
	    LOG_S("v", evil)));

	/* Read back as it was, but for the byte that is no UTF-8. */
	assert_string_equal(json_string_value(json_object_get(json_object_get(j,
	    "fields"), "v")), "a\n{\"level\":\"error\"}\r\\ \x01\x1b[2J"
	    "\xc2\x85 \xe2\x80\xa8 Grüße \xef\xbf\xbd");
	assert_string_equal(json_string_value(json_object_get(j, "level")),
	    "error");
	assert_null(strchr(line, '\x1b'));
	json_decref(j);
}

/* A line longer than the limit is cut, still one line, still JSON. */
static void
test_cut(void **state)
{
	static char big[3 * LOG_LINE_MAX];
	char line[LOG_LINE_MAX];
	size_t n;
	json_t *j;

	memset(big, '"', sizeof(big) - 1);
	j = json_line(line, sizeof(line), "r", LOG_FIELDS(LOG_S("a", "x"),
	    LOG_S("sql", big), LOG_S("after", "y")));
	assert_true(json_is_true(json_object_get(j, "truncated")));
	assert_string_equal(json_string_value(json_object_get(json_object_get(j,
	    "fields"), "a")), "x");
	assert_null(json_object_get(json_object_get(j, "fields"), "after"));
	json_decref(j);
	n = log_format_line(line, sizeof(line), LOG_FORMAT_TEXT,
	    LOG_LEVEL_INFO, "r", "store", "m", LOG_FIELDS(LOG_S("sql", big)),
	    T0);
	assert_true(n < sizeof(line) && line[n - 1] == '\n');
	assert_null(memchr(line, '\n', n - 1));
	assert_non_null(strstr(line, "\" truncated=true\n"));
	/* A cut never splits an escape: the value ends in \" then the quote. */
	assert_non_null(strstr(line, "\\\"\" truncated"));
}

static void
test_ids(void **state)
{
	char a[LOG_ID_MAX], b[LOG_ID_MAX];

	log_id_new("", a);
	log_id_new("job-", b);
	assert_int_equal(strlen(a), 16);
	assert_int_equal(strlen(b), 20);
	assert_memory_equal(b, "job-", 4);
	assert_string_not_equal(a, b + 4);
	assert_true(log_id_valid(a) && log_id_valid(b));
	assert_true(log_id_valid("f81d4fae-7dec-11d0-a765-00a0c91e6bf6"));
	/* Apache's mod_unique_id ([A-Za-z0-9@-]), base64, an AWS trace id. */
	assert_true(log_id_valid("VAYyin8AAAEAAAKa@DMAAAAB"));
	assert_true(log_id_valid("Z2VoZWlt+/w=="));
	assert_true(log_id_valid("Root=1-67891233-abcdef012345678912345678"));
	assert_true(log_id_valid("0123456789012345678901234567890123456789"
	    "012345678901234567890123"));
	assert_false(log_id_valid(""));
	assert_false(log_id_valid("a b"));
	assert_false(log_id_valid("a\nb"));
	assert_false(log_id_valid("a\tb"));
	assert_false(log_id_valid("a\x1b[31mb"));
	assert_false(log_id_valid("a\x7f"));
	assert_false(log_id_valid("a\"b"));
	assert_false(log_id_valid("a'b"));
	assert_false(log_id_valid("a\\b"));
	assert_false(log_id_valid("\xc3\xa4"));
	assert_false(log_id_valid("0123456789012345678901234567890123456789"
	    "012345678901234567890123456789"));
	log_id_set("r-1");
	assert_string_equal(log_id(), "r-1");
	log_id_set(NULL);
	assert_string_equal(log_id(), "");
}

static void
test_parse(void **state)
{
	enum log_format f = LOG_FORMAT_TEXT;
	enum log_level l = LOG_LEVEL_INFO;

	assert_int_equal(log_format_parse("json", &f), 0);
	assert_int_equal(f, LOG_FORMAT_JSON);
	assert_int_equal(log_format_parse("JSON", &f), -1);
	assert_int_equal(log_level_parse("debug", &l), 0);
	assert_int_equal(l, LOG_LEVEL_DEBUG);
	assert_int_equal(log_level_parse("notice", &l), -1);
	assert_int_equal(l, LOG_LEVEL_DEBUG);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_plain),
		cmocka_unit_test(test_text_escapes),
		cmocka_unit_test(test_json_keys),
		cmocka_unit_test(test_json_escapes),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
