/* router.c: matches a request path against the route table. */
#include "http/router.h"

#include <string.h>

#include "lib/str.h"

/* Matches one pattern; placeholders are copied into scratch. */
static bool
pattern_match(const char *pat, const char *path, const char **params,
    size_t maxp, char *scratch, size_t scratch_len)
{
	size_t np = 0, used = 0;

	while (*pat != '\0' && *path != '\0') {
		if (*pat != '/' || *path != '/')
			return false;
		pat++;
		path++;
		const char *pe = strchr(pat, '/');
		const char *se = strchr(path, '/');
		size_t plen = pe ? (size_t)(pe - pat) : strlen(pat);
		size_t slen = se ? (size_t)(se - path) : strlen(path);

		if (plen >= 2 && pat[0] == '{' && pat[plen - 1] == '}') {
			bool rest = plen == 3 && pat[1] == '*';
			if (rest)
				slen = strlen(path);
			if (slen == 0 || np >= maxp ||
			    used + slen + 1 > scratch_len)
				return false;
			memcpy(scratch + used, path, slen);
			scratch[used + slen] = '\0';
			params[np++] = scratch + used;
			used += slen + 1;
		} else if (plen != slen || memcmp(pat, path, plen) != 0) {
			return false;
		}
		pat += plen;
		path += slen;
	}
	return *pat == '\0' && *path == '\0';
}

const struct route *
router_match(const char *method, const char *path, const char **params,
    size_t maxp, char *scratch, size_t scratch_len, bool *wrong_method)
{
	const struct route *r;
	bool head = str_eq(method, "HEAD");

	*wrong_method = false;
	for (r = routes; r->pattern != NULL; r++) {
		if (!pattern_match(r->pattern, path, params, maxp, scratch,
		        scratch_len))
			continue;
		if (str_eq(r->method, method) ||
		    (head && str_eq(r->method, "GET")))
			return r;
		*wrong_method = true;
	}
	return NULL;
}

bool
router_param_index(const char *pattern, const char *name, size_t *index)
{
	const char *p = pattern, *end;
	size_t k, len = strlen(name);

	for (k = 0; (p = strchr(p, '{')) != NULL; k++, p = end + 1) {
		end = strchr(p, '}');
		if (end == NULL)
			return false;
		if ((size_t)(end - p - 1) == len &&
		    memcmp(p + 1, name, len) == 0) {
			*index = k;
			return true;
		}
	}
	return false;
}
