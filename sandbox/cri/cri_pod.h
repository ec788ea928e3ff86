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

#endif
