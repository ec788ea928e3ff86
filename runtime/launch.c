/* The parent's half of the sync protocol (sync.h) shared by create and
 * exec: the two-stage pid hand-over and the wait for READY. */
#include "container.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <stdint.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../oci/cleanup.h"
#include "security/seccomp.h"
#include "sync.h"

int
husk_launch_await_joined (int sync_fd, const struct husk_plan *plan, struct husk_error **err)
{
  struct husk_sync_msg msg cleanup_sync_msg = { .fd = -1 };

  if (plan->cgroup_join_len == 0 || !plan->report_joined)
    return 0;
  return husk_sync_recv (sync_fd, HUSK_SYNC_BIT (HUSK_SYNC_CGROUP_JOINED), &msg, err);
}

int
husk_launch_send_go (int sync_fd, const char *state_json, struct husk_error **err)
{
  cleanup_error struct husk_error *send_err = NULL;
  struct husk_sync_msg msg cleanup_sync_msg = { .fd = -1 };

  if (husk_sync_send (sync_fd, HUSK_SYNC_GO, 0, state_json, strlen (state_json), -1, &send_err)
      == 0)
    return 0;
  /* a child that failed before GO (its cgroup join, setsid) sent why and
   * left: its error is what the caller must see, not our EPIPE */
  if (send_err->errnum != EPIPE && send_err->errnum != ECONNRESET)
    return husk_error_propagate (err, &send_err);
  /* nothing is expected: the child's ERROR, else "exited unexpectedly" */
  husk_sync_recv (sync_fd, 0, &msg, err);
  return -1;
}

int
husk_launch_await_pid (int sync_fd, pid_t stage1, const struct oci_linux *linux_, pid_t *pid,
                       struct husk_error **err)
{
  unsigned want = HUSK_SYNC_BIT (HUSK_SYNC_USERMAP_REQUEST) | HUSK_SYNC_BIT (HUSK_SYNC_INIT_PID);

  *pid = 0;
  while (*pid == 0)
    {
      struct husk_sync_msg msg cleanup_sync_msg = { .fd = -1 };
      if (husk_sync_recv (sync_fd, want, &msg, err) < 0)
        return -1;
      if (msg.type == HUSK_SYNC_INIT_PID)
        *pid = msg.value;
      else if (husk_ns_write_id_maps (stage1, linux_, err) < 0
               || husk_sync_send (sync_fd, HUSK_SYNC_USERMAP_DONE, 0, NULL, 0, -1, err) < 0)
        return -1;
    }
  waitpid (stage1, NULL, 0);
  return 0;
}

static int
handle_message (int sync_fd, const char *console_socket, const struct oci_seccomp *seccomp,
                const char *state_json, pid_t pid, int *pty_master, struct husk_sync_msg *msg,
                struct husk_error **err)
{
  if (msg->type == HUSK_SYNC_PTY_MASTER)
    {
      if (console_socket)
        return husk_terminal_send_console (console_socket, msg->fd, err);
      *pty_master = steal_fd (&msg->fd);
      return 0;
    }
  if (husk_seccomp_send_listener_pid (seccomp, state_json, pid, msg->fd, err) < 0)
    return -1;
  return husk_sync_send (sync_fd, HUSK_SYNC_SECCOMP_DONE, 0, NULL, 0, -1, err);
}

int
husk_launch_await_ready (int sync_fd, const char *console_socket,
                         const struct oci_seccomp *seccomp, const char *state_json, pid_t pid,
                         int *pty_master, struct husk_error **err)
{
  unsigned want = HUSK_SYNC_BIT (HUSK_SYNC_PTY_MASTER) | HUSK_SYNC_BIT (HUSK_SYNC_SECCOMP_LISTENER)
                  | HUSK_SYNC_BIT (HUSK_SYNC_READY);

  for (;;)
    {
      struct husk_sync_msg msg cleanup_sync_msg = { .fd = -1 };
      if (husk_sync_recv (sync_fd, want, &msg, err) < 0)
        return -1;
      if (msg.type == HUSK_SYNC_READY)
        return 0;
      if (handle_message (sync_fd, console_socket, seccomp, state_json, pid, pty_master, &msg,
                          err)
          < 0)
        return -1;
    }
}

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* The kernel's struct clone_args (v2, with `cgroup`), declared here since
 * <linux/sched.h> and glibc's <sched.h> do not mix. */
struct husk_clone_args {
  uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
      set_tid_size, cgroup;
};

/* Like fork() with namespace flags, through the raw syscall (no atfork
 * handlers).  Given a cgroup v2 directory, clone3 starts the child inside
 * it (CLONE_INTO_CGROUP), so not even its first instruction runs in the
 * caller's cgroup; kernels before 5.7, or a refusal, fall back to clone and
 * the parent moves the child before it runs any of the container's code. */
static pid_t
clone_child (unsigned long ns_flags, int cgroup_fd, bool *into_cgroup)
{
  *into_cgroup = false;
  if (cgroup_fd >= 0)
    {
      struct husk_clone_args args = { .flags = ns_flags | CLONE_INTO_CGROUP,
                                      .exit_signal = SIGCHLD,
                                      .cgroup = (uint64_t) cgroup_fd };
      pid_t pid = (pid_t) syscall (SYS_clone3, &args, sizeof args);
      if (pid >= 0)
        {
          *into_cgroup = true;
          return pid;
        }
    }
  return (pid_t) syscall (SYS_clone, SIGCHLD | ns_flags, NULL, NULL, NULL, NULL);
}

int
husk_launch_spawn (struct husk_plan *plan, int lock_fd, int cgroup_fd, int *sync_fd,
                   pid_t *child, bool *into_cgroup, struct husk_error **err)
{
  int fds[2];
  bool two_stage = plan->ns.any_join || plan->ns.create_time;
  /* the cgroup namespace comes later, once the child is in its cgroup */
  unsigned long flags = two_stage ? 0 : plan->ns.clone_flags & ~CLONE_NEWCGROUP;
  pid_t pid;

  if (husk_sync_socketpair (fds, err) < 0)
    return -1;
  plan->sync_fd = fds[1];
  plan->close_fds[0] = fds[0];
  plan->close_fds[1] = lock_fd;
  pid = clone_child (flags, cgroup_fd, into_cgroup);
  if (pid < 0)
    {
      int saved = errno;
      close (fds[0]);
      close (fds[1]);
      for (size_t i = 0; i < plan->cgroup_join_len; i++)
        close (plan->cgroup_join_fds[i]);
      plan->cgroup_join_len = 0;
      return husk_error_set (err, saved, "clone (flags 0x%lx)", flags);
    }
  if (pid == 0)
    husk_init_main (plan);
  close (fds[1]);
  plan->sync_fd = -1;
  for (size_t i = 0; i < plan->cgroup_join_len; i++)
    close (plan->cgroup_join_fds[i]);
  *sync_fd = fds[0];
  *child = pid;
  return 0;
}
