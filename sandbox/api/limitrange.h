/* LimitRange admission for containers (type "Container"): `default` fills
 * missing limits, `defaultRequest` missing requests (then requests default
 * to the limits), and `min`/`max` are enforced with Kubernetes' messages:
 *   pods "x" is forbidden: maximum cpu usage per Container is 1, but limit is 2 */
#ifndef HUSK_API_LIMITRANGE_H
#define HUSK_API_LIMITRANGE_H

#include <stddef.h>
#include <yajl/yajl_tree.h>

#include "status.h"

/* Applies defaults to pod (in place) and checks bounds; NULL when admitted. */
struct api_status *api_limitrange_admit (yajl_val pod, yajl_val *ranges, size_t n);

#endif
