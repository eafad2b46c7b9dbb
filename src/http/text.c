/* text.c: catalog texts in one request's language, for pages and API alike. */
#include "http/text.h"

#include <stdio.h>
#include <string.h>

#include "core/attachments.h"
#include "core/validate.h"
#include "lib/str.h"
#include "lib/zek.h"
#include "render/i18n.h"

const char *
http_fmt(struct req *rq, const char *key, const char *const *names,
    const char *const *values, size_t n)
{
	const char *text = i18n_get(rq->cat, rq->lang, key);
	char *out;

	if (i18n_format(rq->arena, text, names, values, n, &out) != ZEK_OK)
		return text;
	return out;
}

const char *
http_fmt1(struct req *rq, const char *key, const char *name, const char *value)
{
	return http_fmt(rq, key, &name, &value, 1);
}

const char *
http_size_text(struct req *rq, size_t bytes)
{
	const char *name = "n";
	const char *value;
	char n[32];
	char *out;
	const char *key;

	if (bytes < 1024 * 1024) {
		snprintf(n, sizeof(n), "%zu", (bytes + 1023) / 1024);
		key = "bytes_kib";
	} else {
		snprintf(n, sizeof(n), "%.1f",
		    (double)bytes / (1024.0 * 1024.0));
		if (str_eq(rq->lang, "de") && strchr(n, '.') != NULL)
			*strchr(n, '.') = ',';
		key = "bytes_mib";
	}
	value = n;
	if (i18n_format(rq->arena, i18n_get(rq->cat, rq->lang, key), &name,
	        &value, 1, &out) != ZEK_OK)
		return "";
	return out;
}

const char *
http_error_text(struct req *rq, const struct field_error *e)
{
	static const char *const names[] = { "max", "min", "name" };
	const char *values[3];
	char n[32];

	if (core_error_max_is_bytes(e->key))
		str_lcpy(n, http_size_text(rq, (size_t)e->max), sizeof(n));
	else
		snprintf(n, sizeof(n), "%lld", (long long)e->max);
	values[0] = n;
	values[1] = n;
	values[2] = e->arg != NULL ? e->arg : "";
	return http_fmt(rq, e->key, names, values, 3);
}
