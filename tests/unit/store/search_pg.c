/* search_pg.c: the request list and the agents' queues answer the same on
 * PostgreSQL (pg_search.c) as on SQLite, row for row, for the demo data
 * and generated requests full of tricky words. Needs a PostgreSQL cluster:
 * ZEK_TEST_PG is its libpq URL (tests/pg/cluster start prints one);
 * skipped (77) without. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/ctx.h"
#include "core/demo.h"
#include "lib/arena.h"
#include "store/store.h"

#define NOW_MS 1767225600000LL  /* 2026-01-01: the same "now" for both */
#define NGEN 400                /* generated requests */
#define NCUST 12                /* generated customers */

struct side {
	const char *name;
	struct config cfg;
	struct core *core;
	struct arena *arena;
	struct zctx ctx;
};

static struct side lite = { .name = "sqlite" }, pg = { .name = "pg" };
static char tmpdir[64], dbfile[128], pgurl[512], pgname[64];
static int failures, printed;   /* differences; those shown this test */
static size_t nonempty;         /* reads that found rows (the test bites) */

/* ---- setup ---- */

static void
admin_exec(const char *sql)
{
	PGconn *db = PQconnectdb(getenv("ZEK_TEST_PG"));
	PGresult *res;

	assert_int_equal(PQstatus(db), CONNECTION_OK);
	res = PQexec(db, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(db));
	PQclear(res);
	PQfinish(db);
}

/* The cluster's URL with another database. */
static void
url_with_db(const char *base, const char *name, char *out, size_t n)
{
	const char *p = strstr(base, "://"), *slash, *query;

	slash = p != NULL ? strchr(p + 3, '/') : NULL;
	query = strchr(base, '?');
	snprintf(out, n, "%.*s/%s%s", slash != NULL ? (int)(slash - base) :
	    (int)strlen(base), base, name, query != NULL ? query : "");
}

static void
side_open(struct side *s, const char *db)
{
	const char *root = getenv("ZEK_SOURCE_ROOT");

	config_defaults(&s->cfg);
	s->cfg.db_path = db;
	s->cfg.root = root != NULL ? root : ZEK_SOURCE_ROOT;
	assert_int_equal(core_open(&s->cfg, &s->core), ZEK_OK);
	s->arena = arena_new(0);
	assert_non_null(s->arena);
	assert_int_equal(core_ctx_init(s->core, s->arena, &s->ctx), ZEK_OK);
	s->ctx.now_ms = NOW_MS;
}

/* A fresh arena for the next read (results of both sides are compared,
 * then dropped). */
static void
side_reset(struct side *s)
{
	arena_free(s->arena);
	s->arena = arena_new(0);
	assert_non_null(s->arena);
	assert_int_equal(core_ctx_init(s->core, s->arena, &s->ctx), ZEK_OK);
	s->ctx.now_ms = NOW_MS;
}

/* ---- generated data, the same on both sides ---- */

static uint64_t rng_state;

static uint32_t
rnd(uint32_t n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(rng_state >> 33) % n;
}

/* Words that unicode61 splits, folds or keeps in ways worth comparing. */
static const char *const vocab[] = {
	"Drucker", "St\xc3\xb6rung", "ST\xc3\x96RUNG", "stoerung",
	"Stra\xc3\x9f" "e", "Strasse", "Ma\xc3\x9f", "Masse", "\xc3\x86r\xc3\xb8",
	"\xc3\x98l", "\xc3\x85lesund", "na\xc3\xafve", "Caf\xc3\xa9",
	"\xc7\xa1" "b", "Konfigurationsdatei", "Konfigurationsdateien",
	"Konfigurationsdateiverwaltung", "ZEK-12", "zek-120", "ZEK 12",
	"e-mail", "E-Mail", "foo@bar.de", "http://example.org/pfad?x=1",
	"a_b", "1.5", "2024-01-31", "12", "120", "x", "y", "OR", "AND",
	"NOT", "NEAR", "\"quoted\"", "\xce\xa3\xce\x91\xce\xa3",
	"\xcf\x83\xce\xb1\xcf\x82", "\xc4\xb0stanbul", "istanbul",
	"\xef\xac\x81x", "\xe2\x91\xa0", "\xc2\xb2", "\xe2\x85\xab",
	"\xe6\x9d\xb1\xe4\xba\xac", "\xc2\xb5m", "\xc5\xbf",
	"\xe1\xba\x9e", "\xc4\xb2ssel", "o\xcc\x88" "ffnen",
	"\xc3\xb6" "ffnen", "\xc3\x96" "ffnungszeiten", "Anmeldung",
	"anmelden", "Antrag", "Antr\xc3\xa4ge", "Antraege", "Kennwort",
	"Passwort", "VPN", "vpn-zugang", "Zugang", "B\xc3\xbcrgeramt",
	"Buergeramt", "Online-Dienst", "Fehler", "Fehlermeldung", "x-y-z",
	"a1b2", "3D", "k8s", "IPv6",
	"\xce\xb4\xce\xbf\xce\xba\xce\xb9\xce\xbc\xce\xae",
	"\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82",
	"\xd1\x91\xd0\xbb\xd0\xba\xd0\xb0", "\xd0\xb5\xd0\xbb\xd0\xba\xd0\xb0",
	"'apostroph'", "back\\slash", "tab\tulator", "(klammer)",
	"x*", "*", "-", "--", "\xc2\xa0nbsp", "\xe3\x80\x80" "ideo",
};

static const char *const statuses[] = { "offen", "wartet_support",
	"in_bearbeitung", "wartet_kunde", "geschlossen" };

static int64_t cust[NCUST], orgs[4];
static int64_t staff[4];
static size_t nstaff;
static int64_t desk_id, type_ids[4];
static size_t ntypes;

static char *
gen_text(struct arena *a, size_t words)
{
	char buf[2048];
	size_t len = 0, i;

	buf[0] = '\0';
	for (i = 0; i < words; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
		    i > 0 ? (rnd(5) == 0 ? ", " : " ") : "",
		    vocab[rnd(ZEK_ARRAY_LEN(vocab))]);
	return arena_strdup(a, buf);
}

/* What the demo made: a desk, its types, its agents. */
static void
learn_demo(struct side *s)
{
	struct store_list_query q = { .see_all = true, .limit = 1000 };
	struct store_list_row *rows;
	struct store_user *u;
	size_t n, i, j;
	int64_t total;
	bool capped;

	assert_int_equal(store_requests_list(s->ctx.db, s->arena, &q, &rows, &n,
	    &total, &capped), ZEK_OK);
	assert_true(n > 0);
	desk_id = rows[0].desk_id;
	for (i = 0; i < n && ntypes < ZEK_ARRAY_LEN(type_ids); i++) {
		for (j = 0; j < ntypes && type_ids[j] != rows[i].type_id; j++)
			;
		if (j == ntypes && rows[i].desk_id == desk_id)
			type_ids[ntypes++] = rows[i].type_id;
	}
	assert_int_equal(store_staff_list(s->ctx.db, s->arena, 4, &u, &n),
	    ZEK_OK);
	for (nstaff = 0; nstaff < n; nstaff++)
		staff[nstaff] = u[nstaff].id;
}

static void
gen_people(struct side *s)
{
	char email[64], name[64];
	int64_t id;
	size_t i;

	for (i = 0; i < ZEK_ARRAY_LEN(orgs); i++) {
		snprintf(name, sizeof(name), "Generierte Org %zu", i);
		assert_int_equal(store_org_ensure(s->ctx.db, name, &orgs[i]),
		    ZEK_OK);
	}
	for (i = 0; i < NCUST; i++) {
		snprintf(email, sizeof(email), "gen%zu@example.org", i);
		snprintf(name, sizeof(name), "Gen Kunde %zu", i);
		assert_int_equal(store_user_insert(s->ctx.db, &(struct store_user){
		    .email = email, .name = name, .password_hash = "",
		    .role = "customer", .lang = "de", .tz = "Europe/Berlin",
		    .notify = true, .created_at = NOW_MS }, &id), ZEK_OK);
		cust[i] = id;
		if (i % 3 != 2)
			assert_int_equal(store_user_org_add(s->ctx.db, id,
			    orgs[i % ZEK_ARRAY_LEN(orgs)]), ZEK_OK);
		if (i % 4 == 0)
			assert_int_equal(store_user_org_add(s->ctx.db, id,
			    orgs[(i + 1) % ZEK_ARRAY_LEN(orgs)]), ZEK_OK);
	}
}

static void
gen_requests(struct side *s)
{
	struct store_request r;
	char key[32];
	int64_t id, at;
	size_t i;

	rng_state = 42;
	for (i = 0; i < NGEN; i++) {
		side_reset(s);
		/* Mostly in id order, some imported (older), some at the same
		 * millisecond, so that id breaks ties. */
		at = NOW_MS - 1000000000LL + (int64_t)i * 1000;
		if (rnd(6) == 0)
			at -= (int64_t)rnd(500000) * 1000;
		if (rnd(8) == 0)
			at = NOW_MS - 1000000000LL + 77000;
		snprintf(key, sizeof(key), "ZEK-%zu", 1000 + i);
		r = (struct store_request){ .desk_id = desk_id,
			.number = 1000 + (int64_t)i, .key = key,
			.type_id = type_ids[rnd((uint32_t)ntypes)],
			.reporter_id = cust[rnd(NCUST)],
			.status = statuses[rnd(5)], .resolution = "",
			.title = gen_text(s->arena, 1 + rnd(5)),
			.created_at = at, .updated_at = at + rnd(100) * 60000 };
		r.creator_id = rnd(5) == 0 ? cust[rnd(NCUST)] : r.reporter_id;
		if (strcmp(r.status, "geschlossen") == 0)
			r.resolution = "geloest";
		assert_int_equal(store_request_insert(s->ctx.db, &r, &id), ZEK_OK);
		if (rnd(4) != 0)
			assert_int_equal(store_value_insert(s->ctx.db, id,
			    "description", 0, gen_text(s->arena, rnd(30))), ZEK_OK);
		if (rnd(10) == 0)       /* only the first description counts */
			assert_int_equal(store_value_insert(s->ctx.db, id,
			    "description", 1, gen_text(s->arena, 3)), ZEK_OK);
		if (rnd(3) == 0)
			assert_int_equal(store_participant_add(s->ctx.db, id,
			    cust[rnd(NCUST)]), ZEK_OK);
		if (rnd(4) == 0)
			assert_int_equal(store_request_share_org(s->ctx.db, id,
			    orgs[rnd(ZEK_ARRAY_LEN(orgs))], r.updated_at), ZEK_OK);
		if (nstaff > 0 && rnd(2) == 0)
			assert_int_equal(store_request_set_assignee(s->ctx.db, id,
			    staff[rnd((uint32_t)nstaff)], r.updated_at), ZEK_OK);
		/* an internal change later moved updated_at only */
		if (i % 3 == 0)
			assert_int_equal(store_request_touch(s->ctx.db, id,
			    r.updated_at + 60000, false), ZEK_OK);
	}
}

static void
build(struct side *s, const char *db)
{
	side_open(s, db);
	assert_int_equal(core_demo_load(&s->ctx), ZEK_OK);
	side_reset(s);
	ntypes = 0;
	learn_demo(s);
	gen_people(s);
	gen_requests(s);
	side_reset(s);
}

static int
setup(void **state)
{
	const char *base = getenv("ZEK_TEST_PG");

	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/zek-search-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(dbfile, sizeof(dbfile), "%s/zek.db", tmpdir);
	snprintf(pgname, sizeof(pgname), "zek_search_%d", (int)getpid());
	url_with_db(base, pgname, pgurl, sizeof(pgurl));
	{
		char sql[128];

		snprintf(sql, sizeof(sql), "CREATE DATABASE %s", pgname);
		admin_exec(sql);
	}
	build(&lite, dbfile);
	build(&pg, pgurl);
	return 0;
}

static int
teardown(void **state)
{
	char sql[256];

	(void)state;
	arena_free(lite.arena);
	core_close(lite.core);
	arena_free(pg.arena);
	core_close(pg.core);
	unlink(dbfile);
	snprintf(sql, sizeof(sql), "%s-wal", dbfile);
	unlink(sql);
	snprintf(sql, sizeof(sql), "%s-shm", dbfile);
	unlink(sql);
	rmdir(tmpdir);
	snprintf(sql, sizeof(sql), "DROP DATABASE %s", pgname);
	admin_exec(sql);
	return 0;
}

/* ---- comparing ---- */

static void
note(const char *what, const char *terms, const char *fmt, ...)
{
	va_list ap;

	failures++;
	if (printed++ >= 400)
		return;
	fprintf(stderr, "DIFF %s [%s]: ", what, terms != NULL ? terms : "");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static bool
list_rows_equal(const struct store_list_row *x, const struct store_list_row *y)
{
	return x->id == y->id && strcmp(x->key, y->key) == 0 &&
	    strcmp(x->title, y->title) == 0 && strcmp(x->status, y->status) == 0 &&
	    x->type_id == y->type_id && x->desk_id == y->desk_id &&
	    x->reporter_id == y->reporter_id &&
	    strcmp(x->reporter_name, y->reporter_name) == 0 &&
	    x->created_at == y->created_at && x->updated_at == y->updated_at &&
	    x->customer_updated_at == y->customer_updated_at;
}

/* The value of row `r` in the order of q, for a cursor. */
static int64_t
cursor_value(const struct store_list_query *q, const struct store_list_row *r)
{
	if (!q->by_updated)
		return r->created_at;
	return q->see_all ? r->updated_at : r->customer_updated_at;
}

struct list_result {
	enum zek_rc rc;
	struct store_list_row *rows;
	size_t n;
	int64_t total;
	bool capped;
};

/* One list read on both sides; true when both answered alike. */
static bool
list_both(const struct store_list_query *q, struct list_result *l,
    struct list_result *p)
{
	size_t i;

	side_reset(&lite);
	side_reset(&pg);
	l->rc = store_requests_list(lite.ctx.db, lite.arena, q, &l->rows, &l->n,
	    &l->total, &l->capped);
	p->rc = store_requests_list(pg.ctx.db, pg.arena, q, &p->rows, &p->n,
	    &p->total, &p->capped);
	if (l->rc != p->rc || l->n != p->n || l->total != p->total ||
	    l->capped != p->capped) {
		note("list", q->terms, "by_updated %d who %d see_all %d viewer %lld nst %zu "
		    "type %lld cursor %d back %d limit %zu max %lld skip %d: "
		    "rc %s/%s n %zu/%zu total %lld/%lld capped %d/%d",
		    q->by_updated, q->who,
		    q->see_all, (long long)q->viewer_id, q->nstatuses,
		    (long long)q->type_id, q->has_cursor, q->backward, q->limit,
		    (long long)q->count_max, q->skip_count, zek_rc_name(l->rc),
		    zek_rc_name(p->rc), l->n, p->n, (long long)l->total,
		    (long long)p->total, l->capped, p->capped);
		return false;
	}
	nonempty += l->n > 0;
	for (i = 0; i < l->n; i++)
		if (!list_rows_equal(&l->rows[i], &p->rows[i])) {
			note("list row", q->terms, "row %zu: %s (%lld) / %s (%lld)",
			    i, l->rows[i].key, (long long)l->rows[i].id,
			    p->rows[i].key, (long long)p->rows[i].id);
			return false;
		}
	return true;
}

/* Every page of q forward from its start, and back from each page. */
static void
list_walk(struct store_list_query q, size_t pages)
{
	struct list_result l, p;
	struct store_list_query b;

	q.has_cursor = false;
	while (pages-- > 0 && list_both(&q, &l, &p) && l.n > 0) {
		if (q.has_cursor) {
			b = q;
			b.backward = true;
			b.cursor_at = cursor_value(&q, &l.rows[0]);
			b.cursor_id = l.rows[0].id;
			list_both(&b, &l, &p);
			list_both(&q, &l, &p);  /* read again: l, p are reset */
		}
		q.has_cursor = true;
		q.backward = false;
		q.cursor_at = cursor_value(&q, &l.rows[l.n - 1]);
		q.cursor_id = l.rows[l.n - 1].id;
	}
}

/* Search texts: the tricky ones, then words of the data. */
static const char *const tricky[] = {
	"", "  ", "\t", "st", "st\xc3\xb6", "stor", "St\xc3\xb6r", "STOR",
	"St\xc3\xb6rung", "storung", "stoerung", "kon", "konfigurationsd",
	"konfigurationsdatei", "konfigurationsdateien",
	"konfigurationsdateiverwaltung", "Konfigurationsdateienx",
	"konfiguratio", "konfiguration", "zek-1", "zek-12", "ZEK-120",
	"zek 12", "zek", "12", "120", "1", "1.5", "2024", "2024-01",
	"e-mail", "mail", "e", "foo@bar", "foo@bar.de", "bar.de",
	"example.org/pfad", "a", "x", "d", "!!!", "\"", "\"\"", "'", "-",
	"*", "foo OR bar", "drucker OR fehler", "NOT drucker", "drucker*",
	"(drucker)", "title:drucker", "{title}:drucker",
	"NEAR(drucker fehler)", "\"drucker\"", "dru\"cker", "\xc3\x9f",
	"ss", "strasse", "stra\xc3\x9f" "e", "stras", "stra\xc3\x9f",
	"ma\xc3\x9f", "ma", "\xc3\xa6r\xc3\xb8", "aero", "\xc3\xb8", "o",
	"\xc3\xa5lesund", "alesund", "\xc4\xb0st", "ist", "\xcf\x83\xce\xb1",
	"\xce\xa3\xce\x91\xce\xa3", "\xcf\x83\xce\xb1\xcf\x82", "\xef\xac\x81",
	"fi", "\xe2\x91\xa0", "\xc2\xb2", "2", "\xe6\x9d\xb1\xe4\xba\xac",
	"\xe6\x9d\xb1", "\xc2\xb5", "\xce\xbcm", "\xc5\xbf", "s",
	"\xe1\xba\x9e", "\xc4\xb3", "ij", "\xc3\xb6" "ffnen", "offnen",
	"o\xcc\x88" "ffnen", "\xc3\xb6", "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2",
	"\xd1\x91\xd0\xbb\xd0\xba\xd0\xb0", "\xd0\xb5\xd0\xbb\xd0\xba\xd0\xb0",
	"\xc7\xa1" "b", "ab", "a1b2", "a1", "3d", "k8s", "k8", "ipv6", "ipv",
	"vpn-zug", "online-dienst", "online-d", "x-y-z", "x-y", "y-z",
	"a_b", "a_", "apostroph", "'apostroph'", "back\\slash", "slash",
	"ulator", "klammer", "nbsp", "ideo", "drucker st\xc3\xb6rung",
	"st\xc3\xb6rung zek-12", "fehler fehlermeldung", "antr", "antrag",
	"antr\xc3\xa4", "b\xc3\xbcrger", "burger", "buergeramt",
	"a b c d e f g h i j k l m n o p q r", "x x x x x x x x x x x x x x x x x",
	"\xff", "abc\xc3", NULL,
};

/* Every thin-th text of tricky[]: the second pass, after ANALYZE, needs
 * common and rare words, not every form again. */
static size_t thin = 1;

static void
test_list(void **state)
{
	static const char *const open4[] = { "offen", "wartet_support",
		"in_bearbeitung", "wartet_kunde" };
	static const char *const closed1[] = { "geschlossen" };
	static const char *const offen1[] = { "offen" };
	static const char *const rest4[] = { "wartet_support", "in_bearbeitung",
		"wartet_kunde", "geschlossen" };
	struct { const char *const *in; size_t nin; const char *const *out;
		size_t nout; } sets[] = { { NULL, 0, NULL, 0 },
		{ open4, 4, closed1, 1 }, { closed1, 1, open4, 4 },
		{ offen1, 1, rest4, 4 } };
	char longterm[STORE_LIST_TERMS_MAX + 2];
	struct list_result l, p;
	struct store_list_query q;
	size_t t, s, w, v, ty, ncases = 0;
	int64_t viewers[3];

	(void)state;
	viewers[0] = cust[0];
	viewers[1] = cust[4];
	viewers[2] = cust[11];
	for (t = 0; t + 1 < ZEK_ARRAY_LEN(tricky); t += thin)
	for (s = 0; s < ZEK_ARRAY_LEN(sets); s++)
	for (w = 0; w < 4; w++)
	for (v = 0; v < (w == 0 ? 1 : ZEK_ARRAY_LEN(viewers)); v++)
	for (ty = 0; ty < 2; ty++) {
		q = (struct store_list_query){ .viewer_id = viewers[v],
			.see_all = w == 0, .who = w == 0 || w == 3 ?
			STORE_LIST_VISIBLE : w == 1 ? STORE_LIST_REPORTED :
			STORE_LIST_PARTICIPATING, .statuses = sets[s].in,
			.nstatuses = sets[s].nin, .not_statuses = sets[s].out,
			.nnot_statuses = sets[s].nout,
			.type_id = ty == 0 ? 0 : type_ids[0], .terms = tricky[t],
			/* 20: more hits than a page, all read at once */
			.limit = 7, .count_max = (t + s) % 3 == 0 ? 0 :
			    (t + s) % 3 == 1 ? 5 : 20,
			.skip_count = (t + w) % 5 == 4,
			.by_updated = (t + s + v) % 2 == 1 };
		list_both(&q, &l, &p);
		ncases++;
		if ((t % 7 == 0 || tricky[t][0] == '\0') && v == 0 && ty == 0)
			list_walk(q, 8);
	}
	/* Bad input: a limit, too long text. */
	memset(longterm, 'x', sizeof(longterm) - 1);
	longterm[sizeof(longterm) - 1] = '\0';
	q = (struct store_list_query){ .see_all = true, .terms = longterm,
		.limit = 5 };
	list_both(&q, &l, &p);
	q.terms = NULL;
	q.limit = 0;
	list_both(&q, &l, &p);
	q.limit = STORE_LIST_LIMIT_MAX + 1;
	list_both(&q, &l, &p);
	q.limit = STORE_LIST_LIMIT_MAX;
	list_walk(q, 3);
	q.limit = 1;
	list_walk(q, 30);
	q.by_updated = true;
	list_walk(q, 30);
	fprintf(stderr, "list: %zu queries (and pages) compared, %zu found "
	    "rows, %d differences\n", ncases, nonempty, failures);
	assert_int_equal(failures, 0);
	assert_true(nonempty > ncases / 4);
}

/* ---- queues ---- */

static bool
queue_rows_equal(const struct store_queue_row *x,
    const struct store_queue_row *y)
{
	return x->id == y->id && strcmp(x->key, y->key) == 0 &&
	    strcmp(x->title, y->title) == 0 && strcmp(x->status, y->status) == 0 &&
	    strcmp(x->resolution, y->resolution) == 0 &&
	    x->type_id == y->type_id && x->desk_id == y->desk_id &&
	    x->reporter_id == y->reporter_id &&
	    strcmp(x->reporter_name, y->reporter_name) == 0 &&
	    x->assignee_id == y->assignee_id &&
	    strcmp(x->assignee_name, y->assignee_name) == 0 &&
	    x->created_at == y->created_at && x->updated_at == y->updated_at &&
	    x->sla_due_at == y->sla_due_at &&
	    x->sla_due_goal_ms == y->sla_due_goal_ms &&
	    x->sla_breach_at == y->sla_breach_at;
}

/* One queue page on both sides; *last the last row (for the next cursor). */
static bool
queue_both(const struct store_queue_query *q, struct store_queue_row *last,
    size_t *n)
{
	struct store_queue_row *lr, *pr;
	enum zek_rc lrc, prc;
	size_t ln, pn, i;

	side_reset(&lite);
	side_reset(&pg);
	lrc = store_queue_page(lite.ctx.db, lite.arena, q, &lr, &ln);
	prc = store_queue_page(pg.ctx.db, pg.arena, q, &pr, &pn);
	*n = ln;
	if (lrc != prc || ln != pn) {
		note("queue", q->terms, "status %s mode %d assignee %lld since "
		    "%lld upd %d asc %d cursor %d limit %zu: rc %s/%s n %zu/%zu",
		    q->status != NULL ? q->status : "(null)", q->assignee,
		    (long long)q->assignee_id, (long long)q->updated_since,
		    (int)q->order, q->ascending, q->has_cursor, q->limit,
		    zek_rc_name(lrc), zek_rc_name(prc), ln, pn);
		return false;
	}
	nonempty += ln > 0;
	for (i = 0; i < ln; i++)
		if (!queue_rows_equal(&lr[i], &pr[i])) {
			note("queue row", q->terms, "row %zu: %s / %s", i, lr[i].key,
			    pr[i].key);
			return false;
		}
	if (ln > 0)
		*last = lr[ln - 1];
	return true;
}

static void
count_both(const struct store_queue_query *q, const char *const *st,
    size_t nst)
{
	int64_t lo = -1, po = -1;
	enum zek_rc lrc, prc;

	side_reset(&lite);
	side_reset(&pg);
	lrc = store_queue_count(lite.ctx.db, lite.arena, q, st, nst, &lo);
	prc = store_queue_count(pg.ctx.db, pg.arena, q, st, nst, &po);
	if (lrc != prc || lo != po)
		note("count", q->terms, "nst %zu first %s mode %d assignee %lld "
		    "since %lld max %lld: rc %s/%s count %lld/%lld", nst,
		    nst > 0 && st[0] != NULL ? st[0] : "-", q->assignee,
		    (long long)q->assignee_id, (long long)q->updated_since,
		    (long long)q->count_max, zek_rc_name(lrc), zek_rc_name(prc),
		    (long long)lo, (long long)po);
}

static void
queue_walk(struct store_queue_query q, size_t pages)
{
	struct store_queue_row last;
	size_t n;

	q.has_cursor = false;
	while (pages-- > 0 && queue_both(&q, &last, &n) && n > 0) {
		q.has_cursor = true;
		q.cursor_value = q.order == STORE_ORDER_UPDATED ? last.updated_at :
		    q.order == STORE_ORDER_SLA_DUE ? last.sla_due_at :
		    last.created_at;
		q.cursor_id = last.id;
	}
}

static void
test_queue(void **state)
{
	static const char *const open4[] = { "offen", "wartet_support",
		"in_bearbeitung", "wartet_kunde" };
	static const char *const bad[] = { "offen", "wartet-support" };
	static const char *const withnull[] = { "offen", NULL };
	struct store_queue_query q;
	size_t t, s, m, o, ncases = 0;
	int before = failures;

	(void)state;
	printed = 0;
	nonempty = 0;
	for (t = 0; t + 1 < ZEK_ARRAY_LEN(tricky); t += (t < 20 ? 1 : 3) * thin)
	for (s = 0; s < ZEK_ARRAY_LEN(statuses) + 1; s++)
	for (m = 0; m < 6; m++)
	for (o = 0; o < 6; o++) {
		/* The service-level order and the breached queue read the
		 * same forms as the others: every fourth text is enough. */
		if ((m == 5 || o >= 4) && t % 4 != 0)
			continue;
		q = (struct store_queue_query){
			.status = s < ZEK_ARRAY_LEN(statuses) ? statuses[s] :
			    "wartet-support",
			.assignee = m == 0 || m >= 4 ? STORE_ASSIGNEE_ANY :
			    m == 1 ? STORE_ASSIGNEE_NONE : STORE_ASSIGNEE_USER,
			.assignee_id = m == 2 ? staff[0] : m == 3 ? 0 : 0,
			.updated_since = m == 4 ? NOW_MS - 900000000LL : 0,
			.breached_by = m == 5 ? NOW_MS : 0,
			.terms = tricky[t], .order = (enum store_queue_order)(o / 2),
			.ascending = o % 2, .limit = 5,
			.count_max = t % 2 == 0 ? 3 : 0 };
		queue_walk(q, t % 5 == 0 ? 6 : 1);
		ncases++;
		if (o == 0 && s == 0) {
			count_both(&q, open4, 4);
			count_both(&q, statuses, 1);
			count_both(&q, statuses + 4, 1);
			count_both(&q, statuses + 1, 3);
			count_both(&q, bad, 2);
			count_both(&q, withnull, 2);
			count_both(&q, statuses, 0);
			count_both(&q, statuses, 5);
		}
	}
	/* Refused: no status, updated_since with an assignee, bad limits. */
	q = (struct store_queue_query){ .status = NULL, .limit = 5 };
	queue_walk(q, 1);
	q.status = "offen";
	q.assignee = STORE_ASSIGNEE_NONE;
	q.updated_since = 5;
	queue_walk(q, 1);
	count_both(&q, open4, 4);
	q.updated_since = 0;
	q.limit = 0;
	queue_walk(q, 1);
	q.limit = STORE_QUEUE_LIMIT_MAX + 1;
	queue_walk(q, 1);
	fprintf(stderr, "queue: %zu queries compared, %zu pages found rows, "
	    "%d differences\n", ncases, nonempty, failures - before);
	assert_int_equal(failures, before);
	assert_true(nonempty > ncases / 4);
}

/* ---- with the words' statistics ---- */

/* The first value `sql` returns on the test's PostgreSQL database. */
static long
pg_value(const char *sql)
{
	PGconn *db = PQconnectdb(pgurl);
	PGresult *res;
	long v = 0;

	assert_int_equal(PQstatus(db), CONNECTION_OK);
	res = PQexec(db, sql);
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		v = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	else if (PQresultStatus(res) != PGRES_COMMAND_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(db));
	PQclear(res);
	PQfinish(db);
	return v;
}

/*
 * Once ANALYZE has counted the words, pg_search.c tests common words
 * (20 % of the requests or more: COMMON_PPM) row by row and looks
 * rare ones up in the index (0023_search_common_own.sql). The rows must be
 * the same as SQLite's either way, and the words compared must include
 * both kinds.
 */
static void
test_analyzed(void **state)
{
	static const char share[] =
	    "SELECT count(*) FROM unnest(ARRAY['zek*', 'st*', 'a*', "
	    "'drucker*', 'konfigurationsdateiverwaltung*', 'ipv6.']) w "
	    "WHERE zek_search_share(zek_search_query(w)) ";

	char sql[512];

	pg_value("ANALYZE request_search");
	snprintf(sql, sizeof(sql), "%s>= 0.2", share);
	assert_true(pg_value(sql) >= 2);
	snprintf(sql, sizeof(sql), "%s< 0.2", share);
	assert_true(pg_value(sql) >= 2);
	printed = 0;
	nonempty = 0;
	thin = 3;
	test_list(state);
	test_queue(state);
}

/* 1 when `sql` (a boolean) is true on the test's PostgreSQL database. */
static long
pg_true(const char *sql)
{
	char q[1024];

	snprintf(q, sizeof(q), "SELECT (%s)::int", sql);
	return pg_value(q);
}

/*
 * A prefix that starts 1 to 16 words is asked as those words, one that
 * starts none or more stays a prefix (0029_search_lexicon_own.sql), and
 * test_list compares the rows with SQLite's either way. Here: that both
 * happen, and that the lexicon holds every word of every search row, also
 * of a title changed later (the search row's UPDATE).
 */
static void
test_lexicon(void **state)
{
	struct store_list_query q = { .see_all = true, .limit = 10,
		.terms = "quokkaflug" };
	struct store_list_row *rows;
	int64_t total;
	size_t n;
	bool capped;

	(void)state;
	assert_int_equal(pg_true("zek_search_exact(zek_search_query("
	                         "'konfigurationsdatei*'))::text = "
	                         "'''konfigurationsdatei'' | "
	                         "''konfigurationsdateien'' | "
	                         "''konfigurationsdateiverwaltung'''"),
	    1);
	assert_int_equal(pg_true("zek_search_exact(zek_search_query("
	                         "'zek-12* anmeld*'))::text = "
	                         "'''zek'' <-> ''12'':* & "
	                         "( ''anmelden'' | ''anmeldung'' )'"),
	    1);
	assert_int_equal(pg_true("zek_search_exact(zek_search_query("
	                         "'quokkaflug*'))::text = '''quokkaflug'':*'"),
	    1);
	side_reset(&pg);
	assert_int_equal(store_request_set_type_title(pg.ctx.db, 1, type_ids[0],
	    "Quokkaflugschein verloren"), ZEK_OK);
	assert_int_equal(pg_true("zek_search_exact(zek_search_query("
	                         "'quokkaflug*'))::text = "
	                         "'''quokkaflugschein'''"),
	    1);
	assert_int_equal(store_requests_list(pg.ctx.db, pg.arena, &q, &rows, &n,
	    &total, &capped), ZEK_OK);
	assert_int_equal(n, 1);
	assert_int_equal(rows[0].id, 1);
	assert_int_equal(pg_true("NOT EXISTS (SELECT 1 FROM request_search s, "
	                         "unnest(tsvector_to_array(s.doc)) w(word) "
	                         "WHERE NOT EXISTS (SELECT 1 FROM "
	                         "search_lexicon l WHERE l.word = w.word))"),
	    1);
}

/*
 * A request that is not closed carries the facet `so`, which a customer's
 * search among open statuses asks for with what they may see
 * (0030_search_open_facet_own.sql); closing and reopening move it.
 * test_list compares those lists with SQLite's.
 */
static void
test_open_facet(void **state)
{
	(void)state;
	assert_int_equal(pg_true("zek_search_status_facet(ARRAY['offen', "
	                         "'wartet_kunde', NULL]) = 'so'::tsquery"),
	    1);
	assert_int_equal(pg_true("zek_search_status_facet(ARRAY['offen', "
	                         "'geschlossen']) IS NULL"),
	    1);
	assert_int_equal(pg_true("zek_search_status_facet(ARRAY[NULL, "
	                         "NULL]::text[]) IS NULL"),
	    1);
	side_reset(&pg);
	assert_int_equal(store_request_set_status(pg.ctx.db, 2, "geschlossen",
	                     "geloest", NOW_MS),
	    ZEK_OK);
	assert_int_equal(pg_true("(SELECT facets @@ 'so' FROM request_search "
	                         "WHERE id = 2) = false"),
	    1);
	assert_int_equal(store_request_set_status(pg.ctx.db, 2, "offen", "",
	                     NOW_MS),
	    ZEK_OK);
	assert_int_equal(pg_true("(SELECT facets @@ 'so' FROM request_search "
	                         "WHERE id = 2)"),
	    1);
	assert_int_equal(pg_true("NOT EXISTS (SELECT 1 FROM request_search s "
	                         "JOIN requests r ON r.id = s.id WHERE "
	                         "(s.facets @@ 'so') <> "
	                         "(r.status <> 'geschlossen'))"),
	    1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list),
		cmocka_unit_test(test_queue),
		cmocka_unit_test(test_analyzed),
		cmocka_unit_test(test_lexicon),
		cmocka_unit_test(test_open_facet),
	};
	const char *url = getenv("ZEK_TEST_PG");

	if (url == NULL || url[0] == '\0') {
		printf("ZEK_TEST_PG is not set: no PostgreSQL cluster\n");
		return 77;
	}
	return cmocka_run_group_tests(tests, setup, teardown);
}
