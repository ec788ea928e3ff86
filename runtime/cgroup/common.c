/* Resource writes whose files and values are the same in v1 and v2:
 * pids.max, cpuset.cpus/mems, rdma.max, hugetlb.<size>.<suffix>. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "internal.h"

int
cg_write_pids (const char *dir, const struct oci_pids *pids, struct husk_error **err)
{
  char buf[24];
  /* A limit of 0 or below means no limit, as runc reads the spec. */
  husk_cgroup_limit_string (pids->limit > 0 ? pids->limit : -1, buf);
  return cg_write (dir, "pids.max", buf, err);
}

int
cg_write_cpuset (const char *dir, const struct oci_cpu *cpu, struct husk_error **err)
{
  if (cpu->cpus && *cpu->cpus &&
      (husk_cgroup_check_cpuset ("linux.resources.cpu.cpus", cpu->cpus, err) < 0 ||
       cg_write (dir, "cpuset.cpus", cpu->cpus, err) < 0))
    return -1;
  if (cpu->mems && *cpu->mems &&
      (husk_cgroup_check_cpuset ("linux.resources.cpu.mems", cpu->mems, err) < 0 ||
       cg_write (dir, "cpuset.mems", cpu->mems, err) < 0))
    return -1;
  return 0;
}

int
cg_write_rdma (const char *dir, const struct oci_rdma *rdma, size_t len, struct husk_error **err)
{
  for (size_t i = 0; i < len; i++)
    {
      char handles[24] = "max", objects[24] = "max";
      if (rdma[i].hca_handles.set)
        snprintf (handles, sizeof handles, "%" PRIu64, rdma[i].hca_handles.value);
      if (rdma[i].hca_objects.set)
        snprintf (objects, sizeof objects, "%" PRIu64, rdma[i].hca_objects.value);
      if (cg_writef (dir, "rdma.max", err, "%s hca_handle=%s hca_object=%s", rdma[i].device,
                     handles, objects) < 0)
        return -1;
    }
  return 0;
}

int
cg_write_hugetlb (const char *dir, const struct oci_hugepage_limit *limits, size_t len,
                  const char *suffix, struct husk_error **err)
{
  for (size_t i = 0; i < len; i++)
    {
      cleanup_free char *file = NULL;
      if (asprintf (&file, "hugetlb.%s.%s", limits[i].page_size, suffix) < 0)
        return husk_error_set (err, ENOMEM, "hugetlb");
      if (cg_write_u64 (dir, file, limits[i].limit, err) < 0)
        return -1;
    }
  return 0;
}

uint64_t
cg_read_u64_or_zero (const char *dir, const char *file)
{
  cleanup_error struct husk_error *e = NULL;
  uint64_t v = 0;
  if (cg_read_u64 (dir, file, &v, &e) < 0)
    return 0;
  return v;
}
