/* The little of Kubernetes' protobuf encoding huskd reads: the envelope
 * ("k8s\0" + runtime.Unknown{typeMeta, raw}) around an object whose
 * ObjectMeta carries the name and labels.  Recent kubectl sends
 * `create namespace` this way; everything else arrives as JSON. */
#ifndef HUSK_API_PROTOBUF_H
#define HUSK_API_PROTOBUF_H

#include <stddef.h>
#include <yajl/yajl_tree.h>

#include "status.h"

/* Decodes an enveloped object into JSON {kind, apiVersion, metadata:
 * {name, generateName, namespace, labels, annotations}}. */
struct api_status *api_protobuf_decode (const unsigned char *data, size_t len, yajl_val *out);

#endif
