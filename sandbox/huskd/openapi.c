/* /openapi/v2, /openapi/v3 and /openapi/v3/api/v1: the OpenAPI schemas of
 * the kinds huskd serves, as a Kubernetes API server publishes them.
 * kubectl reads them for `kubectl explain`, for its client-side
 * validation (kubectl 1.20: "ValidationError(Pod.spec): unknown field")
 * and for the patch strategies of `kubectl apply`.
 *
 * The definitions are Kubernetes' own, generated from its Go API types by
 * openapi/gen-definitions.py into openapi/definitions.json, which the
 * build embeds (openapi/embed.py): huskd stays one binary.  From them,
 * once, on first use:
 *  - v2: {swagger: "2.0", paths, definitions}, served as JSON or, to the
 *    Accept kubectl sends, as the protobuf openapi_v2.Document
 *    (openapi_pb.c);
 *  - v3: the same schemas as components.schemas, with kube-openapi's v3
 *    form ($refs under #/components/schemas/, a $ref with siblings
 *    wrapped in allOf).
 * The paths are the PATCH operations of the writable kinds, with the
 * dryRun and fieldValidation parameters: kubectl's verifiers look there
 * before sending ?dryRun=All or ?fieldValidation=.
 * The v3 discovery's hash and the ETags are hashes of the documents, so a
 * client's cache (~/.kube/cache) never keeps an older schema. */
#include <inttypes.h>
#include <malloc.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "jv.h"
#include "openapi.h"
#include "request.h"

#define V2_REF "#/definitions/"
#define V3_REF "#/components/schemas/"

extern const char huskd_openapi_definitions_json[];

/* The object path of each kind huskd serves, and whether it takes PATCH.
 * kubectl explain (1.27+) finds a resource's kind in the
 * x-kubernetes-group-version-kind of its path's operations. */
static const struct {
  const char *path, *kind;
  bool patch;
} object_paths[] = {
  { "/api/v1/namespaces/{namespace}/pods/{name}", "Pod", true },
  { "/api/v1/namespaces/{name}", "Namespace", true },
  { "/api/v1/namespaces/{namespace}/resourcequotas/{name}", "ResourceQuota", true },
  { "/api/v1/namespaces/{namespace}/limitranges/{name}", "LimitRange", true },
  { "/api/v1/namespaces/{namespace}/events/{name}", "Event", true },
  { "/api/v1/namespaces/{namespace}/configmaps/{name}", "ConfigMap", true },
  { "/api/v1/namespaces/{namespace}/secrets/{name}", "Secret", true },
  { "/api/v1/nodes/{name}", "Node", false },
  { "/api/v1/namespaces/{namespace}/services/{name}", "Service", false },
};

static const char *const query_params[][2] = {
  { "dryRun", "When present, indicates that modifications should not be persisted. An invalid "
              "or unrecognized dryRun directive will result in an error response and no further "
              "processing of the request. Valid values are: - All: all dry run stages will be "
              "processed" },
  { "fieldValidation", "fieldValidation instructs the server on how to handle objects in the "
                       "request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid "
                       "values are: - Ignore - Warn - Strict" },
};

static void
set_gvk (yajl_val op, const char *kind)
{
  yajl_val gvk = jv_obj_at (op, "x-kubernetes-group-version-kind");
  jv_set (gvk, "group", jv_string (""));
  jv_set (gvk, "kind", jv_string (kind));
  jv_set (gvk, "version", jv_string ("v1"));
}

/* An operation on an object of the kind: its 200 answer is the object. */
static yajl_val
operation (const char *kind, bool v3)
{
  yajl_val op = jv_object (), ok = jv_obj_at (jv_obj_at (op, "responses"), "200");
  cleanup_free char *ref = NULL;
  if (asprintf (&ref, "%sio.k8s.api.core.v1.%s", v3 ? V3_REF : V2_REF, kind) < 0)
    abort ();
  jv_set (ok, "description", jv_string ("OK"));
  yajl_val schema = v3 ? jv_obj_at (jv_obj_at (jv_obj_at (ok, "content"), "application/json"),
                                    "schema")
                       : jv_obj_at (ok, "schema");
  jv_set (schema, "$ref", jv_string (ref));
  set_gvk (op, kind);
  return op;
}

/* The PATCH operation of a kind; v3 puts a parameter's type in a schema. */
static yajl_val
patch_op (const char *kind, bool v3)
{
  yajl_val op = operation (kind, v3), params = jv_set (op, "parameters", jv_array ());
  for (size_t i = 0; i < sizeof query_params / sizeof query_params[0]; i++)
    {
      yajl_val p = jv_object ();
      jv_set (p, "name", jv_string (query_params[i][0]));
      jv_set (p, "in", jv_string ("query"));
      jv_set (p, "description", jv_string (query_params[i][1]));
      jv_set (v3 ? jv_obj_at (p, "schema") : p, "type", jv_string ("string"));
      jv_push (params, p);
    }
  return op;
}

static yajl_val
paths (bool v3)
{
  yajl_val p = jv_object ();
  for (size_t i = 0; i < sizeof object_paths / sizeof object_paths[0]; i++)
    {
      yajl_val item = jv_obj_at (p, object_paths[i].path);
      jv_set (item, "get", operation (object_paths[i].kind, v3));
      if (object_paths[i].patch)
        jv_set (item, "patch", patch_op (object_paths[i].kind, v3));
    }
  return p;
}

static yajl_val
info (yajl_val doc)
{
  yajl_val i = jv_obj_at (doc, "info");
  jv_set (i, "title", jv_string ("Kubernetes"));
  jv_set (i, "version", jv_string ("v1.26.0"));
  return i;
}

/* A copy of the v2 schema s in kube-openapi's v3 form. */
static yajl_val
v3_schema (yajl_val s)
{
  if (YAJL_IS_ARRAY (s))
    {
      yajl_val a = jv_array ();
      for (size_t i = 0; i < s->u.array.len; i++)
        jv_push (a, v3_schema (s->u.array.values[i]));
      return a;
    }
  if (!YAJL_IS_OBJECT (s))
    return jv_copy (s);
  yajl_val o = jv_object ();
  const char *ref = jv_str (s, "$ref");
  for (size_t i = 0; i < s->u.object.len; i++)
    if (strcmp (s->u.object.keys[i], "$ref"))
      jv_set (o, s->u.object.keys[i], v3_schema (s->u.object.values[i]));
  if (ref && !strncmp (ref, V2_REF, strlen (V2_REF)))
    {
      cleanup_free char *v3ref = NULL;
      if (asprintf (&v3ref, V3_REF "%s", ref + strlen (V2_REF)) < 0)
        abort ();
      yajl_val r = jv_object ();
      jv_set (r, "$ref", jv_string (v3ref));
      if (o->u.object.len == 0)
        {
          yajl_tree_free (o);
          return r;
        }
      yajl_val all = jv_array ();
      jv_push (all, r);
      jv_set (o, "allOf", all);
    }
  return o;
}

/* A served document: its bytes and the quoted hash for its ETag. */
struct served {
  char *body;
  size_t len;
  char etag[20];
};

/* The documents, built once (build_once) from the data compiled in and
 * never changed after: every request reads them, as it would read the
 * embedded JSON itself. */
static struct {
  struct served v2_json, v2_pb, v3_root, v3_v1;
  yajl_val definitions; /* kept for openapi_fields.c */
  char *error;
} docs;

static uint64_t
fnv1a (const char *p, size_t len)
{
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < len; i++)
    h = (h ^ (unsigned char) p[i]) * 1099511628211ULL;
  return h;
}

static void
served_set (struct served *s, char *body, size_t len)
{
  s->body = body;
  s->len = len;
  snprintf (s->etag, sizeof s->etag, "\"%016" PRIx64 "\"", fnv1a (body, len));
}

static void
served_set_json (struct served *s, yajl_val doc)
{
  size_t len;
  char *body = jv_dump (doc, &len);
  served_set (s, body, len);
}

/* kube-openapi's v3 types of Quantity and IntOrString (their
 * OpenAPIV3OneOfTypes): either of two, where v2 says "string". */
static void
v3_one_of (yajl_val schemas)
{
  static const char *const one_of[][3] = {
    { "io.k8s.apimachinery.pkg.api.resource.Quantity", "string", "number" },
    { "io.k8s.apimachinery.pkg.util.intstr.IntOrString", "integer", "string" },
  };
  for (size_t i = 0; i < sizeof one_of / sizeof one_of[0]; i++)
    {
      yajl_val s = jv_get (schemas, one_of[i][0]), types = jv_array ();
      if (s == NULL)
        continue;
      jv_del (s, "type");
      for (size_t t = 1; t < 3; t++)
        {
          yajl_val o = jv_object ();
          jv_set (o, "type", jv_string (one_of[i][t]));
          jv_push (types, o);
        }
      jv_set (s, "oneOf", types);
    }
}

static void
build_v3 (yajl_val definitions)
{
  cleanup_jv yajl_val v1 = jv_object (), root = jv_object ();
  char url[80];
  jv_set (v1, "openapi", jv_string ("3.0.0"));
  info (v1);
  jv_set (v1, "paths", paths (true));
  v3_one_of (jv_set (jv_obj_at (v1, "components"), "schemas", v3_schema (definitions)));
  served_set_json (&docs.v3_v1, v1);
  snprintf (url, sizeof url, "/openapi/v3/api/v1?hash=%.16s", docs.v3_v1.etag + 1);
  jv_set (jv_obj_at (jv_obj_at (root, "paths"), "api/v1"), "serverRelativeURL", jv_string (url));
  served_set_json (&docs.v3_root, root);
}

static void
build_docs (void)
{
  char errbuf[256] = "";
  yajl_val definitions = yajl_tree_parse (huskd_openapi_definitions_json, errbuf, sizeof errbuf);
  if (!YAJL_IS_OBJECT (definitions))
    {
      if (asprintf (&docs.error, "the embedded OpenAPI definitions do not parse: %s", errbuf) < 0)
        abort ();
      yajl_tree_free (definitions);
      return;
    }
  docs.definitions = definitions;
  cleanup_jv yajl_val v2 = jv_object ();
  jv_set (v2, "swagger", jv_string ("2.0"));
  info (v2);
  jv_set (v2, "paths", paths (false));
  jv_set (v2, "definitions", jv_copy (definitions));
  served_set_json (&docs.v2_json, v2);
  unsigned char *pb = NULL;
  size_t len = huskd_openapi_v2_protobuf (v2, &pb);
  served_set (&docs.v2_pb, (char *) pb, len);
  build_v3 (definitions);
}

static void
reply (struct hreq *r, const struct served *s, const char *content_type)
{
  evhttp_add_header (evhttp_request_get_output_headers (r->req), "ETag", s->etag);
  hreq_reply_text (r, 200, content_type, s->body, s->len);
}

/* What kubectl asks /openapi/v2 for (client-go's discovery openAPIV2mimePb). */
static bool
wants_protobuf (struct hreq *r)
{
  const char *accept = hreq_header (r, "Accept");
  return accept && strstr (accept, "application/com.github.proto-openapi.spec.v2");
}

static void
build_once (void)
{
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once (&once, build_docs);
}

static void *
build_thread (void *arg)
{
  build_once ();
  malloc_trim (0); /* the build's temporaries were several MB */
  return NULL;
}

void
huskd_openapi_build_in_background (void)
{
  pthread_t t;
  if (pthread_create (&t, NULL, build_thread, NULL) == 0)
    pthread_detach (t);
}

yajl_val
huskd_openapi_definitions (void)
{
  build_once ();
  return docs.definitions;
}

void
huskd_handle_openapi (struct hreq *r, const char *what)
{
  build_once ();
  if (docs.error)
    return hreq_reply_status (r, api_internal (docs.error));
  if (!strcmp (what, "v2"))
    return wants_protobuf (r) /* kube-openapi answers it as octet-stream */
               ? reply (r, &docs.v2_pb, "application/octet-stream")
               : reply (r, &docs.v2_json, "application/json");
  if (!strcmp (what, "v3"))
    return reply (r, &docs.v3_root, "application/json");
  if (!strcmp (what, "v3/api/v1"))
    return reply (r, &docs.v3_v1, "application/json");
  hreq_reply_status (r, api_status_new (404, "NotFound", "the server could not find "
                                                         "the requested resource"));
}
