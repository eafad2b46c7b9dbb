/* Unit tests for core/agent.c and the agents' parts of core/workflow.c: queues, assignment, auto-close. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/activity.h"
#include "core/agent.h"
#include "core/attachments.h"
#include "core/requests.h"
#include "core/sla.h"
#include "core/users.h"
#include "core/validate.h"
#include "core/workflow.h"
#include "helpers.h"
#include "lib/arena.h"
#include "store/store.h"

#define PORTAL 17
#define T_FRAGE 4
#define DAY (24LL * 3600 * 1000)

static struct tenv *env;
static int64_t anna, carla, sam, tom, admin;

static int64_t
add(const char *email, const char *name, const char *role, const char *org)
{
	int64_t id;

	assert_int_equal(core_user_add(&env->ctx, email, name, "geheim1", role,
	    org, "de", &id), ZEK_OK);
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
	env = tenv_new();
	tenv_config(env);
	anna = add("anna@example.org", "Anna Schmidt", "customer",
	    "Stadt Musterstadt – Bürgeramt");
	carla = add("carla@example.org", "Carla Yilmaz", "customer", NULL);
	sam = add("support@example.org", "Sam Support", "agent", NULL);
	tom = add("tom@example.org", "Tom Technik", "agent", NULL);
	admin = add("admin@example.org", "Ada Admin", "admin", NULL);
	return 0;
}

static int
teardown(void **state)
{
	tenv_free(env);
	return 0;
}

/* A Sonstige Frage by `who`, created one second after the last one. */
static int64_t
new_request(int64_t who, const char *title, const char *text,
    const char **key_out)
{
	const char *sv[1] = { title }, *dv[1] = { text };
	struct field_value vals[2] = { { "summary", sv, 1 },
	    { "description", dv, 1 } };
	struct create_input in = { .portal_id = PORTAL, .type_id = T_FRAGE,
	    .values = vals, .nvalues = 2 };
	struct request_view *v;
	struct field_error *errs;
	const char *key;
	size_t nerrs;

	env->ctx.now_ms += 1000;
	assert_int_equal(core_request_create(&env->ctx, u(who), &in, &errs,
	    &nerrs, &key), ZEK_OK);
	assert_int_equal(core_request_get(&env->ctx, u(who), key, "de", &v),
	    ZEK_OK);
	if (key_out != NULL)
		*key_out = key;
	return v->id;
}

static enum zek_rc
move(int64_t who, int64_t id, enum wf_action a, enum resolution res)
{
	env->ctx.now_ms += 1000;
	return core_transition(&env->ctx, who != 0 ? u(who) : NULL, id, a, res,
	    NULL, NULL);
}

static enum zek_rc
assign(int64_t who, int64_t id, int64_t to)
{
	env->ctx.now_ms += 1000;
	return core_request_assign(&env->ctx, u(who), id, to);
}

static void
status_is(int64_t id, enum status st, enum resolution res)
{
	struct store_request *r;

	assert_int_equal(store_request_by_id(env->ctx.db, env->arena, id, &r),
	    ZEK_OK);
	assert_string_equal(r->status, status_code(st));
	assert_string_equal(r->resolution, resolution_code(res));
}

static int64_t
assignee_of(int64_t id)
{
	int64_t a = -1;

	assert_int_equal(store_request_assignee(env->ctx.db, id, &a), ZEK_OK);
	return a;
}

static size_t
count_kind(int64_t viewer, int64_t id, enum activity_kind kind)
{
	struct activity_entry *e;
	size_t i, n, cnt = 0;

	assert_int_equal(core_activity_list(&env->ctx, u(viewer), id, &e, &n),
	    ZEK_OK);
	for (i = 0; i < n; i++)
		if (e[i].kind == kind)
			cnt++;
	return cnt;
}

/* ---- assignment ---- */

static void
test_assign_rules_and_log(void **state)
{
	struct activity_entry *e;
	int64_t id = new_request(anna, "Zuweisung", "Text", NULL);
	size_t n;

	assert_int_equal(assignee_of(id), 0);
	/* Customers may not assign, not even to an agent. */
	assert_int_equal(assign(anna, id, sam), ZEK_FORBIDDEN);
	/* Only support staff can be assignees. */
	assert_int_equal(assign(sam, id, carla), ZEK_INVALID);
	assert_int_equal(assign(sam, id, 999999), ZEK_INVALID);
	assert_int_equal(assign(sam, id, -1), ZEK_INVALID);
	assert_int_equal(assign(sam, 999999, sam), ZEK_NOTFOUND);
	/* To oneself, to a colleague, to an admin, to nobody. */
	assert_int_equal(assign(sam, id, sam), ZEK_OK);
	assert_int_equal(assignee_of(id), sam);
	assert_int_equal(assign(sam, id, sam), ZEK_OK);    /* no change */
	assert_int_equal(assign(sam, id, tom), ZEK_OK);
	assert_int_equal(assignee_of(id), tom);
	assert_int_equal(assign(admin, id, admin), ZEK_OK);
	assert_int_equal(assign(tom, id, 0), ZEK_OK);
	assert_int_equal(assignee_of(id), 0);
	/* Every change is logged with who, what and when, for agents only. */
	assert_int_equal(count_kind(sam, id, ACTIVITY_ASSIGNED), 4);
	assert_int_equal(count_kind(anna, id, ACTIVITY_ASSIGNED), 0);
	assert_int_equal(core_activity_list(&env->ctx, u(sam), id, &e, &n),
	    ZEK_OK);
	assert_int_equal(e[0].kind, ACTIVITY_ASSIGNED);
	assert_int_equal(e[0].actor.id, tom);
	assert_int_equal(e[0].subject.id, 0);
	assert_false(e[0].is_public);
	assert_int_equal(e[1].subject.id, admin);
	assert_string_equal(e[1].subject.name, "Ada Admin");
	assert_int_equal(e[3].subject.id, sam);
	assert_int_equal(e[3].actor.id, sam);
	assert_int_equal(e[0].created_at, env->ctx.now_ms);
	/* Closed requests are final: no assignment either. */
	assert_int_equal(move(sam, id, WF_CLOSE, RESOLUTION_ABGELEHNT), ZEK_OK);
	assert_int_equal(assign(sam, id, sam), ZEK_CONFLICT);
	assert_int_equal(assignee_of(id), 0);
}

/* ---- queues ---- */

/* The keys of every row of a queue, page by page forward (limit rows a
 * page); checks the pages' flags. */
/* The order values of the rows walk_queue read last. */
static int64_t walked_values[256];

static size_t
walk_queue(int64_t viewer, enum agent_queue q, enum agent_sort s,
    const char *search, size_t limit, int64_t *ids, size_t max,
    int64_t *total)
{
	struct agent_query aq = { .queue = q, .sort = s, .search = search,
	    .limit = limit };
	struct agent_page *pg;
	size_t n = 0, pages = 0, i;

	for (;;) {
		assert_int_equal(core_agent_queue(&env->ctx, u(viewer), &aq, "de",
		    &pg), ZEK_OK);
		assert_int_equal(pg->is_first, pages == 0);
		assert_int_equal(pg->has_prev, pages > 0);
		for (i = 0; i < pg->n; i++) {
			assert_true(n < max && n < ZEK_ARRAY_LEN(walked_values));
			walked_values[n] = pg->items[i].cursor.value;
			ids[n++] = pg->items[i].id;
		}
		*total = pg->total;
		pages++;
		if (!pg->has_next)
			break;
		assert_int_equal(pg->n, limit);
		aq.has_cursor = true;
		aq.cursor = pg->items[pg->n - 1].cursor;
	}
	return n;
}

static bool
has(const int64_t *ids, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

static void
test_queues_hold_the_right_requests(void **state)
{
	struct agent_counts before, after;
	int64_t ids[256], total, r[6];
	size_t n, q;

	assert_int_equal(core_agent_counts(&env->ctx, u(sam), &before), ZEK_OK);
	r[0] = new_request(anna, "Neu und frei", "a", NULL);
	r[1] = new_request(anna, "Neu, Sam", "a", NULL);
	assert_int_equal(assign(sam, r[1], sam), ZEK_OK);
	r[2] = new_request(carla, "In Arbeit bei Tom", "a", NULL);
	assert_int_equal(assign(tom, r[2], tom), ZEK_OK);
	assert_int_equal(move(tom, r[2], WF_START, 0), ZEK_OK);
	r[3] = new_request(carla, "Frage an Kunden", "a", NULL);
	assert_int_equal(move(sam, r[3], WF_ASK_CUSTOMER, 0), ZEK_OK);
	r[4] = new_request(anna, "Zurück an Support", "a", NULL);
	assert_int_equal(move(sam, r[4], WF_TO_SUPPORT, 0), ZEK_OK);
	assert_int_equal(assign(sam, r[4], sam), ZEK_OK);
	r[5] = new_request(anna, "Erledigt", "a", NULL);
	assert_int_equal(assign(sam, r[5], sam), ZEK_OK);
	assert_int_equal(move(sam, r[5], WF_CLOSE, RESOLUTION_GELOEST), ZEK_OK);
	assert_int_equal(core_agent_counts(&env->ctx, u(sam), &after), ZEK_OK);
	/* unassigned: 0, 3; mine (Sam): 1, 4; waiting support: 0, 1, 4;
	 * waiting customer: 3; open: 0..4; recently closed: 5. */
	assert_int_equal(after.n[AGENT_QUEUE_UNASSIGNED] -
	    before.n[AGENT_QUEUE_UNASSIGNED], 2);
	assert_int_equal(after.n[AGENT_QUEUE_MINE] -
	    before.n[AGENT_QUEUE_MINE], 2);
	assert_int_equal(after.n[AGENT_QUEUE_WAITING_SUPPORT] -
	    before.n[AGENT_QUEUE_WAITING_SUPPORT], 3);
	assert_int_equal(after.n[AGENT_QUEUE_WAITING_CUSTOMER] -
	    before.n[AGENT_QUEUE_WAITING_CUSTOMER], 1);
	assert_int_equal(after.n[AGENT_QUEUE_OPEN] -
	    before.n[AGENT_QUEUE_OPEN], 5);
	assert_int_equal(after.n[AGENT_QUEUE_RECENT_CLOSED] -
	    before.n[AGENT_QUEUE_RECENT_CLOSED], 1);
	/* Each queue lists exactly what its count says, and the right ones. */
	for (q = 0; q < AGENT_QUEUE_MAX; q++) {
		n = walk_queue(sam, q, agent_queue_default_sort(q), NULL, 3, ids,
		    256, &total);
		assert_int_equal((int64_t)n, total);
		assert_int_equal(total, after.n[q]);
	}
	n = walk_queue(sam, AGENT_QUEUE_MINE, AGENT_SORT_OLDEST, NULL, 10, ids,
	    256, &total);
	assert_true(has(ids, n, r[1]) && has(ids, n, r[4]));
	assert_false(has(ids, n, r[0]) || has(ids, n, r[2]) || has(ids, n, r[5]));
	/* "Meine offenen" is the viewer's: Tom sees his. */
	n = walk_queue(tom, AGENT_QUEUE_MINE, AGENT_SORT_OLDEST, NULL, 10, ids,
	    256, &total);
	assert_true(has(ids, n, r[2]) && !has(ids, n, r[1]));
	n = walk_queue(sam, AGENT_QUEUE_UNASSIGNED, AGENT_SORT_NEWEST, NULL, 10,
	    ids, 256, &total);
	assert_true(has(ids, n, r[0]) && has(ids, n, r[3]));
	assert_false(has(ids, n, r[1]) || has(ids, n, r[2]));
	n = walk_queue(sam, AGENT_QUEUE_WAITING_CUSTOMER, AGENT_SORT_NEWEST,
	    NULL, 10, ids, 256, &total);
	assert_true(has(ids, n, r[3]) && !has(ids, n, r[2]));
	n = walk_queue(sam, AGENT_QUEUE_RECENT_CLOSED, AGENT_SORT_UPDATED, NULL,
	    10, ids, 256, &total);
	assert_true(has(ids, n, r[5]) && !has(ids, n, r[4]));
	/* "Kürzlich" ends after AGENT_RECENT_DAYS. */
	env->ctx.now_ms += (AGENT_RECENT_DAYS + 1) * DAY;
	n = walk_queue(sam, AGENT_QUEUE_RECENT_CLOSED, AGENT_SORT_UPDATED, NULL,
	    10, ids, 256, &total);
	assert_false(has(ids, n, r[5]));
	assert_int_equal(total, 0);
}

/* Rows of the queue in the order `s`, checked against each other. */
static void
check_order(enum agent_sort s, const int64_t *ids, size_t n)
{
	struct store_request *a, *b;
	int64_t va, vb;

	for (size_t i = 1; i < n; i++) {
		assert_int_equal(store_request_by_id(env->ctx.db, env->arena,
		    ids[i - 1], &a), ZEK_OK);
		assert_int_equal(store_request_by_id(env->ctx.db, env->arena,
		    ids[i], &b), ZEK_OK);
		va = s == AGENT_SORT_UPDATED || s == AGENT_SORT_STALE ?
		    a->updated_at : a->created_at;
		vb = s == AGENT_SORT_UPDATED || s == AGENT_SORT_STALE ?
		    b->updated_at : b->created_at;
		if (s == AGENT_SORT_DUE) {
			/* Due times are the store's: see test_queue_sla. */
			va = walked_values[i - 1];
			vb = walked_values[i];
		}
		if (s == AGENT_SORT_OLDEST || s == AGENT_SORT_STALE ||
		    s == AGENT_SORT_DUE)
			assert_true(va < vb || (va == vb && ids[i - 1] < ids[i]));
		else
			assert_true(va > vb || (va == vb && ids[i - 1] > ids[i]));
	}
}

/* The position of a row in `all`, or n. */
static size_t
index_of(const int64_t *all, size_t n, int64_t id)
{
	size_t i;

	for (i = 0; i < n && all[i] != id; i++)
		;
	return i;
}

static void
test_sorting_and_paging_both_ways(void **state)
{
	struct agent_query aq = { .queue = AGENT_QUEUE_OPEN, .limit = 4 };
	int64_t all[256], total, mine[23], same_time;
	struct agent_page *pg;
	size_t n, i, s, k, at;

	/* 23 more open requests in four statuses; some created in the same
	 * millisecond (ties are ordered by id). */
	for (i = 0; i < 23; i++) {
		mine[i] = new_request(i % 2 ? anna : carla, "Reihenfolge",
		    "Sortiertest", NULL);
		if (i % 5 == 0)
			env->ctx.now_ms -= 1000;    /* the next one ties */
		if (i % 4 == 1)
			assert_int_equal(move(sam, mine[i], WF_START, 0), ZEK_OK);
		if (i % 4 == 2)
			assert_int_equal(move(sam, mine[i], WF_ASK_CUSTOMER, 0),
			    ZEK_OK);
		if (i % 4 == 3)
			assert_int_equal(move(sam, mine[i], WF_TO_SUPPORT, 0),
			    ZEK_OK);
	}
	/* Touch some in reverse order, so the update order differs. */
	same_time = env->ctx.now_ms + 5000;
	for (i = 0; i < 23; i += 3)
		assert_int_equal(store_request_touch(env->ctx.db, mine[i],
		    same_time - (int64_t)i * 10, true), ZEK_OK);
	env->ctx.now_ms = same_time + 1000;
	/* Without and with a search (which walks the index's hits). */
	for (s = 0; s < 2 * AGENT_SORT_MAX; s++) {
		const char *search = s >= AGENT_SORT_MAX ? "reihenfolge" : NULL;

		n = walk_queue(sam, AGENT_QUEUE_OPEN, (enum agent_sort)(s %
		    AGENT_SORT_MAX), search, 4, all, 256, &total);
		assert_int_equal((int64_t)n, total);
		assert_true(search != NULL ? n == 23 : n > 23);
		check_order((enum agent_sort)(s % AGENT_SORT_MAX), all, n);
		for (i = 0; i < 23; i++)
			assert_true(has(all, n, mine[i]));
		/* From the last row back to the start with "Zurück": every page
		 * is the slice right before the previous one. */
		aq.search = search;
		aq.sort = (enum agent_sort)(s % AGENT_SORT_MAX);
		aq.limit = n;
		aq.has_cursor = false;
		aq.backward = false;
		assert_int_equal(core_agent_queue(&env->ctx, u(sam), &aq, "de",
		    &pg), ZEK_OK);
		assert_int_equal(pg->n, n);
		aq.cursor = pg->items[n - 1].cursor;
		aq.has_cursor = true;
		aq.backward = true;
		aq.limit = 4;
		at = n - 1;
		for (;;) {
			assert_int_equal(core_agent_queue(&env->ctx, u(sam), &aq,
			    "de", &pg), ZEK_OK);
			assert_true(pg->has_next);
			if (pg->is_first)
				break;
			assert_int_equal(pg->n, 4);
			assert_true(at >= 4);
			for (k = 0; k < pg->n; k++)
				assert_int_equal(pg->items[k].id, all[at - 4 + k]);
			at -= 4;
			assert_int_equal(pg->has_prev, at > 0);
			assert_int_equal(index_of(all, n, pg->items[0].id), at);
			aq.cursor = pg->items[0].cursor;
		}
		/* Back at the start: a full first page, nothing before it. */
		assert_false(pg->has_prev);
		assert_true(at <= 4);
		for (k = 0; k < pg->n; k++)
			assert_int_equal(pg->items[k].id, all[k]);
		assert_int_equal(pg->n, 4);
	}
}

/* The first `want` ids of a queue's pages (of `limit`) that are in `set`
 * (NULL: all), reading at most `pages` pages. */
static size_t
first_ids(enum agent_queue q, enum agent_sort s, const char *search,
    size_t limit, size_t pages, const int64_t *set, size_t nset,
    int64_t *out, size_t want)
{
	struct agent_query aq = { .queue = q, .sort = s, .search = search,
		.limit = limit };
	struct agent_page *pg;
	size_t n = 0, i;

	for (; pages > 0 && n < want; pages--) {
		assert_int_equal(core_agent_queue(&env->ctx, u(sam), &aq, "de",
		                     &pg),
		    ZEK_OK);
		for (i = 0; i < pg->n && n < want; i++)
			if (set == NULL || has(set, nset, pg->items[i].id))
				out[n++] = pg->items[i].id;
		if (!pg->has_next)
			break;
		aq.has_cursor = true;
		aq.cursor = pg->items[pg->n - 1].cursor;
	}
	return n;
}

/* A word in most requests of a status: SQLite's page then asks the search
 * index about each request it steps on instead of gathering every match
 * (sqlite_queue.c, probe_pays); the pages are those of the queue without
 * the search, less the requests without the word. */
static void
test_search_for_a_common_word_pages_like_the_queue(void **state)
{
	enum { MANY = 2100, WANT = 60 };
	static const enum agent_sort sorts[] = { AGENT_SORT_DUE,
		AGENT_SORT_UPDATED, AGENT_SORT_STALE, AGENT_SORT_NEWEST };
	static int64_t made[MANY];
	int64_t searched[WANT], listed[WANT];
	size_t i, ns, nl;

	(void)state;
	for (i = 0; i < MANY; i++) {
		made[i] = new_request(i % 2 ? anna : carla, "Häufiges Wort",
		    "Immer wieder dasselbe.", NULL);
		if (i % 7 == 0)
			assert_int_equal(store_request_touch(env->ctx.db, made[i],
			                     env->ctx.now_ms - (int64_t)i, true),
			    ZEK_OK);
	}
	for (i = 0; i < ZEK_ARRAY_LEN(sorts); i++) {
		ns = first_ids(AGENT_QUEUE_OPEN, sorts[i], "haufig", 5, 20,
		    NULL, 0, searched, WANT);
		nl = first_ids(AGENT_QUEUE_OPEN, sorts[i], NULL, 5, 100, made,
		    MANY, listed, WANT);
		assert_int_equal(ns, WANT);
		assert_int_equal(nl, WANT);
		assert_memory_equal(searched, listed, sizeof(searched));
	}
}

static void
test_search_within_a_queue(void **state)
{
	int64_t ids[64], total, a, b, c;
	const char *key;
	size_t n;

	a = new_request(anna, "Führungszeugnis: Zahlung schlägt fehl",
	    "Die Zahlung per giropay bricht ab.", NULL);
	b = new_request(carla, "Zahlungsabbruch beim Wohngeld",
	    "Nach der Zahlung kommt eine Fehlermeldung.", &key);
	c = new_request(anna, "Ganz anderes Thema", "Nichts davon.", NULL);
	assert_int_equal(assign(sam, b, sam), ZEK_OK);
	/* Prefix and umlauts, in title and description. */
	n = walk_queue(sam, AGENT_QUEUE_OPEN, AGENT_SORT_NEWEST, "zahlung", 10,
	    ids, 64, &total);
	assert_true(has(ids, n, a) && has(ids, n, b) && !has(ids, n, c));
	assert_int_equal((int64_t)n, total);
	n = walk_queue(sam, AGENT_QUEUE_OPEN, AGENT_SORT_NEWEST,
	    "fuhrungszeugnis", 10, ids, 64, &total);
	assert_true(n == 1 && ids[0] == a);
	/* Within the queue only. */
	n = walk_queue(sam, AGENT_QUEUE_MINE, AGENT_SORT_OLDEST, "Zahlung", 10,
	    ids, 64, &total);
	assert_true(n == 1 && ids[0] == b && total == 1);
	n = walk_queue(sam, AGENT_QUEUE_UNASSIGNED, AGENT_SORT_OLDEST,
	    "  zahlung  giropay ", 10, ids, 64, &total);
	assert_true(n == 1 && ids[0] == a);
	/* By key, any case. */
	n = walk_queue(sam, AGENT_QUEUE_OPEN, AGENT_SORT_OLDEST, key, 10, ids, 64,
	    &total);
	assert_true(n == 1 && ids[0] == b);
	/* Operators and punctuation are text; nothing usable matches nothing. */
	n = walk_queue(sam, AGENT_QUEUE_OPEN, AGENT_SORT_OLDEST,
	    "\"zahlung OR NEAR( *", 10, ids, 64, &total);
	assert_int_equal(total, (int64_t)n);
	n = walk_queue(sam, AGENT_QUEUE_OPEN, AGENT_SORT_OLDEST, "*** ---", 10,
	    ids, 64, &total);
	assert_int_equal(n, 0);
	assert_int_equal(total, 0);
}

static void
test_bad_queries_and_strangers(void **state)
{
	struct agent_query aq = { .queue = AGENT_QUEUE_OPEN };
	struct agent_request *ar;
	struct agent_counts cnt;
	struct agent_page *pg;
	struct person *staff;
	struct agent_cursor cur;
	const char *key;
	size_t n;

	new_request(anna, "Fremde", "x", &key);
	/* Customers get nothing of the agent side. */
	assert_int_equal(core_agent_counts(&env->ctx, u(anna), &cnt),
	    ZEK_FORBIDDEN);
	assert_int_equal(core_agent_queue(&env->ctx, u(anna), &aq, "de", &pg),
	    ZEK_FORBIDDEN);
	assert_int_equal(core_agent_queue(&env->ctx, NULL, &aq, "de", &pg),
	    ZEK_FORBIDDEN);
	assert_int_equal(core_agent_staff(&env->ctx, u(anna), &staff, &n),
	    ZEK_FORBIDDEN);
	assert_int_equal(core_agent_request_get(&env->ctx, u(anna), key, "de",
	    &ar), ZEK_FORBIDDEN);
	assert_int_equal(core_agent_request_get(&env->ctx, u(sam), "ZEK-99999",
	    "de", &ar), ZEK_NOTFOUND);
	aq.limit = AGENT_LIMIT_MAX + 1;
	assert_int_equal(core_agent_queue(&env->ctx, u(sam), &aq, "de", &pg),
	    ZEK_INVALID);
	aq.limit = 0;
	aq.search = "\xff\xfe";
	assert_int_equal(core_agent_queue(&env->ctx, u(sam), &aq, "de", &pg),
	    ZEK_INVALID);
	aq.search = NULL;
	aq.queue = AGENT_QUEUE_MAX;
	assert_int_equal(core_agent_queue(&env->ctx, u(sam), &aq, "de", &pg),
	    ZEK_INVALID);
	/* Staff: agents and admins by name. */
	assert_int_equal(core_agent_staff(&env->ctx, u(sam), &staff, &n), ZEK_OK);
	assert_int_equal(n, 3);
	assert_string_equal(staff[0].name, "Ada Admin");
	assert_string_equal(staff[1].name, "Sam Support");
	assert_string_equal(staff[2].name, "Tom Technik");
	/* Codes and cursors. */
	for (size_t q = 0; q < AGENT_QUEUE_MAX; q++) {
		enum agent_queue back;
		assert_true(agent_queue_from_code(agent_queue_code(q), &back));
		assert_int_equal(back, q);
	}
	assert_false(agent_queue_from_code("all", &aq.queue));
	assert_true(core_agent_cursor_parse("1700000000000.42", &cur));
	assert_int_equal(cur.value, 1700000000000LL);
	assert_int_equal(cur.id, 42);
	assert_string_equal(core_agent_cursor_format(&env->ctx, &cur),
	    "1700000000000.42");
	assert_false(core_agent_cursor_parse("12", &cur));
	assert_false(core_agent_cursor_parse(".4", &cur));
	assert_false(core_agent_cursor_parse("1.x", &cur));
	assert_false(core_agent_cursor_parse("-1.2", &cur));
}

/* "Offen seit" is when the request got its status: an assignment (or any
 * other change) before its first status change does not move it. */
static void
test_agent_request_status_since_stays_on_assignment(void **state)
{
	struct agent_request *ar;
	const char *key;
	int64_t id = new_request(anna, "Seit wann", "x", &key);
	int64_t created = env->ctx.now_ms;

	(void)state;
	assert_int_equal(assign(sam, id, tom), ZEK_OK);
	assert_int_equal(core_agent_request_get(&env->ctx, u(sam), key, "de",
	    &ar), ZEK_OK);
	assert_string_equal(ar->view->assignee.name, "Tom Technik");
	assert_int_equal(ar->view->status_since, created);
	assert_int_equal(move(sam, id, WF_START, 0), ZEK_OK);
	assert_int_equal(core_agent_request_get(&env->ctx, u(sam), key, "de",
	    &ar), ZEK_OK);
	assert_int_equal(ar->view->status_since, env->ctx.now_ms);
}

static void
test_agent_request_offers_allowed_actions(void **state)
{
	struct agent_request *ar;
	const char *key;
	int64_t id = new_request(anna, "Was geht", "x", &key);

	assert_int_equal(core_agent_request_get(&env->ctx, u(sam), key, "de",
	    &ar), ZEK_OK);
	assert_string_equal(ar->reporter->name, "Anna Schmidt");
	assert_int_equal(ar->reporter->norgs, 1);
	assert_int_equal(ar->view->assignee.id, 0);
	assert_true(ar->can[WF_START] && ar->can[WF_TO_SUPPORT] &&
	    ar->can[WF_ASK_CUSTOMER] && ar->can[WF_PROPOSE_SOLUTION] &&
	    ar->can[WF_CLOSE] && ar->can_assign);
	assert_false(ar->can[WF_ACCEPT_SOLUTION] || ar->can[WF_AUTO_CLOSE]);
	assert_int_equal(move(sam, id, WF_START, 0), ZEK_OK);
	assert_int_equal(assign(sam, id, tom), ZEK_OK);
	assert_int_equal(core_agent_request_get(&env->ctx, u(sam), key, "de",
	    &ar), ZEK_OK);
	assert_false(ar->can[WF_START]);
	assert_string_equal(ar->view->assignee.name, "Tom Technik");
	assert_int_equal(move(sam, id, WF_PROPOSE_SOLUTION, 0), ZEK_OK);
	assert_int_equal(core_agent_request_get(&env->ctx, u(sam), key, "de",
	    &ar), ZEK_OK);
	/* A pending solution: no second proposal, no question over it. */
	assert_false(ar->can[WF_PROPOSE_SOLUTION] || ar->can[WF_ASK_CUSTOMER]);
	assert_true(ar->can[WF_START] && ar->can[WF_TO_SUPPORT] &&
	    ar->can[WF_CLOSE]);
	assert_int_equal(ar->view->status_since, env->ctx.now_ms);
	assert_int_equal(move(sam, id, WF_CLOSE, RESOLUTION_ABGELEHNT), ZEK_OK);
	assert_int_equal(core_agent_request_get(&env->ctx, u(sam), key, "de",
	    &ar), ZEK_OK);
	for (size_t i = 0; i < WF_ACTION_MAX; i++)
		assert_false(ar->can[i]);
	assert_false(ar->can_assign);
}

/* ---- internal notes stay internal ---- */

static void
test_internal_note_never_reaches_customers(void **state)
{
	struct comment_input in = { .body = "Nur intern: Server neu starten.",
	    .is_public = false };
	struct attachment_info info;
	struct field_error *errs, e;
	struct activity_entry *ent;
	struct attachment *att;
	struct request_view *v;
	const char *key, *tok[1];
	size_t nerrs, n, i;
	int64_t id = new_request(anna, "Notiz", "x", &key);

	assert_int_equal(core_attachment_upload_temp(&env->ctx, u(sam),
	    "log.txt", "geheim\n", 7, &info, &e), ZEK_OK);
	tok[0] = info.token;
	in.attachment_tokens = tok;
	in.ntokens = 1;
	assert_int_equal(core_comment_add(&env->ctx, u(sam), id, &in, &errs,
	    &nerrs, NULL), ZEK_OK);
	/* The customer: not in the log, not among the files, not to download. */
	assert_int_equal(core_activity_list(&env->ctx, u(anna), id, &ent, &n),
	    ZEK_OK);
	for (i = 0; i < n; i++) {
		assert_true(ent[i].is_public);
		assert_true(ent[i].body == NULL ||
		    strstr(ent[i].body, "intern") == NULL);
		assert_int_equal(ent[i].nattachments, 0);
	}
	assert_int_equal(core_request_get(&env->ctx, u(anna), key, "de", &v),
	    ZEK_OK);
	assert_int_equal(v->nattachments, 0);
	/* The same through the loaded view, as the API and the pages (with
	 * the view's files) read it. */
	assert_int_equal(core_activity_of_view(&env->ctx, u(anna), v, &ent, &n),
	    ZEK_OK);
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		assert_true(ent[i].is_public);
		assert_int_equal(ent[i].nattachments, 0);
	}
	assert_int_equal(core_activity_of_page(&env->ctx, u(anna), v, &ent,
	    &n, NULL), ZEK_OK);
	assert_true(n > 0);
	for (i = 0; i < n; i++)
		assert_int_equal(ent[i].nattachments, 0);
	assert_int_equal(core_attachment_get(&env->ctx, u(anna), info.id, &att),
	    ZEK_NOTFOUND);
	/* The agent sees it all, marked internal. */
	assert_int_equal(core_activity_list(&env->ctx, u(tom), id, &ent, &n),
	    ZEK_OK);
	assert_int_equal(ent[0].kind, ACTIVITY_COMMENT);
	assert_false(ent[0].is_public);
	assert_int_equal(ent[0].nattachments, 1);
	assert_int_equal(core_request_get(&env->ctx, u(tom), key, "de", &v),
	    ZEK_OK);
	assert_int_equal(core_activity_of_view(&env->ctx, u(tom), v, &ent, &n),
	    ZEK_OK);
	assert_false(ent[0].is_public);
	assert_int_equal(ent[0].nattachments, 1);
	assert_int_equal(core_activity_of_page(&env->ctx, u(tom), v, &ent,
	    &n, NULL), ZEK_OK);
	assert_int_equal(ent[0].nattachments, 1);
	assert_int_equal(ent[0].attachments[0].id, info.id);
	assert_int_equal(core_attachment_get(&env->ctx, u(tom), info.id, &att),
	    ZEK_OK);
	/* A view older than a write (the API's answer to a new comment):
	 * the new comment's file is read, not taken from the view. */
	assert_int_equal(core_attachment_upload_temp(&env->ctx, u(sam),
	    "zwei.txt", "zwei\n", 5, &info, &e), ZEK_OK);
	tok[0] = info.token;
	assert_int_equal(core_comment_add(&env->ctx, u(sam), id, &in, &errs,
	    &nerrs, NULL), ZEK_OK);
	assert_int_equal(core_activity_of_view(&env->ctx, u(tom), v, &ent, &n),
	    ZEK_OK);
	assert_int_equal(ent[0].nattachments, 1);
	assert_int_equal(ent[0].attachments[0].id, info.id);
	/* Customers cannot write one. */
	assert_int_equal(core_comment_add(&env->ctx, u(anna), id, &in, &errs,
	    &nerrs, NULL), ZEK_FORBIDDEN);
}

/* ---- auto-close ---- */

static int64_t
auto_close(int64_t now, int64_t *closed)
{
	int64_t saved = env->ctx.now_ms, n = -1;
	bool more = true;

	env->ctx.now_ms = now;
	assert_int_equal(core_auto_close_run(&env->ctx, 0, &n, &more), ZEK_OK);
	assert_false(more);
	env->ctx.now_ms = saved;
	if (closed != NULL)
		*closed = n;
	return n;
}

static void
test_auto_close_after_the_configured_days(void **state)
{
	struct activity_entry *e;
	int64_t solved, asked, redone, t0, n;
	size_t ne;

	/* Whatever earlier tests left waiting closes first. */
	auto_close(env->ctx.now_ms + 365 * DAY, NULL);
	solved = new_request(anna, "Lösung wartet", "x", NULL);
	asked = new_request(anna, "Frage wartet", "x", NULL);
	redone = new_request(carla, "Zweiter Vorschlag", "x", NULL);
	assert_int_equal(move(sam, solved, WF_PROPOSE_SOLUTION, 0), ZEK_OK);
	t0 = env->ctx.now_ms;
	assert_int_equal(move(sam, asked, WF_ASK_CUSTOMER, 0), ZEK_OK);
	assert_int_equal(move(sam, redone, WF_PROPOSE_SOLUTION, 0), ZEK_OK);
	/* Ten days later the customer rejects, the agent proposes again. */
	env->ctx.now_ms = t0 + 10 * DAY;
	assert_int_equal(move(carla, redone, WF_REJECT_SOLUTION, 0), ZEK_OK);
	assert_int_equal(move(sam, redone, WF_PROPOSE_SOLUTION, 0), ZEK_OK);
	/* 14 days less a minute: nothing yet. */
	assert_int_equal(auto_close(t0 + 14 * DAY - 60000, NULL), 0);
	status_is(solved, STATUS_WARTET_KUNDE, RESOLUTION_GELOEST);
	/* 14 days: the waiting solution closes; the question and the newer
	 * proposal wait on. */
	assert_int_equal(auto_close(t0 + 14 * DAY + 1000, &n), 1);
	status_is(solved, STATUS_GESCHLOSSEN, RESOLUTION_GELOEST);
	status_is(asked, STATUS_WARTET_KUNDE, RESOLUTION_NONE);
	status_is(redone, STATUS_WARTET_KUNDE, RESOLUTION_GELOEST);
	/* The log says the system closed it, and why. */
	assert_int_equal(core_activity_list(&env->ctx, u(anna), solved, &e, &ne),
	    ZEK_OK);
	assert_int_equal(e[0].kind, ACTIVITY_STATUS_CHANGED);
	assert_true(e[0].has_action);
	assert_int_equal(e[0].action, WF_AUTO_CLOSE);
	assert_int_equal(e[0].actor.id, 0);
	assert_int_equal(e[0].new_status, STATUS_GESCHLOSSEN);
	assert_int_equal(e[0].resolution, RESOLUTION_GELOEST);
	assert_int_equal(e[0].created_at, t0 + 14 * DAY + 1000);
	/* Running again closes nothing twice. */
	assert_int_equal(auto_close(t0 + 14 * DAY + 2000, NULL), 0);
	assert_int_equal(count_kind(sam, solved, ACTIVITY_STATUS_CHANGED), 2);
	/* The second proposal has its own 14 days. */
	assert_int_equal(auto_close(t0 + 24 * DAY + 2000, NULL), 1);
	status_is(redone, STATUS_GESCHLOSSEN, RESOLUTION_GELOEST);
	status_is(asked, STATUS_WARTET_KUNDE, RESOLUTION_NONE);
	/* auto_close_days = 0 turns it off; another number changes it. */
	solved = new_request(anna, "Ohne Frist", "x", NULL);
	assert_int_equal(move(sam, solved, WF_PROPOSE_SOLUTION, 0), ZEK_OK);
	env->cfg.auto_close_days = 0;
	assert_int_equal(auto_close(env->ctx.now_ms + 400 * DAY, NULL), 0);
	env->cfg.auto_close_days = 3;
	assert_int_equal(auto_close(env->ctx.now_ms + 2 * DAY, NULL), 0);
	assert_int_equal(auto_close(env->ctx.now_ms + 3 * DAY, NULL), 1);
	env->cfg.auto_close_days = 14;
}

static void
test_auto_close_in_batches(void **state)
{
	int64_t n, now, t0 = env->ctx.now_ms;
	bool more;
	size_t i;

	auto_close(env->ctx.now_ms + 365 * DAY, NULL);
	for (i = 0; i < 5; i++) {
		int64_t id = new_request(anna, "Stapel", "x", NULL);
		assert_int_equal(move(sam, id, WF_PROPOSE_SOLUTION, 0), ZEK_OK);
	}
	now = env->ctx.now_ms;
	env->ctx.now_ms = t0 + 20 * DAY;
	assert_int_equal(core_auto_close_run(&env->ctx, 2, &n, &more), ZEK_OK);
	assert_true(n == 2 && more);
	assert_int_equal(core_auto_close_run(&env->ctx, 2, &n, &more), ZEK_OK);
	assert_true(n == 2 && more);
	assert_int_equal(core_auto_close_run(&env->ctx, 2, &n, &more), ZEK_OK);
	assert_true(n == 1 && !more);
	env->ctx.now_ms = now;
}

/* Two passes at the same time, each on its own thread and connection. */
struct racer {
	int64_t now;
	int64_t closed;
	enum zek_rc rc;
};

static void *
race(void *arg)
{
	struct racer *r = arg;
	struct arena *a = arena_new(0);
	struct zctx ctx;
	int64_t n;
	bool more = true;

	r->rc = core_ctx_init(env->core, a, &ctx);
	ctx.now_ms = r->now;
	while (r->rc == ZEK_OK && more) {
		r->rc = core_auto_close_run(&ctx, 3, &n, &more);
		r->closed += n;
	}
	arena_free(a);
	store_conn_release(env->core->store);
	return NULL;
}

static void
test_auto_close_twice_at_once_closes_each_once(void **state)
{
	struct racer r[4] = { 0 };
	pthread_t th[4];
	int64_t ids[12];
	size_t i;

	auto_close(env->ctx.now_ms + 365 * DAY, NULL);
	for (i = 0; i < 12; i++) {
		ids[i] = new_request(carla, "Wettlauf", "x", NULL);
		assert_int_equal(move(sam, ids[i], WF_PROPOSE_SOLUTION, 0),
		    ZEK_OK);
	}
	for (i = 0; i < 4; i++) {
		r[i].now = env->ctx.now_ms + 15 * DAY;
		assert_int_equal(pthread_create(&th[i], NULL, race, &r[i]), 0);
	}
	for (i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < 4; i++)
		assert_int_equal(r[i].rc, ZEK_OK);
	assert_int_equal(r[0].closed + r[1].closed + r[2].closed + r[3].closed,
	    12);
	for (i = 0; i < 12; i++) {
		status_is(ids[i], STATUS_GESCHLOSSEN, RESOLUTION_GELOEST);
		assert_int_equal(count_kind(sam, ids[i], ACTIVITY_STATUS_CHANGED),
		    2);
	}
}

/* After all the tests above (assigning, unassigning, moving, closing,
 * auto-closing), the kept counts per assignee and status equal a count of
 * the requests themselves (0011_queue_counts.sql). */
static void
test_queue_counts_match_requests(void **state)
{
	static const char sql[] = "SELECT (SELECT count(*) FROM "
	    "request_assignee_counts WHERE n > 0), (SELECT count(*) FROM "
	    "(SELECT coalesce(assignee_id, 0) AS a, status AS s, count(*) AS n "
	    "FROM requests GROUP BY 1, 2) g JOIN request_assignee_counts c "
	    "ON c.assignee_id = g.a AND c.status = g.s AND c.n = g.n), "
	    "(SELECT count(DISTINCT coalesce(assignee_id, 0)) FROM requests "
	    "WHERE status <> 'geschlossen'), (SELECT count(*) FROM (SELECT 1 "
	    "FROM requests GROUP BY coalesce(assignee_id, 0), status))";
	sqlite3_stmt *st;
	sqlite3 *db;

	TENV_SQLITE_ONLY();

	(void)state;
	assert_int_equal(sqlite3_open_v2(env->db, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	/* Every (assignee, status) with requests has its exact count, and no
	 * other row counts any; several assignees hold open requests. */
	assert_true(sqlite3_column_int64(st, 3) > 3);
	assert_int_equal(sqlite3_column_int64(st, 0), sqlite3_column_int64(st,
	    3));
	assert_int_equal(sqlite3_column_int64(st, 1), sqlite3_column_int64(st,
	    3));
	assert_true(sqlite3_column_int64(st, 2) >= 3);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* The row of request `id` in queue q (sorted next to breach), or NULL. */
static const struct agent_row *
sla_row(enum agent_queue q, int64_t id, size_t *pos)
{
	struct agent_query aq = { .queue = q, .sort = AGENT_SORT_DUE,
		.search = "Fristtest", .limit = AGENT_LIMIT_MAX };
	struct agent_page *pg;
	size_t i;

	assert_int_equal(core_agent_queue(&env->ctx, u(sam), &aq, "de", &pg),
	    ZEK_OK);
	for (i = 0; i < pg->n; i++)
		if (pg->items[i].id == id) {
			if (pos != NULL)
				*pos = i;
			return &pg->items[i];
		}
	return NULL;
}

/* Goals of an hour to answer and a working day to solve; the queues see
 * them running, nearly due, breached, met and paused, and list the
 * breached ones, next to breach first. */
static void
test_queue_sla(void **state)
{
	const int64_t monday_8 = 1796626800000LL;   /* 2026-12-07 08:00 Berlin */
	const int64_t min = 60 * 1000;
	struct comment_input reply = { .body = "Wir sehen uns das an.",
	    .is_public = true };
	const struct agent_row *row;
	struct store_reqtype *t;
	struct field_error *errs;
	struct agent_counts counts;
	int64_t r1, r2, done = 0;
	size_t nerrs, p1, p2;
	bool more;

	(void)state;
	assert_int_equal(store_reqtype_get(env->ctx.db, env->arena, T_FRAGE, &t),
	    ZEK_OK);
	t->sla_response_minutes = 60;
	t->sla_resolution_minutes = 8 * 60;
	assert_int_equal(store_reqtype_update(env->ctx.db, t), ZEK_OK);
	env->ctx.types = NULL; /* read anew, as by the next HTTP request */
	/* The open requests made before the goals are worked out again. */
	assert_int_equal(store_requests_mark_sla_stale(env->ctx.db, T_FRAGE),
	    ZEK_OK);
	assert_int_equal(core_sla_refresh_stale(&env->ctx, &done, &more),
	    ZEK_OK);
	assert_true(done > 0);

	env->ctx.now_ms = monday_8 - 1000;
	r1 = new_request(anna, "Fristtest eins", "x", NULL);
	env->ctx.now_ms = monday_8 + 10 * min;
	row = sla_row(AGENT_QUEUE_OPEN, r1, NULL);
	assert_non_null(row);
	assert_int_equal(row->sla, AGENT_SLA_RUNNING);
	assert_int_equal(row->sla_ms, 50 * min);
	/* Under a quarter of the hour left. */
	env->ctx.now_ms = monday_8 + 50 * min;
	assert_int_equal(sla_row(AGENT_QUEUE_OPEN, r1, NULL)->sla,
	    AGENT_SLA_WARNING);
	assert_null(sla_row(AGENT_QUEUE_BREACHED, r1, NULL));
	/* Breached at 09:00; at 09:30 half an hour over. */
	env->ctx.now_ms = monday_8 + 90 * min;
	row = sla_row(AGENT_QUEUE_BREACHED, r1, NULL);
	assert_non_null(row);
	assert_int_equal(row->sla, AGENT_SLA_BREACHED);
	assert_int_equal(row->sla_ms, 30 * min);
	assert_int_equal(core_agent_counts(&env->ctx, u(sam), &counts), ZEK_OK);
	assert_true(counts.n[AGENT_QUEUE_BREACHED] >= 1);

	/* A second one answered in time: only the day's goal runs. */
	r2 = new_request(carla, "Fristtest zwei", "x", NULL);
	env->ctx.now_ms += 10 * min;
	assert_int_equal(core_comment_add(&env->ctx, u(sam), r2, &reply, &errs,
	    &nerrs, NULL), ZEK_OK);
	row = sla_row(AGENT_QUEUE_OPEN, r2, &p2);
	assert_int_equal(row->sla, AGENT_SLA_RUNNING);
	assert_int_equal(row->sla_ms, 8 * 60 * min - 10 * min);
	assert_null(sla_row(AGENT_QUEUE_BREACHED, r2, NULL));
	/* The breached one comes first; answering it late keeps it breached. */
	assert_non_null(sla_row(AGENT_QUEUE_OPEN, r1, &p1));
	assert_true(p1 < p2);
	assert_int_equal(core_comment_add(&env->ctx, u(sam), r1, &reply, &errs,
	    &nerrs, NULL), ZEK_OK);
	assert_non_null(sla_row(AGENT_QUEUE_BREACHED, r1, NULL));
	/* Waiting on the customer pauses the clock: nothing runs. */
	assert_int_equal(move(sam, r2, WF_ASK_CUSTOMER, 0), ZEK_OK);
	row = sla_row(AGENT_QUEUE_OPEN, r2, &p2);
	assert_int_equal(row->sla, AGENT_SLA_NONE);
	/* A day later it is still not breached. */
	env->ctx.now_ms += DAY;
	assert_null(sla_row(AGENT_QUEUE_BREACHED, r2, NULL));
	/* Without goals, nothing to show. */
	t->sla_response_minutes = 0;
	t->sla_resolution_minutes = 0;
	assert_int_equal(store_reqtype_update(env->ctx.db, t), ZEK_OK);
	assert_int_equal(store_requests_mark_sla_stale(env->ctx.db, T_FRAGE),
	    ZEK_OK);
	assert_int_equal(core_sla_refresh_stale(&env->ctx, &done, &more),
	    ZEK_OK);
	assert_int_equal(sla_row(AGENT_QUEUE_OPEN, r1, NULL)->sla,
	    AGENT_SLA_NONE);
	assert_null(sla_row(AGENT_QUEUE_BREACHED, r1, NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_assign_rules_and_log),
		cmocka_unit_test(test_queues_hold_the_right_requests),
		cmocka_unit_test(test_sorting_and_paging_both_ways),
		cmocka_unit_test(test_search_within_a_queue),
		cmocka_unit_test(test_bad_queries_and_strangers),
		cmocka_unit_test(test_agent_request_offers_allowed_actions),
		cmocka_unit_test(
		    test_agent_request_status_since_stays_on_assignment),
		cmocka_unit_test(test_internal_note_never_reaches_customers),
		cmocka_unit_test(test_auto_close_after_the_configured_days),
		cmocka_unit_test(test_auto_close_in_batches),
		cmocka_unit_test(test_auto_close_twice_at_once_closes_each_once),
		cmocka_unit_test(test_queue_counts_match_requests),
		cmocka_unit_test(test_queue_sla),
		/* Last: its 2,100 requests would slow the others' batches. */
		cmocka_unit_test(test_search_for_a_common_word_pages_like_the_queue),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
