/* fuzz_mustache.c: the Mustache compiler and renderer with hostile data; escaped tags never pass markup through. */
#include <stdbool.h>

#include <jansson.h>

#include "fuzz.h"
#include "lib/buf.h"
#include "lib/zek.h"
#include "render/mustache.h"

/* The input is "template\n---\ndata\n---\npartial\n---\npartial...":
 * data is JSON (anything else gives the default data below); every
 * {{>name}} and {{<name}} resolves to one of the partials (or the main
 * template) by a hash of the name, so recursion is reachable. */
#define SEP "\n---\n"
#define MAX_TEMPLATES 8
#define OUT_MAX (256u << 10)

static const char default_data[] =
	"{\"title\":\"<script>alert(1)</script>\",\"name\":\"a & b \\\"q\\\" 'x'\","
	"\"html\":\"<b onclick=x>\",\"empty\":\"\",\"zero\":0,\"n\":42,\"r\":1.5,"
	"\"yes\":true,\"no\":false,\"nil\":null,\"list\":[{\"t\":\"<i>\"},"
	"{\"t\":\"</p>\"},\"<\",3],\"none\":[],\"obj\":{\"a\":\"<a href='x'>\","
	"\"b\":{\"c\":\">\"}},\"t\":{\"label\":\"<label>\"}}";

struct set {
	struct mustache *t[MAX_TEMPLATES];
	size_t n;
};

static const struct mustache *
partial(void *ud, const char *name)
{
	const struct set *s = ud;
	size_t h = 0;

	for (; *name != '\0'; name++)
		h = h * 31 + (unsigned char)*name;
	return s->t[h % s->n];
}

/* A copy of v where every markup character in every string becomes 'x':
 * the same shape, the same truthiness, the same lengths before escaping. */
static json_t *
defang(const json_t *v)
{
	json_t *c, *item;
	const char *key;
	char *s;
	size_t i, n;

	switch (json_typeof(v)) {
	case JSON_STRING:
		n = json_string_length(v);
		s = fuzz_strndup((const uint8_t *)json_string_value(v), n);
		for (i = 0; i < n; i++)
			if (strchr("<>\"'&", s[i]) != NULL && s[i] != '\0')
				s[i] = 'x';
		c = json_stringn_nocheck(s, n);
		free(s);
		return c;
	case JSON_ARRAY:
		c = json_array();
		json_array_foreach(v, i, item)
			json_array_append_new(c, defang(item));
		return c;
	case JSON_OBJECT:
		c = json_object();
		json_object_foreach((json_t *)v, key, item)
			json_object_set_new_nocheck(c, key, defang(item));
		return c;
	default:
		return json_deep_copy(v);
	}
}

static size_t
count(const struct buf *b, char ch)
{
	size_t i, k = 0;

	for (i = 0; i < b->len; i++)
		k += b->data[i] == ch;
	return k;
}

/* True when no tag of src can write data unescaped: no {{{, {{& and no
 * delimiter change that could make another raw tag. */
static bool
escaped_only(const uint8_t *src, size_t n)
{
	return memmem(src, n, "{{{", 3) == NULL && memmem(src, n, "{{&", 3) == NULL &&
	    memmem(src, n, "{{=", 3) == NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *seg[MAX_TEMPLATES + 1], *rest = data;
	size_t len[MAX_TEMPLATES + 1], nseg = 0, left = size, i;
	struct set set = { .n = 0 };
	json_t *ctx, *dflt, *safe;
	struct buf out, out2;
	char err[128];
	bool escaped = true;
	int rc, rc2;

	while (nseg < MAX_TEMPLATES + 1) {
		const uint8_t *tail;
		size_t tlen;
		fuzz_split(rest, left, SEP, &len[nseg], &tail, &tlen);
		seg[nseg++] = rest;
		if (tail == rest + left)
			break;
		rest = tail;
		left = tlen;
	}
	/* segment 0 is the template, 1 the data, the rest partials */
	for (i = 0; i < nseg; i++) {
		if (i == 1)
			continue;
		set.t[set.n] = mustache_compile((const char *)seg[i], len[i], err,
		    sizeof(err));
		if (set.t[set.n] == NULL) {
			FUZZ_CHECK(err[0] != '\0' && strlen(err) < sizeof(err),
			    "compile error without message");
			goto out;
		}
		for (size_t k = 0; k < mustache_partial_count(set.t[set.n]); k++)
			FUZZ_CHECK(mustache_partial_name(set.t[set.n], k) != NULL,
			    "partial name %zu", k);
		escaped = escaped && escaped_only(seg[i], len[i]);
		set.n++;
	}

	ctx = nseg > 1 ? json_loadb((const char *)seg[1], len[1],
	    JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL) : NULL;
	dflt = json_loads(default_data, 0, NULL);
	if (dflt == NULL)
		abort();
	if (ctx == NULL)
		ctx = json_incref(dflt);
	else if (json_is_object(ctx))
		json_object_update_missing(ctx, dflt);
	safe = defang(ctx);

	buf_init(&out, OUT_MAX);
	buf_init(&out2, OUT_MAX);
	rc = mustache_render(set.t[0], ctx, partial, &set, &out);
	FUZZ_CHECK(rc == ZEK_OK || rc == ZEK_TOOBIG || rc == ZEK_NOMEM, "rc %d", rc);
	FUZZ_CHECK(out.len <= OUT_MAX, "output of %zu bytes", out.len);
	/* The other renders only where the first one finished: a runaway
	 * template costs one render, not four. */
	if (rc != ZEK_OK)
		goto done;
	rc2 = mustache_render(set.t[0], safe, partial, &set, &out2);
	if (rc2 == ZEK_OK && escaped) {
		/* Template text is the same in both; data adds no markup. */
		FUZZ_CHECK(count(&out, '<') == count(&out2, '<') &&
		    count(&out, '>') == count(&out2, '>') &&
		    count(&out, '"') == count(&out2, '"') &&
		    count(&out, '\'') == count(&out2, '\'') &&
		    count(&out, '\0') == count(&out2, '\0'),
		    "data reached the output unescaped");
	}
	/* A template without tags is its own output. */
	if (memmem(seg[0], len[0], "{{", 2) == NULL)
		FUZZ_CHECK(out.len == len[0] && (len[0] == 0 ||
		    memcmp(out.data, seg[0], len[0]) == 0), "plain text changed");
	/* Rendering changes nothing: the same again gives the same. */
	buf_reset(&out2);
	rc2 = mustache_render(set.t[0], ctx, partial, &set, &out2);
	FUZZ_CHECK(rc2 == ZEK_OK && out.len == out2.len &&
	    (out.len == 0 || memcmp(out.data, out2.data, out.len) == 0),
	    "two renders differ");
	/* A tiny output limit ends in ZEK_TOOBIG, never past the limit. */
	buf_free(&out2);
	buf_init(&out2, 64);
	rc2 = mustache_render(set.t[0], ctx, partial, &set, &out2);
	FUZZ_CHECK(out2.len <= 64 && (rc2 == ZEK_OK) == (out.len <= 64),
	    "limit of 64 bytes: %zu bytes, %s", out2.len, zek_rc_name(rc2));
done:
	buf_free(&out);
	buf_free(&out2);
	json_decref(safe);
	json_decref(ctx);
	json_decref(dflt);
out:
	for (i = 0; i < set.n; i++)
		mustache_free(set.t[i]);
	return 0;
}
