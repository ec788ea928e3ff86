/* linux.sysctl: each key written under the container's /proc/sys.  Which
 * keys a container may set (namespaced ones only) is the validator's
 * business (oci/), as in runc; here only the write. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "../../oci/sysctl_key.h"
#include "rootfs_internal.h"

/* Beneath /proc/sys and nowhere else: the key was checked by the
 * validator (oci/sysctl_key.h) and is checked again here, and the kernel
 * refuses any resolution that would leave /proc/sys or cross a symlink. */
static int
open_beneath (int proc_sys_fd, const char *path)
{
  struct open_how how = {
    .flags = O_WRONLY | O_CLOEXEC,
    .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
  };
  int fd = (int) syscall (SYS_openat2, proc_sys_fd, path, &how, sizeof how);
  if (fd < 0 && errno == ENOSYS) /* no "..", no leading "/": openat stays below */
    fd = openat (proc_sys_fd, path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
  return fd;
}

static int
write_sysctl (int proc_sys_fd, const char *key, const char *value, struct husk_error **err)
{
  cleanup_free char *path = oci_sysctl_key_path (key);
  if (path == NULL)
    return husk_error_set (err, errno, "sysctl \"%s\": not a sysctl name", key);
  cleanup_close int fd = open_beneath (proc_sys_fd, path);
  if (fd < 0)
    return husk_error_set (err, errno, "sysctl \"%s\": open /proc/sys/%s", key, path);
  size_t len = strlen (value);
  ssize_t n = write (fd, value, len);
  if (n < 0 || (size_t) n != len)
    return husk_error_set (err, n < 0 ? errno : EIO, "sysctl \"%s\" = \"%s\"", key, value);
  return 0;
}

int
husk_sysctl_apply (int proc_sys_fd, const struct oci_map *sysctl, struct husk_error **err)
{
  for (size_t i = 0; i < sysctl->len; i++)
    if (write_sysctl (proc_sys_fd, sysctl->keys[i], sysctl->values[i], err) < 0)
      return husk_error_wrap (err, "linux.sysctl");
  return 0;
}
