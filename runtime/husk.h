/* libhusk: the OCI runtime as a library.
 *
 * The husk CLI is a thin layer over these calls; the pod holder and huskd
 * call them in-process.  Nothing here prints or exits: every failure comes
 * back as a husk_error.  Calls on one container id serialise on a lock in
 * the state directory; calls on different ids run concurrently.
 */
#ifndef HUSK_RUNTIME_HUSK_H
#define HUSK_RUNTIME_HUSK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "../oci/config.h"
#include "../oci/error.h"
#include "../oci/state.h"

#define HUSK_DEFAULT_STATE_ROOT "/run/husk"

/* One per caller; cheap, holds no kernel objects. */
struct husk_runtime {
  const char *state_root; /* --root; HUSK_DEFAULT_STATE_ROOT when NULL */
  bool systemd_cgroup;    /* --systemd-cgroup: the cgroup is a systemd unit */
  bool debug;             /* --debug: debug messages go to log_fd */
  int log_fd;             /* --log target, -1 for stderr */
  bool log_json;          /* --log-format json */
  const char *notify_socket; /* NOTIFY_SOCKET of the caller: create, start and run
                                proxy the container's sd_notify READY= to it */
};

struct husk_create_options {
  const char *id;
  const char *bundle;               /* absolute or relative to cwd; default "." */
  /* In-process callers may pass the config instead of bundle/config.json:
   * its text (config_json), and optionally the config already parsed from
   * that text.  The state dir keeps the text: exec and the poststart and
   * poststop hooks read it there.  A parsed config without its text is
   * refused. */
  const struct oci_config *config;
  const char *config_json;
  size_t config_json_len;
  const char *console_socket;       /* pty master sent here (SCM_RIGHTS) */
  const char *pid_file;
  bool no_pivot;
  bool no_new_keyring;
  int preserve_fds;                 /* fds 3..3+N-1 pass to the container */
  int stdio[3];                     /* fds for the process's 0,1,2; -1 inherit */
  bool keep;                        /* run: a container that exits stays, stopped, with
                                       its cgroup, until `delete` */
  int listen_fds;                   /* socket activation (LISTEN_FDS): fds 3..3+N-1 pass
                                       first, the process gets LISTEN_FDS=N, LISTEN_PID=1;
                                       preserve_fds follow them */
  /* For in-process callers (the pod holder): the caller reaps the init and
   * must not get SIGCHLD-confused; the pid is returned through *pid. */
};

/* Initialises options with stdio = {-1,-1,-1} and bundle ".". */
void husk_create_options_init (struct husk_create_options *opts);

/* create: the container's init is set up and waits at the start barrier. */
int husk_container_create (struct husk_runtime *rt, const struct husk_create_options *opts,
                           pid_t *pid, struct husk_error **err);
int husk_container_start (struct husk_runtime *rt, const char *id, struct husk_error **err);

/* run in the foreground: create + start, forward signals, wait; *exit_code is
 * the process's exit code, 128+N when it died of signal N.  With detach,
 * returns once started (exit code 0). */
int husk_container_run (struct husk_runtime *rt, const struct husk_create_options *opts,
                        bool detach, int *exit_code, struct husk_error **err);

int husk_container_state (struct husk_runtime *rt, const char *id, struct oci_state **out,
                          struct husk_error **err);
/* Every container under the state root, sorted by id. */
int husk_container_list (struct husk_runtime *rt, struct oci_state ***out, size_t *len,
                         struct husk_error **err);
void husk_state_list_free (struct oci_state **states, size_t len);

int husk_container_kill (struct husk_runtime *rt, const char *id, int signal, bool all,
                         struct husk_error **err);
int husk_container_delete (struct husk_runtime *rt, const char *id, bool force,
                           struct husk_error **err);

struct husk_exec_options {
  const char *id;
  const struct oci_process *process; /* the whole process to run */
  /* the container's config when the caller read it already
   * (husk_container_exec_config), else NULL: exec reads it */
  const struct oci_config *config;
  const char *console_socket;
  const char *pid_file;
  bool detach;
  int preserve_fds;
  int stdio[3];
  bool ignore_paused; /* a paused container's exec joins it frozen */
  /* --cgroup: sub-cgroups of the container's to join, "path" for every
   * controller or "ctrl[,ctrl]:path" (v1), relative to the container's */
  const char *const *sub_cgroups;
  size_t sub_cgroups_len;
};
void husk_exec_options_init (struct husk_exec_options *opts);
/* Without detach, waits and sets *exit_code as run does. */
int husk_container_exec (struct husk_runtime *rt, const struct husk_exec_options *opts,
                         pid_t *pid, int *exit_code, struct husk_error **err);

int husk_container_pause (struct husk_runtime *rt, const char *id, struct husk_error **err);
int husk_container_resume (struct husk_runtime *rt, const char *id, struct husk_error **err);
int husk_container_update (struct husk_runtime *rt, const char *id,
                           const struct oci_resources *resources, struct husk_error **err);
/* The pids in the container's cgroup. */
int husk_container_pids (struct husk_runtime *rt, const char *id, pid_t **pids, size_t *len,
                         struct husk_error **err);

/* ---- additions (core) ---- */

/* `husk state`: runc's document (ociVersion, id, pid, status, bundle, rootfs,
 * created, owner, annotations), pretty printed; *json is malloc'd. */
int husk_container_state_json (struct husk_runtime *rt, const char *id, char **json,
                               struct husk_error **err);

/* One row of `husk list`. */
struct husk_container_info {
  char *id;
  pid_t pid; /* 0 when stopped */
  enum oci_status status;
  char *bundle;
  char *rootfs;
  char *created; /* RFC 3339 with nanoseconds */
  char *owner;
};
int husk_container_list_info (struct husk_runtime *rt, struct husk_container_info **out,
                              size_t *len, struct husk_error **err);
void husk_container_info_free (struct husk_container_info *infos, size_t len);

/* runc's `list` table (ID PID STATUS BUNDLE CREATED OWNER, tab-aligned) and
 * its `--format json` array, as malloc'd text. */
int husk_list_format_table (const struct husk_container_info *infos, size_t len, bool quiet,
                            char **out, struct husk_error **err);
int husk_list_format_json (const struct husk_container_info *infos, size_t len, char **out,
                           struct husk_error **err);

/* The config.json the container was created with (exec takes its process
 * defaults from it: env, cwd, user, capabilities, rlimits...). */
int husk_container_exec_config (struct husk_runtime *rt, const char *id, struct oci_config **out,
                                struct husk_error **err);

/* `events --stats`: the cgroup's stats "data" object. */
int husk_container_stats_json (struct husk_runtime *rt, const char *id, char **json,
                               struct husk_error **err);

/* An fd that turns readable when the container's cgroup sees an OOM kill
 * (see husk_cgroup_oom_fd: read it to re-arm); the caller closes it. */
int husk_container_oom_fd (struct husk_runtime *rt, const char *id, int *fd,
                           struct husk_error **err);

/* A log line as runc writes it: text "husk: <msg>" or JSON
 * {"level":..,"msg":..,"time":RFC3339}; fd -1 means stderr. */
void husk_log_line (int fd, bool json, const char *level, const char *msg);

/* Signal names as runc takes them: "KILL", "SIGKILL", "9". -1 when unknown. */
int husk_signal_parse (const char *name);

#endif
