/* api.h: the JSM-compatible REST API under /rest/: its phases, the helpers
 * every endpoint file uses, and the handlers (one file per endpoint family). */
#ifndef ZEK_API_H
#define ZEK_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "api/json.h"
#include "http/http.h"

#define API_SD "/rest/servicedeskapi" /* base path of the service desk API */
#define API_PAGE_LIMIT 50             /* default page size */
#define API_PAGE_LIMIT_MAX 100        /* larger limits are cut to this */
#define API_QUERY_VALUES_MAX 32       /* items of one list parameter */

struct activity_entry;
struct comment_input;
struct attachment_info;
struct field_error;
struct person;
struct portal_summary;
struct request_view;

/* The phases for routes flagged ROUTE_API, run by http/server.c instead of
 * the web phases: database context, token authentication (Bearer, or Basic
 * with e-mail and token; cookies are never looked at, CSRF does not apply),
 * the caller's language and zone, the handler, and a JSM error body for
 * any failure the handler did not answer itself. Always replies. */
int api_dispatch(struct req *rq);

/* The credentials of HTTP Basic's "base64(email:token)" (the part after
 * "Basic "), decoded into the arena: *email is the text before the first
 * ':', *secret the rest. False for invalid base64, a missing ':', a NUL
 * byte or invalid UTF-8 (and when out of memory). The caller wipes
 * *secret after use. */
bool api_basic_credentials(struct arena *a, const char *b64, const char **email,
    const char **secret);

/* Replies with JSON (`body` stolen; NULL means out of memory) as
 * application/json;charset=UTF-8 (http_reply_json, HTTP_JSON_JSM). */
int api_reply(struct req *rq, unsigned status, json_t *body);
/* Replies without a body (204). */
int api_reply_empty(struct req *rq, unsigned status);
/* Replies with the JSM error body: the text of catalog key `key` (from
 * po/<lang>/api.po, in the caller's language) with "{arg}" replaced by
 * arg (may be NULL). Returns ZEK_OK once the reply is queued. */
int api_error(struct req *rq, unsigned status, const char *key,
    const char *arg);
/* The error reply for a zek_rc a core call returned, with the status
 * http_status_of gives it (404 for ZEK_NOTFOUND, ...); ZEK_OK, which is
 * no failure, answers 500. */
int api_fail(struct req *rq, int rc);

/* The configured base URL without a trailing slash ("https://host/ctx"),
 * and its path part ("" or "/ctx"), for absolute _links. */
const char *api_base(struct req *rq);
const char *api_context(struct req *rq);
/* base + path, in the arena; NULL when out of memory. */
const char *api_url(struct req *rq, const char *path);
/* An id as JSON Service Desk writes ids, a decimal string ("42"), in the
 * arena; NULL when out of memory. */
const char *api_id(struct req *rq, int64_t id);
/* A service desk as JSON: id, projectId, projectName, projectKey,
 * projectTypeKey and its _links (the desk's API URL and its portal). */
json_t *api_desk_json(struct req *rq, int64_t desk_id, const char *name,
    const char *project_key, int64_t portal_id);

/* Paging parameters of the request. */
struct api_page {
	int64_t start; /* 0-based, default 0 */
	int64_t limit; /* 1..API_PAGE_LIMIT_MAX, default 50 */
};
/* Reads ?start and ?limit. A malformed value answers 400 and returns
 * ZEK_INVALID: the handler then returns at once. */
int api_page_parse(struct req *rq, struct api_page *pg);
/* Replies 200 with the envelope around the slice [start, start+limit) of
 * `all` (stolen). `keep` names the query parameters (NULL-terminated,
 * may be NULL) that the self/next/prev links repeat besides start/limit. */
int api_reply_page(struct req *rq, const struct api_page *pg, json_t *all,
    const char *const *keep);
/* Replies 200 with the envelope around `values` (stolen), one page that
 * the caller fetched itself; is_last says whether more follow. */
int api_reply_page_of(struct req *rq, const struct api_page *pg, json_t *values,
    bool is_last, const char *const *keep);

/* Parses the request body as JSON and checks it against spec[0..n)
 * (unknown fields, types, lengths, required ones). On failure answers 400
 * (413 for an oversized body) with a clear errorMessage and returns
 * ZEK_INVALID; an empty body counts as {}. *out is owned by the arena. */
int api_body(struct req *rq, const struct api_json_field *spec, size_t n,
    json_t **out);

/* The items of a list parameter, sent comma-separated ("a,b"), as a
 * repeated key (?a=x&a=y) or both: trimmed, empty ones left out, in the
 * arena; up to max into out. Returns how many there are in all, or
 * SIZE_MAX when out of memory. */
size_t api_query_list(struct req *rq, const char *name, const char **out,
    size_t max);
/* True when ?expand (comma list, or repeated key) asks for `what`. */
bool api_expand(struct req *rq, const char *what);
/* A JSM date object for ms in the caller's zone and language, owned by
 * the caller (NULL when out of memory). */
json_t *api_date(struct req *rq, int64_t ms);

/* ---- customer requests: helpers the /request files share ---- */

/* The request that the route's {key} names (key, any case, or numeric
 * issue id) as the caller sees it. Answers 404 (api_err_no_request) itself
 * and returns ZEK_NOTFOUND when there is none the caller may see. */
int api_request_load(struct req *rq, struct request_view **out);
/* The text of body's optional "additionalComment" object ({"body": ...},
 * as a transition or an attachment takes it) into *text, NULL when there
 * is none. A wrong object answers 400 naming the field and returns
 * ZEK_INVALID, as api_body does. */
int api_additional_comment(struct req *rq, const json_t *body,
    const char **text);
/* The request's activity for the caller (newest first). Answers itself
 * on failure and returns the zek_rc. */
int api_request_activity(struct req *rq, const struct request_view *v,
    struct activity_entry **out, size_t *n);
/* A list made from a request's activity: api_status_history,
 * api_request_files. */
typedef json_t *(*api_activity_list_fn)(struct req *rq,
    const struct request_view *v, const struct activity_entry *e, size_t n);
/* GET of such a list for the route's request: the page ?start and ?limit
 * ask for of what `list` makes. Answers failures itself. */
int api_reply_activity_list(struct req *rq, api_activity_list_fn list);
/* A user object for someone the caller sees on a request: the e-mail
 * address (and DC's `name` = e-mail) only for the caller themselves and
 * for agents; for others `name` is the account id, which every body that
 * names people accepts. Caller owns it. */
json_t *api_person_json(struct req *rq, const struct person *p);
/* Answers 400 (413/429 for the upload cap, http_status_of_errors) for
 * problems core found (struct field_error): errorMessage
 * = the first one as "Feld „x“: text", errorMessages = all of them,
 * errors = {field: text}. `names` maps core's field names to the body's
 * (pairs, NULL-terminated; may be NULL). Returns ZEK_OK once queued. */
int api_field_errors(struct req *rq, const struct field_error *errs, size_t n,
    const char *const *names);
/* A CustomerRequest with the expansions ?expand asks for. */
json_t *api_request_json(struct req *rq, const struct request_view *v);
/* A service desk the caller may use, by id or project key; NULL when
 * there is none (*rc = ZEK_OK) or the look-up failed (*rc set). */
const struct portal_summary *api_desk_by_ref(struct req *rq, const char *want,
    int *rc);
/* The desk the route's {sd} names, by id or project key as JSM Cloud
 * allows, into *out (out may be NULL: only its existence matters).
 * Answers 404 (api_err_no_desk) or the failure itself. */
int api_desk_load(struct req *rq, const struct portal_summary **out);
/* An absolute link to API_SD "/request/{id}" + suffix ("" for none).
 * NULL when out of memory, also when suffix is NULL (a suffix that could
 * not be built). */
const char *api_request_url(struct req *rq, const struct request_view *v,
    const char *suffix);
/* The nested page of a request's expansion: up to API_PAGE_LIMIT of
 * `all` (stolen) with self = API_SD "/request/{id}/" + what. */
json_t *api_nested_page(struct req *rq, const struct request_view *v,
    const char *what, json_t *all);

/* status.c: the status history from the activity, newest first, as
 * [{"status", "statusCategory", "statusDate"}]. */
json_t *api_status_history(struct req *rq, const struct request_view *v,
    const struct activity_entry *e, size_t n);
/* {"status", "statusCategory", "statusDate"} for the current status. */
json_t *api_current_status(struct req *rq, const struct request_view *v);

/* comment.c: the comments (oldest first) as Comment objects; `pub` and
 * `internal` say which kinds to keep (customers never get internal ones:
 * core leaves them out). */
json_t *api_comments_array(struct req *rq, const struct request_view *v,
    const struct activity_entry *e, size_t n, bool pub, bool internal);
/* One Comment object; `files` and `rendered` are the expansions
 * "attachment" and "renderedBody". */
json_t *api_comment_json(struct req *rq, const struct request_view *v,
    const struct activity_entry *e, bool files, bool rendered);

/* Adds the comment for the caller; *out gets the Comment object (with its
 * attachments). Answers itself on failure (400 with core's reasons, 400
 * for a customer's internal note, 409 on a closed request) and returns
 * the zek_rc. */
int api_comment_write(struct req *rq, const struct request_view *v,
    const struct comment_input *in, json_t **out);

/* participant.c: bodies that name people. Cloud sends accountIds, Data
 * Center usernames; both may come at once. */
extern const struct api_json_field api_people_spec[2];
/* The people a body names, as strings (ids may come as numbers), in the
 * arena: the accountIds first (*n_ids of them), then the usernames; at
 * most max in all. Answers 400 itself, naming the list at fault, and
 * returns ZEK_INVALID. */
int api_people_refs(struct req *rq, json_t *body, size_t max, const char ***out,
    size_t *n, size_t *n_ids);
/* participant.c: the participants as user objects. */
json_t *api_participants_array(struct req *rq, const struct request_view *v);

/* attachment.c: one Attachment object; author may be NULL. */
json_t *api_attachment_json(struct req *rq, const struct request_view *v,
    const struct attachment_info *a, const struct person *author);
/* Every attachment of the request the caller may see (the request's own
 * files, then those of comments), oldest first. */
json_t *api_request_files(struct req *rq, const struct request_view *v,
    const struct activity_entry *e, size_t n);

/* Handlers, one file per endpoint family. */
int api_not_found(struct req *rq); /* api.c */
/* A method no route under /rest/ takes (PATCH, OPTIONS, TRACE, ...): 405
 * with the JSM error body and Allow, before any authentication. */
int api_method_not_allowed(struct req *rq); /* api.c */
int api_info(struct req *rq);               /* info.c */
int api_server_info(struct req *rq);
int api_myself(struct req *rq);
int api_servicedesks(struct req *rq); /* servicedesk.c */
int api_servicedesk(struct req *rq);
int api_requesttype_groups(struct req *rq);
int api_requesttypes(struct req *rq);
int api_requesttype(struct req *rq);
int api_requesttype_fields(struct req *rq);
int api_request_create(struct req *rq); /* request_create.c */
int api_requests(struct req *rq);       /* request.c */
int api_request(struct req *rq);
int api_comments(struct req *rq); /* comment.c */
int api_comment_add(struct req *rq);
int api_comment(struct req *rq);
int api_comment_attachments(struct req *rq);
int api_participants(struct req *rq); /* participant.c */
int api_participants_add(struct req *rq);
int api_participants_remove(struct req *rq);
int api_request_status(struct req *rq); /* status.c */
int api_transitions(struct req *rq);    /* transition.c */
int api_transition(struct req *rq);
int api_notification(struct req *rq); /* notification.c */
int api_notification_subscribe(struct req *rq);
int api_notification_unsubscribe(struct req *rq);
int api_attach_temporary(struct req *rq); /* attachment.c */
int api_request_attachments(struct req *rq);
int api_request_attach(struct req *rq);
int api_request_attachment_content(struct req *rq);
int api_request_sla(struct req *rq);     /* sla.c */
int api_issue(struct req *rq);           /* issue.c */
int api_customer_create(struct req *rq); /* organization.c */
int api_orgs(struct req *rq);
int api_org_create(struct req *rq);
int api_org(struct req *rq);
int api_org_delete(struct req *rq);
int api_org_users(struct req *rq);
int api_org_users_add(struct req *rq);
int api_org_users_remove(struct req *rq);
int api_desk_customers(struct req *rq);
int api_desk_customers_add(struct req *rq);
int api_desk_orgs(struct req *rq);
int api_desk_orgs_add(struct req *rq);
int api_desk_remove(struct req *rq);

#endif
