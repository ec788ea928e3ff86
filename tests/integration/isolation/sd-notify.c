/* sd-notify: sends its argument as one datagram to $NOTIFY_SOCKET, as
 * systemd-notify does (busybox has none).  Built static by sd-notify.bats.
 *
 *   sd-notify READY=1       ->  exit 0, or 1 with the errno printed */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  const char *path = getenv ("NOTIFY_SOCKET");
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd;

  if (argc < 2 || path == NULL || strlen (path) >= sizeof addr.sun_path)
    return 2;
  strcpy (addr.sun_path, path);
  fd = socket (AF_UNIX, SOCK_DGRAM, 0);
  if (fd < 0 || sendto (fd, argv[1], strlen (argv[1]), 0, (struct sockaddr *) &addr, sizeof addr) < 0)
    {
      printf ("errno %d\n", errno);
      return 1;
    }
  return 0;
}
