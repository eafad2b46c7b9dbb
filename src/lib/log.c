/* log.c: event and access log lines on standard error, text or JSON, with request ids. */
#include "lib/log.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* 16 KiB: about 150 access lines, so a busy server writes a few times per
 * second instead of once per request. */
#define BATCH_MAX 16384
/* Room kept at the end of a line for what closes it: a quote, the
 * "truncated" mark, braces and the newline. */
#define LINE_RESERVE 48
/* "<3>": the syslog priority the journal reads off a line's start. */
#define PRIORITY_MAX 4
/* A field goes in only with this much room after its key: enough for
 * any number, or a quote and a few characters of a string. */
#define VALUE_START 24

static pthread_mutex_t batch_lock = PTHREAD_MUTEX_INITIALIZER;
static char batch[BATCH_MAX];
static size_t batch_len;

static enum log_format log_fmt = LOG_FORMAT_TEXT;
static enum log_level log_min = LOG_LEVEL_INFO;
static bool to_journal;
static atomic_uint_fast64_t lines_written[LOG_LEVEL_MAX];

static _Thread_local char current_id[LOG_ID_MAX];

static const char *const level_names[LOG_LEVEL_MAX] = { "error", "warning",
	"info", "debug" };
/* syslog(3) priorities: LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG. */
static const int level_priority[LOG_LEVEL_MAX] = { 3, 4, 6, 7 };

const char *
log_level_name(enum log_level level)
{
	return level < LOG_LEVEL_MAX ? level_names[level] : "?";
}

int
log_level_parse(const char *s, enum log_level *out)
{
	size_t i;

	for (i = 0; s != NULL && i < LOG_LEVEL_MAX; i++)
		if (strcmp(s, level_names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	return -1;
}

int
log_format_parse(const char *s, enum log_format *out)
{
	if (s != NULL && strcmp(s, "text") == 0)
		*out = LOG_FORMAT_TEXT;
	else if (s != NULL && strcmp(s, "json") == 0)
		*out = LOG_FORMAT_JSON;
	else
		return -1;
	return 0;
}

/* systemd sets JOURNAL_STREAM to the device and inode of the stream that
 * it connected to standard error; a redirected stderr has others. */
static bool
stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	return js != NULL && sscanf(js, "%llu:%llu", &dev, &ino) == 2 &&
	    fstat(STDERR_FILENO, &st) == 0 &&
	    (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

void
log_setup(enum log_format format, enum log_level min)
{
	log_fmt = format;
	log_min = min < LOG_LEVEL_MAX ? min : LOG_LEVEL_DEBUG;
	to_journal = stderr_is_journal();
}

/* ---- building a line ---------------------------------------------- */

struct out {
	char *p;
	size_t len;
	size_t cap;  /* for content; the reserve lies beyond */
	size_t hard; /* the buffer's size */
	bool full;   /* something was left out */
};

/* Appends n bytes whole or not at all (then the line is full). */
static bool
put(struct out *o, const char *s, size_t n)
{
	if (o->full || o->len + n > o->cap) {
		o->full = true;
		return false;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	return true;
}

static bool
puts_(struct out *o, const char *s)
{
	return put(o, s, strlen(s));
}

/* For what closes a line: uses the reserve. */
static void
put_close(struct out *o, const char *s)
{
	size_t n = strlen(s);

	if (o->len + n < o->hard) {
		memcpy(o->p + o->len, s, n);
		o->len += n;
	}
}

/* The code point at s (left bytes): its length, or 0 when the bytes are
 * no well-formed UTF-8 (overlong, surrogate, beyond U+10FFFF, cut). */
static size_t
utf8_next(const unsigned char *s, size_t left, uint32_t *cp)
{
	size_t n, i;
	uint32_t c = s[0];

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, c &= 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, c &= 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, c &= 0x07;
	else
		return 0;
	if (n > left)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) ||
	    (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* Characters that would end a line, move the cursor or start a terminal
 * sequence: C0, DEL and C1 (U+009B is a CSI of its own). */
static bool
is_control(uint32_t cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0);
}

/* One character of s escaped for a quoted text value or a JSON string
 * into esc; returns its length (0: none, copy the n bytes as they are). */
static size_t
escape_one(bool json, const unsigned char *s, size_t n, uint32_t cp,
    char esc[16])
{
	if (n == 0) /* a byte that is no UTF-8 */
		return json ? (size_t)snprintf(esc, 16, "\\ufffd") :
		              (size_t)snprintf(esc, 16, "\\x%02x", s[0]);
	switch (cp) {
	case '"':
		return (size_t)snprintf(esc, 16, "\\\"");
	case '\\':
		return (size_t)snprintf(esc, 16, "\\\\");
	case '\n':
		return (size_t)snprintf(esc, 16, "\\n");
	case '\r':
		return (size_t)snprintf(esc, 16, "\\r");
	case '\t':
		return (size_t)snprintf(esc, 16, "\\t");
	default:
		break;
	}
	/* U+2028 and U+2029 end lines for JavaScript readers of JSON. */
	if (is_control(cp) || (json && (cp == 0x2028 || cp == 0x2029)))
		return (size_t)snprintf(esc, 16, "\\u%04" PRIx32, cp);
	return 0;
}

/* s escaped (without quotes); stops where the line is full. */
static void
put_escaped(struct out *o, bool json, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t left = strlen(s), n, e;
	uint32_t cp = 0;
	char esc[16];

	while (left > 0 && !o->full) {
		n = utf8_next(u, left, &cp);
		e = escape_one(json, u, n, cp, esc);
		if (e > 0)
			put(o, esc, e);
		else
			put(o, (const char *)u, n);
		n = n > 0 ? n : 1;
		u += n;
		left -= n;
	}
}

/* Whether a text value can stand without quotes: not empty, and no space,
 * quote, backslash, '=' or control character in it. */
static bool
is_bare(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t left = strlen(s), n;
	uint32_t cp;

	if (left == 0)
		return false;
	while (left > 0) {
		n = utf8_next(u, left, &cp);
		if (n == 0 || cp <= ' ' || cp == '"' || cp == '\\' ||
		    cp == '=' || is_control(cp))
			return false;
		u += n;
		left -= n;
	}
	return true;
}

static void
put_value(struct out *o, bool json, const struct log_field *f)
{
	char num[24];
	const char *s = f->s != NULL ? f->s : "";

	if (f->kind == LOG_FIELD_INT) {
		snprintf(num, sizeof(num), "%" PRId64, f->n);
		put(o, num, strlen(num));
		return;
	}
	if (!json && is_bare(s)) {
		put_escaped(o, false, s); /* cut, but never mid-character */
		return;
	}
	if (put(o, "\"", 1)) {
		put_escaped(o, json, s);
		put_close(o, "\"");
	}
}

/* ,"key": in JSON (no comma before the first), else " key=" */
static bool
put_key(struct out *o, bool json, bool first, const char *key)
{
	if (!json)
		return put(o, " ", 1) && puts_(o, key) && put(o, "=", 1);
	return put(o, first ? "\"" : ",\"", first ? 1 : 2) && puts_(o, key) &&
	    put(o, "\":", 2);
}

/* Writes "key=" or "\"key\":" and the value; a field is left out whole
 * unless its key and the start of its value fit (a number, or a quote and
 * a few characters: a value is cut, but always closed). */
static void
put_fields(struct out *o, bool json, const struct log_field *f)
{
	size_t mark;
	bool first = true;

	for (; f != NULL && f->key != NULL && !o->full; f++) {
		mark = o->len;
		if (!put_key(o, json, first, f->key) ||
		    o->len + VALUE_START > o->cap) {
			o->len = mark;
			o->full = true;
			break;
		}
		put_value(o, json, f);
		first = false;
	}
}

static void
format_time(char out[32], int64_t now_ms)
{
	time_t t = (time_t)(now_ms / 1000);
	struct tm tm;

	size_t n;

	gmtime_r(&t, &tm);
	n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, 32 - n, ".%03uZ", (unsigned)(now_ms % 1000) % 1000u);
}

static void
format_json(struct out *o, enum log_level level, const char *id,
    const char *component, const char *msg, const struct log_field *f,
    int64_t now_ms)
{
	char when[32];

	format_time(when, now_ms);
	puts_(o, "{\"time\":\"");
	puts_(o, when);
	puts_(o, "\",\"level\":\"");
	puts_(o, log_level_name(level));
	puts_(o, "\",\"component\":\"");
	put_escaped(o, true, component);
	puts_(o, "\",\"msg\":\"");
	put_escaped(o, true, msg);
	if (id[0] != '\0') {
		puts_(o, "\",\"request_id\":\"");
		put_escaped(o, true, id);
		puts_(o, "\"");
	} else {
		puts_(o, "\",\"request_id\":null");
	}
	puts_(o, ",\"fields\":{");
	put_fields(o, true, f);
	if (o->full) {
		/* Closes a key left open by a cut before the fields. */
		put_close(o, "}");
		put_close(o, ",\"truncated\":true}\n");
	} else {
		put_close(o, "}}\n");
	}
}

static void
format_text(struct out *o, enum log_level level, const char *id,
    const char *component, const char *msg, const struct log_field *f)
{
	put_escaped(o, false, id[0] != '\0' ? id : "-");
	put(o, " ", 1);
	puts_(o, log_level_name(level));
	put(o, " ", 1);
	put_escaped(o, false, component);
	put(o, ": ", 2);
	put_escaped(o, false, msg);
	put_fields(o, false, f);
	put_close(o, o->full ? " truncated=true\n" : "\n");
}

size_t
log_format_line(char *out, size_t cap, enum log_format format,
    enum log_level level, const char *id, const char *component,
    const char *msg, const struct log_field *f, int64_t now_ms)
{
	struct out o = { out, 0, cap > LINE_RESERVE ? cap - LINE_RESERVE : 0,
		cap > 0 ? cap - 1 : 0, false };

	if (cap == 0)
		return 0;
	if (format == LOG_FORMAT_JSON)
		format_json(&o, level, id != NULL ? id : "", component, msg, f,
		    now_ms);
	else
		format_text(&o, level, id != NULL ? id : "", component, msg, f);
	out[o.len] = '\0';
	return o.len;
}

/* ---- writing ------------------------------------------------------ */

/* Caller holds batch_lock. A failed write drops the lines: the server
 * keeps serving, as it did when fprintf to standard error failed. */
static void
write_out(void)
{
	size_t off = 0;
	ssize_t n;

	while (off < batch_len) {
		n = write(STDERR_FILENO, batch + off, batch_len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	batch_len = 0;
}

/* Adds a whole line to the batch, and writes the batch now when `now`. */
static void
enqueue(const char *line, size_t n, bool now)
{
	pthread_mutex_lock(&batch_lock);
	if (batch_len + n > sizeof(batch))
		write_out();
	memcpy(batch + batch_len, line, n);
	batch_len += n;
	if (now)
		write_out();
	pthread_mutex_unlock(&batch_lock);
}

static int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The priority prefix into line; returns its length (0 off the journal). */
static size_t
priority(char *line, enum log_level level)
{
	int n;

	if (!to_journal)
		return 0;
	n = snprintf(line, PRIORITY_MAX, "<%d>", level_priority[level]);
	return (size_t)n;
}

void
log_emit(enum log_level level, const char *component, const char *msg,
    const struct log_field *f)
{
	char line[PRIORITY_MAX + LOG_LINE_MAX];
	size_t n;

	if (level >= LOG_LEVEL_MAX || level > log_min)
		return;
	n = priority(line, level);
	n += log_format_line(line + n, LOG_LINE_MAX, log_fmt, level, current_id,
	    component, msg, f, now_ms());
	atomic_fetch_add(&lines_written[level], 1);
	enqueue(line, n, true);
}

void
log_access(const char *text, const struct log_field *f)
{
	char line[PRIORITY_MAX + LOG_LINE_MAX];
	size_t n, t;

	n = priority(line, LOG_LEVEL_INFO);
	if (log_fmt == LOG_FORMAT_JSON) {
		n += log_format_line(line + n, LOG_LINE_MAX, log_fmt,
		    LOG_LEVEL_INFO, current_id, "access", "request", f,
		    now_ms());
	} else {
		t = strlen(text);
		if (t > LOG_LINE_MAX - 1)
			t = LOG_LINE_MAX - 1; /* cut; keep room for '\n' */
		memcpy(line + n, text, t);
		n += t;
		line[n++] = '\n';
	}
	enqueue(line, n, false);
}

void
log_flush(void)
{
	pthread_mutex_lock(&batch_lock);
	write_out();
	pthread_mutex_unlock(&batch_lock);
}

/* ---- ids ---------------------------------------------------------- */

void
log_id_set(const char *id)
{
	size_t n = id != NULL ? strlen(id) : 0;

	if (n > LOG_ID_MAX - 1)
		n = LOG_ID_MAX - 1;
	if (n > 0)
		memcpy(current_id, id, n);
	current_id[n] = '\0';
}

const char *
log_id(void)
{
	return current_id;
}

static pthread_once_t id_once = PTHREAD_ONCE_INIT;
static uint32_t id_base;
static atomic_uint_fast64_t id_seq;

/* Drawn once per process: ids stay apart across restarts without a
 * system call for randomness on every request. */
static void
id_base_draw(void)
{
	if (getrandom(&id_base, sizeof(id_base), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(id_base))
		id_base = (uint32_t)time(NULL) ^ ((uint32_t)getpid() << 12);
}

void
log_id_new(const char *prefix, char *out)
{
	uint64_t seq;

	pthread_once(&id_once, id_base_draw);
	seq = atomic_fetch_add(&id_seq, 1);
	snprintf(out, LOG_ID_MAX, "%s%06" PRIx32 "%010" PRIx64,
	    prefix != NULL ? prefix : "", id_base & 0xffffffu,
	    seq & 0xffffffffffu);
}

/* Visible ASCII but quotes and the backslash: what proxies send (hex,
 * UUIDs, Apache's UNIQUE_ID with @ and -, base64 with + / =) passes; a
 * space, a control character or a quote, which could split or forge a
 * text or JSON line, does not, nor anything beyond ASCII. */
static bool
log_id_char(unsigned char c)
{
	return c > ' ' && c < 0x7f && c != '"' && c != '\'' && c != '\\';
}

bool
log_id_valid(const char *s)
{
	size_t n;

	if (s == NULL)
		return false;
	for (n = 0; s[n] != '\0'; n++)
		if (n >= LOG_ID_MAX - 1 || !log_id_char((unsigned char)s[n]))
			return false;
	return n > 0;
}

uint64_t
log_lines_total(enum log_level level)
{
	return level < LOG_LEVEL_MAX ? atomic_load(&lines_written[level]) : 0;
}
