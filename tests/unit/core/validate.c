/* Unit tests for core/validate.c: every field kind, valid and invalid. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "core/fields.h"
#include "core/objects.h"
#include "core/validate.h"
#include "helpers.h"
#include "lib/arena.h"
#include "store/store.h"

static struct tenv *env;

static int
setup(void **state)
{
	env = tenv_new();
	return 0;
}

static int
teardown(void **state)
{
	tenv_free(env);
	return 0;
}

/* Validates one value; returns the error key or NULL when valid. */
static const char *
check1(const struct field *f, const char *v, const char **norm)
{
	struct field_value out;
	struct field_error err;
	enum zek_rc rc;

	rc = core_validate_field(&env->ctx, f, v != NULL ? &v : NULL,
	    v != NULL ? 1 : 0, "Europe/Berlin", &out, &err);
	if (rc == ZEK_INVALID) {
		assert_string_equal(err.field, f->key);
		return err.key;
	}
	assert_int_equal(rc, ZEK_OK);
	if (norm != NULL)
		*norm = out.nvalues > 0 ? out.values[0] : NULL;
	return NULL;
}

static void
test_text(void **state)
{
	struct field f = { .key = "summary", .kind = FIELD_TEXT,
	    .required = true };
	struct field_error err;
	const char *norm, *two[] = { "a", "b" };
	char big[300];

	assert_null(check1(&f, "  Drucker defekt ", &norm));
	assert_string_equal(norm, "Drucker defekt");
	assert_string_equal(check1(&f, NULL, NULL), "err_required");
	assert_string_equal(check1(&f, "   ", NULL), "err_required");
	assert_string_equal(check1(&f, "zwei\nZeilen", NULL),
	    "err_invalid_chars");
	assert_string_equal(check1(&f, "Glocke\a", NULL), "err_invalid_chars");
	assert_string_equal(check1(&f, "kaputt \xc3\x28", NULL),
	    "err_invalid_utf8");
	/* 255 code points pass even when they take more bytes. */
	for (size_t i = 0; i < 255; i++)
		big[i] = 'x';
	big[255] = '\0';
	assert_null(check1(&f, big, NULL));
	big[255] = 'y';
	big[256] = '\0';
	assert_string_equal(check1(&f, big, NULL), "err_too_long");
	assert_int_equal(core_validate_field(&env->ctx, &f, two, 2,
	    "Europe/Berlin", NULL, &err), ZEK_INVALID);
	assert_string_equal(err.key, "err_invalid_value");
	/* Umlauts count as one character each. */
	{
		char uml[2 * 255 + 1];

		for (size_t i = 0; i < 255; i++)
			memcpy(uml + 2 * i, "\xc3\xa4", 2);
		uml[510] = '\0';
		assert_null(check1(&f, uml, NULL));
	}
	f.required = false;
	assert_null(check1(&f, "", &norm));
	assert_null(norm);
}

static void
test_too_long_max(void **state)
{
	struct field f = { .key = "summary", .kind = FIELD_TEXT };
	struct field_error err;
	char big[300];
	const char *v = big;

	memset(big, 'a', 299);
	big[299] = '\0';
	assert_int_equal(core_validate_field(&env->ctx, &f, &v, 1, "UTC", NULL,
	    &err), ZEK_INVALID);
	assert_string_equal(err.key, "err_too_long");
	assert_int_equal(err.max, 255);
}

static void
test_longtext(void **state)
{
	struct field f = { .key = "description", .kind = FIELD_RICHTEXT,
	    .required = true };
	const char *norm;
	char *big;

	assert_null(check1(&f, "Zeile 1\r\nZeile 2\rZeile 3\n\n  ", &norm));
	assert_string_equal(norm, "Zeile 1\nZeile 2\nZeile 3");
	assert_null(check1(&f, "    eingerückter Code\n\tmit Tab", &norm));
	assert_string_equal(norm, "    eingerückter Code\n\tmit Tab");
	assert_string_equal(check1(&f, "\r\n \n", NULL), "err_required");
	assert_string_equal(check1(&f, "Null\x01", NULL), "err_invalid_chars");
	big = arena_alloc(env->arena, 32002);
	memset(big, 'b', 32000);
	big[32000] = '\0';
	assert_null(check1(&f, big, NULL));
	big[32000] = 'c';
	big[32001] = '\0';
	assert_string_equal(check1(&f, big, NULL), "err_too_long");
	f.kind = FIELD_TEXTAREA;
	assert_string_equal(check1(&f, big, NULL), "err_too_long");
	assert_null(check1(&f, "Fehler 504:\nZeitüberschreitung", NULL));
}

static void
test_select(void **state)
{
	struct field_option opts[] = { { "DE-HH", "Hamburg", false },
	    { "DE-BE", "Berlin", false } };
	struct field f = { .key = "bundesland", .kind = FIELD_SELECT,
	    .options = opts, .noptions = 2 };
	const char *norm;

	assert_null(check1(&f, "DE-HH", &norm));
	assert_string_equal(norm, "DE-HH");
	assert_null(check1(&f, "", &norm));
	assert_null(norm);
	assert_null(check1(&f, "Keine", &norm));
	assert_null(norm);
	assert_string_equal(check1(&f, "Hamburg", NULL), "err_invalid_option");
	assert_string_equal(check1(&f, "DE-XX", NULL), "err_invalid_option");
	f.required = true;
	assert_string_equal(check1(&f, "Keine", NULL), "err_required");
	assert_string_equal(check1(&f, "", NULL), "err_required");
	assert_null(check1(&f, "DE-BE", NULL));
}

static void
test_checkbox(void **state)
{
	struct field f = { .key = "kosmetisch", .kind = FIELD_CHECKBOX };
	const char *norm;

	assert_null(check1(&f, "on", &norm));
	assert_string_equal(norm, "1");
	assert_null(check1(&f, "", &norm));
	assert_null(norm);
	assert_null(check1(&f, NULL, &norm));
	assert_string_equal(check1(&f, "yes", NULL), "err_invalid_value");
	f.required = true;
	assert_string_equal(check1(&f, "", NULL), "err_required");
}

static void
test_datetime(void **state)
{
	struct field f = { .key = "zeitpunkt", .kind = FIELD_DATETIME };
	struct field_error err;
	const char *norm, *v = "2024-01-15T10:30";
	struct field_value out;
	char buf[17];
	int64_t ms;

	/* Berlin is UTC+1 in winter, UTC+2 in summer. */
	assert_null(check1(&f, "2024-01-15T10:30", &norm));
	assert_string_equal(norm, "1705311000000");
	assert_null(check1(&f, "2024-07-15T10:30", &norm));
	assert_string_equal(norm, "1721032200000");
	assert_null(check1(&f, "2024-07-15 10:30:45", &norm));
	assert_string_equal(norm, "1721032245000");
	assert_int_equal(core_validate_field(&env->ctx, &f, &v, 1, "UTC", &out,
	    &err), ZEK_OK);
	assert_string_equal(out.values[0], "1705314600000");
	assert_string_equal(check1(&f, "2024-02-30T10:00", NULL),
	    "err_invalid_datetime");
	assert_string_equal(check1(&f, "2023-02-29T10:00", NULL),
	    "err_invalid_datetime");
	assert_null(check1(&f, "2024-02-29T10:00", NULL));
	assert_string_equal(check1(&f, "2024-01-15T24:00", NULL),
	    "err_invalid_datetime");
	assert_string_equal(check1(&f, "15.01.2024 10:30", NULL),
	    "err_invalid_datetime");
	assert_string_equal(check1(&f, "2024-01-15", NULL),
	    "err_invalid_datetime");
	assert_string_equal(check1(&f, "2024-01-15T10:30Z", NULL),
	    "err_invalid_datetime");
	/* A bad zone is refused rather than silently read as UTC. */
	assert_int_equal(core_validate_field(&env->ctx, &f, &v, 1, "Mars/Base",
	    NULL, &err), ZEK_INVALID);
	assert_string_equal(err.key, "err_invalid_datetime");
	/* The spring-forward gap moves on to the next valid time. */
	assert_int_equal(core_parse_local_datetime("2024-03-31T02:30",
	    "Europe/Berlin", &ms), ZEK_OK);
	assert_int_equal(ms, 1711848600000LL);   /* 03:30 CEST = 01:30 UTC */
	assert_int_equal(core_format_local_datetime(1705311000000LL,
	    "Europe/Berlin", buf), ZEK_OK);
	assert_string_equal(buf, "2024-01-15T10:30");
	assert_int_equal(core_format_local_datetime(0, "Nowhere/City", buf),
	    ZEK_INVALID);
	assert_true(core_tz_valid("America/New_York"));
	assert_false(core_tz_valid("Europe/Berlin\n"));
	assert_false(core_tz_valid(""));
}

static void
test_url(void **state)
{
	struct field f = { .key = "fehler_url", .kind = FIELD_URL };
	const char *norm;
	char *big;

	assert_null(check1(&f, " https://service.example.de/wohngeld?x=1#a ",
	    &norm));
	assert_string_equal(norm, "https://service.example.de/wohngeld?x=1#a");
	assert_null(check1(&f, "HTTP://example.org:8080/", NULL));
	assert_null(check1(&f, "https://straße.example/", NULL));
	assert_string_equal(check1(&f, "javascript:alert(1)", NULL),
	    "err_invalid_url");
	assert_string_equal(check1(&f, "ftp://example.org/", NULL),
	    "err_invalid_url");
	assert_string_equal(check1(&f, "https://", NULL), "err_invalid_url");
	assert_string_equal(check1(&f, "https:///pfad", NULL),
	    "err_invalid_url");
	assert_string_equal(check1(&f, "https://a b.de/", NULL),
	    "err_invalid_url");
	assert_string_equal(check1(&f, "https://user@evil.example/", NULL),
	    "err_invalid_url");
	assert_string_equal(check1(&f, "https://example.org:80x/", NULL),
	    "err_invalid_url");
	assert_string_equal(check1(&f, "example.org", NULL), "err_invalid_url");
	big = arena_alloc(env->arena, 2100);
	memcpy(big, "https://example.org/", 20);
	memset(big + 20, 'p', 1980);
	big[2000] = '\0';
	assert_null(check1(&f, big, NULL));
	big[2000] = 'q';
	big[2001] = '\0';
	assert_string_equal(check1(&f, big, NULL), "err_too_long");
}

static void
test_object(void **state)
{
	struct field single = { .key = "mandant", .kind = FIELD_OBJECT,
	    .object_kind = "mandant" };
	struct field multi = { .key = "online_dienste", .kind = FIELD_OBJECT,
	    .object_kind = "online_dienst", .multiple = true };
	struct field_value out;
	struct field_error err;
	const char *vals[3], *norm;
	char m[24], m2[24], d1[24], d2[24];
	int64_t mid, mid2, id1, id2;

	assert_int_equal(store_object_ensure(env->ctx.db, "mandant",
	    "Stadt Musterstadt", &mid, NULL), ZEK_OK);
	assert_int_equal(store_object_ensure(env->ctx.db, "mandant",
	    "Land Beispielland", &mid2, NULL), ZEK_OK);
	assert_int_equal(store_object_ensure(env->ctx.db, "online_dienst",
	    "Wohngeld", &id1, NULL), ZEK_OK);
	assert_int_equal(store_object_ensure(env->ctx.db, "online_dienst",
	    "Elterngeld", &id2, NULL), ZEK_OK);
	snprintf(m, sizeof(m), "%lld", (long long)mid);
	snprintf(m2, sizeof(m2), "%lld", (long long)mid2);
	snprintf(d1, sizeof(d1), "%lld", (long long)id1);
	snprintf(d2, sizeof(d2), "%lld", (long long)id2);

	assert_null(check1(&single, m, &norm));
	assert_string_equal(norm, m);
	assert_null(check1(&single, "", &norm));
	/* The right id of the wrong kind is unknown here. */
	assert_string_equal(check1(&single, d1, NULL), "err_unknown_object");
	assert_string_equal(check1(&single, "999999", NULL),
	    "err_unknown_object");
	assert_string_equal(check1(&single, "Wohngeld", NULL),
	    "err_unknown_object");
	vals[0] = d1;
	vals[1] = d2;
	vals[2] = d1;
	assert_int_equal(core_validate_field(&env->ctx, &multi, vals, 3, "UTC",
	    &out, &err), ZEK_OK);
	assert_int_equal(out.nvalues, 2);   /* the duplicate counts once */
	assert_string_equal(out.values[0], d1);
	assert_string_equal(out.values[1], d2);
	vals[0] = m;
	vals[1] = m2;
	assert_int_equal(core_validate_field(&env->ctx, &single, vals, 2, "UTC",
	    &out, &err), ZEK_INVALID);
	assert_string_equal(err.key, "err_invalid_value");
	vals[1] = m;
	assert_int_equal(core_validate_field(&env->ctx, &single, vals, 2, "UTC",
	    &out, &err), ZEK_OK);
	single.required = true;
	assert_string_equal(check1(&single, "", NULL), "err_required");
}

static void
test_attachment_kind_skipped(void **state)
{
	struct field f = { .key = "attachment", .kind = FIELD_ATTACHMENT,
	    .required = true };

	/* Uploads are checked by core_request_create, not here. */
	assert_null(check1(&f, NULL, NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_too_long_max),
		cmocka_unit_test(test_longtext),
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_checkbox),
		cmocka_unit_test(test_datetime),
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_object),
		cmocka_unit_test(test_attachment_kind_skipped),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
