#include "defaults.h"

#include <string.h>

#include "jv.h"

static void
default_str (yajl_val obj, const char *key, const char *value)
{
  if (!jv_str (obj, key))
    jv_set (obj, key, jv_string (value));
}

static void
default_int (yajl_val obj, const char *key, long long value)
{
  long long have;
  if (!jv_int_of (obj, key, &have))
    jv_set (obj, key, jv_int (value));
}

static void
probe_defaults (yajl_val c, const char *key)
{
  yajl_val p = jv_get (c, key);
  if (!p || p->type != yajl_t_object)
    return;
  default_int (p, "timeoutSeconds", 1);
  default_int (p, "periodSeconds", 10);
  default_int (p, "successThreshold", 1);
  default_int (p, "failureThreshold", 3);
  if (jv_get (p, "httpGet"))
    {
      default_str (jv_get (p, "httpGet"), "path", "/");
      default_str (jv_get (p, "httpGet"), "scheme", "HTTP");
    }
}

/* imagePullPolicy is Always for ":latest" or untagged images in
 * Kubernetes; husk images are local paths, so IfNotPresent reads truer,
 * but the rule is kept for manifests written against a cluster. */
static const char *
pull_policy (const char *image)
{
  const char *slash = image ? strrchr (image, '/') : NULL;
  const char *tag = strrchr (slash ? slash : image ? image : "", ':');
  if (image && image[0] == '/')
    return "IfNotPresent";
  return !tag || strcmp (tag, ":latest") == 0 ? "Always" : "IfNotPresent";
}

static void
container_defaults (yajl_val c)
{
  yajl_val ports = jv_get (c, "ports");
  default_str (c, "imagePullPolicy", pull_policy (jv_str (c, "image")));
  default_str (c, "terminationMessagePath", "/dev/termination-log");
  default_str (c, "terminationMessagePolicy", "File");
  if (!jv_get (c, "resources"))
    jv_set (c, "resources", jv_object ());
  for (size_t i = 0; ports && ports->type == yajl_t_array && i < ports->u.array.len; i++)
    if (ports->u.array.values[i]->type == yajl_t_object)
      default_str (ports->u.array.values[i], "protocol", "TCP");
  probe_defaults (c, "livenessProbe");
  probe_defaults (c, "readinessProbe");
  probe_defaults (c, "startupProbe");
}

static void
each_container (yajl_val spec, const char *key)
{
  yajl_val list = jv_get (spec, key);
  for (size_t i = 0; list && list->type == yajl_t_array && i < list->u.array.len; i++)
    if (list->u.array.values[i]->type == yajl_t_object)
      container_defaults (list->u.array.values[i]);
}

void
api_pod_set_defaults (yajl_val pod)
{
  yajl_val spec = jv_get (pod, "spec");
  if (!spec || spec->type != yajl_t_object)
    return;
  default_str (spec, "restartPolicy", "Always");
  default_int (spec, "terminationGracePeriodSeconds", 30);
  default_str (spec, "dnsPolicy", "ClusterFirst");
  default_str (spec, "schedulerName", "default-scheduler");
  if (!jv_get (spec, "securityContext"))
    jv_set (spec, "securityContext", jv_object ());
  each_container (spec, "initContainers");
  each_container (spec, "containers");
}
