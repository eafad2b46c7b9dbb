/* fuzz_form_urlencoded.c: form_parse_urlencoded against its round trip and limits. */
#include <stdbool.h>

#include "fuzz.h"
#include "http/form.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/utf8.h"
#include "lib/zek.h"

#define ARENA_LIMIT (256u << 10)    /* a small per-request arena */
#define OUT_MAX (1u << 20)

static bool
same_fields(const struct form *a, const struct form *b)
{
	size_t i;

	if (a->count != b->count)
		return false;
	for (i = 0; i < a->count; i++) {
		const struct form_field *x = &a->fields[i], *y = &b->fields[i];
		if (strcmp(x->name, y->name) != 0 || x->len != y->len ||
		    memcmp(x->value, y->value, x->len) != 0)
			return false;
	}
	return true;
}

/* What every accepted form must look like under lim. */
static void
check_form(const struct form *f, const struct form_limits *lim,
    const char *body, size_t len)
{
	size_t i, nlen;

	FUZZ_CHECK(f->count <= lim->max_fields, "%zu fields", f->count);
	FUZZ_CHECK(f->count <= len, "%zu fields from %zu bytes", f->count, len);
	for (i = 0; i < f->count; i++) {
		const struct form_field *fld = &f->fields[i];
		FUZZ_CHECK(fld->name != NULL && fld->value != NULL, "field %zu", i);
		nlen = strlen(fld->name);
		FUZZ_CHECK(nlen > 0 && nlen <= lim->max_name, "name length %zu", nlen);
		FUZZ_CHECK(utf8_clean_text(fld->name, nlen, false) &&
		    strchr(fld->name, '\t') == NULL, "name '%s' not clean", fld->name);
		FUZZ_CHECK(fld->len <= lim->max_value, "value length %zu", fld->len);
		FUZZ_CHECK(fld->value[fld->len] == '\0', "value not terminated");
		FUZZ_CHECK(strlen(fld->value) == fld->len, "a NUL cuts a value");
		FUZZ_CHECK(fld->filename == NULL && fld->content_type == NULL &&
		    !fld->too_big, "urlencoded field %zu looks like a file", i);
	}
	(void)body;
}

/* Encodes f, parses the result under lim and wants the same fields; the
 * encoding of that is the same text again (the encoding is canonical). */
static void
check_roundtrip(const struct form *f, const struct form_limits *lim)
{
	struct arena *a = arena_new(0);
	struct buf enc, enc2;
	struct form g;
	int rc;

	if (a == NULL)
		abort();
	buf_init(&enc, OUT_MAX);
	buf_init(&enc2, OUT_MAX);
	FUZZ_CHECK(form_urlencode(f, &enc) == ZEK_OK, "encode failed");
	rc = form_parse_urlencoded(a, enc.data != NULL ? enc.data : "", enc.len,
	    lim, &g, NULL);
	FUZZ_CHECK(rc == ZEK_OK, "re-parse of '%.200s' gave %s", enc.data,
	    zek_rc_name(rc));
	FUZZ_CHECK(same_fields(f, &g), "re-parse of '%.200s' differs", enc.data);
	FUZZ_CHECK(form_urlencode(&g, &enc2) == ZEK_OK, "encode failed");
	FUZZ_CHECK(enc.len == enc2.len && (enc.len == 0 ||
	    memcmp(enc.data, enc2.data, enc.len) == 0), "encoding not stable");
	buf_free(&enc);
	buf_free(&enc2);
	arena_free(a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	struct form_limits def, small = {
		.max_fields = 8, .max_name = 16, .max_value = 64,
		.max_file = 0, .max_files = 0,
	};
	struct arena *a, *b;
	struct form f, g;
	const char *bad = NULL, *bad2 = NULL;
	int rc, rc_small;
	long k;

	form_limits_default(&def);
	a = arena_new(ARENA_LIMIT);
	b = arena_new(ARENA_LIMIT);
	if (a == NULL || b == NULL)
		abort();
	rc = form_parse_urlencoded(a, body, size, &def, &f, &bad);
	FUZZ_CHECK(rc == ZEK_OK || rc == ZEK_INVALID || rc == ZEK_TOOBIG ||
	    rc == ZEK_NOMEM, "rc %d", rc);
	FUZZ_CHECK(bad == NULL || rc == ZEK_TOOBIG, "bad_field without TOOBIG");
	if (bad != NULL)
		FUZZ_CHECK(*bad != '\0' && strlen(bad) <= def.max_name &&
		    utf8_clean_text(bad, strlen(bad), false), "bad field name");
	if (rc == ZEK_OK) {
		check_form(&f, &def, body, size);
		check_roundtrip(&f, &def);
	}

	/* Tighter limits never accept more: what they accept is the same. */
	rc_small = form_parse_urlencoded(b, body, size, &small, &g, &bad2);
	if (rc_small == ZEK_OK) {
		FUZZ_CHECK(rc == ZEK_OK, "small limits accept, defaults give %s",
		    zek_rc_name(rc));
		check_form(&g, &small, body, size);
		FUZZ_CHECK(same_fields(&f, &g), "limits change the fields");
		check_roundtrip(&g, &small);
	}
	arena_free(b);

	/* Out of memory at the k-th allocation: a clean ZEK_NOMEM, or the
	 * same answer when the parse needed fewer allocations. */
	k = size > 0 ? 1 + data[size - 1] % 24 : 1;
	b = arena_new(ARENA_LIMIT);
	if (b == NULL)
		abort();
	arena_fail_after(b, k);
	rc_small = form_parse_urlencoded(b, body, size, &def, &g, NULL);
	FUZZ_CHECK(rc_small == rc || rc_small == ZEK_NOMEM,
	    "failing allocation %ld: %s instead of %s", k,
	    zek_rc_name(rc_small), zek_rc_name(rc));
	if (rc_small == ZEK_OK)
		FUZZ_CHECK(same_fields(&f, &g), "fields differ");
	arena_free(b);
	arena_free(a);
	return 0;
}
