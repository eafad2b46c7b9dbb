/* Unit tests for mail/outbox.c and the outbox store: the claim protocol, back-off, failures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../core/helpers.h"
#include "core/config.h"
#include "core/ctx.h"
#include "core/notify.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "mail/compose.h"
#include "mail/outbox.h"
#include "mail/smtp.h"
#include "mailtest.h"
#include "render/i18n.h"
#include "render/template.h"
#include "store/query.h"
#include "store/store.h"

#define PAYLOAD "{\"key\":\"ZEK-3\",\"title\":\"Test\"," \
	"\"url\":\"http://127.0.0.1:8080/servicedesk/customer/portal/17/ZEK-3\"," \
	"\"actor\":\"\",\"reporter\":\"Anna\",\"status\":\"offen\"," \
	"\"resolution\":\"\"}"

static struct tenv *env;
static struct templates *tpl;
static struct catalogs *cat;
static struct mail_env menv;
static char closed_url[64];
static int seq;

static int
setup(void **state)
{
	const char *root = getenv("ZEK_SOURCE_ROOT");
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	char dir[512], err[256];
	int fd;

	if (root == NULL)
		root = ZEK_SOURCE_ROOT;
	env = tenv_new();
	snprintf(dir, sizeof(dir), "%s/templates", root);
	tpl = templates_load(dir, err, sizeof(err));
	snprintf(dir, sizeof(dir), "%s/po", root);
	cat = i18n_load(dir, err, sizeof(err));
	assert_non_null(tpl);
	assert_non_null(cat);
	menv = (struct mail_env){ &env->cfg, tpl, cat, NULL };
	assert_int_equal(smtp_global_init(), ZEK_OK);
	/* A loopback port nobody listens on: connections are refused. */
	fd = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	snprintf(closed_url, sizeof(closed_url), "smtp://127.0.0.1:%d",
	    ntohs(sa.sin_port));
	close(fd);
	return 0;
}

static int
teardown(void **state)
{
	templates_free(tpl);
	i18n_free(cat);
	tenv_free(env);
	return 0;
}

static int
reset(void **state)
{
	config_defaults(&env->cfg);
	env->cfg.db_path = env->db;
	env->cfg.smtp_url = closed_url;
	env->cfg.smtp_timeout_ms = 5000;
	tenv_reset(env);
	return 0;
}

/* A pending mail created at `created`; its id. */
static int64_t
enqueue(const char *event, int64_t created)
{
	struct store_mail m = {
		.event = event,
		.request_id = 3,
		.recipient_id = 1,
		.to_addr = "anna@example.org",
		.to_name = "Anna Schmidt",
		.lang = "de",
		.tz = "Europe/Berlin",
		.thread_id = "<zek.ZEK-3.1@localhost>",
		.payload = PAYLOAD,
		.next_attempt_at = created,
		.created_at = created,
	};
	int64_t id;

	m.message_id = arena_printf(env->arena, "<zek.ZEK-3.1.%d@localhost>",
	    ++seq);
	assert_int_equal(store_outbox_insert(env->ctx.db, &m, &id), ZEK_OK);
	return id;
}

static struct store_mail *
get(int64_t id)
{
	struct store_mail *m;

	assert_int_equal(store_outbox_get(env->ctx.db, env->arena, id, &m),
	    ZEK_OK);
	return m;
}

/* Whether mail `id` is due at `now` (what store_outbox_claim_due takes). */
static bool
is_due(int64_t id, int64_t now)
{
	int64_t n = -1;

	assert_int_equal(sq_query_i64(env->ctx.db, &n, "SELECT count(*) "
	    "FROM outbox WHERE id = ? AND state = 'pending' AND "
	    "next_attempt_at <= ? AND (claimed_until IS NULL OR "
	    "claimed_until < ?)", "iii", id, now, now), ZEK_OK);
	return n == 1;
}

/* A fan-out in one statement keeps every byte and the order. */
static void
test_insert_many_keeps_every_byte(void **state)
{
	static const char *const names[] = { "Anna \"Ä\" Schmidt",
	    "Back\\slash\ttab\nline", "", "Ünïcödé 漢字 \x01\x1f" };
	struct store_mail m[4], *got;
	size_t i, n;

	for (i = 0; i < 4; i++)
		m[i] = (struct store_mail){
			.event = "created",
			.request_id = 3,
			.recipient_id = (int64_t)i + 1,
			.to_addr = arena_printf(env->arena, "p%zu@example.org", i),
			.to_name = names[i],
			.lang = i % 2 == 0 ? "de" : "en",
			.tz = "Europe/Berlin",
			.message_id = arena_printf(env->arena,
			    "<zek.ZEK-3.9.%zu@localhost>", i),
			.thread_id = i == 2 ? NULL : "<zek.ZEK-3.1@localhost>",
			.payload = "{\"summary\":\"\\\"quoted\\\" \\u00e4\"}",
			.next_attempt_at = 1000 + (int64_t)i,
			.created_at = 900,
		};
	assert_int_equal(store_outbox_insert_many(env->ctx.db, m, 4), ZEK_OK);
	assert_int_equal(store_outbox_insert_many(env->ctx.db, m, 0), ZEK_OK);
	assert_int_equal(store_outbox_list(env->ctx.db, env->arena, NULL, 3, 10,
	    &got, &n), ZEK_OK);
	assert_int_equal(n, 4);
	for (i = 0; i < 4; i++) {
		/* Newest first: the last of the batch has the highest id. */
		const struct store_mail *g = get(got[3 - i].id);

		assert_string_equal(g->to_name, names[i]);
		assert_string_equal(g->to_addr, m[i].to_addr);
		assert_string_equal(g->lang, m[i].lang);
		assert_string_equal(g->message_id, m[i].message_id);
		assert_string_equal(g->thread_id, i == 2 ? "" : m[i].thread_id);
		assert_string_equal(g->payload, m[i].payload);
		assert_string_equal(g->state, "pending");
		assert_int_equal(g->recipient_id, (int64_t)i + 1);
		assert_int_equal(g->next_attempt_at, 1000 + (int64_t)i);
		assert_int_equal(g->created_at, 900);
	}
	/* A message id that exists already: none of the batch is kept. */
	m[0].message_id = "<zek.ZEK-3.9.new@localhost>";
	assert_int_equal(store_outbox_insert_many(env->ctx.db, m, 2),
	    ZEK_CONFLICT);
	assert_int_equal(store_outbox_list(env->ctx.db, env->arena, NULL, 3, 10,
	    &got, &n), ZEK_OK);
	assert_int_equal(n, 4);
	/* Not for the workers of the tests after this one. */
	assert_int_equal(sq_exec(env->ctx.db, "DELETE FROM outbox "
	    "WHERE message_id LIKE '<zek.ZEK-3.9.%'", ""), ZEK_OK);
}

static void
test_claim_protocol(void **state)
{
	struct store_conn *db = env->ctx.db;
	int64_t now = 1000000, id = enqueue(NOTIFY_CREATED, now);

	assert_true(is_due(id, now));
	assert_false(is_due(id, now - 1));
	/* One claim wins; the other process backs off. */
	assert_int_equal(store_outbox_claim(db, id, "A", now, now + 100), ZEK_OK);
	assert_int_equal(store_outbox_claim(db, id, "B", now, now + 100),
	    ZEK_CONFLICT);
	assert_false(is_due(id, now + 50));
	assert_int_equal(get(id)->attempts, 1);
	assert_string_equal(get(id)->claimed_by, "A");
	/* Only the holder may record anything. */
	assert_int_equal(store_outbox_set_raw(db, id, "B", "x"), ZEK_CONFLICT);
	assert_int_equal(store_outbox_sent(db, id, "B", now, false), ZEK_CONFLICT);
	assert_int_equal(store_outbox_set_raw(db, id, "A", "raw bytes"), ZEK_OK);
	/* A dies; after its claim lapses B takes over (kill -9 safety). */
	assert_true(is_due(id, now + 101));
	assert_int_equal(store_outbox_claim(db, id, "B", now + 101, now + 200),
	    ZEK_OK);
	assert_int_equal(get(id)->attempts, 2);
	assert_int_equal(store_outbox_sent(db, id, "A", now + 150, false), ZEK_CONFLICT);
	assert_int_equal(store_outbox_sent(db, id, "B", now + 150, false), ZEK_OK);
	assert_string_equal(get(id)->state, "sent");
	assert_int_equal(get(id)->sent_at, now + 150);
	assert_string_equal(get(id)->claimed_by, "");
	assert_string_equal(get(id)->raw, "raw bytes");
	/* Sent is final. */
	assert_false(is_due(id, now + 1000000));
	assert_int_equal(store_outbox_claim(db, id, "C", now + 1000000,
	    now + 1000100), ZEK_CONFLICT);
}

static void
test_retry_and_failure_records(void **state)
{
	struct store_conn *db = env->ctx.db;
	int64_t now = 2000000, id = enqueue(NOTIFY_CREATED, now);
	struct store_mail *m;

	assert_int_equal(store_outbox_claim(db, id, "A", now, now + 100), ZEK_OK);
	assert_int_equal(store_outbox_retry(db, id, "A", now + 5000,
	    "421 try later"), ZEK_OK);
	m = get(id);
	assert_string_equal(m->state, "pending");
	assert_string_equal(m->last_error, "421 try later");
	assert_int_equal(m->next_attempt_at, now + 5000);
	assert_int_equal(m->claimed_until, 0);
	assert_false(is_due(id, now + 4999));
	assert_int_equal(store_outbox_claim(db, id, "B", now + 10, now + 100),
	    ZEK_CONFLICT);
	assert_true(is_due(id, now + 5000));
	assert_int_equal(store_outbox_claim(db, id, "B", now + 5000,
	    now + 5100), ZEK_OK);
	assert_int_equal(store_outbox_failed(db, id, "B", "550 no such user"),
	    ZEK_OK);
	m = get(id);
	assert_string_equal(m->state, "failed");
	assert_string_equal(m->last_error, "550 no such user");
	assert_int_equal(m->attempts, 2);
	assert_false(is_due(id, now + 100000000));
}

static void
test_backoff_doubles_up_to_the_cap(void **state)
{
	env->cfg.mail_retry_ms = 1000;
	env->cfg.mail_retry_max_ms = 5000;
	assert_int_equal(outbox_backoff_ms(&env->cfg, 1), 1000);
	assert_int_equal(outbox_backoff_ms(&env->cfg, 2), 2000);
	assert_int_equal(outbox_backoff_ms(&env->cfg, 3), 4000);
	assert_int_equal(outbox_backoff_ms(&env->cfg, 4), 5000);
	assert_int_equal(outbox_backoff_ms(&env->cfg, 1000), 5000);
}

static void
test_worker_retries_when_the_server_is_down(void **state)
{
	struct outbox_stats st = { 0 };
	int64_t now = core_now_ms(), id = enqueue(NOTIFY_CREATED, now);
	struct store_mail *m;
	bool more;

	env->cfg.mail_retry_ms = 60000;
	assert_int_equal(outbox_run(env->core, &menv, &st, &more), ZEK_OK);
	assert_int_equal(st.retried, 1);
	assert_int_equal(st.sent + st.failed, 0);
	assert_false(more);
	m = get(id);
	assert_string_equal(m->state, "pending");
	assert_int_equal(m->attempts, 1);
	assert_string_not_equal(m->last_error, "");
	assert_string_equal(m->claimed_by, "");
	assert_true(m->next_attempt_at >= now + 60000);
	assert_true(m->next_attempt_at <= core_now_ms() + 60000);
	/* Rendered once and kept, so every retry sends the same bytes. */
	assert_non_null(strstr(m->raw, "Message-ID: <zek.ZEK-3.1."));
	mt_assert_wellformed(m->raw);
	/* Not due again before the back-off ends. */
	memset(&st, 0, sizeof(st));
	assert_int_equal(outbox_run(env->core, &menv, &st, &more), ZEK_OK);
	assert_int_equal(st.retried + st.sent + st.failed + st.busy, 0);
	assert_int_equal(get(id)->attempts, 1);
}

/* zek serve stopping: the worker sends no further mail of its batch; the
 * claimed ones wait for their claim to lapse, untouched. */
static void
test_worker_stops_between_mails(void **state)
{
	struct outbox_stats st = { 0 };
	int64_t id = enqueue(NOTIFY_CREATED, core_now_ms());
	atomic_bool stop = true;
	struct mail_env stopping = menv;
	bool more = true;

	stopping.stop = &stop;
	assert_int_equal(outbox_run(env->core, &stopping, &st, &more), ZEK_OK);
	assert_int_equal(st.retried + st.sent + st.failed + st.busy, 0);
	assert_false(more);
	assert_string_equal(get(id)->state, "pending");
	assert_int_equal(get(id)->attempts, 1);     /* the claim counted */
	/* Without the flag the same worker gets to it (once the claim
	 * lapsed: not before). */
	atomic_store(&stop, false);
	assert_int_equal(outbox_run(env->core, &stopping, &st, &more), ZEK_OK);
	assert_int_equal(st.retried + st.sent + st.failed, 0);
}

static void
test_worker_gives_up_after_expiry(void **state)
{
	struct outbox_stats st = { 0 };
	int64_t old = core_now_ms() - env->cfg.mail_expire_ms - 1000;
	int64_t id = enqueue(NOTIFY_CREATED, old);
	bool more;

	assert_int_equal(outbox_run(env->core, &menv, &st, &more), ZEK_OK);
	assert_int_equal(st.failed, 1);
	assert_string_equal(get(id)->state, "failed");
	assert_non_null(strstr(get(id)->last_error, "gave up after 1 attempts"));
}

static void
test_unrenderable_mail_fails_for_good(void **state)
{
	struct outbox_stats st = { 0 };
	int64_t id = enqueue("no_such_event", core_now_ms());
	bool more;

	assert_int_equal(outbox_run(env->core, &menv, &st, &more), ZEK_OK);
	assert_int_equal(st.failed, 1);
	assert_string_equal(get(id)->state, "failed");
	assert_non_null(strstr(get(id)->last_error, "cannot render"));
}

static void
test_without_smtp_url_mails_wait(void **state)
{
	struct outbox_stats st = { 0 };
	int64_t id = enqueue(NOTIFY_CREATED, core_now_ms());
	struct buf b;
	bool more;

	env->cfg.smtp_url = "";
	assert_int_equal(outbox_run(env->core, &menv, &st, &more), ZEK_OK);
	assert_int_equal(st.retried + st.sent + st.failed + st.busy, 0);
	assert_int_equal(get(id)->attempts, 0);
	/* `zek mail show` renders it without storing anything. */
	buf_init(&b, MAIL_MAX_BYTES);
	assert_int_equal(outbox_message(&env->ctx, &menv, id, &b), ZEK_OK);
	mt_assert_wellformed(b.data);
	assert_non_null(strstr(b.data, "Subject: [ZEK-3] Test"));
	assert_string_equal(get(id)->raw, "");
	buf_reset(&b);
	assert_int_equal(outbox_message(&env->ctx, &menv, 987654, &b),
	    ZEK_NOTFOUND);
	buf_free(&b);
	/* Out of the way of the next test. */
	assert_int_equal(store_outbox_claim(env->ctx.db, id, "T", core_now_ms(),
	    core_now_ms() + 1000), ZEK_OK);
	assert_int_equal(store_outbox_failed(env->ctx.db, id, "T", "test"),
	    ZEK_OK);
}

struct run {
	struct outbox_stats st;
	enum zek_rc rc;
};

/* No cmocka asserts off the main thread: the result is checked there. */
static void *
worker(void *arg)
{
	struct run *r = arg;
	bool more = true;

	while (r->rc == ZEK_OK && more)
		r->rc = outbox_run(env->core, &menv, &r->st, &more);
	store_conn_release(env->core->store);
	return NULL;
}

static void
test_two_workers_never_take_one_mail_twice(void **state)
{
	struct run a = { .rc = ZEK_OK }, b = { .rc = ZEK_OK };
	int64_t first = 0, id, now = core_now_ms();
	pthread_t ta, tb;
	int i;

	env->cfg.mail_retry_ms = 600000;
	for (i = 0; i < 30; i++) {
		id = enqueue(NOTIFY_CREATED, now);
		if (first == 0)
			first = id;
	}
	assert_int_equal(pthread_create(&ta, NULL, worker, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, worker, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	assert_int_equal(a.rc, ZEK_OK);
	assert_int_equal(b.rc, ZEK_OK);
	/* Each mail was attempted exactly once between the two. */
	assert_int_equal(a.st.retried + b.st.retried, 30);
	for (id = first; id < first + 30; id++)
		assert_int_equal(get(id)->attempts, 1);
}

/* A lease holds: a claimed mail is not claimed again until its claim
 * lapses, and the first holder then cannot renew what another took. */
static void
test_claimed_mail_is_not_claimed_again(void **state)
{
	struct store_conn *db = env->ctx.db;
	int64_t now = 3000000, id = enqueue(NOTIFY_CREATED, now), *ids;
	int64_t early, later, future;
	size_t n;

	assert_int_equal(store_outbox_claim_due(db, env->arena, "A", now,
	    now + 100, 10, &ids, &n), ZEK_OK);
	assert_int_equal(n, 1);
	assert_int_equal(ids[0], id);
	assert_int_equal(store_outbox_claim_due(db, env->arena, "B", now + 50,
	    now + 150, 10, &ids, &n), ZEK_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_outbox_claim_due(db, env->arena, "B", now + 100,
	    now + 150, 10, &ids, &n), ZEK_OK);
	assert_int_equal(n, 0);         /* lapses only after claimed_until */
	assert_int_equal(get(id)->attempts, 1);
	/* A lapsed claim nobody took is still its holder's to renew. */
	assert_int_equal(store_outbox_renew(db, id, "A", now + 300), ZEK_OK);
	assert_int_equal(store_outbox_claim_due(db, env->arena, "B", now + 200,
	    now + 400, 10, &ids, &n), ZEK_OK);
	assert_int_equal(n, 0);
	assert_int_equal(store_outbox_claim_due(db, env->arena, "B", now + 301,
	    now + 400, 10, &ids, &n), ZEK_OK);
	assert_int_equal(n, 1);
	assert_int_equal(get(id)->attempts, 2);
	assert_string_equal(get(id)->claimed_by, "B");
	assert_int_equal(store_outbox_renew(db, id, "A", now + 500),
	    ZEK_CONFLICT);
	assert_int_equal(store_outbox_sent(db, id, "B", now + 350, false), ZEK_OK);
	assert_int_equal(store_outbox_renew(db, id, "B", now + 500),
	    ZEK_CONFLICT);
	/* Oldest due first; not yet due stays. */
	later = enqueue(NOTIFY_CREATED, now + 20);
	early = enqueue(NOTIFY_CREATED, now + 10);
	future = enqueue(NOTIFY_CREATED, now + 100000);
	assert_int_equal(store_outbox_claim_due(db, env->arena, "C", now + 1000,
	    now + 2000, 10, &ids, &n), ZEK_OK);
	assert_int_equal(n, 2);
	assert_int_equal(ids[0], early);
	assert_int_equal(ids[1], later);
	assert_false(is_due(future, now + 1000));
	assert_int_equal(get(future)->attempts, 0);
}

#define CLAIM_MAILS 50

struct claimer {
	pthread_barrier_t *start;
	const char *token;
	int64_t now;
	int64_t ids[CLAIM_MAILS];
	size_t n;
	enum zek_rc rc;
};

/* Claims a few at a time until nothing is left, on its own connection. */
static void *
claimer(void *arg)
{
	struct claimer *x = arg;
	struct store_conn *c = store_conn(env->core->store);
	struct arena *a = arena_new(1 << 20);
	int64_t *ids;
	size_t i, n = 1;

	pthread_barrier_wait(x->start);
	x->rc = c != NULL && a != NULL ? ZEK_OK : ZEK_IO;
	while (x->rc == ZEK_OK && n > 0) {
		x->rc = store_outbox_claim_due(c, a, x->token, x->now,
		    x->now + 600000, 3, &ids, &n);
		for (i = 0; x->rc == ZEK_OK && i < n; i++) {
			if (x->n == CLAIM_MAILS)
				x->rc = ZEK_TOOBIG;
			else
				x->ids[x->n++] = ids[i];
		}
	}
	arena_free(a);
	store_conn_release(env->core->store);
	return NULL;
}

/* Two senders claiming at once from 50 due mails get disjoint sets that
 * together hold all 50 (SKIP LOCKED on PostgreSQL, the write lock on
 * SQLite). */
static void
test_concurrent_claims_are_disjoint(void **state)
{
	pthread_barrier_t start;
	struct claimer x[2] = {
		{ .start = &start, .token = "A", .now = 4000000 },
		{ .start = &start, .token = "B", .now = 4000000 },
	};
	bool seen[CLAIM_MAILS] = { false };
	int64_t first = 0, id;
	pthread_t th[2];
	size_t i, k;

	/* Only these 50 are due: earlier tests' mails are out of the way. */
	assert_int_equal(sq_exec(env->ctx.db, "UPDATE outbox SET state = "
	    "'failed' WHERE state = 'pending'", ""), ZEK_OK);
	for (i = 0; i < CLAIM_MAILS; i++) {
		id = enqueue(NOTIFY_CREATED, 3900000 + (int64_t)i);
		if (first == 0)
			first = id;
	}
	assert_int_equal(pthread_barrier_init(&start, NULL, 2), 0);
	for (k = 0; k < 2; k++)
		assert_int_equal(pthread_create(&th[k], NULL, claimer, &x[k]),
		    0);
	for (k = 0; k < 2; k++)
		pthread_join(th[k], NULL);
	pthread_barrier_destroy(&start);
	for (k = 0; k < 2; k++) {
		assert_int_equal(x[k].rc, ZEK_OK);
		for (i = 0; i < x[k].n; i++) {
			id = x[k].ids[i] - first;
			assert_true(id >= 0 && id < CLAIM_MAILS);
			assert_false(seen[id]);         /* nobody's twice */
			seen[id] = true;
			assert_string_equal(get(x[k].ids[i])->claimed_by,
			    x[k].token);
		}
	}
	assert_int_equal(x[0].n + x[1].n, CLAIM_MAILS);
	for (id = first; id < first + CLAIM_MAILS; id++)
		assert_int_equal(get(id)->attempts, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_insert_many_keeps_every_byte, reset),
		cmocka_unit_test_setup(test_claim_protocol, reset),
		cmocka_unit_test_setup(test_retry_and_failure_records, reset),
		cmocka_unit_test_setup(test_backoff_doubles_up_to_the_cap, reset),
		cmocka_unit_test_setup(test_worker_retries_when_the_server_is_down,
		    reset),
		cmocka_unit_test_setup(test_worker_gives_up_after_expiry, reset),
		cmocka_unit_test_setup(test_worker_stops_between_mails, reset),
		cmocka_unit_test_setup(test_unrenderable_mail_fails_for_good,
		    reset),
		cmocka_unit_test_setup(test_without_smtp_url_mails_wait, reset),
		cmocka_unit_test_setup(test_two_workers_never_take_one_mail_twice,
		    reset),
		cmocka_unit_test_setup(test_claimed_mail_is_not_claimed_again,
		    reset),
		cmocka_unit_test_setup(test_concurrent_claims_are_disjoint,
		    reset),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
