/* Unit tests for core/privacy.c: a person's data export and its erasure
 * (DSGVO), on both backends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/activity.h"
#include "core/auth.h"
#include "core/privacy.h"
#include "core/requests.h"
#include "core/sharing.h"
#include "core/users.h"
#include "core/validate.h"
#include "helpers.h"

static struct tenv *env;
static struct tenv_people p;

static int
setup(void **state)
{
	(void)state;
	env = tenv_new();
	tenv_config(env);
	tenv_people(env, &p);
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
comment(int64_t who, int64_t id, const char *body)
{
	struct comment_input in = { .body = body, .is_public = true };
	struct field_error *errs;
	size_t n;

	env->ctx.now_ms += 1000;
	assert_int_equal(core_comment_add(&env->ctx, tenv_get(env, who), id,
	    &in, &errs, &n, NULL), ZEK_OK);
}

static size_t
len(json_t *doc, const char *key)
{
	return json_array_size(json_object_get(doc, key));
}

static void
test_export_lists_what_zek_holds(void **state)
{
	struct session_new s;
	struct field_error err;
	struct person added;
	const char *key;
	json_t *doc, *person;
	char *text;
	int64_t id;

	(void)state;
	id = tenv_request(env, p.anna, "Meine Frage", &key);
	comment(p.anna, id, "Anna schreibt");
	assert_int_equal(core_participant_add(&env->ctx, tenv_get(env, p.anna),
	    id, "ben@example.org", &added, &err), ZEK_OK);
	assert_int_equal(core_login(&env->ctx, "anna@example.org", "geheim1",
	    "10.0.0.1", &s), ZEK_OK);

	assert_int_equal(core_user_export(&env->ctx, "ANNA@example.org", &doc),
	    ZEK_OK);
	person = json_object_get(doc, "person");
	assert_string_equal(json_string_value(json_object_get(person, "email")),
	    "anna@example.org");
	assert_string_equal(json_string_value(json_array_get(json_object_get(
	    person, "organisations"), 0)), "Stadt Musterstadt – Bürgeramt");
	assert_true(json_is_string(json_object_get(person, "last_sign_in")));
	assert_int_equal(len(doc, "requests_reported"), 1);
	assert_int_equal(len(doc, "comments"), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(doc, "comments"), 0), "body")), "Anna schreibt");
	assert_int_equal(len(doc, "sessions"), 1);
	/* Mails: the creation confirmation. */
	assert_true(len(doc, "mails") >= 1);
	/* No secrets: not the password hash. */
	text = json_dumps(doc, 0);
	assert_null(strstr(text, "argon2"));
	free(text);
	json_decref(doc);
	/* Ben takes part in Anna's request. */
	assert_int_equal(core_user_export(&env->ctx, "ben@example.org", &doc),
	    ZEK_OK);
	assert_int_equal(len(doc, "requests_participating"), 1);
	assert_int_equal(len(doc, "requests_reported"), 0);
	json_decref(doc);
	assert_int_equal(core_user_export(&env->ctx, "niemand@example.org",
	    &doc), ZEK_NOTFOUND);
}

static void
test_erase_keeps_requests_and_comments(void **state)
{
	struct request_view *v;
	struct session_new s;
	struct user *who;
	const char *key;
	int64_t id, erased;
	json_t *doc;

	(void)state;
	id = tenv_request(env, p.anna, "Bleibt bestehen", &key);
	comment(p.anna, id, "Annas Kommentar");
	comment(p.sam, id, "Antwort vom Support");
	assert_int_equal(core_login(&env->ctx, "anna@example.org", "geheim1",
	    "10.0.0.1", &s), ZEK_OK);

	assert_int_equal(core_user_erase(&env->ctx, "anna@example.org", &erased),
	    ZEK_OK);
	assert_int_equal(erased, p.anna);
	/* No sign-in, no session, no address. */
	assert_int_equal(core_session_lookup(&env->ctx, s.token, &who, NULL),
	    ZEK_NOTFOUND);
	assert_int_equal(core_login(&env->ctx, "anna@example.org", "geheim1",
	    "10.0.0.1", &s), ZEK_INVALID);
	assert_int_equal(core_user_export(&env->ctx, "anna@example.org", &doc),
	    ZEK_NOTFOUND);
	who = tenv_get(env, p.anna);
	assert_string_equal(who->name, PRIVACY_ERASED_NAME);
	assert_non_null(strstr(who->email, "@invalid"));
	assert_int_equal(who->norgs, 0);
	/* The request and both comments stay; hers by "Gelöschte Person". */
	assert_int_equal(core_request_get(&env->ctx, tenv_get(env, p.sam), key,
	    "de", &v), ZEK_OK);
	assert_int_equal(core_user_export(&env->ctx, who->email, &doc), ZEK_OK);
	assert_int_equal(len(doc, "requests_reported"), 1);
	assert_int_equal(len(doc, "comments"), 1);
	assert_int_equal(len(doc, "sessions"), 0);
	assert_int_equal(len(doc, "mails"), 0);
	json_decref(doc);
	assert_int_equal(core_user_export(&env->ctx, "support@example.org",
	    &doc), ZEK_OK);
	assert_int_equal(len(doc, "comments"), 1);
	json_decref(doc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_export_lists_what_zek_holds,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_erase_keeps_requests_and_comments, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
