/* husk-recvtty: the receiving end of --console-socket, for tests (after
 * runc's contrib/cmd/recvtty).  It listens on SOCKET, takes one connection,
 * receives the pty master sent with SCM_RIGHTS and copies everything the
 * container writes to it onto stdout until the last slave closes.
 *
 *   husk-recvtty SOCKET [INPUT]
 *
 * INPUT, when given, is written to the master once it arrives (what the
 * container reads on its terminal).  The socket exists (bound and listening)
 * before the program forks into the background-friendly relay loop, so a
 * test may start it with & and wait for the socket path to appear. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "cleanup.h"

static int
listen_on (const char *path)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  if (strlen (path) >= sizeof addr.sun_path)
    return -1;
  strcpy (addr.sun_path, path);
  cleanup_close int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || bind (fd, (struct sockaddr *) &addr, sizeof addr) < 0
      || listen (fd, 1) < 0)
    return -1;
  return steal_fd (&fd);
}

static int
receive_fd (int conn)
{
  char name[4096];
  struct iovec iov = { .iov_base = name, .iov_len = sizeof name };
  union
  {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } control;
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                        .msg_control = control.buf,
                        .msg_controllen = sizeof control.buf };
  if (recvmsg (conn, &msg, MSG_CMSG_CLOEXEC) < 0)
    return -1;
  struct cmsghdr *cmsg = CMSG_FIRSTHDR (&msg);
  if (cmsg == NULL || cmsg->cmsg_level != SOL_SOCKET
      || cmsg->cmsg_type != SCM_RIGHTS)
    {
      errno = EBADMSG;
      return -1;
    }
  int fd;
  memcpy (&fd, CMSG_DATA (cmsg), sizeof fd);
  return fd;
}

/* EIO on a pty master means every slave is closed: the container is gone. */
static int
relay (int master)
{
  char buf[4096];
  for (;;)
    {
      ssize_t n = read (master, buf, sizeof buf);
      if (n == 0 || (n < 0 && errno == EIO))
        return 0;
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 || write (STDOUT_FILENO, buf, (size_t) n) != n)
        return -1;
    }
}

int
main (int argc, char **argv)
{
  if (argc < 2 || argc > 3)
    {
      fprintf (stderr, "usage: husk-recvtty SOCKET [INPUT]\n");
      return 2;
    }
  cleanup_close int sock = listen_on (argv[1]);
  if (sock < 0)
    {
      fprintf (stderr, "husk-recvtty: listen on %s: %m\n", argv[1]);
      return 1;
    }
  cleanup_close int conn = accept4 (sock, NULL, NULL, SOCK_CLOEXEC);
  cleanup_close int master = conn < 0 ? -1 : receive_fd (conn);
  unlink (argv[1]);
  if (master < 0)
    {
      fprintf (stderr, "husk-recvtty: receive pty master: %m\n");
      return 1;
    }
  if (argc == 3 && write (master, argv[2], strlen (argv[2])) < 0)
    fprintf (stderr, "husk-recvtty: write input: %m\n");
  if (relay (master) < 0)
    {
      fprintf (stderr, "husk-recvtty: relay: %m\n");
      return 1;
    }
  return 0;
}
