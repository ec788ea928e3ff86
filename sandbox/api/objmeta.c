#include "objmeta.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "jv.h"
#include "names.h"

#define QUALIFIED_NAME_MSG                                                                         \
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "   \
  "alphanumeric character"
#define QUALIFIED_NAME_FMT "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
#define QUANTITY_REGEX_MSG                                                                         \
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
#define TOTAL_ANNOTATION_SIZE (256 * 1024)

static const char name_regex_msg[]
    = QUALIFIED_NAME_MSG " (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
                         "validation is '" QUALIFIED_NAME_FMT "')";
static const char value_regex_msg[]
    = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or "
      "'.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "
      "'my_value',  or '12345', regex used for validation is '(" QUALIFIED_NAME_FMT ")?')";

static bool
qualified_chars (const char *s, size_t n)
{
  if (n == 0 || !isalnum ((unsigned char) s[0]) || !isalnum ((unsigned char) s[n - 1]))
    return false;
  for (size_t i = 0; i < n; i++)
    if (!isalnum ((unsigned char) s[i]) && !strchr ("-_.", s[i]))
      return false;
  return true;
}

const char *
api_qualified_name_error (const char *key, char buf[512])
{
  const char *slash = strchr (key, '/'), *name = slash ? slash + 1 : key;
  if (slash && strchr (name, '/'))
    return "a qualified name " QUALIFIED_NAME_MSG " (e.g. 'MyName',  or 'my.name',  or "
           "'123-abc', regex used for validation is '" QUALIFIED_NAME_FMT "') with an optional "
           "DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
  if (slash)
    {
      char prefix[512];
      snprintf (prefix, sizeof prefix, "%.*s", (int) (slash - key), key);
      if (!*prefix)
        return "prefix part must be non-empty";
      if (strlen (prefix) > 253)
        return "prefix part must be no more than 253 characters";
      if (!api_is_dns1123_subdomain (prefix))
        {
          snprintf (buf, 512, "prefix part %s", api_dns1123_subdomain_msg);
          return buf;
        }
    }
  if (!*name)
    return "name part must be non-empty";
  if (strlen (name) > 63)
    return "name part must be no more than 63 characters";
  if (!qualified_chars (name, strlen (name)))
    {
      snprintf (buf, 512, "name part %s", name_regex_msg);
      return buf;
    }
  return NULL;
}

const char *
api_label_value_error (const char *value)
{
  if (strlen (value) > 63)
    return "must be no more than 63 characters";
  if (*value && !qualified_chars (value, strlen (value)))
    return value_regex_msg;
  return NULL;
}

static size_t
decimal_part (const char *s)
{
  size_t i = 0, digits = 0, dots = 0;
  if (s[i] == '+' || s[i] == '-')
    i++;
  for (; isdigit ((unsigned char) s[i]) || s[i] == '.'; i++)
    s[i] == '.' ? dots++ : digits++;
  return digits && dots <= 1 ? i : 0;
}

bool
api_quantity_syntax (const char *s)
{
  static const char *const suffixes[] = { "", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "n", "u",
                                          "m", "k", "M", "G", "T", "P", "E" };
  size_t n = decimal_part (s);
  const char *rest = s + n;
  if (!n)
    return false;
  for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++)
    if (strcmp (rest, suffixes[i]) == 0)
      return true;
  if (*rest != 'e' && *rest != 'E')
    return false;
  rest += 1 + (rest[1] == '+' || rest[1] == '-');
  if (!*rest)
    return false;
  for (; *rest; rest++)
    if (!isdigit ((unsigned char) *rest))
      return false;
  return true;
}

/* A quantity as JSON gives it: a string, or a bare number. */
static const char *
quantity_text (yajl_val v, char buf[64])
{
  if (YAJL_IS_STRING (v))
    return v->u.string;
  if (YAJL_IS_NUMBER (v))
    {
      snprintf (buf, 64, "%s", v->u.number.r);
      return buf;
    }
  return NULL;
}

/* A resource list and its field path, e.g. spec.hard. */
struct qlist {
  yajl_val map;
  char path[128];
};

/* Collects the resource lists of an object, by kind. */
static size_t
quantity_lists (yajl_val obj, const char *kind, struct qlist *out, size_t max)
{
  size_t n = 0;
  yajl_val spec = jv_get (obj, "spec");
  if (strcmp (kind, "ResourceQuota") == 0 && n < max)
    {
      out[n].map = jv_get (spec, "hard");
      snprintf (out[n++].path, sizeof out->path, "spec.hard");
    }
  if (strcmp (kind, "LimitRange") == 0)
    {
      static const char *const keys[] = { "max", "min", "default", "defaultRequest",
                                          "maxLimitRequestRatio" };
      yajl_val limits = jv_get (spec, "limits");
      for (size_t i = 0; YAJL_IS_ARRAY (limits) && i < limits->u.array.len; i++)
        for (size_t k = 0; k < 5 && n < max; k++)
          {
            out[n].map = jv_get (limits->u.array.values[i], keys[k]);
            snprintf (out[n++].path, sizeof out->path, "spec.limits[%zu].%s", i, keys[k]);
          }
    }
  if (strcmp (kind, "Pod") == 0)
    {
      static const char *const lists[] = { "containers", "initContainers" };
      for (size_t l = 0; l < 2; l++)
        {
          yajl_val cs = jv_get (spec, lists[l]);
          for (size_t i = 0; YAJL_IS_ARRAY (cs) && i < cs->u.array.len; i++)
            for (size_t k = 0; k < 2 && n < max; k++)
              {
                const char *which = k ? "requests" : "limits";
                out[n].map = jv_path (cs->u.array.values[i], "resources", which, NULL);
                snprintf (out[n++].path, sizeof out->path, "spec.%s[%zu].resources.%s",
                          lists[l], i, which);
              }
        }
    }
  return n;
}

struct api_status *
api_check_kind (yajl_val obj, const char *kind)
{
  const char *v = jv_str (obj, "apiVersion"), *k = jv_str (obj, "kind");
  if (k && *k && strcmp (k, kind) != 0)
    return api_bad_request ("the kind in the body (%s) does not match the expected kind (%s)",
                            k, kind);
  if (v && *v && strcmp (v, "v1") != 0)
    return api_bad_request ("the API version in the data (%s) does not match the expected API "
                            "version (v1)",
                            v);
  return NULL;
}

struct api_status *
api_quantities_decode (yajl_val obj, const char *kind)
{
  struct qlist lists[256];
  size_t n = quantity_lists (obj, kind, lists, 256);
  char buf[64];
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; YAJL_IS_OBJECT (lists[i].map) && j < lists[i].map->u.object.len; j++)
      {
        const char *q = quantity_text (lists[i].map->u.object.values[j], buf);
        if (!q || !api_quantity_syntax (q))
          return api_bad_request ("%s in version \"v1\" cannot be handled as a %s: %s", kind,
                                  kind, QUANTITY_REGEX_MSG);
      }
  return NULL;
}

static bool
is_zero (const char *q)
{
  for (; *q && !strchr ("eEinumkKMGTP", *q); q++)
    if (*q >= '1' && *q <= '9')
      return false;
  return true;
}

static bool
integer_resource (const char *name)
{
  static const char *const counts[]
      = { "pods", "services", "replicationcontrollers", "resourcequotas", "secrets",
          "configmaps", "persistentvolumeclaims", "services.nodeports",
          "services.loadbalancers" };
  for (size_t i = 0; i < sizeof counts / sizeof *counts; i++)
    if (strcmp (name, counts[i]) == 0)
      return true;
  return strncmp (name, "count/", 6) == 0;
}

/* A whole number: no fraction digits other than 0, no milli/micro/nano. */
static bool
is_integer (const char *q)
{
  const char *dot = strchr (q, '.');
  size_t end = strcspn (q, "eEinumkKMGTP");
  if (strchr ("num", q[end]) && q[end] && !is_zero (q))
    return false;
  for (const char *p = dot ? dot + 1 : q + end; dot && p < q + end; p++)
    if (*p != '0')
      return false;
  return true;
}

static void
validate_quantities (struct api_status *inv, yajl_val obj, const char *kind)
{
  struct qlist lists[256];
  size_t n = quantity_lists (obj, kind, lists, 256);
  char buf[64], field[256];
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; YAJL_IS_OBJECT (lists[i].map) && j < lists[i].map->u.object.len; j++)
      {
        const char *res = lists[i].map->u.object.keys[j];
        const char *q = quantity_text (lists[i].map->u.object.values[j], buf);
        snprintf (field, sizeof field, "%s[%s]", lists[i].path, res);
        if (!q)
          continue;
        if (q[0] == '-' && !is_zero (q))
          api_invalid_add (inv, "FieldValueInvalid", field,
                           "Invalid value: \"%s\": must be greater than or equal to 0", q);
        else if (strcmp (kind, "Pod") != 0 && integer_resource (res) && !is_integer (q))
          api_invalid_add (inv, "FieldValueInvalid", field, "Invalid value: \"%s\": must be an integer",
                           q);
      }
}

static void
validate_labels (struct api_status *inv, yajl_val labels)
{
  char buf[512];
  const char *why;
  for (size_t i = 0; YAJL_IS_OBJECT (labels) && i < labels->u.object.len; i++)
    {
      const char *k = labels->u.object.keys[i];
      yajl_val v = labels->u.object.values[i];
      if ((why = api_qualified_name_error (k, buf)))
        api_invalid_add (inv, "FieldValueInvalid", "metadata.labels", "Invalid value: \"%s\": %s",
                         k, why);
      if (YAJL_IS_STRING (v) && (why = api_label_value_error (v->u.string)))
        api_invalid_add (inv, "FieldValueInvalid", "metadata.labels", "Invalid value: \"%s\": %s",
                         v->u.string, why);
    }
}

static void
validate_annotations (struct api_status *inv, yajl_val annotations)
{
  char buf[512], lower[1024];
  const char *why;
  size_t total = 0;
  for (size_t i = 0; YAJL_IS_OBJECT (annotations) && i < annotations->u.object.len; i++)
    {
      const char *k = annotations->u.object.keys[i];
      yajl_val v = annotations->u.object.values[i];
      size_t n = 0;
      for (; k[n] && n + 1 < sizeof lower; n++)
        lower[n] = (char) tolower ((unsigned char) k[n]);
      lower[n] = '\0';
      if ((why = api_qualified_name_error (strlen (k) < sizeof lower ? lower : k, buf)))
        api_invalid_add (inv, "FieldValueInvalid", "metadata.annotations",
                         "Invalid value: \"%s\": %s", k, why);
      total += strlen (k) + (YAJL_IS_STRING (v) ? strlen (v->u.string) : 0);
    }
  if (total > TOTAL_ANNOTATION_SIZE)
    api_invalid_add (inv, "FieldValueTooLong", "metadata.annotations",
                     "Too long: may not be more than %d bytes", TOTAL_ANNOTATION_SIZE);
}

struct api_status *
api_object_validate (yajl_val obj, const char *kind)
{
  yajl_val meta = jv_get (obj, "metadata");
  struct api_status *inv = api_invalid_new (kind, jv_str (meta, "name"));
  validate_labels (inv, jv_get (meta, "labels"));
  validate_annotations (inv, jv_get (meta, "annotations"));
  validate_quantities (inv, obj, kind);
  if (inv->n_causes == 0)
    {
      api_status_free (inv);
      return NULL;
    }
  api_invalid_finish (inv);
  return inv;
}
