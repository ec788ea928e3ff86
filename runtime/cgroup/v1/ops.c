/* The v1 operations table and the walk over controllers that applies
 * linux.resources. */
#include <errno.h>

#include "v1.h"

typedef int (*apply_fn) (const char *dir, const struct oci_resources *r, bool update,
                         struct husk_error **err);

static const struct {
  const char *controller;
  apply_fn apply;
} controllers[] = {
  /* cpuset before cpu/memory: nothing depends on it, but runc's order is
   * the one users' error reports are written against. */
  { "cpuset", cg_v1_cpuset_apply },   { "devices", cg_v1_devices_apply },
  { "memory", cg_v1_memory_apply },   { "cpu", cg_v1_cpu_apply },
  { "pids", cg_v1_pids_apply },       { "blkio", cg_v1_blkio_apply },
  { "hugetlb", cg_v1_hugetlb_apply }, { "net_cls", cg_v1_net_cls_apply },
  { "net_prio", cg_v1_net_prio_apply }, { "rdma", cg_v1_rdma_apply },
};

static int
v1_apply (struct husk_cgroup *cg, const struct oci_resources *r, bool update,
          struct husk_error **err)
{
  if (r && r->unified.len > 0)
    return husk_error_set (err, ENOTSUP,
                           "linux.resources.unified: needs cgroup v2, and this host uses cgroup v1");
  for (size_t i = 0; i < sizeof controllers / sizeof controllers[0]; i++)
    if (controllers[i].apply (husk_cgroup_dir (cg, controllers[i].controller), r, update, err) < 0)
      return -1;
  return 0;
}

const struct cg_ops husk_cg_v1_ops = {
  .resolve = cg_v1_resolve,
  .make = cg_v1_make,
  .open = cg_v1_open,
  .unmake = cg_v1_unmake,
  .apply = v1_apply,
  .enter = cg_v1_enter,
  .join_fds = cg_v1_join_fds,
  .enter_rest = cg_v1_enter_rest,
  .remove = cg_v1_remove,
  .procs_dir = cg_v1_procs_dir,
  .kill_fast = NULL,
  .freeze = cg_v1_freeze,
  .is_frozen = cg_v1_is_frozen,
  .stats = cg_v1_stats,
  .oom_fd = cg_v1_oom_fd,
  .oom_count = cg_v1_oom_count,
};
