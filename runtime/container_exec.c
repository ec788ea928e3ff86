/* husk exec: a new process in a running container.  It joins the init's
 * namespaces (/proc/<init>/ns/..., user first) and cgroup, and gets the
 * container's seccomp; a stage1 process joins and forks, since a pid
 * namespace is only entered by children. */
#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../oci/cleanup.h"
#include "security/identity.h"
#include "security/seccomp.h"
#include "sync.h"

void
husk_exec_options_init (struct husk_exec_options *opts)
{
  memset (opts, 0, sizeof *opts);
  opts->stdio[0] = opts->stdio[1] = opts->stdio[2] = -1;
}

/* The config is written once, at create: read without the lock, and
 * without the state record unless the state dir has no copy of it. */
int
husk_container_exec_config (struct husk_runtime *rt, const char *id, struct oci_config **out,
                            struct husk_error **err)
{
  cleanup_state_dir struct husk_state_dir dir = { .dirfd = -1 };
  cleanup_state_record struct husk_state_record *rec = NULL;
  cleanup_error struct husk_error *no_copy = NULL;

  if (husk_state_dir_peek (husk_runtime_root (rt), id, &dir, err) < 0)
    return -1;
  if (husk_container_config (dir.dirfd, NULL, out, &no_copy) == 0)
    return 0;
  if (no_copy->errnum != ENOENT)
    return husk_error_propagate (err, &no_copy);
  if (husk_state_record_read (dir.dirfd, &rec, err) < 0)
    return -1;
  return husk_container_config (dir.dirfd, rec, out, err);
}

struct exec_ctx {
  struct husk_plan plan;
  struct husk_state_dir dir;
  struct husk_state_record *rec;
  struct oci_config *config;
  bool config_borrowed; /* opts->config: not ours to free */
  struct husk_cgroup *cg;
  struct husk_seccomp_program *seccomp;
  char *state_json;
  int sync_fd;
  int pty_master;
  pid_t child;
  pid_t pid;
  enum oci_status status; /* derived once, by exec_check */
};

static void
exec_ctx_clear (struct exec_ctx *x)
{
  husk_ns_plan_clear (&x->plan.ns);
  husk_closep (&x->plan.exec_root_fd);
  free (x->plan.rlimits);
  free (x->plan.env);
  husk_state_dir_close (&x->dir);
  husk_state_record_free (x->rec);
  if (!x->config_borrowed)
    oci_config_free (x->config);
  husk_cgroup_free (x->cg);
  husk_seccomp_program_free (x->seccomp);
  free (x->state_json);
  husk_closep (&x->sync_fd);
  husk_closep (&x->pty_master);
}

static int
exec_check (struct exec_ctx *x, const struct husk_exec_options *opts, struct husk_error **err)
{
  cleanup_error struct husk_error *no_cgroup = NULL;
  enum oci_status status;

  /* one cgroup handle for the paused check, the join and --cgroup; one
   * that cannot be opened is exec_plan's error, after the status's */
  if (x->rec->cgroup_path && husk_cgroup_open (x->rec->cgroup_path, &x->cg, &no_cgroup) < 0)
    x->cg = NULL;
  status = x->status = husk_record_status_cg (x->dir.dirfd, x->rec, x->cg);

  if (status == OCI_STATUS_STOPPED)
    return husk_error_plain (err, EINVAL, "cannot exec in a stopped container");
  if (status == OCI_STATUS_PAUSED && !opts->ignore_paused)
    return husk_error_plain (err, EINVAL,
                             "cannot exec in a paused container (use --ignore-paused to "
                             "override)");
  if (opts->process == NULL || opts->process->args_len == 0)
    return husk_error_plain (err, EINVAL, "process.args: required");
  if (opts->process->terminal && opts->detach && opts->console_socket == NULL)
    return husk_error_plain (err, EINVAL,
                             "cannot allocate tty if husk will detach without setting console "
                             "socket");
  if (!opts->process->terminal && opts->console_socket)
    return husk_error_plain (err, EINVAL,
                             "cannot use console socket if husk will not detach or allocate tty");
  return 0;
}

static int
open_exec_root (pid_t pid, struct husk_plan *plan, struct husk_error **err)
{
  char path[64];
  snprintf (path, sizeof path, "/proc/%d/root", (int) pid);
  plan->exec_root_fd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (plan->exec_root_fd < 0)
    return husk_error_set (err, errno, "open the container's root `%s`", path);
  return 0;
}

static int
exec_plan (struct exec_ctx *x, const struct husk_exec_options *opts, struct husk_error **err)
{
  struct husk_plan *plan = &x->plan;
  const struct oci_seccomp *seccomp = x->config && x->config->linux_ ? x->config->linux_->seccomp
                                                                     : NULL;

  plan->process = opts->process;
  plan->config = x->config;
  plan->id = opts->id;
  plan->bundle = x->rec->bundle;
  plan->is_exec = true;
  plan->no_new_keyring = true;
  plan->preserve_fds = opts->preserve_fds;
  /* a sub-cgroup is entered once the child left the container's own */
  plan->report_joined = opts->sub_cgroups_len > 0;
  memcpy (plan->stdio, opts->stdio, sizeof plan->stdio);
  plan->state_dirfd = -1;
  /* The barrier holds the process until the parent copied the terminal's
   * size onto the pty; without a terminal the parent has nothing left to
   * do before the process runs (the pid file waits for the execve either
   * way), so a round trip between the two fewer. */
  plan->no_start = !opts->process->terminal;
  if (husk_plan_rlimits (opts->process, &plan->rlimits, &plan->rlimits_len, err) < 0
      || husk_plan_env (opts->process, 0, &plan->env, &plan->home_env, err) < 0
      || husk_ns_plan_from_pid (x->rec->pid, x->config, &plan->ns, err) < 0)
    return -1;
  plan->in_user_ns = plan->ns.join_fds[OCI_NS_USER] >= 0;
  /* a container without a mount namespace of its own shares ours: its
   * root is the chroot its init made, where exec must run too */
  if (plan->ns.join_fds[OCI_NS_MOUNT] < 0 && open_exec_root (x->rec->pid, plan, err) < 0)
    return -1;
  if (seccomp)
    {
      if (husk_seccomp_compile (seccomp, &x->seccomp, err) < 0)
        return -1;
      plan->seccomp = x->seccomp;
      plan->seccomp_notify = husk_seccomp_program_has_notify (x->seccomp);
    }
  if (x->rec->cgroup_path && x->cg == NULL
      && husk_cgroup_open (x->rec->cgroup_path, &x->cg, err) < 0)
    return -1;
  return 0;
}

static int
exec_launch (struct exec_ctx *x, const struct husk_exec_options *opts, struct husk_error **err)
{
  const struct oci_seccomp *seccomp = x->config && x->config->linux_ ? x->config->linux_->seccomp
                                                                     : NULL;

  bool into_cgroup = false;

  if (x->cg
      && husk_cgroup_join_fds (x->cg, x->plan.cgroup_join_fds, HUSK_PLAN_CGROUP_FDS,
                               &x->plan.cgroup_join_len, err)
             < 0)
    return -1;
  /* forked straight into the pid namespace: no stage1 on the way */
  cleanup_close int own_pidns = husk_ns_join_for_children (&x->plan.ns);
  int spawned = husk_launch_spawn (&x->plan, x->dir.dirfd,
                                   x->cg ? husk_cgroup_dirfd (x->cg) : -1, &x->sync_fd,
                                   &x->child, &into_cgroup, err);
  cleanup_error struct husk_error *restore_err = NULL;
  if (husk_ns_restore_children (&own_pidns, &restore_err) < 0 && spawned == 0)
    return husk_error_propagate (err, &restore_err);
  if (spawned < 0 || husk_launch_await_joined (x->sync_fd, &x->plan, err) < 0)
    return -1;
  if (!x->plan.ns.any_join || x->plan.ns.children_joined)
    x->pid = x->child;
  else if (husk_launch_await_pid (x->sync_fd, x->child, NULL, &x->pid, err) < 0)
    return -1;
  x->child = 0;
  if (x->cg
      && husk_cgroup_enter_rest (x->cg, x->pid, x->plan.cgroup_join_len > 0, into_cgroup, err) < 0)
    return -1;
  if (opts->sub_cgroups_len && x->cg == NULL)
    return husk_error_plain (err, EINVAL, "--cgroup: the container has no cgroup");
  if (x->cg
      && husk_cgroup_enter_sub (x->cg, opts->sub_cgroups, opts->sub_cgroups_len, x->pid, err) < 0)
    return -1;
  if (husk_hook_state (x->rec, OCI_STATUS_RUNNING, &x->state_json, err) < 0
      || husk_launch_send_go (x->sync_fd, x->state_json, err) < 0)
    return -1;
  if (husk_launch_await_ready (x->sync_fd, opts->console_socket, seccomp, x->state_json, x->pid,
                               &x->pty_master, err)
      < 0)
    return -1;
  husk_state_dir_unlock (&x->dir);
  if (husk_launch_start (x->sync_fd, x->pty_master, !x->plan.no_start, err) < 0)
    return -1;
  if (opts->pid_file && husk_write_pid_file (opts->pid_file, x->pid, err) < 0)
    return -1;
  return 0;
}

static int
exec_steps (struct husk_runtime *rt, struct exec_ctx *x, const struct husk_exec_options *opts,
            struct husk_error **err)
{
  if (husk_container_load (rt, opts->id, &x->dir, &x->rec, err) < 0)
    return -1;
  /* the config the caller read for the process (husk_container_exec_config) */
  if (opts->config)
    x->config = (struct oci_config *) opts->config, x->config_borrowed = true;
  else if (husk_container_config (x->dir.dirfd, x->rec, &x->config, err) < 0)
    return -1;
  if (exec_check (x, opts, err) < 0 || exec_plan (x, opts, err) < 0)
    return -1;
  {
    cleanup_free char *unknown
        = husk_caps_unknown (opts->process->capabilities, "process.capabilities");
    if (unknown)
      husk_log_warning (rt, "exec: %s", unknown);
  }
  /* --ignore-paused: the process stops in the frozen cgroup until a
   * `resume`, which needs the lock */
  if (x->status == OCI_STATUS_PAUSED)
    husk_state_dir_unlock (&x->dir);
  if (exec_launch (x, opts, err) < 0)
    {
      if (x->pid > 0)
        kill (x->pid, SIGKILL);
      if (x->child > 0)
        kill (x->child, SIGKILL), waitpid (x->child, NULL, 0);
      if (x->pid > 0)
        waitpid (x->pid, NULL, __WALL);
      return -1;
    }
  return 0;
}

int
husk_container_exec (struct husk_runtime *rt, const struct husk_exec_options *opts, pid_t *pid,
                     int *exit_code, struct husk_error **err)
{
  struct exec_ctx x = { .sync_fd = -1, .pty_master = -1, .dir = { .dirfd = -1 } };
  sigset_t old;
  int ret;

  x.plan.close_fds[0] = x.plan.close_fds[1] = -1;
  x.plan.exec_root_fd = -1;
  husk_ns_plan_reset (&x.plan.ns);
  husk_block_signals (&old);
  if (!opts->detach)
    prctl (PR_SET_CHILD_SUBREAPER, 1);
  ret = exec_steps (rt, &x, opts, err);
  if (ret == 0 && pid)
    *pid = x.pid;
  if (ret == 0 && exit_code)
    *exit_code = 0;
  if (ret == 0 && !opts->detach)
    ret = husk_wait_foreground (x.pid, x.pty_master, exit_code, err);
  exec_ctx_clear (&x);
  sigprocmask (SIG_SETMASK, &old, NULL);
  return ret;
}
