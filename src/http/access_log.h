/* access_log.h: one line per answered request on standard error, written
 * in batches: the server's threads append to a shared buffer, and the
 * buffer goes out when it is full or when access_log_flush is called (the
 * main thread does so every quarter second, and at the end). A line is
 * never split between two writes, so error messages written to standard
 * error meanwhile land between whole lines. */
#ifndef ZEK_HTTP_ACCESS_LOG_H
#define ZEK_HTTP_ACCESS_LOG_H

#include <stddef.h>

/* Appends one line (printf format; the newline is added). Lines over
 * 1 KiB are cut. Thread-safe. */
void access_log_line(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
/* s as one field of a line: control characters, spaces, '%' and DEL as
 * %XX, so that a decoded path can neither split the line or its fields nor
 * send escape sequences to a terminal. Written to out (cap bytes, cut to
 * fit); returns out. */
const char *access_log_field(char *out, size_t cap, const char *s);
/* Writes what is buffered. Thread-safe. */
void access_log_flush(void);

#endif
