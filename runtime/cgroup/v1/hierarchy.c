/* v1 hierarchies: which are mounted, where the container's cgroup is in
 * each, making and removing those directories, entering them. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/statfs.h>

#include <linux/magic.h>

#include "v1.h"

/* The controllers husk places a container in, as runc's fs driver does
 * (name=systemd included, so tools reading it see the container). */
static const char *const known[] = {
  "cpu",     "cpuacct", "cpuset",  "memory",     "devices", "freezer", "blkio",
  "pids",    "net_cls", "net_prio", "hugetlb",   "perf_event", "rdma", "misc",
  "name=systemd",
};

static bool
is_known (const char *opt)
{
  for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
    if (strcmp (opt, known[i]) == 0)
      return true;
  return false;
}

/* "rw,cpu,cpuacct" -> "cpu,cpuacct"; NULL when none is ours. */
static char *
controllers_of (const char *super_opts)
{
  cleanup_free char *copy = strdup (super_opts);
  char *out = calloc (1, strlen (super_opts) + 1), *save = NULL;
  if (copy == NULL || out == NULL)
    {
      free (out);
      return NULL;
    }
  for (char *t = strtok_r (copy, ",", &save); t; t = strtok_r (NULL, ",", &save))
    if (is_known (t))
      {
        if (*out)
          strcat (out, ",");
        strcat (out, t);
      }
  if (*out == '\0')
    {
      free (out);
      return NULL;
    }
  return out;
}

static bool
seen (const struct husk_cgroup *cg, const char *controllers)
{
  for (size_t i = 0; i < cg->hiers_len; i++)
    if (strcmp (cg->hiers[i].controllers, controllers) == 0)
      return true;
  return false;
}

/* One mountinfo line: "id parent maj:min root mountpoint opts - type src super".
 * Besides the v1 hierarchies, a hybrid host's cgroup2 tree at
 * HUSK_CGROUP_UNIFIED is one more, with no controllers (named "", the
 * controller field of its /proc/self/cgroup line): runc puts the container
 * there too, and tools read its "0::" line. */
static int
add_mount (struct husk_cgroup *cg, char *line, struct husk_error **err)
{
  char root[4096], mnt[4096], fstype[64], super[1024];
  char *dash = strstr (line, " - ");
  cleanup_free char *controllers = NULL;
  struct cg_hier *nh;

  if (dash == NULL || sscanf (line, "%*s %*s %*s %4095s %4095s", root, mnt) != 2 ||
      sscanf (dash + 3, "%63s %*s %1023s", fstype, super) != 2)
    return 0;
  if (strcmp (fstype, "cgroup2") == 0 && strcmp (mnt, HUSK_CGROUP_UNIFIED) == 0)
    {
      /* hybrid: the v2 tree, as runc joins it; unless a later mount covers
       * it (a tmpfs of only the v1 hierarchies over /sys/fs/cgroup, as
       * crun needs): mountinfo still lists it then.  runc asks statfs. */
      struct statfs st;
      if (statfs (HUSK_CGROUP_UNIFIED, &st) < 0 || st.f_type != CGROUP2_SUPER_MAGIC)
        return 0;
      controllers = strdup ("");
    }
  else if (strcmp (fstype, "cgroup") == 0)
    controllers = controllers_of (super);
  if (controllers == NULL || seen (cg, controllers))
    return 0; /* not ours, or a second mount of a hierarchy we have */
  nh = realloc (cg->hiers, (cg->hiers_len + 1) * sizeof *nh);
  if (nh == NULL)
    return husk_error_set (err, ENOMEM, "cgroup hierarchies");
  cg->hiers = nh;
  nh += cg->hiers_len;
  memset (nh, 0, sizeof *nh);
  nh->controllers = steal_pointer (&controllers);
  nh->mountpoint = strdup (mnt);
  /* Keep the mount root in `inner` for now: relative paths must strip it. */
  nh->inner = strdup (root);
  cg->hiers_len++;
  if (nh->mountpoint == NULL || nh->inner == NULL)
    return husk_error_set (err, ENOMEM, "cgroup hierarchies");
  return 0;
}

/* The table is kept whole in the handle (husk_cgroup_mountinfo): the
 * container's cgroup mount reads the same hierarchies from it. */
static int
discover (struct husk_cgroup *cg, struct husk_error **err)
{
  cleanup_free char *copy = NULL;
  char *save = NULL;

  free (cg->mountinfo);
  cg->mountinfo = NULL;
  if (cg_read ("/proc/self", "mountinfo", &cg->mountinfo, err) < 0)
    return -1;
  if ((copy = strdup (cg->mountinfo)) == NULL)
    return husk_error_set (err, ENOMEM, "read \"/proc/self/mountinfo\"");
  for (char *line = strtok_r (copy, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    if (add_mount (cg, line, err) < 0)
      return -1;
  if (cg->hiers_len == 0)
    return husk_error_set (err, ENOENT, "no cgroup v1 hierarchy is mounted under %s",
                           HUSK_CGROUP_ROOT);
  return 0;
}

/* Where a relative path starts in hierarchy `h`: the caller's cgroup,
 * seen from the mount (whose root may be a sub-cgroup in a container). */
static int
relative_base (const struct cg_hier *h, const char *proc_cgroup, char **out,
               struct husk_error **err)
{
  cleanup_free char *own = NULL;
  size_t rl = strlen (h->inner);
  if (cg_own_cgroup (proc_cgroup, h->controllers, &own, err) < 0)
    return -1;
  if (strcmp (h->inner, "/") != 0 && strncmp (own, h->inner, rl) == 0 &&
      (own[rl] == '/' || own[rl] == '\0'))
    *out = strdup (own[rl] ? own + rl : "/");
  else
    *out = strdup (own);
  return *out ? 0 : husk_error_set (err, ENOMEM, "cgroup path");
}

static int
set_inner (struct cg_hier *h, const char *inner, struct husk_error **err)
{
  free (h->inner);
  h->inner = strdup (inner);
  free (h->dir);
  h->dir = h->inner ? cg_join (h->mountpoint, h->inner) : NULL;
  if (h->dir == NULL)
    return husk_error_set (err, ENOMEM, "cgroup path");
  return 0;
}

/* "/a/c1" when every hierarchy agrees, else "cpu,cpuacct=/c1;memory=/x/c1". */
static int
make_path_string (struct husk_cgroup *cg, struct husk_error **err)
{
  bool same = true;
  size_t size = 1;
  char *s;
  for (size_t i = 0; i < cg->hiers_len; i++)
    {
      same = same && strcmp (cg->hiers[i].inner, cg->hiers[0].inner) == 0;
      size += strlen (cg->hiers[i].controllers) + strlen (cg->hiers[i].inner) + 2;
    }
  if (same)
    s = strdup (cg->hiers[0].inner);
  else if ((s = calloc (1, size)) != NULL)
    for (size_t i = 0; i < cg->hiers_len; i++)
      sprintf (s + strlen (s), "%s%s=%s", i ? ";" : "", cg->hiers[i].controllers,
               cg->hiers[i].inner);
  if (s == NULL)
    return husk_error_set (err, ENOMEM, "cgroup path");
  free (cg->path);
  cg->path = s;
  return 0;
}

static int
make_dir (struct cg_hier *h, struct husk_error **err)
{
  if (cg_mkdir_p (h->dir, &h->created_top, err) < 0)
    return -1;
  if (strstr (h->controllers, "cpuset") && h->created_top != NULL)
    return cg_v1_cpuset_init (h->mountpoint, h->dir, h->created_top, err);
  return 0;
}

int
cg_v1_resolve (struct husk_cgroup *cg, const char *inner, bool relative, struct husk_error **err)
{
  cleanup_free char *proc_cgroup = NULL;
  if (discover (cg, err) < 0 || (relative && cg_read_own_cgroups (&proc_cgroup, err) < 0))
    return -1;
  for (size_t i = 0; i < cg->hiers_len; i++)
    {
      struct cg_hier *h = &cg->hiers[i];
      cleanup_free char *base = NULL, *full = NULL;
      if (relative && relative_base (h, proc_cgroup, &base, err) < 0)
        return -1;
      full = cg_join (relative ? base : "/", inner);
      if (full == NULL)
        return husk_error_set (err, ENOMEM, "cgroup path");
      if (set_inner (h, full[0] == '/' ? full : "/", err) < 0)
        return -1;
    }
  return make_path_string (cg, err);
}

int
cg_v1_make (struct husk_cgroup *cg, const char *inner, bool relative, struct husk_error **err)
{
  if (cg_v1_resolve (cg, inner, relative, err) < 0)
    return -1;
  for (size_t i = 0; i < cg->hiers_len; i++)
    if (make_dir (&cg->hiers[i], err) < 0)
      {
        cg_v1_unmake (cg);
        return -1;
      }
  return 0;
}

static const char *
path_for (const char *path, const char *controllers)
{
  size_t n = strlen (controllers);
  /* A single path is absolute; the list form starts with a controller. */
  if (path[0] == '/')
    return path;
  /* The unified tree ("") is the entry "=/a/c1". */
  for (const char *p = path; p; p = strchr (p, ';'), p = p ? p + 1 : NULL)
    if (strncmp (p, controllers, n) == 0 && p[n] == '=')
      return p + n + 1;
  return NULL;
}

int
cg_v1_open (struct husk_cgroup *cg, const char *path, struct husk_error **err)
{
  size_t kept = 0;
  if (discover (cg, err) < 0)
    return -1;
  for (size_t i = 0; i < cg->hiers_len; i++)
    {
      struct cg_hier *h = &cg->hiers[i];
      const char *p = path_for (path, h->controllers);
      cleanup_free char *one = p == NULL      ? NULL
                               : p == path ? strdup (p)
                                           : strndup (p, strcspn (p, ";"));
      if (one == NULL || set_inner (h, one, err) < 0 || access (h->dir, F_OK) < 0)
        {
          husk_error_release (err); /* not used by this cgroup: drop it */
          free (h->controllers), free (h->mountpoint), free (h->inner), free (h->dir);
          continue;
        }
      cg->hiers[kept++] = *h;
    }
  cg->hiers_len = kept;
  if (kept == 0)
    return husk_error_set (err, ENOENT, "no cgroup directory exists");
  return make_path_string (cg, err);
}

void
cg_v1_unmake (struct husk_cgroup *cg)
{
  for (size_t i = 0; i < cg->hiers_len; i++)
    if (cg->hiers[i].created_top && cg->hiers[i].dir)
      {
        cg_rmdir_up_to (cg->hiers[i].dir, cg->hiers[i].created_top);
        free (steal_pointer (&cg->hiers[i].created_top));
      }
}

int
cg_v1_enter (struct husk_cgroup *cg, pid_t pid, struct husk_error **err)
{
  for (size_t i = 0; i < cg->hiers_len; i++)
    if (cg_writef (cg->hiers[i].dir, "cgroup.procs", err, "%d", (int) pid) < 0)
      return -1;
  return 0;
}

/* The unified tree of a hybrid host ("") has no `tasks`: the child starts
 * in it through clone3 (cg->dirfd) instead. */
int
cg_v1_join_fds (struct husk_cgroup *cg, int *fds, size_t cap, size_t *len,
                struct husk_error **err)
{
  for (size_t i = 0; i < cg->hiers_len; i++)
    {
      struct cg_hier *h = &cg->hiers[i];
      cleanup_free char *path = NULL;
      if (h->controllers[0] == '\0')
        {
          if (cg->dirfd < 0)
            cg->dirfd = open (h->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
          continue;
        }
      path = cg_join (h->dir, "tasks");
      if (*len == cap || path == NULL || (fds[*len] = open (path, O_WRONLY | O_CLOEXEC)) < 0)
        {
          /* the parent enters them all then, as before */
          while (*len > 0)
            close (fds[--*len]);
          return 0;
        }
      (*len)++;
    }
  return 0;
}

int
cg_v1_enter_rest (struct husk_cgroup *cg, pid_t pid, bool self_joined, bool into_cgroup,
                  struct husk_error **err)
{
  for (size_t i = 0; i < cg->hiers_len; i++)
    {
      const struct cg_hier *h = &cg->hiers[i];
      bool done = h->controllers[0] == '\0' ? into_cgroup : self_joined;
      if (!done && cg_writef (h->dir, "cgroup.procs", err, "%d", (int) pid) < 0)
        return -1;
    }
  return 0;
}

int
cg_v1_remove (struct husk_cgroup *cg, struct husk_error **err)
{
  /* Every hierarchy is tried even after a failure, so a retry only has the
   * busy ones left; the first error is reported. */
  for (size_t i = 0; i < cg->hiers_len; i++)
    {
      cleanup_error struct husk_error *e = NULL;
      if (cg_rmdir_tree (cg->hiers[i].dir, &e) < 0 && *err == NULL)
        husk_error_propagate (err, &e);
    }
  return *err ? -1 : 0;
}

const char *
cg_v1_procs_dir (const struct husk_cgroup *cg)
{
  static const char *const order[] = { "freezer", "pids", "memory", "cpu" };
  for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
    {
      const char *d = husk_cgroup_dir (cg, order[i]);
      if (d)
        return d;
    }
  return cg->hiers[0].dir;
}

int
cg_v1_not_mounted (const char *controller, const char *what, struct husk_error **err)
{
  return husk_error_set (err, ENOTSUP, "%s: the cgroup v1 \"%s\" hierarchy is not mounted", what,
                         controller);
}
