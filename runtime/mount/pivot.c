/* Making the rootfs the root.  pivot_root(".", ".") is runc's trick: it
 * needs no directory for the old root inside the new one; the old root is
 * then stacked on "." and unmounted lazily, after being made rslave so the
 * unmount cannot propagate back to the host's mounts. */
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "rootfs_internal.h"

static int
pivot (const char *rootfs, struct husk_error **err)
{
  cleanup_close int old_root = open ("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (old_root < 0)
    return husk_error_set (err, errno, "open \"/\"");
  cleanup_close int new_root = open (rootfs, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
  if (new_root < 0)
    return husk_error_set (err, errno, "open rootfs \"%s\"", rootfs);
  if (fchdir (new_root) < 0)
    return husk_error_set (err, errno, "chdir to rootfs \"%s\"", rootfs);
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    return husk_error_set (err, errno, "pivot_root \"%s\"", rootfs);
  if (fchdir (old_root) < 0)
    return husk_error_set (err, errno, "chdir to the old root");
  if (husk_mount (NULL, ".", "old root", NULL, MS_SLAVE | MS_REC, NULL, err) < 0)
    return -1;
  if (umount2 (".", MNT_DETACH) < 0)
    return husk_error_set (err, errno, "unmount the old root");
  return 0;
}

/* --no-pivot, for a root that cannot be pivoted (initramfs): the old root
 * stays reachable from the mount table, only chroot hides it. */
static int
move_root (const char *rootfs, struct husk_error **err)
{
  if (chdir (rootfs) < 0)
    return husk_error_set (err, errno, "chdir to rootfs \"%s\"", rootfs);
  if (husk_mount (rootfs, "/", NULL, NULL, MS_MOVE, NULL, err) < 0)
    return -1;
  if (chroot (".") < 0)
    return husk_error_set (err, errno, "chroot \"%s\"", rootfs);
  return 0;
}

int
husk_pivot_root (const char *rootfs, bool no_pivot, struct husk_error **err)
{
  if ((no_pivot ? move_root (rootfs, err) : pivot (rootfs, err)) < 0)
    return -1;
  if (chdir ("/") < 0)
    return husk_error_set (err, errno, "chdir \"/\"");
  return 0;
}

int
husk_chroot_root (const char *rootfs, struct husk_error **err)
{
  if (chroot (rootfs) < 0)
    return husk_error_set (err, errno, "chroot \"%s\"", rootfs);
  if (chdir ("/") < 0)
    return husk_error_set (err, errno, "chdir \"/\"");
  return 0;
}
