/* fuzz_router.c: router_match over the real route table against a plain reference matcher. */
#include <stdbool.h>

#include "fuzz.h"
#include "http/http.h"
#include "http/router.h"
#include "lib/buf.h"

/* The input is "METHOD PATH" (or only a path, read as GET). */
#define PATH_MAX_LEN 2048   /* server.c refuses longer paths */
#define SEGS_MAX 512

struct segs {
	const char *s[SEGS_MAX];
	size_t n[SEGS_MAX];
	size_t count;
};

/* Splits at every '/' (empty segments kept); false when there are more
 * than SEGS_MAX. */
static bool
split(const char *p, struct segs *out)
{
	const char *slash;

	out->count = 0;
	for (;;) {
		if (out->count == SEGS_MAX)
			return false;
		slash = strchr(p, '/');
		out->s[out->count] = p;
		out->n[out->count] = slash != NULL ? (size_t)(slash - p) : strlen(p);
		out->count++;
		if (slash == NULL)
			return true;
		p = slash + 1;
	}
}

static bool
is_placeholder(const char *s, size_t n)
{
	return n >= 2 && s[0] == '{' && s[n - 1] == '}';
}

static bool
is_rest(const char *s, size_t n)
{
	return n == 3 && memcmp(s, "{*}", 3) == 0;
}

/* The reference: segment by segment; a placeholder takes one non-empty
 * segment, a last "{*}" everything that is left (not empty). */
static bool
ref_match(const char *pattern, const struct segs *path)
{
	struct segs pat;
	size_t i, rest;

	if (!split(pattern, &pat))
		abort();
	for (i = 0; i < pat.count; i++) {
		if (is_rest(pat.s[i], pat.n[i]) && i + 1 == pat.count) {
			if (i >= path->count)
				return false;
			rest = strlen(path->s[i]);
			return rest > 0;
		}
		if (i >= path->count)
			return false;
		if (is_placeholder(pat.s[i], pat.n[i])) {
			if (path->n[i] == 0)
				return false;
		} else if (pat.n[i] != path->n[i] ||
		    memcmp(pat.s[i], path->s[i], pat.n[i]) != 0) {
			return false;
		}
	}
	return pat.count == path->count;
}

/* The pattern with its placeholders replaced by params is the path; no
 * param is empty, and only "{*}" may hold a '/'. */
static void
check_params(const struct route *r, const char *path, const char **params,
    size_t maxp)
{
	struct segs pat;
	struct buf b;
	size_t i, np = 0;

	if (!split(r->pattern, &pat))
		abort();
	buf_init(&b, 1u << 16);
	for (i = 0; i < pat.count; i++) {
		if (i > 0)
			buf_putc(&b, '/');
		if (!is_placeholder(pat.s[i], pat.n[i])) {
			buf_append(&b, pat.s[i], pat.n[i]);
			continue;
		}
		FUZZ_CHECK(np < maxp, "more placeholders than params");
		FUZZ_CHECK(params[np] != NULL && params[np][0] != '\0',
		    "empty param %zu", np);
		FUZZ_CHECK(is_rest(pat.s[i], pat.n[i]) ||
		    strchr(params[np], '/') == NULL,
		    "param '%s' of %s holds a '/'", params[np], r->pattern);
		buf_puts(&b, params[np]);
		np++;
	}
	FUZZ_CHECK(!b.failed && strcmp(b.data, path) == 0,
	    "%s with its params is '%s', not '%s'", r->pattern,
	    b.data != NULL ? b.data : "", path);
	buf_free(&b);
}

static bool
method_fits(const struct route *r, const char *method)
{
	return strcmp(r->method, method) == 0 ||
	    (strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0);
}

static void
check_path(const char *method, const char *path, size_t maxp_small,
    size_t scratch_small)
{
	const char *params[REQ_MAX_PARAMS + 1];
	const struct route *r, *want = NULL;
	struct segs segs;
	char *scratch;
	bool wrong, want_wrong = false;
	size_t i;

	/* The server's call: REQ_MAX_PARAMS, a scratch as long as any path. */
	scratch = malloc(PATH_MAX_LEN + 1);
	if (scratch == NULL)
		abort();
	r = router_match(method, path, params, REQ_MAX_PARAMS, scratch,
	    PATH_MAX_LEN + 1, &wrong);
	if (split(path, &segs)) {
		for (i = 0; routes[i].pattern != NULL && want == NULL; i++) {
			if (!ref_match(routes[i].pattern, &segs))
				continue;
			if (method_fits(&routes[i], method))
				want = &routes[i];
			else
				want_wrong = true;
		}
		FUZZ_CHECK(r == want, "'%s %s': route %s, reference %s", method,
		    path, r != NULL ? r->pattern : "-",
		    want != NULL ? want->pattern : "-");
		FUZZ_CHECK(r != NULL || wrong == want_wrong, "wrong_method %d", wrong);
	}
	if (r != NULL) {
		FUZZ_CHECK(method_fits(r, method), "method %s for %s %s", method,
		    r->method, r->pattern);
		check_params(r, path, params, REQ_MAX_PARAMS);
	}
	free(scratch);

	/* Fewer params and less scratch: never written past, and whatever
	 * matches still rebuilds the path. */
	scratch = malloc(scratch_small > 0 ? scratch_small : 1);
	if (scratch == NULL)
		abort();
	r = router_match(method, path, params, maxp_small, scratch,
	    scratch_small, &wrong);
	if (r != NULL)
		check_params(r, path, params, maxp_small);
	free(scratch);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *rest;
	size_t mlen, plen;
	char *method, *path;

	if (memchr(data, '\0', size) != NULL)
		return 0;   /* the decoded path is a C string */
	fuzz_split(data, size, " ", &mlen, &rest, &plen);
	if (plen == 0 && mlen == size) {
		method = fuzz_strndup((const uint8_t *)"GET", 3);
		rest = data;
		plen = size;
	} else {
		method = fuzz_strndup(data, mlen);
	}
	if (plen > PATH_MAX_LEN)
		plen = PATH_MAX_LEN;
	path = fuzz_strndup(rest, plen);
	check_path(method, path, size % (REQ_MAX_PARAMS + 1), size % 64);
	if (strcmp(method, "GET") == 0)
		check_path("HEAD", path, 1, 16);
	free(path);
	free(method);
	return 0;
}
