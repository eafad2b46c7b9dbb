/* main.c: start-up, configuration and the zek subcommands. */
#include <getopt.h>
#include <stdatomic.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include <sodium.h>

#include "core/accounts.h"
#include "core/attachments.h"
#include "core/auth.h"
#include "core/keep.h"
#include "core/calendar.h"
#include "core/config.h"
#include "core/config_io.h"
#include "core/ctx.h"
#include "core/demo.h"
#include "core/inbound.h"
#include "core/directory.h"
#include "core/notify.h"
#include "core/objects.h"
#include "core/privacy.h"
#include "core/reports.h"
#include "core/retention.h"
#include "core/sla.h"
#include "core/users.h"
#include "core/workflow.h"
#include "http/http.h"
#include "http/router.h"
#include "http/static.h"
#include "jobs/jobs.h"
#include "jobs/scheduler.h"
#include "lib/arena.h"
#include "lib/log.h"
#include "lib/str.h"
#include "mail/compose.h"
#include "mail/mime.h"
#include "mail/outbox.h"
#include "mail/receive/imap.h"
#include "mail/receive/receive.h"
#include "mail/smtp.h"
#include "render/i18n.h"
#include "settings.h"
#include "render/template.h"
#include "store/store.h"
#include "store/store_backup.h"
#include "store/store_copy.h"

#define CONFIG_LINE_MAX 1024
/* sysexits(3): what an MTA's pipe makes of `zek mail receive`. */
#define EXIT_USAGE 64
#define EXIT_DATAERR 65  /* not even a message: bounce it */
#define EXIT_TEMPFAIL 75 /* not stored now: deliver it again */

static const char usage[] =
    "usage: zek [--config FILE] COMMAND [options]\n"
    "\n"
    "commands:\n"
    "  serve [--listen HOST:PORT] [--db DB] [--demo] [--dev] [--root DIR]\n"
    "        [--threads N] [--base-url URL] [--smtp-url URL]\n"
    "        [--log-format text|json]\n"
    "                      run the web server\n"
    "  init [--db DB] [--demo]\n"
    "                      create the database with the ZEK configuration\n"
    "                      (and the demo people and requests with --demo)\n"
    "  user add --email E --name N [--role customer|agent|admin]\n"
    "           [--org ORG] [--lang de|en] [--password P] [--db DB]\n"
    "                      add a user; without --password it is read from\n"
    "                      ZEK_PASSWORD or the first line of standard input\n"
    "  user invite --email E [--name N] [--org ORG] [--print-link] [--db DB]\n"
    "                      invite a customer by mail (or print the link);\n"
    "                      an existing account joins ORG\n"
    "  user reset-password --email E [--print-link] [--db DB]\n"
    "                      mail a password reset link (or print it)\n"
    "  user deactivate|reactivate --email E [--db DB]\n"
    "                      stop or allow sign-in, sessions, tokens and mail\n"
    "  user export --email E [--db DB]\n"
    "                      everything zek holds about the person, as JSON\n"
    "  user erase --email E [--db DB]\n"
    "                      erase the person's data; their requests and\n"
    "                      comments stay, by \"Gelöschte Person\"\n"
    "  org add NAME | org list [QUERY] | org members NAME  [--db DB]\n"
    "                      create an organisation, list organisations\n"
    "                      (tab-separated: id, name, members), list one's\n"
    "                      members (e-mail, name, state)\n"
    "  config export [--db DB] [FILE]\n"
    "                      the whole configuration (help center, business\n"
    "                      calendar, desks, groups, types, fields, options,\n"
    "                      catalogue) as JSON, to FILE or standard output\n"
    "  config import [--db DB] [--dry-run] FILE\n"
    "                      print what FILE changes and apply it all or\n"
    "                      nothing (--dry-run: only print); FILE - reads\n"
    "                      standard input\n"
    "  import-objects [--db DB] FILE.csv\n"
    "                      import Mandanten and Online-Dienste (kind,name)\n"
    "  mail list [--db DB] [--state pending|sent|failed] [--limit N]\n"
    "                      the e-mail outbox, newest first\n"
    "  mail show [--db DB] ID\n"
    "                      one mail as the full raw message\n"
    "  mail run [--db DB]\n"
    "                      send every due mail once (for cron), then exit\n"
    "  mail receive | received [ID] | retry ID  [--db DB]\n"
    "                      one message on stdin (MTA pipe; exit 75: retry);\n"
    "                      received mail and its fate; redo a quarantined one\n"
    "  mail fetch [--db DB]\n"
    "                      fetch new mail from imap_url once (for cron)\n"
    "  jobs run [--db DB] [--now MS]\n"
    "                      run the background jobs once (auto-close,\n"
    "                      clean-ups; for cron), then exit; --now: the time\n"
    "                      auto-close runs at, UTC milliseconds (for tests)\n"
    "  copy-db --from FILE --to URL\n"
    "                      copy a SQLite installation into an empty\n"
    "                      PostgreSQL database (stop zek first), then check\n"
    "                      row counts and checksums of every table\n";

/* The operator's commands (one string may hold 4095 characters). */
static const char usage_ops[] =
    "  backup [--db DB] FILE\n"
    "                      copy the SQLite database into the new FILE while\n"
    "                      zek serves it (PostgreSQL: pg_dump)\n"
    "  restore [--db DB] FILE\n"
    "                      put the backup FILE in place as DB, which must not\n"
    "                      exist or be empty; an older schema is upgraded\n"
    "  check [--db DB] [--full]\n"
    "                      check the database (integrity, foreign keys,\n"
    "                      search index, attachment sizes, schema version),\n"
    "                      print counts; exit status 1 on damage; --full:\n"
    "                      FTS5's index too (writers wait meanwhile)\n"
    "  retention [--db DB] [--dry-run] [--now MS]\n"
    "                      delete the closed requests last changed more than\n"
    "                      retention_closed_days ago, with their comments,\n"
    "                      files and mails (--dry-run: list them only)\n"
    "  reports rebuild [--db DB]\n"
    "                      count every request anew for the reports from its\n"
    "                      activity log (deleted requests' counts are lost)\n"
    "  routes              print the router table, one route a line,\n"
    "                      tab-separated: method, pattern, flags, name\n"
    "  settings            print every setting, one a line, tab-separated:\n"
    "                      key, environment, flag, default, limits, help\n";

/* The second half of the help (one string may hold 4095 characters);
 * the keys between its two parts come from the table (settings.h). */
static const char usage_settings[] =
    "\n"
    "DB: a SQLite file (var/zek.db), or a PostgreSQL database as a libpq\n"
    "connection string: postgresql://USER@HOST:PORT/NAME or\n"
    "'host=HOST dbname=NAME user=USER' (password: ~/.pgpass or PGPASSWORD).\n"
    "\n"
    "Every setting can come from a config file of 'key = value' lines, from\n"
    "the environment as ZEK_<KEY> (ZEK_LISTEN, ZEK_SMTP_URL, ...) and some\n"
    "from a flag; `zek settings` lists them with their defaults and limits\n"
    "(see docs/internals/limits.md). Flags beat the environment, which\n"
    "beats the file. The keys:\n";

/* The whole help, on standard error. */
static void
usage_print(void)
{
	fputs(usage, stderr);
	fputs(usage_ops, stderr);
	fputs(usage_settings, stderr);
	settings_print_keys(stderr, 72);
}

static int
config_file(struct config *cfg, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[CONFIG_LINE_MAX], *eq;
	int lineno = 0, rc = 0;

	if (f == NULL) {
		perror(path);
		return -1;
	}
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		str_trim(line);
		if (line[0] == '\0' || line[0] == '#')
			continue;
		eq = strchr(line, '=');
		if (eq == NULL) {
			fprintf(stderr, "%s:%d: want 'key = value'\n", path,
			    lineno);
			rc = -1;
			break;
		}
		*eq = '\0';
		rc = settings_set(cfg, str_trim(line), str_trim(eq + 1));
	}
	fclose(f);
	return rc;
}

static bool
has_templates(const char *root)
{
	char path[1024];
	struct stat st;

	snprintf(path, sizeof(path), "%s/templates", root);
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Where templates/, static/, po/ and demo/ are: the configured root if it
 * has them, else where `meson install` put them (an installed zek, such
 * as the Debian package's, run from any folder), else the source tree the
 * binary was built from (a developer's build). */
static void
config_find_root(struct config *cfg)
{
	if (has_templates(cfg->root))
		return;
	cfg->root = has_templates(ZEK_DATA_DIR) ? ZEK_DATA_DIR :
	                                          ZEK_SOURCE_ROOT;
}

static char *
root_path(const struct config *cfg, const char *sub)
{
	size_t n = strlen(cfg->root) + strlen(sub) + 2;
	char *p = malloc(n);

	if (p != NULL)
		snprintf(p, n, "%s/%s", cfg->root, sub);
	return p;
}

static void
print_demo_logins(const struct config *cfg)
{
	printf(
	    "\nzek demo on http://%s/ (password for everyone: demo)\n"
	    "  anna@example.org     Anna Schmidt, Stadt Musterstadt – Bürgeramt\n"
	    "  ben@example.org      Ben Weber, Stadt Musterstadt – Bürgeramt\n"
	    "  carla@example.org    Carla Yilmaz, Land Beispielland – Ministerium für Digitales\n"
	    "  support@example.org  Sam Support (agent)\n"
	    "  admin@example.org    Admin (admin)\n\n",
	    cfg->listen);
	fflush(stdout);
}

/* Runs fn with a context on this thread. */
static int
with_ctx(struct core *core, int (*fn)(struct zctx *, void *), void *arg)
{
	struct arena *a = arena_new(0);
	struct zctx ctx;
	int rc;

	if (a == NULL)
		return ZEK_NOMEM;
	rc = core_ctx_init(core, a, &ctx);
	if (rc == ZEK_OK)
		rc = fn(&ctx, arg);
	arena_free(a);
	return rc;
}

/* Runs fn with the core and a context on this thread; fn's result is an
 * exit status. */
static int
with_core_ctx(struct core *core, int (*fn)(struct core *, struct zctx *))
{
	struct arena *a = arena_new(0);
	struct zctx ctx;
	int rc;

	if (a == NULL)
		return EXIT_TEMPFAIL;
	rc = core_ctx_init(core, a, &ctx);
	rc = rc == ZEK_OK ? fn(core, &ctx) : EXIT_TEMPFAIL;
	arena_free(a);
	return rc;
}

static int
load_demo(struct zctx *ctx, void *arg)
{
	return *(bool *)arg ? core_demo_load(ctx) : core_init_config(ctx);
}

/* Reads templates/ and po/ below the root into app (for pages and mails).
 * Logs what failed. */
static int
load_presentation(struct app *app)
{
	char err[256];

	app->templates_dir = root_path(&app->cfg, "templates");
	app->po_dir = root_path(&app->cfg, "po");
	if (app->templates_dir == NULL || app->po_dir == NULL)
		return ZEK_NOMEM;
	app->tpl = templates_load(app->templates_dir, err, sizeof(err));
	if (app->tpl == NULL) {
		log_error("serve", "templates not loaded",
		    LOG_FIELDS(LOG_S("error", err)));
		return ZEK_IO;
	}
	app->cat = i18n_load(app->po_dir, err, sizeof(err));
	if (app->cat == NULL) {
		log_error("serve", "catalogs not loaded",
		    LOG_FIELDS(LOG_S("error", err)));
		return ZEK_IO;
	}
	return ZEK_OK;
}

/* zek serve's reload (SIGHUP, `systemctl reload zek`): templates/ and po/
 * read anew, e.g. after an edited text; the sets they replace may still be
 * in use by a request or a mail being composed, so they are kept until
 * zek stops (each reload costs one set's memory). Everything else (the
 * config file, listen, db, limits) is read at start only. */
struct retired {
	struct retired *next;
	struct templates *tpl;
	struct catalogs *cat;
};

static struct retired *serve_retired; /* only the signal thread adds */
static struct jobs_app *serve_jobs;   /* the mail worker's copy */
static atomic_bool serve_stopping;    /* the mail worker's stop */

static void
serve_reload(struct app *app)
{
	struct retired *r = calloc(1, sizeof(*r));
	struct templates *tpl;
	struct catalogs *cat = NULL;
	char err[256];

	if (r == NULL)
		return;
	tpl = templates_load(app->templates_dir, err, sizeof(err));
	if (tpl != NULL)
		cat = i18n_load(app->po_dir, err, sizeof(err));
	if (tpl == NULL || cat == NULL) {
		/* Keeps what it has: a broken edit does not take pages down. */
		log_error("serve", "reload failed, nothing changed",
		    LOG_FIELDS(LOG_S("error", err)));
		templates_free(tpl);
		free(r);
		return;
	}
	r->tpl = app_templates(app);
	r->cat = app_catalogs(app);
	r->next = serve_retired;
	serve_retired = r;
	__atomic_store_n(&app->tpl, tpl, __ATOMIC_RELEASE);
	__atomic_store_n(&app->cat, cat, __ATOMIC_RELEASE);
	__atomic_store_n(&serve_jobs->mail.tpl, tpl, __ATOMIC_RELEASE);
	__atomic_store_n(&serve_jobs->mail.cat, cat, __ATOMIC_RELEASE);
	log_info("serve",
	    "reload: templates and catalogs re-read; other "
	    "settings take a restart",
	    LOG_FIELDS(LOG_S("templates", app->templates_dir),
	        LOG_S("catalogs", app->po_dir)));
}

static void
serve_retired_free(void)
{
	struct retired *r;

	while ((r = serve_retired) != NULL) {
		serve_retired = r->next;
		templates_free(r->tpl);
		i18n_free(r->cat);
		free(r);
	}
}

/* `zek mail ...` and `zek jobs run` (cron, an MTA's pipe) do what the
 * jobs of zek serve do: their log lines get a run id alike. */
static void
cli_job_id(void)
{
	char id[LOG_ID_MAX];

	log_id_new("job-", id);
	log_id_set(id);
}

/* Says which database could not be opened (without its password). */
static int
db_open_failed(const struct app *app, int rc)
{
	char label[512];

	log_error("store", "cannot open the database",
	    LOG_FIELDS(
	        LOG_S("db", core_db_label(&app->cfg, label, sizeof(label)))));
	return rc;
}

/* The command's --db and then exactly `nargs` arguments (argv[0] is the
 * command); the index of the first, or -1 after printing `use`. */
static int
db_then_args(struct app *app, int argc, char **argv, int nargs, const char *use)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'd' || settings_set(&app->cfg, "db", optarg) != 0) {
			fputs(use, stderr);
			return -1;
		}
	}
	if (argc - optind != nargs) {
		fputs(use, stderr);
		return -1;
	}
	return optind;
}

/* Runs fn with a context on the database of app->cfg, opened for it and
 * closed after; a database that does not open is logged. */
static int
with_db(struct app *app, int (*fn)(struct zctx *, void *), void *arg)
{
	int rc = core_open(&app->cfg, &app->core);

	if (rc != ZEK_OK)
		return db_open_failed(app, rc);
	rc = with_ctx(app->core, fn, arg);
	core_close(app->core);
	return rc;
}

static int
cmd_serve(struct app *app)
{
	struct jobs_app japp = { 0 };
	struct jobs *jobs = NULL;
	int rc;

	/* Checked when set: a failure here is a bug. */
	if (proxy_list_parse(app->cfg.trusted_proxies, &app->proxies) != 0 ||
	    proxy_list_parse(app->cfg.metrics_allow, &app->metrics_allow) != 0)
		return ZEK_INVALID;
	rc = core_open(&app->cfg, &app->core);
	if (rc != ZEK_OK) {
		return db_open_failed(app, rc);
	}
	if (app->cfg.demo &&
	    (rc = with_ctx(app->core, load_demo, &app->cfg.demo)) != ZEK_OK) {
		log_error("serve", "loading the demo data failed",
		    LOG_FIELDS(LOG_S("error", zek_rc_name(rc))));
		goto out;
	}
	rc = load_presentation(app);
	if (rc != ZEK_OK)
		goto out;
	rc = ZEK_IO;
	app->static_dir = root_path(&app->cfg, "static");
	if (app->static_dir == NULL)
		goto out;
	app->files = static_files_load(app->static_dir);
	if (app->files == NULL) {
		log_error("serve", "cannot read the static files",
		    LOG_FIELDS(LOG_S("path", app->static_dir)));
		goto out;
	}
	if (app->cfg.demo)
		print_demo_logins(&app->cfg);
	/* Background jobs: the outbox worker, purges. */
	japp = (struct jobs_app){ .core = app->core,
		.mail = { &app->cfg, app->tpl, app->cat, &serve_stopping } };
	serve_jobs = &japp;
	app->reload = serve_reload;
	if (smtp_global_init() != ZEK_OK ||
	    jobs_serve_start(&japp, &jobs) != ZEK_OK) {
		log_error("serve", "cannot start the background jobs", NULL);
		rc = ZEK_IO;
		goto out;
	}
	if (str_empty(app->cfg.smtp_url))
		log_info("serve",
		    "smtp_url is not set: mails stay in the outbox "
		    "(zek mail list)",
		    NULL);
	log_info("serve", "links in e-mails point to base_url",
	    LOG_FIELDS(LOG_S("base_url", app->cfg.base_url)));
	if (config_base_url_local_only(&app->cfg))
		log_warning("serve",
		    "links in e-mails point to an address only "
		    "this machine can open: set base_url (ZEK_BASE_URL, "
		    "--base-url) to the address people use",
		    LOG_FIELDS(LOG_S("listen", app->cfg.listen),
		        LOG_S("base_url", app->cfg.base_url)));
	rc = http_serve(app);
out:
	/* The mail worker finishes the mail it sends, not its whole batch. */
	atomic_store(&serve_stopping, true);
	jobs_stop(jobs);
	serve_retired_free();
	static_files_free(app->files);
	i18n_free(app->cat);
	templates_free(app->tpl);
	free(app->templates_dir);
	free(app->po_dir);
	free(app->static_dir);
	core_close(app->core);
	return rc;
}

static int
cmd_init(struct app *app)
{
	int rc = core_open(&app->cfg, &app->core);
	char label[512];

	if (rc != ZEK_OK) {
		return db_open_failed(app, rc);
	}
	rc = with_ctx(app->core, load_demo, &app->cfg.demo);
	if (rc != ZEK_OK)
		fprintf(stderr, "zek: init failed: %s\n", zek_rc_name(rc));
	else
		printf("zek: %s is ready%s\n",
		    core_db_label(&app->cfg, label, sizeof(label)),
		    app->cfg.demo ? " with demo data" : "");
	core_close(app->core);
	return rc;
}

struct user_add_args {
	const char *email, *name, *role, *org, *lang, *password;
};

static int
do_user_add(struct zctx *ctx, void *arg)
{
	struct user_add_args *u = arg;
	int64_t id;
	int rc;

	rc = core_user_add(ctx, u->email, u->name, u->password, u->role, u->org,
	    u->lang, &id);
	if (rc == ZEK_OK)
		printf("zek: added %s (%s) as user %lld\n", u->email, u->role,
		    (long long)id);
	else if (rc == ZEK_CONFLICT)
		fprintf(stderr, "zek: %s exists already\n", u->email);
	else if (rc == ZEK_INVALID)
		fprintf(stderr,
		    "zek: invalid e-mail, name, role, language or password\n");
	return rc;
}

static int
cmd_user_add(struct app *app, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "email", required_argument, NULL, 'e' },
		{ "name", required_argument, NULL, 'n' },
		{ "role", required_argument, NULL, 'r' },
		{ "org", required_argument, NULL, 'o' },
		{ "lang", required_argument, NULL, 'l' },
		{ "password", required_argument, NULL, 'p' },
		{ "db", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	struct user_add_args u = { .role = "customer", .lang = "de" };
	char line[1100];
	int c, rc;

	optind = 0; /* GNU: start afresh on the sub-argument vector */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			u.email = optarg;
			break;
		case 'n':
			u.name = optarg;
			break;
		case 'r':
			u.role = optarg;
			break;
		case 'o':
			u.org = optarg;
			break;
		case 'l':
			u.lang = optarg;
			break;
		case 'p':
			u.password = optarg;
			break;
		case 'd':
			if (settings_set(&app->cfg, "db", optarg))
				return ZEK_INVALID;
			break;
		default:
			fputs(usage, stderr);
			return ZEK_INVALID;
		}
	}
	if (u.email == NULL || u.name == NULL) {
		fputs("zek: user add needs --email and --name\n", stderr);
		return ZEK_INVALID;
	}
	if (u.password == NULL)
		u.password = getenv("ZEK_PASSWORD");
	if (u.password == NULL) {
		if (fgets(line, sizeof(line), stdin) == NULL) {
			fputs("zek: no password given\n", stderr);
			return ZEK_INVALID;
		}
		line[strcspn(line, "\r\n")] = '\0';
		u.password = line;
	}
	rc = with_db(app, do_user_add, &u);
	sodium_memzero(line, sizeof(line));
	return rc;
}

/* ---- zek user invite|reset-password|deactivate|reactivate ---- */

struct account_args {
	const char *sub;
	const char *email, *name, *org;
	bool print_link;
};

static int
do_account(struct zctx *ctx, void *arg)
{
	static const char *const said[] = {
		[INVITE_SENT] = "invited",
		[INVITE_RESENT] = "invited again",
		[INVITE_JOINED] = "already has an account (organisation added)",
	};
	struct account_args *a = arg;
	const char *link = NULL, **link_out = a->print_link ? &link : NULL;
	enum invite_result res = INVITE_SENT;
	struct user *u;
	json_t *doc;
	int64_t id;
	int rc;

	if (str_eq(a->sub, "export")) {
		rc = core_user_export(ctx, a->email, &doc);
		if (rc == ZEK_OK) {
			rc = json_dumpf(doc, stdout, JSON_INDENT(2)) == 0 ?
			    ZEK_OK :
			    ZEK_IO;
			putchar('\n');
			json_decref(doc);
		}
	} else if (str_eq(a->sub, "erase")) {
		rc = core_user_erase(ctx, a->email, &id);
		if (rc == ZEK_OK)
			printf("zek: user %lld erased\n", (long long)id);
	} else if (str_eq(a->sub, "invite"))
		rc = core_invite(ctx, NULL, a->email, a->name, a->org, link_out,
		    &res);
	else if (str_eq(a->sub, "reset-password"))
		rc = core_password_reset_request(ctx, NULL, a->email, NULL,
		    link_out);
	else if ((rc = core_user_by_email(ctx, a->email, &u)) == ZEK_OK)
		rc = str_eq(a->sub, "deactivate") ?
		    core_user_deactivate(ctx, NULL, u->id) :
		    core_user_reactivate(ctx, NULL, u->id);
	if (rc == ZEK_NOTFOUND)
		fprintf(stderr, "zek: no account %s\n", a->email);
	else if (rc == ZEK_INVALID)
		fprintf(stderr, "zek: invalid e-mail, name or organisation\n");
	else if (rc != ZEK_OK)
		fprintf(stderr, "zek: user %s failed: %s\n", a->sub,
		    zek_rc_name(rc));
	else if (str_eq(a->sub, "invite"))
		printf("zek: %s %s\n", a->email, said[res]);
	else if (str_eq(a->sub, "export") || str_eq(a->sub, "erase"))
		;
	else if (link == NULL)
		printf("zek: %s: %s done%s\n", a->email, a->sub,
		    str_eq(a->sub, "reset-password") ? " (mail queued)" : "");
	if (rc == ZEK_OK && link != NULL)
		printf("%s\n", link);
	return rc;
}

static int
cmd_user_account(struct app *app, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "email", required_argument, NULL, 'e' },
		{ "name", required_argument, NULL, 'n' },
		{ "org", required_argument, NULL, 'o' },
		{ "print-link", no_argument, NULL, 'p' },
		{ "db", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	struct account_args a = { .sub = argv[0] };
	bool invite = str_eq(a.sub, "invite");
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			a.email = optarg;
			break;
		case 'n':
			if (!invite)
				goto bad;
			a.name = optarg;
			break;
		case 'o':
			if (!invite)
				goto bad;
			a.org = optarg;
			break;
		case 'p':
			if (!invite && !str_eq(a.sub, "reset-password"))
				goto bad;
			a.print_link = true;
			break;
		case 'd':
			if (settings_set(&app->cfg, "db", optarg))
				return ZEK_INVALID;
			break;
		default:
			goto bad;
		}
	}
	if (a.email == NULL || optind != argc)
		goto bad;
	return with_db(app, do_account, &a);
bad:
	fputs(usage, stderr);
	return ZEK_INVALID;
}

static bool
is_account_command(const char *sub)
{
	return str_eq(sub, "invite") || str_eq(sub, "reset-password") ||
	    str_eq(sub, "deactivate") || str_eq(sub, "reactivate") ||
	    str_eq(sub, "export") || str_eq(sub, "erase");
}

/* ---- zek org add|list|members ---- */

struct org_args {
	const char *sub, *name;
};

/* The organisation with exactly this name, or 0. */
static int64_t
org_by_name(struct zctx *ctx, const char *name)
{
	struct org_page pg;
	size_t i;

	if (core_orgs_page(ctx, NULL, name, NULL, &pg) != ZEK_OK)
		return 0;
	for (i = 0; i < pg.n; i++)
		if (str_eq(pg.rows[i].name, name))
			return pg.rows[i].id;
	return 0;
}

static int
org_members(struct zctx *ctx, const char *name)
{
	struct customer_page pg = { .next_after = 0 };
	int64_t id = org_by_name(ctx, name), after = 0;
	size_t i;
	int rc;

	if (id == 0) {
		fprintf(stderr, "zek: no organisation \"%s\"\n", name);
		return ZEK_NOTFOUND;
	}
	do {
		rc = core_customers_page(ctx, NULL, NULL, id, after, &pg);
		for (i = 0; rc == ZEK_OK && i < pg.n; i++)
			printf("%s\t%s\t%s\n", pg.rows[i].p.email,
			    pg.rows[i].p.name,
			    !pg.rows[i].active     ? "deactivated" :
			        pg.rows[i].invited ? "invited" :
			                             "active");
		after = pg.next_after;
	} while (rc == ZEK_OK && after != 0);
	return rc;
}

static int
org_list(struct zctx *ctx, const char *query)
{
	struct org_page pg;
	const char *after = NULL;
	size_t i;
	int rc;

	do {
		rc = core_orgs_page(ctx, NULL, query, after, &pg);
		for (i = 0; rc == ZEK_OK && i < pg.n; i++)
			printf("%lld\t%s\t%lld\n", (long long)pg.rows[i].id,
			    pg.rows[i].name, (long long)pg.rows[i].members);
		after = pg.next_after;
	} while (rc == ZEK_OK && after != NULL);
	return rc;
}

static int
do_org(struct zctx *ctx, void *arg)
{
	struct org_args *a = arg;
	const char *err;
	int64_t id;
	int rc;

	if (str_eq(a->sub, "list"))
		return org_list(ctx, a->name);
	if (str_eq(a->sub, "members"))
		return org_members(ctx, a->name);
	rc = core_org_create(ctx, NULL, a->name, &id, &err);
	if (rc == ZEK_OK)
		printf("zek: added organisation %lld\n", (long long)id);
	else if (rc == ZEK_INVALID)
		fprintf(stderr, "zek: %s\n",
		    str_eq(err, "err_org_exists") ?
		        "an organisation of this name exists" :
		        "invalid name");
	return rc;
}

static int
cmd_org(struct app *app, int argc, char **argv)
{
	struct org_args a = { 0 };

	if (argc >= 4 && str_eq(argv[argc - 2], "--db")) {
		if (settings_set(&app->cfg, "db", argv[argc - 1]) != 0)
			return ZEK_INVALID;
		argc -= 2;
	}
	if (argc < 2)
		goto bad;
	a.sub = argv[1];
	a.name = argc == 3 ? argv[2] : NULL;
	if (!(str_eq(a.sub, "list") && argc <= 3) &&
	    !((str_eq(a.sub, "add") || str_eq(a.sub, "members")) && argc == 3))
		goto bad;
	return with_db(app, do_org, &a);
bad:
	fputs("usage: zek org add NAME | org list [QUERY] | org members NAME "
	      "[--db DB]\n",
	    stderr);
	return ZEK_INVALID;
}

static int
do_import(struct zctx *ctx, void *arg)
{
	int64_t added = 0, line = 0;
	int rc = core_import_objects_csv_path(ctx, arg, &added, &line);

	if (rc == ZEK_OK)
		printf("zek: imported %lld new objects\n", (long long)added);
	else if (rc == ZEK_INVALID)
		fprintf(stderr, "zek: %s:%lld: not a valid 'kind,name' line\n",
		    (const char *)arg, (long long)line);
	else
		fprintf(stderr, "zek: cannot import %s: %s\n",
		    (const char *)arg, zek_rc_name(rc));
	return rc;
}

static int
cmd_import(struct app *app, int argc, char **argv)
{
	if (argc == 4 && str_eq(argv[1], "--db")) {
		if (settings_set(&app->cfg, "db", argv[2]) != 0)
			return ZEK_INVALID;
		argv += 2;
		argc -= 2;
	}
	if (argc != 2) {
		fputs("usage: zek import-objects [--db DB] FILE.csv\n", stderr);
		return ZEK_INVALID;
	}
	return with_db(app, do_import, argv[1]);
}

/* ---- zek config export|import ---- */

struct config_args {
	const char *sub;  /* "export" or "import" */
	const char *file; /* export: NULL = standard output */
	bool dry_run;
	struct catalogs *cat; /* English texts of problems, or NULL */
};

static int
config_export(struct zctx *ctx, struct config_args *a)
{
	FILE *fp = a->file != NULL ? fopen(a->file, "w") : stdout;
	int64_t version;
	size_t len;
	char *doc;
	int rc;

	if (fp == NULL) {
		fprintf(stderr, "zek: cannot write %s\n", a->file);
		return ZEK_IO;
	}
	rc = core_config_export(ctx, NULL, &doc, &len, &version);
	if (rc == ZEK_OK && fwrite(doc, 1, len, fp) != len)
		rc = ZEK_IO;
	if (fp != stdout && fclose(fp) != 0 && rc == ZEK_OK)
		rc = ZEK_IO;
	if (rc != ZEK_OK)
		fprintf(stderr, "zek: export failed: %s\n", zek_rc_name(rc));
	else if (a->file != NULL)
		printf("zek: wrote configuration version %lld to %s\n",
		    (long long)version, a->file);
	return rc;
}

/* One plan line: op, thing, where, and what changes. */
static void
print_plan_line(const struct config_line *l)
{
	printf("  %-8s %s", config_op_name(l->op), config_thing_name(l->thing));
	if (*l->where != '\0')
		printf(" \"%s\"", l->where);
	if (l->op == CONFIG_CHANGE || l->op == CONFIG_ORDER)
		printf(" %s: \"%s\" -> \"%s\"", l->attr, l->old_value,
		    l->new_value);
	putchar('\n');
}

static void
print_problems(struct zctx *ctx, const struct config_args *a,
    const struct config_problems *probs)
{
	const char *names[] = { "detail" };
	char *text;
	size_t i;

	for (i = 0; i < probs->n; i++) {
		const struct config_problem *p = &probs->rows[i];
		const char *values[] = { p->detail };

		if (i18n_format(ctx->arena, i18n_get(a->cat, "en", p->key),
		        names, values, 1, &text) != ZEK_OK)
			text = (char *)p->key;
		fprintf(stderr, "zek: %s: %s%s%s\n", a->file, p->path,
		    *p->path ? ": " : "", text);
	}
	if (probs->more)
		fputs("zek: (more problems not shown)\n", stderr);
}

static int
config_import(struct zctx *ctx, struct config_args *a)
{
	struct config_problems probs;
	struct config_plan plan;
	size_t len, i;
	char *doc;
	int rc;

	rc = core_config_read_file(ctx, a->file, &doc, &len);
	if (rc != ZEK_OK) {
		fprintf(stderr, "zek: cannot read %s: %s\n", a->file,
		    rc == ZEK_TOOBIG ? "too big" : zek_rc_name(rc));
		return rc;
	}
	rc = a->dry_run ?
	    core_config_plan(ctx, NULL, doc, len, &plan, &probs) :
	    core_config_import(ctx, NULL, doc, len, -1, &plan, &probs);
	if (rc == ZEK_INVALID) {
		print_problems(ctx, a, &probs);
		fputs("zek: nothing was changed\n", stderr);
		return rc;
	}
	if (rc != ZEK_OK) {
		fprintf(stderr, "zek: import failed, nothing was changed: %s\n",
		    zek_rc_name(rc));
		return rc;
	}
	for (i = 0; i < plan.n; i++)
		print_plan_line(&plan.lines[i]);
	if (plan.n == 0)
		puts("zek: no changes");
	else if (a->dry_run)
		printf("zek: %zu changes planned at configuration version %lld "
		       "(dry run: nothing was changed)\n",
		    plan.n, (long long)plan.version);
	else
		printf("zek: applied %zu changes; configuration version %lld\n",
		    plan.n, (long long)plan.version + 1);
	return ZEK_OK;
}

static int
do_config(struct zctx *ctx, void *arg)
{
	struct config_args *a = arg;

	return str_eq(a->sub, "export") ? config_export(ctx, a) :
	                                  config_import(ctx, a);
}

static int
cmd_config(struct app *app, int argc, char **argv)
{
	static const char
	    use[] = "usage: zek config export [--db DB] [FILE]\n"
	            "       zek config import [--db DB] [--dry-run] FILE\n";
	struct config_args a = { 0 };
	char err[256], *po;
	int i, rc;

	a.sub = argc >= 2 ? argv[1] : "";
	for (i = 2; i < argc; i++) {
		if (str_eq(argv[i], "--db") && i + 1 < argc) {
			if (settings_set(&app->cfg, "db", argv[++i]) != 0)
				return ZEK_INVALID;
		} else if (str_eq(argv[i], "--dry-run") &&
		    str_eq(a.sub, "import"))
			a.dry_run = true;
		else if (a.file == NULL &&
		    (argv[i][0] != '-' || str_eq(argv[i], "-")))
			a.file = argv[i];
		else
			a.sub = "";
	}
	if (!str_eq(a.sub, "export") &&
	    !(str_eq(a.sub, "import") && a.file != NULL)) {
		fputs(use, stderr);
		return ZEK_INVALID;
	}
	if (str_eq(a.file, "-") && str_eq(a.sub, "export"))
		a.file = NULL;
	/* Problems are told in the catalogs' English; without them, by key. */
	po = root_path(&app->cfg, "po");
	a.cat = po != NULL ? i18n_load(po, err, sizeof(err)) : NULL;
	free(po);
	rc = core_open(&app->cfg, &app->core);
	if (rc != ZEK_OK) {
		i18n_free(a.cat);
		return db_open_failed(app, rc);
	}
	rc = with_ctx(app->core, do_config, &a);
	core_close(app->core);
	i18n_free(a.cat);
	return rc;
}

/* ---- zek mail list|show|run ---- */

struct mail_args {
	const char *sub;   /* "list", "show", "run" */
	const char *state; /* list: NULL = every state */
	int64_t limit;
	int64_t id;
	struct mail_env env;
};

static void
print_utc(int64_t ms, char *out, size_t n)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0 || gmtime_r(&t, &tm) == NULL ||
	    strftime(out, n, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		str_lcpy(out, "-", n);
}

static int
do_mail_list(struct zctx *ctx, void *arg)
{
	struct mail_args *ma = arg;
	struct store_mail *m;
	char when[32];
	json_t *p;
	size_t i, n;
	int rc;

	rc = core_outbox_list(ctx, ma->state, 0, (size_t)ma->limit, &m, &n);
	if (rc != ZEK_OK)
		return rc;
	printf("%-6s %-8s %-3s %-19s %-10s %-17s %s\n", "ID", "STATE", "TRY",
	    "CREATED (UTC)", "REQUEST", "EVENT", "TO");
	for (i = 0; i < n; i++) {
		p = json_loads(m[i].payload, 0, NULL);
		print_utc(m[i].created_at, when, sizeof(when));
		printf("%-6lld %-8s %-3lld %-19s %-10s %-17s %s <%s>\n",
		    (long long)m[i].id, m[i].state, (long long)m[i].attempts,
		    when,
		    json_string_value(json_object_get(p, "key")) != NULL ?
		        json_string_value(json_object_get(p, "key")) :
		        "-",
		    m[i].event, m[i].to_name, m[i].to_addr);
		if (!str_empty(m[i].last_error))
			printf("       last error: %s\n", m[i].last_error);
		json_decref(p);
	}
	if (n == 0)
		puts("(the outbox is empty)");
	return ZEK_OK;
}

static int
do_mail_show(struct zctx *ctx, void *arg)
{
	struct mail_args *ma = arg;
	struct buf b;
	int rc;

	buf_init(&b, MAIL_MAX_BYTES);
	rc = outbox_message(ctx, &ma->env, ma->id, &b);
	if (rc == ZEK_OK && b.data != NULL)
		fwrite(b.data, 1, b.len, stdout);
	else if (rc == ZEK_NOTFOUND)
		fprintf(stderr, "zek: no mail %lld\n", (long long)ma->id);
	else if (rc != ZEK_OK)
		fprintf(stderr, "zek: cannot show mail %lld: %s\n",
		    (long long)ma->id, zek_rc_name(rc));
	buf_free(&b);
	return rc;
}

/* What became of a received message, as mail receive and mail retry say
 * it. */
static void
print_inbound(const struct inbound_result *res)
{
	printf("zek: mail %lld %s%s%s%s%s\n", (long long)res->id,
	    res->duplicate ? "received before, " : "", res->state,
	    res->reason[0] != '\0' ? " (" : "", res->reason,
	    res->reason[0] != '\0' ? ")" : "");
	if (res->request_key[0] != '\0')
		printf("zek: request %s%s\n", res->request_key,
		    res->comment_id != 0 ? ", comment added" : "");
}

/* One received message on standard input. */
static int
do_mail_receive(struct core *core, struct zctx *ctx)
{
	struct inbound_result res;
	struct inbound_raw raw;
	enum zek_rc rc;

	rc = mail_receive_read(ctx->arena, ctx->cfg, STDIN_FILENO, &raw);
	if (rc == ZEK_INVALID) {
		fputs("zek: mail receive: no message on standard input\n",
		    stderr);
		return EXIT_DATAERR;
	}
	if (rc == ZEK_OK)
		rc = mail_receive(core, ctx, &raw, &res);
	if (rc != ZEK_OK) {
		fprintf(stderr,
		    "zek: mail receive: not stored, deliver it "
		    "again later: %s\n",
		    zek_rc_name(rc));
		return EXIT_TEMPFAIL;
	}
	print_inbound(&res);
	return 0;
}

static int
do_mail_received(struct zctx *ctx, void *arg)
{
	struct mail_args *ma = arg;
	struct store_inbound *m;
	char when[32];
	size_t i, n;
	int rc;

	rc = core_inbound_list(ctx, NULL, ma->state, 0, (size_t)ma->limit, &m,
	    &n);
	if (rc != ZEK_OK)
		return rc;
	printf("%-6s %-11s %-16s %-19s %-7s %-30s %s\n", "ID", "STATE",
	    "REASON", "RECEIVED (UTC)", "REQUEST", "FROM", "SUBJECT");
	for (i = 0; i < n; i++) {
		print_utc(m[i].received_at, when, sizeof(when));
		printf("%-6lld %-11s %-16s %-19s %-7lld %-30s %s\n",
		    (long long)m[i].id, m[i].state,
		    m[i].reason[0] != '\0' ? m[i].reason : "-", when,
		    (long long)m[i].request_id,
		    m[i].from_addr[0] != '\0' ? m[i].from_addr : "-",
		    m[i].subject);
	}
	if (n == 0)
		puts("(no mail received)");
	return ZEK_OK;
}

/* One received message as it arrived (or its head, when too big). */
static int
do_mail_received_show(struct zctx *ctx, void *arg)
{
	struct mail_args *ma = arg;
	struct store_inbound *m;
	int rc;

	rc = core_inbound_get(ctx, NULL, ma->id, true, &m);
	if (rc == ZEK_NOTFOUND)
		fprintf(stderr, "zek: no received mail %lld\n",
		    (long long)ma->id);
	if (rc != ZEK_OK)
		return rc;
	if (m->raw_len > 0)
		fwrite(m->raw, 1, m->raw_len, stdout);
	if ((int64_t)m->raw_len < m->raw_size)
		fprintf(stderr,
		    "zek: only the first %zu of %lld bytes were "
		    "kept\n",
		    m->raw_len, (long long)m->raw_size);
	return fflush(stdout) == 0 ? ZEK_OK : ZEK_IO;
}

static int64_t mail_retry_id; /* zek mail retry ID */

/* A quarantined message processed again; the status is an exit status. */
static int
do_mail_retry(struct core *core, struct zctx *ctx)
{
	struct inbound_result res;
	enum zek_rc rc;

	rc = mail_receive_again(core, ctx, NULL, mail_retry_id, &res);
	if (rc == ZEK_NOTFOUND || rc == ZEK_CONFLICT) {
		fprintf(stderr, "zek: mail %lld %s\n", (long long)mail_retry_id,
		    rc == ZEK_NOTFOUND ? "does not exist" :
		                         "is not quarantined, "
		                         "or was too big to keep");
		return 1;
	}
	if (rc != ZEK_OK) {
		fprintf(stderr, "zek: mail retry: %s\n", zek_rc_name(rc));
		return EXIT_TEMPFAIL;
	}
	print_inbound(&res);
	return 0;
}

/* Everything new in imap_url's mailbox, batch after batch. */
static int
do_mail_fetch(struct core *core, const struct config *cfg)
{
	struct imap_stats st = { 0 };
	bool more = true;
	int rc = ZEK_OK;

	if (str_empty(cfg->imap_url)) {
		fputs("zek: imap_url is not set\n", stderr);
		return ZEK_INVALID;
	}
	while (rc == ZEK_OK && more)
		rc = imap_fetch_run(core, cfg, &st, &more);
	printf("zek: %u fetched: %u comments, %u requests, %u quarantined, "
	       "%u ignored, %u stored before, %u gone\n",
	    st.fetched, st.comments, st.requests, st.quarantined, st.ignored,
	    st.before, st.gone);
	return rc;
}

/* One pass over everything due, batch after batch. */
static int
do_mail_run(struct core *core, struct mail_args *ma)
{
	struct outbox_stats st = { 0 };
	bool more = true;
	int rc = ZEK_OK;

	if (str_empty(ma->env.cfg->smtp_url)) {
		fputs("zek: smtp_url is not set; mails stay in the outbox\n",
		    stderr);
		return ZEK_INVALID;
	}
	if (smtp_global_init() != ZEK_OK)
		return ZEK_IO;
	while (rc == ZEK_OK && more)
		rc = outbox_run(core, &ma->env, &st, &more);
	printf("zek: %u sent, %u to retry, %u failed, %u busy elsewhere\n",
	    st.sent, st.retried, st.failed, st.busy);
	return rc;
}

/* The options and operands of `zek mail SUB ...` into *ma; ZEK_INVALID,
 * after a usage line, when they do not fit SUB. */
static int
mail_args_parse(struct app *app, int argc, char **argv, struct mail_args *ma)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "state", required_argument, NULL, 's' },
		{ "limit", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	if (argc < 2) {
		fputs(usage, stderr);
		return ZEK_INVALID;
	}
	ma->sub = argv[1];
	optind = 0;
	while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (settings_set(&app->cfg, "db", optarg))
				return ZEK_INVALID;
			break;
		case 's':
			ma->state = optarg;
			break;
		case 'l':
			if (str_to_i64(optarg, 1, 100000, &ma->limit))
				return ZEK_INVALID;
			break;
		default:
			fputs(usage, stderr);
			return ZEK_INVALID;
		}
	}
	if ((str_eq(ma->sub, "show") || str_eq(ma->sub, "retry")) &&
	    (optind + 1 != argc - 1 ||
	        str_to_i64(argv[optind + 1], 1, INT64_MAX, &ma->id) != 0)) {
		fprintf(stderr, "usage: zek mail %s [--db DB] ID\n", ma->sub);
		return ZEK_INVALID;
	}
	/* "received ID": that message's bytes. */
	if (str_eq(ma->sub, "received") &&
	    (optind + 1 < argc - 1 ||
	        (optind + 1 == argc - 1 &&
	            str_to_i64(argv[optind + 1], 1, INT64_MAX, &ma->id) !=
	                0))) {
		fputs("usage: zek mail received [--db DB] [--state S] "
		      "[--limit N] [ID]\n",
		    stderr);
		return ZEK_INVALID;
	}
	if (!str_eq(ma->sub, "list") && !str_eq(ma->sub, "show") &&
	    !str_eq(ma->sub, "run") && !str_eq(ma->sub, "receive") &&
	    !str_eq(ma->sub, "received") && !str_eq(ma->sub, "retry") &&
	    !str_eq(ma->sub, "fetch")) {
		fputs(usage, stderr);
		return ZEK_INVALID;
	}
	return ZEK_OK;
}

/* The subcommands about incoming mail, which render nothing: receive,
 * fetch, received and retry. */
static int
mail_incoming(struct app *app, struct mail_args *ma)
{
	if (str_eq(ma->sub, "receive"))
		return with_core_ctx(app->core, do_mail_receive);
	if (str_eq(ma->sub, "fetch"))
		return do_mail_fetch(app->core, &app->cfg);
	mail_retry_id = ma->id;
	if (str_eq(ma->sub, "retry"))
		return with_core_ctx(app->core, do_mail_retry);
	return with_ctx(app->core,
	    ma->id != 0 ? do_mail_received_show : do_mail_received, ma);
}

static int
cmd_mail(struct app *app, int argc, char **argv)
{
	struct mail_args ma = { .limit = 50 };
	int rc;

	cli_job_id();
	if (mail_args_parse(app, argc, argv, &ma) != ZEK_OK)
		return ZEK_INVALID;
	rc = core_open(&app->cfg, &app->core);
	if (rc != ZEK_OK) {
		(void)db_open_failed(app, rc);
		/* The MTA keeps the message and tries again. */
		return str_eq(ma.sub, "receive") ? EXIT_TEMPFAIL : rc;
	}
	if (!str_eq(ma.sub, "list") && !str_eq(ma.sub, "show") &&
	    !str_eq(ma.sub, "run")) {
		rc = mail_incoming(app, &ma);
		core_close(app->core);
		return rc;
	}
	if (!str_eq(ma.sub, "list")) {
		/* Rendering needs the templates and catalogs. */
		rc = load_presentation(app);
		if (rc != ZEK_OK)
			goto out;
	}
	ma.env = (struct mail_env){ &app->cfg, app->tpl, app->cat, NULL };
	if (str_eq(ma.sub, "list"))
		rc = with_ctx(app->core, do_mail_list, &ma);
	else if (str_eq(ma.sub, "show"))
		rc = with_ctx(app->core, do_mail_show, &ma);
	else
		rc = do_mail_run(app->core, &ma);
out:
	i18n_free(app->cat);
	templates_free(app->tpl);
	free(app->templates_dir);
	free(app->po_dir);
	core_close(app->core);
	return rc;
}

/* ---- zek routes ---- */

/* The router table for tests and audits (tests/e2e/solo_authz.py): method,
 * pattern, flags as words (comma-separated, "-" for none), name. */
static int
cmd_routes(void)
{
	static const struct {
		unsigned flag;
		const char *word;
	} words[] = {
		{ ROUTE_LOGIN, "login" },
		{ ROUTE_CSRF, "csrf" },
		{ ROUTE_BODY, "body" },
		{ ROUTE_AGENT, "agent" },
		{ ROUTE_JSON, "json" },
		{ ROUTE_PUBLIC, "public" },
		{ ROUTE_API, "api" },
		{ ROUTE_SECRET, "secret" },
	};
	const struct route *r;
	size_t i;
	bool first;

	for (r = routes; r->pattern != NULL; r++) {
		printf("%s\t%s\t", r->method, r->pattern);
		first = true;
		for (i = 0; i < ZEK_ARRAY_LEN(words); i++) {
			if ((r->flags & words[i].flag) == 0)
				continue;
			printf("%s%s", first ? "" : ",", words[i].word);
			first = false;
		}
		printf("%s\t%s\n", first ? "-" : "", r->name);
	}
	return fflush(stdout) == 0 ? ZEK_OK : ZEK_IO;
}

/* ---- zek jobs run ---- */

struct jobs_args {
	int64_t now_ms; /* 0 = the wall clock */
};

/* One pass of every job but the mail worker (`zek mail run`), each until
 * its batches are done. */
static int
do_jobs_run(struct zctx *ctx, void *arg)
{
	struct jobs_args *ja = arg;
	int64_t n, closed = 0, uploads = 0, sessions = 0, links = 0, sla = 0;
	int64_t kept = 0;
	int64_t wall = ctx->now_ms;
	bool more = true;
	int rc = ZEK_OK;

	/* The fake clock moves the auto-close job only: purging sessions and
	 * uploads "in the future" would end everybody's live session. */
	if (ja->now_ms > 0)
		ctx->now_ms = ja->now_ms;
	while (rc == ZEK_OK && more) {
		n = 0;
		rc = core_auto_close_run(ctx, 0, &n, &more);
		closed += n;
	}
	ctx->now_ms = wall;
	for (more = true; rc == ZEK_OK && more;)
		rc = core_sla_refresh_stale(ctx, &sla, &more);
	if (rc == ZEK_OK)
		rc = core_attachments_purge(ctx, &uploads);
	if (rc == ZEK_OK)
		rc = core_sessions_purge(ctx, &sessions);
	if (rc == ZEK_OK)
		rc = core_kept_forms_purge(ctx, &kept);
	if (rc == ZEK_OK)
		rc = core_account_links_purge(ctx, &links);
	if (rc != ZEK_OK)
		fprintf(stderr, "zek: jobs failed: %s\n", zek_rc_name(rc));
	printf("zek: %lld requests closed automatically; %lld expired uploads, "
	       "%lld sessions, %lld kept forms and %lld account links removed; "
	       "service levels of %lld requests worked out again\n",
	    (long long)closed, (long long)uploads, (long long)sessions,
	    (long long)kept, (long long)links, (long long)sla);
	return rc;
}

static int
cmd_jobs(struct app *app, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "now", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	struct jobs_args ja = { 0 };
	int c;

	cli_job_id();
	if (argc < 2 || !str_eq(argv[1], "run")) {
		fputs("usage: zek jobs run [--db DB] [--now MS]\n", stderr);
		return ZEK_INVALID;
	}
	optind = 0;
	while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (settings_set(&app->cfg, "db", optarg))
				return ZEK_INVALID;
			break;
		case 'n':
			if (str_to_i64(optarg, 1, INT64_MAX, &ja.now_ms))
				return ZEK_INVALID;
			break;
		default:
			fputs(usage, stderr);
			return ZEK_INVALID;
		}
	}
	if (optind != argc - 1) {
		fputs("usage: zek jobs run [--db DB] [--now MS]\n", stderr);
		return ZEK_INVALID;
	}
	return with_db(app, do_jobs_run, &ja);
}

/* ---- zek retention ---- */

struct retention_args {
	bool dry_run;
	int64_t now_ms; /* 0 = the wall clock */
};

/* The requests that would go, page by page; nothing is changed. */
static int
retention_list(struct zctx *ctx)
{
	struct store_retention_due *due;
	int64_t after = 0, total = 0;
	char when[32];
	size_t i, n;
	int rc;

	do {
		rc = core_retention_due(ctx, after, 500, &due, &n);
		for (i = 0; rc == ZEK_OK && i < n; i++) {
			print_utc(due[i].updated_at, when, sizeof(when));
			printf("%-10s %-19s %s\n", due[i].key, when,
			    due[i].title);
			after = due[i].id;
		}
		total += (int64_t)n;
	} while (rc == ZEK_OK && n == 500);
	if (rc == ZEK_OK)
		printf(
		    "zek: %lld closed requests would be deleted (last changed "
		    "before the cutoff, UTC)\n",
		    (long long)total);
	return rc;
}

static int
do_retention(struct zctx *ctx, void *arg)
{
	struct retention_args *ra = arg;
	int64_t deleted = 0;
	bool more = true;
	int rc = ZEK_OK;

	if (ra->now_ms > 0)
		ctx->now_ms = ra->now_ms;
	if (ctx->cfg->retention_closed_days <= 0) {
		fputs("zek: retention_closed_days is not set: nothing is ever "
		      "deleted\n",
		    stderr);
		return ZEK_OK;
	}
	if (ra->dry_run)
		return retention_list(ctx);
	while (rc == ZEK_OK && more)
		rc = core_retention_run(ctx, &deleted, &more);
	printf("zek: %lld closed requests deleted\n", (long long)deleted);
	return rc;
}

static int
cmd_retention(struct app *app, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ "now", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	struct retention_args ra = { 0 };
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (settings_set(&app->cfg, "db", optarg))
				return ZEK_INVALID;
			break;
		case 'n':
			ra.dry_run = true;
			break;
		case 't':
			if (str_to_i64(optarg, 1, INT64_MAX, &ra.now_ms))
				return ZEK_INVALID;
			break;
		default:
			fputs(usage_ops, stderr);
			return ZEK_INVALID;
		}
	}
	if (optind != argc) {
		fputs("usage: zek retention [--db DB] [--dry-run] [--now MS]\n",
		    stderr);
		return ZEK_INVALID;
	}
	return with_db(app, do_retention, &ra);
}

/* ---- zek reports rebuild ---- */

#define REBUILD_ARENA_LIMIT (64u << 20) /* one batch's scratch */

/* Forgets the counts, then counts every request anew from its log in the
 * sla job's batches, each in scratch space of its own. */
static int
do_reports_rebuild(struct zctx *ctx, void *arg)
{
	struct zctx batch;
	struct arena *a;
	int64_t done = 0;
	bool more = true;
	int rc;

	(void)arg;
	rc = core_reports_clear(ctx);
	while (rc == ZEK_OK && more) {
		a = arena_new(REBUILD_ARENA_LIMIT);
		if (a == NULL)
			return ZEK_NOMEM;
		core_ctx_scratch(ctx, a, &batch);
		rc = core_sla_refresh_stale(&batch, &done, &more);
		arena_free(a);
	}
	if (rc != ZEK_OK)
		fprintf(stderr, "zek: reports rebuild failed: %s\n",
		    zek_rc_name(rc));
	printf("zek: %lld requests counted for the reports\n", (long long)done);
	return rc;
}

static int
cmd_reports(struct app *app, int argc, char **argv)
{
	static const char use[] = "usage: zek reports rebuild [--db DB]\n";
	int i = db_then_args(app, argc, argv, 1, use);

	if (i < 0)
		return ZEK_INVALID;
	if (!str_eq(argv[i], "rebuild")) {
		fputs(use, stderr);
		return ZEK_INVALID;
	}
	return with_db(app, do_reports_rebuild, NULL);
}

/* ---- zek copy-db ---- */

static int
cmd_copy_db(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 },
	};
	static const char use[] = "usage: zek copy-db --from FILE --to URL\n";
	struct store_copy_stats st = { 0 };
	const char *from = NULL, *to = NULL;
	char label[512];
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			from = optarg;
			break;
		case 't':
			to = optarg;
			break;
		default:
			fputs(use, stderr);
			return ZEK_INVALID;
		}
	}
	if (from == NULL || to == NULL || optind != argc) {
		fputs(use, stderr);
		return ZEK_INVALID;
	}
	rc = store_copy_db(from, to, &st);
	store_db_label(to, label, sizeof(label));
	if (rc == ZEK_OK)
		printf("zek: copied %zu tables, %lld rows from %s to %s in "
		       "%.1f s; row counts and checksums equal\n",
		    st.tables, (long long)st.rows, from, label, st.seconds);
	else
		fprintf(stderr, "zek: copy-db failed: %s\n", zek_rc_name(rc));
	return rc;
}

/* ---- zek backup, restore, check ---- */

static int
cmd_backup(struct app *app, int argc, char **argv)
{
	struct store_backup_stats st;
	int64_t t0 = core_now_ms();
	int i, rc;

	i = db_then_args(app, argc, argv, 1,
	    "usage: zek backup [--db DB] FILE\n");
	if (i < 0)
		return ZEK_INVALID;
	rc = store_backup(app->cfg.db_path, argv[i], &st);
	if (rc == ZEK_OK)
		printf("zek: backed up %s (schema %" PRId64 ", %" PRId64
		       " bytes) "
		       "to %s in %.1f s\n",
		    app->cfg.db_path, st.schema_version, st.bytes, argv[i],
		    (double)(core_now_ms() - t0) / 1000.0);
	return rc;
}

static int
cmd_restore(struct app *app, int argc, char **argv)
{
	struct store_backup_stats st;
	int i, rc;

	i = db_then_args(app, argc, argv, 1,
	    "usage: zek restore [--db DB] FILE\n");
	if (i < 0)
		return ZEK_INVALID;
	rc = store_restore(argv[i], app->cfg.db_path, &st);
	if (rc == ZEK_OK)
		printf("zek: restored %s (schema %" PRId64 ", now %" PRId64
		       ") as "
		       "%s\n",
		    argv[i], st.schema_before, st.schema_version,
		    app->cfg.db_path);
	return rc;
}

static void
print_check(const struct store_check_report *r)
{
	const struct store_check_item *it;
	size_t i;

	printf("counts           %" PRId64 " requests, %" PRId64
	       " comments, %" PRId64 " attachments, %" PRId64 " users\n",
	    r->requests, r->comments, r->attachments, r->users);
	for (i = 0; i < r->nitems; i++) {
		it = &r->items[i];
		if (it->problems == 0)
			printf("%-16s ok%s%s%s\n", it->name,
			    *it->detail ? " (" : "", it->detail,
			    *it->detail ? ")" : "");
		else
			printf("%-16s DAMAGED: %s%" PRId64 " problem%s: %s\n",
			    it->name,
			    it->problems > STORE_CHECK_SHOWN ? "more than " :
			                                       "",
			    it->problems > STORE_CHECK_SHOWN ?
			        (int64_t)STORE_CHECK_SHOWN :
			        it->problems,
			    it->problems == 1 ? "" : "s", it->detail);
	}
}

static int
do_check(struct zctx *ctx, void *arg)
{
	struct store_check_report r;
	int rc;

	rc = store_check(ctx->db, ctx->arena, *(bool *)arg, &r);
	if (rc != ZEK_OK) {
		fprintf(stderr, "zek: check failed: %s\n", zek_rc_name(rc));
		return rc;
	}
	print_check(&r);
	if (!store_check_passed(&r)) {
		printf("zek: the database is damaged; restore a backup "
		       "(docs/operations.md)\n");
		return ZEK_IO;
	}
	printf("zek: no damage found\n");
	return ZEK_OK;
}

/* Opening migrates, as every command does: an older database is checked
 * as this zek will use it. */
static int
cmd_check(struct app *app, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' },
		{ "full", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	bool full = false, bad = false;
	char label[512];
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'f')
			full = true;
		else if (c != 'd' || settings_set(&app->cfg, "db", optarg) != 0)
			bad = true;
	}
	if (bad || optind != argc) {
		fputs("usage: zek check [--db DB] [--full]\n", stderr);
		return ZEK_INVALID;
	}
	rc = core_open(&app->cfg, &app->core);
	if (rc != ZEK_OK)
		return db_open_failed(app, rc);
	printf("zek: checking %s\n",
	    core_db_label(&app->cfg, label, sizeof(label)));
	rc = with_ctx(app->core, do_check, &full);
	core_close(app->core);
	return rc;
}

/* The options parse_options knows besides the settings' flags. */
enum {
	OPT_CONFIG = 'c',
	OPT_DEMO = 'D',
	OPT_HELP = 'h',
	OPT_SETTING = 256
};

/* The global options: --config, --demo, --help and each setting's flag
 * (settings.h), whose getopt value is OPT_SETTING + its row. A switch
 * (--dev) takes no argument. */
static void
global_options(struct option *opts)
{
	size_t n = 0;

	opts[n++] = (struct option){ "config", required_argument, NULL,
		OPT_CONFIG };
	opts[n++] = (struct option){ "demo", no_argument, NULL, OPT_DEMO };
	opts[n++] = (struct option){ "help", no_argument, NULL, OPT_HELP };
	for (size_t i = 0; i < settings_n; i++) {
		if (settings[i].flag == NULL)
			continue;
		opts[n++] = (struct option){ settings[i].flag + 2,
			settings[i].kind == SETTING_SWITCH ? no_argument :
			                                     required_argument,
			NULL, OPT_SETTING + (int)i };
	}
	opts[n] = (struct option){ NULL, 0, NULL, 0 };
}

/* Global options and those of serve/init; stops at the command's own. */
static int
parse_options(struct config *cfg, int argc, char **argv, int *cmd_index)
{
	/* For the life of the process, as getopt keeps looking at it. */
	static struct option *opts;
	const char *file = getenv("ZEK_CONFIG");
	const struct setting *s;
	int c, i;

	if (opts == NULL &&
	    (opts = calloc(settings_n + 4, sizeof(*opts))) == NULL)
		return -1;
	global_options(opts);
	/* The file comes first so the environment and flags override it. */
	for (i = 1; i < argc - 1; i++)
		if (str_eq(argv[i], "--config"))
			file = argv[i + 1];
	if (file != NULL && config_file(cfg, file) != 0)
		return -1;
	if (settings_from_env(cfg) != 0)
		return -1;
	/* "+" stops at the first non-option: the command. */
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1 ||
	    (optind < argc &&
	        (str_eq(argv[optind], "serve") ||
	            str_eq(argv[optind], "init")) &&
	        *cmd_index == 0)) {
		if (c == -1) {
			*cmd_index = optind++;
			continue;
		}
		if (c == OPT_CONFIG)
			continue; /* read above */
		if (c == OPT_DEMO) {
			cfg->demo = true;
			continue;
		}
		if (c < OPT_SETTING || c >= OPT_SETTING + (int)settings_n)
			return -1; /* --help, or one it does not know */
		s = &settings[c - OPT_SETTING];
		if (settings_set(cfg, s->key,
		        s->kind == SETTING_SWITCH ? "1" : optarg) != 0)
			return -1;
	}
	if (*cmd_index == 0)
		*cmd_index = optind;
	return 0;
}

int
main(int argc, char **argv)
{
	static struct app app;
	struct config *cfg = &app.cfg;
	int cmd = 0, rc;
	const char *name;

	if (sodium_init() < 0) {
		fputs("zek: libsodium failed to start\n", stderr);
		return 1;
	}
	config_defaults(cfg);
	if (parse_options(cfg, argc, argv, &cmd) != 0 || cmd >= argc) {
		usage_print();
		return 2;
	}
	if (cfg->signup == SIGNUP_DOMAINS && str_empty(cfg->signup_domains)) {
		fputs("zek: signup = domains needs signup_domains\n", stderr);
		return 2;
	}
	cfg->max_body_bytes = config_body_bytes(cfg);
	log_setup((enum log_format)cfg->log_format,
	    (enum log_level)cfg->log_level);
	config_find_root(cfg);
	name = argv[cmd];
	if (str_eq(name, "serve"))
		rc = cmd_serve(&app);
	else if (str_eq(name, "init"))
		rc = cmd_init(&app);
	else if (str_eq(name, "user") && cmd + 1 < argc &&
	    str_eq(argv[cmd + 1], "add"))
		rc = cmd_user_add(&app, argc - cmd - 1, argv + cmd + 1);
	else if (str_eq(name, "user") && cmd + 1 < argc &&
	    is_account_command(argv[cmd + 1]))
		rc = cmd_user_account(&app, argc - cmd - 1, argv + cmd + 1);
	else if (str_eq(name, "org"))
		rc = cmd_org(&app, argc - cmd, argv + cmd);
	else if (str_eq(name, "config"))
		rc = cmd_config(&app, argc - cmd, argv + cmd);
	else if (str_eq(name, "import-objects"))
		rc = cmd_import(&app, argc - cmd, argv + cmd);
	else if (str_eq(name, "mail") && cmd + 1 < argc &&
	    str_eq(argv[cmd + 1], "receive")) {
		/* Its exit status is for an MTA: sysexits. */
		rc = cmd_mail(&app, argc - cmd, argv + cmd);
		return rc == ZEK_INVALID ? EXIT_USAGE : rc;
	} else if (str_eq(name, "mail"))
		rc = cmd_mail(&app, argc - cmd, argv + cmd);
	else if (str_eq(name, "jobs"))
		rc = cmd_jobs(&app, argc - cmd, argv + cmd);
	else if (str_eq(name, "copy-db"))
		rc = cmd_copy_db(argc - cmd, argv + cmd);
	else if (str_eq(name, "backup"))
		rc = cmd_backup(&app, argc - cmd, argv + cmd);
	else if (str_eq(name, "restore"))
		rc = cmd_restore(&app, argc - cmd, argv + cmd);
	else if (str_eq(name, "check"))
		rc = cmd_check(&app, argc - cmd, argv + cmd);
	else if (str_eq(name, "retention"))
		rc = cmd_retention(&app, argc - cmd, argv + cmd);
	else if (str_eq(name, "reports"))
		rc = cmd_reports(&app, argc - cmd, argv + cmd);
	else if (str_eq(name, "routes") && cmd + 1 == argc)
		rc = cmd_routes();
	else if (str_eq(name, "settings") && cmd + 1 == argc) {
		settings_print(stdout);
		rc = ZEK_OK;
	} else {
		usage_print();
		return 2;
	}
	return rc == ZEK_OK ? 0 : 1;
}
