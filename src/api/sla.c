/* sla.c: service level agreements of a request (/request/{issueIdOrKey}/sla).
 * zek measures none yet: agents get an empty list; customers, as in JSM,
 * may not ask. */
#include "api/api.h"

#include "core/requests.h"
#include "core/users.h"

/* GET /rest/servicedeskapi/request/{issueIdOrKey}/sla */
int
api_request_sla(struct req *rq)
{
	struct request_view *v;
	struct api_page pg;

	if (api_page_parse(rq, &pg) != ZEK_OK ||
	    api_request_load(rq, 0, &v) != ZEK_OK)
		return ZEK_OK;
	if (!rq->user->is_agent)
		return api_error(rq, 403, "api_err_sla_agents", NULL);
	return api_reply_page(rq, &pg, json_array(), NULL);
}
