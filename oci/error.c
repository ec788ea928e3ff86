#include "error.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* When we cannot even allocate the message, the error still has to say
 * something: a static fallback that release() knows not to free. */
static char out_of_memory[] = "out of memory";

static void
error_store (struct husk_error **err, int errnum, char *message)
{
  struct husk_error *e = malloc (sizeof *e);
  if (e == NULL)
    abort (); /* cannot report that we cannot report */
  e->errnum = errnum;
  e->message = message ? message : out_of_memory;
  *err = e;
}

int
husk_error_setv (struct husk_error **err, int errnum, const char *fmt, va_list ap)
{
  char *base = NULL, *full = NULL;

  assert (err != NULL && *err == NULL);
  if (vasprintf (&base, fmt, ap) < 0)
    base = NULL;
  if (base && errnum != 0)
    {
      if (asprintf (&full, "%s: %s", base, strerror (errnum)) < 0)
        full = NULL;
      free (base);
      base = full;
    }
  error_store (err, errnum, base);
  return -1;
}

int
husk_error_set (struct husk_error **err, int errnum, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  husk_error_setv (err, errnum, fmt, ap);
  va_end (ap);
  return -1;
}

int
husk_error_wrap (struct husk_error **err, const char *fmt, ...)
{
  char *context = NULL, *full = NULL;
  va_list ap;

  assert (err != NULL && *err != NULL);
  va_start (ap, fmt);
  if (vasprintf (&context, fmt, ap) < 0)
    context = NULL;
  va_end (ap);
  if (context == NULL)
    return -1;
  if (asprintf (&full, "%s: %s", context, (*err)->message) >= 0)
    {
      if ((*err)->message != out_of_memory)
        free ((*err)->message);
      (*err)->message = full;
    }
  free (context);
  return -1;
}

void
husk_error_release (struct husk_error **err)
{
  if (err == NULL || *err == NULL)
    return;
  if ((*err)->message != out_of_memory)
    free ((*err)->message);
  free (*err);
  *err = NULL;
}

int
husk_error_propagate (struct husk_error **dst, struct husk_error **src)
{
  assert (dst != NULL && *dst == NULL && src != NULL && *src != NULL);
  *dst = *src;
  *src = NULL;
  return -1;
}
