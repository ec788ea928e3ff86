/* process.terminal: the pty is made inside the container (its /dev/pts),
 * the slave becomes the process's stdio and controlling terminal, and the
 * master leaves through the sync socket to the parent, which hands it to
 * --console-socket (runc's and conmon's protocol) or copies it to its own
 * terminal (foreground run). */
#include "plan.h"
#include "terminal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "../oci/cleanup.h"

int
husk_terminal_child (const struct oci_console_size *size, int *master_out,
                     struct husk_error **err)
{
  cleanup_close int master = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  cleanup_close int slave = -1;
  int unlock = 0;

  if (master < 0)
    return husk_error_set (err, errno, "open `/dev/ptmx`");
  if (ioctl (master, TIOCSPTLCK, &unlock) < 0)
    return husk_error_set (err, errno, "unlock pty");
  slave = ioctl (master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
  if (slave < 0)
    return husk_error_set (err, errno, "open pty slave");
  if (size)
    {
      struct winsize ws = { .ws_row = (unsigned short) size->height,
                            .ws_col = (unsigned short) size->width };
      if (ioctl (slave, TIOCSWINSZ, &ws) < 0)
        return husk_error_set (err, errno, "set console size");
    }
  if (setsid () < 0 && errno != EPERM)
    return husk_error_set (err, errno, "setsid");
  if (ioctl (slave, TIOCSCTTY, 0) < 0)
    return husk_error_set (err, errno, "set controlling terminal");
  for (int i = 0; i < 3; i++)
    if (dup2 (slave, i) < 0)
      return husk_error_set (err, errno, "dup2 pty slave to %d", i);
  *master_out = steal_fd (&master);
  return 0;
}

int
husk_terminal_send_console (const char *socket_path, int master, struct husk_error **err)
{
  cleanup_close int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  static const char name[] = "/dev/ptmx";
  struct iovec iov = { (void *) name, sizeof name - 1 };
  union {
    char buf[CMSG_SPACE (sizeof (int))];
    struct cmsghdr align;
  } u;
  struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                      .msg_controllen = sizeof u.buf };
  struct cmsghdr *c;

  if (fd < 0)
    return husk_error_set (err, errno, "socket");
  if (strlen (socket_path) >= sizeof addr.sun_path)
    return husk_error_set (err, ENAMETOOLONG, "console socket `%s`", socket_path);
  strcpy (addr.sun_path, socket_path);
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    return husk_error_set (err, errno, "connect console socket `%s`", socket_path);
  memset (&u, 0, sizeof u);
  c = CMSG_FIRSTHDR (&m);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (c), &master, sizeof (int));
  if (sendmsg (fd, &m, MSG_NOSIGNAL) < 0)
    return husk_error_set (err, errno, "send pty master to `%s`", socket_path);
  return 0;
}

int
husk_terminal_raw (int fd, struct termios *saved)
{
  struct termios raw;

  if (tcgetattr (fd, saved) < 0)
    return -1;
  raw = *saved;
  cfmakeraw (&raw);
  raw.c_oflag |= OPOST; /* as runc: keep output processing */
  return tcsetattr (fd, TCSANOW, &raw);
}

void
husk_terminal_restore (int fd, const struct termios *saved)
{
  tcsetattr (fd, TCSANOW, saved);
}

void
husk_terminal_copy_size (int from, int to)
{
  struct winsize ws;
  if (ioctl (from, TIOCGWINSZ, &ws) == 0)
    ioctl (to, TIOCSWINSZ, &ws);
}

/* Moves what is readable from `in` to `out`; 0 at end-of-file or error. */
int
husk_terminal_pump (int in, int out)
{
  char buf[8192];
  ssize_t n = read (in, buf, sizeof buf);

  if (n <= 0)
    return n < 0 && (errno == EINTR || errno == EAGAIN) ? 1 : 0;
  for (ssize_t off = 0; off < n;)
    {
      ssize_t w = write (out, buf + off, (size_t) (n - off));
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return 0;
      off += w;
    }
  return 1;
}
