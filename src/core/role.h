/* role.h: what a person is to zek: customer, agent or admin. */
#ifndef ZEK_CORE_ROLE_H
#define ZEK_CORE_ROLE_H

#include <stdbool.h>

/* An admin is an agent who may also run the admin area: both are staff and
 * see every request. ROLE_NONE is a stored role zek does not know: no
 * rights at all, and it is what a zeroed struct user holds. */
enum role {
	ROLE_NONE,
	ROLE_CUSTOMER,
	ROLE_AGENT,
	ROLE_ADMIN,
	ROLE_MAX
};

/* Stable codes stored in users.role: "customer", "agent", "admin"
 * ("" for ROLE_NONE). Static strings. */
const char *role_code(enum role r);
/* Code to enum for input (a form, the command line); false when unknown. */
bool role_from_code(const char *code, enum role *out);
/* The one way to read a stored role. An unknown code is data zek never
 * wrote (the database refuses it): it fails closed to ROLE_NONE, which
 * may do nothing, and is logged. */
enum role role_decode(const char *stored);
/* Agents and admins. */
bool role_is_staff(enum role r);
/* The same for a stored code; "" (the system, or a person since erased
 * from an activity row) is no staff and no error. */
bool role_code_is_staff(const char *stored);

#endif
