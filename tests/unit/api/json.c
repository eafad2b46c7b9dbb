/* Unit tests for api/json.c: date objects, error bodies, users, paging, and
 * request body parsing with its limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/json.h"
#include "lib/zek.h"

static const char *
str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	assert_true(json_is_string(v));
	return json_string_value(v);
}

static void
test_date_object(void **state)
{
	/* 2025-01-31 13:42:00.000 UTC: winter time in Berlin. */
	json_t *d = api_date_json(INT64_C(1738330920000), "Europe/Berlin", "de");

	assert_non_null(d);
	assert_int_equal(json_object_size(d), 4);
	assert_string_equal(str(d, "iso8601"), "2025-01-31T14:42:00+0100");
	assert_string_equal(str(d, "jira"), "2025-01-31T14:42:00.000+0100");
	assert_string_equal(str(d, "friendly"), "31.01.2025, 14:42");
	assert_int_equal(json_integer_value(json_object_get(d, "epochMillis")),
	    INT64_C(1738330920000));
	json_decref(d);
	/* Summer time, milliseconds, English. */
	d = api_date_json(INT64_C(1751371200123), "Europe/Berlin", "en");
	assert_string_equal(str(d, "iso8601"), "2025-07-01T14:00:00+0200");
	assert_string_equal(str(d, "jira"), "2025-07-01T14:00:00.123+0200");
	assert_string_equal(str(d, "friendly"), "1 Jul 2025, 14:00");
	json_decref(d);
	/* Another zone, negative offset with minutes. */
	d = api_date_json(INT64_C(1738330920999), "America/St_Johns", "de");
	assert_string_equal(str(d, "jira"), "2025-01-31T10:12:00.999-0330");
	json_decref(d);
	d = api_date_json(INT64_C(1738330920000), "UTC", "de");
	assert_string_equal(str(d, "iso8601"), "2025-01-31T13:42:00+0000");
	json_decref(d);
	assert_null(api_date_json(0, "Nowhere/Zone", "de"));
}

static void
test_error_body(void **state)
{
	json_t *e = api_error_body("Unbekanntes Feld: „x“.",
	    "api_err_unknown_field", "x");
	json_t *i18n, *msgs;

	assert_non_null(e);
	assert_string_equal(str(e, "errorMessage"), "Unbekanntes Feld: „x“.");
	msgs = json_object_get(e, "errorMessages");
	assert_int_equal(json_array_size(msgs), 1);
	assert_string_equal(json_string_value(json_array_get(msgs, 0)),
	    "Unbekanntes Feld: „x“.");
	i18n = json_object_get(e, "i18nErrorMessage");
	assert_string_equal(str(i18n, "i18nKey"), "api_err_unknown_field");
	assert_int_equal(json_array_size(json_object_get(i18n, "parameters")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(i18n,
	    "parameters"), 0)), "x");
	json_decref(e);
	e = api_error_body("Nein.", "api_err_forbidden", NULL);
	i18n = json_object_get(e, "i18nErrorMessage");
	assert_true(json_is_array(json_object_get(i18n, "parameters")));
	assert_int_equal(json_array_size(json_object_get(i18n, "parameters")), 0);
	json_decref(e);
}

static void
test_user_object(void **state)
{
	json_t *u = api_user_json("https://zek.example", 12, "anna@example.org",
	    "Anna Schmidt", "Europe/Berlin");
	json_t *links;

	assert_string_equal(str(u, "accountId"), "12");
	assert_string_equal(str(u, "key"), "12");
	assert_string_equal(str(u, "name"), "anna@example.org");
	assert_string_equal(str(u, "emailAddress"), "anna@example.org");
	assert_string_equal(str(u, "displayName"), "Anna Schmidt");
	assert_string_equal(str(u, "timeZone"), "Europe/Berlin");
	assert_true(json_is_true(json_object_get(u, "active")));
	links = json_object_get(u, "_links");
	assert_string_equal(str(links, "self"),
	    "https://zek.example/rest/api/2/user?accountId=12");
	assert_non_null(json_object_get(json_object_get(links, "avatarUrls"),
	    "48x48"));
	json_decref(u);
}

static void
test_page_envelope(void **state)
{
	json_t *p = api_page_json(json_pack("[i, i]", 1, 2), 2, 2, false,
	    "https://h", "", "https://h/x?start=2&limit=2",
	    "https://h/x?start=4&limit=2", "https://h/x?start=0&limit=2");
	json_t *links;

	assert_int_equal(json_integer_value(json_object_get(p, "size")), 2);
	assert_int_equal(json_integer_value(json_object_get(p, "start")), 2);
	assert_int_equal(json_integer_value(json_object_get(p, "limit")), 2);
	assert_true(json_is_false(json_object_get(p, "isLastPage")));
	assert_int_equal(json_array_size(json_object_get(p, "values")), 2);
	assert_true(json_is_array(json_object_get(p, "_expands")));
	links = json_object_get(p, "_links");
	assert_string_equal(str(links, "base"), "https://h");
	assert_string_equal(str(links, "context"), "");
	assert_string_equal(str(links, "next"), "https://h/x?start=4&limit=2");
	assert_string_equal(str(links, "prev"), "https://h/x?start=0&limit=2");
	json_decref(p);
	p = api_page_json(json_array(), 0, 50, true, "https://h", "/ctx",
	    "https://h/ctx/x", NULL, NULL);
	links = json_object_get(p, "_links");
	assert_null(json_object_get(links, "next"));
	assert_null(json_object_get(links, "prev"));
	assert_true(json_is_true(json_object_get(p, "isLastPage")));
	assert_int_equal(json_integer_value(json_object_get(p, "size")), 0);
	json_decref(p);
}

/* Parses text with the default limits; returns the rc, fills err. */
static int
parse(const char *text, json_t **out, struct api_json_error *err)
{
	struct api_json_limits lim;

	api_json_limits_default(&lim);
	return api_json_parse(text, strlen(text), &lim, out, err);
}

static char *
nested(size_t depth)
{
	char *s = malloc(2 * depth + 1);
	size_t i;

	for (i = 0; i < depth; i++) {
		s[i] = '[';
		s[2 * depth - 1 - i] = ']';
	}
	s[2 * depth] = '\0';
	return s;
}

static void
test_parse_limits(void **state)
{
	struct api_json_limits lim;
	struct api_json_error err;
	json_t *doc;
	char *s;

	assert_int_equal(parse("", &doc, &err), ZEK_OK);
	assert_null(doc);
	assert_int_equal(parse(" \r\n\t", &doc, &err), ZEK_OK);
	assert_null(doc);
	assert_int_equal(parse("{\"a\": [1, \"x\"]}", &doc, &err), ZEK_OK);
	assert_true(json_is_object(doc));
	json_decref(doc);

	assert_int_equal(parse("{\"a\": }", &doc, &err), ZEK_INVALID);
	assert_null(doc);
	assert_string_equal(err.key, "api_err_json_syntax");
	assert_string_equal(err.arg, "1:7");
	assert_int_equal(parse("{\"a\": 1}\n{", &doc, &err), ZEK_INVALID);
	assert_string_equal(err.key, "api_err_json_syntax");
	assert_int_equal(parse("\"just a string\"", &doc, &err), ZEK_INVALID);
	assert_int_equal(parse("{\"a\": \"\xff\"}", &doc, &err), ZEK_INVALID);
	assert_string_equal(err.key, "api_err_json_syntax");
	assert_int_equal(parse("{\"a\": \"x\\u0000y\"}", &doc, &err), ZEK_INVALID);
	assert_int_equal(parse("{\"a\": 1, \"a\": 2}", &doc, &err), ZEK_INVALID);
	assert_string_equal(err.key, "api_err_json_duplicate");

	s = nested(16);
	assert_int_equal(parse(s, &doc, &err), ZEK_OK);
	json_decref(doc);
	free(s);
	s = nested(17);
	assert_int_equal(parse(s, &doc, &err), ZEK_INVALID);
	assert_string_equal(err.key, "api_err_json_depth");
	free(s);
	s = nested(5000);       /* deeper than the parser goes */
	assert_int_equal(parse(s, &doc, &err), ZEK_INVALID);
	assert_string_equal(err.key, "api_err_json_depth");
	free(s);

	api_json_limits_default(&lim);
	lim.max_string = 4;
	lim.max_values = 4;
	assert_int_equal(api_json_parse("[\"abcd\"]", 8, &lim, &doc, &err), ZEK_OK);
	json_decref(doc);
	assert_int_equal(api_json_parse("[\"abcde\"]", 9, &lim, &doc, &err),
	    ZEK_INVALID);
	assert_string_equal(err.key, "api_err_json_string_too_long");
	assert_int_equal(api_json_parse("{\"abcde\":1}", 11, &lim, &doc, &err),
	    ZEK_INVALID);
	assert_string_equal(err.key, "api_err_json_string_too_long");
	assert_int_equal(api_json_parse("[1,2,3]", 7, &lim, &doc, &err), ZEK_OK);
	json_decref(doc);
	assert_int_equal(api_json_parse("[1,2,3,4]", 9, &lim, &doc, &err),
	    ZEK_INVALID);
	assert_string_equal(err.key, "api_err_json_too_many_values");
	lim.max_bytes = 8;
	assert_int_equal(api_json_parse("[1,2,3,4]", 9, &lim, &doc, &err),
	    ZEK_TOOBIG);
	assert_string_equal(err.key, "api_err_body_too_big");
}

static const struct api_json_field spec[] = {
	{ "serviceDeskId", API_JSON_ID, true, 0 },
	{ "summary", API_JSON_STRING, false, 5 },
	{ "public", API_JSON_BOOL, false, 0 },
	{ "accountIds", API_JSON_STRINGS, false, 2 },
	{ "ids", API_JSON_IDS, false, 0 },
	{ "form", API_JSON_OBJECT, false, 0 },
	{ "channel", API_JSON_ANY, false, 0 },
};

static int
check(const char *text, struct api_json_error *err, char *arg, size_t n)
{
	json_t *doc;
	int rc;

	assert_int_equal(parse(text, &doc, err), ZEK_OK);
	rc = api_json_check(doc, spec, sizeof(spec) / sizeof(spec[0]), err);
	snprintf(arg, n, "%s", err->arg != NULL ? err->arg : "");
	json_decref(doc);
	return rc;
}

static void
test_check_fields(void **state)
{
	struct api_json_error err;
	char arg[64];

	assert_int_equal(check("{\"serviceDeskId\": 1, \"summary\": \"äöüß!\", "
	    "\"public\": true, \"accountIds\": [\"1\", \"2\"], \"ids\": [3, \"4\"], "
	    "\"form\": {}, \"channel\": [1, {}]}", &err, arg, sizeof(arg)), ZEK_OK);
	assert_int_equal(check("{\"serviceDeskId\": \"7\", \"summary\": null}",
	    &err, arg, sizeof(arg)), ZEK_OK);

	assert_int_equal(check("[]", &err, arg, sizeof(arg)), ZEK_INVALID);
	assert_string_equal(err.key, "api_err_body_not_object");
	assert_int_equal(check("{\"serviceDeskId\": 1, \"sumary\": \"x\"}", &err,
	    arg, sizeof(arg)), ZEK_INVALID);
	assert_string_equal(err.key, "api_err_unknown_field");
	assert_string_equal(arg, "sumary");
	assert_int_equal(check("{\"summary\": \"x\"}", &err, arg, sizeof(arg)),
	    ZEK_INVALID);
	assert_string_equal(err.key, "api_err_missing_field");
	assert_string_equal(arg, "serviceDeskId");
	assert_int_equal(check("{\"serviceDeskId\": null}", &err, arg,
	    sizeof(arg)), ZEK_INVALID);
	assert_string_equal(err.key, "api_err_missing_field");

	const char *wrong[] = {
		"{\"serviceDeskId\": 0}", "{\"serviceDeskId\": -3}",
		"{\"serviceDeskId\": 1.5}", "{\"serviceDeskId\": \"ZEK\"}",
		"{\"serviceDeskId\": true}",
		"{\"serviceDeskId\": 1, \"summary\": 5}",
		"{\"serviceDeskId\": 1, \"public\": \"true\"}",
		"{\"serviceDeskId\": 1, \"accountIds\": \"1\"}",
		"{\"serviceDeskId\": 1, \"accountIds\": [1]}",
		"{\"serviceDeskId\": 1, \"ids\": [\"x\"]}",
		"{\"serviceDeskId\": 1, \"form\": []}",
	};
	for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		assert_int_equal(check(wrong[i], &err, arg, sizeof(arg)),
		    ZEK_INVALID);
		assert_string_equal(err.key, "api_err_wrong_type");
	}
	assert_int_equal(check("{\"serviceDeskId\": 1, \"summary\": \"äöüß!?\"}",
	    &err, arg, sizeof(arg)), ZEK_INVALID);
	assert_string_equal(err.key, "api_err_value_too_long");
	assert_string_equal(arg, "summary");
	assert_int_equal(check("{\"serviceDeskId\": 1, \"accountIds\": "
	    "[\"1\", \"2\", \"3\"]}", &err, arg, sizeof(arg)), ZEK_INVALID);
	assert_string_equal(err.key, "api_err_value_too_long");
}

static void
test_ids(void **state)
{
	json_t *v;
	int64_t id = 0;

	v = json_integer(42);
	assert_true(api_json_id(v, &id));
	assert_int_equal(id, 42);
	json_decref(v);
	v = json_string("17");
	assert_true(api_json_id(v, &id));
	assert_int_equal(id, 17);
	json_decref(v);
	v = json_string("17a");
	assert_false(api_json_id(v, &id));
	json_decref(v);
	v = json_string("99999999999999999999");
	assert_false(api_json_id(v, &id));
	json_decref(v);
	v = json_real(3.0);
	assert_false(api_json_id(v, &id));
	json_decref(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_date_object),
		cmocka_unit_test(test_error_body),
		cmocka_unit_test(test_user_object),
		cmocka_unit_test(test_page_envelope),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_check_fields),
		cmocka_unit_test(test_ids),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
