/* privacy.c: what zek holds about a person, as JSON (DSGVO Art. 15), and
 * its erasure (Art. 17), which keeps other people's requests and comments
 * whole. Both are the operator's, from the command line, and recorded. */
#include "core/privacy.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/accounts.h"
#include "core/internal.h"
#include "core/users.h"
#include "lib/arena.h"
#include "lib/str.h"
#include "lib/utf8.h"
#include "store/store.h"

#define ISO_MAX 32

/* UTC milliseconds as ISO 8601, null for 0 (never). */
static json_t *
iso(int64_t ms)
{
	char buf[ISO_MAX];
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms == 0 || gmtime_r(&t, &tm) == NULL)
		return json_null();
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

static json_t *
person_json(const struct store_user *su, const struct store_org *orgs,
    size_t norgs)
{
	json_t *o = json_pack(
	    "{s:I, s:s, s:s, s:s, s:s, s:s, s:b, s:o, s:o, s:o}", "id",
	    (json_int_t)su->id, "email", su->email, "name", su->name, "role",
	    su->role, "language", su->lang, "time_zone", su->tz,
	    "mail_notifications", su->notify, "created", iso(su->created_at),
	    "last_sign_in", iso(su->last_login_at), "deactivated",
	    iso(su->deactivated_at));
	json_t *names = json_array();
	size_t i;

	for (i = 0; names != NULL && i < norgs; i++)
		json_array_append_new(names, json_string(orgs[i].name));
	json_object_set_new(o, "organisations", names);
	return o;
}

static json_t *
requests_json(const struct store_user_request *r, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < n; i++)
		json_array_append_new(a,
		    json_pack("{s:s, s:s, s:s, s:o}", "key", r[i].key, "title",
		        r[i].title, "status", r[i].status, "created",
		        iso(r[i].created_at)));
	return a;
}

static json_t *
comments_json(const struct store_user_comment *m, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < n; i++)
		json_array_append_new(a,
		    json_pack("{s:s, s:s, s:b, s:o}", "request", m[i].key,
		        "body", m[i].body, "public", m[i].is_public, "created",
		        iso(m[i].created_at)));
	return a;
}

static json_t *
tokens_json(const struct store_token *t, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < n; i++)
		json_array_append_new(a,
		    json_pack("{s:s, s:o, s:o, s:o}", "name", t[i].name,
		        "created", iso(t[i].created_at), "expires",
		        iso(t[i].expires_at), "last_used",
		        iso(t[i].last_used_at)));
	return a;
}

static json_t *
sessions_json(const struct store_session *s, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < n; i++)
		json_array_append_new(a,
		    json_pack("{s:o, s:o, s:o}", "created",
		        iso(s[i].created_at), "last_seen", iso(s[i].last_seen),
		        "expires", iso(s[i].expires_at)));
	return a;
}

static json_t *
mails_json(const struct store_mail *m, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < n; i++)
		json_array_append_new(a,
		    json_pack("{s:s, s:s, s:s, s:o, s:o}", "event", m[i].event,
		        "to", m[i].to_addr, "state", m[i].state, "created",
		        iso(m[i].created_at), "sent", iso(m[i].sent_at)));
	return a;
}

static json_t *
audit_json(const struct store_audit *e, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a != NULL && i < n; i++)
		json_array_append_new(a,
		    json_pack("{s:o, s:s, s:s, s:s, s:s}", "at", iso(e[i].at),
		        "action", e[i].action, "by", e[i].actor_name,
		        "organisation", e[i].org_name, "detail", e[i].detail));
	return a;
}

/* Every part of the export, read in one transaction so that they agree. */
static enum zek_rc
export_parts(struct zctx *ctx, const struct store_user *su, json_t *out)
{
	struct store_user_request *rep, *part;
	struct store_user_comment *com;
	struct store_session *ses;
	struct store_token *tok;
	struct store_audit *aud;
	struct store_mail *mail;
	struct store_org *orgs;
	size_t nrep, npart, ncom, nses, ntok, naud, nmail, norgs;
	enum zek_rc rc;

	rc = store_user_orgs(ctx->db, ctx->arena, su->id, &orgs, &norgs);
	if (rc == ZEK_OK)
		rc = store_user_requests(ctx->db, ctx->arena, su->id, false,
		    &rep, &nrep);
	if (rc == ZEK_OK)
		rc = store_user_requests(ctx->db, ctx->arena, su->id, true,
		    &part, &npart);
	if (rc == ZEK_OK)
		rc = store_user_comments(ctx->db, ctx->arena, su->id, &com,
		    &ncom);
	if (rc == ZEK_OK)
		rc = store_tokens_by_user(ctx->db, ctx->arena, su->id, &tok,
		    &ntok);
	if (rc == ZEK_OK)
		rc = store_user_sessions(ctx->db, ctx->arena, su->id, &ses,
		    &nses);
	if (rc == ZEK_OK)
		rc = store_user_mails(ctx->db, ctx->arena, su->id, &mail,
		    &nmail);
	if (rc == ZEK_OK)
		rc = store_audit_list(ctx->db, ctx->arena, su->id, 0,
		    PRIVACY_AUDIT_MAX, &aud, &naud);
	if (rc != ZEK_OK)
		return rc;
	if (json_object_set_new(out, "person", person_json(su, orgs, norgs)) ||
	    json_object_set_new(out, "requests_reported",
	        requests_json(rep, nrep)) ||
	    json_object_set_new(out, "requests_participating",
	        requests_json(part, npart)) ||
	    json_object_set_new(out, "comments", comments_json(com, ncom)) ||
	    json_object_set_new(out, "api_tokens", tokens_json(tok, ntok)) ||
	    json_object_set_new(out, "sessions", sessions_json(ses, nses)) ||
	    json_object_set_new(out, "mails", mails_json(mail, nmail)) ||
	    json_object_set_new(out, "account_changes", audit_json(aud, naud)))
		return ZEK_NOMEM;
	return ZEK_OK;
}

enum zek_rc
core_user_export(struct zctx *ctx, const char *email, json_t **out)
{
	struct store_user *su;
	json_t *doc;
	enum zek_rc rc;

	*out = NULL;
	if (str_empty(email) || strlen(email) > USER_EMAIL_MAX)
		return ZEK_NOTFOUND;
	doc = json_pack("{s:o}", "exported", iso(ctx->now_ms));
	if (doc == NULL)
		return ZEK_NOMEM;
	rc = store_begin(ctx->db);
	if (rc != ZEK_OK)
		goto fail;
	rc = store_user_by_email(ctx->db, ctx->arena, email, &su);
	if (rc == ZEK_OK)
		rc = export_parts(ctx, su, doc);
	if (rc == ZEK_OK)
		rc = core_audit(ctx, NULL, "export", su->id, 0, "");
	rc = store_finish(ctx->db, rc);
	if (rc == ZEK_OK) {
		*out = doc;
		return ZEK_OK;
	}
fail:
	json_decref(doc);
	return rc;
}

/* LIKE patterns of the sign-in throttle's keys for this person
 * (core/auth.c, core/profile.c, core/sharing.c, core/accounts.c). */
static size_t
throttle_keys(struct zctx *ctx, const struct store_user *su, const char **keys)
{
	const char *fold = utf8_fold_in(ctx->arena, su->email);
	char *esc = NULL, *o;
	size_t n = 0;

	if (fold != NULL &&
	    (esc = arena_alloc(ctx->arena, 2 * strlen(fold) + 1)) != NULL) {
		for (o = esc; *fold != '\0'; fold++) {
			if (*fold == '%' || *fold == '_' || *fold == '\\')
				*o++ = '\\';
			*o++ = *fold;
		}
		*o = '\0';
	}
	keys[n++] = arena_printf(ctx->arena, "user|%lld|%%", (long long)su->id);
	keys[n++] = arena_printf(ctx->arena, "profile|%lld", (long long)su->id);
	keys[n++] = arena_printf(ctx->arena, "share|%lld", (long long)su->id);
	if (esc != NULL) {
		keys[n++] = arena_printf(ctx->arena, "email|%s|%%", esc);
		keys[n++] = arena_printf(ctx->arena, "reset|email|%s", esc);
	}
	return n;
}

enum zek_rc
core_user_erase(struct zctx *ctx, const char *email, int64_t *id_out)
{
	const char *keys[PRIVACY_THROTTLE_KEYS];
	struct store_user *su;
	enum zek_rc rc;
	size_t i, n;

	if (str_empty(email) || strlen(email) > USER_EMAIL_MAX)
		return ZEK_NOTFOUND;
	rc = store_begin(ctx->db);
	if (rc != ZEK_OK)
		return rc;
	rc = store_user_by_email(ctx->db, ctx->arena, email, &su);
	if (rc != ZEK_OK)
		return store_finish(ctx->db, rc);
	n = throttle_keys(ctx, su, keys);
	for (i = 0; i < n; i++)
		if (keys[i] == NULL)
			rc = ZEK_NOMEM;
	su->name = PRIVACY_ERASED_NAME;
	su->email = arena_printf(ctx->arena, "geloescht-%lld@" PRIVACY_DOMAIN,
	    (long long)su->id);
	if (su->email == NULL)
		rc = ZEK_NOMEM;
	if (su->deactivated_at == 0)
		su->deactivated_at = ctx->now_ms;
	if (rc == ZEK_OK)
		rc = store_user_erase(ctx->db, su, keys, n);
	if (rc == ZEK_OK)
		rc = core_audit(ctx, NULL, "erase", su->id, 0, "");
	rc = store_finish(ctx->db, rc);
	if (rc == ZEK_OK && id_out != NULL)
		*id_out = su->id;
	return rc;
}
