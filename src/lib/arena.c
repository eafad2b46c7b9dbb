/* arena.c: region allocator with cleanups, a byte limit and fault injection. */
#include "arena.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK 8192
#define ARENA_ALIGN 16

struct block {
	struct block *next;
	size_t size;
	size_t used;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

struct cleanup {
	struct cleanup *next;
	void (*fn)(void *);
	void *p;
};

struct arena {
	struct block *head;
	struct cleanup *cleanups;
	size_t limit;
	size_t handed;
	long fail_in; /* > 0: allocations left before the injected failure */
	int failing;
	long counted; /* allocations since arena_fail_after, -1 before */
};

struct arena *
arena_new(size_t limit)
{
	struct arena *a = ARENA_FAULT_NOW() ? NULL : calloc(1, sizeof(*a));

	if (a != NULL) {
		a->limit = limit;
		a->counted = -1;
	}
	return a;
}

void
arena_free(struct arena *a)
{
	struct cleanup *c;
	struct block *b, *next;

	if (a == NULL)
		return;
	/* Cleanups are themselves arena memory, so run them before the blocks go. */
	for (c = a->cleanups; c != NULL; c = c->next)
		c->fn(c->p);
	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	free(a);
}

static int
counted_failure(struct arena *a)
{
	if (a->counted >= 0)
		a->counted++;
	if (a->failing)
		return 1;
	if (a->fail_in > 0 && --a->fail_in == 0) {
		a->failing = 1;
		return 1;
	}
	return 0;
}

#ifdef ZEK_TEST_HOOKS
/* The arena whose injected failure every allocation of this thread
 * shares (see arena_fault_scope). */
static _Thread_local struct arena *fault_scope;

void
arena_fault_scope(struct arena *a)
{
	fault_scope = a;
}

int
arena_fault_now(void)
{
	return fault_scope != NULL && counted_failure(fault_scope);
}

long
arena_fault_count(const struct arena *a, int *hit)
{
	*hit = a->failing;
	return a->counted;
}
#endif

static int
injected_failure(struct arena *a)
{
#ifdef ZEK_TEST_HOOKS
	if (fault_scope != NULL && fault_scope != a &&
	    counted_failure(fault_scope))
		return 1;
#endif
	return counted_failure(a);
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct block *b;
	size_t need, size;

	if (n == 0)
		n = 1;
	if (n > SIZE_MAX / 2 || injected_failure(a))
		return NULL;
	need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (a->limit != 0 && a->handed + need > a->limit)
		return NULL;
	b = a->head;
	if (b == NULL || b->size - b->used < need) {
		size = need > ARENA_BLOCK / 2 ? need : ARENA_BLOCK;
		b = malloc(sizeof(*b) + size);
		if (b == NULL)
			return NULL;
		b->size = size;
		b->used = 0;
		if (need > ARENA_BLOCK / 2 && a->head != NULL) {
			/* Big allocations get their own block behind the current one,
			 * so the current block's free space is not wasted. */
			b->next = a->head->next;
			a->head->next = b;
		} else {
			b->next = a->head;
			a->head = b;
		}
	}
	b->used += need;
	a->handed += need;
	return b->data + b->used - need;
}

void *
arena_calloc(struct arena *a, size_t count, size_t size)
{
	void *p;

	if (size != 0 && count > SIZE_MAX / size)
		return NULL;
	p = arena_alloc(a, count * size);
	if (p != NULL)
		memset(p, 0, count * size);
	return p;
}

void *
arena_realloc(struct arena *a, void *old, size_t oldn, size_t newn)
{
	void *p;

	if (newn <= oldn && old != NULL)
		return old;
	p = arena_alloc(a, newn);
	if (p != NULL && old != NULL)
		memcpy(p, old, oldn);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	if (p == NULL)
		return NULL;
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return s == NULL ? NULL : arena_strndup(a, s, strlen(s));
}

char *
arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list ap2;
	char *p;
	int n;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return NULL;
	p = arena_alloc(a, (size_t)n + 1);
	if (p != NULL)
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

int
arena_defer(struct arena *a, void (*fn)(void *), void *p)
{
	struct cleanup *c = arena_alloc(a, sizeof(*c));

	if (c == NULL) {
		fn(p);
		return -1;
	}
	c->fn = fn;
	c->p = p;
	c->next = a->cleanups;
	a->cleanups = c;
	return 0;
}

size_t
arena_used(const struct arena *a)
{
	return a->handed;
}

void
arena_extend(struct arena *a, size_t n)
{
	if (a->limit == 0)
		return;
	a->limit = n > SIZE_MAX - a->limit ? SIZE_MAX : a->limit + n;
}

void
arena_fail_after(struct arena *a, long n)
{
	a->fail_in = n > 0 ? n : 0;
	a->failing = 0;
	a->counted = n > 0 ? 0 : -1;
}

void *
arena_grow(struct arena *a, void *arr, size_t n, size_t *cap, size_t size)
{
	size_t ncap;

	if (n < *cap)
		return arr;
	ncap = *cap == 0 ? 8 : *cap * 2;
	if (ncap < *cap || size == 0 || ncap > SIZE_MAX / size)
		return NULL;
	arr = arena_realloc(a, arr, *cap * size, ncap * size);
	if (arr != NULL)
		*cap = ncap;
	return arr;
}
