/* fuzz_markdown.c: markdown_to_html output is well-formed HTML of known tags, without user markup or unsafe URLs. */
#include <ctype.h>
#include <stdbool.h>
#include <strings.h>

#include "fuzz.h"
#include "lib/buf.h"
#include "lib/utf8.h"
#include "lib/zek.h"
#include "render/markdown.h"

#define OUT_MAX (4u << 20)
#define STACK_MAX 4096

/* Every element cmark-gfm writes with our options and extensions, and the
 * attributes each may carry ("" ends the list). */
static const struct {
	const char *tag;
	bool is_void;
	const char *attrs[4];
} tags[] = {
	{ "p", false, { "" } },
	{ "blockquote", false, { "" } },
	{ "ul", false, { "" } },
	{ "ol", false, { "start", "" } },
	{ "li", false, { "" } },
	{ "pre", false, { "lang", "" } },
	{ "code", false, { "class", "" } },
	{ "h1", false, { "" } }, { "h2", false, { "" } }, { "h3", false, { "" } },
	{ "h4", false, { "" } }, { "h5", false, { "" } }, { "h6", false, { "" } },
	{ "em", false, { "" } },
	{ "strong", false, { "" } },
	{ "del", false, { "" } },
	{ "a", false, { "href", "title", "" } },
	{ "img", true, { "src", "alt", "title", "" } },
	{ "table", false, { "" } },
	{ "thead", false, { "" } },
	{ "tbody", false, { "" } },
	{ "tr", false, { "" } },
	{ "th", false, { "align", "" } },
	{ "td", false, { "align", "" } },
	{ "input", true, { "type", "checked", "disabled", "" } },
	{ "br", true, { "" } },
	{ "hr", true, { "" } },
};

struct html {
	const char *s;
	size_t n, i;
	const char *stack[STACK_MAX];
	size_t depth;
};

static int
tag_index(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < ZEK_ARRAY_LEN(tags); i++)
		if (strlen(tags[i].tag) == n && memcmp(tags[i].tag, s, n) == 0)
			return (int)i;
	return -1;
}

static bool
attr_allowed(int t, const char *s, size_t n)
{
	size_t k;

	for (k = 0; tags[t].attrs[k][0] != '\0'; k++)
		if (strlen(tags[t].attrs[k]) == n && memcmp(tags[t].attrs[k], s, n) == 0)
			return true;
	return false;
}

/* Length of a character reference at s (after the '&'), or 0. */
static size_t
entity_len(const char *s, size_t n)
{
	size_t i = 0;

	if (i < n && s[i] == '#') {
		i++;
		if (i < n && (s[i] == 'x' || s[i] == 'X')) {
			i++;
			while (i < n && isxdigit((unsigned char)s[i]))
				i++;
		} else {
			while (i < n && isdigit((unsigned char)s[i]))
				i++;
		}
	} else {
		while (i < n && isalnum((unsigned char)s[i]))
			i++;
	}
	return i > 0 && i < n && s[i] == ';' && s[i - 1] != '#' &&
	    s[i - 1] != 'x' ? i + 1 : 0;
}

/* An attribute value as the browser reads it: references decoded (the
 * few cmark writes), tabs and line breaks gone, leading blanks and
 * controls gone, lower case. */
static void
url_as_browser(const char *v, size_t n, char *out, size_t outlen)
{
	size_t i, k = 0, e;
	unsigned long cp;
	char c;

	for (i = 0; i < n && k + 1 < outlen; i++) {
		c = v[i];
		if (c == '&' && (e = entity_len(v + i + 1, n - i - 1)) > 0) {
			if (strncmp(v + i + 1, "amp;", 4) == 0)
				c = '&';
			else if (strncmp(v + i + 1, "quot;", 5) == 0)
				c = '"';
			else if (strncmp(v + i + 1, "lt;", 3) == 0)
				c = '<';
			else if (strncmp(v + i + 1, "gt;", 3) == 0)
				c = '>';
			else if (v[i + 1] == '#') {
				cp = (v[i + 2] == 'x' || v[i + 2] == 'X') ?
				    strtoul(v + i + 3, NULL, 16) : strtoul(v + i + 2, NULL, 10);
				c = cp < 0x80 ? (char)cp : '?';
			} else
				c = '?';
			i += e;
		}
		if (c == '\t' || c == '\n' || c == '\r')
			continue;
		if (k == 0 && ((unsigned char)c <= 0x20))
			continue;
		out[k++] = (char)tolower((unsigned char)c);
	}
	out[k] = '\0';
}

static void
check_url(const char *v, size_t n)
{
	static const char *const bad[] = { "javascript:", "vbscript:", "file:" };
	static const char *const images[] = { "data:image/png", "data:image/gif",
	    "data:image/jpeg", "data:image/webp" };
	char u[64];
	size_t i;
	bool ok = false;

	url_as_browser(v, n, u, sizeof(u));
	for (i = 0; i < ZEK_ARRAY_LEN(bad); i++)
		FUZZ_CHECK(strncmp(u, bad[i], strlen(bad[i])) != 0,
		    "unsafe URL '%.*s'", (int)n, v);
	if (strncmp(u, "data:", 5) != 0)
		return;
	for (i = 0; i < ZEK_ARRAY_LEN(images); i++)
		ok = ok || strncmp(u, images[i], strlen(images[i])) == 0;
	FUZZ_CHECK(ok, "data URL '%.*s'", (int)n, v);
}

/* Text between tags: no markup characters, every '&' a reference. */
static void
check_text(struct html *h)
{
	size_t e;

	while (h->i < h->n && h->s[h->i] != '<') {
		FUZZ_CHECK(h->s[h->i] != '>', "raw '>' at %zu", h->i);
		if (h->s[h->i] == '&') {
			e = entity_len(h->s + h->i + 1, h->n - h->i - 1);
			FUZZ_CHECK(e > 0, "bare '&' at %zu", h->i);
			h->i += e;
		}
		h->i++;
	}
}

/* One tag at h->i (a '<'). */
static void
check_tag(struct html *h)
{
	const char *s = h->s;
	size_t start, vstart, k;
	bool closing = false;
	int t;

	h->i++;
	if (h->i < h->n && s[h->i] == '/') {
		closing = true;
		h->i++;
	}
	start = h->i;
	while (h->i < h->n && isalnum((unsigned char)s[h->i]))
		h->i++;
	t = tag_index(s + start, h->i - start);
	FUZZ_CHECK(t >= 0, "unknown element '%.*s' at %zu", (int)(h->i - start + 8),
	    s + start - 1, start);
	if (closing) {
		FUZZ_CHECK(h->i < h->n && s[h->i] == '>', "bad end tag");
		FUZZ_CHECK(h->depth > 0 && h->stack[h->depth - 1] == tags[t].tag,
		    "</%s> closes %s", tags[t].tag,
		    h->depth > 0 ? h->stack[h->depth - 1] : "nothing");
		h->depth--;
		h->i++;
		return;
	}
	for (;;) {
		FUZZ_CHECK(h->i < h->n, "tag not ended");
		if (s[h->i] == '>') {
			FUZZ_CHECK(!tags[t].is_void, "<%s> without '/'", tags[t].tag);
			FUZZ_CHECK(h->depth < STACK_MAX, "too deep");
			h->stack[h->depth++] = tags[t].tag;
			h->i++;
			return;
		}
		FUZZ_CHECK(s[h->i] == ' ', "junk in <%s>", tags[t].tag);
		h->i++;
		if (h->i + 1 < h->n && s[h->i] == '/' && s[h->i + 1] == '>') {
			FUZZ_CHECK(tags[t].is_void, "<%s /> is not void", tags[t].tag);
			h->i += 2;
			return;
		}
		start = h->i;
		while (h->i < h->n && (islower((unsigned char)s[h->i]) || s[h->i] == '-'))
			h->i++;
		FUZZ_CHECK(attr_allowed(t, s + start, h->i - start),
		    "attribute '%.*s' on <%s>", (int)(h->i - start), s + start,
		    tags[t].tag);
		FUZZ_CHECK(h->i + 1 < h->n && s[h->i] == '=' && s[h->i + 1] == '"',
		    "unquoted attribute");
		h->i += 2;
		vstart = h->i;
		while (h->i < h->n && s[h->i] != '"') {
			FUZZ_CHECK(s[h->i] != '<' && s[h->i] != '>',
			    "markup in an attribute");
			if (s[h->i] == '&') {
				k = entity_len(s + h->i + 1, h->n - h->i - 1);
				FUZZ_CHECK(k > 0, "bare '&' in an attribute");
				h->i += k;
			}
			h->i++;
		}
		FUZZ_CHECK(h->i < h->n, "attribute value not closed");
		if ((vstart - start == 6 && memcmp(s + start, "href", 4) == 0) ||
		    (vstart - start == 5 && memcmp(s + start, "src", 3) == 0))
			check_url(s + vstart, h->i - vstart);
		h->i++;
	}
}

static void
check_html(const char *s, size_t n)
{
	struct html h = { .s = s, .n = n };

	FUZZ_CHECK(utf8_valid(s, n), "output is not UTF-8 (or holds NUL)");
	while (h.i < h.n) {
		check_text(&h);
		if (h.i < h.n)
			check_tag(&h);
	}
	FUZZ_CHECK(h.depth == 0, "<%s> not closed", h.stack[h.depth - 1]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf out, small;
	int rc, rc2;

	buf_init(&out, OUT_MAX);
	rc = markdown_to_html((const char *)data, size, &out);
	if (size > MARKDOWN_MAX_INPUT) {
		FUZZ_CHECK(rc == ZEK_TOOBIG, "long input: %s", zek_rc_name(rc));
		goto out;
	}
	FUZZ_CHECK(rc == ZEK_OK, "rc %s", zek_rc_name(rc));
	check_html(out.data != NULL ? out.data : "", out.len);

	/* An output limit ends in ZEK_TOOBIG, never past it. */
	buf_init(&small, out.len / 2 + 1);
	rc2 = markdown_to_html((const char *)data, size, &small);
	FUZZ_CHECK(small.len <= out.len / 2 + 1, "past the limit");
	FUZZ_CHECK(rc2 == (out.len > out.len / 2 + 1 ? ZEK_TOOBIG : ZEK_OK),
	    "%zu bytes into %zu: %s", out.len, out.len / 2 + 1, zek_rc_name(rc2));
	buf_free(&small);

	/* Rendered again (markdown.c may answer from its cache now): the
	 * same HTML. */
	buf_init(&small, OUT_MAX);
	rc2 = markdown_to_html((const char *)data, size, &small);
	FUZZ_CHECK(rc2 == ZEK_OK && small.len == out.len && (out.len == 0 ||
	    memcmp(small.data, out.data, out.len) == 0), "second render differs");
	buf_free(&small);
out:
	buf_free(&out);
	return 0;
}
