#include "objects.h"

#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "jv.h"
#include "names.h"
#include "objmeta.h"
#include "selector.h"
#include "table.h"
#include "watch.h"

/* The field labels kube-apiserver converts for each (pkg/apis/core/v1
 * conversion.go); quotas and limit ranges have only the two defaults. */
static const char *const pod_fields[]
    = { "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName",
        "spec.hostNetwork", "status.phase", "status.podIP", "status.podIPs",
        "status.nominatedNodeName", NULL };
static const char *const namespace_fields[] = { "status.phase", NULL };
static const char *const event_fields[]
    = { "involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
        "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
        "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type", NULL };

const struct resource_kind huskd_kind_pods
    = { "pods", "Pod", true, api_table_pods, NULL, pod_fields, NULL };
const struct resource_kind huskd_kind_namespaces
    = { "namespaces", "Namespace", false, api_table_namespaces, NULL, namespace_fields, NULL };
const struct resource_kind huskd_kind_events
    = { "events", "Event", true, api_table_events, NULL, event_fields, NULL };
const struct resource_kind huskd_kind_quotas
    = { "resourcequotas", "ResourceQuota", true, api_table_quotas, huskd_quota_fill, NULL, NULL };
const struct resource_kind huskd_kind_limitranges
    = { "limitranges", "LimitRange", true, api_table_generic, NULL, NULL, NULL };

void
huskd_method_not_allowed (struct hreq *r)
{
  hreq_reply_status (r, api_status_new (405, "MethodNotAllowed",
                                        "the server does not allow this method on the "
                                        "requested resource"));
}

void
huskd_stamp_kind (yajl_val obj, const char *kind)
{
  jv_set (obj, "kind", jv_string (kind));
  jv_set (obj, "apiVersion", jv_string ("v1"));
}

struct api_status *
huskd_namespace_must_exist (struct huskd *d, const char *ns)
{
  if (api_store_get (d->store, "namespaces", NULL, ns))
    return NULL;
  return api_not_found ("namespaces", ns);
}

static const char *
scope_ns (struct hreq *r, const struct resource_kind *k)
{
  return k->namespaced ? r->ns : NULL;
}

yajl_val
huskd_table (const struct resource_kind *k, yajl_val *objs, size_t n, const char *rv,
             const char *include)
{
  yajl_val t = k->table (objs, n, rv, api_now ());
  api_table_include_objects (t, objs, n, k->kind, include);
  return t;
}

bool
huskd_unchanged (yajl_val old, yajl_val updated)
{
  yajl_val meta = jv_get (updated, "metadata");
  yajl_val old_rv = jv_path (old, "metadata", "resourceVersion", NULL);
  yajl_val rv = jv_get (meta, "resourceVersion");
  if (!meta || (rv && !jv_equal (rv, old_rv)))
    return false; /* a stale resourceVersion is the store's 409 */
  cleanup_jv yajl_val saved = rv ? jv_copy (rv) : NULL;
  jv_set (meta, "resourceVersion", jv_copy (old_rv));
  bool same = jv_equal (old, updated);
  if (saved)
    jv_set (meta, "resourceVersion", steal_pointer (&saved));
  else
    jv_del (meta, "resourceVersion");
  return same;
}

void
huskd_reply_object (struct hreq *r, const struct resource_kind *k, int code, yajl_val obj)
{
  char rv[32];
  if (!r->want_table)
    {
      hreq_reply_json (r, code, obj);
      return;
    }
  snprintf (rv, sizeof rv, "%llu", api_store_revision (r->d->store));
  cleanup_jv yajl_val t = huskd_table (k, &obj, 1, rv, hreq_query (r, "includeObject"));
  hreq_reply_json (r, code, t);
}

static bool
known_field (const struct resource_kind *k, const char *key)
{
  if (!strcmp (key, "metadata.name") || !strcmp (key, "metadata.namespace"))
    return true;
  for (const char *const *f = k->fields; f && *f; f++)
    if (!strcmp (key, *f))
      return true;
  return false;
}

/* The list handler's 400 for a field the resource cannot select on. */
static struct api_status *
check_fields (struct hreq *r, const struct resource_kind *k, const struct api_selector *fields)
{
  for (size_t i = 0; i < fields->n; i++)
    if (!known_field (k, fields->reqs[i].key))
      {
        cleanup_free char *why = NULL;
        int n = k->fields ? asprintf (&why, "field label not supported: %s", fields->reqs[i].key)
                          : asprintf (&why, "\"%s\" is not a known field selector: only "
                                            "\"metadata.name\", \"metadata.namespace\"",
                                      fields->reqs[i].key);
        if (n < 0)
          abort ();
        return api_bad_request ("Unable to find \"/v1, Resource=%s\" that match label selector "
                                "\"%s\", field selector \"%s\": %s",
                                k->resource, hreq_query (r, "labelSelector") ?: "",
                                hreq_query (r, "fieldSelector") ?: "", why);
      }
  return NULL;
}

/* Parses labelSelector and fieldSelector; on failure the answer is sent. */
static bool
parse_selectors (struct hreq *r, const struct resource_kind *k, struct api_selector *labels,
                 struct api_selector *fields)
{
  struct api_status *s = api_selector_parse (hreq_query (r, "labelSelector"), false, labels);
  if (!s && (s = api_selector_parse (hreq_query (r, "fieldSelector"), true, fields)))
    api_selector_free (labels);
  else if (!s && (s = check_fields (r, k, fields)))
    {
      api_selector_free (labels);
      api_selector_free (fields);
    }
  if (s)
    hreq_reply_status (r, s);
  return s == NULL;
}

static size_t
filter (yajl_val *objs, size_t n, const struct api_selector *labels,
        const struct api_selector *fields)
{
  size_t kept = 0;
  for (size_t i = 0; i < n; i++)
    if (api_selector_match_labels (labels, jv_path (objs[i], "metadata", "labels", NULL))
        && api_selector_match_fields (fields, objs[i]))
      objs[kept++] = objs[i];
  return kept;
}

/* The list answer, its items borrowed from the store (a copy of every
 * object per LIST was most of a busy huskd's work): *items is handed back
 * to the caller, who empties it before the list is freed. */
static yajl_val
make_list (const struct resource_kind *k, yajl_val *objs, size_t n, const char *rv,
           yajl_val *items)
{
  char kind[64];
  yajl_val list = jv_object ();
  snprintf (kind, sizeof kind, "%sList", k->kind);
  jv_set (list, "kind", jv_string (kind));
  jv_set (list, "apiVersion", jv_string ("v1"));
  jv_set (jv_obj_at (list, "metadata"), "resourceVersion", jv_string (rv));
  *items = jv_set (list, "items", jv_array ());
  for (size_t i = 0; i < n; i++)
    jv_push (*items, objs[i]);
  return list;
}

static void
reply_list (struct hreq *r, const struct resource_kind *k, yajl_val *objs, size_t n,
            const char *rv)
{
  yajl_val items;
  cleanup_jv yajl_val list = make_list (k, objs, n, rv, &items);
  hreq_reply_json (r, 200, list);
  items->u.array.len = 0; /* the store's */
}

void
huskd_list (struct hreq *r, const struct resource_kind *k)
{
  struct api_selector labels, fields;
  char rv[32];
  size_t n;
  if (r->ns && k->namespaced)
    {
      struct api_status *s = huskd_namespace_must_exist (r->d, r->ns);
      if (s)
        return hreq_reply_status (r, s);
    }
  if (!parse_selectors (r, k, &labels, &fields))
    return;
  if (hreq_query_bool (r, "watch"))
    {
      huskd_watch_start (r, k, &labels, &fields); /* takes the selectors */
      return;
    }
  cleanup_free yajl_val *objs = api_store_list (r->d->store, k->resource, scope_ns (r, k), &n);
  n = filter (objs, n, &labels, &fields);
  api_selector_free (&labels);
  api_selector_free (&fields);
  snprintf (rv, sizeof rv, "%llu", api_store_revision (r->d->store));
  if (!r->want_table)
    return reply_list (r, k, objs, n, rv);
  cleanup_jv yajl_val out = huskd_table (k, objs, n, rv, hreq_query (r, "includeObject"));
  hreq_reply_json (r, 200, out);
}

void
huskd_get (struct hreq *r, const struct resource_kind *k)
{
  yajl_val obj = api_store_get (r->d->store, k->resource, scope_ns (r, k), r->name);
  if (!obj)
    return hreq_reply_status (r, api_not_found (k->resource, r->name));
  huskd_reply_object (r, k, 200, obj);
}

void
huskd_create_plain (struct hreq *r, const struct resource_kind *k)
{
  cleanup_error struct husk_error *err = NULL;
  yajl_val body = NULL, stored;
  const char *name, *ns;
  struct api_status *s = hreq_body_json (r, &body);
  cleanup_jv yajl_val owned = body;

  if (s)
    return hreq_reply_status (r, s);
  if (body->type != yajl_t_object)
    return hreq_reply_status (r, api_bad_request ("the body must be a JSON object"));
  if ((s = api_check_kind (body, k->kind)) || (s = api_quantities_decode (body, k->kind)))
    return hreq_reply_status (r, s);
  name = jv_str (jv_get (body, "metadata"), "name");
  ns = jv_str (jv_get (body, "metadata"), "namespace");
  if (ns && r->ns && strcmp (ns, r->ns) != 0)
    return hreq_reply_status (r, api_bad_request ("the namespace of the provided object does "
                                                  "not match the namespace sent on the request"));
  if (!name || !api_is_dns1123_subdomain (name))
    {
      struct api_status *inv = api_invalid_new (k->kind, name);
      if (name)
        api_invalid_add (inv, "FieldValueInvalid", "metadata.name", "Invalid value: \"%s\": %s",
                         name, api_dns1123_subdomain_msg);
      else
        api_invalid_add (inv, "FieldValueRequired", "metadata.name",
                         "Required value: name or generateName is required");
      api_invalid_finish (inv);
      return hreq_reply_status (r, inv);
    }
  if ((s = api_object_validate (body, k->kind))
      || (k->admit && (s = k->admit (r->d, r->ns, NULL, body))))
    return hreq_reply_status (r, s);
  if (api_store_get (r->d->store, k->resource, scope_ns (r, k), name))
    return hreq_reply_status (r, api_already_exists (k->resource, name));
  huskd_stamp_kind (body, k->kind);
  if (k->namespaced)
    jv_set (jv_obj_at (body, "metadata"), "namespace", jv_string (r->ns));
  if (k->before_create)
    k->before_create (r->d, r->ns, body);
  if (r->dry_run)
    return huskd_reply_object (r, k, 201, body);
  if (api_store_put (r->d->store, k->resource, steal_pointer (&owned), false, &stored, &err) < 0)
    return hreq_reply_status (r, api_internal (err->message));
  huskd_reply_object (r, k, 201, stored);
}

void
huskd_delete_plain (struct hreq *r, const struct resource_kind *k)
{
  cleanup_error struct husk_error *err = NULL;
  yajl_val obj = api_store_get (r->d->store, k->resource, scope_ns (r, k), r->name);
  if (!obj)
    return hreq_reply_status (r, api_not_found (k->resource, r->name));
  cleanup_jv yajl_val copy = jv_copy (obj);
  if (r->dry_run)
    return hreq_reply_json (r, 200, copy);
  if (api_store_delete (r->d->store, k->resource, scope_ns (r, k), r->name, &err) < 0)
    return hreq_reply_status (r, api_internal (err->message));
  hreq_reply_json (r, 200, copy);
}

void
huskd_handle_plain (struct hreq *r, const struct resource_kind *k)
{
  if (r->sub)
    return hreq_reply_status (r, api_not_found (k->resource, r->sub));
  if (r->method == EVHTTP_REQ_GET && !r->name)
    return huskd_list (r, k);
  if (r->method == EVHTTP_REQ_GET)
    return huskd_get (r, k);
  if (k->namespaced && !r->ns)
    return huskd_method_not_allowed (r);
  if (r->method == EVHTTP_REQ_POST && !r->name)
    {
      struct api_status *s = huskd_namespace_must_exist (r->d, r->ns);
      if (s)
        return hreq_reply_status (r, s);
      return huskd_create_plain (r, k);
    }
  if (r->method == EVHTTP_REQ_DELETE && r->name)
    return huskd_delete_plain (r, k);
  if ((r->method == EVHTTP_REQ_PATCH || r->method == EVHTTP_REQ_PUT) && r->name)
    return huskd_update_plain (r, k);
  huskd_method_not_allowed (r);
}
