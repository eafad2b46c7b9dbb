/* admin_calendar.c: the business calendar of the service levels,
 * /servicedesk/admin/calendar ("Geschäftszeiten"): working days and hours,
 * the zone, the Bundesland whose public holidays count, extra closed days,
 * and the public holidays of this year and the next to check them by.
 * Admins only; everyone else gets 404, as core answers them. */
#include "web/admin_page.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/admin.h"
#include "core/business_calendar.h"
#include "core/users.h"
#include "core/validate.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "render/time.h"

#define CALENDAR_URL WEB_ADMIN "calendar"
#define CLOSED_URL CALENDAR_URL "/closed"

static json_t *state_choices(struct req *rq, const void *data);
static json_t *zone_choices(struct req *rq, const void *data);

static const struct control day_controls[] = {
	{ "mon", "admin_calendar_mon", NULL, CONTROL_CHECKBOX, 0, false, NULL,
	    false },
	{ "tue", "admin_calendar_tue", NULL, CONTROL_CHECKBOX, 0, false, NULL,
	    false },
	{ "wed", "admin_calendar_wed", NULL, CONTROL_CHECKBOX, 0, false, NULL,
	    false },
	{ "thu", "admin_calendar_thu", NULL, CONTROL_CHECKBOX, 0, false, NULL,
	    false },
	{ "fri", "admin_calendar_fri", NULL, CONTROL_CHECKBOX, 0, false, NULL,
	    false },
	{ "sat", "admin_calendar_sat", NULL, CONTROL_CHECKBOX, 0, false, NULL,
	    false },
	{ "sun", "admin_calendar_sun", NULL, CONTROL_CHECKBOX, 0, false, NULL,
	    false },
};

static const struct control hour_controls[] = {
	{ "start", "admin_calendar_start", "admin_calendar_time_help",
	    CONTROL_TIME, 0, true, NULL, false },
	{ "end", "admin_calendar_end", "admin_calendar_end_help", CONTROL_TIME,
	    0, true, NULL, false },
	{ "tz", "admin_calendar_tz", "admin_calendar_tz_help", CONTROL_SELECT,
	    0, true, zone_choices, false },
};

static const struct control state_controls[] = {
	{ "state", "admin_calendar_state", "admin_calendar_state_help",
	    CONTROL_SELECT, 0, true, state_choices, false },
};

static const struct control_group calendar_form[] = {
	{ "admin_calendar_days", day_controls, ZEK_ARRAY_LEN(day_controls) },
	{ "admin_calendar_hours", hour_controls, ZEK_ARRAY_LEN(hour_controls) },
	{ "admin_calendar_holidays", state_controls,
	    ZEK_ARRAY_LEN(state_controls) },
};

static const struct control closed_controls[] = {
	{ "date", "admin_calendar_date", "admin_calendar_date_help",
	    CONTROL_DATE, 0, true, NULL, false },
	{ "name", "admin_calendar_closed_name",
	    "admin_calendar_closed_name_help", CONTROL_TEXT,
	    CALENDAR_CLOSED_NAME_MAX, false, NULL, false },
	{ "yearly", "admin_calendar_yearly", "admin_calendar_yearly_help",
	    CONTROL_CHECKBOX, 0, false, NULL, false },
};

static const struct control_group closed_form[] = {
	{ NULL, closed_controls, ZEK_ARRAY_LEN(closed_controls) },
};

/* The name of Bundesland i of calendar_states ("Bayern"). */
static const char *
state_label(struct req *rq, size_t i)
{
	return web_t(rq,
	    arena_printf(rq->arena, "calendar_state_%s",
	        calendar_states[i] + 3));
}

/* A Bundesland's name, or "federal holidays only" for "". */
static const char *
state_name(struct req *rq, const char *state)
{
	size_t i;

	if (str_empty(state))
		return web_t(rq, "admin_calendar_state_none");
	for (i = 0; i < CALENDAR_STATES; i++)
		if (str_eq(state, calendar_states[i]))
			return state_label(rq, i);
	return state;
}

static json_t *
state_choices(struct req *rq, const void *data)
{
	json_t *arr = json_array();
	size_t i;

	(void)data;
	json_array_append_new(arr,
	    ctx_pack("{s:s, s:s}", "value", "", "label", state_name(rq, "")));
	for (i = 0; i < CALENDAR_STATES; i++)
		json_array_append_new(arr,
		    ctx_pack("{s:s, s:s}", "value", calendar_states[i], "label",
		        state_label(rq, i)));
	return arr;
}

/* The profile's zone picker as a select's choices; each zone once (the
 * picker has Europe/Berlin first as the default, and again in its place
 * among the others). */
static json_t *
zone_choices(struct req *rq, const void *data)
{
	json_t *zones = web_zone_options(rq, ""), *arr = json_array(), *z;
	const char *code;
	size_t i;

	(void)data;
	json_array_foreach(zones, i, z) {
		code = json_string_value(json_object_get(z, "code"));
		if (i > 0 && str_eq(code, TIME_DEFAULT_ZONE))
			continue;
		json_array_append_new(arr,
		    ctx_pack("{s:s, s:s}", "value", code, "label",
		        json_string_value(json_object_get(z, "text"))));
	}
	json_decref(zones);
	return arr;
}

static const char *
calendar_value(struct req *rq, const void *stored, const char *field)
{
	const struct admin_calendar *a = stored;
	char buf[6];
	size_t i;

	for (i = 0; i < 7; i++)
		if (str_eq(field, calendar_day_fields[i]))
			return a->cal.weekdays & (1u << i) ? "on" : "";
	if (str_eq(field, "start") || str_eq(field, "end")) {
		calendar_minute_text(str_eq(field, "start") ?
		        a->cal.start_minute :
		        a->cal.end_minute,
		    buf);
		return arena_strdup(rq->arena, buf);
	}
	return str_eq(field, "state") ? a->cal.state : a->cal.tz;
}

/* A date as people of the viewer's language read it: "24.12.2026",
 * "2026-12-24"; a yearly one without its year. */
static const char *
date_text(struct req *rq, int year, int month, int day)
{
	const char *date;

	if (year == 0) {
		date = str_eq(rq->lang, "en") ?
		    arena_printf(rq->arena, "%02d-%02d", month, day) :
		    arena_printf(rq->arena, "%02d.%02d.", day, month);
		return http_fmt1(rq, "admin_calendar_every_year", "date", date);
	}
	return str_eq(rq->lang, "en") ?
	    arena_printf(rq->arena, "%04d-%02d-%02d", year, month, day) :
	    arena_printf(rq->arena, "%02d.%02d.%04d", day, month, year);
}

static json_t *
closed_rows(struct req *rq, const struct admin_calendar *a)
{
	json_t *arr = json_array();
	const char *date;
	size_t i;

	for (i = 0; arr != NULL && i < a->nclosed; i++) {
		const struct admin_closed_day *c = &a->closed[i];

		date = date_text(rq, c->year, c->month, c->mday);
		json_array_append_new(arr,
		    ctx_pack("{s:s, s:s, s:s, s:s}", "date", date, "iso",
		        c->year == 0 ? arena_printf(rq->arena, "--%02d-%02d",
		                           c->month, c->mday) :
		                       arena_printf(rq->arena, "%04d-%02d-%02d",
		                           c->year, c->month, c->mday),
		        "name", c->name, "action",
		        arena_printf(rq->arena,
		            CLOSED_URL "/%" PRId64 "/delete", c->day)));
	}
	return arr;
}

/* The public holidays of this year and the next, a table each. */
static json_t *
holiday_years(struct req *rq, const struct admin_calendar *a)
{
	json_t *arr = json_array(), *rows;
	char year[8];
	size_t k, i;

	for (k = 0; arr != NULL && k < 2; k++) {
		rows = json_array();
		for (i = 0; rows != NULL && i < a->nholidays[k]; i++) {
			const struct calendar_holiday_day
			    *h = &a->holidays[k][i];

			json_array_append_new(rows,
			    ctx_pack("{s:s, s:s, s:s}", "date",
			        date_text(rq, a->years[k], h->month, h->day),
			        "iso",
			        arena_printf(rq->arena, "%04d-%02d-%02d",
			            a->years[k], h->month, h->day),
			        "name", h->name));
		}
		snprintf(year, sizeof(year), "%d", a->years[k]);
		json_array_append_new(arr,
		    ctx_pack("{s:s, s:o}", "caption",
		        str_empty(a->cal.state) ?
		            http_fmt1(rq, "admin_calendar_holidays_federal",
		                "year", year) :
		            http_fmt(rq, "admin_calendar_holidays_of",
		                (const char *const[]){ "year", "state" },
		                (const char *const[]){ year,
		                    state_name(rq, a->cal.state) },
		                2),
		        "rows", rows));
	}
	return arr;
}

/* Which form came back, with its errors. */
struct calendar_sent {
	unsigned status; /* 200, 409 or 422 */
	bool closed;     /* the closed day's form, else the hours' */
	const struct field_error *errs;
	size_t nerrs;
};

static int
calendar_page(struct req *rq, const struct calendar_sent *s)
{
	static const struct admin_calendar blank;
	struct admin_calendar *a = arena_calloc(rq->arena, 1, sizeof(*a));
	bool hours_back = s->status != 200 && !s->closed;
	struct admin_form hf = {
		.prefix = "a-",
		.groups = calendar_form,
		.ngroups = ZEK_ARRAY_LEN(calendar_form),
		.value = calendar_value,
		.action = CALENDAR_URL,
		.conflict = s->status == 409,
		.submit = "admin_save",
		.cancel_href = CALENDAR_URL,
	};
	struct admin_form cf = {
		.prefix = "c-",
		.groups = closed_form,
		.ngroups = ZEK_ARRAY_LEN(closed_form),
		.value = admin_blank_value,
		.action = CLOSED_URL,
		.submit = "admin_calendar_closed_add",
	};
	json_t *page;
	int rc;

	if (a == NULL)
		return ZEK_NOMEM;
	rc = core_admin_calendar(&rq->ctx, rq->user, a);
	if (rc != ZEK_OK)
		return rc;
	hf.version = cf.version = a->version;
	/* The form that came back shows what was typed; the other one
	 * what is stored. */
	hf.stored = hours_back ? NULL : a;
	if (hours_back) {
		hf.errs = s->errs;
		hf.nerrs = s->nerrs;
	}
	cf.stored = s->closed ? NULL : &blank;
	if (s->closed) {
		cf.errs = s->errs;
		cf.nerrs = s->nerrs;
	}
	page = web_page_ctx(rq, "admin_calendar");
	if (page == NULL)
		return ZEK_NOMEM;
	json_object_set_new(page, "form", admin_page_form(rq, &hf));
	json_object_set_new(page, "closed_form", admin_page_form(rq, &cf));
	json_object_set_new(page, "saved", json_boolean(a->saved));
	json_object_set_new(page, "closed", closed_rows(rq, a));
	json_object_set_new(page, "has_closed", json_boolean(a->nclosed > 0));
	json_object_set_new(page, "holiday_years", holiday_years(rq, a));
	return admin_page_render(rq, s->status, "admin/calendar", page, NULL,
	    0);
}

/* GET /servicedesk/admin/calendar */
int
web_admin_calendar(struct req *rq)
{
	struct calendar_sent s = { .status = 200 };

	return calendar_page(rq, &s);
}

/* POST /servicedesk/admin/calendar: version, mon ... sun, start, end,
 * tz, state */
int
web_admin_calendar_save(struct req *rq)
{
	struct field_error errs[ADMIN_MAX_ERRORS];
	struct admin_calendar_form f = {
		.version = req_form(rq, "version"),
		.start = req_form(rq, "start"),
		.end = req_form(rq, "end"),
		.state = req_form(rq, "state"),
		.tz = req_form(rq, "tz"),
	};
	struct calendar_sent s = { .errs = errs };
	size_t i;
	int rc;

	if (!admin_page_allowed(rq))
		return ZEK_NOTFOUND;
	for (i = 0; i < 7; i++) {
		rc = admin_page_checkbox(rq, calendar_day_fields[i]);
		if (rc < 0)
			return ZEK_INVALID;
		f.days[i] = rc > 0 ? "on" : NULL;
	}
	rc = core_admin_calendar_save(&rq->ctx, rq->user, &f, errs, &s.nerrs);
	if (rc == ZEK_INVALID || rc == ZEK_CONFLICT) {
		s.status = rc == ZEK_INVALID ? 422 : 409;
		return calendar_page(rq, &s);
	}
	if (rc != ZEK_OK)
		return rc;
	return admin_page_redirect(rq, CALENDAR_URL, "saved");
}

/* POST /servicedesk/admin/calendar/closed: date, name, yearly */
int
web_admin_closed_day_add(struct req *rq)
{
	struct field_error errs[ADMIN_MAX_ERRORS];
	struct admin_closed_day_form f = {
		.date = req_form(rq, "date"),
		.name = req_form(rq, "name"),
		.yearly = req_form(rq, "yearly"),
	};
	struct calendar_sent s = { .status = 422,
		.closed = true,
		.errs = errs };
	int rc;

	if (!admin_page_allowed(rq))
		return ZEK_NOTFOUND;
	if (admin_page_checkbox(rq, "yearly") < 0)
		return ZEK_INVALID;
	rc = core_admin_closed_day_add(&rq->ctx, rq->user, &f, errs, &s.nerrs);
	if (rc == ZEK_INVALID && s.nerrs > 0)
		return calendar_page(rq, &s);
	if (rc != ZEK_OK)
		return rc;
	return admin_page_redirect(rq, CALENDAR_URL, "closed_day_added");
}

/* POST /servicedesk/admin/calendar/closed/{day}/delete */
int
web_admin_closed_day_delete(struct req *rq)
{
	int64_t day = web_param_id(rq, "day");
	int rc;

	if (!admin_page_allowed(rq) || day == 0)
		return ZEK_NOTFOUND;
	rc = core_admin_closed_day_delete(&rq->ctx, rq->user, day);
	if (rc != ZEK_OK)
		return rc;
	return admin_page_redirect(rq, CALENDAR_URL, "closed_day_deleted");
}

/* ---- the record of changes ---- */

/* "" is "(leer)" but for the Bundesland, where it means federal only. */
const char *
admin_calendar_history_value(struct req *rq, const char *subject,
    const char *value)
{
	const char *out = "";
	size_t i;

	if (str_eq(subject, "calendar_state"))
		return state_name(rq, value);
	if (str_empty(value))
		return web_t(rq, "admin_value_empty");
	if (!str_eq(subject, "calendar_days"))
		return value;
	/* "1,2,3,4,5" (ISO weekday numbers) as "Mo, Di, Mi, Do, Fr". */
	for (i = 0; out != NULL && value[i] != '\0'; i++)
		if (value[i] >= '1' && value[i] <= '7')
			out = arena_printf(rq->arena, "%s%s%s", out,
			    *out != '\0' ? ", " : "",
			    web_t(rq,
			        arena_printf(rq->arena,
			            "admin_calendar_%s_short",
			            calendar_day_fields[value[i] - '1'])));
	return out != NULL ? out : value;
}
