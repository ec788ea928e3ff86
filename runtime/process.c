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
husk_plan_env (const struct oci_process *process, int listen_fds, char ***out, char **home,
               struct husk_error **err)
{
  size_t n = process->env_len;
  bool has_path = false, has_home = false;
  char **env;
  /* the strings live as long as the vector: one block after it */
  char (*listen)[32];
  char *home_env;

  for (size_t i = 0; i < n; i++)
    {
      if (strncmp (process->env[i], "PATH=", 5) == 0)
        has_path = true;
      if (strncmp (process->env[i], "HOME=", 5) == 0)
        has_home = true;
    }
  env = calloc (1, (n + 5) * sizeof *env + 2 * sizeof *listen + HUSK_HOME_ENV_SIZE);
  if (env == NULL)
    return husk_error_set (err, ENOMEM, "calloc");
  listen = (char (*)[32]) (env + n + 5);
  home_env = (char *) (listen + 2);
  for (size_t i = 0; i < n; i++)
    env[i] = process->env[i];
  if (!has_path)
    env[n++] = (char *) DEFAULT_PATH;
  *home = NULL;
  if (!has_home)
    {
      /* filled in by the child, which can read the container's passwd */
      strcpy (home_env, "HOME=/");
      env[n++] = *home = home_env;
    }
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

/* As Go's exec.LookPath (runc checks the command with it at create): a
 * directory or a file without any x bit is "permission denied". */
static int
is_executable (const char *path)
{
  struct stat st;
  if (stat (path, &st) < 0)
    return -1;
  if (S_ISDIR (st.st_mode) || !(st.st_mode & 0111))
    return errno = EACCES, -1;
  return 0;
}

/* errno as Go spells it (strerror with a lower-case first letter): docker
 * maps "no such file or directory" to exit code 127 and "permission
 * denied" to 126 by matching runc's text, case-sensitively. */
static const char *
go_strerror (int errnum, char buf[static 128])
{
  snprintf (buf, 128, "%s", strerror (errnum));
  if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
    buf[0] += 'a' - 'A';
  return buf;
}

static const char *
env_path (char *const *env)
{
  for (; env && *env; env++)
    if (strncmp (*env, "PATH=", 5) == 0)
      return *env + 5;
  return &DEFAULT_PATH[sizeof "PATH=" - 1];
}

int
husk_process_lookup (const char *file, char *const *env, char out[static 4096],
                     struct husk_error **err)
{
  const char *p;
  int first_errno = ENOENT;
  char why[128];

  if (file == NULL || file[0] == '\0')
    return husk_error_set (err, EINVAL, "process.args: empty");
  if (strchr (file, '/'))
    {
      if (is_executable (file) < 0)
        {
          int e = errno;
          /* runc's (Go's) wording: the stat failed, or the mode forbids */
          if (e == EACCES)
            return husk_error_plain (err, e, "exec: \"%s\": %s", file, go_strerror (e, why));
          return husk_error_plain (err, e, "exec: \"%s\": stat %s: %s", file, file,
                                   go_strerror (e, why));
        }
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

/* runc's fallback where close_range(CLOSE_RANGE_CLOEXEC) is missing (before
 * 5.11) or denied: every open fd from `first` on, as /proc lists them. */
static int
cloexec_from_proc (int first, struct husk_error **err)
{
  cleanup_close int dir = open ("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  char buf[4096];
  long n;

  if (dir < 0)
    return husk_error_set (err, errno, "close_range unavailable, and open /proc/self/fd");
  while ((n = syscall (SYS_getdents64, dir, buf, sizeof buf)) > 0)
    for (long off = 0; off < n;)
      {
        struct
        {
          unsigned long long ino, off;
          unsigned short reclen;
          unsigned char type;
          char name[];
        } *d = (void *) (buf + off);
        int fd = atoi (d->name);
        off += d->reclen;
        if (d->name[0] >= '0' && d->name[0] <= '9' && fd >= first && fd != dir)
          fcntl (fd, F_SETFD, FD_CLOEXEC);
      }
  if (n < 0)
    return husk_error_set (err, errno, "getdents /proc/self/fd");
  return 0;
}

int
husk_process_close_fds (int preserve_fds, struct husk_error **err)
{
  /* CVE-2024-21626: nothing of the host's may cross execve.  Called before
   * any seccomp filter is loaded; fds opened after this are all CLOEXEC. */
  if (syscall (SYS_close_range, 3 + preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
    return 0;
  return cloexec_from_proc (3 + preserve_fds, err);
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

/* What runs after the filter is loaded must pass any profile a container
 * can run under (runtime-tools' and Docker's default to an errno, and list
 * what the container needs).  So the filter comes after the start barrier
 * and everything else husk does (close_range, setgroups, setres[ug]id,
 * umask, the READY message, the exec fifo); what follows it is capset and
 * prctl(PR_CAP_AMBIENT) for the configured sets, startContainer hooks (run
 * under the filter, as runc runs them), sigprocmask and execve.  Without
 * no_new_privs loading it needs CAP_SYS_ADMIN: the user switch keeps the
 * permitted set effective until the configured sets replace it, which
 * runc does not (it loads the filter before the identity change).  A
 * filter with a notify listener comes before READY: its fd must reach the
 * parent before the parent leaves. */
int
husk_process_identity (struct husk_plan *plan, struct husk_error **err)
{
  bool nnp = plan->process->no_new_privileges;

  if (give_stdio_to_user (plan, err) < 0)
    return -1;
  if (husk_process_close_fds (plan->preserve_fds, err) < 0)
    return -1;
  if (husk_identity_switch (plan->process, &plan->caps, err) < 0)
    return -1;
  /* A change of uid or gid resets dumpable to fs.suid_dumpable, which a
   * host may have set to 1: the process is still husk until execve. */
  prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
  if (nnp && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return husk_error_set (err, errno, "prctl PR_SET_NO_NEW_PRIVS");
  if (plan->seccomp && plan->seccomp_notify && install_seccomp (plan, err) < 0)
    return -1;
  plan->caps_pending = plan->seccomp && !plan->seccomp_notify;
  /* without a filter to load later, capset errors still fail create */
  return plan->caps_pending ? 0 : husk_identity_set_caps (&plan->caps, err);
}

int
husk_process_late_seccomp (struct husk_plan *plan, struct husk_error **err)
{
  if (!plan->caps_pending)
    return 0;
  if (install_seccomp (plan, err) < 0)
    return -1;
  plan->caps_pending = false;
  return husk_identity_set_caps (&plan->caps, err);
}

int
husk_process_finish (const struct husk_plan *plan, const char *path, struct husk_error **err)
{
  {
    sigset_t none;
    sigemptyset (&none);
    sigprocmask (SIG_SETMASK, &none, NULL); /* the parent blocked all to forward them */
  }
  execve (path, plan->process->args, plan->env);
  {
    char why[128];
    int e = errno;
    return husk_error_plain (err, e, "exec: \"%s\": %s", plan->process->args[0],
                             go_strerror (e, why));
  }
}
