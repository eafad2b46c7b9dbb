/* fuzz_headers.c: the request headers zek reads itself: Cookie, Accept-Language, Authorization, tokens, Content-Length. */
#include <ctype.h>
#include <stdbool.h>
#include <strings.h>

#include <sodium.h>

#include "api/api.h"
#include "core/auth.h"
#include "core/tokens.h"
#include "fuzz.h"
#include "http/form.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "lib/zek.h"
#include "render/i18n.h"

/* Every header parser gets the whole input as the header's value. */
#define ARENA_LIMIT (256u << 10)
#define ACCEPT_SEEN 4096    /* bytes of Accept-Language i18n.c looks at */

static const struct form_limits cookie_limits = {
	.max_fields = 16, .max_name = 64, .max_value = 256,
	.max_file = 0, .max_files = 0,
};

static bool
same_cookies(const struct form *a, const struct form *b)
{
	size_t i;

	if (a->count != b->count)
		return false;
	for (i = 0; i < a->count; i++)
		if (strcmp(a->fields[i].name, b->fields[i].name) != 0 ||
		    a->fields[i].len != b->fields[i].len ||
		    memcmp(a->fields[i].value, b->fields[i].value,
		    a->fields[i].len) != 0)
			return false;
	return true;
}

/* Cookies: limits hold, names are clean, values have no controls, and
 * writing the pairs back as `name="value"; ...` parses to the same. */
static void
check_cookies(struct arena *a, const char *h)
{
	struct form f, g;
	struct buf b;
	size_t i, k;
	int rc;

	rc = form_parse_cookies(a, h, &cookie_limits, &f);
	FUZZ_CHECK(rc == ZEK_OK || rc == ZEK_NOMEM, "cookies: %s", zek_rc_name(rc));
	if (rc != ZEK_OK)
		return;
	FUZZ_CHECK(f.count <= cookie_limits.max_fields, "%zu cookies", f.count);
	buf_init(&b, 1u << 20);
	for (i = 0; i < f.count; i++) {
		const struct form_field *c = &f.fields[i];
		size_t n = strlen(c->name);
		FUZZ_CHECK(n > 0 && n <= cookie_limits.max_name &&
		    utf8_clean_text(c->name, n, false), "cookie name");
		FUZZ_CHECK(strpbrk(c->name, "=;\t") == NULL && c->name[0] != ' ' &&
		    c->name[n - 1] != ' ', "cookie name '%s'", c->name);
		FUZZ_CHECK(c->len <= cookie_limits.max_value &&
		    strlen(c->value) == c->len && strchr(c->value, ';') == NULL,
		    "cookie value");
		for (k = 0; k < c->len; k++)
			FUZZ_CHECK((unsigned char)c->value[k] >= 0x20 &&
			    c->value[k] != 0x7f, "control in cookie value");
		buf_printf(&b, "%s%s=\"%s\"", i > 0 ? "; " : "", c->name, c->value);
	}
	FUZZ_CHECK(!b.failed, "buffer");
	rc = form_parse_cookies(a, b.data, &cookie_limits, &g);
	FUZZ_CHECK(rc == ZEK_OK && same_cookies(&f, &g),
	    "cookies '%s' re-read differently", b.data != NULL ? b.data : "");
	buf_free(&b);
}

/* Accept-Language: "de" or "en"; "en" only when the header names it;
 * entries with q=0 in front change nothing. */
static void
check_accept_language(const char *h, size_t n)
{
	const char *lang = i18n_negotiate(h), *l2;
	char *pre;
	size_t i;
	bool has_en = false;

	FUZZ_CHECK(strcmp(lang, "de") == 0 || strcmp(lang, "en") == 0,
	    "language '%s'", lang);
	for (i = 0; i + 1 < n && !has_en; i++)
		has_en = tolower((unsigned char)h[i]) == 'e' &&
		    tolower((unsigned char)h[i + 1]) == 'n';
	FUZZ_CHECK(strcmp(lang, "en") != 0 || has_en, "en out of nowhere");
	FUZZ_CHECK(strcmp(i18n_negotiate(NULL), "de") == 0, "default");
	if (n + 32 >= ACCEPT_SEEN)
		return;
	pre = malloc(n + 32);
	if (pre == NULL)
		abort();
	snprintf(pre, n + 32, "en;q=0, de;q=0.000,%s", h);
	l2 = i18n_negotiate(pre);
	FUZZ_CHECK(strcmp(l2, lang) == 0, "q=0 entries change %s to %s", lang, l2);
	free(pre);
}

/* Authorization: Basic: what decodes encodes back to the same text. */
static void
check_basic(struct arena *a, const char *h, size_t n)
{
	const char *email = NULL, *secret = NULL;
	char *bin, *b64;
	size_t elen, slen, blen;

	if (!api_basic_credentials(a, h, &email, &secret))
		return;
	elen = strlen(email);
	slen = strlen(secret);
	FUZZ_CHECK(strchr(email, ':') == NULL, "':' in the e-mail");
	FUZZ_CHECK(utf8_valid(email, elen) && utf8_valid(secret, slen),
	    "credentials not UTF-8");
	bin = malloc(elen + slen + 2);
	blen = sodium_base64_ENCODED_LEN(elen + slen + 1,
	    sodium_base64_VARIANT_ORIGINAL);
	b64 = malloc(blen);
	if (bin == NULL || b64 == NULL)
		abort();
	memcpy(bin, email, elen);
	bin[elen] = ':';
	memcpy(bin + elen + 1, secret, slen);
	sodium_bin2base64(b64, blen, (unsigned char *)bin, elen + slen + 1,
	    sodium_base64_VARIANT_ORIGINAL);
	FUZZ_CHECK(strlen(b64) == n && memcmp(b64, h, n) == 0,
	    "'%s' decodes, but encodes back as '%s'", h, b64);
	free(b64);
	free(bin);
}

/* Session cookies, API tokens and CSRF tokens only take their shape. */
static void
check_tokens(const char *h, size_t n)
{
	size_t i;

	if (core_token_well_formed(h)) {
		FUZZ_CHECK(n == AUTH_TOKEN_LEN, "token length %zu", n);
		for (i = 0; i < n; i++)
			FUZZ_CHECK(isalnum((unsigned char)h[i]) || h[i] == '-' ||
			    h[i] == '_', "token byte 0x%02x", (unsigned char)h[i]);
	}
	if (core_api_token_well_formed(h))
		FUZZ_CHECK(n == TOKEN_LEN && strncmp(h, TOKEN_PREFIX,
		    TOKEN_PREFIX_LEN) == 0, "API token shape");
	FUZZ_CHECK(core_csrf_ok(h, h) == (n > 0), "csrf equal");
	if (n > 0) {
		char *other = fuzz_strndup((const uint8_t *)h, n);
		other[n - 1] ^= 1;
		FUZZ_CHECK(!core_csrf_ok(h, other) || other[n - 1] == '\0',
		    "csrf differs");
		free(other);
	}
}

/* Content-Length and other numbers: what str_to_i64 takes, strtoll reads
 * the same way and printf writes back (leading zeros and a sign aside: "+5", "-0"). */
static void
check_number(const char *h)
{
	char back[32];
	int64_t v;
	const char *p = h;

	if (str_to_i64(h, 0, INT64_MAX, &v) != 0)
		return;
	FUZZ_CHECK(v >= 0, "negative length");
	snprintf(back, sizeof(back), "%lld", (long long)v);
	if (*p == '+' || (*p == '-' && v == 0))
		p++;
	while (p[0] == '0' && p[1] != '\0')
		p++;
	FUZZ_CHECK(strcmp(back, p) == 0, "'%s' read as %s", h, back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena *a;
	char *h, *t;

	if (memchr(data, '\0', size) != NULL)
		return 0;   /* header values never hold NUL bytes */
	h = fuzz_strndup(data, size);
	a = arena_new(ARENA_LIMIT);
	if (a == NULL)
		abort();
	check_cookies(a, h);
	check_accept_language(h, size);
	check_basic(a, h, size);
	check_tokens(h, size);
	check_number(h);

	/* authenticate() hands the Basic decoder a trimmed value. */
	t = arena_strdup(a, h);
	if (t != NULL && strncasecmp(str_trim(t), "Basic ", 6) == 0) {
		str_trim(t + 6);
		check_basic(a, t + 6, strlen(t + 6));
	}

	/* Out of memory while reading cookies: a clean ZEK_NOMEM. */
	arena_fail_after(a, 1 + (long)(size % 7));
	FUZZ_CHECK(form_parse_cookies(a, h, &cookie_limits, &(struct form){ 0 })
	    != ZEK_INVALID, "cookies never invalid");
	arena_free(a);
	free(h);
	return 0;
}
