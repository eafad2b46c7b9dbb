/* account.c: the pages a person reaches without signing in: "Passwort
 * vergessen?", "Konto erstellen" (self sign-up), the link of a reset
 * mail, the link of an invitation or sign-up. */
#include "web/web.h"

#include <string.h>

#include "core/accounts.h"
#include "core/auth.h"
#include "core/config.h"
#include "core/users.h"
#include "core/validate.h"
#include "lib/str.h"
#include "lib/utf8.h"

#define FORGOT_URL "/servicedesk/customer/user/forgot-password"
#define SIGNUP_EMAIL_ID "signup-email"

/* Which page of the family, and what it shows. */
struct account_page {
	const char *mode; /* "forgot", "forgot_sent", "signup",
	                   * "signup_sent", "reset", "invite",
	                   * "invalid" */
	const char *title_key;
	const char *email; /* forgot: kept */
	const char *name;  /* invite: kept or stored */
	const struct field_error *errs;
	size_t nerrs;
	const char *error_key; /* one message above the form */
};

static const struct web_form_field link_fields[] = {
	{ "name", "a-name", "profile_name" },
	{ "new_password", "a-new", "profile_new_password" },
	{ "new_password2", "a-new2", "profile_new_password2" },
	{ "email", SIGNUP_EMAIL_ID, "login_email" },
};

/* The controls of the page and what they keep or say. */
static void
account_fields(struct req *rq, json_t *page, const struct account_page *p)
{
	const char *email = p->email != NULL &&
	        strlen(p->email) <= USER_EMAIL_MAX ?
	    p->email :
	    "";

	json_object_set_new(page, "email", json_string(email));
	json_object_set_new(page, "signup_email",
	    web_field_json(rq, p->errs, p->nerrs, "email", SIGNUP_EMAIL_ID,
	        email));
	if (rq->app->cfg.signup == SIGNUP_DOMAINS)
		json_object_set_new(page, "signup_domains",
		    json_string(rq->app->cfg.signup_domains));
	json_object_set_new(page, "name",
	    web_field_json(rq, p->errs, p->nerrs, "name", "a-name", p->name));
	json_object_set_new(page, "new",
	    web_field_json(rq, p->errs, p->nerrs, "new_password", "a-new",
	        NULL));
	json_object_set_new(page, "new2",
	    web_field_json(rq, p->errs, p->nerrs, "new_password2", "a-new2",
	        NULL));
	json_object_set_new(page, "pw_required", json_true());
	if (p->nerrs > 0) {
		json_object_set_new(page, "has_errors", json_true());
		json_object_set_new(page, "errors",
		    web_summary_json(rq, p->errs, p->nerrs, link_fields,
		        ZEK_ARRAY_LEN(link_fields)));
	}
}

static int
account_render(struct req *rq, unsigned status, const struct account_page *p)
{
	json_t *page = web_page_ctx(rq, p->title_key);
	const char *mode_key = arena_printf(rq->arena, "mode_%s", p->mode);

	if (page == NULL || mode_key == NULL)
		return ZEK_NOMEM;
	account_fields(rq, page, p);
	json_object_set_new(page, mode_key, json_true());
	json_object_set_new(page, "action", json_string(rq->path));
	json_object_set_new(page, "forgot_href", json_string(FORGOT_URL));
	if (p->error_key != NULL)
		json_object_set_new(page, "error",
		    json_string(web_t(rq, p->error_key)));
	web_breadcrumb(rq, page, web_t(rq, "page_portals"), WEB_HOME);
	web_breadcrumb(rq, page, web_t(rq, p->title_key), NULL);
	return web_render(rq, status, "account", page);
}

/* ---- "Passwort vergessen?" ---- */

/* The empty form of a page that asks for an address (?email= fills it
 * in); someone signed in goes home. */
static int
address_form(struct req *rq, const char *mode, const char *title_key)
{
	struct account_page p = { .mode = mode, .title_key = title_key };

	if (rq->user != NULL)
		return http_redirect(rq, 303, WEB_HOME);
	p.email = req_query(rq, "email");
	if (p.email != NULL && !utf8_valid(p.email, strlen(p.email)))
		p.email = NULL;
	return account_render(rq, 200, &p);
}

/* GET /servicedesk/customer/user/forgot-password */
int
web_forgot_form(struct req *rq)
{
	return address_form(rq, "forgot", "page_forgot");
}

/* POST /servicedesk/customer/user/forgot-password: the same page for a
 * known and an unknown address. */
int
web_forgot(struct req *rq)
{
	struct account_page p = { .mode = "forgot",
		.title_key = "page_forgot" };
	const char *email = req_form(rq, "email");
	int rc;

	if (email != NULL && !utf8_valid(email, strlen(email))) {
		p.error_key = "err_invalid_utf8";
		return account_render(rq, 422, &p);
	}
	p.email = email;
	if (str_empty(email) || strlen(email) > USER_EMAIL_MAX) {
		p.error_key = "forgot_email_missing";
		return account_render(rq, 422, &p);
	}
	rc = core_password_reset_request(&rq->ctx, NULL, p.email,
	    rq->client_ip != NULL ? rq->client_ip : "", NULL);
	if (rc == ZEK_FORBIDDEN) {
		p.error_key = "forgot_throttled";
		return account_render(rq, 429, &p);
	}
	if (rc != ZEK_OK)
		return rc;
	p.mode = "forgot_sent";
	return account_render(rq, 200, &p);
}

/* ---- "Konto erstellen" ---- */

/* GET /servicedesk/customer/user/signup: not there when sign-up is off. */
int
web_signup_form(struct req *rq)
{
	if (rq->app->cfg.signup == SIGNUP_OFF)
		return ZEK_NOTFOUND;
	return address_form(rq, "signup", "page_signup");
}

/* POST of the same: one answer for every address the rules admit (see
 * core_signup); a refused one is told so next to the field. */
int
web_signup(struct req *rq)
{
	struct account_page p = { .mode = "signup",
		.title_key = "page_signup" };
	struct field_error err = { .field = "email" };
	const char *email = req_form(rq, "email");
	int rc;

	/* Every message goes next to the one field. */
	p.errs = &err;
	p.nerrs = 1;
	if (email != NULL && !utf8_valid(email, strlen(email))) {
		err.key = "err_invalid_utf8";
		return account_render(rq, 422, &p);
	}
	p.email = email;
	rc = core_signup(&rq->ctx, email != NULL ? email : "", rq->lang,
	    rq->client_ip != NULL ? rq->client_ip : "", &err.key);
	if (rc == ZEK_INVALID)
		return account_render(rq, 422, &p);
	if (rc == ZEK_FORBIDDEN) {
		err.key = "forgot_throttled";
		return account_render(rq, 429, &p);
	}
	if (rc != ZEK_OK)
		return rc;
	p.nerrs = 0;
	p.mode = "signup_sent";
	return account_render(rq, 200, &p);
}

/* ---- the pages of the links ---- */

static const char *
purpose_of(struct req *rq, const char **title_key)
{
	bool invite = strstr(rq->path, "/invitation/") != NULL;

	*title_key = invite ? "page_invitation" : "page_reset";
	return invite ? ACCOUNT_LINK_INVITE : ACCOUNT_LINK_RESET;
}

static int
link_invalid(struct req *rq, const char *title_key)
{
	struct account_page p = { .mode = "invalid", .title_key = title_key };

	return account_render(rq, 404, &p);
}

/* GET .../reset-password/{token} and .../invitation/{token}. Someone
 * signed in who opens a link sees it too: the link may be for another
 * person at the same browser. */
int
web_account_link_form(struct req *rq)
{
	struct account_page p = { 0 };
	struct person who;
	const char *purpose = purpose_of(rq, &p.title_key);
	int rc;

	rc = core_account_link_check(&rq->ctx, req_param_str(rq, "token"),
	    purpose, &who);
	if (rc == ZEK_NOTFOUND)
		return link_invalid(rq, p.title_key);
	if (rc != ZEK_OK)
		return rc;
	p.mode = str_eq(purpose, ACCOUNT_LINK_INVITE) ? "invite" : "reset";
	p.email = who.email;
	/* An invited person's stored name is their address until they
	 * choose one. */
	p.name = str_eq(who.name, who.email) ? "" : who.name;
	return account_render(rq, 200, &p);
}

/* Signed in now: to where a sign-in leads, with a word of welcome. */
static int
land(struct req *rq, const char *notice)
{
	const char *to, *url;
	int rc;

	rc = web_landing(rq, &to);
	if (rc != ZEK_OK)
		return rc;
	url = arena_printf(rq->arena, "%s%snotice=%s", to,
	    strchr(to, '?') != NULL ? "&" : "?", notice);
	return url != NULL ? http_redirect(rq, 303, url) : ZEK_NOMEM;
}

/* POST of the same: set the password (and name), sign in, go on. */
int
web_account_link(struct req *rq)
{
	struct account_page p = { 0 };
	struct field_error errs[ACCOUNT_MAX_ERRORS];
	struct account_setup in = {
		.name = req_form(rq, "name"),
		.password = req_form(rq, "new_password"),
		.password2 = req_form(rq, "new_password2"),
	};
	const char *purpose = purpose_of(rq, &p.title_key);
	const char *token = req_param_str(rq, "token");
	struct session_new s;
	struct person who;
	int rc;

	rc = core_account_link_finish(&rq->ctx, token, purpose, &in, errs,
	    &p.nerrs, &s);
	if (rc == ZEK_NOTFOUND)
		return link_invalid(rq, p.title_key);
	if (rc == ZEK_INVALID) {
		rc = core_account_link_check(&rq->ctx, token, purpose, &who);
		if (rc == ZEK_NOTFOUND)
			return link_invalid(rq, p.title_key);
		if (rc != ZEK_OK)
			return rc;
		p.mode = str_eq(purpose, ACCOUNT_LINK_INVITE) ? "invite" :
		                                                "reset";
		p.email = who.email;
		p.name = web_kept(rq, "name");
		p.errs = errs;
		return account_render(rq, 422, &p);
	}
	if (rc != ZEK_OK)
		return rc;
	rc = web_signed_in(rq, &s);
	if (rc != ZEK_OK)
		return rc;
	return land(rq,
	    str_eq(purpose, ACCOUNT_LINK_INVITE) ? "welcome" : "password_set");
}
