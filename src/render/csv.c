/* csv.c: CSV cells and rows as spreadsheets read them (see csv.h). */
#include "render/csv.h"

#include <string.h>

#include "lib/buf.h"

/* Would a spreadsheet take the cell for a formula? */
static bool
is_formula(const char *s)
{
	return s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
}

void
csv_cell(struct buf *b, const char *s, bool first)
{
	bool quote;

	if (s == NULL)
		s = "";
	if (!first)
		buf_putc(b, CSV_SEP);
	quote = strpbrk(s, ";\"\r\n") != NULL;
	if (quote)
		buf_putc(b, '"');
	if (is_formula(s))
		buf_putc(b, '\'');
	for (; *s != '\0'; s++) {
		if (*s == '"')
			buf_putc(b, '"');
		buf_putc(b, *s);
	}
	if (quote)
		buf_putc(b, '"');
}

void
csv_row_end(struct buf *b)
{
	buf_puts(b, "\r\n");
}
