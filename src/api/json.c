/* json.c: JSM-shaped JSON pieces and request body parsing with limits. */
#include "api/json.h"

#include <stdio.h>
#include <string.h>

#include "lib/str.h"
#include "lib/utf8.h"
#include "lib/zek.h"
#include "render/time.h"

#define API_AVATAR_PATH "/static/v1/favicon.svg"

void
api_json_limits_default(struct api_json_limits *lim)
{
	*lim = (struct api_json_limits){
		.max_bytes = 1u << 20,
		.max_depth = 16,
		.max_string = 256u << 10,
		.max_values = 10000,
	};
}

static void
set_err(struct api_json_error *err, const char *key, const char *arg)
{
	err->key = key;
	err->arg = arg;
}

/* Walks the parsed document checking depth, string sizes and the number
 * of values. The recursion is bounded by max_depth. */
static int
walk(json_t *v, size_t depth, const struct api_json_limits *lim, size_t *count,
    struct api_json_error *err)
{
	const char *key;
	json_t *child;
	size_t i;

	if (++*count > lim->max_values) {
		set_err(err, "api_err_json_too_many_values", NULL);
		return ZEK_INVALID;
	}
	if (json_is_string(v) && json_string_length(v) > lim->max_string) {
		set_err(err, "api_err_json_string_too_long", NULL);
		return ZEK_INVALID;
	}
	if (!json_is_object(v) && !json_is_array(v))
		return ZEK_OK;
	if (depth + 1 > lim->max_depth) {
		set_err(err, "api_err_json_depth", NULL);
		return ZEK_INVALID;
	}
	if (json_is_array(v)) {
		json_array_foreach(v, i, child)
			if (walk(child, depth + 1, lim, count, err) != ZEK_OK)
				return ZEK_INVALID;
		return ZEK_OK;
	}
	json_object_foreach(v, key, child) {
		if (strlen(key) > lim->max_string) {
			set_err(err, "api_err_json_string_too_long", NULL);
			return ZEK_INVALID;
		}
		if (walk(child, depth + 1, lim, count, err) != ZEK_OK)
			return ZEK_INVALID;
	}
	return ZEK_OK;
}

int
api_json_parse(const char *data, size_t len, const struct api_json_limits *lim,
    json_t **out, struct api_json_error *err)
{
	json_error_t je;
	json_t *doc;
	size_t i, count = 0;

	*out = NULL;
	memset(err, 0, sizeof(*err));
	if (len > lim->max_bytes) {
		set_err(err, "api_err_body_too_big", NULL);
		return ZEK_TOOBIG;
	}
	for (i = 0;
	     i < len && strchr(" \t\r\n", data[i]) != NULL && data[i] != '\0';
	     i++)
		;
	if (i == len)
		return ZEK_OK;
	doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &je);
	if (doc == NULL) {
		switch (json_error_code(&je)) {
		case json_error_out_of_memory:
			return ZEK_NOMEM;
		case json_error_duplicate_key:
			set_err(err, "api_err_json_duplicate", NULL);
			break;
		case json_error_stack_overflow:
			set_err(err, "api_err_json_depth", NULL);
			break;
		default:
			snprintf(err->pos, sizeof(err->pos), "%d:%d", je.line,
			    je.column);
			set_err(err, "api_err_json_syntax", err->pos);
			break;
		}
		return ZEK_INVALID;
	}
	if (walk(doc, 0, lim, &count, err) != ZEK_OK) {
		json_decref(doc);
		return ZEK_INVALID;
	}
	*out = doc;
	return ZEK_OK;
}

bool
api_json_id(const json_t *v, int64_t *out)
{
	int64_t id;

	if (json_is_integer(v)) {
		id = (int64_t)json_integer_value(v);
		if (id <= 0)
			return false;
		*out = id;
		return true;
	}
	if (json_is_string(v) && json_string_length(v) <= 19 &&
	    str_to_i64(json_string_value(v), 1, INT64_MAX, &id) == 0) {
		*out = id;
		return true;
	}
	return false;
}

/* Whether v has the declared type; *too_long when it exceeds f->max. */
static bool
type_ok(const struct api_json_field *f, json_t *v, bool *too_long)
{
	json_t *e;
	size_t i;
	int64_t id;

	*too_long = false;
	switch (f->type) {
	case API_JSON_STRING:
		if (!json_is_string(v))
			return false;
		*too_long = f->max > 0 &&
		    utf8_length(json_string_value(v), json_string_length(v)) >
		        f->max;
		return true;
	case API_JSON_BOOL:
		return json_is_boolean(v);
	case API_JSON_ID:
		return api_json_id(v, &id);
	case API_JSON_STRINGS:
	case API_JSON_IDS:
		if (!json_is_array(v))
			return false;
		json_array_foreach(v, i, e)
			if (f->type == API_JSON_STRINGS ? !json_is_string(e) :
			                                  !api_json_id(e, &id))
				return false;
		*too_long = f->max > 0 && json_array_size(v) > f->max;
		return true;
	case API_JSON_OBJECT:
		return json_is_object(v);
	case API_JSON_ANY:
		return true;
	}
	return false;
}

static const struct api_json_field *
find_field(const struct api_json_field *spec, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (str_eq(spec[i].name, name))
			return &spec[i];
	return NULL;
}

int
api_json_check(json_t *body, const struct api_json_field *spec, size_t n,
    struct api_json_error *err)
{
	const struct api_json_field *f;
	const char *key;
	json_t *v;
	bool too_long;
	size_t i;

	memset(err, 0, sizeof(*err));
	if (!json_is_object(body)) {
		set_err(err, "api_err_body_not_object", NULL);
		return ZEK_INVALID;
	}
	json_object_foreach(body, key, v) {
		f = find_field(spec, n, key);
		if (f == NULL) {
			set_err(err, "api_err_unknown_field", key);
			return ZEK_INVALID;
		}
		if (json_is_null(v))
			continue; /* the same as leaving it out */
		if (!type_ok(f, v, &too_long)) {
			set_err(err, "api_err_wrong_type", f->name);
			return ZEK_INVALID;
		}
		if (too_long) {
			set_err(err, "api_err_value_too_long", f->name);
			return ZEK_INVALID;
		}
	}
	for (i = 0; i < n; i++) {
		v = json_object_get(body, spec[i].name);
		if (spec[i].required && (v == NULL || json_is_null(v))) {
			set_err(err, "api_err_missing_field", spec[i].name);
			return ZEK_INVALID;
		}
	}
	return ZEK_OK;
}

json_t *
api_error_body(const char *message, const char *key, const char *arg)
{
	json_t *params = arg != NULL ? json_pack("[s]", arg) : json_array();

	if (params == NULL)
		return NULL;
	return json_pack("{s:s, s:[s], s:{s:s, s:o}}", "errorMessage", message,
	    "errorMessages", message, "i18nErrorMessage", "i18nKey", key,
	    "parameters", params);
}

json_t *
api_date_json(int64_t ms, const char *tz, const char *lang)
{
	char iso[64], friendly[96], offset[16], plain[40], jira[48];
	size_t i, n, k = 0;
	int frac;

	if (time_format_iso(ms, tz, iso, sizeof(iso)) != ZEK_OK ||
	    time_format(ms, tz, lang, friendly, sizeof(friendly)) != ZEK_OK)
		return NULL;
	/* "2026-11-27T16:42:00+01:00": JSM writes the offset without a colon. */
	n = strlen(iso);
	if (n < 20)
		return NULL;
	for (i = 19; i < n && k + 1 < sizeof(offset); i++)
		if (iso[i] != ':')
			offset[k++] = iso[i];
	offset[k] = '\0';
	frac = (int)(((ms % 1000) + 1000) % 1000);
	snprintf(plain, sizeof(plain), "%.19s%s", iso, offset);
	snprintf(jira, sizeof(jira), "%.19s.%03d%s", iso, frac, offset);
	return json_pack("{s:s, s:s, s:s, s:I}", "iso8601", plain, "jira", jira,
	    "friendly", friendly, "epochMillis", (json_int_t)ms);
}

json_t *
api_user_json(const char *base, int64_t id, const char *email,
    const char *display_name, const char *tz)
{
	char sid[24], self[2048], avatar[2048];

	if (base == NULL)
		return NULL; /* api_base ran out of memory */
	snprintf(sid, sizeof(sid), "%lld", (long long)id);
	snprintf(self, sizeof(self), "%s/rest/api/2/user?accountId=%s", base,
	    sid);
	snprintf(avatar, sizeof(avatar), "%s%s", base, API_AVATAR_PATH);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s, "
	                 "s:{s:s, s:{s:s, s:s, s:s, s:s}, s:s}}",
	    "accountId", sid, "key", sid, "name", email, "emailAddress", email,
	    "displayName", display_name, "active", 1, "timeZone", tz, "_links",
	    "jiraRest", self, "avatarUrls", "48x48", avatar, "24x24", avatar,
	    "16x16", avatar, "32x32", avatar, "self", self);
}

json_t *
api_page_json(json_t *values, int64_t start, int64_t limit, bool is_last,
    const char *base, const char *context, const char *self, const char *next,
    const char *prev)
{
	json_t *page, *links;

	if (values == NULL)
		return NULL;
	page = json_pack("{s:[], s:I, s:I, s:I, s:b, s:{s:s, s:s, s:s}, s:o}",
	    "_expands", "size", (json_int_t)json_array_size(values), "start",
	    (json_int_t)start, "limit", (json_int_t)limit, "isLastPage",
	    is_last, "_links", "base", base, "context", context, "self", self,
	    "values", values);
	if (page == NULL)
		return NULL;
	links = json_object_get(page, "_links");
	if ((next != NULL &&
	        json_object_set_new(links, "next", json_string(next)) != 0) ||
	    (prev != NULL &&
	        json_object_set_new(links, "prev", json_string(prev)) != 0)) {
		json_decref(page);
		return NULL;
	}
	return page;
}

json_t *
api_json_slice(json_t *all, size_t start, size_t limit)
{
	size_t i, total = json_array_size(all);
	json_t *values = all != NULL ? json_array() : NULL;

	for (i = start; values != NULL && i < total && i - start < limit; i++)
		if (json_array_append(values, json_array_get(all, i)) != 0) {
			json_decref(values);
			values = NULL;
		}
	json_decref(all);
	return values;
}
