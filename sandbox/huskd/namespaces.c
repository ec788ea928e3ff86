/* /api/v1/namespaces[/{name}]: create (JSON, or the protobuf kubectl may
 * send), get/list/watch, delete.  Deleting a namespace marks it
 * Terminating and deletes its pods; the controller removes it (with its
 * quotas, limit ranges and events) once no pod is left. */
#include <string.h>

#include "cleanup.h"
#include "controller.h"
#include "jv.h"
#include "objects.h"
#include "objmeta.h"
#include "validate.h"

static yajl_val
new_namespace (const char *name)
{
  yajl_val ns = jv_object ();
  huskd_stamp_kind (ns, "Namespace");
  jv_set (jv_obj_at (ns, "metadata"), "name", jv_string (name));
  jv_set (jv_obj_at (jv_obj_at (ns, "metadata"), "labels"), "kubernetes.io/metadata.name",
          jv_string (name));
  jv_set (jv_obj_at (ns, "spec"), "finalizers", jv_array ());
  jv_push (jv_path (ns, "spec", "finalizers", NULL), jv_string ("kubernetes"));
  jv_set (jv_obj_at (ns, "status"), "phase", jv_string ("Active"));
  return ns;
}

int
huskd_namespaces_bootstrap (struct huskd *d, struct husk_error **err)
{
  const char *builtin[] = { "default", "kube-system", "kube-public", "kube-node-lease" };
  for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
    if (!api_store_get (d->store, "namespaces", NULL, builtin[i])
        && api_store_put (d->store, "namespaces", new_namespace (builtin[i]), false, NULL, err) < 0)
      return -1;
  return 0;
}

static void
create_namespace (struct hreq *r)
{
  cleanup_error struct husk_error *err = NULL;
  cleanup_jv yajl_val body = NULL;
  yajl_val ns, stored;
  struct api_status *s = hreq_body_json (r, &body);
  const char *name;

  if (s)
    return hreq_reply_status (r, s);
  if (body->type != yajl_t_object)
    return hreq_reply_status (r, api_bad_request ("the body must be a JSON object"));
  if ((s = api_check_kind (body, "Namespace")) || (s = api_namespace_validate (body))
      || (s = api_object_validate (body, "Namespace")))
    return hreq_reply_status (r, s);
  name = jv_str (jv_get (body, "metadata"), "name");
  if (api_store_get (r->d->store, "namespaces", NULL, name))
    return hreq_reply_status (r, api_already_exists ("namespaces", name));
  ns = new_namespace (name);
  if (jv_path (body, "metadata", "annotations", NULL))
    jv_set (jv_obj_at (ns, "metadata"), "annotations",
            jv_copy (jv_path (body, "metadata", "annotations", NULL)));
  if (jv_path (body, "metadata", "labels", NULL))
    {
      yajl_val labels = jv_path (body, "metadata", "labels", NULL);
      for (size_t i = 0; labels->type == yajl_t_object && i < labels->u.object.len; i++)
        jv_set (jv_path (ns, "metadata", "labels", NULL), labels->u.object.keys[i],
                jv_copy (labels->u.object.values[i]));
    }
  if (r->dry_run)
    {
      huskd_reply_object (r, &huskd_kind_namespaces, 201, ns);
      yajl_tree_free (ns);
      return;
    }
  if (api_store_put (r->d->store, "namespaces", ns, false, &stored, &err) < 0)
    return hreq_reply_status (r, api_internal (err->message));
  huskd_reply_object (r, &huskd_kind_namespaces, 201, stored);
}

static void
delete_namespace (struct hreq *r)
{
  cleanup_error struct husk_error *err = NULL;
  yajl_val old = api_store_get (r->d->store, "namespaces", NULL, r->name), ns, stored;
  char ts[32];
  if (!old)
    return hreq_reply_status (r, api_not_found ("namespaces", r->name));
  if (!strcmp (r->name, "default") || !strcmp (r->name, "kube-system")
      || !strcmp (r->name, "kube-public"))
    return hreq_reply_status (r, api_forbidden ("namespaces", r->name,
                                                "this namespace may not be deleted"));
  ns = jv_copy (old);
  api_timestamp (ts, api_now ());
  if (!jv_path (ns, "metadata", "deletionTimestamp", NULL))
    jv_set (jv_obj_at (ns, "metadata"), "deletionTimestamp", jv_string (ts));
  jv_set (jv_obj_at (ns, "status"), "phase", jv_string ("Terminating"));
  if (r->dry_run)
    {
      huskd_reply_object (r, &huskd_kind_namespaces, 200, ns);
      yajl_tree_free (ns);
      return;
    }
  if (api_store_put (r->d->store, "namespaces", ns, false, &stored, &err) < 0)
    return hreq_reply_status (r, api_internal (err->message));
  huskd_reply_object (r, &huskd_kind_namespaces, 200, stored);
  huskd_controller_delete_namespace (r->d->controller, r->name);
}

void
huskd_handle_namespaces (struct hreq *r)
{
  /* /api/v1/namespaces/{ns} arrives with ns set and no resource name */
  if (r->ns && !r->name)
    {
      r->name = r->ns;
      r->ns = NULL;
    }
  else if (r->ns)
    return hreq_reply_status (r, api_not_found ("namespaces", r->name));
  if (r->method == EVHTTP_REQ_GET)
    return r->name ? huskd_get (r, &huskd_kind_namespaces) : huskd_list (r, &huskd_kind_namespaces);
  if (r->method == EVHTTP_REQ_POST && !r->name)
    return create_namespace (r);
  if (r->method == EVHTTP_REQ_DELETE && r->name)
    return delete_namespace (r);
  if ((r->method == EVHTTP_REQ_PATCH || r->method == EVHTTP_REQ_PUT) && r->name)
    return huskd_update_plain (r, &huskd_kind_namespaces);
  huskd_method_not_allowed (r);
}
