/* access_log.c: batched access log lines on standard error. */
#include "http/access_log.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* 16 KiB: about 150 lines, so a busy server writes a few times per
 * second instead of once per request. */
#define ACCESS_LOG_BUF 16384
#define ACCESS_LOG_LINE 1024

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_buf[ACCESS_LOG_BUF];
static size_t log_len;

/* Caller holds log_lock. A failed write drops the lines: the server keeps
 * serving, as it did when fprintf to standard error failed. */
static void
write_out(void)
{
	size_t off = 0;
	ssize_t n;

	while (off < log_len) {
		n = write(STDERR_FILENO, log_buf + off, log_len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	log_len = 0;
}

void
access_log_line(const char *fmt, ...)
{
	char line[ACCESS_LOG_LINE];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 2)
		n = (int)sizeof(line) - 2;      /* cut; keep room for '\n' */
	line[n++] = '\n';
	pthread_mutex_lock(&log_lock);
	if (log_len + (size_t)n > sizeof(log_buf))
		write_out();
	memcpy(log_buf + log_len, line, (size_t)n);
	log_len += (size_t)n;
	pthread_mutex_unlock(&log_lock);
}

const char *
access_log_field(char *out, size_t cap, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	unsigned char ch;
	size_t n = 0;

	if (cap == 0)
		return out;
	for (; *s != '\0'; s++) {
		ch = (unsigned char)*s;
		if (ch > ' ' && ch != '%' && ch != 0x7f) {
			if (n + 1 >= cap)
				break;
			out[n++] = (char)ch;
			continue;
		}
		if (n + 3 >= cap)
			break;
		out[n++] = '%';
		out[n++] = hex[ch >> 4];
		out[n++] = hex[ch & 15];
	}
	out[n] = '\0';
	return out;
}

void
access_log_flush(void)
{
	pthread_mutex_lock(&log_lock);
	write_out();
	pthread_mutex_unlock(&log_lock);
}
