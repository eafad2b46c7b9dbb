/* zek.c: names of status codes for logs. */
#include "zek.h"

const char *
zek_rc_name(enum zek_rc rc)
{
	static const char *const names[ZEK_RC_MAX] = {
		"ok",
		"notfound",
		"forbidden",
		"invalid",
		"conflict",
		"toobig",
		"nomem",
		"io",
	};
	if ((unsigned)rc >= ZEK_RC_MAX)
		return "unknown";
	return names[rc];
}
