/* The Pod object of a CRI sandbox (cri_podjson.c). */
#ifndef HUSK_CRI_POD_H
#define HUSK_CRI_POD_H

#include "api.pb-c.h"
#include "../../oci/error.h"

/* A CRI name as a DNS label: itself when it is one (at most 40
 * characters), else its sanitised start and a hash of the whole. */
void cri_label_name (const char *name, char out[64]);

/* The sandbox with containers cs[0..n) (by their metadata names; a later
 * entry of one name replaces an earlier one is the caller's business). */
int cri_pod_json (const Runtime__V1__PodSandboxConfig *sb, Runtime__V1__ContainerConfig *const *cs,
                  size_t n, char **out, struct husk_error **err);

/* A container's seccomp (its SecurityProfile, else the deprecated
 * seccomp_profile_path) as the Pod's seccompProfile: *type "RuntimeDefault"
 * or "Localhost" (with *path), NULL for unconfined.  EINVAL for a path
 * that is none of "", unconfined, runtime/default, docker/default,
 * localhost/<path>, as containerd refuses it. */
int cri_seccomp_profile (const Runtime__V1__LinuxContainerSecurityContext *sc, const char **type,
                         const char **path, struct husk_error **err);

#endif
