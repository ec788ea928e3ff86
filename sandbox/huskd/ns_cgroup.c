/* The --cgroup-parent of huskd's cgroupfs driver: what of it huskd made
 * (in every hierarchy: v1 controllers, or the v2 tree) is removed when it
 * stops.  The pods' own levels below it (kubepods, its QoS levels) are the
 * sandbox's (sandbox/pod/pod_cgroup.c).  A relative --cgroup-parent
 * resolves against huskd's own cgroup, through the cgroup library, exactly
 * as the pods' cgroups are made and removed. */
#include <glob.h>
#include <sys/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "controller_internal.h"
#include "../../runtime/cgroup/cgroup.h"

#define HUSK_CGROUP_PARENT_DEFAULT "/husk"

/* The directories of a relative cgroup path, one per hierarchy. */
static char **
relative_dirs (const char *path)
{
  cleanup_error struct husk_error *e = NULL;
  char **dirs = NULL;
  if (husk_cgroup_dirs (path, &dirs, &e) < 0)
    return NULL; /* no cgroups here: nothing was made either */
  return dirs;
}

/* The roots of the hierarchies: each v1 controller and the v2 tree of a
 * hybrid set-up. */
static void
hierarchies (glob_t *g)
{
  if (glob ("/sys/fs/cgroup/*", GLOB_ONLYDIR, NULL, g) != 0)
    g->gl_pathc = 0;
}

static void
add_missing (char ***out, size_t *n, const char *root, const char *base)
{
  for (const char *slash = base + 1;; slash++)
    {
      struct stat st;
      cleanup_free char *dir = NULL;
      if (*slash != '/' && *slash != '\0')
        continue;
      if (asprintf (&dir, "%s%.*s", root, (int) (slash - base), base) < 0)
        abort ();
      if (slash - base > 1 && stat (dir, &st) < 0)
        {
          *out = realloc (*out, (*n + 2) * sizeof (char *));
          (*out)[(*n)++] = steal_pointer (&dir);
          (*out)[*n] = NULL;
        }
      if (*slash == '\0')
        break;
    }
}

/* The directories from `dir` up that do not exist yet, outermost first (the
 * order huskd_cgroup_parent_remove undoes). */
static void
add_missing_above (char ***out, size_t *n, const char *dir)
{
  struct stat st;
  cleanup_free char *parent = NULL;
  char *slash;
  if (stat (dir, &st) == 0 || (parent = strdup (dir)) == NULL)
    return;
  if ((slash = strrchr (parent, '/')) != NULL && slash > parent)
    {
      *slash = '\0';
      add_missing_above (out, n, parent);
    }
  *out = realloc (*out, (*n + 2) * sizeof (char *));
  if ((*out)[*n] = strdup (dir), (*out)[*n] == NULL)
    abort ();
  (*out)[++*n] = NULL;
}

char **
huskd_cgroup_parent_missing (const char *base)
{
  char **out = calloc (1, sizeof (char *));
  size_t n = 0;
  glob_t g;
  base = base ? base : HUSK_CGROUP_PARENT_DEFAULT;
  if (base[0] != '/')
    {
      cleanup_strv char **dirs = relative_dirs (base);
      for (size_t i = 0; dirs && dirs[i]; i++)
        add_missing_above (&out, &n, dirs[i]);
      return out;
    }
  hierarchies (&g);
  for (size_t i = 0; i < g.gl_pathc; i++)
    add_missing (&out, &n, g.gl_pathv[i], base);
  add_missing (&out, &n, "/sys/fs/cgroup", base); /* a pure v2 machine */
  if (g.gl_pathc > 0)
    globfree (&g);
  return out;
}

void
huskd_cgroup_parent_remove (char **missing)
{
  size_t n = 0;
  if (!missing)
    return;
  while (missing[n])
    n++;
  while (n-- > 0)
    rmdir (missing[n]); /* busy while pods still run there: kept */
}
