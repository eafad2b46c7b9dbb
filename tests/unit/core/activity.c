/* Unit tests for core/activity.c: comments, their files, internal notes, the log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/activity.h"
#include "core/attachments.h"
#include "core/notify.h"
#include "core/requests.h"
#include "core/sharing.h"
#include "core/users.h"
#include "core/validate.h"
#include "core/workflow.h"
#include "helpers.h"
#include "lib/str.h"
#include "lib/arena.h"
#include "store/store.h"


static struct tenv *env;
static struct tenv_people people;
static int64_t anna, ben, carla, sam;

static struct user *
u(int64_t id)
{
	return tenv_get(env, id);
}

static int
setup(void **state)
{
	env = tenv_new();
	tenv_config(env);
	tenv_people(env, &people);
	anna = people.anna;
	ben = people.ben;
	carla = people.carla;
	sam = people.sam;
	return 0;
}

static int
teardown(void **state)
{
	tenv_free(env);
	return 0;
}


static const char *
upload(int64_t who, const char *name, const char *text, int64_t *id_out)
{
	struct attachment_info ai;
	struct field_error err;

	assert_int_equal(core_attachment_upload_temp(&env->ctx, u(who), name,
	    text, strlen(text), &ai, &err), ZEK_OK);
	if (id_out != NULL)
		*id_out = ai.id;
	return ai.token;
}

static enum zek_rc
comment(int64_t who, int64_t id, const char *body, bool pub,
    const char **tokens, size_t ntokens, struct field_error **errs,
    size_t *nerrs)
{
	struct comment_input in = { .body = body, .is_public = pub,
	    .attachment_tokens = tokens, .ntokens = ntokens };
	struct field_error *e;
	size_t ne;

	env->ctx.now_ms += 1000;
	return core_comment_add(&env->ctx, u(who), id, &in,
	    errs != NULL ? errs : &e, nerrs != NULL ? nerrs : &ne, NULL);
}

static size_t
entries(int64_t viewer, int64_t id, struct activity_entry **e)
{
	size_t n;

	assert_int_equal(core_activity_list(&env->ctx, u(viewer), id, e, &n),
	    ZEK_OK);
	return n;
}

static void
test_comment_with_files(void **state)
{
	struct activity_entry *e;
	struct request_view *v;
	struct attachment *att;
	const char *key, *toks[2];
	int64_t f1, f2, id = tenv_request(env, anna, "Eine Frage", &key);

	toks[0] = upload(anna, "schritte.txt", "Schritt 1\nSchritt 2\n", &f1);
	toks[1] = upload(anna, "log.txt", "Fehler 500\n", &f2);
	assert_int_equal(comment(anna, id, "Hier die **Schritte**.\r\n\r\n  ",
	    true, toks, 2, NULL, NULL), ZEK_OK);
	assert_int_equal(entries(anna, id, &e), 2);
	assert_int_equal(e[0].kind, ACTIVITY_COMMENT);
	assert_string_equal(e[0].body, "Hier die **Schritte**.");
	assert_string_equal(e[0].actor.name, "Anna Schmidt");
	assert_string_equal(e[0].actor.email, "");
	assert_true(e[0].is_public);
	assert_int_equal(e[0].nattachments, 2);
	assert_string_equal(e[0].attachments[0].filename, "schritte.txt");
	assert_string_equal(e[0].attachments[1].filename, "log.txt");
	assert_int_equal(e[1].kind, ACTIVITY_CREATED);
	assert_int_equal(e[1].new_status, STATUS_OFFEN);
	/* A comment's files are not the request's own. */
	assert_int_equal(core_request_get(&env->ctx, u(anna), key, "de", &v),
	    ZEK_OK);
	assert_int_equal(v->nattachments, 0);
	assert_true(v->updated_at >= e[0].created_at);
	/* Whoever sees the request gets the file; nobody else. */
	assert_int_equal(core_attachment_get(&env->ctx, u(sam), f1, &att),
	    ZEK_OK);
	assert_int_equal(core_attachment_get(&env->ctx, u(ben), f1, &att),
	    ZEK_NOTFOUND);
	assert_int_equal(core_participant_add(&env->ctx, u(anna), id, "Ben Weber",
	    NULL, NULL), ZEK_OK);
	assert_int_equal(core_attachment_get(&env->ctx, u(ben), f2, &att),
	    ZEK_OK);
	assert_int_equal(att->size, strlen("Fehler 500\n"));
	assert_int_equal(core_attachment_get(&env->ctx, u(carla), f2, &att),
	    ZEK_NOTFOUND);
	/* Used uploads cannot be used again. */
	assert_int_equal(comment(anna, id, "Noch einmal", true, toks, 1, NULL,
	    NULL), ZEK_INVALID);
}

static void
test_comment_errors_write_nothing(void **state)
{
	struct field_error *errs;
	struct activity_entry *e;
	const char *toks[16];
	char *longtext;
	char bad[] = { 'o', 'k', (char)0xc3, 0 };
	size_t i, nerrs, before;
	int64_t id = tenv_request(env, anna, "Eine Frage", NULL);

	before = entries(anna, id, &e);
	assert_int_equal(comment(anna, id, " \r\n ", true, NULL, 0, &errs,
	    &nerrs), ZEK_INVALID);
	assert_int_equal(nerrs, 1);
	assert_string_equal(errs[0].field, "comment");
	assert_string_equal(errs[0].key, "err_required");
	assert_int_equal(comment(anna, id, bad, true, NULL, 0, &errs, &nerrs),
	    ZEK_INVALID);
	assert_string_equal(errs[0].key, "err_invalid_utf8");
	longtext = arena_alloc(env->arena, COMMENT_MAX + 2);
	memset(longtext, 'x', COMMENT_MAX + 1);
	longtext[COMMENT_MAX + 1] = '\0';
	assert_int_equal(comment(anna, id, longtext, true, NULL, 0, &errs,
	    &nerrs), ZEK_INVALID);
	assert_string_equal(errs[0].key, "err_too_long");
	assert_int_equal(errs[0].max, COMMENT_MAX);
	longtext[COMMENT_MAX] = '\0';
	/* Text and files are checked together: both errors at once. */
	toks[0] = "unbekannt-unbekannt-unbekannt-00";
	assert_int_equal(comment(anna, id, "", true, toks, 1, &errs, &nerrs),
	    ZEK_INVALID);
	assert_int_equal(nerrs, 2);
	assert_string_equal(errs[1].field, "attachment");
	assert_string_equal(errs[1].key, "err_upload_expired");
	/* Someone else's upload is as good as unknown. */
	toks[0] = upload(ben, "ben.txt", "von Ben\n", NULL);
	assert_int_equal(comment(anna, id, "Mit Bens Datei", true, toks, 1,
	    &errs, &nerrs), ZEK_INVALID);
	assert_string_equal(errs[0].key, "err_upload_expired");
	for (i = 0; i <= env->cfg.max_files; i++)
		toks[i] = upload(anna, "f.txt", "x\n", NULL);
	assert_int_equal(comment(anna, id, "Viele", true, toks,
	    env->cfg.max_files + 1, &errs, &nerrs), ZEK_INVALID);
	assert_string_equal(errs[0].key, "err_too_many_files");
	assert_int_equal(errs[0].max, env->cfg.max_files);
	assert_int_equal(entries(anna, id, &e), before);
	/* The longest allowed text is fine, and the kept uploads still are. */
	assert_int_equal(comment(anna, id, longtext, true, toks,
	    env->cfg.max_files, NULL, NULL), ZEK_OK);
	assert_int_equal(entries(anna, id, &e), before + 1);
	assert_int_equal(e[0].nattachments, env->cfg.max_files);
}

static void
test_validate_only_writes_nothing(void **state)
{
	struct comment_input in = { .body = "Nur prüfen", .is_public = true,
	    .validate_only = true };
	struct field_error *errs;
	struct activity_entry *e;
	size_t nerrs;
	int64_t id = tenv_request(env, anna, "Eine Frage", NULL);

	assert_int_equal(core_comment_add(&env->ctx, u(anna), id, &in, &errs,
	    &nerrs, NULL), ZEK_OK);
	assert_int_equal(entries(anna, id, &e), 1);
	in.body = "";
	assert_int_equal(core_comment_add(&env->ctx, u(anna), id, &in, &errs,
	    &nerrs, NULL), ZEK_INVALID);
	assert_int_equal(nerrs, 1);
}

static void
test_internal_notes_never_reach_customers(void **state)
{
	struct activity_entry *e;
	struct request_view *v;
	struct attachment *att;
	const char *key, *tok[1];
	int64_t file, id = tenv_request(env, anna, "Eine Frage", &key);
	size_t n, i;

	assert_int_equal(core_participant_add(&env->ctx, u(anna), id,
	    "ben@example.org", NULL, NULL), ZEK_OK);
	tok[0] = upload(sam, "intern.txt", "nur intern\n", &file);
	assert_int_equal(comment(sam, id, "Interne Notiz: Kunde ist VIP", false,
	    tok, 1, NULL, NULL), ZEK_OK);
	assert_int_equal(comment(sam, id, "Öffentliche Antwort", true, NULL, 0,
	    NULL, NULL), ZEK_OK);
	/* Customers may not write internal notes. */
	assert_int_equal(comment(anna, id, "geheim", false, NULL, 0, NULL, NULL),
	    ZEK_FORBIDDEN);
	n = entries(sam, id, &e);
	assert_int_equal(n, 4);
	assert_false(e[1].is_public);
	assert_int_equal(e[1].nattachments, 1);
	for (i = 0; i < 2; i++) {
		int64_t who = i == 0 ? anna : ben;

		n = entries(who, id, &e);
		assert_int_equal(n, 3);     /* created, added Ben, answer */
		assert_string_equal(e[0].body, "Öffentliche Antwort");
		assert_int_equal(e[1].kind, ACTIVITY_PARTICIPANT_ADDED);
		assert_int_equal(core_attachment_get(&env->ctx, u(who), file,
		    &att), ZEK_NOTFOUND);
		assert_int_equal(core_request_get(&env->ctx, u(who), key, "de",
		    &v), ZEK_OK);
		assert_int_equal(v->nattachments, 0);
	}
	assert_int_equal(core_attachment_get(&env->ctx, u(sam), file, &att),
	    ZEK_OK);
}

/* The "updated" time core hands out for `who`. */
static int64_t
updated_for(int64_t who, const char *key)
{
	struct request_view *v;

	assert_int_equal(core_request_get(&env->ctx, u(who), key, "de", &v),
	    ZEK_OK);
	return v->updated_at;
}

/* Customers' "updated" moves only with what they can see: an internal
 * note (with a file) or an assignment moves it for agents only; a public
 * reply, a participant and a status change for everybody (issue 13). */
static void
test_internal_changes_do_not_move_customers_updated(void **state)
{
	const char *key, *tok[1];
	int64_t id = tenv_request(env, anna, "Wann?", &key);
	int64_t created = updated_for(anna, key), before;

	assert_int_equal(updated_for(sam, key), created);
	tok[0] = upload(sam, "intern.txt", "intern\n", NULL);
	assert_int_equal(comment(sam, id, "Intern", false, tok, 1, NULL, NULL),
	    ZEK_OK);
	env->ctx.now_ms += 1000;
	assert_int_equal(core_request_assign(&env->ctx, u(sam), id, sam),
	    ZEK_OK);
	assert_int_equal(updated_for(anna, key), created);
	assert_int_equal(updated_for(sam, key), env->ctx.now_ms);
	assert_true(updated_for(sam, key) > created);
	/* Visible changes move it for everybody. */
	assert_int_equal(comment(sam, id, "Antwort", true, NULL, 0, NULL,
	    NULL), ZEK_OK);
	assert_int_equal(updated_for(anna, key), env->ctx.now_ms);
	before = env->ctx.now_ms;
	assert_int_equal(comment(sam, id, "Noch intern", false, NULL, 0, NULL,
	    NULL), ZEK_OK);
	assert_int_equal(updated_for(anna, key), before);
	env->ctx.now_ms += 1000;
	assert_int_equal(core_participant_add(&env->ctx, u(anna), id,
	    "ben@example.org", NULL, NULL), ZEK_OK);
	assert_int_equal(updated_for(ben, key), env->ctx.now_ms);
	assert_int_equal(updated_for(sam, key), env->ctx.now_ms);
}

static void
test_strangers_see_nothing(void **state)
{
	struct activity_entry *e;
	size_t n;
	int64_t id = tenv_request(env, anna, "Eine Frage", NULL);

	assert_int_equal(comment(carla, id, "Hallo", true, NULL, 0, NULL, NULL),
	    ZEK_NOTFOUND);
	assert_int_equal(core_activity_list(&env->ctx, u(carla), id, &e, &n),
	    ZEK_NOTFOUND);
	assert_int_equal(core_activity_list(&env->ctx, NULL, id, &e, &n),
	    ZEK_NOTFOUND);
	assert_int_equal(comment(anna, 999999, "Hallo", true, NULL, 0, NULL,
	    NULL), ZEK_NOTFOUND);
}

static void
test_log_is_append_only(void **state)
{
	sqlite3 *db;
	char *msg = NULL;
	int64_t id = tenv_request(env, anna, "Eine Frage", NULL);

	TENV_SQLITE_ONLY();

	assert_int_equal(comment(anna, id, "Bleibt so", true, NULL, 0, NULL,
	    NULL), ZEK_OK);
	/* The audit trail cannot be edited, not even by a direct write. */
	assert_int_equal(sqlite3_open(env->db, &db), SQLITE_OK);
	/* The store's background thread may hold the write lock a moment
	 * (a merge step of the search index): wait rather than fail BUSY. */
	sqlite3_busy_timeout(db, 5000);
	assert_int_not_equal(sqlite3_exec(db, "UPDATE activity SET actor_id = "
	    "NULL", NULL, NULL, &msg), SQLITE_OK);
	assert_non_null(strstr(msg, "append-only"));
	sqlite3_free(msg);
	msg = NULL;
	assert_int_not_equal(sqlite3_exec(db, "DELETE FROM activity", NULL,
	    NULL, &msg), SQLITE_OK);
	sqlite3_free(msg);
	msg = NULL;
	assert_int_not_equal(sqlite3_exec(db, "UPDATE comments SET body = ''",
	    NULL, NULL, &msg), SQLITE_OK);
	sqlite3_free(msg);
	sqlite3_close(db);
}

/* How many queued mails of `event` the request has for `recipient`. */
static size_t
mails(int64_t id, const char *event, int64_t recipient)
{
	struct store_mail *m;
	size_t i, n, cnt = 0;

	assert_int_equal(core_outbox_list(&env->ctx, NULL, id, 100, &m, &n),
	    ZEK_OK);
	for (i = 0; i < n; i++)
		if (str_eq(m[i].event, event) && m[i].recipient_id == recipient)
			cnt++;
	return cnt;
}

static void
test_changes_queue_their_mails(void **state)
{
	struct field_error err;
	int64_t id = tenv_request(env, anna, "Eine Frage", NULL);

	/* The other side hears of a comment; internal notes stay inside. */
	assert_int_equal(comment(anna, id, "Frage", true, NULL, 0, NULL, NULL),
	    ZEK_OK);
	assert_int_equal(mails(id, "customer_reply", sam), 1);
	assert_int_equal(mails(id, "customer_reply", anna), 0);
	assert_int_equal(comment(sam, id, "Antwort", true, NULL, 0, NULL, NULL),
	    ZEK_OK);
	assert_int_equal(mails(id, "comment", anna), 1);
	assert_int_equal(comment(sam, id, "intern", false, NULL, 0, NULL, NULL),
	    ZEK_OK);
	assert_int_equal(mails(id, "comment", anna), 1);
	/* Being added is told to the one added; a status change to the
	 * customers; a failed change sends nothing. */
	assert_int_equal(core_participant_add(&env->ctx, u(anna), id, "Ben Weber",
	    NULL, NULL), ZEK_OK);
	assert_int_equal(mails(id, "participant_added", ben), 1);
	assert_int_equal(core_transition(&env->ctx, u(anna), id, WF_START,
	    RESOLUTION_NONE, NULL, &err), ZEK_FORBIDDEN);
	assert_int_equal(core_transition(&env->ctx, u(sam), id, WF_START,
	    RESOLUTION_NONE, NULL, &err), ZEK_OK);
	assert_int_equal(mails(id, "status", anna), 1);
	assert_int_equal(mails(id, "status", ben), 1);
	assert_int_equal(core_transition(&env->ctx, u(sam), id,
	    WF_PROPOSE_SOLUTION, RESOLUTION_NONE, "Gelöst so.", &err), ZEK_OK);
	assert_int_equal(mails(id, "solution", anna), 1);
	assert_int_equal(mails(id, "status", anna), 1);
}

static const struct CMUnitTest tests[] = {
	cmocka_unit_test(test_comment_with_files),
	cmocka_unit_test(test_comment_errors_write_nothing),
	cmocka_unit_test(test_validate_only_writes_nothing),
	cmocka_unit_test(test_internal_notes_never_reach_customers),
	cmocka_unit_test(test_internal_changes_do_not_move_customers_updated),
	cmocka_unit_test(test_strangers_see_nothing),
	cmocka_unit_test(test_log_is_append_only),
	cmocka_unit_test(test_changes_queue_their_mails),
};

int
main(void)
{
	return cmocka_run_group_tests(tests, setup, teardown);
}
