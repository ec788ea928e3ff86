/* Spawning one hook process: state on stdin, output collected, a deadline.
 *
 * The state goes through a socketpair rather than a pipe so that a hook which
 * never reads stdin (or exits early) cannot raise SIGPIPE in the runtime:
 * send() takes MSG_NOSIGNAL, write() on a pipe cannot.  Waiting uses a pidfd
 * in the same poll() as the pipes, so a timeout needs no signal handler.
 * The hook runs in a process group of its own so that a timeout kills what
 * it started too (`sh -c "sleep 10"` leaves no sleeping orphan). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "hooks.h"

/* The last bytes of output kept for the error message. */
#define HOOK_OUTPUT_KEEP 4096

struct hook_io {
  int pidfd;
  int in_fd;        /* our end of the stdin socket, -1 once all is sent */
  int out_fd;       /* read end of the stdout+stderr pipe, -1 at EOF */
  const char *input;
  size_t input_len, input_off;
  char out[2 * HOOK_OUTPUT_KEEP + 1];
  size_t out_len;
};

static void
reap_childp (pid_t *pid)
{
  if (*pid <= 0)
    return;
  kill (-*pid, SIGKILL);
  while (waitpid (*pid, NULL, 0) < 0 && errno == EINTR)
    ;
}
#define cleanup_child __attribute__ ((cleanup (reap_childp)))

static int64_t
now_ms (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Child side of fork(): only async-signal-safe calls from here to execve. */
static void __attribute__ ((noreturn))
hook_child (const struct oci_hook *hook, char *const argv[], char *const envp[], int in_fd,
            int out_fd, int errpipe)
{
  sigset_t all;
  int e;

  setpgid (0, 0);
  sigemptyset (&all);
  sigprocmask (SIG_SETMASK, &all, NULL);
  for (int sig = 1; sig < NSIG; sig++)
    signal (sig, SIG_DFL);
  if (dup2 (in_fd, 0) < 0 || dup2 (out_fd, 1) < 0 || dup2 (out_fd, 2) < 0)
    goto fail;
  /* Nothing of the runtime's leaks into a hook: only 0-2 and the error pipe
   * (close-on-exec) stay open. */
  if (errpipe > 3)
    {
      if (dup2 (errpipe, 3) < 0)
        goto fail;
      errpipe = 3;
    }
  syscall (SYS_close_range, 4, ~0U, 0);
  if (errpipe == 3)
    fcntl (3, F_SETFD, FD_CLOEXEC);
  execve (hook->path, argv, envp);
fail:
  e = errno;
  (void) !write (errpipe, &e, sizeof e);
  _exit (127);
}

static void
keep_output (struct hook_io *io, const char *buf, size_t n)
{
  if (n >= HOOK_OUTPUT_KEEP)
    {
      buf += n - HOOK_OUTPUT_KEEP;
      n = HOOK_OUTPUT_KEEP;
    }
  if (io->out_len + n > 2 * HOOK_OUTPUT_KEEP)
    {
      size_t drop = io->out_len + n - HOOK_OUTPUT_KEEP;
      memmove (io->out, io->out + drop, io->out_len - drop);
      io->out_len -= drop;
    }
  memcpy (io->out + io->out_len, buf, n);
  io->out_len += n;
}

static void
drain_output (struct hook_io *io)
{
  char buf[4096];
  ssize_t n;

  while (io->out_fd >= 0 && (n = read (io->out_fd, buf, sizeof buf)) != 0)
    {
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          if (errno != EAGAIN)
            husk_closep (&io->out_fd);
          return;
        }
      keep_output (io, buf, (size_t) n);
    }
  husk_closep (&io->out_fd);
}

static void
send_input (struct hook_io *io)
{
  while (io->input_off < io->input_len)
    {
      ssize_t n = send (io->in_fd, io->input + io->input_off, io->input_len - io->input_off,
                        MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        return;
      if (n < 0) /* the hook closed its stdin: it does not want the state */
        break;
      io->input_off += (size_t) n;
    }
  husk_closep (&io->in_fd); /* EOF for the hook */
}

/* Feeds stdin and collects output until the process exits or the deadline
 * passes; returns 1 when it exited, 0 on timeout. */
static int
hook_io_loop (struct hook_io *io, int64_t deadline, struct husk_error **err)
{
  for (;;)
    {
      struct pollfd fds[3] = {
        { .fd = io->pidfd, .events = POLLIN },
        { .fd = io->out_fd, .events = POLLIN },
        { .fd = io->in_fd, .events = POLLOUT },
      };
      int timeout = -1;
      if (deadline >= 0)
        {
          int64_t left = deadline - now_ms ();
          if (left <= 0)
            return 0;
          timeout = (int) (left > INT32_MAX ? INT32_MAX : left);
        }
      if (poll (fds, 3, timeout) < 0)
        {
          if (errno == EINTR)
            continue;
          return husk_error_set (err, errno, "poll");
        }
      if (fds[2].revents)
        send_input (io);
      if (fds[1].revents)
        drain_output (io);
      if (fds[0].revents)
        return 1;
    }
}

static int
spawn_hook (const struct oci_hook *hook, int in_child, int out_child, int errpipe, pid_t *pid,
            struct husk_error **err)
{
  char *path_argv[] = { hook->path, NULL };
  char *empty_env[] = { NULL };
  char *const *argv = hook->args_len > 0 ? hook->args : path_argv;
  char *const *envp = hook->env_len > 0 ? hook->env : empty_env;

  *pid = fork ();
  if (*pid < 0)
    return husk_error_set (err, errno, "fork");
  if (*pid == 0)
    hook_child (hook, argv, envp, in_child, out_child, errpipe);
  /* Also from the parent, so a kill(-pid) right after fork finds the group. */
  setpgid (*pid, *pid);
  return 0;
}

static int
read_exec_errno (int errpipe)
{
  int e = 0;
  ssize_t n;
  do
    n = read (errpipe, &e, sizeof e);
  while (n < 0 && errno == EINTR);
  return n == (ssize_t) sizeof e ? e : 0;
}

static int
wait_hook (pid_t *pid, struct hook_io *io, bool exited, struct husk_hook_result *result,
           struct husk_error **err)
{
  int status;

  if (!exited)
    {
      result->timed_out = true;
      kill (-*pid, SIGKILL);
    }
  while (waitpid (*pid, &status, 0) < 0)
    if (errno != EINTR)
      return husk_error_set (err, errno, "waitpid %d", (int) *pid);
  *pid = 0;
  if (exited)
    drain_output (io);
  result->status = status;
  io->out[io->out_len] = '\0';
  result->output = strdup (io->out);
  if (result->output == NULL)
    return husk_error_set (err, ENOMEM, "hook output");
  return 0;
}

int
husk_hook_process_run (const struct oci_hook *hook, const char *input,
                       struct husk_hook_result *result, struct husk_error **err)
{
  cleanup_close int in_pair0 = -1, in_pair1 = -1, out_r = -1, out_w = -1, err_r = -1,
                    err_w = -1, pidfd = -1;
  cleanup_child pid_t pid = 0;
  int sv[2], p[2], e[2], exited;
  struct hook_io io = { .in_fd = -1, .out_fd = -1, .input = input ? input : "" };
  int64_t deadline = -1;

  memset (result, 0, sizeof *result);
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
    return husk_error_set (err, errno, "socketpair");
  in_pair0 = sv[0], in_pair1 = sv[1];
  if (pipe2 (p, O_CLOEXEC) < 0)
    return husk_error_set (err, errno, "pipe2");
  out_r = p[0], out_w = p[1];
  if (pipe2 (e, O_CLOEXEC) < 0)
    return husk_error_set (err, errno, "pipe2");
  err_r = e[0], err_w = e[1];

  if (spawn_hook (hook, in_pair1, out_w, err_w, &pid, err) < 0)
    return -1;
  husk_closep (&in_pair1);
  husk_closep (&out_w);
  husk_closep (&err_w);
  pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
  if (pidfd < 0)
    return husk_error_set (err, errno, "pidfd_open %d", (int) pid);
  fcntl (out_r, F_SETFL, O_NONBLOCK);

  /* From INT32_MAX seconds (68 years) on is "no timeout", which also keeps
   * the sum from overflowing. */
  if (hook->timeout.set && hook->timeout.value > 0 && hook->timeout.value < INT32_MAX)
    deadline = now_ms () + hook->timeout.value * 1000;
  io.pidfd = pidfd;
  io.in_fd = steal_fd (&in_pair0);
  io.out_fd = steal_fd (&out_r);
  io.input_len = strlen (io.input);
  exited = hook_io_loop (&io, deadline, err);
  husk_closep (&io.in_fd);
  if (exited < 0 || wait_hook (&pid, &io, exited, result, err) < 0)
    {
      husk_closep (&io.out_fd);
      return -1;
    }
  husk_closep (&io.out_fd);
  result->exec_errno = read_exec_errno (err_r);
  return 0;
}

void
husk_hook_result_clear (struct husk_hook_result *result)
{
  free (result->output);
  result->output = NULL;
}
