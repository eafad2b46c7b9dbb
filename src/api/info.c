/* info.c: what clients ask first: /info, the platform's serverInfo, myself. */
#include "api/api.h"

#include "core/users.h"

/* The JSM and Jira releases whose API shapes zek follows; clients read
 * them to pick features (python3-jira needs versionNumbers). */
#define API_JSM_VERSION "5.12.0"
#define API_JIRA_VERSION "9.12.0"
#define API_JIRA_MAJOR 9
#define API_JIRA_MINOR 12
#define API_JIRA_PATCH 0
#define API_BUILD "zek-0.1.0"
#define API_BUILD_DATE_MS INT64_C(1795737600000) /* 2026-11-27 UTC */

/* GET /rest/servicedeskapi/info */
int
api_info(struct req *rq)
{
	return api_reply(rq, 200,
	    json_pack("{s:s, s:s, s:o?, s:s, s:b, s:{s:s?}}", "version",
	        API_JSM_VERSION, "platformVersion", API_JIRA_VERSION,
	        "buildDate", api_date(rq, API_BUILD_DATE_MS), "buildChangeSet",
	        API_BUILD, "isLicensedForUse", 1, "_links", "self",
	        api_url(rq, API_SD "/info")));
}

/* GET /rest/api/2/serverInfo: python3-jira's constructor reads it. */
int
api_server_info(struct req *rq)
{
	json_t *now = api_date(rq, rq->ctx.now_ms);
	json_t *body;

	/* The platform API writes times as plain strings. */
	body = json_pack("{s:s?, s:s, s:[i, i, i], s:s, s:i, s:s, s:O?, s:s, "
	                 "s:s}",
	    "baseUrl", api_base(rq), "version", API_JIRA_VERSION,
	    "versionNumbers", API_JIRA_MAJOR, API_JIRA_MINOR, API_JIRA_PATCH,
	    "deploymentType", "Server", "buildNumber",
	    API_JIRA_MAJOR * 100000 + API_JIRA_MINOR * 1000, "buildDate",
	    "2026-11-27T00:00:00.000+0000", "serverTime",
	    json_object_get(now, "jira"), "scmInfo", API_BUILD, "serverTitle",
	    "zek");
	json_decref(now);
	return api_reply(rq, 200, body);
}

/* GET /rest/api/2/myself: who the token belongs to (a quick token check). */
int
api_myself(struct req *rq)
{
	const struct user *u = rq->user;

	return api_reply(rq, 200,
	    api_user_json(api_base(rq), u->id, u->email, u->name, u->tz));
}
