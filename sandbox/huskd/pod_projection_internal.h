/* What the three parts of pod projection share: the pod's env
 * (pod_projection_env.c), its volumes (pod_projection_volumes.c) and the
 * objects it names (pod_projection_refs.c). */
#pragma once

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jv.h"
#include "pod_sync.h"

#define DEFAULT_MODE 0644

static inline size_t
alen (yajl_val v)
{
  return YAJL_IS_ARRAY (v) ? v->u.array.len : 0;
}

static inline yajl_val
at (yajl_val v, size_t i)
{
  return v->u.array.values[i];
}

static inline bool
is_true (yajl_val v)
{
  return v && YAJL_IS_TRUE (v);
}

static inline char *
xstrdup (const char *s)
{
  char *d = strdup (s ? s : "");
  if (!d)
    abort ();
  return d;
}

static inline char *fmt (const char *f, ...) __attribute__ ((format (printf, 1, 2)));
static inline char *
fmt (const char *f, ...)
{
  va_list ap;
  char *out;
  va_start (ap, f);
  if (vasprintf (&out, f, ap) < 0)
    abort ();
  va_end (ap);
  return out;
}

/* The ConfigMap or Secret `name` the sync resolved (s->refs), or NULL. */
yajl_val pod_projection_ref (struct pod_sync *s, const char *resource, const char *name);
/* A fieldRef's value (whole_maps: metadata.labels/annotations as a
 * downwardAPI file has them), or NULL with *why. */
char *pod_projection_field (struct pod_sync *s, const char *path, bool whole_maps, char **why);
/* A resourceFieldRef's value for container c (NULL: the one it names), or
 * NULL with *why. */
char *pod_projection_resource (struct pod_sync *s, yajl_val c, yajl_val ref, char **why);
