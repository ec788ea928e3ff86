#include "protobuf.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "cleanup.h"
#include "jv.h"

struct pb {
  const unsigned char *p, *end;
};

static bool
varint (struct pb *b, uint64_t *v)
{
  *v = 0;
  for (int shift = 0; shift < 64 && b->p < b->end; shift += 7)
    {
      unsigned char c = *b->p++;
      *v |= (uint64_t) (c & 0x7f) << shift;
      if (!(c & 0x80))
        return true;
    }
  return false;
}

/* Next field: its number and, for length-delimited ones, the bytes.
 * Varint and fixed fields are skipped over (sub->p == NULL). */
static bool
next_field (struct pb *b, unsigned *field, struct pb *sub)
{
  uint64_t key, len;
  if (!varint (b, &key))
    return false;
  *field = (unsigned) (key >> 3);
  sub->p = sub->end = NULL;
  switch (key & 7)
    {
    case 0:
      return varint (b, &len);
    case 1:
      if (b->end - b->p < 8)
        return false;
      b->p += 8;
      return true;
    case 5:
      if (b->end - b->p < 4)
        return false;
      b->p += 4;
      return true;
    case 2:
      if (!varint (b, &len) || len > (uint64_t) (b->end - b->p))
        return false;
      sub->p = b->p;
      sub->end = b->p + len;
      b->p += len;
      return true;
    default:
      return false;
    }
}

static yajl_val
pb_string (struct pb *s)
{
  cleanup_free char *text = strndup ((const char *) s->p, (size_t) (s->end - s->p));
  return jv_string (text);
}

static bool
read_map_entry (struct pb *entry, yajl_val map)
{
  struct pb sub, key = { 0 }, value = { 0 };
  unsigned f;
  while (entry->p < entry->end)
    {
      if (!next_field (entry, &f, &sub))
        return false;
      if (f == 1 && sub.p)
        key = sub;
      else if (f == 2 && sub.p)
        value = sub;
    }
  if (!key.p)
    return false;
  cleanup_free char *k = strndup ((const char *) key.p, (size_t) (key.end - key.p));
  jv_set (map, k, value.p ? pb_string (&value) : jv_string (""));
  return true;
}

/* ObjectMeta: 1 name, 2 generateName, 3 namespace, 11 labels, 12 annotations. */
static bool
read_meta (struct pb *b, yajl_val meta)
{
  static const char *const names[] = { [1] = "name", [2] = "generateName", [3] = "namespace" };
  struct pb sub;
  unsigned f;
  while (b->p < b->end)
    {
      if (!next_field (b, &f, &sub))
        return false;
      if (!sub.p)
        continue;
      if (f >= 1 && f <= 3)
        jv_set (meta, names[f], pb_string (&sub));
      else if ((f == 11 || f == 12)
               && !read_map_entry (&sub, jv_obj_at (meta, f == 11 ? "labels" : "annotations")))
        return false;
    }
  return true;
}

static bool
read_object (struct pb *raw, yajl_val obj)
{
  struct pb sub;
  unsigned f;
  while (raw->p < raw->end)
    {
      if (!next_field (raw, &f, &sub))
        return false;
      if (f == 1 && sub.p && !read_meta (&sub, jv_obj_at (obj, "metadata")))
        return false;
    }
  return true;
}

/* runtime.Unknown: 1 typeMeta {1 apiVersion, 2 kind}, 2 raw. */
static bool
read_unknown (struct pb *b, yajl_val obj)
{
  struct pb sub, tm;
  unsigned f, g;
  while (b->p < b->end)
    {
      if (!next_field (b, &f, &sub))
        return false;
      if (f == 1 && sub.p)
        while (sub.p < sub.end)
          {
            if (!next_field (&sub, &g, &tm))
              return false;
            if (tm.p && (g == 1 || g == 2))
              jv_set (obj, g == 1 ? "apiVersion" : "kind", pb_string (&tm));
          }
      else if (f == 2 && sub.p && !read_object (&sub, obj))
        return false;
    }
  return true;
}

struct api_status *
api_protobuf_decode (const unsigned char *data, size_t len, yajl_val *out)
{
  struct pb b = { data + 4, data + len };
  cleanup_jv yajl_val obj = jv_object ();
  if (len < 4 || memcmp (data, "k8s\0", 4) != 0)
    return api_bad_request ("protobuf body without the k8s envelope");
  if (!read_unknown (&b, obj))
    return api_bad_request ("malformed protobuf body");
  *out = steal_pointer (&obj);
  return NULL;
}
