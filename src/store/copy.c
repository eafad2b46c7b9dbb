/* copy.c: zek copy-db, a SQLite installation moved into an empty
 * PostgreSQL database (store_copy.h). It speaks to both databases
 * directly (sqlite3 and libpq on the store's own connections): it is
 * about both backends, not one of them. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "store/pg_int.h"
#include "store/sqlite_int.h"
#include "store/store_copy.h"

#define COPY_CHUNK (1u << 20) /* bytes handed to libpq at a time */
/* One row of COPY text at most: an attachment of max_file_bytes (up to
 * 1 GiB) as hex is twice that, plus the other columns. */
#define COPY_ROW_MAX ((size_t)3 << 30)
#define LOCK_TIMEOUT "'30s'" /* a zek still serving the target */

/* Tables one backend has and the other has not, each with its reason.
 * Every other table must be on both sides with the same columns. */
struct own_table {
	const char *name;
	const char *why;
};

static const struct own_table lite_own[] = {
	{ "schema_migrations", "each backend numbers its own migrations" },
	{ "request_search",
	    "SQLite's FTS5 search index; PostgreSQL makes "
	    "its own from the copied requests" },
	{ "request_search_config", "an FTS5 shadow table of request_search" },
	{ "request_search_content", "an FTS5 shadow table of request_search" },
	{ "request_search_data", "an FTS5 shadow table of request_search" },
	{ "request_search_docsize", "an FTS5 shadow table of request_search" },
	{ "request_search_idx", "an FTS5 shadow table of request_search" },
	{ "request_counts",
	    "counts SQLite's triggers keep for the list; "
	    "PostgreSQL counts the requests themselves" },
	{ "request_assignee_counts",
	    "counts SQLite's triggers keep for "
	    "the queues" },
	{ "request_blocks", "bounds of SQLite's list walk (sqlite_walk.c)" },
	/* Names that start with sqlite_ are SQLite's own (sqlite_sequence,
	 * sqlite_stat1, ...): see is_lite_own. */
};

/* What PostgreSQL's own tables need once the rows are in: `fill` runs
 * after the copy (NULL: nothing), `check` must then answer true. */
struct pg_own_table {
	const char *name;
	const char *why;
	const char *fill;
	const char *check;
};

static const struct pg_own_table pg_own[] = {
	{ "schema_migrations", "each backend numbers its own migrations", NULL,
	    NULL },
	{ "request_search",
	    "the search words, which the triggers of "
	    "requests and request_values make (migration 0002); they are off "
	    "during the copy, so each request's row is made once at the end "
	    "(with the lexicon's trigger off: it is made next, at once)",
	    "DO $$BEGIN "
	    "ALTER TABLE request_search DISABLE TRIGGER USER; "
	    "PERFORM zek_search_refresh(id) FROM requests; "
	    "ALTER TABLE request_search ENABLE TRIGGER USER; END$$",
	    "SELECT (SELECT count(*) FROM request_search) = "
	    "(SELECT count(*) FROM requests)" },
	{ "search_lexicon",
	    "every word of the search rows, which a trigger of request_search "
	    "adds (migration 0029)",
	    "INSERT INTO search_lexicon (word) SELECT DISTINCT w.word "
	    "FROM request_search s, unnest(tsvector_to_array(s.doc)) w(word)",
	    "SELECT (SELECT count(*) FROM search_lexicon) = "
	    "(SELECT count(DISTINCT w.word) FROM request_search s, "
	    "unnest(tsvector_to_array(s.doc)) w(word))" },
	{ "request_tallies",
	    "counts of requests the triggers of migration "
	    "0005 keep; they are off during the copy (into an empty "
	    "database), so the counts are made once at the end",
	    "INSERT INTO request_tallies (status, "
	    "type_id, shard, n) SELECT status, type_id, 0, count(*) "
	    "FROM requests GROUP BY 1, 2",
	    "SELECT (SELECT coalesce(sum(n), 0) FROM request_tallies) = "
	    "(SELECT count(*) FROM requests)" },
	{ "request_assignee_tallies", "the same by assignee",
	    "INSERT INTO request_assignee_tallies (assignee_id, status, "
	    "shard, n) SELECT coalesce(assignee_id, 0), status, 0, count(*) "
	    "FROM requests GROUP BY 1, 2",
	    "SELECT (SELECT coalesce(sum(n), 0) FROM request_assignee_tallies) "
	    "= (SELECT count(*) FROM requests)" },
};

/* The user triggers of the PostgreSQL schema by their function, and why
 * the copy may switch them off: a trigger with another function stops
 * the copy until someone has thought about it here. */
static const char *const known_trigger_fns[] = {
	"zek_assign_id",              /* ids: the sequences are set after */
	"zek_refuse_change",          /* UPDATE/DELETE/TRUNCATE only */
	"zek_activity_delete_check",  /* DELETE only */
	"zek_search_request_changed", /* request_search: filled after */
	"zek_search_value_changed",
	"zek_tally_request",         /* request_tallies: filled after */
	"zek_search_facets_changed", /* request_search: filled after */
	"zek_search_lexicon_add",    /* search_lexicon: filled after */
};

/* A column's kind, from its PostgreSQL type: how its values are written
 * in COPY text and fed to the checksum. */
enum copy_kind {
	KIND_INT,
	KIND_TEXT,
	KIND_BYTES,
	KIND_OTHER,
};

struct copy_col {
	const char *name;
	const char *lite_type; /* as declared in SQLite */
	const char *pg_type;   /* information_schema's data_type */
	enum copy_kind kind;
};

struct copy_table {
	const char *name;
	struct copy_col *cols;
	size_t ncols;
	const char *cols_sql;   /* "a", "b", ... */
	const char *lite_order; /* ORDER BY for SQLite */
	const char *pg_order;   /* ... and PostgreSQL: the same order */
	const char **parents;   /* tables its foreign keys point to */
	size_t nparents;
	bool on_pg; /* the target has it too */
	bool placed;
	int64_t rows;
};

struct copy {
	struct arena *a;
	sqlite3 *lite;
	PGconn *pg;
	const char *from;
	char target[512];     /* `to` without its password */
	struct copy_table *t; /* in copy order once ordered */
	size_t nt;
	const char **pg_tables; /* every table of the target's schema */
	size_t npg;
	const char **remake;        /* statements that make again what */
	size_t nremake, remake_cap; /* deferred dropped, in drop order */
	int64_t rows;
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool
is_lite_own(const char *name)
{
	size_t i;

	if (strncmp(name, "sqlite_", 7) == 0)
		return true;
	for (i = 0; i < ZEK_ARRAY_LEN(lite_own); i++)
		if (strcmp(name, lite_own[i].name) == 0)
			return true;
	return false;
}

static const struct pg_own_table *
pg_own_table(const char *name)
{
	size_t i;

	for (i = 0; i < ZEK_ARRAY_LEN(pg_own); i++)
		if (strcmp(name, pg_own[i].name) == 0)
			return &pg_own[i];
	return NULL;
}

/* A name quoted for SQL (both dialects): "x", with " doubled. */
static void
put_ident(struct buf *b, const char *name)
{
	buf_putc(b, '"');
	for (; *name != '\0'; name++) {
		if (*name == '"')
			buf_putc(b, '"');
		buf_putc(b, *name);
	}
	buf_putc(b, '"');
}

/* put_ident's quoting, into the arena; NULL when out of memory. */
static char *
ident(struct arena *a, const char *name)
{
	struct buf b;
	char *q;

	buf_init(&b, 2 * strlen(name) + 3);
	put_ident(&b, name);
	q = b.failed ? NULL : arena_strndup(a, b.data, b.len);
	buf_free(&b);
	return q;
}

/* ---- messages ---- */

static enum zek_rc
lite_fail(struct copy *cp, const char *what)
{
	fprintf(stderr, "zek: copy-db: %s (%s): %s\n", what, cp->from,
	    sqlite3_errmsg(cp->lite));
	return ZEK_IO;
}

/* The server's message, with its context (which names the table, line
 * and column of a COPY that failed). */
static enum zek_rc
pg_fail(struct copy *cp, const PGresult *res, const char *what)
{
	const char *msg = NULL, *ctx = NULL;

	if (res != NULL) {
		msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		ctx = PQresultErrorField(res, PG_DIAG_CONTEXT);
	}
	if (msg == NULL)
		msg = PQerrorMessage(cp->pg);
	fprintf(stderr, "zek: copy-db: %s (%s): %s%s%s\n", what, cp->target,
	    msg, ctx != NULL ? "; " : "", ctx != NULL ? ctx : "");
	return ZEK_IO;
}

static enum zek_rc
nomem(void)
{
	fputs("zek: copy-db: out of memory\n", stderr);
	return ZEK_NOMEM;
}

/* ---- PostgreSQL statements ---- */

/* Runs sql with up to one text parameter; the result when it has the
 * status `want`, else NULL (said why). Caller clears it. */
static PGresult *
pg_run(struct copy *cp, const char *sql, const char *param, ExecStatusType want)
{
	PGresult *res;

	res = PQexecParams(cp->pg, sql, param != NULL ? 1 : 0, NULL, &param,
	    NULL, NULL, 0);
	if (PQresultStatus(res) == want)
		return res;
	pg_fail(cp, res, sql);
	PQclear(res);
	return NULL;
}

static enum zek_rc
pg_do(struct copy *cp, const char *sql)
{
	PGresult *res = pg_run(cp, sql, NULL, PGRES_COMMAND_OK);

	if (res == NULL)
		return ZEK_IO;
	PQclear(res);
	return ZEK_OK;
}

/* ---- the two schemas ---- */

static enum copy_kind
pg_kind(const char *type)
{
	if (strcmp(type, "bigint") == 0 || strcmp(type, "integer") == 0 ||
	    strcmp(type, "smallint") == 0)
		return KIND_INT;
	if (strcmp(type, "text") == 0 || strcmp(type, "character varying") == 0)
		return KIND_TEXT;
	if (strcmp(type, "bytea") == 0)
		return KIND_BYTES;
	return KIND_OTHER;
}

/* Whether SQLite's declared type (by its affinity rules) holds what the
 * PostgreSQL kind holds. */
static bool
lite_fits(const char *decl, enum copy_kind kind)
{
	if (strcasestr(decl, "INT") != NULL)
		return kind == KIND_INT;
	if (strcasestr(decl, "CHAR") != NULL ||
	    strcasestr(decl, "CLOB") != NULL ||
	    strcasestr(decl, "TEXT") != NULL)
		return kind == KIND_TEXT;
	if (strcasestr(decl, "BLOB") != NULL || decl[0] == '\0')
		return kind == KIND_BYTES;
	return false;
}

/* The copied tables as SQLite has them, with their columns. */
static enum zek_rc
lite_schema(struct copy *cp)
{
	sqlite3_stmt *tabs = NULL, *cols = NULL;
	struct copy_table *t;
	size_t cap = 0, ccap;
	enum zek_rc rc = ZEK_IO;
	int src = SQLITE_DONE;

	if (sqlite3_prepare_v2(cp->lite,
	        "SELECT name FROM sqlite_master "
	        "WHERE type = 'table' ORDER BY name",
	        -1, &tabs, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(cp->lite,
	        "SELECT name, type FROM "
	        "pragma_table_info(?) ORDER BY cid",
	        -1, &cols, NULL) != SQLITE_OK) {
		rc = lite_fail(cp, "reading the schema");
		goto out;
	}
	while ((src = sqlite3_step(tabs)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(tabs, 0);

		if (name == NULL || is_lite_own(name))
			continue;
		if (cp->nt == cap) {
			cp->t = sq_grow(cp->a, cp->t, cp->nt, &cap, sizeof(*t));
			if (cp->t == NULL)
				goto oom;
		}
		t = &cp->t[cp->nt++];
		memset(t, 0, sizeof(*t));
		if ((t->name = arena_strdup(cp->a, name)) == NULL)
			goto oom;
		ccap = 0;
		sqlite3_reset(cols);
		sqlite3_bind_text(cols, 1, t->name, -1, SQLITE_STATIC);
		while ((src = sqlite3_step(cols)) == SQLITE_ROW) {
			struct copy_col *c;

			if (t->ncols == ccap) {
				t->cols = sq_grow(cp->a, t->cols, t->ncols,
				    &ccap, sizeof(*c));
				if (t->cols == NULL)
					goto oom;
			}
			c = &t->cols[t->ncols++];
			memset(c, 0, sizeof(*c));
			c->name = arena_strdup(cp->a,
			    (const char *)sqlite3_column_text(cols, 0));
			c->lite_type = arena_strdup(cp->a,
			    sqlite3_column_text(cols, 1) != NULL ?
			        (const char *)sqlite3_column_text(cols, 1) :
			        "");
			if (c->name == NULL || c->lite_type == NULL)
				goto oom;
		}
		if (src != SQLITE_DONE) {
			rc = lite_fail(cp, "reading the columns");
			goto out;
		}
	}
	if (src != SQLITE_DONE) {
		rc = lite_fail(cp, "reading the tables");
		goto out;
	}
	rc = ZEK_OK;
	goto out;
oom:
	rc = nomem();
out:
	sqlite3_finalize(tabs);
	sqlite3_finalize(cols);
	return rc;
}

static struct copy_table *
table_find(struct copy *cp, const char *name)
{
	size_t i;

	for (i = 0; i < cp->nt; i++)
		if (strcmp(cp->t[i].name, name) == 0)
			return &cp->t[i];
	return NULL;
}

static struct copy_col *
col_find(struct copy_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, name) == 0)
			return &t->cols[i];
	return NULL;
}

/* The target's tables; says which are on one side only. */
static enum zek_rc
pg_schema_tables(struct copy *cp, int *problems)
{
	PGresult *res;
	int i, n;
	size_t k;
	const char *name;

	res = pg_run(cp,
	    "SELECT table_name FROM information_schema.tables "
	    "WHERE table_schema = current_schema() AND table_type = "
	    "'BASE TABLE' ORDER BY table_name COLLATE \"C\"",
	    NULL, PGRES_TUPLES_OK);
	if (res == NULL)
		return ZEK_IO;
	n = PQntuples(res);
	cp->pg_tables = arena_calloc(cp->a, (size_t)n + 1, sizeof(char *));
	if (cp->pg_tables == NULL) {
		PQclear(res);
		return nomem();
	}
	for (i = 0; i < n; i++) {
		struct copy_table *t;

		name = PQgetvalue(res, i, 0);
		if ((cp->pg_tables[cp->npg++] = arena_strdup(cp->a, name)) ==
		    NULL) {
			PQclear(res);
			return nomem();
		}
		if (pg_own_table(name) != NULL)
			continue;
		t = table_find(cp, name);
		if (t == NULL) {
			fprintf(stderr,
			    "zek: copy-db: table %s is only in "
			    "PostgreSQL\n",
			    name);
			(*problems)++;
		} else {
			t->on_pg = true;
		}
	}
	PQclear(res);
	for (k = 0; k < cp->nt; k++) {
		if (!cp->t[k].on_pg) {
			fprintf(stderr,
			    "zek: copy-db: table %s is only in SQLite\n",
			    cp->t[k].name);
			(*problems)++;
		}
	}
	return ZEK_OK;
}

/* One table's columns on the target against SQLite's. */
static enum zek_rc
pg_schema_cols(struct copy *cp, struct copy_table *t, int *problems)
{
	PGresult *res;
	struct copy_col *c;
	int i, n;
	size_t k;

	res = pg_run(cp,
	    "SELECT column_name, data_type FROM "
	    "information_schema.columns WHERE table_schema = current_schema() "
	    "AND table_name = $1 ORDER BY ordinal_position",
	    t->name, PGRES_TUPLES_OK);
	if (res == NULL)
		return ZEK_IO;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		c = col_find(t, PQgetvalue(res, i, 0));
		if (c == NULL) {
			fprintf(stderr,
			    "zek: copy-db: column %s.%s is only in "
			    "PostgreSQL\n",
			    t->name, PQgetvalue(res, i, 0));
			(*problems)++;
			continue;
		}
		c->pg_type = arena_strdup(cp->a, PQgetvalue(res, i, 1));
		if (c->pg_type == NULL) {
			PQclear(res);
			return nomem();
		}
		c->kind = pg_kind(c->pg_type);
		if (c->kind == KIND_OTHER ||
		    !lite_fits(c->lite_type, c->kind)) {
			fprintf(stderr,
			    "zek: copy-db: column %s.%s is %s in "
			    "SQLite but %s in PostgreSQL\n",
			    t->name, c->name, c->lite_type, c->pg_type);
			(*problems)++;
		}
	}
	PQclear(res);
	for (k = 0; k < t->ncols; k++) {
		if (t->cols[k].pg_type == NULL) {
			fprintf(stderr,
			    "zek: copy-db: column %s.%s is only in "
			    "SQLite\n",
			    t->name, t->cols[k].name);
			(*problems)++;
		}
	}
	return ZEK_OK;
}

/* The tables a table's foreign keys point to, from the target (where
 * they are enforced): they are copied first. */
static enum zek_rc
pg_parents(struct copy *cp, struct copy_table *t)
{
	PGresult *res;
	int i, n;

	res = pg_run(cp,
	    "SELECT DISTINCT p.relname FROM pg_constraint k "
	    "JOIN pg_class p ON p.oid = k.confrelid WHERE k.contype = 'f' "
	    "AND k.conrelid = quote_ident($1)::regclass "
	    "AND k.confrelid <> k.conrelid",
	    t->name, PGRES_TUPLES_OK);
	if (res == NULL)
		return ZEK_IO;
	n = PQntuples(res);
	t->parents = arena_calloc(cp->a, (size_t)n + 1, sizeof(char *));
	if (t->parents == NULL) {
		PQclear(res);
		return nomem();
	}
	for (i = 0; i < n; i++)
		if ((t->parents[t->nparents++] = arena_strdup(cp->a,
		         PQgetvalue(res, i, 0))) == NULL) {
			PQclear(res);
			return nomem();
		}
	PQclear(res);
	return ZEK_OK;
}

/* The column list and the order both sides read a table in: by its
 * primary key (the target's), text compared bytewise on both sides (as
 * SQLite's BINARY); by every column when it has none. */
static enum zek_rc
table_sql(struct copy *cp, struct copy_table *t)
{
	struct buf cols, lo, po;
	PGresult *res;
	int i, n;
	size_t k;
	enum zek_rc rc = ZEK_OK;

	res = pg_run(cp,
	    "SELECT a.attname FROM pg_index x JOIN pg_attribute "
	    "a ON a.attrelid = x.indrelid AND a.attnum = ANY (x.indkey) "
	    "WHERE x.indrelid = quote_ident($1)::regclass AND x.indisprimary "
	    "ORDER BY array_position(x.indkey::int2[], a.attnum)",
	    t->name, PGRES_TUPLES_OK);
	if (res == NULL)
		return ZEK_IO;
	buf_init(&cols, 1 << 16);
	buf_init(&lo, 1 << 16);
	buf_init(&po, 1 << 16);
	for (k = 0; k < t->ncols; k++) {
		buf_puts(&cols, k > 0 ? ", " : "");
		put_ident(&cols, t->cols[k].name);
	}
	n = PQntuples(res);
	for (i = 0; i < (n > 0 ? n : (int)t->ncols); i++) {
		const char *name = n > 0 ? PQgetvalue(res, i, 0) :
		                           t->cols[i].name;
		struct copy_col *c = col_find(t, name);

		buf_puts(&lo, i > 0 ? ", " : "");
		put_ident(&lo, name);
		buf_puts(&po, i > 0 ? ", " : "");
		put_ident(&po, name);
		if (c != NULL && c->kind == KIND_TEXT)
			buf_puts(&po, " COLLATE \"C\"");
	}
	PQclear(res);
	if (cols.failed || lo.failed || po.failed || cols.data == NULL ||
	    lo.data == NULL || po.data == NULL) {
		rc = nomem();
		goto out;
	}
	t->cols_sql = arena_strdup(cp->a, cols.data);
	t->lite_order = arena_strdup(cp->a, lo.data);
	t->pg_order = arena_strdup(cp->a, po.data);
	if (t->cols_sql == NULL || t->lite_order == NULL || t->pg_order == NULL)
		rc = nomem();
out:
	buf_free(&cols);
	buf_free(&lo);
	buf_free(&po);
	return rc;
}

/* Parents before children: a foreign key never points to a table not
 * copied yet. */
static enum zek_rc
order_tables(struct copy *cp)
{
	struct copy_table *sorted;
	size_t done, i, k;
	bool ready;

	sorted = arena_calloc(cp->a, cp->nt + 1, sizeof(*sorted));
	if (sorted == NULL)
		return nomem();
	for (done = 0; done < cp->nt;) {
		for (i = 0; i < cp->nt; i++) {
			struct copy_table *t = &cp->t[i], *p;

			if (t->placed)
				continue;
			ready = true;
			for (k = 0; k < t->nparents && ready; k++) {
				p = table_find(cp, t->parents[k]);
				ready = p == NULL || p->placed;
			}
			if (ready)
				break;
		}
		if (i == cp->nt) {
			fputs(
			    "zek: copy-db: the foreign keys of the target form "
			    "a cycle; no order copies parents first\n",
			    stderr);
			return ZEK_INVALID;
		}
		cp->t[i].placed = true;
		sorted[done++] = cp->t[i];
	}
	cp->t = sorted;
	return ZEK_OK;
}

/* Both schemas read and compared; the tables in copy order. */
static enum zek_rc
compare_schemas(struct copy *cp)
{
	int problems = 0;
	enum zek_rc rc;
	size_t i;

	rc = lite_schema(cp);
	if (rc == ZEK_OK)
		rc = pg_schema_tables(cp, &problems);
	for (i = 0; rc == ZEK_OK && i < cp->nt; i++)
		if (cp->t[i].on_pg)
			rc = pg_schema_cols(cp, &cp->t[i], &problems);
	if (rc != ZEK_OK)
		return rc;
	if (problems > 0) {
		fprintf(stderr,
		    "zek: copy-db: the schemas of %s and %s differ "
		    "(%d differences above); nothing was copied\n",
		    cp->from, cp->target, problems);
		return ZEK_INVALID;
	}
	for (i = 0; rc == ZEK_OK && i < cp->nt; i++)
		rc = pg_parents(cp, &cp->t[i]);
	for (i = 0; rc == ZEK_OK && i < cp->nt; i++)
		rc = table_sql(cp, &cp->t[i]);
	if (rc == ZEK_OK)
		rc = order_tables(cp);
	return rc;
}

/* Every user trigger of the copied tables is one copy.c knows how to
 * stand in for while it is off. */
static enum zek_rc
triggers_known(struct copy *cp)
{
	PGresult *res;
	int i, n, bad = 0;
	size_t k;

	res = pg_run(cp,
	    "SELECT c.relname, t.tgname, p.proname FROM "
	    "pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p "
	    "ON p.oid = t.tgfoid WHERE NOT t.tgisinternal AND c.relnamespace "
	    "= quote_ident(current_schema())::regnamespace",
	    NULL, PGRES_TUPLES_OK);
	if (res == NULL)
		return ZEK_IO;
	n = PQntuples(res);
	for (i = 0; i < n; i++) {
		for (k = 0; k < ZEK_ARRAY_LEN(known_trigger_fns); k++)
			if (strcmp(PQgetvalue(res, i, 2),
			        known_trigger_fns[k]) == 0)
				break;
		if (k < ZEK_ARRAY_LEN(known_trigger_fns))
			continue;
		fprintf(stderr,
		    "zek: copy-db: trigger %s on %s (function %s) "
		    "is new to copy-db, which switches triggers off while it "
		    "copies\n",
		    PQgetvalue(res, i, 1), PQgetvalue(res, i, 0),
		    PQgetvalue(res, i, 2));
		bad++;
	}
	PQclear(res);
	return bad > 0 ? ZEK_INVALID : ZEK_OK;
}

/* ---- the target: locked, empty ---- */

static enum zek_rc
target_lock(struct copy *cp)
{
	struct buf b;
	size_t i;
	enum zek_rc rc;

	buf_init(&b, 1 << 16);
	buf_puts(&b, "LOCK TABLE ");
	for (i = 0; i < cp->npg; i++) {
		buf_puts(&b, i > 0 ? ", " : "");
		put_ident(&b, cp->pg_tables[i]);
	}
	buf_puts(&b, " IN ACCESS EXCLUSIVE MODE");
	if (b.failed || b.data == NULL)
		rc = nomem();
	else
		rc = pg_do(cp, b.data);
	buf_free(&b);
	return rc;
}

/* Any row in any table but the migrations' own bookkeeping (which the
 * migrations fill: they seed nothing else) makes the target not empty. */
static enum zek_rc
target_empty(struct copy *cp)
{
	PGresult *res;
	const char *sql;
	bool has_rows;
	size_t i;

	for (i = 0; i < cp->npg; i++) {
		if (strcmp(cp->pg_tables[i], "schema_migrations") == 0)
			continue;
		sql = arena_printf(cp->a, "SELECT EXISTS (SELECT FROM %s)",
		    ident(cp->a, cp->pg_tables[i]));
		if (sql == NULL)
			return nomem();
		res = pg_run(cp, sql, NULL, PGRES_TUPLES_OK);
		if (res == NULL)
			return ZEK_IO;
		has_rows = PQgetvalue(res, 0, 0)[0] == 't';
		PQclear(res);
		if (has_rows) {
			fprintf(stderr,
			    "zek: copy-db: %s is not empty (table "
			    "%s has rows); copy-db only fills a new database, "
			    "nothing was changed\n",
			    cp->target, cp->pg_tables[i]);
			return ZEK_CONFLICT;
		}
	}
	return ZEK_OK;
}

/* Secondary indexes and foreign keys go during the copy and come back
 * after it, in the same transaction, as pg_restore does it: one sort per
 * index and one join per key instead of millions of single inserts into
 * each index and look-ups in each parent. Primary keys and unique rules
 * stay (the keys need them, and a duplicate fails at once). Each query
 * answers pairs of (drop, make again). */
static const char *const deferred_queries[] = {
	"SELECT format('ALTER TABLE %I DROP CONSTRAINT %I', t.relname, "
	"k.conname), format('ALTER TABLE %I ADD CONSTRAINT %I %s', t.relname, "
	"k.conname, pg_get_constraintdef(k.oid)) FROM pg_constraint k "
	"JOIN pg_class t ON t.oid = k.conrelid WHERE k.contype = 'f' AND "
	"t.relnamespace = quote_ident(current_schema())::regnamespace "
	"ORDER BY t.relname, k.conname",
	"SELECT format('DROP INDEX %I', i.relname), "
	"pg_get_indexdef(x.indexrelid) FROM pg_index x "
	"JOIN pg_class i ON i.oid = x.indexrelid "
	"JOIN pg_class t ON t.oid = x.indrelid WHERE t.relnamespace = "
	"quote_ident(current_schema())::regnamespace AND "
	"t.relname <> 'schema_migrations' AND NOT EXISTS (SELECT FROM "
	"pg_constraint k WHERE k.conindid = x.indexrelid AND "
	"k.conrelid = x.indrelid AND k.contype IN ('p', 'u', 'x')) "
	"ORDER BY t.relname, i.relname",
};

static enum zek_rc
defer_one(struct copy *cp, const char *query)
{
	PGresult *res;
	enum zek_rc rc = ZEK_OK;
	int i, n;

	res = pg_run(cp, query, NULL, PGRES_TUPLES_OK);
	if (res == NULL)
		return ZEK_IO;
	n = PQntuples(res);
	for (i = 0; rc == ZEK_OK && i < n; i++) {
		if (cp->nremake == cp->remake_cap) {
			cp->remake = sq_grow(cp->a, cp->remake, cp->nremake,
			    &cp->remake_cap, sizeof(char *));
			if (cp->remake == NULL) {
				rc = nomem();
				break;
			}
		}
		cp->remake[cp->nremake] = arena_strdup(cp->a,
		    PQgetvalue(res, i, 1));
		if (cp->remake[cp->nremake] == NULL)
			rc = nomem();
		else
			rc = pg_do(cp, PQgetvalue(res, i, 0));
		cp->nremake++;
	}
	PQclear(res);
	return rc;
}

static enum zek_rc
defer_drop(struct copy *cp)
{
	enum zek_rc rc = ZEK_OK;
	size_t i;

	for (i = 0; rc == ZEK_OK && i < ZEK_ARRAY_LEN(deferred_queries); i++)
		rc = defer_one(cp, deferred_queries[i]);
	return rc;
}

/* Indexes first: the foreign keys' checks may read them. */
static enum zek_rc
defer_remake(struct copy *cp)
{
	enum zek_rc rc = ZEK_OK;
	double t0 = now_s();
	size_t i;

	for (i = cp->nremake; rc == ZEK_OK && i > 0; i--)
		rc = pg_do(cp, cp->remake[i - 1]);
	if (rc == ZEK_OK)
		fprintf(stderr,
		    "zek: copy-db: %zu indexes and foreign keys "
		    "%8.1f s\n",
		    cp->nremake, now_s() - t0);
	return rc;
}

static enum zek_rc
triggers_set(struct copy *cp, const char *what)
{
	const char *sql;
	enum zek_rc rc = ZEK_OK;
	size_t i;

	for (i = 0; rc == ZEK_OK && i < cp->nt; i++) {
		sql = arena_printf(cp->a, "ALTER TABLE %s %s TRIGGER USER",
		    ident(cp->a, cp->t[i].name), what);
		rc = sql != NULL ? pg_do(cp, sql) : nomem();
	}
	return rc;
}

/* ---- copying: SQLite rows as COPY text ---- */

static void
put_i64(struct buf *b, int64_t v)
{
	char d[24], *p = d + sizeof(d);
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u > 0);
	if (v < 0)
		*--p = '-';
	buf_append(b, p, (size_t)(d + sizeof(d) - p));
}

/* Text with COPY's escapes for the characters it gives a meaning. */
static void
put_text(struct buf *b, const unsigned char *s, size_t n)
{
	size_t i, run = 0;
	char esc[2] = { '\\', 0 };

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '\\':
			esc[1] = '\\';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			continue;
		}
		buf_append(b, s + run, i - run);
		buf_append(b, esc, 2);
		run = i + 1;
	}
	buf_append(b, s + run, n - run);
}

/* bytea in hex (\x...), its backslash escaped for COPY. */
static void
put_hex(struct buf *b, const unsigned char *p, size_t n)
{
	static const char digits[] = "0123456789abcdef";
	char chunk[4096];
	size_t i, o = 0;

	buf_append(b, "\\\\x", 3);
	for (i = 0; i < n; i++) {
		chunk[o++] = digits[p[i] >> 4];
		chunk[o++] = digits[p[i] & 15];
		if (o == sizeof(chunk)) {
			buf_append(b, chunk, o);
			o = 0;
		}
	}
	buf_append(b, chunk, o);
}

static void
put_value(struct buf *b, sqlite3_stmt *st, int i, enum copy_kind kind)
{
	const unsigned char *p;
	int type = sqlite3_column_type(st, i);

	if (type == SQLITE_NULL) {
		buf_append(b, "\\N", 2);
	} else if (kind == KIND_INT && type == SQLITE_INTEGER) {
		put_i64(b, sqlite3_column_int64(st, i));
	} else if (kind == KIND_BYTES) {
		p = sqlite3_column_blob(st, i);
		put_hex(b, p, (size_t)sqlite3_column_bytes(st, i));
	} else {
		/* Text, or a value SQLite kept in a column of another type:
		 * PostgreSQL takes it if its type reads it. */
		p = sqlite3_column_text(st, i);
		put_text(b, p, (size_t)sqlite3_column_bytes(st, i));
	}
}

static enum zek_rc
copy_flush(struct copy *cp, struct buf *b)
{
	if (b->failed)
		return b->failed == ZEK_TOOBIG ? ZEK_TOOBIG : nomem();
	if (b->len > 0 && PQputCopyData(cp->pg, b->data, (int)b->len) != 1)
		return pg_fail(cp, NULL, "COPY");
	buf_reset(b);
	return ZEK_OK;
}

/* Ends the COPY (aborts it after a failure on our side); its result. */
static enum zek_rc
copy_end(struct copy *cp, struct copy_table *t, enum zek_rc rc)
{
	PGresult *res;
	int64_t n = -1;

	if (PQputCopyEnd(cp->pg, rc == ZEK_OK ? NULL : "copy-db failed") != 1)
		return pg_fail(cp, NULL, "COPY");
	while ((res = PQgetResult(cp->pg)) != NULL) {
		if (PQresultStatus(res) == PGRES_COMMAND_OK)
			n = strtoll(PQcmdTuples(res), NULL, 10);
		else if (rc == ZEK_OK)
			rc = pg_fail(cp, res, t->name);
		PQclear(res);
	}
	if (rc == ZEK_OK && n != t->rows) {
		fprintf(stderr,
		    "zek: copy-db: %s: %" PRId64 " rows sent, "
		    "PostgreSQL took %" PRId64 "\n",
		    t->name, t->rows, n);
		rc = ZEK_IO;
	}
	return rc;
}

static enum zek_rc
copy_table(struct copy *cp, struct copy_table *t)
{
	sqlite3_stmt *st = NULL;
	PGresult *res;
	struct buf b;
	const char *sel, *cmd;
	enum zek_rc rc = ZEK_OK;
	double t0 = now_s();
	size_t k;
	int src = SQLITE_DONE;

	sel = arena_printf(cp->a, "SELECT %s FROM %s ORDER BY %s", t->cols_sql,
	    ident(cp->a, t->name), t->lite_order);
	cmd = arena_printf(cp->a, "COPY %s (%s) FROM STDIN",
	    ident(cp->a, t->name), t->cols_sql);
	if (sel == NULL || cmd == NULL)
		return nomem();
	if (sqlite3_prepare_v2(cp->lite, sel, -1, &st, NULL) != SQLITE_OK)
		return lite_fail(cp, t->name);
	res = pg_run(cp, cmd, NULL, PGRES_COPY_IN);
	if (res == NULL) {
		sqlite3_finalize(st);
		return ZEK_IO;
	}
	PQclear(res);
	buf_init(&b, COPY_ROW_MAX);
	while (rc == ZEK_OK && (src = sqlite3_step(st)) == SQLITE_ROW) {
		for (k = 0; k < t->ncols; k++) {
			if (k > 0)
				buf_putc(&b, '\t');
			put_value(&b, st, (int)k, t->cols[k].kind);
		}
		buf_putc(&b, '\n');
		t->rows++;
		if (b.len >= COPY_CHUNK || b.failed)
			rc = copy_flush(cp, &b);
	}
	if (rc == ZEK_OK && src != SQLITE_DONE)
		rc = lite_fail(cp, t->name);
	if (rc == ZEK_OK)
		rc = copy_flush(cp, &b);
	rc = copy_end(cp, t, rc);
	buf_free(&b);
	sqlite3_finalize(st);
	if (rc == ZEK_OK)
		fprintf(stderr,
		    "zek: copy-db: %-24s %10" PRId64 " rows %8.1f s\n", t->name,
		    t->rows, now_s() - t0);
	cp->rows += t->rows;
	return rc;
}

/* PostgreSQL's own tables made from the copied rows. */
static enum zek_rc
fill_own(struct copy *cp)
{
	PGresult *res;
	bool ok;
	double t0;
	size_t i, k;

	for (i = 0; i < ZEK_ARRAY_LEN(pg_own); i++) {
		for (k = 0; k < cp->npg; k++)
			if (strcmp(cp->pg_tables[k], pg_own[i].name) == 0)
				break;
		if (pg_own[i].fill == NULL || k == cp->npg)
			continue;
		t0 = now_s();
		if (pg_do(cp, pg_own[i].fill) != ZEK_OK)
			return ZEK_IO;
		res = pg_run(cp, pg_own[i].check, NULL, PGRES_TUPLES_OK);
		if (res == NULL)
			return ZEK_IO;
		ok = PQgetvalue(res, 0, 0)[0] == 't';
		PQclear(res);
		if (!ok) {
			fprintf(stderr,
			    "zek: copy-db: %s is not complete after "
			    "filling it\n",
			    pg_own[i].name);
			return ZEK_IO;
		}
		fprintf(stderr, "zek: copy-db: %-24s %10s      %8.1f s\n",
		    pg_own[i].name, "(made)", now_s() - t0);
	}
	return ZEK_OK;
}

/* ---- sequences ---- */

/* The highest id SQLite ever handed out for a table with AUTOINCREMENT
 * (sqlite_sequence): ids of deleted rows are not handed out again. */
static int64_t
lite_autoinc(struct copy *cp, const char *table)
{
	sqlite3_stmt *st = NULL;
	int64_t v = 0;

	if (sqlite3_prepare_v2(cp->lite,
	        "SELECT seq FROM sqlite_sequence "
	        "WHERE name = ?",
	        -1, &st, NULL) != SQLITE_OK)
		return 0; /* no AUTOINCREMENT table at all */
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Every sequence of the target after the highest value of the column it
 * belongs to, so the next automatic id collides with no copied one (and
 * a table's next request key comes from its copied counter column). */
static enum zek_rc
sequences_set(struct copy *cp)
{
	PGresult *res, *r2;
	const char *seq, *tab, *col, *sql, *p[2];
	char hi[24];
	int i, n;
	int64_t top, lite;
	enum zek_rc rc = ZEK_OK;

	res = pg_run(cp,
	    "SELECT s.relname, t.relname, a.attname FROM pg_class s "
	    "LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND "
	    "d.objid = s.oid AND d.refclassid = 'pg_class'::regclass AND "
	    "d.refobjsubid > 0 AND d.deptype IN ('a', 'i') "
	    "LEFT JOIN pg_class t ON t.oid = d.refobjid "
	    "LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND "
	    "a.attnum = d.refobjsubid WHERE s.relkind = 'S' AND "
	    "s.relnamespace = quote_ident(current_schema())::regnamespace",
	    NULL, PGRES_TUPLES_OK);
	if (res == NULL)
		return ZEK_IO;
	n = PQntuples(res);
	for (i = 0; rc == ZEK_OK && i < n; i++) {
		seq = PQgetvalue(res, i, 0);
		tab = PQgetvalue(res, i, 1);
		col = PQgetvalue(res, i, 2);
		if (PQgetisnull(res, i, 1)) {
			fprintf(stderr,
			    "zek: copy-db: sequence %s belongs to no "
			    "column, so copy-db cannot tell where it must "
			    "stand\n",
			    seq);
			rc = ZEK_INVALID;
			break;
		}
		if (table_find(cp, tab) == NULL)
			continue;
		sql = arena_printf(cp->a, "SELECT coalesce(max(%s), 0) FROM %s",
		    ident(cp->a, col), ident(cp->a, tab));
		if (sql == NULL ||
		    (r2 = pg_run(cp, sql, NULL, PGRES_TUPLES_OK)) == NULL) {
			rc = sql == NULL ? nomem() : ZEK_IO;
			break;
		}
		top = strtoll(PQgetvalue(r2, 0, 0), NULL, 10);
		PQclear(r2);
		lite = lite_autoinc(cp, tab);
		if (lite > top)
			top = lite;
		if (top <= 0)
			continue;
		snprintf(hi, sizeof(hi), "%" PRId64, top);
		p[0] = seq;
		p[1] = hi;
		r2 = PQexecParams(cp->pg,
		    "SELECT setval(quote_ident($1)::regclass, "
		    "$2::bigint)",
		    2, NULL, p, NULL, NULL, 0);
		if (PQresultStatus(r2) != PGRES_TUPLES_OK)
			rc = pg_fail(cp, r2, seq);
		PQclear(r2);
	}
	PQclear(res);
	return rc;
}

/* ---- checking: counts and checksums on both sides ---- */

/* One value into the checksum: a tag (n NULL, i integer, t text,
 * b bytes), the length (the value itself for an integer), the bytes.
 * The same value gives the same input whatever the backend. */
static void
hash_put(crypto_generichash_state *h, char tag, const void *p, uint64_t n)
{
	unsigned char head[9];
	int k;

	head[0] = (unsigned char)tag;
	for (k = 0; k < 8; k++)
		head[1 + k] = (unsigned char)(n >> (8 * k));
	crypto_generichash_update(h, head, sizeof(head));
	if (p != NULL && tag != 'i' && n > 0)
		crypto_generichash_update(h, p, (size_t)n);
}

static enum zek_rc
lite_sum(struct copy *cp, struct copy_table *t, unsigned char *sum,
    int64_t *rows)
{
	crypto_generichash_state h;
	sqlite3_stmt *st = NULL;
	const char *sel;
	const void *p;
	size_t k;
	int src, type;

	sel = arena_printf(cp->a, "SELECT %s FROM %s ORDER BY %s", t->cols_sql,
	    ident(cp->a, t->name), t->lite_order);
	if (sel == NULL)
		return nomem();
	if (sqlite3_prepare_v2(cp->lite, sel, -1, &st, NULL) != SQLITE_OK)
		return lite_fail(cp, t->name);
	crypto_generichash_init(&h, NULL, 0, crypto_generichash_BYTES);
	*rows = 0;
	while ((src = sqlite3_step(st)) == SQLITE_ROW) {
		for (k = 0; k < t->ncols; k++) {
			type = sqlite3_column_type(st, (int)k);
			if (type == SQLITE_NULL) {
				hash_put(&h, 'n', NULL, 0);
			} else if (t->cols[k].kind == KIND_INT &&
			    type == SQLITE_INTEGER) {
				hash_put(&h, 'i', NULL,
				    (uint64_t)sqlite3_column_int64(st, (int)k));
			} else if (t->cols[k].kind == KIND_BYTES) {
				p = sqlite3_column_blob(st, (int)k);
				hash_put(&h, 'b', p,
				    (uint64_t)sqlite3_column_bytes(st, (int)k));
			} else {
				p = sqlite3_column_text(st, (int)k);
				hash_put(&h, 't', p,
				    (uint64_t)sqlite3_column_bytes(st, (int)k));
			}
		}
		(*rows)++;
	}
	sqlite3_finalize(st);
	if (src != SQLITE_DONE)
		return lite_fail(cp, t->name);
	crypto_generichash_final(&h, sum, crypto_generichash_BYTES);
	return ZEK_OK;
}

/* A binary-format integer of 2, 4 or 8 bytes, big-endian. */
static int64_t
be_int(const unsigned char *p, int n)
{
	uint64_t u = 0;
	int k;

	for (k = 0; k < n; k++)
		u = u << 8 | p[k];
	if (n < 8 && (p[0] & 0x80))
		u |= ~(uint64_t)0 << (8 * n);
	return (int64_t)u;
}

static void
pg_sum_row(crypto_generichash_state *h, const PGresult *res,
    const struct copy_table *t)
{
	const unsigned char *p;
	size_t k;
	int len;

	for (k = 0; k < t->ncols; k++) {
		if (PQgetisnull(res, 0, (int)k)) {
			hash_put(h, 'n', NULL, 0);
			continue;
		}
		p = (const unsigned char *)PQgetvalue(res, 0, (int)k);
		len = PQgetlength(res, 0, (int)k);
		if (t->cols[k].kind == KIND_INT)
			hash_put(h, 'i', NULL, (uint64_t)be_int(p, len));
		else
			hash_put(h, t->cols[k].kind == KIND_BYTES ? 'b' : 't',
			    p, (uint64_t)len);
	}
}

/* The target's rows in the same order, in binary form (exact bytes and
 * integers, no text rendering to agree on), one row at a time. */
static enum zek_rc
pg_sum(struct copy *cp, struct copy_table *t, unsigned char *sum, int64_t *rows)
{
	crypto_generichash_state h;
	PGresult *res;
	const char *sel;
	enum zek_rc rc = ZEK_OK;
	bool done = false;

	sel = arena_printf(cp->a, "SELECT %s FROM %s ORDER BY %s", t->cols_sql,
	    ident(cp->a, t->name), t->pg_order);
	if (sel == NULL)
		return nomem();
	if (!PQsendQueryParams(cp->pg, sel, 0, NULL, NULL, NULL, NULL, 1) ||
	    !PQsetSingleRowMode(cp->pg))
		return pg_fail(cp, NULL, t->name);
	crypto_generichash_init(&h, NULL, 0, crypto_generichash_BYTES);
	*rows = 0;
	while ((res = PQgetResult(cp->pg)) != NULL) {
		switch (PQresultStatus(res)) {
		case PGRES_SINGLE_TUPLE:
			if (rc == ZEK_OK)
				pg_sum_row(&h, res, t);
			(*rows)++;
			break;
		case PGRES_TUPLES_OK:
			done = true;
			break;
		default:
			if (rc == ZEK_OK)
				rc = pg_fail(cp, res, t->name);
		}
		PQclear(res);
	}
	if (rc == ZEK_OK && !done)
		rc = pg_fail(cp, NULL, t->name);
	crypto_generichash_final(&h, sum, crypto_generichash_BYTES);
	return rc;
}

static enum zek_rc
verify(struct copy *cp)
{
	unsigned char a[crypto_generichash_BYTES], b[crypto_generichash_BYTES];
	int64_t na, nb;
	enum zek_rc rc = ZEK_OK;
	double t0 = now_s();
	size_t i;
	int bad = 0;

	for (i = 0; rc == ZEK_OK && i < cp->nt; i++) {
		rc = lite_sum(cp, &cp->t[i], a, &na);
		if (rc == ZEK_OK)
			rc = pg_sum(cp, &cp->t[i], b, &nb);
		if (rc != ZEK_OK)
			break;
		if (na != nb) {
			fprintf(stderr,
			    "zek: copy-db: %s: %" PRId64 " rows in "
			    "SQLite, %" PRId64 " in PostgreSQL\n",
			    cp->t[i].name, na, nb);
			bad++;
		} else if (memcmp(a, b, sizeof(a)) != 0) {
			fprintf(stderr,
			    "zek: copy-db: %s: the checksums "
			    "differ\n",
			    cp->t[i].name);
			bad++;
		}
	}
	if (rc == ZEK_OK && bad > 0) {
		fprintf(stderr,
		    "zek: copy-db: %d tables differ after the copy; "
		    "rolled back, %s is empty again\n",
		    bad, cp->target);
		rc = ZEK_IO;
	}
	if (rc == ZEK_OK)
		fprintf(stderr,
		    "zek: copy-db: checked %zu tables (rows and "
		    "checksums) %8.1f s\n",
		    cp->nt, now_s() - t0);
	return rc;
}

/* ---- the whole ---- */

static enum zek_rc
copy_rows(struct copy *cp)
{
	enum zek_rc rc;
	size_t i;

	rc = pg_do(cp, "BEGIN");
	if (rc == ZEK_OK)
		rc = pg_do(cp, "SET LOCAL lock_timeout = " LOCK_TIMEOUT);
	/* Memory for the sorts that make the indexes again. */
	if (rc == ZEK_OK)
		rc = pg_do(cp, "SET LOCAL maintenance_work_mem = '256MB'");
	if (rc == ZEK_OK)
		rc = target_lock(cp);
	if (rc == ZEK_OK)
		rc = target_empty(cp);
	/* Ids, search rows: set and made once after the copy, not per row
	 * by triggers. CHECKs stay on; the foreign keys check every row
	 * when they are made again. */
	if (rc == ZEK_OK)
		rc = triggers_set(cp, "DISABLE");
	if (rc == ZEK_OK)
		rc = defer_drop(cp);
	for (i = 0; rc == ZEK_OK && i < cp->nt; i++)
		rc = copy_table(cp, &cp->t[i]);
	if (rc == ZEK_OK)
		rc = triggers_set(cp, "ENABLE");
	if (rc == ZEK_OK)
		rc = fill_own(cp);
	if (rc == ZEK_OK)
		rc = defer_remake(cp);
	if (rc == ZEK_OK)
		rc = verify(cp);
	/* Last: setval is not undone by a rollback. */
	if (rc == ZEK_OK)
		rc = sequences_set(cp);
	if (rc == ZEK_OK)
		rc = pg_do(cp, "COMMIT");
	if (rc != ZEK_OK && PQtransactionStatus(cp->pg) != PQTRANS_IDLE)
		PQclear(PQexec(cp->pg, "ROLLBACK"));
	return rc;
}

static enum zek_rc
open_both(struct copy *cp, const char *to, struct store **src,
    struct store **dst)
{
	enum zek_rc rc;

	/* store_open refuses a schema newer than this zek's on either side. */
	rc = store_open(cp->from, src);
	if (rc != ZEK_OK) {
		fprintf(stderr, "zek: copy-db: cannot open %s\n", cp->from);
		return rc;
	}
	rc = store_open(to, dst);
	if (rc != ZEK_OK) {
		fprintf(stderr, "zek: copy-db: cannot open %s\n", cp->target);
		return rc;
	}
	cp->lite = lite_conn(store_conn(*src))->db;
	cp->pg = pg_conn(store_conn(*dst))->db;
	return ZEK_OK;
}

enum zek_rc
store_copy_db(const char *from, const char *to, struct store_copy_stats *out)
{
	struct copy cp = { .from = from };
	struct store *src = NULL, *dst = NULL;
	enum zek_rc rc;
	double t0 = now_s();

	store_db_label(to, cp.target, sizeof(cp.target));
	if (store_is_pg(from) || !store_is_pg(to)) {
		fputs("zek: copy-db: --from takes a SQLite file, --to a "
		      "PostgreSQL connection string\n",
		    stderr);
		return ZEK_INVALID;
	}
	/* store_open would make a new, empty file. */
	if (access(from, R_OK | W_OK) != 0) {
		fprintf(stderr, "zek: copy-db: %s: %s\n", from,
		    strerror(errno));
		return ZEK_INVALID;
	}
	cp.a = arena_new(0);
	if (cp.a == NULL)
		return nomem();
	rc = open_both(&cp, to, &src, &dst);
	if (rc == ZEK_OK)
		rc = compare_schemas(&cp);
	if (rc == ZEK_OK)
		rc = triggers_known(&cp);
	/* One snapshot of the SQLite file for the copy and the check. */
	if (rc == ZEK_OK &&
	    sqlite3_exec(cp.lite, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		rc = lite_fail(&cp, "BEGIN");
	if (rc == ZEK_OK) {
		rc = copy_rows(&cp);
		sqlite3_exec(cp.lite, "ROLLBACK", NULL, NULL, NULL);
	}
	if (rc == ZEK_OK && out != NULL) {
		out->tables = cp.nt;
		out->rows = cp.rows;
		out->seconds = now_s() - t0;
	}
	store_close(dst);
	store_close(src);
	arena_free(cp.a);
	return rc;
}
