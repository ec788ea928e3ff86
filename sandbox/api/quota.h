/* ResourceQuota admission and usage: hard limits on `pods`,
 * `requests.cpu`, `requests.memory`, `limits.cpu`, `limits.memory` (and
 * `cpu`/`memory` as aliases of the requests), checked when a pod is created
 * with Kubernetes' message:
 *   pods "x" is forbidden: exceeded quota: NAME, requested: pods=1,
 *   used: pods=1, limited: pods=1 */
#ifndef HUSK_API_QUOTA_H
#define HUSK_API_QUOTA_H

#include <stddef.h>
#include <yajl/yajl_tree.h>

#include "status.h"

/* pods: the namespace's pods that count (not Succeeded/Failed). NULL when
 * the pod fits every quota. */
struct api_status *api_quota_admit (yajl_val pod, yajl_val *quotas, size_t nq, yajl_val *pods,
                                    size_t np);
/* Rewrites quota.status.hard and .used from the pods (the caller stores it). */
void api_quota_refresh (yajl_val quota, yajl_val *pods, size_t np);
/* A pod counts against quota while it is not terminal. */
int api_pod_counts_for_quota (yajl_val pod);

#endif
