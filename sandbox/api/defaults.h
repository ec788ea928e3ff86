/* The defaults the API server fills into a Pod on create
 * (pkg/apis/core/v1/defaults.go), so that a stored Pod reads as one from a
 * real cluster: restartPolicy Always, terminationGracePeriodSeconds 30,
 * dnsPolicy ClusterFirst, probe timings (period 10, timeout 1, success 1,
 * failure 3), port protocol TCP, imagePullPolicy, termination message. */
#ifndef HUSK_API_DEFAULTS_H
#define HUSK_API_DEFAULTS_H

#include <yajl/yajl_tree.h>

void api_pod_set_defaults (yajl_val pod);

#endif
