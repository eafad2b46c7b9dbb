/* pgtest.c: databases for tests on the throw-away PostgreSQL cluster. */
#include "pgtest.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *
cluster_url(void)
{
	const char *url = getenv("ZEK_TEST_PG");

	return url != NULL && url[0] != '\0' ? url : NULL;
}

bool
pgtest_wanted(void)
{
	const char *b = getenv("ZEK_TEST_BACKEND");

	return b != NULL && strcmp(b, "pg") == 0;
}

void
pgtest_require(void)
{
	if (cluster_url() == NULL) {
		printf("ZEK_TEST_PG is not set: no PostgreSQL cluster "
		    "(tests/run-all.sh starts one)\n");
		exit(77);
	}
}

/* Runs one statement on the cluster's maintenance database; false when
 * the server refused it (said on stderr). */
static bool
admin_try(const char *sql)
{
	PGconn *db = PQconnectdb(cluster_url());
	PGresult *res;
	bool ok;

	if (PQstatus(db) != CONNECTION_OK) {
		fprintf(stderr, "pgtest: %s", PQerrorMessage(db));
		PQfinish(db);
		abort();
	}
	res = PQexec(db, sql);
	ok = PQresultStatus(res) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "pgtest: %s: %s", sql, PQerrorMessage(db));
	PQclear(res);
	PQfinish(db);
	return ok;
}

static void
admin_exec(const char *sql)
{
	if (!admin_try(sql))
		abort();
}

/* The cluster's URL with the database part replaced by `name`. */
static void
url_with_db(const char *name, char *url, size_t n)
{
	const char *base = cluster_url(), *slash, *query;
	size_t host_len;

	slash = strstr(base, "://");
	slash = slash != NULL ? strchr(slash + 3, '/') : NULL;
	host_len = slash != NULL ? (size_t)(slash - base) : strlen(base);
	query = strchr(base, '?');
	if ((size_t)snprintf(url, n, "%.*s/%s%s", (int)host_len, base, name,
	    query != NULL ? query : "") >= n)
		abort();
}

void
pgtest_create(char *url, size_t url_n, char *name, size_t name_n)
{
	static unsigned counter;
	char sql[128];

	pgtest_require();
	snprintf(name, name_n, "zek_t_%ld_%u", (long)getpid(), counter++);
	snprintf(sql, sizeof(sql), "CREATE DATABASE %s TEMPLATE template0 "
	    "ENCODING 'UTF8'", name);
	admin_exec(sql);
	url_with_db(name, url, url_n);
}

void
pgtest_drop(const char *name)
{
	char sql[128];
	int tries;

	if (getenv("ZEK_TEST_PG_KEEP") != NULL)
		return;     /* to look into it after a failure */
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)",
	    name);
	/* An autovacuum worker in it belongs to the superuser, whom FORCE
	 * may not stop; it ends within moments. */
	for (tries = 0; !admin_try(sql); tries++) {
		if (tries == 20)
			abort();
		usleep(500 * 1000);
	}
}
