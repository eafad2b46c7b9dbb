/* fuzz_multipart.c: form_parse_multipart (Content-Type and body) against its limits and a re-encoding. */
#include <stdbool.h>

#include "fuzz.h"
#include "http/form.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/utf8.h"
#include "lib/zek.h"

/* The input is "<Content-Type value>\n<body>". */
#define ARENA_LIMIT (256u << 10)
#define OUT_MAX (4u << 20)
#define PART_TYPE_MAX 255

static const struct form_limits small = {
	.max_fields = 12, .max_name = 32, .max_value = 512,
	.max_file = 128, .max_files = 3,
};
static const struct form_limits large = {
	.max_fields = 200, .max_name = 128, .max_value = 64 * 1024,
	.max_file = 1u << 20, .max_files = 10,
};

/* Same fields; a value is only compared where both sides kept one
 * (limits may turn a file into a too_big one). */
static bool
same_fields(const struct form *a, const struct form *b, bool values)
{
	size_t i;

	if (a->count != b->count)
		return false;
	for (i = 0; i < a->count; i++) {
		const struct form_field *x = &a->fields[i], *y = &b->fields[i];
		if (strcmp(x->name, y->name) != 0 || x->len != y->len ||
		    (x->filename == NULL) != (y->filename == NULL) ||
		    (x->filename != NULL && strcmp(x->filename, y->filename) != 0) ||
		    (x->content_type == NULL) != (y->content_type == NULL) ||
		    (x->content_type != NULL &&
		    strcmp(x->content_type, y->content_type) != 0))
			return false;
		if (values && (x->too_big != y->too_big ||
		    (x->value == NULL) != (y->value == NULL)))
			return false;
		if (x->value != NULL && y->value != NULL &&
		    memcmp(x->value, y->value, x->len) != 0)
			return false;
	}
	return true;
}

static bool
no_controls(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

/* True when v[0..n) is somewhere in the body, a sent NUL read as the 0xFF
 * that the parser puts in its place. */
static bool
from_body(const char *body, size_t len, const char *v, size_t n)
{
	size_t at, k;

	for (at = 0; at + n <= len; at++) {
		for (k = 0; k < n; k++)
			if (body[at + k] != v[k] &&
			    !(body[at + k] == '\0' && v[k] == '\xff'))
				break;
		if (k == n)
			return true;
	}
	return false;
}

/* What every accepted form must look like: limits, clean names, file
 * contents inside the body, cleaned file names, no NUL in a text value. */
static void
check_form(const struct form *f, const struct form_limits *lim,
    const char *body, size_t len)
{
	size_t i, n, files = 0;

	FUZZ_CHECK(f->count <= lim->max_fields, "%zu fields", f->count);
	for (i = 0; i < f->count; i++) {
		const struct form_field *fld = &f->fields[i];
		FUZZ_CHECK(fld->name != NULL, "field %zu without name", i);
		n = strlen(fld->name);
		FUZZ_CHECK(n > 0 && n <= lim->max_name, "name length %zu", n);
		FUZZ_CHECK(utf8_clean_text(fld->name, n, false) &&
		    strchr(fld->name, '\t') == NULL, "name not clean");
		FUZZ_CHECK(fld->len <= len, "part of %zu bytes in a body of %zu",
		    fld->len, len);
		if (fld->content_type != NULL)
			FUZZ_CHECK(strlen(fld->content_type) <= PART_TYPE_MAX &&
			    no_controls(fld->content_type), "part Content-Type");
		if (fld->filename == NULL) {
			FUZZ_CHECK(!fld->too_big && fld->value != NULL, "value");
			FUZZ_CHECK(fld->len <= lim->max_value, "value of %zu", fld->len);
			FUZZ_CHECK(fld->value[fld->len] == '\0', "not terminated");
			FUZZ_CHECK(strlen(fld->value) == fld->len,
			    "a NUL cuts a value");
			FUZZ_CHECK(fld->len == 0 ||
			    from_body(body, len, fld->value, fld->len),
			    "value not from the body");
			continue;
		}
		files++;
		n = strlen(fld->filename);
		FUZZ_CHECK(n <= FORM_MAX_FILENAME, "file name of %zu", n);
		FUZZ_CHECK(strpbrk(fld->filename, "/\\\t") == NULL &&
		    utf8_clean_text(fld->filename, n, false),
		    "file name '%s' keeps a path or control", fld->filename);
		FUZZ_CHECK(strcmp(fld->filename, ".") != 0 &&
		    strcmp(fld->filename, "..") != 0, "file name '%s'", fld->filename);
		FUZZ_CHECK(fld->too_big == (fld->len > lim->max_file),
		    "too_big %d for %zu bytes", fld->too_big, fld->len);
		if (fld->too_big) {
			FUZZ_CHECK(fld->value == NULL, "too big file keeps a value");
			continue;
		}
		FUZZ_CHECK(fld->value != NULL && fld->value >= body &&
		    fld->value + fld->len <= body + len,
		    "file contents outside the body");
	}
	FUZZ_CHECK(files <= lim->max_files, "%zu files", files);
}

/* A boundary that occurs in no value of f. */
static void
pick_boundary(const struct form *f, char *bnd, size_t n)
{
	char delim[64];
	size_t i, k;
	bool clash;

	for (k = 0;; k++) {
		snprintf(bnd, n, "zekFuzzBoundary%zu", k);
		snprintf(delim, sizeof(delim), "\r\n--%s", bnd);
		clash = false;
		for (i = 0; i < f->count && !clash; i++)
			clash = f->fields[i].value != NULL &&
			    memmem(f->fields[i].value, f->fields[i].len, delim,
			    strlen(delim)) != NULL;
		if (!clash)
			return;
	}
}

/* f as a browser would send it; too big files become as many 'x'. */
static void
encode(const struct form *f, const char *bnd, struct buf *out)
{
	size_t i, k;

	for (i = 0; i < f->count; i++) {
		const struct form_field *fld = &f->fields[i];
		buf_printf(out, "--%s\r\nContent-Disposition: form-data; name=\"%s\"",
		    bnd, fld->name);
		if (fld->filename != NULL)
			buf_printf(out, "; filename=\"%s\"", fld->filename);
		buf_puts(out, "\r\n");
		if (fld->content_type != NULL)
			buf_printf(out, "Content-Type: %s\r\n", fld->content_type);
		buf_puts(out, "\r\n");
		if (fld->value != NULL)
			buf_append(out, fld->value, fld->len);
		else
			for (k = 0; k < fld->len; k++)
				buf_putc(out, 'x');
		buf_puts(out, "\r\n");
	}
	buf_printf(out, "--%s--\r\n", bnd);
}

static void
check_roundtrip(const struct form *f, const struct form_limits *lim)
{
	char bnd[40], ct[80];
	struct arena *a = arena_new(0);
	struct buf enc;
	struct form g;
	int rc;

	if (a == NULL)
		abort();
	buf_init(&enc, OUT_MAX);
	pick_boundary(f, bnd, sizeof(bnd));
	snprintf(ct, sizeof(ct), "multipart/form-data; boundary=%s", bnd);
	encode(f, bnd, &enc);
	FUZZ_CHECK(!enc.failed, "encoding failed");
	rc = form_parse_multipart(a, ct, enc.data, enc.len, lim, &g, NULL);
	FUZZ_CHECK(rc == ZEK_OK, "re-parse gave %s", zek_rc_name(rc));
	FUZZ_CHECK(same_fields(f, &g, true), "re-parse gives other fields");
	buf_free(&enc);
	arena_free(a);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char epilogue[] = "\r\n--x--\r\n\r\n--";
	const uint8_t *rest;
	size_t ctlen, blen;
	char *ct, *body, *longer;
	struct arena *a, *b;
	struct form f, g;
	const char *bad = NULL;
	int rc, rc2;
	long k;

	fuzz_split(data, size, "\n", &ctlen, &rest, &blen);
	ct = fuzz_strndup(data, ctlen);
	/* An exact-size copy, so ASan sees any read past the body. */
	body = malloc(blen + 1);
	longer = malloc(blen + sizeof(epilogue));
	if (body == NULL || longer == NULL)
		abort();
	memcpy(body, rest, blen);
	memcpy(longer, rest, blen);
	memcpy(longer + blen, epilogue, sizeof(epilogue) - 1);
	a = arena_new(ARENA_LIMIT);
	if (a == NULL)
		abort();

	rc = form_parse_multipart(a, ct, body, blen, &small, &f, &bad);
	FUZZ_CHECK(rc == ZEK_OK || rc == ZEK_INVALID || rc == ZEK_TOOBIG ||
	    rc == ZEK_NOMEM, "rc %d", rc);
	FUZZ_CHECK(bad == NULL || rc == ZEK_TOOBIG, "bad_field without TOOBIG");
	if (rc == ZEK_OK) {
		check_form(&f, &small, body, blen);
		check_roundtrip(&f, &small);

		/* Larger limits accept the same fields. */
		b = arena_new(ARENA_LIMIT);
		if (b == NULL)
			abort();
		rc2 = form_parse_multipart(b, ct, body, blen, &large, &g, NULL);
		FUZZ_CHECK(rc2 == ZEK_OK, "larger limits give %s", zek_rc_name(rc2));
		check_form(&g, &large, body, blen);
		FUZZ_CHECK(same_fields(&f, &g, false), "limits change the fields");
		arena_free(b);

		/* The epilogue after the close delimiter is ignored. */
		b = arena_new(ARENA_LIMIT);
		if (b == NULL)
			abort();
		rc2 = form_parse_multipart(b, ct, longer,
		    blen + sizeof(epilogue) - 1, &small, &g, NULL);
		FUZZ_CHECK(rc2 == ZEK_OK && same_fields(&f, &g, true),
		    "an epilogue changes the result (%s)", zek_rc_name(rc2));
		arena_free(b);
	}

	/* Out of memory at the k-th allocation. */
	k = size > 0 ? 1 + data[size - 1] % 24 : 1;
	b = arena_new(ARENA_LIMIT);
	if (b == NULL)
		abort();
	arena_fail_after(b, k);
	rc2 = form_parse_multipart(b, ct, body, blen, &small, &g, NULL);
	FUZZ_CHECK(rc2 == rc || rc2 == ZEK_NOMEM, "failing allocation %ld: %s "
	    "instead of %s", k, zek_rc_name(rc2), zek_rc_name(rc));
	if (rc2 == ZEK_OK)
		FUZZ_CHECK(same_fields(&f, &g, true), "fields differ");
	arena_free(b);

	arena_free(a);
	free(longer);
	free(body);
	free(ct);
	return 0;
}
