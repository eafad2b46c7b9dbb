/* Unit tests for core/edit.c and core/links.c: agents edit a request (fields, type, the log, stale forms) and link requests (duplicates). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/activity.h"
#include "core/edit.h"
#include "core/links.h"
#include "core/requests.h"
#include "core/users.h"
#include "core/validate.h"
#include "core/workflow.h"
#include "helpers.h"
#include "lib/arena.h"
#include "store/store.h"

#define T_STOERUNG 1
#define T_ANFORDERUNG 2
#define T_FRAGE 4

static struct tenv *env;
static struct tenv_people p;

static int
setup(void **state)
{
	env = tenv_new();
	tenv_config(env);
	tenv_people(env, &p);
	return 0;
}

static int
teardown(void **state)
{
	tenv_free(env);
	return 0;
}

static struct user *
u(int64_t id)
{
	return tenv_get(env, id);
}

/* A Störungsmeldung in Bayern by Anna. */
static int64_t
new_incident(const char **key)
{
	const char *sv[] = { "Login geht nicht" }, *dv[] = { "Seit heute." };
	const char *bv[] = { "DE-BY" };
	struct field_value vals[] = { { "summary", sv, 1 },
	    { "description", dv, 1 }, { "bundesland", bv, 1 } };
	struct create_input in = { .portal_id = 17, .type_id = T_STOERUNG,
	    .values = vals, .nvalues = 3 };
	struct request_view *v;
	struct field_error *errs;
	size_t nerrs;

	env->ctx.now_ms += 1000;
	assert_int_equal(core_request_create(&env->ctx, u(p.anna), &in, &errs,
	    &nerrs, key), ZEK_OK);
	assert_int_equal(core_request_get(&env->ctx, u(p.anna), *key, "de", &v),
	    ZEK_OK);
	return v->id;
}

static struct request_edit *
form(int64_t who, const char *key, int64_t type_id)
{
	struct request_edit *ed;

	assert_int_equal(core_request_edit_form(&env->ctx, u(who), key, type_id,
	    "de", &ed), ZEK_OK);
	return ed;
}

/* The form's values with `key` set to `value` ("" = emptied). */
static struct field_value *
with(const struct request_edit *ed, const char *key, const char *value)
{
	struct field_value *v = arena_calloc(env->arena, ed->type->nfields + 1,
	    sizeof(*v));
	const char **one;
	size_t i;

	assert_non_null(v);
	for (i = 0; i < ed->type->nfields; i++) {
		v[i] = ed->values[i];
		if (key == NULL || strcmp(v[i].key, key) != 0)
			continue;
		one = arena_calloc(env->arena, 1, sizeof(*one));
		assert_non_null(one);
		one[0] = value;
		v[i].values = one;
		v[i].nvalues = 1;
	}
	return v;
}

static enum zek_rc
save(int64_t who, const struct request_edit *ed, int64_t type_id,
    struct field_value *vals, struct field_error **errs, size_t *nerrs)
{
	struct edit_input in = { .type_id = type_id, .version = ed->version,
	    .values = vals, .nvalues = ed->type->nfields };

	env->ctx.now_ms += 1000;
	return core_request_edit(&env->ctx, u(who), ed->view->id, &in, errs,
	    nerrs);
}

static const char *
form_value(const struct request_edit *ed, const char *key)
{
	for (size_t i = 0; i < ed->type->nfields; i++)
		if (strcmp(ed->values[i].key, key) == 0)
			return ed->values[i].nvalues > 0 ? ed->values[i].values[0] :
			    "";
	return NULL;
}

static size_t
count_kind(int64_t viewer, int64_t id, enum activity_kind kind)
{
	struct activity_entry *e;
	size_t i, n, cnt = 0;

	assert_int_equal(core_activity_list(&env->ctx, u(viewer), id, &e, &n),
	    ZEK_OK);
	for (i = 0; i < n; i++)
		cnt += e[i].kind == kind;
	return cnt;
}

/* ---- editing ---- */

static void
test_only_staff_edit(void **state)
{
	const char *key;
	int64_t id = new_incident(&key);
	struct request_edit *ed = form(p.sam, key, 0), *x;
	struct field_error *errs;
	size_t nerrs;

	assert_int_equal(core_request_edit_form(&env->ctx, u(p.anna), key, 0,
	    "de", &x), ZEK_FORBIDDEN);
	assert_int_equal(core_request_edit_form(&env->ctx, NULL, key, 0, "de",
	    &x), ZEK_FORBIDDEN);
	assert_int_equal(core_request_edit_form(&env->ctx, u(p.sam), "ZEK-999",
	    0, "de", &x), ZEK_NOTFOUND);
	assert_int_equal(save(p.anna, ed, T_STOERUNG, with(ed, "summary", "X"),
	    &errs, &nerrs), ZEK_FORBIDDEN);
	assert_int_equal(save(p.sam, ed, T_STOERUNG, with(ed, NULL, NULL),
	    &errs, &nerrs), ZEK_OK);
	/* Nothing changed: nothing logged. */
	assert_int_equal(count_kind(p.sam, id, ACTIVITY_EDITED), 0);
}

static void
test_edit_title_and_description_logged_for_staff_only(void **state)
{
	const char *key;
	int64_t id = new_incident(&key);
	struct request_edit *ed = form(p.sam, key, 0);
	struct field_value *vals = with(ed, "summary", "  Anmeldung kaputt ");
	struct activity_entry *e;
	struct request_view *v;
	struct field_error *errs;
	size_t i, n, nerrs;

	assert_string_equal(form_value(ed, "bundesland"), "DE-BY");
	assert_string_equal(form_value(ed, "description"), "Seit heute.");
	for (i = 0; i < ed->type->nfields; i++)
		if (strcmp(vals[i].key, "description") == 0)
			vals[i] = with(ed, "description", "Seit gestern.")[i];
	assert_int_equal(save(p.sam, ed, T_STOERUNG, vals, &errs, &nerrs),
	    ZEK_OK);
	/* The customer sees the new values, not the log entries. */
	assert_int_equal(core_request_get(&env->ctx, u(p.anna), key, "de", &v),
	    ZEK_OK);
	assert_string_equal(v->title, "Anmeldung kaputt");
	assert_string_equal(v->fields[1].values[0], "Seit gestern.");
	assert_int_equal(count_kind(p.anna, id, ACTIVITY_EDITED), 0);
	assert_int_equal(count_kind(p.sam, id, ACTIVITY_EDITED), 2);
	assert_int_equal(core_activity_list(&env->ctx, u(p.sam), id, &e, &n),
	    ZEK_OK);
	assert_int_equal(core_request_get(&env->ctx, u(p.sam), key, "de", &v),
	    ZEK_OK);
	assert_int_equal(core_activity_describe(&env->ctx, v, "de", e, n),
	    ZEK_OK);
	/* Newest first; old -> new, per field, with its label. */
	assert_int_equal(e[0].kind, ACTIVITY_EDITED);
	assert_false(e[0].is_public);
	assert_int_equal(e[0].actor.id, p.sam);
	assert_string_equal(e[1].what, "summary");
	assert_string_equal(e[1].field_label, "Titel");
	assert_string_equal(e[1].before->values[0], "Login geht nicht");
	assert_string_equal(e[1].after->values[0], "Anmeldung kaputt");
	assert_string_equal(e[0].old_value, "Seit heute.");
	assert_string_equal(e[0].new_value, "Seit gestern.");
}

static void
test_edit_checks_like_create_and_writes_nothing_on_errors(void **state)
{
	const char *key;
	int64_t id = new_incident(&key);
	struct request_edit *ed = form(p.sam, key, 0);
	struct field_value *vals = with(ed, "summary", "");
	struct field_error *errs;
	struct request_view *v;
	char longer[300];
	size_t i, nerrs;

	for (i = 0; i < ed->type->nfields; i++)
		if (strcmp(vals[i].key, "bundesland") == 0)
			vals[i] = with(ed, "bundesland", "DE-XX")[i];
	assert_int_equal(save(p.sam, ed, T_STOERUNG, vals, &errs, &nerrs),
	    ZEK_INVALID);
	assert_int_equal(nerrs, 2);
	assert_string_equal(errs[0].field, "summary");
	assert_string_equal(errs[0].key, "err_required");
	assert_string_equal(errs[1].field, "bundesland");
	assert_string_equal(errs[1].key, "err_invalid_option");
	memset(longer, 'a', sizeof(longer) - 1);
	longer[sizeof(longer) - 1] = '\0';
	assert_int_equal(save(p.sam, ed, T_STOERUNG, with(ed, "summary",
	    longer), &errs, &nerrs), ZEK_INVALID);
	assert_string_equal(errs[0].key, "err_too_long");
	assert_int_equal(save(p.sam, ed, T_STOERUNG, with(ed, "zeitpunkt",
	    "gestern"), &errs, &nerrs), ZEK_INVALID);
	assert_string_equal(errs[0].key, "err_invalid_datetime");
	assert_int_equal(save(p.sam, ed, 999, with(ed, NULL, NULL), &errs,
	    &nerrs), ZEK_INVALID);
	assert_string_equal(errs[0].field, EDIT_TYPE_FIELD);
	assert_int_equal(core_request_get(&env->ctx, u(p.sam), key, "de", &v),
	    ZEK_OK);
	assert_string_equal(v->title, "Login geht nicht");
	assert_int_equal(count_kind(p.sam, id, ACTIVITY_EDITED), 0);
}

static void
test_a_stale_form_is_a_conflict(void **state)
{
	const char *key;
	int64_t id = new_incident(&key);
	struct request_edit *mine = form(p.sam, key, 0);
	struct request_edit *theirs = form(p.sam, key, 0);
	struct field_error *errs;
	struct request_view *v;
	size_t nerrs;

	assert_int_equal(save(p.sam, theirs, T_STOERUNG, with(theirs, "summary",
	    "Zuerst"), &errs, &nerrs), ZEK_OK);
	assert_int_equal(save(p.sam, mine, T_STOERUNG, with(mine, "summary",
	    "Danach"), &errs, &nerrs), ZEK_CONFLICT);
	assert_int_equal(core_request_get(&env->ctx, u(p.sam), key, "de", &v),
	    ZEK_OK);
	assert_string_equal(v->title, "Zuerst");
	assert_int_equal(count_kind(p.sam, id, ACTIVITY_EDITED), 1);
	/* A fresh form saves. */
	mine = form(p.sam, key, 0);
	assert_int_equal(save(p.sam, mine, T_STOERUNG, with(mine, "summary",
	    "Danach"), &errs, &nerrs), ZEK_OK);
}

static void
test_type_change_maps_by_key_and_keeps_the_rest(void **state)
{
	const char *key;
	int64_t id = new_incident(&key);
	struct request_edit *ed = form(p.sam, key, T_FRAGE);
	struct request_field_view *former;
	struct activity_entry *e;
	struct request_view *v;
	struct field_error *errs;
	size_t n, nerrs;

	/* The form for the new type: the mapped values, the new fields. */
	assert_int_equal(ed->type->id, T_FRAGE);
	assert_string_equal(form_value(ed, "summary"), "Login geht nicht");
	assert_null(form_value(ed, "bundesland"));
	assert_int_equal(save(p.sam, ed, T_FRAGE, with(ed, NULL, NULL), &errs,
	    &nerrs), ZEK_OK);
	assert_int_equal(core_request_get(&env->ctx, u(p.sam), key, "de", &v),
	    ZEK_OK);
	assert_int_equal(v->type_id, T_FRAGE);
	assert_string_equal(v->title, "Login geht nicht");
	assert_int_equal(v->nfields, 2);
	/* Bayern is kept, shown to staff as "frühere Angaben". */
	assert_int_equal(core_request_former(&env->ctx, v, "de", &former, &n),
	    ZEK_OK);
	assert_int_equal(n, 1);
	assert_string_equal(former[0].key, "bundesland");
	assert_string_equal(former[0].label, "Bundesland");
	assert_string_equal(former[0].values[0], "Bayern");
	/* The log names both types. */
	assert_int_equal(core_activity_list(&env->ctx, u(p.sam), id, &e, &n),
	    ZEK_OK);
	assert_int_equal(core_activity_describe(&env->ctx, v, "de", e, n),
	    ZEK_OK);
	assert_string_equal(e[0].what, EDIT_TYPE_FIELD);
	assert_string_equal(e[0].before->values[0], "Störungsmeldung");
	assert_string_equal(e[0].after->values[0], "Sonstige Frage");
	/* Back again: the former value is a field again. */
	ed = form(p.sam, key, T_STOERUNG);
	assert_string_equal(form_value(ed, "bundesland"), "DE-BY");
	assert_int_equal(save(p.sam, ed, T_STOERUNG, with(ed, "bundesland",
	    "DE-BE"), &errs, &nerrs), ZEK_OK);
	assert_int_equal(core_request_get(&env->ctx, u(p.anna), key, "de", &v),
	    ZEK_OK);
	assert_int_equal(v->type_id, T_STOERUNG);
	assert_int_equal(core_request_former(&env->ctx, v, "de", &former, &n),
	    ZEK_OK);
	assert_int_equal(n, 0);
	/* An older field entry reads through the type it was written for. */
	assert_int_equal(core_activity_list(&env->ctx, u(p.sam), id, &e, &n),
	    ZEK_OK);
	assert_int_equal(core_activity_describe(&env->ctx, v, "de", e, n),
	    ZEK_OK);
	assert_string_equal(e[0].what, "bundesland");
	assert_string_equal(e[0].before->values[0], "Bayern");
	assert_string_equal(e[0].after->values[0], "Berlin");
	/* A type's own required fields are checked on the change. */
	ed = form(p.sam, key, T_ANFORDERUNG);
	assert_int_equal(save(p.sam, ed, T_ANFORDERUNG, with(ed, "bundesland",
	    ""), &errs, &nerrs), ZEK_INVALID);
	assert_string_equal(errs[0].field, "bundesland");
}

static void
test_checkbox_and_datetime_round_trip(void **state)
{
	const char *key;
	(void)new_incident(&key);
	struct request_edit *ed = form(p.sam, key, T_STOERUNG);
	struct field_error *errs;
	size_t nerrs;

	assert_int_equal(save(p.sam, ed, T_STOERUNG, with(ed, "zeitpunkt",
	    "2026-03-29T02:30"), &errs, &nerrs), ZEK_OK);
	ed = form(p.sam, key, T_STOERUNG);
	/* Shown in the agent's zone; the gap of the clock change moved on. */
	assert_string_equal(form_value(ed, "zeitpunkt"), "2026-03-29T03:30");
	ed = form(p.sam, key, T_ANFORDERUNG);
	assert_int_equal(save(p.sam, ed, T_ANFORDERUNG, with(ed, "kosmetisch",
	    "on"), &errs, &nerrs), ZEK_OK);
	ed = form(p.sam, key, 0);
	assert_string_equal(form_value(ed, "kosmetisch"), "on");
	assert_int_equal(save(p.sam, ed, T_ANFORDERUNG, with(ed, "kosmetisch",
	    "ja"), &errs, &nerrs), ZEK_INVALID);
	assert_string_equal(errs[0].key, "err_invalid_value");
}

/* ---- links ---- */

static size_t
links(int64_t who, int64_t id, struct request_link **l)
{
	size_t n;

	assert_int_equal(core_links_of(&env->ctx, u(who), id, "de", l, &n),
	    ZEK_OK);
	return n;
}

static void
test_links_both_ways_checked_and_logged(void **state)
{
	const char *ka, *kb;
	int64_t a = new_incident(&ka), b = new_incident(&kb);
	struct field_error err = { 0 };
	struct request_link *l;
	size_t n;

	assert_int_equal(core_link_add(&env->ctx, u(p.anna), a, LINK_RELATES,
	    kb, &err), ZEK_FORBIDDEN);
	assert_int_equal(core_links_of(&env->ctx, u(p.anna), a, "de", &l, &n),
	    ZEK_FORBIDDEN);
	assert_int_equal(core_link_add(&env->ctx, u(p.sam), a, LINK_RELATES,
	    ka, &err), ZEK_INVALID);
	assert_string_equal(err.key, "err_link_self");
	assert_string_equal(err.field, LINK_KEY_FIELD);
	assert_int_equal(core_link_add(&env->ctx, u(p.sam), a, LINK_RELATES,
	    "ZEK-4711", &err), ZEK_INVALID);
	assert_string_equal(err.key, "err_link_unknown");
	assert_int_equal(core_link_add(&env->ctx, u(p.sam), a, LINK_RELATES,
	    " ", &err), ZEK_INVALID);
	assert_string_equal(err.key, "err_required");
	assert_int_equal(core_link_add(&env->ctx, u(p.sam), a, LINK_RELATES,
	    kb, &err), ZEK_OK);
	/* One link a pair, whichever side asks. */
	assert_int_equal(core_link_add(&env->ctx, u(p.sam), a,
	    LINK_DUPLICATE_OF, kb, &err), ZEK_INVALID);
	assert_string_equal(err.key, "err_link_exists");
	assert_int_equal(core_link_add(&env->ctx, u(p.sam), b, LINK_RELATES,
	    ka, &err), ZEK_INVALID);
	assert_int_equal(links(p.sam, a, &l), 1);
	assert_int_equal(l[0].kind, LINK_RELATES);
	assert_string_equal(l[0].other_key, kb);
	assert_int_equal(links(p.sam, b, &l), 1);
	assert_string_equal(l[0].other_key, ka);
	assert_string_equal(l[0].other_status_label, "Offen");
	assert_int_equal(count_kind(p.sam, a, ACTIVITY_LINKED), 1);
	assert_int_equal(count_kind(p.sam, b, ACTIVITY_LINKED), 1);
	assert_int_equal(count_kind(p.anna, a, ACTIVITY_LINKED), 0);
	/* Removed from the other side. */
	assert_int_equal(core_link_remove(&env->ctx, u(p.anna), b, a),
	    ZEK_FORBIDDEN);
	assert_int_equal(core_link_remove(&env->ctx, u(p.sam), b, a), ZEK_OK);
	assert_int_equal(core_link_remove(&env->ctx, u(p.sam), b, a),
	    ZEK_NOTFOUND);
	assert_int_equal(links(p.sam, a, &l), 0);
	assert_int_equal(count_kind(p.sam, a, ACTIVITY_UNLINKED), 1);
	/* A duplicate reads the other way round on its original. */
	assert_int_equal(core_link_add(&env->ctx, u(p.sam), b,
	    LINK_DUPLICATE_OF, ka, &err), ZEK_OK);
	assert_int_equal(links(p.sam, a, &l), 1);
	assert_int_equal(l[0].kind, LINK_DUPLICATED_BY);
	assert_int_equal(links(p.sam, b, &l), 1);
	assert_int_equal(l[0].kind, LINK_DUPLICATE_OF);
}

static void
test_closing_as_duplicate_needs_the_original(void **state)
{
	const char *ka, *kb;
	int64_t a = new_incident(&ka), b = new_incident(&kb);
	struct field_error err = { 0 };
	struct store_request *r;
	struct request_link *l;

	assert_int_equal(core_transition(&env->ctx, u(p.sam), b, WF_CLOSE,
	    RESOLUTION_DUPLIKAT, NULL, &err), ZEK_INVALID);
	assert_string_equal(err.field, LINK_ORIGINAL_FIELD);
	assert_int_equal(core_close_duplicate(&env->ctx, u(p.sam), b, "",
	    NULL, &err), ZEK_INVALID);
	assert_string_equal(err.key, "err_required");
	assert_int_equal(core_close_duplicate(&env->ctx, u(p.sam), b, kb,
	    NULL, &err), ZEK_INVALID);
	assert_string_equal(err.key, "err_link_self");
	assert_int_equal(core_close_duplicate(&env->ctx, u(p.anna), b, ka,
	    NULL, &err), ZEK_FORBIDDEN);
	assert_int_equal(store_request_by_id(env->ctx.db, env->arena, b, &r),
	    ZEK_OK);
	assert_string_equal(r->status, "offen");
	assert_int_equal(core_close_duplicate(&env->ctx, u(p.sam), b, ka,
	    "Doppelt.", &err), ZEK_OK);
	assert_int_equal(store_request_by_id(env->ctx.db, env->arena, b, &r),
	    ZEK_OK);
	assert_string_equal(r->status, "geschlossen");
	assert_string_equal(r->resolution, "duplikat");
	assert_int_equal(links(p.sam, b, &l), 1);
	assert_int_equal(l[0].kind, LINK_DUPLICATE_OF);
	assert_int_equal(l[0].other_id, a);
	/* Closed is final. */
	assert_int_equal(core_close_duplicate(&env->ctx, u(p.sam), b, ka,
	    NULL, &err), ZEK_CONFLICT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_only_staff_edit),
		cmocka_unit_test(test_edit_title_and_description_logged_for_staff_only),
		cmocka_unit_test(test_edit_checks_like_create_and_writes_nothing_on_errors),
		cmocka_unit_test(test_a_stale_form_is_a_conflict),
		cmocka_unit_test(test_type_change_maps_by_key_and_keeps_the_rest),
		cmocka_unit_test(test_checkbox_and_datetime_round_trip),
		cmocka_unit_test(test_links_both_ways_checked_and_logged),
		cmocka_unit_test(test_closing_as_duplicate_needs_the_original),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
