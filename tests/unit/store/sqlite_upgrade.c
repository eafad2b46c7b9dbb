/* sqlite_upgrade.c: an SQLite database made by an older zek upgrades in
 * place. For a start version k the test applies migrations 0001..k to a
 * new file (recorded as the store records them) and, after each
 * migration, writes the rows a zek of that version wrote, in that
 * version's columns: the first schema's users, organisations, requests,
 * values and files; comments and history after 0003; mails after 0004; a
 * token after 0005; an assignee after 0006. Then the store opens the file
 * the normal way and applies the rest. Rows every later migration
 * converts are there in their old form: the search index and the counts
 * built from old requests (0002, 0011), the 'created' history (0003), the
 * rebuilt activity table (0006), the list blocks of imported requests
 * (0007, 0010), the customer-visible time behind internal notes (0014).
 *
 * k = 1 is a database from the first schema; every other k starts the
 * store at a later recorded point. Each must end with every row intact
 * (read through the store API), the old requests found by search, the
 * tables that migrations derive agreeing with the rows, and the schema of
 * a new database. A new migration is covered by the loop without a change
 * here; rows it converts need an epoch of their own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/arena.h"
#include "store/migrations.h"
#include "store/store.h"
#include "whole.h"

#define FIRST_APPLIED_AT 1700000000000LL    /* + version: when it "ran" */
#define FOREVER 9000000000000LL
#define FILE_BYTES "Fehler\000404\n"        /* with a NUL: a blob, not text */
#define FILE_LEN 11
#define PHOTO_BYTES "\x89PNG\r\n\x1a\n"
#define PHOTO_LEN 8
#define TOKEN_HASH \
	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

/* Users, by the ids the old rows give them. */
enum { AGATHE = 1, BRUNO, CLARA, DORA, EMIL };
/* Requests: ZEK-1, ZEK-2 one block of 64 ids later, and ZEK-3, imported
 * (created before ZEK-1 although its id is the highest). */
enum { ZEK1 = 1, ZEK2 = 70, ZEK3 = 140 };

static char dir[64];
static char *fresh_schema, *fresh_config;

/* ---- the rows of each version, in its columns ---- */

/* Written by a zek of migration 0001: two organisations, a customer and an
 * agent and three more customers, a session and a throttled sign-in, the
 * catalogue, three requests with values and participants, a file on
 * ZEK-1 and a temporary upload. */
static const char rows_0001[] =
    "INSERT INTO organisations (id, name, created_at) VALUES "
    "(1, 'Kreis Altland', 1000), (2, 'Stadt Neuhaus', 1000);"
    "INSERT INTO users (id, email, email_fold, name, name_fold, "
    "password_hash, role, lang, tz, notify, created_at) VALUES "
    "(1, 'Alt@Example.org', 'alt@example.org', 'Agathe Alt', 'agathe alt', "
    "'x', 'customer', 'de', 'Europe/Berlin', 1, 1000),"
    "(2, 'berg@example.org', 'berg@example.org', 'Bruno Berg', "
    "'bruno berg', 'x', 'agent', 'de', 'Europe/Berlin', 1, 1000),"
    "(3, 'chur@example.org', 'chur@example.org', 'Clara Chur', "
    "'clara chur', 'x', 'customer', 'en', 'Europe/Vienna', 0, 1000),"
    "(4, 'dorn@example.org', 'dorn@example.org', 'Dora Dorn', 'dora dorn', "
    "'x', 'customer', 'de', 'Europe/Berlin', 1, 1000),"
    "(5, 'eck@example.org', 'eck@example.org', 'Emil Eck', 'emil eck', "
    "'x', 'customer', 'de', 'Europe/Berlin', 1, 1000);"
    "INSERT INTO user_orgs (user_id, org_id) VALUES (1, 1), (4, 1), (3, 2);"
    "INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen, "
    "expires_at) VALUES ('ab12', 1, 'csrf-alt', 1000, 1500, 9000000000000);"
    "INSERT INTO login_failures (throttle_key, count, window_start) "
    "VALUES ('alt@example.org 127.0.0.1', 2, 1400);"
    "INSERT INTO service_desks (id, portal_id, project_key, name, "
    "next_number) VALUES (1, 17, 'ZEK', 'Service', 3);"
    "INSERT INTO request_type_groups (id, desk_id, name_de, name_en, "
    "position) VALUES (1, 1, 'Allgemein', 'General', 1);"
    "INSERT INTO request_types (id, desk_id, group_id, name_de, name_en, "
    "position) VALUES (4, 1, 1, 'Frage', 'Question', 1);"
    "INSERT INTO fields (id, type_id, field_key, kind, label_de, label_en, "
    "required, position) VALUES (1, 4, 'description', 'textarea', "
    "'Beschreibung', 'Description', 1, 1);"
    "INSERT INTO objects (id, kind, name, name_fold) VALUES "
    "(1, 'mandant', 'Amt S\xc3\xbc" "d', 'amt s\xc3\xbc" "d');"
    "INSERT INTO requests (id, desk_id, number, issue_key, type_id, "
    "reporter_id, creator_id, shared_org_id, status, resolution, title, "
    "created_at, updated_at) VALUES "
    "(1, 1, 1, 'ZEK-1', 4, 1, 1, 1, 'offen', '', "
    "'Drucker im B\xc3\xbcro streikt', 2000, 3000),"
    "(70, 1, 2, 'ZEK-2', 4, 3, 2, NULL, 'wartet_kunde', '', "
    "'Zugang f\xc3\xbcr Clara', 4000, 5000),"
    "(140, 1, 3, 'ZEK-3', 4, 1, 1, NULL, 'geschlossen', 'geloest', "
    "'Alte St\xc3\xb6rung im Netz', 1500, 1600);"
    "INSERT INTO request_values (request_id, field_key, position, value) "
    "VALUES (1, 'description', 0, "
    "'Die Kartusche ist leer, bitte Toner tauschen.'),"
    "(1, 'kontakt', 0, 'Raum 3'),"
    "(70, 'description', 0, 'Bitte Passwort zur\xc3\xbc" "cksetzen.'),"
    "(140, 'description', 0, 'Gr\xc3\xb6\xc3\x9f" "ere St\xc3\xb6rung im "
    "Rechenzentrum, bitte pr\xc3\xbc" "fen.');"
    "INSERT INTO participants (request_id, user_id) VALUES (70, 5);"
    "INSERT INTO participant_settings (request_id, user_id, notify_muted) "
    "VALUES (70, 5, 1);"
    "INSERT INTO attachments (id, request_id, uploader_id, temp_token, "
    "filename, mime, size, data, created_at) VALUES "
    "(1, 1, 1, NULL, 'fehler.txt', 'text/plain', 11, "
    "X'4665686c6572003430340a', 2000),"
    "(2, NULL, 3, 'tok-alt', 'entwurf.pdf', 'application/pdf', 4, "
    "X'25504446', 2500);";

/* After 0003 (which logged 'created' for the requests above): a comment
 * with a photo and an internal note that moved ZEK-2's updated_at last,
 * and the history of both requests. */
static const char rows_0003[] =
    "INSERT INTO comments (id, request_id, author_id, body, public, "
    "created_at) VALUES (1, 1, 1, 'Noch immer **kaputt**', 1, 3000),"
    "(2, 70, 2, 'Intern: Konto gesperrt', 0, 5000);"
    "INSERT INTO attachments (id, request_id, uploader_id, filename, mime, "
    "size, data, created_at, comment_id) VALUES (3, 1, 1, 'foto.png', "
    "'image/png', 8, X'89504e470d0a1a0a', 3000, 1);"
    "INSERT INTO activity (request_id, actor_id, kind, comment_id, "
    "attachment_id, subject_id, org_id, old_status, new_status, resolution, "
    "public, created_at) VALUES "
    "(1, 1, 'shared_with_org', NULL, NULL, NULL, 1, '', '', '', 1, 2100),"
    "(1, 1, 'comment', 1, NULL, NULL, NULL, '', '', '', 1, 3000),"
    "(1, 1, 'attachment_added', NULL, 3, NULL, NULL, '', '', '', 1, 3000),"
    "(70, 2, 'participant_added', NULL, NULL, 5, NULL, '', '', '', 1, 4500),"
    "(70, 2, 'status_changed', NULL, NULL, NULL, NULL, 'offen', "
    "'wartet_kunde', '', 1, 4500),"
    "(70, 2, 'comment', 2, NULL, NULL, NULL, '', '', '', 0, 5000),"
    "(140, NULL, 'status_changed', NULL, NULL, NULL, NULL, 'offen', "
    "'geschlossen', 'geloest', 1, 1600);";

/* After 0004: a mail sent and one waiting. */
static const char rows_0004[] =
    "INSERT INTO outbox (id, event, request_id, recipient_id, to_addr, "
    "to_name, lang, tz, message_id, thread_id, payload, raw, state, "
    "attempts, next_attempt_at, last_error, created_at, sent_at) VALUES "
    "(1, 'created', 1, 1, 'Alt@Example.org', 'Agathe Alt', 'de', "
    "'Europe/Berlin', '<zek-1.1@zek.example>', '<zek-1@zek.example>', "
    "'{\"key\":\"ZEK-1\"}', 'Subject: ZEK-1', 'sent', 1, 2000, '', 2000, "
    "2100),"
    "(2, 'comment', 70, 3, 'chur@example.org', 'Clara Chur', 'en', "
    "'Europe/Vienna', '<zek-2.1@zek.example>', '<zek-2@zek.example>', "
    "'{\"key\":\"ZEK-2\"}', NULL, 'pending', 0, 4600, '', 4600, NULL);";

/* After 0005: a personal access token. */
static const char rows_0005[] =
    "INSERT INTO api_tokens (user_id, name, token_hash, created_at, "
    "expires_at, last_used_at) VALUES (1, 'Skript', '" TOKEN_HASH "', 3000, "
    "9000000000000, 3500);";

/* After 0006: Bruno works ZEK-2. */
static const char rows_0006[] =
    "UPDATE requests SET assignee_id = 2 WHERE id = 70;"
    "INSERT INTO activity (request_id, actor_id, kind, subject_id, public, "
    "created_at) VALUES (70, 2, 'assigned', 2, 0, 4200);";

static const struct {
	int after;          /* written right after this migration */
	const char *sql;
} epochs[] = {
	{ 1, rows_0001 },
	{ 3, rows_0003 },
	{ 4, rows_0004 },
	{ 5, rows_0005 },
	{ 6, rows_0006 },
};

/* ---- plain SQLite ---- */

static sqlite3 *
raw_open(const char *p)
{
	sqlite3 *db = NULL;

	if (sqlite3_open(p, &db) != SQLITE_OK)
		fail_msg("open %s: %s", p, sqlite3_errmsg(db));
	return db;
}

static void
raw_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%.60s...: %s", sql, msg != NULL ? msg : "?");
}

static int64_t
raw_i64(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) != SQLITE_ROW)
		fail_msg("%s: no row: %s", sql, sqlite3_errmsg(db));
	v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Every row of the query as text, one line each, columns separated by
 * '|', each run of white space as one blank: a schema compares by
 * meaning, not by the indentation its statements were written with. */
static char *
raw_dump(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	size_t len = 0, cap = 4096;
	char *out = malloc(cap);
	int i, src;

	assert_non_null(out);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		int ncol = sqlite3_column_count(st);

		for (i = 0; i < ncol; i++) {
			const char *s;
			size_t need;
			bool blank = false;

			s = (const char *)sqlite3_column_text(st, i);
			need = len + (s != NULL ? strlen(s) : 0) + 3;
			if (need > cap) {
				cap = need * 2;
				out = realloc(out, cap);
				assert_non_null(out);
			}
			for (; s != NULL && *s != '\0'; s++) {
				if (isspace((unsigned char)*s)) {
					blank = true;
					continue;
				}
				if (blank)
					out[len++] = ' ';
				blank = false;
				out[len++] = *s;
			}
			out[len++] = i + 1 < ncol ? '|' : '\n';
		}
	}
	if (src != SQLITE_DONE)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	out[len] = '\0';
	return out;
}

/* The rows one query gives and the other does not, either way. */
static int64_t
raw_differ(sqlite3 *db, const char *a, const char *b)
{
	char sql[2048];

	snprintf(sql, sizeof(sql), "SELECT (SELECT count(*) FROM "
	    "(%s EXCEPT %s)) + (SELECT count(*) FROM (%s EXCEPT %s))",
	    a, b, b, a);
	return raw_i64(db, sql);
}

/* ---- the old database ---- */

/* As migrate_one in store/query.c with lite_migrate_begin: the same
 * schema_migrations table (the same statement, so the schema text
 * compares equal), one transaction per migration. */
static void
apply(sqlite3 *db, const struct store_migration *m)
{
	char sql[160];

	raw_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
	    "version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
	    "applied_at INTEGER NOT NULL)");
	raw_exec(db, "BEGIN IMMEDIATE");
	raw_exec(db, m->sql);
	snprintf(sql, sizeof(sql), "INSERT INTO schema_migrations (version, "
	    "name, applied_at) VALUES (%d, '%s', %lld)", m->version, m->name,
	    FIRST_APPLIED_AT + m->version);
	raw_exec(db, sql);
	raw_exec(db, "COMMIT");
}

/* A database that zek left at migration k, with the rows of each
 * version up to k. */
static void
make_old(const char *p, int k)
{
	sqlite3 *db = raw_open(p);
	size_t e;
	int i;

	raw_exec(db, "PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON");
	for (i = 0; i < k; i++) {
		assert_int_equal(sqlite_migrations[i].version, i + 1);
		apply(db, &sqlite_migrations[i]);
		for (e = 0; e < sizeof(epochs) / sizeof(epochs[0]); e++) {
			if (epochs[e].after != i + 1)
				continue;
			raw_exec(db, "BEGIN");
			raw_exec(db, epochs[e].sql);
			raw_exec(db, "COMMIT");
		}
	}
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

static void
db_path(char *out, size_t n, const char *name)
{
	snprintf(out, n, "%s/%s", dir, name);
}

static void
remove_db(const char *p)
{
	char side[272];	/* a path of up to 256 bytes and "-wal" */

	unlink(p);
	snprintf(side, sizeof(side), "%s-wal", p);
	unlink(side);
	snprintf(side, sizeof(side), "%s-shm", p);
	unlink(side);
}

/* ---- checks through the store ---- */

static void
check_people(struct store_conn *c, struct arena *a)
{
	struct store_user *u;
	struct store_org *orgs, *org;
	struct store_org_row *rows;
	struct store_session *s;
	struct store_object *obj;
	struct store_field *f;
	int64_t n, start;
	size_t nf;

	assert_int_equal(store_user_by_email(c, a, "ALT@example.org", &u),
	    ZEK_OK);
	assert_int_equal(u->id, AGATHE);
	assert_string_equal(u->email, "Alt@Example.org");
	assert_string_equal(u->name, "Agathe Alt");
	assert_string_equal(u->role, "customer");
	assert_true(u->notify);
	assert_int_equal(store_user_by_id(c, a, CLARA, &u), ZEK_OK);
	assert_string_equal(u->lang, "en");
	assert_string_equal(u->tz, "Europe/Vienna");
	assert_false(u->notify);
	assert_int_equal(store_user_by_id(c, a, BRUNO, &u), ZEK_OK);
	assert_string_equal(u->role, "agent");
	assert_int_equal(store_user_count(c, &n), ZEK_OK);
	assert_int_equal(n, 5);

	assert_int_equal(store_user_orgs(c, a, AGATHE, &orgs, &nf), ZEK_OK);
	assert_int_equal(nf, 1);
	assert_string_equal(orgs[0].name, "Kreis Altland");
	assert_int_equal(store_org_get(c, a, 2, &org), ZEK_OK);
	assert_string_equal(org->name, "Stadt Neuhaus");
	/* Found by the folded name the upgrade filled in. */
	assert_int_equal(store_orgs_page(c, a, "NEUHAUS", NULL, 10, &rows, &nf),
	    ZEK_OK);
	assert_int_equal(nf, 1);
	assert_string_equal(rows[0].name, "Stadt Neuhaus");

	assert_int_equal(store_session_get(c, a, "ab12", &s), ZEK_OK);
	assert_int_equal(s->user_id, AGATHE);
	assert_string_equal(s->csrf, "csrf-alt");
	assert_int_equal(s->expires_at, FOREVER);
	assert_int_equal(store_login_failure_get(c,
	    "alt@example.org 127.0.0.1", &n, &start), ZEK_OK);
	assert_int_equal(n, 2);
	assert_int_equal(start, 1400);

	assert_int_equal(store_object_get(c, a, 1, &obj), ZEK_OK);
	assert_string_equal(obj->name, "Amt S\xc3\xbc" "d");
	assert_int_equal(store_fields_by_type(c, a, 4, &f, &nf), ZEK_OK);
	assert_int_equal(nf, 1);
	assert_string_equal(f[0].key, "description");
	assert_true(f[0].required);
}

static void
check_request(struct store_conn *c, struct arena *a, const char *key,
    int64_t id, const char *status, int64_t customer_updated_at)
{
	struct store_request *r;

	assert_int_equal(store_request_by_key(c, a, key, &r), ZEK_OK);
	assert_int_equal(r->id, id);
	assert_string_equal(r->status, status);
	assert_int_equal(r->customer_updated_at, customer_updated_at);
}

static void
check_requests(struct store_conn *c, struct arena *a, int k)
{
	struct store_request *r;
	struct store_value *v;
	struct store_user *parts;
	size_t n;
	int64_t count, assignee;
	bool muted;

	assert_int_equal(store_request_by_key(c, a, "ZEK-1", &r), ZEK_OK);
	assert_string_equal(r->title, "Drucker im B\xc3\xbcro streikt");
	assert_int_equal(r->reporter_id, AGATHE);
	assert_int_equal(r->shared_org_id, 1);
	assert_int_equal(r->created_at, 2000);
	assert_int_equal(r->updated_at, 3000);
	assert_int_equal(store_values_by_request(c, a, ZEK1, &v, &n), ZEK_OK);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].field_key, "description");
	assert_string_equal(v[0].value,
	    "Die Kartusche ist leer, bitte Toner tauschen.");
	assert_string_equal(v[1].field_key, "kontakt");
	check_request(c, a, "ZEK-1", ZEK1, "offen", 3000);

	/* 0014: the internal note moved updated_at last, so customers see
	 * the last public entry (written only from 0003 on). */
	check_request(c, a, "ZEK-2", ZEK2, "wartet_kunde",
	    k >= 3 ? 4500 : 5000);
	assert_int_equal(store_request_by_id(c, a, ZEK2, &r), ZEK_OK);
	assert_int_equal(r->reporter_id, CLARA);
	assert_int_equal(r->creator_id, BRUNO);
	assert_int_equal(r->shared_org_id, 0);
	assert_int_equal(r->updated_at, 5000);
	assert_int_equal(store_request_assignee(c, ZEK2, &assignee), ZEK_OK);
	assert_int_equal(assignee, k >= 6 ? BRUNO : 0);
	assert_int_equal(store_participants(c, a, ZEK2, &parts, &n), ZEK_OK);
	assert_int_equal(n, 1);
	assert_int_equal(parts[0].id, EMIL);
	assert_int_equal(store_notify_muted_get(c, ZEK2, EMIL, &muted), ZEK_OK);
	assert_true(muted);

	check_request(c, a, "ZEK-3", ZEK3, "geschlossen", 1600);
	assert_int_equal(store_request_by_id(c, a, ZEK3, &r), ZEK_OK);
	assert_string_equal(r->resolution, "geloest");
	assert_string_equal(r->title, "Alte St\xc3\xb6rung im Netz");

	assert_int_equal(store_request_count(c, &count), ZEK_OK);
	assert_int_equal(count, 3);
	assert_int_equal(store_requests_count_open_reported(c, AGATHE,
	    "geschlossen", &count), ZEK_OK);
	assert_int_equal(count, 1);
}

static void
check_files(struct store_conn *c, struct arena *a, int k)
{
	struct store_attachment *att, *full;
	size_t n;
	int64_t count, bytes;
	bool pub;

	assert_int_equal(store_attachments_by_request(c, a, ZEK1, &att, &n),
	    ZEK_OK);
	assert_int_equal(n, k >= 3 ? 2 : 1);
	assert_string_equal(att[0].filename, "fehler.txt");
	assert_int_equal(att[0].comment_id, 0);
	assert_string_equal(att[0].temp_token, "");
	assert_int_equal(store_attachment_get(c, a, att[0].id, true, &full),
	    ZEK_OK);
	assert_int_equal(full->size, FILE_LEN);
	assert_memory_equal(full->data, FILE_BYTES, FILE_LEN);
	if (k >= 3) {
		assert_string_equal(att[1].filename, "foto.png");
		assert_int_equal(att[1].comment_id, 1);
		assert_int_equal(store_attachment_get(c, a, att[1].id, true,
		    &full), ZEK_OK);
		assert_memory_equal(full->data, PHOTO_BYTES, PHOTO_LEN);
		assert_int_equal(store_attachment_is_public(c, att[1].id, &pub),
		    ZEK_OK);
		assert_true(pub);
	}

	/* The temporary upload, found by 0015's partial index. */
	assert_int_equal(store_attachments_pending(c, CLARA, &count, &bytes),
	    ZEK_OK);
	assert_int_equal(count, 1);
	assert_int_equal(bytes, 4);
	assert_int_equal(store_attachment_temp_get(c, a, CLARA, "tok-alt",
	    &full), ZEK_OK);
	assert_string_equal(full->filename, "entwurf.pdf");
}

static const struct store_activity *
find_kind(const struct store_activity *act, size_t n, const char *kind)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(act[i].kind, kind) == 0)
			return &act[i];
	fail_msg("no '%s' entry", kind);
	return NULL;
}

/* 0003 logged 'created' for the old requests; 0006 rebuilt the table
 * with every row. */
static void
check_history(struct store_conn *c, struct arena *a, int k)
{
	const struct store_activity *e;
	struct store_activity *act;
	struct store_id_time *since;
	int64_t id = ZEK2;
	size_t n;
	int64_t at;

	assert_int_equal(store_activity_by_request(c, a, ZEK2, true, 20, &act,
	    &n), ZEK_OK);
	assert_int_equal(n, k >= 6 ? 5 : k >= 3 ? 4 : 1);
	e = find_kind(act, n, "created");
	assert_int_equal(e->actor_id, BRUNO);
	assert_int_equal(e->subject_id, CLARA);
	assert_string_equal(e->subject_name, "Clara Chur");
	assert_string_equal(e->new_status, "offen");
	assert_int_equal(e->created_at, 4000);
	assert_int_equal(store_activity_by_request(c, a, ZEK2, false, 20, &act,
	    &n), ZEK_OK);
	assert_int_equal(n, k >= 3 ? 3 : 1);
	assert_int_equal(store_activity_status_since_of(c, a, &id, 1, false,
	    &since, &n), ZEK_OK);
	assert_int_equal(n, 1);
	assert_int_equal(since[0].at, k >= 3 ? 4500 : 4000);
	assert_int_equal(store_request_status_since(c, ZEK2, &at), ZEK_OK);
	assert_int_equal(at, k >= 3 ? 4500 : 5000);
	if (k < 3)
		return;

	assert_int_equal(store_activity_by_request(c, a, ZEK2, true, 20, &act,
	    &n), ZEK_OK);
	e = find_kind(act, n, "comment");
	assert_false(e->is_public);
	assert_string_equal(e->comment_body, "Intern: Konto gesperrt");
	if (k >= 6) {
		e = find_kind(act, n, "assigned");
		assert_int_equal(e->subject_id, BRUNO);
		assert_false(e->is_public);
	}
	assert_int_equal(store_activity_by_request(c, a, ZEK1, false, 20, &act,
	    &n), ZEK_OK);
	assert_int_equal(n, 4);
	e = find_kind(act, n, "comment");
	assert_string_equal(e->comment_body, "Noch immer **kaputt**");
	assert_string_equal(e->actor_name, "Agathe Alt");
	e = find_kind(act, n, "attachment_added");
	assert_int_equal(e->attachment_id, 3);
	e = find_kind(act, n, "shared_with_org");
	assert_string_equal(e->org_name, "Kreis Altland");
	assert_int_equal(store_activity_by_request(c, a, ZEK3, true, 20, &act,
	    &n), ZEK_OK);
	e = find_kind(act, n, "status_changed");
	assert_int_equal(e->actor_id, 0);
	assert_string_equal(e->resolution, "geloest");
}

static void
check_mail_and_tokens(struct store_conn *c, struct arena *a, int k)
{
	struct store_mail *m;
	struct store_token *t;
	int64_t *ids;
	size_t n;

	if (k >= 4) {
		assert_int_equal(store_outbox_list(c, a, NULL, 0, 10, &m, &n),
		    ZEK_OK);
		assert_int_equal(n, 2);
		assert_string_equal(m[0].state, "pending");
		assert_string_equal(m[0].to_addr, "chur@example.org");
		assert_string_equal(m[0].tz, "Europe/Vienna");
		assert_string_equal(m[1].state, "sent");
		assert_int_equal(m[1].sent_at, 2100);
		assert_int_equal(store_outbox_claim_due(c, a, "upgrade", 10000,
		    20000, 10, &ids, &n), ZEK_OK);
		assert_int_equal(n, 1);
		assert_int_equal(ids[0], 2);
	}
	if (k >= 5) {
		assert_int_equal(store_token_by_hash(c, a, TOKEN_HASH, &t),
		    ZEK_OK);
		assert_int_equal(t->user_id, AGATHE);
		assert_string_equal(t->name, "Skript");
		assert_int_equal(t->last_used_at, 3500);
	}
}

/* ---- search ---- */

static const char *const open_codes[] = { "offen", "wartet_support",
    "in_bearbeitung", "wartet_kunde" };
static const char *const closed_codes[] = { "geschlossen" };

/* The keys a list gives, newest first, as "ZEK-2 ZEK-1". */
static void
expect_list(struct store_conn *c, struct arena *a,
    const struct store_list_query *q, const char *want)
{
	struct store_list_row *rows;
	char got[256] = "";
	size_t n, i, len = 0;
	int64_t total;
	bool capped;

	assert_int_equal(store_requests_list(c, a, q, &rows, &n, &total,
	    &capped), ZEK_OK);
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(got + len, sizeof(got) - len, "%s%s",
		    i > 0 ? " " : "", rows[i].key);
	if (strcmp(got, want) != 0)
		fail_msg("viewer %lld, \"%s\": got \"%s\", want \"%s\"",
		    (long long)q->viewer_id, q->terms != NULL ? q->terms : "",
		    got, want);
	if (!q->has_cursor)
		assert_int_equal(total, (int64_t)n);
}

static void
expect_found(struct store_conn *c, struct arena *a, int64_t viewer,
    const char *terms, const char *want)
{
	struct store_list_query q = { .viewer_id = viewer,
	    .see_all = viewer == BRUNO, .who = STORE_LIST_VISIBLE,
	    .terms = terms, .limit = 10 };

	expect_list(c, a, &q, want);
}

/* The search rows of the old requests came with the migrations that
 * built the index (0002, rebuilt by 0007), not with a later write. */
static void
check_search(struct store_conn *c, struct arena *a)
{
	struct store_list_query q = { .viewer_id = BRUNO, .see_all = true,
	    .who = STORE_LIST_VISIBLE, .limit = 10 };

	/* Words, case, umlauts with and without, prefixes short and long
	 * (0007's prefix indexes go to 12 characters). */
	expect_found(c, a, AGATHE, "toner", "ZEK-1");
	expect_found(c, a, AGATHE, "B\xc3\x9c" "RO", "ZEK-1");
	expect_found(c, a, AGATHE, "buro", "ZEK-1");
	expect_found(c, a, AGATHE, "kartu", "ZEK-1");
	expect_found(c, a, AGATHE, "Kartusch", "ZEK-1");
	expect_found(c, a, AGATHE, "drucker streikt", "ZEK-1");
	expect_found(c, a, AGATHE, "st\xc3\xb6rung", "ZEK-3");
	expect_found(c, a, AGATHE, "storu", "ZEK-3");
	expect_found(c, a, AGATHE, "rechenzentr", "ZEK-3");
	expect_found(c, a, BRUNO, "ZEK-1", "ZEK-1");
	expect_found(c, a, BRUNO, "zek-3", "ZEK-3");
	expect_found(c, a, BRUNO, "zur\xc3\xbc" "cksetzen", "ZEK-2");

	/* Who sees what, from the facets: reporter, organisation,
	 * participant, creator; and nobody else. */
	expect_found(c, a, DORA, "drucker", "ZEK-1");
	expect_found(c, a, DORA, "passwort", "");
	expect_found(c, a, CLARA, "zugang", "ZEK-2");
	expect_found(c, a, CLARA, "drucker", "");
	expect_found(c, a, EMIL, "passwort", "ZEK-2");
	expect_found(c, a, EMIL, "toner", "");
	expect_found(c, a, BRUNO, "bitte", "ZEK-2 ZEK-1 ZEK-3");
	expect_found(c, a, AGATHE, "bitte", "ZEK-1 ZEK-3");

	/* Newest first although ZEK-3 has the highest id (0007, 0010), and
	 * the open/closed facet of 0007. */
	expect_list(c, a, &q, "ZEK-2 ZEK-1 ZEK-3");
	q.terms = "bitte";
	q.statuses = closed_codes;
	q.nstatuses = 1;
	q.not_statuses = open_codes;
	q.nnot_statuses = 4;
	expect_list(c, a, &q, "ZEK-3");
	q.statuses = open_codes;
	q.nstatuses = 4;
	q.not_statuses = closed_codes;
	q.nnot_statuses = 1;
	expect_list(c, a, &q, "ZEK-2 ZEK-1");
	q.terms = NULL;
	q.limit = 1;
	q.has_cursor = true;
	q.cursor_at = 4000;
	q.cursor_id = ZEK2;
	expect_list(c, a, &q, "ZEK-1");
}

/* The agents' queues: counts kept by 0011 from the old assignees. */
static void
check_queues(struct store_conn *c, struct arena *a, int k)
{
	struct store_queue_query q = { .assignee = STORE_ASSIGNEE_NONE,
	    .limit = 10 };
	struct store_queue_row *rows;
	const char *status;
	size_t n;
	int64_t count;

	status = "offen";
	assert_int_equal(store_queue_count(c, a, &q, &status, 1, &count),
	    ZEK_OK);
	assert_int_equal(count, 1);
	status = "wartet_kunde";
	assert_int_equal(store_queue_count(c, a, &q, &status, 1, &count),
	    ZEK_OK);
	assert_int_equal(count, k >= 6 ? 0 : 1);
	q.assignee = STORE_ASSIGNEE_USER;
	q.assignee_id = BRUNO;
	assert_int_equal(store_queue_count(c, a, &q, open_codes, 4, &count),
	    ZEK_OK);
	assert_int_equal(count, k >= 6 ? 1 : 0);

	q.assignee = STORE_ASSIGNEE_ANY;
	q.status = "wartet_kunde";
	q.terms = "passw";
	assert_int_equal(store_queue_page(c, a, &q, &rows, &n), ZEK_OK);
	assert_int_equal(n, 1);
	assert_string_equal(rows[0].key, "ZEK-2");
	assert_string_equal(rows[0].assignee_name, k >= 6 ? "Bruno Berg" : "");
}

/* The upgraded database takes new rows: the triggers of every migration
 * fire on them (checked in check_derived), and the search finds them. */
static void
write_after_upgrade(struct store_conn *c, struct arena *a)
{
	struct store_request r = { .desk_id = 1, .key = "ZEK-4", .type_id = 4,
	    .reporter_id = EMIL, .creator_id = EMIL, .status = "offen",
	    .title = "Neuer Monitor", .created_at = 6000, .updated_at = 6000 };
	int64_t id, n;

	assert_int_equal(store_begin(c), ZEK_OK);
	assert_int_equal(store_desk_next_number(c, 1, &r.number), ZEK_OK);
	assert_int_equal(r.number, 4);
	assert_int_equal(store_request_insert(c, &r, &id), ZEK_OK);
	assert_int_equal(id, ZEK3 + 1);
	assert_int_equal(store_value_insert(c, id, "description", 0,
	    "Der Bildschirm flackert, bitte tauschen."), ZEK_OK);
	assert_int_equal(store_request_set_assignee(c, ZEK1, BRUNO, 6100),
	    ZEK_OK);
	assert_int_equal(store_commit(c), ZEK_OK);
	expect_found(c, a, EMIL, "flacker", "ZEK-4");
	expect_found(c, a, BRUNO, "bitte", "ZEK-4 ZEK-2 ZEK-1 ZEK-3");

	/* Freed pages: a database from before auto-vacuum has none to give
	 * back, and the purge must work all the same. */
	assert_int_equal(store_attachments_purge_temp(c, 3000, &n), ZEK_OK);
	assert_int_equal(n, 1);
}

/* ---- the file itself, after the store closed it ---- */

/* What migrations derive from the rows must agree with the rows: the
 * search index (0002, rebuilt by 0007) with its view, the counts (0002,
 * 0011), the list blocks (0007, 0010) computed anew. */
static void
check_derived(sqlite3 *db)
{
	char *s;

	s = raw_dump(db, "PRAGMA integrity_check");
	assert_string_equal(s, "ok\n");
	free(s);
	s = raw_dump(db, "PRAGMA foreign_key_check");
	assert_string_equal(s, "");
	free(s);
	raw_exec(db, "INSERT INTO request_search (request_search) "
	    "VALUES ('integrity-check')");
	assert_int_equal(raw_differ(db,
	    "SELECT rowid, issue_key, title, description, facets "
	    "FROM request_search",
	    "SELECT id, issue_key, title, description, facets "
	    "FROM request_search_doc"), 0);
	assert_int_equal(raw_differ(db,
	    "SELECT status, type_id, n FROM request_counts WHERE n > 0",
	    "SELECT status, type_id, count(*) FROM requests GROUP BY 1, 2"), 0);
	assert_int_equal(raw_differ(db,
	    "SELECT assignee_id, status, n FROM request_assignee_counts "
	    "WHERE n > 0",
	    "SELECT coalesce(assignee_id, 0), status, count(*) FROM requests "
	    "GROUP BY 1, 2"), 0);
	assert_int_equal(raw_differ(db,
	    "SELECT block, hi, lo, rest_lo FROM request_blocks",
	    "SELECT block, max(newest) OVER (ORDER BY block ROWS UNBOUNDED "
	    "PRECEDING), oldest, min(oldest) OVER (ORDER BY block DESC ROWS "
	    "UNBOUNDED PRECEDING) FROM (SELECT id / 64 AS block, "
	    "max(created_at) AS newest, min(created_at) AS oldest "
	    "FROM requests GROUP BY 1)"), 0);
	/* Not vacuous: three blocks, the imported request lowers rest_lo. */
	assert_int_equal(raw_i64(db, "SELECT count(*) FROM request_blocks"), 3);
	assert_int_equal(raw_i64(db, "SELECT rest_lo FROM request_blocks "
	    "WHERE block = 0"), 1500);
}

/* Each migration recorded once under its name; those of the old zek
 * (up to k) were not run again. */
static void
check_recorded(sqlite3 *db, int k)
{
	char sql[256];
	int i;

	assert_int_equal(raw_i64(db, "SELECT count(*) FROM schema_migrations"),
	    sqlite_nmigrations);
	for (i = 0; i < sqlite_nmigrations; i++) {
		const struct store_migration *m = &sqlite_migrations[i];
		int64_t at;

		snprintf(sql, sizeof(sql), "SELECT count(*) FROM "
		    "schema_migrations WHERE version = %d AND name = '%s'",
		    m->version, m->name);
		assert_int_equal(raw_i64(db, sql), 1);
		snprintf(sql, sizeof(sql), "SELECT applied_at FROM "
		    "schema_migrations WHERE version = %d", m->version);
		at = raw_i64(db, sql);
		if (m->version <= k)
			assert_int_equal(at, FIRST_APPLIED_AT + m->version);
		else
			assert_true(at > FIRST_APPLIED_AT + 1000000);
	}
}

static const char schema_sql[] = "SELECT type, name, tbl_name, sql "
    "FROM sqlite_master ORDER BY type, name";
/* FTS5's settings are rows, not schema: 0009 and 0012 wrote them. */
static const char config_sql[] = "SELECT k, v FROM request_search_config "
    "ORDER BY k";

static void
check_schema(sqlite3 *db)
{
	char *s;

	s = raw_dump(db, schema_sql);
	assert_string_equal(s, fresh_schema);
	free(s);
	s = raw_dump(db, config_sql);
	assert_string_equal(s, fresh_config);
	free(s);
}

/* ---- the test ---- */

static void
upgrade_from(int k)
{
	char p[256], name[32];
	struct store *st = NULL;
	struct store_conn *c;
	struct arena *a;
	sqlite3 *db;
	int64_t v;

	print_message("from %04d_%s\n", k, sqlite_migrations[k - 1].name);
	snprintf(name, sizeof(name), "from-%04d.db", k);
	db_path(p, sizeof(p), name);
	make_old(p, k);

	assert_int_equal(store_open(p, &st), ZEK_OK);
	c = store_conn(st);
	assert_non_null(c);
	a = arena_new(0);
	assert_non_null(a);
	assert_int_equal(store_schema_version(c, &v), ZEK_OK);
	assert_int_equal(v, sqlite_nmigrations);
	assert_int_equal(store_migration_count(st), sqlite_nmigrations);
	check_people(c, a);
	check_requests(c, a, k);
	check_files(c, a, k);
	check_history(c, a, k);
	check_mail_and_tokens(c, a, k);
	check_search(c, a);
	check_queues(c, a, k);
	write_after_upgrade(c, a);
	assert_store_whole(c, a);
	arena_free(a);
	store_close(st);

	db = raw_open(p);
	check_recorded(db, k);
	check_derived(db);
	check_schema(db);
	assert_int_equal(sqlite3_close(db), SQLITE_OK);
	remove_db(p);
}

static void
test_upgrade_from_first_schema(void **state)
{
	(void)state;
	upgrade_from(1);
}

/* Every later recorded point, the last one included (nothing left to
 * apply): the store resumes where the old zek stopped. */
static void
test_upgrade_from_every_version(void **state)
{
	int k;

	(void)state;
	for (k = 2; k <= sqlite_nmigrations; k++)
		upgrade_from(k);
}

/* The schema a new database gets, to compare the upgraded ones with. */
static int
setup(void **state)
{
	char p[256];
	struct store *st = NULL;
	sqlite3 *db;

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/zek-upgrade-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	db_path(p, sizeof(p), "fresh.db");
	if (store_open(p, &st) != ZEK_OK)
		return -1;
	store_close(st);
	db = raw_open(p);
	fresh_schema = raw_dump(db, schema_sql);
	fresh_config = raw_dump(db, config_sql);
	sqlite3_close(db);
	remove_db(p);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	free(fresh_schema);
	free(fresh_config);
	rmdir(dir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_upgrade_from_first_schema),
		cmocka_unit_test(test_upgrade_from_every_version),
	};
	size_t e;

	/* Rows for a migration the list no longer has would never be
	 * written: an epoch past the end is a mistake here. */
	for (e = 0; e < sizeof(epochs) / sizeof(epochs[0]); e++)
		if (epochs[e].after > sqlite_nmigrations)
			return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
