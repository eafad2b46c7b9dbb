/* store_copy.h: moving an installation from SQLite to PostgreSQL
 * (zek copy-db). */
#ifndef ZEK_STORE_COPY_H
#define ZEK_STORE_COPY_H

#include <stddef.h>
#include <stdint.h>

#include "lib/zek.h"

struct store_copy_stats {
	size_t tables;  /* tables copied (and compared) */
	int64_t rows;   /* rows copied, all tables */
	double seconds; /* from opening both to the commit */
};

/*
 * Copies every row of the SQLite file `from` into the PostgreSQL database
 * `to` (store_is_pg) in one transaction. Both are opened with store_open,
 * so both are migrated first. Refuses, changing nothing in `to`:
 * - a schema newer than this binary knows, on either side (ZEK_INVALID);
 * - tables or columns found on one side only, apart from the backend's
 *   own ones that copy.c lists with their reason (ZEK_INVALID);
 * - a target that holds any row (ZEK_CONFLICT).
 * Then sets each sequence past the highest copied id, and before the
 * commit compares every table's row count and checksum on both sides;
 * a difference rolls everything back (ZEK_IO). Progress and every reason
 * go to standard error, the target without its password.
 */
enum zek_rc store_copy_db(const char *from, const char *to,
    struct store_copy_stats *out);

#endif
