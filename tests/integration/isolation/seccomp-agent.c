/* seccomp-agent: the listener side of SCMP_ACT_NOTIFY for seccomp.bats.
 *
 *   seccomp-agent SOCKET STATEFILE ANSWER
 *
 * Listens on SOCKET, takes the connection of the runtime, writes the
 * containerProcessState it received to STATEFILE, takes the seccomp
 * listener fd from SCM_RIGHTS and answers every notification: ANSWER "ok"
 * makes the syscall return 0 without running it, a number makes it fail
 * with that errno.  Exits when the container's filter goes away. */
#include <errno.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static int
receive (int conn, const char *statefile)
{
  char buf[65536], control[CMSG_SPACE (4 * sizeof (int))];
  struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf - 1 };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                        .msg_controllen = sizeof control };
  ssize_t n = recvmsg (conn, &msg, 0);
  struct cmsghdr *c = CMSG_FIRSTHDR (&msg);
  FILE *out;
  int fd;

  if (n <= 0 || c == NULL || c->cmsg_type != SCM_RIGHTS)
    return -1;
  buf[n] = '\0';
  out = fopen (statefile, "w");
  if (out == NULL)
    return -1;
  fputs (buf, out);
  fclose (out);
  memcpy (&fd, CMSG_DATA (c), sizeof fd);
  return fd;
}

int
main (int argc, char **argv)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int srv, conn, fd, err;

  if (argc != 4)
    return 2;
  err = strcmp (argv[3], "ok") == 0 ? 0 : atoi (argv[3]);
  srv = socket (AF_UNIX, SOCK_STREAM, 0);
  strncpy (addr.sun_path, argv[1], sizeof addr.sun_path - 1);
  if (bind (srv, (struct sockaddr *) &addr, sizeof addr) < 0 || listen (srv, 1) < 0)
    return 1;
  printf ("ready\n");
  fflush (stdout);
  conn = accept (srv, NULL, NULL);
  if (conn < 0 || (fd = receive (conn, argv[2])) < 0)
    return 1;
  for (;;)
    {
      struct seccomp_notif req;
      struct seccomp_notif_resp resp;

      memset (&req, 0, sizeof req);
      if (ioctl (fd, SECCOMP_IOCTL_NOTIF_RECV, &req) < 0)
        return 0; /* the container and its filter are gone */
      memset (&resp, 0, sizeof resp);
      resp.id = req.id;
      resp.error = -err;
      resp.val = 0;
      ioctl (fd, SECCOMP_IOCTL_NOTIF_SEND, &resp);
    }
}
