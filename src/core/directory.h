/* directory.h: customers and organisations as support staff see and
 * change them (/servicedesk/agent/customers, .../organisations). Every
 * call is for agents and admins only (ZEK_FORBIDDEN otherwise; actor NULL
 * is the command line) and every change is recorded in the audit
 * (core/accounts.h). */
#ifndef ZEK_CORE_DIRECTORY_H
#define ZEK_CORE_DIRECTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/accounts.h"
#include "core/ctx.h"
#include "core/users.h"

#define DIRECTORY_PAGE 50       /* rows of one page */
#define DIRECTORY_QUERY_MAX 200 /* bytes of a search */
#define INVITE_LIST_MAX 100     /* addresses invited at once */
#define ORG_NAME_MAX 255        /* code points */

/* One customer on the staff's page. */
struct customer_row {
	struct person p;
	const char *orgs; /* names, ", " between them; "" for none */
	int64_t open_requests;
	int64_t last_login_at; /* 0 = never */
	bool active;
	bool invited; /* no password yet: invited, not set up */
};

struct customer_page {
	struct customer_row *rows;
	size_t n;
	int64_t next_after; /* the cursor of the next page, 0 = none */
};

/* Customers whose name or address contains query (NULL or "" = all),
 * members of org_id (0 = any), after the customer after_id (0 = from the
 * first), by name, DIRECTORY_PAGE at a time. */
enum zek_rc core_customers_page(struct zctx *ctx, const struct user *actor,
    const char *query, int64_t org_id, int64_t after_id,
    struct customer_page *out);

struct org_row {
	int64_t id;
	const char *name;
	int64_t members;
};

struct org_page {
	struct org_row *rows;
	size_t n;
	const char *next_after; /* the cursor of the next page, NULL = none */
};

enum zek_rc core_orgs_page(struct zctx *ctx, const struct user *actor,
    const char *query, const char *after_name, struct org_page *out);
/* One organisation (its members: core_customers_page); ZEK_NOTFOUND. */
enum zek_rc core_org_get(struct zctx *ctx, const struct user *actor, int64_t id,
    struct org_row *out);
/* Creates or renames an organisation. ZEK_INVALID with *err_key
 * (err_required, err_invalid_chars, err_invalid_utf8, err_too_long
 * {ORG_NAME_MAX}, err_org_exists). */
enum zek_rc core_org_create(struct zctx *ctx, const struct user *actor,
    const char *name, int64_t *id_out, const char **err_key);
enum zek_rc core_org_rename(struct zctx *ctx, const struct user *actor,
    int64_t id, const char *name, const char **err_key);
/* Deletes an organisation with its memberships: ZEK_CONFLICT while a
 * request is shared with it (its history names it), ZEK_NOTFOUND. */
enum zek_rc core_org_delete(struct zctx *ctx, const struct user *actor,
    int64_t id);
/* Adds the person with this address to the organisation: ZEK_NOTFOUND
 * when nobody has it (*err_key err_no_such_person) or there is no such
 * organisation. Removing: ZEK_NOTFOUND when they were no member. */
enum zek_rc core_org_member_add(struct zctx *ctx, const struct user *actor,
    int64_t org_id, const char *email, const char **err_key);
enum zek_rc core_org_member_remove(struct zctx *ctx, const struct user *actor,
    int64_t org_id, int64_t user_id);

/* What happened to one address of a pasted list. */
struct invite_outcome {
	const char *email;
	enum zek_rc rc; /* ZEK_OK, or ZEK_INVALID for a malformed one */
	enum invite_result result; /* when rc is ZEK_OK */
};

/* Invites every address of `text` (separated by commas, semicolons or
 * lines; "Name <address>" is taken as the address) into
 * the organisation `org` (NULL or "" = none). Each address once, in the
 * order given. ZEK_INVALID with *err_key: err_required (no address),
 * err_invite_too_many {INVITE_LIST_MAX}, or the organisation's name
 * (as core_org_create). The outcomes live in ctx->arena. */
enum zek_rc core_invite_list(struct zctx *ctx, const struct user *actor,
    const char *text, const char *org, struct invite_outcome **out, size_t *n,
    const char **err_key);

/* Mails the person a password reset link (as "Passwort vergessen?" does).
 * ZEK_NOTFOUND for an unknown or deactivated person. */
enum zek_rc core_user_send_reset(struct zctx *ctx, const struct user *actor,
    int64_t user_id);

/* ---- staff and the record of changes: admins only ---- */

#define TEAM_MAX 500 /* staff listed at most */
#define AUDIT_PAGE 100

/* Agents and admins by name (ZEK_FORBIDDEN unless actor is an admin or
 * the command line). */
enum zek_rc core_team_list(struct zctx *ctx, const struct user *actor,
    struct customer_row **out, enum role **roles, size_t *n);
/* Gives the person with this address the role "customer", "agent" or
 * "admin". ZEK_INVALID with *err_key (err_no_such_person,
 * err_invalid_option, err_role_self: nobody changes their own role, so
 * the last admin cannot lock everybody out). */
enum zek_rc core_team_set_role(struct zctx *ctx, const struct user *actor,
    const char *email, const char *role, const char **err_key);

/* One change of an account or organisation. */
struct audit_entry {
	int64_t id;
	int64_t at;
	const char *actor_name; /* "" = the command line or the system */
	const char *action;     /* "invite", "deactivate", "role", ... */
	const char *user_email; /* "" = none */
	const char *org_name;   /* "" = none */
	const char *detail;
};

struct audit_page {
	struct audit_entry *rows;
	size_t n;
	int64_t next_before; /* the cursor of the next page, 0 = none */
};

/* The newest changes, before the change before_id (0 = from the newest). */
enum zek_rc core_audit_page(struct zctx *ctx, const struct user *actor,
    int64_t before_id, struct audit_page *out);

#endif
