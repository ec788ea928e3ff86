/* The one error style of husk.
 *
 * A function that can fail returns int (>= 0 success, < 0 failure) and takes
 * `struct husk_error **err` last.  A negative return always means *err is set;
 * setting it twice is a bug (asserted).  Callers add context as the error
 * travels up with husk_error_wrap(), so the CLI prints one line:
 *
 *   husk: create "web": mount "/data" on "/srv/data": No such file or directory
 */
#ifndef HUSK_OCI_ERROR_H
#define HUSK_OCI_ERROR_H

#include <stdarg.h>

struct husk_error {
  int errnum;    /* errno of the root cause, 0 when there is none */
  char *message; /* the whole chain, outermost context first */
};

/* Sets *err; the message gets ": strerror(errnum)" appended when errnum != 0.
 * Always returns -1 so that `return husk_error_set(...)` reads naturally. */
int husk_error_set (struct husk_error **err, int errnum, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));
int husk_error_setv (struct husk_error **err, int errnum, const char *fmt, va_list ap);

/* Prefixes "context: " to an error already set; returns -1. */
int husk_error_wrap (struct husk_error **err, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

/* Frees and clears *err (NULL safe). */
void husk_error_release (struct husk_error **err);

/* Moves an error to another holder (for errors crossing a process boundary
 * or being kept while cleanup runs). */
int husk_error_propagate (struct husk_error **dst, struct husk_error **src);

#define cleanup_error __attribute__ ((cleanup (husk_error_release)))

#endif
