/* perm.c: visibility of requests; every page and API call asks here. */
#include "core/perm.h"

#include <stddef.h>

#include "core/users.h"

bool
perm_can_see_request(const struct user *user, const struct perm_request *r)
{
	size_t i;

	if (user == NULL || r == NULL)
		return false;
	if (user->is_agent || user->is_admin)
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
