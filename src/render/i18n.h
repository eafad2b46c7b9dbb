/* i18n.h: message catalogs from gettext .po files, language choice, {name} formatting. */
#ifndef ZEK_I18N_H
#define ZEK_I18N_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct arena;
struct catalogs;

/* The language used when nothing else fits, and the fallback for keys. */
#define I18N_DEFAULT_LANG "de"

/* Loads <podir>/<lang>/ *.po for every supported language (a missing
 * language folder is an error; other entries in podir are ignored). All .po
 * files of a language are merged. msgid is the key (letters, digits, '_'
 * and '-'), msgstr the text. Multi-line strings, \n \t \r \" \\ escapes and
 * comments are understood; the header entry, fuzzy entries and empty
 * msgstr are skipped (so the key falls back to German). msgctxt and plural
 * forms are refused. A key twice in one language is an error.
 * Returns a new object, freed with i18n_free(), or NULL with a message
 * ("po/de/a.po:12: bad escape") in err. Read-only after loading, so one
 * object may be shared by every thread. */
struct catalogs *i18n_load(const char *podir, char *err, size_t errlen);
void i18n_free(struct catalogs *c);

/* The text for key in lang; an unknown language means German, a key
 * missing in lang falls back to German, then to the key itself. Never
 * NULL. c may be NULL (every key then maps to itself). Borrowed: lives as
 * long as c. */
const char *i18n_get(const struct catalogs *c, const char *lang,
    const char *key);

/* A jansson object key -> text for lang (German fills any gaps), for
 * template contexts. BORROWED: do not decref or change it; it lives as
 * long as c. json_object_set() it (not _set_new) into a context. NULL
 * only when c is NULL. */
json_t *i18n_table(const struct catalogs *c, const char *lang);

/* Picks "de" or "en" from an Accept-Language header by q-values (ties go
 * to the earlier entry); German when the header is NULL, malformed or asks
 * for neither. Returns a static string. */
const char *i18n_negotiate(const char *accept_language);

/* True for a supported language code ("de", "en"). */
bool i18n_has_lang(const char *lang);

/* The supported language codes, NULL-terminated, default first. */
const char *const *i18n_languages(void);

/* Replaces each {name} in text by the value of the same index (NULL counts
 * as ""). Unknown placeholders and lone braces stay as they are; values are
 * inserted verbatim (escape at output time) and are not scanned again.
 * *out is NUL-terminated arena memory. Returns ZEK_OK, ZEK_TOOBIG (result
 * over 1 MiB) or ZEK_NOMEM. */
int i18n_format(struct arena *a, const char *text, const char *const *names,
    const char *const *values, size_t n, char **out);

/* Checks that every key of each language exists in every other one.
 * Returns ZEK_OK, or ZEK_INVALID with "en:key1, de:key2" (language that
 * lacks it, then the key; cut to fit) in missing. */
int i18n_check_complete(const struct catalogs *c, char *missing, size_t n);

#endif
