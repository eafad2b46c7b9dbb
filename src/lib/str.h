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

/* The index of `code` among the n codes of `table`, or -1; NULL and ""
 * match no entry. */
int str_table_find(const char *const *table, size_t n, const char *code);
/* table[i], or "" when i is out of range or the entry is NULL. */
const char *str_table_at(const char *const *table, size_t n, size_t i);

/*
 * The two functions of an enum whose values are named by a table of
 * codes, defined once: name(v) gives v's code ("" when out of range) and
 * from(code, &v) finds it, false for an unknown code.
 */
#define STR_TABLE_FUNCS(type, table, n, name, from) \
	const char *name(type v) \
	{ \
		return str_table_at((table), (n), (size_t)v); \
	} \
	bool from(const char *code, type *out) \
	{ \
		int i_ = str_table_find((table), (n), code); \
		if (i_ >= 0) \
			*out = (type)i_; \
		return i_ >= 0; \
	}

#endif
