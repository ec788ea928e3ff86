/* Running from a binary nobody can write: see exe_seal.h. */
#include "exe_seal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <linux/mount.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../oci/cleanup.h"

/* Set across the re-exec only; removed at once by the new image. */
#define SEALED_ENV "_HUSK_EXE_SEALED"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

extern char **environ;

/* overlayfs takes ':' as the layer separator and '\' as its escape. */
static int
escape_lowerdir (const char *in, char *out, size_t size)
{
  size_t j = 0;

  for (; *in; in++)
    {
      if (j + 3 > size)
        return -1;
      if (*in == ':' || *in == '\\')
        out[j++] = '\\';
      out[j++] = *in;
    }
  out[j] = '\0';
  return 0;
}

/* A read-only overlayfs with the binary's directory on top, mounted
 * nowhere: the binary is reachable only through the returned O_PATH fd
 * and, once executed, /proc/<pid>/exe, where every open for writing is
 * EROFS.  overlayfs wants two lower layers to be read-only without an
 * upper one; /dev is one that is always there (only the binary's name is
 * ever looked up, and the binary's directory wins).  The context and the
 * mount fds are close-on-exec and left to the execveat that follows (two
 * closes fewer per start); on a failure they are closed here. */
static int
sealed_overlay (const char *exe_path)
{
  cleanup_close int ctx = -1, mnt = -1;
  char dir[PATH_MAX], lower[2 * PATH_MAX + 8];
  const char *slash = strrchr (exe_path, '/');
  size_t dir_len;
  int fd;

  if (slash == NULL || slash == exe_path)
    return -1;
  dir_len = (size_t) (slash - exe_path);
  memcpy (dir, exe_path, dir_len);
  dir[dir_len] = '\0';
  if (escape_lowerdir (dir, lower, sizeof lower - 6) < 0)
    return -1;
  strcat (lower, ":/dev");
  ctx = (int) syscall (SYS_fsopen, "overlay", FSOPEN_CLOEXEC);
  if (ctx < 0)
    return -1;
  if (syscall (SYS_fsconfig, ctx, FSCONFIG_SET_STRING, "lowerdir", lower, 0) < 0)
    return -1;
  /* xino may be turned on by itself across filesystems, with dmesg noise */
  syscall (SYS_fsconfig, ctx, FSCONFIG_SET_STRING, "xino", "off", 0);
  if (syscall (SYS_fsconfig, ctx, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return -1;
  mnt = (int) syscall (SYS_fsmount, ctx, FSMOUNT_CLOEXEC,
                       MOUNT_ATTR_RDONLY | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID);
  if (mnt < 0)
    return -1;
  fd = openat (mnt, slash + 1, O_PATH | O_NOFOLLOW | O_CLOEXEC);
  if (fd >= 0)
    ctx = mnt = -1; /* closed by the exec */
  return fd;
}

/* Where overlayfs is not allowed (no CAP_SYS_ADMIN, no fsopen): a memfd
 * copy sealed against every change. */
static int
sealed_memfd (struct husk_error **err)
{
  cleanup_close int src = open ("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  cleanup_close int fd = -1;
  struct stat st;
  off_t off = 0;

  if (src < 0 || fstat (src, &st) < 0)
    return husk_error_set (err, errno, "open /proc/self/exe");
  fd = memfd_create ("husk", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  if (fd < 0 && errno == EINVAL) /* before 6.3 */
    fd = memfd_create ("husk", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (fd < 0)
    return husk_error_set (err, errno, "memfd_create");
  while (off < st.st_size)
    if (sendfile (fd, src, &off, (size_t) (st.st_size - off)) <= 0)
      return husk_error_set (err, errno ? errno : EIO, "copy /proc/self/exe to a memfd");
  if (fcntl (fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
    return husk_error_set (err, errno, "seal the memfd copy of husk");
  return steal_fd (&fd);
}

/* Already unwritable: husk installed on a read-only mount (or bind-mounted
 * read-only over itself), or run from a sealed memfd (one that a daemon
 * keeps, as runc's memfd-bind does; its /proc/self/exe reads
 * "/memfd:NAME (deleted)").  Then no copy is made at all.  Only a memfd is
 * opened to ask for its seals: three calls fewer on every other start. */
static bool
already_sealed (const char *exe_path)
{
  struct statvfs sv;
  cleanup_close int fd = -1;
  int seals;

  if (strncmp (exe_path, "/memfd:", 7) != 0)
    return statvfs ("/proc/self/exe", &sv) == 0 && (sv.f_flag & ST_RDONLY);
  fd = open ("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  seals = fd < 0 ? -1 : fcntl (fd, F_GET_SEALS);
  return seals >= 0 && (seals & F_SEAL_WRITE);
}

int
husk_exe_seal (char **argv, struct husk_error **err)
{
  char exe_path[PATH_MAX];
  cleanup_close int fd = -1;
  ssize_t n;

  if (getenv (SEALED_ENV))
    {
      unsetenv (SEALED_ENV);
      return 0;
    }
  /* for debuggers that cannot follow the re-exec (valgrind emulates
   * neither fsopen nor execveat of an fd): the caller's own choice */
  const char *knob = getenv ("HUSK_EXE_SEAL");
  if (knob && strcmp (knob, "0") == 0)
    return 0;
  n = readlink ("/proc/self/exe", exe_path, sizeof exe_path - 1);
  if (n < 0)
    return husk_error_set (err, errno, "readlink /proc/self/exe");
  exe_path[n] = '\0';
  if (already_sealed (exe_path))
    return 0;
  fd = sealed_overlay (exe_path);
  if (fd < 0)
    fd = sealed_memfd (err);
  if (fd < 0)
    return -1;
  if (setenv (SEALED_ENV, "1", 1) < 0)
    return husk_error_set (err, errno, "setenv");
  syscall (SYS_execveat, fd, "", argv, environ, AT_EMPTY_PATH);
  unsetenv (SEALED_ENV);
  return husk_error_set (err, errno, "re-exec husk from its sealed copy");
}
