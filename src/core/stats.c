/* stats.c: process-wide counters for /metrics, kept with atomics. */
#include "core/stats.h"

#include <stdatomic.h>

#include "store/store.h"

static atomic_uint_fast64_t stats[STAT_MAX];

void
core_stat_add(enum core_stat s, uint64_t n)
{
	if (s < STAT_MAX)
		atomic_fetch_add(&stats[s], n);
}

uint64_t
core_stat(enum core_stat s)
{
	return s < STAT_MAX ? atomic_load(&stats[s]) : 0;
}

size_t
core_db_error_kinds(void)
{
	return STORE_ERR_MAX;
}

uint64_t
core_db_errors(size_t i, const char **name)
{
	*name = store_error_kind_name((enum store_error_kind)i);
	return store_errors_total((enum store_error_kind)i);
}

uint64_t
core_db_retries(void)
{
	return store_retries_total();
}
