/* PATCH and PUT of namespaces, events, quotas and limit ranges (what
 * `kubectl label`, `annotate`, `apply` and `edit` send): the client's
 * labels, annotations and spec; the server's identity and status.  A
 * namespace's spec (its finalizers) is the server's too. */
#include <string.h>

#include "cleanup.h"
#include "jv.h"
#include "objects.h"
#include "objmeta.h"
#include "patch.h"

static struct api_status *
new_version (struct hreq *r, yajl_val old, yajl_val *out)
{
  const char *ct = hreq_header (r, "Content-Type");
  yajl_val body = NULL;
  struct api_status *s = hreq_body_json (r, &body);
  if (s)
    return s;
  if (r->method == EVHTTP_REQ_PUT)
    {
      *out = body;
      return NULL;
    }
  if (ct && strncmp (ct, "application/json-patch+json", 27) == 0)
    s = api_json_patch (old, body, out);
  else
    s = api_merge_patch (old, body,
                         ct && strncmp (ct, "application/strategic-merge-patch+json", 38) == 0, out);
  yajl_tree_free (body);
  return s;
}

static void
keep (yajl_val to, yajl_val from, const char *key)
{
  yajl_val v = jv_get (from, key);
  if (v)
    jv_set (to, key, jv_copy (v));
  else
    jv_del (to, key);
}

static struct api_status *
admit (struct hreq *r, const struct resource_kind *k, yajl_val old, yajl_val obj)
{
  yajl_val meta, old_meta = jv_get (old, "metadata");
  const char *name;
  struct api_status *s;
  static const char *const identity[]
      = { "name", "namespace", "uid", "creationTimestamp", "generation", "deletionTimestamp" };
  if (obj->type != yajl_t_object)
    return api_bad_request ("the body must be a JSON object");
  if ((s = api_check_kind (obj, k->kind)) || (s = api_quantities_decode (obj, k->kind)))
    return s;
  meta = jv_obj_at (obj, "metadata");
  name = jv_str (meta, "name");
  if (name && strcmp (name, r->name) != 0)
    return api_bad_request ("the name of the object (%s) does not match the name on the URL (%s)",
                            name, r->name);
  for (size_t i = 0; i < sizeof identity / sizeof *identity; i++)
    keep (meta, old_meta, identity[i]);
  keep (meta, old_meta, "resourceVersion");
  huskd_stamp_kind (obj, k->kind);
  keep (obj, old, "status");
  if (strcmp (k->resource, "namespaces") == 0)
    keep (obj, old, "spec");
  if ((s = api_object_validate (obj, k->kind)))
    return s;
  return k->admit ? k->admit (r->d, r->ns, old, obj) : NULL;
}

void
huskd_update_plain (struct hreq *r, const struct resource_kind *k)
{
  cleanup_error struct husk_error *err = NULL;
  const char *ns = k->namespaced ? r->ns : NULL;
  yajl_val old = api_store_get (r->d->store, k->resource, ns, r->name), updated = NULL, stored;
  struct api_status *s;
  if (!old)
    return hreq_reply_status (r, api_not_found (k->resource, r->name));
  if ((s = new_version (r, old, &updated)))
    return hreq_reply_status (r, s);
  cleanup_jv yajl_val owned = updated;
  if ((s = admit (r, k, old, updated)))
    return hreq_reply_status (r, s);
  if (k->before_create)
    k->before_create (r->d, r->ns, updated); /* a quota's status follows its new spec */
  if (huskd_unchanged (old, updated))
    return huskd_reply_object (r, k, 200, old);
  if (r->dry_run)
    return huskd_reply_object (r, k, 200, updated);
  if (api_store_put (r->d->store, k->resource, steal_pointer (&owned),
                     !jv_equal (jv_get (old, "spec"), jv_get (updated, "spec")), &stored, &err)
      < 0)
    return hreq_reply_status (r, api_internal (err->message));
  huskd_reply_object (r, k, 200, stored);
}
