/* Clients attached to a container's streams (the "attach" request of
 * holder_proto.h).  The holder is the pod's monitor: it never blocks on an
 * attacher.  Output is sent with MSG_DONTWAIT (what a slow attacher cannot
 * take is lost for it, never for the log); stdin the container does not
 * take at once is kept, and the attachers' sockets are not read until it
 * is written, so a client that types faster than the container reads is
 * held back by its own socket buffer. */
#include "holder.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <termios.h>
#include <unistd.h>

#include "holder_proto.h"

#define ATTACH_SNDBUF (1 << 20)

struct holder_container *
holder_find_container (struct holder *h, const char *id)
{
  for (struct holder_container *c = h->containers; c; c = c->next)
    if (strcmp (c->id, id) == 0)
      return c;
  return NULL;
}

void
holder_attach_request (struct holder *h, int fd, const char *id, const char *streams)
{
  struct holder_container *c = holder_find_container (h, id);
  struct timeval none = { 0 };
  int sndbuf = ATTACH_SNDBUF;
  struct holder_attach *a;
  bool want_stdin = holder_word_in (streams, "stdin");

  if (c == NULL || c->init_pid <= 0 || c->create_pid != 0)
    return holder_reply (&fd, "err %d container `%s` is not running", ESRCH, id);
  if (want_stdin && !c->open_stdin)
    return holder_reply (&fd, "err %d container `%s` has no stdin", EINVAL, id);
  if (want_stdin && c->in_fd < 0)
    return holder_reply (&fd, "err %d the stdin of container `%s` is closed", EPIPE, id);
  if ((a = calloc (1, sizeof *a)) == NULL)
    return holder_reply (&fd, "err %d out of memory", ENOMEM);
  a->fd = fd;
  a->stdin_ = want_stdin;
  a->out = holder_word_in (streams, "stdout");
  a->err = holder_word_in (streams, "stderr");
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &none, sizeof none);
  setsockopt (fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  fcntl (fd, F_SETFL, O_NONBLOCK);
  if (send (fd, "ok", 2, MSG_NOSIGNAL) != 2)
    {
      close (fd);
      free (a);
      return;
    }
  a->next = c->attachers;
  c->attachers = a;
  holder_watch (h, fd, c->in_pending_len && a->stdin_ ? 0 : EPOLLIN);
}

void
holder_attach_output (struct holder_container *c, int packet, const char *buf, size_t n)
{
  char pkt[HOLDER_ATTACH_PACKET_MAX];

  if (c->attachers == NULL)
    return;
  if (n > sizeof pkt - 1)
    n = sizeof pkt - 1;
  pkt[0] = (char) packet;
  memcpy (pkt + 1, buf, n);
  for (struct holder_attach *a = c->attachers; a; a = a->next)
    if (packet == HOLDER_ATTACH_STDERR ? a->err : a->out)
      if (send (a->fd, pkt, n + 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
        { /* EAGAIN: lost for this attacher; a gone one is seen on its socket */ }
}

void
holder_stdin_close (struct holder *h, struct holder_container *c)
{
  if (c->in_fd >= 0)
    close (c->in_fd);
  c->in_fd = -1;
  free (c->in_pending);
  c->in_pending = NULL;
  c->in_pending_len = 0;
  for (struct holder_attach *a = c->attachers; h && a; a = a->next)
    if (a->stdin_)
      holder_watch (h, a->fd, EPOLLIN);
}

static void
detach (struct holder *h, struct holder_container *c, struct holder_attach *a)
{
  for (struct holder_attach **p = &c->attachers; *p; p = &(*p)->next)
    if (*p == a)
      {
        *p = a->next;
        break;
      }
  close (a->fd);
  /* stdinOnce: stdin closes when the first session that attached it ends */
  if (a->stdin_ && c->stdin_once)
    holder_stdin_close (h, c);
  free (a);
}

void
holder_attach_exit (struct holder *h, struct holder_container *c, int exit_code)
{
  char pkt[32];
  int n = snprintf (pkt, sizeof pkt, "%c%d", HOLDER_ATTACH_EXIT, exit_code);

  while (c->attachers)
    {
      struct holder_attach *a = c->attachers;
      c->attachers = a->next;
      send (a->fd, pkt, n, MSG_DONTWAIT | MSG_NOSIGNAL);
      close (a->fd);
      free (a);
    }
}

void
holder_attach_free_all (struct holder_container *c)
{
  while (c->attachers)
    {
      struct holder_attach *a = c->attachers;
      c->attachers = a->next;
      close (a->fd);
      free (a);
    }
}

static void
set_stdin_paused (struct holder *h, struct holder_container *c, bool paused)
{
  for (struct holder_attach *a = c->attachers; a; a = a->next)
    if (a->stdin_)
      holder_watch (h, a->fd, paused ? 0 : EPOLLIN);
  if (c->in_fd >= 0)
    holder_watch (h, c->in_fd, paused ? EPOLLOUT : 0);
}

/* Writes what is pending, then data; keeps what the container does not
 * take now. */
static void
write_stdin (struct holder *h, struct holder_container *c, const char *data, size_t len)
{
  bool was_pending = c->in_pending_len > 0;
  char *p = realloc (c->in_pending, c->in_pending_len + len);

  if (p == NULL || c->in_fd < 0)
    return;
  c->in_pending = p;
  memcpy (p + c->in_pending_len, data, len);
  c->in_pending_len += len;
  while (c->in_pending_len > 0)
    {
      ssize_t n = write (c->in_fd, c->in_pending, c->in_pending_len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        break;
      if (n <= 0) /* EPIPE: the container closed its stdin; drop the rest */
        n = (ssize_t) c->in_pending_len;
      memmove (c->in_pending, c->in_pending + n, c->in_pending_len - n);
      c->in_pending_len -= n;
    }
  if (was_pending != (c->in_pending_len > 0))
    set_stdin_paused (h, c, c->in_pending_len > 0);
}

static void
attacher_input (struct holder *h, struct holder_container *c, struct holder_attach *a)
{
  char pkt[HOLDER_ATTACH_PACKET_MAX];
  ssize_t n = recv (a->fd, pkt, sizeof pkt, MSG_DONTWAIT);
  uint16_t size[2];

  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return;
  if (n <= 0)
    return detach (h, c, a);
  switch (pkt[0])
    {
    case HOLDER_ATTACH_STDIN:
      if (a->stdin_ && n > 1)
        write_stdin (h, c, pkt + 1, (size_t) n - 1);
      break;
    case HOLDER_ATTACH_RESIZE:
      if (c->tty_fd >= 0 && n == 1 + (ssize_t) sizeof size)
        {
          memcpy (size, pkt + 1, sizeof size);
          struct winsize ws = { .ws_col = size[0], .ws_row = size[1] };
          ioctl (c->tty_fd, TIOCSWINSZ, &ws);
        }
      break;
    case HOLDER_ATTACH_CLOSE_STDIN:
      if (a->stdin_ && c->stdin_once)
        holder_stdin_close (h, c);
      break;
    default:
      break;
    }
}

bool
holder_attach_ready (struct holder *h, int fd, uint32_t events)
{
  for (struct holder_container *c = h->containers; c; c = c->next)
    {
      if (fd == c->in_fd)
        {
          if (events & (EPOLLERR | EPOLLHUP)) /* the container closed its end */
            holder_stdin_close (h, c);
          else
            write_stdin (h, c, "", 0);
          return true;
        }
      for (struct holder_attach *a = c->attachers; a; a = a->next)
        if (a->fd == fd)
          {
            if (events & EPOLLIN)
              attacher_input (h, c, a);
            else if (events & (EPOLLHUP | EPOLLERR))
              detach (h, c, a);
            return true;
          }
    }
  return false;
}
