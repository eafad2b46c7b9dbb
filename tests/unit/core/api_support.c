/* Unit tests for core/api_support.c: request ids, people and uploads as the
 * REST API names them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/api_support.h"
#include "core/attachments.h"
#include "core/requests.h"
#include "core/sharing.h"
#include "core/users.h"
#include "core/validate.h"
#include "helpers.h"
#include "lib/arena.h"
#include "store/store.h"

#define PORTAL 17
#define T_FRAGE 4

static struct tenv *env;
static int64_t anna, ben, carla, sam;

static int64_t
add(const char *email, const char *name, const char *role, const char *org)
{
	struct store_user su = { .email = email, .name = name,
	    .password_hash = "", .role = role, .lang = "de",
	    .tz = "Europe/Berlin", .notify = true, .created_at = 1 };
	int64_t id;

	assert_int_equal(store_user_insert(env->ctx.db, &su, &id), ZEK_OK);
	if (org != NULL)
		assert_int_equal(core_user_join_org(&env->ctx, id, org), ZEK_OK);
	return id;
}

static struct user *
u(int64_t id)
{
	struct user *x;

	assert_int_equal(core_user_get(&env->ctx, id, &x), ZEK_OK);
	return x;
}

static int
setup(void **state)
{
	(void)state;
	env = tenv_new();
	tenv_config(env);
	anna = add("anna@example.org", "Anna Schmidt", "customer", "Bürgeramt");
	ben = add("ben@example.org", "Ben Weber", "customer", "Bürgeramt");
	carla = add("carla@example.org", "Carla Yilmaz", "customer", "Ministerium");
	sam = add("support@example.org", "Sam Support", "agent", NULL);
	add("max1@example.org", "Max Muster", "customer", NULL);
	add("max2@example.org", "Max Muster", "customer", NULL);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	tenv_free(env);
	return 0;
}

static const char *
new_request(int64_t who, int64_t *id)
{
	const char *sv[1] = { "Frage" }, *dv[1] = { "Text" };
	struct field_value vals[2] = { { "summary", sv, 1 },
	    { "description", dv, 1 } };
	struct create_input in = { .portal_id = PORTAL, .type_id = T_FRAGE,
	    .values = vals, .nvalues = 2 };
	struct request_view *v;
	struct field_error *errs;
	const char *key;
	size_t nerrs;

	assert_int_equal(core_request_create(&env->ctx, u(who), &in, &errs,
	    &nerrs, &key), ZEK_OK);
	assert_int_equal(core_request_get(&env->ctx, u(who), key, "de", &v),
	    ZEK_OK);
	*id = v->id;
	return key;
}

static void
test_request_key_of(void **state)
{
	const char *key, *got = NULL;
	char num[32];
	int64_t id;

	(void)state;
	key = new_request(anna, &id);
	snprintf(num, sizeof(num), "%lld", (long long)id);
	assert_int_equal(core_request_key_of(&env->ctx, u(anna), num, &got),
	    ZEK_OK);
	assert_string_equal(got, key);
	assert_int_equal(core_request_key_of(&env->ctx, u(sam), num, &got),
	    ZEK_OK);
	/* Carla may not see it: the id says nothing. */
	assert_int_equal(core_request_key_of(&env->ctx, u(carla), num, &got),
	    ZEK_NOTFOUND);
	assert_int_equal(core_request_key_of(&env->ctx, u(anna), "999999", &got),
	    ZEK_NOTFOUND);
	assert_int_equal(core_request_key_of(&env->ctx, u(anna),
	    "99999999999999999999999", &got), ZEK_NOTFOUND);
	assert_int_equal(core_request_key_of(&env->ctx, u(anna), "", &got),
	    ZEK_NOTFOUND);
	assert_int_equal(core_request_key_of(&env->ctx, NULL, num, &got),
	    ZEK_NOTFOUND);
	/* A key goes through as it is; core_request_get decides. */
	assert_int_equal(core_request_key_of(&env->ctx, u(carla), "zek-1", &got),
	    ZEK_OK);
	assert_string_equal(got, "zek-1");
}

static const char *
resolve(int64_t who, const char *ref, struct person *p)
{
	struct field_error err = { 0 };
	enum zek_rc rc;

	env->ctx.now_ms += 10;
	rc = core_customer_resolve(&env->ctx, u(who), ref, p, &err);
	if (rc == ZEK_INVALID) {
		assert_string_equal(err.field, "who");
		return err.key;
	}
	assert_int_equal(rc, ZEK_OK);
	return "";
}

static void
test_customer_resolve(void **state)
{
	struct person p;
	char id[32];

	(void)state;
	assert_string_equal(resolve(anna, " BEN@example.ORG ", &p), "");
	assert_int_equal(p.id, ben);
	assert_string_equal(p.email, "ben@example.org");
	assert_string_equal(resolve(anna, "carla yilmaz", &p), "");
	assert_int_equal(p.id, carla);
	assert_string_equal(resolve(anna, "Max Muster", &p), "err_share_ambiguous");
	/* Account ids: a colleague, oneself; not others, never staff. */
	snprintf(id, sizeof(id), "%lld", (long long)ben);
	assert_string_equal(resolve(anna, id, &p), "");
	assert_int_equal(p.id, ben);
	snprintf(id, sizeof(id), "%lld", (long long)anna);
	assert_string_equal(resolve(anna, id, &p), "");
	snprintf(id, sizeof(id), "%lld", (long long)carla);
	assert_string_equal(resolve(anna, id, &p), "err_share_no_account");
	assert_string_equal(resolve(sam, id, &p), "");          /* agents: anyone */
	assert_int_equal(p.id, carla);
	snprintf(id, sizeof(id), "%lld", (long long)sam);
	assert_string_equal(resolve(sam, id, &p), "err_share_no_account");
	assert_string_equal(resolve(anna, "support@example.org", &p),
	    "err_share_no_account");
	assert_string_equal(resolve(anna, "  ", &p), "err_required");
	assert_string_equal(resolve(anna, "\xff", &p), "err_invalid_utf8");
	{
		char longer[300];
		memset(longer, 'a', sizeof(longer) - 1);
		longer[sizeof(longer) - 1] = '\0';
		assert_string_equal(resolve(anna, longer, &p), "err_too_long");
	}
	assert_int_equal(core_customer_resolve(&env->ctx, NULL, "x", &p, NULL),
	    ZEK_FORBIDDEN);
}

static void
test_customer_resolve_is_throttled(void **state)
{
	struct person p;
	int i;

	(void)state;
	/* Ben's failures so far: none. Each unknown name counts, the same
	 * counter as "Teilen" on the page. */
	for (i = 0; i < SHARE_MAX_FAILURES; i++)
		assert_string_equal(resolve(ben, "niemand@example.org", &p),
		    "err_share_no_account");
	assert_string_equal(resolve(ben, "anna@example.org", &p),
	    "err_share_throttled");
	/* The page's own look-up is stopped as well. */
	{
		struct field_error err = { 0 };
		int64_t id;
		new_request(ben, &id);
		assert_int_equal(core_participant_add(&env->ctx, u(ben), id,
		    "anna@example.org", NULL, &err), ZEK_INVALID);
		assert_string_equal(err.key, "err_share_throttled");
	}
	/* Others are not affected. */
	assert_string_equal(resolve(carla, "anna@example.org", &p), "");
}

static const unsigned char png_bytes[] = {
	0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H',
	'D', 'R', 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0, 0, 0, 0x1f, 0x15, 0xc4,
	0x89,
};

static void
test_upload_all_or_nothing(void **state)
{
	struct upload_file files[2] = {
		{ "notiz.txt", "Hallo\n", 6 },
		{ "bild.png", png_bytes, sizeof(png_bytes) },
	};
	struct attachment_info out[2], *got;
	struct field_error err = { 0 };
	const char *tokens[2];
	size_t n;

	(void)state;
	assert_int_equal(core_attachments_upload_all(&env->ctx, u(anna), files, 2,
	    out, &err), ZEK_OK);
	assert_string_equal(out[0].filename, "notiz.txt");
	assert_string_equal(out[1].mime, "image/png");
	tokens[0] = out[0].token;
	tokens[1] = out[1].token;
	assert_int_equal(core_attachments_temp_get(&env->ctx, u(anna), tokens, 2,
	    &got, &n), ZEK_OK);
	assert_int_equal(n, 2);
	/* The second is refused: the first is not kept either. */
	files[1] = (struct upload_file){ "seite.html",
	    "<html><body><script>x</script></body></html>", 44 };
	assert_int_equal(core_attachments_upload_all(&env->ctx, u(anna), files, 2,
	    out, &err), ZEK_INVALID);
	assert_string_equal(err.key, "err_file_type");
	assert_string_equal(err.arg, "seite.html");
	tokens[0] = out[0].token;
	assert_int_equal(core_attachments_temp_get(&env->ctx, u(anna), tokens, 1,
	    &got, &n), ZEK_OK);
	assert_int_equal(n, 0);
	files[0].len = 0;
	assert_int_equal(core_attachments_upload_all(&env->ctx, u(anna), files, 1,
	    out, &err), ZEK_INVALID);
	assert_string_equal(err.key, "err_file_empty");
	/* Nothing open is left behind: a plain write works. */
	files[0].len = 6;
	assert_int_equal(core_attachments_upload_all(&env->ctx, u(ben), files, 1,
	    out, &err), ZEK_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_request_key_of, setup, teardown),
		cmocka_unit_test_setup_teardown(test_customer_resolve, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_customer_resolve_is_throttled,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_upload_all_or_nothing, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
