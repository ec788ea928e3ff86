/* Pod v1 JSON: what is read, and errors that name the field. */
#include <stdlib.h>
#include <string.h>

#include "sandbox/pod/pod_spec.h"
#include "tap.h"

/* Parses `json`; returns the error message (static) or NULL on success. */
static const char *
parse_error (const char *json, struct pod_spec **out)
{
  static char msg[1024];
  struct husk_error *err = NULL;
  struct pod_spec *pod = NULL;

  if (pod_spec_parse ("pod.json", json, strlen (json), &pod, &err) == 0)
    {
      if (out)
        *out = pod;
      else
        pod_spec_free (pod);
      return NULL;
    }
  snprintf (msg, sizeof msg, "%s", err->message);
  husk_error_release (&err);
  return msg;
}

static void
expect_error (const char *json, const char *want, const char *label)
{
  const char *got = parse_error (json, NULL);
  bool good = got && strstr (got, want);
  ok (good, "%s", label);
  if (!good)
    printf ("#   got: '%s'\n#   expected to contain: '%s'\n", got ? got : "(success)", want);
}

#define POD(spec) "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":" spec "}"

static void
test_errors (void)
{
  expect_error (POD ("{\"containers\":[{\"name\":\"a\"}]}"), "pod.json: spec.containers[0].image: required",
                "a missing image names the field");
  expect_error (POD ("{\"containers\":[]}"), "spec.containers: required", "no containers");
  expect_error ("{\"kind\":\"Pod\",\"spec\":{}}", "pod.json: metadata: required", "no metadata");
  expect_error (POD ("{\"containers\":[{\"name\":\"A_b\",\"image\":\"/x\"}]}"),
                "spec.containers[0].name: \"A_b\" is not a valid name", "container names are DNS labels");
  expect_error (POD ("{\"containers\":[{\"name\":\"a\",\"image\":\"/x\"},{\"name\":\"a\",\"image\":\"/x\"}]}"),
                "spec.containers[1].name: duplicate container name", "duplicate names");
  expect_error (POD ("{\"containers\":[{\"name\":\"a\",\"image\":\"/x\",\"volumeMounts\":"
                     "[{\"name\":\"v\",\"mountPath\":\"/d\"}]}]}"),
                "spec.containers[0].volumeMounts[0].name: volume \"v\" not found",
                "a mount of an unknown volume");
  expect_error (POD ("{\"volumes\":[{\"name\":\"v\",\"emptyDir\":{}}],\"containers\":[{\"name\":\"a\","
                     "\"image\":\"/x\",\"volumeMounts\":[{\"name\":\"v\",\"mountPath\":\"/d\",\"subPath\":\"../..\"}]}]}"),
                "volumeMounts[0].subPath: \"../..\" must be a relative path", "subPath cannot climb");
  expect_error (POD ("{\"volumes\":[{\"name\":\"v\",\"hostPath\":{\"path\":\"/x\",\"type\":\"Dir\"}}],"
                     "\"containers\":[{\"name\":\"a\",\"image\":\"/x\"}]}"),
                "spec.volumes[0].hostPath.type: unknown hostPath type \"Dir\"", "hostPath types");
  expect_error (POD ("{\"containers\":[{\"name\":\"a\",\"image\":\"/x\",\"resources\":{\"limits\":"
                     "{\"memory\":\"lots\"}}}]}"),
                "spec.containers[0].resources.limits.memory: \"lots\" is not a quantity", "quantities");
  expect_error (POD ("{\"restartPolicy\":\"Sometimes\",\"containers\":[{\"name\":\"a\",\"image\":\"/x\"}]}"),
                "spec.restartPolicy: unsupported value", "restartPolicy values");
  expect_error (POD ("{\"containers\":[{\"name\":\"a\",\"image\":\"/x\",\"command\":\"sh\"}]}"),
                "spec.containers[0].command", "command must be an array");
  expect_error ("{\"kind\":\"Service\",\"metadata\":{\"name\":\"p\"},\"spec\":{}}", "kind: \"Service\" is not \"Pod\"",
                "other kinds are refused");
  expect_error ("{not json", "pod.json", "invalid JSON is an error naming the file");
  /* what the CRI front door writes (huskCRI, sysctls, propagation) */
  expect_error (POD ("{\"containers\":[{\"name\":\"a\",\"image\":\"/x\",\"securityContext\":"
                     "{\"seccompProfile\":{\"type\":\"Sideways\"}}}]}"),
                "spec.containers[0].securityContext.seccompProfile.type: unsupported value", "seccomp types");
  expect_error (POD ("{\"containers\":[{\"name\":\"a\",\"image\":\"/x\",\"huskCRI\":"
                     "{\"pid\":\"Target\"}}]}"),
                "spec.containers[0].huskCRI.pidTarget: required", "a pid target names its container");
  expect_error (POD ("{\"containers\":[{\"name\":\"a\",\"image\":\"/x\",\"huskCRI\":"
                     "{\"devices\":[{\"hostPath\":\"/dev/null\",\"containerPath\":\"/d\","
                     "\"permissions\":\"rwx\"}]}}]}"),
                "spec.containers[0].huskCRI.devices[0].permissions: \"rwx\"", "device permissions");
  expect_error (POD ("{\"containers\":[{\"name\":\"a\",\"image\":\"/x\",\"securityContext\":"
                     "{\"supplementalGroups\":[-1]}}]}"),
                "spec.containers[0].securityContext.supplementalGroups[0]", "group ids");
  expect_error (POD ("{\"securityContext\":{\"sysctls\":[{\"name\":\"../x\",\"value\":\"1\"}]},"
                     "\"containers\":[{\"name\":\"a\",\"image\":\"/x\"}]}"),
                "spec.securityContext.sysctls[0].name: \"../x\" is not a sysctl name", "sysctl names");
  expect_error (POD ("{\"volumes\":[{\"name\":\"v\",\"emptyDir\":{}}],\"containers\":[{\"name\":\"a\","
                     "\"image\":\"/x\",\"volumeMounts\":[{\"name\":\"v\",\"mountPath\":\"/v\","
                     "\"mountPropagation\":\"Sideways\"}]}]}"),
                "spec.containers[0].volumeMounts[0].mountPropagation: unsupported value", "propagation");
}

static void
test_values (void)
{
  struct pod_spec *pod = NULL;
  const char *json = POD ("{\"hostname\":\"h1\",\"shareProcessNamespace\":true,"
                          "\"terminationGracePeriodSeconds\":5,"
                          "\"volumes\":[{\"name\":\"m\",\"emptyDir\":{\"medium\":\"Memory\",\"sizeLimit\":\"64Mi\"}}],"
                          "\"initContainers\":[{\"name\":\"i\",\"image\":\"/x\"}],"
                          "\"containers\":[{\"name\":\"a\",\"image\":\"/img:v1\",\"command\":[\"sh\"],"
                          "\"args\":[\"-c\",\"true\"],\"env\":[{\"name\":\"K\",\"value\":\"V\"}],"
                          "\"resources\":{\"limits\":{\"cpu\":\"500m\",\"memory\":\"128Mi\"}},"
                          "\"securityContext\":{\"runAsUser\":1000,\"readOnlyRootFilesystem\":true,"
                          "\"capabilities\":{\"add\":[\"NET_ADMIN\"],\"drop\":[\"ALL\"]}},"
                          "\"volumeMounts\":[{\"name\":\"m\",\"mountPath\":\"/m\",\"readOnly\":true}]}]}");

  ok (parse_error (json, &pod) == NULL, "a full pod parses");
  if (pod == NULL)
    return;
  is_str (pod->namespace_, "default", "namespace defaults to default");
  is_str (pod->hostname, "h1", "spec.hostname");
  is_str (pod->restart_policy, "Always", "restartPolicy defaults to Always");
  is_int (pod->termination_grace_period, 5, "terminationGracePeriodSeconds");
  ok (pod->share_process_namespace, "shareProcessNamespace");
  is_int (pod->volumes[0].size_limit.value, 64 << 20, "sizeLimit 64Mi in bytes");
  ok (pod->volumes[0].memory, "medium Memory");
  const struct pod_container *c = pod_spec_find_container (pod, "a");
  ok (c != NULL, "find a container by name");
  is_int (c->resources.limits_cpu_milli.value, 500, "cpu 500m");
  is_int (c->resources.limits_memory.value, 128 << 20, "memory 128Mi");
  is_int (c->security_context.run_as_user.value, 1000, "runAsUser");
  is_str (c->args[1], "true", "args");
  is_str (c->env[0].value, "V", "env");
  ok (c->volume_mounts[0].read_only, "readOnly mount");
  ok (pod_spec_find_container (pod, "i") != NULL, "init containers are found too");
  pod_spec_free (pod);
}

static void
test_quantities (void)
{
  int64_t v;
  ok (pod_quantity_parse_milli ("1", &v) == 0 && v == 1000, "1 = 1000m");
  ok (pod_quantity_parse_milli ("0.5", &v) == 0 && v == 500, "0.5 = 500m");
  ok (pod_quantity_parse_milli ("1Ki", &v) == 0 && v == 1024000, "1Ki");
  ok (pod_quantity_parse_milli ("2G", &v) == 0 && v == 2000000000000, "2G");
  ok (pod_quantity_parse_milli ("1.5Gi", &v) == 0 && v == 1610612736000, "1.5Gi");
  ok (pod_quantity_parse_milli ("12x", &v) < 0, "unknown suffix");
  ok (pod_quantity_parse_milli ("", &v) < 0, "empty");
  ok (pod_quantity_parse_milli ("99999999999999999999", &v) < 0, "overflow");
}

static void
test_ports (void)
{
  struct pod_spec *pod = NULL;
  const char *e = parse_error (
      POD ("{\"containers\":[{\"name\":\"a\",\"image\":\"/x\",\"ports\":[{\"containerPort\":80,"
           "\"hostPort\":8080,\"hostIP\":\"127.0.0.1\"},{\"containerPort\":53,\"protocol\":\"UDP\"}]}]}"),
      &pod);
  if (ok (e == NULL, "ports parse (%s)", e ? e : "ok"))
    {
      const struct pod_container *c = &pod->containers[0];
      is_int (c->ports_len, 2, "two ports");
      is_int (c->ports[0].host_port, 8080, "hostPort");
      is_str (c->ports[0].protocol, "TCP", "protocol defaults to TCP");
      is_str (c->ports[0].host_ip, "127.0.0.1", "hostIP");
      is_int (c->ports[1].host_port, 0, "no hostPort: 0");
      is_str (c->ports[1].protocol, "UDP", "UDP");
      pod_spec_free (pod);
    }
  expect_error (POD ("{\"containers\":[{\"name\":\"a\",\"image\":\"/x\",\"ports\":[{\"containerPort\":80,"
                     "\"protocol\":\"ICMP\"}]}]}"),
                "spec.containers[0].ports[0].protocol: `ICMP`", "an unknown protocol names the field");
  expect_error (POD ("{\"containers\":[{\"name\":\"a\",\"image\":\"/x\",\"ports\":[{\"hostPort\":80}]}]}"),
                "spec.containers[0].ports[0].containerPort: required", "containerPort is required");
}

int
main (void)
{
  test_errors ();
  test_values ();
  test_quantities ();
  test_ports ();
  return tap_done ();
}
