/* pg.c: the PostgreSQL driver of the store (query.h), on libpq:
 * connections, statements, scopes, migrations. The queries themselves
 * live in the backend-neutral files; the list and queues in pg_search.c.
 *
 * Each statement runs to its end when it starts (PQexecPrepared) and its
 * rows are then read from the result: a row never waits on the server, so
 * statements may be started inside another's loop as on SQLite. */
#include "lib/log.h"
#include "lib/str.h"
#include "store/pg_int.h"

#include <ctype.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/arena.h"
#include "store/migrations.h"
#include "store/pg_search.h"

#define PG_MIN_VERSION 130000 /* PQserverVersion of 13.0 */
/* Type oids (catalog/pg_type_d.h is a server header). */
#define BYTEA_OID 17
#define INT8_OID 20
#define TEXT_OID 25
/* The advisory lock migrations hold: "zekmig". */
#define MIGRATE_LOCK "134576012618087" /* 0x7a656b6d6967 */
#define NUM_MAX 24                     /* an int64_t in decimal, with its NUL */

struct pg_store {
	struct store base;
	char *conninfo; /* secret: may hold a password */
	/* Request numbers: one connection of the process's own, each
	 * UPDATE a transaction of its own (pg_take_number). */
	pthread_mutex_t number_lock;
	PGconn *number_db;
};

static struct pg_stmt *
pg_stmt(struct sq_stmt *st)
{
	return (struct pg_stmt *)(void *)st;
}

const char *
pg_last_sqlstate(struct store_conn *c)
{
	return pg_conn(c)->last_sqlstate;
}

/* ---- errors ---- */

/* One line per message: libpq's may span several and end in a newline.
 * what: the statement or step (NULL: none). */
static void
log_msg_at(enum log_level level, const char *what, const char *msg)
{
	char line[512];
	size_t n = 0;
	bool space = false;

	for (; msg != NULL && *msg != '\0' && n + 1 < sizeof(line); msg++) {
		if (*msg == '\n' || *msg == '\t' || *msg == ' ') {
			space = n > 0;
			continue;
		}
		if (space && n + 2 < sizeof(line))
			line[n++] = ' ';
		space = false;
		line[n++] = *msg;
	}
	line[n] = '\0';
	if (what != NULL)
		log_emit(level, "store", "postgresql error",
		    LOG_FIELDS(LOG_S("error", n > 0 ? line : "unknown error"),
		        LOG_S("statement", what)));
	else
		log_emit(level, "store", "postgresql error",
		    LOG_FIELDS(LOG_S("error", n > 0 ? line : "unknown error")));
}

static void
log_msg(const char *what, const char *msg)
{
	log_msg_at(LOG_LEVEL_ERROR, what, msg);
}

/* The kind of failure a SQLSTATE is, for /metrics. */
static enum store_error_kind
error_kind(const char *state)
{
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
		return STORE_ERR_SERIALIZATION;
	if (strcmp(state, "55P03") == 0)
		return STORE_ERR_BUSY; /* lock_not_available */
	if (strncmp(state, "08", 2) == 0)
		return STORE_ERR_CONNECTION;
	return STORE_ERR_OTHER;
}

static void
set_sqlstate(struct pg_conn *c, const char *state)
{
	/* "current transaction is aborted" only repeats the failure that
	 * aborted it, which is the one worth knowing. */
	if (strcmp(state, "25P02") == 0 && c->last_sqlstate[0] != '\0')
		return;
	/* Serialisation failure, deadlock: the database picked us as the
	 * one to give way; the whole transaction may run again. */
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
		c->base.retryable = true;
	snprintf(c->last_sqlstate, sizeof(c->last_sqlstate), "%s", state);
}

/* The connection was lost in a scope (a fail-over, a server restart): its
 * transaction went with it, so the scope may run again from its start on
 * a new connection (store_scope_run), as after a deadlock. Not when the
 * COMMIT was under way: whether it was made is unknown. */
static void
lost_in_scope(struct pg_conn *c, const char *what)
{
	if (c->base.scoped && (what == NULL || strcmp(what, "COMMIT") != 0))
		c->base.retryable = true;
}

/* Only the primary message is logged, never its DETAIL: that quotes the
 * row ("Key (email_fold)=(...)", "Failing row contains ..."). */
enum zek_rc
pg_err(struct pg_conn *c, const PGresult *res, const char *what)
{
	const char *state, *msg;
	char line[128];

	state = res != NULL ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	if (state == NULL) {
		/* Not the server's answer: the connection, or our memory. */
		if (PQstatus(c->db) != CONNECTION_OK) {
			set_sqlstate(c, "08006");
			sq_error_count(STORE_ERR_CONNECTION);
			log_msg(what, PQerrorMessage(c->db));
			lost_in_scope(c, what);
			return ZEK_IO;
		}
		sq_error_count(STORE_ERR_OTHER);
		if (res == NULL) {
			log_msg(what, "out of memory");
			return ZEK_NOMEM;
		}
		log_msg(what, PQresultErrorMessage(res));
		return ZEK_IO;
	}
	set_sqlstate(c, state);
	/* A unique key taken is an expected answer, not a fault. */
	if (strcmp(state, "23505") == 0)
		return ZEK_CONFLICT;
	msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0) {
		sq_error_count(STORE_ERR_SERIALIZATION);
		snprintf(line, sizeof(line),
		    "%s, the transaction may be "
		    "retried (SQLSTATE %s)",
		    state[2] == '0' ? "serialization failure" : "deadlock",
		    state);
		log_msg_at(LOG_LEVEL_WARNING, what, line);
		return ZEK_IO;
	}
	snprintf(line, sizeof(line), "%.96s (SQLSTATE %s)",
	    msg != NULL ? msg : "error", state);
	log_msg(what, line);
	/* The schema's own refusals below are answers, not failures. */
	if (strncmp(state, "23", 2) != 0 || strcmp(state, "23503") == 0 ||
	    strcmp(state, "23514") == 0 || strcmp(state, "23502") == 0)
		sq_error_count(error_kind(state));
	if (strcmp(state, "53200") == 0)
		return ZEK_NOMEM;
	if (strcmp(state, "54000") == 0)
		return ZEK_TOOBIG;
	/* Foreign key, NOT NULL and CHECK failures are faults of ours; the
	 * schema's own refusals (zek_refuse_change: 23000) are conflicts, as
	 * SQLite's RAISE(ABORT) are. */
	if (strncmp(state, "23", 2) == 0 && strcmp(state, "23503") != 0 &&
	    strcmp(state, "23514") != 0 && strcmp(state, "23502") != 0)
		return ZEK_CONFLICT;
	return ZEK_IO;
}

/* ---- connections ---- */

/* Warnings (client_min_messages) in our log's form, not libpq's. */
static void
on_notice(void *arg, const char *msg)
{
	(void)arg;
	log_msg_at(LOG_LEVEL_WARNING, NULL, msg);
}

/* What every session needs before its first statement. JIT and parallel
 * workers off: both pay off for long analytic queries, while zek's run for
 * milliseconds. On the bench database (auto_explain, bench/README.md) a
 * list over 1,000,000 rows, whose estimated cost passes jit_above_cost,
 * spent 100-250 ms compiling itself, and a search that found nothing in
 * 0.5 ms took 50 ms to start and stop its parallel workers. A page read
 * at random costs about as much as one read in order (random_page_cost
 * 1.1, not 4): zek's tables are read from memory or an SSD, and at 4 the
 * count of a queue's search joined 1,500 matches with all 95,000 open
 * requests by hash instead of looking each up (30 -> 17 ms,
 * docs/internals/performance.md, sixth round). */
static enum zek_rc
session_setup(struct pg_conn *c)
{
	static const char settings[] =
	    "SET client_encoding = 'UTF8'; SET TIME ZONE 'UTC'; "
	    "SET standard_conforming_strings = on; SET bytea_output = 'hex'; "
	    "SET client_min_messages = warning; SET jit = off; "
	    "SET max_parallel_workers_per_gather = 0; "
	    "SET random_page_cost = 1.1";
	enum zek_rc rc = ZEK_OK;
	PGresult *res;
	int v = PQserverVersion(c->db);

	if (v < PG_MIN_VERSION) {
		log_error("store", "zek needs PostgreSQL 13 or newer",
		    LOG_FIELDS(LOG_I("server_version", v)));
		return ZEK_IO;
	}
	/* Terse: the primary message only, never DETAIL's row values. */
	PQsetErrorVerbosity(c->db, PQERRORS_TERSE);
	PQsetNoticeProcessor(c->db, on_notice, NULL);
	res = PQexec(c->db, settings);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = pg_err(c, res, "session settings");
	PQclear(res);
	return rc;
}

static void
stmt_clear(struct pg_stmt *st)
{
	PQclear(st->res);
	st->res = NULL;
	st->row = -1;
	st->nrows = 0;
}

static void
conn_free(struct pg_conn *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->ncache; i++) {
		stmt_clear(&c->cache[i]);
		free(c->cache[i].types);
		free(c->cache[i].text);
	}
	PQfinish(c->db); /* an open transaction rolls back */
	free(c);
}

static void
pg_conn_free(struct store_conn *c)
{
	conn_free(pg_conn(c));
}

static struct store_conn *
pg_conn_open(struct store *base)
{
	struct pg_store *st = (struct pg_store *)(void *)base;
	struct pg_conn *c;

	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->base.drv = &sq_pg_driver;
	c->base.store = base;
	c->db = PQconnectdb(st->conninfo);
	if (c->db == NULL) {
		log_msg(NULL, "out of memory");
		goto fail;
	}
	/* libpq's message names host and port, never the password. */
	if (PQstatus(c->db) != CONNECTION_OK) {
		sq_error_count(STORE_ERR_CONNECTION);
		log_msg(NULL, PQerrorMessage(c->db));
		goto fail;
	}
	if (session_setup(c) != ZEK_OK)
		goto fail;
	return &c->base;
fail:
	conn_free(c);
	return NULL;
}

/* After a lost connection (a server restart): a new session, unless a
 * transaction of ours was open on the old one, whose rest must not run
 * without its beginning; that one fails until it ends. */
static enum zek_rc
conn_reset(struct pg_conn *c)
{
	size_t i;

	if (c->in_tx) {
		set_sqlstate(c, "08006");
		lost_in_scope(c, NULL);
		return ZEK_IO;
	}
	PQreset(c->db);
	if (PQstatus(c->db) != CONNECTION_OK) {
		sq_error_count(STORE_ERR_CONNECTION);
		log_msg("reconnect", PQerrorMessage(c->db));
		return ZEK_IO;
	}
	for (i = 0; i < c->ncache; i++)
		c->cache[i].prepared = false;
	log_warning("store", "postgresql connection lost; reconnected", NULL);
	return session_setup(c);
}

/* Runs a transaction statement (no parameters, no rows wanted). */
static enum zek_rc
tx_exec(struct pg_conn *c, const char *sql)
{
	enum zek_rc rc = ZEK_OK;
	PGresult *res;

	res = PQexec(c->db, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK)
		rc = pg_err(c, res, sql);
	PQclear(res);
	return rc;
}

/* COMMIT of a failed transaction answers "ROLLBACK", without an error. */
static enum zek_rc
tx_commit(struct pg_conn *c)
{
	enum zek_rc rc = ZEK_OK;
	PGresult *res;

	res = PQexec(c->db, "COMMIT");
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		rc = pg_err(c, res, "COMMIT");
	} else if (strcmp(PQcmdStatus(res), "ROLLBACK") == 0) {
		log_error("store",
		    "COMMIT rolled back: a statement of the "
		    "transaction had failed",
		    NULL);
		rc = ZEK_IO;
	}
	PQclear(res);
	c->in_tx = false;
	return rc;
}

/* Rolls back the open transaction, if any is (a failed COMMIT ended it). */
static enum zek_rc
tx_rollback(struct pg_conn *c)
{
	PGTransactionStatusType ts = PQtransactionStatus(c->db);
	enum zek_rc rc = ZEK_OK;

	if (ts == PQTRANS_INTRANS || ts == PQTRANS_INERROR)
		rc = tx_exec(c, "ROLLBACK");
	c->in_tx = false;
	return rc;
}

static enum zek_rc
tx_begin(struct pg_conn *c, const char *sql)
{
	enum zek_rc rc = tx_exec(c, sql);

	if (rc == ZEK_OK)
		c->in_tx = true;
	return rc;
}

/* Before each statement: a session (again), and in a scope its one
 * transaction, once something is to be written (open_tx). Read committed:
 * each statement sees what others committed before it, as SQLite's
 * writers do after BEGIN IMMEDIATE; a page that only reads needs no
 * BEGIN and COMMIT, two round trips. */
static enum zek_rc
conn_ready(struct pg_conn *c, bool open_tx)
{
	enum zek_rc rc;

	if (PQstatus(c->db) != CONNECTION_OK && (rc = conn_reset(c)) != ZEK_OK)
		return rc;
	if (PQtransactionStatus(c->db) != PQTRANS_IDLE)
		return ZEK_OK;
	c->last_sqlstate[0] = '\0';
	if (!c->base.scoped)
		c->base.retryable = false; /* a scope clears it at its start */
	if (c->base.scoped && open_tx)
		return tx_begin(c, "BEGIN ISOLATION LEVEL READ COMMITTED");
	return ZEK_OK;
}

/* ---- statement text ---- */

static bool
ident_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_' || (ch & 0x80);
}

/* Copies a quoted literal or name starting at p (its opening quote)
 * through its closing quote; a doubled quote stays inside. `esc`: an
 * E'...' string, where a backslash takes the next character along. */
static const char *
copy_quoted(char **o, const char *p, bool esc)
{
	char q = *p;

	*(*o)++ = *p++;
	while (*p != '\0') {
		if (esc && *p == '\\' && p[1] != '\0') {
			*(*o)++ = *p++;
		} else if (*p == q && p[1] == q) {
			*(*o)++ = *p++;
		} else if (*p == q) {
			*(*o)++ = *p++;
			break;
		}
		*(*o)++ = *p++;
	}
	return p;
}

/* Copies a comment starting at p: to the line's end, or to the end of a
 * block comment (which nests in PostgreSQL). */
static const char *
copy_comment(char **o, const char *p)
{
	int depth = 0;

	if (p[0] == '-') {
		while (*p != '\0' && *p != '\n')
			*(*o)++ = *p++;
		return p;
	}
	while (*p != '\0') {
		if (p[0] == '/' && p[1] == '*') {
			depth++;
			*(*o)++ = *p++;
		} else if (p[0] == '*' && p[1] == '/') {
			depth--;
			*(*o)++ = *p++;
		}
		*(*o)++ = *p++;
		if (depth == 0)
			break;
	}
	return p;
}

char *
pg_rewrite(const char *sql, int *nmax)
{
	const char *p;
	char *out, *o, *end;
	size_t n = 1;
	long num;
	int max = 0;

	*nmax = 0;
	for (p = sql; *p != '\0'; p++)
		n += *p == '?' ? 7 : 1; /* "?" -> "$32767" at most */
	out = malloc(n);
	if (out == NULL)
		return NULL;
	o = out;
	for (p = sql; *p != '\0';) {
		if (*p == '\'' || *p == '"') {
			p = copy_quoted(&o, p,
			    *p == '\'' && p > sql &&
			        (p[-1] == 'E' || p[-1] == 'e') &&
			        (p - 1 == sql || !ident_char(p[-2])));
		} else if ((p[0] == '-' && p[1] == '-') ||
		    (p[0] == '/' && p[1] == '*')) {
			p = copy_comment(&o, p);
		} else if (*p == '?') {
			if (isdigit((unsigned char)p[1])) {
				num = strtol(p + 1, &end, 10);
				p = end;
			} else {
				num = max + 1L;
				p++;
			}
			/* SQLite's limit on parameter numbers. */
			if (num < 1 || num > 32766) {
				free(out);
				*nmax = -1;
				return NULL;
			}
			if (num > max)
				max = (int)num;
			o += snprintf(o, 7, "$%ld", num);
		} else {
			*o++ = *p++;
		}
	}
	*o = '\0';
	*nmax = max;
	return out;
}

/* ---- statements ---- */

/* The parameter type of a bind letter (query.h's sq_start); 0: none. */
static Oid
letter_type(char l)
{
	switch (l) {
	case 'i':
	case 'I':
	case 'b':
	case 'z':
		return INT8_OID;
	case 't':
	case 'T':
		return TEXT_OID;
	case 'B':
		return BYTEA_OID;
	default:
		return 0;
	}
}

/* Whether a statement only reads, so that a scope need not open its
 * transaction for it: under READ COMMITTED each statement sees what was
 * committed when it began, in a transaction or not. Locking reads and
 * functions that write do not count. */
static bool
only_reads(const char *sql)
{
	static const char *const writes[] = { "FOR UPDATE", "FOR SHARE",
		"FOR NO KEY", "FOR KEY SHARE", "nextval(", "setval(",
		"pg_advisory" };
	size_t i;

	if (str_starts(sql, SQ_PLAN_WITH_VALUES))
		sql += sizeof(SQ_PLAN_WITH_VALUES) - 1;
	if (!str_starts(sql, "SELECT "))
		return false;
	for (i = 0; i < ZEK_ARRAY_LEN(writes); i++)
		if (strstr(sql, writes[i]) != NULL)
			return false;
	return true;
}

/* The cached statement for `sql` (a string literal: compared by address);
 * a new one takes its parameter types from the letters of its first call. */
static struct pg_stmt *
stmt_find(struct pg_conn *c, const char *sql, const char *fmt, enum zek_rc *rc)
{
	struct pg_stmt *st;
	size_t i, n = strlen(fmt);

	for (i = 0; i < c->ncache; i++)
		if (c->cache[i].sql == sql)
			return &c->cache[i];
	if (c->ncache == STMT_CACHE_MAX) {
		log_error("store", "statement cache full", NULL);
		*rc = ZEK_IO;
		return NULL;
	}
	if (n > SHRT_MAX) {
		log_error("store", "too many parameters",
		    LOG_FIELDS(LOG_S("statement", sql)));
		*rc = ZEK_IO;
		return NULL;
	}
	st = &c->cache[c->ncache];
	*st = (struct pg_stmt){ .sql = sql,
		.nparams = (int)n,
		.row = -1,
		.each_time = str_starts(sql, SQ_PLAN_WITH_VALUES),
		.reads = only_reads(sql) };
	st->types = malloc(n > 0 ? n * sizeof(*st->types) : 1);
	if (st->types == NULL) {
		*rc = ZEK_NOMEM;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		st->types[i] = letter_type(fmt[i]);
		if (st->types[i] == 0) {
			char letter[2] = { fmt[i], '\0' };
			log_error("store", "unknown bind letter",
			    LOG_FIELDS(LOG_S("letter", letter),
			        LOG_S("statement", sql)));
			free(st->types);
			*rc = ZEK_IO;
			return NULL;
		}
	}
	c->ncache++;
	return st;
}

static void
stmt_name(const struct pg_conn *c, const struct pg_stmt *st, char *name,
    size_t n)
{
	snprintf(name, n, "s%td", st - c->cache);
}

/* Prepares a cached statement on this session, with its placeholders
 * rewritten and its types given: otherwise PostgreSQL infers them, and
 * INSERT ... SELECT ?1, ?2 would make every parameter text. */
static enum zek_rc
stmt_prepare(struct pg_conn *c, struct pg_stmt *st)
{
	enum zek_rc rc = ZEK_OK;
	PGresult *res;
	char name[24], *text;
	int nmax;

	text = pg_rewrite(st->sql, &nmax);
	if (text == NULL) {
		if (nmax == 0)
			return ZEK_NOMEM;
		log_error("store", "bad placeholder",
		    LOG_FIELDS(LOG_S("statement", st->sql)));
		return ZEK_IO;
	}
	/* Fewer is allowed: a PostgreSQL text of sq_dialect may need less. */
	if (nmax > st->nparams) {
		log_error("store", "more placeholders than values",
		    LOG_FIELDS(LOG_I("placeholders", nmax),
		        LOG_I("values", st->nparams),
		        LOG_S("statement", st->sql)));
		free(text);
		return ZEK_IO;
	}
	if (st->each_time) {
		free(st->text);
		st->text = text;
		st->prepared = true;
		return ZEK_OK;
	}
	stmt_name(c, st, name, sizeof(name));
	res = PQprepare(c->db, name, text, st->nparams, st->types);
	free(text);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		rc = pg_err(c, res, st->sql);
	PQclear(res);
	st->prepared = rc == ZEK_OK;
	return rc;
}

/* Rows an INSERT, UPDATE or DELETE touched; other commands leave the
 * count as it was (sqlite3_changes does the same). */
static void
note_changes(struct pg_conn *c, PGresult *res)
{
	const char *tag = PQcmdStatus(res);

	if (strncmp(tag, "INSERT ", 7) == 0 ||
	    strncmp(tag, "UPDATE ", 7) == 0 ||
	    strncmp(tag, "DELETE ", 7) == 0 || strncmp(tag, "MERGE ", 6) == 0)
		c->changes = strtoll(PQcmdTuples(res), NULL, 10);
}

/* The parameters as libpq takes them: text, except blobs (binary). */
struct params {
	const char **vals;
	int *lens;
	int *fmts;
	char (*num)[NUM_MAX];
};

static enum zek_rc
params_fill(struct pg_stmt *st, struct params *pp, const char *fmt, va_list ap)
{
	const char *s;
	size_t len;
	int64_t v;
	int i;

	for (i = 0; i < st->nparams; i++) {
		if (letter_type(fmt[i]) != st->types[i]) {
			log_error("store",
			    "bind letters differ from the first "
			    "call's",
			    LOG_FIELDS(LOG_S("statement", st->sql)));
			return ZEK_IO;
		}
		pp->lens[i] = 0;
		pp->fmts[i] = 0;
		switch (fmt[i]) {
		case 't':
		case 'T':
			s = va_arg(ap, const char *);
			if (s != NULL && fmt[i] == 'T' && *s == '\0')
				s = NULL;
			pp->vals[i] = s;
			break;
		case 'i':
		case 'I':
		case 'b':
		case 'z':
			if (fmt[i] == 'b')
				v = va_arg(ap, int) ? 1 : 0;
			else if (fmt[i] == 'z')
				v = (int64_t)va_arg(ap, size_t);
			else
				v = va_arg(ap, int64_t);
			snprintf(pp->num[i], NUM_MAX, "%lld", (long long)v);
			pp->vals[i] = fmt[i] == 'I' && v == 0 ? NULL :
			                                        pp->num[i];
			break;
		case 'B':
			/* Not copied: the statement runs before start returns. */
			s = va_arg(ap, const char *);
			len = va_arg(ap, size_t);
			if (len > INT_MAX)
				return ZEK_TOOBIG;
			pp->vals[i] = s != NULL ? s : "";
			pp->lens[i] = (int)len;
			pp->fmts[i] = 1;
			break;
		}
	}
	return ZEK_OK;
}

/* Binds by the letters of fmt, runs the statement and keeps its rows. */
static enum zek_rc
stmt_run(struct pg_conn *c, struct pg_stmt *st, const char *fmt, va_list ap)
{
	struct params pp;
	enum zek_rc rc;
	PGresult *res;
	size_t n = (size_t)st->nparams;
	unsigned char *block;
	char name[24];

	if (strlen(fmt) != n) {
		log_error("store",
		    "other number of values than the first "
		    "call's",
		    LOG_FIELDS(LOG_I("values", strlen(fmt)), LOG_I("first", n),
		        LOG_S("statement", st->sql)));
		return ZEK_IO;
	}
	/* One block for the arrays: the number texts first, aligned. */
	block = malloc(n * (NUM_MAX + sizeof(*pp.vals) + 2 * sizeof(int)) + 1);
	if (block == NULL)
		return ZEK_NOMEM;
	pp.num = (char(*)[NUM_MAX])(void *)block;
	pp.vals = (const char **)(void *)(block + n * NUM_MAX);
	pp.lens = (int *)(void *)(block + n * (NUM_MAX + sizeof(*pp.vals)));
	pp.fmts = pp.lens + n;
	rc = params_fill(st, &pp, fmt, ap);
	if (rc != ZEK_OK)
		goto out;
	if (st->each_time) {
		res = PQexecParams(c->db, st->text, st->nparams, st->types,
		    pp.vals, pp.lens, pp.fmts, 0);
	} else {
		stmt_name(c, st, name, sizeof(name));
		res = PQexecPrepared(c->db, name, st->nparams, pp.vals, pp.lens,
		    pp.fmts, 0);
	}
	switch (PQresultStatus(res)) {
	case PGRES_TUPLES_OK:
		st->res = res;
		st->nrows = PQntuples(res);
		note_changes(c, res);
		break;
	case PGRES_COMMAND_OK:
		note_changes(c, res);
		PQclear(res);
		break;
	default:
		rc = pg_err(c, res, st->sql);
		PQclear(res);
	}
out:
	free(block);
	return rc;
}

static struct sq_stmt *
pg_start(struct store_conn *base, enum zek_rc *rc, const char *sql,
    const char *fmt, va_list ap)
{
	struct pg_conn *c = pg_conn(base);
	struct pg_stmt *st;
	va_list aq;
	bool alone;
	int attempt;

	st = stmt_find(c, sql, fmt, rc);
	if (st == NULL)
		return NULL;
	*rc = conn_ready(c, !st->reads);
	if (*rc != ZEK_OK)
		return NULL;
	stmt_clear(st); /* rows of a run nobody finished */
	if (!st->prepared && (*rc = stmt_prepare(c, st)) != ZEK_OK)
		return NULL;
	/* A statement in no transaction is one of its own: refused as a
	 * deadlock's victim it changed nothing, and runs again here. */
	alone = PQtransactionStatus(c->db) == PQTRANS_IDLE;
	for (attempt = 1;; attempt++) {
		va_copy(aq, ap);
		*rc = stmt_run(c, st, fmt, aq);
		va_end(aq);
		if (*rc == ZEK_OK)
			break;
		if (!alone || !base->retryable || attempt == STORE_ATTEMPTS)
			return NULL;
		base->retryable = false;
		store_retry_pause(attempt + 1);
	}
	return (struct sq_stmt *)(void *)st;
}

static int
pg_next(struct store_conn *c, struct sq_stmt *sst, enum zek_rc *rc)
{
	struct pg_stmt *st = pg_stmt(sst);

	(void)c;
	(void)rc;
	if (st->row < st->nrows)
		st->row++;
	return st->row < st->nrows ? 1 : 0;
}

static void
pg_finish(struct store_conn *c, struct sq_stmt *st)
{
	(void)c;
	stmt_clear(pg_stmt(st));
}

static int64_t
pg_changes(struct store_conn *c)
{
	return pg_conn(c)->changes;
}

/* The current row's value of column col; NULL for SQL NULL or none. */
static const char *
col_value(const struct pg_stmt *st, int col)
{
	if (st->res == NULL || st->row < 0 || st->row >= st->nrows || col < 0 ||
	    col >= PQnfields(st->res) || PQgetisnull(st->res, st->row, col))
		return NULL;
	return PQgetvalue(st->res, st->row, col);
}

static int64_t
pg_col_i64(struct sq_stmt *sst, int col)
{
	const char *v = col_value(pg_stmt(sst), col);

	if (v == NULL)
		return 0;
	/* Booleans (comparisons, AND) come as 't' and 'f'. */
	if ((v[0] == 't' || v[0] == 'f') && v[1] == '\0')
		return v[0] == 't';
	return strtoll(v, NULL, 10);
}

static int
hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/* bytea's text form, "\x" and two hex digits a byte, into the arena
 * (PQunescapeBytea would malloc a copy first). */
static enum zek_rc
bytea_decode(const char *v, size_t n, struct arena *a, const char **out,
    size_t *len)
{
	unsigned char *b;
	size_t i, m;
	int hi, lo;

	if (n < 2 || v[0] != '\\' || v[1] != 'x' || (n - 2) % 2 != 0) {
		log_error("store", "bytea not in hex form", NULL);
		return ZEK_IO;
	}
	m = (n - 2) / 2;
	b = arena_alloc(a, m + 1);
	if (b == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < m; i++) {
		hi = hex_digit(v[2 + 2 * i]);
		lo = hex_digit(v[3 + 2 * i]);
		if (hi < 0 || lo < 0) {
			log_error("store", "bad hex in bytea", NULL);
			return ZEK_IO;
		}
		b[i] = (unsigned char)(hi << 4 | lo);
	}
	b[m] = '\0';
	*out = (const char *)b;
	*len = m;
	return ZEK_OK;
}

static enum zek_rc
pg_col_copy(struct sq_stmt *sst, int col, bool blob, struct arena *a,
    const char **out, size_t *len)
{
	struct pg_stmt *st = pg_stmt(sst);
	const char *v = col_value(st, col);
	size_t n;
	char *s;

	*out = NULL;
	*len = 0;
	if (v == NULL)
		return ZEK_OK;
	n = (size_t)PQgetlength(st->res, st->row, col);
	if (blob && PQftype(st->res, col) == BYTEA_OID)
		return bytea_decode(v, n, a, out, len);
	s = arena_alloc(a, n + 1);
	if (s == NULL)
		return ZEK_NOMEM;
	memcpy(s, v, n);
	s[n] = '\0';
	*out = s;
	*len = n;
	return ZEK_OK;
}

/* Several statements in one text (migrations), in the scope's transaction
 * when there is one. */
static enum zek_rc
pg_exec_sql(struct store_conn *base, const char *sql)
{
	struct pg_conn *c = pg_conn(base);
	ExecStatusType es;
	enum zek_rc rc;
	PGresult *res;

	rc = conn_ready(c, true);
	if (rc != ZEK_OK)
		return rc;
	res = PQexec(c->db, sql);
	es = PQresultStatus(res);
	if (es != PGRES_COMMAND_OK && es != PGRES_TUPLES_OK &&
	    es != PGRES_EMPTY_QUERY)
		rc = pg_err(c, res, "SQL script");
	PQclear(res);
	return rc;
}

/* ---- transactions and scopes ---- */

/* Outside a scope. */
static enum zek_rc
pg_tx_begin(struct store_conn *base)
{
	struct pg_conn *c = pg_conn(base);
	enum zek_rc rc;

	rc = conn_ready(c, false);
	if (rc != ZEK_OK)
		return rc;
	/* PostgreSQL only warns; SQLite refuses, and so do we. */
	if (PQtransactionStatus(c->db) != PQTRANS_IDLE) {
		log_error("store", "BEGIN inside a transaction", NULL);
		return ZEK_IO;
	}
	return tx_begin(c, "BEGIN");
}

static enum zek_rc
pg_tx_commit(struct store_conn *c)
{
	return tx_commit(pg_conn(c));
}

static enum zek_rc
pg_tx_rollback(struct store_conn *c)
{
	return tx_rollback(pg_conn(c));
}

/* In a scope: its transaction, opened by the first statement. */
static enum zek_rc
pg_scope_open(struct store_conn *c)
{
	return conn_ready(pg_conn(c), true);
}

static enum zek_rc
pg_tx_exec(struct store_conn *c, const char *sql)
{
	return tx_exec(pg_conn(c), sql);
}

static enum sq_tx
pg_tx_state(struct store_conn *c)
{
	switch (PQtransactionStatus(pg_conn(c)->db)) {
	case PQTRANS_IDLE:
		return SQ_TX_NONE;
	case PQTRANS_INTRANS:
	case PQTRANS_INERROR:
		return SQ_TX_OPEN;
	default:
		return SQ_TX_LOST;
	}
}

static void
pg_scope_begin(struct store_conn *base)
{
	pg_conn(base)->last_sqlstate[0] = '\0';
}

static enum zek_rc
pg_scope_end(struct store_conn *base, bool commit)
{
	struct pg_conn *c = pg_conn(base);
	PGTransactionStatusType ts;
	enum zek_rc rc = ZEK_OK;
	struct pg_stmt *st;
	size_t i;

	/* Rows nobody finished reading hold only memory here, but it is a
	 * bug as on SQLite (where they hold a snapshot): said, and dropped. */
	for (i = 0; i < c->ncache; i++) {
		st = &c->cache[i];
		if (st->res != NULL && st->row >= 0 && st->row < st->nrows)
			log_error("store", "statement left running",
			    LOG_FIELDS(LOG_S("statement", st->sql)));
		stmt_clear(st);
	}
	ts = PQtransactionStatus(c->db);
	if (ts == PQTRANS_IDLE || ts == PQTRANS_UNKNOWN) {
		/* Unknown: the connection was lost, and the transaction with
		 * it (the failing statement said so). */
		c->in_tx = false;
		return commit && ts != PQTRANS_IDLE ? ZEK_IO : ZEK_OK;
	}
	if (commit) {
		rc = tx_commit(c);
		if (rc == ZEK_OK)
			return ZEK_OK;
	}
	if (tx_rollback(c) != ZEK_OK)
		log_error("store", "rollback failed", NULL);
	return commit ? rc : ZEK_OK;
}

/* A commit is durable when COMMIT returns (synchronous_commit stays on):
 * nothing is deferred, no ticket is ever waited for. */
static void
pg_scope_defer(struct store_conn *c)
{
	(void)c;
}

static uint64_t
pg_scope_ticket(struct store_conn *c)
{
	(void)c;
	return 0;
}

static enum zek_rc
pg_durable_wait(struct store *st, uint64_t ticket)
{
	(void)st;
	(void)ticket;
	return ZEK_OK;
}

static enum zek_rc
pg_durable_notify(struct store *st, uint64_t ticket,
    void (*fn)(void *arg, int rc), void *arg)
{
	(void)st;
	(void)ticket;
	(void)fn;
	(void)arg;
	return ZEK_NOTFOUND;
}

/* ---- request numbers, apart from the scope's transaction ---- */

/* A create's number is the desk's counter row plus one. Taken inside the
 * HTTP request's transaction, the row stayed locked until that committed,
 * so every create of every process queued behind the one before it for
 * its whole length: the UPDATE waited 11 ms on average and creates stopped
 * at about 75/s (bench/README.md, issue 14). Here it is taken on the
 * process's own number connection in a transaction of its own, which
 * holds the row for that UPDATE alone.
 *
 * That COMMIT does not wait for the disk (synchronous_commit off): the
 * create that shows the number commits durably later, and its commit
 * record lies behind this one in the WAL, so a number that was shown is
 * never handed out again after a crash. A create that fails after taking
 * its number leaves a gap, as a sequence would.
 *
 * lock_timeout is short: the row is held longer only by a transaction
 * that changed the desk itself (an admin's, or the caller's own, which
 * this connection would wait for forever); then the caller takes the
 * number inside its transaction, as before. */
static const char number_settings
    [] = "SET synchronous_commit = off; SET lock_timeout = '200ms'; "
         "SET statement_timeout = '5s'; SET client_min_messages = warning";

static PGconn *
number_conn(struct pg_store *st)
{
	PGresult *res;
	bool ok;

	if (st->number_db != NULL && PQstatus(st->number_db) == CONNECTION_OK)
		return st->number_db;
	PQfinish(st->number_db);
	st->number_db = PQconnectdb(st->conninfo);
	ok = st->number_db != NULL && PQstatus(st->number_db) == CONNECTION_OK;
	if (ok) {
		PQsetErrorVerbosity(st->number_db, PQERRORS_TERSE);
		res = PQexec(st->number_db, number_settings);
		ok = PQresultStatus(res) == PGRES_COMMAND_OK;
		PQclear(res);
	}
	if (!ok) {
		log_msg("request numbers",
		    st->number_db != NULL ? PQerrorMessage(st->number_db) :
		                            "out of memory");
		PQfinish(st->number_db);
		st->number_db = NULL;
	}
	return st->number_db;
}

/* One UPDATE on the number connection: ZEK_OK, ZEK_NOTFOUND (no such
 * desk, or one this connection cannot see yet), ZEK_IO (refused, lost). */
static enum zek_rc
number_update(PGconn *db, int64_t desk_id, int64_t *number)
{
	char id[NUM_MAX];
	const char *p[1] = { id };
	enum zek_rc rc = ZEK_IO;
	PGresult *res;

	snprintf(id, sizeof(id), "%" PRId64, desk_id);
	res = PQexecParams(db,
	    "UPDATE service_desks SET next_number = "
	    "next_number + 1 WHERE id = $1::bigint RETURNING next_number",
	    1, NULL, p, NULL, NULL, 0);
	if (PQresultStatus(res) == PGRES_TUPLES_OK) {
		rc = PQntuples(res) == 1 ? ZEK_OK : ZEK_NOTFOUND;
		if (rc == ZEK_OK)
			*number = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	}
	PQclear(res);
	return rc;
}

static enum zek_rc
pg_take_number(struct store_conn *base, int64_t desk_id, int64_t *number)
{
	struct pg_store *st = (struct pg_store *)(void *)base->store;
	enum zek_rc rc = ZEK_IO;
	int64_t t0 = sq_phase_timing ? sq_now_ns() : 0;
	PGconn *db;
	int attempt;

	pthread_mutex_lock(&st->number_lock);
	/* Twice: once more on a new connection after a lost one. */
	for (attempt = 0; attempt < 2 && rc == ZEK_IO; attempt++) {
		db = number_conn(st);
		if (db == NULL)
			break;
		rc = number_update(db, desk_id, number);
		if (rc == ZEK_IO && PQstatus(db) == CONNECTION_OK)
			break; /* refused (a lock held long): inside, then */
	}
	pthread_mutex_unlock(&st->number_lock);
	if (sq_phase_timing)
		base->phases.lock_ns += sq_now_ns() - t0;
	return rc;
}

/* ---- migrations ---- */

/* The advisory lock first: a second process waits there until the first
 * commits, and then sees the table and the versions it recorded (read
 * committed: each statement sees the commits before it). */
static enum zek_rc
pg_migrate_begin(struct store_conn *base)
{
	struct pg_conn *c = pg_conn(base);
	enum zek_rc rc;

	rc = conn_ready(c, false);
	if (rc == ZEK_OK)
		rc = tx_begin(c, "BEGIN");
	if (rc != ZEK_OK)
		return rc;
	rc = tx_exec(c, "SELECT pg_advisory_xact_lock(" MIGRATE_LOCK ")");
	if (rc == ZEK_OK)
		rc = tx_exec(c,
		    "CREATE TABLE IF NOT EXISTS schema_migrations ("
		    "version bigint PRIMARY KEY, name text NOT NULL, "
		    "applied_at bigint NOT NULL)");
	if (rc != ZEK_OK)
		tx_rollback(c);
	return rc;
}

static enum zek_rc
pg_migrate_end(struct store_conn *base, bool commit)
{
	struct pg_conn *c = pg_conn(base);

	if (commit)
		return tx_commit(c);
	return tx_rollback(c);
}

/* ---- open and close ---- */

static void
pg_close(struct store *base)
{
	struct pg_store *st = (struct pg_store *)(void *)base;

	sq_store_fini(base);
	PQfinish(st->number_db);
	pthread_mutex_destroy(&st->number_lock);
	if (st->conninfo != NULL) {
		explicit_bzero(st->conninfo, strlen(st->conninfo));
		free(st->conninfo);
	}
	free(st);
}

enum zek_rc
sq_pg_open(const char *conninfo, struct store **out)
{
	struct pg_store *st;
	enum zek_rc rc;

	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return ZEK_NOMEM;
	st->conninfo = strdup(conninfo);
	if (st->conninfo == NULL) {
		free(st);
		return ZEK_NOMEM;
	}
	pthread_mutex_init(&st->number_lock, NULL);
	rc = sq_store_init(&st->base, &sq_pg_driver);
	if (rc != ZEK_OK)
		goto fail;
	rc = sq_store_start(&st->base);
	if (rc != ZEK_OK)
		goto fail;
	*out = &st->base;
	return ZEK_OK;
fail:
	pg_close(&st->base);
	return rc;
}

/* ---- redacting the connection target ---- */

struct outbuf {
	char *p;
	size_t n, len;
};

static void
put(struct outbuf *b, const char *s, size_t n)
{
	size_t room = b->n - 1 - b->len;

	if (n > room)
		n = room;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void
puts_(struct outbuf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* password, sslpassword: whatever names a secret. */
static bool
secret_key(const char *k, size_t n)
{
	size_t i;

	for (i = 0; i + 8 <= n; i++)
		if (strncasecmp(k + i, "password", 8) == 0)
			return true;
	return false;
}

/* postgresql://user:secret@host:port/db?password=x&sslmode=y. The user
 * part ends at the last '@' before the parameters: a raw '@' or '/' in a
 * password then still falls inside what is hidden. */
static void
redact_url(struct outbuf *b, const char *s)
{
	const char *rest = strstr(s, "://") + 3, *q, *at = NULL, *p, *colon;
	const char *amp, *eq;

	put(b, s, (size_t)(rest - s));
	q = strchr(rest, '?');
	if (q == NULL)
		q = rest + strlen(rest);
	for (p = rest; p < q; p++)
		if (*p == '@')
			at = p;
	if (at != NULL) {
		colon = memchr(rest, ':', (size_t)(at - rest));
		if (colon != NULL) {
			put(b, rest, (size_t)(colon - rest));
			puts_(b, ":***");
		} else {
			put(b, rest, (size_t)(at - rest));
		}
		rest = at;
	}
	put(b, rest, (size_t)(q - rest));
	for (p = q; *p != '\0'; p = amp) {
		put(b, p, 1); /* '?' or '&' */
		p++;
		amp = strchr(p, '&');
		if (amp == NULL)
			amp = p + strlen(p);
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq != NULL && secret_key(p, (size_t)(eq - p))) {
			put(b, p, (size_t)(eq - p));
			puts_(b, "=***");
		} else {
			put(b, p, (size_t)(amp - p));
		}
	}
}

/* key = value words; a value may be quoted ('...', backslash escapes). */
static void
redact_words(struct outbuf *b, const char *p)
{
	const char *k, *ke, *v;
	bool first = true;

	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			return;
		k = p;
		while (*p != '\0' && *p != '=' && !isspace((unsigned char)*p))
			p++;
		ke = p;
		while (isspace((unsigned char)*p))
			p++;
		if (!first)
			puts_(b, " ");
		first = false;
		if (*p != '=') {
			/* Not a connection string libpq takes: show no more. */
			puts_(b, "***");
			return;
		}
		p++;
		while (isspace((unsigned char)*p))
			p++;
		v = p;
		if (*p == '\'') {
			for (p++; *p != '\0' && *p != '\''; p++)
				if (*p == '\\' && p[1] != '\0')
					p++;
			if (*p == '\'')
				p++;
		} else {
			for (; *p != '\0' && !isspace((unsigned char)*p); p++)
				if (*p == '\\' && p[1] != '\0')
					p++;
		}
		put(b, k, (size_t)(ke - k));
		puts_(b, "=");
		if (secret_key(k, (size_t)(ke - k)))
			puts_(b, "***");
		else
			put(b, v, (size_t)(p - v));
	}
}

void
pg_redact(const char *conninfo, char *out, size_t n)
{
	struct outbuf b = { .p = out, .n = n };

	if (n == 0)
		return;
	out[0] = '\0';
	if (conninfo == NULL)
		return;
	if (strncmp(conninfo, "postgresql://", 13) == 0 ||
	    strncmp(conninfo, "postgres://", 11) == 0)
		redact_url(&b, conninfo);
	else
		redact_words(&b, conninfo);
}

/* ---- the driver ---- */

/* Space freed by deletions goes back by autovacuum. */
static enum zek_rc
pg_reclaim(struct store_conn *c)
{
	(void)c;
	return ZEK_OK;
}

const struct sq_driver sq_pg_driver = {
	.name = "postgresql",
	.is_pg = true,
	.conn_open = pg_conn_open,
	.conn_free = pg_conn_free,
	.close = pg_close,
	.start = pg_start,
	.next = pg_next,
	.finish = pg_finish,
	.changes = pg_changes,
	.col_i64 = pg_col_i64,
	.col_copy = pg_col_copy,
	.exec_sql = pg_exec_sql,
	.take_number = pg_take_number,
	.collect_cached = NULL, /* never kept: query.c reads anew */
	.query_i64_cached = NULL,
	.tx_begin = pg_tx_begin,
	.tx_commit = pg_tx_commit,
	.tx_rollback = pg_tx_rollback,
	.scope_open = pg_scope_open,
	.tx_exec = pg_tx_exec,
	.tx_state = pg_tx_state,
	.scope_begin = pg_scope_begin,
	.scope_end = pg_scope_end,
	.scope_defer = pg_scope_defer,
	.scope_ticket = pg_scope_ticket,
	.durable_wait = pg_durable_wait,
	.durable_notify = pg_durable_notify,
	.migrations = pg_migrations,
	.nmigrations = &pg_nmigrations,
	.migrate_begin = pg_migrate_begin,
	.migrate_end = pg_migrate_end,
	.requests_list = pg_requests_list,
	.queue_page = pg_queue_page,
	.queue_count = pg_queue_count,
	.reclaim = pg_reclaim,
};
