/* A namespace's pods sit under a cgroup of that namespace:
 * <cgroup-parent>/<namespace>/pod_<id>.  The sandbox makes the directories
 * as it makes a pod's cgroup; the namespace level is removed here once its
 * last pod is gone, in every hierarchy (v1 controllers, or the v2 tree). */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "controller_internal.h"

#define HUSK_CGROUP_PARENT_DEFAULT "/husk"

char *
huskd_namespace_cgroup (const char *base, const char *ns)
{
  char *path = NULL;
  if (asprintf (&path, "%s/%s", base ? base : HUSK_CGROUP_PARENT_DEFAULT, ns) < 0)
    abort ();
  return path;
}

void
huskd_namespace_cgroup_remove (const char *base, const char *ns)
{
  const char *patterns[] = { "/sys/fs/cgroup/*%s", "/sys/fs/cgroup%s" };
  char *cg = huskd_namespace_cgroup (base, ns);
  for (size_t i = 0; i < 2; i++)
    {
      char pattern[4096];
      glob_t g;
      snprintf (pattern, sizeof pattern, patterns[i], cg);
      if (glob (pattern, GLOB_ONLYDIR, NULL, &g) != 0)
        continue;
      for (size_t j = 0; j < g.gl_pathc; j++)
        rmdir (g.gl_pathv[j]); /* busy while a pod lives there: kept */
      globfree (&g);
    }
  free (cg);
}
