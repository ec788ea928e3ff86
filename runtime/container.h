/* libhusk internals shared by the container_*.c files. */
#ifndef HUSK_RUNTIME_CONTAINER_H
#define HUSK_RUNTIME_CONTAINER_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "cgroup/cgroup.h"
#include "husk.h"
#include "plan.h"
#include "state_store.h"

HUSK_DEFINE_CLEANUP (struct husk_cgroup, husk_cgroup_free)
#define cleanup_cgroup __attribute__ ((cleanup (husk_cgroup_freep)))
HUSK_DEFINE_CLEANUP (struct oci_config, oci_config_free)
#define cleanup_config __attribute__ ((cleanup (oci_config_freep)))

const char *husk_runtime_root (const struct husk_runtime *rt);

/* A warning the library cannot return (poststart/poststop hooks): written
 * to the --log target in its format. */
void husk_log_warning (struct husk_runtime *rt, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

/* --debug: a "debug" line to the --log target; nothing without --debug. */
void husk_log_debug (struct husk_runtime *rt, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));

/* A created container whose parent stays (run): what create leaves open. */
struct husk_launch {
  bool detach;      /* in: run -d (a terminal then needs --console-socket) */
  bool keep;        /* in: run --keep, no destroy once the process exits */
  pid_t pid;
  int sync_fd;      /* parent end; -1 for create */
  int pty_master;   /* foreground terminal, -1 when none */
  struct husk_state_dir dir;
  /* What create already holds, so run does not read it back from the
   * state dir: the record, the config (owned_config when create parsed
   * it), the cgroup handle. */
  struct husk_state_record *rec;
  const struct oci_config *config;
  struct oci_config *owned_config;
  struct husk_cgroup *cg;
};
void husk_launch_clear (struct husk_launch *launch);

/* Create; with `launch` the child waits for START on the sync socket
 * instead of exec.fifo and the lock stays held in launch->dir. */
int husk_create_internal (struct husk_runtime *rt, const struct husk_create_options *opts,
                          struct husk_launch *launch, pid_t *pid, struct husk_error **err);

/* The derived status of a record: stopped when the pid is gone or reused. */
enum oci_status husk_record_status (int dirfd, const struct husk_state_record *rec);
/* The same with the record's cgroup already open (NULL: opened here). */
enum oci_status husk_record_status_cg (int dirfd, const struct husk_state_record *rec,
                                       struct husk_cgroup *cg);

/* Opens and locks <root>/<id> and reads its record. */
int husk_container_load (struct husk_runtime *rt, const char *id, struct husk_state_dir *dir,
                         struct husk_state_record **rec, struct husk_error **err);

/* The config.json kept in the state dir at create (the bundle's for a
 * state dir made before husk kept a copy; with rec NULL, only the state
 * dir's: ENOENT without it). */
int husk_container_config (int dirfd, const struct husk_state_record *rec,
                           struct oci_config **out, struct husk_error **err);

/* The state JSON given to hooks, with `status`. */
int husk_hook_state (const struct husk_state_record *rec, enum oci_status status, char **out,
                     struct husk_error **err);

/* Removes the cgroup and the state dir, runs poststop hooks (warnings).
 * `config` and `cg` may be NULL: then they are read from the state dir
 * and the record. */
int husk_container_destroy (struct husk_runtime *rt, struct husk_state_dir *dir,
                            const struct husk_state_record *rec, const struct oci_config *config,
                            struct husk_cgroup *cg, struct husk_error **err);

/* Waits for a process of ours: forwards signals, copies the terminal,
 * reaps; *exit_code as run reports it.  `sigmask` holds what the caller
 * blocked before creating the process. */
int husk_wait_foreground (pid_t pid, int pty_master, int *exit_code, struct husk_error **err);

/* Blocks every signal (to be forwarded later); the child unblocks. */
void husk_block_signals (sigset_t *old);

/* socketpair + clone(): the child runs husk_init_main(plan) (clone flags
 * of plan->ns unless two-stage); `lock_fd` is closed in the child.  With
 * `cgroup_fd` >= 0 the child starts in that cgroup v2 when *into_cgroup
 * comes back true.  The parent's copies of plan->cgroup_join_fds are
 * closed (plan->cgroup_join_len stays, for husk_launch_await_joined). */
int husk_launch_spawn (struct husk_plan *plan, int lock_fd, int cgroup_fd, int *sync_fd,
                       pid_t *child, bool *into_cgroup, struct husk_error **err);
/* The child's CGROUP_JOINED, when it was given plan->cgroup_join_fds and
 * asked to report (plan->report_joined). */
int husk_launch_await_joined (int sync_fd, const struct husk_plan *plan, struct husk_error **err);
/* GO with the state for the hooks; when the child is gone already, the
 * error it sent. */
int husk_launch_send_go (int sync_fd, const char *state_json, struct husk_error **err);

/* Two-stage launch: answers stage1's user map request (when `linux_` has
 * maps), takes the init's pid, reaps stage1. */
int husk_launch_await_pid (int sync_fd, pid_t stage1, const struct oci_linux *linux_, pid_t *pid,
                           struct husk_error **err);
/* After GO: the pty master (to `console_socket`, else kept in *pty_master),
 * the seccomp listener (sent to its listenerPath with `state_json` and the
 * pid of the process it filters: the init's, or an exec'd one's), until
 * READY. */
int husk_launch_await_ready (int sync_fd, const char *console_socket,
                             const struct oci_seccomp *seccomp, const char *state_json, pid_t pid,
                             int *pty_master, struct husk_error **err);

/* poststart hooks (warnings) of a started container; `config` NULL: the
 * state dir's. */
void husk_run_poststart (struct husk_runtime *rt, int dirfd, const struct husk_state_record *rec,
                         const struct oci_config *config);

/* Sends START and waits for the exec (EOF) or the child's error. */
int husk_launch_start (int sync_fd, int pty_master, bool send_start, struct husk_error **err);

int husk_write_pid_file (const char *path, pid_t pid, struct husk_error **err);

/* sd_notify proxy (notify_socket.c).  Create: the socket dir's mount and
 * NOTIFY_SOCKET into the config, the dir into the state dir; start/run:
 * the socket bound, then the first READY= forwarded to `host` with
 * MAINPID=pid (returns early if pid exits). */
#define HUSK_NOTIFY_DIR "notify"
int husk_notify_add_to_config (struct oci_config *config, const char *state_root, const char *id,
                               struct husk_error **err);
int husk_notify_make_dir (int state_dirfd, struct husk_error **err);
int husk_notify_bind (int state_dirfd, int *fd, struct husk_error **err);
int husk_notify_forward (int fd, const char *host, pid_t pid, struct husk_error **err);

#endif
