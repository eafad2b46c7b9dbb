/* check.c: zek check's reading of the database: the backend's own checks,
 * the search index against the requests, attachment sizes, counts. */
#include <inttypes.h>
#include <stdio.h>
#include <sys/stat.h>

#include "lib/arena.h"
#include "store/query.h"
#include "store/store.h"

/* A problem query lists one problem a row, as text, and reads no more
 * than STORE_CHECK_SHOWN + 1 rows: enough to name a few and to say there
 * are more, without reading all of a badly damaged table. */
#define FIRST " LIMIT 6"
_Static_assert(STORE_CHECK_SHOWN + 1 == 6,
    "FIRST reads one row more than shown");

struct check_sql {
	const char *name;
	const char *sql; /* a literal: the statement cache's key */
};

/* No hash of the bytes is stored; the size recorded at upload is. */
#define ATTACHMENT_SIZES \
	"SELECT 'attachment ' || id || ': ' || length(data) || ' bytes, ' " \
	"|| size || ' recorded' FROM attachments WHERE length(data) <> size" FIRST

/* Every request has its search row as the view makes it now (0007), and
 * no row is left of a deleted request. */
#define LITE_SEARCH \
	"SELECT 'request ' || d.issue_key || ' missing or stale' " \
	"FROM request_search_doc d WHERE NOT EXISTS (SELECT 1 " \
	"FROM request_search s WHERE s.rowid = d.id " \
	"AND s.issue_key IS d.issue_key AND s.title IS d.title " \
	"AND s.description IS d.description AND s.facets IS d.facets) " \
	"UNION ALL SELECT 'search row ' || s.rowid || ' without its request' " \
	"FROM request_search s WHERE NOT EXISTS (SELECT 1 FROM requests r " \
	"WHERE r.id = s.rowid)" FIRST

static const struct check_sql lite_checks[] = {
	/* One row may hold several lines, headed by the schema's name. */
	{ "integrity_check",
	    "SELECT trim(replace(replace(integrity_check, "
	    "'*** in database main ***', ''), char(10), ' ')) FROM "
	    "pragma_integrity_check WHERE integrity_check <> 'ok'" FIRST },
	{ "foreign keys",
	    "SELECT \"table\" || ' row ' || coalesce(rowid, '?') "
	    "|| ': its ' || parent || ' row is missing' "
	    "FROM pragma_foreign_key_check" FIRST },
	{ "search index", LITE_SEARCH },
	{ "attachment sizes", ATTACHMENT_SIZES },
};

/* The row zek_search_refresh (0002, 0006) would write; ON DELETE CASCADE
 * leaves none behind. Foreign keys PostgreSQL enforces itself. */
static const struct check_sql pg_checks[] = {
	{ "search index",
	    "SELECT 'request ' || r.issue_key || ' missing or "
	    "stale' FROM requests r LEFT JOIN request_search s ON s.id = r.id "
	    "WHERE s.id IS NULL OR s.doc <> zek_search_doc(r.issue_key, "
	    "r.title, (SELECT v.value FROM request_values v WHERE "
	    "v.request_id = r.id AND v.field_key = 'description' "
	    "ORDER BY v.position LIMIT 1)) OR s.facets <> "
	    "zek_search_facets(r.id)" FIRST },
	{ "attachment sizes", ATTACHMENT_SIZES },
};

static struct store_check_item *
add_item(struct store_check_report *r, const char *name)
{
	struct store_check_item *it = &r->items[r->nitems++];

	it->name = name;
	it->problems = 0;
	it->detail = "";
	return it;
}

/* A check that could not run found damage too (SQLite: a page that
 * cannot be read); the store logged why. */
static void
could_not_run(struct store_check_item *it)
{
	it->problems = 1;
	it->detail = "the check could not run (see the message above)";
}

/* Reads the problem rows one by one rather than with sq_collect: SQLite's
 * integrity_check hands out what it found and then fails on the damaged
 * page, and those rows are the report. */
static void
run_check(struct store_conn *c, struct arena *a, const struct check_sql *k,
    struct store_check_report *r)
{
	struct store_check_item *it = add_item(r, k->name);
	const char *rows[STORE_CHECK_SHOWN + 1];
	struct sq_row row;
	struct sq_stmt *st;
	enum zek_rc rc;
	size_t n = 0, i;

	st = sq_start(c, &rc, k->sql, "");
	while (
	    st != NULL && n < ZEK_ARRAY_LEN(rows) && sq_next(c, st, &rc) == 1) {
		row = (struct sq_row){ .a = a, .c = c, .st = st };
		rows[n++] = sq_col_str(&row);
	}
	sq_finish(c, st);
	if (rc != ZEK_OK && n == 0) {
		could_not_run(it);
		return;
	}
	it->problems = (int64_t)n;
	for (i = 0; i < n && i < STORE_CHECK_SHOWN; i++)
		it->detail = arena_printf(a, "%s%s%s", it->detail,
		    i > 0 ? "; " : "", rows[i]);
	if (n > STORE_CHECK_SHOWN || rc != ZEK_OK)
		it->detail = arena_printf(a, "%s; ...", it->detail);
	if (it->detail == NULL)
		it->detail = "";
}

/* FTS5 compares its inverted index with the rows it holds; a write
 * statement, so it runs before the read snapshot begins, and writers
 * wait for it (zek serve's give up after 5 s): only when asked for. */
static void
lite_fts_check(struct store_conn *c, struct store_check_report *r)
{
	struct store_check_item *it = add_item(r, "FTS5 index");

	if (sq_exec_sql(c,
	        "INSERT INTO request_search (request_search) "
	        "VALUES ('integrity-check')") != ZEK_OK)
		could_not_run(it);
}

static enum zek_rc
read_counts(struct store_conn *c, struct store_check_report *r)
{
	enum zek_rc rc;

	rc = sq_query_i64(c, &r->requests, "SELECT count(*) FROM requests", "");
	if (rc == ZEK_OK)
		rc = sq_query_i64(c, &r->comments,
		    "SELECT count(*) FROM comments", "");
	if (rc == ZEK_OK)
		rc = sq_query_i64(c, &r->attachments,
		    "SELECT count(*) FROM attachments", "");
	if (rc == ZEK_OK)
		rc = sq_query_i64(c, &r->users, "SELECT count(*) FROM users",
		    "");
	return rc;
}

static void
check_schema(struct store_conn *c, struct arena *a,
    struct store_check_report *r)
{
	struct store_check_item *it = add_item(r, "schema version");

	r->schema_binary = store_migration_count(c->store);
	if (store_schema_version(c, &r->schema_version) != ZEK_OK) {
		could_not_run(it);
		return;
	}
	it->problems = r->schema_version != r->schema_binary;
	it->detail = arena_printf(a, "database %" PRId64 ", this zek %d",
	    r->schema_version, r->schema_binary);
	if (it->detail == NULL)
		it->detail = "";
}

enum zek_rc
store_check(struct store_conn *c, struct arena *a, bool full,
    struct store_check_report *out)
{
	const struct check_sql *checks = c->drv->is_pg ? pg_checks :
	                                                 lite_checks;
	size_t n = c->drv->is_pg ? ZEK_ARRAY_LEN(pg_checks) :
	                           ZEK_ARRAY_LEN(lite_checks),
	       i;
	enum zek_rc rc;

	*out = (struct store_check_report){ 0 };
	if (full && !c->drv->is_pg)
		lite_fts_check(c, out);
	/* One snapshot, so that the counts and the index agree while zek
	 * serve goes on writing. */
	rc = sq_exec_sql(c,
	    sq_dialect(c, "BEGIN",
	        "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
	if (rc != ZEK_OK)
		return rc;
	check_schema(c, a, out);
	for (i = 0; i < n; i++)
		run_check(c, a, &checks[i], out);
	if (read_counts(c, out) != ZEK_OK)
		could_not_run(add_item(out, "counts"));
	store_rollback(c);
	return ZEK_OK;
}

bool
store_check_passed(const struct store_check_report *r)
{
	size_t i;

	for (i = 0; i < r->nitems; i++)
		if (r->items[i].problems > 0)
			return false;
	return true;
}

static void
map_text(struct sq_row *r, void *elem)
{
	*(const char **)elem = sq_col_str(r);
}

/* The write-ahead log's bytes: its pages are the database's until the
 * next checkpoint moves them into the file. */
static int64_t
lite_wal_bytes(struct store_conn *c, struct arena *a)
{
	const char **file = NULL, *wal;
	struct sq_stmt *st;
	struct stat sb;
	enum zek_rc rc;

	st = sq_start(c, &rc,
	    "SELECT file FROM pragma_database_list "
	    "WHERE name = 'main'",
	    "");
	if (st == NULL ||
	    sq_collect_one(c, a, st, map_text, sizeof(*file), (void **)&file) !=
	        ZEK_OK ||
	    (*file)[0] == '\0')
		return 0;
	wal = arena_printf(a, "%s-wal", *file);
	return wal != NULL && stat(wal, &sb) == 0 ? (int64_t)sb.st_size : 0;
}

enum zek_rc
store_db_size(struct store_conn *c, struct arena *a, int64_t *out)
{
	enum zek_rc rc;

	if (c->drv->is_pg)
		return sq_query_i64(c, out,
		    "SELECT "
		    "pg_database_size(current_database())",
		    "");
	rc = sq_query_i64(c, out,
	    "SELECT page_count * page_size "
	    "FROM pragma_page_count(), pragma_page_size()",
	    "");
	if (rc == ZEK_OK)
		*out += lite_wal_bytes(c, a);
	return rc;
}
