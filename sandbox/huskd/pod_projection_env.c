/* A container's env as the kubelet makes it: valueFrom, envFrom, the
 * downward API's fields and resources. */
#include "pod_projection.h"
#include "pod_projection_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "base64.h"
#include "cleanup.h"
#include "configmap.h"
#include "dockercfg.h"
#include "jv.h"
#include "quantity.h"
#include "huskd.h"
#include "pod_network.h"
#include "sandbox/pod/pod_util.h"

yajl_val
pod_projection_ref (struct pod_sync *s, const char *resource, const char *name)
{
  return jv_get (jv_get (s->refs, resource), name);
}

static const char *
pod_ns (struct pod_sync *s)
{
  return jv_str (jv_get (s->pod, "metadata"), "namespace") ?: "default";
}

/* `metadata.labels` for a downwardAPI file: sorted key="value" lines. */
static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

static char *
format_map (yajl_val map)
{
  size_t n = YAJL_IS_OBJECT (map) ? map->u.object.len : 0, len = 0;
  cleanup_free char **lines = calloc (n + 1, sizeof *lines);
  char *out = NULL;
  FILE *f = open_memstream (&out, &len);
  for (size_t i = 0; i < n; i++)
    lines[i] = fmt ("%s=\"%s\"", map->u.object.keys[i],
                    YAJL_GET_STRING (map->u.object.values[i]) ?: "");
  qsort (lines, n, sizeof *lines, cmp_str);
  for (size_t i = 0; i < n; i++)
    {
      fprintf (f, "%s%s", i ? "\n" : "", lines[i]);
      free (lines[i]);
    }
  fclose (f);
  return out;
}

/* metadata.labels['key'] -> key */
static bool
subscript (const char *path, const char *prefix, char *key, size_t size)
{
  size_t n = strlen (prefix), len = strlen (path);
  if (strncmp (path, prefix, n) || path[n] != '[' || len < n + 4 || path[len - 1] != ']'
      || path[n + 1] != '\'' || path[len - 2] != '\'')
    return false;
  snprintf (key, size, "%.*s", (int) (len - n - 4), path + n + 2);
  return true;
}

char *
pod_projection_field (struct pod_sync *s, const char *path, bool whole_maps, char **why)
{
  yajl_val meta = jv_get (s->pod, "metadata");
  char key[320];
  if (!strcmp (path, "metadata.name") || !strcmp (path, "metadata.namespace")
      || !strcmp (path, "metadata.uid"))
    return xstrdup (jv_str (meta, path + strlen ("metadata.")));
  if (whole_maps && (!strcmp (path, "metadata.labels") || !strcmp (path, "metadata.annotations")))
    return format_map (jv_get (meta, path + strlen ("metadata.")));
  if (subscript (path, "metadata.labels", key, sizeof key))
    return xstrdup (jv_str (jv_get (meta, "labels"), key));
  if (subscript (path, "metadata.annotations", key, sizeof key))
    return xstrdup (jv_str (jv_get (meta, "annotations"), key));
  if (!strcmp (path, "spec.nodeName"))
    return xstrdup (jv_str (jv_get (s->pod, "spec"), "nodeName") ?: huskd_node_name ());
  if (!strcmp (path, "spec.serviceAccountName"))
    return xstrdup (jv_str (jv_get (s->pod, "spec"), "serviceAccountName")
                        ?: jv_str (jv_get (s->pod, "spec"), "serviceAccount") ?: "default");
  if (!strcmp (path, "status.podIP") || !strcmp (path, "status.podIPs"))
    return xstrdup (s->pod_ip);
  if (!strcmp (path, "status.hostIP") || !strcmp (path, "status.hostIPs"))
    return xstrdup (jv_str (jv_get (s->pod, "status"), "hostIP") ?: huskd_host_ip ());
  *why = fmt ("unsupported fieldPath: %s", path);
  return NULL;
}

static yajl_val
find_container (struct pod_sync *s, const char *name)
{
  static const char *const lists[] = { "containers", "initContainers" };
  for (size_t l = 0; l < 2; l++)
    {
      yajl_val cs = jv_path (s->pod, "spec", lists[l], NULL);
      for (size_t i = 0; i < alen (cs); i++)
        if (!strcmp (jv_str (at (cs, i), "name") ?: "", name))
          return at (cs, i);
    }
  return NULL;
}

/* The node's allocatable cpu (millicores) or memory (milli-bytes): what a
 * resourceFieldRef reads when the container sets no limit. */
static long long
node_allocatable (bool cpu)
{
  struct sysinfo si;
  if (cpu)
    return sysconf (_SC_NPROCESSORS_ONLN) * 1000LL;
  if (sysinfo (&si) < 0)
    return 0;
  return (long long) si.totalram * si.mem_unit * 1000LL;
}

char *
pod_projection_resource (struct pod_sync *s, yajl_val c, yajl_val ref, char **why)
{
  const char *cname = jv_str (ref, "containerName"), *res = jv_str (ref, "resource") ?: "";
  const char *div_text = jv_str (ref, "divisor");
  yajl_val target = cname && *cname ? find_container (s, cname) : c;
  long long value = -1, divisor = 1000;
  bool cpu = strstr (res, "cpu") != NULL;
  const char *lim, *req;
  if (!target)
    {
      *why = fmt ("container %s not found", cname ? cname : "");
      return NULL;
    }
  if (div_text && (!api_quantity_parse (div_text, &divisor) || divisor <= 0))
    divisor = 1000;
  lim = jv_str (jv_path (target, "resources", "limits", NULL), cpu ? "cpu" : "memory");
  req = jv_str (jv_path (target, "resources", "requests", NULL), cpu ? "cpu" : "memory");
  if (!strcmp (res, "limits.cpu") || !strcmp (res, "limits.memory"))
    {
      if (!lim || !api_quantity_parse (lim, &value))
        value = node_allocatable (cpu);
    }
  else if (!strcmp (res, "requests.cpu") || !strcmp (res, "requests.memory"))
    {
      if (!(req && api_quantity_parse (req, &value)) && !(lim && api_quantity_parse (lim, &value)))
        value = 0;
    }
  else
    {
      *why = fmt ("unsupported container resource : %s", res);
      return NULL;
    }
  return fmt ("%lld", (long long) ceil ((double) value / (double) divisor));
}

/* ---- env ---- */

static bool
env_name_ok (const char *n)
{
  return *n && !strchr ("0123456789", *n)
         && strspn (n, "-._abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
                == strlen (n);
}

static void
set_env (yajl_val env, const char *name, const char *value)
{
  yajl_val e;
  for (size_t i = 0; i < alen (env); i++)
    if (!strcmp (jv_str (at (env, i), "name") ?: "", name))
      {
        jv_set (at (env, i), "value", jv_string (value));
        return;
      }
  e = jv_object ();
  jv_set (e, "name", jv_string (name));
  jv_set (e, "value", jv_string (value));
  jv_push (env, e);
}

static char *
secret_text (yajl_val secret, const char *key)
{
  size_t len;
  char *v = (char *) api_secret_value (secret, key, &len);
  return v ? v : xstrdup ("");
}

static char *
key_ref_value (struct pod_sync *s, yajl_val ref, bool secret, bool *skip, char **why)
{
  const char *name = jv_str (ref, "name") ?: "", *key = jv_str (ref, "key") ?: "";
  yajl_val obj = pod_projection_ref (s, secret ? "secrets" : "configmaps", name);
  bool optional = is_true (jv_get (ref, "optional"));
  *skip = false;
  if (!obj || !(secret ? jv_get (jv_get (obj, "data"), key) : jv_get (jv_get (obj, "data"), key)))
    {
      if (optional)
        {
          *skip = true;
          return NULL;
        }
      *why = !obj ? fmt ("%s \"%s\" not found", secret ? "secret" : "configmap", name)
                  : fmt ("couldn't find key %s in %s %s/%s", key, secret ? "Secret" : "ConfigMap",
                         pod_ns (s), name);
      return NULL;
    }
  return secret ? secret_text (obj, key) : xstrdup (jv_str (jv_get (obj, "data"), key));
}

static int
add_env_from (struct pod_sync *s, yajl_val env, yajl_val src, char **why)
{
  yajl_val ref = jv_get (src, "configMapRef");
  bool secret = ref == NULL;
  const char *prefix = jv_str (src, "prefix") ?: "", *name;
  yajl_val obj, data;
  if (secret)
    ref = jv_get (src, "secretRef");
  if (!ref)
    return 0;
  name = jv_str (ref, "name") ?: "";
  obj = pod_projection_ref (s, secret ? "secrets" : "configmaps", name);
  if (!obj)
    {
      if (is_true (jv_get (ref, "optional")))
        return 0;
      *why = fmt ("%s \"%s\" not found", secret ? "secret" : "configmap", name);
      return -1;
    }
  data = jv_get (obj, "data");
  for (size_t i = 0; YAJL_IS_OBJECT (data) && i < data->u.object.len; i++)
    {
      cleanup_free char *full = fmt ("%s%s", prefix, data->u.object.keys[i]);
      cleanup_free char *value = secret ? secret_text (obj, data->u.object.keys[i])
                                        : xstrdup (YAJL_GET_STRING (data->u.object.values[i]));
      if (env_name_ok (full))
        set_env (env, full, value);
    }
  return 0;
}

static char *
env_value (struct pod_sync *s, yajl_val c, yajl_val vf, bool *skip, char **why)
{
  *skip = false;
  if (jv_get (vf, "configMapKeyRef"))
    return key_ref_value (s, jv_get (vf, "configMapKeyRef"), false, skip, why);
  if (jv_get (vf, "secretKeyRef"))
    return key_ref_value (s, jv_get (vf, "secretKeyRef"), true, skip, why);
  if (jv_get (vf, "fieldRef"))
    return pod_projection_field (s, jv_str (jv_get (vf, "fieldRef"), "fieldPath") ?: "", false, why);
  if (jv_get (vf, "resourceFieldRef"))
    return pod_projection_resource (s, c, jv_get (vf, "resourceFieldRef"), why);
  *skip = true;
  return NULL;
}

yajl_val
pod_projection_env (struct pod_sync *s, yajl_val c, char **why)
{
  cleanup_jv yajl_val env = jv_array ();
  yajl_val from = jv_get (c, "envFrom"), list = jv_get (c, "env");
  *why = NULL;
  for (size_t i = 0; i < alen (from); i++)
    if (add_env_from (s, env, at (from, i), why) < 0)
      return NULL;
  for (size_t i = 0; i < alen (list); i++)
    {
      yajl_val e = at (list, i), vf = jv_get (e, "valueFrom");
      const char *name = jv_str (e, "name") ?: "";
      cleanup_free char *value = NULL;
      bool skip = false;
      if (!vf)
        value = xstrdup (jv_str (e, "value"));
      else if (!(value = env_value (s, c, vf, &skip, why)) && !skip)
        return NULL;
      if (value)
        set_env (env, name, value);
    }
  return steal_pointer (&env);
}

/* ---- volumes ---- */

