/* jsonalloc.h: faster small allocations for jansson (per-thread block cache). */
#ifndef ZEK_RENDER_JSONALLOC_H
#define ZEK_RENDER_JSONALLOC_H

/* Makes jansson allocate through a per-thread cache of small malloc
 * blocks (see jsonalloc.c); once per process, safe at any time and from
 * any thread, since every block is a plain malloc block. A no-op in
 * sanitizer builds. templates_load calls it. */
void jsonalloc_init(void);

#endif
