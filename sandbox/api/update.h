/* What a Pod update may change (ValidatePodUpdate): labels, annotations,
 * containers' and init containers' images, activeDeadlineSeconds (set or
 * lowered), tolerations (additions).  Anything else is answered 422:
 *   Pod "x" is invalid: spec: Forbidden: pod updates may not change fields
 *   other than `spec.containers[*].image`, ... */
#ifndef HUSK_API_UPDATE_H
#define HUSK_API_UPDATE_H

#include <yajl/yajl_tree.h>

#include "status.h"

struct api_status *api_pod_validate_update (yajl_val old_pod, yajl_val new_pod);

#endif
