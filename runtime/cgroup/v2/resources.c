/* linux.resources on a v2 cgroup: the v1-shaped values of the spec mapped
 * onto unified files as runc maps them, then linux.resources.unified. */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "v2.h"

static int
set_memory (const char *dir, const struct oci_memory *m, struct husk_error **err)
{
  cleanup_free char *swap = NULL;
  char buf[24];
  int64_t limit = m->limit.set ? m->limit.value : 0;

  if (husk_cgroup_swap_to_v2 (m->swap.set ? m->swap.value : 0, limit, m->limit.set, &swap, err) < 0)
    return -1;
  if (swap)
    {
      cleanup_error struct husk_error *e = NULL;
      /* No swap in this kernel: "max" and "0" ask for nothing it lacks. */
      if (cg_write (dir, "memory.swap.max", swap, &e) < 0 &&
          !(e->errnum == ENOENT && (strcmp (swap, "max") == 0 || strcmp (swap, "0") == 0)))
        return husk_error_propagate (err, &e);
    }
  if (limit != 0)
    {
      husk_cgroup_limit_string (limit, buf);
      if (cg_write (dir, "memory.max", buf, err) < 0)
        return -1;
    }
  if (m->reservation.set && m->reservation.value != 0)
    {
      husk_cgroup_limit_string (m->reservation.value, buf);
      if (cg_write (dir, "memory.low", buf, err) < 0)
        return -1;
    }
  /* kernel, kernelTCP, swappiness, disableOOMKiller and useHierarchy have
   * no v2 file; runc ignores them there too. */
  return 0;
}

static int
set_cpu_max (const char *dir, const struct oci_cpu *c, struct husk_error **err)
{
  char buf[64];
  int n;
  if (!(c->quota.set && c->quota.value != 0) && !(c->period.set && c->period.value != 0))
    return 0;
  n = c->quota.set && c->quota.value > 0 ? snprintf (buf, sizeof buf, "%" PRId64, c->quota.value)
                                          : snprintf (buf, sizeof buf, "max");
  if (c->period.set && c->period.value != 0)
    snprintf (buf + n, sizeof buf - n, " %" PRIu64, c->period.value);
  return cg_write (dir, "cpu.max", buf, err);
}

static int
set_cpu (const char *dir, const struct oci_cpu *c, struct husk_error **err)
{
  if ((c->realtime_runtime.set && c->realtime_runtime.value != 0) ||
      (c->realtime_period.set && c->realtime_period.value != 0))
    return husk_error_set (err, ENOTSUP,
                           "linux.resources.cpu.realtimeRuntime/realtimePeriod: cgroup v2 has no "
                           "realtime cpu controller");
  if (c->shares.set && c->shares.value != 0 &&
      cg_write_u64 (dir, "cpu.weight", husk_cgroup_shares_to_weight (c->shares.value), err) < 0)
    return -1;
  if (set_cpu_max (dir, c, err) < 0)
    return -1;
  if (c->burst.set && cg_write_u64 (dir, "cpu.max.burst", c->burst.value, err) < 0)
    return -1;
  if (c->idle.set && cg_write_i64 (dir, "cpu.idle", c->idle.value, err) < 0)
    return -1;
  return cg_write_cpuset (dir, c, err);
}

static int
set_io_max (const char *dir, const char *key, const struct oci_throttle_device *t, size_t len,
            struct husk_error **err)
{
  for (size_t i = 0; i < len; i++)
    if (cg_writef (dir, "io.max", err, "%" PRId64 ":%" PRId64 " %s=%" PRIu64, t[i].major,
                   t[i].minor, key, t[i].rate) < 0)
      return -1;
  return 0;
}

static int
set_io (const char *dir, const struct oci_block_io *b, struct husk_error **err)
{
  /* BFQ takes the v1 range as is; io.weight wants it converted. */
  bool bfq = cg_has (dir, "io.bfq.weight");
  if (b->weight.set && b->weight.value != 0 &&
      (bfq ? cg_write_u64 (dir, "io.bfq.weight", b->weight.value, err)
           : cg_write_u64 (dir, "io.weight",
                           husk_cgroup_blkio_weight_to_io_weight (b->weight.value), err)) < 0)
    return -1;
  for (size_t i = 0; i < b->weight_device_len; i++)
    {
      const struct oci_weight_device *w = &b->weight_device[i];
      if (w->weight.set && w->weight.value != 0 &&
          cg_writef (dir, bfq ? "io.bfq.weight" : "io.weight", err, "%" PRId64 ":%" PRId64 " %" PRIu64,
                     w->major, w->minor,
                     bfq ? w->weight.value : husk_cgroup_blkio_weight_to_io_weight (w->weight.value)) < 0)
        return -1;
    }
  if (set_io_max (dir, "rbps", b->throttle_read_bps_device, b->throttle_read_bps_device_len, err) < 0 ||
      set_io_max (dir, "wbps", b->throttle_write_bps_device, b->throttle_write_bps_device_len, err) < 0 ||
      set_io_max (dir, "riops", b->throttle_read_iops_device, b->throttle_read_iops_device_len, err) < 0 ||
      set_io_max (dir, "wiops", b->throttle_write_iops_device, b->throttle_write_iops_device_len, err) < 0)
    return -1;
  return 0;
}

static int
set_small (const char *dir, const struct oci_resources *r, struct husk_error **err)
{
  if (r->pids && cg_write_pids (dir, r->pids, err) < 0)
    return -1;
  if (cg_write_hugetlb (dir, r->hugepage_limits, r->hugepage_limits_len, "max", err) < 0 ||
      cg_write_rdma (dir, r->rdma, r->rdma_len, err) < 0)
    return -1;
  if (r->network && ((r->network->class_id.set && r->network->class_id.value != 0)
                     || r->network->priorities_len > 0))
    return husk_error_set (err, ENOTSUP,
                           "linux.resources.network: net_cls/net_prio do not exist on cgroup v2");
  return 0;
}

static int
set_unified (const char *dir, const struct oci_map *u, struct husk_error **err)
{
  for (size_t i = 0; i < u->len; i++)
    {
      const char *k = u->keys[i];
      if (strchr (k, '/') || strcmp (k, "..") == 0 || strcmp (k, ".") == 0 ||
          strncmp (k, "cgroup.procs", 12) == 0 || strcmp (k, "cgroup.threads") == 0)
        return husk_error_set (err, EINVAL, "linux.resources.unified: \"%s\": not a settable file", k);
      if (cg_write (dir, k, u->values[i], err) < 0)
        {
          if ((*err)->errnum == ENOENT)
            husk_error_wrap (err, "linux.resources.unified: \"%s\" (is its controller enabled?)", k);
          return -1;
        }
    }
  return 0;
}

int
cg_v2_apply_dir (const char *dir, const struct oci_resources *r, bool update,
                 struct husk_error **err)
{
  if (r == NULL)
    return 0;
  if (r->memory && set_memory (dir, r->memory, err) < 0)
    return -1;
  if (r->cpu && set_cpu (dir, r->cpu, err) < 0)
    return -1;
  if (r->block_io && set_io (dir, r->block_io, err) < 0)
    return -1;
  if (set_small (dir, r, err) < 0)
    return -1;
  return set_unified (dir, &r->unified, err);
}
