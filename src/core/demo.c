/* demo.c: loads the demo configuration and demo data from demo/ (JSON, CSV). */
#include "core/demo.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "core/config_io.h"
#include "core/fields.h"
#include "core/internal.h"
#include "core/objects.h"
#include "core/links.h"
#include "core/rating.h"
#include "core/reports.h"
#include "core/requests.h"
#include "core/snippets.h"
#include "core/status.h"
#include "core/users.h"
#include "core/validate.h"
#include "lib/arena.h"
#include "lib/log.h"
#include "lib/str.h"
#include "store/store.h"

#define DEMO_VALUES_MAX 32 /* values of one demo request */
#define HOUR_MS (3600LL * 1000)
#define DAY_MS (24 * HOUR_MS)
#define DEMO_AGENT "support@example.org" /* who links demo requests */

static void
json_free(void *p)
{
	json_decref(p);
}

/* Loads <root>/demo/<name>; the arena owns the JSON. */
static enum zek_rc
load_json(struct zctx *ctx, const char *name, json_t **out)
{
	json_error_t jerr;
	json_t *j;
	char *path;

	path = arena_printf(ctx->arena, "%s/demo/%s", ctx->cfg->root, name);
	if (path == NULL)
		return ZEK_NOMEM;
	j = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL) {
		log_error("demo", "demo file not read",
		    LOG_FIELDS(LOG_S("path", path), LOG_I("line", jerr.line),
		        LOG_S("error", jerr.text)));
		return jerr.line <= 0 ? ZEK_IO : ZEK_INVALID;
	}
	if (arena_defer(ctx->arena, json_free, j) != 0)
		return ZEK_NOMEM;
	*out = j;
	return ZEK_OK;
}

/* A string member, "" when absent; NULL when present but not a string. */
static const char *
jstr(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (v == NULL)
		return "";
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int64_t
jint(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* ---- configuration ---- */

/* The problems of a refused configuration, logged. */
static void
print_problems(const char *file, const struct config_problems *probs)
{
	size_t i;

	for (i = 0; i < probs->n; i++)
		log_error("demo", "configuration refused",
		    LOG_FIELDS(LOG_S("file", file),
		        LOG_S("at", probs->rows[i].path),
		        LOG_S("problem", probs->rows[i].key),
		        LOG_S("detail", probs->rows[i].detail)));
}

/* demo/config.json is a configuration document (core/config_io.h):
 * installing it is an import into the empty database. */
enum zek_rc
core_init_config(struct zctx *ctx)
{
	struct config_problems probs;
	enum zek_rc rc;
	char *path, *doc;
	size_t len;
	int64_t n;

	rc = store_desk_count(ctx->db, &n);
	if (rc != ZEK_OK || n > 0)
		return rc;
	path = arena_printf(ctx->arena, "%s/demo/config.json", ctx->cfg->root);
	if (path == NULL)
		return ZEK_NOMEM;
	rc = core_config_read_file(ctx, path, &doc, &len);
	if (rc != ZEK_OK) {
		log_error("demo", "demo file not read",
		    LOG_FIELDS(LOG_S("path", path),
		        LOG_S("error", zek_rc_name(rc))));
		return rc;
	}
	rc = store_begin(ctx->db);
	if (rc != ZEK_OK)
		return rc;
	/* Another process may have won the race between count and begin. */
	rc = store_desk_count(ctx->db, &n);
	if (rc == ZEK_OK && n == 0) {
		rc = core_config_install(ctx, doc, len, &probs);
		if (rc == ZEK_INVALID)
			print_problems(path, &probs);
	}
	return store_finish(ctx->db, rc);
}

/* ---- demo data ---- */

static enum zek_rc
add_people(struct zctx *ctx, const json_t *data)
{
	const char *password = jstr(data, "password");
	const json_t *p;
	enum zek_rc rc;
	size_t i;

	if (str_empty(password))
		return ZEK_INVALID;
	json_array_foreach(json_object_get(data, "people"), i, p) {
		rc = core_user_add(ctx, jstr(p, "email"), jstr(p, "name"),
		    password, jstr(p, "role"), jstr(p, "org"), jstr(p, "lang"),
		    NULL);
		if (rc != ZEK_OK) {
			log_error("demo", "person not added",
			    LOG_FIELDS(LOG_S("email", jstr(p, "email")),
			        LOG_S("error", zek_rc_name(rc))));
			return rc;
		}
	}
	return ZEK_OK;
}

/* The id of the catalogue entry called `name`, as a string. */
static const char *
object_id(struct zctx *ctx, const char *kind, const char *name)
{
	struct object *o;
	size_t i, n;

	if (core_objects_search(ctx, kind, name, OBJECTS_SEARCH_MAX, &o, &n) !=
	    ZEK_OK)
		return NULL;
	for (i = 0; i < n; i++)
		if (str_eq(o[i].name, name))
			return arena_printf(ctx->arena, "%lld",
			    (long long)o[i].id);
	log_error("demo", "no such object",
	    LOG_FIELDS(LOG_S("kind", kind), LOG_S("name", name)));
	return NULL;
}

/* Turns one JSON value into the strings a form would send. */
static enum zek_rc
demo_value(struct zctx *ctx, const struct field *f, const json_t *jv,
    const struct user *reporter, struct field_value *out)
{
	const json_t *item;
	const char **vals;
	char buf[17];
	size_t i, n;

	n = json_is_array(jv) ? json_array_size(jv) : 1;
	vals = arena_calloc(ctx->arena, n > 0 ? n : 1, sizeof(*vals));
	if (vals == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < n; i++) {
		item = json_is_array(jv) ? json_array_get(jv, i) : jv;
		if (f->kind == FIELD_CHECKBOX) {
			vals[i] = json_is_true(item) ? "on" : "";
		} else if (f->kind == FIELD_DATETIME && json_is_number(item)) {
			if (core_format_local_datetime(ctx->now_ms -
			            (int64_t)(json_number_value(item) *
			                HOUR_MS),
			        reporter->tz, buf) != ZEK_OK)
				return ZEK_INVALID;
			vals[i] = arena_strdup(ctx->arena, buf);
		} else if (f->kind == FIELD_OBJECT && json_is_string(item)) {
			vals[i] = object_id(ctx, f->object_kind,
			    json_string_value(item));
		} else if (json_is_string(item)) {
			vals[i] = json_string_value(item);
		} else {
			return ZEK_INVALID;
		}
		if (vals[i] == NULL)
			return ZEK_INVALID;
	}
	*out = (struct field_value){ .key = f->key,
		.values = vals,
		.nvalues = n };
	return ZEK_OK;
}

static enum zek_rc
find_user(struct zctx *ctx, const char *email, struct user **out)
{
	enum zek_rc rc = core_user_by_email(ctx, email, out);

	if (rc == ZEK_NOTFOUND) {
		log_error("demo", "unknown person",
		    LOG_FIELDS(LOG_S("email", email)));
		rc = ZEK_INVALID;
	}
	return rc;
}

/* The reporter's satisfaction rating, a day after the request was
 * closed, through the same rules as the page's. */
static enum zek_rc
demo_rating(struct zctx *ctx, const json_t *jr, const struct store_request *r)
{
	struct field_error err;
	struct user *reporter;
	int64_t now = ctx->now_ms;
	char score[8];
	enum zek_rc rc;

	snprintf(score, sizeof(score), "%lld", (long long)jint(jr, "score"));
	rc = core_user_get(ctx, r->reporter_id, &reporter);
	ctx->now_ms = now + DAY_MS;
	if (rc == ZEK_OK)
		rc = core_rating_save(ctx, reporter, r->id, score,
		    jstr(jr, "comment"), &err);
	ctx->now_ms = now;
	return rc;
}

/* "Hängt zusammen mit" an older request, set by support two hours after
 * this one was raised, through the same rules as the page's. */
static enum zek_rc
demo_link(struct zctx *ctx, const struct store_request *r, const char *key)
{
	struct field_error err;
	struct user *agent;
	int64_t now = ctx->now_ms;
	enum zek_rc rc;

	rc = find_user(ctx, DEMO_AGENT, &agent);
	ctx->now_ms = now + 2 * HOUR_MS;
	if (rc == ZEK_OK)
		rc = core_link_add(ctx, agent, r->id, LINK_RELATES, key, &err);
	ctx->now_ms = now;
	return rc;
}

/* Status, resolution and participants, as if agents had worked on it. */
static enum zek_rc
demo_aftermath(struct zctx *ctx, const json_t *jr, const char *key)
{
	const char *status = jstr(jr, "status"), *res = jstr(jr, "resolution");
	struct store_request *r;
	const json_t *jp;
	struct user *p;
	enum resolution rv;
	enum status sv;
	enum zek_rc rc;
	size_t i;

	if (!status_from_code(status, &sv) || res == NULL ||
	    !resolution_from_code(res, &rv))
		return ZEK_INVALID;
	rc = store_request_by_key(ctx->db, ctx->arena, key, &r);
	if (rc == ZEK_OK && sv != STATUS_OFFEN)
		rc = store_request_set_status(ctx->db, r->id, status, res,
		    ctx->now_ms + 3 * HOUR_MS);
	/* Counted as resolved in the reports on that day. */
	if (rc == ZEK_OK && sv != STATUS_OFFEN)
		rc = core_report_request(ctx, r->id);
	json_array_foreach(json_object_get(jr, "participants"), i, jp) {
		if (rc == ZEK_OK)
			rc = find_user(ctx, json_string_value(jp), &p);
		if (rc == ZEK_OK)
			rc = store_participant_add(ctx->db, r->id, p->id);
	}
	if (rc == ZEK_OK && json_object_get(jr, "rating") != NULL)
		rc = demo_rating(ctx, json_object_get(jr, "rating"), r);
	if (rc == ZEK_OK && !str_empty(jstr(jr, "relates_to")))
		rc = demo_link(ctx, r, jstr(jr, "relates_to"));
	return rc;
}

static enum zek_rc
add_request(struct zctx *ctx, const json_t *jr)
{
	struct field_value vals[DEMO_VALUES_MAX];
	struct create_input in = { 0 };
	struct user *reporter, *creator;
	struct field_error *errs;
	const struct field *f;
	struct reqtype *t;
	const char *creator_email, *key, *fkey;
	const json_t *jv;
	enum zek_rc rc;
	size_t nerrs, i;

	rc = find_user(ctx, jstr(jr, "reporter"), &reporter);
	if (rc != ZEK_OK)
		return rc;
	creator_email = jstr(jr, "creator");
	creator = reporter;
	if (!str_empty(creator_email)) {
		rc = find_user(ctx, creator_email, &creator);
		if (rc != ZEK_OK)
			return rc;
	}
	rc = core_reqtype_load(ctx, jint(jr, "type"), "de", &t);
	if (rc != ZEK_OK)
		return rc;
	json_object_foreach((json_t *)json_object_get(jr, "values"), fkey, jv) {
		f = core_reqtype_field(t, fkey);
		if (f == NULL || in.nvalues == DEMO_VALUES_MAX)
			return ZEK_INVALID;
		rc = demo_value(ctx, f, jv, reporter, &vals[in.nvalues++]);
		if (rc != ZEK_OK)
			return rc;
	}
	in.portal_id = t->portal_id;
	in.type_id = t->id;
	in.values = vals;
	in.on_behalf_user_id = reporter->id;
	if (json_is_true(json_object_get(jr, "share")) && reporter->norgs > 0)
		in.share_org_id = reporter->org_ids[0];
	rc = core_request_create(ctx, creator, &in, &errs, &nerrs, &key);
	for (i = 0; rc == ZEK_INVALID && i < nerrs; i++)
		log_error("demo", "request refused",
		    LOG_FIELDS(
		        LOG_S("summary",
		            jstr(json_object_get(jr, "values"), "summary")),
		        LOG_S("field", errs[i].field),
		        LOG_S("problem", errs[i].key)));
	if (rc == ZEK_OK)
		rc = demo_aftermath(ctx, jr, key);
	return rc;
}

static enum zek_rc
add_requests(struct zctx *ctx, const json_t *data)
{
	int64_t now = ctx->now_ms;
	const json_t *jr;
	enum zek_rc rc = ZEK_OK;
	size_t i;

	json_array_foreach(json_object_get(data, "requests"), i, jr) {
		/* Each request is created at its own moment in the past. */
		ctx->now_ms = now -
		    (int64_t)(json_number_value(
		                  json_object_get(jr, "days_ago")) *
		        DAY_MS);
		rc = add_request(ctx, jr);
		if (rc != ZEK_OK) {
			log_error("demo", "request not added",
			    LOG_FIELDS(LOG_I("index", i),
			        LOG_S("error", zek_rc_name(rc))));
			break;
		}
	}
	ctx->now_ms = now;
	return rc;
}

/* Extra closed days of the business calendar (day: mmdd for every year,
 * or yyyymmdd), stored as they are: the demo starts with no history of
 * admin changes. */
static enum zek_rc
add_closed_days(struct zctx *ctx, const json_t *data)
{
	const json_t *jd;
	enum zek_rc rc = ZEK_OK;
	size_t i;

	json_array_foreach(json_object_get(data, "closed_days"), i, jd) {
		struct store_closed_day d = { json_integer_value(
			                          json_object_get(jd, "day")),
			jstr(jd, "name") };

		rc = store_closed_day_add(ctx->db, &d);
		if (rc != ZEK_OK)
			break;
	}
	return rc;
}

/* The agents' canned responses, each added by its agent as on the page. */
static enum zek_rc
add_snippets(struct zctx *ctx, const json_t *data)
{
	struct field_error err;
	const json_t *js;
	struct user *by;
	enum zek_rc rc = ZEK_OK;
	size_t i;

	json_array_foreach(json_object_get(data, "snippets"), i, js) {
		rc = find_user(ctx, jstr(js, "by"), &by);
		if (rc == ZEK_OK)
			rc = core_snippet_save(ctx, by, 0, jstr(js, "title"),
			    jstr(js, "body"), NULL, &err);
		if (rc != ZEK_OK) {
			log_error("demo", "snippet not added",
			    LOG_FIELDS(LOG_I("index", i),
			        LOG_S("error", zek_rc_name(rc))));
			break;
		}
	}
	return rc;
}

enum zek_rc
core_demo_load(struct zctx *ctx)
{
	enum zek_rc rc;
	json_t *data;
	int64_t n, line = 0;
	char *csv;

	rc = core_init_config(ctx);
	if (rc == ZEK_OK)
		rc = store_user_count(ctx->db, &n);
	if (rc != ZEK_OK || n > 0)
		return rc;
	rc = load_json(ctx, "data.json", &data);
	if (rc == ZEK_OK)
		rc = add_people(ctx, data);
	if (rc != ZEK_OK)
		return rc;
	csv = arena_printf(ctx->arena, "%s/demo/objects.csv", ctx->cfg->root);
	if (csv == NULL)
		return ZEK_NOMEM;
	rc = core_import_objects_csv_path(ctx, csv, NULL, &line);
	if (rc != ZEK_OK) {
		log_error("demo", "objects not imported",
		    LOG_FIELDS(LOG_S("path", csv), LOG_I("line", line),
		        LOG_S("error", zek_rc_name(rc))));
		return rc;
	}
	rc = add_closed_days(ctx, data);
	if (rc == ZEK_OK)
		rc = add_requests(ctx, data);
	if (rc == ZEK_OK)
		rc = add_snippets(ctx, data);
	return rc;
}
