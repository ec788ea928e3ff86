/* sd_notify through the container, as runc proxies it
 * (notify_socket.go): with NOTIFY_SOCKET in husk's environment, `create`
 * bind-mounts <state dir>/notify read-only on /run/notify in the container
 * and sets NOTIFY_SOCKET=/run/notify/notify.sock in its env; `start` (or
 * `run`) binds that datagram socket, lets the process go, and forwards
 * the first READY= it sends to the host's socket, with MAINPID= the
 * container's init, so systemd (Type=notify) and podman --sdnotify=container
 * see the container's own readiness.  The wait ends early if the init
 * exits. */
#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "../oci/cleanup.h"

#define NOTIFY_IN_CONTAINER "/run/notify"
#define NOTIFY_SOCKET_NAME "notify.sock"
#define NOTIFY_ENV "NOTIFY_SOCKET=" NOTIFY_IN_CONTAINER "/" NOTIFY_SOCKET_NAME

static int
add_mount (struct oci_config *config, const char *source, struct husk_error **err)
{
  static const char *const options[] = { "bind", "nosuid", "noexec", "nodev", "ro" };
  const size_t n_opts = sizeof options / sizeof options[0];
  struct oci_mount *m = realloc (config->mounts, (config->mounts_len + 1) * sizeof *m);

  if (m == NULL)
    return husk_error_set (err, ENOMEM, "notify socket mount");
  config->mounts = m;
  m = &m[config->mounts_len];
  memset (m, 0, sizeof *m);
  config->mounts_len++; /* freed with the config from here on */
  m->destination = strdup (NOTIFY_IN_CONTAINER);
  m->source = strdup (source);
  m->type = strdup ("bind");
  m->options = calloc (n_opts + 1, sizeof *m->options);
  if (m->destination == NULL || m->source == NULL || m->type == NULL || m->options == NULL)
    return husk_error_set (err, ENOMEM, "notify socket mount");
  for (size_t i = 0; i < n_opts; i++, m->options_len++)
    if ((m->options[i] = strdup (options[i])) == NULL)
      return husk_error_set (err, ENOMEM, "notify socket mount");
  return 0;
}

/* NOTIFY_SOCKET in process.env becomes the container's socket. */
static int
set_env (struct oci_process *process, struct husk_error **err)
{
  char *value = strdup (NOTIFY_ENV);
  char **env;

  if (value == NULL)
    return husk_error_set (err, ENOMEM, "NOTIFY_SOCKET");
  for (size_t i = 0; i < process->env_len; i++)
    if (strncmp (process->env[i], "NOTIFY_SOCKET=", 14) == 0)
      {
        free (process->env[i]);
        process->env[i] = value;
        return 0;
      }
  env = realloc (process->env, (process->env_len + 2) * sizeof *env);
  if (env == NULL)
    {
      free (value);
      return husk_error_set (err, ENOMEM, "NOTIFY_SOCKET");
    }
  env[process->env_len++] = value;
  env[process->env_len] = NULL;
  process->env = env;
  return 0;
}

int
husk_notify_add_to_config (struct oci_config *config, const char *state_root, const char *id,
                           struct husk_error **err)
{
  cleanup_free char *source = NULL;
  char cwd[4096] = "";

  if (state_root[0] != '/' && getcwd (cwd, sizeof cwd) == NULL)
    return husk_error_set (err, errno, "getcwd");
  if (asprintf (&source, "%s%s%s/%s/" HUSK_NOTIFY_DIR, cwd, cwd[0] ? "/" : "", state_root, id)
      < 0)
    return husk_error_set (err, ENOMEM, "asprintf");
  if (add_mount (config, source, err) < 0 || set_env (config->process, err) < 0)
    return husk_error_wrap (err, "NOTIFY_SOCKET");
  return 0;
}

int
husk_notify_make_dir (int state_dirfd, struct husk_error **err)
{
  /* the container's user connects to the socket: the dir is searchable */
  if (mkdirat (state_dirfd, HUSK_NOTIFY_DIR, 0755) < 0
      || fchmodat (state_dirfd, HUSK_NOTIFY_DIR, 0755, 0) < 0)
    return husk_error_set (err, errno, "mkdir notify socket dir");
  return 0;
}

/* Bound through /proc/self/fd: a state root of any length fits sun_path. */
int
husk_notify_bind (int state_dirfd, int *out, struct husk_error **err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  cleanup_close int fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  cleanup_close int dir = openat (state_dirfd, HUSK_NOTIFY_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    return husk_error_set (err, errno, "notify socket");
  if (dir < 0)
    return husk_error_set (err, errno, "open notify socket dir (was the container created "
                                       "with NOTIFY_SOCKET set?)");
  snprintf (addr.sun_path, sizeof addr.sun_path, "/proc/self/fd/%d/" NOTIFY_SOCKET_NAME, dir);
  unlinkat (dir, NOTIFY_SOCKET_NAME, 0); /* a previous start's */
  if (bind (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    return husk_error_set (err, errno, "bind notify socket");
  /* any user of the container may notify, as with runc */
  if (fchmodat (dir, NOTIFY_SOCKET_NAME, 0777, 0) < 0)
    return husk_error_set (err, errno, "chmod notify socket");
  *out = steal_fd (&fd);
  return 0;
}

static int
send_host (const char *host, const char *line, pid_t pid, struct husk_error **err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  cleanup_close int fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  char msg[512];
  int n;

  /* '@' is systemd's spelling of the abstract namespace */
  if (strlen (host) >= sizeof addr.sun_path)
    return husk_error_plain (err, ENAMETOOLONG, "NOTIFY_SOCKET `%s`: path too long", host);
  memcpy (addr.sun_path, host, strlen (host));
  if (host[0] == '@')
    addr.sun_path[0] = '\0';
  n = snprintf (msg, sizeof msg, "%s\nMAINPID=%d\n", line, (int) pid);
  if (fd < 0
      || sendto (fd, msg, (size_t) n, MSG_NOSIGNAL, (struct sockaddr *) &addr,
                 (socklen_t) (offsetof (struct sockaddr_un, sun_path) + strlen (host)))
             < 0)
    return husk_error_set (err, errno, "NOTIFY_SOCKET `%s`: send READY", host);
  return 0;
}

/* The first line of a datagram that starts with READY=, or NULL. */
static const char *
ready_line (char *buf)
{
  for (char *line = strtok (buf, "\n"); line; line = strtok (NULL, "\n"))
    if (strncmp (line, "READY=", 6) == 0)
      return line;
  return NULL;
}

int
husk_notify_forward (int fd, const char *host, pid_t pid, struct husk_error **err)
{
  cleanup_close int pidfd = (int) syscall (SYS_pidfd_open, pid, 0);

  if (pidfd < 0)
    return 0; /* gone already */
  for (;;)
    {
      struct pollfd p[2] = { { .fd = fd, .events = POLLIN }, { .fd = pidfd, .events = POLLIN } };
      char buf[4097];
      const char *line;
      ssize_t n;

      if (poll (p, 2, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return husk_error_set (err, errno, "poll notify socket");
        }
      if ((p[1].revents & POLLIN) && !(p[0].revents & POLLIN))
        return 0; /* the init exited without READY */
      n = recv (fd, buf, sizeof buf - 1, MSG_DONTWAIT);
      if (n < 0)
        continue;
      buf[n] = '\0';
      if ((line = ready_line (buf)) != NULL)
        return send_host (host, line, pid, err);
    }
}
