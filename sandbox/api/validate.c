#include "validate.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "jv.h"
#include "names.h"
#include "validate_net.h"

/* Field types the decoder insists on: a mismatch is a 400, not a 422. */
struct type_rule {
  const char *path; /* keys from the pod root; "[]" steps into each element */
  yajl_type type;
  const char *go_type;
};

static const struct type_rule type_rules[] = {
  { "metadata", yajl_t_object, "v1.ObjectMeta" },
  { "metadata.name", yajl_t_string, "string" },
  { "metadata.namespace", yajl_t_string, "string" },
  { "metadata.labels", yajl_t_object, "map[string]string" },
  { "metadata.annotations", yajl_t_object, "map[string]string" },
  { "spec", yajl_t_object, "v1.PodSpec" },
  { "spec.containers", yajl_t_array, "[]v1.Container" },
  { "spec.containers.[]", yajl_t_object, "v1.Container" },
  { "spec.containers.[].name", yajl_t_string, "string" },
  { "spec.containers.[].image", yajl_t_string, "string" },
  { "spec.containers.[].command", yajl_t_array, "[]string" },
  { "spec.containers.[].args", yajl_t_array, "[]string" },
  { "spec.containers.[].ports", yajl_t_array, "[]v1.ContainerPort" },
  { "spec.containers.[].ports.[].containerPort", yajl_t_number, "int32" },
  { "spec.containers.[].livenessProbe", yajl_t_object, "v1.Probe" },
  { "spec.containers.[].livenessProbe.periodSeconds", yajl_t_number, "int32" },
  { "spec.containers.[].livenessProbe.timeoutSeconds", yajl_t_number, "int32" },
  { "spec.containers.[].livenessProbe.initialDelaySeconds", yajl_t_number, "int32" },
  { "spec.containers.[].livenessProbe.failureThreshold", yajl_t_number, "int32" },
  { "spec.containers.[].livenessProbe.successThreshold", yajl_t_number, "int32" },
  { "spec.containers.[].readinessProbe", yajl_t_object, "v1.Probe" },
  { "spec.containers.[].readinessProbe.periodSeconds", yajl_t_number, "int32" },
  { "spec.containers.[].readinessProbe.timeoutSeconds", yajl_t_number, "int32" },
  { "spec.containers.[].readinessProbe.initialDelaySeconds", yajl_t_number, "int32" },
  { "spec.containers.[].readinessProbe.failureThreshold", yajl_t_number, "int32" },
  { "spec.containers.[].readinessProbe.successThreshold", yajl_t_number, "int32" },
  { "spec.containers.[].startupProbe", yajl_t_object, "v1.Probe" },
  { "spec.containers.[].startupProbe.periodSeconds", yajl_t_number, "int32" },
  { "spec.containers.[].startupProbe.timeoutSeconds", yajl_t_number, "int32" },
  { "spec.containers.[].startupProbe.initialDelaySeconds", yajl_t_number, "int32" },
  { "spec.containers.[].startupProbe.failureThreshold", yajl_t_number, "int32" },
  { "spec.containers.[].startupProbe.successThreshold", yajl_t_number, "int32" },
  { "spec.containers.[].livenessProbe.grpc", yajl_t_object, "v1.GRPCAction" },
  { "spec.containers.[].livenessProbe.grpc.port", yajl_t_number, "int32" },
  { "spec.containers.[].livenessProbe.grpc.service", yajl_t_string, "string" },
  { "spec.containers.[].readinessProbe.grpc", yajl_t_object, "v1.GRPCAction" },
  { "spec.containers.[].readinessProbe.grpc.port", yajl_t_number, "int32" },
  { "spec.containers.[].readinessProbe.grpc.service", yajl_t_string, "string" },
  { "spec.containers.[].startupProbe.grpc", yajl_t_object, "v1.GRPCAction" },
  { "spec.containers.[].startupProbe.grpc.port", yajl_t_number, "int32" },
  { "spec.containers.[].startupProbe.grpc.service", yajl_t_string, "string" },
  { "spec.initContainers", yajl_t_array, "[]v1.Container" },
  { "spec.initContainers.[]", yajl_t_object, "v1.Container" },
  { "spec.initContainers.[].name", yajl_t_string, "string" },
  { "spec.initContainers.[].image", yajl_t_string, "string" },
  { "spec.initContainers.[].command", yajl_t_array, "[]string" },
  { "spec.restartPolicy", yajl_t_string, "v1.RestartPolicy" },
  { "spec.terminationGracePeriodSeconds", yajl_t_number, "int64" },
  { "spec.activeDeadlineSeconds", yajl_t_number, "int64" },
  { "spec.volumes", yajl_t_array, "[]v1.Volume" },
};

static const char *
type_name (yajl_val v)
{
  switch (v->type)
    {
    case yajl_t_string:
      return "string";
    case yajl_t_number:
      return "number";
    case yajl_t_object:
      return "object";
    case yajl_t_array:
      return "array";
    case yajl_t_true:
    case yajl_t_false:
      return "bool";
    default:
      return "null";
    }
}

static struct api_status *
check_rule (yajl_val v, const char *rest, const struct type_rule *rule)
{
  char key[64];
  const char *dot;
  size_t n;

  if (!v || v->type == yajl_t_null)
    return NULL;
  if (*rest == '\0')
    {
      if (v->type == rule->type)
        return NULL;
      return api_bad_request ("Pod in version \"v1\" cannot be handled as a Pod: json: cannot "
                              "unmarshal %s into Go struct field %s of type %s",
                              type_name (v), rule->path, rule->go_type);
    }
  dot = strchr (rest, '.');
  n = dot ? (size_t) (dot - rest) : strlen (rest);
  snprintf (key, sizeof key, "%.*s", (int) n, rest);
  rest = dot ? dot + 1 : rest + n;
  if (strcmp (key, "[]") != 0)
    return check_rule (jv_get (v, key), rest, rule);
  if (v->type != yajl_t_array)
    return NULL;
  for (size_t i = 0; i < v->u.array.len; i++)
    {
      struct api_status *s = check_rule (v->u.array.values[i], rest, rule);
      if (s)
        return s;
    }
  return NULL;
}

struct api_status *
api_pod_check_types (yajl_val pod)
{
  if (!pod || pod->type != yajl_t_object)
    return api_bad_request ("Pod in version \"v1\" cannot be handled as a Pod: the body is not "
                            "a JSON object");
  const char *kind = jv_str (pod, "kind");
  if (kind && strcmp (kind, "Pod") != 0)
    return api_bad_request ("the kind in the body (%s) does not match the expected kind (Pod)",
                            kind);
  for (size_t i = 0; i < sizeof type_rules / sizeof type_rules[0]; i++)
    {
      struct api_status *s = check_rule (pod, type_rules[i].path, &type_rules[i]);
      if (s)
        return s;
    }
  return NULL;
}

static void
check_ports (struct api_status *s, yajl_val ports, const char *base)
{
  char field[160];
  if (!ports || ports->type != yajl_t_array)
    return;
  for (size_t j = 0; j < ports->u.array.len; j++)
    {
      yajl_val p = ports->u.array.values[j];
      long long port = 0;
      const char *proto = jv_str (p, "protocol");
      snprintf (field, sizeof field, "%s.ports[%zu].containerPort", base, j);
      if (!jv_int_of (p, "containerPort", &port))
        api_invalid_add (s, "FieldValueRequired", field, "Required value");
      else if (port < 1 || port > 65535)
        api_invalid_add (s, "FieldValueInvalid", field,
                         "Invalid value: %lld: must be between 1 and 65535, inclusive", port);
      snprintf (field, sizeof field, "%s.ports[%zu].protocol", base, j);
      if (proto && strcmp (proto, "TCP") && strcmp (proto, "UDP") && strcmp (proto, "SCTP"))
        api_invalid_add (s, "FieldValueNotSupported", field,
                         "Unsupported value: \"%s\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
                         proto);
    }
}

/* A port given as a number must be a valid one; names are looked up later. */
static void
check_probe_port (struct api_status *s, yajl_val action, const char *field)
{
  yajl_val port = jv_get (action, "port");
  long long n;
  if (!port)
    api_invalid_add (s, "FieldValueRequired", field, "Required value");
  else if (jv_int_of (port, NULL, &n) && (n < 1 || n > 65535))
    api_invalid_add (s, "FieldValueInvalid", field,
                     "Invalid value: %lld: must be between 1 and 65535, inclusive", n);
}

/* Kubernetes' validateHandler: exactly one of exec, httpGet, tcpSocket and
 * grpc, each with what it needs; liveness and startup succeed once. */
static void
check_probe (struct api_status *s, yajl_val c, const char *base, const char *key)
{
  static const char *const handlers[] = { "exec", "httpGet", "tcpSocket", "grpc" };
  yajl_val probe = jv_get (c, key), action;
  char field[200];
  int found = 0;
  long long n;

  if (!probe || probe->type != yajl_t_object)
    return;
  for (size_t h = 0; h < sizeof handlers / sizeof *handlers; h++)
    {
      if (!(action = jv_get (probe, handlers[h])) || action->type == yajl_t_null)
        continue;
      snprintf (field, sizeof field, "%s.%s.%s", base, key, handlers[h]);
      if (found++)
        {
          api_invalid_add (s, "FieldValueForbidden", field,
                           "Forbidden: may not specify more than 1 handler type");
          continue;
        }
      snprintf (field, sizeof field, "%s.%s.%s.%s", base, key, handlers[h],
                h == 0 ? "command" : "port");
      if (h == 0 && !jv_get (action, "command"))
        api_invalid_add (s, "FieldValueRequired", field, "Required value");
      else if (h > 0)
        check_probe_port (s, action, field);
    }
  snprintf (field, sizeof field, "%s.%s", base, key);
  if (!found)
    api_invalid_add (s, "FieldValueRequired", field, "Required value: must specify a handler type");
  snprintf (field, sizeof field, "%s.%s.successThreshold", base, key);
  if (strcmp (key, "readinessProbe") != 0 && jv_int_of (probe, "successThreshold", &n) && n != 1)
    api_invalid_add (s, "FieldValueInvalid", field, "Invalid value: %lld: must be 1", n);
}

static bool
name_seen (yajl_val spec, const char *list_key, size_t upto, const char *name)
{
  yajl_val list = jv_get (spec, list_key);
  for (size_t i = 0; list && i < upto && i < list->u.array.len; i++)
    {
      const char *other = jv_str (list->u.array.values[i], "name");
      if (other && strcmp (other, name) == 0)
        return true;
    }
  return false;
}

static const char *const probe_keys[] = { "livenessProbe", "readinessProbe", "startupProbe" };

static void
check_container (struct api_status *s, yajl_val spec, const char *list_key, size_t i)
{
  yajl_val c = jv_get (spec, list_key)->u.array.values[i];
  const char *name = jv_str (c, "name"), *image = jv_str (c, "image");
  bool init = strcmp (list_key, "initContainers") == 0;
  char base[96], field[160];

  snprintf (base, sizeof base, "spec.%s[%zu]", list_key, i);
  snprintf (field, sizeof field, "%s.name", base);
  if (!name || !*name)
    api_invalid_add (s, "FieldValueRequired", field, "Required value");
  else if (!api_is_dns1123_label (name))
    api_invalid_add (s, "FieldValueInvalid", field, "Invalid value: \"%s\": %s", name,
                     api_dns1123_label_msg);
  else if (name_seen (spec, list_key, i, name) || (!init && name_seen (spec, "initContainers", (size_t) -1, name)))
    api_invalid_add (s, "FieldValueDuplicate", field, "Duplicate value: \"%s\"", name);
  snprintf (field, sizeof field, "%s.image", base);
  if (!image || !*image)
    api_invalid_add (s, "FieldValueRequired", field, "Required value");
  check_ports (s, jv_get (c, "ports"), base);
  for (size_t k = 0; !init && k < sizeof probe_keys / sizeof *probe_keys; k++)
    check_probe (s, c, base, probe_keys[k]);
}

static void
check_containers (struct api_status *s, yajl_val spec, const char *list_key, bool required)
{
  yajl_val list = jv_get (spec, list_key);
  char field[64];
  snprintf (field, sizeof field, "spec.%s", list_key);
  if (!list || list->type != yajl_t_array || list->u.array.len == 0)
    {
      if (required)
        api_invalid_add (s, "FieldValueRequired", field, "Required value");
      return;
    }
  for (size_t i = 0; i < list->u.array.len; i++)
    check_container (s, spec, list_key, i);
}

static void
check_metadata (struct api_status *s, yajl_val meta)
{
  const char *name = jv_str (meta, "name");
  if (!name || !*name)
    api_invalid_add (s, "FieldValueRequired", "metadata.name",
                     "Required value: name or generateName is required");
  else if (!api_is_dns1123_subdomain (name))
    api_invalid_add (s, "FieldValueInvalid", "metadata.name", "Invalid value: \"%s\": %s", name,
                     api_dns1123_subdomain_msg);
}

/* The volume sources pods here can mount: a pod naming another one (nfs,
 * persistentVolumeClaim, csi...) is refused now rather than left Pending.
 * One without a source is an emptyDir (the API server's defaulting). */
static void
check_volumes (struct api_status *s, yajl_val spec)
{
  static const char *const known[]
      = { "name", "emptyDir", "hostPath", "configMap", "secret", "downwardAPI", "projected" };
  yajl_val vols = jv_get (spec, "volumes");
  for (size_t i = 0; YAJL_IS_ARRAY (vols) && i < vols->u.array.len; i++)
    {
      yajl_val v = vols->u.array.values[i];
      for (size_t k = 0; YAJL_IS_OBJECT (v) && k < v->u.object.len; k++)
        {
          const char *key = v->u.object.keys[k];
          bool ok = false;
          for (size_t j = 0; j < sizeof known / sizeof *known && !ok; j++)
            ok = !strcmp (key, known[j]);
          char field[256];
          snprintf (field, sizeof field, "spec.volumes[%zu].%s", i, key);
          if (!ok)
            api_invalid_add (s, "FieldValueForbidden", field,
                             "Forbidden: %s volumes are not supported here (supported: emptyDir, "
                             "hostPath, configMap, secret, downwardAPI, projected)",
                             key);
        }
    }
}

static void
check_spec (struct api_status *s, yajl_val spec)
{
  const char *policy = jv_str (spec, "restartPolicy");
  long long grace;
  check_volumes (s, spec);
  check_containers (s, spec, "initContainers", false);
  check_containers (s, spec, "containers", true);
  api_pod_validate_network (s, spec);
  if (policy && strcmp (policy, "Always") && strcmp (policy, "OnFailure")
      && strcmp (policy, "Never"))
    api_invalid_add (s, "FieldValueNotSupported", "spec.restartPolicy",
                     "Unsupported value: \"%s\": supported values: \"Always\", \"OnFailure\", "
                     "\"Never\"",
                     policy);
  if (jv_int_of (spec, "terminationGracePeriodSeconds", &grace) && grace < 0)
    api_invalid_add (s, "FieldValueInvalid", "spec.terminationGracePeriodSeconds",
                     "Invalid value: %lld: must be greater than or equal to 0", grace);
  if (jv_int_of (spec, "activeDeadlineSeconds", &grace) && grace < 1)
    api_invalid_add (s, "FieldValueInvalid", "spec.activeDeadlineSeconds",
                     "Invalid value: %lld: must be between 1 and 2147483647, inclusive", grace);
}

static struct api_status *
finish (struct api_status *s)
{
  if (s->n_causes == 0)
    {
      api_status_free (s);
      return NULL;
    }
  api_invalid_finish (s);
  return s;
}

struct api_status *
api_pod_validate (yajl_val pod)
{
  yajl_val meta = jv_get (pod, "metadata");
  struct api_status *s = api_invalid_new ("Pod", jv_str (meta, "name"));
  check_metadata (s, meta);
  check_spec (s, jv_get (pod, "spec"));
  return finish (s);
}

struct api_status *
api_namespace_validate (yajl_val ns)
{
  yajl_val meta = jv_get (ns, "metadata");
  const char *name = jv_str (meta, "name");
  struct api_status *s = api_invalid_new ("Namespace", name);
  if (!name || !*name)
    api_invalid_add (s, "FieldValueRequired", "metadata.name",
                     "Required value: name or generateName is required");
  else if (!api_is_dns1123_label (name))
    api_invalid_add (s, "FieldValueInvalid", "metadata.name", "Invalid value: \"%s\": %s", name,
                     api_dns1123_label_msg);
  return finish (s);
}
