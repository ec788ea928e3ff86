/* What the kubelet resolves for a pod from other objects and from the pod
 * itself: env[].valueFrom (configMapKeyRef, secretKeyRef, fieldRef,
 * resourceFieldRef) and envFrom, and the configMap, secret, downwardAPI
 * and projected volumes, written under huskd's state dir on a tmpfs per
 * pod (secrets never reach a disk) with the AtomicWriter's layout and
 * rewritten in place when the objects change.  The sandbox gets a view of
 * the pod where those volumes are host paths (mounted read-only) and the
 * env is plain values. */
#ifndef HUSK_HUSKD_POD_PROJECTION_H
#define HUSK_HUSKD_POD_PROJECTION_H

#include <yajl/yajl_tree.h>

#include "dockercfg.h"
#include "pod_sync.h"
#include "store.h"

/* Event-loop side: copies of the ConfigMaps and Secrets the pod names, as
 * {"configmaps": {name: obj}, "secrets": {name: obj}} for its sync. */
yajl_val huskd_pod_refs (struct api_store *store, yajl_val pod);
/* Whether the pod names the ConfigMap or Secret (resource "configmaps" or
 * "secrets") `name`. */
bool huskd_pod_uses (yajl_val pod, const char *resource, const char *name);

/* The registry credentials for pulling `image` from the pod's
 * imagePullSecrets (kubernetes.io/dockerconfigjson or dockercfg), decoded,
 * for the image's registry host: 0 and *out (api_registry_auth_clear it),
 * or -1 when no pull secret has an entry for that host.  The first reads
 * the store (event loop); the second the copies a sync carries (worker). */
int huskd_pod_pull_credentials (struct api_store *store, yajl_val pod, const char *image,
                                struct api_registry_auth *out);
int pod_sync_pull_credentials (struct pod_sync *s, const char *image,
                               struct api_registry_auth *out);

/* Worker side.  The container's env as the runtime gets it, or NULL and
 * *why, kubelet's words (`configmap "x" not found`). */
yajl_val pod_projection_env (struct pod_sync *s, yajl_val c, char **why);
/* The pod for the sandbox: volumes as host paths, container `cname`'s env
 * set to env (taken), the others' env without valueFrom. */
yajl_val pod_projection_view (struct pod_sync *s, const char *cname, yajl_val env);
/* Writes (or updates) every projected volume; -1 and *why (the FailedMount
 * event's message) when one cannot be. */
int pod_projection_volumes (struct pod_sync *s, char **why);
/* Removes the pod's volumes (at its deletion). */
void pod_projection_remove (struct pod_sync *s);

#endif
