/* outbox.c: the e-mail outbox: enqueue, claim, and the sending outcome. */
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "store/query.h"

#define MAIL_COLS_FULL \
	"id, event, request_id, recipient_id, to_addr, " \
	"to_name, lang, tz, message_id, thread_id, payload, coalesce(raw, ''), " \
	"state, attempts, next_attempt_at, coalesce(claimed_by, ''), " \
	"coalesce(claimed_until, 0), last_error, created_at, " \
	"coalesce(sent_at, 0)"
/* The list leaves the raw message out. */
#define MAIL_COLS_SHORT \
	"id, event, request_id, recipient_id, to_addr, " \
	"to_name, lang, tz, message_id, thread_id, payload, '', " \
	"state, attempts, next_attempt_at, coalesce(claimed_by, ''), " \
	"coalesce(claimed_until, 0), last_error, created_at, " \
	"coalesce(sent_at, 0)"

static void
map_mail(struct sq_row *r, void *elem)
{
	struct store_mail *m = elem;

	m->id = sq_col_i64(r);
	m->event = sq_col_str(r);
	m->request_id = sq_col_i64(r);
	m->recipient_id = sq_col_i64(r);
	m->to_addr = sq_col_str(r);
	m->to_name = sq_col_str(r);
	m->lang = sq_col_str(r);
	m->tz = sq_col_str(r);
	m->message_id = sq_col_str(r);
	m->thread_id = sq_col_str(r);
	m->payload = sq_col_str(r);
	m->raw = sq_col_str(r);
	m->state = sq_col_str(r);
	m->attempts = sq_col_i64(r);
	m->next_attempt_at = sq_col_i64(r);
	m->claimed_by = sq_col_str(r);
	m->claimed_until = sq_col_i64(r);
	m->last_error = sq_col_str(r);
	m->created_at = sq_col_i64(r);
	m->sent_at = sq_col_i64(r);
}

#define OUTBOX_INSERT \
	"INSERT INTO outbox (event, request_id, " \
	"recipient_id, to_addr, to_name, lang, tz, message_id, thread_id, " \
	"payload, next_attempt_at, created_at) "

enum zek_rc
store_outbox_insert(struct store_conn *c, const struct store_mail *m,
    int64_t *id_out)
{
	enum zek_rc rc;
	int64_t id;

	rc = sq_query_i64(c, &id,
	    OUTBOX_INSERT
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
	    "tiitttttttii", m->event, m->request_id, m->recipient_id,
	    m->to_addr, sq_nz(m->to_name), m->lang, m->tz, m->message_id,
	    sq_nz(m->thread_id), m->payload, m->next_attempt_at, m->created_at);
	if (rc == ZEK_OK && id_out != NULL)
		*id_out = id;
	return rc;
}

/* m as a JSON array in the order of OUTBOX_INSERT's columns. */
static void
mail_json(struct buf *b, const struct store_mail *m)
{
	buf_putc(b, '[');
	sq_json_str(b, m->event);
	buf_printf(b, ",%lld,%lld,", (long long)m->request_id,
	    (long long)m->recipient_id);
	sq_json_str(b, m->to_addr);
	buf_putc(b, ',');
	sq_json_str(b, sq_nz(m->to_name));
	buf_putc(b, ',');
	sq_json_str(b, m->lang);
	buf_putc(b, ',');
	sq_json_str(b, m->tz);
	buf_putc(b, ',');
	sq_json_str(b, m->message_id);
	buf_putc(b, ',');
	sq_json_str(b, sq_nz(m->thread_id));
	buf_putc(b, ',');
	sq_json_str(b, m->payload);
	buf_printf(b, ",%lld,%lld]", (long long)m->next_attempt_at,
	    (long long)m->created_at);
}

enum zek_rc
store_outbox_insert_many(struct store_conn *c, const struct store_mail *m,
    size_t n)
{
	struct buf b;
	enum zek_rc rc;
	size_t i;

	if (n == 0)
		return ZEK_OK;
	buf_init(&b, STORE_OUTBOX_BATCH_BYTES);
	buf_putc(&b, '[');
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_putc(&b, ',');
		mail_json(&b, &m[i]);
	}
	buf_putc(&b, ']');
	/* One statement for a whole fan-out, in the given order. */
	rc = b.failed != 0 ?
	    (enum zek_rc)b.failed :
	    sq_exec(c,
	        sq_dialect(c,
	            OUTBOX_INSERT
	            "SELECT value->>0, value->>1, value->>2, value->>3, "
	            "value->>4, value->>5, value->>6, value->>7, value->>8, value->>9, "
	            "value->>10, value->>11 FROM json_each(?) ORDER BY key",
	            OUTBOX_INSERT
	            "SELECT m->>0, (m->>1)::bigint, (m->>2)::bigint, "
	            "m->>3, m->>4, m->>5, m->>6, m->>7, m->>8, m->>9, "
	            "(m->>10)::bigint, (m->>11)::bigint "
	            "FROM jsonb_array_elements(?::jsonb) WITH ORDINALITY AS x(m, n) "
	            "ORDER BY n"),
	        "t", b.data);
	buf_free(&b);
	return rc;
}

/* A claimed mail: its id and when it was due, to put them in order. */
struct claimed {
	int64_t id;
	int64_t due;
};

static void
map_claimed(struct sq_row *r, void *elem)
{
	struct claimed *x = elem;

	x->id = sq_col_i64(r);
	x->due = sq_col_i64(r);
}

static int
claimed_cmp(const void *pa, const void *pb)
{
	const struct claimed *a = pa, *b = pb;

	if (a->due != b->due)
		return a->due < b->due ? -1 : 1;
	return (a->id > b->id) - (a->id < b->id);
}

enum zek_rc
store_outbox_claim_due(struct store_conn *c, struct arena *a, const char *token,
    int64_t now, int64_t until, size_t limit, int64_t **ids, size_t *n)
{
	struct claimed *rows = NULL;
	enum zek_rc rc;
	struct sq_stmt *st;
	size_t i, cnt = 0;

	*ids = NULL;
	*n = 0;
	/* One statement decides which mails are whose. PostgreSQL: rows
	 * another sender's claim holds locked are skipped, not waited for,
	 * and a row claimed meanwhile is checked again against the WHERE
	 * (read committed), so concurrent claims take disjoint sets. SQLite
	 * runs it under the write lock, one sender after the other. */
	st = sq_start(c, &rc,
	    sq_dialect(c,
	        "UPDATE outbox SET claimed_by = ?, claimed_until = ?, "
	        "attempts = attempts + 1 WHERE id IN (SELECT id FROM outbox "
	        "WHERE state = 'pending' AND next_attempt_at <= ? "
	        "AND (claimed_until IS NULL OR claimed_until < ?) "
	        "ORDER BY next_attempt_at, id LIMIT ?) "
	        "RETURNING id, next_attempt_at",
	        "UPDATE outbox SET claimed_by = ?, claimed_until = ?, "
	        "attempts = attempts + 1 WHERE id IN (SELECT id FROM outbox "
	        "WHERE state = 'pending' AND next_attempt_at <= ? "
	        "AND (claimed_until IS NULL OR claimed_until < ?) "
	        "ORDER BY next_attempt_at, id LIMIT ? FOR UPDATE SKIP LOCKED) "
	        "RETURNING id, next_attempt_at"),
	    "tiiiz", token, until, now, now, limit);
	if (st == NULL)
		return rc;
	rc = sq_collect(c, a, st, map_claimed, sizeof(*rows), (void **)&rows,
	    &cnt);
	if (rc != ZEK_OK || cnt == 0)
		return rc;
	/* RETURNING gives no order. */
	qsort(rows, cnt, sizeof(*rows), claimed_cmp);
	*ids = arena_calloc(a, cnt, sizeof(**ids));
	if (*ids == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < cnt; i++)
		(*ids)[i] = rows[i].id;
	*n = cnt;
	return ZEK_OK;
}

/* NOTFOUND from a guarded UPDATE means "someone else holds it". */
static enum zek_rc
conflict_if_unchanged(enum zek_rc rc)
{
	return rc == ZEK_NOTFOUND ? ZEK_CONFLICT : rc;
}

enum zek_rc
store_outbox_claim(struct store_conn *c, int64_t id, const char *token,
    int64_t now, int64_t until)
{
	/* One statement decides: SQLite runs it under the write lock, so of
	 * two processes racing for the row exactly one changes it. */
	return conflict_if_unchanged(sq_exec_changed(c,
	    "UPDATE outbox SET "
	    "claimed_by = ?, claimed_until = ?, attempts = attempts + 1 "
	    "WHERE id = ? AND state = 'pending' AND next_attempt_at <= ? "
	    "AND (claimed_until IS NULL OR claimed_until < ?)",
	    "tiiii", token, until, id, now, now));
}

enum zek_rc
store_outbox_renew(struct store_conn *c, int64_t id, const char *token,
    int64_t until)
{
	/* Still ours if it lapsed but nobody took it over. */
	return conflict_if_unchanged(sq_exec_changed(c,
	    "UPDATE outbox SET "
	    "claimed_until = ? WHERE id = ? AND claimed_by = ? "
	    "AND state = 'pending'",
	    "iit", until, id, token));
}

enum zek_rc
store_outbox_get(struct store_conn *c, struct arena *a, int64_t id,
    struct store_mail **out)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc,
	    "SELECT " MAIL_COLS_FULL " FROM outbox "
	    "WHERE id = ?",
	    "i", id);
	if (st == NULL)
		return rc;
	return sq_collect_one(c, a, st, map_mail, sizeof(**out), (void **)out);
}

enum zek_rc
store_outbox_count_stranger(struct store_conn *c, const char *to_addr,
    int64_t since, int64_t *out)
{
	/* The event as a literal: the partial index outbox_to_stranger is
	 * used only where the statement itself names it. */
	return sq_query_i64(c, out,
	    "SELECT count(*) FROM outbox WHERE event = 'mail_unknown' "
	    "AND lower(to_addr) = lower(?) AND created_at >= ?",
	    "ti", to_addr, since);
}

enum zek_rc
store_outbox_gauges(struct store_conn *c, int64_t *pending,
    int64_t *oldest_pending_at, int64_t *failed)
{
	enum zek_rc rc;

	/* outbox_due: (state, next_attempt_at) narrows to each state. */
	rc = sq_query_i64(c, pending,
	    "SELECT count(*) FROM outbox "
	    "WHERE state = 'pending'",
	    "");
	if (rc == ZEK_OK)
		rc = sq_query_i64(c, oldest_pending_at,
		    "SELECT "
		    "coalesce(min(created_at), 0) FROM outbox "
		    "WHERE state = 'pending'",
		    "");
	if (rc == ZEK_OK)
		rc = sq_query_i64(c, failed,
		    "SELECT count(*) FROM outbox "
		    "WHERE state = 'failed'",
		    "");
	return rc;
}

enum zek_rc
store_outbox_by_message_id(struct store_conn *c, struct arena *a,
    const char *message_id, struct store_mail **out)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc,
	    "SELECT " MAIL_COLS_SHORT " FROM outbox "
	    "WHERE message_id = ?",
	    "t", message_id);
	if (st == NULL)
		return rc;
	return sq_collect_one(c, a, st, map_mail, sizeof(**out), (void **)out);
}

enum zek_rc
store_outbox_set_raw(struct store_conn *c, int64_t id, const char *token,
    const char *raw)
{
	return conflict_if_unchanged(sq_exec_changed(c,
	    "UPDATE outbox SET "
	    "raw = ? WHERE id = ? AND claimed_by = ? AND state = 'pending'",
	    "tit", raw, id, token));
}

enum zek_rc
store_outbox_sent(struct store_conn *c, int64_t id, const char *token,
    int64_t now, bool forget)
{
	return conflict_if_unchanged(sq_exec_changed(c,
	    "UPDATE outbox SET "
	    "state = 'sent', sent_at = ?1, claimed_by = NULL, "
	    "claimed_until = NULL, last_error = '', "
	    "payload = CASE WHEN ?4 = 1 THEN '{}' ELSE payload END, "
	    "raw = CASE WHEN ?4 = 1 THEN '' ELSE raw END "
	    "WHERE id = ?2 AND claimed_by = ?3 AND state = 'pending'",
	    "iitb", now, id, token, (int)forget));
}

enum zek_rc
store_outbox_retry(struct store_conn *c, int64_t id, const char *token,
    int64_t next_at, const char *error)
{
	return conflict_if_unchanged(sq_exec_changed(c,
	    "UPDATE outbox SET "
	    "next_attempt_at = ?, last_error = ?, claimed_by = NULL, "
	    "claimed_until = NULL "
	    "WHERE id = ? AND claimed_by = ? AND state = 'pending'",
	    "itit", next_at, sq_nz(error), id, token));
}

enum zek_rc
store_outbox_failed(struct store_conn *c, int64_t id, const char *token,
    const char *error)
{
	return conflict_if_unchanged(sq_exec_changed(c,
	    "UPDATE outbox SET "
	    "state = 'failed', last_error = ?, claimed_by = NULL, "
	    "claimed_until = NULL "
	    "WHERE id = ? AND claimed_by = ? AND state = 'pending'",
	    "tit", sq_nz(error), id, token));
}

enum zek_rc
store_outbox_list(struct store_conn *c, struct arena *a, const char *state,
    int64_t request_id, size_t limit, struct store_mail **out, size_t *n)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc,
	    "SELECT " MAIL_COLS_SHORT " FROM outbox "
	    "WHERE (? IS NULL OR state = ?) AND (? = 0 OR request_id = ?) "
	    "ORDER BY id DESC LIMIT ?",
	    "ttiiz", state, state, request_id, request_id, limit);
	if (st == NULL)
		return rc;
	return sq_collect(c, a, st, map_mail, sizeof(**out), (void **)out, n);
}
