/* linux.sysctl written under a tmpdir standing for /proc/sys: dots become
 * slashes, slashes are kept, and no key reaches outside. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../../oci/cleanup.h"
#include "rootfs_internal.h"
#include "tap.h"

static char tmp[] = "/tmp/husk-sysctl-XXXXXX";

static void
make_file (const char *rel)
{
  char path[4200];
  snprintf (path, sizeof path, "%s/%s", tmp, rel);
  close (open (path, O_WRONLY | O_CREAT | O_TRUNC, 0644));
}

static char *
read_file (const char *rel)
{
  char path[4200], *text = NULL;
  size_t len = 0;
  snprintf (path, sizeof path, "%s/%s", tmp, rel);
  cleanup_fclose FILE *f = fopen (path, "re");
  if (f == NULL || getdelim (&text, &len, '\0', f) < 0)
    {
      free (text);
      return strdup ("");
    }
  return text;
}

static int
apply (int fd, char *key, char *value, struct husk_error **err)
{
  char *keys[] = { key }, *values[] = { value };
  struct oci_map map = { .keys = keys, .values = values, .len = 1 };
  return husk_sysctl_apply (fd, &map, err);
}

int
main (void)
{
  if (mkdtemp (tmp) == NULL)
    return 1;
  char cmd[4200];
  snprintf (cmd, sizeof cmd, "mkdir -p %s/sys/net/ipv4/conf/eth0.100 %s/sys/kernel", tmp, tmp);
  if (system (cmd) != 0)
    return 1;
  make_file ("sys/net/ipv4/ip_forward");
  make_file ("sys/net/ipv4/conf/eth0.100/forwarding");
  make_file ("victim");
  snprintf (cmd, sizeof cmd, "%s/sys", tmp);
  cleanup_close int fd = open (cmd, O_PATH | O_DIRECTORY | O_CLOEXEC);
  struct husk_error *err = NULL;

  is_int (apply (fd, "net.ipv4.ip_forward", "1", &err), 0, "a dotted key is written");
  cleanup_free char *v1 = read_file ("sys/net/ipv4/ip_forward");
  is_str (v1, "1", "into net/ipv4/ip_forward");

  is_int (apply (fd, "net/ipv4/conf/eth0.100/forwarding", "1", &err), 0,
          "a key with slashes is kept (an interface name with a dot)");
  cleanup_free char *v2 = read_file ("sys/net/ipv4/conf/eth0.100/forwarding");
  is_str (v2, "1", "into net/ipv4/conf/eth0.100/forwarding");

  is_int (apply (fd, "kernel/../../victim", "x", &err), -1, "a ../ key does not escape");
  cleanup_free char *v3 = read_file ("victim");
  is_str (v3, "", "the file outside is untouched");
  husk_error_release (&err);

  /* stays below /proc/sys, yet names a host-wide sysctl: refused */
  make_file ("sys/kernel/printk_ratelimit");
  is_int (apply (fd, "net/../kernel/printk_ratelimit", "7", &err), -1,
          "a key with a \"..\" component below /proc/sys is refused");
  cleanup_free char *v4 = read_file ("sys/kernel/printk_ratelimit");
  is_str (v4, "", "kernel/printk_ratelimit is untouched");
  husk_error_release (&err);
  static const char *const bad[] = { "/net/ipv4/ip_forward", "net..ipv4.ip_forward",
                                     "net/ipv4//ip_forward", "net/./ipv4/ip_forward",
                                     "net.ipv4.ip_forward.", "", NULL };
  for (size_t i = 0; bad[i]; i++)
    {
      ok (apply (fd, (char *) bad[i], "1", &err) < 0 && err->errnum == EINVAL,
          "\"%s\" is not a sysctl name", bad[i]);
      husk_error_release (&err);
    }

  is_int (apply (fd, "kernel.nope", "1", &err), -1, "a missing key fails");
  ok (err && err->errnum == ENOENT && strstr (err->message, "sysctl \"kernel.nope\""),
      "naming the key: %s", err ? err->message : "");
  husk_error_release (&err);

  snprintf (cmd, sizeof cmd, "rm -rf %s", tmp);
  if (system (cmd) != 0)
    ok (false, "remove %s", tmp);
  return tap_done ();
}
