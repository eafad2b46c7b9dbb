/* form.h: parsers for urlencoded bodies, query strings, multipart bodies and cookies. */
#ifndef ZEK_FORM_H
#define ZEK_FORM_H

#include <stdbool.h>
#include <stddef.h>

struct arena;
struct buf;

/* Longest file name kept from a multipart part, in bytes (after the path
 * is stripped): 255 code points of any script. Longer ones make the parse
 * fail with ZEK_TOOBIG; the store shortens names to 255 code points. */
#define FORM_MAX_FILENAME 1020

/* One name/value pair, or one uploaded file. Everything lives in the
 * arena given to the parser, except file contents (see below). */
struct form_field {
	const char *name; /* valid UTF-8, no control characters, not empty */
	/* len bytes; NUL-terminated except file contents; NULL when too_big;
	 * a non-file value holds no NUL (each sent NUL is 0xFF, invalid UTF-8) */
	const char *value;
	size_t len; /* real size, also when too_big */
	/* NULL for non-file parts; path stripped, may be "" */
	const char *filename;
	const char *content_type; /* the part's Content-Type as sent, or NULL */
	/* a file over max_file: value is NULL, the rest is kept */
	bool too_big;
};

struct form {
	struct form_field *fields; /* in the order they were sent */
	size_t count;
};

/* Every limit applies; 0 means "none allowed", not "no limit". */
struct form_limits {
	size_t max_fields; /* fields and files together */
	size_t max_name;   /* bytes in a field name */
	size_t max_value;  /* bytes in a non-file value, after decoding */
	/* bytes in one file; bigger ones are kept as too_big */
	size_t max_file;
	size_t max_files; /* file parts in one body */
};

/* Fills in the defaults: 200 fields, 128-byte names, 64 KiB values,
 * 10 MiB files, 10 files. Callers override them from struct config. */
void form_limits_default(struct form_limits *lim);

/* Parses an application/x-www-form-urlencoded body or a query string
 * (without the '?'): '&'-separated pairs, '+' is a space, %XX escapes.
 * Empty pairs are skipped; a pair without '=' has the value "".
 * Returns ZEK_OK, ZEK_INVALID (malformed escape, bad or empty name),
 * ZEK_TOOBIG (a limit; *bad_field is set to the field's name when one
 * value was too long, else NULL) or ZEK_NOMEM. bad_field may be NULL. */
int form_parse_urlencoded(struct arena *a, const char *body, size_t len,
    const struct form_limits *lim, struct form *out, const char **bad_field);

/* Parses a multipart/form-data body (RFC 7578) held in memory whole.
 * content_type is the request's Content-Type header value; its boundary
 * parameter may be quoted. Line breaks must be CRLF. Quoted parameter
 * values end at the next '"' (browsers send a '"' in a name as %22, and
 * a backslash is kept as is so that "C:\x\y.png" keeps its separators).
 * `filename*` is ignored. File names lose any path (both / and \); a
 * file input left empty (filename "" once the path is stripped, and no
 * content) is dropped.
 * Non-file values are copied into the arena and NUL-terminated. File
 * contents are NOT copied: value points into `body`, which must outlive
 * the form, and is not NUL-terminated. A file over max_file does not fail
 * the parse: it is kept with too_big set, value NULL and len its size.
 * Returns ZEK_OK, ZEK_INVALID (not multipart, no boundary, no final
 * boundary, truncated, bad part headers, control characters or invalid
 * UTF-8 in a name or file name), ZEK_TOOBIG (*bad_field set to the field
 * name for a value over max_value, a file name over FORM_MAX_FILENAME or
 * one file too many; NULL for too many fields or a name too long) or
 * ZEK_NOMEM. bad_field may be NULL. */
int form_parse_multipart(struct arena *a, const char *content_type,
    const char *body, size_t len, const struct form_limits *lim,
    struct form *out, const char **bad_field);

/* Whether a Content-Type value (may be NULL) is the media type `type`
 * ("application/json"): compared without regard to case, as RFC 9110 8.3.1
 * says, and followed by nothing, white space or ';' (parameters such as
 * "; Charset=UTF-8" are the caller's to read). */
bool form_media_type_is(const char *content_type, const char *type);

/* Parses a Cookie header ("a=b; c=d"). A value in double quotes loses
 * them; nothing is percent-decoded. Pairs without '=', with bad names or
 * over the name/value limits are skipped, and pairs after max_fields are
 * ignored, because other sites on the same host may set cookies we must
 * not choke on. header may be NULL. Returns ZEK_OK or ZEK_NOMEM. */
int form_parse_cookies(struct arena *a, const char *header,
    const struct form_limits *lim, struct form *out);

/* The first field called name, or NULL. */
const struct form_field *form_find(const struct form *f, const char *name);

/* The value of the first field called name, or NULL when there is none
 * (or when it is a file that was too big). */
const char *form_get(const struct form *f, const char *name);

/* Values of one name a form may carry. The server answers 413 to a body
 * with more (form_name_over), and form_get_all never gives more. The
 * most a page sends: a full queue page's ticked rows (core/bulk.h). */
#define FORM_MAX_VALUES 100

/* Stores the fields called name into out, in the order they were sent,
 * and returns how many it stored: never more than FORM_MAX_VALUES, the
 * size of out (later ones are left out; form_name_over finds such forms).
 * The caller reads out[0..return value) and nothing else. */
size_t form_get_all(const struct form *f, const char *name,
    const struct form_field *out[static FORM_MAX_VALUES]);

/* The name of the first field sent more than max times, or NULL. */
const char *form_name_over(const struct form *f, size_t max);

/* Appends s[0..len) encoded as a urlencoded name or value: letters, digits
 * and "*-._" stay, a space becomes '+', every other byte %XX. Returns 0 or
 * the buf error (ZEK_TOOBIG, ZEK_NOMEM). */
int form_urlencode_component(const char *s, size_t len, struct buf *out);

/* Appends the whole form as "name=value&..." (fields without a value, i.e.
 * too big files, are left out). Parsing the result gives the same fields.
 * Returns 0 or the buf error. */
int form_urlencode(const struct form *f, struct buf *out);

#endif
