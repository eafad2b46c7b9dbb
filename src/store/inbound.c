/* inbound.c: received e-mail kept raw, what became of it, and the reply-address secret. */
#include "store/store.h"

#include <string.h>

#include "lib/arena.h"
#include "store/query.h"

#define INBOUND_COLS \
	"m.id, m.received_at, coalesce(m.message_id, ''), " \
	"m.raw_hash, m.raw_size, m.from_addr, m.subject, m.state, m.reason, " \
	"m.request_id, m.comment_id, m.processed_at, m.discarded_by, " \
	"coalesce(u.name, ''), m.discarded_at, coalesce(r.issue_key, '')"
/* The admin who discarded a message by name (none: the command line),
 * and the key of the request it became or went to. */
#define INBOUND_FROM \
	"inbound_mail m LEFT JOIN users u ON u.id = " \
	"m.discarded_by LEFT JOIN requests r ON r.id = m.request_id"

static void
map_inbound(struct sq_row *r, void *elem)
{
	struct store_inbound *m = elem;

	m->id = sq_col_i64(r);
	m->received_at = sq_col_i64(r);
	m->message_id = sq_col_str(r);
	m->raw_hash = sq_col_str(r);
	m->raw_size = sq_col_i64(r);
	m->from_addr = sq_col_str(r);
	m->subject = sq_col_str(r);
	m->state = sq_col_str(r);
	m->reason = sq_col_str(r);
	m->request_id = sq_col_i64(r);
	m->comment_id = sq_col_i64(r);
	m->processed_at = sq_col_i64(r);
	m->discarded_by = sq_col_i64(r);
	m->discarded_by_name = sq_col_str(r);
	m->discarded_at = sq_col_i64(r);
	m->request_key = sq_col_str(r);
}

static void
map_inbound_raw(struct sq_row *r, void *elem)
{
	struct store_inbound *m = elem;

	map_inbound(r, elem);
	m->raw = sq_col_blob(r, &m->raw_len);
}

enum zek_rc
store_inbound_insert(struct store_conn *c, const struct store_inbound *m,
    const void *raw, size_t len, int64_t *id_out, bool *dup)
{
	enum zek_rc rc;
	struct sq_stmt *st;
	int64_t id = 0;
	int r;

	*dup = false;
	/* No conflict target: either unique column makes it a copy. Two
	 * processes at once: the second waits for the first's commit. */
	st = sq_start(c, &rc,
	    "INSERT INTO inbound_mail (received_at, "
	    "message_id, raw_hash, raw, raw_size, from_addr, subject) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id",
	    "iTtBitt", m->received_at, m->message_id, m->raw_hash, raw, len,
	    m->raw_size, sq_nz(m->from_addr), sq_nz(m->subject));
	if (st == NULL)
		return rc;
	r = sq_next(c, st, &rc);
	if (r == 1)
		id = sq_stmt_i64(c, st, 0);
	while (r == 1)
		r = sq_next(c, st, &rc);
	sq_finish(c, st);
	*id_out = id;
	if (rc != ZEK_OK || id != 0)
		return rc;
	/* Nothing inserted: the first copy's id. */
	*dup = true;
	return sq_query_i64(c, id_out,
	    "SELECT min(id) FROM inbound_mail "
	    "WHERE message_id = ? OR raw_hash = ?",
	    "Tt", m->message_id, m->raw_hash);
}

enum zek_rc
store_inbound_get(struct store_conn *c, struct arena *a, int64_t id,
    bool with_raw, struct store_inbound **out)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	if (with_raw)
		st = sq_start(c, &rc,
		    "SELECT " INBOUND_COLS ", m.raw FROM " INBOUND_FROM
		    " WHERE m.id = ?",
		    "i", id);
	else
		st = sq_start(c, &rc,
		    "SELECT " INBOUND_COLS " FROM " INBOUND_FROM
		    " WHERE m.id = ?",
		    "i", id);
	if (st == NULL)
		return rc;
	return sq_collect_one(c, a, st,
	    with_raw ? map_inbound_raw : map_inbound, sizeof(**out),
	    (void **)out);
}

enum zek_rc
store_inbound_claim(struct store_conn *c, int64_t id, int64_t now)
{
	enum zek_rc rc;

	rc = sq_exec_changed(c,
	    "UPDATE inbound_mail SET processed_at = ? "
	    "WHERE id = ? AND state = 'new'",
	    "ii", now, id);
	return rc == ZEK_NOTFOUND ? ZEK_CONFLICT : rc;
}

enum zek_rc
store_inbound_finish(struct store_conn *c, const struct store_inbound *m)
{
	return sq_exec_changed(c,
	    "UPDATE inbound_mail SET state = ?, "
	    "reason = ?, request_id = ?, comment_id = ?, processed_at = ? "
	    "WHERE id = ?",
	    "ttiiii", m->state, sq_nz(m->reason), m->request_id, m->comment_id,
	    m->processed_at, m->id);
}

enum zek_rc
store_inbound_requeue(struct store_conn *c, int64_t id)
{
	return sq_exec_changed(c,
	    "UPDATE inbound_mail SET state = 'new', "
	    "reason = '', processed_at = 0 WHERE id = ? AND state = "
	    "'quarantined' AND length(raw) = raw_size",
	    "i", id);
}

enum zek_rc
store_inbound_list(struct store_conn *c, struct arena *a, const char *state,
    size_t offset, size_t limit, struct store_inbound **out, size_t *n)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc,
	    "SELECT " INBOUND_COLS " FROM " INBOUND_FROM
	    " WHERE (? IS NULL OR m.state = ?) ORDER BY m.id DESC "
	    "LIMIT ? OFFSET ?",
	    "ttzz", state, state, limit, offset);
	if (st == NULL)
		return rc;
	return sq_collect(c, a, st, map_inbound, sizeof(**out), (void **)out,
	    n);
}

enum zek_rc
store_inbound_count(struct store_conn *c, const char *state, int64_t *n)
{
	return sq_query_i64(c, n,
	    "SELECT count(*) FROM inbound_mail "
	    "WHERE (? IS NULL OR state = ?)",
	    "tt", state, state);
}

enum zek_rc
store_inbound_discard(struct store_conn *c, int64_t id, int64_t by, int64_t at)
{
	return sq_exec_changed(c,
	    "UPDATE inbound_mail SET state = "
	    "'discarded', discarded_by = ?, discarded_at = ? WHERE id = ? "
	    "AND state = 'quarantined'",
	    "iii", by, at, id);
}

static void
map_secret(struct sq_row *r, void *elem)
{
	struct store_inbound *m = elem; /* only raw and raw_len */

	m->raw = sq_col_blob(r, &m->raw_len);
}

/* The stored secret into the arena; ZEK_NOTFOUND while there is none. */
static enum zek_rc
secret_read(struct store_conn *c, struct arena *a, const unsigned char **out,
    size_t *n)
{
	struct store_inbound *m;
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc, "SELECT secret FROM mail_secret WHERE id = 1",
	    "");
	if (st == NULL)
		return rc;
	rc = sq_collect_one(c, a, st, map_secret, sizeof(*m), (void **)&m);
	if (rc == ZEK_OK) {
		*out = m->raw;
		*n = m->raw_len;
	}
	return rc;
}

enum zek_rc
store_mail_secret(struct store_conn *c, struct arena *a, const void *fresh,
    size_t len, const unsigned char **out, size_t *n)
{
	enum zek_rc rc;

	rc = secret_read(c, a, out, n);
	if (rc != ZEK_NOTFOUND)
		return rc;
	/* The first signer writes it; one racing it keeps the other's. */
	rc = sq_exec(c,
	    "INSERT INTO mail_secret (id, secret) VALUES (1, ?) "
	    "ON CONFLICT DO NOTHING",
	    "B", fresh, len);
	if (rc == ZEK_OK)
		rc = secret_read(c, a, out, n);
	return rc;
}
