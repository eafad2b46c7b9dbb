/* jsonalloc.h: faster small allocations for jansson (per-thread block cache). */
#ifndef ZEK_RENDER_JSONALLOC_H
#define ZEK_RENDER_JSONALLOC_H

#include <jansson.h>
#include <stdbool.h>

/* Makes jansson allocate through a per-thread cache of small malloc
 * blocks (see jsonalloc.c); once per process, safe at any time and from
 * any thread, since every block is a plain malloc block. Sanitizer builds
 * keep plain malloc/free, counted by the allocation-failure injection
 * (arena_fault_scope): a jansson allocation fails with the request's
 * injected failure. templates_load calls it. */
void jsonalloc_init(void);

/* A page context is built with many calls whose results nobody checks
 * (json_object_set_new, json_array_append_new, ctx_pack): a failed one
 * leaves a section out. Instead, the first failure on the calling thread
 * is remembered: jsonalloc_begin forgets it (at the start of a request's
 * work), every failed jansson allocation and every failed ctx_pack
 * records it (jsonalloc_note_failure), and whoever turns a context into
 * an answer asks jsonalloc_failed first, answering an error instead of a
 * page with holes. */
void jsonalloc_begin(void);
void jsonalloc_note_failure(void);
bool jsonalloc_failed(void);

/* json_dumps that fails (NULL) when an allocation failed while dumping:
 * jansson ignores some of those and leaves bytes out (a key without its
 * closing quote). Keeps a failure recorded before. Free with free(). */
char *jsonalloc_dumps(const json_t *v, size_t flags);

/* A value to put into an object under a key (jsonalloc_take). */
struct json_member {
	const char *key;
	json_t *value;
};

/* Puts the n values into obj under their keys, taking them; when any of
 * them is NULL (its allocation failed) none is set, all are released and
 * false is returned, so the caller answers "out of memory" once. */
bool jsonalloc_take(json_t *obj, const struct json_member *m, size_t n);

#ifdef ZEK_TEST_HOOKS
/* Test hook: from now on, on the calling thread, the n-th jansson
 * allocation fails (that one only: a moment of memory pressure that code
 * ignoring a result would not notice); 0 fails none. Either way the count
 * of jansson allocations starts again. */
void jsonalloc_fail_at(long n);
/* jansson allocations on this thread since jsonalloc_fail_at. */
long jsonalloc_count(void);
#endif

#endif
