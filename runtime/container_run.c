/* husk run in the foreground: create + start in one process that stays as
 * the container's parent, forwards signals, copies the terminal and reports
 * the exit code (128+N for signal N), then deletes the container. */
#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../oci/cleanup.h"
#include "sync.h"
#include "terminal.h"


void
husk_block_signals (sigset_t *old)
{
  sigset_t all;
  sigfillset (&all);
  sigprocmask (SIG_BLOCK, &all, old);
}

struct wait_ctx {
  pid_t pid;
  int sigfd;
  int master;
  bool done;
  int status;
  bool stdin_open;
};

static void
reap (struct wait_ctx *w)
{
  int status;
  pid_t got;

  /* as a subreaper we also inherit the container's orphans */
  while ((got = waitpid (-1, &status, WNOHANG | __WALL)) > 0)
    if (got == w->pid)
      w->done = true, w->status = status;
}

static void
on_signal (struct wait_ctx *w)
{
  struct signalfd_siginfo si;

  /* once the process is gone, what else is queued has no one to go to */
  while (!w->done && read (w->sigfd, &si, sizeof si) == sizeof si)
    {
      if (si.ssi_signo == SIGCHLD)
        reap (w);
      else if (si.ssi_signo == SIGWINCH && w->master >= 0)
        husk_terminal_copy_size (0, w->master);
      else
        kill (w->pid, (int) si.ssi_signo);
    }
}

/* No reap before the first poll: SIGCHLD is blocked since before the
 * first child was made (husk_block_signals), so an exit that came before
 * the signalfd is pending there. */
static void
wait_loop (struct wait_ctx *w)
{
  while (!w->done)
    {
      struct pollfd p[3] = { { w->sigfd, POLLIN, 0 },
                             { w->master, POLLIN, 0 },
                             { w->stdin_open ? 0 : -1, POLLIN, 0 } };
      int n = w->master >= 0 ? 3 : 1;
      if (poll (p, (nfds_t) n, -1) < 0 && errno != EINTR)
        break;
      if (p[0].revents)
        on_signal (w);
      if (n > 1 && (p[1].revents & (POLLIN | POLLHUP | POLLERR)))
        if (!husk_terminal_pump (w->master, 1))
          w->master = -1;
      if (n > 2 && (p[2].revents & (POLLIN | POLLHUP | POLLERR)))
        if (!husk_terminal_pump (0, w->master))
          w->stdin_open = false;
    }
  /* drain what the process wrote last, without waiting for processes it
   * left behind that still hold the terminal */
  if (w->master >= 0)
    {
      char buf[8192];
      ssize_t n;
      fcntl (w->master, F_SETFL, fcntl (w->master, F_GETFL) | O_NONBLOCK);
      while ((n = read (w->master, buf, sizeof buf)) > 0)
        if (write (1, buf, (size_t) n) < 0)
          break;
    }
}

/* Without a terminal to copy there is nothing to poll but signals: each
 * taken with one sigwaitinfo (no signalfd to make, poll and read). */
static void
wait_signals (struct wait_ctx *w)
{
  sigset_t all;
  siginfo_t si;

  sigfillset (&all);
  while (!w->done)
    {
      int sig = sigwaitinfo (&all, &si);
      if (sig == SIGCHLD)
        reap (w);
      else if (sig > 0)
        kill (w->pid, sig); /* SIGWINCH too: no terminal of ours to resize */
    }
}

int
husk_wait_foreground (pid_t pid, int pty_master, int *exit_code, struct husk_error **err)
{
  sigset_t all;
  struct termios saved;
  bool raw = false;
  struct wait_ctx w = { .pid = pid, .master = pty_master, .stdin_open = pty_master >= 0 };

  if (pty_master < 0)
    {
      wait_signals (&w);
      *exit_code = WIFSIGNALED (w.status) ? 128 + WTERMSIG (w.status) : WEXITSTATUS (w.status);
      return 0;
    }
  sigfillset (&all);
  w.sigfd = signalfd (-1, &all, SFD_CLOEXEC | SFD_NONBLOCK);
  if (w.sigfd < 0)
    return husk_error_set (err, errno, "signalfd");
  if (pty_master >= 0 && husk_terminal_raw (0, &saved) == 0)
    {
      raw = true;
      husk_terminal_copy_size (0, pty_master);
    }
  wait_loop (&w);
  if (raw)
    husk_terminal_restore (0, &saved);
  close (w.sigfd);
  if (WIFSIGNALED (w.status))
    *exit_code = 128 + WTERMSIG (w.status);
  else
    *exit_code = WEXITSTATUS (w.status);
  return 0;
}

/* START (unless the process does not wait for it: plan.no_start), then
 * EOF once the process exec'd (the socket is CLOEXEC). */
int
husk_launch_start (int sync_fd, int pty_master, bool send_start, struct husk_error **err)
{
  struct husk_sync_msg msg cleanup_sync_msg = { .fd = -1 };

  /* the process should see the caller's terminal size from its start */
  if (pty_master >= 0)
    husk_terminal_copy_size (0, pty_master);
  if (send_start && husk_sync_send (sync_fd, HUSK_SYNC_START, 0, NULL, 0, -1, err) < 0)
    return -1;
  return husk_sync_recv (sync_fd, HUSK_SYNC_BIT (HUSK_SYNC_EOF), &msg, err);
}

static int
run_started (struct husk_runtime *rt, struct husk_launch *l, bool detach, int *exit_code,
             struct husk_error **err)
{
  const struct husk_state_record *rec = l->rec;

  husk_run_poststart (rt, l->dir.dirfd, rec, l->config);
  if (detach)
    return *exit_code = 0, 0;
  husk_state_dir_unlock (&l->dir);
  if (husk_wait_foreground (l->pid, l->pty_master, exit_code, err) < 0)
    return -1;
  if (l->keep)
    return 0;
  if (flock (l->dir.dirfd, LOCK_EX) < 0)
    return husk_error_set (err, errno, "lock `%s`", l->dir.path);
  return husk_container_destroy (rt, &l->dir, rec, l->config, l->cg, err);
}

/* `run -d` returns once the container said READY, as runc; in the
 * foreground a child of ours forwards it while we wait for the exit. */
static int
forward_notify (struct husk_runtime *rt, int fd, pid_t pid, bool detach, struct husk_error **err)
{
  pid_t helper;

  if (detach)
    return husk_notify_forward (fd, rt->notify_socket, pid, err);
  helper = fork ();
  if (helper < 0)
    return husk_error_set (err, errno, "fork notify forwarder");
  if (helper == 0)
    {
      cleanup_error struct husk_error *ignored = NULL;
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      _exit (husk_notify_forward (fd, rt->notify_socket, pid, &ignored) < 0);
    }
  return 0; /* reaped with the container's orphans */
}

int
husk_container_run (struct husk_runtime *rt, const struct husk_create_options *opts,
                    bool detach, int *exit_code, struct husk_error **err)
{
  struct husk_launch l = { .detach = detach, .keep = opts->keep, .sync_fd = -1,
                          .pty_master = -1, .dir = { .dirfd = -1 } };
  sigset_t old;
  int ret;

  husk_block_signals (&old);
  if (!detach)
    prctl (PR_SET_CHILD_SUBREAPER, 1);
  ret = husk_create_internal (rt, opts, &l, NULL, err);
  cleanup_close int notify_fd = -1;
  if (ret == 0 && rt->notify_socket && husk_notify_bind (l.dir.dirfd, &notify_fd, err) < 0)
    ret = -1;
  if (ret == 0 && husk_launch_start (l.sync_fd, l.pty_master, true, err) < 0)
    {
      cleanup_error struct husk_error *ignored = NULL;
      kill (l.pid, SIGKILL);
      waitpid (l.pid, NULL, 0);
      husk_container_destroy (rt, &l.dir, l.rec, l.config, l.cg, &ignored);
      ret = -1;
    }
  if (ret == 0 && notify_fd >= 0 && forward_notify (rt, notify_fd, l.pid, detach, err) < 0)
    ret = -1;
  if (ret == 0)
    ret = run_started (rt, &l, detach, exit_code, err);
  husk_launch_clear (&l);
  sigprocmask (SIG_SETMASK, &old, NULL);
  return ret;
}
