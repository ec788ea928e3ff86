/* Starting the pod holder and talking to it (see sandbox/holder/). */
#include "pod_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "../holder/holder_proto.h"
#include "pod_util.h"

#define HOLDER_READY_TIMEOUT_MS 10000
#define HOLDER_CREATE_TIMEOUT_S 120

/* posix_spawn, not fork: huskd calls this from a worker thread, and a fork
 * of huskd would copy its page tables and write-protect its memory, which
 * stalls the event loop (every later write of it faults).  The holder,
 * started in a session of its own, forks once itself (--detach): it is no
 * child of the caller and outlives it, as a pod must. */
static int
spawn_holder (const char *holder, char *const argv[], int ready_w, pid_t *pid)
{
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  sigset_t none, def;
  /* dup2 onto itself would keep O_CLOEXEC: move the pipe end out of the way */
  cleanup_close int ready = fcntl (ready_w, F_DUPFD_CLOEXEC, 10);
  int ret;

  if (ready < 0)
    return errno;
  sigemptyset (&none);
  sigemptyset (&def);
  sigaddset (&def, SIGPIPE);
  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_addopen (&fa, 0, "/dev/null", O_RDWR, 0);
  posix_spawn_file_actions_adddup2 (&fa, 0, 1);
  posix_spawn_file_actions_adddup2 (&fa, 0, 2);
  posix_spawn_file_actions_adddup2 (&fa, ready, 3);
  posix_spawnattr_init (&attr);
  posix_spawnattr_setsigmask (&attr, &none);
  posix_spawnattr_setsigdefault (&attr, &def);
  posix_spawnattr_setflags (&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK
                                       | POSIX_SPAWN_SETSIGDEF);
  ret = posix_spawn (pid, holder, &fa, &attr, argv, environ);
  posix_spawnattr_destroy (&attr);
  posix_spawn_file_actions_destroy (&fa);
  return ret;
}

static int
wait_ready (int fd, struct husk_error **err)
{
  struct pollfd p = { fd, POLLIN, 0 };
  char msg[600];
  ssize_t n;

  if (poll (&p, 1, HOLDER_READY_TIMEOUT_MS) <= 0)
    return husk_error_set (err, ETIMEDOUT, "pod holder did not report ready");
  n = read (fd, msg, sizeof msg - 1);
  if (n <= 0)
    return husk_error_set (err, EIO, "pod holder exited before it was ready");
  msg[n] = '\0';
  if (strcmp (msg, "ok") != 0)
    return husk_error_set (err, 0, "pod holder: %s", msg);
  return 0;
}

int
pod_holder_launch (const struct pod_env *env, const struct pod_spec *pod, const char *sandbox_id,
                   struct husk_error **err)
{
  cleanup_free char *dir = pod_sandbox_dir (env, sandbox_id);
  char log_max[32];
  const char *argv[20];
  size_t n = 0;
  int ready[2], status, ret;
  pid_t pid;

  snprintf (log_max, sizeof log_max, "%llu", (unsigned long long) env->log_max_bytes);
  argv[n++] = env->holder;
  argv[n++] = "--dir", argv[n++] = dir;
  argv[n++] = "--runtime", argv[n++] = env->runtime;
  argv[n++] = "--runtime-root", argv[n++] = env->runtime_root;
  argv[n++] = "--hostname", argv[n++] = pod->hostname;
  argv[n++] = "--cgroup-driver", argv[n++] = env->systemd_cgroup ? "systemd" : "cgroupfs";
  argv[n++] = "--log-max", argv[n++] = log_max;
  argv[n++] = "--ready-fd", argv[n++] = "3";
  argv[n++] = "--detach";
  if (pod->host_network)
    argv[n++] = "--host-network";
  if (pod->host_ipc)
    argv[n++] = "--host-ipc";
  if (pod->share_process_namespace)
    argv[n++] = "--share-pid";
  argv[n] = NULL;
  if (dir == NULL || pipe2 (ready, O_CLOEXEC) < 0)
    return husk_error_set (err, errno ? errno : ENOMEM, "start pod holder");
  ret = spawn_holder (env->holder, (char *const *) argv, ready[1], &pid);
  close (ready[1]);
  cleanup_close int ready_r = ready[0];
  if (ret != 0)
    return husk_error_set (err, ret, "spawn `%s`", env->holder);
  while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
    ;
  if (wait_ready (ready_r, err) < 0)
    return husk_error_wrap (err, "start `%s`", env->holder);
  return 0;
}

int
pod_holder_connect (const struct pod_env *env, const char *sandbox_id, struct husk_error **err)
{
  cleanup_free char *dir = pod_sandbox_dir (env, sandbox_id);
  cleanup_close int dfd = dir ? open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
  cleanup_close int fd = -1;
  struct sockaddr_un addr = { .sun_family = AF_UNIX };

  if (dfd < 0)
    return husk_error_set (err, errno, "sandbox `%s`", sandbox_id);
  /* Through the directory fd, so the path fits sun_path wherever pods live. */
  snprintf (addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/%s", dfd, HOLDER_SOCKET);
  fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return husk_error_set (err, errno, "socket");
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    return husk_error_set (err, errno, "connect to the pod holder of `%s`", sandbox_id);
  return steal_fd (&fd);
}

int
pod_holder_parse_reply (const char *reply, pid_t *pid, struct husk_error **err)
{
  int code;
  char *end;

  if (pid == NULL && strcmp (reply, "ok") == 0)
    return 0;
  if (pid != NULL && strncmp (reply, "ok ", 3) == 0)
    {
      *pid = strtol (reply + 3, &end, 10);
      return *pid > 0 ? 0 : husk_error_set (err, EPROTO, "holder reply `%s`", reply);
    }
  if (strncmp (reply, "err ", 4) == 0)
    {
      code = strtol (reply + 4, &end, 10);
      return husk_error_set (err, code, "pod holder: %s", *end ? end + 1 : "");
    }
  return husk_error_set (err, EPROTO, "holder reply `%s`", reply);
}

int
pod_holder_create (const struct pod_env *env, const char *sandbox_id, const char *cid,
                   const struct pod_container *c, pid_t *pid, struct husk_error **err)
{
  cleanup_free char *cdir = pod_container_dir (env, cid);
  cleanup_free char *bundle = pod_path ("%s/bundle", cdir ? cdir : "");
  char msg[HOLDER_MSG_MAX], reply[512];
  struct timeval tv = { .tv_sec = HOLDER_CREATE_TIMEOUT_S };
  int len, fd;
  ssize_t n;

  if (cdir == NULL || bundle == NULL)
    return husk_error_set (err, ENOMEM, "create");
  len = snprintf (msg, sizeof msg, "create%c%s%c%s%c%s%c%s%s%s%c", 0, cid, 0, bundle, 0, cdir, 0,
                  c->tty ? "tty " : "", c->stdin_ ? "stdin " : "",
                  c->stdin_ && c->stdin_once ? "stdin-once" : "", 0);
  if (len < 0 || (size_t) len >= sizeof msg)
    return husk_error_set (err, ENAMETOOLONG, "create request for `%s`", cid);
  if ((fd = pod_holder_connect (env, sandbox_id, err)) < 0)
    return -1;
  cleanup_close int sock = fd;
  setsockopt (sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (send (sock, msg, len, MSG_NOSIGNAL) != len)
    return husk_error_set (err, errno, "send to the pod holder");
  n = recv (sock, reply, sizeof reply - 1, 0);
  if (n <= 0)
    return husk_error_set (err, n < 0 ? errno : EPIPE, "no answer from the pod holder");
  reply[n] = '\0';
  return pod_holder_parse_reply (reply, pid, err);
}

static bool
wait_gone (pid_t pid, int ms)
{
  struct timespec ts = { 0, 10 * 1000 * 1000 };
  for (int waited = 0; waited < ms; waited += 10)
    {
      char path[64], buf[512];
      snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
      cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC);
      ssize_t n = fd >= 0 ? read (fd, buf, sizeof buf - 1) : -1;
      if (n <= 0)
        return true;
      buf[n] = '\0';
      const char *p = strrchr (buf, ')');
      if (p && (p[2] == 'Z' || p[2] == 'X'))
        return true;
      nanosleep (&ts, NULL);
    }
  return false;
}

int
pod_holder_stop (const struct pod_env *env, const char *sandbox_id, struct husk_error **err)
{
  pid_t holder = pod_holder_pid (env, sandbox_id);
  pid_t pid1 = pod_holder_pid1 (env, sandbox_id);

  if (pid1 > 0)
    kill (pid1, SIGKILL);
  if (holder <= 0)
    return 0;
  kill (holder, SIGTERM);
  if (wait_gone (holder, 3000))
    return 0;
  kill (holder, SIGKILL);
  if (!wait_gone (holder, 3000))
    return husk_error_set (err, ETIMEDOUT, "pod holder %d of `%s` did not exit", (int) holder,
                           sandbox_id);
  return 0;
}

int
pod_holder_ask (const struct pod_env *env, const char *sandbox_id, const char *msg, size_t len,
                const char *what, int *out, struct husk_error **err)
{
  struct timeval tv = { .tv_sec = POD_HOLDER_ASK_TIMEOUT_S };
  cleanup_close int sock = -1;
  char reply[512];
  ssize_t n;

  if ((sock = pod_holder_connect (env, sandbox_id, err)) < 0)
    return husk_error_wrap (err, "%s", what);
  setsockopt (sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (send (sock, msg, len, MSG_NOSIGNAL) != (ssize_t) len)
    return husk_error_set (err, errno, "%s: send to the pod holder", what);
  n = recv (sock, reply, sizeof reply - 1, 0);
  if (n <= 0)
    return husk_error_set (err, n < 0 ? errno : EPIPE, "%s: no answer from the pod holder", what);
  reply[n] = '\0';
  if (pod_holder_parse_reply (reply, NULL, err) < 0)
    return -1;
  if (out)
    *out = steal_fd (&sock);
  return 0;
}
