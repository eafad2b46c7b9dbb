/* time.c: ICU date formatting and parsing in IANA zones, with fixed patterns per language. */
#include "render/time.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <unicode/ucal.h>
#include <unicode/udat.h>
#include <unicode/uenum.h>
#include <unicode/ustring.h>

#include "lib/arena.h"
#include "lib/str.h"
#include "lib/zek.h"

#define TIME_MAX_TZ 64      /* longest zone ID accepted */
#define TIME_MAX_ZONES 2048 /* zone list bound */

/* Fixed patterns rather than ICU styles: the output must not change when
 * CLDR data does ("at" between date and time, narrow spaces, "Sept"). */
enum time_style {
	STYLE_DE,
	STYLE_EN,
	STYLE_ISO,
	STYLE_INPUT,
	STYLE_MAX
};

static const struct {
	const char *lang; /* for time_format(), else NULL */
	const char *locale;
	const char *pattern;
} time_styles[STYLE_MAX] = {
	[STYLE_DE] = { "de", "de_DE", "dd.MM.yyyy, HH:mm" },
	[STYLE_EN] = { "en", "en", "d MMM yyyy, HH:mm" },
	/* xxx: "+01:00", also "+00:00" for UTC rather than "Z". */
	[STYLE_ISO] = { NULL, "en_US_POSIX", "yyyy-MM-dd'T'HH:mm:ssxxx" },
	[STYLE_INPUT] = { NULL, "en_US_POSIX", "yyyy-MM-dd'T'HH:mm" },
};

/* Opening a formatter costs about 60 us, using one about 2 us, and a
 * formatter may not be shared between threads: each thread keeps its
 * last few, closed when the thread ends. They are the slow path now:
 * times are written by hand from the zone's offset (below), and ICU only
 * formats what that cannot (offsets with seconds). */
#define TIME_CACHE_SLOTS 8
/* Zones a thread remembers (their calendar and offset spans), and spans
 * per zone: a page shows times on both sides of a DST change. */
#define TIME_ZONE_SLOTS 4
#define TIME_SPAN_SLOTS 4
#define MS_PER_DAY INT64_C(86400000)

struct fmt_slot {
	enum time_style style;
	char tz[TIME_MAX_TZ];
	UDateFormat *df; /* NULL: slot unused */
};

/* [from, to): the zone's offset from UTC is `offset` ms throughout. */
struct span {
	int64_t from, to;
	int32_t offset;
};

struct zone_slot {
	char tz[TIME_MAX_TZ]; /* a valid zone ID, or "" when unused */
	UCalendar *cal;
	struct span span[TIME_SPAN_SLOTS];
	unsigned nspan, next_span;
};

struct fmt_cache {
	struct fmt_slot slot[TIME_CACHE_SLOTS];
	unsigned next; /* round-robin victim */
	struct zone_slot zone[TIME_ZONE_SLOTS];
	unsigned next_zone;
};

static pthread_once_t cache_once = PTHREAD_ONCE_INIT;
static pthread_key_t cache_key;
static bool cache_ok;

/* The English month abbreviations as ICU's "MMM" writes them, so the
 * hand-written text is what ICU would give ("Sep", not "Sept"). */
static char month_en[12][16];
static bool month_en_ok;

static void
cache_free(void *p)
{
	struct fmt_cache *c = p;
	size_t i;

	for (i = 0; i < TIME_CACHE_SLOTS; i++)
		if (c->slot[i].df != NULL)
			udat_close(c->slot[i].df);
	for (i = 0; i < TIME_ZONE_SLOTS; i++)
		if (c->zone[i].cal != NULL)
			ucal_close(c->zone[i].cal);
	free(c);
}

static void
months_init(void)
{
	UChar upat[8], utz[4], res[32];
	UErrorCode st = U_ZERO_ERROR;
	UDateFormat *df;
	int32_t rlen, olen;
	int m;

	u_uastrncpy(upat, "MMM", (int32_t)ZEK_ARRAY_LEN(upat));
	u_uastrncpy(utz, "UTC", (int32_t)ZEK_ARRAY_LEN(utz));
	df = udat_open(UDAT_PATTERN, UDAT_PATTERN, "en", utz, 3, upat, -1, &st);
	if (U_FAILURE(st))
		return;
	for (m = 0; m < 12; m++) {
		/* The 15th of month m+1 of 2001, noon UTC. */
		static const int doy[12] = { 14, 45, 73, 104, 134, 165, 195,
			226, 257, 287, 318, 348 };
		UDate t = (UDate)((INT64_C(11323) + doy[m]) * MS_PER_DAY +
		    12 * 3600000);
		rlen = udat_format(df, t, res, (int32_t)ZEK_ARRAY_LEN(res),
		    NULL, &st);
		if (U_FAILURE(st) || rlen >= (int32_t)ZEK_ARRAY_LEN(res))
			goto out;
		u_strToUTF8(month_en[m], (int32_t)sizeof(month_en[m]), &olen,
		    res, rlen, &st);
		if (U_FAILURE(st) || st == U_STRING_NOT_TERMINATED_WARNING ||
		    olen <= 0)
			goto out;
	}
	month_en_ok = true;
out:
	udat_close(df);
}

static void
cache_init(void)
{
	cache_ok = pthread_key_create(&cache_key, cache_free) == 0;
	months_init();
}

/* This thread's cache, or NULL (then formatters are opened per call). */
static struct fmt_cache *
cache_get(void)
{
	struct fmt_cache *c;

	if (pthread_once(&cache_once, cache_init) != 0 || !cache_ok)
		return NULL;
	c = pthread_getspecific(cache_key);
	if (c == NULL && (c = calloc(1, sizeof(*c))) != NULL &&
	    pthread_setspecific(cache_key, c) != 0) {
		free(c);
		c = NULL;
	}
	return c;
}

static int
icu_rc(UErrorCode st)
{
	return st == U_MEMORY_ALLOCATION_ERROR ? ZEK_NOMEM : ZEK_IO;
}

/* Copies a valid zone ID into utz; ZEK_INVALID for anything ICU would
 * silently turn into "Etc/Unknown" (GMT). */
static int
zone_id(const char *tz, UChar *utz, int32_t *len)
{
	UChar canon[TIME_MAX_TZ];
	UErrorCode st = U_ZERO_ERROR;
	UBool is_system = 0;
	size_t i, n;

	if (tz == NULL || (n = strlen(tz)) == 0 || n >= TIME_MAX_TZ)
		return ZEK_INVALID;
	for (i = 0; i < n; i++)
		if (!((tz[i] >= 'a' && tz[i] <= 'z') ||
		        (tz[i] >= 'A' && tz[i] <= 'Z') ||
		        (tz[i] >= '0' && tz[i] <= '9') ||
		        strchr("/_+-", tz[i]) != NULL))
			return ZEK_INVALID;
	u_charsToUChars(tz, utz, (int32_t)n);
	*len = (int32_t)n;
	ucal_getCanonicalTimeZoneID(utz, *len, canon, TIME_MAX_TZ, &is_system,
	    &st);
	if (U_FAILURE(st) || !is_system)
		return ZEK_INVALID;
	return ZEK_OK;
}

bool
time_zone_valid(const char *tz)
{
	UChar utz[TIME_MAX_TZ];
	int32_t len;

	return zone_id(tz, utz, &len) == ZEK_OK;
}

static UDateFormat *
open_format(enum time_style style, const UChar *utz, int32_t tzlen,
    UErrorCode *st)
{
	UChar upat[64];

	u_uastrncpy(upat, time_styles[style].pattern,
	    (int32_t)ZEK_ARRAY_LEN(upat));
	return udat_open(UDAT_PATTERN, UDAT_PATTERN, time_styles[style].locale,
	    utz, tzlen, upat, -1, st);
}

/* A formatter for style in tz: from this thread's cache, else a new one
 * that the caller closes (*owned set). */
static UDateFormat *
get_format(enum time_style style, const char *tz, const UChar *utz,
    int32_t tzlen, bool *owned, UErrorCode *st)
{
	struct fmt_cache *c = cache_get();
	struct fmt_slot *s;
	UDateFormat *df;
	size_t i;

	*owned = false;
	for (i = 0; c != NULL && i < TIME_CACHE_SLOTS; i++) {
		s = &c->slot[i];
		if (s->df != NULL && s->style == style &&
		    strcmp(s->tz, tz) == 0)
			return s->df;
	}
	df = open_format(style, utz, tzlen, st);
	if (U_FAILURE(*st) || c == NULL) {
		*owned = df != NULL;
		return df;
	}
	s = &c->slot[c->next++ % TIME_CACHE_SLOTS];
	if (s->df != NULL)
		udat_close(s->df);
	s->style = style;
	str_lcpy(s->tz, tz, sizeof(s->tz)); /* zone_id() bounded its length */
	s->df = df;
	return df;
}

/* Formats ms in zone tz with ICU. */
static int
format_icu(int64_t ms, const char *tz, enum time_style style, char *out,
    size_t n)
{
	UChar utz[TIME_MAX_TZ], res[128];
	UErrorCode st = U_ZERO_ERROR;
	UDateFormat *df = NULL;
	int32_t tzlen, rlen, olen;
	bool owned = false;
	int rc;

	if ((rc = zone_id(tz, utz, &tzlen)) != ZEK_OK)
		return rc;
	if (n == 0 || n > INT32_MAX)
		return ZEK_TOOBIG;
	df = get_format(style, tz, utz, tzlen, &owned, &st);
	if (U_FAILURE(st)) {
		rc = icu_rc(st);
		goto out;
	}
	rlen = udat_format(df, (UDate)ms, res, (int32_t)ZEK_ARRAY_LEN(res),
	    NULL, &st);
	if (U_FAILURE(st) || rlen >= (int32_t)ZEK_ARRAY_LEN(res)) {
		rc = U_FAILURE(st) && st != U_BUFFER_OVERFLOW_ERROR ?
		    icu_rc(st) :
		    ZEK_TOOBIG;
		goto out;
	}
	u_strToUTF8(out, (int32_t)n, &olen, res, rlen, &st);
	/* A result that fills out exactly leaves no room for the NUL. */
	if (st == U_BUFFER_OVERFLOW_ERROR ||
	    st == U_STRING_NOT_TERMINATED_WARNING) {
		out[0] = '\0';
		rc = ZEK_TOOBIG;
	} else if (U_FAILURE(st)) {
		out[0] = '\0';
		rc = icu_rc(st);
	}
out:
	if (owned)
		udat_close(df);
	return rc;
}

/* This thread's slot for the valid zone tz (with its calendar), or NULL:
 * *rc is then ZEK_INVALID for a bad zone, else the fast path is off. */
static struct zone_slot *
zone_get(struct fmt_cache *c, const char *tz, int *rc)
{
	UChar utz[TIME_MAX_TZ];
	UErrorCode st = U_ZERO_ERROR;
	struct zone_slot *z;
	UCalendar *cal;
	int32_t tzlen;
	size_t i;

	*rc = ZEK_OK;
	for (i = 0; i < TIME_ZONE_SLOTS; i++)
		if (tz != NULL && c->zone[i].cal != NULL &&
		    strcmp(c->zone[i].tz, tz) == 0)
			return &c->zone[i];
	if ((*rc = zone_id(tz, utz, &tzlen)) != ZEK_OK)
		return NULL;
	cal = ucal_open(utz, tzlen, "en_US_POSIX", UCAL_GREGORIAN, &st);
	if (U_FAILURE(st))
		return NULL;
	z = &c->zone[c->next_zone++ % TIME_ZONE_SLOTS];
	if (z->cal != NULL)
		ucal_close(z->cal);
	memset(z, 0, sizeof(*z));
	str_lcpy(z->tz, tz, sizeof(z->tz)); /* zone_id() bounded its length */
	z->cal = cal;
	return z;
}

/* The zone's offset from UTC at ms, remembering the span between the
 * zone's transitions around it. */
static int
zone_offset(struct zone_slot *z, int64_t ms, int32_t *offset)
{
	UErrorCode st = U_ZERO_ERROR;
	struct span *sp;
	UDate t;
	int64_t from, to;
	int32_t off;
	unsigned i;

	for (i = 0; i < z->nspan; i++) {
		if (ms >= z->span[i].from && ms < z->span[i].to) {
			*offset = z->span[i].offset;
			return ZEK_OK;
		}
	}
	ucal_setMillis(z->cal, (UDate)ms, &st);
	off = ucal_get(z->cal, UCAL_ZONE_OFFSET, &st);
	off += ucal_get(z->cal, UCAL_DST_OFFSET, &st);
	if (U_FAILURE(st))
		return icu_rc(st);
	from = ms;
	to = ms + 1;
	if (ucal_getTimeZoneTransitionDate(z->cal,
	        UCAL_TZ_TRANSITION_PREVIOUS_INCLUSIVE, &t, &st) &&
	    U_SUCCESS(st) && t <= (UDate)ms)
		from = (int64_t)t;
	else if (U_SUCCESS(st))
		from = INT64_MIN;
	st = U_ZERO_ERROR;
	if (ucal_getTimeZoneTransitionDate(z->cal, UCAL_TZ_TRANSITION_NEXT, &t,
	        &st) &&
	    U_SUCCESS(st) && t > (UDate)ms)
		to = (int64_t)t;
	else if (U_SUCCESS(st))
		to = INT64_MAX;
	if (U_FAILURE(st) || from > ms || to <= ms) {
		from = ms; /* good for this instant only */
		to = ms + 1;
	}
	sp = &z->span[z->next_span++ % TIME_SPAN_SLOTS];
	if (z->nspan < TIME_SPAN_SLOTS)
		z->nspan++;
	*sp = (struct span){ .from = from, .to = to, .offset = off };
	*offset = off;
	return ZEK_OK;
}

/* Proleptic Gregorian date of a day count from 1970-01-01. */
static void
civil_date(int64_t days, int *y, int *m, int *d)
{
	int64_t era, yy;
	unsigned doe, yoe, doy, mp;

	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = (unsigned)(days - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	yy = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yy + (*m <= 2));
}

/* Appends v as exactly `width` decimal digits (v < 10^width). */
static char *
put_digits(char *p, int v, int width)
{
	int i;

	for (i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
	return p + width;
}

/* The fixed patterns written by hand, for a local time whose offset from
 * UTC is whole minutes; the text is what ICU writes for those patterns
 * (the unit test compares both). b has room for 64 bytes. Returns the
 * length. */
static size_t
format_fast(int64_t ms, int32_t offset, enum time_style style, char *b)
{
	int64_t local = ms + offset, days, rest;
	int y, mo, d, h, mi, sec, off;
	char *p = b;
	size_t k;

	days = local >= 0 ? local / MS_PER_DAY :
	                    -((-local + MS_PER_DAY - 1) / MS_PER_DAY);
	rest = local - days * MS_PER_DAY;
	civil_date(days, &y, &mo, &d);
	h = (int)(rest / 3600000);
	mi = (int)(rest / 60000 % 60);
	sec = (int)(rest / 1000 % 60);
	switch (style) {
	case STYLE_DE: /* dd.MM.yyyy, HH:mm */
		p = put_digits(p, d, 2);
		*p++ = '.';
		p = put_digits(p, mo, 2);
		*p++ = '.';
		p = put_digits(p, y, 4);
		*p++ = ',';
		*p++ = ' ';
		break;
	case STYLE_EN: /* d MMM yyyy, HH:mm */
		p = put_digits(p, d, d >= 10 ? 2 : 1);
		*p++ = ' ';
		k = strlen(month_en[mo - 1]);
		memcpy(p, month_en[mo - 1], k);
		p += k;
		*p++ = ' ';
		p = put_digits(p, y, 4);
		*p++ = ',';
		*p++ = ' ';
		break;
	default: /* yyyy-MM-dd'T' */
		p = put_digits(p, y, 4);
		*p++ = '-';
		p = put_digits(p, mo, 2);
		*p++ = '-';
		p = put_digits(p, d, 2);
		*p++ = 'T';
		break;
	}
	p = put_digits(p, h, 2); /* HH:mm */
	*p++ = ':';
	p = put_digits(p, mi, 2);
	if (style == STYLE_ISO) { /* :ssxxx */
		*p++ = ':';
		p = put_digits(p, sec, 2);
		*p++ = offset < 0 ? '-' : '+';
		off = offset < 0 ? -offset : offset;
		p = put_digits(p, off / 3600000, 2);
		*p++ = ':';
		p = put_digits(p, off / 60000 % 60, 2);
	}
	*p = '\0';
	return (size_t)(p - b);
}

/* Formats ms in zone tz with one of the fixed styles: by hand from the
 * zone's offset when this thread's cache can say it, else with ICU. */
static int
format_style(int64_t ms, const char *tz, enum time_style style, char *out,
    size_t n)
{
	struct fmt_cache *c;
	struct zone_slot *z;
	char b[64];
	int32_t offset;
	size_t len;
	int rc = ZEK_OK;

	if (n > 0)
		out[0] = '\0';
	if (ms < TIME_MIN_MS || ms > TIME_MAX_MS)
		return ZEK_INVALID;
	c = cache_get();
	z = c != NULL && (style != STYLE_EN || month_en_ok) ?
	    zone_get(c, tz, &rc) :
	    NULL;
	if (z == NULL)
		return rc == ZEK_INVALID ? rc :
		                           format_icu(ms, tz, style, out, n);
	if (n == 0 || n > INT32_MAX)
		return ZEK_TOOBIG;
	rc = zone_offset(z, ms, &offset);
	/* Offsets of a few seconds (local mean time before 1900) and
	 * more than a day are ICU's. */
	if (rc != ZEK_OK || offset % 60000 != 0 || offset <= -MS_PER_DAY ||
	    offset >= MS_PER_DAY)
		return format_icu(ms, tz, style, out, n);
	len = format_fast(ms, offset, style, b);
	if (len >= n)
		return ZEK_TOOBIG;
	memcpy(out, b, len + 1);
	return ZEK_OK;
}

int
time_format(int64_t ms, const char *tz, const char *lang, char *out, size_t n)
{
	enum time_style style = STYLE_DE;

	if (lang != NULL && strcmp(lang, time_styles[STYLE_EN].lang) == 0)
		style = STYLE_EN;
	return format_style(ms, tz, style, out, n);
}

int
time_format_iso(int64_t ms, const char *tz, char *out, size_t n)
{
	return format_style(ms, tz, STYLE_ISO, out, n);
}

int
time_format_input(int64_t ms, const char *tz, char *out, size_t n)
{
	return format_style(ms, tz, STYLE_INPUT, out, n);
}

/* Reads exactly `len` ASCII digits. */
static int
digits(const char *s, size_t len)
{
	int v = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int
days_in_month(int y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
		31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

int
time_parse_input(const char *s, const char *tz, int64_t *ms)
{
	UChar utz[TIME_MAX_TZ];
	UErrorCode st = U_ZERO_ERROR;
	UCalendar *cal = NULL;
	int32_t tzlen;
	int y, mo, d, h, mi, sec = 0, rc;
	size_t n;
	UDate t;

	if (s == NULL || ((n = strlen(s)) != 16 && n != 19))
		return ZEK_INVALID;
	if (s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    (n == 19 && s[16] != ':'))
		return ZEK_INVALID;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	if (n == 19)
		sec = digits(s + 17, 2);
	if (y < 1583 || y > 9999 || mo < 1 || mo > 12 || d < 1 ||
	    d > days_in_month(y, mo) || h < 0 || h > 23 || mi < 0 || mi > 59 ||
	    sec < 0 || sec > 59)
		return ZEK_INVALID;
	if ((rc = zone_id(tz, utz, &tzlen)) != ZEK_OK)
		return rc;
	cal = ucal_open(utz, tzlen, "en_US_POSIX", UCAL_GREGORIAN, &st);
	if (U_FAILURE(st)) {
		rc = icu_rc(st);
		goto out;
	}
	ucal_setAttribute(cal, UCAL_REPEATED_WALL_TIME, UCAL_WALLTIME_FIRST);
	ucal_setAttribute(cal, UCAL_SKIPPED_WALL_TIME, UCAL_WALLTIME_LAST);
	ucal_clear(cal);
	ucal_setDateTime(cal, y, mo - 1, d, h, mi, sec, &st);
	t = ucal_getMillis(cal, &st);
	if (U_FAILURE(st)) {
		rc = icu_rc(st);
		goto out;
	}
	if ((int64_t)t < TIME_MIN_MS || (int64_t)t > TIME_MAX_MS) {
		rc = ZEK_INVALID;
		goto out;
	}
	*ms = (int64_t)t;
out:
	if (cal != NULL)
		ucal_close(cal);
	return rc;
}

static int
cmp_str(const void *x, const void *y)
{
	return strcmp(*(const char *const *)x, *(const char *const *)y);
}

int
time_zone_list(struct arena *a, const char ***out, size_t *n)
{
	UErrorCode st = U_ZERO_ERROR;
	UEnumeration *en;
	const char **list;
	const char *id;
	int32_t count, len;
	int rc = ZEK_OK;

	*out = NULL;
	*n = 0;
	en = ucal_openTimeZoneIDEnumeration(UCAL_ZONE_TYPE_CANONICAL_LOCATION,
	    NULL, NULL, &st);
	if (U_FAILURE(st))
		return icu_rc(st);
	count = uenum_count(en, &st);
	if (U_FAILURE(st) || count < 0 || count > TIME_MAX_ZONES) {
		rc = U_FAILURE(st) ? icu_rc(st) : ZEK_IO;
		goto out;
	}
	list = arena_calloc(a, (size_t)count + 1, sizeof(*list));
	if (list == NULL) {
		rc = ZEK_NOMEM;
		goto out;
	}
	while (*n < (size_t)count && (id = uenum_next(en, &len, &st)) != NULL &&
	    U_SUCCESS(st)) {
		if ((list[*n] = arena_strndup(a, id, (size_t)len)) == NULL) {
			rc = ZEK_NOMEM;
			goto out;
		}
		(*n)++;
	}
	if (U_FAILURE(st)) {
		rc = icu_rc(st);
		goto out;
	}
	qsort(list, *n, sizeof(*list), cmp_str);
	*out = list;
out:
	if (rc != ZEK_OK)
		*n = 0;
	uenum_close(en);
	return rc;
}

/* CLDR, and so ICU 72, keeps zones by their first IANA names; IANA has
 * renamed these since (its "backward" links). The picker shows and stores
 * the current name, which ICU knows as an alias. */
static const struct {
	const char *cldr, *iana;
} zone_renames[] = {
	{ "Africa/Asmera", "Africa/Asmara" },
	{ "America/Buenos_Aires", "America/Argentina/Buenos_Aires" },
	{ "America/Catamarca", "America/Argentina/Catamarca" },
	{ "America/Coral_Harbour", "America/Atikokan" },
	{ "America/Cordoba", "America/Argentina/Cordoba" },
	{ "America/Godthab", "America/Nuuk" },
	{ "America/Indianapolis", "America/Indiana/Indianapolis" },
	{ "America/Jujuy", "America/Argentina/Jujuy" },
	{ "America/Louisville", "America/Kentucky/Louisville" },
	{ "America/Mendoza", "America/Argentina/Mendoza" },
	{ "Asia/Calcutta", "Asia/Kolkata" },
	{ "Asia/Katmandu", "Asia/Kathmandu" },
	{ "Asia/Rangoon", "Asia/Yangon" },
	{ "Asia/Saigon", "Asia/Ho_Chi_Minh" },
	{ "Atlantic/Faeroe", "Atlantic/Faroe" },
	{ "Europe/Kiev", "Europe/Kyiv" },
	{ "Pacific/Enderbury", "Pacific/Kanton" },
	{ "Pacific/Ponape", "Pacific/Pohnpei" },
	{ "Pacific/Truk", "Pacific/Chuuk" },
};

const char *
time_zone_current_name(const char *id)
{
	size_t i;

	for (i = 0; id != NULL && i < ZEK_ARRAY_LEN(zone_renames); i++)
		if (str_eq(id, zone_renames[i].cldr))
			return zone_renames[i].iana;
	return id;
}

/* The zone's offset from UTC without daylight saving, in ms. */
static int
zone_raw_offset(const char *id, int32_t *out)
{
	UChar uid[TIME_MAX_TZ];
	UErrorCode st = U_ZERO_ERROR;
	UCalendar *cal;

	u_uastrncpy(uid, id, TIME_MAX_TZ);
	cal = ucal_open(uid, -1, "en_US_POSIX", UCAL_GREGORIAN, &st);
	if (U_SUCCESS(st))
		*out = ucal_get(cal, UCAL_ZONE_OFFSET, &st);
	ucal_close(cal);
	return U_SUCCESS(st) ? ZEK_OK : icu_rc(st);
}

static int
cmp_entry(const void *x, const void *y)
{
	const struct time_zone_entry *a = x, *b = y;
	int c;

	if (a->raw_offset_ms != b->raw_offset_ms)
		return a->raw_offset_ms < b->raw_offset_ms ? -1 : 1;
	c = strcmp(a->city, b->city);
	return c != 0 ? c : strcmp(a->id, b->id);
}

/* The picker's list, made once per process: opening a calendar for each
 * of some 430 zones costs milliseconds, and raw offsets only change with
 * ICU's data, which is read at start. */
static struct {
	pthread_once_t once;
	struct time_zone_entry *entries;
	size_t n;
	int rc;
} picker = { .once = PTHREAD_ONCE_INIT };

/* "America/Argentina/Buenos_Aires" is "Buenos Aires". */
static char *
zone_city(const char *id)
{
	const char *slash = strrchr(id, '/');
	char *c = strdup(slash != NULL ? slash + 1 : id), *p;

	for (p = c; p != NULL && *p != '\0'; p++)
		if (*p == '_')
			*p = ' ';
	return c;
}

static void
picker_make(void)
{
	struct arena *a = arena_new(0);
	struct time_zone_entry *e;
	const char **ids;
	size_t i, n = 0;

	picker.rc = a != NULL ? time_zone_list(a, &ids, &n) : ZEK_NOMEM;
	e = picker.rc == ZEK_OK ? calloc(n + 1, sizeof(*e)) : NULL;
	if (picker.rc == ZEK_OK && e == NULL)
		picker.rc = ZEK_NOMEM;
	for (i = 0; picker.rc == ZEK_OK && i < n; i++) {
		e[i].id = strdup(time_zone_current_name(ids[i]));
		e[i].city = e[i].id != NULL ? zone_city(e[i].id) : NULL;
		if (e[i].id == NULL || e[i].city == NULL)
			picker.rc = ZEK_NOMEM;
		else
			picker.rc = zone_raw_offset(e[i].id,
			    &e[i].raw_offset_ms);
	}
	arena_free(a);
	if (picker.rc != ZEK_OK) {
		for (i = 0; e != NULL && i < n; i++) {
			free((char *)e[i].id);
			free((char *)e[i].city);
		}
		free(e);
		return;
	}
	qsort(e, n, sizeof(*e), cmp_entry);
	picker.entries = e;
	picker.n = n;
}

int
time_zone_picker(const struct time_zone_entry **out, size_t *n)
{
	pthread_once(&picker.once, picker_make);
	*out = picker.entries;
	*n = picker.rc == ZEK_OK ? picker.n : 0;
	return picker.rc;
}

int64_t
time_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}
