/* store_backup.h: zek backup and zek restore, a SQLite installation's
 * database copied out while zek serves it, and into an empty place. */
#ifndef ZEK_STORE_BACKUP_H
#define ZEK_STORE_BACKUP_H

#include <stdint.h>

#include "lib/zek.h"

struct store_backup_stats {
	int64_t schema_version; /* of the copy (restore: after upgrading) */
	int64_t schema_before;  /* restore: of the file as it came */
	int64_t bytes;
	double seconds;
};

/*
 * Copies the SQLite database `db` into the new file `file`, consistent as
 * of one moment, while other processes (zek serve) go on writing to it:
 * SQLite's online backup API in steps of a few pages, all inside one read
 * transaction, so the copy never restarts and ends under any write load.
 * Written to FILE.tmp (mode 0600: it holds password hashes), checked with
 * quick_check, synced, then renamed to `file`; never over an existing one.
 * The copy needs no -wal file beside it. Says on stderr why it refused or
 * failed: ZEK_INVALID (a PostgreSQL `db`, `file` exists, not a zek
 * database, a schema newer than this zek), ZEK_IO, ZEK_NOMEM.
 */
enum zek_rc store_backup(const char *db, const char *file,
    struct store_backup_stats *out);

/*
 * Puts the backup `file` in place as the SQLite database `db`, which must
 * not exist or be empty (no tables). The file is copied to DB.tmp, must
 * pass integrity_check and be a zek database no newer than this zek, is
 * migrated to this zek's schema there, synced and renamed to `db`; `file`
 * itself is not changed. Errors as store_backup.
 */
enum zek_rc store_restore(const char *file, const char *db,
    struct store_backup_stats *out);

#endif
