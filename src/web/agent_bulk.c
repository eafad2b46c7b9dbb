/* agent_bulk.c: a queue's bulk form, its post, and the summary after it. */
#include "web/web.h"
#include "web/agent.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/bulk.h"
#include "http/form.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "render/i18n.h"

/* Every box of a full page fits in one form. */
_Static_assert(BULK_MAX <= FORM_MAX_VALUES, "a page's boxes in one form");

/* The redirect after a bulk change carries its outcome: a key, its step
 * and reason, and its status take some 40 bytes each; a search adds up to
 * 2400. Well under the 32 KiB the server takes for a request's head. */
#define BULK_LINK_MAX 16384
#define BULK_KEY_MAX 32 /* bytes of a key the form may send */

/* The choice "close as duplicate" names an original of its own: one per
 * request, not one for all of them. */
static bool
offered(const struct web_status_choice *c)
{
	return c->resolution != RESOLUTION_DUPLIKAT;
}

/* ---- the form ---- */

/* The value sent again after a refusal, else "" (leave as is). */
static const char *
sent(struct req *rq, const struct web_bulk_state *bs, const char *name)
{
	const char *v = bs != NULL && bs->failed ? req_form(rq, name) : NULL;

	return v != NULL ? v : "";
}

static json_t *
option(const char *value, const char *label, bool selected)
{
	return ctx_pack("{s:s, s:s, s:b}", "value", value, "label", label,
	    "selected", selected);
}

/* "Zuweisen an": leave as is, me, nobody, then every agent. */
static json_t *
assign_options(struct req *rq, const char *chosen)
{
	json_t *opts = json_array();
	int64_t id = 0;

	json_array_append_new(opts,
	    option("", web_t(rq, "bulk_keep"), str_empty(chosen)));
	json_array_append_new(opts,
	    option("me", web_t(rq, "bulk_me"), str_eq(chosen, "me")));
	json_array_append_new(opts,
	    option("none", web_t(rq, "agent_nobody"), str_eq(chosen, "none")));
	if (str_to_i64(chosen, 1, INT64_MAX, &id) != 0)
		id = 0;
	web_staff_options(rq, opts, id);
	return opts;
}

/* "Status ändern": leave as is, then the agent's actions; each request
 * is checked against its own status when the form is sent. */
static json_t *
status_options(struct req *rq, const char *chosen)
{
	json_t *opts = json_array();
	size_t i;

	json_array_append_new(opts,
	    option("", web_t(rq, "bulk_keep"), str_empty(chosen)));
	for (i = 0; opts != NULL && i < WEB_STATUS_CHOICES; i++) {
		const struct web_status_choice *c = &web_status_choices[i];

		if (offered(c))
			json_array_append_new(opts,
			    option(c->value, web_t(rq, c->label_key),
			        str_eq(chosen, c->value)));
	}
	return opts;
}

json_t *
web_bulk_form_json(struct req *rq, const char *action,
    const struct web_bulk_state *bs)
{
	return ctx_pack("{s:s?, s:o, s:o, s:s?}", "action", action,
	    "assign_options", assign_options(rq, sent(rq, bs, "assignee")),
	    "status_options", status_options(rq, sent(rq, bs, "action")),
	    "error", bs != NULL ? bs->error : NULL);
}

bool
web_bulk_checked(struct req *rq, const struct web_bulk_state *bs,
    const char *key)
{
	const struct form_field *vals[FORM_MAX_VALUES];
	size_t i, n;

	if (bs == NULL || !bs->failed)
		return str_eq(req_query(rq, "select"), "all");
	n = form_get_all(&rq->form, "key", vals);
	for (i = 0; i < n; i++)
		if (str_eq(vals[i]->value, key))
			return true;
	return false;
}

/* ---- the post ---- */

/* What the form asks for; ZEK_INVALID for a value no form sends. */
static enum zek_rc
read_change(struct req *rq, struct bulk_change *c)
{
	const char *who = req_form(rq, "assignee");
	const char *act = req_form(rq, "action");
	const struct web_status_choice *choice;

	*c = (struct bulk_change){ 0 };
	if (who == NULL || act == NULL)
		return ZEK_INVALID;
	c->assign = !str_empty(who);
	if (str_eq(who, "me"))
		c->assignee_id = rq->user->id;
	else if (c->assign && !str_eq(who, "none") &&
	    str_to_i64(who, 1, INT64_MAX, &c->assignee_id) != 0)
		return ZEK_INVALID;
	if (str_empty(act))
		return ZEK_OK;
	choice = web_status_choice(act);
	if (choice == NULL || !offered(choice))
		return ZEK_INVALID;
	c->transition = true;
	c->action = choice->action;
	c->resolution = choice->resolution;
	return ZEK_OK;
}

/* A key as a row's box sends it: letters, digits, '-' and '_'. The
 * summary checks the keys of its URL the same way (anybody can write
 * one: it only ever shows text of ours and such keys). */
static bool
key_plausible(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > BULK_KEY_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' && s[i] != '_')
			return false;
	return true;
}

/* The queue again with the form's problem, every choice kept. */
static int
form_refused(struct req *rq, enum agent_queue q, const char *key)
{
	struct web_bulk_state bs = { .error = web_t(rq, key), .failed = true };

	return web_agent_queue_page(rq, q, &bs, 422);
}

/* Codes of a refusal in the redirect: the step, then why. */
static char
step_code(enum bulk_step s)
{
	return s == BULK_STEP_ASSIGN ? 'a' : s == BULK_STEP_STATUS ? 's' : 'n';
}

static char
reason_code(enum zek_rc rc)
{
	switch (rc) {
	case ZEK_CONFLICT:
		return 'c';
	case ZEK_FORBIDDEN:
		return 'f';
	case ZEK_INVALID:
		return 'i';
	default:
		return 'n';
	}
}

/* Whether res[i] names a request an earlier entry named (a key sent twice,
 * maybe in another case): it is told once. */
static bool
told_before(const struct bulk_result *res, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (str_eq(res[j].key, res[i].key))
			return true;
	return false;
}

/* The queue's page as it was, with the outcome: "assigned" (an id or
 * "none") and "status" (the choice) say what was asked; "done" the keys
 * changed ("ZEK-1.ZEK-2"); each "refused" one key with its step, reason
 * and status ("ZEK-5.sc.geschlossen"). */
static const char *
outcome_href(struct req *rq, enum agent_queue q, const struct bulk_change *c,
    const char *action, const struct bulk_result *res, size_t n)
{
	const char *here = web_agent_queue_here(rq, q, ""), *out = NULL;
	const char *sep = "&done=";
	struct buf b;
	size_t i;

	if (here == NULL)
		return NULL;
	buf_init(&b, BULK_LINK_MAX);
	buf_puts(&b, here);
	if (c->assign)
		buf_printf(&b,
		    c->assignee_id == 0 ? "&assigned=none" :
		                          "&assigned=%" PRId64,
		    c->assignee_id);
	if (c->transition)
		buf_printf(&b, "&status=%s", action);
	for (i = 0; i < n; i++) {
		if (res[i].rc != ZEK_OK || told_before(res, i))
			continue;
		buf_printf(&b, "%s%s", sep, res[i].key);
		sep = ".";
	}
	for (i = 0; i < n; i++) {
		const struct bulk_result *r = &res[i];

		if (r->rc != ZEK_OK && !told_before(res, i))
			buf_printf(&b, "&refused=%s.%c%c.%s", r->key,
			    step_code(r->step), reason_code(r->rc),
			    r->rc == ZEK_CONFLICT ? status_code(r->status) :
			                            "");
	}
	buf_puts(&b, "#bulk-summary");
	if (!b.failed)
		out = arena_strdup(rq->arena, b.data);
	buf_free(&b);
	return out;
}

/* POST /servicedesk/agent/queues/{queue}/bulk?sort=&q=&limit=&after=|before=
 * (the page's own query): key = each ticked row's key; assignee = ""
 * (leave), "me", "none" or an agent's id; action = "" (leave) or a
 * status choice but close_duplikat. Each request is changed as on its
 * own page; then back to the same page of the queue, with the outcome. */
int
web_agent_bulk(struct req *rq)
{
	const struct form_field *vals[FORM_MAX_VALUES];
	const char *keys[FORM_MAX_VALUES];
	struct bulk_result res[FORM_MAX_VALUES];
	struct bulk_change c;
	enum agent_queue q;
	size_t i, n;
	int rc;

	if (!agent_queue_from_code(req_param_str(rq, "queue"), &q))
		return web_fail(rq, 404, ZEK_NOTFOUND);
	n = form_get_all(&rq->form, "key", vals);
	for (i = 0; i < n; i++) {
		if (vals[i]->filename != NULL || vals[i]->value == NULL ||
		    !key_plausible(vals[i]->value, strlen(vals[i]->value)))
			return web_fail(rq, 400, ZEK_INVALID);
		keys[i] = vals[i]->value;
	}
	if (read_change(rq, &c) != ZEK_OK)
		return web_fail(rq, 400, ZEK_INVALID);
	if (n == 0)
		return form_refused(rq, q, "bulk_err_none_selected");
	if (!c.assign && !c.transition)
		return form_refused(rq, q, "bulk_err_nothing");
	if (n > BULK_MAX)
		return web_fail_values(rq, "key");
	rc = core_bulk_change(&rq->ctx, rq->user, keys, n, &c, res);
	if (rc == ZEK_FORBIDDEN)
		return web_fail(rq, 404, ZEK_NOTFOUND);
	if (rc != ZEK_OK)
		return web_fail(rq, http_status_of(rc), rc);
	return http_redirect(rq, 303,
	    outcome_href(rq, q, &c, req_form(rq, "action"), res, n));
}

/* ---- the summary after the redirect ---- */

static json_t *
key_json(struct req *rq, const char *key, size_t n)
{
	const char *k = arena_strndup(rq->arena, key, n);

	return ctx_pack("{s:s, s:s}", "key", k, "href",
	    arena_printf(rq->arena, "%s%s", WEB_AGENT_REQUESTS, k));
}

/* "done=ZEK-1.ZEK-2": the keys changed. */
static json_t *
done_json(struct req *rq)
{
	const char *s = req_query(rq, "done"), *dot;
	json_t *arr = json_array();
	size_t n, count = 0;

	while (arr != NULL && !str_empty(s) && count++ < BULK_MAX) {
		dot = strchr(s, '.');
		n = dot != NULL ? (size_t)(dot - s) : strlen(s);
		if (key_plausible(s, n))
			json_array_append_new(arr, key_json(rq, s, n));
		s = dot != NULL ? dot + 1 : NULL;
	}
	return arr;
}

/* The name of the assignee the outcome names: "Niemand", an agent's. */
static const char *
assigned_name(struct req *rq, const char *v)
{
	struct person *staff;
	size_t i, n = 0;
	int64_t id;

	if (str_eq(v, "none"))
		return web_t(rq, "agent_nobody");
	if (str_to_i64(v, 1, INT64_MAX, &id) != 0 ||
	    core_agent_staff(&rq->ctx, rq->user, &staff, &n) != ZEK_OK)
		return NULL;
	for (i = 0; i < n; i++)
		if (staff[i].id == id)
			return staff[i].name;
	return NULL;
}

/* The label of the status choice the outcome names, or NULL. */
static const char *
action_label(struct req *rq)
{
	const struct web_status_choice *c = web_status_choice(
	    req_query(rq, "status"));

	return c != NULL && offered(c) ? web_t(rq, c->label_key) : NULL;
}

/* Why one request was not changed, from "sc.geschlossen" and the like. */
static const char *
reason_text(struct req *rq, const char *code, const char *status)
{
	enum status st;
	const char *action = action_label(rq);
	bool has_status = status_from_code(status, &st);
	const char *label = has_status ? status_label(st, rq->lang) : "";

	if (code[1] == 'n')
		return web_t(rq, "bulk_why_notfound");
	if (code[1] == 'f')
		return web_t(rq, "err_not_allowed");
	if (code[0] == 'a' && code[1] == 'i')
		return web_t(rq, "bulk_why_assignee");
	if (code[0] == 'a' && code[1] == 'c' && has_status)
		return http_fmt1(rq, "bulk_why_assign_status", "status", label);
	if (code[0] == 's' && code[1] == 'c' && has_status && action != NULL)
		return http_fmt(rq, "bulk_why_status",
		    (const char *[]){ "action", "status" },
		    (const char *[]){ action, label }, 2);
	return web_t(rq, "agent_err_invalid");
}

/* Each "refused=KEY.SR.STATUS": the key and why. */
static json_t *
refused_json(struct req *rq)
{
	const char *vals[BULK_MAX];
	const char *s, *d1, *d2;
	json_t *arr = json_array(), *item;
	char code[3];
	size_t i, n;

	n = req_query_all(rq, "refused", vals, BULK_MAX);
	for (i = 0; arr != NULL && i < n && i < BULK_MAX; i++) {
		s = vals[i];
		d1 = strchr(s, '.');
		d2 = d1 != NULL ? strchr(d1 + 1, '.') : NULL;
		if (d2 == NULL || d2 - d1 != 3 ||
		    !key_plausible(s, (size_t)(d1 - s)))
			continue;
		memcpy(code, d1 + 1, 2);
		code[2] = '\0';
		item = key_json(rq, s, (size_t)(d1 - s));
		if (item != NULL)
			json_object_set_new(item, "reason",
			    json_string(reason_text(rq, code, d2 + 1)));
		json_array_append_new(arr, item);
	}
	return arr;
}

/* "Zuweisen an: Sam Support", "Status ändern: In Bearbeitung". */
static json_t *
changes_json(struct req *rq)
{
	const char *who = req_query(rq, "assigned");
	const char *name = who != NULL ? assigned_name(rq, who) : NULL;
	const char *action = action_label(rq);
	json_t *arr = json_array();

	if (name != NULL)
		json_array_append_new(arr,
		    ctx_pack("{s:s, s:s}", "label",
		        web_t(rq, "agent_assign_label"), "value", name));
	if (action != NULL)
		json_array_append_new(arr,
		    ctx_pack("{s:s, s:s}", "label",
		        web_t(rq, "agent_status_heading"), "value", action));
	return arr;
}

json_t *
web_bulk_summary_json(struct req *rq)
{
	json_t *done, *refused, *changes;
	char nd[24], nr[24];

	if (req_query(rq, "done") == NULL && req_query(rq, "refused") == NULL)
		return NULL;
	done = done_json(rq);
	refused = refused_json(rq);
	snprintf(nd, sizeof(nd), "%zu", json_array_size(done));
	snprintf(nr, sizeof(nr), "%zu", json_array_size(refused));
	changes = changes_json(rq);
	return ctx_pack("{s:s, s:o, s:b, s:o, s:b, s:o, s:b}", "counts",
	    http_fmt(rq, "bulk_summary_counts",
	        (const char *[]){ "done", "refused" },
	        (const char *[]){ nd, nr }, 2),
	    "changes", changes, "has_changes", json_array_size(changes) > 0,
	    "done", done, "has_done", json_array_size(done) > 0, "refused",
	    refused, "has_refused", json_array_size(refused) > 0);
}
