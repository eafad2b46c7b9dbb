/* fuzz_api_json.c: the API's JSON body parser and checker: limits hold, accepted bodies survive a round trip. */
#include <stdbool.h>

#include <jansson.h>

#include "api/json.h"
#include "fuzz.h"
#include "lib/utf8.h"
#include "lib/zek.h"

static const struct api_json_limits small = {
	.max_bytes = 2048, .max_depth = 4, .max_string = 64, .max_values = 64,
};

/* Every key api_json_parse and api_json_check may answer with. */
static const char *const error_keys[] = {
	"api_err_body_too_big", "api_err_json_syntax", "api_err_json_depth",
	"api_err_json_string_too_long", "api_err_json_too_many_values",
	"api_err_json_duplicate", "api_err_body_not_object",
	"api_err_unknown_field", "api_err_missing_field", "api_err_wrong_type",
	"api_err_value_too_long",
};

/* A body with a field of every type (request_create.c and comment.c
 * declare theirs the same way). */
static const struct api_json_field spec[] = {
	{ "serviceDeskId", API_JSON_ANY, true, 0 },
	{ "requestTypeId", API_JSON_ID, true, 0 },
	{ "requestFieldValues", API_JSON_OBJECT, true, 0 },
	{ "isAdfRequest", API_JSON_BOOL, false, 0 },
	{ "channel", API_JSON_STRING, false, 8 },
	{ "body", API_JSON_STRING, false, 0 },
	{ "temporaryAttachmentIds", API_JSON_STRINGS, false, 3 },
	{ "usernames", API_JSON_IDS, false, 0 },
};

static bool
known_key(const char *key)
{
	size_t i;

	for (i = 0; key != NULL && i < ZEK_ARRAY_LEN(error_keys); i++)
		if (strcmp(key, error_keys[i]) == 0)
			return true;
	return false;
}

/* Depth, value count and string sizes of an accepted document. */
static void
measure(json_t *v, size_t depth, const struct api_json_limits *lim,
    size_t *values)
{
	const char *key;
	json_t *c;
	size_t i;

	++*values;
	if (json_is_string(v)) {
		FUZZ_CHECK(json_string_length(v) <= lim->max_string, "string of %zu",
		    json_string_length(v));
		FUZZ_CHECK(strlen(json_string_value(v)) == json_string_length(v) &&
		    utf8_valid(json_string_value(v), json_string_length(v)),
		    "string with NUL or bad UTF-8");
	}
	if (json_is_array(v) || json_is_object(v))
		FUZZ_CHECK(depth + 1 <= lim->max_depth, "depth %zu", depth + 1);
	if (json_is_array(v)) {
		json_array_foreach(v, i, c)
			measure(c, depth + 1, lim, values);
	} else if (json_is_object(v)) {
		json_object_foreach(v, key, c) {
			FUZZ_CHECK(strlen(key) <= lim->max_string &&
			    utf8_valid(key, strlen(key)), "key");
			measure(c, depth + 1, lim, values);
		}
	}
}

/* Serialised and parsed again (compact and indented), under the same
 * limits, it is the same value. */
static void
check_roundtrip(json_t *doc, const struct api_json_limits *lim)
{
	static const size_t flags[] = { JSON_COMPACT, JSON_INDENT(2) | JSON_SORT_KEYS };
	struct api_json_error err;
	json_t *again;
	char *s;
	size_t i;
	int rc;

	for (i = 0; i < ZEK_ARRAY_LEN(flags); i++) {
		s = json_dumps(doc, flags[i]);
		FUZZ_CHECK(s != NULL, "dump failed");
		rc = api_json_parse(s, strlen(s), lim, &again, &err);
		if (rc == ZEK_TOOBIG && strlen(s) > lim->max_bytes) {
			free(s);
			continue;   /* the indented form may be longer than the input */
		}
		FUZZ_CHECK(rc == ZEK_OK && again != NULL, "'%.200s' re-parses as %s %s",
		    s, zek_rc_name(rc), err.key != NULL ? err.key : "");
		FUZZ_CHECK(json_equal(doc, again), "'%.200s' re-parses differently", s);
		json_decref(again);
		free(s);
	}
}

/* api_json_check against spec: what passes has the declared types. */
static void
check_spec(json_t *doc)
{
	struct api_json_error err;
	const struct api_json_field *f;
	json_t *v, *e;
	int64_t id;
	size_t i, k;
	int rc;

	rc = api_json_check(doc, spec, ZEK_ARRAY_LEN(spec), &err);
	if (rc != ZEK_OK) {
		FUZZ_CHECK(rc == ZEK_INVALID && known_key(err.key), "check: %s %s",
		    zek_rc_name(rc), err.key != NULL ? err.key : "(no key)");
		if (strcmp(err.key, "api_err_unknown_field") == 0)
			FUZZ_CHECK(err.arg != NULL && json_object_get(doc, err.arg) != NULL,
			    "unknown field not in the body");
		return;
	}
	FUZZ_CHECK(json_is_object(doc), "accepted a non-object");
	for (i = 0; i < ZEK_ARRAY_LEN(spec); i++) {
		f = &spec[i];
		v = json_object_get(doc, f->name);
		if (v == NULL || json_is_null(v)) {
			FUZZ_CHECK(!f->required, "%s missing", f->name);
			continue;
		}
		switch (f->type) {
		case API_JSON_STRING:
			FUZZ_CHECK(json_is_string(v) && (f->max == 0 ||
			    utf8_length(json_string_value(v), json_string_length(v)) <=
			    f->max), "%s", f->name);
			break;
		case API_JSON_BOOL:
			FUZZ_CHECK(json_is_boolean(v), "%s", f->name);
			break;
		case API_JSON_ID:
			FUZZ_CHECK(api_json_id(v, &id) && id > 0, "%s", f->name);
			break;
		case API_JSON_STRINGS:
		case API_JSON_IDS:
			FUZZ_CHECK(json_is_array(v) && (f->max == 0 ||
			    json_array_size(v) <= f->max), "%s", f->name);
			json_array_foreach(v, k, e)
				FUZZ_CHECK(f->type == API_JSON_STRINGS ? json_is_string(e) :
				    api_json_id(e, &id) && id > 0, "%s[%zu]", f->name, k);
			break;
		case API_JSON_OBJECT:
			FUZZ_CHECK(json_is_object(v), "%s", f->name);
			break;
		case API_JSON_ANY:
			break;
		}
	}
}

/* Parses under lim; returns the document (or NULL) and checks the rest. */
static json_t *
parse(const char *s, size_t n, const struct api_json_limits *lim, int *rc)
{
	struct api_json_error err;
	json_t *doc = NULL, *body;
	size_t i, values = 0;

	*rc = api_json_parse(s, n, lim, &doc, &err);
	if (*rc != ZEK_OK) {
		FUZZ_CHECK(doc == NULL, "a document with %s", zek_rc_name(*rc));
		FUZZ_CHECK(*rc == ZEK_NOMEM || known_key(err.key), "key %s",
		    err.key != NULL ? err.key : "(none)");
		FUZZ_CHECK((*rc == ZEK_TOOBIG) == (n > lim->max_bytes), "size");
		if (err.key != NULL && strcmp(err.key, "api_err_json_syntax") == 0)
			FUZZ_CHECK(err.arg == err.pos && strchr(err.pos, ':') != NULL,
			    "syntax error without position");
		body = api_error_body("message", err.key != NULL ? err.key : "x",
		    err.arg);
		FUZZ_CHECK(body != NULL, "error body");
		json_decref(body);
		return NULL;
	}
	if (doc == NULL) {
		for (i = 0; i < n; i++)
			FUZZ_CHECK(strchr(" \t\r\n", s[i]) != NULL && s[i] != '\0',
			    "no document from a non-blank body");
		return NULL;
	}
	FUZZ_CHECK(n <= lim->max_bytes, "%zu bytes accepted", n);
	FUZZ_CHECK(json_is_object(doc) || json_is_array(doc), "scalar body");
	measure(doc, 0, lim, &values);
	FUZZ_CHECK(values <= lim->max_values, "%zu values", values);
	return doc;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_json_limits def;
	json_t *doc, *doc_small;
	int rc, rc_small;

	api_json_limits_default(&def);
	doc = parse((const char *)data, size, &def, &rc);
	if (doc != NULL) {
		check_roundtrip(doc, &def);
		check_spec(doc);
	}
	/* Tighter limits accept less, and what they accept is the same. */
	doc_small = parse((const char *)data, size, &small, &rc_small);
	if (rc_small == ZEK_OK)
		FUZZ_CHECK(rc == ZEK_OK && (doc_small == NULL) == (doc == NULL) &&
		    (doc == NULL || json_equal(doc, doc_small)), "limits disagree");
	if (doc_small != NULL)
		check_roundtrip(doc_small, &small);
	json_decref(doc_small);
	json_decref(doc);
	return 0;
}
