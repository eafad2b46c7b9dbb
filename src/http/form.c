/* form.c: urlencoded, multipart/form-data and Cookie parsing into an arena. */
#include "http/form.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "lib/zek.h"

#define FORM_MAX_BOUNDARY 70       /* RFC 2046 */
#define FORM_MAX_PART_HEADERS 8192 /* bytes of headers in one part */
#define FORM_MAX_PART_TYPE 255     /* bytes of a part's Content-Type */

void
form_limits_default(struct form_limits *lim)
{
	lim->max_fields = 200;
	lim->max_name = 128;
	lim->max_value = 64 * 1024;
	lim->max_file = 10 * 1024 * 1024;
	lim->max_files = 10;
}

/* Field names end up in logs, error pages and lookups: UTF-8, no controls. */
static bool
name_ok(const char *s, size_t n)
{
	return n > 0 && memchr(s, '\t', n) == NULL &&
	    utf8_clean_text(s, n, false);
}

/* Appends an empty field to f, growing the array inside the arena. */
static int
form_push(struct arena *a, struct form *f, size_t *cap,
    const struct form_limits *lim, struct form_field **slot)
{
	struct form_field *p;
	size_t ncap;

	if (f->count >= lim->max_fields)
		return ZEK_TOOBIG;
	if (f->count == *cap) {
		ncap = *cap != 0 ? *cap * 2 : 8;
		if (ncap > lim->max_fields)
			ncap = lim->max_fields;
		if (ncap > SIZE_MAX / sizeof(*p))
			return ZEK_NOMEM;
		p = arena_realloc(a, f->fields, *cap * sizeof(*p),
		    ncap * sizeof(*p));
		if (p == NULL)
			return ZEK_NOMEM;
		f->fields = p;
		*cap = ncap;
	}
	*slot = &f->fields[f->count++];
	memset(*slot, 0, sizeof(**slot));
	return ZEK_OK;
}

/* Length of s[0..n) once decoded, or SIZE_MAX when an escape is malformed. */
static size_t
url_decoded_len(const char *s, size_t n)
{
	size_t i, out = 0;

	for (i = 0; i < n; i++, out++) {
		if (s[i] != '%')
			continue;
		if (n - i < 3 || str_hexval(s[i + 1]) < 0 ||
		    str_hexval(s[i + 2]) < 0)
			return SIZE_MAX;
		i += 2;
	}
	return out;
}

/* Decodes a urlencoded component whose escapes were checked already. */
static char *
url_decode(struct arena *a, const char *s, size_t n, size_t dlen)
{
	char *d = arena_alloc(a, dlen + 1);
	size_t i, k = 0;

	if (d == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		if (s[i] == '+') {
			d[k++] = ' ';
		} else if (s[i] == '%') {
			d[k++] = (char)(str_hexval(s[i + 1]) * 16 +
			    str_hexval(s[i + 2]));
			i += 2;
		} else {
			d[k++] = s[i];
		}
	}
	d[k] = '\0';
	return d;
}

/* Values are C strings to every caller, so a NUL inside one would cut it
 * short silently ("VISIBLE%00TAIL" read as "VISIBLE"). Each NUL becomes a
 * byte that is never valid UTF-8, so that the value stays whole and every
 * field's check refuses it as unreadable, like a control character (422
 * beside the field), and strict values (checkboxes, choices, ids, tokens)
 * no longer match. */
#define NUL_STANDIN '\xff'

static void
seal_nuls(char *v, size_t n)
{
	char *p;

	while ((p = memchr(v, '\0', n)) != NULL) {
		*p = NUL_STANDIN;
		n -= (size_t)(p - v) + 1;
		v = p + 1;
	}
}

/* Decodes one "name=value" pair into a new field. */
static int
urlencoded_pair(struct arena *a, const char *pair, size_t plen,
    const struct form_limits *lim, struct form *f, size_t *cap,
    const char **bad_field)
{
	const char *eq = memchr(pair, '=', plen);
	const char *raw_value = eq != NULL ? eq + 1 : pair + plen;
	size_t nraw = eq != NULL ? (size_t)(eq - pair) : plen;
	size_t vraw = (size_t)(pair + plen - raw_value);
	size_t nlen, vlen;
	struct form_field *fld;
	char *name, *value;
	int rc;

	nlen = url_decoded_len(pair, nraw);
	vlen = url_decoded_len(raw_value, vraw);
	if (nlen == SIZE_MAX || vlen == SIZE_MAX)
		return ZEK_INVALID;
	if (nlen > lim->max_name)
		return ZEK_TOOBIG;
	if ((name = url_decode(a, pair, nraw, nlen)) == NULL)
		return ZEK_NOMEM;
	if (!name_ok(name, nlen))
		return ZEK_INVALID;
	if (vlen > lim->max_value) {
		*bad_field = name;
		return ZEK_TOOBIG;
	}
	if ((rc = form_push(a, f, cap, lim, &fld)) != ZEK_OK)
		return rc;
	fld->name = name;
	fld->len = vlen;
	if ((value = url_decode(a, raw_value, vraw, vlen)) == NULL)
		return ZEK_NOMEM;
	seal_nuls(value, vlen);
	fld->value = value;
	return ZEK_OK;
}

int
form_parse_urlencoded(struct arena *a, const char *body, size_t len,
    const struct form_limits *lim, struct form *out, const char **bad_field)
{
	const char *dummy, *amp;
	size_t pos, end, cap = 0;
	int rc = ZEK_OK;

	if (bad_field == NULL)
		bad_field = &dummy;
	*bad_field = NULL;
	memset(out, 0, sizeof(*out));
	for (pos = 0; pos < len; pos = end + 1) {
		amp = memchr(body + pos, '&', len - pos);
		end = amp != NULL ? (size_t)(amp - body) : len;
		if (end == pos)
			continue; /* "a=1&&b=2" */
		rc = urlencoded_pair(a, body + pos, end - pos, lim, out, &cap,
		    bad_field);
		if (rc != ZEK_OK)
			goto out;
	}
out:
	return rc;
}

/* ---- multipart ---- */

/* A "key=value" parameter of a header value; value is not unquoted in place. */
struct param {
	const char *key;
	size_t klen;
	const char *val;
	size_t vlen;
};

static bool
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

static bool
is_token_char(char c)
{
	return (unsigned char)c > 0x20 && (unsigned char)c < 0x7f && c != ';' &&
	    c != '=' && c != '"' && c != ',';
}

static const char *
skip_ows(const char *s, const char *end)
{
	while (s < end && is_ows(*s))
		s++;
	return s;
}

/* Reads the next "; key=value" from *p. Returns 1 with a parameter, 0 at
 * the end, -1 when malformed. A quoted value runs to the next '"'. */
static int
next_param(const char **p, const char *end, struct param *out)
{
	const char *s = skip_ows(*p, end), *q;

	if (s == end)
		return 0;
	if (*s != ';')
		return -1;
	s = skip_ows(s + 1, end);
	if (s == end)
		return 0; /* a trailing ';' is harmless */
	out->key = s;
	while (s < end && is_token_char(*s))
		s++;
	out->klen = (size_t)(s - out->key);
	s = skip_ows(s, end);
	if (out->klen == 0 || s == end || *s != '=')
		return -1;
	s = skip_ows(s + 1, end);
	if (s < end && *s == '"') {
		q = memchr(s + 1, '"', (size_t)(end - s - 1));
		if (q == NULL)
			return -1;
		out->val = s + 1;
		out->vlen = (size_t)(q - s - 1);
		s = q + 1;
	} else {
		out->val = s;
		while (s < end && is_token_char(*s))
			s++;
		out->vlen = (size_t)(s - out->val);
		if (out->vlen == 0)
			return -1;
	}
	*p = s;
	return 1;
}

static bool
key_is(const struct param *pm, const char *key)
{
	return pm->klen == strlen(key) &&
	    strncasecmp(pm->key, key, pm->klen) == 0;
}

/* Checks the leading media type of a header value; *rest points after it. */
static bool
media_type_is(const char *s, const char *end, const char *type,
    const char **rest)
{
	size_t n = strlen(type);

	s = skip_ows(s, end);
	if ((size_t)(end - s) < n || strncasecmp(s, type, n) != 0)
		return false;
	s += n;
	if (s < end && !is_ows(*s) && *s != ';')
		return false;
	*rest = s;
	return true;
}

bool
form_media_type_is(const char *content_type, const char *type)
{
	const char *rest;

	return content_type != NULL &&
	    media_type_is(content_type, content_type + strlen(content_type),
	        type, &rest);
}

static bool
boundary_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') ||
	    (c != '\0' && strchr("'()+_,-./:=? ", c) != NULL);
}

/* Extracts the boundary from a Content-Type value into bnd (71 bytes). */
static int
multipart_boundary(const char *ct, char *bnd, size_t *blen)
{
	const char *end = ct + strlen(ct), *p;
	struct param pm;
	size_t i;
	int r, found = 0;

	if (!media_type_is(ct, end, "multipart/form-data", &p))
		return ZEK_INVALID;
	while ((r = next_param(&p, end, &pm)) == 1) {
		if (!key_is(&pm, "boundary"))
			continue;
		if (found++ || pm.vlen == 0 || pm.vlen > FORM_MAX_BOUNDARY ||
		    pm.val[pm.vlen - 1] == ' ')
			return ZEK_INVALID;
		for (i = 0; i < pm.vlen; i++)
			if (!boundary_char(pm.val[i]))
				return ZEK_INVALID;
		memcpy(bnd, pm.val, pm.vlen);
		*blen = pm.vlen;
	}
	return r == 0 && found ? ZEK_OK : ZEK_INVALID;
}

/* What the headers of one part said. */
struct part {
	const char *name;
	size_t name_len;
	const char *filename; /* raw, with any path; NULL when absent */
	size_t filename_len;
	const char *type;
	size_t type_len;
	bool has_disposition;
	bool has_type;
};

static int
parse_disposition(const char *s, const char *end, struct part *pt)
{
	struct param pm;
	const char *p;
	int r;

	if (pt->has_disposition || !media_type_is(s, end, "form-data", &p))
		return ZEK_INVALID;
	pt->has_disposition = true;
	while ((r = next_param(&p, end, &pm)) == 1) {
		if (key_is(&pm, "name")) {
			if (pt->name != NULL)
				return ZEK_INVALID;
			pt->name = pm.val;
			pt->name_len = pm.vlen;
		} else if (key_is(&pm, "filename")) {
			/* Two names would let two parsers disagree: refuse. */
			if (pt->filename != NULL)
				return ZEK_INVALID;
			pt->filename = pm.val;
			pt->filename_len = pm.vlen;
		}
		/* filename* and unknown parameters are ignored (RFC 7578 4.2). */
	}
	return r == 0 && pt->name != NULL ? ZEK_OK : ZEK_INVALID;
}

static int
parse_header_line(const char *s, const char *end, struct part *pt)
{
	const char *colon = memchr(s, ':', (size_t)(end - s));
	const char *v, *vend = end;
	size_t i, hlen;

	/* No obsolete line folding, no space before the colon (RFC 9112 5.1). */
	if (colon == NULL || colon == s || is_ows(*s) || is_ows(colon[-1]))
		return ZEK_INVALID;
	hlen = (size_t)(colon - s);
	v = skip_ows(colon + 1, end);
	while (vend > v && is_ows(vend[-1]))
		vend--;
	for (i = 0; v + i < vend; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return ZEK_INVALID;
	if (hlen == 19 && strncasecmp(s, "content-disposition", hlen) == 0)
		return parse_disposition(v, vend, pt);
	if (hlen == 12 && strncasecmp(s, "content-type", hlen) == 0) {
		if (pt->has_type || (size_t)(vend - v) > FORM_MAX_PART_TYPE)
			return ZEK_INVALID;
		pt->has_type = true;
		pt->type = v;
		pt->type_len = (size_t)(vend - v);
	}
	return ZEK_OK;
}

/* Reads the part headers at *pos up to and including the empty line. */
static int
parse_part_headers(const char *body, size_t len, size_t *pos, struct part *pt)
{
	size_t start = *pos, p = *pos;
	const char *eol;
	int rc;

	memset(pt, 0, sizeof(*pt));
	for (;;) {
		eol = memmem(body + p, len - p, "\r\n", 2);
		if (eol == NULL)
			return ZEK_INVALID; /* truncated */
		if ((size_t)(eol - body) - start > FORM_MAX_PART_HEADERS)
			return ZEK_INVALID;
		if (eol == body + p)
			break;
		if ((rc = parse_header_line(body + p, eol, pt)) != ZEK_OK)
			return rc;
		p = (size_t)(eol - body) + 2;
	}
	*pos = p + 2;
	return pt->has_disposition ? ZEK_OK : ZEK_INVALID;
}

/* True when the delimiter ending at q is a real one: followed by optional
 * transport padding and CRLF, or by "--", padding and CRLF or the end of
 * the body (RFC 2046 5.1.1). "--boundary-- text" in a value is data: taken
 * for the end, it would cut the value and drop the parts after it. */
static bool
delimiter_ends(const char *body, size_t len, size_t q)
{
	bool close = len - q >= 2 && body[q] == '-' && body[q + 1] == '-';

	if (close)
		q += 2;
	while (q < len && is_ows(body[q]))
		q++;
	if (close && q == len)
		return true;
	return len - q >= 2 && body[q] == '\r' && body[q + 1] == '\n';
}

/* Finds the next delimiter at or after pos; returns its offset or SIZE_MAX. */
static size_t
find_delimiter(const char *body, size_t len, size_t pos, const char *delim,
    size_t dlen)
{
	const char *hit;

	while (pos < len) {
		hit = memmem(body + pos, len - pos, delim, dlen);
		if (hit == NULL)
			break;
		pos = (size_t)(hit - body);
		if (delimiter_ends(body, len, pos + dlen))
			return pos;
		pos++;
	}
	return SIZE_MAX;
}

/* The file name without any directory part, Unix or Windows style. */
static void
strip_path(const char **fn, size_t *n)
{
	size_t i;

	for (i = *n; i > 0; i--) {
		if ((*fn)[i - 1] == '/' || (*fn)[i - 1] == '\\') {
			*fn += i;
			*n -= i;
			break;
		}
	}
	if ((*n == 1 && (*fn)[0] == '.') ||
	    (*n == 2 && memcmp(*fn, "..", 2) == 0))
		*n = 0;
}

struct mp_state {
	struct arena *a;
	const struct form_limits *lim;
	struct form *f;
	size_t cap;
	size_t files;
	const char **bad_field;
};

/* Turns one parsed part with its content into a field. */
static int
multipart_add(struct mp_state *st, const struct part *pt, const char *content,
    size_t clen)
{
	struct form_field *fld;
	const char *fn = pt->filename;
	size_t fnlen = pt->filename_len;
	char *name, *value;
	int rc;

	if (pt->name_len > st->lim->max_name)
		return ZEK_TOOBIG;
	if (!name_ok(pt->name, pt->name_len))
		return ZEK_INVALID;
	if (fn != NULL) {
		if (fnlen > 0 &&
		    (memchr(fn, '\t', fnlen) != NULL ||
		        !utf8_clean_text(fn, fnlen, false)))
			return ZEK_INVALID;
		strip_path(&fn, &fnlen);
		/* An untouched <input type=file> still sends a part (filename
		 * "", no content): it means no file. A name that is all path
		 * ("..", "C:\x\") and no content is the same once stripped. */
		if (fnlen == 0 && clen == 0)
			return ZEK_OK;
	}
	if ((name = arena_strndup(st->a, pt->name, pt->name_len)) == NULL)
		return ZEK_NOMEM;
	if (fn != NULL) {
		if (fnlen > FORM_MAX_FILENAME ||
		    ++st->files > st->lim->max_files) {
			*st->bad_field = name;
			return ZEK_TOOBIG;
		}
	} else if (clen > st->lim->max_value) {
		*st->bad_field = name;
		return ZEK_TOOBIG;
	}
	if ((rc = form_push(st->a, st->f, &st->cap, st->lim, &fld)) != ZEK_OK)
		return rc;
	fld->name = name;
	fld->len = clen;
	if (pt->type != NULL &&
	    (fld->content_type = arena_strndup(st->a, pt->type,
	         pt->type_len)) == NULL)
		return ZEK_NOMEM;
	if (fn == NULL) {
		if ((value = arena_strndup(st->a, content, clen)) == NULL)
			return ZEK_NOMEM;
		seal_nuls(value, clen);
		fld->value = value;
		return ZEK_OK;
	}
	if ((fld->filename = arena_strndup(st->a, fn, fnlen)) == NULL)
		return ZEK_NOMEM;
	/* A file too big keeps the rest of the form: the page says why. */
	if (clen > st->lim->max_file)
		fld->too_big = true;
	else
		fld->value = content; /* borrowed from the body, not copied */
	return ZEK_OK;
}

int
form_parse_multipart(struct arena *a, const char *content_type,
    const char *body, size_t len, const struct form_limits *lim,
    struct form *out, const char **bad_field)
{
	struct mp_state st = { a, lim, out, 0, 0, bad_field };
	char delim[4 + FORM_MAX_BOUNDARY];
	const char *dummy;
	struct part pt;
	size_t blen = 0, dlen, pos, hit;
	int rc;

	if (st.bad_field == NULL)
		st.bad_field = &dummy;
	*st.bad_field = NULL;
	memset(out, 0, sizeof(*out));
	if (content_type == NULL || body == NULL ||
	    multipart_boundary(content_type, delim + 4, &blen) != ZEK_OK)
		return ZEK_INVALID;
	memcpy(delim, "\r\n--", 4);
	dlen = 4 + blen;
	/* The first delimiter has no CRLF in front when there is no preamble. */
	if (len >= dlen - 2 && memcmp(body, delim + 2, dlen - 2) == 0 &&
	    delimiter_ends(body, len, dlen - 2))
		pos = dlen - 2;
	else if ((hit = find_delimiter(body, len, 0, delim, dlen)) != SIZE_MAX)
		pos = hit + dlen;
	else
		return ZEK_INVALID;
	for (;;) {
		/* pos is just after a delimiter that delimiter_ends() accepted. */
		if (body[pos] == '-')
			return ZEK_OK; /* close delimiter; the epilogue is ignored */
		while (is_ows(body[pos]))
			pos++;
		pos += 2;
		if ((rc = parse_part_headers(body, len, &pos, &pt)) != ZEK_OK)
			return rc;
		if ((hit = find_delimiter(body, len, pos, delim, dlen)) ==
		    SIZE_MAX)
			return ZEK_INVALID; /* truncated, or no final boundary */
		if ((rc = multipart_add(&st, &pt, body + pos, hit - pos)) !=
		    ZEK_OK)
			return rc;
		pos = hit + dlen;
	}
}

/* ---- cookies ---- */

static void
trim_ows(const char **s, size_t *n)
{
	while (*n > 0 && is_ows(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n > 0 && is_ows((*s)[*n - 1]))
		(*n)--;
}

static bool
cookie_value_ok(const char *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			return false;
	return true;
}

int
form_parse_cookies(struct arena *a, const char *header,
    const struct form_limits *lim, struct form *out)
{
	const char *p = header, *semi, *seg, *eq, *name, *val;
	size_t slen, nlen, vlen, cap = 0;
	struct form_field *fld;
	int rc = ZEK_OK;

	memset(out, 0, sizeof(*out));
	for (; p != NULL && *p != '\0' && out->count < lim->max_fields;
	     p = semi ? semi + 1 : NULL) {
		semi = strchr(p, ';');
		seg = p;
		slen = semi != NULL ? (size_t)(semi - p) : strlen(p);
		trim_ows(&seg, &slen);
		if ((eq = memchr(seg, '=', slen)) == NULL)
			continue;
		name = seg;
		nlen = (size_t)(eq - seg);
		val = eq + 1;
		vlen = slen - nlen - 1;
		trim_ows(&name, &nlen);
		trim_ows(&val, &vlen);
		if (vlen >= 2 && val[0] == '"' && val[vlen - 1] == '"') {
			val++;
			vlen -= 2;
		}
		if (nlen > lim->max_name || !name_ok(name, nlen) ||
		    vlen > lim->max_value || !cookie_value_ok(val, vlen))
			continue;
		if ((rc = form_push(a, out, &cap, lim, &fld)) != ZEK_OK)
			goto out;
		fld->name = arena_strndup(a, name, nlen);
		fld->value = arena_strndup(a, val, vlen);
		fld->len = vlen;
		if (fld->name == NULL || fld->value == NULL) {
			rc = ZEK_NOMEM;
			goto out;
		}
	}
out:
	return rc;
}

/* ---- lookups and encoding ---- */

const struct form_field *
form_find(const struct form *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->count; i++)
		if (strcmp(f->fields[i].name, name) == 0)
			return &f->fields[i];
	return NULL;
}

const char *
form_get(const struct form *f, const char *name)
{
	const struct form_field *fld = form_find(f, name);

	return fld != NULL ? fld->value : NULL;
}

size_t
form_get_all(const struct form *f, const char *name,
    const struct form_field *out[static FORM_MAX_VALUES])
{
	size_t i, n = 0;

	for (i = 0; i < f->count && n < FORM_MAX_VALUES; i++)
		if (strcmp(f->fields[i].name, name) == 0)
			out[n++] = &f->fields[i];
	return n;
}

const char *
form_name_over(const struct form *f, size_t max)
{
	size_t i, j, n;

	for (i = 0; i < f->count; i++) {
		/* Each name is counted from its first field, once. */
		for (j = 0; j < i; j++)
			if (strcmp(f->fields[j].name, f->fields[i].name) == 0)
				break;
		if (j < i)
			continue;
		for (n = 1, j = i + 1; j < f->count && n <= max; j++)
			if (strcmp(f->fields[j].name, f->fields[i].name) == 0)
				n++;
		if (n > max)
			return f->fields[i].name;
	}
	return NULL;
}

static bool
url_safe(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	    (c >= 'A' && c <= 'Z') || c == '*' || c == '-' || c == '.' ||
	    c == '_';
}

int
form_urlencode_component(const char *s, size_t len, struct buf *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, run;
	char esc[3];
	unsigned char c;

	for (i = 0; i < len; i += run) {
		for (run = 0;
		     i + run < len && url_safe((unsigned char)s[i + run]);
		     run++)
			;
		if (run > 0) {
			buf_append(out, s + i, run);
			continue;
		}
		c = (unsigned char)s[i];
		run = 1;
		if (c == ' ') {
			buf_putc(out, '+');
			continue;
		}
		esc[0] = '%';
		esc[1] = hex[c >> 4];
		esc[2] = hex[c & 15];
		buf_append(out, esc, 3);
	}
	return out->failed;
}

int
form_urlencode(const struct form *f, struct buf *out)
{
	size_t i;
	bool first = true;

	for (i = 0; i < f->count; i++) {
		if (f->fields[i].value == NULL)
			continue;
		if (!first)
			buf_putc(out, '&');
		first = false;
		form_urlencode_component(f->fields[i].name,
		    strlen(f->fields[i].name), out);
		buf_putc(out, '=');
		form_urlencode_component(f->fields[i].value, f->fields[i].len,
		    out);
	}
	return out->failed;
}
