/* `exec --cgroup`: the new process goes to a sub-cgroup of the
 * container's, as runc's: "path" for every hierarchy, or
 * "ctrl[,ctrl]:path" for the hierarchies carrying those controllers (v1;
 * on v2 the one cgroup takes the path whatever the prefix). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* A path below the container's cgroup: ".." components (which could
 * climb out of it) are refused, as runc's "bad sub cgroup path". */
static int
check_sub (const char *arg, const char *sub, struct husk_error **err)
{
  cleanup_free char *copy = strdup (sub);
  char *save = NULL;

  if (copy == NULL)
    return husk_error_set (err, ENOMEM, "--cgroup");
  for (char *t = strtok_r (copy, "/", &save); t; t = strtok_r (NULL, "/", &save))
    if (strcmp (t, "..") == 0)
      return husk_error_set (err, EINVAL, "bad sub cgroup path: %s", arg);
  return 0;
}

/* Whether hierarchy controllers "cpu,cpuacct" carry `ctrl`. */
static bool
carries (const char *controllers, const char *ctrl, size_t len)
{
  for (const char *p = controllers; p && *p;)
    {
      const char *comma = strchr (p, ',');
      size_t n = comma ? (size_t) (comma - p) : strlen (p);
      if (n == len && strncmp (p, ctrl, len) == 0)
        return true;
      p = comma ? comma + 1 : NULL;
    }
  return false;
}

static int
add_pid (const char *base, const char *sub, pid_t pid, struct husk_error **err)
{
  cleanup_free char *dir = NULL;

  if (asprintf (&dir, "%s/%s", base, sub) < 0)
    return husk_error_set (err, ENOMEM, "--cgroup");
  if (cg_writef (dir, "cgroup.procs", err, "%d", (int) pid) < 0)
    return husk_error_wrap (err, "adding pid %d to cgroups", (int) pid);
  return 0;
}

/* One --cgroup value. */
static int
enter_one (struct husk_cgroup *cg, const char *arg, pid_t pid, struct husk_error **err)
{
  const char *colon = strchr (arg, ':'), *sub = colon ? colon + 1 : arg;

  if (check_sub (arg, sub, err) < 0)
    return -1;
  if (cg->hiers_len == 0) /* v2: one cgroup */
    return add_pid (cg->dir, sub, pid, err);
  for (const char *c = colon ? arg : NULL; c && c < colon;)
    {
      const char *comma = memchr (c, ',', (size_t) (colon - c));
      size_t len = comma ? (size_t) (comma - c) : (size_t) (colon - c);
      bool found = false;
      if (len == 0)
        return husk_error_set (err, EINVAL, "invalid --cgroup argument: %s (empty controller)",
                               arg);
      for (size_t i = 0; i < cg->hiers_len; i++)
        if (carries (cg->hiers[i].controllers, c, len))
          {
            found = true;
            if (add_pid (cg->hiers[i].dir, sub, pid, err) < 0)
              return -1;
          }
      if (!found)
        return husk_error_set (err, EINVAL, "unknown controller \"%.*s\" in --cgroup %s",
                               (int) len, c, arg);
      c = comma ? comma + 1 : colon;
    }
  if (colon == NULL)
    for (size_t i = 0; i < cg->hiers_len; i++)
      if (add_pid (cg->hiers[i].dir, sub, pid, err) < 0)
        return -1;
  return 0;
}

int
husk_cgroup_enter_sub (struct husk_cgroup *cg, const char *const *subs, size_t len, pid_t pid,
                       struct husk_error **err)
{
  for (size_t i = 0; i < len; i++)
    if (enter_one (cg, subs[i], pid, err) < 0)
      return -1;
  return 0;
}
