/* Unit tests for lib/arena.c and lib/buf.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/str.h"
#include "lib/buf.h"
#include "lib/utf8.h"
#include "lib/zek.h"

static void
test_alloc_and_limit(void **state)
{
	struct arena *a = arena_new(1000);
	char *s;

	assert_non_null(a);
	s = arena_strdup(a, "hello");
	assert_string_equal(s, "hello");
	assert_null(arena_alloc(a, 2000));
	assert_non_null(arena_alloc(a, 100));
	arena_free(a);
}

static void
test_big_blocks(void **state)
{
	struct arena *a = arena_new(0);
	char *big = arena_alloc(a, 100000);

	assert_non_null(big);
	memset(big, 'x', 100000);
	assert_string_equal(arena_printf(a, "%d-%s", 42, "z"), "42-z");
	arena_free(a);
}

static int cleaned;
static void cleanup(void *p) { cleaned += *(int *)p; }

static void
test_defer_and_fail(void **state)
{
	struct arena *a = arena_new(0);
	static int one = 1;

	cleaned = 0;
	arena_defer(a, cleanup, &one);
	arena_fail_after(a, 2);
	assert_non_null(arena_alloc(a, 8));
	assert_null(arena_alloc(a, 8));
	assert_null(arena_alloc(a, 8));
	arena_free(a);
	assert_int_equal(cleaned, 1);
}

#ifdef ZEK_TEST_HOOKS
/* The test hook: an arena's injected failure shared by every allocation
 * of the thread (other arenas, buffers) while it is the fault scope. */
static void
test_fault_scope(void **state)
{
	struct arena *a = arena_new(0), *other = arena_new(0);
	struct buf b;
	int hit;

	assert_int_equal(arena_fault_count(a, &hit), -1);
	arena_fail_after(a, 4);     /* the 4th allocation fails */
	arena_fault_scope(a);
	buf_init(&b, 1 << 20);
	assert_non_null(arena_alloc(a, 8));                 /* 1 */
	assert_int_equal(buf_puts(&b, "x"), 0);             /* 2: first growth */
	assert_int_equal(buf_puts(&b, "y"), 0);             /* no growth: free */
	assert_int_equal(arena_fault_count(a, &hit), 2);
	assert_false(hit);
	assert_non_null(arena_alloc(other, 8));             /* 3 */
	assert_null(arena_alloc(other, 8));                 /* 4: fails */
	assert_int_equal(arena_fault_count(a, &hit), 4);
	assert_true(hit);
	/* From then on everything fails: growth, arenas, new arenas. */
	assert_int_equal(buf_printf(&b, "%0300d", 1), ZEK_NOMEM);
	assert_null(arena_alloc(a, 8));
	assert_null(arena_new(0));
	buf_free(&b);
	/* Outside the scope other arenas are on their own again. */
	arena_fault_scope(NULL);
	assert_non_null(arena_alloc(other, 8));
	assert_null(arena_alloc(a, 8));
	arena_fail_after(a, 0);
	assert_non_null(arena_alloc(a, 8));
	arena_free(other);
	arena_free(a);
}
#endif

static void
test_buf_max(void **state)
{
	struct buf b;

	buf_init(&b, 8);
	assert_int_equal(buf_puts(&b, "1234"), 0);
	assert_int_not_equal(buf_puts(&b, "56789"), 0);
	assert_true(b.failed != 0);
	assert_string_equal(b.data, "1234");
	buf_free(&b);
}

static void
test_utf8(void **state)
{
	assert_true(utf8_valid("Gr\xc3\xbc\xc3\x9f" "e", 6));
	assert_false(utf8_valid("\xc3\x28", 2));
	assert_false(utf8_valid("\xed\xa0\x80", 3));       /* surrogate */
	assert_false(utf8_valid("\xc0\xaf", 2));           /* overlong */
	assert_false(utf8_valid("a\0b", 3));
	/* Long ASCII runs are read 8 bytes at a time: a bad byte or a NUL
	 * at any place in or after a run is still found. */
	{
		char text[40];
		size_t at;

		memset(text, 'x', sizeof(text));
		assert_true(utf8_valid(text, sizeof(text)));
		for (at = 0; at < sizeof(text); at++) {
			text[at] = '\xff';
			assert_false(utf8_valid(text, sizeof(text)));
			text[at] = '\0';
			assert_false(utf8_valid(text, sizeof(text)));
			text[at] = 'x';
		}
		memcpy(text + 17, "\xc3\xbc", 2);            /* ü inside */
		assert_true(utf8_valid(text, sizeof(text)));
		assert_false(utf8_valid(text, 18));            /* cut in half */
	}
	assert_true(utf8_clean_text("a\nb", 3, true));
	assert_false(utf8_clean_text("a\nb", 3, false));
	assert_false(utf8_clean_text("a\x1b", 2, true));
}

/* The one folding of addresses and names: every spelling of "strasse"
 * and "support" folds alike, invalid and over-long input folds to nothing. */
static void
test_utf8_fold(void **state)
{
	static const char *const same[][2] = {
		{ "\u017Fupport@example.org", "support@example.org" },
		{ "SUPPORT@EXAMPLE.ORG", "support@example.org" },
		{ "\u212Aim", "kim" },
		{ "Stra\u00DFe", "strasse" },
		{ "STRA\u1E9EE", "strasse" },
		{ "\uFB00\uFB01\uFB06", "fffist" },
		{ "\u00DCbersicht", "\u00FCbersicht" },
	};
	char *f, *big;
	size_t i;

	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		f = utf8_fold(same[i][0]);
		assert_non_null(f);
		assert_string_equal(f, same[i][1]);
		free(f);
	}
	assert_null(utf8_fold("\xc3\x28"));
	assert_null(utf8_fold(NULL));
	big = malloc(UTF8_FOLD_MAX + 1);
	assert_non_null(big);
	memset(big, 'a', UTF8_FOLD_MAX);
	big[UTF8_FOLD_MAX] = '\0';
	assert_null(utf8_fold(big));
	free(big);
}

static void
test_buf_put_percent(void **state)
{
	struct buf b;

	buf_init(&b, 64);
	assert_int_equal(buf_put_percent(&b, "/a b/\xc3\xa4~", 8, "/"), 0);
	assert_string_equal(b.data, "/a%20b/%C3%A4~");
	buf_reset(&b);
	assert_int_equal(buf_put_percent(&b, "x/y\0z", 5, ""), 0);
	assert_string_equal(b.data, "x%2Fy%00z");
	buf_free(&b);
	buf_init(&b, 4);
	assert_int_equal(buf_put_percent(&b, "  ", 2, ""), ZEK_TOOBIG);
	buf_free(&b);
}

/* Room for one more element: the same array while it lasts, twice the
 * size after, and NULL (the old array kept) where the size overflows. */
static void
test_grow(void **state)
{
	struct arena *a = arena_new(1 << 20);
	size_t cap = 0, i;
	int *v = NULL, *w;

	(void)state;
	for (i = 0; i < 20; i++) {
		v = arena_grow(a, v, i, &cap, sizeof(*v));
		assert_non_null(v);
		v[i] = (int)i;
	}
	assert_int_equal(cap, 32);
	for (i = 0; i < 20; i++)
		assert_int_equal(v[i], (int)i);
	w = arena_grow(a, v, 20, &cap, sizeof(*v));
	assert_ptr_equal(w, v);
	cap = SIZE_MAX / 2 + 1;
	assert_null(arena_grow(a, v, cap, &cap, sizeof(*v)));
	assert_int_equal(cap, SIZE_MAX / 2 + 1);
	arena_free(a);
}

/* The enum tables: a code's index, none for unknown, NULL or "" codes. */
static void
test_str_table(void **state)
{
	static const char *const t[] = { "", "agent", NULL, "admin" };

	(void)state;
	assert_int_equal(str_table_find(t, 4, "agent"), 1);
	assert_int_equal(str_table_find(t, 4, "admin"), 3);
	assert_int_equal(str_table_find(t, 3, "admin"), -1);
	assert_int_equal(str_table_find(t, 4, ""), -1);
	assert_int_equal(str_table_find(t, 4, NULL), -1);
	assert_int_equal(str_table_find(t, 4, "Agent"), -1);
	assert_string_equal(str_table_at(t, 4, 1), "agent");
	assert_string_equal(str_table_at(t, 4, 2), "");
	assert_string_equal(str_table_at(t, 4, 4), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc_and_limit),
		cmocka_unit_test(test_big_blocks),
		cmocka_unit_test(test_defer_and_fail),
#ifdef ZEK_TEST_HOOKS
		cmocka_unit_test(test_fault_scope),
#endif
		cmocka_unit_test(test_buf_max),
		cmocka_unit_test(test_buf_put_percent),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_utf8_fold),
		cmocka_unit_test(test_grow),
		cmocka_unit_test(test_str_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
