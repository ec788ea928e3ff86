/* The parent's half of the sync protocol (sync.h) shared by create and
 * exec: the two-stage pid hand-over and the wait for READY. */
#include "container.h"

#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../oci/cleanup.h"
#include "security/seccomp.h"
#include "sync.h"

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
                const char *state_json, int *pty_master, struct husk_sync_msg *msg,
                struct husk_error **err)
{
  if (msg->type == HUSK_SYNC_PTY_MASTER)
    {
      if (console_socket)
        return husk_terminal_send_console (console_socket, msg->fd, err);
      *pty_master = steal_fd (&msg->fd);
      return 0;
    }
  if (husk_seccomp_send_listener (seccomp, state_json, msg->fd, err) < 0)
    return -1;
  return husk_sync_send (sync_fd, HUSK_SYNC_SECCOMP_DONE, 0, NULL, 0, -1, err);
}

int
husk_launch_await_ready (int sync_fd, const char *console_socket,
                         const struct oci_seccomp *seccomp, const char *state_json,
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
      if (handle_message (sync_fd, console_socket, seccomp, state_json, pty_master, &msg, err)
          < 0)
        return -1;
    }
}

int
husk_launch_spawn (struct husk_plan *plan, int lock_fd, int *sync_fd, pid_t *child,
                   struct husk_error **err)
{
  int fds[2];
  bool two_stage = plan->ns.any_join || plan->ns.create_time;
  /* the cgroup namespace comes later, once the child is in its cgroup */
  long flags = SIGCHLD | (two_stage ? 0 : plan->ns.clone_flags & ~CLONE_NEWCGROUP);
  pid_t pid;

  if (husk_sync_socketpair (fds, err) < 0)
    return -1;
  plan->sync_fd = fds[1];
  plan->close_fds[0] = fds[0];
  plan->close_fds[1] = lock_fd;
  /* the raw syscall: like fork() with namespace flags, no atfork handlers */
  pid = (pid_t) syscall (SYS_clone, flags, NULL, NULL, NULL, NULL);
  if (pid < 0)
    {
      int saved = errno;
      close (fds[0]);
      close (fds[1]);
      return husk_error_set (err, saved, "clone (flags 0x%lx)", flags);
    }
  if (pid == 0)
    husk_init_main (plan);
  close (fds[1]);
  plan->sync_fd = -1;
  *sync_fd = fds[0];
  *child = pid;
  return 0;
}
