/* mailtest.h: a small, strict MIME reader for the mail unit tests. */
#ifndef ZEK_TEST_MAILTEST_H
#define ZEK_TEST_MAILTEST_H

#include <stddef.h>

/* The value of header `name` as written (folds kept), malloc'd; NULL if absent. */
char *mt_header_raw(const char *msg, const char *name);
/* The value unfolded and with RFC 2047 encoded words decoded, malloc'd. */
char *mt_header(const char *msg, const char *name);
/* The decoded body of the part with Content-Type `type` (or of the
 * single-part message of that type), malloc'd; fails the test if absent. */
char *mt_part(const char *msg, const char *type);
/* Decodes quoted-printable; *len gets the length. malloc'd. */
char *mt_qp_decode(const char *s, size_t *len);
/* Every line ends in CRLF (the last may be unterminated), holds only 7-bit
 * characters and is at most max long. */
void mt_assert_lines(const char *s, size_t max);
/* Headers end with an empty line; each header line is one we write (or a
 * continuation), lines with encoded words are at most 76 long, everything
 * is 7-bit with CRLF line ends and at most 998 per line. */
void mt_assert_wellformed(const char *msg);

#endif
