/* status.phase, computed as the kubelet computes it (getPhase in
 * pkg/kubelet/kubelet_pods.go), from the containers' states and the
 * restartPolicy.  Restartable (sidecar) init containers are not modelled. */
#ifndef HUSK_API_PHASE_H
#define HUSK_API_PHASE_H

#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_tree.h>

enum api_cstate { API_CS_NONE, API_CS_WAITING, API_CS_RUNNING, API_CS_TERMINATED };

struct api_phase_container {
  enum api_cstate state;      /* API_CS_NONE: no status reported yet */
  int exit_code;              /* when terminated */
  bool has_last_terminated;   /* lastState.terminated is set */
  int last_exit_code;
};

/* restart_policy: "Always", "OnFailure" or "Never".  pod_terminal: the pod
 * was stopped for good (deleted, deadline exceeded) and will not restart. */
const char *api_pod_phase (const char *restart_policy, const struct api_phase_container *init,
                           size_t n_init, const struct api_phase_container *containers,
                           size_t n, bool pod_terminal);

/* The same over a Pod object's spec and status (status.initContainerStatuses
 * and status.containerStatuses, matched by name). */
const char *api_pod_phase_of (yajl_val pod, bool pod_terminal);

#endif
