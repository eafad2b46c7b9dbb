/* static.h: the stylesheet, scripts and images under static/. */
#ifndef ZEK_STATIC_H
#define ZEK_STATIC_H

struct req;
struct static_files;

/* Reads every known file type below dir into memory; NULL on failure. */
struct static_files *static_files_load(const char *dir);
void static_files_free(struct static_files *sf);

/* Route handler for GET /static/{version}/{*}. */
int http_static(struct req *rq);

#endif
