/* imap.h: fetches new messages from an IMAP mailbox (libcurl) into the receive pipeline. */
#ifndef ZEK_MAIL_RECEIVE_IMAP_H
#define ZEK_MAIL_RECEIVE_IMAP_H

#include <stdbool.h>

#include "lib/zek.h"

struct config;
struct core;

#define IMAP_BATCH 20              /* messages one pass fetches */
#define IMAP_KEYWORD "ZekReceived" /* set on every message once stored */

struct imap_stats {
	unsigned fetched;
	unsigned comments; /* became a comment */
	unsigned requests; /* became a request */
	unsigned quarantined;
	unsigned ignored; /* automatic mail */
	unsigned before;  /* stored by an earlier fetch or process */
	unsigned gone;    /* deleted from the mailbox meanwhile */
};

/* True for "imap://host[:port][/MAILBOX]" and "imaps://…": no password in
 * the URL (imap_password keeps it out of logs and process lists), no
 * ";UID=" or query parts. Without a mailbox, INBOX is meant. */
bool imap_url_valid(const char *url);

/* True for "" and a folder name of printable ASCII (no quotes, no
 * backslash, no wildcards), at most 200 characters. */
bool imap_folder_valid(const char *name);

/*
 * One pass over cfg->imap_url's mailbox: searches the messages without
 * the keyword IMAP_KEYWORD that are not deleted, fetches at most
 * IMAP_BATCH of them one by one and hands each to mail_receive (stored
 * raw and committed, then processed once). Only then is the message
 * marked \Seen and IMAP_KEYWORD, and moved to cfg->imap_done_folder when
 * one is set. A process killed anywhere leaves the message unmarked: the
 * next pass fetches it again and the pipeline finds it stored (by
 * Message-ID or hash), processes it if it never was, and marks it. So
 * several processes may fetch the same mailbox.
 * *more: a full batch was found, run again soon. Does nothing when
 * imap_url is empty. Returns ZEK_OK, ZEK_IO when the server cannot be
 * reached or refuses (said on standard error, without the password), or
 * what the pipeline returned (ZEK_IO, ZEK_NOMEM: the message stays
 * unmarked for the next pass).
 */
enum zek_rc imap_fetch_run(struct core *core, const struct config *cfg,
    struct imap_stats *st, bool *more);

#endif
