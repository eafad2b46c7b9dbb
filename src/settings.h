/* settings.h: every run-time setting spelled once (issue 21). One row
 * names a key of the config file, from which its environment variable
 * (ZEK_<KEY>) is derived, the field of struct config it sets, how its
 * value is read, its flag, whether it is secret and a line of help. The
 * config file, the environment, the flags, `zek settings`, the usage text
 * and the README check (tests/lint/settings_doc.py) all read this table;
 * the defaults stay in config_defaults (core/config.c). */
#ifndef ZEK_SETTINGS_H
#define ZEK_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/config.h"

enum setting_kind {
	SETTING_STRING, /* kept as given; `valid`, when set, must accept it */
	SETTING_INT,    /* a decimal number from min to max */
	SETTING_ENUM,   /* one of `words`; anything else is refused */
	SETTING_SWITCH, /* on when one of `words`, off for anything else */
};

struct setting_word {
	const char *word;
	int value;
};

struct setting {
	const char *key; /* "smtp_timeout_ms": file key, ZEK_SMTP_TIMEOUT_MS */
	enum setting_kind kind;
	size_t offset;    /* of the field in struct config */
	size_t size;      /* of that field: 1 (bool), 4 (unsigned, int), 8 */
	int64_t min, max; /* SETTING_INT */
	const struct setting_word *words; /* SETTING_ENUM, SETTING_SWITCH */
	bool (*valid)(const char *value); /* SETTING_STRING, or NULL */
	bool secret;                      /* a refused value is never printed */
	const char *flag;                 /* "--listen", or NULL */
	const char *help;
};

extern const struct setting settings[];
extern const size_t settings_n;

/* The row of key, or NULL. */
const struct setting *settings_find(const char *key);
/* Its environment variable: "ZEK_" and the key in capitals. */
void settings_env_name(const struct setting *s, char *out, size_t cap);
/* Sets one setting by key, as the file, the environment and the flags
 * spell it; strings are copied and kept for the life of the process (a
 * key given again frees the copy it replaces). -1, with a line on
 * standard error, for an unknown key or a bad value. */
int settings_set(struct config *cfg, const char *key, const char *value);
/* Every ZEK_<KEY> variable that is set, in the table's order. */
int settings_from_env(struct config *cfg);
/* The field's value as text ("on", "30000", "text", "" for none) into out. */
void settings_format(const struct setting *s, const struct config *cfg,
    char *out, size_t cap);
/* What the setting accepts ("1..256", "text|json", "on|off", "text"). */
void settings_limits(const struct setting *s, char *out, size_t cap);
/* The keys, comma-separated and wrapped at `width` columns (usage). */
void settings_print_keys(FILE *f, int width);
/* `zek settings`: one setting a line, tab-separated: key, environment
 * variable, flag ("-" for none), default, limits, help. */
void settings_print(FILE *f);

#endif
