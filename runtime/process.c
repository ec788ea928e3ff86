/* Steps of the container process shared by init and exec: stdio, rlimits,
 * keyring, cwd, identity and seccomp ordering, fds, the PATH lookup and
 * execve.  The parent precomputes (husk_plan_*) what needs allocation. */
#include "plan.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <linux/close_range.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../oci/cleanup.h"
#include "../oci/spec_names.h"
#include "security/identity.h"
#include "security/seccomp.h"
#include "errors.h"
#include "mkdir_p.h"
#include "sync.h"

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

int
husk_plan_rlimits (const struct oci_process *process, struct husk_rlimit_plan **out,
                   size_t *len, struct husk_error **err)
{
  cleanup_free struct husk_rlimit_plan *plans = NULL;

  *out = NULL;
  *len = 0;
  if (process->rlimits_len == 0)
    return 0;
  plans = calloc (process->rlimits_len, sizeof *plans);
  if (plans == NULL)
    return husk_error_set (err, ENOMEM, "calloc");
  for (size_t i = 0; i < process->rlimits_len; i++)
    {
      const struct oci_rlimit *r = &process->rlimits[i];
      plans[i].resource = oci_rlimit_from_name (r->type);
      if (plans[i].resource < 0)
        return husk_error_plain (err, EINVAL, "process.rlimits[%zu].type: unknown rlimit \"%s\"",
                               i, r->type);
      plans[i].limit = (struct rlimit){ .rlim_cur = r->soft, .rlim_max = r->hard };
      plans[i].name = r->type;
    }
  *out = steal_pointer (&plans);
  *len = process->rlimits_len;
  return 0;
}

int
husk_plan_env (const struct oci_process *process, int listen_fds, char ***out,
               struct husk_error **err)
{
  size_t n = process->env_len;
  bool has_path = false;
  char **env;
  /* the strings live as long as the vector: one block after it */
  char (*listen)[32];

  for (size_t i = 0; i < n; i++)
    if (strncmp (process->env[i], "PATH=", 5) == 0)
      has_path = true;
  env = calloc (1, (n + 4) * sizeof *env + 2 * sizeof *listen);
  if (env == NULL)
    return husk_error_set (err, ENOMEM, "calloc");
  listen = (char (*)[32]) (env + n + 4);
  for (size_t i = 0; i < n; i++)
    env[i] = process->env[i];
  if (!has_path)
    env[n++] = (char *) DEFAULT_PATH;
  if (listen_fds > 0)
    {
      snprintf (listen[0], sizeof listen[0], "LISTEN_FDS=%d", listen_fds);
      snprintf (listen[1], sizeof listen[1], "LISTEN_PID=1");
      env[n++] = listen[0];
      env[n++] = listen[1];
    }
  *out = env; /* borrowed strings: free only the vector */
  return 0;
}

int
husk_process_setup_stdio (const struct husk_plan *plan, struct husk_error **err)
{
  for (int i = 0; i < 3; i++)
    {
      if (plan->stdio[i] < 0 || plan->stdio[i] == i)
        continue;
      if (dup2 (plan->stdio[i], i) < 0)
        return husk_error_set (err, errno, "dup2 fd %d to %d", plan->stdio[i], i);
    }
  return 0;
}

int
husk_process_apply_rlimits (const struct husk_plan *plan, struct husk_error **err)
{
  for (size_t i = 0; i < plan->rlimits_len; i++)
    {
      const struct husk_rlimit_plan *r = &plan->rlimits[i];
      if (setrlimit (r->resource, &r->limit) < 0)
        return husk_error_set (err, errno, "setrlimit %s soft=%llu hard=%llu", r->name,
                               (unsigned long long) r->limit.rlim_cur,
                               (unsigned long long) r->limit.rlim_max);
    }
  return 0;
}

static int
is_executable (const char *path)
{
  struct stat st;
  if (stat (path, &st) < 0)
    return -1;
  if (S_ISDIR (st.st_mode))
    return errno = EACCES, -1;
  return 0;
}

static const char *
env_path (char *const *env)
{
  for (; env && *env; env++)
    if (strncmp (*env, "PATH=", 5) == 0)
      return *env + 5;
  return DEFAULT_PATH + 5;
}

int
husk_process_lookup (const char *file, char *const *env, char out[static 4096],
                     struct husk_error **err)
{
  const char *p;
  int first_errno = ENOENT;

  if (file == NULL || file[0] == '\0')
    return husk_error_set (err, EINVAL, "process.args: empty");
  if (strchr (file, '/'))
    {
      if (is_executable (file) < 0)
        return husk_error_set (err, errno, "exec: \"%s\"", file);
      snprintf (out, 4096, "%s", file);
      return 0;
    }
  for (p = env_path (env); p; p = strchr (p, ':') ? strchr (p, ':') + 1 : NULL)
    {
      size_t dir_len = strcspn (p, ":");
      if (dir_len == 0)
        dir_len = 1, p = "."; /* an empty entry is the cwd */
      if ((size_t) snprintf (out, 4096, "%.*s/%s", (int) dir_len, p, file) >= 4096)
        continue;
      if (is_executable (out) == 0)
        return 0;
      if (errno != ENOENT && errno != ENOTDIR)
        first_errno = errno;
    }
  return husk_error_plain (err, first_errno,
                           "exec: \"%s\": executable file not found in $PATH", file);
}

int
husk_process_close_fds (int preserve_fds, struct husk_error **err)
{
  /* CVE-2024-21626: nothing of the host's may cross execve. */
  if (syscall (SYS_close_range, 3 + preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
    return husk_error_set (err, errno, "close_range");
  return 0;
}

int
husk_process_join_keyring (const char *name, struct husk_error **err)
{
  /* KEYCTL_JOIN_SESSION_KEYRING = 1: a fresh session keyring so the
   * container cannot read the host's session keys. */
  if (syscall (SYS_keyctl, 1, name) < 0 && errno != ENOSYS)
    return husk_error_set (err, errno, "join session keyring `%s`", name);
  return 0;
}

int
husk_process_chdir (const char *cwd, bool create, struct husk_error **err)
{
  char failed[4096];

  if (cwd == NULL || cwd[0] == '\0')
    cwd = "/";
  if (chdir (cwd) == 0)
    return 0;
  if (errno != ENOENT || !create)
    return husk_error_set (err, errno, "chdir to cwd (\"%s\") set in config.json", cwd);
  /* runc creates a missing cwd inside the new root */
  if (husk_mkdir_p (cwd, 0755, failed) < 0)
    return husk_error_set (err, errno, "mkdir cwd `%s`", failed);
  if (chdir (cwd) < 0)
    return husk_error_set (err, errno, "chdir to cwd (\"%s\") set in config.json", cwd);
  return 0;
}

static int
install_seccomp (const struct husk_plan *plan, struct husk_error **err)
{
  cleanup_close int listener = -1;
  struct husk_sync_msg msg cleanup_sync_msg = { .fd = -1 };

  if (husk_seccomp_install (plan->seccomp, &listener, err) < 0)
    return -1;
  if (listener < 0)
    return 0;
  if (husk_sync_send (plan->sync_fd, HUSK_SYNC_SECCOMP_LISTENER, 0, NULL, 0, listener, err) < 0)
    return -1;
  return husk_sync_recv (plan->sync_fd, HUSK_SYNC_BIT (HUSK_SYNC_SECCOMP_DONE), &msg, err);
}

/* The stdio husk hands over (pipes, the pty slave) belongs to the caller:
 * give it to process.user so a non-root process can reopen /dev/stdout, as
 * runc does.  /dev/null is shared and stays root's; an owner we may not
 * change (unmapped in a user namespace, EPERM, a read-only /dev) is left
 * alone. */
static int
give_stdio_to_user (const struct husk_plan *plan, struct husk_error **err)
{
  uid_t uid = plan->process->user.uid;

  for (int fd = 0; fd < 3; fd++)
    {
      struct stat st;
      if (fstat (fd, &st) < 0)
        {
          if (errno == EBADF)
            continue;
          return husk_error_set (err, errno, "fstat stdio fd %d", fd);
        }
      if (st.st_uid == uid || (S_ISCHR (st.st_mode) && st.st_rdev == makedev (1, 3)))
        continue;
      if (fchown (fd, uid, (gid_t) -1) < 0 && errno != EINVAL && errno != EPERM
          && errno != EROFS)
        return husk_error_set (err, errno, "fchown stdio fd %d to uid %u", fd, (unsigned) uid);
    }
  return 0;
}

int
husk_process_identity (const struct husk_plan *plan, struct husk_error **err)
{
  bool nnp = plan->process->no_new_privileges;

  if (give_stdio_to_user (plan, err) < 0)
    return -1;

  /* Without no_new_privs loading a filter needs CAP_SYS_ADMIN: do it
   * before the identity change drops it. */
  if (plan->seccomp && !nnp && install_seccomp (plan, err) < 0)
    return -1;
  if (husk_identity_apply (plan->process, err) < 0)
    return -1;
  if (nnp && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return husk_error_set (err, errno, "prctl PR_SET_NO_NEW_PRIVS");
  /* A listener fd must reach the parent before it leaves. */
  if (plan->seccomp && nnp && plan->seccomp_notify && install_seccomp (plan, err) < 0)
    return -1;
  return 0;
}

int
husk_process_finish (const struct husk_plan *plan, const char *path, struct husk_error **err)
{
  bool nnp = plan->process->no_new_privileges;

  /* Last, so the profile need not allow what husk itself calls. */
  if (plan->seccomp && nnp && !plan->seccomp_notify && install_seccomp (plan, err) < 0)
    return -1;
  {
    sigset_t none;
    sigemptyset (&none);
    sigprocmask (SIG_SETMASK, &none, NULL); /* the parent blocked all to forward them */
  }
  execve (path, plan->process->args, plan->env);
  return husk_error_set (err, errno, "exec: \"%s\"", plan->process->args[0]);
}
