/* v1 controllers with one or two files each: pids, hugetlb, net_cls,
 * net_prio, rdma. */
#include <errno.h>
#include <inttypes.h>

#include "v1.h"

int
cg_v1_pids_apply (const char *dir, const struct oci_resources *r, bool update,
                  struct husk_error **err)
{
  if (r == NULL || r->pids == NULL)
    return 0;
  if (dir == NULL)
    return cg_v1_not_mounted ("pids", "linux.resources.pids", err);
  return cg_write_pids (dir, r->pids, err);
}

int
cg_v1_hugetlb_apply (const char *dir, const struct oci_resources *r, bool update,
                     struct husk_error **err)
{
  if (r == NULL || r->hugepage_limits_len == 0)
    return 0;
  if (dir == NULL)
    return cg_v1_not_mounted ("hugetlb", "linux.resources.hugepageLimits", err);
  return cg_write_hugetlb (dir, r->hugepage_limits, r->hugepage_limits_len, "limit_in_bytes", err);
}

int
cg_v1_net_cls_apply (const char *dir, const struct oci_resources *r, bool update,
                     struct husk_error **err)
{
  /* classID 0 is "not set", as runc reads it */
  if (r == NULL || r->network == NULL || !r->network->class_id.set || r->network->class_id.value == 0)
    return 0;
  if (dir == NULL)
    return cg_v1_not_mounted ("net_cls", "linux.resources.network.classID", err);
  return cg_write_u64 (dir, "net_cls.classid", r->network->class_id.value, err);
}

int
cg_v1_net_prio_apply (const char *dir, const struct oci_resources *r, bool update,
                      struct husk_error **err)
{
  if (r == NULL || r->network == NULL || r->network->priorities_len == 0)
    return 0;
  if (dir == NULL)
    return cg_v1_not_mounted ("net_prio", "linux.resources.network.priorities", err);
  for (size_t i = 0; i < r->network->priorities_len; i++)
    {
      const struct oci_net_priority *p = &r->network->priorities[i];
      if (cg_writef (dir, "net_prio.ifpriomap", err, "%s %" PRIu32, p->name, p->priority) < 0)
        return -1;
    }
  return 0;
}

int
cg_v1_rdma_apply (const char *dir, const struct oci_resources *r, bool update,
                  struct husk_error **err)
{
  if (r == NULL || r->rdma_len == 0)
    return 0;
  if (dir == NULL)
    return cg_v1_not_mounted ("rdma", "linux.resources.rdma", err);
  return cg_write_rdma (dir, r->rdma, r->rdma_len, err);
}
