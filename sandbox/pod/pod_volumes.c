/* The pod's volumes: emptyDir (a directory, or a tmpfs for medium Memory)
 * and hostPath with Kubernetes' type checks, plus the pod's shared /dev/shm.
 * They belong to the pod, not to a container: made when the pod is run,
 * bind-mounted into containers, removed with the pod. */
#include "pod_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "pod_util.h"

#define POD_SHM_SIZE "size=65536k"

static int
mount_tmpfs (const char *target, const char *options, struct husk_error **err)
{
  if (mount ("tmpfs", target, "tmpfs", MS_NOSUID | MS_NODEV, options) < 0)
    return husk_error_set (err, errno, "mount tmpfs on `%s` (%s)", target, options);
  return 0;
}

static int
check_host_path (const struct pod_volume *vol, struct husk_error **err)
{
  struct stat st;
  enum pod_host_path_type t = vol->host_path_type;
  const char *p = vol->host_path;

  if (t == POD_HOST_PATH_DIRECTORY_OR_CREATE)
    return pod_mkdir_p (p, 0755, err);
  if (t == POD_HOST_PATH_FILE_OR_CREATE)
    {
      int fd = open (p, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
      if (fd < 0 && errno != EISDIR)
        return husk_error_set (err, errno, "hostPath `%s` (FileOrCreate)", p);
      if (fd >= 0)
        close (fd);
      t = POD_HOST_PATH_FILE;
    }
  if (stat (p, &st) < 0)
    return t == POD_HOST_PATH_UNSET ? 0 : husk_error_set (err, errno, "hostPath `%s`", p);
  static const struct { enum pod_host_path_type t; mode_t fmt; const char *what; } want[] = {
    { POD_HOST_PATH_DIRECTORY, S_IFDIR, "a directory" },
    { POD_HOST_PATH_FILE, S_IFREG, "a file" },
    { POD_HOST_PATH_SOCKET, S_IFSOCK, "a socket" },
    { POD_HOST_PATH_CHAR_DEVICE, S_IFCHR, "a character device" },
    { POD_HOST_PATH_BLOCK_DEVICE, S_IFBLK, "a block device" },
  };
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
    if (want[i].t == t && (st.st_mode & S_IFMT) != want[i].fmt)
      return husk_error_set (err, ENOTDIR, "hostPath `%s` is not %s", p, want[i].what);
  return 0;
}

static int
setup_volume (const char *vdir, const struct pod_volume *vol, struct husk_error **err)
{
  cleanup_free char *path = pod_path ("%s/%s", vdir, vol->name);

  if (path == NULL)
    return husk_error_set (err, ENOMEM, "volume");
  if (vol->kind == POD_VOLUME_HOST_PATH)
    return check_host_path (vol, err);
  if (mkdir (path, 0777) < 0)
    return husk_error_set (err, errno, "mkdir `%s`", path);
  /* Kubernetes makes emptyDirs world-writable so any runAsUser can use them. */
  chmod (path, 0777);
  if (!vol->memory)
    return 0;
  char opts[64] = "mode=0777";
  if (vol->size_limit.set)
    snprintf (opts, sizeof opts, "mode=0777,size=%lld", (long long) vol->size_limit.value);
  return mount_tmpfs (path, opts, err);
}

int
pod_volumes_setup (const struct pod_env *env, const struct pod_spec *pod, const char *sandbox_id,
                   struct husk_error **err)
{
  cleanup_free char *dir = pod_sandbox_dir (env, sandbox_id);
  cleanup_free char *vdir = pod_path ("%s/volumes", dir ? dir : "");
  cleanup_free char *shm = pod_path ("%s/shm", dir ? dir : "");

  if (dir == NULL || vdir == NULL || shm == NULL)
    return husk_error_set (err, ENOMEM, "volumes");
  if (mkdir (vdir, 0700) < 0 || mkdir (shm, 01777) < 0)
    return husk_error_set (err, errno, "mkdir `%s`", vdir);
  if (mount_tmpfs (shm, "mode=1777," POD_SHM_SIZE, err) < 0)
    return -1;
  for (size_t i = 0; i < pod->volumes_len; i++)
    if (setup_volume (vdir, &pod->volumes[i], err) < 0)
      return husk_error_wrap (err, "spec.volumes[%zu] `%s`", i, pod->volumes[i].name);
  return 0;
}

/* EINVAL: not a mount point; ENOENT: not there. */
static int
unmount_if_mounted (const char *path, struct husk_error **err)
{
  if (umount2 (path, MNT_DETACH | UMOUNT_NOFOLLOW) < 0 && errno != EINVAL && errno != ENOENT)
    return husk_error_set (err, errno, "unmount `%s`", path);
  return 0;
}

int
pod_volumes_teardown (const struct pod_env *env, const char *sandbox_id, struct husk_error **err)
{
  cleanup_free char *dir = pod_sandbox_dir (env, sandbox_id);
  cleanup_free char *vdir = pod_path ("%s/volumes", dir ? dir : "");
  cleanup_free char *shm = pod_path ("%s/shm", dir ? dir : "");
  cleanup_dir DIR *d = NULL;

  if (dir == NULL || vdir == NULL || shm == NULL)
    return husk_error_set (err, ENOMEM, "volumes");
  if (unmount_if_mounted (shm, err) < 0)
    return -1;
  d = opendir (vdir);
  for (struct dirent *e; d && (e = readdir (d));)
    {
      if (e->d_name[0] == '.')
        continue;
      cleanup_free char *p = pod_path ("%s/%s", vdir, e->d_name);
      if (p == NULL || unmount_if_mounted (p, err) < 0)
        return p ? -1 : husk_error_set (err, ENOMEM, "volumes");
    }
  if (pod_rm_rf (vdir, err) < 0 || pod_rm_rf (shm, err) < 0)
    return -1;
  return 0;
}

/* The subPath is resolved for real (symlinks followed) and must still be
 * inside the volume: a symlink planted by a container must not point a
 * later mount at the host (CVE-2017-1002101). */
static int
resolve_sub_path (const char *root, const char *sub, char **out, struct husk_error **err)
{
  char real_root[PATH_MAX], real[PATH_MAX];
  cleanup_free char *joined = pod_path ("%s/%s", root, sub);
  size_t n;

  if (joined == NULL)
    return husk_error_set (err, ENOMEM, "subPath");
  if (realpath (root, real_root) == NULL)
    return husk_error_set (err, errno, "volume `%s`", root);
  if (access (joined, F_OK) < 0 && pod_mkdir_p (joined, 0777, err) < 0)
    return -1;
  if (realpath (joined, real) == NULL)
    return husk_error_set (err, errno, "subPath `%s`", sub);
  n = strlen (real_root);
  if (strncmp (real, real_root, n) != 0 || (real[n] != '/' && real[n] != '\0'))
    return husk_error_set (err, EPERM, "subPath `%s` resolves outside its volume", sub);
  *out = strdup (real);
  return *out ? 0 : husk_error_set (err, ENOMEM, "subPath");
}

int
pod_volume_source (const struct pod_env *env, const char *sandbox_id, const struct pod_volume *vol,
                   const struct pod_volume_mount *m, char **out, struct husk_error **err)
{
  cleanup_free char *root = vol->kind == POD_VOLUME_HOST_PATH
                                ? strdup (vol->host_path)
                                : pod_path ("%s/%s/volumes/%s", env->pods_root, sandbox_id,
                                            vol->name);
  if (root == NULL)
    return husk_error_set (err, ENOMEM, "volume");
  if (m->sub_path && m->sub_path[0])
    return resolve_sub_path (root, m->sub_path, out, err);
  *out = steal_pointer (&root);
  return 0;
}
