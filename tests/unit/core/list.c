/* Unit tests for core/list.c and store/sqlite_list.c: filters, search,
 * paging and visibility, checked against perm_can_see_request. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/demo.h"
#include "core/list.h"
#include "core/sharing.h"
#include "core/perm.h"
#include "core/requests.h"
#include "core/users.h"
#include "helpers.h"
#include "lib/arena.h"
#include "store/query.h"
#include "store/store.h"
#include "store/store_sqlite.h"

/* ---- helpers ---- */

/* The user by e-mail, copied out of the arena (list_all resets it). */
static struct user *
keep_user(struct tenv *t, const char *email, int64_t id)
{
	struct user *u, *k;

	tenv_reset(t);
	if (email != NULL)
		assert_int_equal(core_user_by_email(&t->ctx, email, &u), ZEK_OK);
	else
		assert_int_equal(core_user_get(&t->ctx, id, &u), ZEK_OK);
	k = malloc(sizeof(*k));
	assert_non_null(k);
	*k = *u;
	k->org_ids = malloc(sizeof(int64_t) * (u->norgs + 1));
	assert_non_null(k->org_ids);
	if (u->norgs > 0)
		memcpy(k->org_ids, u->org_ids, sizeof(int64_t) * u->norgs);
	k->email = k->name = k->lang = k->tz = NULL;
	k->org_names = NULL;
	return k;
}

static void
drop_user(struct user *u)
{
	if (u != NULL)
		free(u->org_ids);
	free(u);
}

/* Whether the last list_all's count stopped at LIST_COUNT_MAX. */
static bool last_capped;

/* Whether a list's count fits `n` rows: exact, or LIST_COUNT_MAX with
 * "more" when there are more than that. */
static bool
count_fits(int64_t total, bool capped, size_t n)
{
	if (capped)
		return n > LIST_COUNT_MAX && total == LIST_COUNT_MAX;
	return total == (int64_t)n;
}

/* The order list_all asks for, and whether the last one's was refused. */
static enum list_order gorder;
static bool last_refused;

/* Every id of the list, paging forward with `limit`; *total from the
 * first page (last_capped says whether it is capped). Returns how many
 * ids were written (at most max). */
static size_t
list_all(struct tenv *t, const struct user *u, const struct list_filter *f,
    size_t limit, int64_t *ids, size_t max, int64_t *total)
{
	struct list_query q = { .filter = *f, .limit = limit, .order = gorder };
	struct list_page *pg;
	size_t n = 0, i, pages = 0;

	for (;;) {
		tenv_reset(t);
		assert_int_equal(core_list_requests(&t->ctx, u, &q, "de", &pg),
		    ZEK_OK);
		if (pages == 0) {
			*total = pg->total;
			last_capped = pg->total_capped;
			last_refused = pg->order_refused;
			/* too many to sort by change: the links go on by creation */
			if (pg->order_refused)
				q.order = LIST_ORDER_CREATED;
		}
		assert_int_equal(pg->order, q.order);
		assert_int_equal(pg->total, *total);
		assert_int_equal(pg->total_capped, last_capped);
		assert_true(pg->n <= limit);
		assert_int_equal(pg->has_prev, pages > 0);
		for (i = 0; i < pg->n && n < max; i++)
			ids[n++] = pg->items[i].id;
		pages++;
		if (!pg->has_next)
			break;
		assert_int_equal(pg->n, limit);
		q.has_cursor = true;
		q.backward = false;
		q.cursor = pg->items[pg->n - 1].cursor;
	}
	return n;
}

/* ---- the demo data: the list shows exactly what the request page shows ---- */

static const char *const demo_people[] = { "anna@example.org",
	"ben@example.org", "carla@example.org", "support@example.org",
	"admin@example.org" };

static void
demo_visibility_matches_request_page(void **state)
{
	struct tenv *t = tenv_new();
	struct list_filter any = { .status = LIST_STATUS_ALL,
		.creator = LIST_CREATOR_ANY };
	struct list_filter search = any;
	struct request_view *v;
	int64_t ids[64], ids2[64], total, total2;
	struct user *u;
	size_t p, n, n2, k;
	char key[16];
	bool listed;
	int rc;

	(void)state;
	assert_int_equal(core_demo_load(&t->ctx), ZEK_OK);
	search.search = "zek";     /* every key: the same set through FTS */
	for (p = 0; p < sizeof(demo_people) / sizeof(demo_people[0]); p++) {
		u = keep_user(t, demo_people[p], 0);
		n = list_all(t, u, &any, 7, ids, 64, &total);
		assert_int_equal((int64_t)n, total);
		n2 = list_all(t, u, &search, 100, ids2, 64, &total2);
		assert_int_equal(n2, n);
		assert_memory_equal(ids, ids2, n * sizeof(ids[0]));
		for (k = 1; k <= 30; k++) {
			snprintf(key, sizeof(key), "ZEK-%zu", k);
			tenv_reset(t);
			rc = core_request_get(&t->ctx, u, key, "de", &v);
			assert_true(rc == ZEK_OK || rc == ZEK_NOTFOUND);
			listed = false;
			for (size_t j = 0; j < n; j++)
				listed = listed || ids[j] == (int64_t)k;
			if (listed != (rc == ZEK_OK))
				fail_msg("%s: %s listed=%d page=%d", demo_people[p], key,
				    listed, rc == ZEK_OK);
		}
		if (perm_is_staff(u))
			assert_int_equal(n, 30);
		drop_user(u);
	}
	tenv_free(t);
}

static bool
has_id(const int64_t *ids, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* Who may see a request changes after it was made: the search finds it
 * for a new participant at once, and no longer after they leave (on
 * PostgreSQL the rule is kept in the search row, 0006). */
static void
search_follows_who_may_see(void **state)
{
	struct tenv *t = tenv_new();
	struct list_filter mine = { .status = LIST_STATUS_OPEN,
		.creator = LIST_CREATOR_ME };
	struct list_filter search = { .status = LIST_STATUS_ALL,
		.creator = LIST_CREATOR_ANY, .search = "zek" };
	int64_t annas[64], carlas[64], total, id = 0;
	struct user *anna, *carla;
	size_t na, nc, i;

	(void)state;
	assert_int_equal(core_demo_load(&t->ctx), ZEK_OK);
	anna = keep_user(t, "anna@example.org", 0);
	carla = keep_user(t, "carla@example.org", 0);
	na = list_all(t, anna, &mine, 20, annas, 64, &total);
	nc = list_all(t, carla, &search, 20, carlas, 64, &total);
	for (i = 0; i < na && id == 0; i++)
		if (!has_id(carlas, nc, annas[i]))
			id = annas[i];
	assert_true(id > 0);

	tenv_reset(t);
	assert_int_equal(core_participant_add(&t->ctx, anna, id,
	    "carla@example.org", NULL, NULL), ZEK_OK);
	nc = list_all(t, carla, &search, 20, carlas, 64, &total);
	assert_true(has_id(carlas, nc, id));
	tenv_reset(t);
	assert_int_equal(core_participant_remove(&t->ctx, anna, id,
	    carla->id),
	    ZEK_OK);
	nc = list_all(t, carla, &search, 20, carlas, 64, &total);
	assert_false(has_id(carlas, nc, id));
	drop_user(anna);
	drop_user(carla);
	tenv_free(t);
}

static bool
contains(const int64_t *ids, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* The cases the e2e tests rely on, in the demo data. */
static void
demo_creator_filters(void **state)
{
	struct tenv *t = tenv_new();
	struct list_filter f = { .status = LIST_STATUS_ALL };
	int64_t ids[64], carlas[10], total;
	struct user *anna, *ben, *carla;
	size_t n;

	(void)state;
	assert_int_equal(core_demo_load(&t->ctx), ZEK_OK);
	anna = keep_user(t, "anna@example.org", 0);
	ben = keep_user(t, "ben@example.org", 0);
	carla = keep_user(t, "carla@example.org", 0);
	/* Anna takes part in ZEK-8 only. */
	f.creator = LIST_CREATOR_PARTICIPANT;
	n = list_all(t, anna, &f, 20, ids, 64, &total);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], 8);
	/* Ben takes part in ZEK-22 and ZEK-13, newest first. */
	n = list_all(t, ben, &f, 20, ids, 64, &total);
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], 22);
	assert_int_equal(ids[1], 13);
	/* "Erstellt von mir" is the reporter and whoever raised it for
	 * them: ZEK-26 was raised by Anna for Ben, so both find it there
	 * (issue 19). */
	f.creator = LIST_CREATOR_ME;
	n = list_all(t, anna, &f, 20, ids, 64, &total);
	assert_int_equal(n, 12);
	assert_true(contains(ids, n, 26));
	n = list_all(t, ben, &f, 20, ids, 64, &total);
	assert_int_equal(ids[0], 27);
	assert_int_equal(ids[1], 26);
	/* Anna sees Ben's requests shared with their office (5, 20, 27), the
	 * one she raised for him (26) and the one she takes part in (8). */
	f.creator = LIST_CREATOR_ANY;
	n = list_all(t, anna, &f, 20, ids, 64, &total);
	assert_int_equal(n, 16);
	for (size_t i = 0; i < n; i++)
		assert_true(ids[i] != 3);   /* Carla's */
	/* Carla shares no organisation: only her own ten. */
	n = list_all(t, carla, &f, 20, ids, 64, &total);
	assert_int_equal(n, 10);
	memcpy(carlas, ids, sizeof(carlas));
	/* Anna's private ZEK-1 and ZEK-28 are about Wohngeld: Anna finds
	 * them, Carla finds none of Anna's. */
	f.search = "Wohngeld";
	n = list_all(t, anna, &f, 20, ids, 64, &total);
	assert_true(total >= 2);
	n = list_all(t, carla, &f, 20, ids, 64, &total);
	for (size_t i = 0; i < n; i++) {
		bool hers = false;
		for (size_t j = 0; j < 10; j++)
			hers = hers || ids[i] == carlas[j];
		assert_true(hers);
	}
	drop_user(anna);
	drop_user(ben);
	drop_user(carla);
	tenv_free(t);
}

/* ---- generated data against a brute-force list ---- */

#define GEN_N 3600
#define GEN_USERS 10

struct gen {
	int64_t id, created_at, reporter, creator, org, type;
	int64_t updated_at, customer_updated_at;
	enum status status;
	int64_t parts[2];
	bool stor;                  /* title holds "Störungsmeldung" */
	bool zeit;                  /* description holds "Zeitüberschreitung" */
};

static struct tenv *genv;
static struct gen gens[GEN_N];
static struct user *gusers[GEN_USERS + 1];      /* the last is an agent */
static const struct user *gagent;

static int64_t
add_user(struct tenv *t, int i, const char *role, const int64_t *orgs,
    size_t norgs)
{
	struct store_user su = { .email = NULL, .name = NULL, .password_hash = "",
		.role = role, .lang = "de", .tz = "Europe/Berlin", .notify = true };
	char email[64], name[64];
	int64_t id;

	snprintf(email, sizeof(email), "u%d@example.org", i);
	snprintf(name, sizeof(name), "Person %d", i);
	su.email = email;
	su.name = name;
	assert_int_equal(store_user_insert(t->ctx.db, &su, &id), ZEK_OK);
	for (size_t k = 0; k < norgs; k++)
		assert_int_equal(store_user_org_add(t->ctx.db, id, orgs[k]), ZEK_OK);
	return id;
}

static const enum status status_mix[10] = { STATUS_GESCHLOSSEN,
	STATUS_GESCHLOSSEN, STATUS_GESCHLOSSEN, STATUS_GESCHLOSSEN,
	STATUS_GESCHLOSSEN, STATUS_GESCHLOSSEN, STATUS_OFFEN,
	STATUS_WARTET_SUPPORT, STATUS_IN_BEARBEITUNG, STATUS_WARTET_KUNDE };

static int
gen_setup(void **state)
{
	struct tenv *t = tenv_new();
	int64_t o[3], uid[GEN_USERS + 1], first_org[GEN_USERS];
	char title[64], key[16];
	int i;

	(void)state;
	tenv_config(t);
	assert_int_equal(store_begin(t->ctx.db), ZEK_OK);
	assert_int_equal(store_org_ensure(t->ctx.db, "Amt Eins", &o[0]), ZEK_OK);
	assert_int_equal(store_org_ensure(t->ctx.db, "Amt Zwei", &o[1]), ZEK_OK);
	assert_int_equal(store_org_ensure(t->ctx.db, "Amt Drei", &o[2]), ZEK_OK);
	/* u0 reports most requests; u7 is in two offices, u8 in none. */
	for (i = 0; i < GEN_USERS; i++) {
		int64_t two[2] = { o[0], o[1] };
		if (i <= 3)
			uid[i] = add_user(t, i, "customer", &o[0], 1);
		else if (i <= 6)
			uid[i] = add_user(t, i, "customer", &o[1], 1);
		else if (i == 7)
			uid[i] = add_user(t, i, "customer", two, 2);
		else if (i == 8)
			uid[i] = add_user(t, i, "customer", NULL, 0);
		else
			uid[i] = add_user(t, i, "customer", &o[2], 1);
		first_org[i] = i == 8 ? 0 : i <= 3 ? o[0] : i <= 7 ? (i == 7 ?
		    o[0] : o[1]) : o[2];
	}
	uid[GEN_USERS] = add_user(t, GEN_USERS, "agent", NULL, 0);
	for (i = 0; i < GEN_N; i++) {
		struct gen *g = &gens[i];
		int n = i + 1, r = n % 5 != 0 ? 0 : (n / 5) % GEN_USERS;
		struct store_request sr;

		g->reporter = uid[r];
		g->creator = n % 11 == 0 ? uid[(r + 1) % GEN_USERS] :
		    n % 23 == 0 ? uid[GEN_USERS] : g->reporter;
		g->org = n % 3 == 0 ? first_org[r] : 0;
		g->type = n % 4 + 1;
		g->status = status_mix[(n * 7) % 10];
		g->created_at = 1700000000000 + (int64_t)n * 1000;
		if (n % 17 == 0)
			g->created_at -= 500000;    /* imported: older than its id */
		if (n % 19 == 0)
			g->created_at = gens[i - 1].created_at;     /* a tie */
		g->updated_at = g->created_at + (n * 37 % 101) * 60000;
		/* an internal note moved updated_at only */
		g->customer_updated_at = n % 3 == 0 ? g->created_at :
		    g->updated_at;
		g->stor = n % 3 == 0;
		g->zeit = n % 4 == 0;
		snprintf(title, sizeof(title), "Anfrage %d%s", n,
		    g->stor ? " Störungsmeldung" : "");
		snprintf(key, sizeof(key), "ZEK-%d", n);
		sr = (struct store_request){ .desk_id = 1, .number = n, .key = key,
			.type_id = g->type, .reporter_id = g->reporter,
			.creator_id = g->creator, .shared_org_id = g->org,
			.status = status_code(g->status), .resolution = "",
			.title = title, .created_at = g->created_at,
			.updated_at = g->customer_updated_at };
		assert_int_equal(store_request_insert(t->ctx.db, &sr, &g->id),
		    ZEK_OK);
		if (g->updated_at != g->customer_updated_at)
			assert_int_equal(store_request_touch(t->ctx.db, g->id,
			    g->updated_at, false), ZEK_OK);
		assert_int_equal(store_value_insert(t->ctx.db, g->id, "description",
		    0, g->zeit ? "Zeitüberschreitung beim Wohngeld" :
		    "Beschreibung"), ZEK_OK);
		if (n % 7 == 0 && uid[n % GEN_USERS] != g->reporter) {
			g->parts[0] = uid[n % GEN_USERS];
			assert_int_equal(store_participant_add(t->ctx.db, g->id,
			    g->parts[0]), ZEK_OK);
		}
		if (n % 13 == 0 && g->reporter != uid[8]) {
			g->parts[1] = uid[8];
			assert_int_equal(store_participant_add(t->ctx.db, g->id,
			    g->parts[1]), ZEK_OK);
		}
	}
	assert_int_equal(store_commit(t->ctx.db), ZEK_OK);
	for (i = 0; i <= GEN_USERS; i++)
		gusers[i] = keep_user(t, NULL, uid[i]);
	gagent = gusers[GEN_USERS];
	genv = t;
	*state = t;
	return 0;
}

static int
gen_teardown(void **state)
{
	(void)state;
	for (int i = 0; i <= GEN_USERS; i++)
		drop_user(gusers[i]);
	tenv_free(genv);
	return 0;
}

enum gsearch { GS_NONE, GS_STOR, GS_ZEIT, GS_MAX };
static const char *const gsearch_text[GS_MAX] = { NULL, "stör",
	"Zeitüb  WOHN" };

static bool
gen_matches(const struct gen *g, const struct user *u,
    const struct list_filter *f, enum gsearch s)
{
	struct perm_request pr = { .reporter_id = g->reporter,
		.creator_id = g->creator, .shared_org_id = g->org,
		.user_is_participant = g->parts[0] == u->id || g->parts[1] == u->id };

	if (!perm_can_see_request(u, &pr))
		return false;
	if (f->creator == LIST_CREATOR_ME && g->reporter != u->id &&
	    g->creator != u->id)
		return false;
	if (f->creator == LIST_CREATOR_PARTICIPANT && !pr.user_is_participant)
		return false;
	if (f->status == LIST_STATUS_OPEN && !status_is_open(g->status))
		return false;
	if (f->status == LIST_STATUS_CLOSED && status_is_open(g->status))
		return false;
	if (f->status == LIST_STATUS_ONE && g->status != f->one)
		return false;
	if (f->type_id != 0 && g->type != f->type_id)
		return false;
	if (s == GS_STOR && !g->stor)
		return false;
	if (s == GS_ZEIT && !g->zeit)
		return false;
	return true;
}

static int
cmp_newest(const void *a, const void *b)
{
	const struct gen *x = *(const struct gen *const *)a;
	const struct gen *y = *(const struct gen *const *)b;

	if (x->created_at != y->created_at)
		return x->created_at > y->created_at ? -1 : 1;
	return x->id > y->id ? -1 : x->id < y->id;
}

static bool by_staff;      /* cmp_changed compares updated_at */

static int
cmp_changed(const void *a, const void *b)
{
	const struct gen *x = *(const struct gen *const *)a;
	const struct gen *y = *(const struct gen *const *)b;
	int64_t ax = by_staff ? x->updated_at : x->customer_updated_at;
	int64_t ay = by_staff ? y->updated_at : y->customer_updated_at;

	if (ax != ay)
		return ax > ay ? -1 : 1;
	return x->id > y->id ? -1 : x->id < y->id;
}

/* An agent's list by status and type alone is sorted by change however
 * long; any other only up to STORE_LIST_UPDATED_MAX requests. */
static bool
sorts_by_change(const struct user *u, const struct list_filter *f,
    enum gsearch s, size_t n)
{
	bool plain = perm_is_staff(u) && f->creator == LIST_CREATOR_ANY &&
	    s == GS_NONE;

	return gorder == LIST_ORDER_UPDATED &&
	    (plain || n <= STORE_LIST_UPDATED_MAX);
}

/* The expected ids, newest first (by creation or change, as gorder). */
static size_t
expected(const struct user *u, const struct list_filter *f, enum gsearch s,
    int64_t *ids)
{
	static const struct gen *sel[GEN_N];
	size_t n = 0, i;

	for (i = 0; i < GEN_N; i++)
		if (gen_matches(&gens[i], u, f, s))
			sel[n++] = &gens[i];
	by_staff = perm_is_staff(u);
	qsort(sel, n, sizeof(sel[0]), sorts_by_change(u, f, s, n) ?
	    cmp_changed : cmp_newest);
	for (i = 0; i < n; i++)
		ids[i] = sel[i]->id;
	return n;
}

static void
check(const struct user *u, const struct list_filter *f, enum gsearch s,
    size_t limit)
{
	static int64_t want[GEN_N], got[GEN_N];
	struct list_filter fs = *f;
	size_t nw, ng;
	int64_t total;

	fs.search = gsearch_text[s];
	nw = expected(u, f, s, want);
	ng = list_all(genv, u, &fs, limit, got, GEN_N, &total);
	assert_int_equal(last_refused, gorder == LIST_ORDER_UPDATED &&
	    !sorts_by_change(u, f, s, nw));
	if (!count_fits(total, last_capped, nw) || ng != nw)
		fail_msg("user %lld creator %d status %d type %lld search %d: "
		    "want %zu, total %lld, listed %zu", (long long)u->id,
		    f->creator, f->status, (long long)f->type_id, s, nw,
		    (long long)total, ng);
	for (size_t i = 0; i < nw; i++)
		if (want[i] != got[i])
			fail_msg("user %lld creator %d status %d type %lld search %d "
			    "order %d: row %zu is %lld, want %lld", (long long)u->id,
			    f->creator, f->status, (long long)f->type_id, s, gorder,
			    i, (long long)got[i], (long long)want[i]);
}

static void
gen_filters_match_brute_force(void **state)
{
	static const int users[] = { 0, 4, 7, 8, GEN_USERS };
	static const enum list_status sts[] = { LIST_STATUS_OPEN,
		LIST_STATUS_CLOSED, LIST_STATUS_ALL, LIST_STATUS_ONE };
	struct list_filter f;
	size_t a, b, c, d;
	int s;

	(void)state;
	for (a = 0; a < sizeof(users) / sizeof(users[0]); a++)
		for (b = 0; b < 3; b++)
			for (c = 0; c < 4; c++)
				for (d = 0; d <= 2; d += 2)
					for (s = 0; s < GS_MAX; s++) {
						f = (struct list_filter){
							.creator = (enum list_creator)b,
							.status = sts[c],
							.one = STATUS_WARTET_KUNDE,
							.type_id = (int64_t)d };
						check(gusers[users[a]], &f, (enum gsearch)s, 100);
					}
}

/* The same by last change: staff by updated_at, customers by the change
 * they may know of; a big set (an agent's search for "Anfrage") is
 * refused and listed by creation. */
static void
gen_filters_by_last_change(void **state)
{
	gorder = LIST_ORDER_UPDATED;
	gen_filters_match_brute_force(state);
	check(gagent, &(struct list_filter){ .status = LIST_STATUS_ALL,
	    .creator = LIST_CREATOR_ANY, .search = NULL }, GS_NONE, 100);
	gorder = LIST_ORDER_CREATED;
}

/* Both ways of reading a page (by id, or walking the index) and both
 * paging directions give the same rows. */
static void
gen_paging_both_ways(void **state)
{
	static int64_t fwd[GEN_N];
	struct list_filter cases[] = {
		{ .status = LIST_STATUS_ALL, .creator = LIST_CREATOR_ANY },
		{ .status = LIST_STATUS_CLOSED, .creator = LIST_CREATOR_ANY },
		{ .status = LIST_STATUS_ALL, .creator = LIST_CREATOR_ME },
		{ .status = LIST_STATUS_OPEN, .creator = LIST_CREATOR_ANY,
		  .search = "stör" },
		/* every request: the count stops, the walk does not */
		{ .status = LIST_STATUS_ALL, .creator = LIST_CREATOR_ANY,
		  .search = "Anfrage" },
		/* by status and type alone, but rare: walks the facets */
		{ .status = LIST_STATUS_ONE, .one = STATUS_WARTET_KUNDE,
		  .creator = LIST_CREATOR_ANY, .type_id = 2 },
	};
	const struct user *who[] = { gagent, gagent, gusers[0], gusers[0],
		gagent, gagent };
	struct list_query q;
	struct list_page *pg;
	int64_t total;
	size_t k, n, i, at;

	(void)state;
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		n = list_all(genv, who[k], &cases[k], 37, fwd, GEN_N, &total);
		assert_true(count_fits(total, last_capped, n));
		/* From the last page back to the first. */
		q = (struct list_query){ .filter = cases[k], .limit = 37,
			.has_cursor = true, .backward = true };
		at = n - (n % 37 == 0 ? 37 : n % 37);
		while (at > 0) {
			size_t want_at = at - 37;

			/* the cursor is the first row of the page after */
			tenv_reset(genv);
			q.cursor.id = fwd[at];
			for (i = 0; i < GEN_N; i++)
				if (gens[i].id == fwd[at])
					q.cursor.at = gens[i].created_at;
			assert_int_equal(core_list_requests(&genv->ctx, who[k], &q, "de",
			    &pg), ZEK_OK);
			assert_true(pg->has_next);
			assert_int_equal(pg->has_prev, want_at > 0);
			assert_int_equal(pg->is_first, want_at == 0);
			if (want_at > 0) {
				assert_int_equal(pg->n, 37);
				for (i = 0; i < pg->n; i++)
					assert_int_equal(pg->items[i].id, fwd[want_at + i]);
			} else {
				/* reached the start: the first page, full */
				for (i = 0; i < pg->n; i++)
					assert_int_equal(pg->items[i].id, fwd[i]);
			}
			at = want_at;
		}
	}
}

/* A search hit by every request is counted up to LIST_COUNT_MAX ("mehr
 * als 1.000") and still lists every one of them; small counts and an
 * agent's list by status alone stay exact. */
static void
gen_count_stops(void **state)
{
	struct list_filter f = { .status = LIST_STATUS_ALL,
		.creator = LIST_CREATOR_ANY, .search = "Anfrage" };
	static int64_t ids[GEN_N];
	int64_t total;
	size_t n;

	(void)state;
	assert_true(GEN_N > LIST_COUNT_MAX);
	n = list_all(genv, gagent, &f, 100, ids, GEN_N, &total);
	assert_int_equal(n, GEN_N);
	assert_true(last_capped);
	assert_int_equal(total, LIST_COUNT_MAX);
	f.search = NULL;
	n = list_all(genv, gagent, &f, 100, ids, GEN_N, &total);
	assert_int_equal(n, GEN_N);
	assert_false(last_capped);
	assert_int_equal(total, GEN_N);
	f.search = "zeitüberschreitung";
	n = list_all(genv, gagent, &f, 100, ids, GEN_N, &total);
	assert_int_equal(n, GEN_N / 4);
	assert_false(last_capped);
	assert_int_equal(total, GEN_N / 4);
}

/* Umlauts, case and prefixes; keys; hostile search text. */
static void
gen_search_text(void **state)
{
	static const char *const same[] = { "Störung", "STÖRUNG", "stor",
		"Stö", "störungsmeldung", "\"Stör", "Stör*", "(stör)",
		"stör\"", "-stör" };
	static const char *const hostile[] = { "\"", "*", "AND", "(", ")", "-",
		"NEAR", "NEAR(a b)", "a OR b", "title:x", "{title}: x", "^x",
		"x*y", "' OR 1=1 --", "\\", "\"\"\"", "+", ":", "*\"(AND -NEAR" };
	struct list_filter f = { .status = LIST_STATUS_ALL,
		.creator = LIST_CREATOR_ANY };
	struct list_query q = { .limit = 10 };
	static int64_t ids[GEN_N];
	int64_t total, want;
	struct list_page *pg;
	size_t i;

	(void)state;
	want = (int64_t)expected(gagent, &f, GS_STOR, ids);
	for (i = 0; i < sizeof(same) / sizeof(same[0]); i++) {
		f.search = same[i];
		q.filter = f;
		tenv_reset(genv);
		assert_int_equal(core_list_requests(&genv->ctx, gagent, &q, "de",
		    &pg), ZEK_OK);
		if (!count_fits(pg->total, pg->total_capped, (size_t)want))
			fail_msg("search %s: %lld, want %lld", same[i],
			    (long long)pg->total, (long long)want);
	}
	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		f.search = hostile[i];
		q.filter = f;
		tenv_reset(genv);
		if (core_list_requests(&genv->ctx, gagent, &q, "de", &pg) != ZEK_OK)
			fail_msg("search %s failed", hostile[i]);
	}
	/* A key finds that request; digits are not a prefix. */
	f.search = "ZEK-42";
	list_all(genv, gagent, &f, 10, ids, GEN_N, &total);
	assert_int_equal(total, 1);
	assert_int_equal(ids[0], gens[41].id);
	f.search = "zek-4";
	list_all(genv, gagent, &f, 10, ids, GEN_N, &total);
	assert_int_equal(total, 1);
	/* "42" is in ZEK-42's key and title only. */
	f.search = "42";
	list_all(genv, gagent, &f, 10, ids, GEN_N, &total);
	assert_int_equal(total, 1);
	/* All words must match. */
	f.search = "stör zeitüberschreitung";
	list_all(genv, gagent, &f, 100, ids, GEN_N, &total);
	assert_int_equal(total, GEN_N / 12);
	/* Text without letters or digits matches nothing, quietly. */
	f.search = "\" * ( -";
	list_all(genv, gagent, &f, 10, ids, GEN_N, &total);
	assert_int_equal(total, 0);
	/* Not UTF-8: refused. */
	f.search = "\xff";
	q.filter = f;
	tenv_reset(genv);
	assert_int_equal(core_list_requests(&genv->ctx, gagent, &q, "de", &pg),
	    ZEK_INVALID);
}

/* A customer never finds what they may not see, whatever they search. */
static void
gen_no_leak_through_search(void **state)
{
	struct list_filter f = { .status = LIST_STATUS_ALL,
		.creator = LIST_CREATOR_ANY, .search = "Anfrage" };
	static int64_t ids[GEN_N];
	const struct user *u9 = gusers[9];
	struct perm_request pr;
	int64_t total;
	size_t n, i, j;

	(void)state;
	n = list_all(genv, u9, &f, 100, ids, GEN_N, &total);
	assert_true(n > 0 && n < GEN_N);
	for (i = 0; i < n; i++) {
		for (j = 0; j < GEN_N && gens[j].id != ids[i]; j++)
			;
		assert_true(j < GEN_N);
		pr = (struct perm_request){ .reporter_id = gens[j].reporter,
			.creator_id = gens[j].creator, .shared_org_id = gens[j].org,
			.user_is_participant = gens[j].parts[0] == u9->id ||
			    gens[j].parts[1] == u9->id };
		assert_true(perm_can_see_request(u9, &pr));
	}
	/* u0's requests are private to office one: u9 (office three) finds
	 * none of them by key. */
	f.search = "ZEK-1";
	list_all(genv, u9, &f, 10, ids, GEN_N, &total);
	assert_int_equal(total, 0);
}

/* Writers keep the index right: status changes, new participants and a
 * changed description show at once. */
static void
gen_index_follows_writes(void **state)
{
	struct list_filter f = { .status = LIST_STATUS_ONE,
		.one = STATUS_WARTET_KUNDE, .creator = LIST_CREATOR_PARTICIPANT,
		.search = "Anfrage" };
	const struct user *u8 = gusers[8];
	struct gen *g = &gens[1];   /* request 2: u0's, offen, no participant */
	static int64_t ids[GEN_N];
	int64_t total, before;

	struct list_filter waiting = { .status = LIST_STATUS_ONE,
		.one = STATUS_WARTET_KUNDE, .creator = LIST_CREATOR_ANY };
	int64_t agent_before, agent_after;

	(void)state;
	list_all(genv, u8, &f, 100, ids, GEN_N, &before);
	/* The agent's count comes from request_counts, kept by triggers. */
	list_all(genv, gagent, &waiting, 100, ids, GEN_N, &agent_before);
	tenv_reset(genv);
	assert_int_equal(store_request_set_status(genv->ctx.db, g->id,
	    "wartet_kunde", "", g->created_at), ZEK_OK);
	list_all(genv, gagent, &waiting, 100, ids, GEN_N, &agent_after);
	assert_int_equal(agent_after, agent_before + 1);
	assert_int_equal(store_participant_add(genv->ctx.db, g->id, u8->id),
	    ZEK_OK);
	list_all(genv, u8, &f, 100, ids, GEN_N, &total);
	assert_int_equal(total, before + 1);
	f.search = "Kennwortänderung";
	list_all(genv, u8, &f, 100, ids, GEN_N, &total);
	assert_int_equal(total, 0);
	tenv_reset(genv);
	assert_int_equal(sq_exec(genv->ctx.db, "UPDATE request_values SET "
	    "value = 'Kennwortänderung klappt nicht' WHERE request_id = 2 AND "
	    "field_key = 'description'", ""), ZEK_OK);
	list_all(genv, u8, &f, 100, ids, GEN_N, &total);
	assert_int_equal(total, 1);
	assert_int_equal(ids[0], g->id);
	/* Removing the participant hides it again. */
	tenv_reset(genv);
	assert_int_equal(store_participant_remove(genv->ctx.db, g->id, u8->id),
	    ZEK_OK);
	list_all(genv, u8, &f, 100, ids, GEN_N, &total);
	assert_int_equal(total, 0);
	/* Put request 2 back for the other tests. */
	tenv_reset(genv);
	assert_int_equal(store_request_set_status(genv->ctx.db, g->id,
	    status_code(g->status), "", g->created_at), ZEK_OK);
	list_all(genv, gagent, &waiting, 100, ids, GEN_N, &agent_after);
	assert_int_equal(agent_after, agent_before);
	assert_int_equal(sq_exec(genv->ctx.db, "UPDATE request_values SET "
	    "value = 'Beschreibung' WHERE request_id = 2 AND field_key = "
	    "'description'", ""), ZEK_OK);
}

/* "SCAN r" or "SCAN requests" (optionally with an index): every row. */
static bool
is_table_scan(const char *d, bool filtered)
{
	if (strcmp(d, "SCAN r") == 0 || strncmp(d, "SCAN r ", 7) == 0)
		return true;
	return filtered && (strcmp(d, "SCAN requests") == 0 ||
	    strncmp(d, "SCAN requests ", 14) == 0);
}

/* The i-th statement of the lists (set 0) or of the agents' queues (1). */
static const char *
statement_of(int set, size_t i)
{
	return set == 0 ? store_list_statement(i) : store_queue_statement(i);
}

/* sql reads requests by an index, never from end to end. */
static void
plan_uses_indexes(sqlite3 *db, const char *sql)
{
	char *eqp = sqlite3_mprintf("EXPLAIN QUERY PLAN %s", sql);
	char plan[4096];
	sqlite3_stmt *st;

	assert_non_null(eqp);
	assert_int_equal(sqlite3_prepare_v2(db, eqp, -1, &st, NULL), SQLITE_OK);
	plan[0] = '\0';
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *d = (const char *)sqlite3_column_text(st, 3);
		strncat(plan, d, sizeof(plan) - strlen(plan) - 2);
		strncat(plan, "\n", sizeof(plan) - strlen(plan) - 1);
		if (is_table_scan(d, strstr(sql, "WHERE") != NULL))
			fail_msg("full scan in %s:\n%s", sql, d);
	}
	sqlite3_finalize(st);
	sqlite3_free(eqp);
	if (strstr(sql, "requests_created") != NULL)
		assert_non_null(strstr(plan,
		    "USING COVERING INDEX requests_created"));
	if (strstr(sql, "requests_changed") != NULL)
		assert_non_null(strstr(plan,
		    "USING COVERING INDEX requests_changed"));
	if (strstr(sql, "MATCH") != NULL || strstr(sql, "json_each") != NULL)
		assert_non_null(strstr(plan, "VIRTUAL TABLE INDEX"));
	if (strstr(sql, "json_each") != NULL)
		assert_non_null(strstr(plan,
		    "SEARCH r USING INTEGER PRIMARY KEY (rowid=?)"));
	/* A probe asks the index about one request at a time. */
	if (strstr(sql, "EXISTS (SELECT 1 FROM request_search") != NULL)
		assert_non_null(strstr(plan, "VIRTUAL TABLE INDEX 0:="));
}

/* No list or queue statement reads the requests table from end to end
 * (the total of an agent's unfiltered list is SQLite's count of an
 * index). */
static void
gen_plans_use_indexes(void **state)
{
	const char *sql;
	sqlite3 *db;
	size_t i, n[2];
	int set;

	TENV_SQLITE_ONLY();

	(void)state;
	assert_int_equal(sqlite3_open_v2(genv->db, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	for (set = 0; set < 2; set++) {
		for (i = 0; (sql = statement_of(set, i)) != NULL; i++)
			plan_uses_indexes(db, sql);
		n[set] = i;
	}
	assert_true(n[0] >= 8 && n[1] >= 8);
	sqlite3_close(db);
}

/* One statement with one integer parameter (if it has one) on the file;
 * the first column of its first row, else 0. */
static int64_t
sql_i64(const char *path, const char *sql, int64_t arg)
{
	int64_t out = 0;
	sqlite3_stmt *st;
	sqlite3 *db;
	int step;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 5000);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	if (sqlite3_bind_parameter_count(st) > 0)
		assert_int_equal(sqlite3_bind_int64(st, 1, arg), SQLITE_OK);
	step = sqlite3_step(st);
	assert_true(step == SQLITE_ROW || step == SQLITE_DONE);
	if (step == SQLITE_ROW)
		out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

/*
 * How often request_blocks fails to bound the created_at of the requests
 * the way the walks rely on (0007, 0010): hi of all ids up to the block,
 * lo of the block, rest_lo of all ids from the block on. `exact`: equal,
 * as when no created_at was ever lowered or a request deleted; *blocks =
 * the number of rows.
 */
static int64_t
blocks_violations(const char *path, bool exact, int64_t *blocks)
{
	static const char *const checks[2][3] = { {
		"SELECT count(*) FROM request_blocks b WHERE b.hi < (SELECT "
		    "max(created_at) FROM requests WHERE id < (b.block + 1) * 64)",
		"SELECT count(*) FROM request_blocks b WHERE b.lo > (SELECT "
		    "min(created_at) FROM requests WHERE id / 64 = b.block)",
		"SELECT count(*) FROM request_blocks b WHERE b.rest_lo > (SELECT "
		    "min(created_at) FROM requests WHERE id >= b.block * 64)",
	}, {
		"SELECT count(*) FROM request_blocks b WHERE b.hi != (SELECT "
		    "max(created_at) FROM requests WHERE id < (b.block + 1) * 64)",
		"SELECT count(*) FROM request_blocks b WHERE b.lo != (SELECT "
		    "min(created_at) FROM requests WHERE id / 64 = b.block)",
		"SELECT count(*) FROM request_blocks b WHERE b.rest_lo != (SELECT "
		    "min(created_at) FROM requests WHERE id >= b.block * 64)",
	} };
	int64_t bad = 0;
	size_t i;

	for (i = 0; i < 3; i++)
		bad += sql_i64(path, checks[exact][i], 0);
	*blocks = sql_i64(path, "SELECT count(*) FROM request_blocks", 0);
	return bad;
}

/* The generated requests (imported ones among them) are bounded exactly. */
static void
gen_blocks_bound_requests(void **state)
{
	int64_t blocks;

	(void)state;
	TENV_SQLITE_ONLY();
	assert_int_equal(blocks_violations(genv->db, true, &blocks), 0);
	assert_int_equal(blocks, GEN_N / 64 + 1);
}

/* One imported request older than all others lowers rest_lo of every
 * block up to its own; lowering a created_at keeps every bound. */
static void
blocks_follow_imports(void **state)
{
	int64_t uid, id, ids[300], blocks, base = 1700000000000, below = 0;
	struct store_request sr;
	struct tenv *t;
	char key[32];
	int n;

	TENV_SQLITE_ONLY();
	(void)state;
	t = tenv_new();
	tenv_config(t);
	uid = add_user(t, 0, "customer", NULL, 0);
	for (n = 1; n <= 300; n++) {
		snprintf(key, sizeof(key), "ZEK-%d", n);
		sr = (struct store_request){ .desk_id = 1, .number = n, .key = key,
			.type_id = 1, .reporter_id = uid, .creator_id = uid,
			.status = "offen", .resolution = "", .title = "Anfrage",
			.created_at = n == 300 ? base - 5000000 : base + n * 1000,
			.updated_at = base };
		assert_int_equal(store_request_insert(t->ctx.db, &sr, &ids[n - 1]),
		    ZEK_OK);
	}
	assert_int_equal(blocks_violations(t->db, true, &blocks), 0);
	assert_int_equal(blocks, ids[299] / 64 - ids[0] / 64 + 1);
	below = sql_i64(t->db, "SELECT count(*) FROM request_blocks "
	    "WHERE rest_lo = ?", base - 5000000);
	assert_int_equal(below, blocks);
	/* An update to an older time: bounds, no longer exact. */
	id = ids[150];
	sql_i64(t->db, "UPDATE requests SET created_at = 1600000000000 "
	    "WHERE id = ?", id);
	assert_int_equal(sql_i64(t->db, "SELECT count(*) FROM request_blocks "
	    "WHERE rest_lo = 1600000000000", 0), ids[150] / 64 - ids[0] / 64 + 1);
	assert_int_equal(blocks_violations(t->db, false, &blocks), 0);
	tenv_free(t);
}

static void
cursor_round_trip(void **state)
{
	struct tenv *t = tenv_new();
	struct list_cursor c = { 1700000000123, 42 }, d;
	const char *s;

	(void)state;
	s = core_list_cursor_format(&t->ctx, &c);
	assert_string_equal(s, "1700000000123.42");
	assert_true(core_list_cursor_parse(s, &d));
	assert_int_equal(d.at, c.at);
	assert_int_equal(d.id, c.id);
	assert_false(core_list_cursor_parse("", &d));
	assert_false(core_list_cursor_parse("12", &d));
	assert_false(core_list_cursor_parse(".12", &d));
	assert_false(core_list_cursor_parse("12.", &d));
	assert_false(core_list_cursor_parse("12.0", &d));
	assert_false(core_list_cursor_parse("-1.3", &d));
	assert_false(core_list_cursor_parse("1.3.4", &d));
	assert_false(core_list_cursor_parse("99999999999999999999999.1", &d));
	tenv_free(t);
}

static void
bad_limit_and_no_user(void **state)
{
	struct tenv *t = tenv_new();
	struct list_query q = { .limit = LIST_LIMIT_MAX + 1 };
	struct list_page *pg;
	struct user *u;

	(void)state;
	tenv_config(t);
	u = tenv_user(t, "x@example.org", "customer", NULL);    /* no reset below */
	assert_int_equal(core_list_requests(&t->ctx, u, &q, "de", &pg),
	    ZEK_INVALID);
	q.limit = 0;    /* the default */
	assert_int_equal(core_list_requests(&t->ctx, u, &q, "de", &pg), ZEK_OK);
	assert_int_equal(pg->n, 0);
	assert_int_equal(pg->total, 0);
	assert_true(pg->is_first);
	assert_int_equal(core_list_requests(&t->ctx, NULL, &q, "de", &pg),
	    ZEK_NOTFOUND);
	tenv_free(t);
}

int
main(void)
{
	const struct CMUnitTest demo[] = {
		cmocka_unit_test(demo_visibility_matches_request_page),
		cmocka_unit_test(demo_creator_filters),
		cmocka_unit_test(search_follows_who_may_see),
		cmocka_unit_test(blocks_follow_imports),
		cmocka_unit_test(cursor_round_trip),
		cmocka_unit_test(bad_limit_and_no_user),
	};
	const struct CMUnitTest gen[] = {
		cmocka_unit_test(gen_plans_use_indexes),
		cmocka_unit_test(gen_blocks_bound_requests),
		cmocka_unit_test(gen_filters_match_brute_force),
		cmocka_unit_test(gen_filters_by_last_change),
		cmocka_unit_test(gen_paging_both_ways),
		cmocka_unit_test(gen_search_text),
		cmocka_unit_test(gen_count_stops),
		cmocka_unit_test(gen_no_leak_through_search),
		cmocka_unit_test(gen_index_follows_writes),
	};
	int rc;

	rc = cmocka_run_group_tests_name("demo", demo, NULL, NULL);
	rc += cmocka_run_group_tests_name("generated", gen, gen_setup,
	    gen_teardown);
	return rc;
}
