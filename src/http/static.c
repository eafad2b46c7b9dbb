/* static.c: serves the files under static/ from memory, read once at start. */
#include "http/static.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "http/http.h"
#include "lib/str.h"
#include "lib/zek.h"

#define STATIC_MAX_FILES 256
#define STATIC_MAX_BYTES (4u << 20)

struct static_file {
	char *name; /* path below static/, e.g. "zek.css" */
	char *data;
	size_t len;
	const char *mime;
};

struct static_files {
	struct static_file files[STATIC_MAX_FILES];
	size_t count;
};

static const struct {
	const char *ext;
	const char *mime;
} mime_types[] = {
	{ ".css", "text/css; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".svg", "image/svg+xml" },
	{ ".png", "image/png" },
	{ ".ico", "image/x-icon" },
	{ ".woff2", "font/woff2" },
	{ ".txt", "text/plain; charset=utf-8" },
};

static const char *
mime_of(const char *name)
{
	const char *dot = strrchr(name, '.');
	size_t i;

	for (i = 0; dot != NULL && i < ZEK_ARRAY_LEN(mime_types); i++)
		if (str_eq(dot, mime_types[i].ext))
			return mime_types[i].mime;
	return NULL;
}

static int
read_file(const char *path, char **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat st;
	int rc = ZEK_IO;

	*data = NULL;
	if (f == NULL)
		return ZEK_IO;
	if (fstat(fileno(f), &st) != 0 || st.st_size < 0 ||
	    (size_t)st.st_size > STATIC_MAX_BYTES)
		goto out;
	*data = malloc((size_t)st.st_size + 1);
	if (*data == NULL) {
		rc = ZEK_NOMEM;
		goto out;
	}
	*len = fread(*data, 1, (size_t)st.st_size, f);
	rc = *len == (size_t)st.st_size ? ZEK_OK : ZEK_IO;
out:
	if (rc != ZEK_OK) {
		free(*data);
		*data = NULL;
	}
	fclose(f);
	return rc;
}

/* Adds every servable file below dir; prefix is its name below static/. */
static int
load_dir(struct static_files *sf, const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[1024], name[512];
	int rc = ZEK_OK;

	if (d == NULL)
		return ZEK_IO;
	while (rc == ZEK_OK && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		        e->d_name) >= sizeof(path) ||
		    (size_t)snprintf(name, sizeof(name), "%s%s%s", prefix,
		        e->d_name,
		        e->d_type == DT_DIR ? "/" : "") >= sizeof(name))
			continue; /* names that long are not ours */
		if (e->d_type == DT_DIR) {
			rc = load_dir(sf, path, name);
			continue;
		}
		if (mime_of(name) == NULL)
			continue;
		if (sf->count == STATIC_MAX_FILES) {
			rc = ZEK_TOOBIG;
			break;
		}
		struct static_file *f = &sf->files[sf->count];
		rc = read_file(path, &f->data, &f->len);
		if (rc != ZEK_OK)
			break;
		f->name = strdup(name);
		f->mime = mime_of(name);
		if (f->name == NULL) {
			free(f->data);
			rc = ZEK_NOMEM;
			break;
		}
		sf->count++;
	}
	closedir(d);
	return rc;
}

struct static_files *
static_files_load(const char *dir)
{
	struct static_files *sf = calloc(1, sizeof(*sf));

	if (sf == NULL)
		return NULL;
	if (load_dir(sf, dir, "") != ZEK_OK) {
		static_files_free(sf);
		return NULL;
	}
	return sf;
}

void
static_files_free(struct static_files *sf)
{
	size_t i;

	if (sf == NULL)
		return;
	for (i = 0; i < sf->count; i++) {
		free(sf->files[i].name);
		free(sf->files[i].data);
	}
	free(sf);
}

static void
static_files_cleanup(void *p)
{
	static_files_free(p);
}

/* GET /static/{version}/{*}: files are immutable per version, so cache long.
 * In development mode the folder is read anew so edits show at once. */
int
http_static(struct req *rq)
{
	struct static_files *sf = rq->app->files;
	const char *name = req_param_str(rq, "*");
	size_t i;
	int rc;

	if (rq->app->cfg.dev) {
		sf = static_files_load(rq->app->static_dir);
		if (sf == NULL ||
		    arena_defer(rq->arena, static_files_cleanup, sf) != 0)
			return ZEK_NOMEM;
	}
	for (i = 0; sf != NULL && name != NULL && i < sf->count; i++) {
		if (!str_eq(sf->files[i].name, name))
			continue;
		rc = http_header(rq, "Cache-Control",
		    rq->app->cfg.dev ? "no-cache" :
		                       "public, max-age=31536000, immutable");
		if (rc != ZEK_OK)
			return rc;
		return http_reply_bytes(rq, 200, sf->files[i].mime,
		    sf->files[i].data, sf->files[i].len, false);
	}
	return http_reply_bytes(rq, 404, "text/plain; charset=utf-8",
	    "Not found\n", 10, false);
}
