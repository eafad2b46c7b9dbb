/* business_calendar.c: the business calendar that counts, from the
 * database or the configuration, and its admin page
 * (business_calendar.h). */
#include "core/business_calendar.h"
#include "core/admin_form.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "core/validate.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "store/store.h"

#define WEEKDAYS_ALL 0x7F

const char *const calendar_day_fields[7] = { "mon", "tue", "wed", "thu", "fri",
	"sat", "sun" };

/* ---- the calendar that counts ---- */

enum zek_rc
core_calendar_read(struct zctx *ctx, struct calendar *out, bool *saved,
    struct store_closed_day **days, size_t *ndays)
{
	struct calendar def = CALENDAR_DEFAULT;
	struct store_calendar sc;
	struct store_closed_day *rows;
	int32_t *closed;
	size_t n, i;
	enum zek_rc rc;

	*out = def;
	out->state = ctx->cfg->sla_state;
	rc = store_calendar_get(ctx->db, ctx->arena, &sc);
	*saved = rc == ZEK_OK;
	if (rc == ZEK_OK) {
		out->weekdays = (unsigned)sc.weekdays;
		out->start_minute = (int)sc.start_minute;
		out->end_minute = (int)sc.end_minute;
		out->state = sc.state;
		out->tz = sc.tz;
	} else if (rc != ZEK_NOTFOUND)
		return rc;
	rc = store_closed_days_list(ctx->db, ctx->arena, CALENDAR_CLOSED_MAX,
	    &rows, &n);
	if (rc != ZEK_OK)
		return rc;
	closed = arena_calloc(ctx->arena, n > 0 ? n : 1, sizeof(*closed));
	if (closed == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < n; i++)
		closed[i] = (int32_t)rows[i].day;
	out->closed = closed;
	out->nclosed = n;
	if (days != NULL) {
		*days = rows;
		*ndays = n;
	}
	return ZEK_OK;
}

enum zek_rc
core_calendar_load(struct zctx *ctx, struct calendar *out)
{
	struct calendar *kept;
	enum zek_rc rc;
	bool saved;

	if (ctx->calendar != NULL) {
		*out = *ctx->calendar;
		return ZEK_OK;
	}
	rc = core_calendar_read(ctx, out, &saved, NULL, NULL);
	kept = rc == ZEK_OK ? arena_calloc(ctx->arena, 1, sizeof(*kept)) : NULL;
	if (kept != NULL) {
		*kept = *out;
		ctx->calendar = kept;
	}
	return rc;
}

/* ---- the admin page ---- */

void
calendar_minute_text(int minute, char buf[6])
{
	unsigned h = (unsigned)minute / 60 % 25, m = (unsigned)minute % 60;

	buf[0] = (char)('0' + h / 10);
	buf[1] = (char)('0' + h % 10);
	buf[2] = ':';
	buf[3] = (char)('0' + m / 10);
	buf[4] = (char)('0' + m % 10);
	buf[5] = '\0';
}

static void
closed_day_split(int64_t day, struct admin_closed_day *out)
{
	out->day = day;
	out->year = (int)(day / 10000);
	out->month = (int)(day / 100 % 100);
	out->mday = (int)(day % 100);
}

enum zek_rc
core_admin_calendar(struct zctx *ctx, const struct user *actor,
    struct admin_calendar *out)
{
	struct store_closed_day *rows;
	size_t n, i, k;
	int y, m, d;
	enum zek_rc rc;

	memset(out, 0, sizeof(*out));
	if (!admin_actor_ok(actor))
		return ZEK_NOTFOUND;
	rc = store_config_version(ctx->db, &out->version);
	if (rc == ZEK_OK)
		rc = core_calendar_read(ctx, &out->cal, &out->saved, &rows, &n);
	if (rc != ZEK_OK)
		return rc;
	out->closed = arena_calloc(ctx->arena, n > 0 ? n : 1,
	    sizeof(*out->closed));
	if (out->closed == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < n; i++) {
		closed_day_split(rows[i].day, &out->closed[i]);
		out->closed[i].name = rows[i].name;
	}
	out->nclosed = n;
	if (!calendar_local_date(&out->cal, ctx->now_ms, &y, &m, &d))
		return ZEK_INVALID;
	for (k = 0; k < 2; k++) {
		out->years[k] = y + (int)k;
		out->nholidays[k] = calendar_holidays_of_year(&out->cal,
		    out->years[k], out->holidays[k]);
	}
	return ZEK_OK;
}

/* Reads 1 to max digits at *p into *out, moving *p past them. */
static bool
read_digits(const char **p, int max, int *out)
{
	int n = 0, v = 0;

	while (n < max && **p >= '0' && **p <= '9') {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	*out = v;
	return n > 0;
}

/* The local minute of "HH:MM" (24:00 only when end_ok), or -1. */
static int
minute_of(const char *s, bool end_ok)
{
	const char *p = s;
	int h, m;

	if (s == NULL || strlen(s) != 5 || !read_digits(&p, 2, &h) ||
	    p != s + 2 || *p++ != ':' || !read_digits(&p, 2, &m) || *p != '\0')
		return -1;
	if (m > 59 || h > 24 || (h == 24 && (m != 0 || !end_ok)))
		return -1;
	return h * 60 + m;
}

bool
core_calendar_check(struct form_check *fc, const struct admin_calendar_form *f,
    struct store_calendar *sc)
{
	size_t before = *fc->n, i;

	sc->weekdays = 0;
	for (i = 0; i < 7; i++)
		if (str_eq(f->days[i], "on"))
			sc->weekdays |= 1 << i;
	if (sc->weekdays == 0)
		admin_form_error(fc, "mon", "err_calendar_no_days", 0);
	sc->start_minute = minute_of(f->start, false);
	sc->end_minute = minute_of(f->end, true);
	if (sc->start_minute < 0)
		admin_form_error(fc, "start", "err_calendar_time", 0);
	if (sc->end_minute < 0)
		admin_form_error(fc, "end", "err_calendar_time", 0);
	else if (sc->start_minute >= 0 && sc->end_minute <= sc->start_minute)
		admin_form_error(fc, "end", "err_calendar_end_before_start", 0);
	sc->state = f->state != NULL ? f->state : "";
	if (!calendar_state_valid(sc->state))
		admin_form_error(fc, "state", "err_invalid_option", 0);
	sc->tz = f->tz;
	if (str_empty(f->tz) || !core_tz_valid(f->tz))
		admin_form_error(fc, "tz", "err_calendar_tz", 0);
	return *fc->n == before;
}

/* The working days as the record keeps them: "1,2,3,4,5" (ISO weekday
 * numbers, Monday 1), whatever the viewer's language. */
static const char *
weekdays_text(struct zctx *ctx, unsigned bits)
{
	char buf[16];
	size_t n = 0, i;

	buf[0] = '\0';
	for (i = 0; i < 7; i++)
		if (bits & (1u << i))
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%zu",
			    n > 0 ? "," : "", i + 1);
	return arena_strdup(ctx->arena, buf);
}

static const char *
hours_text(struct zctx *ctx, int start, int end)
{
	char a[6], b[6];

	calendar_minute_text(start, a);
	calendar_minute_text(end, b);
	return arena_printf(ctx->arena, "%s-%s", a, b);
}

/* The record's rows of a save: what differs from the calendar that
 * counted before it. */
static void
calendar_changes(struct change_list *cl, const struct calendar *old,
    const struct store_calendar *now)
{
	struct zctx *ctx = cl->ctx;

	admin_change_text(cl, "calendar_days",
	    weekdays_text(ctx, old->weekdays),
	    weekdays_text(ctx, (unsigned)now->weekdays));
	admin_change_text(cl, "calendar_hours",
	    hours_text(ctx, old->start_minute, old->end_minute),
	    hours_text(ctx, (int)now->start_minute, (int)now->end_minute));
	admin_change_text(cl, "calendar_state", old->state, now->state);
	admin_change_text(cl, "calendar_tz", old->tz, now->tz);
}

/* The calendar `sc` stored, with the record's rows of cl unless !record,
 * after admin_change_lock. The caller marks the service levels stale when
 * cl holds a change. */
static enum zek_rc
calendar_write(struct change_list *cl, const struct store_calendar *sc,
    bool record)
{
	enum zek_rc rc = record ? admin_change_rows(cl) : ZEK_OK;

	cl->ctx->calendar = NULL; /* read again after the change */
	return rc == ZEK_OK ? store_calendar_put(cl->ctx->db, sc) : rc;
}

enum zek_rc
core_admin_calendar_save(struct zctx *ctx, const struct user *actor,
    const struct admin_calendar_form *f, struct field_error *errs,
    size_t *nerrs)
{
	struct form_check fc = { ctx, errs, nerrs, false };
	struct change_list cl = { .ctx = ctx, .actor = actor, .target = "" };
	struct store_calendar sc;
	struct calendar old;
	int64_t version;
	bool saved;
	enum zek_rc rc;

	*nerrs = 0;
	if (!admin_actor_ok(actor))
		return ZEK_NOTFOUND;
	if (!core_calendar_check(&fc, f, &sc))
		return ZEK_INVALID;
	if ((version = admin_form_version(f->version)) < 0)
		return ZEK_CONFLICT;
	rc = store_begin(ctx->db);
	if (rc != ZEK_OK)
		return rc;
	rc = core_calendar_read(ctx, &old, &saved, NULL, NULL);
	if (rc == ZEK_OK) {
		calendar_changes(&cl, &old, &sc);
		/* The first save keeps what counted: sla_state gives way to
		 * the row even when the values are the same. */
		if (cl.n == 0 && saved)
			return store_finish(ctx->db, ZEK_OK);
		rc = admin_change_lock(ctx, version);
	}
	if (rc == ZEK_OK)
		rc = calendar_write(&cl, &sc, true);
	if (rc == ZEK_OK && cl.n > 0)
		rc = store_requests_mark_sla_stale(ctx->db, 0);
	return store_finish(ctx->db, rc);
}

/* ---- closed days ---- */

/* "2026-12-24" (as <input type="date"> sends it) or "24.12.2026" (as
 * people type it) into its parts; false for anything else. */
static bool
date_parse(const char *s, int *y, int *m, int *d)
{
	const char *p = s;

	if (s == NULL)
		return false;
	if (strlen(s) == 10 && s[4] == '-') {
		if (!read_digits(&p, 4, y) || p != s + 4 || *p++ != '-' ||
		    !read_digits(&p, 2, m) || *p++ != '-' ||
		    !read_digits(&p, 2, d))
			return false;
	} else if (!read_digits(&p, 2, d) || *p++ != '.' ||
	    !read_digits(&p, 2, m) || *p++ != '.' || !read_digits(&p, 4, y))
		return false;
	return *p == '\0' && *y >= CALENDAR_YEAR_MIN &&
	    *y <= CALENDAR_YEAR_MAX && calendar_date_valid(*y, *m, *d);
}

const char *
calendar_closed_day_text(struct zctx *ctx, int64_t day, const char *name)
{
	struct admin_closed_day c;
	const char *date;

	closed_day_split(day, &c);
	date = c.year == 0 ?
	    arena_printf(ctx->arena, "--%02d-%02d", c.month, c.mday) :
	    arena_printf(ctx->arena, "%04d-%02d-%02d", c.year, c.month, c.mday);
	if (date == NULL || str_empty(name))
		return date;
	return arena_printf(ctx->arena, "%s %s", date, name);
}

/* Records one change of the closed days, after admin_change_lock. */
static enum zek_rc
closed_day_note(struct zctx *ctx, const struct user *actor, const char *subject,
    const char *old, const char *now)
{
	struct change_list cl = { .ctx = ctx, .actor = actor, .target = "" };

	admin_change_text(&cl, subject, old, now);
	return admin_change_rows(&cl);
}

/* Adds d (ZEK_CONFLICT: closed already) and, if `record`, its row. */
static enum zek_rc
closed_day_insert(struct zctx *ctx, const struct user *actor,
    const struct store_closed_day *d, bool record)
{
	enum zek_rc rc = store_closed_day_add(ctx->db, d);

	ctx->calendar = NULL;

	if (rc == ZEK_OK && record)
		rc = closed_day_note(ctx, actor, "calendar_closed_added", "",
		    calendar_closed_day_text(ctx, d->day, d->name));
	return rc;
}

/* Deletes d (ZEK_NOTFOUND: no such day) and, if `record`, its row. */
static enum zek_rc
closed_day_remove(struct zctx *ctx, const struct user *actor,
    const struct store_closed_day *d, bool record)
{
	enum zek_rc rc = store_closed_day_delete(ctx->db, d->day);

	ctx->calendar = NULL;

	if (rc == ZEK_OK && record)
		rc = closed_day_note(ctx, actor, "calendar_closed_removed",
		    calendar_closed_day_text(ctx, d->day, d->name), "");
	return rc;
}

bool
core_closed_day_check(struct form_check *fc,
    const struct admin_closed_day_form *f, struct store_closed_day *d)
{
	size_t before = *fc->n;
	int y, m, day;

	if (!date_parse(f->date, &y, &m, &day))
		admin_form_error(fc, "date", "err_calendar_date", 0);
	else
		d->day = (str_eq(f->yearly, "on") ? 0 : y * 10000) + m * 100 +
		    day;
	d->name = admin_form_text(fc, "name", f->name, CALENDAR_CLOSED_NAME_MAX,
	    false, false);
	return *fc->n == before && !fc->nomem;
}

enum zek_rc
core_admin_closed_day_add(struct zctx *ctx, const struct user *actor,
    const struct admin_closed_day_form *f, struct field_error *errs,
    size_t *nerrs)
{
	struct form_check fc = { ctx, errs, nerrs, false };
	struct store_closed_day d = { 0, "" };
	int64_t count;
	enum zek_rc rc;

	*nerrs = 0;
	if (!admin_actor_ok(actor))
		return ZEK_NOTFOUND;
	if (!core_closed_day_check(&fc, f, &d))
		return fc.nomem ? ZEK_NOMEM : ZEK_INVALID;
	rc = store_begin(ctx->db);
	if (rc != ZEK_OK)
		return rc;
	rc = store_closed_days_count(ctx->db, &count);
	if (rc == ZEK_OK && count >= CALENDAR_CLOSED_MAX) {
		admin_form_error(&fc, "date", "err_calendar_closed_full",
		    CALENDAR_CLOSED_MAX);
		rc = ZEK_INVALID;
	}
	if (rc == ZEK_OK)
		rc = admin_change_lock(ctx, -1);
	if (rc == ZEK_OK)
		rc = closed_day_insert(ctx, actor, &d, true);
	if (rc == ZEK_CONFLICT) {
		admin_form_error(&fc, "date", "err_calendar_closed_exists", 0);
		rc = ZEK_INVALID;
	}
	if (rc == ZEK_OK)
		rc = store_requests_mark_sla_stale(ctx->db, 0);
	return store_finish(ctx->db, rc);
}

enum zek_rc
core_admin_closed_day_delete(struct zctx *ctx, const struct user *actor,
    int64_t day)
{
	struct store_closed_day *rows, *was = NULL;
	size_t n, i;
	enum zek_rc rc;

	rc = admin_begin(ctx, actor);
	if (rc != ZEK_OK)
		return rc;
	rc = store_closed_days_list(ctx->db, ctx->arena, CALENDAR_CLOSED_MAX,
	    &rows, &n);
	for (i = 0; rc == ZEK_OK && i < n; i++)
		if (rows[i].day == day)
			was = &rows[i];
	if (rc == ZEK_OK && was == NULL)
		rc = ZEK_NOTFOUND;
	if (rc == ZEK_OK)
		rc = admin_change_lock(ctx, -1);
	if (rc == ZEK_OK)
		rc = closed_day_remove(ctx, actor, was, true);
	if (rc == ZEK_OK)
		rc = store_requests_mark_sla_stale(ctx->db, 0);
	return store_finish(ctx->db, rc);
}

/* ---- a configuration import ---- */

enum zek_rc
core_calendar_import(struct zctx *ctx, const struct user *actor,
    const struct calendar_import *ci, bool record)
{
	struct change_list cl = { .ctx = ctx, .actor = actor, .target = "" };
	struct calendar old;
	bool saved;
	size_t i;
	enum zek_rc rc = ZEK_OK;

	if (ci->cal != NULL) {
		rc = core_calendar_read(ctx, &old, &saved, NULL, NULL);
		if (rc == ZEK_OK) {
			calendar_changes(&cl, &old, ci->cal);
			rc = calendar_write(&cl, ci->cal, record);
		}
	}
	/* Removed first: a closed day renamed is removed and added. */
	for (i = 0; rc == ZEK_OK && i < ci->nremoved; i++)
		rc = closed_day_remove(ctx, actor, &ci->removed[i], record);
	for (i = 0; rc == ZEK_OK && i < ci->nadded; i++)
		rc = closed_day_insert(ctx, actor, &ci->added[i], record);
	if (rc == ZEK_OK && (cl.n > 0 || ci->nremoved > 0 || ci->nadded > 0))
		rc = store_requests_mark_sla_stale(ctx->db, 0);
	return rc;
}
