/* Server-side field validation (?fieldValidation=), as kube-apiserver:
 * the fields of a written object that its kind's schema (the OpenAPI
 * definitions huskd serves) does not have are refused with Strict
 * (`strict decoding error: unknown field "spec.x"`), sent back as
 * Warning headers with Warn (the default) and let through with Ignore.
 * kubectl 1.27+ leaves the check to the server when the OpenAPI says the
 * server takes the parameter; kubectl 1.20 checks on its side from
 * /openapi/v2 and sends nothing (so it gets Warn).
 * Unknown fields are then dropped or kept as before: huskd keeps an
 * object's JSON as it came. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "jv.h"
#include "openapi.h"
#include "request.h"

static const char *const resource_kinds[][2] = {
  { "pods", "Pod" },
  { "namespaces", "Namespace" },
  { "events", "Event" },
  { "resourcequotas", "ResourceQuota" },
  { "limitranges", "LimitRange" },
  { "configmaps", "ConfigMap" },
  { "secrets", "Secret" },
  { "nodes", "Node" },
  { "services", "Service" },
};

/* The unknown fields found, as kube prints them: "spec.containers[0].x". */
struct unknown {
  char **paths;
  size_t n;
};

static void
unknown_free (struct unknown *u)
{
  for (size_t i = 0; i < u->n; i++)
    free (u->paths[i]);
  free (u->paths);
}
#define cleanup_unknown __attribute__ ((cleanup (unknown_free)))

#define MAX_UNKNOWN 64
#define MAX_DEPTH 32

static yajl_val
resolve (yajl_val defs, yajl_val schema)
{
  static const char prefix[] = "#/definitions/";
  for (int i = 0; i < 8; i++)
    {
      const char *ref = jv_str (schema, "$ref");
      if (!ref || strncmp (ref, prefix, strlen (prefix)))
        return schema;
      schema = jv_get (defs, ref + strlen (prefix));
    }
  return NULL;
}

static void
check (yajl_val defs, yajl_val schema, yajl_val v, const char *path, int depth, struct unknown *u)
{
  schema = resolve (defs, schema);
  if (!schema || depth > MAX_DEPTH || u->n >= MAX_UNKNOWN)
    return;
  yajl_val props = jv_get (schema, "properties"), more = jv_get (schema, "additionalProperties");
  yajl_val items = jv_get (schema, "items");
  for (size_t i = 0; YAJL_IS_OBJECT (v) && i < v->u.object.len && u->n < MAX_UNKNOWN; i++)
    {
      const char *key = v->u.object.keys[i];
      cleanup_free char *sub = NULL;
      if (key[0] == '$') /* a strategic merge patch's directive */
        continue;
      if (asprintf (&sub, "%s%s%s", path, *path ? "." : "", key) < 0)
        abort ();
      if (YAJL_IS_OBJECT (props) && !jv_get (props, key))
        {
          u->paths = realloc (u->paths, (u->n + 1) * sizeof *u->paths);
          if (!u->paths)
            abort ();
          u->paths[u->n++] = sub;
          sub = NULL;
        }
      else if (YAJL_IS_OBJECT (props))
        check (defs, jv_get (props, key), v->u.object.values[i], sub, depth + 1, u);
      else if (YAJL_IS_OBJECT (more))
        check (defs, more, v->u.object.values[i], sub, depth + 1, u);
    }
  for (size_t i = 0; YAJL_IS_ARRAY (v) && YAJL_IS_OBJECT (items) && i < v->u.array.len; i++)
    {
      cleanup_free char *sub = NULL;
      if (asprintf (&sub, "%s[%zu]", path, i) < 0)
        abort ();
      check (defs, items, v->u.array.values[i], sub, depth + 1, u);
    }
}

static const char *
kind_of (const char *resource)
{
  for (size_t i = 0; resource && i < sizeof resource_kinds / sizeof resource_kinds[0]; i++)
    if (!strcmp (resource, resource_kinds[i][0]))
      return resource_kinds[i][1];
  return NULL;
}

/* `unknown field "a", unknown field "b"` */
static char *
unknown_list (const struct unknown *u)
{
  char *text = NULL;
  size_t size = 0;
  FILE *f = open_memstream (&text, &size);
  if (!f)
    abort ();
  for (size_t i = 0; i < u->n; i++)
    fprintf (f, "%sunknown field \"%s\"", i ? ", " : "", u->paths[i]);
  fclose (f);
  return text;
}

static void
warn (struct hreq *r, const struct unknown *u)
{
  struct evkeyvalq *out = evhttp_request_get_output_headers (r->req);
  for (size_t i = 0; i < u->n; i++)
    {
      cleanup_free char *w = NULL;
      if (asprintf (&w, "299 - \"unknown field \\\"%s\\\"\"", u->paths[i]) < 0)
        abort ();
      evhttp_add_header (out, "Warning", w);
    }
}

struct api_status *
huskd_openapi_check_fields (struct hreq *r, yajl_val body)
{
  const char *mode = hreq_query (r, "fieldValidation");
  const char *ct = hreq_header (r, "Content-Type");
  const char *kind = kind_of (r->resource);
  if (r->husk || !kind || (r->sub && strcmp (r->sub, "status"))
      || (mode && !strcmp (mode, "Ignore")) || (ct && strstr (ct, "json-patch"))
      || !YAJL_IS_OBJECT (body))
    return NULL;
  if (r->method != EVHTTP_REQ_POST && r->method != EVHTTP_REQ_PUT && r->method != EVHTTP_REQ_PATCH)
    return NULL;
  yajl_val defs = huskd_openapi_definitions ();
  char name[64];
  snprintf (name, sizeof name, "io.k8s.api.core.v1.%s", kind);
  cleanup_unknown struct unknown u = { 0 };
  check (defs, jv_get (defs, name), body, "", 0, &u);
  if (u.n == 0)
    return NULL;
  if (!mode || strcmp (mode, "Strict"))
    {
      warn (r, &u);
      return NULL;
    }
  cleanup_free char *list = unknown_list (&u);
  return api_bad_request ("%s in version \"v1\" cannot be handled as a %s: "
                          "strict decoding error: %s",
                          kind, kind, list);
}
