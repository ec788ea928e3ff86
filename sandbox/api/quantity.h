/* Kubernetes resource quantities ("500m", "0.5", "128Mi", "1G", "1e3").
 * Values are kept in thousandths of a unit so CPU millicores and bytes share
 * one integer type; this covers up to 8 PiB, beyond any machine huskd runs. */
#ifndef HUSK_API_QUANTITY_H
#define HUSK_API_QUANTITY_H

#include <stdbool.h>

/* false when s is not a quantity (or overflows). */
bool api_quantity_parse (const char *s, long long *milli);
/* Canonical text: "500m", "2", "128Mi", "1G"; binary suffixes when the value
 * is a whole multiple of 1024 and `binary` is set. buf: 32 bytes. */
void api_quantity_format (long long milli, bool binary, char buf[32]);

#endif
