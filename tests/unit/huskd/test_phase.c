/* status.phase against the kubelet's rules (getPhase in kubelet_pods.go). */
#include "phase.h"
#include "tap.h"

#define R { API_CS_RUNNING, 0, false, 0 }
#define T(code) { API_CS_TERMINATED, code, false, 0 }
#define W { API_CS_WAITING, 0, false, 0 }
#define N { API_CS_NONE, 0, false, 0 }
/* waiting to restart after exiting with code (CrashLoopBackOff) */
#define L(code) { API_CS_WAITING, 0, true, code }

struct row {
  const char *policy;
  struct api_phase_container init[2];
  size_t n_init;
  struct api_phase_container c[2];
  size_t n;
  bool terminal;
  const char *want;
  const char *why;
};

static const struct row rows[] = {
  { "Always", { N }, 0, { N }, 1, false, "Pending", "no status yet" },
  { "Always", { N }, 0, { W }, 1, false, "Pending", "waiting, never ran" },
  { "Always", { N }, 0, { R }, 1, false, "Running", "running" },
  { "Always", { N }, 0, { R, W }, 2, false, "Pending", "one still waiting to start" },
  { "Always", { N }, 0, { R, T (0) }, 2, false, "Running", "one running, one exited" },
  { "Always", { N }, 0, { T (0) }, 1, false, "Running", "Always: exited 0 will restart" },
  { "Always", { N }, 0, { T (1) }, 1, false, "Running", "Always: exited 1 will restart" },
  { "Always", { N }, 0, { L (1) }, 1, false, "Running", "CrashLoopBackOff is Running" },
  { "OnFailure", { N }, 0, { T (0) }, 1, false, "Succeeded", "OnFailure: exit 0" },
  { "OnFailure", { N }, 0, { T (2) }, 1, false, "Running", "OnFailure: exit 2 restarts" },
  { "OnFailure", { N }, 0, { T (0), T (0) }, 2, false, "Succeeded", "OnFailure: all 0" },
  { "Never", { N }, 0, { T (0) }, 1, false, "Succeeded", "Never: exit 0" },
  { "Never", { N }, 0, { T (1) }, 1, false, "Failed", "Never: exit 1" },
  { "Never", { N }, 0, { T (0), T (137) }, 2, false, "Failed", "Never: one failed" },
  { "Never", { N }, 0, { T (0), R }, 2, false, "Running", "Never: one still running" },
  { "Always", { N }, 0, { T (0) }, 1, true, "Succeeded", "terminal pod, all 0" },
  { "Always", { N }, 0, { T (0), T (1) }, 2, true, "Failed", "terminal pod, one failed" },
  { "Always", { R }, 1, { W }, 1, false, "Pending", "init running: Pending" },
  { "Always", { T (0), N }, 2, { W }, 1, false, "Pending", "second init pending" },
  { "Always", { T (0) }, 1, { R }, 1, false, "Running", "init done, running" },
  { "Never", { T (1) }, 1, { W }, 1, false, "Failed", "Never: init failed" },
  { "Always", { L (1) }, 1, { W }, 1, false, "Pending", "init crash loop: Pending" },
  { "OnFailure", { T (1) }, 1, { W }, 1, false, "Pending", "OnFailure: init retried" },
};

int
main (void)
{
  for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
    is_str (api_pod_phase (rows[i].policy, rows[i].init, rows[i].n_init, rows[i].c, rows[i].n,
                           rows[i].terminal),
            rows[i].want, "%s: %s", rows[i].policy, rows[i].why);
  return tap_done ();
}
