/* A container's terminal and stdin.  With a tty the runtime's create gets
 * a --console-socket and sends the pty master over it (SCM_RIGHTS), as it
 * does for conmon; the holder keeps the master for the container's life:
 * its output is the log's stdout, its input the attachers' stdin. */
#include "holder.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "holder_proto.h"

/* The container dir's path may not fit a sockaddr_un: the socket is bound
 * through a dir fd the holder keeps during the create, and the runtime
 * (our child, in our PID namespace) is given the same path through
 * /proc/<holder>/fd/<dir fd>. */
int
holder_console_listen (struct holder *h, struct holder_container *c, char *path,
                       size_t path_len)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int dfd = c->console_dir = open (c->dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  int fd;

  if (dfd < 0)
    return -1;
  snprintf (addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/%s", dfd, HOLDER_CONSOLE_SOCKET);
  unlinkat (dfd, HOLDER_CONSOLE_SOCKET, 0);
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return -1;
  if (bind (fd, (struct sockaddr *) &addr, sizeof addr) < 0 || listen (fd, 1) < 0)
    {
      close (fd);
      return -1;
    }
  c->console_fd = fd;
  snprintf (path, path_len, "/proc/%d/fd/%d/%s", (int) getpid (), dfd, HOLDER_CONSOLE_SOCKET);
  holder_watch (h, fd, EPOLLIN);
  return 0;
}

static int
recv_master (int conn)
{
  char data[64];
  union { char buf[CMSG_SPACE (sizeof (int))]; struct cmsghdr align; } u;
  struct iovec iov = { data, sizeof data };
  struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                      .msg_controllen = sizeof u.buf };
  struct pollfd p = { conn, POLLIN, 0 };
  struct cmsghdr *cm;
  int master = -1;

  /* the runtime sends right after connecting: a moment at most */
  if (poll (&p, 1, 2000) <= 0 || recvmsg (conn, &m, MSG_CMSG_CLOEXEC) < 0)
    return -1;
  cm = CMSG_FIRSTHDR (&m);
  if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
    memcpy (&master, CMSG_DATA (cm), sizeof master);
  return master;
}

void
holder_console_ready (struct holder *h, struct holder_container *c)
{
  cleanup_close int conn = accept4 (c->console_fd, NULL, NULL, SOCK_CLOEXEC);
  int master;

  /* one connection only; called once the create is done too, when a
   * runtime that never connected will not any more */
  unlinkat (c->console_dir, HOLDER_CONSOLE_SOCKET, 0);
  close (c->console_dir);
  close (c->console_fd);
  c->console_fd = c->console_dir = -1;
  if (conn < 0)
    return;
  master = recv_master (conn);
  if (master < 0)
    return;
  fcntl (master, F_SETFL, O_NONBLOCK);
  c->tty_fd = master;
  if (c->open_stdin)
    c->in_fd = fcntl (master, F_DUPFD_CLOEXEC, 0);
  holder_watch (h, master, EPOLLIN);
}

int
holder_stdin_pipe (struct holder_container *c, int *child_end)
{
  int p[2];

  if (pipe2 (p, O_CLOEXEC) < 0)
    return -1;
  fcntl (p[1], F_SETFL, O_NONBLOCK);
  *child_end = p[0];
  c->in_fd = p[1];
  return 0;
}
