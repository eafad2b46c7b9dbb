/* markdown.h: user Markdown to safe HTML (cmark-gfm, raw HTML shown as text). */
#ifndef ZEK_MARKDOWN_H
#define ZEK_MARKDOWN_H

#include <stddef.h>

struct arena;
struct buf;

/* Longest input accepted, in bytes. cmark-gfm 0.29.0.gfm.6 has inputs that
 * take quadratic time; this bound keeps the worst case well under a second.
 * Validate Markdown fields against it before storing them. */
#define MARKDOWN_MAX_INPUT (64 * 1024)

/* Renders md[0..len) as GitHub-flavoured Markdown (tables, strikethrough,
 * autolinks, task lists) and appends the HTML to out. Safe for {{{ }}}:
 * raw HTML in the input comes out escaped as text (block HTML as a code
 * block), links and images with unsafe schemes (javascript:, vbscript:,
 * file:, data: other than images) get an empty href/src, invalid UTF-8
 * becomes U+FFFD, and single line breaks are kept (<br />) because people
 * type into a plain text area.
 * Thread-safe (serialised internally; see markdown.c); documents rendered
 * before come from a process-wide cache of at most 4 MiB. cmark-gfm itself
 * aborts when malloc fails; the input bound keeps its use small.
 * Returns ZEK_OK, ZEK_TOOBIG (input over MARKDOWN_MAX_INPUT or out's
 * maximum reached) or ZEK_NOMEM. On error out may hold partial output. */
int markdown_to_html(const char *md, size_t len, struct buf *out);

/* Rendered HTML of one value at most (a field, a comment, an
 * announcement) when it goes into a page or an API body. */
#define MARKDOWN_HTML_MAX (1u << 20)

/* markdown_to_html of the string md, as a string in arena a; NULL when
 * it cannot be rendered (input too long, HTML over MARKDOWN_HTML_MAX) or
 * memory runs out. */
const char *markdown_to_arena(struct arena *a, const char *md);

/* As markdown_to_html, for the HTML part of an e-mail: an image whose
 * address is not under local_base (zek's base_url, e.g.
 * "https://zek.example"; NULL or "" = none is) becomes a link to that
 * address with the image's description as its text, so that opening the
 * mail loads nothing from elsewhere (no read-tracking pixel). Not cached. */
int markdown_to_mail_html(const char *md, size_t len, const char *local_base,
    struct buf *out);

#endif
