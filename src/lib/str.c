/* str.c: small string helpers. */
#include "str.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool
str_eq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

bool
str_caseeq(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcasecmp(a, b) == 0;
}

bool
str_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool
str_empty(const char *s)
{
	return s == NULL || *s == '\0';
}

char *
str_trim(char *s)
{
	size_t n;
	char *p = s;

	while (*p != '\0' && isspace((unsigned char)*p))
		p++;
	n = strlen(p);
	while (n > 0 && isspace((unsigned char)p[n - 1]))
		n--;
	memmove(s, p, n);
	s[n] = '\0';
	return s;
}

int
str_to_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int
str_to_bool(const char *s, bool *out)
{
	if (str_caseeq(s, "1") || str_caseeq(s, "true") || str_caseeq(s, "on"))
		*out = true;
	else if (str_caseeq(s, "0") || str_caseeq(s, "false") ||
	    str_caseeq(s, "off"))
		*out = false;
	else
		return -1;
	return 0;
}

size_t
str_lcpy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size > 0) {
		size_t k = n < size - 1 ? n : size - 1;
		memcpy(dst, src, k);
		dst[k] = '\0';
	}
	return n;
}

int
str_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
str_table_find(const char *const *table, size_t n, const char *code)
{
	size_t i;

	if (str_empty(code))
		return -1;
	for (i = 0; i < n; i++)
		if (table[i] != NULL && strcmp(table[i], code) == 0)
			return (int)i;
	return -1;
}

const char *
str_table_at(const char *const *table, size_t n, size_t i)
{
	return i < n && table[i] != NULL ? table[i] : "";
}
