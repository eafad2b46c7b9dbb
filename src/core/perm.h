/* perm.h: who may see a request, who is staff, who is admin. The one place
 * that decides it. */
#ifndef ZEK_CORE_PERM_H
#define ZEK_CORE_PERM_H

#include <stdbool.h>
#include <stdint.h>

struct user;

/* The facts about a request that visibility depends on. */
struct perm_request {
	int64_t reporter_id;
	int64_t creator_id;    /* who raised it (on behalf of the reporter) */
	int64_t shared_org_id; /* 0 = private */
	bool user_is_participant; /* the asking user takes part */
};

/* True when `user` may see the request: agents and admins always; else the
 * reporter, the creator, a participant, or a member of the organisation it
 * is shared with. NULL user: false. */
bool perm_can_see_request(const struct user *user,
    const struct perm_request *r);
/* Agents and admins: the support side, every request. NULL: false. */
bool perm_is_staff(const struct user *user);
/* Admins: the admin area and the staff's accounts. NULL: false. */
bool perm_is_admin(const struct user *user);

#endif
