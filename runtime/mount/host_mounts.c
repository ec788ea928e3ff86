/* A container without a mount namespace of its own mounts into the
 * runtime's mount table, as runc and crun do; unlike them, husk takes the
 * mounts away again when the container is deleted, so nothing is left on
 * the host.  Each target is resolved inside the rootfs as when it was
 * mounted; "/" (the rootfs itself, maybe a snapshot mount) is never
 * touched. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "rootfs.h"
#include "safe_path.h"

static bool
names_root (const char *path)
{
  return path == NULL || path[strspn (path, "/.")] == '\0';
}

/* 0 when detached or nothing is mounted there, -1 on an error. */
static int
undo_one (int root_fd, const char *destination, struct husk_error **err)
{
  char fd_path[HUSK_FD_PATH_SIZE];
  if (names_root (destination))
    return 0;
  cleanup_close int fd = husk_safe_openat2 (root_fd, destination, O_PATH);
  if (fd < 0)
    return 0; /* gone with its parent */
  if (umount2 (husk_fd_path (fd, fd_path), MNT_DETACH) == 0 || errno == EINVAL)
    return 0; /* EINVAL: not a mount point (a mount that failed) */
  return husk_error_set (err, errno, "unmount \"%s\" in the rootfs", destination);
}

int
husk_rootfs_host_mounts_undo (const struct oci_config *config, const char *rootfs,
                              struct husk_error **err)
{
  cleanup_close int root_fd = open (rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root_fd < 0)
    return errno == ENOENT ? 0 : husk_error_set (err, errno, "open rootfs \"%s\"", rootfs);
  for (size_t i = config->mounts_len; i-- > 0;)
    if (undo_one (root_fd, config->mounts[i].destination, err) < 0)
      return -1;
  return 0;
}
