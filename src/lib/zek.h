/* zek.h: status codes and small helpers shared by every module. */
#ifndef ZEK_H
#define ZEK_H

#include <stddef.h>

/* Every fallible function returns one of these. One HTTP mapping lives in http/. */
enum zek_rc {
	ZEK_OK = 0,
	ZEK_NOTFOUND,  /* no such thing, or the caller may not know it exists */
	ZEK_FORBIDDEN, /* known to the caller but not allowed */
	ZEK_INVALID,   /* user input failed validation; details travel
	                  separately */
	ZEK_CONFLICT,  /* state changed under us (unique key, stale status) */
	ZEK_TOOBIG,    /* a size limit was hit */
	ZEK_NOMEM,     /* allocation failed */
	ZEK_IO,        /* database, file or network failure */
	ZEK_RC_MAX
};

/* A short English name for logs, never shown to users. */
const char *zek_rc_name(enum zek_rc rc);

#define ZEK_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
