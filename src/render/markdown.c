/* markdown.c: cmark-gfm rendering with safe defaults and guards against slow inputs. */
#include "render/markdown.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>

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
		case ' ': case '\t': case '\r':
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
	cmark_node *n = cmark_node_new(block ? CMARK_NODE_CODE_BLOCK : CMARK_NODE_TEXT);

	if (n != NULL && !cmark_node_set_literal(n, lit != NULL ? lit : "")) {
		cmark_node_free(n);
		n = NULL;
	}
	return n;
}

/* Shows raw HTML as escaped text, so what the user typed stays visible
 * ("a <b> c", "<Strg>") instead of cmark's "raw HTML omitted". */
static int
md_escape_raw_html(cmark_node *doc)
{
	cmark_iter *it = cmark_iter_new(doc);
	cmark_event_type ev;
	cmark_node *n, *repl;
	cmark_node_type type;
	int rc = ZEK_OK;

	if (it == NULL)
		return ZEK_NOMEM;
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		n = cmark_iter_get_node(it);
		type = cmark_node_get_type(n);
		if (ev != CMARK_EVENT_ENTER ||
		    (type != CMARK_NODE_HTML_INLINE && type != CMARK_NODE_HTML_BLOCK))
			continue;
		repl = md_html_as_text(n, type == CMARK_NODE_HTML_BLOCK);
		if (repl == NULL || !cmark_node_replace(n, repl)) {
			if (repl != NULL)
				cmark_node_free(repl);
			rc = ZEK_NOMEM;
			goto out;
		}
		cmark_node_free(n);
		/* Continue after the new node, which is a leaf. */
		cmark_iter_reset(it, repl, CMARK_EVENT_ENTER);
	}
out:
	cmark_iter_free(it);
	return rc;
}

/* Parses and renders; called with md_lock held. */
static int
md_render_locked(const char *md, size_t len, const struct md_guards *g,
    struct buf *out)
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
	if ((rc = md_escape_raw_html(doc)) != ZEK_OK)
		goto out;
	html = cmark_render_html(doc, MARKDOWN_OPTIONS, cmark_parser_get_syntax_extensions(p));
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

int
markdown_to_html(const char *md, size_t len, struct buf *out)
{
	struct md_guards g;
	int rc;

	if (len > MARKDOWN_MAX_INPUT)
		return ZEK_TOOBIG;
	if (out->failed)
		return out->failed;
	if (len == 0)
		return ZEK_OK;
	if (pthread_once(&md_once, md_register) != 0)
		return ZEK_NOMEM;
	md_scan(md, len, &g);
	pthread_mutex_lock(&md_lock);
	rc = md_render_locked(md, len, &g, out);
	pthread_mutex_unlock(&md_lock);
	return rc;
}
