/* The STATUS and READY columns as kubectl's printer computes them, and
 * Kubernetes' HumanDuration for AGE. */
#include <stdlib.h>
#include <string.h>

#include "json_text.h"
#include "jv.h"
#include "table.h"
#include "tap.h"

static void
reason_is (const char *pod_json, const char *want, const char *what)
{
  cleanup_jv yajl_val pod = parse (pod_json);
  char buf[64];
  api_pod_status_reason (pod, buf);
  is_str (buf, want, "%s", what);
}

int
main (void)
{
  char buf[32];
  reason_is ("{\"status\":{\"phase\":\"Running\",\"containerStatuses\":[{\"state\":{\"running\":{}},\"ready\":true}]}}",
             "Running", "running");
  reason_is ("{\"status\":{\"phase\":\"Running\",\"containerStatuses\":[{\"state\":{\"waiting\":{\"reason\":\"CrashLoopBackOff\"}}}]}}",
             "CrashLoopBackOff", "waiting reason wins");
  reason_is ("{\"status\":{\"phase\":\"Succeeded\",\"containerStatuses\":[{\"state\":{\"terminated\":{\"reason\":\"Completed\",\"exitCode\":0}}}]}}",
             "Completed", "terminated reason");
  reason_is ("{\"status\":{\"phase\":\"Failed\",\"containerStatuses\":[{\"state\":{\"terminated\":{\"exitCode\":3}}}]}}",
             "ExitCode:3", "terminated without reason");
  reason_is ("{\"spec\":{\"initContainers\":[{},{}]},\"status\":{\"phase\":\"Pending\",\"initContainerStatuses\":[{\"state\":{\"terminated\":{\"exitCode\":0}}},{\"state\":{\"running\":{}}}]}}",
             "Init:1/2", "second init container running");
  reason_is ("{\"spec\":{\"initContainers\":[{}]},\"status\":{\"phase\":\"Pending\",\"initContainerStatuses\":[{\"state\":{\"terminated\":{\"exitCode\":1,\"reason\":\"Error\"}}}]}}",
             "Init:Error", "failed init container");
  reason_is ("{\"spec\":{\"initContainers\":[{}]},\"status\":{\"phase\":\"Pending\",\"initContainerStatuses\":[{\"state\":{\"waiting\":{\"reason\":\"CrashLoopBackOff\"}}}]}}",
             "Init:CrashLoopBackOff", "init crash loop");
  reason_is ("{\"metadata\":{\"deletionTimestamp\":\"2024-01-01T00:00:00Z\"},\"status\":{\"phase\":\"Running\"}}",
             "Terminating", "deleting");
  reason_is ("{\"status\":{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}],\"containerStatuses\":[{\"state\":{\"terminated\":{\"reason\":\"Completed\"}}},{\"state\":{\"running\":{}},\"ready\":true}]}}",
             "Running", "Completed next to a ready container reads Running");

  cleanup_jv yajl_val pod = parse ("{\"spec\":{\"containers\":[{},{}]},\"status\":{\"containerStatuses\":[{\"ready\":true,\"restartCount\":2},{\"ready\":false,\"restartCount\":1}]}}");
  int ready, total;
  long long restarts;
  api_pod_ready (pod, &ready, &total, &restarts);
  ok (ready == 1 && total == 2 && restarts == 3, "READY 1/2, RESTARTS 3");

  static const struct { double s; const char *want; } ages[] = {
    { 5, "5s" }, { 119, "119s" }, { 125, "2m5s" }, { 600, "10m" }, { 3 * 3600 + 120, "3h2m" },
    { 10 * 3600, "10h" }, { 3 * 86400 + 3600, "3d1h" }, { 30 * 86400, "30d" }, { 800 * 86400, "2y" },
  };
  for (size_t i = 0; i < sizeof ages / sizeof ages[0]; i++)
    {
      api_human_duration (ages[i].s, buf);
      is_str (buf, ages[i].want, "age %.0fs", ages[i].s);
    }
  return tap_done ();
}
