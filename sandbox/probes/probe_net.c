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

static char *
msg (const char *fmt, const char *a, int port, const char *b)
{
  char *out = NULL;
  if (asprintf (&out, fmt, a, port, b) < 0)
    return NULL;
  return out;
}

long long
husk_probe_now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int
husk_probe_connect (const char *netns, const char *host, int port, long long deadline)
{
  struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons ((uint16_t) port) };
  cleanup_close int fd = -1;
  struct pollfd p;
  int soerr = 0;
  socklen_t len = sizeof soerr;
  if (inet_pton (AF_INET, host && *host ? host : "127.0.0.1", &addr.sin_addr) != 1)
    return -EINVAL;
  fd = husk_probe_socket_in (netns, AF_INET, SOCK_STREAM);
  if (fd < 0)
    return fd;
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0 && errno != EINPROGRESS)
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
  const char *h = host && *host ? host : "127.0.0.1";
  if (fd >= 0)
    {
      close (fd);
      *output = NULL;
      return HUSK_PROBE_SUCCESS;
    }
  *output = msg ("dial tcp %s:%d: connect: %s", h, port, strerror (-fd));
  return HUSK_PROBE_FAILURE;
}

static int
send_all (int fd, const char *buf, size_t len, long long deadline)
{
  while (len > 0)
    {
      struct pollfd p = { .fd = fd, .events = POLLOUT };
      ssize_t w;
      if (poll (&p, 1, (int) (deadline - husk_probe_now_ms ())) <= 0)
        return -ETIMEDOUT;
      w = send (fd, buf, len, MSG_NOSIGNAL);
      if (w < 0 && errno != EAGAIN)
        return -errno;
      if (w > 0)
        buf += w, len -= (size_t) w;
    }
  return 0;
}

/* Reads until the status line is complete. */
static int
read_status_line (int fd, char *buf, size_t size, long long deadline)
{
  size_t have = 0;
  while (have + 1 < size && !memchr (buf, '\n', have))
    {
      struct pollfd p = { .fd = fd, .events = POLLIN };
      ssize_t r;
      long long left = deadline - husk_probe_now_ms ();
      if (left <= 0 || poll (&p, 1, (int) left) <= 0)
        return -ETIMEDOUT;
      r = recv (fd, buf + have, size - have - 1, 0);
      if (r < 0 && errno != EAGAIN)
        return -errno;
      if (r == 0)
        break;
      if (r > 0)
        have += (size_t) r;
    }
  buf[have] = '\0';
  return 0;
}

enum husk_probe_result
husk_probe_http (const char *netns_path, const char *host, int port, const char *path,
                 int timeout_ms, char **output)
{
  long long deadline = husk_probe_now_ms () + timeout_ms;
  const char *h = host && *host ? host : "127.0.0.1";
  cleanup_close int fd = husk_probe_connect (netns_path, host, port, deadline);
  char req[2048], line[512];
  int code = 0, r;
  *output = NULL;
  if (fd < 0)
    {
      *output = msg ("Get \"http://%s:%d%s\": connection refused or unreachable", h, port,
                     path ? path : "/");
      return HUSK_PROBE_FAILURE;
    }
  snprintf (req, sizeof req,
            "GET %s HTTP/1.1\r\nHost: %s:%d\r\nUser-Agent: kube-probe/1.30\r\nAccept: */*\r\n"
            "Connection: close\r\n\r\n",
            path && *path ? path : "/", h, port);
  if ((r = send_all (fd, req, strlen (req), deadline)) < 0
      || (r = read_status_line (fd, line, sizeof line, deadline)) < 0)
    {
      if (asprintf (output, "Get \"http://%s:%d%s\": %s", h, port, path ? path : "/",
                    strerror (-r)) < 0)
        *output = NULL;
      return HUSK_PROBE_FAILURE;
    }
  if (sscanf (line, "HTTP/%*d.%*d %d", &code) != 1)
    {
      *output = msg ("Get \"http://%s:%d%s\": malformed HTTP response", h, port, path);
      return HUSK_PROBE_FAILURE;
    }
  if (code >= 200 && code < 400)
    return HUSK_PROBE_SUCCESS;
  if (asprintf (output, "HTTP probe failed with statuscode: %d", code) < 0)
    *output = NULL;
  return HUSK_PROBE_FAILURE;
}
