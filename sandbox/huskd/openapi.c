/* /openapi/v3 and /openapi/v3/api/v1: just enough OpenAPI for kubectl's
 * client-side validation to find a schema for each kind huskd serves.  The
 * schemas are open objects (huskd validates on the server, with
 * Kubernetes' messages), and the PATCH/POST operations advertise the
 * fieldValidation parameter, so kubectl leaves unknown-field checks to
 * the server as it does with a real API server.
 * kubectl before 1.27 (Debian's 1.20) reads /openapi/v2 instead, as a
 * protobuf openapi_v2.Document, and fails apply without it: it gets a
 * Document with swagger "2.0", the PATCH path of each kind (its dry-run
 * verifier refuses --dry-run=server for a kind whose PATCH does not take
 * dryRun) and no definitions, so it skips its client-side validation and
 * builds patches from its built-in types. */
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "jv.h"
#include "protowire.h"
#include "request.h"

static const char *const kinds[][2] = {
  { "io.k8s.api.core.v1.Pod", "Pod" },
  { "io.k8s.api.core.v1.Namespace", "Namespace" },
  { "io.k8s.api.core.v1.Event", "Event" },
  { "io.k8s.api.core.v1.ResourceQuota", "ResourceQuota" },
  { "io.k8s.api.core.v1.LimitRange", "LimitRange" },
  { "io.k8s.api.core.v1.ConfigMap", "ConfigMap" },
  { "io.k8s.api.core.v1.Secret", "Secret" },
};

static yajl_val
root_doc (void)
{
  yajl_val doc = jv_object ();
  yajl_val v1 = jv_obj_at (jv_obj_at (doc, "paths"), "api/v1");
  jv_set (v1, "serverRelativeURL", jv_string ("/openapi/v3/api/v1?hash=husk1"));
  return doc;
}

static yajl_val
schema (const char *kind)
{
  yajl_val s = jv_object (), gvks = jv_array (), gvk = jv_object ();
  jv_set (s, "type", jv_string ("object"));
  jv_set (s, "x-kubernetes-preserve-unknown-fields", jv_bool (true));
  jv_set (gvk, "group", jv_string (""));
  jv_set (gvk, "kind", jv_string (kind));
  jv_set (gvk, "version", jv_string ("v1"));
  jv_push (gvks, gvk);
  jv_set (s, "x-kubernetes-group-version-kind", gvks);
  return s;
}

static const char *const patch_paths[][2] = {
  { "/api/v1/namespaces/{namespace}/pods/{name}", "Pod" },
  { "/api/v1/namespaces/{name}", "Namespace" },
  { "/api/v1/namespaces/{namespace}/resourcequotas/{name}", "ResourceQuota" },
  { "/api/v1/namespaces/{namespace}/limitranges/{name}", "LimitRange" },
  { "/api/v1/namespaces/{namespace}/events/{name}", "Event" },
  { "/api/v1/namespaces/{namespace}/configmaps/{name}", "ConfigMap" },
  { "/api/v1/namespaces/{namespace}/secrets/{name}", "Secret" },
};

/* A PATCH operation for the kind that takes ?fieldValidation=. */
static yajl_val
patch_op (const char *kind)
{
  yajl_val op = jv_object (), params = jv_array (), p = jv_object ();
  yajl_val gvk = jv_obj_at (op, "x-kubernetes-group-version-kind");
  jv_set (gvk, "group", jv_string (""));
  jv_set (gvk, "version", jv_string ("v1"));
  jv_set (gvk, "kind", jv_string (kind));
  jv_set (p, "name", jv_string ("fieldValidation"));
  jv_set (p, "in", jv_string ("query"));
  jv_set (jv_obj_at (p, "schema"), "type", jv_string ("string"));
  jv_push (params, p);
  jv_set (op, "parameters", params);
  jv_set (jv_obj_at (jv_obj_at (op, "responses"), "200"), "description", jv_string ("OK"));
  return op;
}

static yajl_val
v1_doc (void)
{
  yajl_val doc = jv_object (), schemas;
  jv_set (doc, "openapi", jv_string ("3.0.0"));
  jv_set (jv_obj_at (doc, "info"), "title", jv_string ("Kubernetes"));
  jv_set (jv_obj_at (doc, "info"), "version", jv_string ("v1.30.0"));
  yajl_val paths = jv_set (doc, "paths", jv_object ());
  for (size_t i = 0; i < sizeof patch_paths / sizeof patch_paths[0]; i++)
    jv_set (jv_obj_at (paths, patch_paths[i][0]), "patch", patch_op (patch_paths[i][1]));
  schemas = jv_obj_at (jv_obj_at (doc, "components"), "schemas");
  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    jv_set (schemas, kinds[i][0], schema (kinds[i][1]));
  return doc;
}

/* A message built field by field into a fixed buffer (these are small). */
struct pb_msg {
  unsigned char data[4096];
  size_t len;
  bool overflow;
};

static void
put_bytes (struct pb_msg *m, unsigned number, const void *data, size_t len)
{
  size_t n = pb_put_bytes (m->data, m->len, sizeof m->data, number, data, len);
  m->overflow |= n == 0;
  m->len = n ? n : m->len;
}

static void
put_str (struct pb_msg *m, unsigned number, const char *s)
{
  put_bytes (m, number, s, strlen (s));
}

static void
put_msg (struct pb_msg *m, unsigned number, const struct pb_msg *inner)
{
  m->overflow |= inner->overflow;
  put_bytes (m, number, inner->data, inner->len);
}

/* PathItem{patch: Operation{parameters: [dryRun in query],
 * vendor_extension: [x-kubernetes-group-version-kind]}}: what kubectl
 * 1.20's dry-run verifier looks for before it sends ?dryRun=All
 * (openapi.SupportsDryRun); field numbers of gnostic's OpenAPIv2.proto. */
static void
v2_patch_path (struct pb_msg *path_item, const char *kind)
{
  struct pb_msg q = { 0 }, nonbody = { 0 }, param = { 0 }, item = { 0 }, any = { 0 };
  struct pb_msg ext = { 0 }, op = { 0 };
  char gvk[128];
  put_str (&q, 2, "query"); /* QueryParameterSubSchema.in */
  put_str (&q, 4, "dryRun"); /* .name */
  put_str (&q, 6, "string"); /* .type */
  put_msg (&nonbody, 3, &q); /* NonBodyParameter.query_parameter_sub_schema */
  put_msg (&param, 2, &nonbody); /* Parameter.non_body_parameter */
  put_msg (&item, 1, &param); /* ParametersItem.parameter */
  snprintf (gvk, sizeof gvk, "group: \"\"\nkind: %s\nversion: v1\n", kind);
  put_str (&any, 2, gvk); /* Any.yaml */
  put_str (&ext, 1, "x-kubernetes-group-version-kind"); /* NamedAny.name */
  put_msg (&ext, 2, &any);
  put_msg (&op, 8, &item); /* Operation.parameters */
  put_msg (&op, 13, &ext); /* Operation.vendor_extension */
  put_msg (path_item, 8, &op); /* PathItem.patch */
}

/* openapi_v2.Document{swagger: "2.0", paths: ...} with no definitions. */
static void
v2_document (struct pb_msg *doc)
{
  struct pb_msg paths = { 0 };
  for (size_t i = 0; i < sizeof patch_paths / sizeof patch_paths[0]; i++)
    {
      struct pb_msg item = { 0 }, named = { 0 };
      v2_patch_path (&item, patch_paths[i][1]);
      put_str (&named, 1, patch_paths[i][0]); /* NamedPathItem.name */
      put_msg (&named, 2, &item);
      put_msg (&paths, 2, &named); /* Paths.path */
    }
  put_str (doc, 1, "2.0");
  put_msg (doc, 8, &paths);
}

void
huskd_handle_openapi (struct hreq *r, const char *what)
{
  cleanup_jv yajl_val doc = NULL;
  if (!strcmp (what, "v2"))
    {
      struct pb_msg v2 = { 0 };
      v2_document (&v2);
      if (v2.overflow)
        return hreq_reply_status (r, api_internal ("the OpenAPI v2 document does not fit"));
      return hreq_reply_text (r, 200, "application/octet-stream", /* as kube-openapi */
                              (const char *) v2.data, v2.len);
    }
  if (!strcmp (what, "v3"))
    doc = root_doc ();
  else if (!strcmp (what, "v3/api/v1"))
    doc = v1_doc ();
  else
    return hreq_reply_status (r, api_status_new (404, "NotFound", "the server could not find "
                                                                  "the requested resource"));
  hreq_reply_json (r, 200, doc);
}
