/* template.c: loads a folder of .mustache files into a compiled, read-only set. */
#include "render/template.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/utf8.h"
#include "lib/zek.h"
#include "render/jsonalloc.h"

#define TEMPLATES_EXT ".mustache"

/* clang-format would read `template` as C++'s keyword. */
/* clang-format off */
struct template {
	char *name;             /* "dir/name", without the extension */
	struct mustache *m;
};
/* clang-format on */

struct templates {
	struct template *v; /* sorted by name once loaded */
	size_t n, cap;
};

/* While loading: where errors go. */
struct loader {
	struct templates *ts;
	char *err;
	size_t errlen;
};

static int templates_fail(struct loader *l, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
templates_fail(struct loader *l, int rc, const char *fmt, ...)
{
	va_list ap;

	if (l->errlen > 0) {
		va_start(ap, fmt);
		vsnprintf(l->err, l->errlen, fmt, ap);
		va_end(ap);
	}
	return rc;
}

/* Reads a whole file below dirfd, refusing anything over the limit. */
static int
templates_read(struct loader *l, int dirfd, const char *file, const char *path,
    char **out, size_t *outlen)
{
	struct stat st;
	char *data = NULL;
	size_t len = 0;
	ssize_t n;
	int fd, rc = ZEK_OK;

	fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return templates_fail(l, ZEK_IO, "%s: %s", path,
		    strerror(errno));
	if (fstat(fd, &st) != 0 || st.st_size < 0) {
		rc = templates_fail(l, ZEK_IO, "%s: %s", path, strerror(errno));
		goto out;
	}
	if ((size_t)st.st_size > TEMPLATES_MAX_FILESIZE) {
		rc = templates_fail(l, ZEK_TOOBIG, "%s: file too large", path);
		goto out;
	}
	data = malloc((size_t)st.st_size + 1);
	if (data == NULL) {
		rc = templates_fail(l, ZEK_NOMEM, "%s", "");
		goto out;
	}
	/* the size may change under us: never read past what was allocated */
	while (len < (size_t)st.st_size) {
		n = read(fd, data + len, (size_t)st.st_size - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = templates_fail(l, ZEK_IO, "%s: %s", path,
			    strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	data[len] = '\0';
	*out = data;
	*outlen = len;
	data = NULL;
out:
	free(data);
	close(fd);
	return rc;
}

static int
templates_add(struct loader *l, int dirfd, const char *file, const char *name)
{
	struct templates *ts = l->ts;
	struct template *v;
	char path[TEMPLATES_MAX_NAME + sizeof(TEMPLATES_EXT)];
	char msg[256];
	char *src = NULL;
	size_t len = 0, cap;
	int rc;

	snprintf(path, sizeof(path), "%s%s", name, TEMPLATES_EXT);
	if (ts->n == TEMPLATES_MAX_FILES)
		return templates_fail(l, ZEK_TOOBIG, "%s: too many templates",
		    path);
	if (ts->n == ts->cap) {
		cap = ts->cap ? ts->cap * 2 : 32;
		v = realloc(ts->v, cap * sizeof(*v));
		if (v == NULL)
			return templates_fail(l, ZEK_NOMEM, "%s", "");
		ts->v = v;
		ts->cap = cap;
	}
	rc = templates_read(l, dirfd, file, path, &src, &len);
	if (rc != ZEK_OK)
		return rc;
	if (!utf8_valid(src, len)) {
		rc = templates_fail(l, ZEK_INVALID, "%s: not valid UTF-8",
		    path);
		goto out;
	}
	v = &ts->v[ts->n];
	v->name = strdup(name);
	if (v->name == NULL) {
		rc = templates_fail(l, ZEK_NOMEM, "%s", "");
		goto out;
	}
	v->m = mustache_compile(src, len, msg, sizeof(msg));
	if (v->m == NULL) {
		free(v->name);
		if (msg[0] == '\0')
			rc = templates_fail(l, ZEK_NOMEM, "%s", "");
		else
			rc = templates_fail(l, ZEK_INVALID, "%s:%s", path, msg);
		goto out;
	}
	ts->n++;
out:
	free(src);
	return rc;
}

static int templates_walk(struct loader *l, int dirfd, const char *prefix,
    int depth);

/* One directory entry: a template file, a subfolder, or something else. */
static int
templates_entry(struct loader *l, int dirfd, const char *prefix, int depth,
    const char *file)
{
	char name[TEMPLATES_MAX_NAME + 1];
	size_t flen = strlen(file), elen = strlen(TEMPLATES_EXT);
	struct stat st;
	int fd, n;

	if (fstatat(dirfd, file, &st, 0) != 0)
		return templates_fail(l, ZEK_IO, "%s%s: %s", prefix, file,
		    strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		if (depth >= TEMPLATES_MAX_DEPTH)
			return templates_fail(l, ZEK_TOOBIG,
			    "%s%s: folders nested too deeply", prefix, file);
		n = snprintf(name, sizeof(name), "%s%s/", prefix, file);
		if (n < 0 || (size_t)n >= sizeof(name))
			return templates_fail(l, ZEK_TOOBIG,
			    "%s%s: name too long", prefix, file);
		fd = openat(dirfd, file, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return templates_fail(l, ZEK_IO, "%s: %s", name,
			    strerror(errno));
		return templates_walk(l, fd, name, depth + 1);
	}
	if (!S_ISREG(st.st_mode) || flen <= elen ||
	    strcmp(file + flen - elen, TEMPLATES_EXT) != 0)
		return ZEK_OK;
	n = snprintf(name, sizeof(name), "%s%.*s", prefix, (int)(flen - elen),
	    file);
	if (n < 0 || (size_t)n >= sizeof(name))
		return templates_fail(l, ZEK_TOOBIG, "%s%s: name too long",
		    prefix, file);
	return templates_add(l, dirfd, file, name);
}

/* Loads the folder open at dirfd (which this takes over). */
static int
templates_walk(struct loader *l, int dirfd, const char *prefix, int depth)
{
	struct dirent *de;
	DIR *d;
	int rc = ZEK_OK;

	d = fdopendir(dirfd);
	if (d == NULL) {
		close(dirfd);
		return templates_fail(l, ZEK_IO, "%s: %s",
		    prefix[0] ? prefix : ".", strerror(errno));
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (de == NULL) {
			if (errno != 0)
				rc = templates_fail(l, ZEK_IO, "%s: %s",
				    prefix[0] ? prefix : ".", strerror(errno));
			break;
		}
		if (de->d_name[0] == '.')
			continue;
		rc = templates_entry(l, dirfd, prefix, depth, de->d_name);
		if (rc != ZEK_OK)
			break;
	}
	closedir(d);
	return rc;
}

static int
templates_cmp(const void *a, const void *b)
{
	const struct template *x = a, *y = b;

	return strcmp(x->name, y->name);
}

const struct mustache *
templates_get(const struct templates *ts, const char *name)
{
	struct template key, *hit;

	if (ts == NULL || name == NULL || ts->n == 0)
		return NULL;
	key.name = (char *)name;
	hit = bsearch(&key, ts->v, ts->n, sizeof(*ts->v), templates_cmp);
	return hit != NULL ? hit->m : NULL;
}

/* A typo in a partial name would otherwise render as nothing. */
static int
templates_check(struct loader *l)
{
	const struct templates *ts = l->ts;
	const char *p;
	size_t i, k;

	for (i = 0; i < ts->n; i++) {
		for (k = 0; k < mustache_partial_count(ts->v[i].m); k++) {
			p = mustache_partial_name(ts->v[i].m, k);
			if (templates_get(ts, p) == NULL)
				return templates_fail(l, ZEK_NOTFOUND,
				    "%s%s: unknown partial or parent '%s'",
				    ts->v[i].name, TEMPLATES_EXT, p);
		}
	}
	return ZEK_OK;
}

struct templates *
templates_load(const char *dir, char *err, size_t errlen)
{
	struct loader l = { NULL, err, errlen };
	int fd, rc;

	if (errlen > 0)
		err[0] = '\0';
	/* Whoever renders pages builds their contexts with jansson. */
	jsonalloc_init();
	l.ts = calloc(1, sizeof(*l.ts));
	if (l.ts == NULL)
		return NULL;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		rc = templates_fail(&l, ZEK_IO, "%s: %s", dir, strerror(errno));
		goto out;
	}
	rc = templates_walk(&l, fd, "", 0);
	if (rc != ZEK_OK)
		goto out;
	if (l.ts->n > 0)
		qsort(l.ts->v, l.ts->n, sizeof(*l.ts->v), templates_cmp);
	rc = templates_check(&l);
out:
	if (rc != ZEK_OK) {
		templates_free(l.ts);
		return NULL;
	}
	return l.ts;
}

void
templates_free(struct templates *ts)
{
	size_t i;

	if (ts == NULL)
		return;
	for (i = 0; i < ts->n; i++) {
		free(ts->v[i].name);
		mustache_free(ts->v[i].m);
	}
	free(ts->v);
	free(ts);
}

static const struct mustache *
templates_partial(void *ud, const char *name)
{
	return templates_get(ud, name);
}

int
templates_render(const struct templates *ts, const char *name, json_t *ctx,
    struct buf *out)
{
	const struct mustache *m = templates_get(ts, name);

	if (m == NULL)
		return ZEK_NOTFOUND;
	return mustache_render(m, ctx, templates_partial, (void *)ts, out);
}
