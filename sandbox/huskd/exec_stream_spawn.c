/* Starting the process behind a kubectl exec: `husk --root R exec [-t
 * --console-socket S] --pid-file P ID CMD...` spawned with posix_spawn
 * (huskd has worker threads: no fork of a threaded process), its stdio on
 * non-blocking pipes or, with a tty, the pty master husk hands over the
 * console socket.  It is reaped through a pidfd: no SIGCHLD handler, and no
 * waitpid(-1) that could steal another part of huskd's children. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cleanup.h"
#include "exec_stream_proc.h"

#define MAX_ARGS 4096

static void
path_in (char *out, size_t size, const char *dir, const char *name)
{
  snprintf (out, size, "%s/%s", dir, name);
}

static void
on_console_message (evutil_socket_t fd, short what, void *arg)
{
  struct exec_proc *p = arg;
  char data[256];
  union { char buf[CMSG_SPACE (sizeof (int))]; struct cmsghdr align; } u;
  struct iovec iov = { data, sizeof data };
  struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                      .msg_controllen = sizeof u.buf };
  ssize_t n = recvmsg (fd, &m, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
  struct cmsghdr *c = n >= 0 ? CMSG_FIRSTHDR (&m) : NULL;
  int master = -1;
  if (n < 0 && errno == EAGAIN)
    return;
  if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
    memcpy (&master, CMSG_DATA (c), sizeof master);
  exec_proc_console_free (p); /* one message: the pty master, or nothing */
  if (master < 0 || fcntl (master, F_SETFL, O_NONBLOCK) < 0
      || exec_proc_watch_out (p, OUT_PTY, master) < 0)
    {
      if (master >= 0)
        close (master);
      return;
    }
  p->in_fd = master;
  p->in_ev = event_new (p->base, master, EV_WRITE, exec_proc_on_stdin_writable, p);
  if (p->sized)
    ioctl (master, TIOCSWINSZ, &p->ws);
  exec_proc_flush_stdin (p);
}

static void
on_console_connect (evutil_socket_t fd, short what, void *arg)
{
  struct exec_proc *p = arg;
  int c = accept4 (fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
  if (c < 0 || p->console_fd >= 0)
    {
      if (c >= 0)
        close (c);
      return;
    }
  p->console_fd = c;
  p->console_ev = event_new (p->base, c, EV_READ | EV_PERSIST, on_console_message, p);
  if (p->console_ev)
    event_add (p->console_ev, NULL);
}

void
exec_proc_console_drain (struct exec_proc *p)
{
  if (p->listen_fd >= 0 && p->console_fd < 0)
    on_console_connect (p->listen_fd, EV_READ, p);
  if (p->console_fd >= 0)
    on_console_message (p->console_fd, EV_READ, p);
  exec_proc_console_free (p);
}

void
exec_proc_console_free (struct exec_proc *p)
{
  if (p->console_ev)
    event_free (p->console_ev), p->console_ev = NULL;
  if (p->listen_ev)
    event_free (p->listen_ev), p->listen_ev = NULL;
  husk_closep (&p->console_fd);
  husk_closep (&p->listen_fd);
}

static int
console_listen (struct exec_proc *p, struct husk_error **err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  path_in (addr.sun_path, sizeof addr.sun_path, p->dir, "console.sock");
  p->listen_fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (p->listen_fd < 0 || bind (p->listen_fd, (struct sockaddr *) &addr, sizeof addr) < 0
      || listen (p->listen_fd, 1) < 0)
    return husk_error_set (err, errno, "console socket `%s`", addr.sun_path);
  p->listen_ev = event_new (p->base, p->listen_fd, EV_READ | EV_PERSIST, on_console_connect, p);
  if (!p->listen_ev || event_add (p->listen_ev, NULL) < 0)
    return husk_error_set (err, ENOMEM, "console socket event");
  return 0;
}

void
exec_proc_kill_command (const char *dir)
{
  char path[128], buf[32] = "";
  path_in (path, sizeof path, dir, "pid");
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
  ssize_t n = fd >= 0 ? read (fd, buf, sizeof buf - 1) : -1;
  pid_t pid = n > 0 ? atoi (buf) : 0;
  if (pid > 1)
    kill (pid, SIGKILL);
}

void
exec_proc_remove_dir (const char *dir)
{
  char path[128];
  if (!dir[0])
    return;
  path_in (path, sizeof path, dir, "pid");
  unlink (path);
  path_in (path, sizeof path, dir, "console.sock");
  unlink (path);
  path_in (path, sizeof path, dir, "process.json");
  unlink (path);
  rmdir (dir);
}

static const char **
build_argv (struct exec_proc *p, const struct exec_proc_spec *spec)
{
  static __thread char console[128], pid_file[128], process[128];
  size_t n = 0, argc = 0;
  while (spec->argv[argc] && argc < MAX_ARGS)
    argc++;
  const char **v = calloc (argc + 16, sizeof *v);
  if (!v)
    return NULL;
  path_in (console, sizeof console, p->dir, "console.sock");
  path_in (pid_file, sizeof pid_file, p->dir, "pid");
  path_in (process, sizeof process, p->dir, "process.json");
  v[n++] = spec->runtime;
  v[n++] = "--root", v[n++] = spec->runtime_root;
  v[n++] = "exec";
  if (spec->tty)
    v[n++] = "-t", v[n++] = "--console-socket", v[n++] = console;
  if (spec->process_json)
    v[n++] = "-p", v[n++] = process;
  v[n++] = "--pid-file", v[n++] = pid_file;
  v[n++] = spec->container_id;
  for (size_t i = 0; !spec->process_json && i < argc; i++)
    v[n++] = spec->argv[i];
  return v;
}

static int
write_process (struct exec_proc *p, const struct exec_proc_spec *spec, struct husk_error **err)
{
  char path[128];
  if (!spec->process_json)
    return 0;
  path_in (path, sizeof path, p->dir, "process.json");
  cleanup_close int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  size_t len = strlen (spec->process_json);
  if (fd < 0 || write (fd, spec->process_json, len) != (ssize_t) len)
    return husk_error_set (err, errno ? errno : EIO, "write `%s`", path);
  return 0;
}

/* pipes[i][0] is read, [1] written; the child gets one end of each. */
static int
spawn (struct exec_proc *p, const struct exec_proc_spec *spec, int child_fds[3],
       struct husk_error **err)
{
  cleanup_free const char **argv = build_argv (p, spec);
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  sigset_t none, def;
  int r;
  if (!argv)
    return husk_error_set (err, ENOMEM, "exec argv");
  sigemptyset (&none);
  sigemptyset (&def);
  sigaddset (&def, SIGPIPE); /* huskd ignores it; the command must not */
  posix_spawnattr_init (&attr);
  posix_spawnattr_setsigmask (&attr, &none);
  posix_spawnattr_setsigdefault (&attr, &def);
  posix_spawnattr_setflags (&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawn_file_actions_init (&fa);
  for (int i = 0; i < 3; i++)
    posix_spawn_file_actions_adddup2 (&fa, child_fds[i], i);
  r = strchr (spec->runtime, '/')
          ? posix_spawn (&p->pid, spec->runtime, &fa, &attr, (char *const *) argv, environ)
          : posix_spawnp (&p->pid, spec->runtime, &fa, &attr, (char *const *) argv, environ);
  posix_spawn_file_actions_destroy (&fa);
  posix_spawnattr_destroy (&attr);
  if (r != 0)
    return husk_error_set (err, r, "spawn `%s`", spec->runtime);
  return 0;
}

static struct exec_proc *
proc_new (struct event_base *base, const struct exec_proc_cbs *cbs, void *arg,
          const struct exec_proc_spec *spec)
{
  bool tty = spec->tty;
  struct exec_proc *p = calloc (1, sizeof *p);
  if (!p)
    return NULL;
  *p = (struct exec_proc) { .base = base, .cbs = cbs, .arg = arg, .pidfd = -1, .in_fd = -1,
                            .listen_fd = -1, .console_fd = -1, .tty = tty };
  for (int k = 0; k < N_OUT; k++)
    p->out_fd[k] = -1;
  p->in_buf = evbuffer_new ();
  if (p->in_buf && spec->attach)
    return p; /* no process of ours: no private dir */
  if (!spec->state_dir
      || snprintf (p->dir, sizeof p->dir, "%s/exec-XXXXXX", spec->state_dir) >= (int) sizeof p->dir)
    snprintf (p->dir, sizeof p->dir, "/tmp/huskd-exec-XXXXXX");
  if (!p->in_buf || !mkdtemp (p->dir))
    {
      p->dir[0] = '\0';
      exec_proc_free (p);
      return NULL;
    }
  return p;
}

static void
close3 (int fds[3])
{
  for (int i = 0; i < 3; i++)
    husk_closep (&fds[i]);
}

/* The parent's ends: stdin's write end, stdout's and stderr's read ends. */
static int
make_stdio (const struct exec_proc_spec *spec, int child[3], int parent[3],
            struct husk_error **err)
{
  int fds[2];
  if (spec->stdin_ && !spec->tty)
    {
      if (pipe2 (fds, O_CLOEXEC) < 0)
        return husk_error_set (err, errno, "pipe");
      child[0] = fds[0], parent[0] = fds[1];
    }
  else if ((child[0] = open ("/dev/null", O_RDONLY | O_CLOEXEC)) < 0)
    return husk_error_set (err, errno, "open `/dev/null`");
  for (int i = 1; i < 3; i++)
    {
      if (pipe2 (fds, O_CLOEXEC) < 0)
        return husk_error_set (err, errno, "pipe");
      parent[i] = fds[0], child[i] = fds[1];
    }
  for (int i = 0; i < 3; i++)
    if (parent[i] >= 0 && fcntl (parent[i], F_SETFL, O_NONBLOCK) < 0)
      return husk_error_set (err, errno, "O_NONBLOCK");
  return 0;
}

static int
watch (struct exec_proc *p, int parent[3], struct husk_error **err)
{
  p->pidfd = pidfd_open (p->pid, 0);
  if (p->pidfd < 0)
    return husk_error_set (err, errno, "pidfd_open %d", (int) p->pid);
  p->pid_ev = event_new (p->base, p->pidfd, EV_READ | EV_PERSIST, exec_proc_on_exit, p);
  if (!p->pid_ev || event_add (p->pid_ev, NULL) < 0)
    return husk_error_set (err, ENOMEM, "exec events");
  if (parent[0] >= 0)
    {
      p->in_fd = steal_fd (&parent[0]);
      p->in_ev = event_new (p->base, p->in_fd, EV_WRITE, exec_proc_on_stdin_writable, p);
    }
  if (exec_proc_watch_out (p, OUT_STDOUT, steal_fd (&parent[1])) < 0
      || exec_proc_watch_out (p, OUT_STDERR, steal_fd (&parent[2])) < 0)
    return husk_error_set (err, ENOMEM, "exec events");
  return 0;
}

int
exec_proc_start (struct event_base *base, const struct exec_proc_spec *spec,
                 const struct exec_proc_cbs *cbs, void *arg, struct exec_proc **out,
                 struct husk_error **err)
{
  struct exec_proc *p = proc_new (base, cbs, arg, spec);
  int child[3] = { -1, -1, -1 }, parent[3] = { -1, -1, -1 };
  int r;
  if (!p)
    return husk_error_set (err, errno ? errno : ENOMEM, "exec: private directory");
  if (spec->attach)
    {
      if (exec_proc_attach (p, spec, err) < 0)
        {
          exec_proc_free (p);
          return -1;
        }
      *out = p;
      return 0;
    }
  r = (spec->tty ? console_listen (p, err) : 0) < 0 || make_stdio (spec, child, parent, err) < 0
              || write_process (p, spec, err) < 0 || spawn (p, spec, child, err) < 0
          ? -1
          : 0;
  close3 (child);
  if (r == 0)
    r = watch (p, parent, err);
  close3 (parent);
  if (r < 0)
    {
      exec_proc_free (p);
      return -1;
    }
  *out = p;
  return 0;
}
