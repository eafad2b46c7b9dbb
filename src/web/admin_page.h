/* admin_page.h: the forms of the admin area as tables of controls, shared
 * by its page families (admin.c, admin_types.c); internal to web/. A form
 * is described once, and its labels, errors, kept values and choices
 * follow from the table (partials/admin-form, partials/admin-control). */
#ifndef ZEK_WEB_ADMIN_PAGE_H
#define ZEK_WEB_ADMIN_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "web/web.h"

enum control_kind {
	CONTROL_TEXT,
	CONTROL_TEXTAREA,
	CONTROL_DATETIME,
	CONTROL_SELECT,   /* one of its choices */
	CONTROL_RADIOS,   /* one of its choices, each with an icon */
	CONTROL_CHECKBOX, /* "on" or absent */
	CONTROL_TIME,     /* "08:00" */
	CONTROL_DATE,     /* "2026-12-24" */
};

/* The choices of a select or radio group, as [{value, label, icon?}]
 * (labels translated); data is the form's (struct admin_form). NULL on
 * OOM. */
typedef json_t *(*choices_fn)(struct req *rq, const void *data);

/* One control of an admin form: core's field name (also the form's), the
 * label's and help text's catalog keys, and its kind and limit. */
struct control {
	const char *field;
	const char *label;
	const char *help; /* NULL: none */
	enum control_kind kind;
	size_t max; /* code points; 0 for the others */
	bool required;
	choices_fn choices; /* CONTROL_SELECT, CONTROL_RADIOS */
	bool disabled;      /* shown, never sent (help says why) */
};

/* The controls of one fieldset. */
struct control_group {
	const char *legend; /* catalog key; NULL: no fieldset */
	const struct control *controls;
	size_t n;
};

/* What one control shows when the form is drawn from stored values; a
 * checkbox's is "on" or "". Wrapped by hand: clang-format 14 breaks
 * inside the declarator's parentheses. */
/* clang-format off */
typedef const char *(*value_fn)(struct req *rq, const void *stored,
    const char *field);
/* clang-format on */

/* The value_fn of an add form, which starts empty. */
const char *admin_blank_value(struct req *rq, const void *stored,
    const char *field);

/* One form of an admin page. */
struct admin_form {
	const char *prefix; /* of its controls' ids: "a-" */
	const struct control_group *groups;
	size_t ngroups;
	value_fn value;
	const void *stored;             /* NULL: show what was typed */
	const void *data;               /* for the choices callbacks */
	const struct field_error *errs; /* this form's, when it came back */
	size_t nerrs;
	const char *action;
	int64_t version;         /* of the configuration, when read */
	bool conflict;           /* came back with 409: say why */
	const char *submit;      /* the button's catalog key */
	const char *row;         /* a row's name: labels name it */
	bool compact;            /* in a table: labels hidden, no help */
	const char *cancel_href; /* NULL: no "Abbrechen" */
};

/* The form's JSON for partials/admin-form: its fieldsets and controls,
 * the error summary, csrf, action, version and button. Caller owns it;
 * NULL on OOM. */
json_t *admin_page_form(struct req *rq, const struct admin_form *f);

/* One step of the breadcrumbs between "Administration" and the page. */
struct admin_crumb {
	const char *label;
	const char *href;
};

/* Renders template `name` (page from web_page_ctx) with the breadcrumbs
 * Administration › crumbs › the page's title. */
int admin_page_render(struct req *rq, unsigned status, const char *name,
    json_t *page, const struct admin_crumb *crumbs, size_t ncrumbs);

/* Whether the signed-in user is an admin: forms check it before reading
 * what they were sent (core answers everybody else ZEK_NOTFOUND, too). */
bool admin_page_allowed(struct req *rq);

/* A sent id (a hidden field or a select's value), 0 when it is none. */
int64_t admin_page_sent_id(struct req *rq, const char *name);

/* Whether the form sent the version it was read at as a number, as every
 * form of ours does (core takes a missing one as "no check"). */
bool admin_page_version_ok(struct req *rq);

/* A checkbox as sent: "on" true, absent false; -1 for anything else (a
 * form of ours never sends that). */
int admin_page_checkbox(struct req *rq, const char *name);

/* A text in the viewer's language: English when asked for and set. */
const char *admin_page_lang(struct req *rq, const char *de, const char *en);

/* "Zurück" / "Weiter" of a list in pages from 0: prev_href and
 * next_href (web_page_href of base, the search q (NULL: none) and
 * page=N) and has_pager into page. */
void admin_page_pager(struct req *rq, json_t *page, const char *base,
    const char *q, int64_t page_no, bool more);

/* A state of received mail as the admin history keeps it ("quarantined:
 * unknown_sender", "done:ZEK-5", "discarded"), as people read it
 * (admin_mail.c). */
const char *admin_mail_history_value(struct req *rq, const char *value);

/* A recorded value of the business calendar (calendar_days "1,2,3",
 * calendar_state "DE-BY") as people read it; others as they are
 * (admin_calendar.c). */
const char *admin_calendar_history_value(struct req *rq, const char *subject,
    const char *value);

/* Redirects (303) to a page of the admin area with ?notice= (NULL: none). */
int admin_page_redirect(struct req *rq, const char *path, const char *notice);

#endif
