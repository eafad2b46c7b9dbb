/* buf.h: growable byte buffers with a hard maximum. */
#ifndef ZEK_BUF_H
#define ZEK_BUF_H

#include <stdarg.h>
#include <stddef.h>

/* A heap buffer that never grows beyond `max` bytes. Once an append fails
 * the buffer is marked `failed` and every later append is a no-op, so a
 * caller may append many times and check once at the end. data is always
 * NUL-terminated when non-NULL. */
struct buf {
	char *data;
	size_t len;
	size_t cap;
	size_t max;
	int failed; /* ZEK_NOMEM or ZEK_TOOBIG after a failed append, else 0 */
};

void buf_init(struct buf *b, size_t max);
/* Each returns 0, or the zek_rc that made it fail. */
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_putc(struct buf *b, char c);
int buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Appends s[0..len) percent-encoded (RFC 3986): the unreserved characters
 * A-Z a-z 0-9 - . _ ~ and those in `keep` ("/" for a path, "" for one
 * component) as they are, every other byte as %XX in upper case. */
int buf_put_percent(struct buf *b, const char *s, size_t len, const char *keep);
void buf_reset(struct buf *b);
/* Hands the bytes to the caller (who frees them with free()) and resets b. */
char *buf_steal(struct buf *b, size_t *len);
void buf_free(struct buf *b);

#endif
