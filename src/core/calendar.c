/* calendar.c: working time in a business calendar (calendar.h). Days are
 * walked in the calendar's zone: each working day's window is turned into
 * UTC by ICU on that very day, so a change to or from summer time moves
 * the window, not the hours counted. */
#include "core/calendar.h"

#include <string.h>

#include <unicode/ucal.h>
#include <unicode/ustring.h>

#include "core/validate.h"
#include "lib/str.h"
#include "lib/zek.h"

#define TZ_MAX 64

/* ---- holidays ---- */

void
calendar_easter(int year, int *month, int *day)
{
	/* The Gregorian computus in integer arithmetic: golden number a,
	 * century b and its leaps, the epact (h) and the weekday (l). */
	int a = year % 19, b = year / 100, c = year % 100;
	int d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
	int h = (19 * a + b - d - g + 15) % 30;
	int i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int n = h + l - 7 * m + 114;

	*month = n / 31;
	*day = n % 31 + 1;
}

/* Days since 1970-01-01 of a Gregorian date (proleptic). */
static int64_t
days_from_civil(int y, int m, int d)
{
	return calendar_day_number(y, m, d);
}

int64_t
calendar_day_number(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Monday 0 ... Sunday 6. */
static int
weekday(int y, int m, int d)
{
	int64_t z = days_from_civil(y, m, d);

	return (int)((z % 7 + 7 + 3) % 7); /* 1970-01-01 was a Thursday */
}

/* Holidays with a fixed date, and the Bundesländer that keep them (in
 * the years from `since`; "" = every Bundesland). */
static const struct fixed_holiday {
	int month, day;
	const char *name;
	const char *states;
	int since;
} fixed_holidays[] = {
	{ 1, 1, "Neujahr", "", 0 },
	{ 1, 6, "Heilige Drei Könige", "BW BY ST", 0 },
	{ 3, 8, "Internationaler Frauentag", "BE", 2019 },
	{ 3, 8, "Internationaler Frauentag", "MV", 2023 },
	{ 5, 1, "Tag der Arbeit", "", 0 },
	{ 8, 15, "Mariä Himmelfahrt", "SL", 0 },
	{ 9, 20, "Weltkindertag", "TH", 2019 },
	{ 10, 3, "Tag der Deutschen Einheit", "", 1990 },
	{ 10, 31, "Reformationstag", "BB MV SN ST TH", 0 },
	{ 10, 31, "Reformationstag", "HB HH NI SH", 2018 },
	{ 11, 1, "Allerheiligen", "BW BY NW RP SL", 0 },
	{ 12, 25, "1. Weihnachtstag", "", 0 },
	{ 12, 26, "2. Weihnachtstag", "", 0 },
};

/* Holidays counted from Easter Sunday. */
static const struct easter_holiday {
	int offset;
	const char *name;
	const char *states;
} easter_holidays[] = {
	{ -2, "Karfreitag", "" },
	{ 0, "Ostersonntag", "BB" },
	{ 1, "Ostermontag", "" },
	{ 39, "Christi Himmelfahrt", "" },
	{ 49, "Pfingstsonntag", "BB" },
	{ 50, "Pfingstmontag", "" },
	{ 60, "Fronleichnam", "BW BY HE NW RP SL" },
};

const char *const calendar_states[CALENDAR_STATES] = { "DE-BW", "DE-BY",
	"DE-BE", "DE-BB", "DE-HB", "DE-HH", "DE-HE", "DE-MV", "DE-NI", "DE-NW",
	"DE-RP", "DE-SL", "DE-SN", "DE-ST", "DE-SH", "DE-TH" };

/* "BY" of "DE-BY"; NULL for "" or a code we do not know. */
static const char *
state_short(const char *state)
{
	size_t i;

	if (state == NULL)
		return NULL;
	for (i = 0; i < CALENDAR_STATES; i++)
		if (str_eq(state, calendar_states[i]))
			return calendar_states[i] + 3;
	return NULL;
}

bool
calendar_state_valid(const char *state)
{
	return str_empty(state) || state_short(state) != NULL;
}

/* Whether a holiday kept in `list` ("" = all) is kept in Bundesland st. */
static bool
kept_in(const char *list, const char *st)
{
	const char *p;

	if (*list == '\0')
		return true;
	if (st == NULL)
		return false;
	for (p = list; (p = strstr(p, st)) != NULL; p += 2)
		if ((p == list || p[-1] == ' ') &&
		    (p[2] == '\0' || p[2] == ' '))
			return true;
	return false;
}

const char *
calendar_holiday(const struct calendar *c, int year, int month, int day)
{
	const char *st = state_short(c->state);
	int64_t z = days_from_civil(year, month, day), easter;
	int em, ed;
	size_t i;

	for (i = 0; i < ZEK_ARRAY_LEN(fixed_holidays); i++) {
		const struct fixed_holiday *h = &fixed_holidays[i];

		if (h->month == month && h->day == day && year >= h->since &&
		    kept_in(h->states, st))
			return h->name;
	}
	/* 2017: the Reformation's 500th year, a holiday everywhere. */
	if (year == 2017 && month == 10 && day == 31)
		return "Reformationstag";
	/* Buß- und Bettag: the Wednesday before 23 November, in Saxony. */
	if (st != NULL && str_eq(st, "SN") && month == 11 && day >= 16 &&
	    day <= 22 && weekday(year, month, day) == 2)
		return "Buß- und Bettag";
	calendar_easter(year, &em, &ed);
	easter = days_from_civil(year, em, ed);
	for (i = 0; i < ZEK_ARRAY_LEN(easter_holidays); i++)
		if (z - easter == easter_holidays[i].offset &&
		    kept_in(easter_holidays[i].states, st))
			return easter_holidays[i].name;
	return NULL;
}

bool
calendar_working_day(const struct calendar *c, int year, int month, int day)
{
	int32_t ymd = year * 10000 + month * 100 + day;
	size_t i;

	if (!(c->weekdays & (1u << weekday(year, month, day))))
		return false;
	for (i = 0; i < c->nclosed; i++)
		if (c->closed[i] == ymd || c->closed[i] == ymd % 10000)
			return false;
	return calendar_holiday(c, year, month, day) == NULL;
}

static int
month_length(int year, int month)
{
	static const int len[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
		31 };
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	return len[month - 1] + (month == 2 && leap);
}

bool
calendar_date_valid(int year, int month, int day)
{
	return year >= 1 && year <= 9999 && month >= 1 && month <= 12 &&
	    day >= 1 && day <= month_length(year, month);
}

size_t
calendar_holidays_of_year(const struct calendar *c, int year,
    struct calendar_holiday_day *out)
{
	const char *name;
	size_t n = 0;
	int m, d;

	/* Every day asked: one rule set, no second list to keep in step. */
	for (m = 1; m <= 12; m++)
		for (d = 1; d <= month_length(year, m); d++)
			if ((name = calendar_holiday(c, year, m, d)) != NULL &&
			    n < CALENDAR_HOLIDAYS_MAX)
				out[n++] = (struct calendar_holiday_day){ m, d,
					name };
	return n;
}

/* ---- walking the days ---- */

/* An ICU calendar in the business calendar's zone. */
struct zone {
	UCalendar *cal;
};

static bool
zone_open(struct zone *z, const char *tz)
{
	UChar u[TZ_MAX + 1];
	UErrorCode e = U_ZERO_ERROR;

	z->cal = NULL;
	/* ICU opens an unknown zone as "Etc/Unknown" (UTC) without an error. */
	if (tz == NULL || strlen(tz) > TZ_MAX || !core_tz_valid(tz))
		return false;
	u_uastrncpy(u, tz, TZ_MAX + 1);
	z->cal = ucal_open(u, -1, "en_US_POSIX", UCAL_GREGORIAN, &e);
	if (U_FAILURE(e)) {
		ucal_close(z->cal);
		z->cal = NULL;
	}
	return z->cal != NULL;
}

/* The local date of instant ms. */
static bool
zone_date(struct zone *z, int64_t ms, int *y, int *m, int *d)
{
	UErrorCode e = U_ZERO_ERROR;

	ucal_setMillis(z->cal, (UDate)ms, &e);
	*y = ucal_get(z->cal, UCAL_YEAR, &e);
	*m = ucal_get(z->cal, UCAL_MONTH, &e) + 1;
	*d = ucal_get(z->cal, UCAL_DATE, &e);
	return U_SUCCESS(e);
}

bool
calendar_local_date(const struct calendar *c, int64_t ms, int *year, int *month,
    int *day)
{
	int64_t n;

	if (c == NULL || calendar_local_days(c->tz, &ms, 1, &n) != ZEK_OK)
		return false;
	calendar_civil_of_day(n, year, month, day);
	return true;
}

/* The instant of local minute `minute` on a local day. */
static bool
zone_instant(struct zone *z, int y, int m, int d, int minute, int64_t *ms)
{
	UErrorCode e = U_ZERO_ERROR;

	ucal_clear(z->cal);
	ucal_setDateTime(z->cal, y, m - 1, d, minute / 60, minute % 60, 0, &e);
	*ms = (int64_t)ucal_getMillis(z->cal, &e);
	return U_SUCCESS(e);
}

void
calendar_civil_of_day(int64_t day, int *y, int *m, int *d)
{
	int64_t z = day + 719468, era, doe, yoe, doy, mp;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

int
calendar_local_days(const char *tz, const int64_t *ms, size_t n, int64_t *days)
{
	struct zone z;
	int y, m, d, rc = ZEK_OK;
	size_t i;

	if (!zone_open(&z, tz))
		return ZEK_INVALID;
	for (i = 0; rc == ZEK_OK && i < n; i++) {
		if (zone_date(&z, ms[i], &y, &m, &d))
			days[i] = calendar_day_number(y, m, d);
		else
			rc = ZEK_INVALID;
	}
	ucal_close(z.cal);
	return rc;
}

/* The day after y-m-d. */
static void
next_day(int *y, int *m, int *d)
{
	if (++*d <= month_length(*y, *m))
		return;
	*d = 1;
	if (++*m > 12) {
		*m = 1;
		++*y;
	}
}

static bool
calendar_valid(const struct calendar *c)
{
	return c != NULL && (c->weekdays & 0x7F) != 0 && c->start_minute >= 0 &&
	    c->end_minute <= 24 * 60 && c->start_minute < c->end_minute &&
	    calendar_state_valid(c->state) &&
	    (c->nclosed == 0 || c->closed != NULL);
}

/* Calls step for each working window [start, end) (UTC ms) of the local
 * days from the one of `from` on, until it returns false or
 * CALENDAR_DAYS_MAX days are walked (ZEK_INVALID then). */
typedef bool (*window_fn)(int64_t start, int64_t end, void *arg);

static int
walk_windows(const struct calendar *c, int64_t from, window_fn step, void *arg)
{
	struct zone z;
	int64_t start, end;
	int y, m, d, rc = ZEK_INVALID;
	long n;

	if (!calendar_valid(c) || !zone_open(&z, c->tz))
		return ZEK_INVALID;
	if (!zone_date(&z, from, &y, &m, &d))
		goto out;
	for (n = 0; n < CALENDAR_DAYS_MAX; n++, next_day(&y, &m, &d)) {
		if (!calendar_working_day(c, y, m, d))
			continue;
		if (!zone_instant(&z, y, m, d, c->start_minute, &start) ||
		    !zone_instant(&z, y, m, d, c->end_minute, &end))
			goto out;
		if (!step(start, end, arg)) {
			rc = ZEK_OK;
			goto out;
		}
	}
out:
	ucal_close(z.cal);
	return rc;
}

struct span_sum {
	int64_t from, to, sum;
};

static bool
sum_window(int64_t start, int64_t end, void *arg)
{
	struct span_sum *s = arg;

	if (start >= s->to)
		return false;
	if (start < s->from)
		start = s->from;
	if (end > s->to)
		end = s->to;
	if (end > start)
		s->sum += end - start;
	return true;
}

int
calendar_working_ms(const struct calendar *c, int64_t from, int64_t to,
    int64_t *out)
{
	struct span_sum s = { from, to, 0 };
	int rc;

	*out = 0;
	if (to <= from)
		return calendar_valid(c) ? ZEK_OK : ZEK_INVALID;
	rc = walk_windows(c, from, sum_window, &s);
	if (rc == ZEK_OK)
		*out = s.sum;
	return rc;
}

struct span_end {
	int64_t from, left, at;
};

static bool
end_window(int64_t start, int64_t end, void *arg)
{
	struct span_end *s = arg;

	if (start < s->from)
		start = s->from;
	if (end <= start)
		return true;
	if (end - start >= s->left) {
		s->at = start + s->left;
		return false;
	}
	s->left -= end - start;
	return true;
}

int
calendar_add_working(const struct calendar *c, int64_t from, int64_t span,
    int64_t *out)
{
	struct span_end s = { from, span, 0 };
	int rc;

	*out = from;
	if (span <= 0)
		return calendar_valid(c) ? ZEK_OK : ZEK_INVALID;
	rc = walk_windows(c, from, end_window, &s);
	if (rc == ZEK_OK)
		*out = s.at;
	return rc;
}
