/* What the files of the pod sandbox share: the resolved environment, the
 * directory layout, and the one function that runs the runtime. */
#ifndef HUSK_SANDBOX_POD_INTERNAL_H
#define HUSK_SANDBOX_POD_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <yajl/yajl_tree.h>

#include "../../oci/error.h"
#include "../image/image.h"
#include "pod_spec.h"
#include "sandbox.h"

/* husk_sandbox_env with every default filled in (owned strings). */
struct pod_env {
  char *pods_root;
  char *runtime_root;
  char *runtime;
  char *holder;
  char *cni_conf_dir; /* NULL: loopback only */
  char *cni_bin_dir;
  char *image_store;
  char *cgroup_parent; /* cgroupfs: a path; systemd: a slice */
  bool systemd_cgroup;
  char *pod_cgroup;    /* see husk_sandbox_env */
  char *resolv_conf; /* NULL: /etc/resolv.conf (and systemd-resolved's upstreams) */
  uint64_t log_max_bytes;
};

int pod_env_resolve (const struct husk_sandbox_env *in, struct pod_env *out,
                     struct husk_error **err);
void pod_env_clear (struct pod_env *env);
#define cleanup_pod_env __attribute__ ((cleanup (pod_env_clear)))

/* Ids are checked before they become paths: a sandbox id is 32 hex
 * characters, a container id "<sandbox id>-<name>-<attempt>". */
int pod_check_sandbox_id (const char *id, struct husk_error **err);
int pod_split_container_id (const char *cid, char sandbox_id[33], char **name,
                            unsigned *attempt, struct husk_error **err);

char *pod_sandbox_dir (const struct pod_env *env, const char *sandbox_id);
char *pod_container_dir (const struct pod_env *env, const char *cid);

/* flock on <pod dir>/lock: calls on one pod serialise. */
int pod_lock (const struct pod_env *env, const char *sandbox_id, int *fd,
              struct husk_error **err);

/* Loads the pod's pod.json. */
int pod_load_spec (const struct pod_env *env, const char *sandbox_id, struct pod_spec **out,
                   struct husk_error **err);

/* The holder's pid (0 when it is not running) and namespace paths. */
pid_t pod_holder_pid (const struct pod_env *env, const char *sandbox_id);
pid_t pod_holder_pid1 (const struct pod_env *env, const char *sandbox_id);

/* ---- pod_holder.c ---- */
int pod_holder_launch (const struct pod_env *env, const struct pod_spec *pod,
                       const char *sandbox_id, struct husk_error **err);
/* Asks the holder to run the runtime's create; *pid is the init. */
int pod_holder_create (const struct pod_env *env, const char *sandbox_id, const char *cid,
                       const struct pod_container *c,
                       pid_t *pid, struct husk_error **err);
/* A connection to the holder's request socket. */
int pod_holder_connect (const struct pod_env *env, const char *sandbox_id, struct husk_error **err);
/* "ok [<pid>]" (pid may be NULL) or "err <errno> <message>". */
int pod_holder_parse_reply (const char *reply, pid_t *pid, struct husk_error **err);
/* One request of the holder's socket protocol (holder_proto.h) answered
 * "ok" within POD_HOLDER_ASK_TIMEOUT_S; `what` names it in errors.  With
 * `out`, the connection stays open for what follows (an attach). */
#define POD_HOLDER_ASK_TIMEOUT_S 10
int pod_holder_ask (const struct pod_env *env, const char *sandbox_id, const char *msg, size_t len,
                    const char *what, int *out, struct husk_error **err);
/* SIGTERM, then SIGKILL after a while; also the pod's PID 1. */
int pod_holder_stop (const struct pod_env *env, const char *sandbox_id, struct husk_error **err);

/* ---- pod_runtime.c: the one way the sandbox drives the runtime ---- */
/* Runs `<runtime> --root <root> args...`; a non-zero exit becomes an error
 * carrying the runtime's own message.  `out` (may be NULL) gets stdout. */
int pod_runtime (const struct pod_env *env, const char *const args[], int timeout_s, char **out,
                 struct husk_error **err);

/* ---- pod_user.c ---- */
struct pod_user {
  bool set; /* the image names a user */
  long long uid;
  long long gid;
};
/* The image config's User (`name`, `uid`, with `:group` or `:gid`) as ids,
 * names from the rootfs' /etc/passwd and /etc/group; an unknown name is an
 * error (ENOENT). */
int pod_image_user (const char *rootfs, const char *user, struct pod_user *out,
                    struct husk_error **err);
/* The groups the image's /etc/group lists the user of `uid` in (its
 * passwd name), as runc and containerd add them; none without an entry. */
int pod_image_groups (const char *rootfs, long long uid, long long **gids, size_t *len,
                      struct husk_error **err);

/* ---- pod_config.c ---- */
/* A CRI device as the host has it (stat'ed by pod_container.c). */
struct pod_config_device {
  char *path; /* in the container */
  const char *type; /* "c" or "b" */
  long long major, minor, mode, uid, gid;
  const char *access;
};

struct pod_config_input {
  const struct pod_env *env;
  const struct pod_spec *pod;
  const struct pod_container *container;
  const struct husk_image *image; /* its config; NULL for a plain rootfs */
  struct pod_user image_user;     /* the image's User, resolved */
  const char *sandbox_id;
  const char *cid;
  pid_t holder_pid;
  pid_t pid1; /* 0 without shareProcessNamespace */
  pid_t target_pid; /* the init of cri.pid_target's container */
  struct pod_config_device *devices; size_t devices_len;
  yajl_val seccomp; /* a Localhost seccomp profile, parsed; NULL: none */
  const long long *image_gids; /* pod_image_groups' of the process's uid */
  size_t image_gids_len;
};
/* Whether the container's capability sets (drop, add, privileged) hold
 * `cap` ("CAP_SYS_ADMIN"). */
bool pod_config_has_cap (const struct pod_security_context *sc, const char *cap);

/* ---- pod_seccomp.c ---- */
struct jw;
/* linux.seccomp for seccompProfile type RuntimeDefault: the runtime's
 * default profile, allowing what the capabilities of `sc` allow. */
void pod_seccomp_write_default (struct jw *w, const struct pod_security_context *sc);
/* config.json for one container of the pod, written with yajl_gen. */
int pod_config_generate (const struct pod_config_input *in, char **json, size_t *len,
                         struct husk_error **err);

/* ---- pod_volumes.c ---- */
int pod_volumes_setup (const struct pod_env *env, const struct pod_spec *pod,
                       const char *sandbox_id, struct husk_error **err);
/* Unmounts and removes what setup made; tolerant of half-made state. */
int pod_volumes_teardown (const struct pod_env *env, const char *sandbox_id,
                          struct husk_error **err);
/* The host path bind-mounted for a volume mount (subPath applied and
 * checked to stay inside the volume); malloc'd. */
int pod_volume_source (const struct pod_env *env, const char *sandbox_id,
                       const struct pod_volume *vol, const struct pod_volume_mount *m,
                       char **out, struct husk_error **err);

/* ---- pod_etc.c ---- */
int pod_etc_write (const struct pod_env *env, const struct pod_spec *pod, const char *sandbox_id,
                   const char *ip, struct husk_error **err);

/* ---- pod_cgroup.c ---- */
/* pod_qos.c: the QoS class Kubernetes gives the pod. */
enum pod_qos { POD_QOS_BEST_EFFORT, POD_QOS_BURSTABLE, POD_QOS_GUARANTEED };
enum pod_qos pod_qos_class (const struct pod_spec *pod);
const char *pod_qos_name (enum pod_qos q);
/* The CPU shares of a container: its CPU request, which Kubernetes defaults
 * to the limit when only the limit is given; 0 for none. */
int64_t pod_cpu_shares (const struct pod_resources *r);

/* Where a pod's cgroup is (pod_cgroup_place.c names it, pod_cgroup.c
 * records it in the pod's directory). */
struct pod_cgroup {
  bool systemd; /* path is a slice unit */
  char *path;   /* "/husk/kubepods/burstable/pod<uid>", "kubepods-pod<uid>.slice" */
  char *keep;   /* the level above the shared ones: removal stops there */
  bool made;    /* the pod made its own cgroup (else it was given, existing) */
};
/* Places the pod by QoS class under the cgroup parent, or at `given`
 * (kubelet's cgroup_parent through the CRI) when not NULL or "". */
int pod_cgroup_place (const struct pod_env *env, const struct pod_spec *pod,
                      const char *sandbox_id, const char *given, struct pod_cgroup *out,
                      struct husk_error **err);
/* What pod_cgroup_create recorded (a pod made before records existed:
 * <parent>/pod_<id>). */
int pod_cgroup_load (const struct pod_env *env, const char *sandbox_id, struct pod_cgroup *out,
                     struct husk_error **err);
void pod_cgroup_clear (struct pod_cgroup *cg);
/* A container's linux.cgroupsPath: "<pod>/<cid>" or "<pod slice>:husk:<cid>". */
char *pod_cgroup_container_path (const struct pod_cgroup *cg, const char *cid);
/* "a-b-c.slice" -> "a-b.slice", "a.slice" -> "-.slice" (malloc'd). */
char *pod_cgroup_parent_slice (const char *slice);
/* NULL, "", "/" and "-.slice": the root slice. */
bool pod_cgroup_root_slice (const char *slice);
int pod_cgroup_create (const struct pod_env *env, const struct pod_spec *pod,
                       const char *sandbox_id, struct husk_error **err);
int pod_cgroup_destroy (const struct pod_env *env, const char *sandbox_id,
                        struct husk_error **err);

/* ---- pod_container.c ---- */
/* <container dir>/<name>, malloc'd. */
int pod_container_file (const struct pod_env *env, const char *cid, const char *name, char **out,
                        struct husk_error **err);

/* ---- pod_stop.c ---- */
/* SIGTERM, grace_seconds for the holder to record the exit, SIGKILL; a
 * container that is not running is fine. */
int pod_container_stop (const struct pod_env *env, const char *cid, int grace_seconds,
                        struct husk_error **err);
/* The same for several containers at once: one grace period for all. */
int pod_containers_stop (const struct pod_env *env, char *const *cids, size_t n,
                         int grace_seconds, struct husk_error **err);
/* Deletes from the runtime, unmounts, removes the dir: every container. */
int pod_containers_teardown (const struct pod_env *env, const char *sandbox_id,
                             struct husk_error **err);

#endif
