#include "probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "str_printf.h"

int
husk_probe_socket_in (const char *netns_path, int family, int type)
{
  cleanup_close int self = -1, target = -1;
  int fd, saved;
  if (!netns_path)
    {
      fd = socket (family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
      return fd < 0 ? -errno : fd;
    }
  self = open ("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
  target = open (netns_path, O_RDONLY | O_CLOEXEC);
  if (self < 0 || target < 0)
    return -errno;
  if (setns (target, CLONE_NEWNET) < 0)
    return -errno;
  fd = socket (family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  saved = errno;
  /* going back cannot fail for a namespace we were in a moment ago; if it
   * ever did, this thread must not go on in the pod's netns */
  if (setns (self, CLONE_NEWNET) < 0)
    abort ();
  return fd < 0 ? -saved : fd;
}

long long
husk_probe_now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* host as a numeric IPv4 or IPv6 address; NULL or "" is 127.0.0.1. */
static int
probe_address (const char *host, int port, struct sockaddr_storage *ss, socklen_t *len)
{
  struct sockaddr_in *in = (struct sockaddr_in *) ss;
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *) ss;
  memset (ss, 0, sizeof *ss);
  if (inet_pton (AF_INET, host && *host ? host : "127.0.0.1", &in->sin_addr) == 1)
    {
      in->sin_family = AF_INET, in->sin_port = htons ((uint16_t) port);
      *len = sizeof *in;
      return 0;
    }
  if (inet_pton (AF_INET6, host, &in6->sin6_addr) == 1)
    {
      in6->sin6_family = AF_INET6, in6->sin6_port = htons ((uint16_t) port);
      *len = sizeof *in6;
      return 0;
    }
  return -EINVAL;
}

const char *
husk_probe_host_port (const char *host, int port, char *buf, size_t size)
{
  host = host && *host ? host : "127.0.0.1";
  snprintf (buf, size, strchr (host, ':') ? "[%s]:%d" : "%s:%d", host, port);
  return buf;
}

int
husk_probe_connect (const char *netns, const char *host, int port, long long deadline)
{
  struct sockaddr_storage addr;
  socklen_t addr_len;
  cleanup_close int fd = -1;
  struct pollfd p;
  int soerr = 0;
  socklen_t len = sizeof soerr;
  if (port < 1 || port > 65535 || probe_address (host, port, &addr, &addr_len) < 0)
    return -EINVAL;
  fd = husk_probe_socket_in (netns, addr.ss_family, SOCK_STREAM);
  if (fd < 0)
    return fd;
  if (connect (fd, (struct sockaddr *) &addr, addr_len) < 0 && errno != EINPROGRESS)
    return -errno;
  p = (struct pollfd){ .fd = fd, .events = POLLOUT };
  long long left = deadline - husk_probe_now_ms ();
  if (left <= 0 || poll (&p, 1, (int) left) <= 0)
    return -ETIMEDOUT;
  if (getsockopt (fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0 || soerr)
    return -(soerr ? soerr : errno);
  return steal_fd (&fd);
}

enum husk_probe_result
husk_probe_tcp (const char *netns_path, const char *host, int port, int timeout_ms,
                char **output)
{
  int fd = husk_probe_connect (netns_path, host, port, husk_probe_now_ms () + timeout_ms);
  char where[300];
  if (fd >= 0)
    {
      close (fd);
      *output = NULL;
      return HUSK_PROBE_SUCCESS;
    }
  *output = str_printf ("dial tcp %s: connect: %s", husk_probe_host_port (host, port, where, sizeof where),
                        strerror (-fd));
  return HUSK_PROBE_FAILURE;
}
