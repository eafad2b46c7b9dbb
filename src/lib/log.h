/* log.h: the event and access log: one line per event on standard error, as readable text or JSON lines.
 *
 * Every line names its level, the component that speaks ("http", "mail",
 * "jobs", "store", "core", ...), a fixed message and key=value fields, and
 * the id of the request or job run it belongs to (log_id_set), so that
 * all lines of one request can be found together:
 *
 *   text: 3fa2c91e00000001 warning http: login failed user_id=3 reason="bad password"
 *   json: {"time":"2024-05-02T10:11:12.345Z","level":"warning","component":"http",
 *          "msg":"login failed","request_id":"3fa2c91e00000001","fields":{"user_id":3,...}}
 *
 * Values are escaped so that nothing a user typed can start a line of its
 * own or send escape sequences to a terminal. Under systemd (stderr is the
 * journal: JOURNAL_STREAM) each line starts with its syslog priority,
 * "<3>" for errors and so on (sd-daemon.h's SD_ERR), which the journal
 * turns into the entry's PRIORITY (journalctl -p). Secrets (passwords,
 * tokens, URLs with credentials) are never handed to this module. */
#ifndef ZEK_LOG_H
#define ZEK_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum log_level {
	LOG_LEVEL_ERROR,   /* something failed that should not */
	LOG_LEVEL_WARNING, /* failed, but expected to happen at times */
	LOG_LEVEL_INFO,    /* what the service did */
	LOG_LEVEL_DEBUG,   /* details, off unless log_level = debug */
	LOG_LEVEL_MAX
};

enum log_format {
	LOG_FORMAT_TEXT, /* the default: readable lines */
	LOG_FORMAT_JSON  /* one JSON object a line */
};

enum log_kind {
	LOG_FIELD_STR,
	LOG_FIELD_INT
};

/* One key=value of a line; keys are [a-z0-9_] constants of the code. */
struct log_field {
	const char *key; /* NULL ends a list */
	enum log_kind kind;
	const char *s; /* LOG_FIELD_STR; NULL is written as "" */
	int64_t n;     /* LOG_FIELD_INT */
};

#define LOG_S(k, v) \
	{ \
		(k), LOG_FIELD_STR, (v), 0 \
	}
#define LOG_I(k, v) \
	{ \
		(k), LOG_FIELD_INT, NULL, (int64_t)(v) \
	}
/* A field list for one call: LOG_FIELDS(LOG_S("job", name), LOG_I("n", 3)). */
#define LOG_FIELDS(...) \
	((const struct log_field[]){ __VA_ARGS__, \
	    { NULL, LOG_FIELD_STR, NULL, 0 } })

/* Request and job ids: at most LOG_ID_MAX - 1 characters. */
#define LOG_ID_MAX 65
/* A line is cut at this length (the fields that do not fit are left out,
 * "truncated" says so); JSON lines stay valid JSON. */
#define LOG_LINE_MAX 4096

/* Sets the format and the least important level written (default text,
 * info), and looks whether standard error is the journal. Call once at
 * start, before threads. */
void log_setup(enum log_format format, enum log_level min);
/* "text"/"json", "error"/"warning"/"info"/"debug": 0, or -1 for anything
 * else (out unchanged). */
int log_format_parse(const char *s, enum log_format *out);
int log_level_parse(const char *s, enum log_level *out);

/* Writes one event line at once (after the access lines waiting in the
 * batch, so that the log keeps its order). f: a LOG_FIELDS list or NULL.
 * Thread-safe; never fails (a line that cannot be written is dropped). */
void log_emit(enum log_level level, const char *component, const char *msg,
    const struct log_field *f);
#define log_error(c, m, f) log_emit(LOG_LEVEL_ERROR, (c), (m), (f))
#define log_warning(c, m, f) log_emit(LOG_LEVEL_WARNING, (c), (m), (f))
#define log_info(c, m, f) log_emit(LOG_LEVEL_INFO, (c), (m), (f))
#define log_debug(c, m, f) log_emit(LOG_LEVEL_DEBUG, (c), (m), (f))

/* An access log line (level info, component "access", message "request"):
 * in the text format `text` as it is (the caller escaped it; no newline),
 * in JSON the fields. Batched: the lines go out when the buffer is full,
 * with the next event line, or at log_flush. The request id is the
 * current one. */
void log_access(const char *text, const struct log_field *f);
/* Writes the batched lines. Thread-safe. */
void log_flush(void);

/* The request or job id of this thread's lines: copied (cut to
 * LOG_ID_MAX - 1); NULL or "" for none. */
void log_id_set(const char *id);
/* This thread's current id, "" for none. */
const char *log_id(void);
/* A fresh id into out (LOG_ID_MAX bytes): prefix, then 6 hex digits drawn
 * once per process and a 10-digit hex counter, so that ids differ across
 * restarts and sort by time within one process. */
void log_id_new(const char *prefix, char *out);
/* Whether s may serve as an id taken from a client (X-Request-Id): 1 to
 * LOG_ID_MAX - 1 visible ASCII characters but " ' and \ (nothing a line
 * or a header could be split or forged with; Apache's UNIQUE_ID passes). */
bool log_id_valid(const char *s);

/* Event lines written at `level` since start (for /metrics). */
uint64_t log_lines_total(enum log_level level);
/* "error", "warning", "info", "debug". */
const char *log_level_name(enum log_level level);

/* The line log_emit writes (without a priority prefix), into out (cap
 * bytes, at least 256); returns its length including the newline. now_ms:
 * UTC milliseconds for JSON's "time". For tests and log_emit. */
size_t log_format_line(char *out, size_t cap, enum log_format format,
    enum log_level level, const char *id, const char *component,
    const char *msg, const struct log_field *f, int64_t now_ms);

#endif
