#include "protobuf.h"

#include <stdbool.h>
#include <string.h>

#include "cleanup.h"
#include "jv.h"
#include "protowire.h"

static yajl_val
pb_string (const struct pb_reader *s)
{
  cleanup_free char *text = strndup ((const char *) s->p, (size_t) (s->end - s->p));
  return jv_string (text);
}

static bool
read_map_entry (struct pb_reader *entry, yajl_val map)
{
  struct pb_field f;
  struct pb_reader key = { 0 }, value = { 0 };
  while (pb_more (entry))
    {
      if (!pb_next_field (entry, &f))
        return false;
      if (f.number == 1 && f.type == PB_BYTES)
        key = f.bytes;
      else if (f.number == 2 && f.type == PB_BYTES)
        value = f.bytes;
    }
  if (!key.p)
    return false;
  cleanup_free char *k = strndup ((const char *) key.p, (size_t) (key.end - key.p));
  jv_set (map, k, value.p ? pb_string (&value) : jv_string (""));
  return true;
}

/* ObjectMeta: 1 name, 2 generateName, 3 namespace, 11 labels, 12 annotations. */
static bool
read_meta (struct pb_reader *b, yajl_val meta)
{
  static const char *const names[] = { [1] = "name", [2] = "generateName", [3] = "namespace" };
  struct pb_field f;
  while (pb_more (b))
    {
      if (!pb_next_field (b, &f))
        return false;
      if (f.type != PB_BYTES)
        continue;
      if (f.number >= 1 && f.number <= 3)
        jv_set (meta, names[f.number], pb_string (&f.bytes));
      else if ((f.number == 11 || f.number == 12)
               && !read_map_entry (&f.bytes,
                                   jv_obj_at (meta, f.number == 11 ? "labels" : "annotations")))
        return false;
    }
  return true;
}

static bool
read_object (struct pb_reader *raw, yajl_val obj)
{
  struct pb_field f;
  while (pb_more (raw))
    {
      if (!pb_next_field (raw, &f))
        return false;
      if (f.number == 1 && f.type == PB_BYTES && !read_meta (&f.bytes, jv_obj_at (obj, "metadata")))
        return false;
    }
  return true;
}

/* runtime.Unknown: 1 typeMeta {1 apiVersion, 2 kind}, 2 raw. */
static bool
read_type_meta (struct pb_reader *tm, yajl_val obj)
{
  struct pb_field g;
  while (pb_more (tm))
    {
      if (!pb_next_field (tm, &g))
        return false;
      if (g.type == PB_BYTES && (g.number == 1 || g.number == 2))
        jv_set (obj, g.number == 1 ? "apiVersion" : "kind", pb_string (&g.bytes));
    }
  return true;
}

static bool
read_unknown (struct pb_reader *b, yajl_val obj)
{
  struct pb_field f;
  while (pb_more (b))
    {
      if (!pb_next_field (b, &f))
        return false;
      if (f.type != PB_BYTES)
        continue;
      if (f.number == 1 && !read_type_meta (&f.bytes, obj))
        return false;
      if (f.number == 2 && !read_object (&f.bytes, obj))
        return false;
    }
  return true;
}

struct api_status *
api_protobuf_decode (const unsigned char *data, size_t len, yajl_val *out)
{
  struct pb_reader b = { data + 4, data + len };
  cleanup_jv yajl_val obj = jv_object ();
  if (len < 4 || memcmp (data, "k8s\0", 4) != 0)
    return api_bad_request ("protobuf body without the k8s envelope");
  if (!read_unknown (&b, obj))
    return api_bad_request ("malformed protobuf body");
  *out = steal_pointer (&obj);
  return NULL;
}
