/* Running a helper program (the runtime CLI, CNI plugins) with its output
 * captured and a time limit.  posix_spawn, because huskd calls this from
 * threads and only an exec may follow fork there. */
#include "pod_util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../oci/cleanup.h"

extern char **environ;

#define CAPTURE_MAX (16u * 1024 * 1024)

struct sink {
  int fd;
  char *buf;
  size_t len, cap;
};

static void
sink_read (struct sink *s)
{
  char tmp[16384];
  ssize_t n = read (s->fd, tmp, sizeof tmp);

  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return;
  if (n <= 0)
    {
      close (s->fd);
      s->fd = -1;
      return;
    }
  if (s->len + n + 1 > s->cap && s->len + n <= CAPTURE_MAX)
    {
      size_t cap = (s->len + n + 1) * 2;
      char *p = realloc (s->buf, cap);
      if (p == NULL)
        return;
      s->buf = p;
      s->cap = cap;
    }
  if (s->len + n + 1 <= s->cap)
    {
      memcpy (s->buf + s->len, tmp, n);
      s->len += n;
      s->buf[s->len] = '\0';
    }
}

static int
spawn (const struct pod_cmd *cmd, int in_r, int out_w, int err_w, pid_t *pid,
       struct husk_error **err)
{
  posix_spawn_file_actions_t fa;
  int ret;

  posix_spawn_file_actions_init (&fa);
  if (in_r >= 0)
    posix_spawn_file_actions_adddup2 (&fa, in_r, 0);
  else
    posix_spawn_file_actions_addopen (&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2 (&fa, out_w, 1);
  posix_spawn_file_actions_adddup2 (&fa, err_w, 2);
  ret = posix_spawn (pid, cmd->argv[0], &fa, NULL, cmd->argv,
                     cmd->envp ? cmd->envp : environ);
  posix_spawn_file_actions_destroy (&fa);
  if (ret != 0)
    return husk_error_set (err, ret, "run `%s`", cmd->argv[0]);
  return 0;
}

static int
remaining_ms (const struct timespec *deadline)
{
  struct timespec now;
  clock_gettime (CLOCK_MONOTONIC, &now);
  long long ms = (deadline->tv_sec - now.tv_sec) * 1000LL + (deadline->tv_nsec - now.tv_nsec) / 1000000;
  return ms < 0 ? 0 : (int) (ms > 1000000 ? 1000000 : ms);
}

/* Drains what a pipe holds now, without waiting for its writers: a
 * process the command left behind may keep the pipe open for ever. */
static void
sink_drain (struct sink *s)
{
  if (s->fd < 0)
    return;
  fcntl (s->fd, F_SETFL, O_NONBLOCK);
  while (s->fd >= 0)
    {
      size_t before = s->len;
      sink_read (s);
      if (s->fd >= 0 && s->len == before)
        break;
    }
}

static void
feed_input (const struct pod_cmd *cmd, int *in_w, size_t *off)
{
  ssize_t w = write (*in_w, cmd->input + *off, cmd->input_len - *off);
  if (w > 0)
    *off += w;
  if (w < 0 || *off == cmd->input_len)
    {
      close (*in_w);
      *in_w = -1;
    }
}

/* Feeds input and reads both pipes until the command exits (its pidfd
 * becomes readable) or time runs out; returns false on timeout. */
static bool
pump_all (const struct pod_cmd *cmd, int pidfd, int in_w, struct sink *o, struct sink *e)
{
  struct timespec deadline;
  size_t off = 0;
  bool exited = false;

  clock_gettime (CLOCK_MONOTONIC, &deadline);
  deadline.tv_sec += cmd->timeout_s;
  while (!exited)
    {
      struct pollfd p[4] = { { pidfd, POLLIN, 0 }, { o->fd, POLLIN, 0 }, { e->fd, POLLIN, 0 },
                             { in_w, POLLOUT, 0 } };
      int n = poll (p, 4, cmd->timeout_s ? remaining_ms (&deadline) : -1);
      if (n == 0)
        break;
      if (n < 0)
        continue;
      exited = p[0].revents != 0;
      if (p[1].revents)
        sink_read (o);
      if (p[2].revents)
        sink_read (e);
      if (in_w >= 0 && p[3].revents)
        feed_input (cmd, &in_w, &off);
    }
  if (in_w >= 0)
    close (in_w);
  sink_drain (o);
  sink_drain (e);
  return exited;
}

int
pod_run (const struct pod_cmd *cmd, char **out, size_t *out_len, char **errout, size_t *err_len,
         int *status, struct husk_error **err)
{
  int op[2], ep[2], ip[2] = { -1, -1 };
  struct sink o = { .fd = -1 }, e = { .fd = -1 };
  pid_t pid;
  bool done;

  if (pipe2 (op, O_CLOEXEC) < 0)
    return husk_error_set (err, errno, "pipe");
  if (pipe2 (ep, O_CLOEXEC) < 0 || (cmd->input && pipe2 (ip, O_CLOEXEC) < 0))
    {
      int saved = errno;
      close (op[0]), close (op[1]);
      return husk_error_set (err, saved, "pipe");
    }
  int ret = spawn (cmd, ip[0], op[1], ep[1], &pid, err);
  close (op[1]), close (ep[1]);
  if (ip[0] >= 0)
    close (ip[0]);
  o.fd = op[0];
  e.fd = ep[0];
  if (ret < 0)
    {
      close (op[0]), close (ep[0]);
      if (ip[1] >= 0)
        close (ip[1]);
      return -1;
    }
  cleanup_close int pidfd = (int) syscall (SYS_pidfd_open, pid, 0);
  if (pidfd < 0)
    {
      int saved = errno;
      kill (pid, SIGKILL);
      waitpid (pid, status, 0);
      close (o.fd), close (e.fd);
      if (ip[1] >= 0)
        close (ip[1]);
      return husk_error_set (err, saved, "pidfd_open");
    }
  done = pump_all (cmd, pidfd, ip[1], &o, &e);
  if (!done)
    kill (pid, SIGKILL);
  if (o.fd >= 0)
    close (o.fd);
  if (e.fd >= 0)
    close (e.fd);
  while (waitpid (pid, status, 0) < 0 && errno == EINTR)
    ;
  if (out_len)
    *out_len = o.len;
  if (err_len)
    *err_len = e.len;
  if (out)
    *out = o.buf ? o.buf : strdup ("");
  else
    free (o.buf);
  if (errout)
    *errout = e.buf ? e.buf : strdup ("");
  else
    free (e.buf);
  if (!done)
    return husk_error_set (err, ETIMEDOUT, "`%s` did not finish within %d s", cmd->argv[0],
                           cmd->timeout_s);
  return 0;
}
