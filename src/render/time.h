/* time.h: times as UTC milliseconds, shown and read in the user's zone and language (ICU). */
#ifndef ZEK_TIME_H
#define ZEK_TIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;

/* The default zone for users and visitors. */
#define TIME_DEFAULT_ZONE "Europe/Berlin"

/* Times outside [TIME_MIN_MS, TIME_MAX_MS] (1583-01-02 to 9999-12-30 UTC)
 * are refused, so dates stay Gregorian with four-digit years. */
#define TIME_MIN_MS INT64_C(-12212467200000)
#define TIME_MAX_MS INT64_C(253402128000000)

/* Every function below is thread-safe: each thread keeps its own few ICU
 * calendars and formatters (closed when the thread ends). Formatting
 * writes the fixed patterns itself from the zone's offset, which ICU
 * gives once per span between two transitions of the zone.
 * tz is an IANA zone ID ("Europe/Berlin", "UTC"); out gets UTF-8 and is
 * always NUL-terminated when n > 0. They return ZEK_OK, ZEK_INVALID (bad
 * zone, time out of range), ZEK_TOOBIG (out too small), ZEK_NOMEM, or
 * ZEK_IO (ICU failed otherwise). */

/* Human text: de "27.11.2026, 16:42", en "27 Nov 2026, 16:42"; any other
 * lang gives German. */
int time_format(int64_t ms, const char *tz, const char *lang, char *out,
    size_t n);

/* ISO 8601 with the zone's offset, for <time datetime>: "2026-11-27T16:42:00+01:00". */
int time_format_iso(int64_t ms, const char *tz, char *out, size_t n);

/* The value for <input type="datetime-local">: "2026-11-27T16:42". */
int time_format_input(int64_t ms, const char *tz, char *out, size_t n);

/* Reads "YYYY-MM-DDTHH:MM" or "YYYY-MM-DDTHH:MM:SS" as local time in tz.
 * A time skipped by a DST change counts as standard time (02:30 on the
 * spring-forward day in Berlin is 03:30 CEST); a time that happens twice
 * is the earlier one. Returns ZEK_OK, or ZEK_INVALID for anything
 * malformed, out of range (years 1583..9999, real calendar days) or a bad
 * zone; ZEK_NOMEM or ZEK_IO when ICU fails. */
int time_parse_input(const char *s, const char *tz, int64_t *ms);

/* True when tz is an IANA zone ICU knows (aliases like "UTC" included;
 * custom IDs like "GMT+01:00" and "Etc/Unknown" are not). */
bool time_zone_valid(const char *tz);

/* The canonical IANA location zones, sorted, for a zone picker; *out is
 * arena memory. Returns ZEK_OK, ZEK_NOMEM or ZEK_IO. */
int time_zone_list(struct arena *a, const char ***out, size_t *n);

/* The current IANA name of a zone ICU lists by an older one
 * ("Asia/Calcutta" is "Asia/Kolkata", "Europe/Kiev" "Europe/Kyiv");
 * any other id as it is. */
const char *time_zone_current_name(const char *id);

/* One zone of the picker: its current IANA name, its city ("Buenos
 * Aires") and its offset from UTC without daylight saving. */
struct time_zone_entry {
	const char *id;
	const char *city;
	int32_t raw_offset_ms;
};

/* The zones of time_zone_list by their current names, ordered by offset,
 * then city; made once per process and shared, read-only. */
int time_zone_picker(const struct time_zone_entry **out, size_t *n);

/* Now, in milliseconds since the epoch (UTC). */
int64_t time_now_ms(void);

#endif
