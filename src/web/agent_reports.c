/* agent_reports.c: the support team's reports (issue 18): a period and a
 * request type chosen in a form, each table with its chart (SVG drawn
 * here, no script) and as a CSV download. */
#include "web/web.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/calendar.h"
#include "core/reports.h"
#include "core/validate.h"
#include "http/form.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "render/csv.h"

#define REPORTS_URL "/servicedesk/agent/reports"
#define FROM_FIELD "from"
#define TO_FIELD "to"
#define TYPE_FIELD "type"
#define DATE_TEXT_MAX 10 /* "2025-03-17" */
#define CSV_BYTES_MAX (1u << 20)

/* ---- the form ---- */

static const struct web_form_field report_fields[] = {
	{ FROM_FIELD, "r-from", "report_from" },
	{ TO_FIELD, "r-to", "report_to" },
	{ TYPE_FIELD, "r-type", "report_type" },
};

/* What the URL asks for, checked. */
struct report_params {
	struct report_query q;
	const char *from, *to, *type; /* as sent (or the defaults) */
	struct field_error errs[ZEK_ARRAY_LEN(report_fields)];
	size_t nerrs;
	struct report_type *types;
	size_t ntypes;
};

/* "2025-03-17" as a day number; false for anything else. */
static bool
parse_date(const char *s, int64_t *day)
{
	int y, m, d, yy, mm, dd;
	char tail;

	if (strlen(s) != DATE_TEXT_MAX || s[4] != '-' || s[7] != '-' ||
	    sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || y < 1970 ||
	    m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	*day = calendar_day_number(y, m, d);
	calendar_civil_of_day(*day, &yy, &mm, &dd);
	return yy == y && mm == m && dd == d; /* no 31 February */
}

static const char *
date_iso(struct req *rq, int64_t day)
{
	int y, m, d;

	calendar_civil_of_day(day, &y, &m, &d);
	return arena_printf(rq->arena, "%04d-%02d-%02d", y, m, d);
}

/* "17.03.2025" in German, "2025-03-17" in English. */
static const char *
date_text(struct req *rq, int64_t day)
{
	int y, m, d;

	if (!str_eq(rq->lang, "de"))
		return date_iso(rq, day);
	calendar_civil_of_day(day, &y, &m, &d);
	return arena_printf(rq->arena, "%02d.%02d.%04d", d, m, y);
}

static void
param_error(struct report_params *p, const char *field, const char *key,
    int64_t max)
{
	if (p->nerrs < ZEK_ARRAY_LEN(p->errs))
		p->errs[p->nerrs++] = (struct field_error){ .field = field,
			.key = key,
			.max = max };
}

static const char *
query_or(struct req *rq, const char *name, const char *dflt)
{
	const char *v = req_query(rq, name);

	return v == NULL || *v == '\0' ? dflt : v;
}

static void
read_type(struct report_params *p)
{
	size_t i;

	p->q.type_id = 0;
	if (*p->type == '\0')
		return;
	for (i = 0; i < p->ntypes; i++)
		if (str_to_i64(p->type, 1, INT64_MAX, &p->q.type_id) == 0 &&
		    p->types[i].id == p->q.type_id)
			return;
	p->q.type_id = 0;
	param_error(p, TYPE_FIELD, "err_invalid_option", 0);
}

/* The period and type of the URL (the last 12 weeks and every type when
 * not given), each wrong one with its error. */
static int
read_params(struct req *rq, struct report_params *p)
{
	int64_t today, from, to;
	int rc;

	memset(p, 0, sizeof(*p));
	rc = core_report_types(&rq->ctx, rq->user, rq->lang, &p->types,
	    &p->ntypes);
	if (rc == ZEK_OK)
		rc = core_report_today(&rq->ctx, &today);
	if (rc != ZEK_OK)
		return rc;
	report_default_period(today, &from, &to);
	p->from = query_or(rq, FROM_FIELD, date_iso(rq, from));
	p->to = query_or(rq, TO_FIELD, date_iso(rq, to));
	p->type = query_or(rq, TYPE_FIELD, "");
	if (!parse_date(p->from, &p->q.from))
		param_error(p, FROM_FIELD, "err_report_date", 0);
	if (!parse_date(p->to, &p->q.to))
		param_error(p, TO_FIELD, "err_report_date", 0);
	if (p->nerrs == 0 && p->q.to < p->q.from)
		param_error(p, TO_FIELD, "err_report_order", 0);
	else if (p->nerrs == 0 && p->q.to - p->q.from + 1 > REPORT_DAYS_MAX)
		param_error(p, FROM_FIELD, "err_report_range", REPORT_DAYS_MAX);
	read_type(p);
	return ZEK_OK;
}

/* The report URL with the period and type (tail: "" or "/name.csv"). */
static const char *
report_href(struct req *rq, const struct report_params *p, const char *tail)
{
	const char *out = NULL;
	struct buf b;

	buf_init(&b, WEB_LINK_MAX);
	buf_printf(&b, "%s%s?from=%s&to=%s", REPORTS_URL, tail,
	    date_iso(rq, p->q.from), date_iso(rq, p->q.to));
	if (p->q.type_id != 0)
		buf_printf(&b, "&type=%" PRId64, p->q.type_id);
	if (!b.failed)
		out = arena_strdup(rq->arena, b.data);
	buf_free(&b);
	return out;
}

static json_t *
form_json(struct req *rq, const struct report_params *p)
{
	json_t *types = json_array();
	size_t i;

	for (i = 0; i < p->ntypes; i++) {
		const char *id = arena_printf(rq->arena, "%" PRId64,
		    p->types[i].id);

		json_array_append_new(types,
		    ctx_pack("{s:s, s:s, s:b}", "value", id, "label",
		        p->types[i].name, "selected", str_eq(id, p->type)));
	}
	return ctx_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:b}", "action",
	    REPORTS_URL, "from",
	    web_field_json(rq, p->errs, p->nerrs, FROM_FIELD, "r-from",
	        p->from),
	    "to",
	    web_field_json(rq, p->errs, p->nerrs, TO_FIELD, "r-to", p->to),
	    "type",
	    web_field_json(rq, p->errs, p->nerrs, TYPE_FIELD, "r-type",
	        p->type),
	    "types", types, "errors",
	    web_summary_json(rq, p->errs, p->nerrs, report_fields,
	        ZEK_ARRAY_LEN(report_fields)),
	    "has_errors", p->nerrs > 0);
}

/* ---- numbers as text ---- */

static const char *
num(struct req *rq, int64_t n)
{
	return arena_printf(rq->arena, "%" PRId64, n);
}

/* part / whole with `places` decimals (1 or 2), the language's decimal
 * mark; "" when whole is 0. */
static const char *
ratio_text(struct req *rq, int64_t part, int64_t whole, int64_t scale,
    int places)
{
	int64_t unit = places == 2 ? 100 : 10, x;

	if (whole <= 0)
		return "";
	x = (part * scale * unit * 2 + whole) / (2 * whole); /* rounded */
	return arena_printf(rq->arena, "%" PRId64 "%s%0*" PRId64, x / unit,
	    str_eq(rq->lang, "de") ? "," : ".", places, x % unit);
}

static const char *
percent_text(struct req *rq, int64_t part, int64_t whole)
{
	const char *v = ratio_text(rq, part, whole, 100, 1);

	return *v == '\0' ? web_t(rq, "report_none") :
	                    http_fmt1(rq, "report_percent", "n", v);
}

static const char *
median_text(struct req *rq, bool has, int64_t ms)
{
	if (!has)
		return web_t(rq, "report_none");
	if (ms < 60000)
		return web_t(rq, "report_under_minute");
	return web_duration_text(rq, ms);
}

/* ---- charts ---- */

#define CHART_W 640
#define CHART_H 260
#define PLOT_LEFT 48
#define PLOT_TOP 12
#define PLOT_BOTTOM 36   /* room for the labels under the bars */
#define HBAR_LABEL_W 220 /* the names left of horizontal bars */
#define HBAR_ROW 28
#define NAME_SHOWN_MAX 28 /* code points of a name in a chart */

/* The axis' top: 1, 2 or 5 times a power of ten, at least max and 5, so
 * that its five steps are whole numbers. */
static int64_t
nice_max(int64_t max)
{
	int64_t p = 1;

	if (max <= 5)
		return 5;
	for (;;) {
		if (max <= p)
			return p;
		if (max <= 2 * p)
			return 2 * p;
		if (max <= 5 * p)
			return 5 * p;
		p *= 10;
	}
}

static json_t *
chart_frame(struct req *rq, const char *id, const char *title, const char *desc,
    int w, int h)
{
	return ctx_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o}", "id", id,
	    "title", title, "desc", desc, "viewbox",
	    arena_printf(rq->arena, "0 0 %d %d", w, h), "grid", json_array(),
	    "bars", json_array(), "labels", json_array());
}

static void
chart_add(json_t *chart, const char *list, json_t *item)
{
	json_array_append_new(json_object_get(chart, list), item);
}

static void
chart_text(json_t *chart, int x, int y, const char *anchor, const char *text)
{
	chart_add(chart, "labels",
	    ctx_pack("{s:i, s:i, s:s, s:s}", "x", x, "y", y, "anchor", anchor,
	        "text", text));
}

/* Vertical bars: ncat categories of nser series each (values[c * nser +
 * s]), a grid of five steps, every `step`-th category labelled. */
static json_t *
bar_chart(struct req *rq, const char *id, const char *title, const char *desc,
    const int64_t *values, const char *const *labels, size_t ncat, size_t nser)
{
	json_t *chart = chart_frame(rq, id, title, desc, CHART_W, CHART_H);
	int plot_w = CHART_W - PLOT_LEFT - 8,
	    plot_h = CHART_H - PLOT_TOP - PLOT_BOTTOM, slot, bar_w, x, y, h, g;
	size_t c, s, step;
	int64_t max = 0, top;

	for (c = 0; c < ncat * nser; c++)
		max = values[c] > max ? values[c] : max;
	top = nice_max(max);
	for (g = 0; g <= 5; g++) {
		y = PLOT_TOP + plot_h - (int)(plot_h * g / 5);
		chart_add(chart, "grid",
		    ctx_pack("{s:i, s:i, s:i}", "x1", PLOT_LEFT, "x2",
		        CHART_W - 8, "y", y));
		chart_text(chart, PLOT_LEFT - 6, y + 4, "end",
		    num(rq, top * g / 5));
	}
	if (ncat == 0)
		return chart;
	slot = plot_w / (int)ncat;
	bar_w = (slot - 4) / (int)nser;
	bar_w = bar_w < 1 ? 1 : bar_w;
	step = ncat / 12 + 1; /* a dozen labels at most */
	for (c = 0; c < ncat; c++) {
		for (s = 0; s < nser; s++) {
			h = (int)(values[c * nser + s] * plot_h / top);
			x = PLOT_LEFT + (int)c * slot + 2 + (int)s * bar_w;
			chart_add(chart, "bars",
			    ctx_pack("{s:i, s:i, s:i, s:i, "
			             "s:i}",
			        "x", x, "y", PLOT_TOP + plot_h - h, "w", bar_w,
			        "h", h, "series", (int)s + 1));
		}
		if (c % step == 0)
			chart_text(chart, PLOT_LEFT + (int)c * slot + slot / 2,
			    PLOT_TOP + plot_h + 18, "middle", labels[c]);
	}
	return chart;
}

/* A name cut to NAME_SHOWN_MAX code points with "…" (the table beside
 * gives it whole). */
static const char *
short_name(struct req *rq, const char *s)
{
	size_t i = 0, cps = 0;

	while (s[i] != '\0' && cps < NAME_SHOWN_MAX) {
		i++;
		while (((unsigned char)s[i] & 0xC0) == 0x80)
			i++;
		cps++;
	}
	if (s[i] == '\0')
		return s;
	return arena_printf(rq->arena, "%.*s…", (int)i, s);
}

/* Horizontal bars, one per category, its value written after it (text:
 * how; scale: the value of a full bar). */
static json_t *
hbar_chart(struct req *rq, const char *id, const char *title, const char *desc,
    const int64_t *values, const char *const *labels, const char *const *texts,
    size_t n, int64_t scale)
{
	int h = PLOT_TOP * 2 + HBAR_ROW * (int)(n > 0 ? n : 1), w, y;
	int plot_w = CHART_W - HBAR_LABEL_W - 64;
	json_t *chart = chart_frame(rq, id, title, desc, CHART_W, h);
	size_t i;

	for (i = 0; i < n; i++) {
		y = PLOT_TOP + HBAR_ROW * (int)i;
		w = scale > 0 ? (int)(values[i] * plot_w / scale) : 0;
		chart_add(chart, "bars",
		    ctx_pack("{s:i, s:i, s:i, s:i, s:i}", "x", HBAR_LABEL_W,
		        "y", y + 4, "w", w, "h", HBAR_ROW - 8, "series", 1));
		chart_text(chart, HBAR_LABEL_W - 8, y + HBAR_ROW / 2 + 4, "end",
		    short_name(rq, labels[i]));
		chart_text(chart, HBAR_LABEL_W + w + 6, y + HBAR_ROW / 2 + 4,
		    "start", texts[i]);
	}
	return chart;
}

/* ---- the sections ---- */

/* "17.03." (German) or "03-17": a week under its bar. */
static const char *
week_label(struct req *rq, int64_t day)
{
	int y, m, d;

	calendar_civil_of_day(day, &y, &m, &d);
	if (str_eq(rq->lang, "de"))
		return arena_printf(rq->arena, "%02d.%02d.", d, m);
	return arena_printf(rq->arena, "%02d-%02d", m, d);
}

static const char *
span_text(struct req *rq, int64_t from, int64_t to)
{
	return arena_printf(rq->arena, "%s – %s", date_text(rq, from),
	    date_text(rq, to));
}

static json_t *
weeks_json(struct req *rq, const struct report *r)
{
	int64_t *v = arena_calloc(rq->arena, 2 * r->nweeks + 1, sizeof(*v));
	const char **labels = arena_calloc(rq->arena, r->nweeks + 1,
	    sizeof(*labels));
	int64_t created = 0, resolved = 0;
	json_t *rows = json_array();
	size_t i;

	if (v == NULL || labels == NULL)
		return NULL;
	for (i = 0; i < r->nweeks; i++) {
		const struct report_week *w = &r->weeks[i];

		v[2 * i] = w->created;
		v[2 * i + 1] = w->resolved;
		created += w->created;
		resolved += w->resolved;
		labels[i] = week_label(rq, w->from);
		json_array_append_new(rows,
		    ctx_pack("{s:s, s:s, s:s}", "label",
		        span_text(rq, w->from, w->to), "created",
		        num(rq, w->created), "resolved", num(rq, w->resolved)));
	}
	return ctx_pack("{s:o, s:o}", "rows", rows, "chart",
	    bar_chart(rq, "chart-weeks", web_t(rq, "report_weeks_title"),
	        http_fmt(rq, "report_weeks_desc",
	            (const char *[]){ "created", "resolved", "weeks" },
	            (const char *[]){ num(rq, created), num(rq, resolved),
	                num(rq, (int64_t)r->nweeks) },
	            3),
	        v, labels, r->nweeks, 2));
}

static json_t *
backlog_json(struct req *rq, const struct report *r)
{
	int64_t *v = arena_calloc(rq->arena, r->nweeks + 1, sizeof(*v));
	const char **labels = arena_calloc(rq->arena, r->nweeks + 1,
	    sizeof(*labels));
	json_t *rows = json_array();
	int64_t max = 0, last = 0;
	size_t i;

	if (v == NULL || labels == NULL)
		return NULL;
	for (i = 0; i < r->nweeks; i++) {
		const struct report_week *w = &r->weeks[i];

		v[i] = w->open_at_end > 0 ? w->open_at_end : 0;
		max = v[i] > max ? v[i] : max;
		last = w->open_at_end;
		labels[i] = week_label(rq, w->to);
		json_array_append_new(rows,
		    ctx_pack("{s:s, s:s}", "label", date_text(rq, w->to),
		        "open", num(rq, w->open_at_end)));
	}
	return ctx_pack("{s:o, s:o}", "rows", rows, "chart",
	    bar_chart(rq, "chart-backlog", web_t(rq, "report_backlog_title"),
	        http_fmt(rq, "report_backlog_desc",
	            (const char *[]){ "open", "max" },
	            (const char *[]){ num(rq, last), num(rq, max) }, 2),
	        v, labels, r->nweeks, 1));
}

static json_t *
sla_row(struct req *rq, const char *goal_key, int64_t met, int64_t breached)
{
	return ctx_pack("{s:s, s:s, s:s, s:s}", "goal", web_t(rq, goal_key),
	    "met", num(rq, met), "breached", num(rq, breached), "rate",
	    percent_text(rq, met, met + breached));
}

/* Per mille met (0 when nothing was measured), for the bars. */
static int64_t
per_mille(int64_t met, int64_t all)
{
	return all > 0 ? met * 1000 / all : 0;
}

static json_t *
sla_json(struct req *rq, const struct report *r)
{
	const int64_t v[] = { per_mille(r->response_met,
		                  r->response_met + r->response_breached),
		per_mille(r->resolution_met,
		    r->resolution_met + r->resolution_breached) };
	const char *resp = percent_text(rq, r->response_met,
	    r->response_met + r->response_breached);
	const char *res = percent_text(rq, r->resolution_met,
	    r->resolution_met + r->resolution_breached);
	const char *const labels[] = { web_t(rq, "report_goal_response"),
		web_t(rq, "report_goal_resolution") };
	const char *const texts[] = { resp, res };

	return ctx_pack("{s:[o, o], s:o}", "rows",
	    sla_row(rq, "report_goal_response", r->response_met,
	        r->response_breached),
	    sla_row(rq, "report_goal_resolution", r->resolution_met,
	        r->resolution_breached),
	    "chart",
	    hbar_chart(rq, "chart-sla", web_t(rq, "report_sla_title"),
	        http_fmt(rq, "report_sla_desc",
	            (const char *[]){ "response", "resolution" },
	            (const char *[]){ resp, res }, 2),
	        v, labels, texts, 2, 1000));
}

static json_t *
times_json(struct req *rq, const struct report *r)
{
	return ctx_pack("{s:[{s:s, s:s, s:s}, {s:s, s:s, s:s}]}", "rows",
	    "measure", web_t(rq, "report_goal_response"), "median",
	    median_text(rq, r->has_response_median, r->response_median_ms),
	    "count", num(rq, r->response_n), "measure",
	    web_t(rq, "report_goal_resolution"), "median",
	    median_text(rq, r->has_resolution_median, r->resolution_median_ms),
	    "count", num(rq, r->resolution_n));
}

static json_t *
csat_json(struct req *rq, const struct report *r)
{
	const char *labels[REPORT_RATINGS], *counts;
	json_t *rows = json_array();
	size_t i;

	counts = "";
	for (i = 0; i < REPORT_RATINGS; i++) {
		labels[i] = num(rq, (int64_t)i + 1);
		counts = arena_printf(rq->arena, "%s%s%s: %" PRId64, counts,
		    i > 0 ? ", " : "", labels[i], r->ratings[i]);
		json_array_append_new(rows,
		    ctx_pack("{s:s, s:s, s:s}", "score",
		        web_rating_label(rq, (int)i + 1), "count",
		        num(rq, r->ratings[i]), "share",
		        percent_text(rq, r->ratings[i], r->ratings_n)));
	}
	return ctx_pack("{s:b, s:s, s:o, s:o}", "has_ratings", r->ratings_n > 0,
	    "summary",
	    http_fmt(rq, "report_csat_summary", (const char *[]){ "avg", "n" },
	        (const char *[]){
	            ratio_text(rq, r->ratings_sum, r->ratings_n, 1, 2),
	            num(rq, r->ratings_n) },
	        2),
	    "rows", rows, "chart",
	    bar_chart(rq, "chart-csat", web_t(rq, "report_csat_title"),
	        http_fmt1(rq, "report_csat_desc", "counts", counts), r->ratings,
	        labels, REPORT_RATINGS, 1));
}

static const char *
service_name(struct req *rq, const struct report_service *s)
{
	return *s->name != '\0' ? s->name : web_t(rq, "report_service_gone");
}

static json_t *
services_json(struct req *rq, const struct report *r)
{
	int64_t *v = arena_calloc(rq->arena, r->nservices + 1, sizeof(*v));
	const char **labels = arena_calloc(rq->arena, r->nservices + 1,
	    sizeof(*labels));
	const char **texts = arena_calloc(rq->arena, r->nservices + 1,
	    sizeof(*texts));
	const char *types = "";
	json_t *rows = json_array();
	size_t i;

	if (v == NULL || labels == NULL || texts == NULL)
		return NULL;
	for (i = 0; i < r->nservice_types; i++)
		types = arena_printf(rq->arena, "%s%s„%s“", types,
		    i > 0 ? ", " : "", r->service_types[i]);
	for (i = 0; i < r->nservices; i++) {
		v[i] = r->services[i].n;
		labels[i] = service_name(rq, &r->services[i]);
		texts[i] = num(rq, v[i]);
		json_array_append_new(rows,
		    ctx_pack("{s:s, s:s, s:s}", "rank", num(rq, (int64_t)i + 1),
		        "name", labels[i], "count", texts[i]));
	}
	return ctx_pack("{s:b, s:s, s:o, s:o}", "has_rows", r->nservices > 0,
	    "types",
	    http_fmt1(rq,
	        r->nservice_types > 0 ? "report_services_types" :
	                                "report_services_no_types",
	        "types", types),
	    "rows", rows, "chart",
	    hbar_chart(rq, "chart-services", web_t(rq, "report_services_title"),
	        web_t(rq, "report_services_desc"), v, labels, texts,
	        r->nservices, r->nservices > 0 ? v[0] : 1));
}

/* The CSV links of the tables. */
static json_t *
csv_json(struct req *rq, const struct report_params *p)
{
	return ctx_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "weeks",
	    report_href(rq, p, "/weeks.csv"), "backlog",
	    report_href(rq, p, "/backlog.csv"), "sla",
	    report_href(rq, p, "/sla.csv"), "times",
	    report_href(rq, p, "/times.csv"), "csat",
	    report_href(rq, p, "/csat.csv"), "services",
	    report_href(rq, p, "/services.csv"));
}

static const char *
type_name(struct req *rq, const struct report_params *p)
{
	size_t i;

	for (i = 0; i < p->ntypes; i++)
		if (p->types[i].id == p->q.type_id)
			return p->types[i].name;
	return web_t(rq, "report_type_all");
}

static json_t *
report_json(struct req *rq, const struct report_params *p,
    const struct report *r)
{
	return ctx_pack("{s:s, s:b, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
	    "period",
	    http_fmt(rq, "report_period",
	        (const char *[]){ "from", "to", "type" },
	        (const char *[]){ date_text(rq, p->q.from),
	            date_text(rq, p->q.to), type_name(rq, p) },
	        3),
	    "pending", r->pending, "weeks", weeks_json(rq, r), "backlog",
	    backlog_json(rq, r), "sla", sla_json(rq, r), "times",
	    times_json(rq, r), "csat", csat_json(rq, r), "services",
	    services_json(rq, r), "csv", csv_json(rq, p));
}

static int
fail(struct req *rq, int rc)
{
	if (rc == ZEK_NOTFOUND || rc == ZEK_FORBIDDEN)
		return web_fail(rq, 404, ZEK_NOTFOUND);
	return web_fail(rq, http_status_of(rc), rc);
}

/* GET /servicedesk/agent/reports?from=&to=&type= */
int
web_agent_reports(struct req *rq)
{
	struct report_params p;
	struct report *r = NULL;
	json_t *page;
	int rc;

	rc = read_params(rq, &p);
	if (rc == ZEK_OK && p.nerrs == 0)
		rc = core_report_read(&rq->ctx, rq->user, &p.q, rq->lang, &r);
	if (rc != ZEK_OK)
		return fail(rq, rc);
	page = web_page_ctx(rq, "page_reports");
	if (page == NULL)
		return ZEK_NOMEM;
	json_object_set_new(page, "form", form_json(rq, &p));
	if (r != NULL)
		json_object_set_new(page, "report", report_json(rq, &p, r));
	web_breadcrumb(rq, page, web_t(rq, "nav_agent"), WEB_AGENT);
	web_breadcrumb(rq, page, web_t(rq, "page_reports"), NULL);
	return web_render(rq, p.nerrs > 0 ? 400 : 200, "agent/reports", page);
}

/* ---- CSV ---- */

static void
csv_head(struct req *rq, struct buf *csv, const char *const *keys, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		csv_cell(csv, web_t(rq, keys[i]), i == 0);
	csv_row_end(csv);
}

static void
csv_row(struct buf *csv, const char *const *cells, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		csv_cell(csv, cells[i], i == 0);
	csv_row_end(csv);
}

static void
csv_weeks(struct req *rq, const struct report *r, struct buf *csv)
{
	static const char *const head[] = { "report_col_from", "report_col_to",
		"report_col_created", "report_col_resolved" };
	size_t i;

	csv_head(rq, csv, head, ZEK_ARRAY_LEN(head));
	for (i = 0; i < r->nweeks; i++)
		csv_row(csv,
		    (const char *[]){ date_iso(rq, r->weeks[i].from),
		        date_iso(rq, r->weeks[i].to),
		        num(rq, r->weeks[i].created),
		        num(rq, r->weeks[i].resolved) },
		    4);
}

static void
csv_backlog(struct req *rq, const struct report *r, struct buf *csv)
{
	static const char *const head[] = { "report_col_week_end",
		"report_col_open" };
	size_t i;

	csv_head(rq, csv, head, ZEK_ARRAY_LEN(head));
	for (i = 0; i < r->nweeks; i++)
		csv_row(csv,
		    (const char *[]){ date_iso(rq, r->weeks[i].to),
		        num(rq, r->weeks[i].open_at_end) },
		    2);
}

static void
csv_sla(struct req *rq, const struct report *r, struct buf *csv)
{
	static const char *const head[] = { "report_col_goal", "report_col_met",
		"report_col_breached", "report_col_rate_csv" };

	csv_head(rq, csv, head, ZEK_ARRAY_LEN(head));
	csv_row(csv,
	    (const char *[]){ web_t(rq, "report_goal_response"),
	        num(rq, r->response_met), num(rq, r->response_breached),
	        ratio_text(rq, r->response_met,
	            r->response_met + r->response_breached, 100, 1) },
	    4);
	csv_row(csv,
	    (const char *[]){ web_t(rq, "report_goal_resolution"),
	        num(rq, r->resolution_met), num(rq, r->resolution_breached),
	        ratio_text(rq, r->resolution_met,
	            r->resolution_met + r->resolution_breached, 100, 1) },
	    4);
}

static const char *
minutes_or_empty(struct req *rq, bool has, int64_t ms)
{
	return has ? num(rq, ms / 60000) : "";
}

static void
csv_times(struct req *rq, const struct report *r, struct buf *csv)
{
	static const char *const head[] = { "report_col_measure",
		"report_col_median_minutes", "report_col_count" };

	csv_head(rq, csv, head, ZEK_ARRAY_LEN(head));
	csv_row(csv,
	    (const char *[]){ web_t(rq, "report_goal_response"),
	        minutes_or_empty(rq, r->has_response_median,
	            r->response_median_ms),
	        num(rq, r->response_n) },
	    3);
	csv_row(csv,
	    (const char *[]){ web_t(rq, "report_goal_resolution"),
	        minutes_or_empty(rq, r->has_resolution_median,
	            r->resolution_median_ms),
	        num(rq, r->resolution_n) },
	    3);
}

static void
csv_csat(struct req *rq, const struct report *r, struct buf *csv)
{
	static const char *const head[] = { "report_col_score",
		"report_col_count", "report_col_share_csv" };
	size_t i;

	csv_head(rq, csv, head, ZEK_ARRAY_LEN(head));
	for (i = 0; i < REPORT_RATINGS; i++)
		csv_row(csv,
		    (const char *[]){ num(rq, (int64_t)i + 1),
		        num(rq, r->ratings[i]),
		        ratio_text(rq, r->ratings[i], r->ratings_n, 100, 1) },
		    3);
}

static void
csv_services(struct req *rq, const struct report *r, struct buf *csv)
{
	static const char *const head[] = { "report_col_rank",
		"report_col_service", "report_col_requests" };
	size_t i;

	csv_head(rq, csv, head, ZEK_ARRAY_LEN(head));
	for (i = 0; i < r->nservices; i++)
		csv_row(csv,
		    (const char *[]){ num(rq, (int64_t)i + 1),
		        service_name(rq, &r->services[i]),
		        num(rq, r->services[i].n) },
		    3);
}

typedef void (*csv_fn)(struct req *rq, const struct report *r, struct buf *csv);

static const struct {
	const char *file; /* the path's last segment */
	const char *name; /* the download's: zek-report-NAME.csv */
	csv_fn write;
	unsigned parts; /* what the table shows: only that is read */
} csv_tables[] = {
	{ "weeks.csv", "weeks", csv_weeks, REPORT_PART_DAYS },
	{ "backlog.csv", "backlog", csv_backlog, REPORT_PART_DAYS },
	{ "sla.csv", "sla", csv_sla, REPORT_PART_DAYS },
	{ "times.csv", "times", csv_times, REPORT_PART_TIMES },
	{ "csat.csv", "csat", csv_csat, REPORT_PART_DAYS },
	{ "services.csv", "services", csv_services, REPORT_PART_SERVICES },
};

static int
csv_reply(struct req *rq, const char *name, const struct report *r,
    csv_fn write)
{
	const char *base = arena_printf(rq->arena, "report-%s", name);
	struct buf csv;
	int rc;

	buf_init(&csv, CSV_BYTES_MAX);
	buf_puts(&csv, CSV_BOM);
	write(rq, r, &csv);
	rc = csv.failed;
	if (rc == ZEK_OK && base == NULL)
		rc = ZEK_NOMEM;
	if (rc == ZEK_OK)
		rc = web_csv_reply(rq, base, &csv);
	buf_free(&csv);
	return rc;
}

/* GET /servicedesk/agent/reports/{name}.csv?from=&to=&type=: one table
 * of the page as CSV (render/csv.h: ";", a BOM, formulas neutralised). */
int
web_agent_report_csv(struct req *rq)
{
	const char *file = req_param_str(rq, "file");
	struct report_params p;
	struct report *r;
	size_t i;
	int rc;

	for (i = 0; i < ZEK_ARRAY_LEN(csv_tables); i++)
		if (str_eq(file, csv_tables[i].file))
			break;
	if (i == ZEK_ARRAY_LEN(csv_tables))
		return web_fail(rq, 404, ZEK_NOTFOUND);
	rc = read_params(rq, &p);
	if (rc == ZEK_OK && p.nerrs > 0)
		rc = ZEK_INVALID;
	p.q.parts = csv_tables[i].parts;
	if (rc == ZEK_OK)
		rc = core_report_read(&rq->ctx, rq->user, &p.q, rq->lang, &r);
	if (rc != ZEK_OK)
		return fail(rq, rc);
	return csv_reply(rq, csv_tables[i].name, r, csv_tables[i].write);
}
