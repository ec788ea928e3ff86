/* The pod's cgroup: the parent of its containers' cgroups, placed by QoS
 * class as the kubelet places it (pod_cgroup_place.c), limited as the
 * kubelet limits a pod: memory to the sum of the containers' limits when
 * every container has one, cpu shares to the sum of their requests.
 *
 * Where it went is written down in <pod dir>/cgroup when it is made, so
 * every later call (a container's cgroupsPath, the OOM count, the removal)
 * finds it there whatever the daemon's flags say by then.  The levels
 * between the cgroup parent and the pod (kubepods, its QoS level, or their
 * slices) are shared by pods: made with the first, removed with the last,
 * under one lock per pods root so that no pod is made in a level another
 * pod's removal is taking away. */
#include "pod_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "../../runtime/cgroup/cgroup.h"
#include "../../runtime/cgroup/systemd/unit_name.h"
#include "pod_util.h"

static void
pod_limits (const struct pod_spec *pod, struct oci_memory *mem, struct oci_cpu *cpu)
{
  bool all_limited = true;
  int64_t memory = 0, shares = 0;

  for (size_t i = 0; i < pod->containers_len; i++)
    {
      const struct pod_resources *r = &pod->containers[i].resources;
      all_limited &= r->limits_memory.set;
      memory += r->limits_memory.set ? r->limits_memory.value : 0;
      shares += pod_cpu_shares (r);
    }
  if (all_limited && memory > 0)
    mem->limit = (oci_opt_i64) { true, memory };
  if (shares > 0)
    cpu->shares = (oci_opt_u64) { true, shares < 2 ? 2 : (uint64_t) shares };
}

static char *
record_path (const struct pod_env *env, const char *sandbox_id)
{
  return pod_path ("%s/%s/cgroup", env->pods_root, sandbox_id);
}

int
pod_cgroup_load (const struct pod_env *env, const char *sandbox_id, struct pod_cgroup *out,
                 struct husk_error **err)
{
  cleanup_free char *path = record_path (env, sandbox_id), *text = NULL, *driver = NULL,
                    *made = NULL;
  cleanup_error struct husk_error *e = NULL;
  size_t len;

  memset (out, 0, sizeof *out);
  if (path == NULL)
    return husk_error_set (err, ENOMEM, "pod cgroup");
  if (pod_read_file (path, &text, &len, &e) < 0)
    {
      if (e->errnum != ENOENT)
        return husk_error_propagate (err, &e);
      /* a pod made before the record existed: <parent>/pod_<id> */
      out->path = pod_path ("%s/pod_%s", env->cgroup_parent, sandbox_id);
      out->keep = strdup (env->cgroup_parent);
      out->made = true;
      return out->path && out->keep ? 0 : husk_error_set (err, ENOMEM, "pod cgroup");
    }
  driver = pod_kv_get (text, "driver");
  made = pod_kv_get (text, "made");
  out->path = pod_kv_get (text, "path");
  out->keep = pod_kv_get (text, "keep");
  out->systemd = driver && strcmp (driver, "systemd") == 0;
  out->made = made && strcmp (made, "1") == 0;
  if (out->path == NULL || out->keep == NULL)
    {
      pod_cgroup_clear (out);
      return husk_error_set (err, EINVAL, "`%s`: no path or keep line", path);
    }
  return 0;
}

static int
record (const struct pod_env *env, const char *sandbox_id, const struct pod_cgroup *cg,
        struct husk_error **err)
{
  cleanup_free char *path = record_path (env, sandbox_id);
  cleanup_free char *text = pod_path ("driver=%s\npath=%s\nkeep=%s\nmade=%d\n",
                                      cg->systemd ? "systemd" : "cgroupfs", cg->path, cg->keep,
                                      cg->made ? 1 : 0);
  if (path == NULL || text == NULL)
    return husk_error_set (err, ENOMEM, "pod cgroup");
  return pod_write_file_atomic (path, text, strlen (text), 0600, err);
}

/* flock on the pods root directory itself (no file left behind). */
static int
levels_lock (const struct pod_env *env, struct husk_error **err)
{
  int fd = open (env->pods_root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return husk_error_set (err, errno, "open `%s`", env->pods_root);
  if (flock (fd, LOCK_EX) < 0)
    {
      int saved = errno;
      close (fd);
      return husk_error_set (err, saved, "lock `%s`", env->pods_root);
    }
  return fd;
}

/* The handle string of a cgroup: the path, or for a slice
 * "<parent slice>::<slice>". */
static char *
handle_spec (bool systemd, const char *path)
{
  cleanup_free char *parent = NULL;
  if (!systemd)
    return strdup (path);
  if ((parent = pod_cgroup_parent_slice (path)) == NULL)
    return NULL;
  return pod_path ("%s::%s", parent, path);
}

/* The directories of one level in every hierarchy: those the cgroup
 * library resolves, and for an absolute path whatever hierarchy mounted
 * under /sys/fs/cgroup has it (runc also makes the cgroup2 one of a hybrid
 * host; systemd leaves some v1 hierarchies to the runtime). */
static char **
level_dirs (bool systemd, const char *path)
{
  cleanup_free char *expanded = NULL;
  cleanup_error struct husk_error *e = NULL;
  char **dirs = NULL;
  size_t n = 0;
  glob_t g;

  if (systemd && husk_systemd_expand_slice (path, &expanded, &e) < 0)
    return NULL;
  path = systemd ? expanded : path;
  if (husk_cgroup_dirs (path, &dirs, &e) < 0)
    dirs = NULL; /* no cgroups here: nothing was made either */
  while (dirs && dirs[n])
    n++;
  cleanup_free char *pattern = pod_path ("%s/*%s", HUSK_CGROUP_ROOT, path);
  if (path[0] != '/' || pattern == NULL || glob (pattern, GLOB_ONLYDIR, NULL, &g) != 0)
    return dirs;
  for (size_t i = 0; i < g.gl_pathc; i++)
    {
      char **grown = realloc (dirs, (n + 2) * sizeof *dirs);
      if (grown == NULL)
        break;
      dirs = grown;
      dirs[n++] = strdup (g.gl_pathv[i]);
      dirs[n] = NULL;
    }
  globfree (&g);
  return dirs;
}

static bool
exists_anywhere (bool systemd, const char *path)
{
  cleanup_strv char **dirs = level_dirs (systemd, path);
  struct stat st;
  for (size_t i = 0; dirs && dirs[i]; i++)
    if (dirs[i][0] && stat (dirs[i], &st) == 0)
      return true;
  return false;
}

static bool
has_children (char **dirs)
{
  for (size_t i = 0; dirs && dirs[i]; i++)
    {
      cleanup_dir DIR *d = dirs[i][0] ? opendir (dirs[i]) : NULL;
      struct dirent *de;
      while (d && (de = readdir (d)) != NULL)
        if (de->d_type == DT_DIR && strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
          return true;
    }
  return false;
}

/* Removes one level when no cgroup is left in it: a slice is stopped
 * (which would stop all it holds: hence the check first), then every
 * directory of it goes.  What is busy stays. */
static void
remove_level (bool systemd, const char *path)
{
  cleanup_strv char **dirs = level_dirs (systemd, path);
  if (has_children (dirs))
    return;
  if (systemd)
    {
      cleanup_free char *spec = handle_spec (true, path);
      cleanup_error struct husk_error *e = NULL;
      struct husk_cgroup *cg = NULL;
      if (spec && husk_cgroup_open (spec, &cg, &e) == 0)
        {
          husk_cgroup_destroy (cg, &e);
          husk_cgroup_free (cg);
        }
    }
  for (size_t i = 0; dirs && dirs[i]; i++)
    if (dirs[i][0])
      rmdir (dirs[i]);
}

/* The level above `path` (a directory's parent, a slice's parent slice),
 * NULL at the top. */
static char *
level_above (bool systemd, const char *path)
{
  const char *slash;
  if (systemd)
    return strcmp (path, "-.slice") == 0 ? NULL : pod_cgroup_parent_slice (path);
  slash = strrchr (path, '/');
  if (slash == NULL || slash == path)
    return NULL;
  return strndup (path, (size_t) (slash - path));
}

/* The shared levels between the pod and what is kept, innermost first. */
static void
remove_levels (const struct pod_cgroup *cg)
{
  cleanup_free char *level = level_above (cg->systemd, cg->path);
  while (level && strcmp (level, cg->keep) != 0 && strlen (level) > strlen (cg->keep))
    {
      char *up;
      remove_level (cg->systemd, level);
      up = level_above (cg->systemd, level);
      free (level);
      level = up;
    }
}

static int
make (const struct pod_env *env, const struct pod_spec *pod, const char *sandbox_id,
      struct pod_cgroup *place, struct husk_error **err)
{
  cleanup_free char *spec = handle_spec (place->systemd, place->path);
  struct oci_memory mem = { 0 };
  struct oci_cpu cpu = { 0 };
  struct oci_resources res = { .memory = &mem, .cpu = &cpu };
  struct husk_cgroup *cg = NULL;
  int ret;

  if (spec == NULL)
    return husk_error_set (err, ENOMEM, "pod cgroup");
  pod_limits (pod, &mem, &cpu);
  place->made = !exists_anywhere (place->systemd, place->path);
  ret = place->systemd ? husk_cgroup_create_systemd (spec, sandbox_id, &res, &cg, err)
                       : husk_cgroup_create (spec, sandbox_id, &res, &cg, err);
  if (ret == 0 && place->systemd && place->made)
    ret = husk_cgroup_start (cg, err);
  if (ret == 0 && record (env, sandbox_id, place, err) < 0)
    {
      cleanup_error struct husk_error *e = NULL;
      if (place->made)
        husk_cgroup_destroy (cg, &e);
      ret = -1;
    }
  husk_cgroup_free (cg);
  if (ret < 0)
    remove_levels (place);
  return ret < 0 ? husk_error_wrap (err, "pod cgroup `%s`", place->path) : 0;
}

int
pod_cgroup_create (const struct pod_env *env, const struct pod_spec *pod, const char *sandbox_id,
                   struct husk_error **err)
{
  struct pod_cgroup place __attribute__ ((cleanup (pod_cgroup_clear))) = { 0 };
  cleanup_close int lock = -1;

  if (pod_cgroup_place (env, pod, sandbox_id, env->pod_cgroup, &place, err) < 0
      || (lock = levels_lock (env, err)) < 0)
    return -1;
  return make (env, pod, sandbox_id, &place, err);
}

static int
destroy_pod_level (const struct pod_cgroup *cg, struct husk_error **err)
{
  cleanup_free char *spec = handle_spec (cg->systemd, cg->path);
  cleanup_strv char **dirs = NULL;
  struct husk_error *open_err = NULL;
  struct husk_cgroup *h = NULL;
  int ret;

  if (spec == NULL)
    return husk_error_set (err, ENOMEM, "pod cgroup");
  if (husk_cgroup_open (spec, &h, &open_err) < 0)
    {
      if (open_err->errnum != ENOENT)
        return husk_error_propagate (err, &open_err);
      husk_error_release (&open_err);
    }
  else
    {
      ret = husk_cgroup_destroy (h, err);
      husk_cgroup_free (h);
      if (ret < 0)
        return husk_error_wrap (err, "pod cgroup `%s`", cg->path);
    }
  /* what another runtime or systemd left in hierarchies husk does not
   * manage (runc's cgroup2 directory on a hybrid host) */
  dirs = level_dirs (cg->systemd, cg->path);
  for (size_t i = 0; dirs && dirs[i]; i++)
    if (dirs[i][0] && rmdir (dirs[i]) < 0 && errno != ENOENT)
      return husk_error_set (err, errno, "rmdir `%s`", dirs[i]);
  return 0;
}

int
pod_cgroup_destroy (const struct pod_env *env, const char *sandbox_id, struct husk_error **err)
{
  struct pod_cgroup cg __attribute__ ((cleanup (pod_cgroup_clear))) = { 0 };
  cleanup_free char *rec = record_path (env, sandbox_id);
  cleanup_close int lock = -1;

  if (rec == NULL)
    return husk_error_set (err, ENOMEM, "pod cgroup");
  if (pod_cgroup_load (env, sandbox_id, &cg, err) < 0 || (lock = levels_lock (env, err)) < 0)
    return -1;
  if (cg.made && destroy_pod_level (&cg, err) < 0)
    return -1;
  remove_levels (&cg);
  if (unlink (rec) < 0 && errno != ENOENT)
    return husk_error_set (err, errno, "unlink `%s`", rec);
  return 0;
}
