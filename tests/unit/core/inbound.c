/* Unit tests for core/inbound.c through the receive pipeline: the corpus of tests/mail/inbound/, tokens, dedupe. */
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
#include <strings.h>

#include "core/activity.h"
#include "core/attachments.h"
#include "core/inbound.h"
#include "core/mailtoken.h"
#include "core/notify.h"
#include "core/requests.h"
#include "core/users.h"
#include "core/validate.h"
#include "helpers.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "mail/receive/receive.h"
#include "store/store.h"

#define REPLY_ADDRESS "zek@zek.example"
#define DAY_MS (86400LL * 1000)

static struct tenv *env;
static struct tenv_people p;
static int64_t r1;                  /* Anna's request, answered by Sam */
static char token1[64];             /* Anna's reply token for r1 */
static char msgid1[256];            /* Sam's comment mail to Anna */
static bool keep_ids;               /* corpus(): Message-IDs as written */
static char *last_msg;              /* the bytes receive() sent last */
static size_t last_len;

static struct user *
user(int64_t id)
{
	return tenv_get(env, id);
}

/* The reply token and Message-ID of the newest mail to `to` on request. */
static void
mail_to(int64_t request, int64_t to, char *tok, size_t ntok, char *mid,
    size_t nmid)
{
	struct store_mail *m;
	json_t *pl;
	size_t i, n;

	assert_int_equal(core_outbox_list(&env->ctx, NULL, request, 100, &m,
	    &n), ZEK_OK);
	for (i = 0; i < n; i++) {
		if (m[i].recipient_id != to)
			continue;
		pl = json_loads(m[i].payload, 0, NULL);
		assert_non_null(pl);
		str_lcpy(tok, json_string_value(json_object_get(pl,
		    NOTIFY_REPLY_TOKEN)) != NULL ? json_string_value(
		    json_object_get(pl, NOTIFY_REPLY_TOKEN)) : "", ntok);
		str_lcpy(mid, m[i].message_id, nmid);
		json_decref(pl);
		return;
	}
	fail_msg("no mail to user %lld", (long long)to);
}

static void
comment_by(int64_t who, int64_t request, const char *body)
{
	struct comment_input in = { .body = body, .is_public = true };
	struct field_error *errs;
	size_t nerrs;

	assert_int_equal(core_comment_add(&env->ctx, user(who), request, &in,
	    &errs, &nerrs, NULL), ZEK_OK);
}

static int
setup(void **state)
{
	env = tenv_new();
	env->cfg.mail_reply_address = REPLY_ADDRESS;
	env->cfg.smtp_from = "servicedesk@zek.example";
	env->cfg.mail_max_bytes = 64 << 10;
	tenv_config(env);
	tenv_people(env, &p);
	r1 = tenv_request(env, p.anna, "Anmeldung schlägt fehl", NULL);
	comment_by(p.sam, r1, "Welcher Browser?");
	mail_to(r1, p.anna, token1, sizeof(token1), msgid1, sizeof(msgid1));
	assert_true(strlen(token1) > 10);
	return 0;
}

static int
teardown(void **state)
{
	free(last_msg);
	tenv_free(env);
	return 0;
}

static int
reset(void **state)
{
	env->cfg.mail_unknown = MAIL_UNKNOWN_IGNORE;
	tenv_reset(env);
	return 0;
}

/* Gives the message a Message-ID of its own ("<tN.old>"): tests that
 * send a corpus file again mean another message, not a copy of it. */
static void
fresh_id(struct buf *b)
{
	static int n;
	char *h, *lt;
	char ins[16];
	size_t k, off;

	for (h = b->data; h != NULL && *h != '\0'; h = strchr(h, '\n')) {
		if (*h == '\n')
			h++;
		if (strncasecmp(h, "Message-ID:", 11) != 0)
			continue;
		lt = strchr(h, '<');
		if (lt == NULL)
			return;
		k = (size_t)snprintf(ins, sizeof(ins), "t%d.", ++n);
		off = (size_t)(lt + 1 - b->data);
		buf_append(b, ins, k);      /* room, then shift */
		memmove(b->data + off + k, b->data + off, b->len - k - off);
		memcpy(b->data + off, ins, k);
		return;
	}
}

/* The corpus file with its placeholders filled: the reply address with
 * `tok` and the Message-ID `mid`. */
static char *
corpus(const char *name, const char *tok, const char *mid, size_t *len)
{
	const char *root = getenv("ZEK_SOURCE_ROOT");
	char path[512], reply[128];
	struct buf b;
	FILE *f;
	long n;
	char *raw, *s, *hit;

	snprintf(path, sizeof(path), "%s/tests/mail/inbound/%s",
	    root != NULL ? root : ZEK_SOURCE_ROOT, name);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	raw = calloc(1, (size_t)n + 1);
	assert_non_null(raw);
	assert_int_equal(fread(raw, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	snprintf(reply, sizeof(reply), "zek+%s@zek.example", tok);
	buf_init(&b, 1u << 24);
	for (s = raw; s < raw + n;) {
		hit = strstr(s, "@@");
		if (hit == NULL || hit >= raw + n) {
			buf_append(&b, s, (size_t)(raw + n - s));
			break;
		}
		buf_append(&b, s, (size_t)(hit - s));
		if (strncmp(hit, "@@REPLY@@", 9) == 0) {
			buf_puts(&b, reply);
			s = hit + 9;
		} else if (strncmp(hit, "@@MSGID@@", 9) == 0) {
			buf_puts(&b, mid);
			s = hit + 9;
		} else {
			buf_append(&b, hit, 2);
			s = hit + 2;
		}
	}
	free(raw);
	if (!keep_ids)
		fresh_id(&b);
	*len = b.len;
	return b.data;
}

static enum zek_rc
receive_bytes(const char *msg, size_t len, struct inbound_result *res)
{
	struct inbound_raw raw;

	tenv_reset(env);
	assert_int_equal(mail_receive_raw(env->ctx.arena, &env->cfg, msg, len,
	    &raw), ZEK_OK);
	return mail_receive(env->core, &env->ctx, &raw, res);
}

static enum zek_rc
receive(const char *name, const char *tok, const char *mid,
    struct inbound_result *res)
{
	free(last_msg);
	last_msg = corpus(name, tok, mid, &last_len);
	return receive_bytes(last_msg, last_len, res);
}

static enum zek_rc
receive_again(struct inbound_result *res)
{
	return receive_bytes(last_msg, last_len, res);
}

/* The newest comment of the request as an agent sees it. */
static const struct activity_entry *
last_comment(int64_t request)
{
	struct activity_entry *e;
	size_t i, n;

	assert_int_equal(core_activity_list(&env->ctx, user(p.sam), request,
	    &e, &n), ZEK_OK);
	for (i = 0; i < n; i++)
		if (e[i].kind == ACTIVITY_COMMENT)
			return &e[i];
	return NULL;
}

static int64_t
comment_count(int64_t request)
{
	struct activity_entry *e;
	size_t i, n;
	int64_t k = 0;

	assert_int_equal(core_activity_list(&env->ctx, user(p.sam), request,
	    &e, &n), ZEK_OK);
	for (i = 0; i < n; i++)
		k += e[i].kind == ACTIVITY_COMMENT;
	return k;
}

/* One corpus message, what it must become. */
struct want {
	const char *file;
	const char *state;
	const char *reason;
	const char *has;            /* in the comment, NULL = no comment */
	const char *lacks;          /* not in it (quoted history, signature) */
	size_t nfiles;
};

static const struct want replies[] = {
	{ "outlook_de_reply.eml", INBOUND_DONE, "",
	    "vielen Dank, das Problem ist behoben.", "Gesendet", 0 },
	{ "thunderbird_de_reply.eml", INBOUND_DONE, "",
	    "gleicher Fehler", "Stadt Musterstadt", 0 },
	{ "applemail_en_reply.eml", INBOUND_DONE, "",
	    "Thanks, it works again on my Mac.", "wrote", 0 },
	{ "gmail_en_reply.eml", INBOUND_DONE, "",
	    "the error message says \"Session expired\" (see below).", "wrote",
	    0 },
	{ "html_only_reply.eml", INBOUND_DONE, "",
	    "hier die Antwort: Grüße & Dank für die Hilfe.", "alert", 0 },
	{ "latin1_qp_reply.eml", INBOUND_DONE, "",
	    "Die Übersicht zeigt jetzt alle Anträge, schöne Grüße!", NULL, 0 },
	{ "cp1252_base64_reply.eml", INBOUND_DONE, "",
	    "Der Betrag von 12 € wurde „korrekt“ gebucht – danke.", NULL, 0 },
	{ "nested_pdf_image.eml", INBOUND_DONE, "",
	    "Anbei der Prüfbericht und ein Bildschirmfoto.", NULL, 2 },
	{ "auto_reply_de.eml", INBOUND_IGNORED, "auto_reply", NULL, NULL, 0 },
	{ "dsn_bounce.eml", INBOUND_IGNORED, "dsn", NULL, NULL, 0 },
	{ "garbage.eml", INBOUND_QUARANTINED, "unparsable", NULL, NULL, 0 },
	{ "oversized.eml", INBOUND_QUARANTINED, "too_big", NULL, NULL, 0 },
	{ "spoofed_subject.eml", INBOUND_QUARANTINED, "spoofing", NULL, NULL,
	    0 },
};

static void
test_corpus_replies(void **state)
{
	const struct activity_entry *c;
	struct inbound_result res;
	int64_t before;
	size_t i;

	for (i = 0; i < ZEK_ARRAY_LEN(replies); i++) {
		const struct want *w = &replies[i];

		tenv_reset(env);
		before = comment_count(r1);
		assert_int_equal(receive(w->file, token1, msgid1, &res), ZEK_OK);
		if (!str_eq(res.state, w->state) || !str_eq(res.reason,
		    w->reason))
			fail_msg("%s: %s (%s), want %s (%s)", w->file, res.state,
			    res.reason, w->state, w->reason);
		assert_false(res.duplicate);
		tenv_reset(env);
		assert_int_equal(comment_count(r1), before + (w->has != NULL));
		if (w->has == NULL)
			continue;
		c = last_comment(r1);
		assert_non_null(c);
		if (strstr(c->body, w->has) == NULL)
			fail_msg("%s: comment lacks \"%s\":\n%s", w->file, w->has,
			    c->body);
		if (w->lacks != NULL && strstr(c->body, w->lacks) != NULL)
			fail_msg("%s: comment has \"%s\":\n%s", w->file, w->lacks,
			    c->body);
		assert_int_equal(c->actor.id, p.anna);
		assert_true(c->is_public);
		assert_int_equal(c->nattachments, w->nfiles);
		assert_int_equal(res.request_id, r1);
		assert_true(res.comment_id > 0);
	}
}

/* The inline image and the PDF keep their (RFC 2231) names, sniffed. */
static void
test_attachment_names(void **state)
{
	const struct activity_entry *c;
	struct inbound_result res;
	char tok[64], mid[256];
	int64_t r;
	size_t i;
	bool pdf = false, png = false;

	r = tenv_request(env, p.anna, "Mit Anhang", NULL);
	comment_by(p.sam, r, "Bitte Bericht schicken.");
	mail_to(r, p.anna, tok, sizeof(tok), mid, sizeof(mid));
	assert_int_equal(receive("nested_pdf_image.eml", tok, mid, &res),
	    ZEK_OK);
	assert_string_equal(res.state, INBOUND_DONE);
	tenv_reset(env);
	c = last_comment(r);
	assert_non_null(c);
	for (i = 0; i < c->nattachments; i++) {
		pdf |= str_eq(c->attachments[i].filename, "Prüfbericht.pdf") &&
		    str_eq(c->attachments[i].mime, "application/pdf");
		png |= str_eq(c->attachments[i].filename, "bildschirmfoto.png") &&
		    c->attachments[i].is_image;
	}
	for (i = 0; !pdf && i < c->nattachments; i++)
		print_message("file %s %s\n", c->attachments[i].filename,
		    c->attachments[i].mime);
	assert_true(pdf);
	assert_true(png);
}

/* The same message twice: one comment; the second changes nothing. */
static void
test_twice_one_comment(void **state)
{
	struct inbound_result res;
	char tok[64], mid[256];
	int64_t r;

	r = tenv_request(env, p.anna, "Zweimal zugestellt", NULL);
	comment_by(p.sam, r, "Frage?");
	mail_to(r, p.anna, tok, sizeof(tok), mid, sizeof(mid));
	/* Other bytes (another Received path), the same Message-ID. */
	keep_ids = true;
	assert_int_equal(receive("gmail_en_reply.eml", tok, mid, &res), ZEK_OK);
	assert_false(res.duplicate);
	assert_int_equal(receive("gmail_en_reply.eml", "", mid, &res), ZEK_OK);
	assert_true(res.duplicate);
	keep_ids = false;
	assert_int_equal(receive("thunderbird_de_reply.eml", tok, mid, &res),
	    ZEK_OK);
	assert_string_equal(res.state, INBOUND_DONE);
	/* The same bytes again: one comment; by Message-ID or by hash. */
	keep_ids = true;
	assert_int_equal(receive_again(&res), ZEK_OK);
	keep_ids = false;
	assert_true(res.duplicate);
	assert_string_equal(res.state, INBOUND_DONE);
	tenv_reset(env);
	assert_int_equal(comment_count(r), 3);     /* Sam's, Anna's two */
}

/* "Wartet auf Kunden" goes back to "Wartet auf Support", and the agents
 * hear of the reply, as with a comment in the portal. */
static void
test_reply_moves_status(void **state)
{
	struct inbound_result res;
	struct store_request *sr;
	struct store_mail *m;
	char tok[64], mid[256];
	size_t i, n, replies_to_agents = 0;
	int64_t r;

	r = tenv_request(env, p.anna, "Status folgt", NULL);
	assert_int_equal(store_request_set_status(env->ctx.db, r,
	    "wartet_kunde", "", env->ctx.now_ms), ZEK_OK);
	comment_by(p.sam, r, "Können Sie das prüfen?");
	mail_to(r, p.anna, tok, sizeof(tok), mid, sizeof(mid));
	assert_int_equal(receive("applemail_en_reply.eml", tok, mid, &res),
	    ZEK_OK);
	assert_string_equal(res.state, INBOUND_DONE);
	tenv_reset(env);
	assert_int_equal(store_request_by_id(env->ctx.db, env->ctx.arena, r,
	    &sr), ZEK_OK);
	assert_string_equal(sr->status, "wartet_support");
	assert_int_equal(core_outbox_list(&env->ctx, NULL, r, 100, &m, &n),
	    ZEK_OK);
	for (i = 0; i < n; i++)
		replies_to_agents += str_eq(m[i].event, NOTIFY_CUSTOMER_REPLY);
	assert_true(replies_to_agents >= 1);
}

static void
test_closed_request(void **state)
{
	struct inbound_result res;
	const char *tok;
	int64_t r;

	r = tenv_request(env, p.anna, "Erledigt", NULL);
	assert_int_equal(store_request_set_status(env->ctx.db, r,
	    "geschlossen", "geloest", env->ctx.now_ms), ZEK_OK);
	assert_int_equal(core_mail_token_make(&env->ctx, p.anna, r, &tok),
	    ZEK_OK);
	assert_int_equal(receive("closed_request_reply.eml", tok,
	    "<none@example.org>", &res), ZEK_OK);
	assert_string_equal(res.state, INBOUND_QUARANTINED);
	assert_string_equal(res.reason, "closed_request");
	tenv_reset(env);
	assert_int_equal(comment_count(r), 0);
}

/* By reference alone: our Message-ID, sent to the sender's address. */
static void
test_reply_by_reference(void **state)
{
	struct inbound_result res;
	char tok[64], mid[256];
	int64_t r;

	r = tenv_request(env, p.anna, "Nur Referenz", NULL);
	comment_by(p.sam, r, "Noch da?");
	mail_to(r, p.anna, tok, sizeof(tok), mid, sizeof(mid));
	/* "zek+x@" is no valid token, but the reference alone is enough. */
	assert_int_equal(receive("closed_request_reply.eml", "x", mid, &res),
	    ZEK_OK);
	assert_string_equal(res.state, INBOUND_DONE);
	/* A bad token and no reference: refused rather than guessed. */
	assert_int_equal(receive("closed_request_reply.eml", "x", "<n@x>",
	    &res), ZEK_OK);
	assert_string_equal(res.reason, "bad_token");
	assert_int_equal(receive("thunderbird_de_reply.eml", "", mid, &res),
	    ZEK_OK);
	assert_string_equal(res.state, INBOUND_DONE);
	assert_int_equal(res.request_id, r);
}

/* A token of Anna's used with Ben's From is no reply of Ben's. */
static void
test_sender_mismatch(void **state)
{
	struct inbound_result res;
	const char *tok;
	char *msg;
	size_t len;
	struct inbound_raw raw;

	assert_int_equal(core_mail_token_make(&env->ctx, p.anna, r1, &tok),
	    ZEK_OK);
	msg = corpus("closed_request_reply.eml", tok, "<n@x>", &len);
	memcpy(strstr(msg, "anna@example.org"), "ben@", 4);
	memmove(strstr(msg, "ben@") + 4, strstr(msg, "ben@") + 5,
	    strlen(strstr(msg, "ben@") + 5) + 1);
	len--;
	tenv_reset(env);
	assert_int_equal(mail_receive_raw(env->ctx.arena, &env->cfg, msg, len,
	    &raw), ZEK_OK);
	assert_int_equal(mail_receive(env->core, &env->ctx, &raw, &res),
	    ZEK_OK);
	free(msg);
	assert_string_equal(res.state, INBOUND_QUARANTINED);
	assert_string_equal(res.reason, "sender_mismatch");
}

static void
test_new_request(void **state)
{
	struct inbound_result res;
	struct request_view *v;
	struct store_mail *m;
	size_t i, n, confirmations = 0;
	char key[32];

	assert_int_equal(receive("forwarded_new.eml", "", "", &res), ZEK_OK);
	assert_string_equal(res.state, INBOUND_DONE);
	assert_true(res.request_id > 0);
	str_lcpy(key, res.request_key, sizeof(key));
	tenv_reset(env);
	assert_int_equal(core_request_get(&env->ctx, user(p.anna), key, "de",
	    &v), ZEK_OK);
	assert_string_equal(v->title, "WG: Fehler im Online-Dienst Wohngeld");
	assert_int_equal(v->type_id, 4);
	for (i = 0; i < v->nfields; i++)
		if (str_eq(v->fields[i].key, "description")) {
			assert_non_null(strstr(v->fields[i].values[0],
			    "Interner Fehler 500"));
			assert_non_null(strstr(v->fields[i].values[0],
			    "Weitergeleitete Nachricht"));
		}
	assert_int_equal(core_outbox_list(&env->ctx, NULL, v->id, 100, &m, &n),
	    ZEK_OK);
	for (i = 0; i < n; i++)
		confirmations += str_eq(m[i].event, NOTIFY_CREATED) &&
		    m[i].recipient_id == p.anna;
	assert_int_equal(confirmations, 1);
}

static size_t
unknown_mails(void)
{
	struct store_mail *m;
	size_t i, n, k = 0;

	assert_int_equal(core_outbox_list(&env->ctx, NULL, 0, 1000, &m, &n),
	    ZEK_OK);
	for (i = 0; i < n; i++)
		k += str_eq(m[i].event, NOTIFY_MAIL_UNKNOWN);
	return k;
}

/* Never an account; one polite answer, never to an automatic mail. */
static void
test_unknown_sender(void **state)
{
	static const char mail[] = "From: someone@example.com\r\n"
	    "To: zek@zek.example\r\nSubject: Hallo\r\n"
	    "Message-ID: <u1@example.com>\r\n\r\nIch habe eine Frage.\r\n";
	static const char robot[] = "From: someone@example.com\r\n"
	    "To: zek@zek.example\r\nSubject: Out of office\r\n"
	    "Auto-Submitted: auto-replied\r\n"
	    "Message-ID: <u2@example.com>\r\n\r\nAway.\r\n";
	static const char other[] = "From: SomeOne@example.com\r\n"
	    "To: zek@zek.example\r\nSubject: Re: Ihre E-Mail\r\n"
	    "Message-ID: <u3@example.com>\r\n\r\nIch bin nicht da.\r\n";
	struct inbound_result res;
	struct inbound_raw raw;
	struct user *u;
	size_t before;

	env->cfg.mail_unknown = MAIL_UNKNOWN_REPLY;
	before = unknown_mails();
	assert_int_equal(mail_receive_raw(env->ctx.arena, &env->cfg, mail,
	    strlen(mail), &raw), ZEK_OK);
	assert_int_equal(mail_receive(env->core, &env->ctx, &raw, &res),
	    ZEK_OK);
	assert_string_equal(res.state, INBOUND_QUARANTINED);
	assert_string_equal(res.reason, "unknown_sender");
	assert_int_equal(unknown_mails(), before + 1);
	assert_int_equal(core_user_by_email(&env->ctx, "someone@example.com",
	    &u), ZEK_NOTFOUND);
	tenv_reset(env);
	assert_int_equal(mail_receive_raw(env->ctx.arena, &env->cfg, robot,
	    strlen(robot), &raw), ZEK_OK);
	assert_int_equal(mail_receive(env->core, &env->ctx, &raw, &res),
	    ZEK_OK);
	assert_string_equal(res.state, INBOUND_IGNORED);
	assert_int_equal(unknown_mails(), before + 1);
	/* A robot that marks nothing: one answer a day at most. */
	tenv_reset(env);
	assert_int_equal(receive_bytes(other, strlen(other), &res), ZEK_OK);
	assert_string_equal(res.reason, "unknown_sender");
	assert_int_equal(unknown_mails(), before + 1);
}

/* Stored, and the process died before processing: the next delivery
 * processes it. */
static void
test_stored_unprocessed_is_processed_next_time(void **state)
{
	struct inbound_result res;
	struct inbound_raw raw;
	struct inbound_msg m = { .message_id = "<t-crash@example.org>",
	    .from_addr = "anna@example.org", .subject = "x" };
	char tok[64], mid[256];
	int64_t r, id;
	bool dup;

	r = tenv_request(env, p.anna, "Abgestürzt", NULL);
	comment_by(p.sam, r, "Und jetzt?");
	mail_to(r, p.anna, tok, sizeof(tok), mid, sizeof(mid));
	free(last_msg);
	last_msg = corpus("applemail_en_reply.eml", tok, mid, &last_len);
	assert_int_equal(mail_receive_raw(env->ctx.arena, &env->cfg, last_msg,
	    last_len, &raw), ZEK_OK);
	assert_int_equal(core_inbound_store(&env->ctx, &raw, &m, &id, &dup),
	    ZEK_OK);
	assert_false(dup);
	assert_int_equal(receive_again(&res), ZEK_OK);
	assert_false(res.duplicate);
	assert_int_equal(res.id, id);
	assert_string_equal(res.state, INBOUND_DONE);
	assert_int_equal(receive_again(&res), ZEK_OK);
	assert_true(res.duplicate);
	tenv_reset(env);
	assert_int_equal(comment_count(r), 2);
}

/* A quarantined message processed again once its cause is gone; a too
 * big one cannot be (only its head is kept). */
static void
test_retry_quarantined(void **state)
{
	static const char mail[] = "From: dora@example.org\r\n"
	    "To: zek@zek.example\r\nSubject: Frage von Dora\r\n"
	    "Message-ID: <dora-1@example.org>\r\n\r\nWie geht das?\r\n";
	struct inbound_result res;
	int64_t id;

	assert_int_equal(receive_bytes(mail, strlen(mail), &res), ZEK_OK);
	assert_string_equal(res.reason, "unknown_sender");
	id = res.id;
	tenv_reset(env);
	assert_int_equal(mail_receive_again(env->core, &env->ctx, NULL, id,
	    &res),
	    ZEK_OK);
	assert_string_equal(res.reason, "unknown_sender");
	tenv_add(env, "dora@example.org", "Dora Demo", "customer", NULL);
	tenv_reset(env);
	assert_int_equal(mail_receive_again(env->core, &env->ctx, NULL, id,
	    &res),
	    ZEK_OK);
	assert_string_equal(res.state, INBOUND_DONE);
	assert_true(res.request_id > 0);
	/* Done is done. */
	tenv_reset(env);
	assert_int_equal(mail_receive_again(env->core, &env->ctx, NULL, id,
	    &res),
	    ZEK_CONFLICT);
	assert_int_equal(receive("oversized.eml", token1, msgid1, &res), ZEK_OK);
	assert_string_equal(res.reason, "too_big");
	id = res.id;
	tenv_reset(env);
	assert_int_equal(mail_receive_again(env->core, &env->ctx, NULL, id,
	    &res),
	    ZEK_CONFLICT);
	assert_int_equal(mail_receive_again(env->core, &env->ctx, NULL,
	    id + 1000, &res), ZEK_NOTFOUND);
}

/* The newest history row about received mail: "subject old new". */
static const char *
last_mail_change(void)
{
	struct store_config_change *ch;
	size_t n;

	assert_int_equal(store_config_changes_list(env->ctx.db,
	    env->ctx.arena, 0, 1, &ch, &n), ZEK_OK);
	assert_int_equal(n, 1);
	return arena_printf(env->ctx.arena, "%s %s %s %s", ch->subject,
	    ch->target, ch->old_value, ch->new_value);
}

/* Admins discard a quarantined message: kept with who and when, never
 * discarded or retried again; anybody else finds no message at all. */
static void
test_discard_admins_only(void **state)
{
	static const char mail[] = "From: erik@example.org\r\n"
	    "To: zek@zek.example\r\nSubject: Werbung\r\n"
	    "Message-ID: <erik-1@example.org>\r\n\r\nKaufen Sie!\r\n";
	struct store_inbound *m;
	struct inbound_result res;
	struct user *admin, *sam;
	int64_t id, before = 0, after = 0;

	assert_int_equal(receive_bytes(mail, strlen(mail), &res), ZEK_OK);
	id = res.id;
	tenv_reset(env);
	admin = tenv_user(env, "root@example.org", "admin", NULL);
	sam = user(p.sam);
	assert_int_equal(core_inbound_count(&env->ctx, admin,
	    INBOUND_QUARANTINED, &before), ZEK_OK);
	/* Agents and customers: as if there were no such message. */
	assert_int_equal(core_inbound_get(&env->ctx, sam, id, false, &m),
	    ZEK_NOTFOUND);
	assert_int_equal(core_inbound_discard(&env->ctx, sam, id),
	    ZEK_NOTFOUND);
	assert_int_equal(core_inbound_discard(&env->ctx, user(p.anna), id),
	    ZEK_NOTFOUND);
	assert_int_equal(mail_receive_again(env->core, &env->ctx, sam, id,
	    &res), ZEK_NOTFOUND);
	assert_int_equal(core_inbound_count(&env->ctx, sam,
	    INBOUND_QUARANTINED, &after), ZEK_NOTFOUND);

	/* A retry that changes nothing is recorded with its outcome. */
	assert_int_equal(mail_receive_again(env->core, &env->ctx, admin, id,
	    &res), ZEK_OK);
	assert_string_equal(res.reason, "unknown_sender");
	assert_string_equal(last_mail_change(), arena_printf(env->ctx.arena,
	    "mail_retry mail:%lld quarantined:unknown_sender "
	    "quarantined:unknown_sender", (long long)id));

	assert_int_equal(core_inbound_discard(&env->ctx, admin, id), ZEK_OK);
	assert_int_equal(core_inbound_get(&env->ctx, admin, id, false, &m),
	    ZEK_OK);
	assert_string_equal(m->state, INBOUND_DISCARDED);
	assert_int_equal(m->discarded_by, admin->id);
	assert_string_equal(m->discarded_by_name, admin->name);
	assert_int_equal(m->discarded_at, env->ctx.now_ms);
	assert_string_equal(last_mail_change(), arena_printf(env->ctx.arena,
	    "mail_discard mail:%lld quarantined:unknown_sender discarded",
	    (long long)id));
	assert_int_equal(core_inbound_count(&env->ctx, admin,
	    INBOUND_QUARANTINED, &after), ZEK_OK);
	assert_int_equal(after, before - 1);

	/* Gone from quarantine: neither again. */
	assert_int_equal(core_inbound_discard(&env->ctx, admin, id),
	    ZEK_CONFLICT);
	assert_int_equal(mail_receive_again(env->core, &env->ctx, admin, id,
	    &res), ZEK_CONFLICT);
	assert_int_equal(core_inbound_discard(&env->ctx, admin, id + 1000),
	    ZEK_NOTFOUND);
}

static void
test_token(void **state)
{
	const char *tok;
	char bad[64];
	int64_t u, r;

	assert_int_equal(core_mail_token_make(&env->ctx, p.ben, 12345, &tok),
	    ZEK_OK);
	assert_true(strlen(tok) <= MAILTOKEN_LEN_MAX);
	assert_int_equal(strspn(tok, "abcdefghijklmnopqrstuvwxyz234567"),
	    strlen(tok));
	assert_int_equal(core_mail_token_check(&env->ctx, tok, &u, &r), ZEK_OK);
	assert_int_equal(u, p.ben);
	assert_int_equal(r, 12345);
	/* Case folded by a mail system: still good. */
	str_lcpy(bad, tok, sizeof(bad));
	for (char *c = bad; *c != '\0'; c++)
		if (*c >= 'a' && *c <= 'z')
			*c = (char)(*c - 32);
	assert_int_equal(core_mail_token_check(&env->ctx, bad, &u, &r), ZEK_OK);
	/* One character changed: the MAC fails. */
	str_lcpy(bad, tok, sizeof(bad));
	bad[5] = bad[5] == 'a' ? 'b' : 'a';
	assert_int_equal(core_mail_token_check(&env->ctx, bad, &u, &r),
	    ZEK_NOTFOUND);
	assert_int_equal(core_mail_token_check(&env->ctx, "", &u, &r),
	    ZEK_NOTFOUND);
	assert_int_equal(core_mail_token_check(&env->ctx, "zek+1!", &u, &r),
	    ZEK_NOTFOUND);
	/* Too old. */
	env->ctx.now_ms += (MAILTOKEN_DAYS + 1) * DAY_MS;
	assert_int_equal(core_mail_token_check(&env->ctx, tok, &u, &r),
	    ZEK_NOTFOUND);
	/* Addresses. */
	assert_string_equal(core_mail_token_of_addr(env->ctx.arena,
	    REPLY_ADDRESS, "ZEK+abc@ZEK.example"), "abc");
	assert_null(core_mail_token_of_addr(env->ctx.arena, REPLY_ADDRESS,
	    "zek+abc@other.example"));
	assert_null(core_mail_token_of_addr(env->ctx.arena, REPLY_ADDRESS,
	    "zekx+abc@zek.example"));
	assert_string_equal(core_mail_reply_addr(env->ctx.arena, REPLY_ADDRESS,
	    "abc"), "zek+abc@zek.example");
	assert_null(core_mail_reply_addr(env->ctx.arena, REPLY_ADDRESS, "a b"));
}

/* Mails of a closed request carry no token; none without the setting. */
static void
test_token_only_when_open(void **state)
{
	char tok[64], mid[256];
	int64_t r;

	r = tenv_request(env, p.anna, "Tokens", NULL);
	comment_by(p.sam, r, "Eins");
	mail_to(r, p.anna, tok, sizeof(tok), mid, sizeof(mid));
	assert_true(tok[0] != '\0');
	env->cfg.mail_reply_address = "";
	comment_by(p.sam, r, "Zwei");
	mail_to(r, p.anna, tok, sizeof(tok), mid, sizeof(mid));
	env->cfg.mail_reply_address = REPLY_ADDRESS;
	assert_string_equal(tok, "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_token, reset),
		cmocka_unit_test_setup(test_corpus_replies, reset),
		cmocka_unit_test_setup(test_attachment_names, reset),
		cmocka_unit_test_setup(test_twice_one_comment, reset),
		cmocka_unit_test_setup(test_reply_moves_status, reset),
		cmocka_unit_test_setup(test_closed_request, reset),
		cmocka_unit_test_setup(test_reply_by_reference, reset),
		cmocka_unit_test_setup(test_sender_mismatch, reset),
		cmocka_unit_test_setup(test_new_request, reset),
		cmocka_unit_test_setup(test_unknown_sender, reset),
		cmocka_unit_test_setup(test_token_only_when_open, reset),
		cmocka_unit_test_setup(
		    test_stored_unprocessed_is_processed_next_time, reset),
		cmocka_unit_test_setup(test_retry_quarantined, reset),
		cmocka_unit_test_setup(test_discard_admins_only, reset),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
