/* /api/v1/namespaces/{ns}/pods[/{name}]: create with admission (types,
 * defaults, validation, limit ranges, quota), get/list/watch, patch and
 * replace within what a Pod update may change, graceful delete.  The pod
 * controller reacts to the store's changes; this file only admits. */
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "defaults.h"
#include "events.h"
#include "jv.h"
#include "limitrange.h"
#include "objmeta.h"
#include "objects.h"
#include "patch.h"
#include "sandbox/pod/sandbox.h"
#include "quota.h"
#include "update.h"
#include "validate.h"

static struct api_status *
admit_limits_and_quota (struct huskd *d, const char *ns, yajl_val pod)
{
  size_t nr, nq, np = 0;
  cleanup_free yajl_val *ranges = api_store_list (d->store, "limitranges", ns, &nr);
  cleanup_free yajl_val *quotas = api_store_list (d->store, "resourcequotas", ns, &nq);
  /* the namespace's pods only count against a quota */
  cleanup_free yajl_val *pods = nq ? api_store_list (d->store, "pods", ns, &np) : NULL;
  struct api_status *s = api_limitrange_admit (pod, ranges, nr);
  return s ? s : api_quota_admit (pod, quotas, nq, pods, np);
}

/* The sandbox's own check of the pod (pod_spec.c), as a 422 naming the
 * field: a pod it would refuse is refused now, not stored and left
 * Pending.  The volumes huskd itself fills (configMap, secret,
 * downwardAPI, projected) reach the sandbox as directories: checked as
 * emptyDirs here. */
static struct api_status *
admit_sandbox (yajl_val pod)
{
  cleanup_error struct husk_error *err = NULL;
  cleanup_jv yajl_val copy = jv_copy (pod);
  yajl_val vols = jv_path (copy, "spec", "volumes", NULL);
  static const char *const filled[] = { "configMap", "secret", "downwardAPI", "projected" };
  size_t len;
  for (size_t i = 0; YAJL_IS_ARRAY (vols) && i < vols->u.array.len; i++)
    for (size_t j = 0; j < sizeof filled / sizeof *filled; j++)
      if (jv_get (vols->u.array.values[i], filled[j]))
        {
          jv_del (vols->u.array.values[i], filled[j]);
          jv_set (vols->u.array.values[i], "emptyDir", jv_object ());
        }
  cleanup_free char *json = jv_dump (copy, &len);
  if (husk_pod_spec_check (json, len, &err) == 0)
    return NULL;
  const char *msg = err->message, *sep;
  if (!strncmp (msg, "pod: ", 5))
    msg += 5;
  struct api_status *s = api_invalid_new ("Pod", jv_str (jv_get (pod, "metadata"), "name"));
  cleanup_free char *field = (sep = strstr (msg, ": ")) ? strndup (msg, (size_t) (sep - msg)) : NULL;
  if (field && strchr (field, ' ') == NULL)
    api_invalid_add (s, "FieldValueForbidden", field, "Forbidden: %s", sep + 2);
  else
    api_invalid_add (s, "FieldValueForbidden", "spec", "Forbidden: %s", msg);
  api_invalid_finish (s);
  return s;
}

void
huskd_quota_fill (struct huskd *d, const char *ns, yajl_val quota)
{
  size_t np;
  cleanup_free yajl_val *pods = api_store_list (d->store, "pods", ns, &np);
  api_quota_refresh (quota, pods, np);
  huskd_quota_count_objects (d, ns, quota);
}

/* Keeps every quota's status.used true after pods come and go. */
void
huskd_quota_refresh (struct huskd *d, const char *ns)
{
  size_t nq, np = 0;
  cleanup_free yajl_val *quotas = api_store_list (d->store, "resourcequotas", ns, &nq);
  cleanup_free yajl_val *pods = nq ? api_store_list (d->store, "pods", ns, &np) : NULL;
  for (size_t i = 0; i < nq; i++)
    {
      cleanup_error struct husk_error *err = NULL;
      yajl_val q = jv_copy (quotas[i]);
      api_quota_refresh (q, pods, np);
      huskd_quota_count_objects (d, ns, q);
      if (jv_equal (q, quotas[i]))
        yajl_tree_free (q);
      else
        api_store_put (d->store, "resourcequotas", q, false, NULL, &err);
    }
}

static void
initial_status (yajl_val pod)
{
  yajl_val status = jv_set (pod, "status", jv_object ());
  yajl_val conds = jv_set (status, "conditions", jv_array ());
  yajl_val c = jv_object ();
  char now[32];
  api_timestamp (now, api_now ());
  jv_set (status, "phase", jv_string ("Pending"));
  jv_set (status, "qosClass", jv_string (husk_pod_qos_class (pod)));
  jv_set (c, "type", jv_string ("PodScheduled"));
  jv_set (c, "status", jv_string ("True"));
  jv_set (c, "lastProbeTime", jv_null ());
  jv_set (c, "lastTransitionTime", jv_string (now));
  jv_push (conds, c);
}

static struct api_status *
admit_new_pod (struct hreq *r, yajl_val pod)
{
  yajl_val meta;
  const char *ns;
  struct api_status *s = api_pod_check_types (pod);
  if (s || (s = api_check_kind (pod, "Pod")) || (s = api_quantities_decode (pod, "Pod")))
    return s;
  meta = jv_obj_at (pod, "metadata");
  ns = jv_str (meta, "namespace");
  if (ns && strcmp (ns, r->ns) != 0)
    return api_bad_request ("the namespace of the provided object does not match the namespace "
                            "sent on the request");
  jv_set (meta, "namespace", jv_string (r->ns));
  huskd_stamp_kind (pod, "Pod");
  if (!jv_get (pod, "spec"))
    jv_set (pod, "spec", jv_object ());
  api_pod_set_defaults (pod);
  if ((s = api_pod_validate (pod)) || (s = api_object_validate (pod, "Pod"))
      || (s = admit_sandbox (pod)) || (s = huskd_namespace_must_exist (r->d, r->ns)))
    return s;
  if (api_store_get (r->d->store, "pods", r->ns, jv_str (meta, "name")))
    return api_already_exists ("pods", jv_str (meta, "name"));
  jv_del (meta, "deletionTimestamp");
  jv_del (meta, "resourceVersion");
  return admit_limits_and_quota (r->d, r->ns, pod);
}

static void
create_pod (struct hreq *r)
{
  cleanup_error struct husk_error *err = NULL;
  yajl_val body = NULL, stored;
  struct api_status *s = hreq_body_json (r, &body);
  cleanup_jv yajl_val pod = body;
  char msg[512];

  if (s || (s = admit_new_pod (r, pod)))
    return hreq_reply_status (r, s);
  initial_status (pod);
  /* bound at once, as the scheduler's binding sets it */
  if (!jv_str (jv_get (pod, "spec"), "nodeName"))
    jv_set (jv_get (pod, "spec"), "nodeName", jv_string (huskd_node_name ()));
  if (r->dry_run)
    return huskd_reply_object (r, &huskd_kind_pods, 201, pod);
  if (api_store_put (r->d->store, "pods", steal_pointer (&pod), false, &stored, &err) < 0)
    return hreq_reply_status (r, api_internal (err->message));
  snprintf (msg, sizeof msg, "Successfully assigned %s/%s to %s", r->ns,
            jv_str (jv_get (stored, "metadata"), "name"), huskd_node_name ());
  api_event_record (r->d->store, stored, "Normal", "Scheduled", NULL, msg, &err);
  huskd_quota_refresh (r->d, r->ns);
  huskd_reply_object (r, &huskd_kind_pods, 201,
                      api_store_get (r->d->store, "pods", r->ns, jv_str (jv_get (stored, "metadata"), "name")));
}

/* Stores an updated pod after the update rules; spec changes bump the
 * generation. */
static void
store_update (struct hreq *r, yajl_val old, yajl_val updated)
{
  cleanup_error struct husk_error *err = NULL;
  cleanup_jv yajl_val owned = updated;
  yajl_val stored;
  struct api_status *s = api_pod_check_types (updated);
  bool spec_changed;

  if (s || (s = api_check_kind (updated, "Pod")) || (s = api_quantities_decode (updated, "Pod")))
    return hreq_reply_status (r, s);
  huskd_stamp_kind (updated, "Pod");
  api_pod_set_defaults (updated);
  if ((s = api_pod_validate_update (old, updated)) || (s = api_object_validate (updated, "Pod")))
    return hreq_reply_status (r, s);
  /* what clients may not write: identity and status stay the server's */
  jv_set (updated, "status", jv_copy (jv_get (old, "status")));
  jv_set (jv_obj_at (updated, "metadata"), "uid", jv_copy (jv_path (old, "metadata", "uid", NULL)));
  jv_set (jv_obj_at (updated, "metadata"), "creationTimestamp",
          jv_copy (jv_path (old, "metadata", "creationTimestamp", NULL)));
  jv_set (jv_obj_at (updated, "metadata"), "generation",
          jv_copy (jv_path (old, "metadata", "generation", NULL)));
  spec_changed = !jv_equal (jv_get (old, "spec"), jv_get (updated, "spec"));
  if (huskd_unchanged (old, updated))
    return huskd_reply_object (r, &huskd_kind_pods, 200, old);
  if (r->dry_run)
    {
      jv_set (jv_obj_at (updated, "metadata"), "resourceVersion",
              jv_copy (jv_path (old, "metadata", "resourceVersion", NULL)));
      return huskd_reply_object (r, &huskd_kind_pods, 200, updated);
    }
  if (api_store_put (r->d->store, "pods", steal_pointer (&owned), spec_changed, &stored, &err) < 0)
    return hreq_reply_status (r, api_internal (err->message));
  huskd_reply_object (r, &huskd_kind_pods, 200, stored);
}

static bool
is_strategic (const char *ct)
{
  return ct && strncmp (ct, "application/strategic-merge-patch+json", 38) == 0;
}

static void
patch_pod (struct hreq *r, yajl_val old)
{
  const char *ct = hreq_header (r, "Content-Type");
  yajl_val patch = NULL, merged = NULL;
  struct api_status *s;
  bool json_patch = ct && strncmp (ct, "application/json-patch+json", 27) == 0;
  if ((s = hreq_body_json (r, &patch)))
    return hreq_reply_status (r, s);
  s = json_patch ? api_json_patch (old, patch, &merged)
                 : api_merge_patch (old, patch, is_strategic (ct), &merged);
  yajl_tree_free (patch);
  if (s)
    return hreq_reply_status (r, s);
  store_update (r, old, merged);
}

static void
replace_pod (struct hreq *r, yajl_val old)
{
  yajl_val body = NULL;
  struct api_status *s = hreq_body_json (r, &body);
  if (s)
    return hreq_reply_status (r, s);
  store_update (r, old, body);
}

void
huskd_handle_pods (struct hreq *r)
{
  yajl_val old;
  if (r->sub)
    return huskd_handle_pod_subresource (r);
  if (r->method == EVHTTP_REQ_GET)
    return r->name ? huskd_get (r, &huskd_kind_pods) : huskd_list (r, &huskd_kind_pods);
  if (!r->ns)
    return huskd_method_not_allowed (r);
  if (r->method == EVHTTP_REQ_POST && !r->name)
    return create_pod (r);
  if (!r->name)
    return huskd_method_not_allowed (r);
  if (!(old = api_store_get (r->d->store, "pods", r->ns, r->name)))
    return hreq_reply_status (r, api_not_found ("pods", r->name));
  switch (r->method)
    {
    case EVHTTP_REQ_PATCH:
      return patch_pod (r, old);
    case EVHTTP_REQ_PUT:
      return replace_pod (r, old);
    case EVHTTP_REQ_DELETE:
      return huskd_delete_pod (r, old);
    default:
      return huskd_method_not_allowed (r);
    }
}
