/* The protobuf bodies kubectl sends (`create namespace|configmap|secret|quota`): the k8s envelope
 * around runtime.Unknown, read into JSON; malformed ones are a 400. */
#include <string.h>

#include "jv.h"
#include "protobuf.h"
#include "protowire.h"
#include "tap.h"

/* k8s\0 + Unknown{typeMeta{v1, kind}, raw = fields} */
static size_t
envelope (unsigned char *out, size_t size, const char *kind, const unsigned char *raw, size_t nraw)
{
  unsigned char tm[64];
  size_t ntm = 0, n = 4;
  ntm = pb_put_bytes (tm, ntm, sizeof tm, 1, "v1", 2);
  ntm = pb_put_bytes (tm, ntm, sizeof tm, 2, kind, strlen (kind));
  memcpy (out, "k8s\0", 4);
  n = pb_put_bytes (out, n, size, 1, tm, ntm);
  return pb_put_bytes (out, n, size, 2, raw, nraw);
}

static size_t
entry (unsigned char *out, size_t size, const char *k, const void *v, size_t nv)
{
  size_t n = pb_put_bytes (out, 0, size, 1, k, strlen (k));
  return pb_put_bytes (out, n, size, 2, v, nv);
}

static yajl_val
decode_ok (const unsigned char *body, size_t len, const char *what)
{
  yajl_val v = NULL;
  struct api_status *st = api_protobuf_decode (body, len, &v);
  ok (st == NULL && v != NULL, "%s decodes", what);
  api_status_free (st);
  return v;
}

/* The kinds `kubectl create configmap|secret|quota` sends. */
static void
test_kinds (void)
{
  unsigned char e[64], q[32], raw[256], body[512];
  size_t n, ne, nq;

  ne = entry (e, sizeof e, "a", "1", 1);
  n = pb_put_bytes (raw, 0, sizeof raw, 2, e, ne);
  ne = entry (e, sizeof e, "bin", "\xff\x00", 2);
  n = pb_put_bytes (raw, n, sizeof raw, 3, e, ne);
  n = pb_put_varint (raw, n, sizeof raw, 4, 1);
  yajl_val cm = decode_ok (body, envelope (body, sizeof body, "ConfigMap", raw, n), "a ConfigMap");
  is_str (jv_str (jv_get (cm, "data"), "a"), "1", "ConfigMap data");
  is_str (jv_str (jv_get (cm, "binaryData"), "bin"), "/wA=", "ConfigMap binaryData as base64");
  ok (YAJL_IS_TRUE (jv_get (cm, "immutable")), "ConfigMap immutable");
  yajl_tree_free (cm);

  ne = entry (e, sizeof e, "token", "t0k", 3);
  n = pb_put_bytes (raw, 0, sizeof raw, 2, e, ne);
  n = pb_put_bytes (raw, n, sizeof raw, 3, "Opaque", 6);
  ne = entry (e, sizeof e, "plain", "p", 1);
  n = pb_put_bytes (raw, n, sizeof raw, 4, e, ne);
  yajl_val sec = decode_ok (body, envelope (body, sizeof body, "Secret", raw, n), "a Secret");
  is_str (jv_str (jv_get (sec, "data"), "token"), "dDBr", "Secret data as base64");
  is_str (jv_str (sec, "type"), "Opaque", "Secret type");
  is_str (jv_str (jv_get (sec, "stringData"), "plain"), "p", "Secret stringData");
  yajl_tree_free (sec);

  nq = pb_put_bytes (q, 0, sizeof q, 1, "10", 2);
  ne = entry (e, sizeof e, "pods", q, nq);
  unsigned char spec[128];
  size_t ns = pb_put_bytes (spec, 0, sizeof spec, 1, e, ne);
  ns = pb_put_bytes (spec, ns, sizeof spec, 2, "BestEffort", 10);
  n = pb_put_bytes (raw, 0, sizeof raw, 2, spec, ns);
  yajl_val rq = decode_ok (body, envelope (body, sizeof body, "ResourceQuota", raw, n), "a ResourceQuota");
  is_str (jv_str (jv_path (rq, "spec", "hard", NULL), "pods"), "10", "ResourceQuota spec.hard");
  yajl_val scopes = jv_path (rq, "spec", "scopes", NULL);
  ok (YAJL_IS_ARRAY (scopes) && scopes->u.array.len == 1, "ResourceQuota spec.scopes");
  yajl_tree_free (rq);

  yajl_val v = NULL;
  struct api_status *st = api_protobuf_decode (body, envelope (body, sizeof body, "Pod", raw, 0), &v);
  ok (st && st->code == 415 && v == NULL, "a Pod, whose spec is not read, is 415");
  api_status_free (st);
}

/* k8s\0 + Unknown{typeMeta{apiVersion v1, kind Namespace},
 *                 raw = Namespace{metadata{name, labels{team: web}}}} */
static size_t
namespace_body (unsigned char *out, size_t size, const char *name)
{
  unsigned char tm[64], entry[64], meta[128], obj[160];
  size_t ntm = 0, nentry = 0, nmeta = 0, nobj = 0, n = 4;
  ntm = pb_put_bytes (tm, ntm, sizeof tm, 1, "v1", 2);
  ntm = pb_put_bytes (tm, ntm, sizeof tm, 2, "Namespace", 9);
  nentry = pb_put_bytes (entry, nentry, sizeof entry, 1, "team", 4);
  nentry = pb_put_bytes (entry, nentry, sizeof entry, 2, "web", 3);
  nmeta = pb_put_bytes (meta, nmeta, sizeof meta, 1, name, strlen (name));
  nmeta = pb_put_bytes (meta, nmeta, sizeof meta, 11, entry, nentry);
  nobj = pb_put_bytes (obj, nobj, sizeof obj, 1, meta, nmeta);
  memcpy (out, "k8s\0", 4);
  n = pb_put_bytes (out, n, size, 1, tm, ntm);
  return pb_put_bytes (out, n, size, 2, obj, nobj);
}

int
main (void)
{
  unsigned char body[512];
  size_t len = namespace_body (body, sizeof body, "team-a");
  yajl_val ns = NULL;
  struct api_status *st = api_protobuf_decode (body, len, &ns);

  ok (st == NULL && ns != NULL, "a Namespace in the k8s envelope decodes");
  is_str (jv_str (ns, "kind"), "Namespace", "kind");
  is_str (jv_str (ns, "apiVersion"), "v1", "apiVersion");
  is_str (jv_str (jv_get (ns, "metadata"), "name"), "team-a", "metadata.name");
  is_str (jv_str (jv_path (ns, "metadata", "labels", NULL), "team"), "web", "metadata.labels");
  yajl_tree_free (ns);

  for (size_t cut = 5; cut < len; cut += 7)
    {
      yajl_val v = NULL;
      struct api_status *bad = api_protobuf_decode (body, cut, &v);
      ok (bad && bad->code == 400 && v == NULL, "truncated at %zu bytes: 400", cut);
      api_status_free (bad);
    }
  yajl_val v = NULL;
  struct api_status *bad = api_protobuf_decode ((const unsigned char *) "{\"kind\":1}", 10, &v);
  ok (bad && bad->code == 400 && strstr (bad->message, "envelope"), "JSON is not an envelope");
  api_status_free (bad);
  test_kinds ();
  return tap_done ();
}
