/* Making the rootfs the root.  pivot_root(".", ".") is runc's trick: it
 * needs no directory for the old root inside the new one; the old root is
 * then stacked on "." and unmounted lazily, after being made rslave so the
 * unmount cannot propagate back to the host's mounts. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "mountinfo.h"
#include "rootfs_internal.h"

/* The cwd is the rootfs's bind already (rootfs.c, before_pivot_root). */
static int
pivot (const char *rootfs, struct husk_error **err)
{
  cleanup_close int old_root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (old_root < 0)
    return husk_error_set (err, errno, "open \"/\"");
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

/* The full proc and sysfs mounts outside the rootfs, in the order of the
 * mount table (parents first). */
struct full_mounts {
  const char *rootfs;
  size_t rootfs_len;
  char *paths[64];
  size_t len;
};

static int
collect_full (const struct husk_mountinfo *m, void *data, struct husk_error **err)
{
  struct full_mounts *f = data;
  if (strcmp (m->root, "/") != 0
      || (strcmp (m->fstype, "proc") != 0 && strcmp (m->fstype, "sysfs") != 0))
    return 0;
  if (strncmp (m->target, f->rootfs, f->rootfs_len) == 0
      && (m->target[f->rootfs_len] == '/' || m->target[f->rootfs_len] == '\0'))
    return 0;
  if (f->len < sizeof f->paths / sizeof f->paths[0])
    f->paths[f->len++] = strdup (m->target);
  return 0;
}

static void
full_mounts_release (struct full_mounts *f)
{
  for (size_t i = 0; i < f->len; i++)
    free (f->paths[i]);
}

/* With chroot the old root stays in the mount table, and the kernel lets
 * a new procfs or sysfs be mounted wherever a full one is visible in it:
 * the host's /proc would make the container's masked paths moot.  As runc
 * does, each is unmounted (made rslave first, so nothing propagates to the
 * host), or covered by a tmpfs where it cannot be (a locked mount). */
static int
hide_full_mounts (const char *rootfs, struct husk_error **err)
{
  __attribute__ ((cleanup (full_mounts_release)))
  struct full_mounts f = { .rootfs = rootfs, .rootfs_len = strlen (rootfs) };
  if (husk_mountinfo_each (NULL, collect_full, &f, err) < 0)
    return -1;
  for (size_t i = f.len; i-- > 0;) /* children first */
    {
      const char *p = f.paths[i];
      if (p == NULL || (mount (NULL, p, NULL, MS_SLAVE | MS_REC, NULL) < 0 && errno == ENOENT))
        continue;
      if (umount2 (p, MNT_DETACH) == 0)
        continue;
      if (errno != EINVAL && errno != EPERM)
        return husk_error_set (err, errno, "unmount \"%s\" before --no-pivot", p);
      if (husk_mount ("tmpfs", p, NULL, "tmpfs", MS_RDONLY, NULL, err) < 0)
        return -1;
    }
  return 0;
}

/* --no-pivot, for a root that cannot be pivoted (initramfs): the old root
 * stays in the mount table, only chroot hides it. */
static int
move_root (const char *rootfs, struct husk_error **err)
{
  if (hide_full_mounts (rootfs, err) < 0)
    return -1;
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
