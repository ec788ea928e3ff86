/* Error helpers of libhusk on top of oci/error.h. */
#ifndef HUSK_RUNTIME_ERRORS_H
#define HUSK_RUNTIME_ERRORS_H

#include <stdarg.h>

#include "../oci/error.h"

/* An error whose message is complete without strerror (runc's wording,
 * "container does not exist") but which still carries `code` for callers. */
static inline int
husk_error_plainv (struct husk_error **err, int code, const char *fmt, va_list ap)
{
  husk_error_setv (err, 0, fmt, ap);
  (*err)->errnum = code;
  return -1;
}

static inline __attribute__ ((format (printf, 3, 4))) int
husk_error_plain (struct husk_error **err, int code, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  husk_error_plainv (err, code, fmt, ap);
  va_end (ap);
  return -1;
}

#endif
