/* Graceful pod deletion as the API server does it: the first DELETE sets
 * metadata.deletionTimestamp (now + grace) and deletionGracePeriodSeconds
 * and answers the pod; the pod controller then runs preStop hooks, stops
 * the containers within the grace period, removes the sandbox and finally
 * deletes the object, which watchers see as DELETED. */
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "controller.h"
#include "jv.h"
#include "objects.h"

/* gracePeriodSeconds from the query, then from a DeleteOptions body, then
 * the pod's terminationGracePeriodSeconds. */
static long long
grace_period (struct hreq *r, yajl_val pod)
{
  const char *q = hreq_query (r, "gracePeriodSeconds");
  long long grace = 30;
  size_t len;
  if (q)
    return strtoll (q, NULL, 10);
  if (hreq_body_raw (r, &len) && len > 0)
    {
      yajl_val opts = NULL;
      struct api_status *s = hreq_body_json (r, &opts);
      bool found = !s && jv_int_of (opts, "gracePeriodSeconds", &grace);
      api_status_free (s);
      if (opts)
        yajl_tree_free (opts);
      if (found)
        return grace;
    }
  jv_int_of (jv_get (pod, "spec"), "terminationGracePeriodSeconds", &grace);
  return grace;
}

void
huskd_delete_pod (struct hreq *r, yajl_val old)
{
  cleanup_error struct husk_error *err = NULL;
  yajl_val pod, meta, stored;
  long long grace = grace_period (r, old);
  char ts[32];

  if (jv_path (old, "metadata", "deletionTimestamp", NULL))
    return huskd_reply_object (r, &huskd_kind_pods, 200, old);
  pod = jv_copy (old);
  meta = jv_obj_at (pod, "metadata");
  api_timestamp (ts, api_now () + (double) (grace < 0 ? 0 : grace));
  jv_set (meta, "deletionTimestamp", jv_string (ts));
  jv_set (meta, "deletionGracePeriodSeconds", jv_int (grace < 0 ? 0 : grace));
  if (r->dry_run)
    {
      huskd_reply_object (r, &huskd_kind_pods, 200, pod);
      yajl_tree_free (pod);
      return;
    }
  if (api_store_put (r->d->store, "pods", pod, false, &stored, &err) < 0)
    return hreq_reply_status (r, api_internal (err->message));
  huskd_reply_object (r, &huskd_kind_pods, 200, stored);
  huskd_controller_kick (r->d->controller, r->ns, r->name);
}
