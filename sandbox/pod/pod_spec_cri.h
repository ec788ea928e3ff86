/* The CRI-only fields of a container, "huskCRI" in the pod description the
 * CRI front door writes (sandbox/cri/cri_podjson.c): raw resources, the
 * pid namespace mode with its target, devices.  Called by pod_spec.c; the
 * struct is pod_spec.h's pod_cri_linux. */
#ifndef HUSK_SANDBOX_POD_SPEC_CRI_H
#define HUSK_SANDBOX_POD_SPEC_CRI_H

#include "../../oci/json_reader.h"
#include "pod_spec.h"

/* obj's "huskCRI" into *x: 0 when absent, 1 when parsed, < 0 on error. */
int pod_spec_cri_parse (struct jr *r, yajl_val obj, struct pod_cri_linux *x);

#endif
