/* The cgroup interface: mode detection, path rules, and the operations that
 * are the same in both modes (kill, pids, destroy with retry).  Everything
 * that differs goes through the cg_ops table picked once. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include <linux/magic.h>

#include "internal.h"
#include "systemd/sd.h"

int
husk_cgroup_mode (enum husk_cgroup_mode *mode, struct husk_error **err)
{
  /* Cached: the mode of a machine does not change under a running process,
   * and statfs on every call would be wasted work.  It is a fact about the
   * host, not an option, so it is the one file-scope variable here. */
  static enum husk_cgroup_mode detected;
  struct statfs st;

  if (detected != 0)
    {
      *mode = detected;
      return 0;
    }
  if (statfs (HUSK_CGROUP_ROOT, &st) < 0)
    return husk_error_set (err, errno, "statfs \"%s\"", HUSK_CGROUP_ROOT);
  if (st.f_type == CGROUP2_SUPER_MAGIC)
    detected = HUSK_CGROUP_V2;
  else if (st.f_type == TMPFS_MAGIC || st.f_type == CGROUP_SUPER_MAGIC)
    detected = HUSK_CGROUP_V1; /* legacy, or hybrid with cgroup2 at unified/ */
  else
    return husk_error_set (err, ENOTSUP, "\"%s\" is neither cgroup2 nor a tmpfs of v1 hierarchies",
                           HUSK_CGROUP_ROOT);
  *mode = detected;
  return 0;
}

static int
handle_new (struct husk_cgroup **out, struct husk_error **err)
{
  enum husk_cgroup_mode mode;
  struct husk_cgroup *cg;
  if (husk_cgroup_mode (&mode, err) < 0)
    return -1;
  cg = calloc (1, sizeof *cg);
  if (cg == NULL)
    return husk_error_set (err, ENOMEM, "cgroup");
  cg->ops = mode == HUSK_CGROUP_V2 ? &husk_cg_v2_ops : &husk_cg_v1_ops;
  cg->dirfd = -1;
  *out = cg;
  return 0;
}

HUSK_DEFINE_CLEANUP (struct husk_cgroup, husk_cgroup_free)

static bool
is_systemd_form (const char *path)
{
  /* "slice:prefix:name": the systemd driver's syntax, never a path. */
  const char *c1 = strchr (path, ':');
  return path[0] != '/' && c1 != NULL && strchr (c1 + 1, ':') != NULL;
}

static int
inner_path (const char *cgroups_path, const char *id, char **out, struct husk_error **err)
{
  if (cgroups_path && *cgroups_path)
    {
      if (is_systemd_form (cgroups_path))
        return husk_error_set (err, 0,
                               "linux.cgroupsPath: \"%s\" is a systemd path "
                               "(slice:prefix:name): it needs --systemd-cgroup",
                               cgroups_path);
      *out = cg_clean_path (cgroups_path);
    }
  else
    {
      /* runc's default: the container id, relative to the caller's cgroup. */
      if (id == NULL || *id == '\0' || strchr (id, '/') || strcmp (id, "..") == 0 ||
          strcmp (id, ".") == 0)
        return husk_error_set (err, EINVAL, "cgroup: bad container id \"%s\"", id ? id : "");
      *out = strdup (id);
    }
  if (*out == NULL)
    return husk_error_set (err, ENOMEM, "cgroup path");
  if (**out == '\0')
    return husk_error_set (err, EINVAL, "linux.cgroupsPath: \"%s\": names no cgroup", cgroups_path);
  return 0;
}

/* A cgroup frozen before the container exists (by hand, or from a frozen
 * parent) would stop the init before it reports back, and create would
 * wait forever: refused as runc refuses it.  Without a freezer there is
 * nothing to check. */
static int
refuse_frozen (struct husk_cgroup *cg, struct husk_error **err)
{
  cleanup_error struct husk_error *e = NULL;
  bool frozen = false;
  if (cg->ops->is_frozen (cg, &frozen, &e) < 0 || !frozen)
    return 0;
  return husk_error_set (err, EBUSY, "cgroup \"%s\": container's cgroup unexpectedly frozen",
                         cg->path);
}

int
husk_cgroup_create (const char *cgroups_path, const char *id,
                    const struct oci_resources *resources, struct husk_cgroup **out,
                    struct husk_error **err)
{
  __attribute__ ((cleanup (husk_cgroup_freep))) struct husk_cgroup *cg = NULL;
  cleanup_free char *inner = NULL;

  if (inner_path (cgroups_path, id, &inner, err) < 0)
    return -1;
  if (handle_new (&cg, err) < 0)
    return -1;
  if (cg->ops->make (cg, inner, inner[0] != '/', err) < 0)
    return -1;
  if (refuse_frozen (cg, err) < 0 || cg->ops->apply (cg, resources, false, err) < 0)
    {
      cg->ops->unmake (cg);
      return -1;
    }
  *out = steal_pointer (&cg);
  return 0;
}

/* A handle whose directories are where husk_cgroup_create (path) puts
 * them, nothing made or opened: the one resolution of a relative path
 * (against the caller's cgroup) that create and open share. */
static int
resolve (const char *path, struct husk_cgroup **out, struct husk_error **err)
{
  __attribute__ ((cleanup (husk_cgroup_freep))) struct husk_cgroup *cg = NULL;
  cleanup_free char *inner = NULL;

  if (inner_path (path, NULL, &inner, err) < 0 || handle_new (&cg, err) < 0)
    return -1;
  if (cg->ops->resolve (cg, inner, inner[0] != '/', err) < 0)
    return -1;
  *out = steal_pointer (&cg);
  return 0;
}

/* Relative as a cgroupsPath is ("a/b"), not the v1 list form that
 * husk_cgroup_path() gives ("memory=/a/b;..."). */
static bool
is_relative (const char *path)
{
  return path[0] != '/' && strchr (path, '=') == NULL;
}

int
husk_cgroup_dirs (const char *path, char ***dirs, struct husk_error **err)
{
  __attribute__ ((cleanup (husk_cgroup_freep))) struct husk_cgroup *cg = NULL;
  size_t n = 0;

  if (path == NULL || *path == '\0')
    return husk_error_set (err, EINVAL, "cgroup: empty path");
  if (resolve (path, &cg, err) < 0)
    return -1;
  *dirs = calloc (cg->hiers_len + 2, sizeof (char *));
  if (*dirs == NULL)
    return husk_error_set (err, ENOMEM, "cgroup path");
  for (size_t i = 0; i < cg->hiers_len; i++)
    (*dirs)[n++] = steal_pointer (&cg->hiers[i].dir);
  if (cg->dir)
    (*dirs)[n++] = steal_pointer (&cg->dir);
  return 0;
}

/* The handle of a unit husk_cgroup_create_systemd started: its cgroup is
 * where the unit's path puts it. */
static int
open_systemd (const char *spec, struct husk_cgroup **out, struct husk_error **err)
{
  __attribute__ ((cleanup (husk_cgroup_freep))) struct husk_cgroup *cg = NULL;
  if (handle_new (&cg, err) < 0)
    return -1;
  if ((cg->sd = calloc (1, sizeof *cg->sd)) == NULL || (cg->sd->spec = strdup (spec)) == NULL)
    return husk_error_set (err, ENOMEM, "cgroup");
  cg->sd->started = true;
  if (husk_systemd_unit_parse (spec, NULL, &cg->sd->unit, err) < 0)
    return husk_error_wrap (err, "open cgroup \"%s\"", spec);
  if (cg->ops->open (cg, cg->sd->unit.path, err) < 0)
    {
      /* The cgroup goes with the unit's last process, but the unit may
       * stay, failed (an OOM kill fails a scope): the handle is still
       * what delete needs to stop and reset it; file access reports the
       * missing directory. */
      if ((*err)->errnum != ENOENT)
        return husk_error_wrap (err, "open cgroup \"%s\"", spec);
      husk_error_release (err);
    }
  *out = steal_pointer (&cg);
  return 0;
}

int
husk_cgroup_create_systemd (const char *cgroups_path, const char *id,
                            const struct oci_resources *resources, struct husk_cgroup **out,
                            struct husk_error **err)
{
  __attribute__ ((cleanup (husk_cgroup_freep))) struct husk_cgroup *cg = NULL;
  struct cg_systemd *sd;

  if (handle_new (&cg, err) < 0)
    return -1;
  if ((sd = cg->sd = calloc (1, sizeof *cg->sd)) == NULL)
    return husk_error_set (err, ENOMEM, "cgroup");
  if (husk_systemd_unit_parse (cgroups_path, id, &sd->unit, err) < 0)
    return -1;
  if (cgroups_path && *cgroups_path)
    sd->spec = strdup (cgroups_path);
  else if (asprintf (&sd->spec, ":husk:%s", id) < 0)
    sd->spec = NULL;
  if (sd->spec == NULL || asprintf (&sd->description, "husk container %s", id) < 0)
    return husk_error_set (err, ENOMEM, "cgroup");
  sd->resources = resources;
  /* now, before any process exists: without systemd there is nothing to
   * roll back */
  if (cg_sd_connect (sd, err) < 0)
    return -1;
  *out = steal_pointer (&cg);
  return 0;
}

/* The first enter of a systemd handle: the unit starts with `pid` in it,
 * then the cgroupfs side follows as runc's systemd managers do it (the
 * v1 hierarchies systemd leaves alone made and joined, every resource
 * written through the files too). */
static int
start_unit (struct husk_cgroup *cg, pid_t pid, struct husk_error **err)
{
  enum husk_cgroup_mode mode;
  if (husk_cgroup_mode (&mode, err) < 0 || cg_sd_start (cg->sd, mode, pid, err) < 0)
    return -1;
  if (cg->ops->make (cg, cg->sd->unit.path, false, err) < 0
      || (pid > 0 && cg->ops->enter (cg, pid, err) < 0)
      || cg->ops->apply (cg, cg->sd->resources, false, err) < 0)
    {
      cleanup_error struct husk_error *e = NULL;
      if (cg_sd_stop (cg->sd, &e) < 0)
        husk_error_release (&e);
      cg->sd->started = false;
      cg->ops->unmake (cg);
      return -1;
    }
  cg->sd->resources = NULL;
  return 0;
}

int
husk_cgroup_open (const char *path, struct husk_cgroup **out, struct husk_error **err)
{
  __attribute__ ((cleanup (husk_cgroup_freep))) struct husk_cgroup *cg = NULL;
  __attribute__ ((cleanup (husk_cgroup_freep))) struct husk_cgroup *resolved = NULL;
  if (path == NULL || *path == '\0')
    return husk_error_set (err, EINVAL, "open cgroup: empty path");
  if (is_systemd_form (path))
    return open_systemd (path, out, err);
  if (is_relative (path))
    {
      if (resolve (path, &resolved, err) < 0)
        return husk_error_wrap (err, "open cgroup \"%s\"", path);
      path = resolved->path;
    }
  if (handle_new (&cg, err) < 0)
    return -1;
  if (cg->ops->open (cg, path, err) < 0)
    return husk_error_wrap (err, "open cgroup \"%s\"", path);
  *out = steal_pointer (&cg);
  return 0;
}

const char *
husk_cgroup_path (const struct husk_cgroup *cg)
{
  return cg->sd ? cg->sd->spec : cg->path;
}

const char *
husk_cgroup_dir (const struct husk_cgroup *cg, const char *controller)
{
  if (cg->hiers == NULL)
    return cg->dir;
  if (controller == NULL)
    return NULL;
  for (size_t i = 0; i < cg->hiers_len; i++)
    {
      const char *c = cg->hiers[i].controllers;
      size_t n = strlen (controller);
      for (const char *p = c; p; p = strchr (p, ','), p = p ? p + 1 : NULL)
        if (strncmp (p, controller, n) == 0 && (p[n] == ',' || p[n] == '\0'))
          return cg->hiers[i].dir;
    }
  return NULL;
}

int
husk_cgroup_start (struct husk_cgroup *cg, struct husk_error **err)
{
  if (cg->sd && !cg->sd->started)
    return start_unit (cg, 0, err);
  return 0;
}

int
husk_cgroup_enter (struct husk_cgroup *cg, pid_t pid, struct husk_error **err)
{
  if (cg->sd && !cg->sd->started)
    return start_unit (cg, pid, err);
  return cg->ops->enter (cg, pid, err);
}

int
husk_cgroup_join_fds (struct husk_cgroup *cg, int *fds, size_t cap, size_t *len,
                      struct husk_error **err)
{
  *len = 0;
  if (cg->sd && !cg->sd->started)
    return 0; /* no cgroup until the unit starts with the pid in it */
  return cg->ops->join_fds (cg, fds, cap, len, err);
}

int
husk_cgroup_join_self (const int *fds, size_t len, struct husk_error **err)
{
  /* the fds are close-on-exec: left to the execve (or the exit), a close
   * fewer per hierarchy */
  for (size_t i = 0; i < len; i++)
    if (write (fds[i], "0", 1) != 1)
      return husk_error_set (err, errno, "join the container's cgroup (write \"0\" to tasks)");
  return 0;
}

int
husk_cgroup_enter_rest (struct husk_cgroup *cg, pid_t pid, bool self_joined, bool into_cgroup,
                        struct husk_error **err)
{
  if (cg->sd && !cg->sd->started)
    return start_unit (cg, pid, err);
  return cg->ops->enter_rest (cg, pid, self_joined, into_cgroup, err);
}

bool
husk_cgroup_made (const struct husk_cgroup *cg)
{
  if (cg->sd)
    return true; /* a new transient unit: only the pid it starts with */
  if (cg->hiers_len == 0)
    return cg->created_top != NULL;
  const char *dir = cg->ops->procs_dir (cg);
  for (size_t i = 0; i < cg->hiers_len; i++)
    if (dir && cg->hiers[i].dir && strcmp (cg->hiers[i].dir, dir) == 0)
      return cg->hiers[i].created_top != NULL;
  return false;
}

int
husk_cgroup_pids (struct husk_cgroup *cg, pid_t **pids, size_t *len, struct husk_error **err)
{
  return cg_read_procs_tree (cg->ops->procs_dir (cg), pids, len, err);
}

static int
signal_each (struct husk_cgroup *cg, int signal, struct husk_error **err)
{
  cleanup_free pid_t *pids = NULL;
  size_t len = 0;
  if (husk_cgroup_pids (cg, &pids, &len, err) < 0)
    return -1;
  for (size_t i = 0; i < len; i++)
    if (kill (pids[i], signal) < 0 && errno != ESRCH)
      return husk_error_set (err, errno, "kill %d with signal %d", (int) pids[i], signal);
  return 0;
}

int
husk_cgroup_kill_all (struct husk_cgroup *cg, int signal, struct husk_error **err)
{
  bool was_frozen = false, froze = false;
  int r;


  if (signal == SIGKILL && cg->ops->kill_fast)
    {
      r = cg->ops->kill_fast (cg, err);
      if (r <= 0)
        return r;
    }
  /* Frozen, nothing in the cgroup can fork a child we would miss.  Without
   * a freezer (v1 hierarchy not mounted) we signal what we see. */
  {
    cleanup_error struct husk_error *freeze_err = NULL;
    if (cg->ops->is_frozen (cg, &was_frozen, &freeze_err) == 0 && !was_frozen)
      froze = cg->ops->freeze (cg, true, &freeze_err) == 0;
  }
  r = signal_each (cg, signal, err);
  /* A paused container stays paused, except that SIGKILL must be able to
   * act, which a frozen task cannot. */
  if (froze || (was_frozen && signal == SIGKILL))
    {
      cleanup_error struct husk_error *thaw_err = NULL;
      if (cg->ops->freeze (cg, false, &thaw_err) < 0 && r == 0)
        return husk_error_propagate (err, &thaw_err);
    }
  return r;
}

static bool
has_processes (struct husk_cgroup *cg)
{
  cleanup_free pid_t *pids = NULL;
  cleanup_error struct husk_error *e = NULL;
  size_t len = 0;
  return husk_cgroup_pids (cg, &pids, &len, &e) == 0 && len > 0;
}

/* The unit goes first (its processes killed before, so systemd has no
 * stop timeout to wait out, as runc kills before it stops the unit). */
static int
stop_unit (struct husk_cgroup *cg, struct husk_error **err)
{
  cleanup_error struct husk_error *e = NULL;
  if (has_processes (cg) && husk_cgroup_kill_all (cg, SIGKILL, &e) < 0)
    husk_error_release (&e);
  if (cg_sd_stop (cg->sd, err) < 0)
    return -1;
  cg->sd->started = false;
  return 0;
}

int
husk_cgroup_destroy (struct husk_cgroup *cg, struct husk_error **err)
{
  const struct timespec pause = { 0, 10 * 1000 * 1000 };
  if (cg->sd && !cg->sd->started)
    return 0; /* never started (or rolled back): nothing exists */
  if (cg->sd && cg->sd->started && stop_unit (cg, err) < 0)
    return -1;
  /* The rmdir first: a cgroup with processes refuses it (EBUSY) and is
   * left as it was, and the common one, empty once its init is gone, is
   * removed without listing its processes first. */
  for (int attempt = 0;; attempt++)
    {
      cleanup_error struct husk_error *e = NULL;
      if (cg->ops->remove (cg, &e) == 0)
        return 0;
      /* Killed tasks leave the cgroup asynchronously: retry for ~5s. */
      if (e->errnum != EBUSY || attempt >= 500)
        return husk_error_propagate (err, &e);
      cleanup_error struct husk_error *kill_err = NULL;
      if (has_processes (cg) && husk_cgroup_kill_all (cg, SIGKILL, &kill_err) < 0)
        husk_error_release (&kill_err); /* the next rmdir reports what matters */
      if (attempt > 0)
        nanosleep (&pause, NULL);
    }
}

void
husk_cgroup_free (struct husk_cgroup *cg)
{
  if (cg == NULL)
    return;
  for (size_t i = 0; i < cg->hiers_len; i++)
    {
      free (cg->hiers[i].controllers);
      free (cg->hiers[i].mountpoint);
      free (cg->hiers[i].inner);
      free (cg->hiers[i].dir);
      free (cg->hiers[i].created_top);
    }
  free (cg->hiers);
  free (cg->mountinfo);
  free (cg->path);
  free (cg->dir);
  free (cg->created_top);
  if (cg->dirfd >= 0)
    close (cg->dirfd);
  cg_sd_free (cg->sd);
  free (cg);
}

int
husk_cgroup_freeze (struct husk_cgroup *cg, bool frozen, struct husk_error **err)
{
  return cg->ops->freeze (cg, frozen, err);
}

int
husk_cgroup_is_frozen (struct husk_cgroup *cg, bool *frozen, struct husk_error **err)
{
  return cg->ops->is_frozen (cg, frozen, err);
}

int
husk_cgroup_update (struct husk_cgroup *cg, const struct oci_resources *resources,
                    struct husk_error **err)
{
  enum husk_cgroup_mode mode;
  if (resources == NULL)
    return 0;
  if (cg->sd
      && (husk_cgroup_mode (&mode, err) < 0 || cg_sd_set (cg->sd, mode, resources, err) < 0))
    return -1;
  return cg->ops->apply (cg, resources, true, err);
}

int
husk_cgroup_oom_fd (struct husk_cgroup *cg, int *fd, struct husk_error **err)
{
  return cg->ops->oom_fd (cg, fd, err);
}

int
husk_cgroup_oom_count (struct husk_cgroup *cg, uint64_t *count, struct husk_error **err)
{
  return cg->ops->oom_count (cg, count, err);
}

int
husk_cgroup_dirfd (struct husk_cgroup *cg)
{
  return cg->dirfd;
}

const char *
husk_cgroup_mountinfo (const struct husk_cgroup *cg)
{
  return cg->mountinfo;
}
