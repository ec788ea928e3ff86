/* The sandbox's environment, ids and directory layout. */
#include "pod_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "pod_util.h"

/* `name` next to the running binary, or in the build tree's `rel` dir. */
static char *
find_near_self (const char *name, const char *rel)
{
  char self[PATH_MAX];
  ssize_t n = readlink ("/proc/self/exe", self, sizeof self - 1);

  if (n <= 0)
    return NULL;
  self[n] = '\0';
  char *dir = dirname (self);
  char *p = pod_path ("%s/%s", dir, name);
  if (p && access (p, X_OK) == 0)
    return p;
  free (p);
  p = pod_path ("%s/../../%s/%s", dir, rel, name);
  if (p && access (p, X_OK) == 0)
    return p;
  free (p);
  p = pod_path ("%s/../%s/%s", dir, rel + strlen ("sandbox/") * (strncmp (rel, "sandbox/", 8) == 0),
                name);
  if (p && access (p, X_OK) == 0)
    return p;
  free (p);
  return NULL;
}

static char *
find_in_path (const char *name)
{
  const char *path = getenv ("PATH");
  cleanup_free char *copy = strdup (path ? path : "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");

  for (char *save = NULL, *d = copy ? strtok_r (copy, ":", &save) : NULL; d;
       d = strtok_r (NULL, ":", &save))
    {
      char *p = pod_path ("%s/%s", d, name);
      if (p && access (p, X_OK) == 0)
        return p;
      free (p);
    }
  return NULL;
}

static char *
find_program (const char *given, const char *env_var, const char *name, const char *rel)
{
  const char *e = getenv (env_var);
  char *p;

  if (given)
    return strdup (given);
  if (e && *e)
    return strchr (e, '/') ? strdup (e) : find_in_path (e);
  if ((p = find_near_self (name, rel)))
    return p;
  return find_in_path (name);
}

char *
husk_sandbox_find_runtime (const struct husk_sandbox_env *env)
{
  return find_program (env ? env->husk_binary : NULL, "HUSK_POD_RUNTIME", "husk", "runtime/cli");
}

char *
husk_pod_container_config_path (const struct husk_sandbox_env *env, const char *cid)
{
  const char *root = env && env->pods_root ? env->pods_root : HUSK_PODS_ROOT_DEFAULT;
  /* "<sandbox id>-<name>-<attempt>": a path component, never a path */
  if (!cid || strlen (cid) < 34 || strspn (cid, "0123456789abcdef") != 32 || cid[32] != '-'
      || strchr (cid, '/'))
    return NULL;
  return pod_path ("%s/%.32s/containers/%s/bundle/config.json", root, cid, cid);
}

static char *
dup_or (const char *v, const char *def)
{
  return v ? strdup (v) : def ? strdup (def) : NULL;
}

int
pod_env_resolve (const struct husk_sandbox_env *in, struct pod_env *out, struct husk_error **err)
{
  static const struct husk_sandbox_env none = { 0 };
  if (in == NULL)
    in = &none;
  memset (out, 0, sizeof *out);
  out->pods_root = dup_or (in->pods_root, HUSK_PODS_ROOT_DEFAULT);
  out->runtime_root = dup_or (in->runtime_root, HUSK_POD_RUNTIME_ROOT_DEFAULT);
  out->image_store = dup_or (in->image_store, HUSK_IMAGE_STORE_DEFAULT);
  out->cni_bin_dir = dup_or (in->cni_bin_dir, "/usr/lib/cni");
  out->cni_conf_dir = dup_or (in->cni_conf_dir, NULL);
  out->cgroup_parent = dup_or (in->cgroup_parent, in->systemd_cgroup ? "-.slice" : "/husk");
  out->systemd_cgroup = in->systemd_cgroup;
  out->pod_cgroup = dup_or (in->pod_cgroup, NULL);
  out->resolv_conf = dup_or (in->resolv_conf, NULL);
  out->log_max_bytes = in->log_max_bytes ? in->log_max_bytes : HUSK_POD_LOG_MAX_DEFAULT;
  out->runtime = husk_sandbox_find_runtime (in);
  out->holder = find_program (in->holder_binary, "HUSK_POD_HOLDER", "husk-pod-holder",
                              "sandbox/holder");
  if (out->runtime == NULL)
    return husk_error_set (err, ENOENT, "no runtime binary (set HUSK_POD_RUNTIME)");
  if (out->holder == NULL)
    return husk_error_set (err, ENOENT, "no husk-pod-holder binary (set HUSK_POD_HOLDER)");
  if (!out->pods_root || !out->runtime_root || !out->image_store || !out->cni_bin_dir
      || !out->cgroup_parent)
    return husk_error_set (err, ENOMEM, "sandbox environment");
  return 0;
}

void
pod_env_clear (struct pod_env *env)
{
  free (env->pods_root);
  free (env->runtime_root);
  free (env->runtime);
  free (env->holder);
  free (env->cni_conf_dir);
  free (env->cni_bin_dir);
  free (env->image_store);
  free (env->cgroup_parent);
  free (env->pod_cgroup);
  free (env->resolv_conf);
  memset (env, 0, sizeof *env);
}

int
pod_check_sandbox_id (const char *id, struct husk_error **err)
{
  size_t n = id ? strlen (id) : 0;
  if (n != 32 || strspn (id, "0123456789abcdef") != 32)
    return husk_error_set (err, EINVAL, "`%s` is not a sandbox id (32 hex characters)",
                           id ? id : "");
  return 0;
}

int
pod_split_container_id (const char *cid, char sandbox_id[33], char **name, unsigned *attempt,
                        struct husk_error **err)
{
  const char *dash = cid ? strrchr (cid, '-') : NULL;
  char *end;

  if (cid == NULL || strlen (cid) < 36 || cid[32] != '-' || dash == NULL || dash <= cid + 33
      || strchr (cid, '/') || dash[1] == '\0')
    return husk_error_set (err, EINVAL, "`%s` is not a pod container id", cid ? cid : "");
  memcpy (sandbox_id, cid, 32);
  sandbox_id[32] = '\0';
  if (pod_check_sandbox_id (sandbox_id, err) < 0)
    return -1;
  unsigned long a = strtoul (dash + 1, &end, 10);
  if (*end != '\0' || a > UINT_MAX)
    return husk_error_set (err, EINVAL, "`%s` is not a pod container id", cid);
  if (attempt)
    *attempt = a;
  if (name && (*name = strndup (cid + 33, dash - (cid + 33))) == NULL)
    return husk_error_set (err, ENOMEM, "container id");
  return 0;
}

char *
pod_sandbox_dir (const struct pod_env *env, const char *sandbox_id)
{
  return pod_path ("%s/%s", env->pods_root, sandbox_id);
}

char *
pod_container_dir (const struct pod_env *env, const char *cid)
{
  return pod_path ("%s/%.32s/containers/%s", env->pods_root, cid, cid);
}

int
pod_lock (const struct pod_env *env, const char *sandbox_id, int *fd, struct husk_error **err)
{
  cleanup_free char *path = pod_path ("%s/%s/lock", env->pods_root, sandbox_id);
  cleanup_close int lfd = -1;

  if (path == NULL)
    return husk_error_set (err, ENOMEM, "lock");
  lfd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lfd < 0)
    return husk_error_set (err, errno, "sandbox `%s`", sandbox_id);
  if (flock (lfd, LOCK_EX) < 0)
    return husk_error_set (err, errno, "lock `%s`", path);
  *fd = steal_fd (&lfd);
  return 0;
}

int
pod_load_spec (const struct pod_env *env, const char *sandbox_id, struct pod_spec **out,
               struct husk_error **err)
{
  cleanup_free char *path = pod_path ("%s/%s/pod.json", env->pods_root, sandbox_id);
  cleanup_free char *data = NULL;
  size_t len;

  if (path == NULL)
    return husk_error_set (err, ENOMEM, "pod.json");
  if (pod_read_file (path, &data, &len, err) < 0)
    return husk_error_wrap (err, "sandbox `%s`", sandbox_id);
  return pod_spec_parse (path, data, len, out, err);
}

static pid_t
read_pid (const struct pod_env *env, const char *sandbox_id, const char *file)
{
  cleanup_free char *path = pod_path ("%s/%s/%s", env->pods_root, sandbox_id, file);
  cleanup_free char *data = NULL;
  struct husk_error *e = NULL;
  char link[64], target[256];

  if (path == NULL || pod_read_file (path, &data, NULL, &e) < 0)
    {
      husk_error_release (&e);
      return 0;
    }
  pid_t pid = atoi (data);
  /* A recycled pid is not our holder: check the name it gave itself; a
   * zombie is not alive either. */
  snprintf (link, sizeof link, "/proc/%d/stat", (int) pid);
  cleanup_close int fd = pid > 0 ? open (link, O_RDONLY | O_CLOEXEC) : -1;
  ssize_t n = fd >= 0 ? read (fd, target, sizeof target - 1) : -1;
  if (n <= 0)
    return 0;
  target[n] = '\0';
  const char *close_paren = strrchr (target, ')');
  if (strstr (target, "(husk:[") == NULL || close_paren == NULL || close_paren[1] == '\0'
      || close_paren[2] == 'Z' || close_paren[2] == 'X')
    return 0;
  return pid;
}

pid_t
pod_holder_pid (const struct pod_env *env, const char *sandbox_id)
{
  return read_pid (env, sandbox_id, "holder.pid");
}

pid_t
pod_holder_pid1 (const struct pod_env *env, const char *sandbox_id)
{
  return read_pid (env, sandbox_id, "pid1.pid");
}
