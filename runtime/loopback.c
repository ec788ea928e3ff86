/* A new network namespace starts with `lo` down: 127.0.0.1 and ::1 then
 * answer nothing.  runc and crun bring it up in every network namespace
 * they create (not in one joined by path: its owner set it up), and
 * programs, health checks and containers sharing a pod's namespace rely
 * on it.  One flags ioctl on a throwaway socket: no netlink round trip on
 * the path of every run. */
#include "namespaces.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "../oci/cleanup.h"

int
husk_ns_loopback_up (struct husk_error **err)
{
  cleanup_close int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct ifreq ifr = { 0 };

  if (fd < 0)
    return husk_error_set (err, errno, "bring up lo: socket(AF_INET, SOCK_DGRAM)");
  strcpy (ifr.ifr_name, "lo");
  /* Only for a namespace made just now, whose lo has IFF_LOOPBACK alone
   * (the kernel's loopback_setup): its flags need no asking first. */
  ifr.ifr_flags = IFF_LOOPBACK | IFF_UP;
  if (ioctl (fd, SIOCSIFFLAGS, &ifr) < 0)
    return husk_error_set (err, errno, "bring up lo: SIOCSIFFLAGS IFF_UP");
  return 0;
}
