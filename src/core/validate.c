/* validate.c: per-kind checks of submitted field values, and local date-times. */
#include "core/validate.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unicode/ucal.h>
#include <unicode/ustring.h>

#include "core/fields.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "store/store.h"

#define TZ_MAX 64

static enum zek_rc
fail(struct field_error *err, const struct field *f, const char *key,
    int64_t max)
{
	*err = (struct field_error){ .field = f->key, .key = key, .max = max };
	return ZEK_INVALID;
}

/* ---- time zones and local date-times ---- */

static bool
tz_to_uchar(const char *tz, UChar *u, int32_t cap)
{
	UErrorCode e = U_ZERO_ERROR;
	size_t i, n;

	if (tz == NULL)
		return false;
	n = strlen(tz);
	if (n == 0 || n > TZ_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)tz[i]) &&
		    strchr("/_-+", tz[i]) == NULL)
			return false;
	u_strFromUTF8(u, cap, NULL, tz, (int32_t)n, &e);
	return U_SUCCESS(e);
}

bool
core_tz_valid(const char *tz)
{
	UChar u[TZ_MAX + 1], canon[TZ_MAX * 2];
	UErrorCode e = U_ZERO_ERROR;
	UBool is_system = 0;

	if (!tz_to_uchar(tz, u, TZ_MAX + 1))
		return false;
	ucal_getCanonicalTimeZoneID(u, -1, canon, TZ_MAX * 2, &is_system, &e);
	return U_SUCCESS(e) && is_system;
}

/* Reads exactly `n` digits. */
static bool
digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return false;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return true;
}

static int
days_in_month(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

enum zek_rc
core_parse_local_datetime(const char *text, const char *tz, int64_t *out)
{
	UChar utz[TZ_MAX + 1];
	UErrorCode e = U_ZERO_ERROR;
	UCalendar *cal;
	UDate ms;
	int y, mo, d, h, mi, s = 0;
	size_t n;

	if (text == NULL || !core_tz_valid(tz) ||
	    !tz_to_uchar(tz, utz, TZ_MAX + 1))
		return ZEK_INVALID;
	n = strlen(text);
	if (n != 16 && n != 19)
		return ZEK_INVALID;
	if (!digits(text, 4, &y) || text[4] != '-' ||
	    !digits(text + 5, 2, &mo) || text[7] != '-' ||
	    !digits(text + 8, 2, &d) || (text[10] != 'T' && text[10] != ' ') ||
	    !digits(text + 11, 2, &h) || text[13] != ':' ||
	    !digits(text + 14, 2, &mi))
		return ZEK_INVALID;
	if (n == 19 && (text[16] != ':' || !digits(text + 17, 2, &s)))
		return ZEK_INVALID;
	if (y < 1900 || y > 2999 || mo < 1 || mo > 12 || d < 1 ||
	    d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 59)
		return ZEK_INVALID;
	cal = ucal_open(utz, -1, "en_US_POSIX", UCAL_GREGORIAN, &e);
	if (U_FAILURE(e))
		return ZEK_INVALID;
	ucal_clear(cal);
	/* A wall time skipped by the daylight-saving switch (02:30 on the
	 * last Sunday of March) is read with the offset before the switch,
	 * so it lands as far after the gap as it was into it (03:30). */
	ucal_setAttribute(cal, UCAL_SKIPPED_WALL_TIME, UCAL_WALLTIME_LAST);
	ucal_setDateTime(cal, y, mo - 1, d, h, mi, s, &e);
	ucal_set(cal, UCAL_MILLISECOND, 0);
	ms = ucal_getMillis(cal, &e);
	ucal_close(cal);
	if (U_FAILURE(e))
		return ZEK_INVALID;
	*out = (int64_t)ms;
	return ZEK_OK;
}

enum zek_rc
core_format_local_datetime(int64_t ms, const char *tz, char out[17])
{
	UChar utz[TZ_MAX + 1];
	UErrorCode e = U_ZERO_ERROR;
	UCalendar *cal;
	char tmp[64];
	int f[5];

	if (!core_tz_valid(tz) || !tz_to_uchar(tz, utz, TZ_MAX + 1))
		return ZEK_INVALID;
	cal = ucal_open(utz, -1, "en_US_POSIX", UCAL_GREGORIAN, &e);
	if (U_FAILURE(e))
		return ZEK_INVALID;
	ucal_setMillis(cal, (UDate)ms, &e);
	f[0] = ucal_get(cal, UCAL_YEAR, &e);
	f[1] = ucal_get(cal, UCAL_MONTH, &e) + 1;
	f[2] = ucal_get(cal, UCAL_DATE, &e);
	f[3] = ucal_get(cal, UCAL_HOUR_OF_DAY, &e);
	f[4] = ucal_get(cal, UCAL_MINUTE, &e);
	ucal_close(cal);
	if (U_FAILURE(e) || f[0] < 0 || f[0] > 9999 || f[1] < 1 || f[1] > 12 ||
	    f[2] < 1 || f[2] > 31 || f[3] < 0 || f[3] > 23 || f[4] < 0 ||
	    f[4] > 59)
		return ZEK_INVALID;
	/* Formatted apart so no field can overflow out[]. */
	if (snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d", f[0], f[1],
	        f[2], f[3], f[4]) != 16)
		return ZEK_INVALID;
	memcpy(out, tmp, 17);
	return ZEK_OK;
}

/* ---- helpers ---- */

/* A trimmed copy in the arena. */
static char *
trimmed(struct zctx *ctx, const char *s)
{
	char *d = arena_strdup(ctx->arena, s);

	return d != NULL ? str_trim(d) : NULL;
}

/* Turns CRLF and lone CR into LF and drops trailing white space. */
static char *
normalise_text(struct zctx *ctx, const char *s)
{
	size_t i, n = strlen(s), o = 0;
	char *d = arena_alloc(ctx->arena, n + 1);

	if (d == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (s[i] == '\r') {
			d[o++] = '\n';
			if (s[i + 1] == '\n')
				i++;
		} else {
			d[o++] = s[i];
		}
	}
	while (o > 0 && isspace((unsigned char)d[o - 1]))
		o--;
	/* All white space means empty. */
	for (i = 0; i < o && isspace((unsigned char)d[i]); i++)
		;
	if (i == o)
		o = 0;
	d[o] = '\0';
	return d;
}

/* The values that are not empty after trimming. */
static size_t
count_filled(const char *const *values, size_t n)
{
	size_t i, j, c = 0;

	for (i = 0; i < n; i++) {
		if (values[i] == NULL)
			continue;
		for (j = 0; values[i][j] != '\0'; j++)
			if (!isspace((unsigned char)values[i][j]))
				break;
		if (values[i][j] != '\0')
			c++;
	}
	return c;
}

static const char *
first_filled(const char *const *values, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		if (values[i] == NULL)
			continue;
		for (j = 0; values[i][j] != '\0'; j++)
			if (!isspace((unsigned char)values[i][j]))
				return values[i];
	}
	return "";
}

/* ---- per kind ---- */

static enum zek_rc
check_text(struct zctx *ctx, const struct field *f, const char *v,
    const char **norm, struct field_error *err)
{
	bool multi = f->kind != FIELD_TEXT && f->kind != FIELD_URL;
	size_t max = f->kind == FIELD_TEXT ? VALIDATE_TEXT_MAX :
	    f->kind == FIELD_URL           ? VALIDATE_URL_MAX :
	                                     VALIDATE_LONGTEXT_MAX;
	char *s;

	if (!utf8_valid(v, strlen(v)))
		return fail(err, f, "err_invalid_utf8", 0);
	s = multi ? normalise_text(ctx, v) : trimmed(ctx, v);
	if (s == NULL)
		return ZEK_NOMEM;
	if (!utf8_clean_text(s, strlen(s), multi))
		return fail(err, f, "err_invalid_chars", 0);
	if (utf8_length(s, strlen(s)) > max)
		return fail(err, f, "err_too_long", (int64_t)max);
	*norm = s;
	return ZEK_OK;
}

/* http(s)://host[:port][/...]: a link a person can follow. */
static bool
url_valid(const char *u)
{
	const char *host, *end, *p;
	size_t hlen;

	if (strncasecmp(u, "http://", 7) == 0)
		host = u + 7;
	else if (strncasecmp(u, "https://", 8) == 0)
		host = u + 8;
	else
		return false;
	for (p = u; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == '\\' || *p == '"' ||
		    *p == '<' || *p == '>')
			return false;
	end = host + strcspn(host, "/?#");
	/* Credentials in links are a phishing trick; no place for them here. */
	if (memchr(host, '@', (size_t)(end - host)) != NULL)
		return false;
	p = memchr(host, ':', (size_t)(end - host));
	if (p != NULL && host[0] != '[') {
		if (p + 1 == end)
			return false;
		for (const char *q = p + 1; q < end; q++)
			if (!isdigit((unsigned char)*q))
				return false;
		hlen = (size_t)(p - host);
	} else {
		hlen = (size_t)(end - host);
	}
	if (hlen == 0 || host[0] == '.' || host[0] == '-')
		return false;
	return true;
}

static enum zek_rc
check_select(const struct field *f, const char *v, const char **norm,
    struct field_error *err)
{
	size_t i;

	for (i = 0; i < f->noptions; i++) {
		if (str_eq(f->options[i].value, v)) {
			*norm = f->options[i].value;
			return ZEK_OK;
		}
	}
	return fail(err, f, "err_invalid_option", 0);
}

static enum zek_rc
check_objects(struct zctx *ctx, const struct field *f,
    const char *const *values, size_t n, struct field_value *out,
    struct field_error *err)
{
	size_t max = f->multiple ? VALIDATE_OBJECTS_MAX : 1;
	struct store_object *o;
	const char **ids;
	enum zek_rc rc;
	int64_t id;
	size_t i, j, cnt = 0;
	char *v;

	ids = arena_calloc(ctx->arena, n > 0 ? n : 1, sizeof(*ids));
	if (ids == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < n; i++) {
		if (values[i] == NULL)
			continue;
		v = trimmed(ctx, values[i]);
		if (v == NULL)
			return ZEK_NOMEM;
		if (*v == '\0')
			continue;
		if (str_to_i64(v, 1, INT64_MAX, &id) != 0)
			return fail(err, f, "err_unknown_object", 0);
		rc = store_object_get(ctx->db, ctx->arena, id, &o);
		/* A retired object stays on the requests that name it but is
		 * no choice for a new value. */
		if (rc == ZEK_NOTFOUND ||
		    (rc == ZEK_OK &&
		        (!str_eq(o->kind, f->object_kind) ||
		            o->retired_at != 0)))
			return fail(err, f, "err_unknown_object", 0);
		if (rc != ZEK_OK)
			return rc;
		for (j = 0; j < cnt; j++)
			if (str_eq(ids[j], v))
				break;
		if (j < cnt)
			continue; /* the same object twice counts once */
		if (cnt == max)
			return fail(err, f,
			    f->multiple ? "err_too_many_values" :
			                  "err_invalid_value",
			    f->multiple ? (int64_t)max : 0);
		ids[cnt++] = v;
	}
	if (cnt == 0 && f->required)
		return fail(err, f, "err_required", 0);
	out->values = ids;
	out->nvalues = cnt;
	return ZEK_OK;
}

/* The one filled value v checked and normalised by kind into *one ("" when
 * nothing is left of it). */
static enum zek_rc
check_single(struct zctx *ctx, const struct field *f, const char *v,
    const char *tz, const char **one, struct field_error *err)
{
	enum zek_rc rc;
	int64_t ms;
	char *s;

	switch (f->kind) {
	case FIELD_TEXT:
	case FIELD_RICHTEXT:
	case FIELD_TEXTAREA:
		return check_text(ctx, f, v, one, err);
	case FIELD_URL:
		rc = check_text(ctx, f, v, one, err);
		if (rc == ZEK_OK && !url_valid(*one))
			rc = fail(err, f, "err_invalid_url", 0);
		return rc;
	case FIELD_SELECT:
		s = trimmed(ctx, v);
		if (s == NULL)
			return ZEK_NOMEM;
		return check_select(f, s, one, err);
	case FIELD_CHECKBOX:
		if (!str_eq(v, "on"))
			return fail(err, f, "err_invalid_value", 0);
		*one = "1";
		return ZEK_OK;
	case FIELD_DATETIME:
		s = trimmed(ctx, v);
		if (s == NULL)
			return ZEK_NOMEM;
		if (core_parse_local_datetime(s, tz, &ms) != ZEK_OK)
			return fail(err, f, "err_invalid_datetime", 0);
		*one = arena_printf(ctx->arena, "%lld", (long long)ms);
		return *one == NULL ? ZEK_NOMEM : ZEK_OK;
	default:
		return fail(err, f, "err_invalid_value", 0);
	}
}

enum zek_rc
core_validate_field(struct zctx *ctx, const struct field *f,
    const char *const *values, size_t nvalues, const char *tz,
    struct field_value *norm, struct field_error *err)
{
	struct field_value tmp = { .key = f->key };
	const char *v, *one = NULL;
	struct field_error e_local;
	enum zek_rc rc;
	char *s;

	if (err == NULL)
		err = &e_local;
	if (norm == NULL)
		norm = &tmp;
	*norm = (struct field_value){ .key = f->key };
	if (values == NULL)
		nvalues = 0;
	if (f->kind == FIELD_ATTACHMENT)
		return ZEK_OK;
	if (f->kind == FIELD_OBJECT)
		return check_objects(ctx, f, values, nvalues, norm, err);
	if (count_filled(values, nvalues) > 1)
		return fail(err, f, "err_invalid_value", 0);
	v = first_filled(values, nvalues);
	if (f->kind == FIELD_SELECT) {
		/* "Keine" is the empty choice, whatever sent it. */
		s = trimmed(ctx, v);
		if (s == NULL)
			return ZEK_NOMEM;
		if (str_eq(s, "Keine"))
			v = "";
	}
	if (*v != '\0') {
		rc = check_single(ctx, f, v, tz, &one, err);
		if (rc != ZEK_OK)
			return rc;
	}
	if (one == NULL || *one == '\0') {
		if (f->required)
			return fail(err, f, "err_required", 0);
		return ZEK_OK;
	}
	norm->values = arena_alloc(ctx->arena, sizeof(*norm->values));
	if (norm->values == NULL)
		return ZEK_NOMEM;
	norm->values[0] = one;
	norm->nvalues = 1;
	return ZEK_OK;
}

static enum zek_rc
text_error(struct field_error *err, const char *key, const char *why,
    int64_t max)
{
	if (err != NULL)
		*err = (struct field_error){ .field = key,
			.key = why,
			.max = max };
	return ZEK_INVALID;
}

enum zek_rc
core_validate_text(struct zctx *ctx, const char *key, int kind, bool required,
    const char *text, size_t max, const char **norm, struct field_error *err)
{
	const struct field f = {
		.key = key,
		.kind = (enum field_kind)kind,
		.label = "",
		.help = "",
		.placeholder = "",
		.required = required,
	};
	const char *values[1] = { text != NULL ? text : "" };
	struct field_value nv;
	struct field_error fe;
	enum zek_rc rc;

	rc = core_validate_field(ctx, &f, values, 1, "UTC", &nv, &fe);
	/* The general limit of a long text is not this one's. */
	if (rc == ZEK_INVALID)
		return text_error(err, key, fe.key,
		    str_eq(fe.key, "err_too_long") ? (int64_t)max : fe.max);
	if (rc != ZEK_OK)
		return rc;
	*norm = nv.nvalues > 0 ? nv.values[0] : "";
	if (utf8_length(*norm, strlen(*norm)) > max)
		return text_error(err, key, "err_too_long", (int64_t)max);
	return ZEK_OK;
}
