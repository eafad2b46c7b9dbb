/* request_shared.c: the parts of a request's page that the customer's view
 * (request.c) and the agent's (agent_request.c) share: the fields, the
 * files, the activity, and the comment form with its uploads. */
#include "web/web.h"

#include <string.h>

#include "core/activity.h"
#include "core/attachments.h"
#include "core/perm.h"
#include "core/requests.h"
#include "core/sharing.h"
#include "core/validate.h"
#include "core/workflow.h"
#include "lib/str.h"
#include "render/jsonalloc.h"
#include "render/markdown.h"

/* A catalog sentence as a list of {text, strong}: the values of its
 * {placeholders} are marked strong ("zu **Wartet auf Kunden** geändert"),
 * without any markup in the catalog. */
static json_t *
segments(struct req *rq, const char *key, const char *const *names,
    const char *const *values, size_t n)
{
	const char *s = web_t(rq, key), *open, *close;
	json_t *arr = json_array();
	size_t i, len;

	while (arr != NULL && *s != '\0') {
		open = strchr(s, '{');
		close = open != NULL ? strchr(open, '}') : NULL;
		if (close == NULL) {
			json_array_append_new(arr,
			    ctx_pack("{s:s, s:b}", "text", s, "strong", 0));
			break;
		}
		len = (size_t)(close - open - 1);
		for (i = 0; i < n; i++)
			if (strlen(names[i]) == len &&
			    memcmp(names[i], open + 1, len) == 0)
				break;
		if (open > s)
			json_array_append_new(arr,
			    ctx_pack("{s:s%, s:b}", "text", s,
			        (size_t)(open - s), "strong", 0));
		if (i < n)
			json_array_append_new(arr,
			    ctx_pack("{s:s, s:b}", "text",
			        values[i] != NULL ? values[i] : "", "strong",
			        1));
		else
			json_array_append_new(arr,
			    ctx_pack("{s:s%, s:b}", "text", open,
			        (size_t)(close - open + 1), "strong", 0));
		s = close + 1;
	}
	return arr;
}

json_t *
web_field_view_json(struct req *rq, const struct request_field_view *f)
{
	json_t *j = ctx_pack("{s:s, s:s}", "key", f->key, "label", f->label);
	json_t *vals;
	const char *html;
	size_t i;

	if (j == NULL || f->nvalues == 0)
		return j;
	switch (f->kind) {
	case FIELD_RICHTEXT:
		html = markdown_to_arena(rq->arena, f->values[0]);
		if (html != NULL)
			json_object_set_new(j, "html", json_string(html));
		else
			json_object_set_new(j, "text",
			    json_string(f->values[0]));
		break;
	case FIELD_DATETIME:
		json_object_set_new(j, "text",
		    json_string(web_time_text(rq, f->datetime_ms)));
		break;
	case FIELD_URL:
		json_object_set_new(j, "text", json_string(f->values[0]));
		json_object_set_new(j, "href", json_string(f->values[0]));
		break;
	default:
		if (f->nvalues == 1) {
			json_object_set_new(j, "text",
			    json_string(f->values[0]));
			break;
		}
		vals = json_array();
		for (i = 0; i < f->nvalues; i++)
			json_array_append_new(vals, json_string(f->values[i]));
		json_object_set_new(j, "values", vals);
		break;
	}
	return j;
}

/* Files for partials/request-files. */
json_t *
web_files_json(struct req *rq, const struct attachment_info *files, size_t n)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < n; i++) {
		const struct attachment_info *a = &files[i];
		const char *href = arena_printf(rq->arena,
		    "/servicedesk/customer/attachments/%lld", (long long)a->id);
		json_array_append_new(arr,
		    ctx_pack("{s:s, s:s, s:s, s:b, s:s}", "name", a->filename,
		        "href", href, "size_text", http_size_text(rq, a->size),
		        "is_image", a->is_image, "thumb_href",
		        arena_printf(rq->arena, "%s?inline=1", href)));
	}
	return arr;
}

json_t *
web_request_fields_json(struct req *rq, const struct request_view *v)
{
	json_t *fields = json_array();
	size_t i;

	for (i = 0; fields != NULL && i < v->nfields; i++)
		json_array_append_new(fields,
		    web_field_view_json(rq, &v->fields[i]));
	return fields;
}

/* ---- activity ---- */

static json_t *
status_segments(struct req *rq, const struct activity_entry *e)
{
	const char *names[] = { "status", "resolution" };
	const char *values[] = { status_label(e->new_status, rq->lang),
		resolution_label(e->resolution, rq->lang) };

	/* The job's closure says that nobody answered (PRODUCT.md). */
	if (e->has_action && e->action == WF_AUTO_CLOSE)
		return segments(rq, "act_auto_closed", names, values, 2);
	return segments(rq,
	    e->resolution != RESOLUTION_NONE ? "act_status_resolution" :
	                                       "act_status",
	    names, values, 2);
}

/* A field's values in one line of the log: shown as on the page, ", "
 * between several, a dash for none. */
static const char *
values_text(struct req *rq, const struct request_field_view *f)
{
	const char *s = NULL, *one;
	size_t i;

	for (i = 0; f != NULL && i < f->nvalues; i++) {
		one = f->kind == FIELD_DATETIME ?
		    web_time_text(rq, f->datetime_ms) :
		    f->values[i];
		s = s == NULL ? one : arena_printf(rq->arena, "%s, %s", s, one);
	}
	return s != NULL ? s : web_t(rq, "act_value_none");
}

/* "Titel geändert: {old} → {new}"; a type change names both types. */
static json_t *
edited_segments(struct req *rq, const struct activity_entry *e)
{
	const char *names[] = { "field", "old", "new" };
	const char *values[] = { e->field_label != NULL ?
		    e->field_label :
		    web_t(rq, "type_label"),
		values_text(rq, e->before), values_text(rq, e->after) };

	return segments(rq, "act_edited", names, values, 3);
}

/* "Verknüpft: Duplikat von ZEK-3", "Verknüpfung entfernt: ...". */
static json_t *
link_segments(struct req *rq, const struct activity_entry *e)
{
	const char *names[] = { "link", "key" };
	const char *values[] = {
		web_t(rq, arena_printf(rq->arena, "link_%s", e->what)),
		e->new_value
	};

	return segments(rq,
	    e->kind == ACTIVITY_LINKED ? "act_linked" : "act_unlinked", names,
	    values, 2);
}

/* The sentence of an entry that is not a comment. */
static json_t *
entry_segments(struct req *rq, const struct activity_entry *e)
{
	const char *name[] = { "name" }, *org[] = { "org" };
	const char *who[] = { e->subject.name };
	const char *org_name[] = { e->org_name };

	switch (e->kind) {
	case ACTIVITY_CREATED:
		if (e->subject.id != 0)
			return segments(rq, "act_created_for", name, who, 1);
		return segments(rq, "act_created", NULL, NULL, 0);
	case ACTIVITY_STATUS_CHANGED:
		return status_segments(rq, e);
	case ACTIVITY_PARTICIPANT_ADDED:
		return segments(rq, "act_participant_added", name, who, 1);
	case ACTIVITY_PARTICIPANT_REMOVED:
		if (e->subject.id == e->actor.id)
			return segments(rq, "act_participant_left", name, who,
			    1);
		return segments(rq, "act_participant_removed", name, who, 1);
	case ACTIVITY_SHARED_WITH_ORG:
		return segments(rq, "act_shared_org", org, org_name, 1);
	case ACTIVITY_ATTACHMENT_ADDED:
		return segments(rq, "act_attachment_added", NULL, NULL, 0);
	case ACTIVITY_ASSIGNED:
		if (e->subject.id == 0)
			return segments(rq, "act_unassigned", NULL, NULL, 0);
		return segments(rq, "act_assigned", name, who, 1);
	case ACTIVITY_RATED:
		return segments(rq, "act_rated", (const char *[]){ "score" },
		    (const char *[]){ web_rating_label(rq, e->score) }, 1);
	case ACTIVITY_EDITED:
		return edited_segments(rq, e);
	case ACTIVITY_LINKED:
	case ACTIVITY_UNLINKED:
		return link_segments(rq, e);
	default:
		return NULL;
	}
}

static json_t *
entry_json(struct req *rq, const struct activity_entry *e)
{
	static const char *const kinds[ACTIVITY_KIND_MAX] = {
		[ACTIVITY_CREATED] = "created",
		[ACTIVITY_COMMENT] = "comment",
		[ACTIVITY_STATUS_CHANGED] = "status",
		[ACTIVITY_ATTACHMENT_ADDED] = "event",
		[ACTIVITY_PARTICIPANT_ADDED] = "event",
		[ACTIVITY_PARTICIPANT_REMOVED] = "event",
		[ACTIVITY_SHARED_WITH_ORG] = "event",
		[ACTIVITY_ASSIGNED] = "event",
		[ACTIVITY_RATED] = "event",
		[ACTIVITY_EDITED] = "event",
		[ACTIVITY_LINKED] = "event",
		[ACTIVITY_UNLINKED] = "event",
	};
	const char *html;
	json_t *j;

	j = ctx_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:b}", "kind",
	    kinds[e->kind], "author",
	    e->actor.id != 0 ? e->actor.name : web_t(rq, "activity_system"),
	    "time_text", web_time_text(rq, e->created_at), "time_iso",
	    web_time_iso(rq, e->created_at), "by_agent", e->by_agent,
	    /* "Interne Notiz": agents only; other agents-only entries (an
	     * assignment) say what they are themselves. */
	    "internal", !e->is_public && e->kind == ACTIVITY_COMMENT,
	    "has_files", e->nattachments > 0);
	if (j == NULL)
		return NULL;
	if (e->kind == ACTIVITY_COMMENT) {
		html = markdown_to_arena(rq->arena, e->body);
		if (html != NULL)
			json_object_set_new(j, "html", json_string(html));
		else
			json_object_set_new(j, "plain", json_string(e->body));
	} else {
		json_object_set_new(j, "segments", entry_segments(rq, e));
		json_object_set_new(j, "has_text", json_true());
	}
	if (e->nattachments > 0)
		json_object_set_new(j, "files",
		    web_files_json(rq, e->attachments, e->nattachments));
	return j;
}

json_t *
web_activity_entries_json(struct req *rq, const struct activity_entry *e,
    size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(arr, entry_json(rq, &e[i]));
	return arr;
}

json_t *
web_activity_json(struct req *rq, const struct request_view *v,
    struct activity_log *log)
{
	struct activity_entry *e;
	size_t n;

	if (core_activity_of_page(&rq->ctx, rq->user, v, &e, &n, log) != ZEK_OK)
		return json_array();
	/* Edits are staff's entries: only their pages name the values. */
	if (perm_is_staff(rq->user) &&
	    core_activity_describe(&rq->ctx, v, rq->lang, e, n) != ZEK_OK)
		return json_array();
	return web_activity_entries_json(rq, e, n);
}

/* ---- the comment form ---- */

int
web_comment_form_fields(struct req *rq, json_t *form, const char *label,
    const char *placeholder, const char *value,
    const struct attachment_info *kept, size_t nkept,
    const struct field_error *errs, size_t nerrs)
{
	const struct field_error *be = web_error_for(errs, nerrs,
	    WEB_COMMENT_FIELD);
	const struct field_error *fe = web_error_for(errs, nerrs,
	    WEB_FILES_FIELD);
	json_t *body, *files, *list, *elist;
	size_t i;

	body = ctx_pack("{s:s, s:s, s:s, s:b, s:b, s:s, s:b}", "key",
	    WEB_COMMENT_FIELD, "id", "f-comment", "label", label, "optional", 0,
	    "required", 1, "value", value, "is_richtext", 1);
	list = json_array();
	for (i = 0; list != NULL && i < nkept; i++)
		json_array_append_new(list,
		    ctx_pack("{s:s, s:s, s:s}", "token", kept[i].token, "name",
		        kept[i].filename, "size_text",
		        http_size_text(rq, kept[i].size)));
	files = ctx_pack("{s:s, s:s, s:s, s:b, s:b, s:b, s:o}", "key",
	    WEB_FILES_FIELD, "id", "f-attachment", "label",
	    web_t(rq, "comment_files"), "optional", 1, "required", 0,
	    "is_attachment", 1, "kept", list);
	(void)web_attach_limit(rq, files);
	elist = json_array();
	for (i = 0; elist != NULL && i < nerrs; i++)
		json_array_append_new(elist,
		    str_eq(errs[i].field, WEB_FILES_FIELD) ?
		        web_summary_item(rq, "f-attachment",
		            web_t(rq, "comment_files"), &errs[i]) :
		        web_summary_item(rq, "f-comment", label, &errs[i]));
	if (body != NULL && placeholder != NULL)
		json_object_set_new(body, "placeholder",
		    json_string(placeholder));
	if (body != NULL && be != NULL)
		json_object_set_new(body, "error",
		    json_string(http_error_text(rq, be)));
	if (files != NULL && fe != NULL)
		json_object_set_new(files, "error",
		    json_string(http_error_text(rq, fe)));
	if (!jsonalloc_take(form,
	        (const struct json_member[]){ { "body", body },
	            { "files", files }, { "errors", elist } },
	        3))
		return ZEK_NOMEM;
	json_object_set_new(form, "has_errors", json_boolean(nerrs > 0));
	return ZEK_OK;
}

static int
push_error(struct req *rq, struct field_error **errs, size_t *n,
    const struct field_error *e)
{
	struct field_error *x = arena_realloc(rq->arena, *errs, *n * sizeof(*x),
	    (*n + 1) * sizeof(*x));

	if (x == NULL)
		return ZEK_NOMEM;
	x[(*n)++] = *e;
	*errs = x;
	return ZEK_OK;
}

int
web_uploads(struct req *rq, const char *field, const char *keep_field,
    struct web_uploads *up)
{
	const struct form_field *vals[FORM_MAX_VALUES];
	struct attachment_info info;
	struct field_error e;
	const char **toks;
	size_t i, n, count = 0;
	int rc;

	*up = (struct web_uploads){ 0 };
	toks = arena_calloc(rq->arena, 2 * FORM_MAX_VALUES, sizeof(*toks));
	up->tokens = arena_calloc(rq->arena, 2 * FORM_MAX_VALUES,
	    sizeof(*up->tokens));
	if (toks == NULL || up->tokens == NULL)
		return ZEK_NOMEM;
	n = form_get_all(&rq->form, keep_field, vals);
	for (i = 0; i < n; i++)
		if (vals[i]->filename == NULL)
			toks[count++] = vals[i]->value;
	n = form_get_all(&rq->form, field, vals);
	for (i = 0; i < n; i++) {
		const struct form_field *ff = vals[i];

		if (ff->filename == NULL ||
		    (ff->filename[0] == '\0' && ff->len == 0))
			continue; /* an empty file input sends an empty part */
		if (ff->too_big) {
			e = (struct field_error){ field, "err_file_too_big",
				(int64_t)rq->app->cfg.max_file_bytes,
				ff->filename };
			rc = push_error(rq, &up->errs, &up->nerrs, &e);
		} else {
			rc = core_attachment_upload_temp(&rq->ctx, rq->user,
			    ff->filename, ff->value, ff->len, &info, &e);
			if (rc == ZEK_OK)
				toks[count++] = info.token;
			else if (rc == ZEK_INVALID)
				rc = push_error(rq, &up->errs, &up->nerrs, &e);
		}
		if (rc != ZEK_OK)
			return rc;
	}
	/* Only the user's own live uploads go on, and are offered again. */
	rc = core_attachments_temp_get(&rq->ctx, rq->user, toks, count,
	    &up->kept, &up->nkept);
	if (rc != ZEK_OK)
		return rc;
	for (i = 0; i < up->nkept; i++)
		up->tokens[up->ntokens++] = up->kept[i].token;
	return ZEK_OK;
}

int
web_comment_uploads(struct req *rq, struct web_uploads *up)
{
	return web_uploads(rq, WEB_FILES_FIELD, WEB_KEEP_FIELD, up);
}

int
web_kept_comment(struct req *rq, struct web_restore *kept,
    struct web_uploads *up, struct field_error **errs, size_t *nerrs)
{
	int rc;

	*up = (struct web_uploads){ 0 };
	*errs = NULL;
	*nerrs = 0;
	rc = web_kept_restore(rq, kept);
	if (rc != ZEK_OK || !kept->restored)
		return rc;
	rc = web_comment_uploads(rq, up);
	if (rc != ZEK_OK)
		return rc;
	return web_comment_errors(rq, up, NULL, 0, errs, nerrs);
}

int
web_comment_errors(struct req *rq, const struct web_uploads *up,
    const struct field_error *errs, size_t nerrs, struct field_error **out,
    size_t *nout)
{
	size_t i;
	int rc = ZEK_OK;

	*out = NULL;
	*nout = 0;
	for (i = 0; rc == ZEK_OK && i < nerrs; i++)
		if (str_eq(errs[i].field, WEB_COMMENT_FIELD))
			rc = push_error(rq, out, nout, &errs[i]);
	for (i = 0; rc == ZEK_OK && i < up->nerrs; i++)
		rc = push_error(rq, out, nout, &up->errs[i]);
	for (i = 0; rc == ZEK_OK && i < nerrs; i++)
		if (!str_eq(errs[i].field, WEB_COMMENT_FIELD))
			rc = push_error(rq, out, nout, &errs[i]);
	return rc;
}

/* ---- "Geteilt mit" (partials/request-sharing) ---- */

json_t *
web_shared_with_json(struct req *rq, const struct request_view *v,
    const struct request_abilities *ab, const char *base)
{
	json_t *arr = json_array(), *p;
	size_t i;
	char id[24];

	json_array_append_new(arr,
	    ctx_pack("{s:s, s:s}", "name", v->reporter.name, "role_label",
	        web_t(rq, "role_creator")));
	for (i = 0; i < v->nparticipants; i++) {
		p = ctx_pack("{s:s, s:s}", "name", v->participants[i].name,
		    "role_label", web_t(rq, "role_participant"));
		/* Core decided who may remove whom; the page only asks. */
		if (p != NULL &&
		    (ab->remove_participants ||
		        (ab->leave && v->participants[i].id == rq->user->id))) {
			snprintf(id, sizeof(id), "%lld",
			    (long long)v->participants[i].id);
			json_object_set_new(p, "remove_action",
			    json_string(arena_printf(rq->arena,
			        "%s/participants/remove", base)));
			json_object_set_new(p, "user_id", json_string(id));
		}
		json_array_append_new(arr, p);
	}
	return arr;
}

json_t *
web_share_form_json(struct req *rq, const char *base, bool failed,
    const struct field_error *err)
{
	return ctx_pack("{s:s, s:b, s:s, s:s?}", "action",
	    arena_printf(rq->arena, "%s/participants", base), "open", failed,
	    "value", failed ? web_kept(rq, "who") : "", "error",
	    failed ? http_error_text(rq, err) : NULL);
}

json_t *
web_share_orgs_json(struct req *rq, const struct request_abilities *ab,
    const char *base)
{
	json_t *arr = json_array();
	size_t i;
	char id[24];

	for (i = 0; i < ab->nshare_orgs; i++) {
		snprintf(id, sizeof(id), "%lld",
		    (long long)ab->share_org_ids[i]);
		json_array_append_new(arr,
		    ctx_pack("{s:s, s:s, s:s}", "action",
		        arena_printf(rq->arena, "%s/organisation", base),
		        "org_id", id, "label",
		        http_fmt1(rq, "share_org", "org",
		            ab->share_org_names[i])));
	}
	return arr;
}

/* The three forms of "Geteilt mit" posted to `request_id`, the same for
 * both pages: what core says. *left: the user removed themselves. */
enum zek_rc
web_sharing_post(struct req *rq, int64_t request_id, enum web_sharing_op op,
    struct field_error *err, bool *left)
{
	int64_t id;

	*left = false;
	switch (op) {
	case WEB_SHARE_ADD:
		return core_participant_add(&rq->ctx, rq->user, request_id,
		    req_form(rq, "who"), NULL, err);
	case WEB_SHARE_REMOVE:
		if (str_to_i64(req_form(rq, "user"), 1, INT64_MAX, &id) != 0)
			return ZEK_INVALID;
		*left = id == rq->user->id;
		return core_participant_remove(&rq->ctx, rq->user, request_id,
		    id);
	case WEB_SHARE_ORG:
		if (str_to_i64(req_form(rq, "org"), 1, INT64_MAX, &id) != 0)
			return ZEK_INVALID;
		return core_request_share_org(&rq->ctx, rq->user, request_id,
		    id);
	}
	return ZEK_INVALID;
}
