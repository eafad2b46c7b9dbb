/* calendar.c: the business calendar of the service levels as admins save
 * it, and its extra closed days (store.h). */
#include "store/store.h"

#include "store/query.h"

static void
map_calendar(struct sq_row *r, void *elem)
{
	struct store_calendar *cal = elem;

	cal->weekdays = sq_col_i64(r);
	cal->start_minute = sq_col_i64(r);
	cal->end_minute = sq_col_i64(r);
	cal->state = sq_col_str(r);
	cal->tz = sq_col_str(r);
}

enum zek_rc
store_calendar_get(struct store_conn *c, struct arena *a,
    struct store_calendar *out)
{
	struct store_calendar *cal;
	struct sq_stmt *st;
	enum zek_rc rc;

	/* Every queue page and service level reads it: kept per connection
	 * while the database is unchanged. */
	st = sq_start(c, &rc,
	    "SELECT weekdays, start_minute, end_minute, "
	    "state, tz FROM business_calendar WHERE id = ?",
	    "i", (int64_t)1);
	if (st == NULL)
		return rc;
	rc = sq_collect_one_cached(c, a, st, 1, map_calendar, sizeof(*cal),
	    (void **)&cal);
	if (rc == ZEK_OK)
		*out = *cal;
	return rc;
}

enum zek_rc
store_calendar_put(struct store_conn *c, const struct store_calendar *cal)
{
	return sq_exec(c,
	    "INSERT INTO business_calendar (id, weekdays, "
	    "start_minute, end_minute, state, tz) VALUES (1, ?, ?, ?, ?, ?) "
	    "ON CONFLICT (id) DO UPDATE SET weekdays = excluded.weekdays, "
	    "start_minute = excluded.start_minute, "
	    "end_minute = excluded.end_minute, state = excluded.state, "
	    "tz = excluded.tz",
	    "iiitt", cal->weekdays, cal->start_minute, cal->end_minute,
	    sq_nz(cal->state), cal->tz);
}

static void
map_closed_day(struct sq_row *r, void *elem)
{
	struct store_closed_day *d = elem;

	d->day = sq_col_i64(r);
	d->name = sq_col_str(r);
}

enum zek_rc
store_closed_days_list(struct store_conn *c, struct arena *a, size_t limit,
    struct store_closed_day **out, size_t *n)
{
	struct sq_stmt *st;
	enum zek_rc rc;

	st = sq_start(c, &rc,
	    "SELECT day, name FROM calendar_closed_days "
	    "ORDER BY day LIMIT ?",
	    "z", limit);
	if (st == NULL)
		return rc;
	return sq_collect_cached(c, a, st, (int64_t)limit, map_closed_day,
	    sizeof(**out), (void **)out, n);
}

enum zek_rc
store_closed_day_add(struct store_conn *c, const struct store_closed_day *d)
{
	/* No unique violation: on PostgreSQL it would end the transaction. */
	enum zek_rc rc = sq_exec_changed(c,
	    "INSERT INTO calendar_closed_days "
	    "(day, name) VALUES (?, ?) ON CONFLICT (day) DO NOTHING",
	    "it", d->day, sq_nz(d->name));

	return rc == ZEK_NOTFOUND ? ZEK_CONFLICT : rc;
}

enum zek_rc
store_closed_day_delete(struct store_conn *c, int64_t day)
{
	return sq_exec_changed(c,
	    "DELETE FROM calendar_closed_days "
	    "WHERE day = ?",
	    "i", day);
}

enum zek_rc
store_closed_days_count(struct store_conn *c, int64_t *n)
{
	return sq_query_i64(c, n,
	    "SELECT count(*) FROM calendar_closed_days "
	    "WHERE day > ?",
	    "i", (int64_t)0);
}
