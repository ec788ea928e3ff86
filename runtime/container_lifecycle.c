/* start, kill, delete: the commands that act on an existing container. */
#include "container.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../oci/cleanup.h"
#include "mount/rootfs.h"
#include "hooks.h"

/* The init is still the process create made (not a reused pid). */
static bool
init_alive (const struct husk_state_record *rec)
{
  unsigned long long start;
  char state;

  return husk_proc_stat (rec->pid, &start, &state) == 0 && start == rec->pid_start_time
         && state != 'Z' && state != 'X';
}

static int
pidfd_of (const struct husk_state_record *rec)
{
  unsigned long long start;
  int fd = (int) syscall (SYS_pidfd_open, rec->pid, 0);

  if (fd < 0)
    return -1;
  /* the pid may have been reused since create: the start time tells */
  if (husk_proc_stat (rec->pid, &start, NULL) < 0 || start != rec->pid_start_time)
    {
      close (fd);
      return errno = ESRCH, -1;
    }
  return fd;
}

/* After its byte, the init keeps exec.fifo open until execve closes it;
 * anything it writes before is why it failed (a startContainer hook). */
static int
await_exec (int fd, struct husk_error **err)
{
  char msg[1024];
  size_t used = 0;
  ssize_t n;

  if (fcntl (fd, F_SETFL, 0) < 0)
    return husk_error_set (err, errno, "exec fifo");
  while ((n = read (fd, msg + used, sizeof msg - 1 - used)) != 0)
    {
      if (n < 0 && errno != EINTR)
        return husk_error_set (err, errno, "read exec fifo");
      if (n > 0 && (used += (size_t) n) == sizeof msg - 1)
        break;
    }
  if (used == 0)
    return 0;
  msg[used] = '\0';
  return husk_error_plain (err, EIO, "container init: %s", msg);
}

/* Waits for the write end of exec.fifo to show up and takes its byte. */
static int
open_fifo (struct husk_state_dir *dir, const struct husk_state_record *rec,
           struct husk_error **err)
{
  cleanup_close int fd = openat (dir->dirfd, HUSK_FIFO_FILE, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  cleanup_close int pidfd = pidfd_of (rec);
  char byte;

  if (fd < 0)
    return husk_error_set (err, errno, "open exec fifo");
  for (bool init_gone = false;;)
    {
      struct pollfd p[2] = { { fd, POLLIN, 0 }, { pidfd, POLLIN, 0 } };
      ssize_t n = read (fd, &byte, 1);
      if (n == 1)
        break;
      if (n < 0 && errno != EAGAIN && errno != EINTR)
        return husk_error_set (err, errno, "read exec fifo");
      /* a process that exits at once may be gone before we look: its byte
       * is still in the fifo, so read again before calling it dead */
      if (init_gone)
        return husk_error_plain (err, ESRCH, "container init exited before start");
      if (poll (p, pidfd >= 0 ? 2 : 1, 100) < 0 && errno != EINTR)
        return husk_error_set (err, errno, "poll exec fifo");
      init_gone = pidfd >= 0 ? (p[1].revents & POLLIN) != 0 : !init_alive (rec);
    }
  if (unlinkat (dir->dirfd, HUSK_FIFO_FILE, 0) < 0)
    return husk_error_set (err, errno, "remove exec fifo");
  return await_exec (fd, err);
}

static void
run_hooks_warn (struct husk_runtime *rt, int dirfd, const struct husk_state_record *rec,
                const struct oci_config *known, bool poststop, enum oci_status status)
{
  cleanup_error struct husk_error *err = NULL;
  struct oci_config *read = NULL;
  const struct oci_config *config = known;
  cleanup_free char *json = NULL;
  const struct oci_hook_list *hooks;
  int ret;

  if (config == NULL && husk_container_config (dirfd, rec, &read, &err) < 0)
    {
      if (err->errnum != ENOENT)
        husk_log_warning (rt, "%s", err->message);
      return;
    }
  if (config == NULL)
    config = read;
  hooks = poststop ? &config->hooks.poststop : &config->hooks.poststart;
  if (hooks->len > 0 && husk_hook_state (rec, status, &json, &err) == 0)
    {
      /* a failing poststart or poststop hook only warns: the others
       * still run (runtime-spec, "Lifecycle") */
      ret = husk_hooks_run_all (hooks, poststop ? "poststop" : "poststart", json, &err);
      if (ret < 0)
        husk_log_warning (rt, "%s", err->message);
    }
  oci_config_free (read);
}


void
husk_run_poststart (struct husk_runtime *rt, int dirfd, const struct husk_state_record *rec,
                    const struct oci_config *config)
{
  run_hooks_warn (rt, dirfd, rec, config, false, OCI_STATUS_RUNNING);
}

int
husk_container_start (struct husk_runtime *rt, const char *id, struct husk_error **err)
{
  cleanup_state_dir struct husk_state_dir dir = { .dirfd = -1 };
  cleanup_state_record struct husk_state_record *rec = NULL;
  enum oci_status status;

  if (husk_container_load (rt, id, &dir, &rec, err) < 0)
    return -1;
  status = husk_record_status (dir.dirfd, rec);
  if (status == OCI_STATUS_STOPPED)
    return husk_error_plain (err, EINVAL, "cannot start a container that has stopped");
  if (status != OCI_STATUS_CREATED)
    return husk_error_plain (err, EINVAL, "cannot start an already running container");
  cleanup_close int notify_fd = -1;
  if (rt->notify_socket && husk_notify_bind (dir.dirfd, &notify_fd, err) < 0)
    return -1;
  if (open_fifo (&dir, rec, err) < 0)
    return -1;
  run_hooks_warn (rt, dir.dirfd, rec, NULL, false, OCI_STATUS_RUNNING);
  /* as runc: start returns once the container said READY (or exited) */
  if (notify_fd >= 0)
    {
      husk_state_dir_unlock (&dir);
      return husk_notify_forward (notify_fd, rt->notify_socket, rec->pid, err);
    }
  return 0;
}

static int
signal_init (const struct husk_state_record *rec, int signal, struct husk_error **err)
{
  cleanup_close int pidfd = pidfd_of (rec);

  /* kernels (and valgrind) without pidfd_open: check, then kill() */
  if (pidfd < 0 && errno == ENOSYS && init_alive (rec))
    {
      if (kill (rec->pid, signal) < 0)
        return husk_error_set (err, errno, "kill pid %d with signal %d", (int) rec->pid, signal);
      return 0;
    }
  if (pidfd < 0)
    return husk_error_plain (err, ESRCH, "container not running");
  if (syscall (SYS_pidfd_send_signal, pidfd, signal, NULL, 0) < 0)
    return husk_error_set (err, errno, "kill pid %d with signal %d", (int) rec->pid, signal);
  return 0;
}

static int
signal_all (const struct husk_state_dir *dir, const struct husk_state_record *rec, int signal,
            struct husk_error **err)
{
  cleanup_cgroup struct husk_cgroup *cg = NULL;

  if (rec->cgroup_path == NULL)
    return signal_init (rec, signal, err);
  if (husk_cgroup_open (rec->cgroup_path, &cg, err) < 0
      || husk_cgroup_kill_all (cg, signal, err) < 0)
    {
      /* systemd removes a scope's cgroup once its last process exits: a
       * stopped container without one has nothing left to signal (runc
       * too; containerd's shim kills --all after the init's exit) */
      if ((*err)->errnum != ENOENT || husk_record_status (dir->dirfd, rec) != OCI_STATUS_STOPPED)
        return -1;
      husk_error_release (err);
    }
  return 0;
}

int
husk_container_kill (struct husk_runtime *rt, const char *id, int signal, bool all,
                     struct husk_error **err)
{
  cleanup_state_dir struct husk_state_dir dir = { .dirfd = -1 };
  cleanup_state_record struct husk_state_record *rec = NULL;

  if (husk_container_load (rt, id, &dir, &rec, err) < 0)
    return -1;
  if (signal < 0 || signal > SIGRTMAX)
    return husk_error_set (err, EINVAL, "invalid signal %d", signal);
  if (all)
    return signal_all (&dir, rec, signal, err);
  if (husk_record_status (dir.dirfd, rec) == OCI_STATUS_STOPPED)
    return husk_error_plain (err, ESRCH, "container not running");
  return signal_init (rec, signal, err);
}

/* Kills what is left and waits (bounded) for the init to be gone. */
static int
kill_and_wait (const struct husk_state_record *rec, enum oci_status status,
               struct husk_error **err)
{
  cleanup_close int pidfd = pidfd_of (rec);
  cleanup_cgroup struct husk_cgroup *cg = NULL;
  struct pollfd p = { pidfd, POLLIN, 0 };

  if (rec->cgroup_path && husk_cgroup_open (rec->cgroup_path, &cg, err) < 0)
    husk_error_release (err);
  if (cg && husk_cgroup_kill_all (cg, SIGKILL, err) < 0)
    return -1;
  if (cg && status == OCI_STATUS_PAUSED && husk_cgroup_freeze (cg, false, err) < 0)
    return -1;
  if (pidfd >= 0)
    {
      syscall (SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0);
      if (poll (&p, 1, 10000) == 0)
        return husk_error_set (err, ETIMEDOUT, "container init %d did not die", (int) rec->pid);
      return 0;
    }
  /* without pidfd: poll the pid for up to 10s */
  for (int i = 0; i < 1000 && init_alive (rec); i++)
    {
      if (i == 0)
        kill (rec->pid, SIGKILL);
      usleep (10000);
    }
  if (init_alive (rec))
    return husk_error_set (err, ETIMEDOUT, "container init %d did not die", (int) rec->pid);
  return 0;
}

int
husk_container_destroy (struct husk_runtime *rt, struct husk_state_dir *dir,
                        const struct husk_state_record *rec, const struct oci_config *config,
                        struct husk_cgroup *known_cg, struct husk_error **err)
{
  cleanup_cgroup struct husk_cgroup *opened = NULL;

  if (known_cg == NULL && rec->cgroup_path
      && husk_cgroup_open (rec->cgroup_path, &opened, err) < 0)
    {
      if ((*err)->errnum != ENOENT)
        return -1;
      husk_error_release (err); /* already gone */
    }
  struct husk_cgroup *cg = known_cg ? known_cg : opened;
  if (cg && husk_cgroup_destroy (cg, err) < 0)
    return -1;
  /* read once, for the poststop hooks and the mounts */
  cleanup_error struct husk_error *unread = NULL;
  struct oci_config *loaded = NULL;
  if (config == NULL && husk_container_config (dir->dirfd, rec, &loaded, &unread) == 0)
    config = loaded;
  /* without a mount namespace of its own its mounts are in ours */
  if (config && oci_config_namespace (config, OCI_NS_MOUNT) == NULL
      && husk_rootfs_host_mounts_undo (config, rec->rootfs, err) < 0)
    {
      oci_config_free (loaded);
      return -1;
    }
  run_hooks_warn (rt, dir->dirfd, rec, config, true, OCI_STATUS_STOPPED);
  oci_config_free (loaded);
  return husk_state_dir_remove (dir, err);
}

int
husk_container_delete (struct husk_runtime *rt, const char *id, bool force,
                       struct husk_error **err)
{
  cleanup_state_dir struct husk_state_dir dir = { .dirfd = -1 };
  cleanup_state_record struct husk_state_record *rec = NULL;
  enum oci_status status;

  if (husk_state_dir_open (husk_runtime_root (rt), id, &dir, err) < 0)
    {
      if (force && (*err)->errnum == ENOENT)
        return husk_error_release (err), 0;
      return -1;
    }
  if (husk_state_record_read (dir.dirfd, &rec, err) < 0)
    {
      /* a create that died before writing its record (we hold the lock, so
       * none is running): what it left is removed */
      if ((*err)->errnum != ENOENT)
        return -1;
      husk_error_release (err);
      if (husk_state_dir_remove (&dir, err) < 0)
        return -1;
      return force ? 0 : husk_error_plain (err, ENOENT, "container does not exist");
    }
  status = husk_record_status (dir.dirfd, rec);
  if ((status == OCI_STATUS_RUNNING || status == OCI_STATUS_PAUSED) && !force)
    return husk_error_plain (err, EBUSY, "cannot delete container %s that is not stopped: %s",
                           id, oci_status_name (status));
  if (status != OCI_STATUS_STOPPED || rec->shared_pidns)
    if (kill_and_wait (rec, status, err) < 0)
      return -1;
  return husk_container_destroy (rt, &dir, rec, NULL, NULL, err);
}
