/* request_create.c: raising a request (POST /request): JSM's field value
 * shapes turned into what the create form sends, checked whole before
 * anything is written. */
#include "api/api.h"

#include <stdio.h>
#include <string.h>

#include "core/api_support.h"
#include "core/fields.h"
#include "core/objects.h"
#include "core/portal.h"
#include "core/requests.h"
#include "core/sharing.h"
#include "core/users.h"
#include "core/validate.h"
#include "lib/str.h"

/* Answers with an error and hands `rc` back. */
static int
refuse(struct req *rq, unsigned status, const char *key, const char *arg,
    int rc)
{
	api_error(rq, status, key, arg);
	return rc;
}

static const struct api_json_field create_spec[] = {
	{ "serviceDeskId", API_JSON_ANY, true, 0 },
	{ "requestTypeId", API_JSON_ID, true, 0 },
	{ "requestFieldValues", API_JSON_OBJECT, true, 0 },
	{ "raiseOnBehalfOf", API_JSON_ANY, false, 0 },
	{ "requestParticipants", API_JSON_ANY, false, 0 },
	{ "isAdfRequest", API_JSON_BOOL, false, 0 },
	{ "channel", API_JSON_STRING, false, 64 },
	{ "form", API_JSON_ANY, false, 0 },
};

/* A string, or a whole number as text; NULL for anything else. */
static const char *
text_of(struct req *rq, const json_t *v)
{
	if (json_is_string(v))
		return json_string_value(v);
	if (json_is_integer(v))
		return arena_printf(rq->arena, "%lld",
		    (long long)json_integer_value(v));
	return NULL;
}

/* Why a value could not be read: a catalog key and the field. */
struct bad_value {
	const char *key;
	const char *field;
};

static int
bad(struct bad_value *b, const char *key, const char *field)
{
	b->key = key;
	b->field = field;
	return ZEK_INVALID;
}

/* Collects the strings a field gets, as a form would send them. */
struct strings {
	const char **v;
	size_t n, cap;
};

static int
push(struct req *rq, struct strings *s, const char *v)
{
	const char **nv;

	if (v == NULL)
		return ZEK_NOMEM;
	if (s->n == s->cap) {
		nv = arena_realloc(rq->arena, s->v, s->cap * sizeof(*nv),
		    (s->cap * 2 + 4) * sizeof(*nv));
		if (nv == NULL)
			return ZEK_NOMEM;
		s->v = nv;
		s->cap = s->cap * 2 + 4;
	}
	s->v[s->n++] = v;
	return ZEK_OK;
}

/* One option named as JSM clients do: "x", {"id": "x"}, {"value": "x"}
 * (x = the option's value or its label). Unknown names pass through so
 * that core reports them. NULL when the shape is wrong. */
static const char *
option_of(struct req *rq, const struct field *f, const json_t *v)
{
	const json_t *id = json_is_object(v) ? json_object_get(v, "id") : NULL;
	const json_t *val = json_is_object(v) ? json_object_get(v, "value") :
	                                        NULL;
	const char *s;
	size_t k;

	if (json_is_object(v)) {
		if (id == NULL && val == NULL)
			return NULL;
		if (id != NULL)
			return text_of(rq, id);
		v = val;
	}
	s = text_of(rq, v);
	if (s == NULL)
		return NULL;
	for (k = 0; k < f->noptions; k++)
		if (str_eq(f->options[k].label, s))
			return f->options[k].value;
	return s;
}

/* An object named by id ("12", 12, {"id"}, {"key"}) or by exact name
 * ({"value": "Wohngeld"}). */
static const char *
object_of(struct req *rq, const struct field *f, const json_t *v)
{
	const json_t *x = NULL;
	struct object *objs;
	const char *s;
	size_t i, n;

	if (json_is_object(v)) {
		if ((x = json_object_get(v, "id")) != NULL ||
		    (x = json_object_get(v, "key")) != NULL)
			return text_of(rq, x);
		if ((x = json_object_get(v, "value")) == NULL)
			return NULL;
		s = text_of(rq, x);
		if (s == NULL ||
		    core_objects_list(&rq->ctx, f->object_kind, &objs, &n) !=
		        ZEK_OK)
			return s;
		for (i = 0; i < n; i++)
			if (str_eq(objs[i].name, s))
				return api_id(rq, objs[i].id);
		return s;
	}
	return text_of(rq, v);
}

/* "2025-01-31T10:29:29.908+0100" (also "Z", "+01:00", no zone, no
 * seconds, or a date alone) as the local "YYYY-MM-DDTHH:MM:SS" of the
 * user's zone that core expects. Anything else passes through, so core
 * says it is no date. */
static const char *
datetime_of(struct req *rq, const char *s)
{
	char local[20], out[17];
	const char *p;
	int64_t ms, off = 0;
	int sign, hh, mm;
	size_t n = strlen(s);

	if (n == 10 && s[4] == '-' && s[7] == '-')
		return arena_printf(rq->arena, "%sT00:00", s);
	if (n < 16 || (s[10] != 'T' && s[10] != ' '))
		return s;
	p = s + 16;
	snprintf(local, sizeof(local), "%.16s", s);
	if (*p == ':' && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' &&
	    p[2] <= '9') {
		snprintf(local, sizeof(local), "%.19s", s);
		p += 3;
		if (*p == '.' || *p == ',')
			for (p++; *p >= '0' && *p <= '9'; p++)
				;
	}
	if (*p == '\0')
		return arena_strdup(rq->arena, local);
	if (str_eq(p, "Z")) {
		off = 0;
	} else if ((*p == '+' || *p == '-') &&
	    (sscanf(p + 1, "%2d:%2d", &hh, &mm) == 2 ||
	        sscanf(p + 1, "%2d%2d", &hh, &mm) == 2) &&
	    (strlen(p) == 5 || strlen(p) == 6) && hh <= 23 && mm <= 59) {
		sign = *p == '-' ? -1 : 1;
		off = sign * ((int64_t)hh * 60 + mm) * 60000;
	} else {
		return s;
	}
	if (core_parse_local_datetime(local, "UTC", &ms) != ZEK_OK ||
	    core_format_local_datetime(ms - off, rq->user->tz, out) != ZEK_OK)
		return s;
	return arena_strdup(rq->arena, out);
}

/* The strings of one field from its JSON value, or its attachment ids. */
static int
field_strings(struct req *rq, const struct field *f, const json_t *v,
    struct strings *out, struct strings *tokens, struct bad_value *b)
{
	const json_t *e;
	const char *s;
	size_t i;
	int rc = ZEK_OK;

	if (json_is_null(v))
		return ZEK_OK;
	switch (f->kind) {
	case FIELD_TEXT:
	case FIELD_RICHTEXT:
	case FIELD_TEXTAREA:
	case FIELD_URL:
		if (!json_is_string(v))
			return bad(b, "api_err_wrong_type", f->key);
		return push(rq, out, json_string_value(v));
	case FIELD_SELECT:
		if ((s = option_of(rq, f, v)) == NULL)
			return bad(b, "api_err_wrong_type", f->key);
		return push(rq, out, s);
	case FIELD_CHECKBOX:
		/* One box: true/false, or JSM's [] / [{"id": "1"}]. */
		if (json_is_boolean(v))
			return json_is_true(v) ? push(rq, out, "on") : ZEK_OK;
		if (!json_is_array(v))
			return bad(b, "api_err_wrong_type", f->key);
		json_array_foreach(v, i, e) {
			if ((s = option_of(rq, f, e)) == NULL)
				return bad(b, "api_err_wrong_type", f->key);
			rc = push(rq, out,
			    str_eq(s, "1") || str_eq(s, f->checkbox_label) ?
			        "on" :
			        s);
			if (rc != ZEK_OK)
				return rc;
		}
		return ZEK_OK;
	case FIELD_DATETIME:
		if (!json_is_string(v))
			return bad(b, "api_err_wrong_type", f->key);
		return push(rq, out, datetime_of(rq, json_string_value(v)));
	case FIELD_OBJECT:
		if (!json_is_array(v)) {
			if ((s = object_of(rq, f, v)) == NULL)
				return bad(b, "api_err_wrong_type", f->key);
			return push(rq, out, s);
		}
		json_array_foreach(v, i, e) {
			if ((s = object_of(rq, f, e)) == NULL)
				return bad(b, "api_err_wrong_type", f->key);
			if ((rc = push(rq, out, s)) != ZEK_OK)
				return rc;
		}
		return ZEK_OK;
	case FIELD_ATTACHMENT:
	default:
		if (!json_is_array(v))
			return bad(b, "api_err_wrong_type", f->key);
		json_array_foreach(v, i, e) {
			if (!json_is_string(e))
				return bad(b, "api_err_wrong_type", f->key);
			if ((rc = push(rq, tokens, json_string_value(e))) !=
			    ZEK_OK)
				return rc;
		}
		return ZEK_OK;
	}
}

/* requestFieldValues as core's field values and upload tokens. */
static int
read_values(struct req *rq, const struct reqtype *t, json_t *obj,
    struct create_input *in, struct bad_value *b)
{
	struct field_value *fv;
	struct strings tokens = { 0 };
	const struct field *f;
	const char *key;
	json_t *v;
	int rc;

	fv = arena_calloc(rq->arena, json_object_size(obj) + 1, sizeof(*fv));
	if (fv == NULL)
		return ZEK_NOMEM;
	json_object_foreach(obj, key, v) {
		struct strings s = { 0 };
		f = core_reqtype_field(t, key);
		if (f == NULL)
			return bad(b, "api_err_unknown_field", key);
		rc = field_strings(rq, f, v, &s, &tokens, b);
		if (rc != ZEK_OK)
			return rc;
		if (f->kind != FIELD_ATTACHMENT)
			fv[in->nvalues++] = (struct field_value){ f->key, s.v,
				s.n };
	}
	in->values = fv;
	in->attachment_tokens = tokens.v;
	in->ntokens = tokens.n;
	return ZEK_OK;
}

/* raiseOnBehalfOf: an account id or an e-mail address (DC user name). A
 * name that finds nobody becomes an id core refuses with the same words
 * as a colleague one may not pick. */
static int
read_on_behalf(struct req *rq, const json_t *v, int64_t *out,
    struct bad_value *b)
{
	struct user *u;
	const char *s;
	int64_t id;
	int rc;

	*out = 0;
	if (v == NULL || json_is_null(v))
		return ZEK_OK;
	if ((s = text_of(rq, v)) == NULL)
		return bad(b, "api_err_wrong_type", "raiseOnBehalfOf");
	if (strlen(s) > USER_EMAIL_MAX)
		return bad(b, "api_err_value_too_long", "raiseOnBehalfOf");
	if (str_to_i64(s, 1, INT64_MAX, &id) == 0) {
		*out = id;
	} else {
		rc = core_user_by_email(&rq->ctx, s, &u);
		if (rc != ZEK_OK && rc != ZEK_NOTFOUND)
			return rc;
		*out = rc == ZEK_OK ? u->id : -1;
	}
	if (*out == rq->user->id)
		*out = 0;
	return ZEK_OK;
}

/* requestParticipants: the people to add once the request exists, found
 * before anything is written. Answers 400 itself. */
static int
read_participants(struct req *rq, const json_t *v, int64_t reporter,
    struct person **out, size_t *n)
{
	static const char *const names[] = { "who", "requestParticipants",
		NULL };
	struct field_error err;
	struct person p;
	const json_t *e;
	const char *s;
	size_t i, j;
	int rc;

	*n = 0;
	if (v == NULL || json_is_null(v))
		return ZEK_OK;
	if (!json_is_array(v))
		return refuse(rq, 400, "api_err_wrong_type",
		    "requestParticipants", ZEK_INVALID);
	if (json_array_size(v) > SHARE_PARTICIPANTS_MAX)
		return refuse(rq, 400, "api_err_value_too_long",
		    "requestParticipants", ZEK_INVALID);
	*out = arena_calloc(rq->arena, json_array_size(v) + 1, sizeof(**out));
	if (*out == NULL)
		return ZEK_NOMEM;
	json_array_foreach(v, i, e) {
		if ((s = text_of(rq, e)) == NULL)
			return refuse(rq, 400, "api_err_wrong_type",
			    "requestParticipants", ZEK_INVALID);
		rc = core_customer_resolve(&rq->ctx, rq->user, s, &p, &err);
		if (rc == ZEK_INVALID)
			return api_field_errors(rq, &err, 1, names) == ZEK_OK ?
			    ZEK_INVALID :
			    ZEK_NOMEM;
		if (rc != ZEK_OK) {
			api_fail(rq, rc);
			return rc;
		}
		for (j = 0; j < *n && (*out)[j].id != p.id; j++)
			;
		if (j == *n && p.id != reporter)
			(*out)[(*n)++] = p;
	}
	return ZEK_OK;
}

/* Names core uses for the fixed parts of a create, as the body names them. */
static const char *const create_names[] = { "onbehalf", "raiseOnBehalfOf",
	NULL };

/* POST /rest/servicedeskapi/request */
int
api_request_create(struct req *rq)
{
	struct create_input in = { 0 };
	struct bad_value b = { 0 };
	const struct portal_summary *d;
	struct field_error *errs;
	struct request_view *v;
	struct person *parts = NULL;
	struct reqtype *t;
	const json_t *form, *answers;
	const char *desk, *key;
	json_t *body;
	size_t nerrs, nparts = 0, i;
	int64_t type_id = 0;
	int rc;

	if (api_body(rq, create_spec,
	        sizeof(create_spec) / sizeof(*create_spec), &body) != ZEK_OK)
		return ZEK_OK;
	desk = text_of(rq, json_object_get(body, "serviceDeskId"));
	if (desk == NULL)
		return api_error(rq, 400, "api_err_wrong_type",
		    "serviceDeskId");
	d = api_desk_by_ref(rq, desk, &rc);
	if (rc != ZEK_OK)
		return rc;
	if (d == NULL)
		return api_error(rq, 400, "api_err_no_desk", desk);
	(void)api_json_id(json_object_get(body, "requestTypeId"), &type_id);
	rc = core_reqtype_offered(&rq->ctx, d->id, type_id, rq->lang, &t);
	if (rc == ZEK_NOTFOUND)
		return api_error(rq, 400, "api_err_no_request_type",
		    api_id(rq, type_id));
	if (rc != ZEK_OK)
		return rc;
	if (json_is_true(json_object_get(body, "isAdfRequest")))
		return api_error(rq, 400, "api_err_unsupported",
		    "isAdfRequest");
	form = json_object_get(body, "form");
	answers = json_is_object(form) ? json_object_get(form, "answers") :
	                                 NULL;
	if (form != NULL && !json_is_null(form) &&
	    (!json_is_object(form) || json_object_size(form) > 1 ||
	        (json_object_size(form) == 1 &&
	            !(json_is_object(answers) &&
	                json_object_size(answers) == 0))))
		return api_error(rq, 400, "api_err_unsupported", "form");
	in.portal_id = d->id;
	in.type_id = t->id;
	rc = read_values(rq, t, json_object_get(body, "requestFieldValues"),
	    &in, &b);
	if (rc == ZEK_OK)
		rc = read_on_behalf(rq,
		    json_object_get(body, "raiseOnBehalfOf"),
		    &in.on_behalf_user_id, &b);
	if (rc == ZEK_INVALID)
		return api_error(rq, 400, b.key, b.field);
	if (rc != ZEK_OK)
		return rc;
	/* Everything is checked before anything is written. */
	in.validate_only = true;
	rc = core_request_create(&rq->ctx, rq->user, &in, &errs, &nerrs, &key);
	if (rc == ZEK_INVALID)
		return api_field_errors(rq, errs, nerrs, create_names);
	if (rc != ZEK_OK)
		return rc;
	if (read_participants(rq, json_object_get(body, "requestParticipants"),
	        in.on_behalf_user_id > 0 ? in.on_behalf_user_id : rq->user->id,
	        &parts, &nparts) != ZEK_OK)
		return ZEK_OK;
	in.validate_only = false;
	rc = core_request_create(&rq->ctx, rq->user, &in, &errs, &nerrs, &key);
	if (rc == ZEK_INVALID)
		return api_field_errors(rq, errs, nerrs, create_names);
	if (rc != ZEK_OK)
		return rc;
	rc = core_request_get(&rq->ctx, rq->user, key, rq->lang, &v);
	if (rc != ZEK_OK)
		return rc;
	for (i = 0; i < nparts; i++) {
		rc = core_participant_add(&rq->ctx, rq->user, v->id,
		    parts[i].email, NULL, NULL);
		if (rc != ZEK_OK) /* only a race can get here; it is created */
			log_warning("api", "participant not added",
			    LOG_FIELDS(LOG_S("request", key),
			        LOG_S("error", zek_rc_name(rc))));
	}
	if (nparts > 0 &&
	    (rc = core_request_get(&rq->ctx, rq->user, key, rq->lang, &v)) !=
	        ZEK_OK)
		return rc;
	return api_reply(rq, 201, api_request_json(rq, v));
}
