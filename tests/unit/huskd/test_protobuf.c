/* The protobuf bodies kubectl sends (`create namespace`): the k8s envelope
 * around runtime.Unknown, read into JSON; malformed ones are a 400. */
#include <string.h>

#include "jv.h"
#include "protobuf.h"
#include "protowire.h"
#include "tap.h"

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
  return tap_done ();
}
