/* What the v1 files share: each controller group applies its part of
 * linux.resources to its own hierarchy's directory. */
#ifndef HUSK_RUNTIME_CGROUP_V1_H
#define HUSK_RUNTIME_CGROUP_V1_H

#include "../internal.h"
#include "../stats.h"

/* Each takes the controller's directory, NULL when that hierarchy is not
 * mounted (an error only if the spec asks for the controller). */
int cg_v1_memory_apply (const char *dir, const struct oci_resources *r, bool update,
                        struct husk_error **err);
int cg_v1_cpu_apply (const char *dir, const struct oci_resources *r, bool update,
                     struct husk_error **err);
int cg_v1_cpuset_apply (const char *dir, const struct oci_resources *r, bool update,
                        struct husk_error **err);
int cg_v1_blkio_apply (const char *dir, const struct oci_resources *r, bool update,
                       struct husk_error **err);
int cg_v1_devices_apply (const char *dir, const struct oci_resources *r, bool update,
                         struct husk_error **err);
int cg_v1_pids_apply (const char *dir, const struct oci_resources *r, bool update,
                      struct husk_error **err);
int cg_v1_hugetlb_apply (const char *dir, const struct oci_resources *r, bool update,
                         struct husk_error **err);
int cg_v1_net_cls_apply (const char *dir, const struct oci_resources *r, bool update,
                         struct husk_error **err);
int cg_v1_net_prio_apply (const char *dir, const struct oci_resources *r, bool update,
                          struct husk_error **err);
int cg_v1_rdma_apply (const char *dir, const struct oci_resources *r, bool update,
                      struct husk_error **err);

/* Fills cpuset.cpus/mems of every level from `mountpoint` down to `dir`
 * that has them empty, from its parent: a v1 cpuset with empty sets cannot
 * take tasks. */
int cg_v1_cpuset_init (const char *mountpoint, const char *dir, const char *created_top,
                       struct husk_error **err);

/* Error for a resource asked of a hierarchy that is not mounted. */
int cg_v1_not_mounted (const char *controller, const char *what, struct husk_error **err);

int cg_v1_freeze (struct husk_cgroup *cg, bool frozen, struct husk_error **err);
int cg_v1_is_frozen (struct husk_cgroup *cg, bool *frozen, struct husk_error **err);
int cg_v1_oom_fd (struct husk_cgroup *cg, int *fd, struct husk_error **err);
int cg_v1_oom_count (struct husk_cgroup *cg, uint64_t *count, struct husk_error **err);
int cg_v1_stats (struct husk_cgroup *cg, struct husk_cgroup_stats *st, struct husk_error **err);

/* hierarchy.c */
int cg_v1_resolve (struct husk_cgroup *cg, const char *inner, bool relative, struct husk_error **err);
int cg_v1_make (struct husk_cgroup *cg, const char *inner, bool relative, struct husk_error **err);
int cg_v1_open (struct husk_cgroup *cg, const char *path, struct husk_error **err);
void cg_v1_unmake (struct husk_cgroup *cg);
int cg_v1_enter (struct husk_cgroup *cg, pid_t pid, struct husk_error **err);
int cg_v1_join_fds (struct husk_cgroup *cg, int *fds, size_t cap, size_t *len,
                    struct husk_error **err);
int cg_v1_enter_rest (struct husk_cgroup *cg, pid_t pid, bool self_joined, bool into_cgroup,
                      struct husk_error **err);
int cg_v1_remove (struct husk_cgroup *cg, struct husk_error **err);
const char *cg_v1_procs_dir (const struct husk_cgroup *cg);

#endif
