/* text.c: catalog texts in one request's language, for pages and API alike. */
#include "http/text.h"

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
http_fmt1(struct req *rq, const char *key, const char *name,
    const char *value)
{
	return http_fmt(rq, key, &name, &value, 1);
}
