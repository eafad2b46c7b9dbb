/* fuzz.h: what every libFuzzer target in tests/fuzz/ shares. */
#ifndef ZEK_FUZZ_H
#define ZEK_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The entry point libFuzzer (or replay.c in builds without clang) calls. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant that failed: say which and crash, so that libFuzzer saves
 * the input as crash-* and the replay test fails. */
#define FUZZ_CHECK(cond, ...) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: invariant failed: %s: ", __FILE__, \
		    __LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__); \
		fputc('\n', stderr); \
		abort(); \
	} \
} while (0)

/* A NUL-terminated heap copy of data[0..n); the caller frees it. */
static inline char *
fuzz_strndup(const uint8_t *data, size_t n)
{
	char *s = malloc(n + 1);

	if (s == NULL)
		abort();
	if (n > 0)
		memcpy(s, data, n);
	s[n] = '\0';
	return s;
}

/* Splits data at the first occurrence of sep: *head gets what comes
 * before it, *tail what follows (both 0 bytes long when sep is absent,
 * then head is all of data). */
static inline void
fuzz_split(const uint8_t *data, size_t size, const char *sep,
    size_t *head, const uint8_t **tail, size_t *tail_len)
{
	size_t n = strlen(sep);
	const uint8_t *hit = n <= size ? memmem(data, size, sep, n) : NULL;

	if (hit == NULL) {
		*head = size;
		*tail = data + size;
		*tail_len = 0;
		return;
	}
	*head = (size_t)(hit - data);
	*tail = hit + n;
	*tail_len = size - *head - n;
}

#endif
