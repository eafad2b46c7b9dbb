/* portal.h: the help center's portals (service desks) and their request types. */
#ifndef ZEK_CORE_PORTAL_H
#define ZEK_CORE_PORTAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/ctx.h"

struct user;

/* One portal in the help center list. */
struct portal_summary {
	int64_t id;                 /* portal id, as in the URL (17) */
	int64_t desk_id;            /* service desk id, as in the API */
	const char *project_key;    /* "ZEK" */
	const char *name;
	const char *description;    /* "" if none */
};

struct portal_reqtype {
	int64_t id;
	const char *name;
	const char *description;
	const char *icon;           /* "" if none */
};

struct portal_group {
	int64_t id;
	const char *name;
	struct portal_reqtype *types;   /* in order; may be empty ("ODIS") */
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

#endif
