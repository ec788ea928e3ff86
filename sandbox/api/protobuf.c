#include "protobuf.h"

#include <stdbool.h>
#include <string.h>

#include "base64.h"
#include "cleanup.h"
#include "jv.h"
#include "protowire.h"

static yajl_val
pb_string (const struct pb_reader *s)
{
  cleanup_free char *text = strndup ((const char *) s->p, (size_t) (s->end - s->p));
  return jv_string (text);
}

/* A map<string,string> entry: 1 key, 2 value. */
struct map_entry {
  struct pb_reader key, value;
};

static bool
map_entry_field (const struct pb_field *f, void *ctx)
{
  struct map_entry *e = ctx;
  if (f->type == PB_BYTES && (f->number == 1 || f->number == 2))
    *(f->number == 1 ? &e->key : &e->value) = f->bytes;
  return true;
}

/* How a map entry's value becomes JSON. */
enum map_value { MAP_STRING, MAP_BASE64, MAP_QUANTITY };

static yajl_val quantity_string (struct pb_reader q);

static bool
read_map_entry_as (struct pb_reader entry, yajl_val map, enum map_value as)
{
  struct map_entry e = { { 0 }, { 0 } };
  if (!pb_each_field (entry, map_entry_field, &e) || !e.key.p)
    return false;
  cleanup_free char *k = strndup ((const char *) e.key.p, (size_t) (e.key.end - e.key.p));
  struct pb_reader v = e.value.p ? e.value : (struct pb_reader){ NULL, NULL };
  if (as == MAP_QUANTITY)
    {
      yajl_val q = quantity_string (v);
      if (!q)
        return false;
      jv_set (map, k, q);
    }
  else if (as == MAP_BASE64)
    {
      cleanup_free char *b64 = api_base64_encode (v.p ? v.p : (const unsigned char *) "",
                                                  (size_t) (v.end - v.p));
      jv_set (map, k, jv_string (b64));
    }
  else
    jv_set (map, k, v.p ? pb_string (&v) : jv_string (""));
  return true;
}

static bool
read_map_entry (struct pb_reader entry, yajl_val map)
{
  return read_map_entry_as (entry, map, MAP_STRING);
}

/* resource.Quantity: 1 string. */
static bool
quantity_field (const struct pb_field *f, void *out)
{
  if (f->number == 1 && f->type == PB_BYTES)
    *(yajl_val *) out = pb_string (&f->bytes);
  return true;
}

static yajl_val
quantity_string (struct pb_reader q)
{
  yajl_val out = NULL;
  if (q.p && !pb_each_field (q, quantity_field, &out))
    {
      yajl_tree_free (out);
      return NULL;
    }
  return out ? out : jv_string ("");
}

/* ObjectMeta: 1 name, 2 generateName, 3 namespace, 11 labels, 12 annotations. */
static bool
meta_field (const struct pb_field *f, void *meta)
{
  static const char *const names[] = { [1] = "name", [2] = "generateName", [3] = "namespace" };
  if (f->type != PB_BYTES)
    return true;
  /* an empty string is a field left unset, as kube-apiserver reads it */
  if (f->number >= 1 && f->number <= 3 && f->bytes.end > f->bytes.p)
    jv_set (meta, names[f->number], pb_string (&f->bytes));
  else if (f->number == 11 || f->number == 12)
    return read_map_entry (f->bytes, jv_obj_at (meta, f->number == 11 ? "labels" : "annotations"));
  return true;
}

/* ConfigMap: 2 data, 3 binaryData, 4 immutable. */
static bool
configmap_field (const struct pb_field *f, yajl_val obj)
{
  if (f->number == 2 && f->type == PB_BYTES)
    return read_map_entry (f->bytes, jv_obj_at (obj, "data"));
  if (f->number == 3 && f->type == PB_BYTES)
    return read_map_entry_as (f->bytes, jv_obj_at (obj, "binaryData"), MAP_BASE64);
  if (f->number == 4 && f->type == PB_VARINT)
    jv_set (obj, "immutable", jv_bool (f->varint != 0));
  return true;
}

/* Secret: 2 data (bytes: base64 in JSON), 3 type, 4 stringData, 5 immutable. */
static bool
secret_field (const struct pb_field *f, yajl_val obj)
{
  if (f->number == 2 && f->type == PB_BYTES)
    return read_map_entry_as (f->bytes, jv_obj_at (obj, "data"), MAP_BASE64);
  if (f->number == 3 && f->type == PB_BYTES)
    jv_set (obj, "type", pb_string (&f->bytes));
  else if (f->number == 4 && f->type == PB_BYTES)
    return read_map_entry (f->bytes, jv_obj_at (obj, "stringData"));
  else if (f->number == 5 && f->type == PB_VARINT)
    jv_set (obj, "immutable", jv_bool (f->varint != 0));
  return true;
}

/* ResourceQuotaSpec: 1 hard (map<string, Quantity>), 2 scopes. */
static bool
quota_spec_field (const struct pb_field *f, void *spec)
{
  if (f->number == 1 && f->type == PB_BYTES)
    return read_map_entry_as (f->bytes, jv_obj_at (spec, "hard"), MAP_QUANTITY);
  if (f->number == 2 && f->type == PB_BYTES)
    {
      yajl_val scopes = jv_get (spec, "scopes");
      if (!scopes)
        scopes = jv_set (spec, "scopes", jv_array ());
      jv_push (scopes, pb_string (&f->bytes));
    }
  return true;
}

/* The object: 1 metadata, then what its kind has (status is not read:
 * the server makes it). */
static bool
object_field (const struct pb_field *f, void *obj)
{
  const char *kind = jv_str (obj, "kind");
  if (f->number == 1 && f->type == PB_BYTES)
    return pb_each_field (f->bytes, meta_field, jv_obj_at (obj, "metadata"));
  if (!kind)
    return true;
  if (!strcmp (kind, "ConfigMap"))
    return configmap_field (f, obj);
  if (!strcmp (kind, "Secret"))
    return secret_field (f, obj);
  if (!strcmp (kind, "ResourceQuota") && f->number == 2 && f->type == PB_BYTES)
    return pb_each_field (f->bytes, quota_spec_field, jv_obj_at (obj, "spec"));
  return true;
}

/* typeMeta: 1 apiVersion, 2 kind. */
static bool
type_meta_field (const struct pb_field *f, void *obj)
{
  if (f->type == PB_BYTES && (f->number == 1 || f->number == 2))
    jv_set (obj, f->number == 1 ? "apiVersion" : "kind", pb_string (&f->bytes));
  return true;
}

/* runtime.Unknown: 1 typeMeta, 2 raw. */
static bool
unknown_field (const struct pb_field *f, void *obj)
{
  if (f->type != PB_BYTES)
    return true;
  if (f->number == 1)
    return pb_each_field (f->bytes, type_meta_field, obj);
  if (f->number == 2)
    return pb_each_field (f->bytes, object_field, obj);
  return true;
}

/* The kinds whose every field a client sets is read above: any other
 * would lose its spec. */
static bool
decodable_kind (const char *kind)
{
  static const char *const kinds[] = { "Namespace", "ConfigMap", "Secret", "ResourceQuota" };
  for (size_t i = 0; kind && i < sizeof kinds / sizeof *kinds; i++)
    if (!strcmp (kind, kinds[i]))
      return true;
  return false;
}

struct api_status *
api_protobuf_decode (const unsigned char *data, size_t len, yajl_val *out)
{
  cleanup_jv yajl_val obj = jv_object ();
  if (len < 4 || memcmp (data, "k8s\0", 4) != 0)
    return api_bad_request ("protobuf body without the k8s envelope");
  if (!pb_each_field ((struct pb_reader){ data + 4, data + len }, unknown_field, obj))
    return api_bad_request ("malformed protobuf body");
  if (!decodable_kind (jv_str (obj, "kind")))
    return api_status_new (415, "UnsupportedMediaType",
                           "%s is not accepted as protobuf here: send it as application/json",
                           jv_str (obj, "kind") ?: "an object without a kind");
  *out = steal_pointer (&obj);
  return NULL;
}
