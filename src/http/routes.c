/* routes.c: every URL zek answers, with the checks the router runs first. */
#include "http/router.h"
#include "http/static.h"
#include "web/web.h"

#define PAGE ROUTE_LOGIN
#define FORM (ROUTE_LOGIN | ROUTE_CSRF | ROUTE_BODY)

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
	{ "GET", "/servicedesk/customer/objects", web_objects_search,
	    ROUTE_LOGIN | ROUTE_JSON, "objects" },
	{ "POST", "/servicedesk/customer/markdown-preview", web_markdown_preview,
	    FORM, "preview" },
	{ NULL, NULL, NULL, 0, NULL },
};
