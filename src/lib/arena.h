/* arena.h: per-request region allocator; everything is freed at once. */
#ifndef ZEK_ARENA_H
#define ZEK_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct arena;

/* Creates an arena that refuses to hand out more than `limit` bytes in
 * total (0 = no limit). Returns NULL when out of memory. */
struct arena *arena_new(size_t limit);

/* Runs the registered cleanups (last registered first) and frees every
 * block. NULL is allowed. */
void arena_free(struct arena *a);

/* Returns `n` bytes aligned for any type, or NULL when memory or the
 * arena's limit is exhausted. Never aborts. */
void *arena_alloc(struct arena *a, size_t n);
void *arena_calloc(struct arena *a, size_t count, size_t size);
/* Grows a block that came from this arena; the old contents are kept. */
void *arena_realloc(struct arena *a, void *old, size_t oldn, size_t newn);
/* Room for element n of the array arr (of *cap elements of `size` bytes):
 * arr itself while n < *cap, else a copy twice as large (8 at first) with
 * *cap updated. NULL when out of memory or on overflow (arr stays valid). */
void *arena_grow(struct arena *a, void *arr, size_t n, size_t *cap,
    size_t size);

char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap);

/* Registers fn(p) to run when the arena is freed: for foreign objects
 * (sqlite3_stmt, json_t, cmark_node). Returns 0, or -1 when out of memory,
 * in which case fn(p) has already been run so nothing leaks. */
int arena_defer(struct arena *a, void (*fn)(void *), void *p);

/* Bytes handed out so far. */
size_t arena_used(const struct arena *a);
/* Raises the limit by n bytes (none: stays none): for work done again in
 * the same arena, which then has the room it had the first time. */
void arena_extend(struct arena *a, size_t n);

/* Fault injection for tests: the n-th allocation from now fails (n >= 1),
 * and every one after it. 0 switches it off. */
void arena_fail_after(struct arena *a, long n);

#ifdef ZEK_TEST_HOOKS
/* Test hook (sanitizer builds only): while `a` is the calling thread's
 * fault scope, every allocation on this thread (any arena, struct buf,
 * the store's malloc'd search strings) counts against a's injected
 * failure and fails with it. NULL ends the scope. */
void arena_fault_scope(struct arena *a);
/* 1 when the allocation about to be made on this thread must fail. */
int arena_fault_now(void);
/* Allocations counted since arena_fail_after (-1 when it was never
 * called); *hit tells whether the injected failure has happened. */
long arena_fault_count(const struct arena *a, int *hit);
#define ARENA_FAULT_NOW() arena_fault_now()
#else
#define ARENA_FAULT_NOW() 0
#endif

#endif
