/* role.c: roles: codes stored in the database and what they allow. */
#include "core/role.h"

#include "lib/log.h"
#include "lib/str.h"

static const char *const codes[ROLE_MAX] = {
	[ROLE_NONE] = "",
	[ROLE_CUSTOMER] = "customer",
	[ROLE_AGENT] = "agent",
	[ROLE_ADMIN] = "admin",
};

STR_TABLE_FUNCS(enum role, codes, ROLE_MAX, role_code, role_from_code)

enum role
role_decode(const char *stored)
{
	enum role r;

	if (role_from_code(stored, &r))
		return r;
	log_error("core", "unknown role: no rights",
	    LOG_FIELDS(LOG_S("role", stored)));
	return ROLE_NONE;
}

bool
role_is_staff(enum role r)
{
	return r == ROLE_AGENT || r == ROLE_ADMIN;
}

bool
role_code_is_staff(const char *stored)
{
	return !str_empty(stored) && role_is_staff(role_decode(stored));
}
