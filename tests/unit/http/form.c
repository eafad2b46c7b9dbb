/* Unit tests for http/form.c: urlencoded, multipart and cookie parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/form.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/utf8.h"
#include "lib/zek.h"

#define CHROME_B "----WebKitFormBoundary7MA4YWxkTrZu0gW"
#define CHROME_CT "multipart/form-data; boundary=" CHROME_B
#define FIREFOX_B "---------------------------974767299852498929531610575"
#define FIREFOX_CT "multipart/form-data; boundary=" FIREFOX_B

/* A Chromium body: two text fields, a PNG with NUL bytes and CRLFs in it,
 * and an untouched second file input. */
static const char chrome_body[] =
	"--" CHROME_B "\r\n"
	"Content-Disposition: form-data; name=\"title\"\r\n"
	"\r\n"
	"Drucker druckt nicht\r\n"
	"--" CHROME_B "\r\n"
	"Content-Disposition: form-data; name=\"description\"\r\n"
	"\r\n"
	"Zeile 1\r\nZeile 2\r\n--not-a-boundary\r\n"
	"--" CHROME_B "\r\n"
	"Content-Disposition: form-data; name=\"attachment\"; filename=\"scan.png\"\r\n"
	"Content-Type: image/png\r\n"
	"\r\n"
	"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\r\n"
	"\r\n--" CHROME_B "\r\n"
	"Content-Disposition: form-data; name=\"attachment\"; filename=\"\"\r\n"
	"Content-Type: application/octet-stream\r\n"
	"\r\n"
	"\r\n"
	"--" CHROME_B "--\r\n";

static struct arena *
new_arena(void)
{
	struct arena *a = arena_new(0);

	assert_non_null(a);
	return a;
}

static int
parse_ue(struct arena *a, const char *body, struct form *f, const char **bad)
{
	struct form_limits lim;

	form_limits_default(&lim);
	return form_parse_urlencoded(a, body, strlen(body), &lim, f, bad);
}

static int
parse_mp(struct arena *a, const char *ct, const char *body, size_t len,
    const struct form_limits *lim, struct form *f, const char **bad)
{
	struct form_limits def;

	if (lim == NULL) {
		form_limits_default(&def);
		lim = &def;
	}
	return form_parse_multipart(a, ct, body, len, lim, f, bad);
}

#define PARSE_MP_STR(a, body, f) \
	parse_mp((a), "multipart/form-data; boundary=b", (body), strlen(body), NULL, (f), NULL)

static void
test_urlencoded_basic(void **state)
{
	struct arena *a = new_arena();
	struct form f;
	const struct form_field *all[FORM_MAX_VALUES];

	assert_int_equal(parse_ue(a, "a=1&b=hello+world&c=%C3%BCber&d&e=&&f=x%3Dy%26z&a=2",
	    &f, NULL), ZEK_OK);
	assert_int_equal(f.count, 7);
	assert_string_equal(form_get(&f, "a"), "1");
	assert_string_equal(form_get(&f, "b"), "hello world");
	assert_string_equal(form_get(&f, "c"), "\xc3\xbc" "ber");
	assert_string_equal(form_get(&f, "d"), "");
	assert_string_equal(form_get(&f, "e"), "");
	assert_string_equal(form_get(&f, "f"), "x=y&z");
	assert_null(form_get(&f, "g"));
	assert_int_equal(form_get_all(&f, "a", all), 2);
	assert_string_equal(all[0]->value, "1");
	assert_string_equal(all[1]->value, "2");
	assert_int_equal(form_get_all(&f, "g", all), 0);
	assert_null(all[0]->filename);

	/* Values may hold anything but NUL; callers check UTF-8. */
	assert_int_equal(parse_ue(a, "v=%00%FF", &f, NULL), ZEK_OK);
	assert_int_equal(f.fields[0].len, 2);
	assert_memory_equal(f.fields[0].value, "\xff\xff", 2);

	assert_int_equal(parse_ue(a, "", &f, NULL), ZEK_OK);
	assert_int_equal(f.count, 0);
	arena_free(a);
}

static void
test_urlencoded_invalid(void **state)
{
	static const char *bad[] = {
		"a=%4", "a=%", "a=%zz", "a=%4g", "%G1=x", "a=1&b=%",
		"=x", "%00a=1", "a%0A=1", "a%09b=1", "%FF=1", "%C3=1", "a%7F=1",
	};
	struct arena *a = new_arena();
	struct form f;
	size_t i;

	for (i = 0; i < ZEK_ARRAY_LEN(bad); i++) {
		if (parse_ue(a, bad[i], &f, NULL) != ZEK_INVALID)
			fail_msg("accepted %s", bad[i]);
	}
	arena_free(a);
}

static void
test_urlencoded_limits(void **state)
{
	struct arena *a = new_arena();
	struct form_limits lim;
	struct form f;
	const char *bad = "x";
	struct buf b;
	int i;

	form_limits_default(&lim);
	lim.max_value = 5;
	lim.max_name = 4;
	lim.max_fields = 3;
	/* The limit counts decoded bytes: %41 is one byte. */
	assert_int_equal(form_parse_urlencoded(a, "ok=%41%41%41%41%41", 18, &lim, &f, &bad), ZEK_OK);
	assert_null(bad);
	assert_int_equal(form_parse_urlencoded(a, "ok=1&big=123456", 15, &lim, &f, &bad), ZEK_TOOBIG);
	assert_string_equal(bad, "big");
	assert_int_equal(form_parse_urlencoded(a, "long1=1", 7, &lim, &f, &bad), ZEK_TOOBIG);
	assert_null(bad);
	assert_int_equal(form_parse_urlencoded(a, "a&b&c", 5, &lim, &f, &bad), ZEK_OK);
	assert_int_equal(form_parse_urlencoded(a, "a&b&c&d", 7, &lim, &f, &bad), ZEK_TOOBIG);
	assert_null(bad);

	/* Huge counts stop at the limit without building them all. */
	buf_init(&b, 1 << 20);
	for (i = 0; i < 100000; i++)
		buf_puts(&b, "x=1&");
	assert_int_equal(b.failed, 0);
	form_limits_default(&lim);
	assert_int_equal(form_parse_urlencoded(a, b.data, b.len, &lim, &f, NULL), ZEK_TOOBIG);
	buf_free(&b);
	arena_free(a);
}

static void
assert_same_form(const struct form *x, const struct form *y)
{
	size_t i;

	assert_int_equal(x->count, y->count);
	for (i = 0; i < x->count; i++) {
		assert_string_equal(x->fields[i].name, y->fields[i].name);
		assert_int_equal(x->fields[i].len, y->fields[i].len);
		assert_memory_equal(x->fields[i].value, y->fields[i].value, x->fields[i].len);
	}
}

/* Parse, encode, parse again: the fields must not change. */
static void
test_urlencode_roundtrip(void **state)
{
	static const char *bodies[] = {
		"a=1&b=hello+world&c=%C3%BC&d&e=&f=x%3Dy%26z%2B%25",
		"title=%3Cscript%3Ealert(1)%3C%2Fscript%3E&n=%00%01%FF%0D%0A",
		"k=*-._~!'()&k=%20%20",
	};
	struct arena *a = new_arena();
	struct form_limits lim;
	struct form f1, f2;
	struct form_field fields[8];
	char names[8][8], values[8][40];
	unsigned seed = 12345;
	struct buf b;
	size_t i, k;
	int round;

	form_limits_default(&lim);
	for (i = 0; i < ZEK_ARRAY_LEN(bodies); i++) {
		assert_int_equal(parse_ue(a, bodies[i], &f1, NULL), ZEK_OK);
		buf_init(&b, 4096);
		assert_int_equal(form_urlencode(&f1, &b), 0);
		assert_int_equal(form_parse_urlencoded(a, b.data, b.len, &lim, &f2, NULL), ZEK_OK);
		assert_same_form(&f1, &f2);
		buf_free(&b);
	}
	/* Random bytes in values, printable names. */
	for (round = 0; round < 200; round++) {
		f1.fields = fields;
		f1.count = 1 + (size_t)round % 8;
		for (i = 0; i < f1.count; i++) {
			for (k = 0; k < 7; k++) {
				seed = seed * 1103515245u + 12345u;
				names[i][k] = (char)('a' + (seed >> 16) % 26);
			}
			names[i][(seed >> 8) % 7 + 1] = '\0';
			fields[i].name = names[i];
			fields[i].len = (seed >> 4) % sizeof(values[i]);
			for (k = 0; k < fields[i].len; k++) {
				seed = seed * 1103515245u + 12345u;
				values[i][k] = (char)(seed >> 16);
				if (values[i][k] == '\0')      /* see test_nul */
					values[i][k] = '\xff';
			}
			fields[i].value = values[i];
		}
		buf_init(&b, 4096);
		assert_int_equal(form_urlencode(&f1, &b), 0);
		assert_int_equal(form_parse_urlencoded(a, b.data, b.len, &lim, &f2, NULL), ZEK_OK);
		assert_same_form(&f1, &f2);
		buf_free(&b);
	}
	/* The encoder's own output stays within the safe alphabet. */
	buf_init(&b, 64);
	assert_int_equal(form_urlencode_component("a b&c=\xc3\xbc", 8, &b), 0);
	assert_string_equal(b.data, "a+b%26c%3D%C3%BC");
	buf_free(&b);
	buf_init(&b, 4);
	assert_int_equal(form_urlencode_component("\xff\xff", 2, &b), ZEK_TOOBIG);
	buf_free(&b);
	arena_free(a);
}

/* A NUL never cuts a value: wherever it is sent (%00, or a raw byte in a
 * multipart text part), the value keeps its length, reads as a C string of
 * that length, and is not valid UTF-8, so every field check refuses it
 * (issue 13: "comment=VISIBLE%00TAIL" was stored as "VISIBLE"). File
 * contents keep their bytes. */
static void
test_nul(void **state)
{
	static const char *const sent[] = { "VISIBLE%00TAIL", "%00", "a%00",
	    "%00a", "a%00%00b", "%00%C3%BC%00" };
	struct arena *a = new_arena();
	const struct form_field *fld;
	char body[256];
	struct form f;
	size_t i, n;

	for (i = 0; i < ZEK_ARRAY_LEN(sent); i++) {
		snprintf(body, sizeof(body), "x=1&comment=%s&y=2", sent[i]);
		assert_int_equal(parse_ue(a, body, &f, NULL), ZEK_OK);
		assert_int_equal(f.count, 3);
		fld = form_find(&f, "comment");
		assert_non_null(fld);
		assert_int_equal(strlen(fld->value), fld->len);
		assert_false(utf8_valid(fld->value, fld->len));
		assert_string_equal(form_get(&f, "y"), "2");
	}
	/* multipart: a text part with a raw NUL at every place */
	for (i = 0; i < 8; i++) {
		static const char head[] = "--b\r\nContent-Disposition: form-data; "
		    "name=\"title\"\r\n\r\n";
		static const char mid[] = "\r\n--b\r\nContent-Disposition: "
		    "form-data; name=\"f\"; filename=\"a.bin\"\r\n\r\nA";
		static const char tail[] = "\r\n--b--\r\n";
		char title[] = "ABCDEFGH";

		title[i] = '\0';
		n = 0;
		memcpy(body + n, head, sizeof(head) - 1), n += sizeof(head) - 1;
		memcpy(body + n, title, 8), n += 8;
		memcpy(body + n, mid, sizeof(mid) - 1), n += sizeof(mid) - 1;
		body[n++] = '\0';                          /* file content "A\0" */
		memcpy(body + n, tail, sizeof(tail) - 1), n += sizeof(tail) - 1;
		assert_int_equal(parse_mp(a, "multipart/form-data; boundary=b", body,
		    n, NULL, &f, NULL), ZEK_OK);
		fld = form_find(&f, "title");
		assert_int_equal(fld->len, 8);
		assert_int_equal(strlen(fld->value), 8);
		assert_false(utf8_valid(fld->value, fld->len));
		fld = form_find(&f, "f");
		assert_int_equal(fld->len, 2);
		assert_memory_equal(fld->value, "A\0", 2);
	}
	arena_free(a);
}

static void
test_multipart_chromium(void **state)
{
	struct arena *a = new_arena();
	const struct form_field *files[FORM_MAX_VALUES];
	struct form f;
	const char *bad = "x";

	assert_int_equal(parse_mp(a, CHROME_CT, chrome_body, sizeof(chrome_body) - 1,
	    NULL, &f, &bad), ZEK_OK);
	assert_null(bad);
	assert_int_equal(f.count, 3);
	assert_string_equal(form_get(&f, "title"), "Drucker druckt nicht");
	assert_null(form_find(&f, "title")->filename);
	assert_null(form_find(&f, "title")->content_type);
	/* CRLF inside a value is data; only CRLF before the boundary is not. */
	assert_string_equal(form_get(&f, "description"),
	    "Zeile 1\r\nZeile 2\r\n--not-a-boundary");
	/* The empty file input is "no file". */
	assert_int_equal(form_get_all(&f, "attachment", files), 1);
	assert_string_equal(files[0]->filename, "scan.png");
	assert_string_equal(files[0]->content_type, "image/png");
	assert_false(files[0]->too_big);
	assert_int_equal(files[0]->len, 18);
	assert_memory_equal(files[0]->value, "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\r\n", 18);
	/* File contents are borrowed from the body, not copied. */
	assert_true(files[0]->value > chrome_body &&
	    files[0]->value < chrome_body + sizeof(chrome_body));
	arena_free(a);
}

static void
test_multipart_firefox(void **state)
{
	static const char body[] =
		"-----------------------------974767299852498929531610575\r\n"
		"Content-Disposition: form-data; name=\"summary\"\r\n"
		"\r\n"
		"Gr\xc3\xbc\xc3\x9f" "e\r\n"
		"-----------------------------974767299852498929531610575\r\n"
		"Content-Disposition: form-data; name=\"files\"; filename=\"Bericht (1).pdf\"\r\n"
		"Content-Type: application/pdf\r\n"
		"\r\n"
		"%PDF-1.4\n"
		"\r\n"
		"-----------------------------974767299852498929531610575--\r\n";
	struct arena *a = new_arena();
	struct form f;

	assert_int_equal(parse_mp(a, FIREFOX_CT, body, sizeof(body) - 1, NULL, &f, NULL), ZEK_OK);
	assert_int_equal(f.count, 2);
	assert_string_equal(form_get(&f, "summary"), "Gr\xc3\xbc\xc3\x9f" "e");
	assert_string_equal(form_find(&f, "files")->filename, "Bericht (1).pdf");
	assert_int_equal(form_find(&f, "files")->len, 9);
	arena_free(a);
}

static void
test_multipart_content_type(void **state)
{
	static const char body[] =
		"--a b:c\r\n"
		"content-disposition: FORM-DATA; NAME=x\r\n"
		"\r\n"
		"1\r\n"
		"--a b:c--";
	static const char *bad_ct[] = {
		"application/x-www-form-urlencoded",
		"multipart/form-data",
		"multipart/form-data; boundary=",
		"multipart/form-data; boundary=\"\"",
		"multipart/form-data; boundary=\"unterminated",
		"multipart/form-data; boundary=a; boundary=b",
		"multipart/form-datax; boundary=a",
		"multipart/mixed; boundary=a",
		"multipart/form-data; boundary=\"trailing \"",
		"multipart/form-data; boundary=\"bad\x01\"",
		("multipart/form-data; boundary="
		    "12345678901234567890123456789012345678901234567890123456789012345678901"),
	};
	struct arena *a = new_arena();
	struct form f;
	size_t i;

	assert_int_equal(parse_mp(a, "Multipart/Form-Data; charset=utf-8; BOUNDARY=\"a b:c\"",
	    body, sizeof(body) - 1, NULL, &f, NULL), ZEK_OK);
	assert_string_equal(form_get(&f, "x"), "1");
	for (i = 0; i < ZEK_ARRAY_LEN(bad_ct); i++)
		if (parse_mp(a, bad_ct[i], body, sizeof(body) - 1, NULL, &f, NULL) != ZEK_INVALID)
			fail_msg("accepted %s", bad_ct[i]);
	assert_int_equal(parse_mp(a, NULL, body, sizeof(body) - 1, NULL, &f, NULL), ZEK_INVALID);
	arena_free(a);
}

/* Every proper prefix of a valid body is refused, and read within bounds
 * (each prefix lives in its own exact-size heap block for ASan). */
static void
test_multipart_truncated(void **state)
{
	size_t full = sizeof(chrome_body) - 1, n;
	struct arena *a = new_arena();
	struct form f;
	char *copy;
	int rc;

	for (n = 0; n < full - 2; n++) {
		copy = malloc(n ? n : 1);
		assert_non_null(copy);
		memcpy(copy, chrome_body, n);
		rc = parse_mp(a, CHROME_CT, copy, n, NULL, &f, NULL);
		free(copy);
		if (rc != ZEK_INVALID)
			fail_msg("prefix of %zu bytes gave %s", n, zek_rc_name(rc));
	}
	/* Without the trailing CRLF it is still complete. */
	assert_int_equal(parse_mp(a, CHROME_CT, chrome_body, full - 2, NULL, &f, NULL), ZEK_OK);
	arena_free(a);
}

static void
test_multipart_framing(void **state)
{
	static const char *bad[] = {
		/* missing final boundary */
		"--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n",
		"--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--b\r\n",
		/* bare LF line ends */
		"--b\nContent-Disposition: form-data; name=\"x\"\n\n1\n--b--\n",
		/* no Content-Disposition, no name, wrong disposition */
		"--b\r\nContent-Type: text/plain\r\n\r\n1\r\n--b--",
		"--b\r\n\r\n1\r\n--b--",
		"--b\r\nContent-Disposition: form-data\r\n\r\n1\r\n--b--",
		"--b\r\nContent-Disposition: attachment; name=\"x\"\r\n\r\n1\r\n--b--",
		"--b\r\nContent-Disposition: form-data; name=\"\"\r\n\r\n1\r\n--b--",
		"--b\r\nContent-Disposition: form-data; name=\"x\r\n\r\n1\r\n--b--",
		/* two names, two dispositions, folding, junk headers */
		"--b\r\nContent-Disposition: form-data; name=\"x\"; name=\"y\"\r\n\r\n1\r\n--b--",
		"--b\r\nContent-Disposition: form-data; name=\"x\"; filename=\"a\"; filename=\"b\"\r\n\r\n1\r\n--b--",
		"--b\r\nContent-Disposition: form-data; name=\"x\"\r\n"
		"Content-Disposition: form-data; name=\"y\"\r\n\r\n1\r\n--b--",
		"--b\r\nContent-Disposition: form-data;\r\n name=\"x\"\r\n\r\n1\r\n--b--",
		"--b\r\nContent-Disposition : form-data; name=\"x\"\r\n\r\n1\r\n--b--",
		"--b\r\nno colon here\r\n\r\n1\r\n--b--",
		"--b\r\nContent-Disposition: form-data; name=\"x\"\r\nX-A: b\x01\r\n\r\n1\r\n--b--",
		/* control characters and bad UTF-8 in names */
		"--b\r\nContent-Disposition: form-data; name=\"a\x1b" "b\"\r\n\r\n1\r\n--b--",
		"--b\r\nContent-Disposition: form-data; name=\"a\tb\"\r\n\r\n1\r\n--b--",
		"--b\r\nContent-Disposition: form-data; name=\"\xc3\"\r\n\r\n1\r\n--b--",
		"--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\x7f.png\"\r\n\r\n1\r\n--b--",
		"--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\xff.png\"\r\n\r\n1\r\n--b--",
		/* nothing but a boundary-lookalike */
		"--bb\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--bb--",
		"",
	};
	struct arena *a = new_arena();
	struct form f;
	size_t i;

	for (i = 0; i < ZEK_ARRAY_LEN(bad); i++)
		if (PARSE_MP_STR(a, bad[i], &f) != ZEK_INVALID)
			fail_msg("accepted case %zu", i);

	/* Preamble, transport padding, unknown headers and an epilogue are fine. */
	assert_int_equal(PARSE_MP_STR(a,
	    "preamble\r\n--b  \r\n"
	    "X-Other: 1\r\nContent-Disposition: form-data; name=x; foo=\"bar\"; filename*=UTF-8''a\r\n"
	    "\r\n1\r\n--bx\r\n--b-- \r\nepilogue\r\n--b\r\n", &f), ZEK_OK);
	assert_int_equal(f.count, 1);
	assert_string_equal(form_get(&f, "x"), "1\r\n--bx");
	/* "--b--" followed by more than padding on its line is data (RFC 2046
	 * 5.1.1): taken for the end, it would cut the value and drop the
	 * parts after it. */
	assert_int_equal(PARSE_MP_STR(a,
	    "--b\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--b-- not the end\r\n"
	    "--b\r\nContent-Disposition: form-data; name=y\r\n\r\n2\r\n--b--", &f), ZEK_OK);
	assert_int_equal(f.count, 2);
	assert_string_equal(form_get(&f, "x"), "1\r\n--b-- not the end");
	assert_string_equal(form_get(&f, "y"), "2");
	assert_int_equal(PARSE_MP_STR(a,
	    "--b\r\nContent-Disposition: form-data; name=x\r\n\r\n1\r\n--b-- no end", &f),
	    ZEK_INVALID);
	/* Only a close delimiter, no parts. */
	assert_int_equal(PARSE_MP_STR(a, "--b--\r\n", &f), ZEK_OK);
	assert_int_equal(f.count, 0);
	/* Empty value. */
	assert_int_equal(PARSE_MP_STR(a,
	    "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n\r\n--b--", &f), ZEK_OK);
	assert_string_equal(form_get(&f, "x"), "");
	arena_free(a);
}

static void
test_multipart_filenames(void **state)
{
	static const struct {
		const char *sent;
		const char *kept;
	} cases[] = {
		{ "../../etc/passwd", "passwd" },
		{ "C:\\x\\y.png", "y.png" },
		{ "/abs/path/a.txt", "a.txt" },
		{ "..\\..\\win.ini", "win.ini" },
		{ "..", "" },
		{ "dir/", "" },
		{ "a/.", "" },
		{ "Gr\xc3\xbc\xc3\x9f" "e;x=1.txt", "Gr\xc3\xbc\xc3\x9f" "e;x=1.txt" },
		{ "%22quoted%22.txt", "%22quoted%22.txt" },
	};
	struct arena *a = new_arena();
	struct form f;
	char body[512];
	size_t i;

	for (i = 0; i < ZEK_ARRAY_LEN(cases); i++) {
		snprintf(body, sizeof(body),
		    "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"%s\"\r\n"
		    "\r\ndata\r\n--b--\r\n", cases[i].sent);
		assert_int_equal(PARSE_MP_STR(a, body, &f), ZEK_OK);
		assert_int_equal(f.count, 1);
		assert_string_equal(f.fields[0].filename, cases[i].kept);
		assert_int_equal(f.fields[0].len, 4);
	}
	/* filename="" with content is still a file. */
	assert_int_equal(PARSE_MP_STR(a,
	    "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"\"\r\n\r\nx\r\n--b--", &f), ZEK_OK);
	assert_int_equal(f.count, 1);
	assert_string_equal(f.fields[0].filename, "");
	/* A name that is all path and no content is no file, like an
	 * untouched input (found by tests/fuzz/fuzz_multipart.c: it came out
	 * as filename "" and no content, which re-encodes as "no file"). */
	for (i = 0; i < 3; i++) {
		snprintf(body, sizeof(body),
		    "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"%s\"\r\n"
		    "\r\n\r\n--b\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\nx\r\n--b--\r\n",
		    (const char *[]){ "..", "C:\\x\\", "a/." }[i]);
		assert_int_equal(PARSE_MP_STR(a, body, &f), ZEK_OK);
		assert_int_equal(f.count, 1);
		assert_string_equal(f.fields[0].name, "t");
	}
	arena_free(a);
}

static void
append_part(struct buf *b, const char *name, const char *filename, size_t size)
{
	size_t i;

	buf_printf(b, "--b\r\nContent-Disposition: form-data; name=\"%s\"", name);
	if (filename != NULL)
		buf_printf(b, "; filename=\"%s\"\r\nContent-Type: text/plain", filename);
	buf_puts(b, "\r\n\r\n");
	for (i = 0; i < size; i++)
		buf_putc(b, (char)('a' + i % 26));
	buf_puts(b, "\r\n");
}

static void
test_multipart_limits(void **state)
{
	struct arena *a = new_arena();
	struct form_limits lim;
	const char *bad;
	struct form f;
	struct buf b;
	int i;

	form_limits_default(&lim);
	lim.max_value = 10;
	lim.max_file = 100;
	lim.max_files = 2;
	lim.max_fields = 5;
	lim.max_name = 8;

	/* A file over max_file is kept, marked, without contents. */
	buf_init(&b, 1 << 16);
	append_part(&b, "title", NULL, 10);
	append_part(&b, "att", "big.bin", 101);
	append_part(&b, "att", "ok.txt", 100);
	buf_puts(&b, "--b--\r\n");
	assert_int_equal(parse_mp(a, "multipart/form-data; boundary=b", b.data, b.len,
	    &lim, &f, &bad), ZEK_OK);
	assert_int_equal(f.count, 3);
	assert_true(f.fields[1].too_big);
	assert_null(f.fields[1].value);
	assert_int_equal(f.fields[1].len, 101);
	assert_string_equal(f.fields[1].filename, "big.bin");
	assert_false(f.fields[2].too_big);
	assert_int_equal(f.fields[2].len, 100);
	assert_string_equal(form_get(&f, "title"), "abcdefghij");
	assert_null(form_get(&f, "att"));   /* the first att is the big one */
	buf_free(&b);

	/* A non-file value over max_value fails the parse and names the field. */
	buf_init(&b, 1 << 16);
	append_part(&b, "title", NULL, 10);
	append_part(&b, "descr", NULL, 11);
	buf_puts(&b, "--b--\r\n");
	assert_int_equal(parse_mp(a, "multipart/form-data; boundary=b", b.data, b.len,
	    &lim, &f, &bad), ZEK_TOOBIG);
	assert_string_equal(bad, "descr");
	buf_free(&b);

	/* One file too many. */
	buf_init(&b, 1 << 16);
	for (i = 0; i < 3; i++)
		append_part(&b, "att", "x.txt", 1);
	buf_puts(&b, "--b--\r\n");
	assert_int_equal(parse_mp(a, "multipart/form-data; boundary=b", b.data, b.len,
	    &lim, &f, &bad), ZEK_TOOBIG);
	assert_string_equal(bad, "att");
	buf_free(&b);

	/* Too many fields; a name too long. */
	buf_init(&b, 1 << 16);
	for (i = 0; i < 6; i++)
		append_part(&b, "x", NULL, 1);
	buf_puts(&b, "--b--\r\n");
	assert_int_equal(parse_mp(a, "multipart/form-data; boundary=b", b.data, b.len,
	    &lim, &f, &bad), ZEK_TOOBIG);
	assert_null(bad);
	buf_free(&b);
	buf_init(&b, 1 << 16);
	append_part(&b, "123456789", NULL, 1);
	buf_puts(&b, "--b--\r\n");
	assert_int_equal(parse_mp(a, "multipart/form-data; boundary=b", b.data, b.len,
	    &lim, &f, &bad), ZEK_TOOBIG);
	buf_free(&b);

	/* Huge counts of parts. */
	form_limits_default(&lim);
	buf_init(&b, 1 << 24);
	for (i = 0; i < 50000; i++)
		append_part(&b, "n", NULL, 0);
	buf_puts(&b, "--b--\r\n");
	assert_int_equal(b.failed, 0);
	assert_int_equal(parse_mp(a, "multipart/form-data; boundary=b", b.data, b.len,
	    &lim, &f, &bad), ZEK_TOOBIG);
	buf_free(&b);

	/* A long file name. */
	buf_init(&b, 1 << 16);
	buf_puts(&b, "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"");
	for (i = 0; i < FORM_MAX_FILENAME + 1; i++)
		buf_putc(&b, 'n');
	buf_puts(&b, "\"\r\n\r\n1\r\n--b--");
	assert_int_equal(parse_mp(a, "multipart/form-data; boundary=b", b.data, b.len,
	    NULL, &f, &bad), ZEK_TOOBIG);
	assert_string_equal(bad, "f");
	buf_free(&b);
	arena_free(a);
}

/* form_get_all gives at most FORM_MAX_VALUES fields, however many there
 * are: a caller's array of that size can never overflow (issue 13: 200
 * "mandant" values once ran past a 64-entry array). form_name_over finds
 * the name sent too often, so the server can refuse the form. */
static void
test_get_all_bounded(void **state)
{
	struct arena *a = new_arena();
	struct buf body;
	struct form f;
	/* One guard entry past the end: it must stay untouched. */
	const struct form_field *all[FORM_MAX_VALUES + 1];
	const struct form_field guard = { .name = "guard" };
	struct form_limits lim;
	size_t i;

	(void)state;
	form_limits_default(&lim);
	lim.max_fields = 512;   /* the server's */
	for (i = 0; i < 3; i++) {
		size_t n = i == 0 ? FORM_MAX_VALUES : i == 1 ?
		    FORM_MAX_VALUES + 1 : 400;
		char last[24];      /* the value of the last one read */

		buf_init(&body, 1u << 20);
		buf_append(&body, "x=0&", 4);
		for (size_t k = 0; k < n; k++)
			buf_printf(&body, "mandant=%zu&", k);
		buf_append(&body, "y=1", 3);
		assert_int_equal(body.failed, 0);
		assert_int_equal(form_parse_urlencoded(a, body.data, body.len,
		    &lim, &f, NULL), ZEK_OK);
		all[FORM_MAX_VALUES] = &guard;
		assert_int_equal(form_get_all(&f, "mandant", all), FORM_MAX_VALUES);
		assert_ptr_equal(all[FORM_MAX_VALUES], &guard);
		assert_string_equal(all[0]->value, "0");
		snprintf(last, sizeof(last), "%d", FORM_MAX_VALUES - 1);
		assert_string_equal(all[FORM_MAX_VALUES - 1]->value, last);
		if (n == FORM_MAX_VALUES)
			assert_null(form_name_over(&f, FORM_MAX_VALUES));
		else
			assert_string_equal(form_name_over(&f, FORM_MAX_VALUES),
			    "mandant");
		assert_int_equal(form_get_all(&f, "x", all), 1);
		buf_free(&body);
	}
	/* The first name over the limit is named; single names never are. */
	assert_int_equal(parse_ue(a, "a=1&b=1&b=2&a=2&b=3", &f, NULL), ZEK_OK);
	assert_string_equal(form_name_over(&f, 2), "b");
	assert_null(form_name_over(&f, 3));
	assert_string_equal(form_name_over(&f, 0), "a");
	f.count = 0;
	assert_null(form_name_over(&f, 0));
	assert_int_equal(form_get_all(&f, "a", all), 0);
	arena_free(a);
}

static void
test_cookies(void **state)
{
	struct arena *a = new_arena();
	struct form_limits lim;
	struct form f;

	form_limits_default(&lim);
	assert_int_equal(form_parse_cookies(a,
	    "zek_session=abc123;theme=\"dark mode\";  lang = de ;junk; =x; a=b=c; "
	    "ctl\x01=1; sp=a b ; q=\"; e=",
	    &lim, &f), ZEK_OK);
	assert_int_equal(f.count, 7);
	assert_string_equal(form_get(&f, "zek_session"), "abc123");
	assert_string_equal(form_get(&f, "theme"), "dark mode");
	assert_string_equal(form_get(&f, "lang"), "de");
	assert_string_equal(form_get(&f, "a"), "b=c");
	assert_string_equal(form_get(&f, "sp"), "a b");
	assert_string_equal(form_get(&f, "q"), "\"");
	assert_string_equal(form_get(&f, "e"), "");
	assert_null(form_get(&f, "junk"));
	assert_null(form_get(&f, "ctl\x01"));

	/* Duplicates: the first one wins (the most specific path comes first). */
	assert_int_equal(form_parse_cookies(a, "s=1; s=2", &lim, &f), ZEK_OK);
	assert_string_equal(form_get(&f, "s"), "1");

	assert_int_equal(form_parse_cookies(a, NULL, &lim, &f), ZEK_OK);
	assert_int_equal(f.count, 0);
	assert_int_equal(form_parse_cookies(a, "", &lim, &f), ZEK_OK);
	assert_int_equal(f.count, 0);

	/* Oversized cookies from someone else are skipped, ours still found. */
	lim.max_value = 4;
	lim.max_fields = 2;
	assert_int_equal(form_parse_cookies(a, "big=123456; s=1234; t=1; u=2", &lim, &f), ZEK_OK);
	assert_int_equal(f.count, 2);
	assert_string_equal(form_get(&f, "s"), "1234");
	assert_null(form_get(&f, "u"));
	arena_free(a);
}

/* Every allocation failure gives ZEK_NOMEM and no leak (ASan checks). */
static void
test_fault_injection(void **state)
{
	struct form_limits lim;
	struct arena *a;
	struct form f;
	long n;
	int rc, done = 0;

	form_limits_default(&lim);
	for (n = 1; !done; n++) {
		a = new_arena();
		arena_fail_after(a, n);
		rc = parse_mp(a, CHROME_CT, chrome_body, sizeof(chrome_body) - 1, &lim, &f, NULL);
		assert_true(rc == ZEK_OK || rc == ZEK_NOMEM);
		done = rc == ZEK_OK;
		arena_free(a);
	}
	assert_true(n > 3);
	for (n = 1, done = 0; !done; n++) {
		a = new_arena();
		arena_fail_after(a, n);
		rc = parse_ue(a, "a=1&b=2&c=%20&d=4&e=5&f=6&g=7&h=8&i=9&j=10", &f, NULL);
		assert_true(rc == ZEK_OK || rc == ZEK_NOMEM);
		done = rc == ZEK_OK;
		arena_free(a);
	}
	for (n = 1, done = 0; !done; n++) {
		a = new_arena();
		arena_fail_after(a, n);
		rc = form_parse_cookies(a, "a=1; b=2; c=3", &lim, &f);
		assert_true(rc == ZEK_OK || rc == ZEK_NOMEM);
		done = rc == ZEK_OK;
		arena_free(a);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_urlencoded_basic),
		cmocka_unit_test(test_urlencoded_invalid),
		cmocka_unit_test(test_urlencoded_limits),
		cmocka_unit_test(test_urlencode_roundtrip),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_multipart_chromium),
		cmocka_unit_test(test_multipart_firefox),
		cmocka_unit_test(test_multipart_content_type),
		cmocka_unit_test(test_multipart_truncated),
		cmocka_unit_test(test_multipart_framing),
		cmocka_unit_test(test_multipart_filenames),
		cmocka_unit_test(test_multipart_limits),
		cmocka_unit_test(test_get_all_bounded),
		cmocka_unit_test(test_cookies),
		cmocka_unit_test(test_fault_injection),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
