/* config.h: run-time settings, read once at start (flags, environment, file). */
#ifndef ZEK_CONFIG_H
#define ZEK_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config {
	const char *listen;               /* "127.0.0.1:8080" */
	const char *db_path;              /* SQLite file, e.g. "var/zek.db" */
	const char *root;                 /* folder holding templates/, static/,
	                                     po/, demo/ */
	const char *base_url;             /* for links in mails,
	                                     "http://127.0.0.1:8080" */
	bool demo;                        /* load the demo configuration and
	                                     data if the db is empty */
	bool dev;                         /* re-read templates and catalogs on
	                                     every request */
	unsigned threads;                 /* HTTP worker threads */
	size_t max_file_bytes;            /* one attachment, default 10 MiB */
	unsigned max_files;               /* attachments per request or comment,
	                                     default 10 */
	unsigned max_pending_uploads;     /* one user's temporary uploads at
	                                     once, default 30 */
	int64_t max_pending_upload_bytes; /* their total size, default
	                                     200 MiB */
	size_t max_body_bytes;            /* one HTTP body, derived from the two
	                                     above */
	size_t max_body_memory;           /* bodies in flight at once, all
	                                     requests together, default 256 MiB;
	                                     never less than max_body_bytes
	                                     (http/server.c) */
	int64_t session_ttl_ms;           /* idle sessions expire after this,
	                                     default 8 h */
	int64_t temp_attachment_ttl_ms;   /* unused temporary uploads are
	                                     purged, default 1 h */
	unsigned login_max_failures;      /* per account and address in the
	                                     window, default 5 */
	int64_t login_window_ms;          /* throttling window, default
	                                     15 min */
	bool secure_cookies;              /* set the Secure flag (behind TLS) */
	int64_t invite_ttl_days;          /* an invitation link works this long,
	                                     default 7 */
	int share_with;                   /* whom customers may add to their
	                                     requests: SHARE_WITH_CUSTOMERS (any
	                                     customer, the default) or
	                                     SHARE_WITH_ORGANISATION (members of
	                                     the reporter's organisations) */
	int64_t reset_ttl_minutes;        /* a password reset link, default
	                                     60 */
	int signup;                       /* who may create an account
	                                     themselves: SIGNUP_OFF (the
	                                     default), SIGNUP_DOMAINS (addresses
	                                     of signup_domains) or SIGNUP_OPEN
	                                     (anybody) */
	const char *signup_domains;       /* "bund.de, berlin.de": these domains
	                                     and their subdomains, "" = none */

	/* Connections (http/server.c, docs/internals/limits.md). */
	unsigned idle_timeout_s;         /* a connection silent this long is
	                                    closed, default 30 */
	unsigned header_timeout_s;       /* a request's headers must be complete
	                                    this long after the connection
	                                    opened or the previous answer was
	                                    sent, default 20 */
	unsigned body_min_rate;          /* bytes per second a body must average
	                                    after header_timeout_s of grace,
	                                    default 4096 */
	unsigned max_connections;        /* open at once, default 4000 */
	unsigned max_connections_per_ip; /* from one address, default 256;
	                                    0 = no limit */
	const char *trusted_proxies;     /* reverse proxies whose
	                                    X-Forwarded-For is believed
	                                    (http/proxy.h), "" = none */
	const char *metrics_allow;       /* who may read /metrics and /healthz
	                                    (addresses, networks), default
	                                    loopback */
	bool phase_timing;               /* answers say where their time went
	                                    (Server-Timing), default off */
	int log_format;                  /* enum log_format (lib/log.h): text
	                                    (the default) or json lines */
	int log_level;                   /* enum log_level: the least important
	                                    lines written, default info */

	/* E-mail (core/notify.h, mail/). smtp_url "" = no delivery: mails
	 * stay in the outbox (see `zek mail list`). */
	const char *smtp_url;       /* "smtp://host:25", "smtps://host:465" */
	int smtp_starttls;          /* CONFIG_TLS_OFF, _ON (when offered),
	                               _REQUIRED */
	const char *smtp_user;      /* "" = no login */
	const char *smtp_password;  /* never logged */
	const char *smtp_from;      /* From and envelope sender; its domain also
	                               ends every Message-ID */
	const char *smtp_from_name; /* display name of From */
	int64_t smtp_timeout_ms;    /* one SMTP conversation, default 30 s */
	int64_t mail_poll_ms;       /* the worker looks for due mails, default
	                               5 s */
	int64_t mail_retry_ms;      /* first back-off after a temporary failure,
	                               1 min */
	int64_t mail_retry_max_ms;  /* back-off doubles up to this, default
	                               1 h */
	int64_t mail_expire_ms;     /* temporary failures for this long fail for
	                               good, 5 days */
	/* Service levels (issue 18): the Bundesland whose holidays the
	 * business calendar keeps ("DE-BY", ISO 3166-2), "" = the federal
	 * ones only; working hours are Mon-Fri 08:00-17:00 Europe/Berlin. */
	const char *sla_state;
	/* Incoming e-mail (docs/operations.md, `zek mail receive`). */
	const char *mail_reply_address; /* "zek@example.org": mails carry
	                                   Reply-To zek+<token>@example.org and
	                                   ask for answers by mail; "" = they do
	                                   not */
	size_t mail_max_bytes;          /* one received message, default
	                                   25 MiB */
	int64_t mail_request_type;      /* type of requests made from mails,
	                                   default 4 (Sonstige Frage) */
	int mail_unknown;               /* a mail from an unknown address:
	                                   MAIL_UNKNOWN_IGNORE (default) or
	                                   MAIL_UNKNOWN_REPLY (a mail pointing
	                                   to the portal) */
	/* Fetching mail (mail/receive/imap.h): "imaps://host/INBOX", "" =
	 * no fetching; the worker of `zek serve` looks every imap_poll_ms
	 * (default 1 min). A message is marked \Seen and ZekReceived once
	 * stored, and moved to imap_done_folder when one is set. */
	const char *imap_url;
	const char *imap_user;        /* "" = the URL's */
	const char *imap_password;    /* never logged */
	const char *imap_done_folder; /* "Verarbeitet", "" = stays */
	int64_t imap_poll_ms;
	bool agent_mail_new;           /* agents get a mail for every new
	                                  request */
	bool agent_mail_reply;         /* agents get a mail for customer
	                                  comments */
	bool agent_mail_assigned;      /* an agent gets a mail when someone else
	                                  assigns a request to them */
	int64_t retention_closed_days; /* closed requests last changed this long
	                                  ago are deleted with all of theirs
	                                  (core/retention.h); 0 = never, the
	                                  default */
	int64_t auto_close_days;       /* a proposed solution without an answer
	                                  closes the request after this many
	                                  days, default 14; 0 = never */
};

enum {
	SHARE_WITH_CUSTOMERS,
	SHARE_WITH_ORGANISATION
};

enum {
	SIGNUP_OFF,
	SIGNUP_DOMAINS,
	SIGNUP_OPEN
};

enum {
	MAIL_UNKNOWN_IGNORE,
	MAIL_UNKNOWN_REPLY
};

enum {
	CONFIG_TLS_OFF,
	CONFIG_TLS_ON,
	CONFIG_TLS_REQUIRED
};

/* Fills in the defaults. */
void config_defaults(struct config *cfg);
/* One HTTP body at most (max_body_bytes): the most attachments a form may
 * carry, and 1 MiB for the rest of it (docs/internals/limits.md). */
size_t config_body_bytes(const struct config *cfg);

/* True when links in mails point at this machine only (base_url's host
 * is 127.0.0.0/8, localhost or ::1, as by default) while zek listens
 * beyond it (any other address): nobody else can follow them. */
bool config_base_url_local_only(const struct config *cfg);

#endif
