/* /openapi/v3 and /openapi/v3/api/v1: just enough OpenAPI for kubectl's
 * client-side validation to find a schema for each kind huskd serves.  The
 * schemas are open objects (huskd validates on the server, with
 * Kubernetes' messages), and the PATCH/POST operations advertise the
 * fieldValidation parameter, so kubectl leaves unknown-field checks to
 * the server as it does with a real API server.
 * kubectl before 1.27 (Debian's 1.20) reads /openapi/v2 instead, as a
 * protobuf openapi_v2.Document, and fails apply without it: it gets a
 * Document with only swagger "2.0" and no definitions, so it skips its
 * client-side validation and builds patches from its built-in types. */
#include <string.h>

#include "cleanup.h"
#include "jv.h"
#include "request.h"

static const char *const kinds[][2] = {
  { "io.k8s.api.core.v1.Pod", "Pod" },
  { "io.k8s.api.core.v1.Namespace", "Namespace" },
  { "io.k8s.api.core.v1.Event", "Event" },
  { "io.k8s.api.core.v1.ResourceQuota", "ResourceQuota" },
  { "io.k8s.api.core.v1.LimitRange", "LimitRange" },
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

/* openapi_v2.Document{swagger: "2.0"}: field 1, wire type 2 (length
 * delimited), 3 bytes. */
static const char v2_document[] = "\x0a\x03"
                                  "2.0";

void
huskd_handle_openapi (struct hreq *r, const char *what)
{
  cleanup_jv yajl_val doc = NULL;
  if (!strcmp (what, "v2"))
    return hreq_reply_text (r, 200, "application/octet-stream", /* as kube-openapi */
                            v2_document, sizeof v2_document - 1);
  if (!strcmp (what, "v3"))
    doc = root_doc ();
  else if (!strcmp (what, "v3/api/v1"))
    doc = v1_doc ();
  else
    return hreq_reply_status (r, api_status_new (404, "NotFound", "the server could not find "
                                                                  "the requested resource"));
  hreq_reply_json (r, 200, doc);
}
