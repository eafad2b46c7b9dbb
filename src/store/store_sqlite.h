/* store_sqlite.h: what only the SQLite backend has, for tests and bench/
 * to check its query plans. */
#ifndef ZEK_STORE_SQLITE_H
#define ZEK_STORE_SQLITE_H

#include <stddef.h>

/* Up to this many search matches a queue read takes every match by id and
 * sorts them; above, it walks the queue's index and keeps the matches. */
#define STORE_QUEUE_DIRECT_MAX 2000

/* The list's SQL texts (FTS5 and the walk); NULL past the last. */
const char *store_list_statement(size_t i);
/* The reports' reads (SQLite's texts); NULL past the last. */
const char *store_report_statement(size_t i);
/* The queues' SQL texts; NULL past the last. */
const char *store_queue_statement(size_t i);

#endif
