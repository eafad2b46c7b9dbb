/* i18n.c: .po catalog loading, lookups with German fallback, Accept-Language, {name} formatting. */
#include "render/i18n.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "lib/zek.h"

#define I18N_MAX_FILE (1024 * 1024) /* one .po file */
#define I18N_MAX_STRING (64 * 1024) /* one msgid or msgstr */
#define I18N_MAX_KEY 128
#define I18N_MAX_FORMAT (1024 * 1024)
#define I18N_MAX_ACCEPT 4096 /* bytes of Accept-Language looked at */

static const char *const i18n_langs[] = { "de", "en", NULL };
#define I18N_NLANGS (ZEK_ARRAY_LEN(i18n_langs) - 1)

struct lang_cat {
	json_t *own;   /* only what this language's files define */
	json_t *table; /* own, with German filling the gaps */
};

struct catalogs {
	struct lang_cat langs[I18N_NLANGS]; /* same order as i18n_langs */
};

bool
i18n_has_lang(const char *lang)
{
	size_t i;

	for (i = 0; lang != NULL && i < I18N_NLANGS; i++)
		if (strcmp(lang, i18n_langs[i]) == 0)
			return true;
	return false;
}

const char *const *
i18n_languages(void)
{
	return i18n_langs;
}

static size_t
lang_index(const char *lang)
{
	size_t i;

	for (i = 0; lang != NULL && i < I18N_NLANGS; i++)
		if (strcmp(lang, i18n_langs[i]) == 0)
			return i;
	return 0; /* German */
}

/* ---- .po parsing ---- */

enum po_state {
	PO_NONE,
	PO_ID,
	PO_STR
};

struct po_parser {
	const char *path;
	unsigned line;
	unsigned entry_line; /* where the current msgid is, for errors */
	json_t *own;
	struct buf id;
	struct buf str;
	enum po_state state;
	bool fuzzy;
	char *err;
	size_t errlen;
};

static int
po_error_at(struct po_parser *pp, unsigned line, const char *msg)
{
	snprintf(pp->err, pp->errlen, "%s:%u: %s", pp->path, line, msg);
	return ZEK_INVALID;
}

static int
po_error(struct po_parser *pp, const char *msg)
{
	return po_error_at(pp, pp->line, msg);
}

static bool
key_ok(const char *k, size_t n)
{
	size_t i;

	if (n == 0 || n > I18N_MAX_KEY)
		return false;
	for (i = 0; i < n; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') ||
		        (k[i] >= 'A' && k[i] <= 'Z') ||
		        (k[i] >= '0' && k[i] <= '9') || k[i] == '_' ||
		        k[i] == '-'))
			return false;
	return true;
}

/* Ends the current entry and stores it. */
static int
po_flush(struct po_parser *pp)
{
	json_t *v;

	if (pp->state == PO_ID)
		return po_error_at(pp, pp->entry_line, "msgid without msgstr");
	if (pp->state == PO_NONE)
		goto reset;
	if (pp->id.failed || pp->str.failed)
		return po_error_at(pp, pp->entry_line, "string too long");
	/* The header (msgid ""), fuzzy and untranslated entries are not used. */
	if (pp->id.len == 0 || pp->fuzzy || pp->str.len == 0)
		goto reset;
	if (!key_ok(pp->id.data, pp->id.len))
		return po_error_at(pp, pp->entry_line,
		    "msgid must be a key of letters, digits, '_' and '-'");
	if (!utf8_valid(pp->str.data, pp->str.len))
		return po_error_at(pp, pp->entry_line,
		    "msgstr is not valid UTF-8");
	if (json_object_get(pp->own, pp->id.data) != NULL)
		return po_error_at(pp, pp->entry_line, "duplicate msgid");
	v = json_stringn(pp->str.data, pp->str.len);
	if (v == NULL || json_object_set_new(pp->own, pp->id.data, v) != 0)
		return po_error_at(pp, pp->entry_line, "out of memory");
reset:
	buf_reset(&pp->id);
	buf_reset(&pp->str);
	pp->state = PO_NONE;
	pp->fuzzy = false;
	return ZEK_OK;
}

/* Appends the quoted string at s[0..n) (the whole rest of the line). */
static int
po_string(struct po_parser *pp, const char *s, size_t n, struct buf *to)
{
	size_t i = 0;
	char c;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i == n || s[i] != '"')
		return po_error(pp, "expected a string in double quotes");
	for (i++; i < n && s[i] != '"'; i++) {
		c = s[i];
		if ((unsigned char)c < 0x20 && c != '\t')
			return po_error(pp, "control character in string");
		if (c == '\\') {
			if (++i == n)
				break;
			switch (s[i]) {
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'r':
				c = '\r';
				break;
			case '"':
				c = '"';
				break;
			case '\\':
				c = '\\';
				break;
			default:
				return po_error(pp, "unknown escape");
			}
		}
		buf_putc(to, c);
	}
	if (i >= n)
		return po_error(pp, "unterminated string");
	for (i++; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return po_error(pp, "text after the closing quote");
	return ZEK_OK;
}

static bool
keyword(const char *s, size_t n, const char *kw, size_t *skip)
{
	size_t k = strlen(kw);

	if (n < k || strncmp(s, kw, k) != 0 ||
	    (n > k && s[k] != ' ' && s[k] != '\t' && s[k] != '"'))
		return false;
	*skip = k;
	return true;
}

static int
po_line(struct po_parser *pp, const char *s, size_t n)
{
	size_t k;
	int rc;

	while (n > 0 && (s[0] == ' ' || s[0] == '\t')) {
		s++;
		n--;
	}
	while (
	    n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	if (n == 0)
		return po_flush(pp);
	if (s[0] == '#') {
		/* Comments come before an entry's msgid, so one ends the last entry. */
		if (pp->state == PO_STR && (rc = po_flush(pp)) != ZEK_OK)
			return rc;
		/* "#, fuzzy, c-format": gettext ignores fuzzy translations. */
		if (n > 1 && s[1] == ',' && memmem(s, n, "fuzzy", 5) != NULL)
			pp->fuzzy = true;
		return ZEK_OK;
	}
	if (keyword(s, n, "msgctxt", &k))
		return po_error(pp, "msgctxt is not supported");
	if (keyword(s, n, "msgid_plural", &k) ||
	    (n > 7 && strncmp(s, "msgstr[", 7) == 0))
		return po_error(pp, "plural forms are not supported");
	if (keyword(s, n, "msgid", &k)) {
		if (pp->state == PO_ID)
			return po_error(pp, "msgid without msgstr");
		if (pp->state == PO_STR && (rc = po_flush(pp)) != ZEK_OK)
			return rc;
		pp->state = PO_ID;
		pp->entry_line = pp->line;
		return po_string(pp, s + k, n - k, &pp->id);
	}
	if (keyword(s, n, "msgstr", &k)) {
		if (pp->state != PO_ID)
			return po_error(pp, "msgstr without msgid");
		pp->state = PO_STR;
		return po_string(pp, s + k, n - k, &pp->str);
	}
	if (s[0] == '"' && pp->state != PO_NONE)
		return po_string(pp, s, n,
		    pp->state == PO_ID ? &pp->id : &pp->str);
	return po_error(pp, "unexpected text");
}

/* Reads a whole file of at most I18N_MAX_FILE bytes; the caller frees. */
static char *
read_file(const char *path, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	size_t n;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	data = malloc(I18N_MAX_FILE + 1);
	if (data == NULL) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	n = fread(data, 1, I18N_MAX_FILE + 1, f);
	if (ferror(f) || n > I18N_MAX_FILE) {
		snprintf(err, errlen, "%s: %s", path,
		    ferror(f) ? "read error" : "file too big");
		free(data);
		data = NULL;
		goto out;
	}
	data[n] = '\0';
	*len = n;
out:
	fclose(f);
	return data;
}

static int
po_parse_file(const char *path, json_t *own, char *err, size_t errlen)
{
	struct po_parser pp = { .path = path,
		.own = own,
		.err = err,
		.errlen = errlen };
	const char *p, *nl, *end;
	size_t len;
	char *data;
	int rc = ZEK_OK;

	buf_init(&pp.id, I18N_MAX_STRING);
	buf_init(&pp.str, I18N_MAX_STRING);
	data = read_file(path, &len, err, errlen);
	if (data == NULL)
		return ZEK_IO;
	if (memchr(data, '\0', len) != NULL) {
		rc = po_error(&pp, "NUL byte in file");
		goto out;
	}
	end = data + len;
	for (p = data; p < end && rc == ZEK_OK; p = nl + 1) {
		pp.line++;
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		rc = po_line(&pp, p, (size_t)(nl - p));
	}
	if (rc == ZEK_OK)
		rc = po_flush(&pp);
out:
	buf_free(&pp.id);
	buf_free(&pp.str);
	free(data);
	return rc;
}

static int
has_po_suffix(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return d->d_name[0] != '.' && n > 3 &&
	    strcmp(d->d_name + n - 3, ".po") == 0;
}

/* Merges every .po file of one language folder, in name order. */
static int
load_lang(const char *podir, const char *lang, json_t *own, char *err,
    size_t errlen)
{
	struct dirent **names = NULL;
	char dir[4096], path[4096];
	int i, count, rc = ZEK_OK;

	if ((size_t)snprintf(dir, sizeof(dir), "%s/%s", podir, lang) >=
	    sizeof(dir)) {
		snprintf(err, errlen, "%s: path too long", podir);
		return ZEK_INVALID;
	}
	count = scandir(dir, &names, has_po_suffix, alphasort);
	if (count < 0) {
		snprintf(err, errlen, "%s: %s", dir, strerror(errno));
		return ZEK_IO;
	}
	for (i = 0; i < count; i++) {
		if (rc == ZEK_OK) {
			if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
			        names[i]->d_name) >= sizeof(path)) {
				snprintf(err, errlen, "%s: path too long", dir);
				rc = ZEK_INVALID;
			} else {
				rc = po_parse_file(path, own, err, errlen);
			}
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

void
i18n_free(struct catalogs *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < I18N_NLANGS; i++) {
		json_decref(c->langs[i].own);
		json_decref(c->langs[i].table);
	}
	free(c);
}

struct catalogs *
i18n_load(const char *podir, char *err, size_t errlen)
{
	struct catalogs *c = calloc(1, sizeof(*c));
	struct lang_cat *lc;
	size_t i;

	if (errlen > 0)
		err[0] = '\0';
	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (i = 0; i < I18N_NLANGS; i++) {
		lc = &c->langs[i];
		lc->own = json_object();
		lc->table = json_object();
		if (lc->own == NULL || lc->table == NULL) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		if (load_lang(podir, i18n_langs[i], lc->own, err, errlen) !=
		    ZEK_OK)
			goto fail;
	}
	/* German first, so that every table can take its gaps from it. */
	for (i = 0; i < I18N_NLANGS; i++) {
		lc = &c->langs[i];
		if (json_object_update(lc->table, c->langs[0].own) != 0 ||
		    json_object_update(lc->table, lc->own) != 0) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	return c;
fail:
	i18n_free(c);
	return NULL;
}

const char *
i18n_get(const struct catalogs *c, const char *lang, const char *key)
{
	const char *s;

	if (c == NULL || key == NULL)
		return key != NULL ? key : "";
	/* The table already holds the German fallbacks. */
	s = json_string_value(
	    json_object_get(c->langs[lang_index(lang)].table, key));
	return s != NULL ? s : key;
}

json_t *
i18n_table(const struct catalogs *c, const char *lang)
{
	return c != NULL ? c->langs[lang_index(lang)].table : NULL;
}

/* ---- Accept-Language ---- */

/* Parses a q-value "0", "0.5", "1.000" into thousandths; -1 when malformed. */
static int
parse_q(const char *s, size_t n)
{
	int q, digits = 0;
	size_t i;

	if (n == 0 || (s[0] != '0' && s[0] != '1'))
		return -1;
	q = (s[0] - '0') * 1000;
	if (n == 1)
		return q;
	if (s[1] != '.' || n > 5)
		return -1;
	for (i = 2; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || (q == 1000 && s[i] != '0'))
			return -1;
		digits++;
		q += (s[i] - '0') * (digits == 1 ? 100 : digits == 2 ? 10 : 1);
	}
	return q;
}

/* The q of one "tag;q=0.8" entry and which supported language it names
 * (index, or -1; "*" gives the default). Returns false when malformed. */
static bool
parse_range(const char *s, size_t n, int *lang, int *q)
{
	const char *semi = memchr(s, ';', n), *p;
	size_t tlen = semi != NULL ? (size_t)(semi - s) : n, plen, i;
	char primary[9];

	while (tlen > 0 && (s[tlen - 1] == ' ' || s[tlen - 1] == '\t'))
		tlen--;
	*q = 1000;
	*lang = -1;
	if (semi != NULL) {
		p = semi + 1;
		plen = n - (size_t)(p - s);
		while (plen > 0 && (*p == ' ' || *p == '\t')) {
			p++;
			plen--;
		}
		while (plen > 0 && (p[plen - 1] == ' ' || p[plen - 1] == '\t'))
			plen--;
		if (plen < 2 || (p[0] != 'q' && p[0] != 'Q') || p[1] != '=')
			return false;
		if ((*q = parse_q(p + 2, plen - 2)) < 0)
			return false;
	}
	if (tlen == 1 && s[0] == '*') {
		*lang = 0;
		return true;
	}
	for (i = 0;
	     i < tlen && i < sizeof(primary) - 1 && s[i] != '-' && s[i] != '_';
	     i++)
		primary[i] = s[i];
	primary[i] = '\0';
	for (i = 0; i < I18N_NLANGS; i++)
		if (strcasecmp(primary, i18n_langs[i]) == 0)
			*lang = (int)i;
	return true;
}

const char *
i18n_negotiate(const char *accept_language)
{
	const char *p = accept_language, *comma, *s;
	int best = 0, best_q = 0, lang, q;
	size_t n, seen = 0;

	while (p != NULL && *p != '\0' && seen < I18N_MAX_ACCEPT) {
		comma = strchr(p, ',');
		n = comma != NULL ? (size_t)(comma - p) : strlen(p);
		seen += n + 1;
		s = p;
		while (n > 0 && (*s == ' ' || *s == '\t')) {
			s++;
			n--;
		}
		if (n > 0 && parse_range(s, n, &lang, &q) && lang >= 0 &&
		    q > best_q) {
			best = lang;
			best_q = q;
		}
		p = comma != NULL ? comma + 1 : NULL;
	}
	return i18n_langs[best];
}

/* ---- {name} formatting ---- */

/* Index of the placeholder name at s[0..n) in names, or -1. */
static long
find_name(const char *s, size_t n, const char *const *names, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (names[i] != NULL && strlen(names[i]) == n &&
		    memcmp(names[i], s, n) == 0)
			return (long)i;
	return -1;
}

/* One pass: counts the result length, and writes it when out != NULL. */
static size_t
format_pass(const char *text, const char *const *names,
    const char *const *values, size_t count, char *out)
{
	const char *p = text, *close, *v;
	size_t len = 0, vlen;
	long idx;

	while (*p != '\0') {
		if (*p == '{' && (close = strchr(p + 1, '}')) != NULL &&
		    (idx = find_name(p + 1, (size_t)(close - p - 1), names,
		         count)) >= 0) {
			v = values[idx] != NULL ? values[idx] : "";
			vlen = strlen(v);
			if (len > SIZE_MAX - vlen)
				return SIZE_MAX;
			if (out != NULL)
				memcpy(out + len, v, vlen);
			len += vlen;
			p = close + 1;
			continue;
		}
		if (out != NULL)
			out[len] = *p;
		len++;
		p++;
	}
	return len;
}

int
i18n_format(struct arena *a, const char *text, const char *const *names,
    const char *const *values, size_t n, char **out)
{
	size_t len;
	char *s;

	*out = NULL;
	if (text == NULL)
		text = "";
	len = format_pass(text, names, values, n, NULL);
	if (len > I18N_MAX_FORMAT)
		return ZEK_TOOBIG;
	s = arena_alloc(a, len + 1);
	if (s == NULL)
		return ZEK_NOMEM;
	format_pass(text, names, values, n, s);
	s[len] = '\0';
	*out = s;
	return ZEK_OK;
}

/* ---- completeness ---- */

int
i18n_check_complete(const struct catalogs *c, char *missing, size_t n)
{
	struct buf b;
	const char *key;
	json_t *v;
	size_t i, j;
	int found = 0;

	if (n > 0)
		missing[0] = '\0';
	buf_init(&b, n > 0 ? n - 1 : 0);
	for (i = 0; i < I18N_NLANGS; i++) {
		for (j = 0; j < I18N_NLANGS; j++) {
			if (i == j)
				continue;
			json_object_foreach(c->langs[i].own, key, v) {
				if (json_object_get(c->langs[j].own, key) !=
				    NULL)
					continue;
				buf_printf(&b, "%s%s:%s", found++ ? ", " : "",
				    i18n_langs[j], key);
			}
		}
	}
	if (n > 0 && b.data != NULL)
		str_lcpy(missing, b.data, n);
	buf_free(&b);
	return found ? ZEK_INVALID : ZEK_OK;
}
