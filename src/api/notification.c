/* notification.c: the caller's e-mail notifications about one request
 * (/request/{issueIdOrKey}/notification). */
#include "api/api.h"

#include "core/requests.h"
#include "core/sharing.h"

/* GET /rest/servicedeskapi/request/{issueIdOrKey}/notification */
int
api_notification(struct req *rq)
{
	struct request_view *v;

	if (api_request_load(rq, &v) != ZEK_OK)
		return ZEK_OK;
	return api_reply(rq, 200,
	    json_pack("{s:b}", "subscribed", !v->notify_muted));
}

static int
set_muted(struct req *rq, bool muted)
{
	struct request_view *v;
	int rc;

	if (api_request_load(rq, &v) != ZEK_OK)
		return ZEK_OK;
	/* Allowed to everyone who sees the request, also once it is closed. */
	rc = core_request_notify_set(&rq->ctx, rq->user, v->id, muted);
	if (rc != ZEK_OK)
		return rc;
	return api_reply_empty(rq, 204);
}

/* PUT /rest/servicedeskapi/request/{issueIdOrKey}/notification */
int
api_notification_subscribe(struct req *rq)
{
	return set_muted(rq, false);
}

/* DELETE /rest/servicedeskapi/request/{issueIdOrKey}/notification */
int
api_notification_unsubscribe(struct req *rq)
{
	return set_muted(rq, true);
}
