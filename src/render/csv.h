/* csv.h: CSV text for spreadsheets (RFC 4180 quoting, formulas neutralised). */
#ifndef ZEK_RENDER_CSV_H
#define ZEK_RENDER_CSV_H

#include <stdbool.h>

struct buf;

/*
 * The files are for German Excel first: UTF-8 with a byte order mark
 * (without it Excel reads UTF-8 as Windows-1252), cells separated by ";"
 * (a German Excel reads "," as part of the cell), rows ended by CRLF.
 * A cell is quoted when it holds ";", '"', CR or LF, with quotes doubled
 * (RFC 4180). A cell that a spreadsheet would run as a formula (it starts
 * with "=", "+", "-", "@", a tab or CR) gets a leading apostrophe, so
 * that text a customer typed is never a formula in an agent's Excel
 * (CSV injection).
 */
#define CSV_BOM "\xEF\xBB\xBF"
#define CSV_SEP ';'

/* Appends cell s (NULL = empty), after a separator unless `first`.
 * Failures stay in b->failed. */
void csv_cell(struct buf *b, const char *s, bool first);
/* Ends the row. */
void csv_row_end(struct buf *b);

#endif
