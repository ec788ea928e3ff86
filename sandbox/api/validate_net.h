/* Admission checks of spec.dnsPolicy, spec.dnsConfig and spec.hostAliases
 * (see validate.h): causes are added to `s`. */
#ifndef HUSK_API_VALIDATE_NET_H
#define HUSK_API_VALIDATE_NET_H

#include <yajl/yajl_tree.h>

#include "status.h"

void api_pod_validate_network (struct api_status *s, yajl_val spec);

#endif
