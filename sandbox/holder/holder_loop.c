/* The holder's event loop: one epoll over a signalfd, the request socket and
 * the containers' output pipes.  Reaping follows catatonit: on SIGCHLD,
 * waitpid(-1, WNOHANG) until nothing is left, since signals coalesce. */
#include "holder.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "holder_proto.h"

/* Exits of pids not known yet: an init can be reaped in the same round as
 * the create that reports its pid. */
#define EARLY_EXITS 16
static struct { pid_t pid; int status; } early[EARLY_EXITS];

void
holder_reply (int *fd, const char *fmt, ...)
{
  char buf[512];
  va_list ap;
  int n;

  if (*fd < 0)
    return;
  va_start (ap, fmt);
  n = vsnprintf (buf, sizeof buf, fmt, ap);
  va_end (ap);
  if (send (*fd, buf, n, MSG_NOSIGNAL) < 0)
    { /* the client went away: its loss */ }
  close (*fd);
  *fd = -1;
}

void
holder_watch (struct holder *h, int fd, uint32_t events)
{
  struct epoll_event ev = { .events = events, .data.fd = fd };
  if (epoll_ctl (h->epoll_fd, EPOLL_CTL_MOD, fd, &ev) < 0)
    epoll_ctl (h->epoll_fd, EPOLL_CTL_ADD, fd, &ev);
}

static void
container_free (struct holder *h, struct holder_container *c)
{
  for (struct holder_container **p = &h->containers; *p; p = &(*p)->next)
    if (*p == c)
      {
        *p = c->next;
        break;
      }
  if (c->out_fd >= 0)
    close (c->out_fd);
  if (c->err_fd >= 0)
    close (c->err_fd);
  if (c->tty_fd >= 0)
    close (c->tty_fd);
  if (c->in_fd >= 0)
    close (c->in_fd);
  if (c->console_fd >= 0)
    close (c->console_fd);
  if (c->console_dir >= 0)
    close (c->console_dir);
  free (c->in_pending);
  holder_attach_free_all (c);
  cri_log_close (&c->log);
  holder_reply (&c->client_fd, "err %d holder dropped the container", EIO);
  free (c);
}

static void
record_exit (struct holder_container *c, int status)
{
  struct timespec now;
  char buf[128];
  int code = WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
  int sig = WIFSIGNALED (status) ? WTERMSIG (status) : 0;

  clock_gettime (CLOCK_REALTIME, &now);
  snprintf (buf, sizeof buf, "exit_code=%d\nsignal=%d\nfinished_at=%lld\n", code, sig,
            (long long) now.tv_sec * 1000000000LL + now.tv_nsec);
  holder_write_file_atomic (c->dir, HOLDER_EXIT_FILE, buf);
  c->init_pid = -1;
}

/* Returns false at the stream's end. */
static bool
pump (struct holder_container *c, int *fd, struct cri_log_stream *s)
{
  char buf[HOLDER_ATTACH_PACKET_MAX - 1];

  for (;;)
    {
      ssize_t n = read (*fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 && errno == EAGAIN)
        return true;
      if (n <= 0)
        break;
      cri_log_feed (&c->log, s, buf, n);
      holder_attach_output (c, s == &c->err ? HOLDER_ATTACH_STDERR : HOLDER_ATTACH_STDOUT, buf,
                            n);
    }
  cri_log_flush (&c->log, s);
  close (*fd);
  *fd = -1;
  /* the terminal is gone: its stdin too (and with both fds closed epoll
   * forgets the master, which a dup would keep registered) */
  if (s == &c->tty_out)
    holder_stdin_close (NULL, c);
  return false;
}

static void
maybe_done (struct holder *h, struct holder_container *c)
{
  if (c->init_pid == -1 && c->out_fd < 0 && c->err_fd < 0 && c->tty_fd < 0
      && c->create_pid == 0)
    container_free (h, c);
}

/* The init's output written before it died is in the log before its exit
 * is recorded, so a reader that sees the exit sees all of it. */
static void
init_exited (struct holder *h, struct holder_container *c, int status)
{
  if (c->out_fd >= 0)
    pump (c, &c->out_fd, &c->out);
  if (c->err_fd >= 0)
    pump (c, &c->err_fd, &c->err);
  if (c->tty_fd >= 0)
    pump (c, &c->tty_fd, &c->tty_out);
  record_exit (c, status);
  holder_attach_exit (h, c, WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status));
  maybe_done (h, c);
}

static pid_t
read_init_pid (const struct holder_container *c)
{
  char path[4200], buf[32] = "";
  cleanup_close int fd = -1;

  snprintf (path, sizeof path, "%s/%s", c->dir, HOLDER_INIT_PID_FILE);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || read (fd, buf, sizeof buf - 1) <= 0)
    return -1;
  return (pid_t) atoi (buf);
}

static void
create_done (struct holder *h, struct holder_container *c, int status)
{
  c->create_pid = 0;
  if (c->console_fd >= 0) /* the master came before the create exited */
    holder_console_ready (h, c);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0 || (c->init_pid = read_init_pid (c)) <= 0)
    {
      if (WIFEXITED (status) && WEXITSTATUS (status) == 127) /* the exec failed */
        holder_reply (&c->client_fd, "err %d cannot run the runtime `%s`", ENOEXEC, h->opt.runtime);
      else
        holder_reply (&c->client_fd, "err %d runtime create failed (%s %d)", 0,
               WIFEXITED (status) ? "exit status" : "signal",
               WIFEXITED (status) ? WEXITSTATUS (status) : WTERMSIG (status));
      c->init_pid = -1;
      maybe_done (h, c);
      return;
    }
  holder_reply (&c->client_fd, "ok %d", (int) c->init_pid);
  for (size_t i = 0; i < EARLY_EXITS; i++)
    if (early[i].pid == c->init_pid)
      {
        early[i].pid = 0;
        init_exited (h, c, early[i].status);
        return;
      }
}

static void
reaped (struct holder *h, pid_t pid, int status)
{
  for (struct holder_container *c = h->containers; c; c = c->next)
    {
      if (pid == c->create_pid)
        return create_done (h, c, status);
      if (pid == c->init_pid)
        return init_exited (h, c, status);
    }
  if (pid == h->pid1)
    {
      h->pid1 = 0;
      return;
    }
  for (size_t i = 0; i < EARLY_EXITS; i++)
    if (early[i].pid == 0)
      {
        early[i].pid = pid;
        early[i].status = status;
        return;
      }
}

static void
reap_all (struct holder *h)
{
  for (;;)
    {
      int status;
      pid_t pid = waitpid (-1, &status, WNOHANG);
      if (pid <= 0)
        return; /* 0: none left now; -1 ECHILD: no children at all */
      reaped (h, pid, status);
    }
}

/* In the forked child: only async-signal-safe calls until execv. */
static __attribute__ ((noreturn)) void
exec_create (const struct holder *h, const struct holder_container *c, const char *bundle,
             int in_r, int out_w, int err_w, const char *console)
{
  char log[4200], pidfile[4200];
  const char *argv[20];
  size_t n = 0;
  sigset_t none;
  int in_fd = in_r >= 0 ? in_r : open ("/dev/null", O_RDONLY | O_CLOEXEC);

  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  if (in_fd < 0 || dup2 (in_fd, 0) < 0 || dup2 (out_w, 1) < 0 || dup2 (err_w, 2) < 0)
    _exit (127);
  snprintf (log, sizeof log, "%s/%s", c->dir, HOLDER_RUNTIME_LOG_FILE);
  snprintf (pidfile, sizeof pidfile, "%s/%s", c->dir, HOLDER_INIT_PID_FILE);
  argv[n++] = h->opt.runtime;
  if (h->opt.runtime_root)
    {
      argv[n++] = "--root";
      argv[n++] = h->opt.runtime_root;
    }
  argv[n++] = "--log";
  argv[n++] = log;
  if (h->opt.systemd_cgroup)
    argv[n++] = "--systemd-cgroup";
  argv[n++] = "create";
  argv[n++] = "--bundle";
  argv[n++] = bundle;
  argv[n++] = "--pid-file";
  argv[n++] = pidfile;
  if (console[0])
    {
      argv[n++] = "--console-socket";
      argv[n++] = console;
    }
  argv[n++] = c->id;
  argv[n] = NULL;
  execv (h->opt.runtime, (char *const *) argv);
  _exit (127);
}

static int
start_create (struct holder *h, struct holder_container *c, const char *bundle)
{
  int out[2], err[2], in_r = -1;
  char path[4200], console[128] = "";

  snprintf (path, sizeof path, "%s/%s", c->dir, HOLDER_LOG_FILE);
  if (cri_log_open (&c->log, path, h->opt.log_max_bytes) < 0)
    return -1;
  if (c->tty && holder_console_listen (h, c, console, sizeof console) < 0)
    return -1;
  if (c->open_stdin && !c->tty && holder_stdin_pipe (c, &in_r) < 0)
    return -1;
  if (pipe2 (out, O_CLOEXEC) < 0)
    return -1;
  if (pipe2 (err, O_CLOEXEC) < 0)
    {
      close (out[0]);
      close (out[1]);
      return -1;
    }
  c->out_fd = out[0];
  c->err_fd = err[0];
  c->create_pid = fork ();
  if (c->create_pid == 0)
    exec_create (h, c, bundle, in_r, out[1], err[1], console);
  close (out[1]);
  close (err[1]);
  if (in_r >= 0)
    close (in_r);
  if (c->create_pid < 0)
    return -1;
  fcntl (c->out_fd, F_SETFL, O_NONBLOCK);
  fcntl (c->err_fd, F_SETFL, O_NONBLOCK);
  holder_watch (h, c->out_fd, EPOLLIN);
  holder_watch (h, c->err_fd, EPOLLIN);
  return 0;
}

/* ReopenContainerLog: the kubelet renamed the log it reads (rotation) and
 * asks for a new file at its path; what was written goes on in the old one
 * until this point.  Lines cut in the middle continue in the new file. */
static void
reopen_log (struct holder *h, int fd, const char *id, const char *path)
{
  struct holder_container *c = holder_find_container (h, id);
  struct cri_log_file next = { .fd = -1 };

  if (c == NULL || c->log.fd < 0)
    return holder_reply (&fd, "err %d container `%s` is not running", ESRCH, id);
  if (cri_log_open (&next, path, h->opt.log_max_bytes) < 0)
    return holder_reply (&fd, "err %d open `%s`: %s", errno, path, strerror (errno));
  cri_log_close (&c->log);
  c->log = next;
  holder_reply (&fd, "ok");
}

/* "create" NUL id NUL bundle NUL dir NUL [flags NUL], "attach" NUL id NUL
 * streams NUL, or "reopen-log" NUL id NUL path NUL */
static void
handle_request (struct holder *h, int fd)
{
  char msg[HOLDER_MSG_MAX + 1];
  const char *field[HOLDER_REQUEST_FIELDS];
  ssize_t n = recv (fd, msg, HOLDER_MSG_MAX, 0);
  struct holder_container *c;

  if (n <= 0)
    return holder_reply (&fd, "err %d no request", EINVAL);
  msg[n] = '\0';
  if (holder_request_parse (msg, (size_t) n, field) < 0)
    return holder_reply (&fd, "err %d bad request", EINVAL);
  if (strcmp (field[0], "attach") == 0)
    return holder_attach_request (h, fd, field[1], field[2]);
  if (strcmp (field[0], "reopen-log") == 0)
    return reopen_log (h, fd, field[1], field[2]);
  c = calloc (1, sizeof *c);
  if (c == NULL)
    return holder_reply (&fd, "err %d out of memory", ENOMEM);
  strcpy (c->id, field[1]);
  strcpy (c->dir, field[3]);
  c->out.name = "stdout";
  c->err.name = "stderr";
  c->tty_out.name = "stdout"; /* a terminal's output is stdout, as containerd logs it */
  c->out_fd = c->err_fd = c->log.fd = -1;
  c->tty_fd = c->in_fd = c->console_fd = c->console_dir = -1;
  c->tty = holder_word_in (field[4], "tty");
  c->open_stdin = holder_word_in (field[4], "stdin");
  c->stdin_once = holder_word_in (field[4], "stdin-once");
  c->client_fd = fd;
  c->next = h->containers;
  h->containers = c;
  if (start_create (h, c, field[2]) < 0)
    {
      c->client_fd = -1;
      holder_reply (&fd, "err %d start the runtime: %s", errno, strerror (errno));
      c->create_pid = 0;
      c->init_pid = -1;
      container_free (h, c);
    }
}

static void
accept_request (struct holder *h)
{
  struct timeval tv = { .tv_sec = 2 };
  int fd = accept4 (h->listen_fd, NULL, NULL, SOCK_CLOEXEC);

  if (fd < 0)
    return;
  /* A client that connects and says nothing must not stall the pod. */
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  handle_request (h, fd);
}

static void
output_ready (struct holder *h, int fd, uint32_t events)
{
  for (struct holder_container *c = h->containers; c; c = c->next)
    {
      if (fd == c->console_fd)
        holder_console_ready (h, c);
      else if (fd == c->out_fd || fd == c->err_fd || fd == c->tty_fd)
        {
          int *p = fd == c->out_fd ? &c->out_fd : fd == c->err_fd ? &c->err_fd : &c->tty_fd;
          if (!pump (c, p, p == &c->out_fd ? &c->out : p == &c->err_fd ? &c->err : &c->tty_out))
            maybe_done (h, c);
        }
      else
        continue;
      return;
    }
  holder_attach_ready (h, fd, events);
}

/* Returns true when the holder must stop. */
static bool
signal_ready (struct holder *h)
{
  struct signalfd_siginfo si;
  bool stop = false;

  while (read (h->signal_fd, &si, sizeof si) == sizeof si)
    if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
      stop = true;
  reap_all (h);
  return stop;
}

int
holder_run (struct holder *h)
{
  for (;;)
    {
      struct epoll_event ev[16];
      int n = epoll_wait (h->epoll_fd, ev, 16, -1);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return -1;
      for (int i = 0; i < n; i++)
        {
          int fd = ev[i].data.fd;
          if (fd == h->signal_fd && signal_ready (h))
            return 0;
          else if (fd == h->listen_fd)
            accept_request (h);
          else if (fd != h->signal_fd)
            output_ready (h, fd, ev[i].events);
        }
    }
}
