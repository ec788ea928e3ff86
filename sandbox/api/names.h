/* Kubernetes' name rules (k8s.io/apimachinery/pkg/util/validation). */
#ifndef HUSK_API_NAMES_H
#define HUSK_API_NAMES_H

#include <stdbool.h>

/* RFC 1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])?, at most 63 characters. */
bool api_is_dns1123_label (const char *s);
/* RFC 1123 subdomain: labels joined by '.', at most 253 characters. */
bool api_is_dns1123_subdomain (const char *s);
/* The messages Kubernetes gives for each (without the value prefix). */
extern const char api_dns1123_label_msg[];
extern const char api_dns1123_subdomain_msg[];

#endif
