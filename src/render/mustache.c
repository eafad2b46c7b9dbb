/* mustache.c: Mustache compiler (source to flat node array) and renderer. */
#include "render/mustache.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/zek.h"
#include "render/html.h"

#define MUSTACHE_MAX_DELIM 16    /* bytes of a custom delimiter */
#define MUSTACHE_MAX_INDENT 1024 /* bytes of stacked indentation */
#define NONE UINT32_MAX

enum node_type {
	N_TEXT,     /* literal text */
	N_VAR,      /* {{x}}: escaped */
	N_RAW,      /* {{{x}}}, {{&x}} */
	N_SECTION,  /* {{#x}} */
	N_INVERTED, /* {{^x}} */
	N_PARTIAL,  /* {{>x}} */
	N_PARENT,   /* {{<x}}: its children are N_ARG nodes only */
	N_BLOCK,    /* {{$x}} outside a parent: a parameter with default */
	N_ARG       /* {{$x}} directly inside a parent: an argument */
};

#define NF_EOL 0x01    /* the closing tag's line end was removed */
#define NF_INDENT 0x02 /* ind/indlen indent the expansion (standalone) */

/* Containers are followed by their descendants; `end` is the index after
 * the last one, so siblings are walked by jumping to `end`. */
struct node {
	uint8_t type;
	uint8_t flags;
	uint16_t nparts; /* name parts for lookups; 0 means "." */
	uint32_t end;
	uint32_t str;         /* pool offset: text, or NUL-separated name */
	uint32_t len;         /* text length */
	uint32_t ind, indlen; /* indentation for partials, parents, blocks */
	uint32_t lead,
	    leadlen; /* block: white space taken off before the tag */
};

struct mustache {
	struct node *nodes;
	uint32_t nnodes;
	char *pool;         /* all text and names, owned */
	uint32_t *partials; /* pool offsets of partial and parent names */
	uint32_t npartials;
};

/* A container that is open while compiling. */
struct open {
	uint32_t node; /* index, or NONE when nothing is emitted */
	uint8_t type;
	bool emit;            /* nodes for direct content are kept */
	bool arg_emit;        /* parent only: whether its arguments are kept */
	bool pair;            /* parent, block: the open tag is left-clear */
	size_t name, namelen; /* source span of the name, to match the close */
	size_t pos;           /* source offset of the open tag, for errors */
	uint32_t strip;       /* white space removed at each line start */
};

struct compiler {
	const char *src;
	size_t len;
	size_t text; /* start of text not yet flushed */
	char otag[MUSTACHE_MAX_DELIM + 1], ctag[MUSTACHE_MAX_DELIM + 1];
	size_t olen, clen;
	struct node *nodes;
	size_t nnodes, capnodes;
	char *pool;
	size_t poollen, poolcap;
	uint32_t *partials;
	size_t npartials, cappartials;
	uint32_t last_text; /* text node that the next text may extend */
	struct open stack[MUSTACHE_MAX_NESTING + 1];
	size_t depth;
	char *err;
	size_t errlen;
	int rc;
};

/* ---- compiling ---- */

static int
mustache_fail(struct compiler *c, size_t pos, const char *msg)
{
	size_t i, line = 1, col = 1;

	for (i = 0; i < pos && i < c->len; i++) {
		if (c->src[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	if (c->errlen > 0)
		snprintf(c->err, c->errlen, "%zu:%zu: %s", line, col, msg);
	c->rc = ZEK_INVALID;
	return c->rc;
}

static int
mustache_nomem(struct compiler *c)
{
	if (c->errlen > 0)
		c->err[0] = '\0';
	c->rc = ZEK_NOMEM;
	return c->rc;
}

static bool
is_blank(char ch)
{
	return ch == ' ' || ch == '\t';
}

static bool
is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
	    ch == '\f' || ch == '\v';
}

/* Appends bytes to the pool; returns their offset or NONE. */
static uint32_t
pool_add(struct compiler *c, const char *s, size_t n, bool nul)
{
	size_t need = c->poollen + n + (nul ? 1 : 0), cap;
	uint32_t off = (uint32_t)c->poollen;
	char *p;

	if (need >= NONE) {
		mustache_fail(c, c->len, "template too large");
		return NONE;
	}
	if (need > c->poolcap) {
		cap = c->poolcap ? c->poolcap : 256;
		while (cap < need)
			cap *= 2;
		p = realloc(c->pool, cap);
		if (p == NULL) {
			mustache_nomem(c);
			return NONE;
		}
		c->pool = p;
		c->poolcap = cap;
	}
	if (n > 0)
		memcpy(c->pool + c->poollen, s, n);
	c->poollen += n;
	if (nul)
		c->pool[c->poollen++] = '\0';
	return off;
}

/* Adds a node of `type` if the current container emits; returns its index,
 * or NONE (also on error, which c->rc tells apart). */
static uint32_t
node_add(struct compiler *c, uint8_t type)
{
	struct node *p;
	size_t cap;

	c->last_text = NONE;
	if (!c->stack[c->depth].emit)
		return NONE;
	if (c->nnodes == c->capnodes) {
		cap = c->capnodes ? c->capnodes * 2 : 32;
		if (cap >= NONE) {
			mustache_fail(c, c->len, "template too large");
			return NONE;
		}
		p = realloc(c->nodes, cap * sizeof(*p));
		if (p == NULL) {
			mustache_nomem(c);
			return NONE;
		}
		c->nodes = p;
		c->capnodes = cap;
	}
	p = &c->nodes[c->nnodes];
	memset(p, 0, sizeof(*p));
	p->type = type;
	p->end = (uint32_t)c->nnodes + 1;
	return (uint32_t)c->nnodes++;
}

static int
text_add(struct compiler *c, const char *s, size_t n)
{
	uint32_t off, i;

	if (n == 0)
		return 0;
	off = pool_add(c, s, n, false);
	if (off == NONE)
		return c->rc;
	if (c->last_text != NONE) {
		/* the previous text node ends where this text was appended */
		c->nodes[c->last_text].len += (uint32_t)n;
		return 0;
	}
	i = node_add(c, N_TEXT);
	if (i == NONE)
		return c->rc;
	c->nodes[i].str = off;
	c->nodes[i].len = (uint32_t)n;
	c->last_text = i;
	return 0;
}

/* Emits source text [from, to). Inside a re-indented argument block the
 * block's own indentation is taken off every line start. */
static int
text_flush(struct compiler *c, size_t from, size_t to)
{
	const struct open *top = &c->stack[c->depth];
	const char *nl;
	size_t e, k;
	bool bol;

	if (!top->emit || from >= to)
		return 0;
	if (top->strip == 0)
		return text_add(c, c->src + from, to - from);
	bol = from == 0 || c->src[from - 1] == '\n';
	while (from < to) {
		if (bol) {
			for (k = 0; k < top->strip && from < to &&
			     is_blank(c->src[from]);
			     k++)
				from++;
		}
		nl = memchr(c->src + from, '\n', to - from);
		e = nl != NULL ? (size_t)(nl - c->src) + 1 : to;
		if (text_add(c, c->src + from, e - from) != 0)
			return c->rc;
		from = e;
		bol = true;
	}
	return 0;
}

/* True when only blanks lie between the line start and the tag at t, and
 * no earlier tag sits on that line; *ws is where the blanks start. */
static bool
left_clear(const struct compiler *c, size_t t, size_t *ws)
{
	size_t p = t;

	while (p > c->text && is_blank(c->src[p - 1]))
		p--;
	*ws = p;
	return p == 0 || c->src[p - 1] == '\n';
}

/* True when only blanks and a line end (or the end) follow the tag ending
 * at e; *after is where the next line starts. */
static bool
right_clear(const struct compiler *c, size_t e, size_t *after)
{
	size_t q = e;

	while (q < c->len && is_blank(c->src[q]))
		q++;
	if (q == c->len) {
		*after = q;
		return true;
	}
	if (c->src[q] == '\n') {
		*after = q + 1;
		return true;
	}
	if (c->src[q] == '\r' && q + 1 < c->len && c->src[q + 1] == '\n') {
		*after = q + 2;
		return true;
	}
	return false;
}

/* Blanks starting at p, minus the strip already applied to this line: the
 * indentation relative to the enclosing argument block. Sets *off and *n. */
static void
indent_span(const struct compiler *c, size_t p, size_t end, size_t *off,
    size_t *n)
{
	size_t q = p, k;

	while (q < end && is_blank(c->src[q]))
		q++;
	k = c->stack[c->depth].strip;
	if (k > q - p)
		k = q - p;
	*off = p + k;
	*n = q - p - k;
}

static int
indent_set(struct compiler *c, uint32_t i, size_t off, size_t n)
{
	uint32_t at;

	if (i == NONE)
		return 0;
	at = pool_add(c, c->src + off, n, false);
	if (at == NONE)
		return c->rc;
	c->nodes[i].ind = at;
	c->nodes[i].indlen = (uint32_t)n;
	c->nodes[i].flags |= NF_INDENT;
	return 0;
}

/* Stores a lookup name: "." has no parts, "a.b" becomes "a\0b\0". */
static int
name_set(struct compiler *c, uint32_t i, size_t name, size_t n)
{
	const char *s = c->src + name;
	size_t k, start = 0, parts = 0;
	uint32_t off = NONE, o;

	if (i == NONE)
		return 0;
	if (n == 1 && s[0] == '.') {
		c->nodes[i].nparts = 0;
		return 0;
	}
	for (k = 0; k <= n; k++) {
		if (k < n && s[k] != '.')
			continue;
		if (k == start)
			return mustache_fail(c, name,
			    "empty part in dotted name");
		o = pool_add(c, s + start, k - start, true);
		if (o == NONE)
			return c->rc;
		if (off == NONE)
			off = o;
		if (++parts > 255)
			return mustache_fail(c, name,
			    "name has too many parts");
		start = k + 1;
	}
	c->nodes[i].str = off;
	c->nodes[i].nparts = (uint16_t)parts;
	return 0;
}

/* Stores a partial, parent or block name as one string. */
static int
name_set_whole(struct compiler *c, uint32_t i, size_t name, size_t n,
    bool partial)
{
	uint32_t off, *p;
	size_t cap;

	if (i == NONE)
		return 0;
	off = pool_add(c, c->src + name, n, true);
	if (off == NONE)
		return c->rc;
	c->nodes[i].str = off;
	if (!partial)
		return 0;
	if (c->npartials == c->cappartials) {
		cap = c->cappartials ? c->cappartials * 2 : 8;
		p = realloc(c->partials, cap * sizeof(*p));
		if (p == NULL)
			return mustache_nomem(c);
		c->partials = p;
		c->cappartials = cap;
	}
	c->partials[c->npartials++] = off;
	return 0;
}

static int
container_push(struct compiler *c, uint8_t type, uint32_t node, size_t name,
    size_t namelen, size_t pos)
{
	struct open *top = &c->stack[c->depth], *o;

	if (c->depth == MUSTACHE_MAX_NESTING)
		return mustache_fail(c, pos, "sections nested too deeply");
	o = &c->stack[++c->depth];
	memset(o, 0, sizeof(*o));
	o->node = node;
	o->type = type;
	o->emit = top->emit;
	o->strip = top->strip;
	o->name = name;
	o->namelen = namelen;
	o->pos = pos;
	c->last_text = NONE;
	return 0;
}

static void
container_pop(struct compiler *c)
{
	struct open *o = &c->stack[c->depth--];

	if (o->node != NONE)
		c->nodes[o->node].end = (uint32_t)c->nnodes;
	c->last_text = NONE;
}

/* {{=<% %>=}}: body is the text between the two equals signs. */
static int
delims_set(struct compiler *c, size_t body, size_t n, size_t pos)
{
	const char *s = c->src + body;
	size_t a = 0, alen, b, blen;

	while (a < n && is_space(s[a]))
		a++;
	alen = 0;
	while (a + alen < n && !is_space(s[a + alen]))
		alen++;
	b = a + alen;
	while (b < n && is_space(s[b]))
		b++;
	blen = 0;
	while (b + blen < n && !is_space(s[b + blen]))
		blen++;
	if (alen == 0 || blen == 0 || b + blen != n)
		return mustache_fail(c, pos,
		    "set delimiter needs two delimiters");
	if (alen > MUSTACHE_MAX_DELIM || blen > MUSTACHE_MAX_DELIM)
		return mustache_fail(c, pos, "delimiter too long");
	if (memchr(s + a, '=', alen) != NULL ||
	    memchr(s + b, '=', blen) != NULL)
		return mustache_fail(c, pos, "delimiter must not contain '='");
	memcpy(c->otag, s + a, alen);
	c->otag[alen] = '\0';
	c->olen = alen;
	memcpy(c->ctag, s + b, blen);
	c->ctag[blen] = '\0';
	c->clen = blen;
	return 0;
}

/* One tag that was read from the source. */
struct tag {
	size_t start, end;    /* whole tag including delimiters */
	char sigil;           /* 0 for a plain variable */
	size_t name, namelen; /* trimmed content */
};

/* Section, inverted, comment, delimiter and partial tags: standalone when
 * alone on their line, which then disappears. Returns whether it was. */
static bool
standalone_plain(struct compiler *c, const struct tag *g, size_t *ws)
{
	size_t after = 0;

	if (left_clear(c, g->start, ws) && right_clear(c, g->end, &after)) {
		if (text_flush(c, c->text, *ws) != 0)
			return false;
		c->text = after;
		return true;
	}
	text_flush(c, c->text, g->start);
	c->text = g->end;
	return false;
}

static int
tag_partial(struct compiler *c, const struct tag *g)
{
	size_t ws, off, n;
	uint32_t i;
	bool sa;

	sa = standalone_plain(c, g, &ws);
	if (c->rc != 0)
		return c->rc;
	i = node_add(c, N_PARTIAL);
	if (c->rc != 0 || name_set_whole(c, i, g->name, g->namelen, true) != 0)
		return c->rc;
	if (sa && i != NONE) {
		/* the spec: a standalone partial's indentation goes before
		 * each of its lines */
		indent_span(c, ws, g->start, &off, &n);
		c->nodes[i].flags |= NF_EOL;
		return indent_set(c, i, off, n);
	}
	return 0;
}

static int
tag_parent_open(struct compiler *c, const struct tag *g)
{
	struct open *top = &c->stack[c->depth];
	size_t ws, off, n;
	uint32_t i;
	bool lc;

	/* what follows the open tag is inside the parent and ignored, so only
	 * the left side decides whether it stands alone (spec PR #131) */
	lc = left_clear(c, g->start, &ws);
	if (text_flush(c, c->text, lc ? ws : g->start) != 0)
		return c->rc;
	c->text = g->end;
	i = node_add(c, N_PARENT);
	if (c->rc != 0 || name_set_whole(c, i, g->name, g->namelen, true) != 0)
		return c->rc;
	if (lc) {
		indent_span(c, ws, g->start, &off, &n);
		if (indent_set(c, i, off, n) != 0)
			return c->rc;
	}
	if (container_push(c, N_PARENT, i, g->name, g->namelen, g->start) != 0)
		return c->rc;
	top = &c->stack[c->depth];
	top->arg_emit = top->emit;
	top->emit = false;
	top->pair = lc;
	return 0;
}

static int
tag_block_open(struct compiler *c, const struct tag *g)
{
	struct open *top = &c->stack[c->depth];
	size_t ws, after = 0, off, n;
	uint32_t i, strip, at;
	bool in_parent = top->type == N_PARENT, lc, rc;

	if (in_parent) {
		/* an argument: a template of its own, so the left side does
		 * not matter; a line end after the tag belongs to the tag */
		rc = right_clear(c, g->end, &after);
		c->text = rc ? after : g->end;
		strip = top->strip;
		if (rc) {
			/* indentation of the first line is the block's own
			 * and is taken off all its lines */
			for (n = 0;
			     after + n < c->len && is_blank(c->src[after + n]);
			     n++)
				;
			if (n > strip)
				strip = (uint32_t)n;
		}
		if (container_push(c, N_ARG, NONE, g->name, g->namelen,
		        g->start) != 0)
			return c->rc;
		c->stack[c->depth].emit = top->arg_emit;
		c->stack[c->depth].strip = strip;
		/* the node goes first: its children follow it */
		i = node_add(c, N_ARG);
		c->stack[c->depth].node = i;
		return name_set_whole(c, i, g->name, g->namelen, false);
	}
	lc = left_clear(c, g->start, &ws);
	rc = right_clear(c, g->end, &after);
	if (text_flush(c, c->text, lc ? ws : g->start) != 0)
		return c->rc;
	c->text = lc && rc ? after : g->end;
	i = node_add(c, N_BLOCK);
	if (c->rc != 0 || name_set_whole(c, i, g->name, g->namelen, false) != 0)
		return c->rc;
	if (lc && rc) {
		/* standalone: an override is indented like the default */
		indent_span(c, after, c->len, &off, &n);
		if (indent_set(c, i, off, n) != 0)
			return c->rc;
	} else if (lc && i != NONE) {
		/* the blanks before the tag become the block's indentation if
		 * the closing tag ends its line; until then keep them aside */
		indent_span(c, ws, g->start, &off, &n);
		at = pool_add(c, c->src + off, n, false);
		if (at == NONE)
			return c->rc;
		c->nodes[i].lead = at;
		c->nodes[i].leadlen = (uint32_t)n;
	}
	if (container_push(c, N_BLOCK, i, g->name, g->namelen, g->start) != 0)
		return c->rc;
	c->stack[c->depth].pair = lc && !rc;
	return 0;
}

static int
tag_close(struct compiler *c, const struct tag *g)
{
	struct open *top = &c->stack[c->depth];
	struct node *nd;
	size_t ws, after = 0;
	bool lc, rc;

	if (c->depth == 0)
		return mustache_fail(c, g->start,
		    "closing tag without opening");
	if (top->namelen != g->namelen ||
	    memcmp(c->src + top->name, c->src + g->name, g->namelen) != 0)
		return mustache_fail(c, g->start,
		    "closing tag does not match the open section");
	switch (top->type) {
	case N_PARENT:
		/* the inside is ignored: the pair stands alone when the open
		 * tag starts its line and the close tag ends its line */
		rc = top->pair && right_clear(c, g->end, &after);
		c->text = rc ? after : g->end;
		if (rc && top->node != NONE)
			c->nodes[top->node].flags |= NF_EOL;
		break;
	case N_ARG:
		/* the end of an argument's template: its last line loses its
		 * indentation; what follows is inside the parent again */
		lc = left_clear(c, g->start, &ws);
		if (text_flush(c, c->text, lc ? ws : g->start) != 0)
			return c->rc;
		c->text = g->end;
		break;
	case N_BLOCK:
		lc = left_clear(c, g->start, &ws);
		rc = right_clear(c, g->end, &after);
		if (text_flush(c, c->text, lc && rc ? ws : g->start) != 0)
			return c->rc;
		c->text = lc && rc ? after : g->end;
		if (top->node == NONE)
			break;
		/* only now: flushing text may have moved the nodes */
		nd = &c->nodes[top->node];
		if (lc && rc)
			nd->flags |= NF_EOL;
		if (top->pair && rc) {
			/* open and close tags alone on a line together */
			nd->ind = nd->lead;
			nd->indlen = nd->leadlen;
			nd->flags |= NF_INDENT;
		}
		break;
	default:
		standalone_plain(c, g, &ws);
		if (c->rc != 0)
			return c->rc;
		break;
	}
	container_pop(c);
	return 0;
}

static bool
name_ok(const struct compiler *c, const struct tag *g)
{
	size_t k;

	if (g->namelen == 0)
		return false;
	for (k = 0; k < g->namelen; k++)
		if (is_space(c->src[g->name + k]))
			return false;
	return true;
}

static int
tag_do(struct compiler *c, const struct tag *g)
{
	size_t ws;
	uint32_t i;
	uint8_t type;

	if (g->sigil != '!' && g->sigil != '=' && !name_ok(c, g))
		return mustache_fail(c, g->start, "bad tag name");
	switch (g->sigil) {
	case '!':
		standalone_plain(c, g, &ws);
		return c->rc;
	case '=':
		standalone_plain(c, g, &ws);
		if (c->rc != 0)
			return c->rc;
		return delims_set(c, g->name, g->namelen, g->start);
	case '#':
	case '^':
		standalone_plain(c, g, &ws);
		type = g->sigil == '#' ? N_SECTION : N_INVERTED;
		i = c->rc == 0 ? node_add(c, type) : NONE;
		if (c->rc != 0 || name_set(c, i, g->name, g->namelen) != 0)
			return c->rc;
		return container_push(c, type, i, g->name, g->namelen,
		    g->start);
	case '/':
		return tag_close(c, g);
	case '>':
		return tag_partial(c, g);
	case '<':
		return tag_parent_open(c, g);
	case '$':
		return tag_block_open(c, g);
	default:
		if (text_flush(c, c->text, g->start) != 0)
			return c->rc;
		c->text = g->end;
		type = g->sigil == 0 ? N_VAR : N_RAW;
		i = node_add(c, type);
		if (c->rc != 0)
			return c->rc;
		return name_set(c, i, g->name, g->namelen);
	}
}

static const char *
find(const char *s, size_t n, const char *needle, size_t m)
{
	return memmem(s, n, needle, m);
}

/* Reads the tag at t (an opening delimiter). */
static int
tag_read(struct compiler *c, size_t t, struct tag *g)
{
	char close[MUSTACHE_MAX_DELIM + 2];
	size_t p = t + c->olen, clen, a, b;
	const char *e;

	memset(g, 0, sizeof(*g));
	g->start = t;
	if (p < c->len && strchr("!=#^/><$&{", c->src[p]) != NULL &&
	    c->src[p] != '\0') {
		g->sigil = c->src[p];
		p++;
	}
	clen = 0;
	if (g->sigil == '{' || g->sigil == '=')
		close[clen++] = g->sigil == '{' ? '}' : '=';
	memcpy(close + clen, c->ctag, c->clen);
	clen += c->clen;
	e = find(c->src + p, c->len - p, close, clen);
	if (e == NULL)
		return mustache_fail(c, t, "unclosed tag");
	b = (size_t)(e - c->src);
	g->end = b + clen;
	a = p;
	while (a < b && is_space(c->src[a]))
		a++;
	while (b > a && is_space(c->src[b - 1]))
		b--;
	g->name = a;
	g->namelen = b - a;
	return 0;
}

static int
mustache_parse(struct compiler *c)
{
	struct tag g;
	const char *o;
	size_t pos = 0;

	while (pos < c->len) {
		o = find(c->src + pos, c->len - pos, c->otag, c->olen);
		if (o == NULL)
			break;
		if (tag_read(c, (size_t)(o - c->src), &g) != 0)
			return c->rc;
		if (tag_do(c, &g) != 0 || c->rc != 0)
			return c->rc;
		pos = g.end > c->text ? g.end : c->text;
	}
	if (c->depth > 0)
		return mustache_fail(c, c->stack[c->depth].pos,
		    "section is not closed");
	return text_flush(c, c->text, c->len);
}

struct mustache *
mustache_compile(const char *src, size_t len, char *err, size_t errlen)
{
	struct compiler *c;
	struct mustache *t = NULL;

	if (errlen > 0)
		err[0] = '\0';
	c = calloc(1, sizeof(*c));
	if (c == NULL)
		return NULL;
	c->src = src;
	c->len = len;
	c->err = err;
	c->errlen = errlen;
	c->last_text = NONE;
	memcpy(c->otag, "{{", 3);
	memcpy(c->ctag, "}}", 3);
	c->olen = c->clen = 2;
	c->stack[0].emit = true;
	c->stack[0].node = NONE;
	if (len > MUSTACHE_MAX_SOURCE) {
		mustache_fail(c, 0, "template too large");
		goto out;
	}
	/* never a NULL pool, even for a template without text */
	if (pool_add(c, "", 0, true) == NONE)
		goto out;
	if (mustache_parse(c) != 0 || c->rc != 0)
		goto out;
	t = calloc(1, sizeof(*t));
	if (t == NULL) {
		mustache_nomem(c);
		goto out;
	}
	t->nodes = c->nodes;
	t->nnodes = (uint32_t)c->nnodes;
	t->pool = c->pool;
	t->partials = c->partials;
	t->npartials = (uint32_t)c->npartials;
	c->nodes = NULL;
	c->pool = NULL;
	c->partials = NULL;
out:
	free(c->nodes);
	free(c->pool);
	free(c->partials);
	free(c);
	return t;
}

void
mustache_free(struct mustache *t)
{
	if (t == NULL)
		return;
	free(t->nodes);
	free(t->pool);
	free(t->partials);
	free(t);
}

size_t
mustache_partial_count(const struct mustache *t)
{
	return t->npartials;
}

const char *
mustache_partial_name(const struct mustache *t, size_t i)
{
	return i < t->npartials ? t->pool + t->partials[i] : NULL;
}

/* ---- rendering ---- */

/* Block arguments of one parent tag, chained to those of enclosing
 * parents; the outermost argument for a name wins. */
struct overrides {
	const struct mustache *t;
	uint32_t parent;
	const struct overrides *up;
};

struct render {
	struct buf *out;
	mustache_partial_fn fn;
	void *ud;
	int rc;
	unsigned depth;      /* nested render_range calls */
	unsigned partials;   /* nested partial and parent expansions */
	unsigned long steps; /* nodes and list items visited so far */
	bool bol;            /* next output starts a template line */
	size_t nctx;
	size_t indlen;
	json_t *ctx[MUSTACHE_MAX_DEPTH + 1];
	char ind[MUSTACHE_MAX_INDENT];
};

static void render_range(struct render *r, const struct mustache *t,
    uint32_t from, uint32_t to, const struct overrides *ov);

static void
emit_indent(struct render *r)
{
	if (r->bol) {
		buf_append(r->out, r->ind, r->indlen);
		r->bol = false;
	}
}

/* Template text: inside an indented partial, each line gets the indent. */
static void
emit_text(struct render *r, const char *s, size_t n)
{
	const char *nl;
	size_t k;

	if (r->indlen == 0) {
		buf_append(r->out, s, n);
		return;
	}
	while (n > 0) {
		emit_indent(r);
		nl = memchr(s, '\n', n);
		k = nl != NULL ? (size_t)(nl - s) + 1 : n;
		buf_append(r->out, s, k);
		if (nl != NULL)
			r->bol = true;
		s += k;
		n -= k;
	}
}

/* Shortest digits that read back as the same double, written without an
 * exponent for everyday magnitudes: 1.21, 100, 0.001. */
static size_t
format_real(char *b, size_t n, double d)
{
	int prec, len = 0, exp;
	const char *e;
	size_t i;

	for (prec = 1; prec <= 17; prec++) {
		len = snprintf(b, n, "%.*e", prec - 1, d);
		if (len < 0 || (size_t)len >= n)
			return 0;
		if (strtod(b, NULL) == d)
			break;
	}
	e = strchr(b, 'e');
	exp = e != NULL ? (int)strtol(e + 1, NULL, 10) : 0;
	if (exp > -5 && exp < 17) {
		len = snprintf(b, n, "%.*f",
		    prec - 1 - exp > 0 ? prec - 1 - exp : 0, d);
		if (len < 0 || (size_t)len >= n)
			return 0;
	}
	/* the locale may use another decimal mark; JSON and the spec use '.' */
	for (i = 0; i < (size_t)len; i++)
		if (strchr("0123456789-+e", b[i]) == NULL)
			b[i] = '.';
	return (size_t)len;
}

/* Interpolation. Values in data are never re-parsed as template. */
static void
emit_value(struct render *r, const json_t *v, bool escape)
{
	char num[64];
	const char *s;
	size_t n;

	if (v == NULL)
		return;
	switch (json_typeof(v)) {
	case JSON_STRING:
		s = json_string_value(v);
		n = json_string_length(v);
		break;
	case JSON_INTEGER:
		n = (size_t)snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
		    json_integer_value(v));
		s = num;
		break;
	case JSON_REAL:
		n = format_real(num, sizeof(num), json_real_value(v));
		s = num;
		break;
	case JSON_TRUE:
		s = "true";
		n = 4;
		break;
	case JSON_FALSE:
		s = "false";
		n = 5;
		break;
	default:
		/* null, objects and arrays print nothing */
		return;
	}
	if (n == 0)
		return;
	if (r->indlen > 0)
		emit_indent(r);
	if (escape)
		html_escape_text(r->out, s, n);
	else
		buf_append(r->out, s, n);
}

/* The spec's name resolution: the first part is looked up from the top
 * of the context stack down, the others only in the value found. */
static json_t *
lookup(const struct render *r, const char *name, unsigned nparts)
{
	json_t *v = NULL;
	size_t i;
	unsigned k;

	if (nparts == 0)
		return r->ctx[r->nctx - 1];
	for (i = r->nctx; i-- > 0;) {
		if (json_is_object(r->ctx[i]) &&
		    (v = json_object_get(r->ctx[i], name)) != NULL)
			break;
	}
	for (k = 1; k < nparts && v != NULL; k++) {
		name += strlen(name) + 1;
		v = json_is_object(v) ? json_object_get(v, name) : NULL;
	}
	return v;
}

/* Falsey: missing, null, false, "" and []. Numbers are always truthy. */
static bool
truthy(const json_t *v)
{
	if (v == NULL)
		return false;
	switch (json_typeof(v)) {
	case JSON_NULL:
	case JSON_FALSE:
		return false;
	case JSON_ARRAY:
		return json_array_size(v) > 0;
	case JSON_STRING:
		return json_string_length(v) > 0;
	default:
		return true;
	}
}

static void
render_children(struct render *r, const struct mustache *t, uint32_t i,
    const struct overrides *ov)
{
	if (r->depth >= MUSTACHE_MAX_DEPTH) {
		r->rc = ZEK_TOOBIG;
		return;
	}
	r->depth++;
	render_range(r, t, i + 1, t->nodes[i].end, ov);
	r->depth--;
}

static void
render_section(struct render *r, const struct mustache *t, uint32_t i,
    const struct overrides *ov)
{
	const struct node *n = &t->nodes[i];
	json_t *v = lookup(r, t->pool + n->str, n->nparts);
	size_t k;

	if (!truthy(v))
		return;
	if (r->depth >= MUSTACHE_MAX_DEPTH) {
		/* keeps the context stack within r->ctx */
		r->rc = ZEK_TOOBIG;
		return;
	}
	if (!json_is_array(v)) {
		r->ctx[r->nctx++] = v;
		render_children(r, t, i, ov);
		r->nctx--;
		return;
	}
	for (k = 0; k < json_array_size(v) && r->rc == 0 && !r->out->failed;
	     k++) {
		/* an empty body visits no node: count the items themselves */
		if (++r->steps > MUSTACHE_MAX_STEPS) {
			r->rc = ZEK_TOOBIG;
			return;
		}
		r->ctx[r->nctx++] = json_array_get(v, k);
		render_children(r, t, i, ov);
		r->nctx--;
	}
}

static bool
indent_push(struct render *r, const struct mustache *t, const struct node *n)
{
	if (!(n->flags & NF_INDENT))
		return true;
	if (n->indlen > sizeof(r->ind) - r->indlen) {
		r->rc = ZEK_TOOBIG;
		return false;
	}
	memcpy(r->ind + r->indlen, t->pool + n->ind, n->indlen);
	r->indlen += n->indlen;
	r->bol = true;
	return true;
}

/* {{>name}} and {{<name}}: the other template renders in place, against
 * the same context stack; a parent adds its arguments to the overrides. */
static void
render_partial(struct render *r, const struct mustache *t, uint32_t i,
    const struct overrides *ov)
{
	const struct node *n = &t->nodes[i];
	const struct mustache *p;
	struct overrides o;
	size_t saved = r->indlen;

	p = r->fn != NULL ? r->fn(r->ud, t->pool + n->str) : NULL;
	if (p == NULL)
		return;
	if (r->partials >= MUSTACHE_MAX_PARTIALS ||
	    r->depth >= MUSTACHE_MAX_DEPTH) {
		r->rc = ZEK_TOOBIG;
		return;
	}
	if (n->type == N_PARENT) {
		o.t = t;
		o.parent = i;
		o.up = ov;
		ov = &o;
	}
	if (!indent_push(r, t, n))
		return;
	r->partials++;
	r->depth++;
	render_range(r, p, 0, p->nnodes, ov);
	r->depth--;
	r->partials--;
	r->indlen = saved;
	if (n->flags & NF_EOL)
		r->bol = true;
}

/* {{$name}}: the outermost argument for the name, else the default. */
static void
render_block(struct render *r, const struct mustache *t, uint32_t i,
    const struct overrides *ov)
{
	const struct node *n = &t->nodes[i], *pn;
	const char *name = t->pool + n->str;
	const struct mustache *at = NULL;
	const struct overrides *o;
	uint32_t an = 0, j;
	size_t saved = r->indlen;

	for (o = ov; o != NULL; o = o->up) {
		pn = &o->t->nodes[o->parent];
		for (j = o->parent + 1; j < pn->end; j = o->t->nodes[j].end) {
			if (strcmp(o->t->pool + o->t->nodes[j].str, name) ==
			    0) {
				at = o->t;
				an = j;
			}
		}
	}
	if (at == NULL || !(n->flags & NF_INDENT)) {
		emit_text(r, t->pool + n->lead, n->leadlen);
		if (at == NULL)
			render_children(r, t, i, ov);
		else
			render_children(r, at, an, ov);
		return;
	}
	if (!indent_push(r, t, n))
		return;
	render_children(r, at, an, ov);
	r->indlen = saved;
	if (n->flags & NF_EOL)
		r->bol = true;
}

static void
render_range(struct render *r, const struct mustache *t, uint32_t from,
    uint32_t to, const struct overrides *ov)
{
	const struct node *n;
	uint32_t i = from;

	while (i < to && r->rc == 0 && !r->out->failed) {
		if (++r->steps > MUSTACHE_MAX_STEPS) {
			r->rc = ZEK_TOOBIG;
			return;
		}
		n = &t->nodes[i];
		switch (n->type) {
		case N_TEXT:
			emit_text(r, t->pool + n->str, n->len);
			break;
		case N_VAR:
		case N_RAW:
			emit_value(r, lookup(r, t->pool + n->str, n->nparts),
			    n->type == N_VAR);
			break;
		case N_SECTION:
			render_section(r, t, i, ov);
			break;
		case N_INVERTED:
			if (!truthy(lookup(r, t->pool + n->str, n->nparts)))
				render_children(r, t, i, ov);
			break;
		case N_PARTIAL:
		case N_PARENT:
			render_partial(r, t, i, ov);
			break;
		case N_BLOCK:
			render_block(r, t, i, ov);
			break;
		default:
			/* N_ARG only renders through render_block */
			break;
		}
		i = n->end;
	}
}

int
mustache_render(const struct mustache *t, json_t *ctx, mustache_partial_fn fn,
    void *ud, struct buf *out)
{
	struct render rs, *r = &rs;

	if (out->failed)
		return out->failed;
	r->out = out;
	r->fn = fn;
	r->ud = ud;
	r->rc = 0;
	r->depth = 0;
	r->partials = 0;
	r->steps = 0;
	r->bol = true;
	r->indlen = 0;
	r->nctx = 1;
	r->ctx[0] = ctx;
	render_range(r, t, 0, t->nnodes, NULL);
	return r->rc != 0 ? r->rc : out->failed;
}
