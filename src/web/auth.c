/* auth.c: sign in and sign out. */
#include "web/web.h"

#include <string.h>

#include "core/auth.h"
#include "core/config.h"
#include "core/perm.h"
#include "core/portal.h"
#include "core/users.h"
#include "lib/str.h"
#include "lib/utf8.h"

/* Whether s is printable ASCII without spaces: what web_need_login sends
 * (it percent-encodes the rest), and what a Location header may carry. */
static bool
is_url_text(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

/* Where to go after signing in: a local page of ours, nothing else, so
 * the login form cannot be used to send people elsewhere, nor put
 * control bytes or spaces into the Location header. */
static const char *
safe_next(struct req *rq, const char *next)
{
	(void)rq;
	if (next != NULL && str_starts(next, "/servicedesk/") &&
	    strstr(next, "//") == NULL && strchr(next, '\\') == NULL &&
	    strlen(next) < 1024 && is_url_text(next))
		return next;
	return NULL;
}

/* Why the visitor is asked to sign in again: a form sent after the
 * session ended, "kept" (web/keep.c) or not ("1"); NULL for any other
 * visit. The login form carries it on, past a mistyped password. */
static const char *
expired_flag(struct req *rq)
{
	const char *why = req_query(rq, "expired");

	if (why == NULL)
		why = req_form(rq, "expired");
	if (str_eq(why, "kept"))
		return "kept";
	return str_eq(why, "1") ? "1" : NULL;
}

static int
login_page(struct req *rq, unsigned status, const char *email,
    const char *error)
{
	json_t *page = web_page_ctx(rq, "page_login");
	const char *next = safe_next(rq, req_query(rq, "next"));
	const char *expired = expired_flag(rq);

	if (page == NULL)
		return ZEK_NOMEM;
	if (next == NULL)
		next = safe_next(rq, req_form(rq, "next"));
	json_object_set_new(page, "email",
	    json_string(
	        email != NULL && strlen(email) <= USER_EMAIL_MAX ? email : ""));
	if (error != NULL)
		json_object_set_new(page, "error", json_string(error));
	if (next != NULL)
		json_object_set_new(page, "next", json_string(next));
	if (expired != NULL) {
		json_object_set_new(page, "expired", json_string(expired));
		json_object_set_new(page, "notice",
		    json_string(web_t(rq,
		        str_eq(expired, "kept") ? "login_expired_kept" :
		                                  "login_expired")));
	}
	json_object_set_new(page, "forgot_href",
	    json_string("/servicedesk/customer/user/forgot-password"));
	if (rq->app->cfg.signup != SIGNUP_OFF)
		json_object_set_new(page, "signup_href",
		    json_string("/servicedesk/customer/user/signup"));
	web_breadcrumb(rq, page, web_t(rq, "page_portals"), WEB_HOME);
	web_breadcrumb(rq, page, web_t(rq, "page_login"), NULL);
	return web_render(rq, status, "login", page);
}

/* GET /servicedesk/customer/user/login */
int
web_login_form(struct req *rq)
{
	if (rq->user != NULL)
		return http_redirect(rq, 303, WEB_HOME);
	return login_page(rq, 200, NULL, NULL);
}

int
web_landing(struct req *rq, const char **out)
{
	struct portal_summary *list;
	size_t n;
	int rc;

	*out = WEB_HOME;
	if (perm_is_staff(rq->user)) {
		*out = WEB_AGENT;
		return ZEK_OK;
	}
	rc = core_portals_list(&rq->ctx, rq->user, &list, &n);
	if (rc != ZEK_OK)
		return rc;
	if (n == 1) {
		*out = core_portal_path(rq->arena, list[0].id);
		if (*out == NULL)
			return ZEK_NOMEM;
	}
	return ZEK_OK;
}

int
web_signed_in(struct req *rq, const struct session_new *s)
{
	int rc;

	rc = http_set_cookie(rq, WEB_SESSION_COOKIE, s->token,
	    (long)(rq->app->cfg.session_ttl_ms / 1000));
	if (rc == ZEK_OK)
		rq->user = s->user;
	return rc;
}

/* POST /servicedesk/customer/user/login */
int
web_login(struct req *rq)
{
	const char *email = req_form(rq, "email");
	const char *password = req_form(rq, "password");
	const char *next;
	struct session_new s;
	int rc;

	if (email == NULL || password == NULL ||
	    !utf8_valid(email, strlen(email)) ||
	    !utf8_valid(password, strlen(password)))
		return login_page(rq, 400, NULL, web_t(rq, "login_failed"));
	rc = core_login(&rq->ctx, email, password, rq->client_ip, &s);
	/* For the operator's watch on guessing (fail2ban and the like): the
	 * address only; what was typed may be a password in the wrong field. */
	if (rc == ZEK_INVALID || rc == ZEK_FORBIDDEN)
		log_emit(rc == ZEK_INVALID ? LOG_LEVEL_INFO : LOG_LEVEL_WARNING,
		    "web",
		    rc == ZEK_INVALID ? "sign-in failed" : "sign-in throttled",
		    LOG_FIELDS(LOG_S("client", rq->client_ip)));
	if (rc == ZEK_INVALID)
		return login_page(rq, 200, email, web_t(rq, "login_failed"));
	if (rc == ZEK_FORBIDDEN)
		return login_page(rq, 429, email, web_t(rq, "login_throttled"));
	if (rc != ZEK_OK)
		return rc;
	rc = web_signed_in(rq, &s);
	if (rc != ZEK_OK)
		return rc;
	next = safe_next(rq, req_form(rq, "next"));
	if (next == NULL && (rc = web_landing(rq, &next)) != ZEK_OK)
		return rc;
	return http_redirect(rq, 303, next);
}

/* POST /servicedesk/customer/user/logout */
int
web_logout(struct req *rq)
{
	int rc;

	if (rq->session_token != NULL) {
		rc = core_logout(&rq->ctx, rq->session_token);
		if (rc != ZEK_OK)
			return rc;
	}
	rc = http_set_cookie(rq, WEB_SESSION_COOKIE, "", -1);
	if (rc != ZEK_OK)
		return rc;
	return http_redirect(rq, 303, WEB_LOGIN);
}
