/* reports.c: the reports' per-request facts and per-day counts (issue 18). */
#include "store/store.h"

#include "lib/arena.h"
#include "store/query.h"
#include "store/store_sqlite.h"

#define FACT_COLS \
	"request_id, type_id, created_day, resolved_day, " \
	"response_day, response_ms, response_goal, resolution_day, " \
	"resolution_ms, resolution_goal, rating_day, rating, services"

/* Each PostgreSQL connection adds to a shard of its own (pg_backend_pid()
 * % 16), so that concurrent writers do not queue on today's row, as
 * migration 0005's tallies; SQLite has one writer and one shard. */
#define SHARD_LITE "0"
#define SHARD_PG "pg_backend_pid() % 16"

/* The reads of a report. Each is a range of days on a primary key that
 * starts with the day (tests/unit/core/reports.c checks SQLite's plans):
 * none reads the requests. */
#define DAYS_SQL \
	"SELECT day, CAST(sum(created) AS BIGINT), " \
	"CAST(sum(resolved) AS BIGINT), CAST(sum(response_met) AS BIGINT), " \
	"CAST(sum(response_breached) AS BIGINT), " \
	"CAST(sum(resolution_met) AS BIGINT), " \
	"CAST(sum(resolution_breached) AS BIGINT), " \
	"CAST(sum(rated_1) AS BIGINT), CAST(sum(rated_2) AS BIGINT), " \
	"CAST(sum(rated_3) AS BIGINT), CAST(sum(rated_4) AS BIGINT), " \
	"CAST(sum(rated_5) AS BIGINT) FROM report_days " \
	"WHERE day BETWEEN ?1 AND ?2 AND (?3 = 0 OR type_id = ?3) " \
	"GROUP BY day ORDER BY day"
#define OPEN_BEFORE_SQL \
	"SELECT CAST(coalesce(sum(created - resolved), 0) " \
	"AS BIGINT) FROM report_days WHERE day < ?1 AND " \
	"(?2 = 0 OR type_id = ?2)"
/* Times and services are summed over the blocks of 32 days the period
 * covers whole (0036_report_blocks.sql) and the days of its cut ends:
 * ?1-?2 the days before the first whole block, ?3-?4 the blocks (end
 * excluded), ?5-?6 the days after the last (see block_split). */
#define BLOCK_DAYS 32
#define TEXT_OF(x) #x
#define TEXT(x) TEXT_OF(x)
#define BLOCK_OF_DAY "? / " TEXT(BLOCK_DAYS) /* a day's block, in SQL */
#define SPLIT_PARTS(COLS, DAYS, BLOCKS) \
	"SELECT " COLS " FROM " DAYS " WHERE day BETWEEN ?1 AND ?2 " \
	"UNION ALL SELECT " COLS " FROM " BLOCKS \
	" WHERE block >= ?3 AND block < ?4 " \
	"UNION ALL SELECT " COLS " FROM " DAYS " WHERE day BETWEEN ?5 AND ?6"
#define TIMES_SQL \
	"SELECT measure * 1000 + bucket, CAST(sum(n) AS BIGINT) FROM (" SPLIT_PARTS( \
	    "type_id, measure, bucket, n", "report_times", \
	    "report_time_blocks") ") t " \
	                          "WHERE ?7 = 0 OR type_id = ?7 GROUP BY measure, bucket " \
	                          "ORDER BY measure, bucket"
#define SERVICES_SQL_HEAD \
	"SELECT object_id, CAST(sum(n) AS BIGINT) FROM (" SPLIT_PARTS( \
	    "type_id, object_id, n", "report_services", \
	    "report_service_blocks") ") t WHERE type_id "
#define SERVICES_SQL_TAIL \
	" GROUP BY object_id HAVING sum(n) > 0 " \
	"ORDER BY 2 DESC, 1 LIMIT ?8"

const char *
store_report_statement(size_t i)
{
	static const char *const sql[] = { DAYS_SQL, OPEN_BEFORE_SQL, TIMES_SQL,
		SERVICES_SQL_HEAD SQ_IN_IDS_LITE SERVICES_SQL_TAIL };

	return i < sizeof(sql) / sizeof(sql[0]) ? sql[i] : NULL;
}

static void
map_facts(struct sq_row *r, void *elem)
{
	struct store_report_facts *f = elem;

	f->request_id = sq_col_i64(r);
	f->type_id = sq_col_i64(r);
	f->created_day = sq_col_i64(r);
	f->resolved_day = sq_col_i64(r);
	f->response_day = sq_col_i64(r);
	f->response_ms = sq_col_i64(r);
	f->response_goal = sq_col_i64(r);
	f->resolution_day = sq_col_i64(r);
	f->resolution_ms = sq_col_i64(r);
	f->resolution_goal = sq_col_i64(r);
	f->rating_day = sq_col_i64(r);
	f->rating = sq_col_i64(r);
	f->services = sq_col_str(r);
}

enum zek_rc
store_report_facts_get(struct store_conn *c, struct arena *a,
    int64_t request_id, struct store_report_facts **out)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc,
	    "SELECT " FACT_COLS " FROM report_facts "
	    "WHERE request_id = ?",
	    "i", request_id);
	if (st == NULL)
		return rc;
	return sq_collect_one(c, a, st, map_facts, sizeof(**out), (void **)out);
}

enum zek_rc
store_report_facts_put(struct store_conn *c, const struct store_report_facts *f)
{
	return sq_exec(c,
	    "INSERT INTO report_facts (" FACT_COLS ") VALUES "
	    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (request_id) "
	    "DO UPDATE SET type_id = excluded.type_id, "
	    "created_day = excluded.created_day, "
	    "resolved_day = excluded.resolved_day, "
	    "response_day = excluded.response_day, "
	    "response_ms = excluded.response_ms, "
	    "response_goal = excluded.response_goal, "
	    "resolution_day = excluded.resolution_day, "
	    "resolution_ms = excluded.resolution_ms, "
	    "resolution_goal = excluded.resolution_goal, "
	    "rating_day = excluded.rating_day, rating = excluded.rating, "
	    "services = excluded.services",
	    "iiiiiiiiiiiit", f->request_id, f->type_id, f->created_day,
	    f->resolved_day, f->response_day, f->response_ms, f->response_goal,
	    f->resolution_day, f->resolution_ms, f->resolution_goal,
	    f->rating_day, f->rating, sq_nz(f->services));
}

#define DAY_ADD(shard) \
	"INSERT INTO report_days (day, type_id, shard, " \
	"created, resolved, response_met, response_breached, " \
	"resolution_met, resolution_breached, rated_1, rated_2, rated_3, " \
	"rated_4, rated_5) VALUES (?, ?, " shard ", ?, ?, ?, ?, ?, ?, ?, ?, " \
	"?, ?, ?) ON CONFLICT (day, type_id, shard) DO UPDATE SET " \
	"created = report_days.created + excluded.created, " \
	"resolved = report_days.resolved + excluded.resolved, " \
	"response_met = report_days.response_met + excluded.response_met, " \
	"response_breached = report_days.response_breached + " \
	"excluded.response_breached, " \
	"resolution_met = report_days.resolution_met + " \
	"excluded.resolution_met, " \
	"resolution_breached = report_days.resolution_breached + " \
	"excluded.resolution_breached, " \
	"rated_1 = report_days.rated_1 + excluded.rated_1, " \
	"rated_2 = report_days.rated_2 + excluded.rated_2, " \
	"rated_3 = report_days.rated_3 + excluded.rated_3, " \
	"rated_4 = report_days.rated_4 + excluded.rated_4, " \
	"rated_5 = report_days.rated_5 + excluded.rated_5"

enum zek_rc
store_report_day_add(struct store_conn *c, int64_t day, int64_t type_id,
    const int64_t v[STORE_REPORT_COLS])
{
	return sq_exec(c, sq_dialect(c, DAY_ADD(SHARD_LITE), DAY_ADD(SHARD_PG)),
	    "iiiiiiiiiiiii", day, type_id, v[0], v[1], v[2], v[3], v[4], v[5],
	    v[6], v[7], v[8], v[9], v[10]);
}

#define TIME_ADD(shard) \
	"INSERT INTO report_times (day, type_id, measure, " \
	"bucket, shard, n) VALUES (?, ?, ?, ?, " shard ", ?) " \
	"ON CONFLICT (day, type_id, measure, bucket, shard) DO UPDATE SET " \
	"n = report_times.n + excluded.n"

#define TIME_BLOCK_ADD(shard) \
	"INSERT INTO report_time_blocks (block, type_id, measure, " \
	"bucket, shard, n) VALUES (" BLOCK_OF_DAY ", ?, ?, ?, " shard ", ?) " \
	"ON CONFLICT (block, type_id, measure, bucket, shard) DO UPDATE SET " \
	"n = report_time_blocks.n + excluded.n"

enum zek_rc
store_report_time_add(struct store_conn *c, int64_t day, int64_t type_id,
    int64_t measure, int64_t bucket, int64_t n)
{
	enum zek_rc rc;

	rc = sq_exec(c, sq_dialect(c, TIME_ADD(SHARD_LITE), TIME_ADD(SHARD_PG)),
	    "iiiii", day, type_id, measure, bucket, n);
	if (rc == ZEK_OK)
		rc = sq_exec(c,
		    sq_dialect(c, TIME_BLOCK_ADD(SHARD_LITE),
		        TIME_BLOCK_ADD(SHARD_PG)),
		    "iiiii", day, type_id, measure, bucket, n);
	return rc;
}

#define SERVICE_ADD(shard) \
	"INSERT INTO report_services (day, type_id, " \
	"object_id, shard, n) VALUES (?, ?, ?, " shard ", ?) " \
	"ON CONFLICT (day, type_id, object_id, shard) DO UPDATE SET " \
	"n = report_services.n + excluded.n"

#define SERVICE_BLOCK_ADD(shard) \
	"INSERT INTO report_service_blocks (block, type_id, " \
	"object_id, shard, n) VALUES (" BLOCK_OF_DAY ", ?, ?, " shard ", ?) " \
	"ON CONFLICT (block, type_id, object_id, shard) DO UPDATE SET " \
	"n = report_service_blocks.n + excluded.n"

enum zek_rc
store_report_service_add(struct store_conn *c, int64_t day, int64_t type_id,
    int64_t object_id, int64_t n)
{
	enum zek_rc rc;

	rc = sq_exec(c,
	    sq_dialect(c, SERVICE_ADD(SHARD_LITE), SERVICE_ADD(SHARD_PG)),
	    "iiii", day, type_id, object_id, n);
	if (rc == ZEK_OK)
		rc = sq_exec(c,
		    sq_dialect(c, SERVICE_BLOCK_ADD(SHARD_LITE),
		        SERVICE_BLOCK_ADD(SHARD_PG)),
		    "iiii", day, type_id, object_id, n);
	return rc;
}

static void
map_text(struct sq_row *r, void *elem)
{
	*(const char **)elem = sq_col_str(r);
}

enum zek_rc
store_report_service_values(struct store_conn *c, struct arena *a,
    int64_t request_id, int64_t type_id, const char ***out, size_t *n)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc,
	    "SELECT v.value FROM request_values v "
	    "JOIN fields f ON f.type_id = ? AND f.field_key = v.field_key "
	    "WHERE v.request_id = ? AND f.kind = 'object' AND "
	    "f.object_kind = 'online_dienst' ORDER BY v.field_key, v.position",
	    "ii", type_id, request_id);
	if (st == NULL)
		return rc;
	return sq_collect(c, a, st, map_text, sizeof(**out), (void **)out, n);
}

enum zek_rc
store_report_clear(struct store_conn *c)
{
	enum zek_rc rc;

	rc = sq_exec(c, "DELETE FROM report_facts", "");
	if (rc == ZEK_OK)
		rc = sq_exec(c, "DELETE FROM report_days", "");
	if (rc == ZEK_OK)
		rc = sq_exec(c, "DELETE FROM report_times", "");
	if (rc == ZEK_OK)
		rc = sq_exec(c, "DELETE FROM report_time_blocks", "");
	if (rc == ZEK_OK)
		rc = sq_exec(c, "DELETE FROM report_services", "");
	if (rc == ZEK_OK)
		rc = sq_exec(c, "DELETE FROM report_service_blocks", "");
	if (rc == ZEK_OK)
		rc = sq_exec(c, "UPDATE requests SET sla_stale = 1", "");
	return rc;
}

enum zek_rc
store_report_pending(struct store_conn *c, bool *out)
{
	int64_t n = 0;
	enum zek_rc rc;

	/* requests_sla_stale holds only the marked ones. */
	rc = sq_query_i64(c, &n,
	    "SELECT count(*) FROM (SELECT id FROM "
	    "requests WHERE sla_stale = 1 LIMIT 1) AS s",
	    "");
	*out = n > 0;
	return rc;
}

static void
map_day(struct sq_row *r, void *elem)
{
	struct store_report_day *d = elem;
	size_t i;

	d->day = sq_col_i64(r);
	for (i = 0; i < STORE_REPORT_COLS; i++)
		d->v[i] = sq_col_i64(r);
}

/* A type of 0 reads every type: "(?1 = 0 OR type_id = ?1)" keeps one
 * statement; the day range leads every key, so the range is what the
 * index narrows, and the type is checked on the rows it gives. */
enum zek_rc
store_report_days(struct store_conn *c, struct arena *a, int64_t from,
    int64_t to, int64_t type_id, struct store_report_day **out, size_t *n)
{
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc, DAYS_SQL, "iii", from, to, type_id);
	if (st == NULL)
		return rc;
	return sq_collect(c, a, st, map_day, sizeof(**out), (void **)out, n);
}

enum zek_rc
store_report_open_before(struct store_conn *c, int64_t before, int64_t type_id,
    int64_t *out)
{
	return sq_query_i64(c, out, OPEN_BEFORE_SQL, "ii", before, type_id);
}

static void
map_count(struct sq_row *r, void *elem)
{
	struct store_report_count *x = elem;

	x->key = sq_col_i64(r);
	x->n = sq_col_i64(r);
}

/* The parts of days from-to (SPLIT_PARTS): the whole blocks b[2]-b[3]
 * (end excluded) and the days b[0]-b[1] before and b[4]-b[5] after them.
 * A period within one or two blocks is days alone. */
struct block_split {
	int64_t b[6];
};

static struct block_split
block_split(int64_t from, int64_t to)
{
	int64_t first = (from + BLOCK_DAYS - 1) / BLOCK_DAYS;
	int64_t end = (to + 1) / BLOCK_DAYS;

	if (from < 0 || first >= end)
		return (struct block_split){ { from, to, 0, 0, 1, 0 } };
	return (struct block_split){ { from, first * BLOCK_DAYS - 1, first, end,
	    end * BLOCK_DAYS, to } };
}

enum zek_rc
store_report_times(struct store_conn *c, struct arena *a, int64_t from,
    int64_t to, int64_t type_id, struct store_report_count **out, size_t *n)
{
	const struct block_split p = block_split(from, to);
	enum zek_rc rc;
	struct sq_stmt *st;

	st = sq_start(c, &rc, TIMES_SQL, "iiiiiii", p.b[0], p.b[1], p.b[2],
	    p.b[3], p.b[4], p.b[5], type_id);
	if (st == NULL)
		return rc;
	return sq_collect(c, a, st, map_count, sizeof(**out), (void **)out, n);
}

enum zek_rc
store_report_services(struct store_conn *c, struct arena *a, int64_t from,
    int64_t to, const int64_t *type_ids, size_t ntypes, size_t limit,
    struct store_report_count **out, size_t *n)
{
	const struct block_split p = block_split(from, to);
	const char *ids;
	enum zek_rc rc;
	struct sq_stmt *st;

	*out = NULL;
	*n = 0;
	if (ntypes == 0)
		return ZEK_OK;
	if ((ids = sq_ids_text(a, type_ids, ntypes)) == NULL)
		return ZEK_NOMEM;
	st = sq_start(c, &rc,
	    sq_in_ids(c, SERVICES_SQL_HEAD, SERVICES_SQL_TAIL), "iiiiiitz",
	    p.b[0], p.b[1], p.b[2], p.b[3], p.b[4], p.b[5], ids, limit);
	if (st == NULL)
		return rc;
	return sq_collect(c, a, st, map_count, sizeof(**out), (void **)out, n);
}
