/* Unit tests for core/admin.c: the help center, its announcement and the
 * portals' texts as admins change them, the configuration's version, and
 * the record of changes. Run on both backends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/admin.h"
#include "core/objects.h"
#include "core/portal.h"
#include "core/users.h"
#include "core/validate.h"
#include "helpers.h"

#define HOUR_MS (3600 * (int64_t)1000)

static struct tenv *env;
static struct user *admin_user;
static int64_t admin_id;

static int
setup(void **state)
{
	(void)state;
	env = tenv_new();
	tenv_config(env);
	admin_id = tenv_add(env, "ada@example.org", "Ada Admin", "admin",
	    NULL);
	admin_user = tenv_get(env, admin_id);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tenv_free(env);
	return 0;
}

/* A new request's context (what the last one read is gone with it). */
static void
next_request(void)
{
	tenv_reset(env);
	admin_user = tenv_get(env, admin_id);
}

/* The form as the page would send it back unchanged, at `version`. */
static struct admin_help_center_form
form_at(int64_t version)
{
	static char v[32];

	snprintf(v, sizeof(v), "%lld", (long long)version);
	return (struct admin_help_center_form){ .version = v, .title_de = "",
	    .title_en = "", .intro_de = "", .intro_en = "",
	    .announcement_de = "", .announcement_en = "", .from = "",
	    .until = "" };
}

static int64_t
version_now(void)
{
	struct admin_help_center h;

	assert_int_equal(core_admin_help_center(&env->ctx, admin_user, &h),
	    ZEK_OK);
	return h.version;
}

/* The local time text of now + offset in Berlin, as the form sends it. */
static const char *
berlin(int64_t offset_ms, char out[17])
{
	assert_int_equal(core_format_local_datetime(env->ctx.now_ms + offset_ms,
	    "Europe/Berlin", out), ZEK_OK);
	return out;
}

static void
test_only_admins_see_the_area(void **state)
{
	struct admin_help_center_form f = form_at(0);
	struct field_error errs[ADMIN_MAX_ERRORS];
	struct tenv_people p;
	struct admin_help_center h;
	struct admin_history hist;
	struct admin_desk *desks;
	struct admin_desk d;
	size_t n, nerrs;
	int k;

	(void)state;
	tenv_people(env, &p);
	for (k = 0; k < 2; k++) {
		struct user *u = tenv_get(env, k == 0 ? p.sam : p.anna);

		assert_int_equal(core_admin_help_center(&env->ctx, u, &h),
		    ZEK_NOTFOUND);
		assert_int_equal(core_admin_help_center_save(&env->ctx, u, &f,
		    errs, &nerrs), ZEK_NOTFOUND);
		assert_int_equal(core_admin_desks(&env->ctx, u, &desks, &n),
		    ZEK_NOTFOUND);
		assert_int_equal(core_admin_desk(&env->ctx, u, 17, &d),
		    ZEK_NOTFOUND);
		assert_int_equal(core_admin_history(&env->ctx, u, 0, &hist),
		    ZEK_NOTFOUND);
	}
	assert_int_equal(core_admin_desks(&env->ctx, admin_user, &desks, &n),
	    ZEK_OK);
	assert_int_equal(n, 1);
	assert_string_equal(desks[0].project_key, "ZEK");
}

static void
test_help_center_saved_shown_and_recorded(void **state)
{
	struct admin_help_center_form f = form_at(0);
	struct field_error errs[ADMIN_MAX_ERRORS];
	struct help_center_texts de, en;
	struct admin_history hist;
	size_t nerrs;

	(void)state;
	/* Nothing saved yet: the built-in texts, no announcement. */
	assert_int_equal(version_now(), 0);
	assert_int_equal(core_help_center_texts(&env->ctx, "de", &de), ZEK_OK);
	assert_string_equal(de.title, "");
	assert_null(de.announcement);

	f.title_de = "  Willkommen beim ZEK  ";
	f.intro_de = "Zeile eins\r\nZeile zwei\r\n";
	f.announcement_de = "Wartung am **Samstag**";
	f.announcement_en = "Maintenance on Saturday";
	assert_int_equal(core_admin_help_center_save(&env->ctx, admin_user, &f,
	    errs, &nerrs), ZEK_OK);
	assert_int_equal(version_now(), 1);

	next_request();
	assert_int_equal(core_help_center_texts(&env->ctx, "de", &de), ZEK_OK);
	assert_int_equal(core_help_center_texts(&env->ctx, "en", &en), ZEK_OK);
	assert_string_equal(de.title, "Willkommen beim ZEK");
	assert_string_equal(de.intro, "Zeile eins\nZeile zwei");
	assert_string_equal(de.announcement, "Wartung am **Samstag**");
	/* English where given, else the German text. */
	assert_string_equal(en.announcement, "Maintenance on Saturday");
	assert_string_equal(en.title, "Willkommen beim ZEK");

	/* One row per changed setting, newest first, before and after. */
	assert_int_equal(core_admin_history(&env->ctx, admin_user, 0, &hist),
	    ZEK_OK);
	assert_int_equal(hist.n, 4);
	assert_string_equal(hist.rows[0].subject, "announcement_en");
	assert_string_equal(hist.rows[3].subject, "help_title_de");
	assert_string_equal(hist.rows[3].old_value, "");
	assert_string_equal(hist.rows[3].new_value, "Willkommen beim ZEK");
	assert_string_equal(hist.rows[3].actor_name, "Ada Admin");
	assert_false(hist.rows[3].is_time);

	/* Saving it unchanged records nothing and keeps the version. */
	f = form_at(1);
	f.title_de = "Willkommen beim ZEK";
	f.intro_de = "Zeile eins\nZeile zwei";
	f.announcement_de = "Wartung am **Samstag**";
	f.announcement_en = "Maintenance on Saturday";
	assert_int_equal(core_admin_help_center_save(&env->ctx, admin_user, &f,
	    errs, &nerrs), ZEK_OK);
	assert_int_equal(version_now(), 1);
	assert_int_equal(core_admin_history(&env->ctx, admin_user, 0, &hist),
	    ZEK_OK);
	assert_int_equal(hist.n, 4);

	/* Removing the announcement ends it. */
	f.announcement_de = "";
	f.announcement_en = "";
	assert_int_equal(core_admin_help_center_save(&env->ctx, admin_user, &f,
	    errs, &nerrs), ZEK_OK);
	assert_int_equal(core_help_center_texts(&env->ctx, "de", &de), ZEK_OK);
	assert_null(de.announcement);
	assert_int_equal(version_now(), 2);
}

static void
test_announcement_shows_between_its_times(void **state)
{
	struct admin_help_center_form f = form_at(0);
	struct field_error errs[ADMIN_MAX_ERRORS];
	struct help_center_texts t;
	struct admin_history hist;
	char from[17], until[17];
	int64_t saved_at = env->ctx.now_ms;
	size_t nerrs;

	(void)state;
	f.announcement_de = "Wartungsfenster";
	f.from = berlin(HOUR_MS, from);
	f.until = berlin(3 * HOUR_MS, until);
	assert_int_equal(core_admin_help_center_save(&env->ctx, admin_user, &f,
	    errs, &nerrs), ZEK_OK);
	/* Minutes count: the form has no seconds. */
	env->ctx.now_ms = saved_at + HOUR_MS - 60 * 1000;
	assert_int_equal(core_help_center_texts(&env->ctx, "de", &t), ZEK_OK);
	assert_null(t.announcement);
	env->ctx.now_ms = saved_at + 2 * HOUR_MS;
	assert_int_equal(core_help_center_texts(&env->ctx, "de", &t), ZEK_OK);
	assert_string_equal(t.announcement, "Wartungsfenster");
	env->ctx.now_ms = saved_at + 3 * HOUR_MS;
	assert_int_equal(core_help_center_texts(&env->ctx, "de", &t), ZEK_OK);
	assert_null(t.announcement);

	/* The times are recorded as times. */
	assert_int_equal(core_admin_history(&env->ctx, admin_user, 0, &hist),
	    ZEK_OK);
	assert_int_equal(hist.n, 3);
	assert_string_equal(hist.rows[0].subject, "announcement_until");
	assert_true(hist.rows[0].is_time);
	assert_string_equal(hist.rows[0].old_value, "0");
}

static void
test_a_stale_form_does_not_overwrite(void **state)
{
	struct admin_help_center_form mine = form_at(0), theirs = form_at(0);
	struct field_error errs[ADMIN_MAX_ERRORS];
	struct help_center_texts t;
	size_t nerrs;

	(void)state;
	theirs.title_de = "Erste Fassung";
	assert_int_equal(core_admin_help_center_save(&env->ctx, admin_user,
	    &theirs, errs, &nerrs), ZEK_OK);
	/* Read at version 0, saved after their change. */
	mine.title_de = "Zweite Fassung";
	assert_int_equal(core_admin_help_center_save(&env->ctx, admin_user,
	    &mine, errs, &nerrs), ZEK_CONFLICT);
	mine.version = "";
	assert_int_equal(core_admin_help_center_save(&env->ctx, admin_user,
	    &mine, errs, &nerrs), ZEK_CONFLICT);
	assert_int_equal(core_help_center_texts(&env->ctx, "de", &t), ZEK_OK);
	assert_string_equal(t.title, "Erste Fassung");
	assert_int_equal(version_now(), 1);
	/* At the version the page shows now, it goes through. */
	mine = form_at(1);
	mine.title_de = "Zweite Fassung";
	assert_int_equal(core_admin_help_center_save(&env->ctx, admin_user,
	    &mine, errs, &nerrs), ZEK_OK);
	assert_int_equal(core_help_center_texts(&env->ctx, "de", &t), ZEK_OK);
	assert_string_equal(t.title, "Zweite Fassung");
}

static bool
has_error(const struct field_error *errs, size_t n, const char *field,
    const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(errs[i].field, field) == 0 &&
		    strcmp(errs[i].key, key) == 0)
			return true;
	return false;
}

static void
test_bad_input_is_named_and_nothing_saved(void **state)
{
	struct admin_help_center_form f = form_at(0);
	struct field_error errs[ADMIN_MAX_ERRORS];
	struct admin_history hist;
	char long_title[ADMIN_TITLE_MAX + 2], from[17], until[17];
	size_t nerrs;

	(void)state;
	memset(long_title, 'x', sizeof(long_title) - 1);
	long_title[sizeof(long_title) - 1] = '\0';
	f.title_de = long_title;
	f.title_en = "Zwei\nZeilen";
	f.intro_de = "\xff\xfe";
	f.announcement_en = "English only";
	f.from = "31.12.2026";
	assert_int_equal(core_admin_help_center_save(&env->ctx, admin_user, &f,
	    errs, &nerrs), ZEK_INVALID);
	assert_true(has_error(errs, nerrs, "title_de", "err_too_long"));
	assert_int_equal(errs[0].max, ADMIN_TITLE_MAX);
	assert_true(has_error(errs, nerrs, "title_en", "err_invalid_chars"));
	assert_true(has_error(errs, nerrs, "intro_de", "err_invalid_utf8"));
	assert_true(has_error(errs, nerrs, "from", "err_invalid_datetime"));
	assert_true(has_error(errs, nerrs, "announcement_de",
	    "err_announcement_text"));

	f = form_at(0);
	f.announcement_de = "Wartung";
	f.from = berlin(2 * HOUR_MS, from);
	f.until = berlin(HOUR_MS, until);
	assert_int_equal(core_admin_help_center_save(&env->ctx, admin_user, &f,
	    errs, &nerrs), ZEK_INVALID);
	assert_int_equal(nerrs, 1);
	assert_true(has_error(errs, nerrs, "until", "err_until_before_from"));

	assert_int_equal(version_now(), 0);
	assert_int_equal(core_admin_history(&env->ctx, admin_user, 0, &hist),
	    ZEK_OK);
	assert_int_equal(hist.n, 0);
}

static void
test_portal_renamed_everywhere(void **state)
{
	struct admin_desk_form f = { .version = "0", .name = " ",
	    .description = "" };
	struct field_error errs[ADMIN_MAX_ERRORS];
	struct portal_summary *list;
	struct admin_history hist;
	struct admin_desk d;
	size_t n, nerrs;

	(void)state;
	assert_int_equal(core_admin_desk_save(&env->ctx, admin_user, 17, &f,
	    errs, &nerrs), ZEK_INVALID);
	assert_true(has_error(errs, nerrs, "name", "err_required"));
	assert_int_equal(core_admin_desk_save(&env->ctx, admin_user, 99, &f,
	    errs, &nerrs), ZEK_NOTFOUND);
	f.name = "ZEK Service-Portal";
	f.description = "Alles an einem Ort.";
	assert_int_equal(core_admin_desk_save(&env->ctx, admin_user, 17, &f,
	    errs, &nerrs), ZEK_OK);
	next_request();
	assert_int_equal(core_portals_list(&env->ctx, NULL, &list, &n), ZEK_OK);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].name, "ZEK Service-Portal");
	assert_string_equal(list[0].description, "Alles an einem Ort.");
	assert_int_equal(core_admin_desk(&env->ctx, admin_user, 17, &d), ZEK_OK);
	assert_int_equal(d.version, 1);
	assert_int_equal(core_admin_history(&env->ctx, admin_user, 0, &hist),
	    ZEK_OK);
	assert_int_equal(hist.n, 2);
	assert_string_equal(hist.rows[1].subject, "desk_name");
	assert_string_equal(hist.rows[1].target, "ZEK");
	assert_string_equal(hist.rows[1].new_value, "ZEK Service-Portal");
	/* The same form again, now stale. */
	f.name = "Noch ein Name";
	assert_int_equal(core_admin_desk_save(&env->ctx, admin_user, 17, &f,
	    errs, &nerrs), ZEK_CONFLICT);
}

static void
test_history_in_pages(void **state)
{
	struct admin_help_center_form f;
	struct field_error errs[ADMIN_MAX_ERRORS];
	struct admin_history hist;
	char title[32];
	int64_t seen = 0, before = 0, last = INT64_MAX;
	size_t i, nerrs;
	int k;

	(void)state;
	for (k = 0; k < ADMIN_HISTORY_PAGE + 7; k++) {
		f = form_at(k);
		snprintf(title, sizeof(title), "Fassung %d", k);
		f.title_de = title;
		assert_int_equal(core_admin_help_center_save(&env->ctx,
		    admin_user, &f, errs, &nerrs), ZEK_OK);
	}
	do {
		assert_int_equal(core_admin_history(&env->ctx, admin_user,
		    before, &hist), ZEK_OK);
		for (i = 0; i < hist.n; i++) {
			assert_true(hist.rows[i].id < last);
			last = hist.rows[i].id;
		}
		seen += (int64_t)hist.n;
		before = hist.next_before;
	} while (before != 0);
	assert_int_equal(seen, ADMIN_HISTORY_PAGE + 7);
}

/* The id of the one offered object of `kind` named `name`, or 0. */
static int64_t
offered(const char *kind, const char *name)
{
	struct object *o;
	size_t n, i;

	assert_int_equal(core_objects_search(&env->ctx, kind, name, 0, &o, &n),
	    ZEK_OK);
	for (i = 0; i < n; i++)
		if (strcmp(o[i].name, name) == 0)
			return o[i].id;
	return 0;
}

/* The admin's list of `kind` holds `name` in this state (0 = absent,
 * 1 = offered, 2 = retired). */
static int
listed(const char *kind, const char *name)
{
	struct admin_objects objs;
	size_t i;

	assert_int_equal(core_admin_objects(&env->ctx, admin_user, kind, name,
	    0, &objs), ZEK_OK);
	for (i = 0; i < objs.n; i++)
		if (strcmp(objs.rows[i].name, name) == 0)
			return objs.rows[i].retired ? 2 : 1;
	return 0;
}

static void
test_catalogue_add_rename_retire_restore(void **state)
{
	struct field_error err = { 0 };
	struct admin_history hist;
	struct admin_objects objs;
	struct tenv_people p;
	struct object *o;
	int64_t id;

	(void)state;
	tenv_people(env, &p);
	/* Others may not touch it. */
	assert_int_equal(core_admin_object_add(&env->ctx, tenv_get(env, p.sam),
	    "mandant", "Amt Zeta", &err), ZEK_NOTFOUND);
	assert_int_equal(core_admin_objects(&env->ctx, tenv_get(env, p.anna),
	    "mandant", NULL, 0, &objs), ZEK_NOTFOUND);
	next_request();

	assert_int_equal(core_admin_object_add(&env->ctx, admin_user, "mandant",
	    "  Amt Zeta  ", &err), ZEK_OK);
	id = offered("mandant", "Amt Zeta");
	assert_true(id > 0);
	/* The same name in another case is the same entry. */
	assert_int_equal(core_admin_object_add(&env->ctx, admin_user, "mandant",
	    "AMT ZETA", &err), ZEK_INVALID);
	assert_string_equal(err.field, "name");
	assert_string_equal(err.key, "err_object_exists");
	err = (struct field_error){ 0 };
	assert_int_equal(core_admin_object_add(&env->ctx, admin_user, "mandant",
	    "   ", &err), ZEK_INVALID);
	assert_string_equal(err.key, "err_required");
	/* ... but another kind may have it. */
	assert_int_equal(core_admin_object_add(&env->ctx, admin_user,
	    "online_dienst", "Amt Zeta", &err), ZEK_OK);
	next_request();

	/* A new name is the name of the same object: old requests follow. */
	assert_int_equal(core_admin_object_rename(&env->ctx, admin_user, id,
	    "Amt Zeta-Nord", &err), ZEK_OK);
	assert_int_equal(core_object_get(&env->ctx, id, &o), ZEK_OK);
	assert_string_equal(o->name, "Amt Zeta-Nord");
	assert_int_equal(core_admin_object_add(&env->ctx, admin_user, "mandant",
	    "Amt Eta", &err), ZEK_OK);
	err = (struct field_error){ 0 };
	assert_int_equal(core_admin_object_rename(&env->ctx, admin_user,
	    offered("mandant", "Amt Eta"), "amt zeta-nord", &err),
	    ZEK_INVALID);
	assert_string_equal(err.key, "err_object_exists");
	/* Its own name in another case is a correction. */
	assert_int_equal(core_admin_object_rename(&env->ctx, admin_user, id,
	    "Amt ZETA-Nord", &err), ZEK_OK);
	next_request();

	/* Retired: no longer offered, still known by id and to the admin. */
	assert_int_equal(core_admin_object_retire(&env->ctx, admin_user, id,
	    true), ZEK_OK);
	assert_int_equal(offered("mandant", "Amt ZETA-Nord"), 0);
	assert_int_equal(core_object_get(&env->ctx, id, &o), ZEK_OK);
	assert_int_equal(listed("mandant", "Amt ZETA-Nord"), 2);
	/* Its name stays taken. */
	assert_int_equal(core_admin_object_add(&env->ctx, admin_user, "mandant",
	    "Amt Zeta-Nord", &err), ZEK_INVALID);
	assert_int_equal(core_admin_object_retire(&env->ctx, admin_user, id,
	    false), ZEK_OK);
	assert_int_equal(offered("mandant", "Amt ZETA-Nord"), id);
	assert_int_equal(listed("mandant", "Amt ZETA-Nord"), 1);
	assert_int_equal(core_admin_object_retire(&env->ctx, admin_user,
	    999999, true), ZEK_NOTFOUND);
	next_request();

	/* Every change is on the record, newest first. */
	assert_int_equal(core_admin_history(&env->ctx, admin_user, 0, &hist),
	    ZEK_OK);
	assert_true(hist.n >= 7);
	assert_string_equal(hist.rows[0].subject, "object_restored");
	assert_string_equal(hist.rows[0].target, "mandant");
	assert_string_equal(hist.rows[0].new_value, "Amt ZETA-Nord");
	assert_string_equal(hist.rows[1].subject, "object_retired");
	assert_string_equal(hist.rows[2].subject, "object_renamed");
	assert_string_equal(hist.rows[2].old_value, "Amt Zeta-Nord");
	assert_string_equal(hist.rows[2].new_value, "Amt ZETA-Nord");
	assert_string_equal(hist.rows[3].subject, "object_added");
	assert_string_equal(hist.rows[3].new_value, "Amt Eta");
}

static void
test_catalogue_import_all_or_nothing(void **state)
{
	static const char good[] = "\xef\xbb\xbfkind,name\r\n"
	    "Mandant,Amt Theta\r\n"
	    "Online-Dienst,\"Antrag, digital\"\r\n"
	    "\r\n"
	    "Mandant,amt theta\r\n";
	static const char bad[] = "kind,name\nMandant,Amt Iota\nPlanet,Mars\n";
	struct admin_history hist;
	struct tenv_people p;
	int64_t added, line;

	(void)state;
	tenv_people(env, &p);
	assert_int_equal(core_admin_objects_import(&env->ctx,
	    tenv_get(env, p.sam), good, strlen(good), &added, &line),
	    ZEK_NOTFOUND);
	next_request();
	assert_int_equal(core_admin_objects_import(&env->ctx, admin_user, good,
	    strlen(good), &added, &line), ZEK_OK);
	assert_int_equal(added, 2);
	assert_true(offered("mandant", "Amt Theta") > 0);
	assert_true(offered("online_dienst", "Antrag, digital") > 0);
	next_request();
	/* Twice changes nothing, and records nothing. */
	assert_int_equal(core_admin_objects_import(&env->ctx, admin_user, good,
	    strlen(good), &added, &line), ZEK_OK);
	assert_int_equal(added, 0);
	next_request();
	/* A bad line names itself and keeps the lines before it out. */
	assert_int_equal(core_admin_objects_import(&env->ctx, admin_user, bad,
	    strlen(bad), &added, &line), ZEK_INVALID);
	assert_int_equal(line, 3);
	assert_int_equal(offered("mandant", "Amt Iota"), 0);
	assert_int_equal(core_admin_objects_import(&env->ctx, admin_user,
	    "Mandant,X\n", 10, &added, &line), ZEK_INVALID);
	assert_int_equal(line, 1);
	assert_int_equal(core_admin_objects_import(&env->ctx, admin_user,
	    "kind,name\nMandant,\xff\n", 20, &added, &line), ZEK_INVALID);
	next_request();
	assert_int_equal(core_admin_history(&env->ctx, admin_user, 0, &hist),
	    ZEK_OK);
	assert_string_equal(hist.rows[0].subject, "objects_imported");
	assert_string_equal(hist.rows[0].new_value, "2");
	assert_true(hist.n == 1 || strcmp(hist.rows[1].subject,
	    "objects_imported") != 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_only_admins_see_the_area,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_help_center_saved_shown_and_recorded, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_announcement_shows_between_its_times, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_a_stale_form_does_not_overwrite, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_bad_input_is_named_and_nothing_saved, setup, teardown),
		cmocka_unit_test_setup_teardown(test_portal_renamed_everywhere,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_in_pages, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_catalogue_add_rename_retire_restore, setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_catalogue_import_all_or_nothing, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
