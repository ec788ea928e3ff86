/* Pod subresources: status (GET), log (pod_log.c), exec (pod_exec.c),
 * attach (exec_stream.c),
 * portforward (port_forward.c). */
#include <string.h>

#include "objects.h"

void huskd_pod_log (struct hreq *r, yajl_val pod);
void huskd_pod_exec (struct hreq *r, yajl_val pod);
void huskd_pod_port_forward (struct hreq *r, yajl_val pod);
void huskd_pod_attach_stream (struct hreq *r, yajl_val pod);

void
huskd_handle_pod_subresource (struct hreq *r)
{
  yajl_val pod;
  if (!r->ns || !r->name)
    return hreq_reply_status (r, api_status_new (404, "NotFound", "the server could not find "
                                                                  "the requested resource"));
  pod = api_store_get (r->d->store, "pods", r->ns, r->name);
  if (!pod)
    return hreq_reply_status (r, api_not_found ("pods", r->name));
  if (!strcmp (r->sub, "status") && r->method == EVHTTP_REQ_GET)
    return huskd_reply_object (r, &huskd_kind_pods, 200, pod);
  if (!strcmp (r->sub, "log") && r->method == EVHTTP_REQ_GET)
    return huskd_pod_log (r, pod);
  if (!strcmp (r->sub, "exec") && (r->method == EVHTTP_REQ_GET || r->method == EVHTTP_REQ_POST))
    return huskd_pod_exec (r, pod);
  if (!strcmp (r->sub, "attach") && (r->method == EVHTTP_REQ_GET || r->method == EVHTTP_REQ_POST))
    return huskd_pod_attach_stream (r, pod);
  if (!strcmp (r->sub, "portforward")
      && (r->method == EVHTTP_REQ_GET || r->method == EVHTTP_REQ_POST))
    return huskd_pod_port_forward (r, pod);
  if (!strcmp (r->sub, "status") || !strcmp (r->sub, "log") || !strcmp (r->sub, "exec")
      || !strcmp (r->sub, "portforward") || !strcmp (r->sub, "attach"))
    return huskd_method_not_allowed (r);
  hreq_reply_status (r, api_status_new (404, "NotFound", "the server could not find the "
                                                         "requested resource"));
}
