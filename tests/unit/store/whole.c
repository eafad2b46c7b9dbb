/* whole.c: what the store's upgrade tests ask of an upgraded database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "store/store.h"
#include "whole.h"

void
assert_store_whole(struct store_conn *c, struct arena *a)
{
	struct store_check_report r;
	size_t i;

	assert_int_equal(store_check(c, a, true, &r), ZEK_OK);
	for (i = 0; i < r.nitems; i++)
		if (r.items[i].problems > 0)
			fail_msg("%s: %s", r.items[i].name, r.items[i].detail);
	assert_true(store_check_passed(&r));
	assert_true(r.requests > 0 && r.users > 0 && r.attachments > 0);
	assert_int_equal(r.schema_version, r.schema_binary);
}
