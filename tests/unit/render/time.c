/* Unit tests for render/time.c: zones, DST, languages, datetime-local parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <unicode/udat.h>
#include <unicode/ustring.h>

#include "lib/arena.h"
#include "lib/zek.h"
#include "render/time.h"

#define WINTER INT64_C(1795794120000)   /* 2026-11-27T15:42:00Z */
#define SUMMER INT64_C(1782900000000)   /* 2026-07-01T10:00:00Z */

static void
assert_iso(int64_t ms, const char *tz, const char *want)
{
	char out[64];

	assert_int_equal(time_format_iso(ms, tz, out, sizeof(out)), ZEK_OK);
	assert_string_equal(out, want);
}

static void
test_format_zones(void **state)
{
	char out[64];

	assert_iso(WINTER, "Europe/Berlin", "2026-11-27T16:42:00+01:00");
	assert_iso(SUMMER, "Europe/Berlin", "2026-07-01T12:00:00+02:00");
	assert_iso(WINTER, "UTC", "2026-11-27T15:42:00+00:00");
	assert_iso(SUMMER, "UTC", "2026-07-01T10:00:00+00:00");
	assert_iso(WINTER, "America/New_York", "2026-11-27T10:42:00-05:00");
	assert_iso(SUMMER, "America/New_York", "2026-07-01T06:00:00-04:00");
	assert_iso(WINTER, "Asia/Kolkata", "2026-11-27T21:12:00+05:30");
	assert_iso(0, "UTC", "1970-01-01T00:00:00+00:00");
	assert_iso(-1000, "UTC", "1969-12-31T23:59:59+00:00");
	assert_iso(TIME_MIN_MS, "UTC", "1583-01-02T00:00:00+00:00");
	assert_iso(TIME_MAX_MS, "Pacific/Kiritimati", "9999-12-30T14:00:00+14:00");

	assert_int_equal(time_format(WINTER, "Europe/Berlin", "de", out, sizeof(out)), ZEK_OK);
	assert_string_equal(out, "27.11.2026, 16:42");
	assert_int_equal(time_format(WINTER, "Europe/Berlin", "en", out, sizeof(out)), ZEK_OK);
	assert_string_equal(out, "27 Nov 2026, 16:42");
	assert_int_equal(time_format(SUMMER, "Europe/Berlin", "de", out, sizeof(out)), ZEK_OK);
	assert_string_equal(out, "01.07.2026, 12:00");
	assert_int_equal(time_format(SUMMER, "America/New_York", "en", out, sizeof(out)), ZEK_OK);
	assert_string_equal(out, "1 Jul 2026, 06:00");
	/* Unknown languages get German. */
	assert_int_equal(time_format(WINTER, "UTC", "fr", out, sizeof(out)), ZEK_OK);
	assert_string_equal(out, "27.11.2026, 15:42");
	assert_int_equal(time_format(WINTER, "UTC", NULL, out, sizeof(out)), ZEK_OK);
	assert_string_equal(out, "27.11.2026, 15:42");
	/* September stays "Sep" (en_GB data would say "Sept"). */
	assert_int_equal(time_format(INT64_C(1788000000000), "Europe/Berlin", "en", out, sizeof(out)), ZEK_OK);
	assert_string_equal(out, "29 Aug 2026, 12:40");
	assert_int_equal(time_format(INT64_C(1790000000000), "UTC", "en", out, sizeof(out)), ZEK_OK);
	assert_string_equal(out, "21 Sep 2026, 14:13");

	assert_int_equal(time_format_input(WINTER, "Europe/Berlin", out, sizeof(out)), ZEK_OK);
	assert_string_equal(out, "2026-11-27T16:42");
	assert_int_equal(time_format_input(SUMMER, "America/New_York", out, sizeof(out)), ZEK_OK);
	assert_string_equal(out, "2026-07-01T06:00");
}

/* More zone/style pairs than the per-thread cache holds, several rounds:
 * evicted and reused formatters must still give the right zone. */
static void
test_format_cache(void **state)
{
	static const struct {
		const char *tz, *iso;
	} z[] = {
		{ "Europe/Berlin", "2026-11-27T16:42:00+01:00" },
		{ "UTC", "2026-11-27T15:42:00+00:00" },
		{ "America/New_York", "2026-11-27T10:42:00-05:00" },
		{ "Asia/Kolkata", "2026-11-27T21:12:00+05:30" },
		{ "Asia/Tokyo", "2026-11-28T00:42:00+09:00" },
		{ "Europe/London", "2026-11-27T15:42:00+00:00" },
		{ "Australia/Sydney", "2026-11-28T02:42:00+11:00" },
		{ "America/Los_Angeles", "2026-11-27T07:42:00-08:00" },
		{ "Europe/Helsinki", "2026-11-27T17:42:00+02:00" },
		{ "Asia/Kathmandu", "2026-11-27T21:27:00+05:45" },
		{ "Pacific/Auckland", "2026-11-28T04:42:00+13:00" },
	};
	char out[64];
	size_t i;
	int round;

	for (round = 0; round < 3; round++) {
		for (i = 0; i < ZEK_ARRAY_LEN(z); i++) {
			assert_iso(WINTER, z[i].tz, z[i].iso);
			assert_int_equal(time_format_input(WINTER, z[i].tz, out, sizeof(out)), ZEK_OK);
			assert_memory_equal(out, z[i].iso, 16);
			assert_int_equal(time_format(WINTER, z[i].tz, round % 2 ? "en" : "de", out,
			    sizeof(out)), ZEK_OK);
			assert_memory_equal(out + strlen(out) - 5, z[i].iso + 11, 5);
		}
	}
}

/* What ICU itself writes for a pattern: the oracle for the hand-written
 * formatting, which must give the same text. */
static void
icu_format(int64_t ms, const char *tz, const char *locale, const char *pattern,
    char *out, size_t n)
{
	UChar utz[64], upat[64], res[128];
	UErrorCode st = U_ZERO_ERROR;
	UDateFormat *df;
	int32_t len;

	u_uastrncpy(utz, tz, 64);
	u_uastrncpy(upat, pattern, 64);
	df = udat_open(UDAT_PATTERN, UDAT_PATTERN, locale, utz, -1, upat, -1, &st);
	assert_false(U_FAILURE(st));
	len = udat_format(df, (UDate)ms, res, 128, NULL, &st);
	assert_false(U_FAILURE(st));
	u_strToUTF8(out, (int32_t)n, NULL, res, len, &st);
	assert_false(U_FAILURE(st));
	udat_close(df);
}

/* Times in zones with odd offsets, DST rules and history, in an order
 * that makes the per-thread zone and span caches hit, miss and evict:
 * every style gives exactly ICU's text. */
static void
test_format_matches_icu(void **state)
{
	static const char *const zones[] = {
		"Europe/Berlin", "Australia/Lord_Howe", "Pacific/Chatham",
		"Asia/Kathmandu", "America/St_Johns", "Europe/Dublin",
		"Africa/Casablanca", "Antarctica/Troll", "America/Sao_Paulo",
		"Asia/Tehran", "UTC", "Pacific/Kiritimati", "America/Caracas",
	};
	static const struct {
		const char *lang, *locale, *pattern;
	} styles[] = {
		{ "de", "de_DE", "dd.MM.yyyy, HH:mm" },
		{ "en", "en", "d MMM yyyy, HH:mm" },
		{ NULL, "en_US_POSIX", "yyyy-MM-dd'T'HH:mm:ssxxx" },
		{ NULL, "en_US_POSIX", "yyyy-MM-dd'T'HH:mm" },
	};
	char got[64], want[64];
	uint64_t x = 88172645463325252u;
	int64_t ms;
	size_t i, z, k;
	int rc;

	for (i = 0; i < 1600; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		z = (i / 8) % ZEK_ARRAY_LEN(zones);
		if (i % 4 == 0)         /* anywhere in the range */
			ms = TIME_MIN_MS + (int64_t)(x % (uint64_t)(TIME_MAX_MS - TIME_MIN_MS));
		else if (i % 4 == 1)    /* 1900 to 2100 */
			ms = INT64_C(-2208988800000) + (int64_t)(x % UINT64_C(6311433600000));
		else                    /* 2026, to the second: around DST changes */
			ms = INT64_C(1767225600000) + (int64_t)(x % UINT64_C(31536000)) * 1000;
		k = (size_t)(x >> 40) % ZEK_ARRAY_LEN(styles);
		icu_format(ms, zones[z], styles[k].locale, styles[k].pattern, want,
		    sizeof(want));
		if (k < 2)
			rc = time_format(ms, zones[z], styles[k].lang, got, sizeof(got));
		else if (k == 2)
			rc = time_format_iso(ms, zones[z], got, sizeof(got));
		else
			rc = time_format_input(ms, zones[z], got, sizeof(got));
		assert_int_equal(rc, ZEK_OK);
		if (strcmp(got, want) != 0)
			fail_msg("%lld %s %s: got '%s', ICU says '%s'", (long long)ms,
			    zones[z], styles[k].pattern, got, want);
	}
	/* Both sides of Berlin's changes in 2026, a second apart. */
	for (ms = INT64_C(1774746000000) - 2000; ms < INT64_C(1774746000000) + 2000; ms += 1000) {
		icu_format(ms, "Europe/Berlin", "en_US_POSIX", "yyyy-MM-dd'T'HH:mm:ssxxx",
		    want, sizeof(want));
		assert_int_equal(time_format_iso(ms, "Europe/Berlin", got, sizeof(got)), ZEK_OK);
		assert_string_equal(got, want);
	}
	for (ms = INT64_C(1792890000000) - 2000; ms < INT64_C(1792890000000) + 2000; ms += 1000) {
		icu_format(ms, "Europe/Berlin", "de_DE", "dd.MM.yyyy, HH:mm", want,
		    sizeof(want));
		assert_int_equal(time_format(ms, "Europe/Berlin", "de", got, sizeof(got)), ZEK_OK);
		assert_string_equal(got, want);
	}
	/* Local mean time (an offset with seconds) is ICU's own text. */
	icu_format(INT64_C(-3000000000000), "Europe/Berlin", "en_US_POSIX",
	    "yyyy-MM-dd'T'HH:mm:ssxxx", want, sizeof(want));
	assert_iso(INT64_C(-3000000000000), "Europe/Berlin", want);
}

static void
test_format_errors(void **state)
{
	char out[64], small[17];

	assert_int_equal(time_format(WINTER, "Mars/Olympus", "de", out, sizeof(out)), ZEK_INVALID);
	assert_string_equal(out, "");
	assert_int_equal(time_format_iso(WINTER, NULL, out, sizeof(out)), ZEK_INVALID);
	assert_int_equal(time_format_iso(TIME_MIN_MS - 1, "UTC", out, sizeof(out)), ZEK_INVALID);
	assert_int_equal(time_format_iso(TIME_MAX_MS + 1, "UTC", out, sizeof(out)), ZEK_INVALID);
	assert_int_equal(time_format_iso(INT64_MIN, "UTC", out, sizeof(out)), ZEK_INVALID);
	assert_int_equal(time_format_iso(INT64_MAX, "UTC", out, sizeof(out)), ZEK_INVALID);
	/* "2026-11-27T16:42" is 16 bytes: it needs 17 with the NUL. */
	assert_int_equal(time_format_input(WINTER, "Europe/Berlin", small, 16), ZEK_TOOBIG);
	assert_string_equal(small, "");
	assert_int_equal(time_format_input(WINTER, "Europe/Berlin", small, 17), ZEK_OK);
	assert_string_equal(small, "2026-11-27T16:42");
	assert_int_equal(time_format(WINTER, "UTC", "de", small, 5), ZEK_TOOBIG);
	assert_int_equal(time_format(WINTER, "UTC", "de", small, 0), ZEK_TOOBIG);
}

static void
test_zone_valid(void **state)
{
	static const char *const good[] = {
		"Europe/Berlin", "UTC", "Etc/UTC", "America/New_York", "Asia/Kolkata",
		"America/Argentina/Buenos_Aires", "Europe/Kyiv", "America/Port-au-Prince",
	};
	static const char *const bad[] = {
		"", "Mars/Olympus", "europe/berlin", "Europe/Berlin ", " UTC", "GMT+01:00",
		"Etc/Unknown", "../etc/passwd", "Europe/Berlin\n", "Europe/Berlin/x",
		"Europe/Berlín",
		"Europe/Berlin_with_a_very_long_suffix_that_goes_past_the_sixty_four_limit",
	};
	size_t i;

	for (i = 0; i < ZEK_ARRAY_LEN(good); i++)
		if (!time_zone_valid(good[i]))
			fail_msg("refused %s", good[i]);
	for (i = 0; i < ZEK_ARRAY_LEN(bad); i++)
		if (time_zone_valid(bad[i]))
			fail_msg("accepted %s", bad[i]);
	assert_false(time_zone_valid(NULL));
	assert_true(time_zone_valid(TIME_DEFAULT_ZONE));
}

static void
test_parse(void **state)
{
	int64_t ms;
	char out[64];

	assert_int_equal(time_parse_input("2026-11-27T16:42", "Europe/Berlin", &ms), ZEK_OK);
	assert_int_equal(ms, WINTER);
	assert_int_equal(time_parse_input("2026-11-27T16:42:30", "Europe/Berlin", &ms), ZEK_OK);
	assert_int_equal(ms, WINTER + 30000);
	assert_int_equal(time_parse_input("2026-07-01T12:00", "Europe/Berlin", &ms), ZEK_OK);
	assert_int_equal(ms, SUMMER);
	assert_int_equal(time_parse_input("2026-07-01T06:00", "America/New_York", &ms), ZEK_OK);
	assert_int_equal(ms, SUMMER);
	assert_int_equal(time_parse_input("2026-07-01T10:00:00", "UTC", &ms), ZEK_OK);
	assert_int_equal(ms, SUMMER);
	assert_int_equal(time_parse_input("2028-02-29T00:00", "UTC", &ms), ZEK_OK);
	assert_int_equal(time_parse_input("2000-02-29T00:00", "UTC", &ms), ZEK_OK);
	assert_int_equal(time_parse_input("1970-01-01T00:00", "UTC", &ms), ZEK_OK);
	assert_int_equal(ms, 0);

	/* Spring forward in Berlin: 02:30 does not exist; it means 03:30 CEST. */
	assert_int_equal(time_parse_input("2026-03-29T02:30", "Europe/Berlin", &ms), ZEK_OK);
	assert_int_equal(time_format_iso(ms, "Europe/Berlin", out, sizeof(out)), ZEK_OK);
	assert_string_equal(out, "2026-03-29T03:30:00+02:00");
	/* Fall back: 02:30 happens twice; the earlier one (CEST) is taken. */
	assert_int_equal(time_parse_input("2026-10-25T02:30", "Europe/Berlin", &ms), ZEK_OK);
	assert_int_equal(time_format_iso(ms, "Europe/Berlin", out, sizeof(out)), ZEK_OK);
	assert_string_equal(out, "2026-10-25T02:30:00+02:00");
	assert_int_equal(time_parse_input("2026-10-25T03:30", "Europe/Berlin", &ms), ZEK_OK);
	assert_int_equal(time_format_iso(ms, "UTC", out, sizeof(out)), ZEK_OK);
	assert_string_equal(out, "2026-10-25T02:30:00+00:00");
}

static void
test_parse_invalid(void **state)
{
	static const char *const bad[] = {
		"", "2026-11-27", "2026-11-27 16:42", "2026-11-27t16:42", "2026-13-01T00:00",
		"2026-00-10T00:00", "2026-11-00T00:00", "2026-02-29T00:00", "1900-02-29T00:00",
		"2026-04-31T00:00", "2026-11-27T24:00", "2026-11-27T23:60", "2026-11-27T23:59:60",
		"1582-12-31T00:00", "0999-01-01T00:00", "10000-01-01T00:00", "2026-11-27T16:42:0",
		"2026-11-27T16:42Z", "2026-11-27T16:42+01", "2026-11-27T16:42:00.5",
		"2026-1a-27T16:42", "-026-11-27T16:42", "2026-11-27T1:42", "+2026-11-27T16:4",
		"2026/11/27T16:42", "2026-11-27T16-42", "2026-11-27T16:42:00Z",
		" 2026-11-27T16:42", "2026-11-27T16:42 ",
	};
	int64_t ms = 42;
	size_t i;

	for (i = 0; i < ZEK_ARRAY_LEN(bad); i++)
		if (time_parse_input(bad[i], "UTC", &ms) != ZEK_INVALID)
			fail_msg("accepted %s", bad[i]);
	assert_int_equal(ms, 42);
	assert_int_equal(time_parse_input(NULL, "UTC", &ms), ZEK_INVALID);
	assert_int_equal(time_parse_input("2026-11-27T16:42", "Mars/Olympus", &ms), ZEK_INVALID);
	assert_int_equal(time_parse_input("2026-11-27T16:42", "", &ms), ZEK_INVALID);
	assert_int_equal(time_parse_input("2026-11-27T16:42", NULL, &ms), ZEK_INVALID);
	assert_int_equal(ms, 42);
}

/* format_input(parse(x)) == x, on every hour of a year with two DST
 * changes, except the one hour that does not exist. */
static void
test_roundtrip(void **state)
{
	static const char *const zones[] = { "Europe/Berlin", "America/New_York", "UTC" };
	char in[32], out[32];
	int64_t ms, t;
	size_t z;
	int mismatches;

	for (z = 0; z < ZEK_ARRAY_LEN(zones); z++) {
		mismatches = 0;
		for (t = INT64_C(1767225600000); t < INT64_C(1798761600000); t += 3600 * 1000) {
			assert_int_equal(time_format_input(t, zones[z], in, sizeof(in)), ZEK_OK);
			assert_int_equal(time_parse_input(in, zones[z], &ms), ZEK_OK);
			assert_int_equal(time_format_input(ms, zones[z], out, sizeof(out)), ZEK_OK);
			assert_string_equal(in, out);
			if (ms != t)
				mismatches++;   /* the repeated hour maps to its first instance */
		}
		assert_int_equal(mismatches, z == 2 ? 0 : 1);
	}
}

static void
test_zone_list_and_now(void **state)
{
	struct arena *a = arena_new(0);
	const char **zones;
	size_t n, i;
	bool berlin = false;
	int64_t now = time_now_ms();

	assert_int_equal(time_zone_list(a, &zones, &n), ZEK_OK);
	assert_true(n > 300);
	for (i = 0; i < n; i++) {
		if (!time_zone_valid(zones[i]))
			fail_msg("listed zone %s is not valid", zones[i]);
		if (i > 0)
			assert_true(strcmp(zones[i - 1], zones[i]) < 0);
		berlin |= strcmp(zones[i], "Europe/Berlin") == 0;
	}
	assert_true(berlin);
	assert_null(zones[n]);
	arena_free(a);

	assert_true(now > INT64_C(1704067200000));     /* after 2024-01-01 */
	assert_true(now / 1000 - (int64_t)time(NULL) <= 1);
	assert_true((int64_t)time(NULL) - now / 1000 <= 1);
}

/* The picker: current IANA names (ICU 72 lists Asia/Calcutta), each one
 * valid, ordered by offset without daylight saving, then city. */
static void
test_zone_picker(void **state)
{
	const struct time_zone_entry *e;
	size_t n, i, found = 0;

	assert_int_equal(time_zone_picker(&e, &n), ZEK_OK);
	assert_true(n > 300);
	for (i = 0; i < n; i++) {
		if (!time_zone_valid(e[i].id))
			fail_msg("picker zone %s is not valid", e[i].id);
		if (strcmp(e[i].id, "Asia/Calcutta") == 0 ||
		    strcmp(e[i].id, "Europe/Kiev") == 0)
			fail_msg("old name %s", e[i].id);
		if (i > 0)
			assert_true(e[i - 1].raw_offset_ms < e[i].raw_offset_ms ||
			    (e[i - 1].raw_offset_ms == e[i].raw_offset_ms &&
			    strcmp(e[i - 1].city, e[i].city) <= 0));
		if (strcmp(e[i].id, "Asia/Kolkata") == 0) {
			assert_int_equal(e[i].raw_offset_ms, 330 * 60000);
			found++;
		}
		if (strcmp(e[i].id, "Europe/Kyiv") == 0 ||
		    strcmp(e[i].id, "America/Argentina/Buenos_Aires") == 0)
			found++;
		if (strcmp(e[i].id, "Europe/Berlin") == 0) {
			assert_int_equal(e[i].raw_offset_ms, 3600000);
			assert_string_equal(e[i].city, "Berlin");
			found++;
		}
	}
	assert_int_equal(found, 4);
	assert_true(e[0].raw_offset_ms <= -11 * 3600000);
	assert_string_equal(time_zone_current_name("Asia/Calcutta"),
	    "Asia/Kolkata");
	assert_string_equal(time_zone_current_name("Europe/Berlin"),
	    "Europe/Berlin");
}

static void *
format_loop(void *p)
{
	int *failures = p;
	char out[64];
	int64_t ms;
	int i;

	for (i = 0; i < 300; i++) {
		if (time_format(WINTER, i % 2 ? "Europe/Berlin" : "America/New_York",
		    i % 3 ? "de" : "en", out, sizeof(out)) != ZEK_OK)
			(*failures)++;
		else if (strcmp(out, i % 2 ? (i % 3 ? "27.11.2026, 16:42" : "27 Nov 2026, 16:42")
		    : (i % 3 ? "27.11.2026, 10:42" : "27 Nov 2026, 10:42")) != 0)
			(*failures)++;
		if (time_parse_input("2026-11-27T16:42", "Europe/Berlin", &ms) != ZEK_OK || ms != WINTER)
			(*failures)++;
	}
	return NULL;
}

static void
test_threads(void **state)
{
	pthread_t th[8];
	int failures[8] = { 0 };
	size_t i;

	for (i = 0; i < 8; i++)
		assert_int_equal(pthread_create(&th[i], NULL, format_loop, &failures[i]), 0);
	for (i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(failures[i], 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_zones),
		cmocka_unit_test(test_format_cache),
		cmocka_unit_test(test_format_matches_icu),
		cmocka_unit_test(test_format_errors),
		cmocka_unit_test(test_zone_valid),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_invalid),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_zone_list_and_now),
		cmocka_unit_test(test_zone_picker),
		cmocka_unit_test(test_threads),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
