/* html.c: escapers for HTML text, attributes, URL components and JSON in script. */
#include "render/html.h"

#include <string.h>

#include "lib/zek.h"

#define HTML_REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD, written for NUL bytes */

/* Entity for one byte in text (attr false) or attribute context, or NULL. */
static const char *
html_entity(unsigned char c, int attr)
{
	switch (c) {
	case '&':
		return "&amp;";
	case '<':
		return "&lt;";
	case '>':
		return "&gt;";
	case '"':
		return "&quot;";
	case '\'':
		return "&#39;";
	case '\0':
		return HTML_REPLACEMENT;
	case '`':
		return attr ? "&#96;" : NULL;
	case '=':
		return attr ? "&#61;" : NULL;
	default:
		return NULL;
	}
}

/* Bytes that have an entity: 1 in text and attributes, 2 in attributes
 * only (see html_entity), a row each. */
/* clang-format off */
static const unsigned char html_special[256] = {
	['&'] = 1, ['<'] = 1, ['>'] = 1, ['"'] = 1, ['\''] = 1, ['\0'] = 1,
	['`'] = 2, ['='] = 2,
};
/* clang-format on */

/* Copies runs of plain bytes at once; most text has few special bytes. */
static int
html_escape(struct buf *b, const char *s, size_t len, int attr)
{
	const unsigned char mask = attr ? 3 : 1;
	size_t i = 0, run = 0;
	const char *ent;

	for (;;) {
		while (i < len && !(html_special[(unsigned char)s[i]] & mask))
			i++;
		if (i == len)
			break;
		ent = html_entity((unsigned char)s[i], attr);
		if (i > run)
			buf_append(b, s + run, i - run);
		buf_puts(b, ent);
		run = ++i;
	}
	if (len > run)
		buf_append(b, s + run, len - run);
	return b->failed;
}

int
html_escape_text(struct buf *b, const char *s, size_t len)
{
	return html_escape(b, s, len, 0);
}

int
html_escape_attr(struct buf *b, const char *s, size_t len)
{
	return html_escape(b, s, len, 1);
}

int
html_escape_url(struct buf *b, const char *s, size_t len)
{
	return buf_put_percent(b, s, len, "");
}

/* State for json_dump_callback: U+2028/9 are E2 80 A8/A9 in UTF-8 and may
 * in theory straddle two callback chunks, so held bytes carry over. */
struct html_json {
	struct buf *b;
	int held; /* how many bytes of E2 80 are held back */
};

static void
html_json_flush(struct html_json *j)
{
	static const char prefix[] = "\xE2\x80";

	if (j->held > 0)
		buf_append(j->b, prefix, (size_t)j->held);
	j->held = 0;
}

static int
html_json_chunk(const char *s, size_t len, void *data)
{
	struct html_json *j = data;
	unsigned char c;
	size_t i;

	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (j->held == 1 && c == 0x80) {
			j->held = 2;
			continue;
		}
		if (j->held == 2 && (c == 0xA8 || c == 0xA9)) {
			buf_puts(j->b, c == 0xA8 ? "\\u2028" : "\\u2029");
			j->held = 0;
			continue;
		}
		html_json_flush(j);
		switch (c) {
		case 0xE2:
			j->held = 1;
			break;
		case '<':
			buf_puts(j->b, "\\u003c");
			break;
		case '>':
			buf_puts(j->b, "\\u003e");
			break;
		case '&':
			buf_puts(j->b, "\\u0026");
			break;
		default:
			buf_putc(j->b, (char)c);
			break;
		}
	}
	return j->b->failed ? -1 : 0;
}

int
html_escape_json(struct buf *b, const json_t *v)
{
	struct html_json j = { b, 0 };
	int rc;

	rc = json_dump_callback(v, html_json_chunk, &j,
	    JSON_COMPACT | JSON_ENCODE_ANY);
	html_json_flush(&j);
	if (b->failed)
		return b->failed;
	return rc == 0 ? ZEK_OK : ZEK_INVALID;
}
