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

static bool
read_map_entry (struct pb_reader entry, yajl_val map)
{
  struct map_entry e = { { 0 }, { 0 } };
  if (!pb_each_field (entry, map_entry_field, &e) || !e.key.p)
    return false;
  cleanup_free char *k = strndup ((const char *) e.key.p, (size_t) (e.key.end - e.key.p));
  jv_set (map, k, e.value.p ? pb_string (&e.value) : jv_string (""));
  return true;
}

/* ObjectMeta: 1 name, 2 generateName, 3 namespace, 11 labels, 12 annotations. */
static bool
meta_field (const struct pb_field *f, void *meta)
{
  static const char *const names[] = { [1] = "name", [2] = "generateName", [3] = "namespace" };
  if (f->type != PB_BYTES)
    return true;
  if (f->number >= 1 && f->number <= 3)
    jv_set (meta, names[f->number], pb_string (&f->bytes));
  else if (f->number == 11 || f->number == 12)
    return read_map_entry (f->bytes, jv_obj_at (meta, f->number == 11 ? "labels" : "annotations"));
  return true;
}

/* The object: 1 metadata; the rest (spec, status) is not read. */
static bool
object_field (const struct pb_field *f, void *obj)
{
  if (f->number == 1 && f->type == PB_BYTES)
    return pb_each_field (f->bytes, meta_field, jv_obj_at (obj, "metadata"));
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

struct api_status *
api_protobuf_decode (const unsigned char *data, size_t len, yajl_val *out)
{
  cleanup_jv yajl_val obj = jv_object ();
  if (len < 4 || memcmp (data, "k8s\0", 4) != 0)
    return api_bad_request ("protobuf body without the k8s envelope");
  if (!pb_each_field ((struct pb_reader){ data + 4, data + len }, unknown_field, obj))
    return api_bad_request ("malformed protobuf body");
  *out = steal_pointer (&obj);
  return NULL;
}
