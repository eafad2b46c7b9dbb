/* perm.c: visibility of requests; every page and API call asks here. */
#include "core/perm.h"

#include <stddef.h>

#include "core/role.h"
#include "core/users.h"

bool
perm_can_see_request(const struct user *user, const struct perm_request *r)
{
	size_t i;

	if (user == NULL || r == NULL)
		return false;
	if (perm_is_staff(user))
		return true;
	if (user->id == r->reporter_id || user->id == r->creator_id ||
	    r->user_is_participant)
		return true;
	if (r->shared_org_id != 0)
		for (i = 0; i < user->norgs; i++)
			if (user->org_ids[i] == r->shared_org_id)
				return true;
	return false;
}

bool
perm_is_staff(const struct user *user)
{
	return user != NULL && role_is_staff(user->role);
}

bool
perm_is_admin(const struct user *user)
{
	return user != NULL && user->role == ROLE_ADMIN;
}
