/* attachment.c: temporary uploads and a request's attachments
 * (/servicedesk/{id}/attachTemporaryFile, /request/{issueIdOrKey}/attachment). */
#include "api/api.h"

#include <string.h>

#include "core/activity.h"
#include "core/api_support.h"
#include "core/attachments.h"
#include "core/portal.h"
#include "core/requests.h"
#include "core/validate.h"
#include "http/form.h"
#include "lib/buf.h"
#include "lib/str.h"
#include "render/i18n.h"

#define FILE_PART "file"            /* the part name JSM clients use */
#define UPLOAD_NAMES_MAX (8u << 10) /* bytes of the generated comment */

json_t *
api_attachment_json(struct req *rq, const struct request_view *v,
    const struct attachment_info *a, const struct person *author)
{
	const char *self = api_request_url(rq, v,
	    arena_printf(rq->arena, "/attachment/%lld", (long long)a->id));
	json_t *j;

	j = json_pack("{s:s, s:s, s:o, s:I, s:s, s:{s:s?, s:s?}}", "id",
	    api_id(rq, a->id), "filename", a->filename, "created",
	    api_date(rq, a->created_at), "size", (json_int_t)a->size,
	    "mimeType", a->mime, "_links", "self", self, "content", self);
	if (j != NULL && a->is_image)
		json_object_set_new(json_object_get(j, "_links"), "thumbnail",
		    json_string(self));
	if (j != NULL && author != NULL && author->id != 0 &&
	    json_object_set_new(j, "author", api_person_json(rq, author)) !=
	        0) {
		json_decref(j);
		return NULL;
	}
	return j;
}

json_t *
api_request_files(struct req *rq, const struct request_view *v,
    const struct activity_entry *e, size_t n)
{
	json_t *all = json_array();
	size_t i, k;

	/* The create form's files came from whoever raised the request. */
	for (i = 0; all != NULL && i < v->nattachments; i++)
		if (json_array_append_new(all,
		        api_attachment_json(rq, v, &v->attachments[i],
		            &v->creator)) != 0)
			goto fail;
	/* Then the comments' files, oldest first (core leaves out those of
	 * internal notes for customers). */
	for (i = n; all != NULL && i > 0; i--) {
		const struct activity_entry *c = &e[i - 1];
		if (c->kind != ACTIVITY_COMMENT)
			continue;
		for (k = 0; k < c->nattachments; k++)
			if (json_array_append_new(all,
			        api_attachment_json(rq, v, &c->attachments[k],
			            &c->actor)) != 0)
				goto fail;
	}
	return all;
fail:
	json_decref(all);
	return NULL;
}

/* Core names the file field "attachment"; this body calls it "file". */
static const char *const part_names[] = { "attachment", FILE_PART, NULL };

/* POST /rest/servicedeskapi/servicedesk/{serviceDeskId}/attachTemporaryFile:
 * multipart/form-data with one or more parts "file". X-Atlassian-Token is
 * not needed: token-authenticated calls carry no cookies to forge. */
int
api_attach_temporary(struct req *rq)
{
	const struct config *cfg = rq->ctx.cfg;
	const char *ct = req_header(rq, "Content-Type");
	struct form_limits lim = {
		.max_fields = cfg->max_files + 1,
		.max_name = 128,
		.max_value = 1024,
		.max_file = cfg->max_file_bytes,
		.max_files = cfg->max_files,
	};
	struct upload_file *files;
	struct attachment_info *out;
	struct field_error err;
	const char *bad_field = NULL;
	struct form form = { 0 };
	json_t *list;
	size_t i;
	int rc;

	if (api_desk_load(rq, NULL) != ZEK_OK)
		return ZEK_OK;
	if (!form_media_type_is(ct, "multipart/form-data"))
		return api_error(rq, 415, "api_err_multipart", NULL);
	rc = form_parse_multipart(rq->arena, ct, rq->body.data, rq->body.len,
	    &lim, &form, &bad_field);
	if (rc == ZEK_TOOBIG && bad_field != NULL &&
	    str_eq(bad_field, FILE_PART))
		return api_error(rq, 413, "api_err_too_many_files", NULL);
	if (rc == ZEK_TOOBIG || rc == ZEK_INVALID)
		return api_error(rq, rc == ZEK_TOOBIG ? 413 : 400,
		    "api_err_multipart_bad", NULL);
	if (rc != ZEK_OK)
		return rc;
	if (form.count == 0)
		return api_error(rq, 400, "api_err_missing_field", FILE_PART);
	files = arena_calloc(rq->arena, form.count, sizeof(*files));
	out = arena_calloc(rq->arena, form.count, sizeof(*out));
	if (files == NULL || out == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < form.count; i++) {
		const struct form_field *f = &form.fields[i];
		if (!str_eq(f->name, FILE_PART) || f->filename == NULL)
			return api_error(rq, 400, "api_err_unknown_field",
			    f->name);
		if (f->too_big) {
			err = (struct field_error){ .field = FILE_PART,
				.key = "err_file_too_big",
				.max = (int64_t)cfg->max_file_bytes,
				.arg = f->filename };
			return api_field_errors(rq, &err, 1, NULL);
		}
		files[i] = (struct upload_file){ f->filename, f->value,
			f->len };
	}
	rc = core_attachments_upload_all(&rq->ctx, rq->user, files, form.count,
	    out, &err);
	if (rc == ZEK_INVALID)
		return api_field_errors(rq, &err, 1, part_names);
	if (rc != ZEK_OK)
		return rc;
	list = json_array();
	for (i = 0; list != NULL && i < form.count; i++)
		if (json_array_append_new(list,
		        json_pack("{s:s, s:s}", "temporaryAttachmentId",
		            out[i].token, "fileName", out[i].filename)) != 0) {
			json_decref(list);
			return ZEK_NOMEM;
		}
	return api_reply(rq, 201,
	    json_pack("{s:o}", "temporaryAttachments", list));
}

/* GET /rest/servicedeskapi/request/{issueIdOrKey}/attachment */
int
api_request_attachments(struct req *rq)
{
	return api_reply_activity_list(rq, api_request_files);
}

/* A comment for files sent without one: their names, as Markdown text. */
static const char *
files_comment(struct req *rq, const char *const *tokens, size_t ntokens)
{
	const char *names[] = { "arg" };
	const char *values[1];
	struct attachment_info *files;
	struct buf b;
	const char *p;
	char *out = NULL;
	size_t i, n;

	if (core_attachments_temp_get(&rq->ctx, rq->user, tokens, ntokens,
	        &files, &n) != ZEK_OK)
		return NULL;
	buf_init(&b, UPLOAD_NAMES_MAX);
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_puts(&b, ", ");
		for (p = files[i].filename; *p != '\0'; p++) {
			if (strchr("\\`*_{}[]()#+-.!<>|~", *p) != NULL)
				buf_putc(&b, '\\');
			buf_putc(&b, *p);
		}
	}
	values[0] = b.failed || b.data == NULL ? "" : b.data;
	if (i18n_format(rq->arena,
	        i18n_get(rq->cat, rq->lang, "api_files_comment"), names, values,
	        1, &out) != ZEK_OK)
		out = NULL;
	buf_free(&b);
	return out;
}

static const struct api_json_field attach_spec[] = {
	{ "temporaryAttachmentIds", API_JSON_STRINGS, true, 0 },
	{ "public", API_JSON_BOOL, true, 0 },
	{ "additionalComment", API_JSON_OBJECT, false, 0 },
};

/* POST /rest/servicedeskapi/request/{issueIdOrKey}/attachment: the
 * temporary files become a comment's attachments (JSM, too, shows them
 * as a comment). */
int
api_request_attach(struct req *rq)
{
	struct comment_input in = { 0 };
	struct request_view *v;
	const char **tokens;
	json_t *body, *ids, *c, *files;
	size_t i;

	if (api_body(rq, attach_spec, 3, &body) != ZEK_OK ||
	    api_additional_comment(rq, body, &in.body) != ZEK_OK)
		return ZEK_OK;
	ids = json_object_get(body, "temporaryAttachmentIds");
	if (json_array_size(ids) == 0)
		return api_error(rq, 400, "api_err_missing_field",
		    "temporaryAttachmentIds");
	if (api_request_load(rq, &v) != ZEK_OK)
		return ZEK_OK;
	tokens = arena_calloc(rq->arena, json_array_size(ids), sizeof(*tokens));
	if (tokens == NULL)
		return ZEK_NOMEM;
	for (i = 0; i < json_array_size(ids); i++)
		tokens[i] = json_string_value(json_array_get(ids, i));
	in.attachment_tokens = tokens;
	in.ntokens = json_array_size(ids);
	in.is_public = json_is_true(json_object_get(body, "public"));
	if (str_empty(in.body))
		in.body = files_comment(rq, tokens, in.ntokens);
	if (in.body == NULL)
		return ZEK_NOMEM;
	if (api_comment_write(rq, v, &in, &c) != ZEK_OK)
		return ZEK_OK;
	/* The Comment's attachments page is the answer's second half. */
	files = json_incref(json_object_get(c, "attachments"));
	return api_reply(rq, 201,
	    json_pack("{s:o, s:o?}", "comment", c, "attachments", files));
}

/* GET /rest/servicedeskapi/request/{issueIdOrKey}/attachment/{attachmentId}:
 * the bytes, never shown as a page. */
int
api_request_attachment_content(struct req *rq)
{
	struct request_view *v;
	struct attachment *a;
	int64_t id;
	int rc;

	if (api_request_load(rq, &v) != ZEK_OK)
		return ZEK_OK;
	rc = ZEK_NOTFOUND;
	if (req_param_i64(rq, "id", &id))
		rc = core_attachment_get(&rq->ctx, rq->user, id, &a);
	if (rc == ZEK_OK && a->request_id != v->id)
		rc = ZEK_NOTFOUND;
	if (rc == ZEK_NOTFOUND)
		return api_error(rq, 404, "api_err_no_attachment",
		    req_param_str(rq, "id"));
	if (rc != ZEK_OK)
		return rc;
	return http_reply_file(rq, false, a->filename, a->mime, a->data,
	    a->size);
}
