/* jsonalloc.c: a per-thread cache of small blocks for jansson's allocations. */
#include "render/jsonalloc.h"

#include "lib/arena.h"

#include <jansson.h>
#include <malloc.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

/* A page's context is a few thousand small jansson values (objects, their
 * hash buckets and keys, strings), all built and freed within the request.
 * glibc keeps only 7 freed blocks per size in its per-thread cache; the
 * rest go through its arenas, and each larger allocation then merges the
 * freed small blocks (malloc_consolidate): 10 % of a request page's
 * instructions. Here each thread keeps up to JSONALLOC_KEEP freed blocks
 * per size class and hands them out again. Blocks are ordinary malloc
 * blocks (json_dumps' result may still be released with free()), kept by
 * the size malloc_usable_size reports, so a kept block is never smaller
 * than what it is handed out for. */
#define JSONALLOC_CLASSES 8
#define JSONALLOC_KEEP 1024

static const size_t class_size[JSONALLOC_CLASSES] = {
	24,
	40,
	56,
	88,
	120,
	184,
	248,
	504,
};

struct block {
	struct block *next;
};

struct jsonalloc_cache {
	struct block *head[JSONALLOC_CLASSES];
	unsigned count[JSONALLOC_CLASSES];
};

#define JSONALLOC_MAX 504 /* the largest class */

static pthread_once_t setup_once = PTHREAD_ONCE_INIT;
static pthread_key_t cache_key; /* frees a thread's cache at its end */
static bool cache_ok;
static _Thread_local struct jsonalloc_cache *my_cache;
/* By size / 8: the smallest class that holds a request of that many
 * bytes, and the largest class a block of that usable size can serve. */
static unsigned char request_class[JSONALLOC_MAX / 8 + 1];
static unsigned char block_class[JSONALLOC_MAX / 8 + 1];

static void
tables_init(void)
{
	unsigned i, c;

	for (i = 0; i <= JSONALLOC_MAX / 8; i++) {
		for (c = 0; class_size[c] < i * 8; c++)
			;
		request_class[i] = (unsigned char)c;
		block_class[i] = JSONALLOC_CLASSES;
		for (c = JSONALLOC_CLASSES; c-- > 0;) {
			if (class_size[c] <= i * 8) {
				block_class[i] = (unsigned char)c;
				break;
			}
		}
	}
}

/* The smallest class that holds n bytes, or JSONALLOC_CLASSES. */
static unsigned
class_for_request(size_t n)
{
	return n > JSONALLOC_MAX ? JSONALLOC_CLASSES :
	                           request_class[(n + 7) / 8];
}

/* The largest class a block of `usable` bytes can serve, or
 * JSONALLOC_CLASSES (then it goes back to free()). Usable sizes of glibc
 * blocks are 8 more than a multiple of 16: 24, 40, 56 ... */
static unsigned
class_for_block(size_t usable)
{
	return usable > JSONALLOC_MAX ? JSONALLOC_CLASSES :
	                                block_class[usable / 8];
}

static void
cache_free(void *p)
{
	struct jsonalloc_cache *cache = p;
	struct block *b;
	unsigned c;

	my_cache = NULL; /* jansson may still free during thread exit */
	for (c = 0; c < JSONALLOC_CLASSES; c++) {
		while ((b = cache->head[c]) != NULL) {
			cache->head[c] = b->next;
			free(b);
		}
	}
	free(cache);
}

static struct jsonalloc_cache *
cache_get(void)
{
	struct jsonalloc_cache *cache = my_cache;

	if (cache != NULL || !cache_ok)
		return cache;
	cache = calloc(1, sizeof(*cache));
	if (cache != NULL && pthread_setspecific(cache_key, cache) != 0) {
		free(cache);
		cache = NULL;
	}
	my_cache = cache;
	return cache;
}

/* Whether a jansson allocation or a ctx_pack failed on this thread since
 * jsonalloc_begin. */
static _Thread_local bool failed_here;

void
jsonalloc_begin(void)
{
	failed_here = false;
}

void
jsonalloc_note_failure(void)
{
	failed_here = true;
}

bool
jsonalloc_failed(void)
{
	return failed_here;
}

char *
jsonalloc_dumps(const json_t *v, size_t flags)
{
	bool before = failed_here;
	char *s;

	failed_here = false;
	s = json_dumps(v, flags);
	if (s != NULL && failed_here) {
		free(s);
		s = NULL;
	}
	failed_here = failed_here || before;
	return s;
}

/* malloc that records its failure. */
static void *
noted_malloc(size_t n)
{
	void *p = malloc(n);

	if (p == NULL)
		failed_here = true;
	return p;
}

static void *
json_alloc(size_t n)
{
	struct jsonalloc_cache *cache;
	unsigned c = class_for_request(n);
	struct block *b;

	if (c == JSONALLOC_CLASSES)
		return noted_malloc(n);
	cache = cache_get();
	if (cache != NULL && (b = cache->head[c]) != NULL) {
		cache->head[c] = b->next;
		cache->count[c]--;
		return b;
	}
	return noted_malloc(class_size[c]);
}

static void
json_release(void *p)
{
	struct jsonalloc_cache *cache;
	struct block *b = p;
	unsigned c;

	if (p == NULL)
		return;
	c = class_for_block(malloc_usable_size(p));
	cache = c < JSONALLOC_CLASSES ? cache_get() : NULL;
	if (cache == NULL || cache->count[c] >= JSONALLOC_KEEP) {
		free(p);
		return;
	}
	b->next = cache->head[c];
	cache->head[c] = b;
	cache->count[c]++;
}

static void
setup(void)
{
	tables_init();
	cache_ok = pthread_key_create(&cache_key, cache_free) == 0;
	if (cache_ok)
		json_set_alloc_funcs(json_alloc, json_release);
}

#ifdef ZEK_TEST_HOOKS
static _Thread_local long json_fail_at; /* 0 = none */
static _Thread_local long json_count;

void
jsonalloc_fail_at(long n)
{
	json_fail_at = n;
	json_count = 0;
}

long
jsonalloc_count(void)
{
	return json_count;
}

/* Plain malloc, so that a use after free of a jansson value is still
 * found, failing when the request's injected failure says so: its arena's
 * countdown (X-Zek-Fail-After) or the jansson hook (X-Zek-Json-Fail-At). */
static void *
json_alloc_counted(size_t n)
{
	json_count++;
	if (ARENA_FAULT_NOW() || json_count == json_fail_at) {
		failed_here = true;
		return NULL;
	}
	return noted_malloc(n);
}

static void
setup_counted(void)
{
	json_set_alloc_funcs(json_alloc_counted, free);
}
#endif

void
jsonalloc_init(void)
{
#ifndef ZEK_TEST_HOOKS
	pthread_once(&setup_once, setup);
#else
	(void)setup;
	pthread_once(&setup_once, setup_counted);
#endif
}

bool
jsonalloc_take(json_t *obj, const struct json_member *m, size_t n)
{
	bool all = obj != NULL;
	size_t i;

	for (i = 0; i < n; i++)
		all = all && m[i].value != NULL;
	for (i = 0; i < n; i++) {
		if (all)
			json_object_set_new(obj, m[i].key, m[i].value);
		else
			json_decref(m[i].value);
	}
	return all;
}
