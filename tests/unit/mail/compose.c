/* Unit tests for mail/compose.c: every event in both languages, escaping, zones, threading. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/notify.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "mail/compose.h"
#include "core/config.h"
#include "mailtest.h"
#include "render/i18n.h"
#include "render/template.h"
#include "store/store.h"

#define T0 1772546709000LL      /* Tue, 03 Mar 2026 14:05:09 UTC */

static struct config cfg;
static struct templates *tpl;
static struct catalogs *cat;
static struct mail_env env;

static int
setup(void **state)
{
	const char *root = getenv("ZEK_SOURCE_ROOT");
	char dir[512], err[256];

	if (root == NULL)
		root = ZEK_SOURCE_ROOT;
	config_defaults(&cfg);
	cfg.smtp_from = "zek@zek.example";
	cfg.smtp_from_name = "ZEK Servicedesk";
	snprintf(dir, sizeof(dir), "%s/templates", root);
	tpl = templates_load(dir, err, sizeof(err));
	if (tpl == NULL)
		fail_msg("templates: %s", err);
	snprintf(dir, sizeof(dir), "%s/po", root);
	cat = i18n_load(dir, err, sizeof(err));
	if (cat == NULL)
		fail_msg("catalogs: %s", err);
	env = (struct mail_env){ &cfg, tpl, cat, NULL };
	return 0;
}

static int
teardown(void **state)
{
	templates_free(tpl);
	i18n_free(cat);
	return 0;
}

/* A payload as core/notify.c writes it. */
static char *
payload(const char *title, const char *status, const char *resolution,
    const char *old_status, const char *comment)
{
	json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I}",
	    "key", "ZEK-12", "title", title,
	    "url", "https://zek.example/servicedesk/customer/portal/17/ZEK-12",
	    "actor", "Sam Support", "reporter", "Anna Schmidt",
	    "status", status, "resolution", resolution,
	    "request_created_at", (json_int_t)T0);
	char *s;

	if (old_status != NULL)
		json_object_set_new(p, "old_status", json_string(old_status));
	if (comment != NULL)
		json_object_set_new(p, "comment", json_string(comment));
	s = json_dumps(p, JSON_COMPACT);
	json_decref(p);
	return s;
}

static struct store_mail
mail(const char *event, const char *lang, const char *tz, const char *pl)
{
	return (struct store_mail){
		.id = 1,
		.event = event,
		.request_id = 12,
		.recipient_id = 1,
		.to_addr = strcmp(lang, "en") != 0 ? "anna@example.org" :
		    "carla@example.org",
		.to_name = strcmp(lang, "en") != 0 ? "Anna Schmidt" : "Carla Yilmaz",
		.lang = lang,
		.tz = tz,
		.message_id = "<zek.ZEK-12.1772546709000.ab12@zek.example>",
		.thread_id = "<zek.ZEK-12.1772546709000@zek.example>",
		.payload = pl,
		.raw = "",
		.state = "pending",
		.created_at = T0,
		.next_attempt_at = T0,
	};
}

/* Renders; the message must be well-formed. Caller frees. */
static char *
render(const struct store_mail *m)
{
	struct arena *a = arena_new(0);
	struct buf b;
	size_t n;

	buf_init(&b, MAIL_MAX_BYTES);
	assert_int_equal(mail_compose(&env, a, m, &b), ZEK_OK);
	arena_free(a);
	mt_assert_wellformed(b.data);
	return buf_steal(&b, &n);
}

static void
test_every_event_in_both_languages(void **state)
{
	static const char *const events[] = { NOTIFY_CREATED,
	    NOTIFY_NEW_REQUEST, NOTIFY_COMMENT, NOTIFY_CUSTOMER_REPLY,
	    NOTIFY_STATUS, NOTIFY_SOLUTION, NOTIFY_AUTO_CLOSED,
	    NOTIFY_PARTICIPANT_ADDED };
	char *pl = payload("Drucker streikt", "wartet_kunde", "geloest",
	    "in_bearbeitung", "Bitte **neu** starten.");
	struct store_mail m;
	char *msg, *v, *text, *html;
	size_t i;

	for (i = 0; i < sizeof(events) / sizeof(*events); i++) {
		m = mail(events[i], "de", "Europe/Berlin", pl);
		msg = render(&m);
		v = mt_header(msg, "Subject");
		assert_string_equal(v, "[ZEK-12] Drucker streikt");
		free(v);
		v = mt_header(msg, "To");
		assert_string_equal(v, "Anna Schmidt <anna@example.org>");
		free(v);
		text = mt_part(msg, "text/plain");
		html = mt_part(msg, "text/html");
		assert_non_null(strstr(text, "Guten Tag Anna Schmidt,"));
		assert_non_null(strstr(text, "ZEK-12"));
		assert_non_null(strstr(text,
		    "https://zek.example/servicedesk/customer/portal/17/ZEK-12"));
		assert_non_null(strstr(html, "<html lang=\"de\">"));
		assert_non_null(strstr(html, "href=\"https://zek.example/"
		    "servicedesk/customer/portal/17/ZEK-12\""));
		/* No template or catalog key leaks into the text. */
		assert_null(strstr(text, "mail_"));
		assert_null(strstr(text, "{{"));
		assert_null(strstr(text, "{key}"));
		free(text);
		free(html);
		free(msg);

		m = mail(events[i], "en", "America/New_York", pl);
		msg = render(&m);
		text = mt_part(msg, "text/plain");
		assert_non_null(strstr(text, "Hello Carla Yilmaz,"));
		assert_null(strstr(text, "Guten Tag"));
		assert_null(strstr(text, "mail_"));
		v = mt_header(msg, "Content-Language");
		assert_string_equal(v, "en");
		free(v);
		free(text);
		free(msg);
	}
	free(pl);
}

static void
test_texts_per_event(void **state)
{
	char *pl = payload("Drucker", "in_bearbeitung", "", "offen", NULL);
	struct store_mail m = mail(NOTIFY_STATUS, "de", "Europe/Berlin", pl);
	char *msg = render(&m), *text = mt_part(msg, "text/plain");

	assert_non_null(strstr(text, "der Status Ihrer Anfrage ZEK-12 wurde von "
	    "„Offen“ zu „In Bearbeitung“ geändert."));
	/* The time in the reader's zone: 14:05 UTC is 15:05 in Berlin. */
	assert_non_null(strstr(text, "Zeitpunkt: 03.03.2026, 15:05"));
	free(text);
	free(msg);
	m = mail(NOTIFY_STATUS, "en", "America/New_York", pl);
	msg = render(&m);
	text = mt_part(msg, "text/plain");
	assert_non_null(strstr(text, "from “Open” to “In progress”"));
	assert_non_null(strstr(text, "09:05"));
	free(text);
	free(msg);
	free(pl);

	pl = payload("Drucker", "geschlossen", "geloest", NULL, NULL);
	m = mail(NOTIFY_AUTO_CLOSED, "de", "Europe/Berlin", pl);
	msg = render(&m);
	text = mt_part(msg, "text/plain");
	assert_non_null(strstr(text, "automatisch geschlossen"));
	assert_non_null(strstr(text, "Lösung: Gelöst"));
	/* A closed request takes no comment: the footer does not ask for one. */
	assert_null(strstr(text, "kommentieren Sie"));
	assert_non_null(strstr(text, "erstellen Sie bitte eine neue Anfrage"));
	free(text);
	free(msg);
	m = mail(NOTIFY_NEW_REQUEST, "de", "Europe/Berlin", pl);
	msg = render(&m);
	text = mt_part(msg, "text/plain");
	assert_non_null(strstr(text, "Anna Schmidt hat die neue Anfrage ZEK-12 "
	    "gestellt."));
	free(text);
	free(msg);
	free(pl);

	/* A proposed solution names the day it closes by itself, in the
	 * reader's zone (14 days after T0: 17.03.2026, 15:05 in Berlin); an
	 * open request's footer asks for comments in the portal. */
	pl = payload("Drucker", "wartet_kunde", "geloest", NULL, NULL);
	{
		json_t *j = json_loads(pl, 0, NULL);

		json_object_set_new(j, "closes_at",
		    json_integer(T0 + 14 * 24 * 3600 * 1000LL));
		free(pl);
		pl = json_dumps(j, JSON_COMPACT);
		json_decref(j);
	}
	m = mail(NOTIFY_SOLUTION, "de", "Europe/Berlin", pl);
	msg = render(&m);
	text = mt_part(msg, "text/plain");
	assert_non_null(strstr(text, "Ohne Antwort wird die Anfrage am "
	    "17.03.2026, 15:05 automatisch geschlossen."));
	assert_non_null(strstr(text, "kommentieren Sie die Anfrage im Portal"));
	free(text);
	free(msg);
	free(pl);
}

static void
test_user_text_is_escaped_in_html_only(void **state)
{
	const char *title = "<script>alert(1)</script> & \"Co\"";
	char *pl = payload(title, "wartet_support", "", NULL,
	    "**fett** <img src=x onerror=alert(1)>");
	struct store_mail m = mail(NOTIFY_COMMENT, "de", "Europe/Berlin", pl);
	char *msg = render(&m), *text, *html, *v;

	text = mt_part(msg, "text/plain");
	html = mt_part(msg, "text/html");
	/* Plain text is plain: shown as typed. */
	assert_non_null(strstr(text, title));
	assert_non_null(strstr(text, "**fett** <img src=x onerror=alert(1)>"));
	/* HTML escapes every user value; the comment is safe Markdown. */
	assert_null(strstr(html, "<script>"));
	assert_null(strstr(html, "<img"));
	assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt; "
	    "&amp; &quot;Co&quot;"));
	assert_non_null(strstr(html, "<strong>fett</strong>"));
	v = mt_header(msg, "Subject");
	assert_string_equal(v, "[ZEK-12] <script>alert(1)</script> & \"Co\"");
	free(v);
	free(text);
	free(html);
	free(msg);
	free(pl);
}

static void
test_threading_and_unsubscribe(void **state)
{
	char *pl = payload("Drucker", "offen", "", NULL, NULL);
	struct store_mail m = mail(NOTIFY_NEW_REQUEST, "de", "Europe/Berlin", pl);
	char *msg = render(&m), *again, *v;

	v = mt_header(msg, "In-Reply-To");
	assert_string_equal(v, "<zek.ZEK-12.1772546709000@zek.example>");
	free(v);
	v = mt_header(msg, "References");
	assert_string_equal(v, "<zek.ZEK-12.1772546709000@zek.example>");
	free(v);
	v = mt_header(msg, "Message-ID");
	assert_string_equal(v, "<zek.ZEK-12.1772546709000.ab12@zek.example>");
	free(v);
	v = mt_header(msg, "List-Unsubscribe");
	assert_string_equal(v, "<https://zek.example/servicedesk/customer/"
	    "portal/17/ZEK-12#notify-state>");
	free(v);
	v = mt_header(msg, "Auto-Submitted");
	assert_string_equal(v, "auto-generated");
	free(v);
	v = mt_header(msg, "From");
	assert_string_equal(v, "ZEK Servicedesk <zek@zek.example>");
	free(v);
	/* Rendering is deterministic: a retry would send the same bytes. */
	again = render(&m);
	assert_string_equal(msg, again);
	free(again);
	free(msg);
	/* The confirmation is the root: no In-Reply-To. */
	m = mail(NOTIFY_CREATED, "de", "Europe/Berlin", pl);
	m.message_id = m.thread_id;
	msg = render(&m);
	assert_null(mt_header(msg, "In-Reply-To"));
	free(msg);
	free(pl);
}

static void
test_unusable_mails_are_refused(void **state)
{
	char *pl = payload("Drucker", "offen", "", NULL, NULL);
	struct arena *a = arena_new(0);
	struct store_mail m;
	struct buf b;

	buf_init(&b, MAIL_MAX_BYTES);
	m = mail("../layout", "de", "Europe/Berlin", pl);
	assert_int_equal(mail_compose(&env, a, &m, &b), ZEK_INVALID);
	m = mail(NOTIFY_CREATED, "de", "Europe/Berlin", "[1, 2]");
	assert_int_equal(mail_compose(&env, a, &m, &b), ZEK_INVALID);
	m = mail(NOTIFY_CREATED, "de", "Europe/Berlin", "not json");
	assert_int_equal(mail_compose(&env, a, &m, &b), ZEK_INVALID);
	m = mail(NOTIFY_CREATED, "de", "Europe/Berlin", pl);
	m.to_addr = "anna@example.org\r\nBcc: x@example.org";
	assert_int_equal(mail_compose(&env, a, &m, &b), ZEK_INVALID);
	/* An unknown language or zone falls back instead of failing. */
	buf_reset(&b);
	m = mail(NOTIFY_CREATED, "fr", "Mars/Olympus", pl);
	assert_int_equal(mail_compose(&env, a, &m, &b), ZEK_OK);
	assert_non_null(strstr(b.data, "Content-Language: de"));
	buf_free(&b);
	arena_free(a);
	free(pl);
}

/* With mail_reply_address and a token: Reply-To, the hint above the cut
 * line in both parts and languages, the footer that invites answers. */
static void
test_reply_address(void **state)
{
	static const char *const langs[] = { "de", "en" };
	static const char *const hints[] = {
		"Antworten Sie auf diese E-Mail, um einen Kommentar hinzuzuf\xc3\xbcgen.",
		"Reply to this e-mail to add a comment.",
	};
	static const char *const cuts[] = {
		"-- Bitte oberhalb dieser Zeile antworten --",
		"-- Please reply above this line --",
	};
	json_t *p;
	char *pl, *msg, *v, *text, *html, *base;
	struct store_mail m;
	size_t i;

	base = payload("Drucker", "wartet_kunde", "", NULL, "Frage?");
	p = json_loads(base, 0, NULL);
	free(base);
	json_object_set_new(p, NOTIFY_REPLY_TOKEN, json_string("abcd2345"));
	pl = json_dumps(p, JSON_COMPACT);
	json_decref(p);
	cfg.mail_reply_address = "zek@zek.example";
	for (i = 0; i < 2; i++) {
		m = mail(NOTIFY_COMMENT, langs[i], "Europe/Berlin", pl);
		msg = render(&m);
		v = mt_header(msg, "Reply-To");
		assert_string_equal(v, "zek+abcd2345@zek.example");
		free(v);
		text = mt_part(msg, "text/plain");
		html = mt_part(msg, "text/html");
		/* The hint comes first, the cut line right under it. */
		assert_ptr_equal(strstr(text, hints[i]), text);
		assert_non_null(strstr(text, cuts[i]));
		assert_true(strstr(text, cuts[i]) < strstr(text, "Frage?"));
		assert_non_null(strstr(html, cuts[i]));
		assert_null(strstr(text, i == 0 ? "Bitte antworten Sie nicht" :
		    "Please do not reply"));
		free(text);
		free(html);
		free(msg);
	}
	/* Unset: as before, no Reply-To, "do not reply". */
	cfg.mail_reply_address = "";
	m = mail(NOTIFY_COMMENT, "de", "Europe/Berlin", pl);
	msg = render(&m);
	assert_null(mt_header_raw(msg, "Reply-To"));
	text = mt_part(msg, "text/plain");
	assert_null(strstr(text, hints[0]));
	assert_non_null(strstr(text, "Bitte antworten Sie nicht"));
	free(text);
	free(msg);
	free(pl);
	/* A closed request asks for no answer, token or not. */
	base = payload("Drucker", "geschlossen", "geloest", NULL, NULL);
	p = json_loads(base, 0, NULL);
	free(base);
	json_object_set_new(p, NOTIFY_REPLY_TOKEN, json_string("abcd2345"));
	pl = json_dumps(p, JSON_COMPACT);
	json_decref(p);
	cfg.mail_reply_address = "zek@zek.example";
	m = mail(NOTIFY_STATUS, "de", "Europe/Berlin", pl);
	msg = render(&m);
	assert_null(mt_header_raw(msg, "Reply-To"));
	free(msg);
	free(pl);
	cfg.mail_reply_address = "";
}

/* The answer to an unknown sender: its own subject, the portal's link,
 * no unsubscribe header. */
static void
test_mail_unknown(void **state)
{
	char *pl = strdup("{\"title\":\"Hallo\",\"url\":"
	    "\"https://zek.example/servicedesk/customer/portals\"}");
	struct store_mail m = mail(NOTIFY_MAIL_UNKNOWN, "de", "Europe/Berlin",
	    pl);
	char *msg, *v, *text;

	m.request_id = 0;
	m.recipient_id = 0;
	m.thread_id = "";
	m.to_name = "";
	msg = render(&m);
	v = mt_header(msg, "Subject");
	assert_string_equal(v, "Ihre E-Mail an den ZEK Servicedesk");
	free(v);
	assert_null(mt_header_raw(msg, "List-Unsubscribe"));
	text = mt_part(msg, "text/plain");
	assert_non_null(strstr(text, "Betreff Ihrer E-Mail: Hallo"));
	assert_non_null(strstr(text, "/servicedesk/customer/portals"));
	free(text);
	free(msg);
	free(pl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_event_in_both_languages),
		cmocka_unit_test(test_texts_per_event),
		cmocka_unit_test(test_user_text_is_escaped_in_html_only),
		cmocka_unit_test(test_threading_and_unsubscribe),
		cmocka_unit_test(test_unusable_mails_are_refused),
		cmocka_unit_test(test_reply_address),
		cmocka_unit_test(test_mail_unknown),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
