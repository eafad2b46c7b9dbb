/* keep.c: a form sent after the session ended is kept (core/keep.h) and
 * shown again, filled in, on its page once its person signed in again. */
#include "web/web.h"

#include <string.h>
#include <strings.h>

#include "core/auth.h"
#include "core/keep.h"
#include "http/form.h"
#include "lib/str.h"
#include "store/store.h"

#define KEPT_MAX_FIELDS 512

/* The page a kept form returns to: its own path (the create form posts
 * to its page), less a last segment "/comment" (a comment form posts to
 * its request's page + "/comment"). */
static const char *
kept_page(struct req *rq)
{
	static const char tail[] = "/comment";
	size_t n = strlen(rq->path), t = sizeof(tail) - 1;

	if (n > t && str_eq(rq->path + n - t, tail))
		return arena_strndup(rq->arena, rq->path, n - t);
	return rq->path;
}

/* Whether Origin (scheme://host[:port]) names the host the request was
 * sent to. */
static bool
origin_is_ours(struct req *rq, const char *origin)
{
	const char *host = req_header(rq, "Host");
	const char *p = strstr(origin, "://");

	return p != NULL && host != NULL && strcasecmp(p + 3, host) == 0;
}

/* Whether the browser sent the form from one of our pages. A form another
 * site makes a browser send must not leave words to be shown on our form
 * after sign-in. A form naming a session that ended must carry that
 * session's token; browsers say where a form came from (Sec-Fetch-Site,
 * Origin), and one that says "elsewhere" is not kept. */
static bool
sent_from_here(struct req *rq)
{
	const char *site = req_header(rq, "Sec-Fetch-Site");
	const char *origin = req_header(rq, "Origin");

	if (site != NULL && !str_eq(site, "same-origin"))
		return false;
	if (origin != NULL && !origin_is_ours(rq, origin))
		return false;
	if (rq->ended_csrf != NULL)
		return core_csrf_ok(rq->ended_csrf, req_form(rq, "csrf"));
	return true;
}

/* The text fields of the form, urlencoded, without the dead session's
 * CSRF token; NULL when they are over KEEP_TEXT_MAX or out of memory. */
static const char *
text_fields(struct req *rq)
{
	struct form text = { 0 };
	const char *out = NULL;
	struct buf b;
	size_t i;

	text.fields = arena_calloc(rq->arena, rq->form.count + 1,
	    sizeof(*text.fields));
	if (text.fields == NULL)
		return NULL;
	for (i = 0; i < rq->form.count; i++)
		if (rq->form.fields[i].filename == NULL &&
		    !str_eq(rq->form.fields[i].name, "csrf"))
			text.fields[text.count++] = rq->form.fields[i];
	buf_init(&b, KEEP_TEXT_MAX + 1);
	if (form_urlencode(&text, &b) == ZEK_OK && !b.failed)
		out = arena_strdup(rq->arena, b.data != NULL ? b.data : "");
	buf_free(&b);
	return out;
}

/* The files the form carried (empty file inputs and files refused as too
 * big left out); they point into the request's body. */
static int
sent_files(struct req *rq, struct store_kept_file **out, size_t *n)
{
	size_t i;

	*n = 0;
	*out = arena_calloc(rq->arena, rq->form.count + 1, sizeof(**out));
	if (*out == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < rq->form.count; i++) {
		const struct form_field *f = &rq->form.fields[i];

		if (f->filename == NULL || f->too_big || f->len == 0)
			continue;
		(*out)[(*n)++] = (struct store_kept_file){ f->name, f->filename,
			(const unsigned char *)f->value, f->len };
	}
	return ZEK_OK;
}

/* Keeps the form; *kept false when it is not to be kept (sent from
 * elsewhere, over the bounds). */
static int
keep(struct req *rq, const char *page, bool *kept)
{
	struct keep_input in = { 0 };
	const char *secret, *old = req_cookie(rq, WEB_KEPT_COOKIE);
	struct store_kept_file *files;
	int rc;

	*kept = false;
	if (!sent_from_here(rq))
		return ZEK_OK;
	in.fields = text_fields(rq);
	if (in.fields == NULL)
		return ZEK_OK; /* too much text: not kept at all */
	rc = sent_files(rq, &files, &in.nfiles);
	if (rc != ZEK_OK)
		return rc;
	in.files = files;
	in.page = page;
	in.user_id = rq->ended_user_id;
	in.client_ip = rq->client_ip;
	in.old_secret = core_token_well_formed(old) ? old : NULL;
	rc = core_form_keep(&rq->ctx, &in, &secret);
	if (rc == ZEK_TOOBIG || rc == ZEK_FORBIDDEN)
		return ZEK_OK;
	if (rc == ZEK_OK)
		rc = http_set_cookie(rq, WEB_KEPT_COOKIE, secret, 0);
	*kept = rc == ZEK_OK;
	return rc;
}

int
web_keep_form(struct req *rq)
{
	const char *page = kept_page(rq);
	bool kept;
	struct buf b;
	char *loc;
	int rc;

	if (page == NULL)
		return ZEK_NOMEM;
	rc = keep(rq, page, &kept);
	if (rc != ZEK_OK)
		return rc;
	buf_init(&b, 4096);
	buf_puts(&b, WEB_LOGIN "?next=");
	buf_put_percent(&b, page, strlen(page), "/");
	buf_puts(&b, kept ? "&expired=kept" : "&expired=1");
	loc = b.failed ? NULL : arena_strdup(rq->arena, b.data);
	buf_free(&b);
	return http_redirect(rq, 303, loc);
}

/* rq->form becomes the kept form: its text fields, then its files. */
static int
form_of_kept(struct req *rq, const struct store_kept_form *kf)
{
	const struct form_limits lim = { .max_fields = KEPT_MAX_FIELDS,
		.max_name = 128,
		.max_value = KEEP_TEXT_MAX };
	struct form f = { 0 };
	struct form_field *all;
	size_t i;
	int rc;

	rc = form_parse_urlencoded(rq->arena, kf->fields, strlen(kf->fields),
	    &lim, &f, NULL);
	if (rc != ZEK_OK)
		return rc;
	all = arena_calloc(rq->arena, f.count + kf->nfiles + 1, sizeof(*all));
	if (all == NULL)
		return ZEK_NOMEM;
	if (f.count > 0)
		memcpy(all, f.fields, f.count * sizeof(*all));
	for (i = 0; i < kf->nfiles; i++)
		all[f.count + i] = (struct form_field){
			.name = kf->files[i].field,
			.value = (const char *)kf->files[i].data,
			.len = kf->files[i].size,
			.filename = kf->files[i].filename
		};
	rq->form.fields = all;
	rq->form.count = f.count + kf->nfiles;
	rq->form_parsed = true;
	return ZEK_OK;
}

int
web_kept_restore(struct req *rq, struct web_restore *out)
{
	const char *secret = req_cookie(rq, WEB_KEPT_COOKIE);
	struct store_kept_form *kf;
	int rc;

	*out = (struct web_restore){ 0 };
	if (rq->user == NULL || !core_token_well_formed(secret))
		return ZEK_OK;
	rc = core_form_take(&rq->ctx, rq->user, secret, rq->path, &kf);
	if (rc == ZEK_NOTFOUND)
		return ZEK_OK; /* another page's, or another person's */
	if (rc == ZEK_OK)
		rc = form_of_kept(rq, kf);
	if (rc == ZEK_OK)
		rc = http_set_cookie(rq, WEB_KEPT_COOKIE, "", -1);
	if (rc != ZEK_OK)
		return rc;
	out->restored = true;
	out->notice = web_t(rq,
	    kf->files_dropped ? "kept_restored_no_files" : "kept_restored");
	return ZEK_OK;
}
