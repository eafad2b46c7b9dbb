/* calendar.h: a business calendar for service levels (issue 18): working
 * days and hours in a time zone, the public holidays of Germany and of one
 * Bundesland (computed for any year, Easter-dependent ones included), and
 * extra closed days. Working time between two instants, and the instant a
 * span of working time ends. Pure computation over ICU's zones: no
 * database, no allocation. */
#ifndef ZEK_CORE_CALENDAR_H
#define ZEK_CORE_CALENDAR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CALENDAR_DAYS_MAX \
	36600 /* days one computation walks at most (100 years) */
#define CALENDAR_HOLIDAYS_MAX 24 /* public holidays of one year, at most */

struct calendar {
	const char *tz;        /* IANA zone of the working hours */
	unsigned weekdays;     /* bit 0 Monday ... bit 6 Sunday */
	int start_minute;      /* working hours, local minutes of */
	int end_minute;        /* the day: 480 = 08:00, 1020 = 17:00 */
	const char *state;     /* "DE-BY" (ISO 3166-2) or "" = federal only */
	const int32_t *closed; /* extra closed days, any order: yyyymmdd,
	                          or mmdd for that date every year */
	size_t nclosed;
};

/* Mon–Fri 08:00–17:00 in Europe/Berlin, federal holidays only. */
#define CALENDAR_DEFAULT \
	{ \
		"Europe/Berlin", 0x1F, 480, 1020, "", NULL, 0 \
	}

/* The Bundesländer the calendar knows, by their German names. */
#define CALENDAR_STATES 16
extern const char *const calendar_states[CALENDAR_STATES]; /* "DE-BW" */

/* Whether the calendar knows the Bundesland code ("" is fine). */
bool calendar_state_valid(const char *state);

/* The public holiday on that day in the calendar's Bundesland, or NULL:
 * its German name ("Karfreitag", "Fronleichnam", ...). */
const char *calendar_holiday(const struct calendar *c, int year, int month,
    int day);

/* A public holiday of a year: its date and German name. */
struct calendar_holiday_day {
	int month, day;
	const char *name;
};

/* The public holidays of `year` in the calendar's Bundesland by date,
 * into out (room for CALENDAR_HOLIDAYS_MAX); returns how many. */
size_t calendar_holidays_of_year(const struct calendar *c, int year,
    struct calendar_holiday_day *out);

/* Whether y-m-d is a date of the Gregorian calendar (years 1-9999). */
bool calendar_date_valid(int year, int month, int day);

/* Whether that local day is a working day (weekday, no holiday, not
 * closed). */
bool calendar_working_day(const struct calendar *c, int year, int month,
    int day);

/* The working time in [from, to) (UTC ms; 0 when to <= from) into *out.
 * ZEK_INVALID for a bad calendar or a span over CALENDAR_DAYS_MAX days. */
int calendar_working_ms(const struct calendar *c, int64_t from, int64_t to,
    int64_t *out);

/* The first instant at which `span` ms of working time have passed since
 * `from` (span 0 is `from` itself): a goal of 8 working hours set on
 * Friday at 16:00 ends on Monday at 15:00. ZEK_INVALID as above, also
 * when the calendar has no working time at all. */
int calendar_add_working(const struct calendar *c, int64_t from, int64_t span,
    int64_t *out);

/* The local date of instant `ms` in the calendar's zone; false for a bad
 * zone. */
bool calendar_local_date(const struct calendar *c, int64_t ms, int *year,
    int *month, int *day);
/* Day numbers: days since 1970-01-01 of a Gregorian date (proleptic), and
 * back; Monday is the day whose (number + 3) % 7 is 0. */
int64_t calendar_day_number(int y, int m, int d);
void calendar_civil_of_day(int64_t day, int *y, int *m, int *d);

/* The local dates (day numbers) of n instants (UTC ms) in zone tz, into
 * days. ZEK_INVALID for an unknown zone. */
int calendar_local_days(const char *tz, const int64_t *ms, size_t n,
    int64_t *days);

/* Easter Sunday of a Gregorian year as month and day. */
void calendar_easter(int year, int *month, int *day);

#endif
