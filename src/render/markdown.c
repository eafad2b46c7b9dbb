/* markdown.c: cmark-gfm rendering with safe defaults and guards against slow inputs. */
#include "render/markdown.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/zek.h"

/* Above these, the table and autolink extensions of cmark-gfm 0.29.0.gfm.6
 * take quadratic time (many cells in a row; many ')' closing an autolink),
 * so a document that has them is rendered without that extension. */
#define MARKDOWN_MAX_PIPES_PER_LINE 128
#define MARKDOWN_MAX_PARENS_PER_WORD 32

/* Not CMARK_OPT_UNSAFE: raw HTML and unsafe URLs are dropped by cmark. */
#define MARKDOWN_OPTIONS (CMARK_OPT_VALIDATE_UTF8 | CMARK_OPT_HARDBREAKS)

static pthread_once_t md_once = PTHREAD_ONCE_INIT;
/* cmark-gfm adds and removes the extensions' special characters in a global
 * table around every parse (cmark-gfm PR #176, unmerged), so two parses at
 * once race. One lock for all renders; they are short. */
static pthread_mutex_t md_lock = PTHREAD_MUTEX_INITIALIZER;

/* Rendered documents are kept (input and HTML) so that a page shown again
 * costs a hash and a copy instead of a parse under md_lock: up to
 * MD_CACHE_BYTES in all, documents up to MD_CACHE_DOC_MAX each. When full,
 * whole bucket chains go, round the table, until a quarter is free. */
#define MD_CACHE_BYTES (4u << 20)
#define MD_CACHE_DOC_MAX (64u << 10)
#define MD_CACHE_BUCKETS 1024u
/* cmark's HTML for one document; out's own maximum applies after. */
#define MD_HTML_MAX ((size_t)64 << 20)

struct md_entry {
	struct md_entry *next;
	uint64_t hash;
	size_t inlen, outlen;
	char data[]; /* the input, then the HTML */
};

static struct {
	pthread_mutex_t lock;
	struct md_entry *bucket[MD_CACHE_BUCKETS];
	size_t bytes;
	unsigned sweep; /* next bucket to empty when full */
} md_cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void
md_register(void)
{
	cmark_gfm_core_extensions_ensure_registered();
}

struct md_guards {
	bool tables;
	bool autolinks;
};

/* One pass over the input: which extensions are safe to use on it. */
static void
md_scan(const char *md, size_t len, struct md_guards *g)
{
	size_t i, pipes = 0, parens = 0;

	g->tables = g->autolinks = true;
	for (i = 0; i < len; i++) {
		switch (md[i]) {
		case '\n':
			pipes = 0;
			parens = 0;
			break;
		case ' ':
		case '\t':
		case '\r':
			parens = 0;
			break;
		case '|':
			if (++pipes > MARKDOWN_MAX_PIPES_PER_LINE)
				g->tables = false;
			break;
		case ')':
			if (++parens > MARKDOWN_MAX_PARENS_PER_WORD)
				g->autolinks = false;
			break;
		default:
			break;
		}
	}
}

static int
md_attach(cmark_parser *p, const char *name)
{
	cmark_syntax_extension *ext = cmark_find_syntax_extension(name);

	if (ext == NULL || !cmark_parser_attach_syntax_extension(p, ext))
		return ZEK_NOMEM;
	return ZEK_OK;
}

/* Raw HTML as a text node (inline) or a code block (block, which keeps
 * its lines); both are escaped on output. */
static cmark_node *
md_html_as_text(cmark_node *html, bool block)
{
	const char *lit = cmark_node_get_literal(html);
	cmark_node *n = cmark_node_new(
	    block ? CMARK_NODE_CODE_BLOCK : CMARK_NODE_TEXT);

	if (n != NULL && !cmark_node_set_literal(n, lit != NULL ? lit : "")) {
		cmark_node_free(n);
		n = NULL;
	}
	return n;
}

/* Gives each node the document holds to `replace`, which returns NULL to
 * keep the node, or a new node to take its place (and sets *failed when
 * it could not build one). The walk goes on inside the new node. Returns
 * ZEK_OK or ZEK_NOMEM. */
static int
md_replace_nodes(cmark_node *doc,
    cmark_node *(*replace)(cmark_node *n, const void *arg, bool *failed),
    const void *arg)
{
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	cmark_node *n, *repl;
	bool failed = false;
	int rc = ZEK_OK;

	if (it == NULL)
		return ZEK_NOMEM;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		if (ev != CMARK_EVENT_ENTER)
			continue;
		n = cmark_iter_get_node(it);
		repl = replace(n, arg, &failed);
		if (failed || (repl != NULL && !cmark_node_replace(n, repl))) {
			if (repl != NULL)
				cmark_node_free(repl);
			rc = ZEK_NOMEM;
			break;
		}
		if (repl == NULL)
			continue;
		cmark_node_free(n);
		cmark_iter_reset(it, repl, CMARK_EVENT_ENTER);
	}
	cmark_iter_free(it);
	return rc;
}

/* Raw HTML shown as escaped text, so what the user typed stays visible
 * ("a <b> c", "<Strg>") instead of cmark's "raw HTML omitted". */
static cmark_node *
md_raw_html_replacement(cmark_node *n, const void *arg, bool *failed)
{
	cmark_node_type type = cmark_node_get_type(n);
	cmark_node *repl;

	(void)arg;
	if (type != CMARK_NODE_HTML_INLINE && type != CMARK_NODE_HTML_BLOCK)
		return NULL;
	repl = md_html_as_text(n, type == CMARK_NODE_HTML_BLOCK);
	*failed = repl == NULL;
	return repl;
}

/* True when url is served by zek itself: local_base ("https://zek.example",
 * no trailing slash) followed by "/" (so neither "https://zek.example.evil"
 * nor "https://zek.example@evil" counts). */
static bool
md_url_is_local(const char *url, const char *local_base)
{
	size_t n = strlen(local_base);

	while (n > 0 && local_base[n - 1] == '/')
		n--;
	return n > 0 && url != NULL && strncmp(url, local_base, n) == 0 &&
	    url[n] == '/';
}

/* The image as a link to its address: its description (or, when empty,
 * the address) as the link text. */
static cmark_node *
md_image_as_link(cmark_node *img)
{
	const char *url = cmark_node_get_url(img);
	const char *title = cmark_node_get_title(img);
	cmark_node *link = cmark_node_new(CMARK_NODE_LINK), *child, *text;

	if (link == NULL)
		return NULL;
	if (!cmark_node_set_url(link, url != NULL ? url : "") ||
	    !cmark_node_set_title(link, title != NULL ? title : ""))
		goto fail;
	while ((child = cmark_node_first_child(img)) != NULL) {
		cmark_node_unlink(child);
		if (!cmark_node_append_child(link, child)) {
			cmark_node_free(child);
			goto fail;
		}
	}
	if (cmark_node_first_child(link) == NULL) {
		text = cmark_node_new(CMARK_NODE_TEXT);
		if (text == NULL ||
		    !cmark_node_set_literal(text, url != NULL ? url : "") ||
		    !cmark_node_append_child(link, text)) {
			if (text != NULL)
				cmark_node_free(text);
			goto fail;
		}
	}
	return link;
fail:
	cmark_node_free(link);
	return NULL;
}

/* Every image not served under local_base (arg) becomes a link: in an
 * e-mail a remote image loads when the mail is opened and tells its owner
 * who read it when (a tracking pixel). */
static cmark_node *
md_remote_image_replacement(cmark_node *n, const void *local_base, bool *failed)
{
	cmark_node *repl;

	if (cmark_node_get_type(n) != CMARK_NODE_IMAGE ||
	    md_url_is_local(cmark_node_get_url(n), local_base))
		return NULL;
	repl = md_image_as_link(n);
	*failed = repl == NULL;
	return repl;
}

/* Parses and renders; called with md_lock held. local_base: see
 * markdown_to_mail_html, NULL for pages. */
static int
md_render_locked(const char *md, size_t len, const struct md_guards *g,
    const char *local_base, struct buf *out)
{
	cmark_parser *p;
	cmark_node *doc = NULL;
	char *html = NULL;
	int rc;

	p = cmark_parser_new(MARKDOWN_OPTIONS);
	if (p == NULL)
		return ZEK_NOMEM;
	if ((g->tables && (rc = md_attach(p, "table")) != ZEK_OK) ||
	    (rc = md_attach(p, "strikethrough")) != ZEK_OK ||
	    (g->autolinks && (rc = md_attach(p, "autolink")) != ZEK_OK) ||
	    (rc = md_attach(p, "tasklist")) != ZEK_OK)
		goto out;
	cmark_parser_feed(p, md, len);
	doc = cmark_parser_finish(p);
	if (doc == NULL) {
		rc = ZEK_NOMEM;
		goto out;
	}
	if ((rc = md_replace_nodes(doc, md_raw_html_replacement, NULL)) !=
	    ZEK_OK)
		goto out;
	if (local_base != NULL &&
	    (rc = md_replace_nodes(doc, md_remote_image_replacement,
	         local_base)) != ZEK_OK)
		goto out;
	html = cmark_render_html(doc, MARKDOWN_OPTIONS,
	    cmark_parser_get_syntax_extensions(p));
	if (html == NULL) {
		rc = ZEK_NOMEM;
		goto out;
	}
	rc = buf_puts(out, html);
out:
	free(html);
	if (doc != NULL)
		cmark_node_free(doc);
	cmark_parser_free(p);
	return rc;
}

/* 64-bit hash of the input, eight bytes at a time. */
static uint64_t
md_hash(const char *s, size_t n)
{
	uint64_t h = 0x9e3779b97f4a7c15u ^ n, w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdu;
		h ^= h >> 32;
	}
	w = 0;
	memcpy(&w, s, n);
	h = (h ^ w) * 0xc4ceb9fe1a85ec53u;
	return h ^ (h >> 29);
}

/* Appends the kept HTML for md to out; false when it is not kept. */
static bool
md_cache_get(const char *md, size_t len, uint64_t h, struct buf *out, int *rc)
{
	struct md_entry *e;
	bool found = false;

	pthread_mutex_lock(&md_cache.lock);
	for (e = md_cache.bucket[h % MD_CACHE_BUCKETS]; e != NULL;
	     e = e->next) {
		if (e->hash == h && e->inlen == len &&
		    memcmp(e->data, md, len) == 0) {
			*rc = buf_append(out, e->data + len, e->outlen);
			found = true;
			break;
		}
	}
	pthread_mutex_unlock(&md_cache.lock);
	return found;
}

/* Keeps html as the rendering of md; nothing happens when memory is short. */
static void
md_cache_put(const char *md, size_t len, uint64_t h, const char *html,
    size_t hlen)
{
	size_t size = sizeof(struct md_entry) + len + hlen;
	struct md_entry *e, *x, **b, **victim;

	if (len + hlen > MD_CACHE_DOC_MAX || (e = malloc(size)) == NULL)
		return;
	e->hash = h;
	e->inlen = len;
	e->outlen = hlen;
	memcpy(e->data, md, len);
	memcpy(e->data + len, html, hlen);
	pthread_mutex_lock(&md_cache.lock);
	b = &md_cache.bucket[h % MD_CACHE_BUCKETS];
	for (x = *b; x != NULL; x = x->next) {
		if (x->hash == h && x->inlen == len &&
		    memcmp(x->data, md, len) == 0) {
			/* Another thread rendered it meanwhile. */
			pthread_mutex_unlock(&md_cache.lock);
			free(e);
			return;
		}
	}
	if (md_cache.bytes + size > MD_CACHE_BYTES) {
		while (md_cache.bytes > 0 &&
		    md_cache.bytes + size > MD_CACHE_BYTES / 4 * 3) {
			victim = &md_cache.bucket[md_cache.sweep++ %
			    MD_CACHE_BUCKETS];
			while ((x = *victim) != NULL) {
				*victim = x->next;
				md_cache.bytes -= sizeof(*x) + x->inlen +
				    x->outlen;
				free(x);
			}
		}
	}
	e->next = *b;
	*b = e;
	md_cache.bytes += size;
	pthread_mutex_unlock(&md_cache.lock);
}

/* Renders md into out; pages (local_base NULL) go through the cache. */
static int
md_render(const char *md, size_t len, const char *local_base, struct buf *out)
{
	struct md_guards g;
	struct buf html;
	uint64_t h = 0;
	int rc;

	if (len > MARKDOWN_MAX_INPUT)
		return ZEK_TOOBIG;
	if (out->failed)
		return out->failed;
	if (len == 0)
		return ZEK_OK;
	if (local_base == NULL) {
		h = md_hash(md, len);
		if (md_cache_get(md, len, h, out, &rc))
			return rc;
	}
	if (pthread_once(&md_once, md_register) != 0)
		return ZEK_NOMEM;
	md_scan(md, len, &g);
	buf_init(&html, MD_HTML_MAX);
	pthread_mutex_lock(&md_lock);
	rc = md_render_locked(md, len, &g, local_base, &html);
	pthread_mutex_unlock(&md_lock);
	if (rc == ZEK_OK && !html.failed) {
		if (local_base == NULL)
			md_cache_put(md, len, h,
			    html.data != NULL ? html.data : "", html.len);
		rc = buf_append(out, html.data != NULL ? html.data : "",
		    html.len);
	} else if (rc == ZEK_OK) {
		rc = html.failed;
	}
	buf_free(&html);
	return rc;
}

int
markdown_to_html(const char *md, size_t len, struct buf *out)
{
	return md_render(md, len, NULL, out);
}

const char *
markdown_to_arena(struct arena *a, const char *md)
{
	struct buf b;
	const char *html = NULL;

	buf_init(&b, MARKDOWN_HTML_MAX);
	if (markdown_to_html(md, strlen(md), &b) == ZEK_OK && !b.failed)
		html = arena_strdup(a, b.data != NULL ? b.data : "");
	buf_free(&b);
	return html;
}

int
markdown_to_mail_html(const char *md, size_t len, const char *local_base,
    struct buf *out)
{
	return md_render(md, len, local_base != NULL ? local_base : "", out);
}
