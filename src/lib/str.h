/* str.h: small string helpers that the C library lacks. */
#ifndef ZEK_STR_H
#define ZEK_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

bool str_eq(const char *a, const char *b);     /* NULL-safe */
bool str_caseeq(const char *a, const char *b); /* ASCII, NULL-safe */
bool str_starts(const char *s, const char *prefix);
bool str_empty(const char *s); /* NULL or "" */
/* Trims ASCII white space at both ends in place; returns s. */
char *str_trim(char *s);
/* Parses a whole decimal integer in [min, max]; returns 0 or -1. */
int str_to_i64(const char *s, int64_t min, int64_t max, int64_t *out);
/* Parses a yes/no value strictly: "1", "true", "on" are true; "0",
 * "false", "off" false (ASCII case ignored); anything else, NULL included,
 * returns -1 and leaves *out alone. Returns 0 when parsed. */
int str_to_bool(const char *s, bool *out);
/* Copies at most size-1 bytes and terminates; returns the length of src. */
size_t str_lcpy(char *dst, const char *src, size_t size);

/* The value of one hexadecimal digit, or -1. */
int str_hexval(char c);

#endif
