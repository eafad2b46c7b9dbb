/* stats.h: what this process did since it started, counted for /metrics:
 * mails sent and failed, auto-close and retention runs, database errors. */
#ifndef ZEK_CORE_STATS_H
#define ZEK_CORE_STATS_H

#include <stddef.h>
#include <stdint.h>

enum core_stat {
	STAT_MAILS_SENT,
	STAT_MAILS_FAILED_PERMANENT, /* refused (5xx), not to be rendered,
	                                or given up after mail_expire_ms */
	STAT_MAILS_FAILED_TEMPORARY, /* deferred, tried again later */
	STAT_AUTO_CLOSE_RUNS,
	STAT_AUTO_CLOSED, /* requests closed by them */
	STAT_RETENTION_RUNS,
	STAT_RETENTION_DELETED, /* closed requests deleted */
	STAT_MAX
};

/* Adds n to a counter. Lock-free; any thread. */
void core_stat_add(enum core_stat s, uint64_t n);
uint64_t core_stat(enum core_stat s);

/* The database's failures by kind (store_errors_total), i from 0 to
 * core_db_error_kinds() - 1, with the kind's name ("busy", ...); and the
 * transactions it refused that ran again. */
size_t core_db_error_kinds(void);
uint64_t core_db_errors(size_t i, const char **name);
uint64_t core_db_retries(void);

#endif
