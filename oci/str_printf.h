/* A string formatted into fresh memory, or NULL when memory runs out: the
 * one asprintf wrapper every layer shares. */
#ifndef HUSK_OCI_STR_PRINTF_H
#define HUSK_OCI_STR_PRINTF_H

#include <stdarg.h>

char *str_printf (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
char *str_vprintf (const char *fmt, va_list ap) __attribute__ ((format (printf, 1, 0)));

#endif
