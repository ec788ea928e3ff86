/* linux.sysctl: each key written under the container's /proc/sys.  Which
 * keys a container may set (namespaced ones only) is the validator's
 * business (oci/), as in runc; here only the write. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "rootfs_internal.h"
#include "safe_path.h"

/* "net.ipv4.ip_forward" -> "net/ipv4/ip_forward".  A key already written
 * with slashes is kept, so an interface name with a dot ("eth0.100") can
 * be said: "net/ipv4/conf/eth0.100/forwarding", as crun allows. */
static char *
sysctl_path (const char *key)
{
  char *path = strdup (key);
  if (path && strchr (path, '/') == NULL)
    for (char *p = path; *p; p++)
      if (*p == '.')
        *p = '/';
  return path;
}

static int
write_sysctl (int proc_sys_fd, const char *key, const char *value, struct husk_error **err)
{
  cleanup_free char *path = sysctl_path (key);
  if (path == NULL)
    return husk_error_set (err, ENOMEM, "sysctl \"%s\"", key);
  /* Resolved as if /proc/sys were the root: a key cannot name a file
   * elsewhere ("..../self/..."). */
  cleanup_close int fd = husk_safe_openat2 (proc_sys_fd, path, O_WRONLY);
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
