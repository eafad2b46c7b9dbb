/* Unit tests for core/directory.c: the staff's pages of customers and
 * organisations, organisations made, renamed and filled, invitations by
 * the list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/directory.h"
#include "core/notify.h"
#include "core/users.h"
#include "helpers.h"
#include "store/store.h"

static struct tenv *env;

static int
setup(void **state)
{
	(void)state;
	env = tenv_new();
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
agent(void)
{
	return tenv_get(env, tenv_add(env, "sam@example.org", "Sam Support",
	    "agent", NULL));
}

static void
test_customers_paged_by_name_with_search_and_counts(void **state)
{
	struct customer_page pg;
	struct tenv_people p;
	struct user *sam;
	char mail[64], name[64];
	int64_t seen = 0, after = 0;
	int i;

	(void)state;
	tenv_config(env);
	tenv_people(env, &p);
	sam = tenv_get(env, p.sam);
	for (i = 0; i < DIRECTORY_PAGE + 5; i++) {
		snprintf(mail, sizeof(mail), "k%03d@example.org", i);
		snprintf(name, sizeof(name), "Kunde %03d", i);
		tenv_add(env, mail, name, "customer", NULL);
	}
	tenv_request(env, p.anna, "Offen", NULL);
	tenv_request(env, p.anna, "Auch offen", NULL);

	/* Customers only, by name, in pages; every one once. */
	do {
		assert_int_equal(core_customers_page(&env->ctx, sam, NULL, 0,
		    after, &pg), ZEK_OK);
		for (i = 0; i < (int)pg.n; i++)
			assert_int_not_equal(pg.rows[i].p.id, p.sam);
		for (i = 1; i < (int)pg.n; i++)
			assert_true(strcmp(pg.rows[i - 1].p.name,
			    pg.rows[i].p.name) < 0);
		seen += (int64_t)pg.n;
		after = pg.next_after;
	} while (after != 0);
	assert_int_equal(seen, DIRECTORY_PAGE + 5 + 3);

	/* A search in name or address, any case; Anna's open requests. */
	assert_int_equal(core_customers_page(&env->ctx, sam, "ANNA", 0, 0, &pg),
	    ZEK_OK);
	assert_int_equal(pg.n, 1);
	assert_string_equal(pg.rows[0].p.email, "anna@example.org");
	assert_int_equal(pg.rows[0].open_requests, 2);
	assert_string_equal(pg.rows[0].orgs, "Stadt Musterstadt – Bürgeramt");
	assert_true(pg.rows[0].active);
	assert_false(pg.rows[0].invited);
	/* One organisation's members. */
	assert_int_equal(core_customers_page(&env->ctx, sam, "", 1, 0, &pg),
	    ZEK_OK);
	/* Customers see none of it. */
	assert_int_equal(core_customers_page(&env->ctx, tenv_get(env, p.anna),
	    NULL, 0, 0, &pg), ZEK_FORBIDDEN);
}

static void
test_organisations_made_renamed_and_filled(void **state)
{
	struct customer_page members;
	struct org_page pg;
	struct org_row org;
	struct user *sam = agent();
	const char *err;
	int64_t id, other, anna;

	(void)state;
	anna = tenv_add(env, "anna@example.org", "Anna Schmidt", "customer",
	    NULL);
	assert_int_equal(core_org_create(&env->ctx, sam, "  Amt für Tests  ",
	    &id, &err), ZEK_OK);
	assert_int_equal(core_org_get(&env->ctx, sam, id, &org), ZEK_OK);
	assert_string_equal(org.name, "Amt für Tests");
	assert_int_equal(core_org_create(&env->ctx, sam, "Amt für Tests", &other,
	    &err), ZEK_INVALID);
	assert_string_equal(err, "err_org_exists");
	assert_int_equal(core_org_create(&env->ctx, sam, " ", &other, &err),
	    ZEK_INVALID);
	assert_string_equal(err, "err_required");
	assert_int_equal(core_org_create(&env->ctx, sam, "Zweites Amt", &other,
	    &err), ZEK_OK);
	assert_int_equal(core_org_rename(&env->ctx, sam, other,
	    "Amt für Tests", &err), ZEK_INVALID);
	assert_string_equal(err, "err_org_exists");
	assert_int_equal(core_org_rename(&env->ctx, sam, other, "Drittes Amt",
	    &err), ZEK_OK);

	assert_int_equal(core_org_member_add(&env->ctx, sam, id,
	    "ANNA@example.org", &err), ZEK_OK);
	assert_int_equal(core_org_member_add(&env->ctx, sam, id,
	    "niemand@example.org", &err), ZEK_NOTFOUND);
	assert_string_equal(err, "err_no_such_person");
	assert_int_equal(core_customers_page(&env->ctx, sam, NULL, id, 0,
	    &members), ZEK_OK);
	assert_int_equal(members.n, 1);
	assert_int_equal(members.rows[0].p.id, anna);
	assert_int_equal(core_orgs_page(&env->ctx, sam, "amt", NULL, &pg),
	    ZEK_OK);
	assert_int_equal(pg.n, 2);
	assert_string_equal(pg.rows[0].name, "Amt für Tests");
	assert_int_equal(pg.rows[0].members, 1);
	assert_string_equal(pg.rows[1].name, "Drittes Amt");
	assert_int_equal(core_orgs_page(&env->ctx, sam, NULL, "Amt für Tests",
	    &pg), ZEK_OK);
	assert_int_equal(pg.n, 1);
	/* Case folds beyond ASCII, on both backends. */
	assert_int_equal(core_org_create(&env->ctx, sam, "Ämter-Verbund Öhringen",
	    &other, &err), ZEK_OK);
	assert_int_equal(core_orgs_page(&env->ctx, sam, "ämter-verbund ö", NULL,
	    &pg), ZEK_OK);
	assert_int_equal(pg.n, 1);
	assert_string_equal(pg.rows[0].name, "Ämter-Verbund Öhringen");
	assert_int_equal(core_org_rename(&env->ctx, sam, other,
	    "Ämter-Verbund Übach", &err), ZEK_OK);
	assert_int_equal(core_orgs_page(&env->ctx, sam, "ÜBACH", NULL, &pg),
	    ZEK_OK);
	assert_int_equal(pg.n, 1);

	assert_int_equal(core_org_member_remove(&env->ctx, sam, id, anna),
	    ZEK_OK);
	assert_int_equal(core_org_member_remove(&env->ctx, sam, id, anna),
	    ZEK_NOTFOUND);
	assert_int_equal(core_org_create(&env->ctx, tenv_get(env, anna), "X",
	    &other, &err), ZEK_FORBIDDEN);
}

static void
test_invite_list(void **state)
{
	struct invite_outcome *o;
	struct user *sam = agent();
	const char *err;
	char big[INVITE_LIST_MAX * 24 + 64];
	size_t n, i, len = 0;

	(void)state;
	tenv_add(env, "ben@example.org", "Ben Weber", "customer", NULL);
	assert_int_equal(core_invite_list(&env->ctx, sam,
	    "neu@example.org, kaputt;\nBen Weber <BEN@example.org>\r\n"
	    "neu@example.org", "Kreis Neuland", &o, &n, &err), ZEK_OK);
	assert_int_equal(n, 3);
	assert_string_equal(o[0].email, "neu@example.org");
	assert_int_equal(o[0].rc, ZEK_OK);
	assert_int_equal(o[0].result, INVITE_SENT);
	assert_string_equal(o[1].email, "kaputt");
	assert_int_equal(o[1].rc, ZEK_INVALID);
	assert_string_equal(o[2].email, "BEN@example.org");
	assert_int_equal(o[2].result, INVITE_JOINED);

	assert_int_equal(core_invite_list(&env->ctx, sam, " ,; ", NULL, &o, &n,
	    &err), ZEK_INVALID);
	assert_string_equal(err, "err_required");
	for (i = 0; i <= INVITE_LIST_MAX; i++)
		len += (size_t)snprintf(big + len, sizeof(big) - len,
		    "p%zu@example.org,", i);
	assert_int_equal(core_invite_list(&env->ctx, sam, big, NULL, &o, &n,
	    &err), ZEK_INVALID);
	assert_string_equal(err, "err_invite_too_many");
}

static void
test_team_roles_and_the_change_log(void **state)
{
	struct customer_row *rows;
	struct audit_page pg;
	enum role *roles;
	const char *err;
	struct user *boss, *sam;
	size_t n;

	(void)state;
	boss = tenv_get(env, tenv_add(env, "boss@example.org", "Boss", "admin",
	    NULL));
	sam = agent();
	tenv_add(env, "ben@example.org", "Ben Weber", "customer", NULL);
	/* Agents may not; admins may, but not on themselves. */
	assert_int_equal(core_team_set_role(&env->ctx, sam, "ben@example.org",
	    "agent", &err), ZEK_FORBIDDEN);
	assert_int_equal(core_team_set_role(&env->ctx, boss, "boss@example.org",
	    "agent", &err), ZEK_INVALID);
	assert_string_equal(err, "err_role_self");
	assert_int_equal(core_team_set_role(&env->ctx, boss, "ben@example.org",
	    "root", &err), ZEK_INVALID);
	assert_string_equal(err, "err_invalid_option");
	assert_int_equal(core_team_set_role(&env->ctx, boss, "BEN@example.org",
	    "agent", &err), ZEK_OK);
	assert_int_equal(core_team_list(&env->ctx, boss, &rows, &roles, &n),
	    ZEK_OK);
	assert_int_equal(n, 3);
	assert_int_equal(roles[0], ROLE_ADMIN);
	assert_string_equal(rows[1].p.email, "ben@example.org");
	assert_int_equal(roles[1], ROLE_AGENT);
	assert_int_equal(core_team_list(&env->ctx, sam, &rows, &roles, &n),
	    ZEK_FORBIDDEN);
	assert_int_equal(core_audit_page(&env->ctx, boss, 0, &pg), ZEK_OK);
	assert_int_equal(pg.n, 1);
	assert_string_equal(pg.rows[0].action, "role");
	assert_string_equal(pg.rows[0].detail, "customer -> agent");
	assert_string_equal(pg.rows[0].actor_name, "Boss");
	assert_int_equal(core_audit_page(&env->ctx, sam, 0, &pg), ZEK_FORBIDDEN);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_customers_paged_by_name_with_search_and_counts, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_organisations_made_renamed_and_filled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invite_list, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_team_roles_and_the_change_log, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
