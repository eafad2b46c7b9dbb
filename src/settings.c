/* settings.c: the table of run-time settings and what reads it. */
#include "settings.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/accounts.h"
#include "core/calendar.h"
#include "http/proxy.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/zek.h"
#include "mail/mime.h"
#include "mail/receive/imap.h"

/* The field f of struct config: where it is and how wide. */
#define AT(f) \
	.offset = offsetof(struct config, f), \
	.size = sizeof(((struct config *)0)->f)
#define INT(lo, hi) .kind = SETTING_INT, .min = (lo), .max = (hi)
#define ONE_OF(w) .kind = SETTING_ENUM, .words = (w)
#define SWITCH(w) .kind = SETTING_SWITCH, .words = (w)
#define CHECKED(fn) .kind = SETTING_STRING, .valid = (fn)
#define MS_DAY (86400LL * 1000)

static const struct setting_word yes_no[] = {
	{ "on", 1 },
	{ "off", 0 },
	{ "1", 1 },
	{ "true", 1 },
	{ "0", 0 },
	{ "false", 0 },
	{ NULL, 0 },
};
/* dev and secure_cookies: on for these, off for anything else. */
static const struct setting_word one_true[] = {
	{ "1", 1 },
	{ "true", 1 },
	{ NULL, 0 },
};
static const struct setting_word one_true_on[] = {
	{ "1", 1 },
	{ "true", 1 },
	{ "on", 1 },
	{ NULL, 0 },
};
static const struct setting_word starttls[] = {
	{ "on", CONFIG_TLS_ON },
	{ "off", CONFIG_TLS_OFF },
	{ "required", CONFIG_TLS_REQUIRED },
	{ "1", CONFIG_TLS_ON },
	{ "true", CONFIG_TLS_ON },
	{ "0", CONFIG_TLS_OFF },
	{ "false", CONFIG_TLS_OFF },
	{ NULL, 0 },
};
static const struct setting_word share_with[] = {
	{ "customers", SHARE_WITH_CUSTOMERS },
	{ "organisation", SHARE_WITH_ORGANISATION },
	{ NULL, 0 },
};
static const struct setting_word signup[] = {
	{ "off", SIGNUP_OFF },
	{ "domains", SIGNUP_DOMAINS },
	{ "open", SIGNUP_OPEN },
	{ NULL, 0 },
};
static const struct setting_word mail_unknown[] = {
	{ "ignore", MAIL_UNKNOWN_IGNORE },
	{ "reply", MAIL_UNKNOWN_REPLY },
	{ NULL, 0 },
};
static const struct setting_word log_formats[] = {
	{ "text", LOG_FORMAT_TEXT },
	{ "json", LOG_FORMAT_JSON },
	{ NULL, 0 },
};
static const struct setting_word log_levels[] = {
	{ "error", LOG_LEVEL_ERROR },
	{ "warning", LOG_LEVEL_WARNING },
	{ "info", LOG_LEVEL_INFO },
	{ "debug", LOG_LEVEL_DEBUG },
	{ NULL, 0 },
};

static bool
proxies_valid(const char *v)
{
	struct proxy_list proxies; /* only to check the value */

	return proxy_list_parse(v, &proxies) == 0;
}

/* "" (no answers by mail), or an address without '+': the reply token
 * goes after one. */
static bool
reply_address_valid(const char *v)
{
	return str_empty(v) || (mime_addr_valid(v) && strchr(v, '+') == NULL);
}

/* The order is the environment's: the first bad variable is the one
 * reported. */
const struct setting settings[] = {
	{ "listen", AT(listen), .flag = "--listen",
	    .help = "address and port to listen on (HOST:PORT, [V6]:PORT)" },
	{ "db", AT(db_path), .flag = "--db",
	    .help = "SQLite file or PostgreSQL connection string" },
	{ "root", AT(root), .flag = "--root",
	    .help = "folder holding templates/, static/, po/, demo/" },
	{ "base_url", AT(base_url), .flag = "--base-url",
	    .help = "the portal's address, for links in mails" },
	{ "threads", AT(threads), INT(1, 256), .flag = "--threads",
	    .help = "HTTP worker threads (and as many writer threads)" },
	{ "dev", AT(dev), SWITCH(one_true), .flag = "--dev",
	    .help = "re-read templates and catalogs on every request" },
	{ "max_file_bytes", AT(max_file_bytes), INT(1024, 1LL << 30),
	    .help = "one attachment, bytes" },
	{ "max_files", AT(max_files), INT(1, 100),
	    .help = "attachments per request or comment" },
	{ "max_body_memory", AT(max_body_memory), INT(1LL << 20, 1LL << 40),
	    .help = "request bodies held in memory at once, bytes" },
	{ "max_pending_uploads", AT(max_pending_uploads), INT(1, 100000),
	    .help = "one user's uploads not yet part of a request" },
	{ "max_pending_upload_bytes", AT(max_pending_upload_bytes),
	    INT(1024, 1LL << 40), .help = "their total size, bytes" },
	{ "secure_cookies", AT(secure_cookies), SWITCH(one_true),
	    .help = "Secure flag on cookies (behind TLS)" },
	{ "smtp_url", AT(smtp_url), .flag = "--smtp-url",
	    .help = "smtp://host:25 or smtps://host:465; empty: mails wait" },
	{ "smtp_starttls", AT(smtp_starttls), ONE_OF(starttls),
	    .help = "STARTTLS: off, on (when offered), required" },
	{ "smtp_user", AT(smtp_user), .help = "SMTP login, empty: none" },
	{ "smtp_password", AT(smtp_password), .secret = true,
	    .help = "SMTP password, never printed" },
	{ "smtp_from", AT(smtp_from), CHECKED(mime_addr_valid),
	    .help = "From and envelope sender; ends every Message-ID" },
	{ "smtp_from_name", AT(smtp_from_name),
	    .help = "display name of From" },
	{ "smtp_timeout_ms", AT(smtp_timeout_ms), INT(100, 3600000),
	    .help = "one SMTP conversation, ms" },
	{ "mail_poll_ms", AT(mail_poll_ms), INT(10, 3600000),
	    .help = "the mail worker looks for due mails, ms" },
	{ "mail_retry_ms", AT(mail_retry_ms), INT(10, MS_DAY),
	    .help = "first back-off after a temporary failure, ms" },
	{ "mail_retry_max_ms", AT(mail_retry_max_ms), INT(10, 7 * MS_DAY),
	    .help = "the back-off doubles up to this, ms" },
	{ "mail_expire_ms", AT(mail_expire_ms), INT(1000, 365 * MS_DAY),
	    .help = "temporary failures this long fail for good, ms" },
	{ "agent_mail_new", AT(agent_mail_new), ONE_OF(yes_no),
	    .help = "agents get a mail for every new request" },
	{ "agent_mail_reply", AT(agent_mail_reply), ONE_OF(yes_no),
	    .help = "agents get a mail for customers' comments" },
	{ "agent_mail_assigned", AT(agent_mail_assigned), ONE_OF(yes_no),
	    .help = "an agent gets a mail when assigned by someone else" },
	{ "auto_close_days", AT(auto_close_days), INT(0, 3650),
	    .help = "an unanswered proposed solution closes, 0 = never" },
	{ "retention_closed_days", AT(retention_closed_days), INT(0, 36500),
	    .help = "closed requests this old are deleted, 0 = never" },
	{ "mail_reply_address", AT(mail_reply_address),
	    CHECKED(reply_address_valid),
	    .help = "address for answers by mail (no '+'), empty: none" },
	{ "mail_max_bytes", AT(mail_max_bytes), INT(64 << 10, 1LL << 30),
	    .help = "one received message, bytes" },
	{ "mail_request_type", AT(mail_request_type), INT(1, INT64_MAX),
	    .help = "request type of requests made from mails" },
	{ "mail_unknown", AT(mail_unknown), ONE_OF(mail_unknown),
	    .help = "a mail from an unknown address: ignore or reply" },
	{ "imap_url", AT(imap_url), CHECKED(imap_url_valid), .secret = true,
	    .help = "imaps://host/INBOX to fetch mail from, empty: none" },
	{ "imap_user", AT(imap_user), .help = "IMAP login, empty: the URL's" },
	{ "imap_password", AT(imap_password), .secret = true,
	    .help = "IMAP password, never printed" },
	{ "imap_done_folder", AT(imap_done_folder), CHECKED(imap_folder_valid),
	    .help = "fetched mail moves there, empty: it stays" },
	{ "imap_poll_ms", AT(imap_poll_ms), INT(100, MS_DAY),
	    .help = "zek serve fetches mail this often, ms" },
	{ "invite_ttl_days", AT(invite_ttl_days), INT(1, 90),
	    .help = "an invitation link works this long" },
	{ "reset_ttl_minutes", AT(reset_ttl_minutes), INT(5, 24 * 60),
	    .help = "a password reset link works this long" },
	{ "share_with", AT(share_with), ONE_OF(share_with),
	    .help = "whom customers may add to their requests" },
	{ "signup", AT(signup), ONE_OF(signup),
	    .help = "who may create an account themselves" },
	{ "signup_domains", AT(signup_domains), CHECKED(core_domain_list_valid),
	    .help = "domains for signup = domains, e.g. bund.de, berlin.de" },
	{ "sla_state", AT(sla_state), CHECKED(calendar_state_valid),
	    .help = "Bundesland of the SLA holidays (DE-BY), empty: federal" },
	{ "idle_timeout", AT(idle_timeout_s), INT(1, 3600),
	    .help = "a silent connection is closed after this, s" },
	{ "header_timeout", AT(header_timeout_s), INT(1, 3600),
	    .help = "a request's headers must be complete in this, s" },
	{ "body_min_rate", AT(body_min_rate), INT(1, 1 << 30),
	    .help = "bytes/s a body must average after header_timeout" },
	{ "max_connections", AT(max_connections), INT(16, 1000000),
	    .help = "connections open at once" },
	{ "max_connections_per_ip", AT(max_connections_per_ip), INT(0, 1000000),
	    .help = "from one address, 0 = no limit" },
	{ "trusted_proxies", AT(trusted_proxies), CHECKED(proxies_valid),
	    .help = "proxies whose X-Forwarded-For counts, empty: none" },
	{ "metrics_allow", AT(metrics_allow), CHECKED(proxies_valid),
	    .help = "who may read /metrics and /healthz" },
	{ "phase_timing", AT(phase_timing), SWITCH(one_true_on),
	    .help = "answers say where their time went (Server-Timing)" },
	{ "log_format", AT(log_format), ONE_OF(log_formats),
	    .flag = "--log-format", .help = "text lines or json lines" },
	{ "log_level", AT(log_level), ONE_OF(log_levels),
	    .help = "the least important log lines written" },
};
const size_t settings_n = ZEK_ARRAY_LEN(settings);

/* The strings settings_set copied, by row: a key given twice (file,
 * environment, flag) frees the copy it replaces. */
static char *owned[ZEK_ARRAY_LEN(settings)];

const struct setting *
settings_find(const char *key)
{
	for (size_t i = 0; i < settings_n; i++)
		if (str_eq(settings[i].key, key))
			return &settings[i];
	return NULL;
}

void
settings_env_name(const struct setting *s, char *out, size_t cap)
{
	size_t k;

	snprintf(out, cap, "ZEK_%s", s->key);
	for (k = 4; out[k] != '\0'; k++)
		if (out[k] >= 'a' && out[k] <= 'z')
			out[k] = (char)(out[k] - 'a' + 'A');
}

/* Stores n in the field, as wide as it is (bool, unsigned or int, size_t
 * or int64_t; the values are never negative). */
static void
store_int(const struct setting *s, struct config *cfg, int64_t n)
{
	char *at = (char *)cfg + s->offset;
	bool b = n != 0;
	uint32_t u = (uint32_t)n;

	if (s->size == sizeof(b))
		memcpy(at, &b, sizeof(b));
	else if (s->size == sizeof(u))
		memcpy(at, &u, sizeof(u));
	else
		memcpy(at, &n, sizeof(n));
}

static int64_t
load_int(const struct setting *s, const struct config *cfg)
{
	const char *at = (const char *)cfg + s->offset;
	bool b;
	uint32_t u;
	int64_t n;

	if (s->size == sizeof(b))
		return memcpy(&b, at, sizeof(b)), b;
	if (s->size == sizeof(u))
		return memcpy(&u, at, sizeof(u)), u;
	memcpy(&n, at, sizeof(n));
	return n;
}

static const struct setting_word *
word_find(const struct setting_word *w, const char *v)
{
	for (; w->word != NULL; w++)
		if (str_eq(w->word, v))
			return w;
	return NULL;
}

static int
store_string(const struct setting *s, struct config *cfg, const char *v)
{
	char *copy;

	if (s->valid != NULL && !s->valid(v))
		return -1;
	copy = strdup(v);
	if (copy == NULL)
		return -1;
	free(owned[s - settings]);
	owned[s - settings] = copy;
	memcpy((char *)cfg + s->offset, &(const char *){ copy },
	    sizeof(const char *));
	return 0;
}

/* Reads v into the setting's field; -1 when it is not a valid value. */
static int
setting_read(const struct setting *s, struct config *cfg, const char *v)
{
	const struct setting_word *w;
	int64_t n;

	switch (s->kind) {
	case SETTING_STRING:
		return store_string(s, cfg, v);
	case SETTING_INT:
		if (str_to_i64(v, s->min, s->max, &n) != 0)
			return -1;
		store_int(s, cfg, n);
		return 0;
	case SETTING_ENUM:
		if ((w = word_find(s->words, v)) == NULL)
			return -1;
		store_int(s, cfg, w->value);
		return 0;
	case SETTING_SWITCH:
		store_int(s, cfg, word_find(s->words, v) != NULL);
		return 0;
	}
	return -1;
}

int
settings_set(struct config *cfg, const char *key, const char *value)
{
	const struct setting *s = settings_find(key);

	if (s != NULL && setting_read(s, cfg, value) == 0)
		return 0;
	fprintf(stderr, "zek: unknown setting or bad value: %s = %s\n", key,
	    s != NULL && s->secret ? "***" : value);
	return -1;
}

int
settings_from_env(struct config *cfg)
{
	char name[64];
	const char *v;

	for (size_t i = 0; i < settings_n; i++) {
		settings_env_name(&settings[i], name, sizeof(name));
		v = getenv(name);
		if (v != NULL && settings_set(cfg, settings[i].key, v) != 0)
			return -1;
	}
	return 0;
}

void
settings_format(const struct setting *s, const struct config *cfg, char *out,
    size_t cap)
{
	const struct setting_word *w;
	const char *str;
	int64_t n;

	if (s->kind == SETTING_STRING) {
		memcpy(&str, (const char *)cfg + s->offset, sizeof(str));
		snprintf(out, cap, "%s", str != NULL ? str : "");
		return;
	}
	n = load_int(s, cfg);
	if (s->kind == SETTING_INT) {
		snprintf(out, cap, "%" PRId64, n);
		return;
	}
	if (s->kind == SETTING_SWITCH) {
		snprintf(out, cap, "%s", n != 0 ? s->words[0].word : "0");
		return;
	}
	for (w = s->words; w->word != NULL && w->value != n; w++)
		;
	snprintf(out, cap, "%s", w->word != NULL ? w->word : "?");
}

void
settings_limits(const struct setting *s, char *out, size_t cap)
{
	const struct setting_word *w;
	size_t len = 0;

	if (s->kind == SETTING_STRING) {
		snprintf(out, cap, "%s",
		    s->valid != NULL ? "checked text" : "text");
		return;
	}
	if (s->kind == SETTING_INT) {
		snprintf(out, cap, "%" PRId64 "..%" PRId64, s->min, s->max);
		return;
	}
	out[0] = '\0';
	for (w = s->words; w->word != NULL && len < cap; w++)
		len += (size_t)snprintf(out + len, cap - len, "%s%s",
		    w == s->words ? "" : "|", w->word);
	if (s->kind == SETTING_SWITCH && len < cap)
		snprintf(out + len, cap - len, " = on, else off");
}

void
settings_print_keys(FILE *f, int width)
{
	int col = 0, len;

	for (size_t i = 0; i < settings_n; i++) {
		len = (int)strlen(settings[i].key);
		if (i > 0 && col + len + 2 > width) {
			fputs(",\n", f);
			col = 0;
		} else if (i > 0) {
			col += fprintf(f, ", ");
		}
		col += fprintf(f, "%s", settings[i].key);
	}
	fputc('\n', f);
}

void
settings_print(FILE *f)
{
	struct config defaults;
	char env[64], value[256], limits[256];
	const struct setting *s;

	config_defaults(&defaults);
	for (size_t i = 0; i < settings_n; i++) {
		s = &settings[i];
		settings_env_name(s, env, sizeof(env));
		settings_format(s, &defaults, value, sizeof(value));
		settings_limits(s, limits, sizeof(limits));
		fprintf(f, "%s\t%s\t%s\t%s\t%s\t%s\n", s->key, env,
		    s->flag != NULL ? s->flag : "-",
		    str_empty(value) ? "\"\"" : value, limits, s->help);
	}
}
