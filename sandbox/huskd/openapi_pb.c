/* An OpenAPI v2 document in JSON as the protobuf openapi_v2.Document
 * (gnostic's OpenAPIv2.proto, whose field numbers are below) that kubectl
 * asks /openapi/v2 for.  Only the parts huskd's documents have are
 * written: schemas ($ref, format, description, required, type, items,
 * properties, additionalProperties, x- extensions as YAML), and paths
 * whose operations take query parameters.  Written with protowire.c, not
 * protobuf-c: filling protobuf-c's generated structs from a JSON tree
 * would be as long as this, and add thousands of lines of generated code. */
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "jv.h"
#include "openapi.h"
#include "protowire.h"

/* A growing message. */
struct pbuf {
  unsigned char *data;
  size_t len, cap;
};

static void
pbuf_free (struct pbuf *b)
{
  free (b->data);
}
#define cleanup_pbuf __attribute__ ((cleanup (pbuf_free)))

static void
pbuf_reserve (struct pbuf *b, size_t more)
{
  if (b->len + more <= b->cap)
    return;
  size_t cap = b->cap ? b->cap : 256;
  while (cap < b->len + more)
    cap *= 2;
  b->data = realloc (b->data, cap);
  if (b->data == NULL)
    abort (); /* as jv: no soft failure of allocation */
  b->cap = cap;
}

static void
put_bytes (struct pbuf *b, unsigned number, const void *data, size_t len)
{
  pbuf_reserve (b, len + 16);
  b->len = pb_put_bytes (b->data, b->len, b->cap, number, data, len);
}

static void
put_str (struct pbuf *b, unsigned number, const char *s)
{
  if (s)
    put_bytes (b, number, s, strlen (s));
}

static void
put_varint (struct pbuf *b, unsigned number, uint64_t v)
{
  pbuf_reserve (b, 16);
  b->len = pb_put_varint (b->data, b->len, b->cap, number, v);
}

static void
put_msg (struct pbuf *b, unsigned number, const struct pbuf *inner)
{
  put_bytes (b, number, inner->data ? inner->data : (const unsigned char *) "", inner->len);
}

static const char *
str_of (yajl_val v)
{
  return YAJL_IS_STRING (v) ? YAJL_GET_STRING (v) : NULL;
}

/* NamedAny{name, Any{yaml}}: JSON is YAML, as kubectl reads it. */
static void
put_extension (struct pbuf *b, unsigned number, const char *name, yajl_val value)
{
  cleanup_pbuf struct pbuf named = { 0 }, any = { 0 };
  size_t len;
  cleanup_free char *text = jv_dump (value, &len);
  put_bytes (&any, 2, text, len); /* Any.yaml */
  put_str (&named, 1, name);      /* NamedAny.name */
  put_msg (&named, 2, &any);      /* NamedAny.value */
  put_msg (b, number, &named);
}

static void put_schema (struct pbuf *b, unsigned number, yajl_val s);

/* Schema.properties: Properties{repeated NamedSchema additional_properties}. */
static void
put_properties (struct pbuf *b, yajl_val props)
{
  cleanup_pbuf struct pbuf p = { 0 };
  for (size_t i = 0; YAJL_IS_OBJECT (props) && i < props->u.object.len; i++)
    {
      cleanup_pbuf struct pbuf named = { 0 };
      put_str (&named, 1, props->u.object.keys[i]);
      put_schema (&named, 2, props->u.object.values[i]);
      put_msg (&p, 1, &named);
    }
  put_msg (b, 25, &p);
}

static void
put_schema_member (struct pbuf *s, const char *key, yajl_val v)
{
  if (!strcmp (key, "$ref"))
    put_str (s, 1, str_of (v));
  else if (!strcmp (key, "format"))
    put_str (s, 2, str_of (v));
  else if (!strcmp (key, "description"))
    put_str (s, 4, str_of (v));
  else if (!strcmp (key, "required"))
    for (size_t i = 0; YAJL_IS_ARRAY (v) && i < v->u.array.len; i++)
      put_str (s, 19, str_of (v->u.array.values[i]));
  else if (!strcmp (key, "additionalProperties"))
    {
      cleanup_pbuf struct pbuf item = { 0 }; /* AdditionalPropertiesItem */
      if (YAJL_IS_OBJECT (v))
        put_schema (&item, 1, v);
      else
        put_varint (&item, 2, YAJL_IS_TRUE (v));
      put_msg (s, 21, &item);
    }
  else if (!strcmp (key, "type"))
    {
      cleanup_pbuf struct pbuf t = { 0 }; /* TypeItem{repeated string value} */
      put_str (&t, 1, str_of (v));
      put_msg (s, 22, &t);
    }
  else if (!strcmp (key, "items"))
    {
      cleanup_pbuf struct pbuf items = { 0 }; /* ItemsItem{repeated Schema schema} */
      put_schema (&items, 1, v);
      put_msg (s, 23, &items);
    }
  else if (!strcmp (key, "properties"))
    put_properties (s, v);
  else if (!strncmp (key, "x-", 2))
    put_extension (s, 31, key, v);
}

static void
put_schema (struct pbuf *b, unsigned number, yajl_val schema)
{
  cleanup_pbuf struct pbuf s = { 0 };
  for (size_t i = 0; YAJL_IS_OBJECT (schema) && i < schema->u.object.len; i++)
    put_schema_member (&s, schema->u.object.keys[i], schema->u.object.values[i]);
  put_msg (b, number, &s);
}

/* ParametersItem{parameter: Parameter{non_body_parameter:
 * NonBodyParameter{query_parameter_sub_schema}}}. */
static void
put_query_parameter (struct pbuf *op, yajl_val p)
{
  cleanup_pbuf struct pbuf q = { 0 }, nonbody = { 0 }, param = { 0 }, item = { 0 };
  put_str (&q, 2, jv_str (p, "in"));
  put_str (&q, 3, jv_str (p, "description"));
  put_str (&q, 4, jv_str (p, "name"));
  put_str (&q, 6, jv_str (p, "type"));
  put_msg (&nonbody, 3, &q);
  put_msg (&param, 2, &nonbody);
  put_msg (&item, 1, &param);
  put_msg (op, 8, &item); /* Operation.parameters */
}

/* Operation{parameters, responses, vendor_extension}. */
static void
put_operation (struct pbuf *path_item, unsigned number, yajl_val op)
{
  cleanup_pbuf struct pbuf o = { 0 }, responses = { 0 };
  yajl_val params = jv_get (op, "parameters"), codes = jv_get (op, "responses");
  for (size_t i = 0; YAJL_IS_ARRAY (params) && i < params->u.array.len; i++)
    put_query_parameter (&o, params->u.array.values[i]);
  for (size_t i = 0; YAJL_IS_OBJECT (codes) && i < codes->u.object.len; i++)
    {
      cleanup_pbuf struct pbuf named = { 0 }, value = { 0 }, response = { 0 };
      put_str (&response, 1, jv_str (codes->u.object.values[i], "description"));
      put_msg (&value, 1, &response);                  /* ResponseValue.response */
      put_str (&named, 1, codes->u.object.keys[i]);   /* NamedResponseValue.name */
      put_msg (&named, 2, &value);
      put_msg (&responses, 1, &named);                 /* Responses.response_code */
    }
  put_msg (&o, 9, &responses);
  for (size_t i = 0; i < op->u.object.len; i++)
    if (!strncmp (op->u.object.keys[i], "x-", 2))
      put_extension (&o, 13, op->u.object.keys[i], op->u.object.values[i]);
  put_msg (path_item, number, &o);
}

/* Paths{repeated NamedPathItem path}. */
static void
put_paths (struct pbuf *doc, yajl_val paths)
{
  static const char *const methods[] = { NULL, NULL, "get", "put", "post", "delete",
                                         "options", "head", "patch" }; /* PathItem numbers */
  cleanup_pbuf struct pbuf p = { 0 };
  for (size_t i = 0; YAJL_IS_OBJECT (paths) && i < paths->u.object.len; i++)
    {
      cleanup_pbuf struct pbuf named = { 0 }, item = { 0 };
      for (unsigned m = 2; m < sizeof methods / sizeof methods[0]; m++)
        {
          yajl_val op = jv_get (paths->u.object.values[i], methods[m]);
          if (YAJL_IS_OBJECT (op))
            put_operation (&item, m, op);
        }
      put_str (&named, 1, paths->u.object.keys[i]);
      put_msg (&named, 2, &item);
      put_msg (&p, 2, &named);
    }
  put_msg (doc, 8, &p);
}

size_t
huskd_openapi_v2_protobuf (yajl_val doc, unsigned char **out)
{
  struct pbuf d = { 0 };
  cleanup_pbuf struct pbuf info = { 0 }, defs = { 0 };
  yajl_val definitions = jv_get (doc, "definitions");
  put_str (&d, 1, jv_str (doc, "swagger"));
  put_str (&info, 1, jv_str (jv_get (doc, "info"), "title"));
  put_str (&info, 2, jv_str (jv_get (doc, "info"), "version"));
  put_msg (&d, 2, &info);
  put_paths (&d, jv_get (doc, "paths"));
  for (size_t i = 0; YAJL_IS_OBJECT (definitions) && i < definitions->u.object.len; i++)
    {
      cleanup_pbuf struct pbuf named = { 0 };
      put_str (&named, 1, definitions->u.object.keys[i]);
      put_schema (&named, 2, definitions->u.object.values[i]);
      put_msg (&defs, 1, &named); /* Definitions.additional_properties */
    }
  put_msg (&d, 9, &defs);
  *out = d.data;
  return d.len;
}
