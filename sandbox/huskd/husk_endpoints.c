/* What Kubernetes has no path for, under /husk/v1/namespaces/{ns}/pods/{name}/:
 *   POST probe   run the pod's probes now, answer each result
 *   GET  holder  the sandbox's details (id, holder pid, netns, IP)
 *   POST stop    {"gracePeriodSeconds":N}: stop the containers, keep the pod
 * and GET /husk/v1/kubeconfig: the kubeconfig of the TLS listener.
 *   POST exec    {"container":..,"command":[..],"timeoutSeconds":N} ->
 *                {"stdout":..,"stderr":..,"exitCode":N} */
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "json_doc.h"
#include "jv.h"

#include "controller.h"
#include "objects.h"

/* POST .../stop {"gracePeriodSeconds": N}: the pod stays, its containers
 * stop and are not restarted; the phase becomes Succeeded or Failed. */
static void
stop_pod (struct hreq *r, yajl_val pod)
{
  cleanup_error struct husk_error *err = NULL;
  yajl_val body = NULL, copy, stored;
  long long grace = -1;
  char text[32];
  size_t len;
  if (hreq_body_raw (r, &len) && len)
    {
      struct api_status *s = hreq_body_json (r, &body);
      if (s)
        return hreq_reply_status (r, s);
      jv_int_of (body, "gracePeriodSeconds", &grace);
      yajl_tree_free (body);
    }
  copy = jv_copy (pod);
  snprintf (text, sizeof text, "%lld", grace);
  jv_set (jv_obj_at (jv_obj_at (copy, "metadata"), "annotations"), "husk.dev/stopped",
          jv_string (text));
  if (grace >= 0)
    jv_set (jv_obj_at (copy, "metadata"), "deletionGracePeriodSeconds", jv_int (grace));
  if (api_store_put (r->d->store, "pods", copy, false, &stored, &err) < 0)
    return hreq_reply_status (r, api_internal (err->message));
  huskd_controller_kick (r->d->controller, r->ns, r->name);
  huskd_reply_object (r, &huskd_kind_pods, 200, stored);
}

static void
kubeconfig (struct hreq *r)
{
  cleanup_error struct husk_error *err = NULL;
  cleanup_free char *data = NULL;
  char path[4096];
  size_t len = 0;
  snprintf (path, sizeof path, "%s/kubeconfig", r->d->opts.state_dir);
  if (!r->d->opts.listen || json_doc_read_file (path, &data, &len, &err) < 0)
    return hreq_reply_status (r, api_status_new (404, "NotFound", "no kubeconfig: huskd runs "
                                                                  "without --listen"));
  hreq_reply_text (r, 200, "application/yaml", data, len);
}

void
huskd_handle_husk (struct hreq *r)
{
  yajl_val pod;
  if (r->resource && !strcmp (r->resource, "kubeconfig") && !r->name && r->method == EVHTTP_REQ_GET)
    return kubeconfig (r);
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
  if (!strcmp (r->sub, "stop") && r->method == EVHTTP_REQ_POST)
    return stop_pod (r, pod);
  if (!strcmp (r->sub, "holder") || !strcmp (r->sub, "exec") || !strcmp (r->sub, "probe")
      || !strcmp (r->sub, "stop"))
    return huskd_method_not_allowed (r);
  hreq_reply_status (r, api_status_new (404, "NotFound", "the server could not find the "
                                                         "requested resource"));
}
