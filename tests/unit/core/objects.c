/* Unit tests for core/objects.c: search, listing, CSV import. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/objects.h"
#include "helpers.h"

static struct tenv *env;

static int
setup(void **state)
{
	env = tenv_new();
	return 0;
}

static int
teardown(void **state)
{
	tenv_free(env);
	return 0;
}

static enum zek_rc
import(const char *csv, int64_t *added, int64_t *line)
{
	FILE *fp = fmemopen((void *)csv, strlen(csv), "r");
	enum zek_rc rc;

	assert_non_null(fp);
	rc = core_import_objects_csv(&env->ctx, fp, added, line);
	fclose(fp);
	return rc;
}

static const char catalogue[] =
    "\xef\xbb\xbfkind,name\r\n"
    "Mandant,Stadt Musterstadt\r\n"
    "Online-Dienst,Wohngeld\r\n"
    "online-dienst,  Elterngeld  \r\n"
    "\r\n"
    "Online-Dienst,\"Wohnsitzanmeldung, Nebenwohnung\"\r\n"
    "Online-Dienst,\"Der \"\"neue\"\" Dienst\"\n"
    "Online-Dienst,Überweisung\n"
    "Online-Dienst,Anwohnerparken";

static void
test_import_idempotent(void **state)
{
	struct object *o;
	int64_t added = -1, line = 0;
	size_t n;

	assert_int_equal(import(catalogue, &added, &line), ZEK_OK);
	assert_int_equal(added, 7);
	assert_int_equal(import(catalogue, &added, &line), ZEK_OK);
	assert_int_equal(added, 0);
	assert_int_equal(core_objects_list(&env->ctx, "online_dienst", &o, &n),
	    ZEK_OK);
	assert_int_equal(n, 6);
	assert_string_equal(o[0].name, "Anwohnerparken");
	assert_string_equal(o[1].name, "Der \"neue\" Dienst");
	assert_string_equal(o[2].name, "Elterngeld");
	assert_string_equal(o[5].name, "Überweisung");  /* ordered by folded name */
	assert_int_equal(core_objects_list(&env->ctx, "mandant", &o, &n),
	    ZEK_OK);
	assert_int_equal(n, 1);
	assert_string_equal(o[0].kind, "mandant");
}

static void
test_import_errors_roll_back(void **state)
{
	struct object *o;
	int64_t line = 0;
	size_t before, after;

	assert_int_equal(core_objects_list(&env->ctx, "online_dienst", &o,
	    &before), ZEK_OK);
	assert_int_equal(import("kind,name\nOnline-Dienst,Neu A\n"
	    "Planet,Mars\n", NULL, &line), ZEK_INVALID);
	assert_int_equal(line, 3);
	assert_int_equal(import("name,kind\nMars,Planet\n", NULL, &line),
	    ZEK_INVALID);
	assert_int_equal(line, 1);
	assert_int_equal(import("kind,name\nMandant,\"offen\n", NULL, &line),
	    ZEK_INVALID);
	assert_int_equal(import("kind,name\nMandant,a,b\n", NULL, &line),
	    ZEK_INVALID);
	assert_int_equal(import("kind,name\nMandant,\n", NULL, &line),
	    ZEK_INVALID);
	assert_int_equal(import("kind,name\nMandant,kaputt\xff\n", NULL, &line),
	    ZEK_INVALID);
	/* Nothing of a failed import stays. */
	assert_int_equal(core_objects_list(&env->ctx, "online_dienst", &o,
	    &after), ZEK_OK);
	assert_int_equal(after, before);
}

static void
test_search(void **state)
{
	struct object *o, *one;
	size_t n, i;
	char csv[4096];
	int len;

	assert_int_equal(core_objects_search(&env->ctx, "online_dienst", "GELD",
	    10, &o, &n), ZEK_OK);
	assert_int_equal(n, 2);
	assert_string_equal(o[0].name, "Elterngeld");
	assert_string_equal(o[1].name, "Wohngeld");
	assert_int_equal(core_objects_search(&env->ctx, "online_dienst", "über",
	    10, &o, &n), ZEK_OK);
	assert_int_equal(n, 1);
	assert_int_equal(core_objects_search(&env->ctx, "mandant", "geld", 10,
	    &o, &n), ZEK_OK);
	assert_int_equal(n, 0);
	assert_int_equal(core_objects_search(&env->ctx, "planet", "x", 10, &o,
	    &n), ZEK_INVALID);
	/* At most 50, whatever is asked. */
	len = snprintf(csv, sizeof(csv), "kind,name\n");
	for (i = 0; i < 60; i++)
		len += snprintf(csv + len, sizeof(csv) - (size_t)len,
		    "Mandant,Amt %02zu\n", i);
	assert_int_equal(import(csv, NULL, NULL), ZEK_OK);
	assert_int_equal(core_objects_search(&env->ctx, "mandant", "amt", 500,
	    &o, &n), ZEK_OK);
	assert_int_equal(n, OBJECTS_SEARCH_MAX);
	assert_string_equal(o[0].name, "Amt 00");
	assert_int_equal(core_object_get_str(&env->ctx, "0", NULL, &one),
	    ZEK_NOTFOUND);
	{
		char id[24];

		snprintf(id, sizeof(id), "%lld", (long long)o[3].id);
		assert_int_equal(core_object_get_str(&env->ctx, id, "mandant",
		    &one), ZEK_OK);
		assert_string_equal(one->name, "Amt 03");
		assert_int_equal(core_object_get_str(&env->ctx, id,
		    "online_dienst", &one), ZEK_NOTFOUND);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_import_idempotent),
		cmocka_unit_test(test_import_errors_roll_back),
		cmocka_unit_test(test_search),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
