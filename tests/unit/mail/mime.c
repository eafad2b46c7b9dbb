/* Unit tests for mail/mime.c: RFC 2047 headers, injection attempts, threading, quoted-printable. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/zek.h"
#include "mail/mime.h"
#include "mailtest.h"

static struct mime_msg
sample(void)
{
	return (struct mime_msg){
		.from = { "ZEK Servicedesk", "zek@zek.example" },
		.to = { "Anna Schmidt", "anna@example.org" },
		.subject = "[ZEK-12] Drucker",
		.message_id = "<zek.ZEK-12.1.abc@zek.example>",
		.in_reply_to = "<zek.ZEK-12.1@zek.example>",
		.date_ms = 1772546709000LL,
		.list_unsubscribe = "https://zek.example/servicedesk/customer/portal/17/ZEK-12#notify-state",
		.lang = "de",
		.text = "Guten Tag,\nText.\n",
		.html = "<!doctype html><p>Text</p>\n",
	};
}

static char *
build(const struct mime_msg *m)
{
	struct buf b;
	size_t n;

	buf_init(&b, 1u << 20);
	assert_int_equal(mime_build(m, &b), ZEK_OK);
	return buf_steal(&b, &n);
}

static void
test_date(void **state)
{
	char d[64];

	assert_int_equal(mime_date(0, d, sizeof(d)), ZEK_OK);
	assert_string_equal(d, "Thu, 01 Jan 1970 00:00:00 +0000");
	assert_int_equal(mime_date(1772546709000LL, d, sizeof(d)), ZEK_OK);
	assert_string_equal(d, "Tue, 03 Mar 2026 14:05:09 +0000");
	assert_int_equal(mime_date(0, d, 10), ZEK_TOOBIG);
}

static void
test_plain_headers_and_structure(void **state)
{
	struct mime_msg m = sample();
	char *msg = build(&m), *v;

	mt_assert_wellformed(msg);
	v = mt_header(msg, "Subject");
	assert_string_equal(v, "[ZEK-12] Drucker");
	free(v);
	v = mt_header(msg, "From");
	assert_string_equal(v, "ZEK Servicedesk <zek@zek.example>");
	free(v);
	v = mt_header(msg, "Date");
	assert_string_equal(v, "Tue, 03 Mar 2026 14:05:09 +0000");
	free(v);
	v = mt_header(msg, "Auto-Submitted");
	assert_string_equal(v, "auto-generated");
	free(v);
	v = mt_header(msg, "List-Unsubscribe");
	assert_string_equal(v, "<https://zek.example/servicedesk/customer/portal/17/ZEK-12#notify-state>");
	free(v);
	v = mt_header(msg, "Content-Language");
	assert_string_equal(v, "de");
	free(v);
	v = mt_header(msg, "MIME-Version");
	assert_string_equal(v, "1.0");
	free(v);
	v = mt_header(msg, "Content-Type");
	assert_non_null(strstr(v, "multipart/alternative"));
	free(v);
	/* Both parts, each decodable to what went in (CRLF line ends). */
	v = mt_part(msg, "text/plain");
	assert_string_equal(v, "Guten Tag,\r\nText.\r\n");
	free(v);
	v = mt_part(msg, "text/html");
	assert_string_equal(v, "<!doctype html><p>Text</p>\r\n");
	free(v);
	free(msg);
	/* Text alone when there is no HTML. */
	m.html = NULL;
	msg = build(&m);
	mt_assert_wellformed(msg);
	v = mt_header(msg, "Content-Type");
	assert_string_equal(v, "text/plain; charset=utf-8");
	free(v);
	free(msg);
}

static void
test_threading_headers(void **state)
{
	struct mime_msg m = sample();
	char *msg = build(&m), *v;

	v = mt_header(msg, "Message-ID");
	assert_string_equal(v, "<zek.ZEK-12.1.abc@zek.example>");
	free(v);
	v = mt_header(msg, "In-Reply-To");
	assert_string_equal(v, "<zek.ZEK-12.1@zek.example>");
	free(v);
	v = mt_header(msg, "References");
	assert_string_equal(v, "<zek.ZEK-12.1@zek.example>");
	free(v);
	free(msg);
	/* The thread's root refers to nothing. */
	m.message_id = m.in_reply_to;
	msg = build(&m);
	assert_null(mt_header(msg, "In-Reply-To"));
	assert_null(mt_header(msg, "References"));
	free(msg);
	/* Ids that are not plain are refused, not mangled. */
	m.message_id = "<a b@c>";
	{
		struct buf b;

		buf_init(&b, 1u << 16);
		assert_int_equal(mime_build(&m, &b), ZEK_INVALID);
		m.message_id = "<x@y>\r\nBcc: evil@example.org";
		assert_int_equal(mime_build(&m, &b), ZEK_INVALID);
		m.message_id = "<x@y>";
		m.in_reply_to = "<x@y>>";
		assert_int_equal(mime_build(&m, &b), ZEK_INVALID);
		buf_free(&b);
	}
}

static void
test_rfc2047_subject_and_names(void **state)
{
	struct mime_msg m = sample();
	char *msg, *raw, *v;

	m.subject = "[ZEK-7] Wohngeld-Antrag: Übermittlung schlägt fehl – "
	    "Fehlercode 0x1F, bitte prüfen 👀 und dann noch ein ziemlich langer "
	    "Rest, der mehrere kodierte Wörter braucht";
	m.to.name = "Jörg Groß";
	m.from.name = "ZEK – Servicedesk";
	msg = build(&m);
	mt_assert_wellformed(msg);
	raw = mt_header_raw(msg, "Subject");
	/* Encoded, folded into several words, none splitting a character. */
	assert_non_null(strstr(raw, "=?UTF-8?B?"));
	assert_non_null(strstr(raw, "\r\n "));
	free(raw);
	v = mt_header(msg, "Subject");
	assert_string_equal(v, m.subject);
	free(v);
	v = mt_header(msg, "To");
	assert_string_equal(v, "Jörg Groß <anna@example.org>");
	free(v);
	v = mt_header(msg, "From");
	assert_string_equal(v, "ZEK – Servicedesk <zek@zek.example>");
	free(v);
	free(msg);
	/* ASCII that looks like an encoded word is encoded, so no reader
	 * decodes what a user typed. */
	m.subject = "=?UTF-8?B?SGFjaw==?=";
	msg = build(&m);
	raw = mt_header_raw(msg, "Subject");
	assert_string_not_equal(raw, "=?UTF-8?B?SGFjaw==?=");
	free(raw);
	v = mt_header(msg, "Subject");
	assert_string_equal(v, "=?UTF-8?B?SGFjaw==?=");
	free(v);
	free(msg);
}

static void
test_long_ascii_subject_is_folded(void **state)
{
	struct mime_msg m = sample();
	char *msg, *v;

	m.subject = "[ZEK-9] A very long subject line that goes on and on and "
	    "on well past the seventy-eight columns a header line should have";
	msg = build(&m);
	mt_assert_wellformed(msg);
	v = mt_header(msg, "Subject");
	assert_string_equal(v, m.subject);
	free(v);
	free(msg);
}

static void
test_quoted_display_names(void **state)
{
	struct mime_msg m = sample();
	char *msg, *v;

	m.to.name = "Schmidt, Anna \"Die Erste\" \\ A.";
	msg = build(&m);
	v = mt_header_raw(msg, "To");
	assert_string_equal(v,
	    "\"Schmidt, Anna \\\"Die Erste\\\" \\\\ A.\" <anna@example.org>");
	free(v);
	free(msg);
	m.to.name = "";
	msg = build(&m);
	v = mt_header(msg, "To");
	assert_string_equal(v, "anna@example.org");
	free(v);
	free(msg);
}

static void
test_header_injection_is_impossible(void **state)
{
	static const char *const evil[] = {
		"Hallo\r\nBcc: evil@example.org",
		"Hallo\nBcc: evil@example.org",
		"Hallo\rBcc: evil@example.org",
		"Hallo\r\n\r\n<html>body</html>",
		"Umlaut ä\r\nBcc: evil@example.org",
		"Tab\tand\x01control\x7f and C1 \xc2\x85 next line",
		"Broken \xff\xfe UTF-8",
	};
	struct mime_msg m = sample();
	struct buf b;
	size_t i;
	char *msg, *v;

	for (i = 0; i < sizeof(evil) / sizeof(*evil); i++) {
		m.subject = evil[i];
		m.to.name = evil[i];
		m.from.name = evil[i];
		msg = build(&m);
		/* Every header line is a known header or a continuation; no
		 * Bcc, no early end of the header block. */
		mt_assert_wellformed(msg);
		assert_null(mt_header(msg, "Bcc"));
		v = mt_header(msg, "Subject");
		assert_null(strchr(v, '\r'));
		assert_null(strchr(v, '\n'));
		free(v);
		free(msg);
	}
	/* Addresses are never encoded: a bad one is refused. */
	buf_init(&b, 1u << 16);
	m = sample();
	m.to.addr = "anna@example.org>\r\nBcc: evil@example.org";
	assert_int_equal(mime_build(&m, &b), ZEK_INVALID);
	m.to.addr = "Anna <anna@example.org>";
	assert_int_equal(mime_build(&m, &b), ZEK_INVALID);
	m.to.addr = "anna@@example.org";
	assert_int_equal(mime_build(&m, &b), ZEK_INVALID);
	buf_free(&b);
	/* A URL that would need quoting is left out. */
	m = sample();
	m.list_unsubscribe = "https://x.example/a>\r\nBcc: evil@example.org";
	msg = build(&m);
	assert_null(mt_header(msg, "List-Unsubscribe"));
	assert_null(mt_header(msg, "Bcc"));
	free(msg);
	m.list_unsubscribe = "javascript:alert(1)";
	msg = build(&m);
	assert_null(mt_header(msg, "List-Unsubscribe"));
	free(msg);
}

static void
test_addresses(void **state)
{
	assert_true(mime_addr_valid("anna@example.org"));
	assert_true(mime_addr_valid("a.b+c_d@sub.example.org"));
	assert_false(mime_addr_valid("anna"));
	assert_false(mime_addr_valid("@example.org"));
	assert_false(mime_addr_valid("anna@"));
	assert_false(mime_addr_valid("an na@example.org"));
	assert_false(mime_addr_valid("anna@exa<mple.org"));
	assert_false(mime_addr_valid(".anna@example.org"));
	assert_false(mime_addr_valid("an..na@example.org"));
	assert_false(mime_addr_valid("jörg@example.org"));
	assert_false(mime_addr_valid(NULL));
	assert_true(mime_msgid_valid("<zek.ZEK-1.17@localhost>"));
	assert_false(mime_msgid_valid("zek@localhost"));
	assert_false(mime_msgid_valid("<>"));
}

/* Quoted-printable: any bytes come back unchanged (LF as CRLF), every
 * line fits, only 7-bit characters go out. */
static void
check_qp(const char *in, size_t n)
{
	struct buf b, want;
	char *dec;
	size_t i, len;

	buf_init(&b, 1u << 20);
	assert_int_equal(mime_qp(&b, in, n), ZEK_OK);
	if (b.data == NULL)
		buf_puts(&b, "");
	mt_assert_lines(b.data, MIME_LINE_MAX);
	dec = mt_qp_decode(b.data, &len);
	buf_init(&want, 1u << 20);
	for (i = 0; i < n; i++) {
		if (in[i] == '\n' && (i == 0 || in[i - 1] != '\r'))
			buf_putc(&want, '\r');
		buf_putc(&want, in[i]);
	}
	assert_int_equal(len, want.len);
	assert_memory_equal(dec, want.len > 0 ? want.data : "", len);
	free(dec);
	buf_free(&want);
	buf_free(&b);
}

static void
test_quoted_printable(void **state)
{
	static const char *const cases[] = {
		"",
		"plain text\n",
		"trailing blanks   \nand\ttab\t\nend ",
		"From the start\nFrom here too\n.dot line\n",
		"= signs == everywhere =\r\nCRLF kept\r\n",
		"Grüße aus Köln – „Anführungszeichen“ 👀\n",
		("ääääääääääääääääääääääääääääääääääääääääääääääääääääääää"
		"äääääääääääääää lange Zeile\n"),
	};
	char rnd[4096];
	size_t i, k;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		check_qp(cases[i], strlen(cases[i]));
	srand(5);
	for (k = 0; k < 50; k++) {
		for (i = 0; i < sizeof(rnd); i++)
			rnd[i] = (char)(rand() % 7 == 0 ? '\n' : rand() % 7 == 0 ?
			    ' ' : rand() & 0xff);
		check_qp(rnd, (size_t)(rand() % (int)sizeof(rnd)));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_plain_headers_and_structure),
		cmocka_unit_test(test_threading_headers),
		cmocka_unit_test(test_rfc2047_subject_and_names),
		cmocka_unit_test(test_long_ascii_subject_is_folded),
		cmocka_unit_test(test_quoted_display_names),
		cmocka_unit_test(test_header_injection_is_impossible),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_quoted_printable),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
