/* The plan of a container process: everything the child of clone() needs,
 * worked out by the parent beforehand so the child mostly makes syscalls.
 * Shared by create (init.c) and exec (exec.c). */
#ifndef HUSK_RUNTIME_PLAN_H
#define HUSK_RUNTIME_PLAN_H

#include <stdbool.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "../oci/config.h"
#include "../oci/error.h"
#include "namespaces.h"
#include "security/identity.h"

struct husk_seccomp_program;

/* v1 hierarchies a child can join by itself (more: the parent enters them) */
#define HUSK_PLAN_CGROUP_FDS 16

struct husk_rlimit_plan {
  int resource;
  struct rlimit limit;
  const char *name;
};

struct husk_plan {
  const struct oci_config *config;   /* NULL for exec */
  const struct oci_process *process;
  const char *id;
  const char *bundle;                /* absolute */
  bool no_pivot;
  bool no_new_keyring;
  bool is_exec;                      /* join a running container: no rootfs */
  int preserve_fds;
  int stdio[3];                      /* -1: inherit */
  int sync_fd;                       /* the child's end */
  int close_fds[2];                  /* the parent's: sync end, locked state dir */
  int state_dirfd;                   /* for exec.fifo; -1: wait for START instead */
  bool no_start;                     /* neither: READY is the last word before execve */
  int cgroup_join_fds[HUSK_PLAN_CGROUP_FDS]; /* v1 `tasks` files the child writes "0" */
  size_t cgroup_join_len;            /* to (husk_cgroup_join_fds); 0: the parent enters it */
  bool report_joined;                /* CGROUP_JOINED is awaited: something of the parent's
                                        (hooks, sub-cgroups) needs the child in its cgroup */
  struct husk_ns_plan ns;
  const struct oci_time_offsets *time_offsets;
  bool in_user_ns;                   /* created or joined a user namespace */
  bool mount_ns;                     /* created or joined: the rootfs is set up in it */
  int exec_root_fd;                  /* exec into a container in our mount namespace:
                                        its root, chroot'd into; else -1 */
  const int *idmap_userns_fds;       /* per config mount, made by the parent; NULL: none */
  int host_cgroup_mode;              /* husk_cgroup_mode's answer; 0: not known */
  const char *host_mountinfo;        /* the runtime's mountinfo text, when the child's
                                        mount table starts as a copy of it; or NULL */
  struct husk_rlimit_plan *rlimits;
  size_t rlimits_len;
  char **env;                        /* process env, PATH added when missing */
  char *home_env;                    /* in env: "HOME=" to fill in; NULL: env has HOME */
  const struct husk_seccomp_program *seccomp;
  bool seccomp_notify;
  struct husk_cap_sets caps;         /* process.capabilities, set after the filter */
  bool caps_pending;                 /* the filter and the sets are still to come */
  char keyring_name[300];
  char *state_json;                  /* from GO: for createContainer and startContainer */
};

/* The container's init after clone(): never returns. */
__attribute__ ((noreturn)) void husk_init_main (struct husk_plan *plan);

/* Child steps shared by init and exec (process.c). */
int husk_process_setup_stdio (const struct husk_plan *plan, struct husk_error **err);
int husk_process_apply_rlimits (const struct husk_plan *plan, struct husk_error **err);
int husk_process_lookup (const char *file, char *const *env, char out[static 4096],
                         struct husk_error **err);
int husk_process_close_fds (int preserve_fds, struct husk_error **err);
int husk_process_join_keyring (const char *name, struct husk_error **err);
int husk_process_chdir (const char *cwd, bool create, struct husk_error **err);
/* The filter (unless it has a listener) and then the configured capability
 * sets, after the start barrier. */
int husk_process_late_seccomp (struct husk_plan *plan, struct husk_error **err);
/* The last steps: signal mask, execve. */
int husk_process_finish (const struct husk_plan *plan, const char *path,
                         struct husk_error **err);
int husk_process_identity (struct husk_plan *plan, struct husk_error **err);

/* Parent: rlimit names to numbers; env with the default PATH, and a
 * HUSK_HOME_ENV_SIZE slot "HOME=" in it (*home) when the env has no HOME. */
int husk_plan_rlimits (const struct oci_process *process, struct husk_rlimit_plan **out,
                       size_t *len, struct husk_error **err);
#define HUSK_HOME_ENV_SIZE 4102
int husk_plan_env (const struct oci_process *process, int listen_fds, char ***out, char **home,
                   struct husk_error **err);

/* Child (home.c): fills plan->home_env from the container's /etc/passwd
 * (the home of process.user.uid), else "/", as runc does. */
void husk_process_set_home (const struct husk_plan *plan);
/* The home of `uid` in the passwd file open on fd; false when absent. */
bool husk_passwd_home (int fd, uid_t uid, char *out, size_t size);
/* The same for the user name (the state's owner): read by hand rather than
 * getpwuid, whose NSS modules a static husk could not load. */
bool husk_passwd_name (int fd, uid_t uid, char *out, size_t size);

/* Terminal (terminal.c). Child: a pty made inside the container, the slave
 * as stdio and controlling terminal; the master goes back to the parent. */
int husk_terminal_child (const struct oci_console_size *size, int *master,
                         struct husk_error **err);
/* Parent: hands the master to --console-socket (SCM_RIGHTS). */
int husk_terminal_send_console (const char *socket_path, int master, struct husk_error **err);

#endif
