/* Unit tests for mail/receive/: quote cutting, HTML to text, Markdown, charsets, loops. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/inbound.h"
#include "lib/arena.h"
#include "mail/receive/imap.h"
#include "mail/receive/parse.h"
#include "mail/receive/text.h"

static struct arena *a;
static struct config cfg;

static int
setup(void **state)
{
	a = arena_new(0);
	config_defaults(&cfg);
	cfg.smtp_from = "servicedesk@zek.example";
	cfg.mail_reply_address = "zek@zek.example";
	return a == NULL;
}

static int
teardown(void **state)
{
	arena_free(a);
	return 0;
}

static void
cut(const char *in, const char *want)
{
	char *got = mail_text_cut_quotes(a, in);

	assert_non_null(got);
	if (strcmp(got, want) != 0)
		fail_msg("cut:\n%s\n-- got --\n%s\n-- want --\n%s", in, got, want);
}

static void
test_cut_quotes(void **state)
{
	/* zek's own cut line, quoted by the client. */
	cut("Ja, danke.\r\n\r\n> Antworten Sie ...\r\n> -- Bitte oberhalb "
	    "dieser Zeile antworten --\r\n> Guten Tag\r\n", "Ja, danke.");
	cut("Yes.\n-- Please reply above this line --\nHello", "Yes.");
	/* German and English attributions, also wrapped. */
	cut("Gut.\n\nAm 06.12.2026 um 10:15 schrieb ZEK Servicedesk:\n> alt\n",
	    "Gut.");
	cut("Gut.\n\nAm Sonntag, 6. Dezember 2026 um 10:15 schrieb\n"
	    "ZEK <zek@zek.example>:\nalt\n", "Gut.");
	cut("Fine.\n\nOn Sun, Dec 6, 2026 at 10:15 AM ZEK <\nzek@zek.example> "
	    "wrote:\n> old\n", "Fine.");
	cut("Fine.\nOn 6 Dec 2026, at 10:15, ZEK wrote:\nold", "Fine.");
	/* Outlook's separators and header blocks. */
	cut("Erledigt.\n\n-----Ursprüngliche Nachricht-----\nVon: x\n",
	    "Erledigt.");
	cut("Done.\n-----Original Message-----\nFrom: x\n", "Done.");
	cut("Erledigt.\n\nVon: ZEK Servicedesk <zek@zek.example>\nGesendet: "
	    "Sonntag\nAn: Anna\nBetreff: x\n\nalt", "Erledigt.");
	cut("Done.\n\nFrom: ZEK\nSent: Sunday\nTo: Anna\n\nold", "Done.");
	/* A signature, and quoted lines between answers. */
	cut("Hallo\n\n-- \nAnna Schmidt\nBürgeramt\n", "Hallo");
	cut("> Frage eins?\nAntwort eins.\n> Frage zwei?\nAntwort zwei.\n",
	    "Antwort eins.\nAntwort zwei.");
	/* A "Von:" without an Outlook block is text. */
	cut("Von: Montag an geht es wieder.\n", "Von: Montag an geht es wieder.");
	cut("", "");
	cut("> nur zitiert\n", "");
}

static void
test_html_to_text(void **state)
{
	char *t = mail_text_from_html(a, "<html><head><title>T</title>"
	    "<style>p{}</style></head><body><p>Gr&uuml;&szlig;e &amp; "
	    "&#8364; &#x41;</p><div>zwei<br>drei</div><script>x()</script>"
	    "<blockquote><p>alt</p></blockquote><!-- c --></body></html>");

	assert_non_null(t);
	assert_non_null(strstr(t, "Grüße & € A"));
	assert_non_null(strstr(t, "zwei\ndrei"));
	assert_non_null(strstr(t, "> alt"));
	assert_null(strstr(t, "x()"));
	assert_null(strstr(t, "p{}"));
	assert_null(strstr(t, "<"));
	assert_string_equal(mail_text_cut_quotes(a, t), "Grüße & € A\n\nzwei\ndrei");
}

static void
test_markdown(void **state)
{
	char *md = mail_text_to_markdown(a, "# keine Überschrift\nzwei\r\n\n"
	    "> kein Zitat\n---\n  eingerückt");

	assert_string_equal(md, "\\# keine Überschrift\\\nzwei\n\n"
	    "\\> kein Zitat\\\n\\---\\\neingerückt");
}

static void
test_unflow(void **state)
{
	assert_string_equal(mail_text_unflow(a, "Ein langer Satz, der \r\n"
	    "umbrochen wurde.\r\n\r\n-- \r\n From me\r\n", false),
	    "Ein langer Satz, der umbrochen wurde.\n\n-- \nFrom me\n");
	assert_string_equal(mail_text_unflow(a, "Gesch \nrieben", true),
	    "Geschrieben");
}

static void
parse(const char *raw, struct inbound_msg *m)
{
	assert_int_equal(mail_parse(a, &cfg, raw, strlen(raw), m), ZEK_OK);
}

static void
test_charsets_and_headers(void **state)
{
	struct inbound_msg m;

	parse("From: =?ISO-8859-1?Q?J=FCrgen?= <J@Example.org>\r\n"
	    "To: a@x.example, \"Z\" <zek+tok@zek.example>\r\n"
	    "Cc: grp: c@x.example;\r\n"
	    "Delivered-To: zek+other@zek.example\r\n"
	    "Subject: =?utf-8?B?w4RuZGVydW5n?= =?windows-1252?Q?_=80?=\r\n"
	    "Message-ID: <m1@x.example>\r\n"
	    "References: <r1@x> <r2@x>\r\nIn-Reply-To: <r3@x>\r\n"
	    "Content-Type: text/plain; charset=iso-8859-1\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
	    "Gr=FC=DFe\r\n", &m);
	assert_true(m.parsed);
	assert_null(m.loop);
	assert_string_equal(m.from_addr, "J@Example.org");
	assert_string_equal(m.subject, "Änderung €");
	assert_string_equal(m.message_id, "<m1@x.example>");
	assert_int_equal(m.nrcpts, 4);
	assert_string_equal(m.rcpts[1], "zek+tok@zek.example");
	assert_string_equal(m.rcpts[2], "c@x.example");
	assert_string_equal(m.rcpts[3], "zek+other@zek.example");
	assert_int_equal(m.nrefs, 3);
	assert_string_equal(m.refs[2], "<r3@x>");
	assert_string_equal(m.reply_text, "Grüße");
	/* format=flowed is read as the lines meant. */
	parse("From: a@x.example\r\nContent-Type: text/plain; charset=utf-8; "
	    "format=flowed\r\n\r\nEin Satz, \r\nweiter.\r\n", &m);
	assert_string_equal(m.reply_text, "Ein Satz, weiter.");
	/* 8-bit headers without any charset: UTF-8, else Windows-1252. */
	parse("From: a@x.example\r\nSubject: Gr\xfc\xdf" "e\r\n\r\n"
	    "\xe4\r\n", &m);
	assert_string_equal(m.subject, "Grüße");
	assert_string_equal(m.reply_text, "ä");
}

static void
test_loops(void **state)
{
	static const struct { const char *headers, *reason; } cases[] = {
		{ "Auto-Submitted: auto-replied\r\n", "auto_reply" },
		{ "Auto-Submitted: auto-generated (vacation)\r\n", "auto_reply" },
		{ "Auto-Submitted: no\r\n", NULL },
		{ "X-Autoreply: yes\r\n", "auto_reply" },
		{ "Precedence: bulk\r\n", "bulk" },
		{ "Precedence: list\r\n", "bulk" },
		{ "Precedence: junk\r\n", "bulk" },
		{ "Precedence: first-class\r\n", NULL },
		{ "Return-Path: <>\r\n", "dsn" },
		{ "Content-Type: multipart/report; boundary=b\r\n", "dsn" },
		{ "Message-ID: <zek.ZEK-1.1.ab@zek.example>\r\n", "own_mail" },
	};
	char raw[512];
	struct inbound_msg m;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		snprintf(raw, sizeof(raw), "From: a@x.example\r\nSubject: s\r\n"
		    "%s\r\nText\r\n", cases[i].headers);
		parse(raw, &m);
		if (cases[i].reason == NULL)
			assert_null(m.loop);
		else if (m.loop == NULL || strcmp(m.loop, cases[i].reason) != 0)
			fail_msg("%s: %s", cases[i].headers, m.loop != NULL ?
			    m.loop : "(none)");
	}
	parse("From: ZEK <servicedesk@zek.example>\r\n\r\nx\r\n", &m);
	assert_string_equal(m.loop, "own_address");
	parse("From: zek+abc@zek.example\r\n\r\nx\r\n", &m);
	assert_string_equal(m.loop, "own_address");
	parse("From: MAILER-DAEMON@mx.example\r\n\r\nx\r\n", &m);
	assert_string_equal(m.loop, "dsn");
}

static void
test_garbage(void **state)
{
	struct inbound_msg m;
	static const unsigned char junk[] = { 0x00, 0xff, 0x13, 'x', 0x00 };

	assert_int_equal(mail_parse(a, &cfg, junk, sizeof(junk), &m), ZEK_OK);
	assert_false(m.parsed);
	parse("nothing like a header here\r\n", &m);
	assert_false(m.parsed);
}

/* What an operator may write into imap_url and imap_done_folder. */
static void
test_imap_settings(void **state)
{
	(void)state;
	assert_true(imap_url_valid("imaps://imap.example.org/INBOX"));
	assert_true(imap_url_valid("imap://127.0.0.1:1143"));
	assert_true(imap_url_valid("imaps://desk@imap.example.org/Support"));
	assert_false(imap_url_valid(""));
	assert_false(imap_url_valid("pop3://mail.example.org"));
	assert_false(imap_url_valid("imaps:///INBOX"));
	assert_false(imap_url_valid("imaps://desk:geheim@imap.example.org/"));
	assert_false(imap_url_valid("imap://host/INBOX/;UID=3"));
	assert_false(imap_url_valid("imap://host/IN BOX"));
	assert_true(imap_folder_valid(""));
	assert_true(imap_folder_valid("Verarbeitet"));
	assert_true(imap_folder_valid("Archiv/ZEK 2026"));
	assert_false(imap_folder_valid("a\"b"));
	assert_false(imap_folder_valid("Alles*"));
	assert_false(imap_folder_valid("Zeile\r\nA1 LOGOUT"));
	assert_false(imap_folder_valid("Gel\xc3\xb6scht"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cut_quotes),
		cmocka_unit_test(test_html_to_text),
		cmocka_unit_test(test_markdown),
		cmocka_unit_test(test_unflow),
		cmocka_unit_test(test_charsets_and_headers),
		cmocka_unit_test(test_loops),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_imap_settings),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
