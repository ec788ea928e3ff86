/* The network fields of a Pod spec: dnsPolicy, dnsConfig, hostAliases
 * (called by pod_spec.c; the structs are in pod_spec.h). */
#ifndef HUSK_SANDBOX_POD_SPEC_NET_H
#define HUSK_SANDBOX_POD_SPEC_NET_H

#include "../../oci/json_reader.h"
#include "pod_spec.h"

int pod_spec_net_parse (struct jr *r, yajl_val spec, struct pod_spec *pod);
void pod_spec_net_clear (struct pod_spec *pod);

#endif
