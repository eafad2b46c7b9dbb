/* pg_search.h: the request list and the agents' queues on PostgreSQL
 * (pg_search.c), as store.h describes store_requests_list,
 * store_queue_page and store_queue_count. Private to src/store/pg*.c. */
#ifndef ZEK_STORE_PG_SEARCH_H
#define ZEK_STORE_PG_SEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/zek.h"
#include "store/store.h"

struct arena;

enum zek_rc pg_requests_list(struct store_conn *c, struct arena *a,
    const struct store_list_query *q, struct store_list_row **rows, size_t *n,
    int64_t *total, bool *capped);
enum zek_rc pg_queue_page(struct store_conn *c, struct arena *a,
    const struct store_queue_query *q, struct store_queue_row **rows,
    size_t *n);
enum zek_rc pg_queue_count(struct store_conn *c, struct arena *a,
    const struct store_queue_query *q, const char *const *statuses,
    size_t nstatuses, int64_t *out);

#endif
