/* PATCH bodies: JSON patch (RFC 6902), JSON merge patch (RFC 7386) and Kubernetes' strategic
 * merge patch, which merges lists of objects by their key (containers and
 * volumes by name, ports by containerPort, volumeMounts by mountPath...)
 * and understands the `$patch: delete|replace` and `$setElementOrder/...`
 * directives kubectl apply sends. */
#ifndef HUSK_API_PATCH_H
#define HUSK_API_PATCH_H

#include <stdbool.h>
#include <yajl/yajl_tree.h>

#include "status.h"

/* Applies patch to a copy of target and returns it through *out; a Status
 * (400) when the patch is not an object or merges values of wrong types. */
struct api_status *api_merge_patch (yajl_val target, yajl_val patch, bool strategic,
                                    yajl_val *out);
/* JSON Patch (RFC 6902): the operations applied in order to a copy of
 * target; a 400 when the patch is not a list, a 422 naming the first
 * operation that does not apply (nothing is changed then). */
struct api_status *api_json_patch (yajl_val target, yajl_val patch, yajl_val *out);
/* The merge key of a list field, NULL when the list is replaced whole. */
const char *api_patch_merge_key (const char *field);

#endif
