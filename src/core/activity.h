/* activity.h: comments and the activity log of a request ("Aktivität"). */
#ifndef ZEK_CORE_ACTIVITY_H
#define ZEK_CORE_ACTIVITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"
#include "core/status.h"
#include "core/users.h"
#include "core/workflow.h"

struct attachment_info;
struct field_error;
struct request_field_view;
struct store_request;

#define ACTIVITY_MAX 2000 /* entries one page shows, newest first */
#define COMMENT_MAX 32000 /* code points of one comment */

enum activity_kind {
	ACTIVITY_CREATED,
	ACTIVITY_COMMENT,
	ACTIVITY_STATUS_CHANGED,
	ACTIVITY_ATTACHMENT_ADDED,
	ACTIVITY_PARTICIPANT_ADDED,
	ACTIVITY_PARTICIPANT_REMOVED,
	ACTIVITY_SHARED_WITH_ORG,
	ACTIVITY_ASSIGNED, /* agents only; subject = the assignee
	                      (id 0 = nobody) */
	ACTIVITY_RATED,    /* agents only; the reporter rated it or
	                      changed the rating (core/rating.h) */
	ACTIVITY_EDITED,   /* agents only; one field or the type
	                      changed (core/edit.h) */
	ACTIVITY_LINKED,   /* agents only; a link to another request
	                      added or removed (core/links.h) */
	ACTIVITY_UNLINKED,
	ACTIVITY_KIND_MAX
};

/* One entry as the page shows it. Lives in ctx->arena. */
struct activity_entry {
	int64_t id;
	enum activity_kind kind;
	int64_t created_at;
	struct person actor; /* id 0 = the system; email always "" */
	bool by_agent;       /* the actor is support staff */
	bool is_public;      /* false = internal note (agents only) */
	int64_t comment_id;  /* COMMENT */
	const char *body;    /* COMMENT: Markdown */
	struct attachment_info *attachments; /* COMMENT: its files;
	                                        ATTACHMENT_ADDED: the file */
	size_t nattachments;
	bool has_action; /* STATUS_CHANGED: action is known */
	enum wf_action action;
	enum status old_status;     /* STATUS_CHANGED */
	enum status new_status;     /* STATUS_CHANGED; CREATED: Offen */
	enum resolution resolution; /* after the change */
	struct person subject;      /* PARTICIPANT_*: who; CREATED: the
	                               reporter when raised on their behalf
	                               (id 0 otherwise); ASSIGNED: the new
	                               assignee (id 0 = nobody); email
	                               always "" */
	const char *org_name;       /* SHARED_WITH_ORG */
	int score;                  /* RATED: 1..5 */
	const char *what;           /* EDITED: "type" or the field's key;
	                               (UN)LINKED: the link's code as this
	                               request sees it (core/links.h) */
	const char *old_value;      /* EDITED: as stored ("\n" between the
	                               values of an object field) */
	const char *new_value;      /* EDITED: as stored; (UN)LINKED: the
	                               other request's key */
	/* EDITED, once core_activity_describe ran: the field's label (NULL:
	 * the request type) and the values before and after as the request
	 * page shows them. */
	const char *field_label;
	struct request_field_view *before, *after;
};

/* The activity of request `request_id`, newest first (at most
 * ACTIVITY_MAX). Internal notes and whatever belongs to them are only
 * there for agents. ZEK_NOTFOUND when the user may not see the request. */
enum zek_rc core_activity_list(struct zctx *ctx, const struct user *user,
    int64_t request_id, struct activity_entry **out, size_t *n);

struct request_view;

/* The same for request `v` as core_request_get loaded it for `user` (which
 * showed the user may see it), without loading and checking it again. */
enum zek_rc core_activity_of_view(struct zctx *ctx, const struct user *user,
    const struct request_view *v, struct activity_entry **out, size_t *n);

struct store_activity;

/* The rows an activity list was made from, newest first, for what else a
 * page works out from the same log (the agent's page: its service levels,
 * core_request_sla_of_log). */
struct activity_log {
	const struct store_activity *rows;
	size_t n;
	bool with_internal; /* internal notes are among them */
	bool complete;      /* all of the request's entries (fewer than
	                     * ACTIVITY_MAX); false when none were read */
};

/* core_activity_of_view for a page that shows `v` with nothing written
 * since core_request_get read it: the files are the view's; and in *log
 * (unless NULL) the rows the entries were made of. */
enum zek_rc core_activity_of_page(struct zctx *ctx, const struct user *user,
    const struct request_view *v, struct activity_entry **out, size_t *n,
    struct activity_log *log);

/* Fills in field_label, before and after of the EDITED entries among
 * ents (newest first, as core_activity_of_view gives them for `v`), in
 * `lang`: each through the request type the request had then. */
enum zek_rc core_activity_describe(struct zctx *ctx,
    const struct request_view *v, const char *lang, struct activity_entry *ents,
    size_t n);

/* A comment as a page or the API submits it. */
struct comment_input {
	const char *body; /* Markdown, required */
	bool is_public;   /* false = internal note: agents only */
	const char *const *attachment_tokens; /* the user's temporary uploads */
	size_t ntokens;
	bool validate_only; /* check and report, write nothing (the
	                       page found a problem of its own) */
};

/* Adds a comment by `user` with its attachments to the request, in one
 * transaction with its activity entry. A customer's comment while the
 * request waits for the customer with no solution pending moves it to
 * "Wartet auf Support" (WF_CUSTOMER_REPLY).
 * Returns ZEK_OK (*id_out = the comment; id_out may be NULL);
 * ZEK_INVALID with errs/nerrs (field "comment": err_required,
 * err_too_long, err_invalid_utf8, err_invalid_chars; field "attachment":
 * err_upload_expired, err_too_many_files); ZEK_NOTFOUND when the user may
 * not see the request; ZEK_CONFLICT when it is closed; ZEK_FORBIDDEN for
 * an internal note by a customer. */
enum zek_rc core_comment_add(struct zctx *ctx, const struct user *user,
    int64_t request_id, const struct comment_input *in,
    struct field_error **errs, size_t *nerrs, int64_t *id_out);

/* For core/ only. Checks a comment's text as a rich-text field (CRLF to
 * LF, trailing white space dropped, at most COMMENT_MAX); *norm gets the
 * text to store. ZEK_INVALID with *err (field "comment"; err may be
 * NULL). */
enum zek_rc core_comment_validate(struct zctx *ctx, const char *body,
    bool required, const char **norm, struct field_error *err);
/* For core/ only, inside an open transaction: writes the comment, moves
 * the temporary uploads to it (ZEK_NOTFOUND if one is gone), logs it.
 * Sends no mail: the caller knows which one fits. */
enum zek_rc core_comment_insert_locked(struct zctx *ctx,
    const struct store_request *r, const struct user *author, const char *body,
    bool is_public, const char *const *tokens, size_t ntokens, int64_t *id_out);

#endif
