/* parse.c: GMime reads a received message: headers, loops, body text, files. */
#include "mail/receive/parse.h"

#include <gmime/gmime.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/config.h"
#include "core/inbound.h"
#include "core/mailtoken.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "mail/receive/text.h"

/* What the walk over the MIME tree collects. */
struct walk {
	struct arena *a;
	const char *text; /* the first text/plain body */
	const char *html; /* the first text/html body */
	struct inbound_file *files;
	size_t nfiles, cap;
	unsigned parts; /* looked at so far */
	bool failed;    /* out of memory */
};

static pthread_once_t gmime_once = PTHREAD_ONCE_INIT;

static void
gmime_start(void)
{
	g_mime_init();
}

void
mail_parse_init(void)
{
	pthread_once(&gmime_once, gmime_start);
}

/* s as valid UTF-8 in the arena: read as Windows-1252 when it is not
 * (a mail without a charset that meant one), "" for NULL. */
static const char *
utf8_copy(struct arena *a, const char *s)
{
	gchar *conv;
	char *out;

	if (s == NULL)
		return "";
	if (utf8_valid(s, strlen(s)))
		return arena_strdup(a, s);
	conv = g_convert(s, -1, "UTF-8", "WINDOWS-1252", NULL, NULL, NULL);
	if (conv == NULL)
		conv = g_convert(s, -1, "UTF-8", "ISO-8859-1", NULL, NULL,
		    NULL);
	out = conv != NULL ? arena_strdup(a, conv) : arena_strdup(a, "");
	g_free(conv);
	return out;
}

/* The array's bytes (NUL-terminated) in a; an empty array has no data. */
static void *
copy_bytes(struct arena *a, const GByteArray *ba)
{
	char *out = arena_alloc(a, ba->len + 1);

	if (out == NULL)
		return NULL;
	if (ba->len > 0)
		memcpy(out, ba->data, ba->len);
	out[ba->len] = '\0';
	return out;
}

/* The bytes of a part's content, transfer encoding undone, in a. */
static const void *
part_bytes(struct arena *a, GMimePart *part, size_t *len)
{
	GMimeDataWrapper *w = g_mime_part_get_content(part);
	GMimeStream *mem;
	GByteArray *ba;
	void *out = NULL;

	*len = 0;
	if (w == NULL)
		return "";
	mem = g_mime_stream_mem_new();
	if (g_mime_data_wrapper_write_to_stream(w, mem) >= 0) {
		ba = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
		out = copy_bytes(a, ba);
		if (out != NULL)
			*len = ba->len;
	}
	g_object_unref(mem);
	return out;
}

static void
add_file(struct walk *w, const char *name, const void *data, size_t len)
{
	if (w->nfiles == w->cap) {
		size_t ncap = w->cap == 0 ? 8 : w->cap * 2;

		w->files = arena_realloc(w->a, w->files,
		    w->cap * sizeof(*w->files), ncap * sizeof(*w->files));
		if (w->files == NULL) {
			w->failed = true;
			return;
		}
		w->cap = ncap;
	}
	w->files[w->nfiles++] = (struct inbound_file){ name, data, len };
}

/* The text of a format=flowed part as its writer's lines. */
static const char *
flowed(struct arena *a, GMimeContentType *ct, const char *text)
{
	const char *format = g_mime_content_type_get_parameter(ct, "format");
	const char *delsp = g_mime_content_type_get_parameter(ct, "delsp");

	if (text == NULL || format == NULL || strcasecmp(format, "flowed") != 0)
		return text;
	return mail_text_unflow(a, text,
	    delsp != NULL && strcasecmp(delsp, "yes") == 0);
}

/* A leaf part: the body text (the first text part that is no
 * attachment) or a file. */
static void
leaf(struct walk *w, GMimePart *part)
{
	GMimeContentType *ct = g_mime_object_get_content_type(
	    GMIME_OBJECT(part));
	const char *name = g_mime_part_get_filename(part);
	bool attached = g_mime_part_is_attachment(part) || name != NULL;
	bool plain = g_mime_content_type_is_type(ct, "text", "plain");
	bool html = g_mime_content_type_is_type(ct, "text", "html");
	const void *data;
	char *text;
	size_t len;

	if (!attached && GMIME_IS_TEXT_PART(part) &&
	    ((plain && w->text == NULL) || (html && w->html == NULL))) {
		text = g_mime_text_part_get_text(GMIME_TEXT_PART(part));
		if (plain)
			w->text = flowed(w->a, ct,
			    utf8_copy(w->a, text != NULL ? text : ""));
		else
			w->html = utf8_copy(w->a, text != NULL ? text : "");
		g_free(text);
		if ((plain ? w->text : w->html) == NULL)
			w->failed = true;
		return;
	}
	/* Another text part without a name is more of the body's
	 * alternatives (or a signature part): no file. */
	if (!attached && (plain || html))
		return;
	data = part_bytes(w->a, part, &len);
	if (data == NULL) {
		w->failed = true;
		return;
	}
	add_file(w, utf8_copy(w->a, name), data, len);
}

static void walk_object(struct walk *w, GMimeObject *o, int depth);

/* multipart/alternative: the plain text when there is one, else the
 * richest other part (HTML, or a related set around it). */
static void
alternative(struct walk *w, GMimeMultipart *mp, int depth)
{
	int i, n = g_mime_multipart_get_count(mp);
	GMimeObject *pick = NULL, *o;

	for (i = 0; i < n; i++) {
		o = g_mime_multipart_get_part(mp, i);
		if (g_mime_content_type_is_type(
		        g_mime_object_get_content_type(o), "text", "plain") &&
		    pick == NULL)
			pick = o;
	}
	if (pick == NULL && n > 0)
		pick = g_mime_multipart_get_part(mp, n - 1);
	if (pick != NULL)
		walk_object(w, pick, depth + 1);
}

static void
walk_object(struct walk *w, GMimeObject *o, int depth)
{
	GMimeMessage *inner;
	GMimeMultipart *mp;
	const void *data;
	GMimeStream *mem;
	GByteArray *ba;
	int i, n;

	if (w->failed || ++w->parts > PARSE_PARTS_MAX || depth > 32)
		return;
	if (GMIME_IS_MULTIPART(o)) {
		mp = GMIME_MULTIPART(o);
		if (g_mime_content_type_is_type(
		        g_mime_object_get_content_type(o), "multipart",
		        "alternative")) {
			alternative(w, mp, depth);
			return;
		}
		n = g_mime_multipart_get_count(mp);
		for (i = 0; i < n; i++)
			walk_object(w, g_mime_multipart_get_part(mp, i),
			    depth + 1);
	} else if (GMIME_IS_MESSAGE_PART(o)) {
		/* An attached mail stays one file, as it came. */
		inner = g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));
		if (inner == NULL)
			return;
		mem = g_mime_stream_mem_new();
		if (g_mime_object_write_to_stream(GMIME_OBJECT(inner), NULL,
		        mem) >= 0) {
			ba = g_mime_stream_mem_get_byte_array(
			    GMIME_STREAM_MEM(mem));
			data = copy_bytes(w->a, ba);
			if (data == NULL)
				w->failed = true;
			else
				add_file(w, "nachricht.eml", data, ba->len);
		}
		g_object_unref(mem);
	} else if (GMIME_IS_PART(o)) {
		leaf(w, GMIME_PART(o));
	}
}

/* "<id>" for an id GMime gives without brackets; "" for none, or for
 * one that is not printable ASCII or longer than PARSE_MSGID_MAX: it is
 * stored under a unique index and looked up, and such a one would only
 * make the database refuse the message (the hash still dedupes it). */
static const char *
bracket(struct arena *a, const char *id)
{
	const char *p;

	if (str_empty(id) || strlen(id) > PARSE_MSGID_MAX - 2)
		return "";
	for (p = id; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f)
			return "";
	return arena_printf(a, "<%s>", id);
}

static void
add_addrs(struct arena *a, InternetAddressList *l, const char ***out, size_t *n,
    int depth)
{
	InternetAddress *ia;
	int i, len;

	if (l == NULL || depth > 2)
		return;
	len = internet_address_list_length(l);
	for (i = 0; i < len && *n < PARSE_ADDRS_MAX; i++) {
		ia = internet_address_list_get_address(l, i);
		if (INTERNET_ADDRESS_IS_MAILBOX(ia))
			(*out)[(*n)++] = utf8_copy(a,
			    internet_address_mailbox_get_addr(
			        INTERNET_ADDRESS_MAILBOX(ia)));
		else if (INTERNET_ADDRESS_IS_GROUP(ia))
			add_addrs(a,
			    internet_address_group_get_members(
			        INTERNET_ADDRESS_GROUP(ia)),
			    out, n, depth + 1);
	}
}

/* The addresses of a header zek reads itself (Delivered-To, ...). */
static void
add_header_addrs(struct arena *a, GMimeMessage *msg, const char *name,
    const char ***out, size_t *n)
{
	GMimeHeaderList *hl = g_mime_object_get_header_list(GMIME_OBJECT(msg));
	InternetAddressList *l;
	GMimeHeader *h;
	int i, count = g_mime_header_list_get_count(hl);

	for (i = 0; i < count; i++) {
		h = g_mime_header_list_get_header_at(hl, i);
		if (strcasecmp(g_mime_header_get_name(h), name) != 0)
			continue;
		l = internet_address_list_parse(NULL,
		    g_mime_header_get_value(h));
		add_addrs(a, l, out, n, 0);
		if (l != NULL)
			g_object_unref(l);
	}
}

static void
recipients(struct arena *a, GMimeMessage *msg, struct inbound_msg *m)
{
	const char **out = arena_calloc(a, PARSE_ADDRS_MAX, sizeof(*out));
	size_t n = 0;

	if (out == NULL)
		return;
	add_addrs(a, g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_TO),
	    &out, &n, 0);
	add_addrs(a, g_mime_message_get_addresses(msg, GMIME_ADDRESS_TYPE_CC),
	    &out, &n, 0);
	add_header_addrs(a, msg, "Delivered-To", &out, &n);
	add_header_addrs(a, msg, "X-Original-To", &out, &n);
	m->rcpts = out;
	m->nrcpts = n;
}

static void
add_refs(struct arena *a, const char *text, const char **out, size_t *n)
{
	GMimeReferences *refs;
	int i, len;

	if (text == NULL)
		return;
	refs = g_mime_references_parse(NULL, text);
	if (refs == NULL)
		return;
	len = g_mime_references_length(refs);
	for (i = 0; i < len && *n < PARSE_REFS_MAX; i++) {
		out[*n] = bracket(a, g_mime_references_get_message_id(refs, i));
		if (out[*n] != NULL && *out[*n] != '\0')
			(*n)++;
	}
	g_mime_references_free(refs);
}

/* References first, In-Reply-To last: the newest is last. */
static void
references(struct arena *a, GMimeMessage *msg, struct inbound_msg *m)
{
	const char **out = arena_calloc(a, PARSE_REFS_MAX, sizeof(*out));
	size_t n = 0;

	if (out == NULL)
		return;
	add_refs(a, g_mime_object_get_header(GMIME_OBJECT(msg), "References"),
	    out, &n);
	add_refs(a, g_mime_object_get_header(GMIME_OBJECT(msg), "In-Reply-To"),
	    out, &n);
	m->refs = out;
	m->nrefs = n;
}

static const char *
header(GMimeMessage *msg, const char *name)
{
	const char *v = g_mime_object_get_header(GMIME_OBJECT(msg), name);

	return v != NULL ? v : "";
}

/* The domain of smtp_from: the end of each of our Message-IDs. */
static bool
is_own_message_id(const struct config *cfg, const char *id)
{
	const char *at = cfg->smtp_from != NULL ? strrchr(cfg->smtp_from, '@') :
	                                          NULL;
	char suffix[300];

	if (at == NULL || !str_starts(id, "<zek."))
		return false;
	snprintf(suffix, sizeof(suffix), "%s>", at);
	return strlen(id) > strlen(suffix) &&
	    strcasecmp(id + strlen(id) - strlen(suffix), suffix) == 0;
}

/* Whether s starts with the word w (any case). */
static bool
starts_word(const char *s, const char *w)
{
	size_t n = strlen(w);

	return strncasecmp(s, w, n) == 0 && strchr(" \t\r\n;(", s[n]) != NULL;
}

/* Why the message is an automatic one (RFC 3834, RFC 3464, loops with
 * ourselves), NULL for a person's. */
static const char *
loop_reason(struct arena *a, const struct config *cfg, GMimeMessage *msg,
    const struct inbound_msg *m)
{
	const char *as = header(msg, "Auto-Submitted");
	const char *prec = header(msg, "Precedence");
	char word[16];
	size_t i;

	while (*as == ' ' || *as == '\t')
		as++;
	if ((*as != '\0' && !starts_word(as, "no")) ||
	    g_mime_object_get_header(GMIME_OBJECT(msg), "X-Autoreply") !=
	        NULL ||
	    g_mime_object_get_header(GMIME_OBJECT(msg), "X-Autorespond") !=
	        NULL)
		return "auto_reply";
	while (*prec == ' ' || *prec == '\t')
		prec++;
	for (i = 0; i + 1 < sizeof(word) && prec[i] != '\0' && prec[i] != ' ' &&
	     prec[i] != ';';
	     i++)
		word[i] = prec[i];
	word[i] = '\0';
	if (strcasecmp(word, "bulk") == 0 || strcasecmp(word, "list") == 0 ||
	    strcasecmp(word, "junk") == 0)
		return "bulk";
	if (g_mime_content_type_is_type(
	        g_mime_object_get_content_type(
	            g_mime_message_get_mime_part(msg) != NULL ?
	                g_mime_message_get_mime_part(msg) :
	                GMIME_OBJECT(msg)),
	        "multipart", "report") ||
	    str_starts(header(msg, "Return-Path"), "<>") ||
	    strncasecmp(m->from_addr, "mailer-daemon@", 14) == 0)
		return "dsn";
	if (is_own_message_id(cfg, m->message_id))
		return "own_mail";
	if (str_caseeq(m->from_addr, cfg->smtp_from) ||
	    str_caseeq(m->from_addr, cfg->mail_reply_address) ||
	    core_mail_token_of_addr(a, cfg->mail_reply_address, m->from_addr) !=
	        NULL)
		return "own_address";
	return NULL;
}

/* Whether the message has any header a mail has: GMime reads garbage
 * as a message too. */
static bool
has_headers(GMimeMessage *msg)
{
	static const char *const names[] = { "From", "To", "Subject", "Date",
		"Message-ID" };
	size_t i;

	for (i = 0; i < ZEK_ARRAY_LEN(names); i++)
		if (g_mime_object_get_header(GMIME_OBJECT(msg), names[i]) !=
		    NULL)
			return true;
	return false;
}

static void
sender(struct arena *a, GMimeMessage *msg, struct inbound_msg *m)
{
	const char **one = arena_calloc(a, PARSE_ADDRS_MAX, sizeof(*one));
	size_t n = 0;

	m->from_addr = "";
	if (one == NULL)
		return;
	add_addrs(a, g_mime_message_get_from(msg), &one, &n, 0);
	if (n > 0 && one[0] != NULL)
		m->from_addr = one[0];
}

/* The body as text and Markdown, files, from the MIME tree. */
static enum zek_rc
body(struct arena *a, GMimeMessage *msg, struct inbound_msg *m)
{
	struct walk w = { .a = a };
	const char *text, *cut;
	GMimeObject *top = g_mime_message_get_mime_part(msg);

	if (top != NULL)
		walk_object(&w, top, 0);
	if (w.failed)
		return ZEK_NOMEM;
	text = w.text != NULL ? w.text :
	    w.html != NULL    ? mail_text_from_html(a, w.html) :
	                        "";
	cut = text != NULL ? mail_text_cut_quotes(a, text) : NULL;
	/* A new request keeps all of it: a forwarded mail is its matter. */
	m->full_text = cut != NULL ? mail_text_to_markdown(a, text) : NULL;
	m->reply_text = cut != NULL ? mail_text_to_markdown(a, cut) : NULL;
	m->plain_text = text;
	m->files = w.files;
	m->nfiles = w.nfiles;
	return m->full_text != NULL && m->reply_text != NULL ? ZEK_OK :
	                                                       ZEK_NOMEM;
}

enum zek_rc
mail_parse(struct arena *a, const struct config *cfg, const void *raw,
    size_t len, struct inbound_msg *m)
{
	static const char *fallback[] = { "UTF-8", "WINDOWS-1252", NULL };
	GMimeParserOptions *opts;
	GMimeMessage *msg = NULL;
	GMimeParser *parser;
	GMimeStream *stream;
	enum zek_rc rc = ZEK_OK;

	mail_parse_init();
	*m = (struct inbound_msg){ .message_id = "",
		.from_addr = "",
		.subject = "",
		.reply_text = "",
		.full_text = "",
		.plain_text = "" };
	stream = g_mime_stream_mem_new_with_buffer(raw, len);
	parser = g_mime_parser_new_with_stream(stream);
	opts = g_mime_parser_options_new();
	g_mime_parser_options_set_fallback_charsets(opts, fallback);
	msg = g_mime_parser_construct_message(parser, opts);
	if (msg == NULL || !has_headers(msg))
		goto out; /* m->parsed stays false */
	m->message_id = bracket(a, g_mime_message_get_message_id(msg));
	m->subject = utf8_copy(a, g_mime_message_get_subject(msg));
	sender(a, msg, m);
	recipients(a, msg, m);
	references(a, msg, m);
	if (m->message_id == NULL || m->subject == NULL || m->rcpts == NULL ||
	    m->refs == NULL) {
		rc = ZEK_NOMEM;
		goto out;
	}
	m->loop = loop_reason(a, cfg, msg, m);
	rc = body(a, msg, m);
	m->parsed = rc == ZEK_OK;
out:
	if (msg != NULL)
		g_object_unref(msg);
	g_mime_parser_options_free(opts);
	g_object_unref(parser);
	g_object_unref(stream);
	return rc;
}
