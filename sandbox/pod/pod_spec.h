/* A Kubernetes Pod v1 object (the part a pod sandbox needs) as typed C
 * structs, parsed from JSON with yajl through oci/json_reader.h, so errors
 * name the field: `pod.json: spec.containers[0].image: required`.
 *
 * Parsing never touches the system.  Fields the sandbox does not act on
 * (probes, lifecycle hooks, ...) are left in the JSON for huskd to read. */
#ifndef HUSK_SANDBOX_POD_SPEC_H
#define HUSK_SANDBOX_POD_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../oci/cleanup.h"
#include "../../oci/config.h"
#include "../../oci/error.h"

struct pod_env_var {
  char *name;
  char *value; /* "" when only valueFrom is given (not supported) */
};

struct pod_volume_mount {
  char *name;
  char *mount_path;
  char *sub_path;
  bool read_only;
  char *mount_propagation; /* None, HostToContainer, Bidirectional, or NULL */
};

struct pod_capabilities {
  char **add;  size_t add_len;   /* as written: "NET_ADMIN" (CAP_ optional) */
  char **drop; size_t drop_len;  /* "ALL" drops everything */
};

struct pod_security_context {
  oci_opt_i64 run_as_user;
  oci_opt_i64 run_as_group;
  oci_opt_i64 fs_group;        /* pod level only */
  bool privileged;
  bool read_only_root_filesystem;
  oci_opt_bool allow_privilege_escalation;
  struct pod_capabilities capabilities;
  /* Kubernetes' is the pod's; the CRI's (husk's extension) the container's */
  int64_t *supplemental_groups;
  size_t supplemental_groups_len;
  char *run_as_user_name; /* the CRI's (husk's extension): a name in the image */
  /* seccompProfile: type RuntimeDefault, Localhost or Unconfined (NULL) and,
   * for Localhost, the profile's absolute path (the CRI's) */
  char *seccomp_type;
  char *seccomp_localhost_profile;
  /* the CRI's (container level, husk's extension): replace the defaults */
  char **masked_paths;  size_t masked_paths_len;
  char **readonly_paths; size_t readonly_paths_len;
  struct pod_env_var *sysctls; /* pod level only: {name, value} */
  size_t sysctls_len;
};

/* Quantities are kept in milli-units: memory "128Mi" -> 134217728000,
 * cpu "500m" -> 500. */
struct pod_resources {
  oci_opt_i64 limits_cpu_milli;
  oci_opt_i64 limits_memory;   /* bytes */
  oci_opt_i64 requests_cpu_milli;
  oci_opt_i64 requests_memory; /* bytes */
};

/* containers[].ports[]: only those with a hostPort reach the host, through
 * the CNI portmap plugin. */
struct pod_port {
  int64_t container_port; /* 1-65535 */
  int64_t host_port;      /* 0: not published */
  char *protocol;         /* "TCP" (default), "UDP", "SCTP" */
  char *host_ip;          /* NULL: every address */
};

/* containers[].huskCRI: what a CRI ContainerConfig gives a container
 * beyond a Pod's fields, in the runtime's own terms (kubelet has converted
 * them already), so they reach config.json exactly as given.  huskd's CRI
 * front door writes it; Kubernetes pods never have it. */
struct pod_hugepage {
  char *page_size; /* "2MB" */
  int64_t limit;
};

struct pod_device {
  char *host_path;
  char *container_path;
  char *permissions; /* "rwm" */
};

enum pod_pid_mode { POD_PID_DEFAULT = 0, POD_PID_POD, POD_PID_CONTAINER, POD_PID_NODE, POD_PID_TARGET };

struct pod_cri_linux {
  bool set;
  bool resources; /* the fields below replace those from resources: */
  oci_opt_i64 cpu_period, cpu_quota, cpu_shares, memory_limit, memory_swap, oom_score_adj;
  char *cpuset_cpus, *cpuset_mems;
  struct pod_hugepage *hugepages; size_t hugepages_len;
  struct oci_map unified;
  enum pod_pid_mode pid;   /* the container's own PID namespace option */
  char *pid_target;        /* POD_PID_TARGET: a container id of the pod */
  struct pod_device *devices; size_t devices_len;
};

struct pod_container {
  char *name;
  char *image;
  char **command; size_t command_len;
  char **args;    size_t args_len;
  struct pod_env_var *env; size_t env_len;
  char *working_dir;
  struct pod_volume_mount *volume_mounts; size_t volume_mounts_len;
  struct pod_port *ports; size_t ports_len;
  struct pod_resources resources;
  struct pod_security_context security_context;
  bool tty;
  struct pod_cri_linux cri;
  bool stdin_, stdin_once; /* stdin, stdinOnce */
};

enum pod_volume_kind { POD_VOLUME_EMPTY_DIR = 1, POD_VOLUME_HOST_PATH };

enum pod_host_path_type {
  POD_HOST_PATH_UNSET = 0, /* "": no check */
  POD_HOST_PATH_DIRECTORY_OR_CREATE,
  POD_HOST_PATH_DIRECTORY,
  POD_HOST_PATH_FILE_OR_CREATE,
  POD_HOST_PATH_FILE,
  POD_HOST_PATH_SOCKET,
  POD_HOST_PATH_CHAR_DEVICE,
  POD_HOST_PATH_BLOCK_DEVICE,
};

struct pod_volume {
  char *name;
  enum pod_volume_kind kind;
  bool memory;           /* emptyDir.medium "Memory": a tmpfs */
  oci_opt_i64 size_limit; /* emptyDir.sizeLimit, bytes */
  char *host_path;
  enum pod_host_path_type host_path_type;
};

/* spec.dnsConfig (see pod_dns.c for how it merges with dnsPolicy). */
struct pod_dns_option {
  char *name;
  char *value; /* NULL: a bare option ("rotate") */
};

struct pod_dns_config {
  char **nameservers; size_t nameservers_len;
  char **searches;    size_t searches_len;
  struct pod_dns_option *options; size_t options_len;
};

/* spec.hostAliases[]: lines added to the pod's /etc/hosts. */
struct pod_host_alias {
  char *ip;
  char **hostnames; size_t hostnames_len;
};

struct pod_spec {
  char *name;
  char *namespace_; /* "default" when unset */
  char *uid;
  struct oci_map labels;
  struct oci_map annotations;
  char *hostname;   /* spec.hostname, else metadata.name */
  char *subdomain;
  bool host_network;
  bool host_pid; /* the containers stay in the node's PID namespace */
  bool host_ipc;
  struct pod_port *ports; size_t ports_len; /* HUSK_POD_PORTS_ANNOTATION's */
  bool share_process_namespace;
  char *restart_policy;           /* Always (default), OnFailure, Never */
  int64_t termination_grace_period; /* seconds, default 30 */
  struct pod_container *containers; size_t containers_len;
  struct pod_container *init_containers; size_t init_containers_len;
  struct pod_volume *volumes; size_t volumes_len;
  struct pod_security_context security_context;
  char *dns_policy; /* ClusterFirst (default), ClusterFirstWithHostNet, Default, None */
  struct pod_dns_config dns_config;
  struct pod_host_alias *host_aliases; size_t host_aliases_len;
};

/* Parses and validates (names, images, mount references, paths, quantities).
 * `filename` starts every error message. */
int pod_spec_parse (const char *filename, const char *data, size_t len, struct pod_spec **out,
                    struct husk_error **err);
void pod_spec_free (struct pod_spec *pod);
HUSK_DEFINE_CLEANUP (struct pod_spec, pod_spec_free)
#define cleanup_pod_spec __attribute__ ((cleanup (pod_spec_freep)))

/* The container named `name` in containers or initContainers, NULL if none. */
const struct pod_container *pod_spec_find_container (const struct pod_spec *pod, const char *name);
const struct pod_volume *pod_spec_find_volume (const struct pod_spec *pod, const char *name);

/* A Kubernetes quantity ("128Mi", "1.5", "500m", "2G", "1e3") in
 * milli-units.  -1 when it is not one (or overflows). */
int pod_quantity_parse_milli (const char *s, int64_t *out);

#endif
