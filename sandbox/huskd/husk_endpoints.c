/* What Kubernetes has no path for, under /husk/v1/namespaces/{ns}/pods/{name}/:
 *   POST probe   run the pod's probes now, answer each result
 *   GET  holder  the sandbox's details (id, holder pid, netns, IP)
 *   POST exec    {"container":..,"command":[..],"timeoutSeconds":N} ->
 *                {"stdout":..,"stderr":..,"exitCode":N} */
#include <string.h>

#include "controller.h"
#include "objects.h"

void
huskd_handle_husk (struct hreq *r)
{
  yajl_val pod;
  if (!r->ns || !r->name || !r->sub || strcmp (r->resource, "pods") != 0)
    return hreq_reply_status (r, api_status_new (404, "NotFound", "the server could not find "
                                                                  "the requested resource"));
  if (!(pod = api_store_get (r->d->store, "pods", r->ns, r->name)))
    return hreq_reply_status (r, api_not_found ("pods", r->name));
  if (!strcmp (r->sub, "holder") && r->method == EVHTTP_REQ_GET)
    return huskd_controller_holder (r->d->controller, r);
  if (!strcmp (r->sub, "exec") && r->method == EVHTTP_REQ_POST)
    return huskd_controller_exec (r->d->controller, r);
  if (!strcmp (r->sub, "probe") && r->method == EVHTTP_REQ_POST)
    return huskd_controller_probe (r->d->controller, r);
  if (!strcmp (r->sub, "holder") || !strcmp (r->sub, "exec") || !strcmp (r->sub, "probe"))
    return huskd_method_not_allowed (r);
  hreq_reply_status (r, api_status_new (404, "NotFound", "the server could not find the "
                                                         "requested resource"));
}
