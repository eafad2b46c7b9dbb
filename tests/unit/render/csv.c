/* Unit tests for render/csv.c: quoting as RFC 4180 says, formulas neutralised. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "lib/buf.h"
#include "render/csv.h"

/* One row of the given cells as the file holds it. */
static void
assert_row(const char *const *cells, size_t n, const char *want)
{
	struct buf b;

	buf_init(&b, 1 << 16);
	for (size_t i = 0; i < n; i++)
		csv_cell(&b, cells[i], i == 0);
	csv_row_end(&b);
	assert_int_equal(b.failed, 0);
	buf_putc(&b, '\0');
	assert_string_equal(b.data, want);
	buf_free(&b);
}

static void
test_plain_cells_stay_as_they_are(void **state)
{
	const char *row[] = { "ZEK-12", "Drucker im Bürgeramt", "", NULL,
	    "a,b", "50 % - 3" };

	(void)state;
	assert_row(row, 6, "ZEK-12;Drucker im Bürgeramt;;;a,b;50 % - 3\r\n");
}

static void
test_separators_quotes_and_line_breaks_are_quoted(void **state)
{
	const char *row[] = { "eins; zwei", "Er sagte \"Hallo\"", "Zeile 1\nZeile 2",
	    "CR\rLF", "\"" };

	(void)state;
	assert_row(row, 5, "\"eins; zwei\";\"Er sagte \"\"Hallo\"\"\";"
	    "\"Zeile 1\nZeile 2\";\"CR\rLF\";\"\"\"\"\r\n");
}

static void
test_formulas_become_text(void **state)
{
	const char *row[] = { "=HYPERLINK(\"http://evil\")", "+49 30 1234", "-5",
	    "@SUM(A1)", "\tTab", "a=b", "=1;2" };

	(void)state;
	assert_row(row, 7, "\"'=HYPERLINK(\"\"http://evil\"\")\";'+49 30 1234;"
	    "'-5;'@SUM(A1);'\tTab;a=b;\"'=1;2\"\r\n");
}

static void
test_a_full_buffer_is_reported(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 8);
	csv_cell(&b, "zu lang für acht Bytes", true);
	assert_int_not_equal(b.failed, 0);
	buf_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_cells_stay_as_they_are),
		cmocka_unit_test(test_separators_quotes_and_line_breaks_are_quoted),
		cmocka_unit_test(test_formulas_become_text),
		cmocka_unit_test(test_a_full_buffer_is_reported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
