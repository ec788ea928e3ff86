/* linux.resources of config.json, and the resources.json of `update -r`. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "config_internal.h"

static int
parse_device_cgroup (struct jr *r, yajl_val v, void *out)
{
  struct oci_device_cgroup *d = out;
  yajl_val allow = jr_member (v, "allow");

  if (allow == NULL)
    {
      size_t mark = jr_enter_key (r, "allow");
      jr_fail (r, "required");
      jr_leave (r, mark);
      return -1;
    }
  if (jr_bool (r, v, "allow", &d->allow) < 0
      || jr_string (r, v, "type", false, &d->type) < 0
      || jr_opt_i64 (r, v, "major", INT64_MIN, INT64_MAX, &d->major) < 0
      || jr_opt_i64 (r, v, "minor", INT64_MIN, INT64_MAX, &d->minor) < 0
      || jr_string (r, v, "access", false, &d->access) < 0)
    return -1;
  return 0;
}

static int
parse_memory (struct jr *r, yajl_val v, void *out)
{
  struct oci_memory *m = out;

  if (jr_opt_i64 (r, v, "limit", INT64_MIN, INT64_MAX, &m->limit) < 0
      || jr_opt_i64 (r, v, "reservation", INT64_MIN, INT64_MAX, &m->reservation) < 0
      || jr_opt_i64 (r, v, "swap", INT64_MIN, INT64_MAX, &m->swap) < 0
      || jr_opt_i64 (r, v, "kernel", INT64_MIN, INT64_MAX, &m->kernel) < 0
      || jr_opt_i64 (r, v, "kernelTCP", INT64_MIN, INT64_MAX, &m->kernel_tcp) < 0
      || jr_opt_u64 (r, v, "swappiness", UINT64_MAX, &m->swappiness) < 0
      || jr_opt_bool (r, v, "disableOOMKiller", &m->disable_oom_killer) < 0
      || jr_opt_bool (r, v, "useHierarchy", &m->use_hierarchy) < 0
      || jr_opt_bool (r, v, "checkBeforeUpdate", &m->check_before_update) < 0)
    return -1;
  return 0;
}

static int
parse_cpu (struct jr *r, yajl_val v, void *out)
{
  struct oci_cpu *c = out;

  if (jr_opt_u64 (r, v, "shares", UINT64_MAX, &c->shares) < 0
      || jr_opt_i64 (r, v, "quota", INT64_MIN, INT64_MAX, &c->quota) < 0
      || jr_opt_u64 (r, v, "burst", UINT64_MAX, &c->burst) < 0
      || jr_opt_u64 (r, v, "period", UINT64_MAX, &c->period) < 0
      || jr_opt_i64 (r, v, "realtimeRuntime", INT64_MIN, INT64_MAX, &c->realtime_runtime) < 0
      || jr_opt_u64 (r, v, "realtimePeriod", UINT64_MAX, &c->realtime_period) < 0
      || jr_string (r, v, "cpus", false, &c->cpus) < 0
      || jr_string (r, v, "mems", false, &c->mems) < 0
      || jr_opt_i64 (r, v, "idle", INT64_MIN, INT64_MAX, &c->idle) < 0)
    return -1;
  return 0;
}

static int
parse_pids (struct jr *r, yajl_val v, void *out)
{
  struct oci_pids *p = out;
  return jr_i64 (r, v, "limit", true, INT64_MIN, INT64_MAX, &p->limit) < 0 ? -1 : 0;
}

static int
parse_weight_device (struct jr *r, yajl_val v, void *out)
{
  struct oci_weight_device *d = out;

  if (jr_i64 (r, v, "major", true, INT64_MIN, INT64_MAX, &d->major) < 0
      || jr_i64 (r, v, "minor", true, INT64_MIN, INT64_MAX, &d->minor) < 0
      || jr_opt_u64 (r, v, "weight", UINT16_MAX, &d->weight) < 0
      || jr_opt_u64 (r, v, "leafWeight", UINT16_MAX, &d->leaf_weight) < 0)
    return -1;
  return 0;
}

static int
parse_throttle_device (struct jr *r, yajl_val v, void *out)
{
  struct oci_throttle_device *d = out;

  if (jr_i64 (r, v, "major", true, INT64_MIN, INT64_MAX, &d->major) < 0
      || jr_i64 (r, v, "minor", true, INT64_MIN, INT64_MAX, &d->minor) < 0
      || jr_u64 (r, v, "rate", true, UINT64_MAX, &d->rate) < 0)
    return -1;
  return 0;
}

static int
parse_block_io (struct jr *r, yajl_val v, void *out)
{
  struct oci_block_io *b = out;
  const size_t td = sizeof (struct oci_throttle_device);

  if (jr_opt_u64 (r, v, "weight", UINT16_MAX, &b->weight) < 0
      || jr_opt_u64 (r, v, "leafWeight", UINT16_MAX, &b->leaf_weight) < 0
      || jr_array_of (r, v, "weightDevice", sizeof *b->weight_device, parse_weight_device,
                      &b->weight_device, &b->weight_device_len) < 0
      || jr_array_of (r, v, "throttleReadBpsDevice", td, parse_throttle_device,
                      &b->throttle_read_bps_device, &b->throttle_read_bps_device_len) < 0
      || jr_array_of (r, v, "throttleWriteBpsDevice", td, parse_throttle_device,
                      &b->throttle_write_bps_device, &b->throttle_write_bps_device_len) < 0
      || jr_array_of (r, v, "throttleReadIOPSDevice", td, parse_throttle_device,
                      &b->throttle_read_iops_device, &b->throttle_read_iops_device_len) < 0
      || jr_array_of (r, v, "throttleWriteIOPSDevice", td, parse_throttle_device,
                      &b->throttle_write_iops_device, &b->throttle_write_iops_device_len) < 0)
    return -1;
  return 0;
}

static int
parse_hugepage_limit (struct jr *r, yajl_val v, void *out)
{
  struct oci_hugepage_limit *h = out;

  if (jr_string (r, v, "pageSize", true, &h->page_size) < 0
      || jr_u64 (r, v, "limit", true, UINT64_MAX, &h->limit) < 0)
    return -1;
  return 0;
}

static int
parse_net_priority (struct jr *r, yajl_val v, void *out)
{
  struct oci_net_priority *p = out;

  if (jr_string (r, v, "name", true, &p->name) < 0
      || jr_u32 (r, v, "priority", true, &p->priority) < 0)
    return -1;
  return 0;
}

static int
parse_network (struct jr *r, yajl_val v, void *out)
{
  struct oci_network *n = out;

  if (jr_opt_u64 (r, v, "classID", UINT32_MAX, &n->class_id) < 0
      || jr_array_of (r, v, "priorities", sizeof *n->priorities, parse_net_priority,
                      &n->priorities, &n->priorities_len) < 0)
    return -1;
  return 0;
}

/* rdma is an object keyed by device name. */
static int
parse_rdma (struct jr *r, yajl_val res, struct oci_resources *out)
{
  yajl_val v;
  size_t mark, n;
  int ret = jr_object (r, res, "rdma", false, &v);

  if (ret <= 0)
    return ret;
  n = v->u.object.len;
  out->rdma = calloc (n ? n : 1, sizeof *out->rdma);
  if (out->rdma == NULL)
    return husk_error_set (r->err, ENOMEM, "%s: rdma", r->filename);
  out->rdma_len = n;
  mark = jr_enter_key (r, "rdma");
  for (size_t i = 0; i < n; i++)
    {
      struct oci_rdma *d = &out->rdma[i];
      yajl_val dev = v->u.object.values[i];
      size_t at = jr_enter_key (r, v->u.object.keys[i]);
      d->device = strdup (v->u.object.keys[i]);
      if (d->device == NULL)
        return husk_error_set (r->err, ENOMEM, "%s: rdma", r->filename);
      if (!YAJL_IS_OBJECT (dev))
        return jr_fail_type (r, "an object", dev);
      if (jr_opt_u64 (r, dev, "hcaHandles", UINT32_MAX, &d->hca_handles) < 0
          || jr_opt_u64 (r, dev, "hcaObjects", UINT32_MAX, &d->hca_objects) < 0)
        return -1;
      jr_leave (r, at);
    }
  jr_leave (r, mark);
  return 1;
}

int
oci_parse_resources (struct jr *r, yajl_val v, void *out)
{
  struct oci_resources *res = out;

  if (jr_array_of (r, v, "devices", sizeof *res->devices, parse_device_cgroup, &res->devices,
                   &res->devices_len) < 0
      || jr_object_of (r, v, "memory", sizeof *res->memory, parse_memory, &res->memory) < 0
      || jr_object_of (r, v, "cpu", sizeof *res->cpu, parse_cpu, &res->cpu) < 0
      || jr_object_of (r, v, "pids", sizeof *res->pids, parse_pids, &res->pids) < 0
      || jr_object_of (r, v, "blockIO", sizeof *res->block_io, parse_block_io,
                       &res->block_io) < 0
      || jr_array_of (r, v, "hugepageLimits", sizeof *res->hugepage_limits,
                      parse_hugepage_limit, &res->hugepage_limits,
                      &res->hugepage_limits_len) < 0
      || jr_object_of (r, v, "network", sizeof *res->network, parse_network,
                       &res->network) < 0
      || parse_rdma (r, v, res) < 0
      || jr_map (r, v, "unified", &res->unified) < 0)
    return -1;
  return 0;
}

HUSK_DEFINE_CLEANUP (struct oci_resources, oci_resources_free)

int
oci_resources_parse_data (const char *filename, const char *data, size_t len,
                          struct oci_resources **out, struct husk_error **err)
{
  __attribute__ ((cleanup (oci_resources_freep))) struct oci_resources *res
      = calloc (1, sizeof *res);

  if (filename == NULL)
    filename = "resources.json";
  if (res == NULL)
    return husk_error_set (err, ENOMEM, "%s", filename);
  if (oci_parse_document (filename, data, len, oci_parse_resources, res, err) < 0)
    return -1;
  *out = steal_pointer (&res);
  return 0;
}
