/* YAML as people write manifests, to and from JSON trees (libyaml).
 * Plain scalars resolve as Kubernetes' YAML reader (sigs.k8s.io/yaml over
 * YAML 1.1-ish rules) resolves them: null/~, true/false, integers and
 * floats; anything quoted or tagged !!str stays a string. */
#ifndef HUSK_HUSKCTL_YAML_JSON_H
#define HUSK_HUSKCTL_YAML_JSON_H

#include <stddef.h>
#include <stdio.h>
#include <yajl/yajl_tree.h>

#include "error.h"

/* Every document of a stream ("---" separated), empty ones skipped.
 * *docs is a JSON array of them. */
int yaml_to_json (const char *text, size_t len, yajl_val *docs, struct husk_error **err);
/* Writes v as a YAML document. */
int json_to_yaml (yajl_val v, FILE *out, struct husk_error **err);

#endif
