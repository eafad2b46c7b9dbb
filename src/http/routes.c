/* routes.c: every URL zek answers, with the checks the router runs first. */
#include "api/api.h"
#include "http/router.h"
#include "http/static.h"
#include "web/web.h"

#define PAGE ROUTE_LOGIN
#define FORM (ROUTE_LOGIN | ROUTE_CSRF | ROUTE_BODY)
#define API (ROUTE_API | ROUTE_JSON)    /* token auth, JSM error bodies */

const struct route routes[] = {
	{ "GET", "/", web_root, 0, "root" },
	{ "GET", "/healthz", web_healthz, 0, "healthz" },
	{ "GET", "/metrics", web_metrics, 0, "metrics" },
	{ "GET", "/static/{v}/{*}", http_static, ROUTE_PUBLIC, "static" },
	{ "GET", "/servicedesk/customer/user/login", web_login_form, 0, "login" },
	{ "POST", "/servicedesk/customer/user/login", web_login,
	    ROUTE_CSRF | ROUTE_BODY, "login" },
	{ "POST", "/servicedesk/customer/user/logout", web_logout, FORM, "logout" },
	{ "GET", "/servicedesk/customer/portals", web_portals, PAGE, "portals" },
	{ "GET", "/servicedesk/customer/portal/{pid}", web_portal, PAGE, "portal" },
	{ "GET", "/servicedesk/customer/portal/{pid}/create/{tid}",
	    web_create_form, PAGE, "create" },
	{ "POST", "/servicedesk/customer/portal/{pid}/create/{tid}", web_create,
	    FORM, "create" },
	{ "GET", "/servicedesk/customer/portal/{pid}/{key}", web_request_show,
	    PAGE, "request" },
	{ "GET", "/servicedesk/customer/attachments/{id}", web_attachment, PAGE,
	    "attachment" },
	/* The request page's forms (web/request.c). */
	{ "POST", "/servicedesk/customer/portal/{pid}/{key}/comment",
	    web_request_comment, FORM, "request_comment" },
	{ "POST", "/servicedesk/customer/portal/{pid}/{key}/notifications",
	    web_request_notify, FORM, "request_notify" },
	{ "POST", "/servicedesk/customer/portal/{pid}/{key}/participants",
	    web_request_share, FORM, "request_share" },
	{ "POST", "/servicedesk/customer/portal/{pid}/{key}/participants/remove",
	    web_request_unshare, FORM, "request_share" },
	{ "POST", "/servicedesk/customer/portal/{pid}/{key}/organisation",
	    web_request_share_org, FORM, "request_share" },
	{ "GET", "/servicedesk/customer/portal/{pid}/{key}/withdraw",
	    web_request_withdraw_form, PAGE, "request_withdraw" },
	{ "POST", "/servicedesk/customer/portal/{pid}/{key}/withdraw",
	    web_request_withdraw, FORM, "request_withdraw" },
	{ "GET", "/servicedesk/customer/objects", web_objects_search,
	    ROUTE_LOGIN | ROUTE_JSON, "objects" },
	{ "POST", "/servicedesk/customer/markdown-preview", web_markdown_preview,
	    FORM, "preview" },
	/* "Anfragen": the list of requests with filters and search
	 * (web/requests.c). */
	{ "GET", "/servicedesk/customer/user/requests", web_requests, PAGE,
	    "requests" },
	/* Profile and personal access tokens (web/profile.c). */
	{ "GET", "/servicedesk/customer/user/profile", web_profile, PAGE,
	    "profile" },
	{ "POST", "/servicedesk/customer/user/profile", web_profile_save, FORM,
	    "profile" },
	{ "POST", "/servicedesk/customer/user/profile/preferences",
	    web_profile_prefs, FORM, "profile" },
	{ "POST", "/servicedesk/customer/user/profile/tokens", web_token_create,
	    FORM, "profile" },
	{ "POST", "/servicedesk/customer/user/profile/tokens/{id}/revoke",
	    web_token_revoke, FORM, "profile" },
	/* REST API (src/api/, one file per endpoint family). New endpoints go
	 * above the catch-all lines at the end of this block. */
	{ "GET", "/rest/servicedeskapi/info", api_info, API, "api_info" },
	{ "GET", "/rest/servicedeskapi/servicedesk", api_servicedesks, API,
	    "api_servicedesk" },
	{ "GET", "/rest/servicedeskapi/servicedesk/{sd}", api_servicedesk, API,
	    "api_servicedesk" },
	{ "GET", "/rest/servicedeskapi/servicedesk/{sd}/requesttypegroup",
	    api_requesttype_groups, API, "api_requesttype" },
	{ "GET", "/rest/servicedeskapi/servicedesk/{sd}/requesttype",
	    api_requesttypes, API, "api_requesttype" },
	{ "GET", "/rest/servicedeskapi/servicedesk/{sd}/requesttype/{rt}",
	    api_requesttype, API, "api_requesttype" },
	{ "GET", "/rest/servicedeskapi/servicedesk/{sd}/requesttype/{rt}/field",
	    api_requesttype_fields, API, "api_requesttype" },
	{ "GET", "/rest/api/2/serverInfo", api_server_info, API, "api_platform" },
	{ "GET", "/rest/api/2/myself", api_myself, API, "api_platform" },
	{ "GET", "/rest/{*}", api_not_found, API, "api_unknown" },
	{ "POST", "/rest/{*}", api_not_found, API | ROUTE_BODY, "api_unknown" },
	{ "PUT", "/rest/{*}", api_not_found, API | ROUTE_BODY, "api_unknown" },
	{ "DELETE", "/rest/{*}", api_not_found, API | ROUTE_BODY, "api_unknown" },
	{ NULL, NULL, NULL, 0, NULL },
};
