/* config.c: defaults for run-time settings, and checks across them. */
#include "core/config.h"

#include <string.h>
#include <strings.h>

#include "lib/log.h"

void
config_defaults(struct config *cfg)
{
	*cfg = (struct config){
		.listen = "127.0.0.1:8080",
		.db_path = "var/zek.db",
		.root = ".",
		.base_url = "http://127.0.0.1:8080",
		.threads = 4,
		.max_file_bytes = 10u << 20,
		.max_files = 10,
		.max_body_memory = (size_t)256 << 20,
		.max_pending_uploads = 30,
		.max_pending_upload_bytes = 200LL << 20,
		.session_ttl_ms = 8LL * 3600 * 1000,
		.temp_attachment_ttl_ms = 3600LL * 1000,
		.login_max_failures = 5,
		.login_window_ms = 15LL * 60 * 1000,
		.idle_timeout_s = 30,
		.header_timeout_s = 20,
		.body_min_rate = 4096,
		.max_connections = 4000,
		.max_connections_per_ip = 256,
		.trusted_proxies = "",
		.metrics_allow = "127.0.0.0/8, ::1",
		.log_format = LOG_FORMAT_TEXT,
		.log_level = LOG_LEVEL_INFO,
		.smtp_url = "",
		.smtp_starttls = CONFIG_TLS_ON,
		.smtp_user = "",
		.smtp_password = "",
		.smtp_from = "zek@localhost",
		.smtp_from_name = "ZEK Servicedesk",
		.smtp_timeout_ms = 30LL * 1000,
		.mail_poll_ms = 5LL * 1000,
		.mail_retry_ms = 60LL * 1000,
		.mail_retry_max_ms = 3600LL * 1000,
		.mail_expire_ms = 5LL * 24 * 3600 * 1000,
		.mail_reply_address = "",
		.mail_max_bytes = (size_t)25 << 20,
		.mail_request_type = 4,
		.mail_unknown = MAIL_UNKNOWN_IGNORE,
		.imap_url = "",
		.imap_user = "",
		.imap_password = "",
		.imap_done_folder = "",
		.imap_poll_ms = 60LL * 1000,
		.agent_mail_new = true,
		.agent_mail_reply = true,
		.agent_mail_assigned = true,
		.auto_close_days = 14,
		.invite_ttl_days = 7,
		.reset_ttl_minutes = 60,
		.signup_domains = "",
		.sla_state = "",
	};
	cfg->max_body_bytes = config_body_bytes(cfg);
}

size_t
config_body_bytes(const struct config *cfg)
{
	return cfg->max_file_bytes * cfg->max_files + (1u << 20);
}

/* Digits and dots only: an IPv4 address, not "127.example.org". */
static bool
ipv4_text(const char *h, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((h[i] >= '0' && h[i] <= '9') || h[i] == '.'))
			return false;
	return true;
}

/* Whether the host [h, h + n) names this machine only. */
static bool
host_loopback(const char *h, size_t n)
{
	if (n >= 2 && h[0] == '[' && h[n - 1] == ']') {
		h++;
		n -= 2;
	}
	return (n == 9 && strncasecmp(h, "localhost", 9) == 0) ||
	    (n == 3 && memcmp(h, "::1", 3) == 0) ||
	    (n > 4 && memcmp(h, "127.", 4) == 0 && ipv4_text(h, n));
}

/* The host of "HOST:PORT" or "[V6]:PORT" (listen), or of a URL's
 * authority "HOST[:PORT][/...]" (base_url after "://"). */
static size_t
host_len(const char *s, bool url)
{
	const char *end;

	if (s[0] == '[') {
		end = strchr(s, ']');
		return end != NULL ? (size_t)(end - s) + 1 : strlen(s);
	}
	end = url ? s + strcspn(s, ":/?#") : strrchr(s, ':');
	return end != NULL ? (size_t)(end - s) : strlen(s);
}

bool
config_base_url_local_only(const struct config *cfg)
{
	const char *url = cfg->base_url != NULL ? cfg->base_url : "";
	const char *listen = cfg->listen != NULL ? cfg->listen : "";
	const char *auth = strstr(url, "://");

	auth = auth != NULL ? auth + 3 : url;
	return host_loopback(auth, host_len(auth, true)) &&
	    !host_loopback(listen, host_len(listen, false));
}
