/* The runtime-spec 1.2 configuration (config.json), Linux platform, as typed
 * C structs.  Parsing (config_parse.c) fills these; nothing else reads JSON.
 *
 * Conventions:
 *  - arrays are `T *name; size_t name_len;`; arrays of strings (args, env,
 *    options, ...) are also NULL terminated, so they go straight to execve
 *  - strings are owned, NUL terminated, NULL when absent
 *  - optional scalars use the oci_opt_* wrappers: `.set` says the key was present
 *  - maps (annotations, sysctl, unified) are parallel key/value arrays
 *  - every struct is owned by its parent; oci_config_free() frees the tree.
 */
#ifndef HUSK_OCI_CONFIG_H
#define HUSK_OCI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef struct { bool set; int64_t value; } oci_opt_i64;
typedef struct { bool set; uint64_t value; } oci_opt_u64;
typedef struct { bool set; bool value; } oci_opt_bool;

struct oci_map {
  char **keys;
  char **values;
  size_t len;
};

struct oci_id_mapping {
  uint32_t container_id;
  uint32_t host_id;
  uint32_t size;
};

struct oci_root {
  char *path;
  bool readonly;
};

struct oci_mount {
  char *destination;
  char *source;
  char *type;
  char **options;
  size_t options_len;
  struct oci_id_mapping *uid_mappings;
  size_t uid_mappings_len;
  struct oci_id_mapping *gid_mappings;
  size_t gid_mappings_len;
};

struct oci_rlimit {
  char *type; /* "RLIMIT_NOFILE" */
  uint64_t soft;
  uint64_t hard;
};

struct oci_capabilities {
  char **bounding;    size_t bounding_len;
  char **effective;   size_t effective_len;
  char **inheritable; size_t inheritable_len;
  char **permitted;   size_t permitted_len;
  char **ambient;     size_t ambient_len;
};

struct oci_user {
  uint32_t uid;
  uint32_t gid;
  oci_opt_u64 umask;
  uint32_t *additional_gids;
  size_t additional_gids_len;
  char *username;
};

struct oci_console_size {
  uint32_t height;
  uint32_t width;
};

struct oci_scheduler {
  char *policy; /* SCHED_OTHER, ... (required when scheduler is present) */
  oci_opt_i64 nice;
  oci_opt_i64 priority;
  char **flags;
  size_t flags_len;
  oci_opt_u64 runtime;
  oci_opt_u64 deadline;
  oci_opt_u64 period;
};

struct oci_io_priority {
  char *class; /* IOPRIO_CLASS_RT, IOPRIO_CLASS_BE, IOPRIO_CLASS_IDLE */
  int64_t priority;
};

struct oci_exec_cpu_affinity {
  char *initial;
  char *final;
};

struct oci_process {
  bool terminal;
  struct oci_console_size *console_size;
  struct oci_user user;
  char **args;
  size_t args_len;
  char *command_line; /* windows only: parsed, ignored */
  char **env;
  size_t env_len;
  char *cwd;
  struct oci_capabilities *capabilities;
  struct oci_rlimit *rlimits;
  size_t rlimits_len;
  bool no_new_privileges;
  char *apparmor_profile;
  oci_opt_i64 oom_score_adj;
  struct oci_scheduler *scheduler;
  char *selinux_label;
  struct oci_io_priority *io_priority;
  struct oci_exec_cpu_affinity *exec_cpu_affinity;
};

struct oci_hook {
  char *path;
  char **args;
  size_t args_len;
  char **env;
  size_t env_len;
  oci_opt_i64 timeout; /* seconds, > 0 */
};

struct oci_hook_list {
  struct oci_hook *hooks;
  size_t len;
};

struct oci_hooks {
  struct oci_hook_list prestart; /* deprecated, still run */
  struct oci_hook_list create_runtime;
  struct oci_hook_list create_container;
  struct oci_hook_list start_container;
  struct oci_hook_list poststart;
  struct oci_hook_list poststop;
};

enum oci_namespace_type {
  OCI_NS_PID,
  OCI_NS_NETWORK,
  OCI_NS_MOUNT,
  OCI_NS_IPC,
  OCI_NS_UTS,
  OCI_NS_USER,
  OCI_NS_CGROUP,
  OCI_NS_TIME,
  OCI_NS__COUNT
};

struct oci_namespace {
  enum oci_namespace_type type;
  char *path; /* join this one instead of creating */
};

struct oci_time_offset {
  bool set;
  int64_t secs;
  uint32_t nanosecs;
};

struct oci_time_offsets {
  struct oci_time_offset monotonic;
  struct oci_time_offset boottime;
};

struct oci_device {
  char *type; /* c, b, u, p */
  char *path;
  int64_t major;
  int64_t minor;
  oci_opt_u64 file_mode;
  oci_opt_u64 uid;
  oci_opt_u64 gid;
};

struct oci_device_cgroup {
  bool allow;
  char *type;   /* a, c, b; NULL means all */
  oci_opt_i64 major; /* unset means all (-1 in the kernel's words) */
  oci_opt_i64 minor;
  char *access; /* rwm subset */
};

struct oci_memory {
  oci_opt_i64 limit;
  oci_opt_i64 reservation;
  oci_opt_i64 swap;
  oci_opt_i64 kernel;
  oci_opt_i64 kernel_tcp;
  oci_opt_u64 swappiness;
  oci_opt_bool disable_oom_killer;
  oci_opt_bool use_hierarchy;
  oci_opt_bool check_before_update;
};

struct oci_cpu {
  oci_opt_u64 shares;
  oci_opt_i64 quota;
  oci_opt_u64 burst;
  oci_opt_u64 period;
  oci_opt_i64 realtime_runtime;
  oci_opt_u64 realtime_period;
  char *cpus;
  char *mems;
  oci_opt_i64 idle;
};

struct oci_pids {
  int64_t limit;
};

struct oci_weight_device {
  int64_t major;
  int64_t minor;
  oci_opt_u64 weight;
  oci_opt_u64 leaf_weight;
};

struct oci_throttle_device {
  int64_t major;
  int64_t minor;
  uint64_t rate;
};

struct oci_block_io {
  oci_opt_u64 weight;
  oci_opt_u64 leaf_weight;
  struct oci_weight_device *weight_device;
  size_t weight_device_len;
  struct oci_throttle_device *throttle_read_bps_device;
  size_t throttle_read_bps_device_len;
  struct oci_throttle_device *throttle_write_bps_device;
  size_t throttle_write_bps_device_len;
  struct oci_throttle_device *throttle_read_iops_device;
  size_t throttle_read_iops_device_len;
  struct oci_throttle_device *throttle_write_iops_device;
  size_t throttle_write_iops_device_len;
};

struct oci_hugepage_limit {
  char *page_size; /* "2MB" */
  uint64_t limit;
};

struct oci_net_priority {
  char *name;
  uint32_t priority;
};

struct oci_network {
  oci_opt_u64 class_id;
  struct oci_net_priority *priorities;
  size_t priorities_len;
};

struct oci_rdma {
  char *device;
  oci_opt_u64 hca_handles;
  oci_opt_u64 hca_objects;
};

struct oci_resources {
  struct oci_device_cgroup *devices;
  size_t devices_len;
  struct oci_memory *memory;
  struct oci_cpu *cpu;
  struct oci_pids *pids;
  struct oci_block_io *block_io;
  struct oci_hugepage_limit *hugepage_limits;
  size_t hugepage_limits_len;
  struct oci_network *network;
  struct oci_rdma *rdma;
  size_t rdma_len;
  struct oci_map unified;
};

struct oci_intel_rdt {
  char *clos_id;
  char *l3_cache_schema;
  char *mem_bw_schema;
  bool enable_cmt;
  bool enable_mbm;
};

enum oci_seccomp_op {
  OCI_SCMP_CMP_NE,
  OCI_SCMP_CMP_LT,
  OCI_SCMP_CMP_LE,
  OCI_SCMP_CMP_EQ,
  OCI_SCMP_CMP_GE,
  OCI_SCMP_CMP_GT,
  OCI_SCMP_CMP_MASKED_EQ,
};

enum oci_seccomp_action {
  OCI_SCMP_ACT_KILL, /* = KILL_THREAD */
  OCI_SCMP_ACT_KILL_PROCESS,
  OCI_SCMP_ACT_KILL_THREAD,
  OCI_SCMP_ACT_TRAP,
  OCI_SCMP_ACT_ERRNO,
  OCI_SCMP_ACT_TRACE,
  OCI_SCMP_ACT_ALLOW,
  OCI_SCMP_ACT_LOG,
  OCI_SCMP_ACT_NOTIFY,
};

struct oci_seccomp_arg {
  uint32_t index;
  uint64_t value;
  oci_opt_u64 value_two;
  enum oci_seccomp_op op;
};

struct oci_seccomp_syscall {
  char **names;
  size_t names_len;
  enum oci_seccomp_action action;
  oci_opt_u64 errno_ret;
  struct oci_seccomp_arg *args;
  size_t args_len;
};

struct oci_seccomp {
  enum oci_seccomp_action default_action;
  oci_opt_u64 default_errno_ret;
  char **architectures; /* SCMP_ARCH_X86_64 ... */
  size_t architectures_len;
  char **flags;         /* SECCOMP_FILTER_FLAG_* */
  size_t flags_len;
  char *listener_path;
  char *listener_metadata;
  struct oci_seccomp_syscall *syscalls;
  size_t syscalls_len;
};

struct oci_personality {
  char *domain; /* LINUX, LINUX32 */
  char **flags;
  size_t flags_len;
};

struct oci_net_device {
  char *host_name; /* the key of linux.netDevices */
  char *name;
};

struct oci_linux {
  struct oci_namespace *namespaces;
  size_t namespaces_len;
  struct oci_id_mapping *uid_mappings;
  size_t uid_mappings_len;
  struct oci_id_mapping *gid_mappings;
  size_t gid_mappings_len;
  struct oci_time_offsets time_offsets;
  struct oci_device *devices;
  size_t devices_len;
  struct oci_net_device *net_devices;
  size_t net_devices_len;
  char *cgroups_path;
  struct oci_resources *resources;
  struct oci_intel_rdt *intel_rdt;
  struct oci_map sysctl;
  struct oci_seccomp *seccomp;
  char *rootfs_propagation; /* shared, slave, private, unbindable, rshared... */
  char **masked_paths;
  size_t masked_paths_len;
  char **readonly_paths;
  size_t readonly_paths_len;
  char *mount_label;
  struct oci_personality *personality;
};

struct oci_config {
  char *oci_version;
  struct oci_root *root;
  struct oci_mount *mounts;
  size_t mounts_len;
  struct oci_process *process;
  char *hostname;
  char *domainname;
  struct oci_hooks hooks;
  struct oci_map annotations;
  struct oci_linux *linux_; /* `linux` is a predefined macro under GNU C */
};

/* Parses a config.json document.  `filename` only names the source in
 * errors: "config.json: linux.namespaces[2].type: unknown namespace \"foo\"".
 * Parsing never touches the system.  Validation (oci_config_validate) runs
 * as part of parsing. */
int oci_config_parse_file (const char *path, struct oci_config **out, struct husk_error **err);
int oci_config_parse_data (const char *filename, const char *data, size_t len,
                           struct oci_config **out, struct husk_error **err);
void oci_config_free (struct oci_config *config);

/* The table of checks that parsing runs (config_validate.c); exposed for
 * callers that build or change a config in memory.  Errors read like the
 * parser's: "config.json: mounts[1].destination: must be absolute, got \"tmp\"". */
int oci_config_validate (const char *filename, const struct oci_config *config,
                         struct husk_error **err);
/* The process rows of that table (args, cwd, rlimits, scheduler, ...) for a
 * process on its own, as `exec` builds or reads it; paths have no
 * "process." prefix: "process.json: cwd: must be absolute, got \"tmp\"". */
int oci_process_validate (const char *filename, const struct oci_process *process,
                          struct husk_error **err);

/* A process.json as given to `exec --process`, and a resources.json as
 * given to `update -r`, with the same error style. */
int oci_process_parse_data (const char *filename, const char *data, size_t len,
                            struct oci_process **out, struct husk_error **err);
void oci_process_free (struct oci_process *process);
int oci_resources_parse_data (const char *filename, const char *data, size_t len,
                              struct oci_resources **out, struct husk_error **err);
void oci_resources_free (struct oci_resources *resources);

/* Helpers over the model. */
const char *oci_namespace_type_name (enum oci_namespace_type type); /* "network" */
int oci_namespace_type_from_name (const char *name);                 /* -1 when unknown */
const struct oci_namespace *oci_config_namespace (const struct oci_config *config,
                                                  enum oci_namespace_type type);
/* "SCMP_ACT_ERRNO" <-> OCI_SCMP_ACT_ERRNO; from_name gives -1 when unknown. */
const char *oci_seccomp_action_name (enum oci_seccomp_action action);
int oci_seccomp_action_from_name (const char *name);
const char *oci_seccomp_op_name (enum oci_seccomp_op op); /* "SCMP_CMP_EQ" */
int oci_seccomp_op_from_name (const char *name);
/* NULL when the key is absent. */
const char *oci_map_get (const struct oci_map *map, const char *key);

#endif
