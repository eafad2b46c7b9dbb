/* Unit tests for core/tokens.c: hashing, expiry, revocation, limits, Basic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/tokens.h"
#include "core/users.h"
#include "core/validate.h"
#include "helpers.h"
#include "lib/arena.h"
#include "store/query.h"

#define DAY INT64_C(86400000)

static struct tenv *env;
static struct user *anna, *ben;

static int
setup(void **state)
{
	env = tenv_new();
	anna = tenv_user(env, "anna@example.org", "customer", "Org A");
	ben = tenv_user(env, "ben@example.org", "customer", "Org A");
	return 0;
}

static int
teardown(void **state)
{
	tenv_free(env);
	return 0;
}

/* A date `days` from now in Berlin, as the form sends it. */
static const char *
day_from_now(int64_t days)
{
	static char buf[8][17];
	static int next;
	char *b = buf[next++ % 8];

	assert_int_equal(core_format_local_datetime(env->ctx.now_ms + days * DAY,
	    "Europe/Berlin", b), ZEK_OK);
	b[10] = '\0';
	return b;
}

static struct token_new
make(struct user *u, const char *name, int64_t days)
{
	struct token_new t;
	struct field_error e;

	assert_int_equal(core_token_create(&env->ctx, u, name, day_from_now(days),
	    "Europe/Berlin", &t, &e), ZEK_OK);
	return t;
}

/* A token row's text columns. */
static void
map_texts(struct sq_row *r, void *elem)
{
	const char **t = elem;

	t[0] = sq_col_str(r);
	t[1] = sq_col_str(r);
}

/* Every text column of api_tokens, to prove the raw token is not stored
 * (read through the store, so on either backend). */
static bool
db_contains(const char *needle, char *hash_out, size_t n)
{
	const char *(*rows)[2];
	struct sq_stmt *st;
	bool found = false;
	enum zek_rc rc;
	size_t nrows, i;

	st = sq_start(env->ctx.db, &rc, "SELECT name, token_hash FROM api_tokens "
	    "ORDER BY id DESC", "");
	assert_non_null(st);
	assert_int_equal(sq_collect(env->ctx.db, env->arena, st, map_texts,
	    sizeof(*rows), (void **)&rows, &nrows), ZEK_OK);
	for (i = 0; i < nrows; i++) {
		if (strstr(rows[i][0], needle) || strstr(rows[i][1], needle))
			found = true;
		if (hash_out != NULL && hash_out[0] == '\0')
			snprintf(hash_out, n, "%s", rows[i][1]);
	}
	return found;
}

static void
test_create_hash_and_authenticate(void **state)
{
	struct token_new t = make(anna, "  Export  ", 30);
	struct api_token *list;
	struct user *u;
	char hash[80] = "";
	size_t n;

	assert_non_null(t.raw);
	assert_int_equal(strlen(t.raw), TOKEN_LEN);
	assert_memory_equal(t.raw, "zek_", 4);
	assert_true(core_api_token_well_formed(t.raw));
	/* The database holds the SHA-256, never the token. */
	assert_false(db_contains(t.raw, hash, sizeof(hash)));
	assert_false(db_contains(t.raw + 4, NULL, 0));
	assert_string_equal(hash, core_token_hash(&env->ctx, t.raw));
	assert_int_equal(strlen(hash), 64);

	assert_int_equal(core_token_authenticate(&env->ctx, t.raw, &u), ZEK_OK);
	assert_int_equal(u->id, anna->id);
	assert_int_equal(core_token_authenticate_basic(&env->ctx,
	    "ANNA@example.org", t.raw, &u), ZEK_OK);
	assert_int_equal(u->id, anna->id);
	/* Someone else's e-mail, a password, a changed token: no. */
	assert_int_equal(core_token_authenticate_basic(&env->ctx,
	    "ben@example.org", t.raw, &u), ZEK_NOTFOUND);
	assert_int_equal(core_token_authenticate_basic(&env->ctx,
	    "anna@example.org", "secret1", &u), ZEK_NOTFOUND);
	char bad[TOKEN_LEN + 1];
	memcpy(bad, t.raw, sizeof(bad));
	bad[10] = bad[10] == 'A' ? 'B' : 'A';
	assert_int_equal(core_token_authenticate(&env->ctx, bad, &u), ZEK_NOTFOUND);
	assert_int_equal(core_token_authenticate(&env->ctx, t.raw + 4, &u),
	    ZEK_NOTFOUND);
	assert_int_equal(core_token_authenticate(&env->ctx, "", &u), ZEK_NOTFOUND);

	assert_int_equal(core_tokens_list(&env->ctx, anna, &list, &n), ZEK_OK);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].name, "Export");
	assert_false(list[0].expired);
	assert_int_equal(core_tokens_list(&env->ctx, ben, &list, &n), ZEK_OK);
	assert_int_equal(n, 0);
	assert_int_equal(core_token_revoke(&env->ctx, anna, t.id), ZEK_OK);
}

static void
test_expiry(void **state)
{
	int64_t start = env->ctx.now_ms;
	struct token_new t = make(anna, "today", 0);
	struct api_token *list;
	struct user *u;
	size_t n;

	/* A token made for today works until the end of today (Berlin). */
	assert_int_equal(core_token_authenticate(&env->ctx, t.raw, &u), ZEK_OK);
	assert_true(t.expires_at > start && t.expires_at <= start + DAY);
	env->ctx.now_ms = t.expires_at - 1;
	assert_int_equal(core_token_authenticate(&env->ctx, t.raw, &u), ZEK_OK);
	env->ctx.now_ms = t.expires_at;
	assert_int_equal(core_token_authenticate(&env->ctx, t.raw, &u),
	    ZEK_NOTFOUND);
	assert_int_equal(core_token_authenticate_basic(&env->ctx,
	    "anna@example.org", t.raw, &u), ZEK_NOTFOUND);
	assert_int_equal(core_tokens_list(&env->ctx, anna, &list, &n), ZEK_OK);
	assert_int_equal(n, 1);
	assert_true(list[0].expired);
	env->ctx.now_ms = start;
	assert_int_equal(core_token_revoke(&env->ctx, anna, t.id), ZEK_OK);
}

static void
test_validation(void **state)
{
	struct token_new t;
	struct field_error e;
	char name[TOKEN_NAME_MAX * 2 + 8];
	const char *bad_dates[] = { "", "31.12.2026", "2026-13-01", "2026-02-30",
	    "2026-1-01", "2026-01-01T00:00", "tomorrow" };
	size_t i;

	assert_int_equal(core_token_create(&env->ctx, anna, " ", day_from_now(1),
	    "Europe/Berlin", &t, &e), ZEK_INVALID);
	assert_string_equal(e.field, "name");
	assert_string_equal(e.key, "err_required");
	memset(name, 0, sizeof(name));
	for (i = 0; i < TOKEN_NAME_MAX; i++)
		memcpy(name + 2 * i, "\xc3\xa4", 2);        /* 100 x "ä": fits */
	assert_int_equal(core_token_create(&env->ctx, anna, name, day_from_now(1),
	    "Europe/Berlin", &t, &e), ZEK_OK);
	assert_int_equal(core_token_revoke(&env->ctx, anna, t.id), ZEK_OK);
	name[2 * TOKEN_NAME_MAX] = 'x';
	assert_int_equal(core_token_create(&env->ctx, anna, name, day_from_now(1),
	    "Europe/Berlin", &t, &e), ZEK_INVALID);
	assert_string_equal(e.key, "err_too_long");
	assert_int_equal(e.max, TOKEN_NAME_MAX);
	assert_int_equal(core_token_create(&env->ctx, anna, "a\nb",
	    day_from_now(1), "Europe/Berlin", &t, &e), ZEK_INVALID);
	assert_string_equal(e.key, "err_invalid_chars");
	for (i = 0; i < sizeof(bad_dates) / sizeof(bad_dates[0]); i++) {
		assert_int_equal(core_token_create(&env->ctx, anna, "x",
		    bad_dates[i], "Europe/Berlin", &t, &e), ZEK_INVALID);
		assert_string_equal(e.field, "expires");
		assert_string_equal(e.key, i == 0 ? "err_required" :
		    "err_token_expiry_invalid");
	}
	assert_int_equal(core_token_create(&env->ctx, anna, "x",
	    day_from_now(-1), "Europe/Berlin", &t, &e), ZEK_INVALID);
	assert_string_equal(e.key, "err_token_expiry_past");
	assert_int_equal(core_token_create(&env->ctx, anna, "x",
	    day_from_now(TOKEN_DAYS_MAX + 1), "Europe/Berlin", &t, &e),
	    ZEK_INVALID);
	assert_string_equal(e.key, "err_token_expiry_too_far");
	assert_int_equal(e.max, TOKEN_DAYS_MAX);
	t = make(anna, "a year", TOKEN_DAYS_MAX);
	assert_int_equal(core_token_revoke(&env->ctx, anna, t.id), ZEK_OK);
}

static void
test_revoke_and_limit(void **state)
{
	struct token_new t[TOKEN_MAX_PER_USER], extra;
	struct field_error e;
	struct user *u;
	int64_t start = env->ctx.now_ms;
	size_t i;

	t[0] = make(anna, "short", 0);
	for (i = 1; i < TOKEN_MAX_PER_USER; i++)
		t[i] = make(anna, "long", 10);
	assert_int_equal(core_token_create(&env->ctx, anna, "one more",
	    day_from_now(10), "Europe/Berlin", &extra, &e), ZEK_INVALID);
	assert_string_equal(e.key, "err_token_limit");
	assert_int_equal(e.max, TOKEN_MAX_PER_USER);
	/* Each user has a limit of their own. */
	extra = make(ben, "ben", 10);
	assert_int_equal(core_token_revoke(&env->ctx, ben, extra.id), ZEK_OK);
	/* Revoking stops the token at once; nobody else can revoke it. */
	assert_int_equal(core_token_revoke(&env->ctx, ben, t[1].id), ZEK_NOTFOUND);
	assert_int_equal(core_token_authenticate(&env->ctx, t[1].raw, &u), ZEK_OK);
	assert_int_equal(core_token_revoke(&env->ctx, anna, t[1].id), ZEK_OK);
	assert_int_equal(core_token_authenticate(&env->ctx, t[1].raw, &u),
	    ZEK_NOTFOUND);
	assert_int_equal(core_token_revoke(&env->ctx, anna, t[1].id), ZEK_NOTFOUND);
	t[1] = make(anna, "replacement", 10);
	/* An expired token does not count against the limit. */
	env->ctx.now_ms = t[0].expires_at + 1;
	extra = make(anna, "after expiry", 5);
	assert_int_equal(core_token_revoke(&env->ctx, anna, extra.id), ZEK_OK);
	env->ctx.now_ms = start;
	for (i = 0; i < TOKEN_MAX_PER_USER; i++)
		assert_int_equal(core_token_revoke(&env->ctx, anna, t[i].id), ZEK_OK);
}

static void
test_last_use(void **state)
{
	int64_t start = env->ctx.now_ms;
	struct token_new t = make(anna, "use", 3);
	struct api_token *list;
	struct user *u;
	size_t n;

	assert_int_equal(core_tokens_list(&env->ctx, anna, &list, &n), ZEK_OK);
	assert_int_equal(list[0].last_used_at, 0);
	assert_int_equal(core_token_authenticate(&env->ctx, t.raw, &u), ZEK_OK);
	assert_int_equal(core_tokens_list(&env->ctx, anna, &list, &n), ZEK_OK);
	assert_int_equal(list[0].last_used_at, start);
	/* Within a minute nothing is written ... */
	env->ctx.now_ms = start + TOKEN_TOUCH_EVERY_MS - 1;
	assert_int_equal(core_token_authenticate(&env->ctx, t.raw, &u), ZEK_OK);
	assert_int_equal(core_tokens_list(&env->ctx, anna, &list, &n), ZEK_OK);
	assert_int_equal(list[0].last_used_at, start);
	/* ... after it the use is recorded. */
	env->ctx.now_ms = start + TOKEN_TOUCH_EVERY_MS;
	assert_int_equal(core_token_authenticate(&env->ctx, t.raw, &u), ZEK_OK);
	assert_int_equal(core_tokens_list(&env->ctx, anna, &list, &n), ZEK_OK);
	assert_int_equal(list[0].last_used_at, start + TOKEN_TOUCH_EVERY_MS);
	env->ctx.now_ms = start;
	assert_int_equal(core_token_revoke(&env->ctx, anna, t.id), ZEK_OK);
}

static void
test_dates(void **state)
{
	char today[11], suggested[11], latest[11];

	assert_int_equal(core_token_dates(&env->ctx, "Europe/Berlin", today,
	    suggested, latest), ZEK_OK);
	assert_string_equal(today, day_from_now(0));
	assert_string_equal(suggested, day_from_now(TOKEN_DAYS_DEFAULT));
	assert_string_equal(latest, day_from_now(TOKEN_DAYS_MAX));
	assert_int_equal(core_token_dates(&env->ctx, "Nowhere/Zone", today,
	    suggested, latest), ZEK_INVALID);
}

/* Every allocation failure gives a clean ZEK_NOMEM and no half token. */
static void
test_out_of_memory(void **state)
{
	struct token_new t;
	struct field_error e;
	struct api_token *list;
	const char *date = day_from_now(5);
	char day[11];
	long n;
	int rc = ZEK_NOMEM;
	size_t cnt;

	snprintf(day, sizeof(day), "%s", date);
	for (n = 1; n < 100 && rc != ZEK_OK; n++) {
		tenv_reset(env);
		/* The users lived in the old arena. */
		assert_int_equal(core_user_by_email(&env->ctx, "anna@example.org",
		    &anna), ZEK_OK);
		arena_fail_after(env->arena, n);
		rc = core_token_create(&env->ctx, anna, "oom", day, "Europe/Berlin",
		    &t, &e);
		assert_true(rc == ZEK_OK || rc == ZEK_NOMEM);
		arena_fail_after(env->arena, 0);
		assert_int_equal(core_tokens_list(&env->ctx, anna, &list, &cnt),
		    ZEK_OK);
		assert_int_equal(cnt, rc == ZEK_OK ? 1 : 0);
	}
	assert_int_equal(rc, ZEK_OK);
	assert_true(n > 2);
	assert_int_equal(core_token_revoke(&env->ctx, anna, t.id), ZEK_OK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_hash_and_authenticate),
		cmocka_unit_test(test_expiry),
		cmocka_unit_test(test_validation),
		cmocka_unit_test(test_revoke_and_limit),
		cmocka_unit_test(test_last_use),
		cmocka_unit_test(test_dates),
		cmocka_unit_test(test_out_of_memory),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
