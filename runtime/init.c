/* The container's init: from clone() to execve, one plain function per
 * stage.  Any error before READY goes back to the parent over the sync
 * socket; the parent reports it as the reason create failed. */
#include "plan.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../oci/cleanup.h"
#include "cgroup/cgroup.h"
#include "hooks.h"
#include "mount/rootfs.h"
#include "mount/safe_path.h"
#include "state_store.h"
#include "sync.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* Two-stage create (namespaces joined by path, or a time namespace): this
 * process joins and unshares, then forks the init proper, which a pid or
 * time namespace only gives to children.  Returns in the init only. */
static int
init_stage1 (struct husk_plan *plan, struct husk_error **err)
{
  int flags = (plan->ns.clone_flags & ~CLONE_NEWCGROUP) | (plan->ns.create_time ? CLONE_NEWTIME : 0);
  struct husk_sync_msg msg cleanup_sync_msg = { .fd = -1 };
  pid_t pid;

  prctl (PR_SET_NAME, "husk:[stage1]");
  if (husk_ns_join (&plan->ns, err) < 0)
    return -1;
  if (flags && unshare (flags) < 0)
    return husk_error_set (err, errno, "unshare namespaces (flags 0x%x)", flags);
  if (flags & CLONE_NEWUSER)
    {
      if (husk_sync_send (plan->sync_fd, HUSK_SYNC_USERMAP_REQUEST, 0, NULL, 0, -1, err) < 0
          || husk_sync_recv (plan->sync_fd, HUSK_SYNC_BIT (HUSK_SYNC_USERMAP_DONE), &msg, err)
                 < 0)
        return -1;
      if (setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0)
        return husk_error_set (err, errno, "become root in the user namespace");
    }
  if (plan->ns.create_time && plan->time_offsets
      && husk_ns_write_time_offsets (plan->time_offsets, err) < 0)
    return -1;
  pid = fork ();
  if (pid < 0)
    return husk_error_set (err, errno, "fork init");
  if (pid == 0)
    return 0; /* no death signal: stage1, its parent, leaves right away */
  if (husk_sync_send (plan->sync_fd, HUSK_SYNC_INIT_PID, pid, NULL, 0, -1, err) < 0)
    return -1;
  _exit (0);
}

/* Before anything else, so that every process of the container (stage1's
 * fork too) starts in its cgroup; cheaper than the parent's write (see
 * husk_cgroup_join_fds). */
static int
join_cgroup (struct husk_plan *plan, struct husk_error **err)
{
  size_t len = plan->cgroup_join_len;

  if (len == 0)
    return 0;
  plan->cgroup_join_len = 0;
  if (husk_cgroup_join_self (plan->cgroup_join_fds, len, err) < 0)
    return -1;
  if (!plan->report_joined)
    return 0; /* a failure above still reaches the parent, at READY */
  return husk_sync_send (plan->sync_fd, HUSK_SYNC_CGROUP_JOINED, 0, NULL, 0, -1, err);
}

static int
wait_go (struct husk_plan *plan, struct husk_error **err)
{
  struct husk_sync_msg msg = { .fd = -1 };

  if (husk_sync_recv (plan->sync_fd, HUSK_SYNC_BIT (HUSK_SYNC_GO), &msg, err) < 0)
    return -1;
  plan->state_json = msg.data; /* kept until exec */
  return 0;
}

/* runc makes a missing cwd before the root turns read-only: here, with the
 * mounts in place, resolved inside the rootfs (never through a symlink out
 * of it). */
static int
make_cwd (const char *cwd, struct husk_error **err)
{
  cleanup_close int root = -1, fd = -1;

  if (cwd == NULL || strcmp (cwd, "/") == 0)
    return 0;
  root = open (".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return husk_error_set (err, errno, "open rootfs");
  fd = husk_safe_create (root, cwd, HUSK_SAFE_DIR, err);
  return fd < 0 ? husk_error_wrap (err, "cwd") : 0;
}

static int
before_pivot (void *data, struct husk_error **err)
{
  struct husk_plan *plan = data;

  if (make_cwd (plan->process->cwd, err) < 0)
    return -1;
  return husk_hooks_run (&plan->config->hooks.create_container, "createContainer",
                         plan->state_json, err);
}

static int
init_hostname (const struct oci_config *config, struct husk_error **err)
{
  if (config->hostname && sethostname (config->hostname, strlen (config->hostname)) < 0)
    return husk_error_set (err, errno, "sethostname `%s`", config->hostname);
  if (config->domainname
      && setdomainname (config->domainname, strlen (config->domainname)) < 0)
    return husk_error_set (err, errno, "setdomainname `%s`", config->domainname);
  return 0;
}

/* linux.personality: the execution domain the process starts in (LINUX32
 * makes `uname -m` say i686).  The spec defines no flags yet. */
static int
init_personality (const struct oci_config *config, struct husk_error **err)
{
  const struct oci_personality *p = config->linux_ ? config->linux_->personality : NULL;
  unsigned long persona;

  if (p == NULL || p->domain == NULL)
    return 0;
  persona = strcmp (p->domain, "LINUX32") == 0 ? PER_LINUX32 : PER_LINUX;
  if (personality (persona) < 0)
    return husk_error_set (err, errno, "personality %s", p->domain);
  return 0;
}

static int
init_rootfs (struct husk_plan *plan, struct husk_error **err)
{
  struct husk_rootfs_options opts = {
    .bundle = plan->bundle,
    .no_pivot = plan->no_pivot,
    .in_user_ns = plan->in_user_ns,
    .host_mount_ns = !plan->mount_ns,
    .idmap_userns_fds = plan->idmap_userns_fds,
    .host_cgroup_mode = plan->host_cgroup_mode,
    .host_mountinfo = plan->host_mountinfo,
  };

  return husk_rootfs_setup (plan->config, &opts, before_pivot, plan, err);
}

static int
init_terminal (struct husk_plan *plan, struct husk_error **err)
{
  cleanup_close int master = -1;

  if (!plan->process->terminal)
    return 0;
  if (husk_terminal_child (plan->process->console_size, &master, err) < 0)
    return -1;
  /* exec joins a console already made; without a mount namespace of our
   * own there is no /dev of the container's to put it in */
  if (!plan->is_exec && plan->mount_ns && husk_rootfs_bind_console (master, err) < 0)
    return -1;
  return husk_sync_send (plan->sync_fd, HUSK_SYNC_PTY_MASTER, 0, NULL, 0, master, err);
}

/* Everything up to READY: errors still reach the parent. */
static int
init_prepare (struct husk_plan *plan, char exec_path[static 4096], struct husk_error **err)
{
  if (join_cgroup (plan, err) < 0)
    return -1;
  /* the parent joined the pid namespace for us: the rest without a fork */
  if (plan->ns.children_joined)
    {
      if (husk_ns_join (&plan->ns, err) < 0)
        return -1;
    }
  else if (plan->ns.any_join || plan->ns.create_time)
    {
      if (init_stage1 (plan, err) < 0)
        return -1;
    }
  prctl (PR_SET_NAME, plan->is_exec ? "husk:[exec]" : "husk:[init]");
  /* A session and process group of its own, as runc's init and exec
   * processes: in the caller's group, kill(0, SIGKILL) in the container
   * would reach the caller (containerd-shim, conmon, a shell). */
  if (setsid () < 0)
    return husk_error_set (err, errno, "setsid");
  if (wait_go (plan, err) < 0)
    return -1;
  /* now that the parent put us in our cgroup, it becomes the namespace's
   * root, as runc does */
  if ((plan->ns.clone_flags & CLONE_NEWCGROUP) && unshare (CLONE_NEWCGROUP) < 0)
    return husk_error_set (err, errno, "unshare cgroup namespace");
  if ((plan->ns.clone_flags & CLONE_NEWUSER) && !(plan->ns.any_join || plan->ns.create_time)
      && (setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0))
    return husk_error_set (err, errno, "become root in the user namespace");
  if (husk_process_setup_stdio (plan, err) < 0)
    return -1;
  /* exec joins a container whose root is set; create sets up root.path
   * in the mount namespace made, joined or (without one) inherited */
  if (!plan->is_exec && init_hostname (plan->config, err) < 0)
    return -1;
  if (!plan->is_exec && (plan->ns.clone_flags & CLONE_NEWNET) && husk_ns_loopback_up (err) < 0)
    return -1;
  if (!plan->is_exec && init_rootfs (plan, err) < 0)
    return -1;
  if (plan->is_exec && plan->exec_root_fd >= 0
      && (fchdir (plan->exec_root_fd) < 0 || chroot (".") < 0))
    return husk_error_set (err, errno, "chroot into the container's root");
  if (init_terminal (plan, err) < 0)
    return -1;
  if (husk_process_chdir (plan->process->cwd, !plan->is_exec, err) < 0
      || husk_process_apply_rlimits (plan, err) < 0)
    return -1;
  if (!plan->is_exec && init_personality (plan->config, err) < 0)
    return -1;
  if (!plan->no_new_keyring && husk_process_join_keyring (plan->keyring_name, err) < 0)
    return -1;
  husk_process_set_home (plan); /* as root: passwd may be unreadable to the user */
  if (husk_process_identity (plan, err) < 0)
    return -1;
  return husk_process_lookup (plan->process->args[0], plan->env, exec_path, err);
}

/* The start barrier: `husk start` opening exec.fifo for reading, or START
 * from a parent that stayed (run, exec).  `fifo_path_fd` is an O_PATH
 * handle taken while still root: the state dir is root-only, so a process
 * that switched to another user reopens the fifo through /proc/self/fd,
 * where only the fifo's own mode (0622) is checked, as runc does. */
static int
init_barrier (struct husk_plan *plan, int fifo_path_fd, int *fifo_fd, struct husk_error **err)
{
  struct husk_sync_msg msg cleanup_sync_msg = { .fd = -1 };
  cleanup_close int fd = -1;
  char path[64];

  if (plan->no_start)
    return 0;
  if (plan->state_dirfd < 0)
    return husk_sync_recv (plan->sync_fd, HUSK_SYNC_BIT (HUSK_SYNC_START), &msg, err);
  snprintf (path, sizeof path, "/proc/self/fd/%d", fifo_path_fd);
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) /* no /proc in the container */
    fd = openat (plan->state_dirfd, HUSK_FIFO_FILE, O_WRONLY | O_CLOEXEC);
  if (fd < 0)
    return husk_error_set (err, errno, "open exec fifo");
  if (write (fd, "0", 1) != 1)
    return husk_error_set (err, errno, "write exec fifo");
  close (plan->state_dirfd);
  plan->state_dirfd = -1;
  /* kept open (CLOEXEC): `husk start` reads until execve closes it, so it
   * sees a startContainer failure written here */
  *fifo_fd = steal_fd (&fd);
  return 0;
}

static void
report_late (struct husk_plan *plan, bool parent_stays, int fifo_fd, struct husk_error *err)
{
  if (parent_stays)
    husk_sync_send_error (plan->sync_fd, err);
  else
    dprintf (2, "husk: init: %s\n", err->message);
  if (fifo_fd >= 0)
    dprintf (fifo_fd, "%s", err->message);
}

void
husk_init_main (struct husk_plan *plan)
{
  cleanup_error struct husk_error *err = NULL;
  char exec_path[4096];
  /* run and exec wait for the exec; create's parent is gone by then */
  bool parent_stays = plan->state_dirfd < 0;

  for (size_t i = 0; i < 2; i++)
    if (plan->close_fds[i] >= 0)
      close (plan->close_fds[i]);
  /* CVE-2019-5736: nobody in the container may open /proc/<init>/exe or
   * our fds until execve resets this. */
  prctl (PR_SET_DUMPABLE, 0, 0, 0, 0);
  /* a create that dies half way must not leave a half-made init behind */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  cleanup_close int fifo_path_fd
      = plan->state_dirfd < 0 ? -1
                              : openat (plan->state_dirfd, HUSK_FIFO_FILE, O_PATH | O_CLOEXEC);
  int fifo_fd = -1; /* closed by execve or _exit */
  if (init_prepare (plan, exec_path, &err) < 0)
    {
      husk_sync_send_error (plan->sync_fd, err);
      _exit (1);
    }
  prctl (PR_SET_PDEATHSIG, 0);
  if (husk_sync_send (plan->sync_fd, HUSK_SYNC_READY, 0, NULL, 0, -1, &err) < 0
      || init_barrier (plan, fifo_path_fd, &fifo_fd, &err) < 0)
    {
      if (err)
        report_late (plan, parent_stays, fifo_fd, err);
      _exit (1);
    }
  if (husk_process_late_seccomp (plan, &err) < 0
      || (!plan->is_exec
          && husk_hooks_run (&plan->config->hooks.start_container, "startContainer",
                             plan->state_json, &err)
                 < 0))
    {
      report_late (plan, parent_stays, fifo_fd, err);
      _exit (1);
    }
  husk_process_finish (plan, exec_path, &err);
  report_late (plan, parent_stays, fifo_fd, err);
  _exit (127);
}
