#include "huskd_http.h"
#include "bench_samples.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int
connect_huskd (const char *sock_path)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  snprintf (addr.sun_path, sizeof addr.sun_path, "%s", sock_path);
  if (fd >= 0 && connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

static int
write_all (int fd, const char *p, size_t len)
{
  while (len > 0)
    {
      ssize_t w = send (fd, p, len, MSG_NOSIGNAL);
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        return -1;
      p += w;
      len -= (size_t) w;
    }
  return 0;
}

/* One read into the buffer (grown to hold `need` bytes): bytes read, 0 at
 * the end of the stream, -1 on errors. */
static ssize_t
read_some (struct huskd_conn *c, size_t need)
{
  ssize_t r;
  if (c->buf_cap < need + 1 || c->buf_cap - c->buf_len < 2)
    {
      c->buf_cap = (need > c->buf_len ? need : c->buf_len) + 65536;
      c->buf = realloc (c->buf, c->buf_cap);
      if (!c->buf)
        abort ();
    }
  do
    r = read (c->fd, c->buf + c->buf_len, c->buf_cap - c->buf_len - 1);
  while (r < 0 && errno == EINTR);
  if (r > 0)
    c->buf_len += (size_t) r;
  c->buf[c->buf_len] = '\0';
  return r;
}

/* Reads until the buffer holds at least `need` bytes. */
static int
fill (struct huskd_conn *c, size_t need)
{
  while (c->buf_len < need)
    if (read_some (c, need) <= 0)
      return -1;
  return 0;
}

/* The end of the headers in the buffer, read as far as needed. */
static char *
read_headers (struct huskd_conn *c)
{
  char *end;
  c->buf_len = 0;
  if (fill (c, 1) < 0)
    return NULL;
  while (!(end = strstr (c->buf, "\r\n\r\n")))
    if (fill (c, c->buf_len + 1) < 0)
      return NULL;
  return end + 4;
}

/* Decodes a chunked body in place after the headers. */
static int
read_chunked (struct huskd_conn *c, size_t start)
{
  size_t out = start, pos = start;
  for (;;)
    {
      char *eol;
      size_t size;
      while (!(eol = strstr (c->buf + pos, "\r\n")))
        if (fill (c, c->buf_len + 1) < 0)
          return -1;
      size = strtoul (c->buf + pos, NULL, 16);
      pos = (size_t) (eol - c->buf) + 2;
      if (fill (c, pos + size + 2) < 0)
        return -1;
      memmove (c->buf + out, c->buf + pos, size);
      out += size;
      pos += size + 2;
      if (size == 0)
        break;
    }
  c->buf_len = out;
  c->buf[out] = '\0';
  return 0;
}

static int
send_request (struct huskd_conn *c, const char *method, const char *path, const char *body)
{
  char head[1024];
  size_t blen = body ? strlen (body) : 0;
  size_t hlen = (size_t) snprintf (head, sizeof head,
                                   "%s %s HTTP/1.1\r\nHost: huskd\r\nAccept: application/json\r\n"
                                   "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                                   method, path, blen);
  if (hlen >= sizeof head)
    return -1;
  if (write_all (c->fd, head, hlen) < 0 || (body && write_all (c->fd, body, blen) < 0))
    return -1;
  return 0;
}

/* Sends one request and reads its answer: the status (negated when huskd
 * closes the connection after it), -1 when the connection broke.  *off:
 * where the body starts in c->buf. */
static int
exchange (struct huskd_conn *c, const char *method, const char *path, const char *body, size_t *off)
{
  char *start, *cl, *close_hdr;
  int status;
  if (send_request (c, method, path, body) < 0 || !(start = read_headers (c))
      || sscanf (c->buf, "HTTP/1.%*d %d", &status) != 1)
    return -1;
  *off = (size_t) (start - c->buf);
  start[-2] = '\0'; /* the header searches stop at the blank line */
  cl = strcasestr (c->buf, "\r\nContent-Length:");
  close_hdr = strcasestr (c->buf, "\r\nConnection: close");
  start[-2] = '\r';
  if (cl ? fill (c, *off + strtoul (cl + 17, NULL, 10)) < 0 : read_chunked (c, *off) < 0)
    return -1;
  return close_hdr ? -status : status;
}

int
huskd_request (struct huskd_conn *c, const char *method, const char *path, const char *body,
               const char **answer)
{
  size_t off = 0;
  int status;
  *answer = "";
  if (c->fd < 0 && (c->fd = connect_huskd (c->sock_path)) < 0)
    return -1;
  status = exchange (c, method, path, body, &off);
  if (status < 0) /* broken, or answered with Connection: close */
    {
      huskd_conn_close (c);
      status = status == -1 ? -1 : -status;
    }
  else
    *answer = c->buf + off;
  return status;
}

int
huskd_watch_open (struct huskd_conn *c, const char *path)
{
  if ((c->fd = connect_huskd (c->sock_path)) < 0 || send_request (c, "GET", path, NULL) < 0)
    return -1;
  c->buf_len = 0;
  return 0;
}

int
huskd_watch_until (struct huskd_conn *c, const char *needle, double timeout)
{
  double end = bench_now () + timeout;
  for (;;)
    {
      struct pollfd p = { .fd = c->fd, .events = POLLIN };
      int ms = (int) ((end - bench_now ()) * 1000);
      if (c->buf && strstr (c->buf, needle))
        {
          c->buf_len = 0;
          c->buf[0] = '\0';
          return 0;
        }
      if (ms <= 0 || poll (&p, 1, ms) <= 0 || read_some (c, c->buf_len + 4096) <= 0)
        return -1;
    }
}

void
huskd_conn_close (struct huskd_conn *c)
{
  if (c->fd >= 0)
    close (c->fd);
  c->fd = -1;
}
