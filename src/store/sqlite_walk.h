/* sqlite_walk.h: a page of full-text hits in (created_at, id) order without
 * reading every hit. Private to src/store/sqlite*.c (the request list and
 * the agents' queues). */
#ifndef ZEK_STORE_SQLITE_WALK_H
#define ZEK_STORE_SQLITE_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/zek.h"

struct arena;
struct store_conn;

/* Whether hit `id` belongs on the page, beyond the FTS5 query (e.g. its
 * assignee); ZEK_OK with *keep set. */
typedef enum zek_rc (
    *walk_filter_fn)(struct store_conn *c, int64_t id, void *arg, bool *keep);

struct walk_query {
	const char *match; /* FTS5 query over request_search */
	bool newest_first; /* the order; else oldest first */
	bool has_cursor;   /* only rows after the cursor row */
	int64_t cursor_created_at;
	int64_t cursor_id;
	size_t limit;          /* 1..STORE_LIST_LIMIT_MAX */
	walk_filter_fn filter; /* NULL: every hit */
	void *filter_arg;
};

/* Up to q->limit ids of requests matching q, the first ones in q's order
 * (after the cursor), into the arena, in that order. */
enum zek_rc walk_hits(struct store_conn *c, struct arena *a,
    const struct walk_query *q, int64_t **ids, size_t *n);

/* The walk's SQL texts, for plan checks; NULL past the last. */
const char *walk_statement(size_t i);

#endif
