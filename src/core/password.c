/* password.c: what a new password must not be. Length and personal words
 * are checked here; common words and simple patterns by cracklib, whose
 * dictionary Debian ships (cracklib-runtime). */
#include "core/password.h"

#include <crack.h>
#include <packer.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "core/users.h"
#include "core/validate.h"
#include "lib/arena.h"
#include "lib/log.h"
#include "lib/str.h"
#include "lib/utf8.h"

/* A word of the name or the address shorter than this may be part of a
 * password ("Li", "de"); longer ones may not. */
#define PERSONAL_WORD_MIN 4

/* cracklib keeps no state between calls that we know of, but says
 * nothing about threads: one check at a time. */
static pthread_mutex_t crack_lock = PTHREAD_MUTEX_INITIALIZER;

static void
add(struct password_errs *out, const char *field, const char *key, int64_t max)
{
	if (*out->n < out->max)
		out->errs[(*out->n)++] = (struct field_error){ .field = field,
			.key = key,
			.max = max };
}

/* Letters and digits; every byte of a multi-byte character counts as a
 * letter (names like "Jörg" stay one word). */
static bool
is_word_byte(char c)
{
	unsigned char u = (unsigned char)c;

	return (u >= 'a' && u <= 'z') || (u >= '0' && u <= '9') || u >= 0x80;
}

/* Whether the folded password contains a word (a run of letters and
 * digits of PERSONAL_WORD_MIN or more) of the folded text. */
static bool
has_word_of(const char *pw, char *text)
{
	char *p = text, *start;
	size_t n;

	while (*p != '\0') {
		while (*p != '\0' && !is_word_byte(*p))
			p++;
		start = p;
		while (is_word_byte(*p))
			p++;
		n = (size_t)(p - start);
		if (n == 0)
			continue;
		if (utf8_length(start, n) >= PERSONAL_WORD_MIN) {
			char save = *p;
			bool hit;

			*p = '\0';
			hit = strstr(pw, start) != NULL;
			*p = save;
			if (hit)
				return true;
		}
	}
	return false;
}

/* The name, the address's part before the @ and that part whole. */
static bool
is_personal(struct zctx *ctx, const char *pw, const char *email,
    const char *name)
{
	char *fpw = utf8_fold_in(ctx->arena, pw);
	char *fmail = str_empty(email) ? NULL : utf8_fold_in(ctx->arena, email);
	char *fname = str_empty(name) ? NULL : utf8_fold_in(ctx->arena, name);
	char *at;

	if (fpw == NULL)
		return false;
	if (fmail != NULL) {
		at = strchr(fmail, '@');
		if (at != NULL)
			*at = '\0';
		if (strlen(fmail) >= PERSONAL_WORD_MIN && strstr(fpw, fmail))
			return true;
		if (has_word_of(fpw, fmail))
			return true;
	}
	return fname != NULL && has_word_of(fpw, fname);
}

/* FindPW's answer for a word it does not have: the number of words,
 * which packer.h keeps in a structure it hides from us. */
static unsigned int absent;

/* The dictionary, opened once; NULL when missing (said once). */
static PWDICT *
dict_open(void)
{
	static char no_word[] = "zek\001absent";
	static PWDICT *pwp;
	static bool tried;
	const char *path = GetDefaultCracklibDict();

	if (!tried) {
		tried = true;
		pwp = PWOpen(path, "r");
		if (pwp != NULL)
			absent = FindPW(pwp, no_word);
		else
			log_warning("core",
			    "no cracklib dictionary (apt-get "
			    "install cracklib-runtime): common passwords are not "
			    "refused",
			    LOG_FIELDS(LOG_S("path", path)));
	}
	return pwp;
}

/* Whether the password's letters alone, in lower case, are a word of the
 * dictionary: "Passwort2026!" is "passwort". cracklib's own rules let a
 * word with four digits after it pass. */
static bool
letters_are_word(PWDICT *pwp, const char *pw)
{
	char core[MAXWORDLEN + 1];
	size_t n = 0;

	for (; *pw != '\0'; pw++) {
		unsigned char u = (unsigned char)*pw;

		if (u >= 'A' && u <= 'Z')
			u = (unsigned char)(u - 'A' + 'a');
		if (!(u >= 'a' && u <= 'z') && u < 0x80)
			continue;
		if (n == MAXWORDLEN)
			return false;
		core[n++] = (char)u;
	}
	core[n] = '\0';
	return n >= PERSONAL_WORD_MIN && FindPW(pwp, core) != absent;
}

/* Common, a dictionary word or too simple: cracklib's verdict, with the
 * name and the address as its "user" and "gecos". */
static bool
is_common(const char *pw, const char *email, const char *name)
{
	char buf[USER_PASSWORD_MAX + 1];
	PWDICT *pwp;
	bool common;

	snprintf(buf, sizeof(buf), "%s", pw);
	pthread_mutex_lock(&crack_lock);
	pwp = dict_open();
	common = pwp != NULL &&
	    (letters_are_word(pwp, pw) ||
	        FascistLookUser(pwp, buf, str_empty(email) ? "-" : email,
	            str_empty(name) ? "" : name) != NULL);
	pthread_mutex_unlock(&crack_lock);
	return common;
}

void
core_password_rules(struct zctx *ctx, const char *pw, const char *pw2,
    const char *email, const char *name, const char *field, const char *field2,
    struct password_errs *out)
{
	size_t n = pw != NULL ? strlen(pw) : 0;

	if (n == 0)
		add(out, field, "err_required", 0);
	else if (!utf8_valid(pw, n))
		add(out, field, "err_invalid_utf8", 0);
	else if (n > USER_PASSWORD_MAX)
		add(out, field, "err_too_long", USER_PASSWORD_MAX);
	else if (utf8_length(pw, n) < PASSWORD_NEW_MIN)
		add(out, field, "err_password_too_short", PASSWORD_NEW_MIN);
	else if (is_personal(ctx, pw, email, name))
		add(out, field, "err_password_personal", 0);
	else if (is_common(pw, email, name))
		add(out, field, "err_password_common", 0);
	else if (!str_eq(pw, pw2))
		add(out, field2, "err_password_mismatch", 0);
}
