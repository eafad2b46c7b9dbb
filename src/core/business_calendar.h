/* business_calendar.h: the business calendar the service levels are
 * measured in (issue 18), as the database and the configuration give it,
 * and its admin page (/servicedesk/admin/calendar).
 *
 * Precedence: while no admin has saved the calendar's form, the built-in
 * Mon–Fri 08:00–17:00 in Europe/Berlin counts, with the Bundesland of the
 * configuration file (sla_state); once an admin saved it, the saved row
 * counts and sla_state no longer does. Extra closed days are always the
 * database's. Every change marks every open request's service levels
 * stale, so the "sla" job works their due times out again. */
#ifndef ZEK_CORE_BUSINESS_CALENDAR_H
#define ZEK_CORE_BUSINESS_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/calendar.h"
#include "core/ctx.h"

struct field_error;
struct form_check;
struct store_calendar;
struct store_closed_day;
struct user;

#define CALENDAR_CLOSED_MAX 366      /* extra closed days, at most */
#define CALENDAR_CLOSED_NAME_MAX 100 /* code points of a closed day's name */
#define CALENDAR_YEAR_MIN 2000       /* the years a closed day may be in */
#define CALENDAR_YEAR_MAX 2199

/* The calendar that counts now (see above), its strings and closed days
 * in ctx->arena. Every computation of a service level takes it from here. */
enum zek_rc core_calendar_load(struct zctx *ctx, struct calendar *out);

/* The same, with whether an admin saved it and (days not NULL) the closed
 * days as stored, by day. */
enum zek_rc core_calendar_read(struct zctx *ctx, struct calendar *out,
    bool *saved, struct store_closed_day **days, size_t *ndays);

/* An extra closed day as the page lists it: one date, or (yearly) that
 * month and day in every year. */
struct admin_closed_day {
	int64_t day; /* as stored: yyyymmdd, or mmdd (yearly) */
	int year;    /* 0 when yearly */
	int month, mday;
	const char *name; /* "" = none */
};

/* The calendar's page: the calendar that counts and whether an admin
 * saved it (else the configuration file's sla_state counts), the
 * configuration version, the closed days (yearly ones first, then by
 * date), and the public holidays of this year and the next (in the
 * calendar's zone) for checking. */
struct admin_calendar {
	int64_t version;
	bool saved;
	struct calendar cal;
	struct admin_closed_day *closed;
	size_t nclosed;
	int years[2];
	struct calendar_holiday_day holidays[2][CALENDAR_HOLIDAYS_MAX];
	size_t nholidays[2];
};

/* Admins only (ZEK_NOTFOUND for anybody else, actor NULL: the command
 * line), as every call below. */
enum zek_rc core_admin_calendar(struct zctx *ctx, const struct user *actor,
    struct admin_calendar *out);

/* The working days' and hours' form, as typed. */
struct admin_calendar_form {
	const char *version;
	const char *days[7];     /* Monday first: "on" or NULL */
	const char *start, *end; /* "08:00"; end may be "24:00" */
	const char *state;       /* "DE-BY" or "" */
	const char *tz;
};

/* The form's fields by name, as the page sends them: "mon" ... "sun". */
extern const char *const calendar_day_fields[7];

/* Saves the form in one transaction with its record. ZEK_INVALID with
 * errs (fields "mon" (no working day), "start", "end", "state", "tz");
 * ZEK_CONFLICT when the configuration changed since f->version. */
enum zek_rc core_admin_calendar_save(struct zctx *ctx, const struct user *actor,
    const struct admin_calendar_form *f, struct field_error *errs,
    size_t *nerrs);

/* A closed day to add: date "2026-12-24" (or "24.12.2026"), an optional
 * name, and yearly "on" for that day in every year. */
struct admin_closed_day_form {
	const char *date;
	const char *name;
	const char *yearly;
};

/* ZEK_INVALID with errs (fields "date": err_calendar_date,
 * err_calendar_closed_exists, err_calendar_closed_full; "name"). */
enum zek_rc core_admin_closed_day_add(struct zctx *ctx,
    const struct user *actor, const struct admin_closed_day_form *f,
    struct field_error *errs, size_t *nerrs);
/* ZEK_NOTFOUND: no such closed day. */
enum zek_rc core_admin_closed_day_delete(struct zctx *ctx,
    const struct user *actor, int64_t day);

/* The page's checks, for every way in (the configuration document too):
 * the form's values into *sc or *d, errors into fc (fields as above);
 * false after errors. */
bool core_calendar_check(struct form_check *fc,
    const struct admin_calendar_form *f, struct store_calendar *sc);
bool core_closed_day_check(struct form_check *fc,
    const struct admin_closed_day_form *f, struct store_closed_day *d);

/* What a configuration import changes of the calendar. */
struct calendar_import {
	const struct store_calendar *cal; /* NULL: as it is */
	const struct store_closed_day *removed, *added;
	size_t nremoved, nadded;
};

/* Applies ci in the caller's transaction, after admin_change_lock: the
 * closed days removed before those added. Every change is recorded as
 * the page records it (unless !record: zek init), and anything changed
 * marks every open request's service levels stale, as a save does. */
enum zek_rc core_calendar_import(struct zctx *ctx, const struct user *actor,
    const struct calendar_import *ci, bool record);

/* A closed day as the record keeps it: "2026-12-24 Heiligabend", or
 * "--12-24 ..." for every year (ISO 8601's date without a year); name
 * "" gives the date alone. */
const char *calendar_closed_day_text(struct zctx *ctx, int64_t day,
    const char *name);

/* "08:00" of a minute of the day, into buf (room for 6). */
void calendar_minute_text(int minute, char buf[6]);

#endif
