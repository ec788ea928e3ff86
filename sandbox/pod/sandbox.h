/* The pod sandbox: a CRI-shaped library over the husk runtime.
 *
 * A pod is a state directory `<pods_root>/<sandbox_id>/` and a holder
 * process (sandbox/holder/) that owns the pod's network, IPC and UTS
 * namespaces (and its PID namespace with shareProcessNamespace).  The holder
 * is the parent of every container's init: it reaps them, records their
 * exits and writes their stdout/stderr as CRI log files, so a container's
 * exit is known even when no husk command and no daemon runs.  Every call
 * below is a short-lived operation on that directory; none keeps a thread or
 * a process of its own behind, so huskd can be killed at any moment and
 * find every pod again with husk_pod_sandbox_list().
 *
 * Ids: a sandbox id is 32 hex characters, a container id is
 * "<sandbox_id>-<name>-<attempt>", so one container name can be created again
 * (a restart) while its previous attempt's status and logs stay readable.
 *
 * Layout of `<pods_root>/<sandbox_id>/`:
 *   pod.json             the Pod v1 object as given
 *   holder.pid, holder.sock, network.json (the CNI result), created
 *   etc/hosts, etc/hostname, etc/resolv.conf (bind-mounted into containers)
 *   volumes/<name>/      emptyDir volumes
 *   containers/<container_id>/
 *       bundle/config.json, bundle/rootfs (overlay mount), upper/, work/
 *       created, started (ns timestamps), exit (written atomically by the
 *       holder the moment it reaps the init: key=value lines)
 *       container.log    CRI log (rotated to container.log.1)
 *
 * Threading: every call may run from any thread (helpers are started with
 * posix_spawn, no fork in the caller's address space except the holder's
 * launch, which only execs).  Container creates in one sandbox serialise on
 * a lock in its directory; other calls read files written atomically.
 * The runtime is driven through its CLI (husk, or runc/crun: same verbs).
 * Measured against libhusk in-process (`husk-pod bench-create`, run by
 * tests/bench/pod-start.sh) the exec costs 0.5-6 ms more on a 14-20 ms
 * create on this 2-core machine under load; in exchange the holder stays a
 * ~150 kB static process that links no libhusk, a runtime crash cannot take
 * the pod's monitor down, and any OCI runtime works.  Every function follows
 * husk's error rule: < 0 means *err is set.  A failed run/create leaves
 * nothing behind (mounts, cgroups, processes, veths, IPs, directories). */
#ifndef HUSK_SANDBOX_POD_SANDBOX_H
#define HUSK_SANDBOX_POD_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../../oci/error.h"

#define HUSK_PODS_ROOT_DEFAULT "/run/husk/pods"
#define HUSK_POD_RUNTIME_ROOT_DEFAULT "/run/husk/pod-containers"
#define HUSK_IMAGE_STORE_DEFAULT "/var/lib/husk/images"
#define HUSK_RESOLV_CONF_DEFAULT "/etc/resolv.conf"
#define HUSK_RESOLV_CONF_UPSTREAM "/run/systemd/resolve/resolv.conf"
#define HUSK_POD_LOG_MAX_DEFAULT (10u * 1024 * 1024)

/* Where things live.  Every field may be NULL/0 for its default; the daemon
 * and husk-pod fill it from their flags.  The struct is only read. */
struct husk_sandbox_env {
  const char *pods_root;     /* HUSK_PODS_ROOT_DEFAULT */
  const char *runtime_root;  /* --root given to the runtime for containers */
  const char *husk_binary;   /* runtime CLI (husk, or runc: same verbs);
                                NULL: $HUSK_POD_RUNTIME, then the husk next to
                                husk-pod, then `husk` on PATH */
  const char *holder_binary; /* husk-pod-holder; NULL: $HUSK_POD_HOLDER, then
                                next to the calling binary, then PATH */
  const char *cni_conf_dir;  /* NULL: loopback only */
  const char *cni_bin_dir;   /* CNI_PATH; default /usr/lib/cni */
  const char *image_store;   /* HUSK_IMAGE_STORE_DEFAULT */
  const char *cgroup_parent; /* pods' cgroups go under it, placed by QoS
                                class as the kubelet places them:
                                <parent>/kubepods[/burstable|/besteffort]/pod<uid>;
                                default "/husk"; with systemd_cgroup a slice
                                (default "-.slice": kubepods.slice ...) */
  bool systemd_cgroup;       /* the systemd cgroup driver (kubelet's
                                --cgroup-driver systemd): pods are slices,
                                containers scopes (the runtime gets
                                --systemd-cgroup) */
  const char *pod_cgroup;    /* husk_pod_sandbox_run only: the pod's own
                                cgroup as the caller chose it (kubelet's
                                cgroup_parent through the CRI; a slice with
                                systemd_cgroup), made unless it exists;
                                NULL: placed under cgroup_parent */
  const char *resolv_conf;   /* the host resolvers pods get (kubelet's
                                --resolv-conf); NULL: HUSK_RESOLV_CONF_DEFAULT,
                                see pod_dns.h */
  uint64_t log_max_bytes;    /* rotation size per container log */
};

/* ---- pod sandboxes ---------------------------------------------------- */

/* Brings a pod up from a Kubernetes Pod v1 object in JSON: parses and
 * validates it (errors name the field: `pod.json: spec.containers[0].image:
 * required`), makes the state dir, starts the holder (namespaces, hostname,
 * loopback up), runs CNI ADD when a CNI config is given (not for
 * hostNetwork; the containers' ports with a hostPort go to the plugins with
 * the portMappings capability, e.g. portmap, as runtimeConfig), writes /etc/hosts, hostname and resolv.conf, creates the pod
 * cgroup and the emptyDir/hostPath volumes.  Containers are not created.
 * *sandbox_id is malloc'd. */
/* The pod's QoS class ("Guaranteed", "Burstable", "BestEffort") from its
 * API object's spec, as Kubernetes computes it (pod_qos.c). */
struct yajl_val_s;
const char *husk_pod_qos_class (struct yajl_val_s *pod);

/* Whether the sandbox can run this pod (its JSON): what
 * husk_pod_sandbox_run would refuse, refused before the pod is stored.
 * The message is "pod: FIELD: what is wrong". */
int husk_pod_spec_check (const char *pod_json, size_t len, struct husk_error **err);

/* The config.json of a container's bundle (NULL for a malformed id):
 * huskd reads its process to run a terminal session with `exec -p`. */
char *husk_pod_container_config_path (const struct husk_sandbox_env *env, const char *cid);

/* The runtime binary `env` names, as the pod calls resolve it (NULL when
 * none is found): callers that start the runtime themselves (huskd's exec
 * streams) use this so everything runs the same binary.  Caller frees. */
char *husk_sandbox_find_runtime (const struct husk_sandbox_env *env);

int husk_pod_sandbox_run (const struct husk_sandbox_env *env, const char *pod_json,
                          size_t pod_json_len, char **sandbox_id, struct husk_error **err);

/* Stops every container (SIGTERM, `grace_seconds`, SIGKILL; < 0 takes the
 * pod's terminationGracePeriodSeconds, default 30), runs CNI DEL (the IP,
 * veth, masquerade and portmap rules go, as CRI's StopPodSandbox reclaims
 * the network), then stops the holder.  The state dir, logs and exit
 * statuses stay; idempotent. */
int husk_pod_sandbox_stop (const struct husk_sandbox_env *env, const char *sandbox_id,
                           int grace_seconds, struct husk_error **err);

/* Stops the pod if needed, then removes everything it made: containers,
 * overlay mounts, the pod cgroup, CNI DEL, emptyDir volumes, the state dir.
 * Removing an id that no longer exists is not an error. */
int husk_pod_sandbox_remove (const struct husk_sandbox_env *env, const char *sandbox_id,
                             struct husk_error **err);

/* Replaces the pod description of a running sandbox, as `kubectl apply`
 * of a changed Pod asks: pod_json is validated as by husk_pod_sandbox_run,
 * then compared with the current one.  Only what Kubernetes lets change on
 * an existing pod may differ in spec: the `image` of containers and
 * initContainers, activeDeadlineSeconds (and tolerations); metadata.labels,
 * annotations and other metadata are free, but name, namespace and uid must
 * stay.  Anything else is refused (EINVAL, naming the field) and the stored
 * description is kept.  Nothing running changes: the new image takes effect
 * when huskd creates the container's next attempt (a running container
 * keeps its image; stop it to restart it).  Serialised with container
 * creates on the sandbox lock, so a create sees the old or the new
 * description, whole.  husk_pod_sandbox_status() returns the new pod_json.
 * pod_json is NUL terminated. */
int husk_pod_sandbox_update (const struct husk_sandbox_env *env, const char *sandbox_id,
                             const char *pod_json, struct husk_error **err);

/* The annotation that marks a sandbox made through the CRI (sandbox/cri):
 * it may have no containers yet, and huskd's pod controller leaves it
 * alone (it has no metadata.uid of a stored Pod). */
#define HUSK_POD_CRI_ANNOTATION "husk.io/cri-sandbox"
/* A CRI sandbox's port mappings, which come before any container could
 * carry them as hostPorts: {"ports": [<a container port>...]}, published
 * through CNI portmap with the containers' ones. */
#define HUSK_POD_PORTS_ANNOTATION "husk.io/cri-port-mappings"

/* For the CRI, whose containers arrive one at a time: replaces the pod
 * description of a CRI sandbox (HUSK_POD_CRI_ANNOTATION set in both) with
 * one that may differ in spec.containers and spec.volumes only, so a new
 * container can be created from it.  Containers already created keep the
 * config they were created with.  Serialised with creates on the sandbox
 * lock; pod_json is NUL terminated. */
int husk_pod_sandbox_replace (const struct husk_sandbox_env *env, const char *sandbox_id,
                              const char *pod_json, struct husk_error **err);

enum husk_pod_sandbox_state { HUSK_POD_SANDBOX_READY, HUSK_POD_SANDBOX_NOTREADY };

struct husk_pod_sandbox_status {
  char *id;
  char *name;         /* metadata.name */
  char *namespace_;   /* metadata.namespace, "default" when unset */
  char *uid;          /* metadata.uid, may be NULL */
  enum husk_pod_sandbox_state state; /* READY while the holder lives */
  pid_t holder_pid;
  char *ip;           /* CNI result, NULL with loopback only / hostNetwork */
  char *netns_path;   /* /proc/<holder>/ns/net, NULL when not ready */
  bool host_network;
  int64_t created_at; /* ns since the epoch */
  char *pod_json;     /* the Pod object as given */
};
void husk_pod_sandbox_status_free (struct husk_pod_sandbox_status *st);

int husk_pod_sandbox_status (const struct husk_sandbox_env *env, const char *sandbox_id,
                             struct husk_pod_sandbox_status *out, struct husk_error **err);

/* Every sandbox under pods_root, sorted; *ids is NULL terminated too.  Free
 * with husk_strv_free(). */
int husk_pod_sandbox_list (const struct husk_sandbox_env *env, char ***ids, size_t *len,
                           struct husk_error **err);
void husk_strv_free (char **v);

/* ---- containers ------------------------------------------------------- */

/* Creates the container `name` of spec.containers or spec.initContainers:
 * resolves and mounts its image (an image config's User given by name is
 * looked up in the image's /etc/passwd and /etc/group; an unknown name
 * fails the create), writes its config.json (joining the
 * holder's namespaces, volumes, /etc files, securityContext, resources,
 * the pod cgroup) and asks the holder to run the runtime's create, so the
 * holder is the init's parent and owns its stdout/stderr.  `attempt` makes
 * the id unique per restart.  *container_id is malloc'd. */
int husk_pod_container_create (const struct husk_sandbox_env *env, const char *sandbox_id,
                               const char *name, unsigned attempt, char **container_id,
                               struct husk_error **err);

/* Lets a created container run its process. */
int husk_pod_container_start (const struct husk_sandbox_env *env, const char *container_id,
                              struct husk_error **err);

/* SIGTERM, waits up to grace_seconds for the holder to record its exit,
 * then SIGKILL.  Stopping a container that is not running is not an error. */
int husk_pod_container_stop (const struct husk_sandbox_env *env, const char *container_id,
                             int grace_seconds, struct husk_error **err);

/* Changes a created or running container's cgroup: `resources_json` is an
 * OCI linux.resources object (`<runtime> update --resources`). */
int husk_pod_container_update_resources (const struct husk_sandbox_env *env,
                                         const char *container_id, const char *resources_json,
                                         struct husk_error **err);

/* Deletes a stopped container from the runtime and removes its rootfs and
 * bundle; its status and log are removed too. */
int husk_pod_container_remove (const struct husk_sandbox_env *env, const char *container_id,
                               struct husk_error **err);

enum husk_pod_container_state {
  HUSK_POD_CONTAINER_CREATED,
  HUSK_POD_CONTAINER_RUNNING,
  HUSK_POD_CONTAINER_EXITED,
  HUSK_POD_CONTAINER_UNKNOWN,
};

struct husk_pod_container_status {
  char *id;
  char *sandbox_id;
  char *name;
  unsigned attempt;
  enum husk_pod_container_state state;
  pid_t pid;           /* host pid of the init, 0 when exited */
  int exit_code;       /* valid when EXITED: 128+N when killed by signal N */
  int signal;          /* the signal that killed it, 0 if it exited */
  bool oom_killed;
  int64_t created_at;  /* ns since the epoch; 0 when not yet */
  int64_t started_at;
  int64_t finished_at;
  char *log_path;
  char *image;
  char *reason;        /* "Completed", "Error", "OOMKilled", or NULL */
};
void husk_pod_container_status_free (struct husk_pod_container_status *st);

int husk_pod_container_status (const struct husk_sandbox_env *env, const char *container_id,
                               struct husk_pod_container_status *out, struct husk_error **err);

/* The containers of a sandbox (every attempt), sorted. */
int husk_pod_container_list (const struct husk_sandbox_env *env, const char *sandbox_id,
                             char ***ids, size_t *len, struct husk_error **err);

struct husk_exec_result {
  char *out;   /* captured stdout (NUL terminated), truncated at 16 MiB */
  size_t out_len;
  char *err;   /* captured stderr */
  size_t err_len;
  int exit_code; /* 128+N when killed by signal N; 124 on timeout (killed) */
  bool timed_out;
};
void husk_exec_result_free (struct husk_exec_result *r);

/* Runs argv in the container (the runtime's exec), captures both streams
 * until the process exits and waits at most timeout_s (0: no limit); a
 * timeout is not an error: timed_out is set and exit_code is 124. */
int husk_pod_container_exec_sync (const struct husk_sandbox_env *env, const char *container_id,
                                  char *const argv[], int timeout_s, struct husk_exec_result *out,
                                  struct husk_error **err);

/* ---- attach (kubectl attach, the CRI's Attach) ---------------------- */

/* Packets on an attach connection: the first byte is one of these. */
enum husk_pod_attach_packet {
  HUSK_POD_ATTACH_STDIN = 0,       /* client -> holder: bytes for the container's stdin */
  HUSK_POD_ATTACH_STDOUT = 1,      /* holder -> client: output (a tty's is all STDOUT) */
  HUSK_POD_ATTACH_STDERR = 2,      /* holder -> client */
  HUSK_POD_ATTACH_EXIT = 3,        /* holder -> client: the exit code in decimal, last */
  HUSK_POD_ATTACH_RESIZE = 4,      /* client -> holder: uint16 width, uint16 height (native) */
  HUSK_POD_ATTACH_CLOSE_STDIN = 5, /* client -> holder: the client's stdin ended */
};
/* No packet is longer (the type byte included): a buffer this big reads any. */
#define HUSK_POD_ATTACH_PACKET_MAX (1 + 32 * 1024)

/* Attaches to the streams of a running container through its pod's holder
 * and returns the connection in *fd: a SOCK_SEQPACKET unix socket
 * (close-on-exec, non-blocking) carrying one packet per message, as
 * above.  Any front door drives it from its own loop (poll it for input,
 * huskd's event loop, the CRI's streaming server): read packets and relay
 * STDOUT/STDERR until EXIT or end-of-file (the container exited: its last
 * output came before); send STDIN, RESIZE and CLOSE_STDIN with
 * husk_pod_attach_send().  Closing *fd detaches, the container goes on;
 * with stdinOnce its stdin is closed when the first session that attached
 * stdin ends (closed or CLOSE_STDIN), as the kubelet does.  Several
 * attachers at once each get all output written while attached (output
 * one does not read in time is dropped for it, never for the log).
 * Errors: ESRCH the container is not running, EINVAL stdin asked of a
 * container without `stdin: true`, EPIPE its stdin was closed (stdinOnce). */
/* ReopenContainerLog: the container's log goes on in a new file at `path`
 * (absolute; the kubelet renamed the old one).  ESRCH: not running. */
int husk_pod_container_reopen_log (const struct husk_sandbox_env *env, const char *container_id,
                                   const char *path, struct husk_error **err);

int husk_pod_container_attach (const struct husk_sandbox_env *env, const char *container_id,
                               bool stdin_, bool stdout_, bool stderr_, int *fd,
                               struct husk_error **err);

/* Sends one packet of `type` with len bytes (STDIN is cut into packets);
 * < 0 with errno (EAGAIN on the non-blocking socket: try again once it is
 * writable), else the bytes of buf sent. */
ssize_t husk_pod_attach_send (int fd, enum husk_pod_attach_packet type, const void *buf,
                              size_t len);
/* A RESIZE packet. */
int husk_pod_attach_resize (int fd, uint16_t width, uint16_t height);

struct husk_pod_container_stats {
  int64_t timestamp;     /* ns since the epoch */
  uint64_t cpu_usage_ns; /* cumulative */
  uint64_t memory_usage; /* bytes, page cache included */
  uint64_t memory_cache;
};

/* A running (or created) container's usage, from the runtime's
 * `events --stats`; an exited container is an error. */
int husk_pod_container_stats (const struct husk_sandbox_env *env, const char *container_id,
                              struct husk_pod_container_stats *out, struct husk_error **err);

/* The container's current CRI log file. */
int husk_pod_container_log_path (const struct husk_sandbox_env *env, const char *container_id,
                                 char **path, struct husk_error **err);

#endif
