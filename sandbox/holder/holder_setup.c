/* The holder's setup steps: namespaces, loopback, the pod's PID 1, the
 * request socket.  Each reports failure through errno so that main() can
 * tell the launcher why. */
#include "holder.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "holder_proto.h"

/* An address-less ioctl on a datagram socket is how `ip link set lo up`
 * works too; no netlink needed for a single flag. */
int
holder_loopback_up (void)
{
  cleanup_close int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  struct ifreq ifr = { 0 };

  if (fd < 0)
    return -1;
  strcpy (ifr.ifr_name, "lo");
  if (ioctl (fd, SIOCGIFFLAGS, &ifr) < 0)
    return -1;
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  return ioctl (fd, SIOCSIFFLAGS, &ifr);
}

int
holder_enter_namespaces (const struct holder_options *opt, char *msg, size_t msg_len)
{
  int flags = CLONE_NEWNET | CLONE_NEWUTS | (opt->host_ipc ? 0 : CLONE_NEWIPC);

  if (opt->host_network)
    return 0;
  if (unshare (flags) < 0)
    {
      snprintf (msg, msg_len, "unshare (CLONE_NEWNET|CLONE_NEWUTS%s): %s",
                opt->host_ipc ? "" : "|CLONE_NEWIPC", strerror (errno));
      return -1;
    }
  if (opt->hostname && sethostname (opt->hostname, strlen (opt->hostname)) < 0)
    {
      snprintf (msg, msg_len, "sethostname `%s`: %s", opt->hostname, strerror (errno));
      return -1;
    }
  if (holder_loopback_up () < 0)
    {
      snprintf (msg, msg_len, "bring loopback up: %s", strerror (errno));
      return -1;
    }
  return 0;
}

/* The pod's PID 1 only reaps what is orphaned inside the pod's PID
 * namespace; it stays tiny and never exits on its own (its death would kill
 * every process of the namespace). */
static __attribute__ ((noreturn)) void
pid1_main (void)
{
  sigset_t set;
  int sig;

  prctl (PR_SET_NAME, "husk:[pod-pid1]");
  sigemptyset (&set);
  sigaddset (&set, SIGCHLD);
  sigprocmask (SIG_BLOCK, &set, NULL);
  for (;;)
    {
      while (waitpid (-1, NULL, WNOHANG) > 0)
        ;
      sigwait (&set, &sig);
    }
}

/* unshare(CLONE_NEWPID) moves the caller's future children, so a throwaway
 * child does it: the holder's own runtime children must stay in the host's
 * PID namespace.  The PID 1 is reparented to the holder (the subreaper). */
pid_t
holder_spawn_pid1 (void)
{
  int p[2];
  pid_t mid, pid1 = -1;

  if (pipe2 (p, O_CLOEXEC) < 0)
    return -1;
  mid = fork ();
  if (mid < 0)
    return -1;
  if (mid == 0)
    {
      pid_t child;
      close (p[0]);
      if (unshare (CLONE_NEWPID) < 0)
        _exit (1);
      child = fork ();
      if (child == 0)
        pid1_main ();
      if (write (p[1], &child, sizeof child) != sizeof child)
        _exit (1);
      _exit (0);
    }
  close (p[1]);
  if (read (p[0], &pid1, sizeof pid1) != sizeof pid1)
    pid1 = -1;
  close (p[0]);
  waitpid (mid, NULL, 0);
  if (pid1 <= 0)
    errno = EIO;
  return pid1 > 0 ? pid1 : -1;
}

/* The holder runs with the pod directory as its cwd, so the socket path is
 * short whatever the pods root is (sun_path holds 108 bytes). */
int
holder_listen (const char *pod_dir)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  cleanup_close int fd = -1;

  if (chdir (pod_dir) < 0)
    return -1;
  fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return -1;
  strcpy (addr.sun_path, HOLDER_SOCKET);
  unlink (HOLDER_SOCKET);
  if (bind (fd, (struct sockaddr *) &addr, sizeof addr) < 0 || chmod (HOLDER_SOCKET, 0600) < 0
      || listen (fd, 16) < 0)
    return -1;
  return steal_fd (&fd);
}

/* Readers never see half a file: write a temporary, fsync-free (the state
 * lives on tmpfs under /run), then rename over the name. */
int
holder_write_file_atomic (const char *dir, const char *name, const char *data)
{
  char tmp[4200], path[4200];
  cleanup_close int fd = -1;
  size_t len = strlen (data);

  snprintf (tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
  snprintf (path, sizeof path, "%s/%s", dir, name);
  fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return -1;
  if (write (fd, data, len) != (ssize_t) len)
    return -1;
  return rename (tmp, path);
}
