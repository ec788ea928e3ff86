/* Status objects as kube-apiserver spells them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_text.h"
#include "jv.h"
#include "status.h"
#include "tap.h"
#include "validate.h"

static yajl_val
status_tree (struct api_status *s)
{
  char *text = api_status_json (s, NULL);
  yajl_val v = parse (text);
  free (text);
  api_status_free (s);
  return v;
}

int
main (void)
{
  cleanup_jv yajl_val nf = status_tree (api_not_found ("pods", "web"));
  long long code = 0;
  is_str (jv_str (nf, "kind"), "Status", "kind Status");
  is_str (jv_str (nf, "status"), "Failure", "status Failure");
  is_str (jv_str (nf, "reason"), "NotFound", "reason NotFound");
  is_str (jv_str (nf, "message"), "pods \"web\" not found", "NotFound message");
  ok (jv_int_of (nf, "code", &code) && code == 404, "code 404");
  is_str (jv_str (jv_get (nf, "details"), "kind"), "pods", "details.kind");

  cleanup_jv yajl_val ae = status_tree (api_already_exists ("pods", "web"));
  is_str (jv_str (ae, "message"), "pods \"web\" already exists", "AlreadyExists message");

  cleanup_jv yajl_val pod = parse ("{\"metadata\":{\"name\":\"web\"},\"spec\":{\"containers\":"
                                   "[{\"name\":\"c\"}]}}");
  cleanup_jv yajl_val inv = status_tree (api_pod_validate (pod));
  is_str (jv_str (inv, "reason"), "Invalid", "Invalid reason");
  is_str (jv_str (inv, "message"), "Pod \"web\" is invalid: spec.containers[0].image: Required value",
          "one cause: no brackets");
  yajl_val causes = jv_path (inv, "details", "causes", NULL);
  ok (causes && causes->u.array.len == 1, "one cause");
  is_str (jv_str (causes->u.array.values[0], "field"), "spec.containers[0].image", "cause field");
  is_str (jv_str (causes->u.array.values[0], "reason"), "FieldValueRequired", "cause reason");

  cleanup_jv yajl_val pod2 = parse ("{\"metadata\":{\"name\":\"web\"},\"spec\":{}}");
  cleanup_jv yajl_val inv2 = status_tree (api_pod_validate (pod2));
  is_str (jv_str (inv2, "message"), "Pod \"web\" is invalid: spec.containers: Required value",
          "containers required");

  cleanup_jv yajl_val pod3 = parse ("{\"metadata\":{\"name\":\"web\"},\"spec\":{\"containers\":7}}");
  struct api_status *bad = api_pod_check_types (pod3);
  ok (bad && bad->code == 400 && !strcmp (bad->reason, "BadRequest"), "wrong type is a 400");
  api_status_free (bad);

  /* probes: one handler, with what it needs (Kubernetes' validateHandler) */
  static const struct { const char *probe, *message; } probes[] = {
    { "{}", "spec.containers[0].livenessProbe: Required value: must specify a handler type" },
    { "{\"grpc\":{\"port\":0}}",
      "spec.containers[0].livenessProbe.grpc.port: Invalid value: 0: must be between 1 and 65535, inclusive" },
    { "{\"grpc\":{}}", "spec.containers[0].livenessProbe.grpc.port: Required value" },
    { "{\"exec\":{}}", "spec.containers[0].livenessProbe.exec.command: Required value" },
    { "{\"exec\":{\"command\":[\"true\"]},\"tcpSocket\":{\"port\":80}}",
      "spec.containers[0].livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type" },
    { "{\"grpc\":{\"port\":9000},\"successThreshold\":2}",
      "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1" },
  };
  for (size_t i = 0; i < sizeof probes / sizeof *probes; i++)
    {
      char text[512], want[300];
      snprintf (text, sizeof text,
                "{\"metadata\":{\"name\":\"web\"},\"spec\":{\"containers\":[{\"name\":\"c\","
                "\"image\":\"i\",\"livenessProbe\":%s}]}}",
                probes[i].probe);
      snprintf (want, sizeof want, "Pod \"web\" is invalid: %s", probes[i].message);
      cleanup_jv yajl_val p = parse (text);
      cleanup_jv yajl_val st = status_tree (api_pod_validate (p));
      is_str (jv_str (st, "message"), want, "probe %s refused", probes[i].probe);
    }
  cleanup_jv yajl_val good = parse ("{\"metadata\":{\"name\":\"web\"},\"spec\":{\"containers\":"
                                    "[{\"name\":\"c\",\"image\":\"i\",\"readinessProbe\":"
                                    "{\"grpc\":{\"port\":9000,\"service\":\"db\"},"
                                    "\"successThreshold\":3}}]}}");
  struct api_status *none = api_pod_validate (good);
  ok (none == NULL, "a grpc readiness probe with successThreshold 3 is valid");
  api_status_free (none);
  cleanup_jv yajl_val badport = parse ("{\"metadata\":{\"name\":\"web\"},\"spec\":{\"containers\":"
                                       "[{\"name\":\"c\",\"livenessProbe\":{\"grpc\":{\"port\":\"x\"}}}]}}");
  bad = api_pod_check_types (badport);
  ok (bad && bad->code == 400 && strstr (bad->message, "v1.GRPCAction") == NULL
          && strstr (bad->message, "grpc.port"),
      "grpc.port as a string is a 400 naming the field");
  api_status_free (bad);
  return tap_done ();
}
