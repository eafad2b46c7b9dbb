/* text.c: received mail bodies as comment text: HTML to text, quote cutting, Markdown. */
#include "mail/receive/text.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/zek.h"
#include "lib/str.h"

#define TEXT_MAX (8u << 20) /* one body as text */
#define HEADER_LOOKAHEAD 6  /* lines between "Von:" and "Gesendet:" */

/* ---- HTML to text ---- */

static const struct {
	const char *name;
	const char *text;
} entities[] = {
	{ "amp", "&" },
	{ "lt", "<" },
	{ "gt", ">" },
	{ "quot", "\"" },
	{ "apos", "'" },
	{ "nbsp", " " },
	{ "auml", "\xc3\xa4" },
	{ "ouml", "\xc3\xb6" },
	{ "uuml", "\xc3\xbc" },
	{ "Auml", "\xc3\x84" },
	{ "Ouml", "\xc3\x96" },
	{ "Uuml", "\xc3\x9c" },
	{ "szlig", "\xc3\x9f" },
	{ "euro", "\xe2\x82\xac" },
	{ "ndash", "\xe2\x80\x93" },
	{ "mdash", "\xe2\x80\x94" },
	{ "hellip", "\xe2\x80\xa6" },
	{ "copy", "\xc2\xa9" },
};

/* The text b holds, in a (NULL when b or a ran out); frees b. */
static char *
to_arena(struct arena *a, struct buf *b)
{
	char *out = b->failed ?
	    NULL :
	    arena_strndup(a, b->data != NULL ? b->data : "", b->len);

	buf_free(b);
	return out;
}

static void
put_utf8(struct buf *b, uint32_t cp)
{
	char u[4];

	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		buf_putc(b, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		buf_append(b, u, 4);
	}
}

/* An entity at s ("&...;"); returns the bytes read, 0 if it is none. */
static size_t
entity(struct buf *b, const char *s)
{
	const char *semi = strchr(s, ';');
	uint32_t cp = 0;
	size_t i, n;

	if (semi == NULL || semi - s > 10)
		return 0;
	n = (size_t)(semi - s) + 1;
	if (s[1] == '#') {
		bool hex = s[2] == 'x' || s[2] == 'X';

		for (i = hex ? 3 : 2; s + i < semi; i++) {
			int v = hex ?
			    str_hexval(s[i]) :
			    (s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : -1);
			if (v < 0)
				return 0;
			cp = cp * (hex ? 16 : 10) + (uint32_t)v;
		}
		put_utf8(b, cp);
		return n;
	}
	for (i = 0; i < ZEK_ARRAY_LEN(entities); i++)
		if (strlen(entities[i].name) == n - 2 &&
		    strncmp(s + 1, entities[i].name, n - 2) == 0) {
			buf_puts(b, entities[i].text);
			return n;
		}
	return 0;
}

/* The lower-case tag name at s (after '<' and an optional '/'). */
static void
tag_name(const char *s, char *out, size_t n)
{
	size_t i = 0;

	while (i + 1 < n &&
	    ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
	        (s[i] >= '0' && s[i] <= '9'))) {
		out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
		i++;
	}
	out[i] = '\0';
}

static bool
is_block(const char *t)
{
	static const char *const blocks[] = {
		"p",
		"div",
		"br",
		"li",
		"tr",
		"h1",
		"h2",
		"h3",
		"h4",
		"h5",
		"h6",
		"blockquote",
		"table",
		"ul",
		"ol",
		"hr",
		"pre",
	};
	size_t i;

	for (i = 0; i < ZEK_ARRAY_LEN(blocks); i++)
		if (str_eq(t, blocks[i]))
			return true;
	return false;
}

/* Starts a new line, quoted as deep as the blockquotes around it. */
static void
newline(struct buf *b, int depth)
{
	int i;

	buf_putc(b, '\n');
	for (i = 0; i < depth; i++)
		buf_puts(b, "> ");
}

char *
mail_text_from_html(struct arena *a, const char *html)
{
	const char *p = html, *end;
	char tag[16];
	int depth = 0;
	bool closing, space = false;
	struct buf b;
	size_t k;

	buf_init(&b, TEXT_MAX);
	while (*p != '\0') {
		if (*p == '<') {
			closing = p[1] == '/';
			tag_name(p + 1 + closing, tag, sizeof(tag));
			if (strncmp(p, "<!--", 4) == 0) {
				end = strstr(p + 4, "-->");
				p = end != NULL ? end + 3 : p + strlen(p);
				continue;
			}
			/* Content that is no text at all. */
			if (!closing &&
			    (str_eq(tag, "script") || str_eq(tag, "style") ||
			        str_eq(tag, "head") || str_eq(tag, "title"))) {
				char close[24];

				snprintf(close, sizeof(close), "</%s", tag);
				end = strcasestr(p + 1, close);
				p = end != NULL ? end : p + strlen(p);
			}
			end = strchr(p, '>');
			p = end != NULL ? end + 1 : p + strlen(p);
			if (str_eq(tag, "blockquote"))
				depth += closing ? (depth > 0 ? -1 : 0) : 1;
			if (is_block(tag)) {
				newline(&b, depth);
				space = false;
			}
			continue;
		}
		if (*p == '&' && (k = entity(&b, p)) > 0) {
			p += k;
			space = false;
			continue;
		}
		/* HTML white space is one space; line breaks come from tags. */
		if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
			if (!space)
				buf_putc(&b, ' ');
			space = true;
			p++;
			continue;
		}
		buf_putc(&b, *p++);
		space = false;
	}
	return to_arena(a, &b);
}

/* ---- cutting quoted history ---- */

/* The line [s, s + n) without white space at either end, in a buffer. */
static void
line_trim(const char *s, size_t n, char *out, size_t max)
{
	while (n > 0 && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (
	    n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	if (n >= max)
		n = max - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

static bool
starts_ci(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* A separator line like "-----Original Message-----". */
static bool
is_original_marker(const char *l)
{
	static const char *const words[] = {
		"Original Message",
		"Urspr\xc3\xbcngliche Nachricht",
		"Originalnachricht",
		"Weitergeleitete Nachricht",
		"Forwarded message",
	};
	size_t i;

	if (strncmp(l, "---", 3) != 0 && strncmp(l, "___", 3) != 0)
		return false;
	for (i = 0; i < ZEK_ARRAY_LEN(words); i++)
		if (strcasestr(l, words[i]) != NULL)
			return true;
	return false;
}

struct lines {
	const char **l; /* trimmed lines */
	size_t n;
};

/* Outlook's header block: "Von:"/"From:" and within a few lines
 * "Gesendet:"/"Sent:" (or "Datum:"/"Date:"). */
static bool
is_outlook_header(const struct lines *ls, size_t i)
{
	size_t k;

	if (!starts_ci(ls->l[i], "Von:") && !starts_ci(ls->l[i], "From:") &&
	    !starts_ci(ls->l[i], "*Von:*") && !starts_ci(ls->l[i], "*From:*"))
		return false;
	for (k = i + 1; k < ls->n && k <= i + HEADER_LOOKAHEAD; k++) {
		const char *l = ls->l[k][0] == '*' ? ls->l[k] + 1 : ls->l[k];

		if (starts_ci(l, "Gesendet:") || starts_ci(l, "Sent:") ||
		    starts_ci(l, "Datum:") || starts_ci(l, "Date:"))
			return true;
	}
	return false;
}

/* "Am 06.12.2026 um 10:00 schrieb Anna <a@b>:", "On Sun, ... wrote:",
 * also wrapped onto a second line by the client. */
static bool
is_attribution(const struct lines *ls, size_t i)
{
	const char *l = ls->l[i];
	const char *next = i + 1 < ls->n ? ls->l[i + 1] : "";

	if (starts_ci(l, "Am ") || starts_ci(l, "Le ")) {
		if (strstr(l, "schrieb") != NULL)
			return ends_with(l, ":") ||
			    (ends_with(next, ":") && strlen(next) < 100);
		return strstr(next, "schrieb") != NULL && ends_with(next, ":");
	}
	if (starts_ci(l, "On ")) {
		if (ends_with(l, "wrote:"))
			return true;
		return ends_with(next, "wrote:") && strlen(next) < 100;
	}
	return false;
}

static bool
is_cut_line(const char *l)
{
	return strstr(l, "Bitte oberhalb dieser Zeile antworten") != NULL ||
	    strstr(l, "Please reply above this line") != NULL;
}

/* The lines of text, trimmed, in a. */
static int
split_lines(struct arena *a, const char *text, struct lines *ls,
    const char ***raw)
{
	const char *p, *nl;
	size_t cap = 0, n;
	char *t;

	ls->l = NULL;
	ls->n = 0;
	*raw = NULL;
	for (p = text; *p != '\0'; p = nl + 1) {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p) - 1;
		n = (size_t)(nl - p) + (*nl == '\n' ? 0 : 1);
		if (ls->n == cap) {
			size_t ncap = cap == 0 ? 64 : cap * 2;

			ls->l = arena_realloc(a, ls->l, cap * sizeof(char *),
			    ncap * sizeof(char *));
			*raw = arena_realloc(a, *raw, cap * sizeof(char *),
			    ncap * sizeof(char *));
			if (ls->l == NULL || *raw == NULL)
				return -1;
			cap = ncap;
		}
		t = arena_alloc(a, n + 1);
		(*raw)[ls->n] = arena_strndup(a, p, n);
		if (t == NULL || (*raw)[ls->n] == NULL)
			return -1;
		line_trim(p, n, t, n + 1);
		ls->l[ls->n++] = t;
		if (nl[0] == '\0' || nl[1] == '\0')
			break;
	}
	return 0;
}

/* Where the quoted history or the signature starts. */
static size_t
cut_at(const struct lines *ls, const char *const *raw)
{
	size_t i;

	for (i = 0; i < ls->n; i++) {
		const char *l = ls->l[i];
		char *r = (char *)raw[i];
		size_t rn = strlen(r);

		if (rn > 0 && r[rn - 1] == '\r')
			r[--rn] = '\0';
		/* RFC 3676: "-- " alone; clients that strip the space too. */
		if (str_eq(r, "-- ") || str_eq(r, "--") || str_eq(l, "__"))
			return i;
		if (is_cut_line(l) || is_original_marker(l) ||
		    is_outlook_header(ls, i) || is_attribution(ls, i))
			return i;
	}
	return ls->n;
}

char *
mail_text_cut_quotes(struct arena *a, const char *text)
{
	struct lines ls;
	const char **raw;
	size_t i, end, first = SIZE_MAX, last = 0;
	struct buf b;
	char *out;

	if (split_lines(a, text, &ls, &raw) != 0)
		return NULL;
	end = cut_at(&ls, raw);
	for (i = 0; i < end; i++) {
		if (ls.l[i][0] == '>' || ls.l[i][0] == '\0')
			continue;
		if (first == SIZE_MAX)
			first = i;
		last = i;
	}
	buf_init(&b, TEXT_MAX);
	for (i = first; first != SIZE_MAX && i <= last; i++) {
		const char *r = raw[i];
		size_t n = strlen(r);

		if (ls.l[i][0] == '>')
			continue;
		while (n > 0 &&
		    (r[n - 1] == ' ' || r[n - 1] == '\t' || r[n - 1] == '\r'))
			n--;
		buf_append(&b, r, n);
		buf_putc(&b, '\n');
	}
	/* Quoted lines between paragraphs leave runs of blank lines. */
	out = to_arena(a, &b);
	if (out != NULL) {
		char *w = out, *p;
		int blanks = 0;

		for (p = out; *p != '\0'; p++) {
			if (*p == '\n' && (p == out || p[-1] == '\n')) {
				if (++blanks > 1)
					continue;
			} else if (*p != '\n') {
				blanks = 0;
			}
			*w++ = *p;
		}
		while (w > out && w[-1] == '\n')
			w--;
		*w = '\0';
	}
	return out;
}

/* ---- format=flowed ---- */

/* The length of the line at p without its end (LF or CRLF); *nl: its LF,
 * NULL for the last line. */
static size_t
line_at(const char *p, const char **nl)
{
	size_t n;

	*nl = strchr(p, '\n');
	n = *nl != NULL ? (size_t)(*nl - p) : strlen(p);
	return n > 0 && p[n - 1] == '\r' ? n - 1 : n;
}

char *
mail_text_unflow(struct arena *a, const char *text, bool delsp)
{
	const char *p = text, *nl;
	struct buf b;
	size_t n;
	bool soft;

	buf_init(&b, TEXT_MAX);
	while (*p != '\0') {
		n = line_at(p, &nl);
		/* Space-stuffed: "From " and leading spaces got one more. */
		if (n > 0 && p[0] == ' ') {
			p++;
			n--;
		}
		soft = n > 0 && p[n - 1] == ' ' &&
		    !(n == 3 && strncmp(p, "-- ", 3) == 0);
		buf_append(&b, p, soft && delsp ? n - 1 : n);
		if (nl == NULL)
			break;
		if (!soft)
			buf_putc(&b, '\n');
		p = nl + 1;
	}
	return to_arena(a, &b);
}

/* ---- Markdown ---- */

/* A line Markdown would read as a heading underline or a rule. */
static bool
is_rule(const char *l, size_t n)
{
	size_t i, marks = 0;

	for (i = 0; i < n; i++) {
		if (l[i] == '-' || l[i] == '=' || l[i] == '*' || l[i] == '_')
			marks++;
		else if (l[i] != ' ')
			return false;
	}
	return marks >= 2;
}

/* Whether the line at p is empty or white space (or there is none). */
static bool
blank_line(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\r')
		p++;
	return *p == '\n' || *p == '\0';
}

char *
mail_text_to_markdown(struct arena *a, const char *text)
{
	const char *p = text, *nl;
	struct buf b;
	size_t n, k;

	buf_init(&b, TEXT_MAX);
	while (*p != '\0') {
		n = line_at(p, &nl);
		for (k = 0; k < n && (p[k] == ' ' || p[k] == '\t'); k++)
			;
		/* Indentation would make a code block: the mail meant none. */
		if (k < n &&
		    (p[k] == '#' || p[k] == '>' || p[k] == '|' || p[k] == '+' ||
		        is_rule(p + k, n - k)))
			buf_putc(&b, '\\');
		buf_append(&b, p + k, n - k);
		if (nl == NULL)
			break;
		p = nl + 1;
		/* A line break the mail made stays one (a hard break). */
		if (n > k && !blank_line(p))
			buf_putc(&b, '\\');
		buf_putc(&b, '\n');
	}
	return to_arena(a, &b);
}
