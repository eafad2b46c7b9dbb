/* Unit tests for core/config_io.c: the configuration exported as one
 * document and imported as a plan, all or nothing. Run on both backends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/admin.h"
#include "core/business_calendar.h"
#include "core/config_io.h"
#include "core/fields.h"
#include "core/objects.h"
#include "core/portal.h"
#include "core/requests.h"
#include "core/sla.h"
#include "core/users.h"
#include "helpers.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "store/store.h"

static struct tenv *env;

static int
setup(void **state)
{
	(void)state;
	env = tenv_new();
	tenv_config(env);
	/* As zek import-objects adds them: no version counted. */
	assert_int_equal(store_object_ensure(env->ctx.db, "mandant",
	    "Stadt Musterstadt", NULL, NULL), ZEK_OK);
	assert_int_equal(store_object_ensure(env->ctx.db, "online_dienst",
	    "Anwohnerparken", NULL, NULL), ZEK_OK);
	tenv_reset(env);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tenv_free(env);
	return 0;
}

static char *
export_of(struct tenv *t)
{
	int64_t version;
	size_t len;
	char *doc;

	assert_int_equal(core_config_export(&t->ctx, NULL, &doc, &len,
	    &version), ZEK_OK);
	assert_int_equal(strlen(doc), len);
	return doc;
}

static json_t *
parse(const char *doc)
{
	json_t *j = json_loads(doc, 0, NULL);

	assert_non_null(j);
	return j;
}

/* j as a document (j is released). */
static char *
dump(struct tenv *t, json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(1)), *r;

	json_decref(j);
	assert_non_null(s);
	r = strdup(s);
	free(s);
	(void)t;
	return r;
}

static int64_t
version_of(struct tenv *t)
{
	int64_t v;

	assert_int_equal(store_config_version(t->ctx.db, &v), ZEK_OK);
	return v;
}

/* The first type's (Störungsmeldung's) JSON in a document. */
static json_t *
first_type(json_t *doc)
{
	return json_array_get(json_object_get(json_array_get(json_object_get(
	    json_array_get(json_object_get(doc, "desks"), 0), "groups"), 0),
	    "types"), 0);
}

static json_t *
field_of(json_t *type, const char *key)
{
	json_t *f;
	size_t i;

	json_array_foreach(json_object_get(type, "fields"), i, f)
		if (str_eq(json_string_value(json_object_get(f, "key")), key))
			return f;
	return NULL;
}

static size_t
field_index(json_t *type, const char *key)
{
	json_t *f;
	size_t i;

	json_array_foreach(json_object_get(type, "fields"), i, f)
		if (str_eq(json_string_value(json_object_get(f, "key")), key))
			return i;
	fail();
	return 0;
}

static bool
has_line(const struct config_plan *p, enum config_op op,
    enum config_thing thing, const char *where, const char *attr,
    const char *old, const char *now)
{
	size_t i;

	for (i = 0; i < p->n; i++) {
		const struct config_line *l = &p->lines[i];

		if (l->op == op && l->thing == thing && str_eq(l->where, where) &&
		    (attr == NULL || str_eq(l->attr, attr)) &&
		    (old == NULL || str_eq(l->old_value, old)) &&
		    (now == NULL || str_eq(l->new_value, now)))
			return true;
	}
	return false;
}

static void
test_only_admins(void **state)
{
	struct config_problems probs;
	struct config_plan plan;
	struct tenv_people p;
	int64_t v;
	size_t len;
	char *doc;

	(void)state;
	tenv_people(env, &p);
	assert_int_equal(core_config_export(&env->ctx, tenv_get(env, p.sam),
	    &doc, &len, &v), ZEK_NOTFOUND);
	assert_int_equal(core_config_plan(&env->ctx, tenv_get(env, p.anna),
	    "{}", 2, &plan, &probs), ZEK_NOTFOUND);
	assert_int_equal(core_config_import(&env->ctx, tenv_get(env, p.sam),
	    "{}", 2, -1, &plan, &probs), ZEK_NOTFOUND);
}

/* export -> import into a fresh database -> export: the same bytes, and
 * the same portal. */
static void
test_round_trip(void **state)
{
	struct config_problems probs;
	struct config_plan plan;
	struct tenv *fresh;
	struct portal *pa, *pb;
	char *a, *b, *again;
	json_t *j;

	(void)state;
	/* Something of everything: a hidden field, a retired option and
	 * object, a help-center text with an announcement. */
	j = parse(export_of(env));
	json_object_set_new(field_of(first_type(j), "fachverfahren"), "hidden",
	    json_true());
	json_object_set_new(json_array_get(json_object_get(field_of(
	    first_type(j), "umgebung"), "options"), 3), "retired", json_true());
	json_object_set_new(json_object_get(j, "help_center"), "title_de",
	    json_string("Hilfe und Kontakt"));
	json_object_set_new(json_object_get(j, "help_center"),
	    "announcement_de", json_string("Wartung am **Samstag**"));
	json_object_set_new(json_object_get(j, "help_center"),
	    "announcement_until", json_integer(1893456000000));
	json_object_set_new(json_array_get(json_object_get(j, "objects"), 1),
	    "retired", json_true());
	a = dump(env, j);
	assert_int_equal(core_config_import(&env->ctx, NULL, a, strlen(a), -1,
	    &plan, &probs), ZEK_OK);
	assert_true(plan.n >= 5);
	free(a);
	tenv_reset(env);
	a = strdup(export_of(env));

	fresh = tenv_new();
	assert_int_equal(core_config_import(&fresh->ctx, NULL, a, strlen(a), -1,
	    &plan, &probs), ZEK_OK);
	assert_true(has_line(&plan, CONFIG_ADD, CONFIG_DESK, "ZEK", "", "",
	    NULL));
	assert_true(has_line(&plan, CONFIG_ADD, CONFIG_TYPE,
	    "ZEK › Sonstige Frage", "", "", "Sonstige Frage"));
	tenv_reset(fresh);
	b = strdup(export_of(fresh));
	assert_string_equal(a, b);
	/* Exported twice, the same bytes. */
	tenv_reset(fresh);
	again = export_of(fresh);
	assert_string_equal(b, again);

	assert_int_equal(core_portal_get(&env->ctx, NULL, 17, "de", &pa), ZEK_OK);
	assert_int_equal(core_portal_get(&fresh->ctx, NULL, 17, "de", &pb),
	    ZEK_OK);
	assert_int_equal(pa->ngroups, pb->ngroups);
	assert_int_equal(pa->groups[0].ntypes, pb->groups[0].ntypes);
	assert_string_equal(pa->groups[0].types[3].name,
	    pb->groups[0].types[3].name);
	free(a);
	free(b);
	tenv_free(fresh);
}

/* demo/config.json, in its older spelling, is a document import takes;
 * importing it again changes nothing. */
static void
test_demo_file_imports(void **state)
{
	struct config_problems probs;
	struct config_plan plan;
	struct tenv *fresh;
	struct portal *p;
	char path[512], *doc;
	size_t len;

	(void)state;
	fresh = tenv_new();
	snprintf(path, sizeof(path), "%s/demo/config.json", fresh->cfg.root);
	assert_int_equal(core_config_read_file(&fresh->ctx, path, &doc, &len),
	    ZEK_OK);
	assert_int_equal(core_config_import(&fresh->ctx, NULL, doc, len, -1,
	    &plan, &probs), ZEK_OK);
	assert_int_equal(version_of(fresh), 1);
	assert_int_equal(core_portal_get(&fresh->ctx, NULL, 17, "en", &p),
	    ZEK_OK);
	assert_int_equal(p->groups[0].ntypes, 4);
	assert_string_equal(p->groups[0].types[0].name, "Incident report");
	tenv_reset(fresh);
	assert_int_equal(core_config_read_file(&fresh->ctx, path, &doc, &len),
	    ZEK_OK);
	assert_int_equal(core_config_import(&fresh->ctx, NULL, doc, len, -1,
	    &plan, &probs), ZEK_OK);
	assert_int_equal(plan.n, 0);
	assert_int_equal(version_of(fresh), 1);
	tenv_free(fresh);
}

static void
test_plan_lists_changes(void **state)
{
	struct config_problems probs;
	struct config_plan plan;
	json_t *j, *t, *fields, *opts;
	char *doc;
	size_t i;

	(void)state;
	j = parse(export_of(env));
	t = first_type(j);
	json_object_set_new(t, "name_en", json_string("Fault report"));
	json_object_set_new(field_of(t, "bundesland"), "required", json_true());
	opts = json_object_get(field_of(t, "servicekonto"), "options");
	json_array_append_new(opts, json_pack("{s:s, s:s, s:s}", "value",
	    "elster", "label_de", "ELSTER", "label_en", "ELSTER"));
	json_array_remove(json_object_get(field_of(t, "browser"), "options"), 0);
	fields = json_object_get(t, "fields");
	json_array_remove(fields, field_index(t, "fehler_url"));
	/* mandant before attachment */
	i = field_index(t, "mandant");
	json_array_insert(fields, i - 1, json_array_get(fields, i));
	json_array_remove(fields, i + 1);
	doc = dump(env, j);
	assert_int_equal(core_config_plan(&env->ctx, NULL, doc, strlen(doc),
	    &plan, &probs), ZEK_OK);
	assert_true(has_line(&plan, CONFIG_CHANGE, CONFIG_TYPE,
	    "ZEK › Störungsmeldung", "name_en", "Incident report",
	    "Fault report"));
	assert_true(has_line(&plan, CONFIG_CHANGE, CONFIG_FIELD,
	    "ZEK › Störungsmeldung › bundesland", "required", "false", "true"));
	assert_true(has_line(&plan, CONFIG_ADD, CONFIG_OPTION,
	    "ZEK › Störungsmeldung › servicekonto › elster", "", "", "ELSTER"));
	assert_true(has_line(&plan, CONFIG_RETIRE, CONFIG_OPTION,
	    "ZEK › Störungsmeldung › browser › chrome", NULL, NULL, NULL));
	assert_true(has_line(&plan, CONFIG_HIDE, CONFIG_FIELD,
	    "ZEK › Störungsmeldung › fehler_url", NULL, NULL, NULL));
	assert_true(has_line(&plan, CONFIG_ORDER, CONFIG_TYPE,
	    "ZEK › Störungsmeldung", "fields", NULL, NULL));
	assert_int_equal(plan.n, 6);
	/* A plan changes nothing. */
	assert_int_equal(version_of(env), 0);
	free(doc);
}

static void
test_kind_change_refused(void **state)
{
	struct config_problems probs;
	struct config_plan plan;
	char *before, *doc;
	json_t *j, *f;

	(void)state;
	before = strdup(export_of(env));
	j = parse(before);
	f = field_of(first_type(j), "fachverfahren");
	json_object_set_new(f, "kind", json_string("textarea"));
	json_object_set_new(first_type(j), "name_en", json_string("Other"));
	doc = dump(env, j);
	assert_int_equal(core_config_import(&env->ctx, NULL, doc, strlen(doc),
	    -1, &plan, &probs), ZEK_INVALID);
	assert_int_equal(probs.n, 1);
	assert_string_equal(probs.rows[0].key, "err_config_kind_changed");
	assert_string_equal(probs.rows[0].path,
	    "desks[0].groups[0].types[0].fields[8].kind");
	/* The type's other change was not applied either. */
	tenv_reset(env);
	assert_string_equal(export_of(env), before);
	assert_int_equal(version_of(env), 0);
	free(before);
	free(doc);
}

/* What the file lacks is hidden or retired, never deleted: an old request
 * keeps its type, field and option. */
static void
test_missing_hidden_not_deleted(void **state)
{
	struct config_problems probs;
	struct config_plan plan;
	struct request_view *rv;
	struct tenv_people p;
	const char *key;
	char keybuf[32];
	json_t *j, *types, *t, *objs;
	char *doc;
	size_t i;

	(void)state;
	tenv_people(env, &p);
	tenv_request(env, p.anna, "Alte Anfrage", &key);
	snprintf(keybuf, sizeof(keybuf), "%s", key);
	tenv_reset(env);
	j = parse(export_of(env));
	types = json_object_get(json_array_get(json_object_get(json_array_get(
	    json_object_get(j, "desks"), 0), "groups"), 0), "types");
	json_array_remove(types, 3);            /* Sonstige Frage */
	t = first_type(j);
	json_array_remove(json_object_get(t, "fields"), field_index(t,
	    "zeitpunkt"));
	json_array_remove(json_object_get(field_of(t, "umgebung"), "options"),
	    0);
	objs = json_object_get(j, "objects");
	json_array_remove(objs, 0);
	doc = dump(env, j);
	assert_int_equal(core_config_import(&env->ctx, NULL, doc, strlen(doc),
	    -1, &plan, &probs), ZEK_OK);
	assert_int_equal(plan.n, 4);
	assert_true(has_line(&plan, CONFIG_HIDE, CONFIG_TYPE,
	    "ZEK › Sonstige Frage", NULL, NULL, NULL));
	assert_true(has_line(&plan, CONFIG_RETIRE, CONFIG_OBJECT,
	    "mandant › Stadt Musterstadt", NULL, NULL, NULL));
	assert_int_equal(version_of(env), 1);
	free(doc);

	/* Still there, hidden or retired, in the export. */
	tenv_reset(env);
	j = parse(export_of(env));
	types = json_object_get(json_array_get(json_object_get(json_array_get(
	    json_object_get(j, "desks"), 0), "groups"), 0), "types");
	assert_int_equal(json_array_size(types), 4);
	assert_true(json_is_true(json_object_get(json_array_get(types, 3),
	    "hidden")));
	t = first_type(j);
	assert_true(json_is_true(json_object_get(field_of(t, "zeitpunkt"),
	    "hidden")));
	/* Hidden ones go last. */
	assert_int_equal(field_index(t, "zeitpunkt"),
	    json_array_size(json_object_get(t, "fields")) - 1);
	assert_true(json_is_true(json_object_get(json_array_get(
	    json_object_get(field_of(t, "umgebung"), "options"), 3),
	    "retired")));
	assert_int_equal(json_array_size(json_object_get(j, "objects")), 2);
	for (i = 0; i < 2; i++)
		if (str_eq(json_string_value(json_object_get(json_array_get(
		    json_object_get(j, "objects"), i), "name")),
		    "Stadt Musterstadt"))
			assert_true(json_is_true(json_object_get(json_array_get(
			    json_object_get(j, "objects"), i), "retired")));
	json_decref(j);
	/* The old request of the hidden type still reads. */
	assert_int_equal(core_request_get(&env->ctx, tenv_get(env, p.anna),
	    keybuf, "de", &rv), ZEK_OK);
	assert_string_equal(rv->title, "Alte Anfrage");
}

/* A bad document, or a stale version, changes nothing; the same one
 * again is a plan without lines. */
static void
test_all_or_nothing(void **state)
{
	struct config_problems probs;
	struct config_plan plan;
	struct admin_history h;
	char *before, *doc;
	json_t *j;

	(void)state;
	before = strdup(export_of(env));
	/* Valid in itself, but a group is missing: refused after planning. */
	j = parse(before);
	json_object_set_new(json_object_get(j, "help_center"), "title_de",
	    json_string("Neu"));
	json_array_remove(json_object_get(json_array_get(json_object_get(j,
	    "desks"), 0), "groups"), 1);
	doc = dump(env, j);
	assert_int_equal(core_config_import(&env->ctx, NULL, doc, strlen(doc),
	    -1, &plan, &probs), ZEK_INVALID);
	assert_string_equal(probs.rows[0].key, "err_config_group_missing");
	assert_string_equal(probs.rows[0].detail, "ODIS");
	free(doc);
	/* Not JSON at all. */
	assert_int_equal(core_config_import(&env->ctx, NULL, "{\"desks\": [",
	    11, -1, &plan, &probs), ZEK_INVALID);
	assert_string_equal(probs.rows[0].key, "err_config_not_json");
	/* Planned at a version someone has changed since. */
	j = parse(before);
	json_object_set_new(json_object_get(j, "help_center"), "title_de",
	    json_string("Neu"));
	doc = dump(env, j);
	assert_int_equal(core_config_plan(&env->ctx, NULL, doc, strlen(doc),
	    &plan, &probs), ZEK_OK);
	assert_int_equal(plan.version, 0);
	assert_int_equal(core_admin_object_add(&env->ctx, NULL, "mandant",
	    "Dazwischen", &(struct field_error){ 0 }), ZEK_OK);
	assert_int_equal(core_config_import(&env->ctx, NULL, doc, strlen(doc),
	    0, &plan, &probs), ZEK_CONFLICT);
	tenv_reset(env);
	assert_int_equal(version_of(env), 1);
	/* At the current version it goes through: one version, one row. */
	assert_int_equal(core_config_import(&env->ctx, NULL, doc, strlen(doc),
	    1, &plan, &probs), ZEK_OK);
	assert_int_equal(plan.n, 2);    /* the title, "Dazwischen" retired */
	assert_int_equal(version_of(env), 2);
	assert_int_equal(core_admin_history(&env->ctx, NULL, 0, &h), ZEK_OK);
	assert_int_equal(h.n, 3);
	assert_string_equal(h.rows[0].subject, "config_retire");
	assert_string_equal(h.rows[1].subject, "config_change");
	assert_string_equal(h.rows[1].target, "title_de");
	assert_string_equal(h.rows[1].new_value, "Neu");
	/* Again: nothing to do, nothing counted. */
	tenv_reset(env);
	assert_int_equal(core_config_import(&env->ctx, NULL, doc, strlen(doc),
	    -1, &plan, &probs), ZEK_OK);
	assert_int_equal(plan.n, 0);
	assert_int_equal(version_of(env), 2);
	free(before);
	free(doc);
}

static void
test_problems_name_the_place(void **state)
{
	struct config_problems probs;
	struct config_plan plan;
	json_t *j, *t;
	char *doc;

	(void)state;
	j = parse(export_of(env));
	t = json_array_get(json_object_get(json_array_get(json_object_get(
	    json_array_get(json_object_get(j, "desks"), 0), "groups"), 0),
	    "types"), 3);
	json_object_set_new(json_array_get(json_object_get(t, "fields"), 2),
	    "kind", json_string("hologram"));
	json_object_set_new(t, "colour", json_string("red"));
	json_object_set_new(field_of(first_type(j), "umgebung"), "options",
	    json_array());
	json_object_set_new(json_object_get(j, "help_center"), "title_en",
	    json_integer(3));
	doc = dump(env, j);
	assert_int_equal(core_config_plan(&env->ctx, NULL, doc, strlen(doc),
	    &plan, &probs), ZEK_INVALID);
	assert_int_equal(probs.n, 4);
	assert_string_equal(probs.rows[0].path, "help_center.title_en");
	assert_string_equal(probs.rows[0].key, "err_config_not_text");
	assert_string_equal(probs.rows[1].path,
	    "desks[0].groups[0].types[0].fields[10].options");
	assert_string_equal(probs.rows[1].key, "err_config_no_options");
	assert_string_equal(probs.rows[2].path, "desks[0].groups[0].types[3]");
	assert_string_equal(probs.rows[2].key, "err_config_unknown_key");
	assert_string_equal(probs.rows[2].detail, "colour");
	assert_string_equal(probs.rows[3].path,
	    "desks[0].groups[0].types[3].fields[2].kind");
	assert_string_equal(probs.rows[3].key, "err_config_unknown_kind");
	free(doc);
}

/* Every allocation failing in turn gives a clean ZEK_NOMEM and leaves
 * nothing half-imported, until there are enough for the import. */
static void
test_import_out_of_memory(void **state)
{
	struct config_problems probs;
	struct config_plan plan;
	char *before, *doc;
	struct arena *a;
	struct zctx ctx;
	enum zek_rc rc;
	json_t *j;
	long n;

	(void)state;
	/* The store's own memory is the same on both backends. */
	TENV_SQLITE_ONLY();
	before = strdup(export_of(env));
	j = parse(before);
	json_object_set_new(first_type(j), "name_en", json_string("Fault"));
	json_array_remove(json_object_get(first_type(j), "fields"),
	    field_index(first_type(j), "browser"));
	json_array_append_new(json_object_get(j, "objects"), json_pack(
	    "{s:s, s:s, s:b}", "kind", "mandant", "name", "Neu", "retired", 0));
	doc = dump(env, j);
	/* Each step, then a stride: a whole import takes thousands. */
	for (n = 1;; n += n < 200 ? 1 : n / 16) {
		a = arena_new(0);
		assert_non_null(a);
		assert_int_equal(core_ctx_init(env->core, a, &ctx), ZEK_OK);
		arena_fail_after(a, n);
		rc = core_config_import(&ctx, NULL, doc, strlen(doc), -1, &plan,
		    &probs);
		arena_free(a);
		if (rc == ZEK_OK)
			break;
		assert_int_equal(rc, ZEK_NOMEM);
		tenv_reset(env);
		assert_int_equal(version_of(env), 0);
		assert_true(n < 1000000);
	}
	assert_true(n > 100);
	tenv_reset(env);
	assert_int_equal(version_of(env), 1);
	assert_string_not_equal(export_of(env), before);
	free(before);
	free(doc);
}

/* ---- the business calendar ---- */

static json_t *
calendar_of(json_t *doc)
{
	json_t *c = json_object_get(doc, "calendar");

	assert_non_null(c);
	return c;
}

/* A closed day as the page adds it: date, name, every year. */
static void
closed_add(const char *date, const char *name, bool yearly)
{
	struct admin_closed_day_form f = { date, name, yearly ? "on" : NULL };
	struct field_error errs[ADMIN_MAX_ERRORS];
	size_t n;

	assert_int_equal(core_admin_closed_day_add(&env->ctx, NULL, &f, errs,
	    &n), ZEK_OK);
	tenv_reset(env);
}

/* Open requests whose service levels are marked to be worked out
 * again, worked out now. */
static int64_t
stale_refreshed(void)
{
	int64_t done = 0;
	bool more;

	assert_int_equal(core_sla_refresh_stale(&env->ctx, &done, &more),
	    ZEK_OK);
	tenv_reset(env);
	return done;
}

static void
test_calendar_exported(void **state)
{
	json_t *j, *c, *closed;

	(void)state;
	closed_add("2026-06-19", "Betriebsausflug", false);
	closed_add("24.12.2030", "Heiligabend", true);
	j = parse(export_of(env));
	c = calendar_of(j);
	/* Not saved: the built-in calendar with the file's Bundesland. */
	assert_int_equal(json_array_size(json_object_get(c, "weekdays")), 5);
	assert_string_equal(json_string_value(json_array_get(json_object_get(c,
	    "weekdays"), 0)), "mon");
	assert_string_equal(json_string_value(json_array_get(json_object_get(c,
	    "weekdays"), 4)), "fri");
	assert_string_equal(json_string_value(json_object_get(c, "start")),
	    "08:00");
	assert_string_equal(json_string_value(json_object_get(c, "end")),
	    "17:00");
	assert_string_equal(json_string_value(json_object_get(c, "tz")),
	    "Europe/Berlin");
	assert_string_equal(json_string_value(json_object_get(c, "state")), "");
	closed = json_object_get(c, "closed");
	assert_int_equal(json_array_size(closed), 2);
	/* Every year's first, then by date. */
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    closed, 0), "yearly")), "12-24");
	assert_null(json_object_get(json_array_get(closed, 0), "date"));
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    closed, 1), "date")), "2026-06-19");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    closed, 1), "name")), "Betriebsausflug");
	json_decref(j);
}

/* The hours and closed days a document changes: its plan lines, then
 * applied as the calendar page would, in one version. */
static void
test_calendar_imported(void **state)
{
	struct config_problems probs;
	struct config_plan plan;
	struct admin_calendar cal;
	struct admin_history h;
	struct tenv_people p;
	json_t *j, *c;
	char *doc;
	size_t i;

	(void)state;
	closed_add("2026-06-19", "Betriebsausflug", false);
	closed_add("2030-12-31", "Silvester", true);
	tenv_people(env, &p);
	tenv_request(env, p.anna, "Offen", NULL);
	tenv_reset(env);
	stale_refreshed();
	j = parse(export_of(env));
	c = calendar_of(j);
	json_object_set_new(c, "start", json_string("09:00"));
	json_array_append_new(json_object_get(c, "weekdays"), json_string("sat"));
	json_object_set_new(c, "state", json_string("DE-BY"));
	json_array_remove(json_object_get(c, "closed"), 1);     /* 2026-06-19 */
	json_array_append_new(json_object_get(c, "closed"), json_pack(
	    "{s:s, s:s}", "date", "2027-05-07", "name", "Brückentag"));
	json_object_set_new(json_array_get(json_object_get(c, "closed"), 0),
	    "name", json_string("Altjahrsabend"));
	doc = dump(env, j);
	assert_int_equal(core_config_plan(&env->ctx, NULL, doc, strlen(doc),
	    &plan, &probs), ZEK_OK);
	assert_true(has_line(&plan, CONFIG_CHANGE, CONFIG_CALENDAR, "",
	    "weekdays", "mon, tue, wed, thu, fri", "mon, tue, wed, thu, fri, sat"));
	assert_true(has_line(&plan, CONFIG_CHANGE, CONFIG_CALENDAR, "", "start",
	    "08:00", "09:00"));
	assert_true(has_line(&plan, CONFIG_CHANGE, CONFIG_CALENDAR, "", "state",
	    "", "DE-BY"));
	assert_true(has_line(&plan, CONFIG_ADD, CONFIG_CLOSED_DAY, "2027-05-07",
	    "", "", "Brückentag"));
	assert_true(has_line(&plan, CONFIG_REMOVE, CONFIG_CLOSED_DAY,
	    "2026-06-19", "", "Betriebsausflug", ""));
	/* Renamed: removed and added, as the page would do it. */
	assert_true(has_line(&plan, CONFIG_REMOVE, CONFIG_CLOSED_DAY, "--12-31",
	    "", "Silvester", ""));
	assert_true(has_line(&plan, CONFIG_ADD, CONFIG_CLOSED_DAY, "--12-31",
	    "", "", "Altjahrsabend"));
	assert_int_equal(plan.n, 7);
	tenv_reset(env);
	assert_int_equal(version_of(env), 2);   /* the two closed days */
	assert_int_equal(stale_refreshed(), 0);

	assert_int_equal(core_config_import(&env->ctx, NULL, doc, strlen(doc),
	    2, &plan, &probs), ZEK_OK);
	assert_int_equal(plan.n, 7);
	tenv_reset(env);
	assert_int_equal(version_of(env), 3);
	assert_int_equal(core_admin_calendar(&env->ctx, NULL, &cal), ZEK_OK);
	assert_true(cal.saved);
	assert_int_equal(cal.cal.weekdays, 0x3F);
	assert_int_equal(cal.cal.start_minute, 9 * 60);
	assert_int_equal(cal.cal.end_minute, 17 * 60);
	assert_string_equal(cal.cal.state, "DE-BY");
	assert_int_equal(cal.nclosed, 2);
	assert_int_equal(cal.closed[0].day, 1231);
	assert_string_equal(cal.closed[0].name, "Altjahrsabend");
	assert_int_equal(cal.closed[1].day, 20270507);
	/* The open request's service levels are worked out again. */
	assert_int_equal(stale_refreshed(), 1);
	/* The history has the rows the calendar page writes. */
	assert_int_equal(core_admin_history(&env->ctx, NULL, 0, &h), ZEK_OK);
	assert_int_equal(h.n, 2 + 7);
	for (i = 0; i < 7; i++)
		assert_true(str_eq(h.rows[i].subject, "calendar_days") ||
		    str_eq(h.rows[i].subject, "calendar_hours") ||
		    str_eq(h.rows[i].subject, "calendar_state") ||
		    str_eq(h.rows[i].subject, "calendar_closed_added") ||
		    str_eq(h.rows[i].subject, "calendar_closed_removed"));
	for (i = 0; i < 7 && !str_eq(h.rows[i].subject, "calendar_hours"); i++)
		;
	assert_string_equal(h.rows[i].old_value, "08:00-17:00");
	assert_string_equal(h.rows[i].new_value, "09:00-17:00");
	for (i = 0; i < 7 && !str_eq(h.rows[i].new_value,
	    "2027-05-07 Brückentag"); i++)
		;
	assert_string_equal(h.rows[i].subject, "calendar_closed_added");
	for (i = 0; i < 7 && !str_eq(h.rows[i].old_value,
	    "--12-31 Silvester"); i++)
		;
	assert_string_equal(h.rows[i].subject, "calendar_closed_removed");

	/* Again: nothing to do. */
	assert_int_equal(core_config_import(&env->ctx, NULL, doc, strlen(doc),
	    -1, &plan, &probs), ZEK_OK);
	assert_int_equal(plan.n, 0);
	tenv_reset(env);
	assert_int_equal(version_of(env), 3);
	free(doc);
}

/* Values the calendar page refuses are the document's problems, each at
 * its place, and nothing is applied. */
/* Problem i is at path, with key. */
static void
assert_problem(const struct config_problems *probs, size_t i,
    const char *path, const char *key)
{
	assert_true(i < probs->n);
	assert_string_equal(probs->rows[i].path, path);
	assert_string_equal(probs->rows[i].key, key);
}

static void
test_calendar_problems(void **state)
{
	struct config_problems probs;
	struct config_plan plan;
	char *before, *doc;
	json_t *j, *c, *closed;

	(void)state;
	before = strdup(export_of(env));
	j = parse(before);
	json_object_set_new(json_object_get(j, "help_center"), "title_de",
	    json_string("Neu"));
	c = calendar_of(j);
	json_object_set_new(c, "start", json_string("17:00"));
	json_object_set_new(c, "end", json_string("08:00"));
	json_object_set_new(c, "state", json_string("DE-XX"));
	json_object_set_new(c, "tz", json_string("Mars/Base"));
	closed = json_object_get(c, "closed");
	json_array_append_new(closed, json_pack("{s:s}", "date", "2026-02-31"));
	json_array_append_new(closed, json_pack("{s:s}", "yearly", "2026-12-24"));
	json_array_append_new(closed, json_pack("{s:s, s:s}", "yearly", "12-24",
	    "date", "2026-12-24"));
	json_array_append_new(closed, json_pack("{s:s, s:s}", "date",
	    "2026-12-23", "name", "\x01"));
	doc = dump(env, j);
	assert_int_equal(core_config_import(&env->ctx, NULL, doc, strlen(doc),
	    -1, &plan, &probs), ZEK_INVALID);
	assert_int_equal(probs.n, 7);
	assert_problem(&probs, 0, "calendar.end",
	    "err_calendar_end_before_start");
	assert_problem(&probs, 1, "calendar.state",
	    "err_config_calendar_state");
	assert_string_equal(probs.rows[1].detail, "DE-XX");
	assert_problem(&probs, 2, "calendar.tz", "err_config_calendar_tz");
	assert_problem(&probs, 3, "calendar.closed[0].date",
	    "err_config_calendar_date");
	assert_string_equal(probs.rows[3].detail, "2026-02-31");
	assert_problem(&probs, 4, "calendar.closed[1].yearly",
	    "err_config_calendar_yearly");
	assert_problem(&probs, 5, "calendar.closed[2]",
	    "err_config_calendar_one_date");
	assert_problem(&probs, 6, "calendar.closed[3].name",
	    "err_config_invalid_chars");
	free(doc);

	/* Days: unknown, twice, none at all; a time that is none; a day
	 * closed twice. */
	j = parse(before);
	c = calendar_of(j);
	json_object_set_new(c, "weekdays", json_pack("[s, s, s]", "mon", "mo",
	    "mon"));
	json_object_del(c, "end");
	json_array_append_new(json_object_get(c, "closed"), json_pack("{s:s}",
	    "date", "2026-12-24"));
	json_array_append_new(json_object_get(c, "closed"), json_pack("{s:s}",
	    "date", "24.12.2026"));
	doc = dump(env, j);
	assert_int_equal(core_config_plan(&env->ctx, NULL, doc, strlen(doc),
	    &plan, &probs), ZEK_INVALID);
	assert_int_equal(probs.n, 4);
	assert_problem(&probs, 0, "calendar.weekdays[1]",
	    "err_config_calendar_day");
	assert_problem(&probs, 1, "calendar.weekdays[2]",
	    "err_config_duplicate");
	assert_problem(&probs, 2, "calendar.end", "err_config_required");
	assert_problem(&probs, 3, "calendar.closed[1]", "err_config_duplicate");
	free(doc);
	j = parse(before);
	c = calendar_of(j);
	json_object_set_new(c, "weekdays", json_array());
	json_object_set_new(c, "start", json_string("8 Uhr"));
	doc = dump(env, j);
	assert_int_equal(core_config_plan(&env->ctx, NULL, doc, strlen(doc),
	    &plan, &probs), ZEK_INVALID);
	assert_int_equal(probs.n, 2);
	assert_problem(&probs, 0, "calendar.weekdays", "err_calendar_no_days");
	assert_problem(&probs, 1, "calendar.start", "err_calendar_time");
	free(doc);

	tenv_reset(env);
	assert_string_equal(export_of(env), before);
	assert_int_equal(version_of(env), 0);
	free(before);
}

/* A document without "calendar" (an older export) leaves it alone. */
static void
test_calendar_left_out(void **state)
{
	struct config_problems probs;
	struct config_plan plan;
	struct admin_calendar cal;
	char *doc;
	json_t *j;

	(void)state;
	closed_add("2026-06-19", "Betriebsausflug", false);
	j = parse(export_of(env));
	json_object_del(j, "calendar");
	json_object_set_new(json_object_get(j, "help_center"), "title_de",
	    json_string("Neu"));
	doc = dump(env, j);
	assert_int_equal(core_config_import(&env->ctx, NULL, doc, strlen(doc),
	    -1, &plan, &probs), ZEK_OK);
	assert_int_equal(plan.n, 1);
	tenv_reset(env);
	assert_int_equal(core_admin_calendar(&env->ctx, NULL, &cal), ZEK_OK);
	assert_false(cal.saved);
	assert_int_equal(cal.nclosed, 1);
	free(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_only_admins, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_round_trip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_demo_file_imports, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_plan_lists_changes, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_kind_change_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_missing_hidden_not_deleted,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_or_nothing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_problems_name_the_place,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_import_out_of_memory,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_calendar_exported,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_calendar_imported,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_calendar_problems,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_calendar_left_out,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
