/* admin_mail.c: received e-mail in the admin area, /servicedesk/admin/mail:
 * the list by state, one message with its text, its download, and the
 * two things an admin does with a quarantined one: process it again or
 * discard it. Admins only; core answers everybody else ZEK_NOTFOUND. */
#include "web/admin_page.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/inbound.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "mail/receive/receive.h"
#include "store/store.h" /* struct store_inbound */

#define MAIL_URL WEB_ADMIN "mail"
#define MAIL_ONE_URL WEB_ADMIN "mail/%" PRId64

/* The list's filter: the value sent, the state it shows (NULL = all) and
 * its label. Quarantined first: what an admin has to look at. */
struct state_filter {
	const char *value;
	const char *state;
	const char *label;
};

static const struct state_filter filters[] = {
	{ "quarantined", INBOUND_QUARANTINED, "admin_mail_filter_quarantined" },
	{ "all", NULL, "admin_mail_filter_all" },
	{ "done", INBOUND_DONE, "admin_mail_filter_done" },
	{ "ignored", INBOUND_IGNORED, "admin_mail_filter_ignored" },
	{ "discarded", INBOUND_DISCARDED, "admin_mail_filter_discarded" },
};

/* The filter a page asks for; quarantined by default and for anything
 * unknown. */
static const struct state_filter *
filter_of(const char *value)
{
	size_t i;

	for (i = 0; i < ZEK_ARRAY_LEN(filters); i++)
		if (str_eq(filters[i].value, value))
			return &filters[i];
	return &filters[0];
}

/* A catalog text by a key made of parts; NULL when the catalogs have no
 * such key (i18n answers the key itself then). */
static const char *
text_of_code(struct req *rq, const char *prefix, const char *code,
    const char *suffix)
{
	const char *key = arena_printf(rq->arena, "%s%s%s", prefix, code,
	    suffix);
	const char *t = key != NULL ? web_t(rq, key) : NULL;

	return t != NULL && !str_eq(t, key) ? t : NULL;
}

/* A state as people read it ("In Quarantäne"). */
static const char *
state_text(struct req *rq, const char *state)
{
	const char *t = text_of_code(rq, "admin_mail_state_", state, "");

	return t != NULL ? t : state;
}

/* A reason code as people read it ("Unbekannter Absender"); "" for none. */
static const char *
reason_text(struct req *rq, const char *reason)
{
	const char *t;

	if (str_empty(reason))
		return "";
	t = text_of_code(rq, "mail_reason_", reason, "");
	return t != NULL ? t :
	                   http_fmt1(rq, "mail_reason_other", "code", reason);
}

/* What the admin can do about a reason, in a sentence. */
static const char *
reason_advice(struct req *rq, const char *reason)
{
	const char *t;

	if (str_empty(reason))
		return NULL;
	t = text_of_code(rq, "mail_reason_", reason, "_help");
	return t != NULL ? t : web_t(rq, "mail_reason_other_help");
}

const char *
admin_mail_history_value(struct req *rq, const char *value)
{
	const char *colon = strchr(value, ':');
	const char *state, *detail;

	if (colon == NULL)
		return state_text(rq, value);
	state = arena_strndup(rq->arena, value, (size_t)(colon - value));
	if (state == NULL)
		return value;
	detail = str_eq(state, INBOUND_DONE) ? colon + 1 :
	                                       reason_text(rq, colon + 1);
	return http_fmt(rq, "admin_mail_history_value",
	    (const char *const[]){ "state", "detail" },
	    (const char *const[]){ state_text(rq, state), detail }, 2);
}

static const char *
subject_or_none(struct req *rq, const struct store_inbound *m)
{
	return str_empty(m->subject) ? web_t(rq, "admin_mail_no_subject") :
	                               m->subject;
}

static const char *
request_href(struct req *rq, const struct store_inbound *m)
{
	if (str_empty(m->request_key))
		return NULL;
	return arena_printf(rq->arena, WEB_AGENT_REQUESTS "%s", m->request_key);
}

/* ---- the list ---- */

static json_t *
mail_rows(struct req *rq, const struct store_inbound *rows, size_t n)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr != NULL && i < n; i++) {
		const struct store_inbound *m = &rows[i];

		json_array_append_new(arr,
		    ctx_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s?}",
		        "when", web_time_text(rq, m->received_at), "iso",
		        web_time_iso(rq, m->received_at), "from", m->from_addr,
		        "subject", subject_or_none(rq, m), "href",
		        arena_printf(rq->arena, MAIL_ONE_URL, m->id), "state",
		        state_text(rq, m->state), "reason",
		        reason_text(rq, m->reason), "request_key",
		        m->request_key, "request_href", request_href(rq, m)));
	}
	return arr;
}

static json_t *
filter_choices(struct req *rq, const struct state_filter *shown)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr != NULL && i < ZEK_ARRAY_LEN(filters); i++)
		json_array_append_new(arr,
		    ctx_pack("{s:s, s:s, s:b}", "value", filters[i].value,
		        "label", web_t(rq, filters[i].label), "selected",
		        &filters[i] == shown));
	return arr;
}

/* GET /servicedesk/admin/mail?state=&page= */
int
web_admin_mail(struct req *rq)
{
	const struct state_filter *f = filter_of(req_query(rq, "state"));
	struct store_inbound *rows;
	int64_t page_no = 0;
	const char *base;
	json_t *page;
	size_t n;
	int rc;

	if (str_to_i64(req_query(rq, "page"), 0, 100000, &page_no) != 0)
		page_no = 0;
	/* One more than a page: whether there is a next one. */
	rc = core_inbound_list(&rq->ctx, rq->user, f->state,
	    (size_t)page_no * INBOUND_PAGE, INBOUND_PAGE + 1, &rows, &n);
	if (rc != ZEK_OK)
		return rc;
	page = web_page_ctx(rq, "admin_mail");
	base = arena_printf(rq->arena, MAIL_URL "?state=%s", f->value);
	if (page == NULL || base == NULL)
		return ZEK_NOMEM;
	json_object_set_new(page, "action", json_string(MAIL_URL));
	json_object_set_new(page, "choices", filter_choices(rq, f));
	json_object_set_new(page, "caption", json_string(web_t(rq, f->label)));
	json_object_set_new(page, "rows",
	    mail_rows(rq, rows, n > INBOUND_PAGE ? INBOUND_PAGE : n));
	json_object_set_new(page, "has_rows", json_boolean(n > 0));
	admin_page_pager(rq, page, base, NULL, page_no, n > INBOUND_PAGE);
	return admin_page_render(rq, 200, "admin/mail", page, NULL, 0);
}

/* ---- one message ---- */

/* The file names of a message, "" for a file without one. */
static json_t *
file_names(struct req *rq, const struct inbound_msg *m)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; arr != NULL && m->parsed && i < m->nfiles; i++)
		json_array_append_new(arr,
		    ctx_pack("{s:s, s:s}", "name",
		        str_empty(m->files[i].name) ?
		            web_t(rq, "admin_mail_file_unnamed") :
		            m->files[i].name,
		        "size", http_size_text(rq, m->files[i].len)));
	return arr;
}

/* One line of the facts list; a NULL or "" text leaves it out. */
static void
fact(struct req *rq, json_t *facts, const char *term_key, const char *text)
{
	if (!str_empty(text))
		json_array_append_new(facts,
		    ctx_pack("{s:s, s:s}", "term", web_t(rq, term_key), "text",
		        text));
}

static json_t *
mail_facts(struct req *rq, const struct store_inbound *m)
{
	json_t *facts = json_array();

	if (facts == NULL)
		return NULL;
	fact(rq, facts, "admin_mail_from",
	    str_empty(m->from_addr) ? web_t(rq, "admin_mail_no_sender") :
	                              m->from_addr);
	fact(rq, facts, "admin_mail_subject", subject_or_none(rq, m));
	fact(rq, facts, "admin_mail_message_id", m->message_id);
	fact(rq, facts, "admin_mail_size",
	    http_size_text(rq, (size_t)m->raw_size));
	fact(rq, facts, "admin_mail_received",
	    web_time_text(rq, m->received_at));
	if (m->processed_at != 0)
		fact(rq, facts, "admin_mail_processed",
		    web_time_text(rq, m->processed_at));
	fact(rq, facts, "admin_mail_state", state_text(rq, m->state));
	fact(rq, facts, "admin_mail_reason", reason_text(rq, m->reason));
	if (m->discarded_at != 0)
		fact(rq, facts, "admin_mail_discarded",
		    http_fmt(rq, "admin_mail_discarded_by",
		        (const char *const[]){ "who", "when" },
		        (const char *const[]){ str_empty(m->discarded_by_name) ?
		                web_t(rq, "audit_cli") :
		                m->discarded_by_name,
		            web_time_text(rq, m->discarded_at) },
		        2));
	return facts;
}

/* What a retry came to, after its redirect (?notice=mail_retried): the
 * request, or the reason it is still kept aside. */
static const char *
retry_outcome(struct req *rq, const struct store_inbound *m)
{
	if (str_eq(m->state, INBOUND_DONE) && !str_empty(m->request_key))
		return http_fmt1(rq, "admin_mail_retry_done", "key",
		    m->request_key);
	if (str_eq(m->state, INBOUND_QUARANTINED))
		return http_fmt1(rq, "admin_mail_retry_again", "reason",
		    reason_text(rq, m->reason));
	return http_fmt1(rq, "admin_mail_retry_state", "state",
	    state_text(rq, m->state));
}

/* The page of message id: status 200, or 409 with `error` (a refused
 * retry or discard). */
static int
mail_page(struct req *rq, unsigned status, int64_t id, const char *error)
{
	struct store_inbound *m;
	struct inbound_msg msg;
	const char *href;
	json_t *page;
	int rc;

	rc = mail_receive_show(&rq->ctx, rq->user, id, &m, &msg);
	if (rc != ZEK_OK)
		return rc;
	page = web_page_ctx(rq, "admin_mail_one");
	href = arena_printf(rq->arena, MAIL_ONE_URL, id);
	if (page == NULL || href == NULL)
		return ZEK_NOMEM;
	json_object_set_new(page, "title",
	    json_string(http_fmt1(rq, "admin_mail_one_title", "subject",
	        subject_or_none(rq, m))));
	json_object_set_new(page, "facts", mail_facts(rq, m));
	json_object_set_new(page, "advice",
	    json_string(reason_advice(rq,
	        str_eq(m->state, INBOUND_QUARANTINED) ? m->reason : "")));
	json_object_set_new(page, "request_key", json_string(m->request_key));
	json_object_set_new(page, "request_href",
	    json_string(request_href(rq, m)));
	json_object_set_new(page, "raw_href",
	    json_string(arena_printf(rq->arena, "%s/raw", href)));
	json_object_set_new(page, "retry_action",
	    json_string(arena_printf(rq->arena, "%s/retry", href)));
	json_object_set_new(page, "discard_action",
	    json_string(arena_printf(rq->arena, "%s/discard", href)));
	json_object_set_new(page, "can_retry",
	    json_boolean(core_inbound_can_retry(m)));
	json_object_set_new(page, "can_discard",
	    json_boolean(core_inbound_can_discard(m)));
	json_object_set_new(page, "is_cut",
	    json_boolean((int64_t)m->raw_len < m->raw_size));
	json_object_set_new(page, "parsed", json_boolean(msg.parsed));
	/* Plain text only, escaped by the template: the mail's own HTML is
	 * never shown, nor anything it links to loaded. */
	json_object_set_new(page, "text",
	    json_string(msg.parsed ? msg.plain_text : ""));
	json_object_set_new(page, "files", file_names(rq, &msg));
	json_object_set_new(page, "has_files",
	    json_boolean(msg.parsed && msg.nfiles > 0));
	if (error != NULL)
		json_object_set_new(page, "error", json_string(error));
	if (str_eq(req_query(rq, "notice"), "mail_retried"))
		json_object_set_new(page, "notice",
		    json_string(retry_outcome(rq, m)));
	return admin_page_render(rq, status, "admin/mail_one", page,
	    (const struct admin_crumb[]){
	        { web_t(rq, "admin_mail"), MAIL_URL } },
	    1);
}

/* GET /servicedesk/admin/mail/{id} */
int
web_admin_mail_show(struct req *rq)
{
	int64_t id = web_param_id(rq, "id");

	if (!admin_page_allowed(rq) || id == 0)
		return ZEK_NOTFOUND;
	return mail_page(rq, 200, id, NULL);
}

/* GET /servicedesk/admin/mail/{id}/raw: the bytes as they came, to be
 * saved and opened in a mail client, never shown as a page of ours. */
int
web_admin_mail_raw(struct req *rq)
{
	int64_t id = web_param_id(rq, "id");
	struct store_inbound *m;
	const char *name;
	int rc;

	if (!admin_page_allowed(rq) || id == 0)
		return ZEK_NOTFOUND;
	rc = core_inbound_get(&rq->ctx, rq->user, id, true, &m);
	if (rc != ZEK_OK)
		return rc;
	name = arena_printf(rq->arena, "mail-%" PRId64 ".eml", id);
	if (name == NULL)
		return ZEK_NOMEM;
	return http_reply_file(rq, false, name, "message/rfc822", m->raw,
	    m->raw_len);
}

/* After a retry or discard: the message's page with the outcome, or,
 * when it was not quarantined (any more), the page with why not. */
static int
after_action(struct req *rq, int64_t id, int rc, const char *notice,
    const char *refused_key)
{
	if (rc == ZEK_CONFLICT)
		return mail_page(rq, 409, id, web_t(rq, refused_key));
	if (rc != ZEK_OK)
		return rc;
	return admin_page_redirect(rq,
	    arena_printf(rq->arena, MAIL_ONE_URL, id), notice);
}

/* POST /servicedesk/admin/mail/{id}/retry: as `zek mail retry ID`. */
int
web_admin_mail_retry(struct req *rq)
{
	struct inbound_result res;
	int64_t id = web_param_id(rq, "id");

	if (!admin_page_allowed(rq) || id == 0)
		return ZEK_NOTFOUND;
	return after_action(rq, id,
	    mail_receive_again(rq->app->core, &rq->ctx, rq->user, id, &res),
	    "mail_retried", "admin_mail_retry_refused");
}

/* POST /servicedesk/admin/mail/{id}/discard */
int
web_admin_mail_discard(struct req *rq)
{
	int64_t id = web_param_id(rq, "id");

	if (!admin_page_allowed(rq) || id == 0)
		return ZEK_NOTFOUND;
	return after_action(rq, id,
	    core_inbound_discard(&rq->ctx, rq->user, id), "mail_discarded",
	    "admin_mail_discard_refused");
}
