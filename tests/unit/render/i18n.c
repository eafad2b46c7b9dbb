/* Unit tests for render/i18n.c, on catalogs written to a temporary folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/arena.h"
#include "lib/zek.h"
#include "render/i18n.h"

static char root[64];

/* Writes root/<rel> (creating the language folder). */
static void
put(const char *rel, const char *content)
{
	char path[256], dir[256];
	const char *slash = strrchr(rel, '/');
	FILE *f;

	if (slash != NULL) {
		snprintf(dir, sizeof(dir), "%s/%.*s", root, (int)(slash - rel), rel);
		mkdir(dir, 0700);
	}
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

static int
remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return ftw->level > 0 ? remove(path) : 0;
}

/* Empties root, keeping the folder itself. */
static void
clear_root(void)
{
	assert_int_equal(nftw(root, remove_entry, 8, FTW_DEPTH | FTW_PHYS), 0);
}

static int
setup(void **state)
{
	snprintf(root, sizeof(root), "/tmp/zek-i18n-XXXXXX");
	return mkdtemp(root) != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	clear_root();
	return rmdir(root);
}

static const char de_main[] =
	"# German catalog\n"
	"msgid \"\"\n"
	"msgstr \"\"\n"
	"\"Content-Type: text/plain; charset=UTF-8\\n\"\n"
	"\n"
	"#. shown on the login page\n"
	"#: templates/login.mustache:3\n"
	"msgid \"login_title\"\n"
	"msgstr \"Anmelden\"\n"
	"\n"
	"msgid \"multi\"\n"
	"msgstr \"\"\n"
	"\"Zeile 1\\n\"\n"
	"  \"Zeile \\\"2\\\"\\t\\\\ Ende\"\n"
	"msgid \"only_de\"\n"
	"msgstr \"Nur deutsch\"\r\n"
	"\n"
	"#, fuzzy\n"
	"msgid \"fuzzy_key\"\n"
	"msgstr \"Unsicher\"\n"
	"\n"
	"msgid \"empty_key\"\n"
	"msgstr \"\"\n"
	"\n"
	"#~ msgid \"old\"\n"
	"#~ msgstr \"Alt\"\n";

static const char de_more[] =
	"msgid \"status_open\"\n"
	"msgstr \"Offen\"\n"
	"\n"
	"msgid \"fuzzy_key\"\n"
	"msgstr \"\"\n"
	"msgid \"hello\"\n"
	"msgstr \"Hallo {name}\"\n";

static const char en_main[] =
	"msgid \"login_title\"\n"
	"msgstr \"Log in\"\n"
	"msgid \"multi\"\n"
	"msgstr \"Line\"\n"
	"msgid \"status_open\"\n"
	"msgstr \"Open\"\n"
	"msgid \"hello\"\n"
	"msgstr \"Hello {name}\"\n"
	"msgid \"only_en\"\n"
	"msgstr \"English only\"\n";

static struct catalogs *
load_ok(void)
{
	char err[256];
	struct catalogs *c = i18n_load(root, err, sizeof(err));

	if (c == NULL)
		fail_msg("load failed: %s", err);
	return c;
}

static void
test_load_and_get(void **state)
{
	struct catalogs *c;
	json_t *t;

	clear_root();
	put("de/10-main.po", de_main);
	put("de/20-more.po", de_more);
	put("de/notes.txt", "not a catalog");
	put("en/main.po", en_main);
	put("xx/junk.po", "this is not read");
	put("README", "ignored");
	c = load_ok();
	assert_string_equal(i18n_get(c, "de", "login_title"), "Anmelden");
	assert_string_equal(i18n_get(c, "en", "login_title"), "Log in");
	assert_string_equal(i18n_get(c, "de", "multi"), "Zeile 1\nZeile \"2\"\t\\ Ende");
	assert_string_equal(i18n_get(c, "de", "status_open"), "Offen");
	/* Fallbacks: missing in English -> German; unknown language -> German;
	 * unknown key -> the key. Fuzzy and empty entries count as missing. */
	assert_string_equal(i18n_get(c, "en", "only_de"), "Nur deutsch");
	assert_string_equal(i18n_get(c, "fr", "login_title"), "Anmelden");
	assert_string_equal(i18n_get(c, NULL, "login_title"), "Anmelden");
	assert_string_equal(i18n_get(c, "de", "only_en"), "only_en");
	assert_string_equal(i18n_get(c, "de", "nope"), "nope");
	assert_string_equal(i18n_get(c, "de", "fuzzy_key"), "fuzzy_key");
	assert_string_equal(i18n_get(c, "de", "empty_key"), "empty_key");
	assert_string_equal(i18n_get(c, "de", "old"), "old");
	assert_string_equal(i18n_get(c, "de", ""), "");
	assert_string_equal(i18n_get(NULL, "de", "login_title"), "login_title");

	/* The template table is borrowed, complete, and stable. */
	t = i18n_table(c, "en");
	assert_non_null(t);
	assert_true(t == i18n_table(c, "en"));
	assert_string_equal(json_string_value(json_object_get(t, "login_title")), "Log in");
	assert_string_equal(json_string_value(json_object_get(t, "only_de")), "Nur deutsch");
	assert_string_equal(json_string_value(json_object_get(t, "only_en")), "English only");
	assert_null(json_object_get(i18n_table(c, "de"), "only_en"));
	assert_true(i18n_table(c, "xx") == i18n_table(c, "de"));
	assert_null(i18n_table(NULL, "de"));
	i18n_free(c);
	i18n_free(NULL);
}

static void
test_load_errors(void **state)
{
	static const struct {
		const char *file;
		const char *content;
		const char *err;
	} cases[] = {
		{ "de/a.po", "msgid \"a\"\nmsgstr \"x\\q\"\n", "/de/a.po:2: unknown escape" },
		{ "de/a.po", "msgid \"a\"\nmsgstr \"x\n", "/de/a.po:2: unterminated string" },
		{ "de/a.po", "msgid \"a\"\nmsgstr \"x\\\"\n", "/de/a.po:2: unterminated string" },
		{ "de/a.po", "msgid \"a\"\nmsgstr \"x\" y\n", "/de/a.po:2: text after the closing quote" },
		{ "de/a.po", "msgid \"a\"\nmsgstr x\n", "/de/a.po:2: expected a string" },
		{ "de/a.po", "msgctxt \"c\"\nmsgid \"a\"\nmsgstr \"x\"\n", "/de/a.po:1: msgctxt is not supported" },
		{ "de/a.po", "msgid \"a\"\nmsgid_plural \"as\"\nmsgstr[0] \"x\"\n", "/de/a.po:2: plural forms" },
		{ "de/a.po", "msgid \"a\"\n\nmsgstr \"x\"\n", "/de/a.po:1: msgid without msgstr" },
		{ "de/a.po", "msgid \"a\"\nmsgid \"b\"\n", "/de/a.po:2: msgid without msgstr" },
		{ "de/a.po", "msgstr \"x\"\n", "/de/a.po:1: msgstr without msgid" },
		{ "de/a.po", "\"x\"\n", "/de/a.po:1: unexpected text" },
		{ "de/a.po", "hello\n", "/de/a.po:1: unexpected text" },
		{ "de/a.po", "msgid \"a.b\"\nmsgstr \"x\"\n", "/de/a.po:1: msgid must be a key" },
		{ "de/a.po", "msgid \"a\"\nmsgstr \"\xff\"\n", "/de/a.po:1: msgstr is not valid UTF-8" },
		{ "de/a.po", "msgid \"a\"\nmsgstr \"x\x01\"\n", "/de/a.po:2: control character" },
		{ "de/a.po", "msgid \"a\"\nmsgstr \"1\"\n\nmsgid \"a\"\nmsgstr \"2\"\n", "/de/a.po:4: duplicate msgid" },
		/* the same key in two files of one language */
		{ "de/b.po", "msgid \"dup\"\nmsgstr \"2\"\n", "/de/b.po:1: duplicate msgid" },
	};
	char err[256];
	struct catalogs *c;
	size_t i;

	for (i = 0; i < ZEK_ARRAY_LEN(cases); i++) {
		clear_root();
		put("en/main.po", en_main);
		put("de/0.po", "msgid \"dup\"\nmsgstr \"1\"\n");
		put(cases[i].file, cases[i].content);
		c = i18n_load(root, err, sizeof(err));
		if (c != NULL || strstr(err, cases[i].err) == NULL)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, c ? "(loaded)" : err, cases[i].err);
		assert_true(strncmp(err, root, strlen(root)) == 0);
	}
	/* A supported language without a folder, and no folder at all. */
	clear_root();
	put("de/a.po", de_main);
	assert_null(i18n_load(root, err, sizeof(err)));
	assert_non_null(strstr(err, "/en"));
	assert_null(i18n_load("/nonexistent/po", err, sizeof(err)));
	assert_non_null(strstr(err, "/nonexistent/po/de"));
	/* A tiny err buffer is not overrun. */
	assert_null(i18n_load("/nonexistent/po", err, 4));
	assert_int_equal(strlen(err), 3);
}

static void
test_check_complete(void **state)
{
	struct catalogs *c;
	char missing[256], tiny[12];

	clear_root();
	put("de/a.po", de_main);
	put("de/b.po", de_more);
	put("en/main.po", en_main);
	c = load_ok();
	assert_int_equal(i18n_check_complete(c, missing, sizeof(missing)), ZEK_INVALID);
	assert_string_equal(missing, "en:only_de, de:only_en");
	assert_int_equal(i18n_check_complete(c, tiny, sizeof(tiny)), ZEK_INVALID);
	assert_string_equal(tiny, "en:only_de");
	i18n_free(c);

	clear_root();
	put("de/a.po", "msgid \"k\"\nmsgstr \"D\"\n");
	put("en/a.po", "msgid \"k\"\nmsgstr \"E\"\n");
	c = load_ok();
	assert_int_equal(i18n_check_complete(c, missing, sizeof(missing)), ZEK_OK);
	assert_string_equal(missing, "");
	i18n_free(c);
}

static void
test_negotiate(void **state)
{
	static const struct {
		const char *header;
		const char *lang;
	} cases[] = {
		{ NULL, "de" },
		{ "", "de" },
		{ "en", "en" },
		{ "EN-gb", "en" },
		{ "en-US,en;q=0.9", "en" },
		{ "de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7", "de" },
		{ "fr-FR, en;q=0.5, de;q=0.4", "en" },
		{ "fr-FR, de;q=0.4, en;q=0.5", "en" },
		{ "de;q=0.5, en;q=0.5", "de" },
		{ "en;q=0.5, de;q=0.5", "en" },
		{ "en;q=0", "de" },
		{ "en;q=0.000", "de" },
		{ "en;q=0.001", "en" },
		{ "*", "de" },
		{ "*;q=0.1, en;q=0.2", "en" },
		{ "fr", "de" },
		{ "en;q=1.5", "de" },
		{ "en;q=abc, de;q=0.1", "de" },
		{ "en;q=0.8x", "de" },
		{ "en ; q=0.8", "en" },
		{ "en;level=1", "de" },
		{ "english", "de" },
		{ "en_US", "en" },
		{ ",,,en,,", "en" },
		{ "da, en-GB;q=0.8, en;q=0.7", "en" },
	};
	size_t i;

	for (i = 0; i < ZEK_ARRAY_LEN(cases); i++) {
		const char *got = i18n_negotiate(cases[i].header);
		if (strcmp(got, cases[i].lang) != 0)
			fail_msg("%s: got %s", cases[i].header ? cases[i].header : "NULL", got);
	}
	assert_true(i18n_has_lang("de"));
	assert_true(i18n_has_lang("en"));
	assert_false(i18n_has_lang("fr"));
	assert_false(i18n_has_lang("EN"));
	assert_false(i18n_has_lang(NULL));
	assert_string_equal(i18n_languages()[0], I18N_DEFAULT_LANG);
	assert_null(i18n_languages()[2]);
}

static void
test_format(void **state)
{
	static const char *const names[] = { "name", "n", "empty" };
	const char *values[] = { "Ada {n}", "3", NULL };
	struct arena *a = arena_new(0);
	char *out;
	long k;
	int rc;

	assert_int_equal(i18n_format(a, "Hallo {name}, {n} Anfragen{empty}. {x} {} { {n", names,
	    values, 3, &out), ZEK_OK);
	assert_string_equal(out, "Hallo Ada {n}, 3 Anfragen. {x} {} { {n");
	assert_int_equal(i18n_format(a, "{n}{n}", names, values, 3, &out), ZEK_OK);
	assert_string_equal(out, "33");
	assert_int_equal(i18n_format(a, "", names, values, 3, &out), ZEK_OK);
	assert_string_equal(out, "");
	assert_int_equal(i18n_format(a, "{name}", NULL, NULL, 0, &out), ZEK_OK);
	assert_string_equal(out, "{name}");
	arena_free(a);

	for (k = 1; k < 3; k++) {
		a = arena_new(0);
		arena_fail_after(a, k);
		rc = i18n_format(a, "Hallo {name}", names, values, 3, &out);
		assert_int_equal(rc, k == 1 ? ZEK_NOMEM : ZEK_OK);
		arena_free(a);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_and_get),
		cmocka_unit_test(test_load_errors),
		cmocka_unit_test(test_check_complete),
		cmocka_unit_test(test_negotiate),
		cmocka_unit_test(test_format),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
