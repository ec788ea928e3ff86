/* A pod's compute resources as quota and limit ranges count them:
 * requests and limits of cpu and memory, the sum over containers, raised
 * to the largest init container (which runs alone), as Kubernetes'
 * resourcehelper.PodRequests does. */
#ifndef HUSK_API_RESOURCES_H
#define HUSK_API_RESOURCES_H

#include <stdbool.h>
#include <yajl/yajl_tree.h>

enum api_res { API_REQ_CPU, API_REQ_MEM, API_LIM_CPU, API_LIM_MEM, API_RES_COUNT };

struct api_pod_resources {
  long long v[API_RES_COUNT]; /* thousandths */
  bool set[API_RES_COUNT];    /* some container gave this value */
};

void api_pod_resources (yajl_val pod, struct api_pod_resources *out);
/* One container's value (requests or limits, "cpu" or "memory"). */
bool api_container_quantity (yajl_val container, const char *section, const char *name,
                             long long *milli);

#endif
