/* v2 cgroup directories: where, making them with controllers delegated
 * down the path, entering, removing, and the ops table. */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sys/stat.h>
#include <string.h>

#include "v2.h"

/* Delegates every controller `dir` has to its children: one write with
 * all of them, else one by one, ignoring refusals (a controller that
 * cannot be enabled fails later, when a resource needs it, with its file
 * named). */
static void
enable_controllers (const char *dir)
{
  cleanup_free char *avail = NULL, *all = NULL;
  cleanup_error struct husk_error *e = NULL;
  char *save = NULL;
  size_t n = 0;

  if (cg_read_value (dir, "cgroup.controllers", &avail, &e) < 0)
    return;
  all = calloc (1, 2 * strlen (avail) + 2);
  if (all == NULL)
    return;
  for (char *t = strtok_r (avail, " \n", &save); t; t = strtok_r (NULL, " \n", &save))
    n += sprintf (all + n, "%s+%s", n ? " " : "", t);
  if (n == 0 || cg_write (dir, "cgroup.subtree_control", all, &e) == 0)
    return;
  husk_error_release (&e);
  save = NULL;
  for (char *t = strtok_r (all, " ", &save); t; t = strtok_r (NULL, " ", &save))
    {
      cg_write (dir, "cgroup.subtree_control", t, &e);
      husk_error_release (&e);
    }
}

static int
make_levels (struct husk_cgroup *cg, struct husk_error **err)
{
  size_t root_len = strlen (HUSK_CGROUP_ROOT);
  cleanup_free char *cur = strdup (cg->dir);
  if (cur == NULL)
    return husk_error_set (err, ENOMEM, "cgroup path");
  for (char *p = cur + root_len;; p++)
    {
      bool last = *p == '\0';
      if (*p != '/' && !last)
        continue;
      *p = '\0';
      if (p > cur + root_len && mkdir (cur, 0755) == 0)
        {
          if (cg->created_top == NULL && (cg->created_top = strdup (cur)) == NULL)
            return husk_error_set (err, ENOMEM, "cgroup path");
        }
      else if (p > cur + root_len && errno != EEXIST)
        return husk_error_set (err, errno, "mkdir \"%s\"", cur);
      if (last)
        return 0;
      enable_controllers (cur);
      *p = '/';
    }
}

static int
finish (struct husk_cgroup *cg, const char *inner, struct husk_error **err)
{
  cg->path = strdup (inner);
  if (cg->path == NULL)
    return husk_error_set (err, ENOMEM, "cgroup path");
  cg->dirfd = open (cg->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cg->dirfd < 0)
    return husk_error_set (err, errno, "open \"%s\"", cg->dir);
  return 0;
}

int
cg_v2_resolve (struct husk_cgroup *cg, const char *inner, bool relative, struct husk_error **err)
{
  cleanup_free char *own = NULL, *full = NULL;
  if (relative)
    {
      /* runc uses the parent of the caller's cgroup: the caller's own
       * holds processes, so it cannot delegate controllers to a child. */
      if (cg_own_cgroup (NULL, "", &own, err) < 0)
        return -1;
      full = cg_join (dirname (own), inner);
    }
  else
    full = strdup (inner);
  if (full == NULL || (cg->dir = cg_join (HUSK_CGROUP_ROOT, full)) == NULL
      || (cg->path = strdup (full[0] == '/' ? full : "/")) == NULL)
    return husk_error_set (err, ENOMEM, "cgroup path");
  return 0;
}

int
cg_v2_make (struct husk_cgroup *cg, const char *inner, bool relative, struct husk_error **err)
{
  cleanup_free char *path = NULL;
  if (cg_v2_resolve (cg, inner, relative, err) < 0)
    return -1;
  path = steal_pointer (&cg->path);
  if (make_levels (cg, err) < 0 || finish (cg, path, err) < 0)
    {
      cg_v2_unmake (cg);
      return -1;
    }
  return 0;
}

int
cg_v2_open (struct husk_cgroup *cg, const char *path, struct husk_error **err)
{
  cg->dir = cg_join (HUSK_CGROUP_ROOT, path);
  if (cg->dir == NULL)
    return husk_error_set (err, ENOMEM, "cgroup path");
  return finish (cg, path, err);
}

void
cg_v2_unmake (struct husk_cgroup *cg)
{
  if (cg->created_top == NULL)
    return;
  if (cg->dirfd >= 0)
    close (steal_fd (&cg->dirfd));
  cg_rmdir_up_to (cg->dir, cg->created_top);
  free (steal_pointer (&cg->created_top));
}

int
cg_v2_enter (struct husk_cgroup *cg, pid_t pid, struct husk_error **err)
{
  return cg_writef (cg->dir, "cgroup.procs", err, "%d", (int) pid);
}

/* The child starts inside the cgroup (clone3 on cg->dirfd): nothing to
 * open for it; the pid is written only when clone3 could not do that. */
static int
v2_join_fds (struct husk_cgroup *cg, int *fds, size_t cap, size_t *len, struct husk_error **err)
{
  return 0;
}

static int
v2_enter_rest (struct husk_cgroup *cg, pid_t pid, bool self_joined, bool into_cgroup,
               struct husk_error **err)
{
  return into_cgroup ? 0 : cg_v2_enter (cg, pid, err);
}

int
cg_v2_remove (struct husk_cgroup *cg, struct husk_error **err)
{
  return cg_rmdir_tree (cg->dir, err);
}

const char *
cg_v2_procs_dir (const struct husk_cgroup *cg)
{
  return cg->dir;
}

int
cg_v2_kill_fast (struct husk_cgroup *cg, struct husk_error **err)
{
  /* cgroup.kill (Linux 5.14) kills the whole subtree atomically, forks in
   * flight included. */
  if (!cg_has (cg->dir, "cgroup.kill"))
    return 1;
  return cg_write (cg->dir, "cgroup.kill", "1", err);
}

static int
v2_apply (struct husk_cgroup *cg, const struct oci_resources *r, bool update,
          struct husk_error **err)
{
  if (cg_v2_apply_dir (cg->dir, r, update, err) < 0)
    return -1;
  return cg_v2_devices_apply (cg->dir, r, update, err);
}

const struct cg_ops husk_cg_v2_ops = {
  .resolve = cg_v2_resolve,
  .make = cg_v2_make,
  .open = cg_v2_open,
  .unmake = cg_v2_unmake,
  .apply = v2_apply,
  .enter = cg_v2_enter,
  .join_fds = v2_join_fds,
  .enter_rest = v2_enter_rest,
  .remove = cg_v2_remove,
  .procs_dir = cg_v2_procs_dir,
  .kill_fast = cg_v2_kill_fast,
  .freeze = cg_v2_freeze,
  .is_frozen = cg_v2_is_frozen,
  .stats = cg_v2_stats,
  .oom_fd = cg_v2_oom_fd,
  .oom_count = cg_v2_oom_count,
};
