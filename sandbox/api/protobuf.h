/* The little of Kubernetes' protobuf encoding huskd reads: the envelope
 * ("k8s\0" + runtime.Unknown{typeMeta, raw}) around an object whose
 * ObjectMeta carries the name and labels.  Recent kubectl sends its
 * `create namespace|configmap|secret|quota` this way; everything else
 * arrives as JSON. */
#ifndef HUSK_API_PROTOBUF_H
#define HUSK_API_PROTOBUF_H

#include <stddef.h>
#include <yajl/yajl_tree.h>

#include "status.h"

/* Decodes an enveloped Namespace, ConfigMap, Secret or ResourceQuota into
 * its JSON form: {kind, apiVersion, metadata: {name, generateName,
 * namespace, labels, annotations}} and the kind's own fields (data,
 * binaryData and a Secret's data as base64, stringData, type, immutable,
 * spec.hard, spec.scopes).  Another kind is 415. */
struct api_status *api_protobuf_decode (const unsigned char *data, size_t len, yajl_val *out);

#endif
