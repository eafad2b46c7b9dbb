/* pack.c: json_pack's format for template contexts, without its checks of
 * keys and its per-byte UTF-8 calls (see pack.h). */
#include "render/pack.h"

#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "lib/utf8.h"
#include "render/jsonalloc.h"

struct packer {
	const char *f;
	va_list ap;
	bool failed;
	bool broken; /* a letter not known: the arguments cannot be read on */
};

static json_t *pack_value(struct packer *p);

static void
skip_separators(struct packer *p)
{
	while (*p->f == ' ' || *p->f == ',' || *p->f == ':' || *p->f == '\t' ||
	    *p->f == '\n')
		p->f++;
}

/* True when the next letter is c (and steps over it). */
static bool
modifier(struct packer *p, char c)
{
	if (*p->f != c)
		return false;
	p->f++;
	return true;
}

static json_t *
fail(struct packer *p)
{
	p->failed = true;
	return NULL;
}

static json_t *
pack_string(struct packer *p)
{
	const char *s = va_arg(p->ap, const char *);
	size_t len = 0;
	bool counted = modifier(p, '%');

	if (counted)
		len = va_arg(p->ap, size_t);
	if (modifier(p, '?') && s == NULL)
		return json_null();
	if (s == NULL)
		return fail(p);
	if (!counted)
		len = strlen(s);
	if (!utf8_valid(s, len))
		return fail(p);
	return json_stringn_nocheck(s, len);
}

static json_t *
pack_ref(struct packer *p, bool add)
{
	json_t *v = va_arg(p->ap, json_t *);

	if (modifier(p, '?') && v == NULL)
		return json_null();
	if (v == NULL)
		return fail(p);
	return add ? json_incref(v) : v;
}

/* Before an item of container c, which ends with `closer`: 1 when c
 * ends here (stepped over), 0 when an item follows, -1 when the format
 * cannot be read on (c is released, the call fails). */
static int
container_next(struct packer *p, char closer, json_t *c)
{
	skip_separators(p);
	if (!p->broken && *p->f == closer) {
		p->f++;
		return 1;
	}
	if (!p->broken && *p->f != '\0')
		return 0;
	p->broken = true;
	json_decref(c);
	fail(p);
	return -1;
}

/* Takes v into c (by key into an object). A failed value fails the whole,
 * but the rest is still read, so that every "o" given is released with
 * the container. */
static void
container_take(struct packer *p, json_t *c, const char *key, json_t *v)
{
	int rc;

	if (v == NULL || c == NULL) {
		json_decref(v);
		return;
	}
	rc = json_is_object(c) ? json_object_set_new_nocheck(c, key, v) :
	                         json_array_append_new(c, v);
	if (rc != 0)
		p->failed = true;
}

static json_t *
pack_object(struct packer *p)
{
	json_t *obj = json_object();
	const char *key;
	int end;

	if (obj == NULL)
		p->failed = true;
	while ((end = container_next(p, '}', obj)) == 0) {
		if (*p->f != 's') {
			p->broken = true;
			continue; /* container_next releases obj */
		}
		p->f++;
		key = va_arg(p->ap, const char *);
		if (key == NULL)
			p->failed = true;
		skip_separators(p);
		container_take(p, key != NULL ? obj : NULL, key, pack_value(p));
	}
	return end > 0 ? obj : NULL;
}

static json_t *
pack_array(struct packer *p)
{
	json_t *arr = json_array();
	int end;

	if (arr == NULL)
		p->failed = true;
	while ((end = container_next(p, ']', arr)) == 0)
		container_take(p, arr, NULL, pack_value(p));
	return end > 0 ? arr : NULL;
}

static json_t *
pack_value(struct packer *p)
{
	switch (*p->f++) {
	case '{':
		return pack_object(p);
	case '[':
		return pack_array(p);
	case 's':
		return pack_string(p);
	case 'b':
		return json_boolean(va_arg(p->ap, int));
	case 'i':
		return json_integer(va_arg(p->ap, int));
	case 'I':
		return json_integer(va_arg(p->ap, json_int_t));
	case 'o':
		return pack_ref(p, false);
	case 'O':
		return pack_ref(p, true);
	default:
		p->f--;
		p->broken = true;
		return fail(p);
	}
}

json_t *
ctx_pack(const char *fmt, ...)
{
	struct packer p = { .f = fmt, .failed = false };
	json_t *v;

	va_start(p.ap, fmt);
	skip_separators(&p);
	v = pack_value(&p);
	skip_separators(&p);
	va_end(p.ap);
	if (p.failed || *p.f != '\0') {
		json_decref(v);
		jsonalloc_note_failure(); /* the page it was for is incomplete */
		return NULL;
	}
	return v;
}
