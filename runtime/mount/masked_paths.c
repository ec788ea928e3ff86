/* linux.maskedPaths, linux.readonlyPaths and a read-only root, applied
 * after pivot_root against the container's own "/".  Paths the image or
 * kernel lacks are skipped, as every runtime does.  A mask is one mount(2)
 * on the /proc/self/fd name of the path's fd, as runc does, where the
 * container has a /proc; without one, the new mount API, so nothing here
 * depends on a /proc being mounted. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "rootfs_internal.h"
#include "safe_path.h"

/* 1 with *fd open, 0 when `path` does not exist, -1 on error. */
static int
open_existing (int root_fd, const char *path, int flags, int *fd, struct husk_error **err)
{
  *fd = husk_safe_openat2 (root_fd, path, flags);
  if (*fd >= 0)
    return 1;
  if (errno == ENOENT)
    return 0;
  return husk_error_set (err, errno, "open \"%s\" in the rootfs", path);
}

/* /dev/null of the container, checked to be the real one: a container
 * that replaced it by a symlink or a file could otherwise choose what gets
 * bound over the masked paths (CVE-2025-31133). */
static int
open_dev_null (int root_fd, struct husk_error **err)
{
  struct stat st;
  cleanup_close int fd = husk_safe_open (root_fd, "/dev/null", O_PATH | O_NOFOLLOW, err);
  if (fd < 0)
    return -1;
  if (fstat (fd, &st) < 0)
    return husk_error_set (err, errno, "stat \"/dev/null\"");
  if (!S_ISCHR (st.st_mode) || major (st.st_rdev) != 1 || minor (st.st_rdev) != 3)
    return husk_error_set (err, EPERM, "\"/dev/null\" is not the null device (1:3)");
  return steal_fd (&fd);
}

/* What the masks of one config share: /dev/null, opened and checked once
 * for all the files, and whether /proc/self/fd names work here. */
struct masks {
  int root_fd;
  int null_fd;
  bool no_proc_fd;
};

/* mount(2) on target_fd's /proc/self/fd name: 1 done, 0 when the
 * container has no /proc (ENOENT: the caller uses the new mount API),
 * -1 on error. */
static int
mount_by_proc_fd (struct masks *k, const char *source, int target_fd, const char *path,
                  const char *type, unsigned long flags, struct husk_error **err)
{
  cleanup_error struct husk_error *e = NULL;
  char target[HUSK_FD_PATH_SIZE];

  if (k->no_proc_fd)
    return 0;
  if (husk_mount (source, husk_fd_path (target_fd, target), path, type, flags, NULL, &e) == 0)
    return 1;
  if (e->errnum != ENOENT)
    return husk_error_propagate (err, &e);
  k->no_proc_fd = true;
  return 0;
}

/* A directory is masked by an empty read-only tmpfs. */
static int
mask_dir (struct masks *k, int fd, const char *path, struct husk_error **err)
{
  int r = mount_by_proc_fd (k, "tmpfs", fd, path, "tmpfs", MS_RDONLY, err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  cleanup_close int fs = fsopen ("tmpfs", FSOPEN_CLOEXEC);
  if (fs < 0)
    return husk_error_set (err, errno, "fsopen tmpfs to mask \"%s\"", path);
  if (fsconfig (fs, FSCONFIG_SET_STRING, "source", "tmpfs", 0) < 0
      || fsconfig (fs, FSCONFIG_SET_FLAG, "ro", NULL, 0) < 0
      || fsconfig (fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return husk_error_set (err, errno, "create a tmpfs to mask \"%s\"", path);
  cleanup_close int mnt = fsmount (fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY);
  if (mnt < 0)
    return husk_error_set (err, errno, "fsmount a tmpfs to mask \"%s\"", path);
  return husk_mount_move (mnt, "tmpfs", fd, path, err);
}

/* A file is masked by a bind of /dev/null. */
static int
mask_file (struct masks *k, int fd, const char *path, struct husk_error **err)
{
  char null_path[HUSK_FD_PATH_SIZE];
  if (k->null_fd < 0 && (k->null_fd = open_dev_null (k->root_fd, err)) < 0)
    return -1;
  int r = mount_by_proc_fd (k, husk_fd_path (k->null_fd, null_path), fd, path, NULL, MS_BIND,
                            err);
  if (r != 0)
    return r < 0 ? -1 : 0;
  return husk_mount_bind_fd (k->null_fd, "/dev/null", fd, path, false, err);
}

/* The path itself, never what a symlink there names: an image that made
 * a masked path a symlink would otherwise choose what gets hidden. */
static int
mask_one (struct masks *k, const char *path, struct husk_error **err)
{
  struct stat st;
  cleanup_close int fd = -1;
  int r = open_existing (k->root_fd, path, O_PATH | O_NOFOLLOW, &fd, err);
  if (r <= 0)
    return r;
  if (fstat (fd, &st) < 0)
    return husk_error_set (err, errno, "stat \"%s\"", path);
  if (S_ISLNK (st.st_mode))
    return husk_error_set (err, ELOOP, "\"%s\" is a symlink: not masked through it", path);
  if (S_ISDIR (st.st_mode))
    return mask_dir (k, fd, path, err);
  return mask_file (k, fd, path, err);
}

int
husk_masked_paths_apply (int root_fd, char *const *paths, size_t len, struct husk_error **err)
{
  struct masks k = { .root_fd = root_fd, .null_fd = -1 };
  int r = 0;

  for (size_t i = 0; i < len && r == 0; i++)
    if (mask_one (&k, paths[i], err) < 0)
      r = husk_error_wrap (err, "linux.maskedPaths[%zu]", i);
  if (k.null_fd >= 0)
    close (k.null_fd);
  return r;
}

/* runc's way, where the new mount API is missing: bind, then remount. */
static int
readonly_by_proc_fd (int root_fd, int fd, const char *path, struct husk_error **err)
{
  if (husk_mount_bind_fd (fd, path, fd, path, true, err) < 0)
    return -1;
  cleanup_close int mounted = husk_safe_open (root_fd, path, O_PATH, err);
  if (mounted < 0)
    return -1;
  return husk_mount_remount_bind (mounted, path, MS_RDONLY, err);
}

/* A recursive bind of the path onto itself, made read-only while still
 * detached so it is never visible writable. */
static int
readonly_one (int root_fd, const char *path, struct husk_error **err)
{
  cleanup_close int fd = -1;
  int r = open_existing (root_fd, path, O_PATH, &fd, err);
  if (r <= 0)
    return r;
  cleanup_error struct husk_error *clone_err = NULL;
  cleanup_close int tree = husk_mount_clone (fd, path, true, &clone_err);
  if (tree < 0 && clone_err->errnum == ENOSYS)
    return readonly_by_proc_fd (root_fd, fd, path, err);
  if (tree < 0)
    return husk_error_propagate (err, &clone_err);
  if (husk_mount_setattr (tree, path, true, MOUNT_ATTR_RDONLY, 0, err) < 0)
    return -1;
  return husk_mount_move (tree, path, fd, path, err);
}

int
husk_readonly_paths_apply (int root_fd, char *const *paths, size_t len, struct husk_error **err)
{
  for (size_t i = 0; i < len; i++)
    if (readonly_one (root_fd, paths[i], err) < 0)
      return husk_error_wrap (err, "linux.readonlyPaths[%zu]", i);
  return 0;
}

/* root.readonly: a remount keeps the flags "/" already has (a user
 * namespace may not drop the locked ones). */
int
husk_readonly_root (struct husk_error **err)
{
  cleanup_close int fd = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0)
    return husk_error_set (err, errno, "open \"/\"");
  unsigned long flags = husk_mount_flags_of (fd) | MS_RDONLY | MS_REMOUNT | MS_BIND;
  return husk_mount ("/", "/", "/", NULL, flags, NULL, err);
}
