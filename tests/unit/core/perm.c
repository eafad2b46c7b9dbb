/* Unit tests for core/perm.c: who may see a request. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>

#include "core/perm.h"
#include "core/users.h"

static int64_t stadt_orgs[] = { 10, 11 };
static int64_t land_orgs[] = { 20 };

static struct user reporter = { .id = 1, .role = ROLE_CUSTOMER,
    .org_ids = stadt_orgs, .norgs = 2 };
static struct user colleague = { .id = 2, .role = ROLE_CUSTOMER,
    .org_ids = stadt_orgs + 1, .norgs = 1 };
static struct user other = { .id = 3, .role = ROLE_CUSTOMER,
    .org_ids = land_orgs, .norgs = 1 };
static struct user agent = { .id = 4, .role = ROLE_AGENT };
static struct user admin = { .id = 5, .role = ROLE_ADMIN };
static struct user loner = { .id = 6, .role = ROLE_CUSTOMER };

static void
test_private(void **state)
{
	struct perm_request r = { .reporter_id = 1, .creator_id = 1 };

	assert_true(perm_can_see_request(&reporter, &r));
	assert_false(perm_can_see_request(&colleague, &r));
	assert_false(perm_can_see_request(&other, &r));
	assert_false(perm_can_see_request(&loner, &r));
	assert_true(perm_can_see_request(&agent, &r));
	assert_true(perm_can_see_request(&admin, &r));
	assert_false(perm_can_see_request(NULL, &r));
}

static void
test_shared_with_org(void **state)
{
	struct perm_request r = { .reporter_id = 1, .creator_id = 1,
	    .shared_org_id = 11 };

	assert_true(perm_can_see_request(&colleague, &r));
	assert_false(perm_can_see_request(&other, &r));
	assert_false(perm_can_see_request(&loner, &r));
	r.shared_org_id = 10;   /* the reporter's other organisation */
	assert_false(perm_can_see_request(&colleague, &r));
}

static void
test_participant_and_creator(void **state)
{
	struct perm_request r = { .reporter_id = 1, .creator_id = 2 };

	/* Raised on behalf of the reporter: the creator keeps seeing it. */
	assert_true(perm_can_see_request(&colleague, &r));
	assert_false(perm_can_see_request(&other, &r));
	r.user_is_participant = true;
	assert_true(perm_can_see_request(&other, &r));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_private),
		cmocka_unit_test(test_shared_with_org),
		cmocka_unit_test(test_participant_and_creator),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
