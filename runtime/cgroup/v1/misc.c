/* v1 controllers with one or two files each: pids, hugetlb, net_cls,
 * net_prio, rdma. */
#include <errno.h>
#include <inttypes.h>

#include "v1.h"

int
cg_v1_pids_apply (const char *dir, const struct oci_resources *r, bool update,
                  struct husk_error **err)
{
  char buf[24];
  if (r == NULL || r->pids == NULL)
    return 0;
  if (dir == NULL)
    return cg_v1_not_mounted ("pids", "linux.resources.pids", err);
  /* A limit of 0 or below means no limit, as runc reads the spec. */
  husk_cgroup_limit_string (r->pids->limit > 0 ? r->pids->limit : -1, buf);
  return cg_write (dir, "pids.max", buf, err);
}

int
cg_v1_hugetlb_apply (const char *dir, const struct oci_resources *r, bool update,
                     struct husk_error **err)
{
  if (r == NULL || r->hugepage_limits_len == 0)
    return 0;
  if (dir == NULL)
    return cg_v1_not_mounted ("hugetlb", "linux.resources.hugepageLimits", err);
  for (size_t i = 0; i < r->hugepage_limits_len; i++)
    {
      const struct oci_hugepage_limit *h = &r->hugepage_limits[i];
      cleanup_free char *file = NULL;
      if (asprintf (&file, "hugetlb.%s.limit_in_bytes", h->page_size) < 0)
        return husk_error_set (err, ENOMEM, "hugetlb");
      if (cg_write_u64 (dir, file, h->limit, err) < 0)
        return -1;
    }
  return 0;
}

int
cg_v1_net_cls_apply (const char *dir, const struct oci_resources *r, bool update,
                     struct husk_error **err)
{
  if (r == NULL || r->network == NULL || !r->network->class_id.set)
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
  for (size_t i = 0; i < r->rdma_len; i++)
    {
      const struct oci_rdma *d = &r->rdma[i];
      char handles[24] = "max", objects[24] = "max";
      if (d->hca_handles.set)
        snprintf (handles, sizeof handles, "%" PRIu64, d->hca_handles.value);
      if (d->hca_objects.set)
        snprintf (objects, sizeof objects, "%" PRIu64, d->hca_objects.value);
      if (cg_writef (dir, "rdma.max", err, "%s hca_handle=%s hca_object=%s", d->device, handles,
                     objects) < 0)
        return -1;
    }
  return 0;
}
