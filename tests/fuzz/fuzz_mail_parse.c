/* fuzz_mail_parse.c: mail_parse reads any bytes into UTF-8 texts, bounded lists and a known loop reason. */
#include <stdbool.h>

#include "core/config.h"
#include "core/inbound.h"
#include "fuzz.h"
#include "lib/arena.h"
#include "lib/utf8.h"
#include "lib/zek.h"
#include "mail/receive/parse.h"

static void
check_text(const char *what, const char *s)
{
	FUZZ_CHECK(s != NULL, "%s is NULL", what);
	FUZZ_CHECK(utf8_valid(s, strlen(s)), "%s is not UTF-8", what);
}

/* What the database stores under a unique index and looks up. */
static void
check_msgid(const char *what, const char *s, bool may_be_empty)
{
	size_t i, n = strlen(s);

	check_text(what, s);
	if (n == 0) {
		FUZZ_CHECK(may_be_empty, "%s is empty", what);
		return;
	}
	FUZZ_CHECK(n <= PARSE_MSGID_MAX && s[0] == '<' && s[n - 1] == '>',
	    "%s '%s'", what, s);
	for (i = 0; i < n; i++)
		FUZZ_CHECK(s[i] > ' ' && s[i] < 0x7f, "%s has byte %zu", what, i);
}

static void
check_loop(const char *loop)
{
	static const char *const known[] = { "auto_reply", "bulk", "dsn",
	    "own_mail", "own_address" };
	size_t i;

	if (loop == NULL)
		return;
	for (i = 0; i < ZEK_ARRAY_LEN(known); i++)
		if (strcmp(loop, known[i]) == 0)
			return;
	FUZZ_CHECK(false, "unknown loop reason '%s'", loop);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a = arena_new(0);
	struct inbound_msg m;
	struct config cfg;
	enum zek_rc rc;
	size_t i;

	FUZZ_CHECK(a != NULL, "no arena");
	config_defaults(&cfg);
	cfg.smtp_from = "servicedesk@zek.example";
	cfg.mail_reply_address = "zek@zek.example";
	rc = mail_parse(a, &cfg, data, size, &m);
	FUZZ_CHECK(rc == ZEK_OK, "rc %s", zek_rc_name(rc));
	check_msgid("Message-ID", m.message_id, true);
	check_text("From", m.from_addr);
	check_text("Subject", m.subject);
	if (m.parsed) {
		check_loop(m.loop);
		check_text("reply text", m.reply_text);
		check_text("full text", m.full_text);
		/* The reply is a part of the whole, never more. */
		FUZZ_CHECK(strlen(m.reply_text) <= strlen(m.full_text) + 1,
		    "reply longer than the body");
		FUZZ_CHECK(m.nrcpts <= PARSE_ADDRS_MAX, "%zu recipients",
		    m.nrcpts);
		for (i = 0; i < m.nrcpts; i++)
			check_text("recipient", m.rcpts[i]);
		FUZZ_CHECK(m.nrefs <= PARSE_REFS_MAX, "%zu references", m.nrefs);
		for (i = 0; i < m.nrefs; i++)
			check_msgid("reference", m.refs[i], false);
		FUZZ_CHECK(m.nfiles <= PARSE_PARTS_MAX, "%zu files", m.nfiles);
		for (i = 0; i < m.nfiles; i++) {
			check_text("file name", m.files[i].name);
			FUZZ_CHECK(m.files[i].data != NULL, "file without data");
		}
	}
	arena_free(a);
	return 0;
}
