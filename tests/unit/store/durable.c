/* Unit tests for the speed parts of store/sqlite.c: group commit (every
 * acknowledged commit has a log sync that began after it), the deferred
 * scope's tickets, the scope's shared read transaction, kept results. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/arena.h"
#include "store/sqlite_int.h"
#include "store/store.h"

/* ---- a VFS that counts syncs of the write-ahead log ---- */

struct shim_file {
	sqlite3_file base;
	sqlite3_file *real;     /* follows this struct */
	bool wal;
	bool main_db;
};

static sqlite3_vfs *real_vfs;
static sqlite3_vfs shim_vfs;
static sqlite3_io_methods shim_io;
/* Each write to the log gets a number; a sync that ends makes durable
 * every write numbered up to the last one made before it began. A
 * commit's frames are written by the committing thread. */
static atomic_long log_writes;
static atomic_long durable_upto;
static atomic_long syncs_begun;
static atomic_int sync_delay_us;
/* Syncs of the database file (checkpoints), and how slow they are. */
static atomic_long db_syncs_begun;
static atomic_int db_sync_delay_us;
static _Thread_local long my_last_write;

#define REAL(f) (((struct shim_file *)(void *)(f))->real)

static int
shim_close(sqlite3_file *f)
{
	return REAL(f)->pMethods->xClose(REAL(f));
}

static int
shim_read(sqlite3_file *f, void *p, int n, sqlite3_int64 off)
{
	return REAL(f)->pMethods->xRead(REAL(f), p, n, off);
}

static int
shim_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
	struct shim_file *sf = (struct shim_file *)(void *)f;
	int rc = sf->real->pMethods->xWrite(sf->real, p, n, off);

	if (sf->wal)
		my_last_write = atomic_fetch_add(&log_writes, 1) + 1;
	return rc;
}

static int
shim_truncate(sqlite3_file *f, sqlite3_int64 n)
{
	return REAL(f)->pMethods->xTruncate(REAL(f), n);
}

static int
shim_sync(sqlite3_file *f, int flags)
{
	struct shim_file *sf = (struct shim_file *)(void *)f;
	long upto = 0, seen;
	int rc;

	if (sf->wal) {
		atomic_fetch_add(&syncs_begun, 1);
		upto = atomic_load(&log_writes);
	}
	if (sf->wal && atomic_load(&sync_delay_us) > 0)
		usleep((useconds_t)atomic_load(&sync_delay_us));
	if (!sf->wal && sf->main_db) {
		atomic_fetch_add(&db_syncs_begun, 1);
		if (atomic_load(&db_sync_delay_us) > 0)
			usleep((useconds_t)atomic_load(&db_sync_delay_us));
	}
	rc = sf->real->pMethods->xSync(sf->real, flags);
	if (sf->wal && rc == SQLITE_OK) {
		seen = atomic_load(&durable_upto);
		while (seen < upto &&
		    !atomic_compare_exchange_weak(&durable_upto, &seen, upto))
			;
	}
	return rc;
}

static int
shim_size(sqlite3_file *f, sqlite3_int64 *n)
{
	return REAL(f)->pMethods->xFileSize(REAL(f), n);
}

static int
shim_lock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xLock(REAL(f), l);
}

static int
shim_unlock(sqlite3_file *f, int l)
{
	return REAL(f)->pMethods->xUnlock(REAL(f), l);
}

static int
shim_reserved(sqlite3_file *f, int *out)
{
	return REAL(f)->pMethods->xCheckReservedLock(REAL(f), out);
}

static int
shim_fcntl(sqlite3_file *f, int op, void *arg)
{
	return REAL(f)->pMethods->xFileControl(REAL(f), op, arg);
}

static int
shim_sector(sqlite3_file *f)
{
	return REAL(f)->pMethods->xSectorSize(REAL(f));
}

static int
shim_devchar(sqlite3_file *f)
{
	return REAL(f)->pMethods->xDeviceCharacteristics(REAL(f));
}

static int
shim_shm_map(sqlite3_file *f, int pg, int sz, int extend, void volatile **p)
{
	return REAL(f)->pMethods->xShmMap(REAL(f), pg, sz, extend, p);
}

static int
shim_shm_lock(sqlite3_file *f, int off, int n, int flags)
{
	return REAL(f)->pMethods->xShmLock(REAL(f), off, n, flags);
}

static void
shim_shm_barrier(sqlite3_file *f)
{
	REAL(f)->pMethods->xShmBarrier(REAL(f));
}

static int
shim_shm_unmap(sqlite3_file *f, int del)
{
	return REAL(f)->pMethods->xShmUnmap(REAL(f), del);
}

static int
shim_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **pp)
{
	return REAL(f)->pMethods->xFetch(REAL(f), off, n, pp);
}

static int
shim_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
	return REAL(f)->pMethods->xUnfetch(REAL(f), off, p);
}

static int
shim_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *f, int flags,
    int *out_flags)
{
	struct shim_file *sf = (struct shim_file *)(void *)f;
	int rc;

	(void)vfs;
	sf->real = (sqlite3_file *)(void *)(sf + 1);
	sf->wal = (flags & SQLITE_OPEN_WAL) != 0;
	sf->main_db = (flags & SQLITE_OPEN_MAIN_DB) != 0;
	rc = real_vfs->xOpen(real_vfs, name, sf->real, flags, out_flags);
	sf->base.pMethods = sf->real->pMethods != NULL ? &shim_io : NULL;
	return rc;
}

static void
shim_install(void)
{
	real_vfs = sqlite3_vfs_find(NULL);
	assert_non_null(real_vfs);
	shim_vfs = *real_vfs;
	shim_vfs.zName = "zek-test-shim";
	shim_vfs.szOsFile = (int)sizeof(struct shim_file) + real_vfs->szOsFile;
	shim_vfs.xOpen = shim_open;
	shim_vfs.pNext = NULL;
	shim_io = (sqlite3_io_methods){ .iVersion = 3, .xClose = shim_close,
		.xRead = shim_read, .xWrite = shim_write, .xTruncate = shim_truncate,
		.xSync = shim_sync, .xFileSize = shim_size, .xLock = shim_lock,
		.xUnlock = shim_unlock, .xCheckReservedLock = shim_reserved,
		.xFileControl = shim_fcntl, .xSectorSize = shim_sector,
		.xDeviceCharacteristics = shim_devchar, .xShmMap = shim_shm_map,
		.xShmLock = shim_shm_lock, .xShmBarrier = shim_shm_barrier,
		.xShmUnmap = shim_shm_unmap, .xFetch = shim_fetch,
		.xUnfetch = shim_unfetch };
	assert_int_equal(sqlite3_vfs_register(&shim_vfs, 1), SQLITE_OK);
}

/* ---- fixture ---- */

static char dir[64];
static char path[128];
static struct store *st;

static int
setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/zek-durable-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/zek.db", dir);
	atomic_store(&sync_delay_us, 0);
	atomic_store(&db_sync_delay_us, 0);
	assert_int_equal(store_open(path, &st), ZEK_OK);
	assert_int_equal(sq_exec_sql(store_conn(st),
	    "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)"), ZEK_OK);
	return 0;
}

static int
teardown(void **state)
{
	char p[200];

	store_close(st);
	st = NULL;
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
	unlink(path);
	rmdir(dir);
	return 0;
}

/* ---- group commit ---- */

struct writer {
	int n;                  /* commits to make */
	int acked, early;       /* called back; before a covering sync */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int pending;
};

struct ack {
	struct writer *w;
	long need;              /* the commit's last log write */
};

static void
on_durable(void *arg, int rc)
{
	struct ack *a = arg;
	struct writer *w = a->w;

	pthread_mutex_lock(&w->lock);
	if (rc != ZEK_OK || atomic_load(&durable_upto) < a->need)
		w->early++;
	w->acked++;
	w->pending--;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->lock);
	free(a);
}

/* Commits like the HTTP server: a deferred scope, then a call back. */
static void *
deferred_writer(void *p)
{
	struct writer *w = p;
	struct store_conn *c = store_conn(st);
	uint64_t ticket;
	struct ack *a;
	int i, rc;

	for (i = 0; i < w->n; i++) {
		store_scope_begin(c);
		store_scope_defer(c);
		assert_int_equal(sq_exec(c, "INSERT INTO t (v) VALUES (?)", "i",
		    (int64_t)i), ZEK_OK);
		assert_int_equal(store_scope_end(c, true), ZEK_OK);
		ticket = store_scope_ticket(c);
		assert_true(ticket > 0);
		a = malloc(sizeof(*a));
		assert_non_null(a);
		a->w = w;
		a->need = my_last_write;
		pthread_mutex_lock(&w->lock);
		w->pending++;
		pthread_mutex_unlock(&w->lock);
		rc = store_durable_notify(st, ticket, on_durable, a);
		if (rc != ZEK_OK) {
			assert_int_equal(rc, ZEK_NOTFOUND);
			on_durable(a, ZEK_OK);
		}
	}
	store_conn_release(st);
	return NULL;
}

/* Commits like a command: store_begin/store_commit, which returns once
 * the commit is on disk. */
static void *
blocking_writer(void *p)
{
	struct writer *w = p;
	struct store_conn *c = store_conn(st);
	int i;

	for (i = 0; i < w->n; i++) {
		assert_int_equal(store_begin(c), ZEK_OK);
		assert_int_equal(sq_exec(c, "INSERT INTO t (v) VALUES (?)", "i",
		    (int64_t)i), ZEK_OK);
		assert_int_equal(store_commit(c), ZEK_OK);
		pthread_mutex_lock(&w->lock);
		if (atomic_load(&durable_upto) < my_last_write)
			w->early++;
		w->acked++;
		pthread_mutex_unlock(&w->lock);
	}
	store_conn_release(st);
	return NULL;
}

static void
run_writers(void *(*fn)(void *), int threads, int per_thread)
{
	struct writer w = { .n = per_thread };
	pthread_t th[16];
	int64_t rows;
	long before = atomic_load(&syncs_begun);
	int i;

	pthread_mutex_init(&w.lock, NULL);
	pthread_cond_init(&w.cond, NULL);
	atomic_store(&sync_delay_us, 2000);     /* a slow disk: commits queue */
	for (i = 0; i < threads; i++)
		assert_int_equal(pthread_create(&th[i], NULL, fn, &w), 0);
	for (i = 0; i < threads; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_lock(&w.lock);
	while (w.pending > 0)
		pthread_cond_wait(&w.cond, &w.lock);
	pthread_mutex_unlock(&w.lock);
	atomic_store(&sync_delay_us, 0);
	assert_int_equal(w.acked, threads * per_thread);
	assert_int_equal(w.early, 0);
	/* Commits shared syncs. */
	if (atomic_load(&syncs_begun) - before >= threads * per_thread)
		fail_msg("%ld syncs for %d commits", atomic_load(&syncs_begun) - before,
		    threads * per_thread);
	assert_int_equal(sq_query_i64(store_conn(st), &rows,
	    "SELECT count(*) FROM t", ""), ZEK_OK);
	assert_int_equal(rows, threads * per_thread);
	sq_exec_sql(store_conn(st), "DELETE FROM t");
	pthread_mutex_destroy(&w.lock);
	pthread_cond_destroy(&w.cond);
}

static void
test_group_commit_deferred(void **state)
{
	run_writers(deferred_writer, 8, 25);
}

static void
test_group_commit_blocking(void **state)
{
	run_writers(blocking_writer, 8, 25);
}

/* A scope that wrote nothing has no ticket; a rolled back one neither. */
static void
test_tickets(void **state)
{
	struct store_conn *c = store_conn(st);
	int64_t n;

	store_scope_begin(c);
	store_scope_defer(c);
	assert_int_equal(sq_query_i64(c, &n, "SELECT count(*) FROM t", ""), ZEK_OK);
	assert_int_equal(store_scope_end(c, true), ZEK_OK);
	assert_int_equal(store_scope_ticket(c), 0);

	store_scope_begin(c);
	store_scope_defer(c);
	assert_int_equal(sq_exec(c, "INSERT INTO t (v) VALUES (1)", ""), ZEK_OK);
	assert_int_equal(store_scope_end(c, false), ZEK_OK);
	assert_int_equal(store_scope_ticket(c), 0);
	assert_int_equal(sq_query_i64(c, &n, "SELECT count(*) FROM t", ""), ZEK_OK);
	assert_int_equal(n, 0);

	/* Not deferred: the scope's end waits itself. */
	store_scope_begin(c);
	assert_int_equal(sq_exec(c, "INSERT INTO t (v) VALUES (1)", ""), ZEK_OK);
	assert_int_equal(store_scope_end(c, true), ZEK_OK);
	assert_int_equal(store_scope_ticket(c), 0);
	assert_int_equal(store_durable_wait(st, 0), ZEK_OK);
	assert_int_equal(store_durable_notify(st, 0, NULL, NULL), ZEK_NOTFOUND);
}

/* ---- checkpoints (issue 22) ---- */

static int64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

struct timed_ack {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool done;
	int rc;
};

static void
on_timed_ack(void *arg, int rc)
{
	struct timed_ack *t = arg;

	pthread_mutex_lock(&t->lock);
	t->done = true;
	t->rc = rc;
	pthread_cond_signal(&t->cond);
	pthread_mutex_unlock(&t->lock);
}

/* One deferred commit like the HTTP server's; returns the milliseconds
 * until it was known to be on disk. */
static int64_t
deferred_commit_ms(struct store_conn *c)
{
	struct timed_ack t = { .done = false };
	int64_t t0 = mono_ms();
	uint64_t ticket;
	int rc;

	pthread_mutex_init(&t.lock, NULL);
	pthread_cond_init(&t.cond, NULL);
	store_scope_begin(c);
	store_scope_defer(c);
	assert_int_equal(sq_exec(c, "INSERT INTO t (v) VALUES (1)", ""), ZEK_OK);
	assert_int_equal(store_scope_end(c, true), ZEK_OK);
	ticket = store_scope_ticket(c);
	rc = store_durable_notify(st, ticket, on_timed_ack, &t);
	if (rc == ZEK_NOTFOUND)
		on_timed_ack(&t, ZEK_OK);
	else
		assert_int_equal(rc, ZEK_OK);
	pthread_mutex_lock(&t.lock);
	while (!t.done)
		pthread_cond_wait(&t.cond, &t.lock);
	pthread_mutex_unlock(&t.lock);
	assert_int_equal(t.rc, ZEK_OK);
	pthread_mutex_destroy(&t.lock);
	pthread_cond_destroy(&t.cond);
	return mono_ms() - t0;
}

/* A checkpoint whose sync of the database takes a second (a large
 * database on a busy disk) does not hold up the commits made meanwhile:
 * they are on disk and answered within milliseconds, as without it. */
static void
test_slow_checkpoint_holds_up_no_commit(void **state)
{
	struct store_conn *c = store_conn(st);
	long before;
	int64_t ms, worst = 0, t0;
	int i;

	(void)deferred_commit_ms(c);    /* the sync thread runs */
	atomic_store(&db_sync_delay_us, 1000000);
	before = atomic_load(&db_syncs_begun);
	/* Over 1,000 pages of log in one commit: a checkpoint is due. */
	assert_int_equal(sq_exec_sql(c, "CREATE TABLE big (b BLOB)"), ZEK_OK);
	assert_int_equal(sq_exec(c, "INSERT INTO big VALUES (randomblob(6000000))",
	    ""), ZEK_OK);
	t0 = mono_ms();
	while (atomic_load(&db_syncs_begun) == before && mono_ms() - t0 < 5000)
		usleep(1000);
	assert_true(atomic_load(&db_syncs_begun) > before);
	/* The checkpoint is in its slow sync now. */
	for (i = 0; i < 5; i++) {
		ms = deferred_commit_ms(c);
		if (ms > worst)
			worst = ms;
	}
	atomic_store(&db_sync_delay_us, 0);
	if (worst >= 500)
		fail_msg("a commit waited %lld ms behind a checkpoint",
		    (long long)worst);
}

static long long
wal_bytes(void)
{
	char p[200];
	struct stat sb;

	snprintf(p, sizeof(p), "%s-wal", path);
	return stat(p, &sb) == 0 ? (long long)sb.st_size : -1;
}

/* Once nobody writes for a while, the log file is emptied (TRUNCATE). */
static void
test_idle_log_is_emptied(void **state)
{
	struct store_conn *c = store_conn(st);
	int64_t t0;
	int i;

	for (i = 0; i < 20; i++)
		(void)deferred_commit_ms(c);
	assert_true(wal_bytes() > 0);
	t0 = mono_ms();
	while (wal_bytes() != 0 && mono_ms() - t0 < 10000)
		usleep(20000);
	assert_int_equal(wal_bytes(), 0);
	/* Nothing was lost, and writing goes on. */
	(void)deferred_commit_ms(c);
	assert_true(wal_bytes() > 0);
}

/* Under steady writes the log starts over instead of growing by every
 * commit (checkpoint_catch_up; RESTART_FRAMES there is 8,000 frames):
 * 400 commits of about 100 pages each, 165 MB of log in all, leave a
 * log file far shorter than that. Before, the next commit had always
 * begun before the checkpoint finished, and the file took every frame. */
static void
test_log_starts_over_under_steady_writes(void **state)
{
	struct store_conn *c = store_conn(st);
	long long most = 0, now;
	int i;

	assert_int_equal(sq_exec_sql(c, "CREATE TABLE big (b BLOB)"), ZEK_OK);
	for (i = 0; i < 400; i++) {
		store_scope_begin(c);
		assert_int_equal(sq_exec(c, "DELETE FROM big", ""), ZEK_OK);
		assert_int_equal(sq_exec(c, "INSERT INTO big VALUES "
		    "(randomblob(400000))", ""), ZEK_OK);
		assert_int_equal(store_scope_end(c, true), ZEK_OK);
		now = wal_bytes();
		if (now > most)
			most = now;
	}
	if (most > 3 * 8000 * 4120LL)
		fail_msg("the log grew to %lld bytes", most);
}

/* With phase timing on, a scope's statements, lock wait and commit are
 * measured; off, nothing is. */
static void
test_phases(void **state)
{
	struct store_conn *c = store_conn(st);
	struct store_phases p;

	store_phases_enable(true);
	(void)deferred_commit_ms(c);
	store_scope_phases(c, &p);
	assert_true(p.statements >= 1);
	assert_true(p.sql_ns > 0);
	assert_true(p.lock_ns > 0);
	assert_true(p.commit_ns > 0);
	store_phases_enable(false);
}

/* The search index is merged by the background thread while writes come
 * (migration 0016 took merging out of the writes): after 200 commits that
 * each added a segment, far fewer are left, and every word is found. */
static void
test_search_index_merged_apart(void **state)
{
	struct store_conn *c = store_conn(st);
	int64_t segments = 0, found, t0;
	int i;

	for (i = 1; i <= 200; i++)
		assert_int_equal(sq_exec(c, "INSERT INTO request_search (rowid, "
		    "issue_key, title, description, facets) VALUES (?, 'ZEK-1', "
		    "'Ausfall Online-Dienst', 'Formular meldet Fehler', '')", "i",
		    (int64_t)i), ZEK_OK);
	t0 = mono_ms();
	do {
		usleep(20000);
		assert_int_equal(sq_query_i64(c, &segments, "SELECT count(DISTINCT "
		    "segid) FROM request_search_idx", ""), ZEK_OK);
	} while (segments > 40 && mono_ms() - t0 < 10000);
	if (segments > 40)
		fail_msg("%lld segments left of 200 writes", (long long)segments);
	assert_int_equal(sq_query_i64(c, &found, "SELECT count(*) FROM "
	    "request_search WHERE request_search MATCH 'fehler'", ""), ZEK_OK);
	assert_int_equal(found, 200);
}

/* ---- the scope's read transaction ---- */

static void *
other_writer(void *p)
{
	struct store_conn *c = store_conn(st);

	assert_int_equal(sq_exec(c, "UPDATE t SET v = v + 1", ""), ZEK_OK);
	store_conn_release(st);
	return p;
}

static void
test_scope_snapshot(void **state)
{
	struct store_conn *c = store_conn(st);
	pthread_t th;
	int64_t v;

	assert_int_equal(sq_exec(c, "INSERT INTO t (id, v) VALUES (1, 10)", ""),
	    ZEK_OK);
	store_scope_begin(c);
	assert_int_equal(sq_query_i64(c, &v, "SELECT v FROM t WHERE id = 1", ""),
	    ZEK_OK);
	assert_int_equal(v, 10);
	/* Another connection commits meanwhile: the scope's reads keep
	 * their snapshot (one read transaction) ... */
	assert_int_equal(pthread_create(&th, NULL, other_writer, NULL), 0);
	pthread_join(th, NULL);
	assert_int_equal(sq_query_i64(c, &v, "SELECT v FROM t WHERE id = 1", ""),
	    ZEK_OK);
	assert_int_equal(v, 10);
	/* ... and its first write starts from the newest data. */
	assert_int_equal(sq_exec(c, "UPDATE t SET v = v * 2 WHERE id = 1", ""),
	    ZEK_OK);
	assert_int_equal(sq_query_i64(c, &v, "SELECT v FROM t WHERE id = 1", ""),
	    ZEK_OK);
	assert_int_equal(v, 22);
	assert_int_equal(store_scope_end(c, true), ZEK_OK);
	store_scope_begin(c);
	assert_int_equal(sq_query_i64(c, &v, "SELECT v FROM t WHERE id = 1", ""),
	    ZEK_OK);
	assert_int_equal(v, 22);
	assert_int_equal(store_scope_end(c, true), ZEK_OK);
	assert_true(sqlite3_get_autocommit(lite_conn(c)->db));
}

/* ---- kept results ---- */

static void *
other_notify(void *p)
{
	struct store_conn *c = store_conn(st);

	assert_int_equal(store_user_set_notify(c, *(int64_t *)p, false), ZEK_OK);
	store_conn_release(st);
	return NULL;
}

static void
test_kept_results(void **state)
{
	struct store_conn *c = store_conn(st);
	struct store_user u = { .email = "a@example.org", .name = "Anna",
		.password_hash = "", .role = "customer", .lang = "de",
		.tz = "Europe/Berlin", .notify = true, .created_at = 1 };
	struct store_user *got;
	struct arena *a = arena_new(0);
	pthread_t th;
	int64_t id;
	int i;

	assert_int_equal(store_user_insert(c, &u, &id), ZEK_OK);
	for (i = 0; i < 3; i++) {
		store_scope_begin(c);
		assert_int_equal(sq_exec(c, "SELECT count(*) FROM t", ""), ZEK_OK);
		assert_int_equal(store_user_by_id(c, a, id, &got), ZEK_OK);
		assert_string_equal(got->name, "Anna");
		assert_true(got->notify);
		assert_int_equal(store_user_by_id(c, a, id + 1, &got), ZEK_NOTFOUND);
		assert_int_equal(store_scope_end(c, true), ZEK_OK);
	}
	assert_true(lite_conn(c)->nresults > 0);
	/* Another connection's commit: the next scope reads anew. */
	assert_int_equal(pthread_create(&th, NULL, other_notify, &id), 0);
	pthread_join(th, NULL);
	store_scope_begin(c);
	assert_int_equal(sq_exec(c, "SELECT count(*) FROM t", ""), ZEK_OK);
	assert_int_equal(store_user_by_id(c, a, id, &got), ZEK_OK);
	assert_false(got->notify);
	assert_int_equal(store_scope_end(c, true), ZEK_OK);
	/* This connection's own commit too, and inside a write transaction
	 * nothing kept is used. */
	store_scope_begin(c);
	assert_int_equal(store_user_set_notify(c, id, true), ZEK_OK);
	assert_int_equal(store_user_by_id(c, a, id, &got), ZEK_OK);
	assert_true(got->notify);
	assert_int_equal(store_scope_end(c, true), ZEK_OK);
	store_scope_begin(c);
	assert_int_equal(sq_exec(c, "SELECT count(*) FROM t", ""), ZEK_OK);
	assert_int_equal(store_user_by_id(c, a, id, &got), ZEK_OK);
	assert_true(got->notify);
	assert_int_equal(store_scope_end(c, true), ZEK_OK);
	arena_free(a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_group_commit_deferred, setup, teardown),
		cmocka_unit_test_setup_teardown(test_group_commit_blocking, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tickets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scope_snapshot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_kept_results, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_checkpoint_holds_up_no_commit,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle_log_is_emptied, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(
		    test_log_starts_over_under_steady_writes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_phases, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search_index_merged_apart,
		    setup, teardown),
	};

	shim_install();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
