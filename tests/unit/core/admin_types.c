/* Unit tests for core/admin_types.c: groups, request types, fields and
 * select options as admins change them, and what customers then see and
 * may send. Old requests keep what they had. Run on both backends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/admin.h"
#include "core/admin_types.h"
#include "core/fields.h"
#include "core/portal.h"
#include "core/requests.h"
#include "core/users.h"
#include "core/validate.h"
#include "helpers.h"

#define PORTAL 17
#define SONSTIGE 4          /* "Sonstige Frage" of the demo configuration */

static struct tenv *env;
static struct user *admin_user;
static int64_t admin_id;
static struct tenv_people people;
static char version_text[32];

static int
setup(void **state)
{
	(void)state;
	env = tenv_new();
	tenv_config(env);
	admin_id = tenv_add(env, "ada@example.org", "Ada Admin", "admin",
	    NULL);
	admin_user = tenv_get(env, admin_id);
	tenv_people(env, &people);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tenv_free(env);
	return 0;
}

static void
next_request(void)
{
	tenv_reset(env);
	admin_user = tenv_get(env, admin_id);
}

/* The configuration's version as a form carries it. */
static const char *
version(void)
{
	struct admin_types all;

	assert_int_equal(core_admin_types(&env->ctx, admin_user, PORTAL, &all),
	    ZEK_OK);
	snprintf(version_text, sizeof(version_text), "%lld",
	    (long long)all.version);
	return version_text;
}

static const struct admin_field *
field_by_label(const struct admin_type *t, const char *label)
{
	size_t i;

	for (i = 0; i < t->nfields; i++)
		if (strcmp(t->fields[i].label_de, label) == 0)
			return &t->fields[i];
	return NULL;
}

static const struct admin_option *
option_by_label(const struct admin_field *f, const char *label)
{
	size_t i;

	for (i = 0; i < f->noptions; i++)
		if (strcmp(f->options[i].label_de, label) == 0)
			return &f->options[i];
	return NULL;
}

/* Adds the select "Dringlichkeit" to "Sonstige Frage", required. */
static int64_t
add_urgency(void)
{
	struct admin_field_form f = { .version = version(), .kind = "select",
		.label_de = "Dringlichkeit", .label_en = "Urgency",
		.options = "Hoch | High\n\nMittel | Medium\r\n  Niedrig  \n",
		.required = true };
	struct field_error errs[ADMIN_MAX_ERRORS];
	size_t nerrs;
	int64_t id = 0;

	assert_int_equal(core_admin_field_add(&env->ctx, admin_user, SONSTIGE,
	    &f, errs, &nerrs, &id), ZEK_OK);
	assert_true(id > 0);
	next_request();
	return id;
}

/* The field "Dringlichkeit" as the admin sees it now. */
static const struct admin_field *
urgency(void)
{
	static struct admin_type t;
	const struct admin_field *f;

	assert_int_equal(core_admin_type(&env->ctx, admin_user, SONSTIGE, &t),
	    ZEK_OK);
	f = field_by_label(&t, "Dringlichkeit");
	assert_non_null(f);
	return f;
}

/* Creates a Sonstige Frage as anna with Dringlichkeit `urgency` (NULL:
 * none); returns the result and, on success, the key (copied to `key`,
 * which outlives the request's arena). */
static enum zek_rc
ask(const char *value, char key[32], struct field_error **errs,
    size_t *nerrs)
{
	const char *sv[1] = { "Frage" }, *dv[1] = { "Text." }, *uv[1] = {
		value };
	struct field_value vals[3] = { { "summary", sv, 1 },
	    { "description", dv, 1 }, { "dringlichkeit", uv, 1 } };
	struct create_input in = { .portal_id = PORTAL, .type_id = SONSTIGE,
		.values = vals, .nvalues = value != NULL ? 3 : 2 };

	const char *made = NULL;
	enum zek_rc rc;

	rc = core_request_create(&env->ctx, tenv_get(env, people.anna), &in,
	    errs, nerrs, &made);
	if (rc == ZEK_OK)
		snprintf(key, 32, "%s", made);
	return rc;
}

/* What request `key` shows in field "dringlichkeit" in lang ("" = none). */
static const char *
shown(const char *key, const char *lang)
{
	struct request_view *v;
	size_t i;

	assert_int_equal(core_request_get(&env->ctx, tenv_get(env, people.anna),
	    key, lang, &v), ZEK_OK);
	for (i = 0; i < v->nfields; i++)
		if (strcmp(v->fields[i].key, "dringlichkeit") == 0)
			return v->fields[i].values[0];
	return "";
}

static void
test_only_admins(void **state)
{
	struct admin_group_form gf = { .version = "0", .name_de = "X" };
	struct field_error errs[ADMIN_MAX_ERRORS], err;
	struct admin_types all;
	struct admin_type t;
	size_t nerrs;
	int64_t id;
	int k;

	(void)state;
	for (k = 0; k < 2; k++) {
		struct user *u = tenv_get(env, k == 0 ? people.sam : people.anna);

		assert_int_equal(core_admin_types(&env->ctx, u, PORTAL, &all),
		    ZEK_NOTFOUND);
		assert_int_equal(core_admin_type(&env->ctx, u, SONSTIGE, &t),
		    ZEK_NOTFOUND);
		assert_int_equal(core_admin_group_add(&env->ctx, u, PORTAL, &gf,
		    errs, &nerrs, &id), ZEK_NOTFOUND);
		assert_int_equal(core_admin_type_move(&env->ctx, u, SONSTIGE,
		    ADMIN_MOVE_UP), ZEK_NOTFOUND);
		assert_int_equal(core_admin_option_retire(&env->ctx, u, 1, true,
		    &err), ZEK_NOTFOUND);
	}
	assert_int_equal(core_admin_type(&env->ctx, admin_user, 999, &t),
	    ZEK_NOTFOUND);
	assert_int_equal(core_admin_type(&env->ctx, admin_user, SONSTIGE, &t),
	    ZEK_OK);
	assert_string_equal(t.name_de, "Sonstige Frage");
	assert_true(field_by_label(&t, "Titel") != NULL &&
	    field_by_label(&t, "Titel")->fixed);
}

/* The story: a required select added, a customer must fill it,
 * an option renamed and another retired, the field hidden; each old
 * request keeps showing what its customer chose. */
static void
test_a_new_required_select_and_old_requests(void **state)
{
	struct field_error *errs, err;
	const struct admin_field *f;
	struct admin_option_form of;
	struct field_error ferrs[ADMIN_MAX_ERRORS];
	struct admin_field_form ff;
	struct admin_type t;
	struct reqtype *rt;
	char k_medium[32], k_high[32], key[32];
	size_t nerrs;
	int64_t fid;

	(void)state;
	fid = add_urgency();
	assert_int_equal(core_admin_type(&env->ctx, admin_user, SONSTIGE, &t),
	    ZEK_OK);
	f = field_by_label(&t, "Dringlichkeit");
	assert_non_null(f);
	assert_int_equal(f->id, fid);
	assert_string_equal(f->key, "dringlichkeit");
	assert_string_equal(f->kind, "select");
	assert_true(f->required);
	assert_int_equal(f->noptions, 3);
	assert_string_equal(f->options[0].value, "hoch");
	assert_string_equal(f->options[2].label_de, "Niedrig");
	assert_string_equal(f->options[2].label_en, "");
	assert_ptr_equal(&t.fields[t.nfields - 1], f);

	/* The customer's form offers it, and it is required. */
	assert_int_equal(core_reqtype_offered(&env->ctx, PORTAL, SONSTIGE, "en",
	    &rt), ZEK_OK);
	assert_string_equal(rt->fields[rt->nfields - 1].label, "Urgency");
	assert_string_equal(rt->fields[rt->nfields - 1].options[2].label,
	    "Niedrig");
	assert_int_equal(ask(NULL, key, &errs, &nerrs), ZEK_INVALID);
	assert_int_equal(nerrs, 1);
	assert_string_equal(errs[0].field, "dringlichkeit");
	assert_string_equal(errs[0].key, "err_required");
	assert_int_equal(ask("mittel", k_medium, &errs, &nerrs), ZEK_OK);
	assert_int_equal(ask("hoch", k_high, &errs, &nerrs), ZEK_OK);
	assert_string_equal(shown(k_medium, "de"), "Mittel");
	assert_string_equal(shown(k_medium, "en"), "Medium");
	next_request();

	/* Renamed: old requests show the new label (the value stays). */
	f = urgency();
	of = (struct admin_option_form){ .version = version(),
		.label_de = "Normal", .label_en = "Normal" };
	assert_int_equal(core_admin_option_save(&env->ctx, admin_user,
	    option_by_label(f, "Mittel")->id, &of, ferrs, &nerrs), ZEK_OK);
	next_request();
	assert_string_equal(shown(k_medium, "de"), "Normal");

	/* Retired: no longer offered nor accepted; old requests keep it. */
	f = urgency();
	assert_int_equal(core_admin_option_retire(&env->ctx, admin_user,
	    option_by_label(f, "Hoch")->id, true, &err), ZEK_OK);
	next_request();
	assert_int_equal(core_reqtype_offered(&env->ctx, PORTAL, SONSTIGE, "de",
	    &rt), ZEK_OK);
	assert_int_equal(rt->fields[rt->nfields - 1].noptions, 2);
	assert_string_equal(rt->fields[rt->nfields - 1].options[0].value,
	    "mittel");
	assert_int_equal(ask("hoch", key, &errs, &nerrs), ZEK_INVALID);
	assert_string_equal(errs[0].field, "dringlichkeit");
	assert_string_equal(shown(k_high, "de"), "Hoch");
	next_request();

	/* The last option offered cannot be retired: a select needs one. */
	f = urgency();
	assert_true(option_by_label(f, "Hoch")->retired);
	assert_int_equal(core_admin_option_retire(&env->ctx, admin_user,
	    option_by_label(f, "Normal")->id, true, &err), ZEK_OK);
	next_request();
	f = urgency();
	assert_int_equal(core_admin_option_retire(&env->ctx, admin_user,
	    option_by_label(f, "Niedrig")->id, true, &err), ZEK_INVALID);
	assert_string_equal(err.key, "err_select_needs_option");
	/* ... and one retired comes back. */
	assert_int_equal(core_admin_option_retire(&env->ctx, admin_user,
	    option_by_label(f, "Hoch")->id, false, &err), ZEK_OK);
	next_request();

	/* Hidden: gone from the form and the API, old values still shown. */
	ff = (struct admin_field_form){ .version = version(),
		.label_de = "Dringlichkeit", .label_en = "Urgency",
		.required = true, .hidden = true };
	assert_int_equal(core_admin_field_save(&env->ctx, admin_user, fid, &ff,
	    ferrs, &nerrs), ZEK_OK);
	next_request();
	assert_int_equal(core_reqtype_offered(&env->ctx, PORTAL, SONSTIGE, "de",
	    &rt), ZEK_OK);
	assert_null(core_reqtype_field(rt, "dringlichkeit"));
	assert_int_equal(ask(NULL, key, &errs, &nerrs), ZEK_OK);
	/* A value sent for it anyway is not taken (the API refuses the
	 * field by name, api/request_create.c). */
	assert_int_equal(ask("hoch", key, &errs, &nerrs), ZEK_OK);
	assert_string_equal(shown(key, "de"), "");
	assert_string_equal(shown(k_high, "de"), "Hoch");
	assert_string_equal(shown(k_medium, "de"), "Normal");
}

static void
test_groups_and_types(void **state)
{
	struct admin_group_form gf = { .name_de = "Intern", .name_en = "" };
	struct admin_type_form tf;
	struct field_error errs[ADMIN_MAX_ERRORS];
	struct admin_history hist;
	struct admin_types all;
	struct admin_type t;
	struct portal *p;
	struct reqtype *rt;
	int64_t gid, tid, tid2;
	char gtext[32];
	size_t nerrs;

	(void)state;
	gf.version = version();
	assert_int_equal(core_admin_group_add(&env->ctx, admin_user, PORTAL, &gf,
	    errs, &nerrs, &gid), ZEK_OK);
	next_request();
	/* A form without a readable version is stale, not unchecked. */
	gf = (struct admin_group_form){ .version = "x1", .name_de = "Extern" };
	assert_int_equal(core_admin_group_add(&env->ctx, admin_user, PORTAL, &gf,
	    errs, &nerrs, NULL), ZEK_CONFLICT);
	gf.version = NULL;
	assert_int_equal(core_admin_group_add(&env->ctx, admin_user, PORTAL, &gf,
	    errs, &nerrs, NULL), ZEK_CONFLICT);
	/* The same name in another case is refused, at the field. */
	gf = (struct admin_group_form){ .version = version(), .name_de = "INTERN" };
	assert_int_equal(core_admin_group_add(&env->ctx, admin_user, PORTAL, &gf,
	    errs, &nerrs, NULL), ZEK_INVALID);
	assert_int_equal(nerrs, 1);
	assert_string_equal(errs[0].field, "name_de");
	assert_string_equal(errs[0].key, "err_name_exists");
	/* Last, then moved up one. */
	assert_int_equal(core_admin_types(&env->ctx, admin_user, PORTAL, &all),
	    ZEK_OK);
	assert_true(all.ngroups >= 2);
	assert_int_equal(all.groups[all.ngroups - 1].id, gid);
	assert_int_equal(core_admin_group_move(&env->ctx, admin_user, gid,
	    ADMIN_MOVE_UP), ZEK_OK);
	next_request();
	assert_int_equal(core_admin_types(&env->ctx, admin_user, PORTAL, &all),
	    ZEK_OK);
	assert_int_equal(all.groups[all.ngroups - 2].id, gid);
	/* At the end nothing moves, and the version stays. */
	snprintf(gtext, sizeof(gtext), "%lld", (long long)all.version);
	assert_int_equal(core_admin_group_move(&env->ctx, admin_user,
	    all.groups[0].id, ADMIN_MOVE_UP), ZEK_OK);
	next_request();
	assert_string_equal(version(), gtext);

	/* A type with the two fixed fields, offered in the portal. */
	snprintf(gtext, sizeof(gtext), "%lld", (long long)gid);
	tf = (struct admin_type_form){ .version = version(), .group_id = gtext,
		.name_de = "Testtyp", .name_en = "Test type",
		.description_de = "Für Tests.", .icon = "frage" };
	assert_int_equal(core_admin_type_add(&env->ctx, admin_user, PORTAL, &tf,
	    errs, &nerrs, &tid), ZEK_OK);
	tf.version = version();
	tf.name_de = "testtyp";
	assert_int_equal(core_admin_type_add(&env->ctx, admin_user, PORTAL, &tf,
	    errs, &nerrs, NULL), ZEK_INVALID);
	assert_string_equal(errs[0].key, "err_name_exists");
	tf.name_de = "Zweiter Testtyp";
	tf.icon = "rakete";
	assert_int_equal(core_admin_type_add(&env->ctx, admin_user, PORTAL, &tf,
	    errs, &nerrs, NULL), ZEK_INVALID);
	assert_string_equal(errs[0].field, "icon");
	tf.icon = "";
	assert_int_equal(core_admin_type_add(&env->ctx, admin_user, PORTAL, &tf,
	    errs, &nerrs, &tid2), ZEK_OK);
	next_request();
	assert_int_equal(core_admin_type(&env->ctx, admin_user, tid, &t),
	    ZEK_OK);
	assert_int_equal(t.nfields, 2);
	assert_string_equal(t.fields[0].key, "summary");
	assert_true(t.fields[0].required && t.fields[0].fixed);
	assert_string_equal(t.fields[1].key, "description");
	assert_false(t.fields[1].required);
	assert_int_equal(core_portal_get(&env->ctx, tenv_get(env, people.anna),
	    PORTAL, "en", &p), ZEK_OK);
	assert_int_equal(p->groups[p->ngroups - 2].ntypes, 2);
	assert_string_equal(p->groups[p->ngroups - 2].types[0].name,
	    "Test type");

	/* Moved down in its group, then hidden: gone from the portal and
	 * from creating, still there for requests that have it. */
	assert_int_equal(core_admin_type_move(&env->ctx, admin_user, tid,
	    ADMIN_MOVE_DOWN), ZEK_OK);
	next_request();
	tf = (struct admin_type_form){ .version = version(), .group_id = gtext,
		.name_de = "Testtyp", .name_en = "Test type",
		.description_de = "Für Tests.", .icon = "frage", .hidden = true };
	assert_int_equal(core_admin_type_save(&env->ctx, admin_user, tid, &tf,
	    errs, &nerrs), ZEK_OK);
	/* The same form again is stale now. */
	tf.name_de = "Testtyp neu";
	assert_int_equal(core_admin_type_save(&env->ctx, admin_user, tid, &tf,
	    errs, &nerrs), ZEK_CONFLICT);
	next_request();
	assert_int_equal(core_portal_get(&env->ctx, tenv_get(env, people.anna),
	    PORTAL, "de", &p), ZEK_OK);
	assert_int_equal(p->groups[p->ngroups - 2].ntypes, 1);
	assert_string_equal(p->groups[p->ngroups - 2].types[0].name,
	    "Zweiter Testtyp");
	assert_int_equal(core_reqtype_offered(&env->ctx, PORTAL, tid, "de", &rt),
	    ZEK_NOTFOUND);
	assert_int_equal(core_reqtype_get(&env->ctx, PORTAL, tid, "de", &rt),
	    ZEK_OK);
	assert_int_equal(core_admin_type(&env->ctx, admin_user, tid, &t),
	    ZEK_OK);
	assert_true(t.hidden);
	assert_string_equal(t.name_de, "Testtyp");

	/* Every change is on the history page, the newest first. */
	assert_int_equal(core_admin_history(&env->ctx, admin_user, 0, &hist),
	    ZEK_OK);
	assert_string_equal(hist.rows[0].subject, "type_hidden");
	assert_string_equal(hist.rows[0].target, "Testtyp");
	assert_string_equal(hist.rows[0].old_value, "0");
	assert_string_equal(hist.rows[0].new_value, "1");
	assert_string_equal(hist.rows[1].subject, "type_moved");
	assert_string_equal(hist.rows[1].old_value, "1");
	assert_string_equal(hist.rows[1].new_value, "2");
	assert_string_equal(hist.rows[2].subject, "type_added");
	assert_string_equal(hist.rows[2].new_value, "Zweiter Testtyp");
}

static void
test_bad_fields_are_named(void **state)
{
	struct field_error errs[ADMIN_MAX_ERRORS], err;
	struct admin_field_form f;
	struct admin_type t;
	char too_long[300];
	size_t nerrs;
	int64_t id;

	(void)state;
	memset(too_long, 'x', sizeof(too_long) - 1);
	too_long[sizeof(too_long) - 1] = '\0';
	f = (struct admin_field_form){ .version = version(), .kind = "select",
		.label_de = "Dringlichkeit", .options = "\n  \n" };
	assert_int_equal(core_admin_field_add(&env->ctx, admin_user, SONSTIGE,
	    &f, errs, &nerrs, &id), ZEK_INVALID);
	assert_string_equal(errs[0].field, "options");
	assert_string_equal(errs[0].key, "err_select_needs_option");
	f.options = "A\na";
	assert_int_equal(core_admin_field_add(&env->ctx, admin_user, SONSTIGE,
	    &f, errs, &nerrs, &id), ZEK_INVALID);
	assert_string_equal(errs[0].key, "err_option_exists");
	f = (struct admin_field_form){ .version = version(), .kind = "rakete",
		.label_de = too_long };
	assert_int_equal(core_admin_field_add(&env->ctx, admin_user, SONSTIGE,
	    &f, errs, &nerrs, &id), ZEK_INVALID);
	assert_int_equal(nerrs, 2);
	assert_string_equal(errs[0].field, "kind");
	assert_string_equal(errs[1].field, "label_de");
	assert_string_equal(errs[1].key, "err_too_long");
	f = (struct admin_field_form){ .version = version(), .kind = "object",
		.label_de = "Amt" };
	assert_int_equal(core_admin_field_add(&env->ctx, admin_user, SONSTIGE,
	    &f, errs, &nerrs, &id), ZEK_INVALID);
	assert_string_equal(errs[0].field, "object_kind");
	/* A label the type has, in any case. */
	f = (struct admin_field_form){ .version = version(), .kind = "text",
		.label_de = "TITEL" };
	assert_int_equal(core_admin_field_add(&env->ctx, admin_user, SONSTIGE,
	    &f, errs, &nerrs, &id), ZEK_INVALID);
	assert_string_equal(errs[0].field, "label_de");
	assert_string_equal(errs[0].key, "err_label_exists");
	next_request();

	/* Keys from labels: ASCII, unique, the label's words. */
	f = (struct admin_field_form){ .version = version(), .kind = "text",
		.label_de = "Größe der Änderung?" };
	assert_int_equal(core_admin_field_add(&env->ctx, admin_user, SONSTIGE,
	    &f, errs, &nerrs, &id), ZEK_OK);
	f = (struct admin_field_form){ .version = version(), .kind = "checkbox",
		.label_de = "Größe der Änderung!" };
	assert_int_equal(core_admin_field_add(&env->ctx, admin_user, SONSTIGE,
	    &f, errs, &nerrs, &id), ZEK_OK);
	f = (struct admin_field_form){ .version = version(), .kind = "object",
		.object_kind = "mandant", .multiple = true, .label_de = "2 Ämter" };
	assert_int_equal(core_admin_field_add(&env->ctx, admin_user, SONSTIGE,
	    &f, errs, &nerrs, &id), ZEK_OK);
	next_request();
	assert_int_equal(core_admin_type(&env->ctx, admin_user, SONSTIGE, &t),
	    ZEK_OK);
	assert_string_equal(field_by_label(&t, "Größe der Änderung?")->key,
	    "groesse_der_aenderung");
	assert_string_equal(field_by_label(&t, "Größe der Änderung!")->key,
	    "groesse_der_aenderung_2");
	assert_string_equal(field_by_label(&t, "2 Ämter")->key, "feld_2_aemter");
	assert_true(field_by_label(&t, "2 Ämter")->multiple);

	/* The fixed fields stay: the title required, neither hidden. */
	f = (struct admin_field_form){ .version = version(), .label_de = "Titel",
		.required = true, .hidden = true };
	assert_int_equal(core_admin_field_save(&env->ctx, admin_user,
	    field_by_label(&t, "Titel")->id, &f, errs, &nerrs), ZEK_INVALID);
	assert_string_equal(errs[0].field, "hidden");
	assert_string_equal(errs[0].key, "err_field_fixed");
	f.hidden = false;
	f.required = false;
	assert_int_equal(core_admin_field_save(&env->ctx, admin_user,
	    field_by_label(&t, "Titel")->id, &f, errs, &nerrs), ZEK_INVALID);
	assert_string_equal(errs[0].field, "required");
	/* Moving a field changes the form's order. */
	assert_int_equal(core_admin_field_move(&env->ctx, admin_user,
	    field_by_label(&t, "2 Ämter")->id, ADMIN_MOVE_UP), ZEK_OK);
	next_request();
	assert_int_equal(core_admin_type(&env->ctx, admin_user, SONSTIGE, &t),
	    ZEK_OK);
	assert_string_equal(t.fields[t.nfields - 2].label_de, "2 Ämter");
	assert_string_equal(t.fields[t.nfields - 1].label_de,
	    "Größe der Änderung!");
	/* Retiring is for selects only. */
	assert_int_equal(core_admin_option_retire(&env->ctx, admin_user, 999999,
	    true, &err), ZEK_NOTFOUND);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_only_admins, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_a_new_required_select_and_old_requests, setup, teardown),
		cmocka_unit_test_setup_teardown(test_groups_and_types, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_bad_fields_are_named, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
