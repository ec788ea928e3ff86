/* husk-pod-holder: started by the sandbox library (sandbox/pod/), never by
 * hand.  Until it reports "ok" on --ready-fd it may fail and exit; after
 * that it is the pod's monitor and only SIGTERM/SIGINT end it. */
#include "holder.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "holder_proto.h"

static int
parse_args (int argc, char **argv, struct holder_options *o)
{
  o->ready_fd = -1;
  for (int i = 1; i < argc; i++)
    {
      const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
      if (strcmp (a, "--host-network") == 0)
        o->host_network = true;
      else if (strcmp (a, "--host-ipc") == 0)
        o->host_ipc = true;
      else if (strcmp (a, "--share-pid") == 0)
        o->share_pid = true;
      else if (strcmp (a, "--detach") == 0)
        o->detach = true;
      else if (v == NULL)
        return -1;
      else if (strcmp (a, "--dir") == 0)
        o->pod_dir = v, i++;
      else if (strcmp (a, "--runtime") == 0)
        o->runtime = v, i++;
      else if (strcmp (a, "--runtime-root") == 0)
        o->runtime_root = v, i++;
      else if (strcmp (a, "--cgroup-driver") == 0)
        {
          /* kubelet's names */
          if (strcmp (v, "systemd") != 0 && strcmp (v, "cgroupfs") != 0)
            return -1;
          o->systemd_cgroup = strcmp (v, "systemd") == 0, i++;
        }
      else if (strcmp (a, "--hostname") == 0)
        o->hostname = v, i++;
      else if (strcmp (a, "--log-max") == 0)
        o->log_max_bytes = strtoull (v, NULL, 10), i++;
      else if (strcmp (a, "--ready-fd") == 0)
        o->ready_fd = atoi (v), i++;
      else
        return -1;
    }
  return o->pod_dir && o->runtime ? 0 : -1;
}

static int
setup_events (struct holder *h)
{
  struct epoll_event ev = { .events = EPOLLIN };
  sigset_t set;

  sigemptyset (&set);
  sigaddset (&set, SIGCHLD);
  sigaddset (&set, SIGTERM);
  sigaddset (&set, SIGINT);
  sigaddset (&set, SIGHUP);
  sigprocmask (SIG_BLOCK, &set, NULL);
  signal (SIGPIPE, SIG_IGN);
  h->signal_fd = signalfd (-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  h->epoll_fd = epoll_create1 (EPOLL_CLOEXEC);
  if (h->signal_fd < 0 || h->epoll_fd < 0)
    return -1;
  ev.data.fd = h->signal_fd;
  if (epoll_ctl (h->epoll_fd, EPOLL_CTL_ADD, h->signal_fd, &ev) < 0)
    return -1;
  ev.data.fd = h->listen_fd;
  return epoll_ctl (h->epoll_fd, EPOLL_CTL_ADD, h->listen_fd, &ev);
}

static int
write_pid_files (struct holder *h)
{
  char buf[32];
  snprintf (buf, sizeof buf, "%d\n", (int) getpid ());
  if (holder_write_file_atomic (".", HOLDER_PID_FILE, buf) < 0)
    return -1;
  if (h->pid1 == 0)
    return 0;
  snprintf (buf, sizeof buf, "%d\n", (int) h->pid1);
  return holder_write_file_atomic (".", HOLDER_PID1_FILE, buf);
}

static int
setup (struct holder *h, char *msg, size_t len)
{
  /* Orphans of the runtime (every container init) come to us. */
  if (prctl (PR_SET_CHILD_SUBREAPER, 1) < 0)
    return snprintf (msg, len, "PR_SET_CHILD_SUBREAPER: %s", strerror (errno)), -1;
  prctl (PR_SET_NAME, "husk:[holder]");
  if (holder_enter_namespaces (&h->opt, msg, len) < 0)
    return -1;
  if ((h->listen_fd = holder_listen (h->opt.pod_dir)) < 0)
    return snprintf (msg, len, "listen on %s/%s: %s", h->opt.pod_dir, HOLDER_SOCKET,
                     strerror (errno)), -1;
  if (setup_events (h) < 0)
    return snprintf (msg, len, "signalfd/epoll: %s", strerror (errno)), -1;
  if (h->opt.share_pid && (h->pid1 = holder_spawn_pid1 ()) < 0)
    return snprintf (msg, len, "pod PID namespace: %s", strerror (errno)), -1;
  if (write_pid_files (h) < 0)
    return snprintf (msg, len, "write %s: %s", HOLDER_PID_FILE, strerror (errno)), -1;
  return 0;
}

/* --detach: the launcher waits for this process, the holder is its child
 * and is reparented to init (or a subreaper) when it exits here. */
static int
detach (char *msg, size_t len)
{
  pid_t pid = fork ();
  if (pid > 0)
    _exit (0);
  if (pid < 0)
    return snprintf (msg, len, "fork: %s", strerror (errno)), -1;
  return 0;
}

int
main (int argc, char **argv)
{
  struct holder h = { .signal_fd = -1, .epoll_fd = -1, .listen_fd = -1 };
  char msg[512] = "ok";
  /* A NOTIFY_SOCKET of ours (a systemd unit) is not the containers':
   * husk would give it to them and wait for their READY=1 on start. */
  unsetenv ("NOTIFY_SOCKET");

  if (parse_args (argc, argv, &h.opt) < 0)
    {
      fprintf (stderr, "usage: husk-pod-holder --dir DIR --runtime PATH [--runtime-root DIR] "
                       "[--cgroup-driver systemd|cgroupfs] [--hostname NAME] [--host-network] [--host-ipc] [--share-pid] [--log-max BYTES] "
                       "[--ready-fd FD] [--detach]\n");
      return 2;
    }
  if ((h.opt.detach && detach (msg, sizeof msg) < 0) || setup (&h, msg, sizeof msg) < 0)
    {
      if (h.opt.ready_fd < 0 || write (h.opt.ready_fd, msg, strlen (msg)) < 0)
        fprintf (stderr, "husk-pod-holder: %s\n", msg);
      return 1;
    }
  /* From here on the pod depends on us: report, then never bail out. */
  if (h.opt.ready_fd >= 0)
    {
      if (write (h.opt.ready_fd, msg, strlen (msg)) < 0)
        { /* the launcher is gone; the pod's remove will stop us */ }
      close (h.opt.ready_fd);
    }
  holder_run (&h);
  if (h.pid1 > 0 && kill (h.pid1, SIGKILL) == 0)
    waitpid (h.pid1, NULL, 0);
  unlink (HOLDER_SOCKET);
  return 0;
}
