/* portal.h: the help center's portals (service desks) and their request types. */
#ifndef ZEK_CORE_PORTAL_H
#define ZEK_CORE_PORTAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"

struct arena;
struct user;

/* One portal in the help center list. */
struct portal_summary {
	int64_t id;              /* portal id, as in the URL (17) */
	int64_t desk_id;         /* service desk id, as in the API */
	const char *project_key; /* "ZEK" */
	const char *name;
	const char *description; /* "" if none */
};

struct portal_reqtype {
	int64_t id;
	const char *name;
	const char *description;
	const char *icon; /* "" if none */
};

struct portal_group {
	int64_t id;
	const char *name;
	struct portal_reqtype *types; /* in order; may be empty ("ODIS") */
	size_t ntypes;
};

/* A portal with its request-type groups in order. Lives in ctx->arena. */
struct portal {
	int64_t id;
	int64_t desk_id;
	const char *project_key;
	const char *name;
	const char *description;
	struct portal_group *groups;
	size_t ngroups;
};

/* Every portal the user can use, ordered by name. user may be NULL (not
 * signed in). */
enum zek_rc core_portals_list(struct zctx *ctx, const struct user *user,
    struct portal_summary **out, size_t *n);
/* One portal with groups and types in `lang` ("de"/"en"). ZEK_NOTFOUND
 * when there is no such portal. */
enum zek_rc core_portal_get(struct zctx *ctx, const struct user *user,
    int64_t portal_id, const char *lang, struct portal **out);

/* The customer portal's public paths, which pages and the API link to and
 * notification mails carry: a portal ("/servicedesk/customer/portal/17"),
 * a request's page (".../17/ZEK-12") and the form of a request type
 * (".../17/create/4"). In arena a; NULL when out of memory. */
#define PORTAL_PATH "/servicedesk/customer/portal/"
const char *core_portal_path(struct arena *a, int64_t portal_id);
const char *core_request_path(struct arena *a, int64_t portal_id,
    const char *key);
const char *core_create_path(struct arena *a, int64_t portal_id,
    int64_t type_id);

/* A request type a help-center search found, with its portal. */
struct portal_hit {
	int64_t portal_id;
	const char *portal_name;
	int64_t type_id;
	const char *name;
	const char *description;
	const char *icon;
};

#define PORTAL_SEARCH_MAX 200 /* code points of a search; more is cut */
#define PORTAL_HITS_MAX 50    /* types a search shows at most */

/* The request types offered in every portal the user can use whose name
 * or description (in lang) has each word of `query` as the start of one
 * of its words, in any case, "a" matching "ä" ("stor" finds
 * "Störungsmeldung"); in portal and type order. An empty query finds
 * nothing. ZEK_INVALID when the query is not UTF-8. */
enum zek_rc core_portal_search(struct zctx *ctx, const struct user *user,
    const char *query, const char *lang, struct portal_hit **out, size_t *n);

#endif
