/* Unit tests for core/snippets.c: who manages canned responses, their limits, the record of changes, and the placeholders. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <string.h>

#include "core/requests.h"
#include "core/snippets.h"
#include "core/users.h"
#include "core/validate.h"
#include "helpers.h"
#include "lib/arena.h"
#include "store/store.h"

static struct tenv *env;
static struct tenv_people p;
static int64_t tom;

static int
setup(void **state)
{
	(void)state;
	env = tenv_new();
	tenv_config(env);
	tenv_people(env, &p);
	tom = tenv_add(env, "tom@example.org", "Tom Technik", "agent", NULL);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tenv_free(env);
	return 0;
}

static struct user *
u(int64_t id)
{
	return tenv_get(env, id);
}

/* Saves as `who` and returns the code; *err the refusal. */
static enum zek_rc
save(int64_t who, int64_t id, const char *title, const char *body,
    int64_t *id_out, struct field_error *err)
{
	env->ctx.now_ms += 1000;
	*err = (struct field_error){ 0 };
	return core_snippet_save(&env->ctx, u(who), id, title, body, id_out,
	    err);
}

static void
refused(int64_t id, const char *title, const char *body, const char *field,
    const char *key, int64_t max)
{
	struct field_error err;

	assert_int_equal(save(p.sam, id, title, body, NULL, &err), ZEK_INVALID);
	assert_string_equal(err.field, field);
	assert_string_equal(err.key, key);
	assert_int_equal(err.max, max);
}

/* n copies of the UTF-8 text s, in the arena. */
static const char *
repeat(const char *s, size_t n)
{
	size_t len = strlen(s);
	char *out = arena_alloc(env->arena, len * n + 1);

	assert_non_null(out);
	for (size_t i = 0; i < n; i++)
		memcpy(out + i * len, s, len);
	out[len * n] = '\0';
	return out;
}

static void
test_only_staff_manage_snippets(void **state)
{
	struct field_error err;
	struct snippet *list, *s;
	const char *text;
	struct request_view v = { .key = "ZEK-1", .title = "t" };
	size_t n;
	int64_t id;

	(void)state;
	assert_int_equal(save(p.sam, 0, "Gruß", "Hallo {{Name}}", &id, &err),
	    ZEK_OK);
	assert_int_equal(core_snippets_list(&env->ctx, u(p.anna), &list, &n),
	    ZEK_FORBIDDEN);
	assert_int_equal(core_snippets_list(&env->ctx, NULL, &list, &n),
	    ZEK_FORBIDDEN);
	assert_int_equal(core_snippet_get(&env->ctx, u(p.anna), id, &s),
	    ZEK_FORBIDDEN);
	assert_int_equal(save(p.anna, 0, "Eigenes", "Text", NULL, &err),
	    ZEK_FORBIDDEN);
	assert_int_equal(save(p.anna, id, "Geändert", "Text", NULL, &err),
	    ZEK_FORBIDDEN);
	assert_int_equal(core_snippet_delete(&env->ctx, u(p.ben), id),
	    ZEK_FORBIDDEN);
	assert_int_equal(core_snippet_get(&env->ctx, u(p.sam), id, &s), ZEK_OK);
	assert_int_equal(core_snippet_fill(&env->ctx, u(p.carla), s, &v, &text),
	    ZEK_FORBIDDEN);
	/* Nothing a customer tried changed it. */
	assert_string_equal(s->title, "Gruß");
	assert_string_equal(s->body, "Hallo {{Name}}");
	assert_int_equal(core_snippet_delete(&env->ctx, u(p.sam), id), ZEK_OK);
}

static void
test_titles_and_bodies_are_checked(void **state)
{
	(void)state;
	refused(0, "", "Text", "title", "err_required", 0);
	refused(0, "   ", "Text", "title", "err_required", 0);
	refused(0, "Zwei\nZeilen", "Text", "title", "err_invalid_chars", 0);
	refused(0, "Kaputt \xff", "Text", "title", "err_invalid_utf8", 0);
	refused(0, repeat("ä", SNIPPET_TITLE_MAX + 1), "Text", "title",
	    "err_too_long", SNIPPET_TITLE_MAX);
	refused(0, "Titel", "", "body", "err_required", 0);
	refused(0, "Titel", " \n ", "body", "err_required", 0);
	refused(0, "Titel", "Kaputt \xc3", "body", "err_invalid_utf8", 0);
	refused(0, "Titel", repeat("ü", SNIPPET_BODY_MAX + 1), "body",
	    "err_too_long", SNIPPET_BODY_MAX);
	/* Exactly at the limits, in code points (not bytes). */
	struct field_error err;
	int64_t id;
	assert_int_equal(save(p.sam, 0, repeat("ä", SNIPPET_TITLE_MAX),
	    repeat("ü", SNIPPET_BODY_MAX), &id, &err), ZEK_OK);
	assert_int_equal(core_snippet_delete(&env->ctx, u(p.sam), id), ZEK_OK);
}

static void
test_changes_record_who_and_when(void **state)
{
	struct store_snippet *ss;
	struct field_error err;
	struct snippet *list, *s;
	int64_t a, b, created;
	size_t n;

	(void)state;
	assert_int_equal(save(p.sam, 0, "  Zweiter  ", "B\r\nText  ", &b, &err),
	    ZEK_OK);
	created = env->ctx.now_ms;
	assert_int_equal(save(p.sam, 0, "Erster", "A", &a, &err), ZEK_OK);
	assert_int_equal(core_snippets_list(&env->ctx, u(tom), &list, &n),
	    ZEK_OK);
	assert_int_equal(n, 2);                 /* by title */
	assert_int_equal(list[0].id, a);
	assert_int_equal(list[1].id, b);
	assert_string_equal(list[1].title, "Zweiter");     /* trimmed */
	assert_string_equal(list[1].body, "B\nText");       /* LF, trimmed */
	assert_string_equal(list[1].updated_by, "Sam Support");
	assert_int_equal(list[1].updated_at, created);

	/* Tom changes Sam's snippet: the change is his, the creation Sam's. */
	assert_int_equal(save(tom, b, "Zweiter, neu", "Neu", NULL, &err),
	    ZEK_OK);
	assert_int_equal(core_snippet_get(&env->ctx, u(p.sam), b, &s), ZEK_OK);
	assert_string_equal(s->title, "Zweiter, neu");
	assert_string_equal(s->updated_by, "Tom Technik");
	assert_int_equal(s->updated_at, env->ctx.now_ms);
	assert_int_equal(store_snippet_get(env->ctx.db, env->arena, b, &ss),
	    ZEK_OK);
	assert_int_equal(ss->created_by, p.sam);
	assert_int_equal(ss->created_at, created);
	assert_int_equal(ss->updated_by, tom);

	/* Deleted: gone from everywhere, once. */
	assert_int_equal(core_snippet_delete(&env->ctx, u(tom), b), ZEK_OK);
	assert_int_equal(core_snippet_delete(&env->ctx, u(tom), b),
	    ZEK_NOTFOUND);
	assert_int_equal(core_snippet_get(&env->ctx, u(p.sam), b, &s),
	    ZEK_NOTFOUND);
	assert_int_equal(save(p.sam, b, "Wieder", "da?", NULL, &err),
	    ZEK_NOTFOUND);
	assert_int_equal(save(p.sam, 999999, "Nie", "da", NULL, &err),
	    ZEK_NOTFOUND);
	assert_int_equal(core_snippets_list(&env->ctx, u(tom), &list, &n),
	    ZEK_OK);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].id, a);
	assert_int_equal(core_snippet_delete(&env->ctx, u(p.sam), a), ZEK_OK);
}

static void
test_placeholders_are_filled_for_the_request(void **state)
{
	struct request_view *v;
	struct field_error err;
	struct snippet s = { 0 };
	const char *key, *text;
	int64_t id;

	(void)state;
	(void)tenv_request(env, p.anna, "Drucker druckt nicht", &key);
	assert_int_equal(core_request_get(&env->ctx, u(p.sam), key, "de", &v),
	    ZEK_OK);
	s.body = "Hallo {{Name}}, zu {{Referenz}} ({{ titel }}): {{AGENT}}.";
	assert_int_equal(core_snippet_fill(&env->ctx, u(tom), &s, v, &text),
	    ZEK_OK);
	assert_string_equal(text, arena_printf(env->arena, "Hallo Anna Schmidt, "
	    "zu %s (Drucker druckt nicht): Tom Technik.", key));
	/* Not ours, or not closed: left as written. */
	s.body = "{{Unbekannt}} {{ {{Name}} {{Name";
	assert_int_equal(core_snippet_fill(&env->ctx, u(tom), &s, v, &text),
	    ZEK_OK);
	assert_string_equal(text, "{{Unbekannt}} {{ Anna Schmidt {{Name");
	s.body = "{{}}{{Referenz}}}}";
	assert_int_equal(core_snippet_fill(&env->ctx, u(tom), &s, v, &text),
	    ZEK_OK);
	assert_string_equal(text, arena_printf(env->arena, "{{}}%s}}", key));

	/* Inserted after what was typed, which stays as it was. */
	assert_int_equal(save(p.sam, 0, "Dank", "Danke, {{Name}}!", &id, &err),
	    ZEK_OK);
	assert_int_equal(core_snippet_insert(&env->ctx, u(p.sam), id, v, NULL,
	    &text), ZEK_OK);
	assert_string_equal(text, "Danke, Anna Schmidt!");
	assert_int_equal(core_snippet_insert(&env->ctx, u(p.sam), id, v,
	    " \n\n", &text), ZEK_OK);
	assert_string_equal(text, "Danke, Anna Schmidt!");
	assert_int_equal(core_snippet_insert(&env->ctx, u(p.sam), id, v,
	    "  Erste Zeile\n*zweite* <b>  \n", &text), ZEK_OK);
	assert_string_equal(text, "  Erste Zeile\n*zweite* <b>\n\n"
	    "Danke, Anna Schmidt!");
	assert_int_equal(core_snippet_insert(&env->ctx, u(p.anna), id, v, "x",
	    &text), ZEK_FORBIDDEN);
	assert_int_equal(core_snippet_delete(&env->ctx, u(p.sam), id), ZEK_OK);
	assert_int_equal(core_snippet_insert(&env->ctx, u(p.sam), id, v, "x",
	    &text), ZEK_NOTFOUND);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_only_staff_manage_snippets),
		cmocka_unit_test(test_titles_and_bodies_are_checked),
		cmocka_unit_test(test_changes_record_who_and_when),
		cmocka_unit_test(test_placeholders_are_filled_for_the_request),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
