/* sqlite_backup.c: zek backup and zek restore of a SQLite database. */
#include "store/store_backup.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "store/migrations.h"
#include "store/query.h"
#include "store/sqlite_int.h"
#include "store/store.h"

/* Small steps, and a pause after each, leave the disk to zek serve; the
 * read transaction around them keeps the copy one snapshot, so another
 * process's writes never restart it (the backup API restarts a copy whose
 * source changed between steps only when it sees the change). */
#define STEP_PAGES 256         /* 1 MiB of 4 KiB pages */
#define STEP_PAUSE_NS 1000000L /* 1 ms */
#define BUSY_MS 10000          /* waiting for another's lock */
#define PATH_LEN 4096
#define COPY_CHUNK 65536

static enum zek_rc
say(enum zek_rc rc, const char *fmt, ...)
{
	va_list ap;

	fputs("zek: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return rc;
}

static enum zek_rc
lite_say(sqlite3 *db, const char *label, const char *what)
{
	return say(ZEK_IO, "%s: %s: %s", label, what, sqlite3_errmsg(db));
}

/* An existing database only: SQLite would make a new, empty one. */
static enum zek_rc
open_existing(const char *path, sqlite3 **out)
{
	int src;

	src = sqlite3_open_v2(path, out, SQLITE_OPEN_READWRITE, NULL);
	if (src != SQLITE_OK)
		return lite_say(*out, path, "cannot open");
	sqlite3_busy_timeout(*out, BUSY_MS);
	return ZEK_OK;
}

static enum zek_rc
exec(sqlite3 *db, const char *label, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return lite_say(db, label, sql);
	return ZEK_OK;
}

/* The first row's text of `sql` must be `want` ("ok" of integrity_check,
 * "delete" of journal_mode); else it is said as the reason. */
static enum zek_rc
answers(sqlite3 *db, const char *label, const char *sql, const char *want)
{
	sqlite3_stmt *st = NULL;
	const char *got = NULL;
	enum zek_rc rc = ZEK_OK;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return lite_say(db, label, sql);
	if (sqlite3_step(st) == SQLITE_ROW)
		got = (const char *)sqlite3_column_text(st, 0);
	if (got == NULL)
		rc = lite_say(db, label, sql);
	else if (strcmp(got, want) != 0)
		rc = say(ZEK_INVALID, "%s: %s: %s", label, sql, got);
	sqlite3_finalize(st);
	return rc;
}

/* The schema version of a zek database, no newer than this zek's. */
static enum zek_rc
schema_of(sqlite3 *db, const char *label, int64_t *version)
{
	sqlite3_stmt *st = NULL;
	enum zek_rc rc = ZEK_INVALID;

	if (sqlite3_prepare_v2(db,
	        "SELECT coalesce(max(version), 0) FROM "
	        "schema_migrations",
	        -1, &st, NULL) != SQLITE_OK)
		return say(ZEK_INVALID, "%s is not a zek database (%s)", label,
		    sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW) {
		*version = sqlite3_column_int64(st, 0);
		rc = sq_refuse_newer(*version, sqlite_nmigrations);
	} else {
		lite_say(db, label, "schema_migrations");
	}
	sqlite3_finalize(st);
	return rc;
}

/* "path.tmp": beside the target, so the rename stays on its file system. */
static enum zek_rc
tmp_name(const char *path, char *out, size_t n)
{
	if ((size_t)snprintf(out, n, "%s.tmp", path) >= n)
		return say(ZEK_INVALID, "%s: path too long", path);
	return ZEK_OK;
}

/* Claims the temporary file; a second backup or restore at once, or one
 * that was interrupted, has it already. */
static enum zek_rc
tmp_create(const char *tmp)
{
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0 && errno == EEXIST)
		return say(ZEK_INVALID,
		    "%s exists: another backup or restore "
		    "runs, or one was interrupted (then remove it)",
		    tmp);
	if (fd < 0)
		return say(ZEK_IO, "%s: %s", tmp, strerror(errno));
	close(fd);
	return ZEK_OK;
}

/* SQLite's files beside a database: gone with the temporary file, and
 * those of an empty database that a restore replaces (a stale -shm must
 * not describe the new file). */
static void
side_remove(const char *db)
{
	static const char *const side[] = { "-journal", "-wal", "-shm" };
	char path[PATH_LEN + 16];
	size_t i;

	for (i = 0; i < ZEK_ARRAY_LEN(side); i++) {
		snprintf(path, sizeof(path), "%s%s", db, side[i]);
		unlink(path);
	}
}

static void
tmp_remove(const char *tmp)
{
	unlink(tmp);
	side_remove(tmp);
}

/* fsync of a file (O_RDONLY) or, with `dir`, of the folder holding it:
 * the rename is on disk only once its folder is. */
static enum zek_rc
sync_path(const char *path, bool dir)
{
	char buf[PATH_LEN];
	const char *p = path;
	char *slash;
	int fd, err = 0;

	if (dir) {
		snprintf(buf, sizeof(buf), "%s", path);
		slash = strrchr(buf, '/');
		if (slash == NULL)
			p = ".";
		else if (slash == buf)
			p = "/";
		else {
			*slash = '\0';
			p = buf;
		}
	}
	fd = open(p, O_RDONLY | O_CLOEXEC | (dir ? O_DIRECTORY : 0));
	if (fd < 0 || fsync(fd) != 0)
		err = errno;
	if (fd >= 0)
		close(fd);
	if (err != 0)
		return say(ZEK_IO, "fsync %s: %s", p, strerror(err));
	return ZEK_OK;
}

/* The synced temporary file becomes `dst`: over an empty database when
 * `replace`, else only where nothing is (link fails on an existing name;
 * rename would replace it). */
static enum zek_rc
put_in_place(const char *tmp, const char *dst, bool replace)
{
	enum zek_rc rc = sync_path(tmp, false);

	if (rc != ZEK_OK)
		return rc;
	if (replace ? rename(tmp, dst) != 0 : link(tmp, dst) != 0)
		return say(errno == EEXIST ? ZEK_INVALID : ZEK_IO, "%s: %s",
		    dst, strerror(errno));
	if (!replace)
		unlink(tmp);
	return sync_path(dst, true);
}

static void
pause_step(void)
{
	struct timespec ts = { 0, STEP_PAUSE_NS };

	nanosleep(&ts, NULL);
}

static enum zek_rc
copy_pages(sqlite3 *src, sqlite3 *dst, const char *label)
{
	sqlite3_backup *b;
	int step = SQLITE_OK;

	b = sqlite3_backup_init(dst, "main", src, "main");
	if (b == NULL)
		return lite_say(dst, label, "backup");
	while (
	    step == SQLITE_OK || step == SQLITE_BUSY || step == SQLITE_LOCKED) {
		step = sqlite3_backup_step(b, STEP_PAGES);
		if (step != SQLITE_DONE)
			pause_step();
	}
	sqlite3_backup_finish(b);
	if (step != SQLITE_DONE)
		return say(ZEK_IO, "%s: backup: %s", label,
		    sqlite3_errstr(step));
	return ZEK_OK;
}

/* Rollback journal mode, so the file holds everything without a -wal
 * beside it (zek serve turns WAL on again), then SQLite's check: `pragma`
 * is quick_check for a fresh copy, integrity_check for a file from
 * elsewhere. */
static enum zek_rc
standalone_checked(sqlite3 *db, const char *label, const char *pragma)
{
	enum zek_rc rc;

	rc = answers(db, label, "PRAGMA journal_mode = DELETE", "delete");
	if (rc == ZEK_OK)
		rc = answers(db, label, pragma, "ok");
	return rc;
}

/* Opens `db` and begins the read transaction the whole copy is made in. */
static enum zek_rc
open_snapshot(const char *db, sqlite3 **src, int64_t *version)
{
	enum zek_rc rc = open_existing(db, src);

	if (rc == ZEK_OK)
		rc = exec(*src, db, "BEGIN");
	/* The first read fixes the snapshot. */
	if (rc == ZEK_OK)
		rc = schema_of(*src, db, version);
	return rc;
}

static enum zek_rc
write_copy(sqlite3 *src, const char *tmp)
{
	sqlite3 *dst = NULL;
	enum zek_rc rc;

	rc = open_existing(tmp, &dst);
	if (rc == ZEK_OK)
		rc = copy_pages(src, dst, tmp);
	if (rc == ZEK_OK)
		rc = standalone_checked(dst, tmp, "PRAGMA quick_check");
	if (sqlite3_close(dst) != SQLITE_OK && rc == ZEK_OK)
		rc = say(ZEK_IO, "%s: close failed", tmp);
	return rc;
}

static int64_t
file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 ? (int64_t)sb.st_size : 0;
}

enum zek_rc
store_backup(const char *db, const char *file, struct store_backup_stats *out)
{
	char tmp[PATH_LEN];
	sqlite3 *src = NULL;
	struct stat sb;
	bool made = false;
	enum zek_rc rc;

	*out = (struct store_backup_stats){ 0 };
	if (store_is_pg(db))
		return say(ZEK_INVALID,
		    "zek backup copies a SQLite database; "
		    "back up PostgreSQL with pg_dump (docs/operations.md)");
	if (lstat(file, &sb) == 0)
		return say(ZEK_INVALID,
		    "%s exists; zek backup writes a new "
		    "file only",
		    file);
	rc = tmp_name(file, tmp, sizeof(tmp));
	if (rc == ZEK_OK)
		rc = open_snapshot(db, &src, &out->schema_version);
	if (rc == ZEK_OK && (rc = tmp_create(tmp)) == ZEK_OK)
		made = true;
	if (rc == ZEK_OK)
		rc = write_copy(src, tmp);
	if (src != NULL)
		sqlite3_exec(src, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(src);
	out->bytes = file_size(tmp);
	if (rc == ZEK_OK)
		rc = put_in_place(tmp, file, false);
	if (rc != ZEK_OK && made)
		tmp_remove(tmp);
	return rc;
}

/* ---- restore ---- */

/* Whether `db` may be restored into: absent, or a database without a
 * table (*replace: it is there and gets replaced). */
static enum zek_rc
target_empty(const char *db, bool *replace)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	struct stat sb;
	int64_t n = -1;

	*replace = false;
	if (lstat(db, &sb) != 0)
		return errno == ENOENT ?
		    ZEK_OK :
		    say(ZEK_IO, "%s: %s", db, strerror(errno));
	if (!S_ISREG(sb.st_mode))
		return say(ZEK_INVALID, "%s is not a file", db);
	*replace = true;
	if (sb.st_size == 0)
		return ZEK_OK;
	if (open_existing(db, &h) == ZEK_OK &&
	    sqlite3_prepare_v2(h, "SELECT count(*) FROM sqlite_schema", -1, &st,
	        NULL) == SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	if (n != 0)
		return say(ZEK_INVALID,
		    "%s is not empty: restore into a new "
		    "path, or move the database away first",
		    db);
	return ZEK_OK;
}

/* A backup made while its database was in WAL mode and copied without
 * its log would lose what the log holds. */
static enum zek_rc
source_whole(const char *file)
{
	char wal[PATH_LEN + 8];
	struct stat sb;

	if (stat(file, &sb) != 0)
		return say(ZEK_INVALID, "%s: %s", file, strerror(errno));
	snprintf(wal, sizeof(wal), "%s-wal", file);
	if (stat(wal, &sb) == 0 && sb.st_size > 0)
		return say(ZEK_INVALID,
		    "%s has a write-ahead log beside it "
		    "(%s); make the backup with zek backup",
		    file, wal);
	return ZEK_OK;
}

static bool
write_all(int fd, const char *buf, size_t n)
{
	ssize_t k;

	while (n > 0) {
		k = write(fd, buf, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		buf += k;
		n -= (size_t)k;
	}
	return true;
}

static enum zek_rc
copy_file(const char *from, const char *to)
{
	char buf[COPY_CHUNK];
	int in, outfd;
	ssize_t n = 0;
	enum zek_rc rc = ZEK_OK;

	in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return say(ZEK_IO, "%s: %s", from, strerror(errno));
	outfd = open(to, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (outfd < 0)
		rc = say(ZEK_IO, "%s: %s", to, strerror(errno));
	while (rc == ZEK_OK && (n = read(in, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			rc = say(ZEK_IO, "%s: %s", from, strerror(errno));
		else if (!write_all(outfd, buf, (size_t)n))
			rc = say(ZEK_IO, "%s: %s", to, strerror(errno));
	}
	if (outfd >= 0)
		close(outfd);
	close(in);
	return rc;
}

/* Checks the copy with raw SQLite before zek's migrations touch it. */
static enum zek_rc
verify_copy(const char *tmp, const char *file, int64_t *version)
{
	sqlite3 *h = NULL;
	enum zek_rc rc;

	rc = open_existing(tmp, &h);
	if (rc == ZEK_OK)
		rc = answers(h, file, "PRAGMA integrity_check", "ok");
	if (rc == ZEK_OK)
		rc = schema_of(h, file, version);
	sqlite3_close(h);
	return rc;
}

/* zek's own migrations, as `zek serve` would run them, then the file made
 * whole again without its -wal. */
static enum zek_rc
upgrade_copy(const char *tmp)
{
	struct store *st = NULL;
	sqlite3 *h = NULL;
	enum zek_rc rc;

	rc = store_open(tmp, &st);
	store_close(st);
	if (rc != ZEK_OK)
		return say(rc, "%s: upgrading the schema failed", tmp);
	rc = open_existing(tmp, &h);
	if (rc == ZEK_OK)
		rc = answers(h, tmp, "PRAGMA journal_mode = DELETE", "delete");
	sqlite3_close(h);
	return rc;
}

enum zek_rc
store_restore(const char *file, const char *db, struct store_backup_stats *out)
{
	char tmp[PATH_LEN];
	bool replace = false, made = false;
	enum zek_rc rc;

	*out = (struct store_backup_stats){ 0 };
	if (store_is_pg(db))
		return say(ZEK_INVALID,
		    "zek restore makes a SQLite database; "
		    "restore PostgreSQL with pg_restore (docs/operations.md)");
	rc = source_whole(file);
	if (rc == ZEK_OK)
		rc = target_empty(db, &replace);
	if (rc == ZEK_OK)
		rc = lite_make_parent_dirs(db);
	if (rc == ZEK_OK)
		rc = tmp_name(db, tmp, sizeof(tmp));
	if (rc == ZEK_OK && (rc = tmp_create(tmp)) == ZEK_OK)
		made = true;
	if (rc == ZEK_OK)
		rc = copy_file(file, tmp);
	if (rc == ZEK_OK)
		rc = verify_copy(tmp, file, &out->schema_before);
	if (rc == ZEK_OK)
		rc = upgrade_copy(tmp);
	out->schema_version = sqlite_nmigrations;
	out->bytes = file_size(tmp);
	if (rc == ZEK_OK && replace)
		side_remove(db);
	if (rc == ZEK_OK)
		rc = put_in_place(tmp, db, replace);
	if (rc != ZEK_OK && made)
		tmp_remove(tmp);
	return rc;
}
