/* sqlite.c: the SQLite driver of the store (query.h): connections,
 * statements, durable commits, scopes, migrations. The queries themselves
 * live in the backend-neutral files; the FTS5 list and queues in
 * sqlite_list.c and sqlite_queue.c. */
#include "store/sqlite_int.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "lib/arena.h"
#include "lib/log.h"
#include "lib/utf8.h"
#include "store/migrations.h"

#define BUSY_TIMEOUT_MS 5000
#define PATH_MAX_LEN 4096
#define AUTOCHECKPOINT_PAGES 1000 /* SQLite's default */
#define CHECKPOINT_IDLE_MS 1000   /* no commit this long: TRUNCATE */
#define MERGE_EVERY_MS 20 /* after a merge step without work: the next */
#define MERGE_PAGES "64"  /* pages written by one merge step */
#define MERGE_SHARE 3 /* steps hold the write lock 1/3 of the time at most */
#define WAL_SIZE_LIMIT "67108864" /* bytes: a reset log is cut back */
/* A log this long (frames; 32 MiB) is started over (checkpoint_catch_up) */
#define RESTART_FRAMES 8000
/* Kept results (sq_collect_cached) per connection; over either bound
 * they are all dropped. */
#define RESULTS_MAX 64
#define RESULT_BYTES_MAX (256u << 10)

/* Commits made durable together: with WAL and synchronous=NORMAL a commit
 * only writes the log, and gets a ticket (its number). One sync of the
 * log covers every commit that ended before it began. A waiting thread
 * syncs itself when nobody else is syncing, else it waits for that sync;
 * a deferred scope's commit (the HTTP server's) is synced by the store's
 * sync thread, which then calls the waiter back, so the worker thread
 * serves other connections meanwhile. Nobody is answered before the sync
 * that covers its commit (as with synchronous=FULL). */
struct durable_waiter {
	struct durable_waiter *next;
	uint64_t ticket;
	void (*fn)(void *arg, int rc);
	void *arg;
};

struct durable {
	pthread_mutex_t lock;
	pthread_cond_t done; /* a sync ended, a waiter came, or stop */
	uint64_t committed;  /* tickets handed out so far */
	uint64_t synced;     /* tickets the last finished sync covers */
	bool syncing;
	struct durable_waiter *waiters;
	bool running, stop; /* the sync thread */
	pthread_t thread;
};

/* Checkpoints (docs/internals/performance.md): copying the log back into
 * a large database can take seconds. SQLite's automatic checkpoint does it
 * inside a commit, holding up every writer; done by the sync thread it
 * held up every deferred commit's sync (issue 22). This thread does it
 * alone: PASSIVE once the log has grown past AUTOCHECKPOINT_PAGES, which
 * waits for nobody (and past RESTART_FRAMES a second one under the write
 * lock, so that the log starts over: checkpoint_catch_up), and TRUNCATE
 * after CHECKPOINT_IDLE_MS without a commit, which empties the log file
 * while nobody writes. */
struct checkpointer {
	pthread_mutex_t lock;
	pthread_cond_t wake;   /* a long log, or stop (CLOCK_MONOTONIC) */
	bool long_log;         /* commits made the log long */
	bool dirty;            /* commits since the last TRUNCATE */
	bool merge;            /* others' commits since the index was merged */
	int64_t next_merge_ns; /* no merge step before */
	int64_t last_commit_ns;
	bool running, stop, failed;
	pthread_t thread;
};

struct lite_store {
	struct store base;
	char *path;
	/* One writing connection per process at a time: writers queue here
	 * instead of in SQLite's busy handler, which sleeps in steps of
	 * milliseconds. Other processes still meet the busy handler. */
	pthread_mutex_t write_lock;
	struct durable dur;
	struct checkpointer ckpt;
};

/* A kept result: the rows of one statement and key at one data version. */
struct sq_result {
	sqlite3_stmt *st;
	int64_t key;
	unsigned version;
	bool one; /* only the first row was read */
	int ncols;
	size_t nrows;
	struct sq_value *vals; /* nrows * ncols, text in the same block */
	size_t bytes;
};

/* ---- connections ---- */

static void
results_clear(struct lite_conn *c)
{
	size_t i;

	for (i = 0; i < c->nresults; i++)
		free(c->results[i].vals);
	c->nresults = 0;
	c->result_bytes = 0;
}

static void
conn_free(struct lite_conn *c)
{
	size_t i;

	if (c == NULL)
		return;
	results_clear(c);
	free(c->results);
	for (i = 0; i < c->ncache; i++)
		sqlite3_finalize(c->cache[i].st);
	sqlite3_close(c->db);
	if (c->writing)
		pthread_mutex_unlock(&c->ls->write_lock);
	free(c);
}

static void
lite_conn_free(struct store_conn *c)
{
	conn_free(lite_conn(c));
}

enum zek_rc
lite_err(sqlite3 *db, int src, const char *what)
{
	/* A unique constraint is an expected answer, not a fault. */
	if ((src & 0xff) != SQLITE_CONSTRAINT) {
		sq_error_count((src & 0xff) == SQLITE_BUSY ||
		            (src & 0xff) == SQLITE_LOCKED ?
		        STORE_ERR_BUSY :
		        STORE_ERR_OTHER);
		log_error("store", "sqlite error",
		    LOG_FIELDS(LOG_S("error",
		                   db != NULL ? sqlite3_errmsg(db) :
		                                sqlite3_errstr(src)),
		        LOG_I("code", src), LOG_S("statement", what)));
	}
	switch (src & 0xff) {
	case SQLITE_NOMEM:
		return ZEK_NOMEM;
	case SQLITE_CONSTRAINT:
		return ZEK_CONFLICT;
	case SQLITE_TOOBIG:
		return ZEK_TOOBIG;
	default:
		return ZEK_IO;
	}
}

/* Waits for another process's lock in short steps (SQLite's own handler
 * sleeps 1, 2, 5, 10 ... 100 ms): 50 us doubling to 2 ms, BUSY_TIMEOUT_MS
 * in all. */
static int
busy_wait(void *arg, int count)
{
	struct timespec ts;
	long us = count < 6 ? 50L << count : 2000;
	long waited = count < 6 ? (50L << count) - 50 :
	                          (50L << 6) - 50 + (long)(count - 6) * 2000;

	(void)arg;
	if (waited >= BUSY_TIMEOUT_MS * 1000L)
		return 0;
	ts.tv_sec = 0;
	ts.tv_nsec = us * 1000;
	nanosleep(&ts, NULL);
	return 1;
}

static void write_release(struct lite_conn *c);
static uint64_t durable_ticket(struct durable *d);
static enum zek_rc durable_wait(struct lite_conn *c, uint64_t mine);

static void checkpoint_note(struct lite_conn *c, int frames);

/* After each commit in WAL mode (the log written, SQLite's lock let go):
 * the write lock goes to the next writer, then the commit is synced with
 * others, or, in a deferred scope, only gets its ticket; the checkpoint
 * thread hears of it (checkpoint_note: SQLite's automatic checkpoint,
 * which this hook replaces). An error fails the statement that committed
 * (the commit is made, but not known to be on disk). */
static int
on_wal_commit(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct lite_conn *c = arg;
	uint64_t ticket;

	(void)db;
	(void)name;
	write_release(c);
	ticket = durable_ticket(&c->ls->dur);
	if (c->defer_sync)
		c->ticket = ticket;
	else if (durable_wait(c, ticket) != ZEK_OK)
		return SQLITE_IOERR_FSYNC;
	checkpoint_note(c, frames);
	return SQLITE_OK;
}

/* Asks for the WAL journal; *wal tells whether the database has it. On a
 * new file two connections switching at once may both hold a read lock
 * and want the write lock: SQLite then answers BUSY to one of them at
 * once, without its busy handler (it would wait for ever). Its read lock
 * is gone after the statement, so it tries again. */
static int
switch_to_wal(sqlite3 *db, bool *wal)
{
	sqlite3_stmt *jm = NULL;
	int src, count;

	for (count = 0;; count++) {
		src = sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &jm,
		    NULL);
		if (src == SQLITE_OK &&
		    (src = sqlite3_step(jm)) == SQLITE_ROW) {
			const unsigned char *mode = sqlite3_column_text(jm, 0);
			*wal = mode != NULL &&
			    strcmp((const char *)mode, "wal") == 0;
			src = SQLITE_OK;
		}
		sqlite3_finalize(jm);
		if ((src & 0xff) != SQLITE_BUSY || !busy_wait(NULL, count))
			return src;
	}
}

static struct store_conn *
lite_conn_open(struct store *base)
{
	struct lite_store *st = (struct lite_store *)(void *)base;
	static const char pragmas[] = "PRAGMA foreign_keys=ON;";
	struct lite_conn *c;
	bool wal = false;
	int src;

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->base.drv = &sq_sqlite_driver;
	c->base.store = base;
	c->ls = st;
	src = sqlite3_open_v2(st->path, &c->db,
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
	    NULL);
	if (src != SQLITE_OK) {
		lite_err(c->db, src, "open");
		goto fail;
	}
	sqlite3_extended_result_codes(c->db, 1);
	/* Plans that do not depend on bound values: otherwise each bind of a
	 * LIKE pattern marks its statement for a new prepare (this SQLite has
	 * no STAT4, and the LIKE optimisation never applies to our BINARY
	 * *_fold columns, so no plan gets worse). */
	sqlite3_db_config(c->db, SQLITE_DBCONFIG_ENABLE_QPSG, 1, (int *)NULL);
	/* The busy handler first: switching to WAL needs a lock too. */
	sqlite3_busy_handler(c->db, busy_wait, NULL);
	/* Space freed by deletions (expired uploads above all) goes back to
	 * the file system: store_attachments_purge_temp runs an incremental
	 * vacuum. The mode takes effect only in a database without tables
	 * (a new one, here before WAL and migration 0001) or at the next
	 * VACUUM; an existing database stays as it was (docs/internals/
	 * store.md says how to convert it), and then the vacuum does
	 * nothing. */
	sqlite3_exec(c->db, "PRAGMA auto_vacuum=INCREMENTAL", NULL, NULL, NULL);
	src = switch_to_wal(c->db, &wal);
	if (src != SQLITE_OK) {
		lite_err(c->db, src, "journal_mode");
		goto fail;
	}
	/* WAL: synchronous=NORMAL and each commit synced by on_wal_commit,
	 * together with the commits of other threads; otherwise FULL. */
	src = sqlite3_exec(c->db,
	    wal ? "PRAGMA synchronous=NORMAL" : "PRAGMA synchronous=FULL", NULL,
	    NULL, NULL);
	if (src == SQLITE_OK)
		src = sqlite3_exec(c->db, pragmas, NULL, NULL, NULL);
	if (src != SQLITE_OK) {
		lite_err(c->db, src, "pragmas");
		goto fail;
	}
	if (wal) {
		c->group_sync = true;
		sqlite3_wal_hook(c->db, on_wal_commit, c);
		/* A log that grew while checkpoints could not keep up (long
		 * readers) is cut back when it starts over. */
		sqlite3_exec(c->db, "PRAGMA journal_size_limit=" WAL_SIZE_LIMIT,
		    NULL, NULL, NULL);
	}
	/* Statement journals (the undo of one statement inside a transaction)
	 * in memory: past 64 KiB SQLite moves them to a temporary file, and a
	 * create wrote about 70 pages there, each a system call, holding the
	 * write lock. Not for the connection that migrates: a migration's
	 * statements are large. */
	if (base->migrated)
		sqlite3_exec(c->db, "PRAGMA temp_store=MEMORY", NULL, NULL,
		    NULL);
	/* 8 MB of page cache: a search walks index segments that SQLite's
	 * 2 MB default let go between calls, and read again from the kernel
	 * (a quarter of a search's time on 1,000,000 requests). */
	if (base->migrated)
		sqlite3_exec(c->db, "PRAGMA cache_size=-8192", NULL, NULL,
		    NULL);
	return &c->base;
fail:
	conn_free(c);
	return NULL;
}

enum zek_rc
lite_make_parent_dirs(const char *path)
{
	char buf[PATH_MAX_LEN];
	size_t i, n = strlen(path);

	if (n == 0 || n >= sizeof(buf))
		return ZEK_INVALID;
	memcpy(buf, path, n + 1);
	for (i = 1; i < n; i++) {
		if (buf[i] != '/')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0750) != 0 && errno != EEXIST) {
			log_error("store", "cannot make the database's folder",
			    LOG_FIELDS(LOG_S("path", buf),
			        LOG_S("error", strerror(errno))));
			return ZEK_IO;
		}
		buf[i] = '/';
	}
	return ZEK_OK;
}

/* ---- statements ---- */

/* The cached statement for `sql` (a string literal: compared by address). */
sqlite3_stmt *
lite_prep(struct lite_conn *c, const char *sql)
{
	sqlite3_stmt *st;
	size_t i;
	int src;

	for (i = 0; i < c->ncache; i++)
		if (c->cache[i].sql == sql)
			return c->cache[i].st;
	if (c->ncache == STMT_CACHE_MAX) {
		log_error("store", "statement cache full", NULL);
		return NULL;
	}
	src = sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
	    NULL);
	if (src != SQLITE_OK) {
		lite_err(c->db, src, sql);
		return NULL;
	}
	c->cache[c->ncache].sql = sql;
	c->cache[c->ncache].st = st;
	c->ncache++;
	return st;
}

/* Binds parameters by the letters of query.h's sq_start. */
static int
lite_vbind(sqlite3_stmt *st, const char *fmt, va_list ap)
{
	const char *s;
	int64_t v;
	int i, src = SQLITE_OK;

	for (i = 1; *fmt != '\0' && src == SQLITE_OK; fmt++, i++) {
		switch (*fmt) {
		case 't':
		case 'T':
			s = va_arg(ap, const char *);
			if (s == NULL || (*fmt == 'T' && *s == '\0'))
				src = sqlite3_bind_null(st, i);
			else
				src = sqlite3_bind_text(st, i, s, -1,
				    SQLITE_TRANSIENT);
			break;
		case 'i':
		case 'I':
			v = va_arg(ap, int64_t);
			if (*fmt == 'I' && v == 0)
				src = sqlite3_bind_null(st, i);
			else
				src = sqlite3_bind_int64(st, i, v);
			break;
		case 'b':
			src = sqlite3_bind_int(st, i, va_arg(ap, int) ? 1 : 0);
			break;
		case 'z':
			v = (int64_t)va_arg(ap, size_t);
			src = sqlite3_bind_int64(st, i, v);
			break;
		case 'B':
			/* Not copied: it may be large, and every statement
			 * runs to its end before its caller returns. */
			s = va_arg(ap, const char *);
			v = (int64_t)va_arg(ap, size_t);
			src = sqlite3_bind_blob64(st, i, s != NULL ? s : "",
			    (sqlite3_uint64)v, SQLITE_STATIC);
			break;
		default:
			src = SQLITE_MISUSE;
		}
	}
	return src;
}

/* Prepares and binds from a va_list; NULL on failure (*rc says why). */
static sqlite3_stmt *
lite_vstart(struct lite_conn *c, enum zek_rc *rc, const char *sql,
    const char *fmt, va_list ap)
{
	sqlite3_stmt *st;
	int src;

	st = lite_prep(c, sql);
	if (st == NULL) {
		*rc = ZEK_IO;
		return NULL;
	}
	src = lite_vbind(st, fmt, ap);
	if (src != SQLITE_OK) {
		*rc = lite_err(c->db, src, "bind");
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
		return NULL;
	}
	*rc = ZEK_OK;
	return st;
}

static struct sq_stmt *
lite_start(struct store_conn *c, enum zek_rc *rc, const char *sql,
    const char *fmt, va_list ap)
{
	return (struct sq_stmt *)(void *)lite_vstart(lite_conn(c), rc, sql, fmt,
	    ap);
}

static void
lite_finish(sqlite3_stmt *st)
{
	if (st != NULL) {
		sqlite3_reset(st);
		sqlite3_clear_bindings(st);
	}
}

static void
lite_finish_stmt(struct store_conn *c, struct sq_stmt *st)
{
	(void)c;
	lite_finish(lite_stmt(st));
}

static int64_t
lite_changes(struct store_conn *c)
{
	return sqlite3_changes64(lite_conn(c)->db);
}

static int64_t
lite_col_i64(struct sq_stmt *st, int col)
{
	return sqlite3_column_int64(lite_stmt(st), col);
}

static enum zek_rc
lite_col_copy(struct sq_stmt *sst, int col, bool blob, struct arena *a,
    const char **out, size_t *len)
{
	sqlite3_stmt *st = lite_stmt(sst);
	const void *p;
	char *s;
	size_t n;

	p = blob ? sqlite3_column_blob(st, col) : sqlite3_column_text(st, col);
	n = (size_t)sqlite3_column_bytes(st, col);
	*out = NULL;
	*len = 0;
	if (p == NULL && sqlite3_column_type(st, col) == SQLITE_NULL)
		return ZEK_OK;
	s = arena_alloc(a, n + 1);
	if (s == NULL)
		return ZEK_NOMEM;
	if (n > 0)
		memcpy(s, p, n);
	s[n] = '\0';
	*out = s;
	*len = n;
	return ZEK_OK;
}

/* ---- write lock, durable commits, the scope's transactions ---- */

/* Takes the store's write lock for this connection (once). */
static void
write_acquire(struct lite_conn *c)
{
	if (!c->writing) {
		pthread_mutex_lock(&c->ls->write_lock);
		c->writing = true;
	}
}

/* Lets the write lock go once no transaction is open any more. */
static void
write_release(struct lite_conn *c)
{
	if (c->writing && sqlite3_get_autocommit(c->db)) {
		c->writing = false;
		pthread_mutex_unlock(&c->ls->write_lock);
	}
}

/* Syncs the write-ahead log, as synchronous=FULL does at each commit. */
static enum zek_rc
wal_sync(struct lite_conn *c)
{
	sqlite3_file *f = NULL;
	int src;

	src = sqlite3_file_control(c->db, "main", SQLITE_FCNTL_JOURNAL_POINTER,
	    &f);
	if (src == SQLITE_OK && (f == NULL || f->pMethods == NULL)) {
		/* A connection opens the log with its first read. */
		sqlite3_exec(c->db, "SELECT 1 FROM sqlite_schema LIMIT 1", NULL,
		    NULL, NULL);
		src = sqlite3_file_control(c->db, "main",
		    SQLITE_FCNTL_JOURNAL_POINTER, &f);
	}
	if (src != SQLITE_OK || f == NULL || f->pMethods == NULL)
		return ZEK_IO;
	src = f->pMethods->xSync(f, SQLITE_SYNC_NORMAL);
	if (src != SQLITE_OK) {
		sq_error_count(STORE_ERR_OTHER);
		log_error("store", "syncing the log failed",
		    LOG_FIELDS(LOG_I("code", src)));
		return ZEK_IO;
	}
	return ZEK_OK;
}

/* The ticket of a commit that just ended. */
static uint64_t
durable_ticket(struct durable *d)
{
	uint64_t t;

	pthread_mutex_lock(&d->lock);
	t = ++d->committed;
	pthread_mutex_unlock(&d->lock);
	return t;
}

/* Returns once a sync that began after commit `mine` has ended: by this
 * thread (with c's log file), or by another one for several commits. */
static enum zek_rc
durable_wait(struct lite_conn *c, uint64_t mine)
{
	struct durable *d = &c->ls->dur;
	enum zek_rc rc = ZEK_OK;
	uint64_t target;

	pthread_mutex_lock(&d->lock);
	while (d->synced < mine) {
		if (d->syncing) {
			pthread_cond_wait(&d->done, &d->lock);
			continue;
		}
		d->syncing = true;
		target = d->committed;
		pthread_mutex_unlock(&d->lock);
		rc = wal_sync(c);
		pthread_mutex_lock(&d->lock);
		d->syncing = false;
		if (rc == ZEK_OK && target > d->synced)
			d->synced = target;
		pthread_cond_broadcast(&d->done);
		if (rc != ZEK_OK)
			break;
	}
	pthread_mutex_unlock(&d->lock);
	return rc;
}

/* The SQLite connection of a neutral one that may be NULL. */
static struct lite_conn *
lite_conn_or_null(struct store_conn *c)
{
	return c != NULL ? lite_conn(c) : NULL;
}

/* Calls back the waiters whose commits the last sync covered, or all of
 * them with rc when a sync failed; called and returns with d->lock held. */
static void
durable_call(struct durable *d, uint64_t upto, int rc)
{
	struct durable_waiter *w, **pp = &d->waiters, *ready = NULL;

	while ((w = *pp) != NULL) {
		if (w->ticket <= upto) {
			*pp = w->next;
			w->next = ready;
			ready = w;
		} else {
			pp = &w->next;
		}
	}
	if (ready == NULL)
		return;
	pthread_mutex_unlock(&d->lock);
	while ((w = ready) != NULL) {
		ready = w->next;
		w->fn(w->arg, rc);
		free(w);
	}
	pthread_mutex_lock(&d->lock);
}

/* The sync thread: syncs the log while deferred commits wait, and calls
 * their waiters back. */
static void *
durable_main(void *arg)
{
	struct lite_store *st = arg;
	struct durable *d = &st->dur;
	struct lite_conn *c = lite_conn_or_null(store_conn(&st->base));
	uint64_t target;
	enum zek_rc rc;
	bool want;

	pthread_setname_np(pthread_self(), "zek-sync"); /* top -H, perf */
	pthread_mutex_lock(&d->lock);
	for (;;) {
		durable_call(d, d->synced, ZEK_OK);
		want = d->waiters != NULL ||
		    (d->stop && d->synced < d->committed);
		if (!want && d->stop)
			break;
		if (!want || d->syncing) {
			pthread_cond_wait(&d->done, &d->lock);
			continue;
		}
		d->syncing = true;
		target = d->committed;
		pthread_mutex_unlock(&d->lock);
		rc = c != NULL ? wal_sync(c) : ZEK_IO;
		pthread_mutex_lock(&d->lock);
		d->syncing = false;
		if (rc == ZEK_OK && target > d->synced)
			d->synced = target;
		pthread_cond_broadcast(&d->done);
		if (rc != ZEK_OK) {
			durable_call(d, target, rc);
			if (d->stop)
				break;
		}
	}
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

static void
lite_scope_defer(struct store_conn *base)
{
	struct lite_conn *c = lite_conn(base);

	c->defer_sync = c->group_sync;
	c->ticket = 0;
}

static uint64_t
lite_scope_ticket(struct store_conn *base)
{
	struct lite_conn *c = lite_conn(base);
	uint64_t t = c->ticket;

	c->ticket = 0;
	return t;
}

static enum zek_rc
lite_durable_wait(struct store *st, uint64_t ticket)
{
	struct store_conn *c;

	if (ticket == 0)
		return ZEK_OK;
	c = store_conn(st);
	return c != NULL ? durable_wait(lite_conn(c), ticket) : ZEK_IO;
}

static enum zek_rc
lite_durable_notify(struct store *base, uint64_t ticket,
    void (*fn)(void *arg, int rc), void *arg)
{
	struct lite_store *st = (struct lite_store *)(void *)base;
	struct durable *d = &st->dur;
	struct durable_waiter *w;
	enum zek_rc rc = ZEK_OK;

	if (ticket == 0)
		return ZEK_NOTFOUND;
	w = ARENA_FAULT_NOW() ? NULL : malloc(sizeof(*w));
	if (w == NULL)
		return ZEK_NOMEM;
	*w = (struct durable_waiter){ .ticket = ticket, .fn = fn, .arg = arg };
	pthread_mutex_lock(&d->lock);
	if (d->synced >= ticket) {
		rc = ZEK_NOTFOUND;
	} else if (d->stop) {
		rc = ZEK_IO;
	} else if (!d->running &&
	    pthread_create(&d->thread, NULL, durable_main, st) != 0) {
		rc = ZEK_IO;
	} else {
		d->running = true;
		w->next = d->waiters;
		d->waiters = w;
		w = NULL;
		pthread_cond_broadcast(&d->done);
	}
	pthread_mutex_unlock(&d->lock);
	free(w);
	return rc;
}

/* Ends the sync thread after it has synced and called back what waits. */
static void
durable_stop(struct durable *d)
{
	bool running;

	pthread_mutex_lock(&d->lock);
	running = d->running;
	d->stop = true;
	pthread_cond_broadcast(&d->done);
	pthread_mutex_unlock(&d->lock);
	if (running)
		pthread_join(d->thread, NULL);
}

/* ---- checkpoints, by a thread of their own ---- */

static void *checkpoint_main(void *arg);

/* Called after each commit: remembers it, and wakes the checkpoint thread
 * (started with the first commit) when the log is long. Without that
 * thread the committing connection checkpoints, as SQLite would. */
static void
checkpoint_note(struct lite_conn *c, int frames)
{
	struct checkpointer *k = &c->ls->ckpt;
	bool inline_ckpt = false;

	pthread_mutex_lock(&k->lock);
	k->dirty = true;
	k->last_commit_ns = sq_now_ns();
	/* The thread's own commits are its merge steps. */
	if (!k->running || !pthread_equal(pthread_self(), k->thread))
		k->merge = true;
	if (!k->running && !k->stop && !k->failed) {
		k->running = pthread_create(&k->thread, NULL, checkpoint_main,
		                 c->ls) == 0;
		k->failed = !k->running;
	}
	if (frames >= AUTOCHECKPOINT_PAGES) {
		k->long_log = true;
		inline_ckpt = !k->running;
		pthread_cond_signal(&k->wake);
	}
	pthread_mutex_unlock(&k->lock);
	if (inline_ckpt)
		sqlite3_wal_checkpoint_v2(c->db, "main",
		    SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
}

/* Empties the log file once nobody writes. First a PASSIVE checkpoint
 * copies what is left, syncing the database, while others go on; only
 * when that left nothing does TRUNCATE run, which then just cuts the file
 * and holds SQLite's write lock for that moment. It gives up at once when
 * somebody still reads the log (no busy handler on this connection).
 * Holding the write lock through a whole checkpoint stalled the writes of
 * the bench for seconds. */
static bool
checkpoint_truncate(struct lite_conn *c)
{
	int log = -1, copied = -1;

	if (sqlite3_wal_checkpoint_v2(c->db, "main", SQLITE_CHECKPOINT_PASSIVE,
	        &log, &copied) != SQLITE_OK ||
	    log != copied)
		return false;
	return sqlite3_wal_checkpoint_v2(c->db, "main",
	           SQLITE_CHECKPOINT_TRUNCATE, NULL, NULL) == SQLITE_OK;
}

/* A PASSIVE checkpoint while others write; once the log is long, a
 * second one under the write lock. Under steady writes the next writer
 * has always begun before the first one finished, so SQLite could never
 * start the log over: it grew by every page of every commit (340 KB a
 * create, 165 MB in 4 s of the bench), each commit then checkpointed and
 * synced the database, and each append was a new part of the file that
 * the kernel zeroes first. Holding the lock, the second checkpoint copies
 * what came meanwhile, and the writer after it finds the log wholly in
 * the database and starts it over from its beginning. */
static void
checkpoint_catch_up(struct lite_conn *c)
{
	int log = -1;

	if (sqlite3_wal_checkpoint_v2(c->db, "main", SQLITE_CHECKPOINT_PASSIVE,
	        &log, NULL) != SQLITE_OK ||
	    log < RESTART_FRAMES)
		return;
	write_acquire(c);
	sqlite3_wal_checkpoint_v2(c->db, "main", SQLITE_CHECKPOINT_PASSIVE,
	    NULL, NULL);
	write_release(c);
}

/* One step of the search index's merging (migration 0016 took it out of
 * the writes, where FTS5 merged whole levels inside a create: 2 s on the
 * 1,000,000-request database, with every writer waiting). A step writes
 * about MERGE_PAGES pages under the write lock: 7 ms at the median, 23 ms
 * at p99 there. Fewer pages do not make it much shorter (FTS5 rewrites
 * the first page of each input segment per step). Returns whether there
 * was work. */
static bool
search_merge_step(struct lite_conn *c)
{
	int before;
	bool worked;

	/* Quietly, unlike the store's scopes: a step that finds the database
	 * busy (no busy handler here) or the index not made yet (migrations
	 * commit too) is simply tried again later. */
	write_acquire(c);
	if (sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		write_release(c);
		return false;
	}
	before = sqlite3_total_changes(c->db);
	/* The command itself counts one change; the index's pages more. */
	worked = sqlite3_exec(c->db,
	             "INSERT INTO request_search "
	             "(request_search, rank) VALUES ('merge', " MERGE_PAGES ")",
	             NULL, NULL, NULL) == SQLITE_OK &&
	    sqlite3_total_changes(c->db) - before > 1;
	/* The merge need not be on disk before the next step: a later sync
	 * covers it, and a lost one is merged again. */
	c->defer_sync = c->group_sync;
	if (!worked ||
	    sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
	c->defer_sync = false;
	write_release(c);
	return worked;
}

/* When the next merge step may run, after one that began at `begun`
 * (with k->lock held). While there is work and others wrote during the
 * step, after a pause of (MERGE_SHARE - 1) times its length: writers get
 * the write lock that share of the time at least; once they stop, a
 * backlog is merged at full pace. Without work, MERGE_EVERY_MS after the
 * next commit of others. */
static void
merge_next(struct checkpointer *k, int64_t begun, bool worked)
{
	int64_t now = sq_now_ns();
	bool others_wrote = k->merge;

	if (!worked) {
		k->next_merge_ns = now + (int64_t)MERGE_EVERY_MS * 1000000;
		return;
	}
	k->merge = true;
	k->next_merge_ns = others_wrote ?
	    now + (now - begun) * (MERGE_SHARE - 1) :
	    now;
}

/* What the checkpoint thread does next, with k->lock held: 1 PASSIVE,
 * 2 TRUNCATE, 3 a merge step, 0 wait, -1 stop. */
static int
checkpoint_due(struct checkpointer *k)
{
	int64_t now = sq_now_ns();

	if (k->stop)
		return -1;
	if (k->long_log) {
		k->long_log = false;
		return 1;
	}
	if (k->merge && now >= k->next_merge_ns) {
		k->merge = false;
		return 3;
	}
	if (k->dirty &&
	    now - k->last_commit_ns >= (int64_t)CHECKPOINT_IDLE_MS * 1000000) {
		k->dirty = false;
		return 2;
	}
	return 0;
}

/* Sleeps until woken, the next merge step, or until the log may be idle
 * long enough. */
static void
checkpoint_sleep(struct checkpointer *k)
{
	struct timespec until;
	int64_t ns;

	clock_gettime(CLOCK_MONOTONIC, &until);
	ns = (int64_t)CHECKPOINT_IDLE_MS * 1000000;
	if (k->merge && k->next_merge_ns - sq_now_ns() < ns)
		ns = k->next_merge_ns - sq_now_ns();
	if (ns < 0)
		ns = 0;
	until.tv_sec += ns / 1000000000;
	until.tv_nsec += ns % 1000000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	pthread_cond_timedwait(&k->wake, &k->lock, &until);
}

static void *
checkpoint_main(void *arg)
{
	struct lite_store *st = arg;
	struct checkpointer *k = &st->ckpt;
	struct lite_conn *c = lite_conn_or_null(store_conn(&st->base));
	bool done = true, merged = false;
	int64_t begun = 0;
	int what;

	pthread_setname_np(pthread_self(), "zek-checkpoint"); /* top -H, perf */
	if (c != NULL)
		sqlite3_busy_handler(c->db, NULL, NULL);
	pthread_mutex_lock(&k->lock);
	while ((what = checkpoint_due(k)) >= 0) {
		if (what == 0 || c == NULL) {
			checkpoint_sleep(k);
			continue;
		}
		pthread_mutex_unlock(&k->lock);
		if (what == 1)
			checkpoint_catch_up(c);
		else if (what == 2)
			done = checkpoint_truncate(c);
		else {
			begun = sq_now_ns();
			merged = search_merge_step(c);
		}
		pthread_mutex_lock(&k->lock);
		if (what == 3)
			merge_next(k, begun, merged);
		if (what == 2 && !done && !k->dirty) {
			/* Somebody still read: try again after a while. */
			k->dirty = true;
			k->last_commit_ns = sq_now_ns();
		}
	}
	pthread_mutex_unlock(&k->lock);
	return NULL;
}

static void
checkpoint_stop(struct checkpointer *k)
{
	bool running;

	pthread_mutex_lock(&k->lock);
	running = k->running;
	k->stop = true;
	pthread_cond_signal(&k->wake);
	pthread_mutex_unlock(&k->lock);
	if (running)
		pthread_join(k->thread, NULL);
}

/* Runs a transaction statement; not through sq_next, which would open the
 * scope's transactions for it. */
static enum zek_rc
step_tx(struct lite_conn *c, const char *sql)
{
	sqlite3_stmt *st = lite_prep(c, sql);
	int src;

	if (st == NULL)
		return ZEK_IO;
	src = sqlite3_step(st);
	sqlite3_reset(st);
	if (src != SQLITE_DONE)
		return lite_err(c->db, src, sql);
	return ZEK_OK;
}

/* Ends the scope's read transaction before its first write, which then
 * starts from the newest data. While a statement still reads, the read
 * transaction stays and the write upgrades it. */
static void
read_end(struct lite_conn *c)
{
	sqlite3_stmt *st;
	bool busy = false;

	if (!c->reading)
		return;
	c->reading = false;
	for (st = sqlite3_next_stmt(c->db, NULL); st != NULL && !busy;
	     st = sqlite3_next_stmt(c->db, st))
		busy = sqlite3_stmt_busy(st);
	if (!busy)
		step_tx(c, "COMMIT");
}

/* Opens a scope's write transaction: the write lock, then BEGIN IMMEDIATE
 * (which meets other processes' writers); both are the scope's lock wait. */
static enum zek_rc
scope_open(struct lite_conn *c)
{
	int64_t t0 = sq_phase_timing ? sq_now_ns() : 0;
	enum zek_rc rc = ZEK_OK;

	read_end(c);
	write_acquire(c);
	/* else a statement still reads; see read_end */
	if (sqlite3_get_autocommit(c->db))
		rc = step_tx(c, "BEGIN IMMEDIATE");
	if (rc != ZEK_OK)
		write_release(c);
	if (sq_phase_timing)
		c->base.phases.lock_ns += sq_now_ns() - t0;
	return rc;
}

/* Steps once: 1 = row, 0 = done, -1 = error (*rc set). */
static int
lite_next(struct lite_conn *c, sqlite3_stmt *st, enum zek_rc *rc)
{
	int src;

	/* In a scope the first write opens the scope's transaction; reads
	 * before it share one read transaction (one snapshot, and the log's
	 * locks taken once instead of per statement). */
	if (c->base.scoped && !sqlite3_stmt_busy(st)) {
		if (!sqlite3_stmt_readonly(st)) {
			if (sqlite3_get_autocommit(c->db) || c->reading) {
				*rc = scope_open(c);
				if (*rc != ZEK_OK)
					return -1;
			}
		} else if (sqlite3_get_autocommit(c->db) &&
		    sqlite3_column_count(st) > 0) {
			*rc = step_tx(c, "BEGIN");
			if (*rc != ZEK_OK)
				return -1;
			c->reading = true;
		}
	}
	src = sqlite3_step(st);

	if (src == SQLITE_ROW)
		return 1;
	if (src == SQLITE_DONE)
		return 0;
	*rc = lite_err(c->db, src, sqlite3_sql(st));
	return -1;
}

static int
lite_next_stmt(struct store_conn *c, struct sq_stmt *st, enum zek_rc *rc)
{
	return lite_next(lite_conn(c), lite_stmt(st), rc);
}

/* ---- kept results ---- */

/* The data version of the read transaction open on c; false when none is
 * open or c writes (its own changes do not move the version yet). */
static bool
read_version(struct lite_conn *c, unsigned *version)
{
	if (sqlite3_txn_state(c->db, "main") != SQLITE_TXN_READ)
		return false;
	return sqlite3_file_control(c->db, "main", SQLITE_FCNTL_DATA_VERSION,
	           version) == SQLITE_OK;
}

/* Steps st to the end (or its first row when `one`) and copies the rows
 * into res: values, then their text in the same block. */
static enum zek_rc
result_read(struct lite_conn *c, sqlite3_stmt *st, bool one,
    struct sq_result *res)
{
	struct sq_value *vals = NULL, *nv;
	size_t nvals = 0, cap = 0, tlen = 0, tcap = 0, i, *off = NULL, *noff;
	char *text = NULL, *nt, *block;
	enum zek_rc rc = ZEK_OK;
	int ncols = sqlite3_column_count(st), k, step;

	memset(res, 0, sizeof(*res));
	while ((step = lite_next(c, st, &rc)) == 1) {
		if (nvals + (size_t)ncols > cap) {
			cap = (cap == 0 ? 16 : cap * 2) + (size_t)ncols;
			nv = realloc(vals, cap * sizeof(*vals));
			noff = realloc(off, cap * sizeof(*off));
			if (nv != NULL)
				vals = nv;
			if (noff != NULL)
				off = noff;
			if (nv == NULL || noff == NULL) {
				rc = ZEK_NOMEM;
				goto out;
			}
		}
		for (k = 0; k < ncols; k++, nvals++) {
			/* The integer first: taking the text of a number adds
			 * its text without changing it; the reverse may not. */
			const unsigned char *t;
			size_t n;

			vals[nvals].i = sqlite3_column_int64(st, k);
			t = sqlite3_column_text(st, k);
			n = (size_t)sqlite3_column_bytes(st, k);
			vals[nvals].len = n;
			off[nvals] = SIZE_MAX;
			if (t == NULL)
				continue;
			if (tlen + n + 1 > tcap) {
				tcap = (tcap == 0 ? 1024 : tcap * 2) + n + 1;
				if ((nt = realloc(text, tcap)) == NULL) {
					rc = ZEK_NOMEM;
					goto out;
				}
				text = nt;
			}
			memcpy(text + tlen, t, n);
			text[tlen + n] = '\0';
			off[nvals] = tlen;
			tlen += n + 1;
		}
		res->nrows++;
		if (one)
			break;
	}
	if (step < 0)
		goto out;
	res->bytes = nvals * sizeof(*vals) + tlen;
	block = malloc(res->bytes > 0 ? res->bytes : 1);
	if (block == NULL) {
		rc = ZEK_NOMEM;
		goto out;
	}
	res->vals = (struct sq_value *)(void *)block;
	if (nvals > 0)
		memcpy(res->vals, vals, nvals * sizeof(*vals));
	if (tlen > 0)
		memcpy(block + nvals * sizeof(*vals), text, tlen);
	for (i = 0; i < nvals; i++)
		res->vals[i].s = off[i] == SIZE_MAX ?
		    NULL :
		    block + nvals * sizeof(*vals) + off[i];
	res->ncols = ncols;
out:
	lite_finish(st);
	free(vals);
	free(off);
	free(text);
	return rc;
}

/* Maps the kept rows (at most `max`) into an arena array. */
static enum zek_rc
result_map(struct arena *a, const struct sq_result *res, size_t max,
    sq_row_map_fn map, size_t size, void **out, size_t *n)
{
	size_t rows = res->nrows < max ? res->nrows : max, i;
	unsigned char *arr = NULL;
	struct sq_row r;

	if (rows > 0 && (arr = arena_calloc(a, rows, size)) == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < rows; i++) {
		r = (struct sq_row){ .a = a,
			.vals = res->vals + i * (size_t)res->ncols,
			.nvals = res->ncols };
		map(&r, arr + i * size);
		if (r.failed)
			return ZEK_NOMEM;
	}
	*out = arr;
	*n = rows;
	return ZEK_OK;
}

/* Keeps res on c (taking its block), or frees it when it does not fit. */
static void
result_keep(struct lite_conn *c, struct sq_result *res)
{
	struct sq_result *nr;

	if (res->bytes > RESULT_BYTES_MAX / 4)
		goto drop;
	if (c->nresults == RESULTS_MAX ||
	    c->result_bytes + res->bytes > RESULT_BYTES_MAX)
		results_clear(c);
	if (c->results == NULL) {
		nr = malloc(RESULTS_MAX * sizeof(*nr));
		if (nr == NULL)
			goto drop;
		c->results = nr;
	}
	c->results[c->nresults++] = *res;
	c->result_bytes += res->bytes;
	return;
drop:
	free(res->vals);
}

static enum zek_rc
lite_collect_cached(struct store_conn *base, struct arena *a,
    struct sq_stmt *sst, int64_t key, bool one, sq_row_map_fn map, size_t size,
    void **out, size_t *n)
{
	struct lite_conn *c = lite_conn(base);
	sqlite3_stmt *st = lite_stmt(sst);
	struct sq_result *res = NULL, fresh;
	enum zek_rc rc;
	unsigned version = 0, now;
	size_t i;

	/* Writing, or no read transaction: read as always. */
	if (!read_version(c, &version) && !one)
		return sq_collect(base, a, sst, map, size, out, n);
	if (!read_version(c, &version)) {
		rc = sq_collect_one(base, a, sst, map, size, out);
		*n = rc == ZEK_OK ? 1 : 0;
		return rc;
	}
	if (version != c->results_version) {
		results_clear(c);
		c->results_version = version;
	}
	for (i = 0; i < c->nresults; i++) {
		if (c->results[i].st == st && c->results[i].key == key &&
		    (one || !c->results[i].one)) {
			res = &c->results[i];
			break;
		}
	}
	if (res != NULL) {
		lite_finish(st); /* bound by the caller */
		return result_map(a, res, one ? 1 : SIZE_MAX, map, size, out,
		    n);
	}
	rc = result_read(c, st, one, &fresh);
	if (rc != ZEK_OK)
		return rc;
	fresh.st = st;
	fresh.key = key;
	fresh.version = version;
	fresh.one = one;
	rc = result_map(a, &fresh, SIZE_MAX, map, size, out, n);
	/* Kept only when read in the transaction the version is of. */
	if (rc == ZEK_OK && read_version(c, &now) && now == version)
		result_keep(c, &fresh);
	else
		free(fresh.vals);
	return rc;
}

static enum zek_rc
lite_query_i64_cached(struct store_conn *base, int64_t key, int64_t *out,
    struct sq_stmt *sst)
{
	struct lite_conn *c = lite_conn(base);
	sqlite3_stmt *st = lite_stmt(sst);
	struct sq_result *res = NULL, fresh;
	enum zek_rc rc;
	unsigned version, now;
	size_t i;

	if (read_version(c, &version)) {
		if (version != c->results_version) {
			results_clear(c);
			c->results_version = version;
		}
		for (i = 0; i < c->nresults && res == NULL; i++)
			if (c->results[i].st == st && c->results[i].key == key)
				res = &c->results[i];
	} else {
		version = 0;
	}
	if (res != NULL) {
		lite_finish(st);
	} else {
		rc = result_read(c, st, true, &fresh);
		if (rc != ZEK_OK)
			return rc;
		fresh.st = st;
		fresh.key = key;
		fresh.version = version;
		fresh.one = true;
		res = &fresh;
	}
	rc = res->nrows == 0 || res->ncols < 1 ? ZEK_NOTFOUND : ZEK_OK;
	if (rc == ZEK_OK)
		*out = res->vals[0].i;
	if (res == &fresh) {
		if (read_version(c, &now) && now == version && version != 0)
			result_keep(c, &fresh);
		else
			free(fresh.vals);
	}
	return rc;
}

/* Runs one statement without parameters, in or outside a scope. */
static enum zek_rc
lite_exec(struct lite_conn *c, const char *sql)
{
	return sq_exec(&c->base, sql, "");
}

static enum zek_rc
lite_exec_sql(struct store_conn *base, const char *sql)
{
	struct lite_conn *c = lite_conn(base);
	char *msg = NULL;
	int src;

	src = sqlite3_exec(c->db, sql, NULL, NULL, &msg);
	if (src != SQLITE_OK) {
		sq_error_count(STORE_ERR_OTHER);
		log_error("store", "sqlite error",
		    LOG_FIELDS(LOG_S("error", msg != NULL ? msg : "?"),
		        LOG_I("code", src)));
		sqlite3_free(msg);
		return (src & 0xff) == SQLITE_NOMEM ? ZEK_NOMEM : ZEK_IO;
	}
	return ZEK_OK;
}

/* BEGIN IMMEDIATE: a second process waits here and then sees the version
 * recorded, so each migration runs once. */
static enum zek_rc
lite_migrate_begin(struct store_conn *c)
{
	enum zek_rc rc;

	rc = sq_exec_sql(c,
	    "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
	    "applied_at INTEGER NOT NULL)");
	if (rc == ZEK_OK)
		rc = sq_exec_sql(c, "BEGIN IMMEDIATE");
	return rc;
}

static enum zek_rc
lite_migrate_end(struct store_conn *c, bool commit)
{
	if (commit)
		return sq_exec_sql(c, "COMMIT");
	return store_rollback(c);
}

/* ---- open and close ---- */

/* Process-wide SQLite settings, before the library initialises itself:
 * its memory statistics take a global mutex on every allocation, which
 * serialises the worker threads for figures nobody reads. */
static void
configure_sqlite(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* The checkpoint thread's lock and condition (timed on CLOCK_MONOTONIC). */
static void
checkpoint_init(struct checkpointer *k)
{
	pthread_condattr_t attr;

	pthread_mutex_init(&k->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&k->wake, &attr);
	pthread_condattr_destroy(&attr);
}

static void lite_close(struct store *base);

enum zek_rc
sq_sqlite_open(const char *path, struct store **out)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct lite_store *st;
	enum zek_rc rc;

	pthread_once(&once, configure_sqlite);
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return ZEK_NOMEM;
	st->path = strdup(path);
	if (st->path == NULL) {
		free(st);
		return ZEK_NOMEM;
	}
	pthread_mutex_init(&st->write_lock, NULL);
	pthread_mutex_init(&st->dur.lock, NULL);
	pthread_cond_init(&st->dur.done, NULL);
	checkpoint_init(&st->ckpt);
	rc = sq_store_init(&st->base, &sq_sqlite_driver);
	if (rc == ZEK_OK)
		rc = lite_make_parent_dirs(path);
	if (rc != ZEK_OK)
		goto fail;
	rc = sq_store_start(&st->base);
	if (rc != ZEK_OK)
		goto fail;
	*out = &st->base;
	return ZEK_OK;
fail:
	lite_close(&st->base);
	return rc;
}

static void
lite_close(struct store *base)
{
	struct lite_store *st = (struct lite_store *)(void *)base;

	durable_stop(&st->dur);
	checkpoint_stop(&st->ckpt);
	sq_store_fini(base);
	pthread_mutex_destroy(&st->write_lock);
	pthread_mutex_destroy(&st->dur.lock);
	pthread_cond_destroy(&st->dur.done);
	pthread_mutex_destroy(&st->ckpt.lock);
	pthread_cond_destroy(&st->ckpt.wake);
	free(st->path);
	free(st);
}

/* ---- transactions ---- */

/* Outside a scope: the write lock, then BEGIN IMMEDIATE. */
static enum zek_rc
lite_tx_begin(struct store_conn *base)
{
	struct lite_conn *c = lite_conn(base);
	enum zek_rc rc;

	write_acquire(c);
	rc = lite_exec(c, "BEGIN IMMEDIATE");
	write_release(c); /* only if BEGIN failed */
	return rc;
}

static enum zek_rc
lite_tx_commit(struct store_conn *base)
{
	struct lite_conn *c = lite_conn(base);
	enum zek_rc rc;

	rc = lite_exec(c, "COMMIT");
	write_release(c); /* without WAL; else on_wal_commit did */
	return rc;
}

static enum zek_rc
lite_tx_rollback(struct store_conn *base)
{
	struct lite_conn *c = lite_conn(base);
	enum zek_rc rc = ZEK_OK;

	if (!sqlite3_get_autocommit(c->db))
		rc = lite_exec(c, "ROLLBACK");
	write_release(c);
	return rc;
}

/* In a scope: its write transaction, unless it writes already. */
static enum zek_rc
lite_scope_open(struct store_conn *base)
{
	struct lite_conn *c = lite_conn(base);

	if (sqlite3_get_autocommit(c->db) || c->reading)
		return scope_open(c);
	return ZEK_OK;
}

static enum zek_rc
lite_tx_exec(struct store_conn *c, const char *sql)
{
	return lite_exec(lite_conn(c), sql);
}

/* SQLite rolls the whole transaction back on some failures (SQLITE_FULL,
 * SQLITE_IOERR, ...). */
static enum sq_tx
lite_tx_state(struct store_conn *c)
{
	return sqlite3_get_autocommit(lite_conn(c)->db) ? SQ_TX_NONE :
	                                                  SQ_TX_OPEN;
}

static void
lite_scope_begin(struct store_conn *base)
{
	lite_conn(base)->reading = false;
}

static enum zek_rc
scope_finish(struct lite_conn *c, bool commit)
{
	sqlite3_stmt *st;
	enum zek_rc rc = ZEK_OK;

	/* A statement still running keeps its read snapshot and, if it
	 * writes, the lock: reset it so the next request starts clean. */
	for (st = sqlite3_next_stmt(c->db, NULL); st != NULL;
	     st = sqlite3_next_stmt(c->db, st)) {
		if (sqlite3_stmt_busy(st)) {
			log_error("store", "statement left running",
			    LOG_FIELDS(LOG_S("statement", sqlite3_sql(st))));
			sqlite3_reset(st);
		}
	}
	if (sqlite3_get_autocommit(c->db))
		return ZEK_OK;
	if (commit) {
		rc = lite_exec(c, "COMMIT");
		if (rc == ZEK_OK)
			return ZEK_OK;
	}
	if (lite_exec(c, "ROLLBACK") != ZEK_OK)
		log_error("store", "rollback failed", NULL);
	return commit ? rc : ZEK_OK;
}

static enum zek_rc
lite_scope_end(struct store_conn *base, bool commit)
{
	struct lite_conn *c = lite_conn(base);
	enum zek_rc rc = scope_finish(c, commit);

	c->reading = false;
	c->defer_sync = false;
	write_release(c);
	return rc;
}

/* ---- the driver ---- */

/* Hands the freed pages back to the file system (incremental auto-vacuum;
 * does nothing in a database made before it, see lite_conn_open). */
static enum zek_rc
lite_reclaim(struct store_conn *c)
{
	return sq_exec(c, "PRAGMA incremental_vacuum", "");
}

const struct sq_driver sq_sqlite_driver = {
	.name = "sqlite",
	.is_pg = false,
	.conn_open = lite_conn_open,
	.conn_free = lite_conn_free,
	.close = lite_close,
	.start = lite_start,
	.next = lite_next_stmt,
	.finish = lite_finish_stmt,
	.changes = lite_changes,
	.col_i64 = lite_col_i64,
	.col_copy = lite_col_copy,
	.exec_sql = lite_exec_sql,
	.collect_cached = lite_collect_cached,
	.query_i64_cached = lite_query_i64_cached,
	.tx_begin = lite_tx_begin,
	.tx_commit = lite_tx_commit,
	.tx_rollback = lite_tx_rollback,
	.scope_open = lite_scope_open,
	.tx_exec = lite_tx_exec,
	.tx_state = lite_tx_state,
	.scope_begin = lite_scope_begin,
	.scope_end = lite_scope_end,
	.scope_defer = lite_scope_defer,
	.scope_ticket = lite_scope_ticket,
	.durable_wait = lite_durable_wait,
	.durable_notify = lite_durable_notify,
	.migrations = sqlite_migrations,
	.nmigrations = &sqlite_nmigrations,
	.migrate_begin = lite_migrate_begin,
	.migrate_end = lite_migrate_end,
	.requests_list = lite_requests_list,
	.queue_page = lite_queue_page,
	.queue_count = lite_queue_count,
	.reclaim = lite_reclaim,
};
