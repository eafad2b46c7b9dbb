/* Unit tests for core/role.c and the role checks of core/perm.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>

#include "core/auth.h"
#include "core/perm.h"
#include "core/role.h"
#include "core/users.h"
#include "helpers.h"

static void
test_codes_round_trip(void **state)
{
	enum role r, back;

	(void)state;
	for (r = ROLE_CUSTOMER; r < ROLE_MAX; r++) {
		assert_true(role_from_code(role_code(r), &back));
		assert_int_equal(back, r);
		assert_int_equal(role_decode(role_code(r)), r);
	}
	/* What the database stores (CHECK in migration 0001). */
	assert_string_equal(role_code(ROLE_CUSTOMER), "customer");
	assert_string_equal(role_code(ROLE_AGENT), "agent");
	assert_string_equal(role_code(ROLE_ADMIN), "admin");
	assert_string_equal(role_code(ROLE_NONE), "");
}

/* An admin is an agent too; a customer is neither. */
static void
test_staff_and_admin(void **state)
{
	struct user customer = { .id = 1, .role = ROLE_CUSTOMER };
	struct user agent = { .id = 2, .role = ROLE_AGENT };
	struct user admin = { .id = 3, .role = ROLE_ADMIN };

	(void)state;
	assert_false(perm_is_staff(&customer));
	assert_false(perm_is_admin(&customer));
	assert_true(perm_is_staff(&agent));
	assert_false(perm_is_admin(&agent));
	assert_true(perm_is_staff(&admin));
	assert_true(perm_is_admin(&admin));
	assert_false(perm_is_staff(NULL));
	assert_false(perm_is_admin(NULL));
	assert_true(role_code_is_staff("agent"));
	assert_true(role_code_is_staff("admin"));
	assert_false(role_code_is_staff("customer"));
	assert_false(role_code_is_staff(""));      /* the system */
}

/* A role zek never wrote gives no rights: not staff, not admin, and not a
 * customer either; a zeroed user is the same. */
static void
test_unknown_fails_closed(void **state)
{
	static const char *const bad[] = { "superuser", "Admin", "AGENT",
	    " agent", "agent ", "administrator", "staff", "" };
	struct user nobody = { .id = 9 };
	struct perm_request other = { .reporter_id = 1, .creator_id = 1 };
	enum role r = ROLE_ADMIN;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(role_decode(bad[i]), ROLE_NONE);
		assert_false(role_from_code(bad[i], &r));
		assert_false(role_code_is_staff(bad[i]));
	}
	assert_int_equal(role_decode(NULL), ROLE_NONE);
	assert_false(role_from_code(NULL, &r));
	assert_int_equal(r, ROLE_ADMIN);          /* untouched on failure */
	assert_int_equal(nobody.role, ROLE_NONE);
	nobody.role = role_decode("root");
	assert_false(perm_is_staff(&nobody));
	assert_false(perm_is_admin(&nobody));
	assert_false(perm_can_see_request(&nobody, &other));
}

/* Written around the database's CHECK: the account loads without rights
 * and can no longer sign in or use its session. */
static void
test_unknown_stored_role(void **state)
{
	struct tenv *t;
	struct session_new s;
	struct user *u;
	sqlite3 *db;
	char sql[128], token[AUTH_TOKEN_LEN + 1];
	int64_t id;

	(void)state;
	TENV_SQLITE_ONLY();
	t = tenv_new();
	id = tenv_add(t, "sam@example.org", "Sam Support", "agent", NULL);
	assert_int_equal(core_login(&t->ctx, "sam@example.org", "geheim1",
	    "192.0.2.1", &s), ZEK_OK);
	assert_int_equal(s.user->role, ROLE_AGENT);
	snprintf(token, sizeof(token), "%s", s.token);  /* outlives the arena */
	snprintf(sql, sizeof(sql), "PRAGMA ignore_check_constraints = ON; "
	    "UPDATE users SET role = 'superuser' WHERE id = %lld",
	    (long long)id);
	assert_int_equal(sqlite3_open(t->db, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	tenv_reset(t);
	assert_int_equal(core_user_get(&t->ctx, id, &u), ZEK_OK);
	assert_int_equal(u->role, ROLE_NONE);
	assert_false(perm_is_staff(u));
	assert_int_equal(core_user_get_active(&t->ctx, id, &u), ZEK_NOTFOUND);
	assert_int_equal(core_session_lookup(&t->ctx, token, &u, NULL),
	    ZEK_NOTFOUND);
	tenv_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_codes_round_trip),
		cmocka_unit_test(test_staff_and_admin),
		cmocka_unit_test(test_unknown_fails_closed),
		cmocka_unit_test(test_unknown_stored_role),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
