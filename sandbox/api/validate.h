/* Admission checks for a Pod, as the API server runs them on create.
 *
 * Decoding errors (a field of the wrong JSON type) answer 400 BadRequest as
 * Kubernetes' decoder does; rule violations answer 422 Invalid with one
 * cause per field, in Kubernetes' words: `spec.containers[0].image:
 * Required value`. */
#ifndef HUSK_API_VALIDATE_H
#define HUSK_API_VALIDATE_H

#include <yajl/yajl_tree.h>

#include "status.h"

/* NULL when the Pod may be created. */
struct api_status *api_pod_check_types (yajl_val pod);
struct api_status *api_pod_validate (yajl_val pod);
/* Namespace: the name must be a DNS-1123 label. */
struct api_status *api_namespace_validate (yajl_val ns);

#endif
