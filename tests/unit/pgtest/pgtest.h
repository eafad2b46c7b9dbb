/* pgtest.h: a fresh PostgreSQL database per test, on the throw-away
 * cluster tests/run-all.sh starts (tests/pg/cluster). */
#ifndef ZEK_TEST_PGTEST_H
#define ZEK_TEST_PGTEST_H

#include <stdbool.h>
#include <stddef.h>

/* Whether this test run is the PostgreSQL one: ZEK_TEST_BACKEND=pg. Such
 * a run without a cluster (ZEK_TEST_PG unset) is skipped with exit 77, so
 * a machine without PostgreSQL still runs the SQLite ones. */
bool pgtest_wanted(void);
/* Exits 77 (skipped) with the reason when the cluster is not there. */
void pgtest_require(void);
/* Creates an empty database and writes its libpq URL to url (and its name
 * to name); aborts the test run on failure. */
void pgtest_create(char *url, size_t url_n, char *name, size_t name_n);
/* Drops the database (after every connection to it is closed). */
void pgtest_drop(const char *name);

#endif
