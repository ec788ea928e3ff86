/* ConfigMap and Secret admission as kube-apiserver's (pkg/apis/core/
 * validation ValidateConfigMap, ValidateSecret and their updates): keys,
 * sizes, Secret types, immutability; a Secret's stringData folded into
 * its data and its data checked to be base64.  And their quota counts
 * (`configmaps`, `secrets`, `count/configmaps`, `count/secrets`). */
#ifndef HUSK_API_CONFIGMAP_H
#define HUSK_API_CONFIGMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <yajl/yajl_tree.h>

#include "status.h"

/* What kube-apiserver checks of a config key ("[-._a-zA-Z0-9]+", at most
 * 253, not "." or ".." nor starting with ".."): NULL when valid, else why. */
const char *api_config_key_error (const char *key);

/* obj is the new object (changed in place: a Secret's type defaulted and
 * stringData folded in), old the stored one on an update, else NULL. */
struct api_status *api_configmap_admit (yajl_val old, yajl_val obj);
struct api_status *api_secret_admit (yajl_val old, yajl_val obj);

/* Quota: `resource` ("configmaps") is about to get one more object while
 * the namespace has `count`; NULL when every quota allows it. */
struct api_status *api_quota_count_admit (const char *resource, const char *name,
                                          yajl_val *quotas, size_t nq, size_t count);
/* Writes status.used for `resource`'s keys of a quota (after
 * api_quota_refresh, which rewrites status). */
void api_quota_count_refresh (yajl_val quota, const char *resource, size_t count);

/* A Secret's data[key], decoded (malloc'd, NUL terminated, *len bytes);
 * NULL when absent or not base64. */
unsigned char *api_secret_value (yajl_val secret, const char *key, size_t *len);

#endif
