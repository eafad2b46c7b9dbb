/* utf8.h: UTF-8 validation; invalid input is refused, never stored. */
#ifndef ZEK_UTF8_H
#define ZEK_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..n) is well-formed UTF-8 (no overlongs, no surrogates,
 * nothing above U+10FFFF) and holds no NUL byte. */
bool utf8_valid(const char *s, size_t n);

/* True when it is valid and holds no control characters other than
 * tab, CR and LF. For single-line fields, `allow_newlines` false also
 * refuses CR and LF. */
bool utf8_clean_text(const char *s, size_t n, bool allow_newlines);

/* Number of code points in a valid string. */
size_t utf8_length(const char *s, size_t n);

struct arena;

#define UTF8_FOLD_MAX 4096 /* UTF-16 units folded at most */

/* Full Unicode case folding (ICU, default mode) of the NUL-terminated
 * UTF-8 string s into a malloc'd string the caller frees: "ſ" and "S"
 * both become "s", "K" (Kelvin) "k", "ß" and "ẞ" "ss", "ﬀ" "ff". The one
 * folding for every comparison of names and e-mail addresses (the stored
 * *_fold columns, look-ups, search, sign-in throttling), so that two
 * spellings equal in one place are equal in all. NULL when s is invalid,
 * longer than UTF8_FOLD_MAX units, or memory runs out. */
char *utf8_fold(const char *s);
/* utf8_fold into the arena a, for callers that keep the folding for one
 * request. NULL as utf8_fold. */
char *utf8_fold_in(struct arena *a, const char *s);

#endif
