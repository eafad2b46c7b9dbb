/* helpers.h: a fresh database in a temporary folder for core unit tests. */
#ifndef ZEK_TEST_CORE_HELPERS_H
#define ZEK_TEST_CORE_HELPERS_H

#include <stdint.h>

#include "core/config.h"
#include "core/ctx.h"
#include "pgtest/pgtest.h"

struct user;

struct tenv {
	char dir[64];
	char db[256];               /* a SQLite file, or a PostgreSQL URL */
	char pg_name[64];           /* the PostgreSQL database, "" for SQLite */
	struct config cfg;
	struct core *core;
	struct arena *arena;
	struct zctx ctx;
};

/* Skips the calling test in the PostgreSQL run: it checks something only
 * SQLite has (a query plan, a trigger-kept table, the file itself);
 * tests/pg/schema_check.sh checks PostgreSQL's own rules. Needs cmocka. */
#define TENV_SQLITE_ONLY() do { if (pgtest_wanted()) skip(); } while (0)

/* Creates the folder (and, in the PostgreSQL run, ZEK_TEST_BACKEND=pg, a
 * fresh database), opens the core and a context; asserts on failure. */
struct tenv *tenv_new(void);
/* Closes everything and removes the folder. */
void tenv_free(struct tenv *t);
/* A fresh arena and context for the calling thread (the old arena is
 * freed), like a new HTTP request. */
void tenv_reset(struct tenv *t);
/* Loads the demo configuration (service desk ZEK, portal 17). */
void tenv_config(struct tenv *t);
/* Adds a user and returns it loaded; asserts on failure. */
struct user *tenv_user(struct tenv *t, const char *email, const char *role,
    const char *org);
/* Adds a user with a name (password "geheim1") and returns its id. */
int64_t tenv_add(struct tenv *t, const char *email, const char *name,
    const char *role, const char *org);
/* Loads a user by id; asserts it exists. */
struct user *tenv_get(struct tenv *t, int64_t id);

/* The people most core tests need: two colleagues, a customer of another
 * organisation and an agent, as in the demo data. */
struct tenv_people {
	int64_t anna, ben;          /* Stadt Musterstadt – Bürgeramt */
	int64_t carla;              /* Land Beispielland – Ministerium ... */
	int64_t sam;                /* support agent */
};
void tenv_people(struct tenv *t, struct tenv_people *p);

/* A valid Sonstige Frage in portal 17 by `who`; returns its id and, when
 * key_out is not NULL, its key. */
int64_t tenv_request(struct tenv *t, int64_t who, const char *title,
    const char **key_out);

#endif
