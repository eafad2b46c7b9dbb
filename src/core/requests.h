/* requests.h: creating and reading customer requests. */
#ifndef ZEK_CORE_REQUESTS_H
#define ZEK_CORE_REQUESTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"
#include "core/fields.h"
#include "core/status.h"
#include "core/users.h"
#include "core/validate.h"

struct user;

struct attachment_info;

/* What a create form or the API submits. Keys of `values` that the type
 * does not have are ignored; a key may appear once. */
struct create_input {
	int64_t portal_id;
	int64_t type_id;
	int64_t on_behalf_user_id; /* 0 = the user; else see
	                              core_onbehalf_candidates (< 0: refused) */
	int64_t share_org_id;      /* 0 = private; else one of the reporter's
	                              orgs (< 0: refused) */
	const struct field_value *values;
	size_t nvalues;
	const char *const *attachment_tokens; /* temporary uploads of the
	                                         user */
	size_t ntokens;
	bool validate_only; /* check and report errors, create nothing (the page
	                       found problems of its own, e.g. a file over the
	                       size limit) */
};

/* Validates everything and collects every problem (several fields, each
 * with its first problem) into errs and nerrs (in ctx->arena, form order;
 * errors about "onbehalf" and "share" first). Then, in one transaction,
 * hands out the next number of the desk, inserts the request with status
 * "offen", its values, moves the temporary uploads to it, and commits.
 * Returns ZEK_OK with *key_out ("ZEK-12"; untouched with validate_only);
 * ZEK_INVALID with errors;
 * ZEK_NOTFOUND when the portal or type does not exist; ZEK_IO otherwise. */
enum zek_rc core_request_create(struct zctx *ctx, const struct user *user,
    const struct create_input *in, struct field_error **errs, size_t *nerrs,
    const char **key_out);

/* People the user may raise a request for: the user first, then (for a
 * customer) the other customers of the user's organisations, or (for an
 * agent) any customer; filtered by `query` on name or e-mail (NULL = all),
 * ordered by name, at most `limit` (0 = 50). */
enum zek_rc core_onbehalf_candidates(struct zctx *ctx, const struct user *user,
    const char *query, size_t limit, struct person **out, size_t *n);

#define ONBEHALF_SEARCH_MAX 20 /* people one search offers */
#define ONBEHALF_QUERY_MAX 100 /* code points of search text; more is cut */

/* The agents' person search of the create form ("Für wen?"): customers
 * whose name or e-mail contains `query`, without regard to case (full
 * Unicode folding: "MÜLLER" finds "Müller") or to how an umlaut is
 * spelled ("Mueller" finds "Müller", "Jürgen" finds "Juergen"), ordered
 * by name, at most ONBEHALF_SEARCH_MAX. An empty query finds nobody.
 * ZEK_FORBIDDEN for anybody but support staff (customers pick from their
 * colleagues, core_onbehalf_candidates); ZEK_INVALID for text that is
 * not UTF-8. */
enum zek_rc core_onbehalf_search(struct zctx *ctx, const struct user *user,
    const char *query, struct person **out, size_t *n);
/* Person `id` if `user` may raise a request for them (the rules of
 * core_request_create): ZEK_NOTFOUND otherwise. For a form that keeps a
 * chosen person while it shows another search. */
enum zek_rc core_onbehalf_person(struct zctx *ctx, const struct user *user,
    int64_t id, struct person *out);

/* One filled field as shown on the request page. */
struct request_field_view {
	const char *key;
	const char *label;
	enum field_kind kind;
	const char **values; /* display values: select option label,
	                        object names, checkbox label ("Ja"),
	                        text as stored (Markdown for richtext) */
	size_t nvalues;
	int64_t *object_ids; /* FIELD_OBJECT: ids matching values */
	int64_t datetime_ms; /* FIELD_DATETIME: UTC ms; values[0] too */
};

/* A request as its page shows it. Lives in ctx->arena. */
struct request_view {
	int64_t id;
	const char *key;
	const char *title;
	int64_t portal_id;
	int64_t desk_id;
	const char *desk_name;
	const char *project_key;
	int64_t type_id;
	const char *type_name;
	const char *type_icon;
	enum status status;
	const char *status_code;
	const char *status_label;
	enum resolution resolution;
	const char *resolution_code;  /* "" if none */
	const char *resolution_label; /* "" if none */
	int64_t created_at;
	int64_t updated_at;
	struct person reporter;
	struct person creator;
	struct person assignee;      /* id 0: nobody (shown to staff only) */
	int64_t shared_org_id;       /* 0 = private */
	const char *shared_org_name; /* "" if private */
	struct request_field_view *fields; /* form order, only filled fields */
	size_t nfields;
	/* Every stored value as read with the fields (ordered by key, then
	 * position), also those of fields its type no longer has
	 * (core_request_former). */
	const struct store_value *values;
	size_t nvalues;
	struct person *participants; /* ordered by name */
	size_t nparticipants;
	struct attachment_info *attachments; /* oldest first */
	size_t nattachments;
	/* Every attachment row as read with the view, the comments' files
	 * too, by created_at and id (core_activity_of_page). */
	const struct store_attachment *attachment_rows;
	size_t nattachment_rows;
	/* When its status was last set, as its activity shows it to the
	 * viewer (the API's statusDate; the newest status entry of
	 * core_activity_list). */
	int64_t status_since;
	bool is_reporter;  /* the viewing user reported it */
	bool notify_muted; /* the viewing user turned mails off */
};

/* Loads the request `key` ("ZEK-12", any case) in `lang`. ZEK_NOTFOUND
 * when it does not exist or the user may not see it (existence is not
 * revealed). */
enum zek_rc core_request_get(struct zctx *ctx, const struct user *user,
    const char *key, const char *lang, struct request_view **out);

/* Views of up to CORE_VIEWS_MAX requests by id, as core_request_get gives
 * each, read with a few statements for all of them (lists): out[i] is NULL
 * where ids[i] does not exist or the user may not see it. */
#define CORE_VIEWS_MAX 100
enum zek_rc core_request_views(struct zctx *ctx, const struct user *user,
    const int64_t *ids, size_t n, const char *lang, struct request_view **out);
/* Request `id` as core_request_views shows it to `user`, in German
 * (out[0]) and English (out[1]), from one read (mails carry both);
 * NULLs where the user may not see it. */
enum zek_rc core_request_view_de_en(struct zctx *ctx, const struct user *user,
    int64_t id, struct request_view *out[2]);

#endif
