/* What every object's admission shares, in Kubernetes' words: the body's
 * apiVersion and kind, label and annotation keys and values
 * (ValidateObjectMeta), and the resource quantities of pods, quotas and
 * limit ranges (a quantity that does not parse is a decoding error, 400;
 * one that parses but may not be used, negative or fractional where a
 * count is meant, is 422). */
#ifndef HUSK_API_OBJMETA_H
#define HUSK_API_OBJMETA_H

#include <stdbool.h>
#include <yajl/yajl_tree.h>

#include "status.h"

/* 400 when apiVersion is set and not "v1", or kind is set and not kind. */
struct api_status *api_check_kind (yajl_val obj, const char *kind);
/* 400 when a quantity of the object (by kind) is not a quantity. */
struct api_status *api_quantities_decode (yajl_val obj, const char *kind);
/* 422 Invalid naming every bad label, annotation and quantity; NULL when
 * none is. */
struct api_status *api_object_validate (yajl_val obj, const char *kind);

/* Kubernetes' quantity grammar (resource.ParseQuantity): a signed decimal,
 * then a binary (Ki..Ei) or decimal (n u m k M G T P E) suffix or an
 * exponent (e3, E-2). */
bool api_quantity_syntax (const char *s);
/* IsQualifiedName / IsValidLabelValue: the first complaint or NULL. */
const char *api_qualified_name_error (const char *key, char buf[512]);
const char *api_label_value_error (const char *value);

#endif
