#include "configmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "base64.h"
#include "cleanup.h"
#include "jv.h"
#include "quantity.h"

#define MAX_TOTAL_BYTES (1024 * 1024)

const char *
api_config_key_error (const char *key)
{
  size_t n = strlen (key);
  if (n == 0 || n > 253 || strspn (key, "-._abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789")
                               != n)
    return n > 253 ? "must be no more than 253 characters"
                   : "a valid config key must consist of alphanumeric characters, '-', '_' or "
                     "'.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for "
                     "validation is '[-._a-zA-Z0-9]+')";
  if (!strcmp (key, "."))
    return "must not be '.'";
  if (!strcmp (key, ".."))
    return "must not be '..'";
  if (!strncmp (key, "..", 2))
    return "must not start with '..'";
  return NULL;
}

static void
check_keys (struct api_status *inv, yajl_val map, const char *field)
{
  for (size_t i = 0; YAJL_IS_OBJECT (map) && i < map->u.object.len; i++)
    {
      const char *key = map->u.object.keys[i], *why = api_config_key_error (key);
      char path[300];
      snprintf (path, sizeof path, "%s[%s]", field, key);
      if (why)
        api_invalid_add (inv, "FieldValueInvalid", path, "Invalid value: \"%s\": %s", key, why);
    }
}

static struct api_status *
bad_value_type (const char *kind, const char *field)
{
  return api_bad_request ("%s in version \"v1\" cannot be handled as a %s: json: cannot "
                          "unmarshal into Go struct field %s.%s of type map[string]string",
                          kind, kind, kind, field);
}

/* Every value of a data map must be a string (kube-apiserver refuses the
 * body otherwise, before validation). */
static struct api_status *
check_strings (yajl_val map, const char *kind, const char *field)
{
  if (map && !YAJL_IS_OBJECT (map) && !YAJL_IS_NULL (map))
    return bad_value_type (kind, field);
  for (size_t i = 0; YAJL_IS_OBJECT (map) && i < map->u.object.len; i++)
    if (!YAJL_IS_STRING (map->u.object.values[i]))
      return bad_value_type (kind, field);
  return NULL;
}

static struct api_status *
finish (struct api_status *inv)
{
  if (inv->n_causes == 0)
    {
      api_status_free (inv);
      return NULL;
    }
  api_invalid_finish (inv);
  return inv;
}

static bool
is_true (yajl_val v)
{
  return v && YAJL_IS_TRUE (v);
}

/* An immutable object keeps its data and stays immutable. */
static void
check_immutable (struct api_status *inv, yajl_val old, yajl_val obj, const char *const *fields)
{
  if (!old || !is_true (jv_get (old, "immutable")))
    return;
  if (!is_true (jv_get (obj, "immutable")))
    api_invalid_add (inv, "FieldValueForbidden", "immutable",
                     "Forbidden: field is immutable when `immutable` is set");
  for (const char *const *f = fields; *f; f++)
    if (!jv_equal (jv_get (old, *f), jv_get (obj, *f)))
      api_invalid_add (inv, "FieldValueForbidden", *f,
                       "Forbidden: field is immutable when `immutable` is set");
}

static size_t
total_bytes (yajl_val map)
{
  size_t n = 0;
  for (size_t i = 0; YAJL_IS_OBJECT (map) && i < map->u.object.len; i++)
    n += strlen (map->u.object.keys[i]) + strlen (YAJL_GET_STRING (map->u.object.values[i]) ?: "");
  return n;
}

struct api_status *
api_configmap_admit (yajl_val old, yajl_val obj)
{
  yajl_val data = jv_get (obj, "data"), bin = jv_get (obj, "binaryData");
  struct api_status *s, *inv;
  static const char *const fields[] = { "data", "binaryData", NULL };
  if ((s = check_strings (data, "ConfigMap", "data"))
      || (s = check_strings (bin, "ConfigMap", "binaryData")))
    return s;
  for (size_t i = 0; YAJL_IS_OBJECT (bin) && i < bin->u.object.len; i++)
    {
      cleanup_free unsigned char *raw = NULL;
      size_t len, bad;
      if (api_base64_decode (YAJL_GET_STRING (bin->u.object.values[i]), &raw, &len, &bad) < 0)
        return api_bad_request ("ConfigMap in version \"v1\" cannot be handled as a ConfigMap: "
                                "illegal base64 data at input byte %zu",
                                bad);
    }
  inv = api_invalid_new ("ConfigMap", jv_str (jv_get (obj, "metadata"), "name"));
  check_keys (inv, data, "data");
  check_keys (inv, bin, "binaryData");
  for (size_t i = 0; YAJL_IS_OBJECT (bin) && i < bin->u.object.len; i++)
    if (jv_get (data, bin->u.object.keys[i]))
      {
        char path[300];
        snprintf (path, sizeof path, "data[%s]", bin->u.object.keys[i]);
        api_invalid_add (inv, "FieldValueInvalid", path,
                         "Invalid value: \"%s\": duplicate of key present in binaryData",
                         bin->u.object.keys[i]);
      }
  if (total_bytes (data) + total_bytes (bin) > MAX_TOTAL_BYTES)
    api_invalid_add (inv, "FieldValueTooLong", "", "Too long: must have at most %d bytes",
                     MAX_TOTAL_BYTES);
  check_immutable (inv, old, obj, fields);
  return finish (inv);
}

unsigned char *
api_secret_value (yajl_val secret, const char *key, size_t *len)
{
  const char *text = jv_str (jv_get (secret, "data"), key);
  unsigned char *raw = NULL;
  size_t bad;
  if (!text || api_base64_decode (text, &raw, len, &bad) < 0)
    return NULL;
  return raw;
}

/* stringData is write-only: its keys replace data's, encoded. */
static void
fold_string_data (yajl_val obj)
{
  yajl_val sd = jv_get (obj, "stringData"), data;
  if (!YAJL_IS_OBJECT (sd))
    {
      jv_del (obj, "stringData");
      return;
    }
  data = jv_obj_at (obj, "data");
  for (size_t i = 0; i < sd->u.object.len; i++)
    {
      const char *v = YAJL_GET_STRING (sd->u.object.values[i]) ?: "";
      cleanup_free char *enc = api_base64_encode ((const unsigned char *) v, strlen (v));
      jv_set (data, sd->u.object.keys[i], jv_string (enc));
    }
  jv_del (obj, "stringData");
}

static bool
valid_json (const unsigned char *text, size_t len)
{
  char why[64];
  yajl_val v = yajl_tree_parse ((const char *) text, why, sizeof why);
  (void) len;
  if (!v)
    return false;
  yajl_tree_free (v);
  return true;
}

static void
require_key (struct api_status *inv, yajl_val data, const char *key)
{
  char path[300];
  snprintf (path, sizeof path, "data[%s]", key);
  if (!jv_get (data, key))
    api_invalid_add (inv, "FieldValueRequired", path, "Required value");
}

static void
check_type (struct api_status *inv, yajl_val obj)
{
  const char *type = jv_str (obj, "type");
  yajl_val data = jv_get (obj, "data");
  const char *json_key = !strcmp (type, "kubernetes.io/dockerconfigjson") ? ".dockerconfigjson"
                         : !strcmp (type, "kubernetes.io/dockercfg")     ? ".dockercfg"
                                                                         : NULL;
  if (!strcmp (type, "kubernetes.io/tls"))
    {
      require_key (inv, data, "tls.crt");
      require_key (inv, data, "tls.key");
    }
  else if (!strcmp (type, "kubernetes.io/basic-auth") && !jv_get (data, "username")
           && !jv_get (data, "password"))
    api_invalid_add (inv, "FieldValueRequired", "data[username]", "Required value");
  else if (!strcmp (type, "kubernetes.io/ssh-auth"))
    require_key (inv, data, "ssh-privatekey");
  else if (json_key && !jv_get (data, json_key))
    require_key (inv, data, json_key);
  else if (json_key)
    {
      size_t len;
      cleanup_free unsigned char *raw = api_secret_value (obj, json_key, &len);
      char path[300];
      snprintf (path, sizeof path, "data[%s]", json_key);
      if (!raw || !valid_json (raw, len))
        api_invalid_add (inv, "FieldValueInvalid", path,
                         "Invalid value: \"<secret contents redacted>\": invalid JSON");
    }
}

struct api_status *
api_secret_admit (yajl_val old, yajl_val obj)
{
  struct api_status *s, *inv;
  yajl_val data;
  static const char *const fields[] = { "data", NULL };
  if ((s = check_strings (jv_get (obj, "stringData"), "Secret", "stringData"))
      || (s = check_strings (jv_get (obj, "data"), "Secret", "data")))
    return s;
  data = jv_get (obj, "data");
  for (size_t i = 0; YAJL_IS_OBJECT (data) && i < data->u.object.len; i++)
    {
      cleanup_free unsigned char *raw = NULL;
      size_t len, bad;
      if (api_base64_decode (YAJL_GET_STRING (data->u.object.values[i]), &raw, &len, &bad) < 0)
        return api_bad_request ("Secret in version \"v1\" cannot be handled as a Secret: "
                                "illegal base64 data at input byte %zu",
                                bad);
    }
  if (!jv_str (obj, "type") || !*jv_str (obj, "type"))
    jv_set (obj, "type", jv_string ("Opaque"));
  fold_string_data (obj);
  data = jv_get (obj, "data");
  inv = api_invalid_new ("Secret", jv_str (jv_get (obj, "metadata"), "name"));
  check_keys (inv, data, "data");
  if (total_bytes (data) > MAX_TOTAL_BYTES * 4 / 3 + 4)
    api_invalid_add (inv, "FieldValueTooLong", "data", "Too long: must have at most %d bytes",
                     MAX_TOTAL_BYTES);
  check_type (inv, obj);
  if (old && strcmp (jv_str (old, "type") ?: "Opaque", jv_str (obj, "type")) != 0)
    api_invalid_add (inv, "FieldValueInvalid", "type", "Invalid value: \"%s\": field is immutable",
                     jv_str (obj, "type"));
  check_immutable (inv, old, obj, fields);
  return finish (inv);
}

struct api_status *
api_quota_count_admit (const char *resource, const char *name, yajl_val *quotas, size_t nq,
                       size_t count)
{
  char counted[80];
  snprintf (counted, sizeof counted, "count/%s", resource);
  for (size_t i = 0; i < nq; i++)
    {
      yajl_val hard = jv_path (quotas[i], "spec", "hard", NULL);
      const char *names[] = { resource, counted };
      for (size_t k = 0; k < 2; k++)
        {
          long long milli;
          const char *h = jv_str (hard, names[k]);
          if (!h || !api_quantity_parse (h, &milli) || (long long) count + 1 <= milli / 1000)
            continue;
          return api_forbidden (resource, name,
                                "exceeded quota: %s, requested: %s=1, used: %s=%zu, limited: "
                                "%s=%lld",
                                jv_str (jv_get (quotas[i], "metadata"), "name") ?: "", names[k],
                                names[k], count, names[k], milli / 1000);
        }
    }
  return NULL;
}

void
api_quota_count_refresh (yajl_val quota, const char *resource, size_t count)
{
  yajl_val hard = jv_path (quota, "spec", "hard", NULL);
  char counted[80], n[32];
  snprintf (counted, sizeof counted, "count/%s", resource);
  snprintf (n, sizeof n, "%zu", count);
  const char *names[] = { resource, counted };
  for (size_t k = 0; k < 2; k++)
    if (jv_str (hard, names[k]))
      jv_set (jv_obj_at (jv_obj_at (quota, "status"), "used"), names[k], jv_string (n));
}
