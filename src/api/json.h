/* json.h: JSM-shaped JSON pieces (dates, users, pages, errors) and request
 * body parsing with limits. Pure functions: no HTTP, no database. */
#ifndef ZEK_API_JSON_H
#define ZEK_API_JSON_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Limits for request bodies; see api_json_limits_default. */
struct api_json_limits {
	size_t max_bytes;  /* whole body */
	size_t max_depth;  /* nesting of arrays and objects */
	size_t max_string; /* bytes of one string (keys included) */
	size_t max_values; /* values in the whole document */
};

/* Why a body was refused: a catalog key of po/<lang>/api.po and the one
 * value for its "{arg}" placeholder (a field name, "line:column"), or
 * NULL. `arg` points into the parsed document or static memory; copy it
 * before the document is freed. */
struct api_json_error {
	const char *key;
	const char *arg;
	char pos[32]; /* storage for a "line:column" arg */
};

/* Types a body field may be declared with. */
enum api_json_type {
	API_JSON_STRING,  /* a string */
	API_JSON_BOOL,    /* true / false */
	API_JSON_ID,      /* a positive integer, or one as a string */
	API_JSON_STRINGS, /* an array of strings */
	API_JSON_IDS,     /* an array of ids (see API_JSON_ID) */
	API_JSON_OBJECT,  /* any object (checked by the handler) */
	API_JSON_ANY,     /* accepted and ignored (JSM extras) */
};

/* One field a body may hold. */
struct api_json_field {
	const char *name;
	enum api_json_type type;
	bool required;
	size_t max; /* STRING: code points; arrays: elements;
	             * 0 = no limit beyond api_json_limits */
};

/* 1 MiB, depth 16, 256 KiB per string, 10000 values. */
void api_json_limits_default(struct api_json_limits *lim);

/* Parses a JSON body. Empty or white-space-only input gives *out = NULL
 * and ZEK_OK (clients send empty bodies with a JSON content type). On
 * success the caller owns *out. ZEK_TOOBIG (api_err_body_too_big) or
 * ZEK_INVALID (api_err_json_syntax with "line:column", api_err_json_depth,
 * api_err_json_string_too_long, api_err_json_too_many_values,
 * api_err_json_duplicate) with *err filled; ZEK_NOMEM. Invalid UTF-8 and
 * NUL characters in strings are syntax errors. */
int api_json_parse(const char *data, size_t len,
    const struct api_json_limits *lim, json_t **out,
    struct api_json_error *err);

/* Checks that `body` is an object whose members are all declared in
 * spec[0..n) with the declared type, that required ones are present and
 * that lengths stay within `max`. ZEK_OK or ZEK_INVALID with *err:
 * api_err_body_not_object, api_err_unknown_field, api_err_missing_field,
 * api_err_wrong_type, api_err_value_too_long (arg = the field name). */
int api_json_check(json_t *body, const struct api_json_field *spec, size_t n,
    struct api_json_error *err);

/* Reads an id sent as a positive integer or a decimal string. */
bool api_json_id(const json_t *v, int64_t *out);

/* The error body of the service desk API, with "errorMessages" beside it
 * for clients that only read the platform shape:
 * {"errorMessage": message, "errorMessages": [message],
 *  "i18nErrorMessage": {"i18nKey": key, "parameters": [arg] or []}}.
 * Caller owns the result; NULL when out of memory. */
json_t *api_error_body(const char *message, const char *key, const char *arg);

/* A JSM date object {"iso8601": "2026-11-27T16:42:00+0100",
 * "jira": "2026-11-27T16:42:00.000+0100", "friendly": "27.11.2026, 16:42",
 * "epochMillis": ms} in zone tz, `friendly` in lang. Caller owns it; NULL
 * for a bad zone or time, or out of memory. */
json_t *api_date_json(int64_t ms, const char *tz, const char *lang);

/* A JSM user object: accountId and key are the user id as a string, name
 * and emailAddress the e-mail address (the log-in name), plus displayName,
 * active, timeZone and _links (absolute URLs under `base`). Caller owns it. */
json_t *api_user_json(const char *base, int64_t id, const char *email,
    const char *display_name, const char *tz);

/* A new array of at most `limit` of all's elements from `start` on; all
 * is released either way. NULL when out of memory (or all is NULL). */
json_t *api_json_slice(json_t *all, size_t start, size_t limit);

/* The paging envelope {"_expands": [], "size", "start", "limit",
 * "isLastPage", "_links": {"base", "context", "self", "next"?, "prev"?},
 * "values"}; next and prev are left out when NULL. `values` (an array) is
 * stolen. Caller owns the result; NULL when out of memory. */
json_t *api_page_json(json_t *values, int64_t start, int64_t limit,
    bool is_last, const char *base, const char *context, const char *self,
    const char *next, const char *prev);

#endif
